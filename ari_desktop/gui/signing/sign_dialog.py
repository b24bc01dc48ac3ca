"""Signing a bedside assessment or a go/hold decision (ui/sign.ui), and how signatures read on screen.

The signer is the account signed in; signing asks for its password again (a wrong one is a failed
log-in, counted like any). The store checks the password, the role and the meaning and keeps the hash
of the record as it is now (store.signatures); the window only shows what is signed and the store's
sentence. Enter in the password field signs: typing the password is the deliberate act.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QWidget

from ...core import signatures as rules
from ...core.accounts import Account
from ...core.errors import USER_ERRORS
from ...core.gate import FractionDecision
from ...core.roles import NotAllowed, check_may
from ...core.signatures import Signature
from ...core.toxicity import Assessment
from ...i18n import N_, _
from ..common.forms import child, load_form
from ..common.qt_dates import format_moment
from ..common.session import Session
from ..common.widgets import open_dialog

# What each meaning says the signer vouches for, in the clinic's words.
MEANING_WORDS = {
    rules.PERFORMED: N_("Performed: I assessed the patient, and these are my findings."),
    rules.REVIEWED: N_("Reviewed: I checked this assessment and agree with it."),
    rules.GO: N_("Approved go: the fraction may be given."),
    rules.HOLD: N_("Hold: the fraction is not given now."),
    rules.CONFIRMED: N_("Confirmed: this is my reading of the patient's response at this assessment."),
}
# A meaning (stored as its code) as a signature line names it.
MEANING_NAMES = {rules.PERFORMED: N_("performed"), rules.REVIEWED: N_("reviewed"), rules.GO: N_("go"),
                 rules.HOLD: N_("hold"), rules.CONFIRMED: N_("confirmed")}
# What is signed, by table: the dialog's title and the status bar's sentence.
SIGN_TITLES = {"assessments": N_("Sign the assessment: {study_id}"),
               "fraction_decisions": N_("Sign the go/hold decision: {study_id}"),
               "response_reviews": N_("Sign the response review: {study_id}")}
SIGNED_SAID = {"assessments": N_("Signed the assessment of {study_id} as {meaning}: {name}, {when}."),
               "fraction_decisions": N_("Signed the go/hold decision of {study_id} as {meaning}: {name}, {when}."),
               "response_reviews": N_("Signed the response review of {study_id} as {meaning}: {name}, {when}.")}
# Marked N_(): shown translated with _() (signature_words does).
NOT_SIGNED = N_("not signed")
VOID = N_("void: corrected after signing")
SIGN_AGAIN = N_("signature void — sign again")


def when_text(moment: datetime) -> str:
    """ "2025-03-10 09:30 CET" (10/03/2025 in Spain): local time in the user's locale, with its zone."""
    return f"{format_moment(moment)} {moment.astimezone():%Z}"


def account_words(account: Account | None) -> str:
    """ "Clara Clínica (clinician)": the printed name and the login of the account signed in."""
    return _("nobody signed in") if account is None else f"{account.full_name} ({account.login})"


def signature_words(signed: list[tuple[Signature, str]]) -> str:
    """The valid signatures of a record ("Pau Metge, reviewed, 2025-03-10 09:30 CET"), else whether it
    was signed before a correction voided it, else "not signed"."""
    valid = [s for s, status in signed if status == rules.VALID]
    if valid:
        return "; ".join(f"{s.full_name}, {meaning_name(s.meaning)}, {when_text(s.signed_at)}" for s in valid)
    return _(VOID) if signed else _(NOT_SIGNED)


def meaning_name(meaning: str) -> str:
    return _(MEANING_NAMES[meaning]) if meaning in MEANING_NAMES else meaning


def is_void(signed: list[tuple[Signature, str]]) -> bool:
    """Signed once, and no signature holds for the record as it is now: it is to be signed again."""
    return bool(signed) and all(status == rules.VOID for _, status in signed)


def why_not(session: Session, table: str) -> str | None:
    """Why the account signed in may not sign a record of `table` (core/roles.py's sentence), or None."""
    account = session.store.accounts.signed_in
    if account is None:
        return _("Sign in to sign a record.")
    try:
        check_may(account.roles, rules.action(table), account.login)
    except NotAllowed as error:
        return str(error)
    return None


def assessment_meaning(session: Session, assessment: Assessment) -> str:
    """Who assessed signs as performed; anyone else who may sign, as reviewed."""
    account = session.store.accounts.signed_in
    return rules.PERFORMED if account is not None and account.login == assessment.assessor else rules.REVIEWED


def assessment_words(a: Assessment) -> str:
    return _("Bedside assessment of {when} by {assessor}: CRS grade {crs}, ICANS grade {icans}").format(
        when=when_text(a.at), assessor=a.assessor, crs=a.crs.grade, icans=a.icans.grade)


def decision_words(d: FractionDecision) -> str:
    said = (_("GO for the fraction at {timepoint}, decided {when} by {physician}") if d.decision == rules.GO else
            _("HOLD for the fraction at {timepoint}, decided {when} by {physician}")).format(
        timepoint=d.timepoint, when=when_text(d.decided_at), physician=d.decided_by)
    return f"{said}: {d.reason}" if d.reason else said


class SignDialog(QDialog):
    """Sign one record as `meaning`; emits `signed(Signature)` and closes once the store kept it."""

    signed = Signal(object)

    def __init__(self, session: Session, study_id: str, table: str, row_id: int, meaning: str, record: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        load_form("sign.ui", self)
        self.session = session
        self.study_id, self.table, self.row_id, self.meaning = study_id, table, row_id, meaning
        self.signature: Signature | None = None
        self.account = session.store.accounts.signed_in
        patient = session.store.patients.get(study_id)
        self.setWindowTitle(_(SIGN_TITLES[table]).format(study_id=study_id))
        born = _("born {year}").format(year=patient.birth_year)
        child(self, QLabel, "patientText").setText(
            f"<b style='font-size:13pt'>{patient.study_id}</b>&nbsp; {patient.initials}, {patient.sex}, {born}")
        child(self, QLabel, "recordText").setText(_html(record))
        child(self, QLabel, "meaningText").setText(f"<b>{_html(_(MEANING_WORDS[meaning]))}</b>")
        child(self, QLabel, "signerText").setText(_html(account_words(self.account)))
        self.password = child(self, QLineEdit, "passwordEdit")
        self.error = child(self, QLabel, "passwordError")
        self.error.hide()
        self.sign_button = child(self, QPushButton, "signButton")
        refusal = why_not(session, table)
        self.sign_button.setEnabled(refusal is None)
        self.password.setEnabled(refusal is None)
        if refusal:
            self.sign_button.setToolTip(refusal)
            self._say(refusal)
        self.sign_button.clicked.connect(self.sign)
        self.password.returnPressed.connect(self.sign)
        child(self, QPushButton, "cancelButton").clicked.connect(self.reject)
        self.password.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        """Opened as the form it follows closes: once that form's window has handed the activation back to
        the main window, take it, so that the password typed goes here."""
        super().showEvent(event)
        QTimer.singleShot(0, self, self._take_focus)

    def _take_focus(self) -> None:
        self.raise_()
        self.activateWindow()
        self.password.setFocus()

    def _say(self, sentence: str) -> None:
        self.error.setText(sentence)
        self.error.setVisible(bool(sentence))

    def error_text(self) -> str:
        return self.error.text()

    def sign(self) -> None:
        """Sign if the store accepts the password and the role; otherwise its sentence beside the field."""
        if not self.sign_button.isEnabled():
            return
        try:
            login = self.account.login if self.account else ""
            self.signature = self.session.store.signatures.sign(self.table, self.row_id, self.meaning, login,
                                                                self.password.text())
        except USER_ERRORS as error:
            self.password.clear()
            self._say(str(error))
            self.password.setFocus()
            return
        self.signed.emit(self.signature)
        self.session.events.recorded.emit(self.study_id)
        s = self.signature
        self.session.say(_(SIGNED_SAID[self.table]).format(study_id=self.study_id, meaning=meaning_name(s.meaning),
                                                           name=s.full_name, when=when_text(s.signed_at)))
        self.accept()


def sign_assessment(session: Session, study_id: str, assessment: Assessment, parent: QWidget | None = None,
                    meaning: str | None = None) -> SignDialog:
    """Open the sign dialog for an assessment (meaning: performed by its assessor, else reviewed)."""
    meaning = meaning or assessment_meaning(session, assessment)
    return open_dialog(SignDialog(session, study_id, "assessments", assessment.id, meaning,
                                  assessment_words(assessment), parent))


def sign_decision(session: Session, study_id: str, decision: FractionDecision,
                  parent: QWidget | None = None) -> SignDialog:
    """Open the sign dialog for a go/hold decision: its meaning is the decision."""
    return open_dialog(SignDialog(session, study_id, "fraction_decisions", decision.id, decision.decision,
                                  decision_words(decision), parent))


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
