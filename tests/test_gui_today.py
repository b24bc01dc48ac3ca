"""The Today view, as the research nurse uses it at 8:00: what is due, overdue and missed, with
where each sample goes; mark collected in two clicks or from the keyboard; reasons for what was
missed. Real widgets, real database files, a fixed clinic day."""

from __future__ import annotations

import sqlite3
from datetime import UTC, timedelta

import pytest
from conftest import GUI_NOW, GUI_TODAY, GUI_USER
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView

from ari_desktop.core.schedule import DONE, NOT_DONE
from ari_desktop.gui.patient.record_dialog import RecordItemDialog

pytestmark = pytest.mark.usefixtures("gui_settings")


def rows(table: QTableView) -> list[dict[str, str]]:
    model = table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [{headers[c]: model.index(r, c).data() for c in range(model.columnCount())}
            for r in range(model.rowCount())]


def row_of(table: QTableView, patient: str, what: str, timepoint: str | None = None) -> int:
    for number, row in enumerate(rows(table)):
        if row["Patient"] == patient and row["What"] == what and timepoint in (None, row["Timepoint"]):
            return number
    raise AssertionError(f"{patient} {what} is not in the table")


def select(qtbot, table: QTableView, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def recording(db_path, patient: str, timepoint: str, activity: str):
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(
            "SELECT r.outcome, r.done_at, r.reason, r.recorded_by FROM recordings r JOIN patients p"
            " ON p.id = r.patient_id WHERE p.study_id = ? AND r.timepoint = ? AND r.activity = ?",
            [patient, timepoint, activity]).fetchone()
    finally:
        connection.close()


def test_the_worklist_opens_on_the_clinic_day_with_every_sample_due(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    assert window.today.day == GUI_TODAY
    what = {row["What"] for row in rows(window.today.worklist) if row["Patient"] == "ARI-001"}
    assert {"Soluble BCMA", "Blood count"} <= what
    assert window.today.heading.text().startswith("Today Monday 10 March 2025:")


def test_each_sample_shows_its_tube_volume_and_laboratory(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    sbcma = store.protocol.activity("sbcma")
    row = rows(window.today.worklist)[row_of(window.today.worklist, "ARI-001", "Soluble BCMA")]
    assert row["Tube, volume"] == f"{sbcma.tube}, {sbcma.volume_ml:g} mL"
    assert row["Goes to"] == sbcma.lab


def test_marking_a_sample_collected_shows_it_done_and_stamps_who_and_when(
        qtbot, db_path, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    table = window.today.worklist
    before = table.model().rowCount()
    select(qtbot, table, row_of(table, "ARI-001", "Soluble BCMA"))
    assert window.today.mark_button.text() == "&Mark collected"
    qtbot.mouseClick(window.today.mark_button, Qt.MouseButton.LeftButton)

    assert table.model().rowCount() == before  # what was collected today stays on the day's list, done
    assert rows(table)[row_of(table, "ARI-001", "Soluble BCMA", "Day +14")]["Status"] == "Done"
    outcome, done_at, reason, recorded_by = recording(db_path, "ARI-001", "D+14", "sbcma")
    assert (outcome, reason, recorded_by) == (DONE, None, GUI_USER)
    assert done_at == GUI_NOW.astimezone(UTC).isoformat(timespec="seconds")
    assert "Marked done at 09:30 by clinician" in window.statusBar().currentMessage()


def test_the_collected_time_can_be_changed_before_marking(qtbot, db_path, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    table = window.today.worklist
    select(qtbot, table, row_of(table, "ARI-001", "Blood count"))
    window.today.collected_at.setFocus()
    window.today.collected_at.selectAll()
    qtbot.keyClicks(window.today.collected_at, "08:05")
    assert not window.today.follow_now
    qtbot.mouseClick(window.today.mark_button, Qt.MouseButton.LeftButton)
    stored = store.schedules.of("ARI-001", GUI_TODAY)
    blood_count = next(e for e in stored if e.item.timepoint == "D+14" and e.item.activity == "cbc")
    assert blood_count.recording.done_at.strftime("%Y-%m-%d %H:%M") == "2025-03-10 08:05"


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space])
def test_enter_or_space_marks_the_selected_item_collected(qtbot, db_path, store, add_patient, window, key):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    table = window.today.worklist
    select(qtbot, table, row_of(table, "ARI-001", "Soluble BCMA"))
    table.setFocus()
    qtbot.keyClick(table, key)
    assert recording(db_path, "ARI-001", "D+14", "sbcma")[0] == DONE
    # the item marked stays selected: a second Enter does not record the next one
    assert [i.row() for i in table.selectionModel().selectedRows()] == [row_of(table, "ARI-001", "Soluble BCMA")]


def test_enter_in_the_patient_filter_does_not_mark_anything(qtbot, db_path, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    table = window.today.worklist
    select(qtbot, table, 0)
    window.today.patient_filter.setFocus()
    assert window.today.patient_filter.hasFocus()
    qtbot.keyClicks(window.today.patient_filter, "ARI")
    qtbot.keyClick(window.today.patient_filter, Qt.Key.Key_Return)
    assert store.db.execute("SELECT count(*) FROM recordings").fetchone()[0] == 0


def test_overdue_items_differ_from_due_ones_in_words_icon_and_colour(qtbot, store, add_patient, window):
    add_patient(store, "ARI-DUE", day0=GUI_TODAY - timedelta(days=14))  # D+14 is today
    add_patient(store, "ARI-LATE", day0=GUI_TODAY - timedelta(days=15))  # D+14 was yesterday, window open
    window.today.update_now()
    table = window.today.worklist
    model = table.model()
    status_column = 3
    due = model.index(row_of(table, "ARI-DUE", "Soluble BCMA", "Day +14"), status_column)
    late = model.index(row_of(table, "ARI-LATE", "Soluble BCMA", "Day +14"), status_column)
    assert (due.data(), late.data()) == ("Due", "Overdue")
    assert due.data(Qt.ItemDataRole.BackgroundRole).color() != late.data(Qt.ItemDataRole.BackgroundRole).color()
    assert not late.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert late.data(Qt.ItemDataRole.DecorationRole).cacheKey() != due.data(Qt.ItemDataRole.DecorationRole).cacheKey()
    assert late.data(Qt.ItemDataRole.FontRole).bold()
    assert "overdue" in window.today.heading.text()


def test_items_whose_window_closed_unrecorded_are_listed_as_missed(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=17))  # D+14 window closed 2 days ago
    window.today.update_now()
    missed = rows(window.today.missed)
    d14 = [r for r in missed if r["Patient"] == "ARI-001" and r["Timepoint"] == "Day +14"]
    assert {r["What"] for r in d14} >= {"Soluble BCMA", "Blood count"}
    assert {r["Status"] for r in d14} == {"Missed"}
    assert window.today.missed_caption.text().startswith(f"Missed, needs a reason: {len(missed)}")
    assert not any(r["Patient"] == "ARI-001" and r["Timepoint"] == "Day +14" for r in rows(window.today.worklist))


def test_giving_the_reason_for_a_missed_item_clears_it(qtbot, db_path, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=17))
    window.today.update_now()
    table = window.today.missed
    before = table.model().rowCount()
    select(qtbot, table, row_of(table, "ARI-001", "Soluble BCMA", "Day +14"))
    qtbot.mouseClick(window.today.missed_reason_button, Qt.MouseButton.LeftButton)
    dialog = window.today.findChild(RecordItemDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.not_obtained.isChecked()
    dialog.not_obtained_reason.setFocus()
    qtbot.keyClicks(dialog.not_obtained_reason, "Patient did not attend")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert table.model().rowCount() == before - 1
    assert recording(db_path, "ARI-001", "D+14", "sbcma") == (NOT_DONE, None, "Patient did not attend", GUI_USER)


def test_not_obtained_without_a_reason_is_refused_beside_the_reason(qtbot, db_path, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    table = window.today.worklist
    select(qtbot, table, row_of(table, "ARI-001", "Soluble BCMA"))
    qtbot.mouseClick(window.today.not_obtained_button, Qt.MouseButton.LeftButton)
    dialog = window.today.findChild(RecordItemDialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.errors.text("not_done_reason") == "An item not done needs a reason."
    assert recording(db_path, "ARI-001", "D+14", "sbcma") is None


def test_ctrl_left_and_right_move_the_worklist_a_day(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=13))  # D+14 is tomorrow
    window.today.update_now()
    window.today.worklist.setFocus()
    qtbot.keyClick(window.today.worklist, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.today.day == GUI_TODAY + timedelta(days=1)
    assert window.today.day_edit.value() == GUI_TODAY + timedelta(days=1)
    assert any(r["Timepoint"] == "Day +14" and r["Status"] == "Due" for r in rows(window.today.worklist))
    qtbot.keyClick(window.today.worklist, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.today.worklist, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert window.today.day == GUI_TODAY - timedelta(days=1)


def test_the_kind_and_patient_filters_narrow_the_worklist(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    add_patient(store, "ARI-002", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    everything = rows(window.today.worklist)
    assert {r["Patient"] for r in everything} == {"ARI-001", "ARI-002"}
    window.today.kind.setCurrentIndex(window.today.kind.findData("sample"))
    samples = rows(window.today.worklist)
    assert samples and len(samples) < len(everything)
    assert all(r["Tube, volume"] for r in samples)
    qtbot.keyClicks(window.today.patient_filter, "002")
    assert {r["Patient"] for r in rows(window.today.worklist)} == {"ARI-002"}


# -- a marking can be trusted: once, undoable, never backdated without asking ---------------------

def _mark_with_enter(qtbot, window, patient="ARI-001", what="Soluble BCMA"):
    table = window.today.worklist
    select(qtbot, table, row_of(table, patient, what))
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    return table


def _recordings(store) -> int:
    return store.db.execute("SELECT count(*) FROM recordings WHERE withdrawn_at IS NULL").fetchone()[0]


def test_enter_twice_records_once_and_says_it_is_already_done(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=28))  # D+28: two marrow aspirates
    window.today.update_now()
    table = _mark_with_enter(qtbot, window, what="BCMA expression")
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert _recordings(store) == 1
    assert "already done at 09:30" in window.statusBar().currentMessage()
    assert not window.today.mark_button.isEnabled()  # nothing left to mark in the selection
    assert window.today.withdraw_button.isEnabled()


def test_ctrl_z_right_after_takes_the_marking_back_and_the_log_keeps_both(qtbot, db_path, store, add_patient,
                                                                          window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    table = _mark_with_enter(qtbot, window)
    assert window.today.undo_action.text() == "Undo: mark collected" and window.today.undo_action.isEnabled()
    qtbot.keyClick(table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert recording(db_path, "ARI-001", "D+14", "sbcma")[0] == DONE  # the row stays, withdrawn
    assert _recordings(store) == 0
    assert rows(table)[row_of(table, "ARI-001", "Soluble BCMA")]["Status"] == "Due"
    actions = [a for a, in store.db.execute("SELECT action FROM change_log WHERE table_name = 'recordings'")]
    assert actions == ["insert", "update"]


def test_not_collected_after_all_later_asks_for_the_reason(qtbot, db_path, store, add_patient, window,
                                                          monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    store.recordings.record("ARI-001", "D+14", "sbcma", done_at=GUI_NOW - timedelta(hours=2))
    store.db.execute("UPDATE recordings SET recorded_at = ?", [(GUI_NOW - timedelta(hours=2)).astimezone(UTC)
                                                               .isoformat(timespec="seconds")])
    # recorded two hours ago: the moment has passed
    window.today.update_now()
    table = window.today.worklist
    select(qtbot, table, row_of(table, "ARI-001", "Soluble BCMA"))
    assert window.today.withdraw_button.isEnabled()
    asked = []
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(
        lambda *args, **kwargs: asked.append(args) or ("tube labelled for another patient", True)))
    qtbot.mouseClick(window.today.withdraw_button, Qt.MouseButton.LeftButton)
    assert asked and _recordings(store) == 0
    reason = store.db.execute("SELECT reason FROM change_log ORDER BY id DESC").fetchone()[0]
    assert reason == "tube labelled for another patient"


def test_enter_on_a_past_day_asks_before_backdating(qtbot, db_path, store, add_patient, window, monkeypatch):
    from ari_desktop.gui.today.today_view import BackdateDialog
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=15))  # D+14 was yesterday
    window.today.set_day(GUI_TODAY - timedelta(days=1))
    asked = []
    monkeypatch.setattr(BackdateDialog, "exec", lambda dialog: asked.append(dialog) or 0)  # Cancel
    _mark_with_enter(qtbot, window)
    assert asked and asked[0].record_button.isDefault() is False
    assert _recordings(store) == 0
    assert "Ctrl+R" in window.statusBar().currentMessage()
    monkeypatch.setattr(BackdateDialog, "exec", lambda dialog: 1)  # Record on that day
    _mark_with_enter(qtbot, window)
    assert recording(db_path, "ARI-001", "D+14", "sbcma")[1].startswith(str(GUI_TODAY - timedelta(days=1)))


@pytest.mark.parametrize(("field", "text", "label"), [("day_edit", "2027-02-30", "day_error"),
                                                      ("collected_at", "25:70", "time_error")])
def test_an_impossible_day_or_time_is_refused_beside_its_field(qtbot, store, add_patient, window, field, text,
                                                               label):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    widget = getattr(window.today, field)
    edit = widget.edit if field == "day_edit" else widget
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    if field == "collected_at":
        _mark_with_enter(qtbot, window)
        assert _recordings(store) == 0
    assert "does not exist" in getattr(window.today, label).text()
    assert window.today.day == GUI_TODAY


def test_ctrl_left_and_right_move_the_day_while_typing_in_the_filter(qtbot, store, add_patient, window):
    window.today.patient_filter.setFocus()
    qtbot.keyClicks(window.today.patient_filter, "ARI")
    qtbot.keyClick(window.today.patient_filter, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert window.today.day == GUI_TODAY + timedelta(days=1)
    qtbot.keyClick(window.today.patient_filter, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    assert window.today.day == GUI_TODAY


def test_the_headings_and_the_missed_count_follow_the_patient_filter(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    add_patient(store, "ARI-002", day0=GUI_TODAY - timedelta(days=17))  # D+14 missed
    window.today.update_now()
    qtbot.keyClicks(window.today.patient_filter, "001")
    shown = rows(window.today.worklist)
    assert f": {len(shown)} items to do" in window.today.heading.text()
    missed = rows(window.today.missed)
    assert {r["Patient"] for r in missed} == {"ARI-001"}
    everyone = len(store.schedules.missed(GUI_TODAY))
    assert len(missed) < everyone
    assert window.today.missed_caption.text().startswith(f"Missed, needs a reason: {len(missed)} ")


def test_the_printed_worklist_is_what_today_shows(qtbot, store, add_patient, window):
    from pypdf import PdfReader
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    add_patient(store, "ARI-002", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    window.today.kind.setCurrentIndex(window.today.kind.findData("sample"))
    qtbot.keyClicks(window.today.patient_filter, "002")
    dialog = window.print_worklist()
    text = " ".join(page.extract_text() for page in PdfReader(dialog.pdf_path).pages)
    assert "ARI-002" in text and "ARI-001" not in text
    assert "Window closes" in " ".join(text.split())
    dialog.close()


def test_the_worklist_says_which_sample_is_a_marrow_aspirate(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=28))
    window.today.update_now()
    table = window.today.worklist
    assert rows(table)[row_of(table, "ARI-001", "BCMA expression")]["Specimen"] == "Bone marrow aspirate"
    assert rows(table)[row_of(table, "ARI-001", "CAR-T persistence")]["Specimen"] == "Peripheral blood"
