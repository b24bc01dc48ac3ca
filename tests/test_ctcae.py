"""CTCAE v5.0 and Cairo-Bishop as pure rules (CLINICAL.md section 4): the grades each term has, the
lower limit of normal by sex, the cytopenia episodes a series of counts shows, tumour lysis from a
lab set with its baseline and window, and the cause of death. One test per rule and boundary."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ari_desktop.core import protocol
from ari_desktop.core.counts import BloodCount, CountLimits, count_limits, cytopenia_episodes, grade_count
from ari_desktop.core.ctcae import LabSet, TlsLabs, tls_baseline, tls_finding, tls_window_day
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.toxicity import EVENT_GRADES, EVENT_KINDS, check_event, event_label

P = protocol.load_default()
DAY0 = date(2026, 11, 16)
LIMITS = CountLimits(neutrophils=2.0, platelets=150.0, haemoglobin=12.0)


def at(day: int, hour: int = 9) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time()).replace(hour=hour).astimezone()


# -- the grades each term has ---------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "grade", "allowed"), [
    pytest.param("neutropenia", 4, True, id="grade 4 neutropenia"),
    pytest.param("neutropenia", 5, False, id="no grade 5 neutropenia"),
    pytest.param("thrombocytopenia", 4, True, id="grade 4 thrombocytopenia"),
    pytest.param("thrombocytopenia", 5, False, id="no grade 5 thrombocytopenia"),
    pytest.param("anaemia", 1, True, id="grade 1 anaemia"),
    pytest.param("anaemia", 5, True, id="grade 5 anaemia exists"),
    pytest.param("tls", 2, False, id="no grade 2 TLS"),
    pytest.param("tls", 3, True, id="TLS starts at grade 3"),
    pytest.param("tls", 5, True, id="grade 5 TLS"),
    pytest.param("infection", 1, True, id="grade 1 infection"),
    pytest.param("infection", 5, True, id="grade 5 infection"),
    pytest.param("iec_hs", 5, True, id="grade 5 IEC-HS"),
    pytest.param("hypogammaglobulinaemia", 0, False, id="no grade 0 event"),
    pytest.param("infection", 6, False, id="no grade 6"),
])
def test_only_the_grades_the_ctcae_term_has_are_taken(kind, grade, allowed):
    if allowed:
        assert check_event(kind, grade, None, "")[0] == grade
    else:
        with pytest.raises(ClinicalInputError) as error:
            check_event(kind, grade, None, "")
        assert error.value.field == "grade"


def test_a_refused_grade_names_the_grades_the_term_has_in_one_sentence():
    with pytest.raises(ClinicalInputError, match=r"^Neutropenia has grades 1–4 \(CTCAE v5.0 neutrophil count "
                                                 r"decreased\), not grade 5\.$"):
        check_event("neutropenia", 5, None, "")
    with pytest.raises(ClinicalInputError, match=r"^Tumour lysis syndrome has grades 3–5 .*, not grade 2\.$"):
        check_event("tls", 2, None, "")


def test_every_event_kind_has_its_grades_in_the_one_table():
    assert set(EVENT_GRADES) == set(EVENT_KINDS)


def test_delayed_neurotoxicity_says_how_it_shows_and_other_says_which_in_the_notes():
    with pytest.raises(ClinicalInputError, match="Say the kind of the delayed neurotoxicity") as error:
        check_event("delayed_neurotoxicity", 2, None, "")
    assert error.value.field == "subtype"
    assert check_event("delayed_neurotoxicity", 2, "parkinsonism", "")[0] == 2
    with pytest.raises(ClinicalInputError, match="Say in the notes which other kind"):
        check_event("delayed_neurotoxicity", 2, "other", "")
    assert event_label("delayed_neurotoxicity", "cranial_nerve_palsy") == "Delayed neurotoxicity: cranial nerve palsy"


def test_an_event_without_sub_types_refuses_one():
    with pytest.raises(ClinicalInputError, match="Infection has no sub-type"):
        check_event("infection", 3, "parkinsonism", "")


# -- cause of death -------------------------------------------------------------------------------

def test_a_death_from_crs_is_crs_grade_5():
    grade, reason = check_event("death", None, "crs", "")
    assert grade == 5 and "CRS grade 5" in reason
    assert event_label("death", "crs") == "Death from cytokine release syndrome (CRS grade 5)"


def test_a_death_from_progression_is_not_a_toxicity_grade():
    assert event_label("death", "progression") == "Death from disease progression"


@pytest.mark.parametrize(("grade", "subtype", "notes", "field"), [
    (4, "crs", "", "grade"),  # a death is grade 5 only
    (None, None, "", "subtype"),  # the cause is from the fixed list
    (None, "heart", "", "subtype"),
    (None, "other", "", "notes"),  # other: say which
])
def test_a_cause_of_death_is_from_the_list_and_grade_5_only(grade, subtype, notes, field):
    with pytest.raises(ClinicalInputError) as error:
        check_event("death", grade, subtype, notes)
    assert error.value.field == field


# -- haemoglobin's lower limit of normal by sex ---------------------------------------------------

def test_the_protocol_file_gives_haemoglobin_lln_by_sex_and_the_other_limits():
    assert count_limits(P, "F") == CountLimits(2.0, 150.0, 12.0)
    assert count_limits(P, "M") == CountLimits(2.0, 150.0, 13.0)


@pytest.mark.parametrize(("sex", "grade"), [("M", 1), ("F", 0)])
def test_haemoglobin_12_5_is_grade_1_for_a_man_and_grade_0_for_a_woman(sex, grade):
    assert grade_count(BloodCount(at(0), haemoglobin=12.5), count_limits(P, sex))["anaemia"].grade == grade


def test_a_count_needs_at_least_one_value():
    with pytest.raises(ClinicalInputError, match="at least one value"):
        grade_count(BloodCount(at(0)), LIMITS)


def test_each_value_of_a_count_is_graded_on_its_own():
    grades = grade_count(BloodCount(at(0), neutrophils=0.4, platelets=40), LIMITS)
    assert {kind: g.grade for kind, g in grades.items()} == {"neutropenia": 4, "thrombocytopenia": 3}


# -- the series of counts -------------------------------------------------------------------------

def episodes(*counts: BloodCount, kind: str = "neutropenia") -> list[tuple]:
    return [(e.onset.day, e.worst.grade, e.recovery.day if e.recovery else None)
            for e in cytopenia_episodes(counts, LIMITS) if e.kind == kind]


def test_a_count_below_normal_opens_a_cytopenia_on_its_day():
    assert episodes(BloodCount(at(2), neutrophils=1.2)) == [(DAY0 + timedelta(2), 2, None)]


def test_a_normal_count_opens_nothing():
    assert episodes(BloodCount(at(2), neutrophils=2.0)) == []


def test_the_worst_count_gives_the_grade_and_a_better_one_does_not_lower_it():
    counts = [BloodCount(at(2), neutrophils=1.2), BloodCount(at(4), neutrophils=0.3),
              BloodCount(at(6), neutrophils=1.4)]
    (episode,) = cytopenia_episodes(counts, LIMITS)
    assert (episode.worst.grade, episode.worst_count.measured_at, episode.recovery) == (4, at(4), None)
    assert episode.reason == f"grade 4: neutrophils 0.3 ×10⁹/L, below 0.5 (from the count of {at(4):%Y-%m-%d} 09:00)"


def test_a_later_normal_count_is_the_recovery_and_resolves_it_on_its_day():
    assert episodes(BloodCount(at(2), neutrophils=0.8), BloodCount(at(9), neutrophils=2.1)) == [
        (DAY0 + timedelta(2), 3, DAY0 + timedelta(9))]


def test_a_cytopenia_after_recovery_is_a_second_episode():
    counts = (BloodCount(at(2), neutrophils=0.8), BloodCount(at(9), neutrophils=2.1),
              BloodCount(at(20), neutrophils=1.6), BloodCount(at(25), neutrophils=1.0))
    assert episodes(*counts) == [(DAY0 + timedelta(2), 3, DAY0 + timedelta(9)), (DAY0 + timedelta(20), 2, None)]


def test_counts_entered_out_of_order_are_read_in_time_order():
    assert episodes(BloodCount(at(9), neutrophils=2.1), BloodCount(at(2), neutrophils=0.8)) == [
        (DAY0 + timedelta(2), 3, DAY0 + timedelta(9))]


def test_a_count_without_that_value_neither_extends_nor_ends_the_cytopenia():
    counts = (BloodCount(at(2), neutrophils=0.8), BloodCount(at(5), platelets=200))
    assert episodes(*counts) == [(DAY0 + timedelta(2), 3, None)]
    assert episodes(*counts, kind="thrombocytopenia") == []


def test_each_cytopenia_follows_its_own_value():
    counts = (BloodCount(at(2), neutrophils=0.8, platelets=40, haemoglobin=9.0),
              BloodCount(at(5), neutrophils=2.5, platelets=60, haemoglobin=12.0))
    assert episodes(*counts, kind="neutropenia") == [(DAY0 + timedelta(2), 3, DAY0 + timedelta(5))]
    assert episodes(*counts, kind="thrombocytopenia") == [(DAY0 + timedelta(2), 3, None)]
    assert episodes(*counts, kind="anaemia") == [(DAY0 + timedelta(2), 2, DAY0 + timedelta(5))]


# -- tumour lysis from lab sets -------------------------------------------------------------------

NORMAL = TlsLabs(300.0, 4.0, 1.0, 2.3)
RISEN = TlsLabs(380.0, 5.0, 1.1, 2.3)  # uric acid +27 %, potassium +25 %: below every absolute limit


def lab_set(day: int, labs: TlsLabs, **findings) -> LabSet:
    return LabSet(at(day), labs, **findings)


def test_the_set_marked_baseline_is_the_reference_rather_than_the_earliest():
    earliest, marked, later = lab_set(-10, RISEN), lab_set(-4, NORMAL, baseline=True), lab_set(2, RISEN)
    assert tls_baseline(later, [earliest, marked, later]) == marked


def test_without_a_marked_baseline_the_earliest_set_is_the_reference():
    earliest, later = lab_set(-4, NORMAL), lab_set(2, RISEN)
    assert tls_baseline(later, [earliest, later]) == earliest
    assert tls_baseline(earliest, [earliest, later]) is None  # the first set has none


def test_a_rise_of_25_percent_from_the_baseline_is_laboratory_tls_inside_the_window():
    sets = [lab_set(-4, NORMAL, baseline=True), lab_set(2, RISEN)]
    finding = tls_finding(sets[1], sets, DAY0, None)
    assert (finding.laboratory, finding.clinical, finding.window_day) == (True, False, "D+2")
    assert "+25 % from baseline 4" in finding.reason


def test_the_same_values_without_a_baseline_are_no_tls():
    only = lab_set(2, RISEN)
    assert tls_finding(only, [only], DAY0, None).laboratory is False


def test_laboratory_tls_with_creatinine_1_5_times_uln_is_clinical_tls():
    sets = [lab_set(-4, NORMAL), lab_set(3, RISEN, creatinine_x_uln=1.5)]
    assert tls_finding(sets[1], sets, DAY0, None).clinical is True


@pytest.mark.parametrize(("day", "inside"), [(-4, False), (-3, True), (7, True), (8, False)])
def test_the_cairo_bishop_window_is_3_days_before_to_7_days_after_day_0(day, inside):
    assert (tls_window_day(DAY0 + timedelta(day), DAY0, None) is not None) is inside


def test_day_8_after_day_0_is_outside_the_window_so_not_tls():
    sets = [lab_set(-4, NORMAL), lab_set(8, RISEN)]
    finding = tls_finding(sets[1], sets, DAY0, None)
    assert (finding.laboratory, finding.window_day) == (False, None)
    assert finding.reason.startswith("outside the Cairo-Bishop window")


def test_a_booster_opens_its_own_window():
    booster = DAY0 + timedelta(days=120)
    assert tls_window_day(booster + timedelta(2), DAY0, booster) == "B+2"
    assert tls_window_day(DAY0 + timedelta(2), None, None) is None  # no infusion yet: no window
