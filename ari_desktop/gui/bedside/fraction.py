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
from ...i18n import N_, _
from ..common.field_errors import FieldErrors
from ..common.fields import DateTimeField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.qt_dates import format_moment, format_weekday, format_weekday_moment
from ..common.session import Session
from ..common.statuses import look
from ..common.widgets import fit_height
from ..signing.sign_dialog import SignDialog, account_words, sign_decision, signature_words
from ..toxicity.timeline import (
    decision_word,
    grade_box_height,
    grade_heading,
    grade_style,
    patient_words,
    reason_words,
    scale_grade,
)
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
    discard_question = N_("Discard this go/hold decision, not recorded?")
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
        self.decided_at = child(self, DateTimeField, "decidedAtEdit").describe(_("time of the decision"), "at")
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
        self.physician.setText(_("Decided by {account}").format(
            account=account_words(session.store.accounts.signed_in)))
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
        self.setWindowTitle(_("Go or hold: {study_id}, {fraction} at {timepoint}").format(
            study_id=p.study_id, fraction=fraction, timepoint=self.timepoint))
        child(self, QLabel, "patientText").setText(patient_words(p, 13))
        entry = next((e for e in store.schedules.of(p.study_id, self.session.today())
                      if e.item.timepoint == self.timepoint and e.item.activity == "infusion"), None)
        where = _("{fraction} at {timepoint}").format(fraction=f"<b style='font-size:13pt'>{_html(fraction)}</b>",
                                                     timepoint=self.timepoint)
        if entry is not None:
            planned = (_("planned {date}: {status} (held: may be given late)") if entry.item.held else
                       _("planned {date}: {status}"))
            where += ", " + _html(planned.format(date=format_weekday(entry.item.target_date),
                                                 status=_(look(entry.status).text).lower()))
        given = entry is not None and entry.status == DONE and entry.recording and entry.recording.done_at
        if given:
            when = format_moment(entry.recording.done_at)
            where += "<br>" + _("{given_on}: there is nothing left to decide.").format(
                given_on="<b>" + _html(_("Given on {time}").format(time=when)) + "</b>")
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
        child(self, QLabel, "reasonCaption").setText(_("&Reason (required: a go is an override)") if override
                                                     else _("&Reason"))
        self.reason.setPlaceholderText(_("required: why go despite active toxicity, or why hold") if override
                                       else _("required to hold, e.g. CRS grade 2 since last night"))
        self.reason.setAccessibleDescription(_("Required") if override else _("Required to hold"))
        until = at + timedelta(hours=store.protocol.go_valid_hours)
        child(self, QLabel, "validText").setText(_(
            "{until} ({hours} h after the decision at {time}); void sooner if a later assessment shows active CRS or "
            "ICANS before the fraction is given").format(until=format_weekday_moment(until),
                                                         hours=store.protocol.go_valid_hours, time=f"{at:%H:%M}"))
        fit_height(self)

    def _not_seen(self) -> None:
        """No time of decision readable yet: nothing is seen, and the go has no validity to show."""
        self.seen = None
        for name, scale in (("crsText", "CRS"), ("icansText", "ICANS")):
            label = child(self, QLabel, name)
            label.setStyleSheet(grade_style(None))
            label.setText(grade_heading(scale, f"{_(scale)}: —", 15))
        child(self, QLabel, "assessedText").setText(_("Type the time of the decision (YYYY-MM-DD HH:MM) to see "
                                                      "the assessment it is taken on."))
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
                label.setText(grade_heading(scale, _("{scale}: no assessment").format(scale=_(scale)), 15))
            assessed.setText("")
            return
        for label, scale, grade in ((crs, "CRS", latest.crs_shown), (icans, "ICANS", latest.icans_shown)):
            label.setStyleSheet(grade_style(grade.grade))
            label.setText(grade_heading(scale, scale_grade(scale, grade.grade), 15)
                          + f"<br>— {_html(reason_words(grade))}")
            label.setAccessibleName(f"{scale_grade(scale, grade.grade)} — {reason_words(grade)}")
        assessed.setText(_("Assessed {time} by {assessor} ({age} the decision time)").format(
            time=format_weekday_moment(latest.at), assessor=latest.assessor, age=age_text(seen.age)))

    def _show_previous(self, decisions: list[FractionDecision]) -> None:
        child(self, QLabel, "previousCaption").setText(_("Earlier decisions for {timepoint}").format(
            timepoint=self.timepoint))
        mine = [d for d in decisions if d.timepoint == self.timepoint]
        text = child(self, QLabel, "previousText")
        if not mine:
            text.setText(_("None yet"))
            return
        signatures = self.session.store.signatures
        text.setText("<br>".join(f"{_decision_words(d)} — <i>{_html(signature_words(signatures.of(TABLE, d.id)))}</i>"
                                 for d in mine))

    # -- deciding --------------------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        """Record go or hold if the store accepts it; otherwise say why beside the field."""
        self.errors.clear()
        try:
            at = self.decided_at.required(_("Give the time of the decision: YYYY-MM-DD and HH:MM."))
            recorded = self.session.store.fractions.decide(
                self.patient.study_id, self.timepoint, decision, self.reason.text(), decided_at=at)
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.decision = recorded
        self.decided.emit(recorded)
        self.session.events.recorded.emit(self.patient.study_id)
        verb = ((_("Go (an override of active toxicity)") if recorded.override else _("Go")) if decision == "go"
                else _("Hold"))
        until = recorded.valid_until(self.session.store.protocol)
        said = (_("{decision} recorded for {fraction} of {study_id} at {timepoint}, by {user}, valid until {until}.")
                if until else _("{decision} recorded for {fraction} of {study_id} at {timepoint}, by {user}."))
        self.session.say(said.format(decision=verb, fraction=self.fraction_label(), study_id=self.patient.study_id,
                                     timepoint=self.timepoint, user=recorded.decided_by,
                                     until=format_moment(until) if until else ""))
        self.accept()
        self.sign_dialog = sign_decision(self.session, self.patient.study_id, recorded, self.parentWidget())

    def error_text(self, field: str) -> str:
        return self.errors.text(field)


def rules_text(protocol: Protocol) -> str:
    """The protocol's go / hold rules, in the clinic's words (from [infusion] in the protocol file)."""
    late = (_("A held fraction may be given up to {days} days late; a late fraction moves the next one.")
            if protocol.late_fraction_moves_next else
            _("A held fraction may be given up to {days} days late; a late fraction does not move the next one."))
    return " ".join((
        _("Active toxicity: CRS grade ≥ {crs} or ICANS grade ≥ {icans} in the last {hours} h.").format(
            crs=protocol.active_crs_grade, icans=protocol.active_icans_grade, hours=protocol.active_toxicity_hours),
        _("A go is valid {hours} h.").format(hours=protocol.go_valid_hours),
        _("At least {hours} h between aliquots, in order.").format(hours=protocol.min_hours_between_fractions),
        late.format(days=protocol.held_fraction_max_delay_days)))


def _decision_words(d: FractionDecision) -> str:
    seen = ""
    if d.crs_grade_seen is not None:
        seen = " " + _html((_("(saw CRS {crs}, ICANS {icans}, assessed {age})") if d.assessment_age_seen is not None
                            else _("(saw CRS {crs}, ICANS {icans})")).format(
            crs=d.crs_grade_seen, icans=d.icans_grade_seen, age=age_text(d.assessment_age_seen)))
    colour = "#17582b" if d.decision == "go" else "#7a3e00"
    decision = f"<b style='color:{colour}'>{_html(decision_word(d.decision))}</b>"
    reason = _html(d.reason) if d.reason else "<i>" + _html(_("no reason given")) + "</i>"
    said = (_("{time} {decision} — override of active toxicity by {user}: {reason}") if d.override else
            _("{time} {decision} by {user}: {reason}"))
    return said.format(time=format_moment(d.decided_at), decision=decision,
                       user=_html(d.decided_by), reason=reason) + seen


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

