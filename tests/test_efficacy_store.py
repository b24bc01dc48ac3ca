"""The efficacy tables read from the store (store.efficacy) and printed by `endpoints`: a cohort of
eight registered through the store, counted by hand. On a file and on the server."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from click.testing import CliRunner
from conftest import cli_db, open_store

from ari_desktop.cli import cli
from ari_desktop.core import protocol
from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, check_new_patient

P = protocol.load_default()
DAY0 = date(2025, 1, 6)
SCREENING = DAY0 - timedelta(days=30)
TODAY = DAY0 + timedelta(days=200)
NOW = datetime.combine(TODAY, time(15)).astimezone()


def at(day: int) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), time(10)).astimezone()


def register(store, study_id, infused=True, extramedullary=False):
    anchors = Anchors(SCREENING, DAY0, extramedullary=extramedullary)
    store.patients.add(check_new_patient(study_id, "AB", "F", 1960, anchors, P, TODAY))
    if infused:
        store.recordings.record(study_id, "D0", "infusion", done_at=at(0), dose=DoseGiven(0.3, 70.0))
    store.recordings.record(study_id, "SCR", "response", done_at=at(-30))
    store.results.record(study_id, "SCR", "response", {"serum_m_g_dl": "3.0"})


def result(store, study_id, timepoint, activity, day, values):
    store.recordings.record(study_id, timepoint, activity, done_at=at(day))
    store.results.record(study_id, timepoint, activity, values)


def m3(store, study_id, category):
    """M3 response labs (serum M-protein unchanged) and the physician's category."""
    result(store, study_id, "M3", "response", 100, {"serum_m_g_dl": "3.0"})
    proposed = store.results.responses(study_id)[-1].proposed
    store.results.review(study_id, "M3", category, reason=None if category == proposed else "read with the marrow")


@pytest.fixture
def db(database):
    with open_store(database, today=lambda: TODAY, now=lambda: NOW) as store:
        for study_id in ("E1", "E2", "E3", "E4", "E5", "E6", "E8"):
            register(store, study_id, extramedullary=study_id == "E8")
        register(store, "E7", infused=False)
        m3(store, "E1", "CR")
        result(store, "E1", "M3", "mrd_bm", 100, {"mrd_method": "next-generation flow", "mrd_sensitivity": "1e-5",
                                                  "mrd_result": "negative"})
        m3(store, "E2", "PR")
        m3(store, "E3", "SD")
        store.results.record_progression("E3", DAY0 + timedelta(days=150), "biochemical")
        store.patients.update_dates("E4", death=DAY0 + timedelta(days=50))
        m3(store, "E5", "VGPR")
        m3(store, "E8", "CR")
        result(store, "E8", "M3", "pet_ct", 100, {"pet_ct": "complete"})
        result(store, "E2", "M1", "cart_pb", 28, {"car_copies_per_ug": "15000", "car_cells_per_ul": "30"})
    return database


def run(db, *args):
    return CliRunner().invoke(cli, ["--db", cli_db(db), *args])


def test_endpoints_json_gives_the_efficacy_tables_the_hand_count_gives(db):
    result = run(db, "endpoints", "--json", "--as-of", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"safety", "efficacy"}
    efficacy = data["efficacy"]
    assert efficacy["infused"] == ["E1", "E2", "E3", "E4", "E5", "E6", "E8"]
    assert [p["study_id"] for p in efficacy["not_infused"]] == ["E7"]
    e = efficacy["endpoints"]
    # every infused patient is evaluable at M3 (window over on D+107; E4 died on D+50: no response)
    assert (e["orr_month_3"]["count"], e["orr_month_3"]["of"]) == (4, 7)
    assert e["orr_month_3"]["patient_ids"] == ["E1", "E2", "E5", "E8"]
    assert (e["cr_month_3"]["count"], e["cr_month_3"]["patient_ids"]) == (2, ["E1", "E8"])
    assert e["orr_month_3"]["unreviewed"] == 0
    assert (e["mrd_negative_month_3"]["count"], e["mrd_negative_month_3"]["no_mrd_result"]) == (1, 6)
    assert e["orr_month_6"]["of"] == 7  # the M6 window ended on D+187
    # M12 not over yet: evaluable only E3 (progressed, best SD) and E4 (died, no category)
    first_year = e["best_response_first_year"]
    counts = first_year["by_category"]
    assert (first_year["evaluable"], counts["SD"], counts["none yet"]) == (2, 1, 1)
    assert (e["pfs"]["events"], e["pfs"]["censored"]) == (2, 5)  # E3 progressed, E4 died
    assert (e["os"]["events"], e["os"]["censored"]) == (1, 6)
    assert (e["extramedullary_response_month_3"]["count"], e["extramedullary_response_month_3"]["of"]) == (1, 1)
    assert (e["car_t_M1"]["with_value"], e["car_t_M1"]["detectable"]) == (1, 1)
    assert e["time_to_cr"]["n"] == 2
    assert efficacy["curves"]["pfs"]["at_risk"]["0"] == 7


def test_endpoints_prints_the_safety_table_then_the_efficacy_tables(db):
    result = run(db, "endpoints", "--as-of", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.index("Safety endpoints of ARI0002h") < text.index("Efficacy endpoints of ARI0002h")
    assert ("  Overall response (PR or better) at month 3 (primary endpoint): 4 / 7 (57.1 %, 95 % CI 18.4–90.1)"
            in text)
    assert "Denominator: 7 infused (fraction 1 recorded given); 1 not infused" in text


@pytest.mark.file_only
def test_the_store_reads_the_cohort_in_a_few_queries_not_one_per_patient(db):
    with open_store(db, today=lambda: TODAY, now=lambda: NOW) as store:
        store.efficacy.endpoints(TODAY)  # the parts built, the protocol read
        seen = []
        store.db.set_trace_callback(seen.append)
        store.efficacy.endpoints(TODAY)
        store.db.set_trace_callback(None)
    selects = [sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 10, selects  # patients, infusions, results, reviews, progressions, assessments, events...


@pytest.mark.parametrize("days", [60, 120, 200])
def test_the_kaplan_meier_figures_count_pfs_and_os_as_the_efficacy_tables_do(db, days):
    as_of = DAY0 + timedelta(days=days)
    with open_store(db, today=lambda: TODAY, now=lambda: NOW) as store:
        tables, survival = store.efficacy.endpoints(as_of), store.efficacy.survival(as_of)
    assert {code: km.as_json() for code, km in survival.curves.items()} == {
        code: tables.curves[code].as_json() for code in ("pfs", "os")}
    assert [(r.code, r.label, r.value, r.note, r.evaluable) for r in survival.rows()] == [
        (r.code, r.label, r.value, r.note, r.evaluable) for r in tables.rows() if r.code in ("pfs", "os")]
    assert survival.numbers == {code: tables.numbers[code] for code in ("pfs", "os")}
    assert (survival.infused, survival.not_infused) == (tables.infused, tables.not_infused)
