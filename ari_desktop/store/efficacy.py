"""The cohort's efficacy endpoint tables (the rules are core/efficacy.py), read in a few queries for the
whole cohort: patients, fraction 1 recordings, what the tables read of each patient's results as kept
between reads (store.results.kept: the response course, MRD, PET-CT, CAR-T, BCMA), reviews, progressions,
and each patient's toxicity course (store.toxicity.summaries, which the safety table counts from too)."""

from __future__ import annotations

from datetime import date
from functools import partial

from ..core import efficacy, endpoints
from ..core.results import KeptCourse, counted_course
from ..core.schedule import Recording
from .bulk import cohort_read
from .part import Part


class Efficacy(Part):
    @cohort_read()
    def tables(self, as_of: date | None = None) -> tuple[endpoints.SafetyEndpoints, efficacy.EfficacyEndpoints]:
        """The safety and the efficacy tables on one date, from one read of every patient's course: what
        `ari-desktop endpoints` prints and the Analysis view shows."""
        as_of = self.store.toxicity.checked_as_of(as_of)
        infusions = self.store.toxicity.infusions()
        summaries = self.store.toxicity.summaries(as_of)
        return self.store.toxicity.endpoints(as_of, summaries), self.endpoints(as_of, summaries, infusions)

    @cohort_read()
    def endpoints(self, as_of: date | None = None, summaries: dict[int, endpoints.ToxicitySummary] | None = None,
                  infusions: dict[int, dict[str, Recording]] | None = None) -> efficacy.EfficacyEndpoints:
        """The efficacy tables on `as_of` (default today; a future date is refused); from the toxicity
        `summaries` and the `infusions` when they were read already for that date."""
        from ..analysis.survival import kaplan_meier  # lifelines: only when the tables are computed

        as_of = self.store.toxicity.checked_as_of(as_of)
        infusions = self.store.toxicity.infusions() if infusions is None else infusions
        summaries = self.store.toxicity.summaries(as_of) if summaries is None else summaries
        return efficacy.efficacy_endpoints(self._courses(as_of, infusions, summaries), self.protocol, as_of,
                                           kaplan_meier)

    @cohort_read()
    def survival(self, as_of: date | None = None) -> efficacy.EfficacyEndpoints:
        """The survival rows alone (PFS and OS), counted as `endpoints` counts them: what the Kaplan-Meier
        figures draw, without reading the toxicity courses the other rows need."""
        from ..analysis.survival import kaplan_meier

        as_of = self.store.toxicity.checked_as_of(as_of)
        return efficacy.survival_endpoints(self._courses(as_of, self.store.toxicity.infusions(), {}), as_of,
                                           kaplan_meier)

    def _courses(self, as_of: date, infusions: dict[int, dict[str, Recording]],
                 summaries: dict[int, endpoints.ToxicitySummary]) -> list[efficacy.PatientCourse]:
        """Every patient's course on `as_of` (core/efficacy.patient_course), with their toxicity summary if given."""
        kept = self.store.results.kept()
        progressions = self.store.results.progressions()
        first = endpoints.infusion_timepoint(self.protocol, "day0")
        courses = []
        for patient_id, patient in self.store.patients.with_ids():
            progression = progressions.get(patient_id)
            course = kept.get(patient_id, KeptCourse())
            responses = counted_course(course, as_of, partial(self.store.results.of, patient.study_id))
            courses.append(efficacy.patient_course(
                patient, infusions.get(patient_id, {}).get(first), course.measured, responses,
                progression.progressed_on if progression else None, as_of, summaries.get(patient_id)))
        return courses
