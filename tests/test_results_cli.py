"""The command line's results: `result`, `response list|confirm`, `progression`; a mistake is one sentence
with exit code 2 and nothing written."""

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import TEST_PASSWORD, cli_db, row_counts

from ari_desktop.cli import cli
from ari_desktop.core.dates import local_today

TODAY = local_today()
DAY0 = TODAY - timedelta(days=70)


def run(db, *args, password=None):
    return CliRunner().invoke(cli, ["--db", cli_db(db), *args], input=password)


def ok(db, *args, **options):
    result = run(db, *args, **options)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "unit.db"
    ok(path, "patient", "add", "--study-id", "ARI-001", "--initials", "AB", "--sex", "F", "--birth-year", "1961",
       "--screening-date", (DAY0 - timedelta(days=30)).isoformat(), "--infusion-date", DAY0.isoformat())
    for timepoint, days in (("SCR", -30), ("M1", 28), ("M2", 60)):
        ok(path, "record", "ARI-001", "--timepoint", timepoint, "--activity", "response",
           "--done-at", f"{DAY0 + timedelta(days=days)}T09:00")
    return path


def labs(db, timepoint, *values):
    return ok(db, "result", "ARI-001", "--timepoint", timepoint, "--activity", "response", *values)


def test_a_result_is_recorded_with_its_units_and_shows_the_imwg_proposal(db):
    labs(db, "SCR", "--serum-m", "3,2", "--urine-m", "250", "--ife-serum", "positive")
    shown = labs(db, "M1", "--serum-m", "1.1", "--urine-m", "20").stdout
    assert "serum M-protein: 1.1 g/dL" in shown and "urine M-protein: 20 mg/24 h" in shown
    assert "proposed PR" in shown and "PR awaits confirmation at the next assessment" in shown
    answer = json.loads(labs(db, "M2", "--serum-m", "1.0", "--urine-m", "20", "--json").stdout)
    assert answer["values"] == {"serum_m_g_dl": 1.0, "urine_m_mg_24h": 20.0}
    assert (answer["response"]["proposed"], answer["response"]["confirmed"]) == ("PR", "PR")


@pytest.mark.parametrize(("args", "says"), [
    (("--timepoint", "M1", "--activity", "response", "--serum-m", "25"), "between 0 and 20 g/dL (got 25)"),
    (("--timepoint", "M1", "--activity", "response", "--ife-serum", "weak"), "is not one of: negative, positive"),
    (("--timepoint", "M1", "--activity", "response", "--sbcma", "12"), "gives no soluble BCMA"),
    (("--timepoint", "M3", "--activity", "response", "--serum-m", "1"), "is not recorded done"),
    (("--timepoint", "M1", "--activity", "response"), "Give at least one value"),
])
def test_a_wrong_result_is_one_sentence_with_exit_2_and_nothing_written(db, args, says):
    before = row_counts(db, ("results", "change_log"))
    result = run(db, "result", "ARI-001", *args)
    assert result.exit_code == 2
    assert says in result.stderr and "Traceback" not in result.output
    assert row_counts(db, ("results", "change_log")) == before


def test_a_changed_value_needs_a_reason_and_the_change_log_keeps_the_old_one(db):
    labs(db, "M1", "--serum-m", "1.1")
    refused = run(db, "result", "ARI-001", "--timepoint", "M1", "--activity", "response", "--serum-m", "1.2")
    assert refused.exit_code == 2 and "already reads 1.1 g/dL" in refused.stderr
    labs(db, "M1", "--serum-m", "1.2", "--reason", "transcription error")
    history = ok(db, "patient", "history", "ARI-001").stdout
    assert "transcription error" in history


def test_the_physician_confirms_the_response_and_it_is_signed(db):
    labs(db, "SCR", "--serum-m", "3.2", "--urine-m", "250")
    labs(db, "M1", "--serum-m", "1.1", "--urine-m", "20")
    labs(db, "M2", "--serum-m", "1.0", "--urine-m", "20")
    override = run(db, "response", "confirm", "ARI-001", "--timepoint", "M2", "--category", "VGPR",
                   "--password-stdin", password=f"{TEST_PASSWORD}\n")
    assert override.exit_code == 2 and "is an override and needs its reason" in override.stderr
    confirmed = ok(db, "response", "confirm", "ARI-001", "--timepoint", "M2", "--category", "pr",
                   "--password-stdin", password=f"{TEST_PASSWORD}\n").stdout
    assert "is confirmed as PR; signed by" in confirmed
    course = json.loads(ok(db, "response", "list", "ARI-001", "--json").stdout)
    assert [(a["timepoint"], a["category"], a["review"] and a["review"]["by"]) for a in course] == [
        ("M1", None, None), ("M2", "PR", "clinician")]
    signed = ok(db, "signatures", "review", str(course[1]["review"]["id"])).stdout
    assert "confirmed  valid" in signed


def test_a_wrong_password_leaves_the_review_saved_and_says_how_to_sign_it(db):
    labs(db, "SCR", "--serum-m", "3.2")
    labs(db, "M1", "--serum-m", "1.1")
    result = run(db, "response", "confirm", "ARI-001", "--timepoint", "M1", "--category", "PR", "--password-stdin",
                 password="wrong-password-0\n")
    assert result.exit_code == 2 and "The review is saved, not signed: sign it with ari-desktop sign review" \
        in result.stderr


def test_a_progression_is_recorded_once_and_moved_only_with_a_reason(db):
    on = (DAY0 + timedelta(days=50)).isoformat()
    assert "on " + on in ok(db, "progression", "ARI-001", "--on", on, "--found-by", "imaging").stdout
    moved = run(db, "progression", "ARI-001", "--on", (DAY0 + timedelta(days=40)).isoformat(), "--found-by",
                "imaging")
    assert moved.exit_code == 2 and "needs its reason" in moved.stderr
