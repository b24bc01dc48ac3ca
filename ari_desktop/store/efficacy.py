"""The cohort's efficacy endpoint tables (the rules are core/efficacy.py), read in a few queries for
the whole cohort: patients, fraction 1 recordings, results, reviews, progressions, and what the
toxicity course needs (assessments, events)."""

from __future__ import annotations

from datetime import date

from ..core import efficacy, endpoints
from ..core.dates import from_utc_text
from ..core.schedule import Recording
from .part import Part


class Efficacy(Part):
    def endpoints(self, as_of: date | None = None) -> efficacy.EfficacyEndpoints:
        """The efficacy tables on `as_of` (default today; a future date is refused)."""
        from ..analysis.survival import kaplan_meier  # lifelines: only when the tables are computed

        as_of = self.store.toxicity._as_of(as_of)
        infusions = self._infusions()
        results = self.store.results.by_patient()
        reviews = self.store.results.reviews_by_patient()
        progressions = self.store.results.progressions()
        assessments = self.store.assessments.by_patient()
        events = self.store.events.by_patient()
        courses = []
        for patient_id, patient in self.store.patients.with_ids():
            own = infusions.get(patient_id, {})
            toxicity = endpoints.toxicity_summary(patient, self.protocol, assessments.get(patient_id, []),
                                                  events.get(patient.study_id, []), own, as_of)
            progression = progressions.get(patient_id)
            courses.append(efficacy.patient_course(
                patient, own.get(endpoints.infusion_timepoint(self.protocol, "day0")), results.get(patient_id, []),
                reviews.get(patient_id, []), progression.progressed_on if progression else None, as_of, toxicity))
        return efficacy.efficacy_endpoints(courses, self.protocol, as_of, kaplan_meier)

    def _infusions(self) -> dict[int, dict[str, Recording]]:
        """The recordings of fraction 1 and of the booster, by row id of the patient, then timepoint."""
        wanted = [endpoints.infusion_timepoint(self.protocol, anchor) for anchor in ("day0", "booster")]
        rows = self.db.execute(
            "SELECT patient_id, timepoint, activity, outcome, done_at, reason, recorded_by, recorded_at,"
            " dose_million_cells_per_kg, weight_kg FROM recordings WHERE activity = 'infusion'"
            f" AND withdrawn_at IS NULL AND timepoint IN ({', '.join('?' for _ in wanted)})", wanted)
        found: dict[int, dict[str, Recording]] = {}
        for patient_id, timepoint, activity, outcome, done_at, reason, by, at, dose, weight in rows:
            found.setdefault(patient_id, {})[timepoint] = Recording(
                timepoint, activity, outcome, from_utc_text(done_at) if done_at else None, reason, by,
                from_utc_text(at), dose, weight)
        return found
