"""Record one item collected / done at a time, or not obtained with a reason (ui/record_item.ui).

An infusion given is recorded with the dose given (x10^6 CAR+ cells/kg) and the patient's weight
(kg), typed in plain text fields read the same in every locale ("72.5" or "72,5"); the store's
go / hold gate may refuse the time given, with its sentence beside the time. A time outside the
item's window, or on an earlier day (backdated), is said beside the time as it is typed, before
anything is saved.
An item already recorded is corrected: the dialog asks for the reason, and the change log keeps
the old and the new values.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit, QRadioButton, QWidget

from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.gate import DoseGiven
from ...core.schedule import NOT_DONE, ScheduledItem, ScheduleEntry
from ...i18n import N_, _, ngettext
from ..common.field_errors import WARNING_STYLE, FieldErrors
from ..common.fields import DateTimeField, DecimalField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.models import recording_text, volume_text
from ..common.qt_dates import format_moment
from ..common.session import Session


def time_warning(item: ScheduledItem, done_at: datetime | None, today: date) -> str:
    """What to check about a time done that is allowed but unusual: outside the item's window, or
    typed on a later day than it happened (backdated). "" when there is nothing to say."""
    if done_at is None:
        return ""
    day = done_at.astimezone().date()
    said = []
    if day < item.window_start:
        said.append(_("This is before the window of {timepoint} opened ({date}): it will count as outside its "
                      "window.").format(timepoint=item.timepoint, date=item.window_start))
    elif day > item.window_end:
        said.append(_("This is after the window of {timepoint} closed ({date}): it will count as outside its "
                      "window.").format(timepoint=item.timepoint, date=item.window_end))
    if day < today:
        days = (today - day).days
        said.append(ngettext("Backdated: done {days} day before today.", "Backdated: done {days} days before today.",
                             days).format(days=days))
    return " ".join(said)


class RecordItemDialog(FormDialog):
    discard_question = N_("Discard this recording, not saved?")

    def __init__(self, session: Session, entry: ScheduleEntry, not_obtained: bool = False, parent=None):
        super().__init__(parent)
        load_form("record_item.ui", self)
        self.session = session
        self.entry = entry
        self.saved: ScheduleEntry | None = None
        self.collected = child(self, QRadioButton, "collected")
        self.done_at = child(self, DateTimeField, "doneAt").describe(_("time done"), "done_at")
        self.time_warning = child(self, QLabel, "doneAtWarning")
        self.time_warning.setStyleSheet(WARNING_STYLE)
        self.not_obtained = child(self, QRadioButton, "notObtained")
        self.not_obtained_reason = child(self, QComboBox, "notObtainedReason")
        self.correction_reason = child(self, QLineEdit, "correctionReason")
        self.dose = child(self, DecimalField, "doseEdit").describe(_("The dose"), "dose", "0.9")
        self.weight = child(self, DecimalField, "weightEdit").describe(_("The weight"), "weight", "72.5")
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
        self.done_at.textChanged.connect(lambda _: self.show_time_warning())
        self.collected.toggled.connect(lambda _: self.show_time_warning())
        self.show_time_warning()
        self.form_ready()

    def show_time_warning(self) -> None:
        done_at = self.done_at.value_or_none() if self.collected.isChecked() else None
        self.time_warning.setText(time_warning(self.entry.item, done_at, self.session.today()))
        self.time_warning.setVisible(bool(self.time_warning.text()))

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
        title = _("Correct: {study_id}, {item}") if self.is_correction else _("Record: {study_id}, {item}")
        self.setWindowTitle(title.format(study_id=entry.study_id, item=item.label))
        child(self, QLabel, "patientText").setText(entry.study_id)
        where = (_("{timepoint} ({code}), target {target}, window {start} to {end}")
                 if item.window_start != item.window_end else _("{timepoint} ({code}), target {target}, exact day"))
        child(self, QLabel, "itemText").setText(item.label + "\n" + where.format(
            timepoint=item.timepoint_label, code=item.timepoint, target=item.target_date, start=item.window_start,
            end=item.window_end))
        if activity.tube:
            sample = _("{sample}: {tube}, {volume}, to {lab}").format(
                sample=activity.sample, tube=activity.tube, volume=volume_text(activity.volume_ml),
                lab=activity.lab)
        else:
            sample = activity.lab or _("Not a sample")
        child(self, QLabel, "sampleText").setText(sample)
        self.collected.setText(_("&Collected at") if item.kind == "sample" else _("&Done at"))
        current = child(self, QLabel, "currentText")
        if self.is_correction:
            rec = entry.recording
            current.setText(_("{recording}, recorded by {user} on {time}").format(
                recording=recording_text(entry), user=rec.recorded_by, time=format_moment(rec.recorded_at)))
            self.ok_button.setText(_("Save correction"))
        else:
            current.setText(_("Nothing yet"))
            self.ok_button.setText(_("Save"))
        for name in ("doseCaption", "doseEdit", "doseError", "weightCaption", "weightEdit", "weightError"):
            child(self, QWidget, name).setVisible(self.is_infusion)
        child(self, QLabel, "correctionCaption").setVisible(self.is_correction)
        self.correction_reason.setVisible(self.is_correction)
        child(self, QLabel, "correctionReasonError").setVisible(self.is_correction)

    def _prefill(self, entry: ScheduleEntry, not_obtained: bool) -> None:
        rec = entry.recording
        self.done_at.set_value(rec.done_at if rec and rec.done_at else self.session.store.now())
        if rec:
            self.dose.set_value(rec.dose_million_cells_per_kg)
            self.weight.set_value(rec.weight_kg)
        for field in (self.done_at, self.dose, self.weight):
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
        reason = self.not_obtained_reason.currentText() if self.not_obtained.isChecked() else None
        correction = self.correction_reason.text() if self.is_correction else None
        item = self.entry.item
        try:
            done_at = (self.done_at.required(_("Give the time it was done: YYYY-MM-DD and HH:MM."))
                       if self.collected.isChecked() else None)
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
        said = (_("Corrected {item} at {timepoint} for {study_id}: {recording}.") if self.is_correction
                else _("Recorded {item} at {timepoint} for {study_id}: {recording}."))
        self.session.say(said.format(item=item.label, timepoint=item.timepoint_label, study_id=self.entry.study_id,
                                     recording=recording_text(saved)))
        super().accept()

    def dose_given(self) -> DoseGiven | None:
        """The dose and weight typed; None when both are empty (the store then asks for them)."""
        if self.dose.is_empty() and self.weight.is_empty():
            return None
        return DoseGiven(self.dose.required(_("Type the dose given, x10^6 CAR+ cells/kg.")),
                         self.weight.required(_("Type the patient's weight, kg.")))

    def _field_of(self, error: ClinicalInputError, reason: str | None) -> str | None:
        """The store names both the not-obtained reason and the correction reason 'reason'."""
        if error.field != "reason":
            return error.field
        if reason is not None and not reason.strip():
            return "not_done_reason"
        return "correction_reason" if self.is_correction else "not_done_reason"
