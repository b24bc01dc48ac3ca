"""Go or hold before a fraction (ui/fraction_decision.ui).

Before the fractions at D+3 and D+7 (protocol: infusion.go_decision_before) a physician checks the
patient and records an explicit decision. The dialog shows the fraction, the latest CRS and ICANS
grades with their time and reason, and the decisions already taken for that fraction. Two explicit
buttons, "Go — give the fraction" and "Hold", record the decision at once through
Store.decide_fraction; holding needs a reason, and the store's sentence is shown beside the reason
field when it is missing. There is deliberately no default button: Enter never decides.
Emits `decided(FractionDecision)`.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDateTimeEdit, QDialog, QLabel, QLineEdit, QPushButton, QWidget

from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.schedule import DONE
from ...core.toxicity import Assessment, decision_warnings, fraction_label
from ...store.toxicity import FractionDecision
from ..common.field_errors import FieldErrors
from ..common.forms import child, load_form
from ..common.qt_dates import from_qdatetime, to_qdatetime
from ..common.session import Session
from ..common.statuses import look
from ..toxicity.timeline import grade_box_height, grade_style, reason_words
from .bedside import make_touchable

_BUTTON_STYLE = ("QPushButton {{ background: {background}; color: {text}; border: 2px solid {border};"
                 " border-radius: 6px; font-size: 13pt; font-weight: bold; padding: 6px 18px; }}"
                 " QPushButton:focus {{ border: 3px solid #0b3a82; }}"
                 " QPushButton:disabled {{ color: #9ca3af; background: #f3f4f6; border-color: #d1d5db; }}")
_GO_STYLE = _BUTTON_STYLE.format(background="#e6f4ea", text="#17582b", border="#1e8e3e")
_HOLD_STYLE = _BUTTON_STYLE.format(background="#fff0d4", text="#7a3e00", border="#d97706")
DECISION_HEIGHT = 52


class FractionDecisionDialog(QDialog):
    """Record a physician's go or hold before the fraction at `timepoint` ("D+3" or "D+7")."""

    decided = Signal(object)  # the recorded FractionDecision

    def __init__(self, session: Session, study_id: str, timepoint: str, parent: QWidget | None = None):
        super().__init__(parent)
        load_form("fraction_decision.ui", self)
        self.session = session
        self.patient = session.store.patient(study_id)
        self.timepoint = timepoint
        self.decision: FractionDecision | None = None
        self.reason = child(self, QLineEdit, "reasonEdit")
        self.physician = child(self, QLineEdit, "physicianEdit")
        self.decided_at = child(self, QDateTimeEdit, "decidedAtEdit")
        self.go_button = child(self, QPushButton, "goButton")
        self.hold_button = child(self, QPushButton, "holdButton")
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "reason": (child(self, QLabel, "reasonError"), self.reason),
            "decided_by": (child(self, QLabel, "physicianError"), self.physician),
            "at": (child(self, QLabel, "decidedAtError"), self.decided_at),
        })
        make_touchable(self)
        for button, style in ((self.go_button, _GO_STYLE), (self.hold_button, _HOLD_STYLE)):
            button.setStyleSheet(style)
            button.setMinimumHeight(DECISION_HEIGHT)
        self.physician.setText(session.user)
        self.decided_at.setDateTime(to_qdatetime(session.store.now()))
        self._describe()
        self.go_button.clicked.connect(lambda: self.decide("go"))
        self.hold_button.clicked.connect(lambda: self.decide("hold"))
        child(self, QPushButton, "cancelButton").clicked.connect(self.reject)
        self.reason.setFocus()

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
        entry = next((e for e in store.schedule(p.study_id, self.session.today())
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
        self._show_grades(store.latest_grades().get(p.study_id), deciding=not given)
        self._show_previous(store.decisions(p.study_id))

    def _show_grades(self, latest: Assessment | None, deciding: bool = True) -> None:
        crs, icans = child(self, QLabel, "crsText"), child(self, QLabel, "icansText")
        for label in (crs, icans):
            label.setMinimumHeight(grade_box_height(label, 15, label.font().pointSizeF()))
        assessed, warning = child(self, QLabel, "assessedText"), child(self, QLabel, "warningText")
        warning.setStyleSheet("QLabel { color: #7a3e00; font-weight: bold; }")
        now = self.session.store.now()
        warnings = decision_warnings(latest, now)
        if latest is None:
            for label, scale in ((crs, "CRS"), (icans, "ICANS")):
                label.setStyleSheet(grade_style(None))
                label.setText(f"<span style='font-size:15pt; font-weight:600'>{scale}: no assessment</span>")
            assessed.setText("")
            warning.setText(" ".join(warnings))
            return
        for label, scale, grade in ((crs, "CRS", latest.crs), (icans, "ICANS", latest.icans)):
            label.setStyleSheet(grade_style(grade.grade))
            label.setText(f"<span style='font-size:15pt; font-weight:600'>{scale} grade {grade.grade}</span>"
                          f"<br>— {reason_words(grade)}")
            label.setAccessibleName(f"{scale} grade {grade.grade} — {reason_words(grade)}")
        assessed.setText(f"Assessed {latest.at.astimezone():%a %Y-%m-%d %H:%M} by {latest.assessor} "
                         f"({_ago(now - latest.at)})")
        warning.setText(" ".join(warnings))
        warning.setVisible(bool(warnings) and deciding)

    def _show_previous(self, decisions: list[FractionDecision]) -> None:
        child(self, QLabel, "previousCaption").setText(f"Earlier decisions for {self.timepoint}")
        mine = [d for d in decisions if d.timepoint == self.timepoint]
        text = child(self, QLabel, "previousText")
        if not mine:
            text.setText("None yet")
            return
        text.setText("<br>".join(_decision_words(d) for d in mine))

    # -- deciding --------------------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        """Record go or hold if the store accepts it; otherwise say why beside the field."""
        self.errors.clear()
        physician = self.physician.text().strip()
        try:
            if not physician:
                raise ClinicalInputError("Say which physician takes the decision.", "decided_by")
            recorded = self.session.store.decide_fraction(
                self.patient.study_id, self.timepoint, decision, self.reason.text(), decided_by=physician,
                decided_at=from_qdatetime(self.decided_at.dateTime()))
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.decision = recorded
        self.decided.emit(recorded)
        self.session.events.recorded.emit(self.patient.study_id)
        verb = "Go" if decision == "go" else "Hold"
        self.session.say(f"{verb} recorded for {self.fraction_label()} of {self.patient.study_id} "
                         f"at {self.timepoint}, by {recorded.decided_by}.")
        self.accept()

    def error_text(self, field: str) -> str:
        return self.errors.text(field)


def _decision_words(d: FractionDecision) -> str:
    seen = ""
    if d.crs_grade_seen is not None:
        seen = f" (saw CRS {d.crs_grade_seen}, ICANS {d.icans_grade_seen})"
    colour = "#17582b" if d.decision == "go" else "#7a3e00"
    return (f"{d.decided_at.astimezone():%Y-%m-%d %H:%M} <b style='color:{colour}'>{d.decision.upper()}</b> "
            f"by {_html(d.decided_by)}: {_html(d.reason)}{seen}")


def _ago(elapsed: timedelta) -> str:
    minutes = max(0, int(elapsed.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} days ago"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

