"""Results on the items that produced them, the physician's response reviews, and progression.

A result belongs to a scheduled item recorded done: its date is the item's. Typing a value into an
empty field adds it; changing a value already stored is a correction and needs a reason (the change
log keeps the old one). The checks are core/results.py's, the same for every front end.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

from ..core import response
from ..core import results as rules
from ..core.counts import GradedCount
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError
from ..core.recording import check_known
from ..core.results import (
    FIELDS,
    AssessedResponse,
    KeptCourse,
    Measured,
    ResponseReading,
    ResponseReview,
    Result,
    ReviewDecision,
)
from ..core.schedule import DONE, ScheduleEntry
from ..core.text import REASON_LIMIT, check_text
from ..i18n import N_, _
from .bulk import cohort_read
from .kept import Remembered, keep, rules_digest
from .part import Part, fewer, of_patients

_VALUE_COLUMNS = tuple(FIELDS)
COUNT_ACTIVITY = "cbc"  # its result is a blood count, kept with the others by store.counts
_RESULT_SELECT = (f"r.id, r.timepoint, r.activity, c.done_at, r.recorded_by, r.recorded_at, "
                  f"{', '.join('r.' + name for name in _VALUE_COLUMNS)}")
_FROM = (" FROM results r JOIN recordings c ON c.patient_id = r.patient_id AND c.timepoint = r.timepoint"
         " AND c.activity = r.activity")
_REVIEW_SELECT = "id, timepoint, proposed, criterion, category, reason, decided_by, decided_at"


@dataclass(frozen=True)
class Progression:
    progressed_on: date
    found_by: str  # one of core/results.PROGRESSION_FOUND_BY
    recorded_by: str


class Results(Part):
    def __init__(self, store) -> None:
        super().__init__(store)
        self._kept = Remembered()  # the response_readings rows read so far

    def record(self, study_id: str, timepoint: str, activity: str, values: Mapping[str, object],
               reason: str | None = None, expected: Mapping[str, object] | None = None) -> Result:
        """Save the values typed for one item (fields left out keep what they hold). A value that replaces
        another is a correction and needs `reason`. `expected` is the result as the user saw it: a field
        changed since by someone else is refused with who and when, not overwritten."""
        check_text(reason, N_("reason for the correction"), "reason", REASON_LIMIT)
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            label = self._done_item(patient_id, patient.study_id, timepoint, activity)[0]
            typed = rules.check_values(activity, label, values)
            row_id, stored = self._stored(patient_id, timepoint, activity)
            what = _("The {label} result of {study_id}").format(label=label, study_id=patient.study_id)
            for name in typed:
                if expected is not None:  # what the form showed, an empty field included
                    self.store.changes.refuse_stale("results", row_id, name, what, expected.get(name),
                                                    stored.get(name), name)
            replaced = {n: v for n, v in typed.items() if stored.get(n) is not None and stored[n] != v}
            if replaced and not (reason and reason.strip()):
                first = next(iter(replaced))
                raise ClinicalInputError(
                    _("The {label} of {study_id} at {timepoint} already reads {shown}: changing it is a correction "
                      "and needs its reason.").format(label=FIELDS[first].shown, study_id=patient.study_id,
                                                      timepoint=timepoint,
                                                      shown=rules.shown(FIELDS[first], stored[first])), "reason")
            rules.check_complete(activity, {**stored, **typed})
            stamp = {"recorded_by": self.store.user, "recorded_at": to_utc_text(self.store.now())}
            if row_id is None:
                if all(value is None for value in typed.values()):
                    raise ClinicalInputError(_("Type at least one value of the {label} result.").format(
                                                 label=label),
                                             next(iter(typed), "activity"))
                row_id = self.store.write("results", None, {"patient_id": patient_id, "timepoint": timepoint,
                                                            "activity": activity, **typed, **stamp})
            else:
                changed = {n: v for n, v in typed.items() if stored.get(n) != v}
                if changed:
                    self.store.write("results", row_id, {**changed, **stamp},
                                     reason.strip() if replaced else None, correction=bool(replaced))
        return self._result(row_id)

    def record_count(self, study_id: str, timepoint: str, **values: float | None) -> GradedCount:
        """The blood count of a cbc item recorded done, taken when the item was done (store.counts keeps it)."""
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            entry = self._done_item(patient_id, patient.study_id, timepoint, COUNT_ACTIVITY)[1]
            return self.store.counts.add(patient.study_id, entry.recording.done_at, **values)

    def _done_item(self, patient_id: int, study_id: str, timepoint: str, activity: str) -> tuple[str, ScheduleEntry]:
        """The item in words ("Soluble BCMA at D+7") and its schedule entry, once it is on the schedule and
        recorded done."""
        check_known(self.protocol, timepoint, activity)
        label = f"{self.protocol.activity(activity).label} at {timepoint}"
        entry = self.store.schedules.entries(study_id, patient_id, self.store.today(), [(timepoint, activity)])
        if not entry:
            raise ClinicalInputError(_("{label} is not on the schedule of {study_id}.").format(
                                         label=label, study_id=study_id), "timepoint")
        if entry[0].recording is None or entry[0].recording.outcome != DONE:
            raise ClinicalInputError(_("{label} of {study_id} is not recorded done: record it done (when the sample "
                                       "was taken) before its result.").format(label=label, study_id=study_id),
                                     "timepoint")
        return label, entry[0]

    def of(self, study_id: str) -> list[Result]:
        """A patient's results in the order they were taken."""
        return self._results("r.patient_id = ?", [self.store.patients.require_id(study_id)])

    def by_patient(self, activities: tuple[str, ...] = ()) -> dict[int, list[Result]]:
        """Every patient's results (of these `activities` only, when given) by row id of the patient, in the
        order taken: one read for a cohort."""
        cohort: dict[int, list[Result]] = defaultdict(list)
        where = f"r.activity IN ({', '.join('?' for _ in activities)})" if activities else "1 = 1"
        for patient_id, result in self._rows(where, list(activities)):
            cohort[patient_id].append(result)
        return dict(cohort)

    def stored(self, study_id: str, timepoint: str, activity: str) -> dict[str, float | str | None]:
        """The values stored for one item (empty when none), as a form shows them before editing."""
        return self._stored(self.store.patients.require_id(study_id), timepoint, activity)[1]

    # -- response ------------------------------------------------------------------------------

    def responses(self, study_id: str) -> list[AssessedResponse]:
        """Each response assessment after screening with its IMWG proposal and the physician's review."""
        patient_id = self.store.patients.require_id(study_id)
        return rules.response_course(self.of(study_id), self._reviews("patient_id = ?", [patient_id])[patient_id])

    @cohort_read()
    def reviews_by_patient(self, patient_ids: Sequence[int] | None = None) -> dict[int, list[ResponseReview]]:
        """Every patient's response reviews by row id of the patient, or these patients' only."""
        return {patient_id: reviews for where, params in of_patients(patient_ids)
                for patient_id, reviews in self._reviews(where, params).items()}

    def review(self, study_id: str, timepoint: str, category: str, reason: str | None = None,
               correction_reason: str | None = None) -> AssessedResponse:
        """The physician's category for the response assessment at `timepoint`: the proposal confirmed, or
        another with its `reason`. Reviewing again is a correction and needs `correction_reason`."""
        return self.review_many(study_id, [(timepoint, category, reason)], correction_reason)[0]

    def review_many(self, study_id: str, reviews: Sequence[tuple[str, str, str | None]],
                    correction_reason: str | None = None) -> list[AssessedResponse]:
        """Several assessments of one patient reviewed at once, (timepoint, category, reason) each, in one
        transaction: all are written or none. The course is read once: a review changes no proposal."""
        for *_reviewed, reason in reviews:
            check_text(reason, N_("reason for the override"), "reason", REASON_LIMIT)
        check_text(correction_reason, N_("reason for the correction"), "correction_reason", REASON_LIMIT)
        reviewed = []
        with self.store.transaction():
            patient_id = self.store.patients.require_id(study_id)
            course = {a.timepoint: a for a in self.responses(study_id)}
            for timepoint, category, reason in reviews:
                assessed = course.get(timepoint)
                if assessed is None:
                    raise ClinicalInputError(_("{study_id} has no response assessment at {timepoint} to review (it "
                                               "needs its response labs, and the screening ones).").format(
                                                 study_id=study_id, timepoint=timepoint), "timepoint")
                category = rules.check_review(assessed.proposed, category, reason)
                values = {"proposed": assessed.proposed, "criterion": assessed.proposal.proposed.criterion,
                          "category": category, "reason": reason.strip() if reason and reason.strip() else None,
                          "decided_by": self.store.user, "decided_at": to_utc_text(self.store.now())}
                if assessed.review is None:
                    row_id = self.store.write("response_reviews", None, {"patient_id": patient_id,
                                                                         "timepoint": timepoint, **values})
                else:
                    if not (correction_reason and correction_reason.strip()):
                        raise ClinicalInputError(
                            _("The response at {timepoint} of {study_id} was reviewed by {decided_by} as {category}: "
                              "reviewing it again is a correction and needs its reason.").format(
                                timepoint=timepoint, study_id=study_id, decided_by=assessed.review.decided_by,
                                category=assessed.review.category), "correction_reason")
                    row_id = assessed.review.id
                    self.store.write("response_reviews", row_id, values, correction_reason.strip(), correction=True)
                course[timepoint] = replace(assessed, review=self._reviews("id = ?", [row_id])[patient_id][0])
                reviewed.append(course[timepoint])
        return reviewed

    # -- progression ---------------------------------------------------------------------------

    def record_progression(self, study_id: str, progressed_on: date, found_by: str,
                           reason: str | None = None) -> Progression:
        """The first progression: its date and how it was found. Changing it is a correction with a reason."""
        found_by = rules.check_progression(found_by)
        check_text(reason, N_("reason for the correction"), "reason", REASON_LIMIT)
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            day0 = patient.anchors.day0
            if day0 is None or progressed_on < day0:
                said = (_("A progression of {study_id} is dated on or after day 0 ({day0}).") if day0
                        else _("A progression of {study_id} is dated on or after day 0, which is not set yet."))
                raise ClinicalInputError(said.format(study_id=patient.study_id, day0=day0), "progressed_on")
            if progressed_on > self.store.today():
                raise ClinicalInputError(_("The progression date {progressed_on} is in the future.").format(
                                             progressed_on=progressed_on), "progressed_on")
            row = self.db.execute("SELECT id, progressed_on, found_by FROM progressions WHERE patient_id = ?",
                                  [patient_id]).fetchone()
            values = {"progressed_on": progressed_on.isoformat(), "found_by": found_by,
                      "recorded_by": self.store.user, "recorded_at": to_utc_text(self.store.now())}
            if row is None:
                self.store.write("progressions", None, {"patient_id": patient_id, **values})
            elif (row[1], row[2]) != (values["progressed_on"], found_by):
                if not (reason and reason.strip()):
                    raise ClinicalInputError(_("{study_id} progressed on {progressed_on} ({found_by}) as recorded: "
                                               "changing it is a correction and needs its reason.").format(
                                                 study_id=patient.study_id, progressed_on=row[1], found_by=row[2]),
                                             "reason")
                self.store.write("progressions", row[0], values, reason.strip(), correction=True)
        return self.progression(study_id)

    def progression(self, study_id: str) -> Progression | None:
        return self.progressions().get(self.store.patients.require_id(study_id))

    def progressions(self) -> dict[int, Progression]:
        """Every recorded progression, by row id of the patient."""
        return {patient_id: Progression(date.fromisoformat(on), found_by, by) for patient_id, on, found_by, by in
                self.db.execute("SELECT patient_id, progressed_on, found_by, recorded_by FROM progressions")}

    # -- the response course kept between reads -------------------------------------------------

    @cohort_read()
    def kept(self) -> dict[int, KeptCourse]:
        """What the endpoint tables read of every patient's results, by row id of the patient (core/results
        .KeptCourse). Kept in response_readings (store/kept.py); a patient whose row was emptied by a write, or
        made by other rules, has it made again here."""
        rules_in_use = _rules_digest()
        kept, since = self._kept.current(self.db, rules_in_use)
        ids = [patient_id for (patient_id,) in self.db.execute("SELECT id FROM patients ORDER BY id")]
        unread = [patient_id for patient_id in ids if patient_id not in kept]
        missing = []
        for where, params in of_patients(fewer(unread, len(ids)), "p.id"):
            for patient_id, text in self.db.execute(
                    "SELECT p.id, r.readings FROM patients p LEFT JOIN response_readings r ON r.patient_id = p.id"
                    f" AND r.rules = ? WHERE {where}", [rules_in_use, *params]):
                if text is None:
                    missing.append(patient_id)
                else:
                    kept[patient_id] = _kept(text)
        if missing:
            results = (self.by_patient() if len(missing) > _READ_ONE_BY_ONE else
                       {patient_id: self._results("r.patient_id = ?", [patient_id]) for patient_id in missing})
            reviews = self.reviews_by_patient(missing)
            made = {patient_id: rules.kept_course(results.get(patient_id, []), reviews.get(patient_id, []))
                    for patient_id in missing}
            keep(self.store, "response_readings", {patient_id: {"rules": rules_in_use, "readings": _kept_text(course)}
                                                   for patient_id, course in made.items()}, since)
            kept.update(made)
        return {patient_id: kept[patient_id] for patient_id in ids}

    # -- reading -------------------------------------------------------------------------------

    def _stored(self, patient_id: int, timepoint: str, activity: str) -> tuple[int | None, dict]:
        row = self.db.execute(f"SELECT id, {', '.join(_VALUE_COLUMNS)} FROM results WHERE patient_id = ? "
                              "AND timepoint = ? AND activity = ?", [patient_id, timepoint, activity]).fetchone()
        if row is None:
            return None, {}
        return row[0], _measured(activity, row[1:])

    def _result(self, row_id: int) -> Result:
        return self._rows("r.id = ?", [row_id])[0][1]

    def _results(self, where: str, params: list) -> list[Result]:
        return [result for _, result in self._rows(where, params)]

    def _rows(self, where: str, params: list) -> list[tuple[int, Result]]:
        rows = self.db.execute(f"SELECT r.patient_id, {_RESULT_SELECT}{_FROM} WHERE {where} AND c.outcome = 'done'"
                               " AND c.withdrawn_at IS NULL ORDER BY r.patient_id, c.done_at, r.id", params)
        out = []
        for patient_id, row_id, timepoint, activity, done_at, by, at, *values in rows:
            out.append((patient_id, Result(row_id, timepoint, activity, from_utc_text(done_at),
                                           _measured(activity, values), by, from_utc_text(at))))
        return out

    def _reviews(self, where: str, params: list) -> dict[int, list[ResponseReview]]:
        reviews: dict[int, list[ResponseReview]] = defaultdict(list)
        for patient_id, row_id, timepoint, proposed, criterion, category, reason, by, at in self.db.execute(
                f"SELECT patient_id, {_REVIEW_SELECT} FROM response_reviews WHERE {where} ORDER BY id", params):
            reviews[patient_id].append(ResponseReview(row_id, timepoint, proposed, criterion, category, reason, by,
                                                      from_utc_text(at)))
        return reviews


# activity -> (position in the row, field name) of the values its result holds.
_POSITIONS = {activity: tuple((_VALUE_COLUMNS.index(f.name), f.name) for f in fields)
              for activity, fields in rules.ACTIVITY_FIELDS.items()}


def _measured(activity: str, values) -> dict[str, float | str]:
    """The values typed for an item of `activity`, by field name: an empty field is not there."""
    return {name: values[i] for i, name in _POSITIONS.get(activity, ()) if values[i] is not None}


_READ_ONE_BY_ONE = 50  # more patients to read again than this: the cohort's results in one query


@cache
def _rules_digest() -> str:
    """The rules in use (the source of core/response.py and core/results.py): what other rules kept is made
    again."""
    return rules_digest((response, rules))


def _kept_text(course: KeptCourse) -> str:
    return json.dumps({"readings": [[r.timepoint, r.day.isoformat(), r.known_on.isoformat(), r.confirmed]
                                    for r in course.readings],
                       "measured": [[m.timepoint, m.activity, m.day.isoformat(), m.values] for m in course.measured],
                       "decisions": [[d.timepoint, d.category, d.decided_on.isoformat()] for d in course.decisions]})


def _kept(text: str) -> KeptCourse:
    stored = json.loads(text)
    day = date.fromisoformat
    return KeptCourse(tuple(ResponseReading(timepoint, day(on), day(known_on), confirmed)
                            for timepoint, on, known_on, confirmed in stored["readings"]),
                      tuple(Measured(timepoint, activity, day(on), values)
                            for timepoint, activity, on, values in stored["measured"]),
                      tuple(ReviewDecision(timepoint, category, day(on))
                            for timepoint, category, on in stored["decisions"]))
