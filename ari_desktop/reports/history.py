"""A patient's change history as people read it: who, when, which record, each field from what to
what, and why. The command line's text, the window's History and the printed history all show
these entries; values are written as on screen (yes/no, local time with its zone, units), never as
the stored codes of the change log (its JSON stays for `--json` and the export). The entries' own words
are in a language given (a printout's), else in the one spoken now; what was stored (values, reasons,
logins) is shown as stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from gettext import NullTranslations

from .. import i18n
from ..core.dates import from_utc_text
from ..core.protocol import Protocol
from ..i18n import N_, _
from ..store.changes import Change
from . import dictionary

NOTHING = "—"  # no value: before a record existed, or a value removed
# What each table's rows are, in the clinic's words, and the columns that tell one row from another.
RECORDS = {"patients": N_("Registration"), "recordings": N_("Recording"), "assessments": N_("Bedside assessment"),
           "fraction_decisions": N_("Go / hold decision"), "toxicity_events": N_("Toxicity event"),
           "blood_counts": N_("Blood count"), "tls_labs": N_("TLS labs"), "results": N_("Result"),
           "response_reviews": N_("Response review"), "progressions": N_("Progression")}
_NAMED_BY = {"recordings": ("timepoint", "activity"), "assessments": ("at",), "fraction_decisions": ("timepoint",),
             "toxicity_events": ("kind", "onset_date"), "blood_counts": ("measured_at",), "tls_labs": ("measured_at",),
             "results": ("timepoint", "activity"), "response_reviews": ("timepoint",), "progressions": ()}
_HIDDEN = {"patient_id"}  # the row number of the patient the history is about
ACTIONS = {"insert": N_("created"), "update": N_("corrected")}
YES, NO = N_("yes"), N_("no")


def words_of(lang: str | None) -> NullTranslations:
    """The catalog of `lang`, or of the language spoken now (the window's, the command line's) when None."""
    return i18n.catalog(lang or i18n.current())


def record_name(table: str, words: NullTranslations) -> str:
    """What a table's rows are, in `words`' language ("Registration"); a table it does not know, as named."""
    return words.gettext(RECORDS[table]) if table in RECORDS else table.replace("_", " ")


@dataclass(frozen=True)
class FieldChange:
    field: str  # "birth year"
    old: str | None  # None: the record was created here
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime  # local time
    user: str
    record: str  # "Registration", "Recording D+7 sbcma"
    action: str  # "created" or "corrected", in the entries' language
    fields: tuple[FieldChange, ...]
    reason: str | None

    @property
    def when(self) -> str:
        return moment_text(self.at)

    def change_lines(self) -> list[str]:
        """'birth year: 1961 → 1962' for each field; 'birth year: 1961' for a record created."""
        return [f"{f.field}: {f.new}" if f.old is None else f"{f.field}: {f.old} → {f.new}" for f in self.fields]

    def matches(self, text: str) -> bool:
        """Whether `text` (any case) is in what the entry shows: a filter box's test."""
        needle = text.strip().casefold()
        shown = [self.when, self.user, self.record, self.action, self.reason or "", *self.change_lines()]
        return not needle or any(needle in part.casefold() for part in shown)


def moment_text(moment: datetime) -> str:
    """A time as the clinic reads it: local, to the minute, with its zone (e.g. 2025-02-19 10:00 CET)."""
    local = moment.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or local.strftime('%z')}"


def value_text(table: str, column: str, value, words: NullTranslations | None = None) -> str:
    """A stored value as people read it: yes/no (in `words`' language, else the one spoken now), a time in
    local time, a number with its unit."""
    if value is None or value == "":
        return NOTHING
    described = dictionary.column(table, column)
    kind = described.kind if described else None
    if kind == dictionary.YES_NO:
        return yes_no(value, words or words_of(None))
    if kind == dictionary.MOMENT and isinstance(value, str):
        return moment_text(from_utc_text(value))
    if isinstance(value, float):
        value = f"{value:g}"
    unit = described.unit if described else None
    return f"{value} {unit}" if unit and not isinstance(value, bool) else str(value)


def yes_no(value, words: NullTranslations) -> str:
    return words.gettext(YES if value else NO)


def field_text(table: str, column: str) -> str:
    described = dictionary.column(table, column)
    return (described.label if described and described.label else column.replace("_", " "))


def _telling(table: str, column: str, value, protocol: Protocol | None, words: NullTranslations) -> str:
    """A naming value in the protocol's words where it has them ("Day +7", "Soluble BCMA")."""
    try:
        if protocol is not None and column == "timepoint":
            return protocol.timepoint(value).label
        if protocol is not None and column == "activity":
            return protocol.activity(value).label
    except KeyError:  # a code an older protocol file had: shown as stored
        pass
    return value_text(table, column, value, words)


def entries(changes: Iterable[Change], protocol: Protocol | None = None, lang: str | None = None) -> list[HistoryEntry]:
    """The changes of one patient (ChangeLog.of_patient), oldest first, as people read them in `lang` (None:
    the language spoken now). A correction names its record by what the record was created with (its
    timepoint, its time), in the words of `protocol` where given."""
    lang = lang or i18n.current()
    words = words_of(lang)
    if protocol is not None:
        protocol = protocol.in_language(lang)
    names: dict[tuple[str, int], str] = {}
    shown = []
    for change in changes:
        key = (change.table, change.row_id)
        if key not in names:
            telling = [_telling(change.table, c, change.new.get(c), protocol, words)
                       for c in _NAMED_BY.get(change.table, ()) if change.new.get(c) is not None]
            names[key] = " ".join([record_name(change.table, words), *telling])
        old = change.old or {}
        fields = tuple(
            FieldChange(field_text(change.table, column),
                        value_text(change.table, column, old.get(column), words) if change.old is not None else None,
                        value_text(change.table, column, value, words))
            for column, value in change.new.items()
            if column not in _HIDDEN and not (change.old is None and value in (None, "")))
        shown.append(HistoryEntry(change.at.astimezone(), change.user, names[key],
                                  words.gettext(ACTIONS[change.action]), fields, change.reason))
    return shown


def text_lines(history: list[HistoryEntry]) -> list[str]:
    """The history for a terminal: one block per change, the time, who and the record on its first
    line, each field under it (names aligned), then why."""
    lines = []
    for entry in history:
        lines.append(f"{entry.when}  {entry.user}  {entry.record} {entry.action}")
        width = max((len(f.field) for f in entry.fields), default=0)
        for f in entry.fields:
            value = f.new if f.old is None else f"{f.old} → {f.new}"
            lines.append(f"    {f.field:<{width}}  {value}")
        lines.append("    " + (_("why: {reason}").format(reason=entry.reason) if entry.reason
                                 else _("why: (no reason given)")))
    return lines
