"""The one place that reads and writes the SQLite file.

It hands out plain dataclasses. Every write to a clinical table goes through `_write`, which also
appends the old and new values, who, when and why to the change log: nothing is silently
overwritten and nothing is deleted. The scheduled items are a derived table, rebuilt from the
protocol and the patient's dates whenever those change; what was recorded lives apart, keyed by
timepoint and activity, so it stays when day 0 moves.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from pathlib import Path

from ..core import gate, schedule
from ..core.dates import from_utc_text, local_now, local_today, to_utc_text
from ..core.errors import ClinicalInputError, StoreError
from ..core.gate import DoseGiven
from ..core.patients import Anchors, Patient, check_anchors, check_new_patient, check_study_id
from ..core.protocol import KINDS, Protocol, load_default
from ..core.schedule import DONE, NOT_DONE, Recording, ScheduledItem, ScheduleEntry
from . import schema
from .counts import CountRecords
from .toxicity import ToxicityRecords

TOXICITY_ACTIVITY = "tox"  # the daily CRS/ICANS assessment: done only with its findings

_ANCHOR_COLUMNS = {
    "screening": "screening_date", "day0": "day0_date", "booster": "booster_date",
    "off_study": "off_study_date", "off_study_reason": "off_study_reason", "death": "death_date",
    "extramedullary": "extramedullary",
}
_ITEM_COLUMNS = ("timepoint", "activity", "kind", "anchor", "day", "target_date", "window_start", "window_end",
                 "sequence", "cancelled_reason", "held")
_ITEM_SELECT = ", ".join(f"s.{c}" for c in _ITEM_COLUMNS)
_RECORDING_SELECT = ("r.outcome, r.done_at, r.reason, r.recorded_by, r.recorded_at, r.dose_million_cells_per_kg,"
                     " r.weight_kg")


@dataclass(frozen=True)
class Change:
    at: datetime
    user: str
    table: str
    row_id: int
    action: str
    old: dict | None
    new: dict
    reason: str | None


class Store(ToxicityRecords, CountRecords):
    """An open ARI Desktop database. `user` is stamped on every write."""

    def __init__(self, path: Path | str, user: str, protocol: Protocol | None = None,
                 today: Callable[[], date] = local_today, now: Callable[[], datetime] = local_now):
        self.path = Path(path)
        self.user = user
        self.protocol = protocol or load_default()
        self.today = today
        self.now = now
        schema.check_file(self.path)
        try:
            connection = sqlite3.connect(self.path)
            try:
                needs_migration = schema.pending_migrations(connection)
            finally:
                connection.close()
            if needs_migration:
                schema.migrate(self.path)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=5)
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as error:
            raise _unusable(self.path, error) from None
        self._follow_protocol()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One user action: all of it is written, or none of it."""
        if self.db.in_transaction:
            yield
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _unusable(self.path, error) from None
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _follow_protocol(self) -> None:
        """Rebuild every patient's schedule when the protocol file differs from the one the stored
        schedules were built from (a site edited it, or a new version shipped a revised one)."""
        row = self.db.execute("SELECT id, digest FROM protocol_in_use").fetchone()
        if row is not None and row[1] == self.protocol.digest:
            return
        with self.transaction():
            self.db.execute("DELETE FROM scheduled_items")  # derived rows only: rebuilt just below
            for patient_id, patient in self._patients_with_ids():
                self._rebuild_schedule(patient_id, patient.anchors, emptied=True)
            self._write("protocol_in_use", row[0] if row else None,
                        {"code": self.protocol.code, "version": self.protocol.version,
                         "digest": self.protocol.digest},
                        None if row is None else "protocol file changed: every schedule rebuilt")

    # -- the one write path ------------------------------------------------------------------

    def _write(self, table: str, row_id: int | None, values: dict, reason: str | None = None) -> int:
        """Insert (row_id None) or update a clinical row, and log old and new values."""
        at = to_utc_text(self.now())
        if row_id is None:
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            row_id = self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                     list(values.values())).lastrowid
            old = None
        else:
            cursor = self.db.execute(f"SELECT {', '.join(values)} FROM {table} WHERE id = ?", [row_id])
            old = dict(zip(values, cursor.fetchone(), strict=True))
            values = {k: v for k, v in values.items() if old[k] != v}
            if not values:
                return row_id
            old = {k: old[k] for k in values}
            assignments = ", ".join(f"{k} = ?" for k in values)
            self.db.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), row_id])
        self.db.execute(
            "INSERT INTO change_log (at, user, table_name, row_id, action, old_values, new_values, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [at, self.user, table, row_id, "insert" if old is None else "update",
             None if old is None else json.dumps(old), json.dumps(values), reason])
        return row_id

    # -- patients ----------------------------------------------------------------------------

    def add_patient(self, patient: Patient) -> Patient:
        """Register a checked patient (patients.check_new_patient) and build the schedule."""
        with self.transaction():
            if self._patient_id(patient.study_id) is not None:
                raise ClinicalInputError(
                    f"A patient with study ID {patient.study_id} is already registered.", "study_id")
            values = {"study_id": patient.study_id, "initials": patient.initials, "sex": patient.sex,
                      "birth_year": patient.birth_year, "protocol": self.protocol.code,
                      **_anchor_values(patient.anchors)}
            patient_id = self._write("patients", None, values, "registered")
            self._rebuild_schedule(patient_id, patient.anchors)
        return patient

    def update_anchors(self, study_id: str, reason: str | None = None, **changes) -> Patient:
        """Change dates (day0=..., booster=..., off_study=..., death=...); the schedule follows."""
        patient = self.patient(study_id)
        anchors = replace(patient.anchors, **changes)
        check_anchors(anchors, self.protocol, self.today())
        changed = [k for k in changes if getattr(patient.anchors, k) != getattr(anchors, k)]
        if not changed:
            return patient
        removed = [k for k in changed if getattr(anchors, k) is None and k != "off_study_reason"]
        if removed and not (reason or "").strip():
            what = {"day0": "day 0", "booster": "the booster date", "off_study": "the off-study date",
                    "death": "the date of death"}[removed[0]]
            raise ClinicalInputError(f"Removing {what} is a correction: it needs a reason.", "reason")
        if reason is None and any(getattr(patient.anchors, k) is not None for k in changed):
            reason = "date moved"
        with self.transaction():
            patient_id = self._patient_id(study_id)
            self._write("patients", patient_id, _anchor_values(anchors), reason)
            self._rebuild_schedule(patient_id, anchors)
        return replace(patient, anchors=anchors)

    def correct_patient(self, study_id: str, reason: str, *, initials: str | None = None, sex: str | None = None,
                        birth_year: int | None = None, extramedullary: bool | None = None) -> Patient:
        """Correct what was typed at registration; the change log keeps the old values and the reason.
        Correcting extramedullary disease adds or removes the PET-CT scans."""
        if not (reason or "").strip():
            raise ClinicalInputError("A correction needs a reason.", "reason")
        patient = self.patient(study_id)
        anchors = patient.anchors if extramedullary is None else replace(patient.anchors, extramedullary=extramedullary)
        corrected = check_new_patient(
            patient.study_id, patient.initials if initials is None else initials, patient.sex if sex is None else sex,
            patient.birth_year if birth_year is None else birth_year, anchors, self.protocol, self.today())
        with self.transaction():
            patient_id = self._patient_id(patient.study_id)
            self._write("patients", patient_id, {
                "initials": corrected.initials, "sex": corrected.sex, "birth_year": corrected.birth_year,
                "extramedullary": int(anchors.extramedullary)}, reason.strip())
            if anchors != patient.anchors:
                self._rebuild_schedule(patient_id, anchors)
        return corrected

    def preview_anchor_change(self, study_id: str, **changes) -> list[tuple[ScheduledItem, date | None]]:
        """What a change of dates would move, before it is confirmed."""
        patient = self.patient(study_id)
        anchors = replace(patient.anchors, **changes)
        check_anchors(anchors, self.protocol, self.today())
        patient_id = self._patient_id(patient.study_id)
        held, recorded = self._held(patient_id), self._recorded(patient_id)
        return schedule.shifts(schedule.build(self.protocol, patient.anchors, held, recorded),
                               schedule.build(self.protocol, anchors, held, recorded))

    def patient(self, study_id: str) -> Patient:
        row = self.db.execute(f"SELECT {_PATIENT_COLUMNS} FROM patients WHERE study_id = ?",
                              [study_id.strip()]).fetchone()
        if row is None:
            raise ClinicalInputError(f"There is no patient with study ID '{study_id}'.", "study_id")
        return _patient(row)

    def patients(self) -> list[Patient]:
        return [patient for _, patient in self._patients_with_ids()]

    def _patients_with_ids(self) -> list[tuple[int, Patient]]:
        rows = self.db.execute(f"SELECT id, {_PATIENT_COLUMNS} FROM patients ORDER BY study_id")
        return [(row[0], _patient(row[1:])) for row in rows]

    def _patient_id(self, study_id: str) -> int | None:
        row = self.db.execute("SELECT id FROM patients WHERE study_id = ?", [study_id.strip()]).fetchone()
        return row[0] if row else None

    def _rebuild_schedule(self, patient_id: int, anchors: Anchors, emptied: bool = False) -> None:
        """Replace the derived schedule rows (`emptied`: they were all deleted already); recordings
        are kept, keyed by timepoint and activity."""
        if not emptied:
            self.db.execute("DELETE FROM scheduled_items WHERE patient_id = ?", [patient_id])
        self.db.executemany(
            f"INSERT INTO scheduled_items (patient_id, window_days, {', '.join(_ITEM_COLUMNS)})"
            f" VALUES (?, ?, {', '.join('?' for _ in _ITEM_COLUMNS)})",
            [(patient_id, (item.window_end - item.window_start).days, *_item_values(item))
             for item in schedule.build(self.protocol, anchors, self._held(patient_id), self._recorded(patient_id))])

    def _recorded(self, patient_id: int) -> frozenset[tuple[str, str]]:
        """(timepoint, activity) of everything recorded for the patient."""
        return frozenset(self.db.execute(
            "SELECT timepoint, activity FROM recordings WHERE patient_id = ?", [patient_id]).fetchall())

    def _held(self, patient_id: int) -> frozenset[str]:
        """Timepoints whose fraction a physician held."""
        return frozenset(row[0] for row in self.db.execute(
            "SELECT DISTINCT timepoint FROM fraction_decisions WHERE patient_id = ? AND decision = 'hold'",
            [patient_id]))

    # -- schedules and worklists -------------------------------------------------------------

    def schedule(self, study_id: str, as_of: date) -> list[ScheduleEntry]:
        study_id = check_study_id(study_id)
        patient_id = self._patient_id(study_id)
        if patient_id is None:
            raise ClinicalInputError(f"There is no patient with study ID '{study_id}'.", "study_id")
        return self._entries(study_id, patient_id, as_of)

    def _entries(self, study_id: str, patient_id: int, as_of: date,
                 only: list[tuple[str, str]] | None = None) -> list[ScheduleEntry]:
        """A patient's schedule entries; `only` these (timepoint, activity) pairs when given."""
        sql = (f"SELECT ?, {_ITEM_SELECT}, {_RECORDING_SELECT} FROM scheduled_items s"
               " LEFT JOIN recordings r ON r.patient_id = s.patient_id"
               "  AND r.timepoint = s.timepoint AND r.activity = s.activity"
               " WHERE s.patient_id = ?")
        params: list = [study_id, patient_id]
        if only is not None:
            if not only:
                return []
            sql += f" AND (s.timepoint, s.activity) IN (VALUES {', '.join('(?, ?)' for _ in only)})"
            params += [value for pair in only for value in pair]
        return [self._entry(row, as_of) for row in self.db.execute(sql + " ORDER BY s.sequence", params)]

    def worklist(self, day: date, kind: str = "all") -> list[ScheduleEntry]:
        """Every open item whose window holds the day, across all patients, by patient."""
        return [self._entry(row, day) for row in self.worklist_rows(day, kind)]

    def worklist_rows(self, day: date, kind: str = "all") -> list[tuple]:
        """The worklist's rows as they come from SQLite (the benchmark times this bare query)."""
        if kind != "all" and kind not in KINDS:
            raise ClinicalInputError(
                f"The kind '{kind}' is not one of {', '.join(KINDS)} or all.", "kind")
        # A window of L days holds `day` exactly when it starts between day - L and day.
        where, params = self._windows_starting(lambda days: (day - timedelta(days=days), day))
        if kind != "all":
            where += " AND s.kind = ?"
            params.append(kind)
        return self._open_rows(where, params)

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

    def _windows_starting(self, start_range) -> tuple[str, list]:
        """A WHERE clause of one exact index range per window length: start_range(days) -> (first, last)."""
        clauses, params = [], []
        for days in sorted(self.protocol.window_lengths):
            first, last = start_range(days)
            clauses.append("(s.window_days = ? AND s.window_start BETWEEN ? AND ?)")
            params += [days, first.isoformat(), last.isoformat()]
        return f"({' OR '.join(clauses)})", params

    def _open_rows(self, where: str, params: list) -> list[tuple]:
        """Items matching `where` that are neither recorded nor cancelled, by patient."""
        return self.db.execute(
            f"SELECT p.study_id, {_ITEM_SELECT}, {_RECORDING_SELECT} FROM scheduled_items s"
            " JOIN patients p ON p.id = s.patient_id"
            " LEFT JOIN recordings r ON r.patient_id = s.patient_id"
            "  AND r.timepoint = s.timepoint AND r.activity = s.activity"
            f" WHERE {where} AND s.cancelled_reason IS NULL AND r.id IS NULL"
            " ORDER BY p.study_id, s.sequence", params).fetchall()

    # -- recording ---------------------------------------------------------------------------

    def record(self, study_id: str, timepoint: str, activity: str, *, done_at: datetime | None = None,
               not_done_reason: str | None = None, correction_reason: str | None = None,
               dose: DoseGiven | None = None) -> ScheduleEntry:
        """Record an item done (at a time) or not done (with a reason); an infusion given, with the
        dose given and the patient's weight.

        Recording again is a correction: it needs a reason, and the change log keeps the old value.
        """
        self.record_many(study_id, [(timepoint, activity, done_at, not_done_reason)], correction_reason,
                         doses={(timepoint, activity): dose} if dose else None)
        patient_id = self._patient_id(study_id.strip())
        return self._entries(study_id.strip(), patient_id, self.today(), [(timepoint, activity)])[0]

    def record_many(self, study_id: str, recordings: list[tuple[str, str, datetime | None, str | None]],
                    correction_reason: str | None = None,
                    doses: dict[tuple[str, str], DoseGiven] | None = None) -> None:
        """Record several items of one patient, (timepoint, activity, done_at, not_done_reason) each,
        in one transaction: all are written or, if one is refused, none. `doses` gives the dose and
        weight of each infusion given, by (timepoint, activity)."""
        self._record_many(study_id, recordings, correction_reason, doses or {}, findings_saved=False)

    def _record_many(self, study_id: str, recordings: list[tuple[str, str, datetime | None, str | None]],
                     correction_reason: str | None, doses: dict[tuple[str, str], DoseGiven],
                     findings_saved: bool) -> None:
        """record_many; `findings_saved` when a bedside assessment with its findings marks the day's
        CRS/ICANS item done (the only way it can be done)."""
        patient = self.patient(study_id)
        patient_id = self._patient_id(patient.study_id)
        wanted = [(timepoint, activity) for timepoint, activity, _, _ in recordings]
        entries = {(e.item.timepoint, e.item.activity): e
                   for e in self._entries(patient.study_id, patient_id, self.today(), wanted)}
        with self.transaction():
            for timepoint, activity, done_at, not_done_reason in recordings:
                self._check_known(timepoint, activity)
                if activity == TOXICITY_ACTIVITY and done_at is not None and not findings_saved:
                    raise ClinicalInputError(
                        "A CRS/ICANS assessment is done when its findings are saved (the bedside assessment, "
                        "or 'ari-desktop assess'); it can be recorded here only as not done.", "activity")
                entry = entries.get((timepoint, activity))
                values = self._recording_values(patient, timepoint, activity, entry, done_at,
                                                not_done_reason, correction_reason)
                values.update(self._infusion_values(patient, patient_id, timepoint, activity, done_at,
                                                    doses.get((timepoint, activity))))
                if entry.recording is None:
                    self._write("recordings", None,
                                {"patient_id": patient_id, "timepoint": timepoint, "activity": activity,
                                 **values})
                else:
                    row_id = self.db.execute(
                        "SELECT id FROM recordings WHERE patient_id = ? AND timepoint = ? AND activity = ?",
                        [patient_id, timepoint, activity]).fetchone()[0]
                    self._write("recordings", row_id, values, correction_reason.strip())

    def _infusion_values(self, patient: Patient, patient_id: int, timepoint: str, activity: str,
                         done_at: datetime | None, dose: DoseGiven | None) -> dict:
        """The dose and weight of an infusion given, once the go / hold gate (gate.fraction_refusal)
        allows it at that time; or the sentence that says why it is refused."""
        if activity != "infusion" or done_at is None:
            if dose is not None:
                raise ClinicalInputError("A dose and weight are recorded only with an infusion given.", "dose")
            return {"dose_million_cells_per_kg": None, "weight_kg": None}
        if dose is None:
            raise ClinicalInputError(
                f"The infusion at {timepoint} is recorded given with the dose given (x10^6 CAR+ cells/kg) and "
                "the patient's weight (kg).", "dose")
        given = {tp: at for tp, at in self._fractions_given(patient_id).items() if tp != timepoint}
        refusal = gate.fraction_refusal(timepoint, done_at, self.decisions(patient.study_id),
                                        self.assessments(patient.study_id), given, self.protocol)
        if refusal is not None:
            raise ClinicalInputError(refusal, "done_at")
        return {"dose_million_cells_per_kg": dose.million_cells_per_kg, "weight_kg": dose.weight_kg}

    def _recording_values(self, patient: Patient, timepoint: str, activity: str, entry: ScheduleEntry | None,
                          done_at: datetime | None, not_done_reason: str | None,
                          correction_reason: str | None) -> dict:
        """The row to write for one recording, or the sentence that says why it is refused."""
        if entry is None:
            raise ClinicalInputError(
                f"{self.protocol.activity(activity).label} at {timepoint} is not on the schedule of "
                f"{patient.study_id}.", "activity")
        if (done_at is None) == (not_done_reason is None):
            raise ClinicalInputError("Say either when it was done or why it was not done.", "outcome")
        if not_done_reason is not None and not not_done_reason.strip():
            raise ClinicalInputError("An item not done needs a reason.", "reason")
        if done_at is not None:
            if done_at > self.now() + timedelta(minutes=5):
                raise ClinicalInputError(f"The time done ({done_at:%Y-%m-%d %H:%M}) is in the future.", "done_at")
            if done_at.astimezone().date() < patient.anchors.screening:
                raise ClinicalInputError(
                    f"The time done ({done_at:%Y-%m-%d}) is before screening ({patient.anchors.screening}).",
                    "done_at")
        # An item cancelled because the patient died or left the study that day may still have been
        # done earlier in its window (the morning's samples, entered in the afternoon).
        end = patient.anchors.end
        done_day = done_at.astimezone().date() if done_at is not None else None
        done_before_end = (done_day is not None and end is not None
                           and entry.item.window_start <= done_day <= end[0])
        if entry.item.cancelled_reason and entry.recording is None and not done_before_end:
            raise ClinicalInputError(
                f"{entry.item.label} at {timepoint} was cancelled ({entry.item.cancelled_reason}).", "activity")
        if entry.recording is not None and not (correction_reason or "").strip():
            raise ClinicalInputError(
                f"{entry.item.label} at {timepoint} is already recorded as {entry.status.replace('_', ' ')}; "
                "a correction needs a reason.", "reason")
        return {"outcome": DONE if done_at else NOT_DONE,
                "done_at": to_utc_text(done_at) if done_at else None,
                "reason": not_done_reason.strip() if not_done_reason else None,
                "recorded_by": self.user, "recorded_at": to_utc_text(self.now())}

    def _check_known(self, timepoint: str, activity: str) -> None:
        try:
            self.protocol.timepoint(timepoint)
        except KeyError:
            raise ClinicalInputError(
                f"There is no timepoint '{timepoint}' in the {self.protocol.code} protocol.", "timepoint") from None
        try:
            self.protocol.activity(activity)
        except KeyError:
            raise ClinicalInputError(
                f"There is no activity '{activity}' in the {self.protocol.code} protocol.", "activity") from None

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

    # -- exports -------------------------------------------------------------------------------

    EXPORT_TABLES = ("patients", "recordings", "assessments", "fraction_decisions", "toxicity_events", "blood_counts",
                     "tls_labs", "change_log")

    def table_rows(self, table: str) -> tuple[list[str], list[tuple]]:
        """(column names, rows) of one clinical table, with the study ID in place of the row number."""
        if table not in self.EXPORT_TABLES:
            raise ClinicalInputError(f"The table '{table}' is not one of {', '.join(self.EXPORT_TABLES)}.", "table")
        if table in ("patients", "change_log"):
            cursor = self.db.execute(f"SELECT * FROM {table} ORDER BY id")
        else:
            cursor = self.db.execute(
                f"SELECT p.study_id, t.* FROM {table} t JOIN patients p ON p.id = t.patient_id ORDER BY t.id")
        columns = [c[0] for c in cursor.description]
        return columns, cursor.fetchall()

    # -- the change log ----------------------------------------------------------------------

    def changes(self, table: str | None = None, row_id: int | None = None) -> list[Change]:
        where, params = [], []
        if table:
            where.append("table_name = ?")
            params.append(table)
        if row_id is not None:
            where.append("row_id = ?")
            params.append(row_id)
        return self._changes(" AND ".join(where) or "1", params)

    def patient_changes(self, study_id: str) -> list[Change]:
        """Every change to a patient's registration and to everything recorded about them."""
        patient_id = self._require_patient_id(study_id)
        owned = " OR ".join(
            f"(table_name = '{table}' AND row_id IN (SELECT id FROM {table} WHERE patient_id = :patient))"
            for table in self.EXPORT_TABLES if table not in ("patients", "change_log"))
        return self._changes(f"(table_name = 'patients' AND row_id = :patient) OR {owned}", {"patient": patient_id})

    def _changes(self, where: str, params) -> list[Change]:
        rows = self.db.execute(
            "SELECT at, user, table_name, row_id, action, old_values, new_values, reason FROM change_log"
            f" WHERE {where} ORDER BY id", params)
        return [Change(from_utc_text(at), user, tbl, rid, action, json.loads(old) if old else None, json.loads(new),
                       reason) for at, user, tbl, rid, action, old, new, reason in rows]


_PATIENT_COLUMNS = ("study_id, initials, sex, birth_year, screening_date, day0_date, booster_date,"
                    " off_study_date, off_study_reason, death_date, extramedullary")


def _unusable(path: Path, error: sqlite3.OperationalError) -> StoreError:
    """A database that cannot be written now: in use by another program, or read-only."""
    if "locked" in str(error) or "busy" in str(error):
        return StoreError(f"{path} is in use by another program; try again in a moment.")
    return StoreError(f"{path} cannot be written ({error}); check that the file and its folder are writable.")


def _as_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _patient(row) -> Patient:
    study_id, initials, sex, birth_year, screening, day0, booster, off, off_reason, death, emd = row
    anchors = Anchors(screening=date.fromisoformat(screening), day0=_as_date(day0), booster=_as_date(booster),
                      off_study=_as_date(off), off_study_reason=off_reason, death=_as_date(death),
                      extramedullary=bool(emd))
    return Patient(study_id, initials, sex, birth_year, anchors)


def _anchor_values(anchors: Anchors) -> dict:
    values = {}
    for field, column in _ANCHOR_COLUMNS.items():
        value = getattr(anchors, field)
        values[column] = value.isoformat() if isinstance(value, date) else value
    values["extramedullary"] = int(anchors.extramedullary)
    return values


def _item_values(item: ScheduledItem) -> tuple:
    """The row of one item, in the order of _ITEM_COLUMNS (written out: this runs for every item)."""
    return (item.timepoint, item.activity, item.kind, item.anchor, item.day, item.target_date.isoformat(),
            item.window_start.isoformat(), item.window_end.isoformat(), item.sequence, item.cancelled_reason,
            item.held)
