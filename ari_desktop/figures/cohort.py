"""What the figures read from the store, in a few reads for the whole cohort, as known on the as-of date.

The denominator is every patient whose fraction 1 was recorded given by the as-of date, by the rule of
core/endpoints.not_infused; the others are counted apart. A result counts when its item was done by the
as-of date, a physician's response review when it was decided by then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from ..core.endpoints import infusion_timepoint, not_infused
from ..core.patients import Patient
from ..core.results import AssessedResponse, Measured, Result, course_on
from ..i18n import grouped, ngettext


@dataclass(frozen=True)
class Infused:
    patient_id: int  # row id
    patient: Patient
    fraction_1: date  # the day fraction 1 was given: day 0 of the figures

    @property
    def study_id(self) -> str:
        return self.patient.study_id


@dataclass(frozen=True)
class Cohort:
    as_of: date
    protocol: str  # the protocol's code, for the titles
    infused: tuple[Infused, ...]  # in the order fraction 1 was given
    not_infused: int
    results: dict[int, list[Result | Measured]]  # by patient row id, done by the as-of date

    def of(self, study_id: str) -> Infused | None:
        return next((p for p in self.infused if p.study_id == study_id), None)

    def results_of(self, patient: Infused) -> list[Result | Measured]:
        return self.results.get(patient.patient_id, [])

    @property
    def denominator(self) -> str:
        """The denominator in words, for a title."""
        return ngettext("{count} infused (fraction 1 given)", "{count} infused (fraction 1 given)",
                        len(self.infused)).format(count=grouped(len(self.infused)))


def read(store, as_of: date | None = None, activities: tuple[str, ...] = ()) -> Cohort:
    """The cohort as known on `as_of` (default today; a later date is refused, as the endpoints refuse it),
    with every patient's results of these `activities` (of core/results.COUNTED_RESULTS: what the endpoint
    tables keep of each patient, store.results.kept)."""
    as_of = store.toxicity.checked_as_of(as_of)
    timepoint = infusion_timepoint(store.protocol, "day0")
    infusions = store.toxicity.infusions()  # the one read of every infusion recording the tables use too
    infused, apart = [], 0
    for patient_id, patient in store.patients.with_ids():
        recording = infusions.get(patient_id, {}).get(timepoint)
        if not_infused(patient, patient.anchors.day0, recording, as_of) is None:
            infused.append(Infused(patient_id, patient, recording.done_at.astimezone().date()))
        else:
            apart += 1
    infused.sort(key=lambda p: (p.fraction_1, p.study_id))
    kept = store.results.kept() if activities else {}
    results = _known({patient_id: [m for m in course.measured if m.activity in activities]
                      for patient_id, course in kept.items()}, as_of)
    return Cohort(as_of, store.protocol.code, tuple(infused), apart, results)


def with_results(store, cohort: Cohort, patients: Iterable[Infused]) -> Cohort:
    """The cohort with the results of these patients only: a read each, for a figure that shows a few."""
    return replace(cohort, results=_known({p.patient_id: store.results.of(p.study_id) for p in patients},
                                          cohort.as_of))


def _known(by_patient: dict[int, list[Result | Measured]], as_of: date) -> dict[int, list[Result | Measured]]:
    return {patient_id: known for patient_id, rows in by_patient.items() if (known := [r for r in rows
                                                                                      if r.day <= as_of])}


def responses(store, cohort: Cohort, patients: Iterable[Infused]) -> dict[int, list[AssessedResponse]]:
    """These patients' response assessments known on the as-of date, by patient row id."""
    patients = list(patients)
    reviews = store.results.reviews_by_patient([p.patient_id for p in patients])  # a few of a large cohort
    return {p.patient_id: course_on(cohort.results_of(p), reviews.get(p.patient_id, []), cohort.as_of)
            for p in patients}
