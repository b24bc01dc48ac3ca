"""Free text is kept as typed, within limits: a paste gone wrong, a control character or bytes that
are not UTF-8 are refused with one sentence where the store writes them, the same for the window
and the command line, and nothing is written."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import GUI_NOW, GUI_TODAY, row_counts

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.text import NAME_LIMIT, NOTES_LIMIT, REASON_LIMIT, check_text, check_user
from ari_desktop.core.toxicity import BedsideFindings, Treatments


@pytest.mark.parametrize("limit", [NAME_LIMIT, REASON_LIMIT, NOTES_LIMIT])
def test_a_text_of_exactly_the_limit_is_kept_and_one_character_more_is_refused(limit):
    assert check_text("x" * limit, "reason", "reason", limit) == "x" * limit
    with pytest.raises(ClinicalInputError, match=f"is {limit + 1:,} characters long; at most {limit:,}") as error:
        check_text("x" * (limit + 1), "reason", "reason", limit)
    assert error.value.field == "reason"


def test_nothing_typed_stays_nothing():
    assert check_text(None, "notes", "notes", NOTES_LIMIT) is None
    assert check_text("", "notes", "notes", NOTES_LIMIT) == ""


def test_notes_may_have_line_breaks_but_a_name_or_a_reason_may_not():
    assert check_text("fever at night\nparacetamol", "notes", "notes", NOTES_LIMIT, lines=True)
    with pytest.raises(ClinicalInputError, match=r"control character \(U\+000A\)"):
        check_text("Dr\nVidal", "deciding physician's name", "decided_by", NAME_LIMIT)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\t", "\r", "\x1b", "\x7f", "\x85"])
def test_a_control_character_is_refused_even_in_notes(char):
    with pytest.raises(ClinicalInputError, match="control character"):
        check_text(f"a{char}b", "notes", "notes", NOTES_LIMIT, lines=True)


def test_bytes_that_were_not_utf8_are_refused_rather_than_failing_when_written():
    with pytest.raises(ClinicalInputError, match="^The reason holds bytes that are not UTF-8 text; type it again.$"):
        check_text("consent \udcff withdrawn", "reason", "reason", REASON_LIMIT)


def test_accents_and_other_scripts_are_plain_text():
    assert check_text("Dra. Núria Martínez-Ibáñez 🙂", "user name", "user", NAME_LIMIT)


def test_the_user_name_is_checked_and_kept_without_surrounding_spaces():
    assert check_user("  nurse.garcia ") == "nurse.garcia"
    with pytest.raises(ClinicalInputError, match="the user name is empty"):
        check_user("   ")
    with pytest.raises(ClinicalInputError, match="user name is 20,000 characters long"):
        check_user("u" * 20_000)


# -- where the store writes -----------------------------------------------------------------------

@pytest.fixture
def treated(store, add_patient):
    """A patient infused eight days ago, with the first fraction given."""
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=8))
    return store


LONG_REASON = "r" * (REASON_LIMIT + 1)
LONG_NAME = "n" * (NAME_LIMIT + 1)
LONG_NOTES = "n" * (NOTES_LIMIT + 1)
AT = GUI_NOW - timedelta(hours=2)


def _assess(store, **kw):
    return store.assessments.add("ARI-001", AT, BedsideFindings(temperature_c=37.0, ice=10), Treatments(), **kw)


@pytest.mark.parametrize("field, write", [
    ("off_study_reason", lambda s: s.patients.update_dates("ARI-001", off_study=GUI_TODAY,
                                                           off_study_reason=LONG_REASON)),
    ("reason", lambda s: s.patients.correct("ARI-001", LONG_REASON, initials="CD")),
    ("not_done_reason", lambda s: s.recordings.record("ARI-001", "D+7", "sbcma", not_done_reason=LONG_REASON)),
    ("notes", lambda s: _assess(s, notes=LONG_NOTES)),
    ("reason", lambda s: s.fractions.decide("ARI-001", "D+7", "hold", LONG_REASON, AT)),
    ("notes", lambda s: s.events.add("ARI-001", "infection", GUI_TODAY, grade=2, notes=LONG_NOTES)),
    ("notes", lambda s: s.events.add("ARI-001", "infection", GUI_TODAY, grade=2, notes="a\x00b")),
    ("reason", lambda s: s.fractions.decide("ARI-001", "D+7", "hold", "fever \udcff", AT)),
])
def test_a_text_over_its_limit_is_refused_where_the_store_writes_it_and_nothing_is_written(treated, db_path, field,
                                                                                          write):
    before = row_counts(db_path)
    with pytest.raises(ClinicalInputError) as error:
        write(treated)
    assert error.value.field == field
    assert row_counts(db_path) == before


def test_a_correction_reason_over_its_limit_is_refused_and_the_first_recording_stays(treated):
    treated.recordings.record("ARI-001", "D+7", "sbcma", not_done_reason="patient declined")
    with pytest.raises(ClinicalInputError, match="reason for the correction is 501 characters") as error:
        treated.recordings.record("ARI-001", "D+7", "sbcma", done_at=AT, correction_reason=LONG_REASON)
    assert error.value.field == "correction_reason"
    entry = next(e for e in treated.schedules.of("ARI-001", GUI_TODAY)
                 if (e.item.timepoint, e.item.activity) == ("D+7", "sbcma"))
    assert entry.recording.reason == "patient declined"


def test_notes_of_several_lines_within_the_limit_are_kept_as_typed(treated):
    notes = "fever since the night\n" + "x" * (NOTES_LIMIT - 30)
    assert _assess(treated, notes=notes).notes == notes


def test_an_event_resolution_reason_over_its_limit_is_refused(treated):
    event = treated.events.add("ARI-001", "infection", GUI_TODAY - timedelta(days=2), grade=2)
    treated.events.resolve("ARI-001", event.id, GUI_TODAY - timedelta(days=1))
    with pytest.raises(ClinicalInputError, match="reason is 501 characters"):
        treated.events.resolve("ARI-001", event.id, GUI_TODAY, LONG_REASON)


def test_a_huge_user_name_is_refused_at_once_instead_of_slowing_every_sheet(tmp_path):
    from click.testing import CliRunner

    from ari_desktop.cli import cli

    started = datetime.now()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "unit.db"), "--user", "u" * 100_000, "patient", "list"])
    assert result.exit_code == 2
    assert result.stderr == "ari-desktop: The user name is 100,000 characters long; at most 80 are allowed.\n"
    assert datetime.now() - started < timedelta(seconds=2)
    assert not (tmp_path / "unit.db").exists()
