"""The schedule engine: dates, windows and statuses from the protocol and a patient's anchor dates."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ari_desktop.core import protocol, schedule
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, check_anchors
from ari_desktop.core.schedule import Recording

P = protocol.load_default()
SCREENING = date(2026, 1, 5)
DAY0 = date(2026, 2, 16)
TODAY = date(2026, 11, 26)


def find(items, timepoint, activity):
    return next(i for i in items if i.timepoint == timepoint and i.activity == activity)


def test_before_day0_is_known_only_screening_is_scheduled():
    items = schedule.build(P, Anchors(SCREENING))
    assert {i.timepoint for i in items} == {"SCR"}


def test_fractions_fall_on_day_0_3_and_7():
    items = schedule.build(P, Anchors(SCREENING, DAY0))
    infusions = [i for i in items if i.activity == "infusion"]
    assert [(i.timepoint, i.target_date) for i in infusions] == [
        ("D0", DAY0), ("D+3", DAY0 + timedelta(3)), ("D+7", DAY0 + timedelta(7))]


def test_lymphodepletion_runs_on_days_minus_5_to_minus_3():
    items = schedule.build(P, Anchors(SCREENING, DAY0))
    assert [i.target_date for i in items if i.activity == "lymphodepletion"] == [
        DAY0 - timedelta(5), DAY0 - timedelta(4), DAY0 - timedelta(3)]


def test_toxicity_assessed_every_day_from_d0_to_d30():
    items = schedule.build(P, Anchors(SCREENING, DAY0))
    days = sorted((i.target_date - DAY0).days for i in items if i.activity == "tox")
    assert days == list(range(31))


def test_pet_ct_only_for_extramedullary_disease():
    without = schedule.build(P, Anchors(SCREENING, DAY0))
    with_emd = schedule.build(P, Anchors(SCREENING, DAY0, extramedullary=True))
    assert not [i for i in without if i.activity == "pet_ct"]
    assert {i.timepoint for i in with_emd if i.activity == "pet_ct"} >= {"SCR", "M3"}


def test_month_6_is_day_180_with_a_seven_day_window():
    item = find(schedule.build(P, Anchors(SCREENING, DAY0)), "M6", "sbcma")
    assert item.target_date == DAY0 + timedelta(180)
    assert (item.window_start, item.window_end) == (DAY0 + timedelta(173), DAY0 + timedelta(187))


def test_a_booster_adds_its_own_infusion_and_14_days_of_toxicity_without_moving_day0_items():
    booster = DAY0 + timedelta(120)
    plain = schedule.build(P, Anchors(SCREENING, DAY0))
    boosted = schedule.build(P, Anchors(SCREENING, DAY0, booster=booster))
    day0_items = {(i.timepoint, i.activity): i.target_date for i in boosted if i.anchor != "booster"}
    assert day0_items == {(i.timepoint, i.activity): i.target_date for i in plain}
    assert find(boosted, "B0", "infusion").target_date == booster
    assert sorted((i.target_date - booster).days for i in boosted if i.anchor == "booster" and i.activity == "tox") \
        == list(range(15))


def test_off_study_cancels_every_later_item_with_the_reason():
    off = DAY0 + timedelta(50)
    items = schedule.build(P, Anchors(SCREENING, DAY0, off_study=off, off_study_reason="Progressive disease"))
    later = [i for i in items if i.window_end >= off]
    assert later and all("Progressive disease" in i.cancelled_reason for i in later)
    assert all(i.cancelled_reason is None for i in items if i.window_end < off)


def test_an_item_still_open_on_the_day_of_death_is_cancelled_not_left_to_be_missed():
    m6 = find(schedule.build(P, Anchors(SCREENING, DAY0)), "M6", "sbcma")
    died = m6.target_date + timedelta(days=2)  # inside the M6 window, after its target
    item = find(schedule.build(P, Anchors(SCREENING, DAY0, death=died)), "M6", "sbcma")
    assert item.cancelled_reason == f"died on {died}"
    assert schedule.status(item, m6.window_end + timedelta(days=5)) == "cancelled"


def test_death_cancels_later_items_even_when_off_study_came_later():
    death = DAY0 + timedelta(40)
    items = schedule.build(P, Anchors(SCREENING, DAY0, off_study=DAY0 + timedelta(60), off_study_reason="x",
                                      death=death))
    assert find(items, "M2", "visit").cancelled_reason == f"died on {death}"


# -- statuses (CLINICAL.md, "Status of a scheduled item") ------------------------------------

M6 = find(schedule.build(P, Anchors(SCREENING, DAY0)), "M6", "sbcma")


@pytest.mark.parametrize("as_of, expected", [
    (M6.window_start - timedelta(1), "planned"),  # window not yet open
    (M6.window_start, "due"),                      # window open
    (M6.target_date, "due"),
    (M6.target_date + timedelta(1), "overdue"),    # target passed, window still open
    (M6.window_end, "overdue"),
    (M6.window_end + timedelta(1), "missed"),      # window closed, nothing recorded
])
def test_status_follows_the_window(as_of, expected):
    assert schedule.status(M6, as_of) == expected


def recording(outcome, done_at=None, reason=None):
    return Recording("M6", "sbcma", outcome, done_at, reason, "nurse", datetime.now(UTC))


def test_a_recording_decides_the_status_whatever_the_date():
    assert schedule.status(M6, M6.window_end + timedelta(30), recording("done", datetime.now())) == "done"
    assert schedule.status(M6, M6.window_start, recording("not_done", reason="declined")) == "not_done"


def test_cancelled_item_is_cancelled_not_missed():
    off = DAY0 + timedelta(50)
    item = find(schedule.build(P, Anchors(SCREENING, DAY0, off_study=off, off_study_reason="x")), "M6", "sbcma")
    assert schedule.status(item, item.window_end + timedelta(100)) == "cancelled"


def test_done_in_window_is_judged_by_when_it_was_done_not_entered():
    inside = datetime.combine(M6.window_end, datetime.min.time()).replace(hour=9).astimezone()
    late = inside + timedelta(days=1)
    assert schedule.done_in_window(M6, recording("done", inside)) is True
    assert schedule.done_in_window(M6, recording("done", late)) is False


# -- the order of a patient's dates ---------------------------------------------------------

@pytest.mark.parametrize("anchors, field, sentence", [
    (Anchors(SCREENING, SCREENING - timedelta(1)), "day0", "before the screening date"),
    (Anchors(SCREENING, SCREENING + timedelta(2)), "day0", "lymphodepletion from D-5"),
    (Anchors(SCREENING, DAY0, booster=DAY0 + timedelta(99)), "booster", r"before D\+100"),
    (Anchors(SCREENING, booster=DAY0 + timedelta(120)), "booster", "needs day 0"),
    (Anchors(SCREENING, DAY0, off_study=DAY0), "off_study_reason", "needs a reason"),
    (Anchors(SCREENING, DAY0, death=TODAY + timedelta(1)), "death", "in the future"),
    (Anchors(SCREENING, DAY0, death=SCREENING - timedelta(1)), "death", "before screening"),
])
def test_impossible_dates_are_refused_with_a_sentence(anchors, field, sentence):
    with pytest.raises(ClinicalInputError, match=sentence) as error:
        check_anchors(anchors, P, TODAY)
    assert error.value.field == field


def test_booster_on_day_100_is_accepted():
    check_anchors(Anchors(SCREENING, DAY0, booster=DAY0 + timedelta(100)), P, TODAY)


# -- invariants, for any dates ----------------------------------------------------------------

screenings = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 1, 1))
lead_days = st.integers(min_value=5, max_value=400)
shifts = st.integers(min_value=-60, max_value=60)


@given(screenings, lead_days, st.booleans())
def test_every_window_contains_its_target_and_nothing_is_before_screening(screening, lead, emd):
    anchors = Anchors(screening, screening + timedelta(lead), extramedullary=emd)
    check_anchors(anchors, P, date(2100, 1, 1))
    for item in schedule.build(P, anchors):
        assert item.window_start <= item.target_date <= item.window_end
        assert item.target_date >= screening


@given(screenings, lead_days, shifts)
def test_moving_day0_by_k_days_moves_every_day0_item_by_exactly_k(screening, lead, k):
    day0 = screening + timedelta(lead)
    moved = day0 + timedelta(k)
    if (moved - screening).days < P.earliest_day_before_infusion:
        return
    before = {(i.timepoint, i.activity): i for i in schedule.build(P, Anchors(screening, day0))}
    after = {(i.timepoint, i.activity): i for i in schedule.build(P, Anchors(screening, moved))}
    assert before.keys() == after.keys()
    for key, item in after.items():
        shift = 0 if item.anchor == "screening" else k
        assert item.target_date - before[key].target_date == timedelta(shift)
        assert item.window_end - before[key].window_end == timedelta(shift)


@given(screenings, lead_days, st.integers(min_value=0, max_value=1200))
def test_nothing_after_off_study_stays_open(screening, lead, after):
    day0 = screening + timedelta(lead)
    off = day0 + timedelta(after)
    for item in schedule.build(P, Anchors(screening, day0, off_study=off, off_study_reason="withdrawn")):
        assert (item.cancelled_reason is not None) == (item.window_end >= off)


@given(screenings, lead_days, st.dates(min_value=date(2015, 1, 1), max_value=date(2040, 1, 1)))
def test_every_item_has_exactly_one_status(screening, lead, as_of):
    for item in schedule.build(P, Anchors(screening, screening + timedelta(lead))):
        assert schedule.status(item, as_of) in schedule.OPEN_STATUSES


def test_shifts_lists_what_moving_day0_would_move():
    before = schedule.build(P, Anchors(SCREENING, DAY0))
    after = schedule.build(P, Anchors(SCREENING, DAY0 + timedelta(7)))
    moved = schedule.shifts(before, after)
    assert all(item.anchor == "day0" for item, _ in moved)
    assert all(item.target_date - old == timedelta(7) for item, old in moved)
    assert len(moved) == len([i for i in after if i.anchor == "day0"])



def test_a_death_is_not_previewed_as_cancelling_what_was_already_recorded_that_day():
    death = DAY0 + timedelta(20)
    before = schedule.build(P, Anchors(SCREENING, DAY0))
    after = schedule.build(P, Anchors(SCREENING, DAY0, death=death))
    recorded = frozenset({("D+20", "tox")})
    listed = {(item.timepoint, item.activity) for item, _ in schedule.shifts(before, after, recorded)}
    assert ("D+20", "tox") not in listed  # its recording stands: status() reads it first
    assert ("D+21", "tox") in listed

@given(screenings, lead_days, st.integers(min_value=100, max_value=400), st.booleans())
def test_every_window_length_is_one_the_store_searches(screening, lead, booster_day, emd):
    day0 = screening + timedelta(lead)
    anchors = Anchors(screening, day0, booster=day0 + timedelta(booster_day), extramedullary=emd)
    for item in schedule.build(P, anchors, held=frozenset(P.go_decision_before)):
        assert (item.window_end - item.window_start).days in P.window_lengths


def test_a_death_before_the_planned_infusion_is_accepted_and_cancels_the_whole_day0_schedule():
    anchors = Anchors(SCREENING, DAY0, death=DAY0 - timedelta(days=10))
    check_anchors(anchors, P, TODAY)  # died during manufacturing: day 0 stays as it was planned
    assert all(i.cancelled_reason for i in schedule.build(P, anchors) if i.anchor == "day0")


def test_a_recorded_item_that_a_new_protocol_file_dropped_stays_visible_as_cancelled():
    edited = protocol.parse(protocol.shipped_text().replace(
        'activities = ["sbcma", "cbc", "chemistry", "visit"]\n', 'activities = ["cbc", "chemistry", "visit"]\n', 1),
        "edited.toml")
    assert "sbcma" not in edited.timepoint("D+14").activities
    items = schedule.build(edited, Anchors(SCREENING, DAY0), recorded=frozenset({("D+14", "sbcma")}))
    kept = find(items, "D+14", "sbcma")
    assert kept.cancelled_reason and "no longer in the protocol" in kept.cancelled_reason
