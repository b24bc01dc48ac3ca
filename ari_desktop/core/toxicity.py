"""Bedside toxicity: what the physician observed, the grades computed from it, and the course.

Pure functions. A grade is always computed from findings (grading.py), never typed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING

from ..i18n import N_, _
from . import grading
from .errors import ClinicalInputError

if TYPE_CHECKING:
    from .protocol import Protocol

TREATMENTS = ("tocilizumab_mg", "dexamethasone_mg", "methylprednisolone_mg", "anakinra_mg")
EVENT_KINDS = ("tls", "neutropenia", "thrombocytopenia", "anaemia", "infection", "iec_hs",
               "hypogammaglobulinaemia", "delayed_neurotoxicity", "death")
EVENT_LABELS = {
    "tls": N_("Tumour lysis syndrome"), "neutropenia": N_("Neutropenia"), "thrombocytopenia": N_("Thrombocytopenia"),
    "anaemia": N_("Anaemia"), "infection": N_("Infection"), "iec_hs": N_("IEC-associated HLH-like syndrome (IEC-HS)"),
    "hypogammaglobulinaemia": N_("Hypogammaglobulinaemia"), "delayed_neurotoxicity": N_("Delayed neurotoxicity"),
    "death": N_("Death"),
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
        "parkinsonism": N_("parkinsonism"), "cranial_nerve_palsy": N_("cranial nerve palsy"),
        "peripheral_neuropathy": N_("peripheral neuropathy"), "other": N_("other")}),
    "death": MappingProxyType({
        "progression": N_("disease progression"), "crs": N_("cytokine release syndrome"), "icans": N_("ICANS"),
        "infection": N_("infection"), "iec_hs": N_("IEC-HS"), "other": N_("other cause")}),
})
# A death caused by a toxicity is that toxicity's grade 5 (ASTCT: "grade 5: death due to CRS").
DEATH_GRADED_AS = MappingProxyType({"crs": "CRS", "icans": "ICANS", "infection": N_("infection"), "iec_hs": "IEC-HS"})
_DEATH_FROM = N_("Death from {cause}")
_DEATH_FROM_GRADED = N_("Death from {cause} ({term} grade 5)")
_WITH_SUBTYPE = N_("{label}: {subtype}")


def event_label(kind: str, subtype: str | None, in_words=_) -> str:
    """ "Death from cytokine release syndrome (CRS grade 5)", "Delayed neurotoxicity: parkinsonism": in the
    language chosen, or in English with `in_words=str` (as the grade's reason is stored)."""
    if kind == "death" and subtype:
        template = _DEATH_FROM_GRADED if subtype in DEATH_GRADED_AS else _DEATH_FROM
        return in_words(template).format(cause=in_words(EVENT_SUBTYPES["death"][subtype]),
                                         term=in_words(DEATH_GRADED_AS.get(subtype, "")))
    if subtype:
        return in_words(_WITH_SUBTYPE).format(label=in_words(EVENT_LABELS[kind]),
                                              subtype=in_words(EVENT_SUBTYPES[kind][subtype]))
    return in_words(EVENT_LABELS[kind])


def grades_text(grades: tuple[int, ...]) -> str:
    return f"{grades[0]}–{grades[-1]}" if len(grades) > 1 else str(grades[0])


def check_event(kind: str, grade: int | None, subtype: str | None, notes: str) -> tuple[int, str]:
    """The grade and its reason for an event graded by hand, or the sentence that refuses it: an
    unknown kind, a grade its term does not have, a missing or unknown sub-type, "other" unexplained."""
    if kind not in EVENT_KINDS:
        raise ClinicalInputError(_("The event '{kind}' is not one of {allowed}.").format(
                                     kind=kind, allowed=", ".join(EVENT_KINDS)), "kind")
    label = _(EVENT_LABELS[kind])
    subtypes = EVENT_SUBTYPES.get(kind)
    if subtypes is None and subtype:
        raise ClinicalInputError(_("{label} has no sub-type; describe it in the notes.").format(
                                     label=label), "subtype")
    if subtypes is not None and subtype not in subtypes:
        if kind == "death":
            message = (_("Say the cause of the {label}: one of {subtypes}, not '{subtype}'.") if subtype
                       else _("Say the cause of the {label}: one of {subtypes}."))
        else:
            message = (_("Say the kind of the {label}: one of {subtypes}, not '{subtype}'.") if subtype
                       else _("Say the kind of the {label}: one of {subtypes}."))
        raise ClinicalInputError(message.format(label=label.lower(), subtypes=", ".join(subtypes), subtype=subtype),
                                 "subtype")
    if subtype == "other" and not notes.strip():
        raise ClinicalInputError(_("Say in the notes which other cause it was.") if kind == "death"
                                 else _("Say in the notes which other kind it was."), "notes")
    scale, allowed = EVENT_GRADES[kind]
    if grade is None and allowed == (5,):
        grade = 5  # a death is grade 5 by definition: nothing is assumed
    if grade is None:
        raise ClinicalInputError(_("Give the grade of the {label} ({grades}).").format(
                                     label=label.lower(), grades=grades_text(allowed)), "grade")
    if grade not in allowed:
        raise ClinicalInputError(
            _("{label} has grades {grades} ({scale}), not grade {grade}.").format(
                label=label, grades=grades_text(allowed), scale=scale, grade=grade), "grade")
    if kind == "death":
        cause = event_label(kind, subtype, str).lower().replace("crs", "CRS").replace("icans", "ICANS")
        return grade, f"grade 5: {cause}"
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
        raise ClinicalInputError(_("{study_id} has no date of death recorded: record it first, then the cause of "
                                   "death on that date.").format(study_id=study_id), "onset")
    if day != death:
        raise ClinicalInputError(_("The date of death of {study_id} is {death}, not {day}: the cause of death is "
                                   "recorded on that date.").format(study_id=study_id, death=death, day=day), "onset")
    if resolution is not None:
        raise ClinicalInputError(_("A death has no resolution date."), "resolution")
    earlier = next((e for e in recorded if e.kind == "death"), None)
    if earlier is not None:
        raise ClinicalInputError(_("The cause of death of {study_id} is already recorded (event {id}).").format(
                                     study_id=study_id, id=earlier.id),
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
                raise ClinicalInputError(_("The {drug} dose {dose:g} mg is outside 0–5000 mg.").format(
                                             drug=drug, dose=dose), drug)

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

    @cached_property
    def crs_shown(self) -> grading.Grade:
        """The CRS grade as a window shows it: see as_recorded."""
        return as_recorded(self.crs, self.findings.crs)

    @cached_property
    def icans_shown(self) -> grading.Grade:
        """The ICANS grade as a window shows it: see as_recorded."""
        return as_recorded(self.icans, self.findings.icans)


def as_recorded(stored: grading.Grade, regrade: Callable[[], grading.Grade]) -> grading.Grade:
    """A stored grade whose reason can be shown in the window's language: the stored reason is English text,
    so its words are read again by grading the stored findings once more; only when that gives the same grade
    with the same reason (the rules have not changed since) is it shown from its phrase, else as recorded."""
    try:
        again = regrade()
    except ClinicalInputError:  # findings today's checks refuse: the record says what it said
        return stored
    return again if again == stored else stored


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
