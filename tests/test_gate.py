"""The go / hold gate before a fraction, as pure rules (CLINICAL.md section 5).

One test per rule and per boundary: what the physician saw at the decision time, when a go is an
override, how long a go is valid and what voids it, the order of the aliquots and the minimum
interval, the dose and weight recorded with each aliquot. Then properties: whatever sequence of
assessments, decisions and fractions is entered, no fraction the gate accepts is out of order,
too soon after the one before, or given on an expired or voided go.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ari_desktop.core import gate, protocol
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.gate import DoseGiven, FractionDecision, Seen
from ari_desktop.core.text import parse_decimal
from ari_desktop.core.toxicity import Assessment, BedsideFindings, Treatments

P = protocol.load_default()
DAY0 = date(2026, 11, 16)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
SHIPPED = protocol.shipped_text()

CALM = BedsideFindings(36.8)
FEVER = BedsideFindings(38.3)  # CRS grade 1
ON_CANNULA = BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4)  # CRS grade 2
CONFUSED = BedsideFindings(36.8, ice=8)  # ICANS grade 1


def at(day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time()).replace(
        hour=hour, minute=minute).astimezone()


def assessed(moment: datetime, findings: BedsideFindings = CALM, number: int = 1) -> Assessment:
    return Assessment(id=number, at=moment, assessor="Dr Ruiz", findings=findings, treatments=Treatments(),
                      crs=findings.crs(), icans=findings.icans())


def go(timepoint: str, moment: datetime) -> FractionDecision:
    return FractionDecision(timepoint, "go", None, "Dr Ruiz", moment, 0, 0)


def hold(timepoint: str, moment: datetime) -> FractionDecision:
    return FractionDecision(timepoint, "hold", "CRS grade 2", "Dr Ruiz", moment, 2, 0)


# -- what was seen at the decision time ---------------------------------------------------------

def test_the_fractions_of_the_first_infusion_are_given_in_the_order_of_their_days():
    assert gate.fraction_timepoints(P) == ("D0", "D+3", "D+7")


def test_what_was_seen_is_the_latest_assessment_at_or_before_the_decision_with_its_grades_and_age():
    rows = [assessed(at(2, 20), FEVER, 1), assessed(at(3, 7), CONFUSED, 2)]
    seen = gate.seen_at(rows, at(3, 9), P)
    assert (seen.assessment_id, seen.crs_grade, seen.icans_grade, seen.age) == (2, 0, 1, 2 * HOUR)
    assert seen.grades_text == "CRS grade 0, ICANS grade 1, assessed 2 h before"


def test_a_decision_entered_late_sees_what_was_assessed_before_it_not_what_was_assessed_after():
    rows = [assessed(at(3, 7), CALM, 1), assessed(at(3, 10), ON_CANNULA, 2)]  # both entered before the decision
    seen = gate.seen_at(rows, at(3, 9), P)
    assert (seen.assessment_id, seen.crs_grade) == (1, 0) and seen.active == ()


def test_an_assessment_made_exactly_at_the_decision_time_is_what_was_seen():
    seen = gate.seen_at([assessed(at(3, 7), CALM, 1), assessed(at(3, 9), FEVER, 2)], at(3, 9), P)
    assert (seen.assessment_id, seen.crs_grade, seen.age) == (2, 1, timedelta(0))
    assert seen.active == ("CRS grade 1 at 19 Nov 09:00",)


def test_with_no_assessment_before_the_decision_nothing_was_seen():
    seen = gate.seen_at([assessed(at(3, 10), ON_CANNULA)], at(3, 9), P)
    assert seen == Seen(None, None, None, None, None, ())
    assert seen.grades_text == "no assessment yet"


# -- active toxicity and the override -------------------------------------------------------------

def test_a_crs_grade_exactly_at_the_threshold_is_active_toxicity():
    assert gate.active_toxicity([assessed(at(3, 7), FEVER)], at(3, 9), P) == ("CRS grade 1 at 19 Nov 07:00",)


def test_an_icans_grade_exactly_at_the_threshold_is_active_toxicity():
    assert gate.active_toxicity([assessed(at(3, 7), CONFUSED)], at(3, 9), P) == ("ICANS grade 1 at 19 Nov 07:00",)


def test_a_grade_below_the_protocols_threshold_is_not_active():
    only_grade_2 = replace(P, active_crs_grade=2)
    assert gate.active_toxicity([assessed(at(3, 7), FEVER)], at(3, 9), only_grade_2) == ()
    assert gate.active_toxicity([assessed(at(3, 7), ON_CANNULA)], at(3, 9), only_grade_2) != ()


def test_toxicity_earlier_in_the_last_24_hours_is_active_even_if_the_latest_assessment_is_calm():
    rows = [assessed(at(2, 20), ON_CANNULA, 1), assessed(at(3, 7), CALM, 2)]
    seen = gate.seen_at(rows, at(3, 9), P)
    assert seen.crs_grade == 0 and seen.active == ("CRS grade 2 at 18 Nov 20:00",)


def test_an_assessment_exactly_24_hours_before_counts_and_one_a_minute_older_does_not():
    assert gate.active_toxicity([assessed(at(2, 9), FEVER)], at(3, 9), P) != ()
    assert gate.active_toxicity([assessed(at(2, 9) - MINUTE, FEVER)], at(3, 9), P) == ()


def test_a_go_against_active_toxicity_is_an_override_and_needs_a_reason():
    seen = gate.seen_at([assessed(at(3, 7), ON_CANNULA)], at(3, 9), P)
    assert gate.is_override("go", seen)
    assert gate.decision_refusal("go", "  ", seen) == (
        "Active toxicity before this go (CRS grade 2 at 19 Nov 07:00): a go now is an override and needs the "
        "physician's reason.")
    assert gate.decision_refusal("go", "CRS settling, benefit outweighs", seen) is None


def test_a_go_without_active_toxicity_needs_no_reason_and_is_no_override():
    seen = gate.seen_at([assessed(at(3, 7), CALM)], at(3, 9), P)
    assert gate.decision_refusal("go", "", seen) is None and not gate.is_override("go", seen)


def test_a_hold_is_always_allowed_with_a_reason_and_never_an_override():
    for findings in (CALM, ON_CANNULA):
        seen = gate.seen_at([assessed(at(3, 7), findings)], at(3, 9), P)
        assert gate.decision_refusal("hold", "patient asked to wait", seen) is None
        assert gate.decision_refusal("hold", "", seen) == "Holding a fraction needs a reason."
        assert not gate.is_override("hold", seen)


def test_a_decision_is_go_or_hold():
    refusal = gate.decision_refusal("maybe", "x", gate.seen_at([], at(3, 9), P))
    assert refusal == "The decision must be go or hold, not 'maybe'."


def test_the_physician_is_warned_of_no_assessment_active_toxicity_or_an_assessment_over_12_hours_old():
    assert gate.REASSESS_AFTER == timedelta(hours=12)
    decide = at(3, 20)
    assert gate.decision_warnings(gate.seen_at([], decide, P), P) == [
        "⚠ No bedside assessment has been recorded for this patient by then: assess before deciding."]
    assert gate.decision_warnings(gate.seen_at([assessed(at(3, 8))], decide, P), P) == []  # exactly 12 h
    assert gate.decision_warnings(gate.seen_at([assessed(at(3, 8) - MINUTE)], decide, P), P) == [
        "⚠ The last assessment is more than 12 hours old: assess the patient again before deciding."]
    assert gate.decision_warnings(gate.seen_at([assessed(at(3, 19), ON_CANNULA)], decide, P), P) == [
        "⚠ Active toxicity in the last 24 h (CRS grade 2 at 19 Nov 19:00): a go is an override and needs your reason."]


# -- a go is valid for a while, and void after a worse assessment -------------------------------------

def test_a_fraction_needing_a_go_is_refused_without_one_or_while_held():
    assert gate.go_refusal("D+3", at(3, 11), [], [], P) == (
        "The fraction at D+3 needs a physician's go decision before the time it is given.")
    assert gate.go_refusal("D+3", at(3, 11), [go("D+3", at(3, 8)), hold("D+3", at(3, 9))], [], P) == (
        "The fraction at D+3 needs a physician's go decision before the time it is given (it was on hold then).")


def test_of_a_go_and_a_hold_at_the_same_minute_the_one_entered_last_stands():
    moment = at(3, 8)
    assert gate.go_refusal("D+3", at(3, 11), [go("D+3", moment), hold("D+3", moment)], [], P) is not None
    assert gate.go_refusal("D+3", at(3, 11), [hold("D+3", moment), go("D+3", moment)], [], P) is None


def test_a_go_for_another_fraction_or_decided_after_the_time_given_does_not_count():
    assert gate.go_refusal("D+3", at(3, 11), [go("D+7", at(3, 9))], [], P) is not None
    assert gate.go_refusal("D+3", at(3, 11), [go("D+3", at(3, 12))], [], P) is not None


def test_a_go_decided_exactly_24_hours_before_is_still_valid_and_a_minute_more_has_expired():
    decisions = [go("D+3", at(3, 9))]
    assert gate.go_refusal("D+3", at(4, 9), decisions, [], P) is None
    assert gate.go_refusal("D+3", at(4, 9) + MINUTE, decisions, [], P) == (
        "The go for the fraction at D+3 (2026-11-19 09:00) is more than 24 hours before the time given "
        "(2026-11-20 09:01): it has expired; a new decision is needed.")
    assert decisions[0].valid_until(P) == at(4, 9) and hold("D+3", at(3, 9)).valid_until(P) is None


def test_the_validity_of_a_go_comes_from_the_protocol_file():
    assert gate.go_refusal("D+3", at(3, 21) + MINUTE, [go("D+3", at(3, 9))], [], replace(P, go_valid_hours=12))


def test_a_later_assessment_at_the_threshold_before_the_aliquot_voids_the_go():
    refusal = gate.go_refusal("D+3", at(3, 11), [go("D+3", at(3, 9))], [assessed(at(3, 10), FEVER)], P)
    assert refusal == ("The go for the fraction at D+3 (2026-11-19 09:00) is void: a later assessment shows "
                       "CRS grade 1 at 19 Nov 10:00; a new decision is needed.")


def test_a_later_assessment_at_the_very_time_given_voids_the_go_but_one_after_it_does_not():
    decisions = [go("D+3", at(3, 9))]
    assert gate.go_refusal("D+3", at(3, 11), decisions, [assessed(at(3, 11), CONFUSED)], P) is not None
    assert gate.go_refusal("D+3", at(3, 11), decisions, [assessed(at(3, 11) + MINUTE, CONFUSED)], P) is None


def test_a_later_calm_assessment_or_the_assessment_seen_at_the_go_does_not_void_it():
    decisions = [go("D+3", at(3, 9))]
    assert gate.go_refusal("D+3", at(3, 11), decisions, [assessed(at(3, 10), CALM)], P) is None
    assert gate.go_refusal("D+3", at(3, 11), decisions, [assessed(at(3, 9), FEVER)], P) is None  # seen: the override


def test_a_new_go_after_the_voiding_assessment_clears_the_fraction_again():
    decisions = [go("D+3", at(3, 9)), go("D+3", at(3, 12))]
    assert gate.go_refusal("D+3", at(3, 13), decisions, [assessed(at(3, 10), FEVER)], P) is None


# -- fractions in order, with the minimum interval ----------------------------------------------------

def test_fraction_3_is_refused_before_fraction_2_is_given_even_with_its_go():
    refusal = gate.fraction_refusal("D+7", at(7, 11), [go("D+7", at(7, 9))], [], {"D0": at(0, 11)}, P)
    assert refusal == "The fraction at D+7 cannot be given before the fraction at D+3 is given."


def test_fraction_2_is_refused_before_fraction_1_is_given():
    assert gate.order_refusal("D+3", at(3, 11), {}, P) == (
        "The fraction at D+3 cannot be given before the fraction at D0 is given.")


def test_fraction_3_exactly_the_minimum_interval_after_fraction_2_is_accepted_a_minute_sooner_is_not():
    given_at = {"D0": at(0, 11), "D+3": at(6, 11)}  # fraction 2 held, given late on D+6
    assert gate.order_refusal("D+7", at(7, 11), given_at, P) is None
    assert gate.order_refusal("D+7", at(7, 11) - MINUTE, given_at, P) == (
        "The fraction at D+7 (2026-11-23 10:59) would be less than 24 hours from the fraction at D+3 "
        "(2026-11-22 11:00): the protocol asks for at least 24 hours between aliquots.")


def test_the_minimum_interval_comes_from_the_protocol_file():
    given_at = {"D0": at(0, 11), "D+3": at(6, 11)}
    assert gate.order_refusal("D+7", at(7, 11), given_at, replace(P, min_hours_between_fractions=48)) is not None


def test_correcting_fraction_2_to_a_time_after_fraction_3_or_too_close_to_it_is_refused():
    given_at = {"D0": at(0, 11), "D+7": at(7, 11)}
    assert gate.order_refusal("D+3", at(8, 11), given_at, P) == (
        "The fraction at D+3 cannot be given after the fraction at D+7.")
    assert "less than 24 hours from the fraction at D+7" in gate.order_refusal("D+3", at(7, 1), given_at, P)


def test_a_booster_is_not_one_of_the_fractions():
    assert gate.order_refusal("B0", at(120, 11), {}, P) is None


# -- the dose and weight recorded with each aliquot ---------------------------------------------------

@pytest.mark.parametrize("dose, weight", [(0.01, 25), (5.0, 250), (0.9, 72.5)])
def test_a_plausible_dose_and_weight_are_accepted(dose, weight):
    assert DoseGiven(dose, weight).million_cells_per_kg == dose


@pytest.mark.parametrize("dose, weight, field, sentence", [
    (0.0, 70, "dose", "The dose given, 0 x10^6 CAR+ cells/kg, is outside the plausible range 0.01–5 x10^6"),
    (900000, 70, "dose", "The dose given, 900000 x10^6 CAR+ cells/kg"),  # typed in cells/kg, not x10^6
    (0.9, 24.9, "weight", "The weight 24.9 kg is outside the plausible range 25–250 kg."),
    (0.9, 725, "weight", "The weight 725 kg"),
])
def test_an_implausible_dose_or_weight_is_refused_with_a_sentence(dose, weight, field, sentence):
    with pytest.raises(ClinicalInputError, match=re.escape(sentence)) as refused:
        DoseGiven(dose, weight)
    assert refused.value.field == field


@pytest.mark.parametrize("text, value", [("72.5", 72.5), ("72,5", 72.5), (" 0.9 ", 0.9), ("0,9", 0.9),
                                         ("70", 70.0), (",5", 0.5)])
def test_a_decimal_reads_the_same_with_a_point_or_a_comma(text, value):
    assert parse_decimal(text, "weight", "weight") == value


@pytest.mark.parametrize("text", ["", "1,234.5", "1.234,5", "72.5 kg", "seventy", "1.2.3", "-"])
def test_a_text_that_is_not_one_decimal_number_is_refused_not_guessed(text):
    with pytest.raises(ClinicalInputError, match="is not a number") as refused:
        parse_decimal(text, "weight", "weight")
    assert refused.value.field == "weight"


# -- the settings in the protocol file -------------------------------------------------------------

def test_the_shipped_protocol_keeps_the_clinical_defaults():
    assert (P.active_crs_grade, P.active_icans_grade, P.active_toxicity_hours) == (1, 1, 24)
    assert (P.go_valid_hours, P.min_hours_between_fractions, P.late_fraction_moves_next) == (24, 24, False)


@pytest.mark.parametrize("old, new, sentence", [
    ("late_fraction_moves_next = false", "late_fraction_moves_next = true",
     "field 'late_fraction_moves_next': only false is supported"),
    ("active_crs_grade = 1", "active_crs_grade = 0", "field 'active_crs_grade': expected a grade from 1 to 4"),
    ("go_valid_hours = 24", "go_valid_hours = 0", "field 'go_valid_hours': expected 1 hour or more"),
    ("min_hours_between_fractions = 24", "", "field 'min_hours_between_fractions': missing"),
])
def test_a_protocol_file_with_an_unusable_gate_setting_is_refused_on_its_line(old, new, sentence):
    assert old in SHIPPED
    with pytest.raises(protocol.ProtocolError, match=sentence):
        protocol.parse(SHIPPED.replace(old, new), "unit.toml")


# -- properties: whatever is entered, the gate keeps fractions honest ------------------------------

FINDINGS = st.sampled_from((CALM, CALM, CALM, FEVER, ON_CANNULA, CONFUSED))


@st.composite
def operations(draw) -> list[tuple[str, str, int, BedsideFindings, bool]]:
    """A course around the three aliquots: assessments, go / hold decisions and aliquots given, each
    (what, fraction, hour after day 0 00:00, findings, a reason typed), at hours near the planned
    days and their 24-hour boundaries; entered in time order, or in any order (late entries)."""
    ops = []
    for timepoint, day in (("D0", 0), ("D+3", 3), ("D+7", 7)):
        planned = day * 24 + 8
        for _ in range(draw(st.integers(0, 2))):
            ops.append(("assess", timepoint, planned + draw(st.integers(-30, 30)), draw(FINDINGS), False))
        for _ in range(draw(st.integers(1, 2))):
            ops.append((draw(st.sampled_from(("go", "go", "hold"))), timepoint,
                        planned + draw(st.integers(-26, 6)), CALM, draw(st.booleans())))
        for _ in range(draw(st.integers(1, 2))):
            ops.append(("give", timepoint, planned + draw(st.integers(-4, 30)), CALM, False))
    if draw(st.booleans()):
        return sorted(ops, key=lambda op: op[2])
    return draw(st.permutations(ops))


def assert_gate_held(timepoint: str, moment: datetime, decisions, assessments, given_at: dict, rules) -> None:
    """What must be true of every aliquot the gate let through, checked from the definitions."""
    order = gate.fraction_timepoints(rules)
    interval = timedelta(hours=rules.min_hours_between_fractions)
    for earlier in order[:order.index(timepoint)]:
        assert earlier in given_at and given_at[earlier] + interval <= moment, "out of order or too soon"
    if timepoint not in rules.go_decision_before:
        return
    taken = [d for d in decisions if d.timepoint == timepoint and d.decided_at <= moment]
    assert taken, "given with no go"
    # Of decisions taken in the same minute the one entered last stands (max() would keep the first).
    latest = [d for d in taken if d.decided_at == max(t.decided_at for t in taken)][-1]
    assert latest.decision == "go", "given while held"
    assert moment - latest.decided_at <= timedelta(hours=rules.go_valid_hours), "given on an expired go"
    assert not [a for a in assessments if latest.decided_at < a.at <= moment
                and (a.crs.grade >= rules.active_crs_grade or a.icans.grade >= rules.active_icans_grade)], \
        "given on a voided go"


@settings(max_examples=300, deadline=None)
@given(operations=operations())
def test_no_sequence_gives_a_fraction_out_of_order_too_soon_or_on_an_expired_or_voided_go(operations):
    start = at(0, 0)
    decisions: list[FractionDecision] = []
    assessments: list[Assessment] = []
    given_at: dict[str, datetime] = {}
    for number, (kind, timepoint, hour, findings, with_reason) in enumerate(operations):
        moment = start + timedelta(hours=hour)
        if kind == "assess":
            assessments.append(assessed(moment, findings, number))
        elif kind in ("go", "hold") and timepoint in P.go_decision_before and timepoint not in given_at:
            seen = gate.seen_at(assessments, moment, P)
            reason = "as the physician wrote" if with_reason else ""
            if gate.decision_refusal(kind, reason, seen) is None:
                decisions.append(FractionDecision(timepoint, kind, reason or None, "Dr Ruiz", moment,
                                                  seen.crs_grade, seen.icans_grade,
                                                  override=gate.is_override(kind, seen)))
        elif kind == "give" and timepoint not in given_at:
            if gate.fraction_refusal(timepoint, moment, decisions, assessments, given_at, P) is None:
                assert_gate_held(timepoint, moment, decisions, assessments, given_at, P)
                given_at[timepoint] = moment


@settings(max_examples=200, deadline=None)
@given(operations=operations())
def test_every_go_recorded_against_active_toxicity_carries_the_physicians_reason(operations):
    start = at(0, 0)
    assessments: list[Assessment] = []
    for number, (kind, _, hour, findings, with_reason) in enumerate(operations):
        moment = start + timedelta(hours=hour)
        if kind == "assess":
            assessments.append(assessed(moment, findings, number))
        elif kind == "go":
            seen = gate.seen_at(assessments, moment, P)
            reason = "as the physician wrote" if with_reason else ""
            if gate.decision_refusal("go", reason, seen) is None and gate.is_override("go", seen):
                assert reason
            assert seen.assessment_id is None or seen.assessed_at <= moment  # never an assessment made later
