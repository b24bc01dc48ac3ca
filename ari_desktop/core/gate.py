"""The go / hold gate before a fraction (CLINICAL.md section 5), as pure rules.

The first infusion is given in aliquots (D0, D+3, D+7). Before each later one a physician decides
go or hold; the decision keeps what the physician saw at the decision time, never text nobody
wrote. Active CRS or ICANS at the decision (thresholds in the protocol file) makes a go an
override that needs the physician's reason. A go is valid for a while before the aliquot and void
once a later assessment shows active toxicity; fractions go in order with a minimum interval
between the times they were given. Each function returns the sentence of a refusal, or None; the
store calls them inside its transaction and refuses with that sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ..i18n import _, ngettext
from .errors import ClinicalInputError

if TYPE_CHECKING:
    from .protocol import Protocol
    from .toxicity import Assessment

DECISIONS = ("go", "hold")
# A decision taken on an assessment older than this is warned about: assess again first.
REASSESS_AFTER = timedelta(hours=12)
# Plausible ranges of what is recorded with an aliquot given.
DOSE_RANGE = (0.01, 5.0)  # x10^6 CAR+ cells/kg; the whole first infusion is 3 x10^6/kg
WEIGHT_RANGE = (25.0, 250.0)  # kg


@dataclass(frozen=True)
class Seen:
    """What the physician saw at a moment: the latest bedside assessment up to then (None when
    there was none), its grades and age, and whether any assessment of the protocol's active-toxicity
    window up to then showed CRS or ICANS at or above the thresholds."""

    assessment_id: int | None
    assessed_at: datetime | None
    crs_grade: int | None
    icans_grade: int | None
    age: timedelta | None
    active: tuple[str, ...] = ()  # e.g. ("CRS grade 2 at 25 Nov 20:00",); empty when nothing active

    @property
    def grades_text(self) -> str:
        if self.assessment_id is None:
            return _("no assessment yet")
        return _("CRS grade {crs}, ICANS grade {icans}, assessed {age}").format(
            crs=self.crs_grade, icans=self.icans_grade, age=age_text(self.age))


@dataclass(frozen=True)
class FractionDecision:
    """A go or hold as recorded, with what was seen then. `override` is True for a go taken against
    active toxicity; it and the assessment seen are None for decisions recorded before they were kept."""

    timepoint: str
    decision: str
    reason: str | None
    decided_by: str
    decided_at: datetime
    crs_grade_seen: int | None
    icans_grade_seen: int | None
    assessment_seen: int | None = None
    assessment_age_seen: timedelta | None = None
    override: bool | None = None
    id: int | None = None  # the record's id, which a signature names

    def valid_until(self, protocol: Protocol) -> datetime | None:
        """Until when a go clears the aliquot (None for a hold)."""
        return self.decided_at + timedelta(hours=protocol.go_valid_hours) if self.decision == "go" else None


@dataclass(frozen=True)
class DoseGiven:
    """What is recorded with an aliquot given: the dose actually given and the patient's weight."""

    million_cells_per_kg: float
    weight_kg: float

    def __post_init__(self) -> None:
        low, high = DOSE_RANGE
        if not low <= self.million_cells_per_kg <= high:
            raise ClinicalInputError(
                _("The dose given, {million_cells_per_kg:g} x10^6 CAR+ cells/kg, is outside the plausible range "
                  "{low:g}–{high:g} x10^6 CAR+ cells/kg.").format(million_cells_per_kg=self.million_cells_per_kg,
                                                                  low=low, high=high), "dose")
        low, high = WEIGHT_RANGE
        if not low <= self.weight_kg <= high:
            raise ClinicalInputError(
                _("The weight {weight_kg:g} kg is outside the plausible range {low:g}–{high:g} kg.").format(
                    weight_kg=self.weight_kg, low=low, high=high), "weight")


def fraction_timepoints(protocol: Protocol) -> tuple[str, ...]:
    """The aliquots of the first infusion, in the order they are given: D0, D+3, D+7."""
    fractions = [t for t in protocol.timepoints if t.anchor == "day0" and "infusion" in t.activities]
    return tuple(t.code for t in sorted(fractions, key=lambda t: t.day))


def active_toxicity(assessments: Iterable[Assessment], moment: datetime, protocol: Protocol) -> tuple[str, ...]:
    """The grades at or above the protocol's thresholds in the assessments of the active window
    up to `moment` (both ends included), in time order, as words."""
    since = moment - timedelta(hours=protocol.active_toxicity_hours)
    found = []
    for a in sorted(assessments, key=lambda a: a.at):
        if since <= a.at <= moment:
            found += _over_threshold(a, protocol)
    return tuple(found)


def _over_threshold(a: Assessment, protocol: Protocol) -> list[str]:
    at = a.at.astimezone()
    return ([_("CRS grade {grade} at {at:%d %b %H:%M}").format(grade=a.crs.grade, at=at)]
            if a.crs.grade >= protocol.active_crs_grade else []) + \
        ([_("ICANS grade {grade} at {at:%d %b %H:%M}").format(grade=a.icans.grade, at=at)]
         if a.icans.grade >= protocol.active_icans_grade else [])


def seen_at(assessments: Iterable[Assessment], moment: datetime, protocol: Protocol) -> Seen:
    """What a physician deciding at `moment` saw: the latest assessment made at or before it
    (never one made later, even if it was entered before the decision was)."""
    rows = [a for a in assessments if a.at <= moment]
    latest = max(rows, key=lambda a: a.at, default=None)
    active = active_toxicity(rows, moment, protocol)
    if latest is None:
        return Seen(None, None, None, None, None, active)
    return Seen(latest.id, latest.at, latest.crs.grade, latest.icans.grade, moment - latest.at, active)


def is_override(decision: str, seen: Seen) -> bool:
    """A go taken against active toxicity is the physician's explicit override."""
    return decision == "go" and bool(seen.active)


def decision_refusal(decision: str, reason: str, seen: Seen) -> str | None:
    """Why a go or hold cannot be recorded as given: a hold needs a reason, and so does a go against
    active toxicity. The physician decides; the software only asks for the words."""
    if decision not in DECISIONS:
        return _("The decision must be go or hold, not '{decision}'.").format(decision=decision)
    if reason.strip():
        return None
    if decision == "hold":
        return _("Holding a fraction needs a reason.")
    if is_override(decision, seen):
        return _("Active toxicity before this go ({active}): a go now is an override and needs the physician's "
                 "reason.").format(active="; ".join(seen.active))
    return None


def decision_warnings(seen: Seen, protocol: Protocol) -> list[str]:
    """What a physician must see before a go or hold: no assessment at all, active toxicity in the
    protocol's window, or a latest assessment older than REASSESS_AFTER."""
    if seen.assessment_id is None:
        return [_("⚠ No bedside assessment has been recorded for this patient by then: assess before deciding.")]
    warnings = []
    if seen.active:
        warnings.append(_("⚠ Active toxicity in the last {hours} h ({active}): a go is an override and needs your "
                          "reason.").format(hours=protocol.active_toxicity_hours, active="; ".join(seen.active)))
    if seen.age > REASSESS_AFTER:
        hours = int(REASSESS_AFTER.total_seconds() // 3600)
        warnings.append(_("⚠ The last assessment is more than {hours} hours old: assess the patient again before "
                          "deciding.").format(hours=hours))
    return warnings


def go_refusal(timepoint: str, at: datetime, decisions: Iterable[FractionDecision],
               assessments: Iterable[Assessment], protocol: Protocol) -> str | None:
    """Why the go for the fraction at `timepoint` does not clear an aliquot given at `at`: no go by
    then, held then, the go expired, or a later assessment before `at` voided it."""
    # Decisions come in the order they were entered; of two taken at the same minute, the one
    # entered last stands (a go then a hold at 08:00 is a hold). sorted() keeps that order on ties.
    taken = sorted((d for d in decisions if d.timepoint == timepoint and d.decided_at <= at),
                   key=lambda d: d.decided_at)
    latest = taken[-1] if taken else None
    if latest is None or latest.decision != "go":
        if latest:
            return _("The fraction at {timepoint} needs a physician's go decision before the time it is given (it "
                     "was on hold then).").format(timepoint=timepoint)
        return _("The fraction at {timepoint} needs a physician's go decision before the time it is given.").format(
            timepoint=timepoint)
    decided = f"{latest.decided_at.astimezone():%Y-%m-%d %H:%M}"
    if at > latest.valid_until(protocol):
        return _("The go for the fraction at {timepoint} ({decided}) is more than {hours} hours before the time "
                 "given ({at:%Y-%m-%d %H:%M}): it has expired; a new decision is needed.").format(
            timepoint=timepoint, decided=decided, hours=protocol.go_valid_hours, at=at.astimezone())
    later = [a for a in assessments if latest.decided_at < a.at <= at]
    voiding = [words for a in sorted(later, key=lambda a: a.at) for words in _over_threshold(a, protocol)]
    if voiding:
        return _("The go for the fraction at {timepoint} ({decided}) is void: a later assessment shows {found}; a "
                 "new decision is needed.").format(timepoint=timepoint, decided=decided, found=voiding[0])
    return None


def order_refusal(timepoint: str, at: datetime, given: Mapping[str, datetime], protocol: Protocol) -> str | None:
    """Why the aliquot at `timepoint` cannot be given at `at`, given the times the other aliquots
    were given (`given`: timepoint -> time): an earlier one not given before it, or less than the
    protocol's minimum interval from its neighbours."""
    order = fraction_timepoints(protocol)
    if timepoint not in order:
        return None
    position = order.index(timepoint)
    interval = timedelta(hours=protocol.min_hours_between_fractions)
    for earlier in order[:position]:
        when = given.get(earlier)
        if when is None or when >= at:
            return _("The fraction at {timepoint} cannot be given before the fraction at {earlier} is given.").format(
                timepoint=timepoint, earlier=earlier)
    neighbours = [tp for tp in (order[position - 1] if position else None,
                                order[position + 1] if position + 1 < len(order) else None) if tp in given]
    for other in neighbours:
        if abs(at - given[other]) < interval:
            return _("The fraction at {timepoint} ({at:%Y-%m-%d %H:%M}) would be less than {hours} hours from the "
                     "fraction at {other} ({other_at:%Y-%m-%d %H:%M}): the protocol asks for at least {hours} hours "
                     "between aliquots.").format(timepoint=timepoint, at=at.astimezone(),
                                                 hours=protocol.min_hours_between_fractions, other=other,
                                                 other_at=given[other].astimezone())
    later = [tp for tp in order[position + 1:] if tp in given and given[tp] <= at]
    if later:
        return _("The fraction at {timepoint} cannot be given after the fraction at {later}.").format(
            timepoint=timepoint, later=later[0])
    return None


def fraction_refusal(timepoint: str, at: datetime, decisions: Iterable[FractionDecision],
                     assessments: Iterable[Assessment], given: Mapping[str, datetime],
                     protocol: Protocol) -> str | None:
    """Why the aliquot at `timepoint` may not be recorded as given at `at` (order and interval
    first, then the go), or None when it may."""
    refusal = order_refusal(timepoint, at, given, protocol)
    if refusal is None and timepoint in protocol.go_decision_before:
        refusal = go_refusal(timepoint, at, decisions, assessments, protocol)
    return refusal


def age_text(elapsed: timedelta | None) -> str:
    """How old an assessment was: "40 min before", "9 h before", "3 days before"."""
    if elapsed is None:
        return _("at an unknown time")
    minutes = max(0, int(elapsed.total_seconds() // 60))
    if minutes < 60:
        return _("{minutes} min before").format(minutes=minutes)
    hours = minutes // 60
    if hours < 48:
        return _("{hours} h before").format(hours=hours)
    return ngettext("{days} day before", "{days} days before", hours // 24).format(days=hours // 24)
