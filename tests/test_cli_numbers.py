"""Numbers on the command line read as the window reads them: "0,4" is 0.4 for every numeric
option; "nan", "1e3", "1.234,5" or "1_960" are refused with the window's sentence, exit code 2,
and the database unchanged."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import cli_db, row_counts

from ari_desktop.cli import cli
from ari_desktop.core.dates import local_today

TODAY = local_today()
AT = f"{TODAY - timedelta(days=1)}T08:00"


def run(db, *args):
    return CliRunner().invoke(cli, ["--db", cli_db(db), *args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "unit.db"
    result = run(path, "patient", "add", "--study-id", "ARI-001", "--initials", "AB", "--sex", "F", "--birth-year",
                 "1961", "--screening-date", str(TODAY - timedelta(days=60)), "--infusion-date",
                 str(TODAY - timedelta(days=3)))
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("typed", ["0,4", "0.4"])
def test_a_count_typed_with_a_comma_or_a_point_is_stored_as_0_4(db, typed):
    result = run(db, "count", "ARI-001", "--at", AT, "--neutrophils", typed, "--haemoglobin", typed.replace("0", "9"),
                 "--json")
    assert result.exit_code == 0, result.output
    assert (json.loads(result.stdout)["neutrophils"], json.loads(result.stdout)["haemoglobin"]) == (0.4, 9.4)


def test_a_lab_set_and_an_assessment_take_decimal_commas(db):
    labs = run(db, "labs", "ARI-001", "--at", AT, "--uric-acid", "300", "--potassium", "4,2", "--phosphate", "1,1",
               "--calcium", "2,3", "--creatinine-x-uln", "1,6", "--json")
    assert labs.exit_code == 0, labs.output
    graded = run(db, "grade", "crs", "--temperature", "38,6", "--oxygen", "nasal-cannula", "--flow", "6,5")
    assert graded.exit_code == 0 and graded.stdout.startswith("grade 3: nasal cannula above 6 L/min (6.5 L/min)")
    assess = run(db, "assess", "ARI-001", "--at", AT, "--temperature", "38,6", "--ice", "10", "--dexamethasone",
                 "10,5", "--oxygen", "none", "--consciousness", "alert", "--seizure", "none", "--edema", "none")
    assert assess.exit_code == 0, assess.output


@pytest.mark.parametrize(("args", "sentence"), [
    (["count", "ARI-001", "--at", AT, "--neutrophils", "0,4x"], "Neutrophils '0,4x' is not a number: type e.g. 0.4."),
    (["count", "ARI-001", "--at", AT, "--platelets", "nan"], "Platelets 'nan' is not a number: type e.g. 40."),
    (["labs", "ARI-001", "--at", AT, "--uric-acid", "1e3", "--potassium", "4", "--phosphate", "1", "--calcium", "2"],
     "Uric acid '1e3' is not a number: type e.g. 350."),
    (["assess", "ARI-001", "--at", AT, "--temperature", "38.6", "--ice", "10", "--tocilizumab", "1.234,5"],
     "The tocilizumab dose '1.234,5' is not a number: type e.g. 8."),
    (["assess", "ARI-001", "--at", AT, "--temperature", "inf", "--ice", "10"],
     "Temperature 'inf' is not a number: type e.g. 38.6."),
    (["assess", "ARI-001", "--at", AT, "--temperature", "38", "--ice", "9.5"],
     "ICE score '9.5' is not a whole number: type e.g. 10."),
    (["event", "ARI-001", "--kind", "infection", "--onset", str(TODAY), "--grade", "2,0"],
     "The grade '2,0' is not a whole number: type e.g. 3."),
    (["patient", "correct", "ARI-001", "--birth-year", "1_962", "--reason", "typo"],
     "The birth year '1_962' is not a whole number: type e.g. 1960."),
])
def test_a_number_that_is_not_one_is_refused_with_one_sentence_and_nothing_changes(db, args, sentence):
    before = row_counts(db)
    result = run(db, *args)
    assert result.exit_code == 2 and result.stderr.strip() == f"ari-desktop: {sentence}"
    assert row_counts(db) == before
