"""Patients: registration, their dates (day 0, booster, off study, death) and corrections."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..core import schedule
from ..core.errors import ClinicalInputError, no_patient
from ..core.patients import Anchors, Patient, check_anchors, check_new_patient
from ..core.schedule import ScheduledItem
from ..core.text import REASON_LIMIT, check_text
from ..i18n import N_, _
from .part import Part

_ANCHOR_COLUMNS = {
    "screening": "screening_date", "day0": "day0_date", "booster": "booster_date",
    "off_study": "off_study_date", "off_study_reason": "off_study_reason", "death": "death_date",
    "extramedullary": "extramedullary",
}
_PATIENT_COLUMNS = ("study_id, initials, sex, birth_year, screening_date, day0_date, booster_date,"
                    " off_study_date, off_study_reason, death_date, extramedullary")
# The fields a correction names, in the clinic's words ("The birth year of ARI-014 was changed by ...").
_FIELD_WORDS = {"initials": N_("The initials"), "sex": N_("The sex"), "birth_year": N_("The birth year"),
                "extramedullary": N_("Extramedullary disease"), "day0": N_("Day 0"), "booster": N_("The booster date"),
                "off_study": N_("The off-study date"), "off_study_reason": N_("The off-study reason"),
                "death": N_("The date of death")}
_REMOVED = {"day0": N_("day 0"), "booster": N_("the booster date"), "off_study": N_("the off-study date"),
            "death": N_("the date of death")}


class Patients(Part):
    def add(self, patient: Patient) -> Patient:
        """Register a checked patient (patients.check_new_patient) and build the schedule."""
        with self.store.transaction():
            if self.id_of(patient.study_id) is not None:
                raise ClinicalInputError(
                    _("A patient with study ID {study_id} is already registered.").format(
                        study_id=patient.study_id), "study_id")
            values = {"study_id": patient.study_id, "initials": patient.initials, "sex": patient.sex,
                      "birth_year": patient.birth_year, "protocol": self.protocol.code,
                      **_anchor_values(patient.anchors)}
            patient_id = self.store.write("patients", None, values, "registered")
            self.store.schedules.rebuild(patient_id, patient.anchors)
        return patient

    def update_dates(self, study_id: str, reason: str | None = None, expected: Patient | None = None,
                     **changes) -> Patient:
        """Change dates (day0=..., booster=..., off_study=..., death=...); the schedule follows.

        Only the dates asked for are written, checked with the others as they are stored now (another
        workstation may have set a death while this one set a booster). `expected` is the patient as
        the user saw them (see `correct`): a date asked as it was seen is not a change, and a date
        changed by someone else since it was seen is refused with who changed it and when."""
        check_text(reason, N_("reason"), "reason", REASON_LIMIT)
        check_text(changes.get("off_study_reason"), N_("reason for going off study"), "off_study_reason", REASON_LIMIT)
        with self.store.transaction():
            patient_id, patient = self.require(study_id)
            if expected is not None:
                changes = self._seen_changes(patient_id, patient, expected, changes)
            anchors = replace(patient.anchors, **changes)
            check_anchors(anchors, self.protocol, self.store.today())
            changed = [k for k in changes if getattr(patient.anchors, k) != getattr(anchors, k)]
            if not changed:
                return patient
            removed = [k for k in changed if getattr(anchors, k) is None and k != "off_study_reason"]
            if removed and not (reason or "").strip():
                raise ClinicalInputError(_("Removing {what} is a correction: it needs a reason.").format(
                                             what=_(_REMOVED[removed[0]])),
                                         "reason")
            if reason is None and any(getattr(patient.anchors, k) is not None for k in changed):
                reason = "date moved"
            values = _anchor_values(anchors)
            self.store.write("patients", patient_id, {_ANCHOR_COLUMNS[k]: values[_ANCHOR_COLUMNS[k]] for k in changed},
                             reason)
            self.store.schedules.rebuild(patient_id, anchors)
        return replace(patient, anchors=anchors)

    def correct(self, study_id: str, reason: str, *, initials: str | None = None, sex: str | None = None,
                birth_year: int | None = None, extramedullary: bool | None = None,
                expected: Patient | None = None) -> Patient:
        """Correct what was typed at registration; the change log keeps the old values and the reason.
        Correcting extramedullary disease adds or removes the PET-CT scans.

        Only the fields given are written, checked with the others as they are stored now. `expected`
        is the patient as the window showed them when the correction was typed: a field given as it
        was seen is not a change, and a changed field whose stored value is no longer the one seen
        (another workstation corrected it since) is refused, with who changed it and when. The values
        seen are compared rather than a time the view was read at, so a correction of one field never
        blocks one of another; the command line reads fresh and passes nothing."""
        if not (check_text(reason, N_("reason"), "reason", REASON_LIMIT) or "").strip():
            raise ClinicalInputError(_("A correction needs a reason."), "reason")
        asked = {k: v for k, v in (("initials", initials), ("sex", sex), ("birth_year", birth_year),
                                   ("extramedullary", extramedullary)) if v is not None}
        with self.store.transaction():
            patient_id, patient = self.require(study_id)
            if expected is not None:
                asked = self._seen_changes(patient_id, patient, expected, asked)
            anchors = (patient.anchors if "extramedullary" not in asked
                       else replace(patient.anchors, extramedullary=asked["extramedullary"]))
            corrected = check_new_patient(
                patient.study_id, asked.get("initials", patient.initials), asked.get("sex", patient.sex),
                asked.get("birth_year", patient.birth_year), anchors, self.protocol, self.store.today())
            values = {"initials": corrected.initials, "sex": corrected.sex, "birth_year": corrected.birth_year,
                      "extramedullary": int(anchors.extramedullary)}
            if asked:
                self.store.write("patients", patient_id, {k: values[k] for k in asked}, reason.strip(), correction=True)
            if anchors != patient.anchors:
                self.store.schedules.rebuild(patient_id, anchors)
        return corrected

    def _seen_changes(self, patient_id: int, patient: Patient, seen: Patient, asked: dict) -> dict:
        """The fields the user changes (asked otherwise than seen), each checked unchanged since it was seen."""
        changes = {k: v for k, v in asked.items() if v != _value(seen, k)}
        for k in changes:
            self.store.changes.refuse_stale("patients", patient_id, _ANCHOR_COLUMNS.get(k, k),
                                            _("{field} of {study_id}").format(field=_(_FIELD_WORDS[k]),
                                                                              study_id=patient.study_id),
                                            _value(seen, k),
                                            _value(patient, k), k)
        return changes

    def preview_dates(self, study_id: str, **changes) -> list[tuple[ScheduledItem, date | None]]:
        """What a change of dates would move, before it is confirmed."""
        patient_id, patient = self.require(study_id)
        anchors = replace(patient.anchors, **changes)
        check_anchors(anchors, self.protocol, self.store.today())
        schedules = self.store.schedules
        held, recorded = schedules.held(patient_id), schedules.recorded(patient_id)
        return schedule.shifts(schedule.build(self.protocol, patient.anchors, held, recorded),
                               schedule.build(self.protocol, anchors, held, recorded), recorded)

    def get(self, study_id: str) -> Patient:
        return self.require(study_id)[1]

    def any(self) -> bool:
        """Whether any patient is registered (a first run starts with none)."""
        return self.db.execute("SELECT 1 FROM patients LIMIT 1").fetchone() is not None

    def all(self) -> list[Patient]:
        return [patient for _, patient in self.with_ids()]

    def with_ids(self) -> list[tuple[int, Patient]]:
        rows = self.db.execute(f"SELECT id, {_PATIENT_COLUMNS} FROM patients ORDER BY study_id")
        return [(row[0], _patient(row[1:])) for row in rows]

    def require(self, study_id: str) -> tuple[int, Patient]:
        """(row id, patient) of a registered study ID, or the one "there is no patient" sentence."""
        row = self.db.execute(f"SELECT id, {_PATIENT_COLUMNS} FROM patients WHERE study_id = ?",
                              [study_id.strip()]).fetchone()
        if row is None:
            raise no_patient(study_id)
        return row[0], _patient(row[1:])

    def id_of(self, study_id: str) -> int | None:
        row = self.db.execute("SELECT id FROM patients WHERE study_id = ?", [study_id.strip()]).fetchone()
        return row[0] if row else None

    def require_id(self, study_id: str) -> int:
        patient_id = self.id_of(study_id)
        if patient_id is None:
            raise no_patient(study_id)
        return patient_id


def _as_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _patient(row) -> Patient:
    study_id, initials, sex, birth_year, screening, day0, booster, off, off_reason, death, emd = row
    anchors = Anchors(screening=date.fromisoformat(screening), day0=_as_date(day0), booster=_as_date(booster),
                      off_study=_as_date(off), off_study_reason=off_reason, death=_as_date(death),
                      extramedullary=bool(emd))
    return Patient(study_id, initials, sex, birth_year, anchors)


def _value(patient: Patient, field: str):
    """A field of a patient by its name in `correct` or `update_dates` (initials, ..., day0, death)."""
    return getattr(patient.anchors if field in _ANCHOR_COLUMNS else patient, field)


def _anchor_values(anchors: Anchors) -> dict:
    values = {}
    for field, column in _ANCHOR_COLUMNS.items():
        value = getattr(anchors, field)
        values[column] = value.isoformat() if isinstance(value, date) else value
    values["extramedullary"] = int(anchors.extramedullary)
    return values
