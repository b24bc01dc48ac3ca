"""Fractions: a physician's go or hold before fractions 2 and 3, with what was seen then.

The rules are the gate's (core/gate.py); this part reads what they need inside the transaction
of the decision and writes it through the change log."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ..core import gate
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError
from ..core.gate import FractionDecision
from ..core.patients import check_moment
from ..core.schedule import DONE
from ..core.text import REASON_LIMIT, check_text
from ..i18n import N_, _
from .part import Part


class Fractions(Part):
    def decide(self, study_id: str, timepoint: str, decision: str, reason: str,
               decided_at: datetime | None = None) -> FractionDecision:
        """Record the signed-in physician's go or hold before a fraction, with what they saw at the decision time:
        the latest assessment made up to then, its grades and age. A go against active toxicity is an
        override and needs a reason (gate.decision_refusal); a go with no reason stores none."""
        if timepoint not in self.protocol.go_decision_before:
            raise ClinicalInputError(
                _("No go/hold decision is taken at {timepoint}; it is taken before the fractions at "
                  "{fractions}.").format(timepoint=timepoint,
                                         fractions=_(" and ").join(self.protocol.go_decision_before)),
                "timepoint")
        check_text(reason, N_("reason"), "reason", REASON_LIMIT)
        if decision not in gate.DECISIONS:
            raise ClinicalInputError(_("The decision must be go or hold, not '{decision}'.").format(
                                         decision=decision), "decision")
        decided_at = decided_at or self.store.now()
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            if patient.anchors.day0 is None:
                raise ClinicalInputError(_("{study_id} has no day 0 yet.").format(study_id=patient.study_id),
                                         "timepoint")
            check_moment(patient, decided_at, N_("decision time"), self.store.now())
            if decided_at.astimezone().date() < patient.anchors.day0:
                raise ClinicalInputError(_("A go/hold for the fraction at {timepoint} is decided on or after day 0 "
                                           "({day0}).").format(timepoint=timepoint, day0=patient.anchors.day0), "at")
            given = self.given(patient_id).get(timepoint)
            if given is not None:
                raise ClinicalInputError(
                    _("The fraction at {timepoint} was already given ({given:%Y-%m-%d %H:%M}); a go or hold after it "
                      "changes nothing.").format(timepoint=timepoint, given=given), "timepoint")
            seen = gate.seen_at(self.store.assessments.of(patient.study_id), decided_at, self.protocol)
            refusal = gate.decision_refusal(decision, reason, seen)
            if refusal is not None:
                raise ClinicalInputError(refusal, "reason")
            age = seen.age
            self.store.write("fraction_decisions", None, {
                "patient_id": patient_id, "timepoint": timepoint, "decision": decision,
                "reason": reason.strip() or None, "decided_by": self.store.user,
                "decided_at": to_utc_text(decided_at),
                "crs_grade_seen": seen.crs_grade, "icans_grade_seen": seen.icans_grade,
                "assessment_seen": seen.assessment_id,
                "assessment_age_minutes": None if age is None else int(age.total_seconds() // 60),
                "override": int(gate.is_override(decision, seen))})
            if decision == "hold":
                self.store.schedules.rebuild(patient_id, patient.anchors)
        return self.of(patient.study_id)[-1]

    def of(self, study_id: str) -> list[FractionDecision]:
        """A patient's go / hold decisions in the order they were taken (then entered)."""
        patient_id = self.store.patients.require_id(study_id)
        rows = self.db.execute(
            "SELECT timepoint, decision, reason, decided_by, decided_at, crs_grade_seen, icans_grade_seen,"
            " assessment_seen, assessment_age_minutes, override, id"
            " FROM fraction_decisions WHERE patient_id = ? ORDER BY decided_at, id", [patient_id])
        return [FractionDecision(t, d, r, by, from_utc_text(at), c, i, seen,
                                 None if age is None else timedelta(minutes=age),
                                 None if override is None else bool(override), row_id)
                for t, d, r, by, at, c, i, seen, age, override, row_id in rows]

    def latest(self, study_id: str, timepoint: str, before: datetime | None = None) -> FractionDecision | None:
        """The last go or hold for the fraction at `timepoint`, taken no later than `before` if given."""
        return next((d for d in reversed(self.of(study_id))
                     if d.timepoint == timepoint and (before is None or d.decided_at <= before)), None)

    def seen(self, study_id: str, at: datetime | None = None) -> gate.Seen:
        """What a physician deciding at `at` (default now) sees: the latest assessment up to then."""
        return gate.seen_at(self.store.assessments.of(study_id), at or self.store.now(), self.protocol)

    def awaiting_decision(self, study_id: str, day: date) -> str | None:
        """The next fraction that waits for a go, as of `day`: not given yet, not cancelled, and no go
        that would clear it now (none, held, expired or voided). None when every fraction is given or
        has its go (or the patient has no day 0)."""
        entries = {e.item.timepoint: e for e in self.store.schedules.of(study_id, day)
                   if e.item.activity == "infusion"}
        decisions, assessments = self.of(study_id), self.store.assessments.of(study_id)
        for timepoint in self.protocol.go_decision_before:
            entry = entries.get(timepoint)
            if entry is None or entry.status == DONE or entry.item.cancelled_reason:
                continue
            if gate.go_refusal(timepoint, self.store.now(), decisions, assessments, self.protocol) is not None:
                return timepoint
        return None

    def given(self, patient_id: int) -> dict[str, datetime]:
        """Timepoint -> time given, of the aliquots of the first infusion recorded done."""
        rows = self.db.execute(
            "SELECT timepoint, done_at FROM recordings WHERE patient_id = ? AND activity = 'infusion'"
            " AND outcome = 'done' AND withdrawn_at IS NULL", [patient_id])
        fractions = gate.fraction_timepoints(self.protocol)
        return {timepoint: from_utc_text(at) for timepoint, at in rows if timepoint in fractions}
