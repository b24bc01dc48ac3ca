"""Electronic signatures in the window: the sign dialog, signing an assessment as performed right after
saving it or as reviewed from the patient's toxicity view, a go/hold signed when it is recorded, a
correction that voids a signature, and the roles that may not sign.

Real widgets over a real temporary database holding the test accounts (conftest): the signer types the
password again, as at the bedside.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import GUI_NOW, GUI_TODAY, GUI_USER, TEST_PASSWORD, choose_findings, sign_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit

from ari_desktop.core.accounts import WRONG_LOG_IN
from ari_desktop.core.roles import NotAllowed
from ari_desktop.core.toxicity import BedsideFindings
from ari_desktop.gui.bedside.bedside import BedsideAssessmentDialog
from ari_desktop.gui.bedside.fraction import FractionDecisionDialog
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.signing.sign_dialog import NOT_SIGNED, VOID, SignDialog, when_text

FEVER = BedsideFindings(38.6, ice=10)
NOW_TEXT = f"{GUI_NOW:%Y-%m-%d %H:%M} {GUI_NOW.astimezone():%Z}"


@pytest.fixture
def patient(store, add_patient):
    return add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=7))


def assess_as(store, login: str, findings: BedsideFindings = FEVER):
    """An assessment recorded by another account (the store stamps who is signed in)."""
    sign_in(store, login)
    return store.assessments.add("ARI-001", GUI_NOW - timedelta(hours=1), findings)


def type_password(qtbot, dialog: SignDialog, password: str = TEST_PASSWORD) -> None:
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.password)  # the dialog takes the focus
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter in the password field signs


def shown(dialog: SignDialog, name: str) -> str:
    return dialog.findChild(QLabel, name).text()


def toxicity_of(window, study_id: str = "ARI-001"):
    window.show_patient(study_id)
    return window.patient.toxicity


def signed_cell(toxicity, row: int = 0) -> str:
    model = toxicity.assessments.model()
    column = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())].index("Signed")
    return model.index(row, column).data()


def select_first(qtbot, toxicity) -> None:
    toxicity.assessments.selectRow(0)
    assert toxicity.selected_assessment() is not None


# -- the forms name the account signed in, never a typed name ---------------------------------


def test_the_bedside_form_shows_who_is_signed_in_and_has_no_name_to_type(qtbot, store, patient):
    sign_in(store, "nurse")
    form = BedsideAssessmentDialog(Session(store), "ARI-001")
    qtbot.addWidget(form)
    assert form.assessor.text() == "Assessed by Nuria Enfermera (nurse)"
    assert form.findChild(QLineEdit, "assessorEdit") is None
    choose_findings(form)
    form.temperature.set_value(37.0)
    form.all_ice.click()
    form.accept()
    (saved,) = store.assessments.of("ARI-001")
    assert saved.assessor == "nurse"


def test_the_go_hold_form_shows_the_physician_signed_in_and_has_no_name_to_type(qtbot, store, patient):
    sign_in(store, "physician")
    dialog = FractionDecisionDialog(Session(store), "ARI-001", "D+7")
    qtbot.addWidget(dialog)
    assert dialog.physician.text() == "Decided by Pau Metge (physician)"
    assert dialog.findChild(QLineEdit, "physicianEdit") is None


# -- signing an assessment --------------------------------------------------------------------


def test_save_and_sign_signs_the_new_assessment_as_performed_after_a_wrong_password_is_refused(
        qtbot, store, patient, window):
    form = toxicity_of(window).assess()
    choose_findings(form)
    form.temperature.set_value(38.6)
    form.all_ice.click()
    qtbot.mouseClick(form.save_sign_button, Qt.MouseButton.LeftButton)
    assert form.result() == QDialog.DialogCode.Accepted
    (saved,) = store.assessments.of("ARI-001")
    dialog = form.sign_dialog
    assert dialog.isVisible() and dialog.meaning == "performed" and dialog.row_id == saved.id
    assert "ARI-001" in shown(dialog, "patientText")
    assert shown(dialog, "recordText").startswith(f"Bedside assessment of {NOW_TEXT} by {GUI_USER}: CRS grade 1")
    assert shown(dialog, "meaningText") == "<b>Performed: I assessed the patient, and these are my findings.</b>"
    assert shown(dialog, "signerText") == "Clara Clínica (clinician)"
    assert not dialog.sign_button.isDefault()

    type_password(qtbot, dialog, "not-the-password")
    assert dialog.error_text() == WRONG_LOG_IN and dialog.isVisible() and dialog.password.text() == ""
    assert store.signatures.of("assessments", saved.id) == []
    assert store.accounts.get(GUI_USER).failed_log_ins == 1  # counted as a failed log-in

    type_password(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    ((signature, status),) = store.signatures.of("assessments", saved.id)
    assert (signature.meaning, signature.full_name, status) == ("performed", "Clara Clínica", "valid")
    assert signed_cell(window.patient.toxicity) == f"Clara Clínica, performed, {when_text(signature.signed_at)}"
    assert when_text(signature.signed_at) == NOW_TEXT  # local time, with the zone


def test_a_physician_signs_a_nurses_assessment_as_reviewed_from_the_toxicity_view(qtbot, store, patient, window):
    assess_as(store, "nurse")
    sign_in(store, "physician")
    toxicity = toxicity_of(window)
    assert signed_cell(toxicity) == NOT_SIGNED
    assert not toxicity.sign_button.isEnabled()  # nothing selected yet
    select_first(qtbot, toxicity)
    assert toxicity.sign_button.isEnabled() and "as reviewed" in toxicity.sign_button.toolTip()
    qtbot.mouseClick(toxicity.sign_button, Qt.MouseButton.LeftButton)
    dialog = next(d for d in toxicity.findChildren(SignDialog) if d.isVisible())
    assert dialog.meaning == "reviewed" and shown(dialog, "signerText") == "Pau Metge (physician)"
    type_password(qtbot, dialog)
    assert signed_cell(toxicity) == f"Pau Metge, reviewed, {NOW_TEXT}"
    tip = toxicity.timeline.strip().tooltip(7, 1)
    assert f"Signed: Pau Metge, reviewed, {NOW_TEXT}" in tip


def test_a_correction_voids_the_signature_and_the_view_asks_to_sign_again(qtbot, store, patient, window):
    saved = assess_as(store, "physician")
    store.signatures.sign("assessments", saved.id, "performed", "physician", TEST_PASSWORD)
    store.assessments.correct(saved.id, BedsideFindings(39.1, ice=10), saved.treatments, "the 22:00 reading was 39.1")
    toxicity = toxicity_of(window)
    assert signed_cell(toxicity) == VOID
    select_first(qtbot, toxicity)
    assert toxicity.sign_button.text() == "&Sign again…"
    assert toxicity.sign_button.toolTip().startswith("Signature void — sign again")
    qtbot.mouseClick(toxicity.sign_button, Qt.MouseButton.LeftButton)
    dialog = next(d for d in toxicity.findChildren(SignDialog) if d.isVisible())
    assert dialog.meaning == "performed"  # the assessor signs again
    type_password(qtbot, dialog)
    assert signed_cell(toxicity) == f"Pau Metge, performed, {NOW_TEXT}"
    assert [status for _, status in store.signatures.of("assessments", saved.id)] == ["void", "valid"]


def test_a_role_without_the_right_to_sign_finds_sign_disabled_with_the_reason_and_the_store_refuses(
        qtbot, store, patient, window):
    saved = assess_as(store, "nurse")
    sign_in(store, "datamanager")
    toxicity = toxicity_of(window)
    select_first(qtbot, toxicity)
    assert not toxicity.sign_button.isEnabled() and not toxicity.sign_action.isEnabled()
    assert toxicity.sign_button.toolTip().startswith("You may not sign a bedside assessment as performed or reviewed")
    assert "datamanager (data-manager)" in toxicity.sign_button.toolTip()
    with pytest.raises(NotAllowed):
        store.signatures.sign("assessments", saved.id, "reviewed", "datamanager", TEST_PASSWORD)


# -- signing a go/hold decision ---------------------------------------------------------------


def test_a_go_is_signed_by_the_physician_when_it_is_recorded_and_the_list_shows_it(qtbot, store, patient):
    sign_in(store, "physician")
    session = Session(store)
    dialog = FractionDecisionDialog(session, "ARI-001", "D+7")
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.go_button, Qt.MouseButton.LeftButton)
    sign = dialog.sign_dialog
    assert sign.isVisible() and sign.meaning == "go" and sign.table == "fraction_decisions"
    assert shown(sign, "meaningText") == "<b>Approved go: the fraction may be given.</b>"
    assert shown(sign, "recordText").startswith(f"GO for the fraction at D+7, decided {NOW_TEXT} by physician")
    type_password(qtbot, sign)
    decision = store.fractions.latest("ARI-001", "D+7")
    ((signature, status),) = store.signatures.of("fraction_decisions", decision.id)
    assert (signature.meaning, signature.login, status) == ("go", "physician", "valid")
    again = FractionDecisionDialog(session, "ARI-001", "D+7")
    qtbot.addWidget(again)
    assert f"— <i>Pau Metge, go, {NOW_TEXT}</i>" in again.findChild(QLabel, "previousText").text()


def test_a_hold_whose_signing_is_cancelled_stays_recorded_and_shows_not_signed(qtbot, store, patient):
    session = Session(store)
    dialog = FractionDecisionDialog(session, "ARI-001", "D+7")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.reason, "fever since the night")
    qtbot.mouseClick(dialog.hold_button, Qt.MouseButton.LeftButton)
    assert dialog.sign_dialog.meaning == "hold"
    dialog.sign_dialog.reject()
    decision = store.fractions.latest("ARI-001", "D+7")
    assert decision.decision == "hold" and store.signatures.of("fraction_decisions", decision.id) == []
    again = FractionDecisionDialog(session, "ARI-001", "D+7")
    qtbot.addWidget(again)
    assert f"— <i>{NOT_SIGNED}</i>" in again.findChild(QLabel, "previousText").text()


def test_a_nurse_may_not_sign_a_go_hold_the_sign_button_says_why_and_the_store_refuses(qtbot, store, patient):
    sign_in(store, "physician")
    decision = store.fractions.decide("ARI-001", "D+7", "go", "", decided_at=GUI_NOW)
    sign_in(store, "nurse")
    dialog = SignDialog(Session(store), "ARI-001", "fraction_decisions", decision.id, "go", "the go", None)
    qtbot.addWidget(dialog)
    assert not dialog.sign_button.isEnabled() and not dialog.password.isEnabled()
    assert dialog.sign_button.toolTip().startswith("You may not sign a go/hold decision: nurse (nurse)")
    with pytest.raises(NotAllowed):
        store.signatures.sign("fraction_decisions", decision.id, None, "nurse", TEST_PASSWORD)
    assert store.signatures.of("fraction_decisions", decision.id) == []
