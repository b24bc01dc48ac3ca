"""Blood counts and tumour-lysis lab sets.

Only what was measured is stored; the grades, the cytopenia episodes and the Cairo-Bishop findings
are read from it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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
from ..core.patients import check_moment
from ..i18n import N_, _
from .part import Part, of_patients

_LAB_VALUES = ("uric_acid_umol_l", "potassium_mmol_l", "phosphate_mmol_l", "calcium_mmol_l")
_LAB_WORDS = {"uric_acid_umol_l": ("uric_acid", "uric acid (µmol/L)"), "potassium_mmol_l": ("potassium", "potassium"),
              "phosphate_mmol_l": ("phosphate", "phosphate"), "calcium_mmol_l": ("calcium", "calcium (mmol/L)")}


_COUNT_SELECT = "c.id, c.measured_at, c.neutrophils, c.platelets, c.haemoglobin, c.recorded_by"


class Counts(Part):
    """Blood counts as a series: neutrophils, platelets, haemoglobin, each graded when read."""

    def limits(self, study_id: str) -> CountLimits:
        """The lower limits of normal that grade this patient's counts (haemoglobin's by sex)."""
        return count_limits(self.protocol, self.store.patients.get(study_id).sex)

    def add(self, study_id: str, measured_at: datetime, *, neutrophils: float | None = None,
            platelets: float | None = None, haemoglobin: float | None = None) -> GradedCount:
        """Save a blood count (at least one value), graded with the patient's lower limits of normal."""
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            check_moment(patient, measured_at, N_("count time"), self.store.now())
            count = BloodCount(measured_at, neutrophils, platelets, haemoglobin)
            grades = grade_count(count, count_limits(self.protocol, patient.sex))  # refuses an implausible value
            _refuse_second_at(self.db, "blood_counts", patient_id, measured_at, _("blood count"))
            row_id = self.store.write("blood_counts", None, {
                "patient_id": patient_id, "measured_at": to_utc_text(measured_at), "neutrophils": neutrophils,
                "platelets": platelets, "haemoglobin": haemoglobin, "recorded_by": self.store.user,
                "recorded_at": to_utc_text(self.store.now())})
        return GradedCount(next(c for c in self._series(patient_id) if c.id == row_id), grades)

    def of(self, study_id: str) -> list[GradedCount]:
        """The patient's blood counts in time order, each with its CTCAE grades."""
        limits = self.limits(study_id)
        return [GradedCount(c, grade_count(c, limits)) for c in self._series(self.store.patients.require_id(study_id))]

    def episodes(self, study_id: str) -> list[CytopeniaEpisode]:
        return cytopenia_episodes(self._series(self.store.patients.require_id(study_id)), self.limits(study_id))

    def episodes_by_patient(self, patient_ids: Sequence[int] | None = None) -> dict[str, list[CytopeniaEpisode]]:
        """Every patient's cytopenia episodes (or these patients' only, by row id), by study ID, read in one
        query (a few for a long list of patients)."""
        series: dict[tuple[str, str], list[BloodCount]] = defaultdict(list)
        for where, params in of_patients(patient_ids, "c.patient_id"):
            for study_id, sex, row_id, at, n, p, h, by in self.db.execute(
                    f"SELECT p.study_id, p.sex, {_COUNT_SELECT} FROM blood_counts c JOIN patients p"
                    f" ON p.id = c.patient_id WHERE {where} ORDER BY c.measured_at", params):
                series[(study_id, sex)].append(BloodCount(from_utc_text(at), n, p, h, row_id, by))
        return {study_id: cytopenia_episodes(counts, count_limits(self.protocol, sex))
                for (study_id, sex), counts in series.items()}

    def _series(self, patient_id: int) -> list[BloodCount]:
        rows = self.db.execute(f"SELECT {_COUNT_SELECT} FROM blood_counts c WHERE c.patient_id = ?"
                               " ORDER BY c.measured_at", [patient_id])
        return [BloodCount(from_utc_text(at), n, p, h, row_id, by) for row_id, at, n, p, h, by in rows]


class Labs(Part):
    """Tumour-lysis lab sets, each read with Cairo-Bishop against the patient's baseline."""

    def add(self, study_id: str, measured_at: datetime, labs: TlsLabs, *, creatinine_x_uln: float | None = None,
            arrhythmia: bool = False, seizure: bool = False, baseline: bool = False) -> tuple[LabSet, TlsFinding]:
        """Save a lab set (uric acid, potassium, phosphate, calcium; creatinine × ULN if measured) and
        the clinical findings, with its Cairo-Bishop reading against the patient's baseline."""
        for name in _LAB_VALUES:
            if getattr(labs, name) is None:
                field, words = _LAB_WORDS[name]
                raise ClinicalInputError(_("Give the {words}: a tumour-lysis set needs uric acid, potassium, "
                                           "phosphate and calcium.").format(words=words), field)
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            check_moment(patient, measured_at, N_("lab time"), self.store.now())
            new = LabSet(measured_at, labs, creatinine_x_uln, arrhythmia, seizure, baseline)
            tls_finding(new, self._sets(patient_id), None, None)  # refuses an implausible value
            _refuse_second_at(self.db, "tls_labs", patient_id, measured_at, _("lab set"))
            row_id = self.store.write("tls_labs", None, {
                "patient_id": patient_id, "measured_at": to_utc_text(measured_at),
                **{name: getattr(labs, name) for name in _LAB_VALUES}, "creatinine_x_uln": creatinine_x_uln,
                "arrhythmia": int(arrhythmia), "seizure": int(seizure), "baseline": int(baseline),
                "recorded_by": self.store.user, "recorded_at": to_utc_text(self.store.now())})
        return next(pair for pair in self.of(patient.study_id) if pair[0].id == row_id)

    def of(self, study_id: str) -> list[tuple[LabSet, TlsFinding]]:
        """The patient's lab sets in time order, each with its Cairo-Bishop finding."""
        patient_id, patient = self.store.patients.require(study_id)
        sets = self._sets(patient_id)
        return [(s, tls_finding(s, sets, patient.anchors.day0, patient.anchors.booster)) for s in sets]

    def _sets(self, patient_id: int) -> list[LabSet]:
        rows = self.db.execute(
            f"SELECT id, measured_at, {', '.join(_LAB_VALUES)}, creatinine_x_uln, arrhythmia, seizure, baseline,"
            " recorded_by FROM tls_labs WHERE patient_id = ? ORDER BY measured_at", [patient_id])
        return [LabSet(from_utc_text(at), TlsLabs(u, k, p, ca), cr, bool(arr), bool(sz), bool(base), row_id, by)
                for row_id, at, u, k, p, ca, cr, arr, sz, base, by in rows]



def _refuse_second_at(db, table: str, patient_id: int, measured_at: datetime, what: str) -> None:
    if db.execute(f"SELECT 1 FROM {table} WHERE patient_id = ? AND measured_at = ?",
                  [patient_id, to_utc_text(measured_at)]).fetchone():
        raise ClinicalInputError(
            _("A {what} of {measured_at:%Y-%m-%d %H:%M} is already recorded for this patient.").format(
                what=what, measured_at=measured_at.astimezone()), "at")
