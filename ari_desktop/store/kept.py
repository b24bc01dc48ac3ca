"""What the store keeps of each patient between reads (schema.KEPT_TABLES): rows the cohort's endpoint tables
derive from a patient's records, so that a read of 5,000 patients does not go through every record again.

A kept row names the rules that made it (a digest of their source: other rules make it again). Any write
about the patient empties it (Store.write), and the next read makes it again. A row made while another
program writes about the same patient is not kept: rows are kept only for patients with nothing logged
since the read began, so what another workstation wrote is never hidden behind what was read before it.

A program also remembers the rows it has read (Remembered), and decodes again only those of the patients
written about since, by anyone: the change log says who.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import ModuleType

from ..core.errors import StoreError
from .schema import CLINICAL_TABLES


def rules_digest(modules: Iterable[ModuleType], *settings: str) -> str:
    """The digest of these rules' source and of the `settings` they read."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    for setting in settings:
        digest.update(setting.encode())
    return digest.hexdigest()[:16]


def written_since(db, change_id: int) -> set[int]:
    """The patients (row ids) with a record written after change log entry `change_id`."""
    query = " UNION ".join(
        "SELECT c.row_id FROM change_log c WHERE c.table_name = 'patients' AND c.id > ?" if table == "patients" else
        f"SELECT t.patient_id FROM {table} t JOIN change_log c ON c.table_name = '{table}' AND c.row_id = t.id"
        " WHERE c.id > ?" for table in CLINICAL_TABLES)
    return {patient_id for (patient_id,) in db.execute(query, [change_id] * len(CLINICAL_TABLES))}


class Remembered:
    """What this program has read of each patient for one purpose (the kept rows of a table, what the Today
    flags read), by patient row id, current up to a change log entry: the Analysis view, its figures and the
    flags read the cohort again and again, and read again only what changed."""

    def __init__(self) -> None:
        self._rules: str | None = None
        self._seen, self._seen_hash = 0, None  # the change log's last entry at the last read, and its hash
        self._rows: dict[int, object] = {}

    def current(self, db, rules: str) -> tuple[dict[int, object], int]:
        """What was read before of the patients no write has touched since, by `rules` (the caller adds what it
        reads to it), and the change log entry this read begins at (for `keep`)."""
        last = db.execute("SELECT id, hash FROM change_log ORDER BY id DESC LIMIT 1").fetchone()
        since, since_hash = last if last else (0, None)
        if db.in_transaction:  # what it reads may yet be rolled back, and the log's entries numbered again
            return {}, since
        if rules != self._rules or not self._same_history(db):
            self._rules, self._rows = rules, {}
        elif since > self._seen:
            for patient_id in written_since(db, self._seen):
                self._rows.pop(patient_id, None)
        self._seen, self._seen_hash = since, since_hash
        return self._rows, since

    def _same_history(self, db) -> bool:
        """Whether the entry seen last is still in the log as it was: a backup restored since is another history
        of the file, whose entries may reach the same numbers."""
        if self._seen == 0:
            return True
        row = db.execute("SELECT hash FROM change_log WHERE id = ?", [self._seen]).fetchone()
        return row is not None and row[0] == self._seen_hash


def keep(store, table: str, rows: Mapping[int, Mapping[str, object]], since: int) -> None:
    """Keep these `rows` of `table` (by patient row id, their values by column) made from what was read after
    change log entry `since`, but for the patients written about since then. Nothing is kept in a file
    open to be read, or while another program holds it: the rows are made again at the next read."""
    if not rows:
        return
    try:
        with store.transaction():
            written = written_since(store.db, since)
            for patient_id, values in rows.items():
                if patient_id in written:
                    continue
                columns = ", ".join(values)
                store.db.execute(
                    f"INSERT INTO {table} (patient_id, {columns}) VALUES (?, {', '.join('?' for _ in values)})"
                    f" ON CONFLICT (patient_id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in values)}",
                    [patient_id, *values.values()])
    except StoreError:
        pass
