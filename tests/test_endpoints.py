"""The trial's safety endpoints (CLINICAL.md section 7), as pure functions: episodes followed to
their end, the 30-day window, late episodes and events, prolonged cytopenia, the denominator."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_desktop.core import protocol
from ari_desktop.core.endpoints import (
    ASSESSED,
    NOT_ASSESSED,
    NOT_INFUSED,
    course_of,
    course_sentence,
    episodes,
    prolonged_cytopenia,
    prolonged_cytopenia_on,
    safety_endpoints,
    toxicity_summary,
)
from ari_desktop.core.grading import Grade
from ari_desktop.core.patients import Anchors, Patient
from ari_desktop.core.schedule import DONE, NOT_DONE, Recording
from ari_desktop.core.toxicity import Assessment, BedsideFindings, Treatments

P = protocol.load_default()
SCREENING = date(2025, 1, 2)
DAY0 = date(2025, 2, 3)
BOOSTER = DAY0 + timedelta(days=120)
LATER = DAY0 + timedelta(days=400)  # an as-of date long after everything


def at(day: int, hour: int = 8, anchor: date = DAY0) -> datetime:
    return datetime.combine(anchor + timedelta(days=day), time(hour)).astimezone()


_ids = iter(range(1, 10**6))


def seen(day: int, crs: int = 0, icans: int = 0, hour: int = 8, anchor: date = DAY0, **doses) -> Assessment:
    """A saved assessment with these grades (the findings do not matter here)."""
    return Assessment(id=next(_ids), at=at(day, hour, anchor), assessor="Dr Vidal", findings=BedsideFindings(37.0),
                      treatments=Treatments(**doses), crs=Grade(crs, f"grade {crs}"),
                      icans=Grade(icans, f"grade {icans}"))


def given_at(timepoint: str, when: datetime) -> Recording:
    return Recording(timepoint, "infusion", DONE, when, None, "nurse", when)


INFUSED = {"D0": given_at("D0", at(0, 10))}


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    grade: int
    onset: date
    resolution: date | None = None


def patient(study_id: str = "ARI-001", **anchors) -> Patient:
    values = {"screening": SCREENING, "day0": DAY0} | anchors
    return Patient(study_id, "AB", "F", 1960, Anchors(**values))


def first(assessments=(), events=(), infusions=INFUSED, as_of=LATER, who=None):
    return toxicity_summary(who or patient(), P, assessments, events, infusions, as_of).first_infusion


def day(n: int, anchor: date = DAY0) -> date:
    return anchor + timedelta(days=n)


# -- what an episode is -------------------------------------------------------------------------

def test_an_episode_runs_from_the_first_grade_1_to_the_first_grade_0_after_it():
    (episode,) = episodes([seen(2, crs=1), seen(3, crs=2), seen(4, crs=1), seen(5, crs=0)], "crs", DAY0)
    assert (episode.onset_day, episode.last_day, episode.resolution_day) == (2, 4, 5)
    assert episode.max_grade == 2 and episode.duration_days == 3 and not episode.ongoing


def test_days_without_an_assessment_inside_an_episode_belong_to_it():
    (episode,) = episodes([seen(2, crs=2), seen(6, crs=1), seen(7, crs=0)], "crs", DAY0)
    assert (episode.onset_day, episode.duration_days, episode.resolution_day) == (2, 5, 7)


def test_an_episode_with_no_grade_0_after_it_is_ongoing_with_its_duration_so_far():
    (episode,) = episodes([seen(1, crs=0), seen(3, crs=1), seen(4, crs=1)], "crs", DAY0)
    assert episode.ongoing and episode.resolution is None and episode.duration_days == 2


def test_an_episode_seen_and_resolved_on_one_day_lasts_one_day():
    (episode,) = episodes([seen(3, crs=1, hour=8), seen(3, crs=0, hour=16)], "crs", DAY0)
    assert episode.duration_days == 1 and episode.resolution_day == 3


def test_a_grade_0_between_two_runs_makes_two_episodes():
    found = episodes([seen(1, crs=1), seen(2, crs=0), seen(5, crs=2), seen(6, crs=0)], "crs", DAY0)
    assert [(e.onset_day, e.max_grade) for e in found] == [(1, 1), (5, 2)]


def test_the_doses_recorded_at_the_resolving_assessment_belong_to_the_episode():
    (episode,) = episodes([seen(2, crs=2, tocilizumab_mg=560), seen(3, crs=0, dexamethasone_mg=10)], "crs", DAY0)
    assert (episode.treatments.tocilizumab_mg, episode.treatments.dexamethasone_mg) == (560, 10)


def test_crs_and_icans_episodes_are_separate():
    rows = [seen(2, crs=1), seen(3, crs=1, icans=2), seen(4, crs=0, icans=0)]
    (icans,) = episodes(rows, "icans", DAY0)
    assert (icans.onset_day, icans.duration_days, icans.max_grade) == (3, 1, 2)


# -- the 30-day window ----------------------------------------------------------------------------

def test_crs_with_onset_exactly_on_day_30_counts_within_30_days():
    course = first([seen(5), seen(30, crs=1), seen(31, crs=0)])
    assert course.crs.any and course.crs.onset_day == 30 and course.late_episodes == ()


def test_crs_with_onset_on_day_31_is_a_late_episode_not_crs_within_30_days():
    course = first([seen(5), seen(31, crs=2), seen(32, crs=0)])
    assert course.status == ASSESSED and not course.crs.any and course.crs.max_grade == 0
    (late,) = course.late_episodes
    assert (late.kind, late.onset_day, late.max_grade) == ("crs", 31, 2)


def test_an_episode_from_day_29_to_day_35_is_followed_past_day_30():
    rows = [seen(29, crs=1), seen(30, crs=1), seen(31, crs=2), seen(32, crs=2, tocilizumab_mg=560),
            seen(33, crs=3), seen(34, crs=2), seen(35, crs=1), seen(36, crs=0), seen(40, crs=0, tocilizumab_mg=400)]
    crs = first(rows).crs
    assert (crs.onset_day, crs.duration_days, crs.resolution_day, crs.ongoing) == (29, 7, 36, False)
    assert crs.max_grade == 3  # D+33's grade, past D+30
    assert crs.episodes[0].treatments.tocilizumab_mg == 560  # given on D+32, inside the episode


def test_course_totals_count_the_window_and_its_episodes_to_their_end_not_later_doses():
    rows = [seen(3, crs=0, dexamethasone_mg=10), seen(29, crs=1), seen(32, crs=2, tocilizumab_mg=560),
            seen(36, crs=0), seen(50, crs=0, tocilizumab_mg=400)]
    totals = first(rows).treatments
    assert (totals.tocilizumab_mg, totals.dexamethasone_mg) == (560, 10)


def test_fever_before_day_0_is_not_crs_after_the_infusion():
    course = first([seen(-2, crs=1), seen(4, crs=1), seen(5, crs=0)])
    assert (course.crs.onset_day, course.crs.duration_days) == (4, 1)


def test_icans_within_30_days_has_the_same_fields_as_crs():
    icans = first([seen(1, crs=1), seen(4, icans=1), seen(5, icans=3), seen(6, icans=0)]).icans
    assert (icans.any, icans.max_grade, icans.onset_day, icans.resolution_day, icans.duration_days,
            icans.ongoing) == (True, 3, 4, 6, 2, False)
    assert set(first([seen(1)]).as_json()["icans"]) == set(first([seen(1)]).as_json()["crs"])


def test_several_episodes_in_the_window_report_the_first_onset_the_worst_grade_and_the_last_resolution():
    crs = first([seen(1, crs=1), seen(2, crs=0), seen(10, crs=3), seen(12, crs=1), seen(13, crs=0)]).crs
    assert (crs.onset_day, crs.max_grade, crs.resolution_day, crs.duration_days) == (1, 3, 13, 1 + 3)
    assert len(crs.episodes) == 2


# -- assessed, not assessed, not infused ----------------------------------------------------------

def test_an_infused_patient_never_assessed_is_not_assessed_never_grade_0():
    course = first([])
    assert course.status == NOT_ASSESSED and course.crs is None and course.icans is None
    data = course.as_json()
    assert data["status"] == "not_assessed" and data["crs"] is None and data["icans"] is None


def test_assessed_with_no_fever_is_no_crs_grade_0():
    course = first([seen(1), seen(2)])
    assert course.status == ASSESSED and course.crs.any is False and course.crs.max_grade == 0
    assert course.crs.onset_day is None and course.crs.duration_days is None


def test_assessed_only_after_day_30_is_not_assessed_in_the_window_but_keeps_its_late_episodes():
    course = first([seen(40, crs=1)])
    assert course.status == NOT_ASSESSED and [e.onset_day for e in course.late_episodes] == [40]


def test_fraction_1_recorded_as_not_given_is_not_infused_with_the_reason():
    not_given = {"D0": Recording("D0", "infusion", NOT_DONE, None, "Fever on the morning of infusion", "nurse",
                                 at(0, 12))}
    course = first([seen(1, crs=1)], infusions=not_given)
    assert course.status == NOT_INFUSED and course.crs is None and course.prolonged_cytopenia is None
    assert course.not_infused.reason == "infusion_not_given"
    assert "Fever on the morning of infusion" in course.not_infused.detail


def test_a_patient_who_died_before_day_0_is_not_infused():
    course = first(infusions={}, who=patient(death=DAY0 - timedelta(days=2)))
    assert (course.status, course.not_infused.reason) == (NOT_INFUSED, "died_before_infusion")


@pytest.mark.parametrize(("anchors", "infusions", "as_of", "reason"), [
    pytest.param({"day0": None}, {}, LATER, "no_day0", id="no day 0"),
    pytest.param({}, {}, DAY0 - timedelta(days=1), "infusion_planned", id="day 0 not reached"),
    pytest.param({}, {}, LATER, "infusion_not_recorded", id="day 0 passed, nothing recorded"),
    pytest.param({"off_study": DAY0 - timedelta(days=1), "off_study_reason": "Consent withdrawn"}, {}, LATER,
                 "off_study_before_infusion", id="off study before day 0"),
    pytest.param({}, INFUSED, DAY0 - timedelta(days=1), "infusion_planned", id="given after the as-of date"),
])
def test_every_course_not_infused_says_why(anchors, infusions, as_of, reason):
    course = first(infusions=infusions, as_of=as_of, who=patient(**anchors))
    assert course.status == NOT_INFUSED and course.not_infused.reason == reason


# -- the as-of date -------------------------------------------------------------------------------

def test_what_happened_after_the_as_of_date_is_not_known_yet():
    rows = [seen(2, crs=2), seen(5, crs=0), seen(8, crs=1)]
    course = first(rows, as_of=day(3))
    assert course.crs.ongoing and course.crs.max_grade == 2 and len(course.crs.episodes) == 1
    assert not course.window_complete and course.not_evaluable == "window_open"


def test_the_window_is_complete_on_day_30_or_when_follow_up_ended_before():
    assert not first([seen(1)], as_of=day(29)).window_complete
    assert first([seen(1)], as_of=day(30)).window_complete
    died = patient(death=day(10))
    assert first([seen(1)], as_of=day(12), who=died).window_complete


# -- late events and prolonged cytopenia ----------------------------------------------------------

def test_toxicity_events_with_onset_after_day_30_are_late_events_with_grade_and_dates():
    events = [Event(1, "tls", 3, day(2), day(5)), Event(2, "infection", 3, day(31), day(40)),
              Event(3, "neutropenia", 4, day(90))]
    late = first([seen(1)], events).late_events
    assert [(e.id, e.kind, e.grade, e.onset_day, e.resolution) for e in late] == [
        (2, "infection", 3, 31, day(40)), (3, "neutropenia", 4, 90, None)]


def test_grade_3_neutropenia_resolved_on_day_31_was_present_on_day_30_only_not_prolonged():
    assert first([seen(1)], [Event(1, "neutropenia", 3, day(10), day(31))]).prolonged_cytopenia == ()


def test_grade_3_thrombocytopenia_still_present_on_day_31_is_prolonged_cytopenia():
    (event,) = first([seen(1)], [Event(1, "thrombocytopenia", 3, day(10), day(32))]).prolonged_cytopenia
    assert event.id == 1 and first([seen(1)], [Event(1, "thrombocytopenia", 3, day(10), day(32))]).as_json()[
        "prolonged_cytopenia"] is True


@pytest.mark.parametrize(("event", "prolonged"), [
    pytest.param(Event(1, "neutropenia", 2, day(10)), False, id="grade 2 is not prolonged cytopenia"),
    pytest.param(Event(1, "anaemia", 3, day(10)), False, id="anaemia does not count"),
    pytest.param(Event(1, "neutropenia", 4, day(45)), True, id="present past D+30, onset later"),
    pytest.param(Event(1, "neutropenia", 3, day(-3)), True, id="present before day 0 and persisting"),
])
def test_prolonged_cytopenia_is_grade_3_or_more_neutropenia_or_thrombocytopenia_present_past_day_30(event, prolonged):
    assert bool(prolonged_cytopenia([event], DAY0, 30, LATER)) is prolonged


def test_prolonged_cytopenia_is_not_known_before_the_day_past_day_30():
    unresolved = Event(1, "neutropenia", 4, day(10))
    assert prolonged_cytopenia([unresolved], DAY0, 30, day(30)) == ()
    assert prolonged_cytopenia([unresolved], DAY0, 30, day(31)) == (unresolved,)


def test_the_flag_and_the_summary_share_one_rule_on_a_day():
    event = Event(1, "neutropenia", 3, day(10), day(35))
    assert not prolonged_cytopenia_on(event, DAY0, 30, day(30))
    assert prolonged_cytopenia_on(event, DAY0, 30, day(31))
    assert not prolonged_cytopenia_on(event, DAY0, 30, day(35))  # resolved that day
    assert prolonged_cytopenia_on(event, DAY0, 60, day(31)) is False  # the protocol's day moves it


def test_an_event_resolved_after_the_as_of_date_is_still_unresolved_then():
    (event,) = first([seen(1)], [Event(1, "neutropenia", 3, day(10), day(50))], as_of=day(40)).prolonged_cytopenia
    assert event.resolution is None


# -- the booster ----------------------------------------------------------------------------------

BOOSTED = {**INFUSED, "B0": given_at("B0", at(0, 10, BOOSTER))}


def test_the_booster_has_its_own_course_b0_to_b14_and_ends_the_first_one():
    rows = [seen(2, crs=1), seen(3, crs=0),
            seen(14, crs=1, anchor=BOOSTER), seen(15, crs=0, anchor=BOOSTER), seen(20, icans=1, anchor=BOOSTER)]
    summary = toxicity_summary(patient(booster=BOOSTER), P, rows, [], BOOSTED, LATER)
    booster = summary.booster
    assert (booster.anchor, booster.window_days, booster.status) == ("B", 14, ASSESSED)
    assert booster.crs.onset_day == 14 and [(e.kind, e.onset_day) for e in booster.late_episodes] == [("icans", 20)]
    assert summary.first_infusion.late_episodes == ()  # the booster's assessments are not the first's
    assert course_of(patient(booster=BOOSTER).anchors, BOOSTER) == ("B", BOOSTER)


def test_a_booster_not_recorded_as_given_is_not_infused_and_no_booster_means_none():
    assert toxicity_summary(patient(booster=BOOSTER), P, [], [], INFUSED, LATER).booster.status == NOT_INFUSED
    assert toxicity_summary(patient(), P, [], [], INFUSED, LATER).booster is None


# -- the cohort -------------------------------------------------------------------------------------

def test_the_denominator_is_the_infused_and_the_others_are_listed_apart_with_the_reason():
    summaries = [
        toxicity_summary(patient("ARI-001"), P, [seen(2, crs=3), seen(4, crs=0)], [], INFUSED, LATER),
        toxicity_summary(patient("ARI-002"), P, [seen(2), seen(3, icans=1), seen(4)], [], INFUSED, LATER),
        toxicity_summary(patient("ARI-003"), P, [], [], INFUSED, LATER),
        toxicity_summary(patient("ARI-004", death=DAY0 - timedelta(days=1)), P, [], [], {}, LATER),
        toxicity_summary(patient("ARI-005"), P, [seen(1, crs=1)], [], INFUSED, day(10)),
    ]
    table = safety_endpoints(summaries, LATER, 30)
    assert table.infused == ("ARI-001", "ARI-002", "ARI-003", "ARI-005")
    assert [(s, why.reason) for s, why in table.not_infused] == [("ARI-004", "died_before_infusion")]
    assert table.evaluable == ("ARI-001", "ARI-002")
    assert table.not_evaluable == (("ARI-003", "not_assessed"), ("ARI-005", "window_open"))
    assert (table.crs.patients, table.crs.evaluable, table.crs.proportion) == (("ARI-001",), 2, 0.5)
    assert table.crs.grade_3_or_more == ("ARI-001",) and table.crs.by_max_grade == (1, 0, 0, 1, 0, 0)
    assert table.icans.patients == ("ARI-002",) and table.icans.code == "icans_within_30_days"
    data = table.as_json()
    assert data["not_infused"] == [{"study_id": "ARI-004", "reason": "died_before_infusion",
                                    "detail": f"died on {DAY0 - timedelta(days=1)}"}]
    assert data["crs"]["proportion"] == 0.5 and data["crs"]["by_max_grade"]["3"] == 1


def test_with_no_one_evaluable_the_proportion_is_none_not_zero():
    assert safety_endpoints([], LATER, 30).crs.proportion is None


# -- the sentence both front ends show -------------------------------------------------------------

def test_the_sentence_says_not_infused_not_assessed_or_the_grades():
    assert course_sentence(first(infusions={})).startswith("Not infused: infusion not recorded as given")
    assert course_sentence(first([])).startswith("Not assessed from D0 to D+30")
    text = course_sentence(first([seen(29, crs=1), seen(33, crs=3, tocilizumab_mg=560), seen(36, crs=0)]))
    assert "Maximum CRS grade 3" in text and "CRS from D+29 for 5 days, resolved D+36" in text
    assert "no ICANS" in text and "tocilizumab total 560 mg" in text


# -- properties ------------------------------------------------------------------------------------

grades = st.integers(min_value=0, max_value=4)
days_ = st.integers(min_value=-3, max_value=60)


@given(st.lists(st.tuples(days_, grades, grades), max_size=12), days_, st.integers(0, 23))
def test_adding_a_grade_0_assessment_never_raises_a_maximum_grade(rows, extra_day, hour):
    # It may end an episode and so turn the rest of it into a late one: the worst grade of the
    # window, and of the whole course, never goes up.
    before = first([seen(d, crs=c, icans=i) for d, c, i in rows])
    after = first([seen(d, crs=c, icans=i) for d, c, i in rows] + [seen(extra_day, hour=hour)])

    def worst(course, kind):
        window = getattr(course, kind)
        return max([window.max_grade if window else 0] + [e.max_grade for e in course.late_episodes if e.kind == kind])

    for kind in ("crs", "icans"):
        if getattr(before, kind) is not None:
            assert getattr(after, kind).max_grade <= getattr(before, kind).max_grade
        assert worst(after, kind) <= worst(before, kind)


@given(st.lists(st.tuples(st.booleans(), st.sampled_from([None, -5, 5]), st.booleans()), max_size=8))
def test_the_denominator_never_holds_a_patient_without_fraction_1_done(patients):
    summaries = []
    for n, (done, death_day, assessed) in enumerate(patients):
        who = patient(f"ARI-{n:03d}", death=day(death_day) if death_day is not None else None)
        summaries.append(toxicity_summary(who, P, [seen(1, crs=1)] if assessed else [], [],
                                          INFUSED if done else {}, LATER))
    table = safety_endpoints(summaries, LATER, 30)
    without = {f"ARI-{n:03d}" for n, (done, _, _) in enumerate(patients) if not done}
    assert not without & set(table.infused) and without == {s for s, _ in table.not_infused}
    assert set(table.evaluable) <= set(table.infused)
