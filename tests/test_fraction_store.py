"""The go / hold gate where the data is written: the store, the command line, an old database, the demo.

Each test checks what a physician or data manager would check afterwards: the row stored (what was
seen, the override, no invented reason, the dose and weight), the sentence of a refusal, and that
a refused input left the database unchanged.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import cli_db, open_store
from hypothesis import HealthCheck, given, settings
from test_gate import operations  # the same generated courses as the pure rules' properties

from ari_desktop.cli import cli
from ari_desktop.core import gate, protocol
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.toxicity import BedsideFindings
from ari_desktop.store import Store, schema

P = protocol.load_default()
TODAY = date(2026, 11, 30)
DAY0 = date(2026, 11, 16)
NOW = datetime(2026, 11, 30, 15, 0).astimezone()
DOSE = DoseGiven(0.9, 72.5)
CALM, FEVER = BedsideFindings(36.8), BedsideFindings(38.3)
ON_CANNULA = BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4)


def at(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time()).replace(
        hour=hour, minute=minute).astimezone()


def open_unit(path: Path) -> Store:
    return open_store(path, today=lambda: TODAY, now=lambda: NOW)


@pytest.fixture
def store(database):
    """ARI-001, on an SQLite file and on a server database."""
    with open_unit(database) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(date(2026, 9, 1), DAY0), P, TODAY))
        yield store


def give(store: Store, timepoint: str, moment: datetime, dose: DoseGiven = DOSE):
    return store.recordings.record("ARI-001", timepoint, "infusion", done_at=moment, dose=dose)


def changes(store: Store) -> int:
    return store.db.execute("SELECT count(*) FROM change_log").fetchone()[0]


def fraction_2_given(store: Store) -> None:
    give(store, "D0", at(0, 11), DoseGiven(0.3, 72.5))
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    give(store, "D+3", at(3, 11))


# -- what the decision keeps ------------------------------------------------------------------------

def test_a_go_with_no_reason_stores_no_reason_never_a_sentence_nobody_wrote(store):
    store.assessments.add("ARI-001", at(3, 7), CALM)
    decision = store.fractions.decide("ARI-001", "D+3", "go", "  ", decided_at=at(3, 9))
    assert decision.reason is None and decision.override is False
    assert store.db.execute("SELECT reason FROM fraction_decisions").fetchone() == (None,)
    assert store.changes.all("fraction_decisions")[-1].new["reason"] is None


def test_the_decision_keeps_the_assessment_seen_its_grades_and_how_old_it_was(store):
    seen = store.assessments.add("ARI-001", at(3, 7, 30), CALM)
    decision = store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    assert (decision.assessment_seen, decision.crs_grade_seen, decision.icans_grade_seen) == (seen.id, 0, 0)
    assert decision.assessment_age_seen == timedelta(minutes=90)


def test_a_decision_entered_late_keeps_what_was_seen_then_not_an_assessment_made_after_it(store):
    before = store.assessments.add("ARI-001", at(3, 7), CALM)
    store.assessments.add("ARI-001", at(3, 10), ON_CANNULA)  # entered first, made after the decision
    decision = store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    assert (decision.assessment_seen, decision.crs_grade_seen, decision.override) == (before.id, 0, False)


def test_a_go_against_active_crs_is_refused_without_a_reason_and_nothing_is_written(store):
    store.assessments.add("ARI-001", at(3, 7), ON_CANNULA)
    written = changes(store)
    with pytest.raises(ClinicalInputError, match="a go now is an override and needs the physician's reason") as refused:
        store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    assert refused.value.field == "reason"
    assert store.fractions.of("ARI-001") == [] and changes(store) == written


def test_a_go_against_active_crs_with_a_reason_is_stored_as_an_override(store):
    store.assessments.add("ARI-001", at(3, 7), ON_CANNULA)
    decision = store.fractions.decide("ARI-001", "D+3", "go", "CRS settling on 2 L", decided_at=at(3, 9))
    assert (decision.override, decision.reason, decision.crs_grade_seen) == (True, "CRS settling on 2 L", 2)
    assert store.db.execute("SELECT override FROM fraction_decisions").fetchone() == (1,)


def test_a_hold_is_always_allowed_with_a_reason_even_without_toxicity(store):
    store.assessments.add("ARI-001", at(3, 7), CALM)
    decision = store.fractions.decide("ARI-001", "D+3", "hold", "bed not available", decided_at=at(3, 9))
    assert (decision.decision, decision.override) == ("hold", False)


# -- recording an aliquot given ----------------------------------------------------------------------

def test_fraction_3_is_refused_while_fraction_2_is_held(store):
    give(store, "D0", at(0, 11), DoseGiven(0.3, 72.5))
    store.fractions.decide("ARI-001", "D+3", "hold", "CRS grade 2", decided_at=at(3, 9))
    store.fractions.decide("ARI-001", "D+7", "go", "", decided_at=at(7, 9))
    written = changes(store)
    with pytest.raises(ClinicalInputError, match="cannot be given before the fraction at D\\+3 is given") as refused:
        give(store, "D+7", at(7, 11))
    assert refused.value.field == "done_at" and changes(store) == written


def test_fraction_3_an_hour_after_a_late_fraction_2_is_refused_and_accepted_24_hours_after(store):
    give(store, "D0", at(0, 11), DoseGiven(0.3, 72.5))
    store.fractions.decide("ARI-001", "D+3", "hold", "CRS grade 2", decided_at=at(3, 9))
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(6, 9))
    give(store, "D+3", at(6, 10))
    store.fractions.decide("ARI-001", "D+7", "go", "", decided_at=at(7, 9))
    with pytest.raises(ClinicalInputError, match="less than 24 hours from the fraction at D\\+3"):
        give(store, "D+7", at(6, 11))
    assert give(store, "D+7", at(7, 10)).status == "done"


def test_a_go_taken_days_before_no_longer_clears_the_fraction(store):
    give(store, "D0", at(0, 11), DoseGiven(0.3, 72.5))
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(1, 9))
    with pytest.raises(ClinicalInputError, match="it has expired; a new decision is needed"):
        give(store, "D+3", at(3, 11))


def test_a_go_followed_by_a_worse_assessment_before_the_aliquot_is_void(store):
    give(store, "D0", at(0, 11), DoseGiven(0.3, 72.5))
    store.assessments.add("ARI-001", at(3, 7), CALM)
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    store.assessments.add("ARI-001", at(3, 10), FEVER)
    with pytest.raises(ClinicalInputError, match="is void: a later assessment shows CRS grade 1"):
        give(store, "D+3", at(3, 11))
    assert store.fractions.awaiting_decision("ARI-001", TODAY) == "D+3"


def test_an_aliquot_given_keeps_its_dose_and_weight_and_a_correction_keeps_the_old_ones(store):
    fraction_2_given(store)
    entry = next(e for e in store.schedules.of("ARI-001", TODAY)
                 if (e.item.timepoint, e.item.activity) == ("D+3", "infusion"))
    assert (entry.recording.dose_million_cells_per_kg, entry.recording.weight_kg) == (0.9, 72.5)
    assert entry.as_json()["dose_million_cells_per_kg"] == 0.9 and entry.as_json()["weight_kg"] == 72.5
    store.recordings.record("ARI-001", "D+3", "infusion", done_at=at(3, 11), dose=DoseGiven(0.85, 72.5),
                 correction_reason="part of the bag was lost")
    change = store.changes.all("recordings")[-1]
    assert change.old == {"dose_million_cells_per_kg": 0.9} and change.new == {"dose_million_cells_per_kg": 0.85}
    assert change.reason == "part of the bag was lost"


def test_an_infusion_given_without_its_dose_and_weight_is_refused(store):
    with pytest.raises(ClinicalInputError, match="recorded given with the dose given") as refused:
        store.recordings.record("ARI-001", "D0", "infusion", done_at=at(0, 11))
    assert refused.value.field == "dose" and store.db.execute("SELECT count(*) FROM recordings").fetchone() == (0,)


def test_a_dose_is_refused_with_a_sample_or_an_infusion_not_given_and_not_needed_for_the_latter(store):
    with pytest.raises(ClinicalInputError, match="only with an infusion given"):
        store.recordings.record("ARI-001", "D0", "sbcma", done_at=at(0, 9), dose=DOSE)
    with pytest.raises(ClinicalInputError, match="only with an infusion given"):
        store.recordings.record("ARI-001", "D0", "infusion", not_done_reason="bag failed release", dose=DOSE)
    entry = store.recordings.record("ARI-001", "D0", "infusion", not_done_reason="bag failed release")
    assert entry.status == "not_done"


# -- the property, through the store -----------------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A database with one patient at day 0, copied for each generated sequence."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    with open_unit(path) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(date(2026, 9, 1), DAY0), P, TODAY))
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations())
def test_through_the_store_no_sequence_gives_a_fraction_the_gate_forbids(template, steps):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "unit.db"
        shutil.copy(template, path)
        with open_unit(path) as store:
            for kind, timepoint, hour, findings, with_reason in steps:
                moment = at(0, 0) + timedelta(hours=hour)
                try:
                    if kind == "assess":
                        store.assessments.add("ARI-001", moment, findings)
                    elif kind in ("go", "hold"):
                        store.fractions.decide("ARI-001", timepoint, kind, "as written" if with_reason else "",
                                              decided_at=moment)
                    else:
                        before = given_times(store)
                        give(store, timepoint, moment)
                        check_accepted(store, timepoint, moment, before)
                except ClinicalInputError:
                    continue


def given_times(store: Store) -> dict[str, datetime]:
    return {e.item.timepoint: e.recording.done_at for e in store.schedules.of("ARI-001", TODAY)
            if e.item.activity == "infusion" and e.status == "done"}


def check_accepted(store: Store, timepoint: str, moment: datetime, before: dict[str, datetime]) -> None:
    order = gate.fraction_timepoints(P)
    for earlier in order[:order.index(timepoint)]:
        assert before[earlier] + timedelta(hours=P.min_hours_between_fractions) <= moment
    if timepoint in P.go_decision_before:
        latest = store.fractions.latest("ARI-001", timepoint, before=moment)
        assert latest.decision == "go" and moment - latest.decided_at <= timedelta(hours=P.go_valid_hours)
        assert not [a for a in store.assessments.of("ARI-001") if latest.decided_at < a.at <= moment
                    and max(a.crs.grade, a.icans.grade) >= 1]


# -- the command line -----------------------------------------------------------------------------------

@pytest.fixture
def unit(tmp_path):
    """A patient 3 days after day 0 (today), through the command line."""
    db = tmp_path / "cli.db"
    base = ["--db", cli_db(db)]
    day0 = date.today() - timedelta(days=3)
    run = CliRunner().invoke
    assert run(cli, [*base, "patient", "add", "--study-id", "ARI-005", "--initials", "GH", "--sex", "M",
                     "--birth-year", "1958", "--screening-date", (day0 - timedelta(days=40)).isoformat(),
                     "--infusion-date", day0.isoformat()]).exit_code == 0
    return base, day0


def test_the_command_line_refuses_a_bare_go_against_active_crs_and_accepts_it_with_a_reason(unit):
    base, day0 = unit
    run = CliRunner().invoke
    morning = datetime.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    assert run(cli, [*base, "assess", "ARI-005", "--at", morning.strftime("%Y-%m-%dT%H:%M"),
                     "--temperature", "38.4", "--ice", "10", "--oxygen", "none",
                     "--consciousness", "alert", "--seizure", "none", "--edema", "none"]).exit_code == 0
    bare = run(cli, [*base, "fraction", "ARI-005", "--timepoint", "D+3", "--go"])
    assert bare.exit_code == 2 and bare.stderr.count("\n") == 1 and "is an override" in bare.stderr
    saved = run(cli, [*base, "fraction", "ARI-005", "--timepoint", "D+3", "--go", "--reason", "fever only",
                      "--json"])
    assert saved.exit_code == 0, saved.output
    decision = json.loads(saved.stdout)
    assert (decision["override"], decision["reason"], decision["crs_grade_seen"]) == (True, "fever only", 1)
    assert decision["assessment_seen"] == 1 and 119 <= decision["assessment_age_minutes"] <= 121
    assert decision["valid_until"] is not None
    listed = json.loads(run(cli, [*base, "toxicity", "ARI-005", "--json"]).stdout)["fraction_decisions"]
    assert listed == [decision]


def test_the_command_line_records_an_infusion_only_with_its_dose_and_weight_typed_either_way(unit):
    base, day0 = unit
    run = CliRunner().invoke
    given_at = f"{day0.isoformat()}T11:00"
    bare = run(cli, [*base, "record", "ARI-005", "--timepoint", "D0", "--activity", "infusion", "--done-at", given_at])
    assert bare.exit_code == 2 and "dose given" in bare.stderr
    half = run(cli, [*base, "record", "ARI-005", "--timepoint", "D0", "--activity", "infusion", "--done-at",
                     given_at, "--dose", "0.3"])
    assert half.exit_code == 2 and "both --dose and --weight" in half.stderr
    wrong = run(cli, [*base, "record", "ARI-005", "--timepoint", "D0", "--activity", "infusion", "--done-at",
                      given_at, "--dose", "300000", "--weight", "72,5"])
    assert wrong.exit_code == 2 and "outside the plausible range" in wrong.stderr
    done = run(cli, [*base, "record", "ARI-005", "--timepoint", "D0", "--activity", "infusion", "--done-at",
                     given_at, "--dose", "0,3", "--weight", "72,5"])
    assert done.exit_code == 0, done.output
    items = json.loads(run(cli, [*base, "schedule", "ARI-005", "--json"]).stdout)
    infusion = next(i for i in items if (i["timepoint"], i["activity"]) == ("D0", "infusion"))
    assert (infusion["dose_million_cells_per_kg"], infusion["weight_kg"]) == (0.3, 72.5)


# -- an old database, the demo --------------------------------------------------------------------------

def test_a_database_from_before_the_gate_opens_with_nulls_and_loses_the_invented_reason(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    with monkeypatch.context() as old_version:
        old_version.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
        schema.migrate(path)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO patients (study_id, initials, sex, birth_year, protocol, screening_date, day0_date)"
               " VALUES ('ARI-001', 'AB', 'F', 1960, 'ARI0002h', '2026-09-01', '2026-11-16')")
    for reason in ("no active CRS or ICANS", "checked at the bedside"):
        db.execute("INSERT INTO fraction_decisions (patient_id, timepoint, decision, reason, decided_by, decided_at,"
                   " crs_grade_seen, icans_grade_seen) VALUES (1, 'D+3', 'go', ?, 'Dr Ruiz',"
                   " '2026-11-19T08:00:00+00:00', 0, 0)", [reason])
    db.execute("INSERT INTO recordings (patient_id, timepoint, activity, outcome, done_at, recorded_by, recorded_at)"
               " VALUES (1, 'D0', 'infusion', 'done', '2026-11-16T10:00:00+00:00', 'nurse',"
               " '2026-11-16T10:05:00+00:00')")
    db.commit()
    db.close()
    with open_unit(path) as store:
        first, second = store.fractions.of("ARI-001")
        assert (first.reason, first.override, first.assessment_seen) == (None, None, None)
        assert second.reason == "checked at the bedside"
        change = store.changes.all("fraction_decisions", 1)[-1]
        assert change.old == {"reason": "no active CRS or ICANS"} and change.new == {"reason": None}
        infusion = next(e for e in store.schedules.of("ARI-001", TODAY) if (e.item.timepoint, e.item.activity)
                        == ("D0", "infusion"))
        assert infusion.status == "done" and infusion.recording.dose_million_cells_per_kg is None


def test_the_demo_cohort_gives_every_fraction_through_the_gate_with_its_dose_and_weight(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "demo.db"), "demo", "--patients", "60"])
    assert result.exit_code == 0, result.output
    db = sqlite3.connect(tmp_path / "demo.db")
    missing = db.execute("SELECT count(*) FROM recordings WHERE activity = 'infusion' AND outcome = 'done'"
                         " AND (dose_million_cells_per_kg IS NULL OR weight_kg IS NULL)").fetchone()[0]
    overrides_without_reason = db.execute(
        "SELECT count(*) FROM fraction_decisions WHERE override = 1 AND reason IS NULL").fetchone()[0]
    given = db.execute("SELECT count(*) FROM recordings WHERE timepoint = 'D+7' AND outcome = 'done'").fetchone()[0]
    assert missing == 0 and overrides_without_reason == 0 and given > 20
