"""Bedside toxicity: what the physician observed, the grades computed from it, and the course.

Pure functions. A grade is always computed from findings (grading.py), never typed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from . import grading
from .errors import ClinicalInputError

if TYPE_CHECKING:
    from .protocol import Protocol

TREATMENTS = ("tocilizumab_mg", "dexamethasone_mg", "methylprednisolone_mg", "anakinra_mg")
EVENT_KINDS = ("tls", "neutropenia", "thrombocytopenia", "anaemia", "infection", "iec_hs",
               "hypogammaglobulinaemia", "delayed_neurotoxicity", "death")
EVENT_LABELS = {
    "tls": "Tumour lysis syndrome", "neutropenia": "Neutropenia", "thrombocytopenia": "Thrombocytopenia",
    "anaemia": "Anaemia", "infection": "Infection", "iec_hs": "IEC-associated HLH-like syndrome (IEC-HS)",
    "hypogammaglobulinaemia": "Hypogammaglobulinaemia", "delayed_neurotoxicity": "Delayed neurotoxicity",
    "death": "Death",
}

# The grades each term has, and the scale that grades it; a grade the term does not have is refused.
# Sources: CTCAE v5.0 (NCI, 27 November 2017): Neutrophil count decreased 1-4, Platelet count
# decreased 1-4, Anemia 1-5, Tumor lysis syndrome 3-5, Infections and infestations - Other, specify
# 1-5. CTCAE v5.0 has no term of its own for hypogammaglobulinaemia nor for the delayed movement
# and cranial-nerve disorders seen after BCMA CAR-T: they are graded as Immune system disorders -
# Other, specify (1-5) and Nervous system disorders - Other, specify (1-5). IEC-HS: ASTCT grading
# (Hines et al., Transplant Cell Ther 2023;29:438.e1), 1-5. A death is grade 5 of what caused it.
EVENT_GRADES: Mapping[str, tuple[str, tuple[int, ...]]] = MappingProxyType({
    "neutropenia": ("CTCAE v5.0 neutrophil count decreased", (1, 2, 3, 4)),
    "thrombocytopenia": ("CTCAE v5.0 platelet count decreased", (1, 2, 3, 4)),
    "anaemia": ("CTCAE v5.0 anemia", (1, 2, 3, 4, 5)),
    "tls": ("CTCAE v5.0 tumor lysis syndrome", (3, 4, 5)),
    "infection": ("CTCAE v5.0 infections and infestations", (1, 2, 3, 4, 5)),
    "iec_hs": ("ASTCT IEC-HS grading", (1, 2, 3, 4, 5)),
    "hypogammaglobulinaemia": ("CTCAE v5.0 immune system disorders - other", (1, 2, 3, 4, 5)),
    "delayed_neurotoxicity": ("CTCAE v5.0 nervous system disorders - other", (1, 2, 3, 4, 5)),
    "death": ("grade 5, death", (5,)),
})
# What kind of delayed neurotoxicity, and what caused a death (fixed lists; "other" says which in the notes).
EVENT_SUBTYPES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "delayed_neurotoxicity": MappingProxyType({
        "parkinsonism": "parkinsonism", "cranial_nerve_palsy": "cranial nerve palsy",
        "peripheral_neuropathy": "peripheral neuropathy", "other": "other"}),
    "death": MappingProxyType({
        "progression": "disease progression", "crs": "cytokine release syndrome", "icans": "ICANS",
        "infection": "infection", "iec_hs": "IEC-HS", "other": "other cause"}),
})
# A death caused by a toxicity is that toxicity's grade 5 (ASTCT: "grade 5: death due to CRS").
DEATH_GRADED_AS = MappingProxyType({"crs": "CRS", "icans": "ICANS", "infection": "infection", "iec_hs": "IEC-HS"})


def event_label(kind: str, subtype: str | None) -> str:
    """ "Death from cytokine release syndrome (CRS grade 5)", "Delayed neurotoxicity: parkinsonism"."""
    if kind == "death" and subtype:
        graded = f" ({DEATH_GRADED_AS[subtype]} grade 5)" if subtype in DEATH_GRADED_AS else ""
        return f"Death from {EVENT_SUBTYPES['death'][subtype]}{graded}"
    if subtype:
        return f"{EVENT_LABELS[kind]}: {EVENT_SUBTYPES[kind][subtype]}"
    return EVENT_LABELS[kind]


def grades_text(grades: tuple[int, ...]) -> str:
    return f"{grades[0]}–{grades[-1]}" if len(grades) > 1 else str(grades[0])


def check_event(kind: str, grade: int | None, subtype: str | None, notes: str) -> tuple[int, str]:
    """The grade and its reason for an event graded by hand, or the sentence that refuses it: an
    unknown kind, a grade its term does not have, a missing or unknown sub-type, "other" unexplained."""
    if kind not in EVENT_KINDS:
        raise ClinicalInputError(f"The event '{kind}' is not one of {', '.join(EVENT_KINDS)}.", "kind")
    label = EVENT_LABELS[kind]
    subtypes = EVENT_SUBTYPES.get(kind)
    what = "cause" if kind == "death" else "kind"
    if subtypes is None and subtype:
        raise ClinicalInputError(f"{label} has no sub-type; describe it in the notes.", "subtype")
    if subtypes is not None and subtype not in subtypes:
        given = f", not '{subtype}'" if subtype else ""
        raise ClinicalInputError(f"Say the {what} of the {label.lower()}: one of {', '.join(subtypes)}{given}.",
                                 "subtype")
    if subtype == "other" and not notes.strip():
        raise ClinicalInputError(f"Say in the notes which other {what} it was.", "notes")
    scale, allowed = EVENT_GRADES[kind]
    if grade is None and allowed == (5,):
        grade = 5  # a death is grade 5 by definition: nothing is assumed
    if grade is None:
        raise ClinicalInputError(f"Give the grade of the {label.lower()} ({grades_text(allowed)}).", "grade")
    if grade not in allowed:
        raise ClinicalInputError(
            f"{label} has grades {grades_text(allowed)} ({scale}), not grade {grade}.", "grade")
    if kind == "death":
        return grade, f"grade 5: {event_label(kind, subtype).lower().replace('crs', 'CRS').replace('icans', 'ICANS')}"
    return grade, f"grade {grade}: {scale}, as assessed"


@dataclass(frozen=True)
class ToxicityEvent:
    """A toxicity event: recorded by a physician, or a cytopenia read from the blood counts."""

    id: int | None  # None: a cytopenia read from the blood counts, not a row of its own
    kind: str
    grade: int
    grade_reason: str
    onset: date
    resolution: date | None
    notes: str
    recorded_by: str
    subtype: str | None = None  # delayed neurotoxicity's presentation, or a death's cause

    @property
    def label(self) -> str:
        return event_label(self.kind, self.subtype)

    @property
    def from_counts(self) -> bool:
        return self.id is None

    @property
    def term(self) -> str:
        """What the grade is a grade of: a death from CRS is CRS grade 5 ("crs"), any other event its kind."""
        return self.subtype if self.kind == "death" and self.subtype in DEATH_GRADED_AS else self.kind


def check_cause_of_death(study_id: str, death: date | None, day: date, resolution: date | None,
                         recorded: Iterable[ToxicityEvent]) -> None:
    """A cause of death is recorded once, on the patient's date of death, and never resolves."""
    if death is None:
        raise ClinicalInputError(f"{study_id} has no date of death recorded: record it first, "
                                 "then the cause of death on that date.", "onset")
    if day != death:
        raise ClinicalInputError(f"The date of death of {study_id} is {death}, not {day}: the cause of "
                                 "death is recorded on that date.", "onset")
    if resolution is not None:
        raise ClinicalInputError("A death has no resolution date.", "resolution")
    earlier = next((e for e in recorded if e.kind == "death"), None)
    if earlier is not None:
        raise ClinicalInputError(f"The cause of death of {study_id} is already recorded (event {earlier.id}).",
                                 "kind")



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

    @cached_property
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

    @property
    def day(self) -> date:
        """The local day it was made."""
        return self.at.astimezone().date()


@dataclass(frozen=True)
class GradedAssessment:
    """What the cohort's endpoint tables read of an assessment (core/endpoints.py): when, its two grades
    and the doses given with it. Thousands are read at once, so the findings are left in the database."""

    id: int
    at: datetime
    day: date  # the local day it was made
    treatments: Treatments
    crs: grading.Grade
    icans: grading.Grade


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
