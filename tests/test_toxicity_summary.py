"""The toxicity summary and the safety endpoints through the store, the command line and the
export: fraction 1 recorded given is what makes a patient count."""

import csv
import json
from datetime import date, datetime, time, timedelta

import pytest
from click.testing import CliRunner
from conftest import cli_db, open_store

from ari_desktop.cli import cli
from ari_desktop.core import protocol
from ari_desktop.core.endpoints import ASSESSED, NOT_INFUSED
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.toxicity import BedsideFindings, Treatments
from ari_desktop.store import Store

P = protocol.load_default()
DAY0 = date(2025, 3, 3)
TODAY = DAY0 + timedelta(days=60)
NOW = datetime.combine(TODAY, time(15)).astimezone()
NO_FEVER = BedsideFindings(37.0)
FEVER = BedsideFindings(38.5)  # CRS grade 1
FEVER_ON_CANNULA = BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4, ice=8)  # CRS 2, ICANS 1
FEVER_ON_PRESSOR = BedsideFindings(39.2, vasopressors=1)  # CRS 3


def at(day: int, hour: int = 8, anchor: date = DAY0) -> datetime:
    return datetime.combine(anchor + timedelta(days=day), time(hour)).astimezone()


def register(store: Store, study_id: str, day0: date | None = DAY0, infused: bool = True) -> None:
    store.patients.add(check_new_patient(study_id, "AB", "F", 1960, Anchors(date(2025, 1, 2), day0), P, TODAY))
    if infused:
        store.recordings.record(study_id, "D0", "infusion", done_at=at(0, 10, day0), dose=DoseGiven(0.3, 70.0))


@pytest.fixture
def db(database):
    """An SQLite file, or a server database: each test here runs on both."""
    return database


@pytest.fixture
def store(db):
    with open_store(db, today=lambda: TODAY, now=lambda: NOW) as store:
        register(store, "ARI-001")
        yield store


def crossing_day_30(store: Store, study_id: str = "ARI-001") -> None:
    """CRS from D+29 to D+35, grade 3 on D+33, tocilizumab on D+32, resolved on D+36."""
    store.assessments.add(study_id, at(5), NO_FEVER)
    for day, findings, doses in ((29, FEVER, None), (30, FEVER, None), (31, FEVER_ON_CANNULA, None),
                                 (32, FEVER_ON_CANNULA, Treatments(tocilizumab_mg=560)), (33, FEVER_ON_PRESSOR, None),
                                 (34, FEVER, None), (35, FEVER, None), (36, NO_FEVER, None)):
        store.assessments.add(study_id, at(day), findings, doses)


def test_a_patient_counts_only_once_fraction_1_is_recorded_given(store):
    register(store, "ARI-002", infused=False)
    store.assessments.add("ARI-002", at(2), FEVER)
    course = store.toxicity.summary("ARI-002").first_infusion
    assert (course.status, course.not_infused.reason) == (NOT_INFUSED, "infusion_not_recorded")
    store.recordings.record("ARI-002", "D0", "infusion", done_at=at(0, 10), dose=DoseGiven(0.3, 70.0))
    course = store.toxicity.summary("ARI-002").first_infusion
    assert course.status == ASSESSED and course.crs.onset_day == 2


def test_the_summary_follows_a_crs_episode_past_day_30_with_its_grade_and_tocilizumab(store):
    crossing_day_30(store)
    crs = store.toxicity.summary("ARI-001").first_infusion.crs
    assert (crs.onset_day, crs.duration_days, crs.resolution_day, crs.max_grade) == (29, 7, 36, 3)
    assert crs.episodes[0].treatments.tocilizumab_mg == 560


def test_the_summary_gives_maximum_grades_onset_duration_and_treatment_totals(store):
    store.assessments.add("ARI-001", at(1), NO_FEVER)
    store.assessments.add("ARI-001", at(2), BedsideFindings(38.3))
    store.assessments.add("ARI-001", at(3), FEVER_ON_CANNULA, Treatments(tocilizumab_mg=560))
    store.assessments.add("ARI-001", at(3, 20), FEVER_ON_CANNULA, Treatments(tocilizumab_mg=560, dexamethasone_mg=10))
    store.assessments.add("ARI-001", at(5), NO_FEVER)
    course = store.toxicity.summary("ARI-001").first_infusion
    assert (course.crs.max_grade, course.icans.max_grade) == (2, 1)
    assert (course.crs.onset_day, course.crs.duration_days, course.crs.resolution_day) == (2, 2, 5)
    assert (course.icans.onset_day, course.icans.duration_days) == (3, 1)
    assert (course.treatments.tocilizumab_mg, course.treatments.dexamethasone_mg) == (1120, 10)


def test_the_summary_as_of_a_past_date_knows_only_what_was_recorded_by_then(store):
    crossing_day_30(store)
    crs = store.toxicity.summary("ARI-001", as_of=DAY0 + timedelta(days=31)).first_infusion.crs
    assert crs.ongoing and crs.max_grade == 2


def test_an_as_of_date_in_the_future_is_refused(store):
    with pytest.raises(ClinicalInputError, match="in the future"):
        store.toxicity.endpoints(TODAY + timedelta(days=1))


def test_the_cohort_lists_apart_a_patient_who_died_before_day_0(store):
    anchors = Anchors(date(2025, 3, 1), TODAY + timedelta(days=5))
    store.patients.add(check_new_patient("ARI-003", "CD", "M", 1955, anchors, P, TODAY))
    store.patients.update_dates("ARI-003", death=TODAY - timedelta(days=1))
    store.assessments.add("ARI-001", at(3), FEVER)
    table = store.toxicity.endpoints()
    assert table.infused == ("ARI-001",) and [(s, w.reason) for s, w in table.not_infused] == [
        ("ARI-003", "died_before_infusion")]
    assert table.crs.patients == ("ARI-001",) and table.crs.proportion == 1.0


@pytest.mark.parametrize(("resolved_day", "flagged_on"), [(31, False), (32, True)])
def test_the_prolonged_cytopenia_flag_begins_on_day_31_not_day_30(tmp_path, resolved_day, flagged_on):
    today = DAY0 + timedelta(days=31)
    with open_store(tmp_path / "f.db", today=lambda: today, now=lambda: NOW) as store:
        register(store, "ARI-001")
        store.events.add("ARI-001", "neutropenia", DAY0 + timedelta(days=10), grade=4,
                        resolution=DAY0 + timedelta(days=resolved_day) if resolved_day <= 31 else None)
        flags = [f for f in store.toxicity.flags(today) if f.kind == "prolonged_cytopenia"]
        assert bool(flags) is flagged_on
        assert [f for f in store.toxicity.flags(DAY0 + timedelta(days=30)) if f.kind == "prolonged_cytopenia"] == []
        assert bool(store.toxicity.summary("ARI-001").first_infusion.prolonged_cytopenia) is flagged_on
    if flagged_on:
        assert flags[0].text == "Prolonged cytopenia: grade 4 neutropenia on D+31, past D+30"


def test_after_a_booster_a_new_cytopenia_counts_from_b0(tmp_path):
    day0, booster = date(2024, 6, 3), date(2024, 10, 1)
    today = booster + timedelta(days=20)
    with open_store(tmp_path / "f.db", today=lambda: today, now=lambda: NOW) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(date(2024, 4, 1), day0, booster),
                                            P, today))
        store.events.add("ARI-001", "thrombocytopenia", booster + timedelta(days=5), grade=4)
        assert [f for f in store.toxicity.flags(today) if f.kind == "prolonged_cytopenia"] == []  # B+20: not past B+30
        later = store.toxicity.flags(booster + timedelta(days=31))
        assert [f.kind for f in later if f.kind == "prolonged_cytopenia"] == ["prolonged_cytopenia"]


# -- command line and export -----------------------------------------------------------------------

def run(db, *args):
    return CliRunner().invoke(cli, ["--db", cli_db(db), *args])


def test_toxicity_json_carries_the_episode_past_day_30_and_the_late_events(store, db):
    crossing_day_30(store)
    store.events.add("ARI-001", "infection", DAY0 + timedelta(days=45), grade=3)
    result = run(db, "toxicity", "ARI-001", "--json")
    assert result.exit_code == 0, result.output
    first = json.loads(result.stdout)["summary"]["first_infusion"]
    assert first["status"] == "assessed" and first["window_days"] == 30 and first["window_complete"] is True
    assert (first["crs"]["onset_day"], first["crs"]["duration_days"], first["crs"]["max_grade"]) == (29, 7, 3)
    assert first["crs"]["resolution"] == (DAY0 + timedelta(days=36)).isoformat() and first["crs"]["ongoing"] is False
    # ICE 8 on D+31 and D+32: ICANS with onset after D+30 is a late episode, not ICANS within 30 days.
    assert first["icans"]["any"] is False and first["icans"]["max_grade"] == 0
    assert [(e["kind"], e["onset_day"], e["duration_days"]) for e in first["late_episodes"]] == [("icans", 31, 2)]
    assert [(e["kind"], e["onset_day"]) for e in first["late_events"]] == [("infection", 45)]
    assert first["prolonged_cytopenia"] is False and first["treatments"]["tocilizumab_mg"] == 560


def test_toxicity_text_gives_the_course_sentence(store, db):
    crossing_day_30(store)
    result = run(db, "toxicity", "ARI-001")
    assert "First infusion: Maximum CRS grade 3" in result.stdout
    assert "CRS from D+29 for 7 days, resolved D+36" in result.stdout


def test_endpoints_prints_the_table_with_its_as_of_date_denominator_and_the_patients_apart(store, db):
    crossing_day_30(store)
    register(store, "ARI-002", infused=False)
    text = run(db, "endpoints", "--as-of", TODAY.isoformat())
    assert text.exit_code == 0, text.output
    assert f"as of {TODAY}" in text.stdout
    assert "Denominator, infused (fraction 1 recorded given): 1\n    ARI-001\n" in text.stdout
    assert "ARI-002  infusion not recorded as given" in text.stdout
    assert [line.split()[:5] for line in text.stdout.splitlines() if line.startswith("CRS within")] == [
        ["CRS", "within", "30", "days", "1"]]
    data = json.loads(run(db, "endpoints", "--json", "--as-of", TODAY.isoformat()).stdout)
    safety = data["safety"]
    assert data["as_of"] == TODAY.isoformat() and safety["infused"] == ["ARI-001"]
    assert safety["crs"]["endpoint"] == "crs_within_30_days" and safety["crs"]["grade_3_or_more"] == 1
    assert safety["not_infused"][0]["reason"] == "infusion_not_recorded"


def test_endpoints_refuses_a_future_as_of_date_in_one_sentence(store, db):
    result = run(db, "endpoints", "--as-of", (date.today() + timedelta(days=1)).isoformat())
    assert result.exit_code == 2 and "in the future" in result.output


def test_the_export_writes_the_safety_fields_per_patient_and_infusion_and_the_endpoint_table(store, db, tmp_path):
    crossing_day_30(store)
    register(store, "ARI-002")  # infused, never assessed
    register(store, "ARI-003", infused=False)
    result = run(db, "export", "--out", str(tmp_path / "out"), "--as-of", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    with (tmp_path / "out" / "safety_endpoints.csv").open() as handle:
        rows = {r["study_id"]: r for r in csv.DictReader(handle)}
    assert (rows["ARI-001"]["crs_max_grade"], rows["ARI-001"]["crs_duration_days"]) == ("3", "7")
    assert rows["ARI-001"]["icans_any"] == "False" and rows["ARI-001"]["late_episodes"] == "1"
    assert rows["ARI-001"]["prolonged_cytopenia"] == "False" and rows["ARI-001"]["evaluable"] == "True"
    assert rows["ARI-002"]["status"] == "not_assessed" and rows["ARI-002"]["crs_max_grade"] == ""
    assert rows["ARI-003"]["status"] == "not_infused"
    assert rows["ARI-003"]["not_infused_reason"] == "infusion_not_recorded"
    with (tmp_path / "out" / "endpoint_table.csv").open() as handle:
        table = {r["endpoint"]: r for r in csv.DictReader(handle)}
    assert table["crs_within_30_days"]["infused"] == "2" and table["crs_within_30_days"]["evaluable"] == "1"
    assert table["crs_within_30_days"]["proportion"] == "1.0" and table["icans_within_30_days"]["not_infused"] == "1"
