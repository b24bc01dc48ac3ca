"""The result of one item recorded done (ui/result.ui): the fields its activity gives, from the one table
of result fields (core/results.py), each with its unit.

A number is typed as text and read the same in every locale ("0.4" or "0,4"); a choice starts empty
("—", not measured) and stays so until chosen. Only what changed is written; changing a value already
recorded asks for the reason (the store's sentence says so beside the field), and a value changed by
someone else since the form opened is refused with who and when.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QGridLayout, QLabel, QLineEdit, QWidget

from ...core.errors import USER_ERRORS
from ...core.results import ACTIVITY_FIELDS, NUMBER, YES_NO, ResultField, shown
from ...core.schedule import DONE, ScheduleEntry
from ...i18n import N_, _
from ..common.field_errors import FieldErrors
from ..common.fields import DecimalField, guard_wheel
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.qt_dates import format_moment
from ..common.session import Session

NOT_MEASURED = "—"


def gives_result(entry: ScheduleEntry | None) -> bool:
    """Whether the item gives a result the window takes here (once it is recorded done)."""
    return entry is not None and entry.item.activity in ACTIVITY_FIELDS


def takes_result(entry: ScheduleEntry | None) -> bool:
    """Whether the item's result can be typed now: it gives one and is recorded done (the store checks it
    again where the result is written)."""
    return gives_result(entry) and entry.recording is not None and entry.recording.outcome == DONE


def title(field: ResultField) -> str:
    """The field's label (the core's table, marked for the catalog) starting a sentence: "IgG" stays IgG."""
    label = _(field.label)
    return label[:1].upper() + label[1:]


class ResultDialog(FormDialog):
    discard_question = N_("Discard this result, not saved?")

    def __init__(self, session: Session, entry: ScheduleEntry, parent: QWidget | None = None):
        super().__init__(parent)
        load_form("result.ui", self)
        self.session, self.entry = session, entry
        item = entry.item
        self.fields = ACTIVITY_FIELDS[item.activity]
        self.stored = session.store.results.stored(entry.study_id, item.timepoint, item.activity)
        self.setWindowTitle(_("Result: {study_id}, {item} at {timepoint}").format(
            study_id=entry.study_id, item=item.label, timepoint=item.timepoint))
        child(self, QLabel, "patientText").setText(entry.study_id)
        done = entry.recording.done_at.astimezone() if entry.recording and entry.recording.done_at else None
        when = (_("{timepoint} ({code}), taken {time}") if done else
                _("{timepoint} ({code}), not recorded done yet: record it first"))
        child(self, QLabel, "itemText").setText(item.label + "\n" + when.format(
            timepoint=item.timepoint_label, code=item.timepoint, time=format_moment(done) if done else ""))
        child(self, QLabel, "currentText").setText(
            "; ".join(f"{_(f.label)} {shown(f, self.stored[f.name])}" for f in self.fields if f.name in self.stored)
            or _("Nothing yet"))
        self.reason = child(self, QLineEdit, "reasonEdit")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.inputs: dict[str, QWidget] = {}
        errors = {"reason": (child(self, QLabel, "reasonError"), self.reason)}
        grid = child(self, QGridLayout, "values")
        for row, field in enumerate(self.fields):
            widget = self._input(field)
            caption = QLabel(f"{title(field)}:", buddy=widget)
            error = QLabel(wordWrap=True)
            grid.addWidget(caption, 2 * row, 0)
            grid.addWidget(widget, 2 * row, 1)
            grid.addWidget(QLabel(field.unit), 2 * row, 2)
            grid.addWidget(error, 2 * row + 1, 1, 1, 3)
            self.inputs[field.name] = widget
            errors[field.name] = (error, widget)
        self.errors = FieldErrors(child(self, QLabel, "formError"), errors)
        guard_wheel(self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        if self.inputs:
            next(iter(self.inputs.values())).setFocus()
        self.form_ready()

    def _input(self, field: ResultField) -> QWidget:
        value = self.stored.get(field.name)
        if field.kind == NUMBER:
            edit = DecimalField().describe(title(field), field.name, "0.5")
            edit.setObjectName(field.name)
            edit.set_value(value)
            return edit
        combo = QComboBox(objectName=field.name)
        combo.addItem(NOT_MEASURED, None)
        choices = {"yes": _("yes"), "no": _("no")} if field.kind == YES_NO else {c: _(c) for c in field.choices}
        for choice, words in choices.items():
            combo.addItem(words, choice)
        combo.setCurrentIndex(max(combo.findData(value), 0) if value is not None else 0)
        return combo

    def typed(self) -> dict[str, str | None]:
        """What the form holds, field by field, as typed (the store reads and checks it)."""
        return {name: widget.text() if isinstance(widget, QLineEdit) else widget.currentData()
                for name, widget in self.inputs.items()}

    def accept(self) -> None:
        """Save if the store accepts it (it writes only what changed); otherwise its sentence beside the
        field, and nothing written."""
        self.errors.clear()
        item = self.entry.item
        try:
            saved = self.session.store.results.record(self.entry.study_id, item.timepoint, item.activity,
                                                      self.typed(), self.reason.text(), expected=self.stored)
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.session.events.recorded.emit(self.entry.study_id)
        values = "; ".join(f"{_(f.label)} {shown(f, saved.values[f.name])}" for f in self.fields
                           if f.name in saved.values)
        self.session.say(_("Saved the {item} result of {study_id} at {timepoint}: {values}.").format(
            item=item.label, study_id=self.entry.study_id, timepoint=item.timepoint, values=values))
        super().accept()

