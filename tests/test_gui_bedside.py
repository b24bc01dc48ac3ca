"""Bedside screens: the CRS/ICANS assessment form, the go/hold dialog and the toxicity timeline.

Each test drives the widgets as a physician would (ticks, typed values, Save, Enter, Esc) against a
real temporary database, and checks what the physician would check: the grade and its reason on
screen, what was written to the database, and what was refused with which sentence.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from conftest import GUI_USER, choose_findings, sign_in, with_accounts
from PySide6.QtCore import QEvent, QLocale, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLabel, QLineEdit, QToolTip

from ari_desktop.core import grading, protocol
from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.toxicity import BedsideFindings, Treatments
from ari_desktop.gui.bedside.bedside import (
    CONSCIOUSNESS_WORDS,
    EDEMA_WORDS,
    OXYGEN_WORDS,
    SEIZURE_WORDS,
    TOUCH_HEIGHT,
    BedsideAssessmentDialog,
)
from ari_desktop.gui.bedside.fraction import FractionDecisionDialog
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.patient.record_dialog import RecordItemDialog
from ari_desktop.gui.toxicity.timeline import ToxicityTimeline, grade_colours
from ari_desktop.store import Store

P = protocol.load_default()
TODAY = date(2026, 11, 26)
DAY0 = date(2026, 11, 19)  # today is D+7: the day of fraction 3
NOW = datetime(2026, 11, 26, 15, 0).astimezone()
ALL_ICE = {code: True for code, _, _ in grading.ICE_ITEMS}


def as_account(store, login: str, write, *args, **kwargs):
    """A record written by another account (the store stamps who is signed in); then back to GUI_USER."""
    sign_in(store, login)
    try:
        return write(*args, **kwargs)
    finally:
        sign_in(store, GUI_USER)


def assess_as(store, login: str, *args, **kwargs):
    return as_account(store, login, store.assessments.add, *args, **kwargs)


def decide_as(store, login: str, *args, **kwargs):
    return as_account(store, login, store.fractions.decide, *args, **kwargs)


def at(day: int, hour: int = 8, day0: date = DAY0) -> datetime:
    return datetime.combine(day0 + timedelta(days=day), datetime.min.time()).replace(hour=hour).astimezone()


@pytest.fixture
def store(tmp_path):
    with sign_in(Store(with_accounts(tmp_path / "t.db"), GUI_USER, today=lambda: TODAY, now=lambda: NOW)) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(date(2026, 9, 1), DAY0), P, TODAY))
        yield store


@pytest.fixture
def session(store):
    return Session(store)


@pytest.fixture
def untouched(qtbot, session):
    dialog = BedsideAssessmentDialog(session, "ARI-001")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


@pytest.fixture
def form(untouched):
    """A new assessment whose four lists the physician has chosen: alert, no seizure, no oedema, room air."""
    choose_findings(untouched)
    return untouched


def choose(combo, code: str) -> None:
    combo.setCurrentIndex(combo.findData(code))


def tick(qtbot, box) -> None:
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)


def fever_on_cannula(qtbot, form, flow: float | None = 4.0, ice_ticked: int = 10) -> None:
    form.temperature.set_value(38.6)
    choose(form.oxygen, "nasal-cannula")
    if flow is not None:
        form.flow.set_value(flow)
    for box in list(form.ice_items.values())[:ice_ticked]:
        tick(qtbot, box)


# -- the bedside form: live grades ------------------------------------------------------------


def test_ticking_ice_items_updates_the_running_score_and_the_icans_grade_live(qtbot, form):
    # tick() taps the middle of each row, right of short words such as "Year": the whole row counts.
    form.temperature.set_value(37.0)
    # An ICE nobody has ticked yet is not a score of 0: nothing is graded and nothing can be saved.
    assert form.ice_score_text.text() == "ICE: not yet assessed"
    assert "not graded" in form.icans_text() and not form.save_button.isEnabled()
    form.no_ice.click()  # awake, but none of the ten achieved
    assert form.ice_score_text.text() == "ICE 0/10"
    assert form.icans_text() == "ICANS grade 3 — ICE 0/10"
    boxes = list(form.ice_items.values())
    for box in boxes[:8]:
        tick(qtbot, box)
    assert form.ice_score_text.text() == "ICE 8/10"
    assert form.icans_text() == "ICANS grade 1 — ICE 8/10"
    assert "ICANS grade 1" in form.icans_label.text()
    tick(qtbot, boxes[8])
    tick(qtbot, boxes[9])
    assert form.ice_score_text.text() == "ICE 10/10"
    assert form.icans_text().startswith("ICANS grade 0")
    tick(qtbot, boxes[0])  # untick: orientation to the year missed
    assert form.ice_score_text.text() == "ICE 9/10" and form.icans_text() == "ICANS grade 1 — ICE 9/10"


def test_a_worse_neurological_domain_decides_icans_even_with_a_full_ice(qtbot, form):
    form.temperature.set_value(37.0)
    qtbot.mouseClick(form.all_ice, Qt.MouseButton.LeftButton)
    assert form.ice_score_text.text() == "ICE 10/10"
    choose(form.seizure, "resolved-rapidly")
    assert form.icans_text() == "ICANS grade 3 — seizure that resolved rapidly"
    tick(qtbot, form.motor_weakness)
    assert form.icans_text() == "ICANS grade 4 — deep focal motor weakness"


def test_nasal_cannula_at_6_l_min_is_crs_grade_2_and_at_6_1_l_min_grade_3(qtbot, form):
    fever_on_cannula(qtbot, form, flow=6.0)
    assert form.crs_text() == "CRS grade 2 — low-flow nasal cannula ≤ 6 L/min (6 L/min)"
    assert "CRS grade 2" in form.crs_label.text() and grade_colours(2)[0] in form.crs_label.styleSheet()
    form.flow.set_value(6.1)
    assert form.crs_text() == "CRS grade 3 — nasal cannula above 6 L/min (6.1 L/min), counted as high flow"
    assert "CRS grade 3" in form.crs_label.text() and grade_colours(3)[0] in form.crs_label.styleSheet()
    assert form.save_button.isEnabled()


def test_without_fever_there_is_no_crs_unless_the_fever_was_masked(qtbot, form):
    form.temperature.set_value(37.2)
    form.vasopressors.set_value(1)
    assert form.crs_text().startswith("CRS grade 0 — no fever (37.2 °C)")
    tick(qtbot, form.fever_masked)
    assert form.crs_text() == "CRS grade 3 — one vasopressor; fever masked by treatment (37.2 °C)"


def test_the_flow_can_be_entered_only_once_an_oxygen_device_is_chosen(untouched):
    form = untouched
    assert form.oxygen.currentText() == "— choose —" and not form.flow.isEnabled()
    choose(form.oxygen, "facemask")
    assert form.flow.isEnabled()
    choose(form.oxygen, "none")
    assert not form.flow.isEnabled()


def test_every_code_of_the_grading_core_has_words_of_the_clinic_in_its_list(form):
    assert [form.oxygen.itemData(i) for i in range(form.oxygen.count())] == [None, *grading.OXYGEN_DEVICES]
    assert [form.oxygen.itemText(i) for i in range(form.oxygen.count())] == [
        "— choose —", "None", "Blow-by", "Nasal cannula", "High-flow nasal cannula", "Facemask", "Non-rebreather",
        "Venturi", "CPAP", "BiPAP", "Mechanical ventilation"]
    assert set(OXYGEN_WORDS) == set(grading.OXYGEN_DEVICES)
    assert set(CONSCIOUSNESS_WORDS) == set(grading.CONSCIOUSNESS_LEVELS)
    assert set(SEIZURE_WORDS) == set(grading.SEIZURE_KINDS)
    assert set(EDEMA_WORDS) == set(grading.EDEMA_KINDS)


def test_a_temperature_not_entered_yet_is_not_graded_and_cannot_be_saved(qtbot, form, store):
    assert form.temperature.text() == ""
    assert form.crs_text() == "CRS: not graded — enter the highest temperature to grade CRS"
    assert not form.save_button.isEnabled()
    qtbot.keyClicks(form.temperature, "38.3")  # typed over the dash, as at the bedside
    assert form.temperature.value() == pytest.approx(38.3)
    assert form.crs_text() == "CRS grade 1 — fever 38.3 °C, no hypotension or hypoxia"


# -- the bedside form: refused input ----------------------------------------------------------


def test_a_nasal_cannula_without_its_flow_disables_save_and_says_why_beside_the_flow(qtbot, form, store):
    fever_on_cannula(qtbot, form, flow=None)
    sentence = ("Enter the oxygen flow for the nasal cannula: above 6 L/min counts as high flow and raises the grade.")
    assert form.error_text("flow") == sentence
    assert form.findChild(QLabel, "flowError").isVisible()
    assert not form.save_button.isEnabled()
    assert form.crs_text().startswith("CRS: not graded")
    qtbot.keyClick(form.notes, Qt.Key.Key_Return)  # Enter does not save either
    assert form.isVisible() and form.assessment is None
    assert store.assessments.of("ARI-001") == [] and store.changes.all("assessments") == []
    form.flow.set_value(3.0)
    assert form.error_text("flow") == "" and form.save_button.isEnabled()


def test_an_unarousable_patient_with_ice_points_is_refused_beside_the_ice(qtbot, form, store):
    fever_on_cannula(qtbot, form, ice_ticked=3)
    choose(form.consciousness, "unarousable")
    assert form.error_text("ice").startswith("An unarousable patient cannot score 3 on the ICE")
    assert not form.save_button.isEnabled()
    assert store.assessments.of("ARI-001") == []


def test_cannot_perform_ice_grades_icans_4_and_saves_no_ice_score(qtbot, form, store):
    form.temperature.set_value(37.0)
    tick(qtbot, form.cannot_perform_ice)
    assert form.consciousness.currentData() == "unarousable"
    assert not any(box.isEnabled() for box in form.ice_items.values())
    assert form.ice_score_text.text() == "ICE: cannot be performed"
    assert form.icans_text() == "ICANS grade 4 — cannot perform ICE; unarousable"
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    (saved,) = store.assessments.of("ARI-001")
    assert saved.findings.ice is None and saved.icans.grade == 4


def test_an_assessment_time_in_the_future_is_refused_beside_the_time(qtbot, form, store):
    fever_on_cannula(qtbot, form)
    form.at_edit.set_value(NOW + timedelta(hours=2))
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "is in the future" in form.error_text("at")
    assert form.isVisible() and store.assessments.of("ARI-001") == []


# -- the bedside form: saving -----------------------------------------------------------------


def test_save_stores_the_computed_grades_with_reason_assessor_and_time_and_marks_the_days_tox_done(
        qtbot, form, session, store):
    assert form.assessor.text() == "Assessed by Clara Clínica (clinician)"  # the account signed in, not typed
    fever_on_cannula(qtbot, form, flow=4.0, ice_ticked=8)
    form.doses["tocilizumab_mg"].set_value(560)
    form.notes.setText("paracetamol at 06:00")
    with qtbot.waitSignal(form.saved) as saved_signal, qtbot.waitSignal(session.events.recorded) as recorded:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    (saved,) = store.assessments.of("ARI-001")
    assert saved_signal.args == [saved] and recorded.args == ["ARI-001"]
    assert (saved.crs.grade, saved.crs.reason) == (2, "grade 2: low-flow nasal cannula ≤ 6 L/min (4 L/min)")
    assert (saved.icans.grade, saved.icans.reason) == (1, "grade 1: ICE 8/10")
    assert saved.assessor == GUI_USER and saved.at == NOW and saved.notes == "paracetamol at 06:00"
    assert saved.treatments.tocilizumab_mg == 560
    assert dict(saved.findings.ice_items) == {code: i < 8 for i, (code, _, _) in enumerate(grading.ICE_ITEMS)}
    tox = next(e for e in store.schedules.of("ARI-001", TODAY)
               if e.item.timepoint == "D+7" and e.item.activity == "tox")
    assert tox.status == "done"
    assert form.result() == QDialog.DialogCode.Accepted


def test_enter_saves_and_escape_cancels(qtbot, session, store):
    first = BedsideAssessmentDialog(session, "ARI-001")
    qtbot.addWidget(first)
    first.show()
    choose_findings(first)
    qtbot.keyClicks(first.temperature, "37.1")
    qtbot.keyClick(first.all_ice, Qt.Key.Key_Space)
    qtbot.keyClick(first.notes, Qt.Key.Key_Return)
    assert [(a.crs.grade, a.icans.grade) for a in store.assessments.of("ARI-001")] == [(0, 0)]
    second = BedsideAssessmentDialog(session, "ARI-001")
    qtbot.addWidget(second)
    second.show()
    qtbot.keyClicks(second.temperature, "39.0")
    qtbot.keyClick(second.temperature, Qt.Key.Key_Escape)
    assert second.result() == QDialog.DialogCode.Rejected and len(store.assessments.of("ARI-001")) == 1


def test_the_header_shows_the_study_day_and_the_latest_grades(qtbot, session, store):
    assess_as(store, "physician", "ARI-001", at(6), BedsideFindings(38.4, ice=10))
    dialog = BedsideAssessmentDialog(session, "ARI-001")
    qtbot.addWidget(dialog)
    day_text = dialog.findChild(QLabel, "dayText")
    latest = dialog.findChild(QLabel, "latestText")
    assert day_text.text() == "D+7"
    assert "CRS grade 1, ICANS grade 0" in latest.text() and "physician" in latest.text()
    dialog.at_edit.set_value(at(5))
    assert day_text.text() == "D+5"


def test_the_form_is_filled_in_with_the_keyboard_alone_in_reading_order(qtbot, form):
    qtbot.waitExposed(form)
    form.activateWindow()
    assert form.focusWidget() is form.temperature  # the first thing measured
    seen = []
    for _ in range(9):
        qtbot.keyClick(form.focusWidget(), Qt.Key.Key_Tab)
        seen.append(form.focusWidget().objectName())
    assert seen == ["feverMasked", "hypotension", "vasopressorsEdit", "vasopressin", "oxygenCombo",
                    "ice_orient_year", "ice_orient_month", "ice_orient_city", "ice_orient_hospital"]  # flow is off


def test_every_field_has_its_own_mnemonic_letter(form):
    letters = []
    for widget in form.findChildren(QAbstractButton) + form.findChildren(QLabel):
        text = widget.text().replace("&&", "")
        if "&" not in text or "<" in text or not widget.isVisibleTo(form):  # rich text: "&nbsp;" is no mnemonic
            continue
        if isinstance(widget, QLabel):
            assert widget.buddy() is not None, widget.objectName()  # Alt+letter goes to the field
        letters.append(text[text.index("&") + 1].lower())
    assert len(letters) >= 20 and len(letters) == len(set(letters)), sorted(letters)


@pytest.mark.parametrize("correcting", [False, True])
def test_the_form_fits_a_1366x768_screen_without_cutting_any_words(qtbot, session, store, correcting):
    saved = store.assessments.add("ARI-001", at(6), BedsideFindings(38.9, ice=8)) if correcting else None
    dialog = BedsideAssessmentDialog(session, "ARI-001", correcting=saved)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 1366 and dialog.height() <= 768 - 70  # room for a title bar and a taskbar
    for widget in dialog.findChildren(QAbstractButton):
        if widget.isVisible():
            assert widget.width() >= widget.sizeHint().width(), widget.objectName()


def test_the_targets_are_large_enough_for_a_fingertip(form):
    for widget in (*form.ice_items.values(), form.fever_masked, form.cannot_perform_ice, form.save_button,
                   form.temperature, form.oxygen, form.flow):
        assert widget.minimumHeight() >= TOUCH_HEIGHT, widget.objectName()
    assert form.save_button.isDefault()


# -- the bedside form: correcting -------------------------------------------------------------


def test_a_correction_prefills_needs_a_reason_and_the_change_log_keeps_the_original(qtbot, session, store):
    original = assess_as(store, "physician", "ARI-001", at(6), BedsideFindings.with_ice_items(
        ALL_ICE, temperature_c=38.9, oxygen="nasal-cannula", flow_l_min=4.0))
    dialog = BedsideAssessmentDialog(session, "ARI-001", correcting=original)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.temperature.value() == pytest.approx(38.9) and dialog.oxygen.currentData() == "nasal-cannula"
    assert dialog.flow.value() == pytest.approx(4.0) and dialog.ice_score_text.text() == "ICE 10/10"
    assert dialog.crs_text() == "CRS grade 2 — low-flow nasal cannula ≤ 6 L/min (4 L/min)"
    assert not dialog.at_edit.isEnabled() and dialog.save_button.text() == "Save correction"
    assert dialog.focusWidget() is dialog.correction_reason
    choose(dialog.oxygen, "facemask")
    assert dialog.crs_text() == "CRS grade 3 — facemask"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text("reason") == "A correction needs a reason."
    assert store.assessments.get(original.id).crs.grade == 2 and len(store.changes.all("assessments", original.id)) == 1
    qtbot.keyClicks(dialog.correction_reason, "the device was a facemask")
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert [a.id for a in store.assessments.of("ARI-001")] == [original.id]
    corrected = store.assessments.get(original.id)
    assert corrected.crs.grade == 3 and corrected.assessor == "physician" and corrected.at == original.at
    change = store.changes.all("assessments", original.id)[-1]
    assert change.old["crs_grade"] == 2 and change.old["oxygen"] == "nasal-cannula"
    assert change.new["crs_grade"] == 3 and change.reason == "the device was a facemask"


def test_correcting_a_score_saved_without_its_items_keeps_the_score_until_items_are_ticked(qtbot, session, store):
    original = store.assessments.add("ARI-001", at(6), BedsideFindings(37.0, ice=8))
    dialog = BedsideAssessmentDialog(session, "ARI-001", correcting=original)
    qtbot.addWidget(dialog)
    assert dialog.icans_text() == "ICANS grade 1 — ICE 8/10"
    assert "without the items" in dialog.ice_note.text()
    tick(qtbot, dialog.ice_items["orient_year"])
    assert dialog.ice_score_text.text() == "ICE 1/10" and dialog.icans_text() == "ICANS grade 3 — ICE 1/10"


# -- go / hold before a fraction --------------------------------------------------------------


@pytest.fixture
def fraction(qtbot, session, store):
    assess_as(store, "physician", "ARI-001", at(6, 20),
              BedsideFindings(38.7, oxygen="nasal-cannula", flow_l_min=3.0, ice=10))
    dialog = FractionDecisionDialog(session, "ARI-001", "D+7")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_decision_dialog_shows_the_fraction_and_what_is_seen_at_the_decision_time(fraction):
    shown = {name: fraction.findChild(QLabel, name).text() for name in (
        "fractionText", "crsText", "icansText", "assessedText", "previousText", "warningText", "rulesText",
        "validText", "reasonCaption")}
    assert "Fraction 3 (60 % of the dose)" in shown["fractionText"] and "D+7" in shown["fractionText"]
    assert "CRS grade 2" in shown["crsText"] and "low-flow nasal cannula" in shown["crsText"]
    assert "ICANS grade 0" in shown["icansText"]
    assert "2026-11-25 20:00 by physician (19 h before the decision time)" in shown["assessedText"]
    assert shown["previousText"] == "None yet"
    assert "Active toxicity in the last 24 h (CRS grade 2 at 25 Nov 20:00)" in shown["warningText"]
    assert "a go is an override" in shown["reasonCaption"]  # the reason turns required
    assert "CRS grade ≥ 1 or ICANS grade ≥ 1 in the last 24 h" in shown["rulesText"]
    assert "a late fraction does not move the next one" in shown["rulesText"]
    assert shown["validText"].startswith("Fri 2026-11-27 15:00 (24 h after the decision at 15:00)")
    assert fraction.go_button.text() == "&Go — give the fraction" and fraction.hold_button.text() == "&Hold"
    assert fraction.physician.text() == "Decided by Clara Clínica (clinician)"


def test_a_decision_entered_late_shows_what_was_seen_then_not_the_assessment_made_after(qtbot, fraction):
    fraction.decided_at.set_value(at(6, 9))  # the morning before the feverish evening
    assert "no assessment" in fraction.findChild(QLabel, "crsText").text()
    assert "a go is an override" not in fraction.findChild(QLabel, "reasonCaption").text()
    assert fraction.findChild(QLabel, "validText").text().startswith("Thu 2026-11-26 09:00")


def test_hold_without_a_reason_is_refused_beside_the_reason_and_nothing_is_stored(qtbot, fraction, store):
    qtbot.mouseClick(fraction.hold_button, Qt.MouseButton.LeftButton)
    assert fraction.error_text("reason") == "Holding a fraction needs a reason."
    assert fraction.isVisible() and store.fractions.of("ARI-001") == []
    infusion = next(e for e in store.schedules.of("ARI-001", TODAY)
                    if e.item.timepoint == "D+7" and e.item.activity == "infusion")
    assert not infusion.item.held


def test_hold_with_a_reason_is_stored_and_the_d7_infusion_shows_as_held(qtbot, fraction, session, store):
    qtbot.keyClicks(fraction.reason, "CRS grade 2 on nasal cannula since last night")
    with qtbot.waitSignal(fraction.decided) as decided, qtbot.waitSignal(session.events.recorded):
        qtbot.mouseClick(fraction.hold_button, Qt.MouseButton.LeftButton)
    stored = store.fractions.latest("ARI-001", "D+7")
    assert decided.args == [stored]
    assert (stored.decision, stored.reason, stored.decided_by) == (
        "hold", "CRS grade 2 on nasal cannula since last night", GUI_USER)
    assert stored.decided_at == NOW and (stored.crs_grade_seen, stored.icans_grade_seen) == (2, 0)
    infusion = next(e for e in store.schedules.of("ARI-001", TODAY)
                    if e.item.timepoint == "D+7" and e.item.activity == "infusion")
    assert infusion.item.held and "held" in infusion.item.label
    assert fraction.result() == QDialog.DialogCode.Accepted


def test_a_go_against_active_toxicity_needs_a_reason_beside_the_field_then_is_stored_as_an_override(
        qtbot, fraction, session, store):
    qtbot.mouseClick(fraction.go_button, Qt.MouseButton.LeftButton)
    assert fraction.error_text("reason").startswith("Active toxicity before this go (CRS grade 2 at 25 Nov 20:00)")
    assert fraction.isVisible() and store.fractions.of("ARI-001") == []
    qtbot.keyClicks(fraction.reason, "CRS settling on 2 L, patient keen")
    qtbot.mouseClick(fraction.go_button, Qt.MouseButton.LeftButton)
    stored = store.fractions.latest("ARI-001", "D+7")
    assert (stored.decision, stored.override, stored.reason) == ("go", True, "CRS settling on 2 L, patient keen")
    again = FractionDecisionDialog(session, "ARI-001", "D+7")
    qtbot.addWidget(again)
    previous = again.findChild(QLabel, "previousText").text()
    assert f"GO</b> — override of active toxicity by {GUI_USER}" in previous and "assessed 19 h before" in previous


def test_a_go_without_toxicity_and_without_a_reason_stores_no_reason_and_says_so(qtbot, session, store):
    assess_as(store, "physician", "ARI-001", at(7, 7), BedsideFindings(36.9, ice=10))
    dialog = FractionDecisionDialog(session, "ARI-001", "D+7")
    qtbot.addWidget(dialog)
    assert not dialog.findChild(QLabel, "warningText").isVisibleTo(dialog)
    qtbot.mouseClick(dialog.go_button, Qt.MouseButton.LeftButton)
    stored = store.fractions.latest("ARI-001", "D+7")
    assert (stored.decision, stored.reason, stored.override) == ("go", None, False)
    again = FractionDecisionDialog(session, "ARI-001", "D+7")
    qtbot.addWidget(again)
    assert "<i>no reason given</i>" in again.findChild(QLabel, "previousText").text()


def test_a_fraction_already_given_leaves_nothing_to_decide(qtbot, session, store):
    store.recordings.record("ARI-001", "D0", "infusion", done_at=at(0, 11), dose=DoseGiven(0.3, 70))
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    store.recordings.record("ARI-001", "D+3", "infusion", done_at=at(3, 11), dose=DoseGiven(0.9, 70))
    dialog = FractionDecisionDialog(session, "ARI-001", "D+3")
    qtbot.addWidget(dialog)
    assert not dialog.go_button.isEnabled() and not dialog.hold_button.isEnabled()
    assert "Given on 2026-11-22 11:00" in dialog.findChild(QLabel, "fractionText").text()


def test_enter_never_takes_the_decision(qtbot, fraction, store):
    qtbot.keyClicks(fraction.reason, "fever")
    qtbot.keyClick(fraction.reason, Qt.Key.Key_Return)
    assert store.fractions.of("ARI-001") == [] and not fraction.go_button.isDefault()


# -- the toxicity timeline --------------------------------------------------------------------


@pytest.fixture
def course(store):
    """Fraction 1 given; D+2 fever; D+4 worse then better (two assessments) with tocilizumab; go on D+3."""
    store.recordings.record("ARI-001", "D0", "infusion", done_at=at(0, 10), dose=DoseGiven(0.3, 70))
    assess_as(store, "physician", "ARI-001", at(2), BedsideFindings(38.2, ice=10))
    decide_as(store, "physician", "ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    assess_as(store, "physician", "ARI-001", at(4, 8),
              BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4.0, ice=8), Treatments(tocilizumab_mg=560))
    assess_as(store, "nurse", "ARI-001", at(4, 20), BedsideFindings(38.1, ice=10))
    return store


@pytest.fixture
def timeline(qtbot, session):
    widget = ToxicityTimeline(session)
    qtbot.addWidget(widget)
    widget.resize(1300, 320)
    widget.show()
    return widget


def test_the_timeline_shows_the_worst_grade_of_each_day_in_that_days_cell(course, timeline, tmp_path):
    timeline.show_patient("ARI-001")
    assert timeline.cell(2) == (1, 0)
    assert timeline.cell(4) == (2, 1)  # the worse of the two assessments that day
    assert timeline.cell(3) == (-1, -1) and timeline.cell(5) == (-1, -1)
    assert timeline.marks(4) == "T" and timeline.marks(2) == ""
    strip = timeline.strip("D")
    assert len(strip.columns) == 31 and strip.columns[3].decisions[-1].decision == "go"
    tip = strip.tooltip(4, 1)
    assert "D+4" in tip and "CRS grade 2 — low-flow nasal cannula ≤ 6 L/min (4 L/min)" in tip and "by physician" in tip
    assert "not assessed" in strip.tooltip(3, 1)
    point = strip.cell_rect(4, 2).center().toPoint()  # pointing at the ICANS cell of D+4
    QApplication.sendEvent(strip, QHelpEvent(QEvent.Type.ToolTip, point, strip.mapToGlobal(point)))
    assert "ICANS grade 1 — ICE 8/10" in QToolTip.text()
    path = tmp_path / "timeline.png"
    assert timeline.grab().save(str(path)) and path.stat().st_size > 0
    image = strip.grab().toImage()
    centre = strip.cell_rect(4, 1).center().toPoint()
    assert image.pixelColor(centre + QPoint(8, 8)) == QColor(grade_colours(2)[0])  # beside the printed "2"
    assert image.pixelColor(strip.cell_rect(2, 2).center().toPoint() + QPoint(8, 8)) == QColor(grade_colours(0)[0])


def test_the_summary_line_gives_maximum_grades_onset_duration_and_tocilizumab_total(course, timeline):
    timeline.show_patient("ARI-001")
    summary = timeline.summary()
    assert "Maximum CRS grade 2, maximum ICANS grade 1" in summary
    assert "CRS from D+2 for 3 days" in summary and "ICANS from D+4 for 1 day" in summary
    assert "tocilizumab total 560 mg" in summary


def test_the_summary_line_of_a_course_without_fraction_1_recorded_says_it_is_not_counted(store, timeline):
    store.assessments.add("ARI-001", at(2), BedsideFindings(38.2, ice=10))
    timeline.show_patient("ARI-001")
    assert timeline.summary().startswith("Not infused: infusion not recorded as given (fraction 1 on 2026-11-19)")
    assert timeline.cell(2) == (1, 0)  # the grades are still shown day by day


def test_the_timeline_follows_a_saved_bedside_assessment(qtbot, course, timeline, session):
    timeline.show_patient("ARI-001")
    assert timeline.cell(7) == (-1, -1)
    form = BedsideAssessmentDialog(session, "ARI-001")
    qtbot.addWidget(form)
    choose_findings(form)
    form.temperature.set_value(38.4)
    form.vasopressors.set_value(2)
    qtbot.mouseClick(form.all_ice, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert timeline.cell(7) == (4, 0)


def test_after_a_booster_a_second_strip_counts_from_b0(qtbot, session, store, timeline):
    day0, booster = date(2026, 7, 1), date(2026, 11, 20)
    store.patients.add(check_new_patient("ARI-002", "CD", "M", 1955, Anchors(date(2026, 5, 1), day0, booster),
                                        P, TODAY))
    store.recordings.record("ARI-002", "B0", "infusion", done_at=at(0, 10, day0=booster), dose=DoseGiven(3.0, 70))
    store.assessments.add("ARI-002", at(1, day0=booster), BedsideFindings(38.5, hypotension=True, ice=10))
    timeline.show_patient("ARI-002")
    assert timeline.booster.isVisible() and len(timeline.strip("B").columns) == 15
    assert timeline.cell(1, "B") == (2, 0) and timeline.cell(0, "B") == (-1, -1)
    assert timeline.cell(1, "D") == (-1, -1)
    assert "CRS from B+1 for 1 day" in timeline.summary("B")


def test_a_patient_without_day_0_gets_a_sentence_instead_of_a_chart(qtbot, session, store, timeline):
    store.patients.add(check_new_patient("ARI-003", "EF", "F", 1970, Anchors(date(2026, 11, 20)), P, TODAY))
    timeline.show_patient("ARI-003")
    assert not timeline.first.isVisible() and "no day 0 yet" in timeline.empty.text()


# -- recording an aliquot given: dose and weight --------------------------------------------------


def infusion_dialog(qtbot, session, store, timepoint: str = "D0"):
    entry = next(e for e in store.schedules.of("ARI-001", TODAY)
                 if (e.item.timepoint, e.item.activity) == (timepoint, "infusion"))
    dialog = RecordItemDialog(session, entry)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.done_at.set_value(at(0, 11) if timepoint == "D0" else at(7, 11))
    return dialog


@pytest.mark.parametrize("locale", ["en_US", "es_ES", "ca_ES", "de_DE"])
@pytest.mark.parametrize("dose, weight", [("0.3", "72.5"), ("0,3", "72,5")])
def test_an_infusion_is_recorded_with_the_dose_and_weight_typed_with_a_point_or_a_comma_in_any_locale(
        qtbot, session, store, locale, dose, weight):
    system = QLocale()
    QLocale.setDefault(QLocale(locale))
    try:
        dialog = infusion_dialog(qtbot, session, store)
        assert dialog.dose.isVisible() and dialog.weight.isVisible()
        assert isinstance(dialog.dose, QLineEdit)  # no spin box a mouse wheel could change
        qtbot.keyClicks(dialog.dose, dose)
        qtbot.keyClicks(dialog.weight, weight)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    finally:
        QLocale.setDefault(system)
    recording = dialog.saved.recording
    assert (recording.dose_million_cells_per_kg, recording.weight_kg) == (0.3, 72.5)


def test_an_infusion_without_its_dose_is_refused_beside_the_dose_and_an_implausible_weight_beside_the_weight(
        qtbot, session, store):
    dialog = infusion_dialog(qtbot, session, store)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "recorded given with the dose given" in dialog.errors.text("dose")
    qtbot.keyClicks(dialog.dose, "0.3")
    qtbot.keyClicks(dialog.weight, "7.25")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.text("weight") == "The weight 7.25 kg is outside the plausible range 25–250 kg."
    assert dialog.saved is None and store.db.execute("SELECT count(*) FROM recordings").fetchone() == (0,)


def test_the_gates_sentence_appears_beside_the_time_given_in_the_record_dialog(qtbot, session, store):
    dialog = infusion_dialog(qtbot, session, store, "D+7")
    qtbot.keyClicks(dialog.dose, "1.8")
    qtbot.keyClicks(dialog.weight, "72.5")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.text("done_at") == "The fraction at D+7 cannot be given before the fraction at D0 is given."


def test_a_sample_asks_for_no_dose_or_weight(qtbot, session, store):
    entry = next(e for e in store.schedules.of("ARI-001", TODAY)
                 if (e.item.timepoint, e.item.activity) == ("D0", "sbcma"))
    dialog = RecordItemDialog(session, entry)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.dose.isVisible() and not dialog.weight.isVisible()


def test_an_untouched_form_claims_no_finding_and_cannot_be_saved(qtbot, untouched, store):
    form = untouched
    for combo in (form.oxygen, form.consciousness, form.seizure, form.edema):
        assert combo.currentText() == "— choose —" and combo.currentData() is None
    form.temperature.set_value(37.0)
    form.tick_all_ice()
    assert form.crs_text() == "CRS: not graded — choose the oxygen device (None for room air)"
    assert form.icans_text() == ("ICANS: not graded — choose the level of consciousness, whether there was a seizure "
                                 "and whether there is cerebral oedema")
    assert not form.save_button.isEnabled()
    form.accept()  # refused: each list says what is still to be chosen, beside it
    assert form.error_text("oxygen") == "Choose the oxygen device (None for room air)."
    assert form.error_text("consciousness") == "Choose the level of consciousness."
    assert form.error_text("seizure") == "Choose whether there was a seizure."
    assert form.error_text("edema") == "Choose whether there is cerebral oedema."
    assert store.assessments.of("ARI-001") == [] and form.isVisible()


def test_the_icans_grade_names_only_what_is_still_to_be_chosen(untouched):
    form = untouched
    form.tick_all_ice()
    choose(form.consciousness, "alert")
    choose(form.edema, "none")
    assert form.icans_text() == "ICANS: not graded — choose whether there was a seizure"
    choose(form.seizure, "none")
    assert form.icans_text().startswith("ICANS grade 0 — ICE 10/10")


def test_a_chosen_set_of_findings_is_saved_exactly_as_chosen(qtbot, untouched, store):
    form = untouched
    form.temperature.set_value(38.2)
    choose_findings(form, oxygen="facemask", consciousness="awakens-to-voice", seizure="resolved-rapidly",
                    edema="focal")
    form.tick_all_ice()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    [saved] = store.assessments.of("ARI-001")
    f = saved.findings
    assert (f.oxygen, f.consciousness, f.seizure, f.edema) == ("facemask", "awakens-to-voice", "resolved-rapidly",
                                                               "focal")


def test_cannot_perform_ice_chooses_unarousable(untouched):
    untouched.cannot_perform_ice.setChecked(True)
    assert untouched.consciousness.currentData() == "unarousable"
