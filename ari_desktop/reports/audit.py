"""The audit trail as people read it (the command line, the window's Audit view, its PDF and CSV):
when in local time with the zone, who (login and full name), the kind of entry, the patient, what
happened, each field from what to what, and why. Values are written as on screen (reports.history);
the stored JSON stays for `--json`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core.dates import from_utc_text, to_utc_text
from ..outputs import check_output_file, is_earlier_export, write_atomically
from ..store.audit import TrailEntry
from .history import RECORDS, field_text, moment_text, value_text

_NOT_SHOWN = {"patient_id", "account_id", "token_hash"}  # row numbers, and a secret's "(not kept in the log)"
_SIGNED = {"assessments": "assessment", "fraction_decisions": "go / hold decision"}


@dataclass(frozen=True)
class AuditLine:
    entry: int
    at_utc: str
    when: str  # local time with the zone
    who: str  # "nuria (Nuria López)"
    kind: str  # "Record change", "Print"
    patient: str
    what: str
    changes: tuple[str, ...]  # "birth year: 1961 → 1962", "timepoint: D+7" for a record created
    reason: str


def who_text(entry: TrailEntry) -> str:
    return f"{entry.login} ({entry.full_name})" if entry.full_name else entry.login


def line(entry: TrailEntry) -> AuditLine:
    return AuditLine(entry.id, to_utc_text(entry.at), moment_text(entry.at), who_text(entry), entry.kind.label,
                     entry.patient or "", _what(entry), _changes(entry), entry.reason or "")


def lines(entries: Iterable[TrailEntry]) -> list[AuditLine]:
    return [line(e) for e in entries]


def _what(entry: TrailEntry) -> str:
    new, created = entry.new, entry.action == "insert"
    if entry.table == "audit_events":
        return new.get("detail") or ""  # the kind says the rest: a log-in, a print
    if entry.table == "signatures":
        return (f"Signed {_SIGNED.get(new.get('table_name'), new.get('table_name'))} {new.get('row_id')} as "
                f"{new.get('meaning')} ({new.get('full_name')})")
    if entry.table == "role_grants":
        return (f"Role {entry.role} granted to {entry.account}" if created
                else f"Role {entry.role} revoked from {entry.account}")
    if entry.table == "accounts":
        return f"Account {entry.account} {'created' if created else 'changed'}"
    if entry.table == "sessions":
        return f"Session of {entry.account} {'started' if created else 'ended'}"
    record = RECORDS.get(entry.table, entry.table.replace("_", " "))
    return f"{record} {entry.row_id} {'created' if created else 'corrected'}"


def _changes(entry: TrailEntry) -> tuple[str, ...]:
    if entry.table in ("audit_events", "signatures", "role_grants", "sessions"):
        return ()  # said in full by what
    old = entry.old or {}
    shown = []
    for column, value in entry.new.items():
        if column in _NOT_SHOWN or (entry.old is None and value in (None, "")):
            continue
        new = _value(entry.table, column, value)
        label = field_text(entry.table, column)
        shown.append(f"{label}: {new}" if entry.old is None else
                     f"{label}: {_value(entry.table, column, old.get(column))} → {new}")
    return tuple(shown)


# An account's columns the data dictionary does not describe: yes/no, and times.
_ACCOUNT_YES_NO = {"active", "must_change_password"}
_ACCOUNT_TIMES = {"locked_until", "created_at"}


def _value(table: str, column: str, value) -> str:
    if table == "accounts" and value is not None:
        if column in _ACCOUNT_YES_NO:
            return "yes" if value else "no"
        if column in _ACCOUNT_TIMES:
            return moment_text(from_utc_text(value))
    return value_text(table, column, value)


def as_json(entry: TrailEntry) -> dict:
    shown = line(entry)
    return {"entry": entry.id, "at": shown.at_utc, "local_time": shown.when, "login": entry.login,
            "full_name": entry.full_name, "kind": entry.kind.code, "patient": entry.patient, "what": shown.what,
            "table": entry.table, "row": entry.row_id, "action": entry.action, "old": entry.old, "new": entry.new,
            "reason": entry.reason}


# -- CSV ------------------------------------------------------------------------------------------

CSV_COLUMNS = ("entry", "time_utc", "local_time", "login", "full_name", "kind", "patient", "what", "changes",
               "reason")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # as reports.export: what Excel would run as a formula


def _as_text(value: str) -> str:
    """A text Excel would run as a formula, after an apostrophe: a reason typed '=HYPERLINK(...)' stays text."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def check_csv_output(out: Path | str, database: Path | None) -> Path:
    """The CSV path to write: never the database, a folder or a device; an existing file only when it is
    a CSV that ARI Desktop wrote (its first line is a header of column names)."""
    return check_output_file(out, database, "CSV", is_earlier_export, "a CSV written by ARI Desktop")


def write_csv(store, chosen, out: Path | str) -> int:
    """Write the entries `chosen` (a TrailFilter) as CSV (UTF-8 with BOM, for Excel as for R), read a batch
    at a time; how many were written. The file is checked before it is touched, and written whole."""
    path = check_csv_output(out, store.path)
    chosen.check()

    def write(temporary: Path) -> int:
        count = 0
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for e in store.audit.each(chosen):
                shown = line(e)
                writer.writerow([shown.entry, shown.at_utc, *map(_as_text, (
                    shown.when, e.login, e.full_name or "", shown.kind, shown.patient, shown.what,
                    "\n".join(shown.changes), shown.reason))])
                count += 1
        return count

    return write_atomically(path, write)
