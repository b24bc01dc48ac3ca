"""The one place that reads and writes the SQLite file.

`Store` opens the database and owns the transaction and the one write path, `write`, which also
appends the old and new values, who, when and why to the change log: nothing is silently
overwritten and nothing is deleted. Each kind of record is a part of its own, reached from the
store (`store.patients`, `store.schedules`, `store.recordings`, `store.assessments`,
`store.fractions`, `store.events`, `store.counts`, `store.labs`, `store.toxicity`,
`store.changes`, `store.tables`); the clinical rules they enforce are pure functions of the core.
Parts hand out plain dataclasses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from ..core.dates import local_now, local_today, to_utc_text
from ..core.errors import StoreError
from ..core.protocol import Protocol, load_default
from . import schema
from .assessments import Assessments
from .changes import ChangeLog
from .counts import Counts, Labs
from .events import Events
from .fractions import Fractions
from .patients import Patients
from .recordings import Recordings
from .schedules import Schedules
from .tables import Tables
from .toxicity import Toxicity


class Store:
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
        self.patients = Patients(self)
        self.schedules = Schedules(self)
        self.recordings = Recordings(self)
        self.assessments = Assessments(self)
        self.fractions = Fractions(self)
        self.events = Events(self)
        self.counts = Counts(self)
        self.labs = Labs(self)
        self.toxicity = Toxicity(self)
        self.changes = ChangeLog(self)
        self.tables = Tables(self)
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
            for patient_id, patient in self.patients.with_ids():
                self.schedules.rebuild(patient_id, patient.anchors, emptied=True)
            self.write("protocol_in_use", row[0] if row else None,
                        {"code": self.protocol.code, "version": self.protocol.version,
                         "digest": self.protocol.digest},
                        None if row is None else "protocol file changed: every schedule rebuilt")

    # -- the one write path ------------------------------------------------------------------

    def write(self, table: str, row_id: int | None, values: dict, reason: str | None = None) -> int:
        """Insert (row_id None) or update a clinical row, and log old and new values: the one way
        the parts write. Only the columns whose value changes are updated and logged."""
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

def _unusable(path: Path, error: sqlite3.OperationalError) -> StoreError:
    """A database that cannot be written now: in use by another program, or read-only."""
    if "locked" in str(error) or "busy" in str(error):
        return StoreError(f"{path} is in use by another program; try again in a moment.")
    return StoreError(f"{path} cannot be written ({error}); check that the file and its folder are writable.")
