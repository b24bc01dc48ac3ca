"""CAR-T expansion (core/kinetics.py): Cmax, Tmax and AUC D0-D+28 by the linear trapezoid rule, one test per
rule of the module, and the spread of a timepoint across patients."""

from datetime import date, datetime, timedelta

import pytest

from ari_desktop.core import kinetics
from ari_desktop.core.kinetics import Point, auc_to_day_28, expansion, expansions, spread
from ari_desktop.core.results import Result

DAY0 = date(2025, 1, 10)
AS_OF = date(2025, 12, 31)
COPIES, CELLS = "car_copies_per_ug", "car_cells_per_ul"


def cart(day: int, timepoint: str = "M1", activity: str = "cart_pb", **values) -> Result:
    at = datetime.combine(DAY0 + timedelta(days=day), datetime.min.time().replace(hour=10)).astimezone()
    return Result(day, timepoint, activity, at, values, "nurse", at)


def test_the_measures_are_the_two_cart_persistence_fields():
    assert kinetics.MEASURES == (COPIES, CELLS)


def test_each_measure_is_read_apart_by_day_from_fraction_1():
    found = expansions([cart(28, car_copies_per_ug=5000.0), cart(60, "M2", car_cells_per_ul=12.0)], DAY0, AS_OF)
    assert found[COPIES].points == (Point(28, 5000.0),)
    assert found[CELLS].points == (Point(60, 12.0),)
    assert found[CELLS].unit == "cells/µL"


def test_other_activities_samples_before_fraction_1_and_results_after_the_as_of_date_are_left_out():
    results = [cart(-2, "SCR", car_copies_per_ug=1.0), cart(28, "M1", activity="sbcma", car_copies_per_ug=9.0),
               cart(28, car_copies_per_ug=100.0), cart(60, "M2", car_copies_per_ug=50.0)]
    assert expansion(results, DAY0, COPIES, DAY0 + timedelta(days=59)).points == (Point(28, 100.0),)


def test_cmax_is_the_highest_value_and_tmax_its_first_day():
    found = expansion([cart(28, car_copies_per_ug=300.0), cart(60, "M2", car_copies_per_ug=900.0),
                       cart(90, "M3", car_copies_per_ug=900.0), cart(120, "M4", car_copies_per_ug=10.0)],
                      DAY0, COPIES, AS_OF)
    assert (found.cmax, found.tmax) == (900.0, 60)


def test_without_measurements_there_is_no_cmax_nor_auc_and_it_says_why():
    found = expansion([], DAY0, COPIES, AS_OF)
    assert (found.cmax, found.tmax, found.auc, found.no_auc) == (None, None, None, "no CAR-T measurement")


def test_day_0_counts_as_0_when_unmeasured_because_no_car_t_cell_circulates_before_fraction_1():
    # Triangle from (0, 0) to (28, 1000): 28 x 1000 / 2.
    assert auc_to_day_28([Point(28, 1000.0)]) == (14000.0, None)


def test_a_measured_day_0_is_used_as_measured():
    assert auc_to_day_28([Point(0, 10.0), Point(28, 30.0)]) == (560.0, None)


def test_the_trapezoids_add_up_over_every_measurement_up_to_day_28():
    # (0,0)-(7,100): 350; (7,100)-(14,300): 1400; (14,300)-(28,200): 3500.
    assert auc_to_day_28([Point(7, 100.0), Point(14, 300.0), Point(28, 200.0)]) == (5250.0, None)


def test_the_value_on_day_28_is_interpolated_between_the_measurements_either_side_of_it():
    # D+26: 260, D+30: 300 -> D+28: 280. Area: 26 x 260 / 2 = 3380, then 2 x (260 + 280) / 2 = 540.
    auc, why = auc_to_day_28([Point(26, 260.0), Point(30, 300.0)])
    assert (auc, why) == (pytest.approx(3920.0), None)


def test_measurements_after_day_28_beyond_the_closing_one_do_not_count():
    assert auc_to_day_28([Point(28, 1000.0), Point(60, 1.0e6)]) == (14000.0, None)


def test_nothing_is_extrapolated_past_the_last_measurement():
    auc, why = auc_to_day_28([Point(14, 500.0), Point(26, 800.0)])
    assert auc is None
    assert why == "no measurement on or after D+28 yet (last D+26): not extrapolated"


@pytest.mark.parametrize(("measured", "has_auc"), [
    ([Point(35, 700.0)], True),  # D+35: 7 days after D+28, the boundary
    ([Point(36, 720.0)], False),  # D+36: the value on D+28 would come from day 0 and D+36
    ([Point(21, 400.0), Point(60, 100.0)], True),  # D+21: 7 days before
    ([Point(20, 400.0), Point(60, 100.0)], False),
])
def test_the_value_on_day_28_needs_a_measurement_within_7_days_of_it(measured, has_auc):
    auc, why = auc_to_day_28(measured)
    assert (auc is not None) == has_auc
    assert (why is None) == has_auc
    if not has_auc:
        assert "would be a guess" in why


def test_zero_values_undetectable_cells_count_as_zero():
    found = expansion([cart(28, car_copies_per_ug=0.0)], DAY0, COPIES, AS_OF)
    assert (found.cmax, found.tmax, found.auc) == (0.0, 28, 0.0)


def test_the_spread_of_a_timepoint_is_its_median_and_quartiles():
    assert spread([1.0, 2.0, 3.0, 4.0, 5.0]) == kinetics.Spread(5, 2.0, 3.0, 4.0)
    assert spread([1.0, 3.0]) == kinetics.Spread(2, 1.5, 2.0, 2.5)


def test_one_value_is_its_own_median_and_quartiles_and_none_gives_no_spread():
    assert spread([7.0]) == kinetics.Spread(1, 7.0, 7.0, 7.0)
    assert spread([]) is None
