"""Recordings: an item done (at a time) or not done (with a reason), an infusion with its dose.

What was recorded lives apart from the derived schedule, keyed by timepoint and activity, so it
stays when day 0 moves. Recording again is a correction: the change log keeps the old value."""

from __future__ import annotations

from datetime import datetime

from ..core import gate, schedule
from ..core.dates import to_utc_text
from ..core.errors import ClinicalInputError
from ..core.gate import DoseGiven
from ..core.patients import Patient
from ..core.recording import TOXICITY_ACTIVITY, UNDO_MINUTES, check_known, check_recording, check_withdrawal
from ..core.schedule import DONE, NOT_DONE, ScheduleEntry
from ..core.text import REASON_LIMIT, check_text
from ..i18n import N_, _
from .part import Part

Recording = tuple[str, str, datetime | None, str | None]  # (timepoint, activity, done_at, not_done_reason)


class Recordings(Part):
    def record(self, study_id: str, timepoint: str, activity: str, *, done_at: datetime | None = None,
               not_done_reason: str | None = None, correction_reason: str | None = None,
               dose: DoseGiven | None = None, expected: schedule.Recording | None = None) -> ScheduleEntry:
        """Record an item done (at a time) or not done (with a reason); an infusion given, with the
        dose given and the patient's weight. Recording again is a correction and needs a reason.

        `expected` is the recording the user saw when typing a correction: if it is no longer the one
        stored (another workstation corrected it since), the correction is refused with who changed
        it and when, rather than overwriting a value the user never saw. The command line reads fresh
        and passes nothing."""
        with self.store.transaction():  # what is said to be recorded is what this write recorded
            self._record(study_id, [(timepoint, activity, done_at, not_done_reason)], correction_reason,
                         {(timepoint, activity): dose} if dose else {}, findings_saved=False,
                         seen={(timepoint, activity): expected} if expected else {})
            patient_id = self.store.patients.require_id(study_id)
            return self.store.schedules.entries(study_id.strip(), patient_id, self.store.today(),
                                                [(timepoint, activity)])[0]

    def record_many(self, study_id: str, recordings: list[Recording], correction_reason: str | None = None,
                    doses: dict[tuple[str, str], DoseGiven] | None = None) -> None:
        """Record several items of one patient in one transaction: all are written or, if one is
        refused, none. `doses` gives the dose and weight of each infusion given, by (timepoint, activity)."""
        self._record(study_id, recordings, correction_reason, doses or {}, findings_saved=False)

    def withdraw(self, study_id: str, timepoint: str, activity: str, reason: str | None = None) -> ScheduleEntry:
        """Take back an item recorded done ("not collected after all"): it is open again, due,
        overdue or missed as its schedule says. Nothing is deleted: the recording is marked
        withdrawn and the change log keeps it and the withdrawal. Without a reason only by the one
        who recorded it, within recording.UNDO_MINUTES (core.recording.check_withdrawal)."""
        check_text(reason, N_("reason for withdrawing it"), "reason", REASON_LIMIT)
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            check_known(self.protocol, timepoint, activity)
            found = self.store.schedules.entries(patient.study_id, patient_id, self.store.today(),
                                                 [(timepoint, activity)])
            if not found:
                raise ClinicalInputError(_("{label} at {timepoint} is not on the schedule of {study_id}.").format(
                                             label=self.protocol.activity(activity).label, timepoint=timepoint,
                                             study_id=patient.study_id), "activity")
            now = self.store.now()
            check_withdrawal(found[0], self.store.user, now, reason)
            given = bool(reason and reason.strip())  # past the undo: a correction of what was recorded
            reason = reason.strip() if given else (
                f"undone by the one who recorded it, within {UNDO_MINUTES} minutes")
            self.store.write("recordings", self._row_id(patient_id, timepoint, activity),
                             {"withdrawn_at": to_utc_text(now)}, reason, correction=given)
            return self.store.schedules.entries(patient.study_id, patient_id, self.store.today(),
                                                [(timepoint, activity)])[0]

    def assessment_saved(self, study_id: str, patient_id: int, at: datetime) -> None:
        """A bedside assessment with its findings was saved at `at`: that day's CRS/ICANS item, if
        still open, is done (the only way it can be)."""
        day_item = self.db.execute(
            "SELECT s.timepoint FROM scheduled_items s LEFT JOIN recordings r ON r.patient_id = s.patient_id"
            " AND r.timepoint = s.timepoint AND r.activity = s.activity AND r.withdrawn_at IS NULL"
            " WHERE s.patient_id = ?"
            " AND s.activity = ? AND s.target_date = ? AND s.cancelled_reason IS NULL AND r.id IS NULL",
            [patient_id, TOXICITY_ACTIVITY, at.astimezone().date().isoformat()]).fetchone()
        if day_item is not None:
            self._record(study_id, [(day_item[0], TOXICITY_ACTIVITY, at, None)], None, {}, findings_saved=True)

    def _record(self, study_id: str, recordings: list[Recording], correction_reason: str | None,
                doses: dict[tuple[str, str], DoseGiven], findings_saved: bool,
                seen: dict[tuple[str, str], schedule.Recording] | None = None) -> None:
        check_text(correction_reason, N_("reason for the correction"), "correction_reason", REASON_LIMIT)
        for *_recorded, not_done_reason in recordings:
            check_text(not_done_reason, N_("reason it was not done"), "not_done_reason", REASON_LIMIT)
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            wanted = [(timepoint, activity) for timepoint, activity, _, _ in recordings]
            entries = {(e.item.timepoint, e.item.activity): e
                       for e in self.store.schedules.entries(patient.study_id, patient_id, self.store.today(), wanted)}
            for timepoint, activity, done_at, not_done_reason in recordings:
                entry = entries.get((timepoint, activity))
                check_recording(self.protocol, patient, timepoint, activity, entry, done_at, not_done_reason,
                                correction_reason, self.store.now(), findings_saved)
                values = {"outcome": DONE if done_at else NOT_DONE,
                          "done_at": to_utc_text(done_at) if done_at else None,
                          "reason": not_done_reason.strip() if not_done_reason else None,
                          "recorded_by": self.store.user, "recorded_at": to_utc_text(self.store.now()),
                          **self._infusion_values(patient, patient_id, timepoint, activity, done_at,
                                                  doses.get((timepoint, activity)))}
                if (timepoint, activity) in (seen or {}):
                    self.store.changes.refuse_stale(
                        "recordings", self._row_id(patient_id, timepoint, activity), None,
                        _("{label} at {timepoint} of {study_id}").format(label=entry.item.label, timepoint=timepoint,
                                                                         study_id=patient.study_id),
                        _outcome(seen[(timepoint, activity)]), _outcome(entry.recording), "done_at", _outcome_text)
                row_id = self._row_id(patient_id, timepoint, activity)
                if row_id is None:
                    self.store.write("recordings", None,
                                     {"patient_id": patient_id, "timepoint": timepoint, "activity": activity, **values})
                elif entry.recording is None:  # recorded again after a withdrawal: the log keeps both
                    self.store.write("recordings", row_id, {**values, "withdrawn_at": None}, correction_reason)
                else:
                    self.store.write("recordings", row_id, values, correction_reason.strip(), correction=True)

    def _row_id(self, patient_id: int, timepoint: str, activity: str) -> int | None:
        row = self.db.execute("SELECT id FROM recordings WHERE patient_id = ? AND timepoint = ? AND activity = ?",
                              [patient_id, timepoint, activity]).fetchone()
        return row[0] if row else None

    def _infusion_values(self, patient: Patient, patient_id: int, timepoint: str, activity: str,
                         done_at: datetime | None, dose: DoseGiven | None) -> dict:
        """The dose and weight of an infusion given, once the go / hold gate (gate.fraction_refusal)
        allows it at that time; or the sentence that says why it is refused."""
        if activity != "infusion" or done_at is None:
            if dose is not None:
                raise ClinicalInputError(_("A dose and weight are recorded only with an infusion given."), "dose")
            return {"dose_million_cells_per_kg": None, "weight_kg": None}
        if dose is None:
            raise ClinicalInputError(
                _("The infusion at {timepoint} is recorded given with the dose given (x10^6 CAR+ cells/kg) and the "
                  "patient's weight (kg).").format(timepoint=timepoint), "dose")
        fractions = self.store.fractions
        given = {tp: at for tp, at in fractions.given(patient_id).items() if tp != timepoint}
        refusal = gate.fraction_refusal(timepoint, done_at, fractions.of(patient.study_id),
                                        self.store.assessments.of(patient.study_id), given, self.protocol)
        if refusal is not None:
            raise ClinicalInputError(refusal, "done_at")
        return {"dose_million_cells_per_kg": dose.million_cells_per_kg, "weight_kg": dose.weight_kg}


def _outcome(recording: schedule.Recording | None) -> tuple | None:
    """What a recording says (not who entered it or when), to tell whether it changed since it was seen."""
    if recording is None:
        return None
    return (recording.outcome, recording.done_at, recording.reason, recording.dose_million_cells_per_kg,
            recording.weight_kg)


def _outcome_text(outcome: tuple | None) -> str:
    if outcome is None:
        return _("nothing recorded")
    what, done_at, reason, dose, weight = outcome
    if what != DONE:
        return _("not done: {reason}").format(reason=reason)
    if dose is not None:
        return _("done {done_at:%Y-%m-%d %H:%M}, {dose:g} x10^6 CAR+ cells/kg at {weight:g} kg").format(
            done_at=done_at.astimezone(), dose=dose, weight=weight)
    return _("done {done_at:%Y-%m-%d %H:%M}").format(done_at=done_at.astimezone())
