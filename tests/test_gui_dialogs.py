"""The dialogs (Qt Designer forms in ui/): registration, moving dates with a preview of what shifts,
off study, recording and correcting. A refused input shows the command line's sentence beside the
field and leaves the database file exactly as it was."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta

import pytest
from conftest import GUI_TODAY, GUI_USER, file_digest, open_store, row_counts
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.gui.common.field_errors import ERROR_PREFIX
from ari_desktop.gui.common.fields import DateField
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.main_window import MainWindow
from ari_desktop.gui.patient.date_dialogs import MoveDateDialog, OffStudyDialog
from ari_desktop.gui.patient.record_dialog import RecordItemDialog
from ari_desktop.gui.patients.register_dialog import RegisterPatientDialog

pytestmark = pytest.mark.usefixtures("gui_settings")
DAY0 = GUI_TODAY - timedelta(days=20)


@pytest.fixture
def window(qtbot, store):
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def set_date(qtbot, field: DateField, day: date) -> None:
    """Type the date over what the field shows, as a person does."""
    field.edit.clear()
    qtbot.keyClicks(field.edit, day.isoformat())


def click_ok(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def calendar_dates(window: MainWindow) -> dict[tuple[str, str], tuple[str, str]]:
    """(timepoint, activity) -> (target date, status) as the calendar shows them."""
    model = window.patient.model
    shown = {}
    for group_row in range(model.rowCount()):
        group = model.index(group_row, 0)
        for row in range(model.rowCount(group)):
            entry = model.entry(model.index(row, 0, group))
            shown[entry.item.timepoint, entry.item.activity] = (model.index(row, 1, group).data(),
                                                                model.index(row, 3, group).data())
    return shown


def sentence(anchors: Anchors, store) -> str:
    """What the command line says for these dates (the domain's own check)."""
    with pytest.raises(ClinicalInputError) as refused:
        check_new_patient("ARI-099", "AB", "F", 1960, anchors, store.protocol, GUI_TODAY)
    return str(refused.value)


# -- registration -------------------------------------------------------------------------------

def test_a_registered_patient_appears_in_the_list_and_in_the_database(qtbot, db_path, store, window):
    dialog = window.register_patient()
    assert isinstance(dialog, RegisterPatientDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.study_id, "ARI-014")
    qtbot.keyClicks(dialog.initials, "mj")
    dialog.sex.setCurrentIndex(dialog.sex.findData("M"))
    qtbot.keyClicks(dialog.birth_year, "1958")
    set_date(qtbot, dialog.screening, GUI_TODAY - timedelta(days=30))
    set_date(qtbot, dialog.day0, GUI_TODAY - timedelta(days=2))
    click_ok(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert window.current_view() == "patients"
    assert window.patients.selected_study_id() == "ARI-014"
    table = window.patients.table.model()
    listed = [[table.index(r, c).data() for c in range(5)] for r in range(table.rowCount())]
    assert ["ARI-014", "MJ", "M", "1958", "infusion"] in listed
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("SELECT initials, sex, birth_year, day0_date FROM patients WHERE study_id = ?",
                                  ["ARI-014"]).fetchone() == ("MJ", "M", 1958, str(GUI_TODAY - timedelta(days=2)))
        assert connection.execute("SELECT user, reason FROM change_log WHERE table_name = 'patients'").fetchall() \
            == [(GUI_USER, "registered")]
    finally:
        connection.close()


def test_day_0_before_screening_is_refused_beside_day_0_and_the_file_is_unchanged(qtbot, db_path, add_patient):
    with open_store(db_path) as setup:
        add_patient(setup, "ARI-001", day0=DAY0)
    digest, counts = file_digest(db_path), row_counts(db_path)
    store = open_store(db_path)
    try:
        dialog = RegisterPatientDialog(Session(store))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.keyClicks(dialog.study_id, "ARI-099")
        qtbot.keyClicks(dialog.initials, "AB")
        dialog.sex.setCurrentIndex(dialog.sex.findData("F"))
        qtbot.keyClicks(dialog.birth_year, "1960")
        set_date(qtbot, dialog.screening, GUI_TODAY)
        set_date(qtbot, dialog.day0, GUI_TODAY - timedelta(days=1))
        click_ok(qtbot, dialog)

        expected = sentence(Anchors(GUI_TODAY, GUI_TODAY - timedelta(days=1)), store)
        assert expected.startswith("Day 0 (2025-03-09) is before the screening date")
        beside_day0 = dialog.findChild(QLabel, "day0Error")
        assert beside_day0.text() == ERROR_PREFIX + expected
        assert dialog.errors.text("day0") == expected
        assert dialog.findChild(QLabel, "studyIdError").text() == ""
        assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
        assert row_counts(db_path) == counts
    finally:
        store.close()
    assert file_digest(db_path) == digest


def test_a_study_id_already_registered_is_refused_beside_the_study_id(qtbot, db_path, store, add_patient):
    add_patient(store, "ARI-001", day0=DAY0)
    counts = row_counts(db_path)
    dialog = RegisterPatientDialog(Session(store))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.study_id, "ARI-001")
    qtbot.keyClicks(dialog.initials, "CD")
    dialog.sex.setCurrentIndex(dialog.sex.findData("M"))
    qtbot.keyClicks(dialog.birth_year, "1971")
    set_date(qtbot, dialog.screening, GUI_TODAY)
    click_ok(qtbot, dialog)
    assert dialog.errors.text("study_id") == "A patient with study ID ARI-001 is already registered."
    assert row_counts(db_path) == counts


# -- moving dates -------------------------------------------------------------------------------

def test_moving_day_0_lists_what_will_shift_then_moves_the_calendar_by_as_many_days(
        qtbot, db_path, store, add_patient, window):
    add_patient(store, "ARI-001", day0=DAY0)
    window.show_patient("ARI-001")
    before = calendar_dates(window)
    dialog = window.patient.change_date("day0")
    assert isinstance(dialog, MoveDateDialog) and dialog.isVisible()
    assert dialog.preview.model.rowCount() == 0  # the date shown is the current day 0: nothing moves yet
    set_date(qtbot, dialog.new_date, DAY0 + timedelta(days=7))

    preview = dialog.preview.model
    assert preview.rowCount() > 20
    assert dialog.preview.caption.text() == f"{preview.rowCount()} items will shift. Check them before you confirm:"
    shown = [[preview.index(r, c).data() for c in range(4)] for r in range(preview.rowCount())]
    assert ["Day 0", "Fraction 1 (10 % of the dose)", str(DAY0), str(DAY0 + timedelta(days=7))] in shown
    for timepoint, what, now, will_be in shown:
        assert date.fromisoformat(will_be) - date.fromisoformat(now) == timedelta(days=7), (timepoint, what)
    qtbot.keyClicks(dialog.reason, "manufacturing delay")
    click_ok(qtbot, dialog)

    assert dialog.result() == QDialog.DialogCode.Accepted
    after = calendar_dates(window)
    assert after.keys() == before.keys()
    for key, (target, _) in before.items():
        moved = date.fromisoformat(after[key][0]) - date.fromisoformat(target)
        anchor_is_day0 = key[0] != "SCR"
        assert moved == timedelta(days=7 if anchor_is_day0 else 0), key
    assert store.changes.all("patients")[-1].reason == "manufacturing delay"


def test_a_booster_before_day_100_is_refused_beside_the_date_and_the_file_is_unchanged(
        qtbot, db_path, add_patient):
    with open_store(db_path) as setup:
        add_patient(setup, "ARI-001", day0=GUI_TODAY - timedelta(days=120))
    digest, counts = file_digest(db_path), row_counts(db_path)
    store = open_store(db_path)
    try:
        dialog = MoveDateDialog(Session(store), "ARI-001", "booster")
        qtbot.addWidget(dialog)
        dialog.show()
        too_early = GUI_TODAY - timedelta(days=60)  # D+60
        set_date(qtbot, dialog.new_date, too_early)
        expected = (f"The booster ({too_early}) is before D+100; the earliest booster date is "
                    f"{GUI_TODAY - timedelta(days=20)}.")
        assert dialog.findChild(QLabel, "newDateError").text() == ERROR_PREFIX + expected  # as soon as it is typed
        assert dialog.preview.model.rowCount() == 0
        click_ok(qtbot, dialog)
        assert dialog.errors.text("booster") == expected
        assert dialog.isVisible() and not dialog.saved
        assert row_counts(db_path) == counts
    finally:
        store.close()
    assert file_digest(db_path) == digest


def test_a_booster_on_day_100_or_later_is_accepted_and_adds_its_own_items(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=120))
    window.show_patient("ARI-001")
    dialog = window.patient.change_date("booster")
    set_date(qtbot, dialog.new_date, GUI_TODAY)
    assert dialog.errors.text("booster") == ""
    new_items = [dialog.preview.model.index(r, 2).data() for r in range(dialog.preview.model.rowCount())]
    assert new_items and set(new_items) == {"(new)"}
    assert dialog.preview.caption.text() == f"{len(new_items)} items will be added. Check them before you confirm:"
    click_ok(qtbot, dialog)
    assert ("B0", "infusion") in calendar_dates(window)
    assert store.patients.get("ARI-001").anchors.booster == GUI_TODAY


def test_recording_a_death_previews_and_cancels_the_later_items(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=DAY0)
    window.show_patient("ARI-001")
    dialog = window.patient.change_date("death")
    set_date(qtbot, dialog.new_date, GUI_TODAY - timedelta(days=1))
    assert dialog.preview.model.rowCount() > 0
    will_be = [dialog.preview.model.index(r, 3) for r in range(dialog.preview.model.rowCount())]
    assert {index.data() for index in will_be} == {"cancelled"}
    assert all("(died on 2025-03-09)" in index.data(Qt.ItemDataRole.ToolTipRole) for index in will_be)
    click_ok(qtbot, dialog)
    statuses = {status for target, status in calendar_dates(window).values() if target > str(GUI_TODAY)}
    assert statuses == {"Cancelled"}


def test_going_off_study_needs_a_reason_and_cancels_what_follows(qtbot, db_path, store, add_patient, window):
    add_patient(store, "ARI-001", day0=DAY0)
    window.show_patient("ARI-001")
    dialog = window.patient.take_off_study()
    assert isinstance(dialog, OffStudyDialog)
    set_date(qtbot, dialog.date, GUI_TODAY)
    cancelled = dialog.preview.model.rowCount()
    assert cancelled > 0
    counts = row_counts(db_path)
    click_ok(qtbot, dialog)
    assert dialog.errors.text("off_study_reason") == "Going off study needs a reason."
    assert row_counts(db_path) == counts
    dialog.reason.setCurrentText("Consent withdrawn")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    shown = calendar_dates(window)
    assert sum(1 for _, status in shown.values() if status == "Cancelled") == cancelled
    assert "Off study 2025-03-10 (Consent withdrawn)" in window.patient.header.text()


# -- recording and correcting -------------------------------------------------------------------

def test_a_correction_needs_a_reason_and_the_change_log_keeps_both_values(qtbot, db_path, store, add_patient):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    store.recordings.record("ARI-001", "D+14", "sbcma", done_at=datetime(2025, 3, 10, 8, 0).astimezone())
    entry = next(e for e in store.schedules.of("ARI-001", GUI_TODAY) if (e.item.timepoint, e.item.activity)
                 == ("D+14", "sbcma"))
    session = Session(store)
    dialog = RecordItemDialog(session, entry)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.ok_button.text() == "Save correction"
    assert dialog.correction_reason.isVisible()
    assert dialog.done_at.text() == "2025-03-10 08:00"
    dialog.done_at.clock.clear()
    qtbot.keyClicks(dialog.done_at.clock, "07:00")
    counts = row_counts(db_path)
    click_ok(qtbot, dialog)
    assert dialog.errors.text("correction_reason").endswith("a correction needs a reason.")
    assert row_counts(db_path) == counts
    qtbot.keyClicks(dialog.correction_reason, "wrong time typed")
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.saved.recording.done_at.strftime("%H:%M") == "07:00"
    log = store.changes.all("recordings")
    assert [c.action for c in log] == ["insert", "update"]
    assert log[-1].reason == "wrong time typed" and log[-1].user == GUI_USER
    assert log[-1].old["done_at"] != log[-1].new["done_at"]


def test_a_time_done_in_the_future_is_refused_beside_the_time(qtbot, db_path, store, add_patient):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    entry = next(e for e in store.schedules.worklist(GUI_TODAY) if e.item.activity == "sbcma")
    dialog = RecordItemDialog(Session(store), entry)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.done_at.clock.clear()
    qtbot.keyClicks(dialog.done_at.clock, "11:30")
    click_ok(qtbot, dialog)
    assert dialog.errors.text("done_at") == "The time done (2025-03-10 11:30) is in the future."
    assert row_counts(db_path)["recordings"] == 0
    assert dialog.isVisible() and dialog.saved is None


def test_a_death_entered_on_the_wrong_patient_is_removed_with_the_reason_typed_in_the_dialog(
        qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=DAY0)
    store.patients.update_dates("ARI-001", death=GUI_TODAY - timedelta(days=1))
    window.show_patient("ARI-001")
    dialog = window.patient.change_date("death")
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)  # no reason: refused, nothing written
    assert dialog.errors.text("reason") == "Removing the date of death is a correction: it needs a reason."
    assert store.patients.get("ARI-001").anchors.death is not None
    qtbot.keyClicks(dialog.reason, "entered on the wrong patient")
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert store.patients.get("ARI-001").anchors.death is None
    assert store.changes.all("patients")[-1].reason == "entered on the wrong patient"
    assert "Cancelled" not in {status for _, status in calendar_dates(window).values()}
