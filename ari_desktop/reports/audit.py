"""The audit trail as people read it (the command line, the window's Audit view, its PDF and CSV):
when in local time with the zone, who (login and full name), the kind of entry, the patient, what
happened, each field from what to what, and why. Values are written as on screen (reports.history);
the stored JSON stays for `--json`. Its words are in a language given (a printout's), else in the one
spoken now; `--json` and what was stored (details, reasons, logins, names) are not translated.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from gettext import NullTranslations
from pathlib import Path

from ..core.dates import from_utc_text, to_utc_text
from ..i18n import N_
from ..outputs import check_output_file, is_earlier_export, write_atomically
from ..store.audit import KINDS, TrailEntry, TrailFilter
from .history import field_text, moment_text, record_name, value_text, words_of, yes_no

_NOT_SHOWN = {"patient_id", "account_id", "token_hash"}  # row numbers, and a secret's "(not kept in the log)"
# What a signature signs, as its sentence names it.
_SIGNED = {"assessments": N_("Signed assessment {row} as {meaning} ({full_name})"),
           "fraction_decisions": N_("Signed go / hold decision {row} as {meaning} ({full_name})")}


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


def line(entry: TrailEntry, lang: str | None = None) -> AuditLine:
    """The entry as people read it, in `lang` (None: the language spoken now)."""
    words = words_of(lang)
    return AuditLine(entry.id, to_utc_text(entry.at), moment_text(entry.at), who_text(entry),
                     words.gettext(entry.kind.label), entry.patient or "", _what(entry, words), _changes(entry, words),
                     entry.reason or "")


def lines(entries: Iterable[TrailEntry], lang: str | None = None) -> list[AuditLine]:
    return [line(e, lang) for e in entries]


def described(chosen: TrailFilter, lang: str | None = None) -> str:
    """The filter in `lang` (None: the language spoken now): 'patient ARI-014 · user nuria · Print · from
    2025-03-01 to 2025-03-10', or 'every entry'."""
    words = words_of(lang)
    kind = next((k.label for k in KINDS if k.code == chosen.kind), None)
    parts = [words.gettext(N_("patient {study_id}")).format(study_id=chosen.patient) if chosen.patient else "",
             words.gettext(N_("user {login}")).format(login=chosen.user) if chosen.user else "",
             words.gettext(kind) if kind else "",
             words.gettext(N_("from {day}")).format(day=chosen.start) if chosen.start else "",
             words.gettext(N_("to {day}")).format(day=chosen.end) if chosen.end else ""]
    return " · ".join(p for p in parts if p) or words.gettext(N_("every entry"))


def _what(entry: TrailEntry, words: NullTranslations) -> str:
    new, created = entry.new, entry.action == "insert"
    if entry.table == "audit_events":
        return new.get("detail") or ""  # the kind says the rest: a log-in, a print
    if entry.table == "signatures":
        table, fields = new.get("table_name"), {"row": new.get("row_id"), "meaning": new.get("meaning"),
                                                "full_name": new.get("full_name")}
        if table in _SIGNED:
            return words.gettext(_SIGNED[table]).format(**fields)
        return words.gettext(N_("Signed {record} {row} as {meaning} ({full_name})")).format(record=table, **fields)
    if entry.table == "role_grants":
        said = N_("Role {role} granted to {login}") if created else N_("Role {role} revoked from {login}")
        return words.gettext(said).format(role=entry.role, login=entry.account)
    if entry.table == "accounts":
        said = N_("Account {login} created") if created else N_("Account {login} changed")
        return words.gettext(said).format(login=entry.account)
    if entry.table == "sessions":
        said = N_("Session of {login} started") if created else N_("Session of {login} ended")
        return words.gettext(said).format(login=entry.account)
    said = N_("{record} {row} created") if created else N_("{record} {row} corrected")
    return words.gettext(said).format(record=record_name(entry.table, words), row=entry.row_id)


def _changes(entry: TrailEntry, words: NullTranslations) -> tuple[str, ...]:
    if entry.table in ("audit_events", "signatures", "role_grants", "sessions"):
        return ()  # said in full by what
    old = entry.old or {}
    shown = []
    for column, value in entry.new.items():
        if column in _NOT_SHOWN or (entry.old is None and value in (None, "")):
            continue
        new = _value(entry.table, column, value, words)
        label = field_text(entry.table, column)
        shown.append(f"{label}: {new}" if entry.old is None else
                     f"{label}: {_value(entry.table, column, old.get(column), words)} → {new}")
    return tuple(shown)


# An account's columns the data dictionary does not describe: yes/no, and times.
_ACCOUNT_YES_NO = {"active", "must_change_password"}
_ACCOUNT_TIMES = {"locked_until", "created_at"}


def _value(table: str, column: str, value, words: NullTranslations) -> str:
    if table == "accounts" and value is not None:
        if column in _ACCOUNT_YES_NO:
            return yes_no(value, words)
        if column in _ACCOUNT_TIMES:
            return moment_text(from_utc_text(value))
    return value_text(table, column, value, words)


def as_json(entry: TrailEntry) -> dict:
    shown = line(entry, "en")  # JSON is for machines: its text is the same whatever the language
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
