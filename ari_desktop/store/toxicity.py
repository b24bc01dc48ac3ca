"""The toxicity reading of what was recorded: a patient's course after each infusion, the
cohort's safety endpoints and the day's flags (the rules are core/endpoints.py and core/flags.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import date
from functools import cache

from ..core import counts, ctcae, endpoints, toxicity
from ..core import patients as core_patients
from ..core.dates import from_utc_text
from ..core.errors import ClinicalInputError
from ..core.flags import Flag, toxicity_flags
from ..core.recording import TOXICITY_ACTIVITY
from ..core.schedule import Recording
from ..i18n import _
from .bulk import cohort_read
from .kept import Remembered, keep, rules_digest
from .part import Part, fewer, of_patients


class Toxicity(Part):
    def __init__(self, store) -> None:
        super().__init__(store)
        self._kept = Remembered()  # the toxicity_courses rows read so far: (unchanged from, changes on, course)
        self._flagged = Remembered()  # what the flags read of each patient: (latest assessment, events)

    def summary(self, study_id: str, as_of: date | None = None) -> endpoints.ToxicitySummary:
        """The course after the first infusion and after a booster, as known on `as_of` (default
        today): status, CRS and ICANS within the window followed to their end, late episodes and
        events, prolonged cytopenia, treatment totals (core/endpoints.py)."""
        patient_id, patient = self.store.patients.require(study_id)
        as_of = self.checked_as_of(as_of)
        wanted = [(endpoints.infusion_timepoint(self.protocol, anchor), "infusion") for anchor in ("day0", "booster")]
        infusions = {e.item.timepoint: e.recording
                     for e in self.store.schedules.entries(patient.study_id, patient_id, as_of, wanted)
                     if e.recording is not None}
        return endpoints.toxicity_summary(patient, self.protocol, self.store.assessments.of(patient.study_id),
                                          self.store.events.of(patient.study_id), infusions, as_of)

    @cohort_read()
    def summaries(self, as_of: date | None = None) -> dict[int, endpoints.ToxicitySummary]:
        """Every patient's course (as `summary` gives it), by row id of the patient: the safety and the efficacy
        tables both count from them. A course kept in toxicity_courses for the days around `as_of` is read as
        kept (store/kept.py); the others are counted from the records, read in a few queries for those patients,
        and the course of today's days is kept."""
        as_of = self.checked_as_of(as_of)
        rules, on, today = _rules_digest(self.protocol.digest), as_of.isoformat(), self.store.today()
        kept, since = self._kept.current(self.db, rules)
        patients = self.store.patients.with_ids()
        unread = [patient_id for patient_id, _ in patients if patient_id not in kept]
        for where, params in of_patients(fewer(unread, len(patients))):
            for patient_id, first, changes, course in self.db.execute(
                    "SELECT patient_id, unchanged_from, changes_on, course FROM toxicity_courses"
                    f" WHERE rules = ? AND {where}", [rules, *params]):
                kept[patient_id] = first, changes, endpoints.ToxicitySummary.from_json(json.loads(course))
        known = {patient_id: course.on(as_of) for patient_id, (first, changes, course) in kept.items()
                 if _covers(first, changes, on)}
        unknown = [patient_id for patient_id, _ in patients if patient_id not in known]
        if not unknown:
            return {patient_id: known[patient_id] for patient_id, _ in patients}
        some = fewer(unknown, len(patients))
        infusions, events = self.infusions(some), self.store.events.by_patient(some)
        assessments = self.store.assessments.graded_by_patient(some)
        kept_for_today = {patient_id for patient_id, (first, changes, _) in kept.items()
                          if _covers(first, changes, today.isoformat())}
        summaries, made = {}, {}
        for patient_id, patient in patients:
            if patient_id in known:
                summaries[patient_id] = known[patient_id]
                continue
            records = (patient, self.protocol, assessments.get(patient_id, []), events.get(patient.study_id, []),
                       infusions.get(patient_id, {}))
            summaries[patient_id] = course = endpoints.toxicity_summary(*records, as_of)
            if patient_id in kept_for_today:
                continue
            first, changes = endpoints.unchanged_days(*records, as_of)
            if changes is not None and changes <= today:  # an earlier date's course: today's is kept
                first, changes = endpoints.unchanged_days(*records, today)
                course = endpoints.toxicity_summary(*records, today)
            kept[patient_id] = first.isoformat(), changes and changes.isoformat(), course
            made[patient_id] = {"rules": rules, "unchanged_from": kept[patient_id][0],
                                "changes_on": kept[patient_id][1], "course": json.dumps(course.as_json())}
        keep(self.store, "toxicity_courses", made, since)
        return summaries

    def endpoints(self, as_of: date | None = None,
                  summaries: dict[int, endpoints.ToxicitySummary] | None = None) -> endpoints.SafetyEndpoints:
        """CRS and ICANS within 30 days of the first infusion for every patient, on `as_of` (default today);
        from `summaries` when they were read already for that date."""
        as_of = self.checked_as_of(as_of)
        summaries = self.summaries(as_of) if summaries is None else summaries
        return endpoints.safety_endpoints(summaries.values(), as_of, self.protocol.toxicity_days_after_infusion)

    def infusions(self, patient_ids: Sequence[int] | None = None) -> dict[int, dict[str, Recording]]:
        """The recordings of fraction 1 and of the booster, by row id of the patient (of these patients only,
        when given), then timepoint."""
        wanted = [endpoints.infusion_timepoint(self.protocol, anchor) for anchor in ("day0", "booster")]
        found: dict[int, dict[str, Recording]] = {}
        for where, params in of_patients(patient_ids):
            rows = self.db.execute(
                "SELECT patient_id, timepoint, activity, outcome, done_at, reason, recorded_by, recorded_at,"
                " dose_million_cells_per_kg, weight_kg FROM recordings WHERE activity = 'infusion'"
                f" AND withdrawn_at IS NULL AND timepoint IN ({', '.join('?' for _ in wanted)}) AND {where}",
                wanted + params)
            for patient_id, timepoint, activity, outcome, done_at, reason, by, at, dose, weight in rows:
                found.setdefault(patient_id, {})[timepoint] = Recording(
                    timepoint, activity, outcome, from_utc_text(done_at) if done_at else None, reason, by,
                    from_utc_text(at), dose, weight)
        return found

    def flags(self, day: date) -> list[Flag]:
        """The day's flags: assessment not recorded yet, grade 2 or more, prolonged cytopenia. What they read of
        each patient (the latest assessment, the events) is remembered between reads and read again for the
        patients written about since (store/kept.Remembered): Today reads the flags again after every write."""
        unrecorded = [e for e in self.store.schedules.worklist(day, "assessment")
                      if e.item.activity == TOXICITY_ACTIVITY]
        patients = self.store.patients.with_ids()
        read, _ = self._flagged.current(self.db, "flags")
        unread = [patient_id for patient_id, _ in patients if patient_id not in read]
        if unread:
            some = fewer(unread, len(patients))
            latest, events = self.store.assessments.latest_grades(some), self.store.events.by_patient(some)
            for patient_id, p in patients:
                read.setdefault(patient_id, (latest.get(p.study_id), events.get(p.study_id, [])))
        return toxicity_flags(day, unrecorded, [p for _, p in patients],
                              {p.study_id: read[i][0] for i, p in patients if read[i][0] is not None},
                              {p.study_id: read[i][1] for i, p in patients}, self.protocol)

    def checked_as_of(self, as_of: date | None) -> date:
        """The date an endpoint is counted on: today, or a day already past (a later one would claim
        follow-up that has not happened)."""
        if as_of is not None and as_of > self.store.today():
            raise ClinicalInputError(_("The as-of date {as_of} is in the future.").format(
                                         as_of=as_of), "as_of")
        return as_of or self.store.today()


def _covers(first: str, changes: str | None, day: str) -> bool:
    """Whether a course kept unchanged from `first` up to the day before `changes` is the course on `day` (ISO
    dates, compared as text)."""
    return first <= day and (changes is None or day < changes)


@cache
def _rules_digest(protocol: str) -> str:
    """The rules a kept course was made by: those of the course, the cytopenia read from the counts, the
    protocol's windows, and the time zone that gives each assessment its day."""
    return rules_digest((endpoints, ctcae, counts, toxicity, core_patients), protocol,
                        f"{time.tzname} {time.timezone} {time.altzone}")
