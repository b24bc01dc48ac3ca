"""CAR-T expansion in the blood after the first infusion, and the cohort's spread at each timepoint.

Pure functions over a patient's results (core/results.Result). The rules, decided once here:

- A patient's curve is each CAR-T persistence result (activity cart_pb) done on or before the as-of
  date, per measure (copies/µg DNA, CAR+ cells/µL) when that measure was typed, at its day counted
  from the day fraction 1 was given (day 0). A sample before fraction 1 measures no expansion and is
  left out.
- **Cmax** is the highest measured value, **Tmax** the day of its first measurement.
- **AUC D0-D+28** is the area under the curve from day 0 to day 28 by the linear trapezoid rule, in the
  measure's unit x days:
  - day 0 counts as 0 when it was not measured: no CAR-T cell circulates before fraction 1;
  - the value on D+28 is the one measured that day, or interpolated linearly between the measurements
    on either side of it; nothing is extrapolated past the last measurement;
  - one of those two measurements must lie within AUC_CLOSE_DAYS of D+28, or the value on D+28 would be
    a guess.
  Without that the AUC is None and `no_auc` says why.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from itertools import pairwise

from ..i18n import _
from .results import ACTIVITY_FIELDS, FIELDS, Result

CART_ACTIVITY = "cart_pb"
MEASURES = tuple(f.name for f in ACTIVITY_FIELDS[CART_ACTIVITY])  # copies/µg DNA, CAR+ cells/µL
AUC_LAST_DAY = 28
AUC_CLOSE_DAYS = 7  # the measurement that gives the value on D+28 is D+21 to D+35


@dataclass(frozen=True)
class Point:
    day: int  # from fraction 1 (day 0)
    value: float


@dataclass(frozen=True)
class Expansion:
    """One measure of one patient's CAR-T expansion, as known on the as-of date."""

    measure: str  # a field of core/results.FIELDS
    points: tuple[Point, ...]  # measured, in order of day
    auc: float | None  # AUC D0-D+28 (unit x days)
    no_auc: str | None  # why there is no AUC, when there is none (in the active language)

    @property
    def unit(self) -> str:
        return FIELDS[self.measure].unit

    @cached_property
    def peak(self) -> Point | None:
        """The highest value (Cmax) at its first day (Tmax); None without measurements."""
        return max(self.points, key=lambda p: (p.value, -p.day), default=None)

    @property
    def cmax(self) -> float | None:
        return self.peak.value if self.peak else None

    @property
    def tmax(self) -> int | None:
        return self.peak.day if self.peak else None


def points(results: Iterable[Result], fraction_1: date, measure: str, as_of: date) -> tuple[Point, ...]:
    """The measured values of `measure` by day from fraction 1, known on `as_of` (see the module's rules)."""
    found = [Point((day - fraction_1).days, float(value)) for r in results
             if r.activity == CART_ACTIVITY and (value := r.get(measure)) is not None
             and fraction_1 <= (day := r.day) <= as_of]
    return tuple(sorted(found, key=lambda p: p.day))


def auc_to_day_28(measured: Sequence[Point]) -> tuple[float | None, str | None]:
    """(AUC D0-D+28 by the linear trapezoid rule, None) or (None, why not): the module's rules."""
    if not measured:
        return None, _("no CAR-T measurement")
    after = [p for p in measured if p.day >= AUC_LAST_DAY]
    if not after:
        return None, _("no measurement on or after D+{day} yet (last D+{last}): not extrapolated").format(
            day=AUC_LAST_DAY, last=measured[-1].day)
    curve = [p for p in measured if p.day < AUC_LAST_DAY]
    if not curve or curve[0].day > 0:
        curve.insert(0, Point(0, 0.0))  # no CAR-T cell before fraction 1
    before, later = curve[-1], after[0]
    if min(AUC_LAST_DAY - before.day, later.day - AUC_LAST_DAY) > AUC_CLOSE_DAYS:
        return None, _("no measurement within {days} days of D+{day} (D+{before}, then D+{later}): the value on "
                       "D+{day} would be a guess").format(days=AUC_CLOSE_DAYS, day=AUC_LAST_DAY, before=before.day,
                                                         later=later.day)
    if later.day == AUC_LAST_DAY:
        closing = later.value
    else:
        closing = before.value + (later.value - before.value) * (AUC_LAST_DAY - before.day) / (later.day - before.day)
    curve.append(Point(AUC_LAST_DAY, closing))
    return sum((b.day - a.day) * (a.value + b.value) / 2 for a, b in pairwise(curve)), None


def expansion(results: Iterable[Result], fraction_1: date, measure: str, as_of: date) -> Expansion:
    measured = points(results, fraction_1, measure, as_of)
    return Expansion(measure, measured, *auc_to_day_28(measured))


def expansions(results: Sequence[Result], fraction_1: date, as_of: date) -> dict[str, Expansion]:
    """Each measure's expansion of one patient (core/kinetics.MEASURES)."""
    samples = [r for r in results if r.activity == CART_ACTIVITY]
    return {measure: expansion(samples, fraction_1, measure, as_of) for measure in MEASURES}


@dataclass(frozen=True)
class Spread:
    """The values of one timepoint across patients: how many, the median and the quartiles."""

    n: int
    q1: float
    median: float
    q3: float


def spread(values: Sequence[float]) -> Spread | None:
    """Median and interquartile range (quartiles by linear interpolation between the ordered values,
    as `statistics.quantiles(method="inclusive")`); None without values."""
    if not values:
        return None
    if len(values) == 1:
        return Spread(1, values[0], values[0], values[0])
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(len(values), q1, median, q3)
