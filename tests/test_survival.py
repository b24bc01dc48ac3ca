"""Kaplan-Meier curves (analysis/survival.py) checked against a hand calculation on five patients."""

import math

import pytest

from ari_desktop.analysis.survival import kaplan_meier

# Five patients, months: events at 1, 2 and 4; censored at 3 and 5.
TIMES = [1, 2, 3, 4, 5]
EVENTS = [True, True, False, True, False]


def _greenwood_band(survival, terms):
    """Exponential Greenwood 95 % band by hand: S^exp(+-1.96 sqrt(V)), V = sum d/(n(n-d)) / log(S)^2."""
    z = 1.959964
    spread = z * math.sqrt(sum(terms) / math.log(survival) ** 2)
    return survival ** math.exp(spread), survival ** math.exp(-spread)


def test_the_curve_steps_down_at_each_event_by_the_share_of_those_at_risk():
    km = kaplan_meier(TIMES, EVENTS, ["P1", "P2", "P3", "P4", "P5"])
    assert km.timeline == (0, 1, 2, 3, 4, 5)
    # 1 - 1/5 = 0.8; x (1 - 1/4) = 0.6; censoring keeps it; x (1 - 1/2) = 0.3
    assert km.survival == pytest.approx((1.0, 0.8, 0.6, 0.6, 0.3, 0.3))
    assert (km.events, km.censored, km.patients) == (3, 2, 5)
    assert km.censored_times == (3, 5)
    assert km.labels == ("P1", "P2", "P3", "P4", "P5")


def test_the_95_percent_band_is_the_exponential_greenwood_one():
    km = kaplan_meier(TIMES, EVENTS)
    low, high = _greenwood_band(0.6, [1 / (5 * 4), 1 / (4 * 3)])
    assert (km.ci_lower[2], km.ci_upper[2]) == pytest.approx((low, high), abs=1e-4)
    assert (km.ci_lower[2], km.ci_upper[2]) == pytest.approx((0.1257, 0.8818), abs=1e-4)
    low, high = _greenwood_band(0.3, [1 / (5 * 4), 1 / (4 * 3), 1 / (2 * 1)])
    assert (km.ci_lower[4], km.ci_upper[4]) == pytest.approx((low, high), abs=1e-4)


def test_the_median_is_the_first_time_the_curve_reaches_one_half_or_below():
    km = kaplan_meier(TIMES, EVENTS)
    assert km.median == 4
    # the band's lower edge reaches 0.5 at month 1 (0.204); its upper edge never does
    assert km.median_ci == (1, None)


def test_a_curve_that_never_reaches_one_half_has_its_median_not_reached():
    km = kaplan_meier([2, 6, 12, 13], [True, False, False, False])
    assert km.median is None
    assert km.median_ci[1] is None


def test_numbers_at_risk_count_patients_followed_at_least_that_long():
    km = kaplan_meier([0.5, 3, 5.9, 12, 30], [True, False, True, False, False])
    assert km.at_risk == {0: 5, 3: 4, 6: 2, 12: 2, 18: 1, 24: 1, 36: 0}


def test_survival_at_a_month_reads_the_step_there_and_nothing_past_the_last_follow_up():
    km = kaplan_meier(TIMES, EVENTS)
    at = km.survival_at(2.5)
    assert (at.survival, at.ci_lower, at.ci_upper) == pytest.approx((0.6, 0.1257, 0.8818), abs=1e-4)
    assert km.survival_at(4).survival == pytest.approx(0.3)  # the step at 4 counts at 4
    assert km.survival_at(5.01) is None


def test_no_patients_give_an_empty_curve_not_an_error():
    km = kaplan_meier([], [])
    assert (km.timeline, km.median, km.events, km.censored) == ((), None, 0, 0)
    assert km.at_risk[0] == 0
    assert km.survival_at(0) is None


def test_everyone_censored_keeps_the_curve_and_its_band_at_one():
    km = kaplan_meier([1, 2, 3], [False, False, False])
    assert set(km.survival) == {1.0} and set(km.ci_lower) == {1.0} and set(km.ci_upper) == {1.0}


def test_a_time_without_its_event_flag_is_refused():
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [True])
