"""Go or hold before a fraction (ui/fraction_decision.ui).

Before the fractions that need a go (protocol: infusion.go_decision_before) a physician checks the
patient and records an explicit decision. The dialog shows the fraction, what is seen at the
decision time (the latest assessment made up to then, its CRS and ICANS grades and age; it follows
the time of the decision when that is changed), the warning when CRS or ICANS is active, the
protocol's go / hold rules, until when a go is valid, and the decisions already taken for that
fraction, each with its signature. The physician is the account signed in (shown, never typed). Two
explicit buttons, "Go — give the fraction" and "Hold", record the decision at once through
store.fractions.decide, then the sign dialog asks for the physician's password to sign it as go or hold
(cancelled: the decision stays recorded and shows "not signed"). Holding needs a reason; with active
toxicity a go is an override and needs one too: the reason turns required, and the store's sentence is
shown beside it when it is missing. There is deliberately no default button: Enter never decides.
Emits `decided(FractionDecision)`.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget

from ...core.errors import USER_ERRORS
from ...core.gate import FractionDecision, Seen, age_text, decision_warnings
from ...core.protocol import Protocol
from ...core.schedule import DONE
from ...core.toxicity import Assessment, fraction_label
from ..common.field_errors import FieldErrors
from ..common.fields import DateTimeField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.session import Session
from ..common.statuses import look
from ..common.widgets import fit_height
from ..signing.sign_dialog import SignDialog, account_words, sign_decision, signature_words
from ..toxicity.timeline import grade_box_height, grade_style, reason_words
from .bedside import make_touchable

_BUTTON_STYLE = ("QPushButton {{ background: {background}; color: {text}; border: 2px solid {border};"
                 " border-radius: 6px; font-size: 13pt; font-weight: bold; padding: 6px 18px; }}"
                 " QPushButton:focus {{ border: 3px solid #0b3a82; }}"
                 " QPushButton:disabled {{ color: #9ca3af; background: #f3f4f6; border-color: #d1d5db; }}")
_GO_STYLE = _BUTTON_STYLE.format(background="#e6f4ea", text="#17582b", border="#1e8e3e")
_HOLD_STYLE = _BUTTON_STYLE.format(background="#fff0d4", text="#7a3e00", border="#d97706")
DECISION_HEIGHT = 52
TABLE = "fraction_decisions"


class FractionDecisionDialog(FormDialog):
    """Record a physician's go or hold before the fraction at `timepoint` ("D+3" or "D+7")."""

    decided = Signal(object)  # the recorded FractionDecision
    discard_question = "Discard this go/hold decision, not recorded?"
    enter_commits = False

    def __init__(self, session: Session, study_id: str, timepoint: str, parent: QWidget | None = None):
        super().__init__(parent)
        load_form("fraction_decision.ui", self)
        self.session = session
        self.patient = session.store.patients.get(study_id)
        self.timepoint = timepoint
        self.decision: FractionDecision | None = None
        self.reason = child(self, QLineEdit, "reasonEdit")
        self.physician = child(self, QLabel, "physicianText")
        self.sign_dialog: SignDialog | None = None  # opened once the decision is recorded
        self.decided_at = child(self, DateTimeField, "decidedAtEdit").describe("time of the decision", "at")
        self.go_button = child(self, QPushButton, "goButton")
        self.hold_button = child(self, QPushButton, "holdButton")
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "reason": (child(self, QLabel, "reasonError"), self.reason),
            "at": (child(self, QLabel, "decidedAtError"), self.decided_at),
        })
        make_touchable(self)
        for button, style in ((self.go_button, _GO_STYLE), (self.hold_button, _HOLD_STYLE)):
            button.setStyleSheet(style)
            button.setMinimumHeight(DECISION_HEIGHT)
        self.physician.setText(f"Decided by {account_words(session.store.accounts.signed_in)}")
        self.decided_at.set_value(session.store.now())
        self.seen: Seen | None = None
        self._describe()
        self.decided_at.textChanged.connect(lambda _: self._show_seen())
        self.go_button.clicked.connect(lambda: self.decide("go"))
        self.hold_button.clicked.connect(lambda: self.decide("hold"))
        child(self, QPushButton, "cancelButton").clicked.connect(self.reject)
        self.reason.setFocus()
        self.form_ready()

    # -- what the physician sees -----------------------------------------------------------------

    def fraction_label(self) -> str:
        """ "Fraction 2 (30 % of the dose)", from the protocol's note for the infusion."""
        return fraction_label(self.session.store.protocol, self.timepoint)

    def _describe(self) -> None:
        p = self.patient
        store = self.session.store
        fraction = self.fraction_label()
        self.setWindowTitle(f"Go or hold: {p.study_id}, {fraction} at {self.timepoint}")
        child(self, QLabel, "patientText").setText(
            f"<b style='font-size:13pt'>{p.study_id}</b>&nbsp; {p.initials}, {p.sex}, born {p.birth_year}")
        entry = next((e for e in store.schedules.of(p.study_id, self.session.today())
                      if e.item.timepoint == self.timepoint and e.item.activity == "infusion"), None)
        where = f"<b style='font-size:13pt'>{fraction}</b> at {self.timepoint}"
        if entry is not None:
            where += f", planned {entry.item.target_date:%a %Y-%m-%d}: {look(entry.status).text.lower()}"
            if entry.item.held:
                where += " (held: may be given late)"
        given = entry is not None and entry.status == DONE and entry.recording and entry.recording.done_at
        if given:
            where += (f"<br><b>Given on {entry.recording.done_at.astimezone():%Y-%m-%d %H:%M}</b>: "
                      "there is nothing left to decide.")
        for button in (self.go_button, self.hold_button):
            button.setEnabled(not given)
        child(self, QLabel, "fractionText").setText(where)
        self.deciding = not given
        child(self, QLabel, "rulesText").setText(rules_text(store.protocol))
        self._show_seen()
        self._show_previous(store.fractions.of(p.study_id))

    def _show_seen(self) -> None:
        """What is seen at the time of the decision as typed, the warnings, whether the reason is
        required, and until when a go taken then is valid."""
        store = self.session.store
        at = self.decided_at.value_or_none()
        if at is None:
            self._not_seen()
            return
        self.seen = store.fractions.seen(self.patient.study_id, at)
        latest = next((a for a in store.assessments.of(self.patient.study_id) if a.id == self.seen.assessment_id), None)
        self._show_grades(latest, self.seen)
        override = bool(self.seen.active) and self.deciding
        child(self, QLabel, "reasonCaption").setText("&Reason (required: a go is an override)" if override
                                                     else "&Reason")
        self.reason.setPlaceholderText("required: why go despite active toxicity, or why hold" if override
                                       else "required to hold, e.g. CRS grade 2 since last night")
        self.reason.setAccessibleDescription("Required" if override else "Required to hold")
        until = at + timedelta(hours=store.protocol.go_valid_hours)
        child(self, QLabel, "validText").setText(
            f"{until:%a %Y-%m-%d %H:%M} ({store.protocol.go_valid_hours} h after the decision at {at:%H:%M}); "
            "void sooner if a later assessment shows active CRS or ICANS before the fraction is given")
        fit_height(self)

    def _not_seen(self) -> None:
        """No time of decision readable yet: nothing is seen, and the go has no validity to show."""
        self.seen = None
        for name, scale in (("crsText", "CRS"), ("icansText", "ICANS")):
            label = child(self, QLabel, name)
            label.setStyleSheet(grade_style(None))
            label.setText(f"<span style='font-size:15pt; font-weight:600'>{scale}: —</span>")
        child(self, QLabel, "assessedText").setText("Type the time of the decision (YYYY-MM-DD HH:MM) to see "
                                                    "the assessment it is taken on.")
        child(self, QLabel, "warningText").hide()
        child(self, QLabel, "validText").setText("")

    def _show_grades(self, latest: Assessment | None, seen: Seen) -> None:
        crs, icans = child(self, QLabel, "crsText"), child(self, QLabel, "icansText")
        for label in (crs, icans):
            label.setMinimumHeight(grade_box_height(label, 15, label.font().pointSizeF()))
        assessed, warning = child(self, QLabel, "assessedText"), child(self, QLabel, "warningText")
        warning.setStyleSheet("QLabel { color: #7a3e00; font-weight: bold; }")
        warnings = decision_warnings(seen, self.session.store.protocol)
        warning.setText(" ".join(warnings))
        warning.setVisible(bool(warnings) and self.deciding)
        if latest is None:
            for label, scale in ((crs, "CRS"), (icans, "ICANS")):
                label.setStyleSheet(grade_style(None))
                label.setText(f"<span style='font-size:15pt; font-weight:600'>{scale}: no assessment</span>")
            assessed.setText("")
            return
        for label, scale, grade in ((crs, "CRS", latest.crs), (icans, "ICANS", latest.icans)):
            label.setStyleSheet(grade_style(grade.grade))
            label.setText(f"<span style='font-size:15pt; font-weight:600'>{scale} grade {grade.grade}</span>"
                          f"<br>— {reason_words(grade)}")
            label.setAccessibleName(f"{scale} grade {grade.grade} — {reason_words(grade)}")
        assessed.setText(f"Assessed {latest.at.astimezone():%a %Y-%m-%d %H:%M} by {latest.assessor} "
                         f"({age_text(seen.age)} the decision time)")

    def _show_previous(self, decisions: list[FractionDecision]) -> None:
        child(self, QLabel, "previousCaption").setText(f"Earlier decisions for {self.timepoint}")
        mine = [d for d in decisions if d.timepoint == self.timepoint]
        text = child(self, QLabel, "previousText")
        if not mine:
            text.setText("None yet")
            return
        signatures = self.session.store.signatures
        text.setText("<br>".join(f"{_decision_words(d)} — <i>{_html(signature_words(signatures.of(TABLE, d.id)))}</i>"
                                 for d in mine))

    # -- deciding --------------------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        """Record go or hold if the store accepts it; otherwise say why beside the field."""
        self.errors.clear()
        try:
            at = self.decided_at.required("Give the time of the decision: YYYY-MM-DD and HH:MM.")
            recorded = self.session.store.fractions.decide(
                self.patient.study_id, self.timepoint, decision, self.reason.text(), decided_at=at)
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.decision = recorded
        self.decided.emit(recorded)
        self.session.events.recorded.emit(self.patient.study_id)
        verb = ("Go (an override of active toxicity)" if recorded.override else "Go") if decision == "go" else "Hold"
        until = recorded.valid_until(self.session.store.protocol)
        valid = f", valid until {until:%Y-%m-%d %H:%M}" if until else ""
        self.session.say(f"{verb} recorded for {self.fraction_label()} of {self.patient.study_id} "
                         f"at {self.timepoint}, by {recorded.decided_by}{valid}.")
        self.accept()
        self.sign_dialog = sign_decision(self.session, self.patient.study_id, recorded, self.parentWidget())

    def error_text(self, field: str) -> str:
        return self.errors.text(field)


def rules_text(protocol: Protocol) -> str:
    """The protocol's go / hold rules, in the clinic's words (from [infusion] in the protocol file)."""
    moves = "moves" if protocol.late_fraction_moves_next else "does not move"
    return (f"Active toxicity: CRS grade ≥ {protocol.active_crs_grade} or ICANS grade ≥ "
            f"{protocol.active_icans_grade} in the last {protocol.active_toxicity_hours} h. "
            f"A go is valid {protocol.go_valid_hours} h. At least {protocol.min_hours_between_fractions} h "
            f"between aliquots, in order. A held fraction may be given up to "
            f"{protocol.held_fraction_max_delay_days} days late; a late fraction {moves} the next one.")


def _decision_words(d: FractionDecision) -> str:
    seen = ""
    if d.crs_grade_seen is not None:
        age = f", assessed {age_text(d.assessment_age_seen)}" if d.assessment_age_seen is not None else ""
        seen = f" (saw CRS {d.crs_grade_seen}, ICANS {d.icans_grade_seen}{age})"
    colour = "#17582b" if d.decision == "go" else "#7a3e00"
    override = " — override of active toxicity" if d.override else ""
    reason = _html(d.reason) if d.reason else "<i>no reason given</i>"
    return (f"{d.decided_at.astimezone():%Y-%m-%d %H:%M} <b style='color:{colour}'>{d.decision.upper()}</b>"
            f"{override} by {_html(d.decided_by)}: {reason}{seen}")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

