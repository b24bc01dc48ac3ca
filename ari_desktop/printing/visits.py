"""Which items make up one visit of one patient: the chosen timepoint and everything held with it.

Timepoints a few days apart are one visit in the clinic (D+28 with month 1, D+100 with month 3):
the protocol gives them the same target date, so a visit is every item of the patient whose target
date is that of the chosen timepoint (cancelled ones left out), plus a fraction held on an earlier
day that may still be given. No reportlab here; the worksheet and the labels share it.

The schedule's items carry the protocol's English words; a visit in another language (and the
worklist, through core/schedule.item_label) looks its words up in the protocol file's translations.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property

from ..core.errors import ClinicalInputError
from ..core.patients import Patient
from ..core.protocol import Protocol, day_code
from ..core.schedule import CANCELLED, OPEN_STATUSES, ScheduleEntry, item_label, timepoint_label
from ..core.signatures import Signature


@dataclass(frozen=True)
class Visit:
    patient: Patient
    protocol: Protocol
    timepoint: str  # the code asked for
    target_date: date
    entries: tuple[ScheduleEntry, ...]  # in calendar order, cancelled items left out
    lang: str = "en"  # the language of its words (timepoint and item labels, tubes, laboratories)

    def in_language(self, lang: str) -> Visit:
        return replace(self, lang=lang)

    @cached_property
    def local_protocol(self) -> Protocol:
        """The protocol with its words in the visit's language (the same protocol in English)."""
        return self.protocol.in_language(self.lang)

    def label(self, entry: ScheduleEntry) -> str:
        """What the item is, in the visit's language."""
        return item_label(self.protocol, entry.item, self.lang)

    @property
    def on_the_day(self) -> tuple[ScheduleEntry, ...]:
        """The items whose target date is the visit's (not a held fraction carried over)."""
        return tuple(e for e in self.entries if e.item.target_date == self.target_date)

    @property
    def timepoints(self) -> tuple[tuple[str, str], ...]:
        """(code, label) of each timepoint held at this visit, in calendar order, in the visit's language."""
        seen: dict[str, str] = {}
        for entry in self.on_the_day:
            if entry.item.timepoint not in seen:
                seen[entry.item.timepoint] = timepoint_label(self.protocol, entry.item, self.lang)
        return tuple(seen.items())

    @property
    def title(self) -> str:
        """'Day +28 + Month 1 (with the D+28 visit)': the protocol's labels, joined."""
        return " + ".join(label for _, label in self.timepoints)

    @property
    def window(self) -> tuple[date, date]:
        items = [e.item for e in self.on_the_day]
        return min(i.window_start for i in items), max(i.window_end for i in items)

    @property
    def days(self) -> tuple[str, ...]:
        """The visit's day counted from day 0, and from the booster once it is given: ('D+128', 'B+7')."""
        anchors = self.patient.anchors
        days = []
        if anchors.day0 is not None:
            days.append(day_code("day0", (self.target_date - anchors.day0).days))
        if anchors.booster is not None and self.target_date >= anchors.booster:
            days.append(day_code("booster", (self.target_date - anchors.booster).days))
        return tuple(days)

    def has_activity(self, code: str) -> bool:
        return any(e.item.activity == code for e in self.entries)

    def of_kind(self, kind: str) -> tuple[ScheduleEntry, ...]:
        return tuple(e for e in self.entries if e.item.kind == kind)

    @property
    def samples(self) -> tuple[ScheduleEntry, ...]:
        return self.of_kind("sample")

    @property
    def is_response_visit(self) -> bool:
        """A month visit after the infusion, where the response (IMWG) is assessed."""
        return any(e.item.activity == "response" and e.item.anchor == "day0" and e.item.day > 0
                   for e in self.entries)


def find_visit(store, study_id: str, timepoint: str) -> Visit:
    """The visit of `study_id` at `timepoint`, or one sentence saying why there is none."""
    patient = store.patients.get(study_id)
    protocol = store.protocol
    codes = {t.code.upper(): t.code for t in protocol.timepoints}
    code = codes.get(timepoint.strip().upper())
    if code is None:
        raise ClinicalInputError(
            f"There is no timepoint '{timepoint}' in the {protocol.code} protocol.", "timepoint")
    schedule = store.schedules.of(patient.study_id, store.today())
    chosen = [e for e in schedule if e.item.timepoint == code]
    if not chosen:
        raise ClinicalInputError(f"The timepoint {code} is not on the schedule of {patient.study_id}.", "timepoint")
    if all(e.status == CANCELLED for e in chosen):
        raise ClinicalInputError(
            f"{chosen[0].item.timepoint_label} of {patient.study_id} is cancelled ({chosen[0].item.cancelled_reason}).",
            "timepoint")
    target = chosen[0].item.target_date
    entries = tuple(e for e in schedule if e.status != CANCELLED and (
        e.item.target_date == target or _held_until(e, target)))
    return Visit(patient, protocol, code, target, entries)


@dataclass(frozen=True)
class SignedRecord:
    """An assessment or a go/hold decision recorded for a visit, with its signatures as they stand."""

    table: str  # "assessments" or "fraction_decisions"
    at: datetime
    fields: dict  # the words of the record line: time, crs, icans (assessment); timepoint, decision (decision)
    signatures: tuple[tuple[Signature, str], ...]  # (signature, "valid" | "void"), oldest first


def signed_records(store, visit: Visit) -> tuple[SignedRecord, ...]:
    """The bedside assessments made on the visit's day and the go/hold decisions for its fractions, in
    time order, each with its signatures (store.signatures.of)."""
    study_id = visit.patient.study_id
    fractions = {e.item.timepoint for e in visit.entries if e.item.activity == "infusion"}
    records = [SignedRecord("assessments", a.at, {"time": f"{a.at.astimezone():%H:%M}", "crs": a.crs.grade,
                                                  "icans": a.icans.grade},
                            tuple(store.signatures.of("assessments", a.id)))
               for a in store.assessments.of(study_id) if a.at.astimezone().date() == visit.target_date]
    records += [SignedRecord("fraction_decisions", d.decided_at, {"timepoint": d.timepoint, "decision": d.decision},
                             tuple(store.signatures.of("fraction_decisions", d.id)))
                for d in store.fractions.of(study_id) if d.timepoint in fractions]
    return tuple(sorted(records, key=lambda r: r.at))


def _held_until(entry: ScheduleEntry, day: date) -> bool:
    """A fraction held on an earlier day that may still be given on `day` (it needs a new go / hold)."""
    item = entry.item
    return (getattr(item, "held", False) and entry.status in OPEN_STATUSES
            and item.target_date < day <= item.window_end)
