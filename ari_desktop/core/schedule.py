"""A patient's schedule: every scheduled item with its target date, window and status.

Pure functions over the protocol and the patient's anchor dates. Statuses are computed as of a
given date, so the same items answer "what is due today" and "what was due last Tuesday".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..i18n import N_, _, catalog, ngettext
from .patients import Anchors
from .protocol import Protocol

PLANNED, DUE, OVERDUE, MISSED = "planned", "due", "overdue", "missed"
DONE, NOT_DONE, CANCELLED = "done", "not_done", "cancelled"
STATUSES = (PLANNED, DUE, OVERDUE, MISSED, DONE, NOT_DONE, CANCELLED)
OPEN_STATUSES = (PLANNED, DUE, OVERDUE, MISSED)
# The statuses as they are said (the codes are stored, exported and printed as JSON).
STATUS_WORDS = {PLANNED: N_("planned"), DUE: N_("due"), OVERDUE: N_("overdue"), MISSED: N_("missed"),
                DONE: N_("done"), NOT_DONE: N_("not done"), CANCELLED: N_("cancelled")}


def shown_status(status: str) -> str:
    """A status in the language chosen."""
    return _(STATUS_WORDS[status])


@dataclass(frozen=True)
class ScheduledItem:
    timepoint: str
    activity: str
    kind: str
    label: str
    timepoint_label: str
    anchor: str
    day: int  # days from the anchor (D0, B0 or screening)
    target_date: date
    window_start: date
    window_end: date
    sequence: int  # calendar order within the patient's schedule
    cancelled_reason: str | None = None
    held: bool = False  # a fraction the physician held: it may be given late


@dataclass(frozen=True)
class Recording:
    """What was recorded for an item: done at a time, or not done with a reason."""

    timepoint: str
    activity: str
    outcome: str  # DONE or NOT_DONE
    done_at: datetime | None
    reason: str | None
    recorded_by: str
    recorded_at: datetime
    dose_million_cells_per_kg: float | None = None  # an infusion given: x10^6 CAR+ cells/kg
    weight_kg: float | None = None  # an infusion given: the patient's weight then


def build(protocol: Protocol, anchors: Anchors, held: frozenset[str] = frozenset(),
          recorded: frozenset[tuple[str, str]] = frozenset()) -> list[ScheduledItem]:
    """Every item the protocol schedules for a patient with these anchor dates, in calendar order.

    Items counted from day 0 or a booster appear once that date is known; conditional activities
    appear only for the patients they apply to; items still open on the day of going off study or
    death, and every later one, are cancelled.
    A fraction held at a timepoint in `held` may be given later: its window stays open for the
    protocol's maximum delay. A conditional item that no longer applies but was `recorded`
    ((timepoint, activity) pairs) stays, cancelled as not applicable, so what was done stays visible.
    """
    anchor_dates = {"screening": anchors.screening, "day0": anchors.day0, "booster": anchors.booster}
    end = anchors.end
    cells = []
    for timepoint in protocol.timepoints:
        anchor_date = anchor_dates[timepoint.anchor]
        if anchor_date is None:
            continue
        target = anchor_date + timedelta(days=timepoint.day)
        # What was recorded here stays on the schedule even if a new protocol file dropped it.
        dropped = [a for tp, a in sorted(recorded) if tp == timepoint.code and a not in timepoint.activities
                   and a in protocol.activity_codes]
        for code in (*timepoint.activities, *dropped):
            activity = protocol.activity(code)
            applies = code not in dropped and (activity.condition != "extramedullary" or anchors.extramedullary)
            if applies or (timepoint.code, code) in recorded:
                cells.append((target, len(cells), timepoint, activity, applies))
    cells.sort()  # by date; same-day items keep the protocol's order
    items = []
    for sequence, (target, _order, timepoint, activity, applies) in enumerate(cells):
        before, after = timepoint.window_for(activity.code)
        label = timepoint.note_for(activity.code) or activity.label
        is_held = activity.code == "infusion" and timepoint.code in held
        if is_held:
            after = max(after, protocol.held_fraction_max_delay_days)
            label = held_label(label, protocol)
        items.append(ScheduledItem(
            timepoint=timepoint.code,
            activity=activity.code,
            kind=activity.kind,
            label=label,
            timepoint_label=timepoint.label,
            anchor=timepoint.anchor,
            day=timepoint.day,
            target_date=target,
            window_start=target - timedelta(days=before),
            window_end=target + timedelta(days=after),
            sequence=sequence,
            cancelled_reason=_cancelled(end, target + timedelta(days=after), applies),
            held=is_held,
        ))
    return items


def _cancelled(end: tuple[date, str] | None, window_end: date, applies: bool) -> str | None:
    if not applies:
        return _("not applicable to this patient, or no longer in the protocol")
    # Open on or after the day the patient died or left the study: nobody will do it.
    return end[1] if end and window_end >= end[0] else None


def held_label(label: str, protocol: Protocol) -> str:
    days = protocol.held_fraction_max_delay_days
    return ngettext("{label}; held, may be given up to {days} day late",
                    "{label}; held, may be given up to {days} days late", days).format(label=label, days=days)


def status(item: ScheduledItem, as_of: date, recording: Recording | None = None) -> str:
    """The status of one item as of a date (CLINICAL.md, 'Status of a scheduled item')."""
    if recording is not None:
        return recording.outcome
    if item.cancelled_reason:
        return CANCELLED
    if as_of < item.window_start:
        return PLANNED
    if as_of <= item.target_date:
        return DUE
    if as_of <= item.window_end:
        return OVERDUE
    return MISSED


def done_in_window(item: ScheduledItem, recording: Recording | None) -> bool | None:
    """Whether a done item was done inside its window, judged by when it was done, not entered."""
    if recording is None or recording.outcome != DONE or recording.done_at is None:
        return None
    return item.window_start <= recording.done_at.astimezone().date() <= item.window_end


@dataclass(frozen=True)
class ScheduleEntry:
    """One line of a schedule or worklist: the item, for which patient, and where it stands."""

    study_id: str
    item: ScheduledItem
    status: str
    recording: Recording | None = None

    @property
    def in_window(self) -> bool | None:
        return done_in_window(self.item, self.recording)

    def as_json(self) -> dict:
        item, rec = self.item, self.recording
        return {
            "study_id": self.study_id,
            "timepoint": item.timepoint,
            "timepoint_label": item.timepoint_label,
            "activity": item.activity,
            "kind": item.kind,
            "label": item.label,
            "day": item.day,
            "target_date": item.target_date.isoformat(),
            "window_start": item.window_start.isoformat(),
            "window_end": item.window_end.isoformat(),
            "status": self.status,
            "done_at": rec.done_at.isoformat(timespec="minutes") if rec and rec.done_at else None,
            "done_in_window": self.in_window,
            "not_done_reason": rec.reason if rec and rec.outcome == NOT_DONE else None,
            "dose_million_cells_per_kg": rec.dose_million_cells_per_kg if rec else None,
            "weight_kg": rec.weight_kg if rec else None,
            "cancelled_reason": item.cancelled_reason if self.status == CANCELLED else None,
        }


def shifts(before: list[ScheduledItem], after: list[ScheduledItem],
           recorded: frozenset[tuple[str, str]] = frozenset()) -> list[tuple[ScheduledItem, date | None]]:
    """Items whose target date a change of anchor dates would move: (new item, old target or None).
    An item already `recorded` keeps its result (status() reads the recording first), so it is
    never listed as about to be cancelled."""
    old = {(i.timepoint, i.activity): i for i in before}
    moved = []
    for item in after:
        if item.cancelled_reason and (item.timepoint, item.activity) in recorded:
            continue
        previous = old.get((item.timepoint, item.activity))
        if previous is None or previous.target_date != item.target_date \
                or previous.cancelled_reason != item.cancelled_reason:
            moved.append((item, previous.target_date if previous else None))
    return moved


# -- the protocol file's words of an item, in a language ------------------------------------------


def item_label(protocol: Protocol, item: ScheduledItem, lang: str) -> str:
    """What `item` is, in `lang`: the timepoint's note for it or the activity's label, from the
    protocol file, with a held fraction's reminder. In English, the item's own label."""
    if lang == "en":
        return item.label
    local = protocol.in_language(lang)
    try:
        label = local.timepoint(item.timepoint).note_for(item.activity) or local.activity(item.activity).label
    except KeyError:  # not in this protocol file: keep the words the schedule has
        return item.label
    if item.held:
        label = catalog(lang).gettext(N_("{label}; held, may be given up to {days} days late")).format(
            label=label, days=protocol.held_fraction_max_delay_days)
    return label


def timepoint_label(protocol: Protocol, item: ScheduledItem, lang: str) -> str:
    """The label of `item`'s timepoint in `lang` ('Día +7'); in English, the item's own."""
    if lang == "en":
        return item.timepoint_label
    try:
        return protocol.in_language(lang).timepoint(item.timepoint).label
    except KeyError:
        return item.timepoint_label
