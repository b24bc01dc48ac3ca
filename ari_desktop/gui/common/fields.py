"""The one widget for each kind of value a clinician types: a number, a date, a time of day, a
date and time. What is typed is what is stored, or it is refused with the command line's sentence.

They are line edits, read from the whole text when the form is saved:
- a decimal reads the same in any locale ("38.6" and "38,6" are both 38.6; a separator is never
  dropped) and is shown with the user's decimal separator;
- a date is YYYY-MM-DD as on the command line, or DD/MM/YYYY where the user's locale writes the day first
  (as the window shows dates there), and a time HH:MM; an impossible one ("2027-02-30", "31/02/2027",
  "25:70") is refused, never carried over into another day;
- the value changes only by typing: a line edit has no arrows, no mouse-wheel steps and no
  "revert to the last valid value".
Ranges are not checked here: the domain core checks them where the record is written, and the
form shows its sentence beside the field.

Forms name these classes in their .ui files; `forms.load_form` registers them with the loader.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from PySide6.QtCore import QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCalendarWidget,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core import dates
from ...core.errors import ClinicalInputError
from ...core.text import parse_decimal, parse_whole_number
from ...i18n import N_, _
from .qt_dates import day_first, format_date, from_qdate, to_qdate


def _refused_as(error: ClinicalInputError, field: str) -> ClinicalInputError:
    """The same sentence, about this form's field (for FieldErrors to show it beside it)."""
    return ClinicalInputError(str(error), field)


class _Reads:
    """What every field offers on top of its own `value()`: the value for a live preview, and the
    value a form cannot be saved without."""

    def value_or_none(self):
        """The value typed, or None when empty or not readable (for live previews, never for saving)."""
        try:
            return self.value()
        except ClinicalInputError:
            return None

    def required(self, sentence: str):
        """The value typed; `sentence` (about this field) when nothing was typed."""
        value = self.value()
        if value is None:
            raise ClinicalInputError(sentence, self.field)
        return value


class TypedField(_Reads, QLineEdit):
    """A line edit that reads one kind of value from its whole text; empty is None."""

    placeholder = ""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.what = "value"  # how the sentence names it ("Temperature", "date of death")
        self.field = ""  # the form's key for the label beside it
        self.setPlaceholderText(_(self.placeholder) if self.placeholder else "")

    def describe(self, what: str, field: str, example: str = "") -> TypedField:
        self.what, self.field = what, field
        if example:
            self.example = example
        return self

    def is_empty(self) -> bool:
        return not self.text().strip()

    def value(self):
        """The value typed, None when empty; ClinicalInputError (about `field`) when it is not one."""
        if self.is_empty():
            return None
        try:
            return self.parse(self.text())
        except ClinicalInputError as error:
            raise _refused_as(error, self.field) from None

    def parse(self, text: str):
        raise NotImplementedError

    def set_value(self, value) -> None:
        self.setText("" if value is None else self.show_value(value))

    def show_value(self, value) -> str:
        raise NotImplementedError


class DecimalField(TypedField):
    """A decimal number; shown with the user's decimal separator."""

    example = "72.5"

    def parse(self, text: str) -> float:
        return parse_decimal(text, self.what, self.field, self.example)

    def show_value(self, value: float) -> str:
        """The shortest text that reads back as the same number (38.6, 560, 0.00001), never rounded."""
        written = format(Decimal(repr(float(value))), "f").removesuffix(".0")
        return written.replace(".", QLocale().decimalPoint())


class WholeNumberField(TypedField):
    """A whole number (a count, a year)."""

    example = "1"

    def parse(self, text: str) -> int:
        return parse_whole_number(text, self.what, self.field, self.example)

    def show_value(self, value: int) -> str:
        return str(value)


class TimeField(TypedField):
    """A time of day, HH:MM on the 24-hour clock."""

    placeholder = N_("HH:MM")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.what = "time"
        self.setMaxLength(5)

    def parse(self, text: str) -> time:
        return dates.parse_clock(text, self.what)

    def show_value(self, value: time) -> str:
        return f"{value:%H:%M}"


class DateField(_Reads, QWidget):
    """A date typed as YYYY-MM-DD, or DD/MM/YYYY where the locale writes the day first (Spanish, Catalan), with
    a calendar to pick it from (the pick is written as text, as the window writes dates)."""

    textChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.what, self.field = "date", ""
        self.day_first = day_first()
        self.edit = QLineEdit(placeholderText=_("DD/MM/YYYY") if self.day_first else _("YYYY-MM-DD"), maxLength=10)
        self.edit.textChanged.connect(self.textChanged)
        self.calendar_button = QToolButton(text="▾", toolTip=_("Pick the date from a calendar"),
                                           focusPolicy=Qt.FocusPolicy.NoFocus)
        self.calendar_button.setAccessibleName(_("Pick the date from a calendar"))
        self.calendar_button.clicked.connect(self.pick)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.calendar_button)
        self.setFocusProxy(self.edit)

    def describe(self, what: str, field: str) -> DateField:
        self.what, self.field = what, field
        return self

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:
        self.edit.setText(text)

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def value(self) -> date | None:
        if self.is_empty():
            return None
        try:
            return dates.parse_date(self.edit.text(), self.what, self.day_first)
        except ClinicalInputError as error:
            raise _refused_as(error, self.field) from None

    def set_value(self, value: date | None) -> None:
        # Written as it is read back: day first where the locale writes so, else the unambiguous ISO date.
        self.edit.setText("" if value is None else format_date(value) if self.day_first else value.isoformat())

    def pick(self) -> None:
        """A calendar under the field, on the typed date (or today); a click writes the date."""
        popup = QWidget(self, Qt.WindowType.Popup)
        popup.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        calendar = QCalendarWidget(popup, gridVisible=True)
        calendar.setSelectedDate(to_qdate(self.value_or_none() or dates.local_today()))
        QVBoxLayout(popup).addWidget(calendar)
        popup.layout().setContentsMargins(0, 0, 0, 0)

        def chosen(day) -> None:
            self.set_value(from_qdate(day))
            popup.close()
            self.edit.setFocus()

        calendar.clicked.connect(chosen)
        calendar.activated.connect(chosen)
        popup.move(self.mapToGlobal(self.rect().bottomLeft()))
        popup.show()
        calendar.setFocus()
        self.calendar_popup = popup  # for tests


class DateTimeField(_Reads, QWidget):
    """A moment: a date and a time of day, read as local time (the command line's YYYY-MM-DDTHH:MM)."""

    textChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.what, self.field = "time", ""
        self.date = DateField()
        self.clock = TimeField()
        self.clock.setMaximumWidth(self.clock.fontMetrics().horizontalAdvance("00:00") + 24)
        for part in (self.date, self.clock):
            part.textChanged.connect(lambda _: self.textChanged.emit(self.text()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.date, 1)
        layout.addWidget(self.clock)
        self.setFocusProxy(self.date)

    def describe(self, what: str, field: str) -> DateTimeField:
        self.what, self.field = what, field
        self.date.describe(what, field)
        self.clock.describe(what, field)
        self.clock.what = what
        return self

    def text(self) -> str:
        return f"{self.date.text().strip()} {self.clock.text().strip()}".strip()

    def is_empty(self) -> bool:
        return self.date.is_empty() and self.clock.is_empty()

    def value(self) -> datetime | None:
        if self.is_empty():
            return None
        day, clock = self.date.value(), self.clock.value()
        if day is None or clock is None:
            sentence = _("The {what} has no date: write both, the date and HH:MM.") if day is None else \
                _("The {what} has no time of day: write both, the date and HH:MM.")
            raise ClinicalInputError(sentence.format(what=self.what), self.field)
        return datetime.combine(day, clock).astimezone()

    def set_value(self, moment: datetime | None) -> None:
        if moment is None:
            self.date.set_value(None)
            self.clock.set_value(None)
            return
        local = moment.astimezone()
        self.date.set_value(local.date())
        self.clock.set_value(local.time().replace(second=0, microsecond=0))


FIELD_CLASSES = (DecimalField, WholeNumberField, TimeField, DateField, DateTimeField)


class _WheelGuard(QObject):
    """Swallows the mouse wheel over a choice or a spin box that does not have the focus: scrolling
    the form past a field never changes what it says."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            parent = watched.parentWidget()
            if parent is not None:  # a scroll area around the form still scrolls
                QApplication.sendEvent(parent, event)
            return True
        return False


_guard: _WheelGuard | None = None


def guard_wheel(form: QWidget) -> None:
    """No wheel changes on `form`'s unfocused combo boxes and spin boxes."""
    global _guard
    if _guard is None:
        _guard = _WheelGuard()
    for widget in (*form.findChildren(QComboBox), *form.findChildren(QAbstractSpinBox)):
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the wheel alone never gives the focus
        widget.installEventFilter(_guard)
