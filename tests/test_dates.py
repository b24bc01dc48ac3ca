"""Dates as people type them (core/dates.parse_date): ISO everywhere, day first where the window writes the
day first; an impossible or ambiguous one is refused in one sentence, never read as another day."""

from datetime import date

import pytest

from ari_desktop.core.dates import parse_date
from ari_desktop.core.errors import ClinicalInputError


@pytest.mark.parametrize(("typed", "read"), [
    ("2025-03-10", date(2025, 3, 10)), ("10/03/2025", date(2025, 3, 10)), ("1/3/2025", date(2025, 3, 1)),
    ("10.03.2025", date(2025, 3, 10)), ("10-03-2025", date(2025, 3, 10)), (" 29/02/2024 ", date(2024, 2, 29)),
])
def test_day_first_reads_the_day_before_the_month_and_iso_still_reads(typed, read):
    assert parse_date(typed, day_first=True) == read


@pytest.mark.parametrize(("typed", "says"), [
    ("31/02/2025", "does not exist in the calendar"), ("29/02/2025", "does not exist in the calendar"),
    ("10/03/25", "write it as DD/MM/YYYY"),  # a two-digit year could be 1925 or 2025
    ("10/3", "write it as DD/MM/YYYY"), ("10/03/1850", "is not between 1900 and 2100"),
])
def test_an_impossible_or_ambiguous_day_first_date_is_refused(typed, says):
    with pytest.raises(ClinicalInputError, match=says):
        parse_date(typed, "onset date", day_first=True)


def test_without_day_first_only_the_iso_date_reads():
    with pytest.raises(ClinicalInputError, match="write it as YYYY-MM-DD"):
        parse_date("10/03/2025")
