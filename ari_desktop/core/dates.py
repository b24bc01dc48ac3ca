"""Reading the dates and times people type, with a sentence for each mistake.

Dates are `datetime.date`. Times are timezone-aware: typed in local time unless an offset is
given, stored as ISO 8601 text in UTC, shown in local time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from ..i18n import _
from .errors import ClinicalInputError

# Dates outside these years are typing mistakes (and would overflow date arithmetic).
FIRST_YEAR, LAST_YEAR = 1900, 2100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?")


def parse_date(text: str, what: str = "date", day_first: bool = False) -> date:
    """YYYY-MM-DD; also DD/MM/YYYY when `day_first` (the window in Spanish and Catalan writes its dates so).
    The year is always written whole: "03/10/25" could be three different days."""
    text = text.strip()
    written = _DAY_FIRST.fullmatch(text) if day_first else None
    if written is None and not _DATE.fullmatch(text):
        sentence = (_("The {what} '{text}' is not a date; write it as DD/MM/YYYY.") if day_first else
                    _("The {what} '{text}' is not a date; write it as YYYY-MM-DD."))
        raise ClinicalInputError(sentence.format(what=_(what), text=text), what)
    try:
        value = (date(int(written[3]), int(written[2]), int(written[1])) if written else date.fromisoformat(text))
    except ValueError:
        raise ClinicalInputError(_("The {what} '{text}' does not exist in the calendar.").format(
                                     what=_(what), text=text), what) from None
    return _plausible(value, text, what)


def _plausible(value, text: str, what: str):
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ClinicalInputError(_("The {what} '{text}' is not between {first_year} and {last_year}.").format(
                                     what=_(what), text=text, first_year=FIRST_YEAR, last_year=LAST_YEAR), what)
    return value


def parse_datetime(text: str, what: str = "time") -> datetime:
    """YYYY-MM-DDTHH:MM[:SS], local time unless an offset (+01:00, Z) is given."""
    text = text.strip()
    match = _DATETIME.fullmatch(text)
    if not match:
        raise ClinicalInputError(
            _("The {what} '{text}' is not a date and time; write it as YYYY-MM-DDTHH:MM.").format(
                what=_(what), text=text), what)
    try:
        value = datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        raise ClinicalInputError(_("The {what} '{text}' does not exist in the calendar or clock.").format(
                                     what=_(what), text=text), what) from None
    value = _plausible(value, text, what)  # before the local zone is applied: year 1 has none
    return value if value.tzinfo else value.astimezone()


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


def parse_clock(text: str, what: str = "time") -> time:
    """A time of day typed as HH:MM (24-hour clock); "25:70" is refused, not carried over."""
    text = text.strip()
    match = _CLOCK.fullmatch(text)
    if not match:
        raise ClinicalInputError(_("The {what} '{text}' is not a time of day; write it as HH:MM.").format(
                                     what=_(what), text=text), what)
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ClinicalInputError(_("The {what} '{text}' does not exist on the clock (00:00 to 23:59).").format(
                                     what=_(what), text=text), what)
    return time(hour, minute)


def to_utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_utc_text(text: str) -> datetime:
    """A stored UTC time, in the local time zone."""
    return datetime.fromisoformat(text).astimezone()


def local_now() -> datetime:
    return datetime.now().astimezone()


def local_today() -> date:
    return local_now().date()
