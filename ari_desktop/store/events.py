"""Toxicity events graded by a physician, and the cytopenias read from the blood counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from ..core.counts import CytopeniaEpisode
from ..core.errors import ClinicalInputError
from ..core.text import NOTES_LIMIT, REASON_LIMIT, check_text
from ..core.toxicity import ToxicityEvent, check_cause_of_death, check_event
from ..i18n import N_, _
from .part import Part, of_patients

_EVENT_SELECT = ("e.id, e.kind, e.grade, e.grade_reason, e.onset_date, e.resolution_date, e.notes, e.recorded_by,"
                 " e.subtype")


class Events(Part):
    def add(self, study_id: str, kind: str, onset: date, *, grade: int | None = None,
            subtype: str | None = None, resolution: date | None = None, notes: str = "") -> ToxicityEvent:
        """Record an event graded by a physician: TLS, a cytopenia graded clinically, an infection,
        IEC-HS, hypogammaglobulinaemia, delayed neurotoxicity (with its presentation) or the cause
        of death (on the patient's date of death). Only the grades the event's term has are taken."""
        check_text(notes, N_("notes"), "notes", NOTES_LIMIT, lines=True)
        grade, reason = check_event(kind, grade, subtype, notes)
        today = self.store.today()
        with self.store.transaction():
            patient_id, patient = self.store.patients.require(study_id)
            if onset < patient.anchors.screening or onset > today:
                raise ClinicalInputError(_("The onset date {onset} must fall between screening ({screening}) and "
                                           "today.").format(onset=onset, screening=patient.anchors.screening), "onset")
            if resolution is not None and not onset <= resolution <= today:
                raise ClinicalInputError(
                    _("The resolution date {resolution} must fall between the onset ({onset}) and today.").format(
                        resolution=resolution, onset=onset), "resolution")
            if kind == "death":
                check_cause_of_death(patient.study_id, patient.anchors.death, onset, resolution,
                                     self.of(patient.study_id))
            row_id = self.store.write("toxicity_events", None, {
                "patient_id": patient_id, "kind": kind, "subtype": subtype, "grade": grade,
                "grade_reason": reason, "onset_date": onset.isoformat(),
                "resolution_date": resolution.isoformat() if resolution else None, "notes": notes.strip(),
                "recorded_by": self.store.user})
        return next(e for e in self.of(patient.study_id) if e.id == row_id)

    def resolve(self, study_id: str, event_id: int, resolution: date, reason: str | None = None,
                expected: ToxicityEvent | None = None) -> ToxicityEvent:
        """The day an event recorded by hand resolved (a correction of it needs a reason).

        `expected` is the event as the user saw it: if its resolution was changed since (another
        workstation resolved it), the change is refused with who changed it and when."""
        check_text(reason, N_("reason"), "reason", REASON_LIMIT)
        with self.store.transaction():
            event = next((e for e in self.of(study_id) if e.id == event_id and not e.from_counts), None)
            if event is None:
                raise ClinicalInputError(_("{study_id} has no toxicity event number {event_id}.").format(
                                             study_id=study_id, event_id=event_id), "event")
            if event.kind == "death":
                raise ClinicalInputError(_("A death has no resolution date."), "resolution")
            if not event.onset <= resolution <= self.store.today():
                raise ClinicalInputError(
                    _("The resolution date {resolution} must fall between the onset ({onset}) and today.").format(
                        resolution=resolution, onset=event.onset),
                    "resolution")
            if expected is not None and resolution != expected.resolution:
                self.store.changes.refuse_stale(
                    "toxicity_events", event_id, "resolution_date",
                    _("The resolution date of {label} (event {id}) of {study_id}").format(
                        label=event.label.lower(), id=event_id, study_id=study_id.strip()),
                    expected.resolution, event.resolution, "resolution")
            if event.resolution is not None and not (reason or "").strip():
                raise ClinicalInputError(_("This event is already resolved; a correction needs a reason."), "reason")
            self.store.write("toxicity_events", event_id, {"resolution_date": resolution.isoformat()}, reason,
                             correction=event.resolution is not None)
        return next(e for e in self.of(study_id) if e.id == event_id)

    def of(self, study_id: str) -> list[ToxicityEvent]:
        """The events recorded by hand and the cytopenias read from the blood counts, by onset.

        The cytopenias are computed from the series each time rather than stored: the counts are the
        record and an episode is their reading, so a late count that falls inside an episode, or
        splits it, changes the episode with no second copy to keep in step (and nothing to delete)."""
        patient_id = self.store.patients.require_id(study_id)
        rows = self.db.execute(f"SELECT {_EVENT_SELECT} FROM toxicity_events e WHERE e.patient_id = ?"
                               " ORDER BY e.onset_date, e.id", [patient_id])
        return _in_order([_event(row) for row in rows], self.store.counts.episodes(study_id))

    def by_patient(self, patient_ids: Sequence[int] | None = None) -> dict[str, list[ToxicityEvent]]:
        """Every patient's events (as `of` gives them), or these patients' only (row ids), by study ID, read in
        two queries (a few for a long list of patients)."""
        recorded: dict[str, list[ToxicityEvent]] = defaultdict(list)
        for where, params in of_patients(patient_ids, "e.patient_id"):
            for study_id, *row in self.db.execute(
                    f"SELECT p.study_id, {_EVENT_SELECT} FROM toxicity_events e JOIN patients p ON p.id = e.patient_id"
                    f" WHERE {where} ORDER BY e.onset_date, e.id", params):
                recorded[study_id].append(_event(row))
        episodes = self.store.counts.episodes_by_patient(patient_ids)
        return {study_id: _in_order(recorded.get(study_id, []), episodes.get(study_id, []))
                for study_id in recorded.keys() | episodes.keys()}


def _event(row) -> ToxicityEvent:
    i, k, g, r, o, res, n, by, sub = row
    return ToxicityEvent(i, k, g, r, date.fromisoformat(o), date.fromisoformat(res) if res else None, n, by, sub)


def _in_order(recorded: list[ToxicityEvent], episodes: list[CytopeniaEpisode]) -> list[ToxicityEvent]:
    counted = [ToxicityEvent(None, e.kind, e.worst.grade, e.reason, e.onset.day,
                             e.recovery.day if e.recovery else None, "", e.onset.recorded_by) for e in episodes]
    return sorted(recorded + counted, key=lambda e: (e.onset, e.from_counts, e.id or 0))
