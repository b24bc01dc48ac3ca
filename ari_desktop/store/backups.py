"""Backups and restores of the database.

A backup is made with SQLite's online backup API (a consistent copy while the window keeps working),
under a name of its own until it has been checked (PRAGMA integrity_check, this program's and
protocol's file, the audit trail's hash chain), then rotated: the newest of each of the last
DAILY_KEPT days and of each of the last MONTHLY_KEPT months are kept. A restore refuses a file that
fails the same checks, keeps the database it replaces aside, and is logged in the restored audit trail.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from ..core.errors import StoreError
from ..core.protocol import Protocol
from ..i18n import _
from . import schema
from .audit import verify_connection
from .engine import is_server
from .store import _is_damage, unusable

# Two weeks of dailies reach back past a weekend and a holiday before anyone noticed a mistake;
# a year of monthlies covers the time between two monitoring visits.
DAILY_KEPT = 14
MONTHLY_KEPT = 12

_STAMP = "%Y%m%dT%H%M%SZ"


# Backup files are SQLite's; a server database is the server's to back up.
SERVER_BACKUP = ("A server database is backed up by its server (pg_dump, and pg_restore to put a copy back), not "
                 "by ARI Desktop.")


def backup_name(database: Path, at: datetime) -> str:
    return f"{database.stem}-{at.astimezone(UTC):{_STAMP}}.db"


def backups_of(database: Path, folder: Path) -> list[tuple[datetime, Path]]:
    """The backups of `database` in `folder`, newest first, with when each was made."""
    pattern = re.compile(re.escape(database.stem) + r"-(\d{8}T\d{6}Z)\.db")
    found = []
    for path in folder.glob(f"{database.stem}-*.db") if folder.is_dir() else ():
        match = pattern.fullmatch(path.name)
        if match:
            found.append((datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC), path))
    return sorted(found, reverse=True)


def make_backup(store, folder: Path) -> Path:
    """Copy the open database into `folder`, check the copy, rotate the folder; the copy's path."""
    if store.server:
        raise StoreError(SERVER_BACKUP)
    target = folder / backup_name(store.path, store.now())
    partial = folder / f".{target.name}.{secrets.token_hex(4)}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise StoreError(_("{target} exists already (a backup was made this very second); try again.").format(
                                 target=target))
        try:
            copy = sqlite3.connect(partial)
            try:
                store.db.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
            check(partial, store.protocol)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        rotate(store.path, folder)
    except (OSError, sqlite3.OperationalError) as error:
        raise StoreError(_("No backup could be written in {folder}: {said}.").format(
                             folder=folder, said=_said(error))) from None
    return target


def make_due_backup(store, folder: Path) -> Path | None:
    """A backup unless one was made today (the window calls this at close and once a day)."""
    today = store.today()
    if store.server:
        return None
    if any(at.astimezone().date() == today for at, _ in backups_of(store.path, folder)):
        return None
    return make_backup(store, folder)


def rotate(database: Path, folder: Path) -> list[Path]:
    """Keep the newest backup of each of the last DAILY_KEPT days and of each of the last MONTHLY_KEPT
    months that have one; delete the other backups of `database` (only files named as backups)."""
    days, months, removed = set(), set(), []
    for at, path in backups_of(database, folder):
        day = at.astimezone().date()
        month = (day.year, day.month)
        kept = False
        if day not in days and len(days) < DAILY_KEPT:
            days.add(day)
            kept = True
        if month not in months and len(months) < MONTHLY_KEPT:
            months.add(month)
            kept = True
        if not kept:
            path.unlink()
            removed.append(path)
    return removed


def chosen(path: Path, database: Path) -> Path:
    """The backup a restore names: a file, or a folder's newest backup of `database`."""
    if is_server(database):
        raise StoreError(SERVER_BACKUP)
    try:
        if not path.is_dir():
            return path
        found = backups_of(database, path)
    except OSError as error:
        raise StoreError(_("{path} cannot be read: {said}.").format(path=path, said=_said(error))) from None
    if not found:
        raise StoreError(_("{path} holds no backup of {name}.").format(path=path, name=database.name))
    return found[0][1]


def _said(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)


def check(path: Path, protocol: Protocol) -> int:
    """Refuse, in one sentence, a file that is not a whole, undamaged ARI Desktop database of this
    protocol and of a version this program can open; the number of audit-trail entries it holds."""
    try:
        if not path.is_file():
            raise StoreError(_("{path} is not a backup: no such file.").format(path=path))
        schema.check_file(path)  # empty, not SQLite, cut short, another application's, a newer version
        return _check_content(path, protocol)
    except sqlite3.DatabaseError as error:
        raise schema.damaged(path, f"SQLite says: {error}") from None
    except OSError as error:
        raise StoreError(_("{path} cannot be read: {said}.").format(path=path, said=_said(error))) from None


def _check_content(path: Path, protocol: Protocol) -> int:
    connection = schema.connect_read_only(path)
    try:
        if connection.execute("PRAGMA application_id").fetchone()[0] != schema.APPLICATION_ID:
            raise StoreError(_("{path} is not an ARI Desktop database.").format(path=path))
        findings = connection.execute("PRAGMA integrity_check").fetchall()
        if findings != [("ok",)]:
            raise schema.damaged(path, f"SQLite says: {findings[0][0].splitlines()[0]}")
        row = connection.execute("SELECT code FROM protocol_in_use").fetchone()
        if row is not None and row[0] != protocol.code:
            raise StoreError(_("{path} holds the records of the protocol {row}, not {code}.").format(
                                 path=path, row=row[0], code=protocol.code))
        columns = {c[1] for c in connection.execute("PRAGMA table_info(change_log)")}
        if "hash" not in columns:  # written before the chain: it is linked when the file is brought up to date
            return connection.execute("SELECT count(*) FROM change_log").fetchone()[0]
        count, broken = verify_connection(connection)
        if broken:
            raise StoreError(_("{path} cannot be trusted: {broken}").format(path=path, broken=broken))
        return count
    finally:
        connection.close()


def check_restorable(backup: Path, database: Path, protocol: Protocol) -> None:
    """Refuse, before anyone is asked for a password, a backup that is not one (check) or a restore onto
    something that is not a database file or onto the backup itself."""
    check(backup, protocol)
    if database.exists():
        if not database.is_file():
            raise StoreError(_("{database} is not a database file: nothing was restored.").format(
                                 database=database))
        if os.path.samefile(backup, database):
            raise StoreError(_("{backup} is the database itself: nothing was restored.").format(
                                 backup=backup))


def restore(backup: Path, database: Path, protocol: Protocol, at: datetime) -> Path | None:
    """Put a checked backup in the place of `database`; the database it replaced is kept beside it (its
    path is returned; None when there was none). The caller logs the restore in the restored file.

    The backup is copied into the database with the backup API, under SQLite's lock, so a window that
    has it open reads the restored records instead of writing on into a file that is gone; only a file
    SQLite cannot use at all (damaged) is replaced whole."""
    check_restorable(backup, database, protocol)
    aside, replaced_whole = None, False
    try:
        if database.exists():
            kept = database.with_name(f"{database.name}.replaced-{at.astimezone(UTC):{_STAMP}}")
            if kept.exists():
                raise StoreError(_("{kept} exists already (a restore was made this very second); try again.").format(
                                     kept=kept))
            aside = kept
            _keep_aside(database, aside)
        source = schema.connect_read_only(backup)
        try:
            try:
                _copy(source, database)
            except sqlite3.DatabaseError as error:
                if not _is_damage(error):
                    raise unusable(database, error) from None
                _replace(source, database)
                replaced_whole = True
        finally:
            source.close()
    except BaseException as error:
        if aside is not None:  # the database is as it was: its copy is not needed
            aside.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise StoreError(_("{database} could not be restored: {said}.").format(database=database,
                                                                                   said=_said(error))) from None
        raise
    if replaced_whole:
        for suffix in ("-wal", "-shm"):  # the damaged file's, kept aside with it
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    return aside


def _copy(source: sqlite3.Connection, database: Path) -> None:
    target = sqlite3.connect(database, timeout=schema.BUSY_SECONDS)
    try:
        source.backup(target)
    finally:
        target.close()


def _replace(source: sqlite3.Connection, database: Path) -> None:
    incoming = database.with_name(f".{database.name}.{secrets.token_hex(4)}.restoring")
    try:
        _copy(source, incoming)
        os.replace(incoming, database)
    finally:
        incoming.unlink(missing_ok=True)


def _keep_aside(database: Path, aside: Path) -> None:
    """A whole copy of the database about to be replaced: with the backup API when SQLite can read it
    (what is still in its -wal file included), else its files as they are (a damaged file is kept too)."""
    try:
        current = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(aside)
            try:
                current.backup(copy)
            finally:
                copy.close()
        finally:
            current.close()
    except sqlite3.DatabaseError:
        with contextlib.suppress(FileNotFoundError):
            aside.unlink()
        shutil.copy2(database, aside)
        for suffix in ("-wal", "-shm"):
            companion = Path(f"{database}{suffix}")
            if companion.exists():
                shutil.copy2(companion, Path(f"{aside}{suffix}"))
