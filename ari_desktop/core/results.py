"""Results: what a sample or an assessment measured, on the scheduled item that produced it.

The fields each activity gives, their units and the values they may take are data here, so the
command line, the window, the export's data dictionary and the store check and name them alike.
A value is None until it is typed: nothing is assumed from a field left empty.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from ..i18n import N_, _
from .errors import ClinicalInputError
from .grading import as_number, as_written
from .response import (
    CATEGORIES,
    CLONALITY_METHODS,
    IMMUNOFIXATION,
    MRD_METHODS,
    PET_CT_RESPONSES,
    Confirmation,
    Mrd,
    MrdStatus,
    ResponseAssessment,
    confirmations,
    mrd_negative,
)
from .text import parse_decimal

NUMBER, CHOICE, YES_NO = "number", "choice", "yes_no"
YES, NO = "yes", "no"
MRD_SENSITIVITIES = ("1e-4", "1e-5", "1e-6")  # one cell in 10^4, 10^5, 10^6


@dataclass(frozen=True)
class ResultField:
    """One value a result holds, as the laboratory reports it."""

    name: str  # the column and the export's header
    option: str  # the command line's option, as the clinic shortens it
    label: str  # in the clinic's words, in English (marked N_; `shown` is the label in the chosen language)
    kind: str  # NUMBER, CHOICE or YES_NO
    unit: str = ""
    largest: float = 0.0  # a NUMBER is between 0 and this
    choices: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        """The label in the language chosen."""
        return _(self.label)

    @property
    def title(self) -> str:
        """The label starting a sentence ("IgG" stays IgG), in the language chosen."""
        return _sentence_start(self.shown)

    @property
    def english_title(self) -> str:
        """The title as the export's data dictionary and the command line's help write it (language-neutral)."""
        return _sentence_start(self.label)

    @property
    def heading(self) -> str:
        """The label with its unit, as a form or a table shows it."""
        return f"{self.shown} ({self.unit})" if self.unit else self.shown

    def check(self, value: object) -> float | str | None:
        """The value as stored (a float, a choice, "yes"/"no") or the sentence that refuses it.
        Text is read as typed: "0,5" and "0.5" are the same; an empty text is no value."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if self.kind == NUMBER:
            number = (parse_decimal(value, self.title, self.name, "0.5") if isinstance(value, str)
                      else as_number(value, what=self.title, field=self.name))
            if not 0 <= number <= self.largest:
                raise ClinicalInputError(_("The {label} must be between 0 and {largest} {unit} (got {number}).").format(
                                             label=self.shown, largest=as_written(self.largest), unit=self.unit,
                                             number=as_written(number)), self.name)
            return number
        allowed = (YES, NO) if self.kind == YES_NO else self.choices
        if isinstance(value, bool) and self.kind == YES_NO:
            return YES if value else NO
        typed = str(value).strip().lower()
        if typed not in allowed:
            raise ClinicalInputError(_("The {label} '{value}' is not one of: {allowed}.").format(
                                         label=self.shown, value=str(value).strip(), allowed=', '.join(allowed)),
                                     self.name)
        return typed


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(name: str, option: str, label: str, unit: str, largest: float) -> ResultField:
    return ResultField(name, option, label, NUMBER, unit, largest)


def _choice(name: str, option: str, label: str, choices: tuple[str, ...]) -> ResultField:
    return ResultField(name, option, label, CHOICE, choices=choices)


def _yes_no_field(name: str, option: str, label: str) -> ResultField:
    return ResultField(name, option, label, YES_NO)


# activity -> the fields its result holds, in the order a form asks for them. Response labs carry the
# marrow and plasmacytoma findings of the same visit: IMWG reads them together.
ACTIVITY_FIELDS: dict[str, tuple[ResultField, ...]] = {
    "response": (
        _number("serum_m_g_dl", "--serum-m", N_("serum M-protein"), "g/dL", 20.0),
        _number("urine_m_mg_24h", "--urine-m", N_("urine M-protein"), "mg/24 h", 100_000.0),
        _choice("serum_ife", "--ife-serum", N_("serum immunofixation"), IMMUNOFIXATION),
        _choice("urine_ife", "--ife-urine", N_("urine immunofixation"), IMMUNOFIXATION),
        _number("kappa_mg_l", "--kappa", N_("kappa free light chain"), "mg/L", 1_000_000.0),
        _number("lambda_mg_l", "--lambda", N_("lambda free light chain"), "mg/L", 1_000_000.0),
        _number("igg_g_l", "--igg", N_("IgG"), "g/L", 150.0),
        _number("marrow_plasma_cells_pct", "--marrow-plasma-cells", N_("marrow plasma cells"), "%", 100.0),
        _yes_no_field("marrow_clonal", "--marrow-clonal", N_("clonal plasma cells in the marrow")),
        _choice("clonality_method", "--clonality-method", N_("clonality method"), CLONALITY_METHODS),
        _number("plasmacytoma_spd_mm2", "--plasmacytoma-spd", N_("plasmacytomas, sum of products of diameters"), "mm²",
                1_000_000.0),
        _yes_no_field("new_lesion", "--new-lesion", N_("new lesion")),
    ),
    "mrd_bm": (
        _choice("mrd_method", "--mrd-method", N_("MRD method"), MRD_METHODS),
        _choice("mrd_sensitivity", "--mrd-sensitivity", N_("MRD sensitivity"), MRD_SENSITIVITIES),
        _choice("mrd_result", "--mrd-result", N_("MRD result"), IMMUNOFIXATION),
    ),
    "pet_ct": (_choice("pet_ct", "--pet-ct", N_("extramedullary response on PET-CT"), PET_CT_RESPONSES),),
    "cart_pb": (
        _number("car_copies_per_ug", "--car-copies", N_("CAR transgene"), "copies/µg DNA", 10_000_000.0),
        _number("car_cells_per_ul", "--car-cells", N_("CAR+ T cells"), "cells/µL", 100_000.0),
    ),
    "sbcma": (_number("sbcma_ng_ml", "--sbcma", N_("soluble BCMA"), "ng/mL", 100_000.0),),
    "bcma_bm": (_number("bcma_pct", "--bcma", N_("BCMA expression"), "% of plasma cells", 100.0),),
}
FIELDS: dict[str, ResultField] = {f.name: f for fields in ACTIVITY_FIELDS.values() for f in fields}
ACTIVITY_OF: dict[str, str] = {f.name: activity for activity, fields in ACTIVITY_FIELDS.items() for f in fields}

# How a progression was found (the registry forms ask it).
PROGRESSION_FOUND_BY = ("biochemical", "imaging", "marrow", "clinical")


def check_activity(activity: str, label: str) -> tuple[ResultField, ...]:
    if activity not in ACTIVITY_FIELDS:
        raise ClinicalInputError(_("{label} gives no result to record here.").format(label=label), "activity")
    return ACTIVITY_FIELDS[activity]


def check_values(activity: str, label: str, values: Mapping[str, object]) -> dict[str, float | str | None]:
    """The values as stored, every one checked; a field the activity does not give is refused by name."""
    fields = {f.name: f for f in check_activity(activity, label)}
    for name in values:
        if name not in fields:
            raise ClinicalInputError(_("{label} gives no {value}.").format(
                                         label=label, value=FIELDS[name].shown if name in FIELDS else name), name)
    return {name: fields[name].check(value) for name, value in values.items()}


class _Values:
    """What a result's values say, read alike from a stored result and from what the tables keep of one."""

    __slots__ = ()  # so that the records below can be slotted: the cohort's tables hold some 100,000 of them

    values: Mapping[str, float | str | None]

    def get(self, name: str) -> float | str | None:
        return self.values.get(name)

    def complete_mrd(self) -> Mrd | None:
        """The MRD test, when its method, sensitivity and result are all typed."""
        method, sensitivity, result = (self.get(n) for n in ("mrd_method", "mrd_sensitivity", "mrd_result"))
        if None in (method, sensitivity, result):
            return None
        return Mrd(method, float(sensitivity), result)


@dataclass(frozen=True)
class Result(_Values):
    """The values measured on one scheduled item (done at `done_at`)."""

    id: int
    timepoint: str
    activity: str
    done_at: datetime  # when the sample was taken or the assessment done
    values: Mapping[str, float | str | None]
    recorded_by: str
    recorded_at: datetime

    @cached_property
    def day(self) -> date:
        """The local day it was taken (read once: the cohort's tables ask it of every result many times)."""
        return self.done_at.astimezone().date()


@dataclass(frozen=True, slots=True)
class Measured(_Values):
    """What the endpoint tables read of a result: its item, the local day it was taken, its values."""

    timepoint: str
    activity: str
    day: date
    values: Mapping[str, float | str | None]


def _yes_no(value: float | str | None) -> bool | None:
    return None if value is None else value == YES


def response_assessment(labs: Result | None, mrd: Result | None = None, pet_ct: Result | None = None
                        ) -> ResponseAssessment:
    """What IMWG reads at one timepoint: its response labs with the marrow and imaging findings, the
    marrow's MRD and the PET-CT of the same timepoint."""
    get = labs.get if labs else (lambda name: None)
    numbers = {n: get(n) for n in ("serum_m_g_dl", "urine_m_mg_24h", "kappa_mg_l", "lambda_mg_l",
                                   "marrow_plasma_cells_pct", "plasmacytoma_spd_mm2")}
    return ResponseAssessment(**numbers, serum_ife=get("serum_ife"), urine_ife=get("urine_ife"),
                              marrow_clonal=_yes_no(get("marrow_clonal")), clonality_method=get("clonality_method"),
                              new_lesion=_yes_no(get("new_lesion")),
                              pet_ct=pet_ct.get("pet_ct") if pet_ct else None,
                              mrd=mrd.complete_mrd() if mrd else None)


def shown(field: ResultField, value: float | str | None) -> str:
    """A stored value as a person reads it, with its unit; empty when nothing was typed."""
    if value is None:
        return ""
    if field.kind == NUMBER:
        return f"{as_written(value)} {field.unit}"
    return str(value)


def check_complete(activity: str, values: Mapping[str, float | str | None]) -> None:
    """What a result must hold together once saved: an MRD result is read with its method and sensitivity."""
    if activity == "mrd_bm" and values.get("mrd_result") is not None and (
            values.get("mrd_method") is None or values.get("mrd_sensitivity") is None):
        raise ClinicalInputError(_("An MRD result is recorded with its method and its sensitivity: without them it "
                                   "cannot be read."), "mrd_method" if values.get("mrd_method") is None
                                 else "mrd_sensitivity")


def check_progression(found_by: str) -> str:
    typed = (found_by or "").strip().lower()
    if typed not in PROGRESSION_FOUND_BY:
        raise ClinicalInputError(_("How the progression was found '{value}' is not one of: {allowed}.").format(
                                     value=(found_by or "").strip(), allowed=", ".join(PROGRESSION_FOUND_BY)),
                                 "found_by")
    return typed


# -- the response at each assessment ----------------------------------------------------------------
# The rules, decided once here:
# - Baseline is the screening (SCR) response labs; each later timepoint with response labs is an
#   assessment, read with the MRD and PET-CT of the same timepoint, in the order they were done.
# - Proposed: the category IMWG confirms over two consecutive assessments (core/response.confirmations)
#   when it confirms one, else the assessment's own category (awaiting confirmation).
# - The physician's review confirms the proposal or overrides it with a reason; the category of the
#   assessment is then the physician's. Unreviewed, it is the confirmed category of the numbers, and the
#   endpoints say how many are not reviewed yet.

BASELINE_TIMEPOINT = "SCR"


@dataclass(frozen=True, slots=True)
class ResponseReview:
    """The physician's category for one assessment: the proposal confirmed, or overridden with a reason."""

    id: int
    timepoint: str
    proposed: str | None  # what the numbers proposed when the physician looked
    criterion: str
    category: str
    reason: str | None
    decided_by: str
    decided_at: datetime

    @property
    def override(self) -> bool:
        return self.category != self.proposed


@dataclass(frozen=True)
class AssessedResponse:
    """One response assessment: what the numbers show, what they confirm, and the physician's review."""

    timepoint: str
    day: date
    proposal: Confirmation  # .proposed is this assessment's own IMWG reading, .category the confirmed one
    mrd: MrdStatus
    review: ResponseReview | None = None

    @property
    def proposed(self) -> str | None:
        return self.proposal.category or self.proposal.proposed.category

    @property
    def category(self) -> str | None:
        """The physician's category when reviewed, else the category the numbers confirm (None: none yet)."""
        return self.counted.category

    @property
    def counted(self) -> CountedResponse:
        return CountedResponse(self.timepoint, self.day, self.proposal.category,
                               self.review.category if self.review else None)

    @property
    def review_stale(self) -> bool:
        """The results were corrected since the review: the numbers now propose something else."""
        return self.review is not None and self.review.proposed != self.proposed


@dataclass(frozen=True, slots=True)
class CountedResponse:
    """An assessment as the endpoints count it: its day, the category the numbers confirm, the physician's."""

    timepoint: str
    day: date
    confirmed: str | None
    reviewed: str | None = None  # the physician's category, when reviewed

    @property
    def category(self) -> str | None:
        return self.confirmed if self.reviewed is None else self.reviewed


def response_course(results: Sequence[Result], reviews: Sequence[ResponseReview] = ()) -> list[AssessedResponse]:
    """Every response assessment of a patient after screening, in the order done, with its proposal.
    Empty without screening response labs: there is nothing to measure a response against."""
    at = {(r.timepoint, r.activity): r for r in results}
    baseline_labs = at.get((BASELINE_TIMEPOINT, "response"))
    if baseline_labs is None:
        return []
    baseline = response_assessment(baseline_labs)
    labs = sorted((r for r in results if r.activity == "response" and r.timepoint != BASELINE_TIMEPOINT),
                  key=lambda r: r.done_at)
    assessed = [response_assessment(r, at.get((r.timepoint, "mrd_bm")), at.get((r.timepoint, "pet_ct"))) for r in labs]
    by_timepoint = {review.timepoint: review for review in reviews}
    return [AssessedResponse(r.timepoint, r.day, confirmation, mrd_negative(assessment.mrd),
                             by_timepoint.get(r.timepoint))
            for r, assessment, confirmation in zip(labs, assessed, confirmations(baseline, assessed), strict=True)]


def check_review(proposed: str | None, category: str, reason: str | None) -> str:
    """The physician's category: one of IMWG's; a category other than the proposal needs its reason."""
    typed = (category or "").strip()
    known = {c.lower(): c for c in CATEGORIES}
    if typed.lower() not in known:
        raise ClinicalInputError(_("The response category '{typed}' is not one of: {allowed}.").format(
                                     typed=typed, allowed=', '.join(CATEGORIES)), "category")
    category = known[typed.lower()]
    if category != proposed and not (reason and reason.strip()):
        raise ClinicalInputError(_("The numbers propose {proposed}: recording {category} instead is an override and "
                                   "needs its reason.").format(proposed=proposed or _("no category"),
                                                               category=category), "reason")
    return category


# -- the course kept between reads ----------------------------------------------------------------
# A patient's course changes only when their results do, so the store keeps what the endpoint tables read of
# each patient (KeptCourse) and reads the course on a date as the assessments done by then: an assessment's
# confirmation rests on it and the one before, never on a later one. The reviews are joined when read (a
# review changes no proposal).

# The results the tables read beside the response course: MRD, PET-CT, CAR-T persistence and BCMA.
COUNTED_RESULTS = ("mrd_bm", "pet_ct", "cart_pb", "sbcma", "bcma_bm")


@dataclass(frozen=True, slots=True)
class ResponseReading:
    """One assessment of the course: its day, the category the numbers confirm, and the first day every
    result it rests on was done (screening, its own labs, MRD and PET-CT, and those of the one before)."""

    timepoint: str
    day: date
    known_on: date
    confirmed: str | None


@dataclass(frozen=True, slots=True)
class KeptCourse:
    """What the endpoint tables read of one patient's results, whatever the date they are counted on."""

    readings: tuple[ResponseReading, ...] = ()
    measured: tuple[Measured, ...] = ()  # the COUNTED_RESULTS, in the order taken
    decisions: tuple[ReviewDecision, ...] = ()  # the reviews, in the order decided


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A physician's category for one assessment, and the local day it was decided."""

    timepoint: str
    category: str
    decided_on: date


def kept_course(results: Sequence[Result], reviews: Sequence[ResponseReview] = ()) -> KeptCourse:
    """What the store keeps of every result and review a patient has."""
    days = {(r.timepoint, r.activity): r.day for r in results}
    known_on = days.get((BASELINE_TIMEPOINT, "response"))
    readings = []
    for assessed in response_course(results):
        own = [day for activity in ("response", "mrd_bm", "pet_ct")
               if (day := days.get((assessed.timepoint, activity))) is not None]
        known_on = max(known_on, *own)
        readings.append(ResponseReading(assessed.timepoint, assessed.day, known_on, assessed.proposal.category))
    return KeptCourse(tuple(readings), tuple(Measured(r.timepoint, r.activity, r.day, r.values) for r in results
                                             if r.activity in COUNTED_RESULTS),
                      tuple(ReviewDecision(r.timepoint, r.category, _decided_on(r)) for r in reviews))


def _decided_on(review: ResponseReview) -> date:
    return review.decided_at.astimezone().date()


def _decided_by(review: ResponseReview, as_of: date) -> bool:
    return _decided_on(review) <= as_of


def course_on(results: Sequence[Result], reviews: Sequence[ResponseReview], as_of: date) -> list[AssessedResponse]:
    """The response course as known on `as_of`: the results done by then, the reviews decided by then."""
    return response_course([r for r in results if r.day <= as_of], [r for r in reviews if _decided_by(r, as_of)])


def counted_course(kept: KeptCourse, as_of: date, results: Callable[[], Sequence[Result]]) -> list[CountedResponse]:
    """The assessments done by `as_of`, with the reviews decided by then (the last of each assessment's). From
    the `kept` readings; from the patient's `results` (read only then) when a result one of them rests on was
    done after `as_of`. A review changes no proposal, so it is joined to either by its timepoint."""
    reviewed = {d.timepoint: d.category for d in kept.decisions if d.decided_on <= as_of}
    known = [r for r in kept.readings if r.day <= as_of]
    if known and known[-1].known_on > as_of:
        return [CountedResponse(a.timepoint, a.day, a.proposal.category, reviewed.get(a.timepoint))
                for a in course_on(results(), (), as_of)]
    return [CountedResponse(r.timepoint, r.day, r.confirmed, reviewed.get(r.timepoint)) for r in known]
