"""Moving a unit's SQLite file to its team's PostgreSQL server: every row of every table, the change log
and its hash chain as they are, into a new (empty) server database; then counted and verified there.

Rows are copied as stored, ids included, not written again through the store: the change log must stay
the record of who did what when, and its chain must still verify on the server.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import StoreError
from ..i18n import _
from . import engine, schema
from .audit import verify_connection


@dataclass(frozen=True)
class Moved:
    rows: dict[str, int]  # table -> rows copied (and counted again on the server)
    audit_entries: int  # the change log's entries, its chain verified on the server


def move_to_server(source: Path, address: str) -> Moved:
    """Copy the SQLite database `source` (already opened by the store: checked and at the current schema)
    into the server database `address`, which must hold no records; refused, in one sentence, otherwise."""
    target = engine.connect(engine.ServerAddress(address))
    try:
        schema.migrate_server(target)
        full = [table for table in _tables(target) if _count(target, table)]
        if full:
            raise StoreError(_("{masked} already holds records ({full}): a unit moves into a new, empty server "
                               "database, never into another unit's.").format(masked=engine.masked(address),
                                                                              full=", ".join(full)))
        reader = schema.connect_read_only(source)
        try:
            rows = _copy(reader, target)
            broken = verify_connection(reader)[1]
        finally:
            reader.close()
        if broken:
            raise StoreError(_("{source} cannot be trusted, so it was not moved: {broken}").format(
                                 source=source, broken=broken))
        counted = {table: _count(target, table) for table in rows}
        if counted != rows:
            raise StoreError(_("The server counted other rows than were copied ({counted} for {rows}); nothing was "
                               "moved.").format(counted=counted, rows=rows))
        entries, broken = verify_connection(target)
        if broken:
            raise StoreError(_("The change log's chain does not verify on the server: {broken}").format(
                                 broken=broken))
        return Moved(rows, entries)
    finally:
        target.close()


def _copy(reader: sqlite3.Connection, target) -> dict[str, int]:
    """Every table's rows, in the order the tables were made (a row's references come before it), in one
    transaction on the server; each table's id sequence then continues after its last id."""
    copied = {}
    with engine.locked(target):
        for table in _tables(target):
            cursor = reader.execute(f"SELECT * FROM {table} ORDER BY rowid")
            columns = [c[0] for c in cursor.description]
            copied[table] = target.copy_rows(table, columns, cursor)
            if "id" in columns and copied[table]:
                target.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    return copied


def _tables(target) -> list[str]:
    """The store's tables on the server, in the order the migrations made them (not the migrations' own)."""
    return [name for (name,) in target.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE '\\_%' ESCAPE '\\'"
        " ORDER BY c.oid")]


def _count(target, table: str) -> int:
    return target.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
