"""Bedside assessments: the findings, with the CRS and ICANS grades computed from them when saved."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from ..core import grading
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError
from ..core.patients import check_moment
from ..core.text import NOTES_LIMIT, REASON_LIMIT, check_text
from ..core.toxicity import Assessment, BedsideFindings, GradedAssessment, Treatments
from ..i18n import N_, _
from .part import Part, of_patients

_FINDINGS = ("temperature_c", "fever_masked", "hypotension", "vasopressors", "vasopressin", "oxygen", "flow_l_min",
             "ice", "consciousness", "seizure", "motor_weakness", "edema")
_FLAGS = ("fever_masked", "hypotension", "vasopressin", "motor_weakness")
_TREATMENTS = ("tocilizumab_mg", "dexamethasone_mg", "methylprednisolone_mg", "anakinra_mg")
# What a correction may change, in the clinic's words, with the field the form shows a sentence beside.
_CORRECTED = {
    "temperature_c": (N_("temperature"), "temperature"), "fever_masked": (N_("masked fever"), "temperature"),
    "hypotension": (N_("hypotension"), "vasopressors"), "vasopressors": (N_("vasopressors"), "vasopressors"),
    "vasopressin": (N_("vasopressin"), "vasopressors"), "oxygen": (N_("oxygen"), "oxygen"),
    "flow_l_min": (N_("oxygen flow"), "flow"), "ice": (N_("ICE score"), "ice"),
    "consciousness": (N_("consciousness"), "consciousness"), "seizure": (N_("seizure"), "seizure"),
    "motor_weakness": (N_("motor weakness"), "edema"), "edema": (N_("cerebral oedema"), "edema"),
    **{name: (f"{name.removesuffix('_mg')} dose", name.removesuffix("_mg")) for name in _TREATMENTS},
    "notes": (N_("note"), "notes"),
}
_ASSESSMENT_SELECT = ("id, at, assessor, " + ", ".join(_FINDINGS) + ", ice_items, crs_grade, crs_reason, "
                      "icans_grade, icans_reason, " + ", ".join(_TREATMENTS) + ", notes")


class Assessments(Part):
    def add(self, study_id: str, at: datetime, findings: BedsideFindings, treatments: Treatments | None = None,
            notes: str = "") -> Assessment:
        """Save a bedside assessment with its computed CRS and ICANS grades, assessed by the signed-in
        account; it also marks that day's scheduled toxicity assessment done."""
        check_text(notes, N_("notes"), "notes", NOTES_LIMIT, lines=True)
        crs, icans = findings.crs(), findings.icans()
        treatments = treatments or Treatments()
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            check_moment(patient, at, N_("assessment time"), self.store.now())
            row_id = self.store.write("assessments", None, {
                "patient_id": patient_id, "at": to_utc_text(at), "assessor": self.store.user,
                **_findings_values(findings, crs, icans, treatments), "notes": notes.strip(),
                "recorded_by": self.store.user, "recorded_at": to_utc_text(self.store.now())})
            self.store.recordings.assessment_saved(patient.study_id, patient_id, at)
        return self.get(row_id)

    def correct(self, assessment_id: int, findings: BedsideFindings, treatments: Treatments,
                reason: str, notes: str | None = None, expected: Assessment | None = None) -> Assessment:
        """Correct the findings of a saved assessment; the grades are recomputed and the change log
        keeps the original.

        `expected` is the assessment as the form showed it: then only what the user changed from it
        (a finding, a dose, the note) is written, onto the assessment as stored now, and the grades
        are recomputed from the whole; a value someone else changed since it was seen is refused,
        with who changed it and when."""
        check_text(notes, N_("notes"), "notes", NOTES_LIMIT, lines=True)
        if not check_text(reason, N_("reason"), "reason", REASON_LIMIT).strip():
            raise ClinicalInputError(_("A correction needs a reason."), "reason")
        with self.store.transaction():
            old = self.get(assessment_id)
            if expected is not None:
                findings, treatments, notes = self._seen_changes(old, expected, findings, treatments, notes)
            crs, icans = findings.crs(), findings.icans()
            self.store.write("assessments", assessment_id, {
                **_findings_values(findings, crs, icans, treatments),
                "notes": old.notes if notes is None else notes.strip()}, reason.strip(), correction=True)
        return self.get(assessment_id)

    def _seen_changes(self, now: Assessment, seen: Assessment, findings: BedsideFindings, treatments: Treatments,
                      notes: str | None) -> tuple[BedsideFindings, Treatments, str]:
        """The assessment as stored now with what the user changed from what they saw, each changed
        value checked unchanged since it was seen."""
        asked = _correctable(findings, treatments, seen.notes if notes is None else notes.strip())
        shown = _correctable(seen.findings, seen.treatments, seen.notes)
        stored = _correctable(now.findings, now.treatments, now.notes)
        changes = {name: value for name, value in asked.items() if value != shown[name]}
        study_id = self.db.execute("SELECT p.study_id FROM assessments a JOIN patients p ON p.id = a.patient_id"
                                   " WHERE a.id = ?", [now.id]).fetchone()[0]
        for name in changes:
            words, field = _CORRECTED[name]
            self.store.changes.refuse_stale(
                "assessments", now.id, name,
                _("The {what} of the assessment of {study_id} at {at:%Y-%m-%d %H:%M}").format(
                    what=_(words), study_id=study_id, at=now.at.astimezone()),
                shown[name], stored[name], field, _ice_text if name == "ice" else None)
        merged = {**stored, **changes}
        ice, ice_items = merged.pop("ice")
        findings = BedsideFindings(ice=ice, ice_items=ice_items,
                                   **{name: merged[name] for name in _FINDINGS if name != "ice"})
        return findings, Treatments(**{name: merged[name] for name in _TREATMENTS}), merged["notes"]

    def get(self, assessment_id: int) -> Assessment:
        row = self.db.execute(f"SELECT {_ASSESSMENT_SELECT} FROM assessments WHERE id = ?", [assessment_id]).fetchone()
        if row is None:
            raise ClinicalInputError(_("There is no assessment number {assessment_id}.").format(
                                         assessment_id=assessment_id), "assessment")
        return _assessment(row)

    def of(self, study_id: str) -> list[Assessment]:
        patient_id = self.store.patients.require_id(study_id)
        rows = self.db.execute(f"SELECT {_ASSESSMENT_SELECT} FROM assessments WHERE patient_id = ? ORDER BY at",
                               [patient_id])
        return [_assessment(row) for row in rows]

    def graded_by_patient(self, patient_ids: Sequence[int] | None = None) -> dict[int, list[GradedAssessment]]:
        """Every patient's assessments in order (or these patients' only), by row id of the patient, as the
        cohort's endpoint tables read them (time, grades, doses): a read of the columns they need."""
        cohort: dict[int, list[GradedAssessment]] = defaultdict(list)
        for where, params in of_patients(patient_ids):
            for patient_id, row_id, at, crs, crs_reason, icans, icans_reason, *doses in self.db.execute(
                    "SELECT patient_id, id, at, crs_grade, crs_reason, icans_grade, icans_reason, "
                    f"{', '.join(_TREATMENTS)} FROM assessments WHERE {where} ORDER BY patient_id, at", params):
                moment = from_utc_text(at)
                cohort[patient_id].append(GradedAssessment(row_id, moment, moment.date(), _treatments(*doses),
                                                           _grade(crs, crs_reason), _grade(icans, icans_reason)))
        return dict(cohort)

    def latest_grades(self, patient_ids: Sequence[int] | None = None) -> dict[str, Assessment]:
        """Each patient's most recent assessment (or these patients', by row id), by study ID."""
        latest = {}
        for where, params in of_patients(patient_ids, "p.id"):
            # One look up each patient's index of assessments (patient, time), not a scan of every assessment.
            for study_id, *row in self.db.execute(
                    f"SELECT p.study_id, {', '.join('a.' + c.strip() for c in _ASSESSMENT_SELECT.split(','))}"
                    " FROM patients p JOIN assessments a ON a.id = (SELECT b.id FROM assessments b"
                    f" WHERE b.patient_id = p.id ORDER BY b.at DESC, b.id DESC LIMIT 1) WHERE {where}", params):
                latest[study_id] = _assessment(row)
        return latest


def _correctable(findings: BedsideFindings, treatments: Treatments, notes: str) -> dict:
    """Each value a correction may change, by name; the ICE score goes with its items."""
    return {**{name: getattr(findings, name) for name in _FINDINGS if name != "ice"},
            "ice": (findings.ice, findings.ice_items), **{name: getattr(treatments, name) for name in _TREATMENTS},
            "notes": notes}


def _ice_text(ice: tuple) -> str:
    """An ICE score (with its items) as the form shows it."""
    return _("not performed") if ice[0] is None else f"{ice[0]}/10"


def _findings_values(findings: BedsideFindings, crs: grading.Grade, icans: grading.Grade,
                     treatments: Treatments) -> dict:
    values = {name: getattr(findings, name) for name in _FINDINGS}
    for name in _FLAGS:
        values[name] = int(values[name])
    values["ice_items"] = json.dumps(dict(findings.ice_items)) if findings.ice_items else None
    return {**values, "crs_grade": crs.grade, "crs_reason": crs.reason, "icans_grade": icans.grade,
            "icans_reason": icans.reason, **{name: float(getattr(treatments, name)) for name in _TREATMENTS}}


# The same doses and the same graded sentences recur over thousands of assessments: each is checked and
# built once per read of the cohort, not once per row.
_treatments = lru_cache(maxsize=4096)(Treatments)
_grade = lru_cache(maxsize=4096)(grading.Grade)


def _assessment(row) -> Assessment:
    row_id, at, assessor, *rest = row
    findings_row, rest = rest[:len(_FINDINGS)], rest[len(_FINDINGS):]
    ice_items, crs_grade, crs_reason, icans_grade, icans_reason, *rest = rest
    treatments_row, (notes,) = rest[:len(_TREATMENTS)], rest[len(_TREATMENTS):]
    findings = dict(zip(_FINDINGS, findings_row, strict=True))
    for name in _FLAGS:
        findings[name] = bool(findings[name])
    items = tuple(sorted(json.loads(ice_items).items())) if ice_items else ()
    return Assessment(
        id=row_id, at=from_utc_text(at), assessor=assessor,
        findings=BedsideFindings(**findings, ice_items=items),
        treatments=Treatments(**dict(zip(_TREATMENTS, treatments_row, strict=True))),
        crs=grading.Grade(crs_grade, crs_reason), icans=grading.Grade(icans_grade, icans_reason), notes=notes)
