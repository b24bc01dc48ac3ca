"""Between Python dates and Qt's (the Today view's day and time pickers, the calendar of a date
field): dates stay `date`, times stay timezone-aware local times."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QTime


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def from_qtime_on(day: date, clock: QTime) -> datetime:
    """A time of day typed for a given day, read as local time."""
    return datetime(day.year, day.month, day.day, clock.hour(), clock.minute()).astimezone()
