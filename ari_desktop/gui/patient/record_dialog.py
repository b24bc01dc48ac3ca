"""Record one item collected / done at a time, or not obtained with a reason (ui/record_item.ui).

An infusion given is recorded with the dose given (x10^6 CAR+ cells/kg) and the patient's weight
(kg), typed in plain text fields read the same in every locale ("72.5" or "72,5"); the store's
go / hold gate may refuse the time given, with its sentence beside the time.
An item already recorded is corrected: the dialog asks for the reason, and the change log keeps
the old and the new values.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.gate import DoseGiven
from ...core.schedule import NOT_DONE, ScheduleEntry
from ...core.text import parse_decimal
from ..common.field_errors import FieldErrors
from ..common.forms import child, load_form
from ..common.models import recording_text, volume_text
from ..common.qt_dates import from_qdatetime, to_qdatetime
from ..common.session import Session


class RecordItemDialog(QDialog):
    def __init__(self, session: Session, entry: ScheduleEntry, not_obtained: bool = False, parent=None):
        super().__init__(parent)
        load_form("record_item.ui", self)
        self.session = session
        self.entry = entry
        self.saved: ScheduleEntry | None = None
        self.collected = child(self, QRadioButton, "collected")
        self.done_at = child(self, QDateTimeEdit, "doneAt")
        self.not_obtained = child(self, QRadioButton, "notObtained")
        self.not_obtained_reason = child(self, QComboBox, "notObtainedReason")
        self.correction_reason = child(self, QLineEdit, "correctionReason")
        self.dose = child(self, QLineEdit, "doseEdit")
        self.weight = child(self, QLineEdit, "weightEdit")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "done_at": (child(self, QLabel, "doneAtError"), self.done_at),
            "dose": (child(self, QLabel, "doseError"), self.dose),
            "weight": (child(self, QLabel, "weightError"), self.weight),
            "not_done_reason": (child(self, QLabel, "notObtainedReasonError"), self.not_obtained_reason),
            "correction_reason": (child(self, QLabel, "correctionReasonError"), self.correction_reason),
        })
        self._describe(entry)
        self._prefill(entry, not_obtained)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def is_correction(self) -> bool:
        return self.entry.recording is not None

    @property
    def is_infusion(self) -> bool:
        return self.entry.item.activity == "infusion"

    def _describe(self, entry: ScheduleEntry) -> None:
        item = entry.item
        activity = self.session.store.protocol.activity(item.activity)
        sample_word = "collected" if item.kind == "sample" else "done"
        self.setWindowTitle(f"{'Correct' if self.is_correction else 'Record'}: {entry.study_id}, {item.label}")
        child(self, QLabel, "patientText").setText(entry.study_id)
        window = f"window {item.window_start} to {item.window_end}" if item.window_start != item.window_end \
            else "exact day"
        child(self, QLabel, "itemText").setText(
            f"{item.label}\n{item.timepoint_label} ({item.timepoint}), target {item.target_date}, {window}")
        if activity.tube:
            sample = f"{activity.sample}: {activity.tube}, {volume_text(activity.volume_ml)}, to {activity.lab}"
        else:
            sample = activity.lab or "Not a sample"
        child(self, QLabel, "sampleText").setText(sample)
        self.collected.setText(f"&{sample_word.capitalize()} at")
        current = child(self, QLabel, "currentText")
        if self.is_correction:
            rec = entry.recording
            current.setText(f"{recording_text(entry)}, recorded by {rec.recorded_by} "
                            f"on {rec.recorded_at:%Y-%m-%d %H:%M}")
            self.ok_button.setText("Save correction")
        else:
            current.setText("Nothing yet")
            self.ok_button.setText("Save")
        for name in ("doseCaption", "doseEdit", "doseError", "weightCaption", "weightEdit", "weightError"):
            child(self, QWidget, name).setVisible(self.is_infusion)
        child(self, QLabel, "correctionCaption").setVisible(self.is_correction)
        self.correction_reason.setVisible(self.is_correction)
        child(self, QLabel, "correctionReasonError").setVisible(self.is_correction)

    def _prefill(self, entry: ScheduleEntry, not_obtained: bool) -> None:
        rec = entry.recording
        self.done_at.setDateTime(to_qdatetime(rec.done_at if rec and rec.done_at else self.session.store.now()))
        if rec and rec.dose_million_cells_per_kg is not None:
            self.dose.setText(f"{rec.dose_million_cells_per_kg:g}")
        if rec and rec.weight_kg is not None:
            self.weight.setText(f"{rec.weight_kg:g}")
        for field in (self.dose, self.weight):
            self.collected.toggled.connect(field.setEnabled)
        if rec and rec.outcome == NOT_DONE:
            self.not_obtained_reason.setCurrentText(rec.reason or "")
        if not_obtained or (rec and rec.outcome == NOT_DONE):
            self.not_obtained.setChecked(True)
            self.not_obtained_reason.setFocus()
        else:
            self.collected.setChecked(True)
            self.done_at.setFocus()

    def accept(self) -> None:
        """Save if the store accepts it; otherwise say why beside the field and write nothing."""
        self.errors.clear()
        done_at = from_qdatetime(self.done_at.dateTime()) if self.collected.isChecked() else None
        reason = self.not_obtained_reason.currentText() if self.not_obtained.isChecked() else None
        correction = self.correction_reason.text() if self.is_correction else None
        item = self.entry.item
        try:
            dose = self.dose_given() if done_at is not None and self.is_infusion else None
            saved = self.session.store.recordings.record(self.entry.study_id, item.timepoint, item.activity,
                                                         done_at=done_at,
                                              not_done_reason=reason, correction_reason=correction, dose=dose,
                                                         expected=self.entry.recording)
        except USER_ERRORS as error:
            self.errors.show(error, self._field_of(error, reason))
            return
        self.saved = saved
        self.session.events.recorded.emit(self.entry.study_id)
        verb = "Corrected" if self.is_correction else "Recorded"
        self.session.say(f"{verb} {item.label} at {item.timepoint_label} for {self.entry.study_id}: "
                         f"{recording_text(saved)}.")
        super().accept()

    def dose_given(self) -> DoseGiven | None:
        """The dose and weight typed; None when both are empty (the store then asks for them)."""
        dose, weight = self.dose.text().strip(), self.weight.text().strip()
        if not dose and not weight:
            return None
        if not dose:
            raise ClinicalInputError("Type the dose given, x10^6 CAR+ cells/kg.", "dose")
        if not weight:
            raise ClinicalInputError("Type the patient's weight, kg.", "weight")
        return DoseGiven(parse_decimal(dose, "The dose", "dose"), parse_decimal(weight, "The weight", "weight"))

    def _field_of(self, error: ClinicalInputError, reason: str | None) -> str | None:
        """The store names both the not-obtained reason and the correction reason 'reason'."""
        if error.field != "reason":
            return error.field
        if reason is not None and not reason.strip():
            return "not_done_reason"
        return "correction_reason" if self.is_correction else "not_done_reason"
