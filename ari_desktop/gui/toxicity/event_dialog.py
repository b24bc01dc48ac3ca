"""Record a toxicity event, or its resolution (ui/toxicity_event.ui).

Tumour lysis, a cytopenia, an infection, IEC-HS or hypogammaglobulinaemia, with its onset, its
CTCAE grade and optionally the day it resolved. A neutropenia, thrombocytopenia or anaemia is
graded from its count: the grade is computed live by the grading core (CTCAE v5) and again by the
store on Save; it is never typed when a count is given. An input the store refuses shows its
sentence beside the field at fault, and nothing is written.

Resolution mode (`resolving=event`) shows the event and asks only for the resolution date (and a
reason when it corrects a resolution already recorded); it calls Store.resolve_event.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.toxicity import CYTOPENIA_GRADERS, EVENT_KINDS, EVENT_LABELS, grade_event_count
from ...store.toxicity import ToxicityEvent
from ..common.field_errors import ERROR_PREFIX, FieldErrors
from ..common.forms import child, load_form
from ..common.qt_dates import from_qdate, to_qdate
from ..common.session import Session
from .timeline import grade_style, reason_words


class CountScale:
    """How the count of a cytopenia is asked for: its unit and what it is called."""

    def __init__(self, unit: str, what: str):
        self.unit, self.what = unit, what


_COUNT_WORDS = {
    "neutropenia": CountScale("×10⁹/L neutrophils", "neutrophil count"),
    "thrombocytopenia": CountScale("×10⁹/L platelets", "platelet count"),
    "anaemia": CountScale("g/dL haemoglobin", "haemoglobin"),
}
# The events graded from a count are the domain's (toxicity.CYTOPENIA_GRADERS): words for each.
COUNTED: dict[str, CountScale] = {kind: _COUNT_WORDS[kind] for kind in CYTOPENIA_GRADERS}
GRADE_WORDS = ("", "1 — mild", "2 — moderate", "3 — severe", "4 — life-threatening", "5 — death related to it")
_COUNT_FIELDS = ("value", "anc", "platelets", "haemoglobin", "lln")  # what the core names the count


class ToxicityEventDialog(QDialog):
    """Record a toxicity event of a patient, or (resolving=event) the day it resolved."""

    saved = Signal(object)  # the saved ToxicityEvent

    def __init__(self, session: Session, study_id: str, parent: QWidget | None = None, *,
                 resolving: ToxicityEvent | None = None, kind: str | None = None):
        super().__init__(parent)
        load_form("toxicity_event.ui", self)
        self.session = session
        self.patient = session.store.patient(study_id)
        self.resolving = resolving
        self.event: ToxicityEvent | None = None  # what was saved
        self.computed_words = ""
        self.kind = child(self, QComboBox, "kindCombo")
        self.onset = child(self, QDateEdit, "onsetEdit")
        self.by_count = child(self, QRadioButton, "byCount")
        self.count = child(self, QLineEdit, "countEdit")
        self.count_unit = child(self, QLabel, "countUnit")
        self.computed = child(self, QLabel, "computedGradeText")
        self.by_grade = child(self, QRadioButton, "byGrade")
        self.grade = child(self, QComboBox, "gradeCombo")
        self.resolved = child(self, QCheckBox, "resolvedCheck")
        self.resolution = child(self, QDateEdit, "resolutionEdit")
        self.notes = child(self, QLineEdit, "notesEdit")
        self.correction_reason = child(self, QLineEdit, "correctionReason")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "kind": (child(self, QLabel, "kindError"), self.kind),
            "onset": (child(self, QLabel, "onsetError"), self.onset),
            "value": (child(self, QLabel, "countError"), self.count),
            "grade": (child(self, QLabel, "gradeError"), self.grade),
            "resolution": (child(self, QLabel, "resolutionError"), self.resolution),
            "reason": (child(self, QLabel, "correctionReasonError"), self.correction_reason),
        })
        for code in EVENT_KINDS:
            self.kind.addItem(EVENT_LABELS[code], code)
        for number, words in enumerate(GRADE_WORDS):
            self.grade.addItem(words or "— choose —", number or None)
        today = to_qdate(session.today())
        for edit in (self.onset, self.resolution):
            edit.setMaximumDate(today)  # never in the future; the store checks the rest
            edit.setDate(today)
        self._connect()
        if kind is not None:
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self._describe()
        self._kind_chosen()
        (self.resolution if resolving is not None else self.kind).setFocus()

    # -- building --------------------------------------------------------------------------------

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.kind.currentIndexChanged.connect(lambda _: self._kind_chosen())
        self.by_count.toggled.connect(lambda _: self._way_chosen())
        self.count.textChanged.connect(lambda _: self.update_computed())
        self.count.textEdited.connect(lambda _: self.by_count.setChecked(True))

    @property
    def save_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _describe(self) -> None:
        p = self.patient
        child(self, QLabel, "patientText").setText(f"<b>{p.study_id}</b>&nbsp; {p.initials}, {p.sex}, "
                                                  f"born {p.birth_year}")
        event = self.resolving
        current = child(self, QLabel, "currentText")
        correcting = event is not None and event.resolution is not None
        for name in ("correctionCaption", "correctionReasonError"):
            child(self, QLabel, name).setVisible(correcting)
        self.correction_reason.setVisible(correcting)
        if event is None:
            self.setWindowTitle(f"Record a toxicity event: {p.study_id}")
            current.hide()
            child(self, QLabel, "currentCaption").hide()
            return
        self.setWindowTitle(f"Resolution of {event.label.lower()}: {p.study_id}")
        ended = f"resolved {event.resolution}" if event.resolution else "ongoing"
        why = event.grade_reason.removeprefix(f"grade {event.grade}: ")
        current.setText(f"{event.label}, grade {event.grade} — {why}; onset {event.onset}, {ended}")
        self.kind.setCurrentIndex(self.kind.findData(event.kind))
        self.onset.setDate(to_qdate(event.onset))
        self.grade.setCurrentIndex(event.grade)
        self.by_grade.setChecked(True)
        self.notes.setText(event.notes)
        self.resolved.setChecked(True)
        self.resolution.setDate(to_qdate(event.resolution or self.session.today()))
        for widget in (self.kind, self.onset, self.by_count, self.count, self.by_grade, self.grade, self.resolved,
                       self.notes):
            widget.setEnabled(False)
        self.save_button.setText("Save correction" if correcting else "Save resolution")

    # -- reactions -------------------------------------------------------------------------------

    def _kind_chosen(self) -> None:
        scale = COUNTED.get(self.kind.currentData())
        if self.resolving is None:
            self.by_count.setEnabled(scale is not None)
            self.count.setEnabled(scale is not None)
            (self.by_count if scale is not None else self.by_grade).setChecked(True)  # a count when there is one
        self.count_unit.setText(scale.unit if scale else "")
        self.count.setToolTip(f"The lowest {scale.what} ({scale.unit}): the CTCAE v5 grade is computed from it"
                              if scale else "Only a cytopenia is graded from a count")
        self._way_chosen()

    def _way_chosen(self) -> None:
        if self.resolving is None:
            self.grade.setEnabled(self.by_grade.isChecked())
        self.update_computed()

    def counted(self) -> bool:
        return self.by_count.isEnabled() and self.by_count.isChecked() and self.resolving is None

    def count_value(self) -> float | None:
        """The typed count, or None when empty; a text that is not a number is refused."""
        text = self.count.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            raise ClinicalInputError(f"The count '{self.count.text().strip()}' is not a number: type e.g. 0.4.",
                                     "value") from None

    def update_computed(self) -> None:
        """The grade the count gives, live, in the grade's colours; a refused count says why beside it
        (without taking the focus away from where the user types)."""
        self.errors.clear()
        label = self.computed
        self.computed_words = ""
        if not self.counted():
            label.setVisible(False)
            return
        label.setVisible(True)
        kind = self.kind.currentData()
        scale = COUNTED[kind]
        try:
            value = self.count_value()
            grade = grade_event_count(kind, value) if value is not None else None
        except USER_ERRORS as error:
            beside = self.errors.fields["value"][0]
            beside.setText(ERROR_PREFIX + str(error))
            beside.setToolTip(str(error))
            self._show_computed(None, "Not graded: see the sentence beside the count")
            return
        if grade is None:
            self._show_computed(None, f"Type the {scale.what}: the CTCAE grade is computed from it")
        elif grade.grade == 0:
            self._show_computed(None, f"Grade 0 — {reason_words(grade)}: no event to record")
        else:
            self._show_computed(grade.grade, f"Grade {grade.grade} — {reason_words(grade)}")

    def _show_computed(self, grade: int | None, words: str) -> None:
        self.computed_words = words
        self.computed.setStyleSheet(grade_style(grade))
        head, _, rest = _html(words).partition(" — ")
        self.computed.setText(f"<b>{head}</b> — {rest}" if rest else head)
        self.computed.setAccessibleName(words)

    def computed_text(self) -> str:
        """The computed grade as shown, in plain words ("" when a grade is typed instead)."""
        return self.computed_words

    def error_text(self, field: str) -> str:
        return self.errors.text(field)

    # -- saving ----------------------------------------------------------------------------------

    def accept(self) -> None:
        """Save if the store accepts it; otherwise say why beside the field and write nothing."""
        self.errors.clear()
        store = self.session.store
        study_id = self.patient.study_id
        resolution = from_qdate(self.resolution.date()) if self.resolved.isChecked() else None
        try:
            if self.resolving is not None:
                saved = store.resolve_event(study_id, self.resolving.id, _required(resolution),
                                            self.correction_reason.text() or None)
            else:
                counted = self.counted()
                value = self.count_value() if counted else None
                if counted and value is None:
                    raise ClinicalInputError(f"Type the {COUNTED[self.kind.currentData()].what}, or choose the "
                                             "CTCAE grade instead.", "value")
                saved = store.add_event(study_id, self.kind.currentData(), from_qdate(self.onset.date()),
                                        grade=None if counted else self.grade.currentData(), value=value,
                                        resolution=resolution, notes=self.notes.text())
        except USER_ERRORS as error:
            self.errors.show(error, "value" if error.field in _COUNT_FIELDS else None)
            return
        self.event = saved
        self.saved.emit(saved)
        self.session.events.recorded.emit(study_id)
        if self.resolving is not None:
            self.session.say(f"{saved.label} of {study_id} resolved on {saved.resolution}.")
        else:
            self.session.say(f"Recorded {saved.label.lower()} of {study_id}, grade {saved.grade}, onset {saved.onset}.")
        super().accept()


def _required(resolution: date | None) -> date:
    if resolution is None:
        raise ClinicalInputError("Give the day it resolved.", "resolution")
    return resolution


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
