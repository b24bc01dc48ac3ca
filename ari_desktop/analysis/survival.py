"""Kaplan-Meier survival estimates (lifelines), in months from the infusion.

The rules, decided once here:
- Times are months = days / 30.4375 (the caller converts); an event is True, a censored time False.
- The 95 % confidence band is lifelines' default: Greenwood's variance on the log(-log) scale
  (exponential Greenwood), which keeps it within 0 and 1.
- The median is the first time the curve reaches 0.5 or below; None when it does not ("not
  reached"). Its 95 % CI is read off the band the same way (an end not reached is None).
- Number at risk at month t: the patients followed at least to t (time >= t), as printed under the
  curves.
- The survival at month t is the curve's value there (a step function, right-continuous); None past
  the last follow-up time, where the curve says nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

AT_RISK_MONTHS = (0, 3, 6, 12, 18, 24, 36)
CONFIDENCE = 0.95


@dataclass(frozen=True)
class SurvivalAt:
    """The curve's value at one time, with its 95 % CI."""

    month: float
    survival: float
    ci_lower: float
    ci_upper: float


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan-Meier curve: the steps (timeline, survival and its 95 % band), the median, the numbers
    at risk, and each patient's time for the censoring marks."""

    timeline: tuple[float, ...]  # 0, then each distinct time, months
    survival: tuple[float, ...]
    ci_lower: tuple[float, ...]
    ci_upper: tuple[float, ...]
    median: float | None  # None: not reached
    median_ci: tuple[float | None, float | None]
    at_risk: dict[int, int]  # month -> patients followed at least that long
    events: int
    censored: int
    durations: tuple[float, ...] = ()  # each patient's time, months, in the order given
    observed: tuple[bool, ...] = ()  # True: the event; False: censored
    labels: tuple[str, ...] = ()  # each patient's label (study ID)

    @property
    def patients(self) -> int:
        return len(self.durations)

    @property
    def censored_times(self) -> tuple[float, ...]:
        """Where the curve's censoring marks go."""
        return tuple(sorted(t for t, seen in zip(self.durations, self.observed, strict=True) if not seen))

    def survival_at(self, month: float) -> SurvivalAt | None:
        """The curve at `month` with its CI; None when nobody was followed that long (or no patients)."""
        if not self.durations or month > max(self.durations):
            return None
        i = max(i for i, t in enumerate(self.timeline) if t <= month)
        return SurvivalAt(month, self.survival[i], self.ci_lower[i], self.ci_upper[i])

    def as_json(self) -> dict:
        return {"patients": self.patients, "events": self.events, "censored": self.censored,
                "median_months": _rounded(self.median), "median_ci": [_rounded(m) for m in self.median_ci],
                "at_risk": {str(m): n for m, n in self.at_risk.items()},
                "timeline": [_rounded(t) for t in self.timeline], "survival": [_rounded(s) for s in self.survival],
                "ci_lower": [_rounded(s) for s in self.ci_lower], "ci_upper": [_rounded(s) for s in self.ci_upper]}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _first_at_or_below_half(timeline: Sequence[float], curve: Sequence[float]) -> float | None:
    return next((t for t, s in zip(timeline, curve, strict=True) if s <= 0.5), None)


def kaplan_meier(durations_months: Sequence[float], events: Sequence[bool], labels: Sequence[str] = (),
                 at_risk_months: Sequence[int] = AT_RISK_MONTHS) -> KaplanMeier:
    """The Kaplan-Meier curve of these times (months) and events (True: the event; False: censored),
    with `labels` naming each patient."""
    durations = tuple(float(d) for d in durations_months)
    observed = tuple(bool(e) for e in events)
    if len(observed) != len(durations) or (labels and len(labels) != len(durations)):
        raise ValueError("kaplan_meier needs one event flag (and one label) per duration")
    if any(d < 0 or math.isnan(d) for d in durations):
        raise ValueError("kaplan_meier needs times of zero or more")
    at_risk = {m: sum(d >= m for d in durations) for m in at_risk_months}
    common = {"at_risk": at_risk, "events": sum(observed), "censored": len(observed) - sum(observed),
              "durations": durations, "observed": observed, "labels": tuple(labels)}
    if not durations:
        return KaplanMeier((), (), (), (), None, (None, None), **common)
    from lifelines import KaplanMeierFitter  # heavy: only when a curve is computed

    fitter = KaplanMeierFitter(alpha=1 - CONFIDENCE).fit(durations, observed)
    timeline = tuple(float(t) for t in fitter.survival_function_.index)
    survival = tuple(float(s) for s in fitter.survival_function_.iloc[:, 0])
    band = fitter.confidence_interval_survival_function_
    lower, upper = (tuple(float(v) for v in band.iloc[:, i]) for i in (0, 1))
    # A band of the exponential Greenwood is undefined (NaN) where the curve is 1 or 0: there it is the curve.
    lower = tuple(s if math.isnan(v) else v for v, s in zip(lower, survival, strict=True))
    upper = tuple(s if math.isnan(v) else v for v, s in zip(upper, survival, strict=True))
    median = _first_at_or_below_half(timeline, survival)
    # The median's CI: where the band's upper edge reaches 0.5 (upper end), and the lower edge (lower end).
    median_ci = (_first_at_or_below_half(timeline, lower), _first_at_or_below_half(timeline, upper))
    return KaplanMeier(timeline, survival, lower, upper, median, median_ci, **common)
