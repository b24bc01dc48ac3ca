"""The audit trail: the change log's hash chain, and the events that are not a change of a record
(log-ins, failed log-ins, log-outs, restores), which are written as rows of `audit_events` through the
store's one write path, so the same chain covers them.
"""

from __future__ import annotations

import json
import sqlite3

from ..core.audit import CHAIN_START, Entry, entry_hash, first_break
from ..core.dates import to_utc_text
from .changes import Change
from .part import Part

# Columns whose values the change log does not copy: it says they changed, never what to.
NOT_LOGGED = frozenset({"password_hash", "token_hash"})
HIDDEN = "(not kept in the log)"

_ENTRY_COLUMNS = "id, at, user, table_name, row_id, action, old_values, new_values, reason, previous_hash, hash"


def logged(values: dict | None) -> str | None:
    """The values as the change log keeps them (JSON), secrets hidden."""
    if values is None:
        return None
    if not NOT_LOGGED.isdisjoint(values):
        values = {k: HIDDEN if k in NOT_LOGGED else v for k, v in values.items()}
    return json.dumps(values)


class Chain:
    """Appends entries to the change log, each linked to the one before it.

    Inside a transaction (BEGIN IMMEDIATE: no other program writes until it ends) the last entry's
    number and hash are kept between writes instead of read again; the store forgets them whenever
    a transaction begins, so an entry rolled back is never linked to."""

    def __init__(self):
        self._last: tuple[int, str] | None = None

    def forget(self) -> None:
        self._last = None

    def append(self, db: sqlite3.Connection, at: str, user: str, table: str, row_id: int, action: str,
               old_values: str | None, new_values: str, reason: str | None) -> None:
        last = self._last if db.in_transaction else None
        if last is None:
            last = db.execute("SELECT id, hash FROM change_log ORDER BY id DESC LIMIT 1").fetchone() or (0, CHAIN_START)
        entry_id, previous = last[0] + 1, last[1]
        fields = [entry_id, at, user, table, row_id, action, old_values, new_values, reason]
        digest = entry_hash(fields, previous)
        db.execute(f"INSERT INTO change_log ({_ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [*fields, previous, digest])
        self._last = (entry_id, digest) if db.in_transaction else None


# Entries are read a batch at a time: a large file's change log does not have to fit in memory.
_BATCH = 10_000


def entries(db: sqlite3.Connection):
    last = 0
    while batch := db.execute(f"SELECT {_ENTRY_COLUMNS} FROM change_log WHERE id > ? ORDER BY id LIMIT {_BATCH}",
                              [last]).fetchall():
        yield from (Entry(*row) for row in batch)
        last = batch[-1][0]


def chain_existing(db: sqlite3.Connection) -> None:
    """Link the entries written before the chain existed (the migration that adds it)."""
    previous = CHAIN_START
    for entry in entries(db):
        digest = entry_hash(entry.fields(), previous)
        db.execute("UPDATE change_log SET previous_hash = ?, hash = ? WHERE id = ?", [previous, digest, entry.id])
        previous = digest


def verify_connection(db: sqlite3.Connection) -> tuple[int, str | None]:
    """(entries read, the first broken link's sentence or None)."""
    return first_break(entries(db))


class Audit(Part):
    def record(self, event: str, login: str, detail: str | None = None) -> None:
        """An event of the audit trail that is not a change of a record (a log-in, a restore)."""
        self.store.write("audit_events", None, {"at": to_utc_text(self.store.now()), "login": login, "event": event,
                                                "detail": detail})

    def verify(self) -> tuple[int, str | None]:
        return verify_connection(self.db)

    def entries(self, patient: str | None = None, user: str | None = None) -> list[Change]:
        """The change log, of one patient and/or by one user, oldest first."""
        changes = self.store.changes.of_patient(patient) if patient else self.store.changes.all()
        return [c for c in changes if user is None or c.user == user]
