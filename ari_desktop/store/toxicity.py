"""Bedside assessments, fraction go/hold decisions and toxicity events: the store's part.

A mixin of Store: same connection, same one write path with its change log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..core import endpoints, gate, grading
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError
from ..core.gate import FractionDecision
from ..core.schedule import DONE
from ..core.toxicity import (
    DEATH_GRADED_AS,
    Assessment,
    BedsideFindings,
    Treatments,
    check_event,
    event_label,
)

_FINDINGS = ("temperature_c", "fever_masked", "hypotension", "vasopressors", "vasopressin", "oxygen", "flow_l_min",
             "ice", "consciousness", "seizure", "motor_weakness", "edema")
_TREATMENTS = ("tocilizumab_mg", "dexamethasone_mg", "methylprednisolone_mg", "anakinra_mg")
_ASSESSMENT_SELECT = ("id, at, assessor, " + ", ".join(_FINDINGS) + ", ice_items, crs_grade, crs_reason, "
                      "icans_grade, icans_reason, " + ", ".join(_TREATMENTS) + ", notes")


@dataclass(frozen=True)
class ToxicityEvent:
    id: int | None  # None: a cytopenia read from the blood counts, not a row of its own
    kind: str
    grade: int
    grade_reason: str
    onset: date
    resolution: date | None
    notes: str
    recorded_by: str
    subtype: str | None = None  # delayed neurotoxicity's presentation, or a death's cause

    @property
    def label(self) -> str:
        return event_label(self.kind, self.subtype)

    @property
    def from_counts(self) -> bool:
        return self.id is None

    @property
    def term(self) -> str:
        """What the grade is a grade of: a death from CRS is CRS grade 5 ("crs"), any other event its kind."""
        return self.subtype if self.kind == "death" and self.subtype in DEATH_GRADED_AS else self.kind


@dataclass(frozen=True)
class Flag:
    """Something on the Today view a physician must see."""

    study_id: str
    kind: str  # "tox_not_recorded", "grade_2_or_more", "prolonged_cytopenia"
    text: str


class ToxicityRecords:
    """Methods of Store for the toxicity issue; they rely on Store's connection and write path."""

    # -- bedside assessments -----------------------------------------------------------------

    def assess(self, study_id: str, at: datetime, findings: BedsideFindings, treatments: Treatments | None = None,
               assessor: str | None = None, notes: str = "") -> Assessment:
        """Save a bedside assessment with its computed CRS and ICANS grades; it also marks that
        day's scheduled toxicity assessment done."""
        patient = self.patient(study_id)
        self._check_moment(patient, at, "assessment time")
        crs, icans = findings.crs(), findings.icans()
        treatments = treatments or Treatments()
        values = {"at": to_utc_text(at), "assessor": (assessor or self.user).strip(),
                  **_findings_values(findings), "crs_grade": crs.grade, "crs_reason": crs.reason,
                  "icans_grade": icans.grade, "icans_reason": icans.reason,
                  **{name: float(getattr(treatments, name)) for name in _TREATMENTS},
                  "notes": notes.strip(), "recorded_by": self.user, "recorded_at": to_utc_text(self.now())}
        with self.transaction():
            patient_id = self._patient_id(patient.study_id)
            row_id = self._write("assessments", None, {"patient_id": patient_id, **values})
            day_item = self.db.execute(
                "SELECT s.timepoint FROM scheduled_items s LEFT JOIN recordings r ON r.patient_id = s.patient_id"
                " AND r.timepoint = s.timepoint AND r.activity = s.activity WHERE s.patient_id = ?"
                " AND s.activity = 'tox' AND s.target_date = ? AND s.cancelled_reason IS NULL AND r.id IS NULL",
                [patient_id, at.astimezone().date().isoformat()]).fetchone()
            if day_item is not None:
                self._record_many(patient.study_id, [(day_item[0], "tox", at, None)], None, {},
                                  findings_saved=True)
        return self.assessment(row_id)

    def correct_assessment(self, assessment_id: int, findings: BedsideFindings, treatments: Treatments,
                           reason: str, notes: str | None = None) -> Assessment:
        """Correct the findings of a saved assessment; the grades are recomputed and the change log
        keeps the original."""
        if not reason.strip():
            raise ClinicalInputError("A correction needs a reason.", "reason")
        old = self.assessment(assessment_id)
        crs, icans = findings.crs(), findings.icans()
        values = {**_findings_values(findings), "crs_grade": crs.grade, "crs_reason": crs.reason,
                  "icans_grade": icans.grade, "icans_reason": icans.reason,
                  **{name: float(getattr(treatments, name)) for name in _TREATMENTS},
                  "notes": old.notes if notes is None else notes.strip()}
        with self.transaction():
            self._write("assessments", assessment_id, values, reason.strip())
        return self.assessment(assessment_id)

    def assessment(self, assessment_id: int) -> Assessment:
        row = self.db.execute(f"SELECT {_ASSESSMENT_SELECT} FROM assessments WHERE id = ?", [assessment_id]).fetchone()
        if row is None:
            raise ClinicalInputError(f"There is no assessment number {assessment_id}.", "assessment")
        return _assessment(row)

    def assessments(self, study_id: str) -> list[Assessment]:
        patient_id = self._require_patient_id(study_id)
        rows = self.db.execute(f"SELECT {_ASSESSMENT_SELECT} FROM assessments WHERE patient_id = ? ORDER BY at",
                               [patient_id])
        return [_assessment(row) for row in rows]

    def _latest_assessment(self, patient_id: int) -> Assessment | None:
        row = self.db.execute(f"SELECT {_ASSESSMENT_SELECT} FROM assessments WHERE patient_id = ?"
                              " ORDER BY at DESC LIMIT 1", [patient_id]).fetchone()
        return _assessment(row) if row else None

    def latest_grades(self) -> dict[str, Assessment]:
        """Each patient's most recent assessment, by study ID."""
        rows = self.db.execute(
            f"SELECT p.study_id, {', '.join('a.' + c.strip() for c in _ASSESSMENT_SELECT.split(','))}"
            " FROM assessments a JOIN patients p ON p.id = a.patient_id"
            " WHERE a.at = (SELECT max(at) FROM assessments b WHERE b.patient_id = a.patient_id)")
        return {row[0]: _assessment(row[1:]) for row in rows}

    # -- fraction go / hold ------------------------------------------------------------------

    def decide_fraction(self, study_id: str, timepoint: str, decision: str, reason: str, decided_by: str | None = None,
                        decided_at: datetime | None = None) -> FractionDecision:
        """Record a physician's go or hold before a fraction, with what they saw at the decision time:
        the latest assessment made up to then, its grades and age. A go against active toxicity is an
        override and needs a reason (gate.decision_refusal); a go with no reason stores none."""
        patient = self.patient(study_id)
        if timepoint not in self.protocol.go_decision_before:
            raise ClinicalInputError(
                f"No go/hold decision is taken at {timepoint}; it is taken before the fractions at "
                f"{' and '.join(self.protocol.go_decision_before)}.", "timepoint")
        if decision not in gate.DECISIONS:
            raise ClinicalInputError(f"The decision must be go or hold, not '{decision}'.", "decision")
        if patient.anchors.day0 is None:
            raise ClinicalInputError(f"{patient.study_id} has no day 0 yet.", "timepoint")
        decided_at = decided_at or self.now()
        self._check_moment(patient, decided_at, "decision time")
        if decided_at.astimezone().date() < patient.anchors.day0:
            raise ClinicalInputError(
                f"A go/hold for the fraction at {timepoint} is decided on or after day 0 ({patient.anchors.day0}).",
                "at")
        with self.transaction():
            patient_id = self._patient_id(patient.study_id)
            given = self._fractions_given(patient_id).get(timepoint)
            if given is not None:
                raise ClinicalInputError(
                    f"The fraction at {timepoint} was already given ({given:%Y-%m-%d %H:%M}); "
                    "a go or hold after it changes nothing.", "timepoint")
            seen = gate.seen_at(self.assessments(patient.study_id), decided_at, self.protocol)
            refusal = gate.decision_refusal(decision, reason, seen)
            if refusal is not None:
                raise ClinicalInputError(refusal, "reason")
            age = seen.age
            self._write("fraction_decisions", None, {
                "patient_id": patient_id, "timepoint": timepoint, "decision": decision,
                "reason": reason.strip() or None, "decided_by": (decided_by or self.user).strip(),
                "decided_at": to_utc_text(decided_at),
                "crs_grade_seen": seen.crs_grade, "icans_grade_seen": seen.icans_grade,
                "assessment_seen": seen.assessment_id,
                "assessment_age_minutes": None if age is None else int(age.total_seconds() // 60),
                "override": int(gate.is_override(decision, seen))})
            if decision == "hold":
                self._rebuild_schedule(patient_id, patient.anchors)
        return self.decisions(patient.study_id)[-1]

    def decisions(self, study_id: str) -> list[FractionDecision]:
        patient_id = self._require_patient_id(study_id)
        rows = self.db.execute(
            "SELECT timepoint, decision, reason, decided_by, decided_at, crs_grade_seen, icans_grade_seen,"
            " assessment_seen, assessment_age_minutes, override"
            " FROM fraction_decisions WHERE patient_id = ? ORDER BY decided_at, id", [patient_id])
        return [FractionDecision(t, d, r, by, from_utc_text(at), c, i, seen,
                                 None if age is None else timedelta(minutes=age),
                                 None if override is None else bool(override))
                for t, d, r, by, at, c, i, seen, age, override in rows]

    def latest_decision(self, study_id: str, timepoint: str, before: datetime | None = None) -> FractionDecision | None:
        """The last go or hold for the fraction at `timepoint`, taken no later than `before` if given."""
        return next((d for d in reversed(self.decisions(study_id))
                     if d.timepoint == timepoint and (before is None or d.decided_at <= before)), None)

    def seen(self, study_id: str, at: datetime | None = None) -> gate.Seen:
        """What a physician deciding at `at` (default now) sees: the latest assessment up to then."""
        return gate.seen_at(self.assessments(study_id), at or self.now(), self.protocol)

    def fraction_awaiting_decision(self, study_id: str, day: date) -> str | None:
        """The next fraction that waits for a go, as of `day`: not given yet, not cancelled, and no go
        that would clear it now (none, held, expired or voided). None when every fraction is given or
        has its go (or the patient has no day 0)."""
        entries = {e.item.timepoint: e for e in self.schedule(study_id, day) if e.item.activity == "infusion"}
        decisions, assessments = self.decisions(study_id), self.assessments(study_id)
        for timepoint in self.protocol.go_decision_before:
            entry = entries.get(timepoint)
            if entry is None or entry.status == DONE or entry.item.cancelled_reason:
                continue
            if gate.go_refusal(timepoint, self.now(), decisions, assessments, self.protocol) is not None:
                return timepoint
        return None

    def _fractions_given(self, patient_id: int) -> dict[str, datetime]:
        """Timepoint -> time given, of the aliquots of the first infusion recorded done."""
        rows = self.db.execute(
            "SELECT timepoint, done_at FROM recordings WHERE patient_id = ? AND activity = 'infusion'"
            " AND outcome = 'done'", [patient_id])
        fractions = gate.fraction_timepoints(self.protocol)
        return {timepoint: from_utc_text(at) for timepoint, at in rows if timepoint in fractions}

    # -- other toxicities --------------------------------------------------------------------

    def add_event(self, study_id: str, kind: str, onset: date, *, grade: int | None = None,
                  subtype: str | None = None, resolution: date | None = None, notes: str = "") -> ToxicityEvent:
        """Record an event graded by a physician: TLS, a cytopenia graded clinically, an infection,
        IEC-HS, hypogammaglobulinaemia, delayed neurotoxicity (with its presentation) or the cause
        of death (on the patient's date of death). Only the grades the event's term has are taken."""
        patient = self.patient(study_id)
        grade, reason = check_event(kind, grade, subtype, notes)
        if onset < patient.anchors.screening or onset > self.today():
            raise ClinicalInputError(
                f"The onset date {onset} must fall between screening ({patient.anchors.screening}) and today.", "onset")
        if resolution is not None and not onset <= resolution <= self.today():
            raise ClinicalInputError(
                f"The resolution date {resolution} must fall between the onset ({onset}) and today.", "resolution")
        if kind == "death":
            self._check_death(patient, onset, resolution)
        with self.transaction():
            row_id = self._write("toxicity_events", None, {
                "patient_id": self._patient_id(patient.study_id), "kind": kind, "subtype": subtype, "grade": grade,
                "grade_reason": reason, "onset_date": onset.isoformat(),
                "resolution_date": resolution.isoformat() if resolution else None, "notes": notes.strip(),
                "recorded_by": self.user})
        return next(e for e in self.events(patient.study_id) if e.id == row_id)

    def _check_death(self, patient, day: date, resolution: date | None) -> None:
        """A cause of death is recorded once, on the patient's date of death, and never resolves."""
        death = patient.anchors.death
        if death is None:
            raise ClinicalInputError(f"{patient.study_id} has no date of death recorded: record it first, "
                                     "then the cause of death on that date.", "onset")
        if day != death:
            raise ClinicalInputError(f"The date of death of {patient.study_id} is {death}, not {day}: the cause of "
                                     "death is recorded on that date.", "onset")
        if resolution is not None:
            raise ClinicalInputError("A death has no resolution date.", "resolution")
        recorded = next((e for e in self.events(patient.study_id) if e.kind == "death"), None)
        if recorded is not None:
            raise ClinicalInputError(f"The cause of death of {patient.study_id} is already recorded "
                                     f"(event {recorded.id}).", "kind")

    def resolve_event(self, study_id: str, event_id: int, resolution: date, reason: str | None = None) -> ToxicityEvent:
        event = next((e for e in self.events(study_id) if e.id == event_id and not e.from_counts), None)
        if event is None:
            raise ClinicalInputError(f"{study_id} has no toxicity event number {event_id}.", "event")
        if event.kind == "death":
            raise ClinicalInputError("A death has no resolution date.", "resolution")
        if not event.onset <= resolution <= self.today():
            raise ClinicalInputError(
                f"The resolution date {resolution} must fall between the onset ({event.onset}) and today.",
                "resolution")
        if event.resolution is not None and not (reason or "").strip():
            raise ClinicalInputError("This event is already resolved; a correction needs a reason.", "reason")
        with self.transaction():
            self._write("toxicity_events", event_id, {"resolution_date": resolution.isoformat()}, reason)
        return next(e for e in self.events(study_id) if e.id == event_id)

    def events(self, study_id: str) -> list[ToxicityEvent]:
        """The events recorded by hand and the cytopenias read from the blood counts, by onset.

        The cytopenias are computed from the series each time rather than stored: the counts are the
        record and an episode is their reading, so a late count that falls inside an episode, or
        splits it, changes the episode with no second copy to keep in step (and nothing to delete)."""
        patient_id = self._require_patient_id(study_id)
        rows = self.db.execute(
            "SELECT id, kind, grade, grade_reason, onset_date, resolution_date, notes, recorded_by, subtype"
            " FROM toxicity_events WHERE patient_id = ? ORDER BY onset_date, id", [patient_id])
        recorded = [ToxicityEvent(i, k, g, r, date.fromisoformat(o), date.fromisoformat(res) if res else None, n, by,
                                  sub) for i, k, g, r, o, res, n, by, sub in rows]
        counted = [ToxicityEvent(None, e.kind, e.worst.grade, e.reason, e.onset.day,
                                 e.recovery.day if e.recovery else None, "", e.onset.recorded_by)
                   for e in self.cytopenia_episodes(study_id)]
        return sorted(recorded + counted, key=lambda e: (e.onset, e.from_counts, e.id or 0))

    # -- summaries and flags -----------------------------------------------------------------

    def toxicity_summary(self, study_id: str, as_of: date | None = None) -> endpoints.ToxicitySummary:
        """The course after the first infusion and after a booster, as known on `as_of` (default
        today): status, CRS and ICANS within the window followed to their end, late episodes and
        events, prolonged cytopenia, treatment totals (core/endpoints.py)."""
        patient = self.patient(study_id)
        patient_id = self._patient_id(patient.study_id)
        as_of = self._as_of(as_of)
        wanted = [(endpoints.infusion_timepoint(self.protocol, anchor), "infusion") for anchor in ("day0", "booster")]
        infusions = {e.item.timepoint: e.recording for e in self._entries(patient.study_id, patient_id, as_of, wanted)
                     if e.recording is not None}
        return endpoints.toxicity_summary(patient, self.protocol, self.assessments(patient.study_id),
                                          self.events(patient.study_id), infusions, as_of)

    def safety_endpoints(self, as_of: date | None = None) -> endpoints.SafetyEndpoints:
        """CRS and ICANS within 30 days of the first infusion for every patient, on `as_of` (default today)."""
        as_of = self._as_of(as_of)
        return endpoints.safety_endpoints([self.toxicity_summary(p.study_id, as_of) for p in self.patients()],
                                          as_of, self.protocol.toxicity_days_after_infusion)

    def flags(self, day: date) -> list[Flag]:
        """Today's toxicity flags: assessment not recorded yet, grade 2 or more, prolonged cytopenia."""
        flags = [Flag(e.study_id, "tox_not_recorded", f"Toxicity assessment for {e.item.timepoint_label} not recorded")
                 for e in self.worklist(day, "assessment") if e.item.activity == "tox"]
        ended = {row[0] for row in self.db.execute(
            "SELECT study_id FROM patients WHERE off_study_date <= :day OR death_date <= :day",
            {"day": day.isoformat()})}
        for study_id, latest in sorted(self.latest_grades().items()):
            worst = max(latest.crs.grade, latest.icans.grade)
            if worst >= 2 and study_id not in ended:
                flags.append(Flag(study_id, "grade_2_or_more",
                                  f"Latest CRS grade {latest.crs.grade}, ICANS grade {latest.icans.grade} "
                                  f"({latest.at:%d %b %H:%M})"))
        after = self.protocol.prolonged_cytopenia_after_day
        for patient in self.patients():
            if patient.anchors.day0 is None or patient.study_id in ended:
                continue
            for event in self.events(patient.study_id):
                anchor, anchor_date = endpoints.course_of(patient.anchors, event.onset)
                if endpoints.prolonged_cytopenia_on(event, anchor_date, after, day):
                    flags.append(Flag(patient.study_id, "prolonged_cytopenia",
                                      f"Prolonged cytopenia: grade {event.grade} {event.kind} on "
                                      f"{anchor}+{(day - anchor_date).days}, past {anchor}+{after}"))
        return flags

    # -- shared checks -----------------------------------------------------------------------

    def _as_of(self, as_of: date | None) -> date:
        """The date an endpoint is counted on: today, or a day already past (a later one would claim
        follow-up that has not happened)."""
        if as_of is not None and as_of > self.today():
            raise ClinicalInputError(f"The as-of date {as_of} is in the future.", "as_of")
        return as_of or self.today()

    def _require_patient_id(self, study_id: str) -> int:
        patient_id = self._patient_id(study_id.strip())
        if patient_id is None:
            raise ClinicalInputError(f"There is no patient with study ID '{study_id}'.", "study_id")
        return patient_id

    def _check_moment(self, patient, moment: datetime, what: str) -> None:
        if moment > self.now() + timedelta(minutes=5):
            raise ClinicalInputError(f"The {what} ({moment:%Y-%m-%d %H:%M}) is in the future.", "at")
        if moment.astimezone().date() < patient.anchors.screening:
            raise ClinicalInputError(
                f"The {what} ({moment:%Y-%m-%d}) is before screening ({patient.anchors.screening}).", "at")


def _findings_values(findings: BedsideFindings) -> dict:
    values = {name: getattr(findings, name) for name in _FINDINGS}
    for name in ("fever_masked", "hypotension", "vasopressin", "motor_weakness"):
        values[name] = int(values[name])
    values["ice_items"] = json.dumps(dict(findings.ice_items)) if findings.ice_items else None
    return values


def _assessment(row) -> Assessment:
    row_id, at, assessor, *rest = row
    findings_row, rest = rest[:len(_FINDINGS)], rest[len(_FINDINGS):]
    ice_items, crs_grade, crs_reason, icans_grade, icans_reason, *rest = rest
    treatments_row, (notes,) = rest[:len(_TREATMENTS)], rest[len(_TREATMENTS):]
    findings = dict(zip(_FINDINGS, findings_row, strict=True))
    for name in ("fever_masked", "hypotension", "vasopressin", "motor_weakness"):
        findings[name] = bool(findings[name])
    items = tuple(sorted(json.loads(ice_items).items())) if ice_items else ()
    return Assessment(
        id=row_id, at=from_utc_text(at), assessor=assessor,
        findings=BedsideFindings(**findings, ice_items=items),
        treatments=Treatments(**dict(zip(_TREATMENTS, treatments_row, strict=True))),
        crs=grading.Grade(crs_grade, crs_reason), icans=grading.Grade(icans_grade, icans_reason), notes=notes)
