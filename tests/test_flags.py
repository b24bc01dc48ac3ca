"""The flags at the top of Today (core/flags.py), from plain values: one test per rule and boundary."""

from datetime import date, datetime, timedelta

from ari_desktop.core import protocol
from ari_desktop.core.flags import GRADE_2_OR_MORE, PROLONGED_CYTOPENIA, TOX_NOT_RECORDED, toxicity_flags
from ari_desktop.core.grading import Grade
from ari_desktop.core.patients import Anchors, Patient
from ari_desktop.core.schedule import ScheduledItem, ScheduleEntry
from ari_desktop.core.toxicity import Assessment, BedsideFindings, ToxicityEvent, Treatments

P = protocol.load_default()
DAY0 = date(2026, 10, 1)


def patient(study_id="ARI-001", **anchors) -> Patient:
    return Patient(study_id, "AB", "F", 1960, Anchors(date(2026, 8, 1), DAY0, **anchors))


def assessed(crs: int, icans: int = 0, day: int = 5) -> Assessment:
    at = datetime(2026, 10, 1, 8, 0).astimezone() + timedelta(days=day)
    return Assessment(1, at, "Dr Ruiz", BedsideFindings(38.5), Treatments(),
                      Grade(crs, f"grade {crs}"), Grade(icans, f"grade {icans}"))


def neutropenia(grade: int, onset_day: int, resolved_day: int | None = None) -> ToxicityEvent:
    resolution = DAY0 + timedelta(days=resolved_day) if resolved_day is not None else None
    return ToxicityEvent(1, "neutropenia", grade, f"grade {grade}", DAY0 + timedelta(days=onset_day), resolution,
                         "", "Dr Ruiz")


def kinds(day: date, patients, latest=None, events=None, unrecorded=()) -> list[str]:
    return [f.kind for f in toxicity_flags(day, unrecorded, patients, latest or {}, events or {}, P)]


def test_an_open_crs_icans_item_of_the_day_is_flagged_as_not_recorded():
    item = ScheduledItem("D+5", "tox", "assessment", "CRS and ICANS", "Day +5", "day0", 5, DAY0, DAY0, DAY0, 1)
    flags = toxicity_flags(DAY0, [ScheduleEntry("ARI-001", item, "due")], [patient()], {}, {}, P)
    assert [(f.study_id, f.kind) for f in flags] == [("ARI-001", TOX_NOT_RECORDED)]
    assert "Day +5" in flags[0].text


def test_a_latest_crs_or_icans_grade_of_2_is_flagged_and_grade_1_is_not():
    day = DAY0 + timedelta(days=6)
    assert kinds(day, [patient()], {"ARI-001": assessed(2)}) == [GRADE_2_OR_MORE]
    assert kinds(day, [patient()], {"ARI-001": assessed(0, icans=2)}) == [GRADE_2_OR_MORE]
    assert kinds(day, [patient()], {"ARI-001": assessed(1, icans=1)}) == []


def test_a_patient_who_died_or_left_the_study_is_not_flagged_from_that_day():
    day = DAY0 + timedelta(days=6)
    died = patient(death=day)
    assert kinds(day, [died], {"ARI-001": assessed(3)}, {"ARI-001": [neutropenia(4, 1)]}) == []
    assert kinds(day - timedelta(days=1), [died], {"ARI-001": assessed(3)}) == [GRADE_2_OR_MORE]


def test_grade_3_neutropenia_still_open_is_prolonged_on_d31_not_on_d30():
    events = {"ARI-001": [neutropenia(3, 10)]}
    assert kinds(DAY0 + timedelta(days=30), [patient()], events=events) == []
    assert kinds(DAY0 + timedelta(days=31), [patient()], events=events) == [PROLONGED_CYTOPENIA]


def test_a_cytopenia_resolved_by_a_later_normal_count_or_only_grade_2_is_not_prolonged():
    day = DAY0 + timedelta(days=40)
    assert kinds(day, [patient()], events={"ARI-001": [neutropenia(4, 10, resolved_day=35)]}) == []
    assert kinds(day, [patient()], events={"ARI-001": [neutropenia(2, 10)]}) == []
