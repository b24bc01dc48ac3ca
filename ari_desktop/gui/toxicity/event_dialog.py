"""Record a toxicity event graded by a physician, or its resolution (ui/toxicity_event.ui).

Tumour lysis, a cytopenia graded clinically, an infection, IEC-HS, hypogammaglobulinaemia, delayed
neurotoxicity (with how it shows) or the cause of death, with its onset, its grade (only the grades
the event's term has are offered) and optionally the day it resolved. A cytopenia seen in the blood
counts is not entered here: it follows the counts (count_dialog.py). An input the store refuses
shows its sentence beside the field at fault, and nothing is written.

Resolution mode (`resolving=event`) shows the event and asks only for the resolution date (and a
reason when it corrects a resolution already recorded); it calls store.events.resolve.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit, QWidget

from ...core.errors import USER_ERRORS
from ...core.toxicity import EVENT_GRADES, EVENT_KINDS, EVENT_LABELS, EVENT_SUBTYPES, ToxicityEvent
from ...i18n import N_, _
from ..common.field_errors import FieldErrors
from ..common.fields import DateField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.session import Session
from .timeline import patient_words

GRADE_WORDS = ("", N_("1 — mild"), N_("2 — moderate"), N_("3 — severe"), N_("4 — life-threatening"),
               N_("5 — death related to it"))


class ToxicityEventDialog(FormDialog):
    """Record a toxicity event of a patient, or (resolving=event) the day it resolved."""

    saved = Signal(object)  # the saved ToxicityEvent
    discard_question = N_("Discard this toxicity event, not saved?")

    def __init__(self, session: Session, study_id: str, parent: QWidget | None = None, *,
                 resolving: ToxicityEvent | None = None, kind: str | None = None):
        super().__init__(parent)
        load_form("toxicity_event.ui", self)
        self.session = session
        self.patient = session.store.patients.get(study_id)
        self.resolving = resolving
        self.event: ToxicityEvent | None = None  # what was saved
        self.kind = child(self, QComboBox, "kindCombo")
        self.onset = child(self, DateField, "onsetEdit").describe(_("onset date"), "onset")
        self.subtype = child(self, QComboBox, "subtypeCombo")
        self.grade = child(self, QComboBox, "gradeCombo")
        self.resolution = child(self, DateField, "resolutionEdit").describe(_("resolution date"), "resolution")
        self.notes = child(self, QLineEdit, "notesEdit")
        self.correction_reason = child(self, QLineEdit, "correctionReason")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "kind": (child(self, QLabel, "kindError"), self.kind),
            "onset": (child(self, QLabel, "onsetError"), self.onset),
            "subtype": (child(self, QLabel, "subtypeError"), self.subtype),
            "grade": (child(self, QLabel, "gradeError"), self.grade),
            "notes": (child(self, QLabel, "notesError"), self.notes),
            "resolution": (child(self, QLabel, "resolutionError"), self.resolution),
            "reason": (child(self, QLabel, "correctionReasonError"), self.correction_reason),
        })
        for code in EVENT_KINDS:
            self.kind.addItem(_(EVENT_LABELS[code]), code)
        self._connect()
        if kind is not None:
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self._kind_chosen()
        self._describe()
        (self.resolution if resolving is not None else self.kind).setFocus()
        self.form_ready()

    # -- building --------------------------------------------------------------------------------

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.kind.currentIndexChanged.connect(lambda _: self._kind_chosen())

    @property
    def save_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _describe(self) -> None:
        p = self.patient
        child(self, QLabel, "patientText").setText(patient_words(p))
        event = self.resolving
        current = child(self, QLabel, "currentText")
        correcting = event is not None and event.resolution is not None
        for name in ("correctionCaption", "correctionReasonError"):
            child(self, QLabel, name).setVisible(correcting)
        self.correction_reason.setVisible(correcting)
        if event is None:
            self.setWindowTitle(_("Record a toxicity event: {study_id}").format(study_id=p.study_id))
            current.hide()
            child(self, QLabel, "currentCaption").hide()
            return
        label = _(event.label)
        self.setWindowTitle(_("Resolution of {event}: {study_id}").format(event=label.lower(), study_id=p.study_id))
        why = event.grade_reason.removeprefix(f"grade {event.grade}: ")
        current.setText((_("{event}, grade {grade} — {reason}; onset {onset}, resolved {resolution}")
                         if event.resolution else _("{event}, grade {grade} — {reason}; onset {onset}, ongoing"))
                        .format(event=label, grade=event.grade, reason=why, onset=event.onset,
                                resolution=event.resolution))
        self.kind.setCurrentIndex(self.kind.findData(event.kind))
        self.onset.set_value(event.onset)
        self.subtype.setCurrentIndex(max(self.subtype.findData(event.subtype), 0))
        self.grade.setCurrentIndex(self.grade.findData(event.grade))
        self.notes.setText(event.notes)
        self.resolution.set_value(event.resolution)
        for widget in (self.kind, self.onset, self.subtype, self.grade, self.notes):
            widget.setEnabled(False)
        self.save_button.setText(_("Save correction") if correcting else _("Save resolution"))

    # -- reactions -------------------------------------------------------------------------------

    def _kind_chosen(self) -> None:
        """Offer the sub-types (or causes) and only the grades the event's term has."""
        kind = self.kind.currentData()
        self.subtype.clear()
        subtypes = EVENT_SUBTYPES.get(kind, {})
        if subtypes:
            self.subtype.addItem(_("— choose —"), None)
        for code, words in subtypes.items():
            self.subtype.addItem(_(words), code)
        self.subtype.setEnabled(bool(subtypes) and self.resolving is None)
        scale, grades = EVENT_GRADES[kind]
        self.grade.clear()
        if len(grades) > 1:
            self.grade.addItem(_("— choose —"), None)
        for number in grades:
            self.grade.addItem(_(GRADE_WORDS[number]), number)
        self.grade.setToolTip(_("The grade, as assessed ({scale}): grades {lowest}–{highest}").format(
            scale=scale, lowest=grades[0], highest=grades[-1]) if len(grades) > 1 else
            _("Always grade {grade} ({scale})").format(grade=grades[0], scale=scale))

    def error_text(self, field: str) -> str:
        return self.errors.text(field)

    # -- saving ----------------------------------------------------------------------------------

    def accept(self) -> None:
        """Save if the store accepts it; otherwise say why beside the field and write nothing."""
        self.errors.clear()
        store = self.session.store
        study_id = self.patient.study_id
        try:
            if self.resolving is not None:
                resolution = self.resolution.required(_("Give the day it resolved: YYYY-MM-DD."))
                saved = store.events.resolve(study_id, self.resolving.id, resolution,
                                            self.correction_reason.text() or None, expected=self.resolving)
            else:
                onset = self.onset.required(_("Give the day it began: YYYY-MM-DD."))
                resolution = self.resolution.value()
                saved = store.events.add(study_id, self.kind.currentData(), onset,
                                        grade=self.grade.currentData(), subtype=self.subtype.currentData(),
                                        resolution=resolution, notes=self.notes.text())
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.event = saved
        self.saved.emit(saved)
        self.session.events.recorded.emit(study_id)
        if self.resolving is not None:
            self.session.say(_("{event} of {study_id} resolved on {date}.").format(
                event=_(saved.label), study_id=study_id, date=saved.resolution))
        else:
            self.session.say(_("Recorded {event} of {study_id}, grade {grade}, onset {onset}.").format(
                event=_(saved.label).lower(), study_id=study_id, grade=saved.grade, onset=saved.onset))
        super().accept()

