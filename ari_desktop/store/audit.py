"""The audit trail: the change log's hash chain, and the events that are not a change of a record
(log-ins, failed log-ins, log-outs, restores, exports, prints), which are written as rows of
`audit_events` through the store's one write path, so the same chain covers them.

One reading of it (`Audit.trail`): every entry of the change log, of one patient, by one user, of one
kind and between two local days, filtered in SQL so that a large file's log is read a page at a time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..core.audit import CHAIN_START, Entry, entry_hash, first_break
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError
from ..i18n import N_, _
from .changes import OF_PATIENT
from .part import Part
from .schema import CLINICAL_TABLES

# Columns whose values the change log does not copy: it says they changed, never what to.
NOT_LOGGED = frozenset({"password_hash", "token_hash"})
HIDDEN = "(not kept in the log)"

_ENTRY_COLUMNS = 'id, at, "user", table_name, row_id, action, old_values, new_values, reason, previous_hash, hash'


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
# A LIMIT that is no limit, on both engines (SQLite reads -1 so; the server refuses it).
_ALL = 2**62


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


@dataclass(frozen=True)
class Kind:
    """A kind of audit-trail entry, in the clinic's words: the tables it changes, or its event."""

    code: str  # as typed after --kind
    label: str
    tables: tuple[str, ...] = ()
    event: str | None = None  # an event of audit_events


EXPORT, PRINT = "export", "print"
KINDS = (
    Kind("record", N_("Record change"), CLINICAL_TABLES),
    Kind("signature", N_("Signature"), ("signatures",)),
    Kind("log-in", N_("Log-in"), event="log-in"),
    Kind("failed-log-in", N_("Failed log-in"), event="log-in failed"),
    Kind("log-out", N_("Log-out"), event="log-out"),
    Kind("role", N_("Role change"), ("role_grants",)),
    Kind("account", N_("Account change"), ("accounts", "sessions")),
    Kind(EXPORT, N_("Export"), event=EXPORT),
    Kind(PRINT, N_("Print"), event=PRINT),
    Kind("restore", N_("Restore"), event="restore"),
    Kind("protocol", N_("Protocol file"), ("protocol_in_use",)),
)
KIND_CODES = tuple(k.code for k in KINDS)
_BY_TABLE = {table: kind for kind in KINDS for table in kind.tables}
_BY_EVENT = {kind.event: kind for kind in KINDS if kind.event}
OTHER = Kind("other", N_("Other"))


def kind_of(table: str, event: str | None) -> Kind:
    return _BY_EVENT.get(event, OTHER) if table == "audit_events" else _BY_TABLE.get(table, OTHER)


@dataclass(frozen=True)
class TrailFilter:
    """Which entries to read: None is any. `start` and `end` are local days, both included."""

    patient: str | None = None
    user: str | None = None
    kind: str | None = None
    start: date | None = None
    end: date | None = None

    def check(self) -> TrailFilter:
        if self.kind is not None and self.kind not in KIND_CODES:
            raise ClinicalInputError(_("'{kind}' is not a kind of audit-trail entry; the kinds are {kinds}.").format(
                                         kind=self.kind, kinds=', '.join(KIND_CODES)), "kind")
        if self.start and self.end and self.start > self.end:
            raise ClinicalInputError(_("The from date {start} is after the to date {end}.").format(
                                         start=self.start, end=self.end), "from")
        return self

    def described(self) -> str:
        """'patient ARI-014 · user nuria · Print · from 2025-03-01 to 2025-03-10', or 'every entry'."""
        parts = [f"patient {self.patient}" if self.patient else "", f"user {self.user}" if self.user else "",
                 next(k.label for k in KINDS if k.code == self.kind) if self.kind else "",
                 f"from {self.start}" if self.start else "", f"to {self.end}" if self.end else ""]
        return " · ".join(p for p in parts if p) or "every entry"


@dataclass(frozen=True)
class TrailEntry:
    """One entry of the audit trail as read for people: who is the login that acted (for an event, its
    login: the account that signed in, failed to, printed...), with the account's full name."""

    id: int  # the entry's number in the change log (audit verify names it)
    at: datetime  # local time
    login: str
    full_name: str | None  # None: not an account (a name typed before accounts existed)
    kind: Kind
    table: str
    row_id: int
    action: str  # insert or update
    old: dict | None
    new: dict
    reason: str | None
    patient: str | None  # the study ID of the patient the entry concerns
    account: str | None  # the login of the account an account, session or role change concerns
    role: str | None  # the role a role change concerns


# The study ID of the patient an entry concerns: its registration, a record about them, or a signature
# of one (an event names no patient).
_PATIENT_ROW = "CASE c.table_name WHEN 'patients' THEN c.row_id " + " ".join(
    f"WHEN '{table}' THEN (SELECT patient_id FROM {table} WHERE id = c.row_id)"
    for table in CLINICAL_TABLES if table != "patients") + (
    " WHEN 'signatures' THEN CASE json_extract(c.new_values, '$.table_name')"
    " WHEN 'assessments' THEN (SELECT patient_id FROM assessments"
    " WHERE id = CAST(json_extract(c.new_values, '$.row_id') AS INTEGER))"
    " WHEN 'fraction_decisions' THEN (SELECT patient_id FROM fraction_decisions"
    " WHERE id = CAST(json_extract(c.new_values, '$.row_id') AS INTEGER)) END END")
_ACCOUNT = ("CASE c.table_name WHEN 'accounts' THEN (SELECT login FROM accounts WHERE id = c.row_id)"
            " WHEN 'role_grants' THEN (SELECT a.login FROM role_grants g JOIN accounts a ON a.id = g.account_id"
            " WHERE g.id = c.row_id)"
            " WHEN 'sessions' THEN (SELECT a.login FROM sessions s JOIN accounts a ON a.id = s.account_id"
            " WHERE s.id = c.row_id) END")
_ROLE = "CASE c.table_name WHEN 'role_grants' THEN (SELECT role FROM role_grants WHERE id = c.row_id) END"
# Who acted: an event's login, else the user the entry is stamped with.
_WHO = "CASE c.table_name WHEN 'audit_events' THEN json_extract(c.new_values, '$.login') ELSE c.\"user\" END"
_TRAIL_COLUMNS = (f"c.id, c.at, {_WHO}, c.table_name, c.row_id, c.action, c.old_values, c.new_values, c.reason, "
                  f"(SELECT study_id FROM patients WHERE id = {_PATIENT_ROW}), {_ACCOUNT}, {_ROLE}")


def _local_midnight(day: date) -> str:
    return to_utc_text(datetime.combine(day, time()).astimezone())


class Audit(Part):
    def record(self, event: str, login: str, detail: str | None = None) -> None:
        """An event of the audit trail that is not a change of a record (a log-in, a restore)."""
        self.store.write("audit_events", None, {"at": to_utc_text(self.store.now()), "login": login, "event": event,
                                                "detail": detail})

    def exported(self, what: str, where) -> None:
        """An export written (the tables, the audit trail as CSV...): by the user working, what and to where.
        Every front end calls this once the files are written."""
        self._output(EXPORT, what, where)

    def printed(self, what: str, where) -> None:
        """A printout sent to a printer or saved as a PDF: by the user working, what and to where."""
        self._output(PRINT, what, where)

    def _output(self, event: str, what: str, where) -> None:
        with self.store.transaction():
            self.record(event, self.store.user, f"{what} → {where}")

    def trail(self, chosen: TrailFilter = TrailFilter(), limit: int | None = None, offset: int = 0, after: int = 0
              ) -> list[TrailEntry]:
        """The entries `chosen`, oldest first: `limit` of them (None: all) after the first `offset`, of those
        after entry number `after` (a large trail is read a batch at a time, each after the last read)."""
        where, params = self._where(chosen.check())
        where, params["after"] = f"c.id > :after AND ({where})", after
        names = dict(self.db.execute("SELECT login, full_name FROM accounts"))
        rows = self.db.execute(f"SELECT {_TRAIL_COLUMNS} FROM change_log c WHERE {where} ORDER BY c.id"
                               " LIMIT :limit OFFSET :offset", {**params, "limit": _ALL if limit is None else limit,
                                                                "offset": offset})
        entries = []
        for entry_id, at, who, table, row_id, action, old, new, reason, patient, account, role in rows:
            new = json.loads(new)
            entries.append(TrailEntry(entry_id, from_utc_text(at), who, names.get(who),
                                      kind_of(table, new.get("event") if table == "audit_events" else None),
                                      table, row_id, action, json.loads(old) if old else None, new, reason, patient,
                                      account, role))
        return entries

    def each(self, chosen: TrailFilter = TrailFilter()) -> Iterator[TrailEntry]:
        """Every entry `chosen`, oldest first, read a batch at a time (a large trail need not fit in memory)."""
        last = 0
        while batch := self.trail(chosen, _BATCH, after=last):
            yield from batch
            last = batch[-1].id

    def count(self, chosen: TrailFilter = TrailFilter()) -> int:
        where, params = self._where(chosen.check())
        return self.db.execute(f"SELECT count(*) FROM change_log c WHERE {where}", params).fetchone()[0]

    def _where(self, chosen: TrailFilter) -> tuple[str, dict]:
        where, params = [], {}
        if chosen.patient:
            patient_id, patient = self.store.patients.require(chosen.patient)
            study_id = patient.study_id
            # Its records, the signatures of them, and the prints and exports that name it (as a word).
            where.append(f"({OF_PATIENT} OR (table_name = 'signatures' AND ("
                         "(json_extract(new_values, '$.table_name') = 'assessments' AND CAST(json_extract(new_values, "
                         "'$.row_id') AS INTEGER) IN (SELECT id FROM assessments WHERE patient_id = :patient)) OR "
                         "(json_extract(new_values, '$.table_name') = 'fraction_decisions' AND CAST(json_extract("
                         "new_values, '$.row_id') AS INTEGER) IN (SELECT id FROM fraction_decisions"
                         " WHERE patient_id = :patient))"
                         ")) OR (table_name = 'audit_events' AND ' ' || json_extract(new_values, '$.detail') || ' '"
                         " LIKE :named ESCAPE '\\'))")
            escaped = study_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params.update(patient=patient_id, named=f"% {escaped} %")
        if chosen.user:
            where.append(f"{_WHO} = :user")
            params["user"] = chosen.user.strip()
        if chosen.kind:
            kind = next(k for k in KINDS if k.code == chosen.kind)
            if kind.event:
                where.append("table_name = 'audit_events' AND json_extract(new_values, '$.event') = :event")
                params["event"] = kind.event
            else:
                where.append(f"table_name IN ({', '.join(repr(t) for t in kind.tables)})")
        if chosen.start:
            where.append("at >= :start")
            params["start"] = _local_midnight(chosen.start)
        if chosen.end:
            where.append("at < :end")
            params["end"] = _local_midnight(chosen.end + timedelta(days=1))
        return " AND ".join(f"({w})" for w in where) or "1 = 1", params

    def verify(self) -> tuple[int, str | None]:
        return verify_connection(self.db)
