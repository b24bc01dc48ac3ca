"""Input a clinician can trust, in the window: what is typed into a dialog form is what the store
keeps, in every locale, or it is refused beside the field with the command line's sentence; nothing
turns under the mouse wheel; Enter never commits a death, off study, a removed date or a moved day
0; closing a form with edits asks first. Each test types into the real widgets."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from conftest import GUI_TODAY, choose_findings, row_counts
from PySide6.QtCore import QLocale, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.gui.bedside.bedside import BedsideAssessmentDialog
from ari_desktop.gui.common.fields import DateField, DecimalField, TimeField
from ari_desktop.gui.common.form_dialog import FormDialog
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.patient.date_dialogs import MoveDateDialog, OffStudyDialog
from ari_desktop.gui.patient.record_dialog import RecordItemDialog
from ari_desktop.gui.patients.register_dialog import RegisterPatientDialog
from ari_desktop.gui.toxicity.count_dialog import BloodCountDialog
from ari_desktop.gui.toxicity.event_dialog import ToxicityEventDialog

DAY0 = GUI_TODAY - timedelta(days=5)
LOCALES = ["en_US", "es_ES", "ca_ES", "de_DE"]
ASK_FOR_REAL = FormDialog.ask_discard  # before the test set-up answers the question for every form


@pytest.fixture(params=LOCALES)
def locale(request):
    """The user's locale, as QLocale reads it from LANG."""
    before = QLocale()
    QLocale.setDefault(QLocale(request.param))
    yield request.param
    QLocale.setDefault(before)


@pytest.fixture
def session(store, add_patient):
    add_patient(store, "ARI-001", day0=DAY0)
    return Session(store)


def shown(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def retype(qtbot, field, text: str) -> None:
    """Select what the field shows and type over it, as a person does."""
    edit = field.edit if isinstance(field, DateField) else field
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def entry_of(store, timepoint: str, activity: str):
    return next(e for e in store.schedules.of("ARI-001", GUI_TODAY)
                if (e.item.timepoint, e.item.activity) == (timepoint, activity))


# -- decimals: the same number in every locale --------------------------------------------------


@pytest.mark.parametrize("separator", [".", ","])
def test_a_temperature_flow_and_dose_typed_with_a_point_or_a_comma_are_stored_as_typed_in_any_locale(
        qtbot, session, store, locale, separator):
    form = shown(qtbot, BedsideAssessmentDialog(session, "ARI-001"))
    qtbot.keyClicks(form.temperature, f"38{separator}6")
    choose_findings(form, oxygen="nasal-cannula")
    qtbot.keyClicks(form.flow, f"6{separator}5")
    qtbot.keyClicks(form.doses["dexamethasone_mg"], f"10{separator}5")
    qtbot.mouseClick(form.all_ice, Qt.MouseButton.LeftButton)
    assert form.crs_text() == "CRS grade 3 — nasal cannula above 6 L/min (6.5 L/min), counted as high flow"
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)

    (saved,) = store.assessments.of("ARI-001")
    assert (saved.findings.temperature_c, saved.findings.flow_l_min) == (38.6, 6.5)
    assert saved.treatments.dexamethasone_mg == 10.5 and saved.treatments.tocilizumab_mg == 0.0
    assert saved.crs.grade == 3


def test_a_decimal_is_shown_with_the_users_separator_and_reads_back_the_same(qtbot, locale):
    field = DecimalField()
    qtbot.addWidget(field)
    field.describe("Temperature", "temperature", "38.6")
    field.set_value(38.6)
    assert field.text() == ("38,6" if locale != "en_US" else "38.6")
    assert field.value() == 38.6
    field.set_value(123456.7)  # never rounded to six digits
    assert field.value() == 123456.7


@pytest.mark.parametrize("separator", [".", ","])
def test_a_blood_count_typed_in_any_locale_is_stored_as_typed(qtbot, session, store, locale, separator):
    dialog = shown(qtbot, BloodCountDialog(session, "ARI-001"))
    qtbot.keyClicks(dialog.fields["neutrophils"], f"0{separator}4")
    qtbot.keyClicks(dialog.fields["haemoglobin"], f"9{separator}5")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    (saved,) = store.counts.of("ARI-001")
    assert (saved.count.neutrophils, saved.count.platelets, saved.count.haemoglobin) == (0.4, None, 9.5)


def test_a_number_that_cannot_be_read_says_so_beside_it_and_in_the_live_grade(qtbot, session, store):
    form = shown(qtbot, BedsideAssessmentDialog(session, "ARI-001"))
    qtbot.keyClicks(form.temperature, "38.6.1")
    qtbot.mouseClick(form.all_ice, Qt.MouseButton.LeftButton)
    assert form.error_text("temperature") == "Temperature '38.6.1' is not a number: type e.g. 38.6."
    assert form.crs_text() == "CRS: not graded — the temperature typed cannot be read"
    assert not form.save_button.isEnabled()
    qtbot.keyClicks(form.doses["tocilizumab_mg"], "8 mg/kg")
    assert form.error_text("tocilizumab") == "The tocilizumab dose '8 mg/kg' is not a number: type e.g. 8."


def test_a_temperature_of_60_is_refused_beside_it_and_stays_as_typed(qtbot, session, store):
    form = shown(qtbot, BedsideAssessmentDialog(session, "ARI-001"))
    choose_findings(form)
    qtbot.keyClicks(form.temperature, "60")
    qtbot.mouseClick(form.all_ice, Qt.MouseButton.LeftButton)
    assert form.error_text("temperature") == "Temperature 60.0 °C is outside the plausible range 30.0–44.0 °C."
    assert form.temperature.text() == "60" and not form.save_button.isEnabled()  # never reverted silently
    assert store.assessments.of("ARI-001") == []


# -- dates and times: read from the whole text, an impossible one refused -----------------------


def test_a_date_typed_over_a_selected_date_is_the_date_typed(qtbot):
    field = DateField()
    qtbot.addWidget(field)
    field.set_value(date(2026, 3, 1))
    retype(qtbot, field, "2027-03-01")
    assert field.value() == date(2027, 3, 1)


@pytest.mark.parametrize(("name", "shown", "typed", "read"), [
    ("es_ES", "01/03/2026", "10/03/2025", date(2025, 3, 10)),
    ("ca_ES", "01/03/2026", "1/3/2025", date(2025, 3, 1)),
    ("en_GB", "01/03/2026", "2025-03-10", date(2025, 3, 10)),
])
def test_a_date_reads_and_shows_day_first_where_the_locale_writes_the_day_first(qtbot, name, shown, typed, read):
    before = QLocale()
    QLocale.setDefault(QLocale(name))
    try:
        field = DateField()
        qtbot.addWidget(field)
        field.set_value(date(2026, 3, 1))
        assert field.text() == shown and field.edit.placeholderText() == "DD/MM/YYYY"
        retype(qtbot, field, typed)
        assert field.value() == read
        retype(qtbot, field, "31/02/2025")
        assert field.value_or_none() is None  # not the 3rd of March
    finally:
        QLocale.setDefault(before)


def test_a_month_first_locale_reads_only_the_unambiguous_year_first_date(qtbot):
    before = QLocale()
    QLocale.setDefault(QLocale("en_US"))
    try:
        field = DateField()
        qtbot.addWidget(field)
        retype(qtbot, field, "03/10/2025")
        with pytest.raises(ClinicalInputError, match="write it as YYYY-MM-DD"):
            field.value()
    finally:
        QLocale.setDefault(before)


def test_a_time_of_25_70_is_refused_not_carried_over(qtbot):
    field = TimeField()
    qtbot.addWidget(field)
    qtbot.keyClicks(field, "25:70")
    assert field.text() == "25:70" and field.value_or_none() is None


def test_an_impossible_onset_date_is_refused_beside_it_and_nothing_is_written(qtbot, db_path, session, store):
    dialog = shown(qtbot, ToxicityEventDialog(session, "ARI-001", kind="infection"))
    before = row_counts(db_path)
    dialog.grade.setCurrentIndex(dialog.grade.findData(2))
    qtbot.keyClicks(dialog.onset.edit, "2027-02-30")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text("onset") == "The onset date '2027-02-30' does not exist in the calendar."
    assert dialog.isVisible() and store.events.of("ARI-001") == [] and row_counts(db_path) == before


def test_an_impossible_time_done_is_refused_beside_the_time_and_nothing_is_written(qtbot, db_path, session, store):
    dialog = shown(qtbot, RecordItemDialog(session, entry_of(store, "D+3", "sbcma")))
    before = row_counts(db_path)
    retype(qtbot, dialog.done_at.clock, "25:70")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.text("done_at") == "The time done '25:70' does not exist on the clock (00:00 to 23:59)."
    assert dialog.isVisible() and dialog.saved is None and row_counts(db_path) == before


def test_a_time_before_the_window_opened_or_backdated_is_said_beside_the_time_before_saving(qtbot, session, store):
    entry = entry_of(store, "D+7", "sbcma")  # D+7 is in two days: its window has not opened
    dialog = shown(qtbot, RecordItemDialog(session, entry))
    assert dialog.time_warning.text().startswith(f"This is before the window of D+7 opened ({entry.item.window_start})")
    assert dialog.time_warning.isVisible()
    retype(qtbot, dialog.done_at.date, str(entry.item.window_start))
    assert dialog.time_warning.text() == ""
    earlier = entry_of(store, "D+3", "sbcma")
    dialog = shown(qtbot, RecordItemDialog(session, earlier))
    retype(qtbot, dialog.done_at.date, str(GUI_TODAY - timedelta(days=2)))
    assert dialog.time_warning.text() == "Backdated: done 2 days before today."
    assert store.db.execute("SELECT count(*) FROM recordings").fetchone() == (0,)  # said, nothing saved


def test_registration_starts_empty_and_refuses_each_missing_field_beside_it(qtbot, db_path, store):
    dialog = shown(qtbot, RegisterPatientDialog(Session(store)))
    assert dialog.sex.currentData() is None and dialog.birth_year.text() == ""
    assert dialog.screening.text() == "" and dialog.day0.text() == ""
    qtbot.keyClicks(dialog.study_id, "ARI-020")
    qtbot.keyClicks(dialog.initials, "MG")
    before = row_counts(db_path)
    for typed, field, sentence in [
            (lambda: None, "sex", "Say the patient's sex: F or M."),
            (lambda: dialog.sex.setCurrentIndex(dialog.sex.findData("F")), "birth_year",
             "Give the birth year, e.g. 1960."),
            (lambda: qtbot.keyClicks(dialog.birth_year, "1890"), "screening", "Give the screening date: YYYY-MM-DD."),
            (lambda: qtbot.keyClicks(dialog.screening.edit, str(GUI_TODAY)), "birth_year",
             "The birth year 1890 is before 1900.")]:
        typed()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.errors.text(field) == sentence
        assert dialog.isVisible() and row_counts(db_path) == before
    assert dialog.birth_year.text() == "1890"  # refused, never put back to an earlier value
    retype(qtbot, dialog.birth_year, "1961")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    patient = store.patients.get("ARI-020")
    assert (patient.sex, patient.birth_year, patient.anchors.screening, patient.anchors.day0) == (
        "F", 1961, GUI_TODAY, None)


# -- no wheel turns a choice ----------------------------------------------------------------------


def test_the_mouse_wheel_over_an_unfocused_choice_changes_nothing(qtbot, session):
    form = shown(qtbot, BedsideAssessmentDialog(session, "ARI-001"))
    for combo in (form.oxygen, form.consciousness):
        assert not combo.hasFocus()
        before = combo.currentIndex()
        for notch in (-120, -120, -120, 120):
            wheel = QWheelEvent(QPointF(5, 5), QPointF(combo.mapToGlobal(QPoint(5, 5))), QPoint(), QPoint(0, notch),
                                Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
                                False)
            QApplication.sendEvent(combo, wheel)
        assert combo.currentIndex() == before


# -- Enter never commits a death, off study, a removed date, a moved day 0 -----------------------


def press_enter_everywhere(qtbot, dialog, *widgets) -> None:
    for widget in (*widgets, dialog.ok_button):
        widget.setFocus()
        qtbot.keyClick(widget, Qt.Key.Key_Return)
        qtbot.keyClick(widget, Qt.Key.Key_Enter)


def test_enter_records_no_death(qtbot, db_path, session, store):
    dialog = shown(qtbot, MoveDateDialog(session, "ARI-001", "death"))
    assert dialog.new_date.text() == ""  # never today by default
    assert dialog.preview.caption.text() == "Type the date of death (YYYY-MM-DD) to see what will be cancelled."
    before = row_counts(db_path)
    press_enter_everywhere(qtbot, dialog, dialog.new_date.edit)
    retype(qtbot, dialog.new_date, str(GUI_TODAY))
    assert "will be cancelled" in dialog.preview.caption.text()
    press_enter_everywhere(qtbot, dialog, dialog.new_date.edit, dialog.reason)
    assert dialog.isVisible() and row_counts(db_path) == before
    assert store.patients.get("ARI-001").anchors.death is None
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # the explicit button does
    assert store.patients.get("ARI-001").anchors.death == GUI_TODAY


def test_a_death_date_not_typed_is_refused_beside_the_date(qtbot, db_path, session):
    dialog = shown(qtbot, MoveDateDialog(session, "ARI-001", "death"))
    before = row_counts(db_path)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.text("death") == "Type the date of death: YYYY-MM-DD."
    assert row_counts(db_path) == before


def test_enter_takes_nobody_off_study(qtbot, db_path, session, store):
    dialog = shown(qtbot, OffStudyDialog(session, "ARI-001"))
    assert dialog.date.text() == "" and not dialog.removal_reason.isVisible()
    before = row_counts(db_path)
    retype(qtbot, dialog.date, str(GUI_TODAY))
    dialog.reason.setCurrentText("Consent withdrawn")
    press_enter_everywhere(qtbot, dialog, dialog.date.edit, dialog.reason)
    assert dialog.isVisible() and row_counts(db_path) == before
    assert store.patients.get("ARI-001").anchors.off_study is None


def test_enter_does_not_move_day_0_and_the_dialog_says_how_many_items_move(qtbot, db_path, session, store):
    dialog = shown(qtbot, MoveDateDialog(session, "ARI-001", "day0"))
    assert dialog.new_date.value() == DAY0  # the day 0 it has: nothing moves yet
    before = row_counts(db_path)
    retype(qtbot, dialog.new_date, str(DAY0 + timedelta(days=3)))
    moved = dialog.preview.model.rowCount()
    assert moved > 20 and dialog.preview.caption.text().startswith(f"{moved} items will shift")
    press_enter_everywhere(qtbot, dialog, dialog.new_date.edit, dialog.reason)
    assert dialog.isVisible() and row_counts(db_path) == before
    assert store.patients.get("ARI-001").anchors.day0 == DAY0


def test_enter_removes_no_date_and_the_reason_is_asked_once_in_the_dialog(qtbot, db_path, session, store):
    store.patients.update_dates("ARI-001", off_study=GUI_TODAY, off_study_reason="Consent withdrawn")
    dialog = shown(qtbot, OffStudyDialog(session, "ARI-001"))
    assert dialog.removal_reason.isVisible()
    before = row_counts(db_path)
    qtbot.keyClicks(dialog.removal_reason, "entered on the wrong patient")
    dialog.remove_button.setFocus()
    qtbot.keyClick(dialog.remove_button, Qt.Key.Key_Return)
    press_enter_everywhere(qtbot, dialog, dialog.removal_reason)
    assert dialog.isVisible() and row_counts(db_path) == before
    dialog.removal_reason.clear()
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.text("reason") == "Removing the off-study date is a correction: it needs a reason."
    qtbot.keyClicks(dialog.removal_reason, "entered on the wrong patient")
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert store.patients.get("ARI-001").anchors.off_study is None
    assert store.changes.all("patients")[-1].reason == "entered on the wrong patient"


# -- closing a form with edits asks ---------------------------------------------------------------


def test_escape_on_a_half_filled_assessment_asks_and_keeps_it_when_told_to(qtbot, session, discard_asked):
    form = shown(qtbot, BedsideAssessmentDialog(session, "ARI-001"))
    qtbot.keyClicks(form.temperature, "38.6")
    discard_asked.answer = False
    qtbot.keyClick(form.temperature, Qt.Key.Key_Escape)
    assert discard_asked == ["Discard this unsaved assessment?"] and form.isVisible()
    form.close()  # the window's close button asks too
    assert len(discard_asked) == 2 and form.isVisible()
    discard_asked.answer = True
    form.reject()
    assert not form.isVisible() and len(discard_asked) == 3


@pytest.mark.parametrize(("make", "fill"), [
    (lambda session, store: BedsideAssessmentDialog(session, "ARI-001"), lambda form: form.temperature),
    (lambda session, store: RegisterPatientDialog(session), lambda form: form.birth_year),
    (lambda session, store: RecordItemDialog(session, entry_of(store, "D+3", "sbcma")),
     lambda form: form.done_at.clock),
    (lambda session, store: ToxicityEventDialog(session, "ARI-001"), lambda form: form.onset.edit),
    (lambda session, store: BloodCountDialog(session, "ARI-001"), lambda form: form.fields["platelets"]),
    (lambda session, store: MoveDateDialog(session, "ARI-001", "death"), lambda form: form.new_date.edit),
    (lambda session, store: OffStudyDialog(session, "ARI-001"), lambda form: form.date.edit),
], ids=["bedside", "register", "record", "event", "count", "death", "off-study"])
def test_an_untouched_form_closes_at_once_and_a_filled_one_asks(qtbot, session, store, discard_asked, make, fill):
    untouched = shown(qtbot, make(session, store))
    qtbot.keyClick(untouched, Qt.Key.Key_Escape)
    assert not untouched.isVisible() and discard_asked == []
    filled = shown(qtbot, make(session, store))
    edit = fill(filled)
    edit.clear()
    qtbot.keyClicks(edit, "7")
    filled.reject()
    assert discard_asked == [filled.discard_question] and not filled.isVisible()


def test_the_question_is_a_message_box_whose_default_is_to_keep_the_edits(qtbot, session, monkeypatch):
    form = shown(qtbot, BedsideAssessmentDialog(session, "ARI-001"))
    asked = []

    def question(parent, title, text, buttons, default):
        asked.append((text, default))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", question)
    assert ASK_FOR_REAL(form) is False
    assert asked == [("Discard this unsaved assessment?", QMessageBox.StandardButton.Cancel)]


def test_a_time_typed_as_a_datetime_reads_as_local_time(qtbot, session):
    form = shown(qtbot, BedsideAssessmentDialog(session, "ARI-001"))
    retype(qtbot, form.at_edit.date, "2025-03-09")
    retype(qtbot, form.at_edit.clock, "07:05")
    assert form.at_edit.value() == datetime(2025, 3, 9, 7, 5).astimezone()
    assert form.findChild(type(form.crs_label), "dayText").text() == "D+4"
