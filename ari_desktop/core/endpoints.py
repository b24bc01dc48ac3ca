"""The trial's safety endpoints (CLINICAL.md section 7): CRS and ICANS within 30 days of the first
infusion, each episode followed to its end, late events, prolonged cytopenia, and the cohort table
with its denominator.

Pure functions over saved assessments, toxicity events and the infusion recordings. The rules,
decided once here:

- An **episode** of CRS (or ICANS) is a run of consecutive assessments with grade >= 1. Its onset
  is the first of them; it ends at the first later assessment with grade 0 (its resolution). Only a
  grade-0 assessment ends an episode: days without any assessment inside a run belong to it (nobody
  saw it stop). An episode with no grade-0 assessment after it is **ongoing**.
- Its **duration** counts the days from onset to its last assessment with grade >= 1, both
  included (seen on one day only: 1 day); for an ongoing episode, the duration so far.
- Its maximum grade and treatments follow it to its end, even past the monitoring window. The
  treatments recorded at the resolving assessment count: a dose is recorded as given since the
  previous assessment, which still had the grade.
- **Within the window**: onset on D0 to D+30 (B0 to B+14 after a booster), both ends included.
  An episode with a later onset is a late episode.
- A course is **infused** when its infusion (fraction 1 at D0, the booster at B0) is recorded done
  by the as-of date. Otherwise it is listed apart with the reason, never counted as "no CRS".
- A course infused but with no assessment in the window is **not assessed** (no grades at all);
  assessed with no grade >= 1 is "no CRS" (grade 0).
- **Prolonged cytopenia**: a grade >= 3 neutropenia or thrombocytopenia event still present on a
  day past the protocol's day (ctcae.prolonged_cytopenia: default D+30, strictly after).
- **Evaluable** for a 30-day endpoint: infused, assessed in the window, and followed through it
  (D+30 reached by the as-of date, or follow-up ended earlier by death or leaving the study).
  Proportions are over the evaluable patients.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..i18n import N_, _, ngettext
from . import ctcae
from .schedule import DONE, NOT_DONE, Recording
from .toxicity import EVENT_LABELS, TREATMENTS, Assessment, GradedAssessment, ToxicityEvent

if TYPE_CHECKING:
    from .patients import Anchors, Patient
    from .protocol import Protocol as TrialProtocol

KINDS = ("crs", "icans")
KIND_LABELS = {"crs": N_("CRS"), "icans": N_("ICANS")}  # shown through _()

# Status of an infusion's course.
NOT_INFUSED, NOT_ASSESSED, ASSESSED = "not_infused", "not_assessed", "assessed"
# Why a course is not infused, most telling first (codes in JSON; the words N_, shown with _()).
NOT_INFUSED_REASONS = {
    "died_before_infusion": N_("died before the infusion"),
    "off_study_before_infusion": N_("left the study before the infusion"),
    "infusion_not_given": N_("infusion recorded as not given"),
    "no_day0": N_("no day 0 yet"),
    "infusion_planned": N_("infusion planned, not yet due"),
    "infusion_not_recorded": N_("infusion not recorded as given"),
}
# Why an infused patient is not evaluable for a 30-day endpoint.
NOT_EVALUABLE_REASONS = {NOT_ASSESSED: N_("not assessed in the window"), "window_open": N_("window not over yet")}
CYTOPENIA_KINDS = ("neutropenia", "thrombocytopenia")


def _day(when: date, anchor_date: date) -> int:
    return (when - anchor_date).days


# What the rules read of an assessment: a whole one, or the graded part the cohort's tables read in bulk.
Assessed = Assessment | GradedAssessment


def _date_of(assessment: Assessed) -> date:
    return assessment.day


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day_of(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@dataclass(frozen=True)
class TreatmentTotals:
    """Anti-cytokine treatment given, in mg, summed over a set of assessments."""

    tocilizumab_mg: float = 0.0
    dexamethasone_mg: float = 0.0
    methylprednisolone_mg: float = 0.0
    anakinra_mg: float = 0.0

    @classmethod
    def of(cls, assessments: Iterable[Assessed]) -> TreatmentTotals:
        totals = dict.fromkeys(TREATMENTS, 0.0)
        for a in assessments:
            if a.treatments.any:  # most assessments give nothing: the cohort's tables read thousands
                for name in TREATMENTS:
                    totals[name] += getattr(a.treatments, name)
        return cls(**{name: round(total, 1) for name, total in totals.items()})

    def as_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict) -> TreatmentTotals:
        return cls(**data)


@dataclass(frozen=True)
class Episode:
    """One episode of CRS or ICANS (see the module's rules), days counted from the infusion."""

    kind: str  # "crs" or "icans"
    onset: date
    onset_day: int
    last_day: int  # day of its last assessment with grade >= 1
    max_grade: int
    resolution: date | None  # date of the grade-0 assessment that ended it; None while ongoing
    resolution_day: int | None
    treatments: TreatmentTotals
    assessment_ids: tuple[int, ...]  # the assessments it was seen in, and the one that ended it

    @property
    def ongoing(self) -> bool:
        return self.resolution is None

    @property
    def duration_days(self) -> int:
        return self.last_day - self.onset_day + 1

    def as_json(self) -> dict:
        return {"kind": self.kind, "onset": self.onset.isoformat(), "onset_day": self.onset_day,
                "last_day": self.last_day, "max_grade": self.max_grade, "resolution": _iso(self.resolution),
                "resolution_day": self.resolution_day, "duration_days": self.duration_days,
                "ongoing": self.ongoing, "treatments": self.treatments.as_json(),
                "assessment_ids": list(self.assessment_ids)}

    @classmethod
    def from_json(cls, data: dict) -> Episode:
        return cls(data["kind"], date.fromisoformat(data["onset"]), data["onset_day"], data["last_day"],
                   data["max_grade"], _day_of(data["resolution"]), data["resolution_day"],
                   TreatmentTotals.from_json(data["treatments"]), tuple(data["assessment_ids"]))


def _grade(assessment: Assessed, kind: str) -> int:
    return (assessment.crs if kind == "crs" else assessment.icans).grade


def episodes(assessments: Iterable[Assessed], kind: str, anchor_date: date) -> tuple[Episode, ...]:
    """Every CRS (kind "crs") or ICANS ("icans") episode in these assessments, in order of onset."""
    found: list[Episode] = []
    run: list[Assessed] = []

    def close(resolving: Assessed | None) -> None:
        onset, last = _date_of(run[0]), _date_of(run[-1])
        resolution = _date_of(resolving) if resolving else None
        seen = run + ([resolving] if resolving else [])
        found.append(Episode(
            kind=kind, onset=onset, onset_day=_day(onset, anchor_date), last_day=_day(last, anchor_date),
            max_grade=max(_grade(a, kind) for a in run), resolution=resolution,
            resolution_day=_day(resolution, anchor_date) if resolution else None,
            treatments=TreatmentTotals.of(seen), assessment_ids=tuple(a.id for a in seen)))

    for a in sorted(assessments, key=lambda a: a.at):
        if _grade(a, kind) >= 1:
            run.append(a)
        elif run:
            close(a)
            run = []
    if run:
        close(None)
    return tuple(found)


@dataclass(frozen=True)
class WithinWindow:
    """CRS (or ICANS) with onset in the monitoring window, its episodes followed to their end.
    With several episodes: the onset of the first, the worst grade of all, the resolution of the
    last, and the days of all added up."""

    kind: str
    episodes: tuple[Episode, ...]

    @property
    def any(self) -> bool:
        return bool(self.episodes)

    @property
    def max_grade(self) -> int:
        return max((e.max_grade for e in self.episodes), default=0)

    @property
    def onset_day(self) -> int | None:
        return self.episodes[0].onset_day if self.episodes else None

    @property
    def onset(self) -> date | None:
        return self.episodes[0].onset if self.episodes else None

    @property
    def resolution(self) -> date | None:
        return self.episodes[-1].resolution if self.episodes else None

    @property
    def resolution_day(self) -> int | None:
        return self.episodes[-1].resolution_day if self.episodes else None

    @property
    def duration_days(self) -> int | None:
        return sum(e.duration_days for e in self.episodes) if self.episodes else None

    @property
    def ongoing(self) -> bool:
        return bool(self.episodes) and self.episodes[-1].ongoing

    def as_json(self) -> dict:
        return {"any": self.any, "max_grade": self.max_grade, "onset": _iso(self.onset),
                "onset_day": self.onset_day, "resolution": _iso(self.resolution),
                "resolution_day": self.resolution_day, "duration_days": self.duration_days,
                "ongoing": self.ongoing, "episodes": [e.as_json() for e in self.episodes]}

    @classmethod
    def from_json(cls, kind: str, data: dict) -> WithinWindow:
        return cls(kind, tuple(Episode.from_json(e) for e in data["episodes"]))


@dataclass(frozen=True)
class CourseEvent:
    """A toxicity event (TLS, cytopenia, infection...) as known on the as-of date, days from the infusion."""

    id: int
    kind: str
    grade: int
    onset: date
    onset_day: int
    resolution: date | None  # None: unresolved on the as-of date

    @classmethod
    def of(cls, event: ToxicityEvent, anchor_date: date, as_of: date) -> CourseEvent:
        resolution = event.resolution if event.resolution is not None and event.resolution <= as_of else None
        return cls(event.id, event.kind, event.grade, event.onset, _day(event.onset, anchor_date), resolution)

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "grade": self.grade, "onset": self.onset.isoformat(),
                "onset_day": self.onset_day, "resolution": _iso(self.resolution)}

    @classmethod
    def from_json(cls, data: dict) -> CourseEvent:
        return cls(data["id"], data["kind"], data["grade"], date.fromisoformat(data["onset"]), data["onset_day"],
                   _day_of(data["resolution"]))


def prolonged_cytopenia_on(event: ToxicityEvent, anchor_date: date, after_day: int, day: date) -> bool:
    """True when `event` is grade >= 3 neutropenia or thrombocytopenia still present on `day` (onset on
    or before it, not resolved by it) and `day` is past D+after_day (ctcae.prolonged_cytopenia)."""
    if event.kind not in CYTOPENIA_KINDS or event.onset > day:
        return False
    if event.resolution is not None and event.resolution <= day:
        return False
    grade = min(event.grade, 4)  # CTCAE grade 5 is death from it: still grade 4 cytopenia
    grades = (grade, 0) if event.kind == "neutropenia" else (0, grade)
    return ctcae.prolonged_cytopenia(_day(day, anchor_date), *grades, after_day=after_day)


def prolonged_cytopenia(events: Iterable[ToxicityEvent], anchor_date: date, after_day: int,
                        as_of: date) -> tuple[ToxicityEvent, ...]:
    """The events that were prolonged cytopenia on some day up to `as_of`: checked on the first day
    past D+after_day that the event was present (its onset, if later)."""
    first_day = anchor_date + timedelta(days=after_day + 1)
    return tuple(e for e in events if (day := max(e.onset, first_day)) <= as_of
                 and prolonged_cytopenia_on(e, anchor_date, after_day, day))


@dataclass(frozen=True)
class NotInfused:
    """Why a course does not count: a code of NOT_INFUSED_REASONS and the facts behind it."""

    reason: str
    detail: str

    def as_json(self) -> dict:
        return {"reason": self.reason, "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict) -> NotInfused:
        return cls(**data)

    def __str__(self) -> str:
        words = _(NOT_INFUSED_REASONS[self.reason])
        return f"{words} ({self.detail})" if self.detail else words


def not_infused(patient: Patient, anchor_date: date | None, recording: Recording | None, as_of: date,
                what: str = "fraction 1") -> NotInfused | None:
    """None when the infusion on `anchor_date` was recorded done by `as_of`; else why not."""
    if recording is not None and recording.outcome == DONE and recording.done_at.astimezone().date() <= as_of:
        return None
    a = patient.anchors
    if a.death and a.death <= as_of and (anchor_date is None or a.death < anchor_date):
        return NotInfused("died_before_infusion", f"died on {a.death}")
    if a.off_study and a.off_study <= as_of and (anchor_date is None or a.off_study < anchor_date):
        return NotInfused("off_study_before_infusion", f"off study on {a.off_study}: {a.off_study_reason}")
    if recording is not None and recording.outcome == NOT_DONE:
        return NotInfused("infusion_not_given", f"{what}: {recording.reason}")
    if anchor_date is None:
        return NotInfused("no_day0", "")
    if anchor_date > as_of:
        return NotInfused("infusion_planned", f"{what} on {anchor_date}")
    return NotInfused("infusion_not_recorded", f"{what} on {anchor_date}")


@dataclass(frozen=True)
class InfusionCourse:
    """What followed one infusion (the first, or a booster), as known on the as-of date."""

    infusion: str  # "first" or "booster"
    anchor: str  # "D" or "B"
    anchor_date: date | None
    window_days: int
    status: str  # NOT_INFUSED, NOT_ASSESSED or ASSESSED
    not_infused: NotInfused | None = None
    window_complete: bool = False  # followed through the window (see the module's rules)
    crs: WithinWindow | None = None  # None unless ASSESSED
    icans: WithinWindow | None = None
    late_episodes: tuple[Episode, ...] = ()  # onset after the window
    late_events: tuple[CourseEvent, ...] = ()  # toxicity events with onset after the window
    prolonged_cytopenia: tuple[CourseEvent, ...] | None = None  # None when not infused
    treatments: TreatmentTotals | None = None  # the window, and its episodes to their end

    @property
    def infused(self) -> bool:
        return self.status != NOT_INFUSED

    @property
    def not_evaluable(self) -> str | None:
        """Why an infused course does not count for the window's endpoints (NOT_EVALUABLE_REASONS)."""
        if self.status == NOT_ASSESSED:
            return NOT_ASSESSED
        return None if self.window_complete else "window_open"

    def as_json(self) -> dict:
        return {
            "infusion": self.infusion, "anchor": self.anchor, "anchor_date": _iso(self.anchor_date),
            "window_days": self.window_days, "status": self.status,
            "not_infused": self.not_infused.as_json() if self.not_infused else None,
            "window_complete": self.window_complete,
            "crs": self.crs.as_json() if self.crs else None,
            "icans": self.icans.as_json() if self.icans else None,
            "late_episodes": [e.as_json() for e in self.late_episodes],
            "late_events": [e.as_json() for e in self.late_events],
            "prolonged_cytopenia": None if self.prolonged_cytopenia is None else bool(self.prolonged_cytopenia),
            "prolonged_cytopenia_events": [e.as_json() for e in self.prolonged_cytopenia or ()],
            "treatments": self.treatments.as_json() if self.treatments else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> InfusionCourse:
        """The course `as_json` wrote (what store.toxicity keeps between reads)."""
        windows = {kind: None if data[kind] is None else WithinWindow.from_json(kind, data[kind]) for kind in KINDS}
        cytopenia = data["prolonged_cytopenia_events"]
        return cls(
            data["infusion"], data["anchor"], _day_of(data["anchor_date"]), data["window_days"], data["status"],
            not_infused=None if data["not_infused"] is None else NotInfused.from_json(data["not_infused"]),
            window_complete=data["window_complete"], crs=windows["crs"], icans=windows["icans"],
            late_episodes=tuple(Episode.from_json(e) for e in data["late_episodes"]),
            late_events=tuple(CourseEvent.from_json(e) for e in data["late_events"]),
            prolonged_cytopenia=None if data["prolonged_cytopenia"] is None else tuple(
                CourseEvent.from_json(e) for e in cytopenia),
            treatments=None if data["treatments"] is None else TreatmentTotals.from_json(data["treatments"]))


def infusion_course(patient: Patient, *, infusion: str, anchor_date: date | None, until: date | None,
                    window_days: int, prolonged_after_day: int, recording: Recording | None,
                    assessments: Iterable[Assessed], events: Iterable[ToxicityEvent],
                    as_of: date) -> InfusionCourse:
    """The course after the infusion on `anchor_date`, from the assessments and events before `until`
    (the next infusion; None: no later one) known by `as_of`."""
    anchor = "D" if infusion == "first" else "B"
    why = not_infused(patient, anchor_date, recording, as_of, "fraction 1" if infusion == "first" else "the booster")
    if why is not None:
        return InfusionCourse(infusion, anchor, anchor_date, window_days, NOT_INFUSED, not_infused=why)
    last_day = min(as_of, until - timedelta(days=1)) if until else as_of
    rows = [a for a in assessments if anchor_date <= _date_of(a) <= last_day]
    window_end = anchor_date + timedelta(days=window_days)
    ended = patient.anchors.end
    complete = as_of >= window_end or (ended is not None and ended[0] <= as_of)
    by_kind = {kind: episodes(rows, kind, anchor_date) for kind in KINDS}
    late = tuple(sorted((e for found in by_kind.values() for e in found if e.onset_day > window_days),
                        key=lambda e: (e.onset, e.kind)))
    own_events = [e for e in events if e.onset <= last_day and (infusion == "first" or e.onset >= anchor_date)]
    in_window = [a for a in rows if _date_of(a) <= window_end]
    if not in_window:
        return InfusionCourse(infusion, anchor, anchor_date, window_days, NOT_ASSESSED, window_complete=complete,
                              late_episodes=late, **_events(own_events, anchor_date, window_end,
                                                            prolonged_after_day, as_of))
    windows = {kind: WithinWindow(kind, tuple(e for e in by_kind[kind] if e.onset_day <= window_days))
               for kind in KINDS}
    # Doses of the window, and of its episodes after it: each assessment counted once.
    ids = {a.id for a in in_window}.union(*(e.assessment_ids for w in windows.values() for e in w.episodes))
    return InfusionCourse(
        infusion, anchor, anchor_date, window_days, ASSESSED, window_complete=complete,
        crs=windows["crs"], icans=windows["icans"], late_episodes=late,
        treatments=TreatmentTotals.of(a for a in rows if a.id in ids),
        **_events(own_events, anchor_date, window_end, prolonged_after_day, as_of))


def _events(events: list[ToxicityEvent], anchor_date: date, window_end: date, after_day: int, as_of: date) -> dict:
    known = [CourseEvent.of(e, anchor_date, as_of) for e in events]
    return {"late_events": tuple(e for e in known if e.onset > window_end),
            "prolonged_cytopenia": prolonged_cytopenia(known, anchor_date, after_day, as_of)}


def _day_words(anchor: str, day: int) -> str:
    return f"{anchor}0" if day == 0 else f"{anchor}{day:+d}"


def _days(count: int) -> str:
    return ngettext("{count} day", "{count} days", count).format(count=count)


def course_sentence(course: InfusionCourse) -> str:
    """The course in one line, the same in the window and on the command line: maximum grades, each
    scale's onset, duration and resolution within the window, late episodes and events, prolonged
    cytopenia, treatment totals."""
    a, window = course.anchor, _day_words(course.anchor, course.window_days)
    if course.status == NOT_INFUSED:
        return _("Not infused: {why}. Not counted for the endpoints.").format(why=course.not_infused)
    parts = []
    if course.status == NOT_ASSESSED:
        parts.append(_("Not assessed from {start} to {end}").format(start=f"{a}0", end=window))
    else:
        parts.append(_("Maximum CRS grade {crs}, maximum ICANS grade {icans}").format(
            crs=course.crs.max_grade, icans=course.icans.max_grade))
        for window_of in (course.crs, course.icans):
            scale = _(KIND_LABELS[window_of.kind])
            if not window_of.any:
                parts.append(_("no {scale}").format(scale=scale))
                continue
            onset, duration = _day_words(a, window_of.onset_day), _days(window_of.duration_days)
            if window_of.ongoing:
                text = _("{scale} from {onset} for {duration} so far, ongoing").format(
                    scale=scale, onset=onset, duration=duration)
            else:
                text = _("{scale} from {onset} for {duration}, resolved {resolved}").format(
                    scale=scale, onset=onset, duration=duration, resolved=_day_words(a, window_of.resolution_day))
            if len(window_of.episodes) > 1:
                text += " " + ngettext("({count} episode)", "({count} episodes)", len(window_of.episodes)).format(
                    count=len(window_of.episodes))
            parts.append(text)
    if course.late_episodes:
        late = ", ".join(_("{scale} grade {grade} from {onset}").format(
                             scale=_(KIND_LABELS[e.kind]), grade=e.max_grade, onset=_day_words(a, e.onset_day))
                         for e in course.late_episodes)
        parts.append(_("after {window}: {late}").format(window=window, late=late))
    if course.late_events:
        parts.append(ngettext("{count} toxicity event after {window}", "{count} toxicity events after {window}",
                              len(course.late_events)).format(count=len(course.late_events), window=window))
    if course.prolonged_cytopenia:
        parts.append(_("prolonged cytopenia ({events})").format(events=", ".join(
            _("grade {grade} {kind} from {onset}").format(grade=e.grade, kind=_(EVENT_LABELS[e.kind]).lower(),
                                                          onset=_day_words(a, e.onset_day))
            for e in course.prolonged_cytopenia)))
    if course.treatments is not None:
        t = course.treatments
        parts.append(_("tocilizumab total {mg:g} mg").format(mg=t.tocilizumab_mg))
        for name, mg in (("dexamethasone", t.dexamethasone_mg), ("methylprednisolone", t.methylprednisolone_mg),
                         ("anakinra", t.anakinra_mg)):
            if mg:
                parts.append(f"{name} {mg:g} mg")
    return " · ".join(parts)


@dataclass(frozen=True)
class ToxicitySummary:
    """A patient's courses: after the first infusion, and after the booster when one is dated."""

    study_id: str
    as_of: date
    first_infusion: InfusionCourse
    booster: InfusionCourse | None

    def as_json(self) -> dict:
        return {"study_id": self.study_id, "as_of": self.as_of.isoformat(),
                "first_infusion": self.first_infusion.as_json(),
                "booster": self.booster.as_json() if self.booster else None}

    @classmethod
    def from_json(cls, data: dict) -> ToxicitySummary:
        booster = None if data["booster"] is None else InfusionCourse.from_json(data["booster"])
        first = InfusionCourse.from_json(data["first_infusion"])
        return cls(data["study_id"], date.fromisoformat(data["as_of"]), first, booster)

    def on(self, as_of: date) -> ToxicitySummary:
        """The same courses as known on another date, one of the days they are unchanged (unchanged_days)."""
        return replace(self, as_of=as_of)


def course_of(anchors: Anchors, when: date) -> tuple[str, date]:
    """The infusion whose course a date belongs to, as (anchor letter, its date): the booster's from
    its date on, else the first infusion's. The patient has a day 0."""
    if anchors.booster is not None and when >= anchors.booster:
        return "B", anchors.booster
    return "D", anchors.day0


def infusion_timepoint(protocol: TrialProtocol, anchor: str) -> str:
    """The timepoint of the infusion on the anchor's day 0: fraction 1 ("day0") or the booster."""
    return next(t.code for t in protocol.timepoints if t.anchor == anchor and t.day == 0 and "infusion" in t.activities)


def toxicity_summary(patient: Patient, protocol: TrialProtocol, assessments: Iterable[Assessed],
                     events: Iterable[ToxicityEvent], infusions: Mapping[str, Recording], as_of: date
                     ) -> ToxicitySummary:
    """The courses of one patient as known on `as_of`; `infusions` are the recordings of the
    infusions by timepoint. A dated booster ends the first infusion's course the day before it
    (course_of)."""
    assessments = [a for a in assessments if _date_of(a) <= as_of]
    events = [e for e in events if e.onset <= as_of]
    a = patient.anchors
    common = {"prolonged_after_day": protocol.prolonged_cytopenia_after_day, "assessments": assessments,
              "events": events, "as_of": as_of}
    first = infusion_course(patient, infusion="first", anchor_date=a.day0, until=a.booster,
                            window_days=protocol.toxicity_days_after_infusion,
                            recording=infusions.get(infusion_timepoint(protocol, "day0")), **common)
    booster = None if a.booster is None else infusion_course(
        patient, infusion="booster", anchor_date=a.booster, until=None,
        window_days=protocol.toxicity_days_after_booster,
        recording=infusions.get(infusion_timepoint(protocol, "booster")), **common)
    return ToxicitySummary(patient.study_id, as_of, first, booster)


def unchanged_days(patient: Patient, protocol: TrialProtocol, assessments: Iterable[Assessed],
                   events: Iterable[ToxicityEvent], infusions: Mapping[str, Recording], as_of: date
                   ) -> tuple[date, date | None]:
    """The days around `as_of` on which the patient's toxicity_summary, given these records, is the same (but
    for the date it names): from the first day up to the day before the second (None: on every later day, the
    course has settled). The summary changes only on a date the rules above compare the as-of date with: what
    was recorded then, the infusions and the ends of follow-up, each window's end and the first day of
    prolonged cytopenia. A summary made on one of those days serves the others until the patient's records
    change (store.toxicity keeps it between reads so); a rule that compares the as-of date with a date not
    here must add it."""
    a = patient.anchors
    days = [a.screening, *(d for d in (a.day0, a.booster, a.off_study, a.death) if d)]
    for anchor, window in ((a.day0, protocol.toxicity_days_after_infusion),
                           (a.booster, protocol.toxicity_days_after_booster)):
        if anchor:
            days += [anchor + timedelta(days=window),
                     anchor + timedelta(days=protocol.prolonged_cytopenia_after_day + 1)]
    days += [r.done_at.astimezone().date() for r in infusions.values() if r.done_at]
    days += [_date_of(x) for x in assessments]
    days += [d for e in events for d in (e.onset, e.resolution) if d]
    return (max((d for d in days if d <= as_of), default=date.min),
            min((d for d in days if d > as_of), default=None))


# --------------------------------------------------------------------------------------------
# The cohort's table


@dataclass(frozen=True)
class WindowEndpoint:
    """CRS (or ICANS) with onset within the window after the first infusion, over the evaluable."""

    kind: str
    window_days: int
    evaluable: int
    patients: tuple[str, ...]  # evaluable patients with it
    grade_3_or_more: tuple[str, ...]
    by_max_grade: tuple[int, ...]  # evaluable patients whose maximum grade is 0, 1, ... 5

    @property
    def code(self) -> str:
        """The endpoint's name in exports: "crs_within_30_days"."""
        return f"{self.kind}_within_{self.window_days}_days"

    @property
    def proportion(self) -> float | None:
        return round(len(self.patients) / self.evaluable, 4) if self.evaluable else None

    def as_json(self) -> dict:
        return {"endpoint": self.code, "kind": self.kind, "evaluable": self.evaluable, "patients": len(self.patients),
                "proportion": self.proportion, "grade_3_or_more": len(self.grade_3_or_more),
                "by_max_grade": {str(g): n for g, n in enumerate(self.by_max_grade)},
                "patient_ids": list(self.patients), "grade_3_or_more_ids": list(self.grade_3_or_more)}


@dataclass(frozen=True)
class SafetyEndpoints:
    """CRS and ICANS within the window after the first infusion, for the cohort, on the as-of date.
    The denominator is every infused patient; the others are listed apart with the reason."""

    as_of: date
    window_days: int
    infused: tuple[str, ...]
    not_infused: tuple[tuple[str, NotInfused], ...]
    evaluable: tuple[str, ...]
    not_evaluable: tuple[tuple[str, str], ...]  # (study ID, NOT_EVALUABLE_REASONS code)
    crs: WindowEndpoint
    icans: WindowEndpoint
    prolonged_cytopenia: tuple[str, ...]  # infused patients with it by the as-of date

    def as_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "window_days": self.window_days,
                "infused": list(self.infused),
                "not_infused": [{"study_id": s, **why.as_json()} for s, why in self.not_infused],
                "evaluable": list(self.evaluable),
                "not_evaluable": [{"study_id": s, "reason": why} for s, why in self.not_evaluable],
                "crs": self.crs.as_json(), "icans": self.icans.as_json(),
                "prolonged_cytopenia": list(self.prolonged_cytopenia)}


def safety_endpoints(summaries: Iterable[ToxicitySummary], as_of: date, window_days: int) -> SafetyEndpoints:
    """The cohort's table from each patient's summary on `as_of` (the first infusion's course)."""
    courses = [(s.study_id, s.first_infusion) for s in summaries]
    infused = [(study_id, c) for study_id, c in courses if c.infused]
    evaluable = [(study_id, c) for study_id, c in infused if c.not_evaluable is None]

    def endpoint(kind: str) -> WindowEndpoint:
        windows = [(study_id, getattr(c, kind)) for study_id, c in evaluable]
        grades = [w.max_grade for _, w in windows]
        return WindowEndpoint(kind, window_days, len(windows), tuple(s for s, w in windows if w.any),
                              tuple(s for s, w in windows if w.max_grade >= 3),
                              tuple(grades.count(g) for g in range(6)))

    return SafetyEndpoints(
        as_of=as_of, window_days=window_days, infused=tuple(s for s, _ in infused),
        not_infused=tuple((s, c.not_infused) for s, c in courses if not c.infused),
        evaluable=tuple(s for s, _ in evaluable),
        not_evaluable=tuple((s, c.not_evaluable) for s, c in infused if c.not_evaluable is not None),
        crs=endpoint("crs"), icans=endpoint("icans"),
        prolonged_cytopenia=tuple(s for s, c in infused if c.prolonged_cytopenia))
