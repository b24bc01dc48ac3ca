"""Between Python dates and Qt's (the Today view's day and time pickers, the calendar of a date
field): dates stay `date`, times stay timezone-aware local times. And how the window shows a date
or a time: in the user's locale (QLocale's default), never an ISO string written by hand."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from PySide6.QtCore import QDate, QLocale, QTime


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def from_qtime_on(day: date, clock: QTime) -> datetime:
    """A time of day typed for a given day, read as local time."""
    return datetime(day.year, day.month, day.day, clock.hour(), clock.minute()).astimezone()


def date_format(locale: QLocale | None = None) -> str:
    """The locale's short date with the day and month in two digits and the year in four (dd/MM/yyyy in
    Spain and Catalonia); ISO in the C locale, the one with no country."""
    locale = locale or QLocale()
    if locale.language() == QLocale.Language.C:
        return "yyyy-MM-dd"
    written = locale.dateFormat(QLocale.FormatType.ShortFormat)
    return re.sub("y+", "yyyy", re.sub("M+", "MM", re.sub("d+", "dd", written)))


def format_date(day: date | None) -> str:
    """A date as the window shows it, in the user's locale ("—" for none)."""
    return QLocale().toString(to_qdate(day), date_format()) if day else "—"


def format_weekday(day: date) -> str:
    """A date with its weekday's short name, in the user's locale ("vie 27/11/2026", "Fri 2026-11-27")."""
    return QLocale().toString(to_qdate(day), f"ddd {date_format()}")


def format_weekday_moment(moment: datetime) -> str:
    """A moment in local time with its weekday: format_weekday, then the 24-hour clock."""
    local = moment.astimezone()
    return f"{format_weekday(local.date())} {format_time(local)}"


def day_first() -> bool:
    """Whether the user's locale writes the day before the month (Spanish, Catalan, British English): the
    date fields then read DD/MM/YYYY as well as YYYY-MM-DD."""
    return date_format().startswith("dd")


def format_long_date(day: date) -> str:
    """A date with its weekday and month in words, in the user's locale ("lunes, 10 de marzo de 2025")."""
    locale = QLocale()
    written = "dddd d MMMM yyyy" if locale.language() == QLocale.Language.C else \
        locale.dateFormat(QLocale.FormatType.LongFormat)
    return locale.toString(to_qdate(day), written)


def format_time(moment: datetime | time) -> str:
    """A time of day on the 24-hour clock, local time for a moment."""
    return f"{moment.astimezone() if isinstance(moment, datetime) else moment:%H:%M}"


def format_moment(moment: datetime) -> str:
    """A date and time in local time, in the user's locale (a date, then the 24-hour clock)."""
    local = moment.astimezone()
    return f"{format_date(local.date())} {format_time(local)}"


def format_minutes(number: float) -> str:
    """A number of minutes as the settings give it (15, 2.5), with the locale's decimal separator."""
    return QLocale().toString(float(number), "g", 6)
