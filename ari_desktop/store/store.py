"""The one place that reads and writes the database: an SQLite file (one PC, the default) or a database on
a PostgreSQL server (team mode, `postgresql://user@host/dbname`; engine.py), with the same SQL.

`Store` opens the database and owns the transaction and the one write path, `write`, which also
appends the old and new values, who, when and why to the change log: nothing is silently
overwritten and nothing is deleted. Each kind of record is a part of its own, reached from the
store (`store.patients`, `store.schedules`, `store.recordings`, `store.assessments`,
`store.fractions`, `store.events`, `store.counts`, `store.labs`, `store.toxicity`,
`store.changes`, `store.tables`, `store.accounts`, `store.signatures`, `store.audit`,
`store.results`); the clinical rules they enforce are pure functions of the core.
Parts hand out plain dataclasses.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from functools import cached_property
from importlib import import_module
from pathlib import Path

from ..core import roles
from ..core.dates import local_now, local_today, to_utc_text
from ..core.errors import StoreError
from ..core.protocol import Protocol, load_default
from ..core.text import check_user
from ..i18n import _
from ..outputs import SQLITE_COMPANIONS
from . import audit, location, schema
from .assessments import Assessments
from .changes import ChangeLog
from .engine import ServerAddress, connect, is_server
from .fractions import Fractions
from .patients import Patients
from .recordings import Recordings
from .schedules import Schedules
from .tables import Tables

NO_ACCOUNT_YET = ("This database has no account yet: its administrator is created first (in the window, or "
                  "ari-desktop user add --login LOGIN --full-name \"NAME\" --role admin), then the accounts of the "
                  "unit.")
NOT_SIGNED_IN = "Sign in first: in the window, or ari-desktop login --user LOGIN, or give --user LOGIN."


def _built_on_first_use(module: str, part: str) -> cached_property:
    """A part of the store, imported and built the first time it is asked for."""

    def build(store):
        return getattr(import_module(f".{module}", __package__), part)(store)

    build.__doc__ = f"store.{part.lower()}: {part}, built on first use."
    return cached_property(build)


class Store:
    """An open ARI Desktop database. `user` is stamped on every write. A file this program may not
    write to (or any file, with `read_only`) is opened to be read: every write is refused."""

    def __init__(self, path: Path | str, user: str, protocol: Protocol | None = None,
                 today: Callable[[], date] = local_today, now: Callable[[], datetime] = local_now,
                 read_only: bool = False):
        self.server = is_server(path)
        self.path = ServerAddress(path) if self.server else Path(path)
        # Created there, a file would pass for another database's journal.
        for suffix in () if self.server else SQLITE_COMPANIONS:
            if self.path.name.endswith(suffix):
                raise StoreError(_("{path} is named like a file SQLite keeps beside a database (ending in {suffix}); "
                                   "give the database's own name.").format(path=self.path, suffix=suffix))
        self.user = check_user(user)
        self.protocol = protocol or load_default()
        self.today = today
        self.now = now
        # Every page is read once before the first write: the check at open only looks at the small tables
        # (a file's damage is SQLite's to find; a server keeps its own pages).
        self._pages_checked = self.server
        self._damage: StoreError | None = None
        self.read_only = read_only
        if self.server:
            self.db = self._connect_server()
        else:
            self._open_file()
        self.patients = Patients(self)
        self.schedules = Schedules(self)
        self.recordings = Recordings(self)
        self.assessments = Assessments(self)
        self.fractions = Fractions(self)
        self.changes = ChangeLog(self)
        self.tables = Tables(self)
        self.audit = audit.Audit(self)
        self._chain = audit.Chain()
        self._follow_protocol()

    # Parts the first window does not need are built on first use: their rules (toxicity, CTCAE,
    # counts, endpoints, password hashing) stay off the path that paints it.
    events = _built_on_first_use("events", "Events")
    counts = _built_on_first_use("counts", "Counts")
    labs = _built_on_first_use("counts", "Labs")
    toxicity = _built_on_first_use("toxicity", "Toxicity")
    accounts = _built_on_first_use("accounts", "Accounts")
    signatures = _built_on_first_use("signatures", "Signatures")
    results = _built_on_first_use("results", "Results")
    efficacy = _built_on_first_use("efficacy", "Efficacy")

    def _open_file(self) -> None:
        location.check_local(self.path)
        try:
            self.read_only = self.read_only or not _writable(self.path)
            if not schema.check_file(self.path):
                if self.read_only:
                    raise StoreError(_("{path} cannot be created: the folder {parent} is read-only here.").format(
                                         path=self.path, parent=self.path.parent))
                schema.create(self.path)
                self._pages_checked = True
            self.db = self._connect()
        except sqlite3.DatabaseError as error:
            raise unusable(self.path, error) from None
        except OSError as error:  # a name too long, a folder that cannot be read
            raise StoreError(_("{path} cannot be opened: {value}.").format(path=self.path,
                                                                           value=error.strerror or error)) from None

    def _connect_server(self):
        """The connection to the server database, brought to the current schema."""
        db = connect(self.path)
        try:
            if schema.server_pending(db):
                if self.read_only:
                    raise StoreError(_("{path} must be brought up to date first, which cannot be done by a store "
                                       "opened to be read.").format(path=self.path))
                schema.migrate_server(db)
        except BaseException:
            db.close()
            raise
        return db

    def _connect(self) -> sqlite3.Connection:
        """The connection the parts use, on a file brought to the current schema."""
        if self.read_only:
            db = schema.connect_read_only(self.path)
            db.isolation_level = None
        else:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                 timeout=schema.BUSY_SECONDS)
        try:
            if schema.pending_migrations(db):
                if self.read_only:
                    raise StoreError(_("{path} was written by an earlier version of ARI Desktop and must be brought "
                                       "up to date, which cannot be done here: it is read-only.").format(
                                         path=self.path))
                schema.migrate(self.path)
            db.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                db.execute("PRAGMA journal_mode = WAL")
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One user action: all of it is written, or none of it. Refused in a read-only or damaged file."""
        if self.db.in_transaction:
            yield
            return
        if self.read_only:
            raise read_only_refusal(self.path)
        if not self._pages_checked:
            try:
                schema.check_pages(self.path, self.db)
            except StoreError as error:
                self._damage = error
            except sqlite3.DatabaseError as error:
                raise self._refused(error) from None
            self._pages_checked = True
        if self._damage is not None:
            raise self._damage
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as error:
            raise self._refused(error) from None
        self._chain.forget()  # another program may have written since this one's last transaction
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as error:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            # A broken rule of the schema is the store's own mistake: it goes up as it is.
            if not isinstance(error, sqlite3.DatabaseError) or isinstance(error, sqlite3.IntegrityError):
                raise
            raise self._refused(error) from None

    def data_version(self) -> int:
        """A number that changes when another connection (the command line, another workstation) has written
        to the file since this one last looked, and not for this connection's own writes: a cheap check for
        a window to notice outside changes."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def refusal(self, error: BaseException) -> StoreError | None:
        """The sentence for an error SQLite raised while reading (None for any other error)."""
        return self._refused(error) if isinstance(error, sqlite3.DatabaseError) else None

    def _refused(self, error: sqlite3.DatabaseError) -> StoreError:
        """Once damage is found, every later write is refused."""
        refusal = unusable(self.path, error)
        if _is_damage(error):
            self._damage = refusal
        return refusal

    def _follow_protocol(self) -> None:
        """Rebuild every patient's schedule when the protocol file differs from the one the stored
        schedules were built from (a site edited it, or a new version shipped a revised one)."""
        if self._protocol_followed() or self.read_only:  # read-only: the stored schedules are shown
            return
        with self.transaction():
            row = self.db.execute("SELECT id, digest FROM protocol_in_use").fetchone()
            if self._protocol_followed():  # another program rebuilt them while this one waited
                return
            self.db.execute("DELETE FROM scheduled_items")  # derived rows only: rebuilt just below
            for patient_id, patient in self.patients.with_ids():
                self.schedules.rebuild(patient_id, patient.anchors, emptied=True)
            self.write("protocol_in_use", row[0] if row else None,
                        {"code": self.protocol.code, "version": self.protocol.version,
                         "digest": self.protocol.digest},
                        None if row is None else "protocol file changed: every schedule rebuilt")

    def _protocol_followed(self) -> bool:
        row = self.db.execute("SELECT digest FROM protocol_in_use").fetchone()
        return row is not None and row[0] == self.protocol.digest

    # -- the one write path ------------------------------------------------------------------

    def write(self, table: str, row_id: int | None, values: dict, reason: str | None = None,
              correction: bool = False) -> int:
        """Insert (row_id None) or update a row, and log old and new values: the one way the parts write.
        Only the columns whose value changes are updated and logged. The signed-in account must hold a role
        that may write the table (a `correction` of what was recorded: that may correct): core/roles.WRITES."""
        self._check_may(roles.write_action(table, correction))
        at = to_utc_text(self.now())
        if row_id is None:
            columns = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            row_id = self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id",
                                     list(values.values())).fetchone()[0]
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
        self._chain.append(self.db, at, self.user, table, row_id, "insert" if old is None else "update",
                           audit.logged(old), audit.logged(values), reason)
        if table in schema.CLINICAL_TABLES:  # what is kept of the patient is made again when next read
            patient = "?" if table == "patients" else f"(SELECT patient_id FROM {table} WHERE id = ?)"
            for kept in schema.KEPT_TABLES:
                self.db.execute(f"DELETE FROM {kept} WHERE patient_id = {patient}", [row_id])
        return row_id

    def _check_may(self, action: str | None) -> None:
        if action is None:
            return
        account = self.accounts.signed_in
        if account is None:
            raise roles.NotAllowed(NO_ACCOUNT_YET if not self.accounts.exist() else NOT_SIGNED_IN, "user")
        roles.check_may(account.roles, action, account.login)


def _writable(path: Path) -> bool:
    """Whether this program may write the file, and the -wal and -shm files beside it."""
    folder = path.parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def read_only_refusal(path: Path) -> StoreError:
    return StoreError(_("{path} is read-only here: you can look, not record.").format(path=path))


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    name = getattr(error, "sqlite_errorname", "")
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in str(error)


def unusable(path: Path, error: sqlite3.DatabaseError) -> StoreError:
    """One sentence for what SQLite said of the file: in use, read-only, damaged, or else its own words."""
    name = getattr(error, "sqlite_errorname", "")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(error):
        return StoreError(_("{path} is in use by another program (waited {seconds:g} seconds); close it there, "
                            "or try again in a moment.").format(path=path, seconds=schema.BUSY_SECONDS))
    if name.startswith("SQLITE_READONLY"):
        return read_only_refusal(path)
    if _is_damage(error):
        return schema.damaged(path, f"SQLite says: {error}")
    return StoreError(_("{path} could not be used (SQLite says: {error}).").format(path=path, error=error))
