"""Blood counts, tumour-lysis lab sets and the events they give, through the store and the command
line; the site's lower limits of normal in the protocol file."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from conftest import cli_db, open_store

from ari_desktop.cli import cli
from ari_desktop.core import protocol
from ari_desktop.core.ctcae import TlsLabs
from ari_desktop.core.dates import to_utc_text
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.protocol import ProtocolError
from ari_desktop.store import Store

P = protocol.load_default()
TODAY = date(2026, 11, 26)
DAY0 = date(2026, 11, 16)
NOW = datetime(2026, 11, 26, 15, 0).astimezone()


def at(day: int, hour: int = 9) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time()).replace(hour=hour).astimezone()


@pytest.fixture
def store(database):
    """Two patients, on an SQLite file and on a server database."""
    with open_store(database, today=lambda: TODAY, now=lambda: NOW) as store:
        for study_id, sex in (("ARI-001", "F"), ("ARI-002", "M")):
            store.patients.add(check_new_patient(study_id, "AB", sex, 1960, Anchors(date(2026, 9, 1), DAY0), P, TODAY))
        yield store


def rows(store: Store, table: str) -> int:
    return store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# -- counts and the cytopenia events they give ----------------------------------------------------

def test_a_count_is_stored_in_utc_with_who_recorded_it_and_through_the_change_log(store):
    saved = store.counts.add("ARI-001", at(2), neutrophils=0.4, platelets=40)
    assert {k: g.grade for k, g in saved.grades.items()} == {"neutropenia": 4, "thrombocytopenia": 3}
    stored = store.db.execute("SELECT measured_at, haemoglobin, recorded_by FROM blood_counts").fetchone()
    assert stored == (to_utc_text(at(2)), None, "clinician") and stored[0].endswith("+00:00")
    (change,) = store.changes.all("blood_counts")
    assert change.action == "insert" and change.new["neutrophils"] == 0.4


def test_the_patients_sex_picks_the_haemoglobin_lower_limit(store):
    assert store.counts.add("ARI-001", at(2), haemoglobin=12.5).grades["anaemia"].grade == 0
    assert store.counts.add("ARI-002", at(2), haemoglobin=12.5).grades["anaemia"].grade == 1


def test_the_cytopenia_event_follows_the_series_and_a_normal_count_resolves_it(store):
    store.counts.add("ARI-001", at(2), neutrophils=1.2)
    store.counts.add("ARI-001", at(4), neutrophils=0.3)
    (event,) = store.events.of("ARI-001")
    assert (event.kind, event.grade, event.onset, event.resolution) == ("neutropenia", 4, DAY0 + timedelta(2), None)
    store.counts.add("ARI-001", at(9), neutrophils=2.4)  # the recovery, not an error
    (event,) = store.events.of("ARI-001")
    assert (event.grade, event.resolution, event.from_counts) == (4, DAY0 + timedelta(9), True)
    assert "from the count of" in event.grade_reason


def test_a_second_episode_after_recovery_is_a_second_event(store):
    for day, value in ((2, 0.8), (6, 2.5), (8, 1.1)):
        store.counts.add("ARI-001", at(day), neutrophils=value)
    assert [(e.onset, e.grade, e.resolution) for e in store.events.of("ARI-001")] == [
        (DAY0 + timedelta(2), 3, DAY0 + timedelta(6)), (DAY0 + timedelta(8), 2, None)]


def test_a_cytopenia_from_the_counts_is_resolved_by_a_count_not_by_hand(store):
    store.counts.add("ARI-001", at(2), neutrophils=0.8)
    with pytest.raises(ClinicalInputError, match="no toxicity event number"):
        store.events.resolve("ARI-001", None, DAY0 + timedelta(5))


def test_a_cytopenia_graded_clinically_is_still_recorded_by_hand(store):
    event = store.events.add("ARI-001", "anaemia", DAY0 + timedelta(3), grade=4, notes="transfusion-dependent")
    assert (event.grade, event.from_counts) == (4, False)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({}, "neutrophils"),
    ({"neutrophils": -0.1}, "anc"),
    ({"platelets": 2500}, "platelets"),
    ({"haemoglobin": 95}, "haemoglobin"),  # g/L typed for g/dL
])
def test_a_bad_count_is_refused_and_nothing_is_written(store, kwargs, field):
    with pytest.raises(ClinicalInputError) as error:
        store.counts.add("ARI-001", at(2), **kwargs)
    assert error.value.field == field and rows(store, "blood_counts") == 0 and store.changes.all("blood_counts") == []


def test_a_count_in_the_future_or_twice_at_the_same_time_is_refused(store):
    with pytest.raises(ClinicalInputError, match="in the future"):
        store.counts.add("ARI-001", NOW + timedelta(hours=1), neutrophils=1.0)
    store.counts.add("ARI-001", at(2), neutrophils=1.0)
    with pytest.raises(ClinicalInputError, match="already recorded"):
        store.counts.add("ARI-001", at(2), neutrophils=0.2)
    assert rows(store, "blood_counts") == 1


# -- tumour lysis lab sets ------------------------------------------------------------------------

def test_a_lab_set_is_stored_and_read_against_the_baseline(store):
    store.labs.add("ARI-001", at(-4), TlsLabs(300, 4.0, 1.0, 2.3), baseline=True)
    lab_set, finding = store.labs.add("ARI-001", at(2), TlsLabs(380, 5.0, 1.1, 2.3), creatinine_x_uln=1.6)
    assert (lab_set.id, finding.laboratory, finding.clinical, finding.window_day) == (2, True, True, "D+2")
    assert finding.baseline.measured_at == at(-4)
    assert len(store.changes.all("tls_labs")) == 2
    assert store.events.of("ARI-001") == []  # the CTCAE grade of TLS is the physician's: recorded as an event


def test_a_lab_set_needs_the_four_electrolytes(store):
    with pytest.raises(ClinicalInputError, match="Give the calcium") as error:
        store.labs.add("ARI-001", at(2), TlsLabs(300, 4.0, 1.0, None))
    assert error.value.field == "calcium" and rows(store, "tls_labs") == 0


# -- events: kinds, grades, cause of death --------------------------------------------------------

def test_grade_5_neutropenia_and_grade_2_tls_are_refused_anaemia_5_accepted(store):
    with pytest.raises(ClinicalInputError, match="grades 1–4"):
        store.events.add("ARI-001", "neutropenia", DAY0, grade=5)
    with pytest.raises(ClinicalInputError, match="grades 3–5"):
        store.events.add("ARI-001", "tls", DAY0, grade=2)
    assert store.events.add("ARI-001", "anaemia", DAY0, grade=5).grade == 5


def test_delayed_neurotoxicity_is_stored_with_how_it_shows(store):
    event = store.events.add("ARI-001", "delayed_neurotoxicity", DAY0 + timedelta(8), grade=2, subtype="parkinsonism")
    assert (event.label, event.subtype) == ("Delayed neurotoxicity: parkinsonism", "parkinsonism")


def test_a_death_from_crs_shows_as_crs_grade_5_on_the_date_of_death(store):
    death = DAY0 + timedelta(9)
    with pytest.raises(ClinicalInputError, match="no date of death recorded"):
        store.events.add("ARI-001", "death", death, subtype="crs")
    store.patients.update_dates("ARI-001", death=death)
    with pytest.raises(ClinicalInputError, match=f"The date of death of ARI-001 is {death}, not"):
        store.events.add("ARI-001", "death", death - timedelta(1), subtype="crs")
    event = store.events.add("ARI-001", "death", death, subtype="crs")
    assert (event.grade, event.term, event.label) == (5, "crs", "Death from cytokine release syndrome (CRS grade 5)")
    with pytest.raises(ClinicalInputError, match="already recorded"):
        store.events.add("ARI-001", "death", death, subtype="infection")
    with pytest.raises(ClinicalInputError, match="A death has no resolution date"):
        store.events.resolve("ARI-001", event.id, death)


# -- the site's lower limits of normal in the protocol file ---------------------------------------

SHIPPED = protocol.shipped_text()


def test_a_site_sets_its_own_haemoglobin_limits():
    edited = protocol.parse(SHIPPED.replace("haemoglobin_lln_men = 13.0", "haemoglobin_lln_men = 13.5"), "unit.toml")
    assert dict(edited.count_lln)["haemoglobin_lln_men"] == 13.5


def test_a_file_without_the_counts_table_takes_the_documented_defaults():
    start, end = SHIPPED.index("[counts]"), SHIPPED.index("haemoglobin_lln_men = 13.0\n")
    without = protocol.parse(SHIPPED[:start] + SHIPPED[end + len("haemoglobin_lln_men = 13.0\n"):], "unit.toml")
    assert dict(without.count_lln) == {"neutrophils_lln": 2.0, "platelets_lln": 150.0, "haemoglobin_lln_women": 12.0,
                                       "haemoglobin_lln_men": 13.0}


@pytest.mark.parametrize(("old", "new", "words"), [
    ("haemoglobin_lln_women = 12.0", "haemoglobin_lln_women = 120", "from 8 to 20 g/dL, found 120"),
    ("platelets_lln = 150.0", 'platelets_lln = "150"', "a number in ×10⁹/L, found '150'"),
    ("neutrophils_lln = 2.0", "neutrophils_lln = true", "from 0.5 to 10 ×10⁹/L, found True"),
    ("neutrophils_lln = 2.0", "neutrophil_lln = 2.0", "unknown field"),
])
def test_a_wrong_lower_limit_is_refused_with_its_line_and_field(old, new, words):
    text = SHIPPED.replace(old, new)
    with pytest.raises(ProtocolError) as error:
        protocol.parse(text, "unit.toml")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith(new.split(" =")[0] + " ="))
    assert f"line {line}: [counts] field '{new.split(' =')[0]}'" in str(error.value) and words in str(error.value)


# -- an older database ----------------------------------------------------------------------------

def test_events_recorded_before_the_migration_keep_a_null_subtype(tmp_path, monkeypatch):
    from ari_desktop.store import schema

    path = tmp_path / "old.db"
    with monkeypatch.context() as old_version:
        old_version.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
        schema.migrate(path)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO patients (study_id, initials, sex, birth_year, protocol, screening_date)"
               " VALUES ('ARI-001', 'AB', 'F', 1960, 'ARI0002h', '2026-09-01')")
    db.execute("INSERT INTO toxicity_events (patient_id, kind, grade, grade_reason, onset_date, notes, recorded_by)"
               " VALUES (1, 'infection', 3, 'grade 3: CTCAE, as assessed', '2026-11-20', '', 'dr')")
    db.commit()
    db.close()
    with open_store(path, today=lambda: TODAY, now=lambda: NOW) as store:
        (event,) = store.events.of("ARI-001")
        assert (event.kind, event.subtype, event.label) == ("infection", None, "Infection")
        assert store.counts.of("ARI-001") == []


# -- command line ---------------------------------------------------------------------------------

def run(path, *args):
    return CliRunner().invoke(cli, ["--db", cli_db(path), *args])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "cli.db"
    assert run(path, "patient", "add", "--study-id", "ARI-001", "--initials", "AB", "--sex", "M", "--birth-year",
               "1960", "--screening-date", "2025-01-02", "--infusion-date", "2025-02-03").exit_code == 0
    return path


def test_count_prints_the_grades_and_counts_lists_the_series_and_the_cytopenias(db):
    result = run(db, "count", "ARI-001", "--at", "2025-02-05T09:00", "--neutrophils", "0.4", "--haemoglobin", "12.5")
    assert result.exit_code == 0, result.output
    assert "grade 4: neutrophils 0.4" in result.output and "grade 1: haemoglobin 12.5 g/dL" in result.output
    assert run(db, "count", "ARI-001", "--at", "2025-02-12T09:00", "--neutrophils", "2.2").exit_code == 0
    listed = json.loads(run(db, "counts", "ARI-001", "--json").output)
    assert [c["grades"]["neutropenia"]["grade"] for c in listed["counts"]] == [4, 0]
    assert [(e["kind"], e["grade"], e["onset"], e["resolution"]) for e in listed["cytopenias"]] == [
        ("neutropenia", 4, "2025-02-05", "2025-02-12"), ("anaemia", 1, "2025-02-05", None)]
    assert "Neutropenia from 2025-02-05, worst grade 4, resolved 2025-02-12" in run(db, "counts", "ARI-001").output


def test_count_without_a_value_exits_2_with_one_sentence(db):
    result = run(db, "count", "ARI-001", "--at", "2025-02-05T09:00")
    assert result.exit_code == 2 and "Give at least one value" in result.output


def test_labs_prints_the_cairo_bishop_reading_and_asks_the_physician_for_the_grade(db):
    assert run(db, "labs", "ARI-001", "--at", "2025-01-31T08:00", "--uric-acid", "300", "--potassium", "4.0",
               "--phosphate", "1.0", "--calcium", "2.3", "--baseline").exit_code == 0
    result = run(db, "labs", "ARI-001", "--at", "2025-02-05T08:00", "--uric-acid", "380", "--potassium", "5.0",
                 "--phosphate", "1.1", "--calcium", "2.3", "--arrhythmia", "--json")
    assert result.exit_code == 0, result.output
    reading = json.loads(result.output)
    assert (reading["laboratory_tls"], reading["clinical_tls"], reading["window_day"]) == (True, True, "D+2")
    assert reading["baseline_at"].startswith("2025-01-31")


def test_event_refuses_a_grade_the_term_does_not_have(db):
    result = run(db, "event", "ARI-001", "--kind", "tls", "--onset", "2025-02-05", "--grade", "2")
    assert result.exit_code == 2 and "Tumour lysis syndrome has grades 3–5" in result.output
    assert run(db, "event", "ARI-001", "--kind", "tls", "--onset", "2025-02-05", "--grade", "3").exit_code == 0
