"""Blood counts and tumour-lysis lab sets: the store's part.

A mixin of Store: same connection, same one write path with its change log. Only what was measured
is stored; the grades, the cytopenia episodes and the Cairo-Bishop findings are read from it.
"""

from __future__ import annotations

from datetime import datetime

from ..core.counts import (
    BloodCount,
    CountLimits,
    CytopeniaEpisode,
    GradedCount,
    count_limits,
    cytopenia_episodes,
    grade_count,
)
from ..core.ctcae import LabSet, TlsFinding, TlsLabs, tls_finding
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError

_LAB_VALUES = ("uric_acid_umol_l", "potassium_mmol_l", "phosphate_mmol_l", "calcium_mmol_l")
_LAB_WORDS = {"uric_acid_umol_l": ("uric_acid", "uric acid (µmol/L)"), "potassium_mmol_l": ("potassium", "potassium"),
              "phosphate_mmol_l": ("phosphate", "phosphate"), "calcium_mmol_l": ("calcium", "calcium (mmol/L)")}


class CountRecords:
    """Methods of Store for blood counts and lab sets; they rely on Store's connection and write path."""

    # -- blood counts ------------------------------------------------------------------------

    def count_limits(self, study_id: str) -> CountLimits:
        """The lower limits of normal that grade this patient's counts (haemoglobin's by sex)."""
        return count_limits(self.protocol, self.patient(study_id).sex)

    def add_count(self, study_id: str, measured_at: datetime, *, neutrophils: float | None = None,
                  platelets: float | None = None, haemoglobin: float | None = None) -> GradedCount:
        """Save a blood count (at least one value), graded with the patient's lower limits of normal."""
        patient = self.patient(study_id)
        self._check_moment(patient, measured_at, "count time")
        count = BloodCount(measured_at, neutrophils, platelets, haemoglobin)
        grades = grade_count(count, self.count_limits(patient.study_id))  # refuses an implausible value
        patient_id = self._patient_id(patient.study_id)
        with self.transaction():
            self._refuse_second_at("blood_counts", patient_id, measured_at, "blood count")
            row_id = self._write("blood_counts", None, {
                "patient_id": patient_id, "measured_at": to_utc_text(measured_at), "neutrophils": neutrophils,
                "platelets": platelets, "haemoglobin": haemoglobin, "recorded_by": self.user,
                "recorded_at": to_utc_text(self.now())})
        return GradedCount(next(c for c in self._counts(patient_id) if c.id == row_id), grades)

    def counts(self, study_id: str) -> list[GradedCount]:
        """The patient's blood counts in time order, each with its CTCAE grades."""
        limits = self.count_limits(study_id)
        return [GradedCount(c, grade_count(c, limits)) for c in self._counts(self._require_patient_id(study_id))]

    def cytopenia_episodes(self, study_id: str) -> list[CytopeniaEpisode]:
        return cytopenia_episodes(self._counts(self._require_patient_id(study_id)), self.count_limits(study_id))

    def _counts(self, patient_id: int) -> list[BloodCount]:
        rows = self.db.execute(
            "SELECT id, measured_at, neutrophils, platelets, haemoglobin, recorded_by FROM blood_counts"
            " WHERE patient_id = ? ORDER BY measured_at", [patient_id])
        return [BloodCount(from_utc_text(at), n, p, h, row_id, by) for row_id, at, n, p, h, by in rows]

    # -- tumour-lysis lab sets -----------------------------------------------------------------

    def add_labs(self, study_id: str, measured_at: datetime, labs: TlsLabs, *, creatinine_x_uln: float | None = None,
                 arrhythmia: bool = False, seizure: bool = False, baseline: bool = False
                 ) -> tuple[LabSet, TlsFinding]:
        """Save a lab set (uric acid, potassium, phosphate, calcium; creatinine × ULN if measured) and
        the clinical findings, with its Cairo-Bishop reading against the patient's baseline."""
        patient = self.patient(study_id)
        self._check_moment(patient, measured_at, "lab time")
        for name in _LAB_VALUES:
            if getattr(labs, name) is None:
                field, words = _LAB_WORDS[name]
                raise ClinicalInputError(f"Give the {words}: a tumour-lysis set needs uric acid, potassium, "
                                         "phosphate and calcium.", field)
        patient_id = self._patient_id(patient.study_id)
        new = LabSet(measured_at, labs, creatinine_x_uln, arrhythmia, seizure, baseline)
        tls_finding(new, self._lab_sets(patient_id), None, None)  # refuses an implausible value
        with self.transaction():
            self._refuse_second_at("tls_labs", patient_id, measured_at, "lab set")
            row_id = self._write("tls_labs", None, {
                "patient_id": patient_id, "measured_at": to_utc_text(measured_at),
                **{name: getattr(labs, name) for name in _LAB_VALUES}, "creatinine_x_uln": creatinine_x_uln,
                "arrhythmia": int(arrhythmia), "seizure": int(seizure), "baseline": int(baseline),
                "recorded_by": self.user, "recorded_at": to_utc_text(self.now())})
        return next(pair for pair in self.lab_sets(patient.study_id) if pair[0].id == row_id)

    def lab_sets(self, study_id: str) -> list[tuple[LabSet, TlsFinding]]:
        """The patient's lab sets in time order, each with its Cairo-Bishop finding."""
        patient = self.patient(study_id)
        sets = self._lab_sets(self._patient_id(patient.study_id))
        return [(s, tls_finding(s, sets, patient.anchors.day0, patient.anchors.booster)) for s in sets]

    def _lab_sets(self, patient_id: int) -> list[LabSet]:
        rows = self.db.execute(
            f"SELECT id, measured_at, {', '.join(_LAB_VALUES)}, creatinine_x_uln, arrhythmia, seizure, baseline,"
            " recorded_by FROM tls_labs WHERE patient_id = ? ORDER BY measured_at", [patient_id])
        return [LabSet(from_utc_text(at), TlsLabs(u, k, p, ca), cr, bool(arr), bool(sz), bool(base), row_id, by)
                for row_id, at, u, k, p, ca, cr, arr, sz, base, by in rows]

    def _refuse_second_at(self, table: str, patient_id: int, measured_at: datetime, what: str) -> None:
        if self.db.execute(f"SELECT 1 FROM {table} WHERE patient_id = ? AND measured_at = ?",
                           [patient_id, to_utc_text(measured_at)]).fetchone():
            raise ClinicalInputError(
                f"A {what} of {measured_at.astimezone():%Y-%m-%d %H:%M} is already recorded for this patient.", "at")
