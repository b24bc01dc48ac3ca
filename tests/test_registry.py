"""The registry export (EBMT MED-A Day 100, CIBMTR form 4100): one row per patient and infusion, each field
as a hand count of a small cohort gives it, on a file and on the server; the export and its audit entry."""

import csv
from datetime import date, datetime, time, timedelta

import pytest
from click.testing import CliRunner
from conftest import open_store

from ari_desktop.cli import cli
from ari_desktop.core import protocol
from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.toxicity import BedsideFindings, Treatments
from ari_desktop.reports import dictionary
from ari_desktop.reports.registry import COLUMNS, registry_frame

P = protocol.load_default()
DAY0 = date(2024, 1, 8)
BOOSTER = DAY0 + timedelta(days=120)
DEATH = DAY0 + timedelta(days=200)
TODAY = DAY0 + timedelta(days=230)
NOW = datetime.combine(TODAY, time(15)).astimezone()
NO_FEVER = BedsideFindings(37.0)
FEVER_ON_CANNULA = BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4, ice=8)  # CRS 2, ICANS 1
FEVER = BedsideFindings(38.4)  # CRS 1


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour)).astimezone()


def on(days: int, anchor: date = DAY0) -> date:
    return anchor + timedelta(days=days)


def done(store, study_id, timepoint, activity, day, **dose):
    store.recordings.record(study_id, timepoint, activity, done_at=at(day), **dose)


def result(store, study_id, timepoint, activity, day, **values):
    done(store, study_id, timepoint, activity, day)
    store.results.record(study_id, timepoint, activity, values)


@pytest.fixture
def store(database):
    """ARI-001: CRS 2 and ICANS 1, PR, a booster with CRS 1, progression, infections, died of progression.
    ARI-002: infused, nothing else recorded. ARI-003: registered, never infused."""
    with open_store(database, today=lambda: TODAY, now=lambda: NOW) as store:
        for study_id, day0, booster, death in (("ARI-001", DAY0, BOOSTER, DEATH), ("ARI-002", DAY0, None, None),
                                               ("ARI-003", None, None, None)):
            store.patients.add(check_new_patient(study_id, "AB", "F", 1960, Anchors(DAY0 - timedelta(days=40), day0),
                                                 P, DAY0 - timedelta(days=40)))
            if booster or death:
                store.patients.update_dates(study_id, booster=booster, death=death)
        for study_id in ("ARI-001", "ARI-002"):
            done(store, study_id, "D0", "infusion", DAY0, dose=DoseGiven(0.3, 70.0))
        # After fraction 1: CRS from D+2 (grade 2 on D+3, tocilizumab), ICANS 1 on D+3 (dexamethasone), both over
        # by D+5; a CRS 1 after the booster, on B+1, over on B+2.
        for day, findings, doses in ((1, NO_FEVER, None), (2, FEVER, None),
                                     (3, FEVER_ON_CANNULA, Treatments(tocilizumab_mg=560, dexamethasone_mg=10)),
                                     (4, FEVER, None), (5, NO_FEVER, None)):
            store.assessments.add("ARI-001", at(on(day), 7), findings, doses)
        done(store, "ARI-001", "B0", "infusion", BOOSTER, dose=DoseGiven(3.0, 70.0))
        for day, findings in ((1, FEVER), (2, NO_FEVER)):
            store.assessments.add("ARI-001", at(on(day, BOOSTER), 7), findings)
        # Serum M-protein 3 g/dL, then 1.2 at M1 and 1.0 at M2 (PR, confirmed at M2), 2.0 at M6 (progression).
        result(store, "ARI-001", "SCR", "response", DAY0 - timedelta(days=40), serum_m_g_dl=3.0, urine_m_mg_24h=0)
        result(store, "ARI-001", "M1", "response", on(28), serum_m_g_dl=1.2, urine_m_mg_24h=0)
        result(store, "ARI-001", "M2", "response", on(60), serum_m_g_dl=1.0, urine_m_mg_24h=0)
        result(store, "ARI-001", "M6", "response", on(182), serum_m_g_dl=2.0, urine_m_mg_24h=0)
        store.results.record_progression("ARI-001", on(182), "biochemical")
        result(store, "ARI-001", "M1", "cart_pb", on(28), car_copies_per_ug=52000, car_cells_per_ul=85.5)
        result(store, "ARI-001", "M2", "cart_pb", on(60), car_copies_per_ug=900)
        result(store, "ARI-001", "M6", "cart_pb", on(182), car_copies_per_ug=0, car_cells_per_ul=0)
        # Infections: two after fraction 1 (grades 2 and 3), one after the booster; one before day 0 counts nowhere.
        for onset, grade in ((DAY0 - timedelta(days=10), 2), (on(20), 2), (on(45), 3), (on(30, BOOSTER), 1)):
            store.events.add("ARI-001", "infection", onset, grade=grade)
        store.events.add("ARI-001", "death", DEATH, subtype="progression")
        yield store


def rows(store, as_of=TODAY):
    frame = registry_frame(store, as_of)
    return {(row["study_id"], row["infusion"]): row for row in frame.astype(object).where(frame.notna(), None)
            .to_dict("records")}


def test_one_row_per_patient_and_infusion_given_and_none_for_a_patient_never_infused(store):
    assert list(rows(store)) == [("ARI-001", "first"), ("ARI-001", "booster"), ("ARI-002", "first")]


def test_crs_icans_and_their_treatment_are_the_toxicity_summary_of_each_infusion(store):
    first, booster = rows(store)[("ARI-001", "first")], rows(store)[("ARI-001", "booster")]
    assert (first["crs"], first["crs_max_grade"], first["crs_onset_date"], first["crs_resolution_date"]) == \
        ("yes", 2, on(2), on(5))
    assert (first["icans"], first["icans_max_grade"], first["icans_onset_date"], first["icans_resolution_date"]) == \
        ("yes", 1, on(3), on(4))
    assert (first["tocilizumab"], first["tocilizumab_total_mg"], first["corticosteroids"],
            first["dexamethasone_total_mg"]) == ("yes", 560.0, "yes", 10.0)
    assert (booster["crs"], booster["crs_max_grade"], booster["crs_onset_date"], booster["icans"],
            booster["tocilizumab"], booster["corticosteroids"]) == ("yes", 1, on(1, BOOSTER), "no", "no", "no")


def test_an_infusion_nobody_assessed_has_its_toxicity_fields_empty_not_no(store):
    unassessed = rows(store)[("ARI-002", "first")]
    assert all(unassessed[name] is None for name in ("crs", "crs_max_grade", "icans", "tocilizumab", "corticosteroids"))
    assert unassessed["best_response"] is None and unassessed["car_t_detectable"] is None
    assert (unassessed["infections"], unassessed["survival_status"], unassessed["progression"]) == (0, "alive", "no")
    assert unassessed["last_contact_date"] == DAY0


def test_best_response_is_the_first_confirmed_pr_and_progression_falls_in_the_boosters_course(store):
    first, booster = rows(store)[("ARI-001", "first")], rows(store)[("ARI-001", "booster")]
    assert (first["best_response"], first["best_response_date"]) == ("PR", on(60))  # M1's PR awaited confirmation
    assert (first["progression"], first["progression_date"]) == ("no", None)  # M6 is after the booster (D+120)
    assert (booster["progression"], booster["progression_date"], booster["progression_found_by"]) == \
        ("yes", on(182), "biochemical")


def test_persistence_is_the_last_measurement_of_each_course(store):
    first, booster = rows(store)[("ARI-001", "first")], rows(store)[("ARI-001", "booster")]
    assert (first["car_t_detectable"], first["car_t_last_date"], first["car_t_copies_per_ug"],
            first["car_t_cells_per_ul"]) == ("yes", on(60), 900.0, None)
    assert (booster["car_t_detectable"], booster["car_t_last_date"], booster["car_t_copies_per_ug"]) == \
        ("no", on(182), 0.0)


def test_infections_after_each_infusion_are_counted_with_their_worst_grade_and_first_onset(store):
    first, booster = rows(store)[("ARI-001", "first")], rows(store)[("ARI-001", "booster")]
    assert (first["infections"], first["infection_max_grade"], first["infection_first_onset"]) == (2, 3, on(20))
    assert (booster["infections"], booster["infection_max_grade"], booster["infection_first_onset"]) == \
        (1, 1, on(30, BOOSTER))


def test_survival_and_cause_of_death_as_known_on_the_as_of_date(store):
    dead = rows(store)[("ARI-001", "booster")]
    assert (dead["survival_status"], dead["last_contact_date"], dead["death_date"], dead["death_cause"]) == \
        ("dead", DEATH, DEATH, "progression")
    before = rows(store, DEATH - timedelta(days=1))[("ARI-001", "booster")]
    assert (before["survival_status"], before["death_date"], before["death_cause"]) == ("alive", None, None)
    assert before["last_contact_date"] == on(182)
    assert (before["progression"], before["infections"]) == ("yes", 1)
    earlier = rows(store, on(40))
    assert ("ARI-001", "booster") not in earlier  # not given yet
    assert (earlier[("ARI-001", "first")]["best_response"], earlier[("ARI-001", "first")]["infections"]) == (None, 1)


def test_every_registry_column_names_the_form_field_it_fills():
    assert tuple(dictionary.COLUMNS["registry"]) == COLUMNS
    for name, column in dictionary.COLUMNS["registry"].items():
        if name not in ("study_id", "infusion") and not name.endswith("_total_mg"):
            assert dictionary.MED_A in column.meaning and dictionary.FORM_4100 in column.meaning, name


@pytest.mark.file_only
def test_export_registry_writes_registry_csv_and_logs_the_export(tmp_path):
    db = tmp_path / "unit.db"
    with open_store(db) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(DAY0 - timedelta(days=40), DAY0),
                                             P, DAY0 - timedelta(days=40)))
        store.recordings.record("ARI-001", "D0", "infusion", done_at=at(DAY0), dose=DoseGiven(0.3, 70.0))
    out = tmp_path / "out"
    plain = CliRunner().invoke(cli, ["--db", str(db), "export", "--out", str(out)])
    assert plain.exit_code == 0, plain.output
    assert "responses.csv" in plain.stdout and not (out / "registry.csv").exists()
    result = CliRunner().invoke(cli, ["--db", str(db), "export", "--out", str(out), "--registry"])
    assert result.exit_code == 0, result.output
    assert "registry.csv" in result.stdout
    with (out / "registry.csv").open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    assert [(r["study_id"], r["infusion"], r["infusion_date"]) for r in written] == [("ARI-001", "first",
                                                                                      DAY0.isoformat())]
    with open_store(db) as store:
        exports = [str(e.new) for e in store.audit.trail() if e.kind.code == "export"]
    assert "registry export" not in exports[0] and f"and the registry export (analysis) → {out}" in exports[1]
