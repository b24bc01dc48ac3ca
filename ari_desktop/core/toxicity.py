"""Bedside toxicity: what the physician observed, the grades computed from it, and the course.

Pure functions. A grade is always computed from findings (grading.py), never typed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import ctcae, grading
from .errors import ClinicalInputError

if TYPE_CHECKING:
    from .protocol import Protocol

TREATMENTS = ("tocilizumab_mg", "dexamethasone_mg", "methylprednisolone_mg", "anakinra_mg")
EVENT_KINDS = ("tls", "neutropenia", "thrombocytopenia", "anaemia", "infection", "iec_hs",
               "hypogammaglobulinaemia")
EVENT_LABELS = {
    "tls": "Tumour lysis syndrome", "neutropenia": "Neutropenia", "thrombocytopenia": "Thrombocytopenia",
    "anaemia": "Anaemia", "infection": "Infection", "iec_hs": "IEC-associated HLH-like syndrome (IEC-HS)",
    "hypogammaglobulinaemia": "Hypogammaglobulinaemia",
}


@dataclass(frozen=True)
class BedsideFindings:
    """One bedside assessment: vitals, oxygen, the ICE items and neurological findings."""

    temperature_c: float
    fever_masked: bool = False
    hypotension: bool = False
    vasopressors: int = 0
    vasopressin: bool = False
    oxygen: str = "none"
    flow_l_min: float | None = None
    ice: int | None = 10
    ice_items: tuple[tuple[str, bool], ...] = ()  # when the ten items were ticked one by one
    consciousness: str = "alert"
    seizure: str = "none"
    motor_weakness: bool = False
    edema: str = "none"

    @classmethod
    def with_ice_items(cls, items: Mapping[str, bool], **findings) -> BedsideFindings:
        """Findings whose ICE score is counted from the ten ticked items."""
        return cls(ice=grading.ice_score(items), ice_items=tuple(sorted(items.items())), **findings)

    def crs(self) -> grading.Grade:
        return grading.crs(self.temperature_c, fever_masked=self.fever_masked, hypotension=self.hypotension,
                           vasopressors=self.vasopressors, vasopressin=self.vasopressin, oxygen=self.oxygen,
                           flow_l_min=self.flow_l_min)

    def icans(self) -> grading.Grade:
        return grading.icans(self.ice, consciousness=self.consciousness, seizure=self.seizure,
                             motor_weakness=self.motor_weakness, edema=self.edema)


@dataclass(frozen=True)
class Treatments:
    """Anti-cytokine and supportive drugs given since the last assessment, in mg."""

    tocilizumab_mg: float = 0.0
    dexamethasone_mg: float = 0.0
    methylprednisolone_mg: float = 0.0
    anakinra_mg: float = 0.0

    def __post_init__(self) -> None:
        for name in TREATMENTS:
            dose = getattr(self, name)
            if not 0 <= dose <= 5000:
                drug = name.removesuffix("_mg")
                raise ClinicalInputError(f"The {drug} dose {dose:g} mg is outside 0–5000 mg.", drug)

    @property
    def any(self) -> bool:
        return any(getattr(self, name) for name in TREATMENTS)


@dataclass(frozen=True)
class Assessment:
    """A saved bedside assessment, with the grades computed when it was saved."""

    id: int
    at: datetime
    assessor: str
    findings: BedsideFindings
    treatments: Treatments
    crs: grading.Grade
    icans: grading.Grade
    notes: str = ""


@dataclass(frozen=True)
class Course:
    """The toxicity course after one infusion (the first, or a booster)."""

    anchor: str  # "D" or "B"
    max_crs: int
    max_icans: int
    crs_onset_day: int | None
    crs_duration_days: int | None
    icans_onset_day: int | None
    icans_duration_days: int | None
    crs_within_30_days: bool
    treatments: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "max_crs_grade": self.max_crs, "max_icans_grade": self.max_icans,
            "crs_onset_day": self.crs_onset_day, "crs_duration_days": self.crs_duration_days,
            "icans_onset_day": self.icans_onset_day, "icans_duration_days": self.icans_duration_days,
            "crs_within_30_days": self.crs_within_30_days,
            "tocilizumab_total_mg": self.treatments.get("tocilizumab_mg", 0.0),
            "corticosteroids_total_mg": {
                "dexamethasone": self.treatments.get("dexamethasone_mg", 0.0),
                "methylprednisolone": self.treatments.get("methylprednisolone_mg", 0.0)},
            "anakinra_total_mg": self.treatments.get("anakinra_mg", 0.0),
        }


def course(assessments: Iterable[Assessment], anchor_date: date, anchor: str = "D") -> Course:
    """Maximum grades, onset day and duration (first to last day with grade >= 1, inclusive),
    and treatment totals, counted from the infusion on `anchor_date`."""
    rows = sorted(assessments, key=lambda a: a.at)

    def episode(grade_of) -> tuple[int | None, int | None]:
        days = [(a.at.astimezone().date() - anchor_date).days for a in rows if grade_of(a) >= 1]
        return (days[0], days[-1] - days[0] + 1) if days else (None, None)

    crs_onset, crs_duration = episode(lambda a: a.crs.grade)
    icans_onset, icans_duration = episode(lambda a: a.icans.grade)
    return Course(
        anchor=anchor,
        max_crs=max((a.crs.grade for a in rows), default=0),
        max_icans=max((a.icans.grade for a in rows), default=0),
        crs_onset_day=crs_onset, crs_duration_days=crs_duration,
        icans_onset_day=icans_onset, icans_duration_days=icans_duration,
        crs_within_30_days=crs_onset is not None and crs_onset <= 30,
        treatments={name: round(sum(getattr(a.treatments, name) for a in rows), 1) for name in TREATMENTS},
    )


def daily_worst(assessments: Iterable[Assessment], anchor_date: date, days: int) -> list[tuple[int, int, int, bool]]:
    """(day, worst CRS grade, worst ICANS grade, treated that day) for day 0..days; -1 = not assessed."""
    worst = {d: [-1, -1, False] for d in range(days + 1)}
    for a in assessments:
        day = (a.at.astimezone().date() - anchor_date).days
        if day in worst:
            row = worst[day]
            row[0] = max(row[0], a.crs.grade)
            row[1] = max(row[1], a.icans.grade)
            row[2] = row[2] or a.treatments.any
    return [(d, c, i, t) for d, (c, i, t) in sorted(worst.items())]


@dataclass(frozen=True)
class ToxicityDay:
    """One day of the course after an infusion: the worst grades (-1 = not assessed), the
    assessments of that day in the order given, and the treatment totals given that day."""

    day: int
    when: date
    crs: int
    icans: int
    assessments: tuple[Assessment, ...] = ()
    doses: Mapping[str, float] = field(default_factory=dict)  # treatment ("tocilizumab_mg") -> mg, only if given


def daily_course(assessments: Iterable[Assessment], anchor_date: date, days: int) -> list[ToxicityDay]:
    """Day 0..days after `anchor_date`: daily_worst's grades, plus each day's assessments and the mg
    of every treatment given that day (summed over its assessments, in the order first given)."""
    rows = list(assessments)
    by_day: dict[int, list[Assessment]] = {d: [] for d in range(days + 1)}
    for a in rows:
        day = (a.at.astimezone().date() - anchor_date).days
        if day in by_day:
            by_day[day].append(a)
    result = []
    for day, crs, icans, _treated in daily_worst(rows, anchor_date, days):
        doses: dict[str, float] = {}
        for a in by_day[day]:
            for name in TREATMENTS:
                dose = getattr(a.treatments, name)
                if dose:
                    doses[name] = doses.get(name, 0.0) + dose
        result.append(ToxicityDay(day, anchor_date + timedelta(days=day), crs, icans, tuple(by_day[day]), doses))
    return result


def split_at_booster(assessments: Iterable[Assessment], booster: date | None
                     ) -> tuple[list[Assessment], list[Assessment]]:
    """(assessments before the booster day, assessments from the booster day on), by local date;
    without a booster every assessment belongs to the first infusion."""
    before, after = [], []
    for a in assessments:
        (after if booster is not None and a.at.astimezone().date() >= booster else before).append(a)
    return before, after


# --------------------------------------------------------------------------------------------
# Go / hold before a fraction

def fraction_label(protocol: Protocol, timepoint: str) -> str:
    """The short name of the fraction given at `timepoint`: "Fraction 2 (30 % of the dose)", from the
    protocol's note for the infusion without its condition (", after a go decision"); the infusion's
    label when the timepoint has no note or is not in the protocol."""
    try:
        note = protocol.timepoint(timepoint).note_for("infusion")
    except KeyError:
        note = None
    return (note or protocol.activity("infusion").label).split(", after")[0]


# --------------------------------------------------------------------------------------------
# Cytopenias graded from a count

# The events graded from a count (CTCAE v5, with the grading core's default lower limits of normal).
CYTOPENIA_GRADERS: Mapping[str, Callable[[float], grading.Grade]] = MappingProxyType({
    "neutropenia": ctcae.neutropenia,
    "thrombocytopenia": ctcae.thrombocytopenia,
    "anaemia": ctcae.anaemia,
})


def grade_event_count(kind: str, value: float) -> grading.Grade:
    """The CTCAE grade of a cytopenia from its count (grade 0 when not below the normal range);
    a count for any other event is refused."""
    if kind not in CYTOPENIA_GRADERS:
        raise ClinicalInputError(
            f"A value is graded only for cytopenias, not for {EVENT_LABELS.get(kind, kind)}.", "value")
    return CYTOPENIA_GRADERS[kind](value)
