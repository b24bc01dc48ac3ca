"""Sample identifiers: what a tube's barcode holds, and reading it back when the tube is scanned."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.protocol import load_default
from ari_desktop.core.sample_ids import parse_sample_id, sample_id

PROTOCOL = load_default()


def test_the_identifier_names_patient_timepoint_and_sample_separated_by_slashes():
    assert sample_id("ARI-001", "D+7", "sbcma") == "ARI-001/D+7/sbcma"


@pytest.mark.parametrize("parts", [("ARI-001", "D+7", "sbcma"), ("DEMO-0001", "D-5", "cbc"),
                                   ("x_1", "M12", "mrd_bm"), ("7", "SCR", "response"), ("HCB-22-003", "B+14", "cbc")])
def test_study_ids_with_hyphens_read_back_unchanged(parts):
    assert parse_sample_id(sample_id(*parts)) == parts


def test_every_timepoint_and_sample_of_the_protocol_can_be_labelled_and_read_back():
    for timepoint in PROTOCOL.timepoints:
        for activity in timepoint.activities:
            assert parse_sample_id(sample_id("ARI-001", timepoint.code, activity)) == (
                "ARI-001", timepoint.code, activity)


def test_the_line_end_a_scanner_sends_is_ignored():
    assert parse_sample_id("  ARI-001/D+7/sbcma\r\n") == ("ARI-001", "D+7", "sbcma")


@pytest.mark.parametrize("text", ["", "ARI-001", "ARI-001/D+7", "ARI-001/D+7/sbcma/extra", "ARI-001//sbcma",
                                  "ARI 001/D+7/sbcma", "ARI-001/D+7/SBCMA", "/D+7/sbcma", "4006381333931",
                                  "ARI-001\\D+7\\sbcma", "ARÍ-001/D+7/sbcma"])
def test_a_scan_that_is_not_an_ari_desktop_sample_is_refused_with_one_sentence(text):
    with pytest.raises(ClinicalInputError) as error:
        parse_sample_id(text)
    assert str(error.value) == f"'{text.strip()}' is not an ARI Desktop sample identifier."


@pytest.mark.parametrize("parts", [("ARI/001", "D+7", "sbcma"), ("ARI-001", "D 7", "sbcma"),
                                   ("ARI-001", "D+7", "Soluble BCMA"), ("", "D+7", "sbcma")])
def test_parts_that_would_make_an_ambiguous_identifier_are_refused(parts):
    with pytest.raises(ClinicalInputError):
        sample_id(*parts)


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,31}", fullmatch=True),
       st.sampled_from([t.code for t in PROTOCOL.timepoints]),
       st.sampled_from([a.code for a in PROTOCOL.activities]))
def test_any_valid_study_id_round_trips(study_id, timepoint, activity):
    text = sample_id(study_id, timepoint, activity)
    assert text.isascii() and text.isprintable()  # Code 128 set B holds every character
    assert parse_sample_id(text) == (study_id, timepoint, activity)
