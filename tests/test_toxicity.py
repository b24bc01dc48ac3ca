"""Bedside toxicity: saved assessments, go/hold before fractions, events, flags."""

import json
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from conftest import GUI_USER, cli_db, open_store

from ari_desktop.cli import cli
from ari_desktop.core import grading, protocol
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.toxicity import (
    Assessment,
    BedsideFindings,
    Treatments,
    daily_course,
    fraction_label,
    split_at_booster,
)

P = protocol.load_default()
TODAY = date(2026, 11, 26)
DAY0 = date(2026, 11, 16)  # today is D+10
NOW = datetime(2026, 11, 26, 15, 0).astimezone()


def at(day: int, hour: int = 8) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time()).replace(hour=hour).astimezone()


@pytest.fixture
def store(database):
    """ARI-001, on an SQLite file and on a server database."""
    with open_store(database, today=lambda: TODAY, now=lambda: NOW) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(date(2026, 9, 1), DAY0), P, TODAY))
        yield store


FEVER_ON_CANNULA = BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4, ice=8)
DOSE = DoseGiven(0.9, 72.5)


def give(store, timepoint: str, moment: datetime):
    """Record the aliquot at `timepoint` given at `moment`, with a plausible dose and weight."""
    return store.recordings.record("ARI-001", timepoint, "infusion", done_at=moment, dose=DOSE)


def test_an_assessment_saves_the_computed_grades_with_reason_and_assessor(store):
    saved = store.assessments.add("ARI-001", at(2), FEVER_ON_CANNULA, Treatments(tocilizumab_mg=560))
    assert (saved.crs.grade, saved.icans.grade) == (2, 1)
    assert "nasal cannula" in saved.crs.reason and "ICE 8/10" in saved.icans.reason
    assert saved.assessor == GUI_USER and store.assessments.of("ARI-001") == [saved]


def test_an_assessment_marks_that_days_toxicity_item_done(store):
    store.assessments.add("ARI-001", at(10), BedsideFindings(37.0))
    entry = next(e for e in store.schedules.of("ARI-001", TODAY)
                 if e.item.timepoint == "D+10" and e.item.activity == "tox")
    assert entry.status == "done"
    assert not [f for f in store.toxicity.flags(TODAY) if f.kind == "tox_not_recorded"]


def test_the_ice_score_is_counted_from_the_ticked_items():
    items = {code: True for code, _, _ in grading.ICE_ITEMS}
    items["writes_sentence"] = items["counts_back"] = items["name_object_3"] = False
    findings = BedsideFindings.with_ice_items(items, temperature_c=37.2)
    assert findings.ice == 7 and findings.icans().grade == 1


def test_a_correction_recomputes_the_grade_and_the_log_keeps_the_original(store):
    saved = store.assessments.add("ARI-001", at(2), FEVER_ON_CANNULA)
    corrected = store.assessments.correct(saved.id, BedsideFindings(38.9, oxygen="facemask", ice=8), Treatments(),
                                         reason="oxygen device was a facemask")
    assert corrected.crs.grade == 3
    change = store.changes.all("assessments", saved.id)[-1]
    assert change.old["crs_grade"] == 2 and change.new["crs_grade"] == 3
    assert change.old["oxygen"] == "nasal-cannula" and change.reason == "oxygen device was a facemask"


def test_absurd_findings_are_refused_and_nothing_is_saved(store):
    with pytest.raises(ClinicalInputError, match="plausible range"):
        store.assessments.add("ARI-001", at(2), BedsideFindings(20.0))
    with pytest.raises(ClinicalInputError, match="in the future"):
        store.assessments.add("ARI-001", NOW + timedelta(hours=2), BedsideFindings(37.0))
    assert store.assessments.of("ARI-001") == []


# -- fraction go / hold ------------------------------------------------------------------------

def test_fraction_2_cannot_be_recorded_without_a_go(store):
    give(store, "D0", at(0, 11))
    with pytest.raises(ClinicalInputError, match="needs a physician's go decision"):
        give(store, "D+3", at(3, 11))


def test_a_go_records_who_decided_and_the_grades_seen_then_the_fraction_can_be_given(store):
    give(store, "D0", at(0, 11))
    store.assessments.add("ARI-001", at(3, 7), BedsideFindings(38.2))
    decision = store.fractions.decide("ARI-001", "D+3", "go", "fever only, settling", decided_at=at(3, 9))
    assert (decision.decided_by, decision.crs_grade_seen, decision.icans_grade_seen) == (GUI_USER, 1, 0)
    assert decision.override is True  # CRS grade 1 is active toxicity: the go overrode it, with a reason
    assert give(store, "D+3", at(3, 11)).status == "done"


def test_a_held_fraction_stays_open_for_the_protocols_delay_and_the_schedule_says_so(store):
    give(store, "D0", at(0, 11))
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    give(store, "D+3", at(3, 11))
    store.fractions.decide("ARI-001", "D+7", "hold", "CRS grade 2", decided_at=at(7, 8))
    item = next(e.item for e in store.schedules.of("ARI-001", TODAY) if e.item.timepoint == "D+7"
                and e.item.activity == "infusion")
    assert item.held and "held" in item.label
    assert item.window_end == DAY0 + timedelta(days=7 + P.held_fraction_max_delay_days)
    with pytest.raises(ClinicalInputError, match="on hold"):
        give(store, "D+7", at(9, 11))
    store.fractions.decide("ARI-001", "D+7", "go", "CRS resolved", decided_at=at(9, 9))
    entry = give(store, "D+7", at(9, 11))
    assert entry.status == "done" and entry.in_window is True


@pytest.mark.parametrize("timepoint, decision, reason, sentence", [
    ("D0", "go", "", "No go/hold decision is taken at D0"),
    ("D+3", "hold", "", "needs a reason"),
    ("D+3", "maybe", "", "must be go or hold"),
])
def test_bad_decisions_are_refused(store, timepoint, decision, reason, sentence):
    with pytest.raises(ClinicalInputError, match=sentence):
        store.fractions.decide("ARI-001", timepoint, decision, reason)
    assert store.fractions.of("ARI-001") == []


# -- events and flags ----------------------------------------------------------------------------

def test_a_cytopenia_in_the_blood_counts_is_an_event_graded_from_the_count(store):
    store.counts.add("ARI-001", at(5), neutrophils=0.3)
    (event,) = store.events.of("ARI-001")
    assert (event.kind, event.grade, event.onset, event.from_counts) == ("neutropenia", 4, DAY0 + timedelta(5), True)
    assert "0.3" in event.grade_reason


def test_other_events_take_a_ctcae_grade_and_can_be_resolved(store):
    event = store.events.add("ARI-001", "infection", DAY0 + timedelta(4), grade=3, notes="Line infection")
    resolved = store.events.resolve("ARI-001", event.id, DAY0 + timedelta(8))
    assert resolved.resolution == DAY0 + timedelta(8)
    with pytest.raises(ClinicalInputError, match="already resolved"):
        store.events.resolve("ARI-001", event.id, DAY0 + timedelta(9))


@pytest.mark.parametrize("kwargs, sentence", [
    ({"kind": "rash", "grade": 2}, "is not one of"),
    ({"kind": "infection", "grade": 6}, "Infection has grades 1–5"),
    ({"kind": "infection"}, "Give the grade of the infection"),
    ({"kind": "neutropenia", "grade": 5}, "Neutropenia has grades 1–4"),
])
def test_bad_events_are_refused(store, kwargs, sentence):
    with pytest.raises(ClinicalInputError, match=sentence):
        store.events.add("ARI-001", onset=DAY0, **kwargs)
    assert store.events.of("ARI-001") == []


def test_flags_show_missing_assessment_grade_2_and_prolonged_cytopenia(tmp_path):
    today = DAY0 + timedelta(days=40)
    with open_store(tmp_path / "f.db", today=lambda: today, now=lambda: NOW + timedelta(days=30)) as store:
        for study_id, day0 in (("ARI-001", DAY0), ("ARI-002", today - timedelta(days=5))):
            store.patients.add(check_new_patient(study_id, "AB", "F", 1960, Anchors(date(2026, 9, 1), day0), P, today))
        store.events.add("ARI-001", "thrombocytopenia", DAY0 + timedelta(days=10), grade=4)
        store.assessments.add("ARI-002", NOW + timedelta(days=29), BedsideFindings(39.0, oxygen="blow-by"))
        flags = {(f.study_id, f.kind) for f in store.toxicity.flags(today)}
    assert ("ARI-001", "prolonged_cytopenia") in flags
    assert ("ARI-002", "grade_2_or_more") in flags
    assert ("ARI-001", "tox_not_recorded") not in flags  # D+40: monitoring is over


# -- command line --------------------------------------------------------------------------------

def grade(*args):
    result = CliRunner().invoke(cli, ["grade", *args, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.exit_code == 0 else result.stderr


@pytest.mark.parametrize("args, findings", [
    (["crs", "--temperature", "37.9"], dict(temperature_c=37.9)),
    (["crs", "--temperature", "38.0"], dict(temperature_c=38.0)),
    (["crs", "--temperature", "38.5", "--hypotension"], dict(temperature_c=38.5, hypotension=True)),
    (["crs", "--temperature", "38.5", "--vasopressors", "1"], dict(temperature_c=38.5, vasopressors=1)),
    (["crs", "--temperature", "38.5", "--vasopressors", "2", "--vasopressin"],
     dict(temperature_c=38.5, vasopressors=2, vasopressin=True)),
    (["crs", "--temperature", "38.5", "--oxygen", "nasal-cannula", "--flow", "6"],
     dict(temperature_c=38.5, oxygen="nasal-cannula", flow_l_min=6)),
    (["crs", "--temperature", "38.5", "--oxygen", "nasal-cannula", "--flow", "6.1"],
     dict(temperature_c=38.5, oxygen="nasal-cannula", flow_l_min=6.1)),
    (["crs", "--temperature", "37.0", "--fever-masked", "--oxygen", "bipap"],
     dict(temperature_c=37.0, fever_masked=True, oxygen="bipap")),
])
def test_the_command_line_gives_the_same_crs_grade_as_the_core(args, findings):
    code, result = grade(*args)
    expected = BedsideFindings(**findings).crs()
    assert code == 0 and result == {"grade": expected.grade, "reason": expected.reason}


@pytest.mark.parametrize("args, expected", [
    (["icans", "--ice", "10"], 0), (["icans", "--ice", "9"], 1), (["icans", "--ice", "7"], 1),
    (["icans", "--ice", "6"], 2), (["icans", "--ice", "3"], 2), (["icans", "--ice", "2"], 3),
    (["icans", "--ice", "0", "--consciousness", "unarousable"], 4),
    (["icans", "--ice", "10", "--seizure", "prolonged"], 4),
    (["icans", "--ice", "10", "--edema", "focal"], 3),
    (["icans", "--ice", "10", "--motor-weakness"], 4),
])
def test_the_command_line_gives_the_same_icans_grade_as_the_core(args, expected):
    code, result = grade(*args)
    assert code == 0 and result["grade"] == expected


@pytest.mark.parametrize("args", [
    ["crs", "--temperature", "20"], ["crs", "--temperature", "45"], ["icans", "--ice", "11"],
    ["crs", "--temperature", "38", "--oxygen", "nasal-cannula", "--flow", "-1"],
    ["crs", "--temperature", "38", "--oxygen", "tent"],
])
def test_absurd_values_exit_2_with_one_sentence(args):
    done = subprocess.run([sys.executable, "-m", "ari_desktop", "grade", *args], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_assess_then_toxicity_json_through_the_command_line(tmp_path):
    db = tmp_path / "cli.db"
    runner = CliRunner()
    base = ["--db", cli_db(db)]
    screening, day0 = date.today() - timedelta(days=60), date.today() - timedelta(days=3)
    runner.invoke(cli, [*base, "patient", "add", "--study-id", "ARI-005", "--initials", "GH", "--sex", "M",
                        "--birth-year", "1958", "--screening-date", screening.isoformat(),
                        "--infusion-date", day0.isoformat()])
    when = f"{(day0 + timedelta(days=1)).isoformat()}T08:00"
    result = runner.invoke(cli, [*base, "assess", "ARI-005", "--at", when, "--temperature", "38.7",
                                 "--oxygen", "facemask", "--ice", "5", "--tocilizumab", "560",
                                 "--consciousness", "alert", "--seizure", "none", "--edema", "none"])
    assert result.exit_code == 0, result.output
    assert "CRS grade 3" in result.stdout and "ICANS grade 2" in result.stdout
    data = json.loads(runner.invoke(cli, [*base, "toxicity", "ARI-005", "--json"]).stdout)
    assert data["assessments"][0]["assessor"] == GUI_USER and data["assessments"][0]["day"] == 1
    summary = data["summary"]["first_infusion"]
    assert summary["status"] == "not_infused"  # fraction 1 is not recorded as given yet
    given = f"{day0.isoformat()}T10:00"
    assert runner.invoke(cli, [*base, "record", "ARI-005", "--timepoint", "D0", "--activity", "infusion",
                               "--done-at", given, "--dose", "0.3", "--weight", "70"]).exit_code == 0
    summary = json.loads(runner.invoke(cli, [*base, "toxicity", "ARI-005", "--json"]).stdout)["summary"]
    first = summary["first_infusion"]
    assert first["status"] == "assessed" and first["crs"]["max_grade"] == 3 and first["icans"]["max_grade"] == 2
    assert first["crs"]["onset_day"] == 1 and first["crs"]["ongoing"] is True
    assert first["treatments"]["tocilizumab_mg"] == 560
    held = runner.invoke(cli, [*base, "fraction", "ARI-005", "--timepoint", "D+3", "--hold", "--reason", "CRS 3"])
    assert held.exit_code == 0 and "latest CRS grade 3" in held.stdout


def test_a_patient_off_study_is_no_longer_flagged_for_their_last_grade(store):
    store.assessments.add("ARI-001", at(3), BedsideFindings(39.0, oxygen="facemask"))
    assert ("ARI-001", "grade_2_or_more") in {(f.study_id, f.kind) for f in store.toxicity.flags(TODAY)}
    store.patients.update_dates("ARI-001", off_study=TODAY, off_study_reason="Consent withdrawn")
    assert ("ARI-001", "grade_2_or_more") not in {(f.study_id, f.kind) for f in store.toxicity.flags(TODAY)}


def test_the_flags_read_again_only_the_patients_written_about_since_by_this_program_or_another(
        store, database, monkeypatch):
    def graded() -> set[tuple[str, str]]:
        return {(f.study_id, f.kind) for f in store.toxicity.flags(TODAY) if f.kind == "grade_2_or_more"}

    store.patients.add(check_new_patient("ARI-002", "CD", "M", 1958, Anchors(date(2026, 9, 1), DAY0), P, TODAY))
    assert graded() == set()
    read_for = []
    latest_grades = store.assessments.latest_grades
    monkeypatch.setattr(store.assessments, "latest_grades", lambda ids=None: read_for.append(ids) or latest_grades(ids))
    with open_store(database, today=lambda: TODAY, now=lambda: NOW) as other:
        other.assessments.add("ARI-002", at(3), BedsideFindings(39.0, oxygen="facemask"))
    assert graded() == {("ARI-002", "grade_2_or_more")}
    assert read_for == [[store.patients.require_id("ARI-002")]]
    assert graded() == {("ARI-002", "grade_2_or_more")} and len(read_for) == 1  # nothing new: nothing read


def test_a_go_taken_after_the_time_given_does_not_count(store):
    give(store, "D0", at(0, 11))
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 15))
    with pytest.raises(ClinicalInputError, match="before the time it is given"):
        give(store, "D+3", at(3, 8))


def test_a_decision_before_day0_or_after_the_fraction_was_given_is_refused(store):
    with pytest.raises(ClinicalInputError, match="on or after day 0"):
        store.fractions.decide("ARI-001", "D+7", "go", "", decided_at=at(-2, 9))
    give(store, "D0", at(0, 11))
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    give(store, "D+3", at(3, 11))
    with pytest.raises(ClinicalInputError, match="already given"):
        store.fractions.decide("ARI-001", "D+3", "hold", "late thoughts", decided_at=at(3, 14))


def test_prolonged_cytopenia_is_not_flagged_for_a_patient_who_died(tmp_path):
    today = DAY0 + timedelta(days=40)
    with open_store(tmp_path / "f.db", today=lambda: today, now=lambda: NOW + timedelta(days=30)) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(date(2026, 9, 1), DAY0), P, today))
        store.events.add("ARI-001", "neutropenia", DAY0 + timedelta(days=10), grade=4)
        assert [f.kind for f in store.toxicity.flags(today)] == ["prolonged_cytopenia"]
        store.patients.update_dates("ARI-001", death=today - timedelta(days=1))
        assert store.toxicity.flags(today) == []


# -- clinical rules moved out of the GUI --------------------------------------------------------

def _saved(at_: datetime, findings: BedsideFindings, treatments: Treatments | None = None) -> Assessment:
    return Assessment(id=1, at=at_, assessor="Dr Ruiz", findings=findings, treatments=treatments or Treatments(),
                      crs=findings.crs(), icans=findings.icans())


def test_the_fraction_awaiting_a_go_is_the_next_one_neither_given_nor_cleared_with_a_go(store):
    assert store.fractions.awaiting_decision("ARI-001", TODAY) == "D+3"
    give(store, "D0", at(0, 11))
    store.fractions.decide("ARI-001", "D+3", "go", "", decided_at=at(3, 9))
    give(store, "D+3", at(3, 11))
    assert store.fractions.awaiting_decision("ARI-001", TODAY) == "D+7"
    store.fractions.decide("ARI-001", "D+7", "hold", "CRS grade 2", decided_at=at(7, 8))
    assert store.fractions.awaiting_decision("ARI-001", TODAY) == "D+7"  # held: still waits for a go
    store.fractions.decide("ARI-001", "D+7", "go", "CRS resolved", decided_at=at(9, 9))
    assert store.fractions.awaiting_decision("ARI-001", TODAY) == "D+7"  # that go is 30 hours old now: expired
    store.fractions.decide("ARI-001", "D+7", "go", "CRS resolved", decided_at=NOW - timedelta(hours=1))
    assert store.fractions.awaiting_decision("ARI-001", TODAY) is None


def test_each_day_of_the_course_totals_its_doses_and_the_booster_starts_a_new_course():
    booster = DAY0 + timedelta(days=40)
    first = _saved(at(2, 8), FEVER_ON_CANNULA, Treatments(tocilizumab_mg=560))
    second = _saved(at(2, 20), BedsideFindings(38.2), Treatments(tocilizumab_mg=560, dexamethasone_mg=10))
    later = _saved(at(40, 9), BedsideFindings(38.4))
    before, after = split_at_booster([first, second, later], booster)
    assert (before, after) == ([first, second], [later])
    assert split_at_booster([first, later], None) == ([first, later], [])
    days = daily_course(before, DAY0, 30)
    assert len(days) == 31 and days[2].when == DAY0 + timedelta(days=2)
    assert (days[2].crs, days[2].icans, days[2].assessments) == (2, 1, (first, second))
    assert dict(days[2].doses) == {"tocilizumab_mg": 1120.0, "dexamethasone_mg": 10.0}
    assert (days[3].crs, days[3].icans, dict(days[3].doses)) == (-1, -1, {})  # not assessed
    assert daily_course(after, booster, 14)[0].crs == 1


def test_the_fraction_label_drops_the_go_condition_from_the_protocol_note():
    assert fraction_label(P, "D0") == "Fraction 1 (10 % of the dose)"
    assert fraction_label(P, "D+3") == "Fraction 2 (30 % of the dose)"
    assert fraction_label(P, "D+7") == "Fraction 3 (60 % of the dose)"
    assert fraction_label(P, "no-such-timepoint") == P.activity("infusion").label


def test_assess_saves_no_finding_nobody_gave_and_names_every_one_left_out(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(tmp_path / "t.db"), "assess", "ARI-005", "--at", "2025-02-22T08:00",
                                 "--temperature", "37.1", "--ice", "10", "--oxygen", "none"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "Say what was seen: give --consciousness, --seizure and --edema" in result.stderr
