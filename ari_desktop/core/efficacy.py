"""The trial's efficacy endpoints (CLINICAL.md section 7): response at months 3, 6 and 12, MRD, time to
CR, duration of response, PFS and OS, extramedullary response, late toxicity, CAR-T persistence and
BCMA, for the cohort on an as-of date.

Pure functions over each patient's dates, infusion recording, results, response reviews and recorded
progression. The rules, decided once here:

- **Known by the as-of date**: results done on or before it, reviews decided on or before it, a
  progression, death or leaving the study dated on or before it.
- **Denominator**: the patients infused with fraction 1 by the as-of date (core/endpoints.not_infused,
  the safety table's rule); the others are listed apart with the reason.
- **Best confirmed response by month N** (N = 3, 6, 12): the best CountedResponse.category (the
  physician's review, else the category the numbers confirm) of the response assessments at the
  month-N timepoint or an earlier one of the schedule (by its day from day 0), done by the as-of date.
  Ranked sCR, CR, VGPR, PR, MR, SD, PD; an assessment with no category yet adds nothing. Each table
  says how many of the best responses it counts rest on a category no physician has reviewed yet.
- **Evaluable at month N**: infused, and the month-N timepoint's window has ended by the as-of date
  (its last day, D+107 for M3), or follow-up for response ended before: progression, death or leaving
  the study. Without a response by then such a patient counts as **no response** (it is not left
  out); a response reached before the progression still counts. Overall response = PR or better;
  CR rate = CR or sCR.
- **MRD negative at month N**: the month-N marrow MRD negative at 10^-5 by next-generation flow or
  sequencing (core/response.mrd_negative), over the evaluable at month N; no MRD result counts as not
  negative, and the table says how many had none.
- **Progression** is the recorded one (its date, the physician's); a PD category without it is not.
- **Time to CR**: from the fraction 1 given date to the first response assessment whose category is CR
  or sCR (the confirming assessment); median and range among the patients who reached it.
- **Duration of response**: among patients with a PR or better, from the first such assessment to
  progression or death from any cause; **censored** at the last response assessment done by the as-of
  date otherwise (Kaplan-Meier).
- **PFS**: from the fraction 1 given date to progression or death from any cause; censored at the last
  response assessment done by the as-of date (at the infusion when none yet).
- **OS**: from the fraction 1 given date to death from any cause; censored on the date the patient
  left the study, else on the as-of date (followed and not known dead).
- Months = days / 30.4375. Proportions carry an exact (Clopper-Pearson) 95 % CI.
- **Extramedullary response** (patients with extramedullary disease only, Anchors.extramedullary):
  the PET-CT at M3, over those evaluable at M3; and the best PET-CT after screening up to M36
  (complete, partial, stable, progressive: best first), over the infused.
- **Late toxicity**: the first infusion's course (core/endpoints.py): CRS/ICANS episodes and
  toxicity events with onset after D+30 up to month 36, and prolonged cytopenia, over the infused.
- **CAR-T persistence, sBCMA, BCMA expression**: each timepoint's values of the infused, done by the
  as-of date; CAR-T detectable = a value above 0 in copies/µg DNA or CAR+ cells/µL.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from ..i18n import N_, Nn_
from .endpoints import NotInfused, ToxicitySummary, not_infused
from .phrases import Grouped, Joined, Phrase, Words, counted, english, in_words, said
from .response import CATEGORIES, PET_CT_RESPONSES, Mrd, is_overall_response, mrd_negative
from .results import CountedResponse, Measured, Result

if TYPE_CHECKING:
    from ..analysis.survival import KaplanMeier
    from .patients import Patient
    from .protocol import Protocol as TrialProtocol
    from .schedule import Recording

MONTH_DAYS = 30.4375
RESPONSE_MONTHS = (3, 6, 12)
MRD_MONTHS = (3, 6)
COMPLETE = ("sCR", "CR")
CONFIDENCE = 0.95
PERSISTENCE_TIMEPOINTS = ("M1", "M2", "M3", "M4", "M5", "M6", "M12", "M18", "M24")
LAST_MONTH = 36  # late toxicity and extramedullary response are followed up to month 36
NO_CATEGORY = "none yet"
NO_PET_CT = "no PET-CT"

# -- proportions -------------------------------------------------------------------------------------


def clopper_pearson(count: int, of: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact (Clopper-Pearson) confidence interval of count / of: the beta quantiles (scipy's,
    loaded when a table is computed)."""
    from scipy.stats import beta

    tail = (1 - confidence) / 2
    lower = 0.0 if count == 0 else float(beta.ppf(tail, count, of - count + 1))
    upper = 1.0 if count == of else float(beta.ppf(1 - tail, count + 1, of - count))
    return lower, upper


def _pct(share: float) -> str:
    return f"{100 * share:.1f}"


@dataclass(frozen=True)
class Proportion:
    count: int
    of: int

    @property
    def share(self) -> float | None:
        return self.count / self.of if self.of else None

    @property
    def ci(self) -> tuple[float, float] | None:
        return clopper_pearson(self.count, self.of) if self.of else None

    def words(self) -> Phrase:
        if not self.of:
            return said(N_("{count} / 0 (none evaluable)"), count=self.count)
        low, high = self.ci
        return said(N_("{count} / {of} ({share} %, 95 % CI {low}–{high})"), count=self.count, of=self.of,
                    share=_pct(self.share), low=_pct(low), high=_pct(high))

    def __str__(self) -> str:
        return str(self.words())

    def as_json(self) -> dict:
        ci = self.ci
        return {"count": self.count, "of": self.of, "proportion": _round(self.share),
                "ci_lower": _round(ci and ci[0]), "ci_upper": _round(ci and ci[1])}


# -- one patient ---------------------------------------------------------------------------------------


def months(start: date, end: date) -> float:
    return (end - start).days / MONTH_DAYS


@dataclass(frozen=True)
class PatientCourse:
    """What is known of one patient's response and follow-up on the as-of date."""

    patient: Patient
    not_infused: NotInfused | None
    infused_on: date | None  # fraction 1 given (its recording's date)
    responses: tuple[CountedResponse, ...]
    results: tuple[Result | Measured, ...]  # done by the as-of date
    progressed_on: date | None
    died_on: date | None
    off_study_on: date | None
    toxicity: ToxicitySummary | None = None

    @property
    def study_id(self) -> str:
        return self.patient.study_id

    @property
    def infused(self) -> bool:
        return self.not_infused is None

    @cached_property
    def follow_up_ended(self) -> date | None:
        """The first of progression, death and leaving the study: response is followed no further."""
        return min((d for d in (self.progressed_on, self.died_on, self.off_study_on) if d), default=None)


def patient_course(patient: Patient, infusion: Recording | None, results: Iterable[Result | Measured],
                   responses: Sequence[CountedResponse], progressed_on: date | None, as_of: date,
                   toxicity: ToxicitySummary | None = None) -> PatientCourse:
    """The patient as known on `as_of`; `infusion` is the recording of fraction 1, `responses` the response
    course on `as_of` (core/results.counted_course)."""
    a = patient.anchors
    why = not_infused(patient, a.day0, infusion, as_of)
    return PatientCourse(
        patient, why, infusion.done_at.astimezone().date() if why is None else None,
        tuple(responses), tuple(r for r in results if r.day <= as_of),
        progressed_on if progressed_on and progressed_on <= as_of else None,
        a.death if a.death and a.death <= as_of else None,
        a.off_study if a.off_study and a.off_study <= as_of else None, toxicity)


_RANKS = {category: rank for rank, category in enumerate(CATEGORIES)}  # best first


def _rank(category: str | None) -> int:
    return _RANKS.get(category, len(CATEGORIES))


def best_response(responses: Iterable[CountedResponse], timepoints: Collection[str] | None = None
                  ) -> CountedResponse | None:
    """The first assessment with the best category (of these timepoints, when given); None with no category."""
    best, best_rank = None, 0
    for r in responses:  # a plain loop: the tables ask it of every patient for every month
        category = r.category
        if category is None or (timepoints is not None and r.timepoint not in timepoints):
            continue
        rank = _rank(category)
        if best is None or rank < best_rank:
            best, best_rank = r, rank
    return best


def by_month(protocol: TrialProtocol, month: int) -> frozenset[str]:
    """The timepoints of the schedule up to month N (its day from day 0 included)."""
    last = protocol.timepoint(f"M{month}").day
    return frozenset(t.code for t in protocol.timepoints if t.anchor == "day0" and t.day <= last)


def window_ended(course: PatientCourse, protocol: TrialProtocol, timepoint: str, as_of: date) -> bool:
    t = protocol.timepoint(timepoint)
    return (as_of - course.patient.anchors.day0).days >= t.day + t.window_after


def evaluable_at(course: PatientCourse, protocol: TrialProtocol, month: int, as_of: date) -> bool:
    """Infused, and the month's window over by `as_of` or response followed no further before it."""
    return course.infused and (window_ended(course, protocol, f"M{month}", as_of)
                               or course.follow_up_ended is not None)


# -- the cohort's table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownRow:
    section: str
    label: str
    value: str
    note: str


@dataclass(frozen=True)
class EndpointRow:
    """One line of the efficacy tables, the same in the window, on the command line and in the report: its
    words kept as phrases (core/phrases.py), in English as `label`, `value` and `note`, in a language by `shown`."""

    section: str  # English, marked N_()
    code: str
    label_words: Words
    value_words: Words  # as a person reads it
    evaluable: int | None  # the denominator
    note_words: Words = ""

    @property
    def label(self) -> str:
        return english(self.label_words)

    @property
    def value(self) -> str:
        return english(self.value_words)

    @property
    def note(self) -> str:
        return english(self.note_words)

    def shown(self, translations=None) -> ShownRow:
        """The row in the words of `translations` (`i18n.catalog(lang)`, a printout's), else of the active language."""
        return ShownRow(*(str(in_words(words, translations)) for words in
                          (said(self.section), self.label_words, self.value_words, self.note_words)))


@dataclass(frozen=True)
class Summary:
    """Median and spread of some values: the range (time to CR) or the interquartile range."""

    values: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.values)

    @cached_property  # each table row reads it twice (its words and its numbers): sorted once
    def median(self) -> float | None:
        return statistics.median(self.values) if self.values else None

    @cached_property
    def quartiles(self) -> tuple[float, float] | None:
        if not self.values:
            return None
        if len(self.values) == 1:
            return self.values[0], self.values[0]
        q1, _, q3 = statistics.quantiles(self.values, n=4, method="inclusive")
        return q1, q3

    def as_json(self) -> dict:
        q = self.quartiles
        return {"n": self.n, "median": _round(self.median), "q1": _round(q and q[0]), "q3": _round(q and q[1]),
                "min": _round(min(self.values, default=None)), "max": _round(max(self.values, default=None))}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _number(value: float) -> Words:
    return f"{value:.3g}" if abs(value) < 1000 else Grouped(value)


@dataclass
class EfficacyEndpoints:
    """The efficacy tables of the cohort on the as-of date."""

    as_of: date
    infused: tuple[str, ...]
    not_infused: tuple[tuple[str, NotInfused], ...]
    numbers: dict[str, dict] = field(default_factory=dict)  # code -> its numbers, for the JSON
    _rows: list[EndpointRow] = field(default_factory=list)
    curves: dict[str, KaplanMeier] = field(default_factory=dict)  # "pfs", "os", "duration_of_response"

    def add(self, section: str, code: str, label: Words, value: Words, evaluable: int | None, note: Words = "",
            **numbers) -> None:
        self._rows.append(EndpointRow(section, code, label, value, evaluable, note))
        self.numbers[code] = {"label": english(label), "evaluable": evaluable, **numbers}

    def rows(self) -> list[EndpointRow]:
        return list(self._rows)

    def as_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "month_days": MONTH_DAYS,
                "confidence_interval": "Clopper-Pearson 95 %", "infused": list(self.infused),
                "not_infused": [{"study_id": s, **why.as_json()} for s, why in self.not_infused],
                "endpoints": self.numbers, "curves": {name: km.as_json() for name, km in self.curves.items()}}


def _unreviewed(best: Iterable[CountedResponse | None]) -> int:
    return sum(1 for b in best if b is not None and b.reviewed is None)


def _review_note(best: Iterable[CountedResponse | None]) -> Phrase:
    rated = [b for b in best if b is not None]
    if not rated:
        return said(N_("no response category yet"))
    unreviewed = _unreviewed(rated)
    if unreviewed:
        return counted(Nn_("{count} of the {rated} best responses counted not reviewed by a physician yet",
                           "{count} of the {rated} best responses counted not reviewed by a physician yet"),
                       unreviewed, rated=len(rated))
    return counted(Nn_("all {count} best responses counted reviewed by a physician",
                       "all {count} best responses counted reviewed by a physician"), len(rated))


# The infused patients evaluable at each month of RESPONSE_MONTHS (evaluable_at), in the order of the infused.
Evaluable = dict[int, list[PatientCourse]]


def _evaluable(infused: Sequence[PatientCourse], protocol: TrialProtocol, as_of: date) -> Evaluable:
    return {month: [c for c in infused if evaluable_at(c, protocol, month, as_of)] for month in RESPONSE_MONTHS}


def _response_rows(table: EfficacyEndpoints, infused: Sequence[PatientCourse], evaluable_at_month: Evaluable,
                   protocol: TrialProtocol, as_of: date) -> None:
    for month in RESPONSE_MONTHS:
        evaluable = evaluable_at_month[month]
        codes = by_month(protocol, month)
        best = {c.study_id: best_response(c.responses, codes) for c in evaluable}
        category = {s: b.category if b else None for s, b in best.items()}
        ended = [c.study_id for c in evaluable if c.follow_up_ended is not None
                 and not is_overall_response(category[c.study_id])
                 and not window_ended(c, protocol, f"M{month}", as_of)]
        common = [said(N_("best confirmed response up to M{month}"), month=month), _review_note(best.values()),
                  counted(Nn_("{count} infused not evaluable yet (M{month} window open)",
                              "{count} infused not evaluable yet (M{month} window open)"),
                          len(infused) - len(evaluable), month=month)]
        if ended:
            common.append(counted(Nn_("{count} counted as no response (progressed, died or left the study before "
                                      "M{month})", "{count} counted as no response (progressed, died or left the "
                                      "study before M{month})"), len(ended), month=month))
        wanted = [("orr", N_("Overall response (PR or better) at month {month}"), is_overall_response)
                  ] if month != 12 else []
        wanted.append(("cr", N_("CR or sCR at month {month}"), lambda cat: cat in COMPLETE))
        for code, words, counts in wanted:
            hits = [s for s, cat in category.items() if counts(cat)]
            share = Proportion(len(hits), len(evaluable))
            if (code, month) == ("orr", 3):
                words = N_("Overall response (PR or better) at month {month} (primary endpoint)")
            table.add(N_("Response"), f"{code}_month_{month}", said(words, month=month), share.words(),
                      len(evaluable), Joined(common), **share.as_json(), patient_ids=hits,
                      not_evaluable=[c.study_id for c in infused if c.study_id not in best],
                      unreviewed=_unreviewed(best.values()))
        if month == 12:
            counts = {cat: sum(1 for v in category.values() if v == cat) for cat in CATEGORIES}
            counts[NO_CATEGORY] = sum(1 for v in category.values() if v is None)
            value = Joined([*(f"{cat} {counts[cat]}" for cat in CATEGORIES),
                            said(N_("none yet {count}"), count=counts[NO_CATEGORY])], ", ")
            table.add(N_("Response"), "best_response_first_year", said(N_("Best response in the first year (to M12)")),
                      value, len(evaluable), Joined(common), by_category=counts)


def _mrd_rows(table: EfficacyEndpoints, evaluable_at_month: Evaluable, by_item: ByItem) -> None:
    for month in MRD_MONTHS:
        evaluable = evaluable_at_month[month]
        marrow = by_item.get((f"M{month}", "mrd_bm"), {})
        tests = {c.study_id: _mrd(marrow.get(c.study_id)) for c in evaluable}  # each read once
        negative = [s for s, mrd in tests.items() if mrd is not None and mrd_negative(mrd).negative]
        untested = sum(1 for mrd in tests.values() if mrd is None)
        share = Proportion(len(negative), len(evaluable))
        table.add(N_("MRD (minimal residual disease)"), f"mrd_negative_month_{month}",
                  said(N_("Marrow MRD negative at 10^-5 at month {month}"), month=month), share.words(),
                  len(evaluable), counted(Nn_("M{month} marrow by next-generation flow or sequencing; {count} "
                                              "evaluable with no MRD result (counted as not negative)",
                                              "M{month} marrow by next-generation flow or sequencing; {count} "
                                              "evaluable with no MRD result (counted as not negative)"),
                                          untested, month=month),
                  **share.as_json(), patient_ids=negative, no_mrd_result=untested)


def _mrd(result: Result | Measured | None) -> Mrd | None:
    return result.complete_mrd() if result else None


def _first(course: PatientCourse, wanted: Callable[[str | None], bool]) -> CountedResponse | None:
    return next((r for r in course.responses if wanted(r.category)), None)


def _time_to_response_rows(table: EfficacyEndpoints, infused: Sequence[PatientCourse],
                           fit: Callable[..., KaplanMeier]) -> None:
    reached = [(c.study_id, months(c.infused_on, r.day)) for c in infused if (r := _first(c, lambda x: x in COMPLETE))]
    times = Summary(tuple(t for _, t in reached))
    value = (said(N_("median {median} months (range {low}–{high}), {count} / {of} reached CR"),
                  median=f"{times.median:.1f}", low=f"{min(times.values):.1f}", high=f"{max(times.values):.1f}",
                  count=times.n, of=len(infused)) if reached
             else said(N_("0 / {of} reached CR"), of=len(infused)))
    table.add(N_("Time to response"), "time_to_cr", said(N_("Time to CR (infusion to first CR or sCR)")), value,
              len(infused), said(N_("among the patients who reached CR; months = days / 30.4375")), **times.as_json(),
              patient_ids=[s for s, _ in reached])
    durations, events, labels = [], [], []
    for c in infused:
        first = _first(c, is_overall_response)
        if first is None:
            continue
        end = min((d for d in (c.progressed_on, c.died_on) if d), default=None)
        last = c.responses[-1].day  # the last response assessment done by the as-of date
        durations.append(months(first.day, max(end or last, first.day)))
        events.append(end is not None)
        labels.append(c.study_id)
    _curve(table, fit, "duration_of_response",
           said(N_("Duration of response (first PR or better to progression or death)")), N_("Time to response"),
           durations, events, labels, said(N_("responders; censored at the last response assessment")))


def _curve(table: EfficacyEndpoints, fit: Callable[..., KaplanMeier], code: str, label: Phrase, section: str,
           durations: list[float], events: list[bool], labels: list[str], censoring: Phrase,
           at_month: int | None = None) -> None:
    km = fit(durations, events, labels)
    table.curves[code] = km
    median = (said(N_("not reached")) if km.median is None else
              said(N_("{median} months (95 % CI {low}–{high})"), median=f"{km.median:.1f}",
                   low=_months(km.median_ci[0]), high=_months(km.median_ci[1])))
    value = [said(N_("median {median}"), median=median),
             counted(Nn_("{count} event, {censored} censored", "{count} events, {censored} censored"), km.events,
                     censored=km.censored)]
    extra = {}
    if at_month is not None:
        at = km.survival_at(at_month)
        value.append(said(N_("at {month} months {survival} % (95 % CI {low}–{high})"), month=at_month,
                          survival=_pct(at.survival), low=_pct(at.ci_lower), high=_pct(at.ci_upper)) if at
                     else said(N_("at {month} months: nobody followed that long yet"), month=at_month))
        extra[f"at_{at_month}_months"] = (None if at is None else {"survival": round(at.survival, 4),
                                                                    "ci_lower": round(at.ci_lower, 4),
                                                                    "ci_upper": round(at.ci_upper, 4)})
    at_risk = ", ".join(f"{m}: {n}" for m, n in km.at_risk.items())
    # The at-risk numbers last: the figure's title shows the note without them (they are under its axis).
    table.add(section, code, label, Joined(value), len(durations),
              Joined([said(N_("Kaplan-Meier, 95 % CI exponential Greenwood")), censoring,
                      said(N_("at risk (months) {at_risk}"), at_risk=at_risk)]),
              median_months=_round(km.median), median_ci=[_round(m) for m in km.median_ci], events=km.events,
              censored=km.censored, at_risk={str(m): n for m, n in km.at_risk.items()}, **extra)


def _months(value: float | None) -> Words:
    return said(N_("not reached")) if value is None else f"{value:.1f}"


def _survival_rows(table: EfficacyEndpoints, infused: Sequence[PatientCourse], as_of: date,
                   fit: Callable[..., KaplanMeier]) -> None:
    pfs, os_ = ([], [], []), ([], [], [])
    for c in infused:
        end = min((d for d in (c.progressed_on, c.died_on) if d), default=None)
        last = max((r.day for r in c.responses), default=c.infused_on)
        for (durations, events, labels), (when, seen) in (
                (pfs, (end, True) if end else (last, False)),
                (os_, (c.died_on, True) if c.died_on else (c.off_study_on or as_of, False))):
            durations.append(months(c.infused_on, max(when, c.infused_on)))
            events.append(seen)
            labels.append(c.study_id)
    _curve(table, fit, "pfs", said(N_("Progression-free survival")), N_("Survival"), *pfs,
           said(N_("censored at the last response assessment (the infusion when none)")), at_month=12)
    _curve(table, fit, "os", said(N_("Overall survival")), N_("Survival"), *os_,
           said(N_("censored on leaving the study, else on the as-of date")), at_month=12)


def _pet_ct(result: Result | None) -> str | None:
    return result.get("pet_ct") if result else None


def _extramedullary_rows(table: EfficacyEndpoints, infused: Sequence[PatientCourse], evaluable_at_month: Evaluable,
                         by_item: ByItem, protocol: TrialProtocol) -> None:
    patients = [c for c in infused if c.patient.anchors.extramedullary]
    evaluable = [c for c in evaluable_at_month[3] if c.patient.anchors.extramedullary]
    pet_ct = by_item.get(("M3", "pet_ct"), {})
    at_m3 = {c.study_id: _pet_ct(pet_ct.get(c.study_id)) for c in evaluable}
    counts = {answer: sum(1 for v in at_m3.values() if v == answer) for answer in PET_CT_RESPONSES}
    counts[NO_PET_CT] = sum(1 for v in at_m3.values() if v is None)
    complete = Proportion(counts["complete"], len(evaluable))
    note = counted(Nn_("extramedullary patients only ({count} infused); PET-CT complete / partial / stable / "
                       "progressive", "extramedullary patients only ({count} infused); PET-CT complete / partial / "
                       "stable / progressive"), len(patients))
    table.add(N_("Extramedullary"), "extramedullary_response_month_3",
              said(N_("Extramedullary complete response on PET-CT at M3")),
              Joined([complete.words(), _answers(counts)]), len(evaluable), note,
              **complete.as_json(), by_answer=counts)
    codes = by_month(protocol, LAST_MONTH) - {"SCR"}
    best = {}
    for c in patients:
        answers = [v for r in c.results if r.activity == "pet_ct" and r.timepoint in codes
                   if (v := _pet_ct(r)) is not None]
        best[c.study_id] = min(answers, key=PET_CT_RESPONSES.index, default=None)
    counts = {answer: sum(1 for v in best.values() if v == answer) for answer in PET_CT_RESPONSES}
    counts[NO_PET_CT] = sum(1 for v in best.values() if v is None)
    complete = Proportion(counts["complete"], len(patients))
    table.add(N_("Extramedullary"), "extramedullary_best_response_36_months",
              said(N_("Best extramedullary response on PET-CT up to M{month}"), month=LAST_MONTH),
              Joined([said(N_("complete {proportion}"), proportion=complete.words()), _answers(counts)]),
              len(patients), Joined([note, said(N_("over the infused"))]), **complete.as_json(), by_answer=counts)


def _answers(counts: dict[str, int]) -> Joined:
    """How many had each PET-CT answer (codes of PET_CT_RESPONSES, shown in words), and how many had none."""
    return Joined([*(said(N_("{answer} {count}"), answer=said(answer), count=counts[answer])
                     for answer in PET_CT_RESPONSES),
                   said(N_("no PET-CT {count}"), count=counts[NO_PET_CT])], ", ")


def _late_toxicity_rows(table: EfficacyEndpoints, infused: Sequence[PatientCourse], protocol: TrialProtocol) -> None:
    last_day = protocol.timepoint(f"M{LAST_MONTH}").day
    courses = [(c.study_id, c.toxicity.first_infusion) for c in infused if c.toxicity is not None]
    late: dict[str, set[str]] = {}
    severe: dict[str, set[str]] = {}
    for study_id, course in courses:
        found = [(e.kind, e.max_grade) for e in course.late_episodes if e.onset_day <= last_day]
        found += [(e.kind, e.grade) for e in course.late_events if e.onset_day <= last_day]
        for kind, grade in found:
            late.setdefault(kind, set()).add(study_id)
            if grade >= 3:
                severe.setdefault(kind, set()).add(study_id)
    window = protocol.toxicity_days_after_infusion
    note = said(N_("onset after D+{window} up to M{month} (D+{last_day}), after the first infusion; over the "
                   "infused"), window=window, month=LAST_MONTH, last_day=last_day)
    for kind in sorted(late):
        share = Proportion(len(late[kind]), len(courses))
        severe_count = len(severe.get(kind, ()))
        table.add(N_("Late toxicity"), f"late_{kind}", said(N_("Late {toxicity}"), toxicity=_late_words(kind)),
                  Joined([share.words(), said(N_("grade ≥ 3 in {count}"), count=severe_count)]), len(courses), note,
                  **share.as_json(), grade_3_or_more=severe_count, patient_ids=sorted(late[kind]))
    if not late:
        table.add(N_("Late toxicity"), "late_any", said(N_("Late toxicity")),
                  counted(Nn_("none recorded among {count} infused", "none recorded among {count} infused"),
                          len(courses)), len(courses), note, count=0, of=len(courses))
    prolonged = [s for s, course in courses if course.prolonged_cytopenia]
    share = Proportion(len(prolonged), len(courses))
    table.add(N_("Late toxicity"), "prolonged_cytopenia", said(N_("Prolonged cytopenia")), share.words(), len(courses),
              said(N_("grade ≥ 3 neutropenia or thrombocytopenia past D+{day}"),
                   day=protocol.prolonged_cytopenia_after_day), **share.as_json(), patient_ids=prolonged)


# A late toxicity's name in a row: the acronyms as they are, the other kinds of event in words.
_LATE_KINDS = {"crs": "CRS", "icans": "ICANS", "tls": "TLS", "iec_hs": "IEC-HS", "neutropenia": N_("neutropenia"),
               "thrombocytopenia": N_("thrombocytopenia"), "anaemia": N_("anaemia"), "infection": N_("infection"),
               "hypogammaglobulinaemia": N_("hypogammaglobulinaemia"), "delayed_neurotoxicity":
               N_("delayed neurotoxicity"), "death": N_("death")}


def _late_words(kind: str) -> Words:
    return said(_LATE_KINDS[kind]) if kind in _LATE_KINDS else kind


# The infused patients' results by (timepoint, activity), then study ID.
ByItem = dict[tuple[str, str], dict[str, Result | Measured]]


def _by_item(infused: Sequence[PatientCourse]) -> ByItem:
    """The infused patients' results by item, then patient: each result read once for every table."""
    found: ByItem = defaultdict(dict)
    for c in infused:
        study_id = c.study_id
        for r in c.results:
            found[r.timepoint, r.activity][study_id] = r
    return found


def _values(results: Iterable[Result | Measured], name: str) -> list[float]:
    return [v for r in results if (v := r.values.get(name)) is not None]  # .values: some 100,000 reads a table


def _spread(summary: Summary, unit: Words) -> Phrase:
    if not summary.n:
        return said(N_("no values"))
    q1, q3 = summary.quartiles
    return said(N_("n {count}, median {median} {unit} (IQR {q1}–{q3})"), count=summary.n,
                median=_number(summary.median), unit=unit, q1=_number(q1), q3=_number(q3))


def _biomarker_rows(table: EfficacyEndpoints, by_item: ByItem, protocol: TrialProtocol) -> None:
    for timepoint in PERSISTENCE_TIMEPOINTS:
        car_t = by_item.get((timepoint, "cart_pb"), {}).values()
        copies = Summary(tuple(_values(car_t, "car_copies_per_ug")))
        cells = Summary(tuple(_values(car_t, "car_cells_per_ul")))
        measured = [[v for name in ("car_copies_per_ug", "car_cells_per_ul") if (v := r.values.get(name)) is not None]
                    for r in car_t]
        tested = [values for values in measured if values]
        detectable = sum(1 for values in tested if max(values) > 0)
        value = Joined([
            counted(Nn_("{count} with a value, {detectable} detectable",
                        "{count} with a value, {detectable} detectable"), len(tested), detectable=detectable),
            said(N_("copies/µg DNA median {median}"), median=_number(copies.median) if copies.n else "—"),
            said(N_("CAR+ cells/µL median {median}"), median=_number(cells.median) if cells.n else "—"),
        ]) if tested else said(N_("no values"))
        table.add(N_("CAR-T persistence"), f"car_t_{timepoint}", said(N_("CAR-T in blood at {timepoint}"),
                                                                      timepoint=timepoint), value, len(tested),
                  said(N_("detectable: above 0 copies/µg DNA or CAR+ cells/µL")), with_value=len(tested),
                  detectable=detectable, copies_per_ug=copies.as_json(), cells_per_ul=cells.as_json())
    for activity, name, section, label, unit in (
            ("sbcma", "sbcma_ng_ml", N_("Soluble BCMA"), N_("Soluble BCMA at {timepoint}"), "ng/mL"),
            ("bcma_bm", "bcma_pct", N_("BCMA expression"), N_("BCMA expression at {timepoint}"),
             said(N_("% of plasma cells")))):
        for t in protocol.timepoints:
            if activity in t.activities:
                summary = Summary(tuple(_values(by_item.get((t.code, activity), {}).values(), name)))
                table.add(section, f"{activity}_{t.code}", said(label, timepoint=t.code), _spread(summary, unit),
                          summary.n, said(N_("median and interquartile range of the infused")), **summary.as_json())


def _table(courses: Sequence[PatientCourse], as_of: date) -> tuple[EfficacyEndpoints, list[PatientCourse]]:
    """An empty table of the cohort on `as_of`, and its infused (the denominator)."""
    infused = [c for c in courses if c.infused]
    return EfficacyEndpoints(as_of, tuple(c.study_id for c in infused),
                             tuple((c.study_id, c.not_infused) for c in courses if not c.infused)), infused


def survival_endpoints(courses: Iterable[PatientCourse], as_of: date,
                       fit: Callable[[Sequence[float], Sequence[bool], Sequence[str]], KaplanMeier]
                       ) -> EfficacyEndpoints:
    """The survival rows of the efficacy tables alone (PFS and OS, their curves): what the Kaplan-Meier
    figures draw. A patient's toxicity course is not read by them."""
    table, infused = _table(list(courses), as_of)
    _survival_rows(table, infused, as_of, fit)
    return table


def efficacy_endpoints(courses: Iterable[PatientCourse], protocol: TrialProtocol, as_of: date,
                       fit: Callable[[Sequence[float], Sequence[bool], Sequence[str]], KaplanMeier]
                       ) -> EfficacyEndpoints:
    """The cohort's efficacy tables on `as_of`; `fit` draws a Kaplan-Meier curve (analysis/survival.py)."""
    table, infused = _table(list(courses), as_of)
    by_item, evaluable = _by_item(infused), _evaluable(infused, protocol, as_of)
    _response_rows(table, infused, evaluable, protocol, as_of)
    _mrd_rows(table, evaluable, by_item)
    _time_to_response_rows(table, infused, fit)
    _survival_rows(table, infused, as_of, fit)
    _extramedullary_rows(table, infused, evaluable, by_item, protocol)
    _late_toxicity_rows(table, infused, protocol)
    _biomarker_rows(table, by_item, protocol)
    return table
