"""The command line: what a data manager types, and one clear sentence with exit code 2 for a mistake."""

import json
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from conftest import GUI_USER, cli_db, demo_session

from ari_desktop.cli import cli
from ari_desktop.core.dates import local_today

TODAY = local_today()
SCREENING = (TODAY - timedelta(days=60)).isoformat()
DAY0 = (TODAY - timedelta(days=10)).isoformat()


def run(db, *args):
    return CliRunner().invoke(cli, ["--db", cli_db(db), *args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "unit.db"
    result = run(path, "patient", "add", "--study-id", "ARI-001", "--initials", "AB", "--sex", "F",
                 "--birth-year", "1961", "--screening-date", SCREENING, "--infusion-date", DAY0)
    assert result.exit_code == 0, result.output
    return path


def schedule(db, study_id="ARI-001", *extra):
    result = run(db, "schedule", study_id, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_schedule_json_lists_every_trial_timepoint_with_the_public_fields(db):
    items = schedule(db)
    assert set(items[0]) >= {"study_id", "timepoint", "activity", "kind", "label", "target_date", "window_start",
                             "window_end", "status"}
    pairs = {(i["timepoint"], i["activity"]) for i in items}
    assert ("M10", "sbcma") in pairs and ("M24", "bcma_bm") in pairs and ("M6", "mrd_bm") in pairs
    fractions = [date.fromisoformat(i["target_date"]) for i in items if i["activity"] == "infusion"]
    assert fractions == [date.fromisoformat(DAY0) + timedelta(days) for days in (0, 3, 7)]
    assert sorted(i["timepoint"] for i in items if i["activity"] == "tox") == sorted(
        ["D0"] + [f"D+{n}" for n in range(1, 31)])
    assert not [i for i in items if i["activity"] == "pet_ct"]


def test_pet_ct_is_scheduled_when_extramedullary_is_given(tmp_path):
    path = tmp_path / "emd.db"
    run(path, "patient", "add", "--study-id", "ARI-002", "--initials", "CD", "--sex", "M", "--birth-year", "1955",
        "--screening-date", SCREENING, "--infusion-date", DAY0, "--extramedullary")
    assert {i["timepoint"] for i in schedule(path, "ARI-002") if i["activity"] == "pet_ct"} >= {"SCR", "M3"}


def test_as_of_changes_the_statuses_not_the_dates(db):
    past = schedule(db, "ARI-001", "--as-of", SCREENING)
    assert {i["status"] for i in past if i["timepoint"] == "M6"} == {"planned"}


def test_worklist_json_and_recording_removes_the_item(db):
    result = run(db, "worklist", "--json", "--kind", "assessment")
    items = json.loads(result.stdout)
    assert [(i["timepoint"], i["activity"]) for i in items] == [("D+10", "tox")]
    result = run(db, "record", "ARI-001", "--timepoint", "D+10", "--activity", "tox", "--not-done",
                 "Patient at the radiology department all day")
    assert result.exit_code == 0 and "not done" in result.stdout
    assert json.loads(run(db, "worklist", "--json", "--kind", "assessment").stdout) == []


def test_patient_list_shows_the_stage(db):
    rows = json.loads(run(db, "patient", "list", "--json").stdout)
    assert rows == [{"study_id": "ARI-001", "initials": "AB", "sex": "F", "birth_year": 1961, "stage": "infusion",
                     "screening_date": SCREENING, "day0": DAY0, "booster_date": None}]


def test_update_moves_day0_and_off_study_cancels(db):
    new_day0 = (date.fromisoformat(DAY0) + timedelta(2)).isoformat()
    assert run(db, "patient", "update", "ARI-001", "--infusion-date", new_day0, "--reason", "delay").exit_code == 0
    assert next(i for i in schedule(db) if i["activity"] == "infusion")["target_date"] == new_day0
    off = TODAY.isoformat()
    assert run(db, "patient", "update", "ARI-001", "--off-study", off, "--reason", "Consent withdrawn").exit_code == 0
    later = [i for i in schedule(db) if i["target_date"] > off]
    assert later and {i["status"] for i in later} == {"cancelled"}
    assert "Consent withdrawn" in later[0]["cancelled_reason"]


def run_demo(path, *args):
    """`ari-desktop demo` on a new database, and the demo data manager's session for what follows."""
    assert CliRunner().invoke(cli, ["--db", str(path), "demo", *args]).exit_code == 0
    return {"ARI_DESKTOP_TOKEN": demo_session(path)}


def test_demo_fills_every_stage(tmp_path):
    path = tmp_path / "demo.db"
    session = run_demo(path, "--patients", "40", "--seed", "3")
    listed = CliRunner().invoke(cli, ["--db", str(path), "patient", "list", "--json"], env=session).stdout
    stages = {row["stage"] for row in json.loads(listed)}
    assert stages >= {"screening", "infusion", "follow-up", "booster", "off study", "died"}


ADD = ["patient", "add", "--study-id", "ARI-009", "--initials", "EF", "--sex", "F", "--birth-year", "1970",
       "--screening-date", SCREENING]


def with_option(args, option, value):
    args = list(args)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    return args


@pytest.mark.parametrize("args, sentence", [
    (with_option(ADD, "--screening-date", "2026-02-30"), "does not exist in the calendar"),
    (with_option(ADD, "--screening-date", "26/11/2026"), "write it as YYYY-MM-DD"),
    (with_option(ADD, "--infusion-date", (date.fromisoformat(SCREENING) - timedelta(1)).isoformat()),
     "before the screening date"),
    (with_option(ADD, "--study-id", "ARI-001"), "already registered"),
    (with_option(ADD, "--sex", "X"), "Sex must be F or M"),
    (with_option(ADD, "--birth-year", str(TODAY.year + 1)), "in the future"),
    (["patient", "update", "ARI-001", "--booster-date", DAY0], r"before D\+100"),
    (["patient", "update", "ARI-404", "--death-date", DAY0], "no patient with study ID 'ARI-404'"),
    (["patient", "update", "ARI-001", "--off-study", DAY0], "needs a reason"),
    (["schedule", "ARI-404"], "no patient"),
    (["record", "ARI-001", "--timepoint", "D+10", "--activity", "cbc", "--done-at", "yesterday"],
     "not a date and time"),
    (["record", "ARI-001", "--timepoint", "D+10", "--activity", "cbc", "--done-at", "2026-11-26T25:00"],
     "does not exist"),
    (["record", "ARI-001", "--timepoint", "D+10", "--activity", "tox", "--done-at", f"{TODAY}T08:00"],
     "done when its findings are saved"),
    (["worklist", "--date", "0001-01-01"], "not between 1900 and 2100"),
    (["record", "ARI-001", "--timepoint", "D+10", "--activity", "cbc", "--done-at", "0001-01-01T00:00"],
     "not between 1900 and 2100"),  # year 1 has no local time zone: checked before one is applied
    (["record", "ARI-001", "--timepoint", "X9", "--activity", "tox", "--not-done", "declined"], "no timepoint 'X9'"),
    (["record", "ARI-001", "--timepoint", "D+10", "--activity", "bloods", "--not-done", "x"], "no activity"),
    (["record", "ARI-001", "--timepoint", "D+10", "--activity", "tox"], "Give either --done-at or --not-done"),
    (["worklist", "--kind", "samples"], "is not one of sample"),
])
def test_bad_input_gets_one_sentence_exit_2_and_leaves_the_database_unchanged(db, args, sentence):
    before = db.read_bytes()
    result = run(db, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert re.search(sentence, result.stderr)
    assert db.read_bytes() == before


@pytest.mark.parametrize("content, sentence", [(b"just some notes\n", "not an"),
                                               (b"SQLite format 3\x00" + bytes(84), "is damaged")])
def test_a_db_that_is_not_ari_desktops_is_refused_untouched(tmp_path, content, sentence):
    path = tmp_path / "other.db"
    path.write_bytes(content)
    result = run(path, "patient", "list")
    assert result.exit_code == 2 and sentence in result.stderr
    assert path.read_bytes() == content


def test_the_installed_command_prints_no_traceback(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    done = subprocess.run([sys.executable, "-m", "ari_desktop", "--db", str(path), "patient", "list"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.startswith("ari-desktop: ") and "Traceback" not in done.stderr


def test_export_writes_every_table_and_the_safety_endpoints(tmp_path):
    import csv

    path = tmp_path / "demo.db"
    session = run_demo(path, "--patients", "30", "--seed", "2")
    result = CliRunner().invoke(cli, ["--db", str(path), "export", "--out", str(tmp_path / "out")], env=session)
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert names == {"patients.csv", "recordings.csv", "assessments.csv", "fraction_decisions.csv",
                     "toxicity_events.csv", "blood_counts.csv", "tls_labs.csv", "results.csv", "response_reviews.csv",
                     "progressions.csv", "change_log.csv", "schedule.csv", "responses.csv",
                     "safety_endpoints.csv", "endpoint_table.csv"}
    with (tmp_path / "out" / "patients.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == 30
    with (tmp_path / "out" / "safety_endpoints.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {"status", "crs_any", "crs_max_grade", "icans_any", "evaluable"} <= set(rows[0])
    assert {r["status"] for r in rows} <= {"assessed", "not_assessed", "not_infused"}
    assert all(r["crs_onset_day"] == "" or r["crs_onset_day"].isdigit() for r in rows)


def test_worklist_pdf_is_written_from_the_command_line(tmp_path, db):
    from pypdf import PdfReader

    out = tmp_path / "worklist.pdf"
    result = run(db, "worklist", "--pdf", str(out), "--lang", "es")
    assert result.exit_code == 0, result.output
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "ARI-001" in text and "D+10" in text


def test_printing_an_unknown_patient_writes_no_file(tmp_path, db):
    out = tmp_path / "sheet.pdf"
    result = run(db, "sheet", "ARI-404", "--timepoint", "D+7", "-o", str(out))
    assert result.exit_code == 2 and "no patient" in result.stderr
    assert not out.exists()


def test_a_registration_entry_is_corrected_with_a_reason_and_the_history_keeps_both(db):
    result = run(db, "patient", "correct", "ARI-001", "--birth-year", "1962", "--extramedullary",
                 "--reason", "typed from the wrong form")
    assert result.exit_code == 0, result.output
    assert {i["timepoint"] for i in schedule(db) if i["activity"] == "pet_ct"} >= {"SCR", "M3"}
    history = json.loads(run(db, "patient", "history", "ARI-001", "--json").stdout)
    correction = history[-1]
    assert correction["old"] == {"birth_year": 1961, "extramedullary": 0}
    assert correction["new"] == {"birth_year": 1962, "extramedullary": 1}
    assert correction["reason"] == "typed from the wrong form" and correction["user"] == GUI_USER


def test_a_correction_without_a_reason_or_with_a_bad_value_is_refused(db):
    before = db.read_bytes()
    assert run(db, "patient", "correct", "ARI-001", "--sex", "X", "--reason", "typo").exit_code == 2
    missing = run(db, "patient", "correct", "ARI-001", "--sex", "M", "--reason", " ")
    assert missing.exit_code == 2 and "needs a reason" in missing.stderr
    assert db.read_bytes() == before


def test_a_death_entered_on_the_wrong_patient_is_removed_with_a_reason(db):
    assert run(db, "patient", "update", "ARI-001", "--death-date", TODAY.isoformat()).exit_code == 0
    assert {i["status"] for i in schedule(db) if i["timepoint"] == "M6"} == {"cancelled"}
    before = db.read_bytes()
    refused = run(db, "patient", "update", "ARI-001", "--clear-death")
    assert refused.exit_code == 2 and "needs a reason" in refused.stderr and db.read_bytes() == before
    result = run(db, "patient", "update", "ARI-001", "--clear-death", "--reason", "entered on the wrong patient")
    assert result.exit_code == 0, result.output
    assert {i["status"] for i in schedule(db) if i["timepoint"] == "M6"} == {"planned"}
    change = json.loads(run(db, "patient", "history", "ARI-001", "--json").stdout)[-1]
    assert change["old"] == {"death_date": TODAY.isoformat()} and change["new"] == {"death_date": None}
    assert change["reason"] == "entered on the wrong patient"


def test_a_pet_ct_already_done_stays_visible_when_extramedullary_disease_is_corrected_away(tmp_path):
    path = tmp_path / "emd.db"
    run(path, "patient", "add", "--study-id", "ARI-002", "--initials", "CD", "--sex", "M", "--birth-year", "1955",
        "--screening-date", SCREENING, "--infusion-date", DAY0, "--extramedullary")
    assert run(path, "record", "ARI-002", "--timepoint", "SCR", "--activity", "pet_ct",
               "--done-at", f"{SCREENING}T10:00").exit_code == 0
    assert run(path, "patient", "correct", "ARI-002", "--no-extramedullary",
               "--reason", "baseline PET-CT showed no extramedullary disease").exit_code == 0
    pet = [(i["timepoint"], i["status"]) for i in schedule(path, "ARI-002") if i["activity"] == "pet_ct"]
    assert pet == [("SCR", "done")]
