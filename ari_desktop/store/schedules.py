"""Schedules: each patient's scheduled items (derived rows, rebuilt when dates change) joined with
what was recorded, and the day's worklist across all patients."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cached_property

from ..core import schedule
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError
from ..core.patients import Anchors, check_study_id
from ..core.protocol import KINDS
from ..core.schedule import Recording, ScheduledItem, ScheduleEntry
from ..i18n import _
from .part import Part

_ITEM_COLUMNS = ("timepoint", "activity", "kind", "anchor", "day", "target_date", "window_start", "window_end",
                 "sequence", "cancelled_reason", "held")
_ITEM_SELECT = ", ".join(f"s.{c}" for c in _ITEM_COLUMNS)
_RECORDING_SELECT = ("r.outcome, r.done_at, r.reason, r.recorded_by, r.recorded_at, r.dose_million_cells_per_kg,"
                     " r.weight_kg")


class Schedules(Part):
    def of(self, study_id: str, as_of: date) -> list[ScheduleEntry]:
        """A patient's whole calendar with the status of every item as of a date."""
        study_id = check_study_id(study_id)
        return self.entries(study_id, self.store.patients.require_id(study_id), as_of)

    def entries(self, study_id: str, patient_id: int, as_of: date,
                only: list[tuple[str, str]] | None = None) -> list[ScheduleEntry]:
        """A patient's schedule entries; `only` these (timepoint, activity) pairs when given."""
        sql = (f"SELECT ?, {_ITEM_SELECT}, {_RECORDING_SELECT} FROM scheduled_items s"
               " LEFT JOIN recordings r ON r.patient_id = s.patient_id"
               "  AND r.timepoint = s.timepoint AND r.activity = s.activity AND r.withdrawn_at IS NULL"
               " WHERE s.patient_id = ?")
        params: list = [study_id, patient_id]
        if only is not None:
            if not only:
                return []
            sql += f" AND (s.timepoint, s.activity) IN (VALUES {', '.join('(?, ?)' for _ in only)})"
            params += [value for pair in only for value in pair]
        return [self._entry(row, as_of) for row in self.db.execute(sql + " ORDER BY s.sequence", params)]

    def worklist(self, day: date, kind: str = "all", done_that_day: bool = False) -> list[ScheduleEntry]:
        """Every open item whose window holds the day, across all patients, by patient; with
        `done_that_day`, also those recorded done on that day (the nurse sees what she collected)."""
        return [self._entry(row, day) for row in self.worklist_rows(day, kind, done_that_day)]

    def worklist_rows(self, day: date, kind: str = "all", done_that_day: bool = False) -> list[tuple]:
        """The worklist's rows as they come from SQLite (the benchmark times this bare query)."""
        if kind != "all" and kind not in KINDS:
            raise ClinicalInputError(
                _("The kind '{kind}' is not one of {allowed} or all.").format(kind=kind, allowed=", ".join(KINDS)),
                "kind")
        # A window of L days holds `day` exactly when it starts between day - L and day.
        where, params = self._windows_starting(lambda days: (day - timedelta(days=days), day))
        if kind != "all":
            where += " AND s.kind = ?"
            params.append(kind)
        return self._open_rows(where, params, day if done_that_day else None)

    def missed(self, day: date, days_back: int = 7, kind: str = "all") -> list[ScheduleEntry]:
        """Items whose window closed in the `days_back` days before `day` with nothing recorded:
        protocol deviations that need a reason."""
        since = day - timedelta(days=days_back)
        # A window of L days closes between `since` and the day before when it starts L days earlier.
        where, params = self._windows_starting(
            lambda days: (since - timedelta(days=days), day - timedelta(days=days + 1)))
        if kind != "all":
            where += " AND s.kind = ?"
            params.append(kind)
        return [self._entry(row, day) for row in self._open_rows(where, params)]

    def rebuild(self, patient_id: int, anchors: Anchors, emptied: bool = False) -> None:
        """Replace the derived schedule rows (`emptied`: they were all deleted already); recordings
        are kept, keyed by timepoint and activity."""
        if not emptied:
            self.db.execute("DELETE FROM scheduled_items WHERE patient_id = ?", [patient_id])
        self.db.executemany(
            f"INSERT INTO scheduled_items (patient_id, window_days, {', '.join(_ITEM_COLUMNS)})"
            f" VALUES (?, ?, {', '.join('?' for _ in _ITEM_COLUMNS)})",
            [(patient_id, (item.window_end - item.window_start).days, *_item_values(item))
             for item in schedule.build(self.protocol, anchors, self.held(patient_id), self.recorded(patient_id))])

    def recorded(self, patient_id: int) -> frozenset[tuple[str, str]]:
        """(timepoint, activity) of everything recorded for the patient."""
        return frozenset(self.db.execute(
            "SELECT timepoint, activity FROM recordings WHERE patient_id = ? AND withdrawn_at IS NULL",
            [patient_id]).fetchall())

    def held(self, patient_id: int) -> frozenset[str]:
        """Timepoints whose fraction a physician held."""
        return frozenset(row[0] for row in self.db.execute(
            "SELECT DISTINCT timepoint FROM fraction_decisions WHERE patient_id = ? AND decision = 'hold'",
            [patient_id]))

    def _windows_starting(self, start_range) -> tuple[str, list]:
        """A WHERE clause of one exact index range per window length: start_range(days) -> (first, last)."""
        clauses, params = [], []
        for days in sorted(self.protocol.window_lengths):
            first, last = start_range(days)
            clauses.append("(s.window_days = ? AND s.window_start BETWEEN ? AND ?)")
            params += [days, first.isoformat(), last.isoformat()]
        return f"({' OR '.join(clauses)})", params

    def _open_rows(self, where: str, params: list, done_on: date | None = None) -> list[tuple]:
        """Items matching `where` that are neither recorded nor cancelled, by patient; and those
        recorded done on the local day `done_on` when given."""
        recorded = "r.id IS NULL"
        if done_on is not None:
            start, end = (datetime.combine(d, time()).astimezone() for d in (done_on, done_on + timedelta(days=1)))
            recorded = "(r.id IS NULL OR (r.outcome = 'done' AND r.done_at >= ? AND r.done_at < ?))"
            params = [*params, to_utc_text(start), to_utc_text(end)]
        return self.db.execute(
            f"SELECT p.study_id, {_ITEM_SELECT}, {_RECORDING_SELECT} FROM scheduled_items s"
            " JOIN patients p ON p.id = s.patient_id"
            " LEFT JOIN recordings r ON r.patient_id = s.patient_id"
            "  AND r.timepoint = s.timepoint AND r.activity = s.activity AND r.withdrawn_at IS NULL"
            f" WHERE {where} AND s.cancelled_reason IS NULL AND {recorded}"
            " ORDER BY p.study_id, s.sequence", params).fetchall()

    def _entry(self, row, as_of: date) -> ScheduleEntry:
        (study_id, timepoint, activity, kind, anchor, day, target, start, end, sequence, cancelled, held,
         outcome, done_at, reason, recorded_by, recorded_at, dose, weight) = row
        label, timepoint_label = self._labels.get((timepoint, activity)) or (
            self.protocol.activity(activity).label, self.protocol.timepoint(timepoint).label)  # dropped, recorded
        if held:
            label = schedule.held_label(label, self.protocol)
        item = ScheduledItem(timepoint, activity, kind, label, timepoint_label, anchor, day,
                             date.fromisoformat(target), date.fromisoformat(start), date.fromisoformat(end),
                             sequence, cancelled, bool(held))
        recording = None
        if outcome is not None:
            recording = Recording(timepoint, activity, outcome, from_utc_text(done_at) if done_at else None,
                                  reason, recorded_by, from_utc_text(recorded_at), dose, weight)
        return ScheduleEntry(study_id, item, schedule.status(item, as_of, recording), recording)

    @cached_property
    def _labels(self) -> dict[tuple[str, str], tuple[str, str]]:
        """(timepoint, activity) -> (item label, timepoint label), from the protocol file."""
        return {(t.code, a): (t.note_for(a) or self.protocol.activity(a).label, t.label)
                for t in self.protocol.timepoints for a in t.activities}


def _item_values(item: ScheduledItem) -> tuple:
    """The row of one item, in the order of _ITEM_COLUMNS (written out: this runs for every item)."""
    return (item.timepoint, item.activity, item.kind, item.anchor, item.day, item.target_date.isoformat(),
            item.window_start.isoformat(), item.window_end.isoformat(), item.sequence, item.cancelled_reason,
            item.held)
