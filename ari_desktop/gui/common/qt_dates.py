"""Between Python dates and Qt's: dates stay `date`, times stay timezone-aware local times."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QTime


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def to_qdatetime(moment: datetime) -> QDateTime:
    """A moment, shown in local time."""
    local = moment.astimezone()
    return QDateTime(to_qdate(local.date()), QTime(local.hour, local.minute))


def from_qdatetime(moment: QDateTime) -> datetime:
    """What was typed, read as local time (like the command line's YYYY-MM-DDTHH:MM)."""
    day, clock = moment.date(), moment.time()
    return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute()).astimezone()


def from_qtime_on(day: date, clock: QTime) -> datetime:
    """A time of day typed for a given day, read as local time."""
    return datetime(day.year, day.month, day.day, clock.hour(), clock.minute()).astimezone()
