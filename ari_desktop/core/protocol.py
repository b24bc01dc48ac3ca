"""A trial protocol as data: timepoints, activities and the matrix between them.

The protocol file (TOML, in resources/protocols/) is validated on load; a mistake is reported with
the line and field at fault, so a unit can write its own protocol without touching code.

The file is written in English; it may give the words of Spanish and Catalan for the printouts:
`title_es` in [protocol], `es = { label, sample, tube, lab }` in an [[activity]] and
`es = { label, notes = { activity = "..." } }` in a [[timepoint]], and `title_ca`, `ca = {...}` beside them.
The days [[daily]] generates are labelled by rule (`day_label`). `Protocol.in_language("es")` gives the
protocol with those words in place of the English ones, the English kept wherever no translation is given.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from .. import i18n
from ..i18n import N_
from ..paths import shipped
from .errors import ProtocolError

ANCHORS = ("screening", "day0", "booster")
KINDS = ("sample", "assessment", "visit", "infusion")
CONDITIONS = ("extramedullary",)
# Where a sample comes from: blood drawn at the phlebotomy round (serum, plasma, whole blood), or a
# bone-marrow aspirate the physician takes (never counted as a blood tube).
BLOOD, BONE_MARROW = "blood", "bone_marrow"
SPECIMENS = (BLOOD, BONE_MARROW)
TRANSLATIONS = ("es", "ca")  # languages a protocol file may give words in, besides its own English
ACTIVITY_TEXT_FIELDS = ("label", "sample", "tube", "lab")
TIMEPOINT_TEXT_FIELDS = ("label", "notes")
_CODE_PREFIX = {"screening": "SCR", "day0": "D", "booster": "B"}
# [counts]: the site laboratory's lower limits of normal (CTCAE grade 1 starts below them), each
# with the default used when the file does not give it and the range a plausible one lies in.
COUNT_LIMITS = {
    "neutrophils_lln": (2.0, 0.5, 10.0, "×10⁹/L"),
    "platelets_lln": (150.0, 50.0, 500.0, "×10⁹/L"),
    "haemoglobin_lln_women": (12.0, 8.0, 20.0, "g/dL"),
    "haemoglobin_lln_men": (13.0, 8.0, 20.0, "g/dL"),
}


@dataclass(frozen=True)
class ActivityText:
    """An activity's words in another language; None where the file gives none (the English is used)."""

    label: str | None = None
    sample: str | None = None
    tube: str | None = None
    lab: str | None = None


@dataclass(frozen=True)
class TimepointText:
    """A timepoint's words in another language: its label and its notes (activity, text)."""

    label: str | None = None
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Activity:
    code: str
    label: str
    kind: str
    sample: str | None = None
    tube: str | None = None
    volume_ml: float | None = None
    lab: str | None = None
    condition: str | None = None
    site_default: bool = False
    translations: tuple[tuple[str, ActivityText], ...] = ()  # (language, words)
    specimen: str | None = None  # a sample's: one of SPECIMENS

    @property
    def on_phlebotomy_tray(self) -> bool:
        """A tube drawn at the blood draw: a bone-marrow aspirate is taken by the physician, not drawn."""
        return self.kind == "sample" and bool(self.tube) and self.specimen != BONE_MARROW

    def in_language(self, lang: str) -> Activity:
        """This activity with its words in `lang` (English where the file gives none)."""
        text = dict(self.translations).get(lang)
        if text is None:
            return self
        return replace(self, label=text.label or self.label, sample=text.sample or self.sample,
                       tube=text.tube or self.tube, lab=text.lab or self.lab)


@dataclass(frozen=True)
class Timepoint:
    code: str
    label: str
    anchor: str
    day: int
    window_before: int
    window_after: int
    activities: tuple[str, ...]
    notes: tuple[tuple[str, str], ...] = ()
    # (activity, days before, days after) for an activity whose window differs from the
    # timepoint's: the daily toxicity assessment is always on its exact day.
    activity_windows: tuple[tuple[str, int, int], ...] = ()
    translations: tuple[tuple[str, TimepointText], ...] = ()  # (language, words)

    def in_language(self, lang: str) -> Timepoint:
        """This timepoint with its label and notes in `lang` (English where the file gives none)."""
        text = dict(self.translations).get(lang)
        if text is None:
            return self
        notes = dict(self.notes) | dict(text.notes)
        return replace(self, label=text.label or self.label, notes=tuple(sorted(notes.items())))

    def note_for(self, activity: str) -> str | None:
        return dict(self.notes).get(activity)

    def window_for(self, activity: str) -> tuple[int, int]:
        """(days before, days after) the target date for this activity."""
        for code, before, after in self.activity_windows:
            if code == activity:
                return before, after
        return self.window_before, self.window_after


@dataclass(frozen=True)
class Protocol:
    code: str
    title: str
    version: str
    month_days: int
    conventions: str
    held_fraction_max_delay_days: int
    go_decision_before: tuple[str, ...]
    booster_earliest_day: int
    # The go / hold gate (core/gate.py): CRS or ICANS at or above these grades, at an assessment of the
    # last active_toxicity_hours, is active toxicity; a go is valid go_valid_hours before the aliquot;
    # at least min_hours_between_fractions between the given times of two aliquots.
    active_crs_grade: int
    active_icans_grade: int
    active_toxicity_hours: int
    go_valid_hours: int
    min_hours_between_fractions: int
    late_fraction_moves_next: bool
    toxicity_days_after_infusion: int
    toxicity_days_after_booster: int
    inpatient_cadence_hours: int
    prolonged_cytopenia_after_day: int
    activities: tuple[Activity, ...]
    timepoints: tuple[Timepoint, ...]
    digest: str = ""  # sha256 of the file's text: tells the store when to rebuild schedules
    titles: tuple[tuple[str, str], ...] = ()  # (language, title) besides the English
    # [counts] lower limits of normal: name -> value (see COUNT_LIMITS)
    count_lln: tuple[tuple[str, float], ...] = tuple((name, spec[0]) for name, spec in COUNT_LIMITS.items())

    def in_language(self, lang: str) -> Protocol:
        """The protocol with its title, activities and timepoints in `lang`, English wherever the
        file gives no translation; the same object for English. Dates and windows are unchanged."""
        if lang == "en":
            return self
        if lang not in self._languages:
            self._languages[lang] = replace(
                self, title=dict(self.titles).get(lang, self.title),
                activities=tuple(a.in_language(lang) for a in self.activities),
                timepoints=tuple(t.in_language(lang) for t in self.timepoints))
        return self._languages[lang]

    @cached_property
    def _languages(self) -> dict[str, Protocol]:
        return {}

    def activity(self, code: str) -> Activity:
        return self._activities_by_code[code]

    def timepoint(self, code: str) -> Timepoint:
        return self._timepoints_by_code[code]

    @property
    def activity_codes(self) -> frozenset[str]:
        return frozenset(self._activities_by_code)

    @cached_property
    def _activities_by_code(self) -> dict[str, Activity]:
        return {a.code: a for a in self.activities}

    @cached_property
    def _timepoints_by_code(self) -> dict[str, Timepoint]:
        return {t.code: t for t in self.timepoints}

    @property
    def window_lengths(self) -> frozenset[int]:
        """Every length (days from window start to end) an item's window can have, a held fraction's
        included: lets the store find a day's open items with exact indexed ranges."""
        lengths = {sum(t.window_for(a)) for t in self.timepoints for a in t.activities}
        for code in self.go_decision_before:
            before, after = self.timepoint(code).window_for("infusion")
            lengths.add(before + max(after, self.held_fraction_max_delay_days))
        return frozenset(lengths)

    @property
    def go_decision_days(self) -> str:
        """The fractions that need a go, as the window says them: "D+3 or D+7"."""
        return " or ".join(self.go_decision_before)

    @property
    def booster_earliest(self) -> str:
        """The earliest booster day as a code: "D+100"."""
        return day_code("day0", self.booster_earliest_day)

    @property
    def earliest_day_before_infusion(self) -> int:
        """How many days before day 0 the first pre-infusion item (lymphodepletion) falls."""
        return max([0] + [-t.day for t in self.timepoints if t.anchor == "day0"])


SHIPPED_FILE = "protocols/ari0002h.toml"


def shipped_text() -> str:
    """The text of the shipped ARI0002h protocol file."""
    return shipped("resources").joinpath(SHIPPED_FILE).read_text("utf-8")


def load_default() -> Protocol:
    """The shipped ARI0002h protocol."""
    return parse(shipped_text(), "ari0002h.toml")


def load(path: Path) -> Protocol:
    return parse(path.read_text("utf-8"), str(path))


def parse(text: str, source: str = "protocol") -> Protocol:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProtocolError(f"{source}: {error}") from None
    return replace(_Reader(text, source).protocol(data), digest=hashlib.sha256(text.encode()).hexdigest())


class _Reader:
    """Turns the parsed TOML into a Protocol, locating each fault on its line."""

    def __init__(self, text: str, source: str):
        self.lines = text.splitlines()
        self.source = source

    def fail(self, table: str, index: int | None, field: str, expected: str) -> ProtocolError:
        line = self._line_of(table, index, field)
        where = f"[[{table}]] #{index + 1}" if index is not None else f"[{table}]"
        return ProtocolError(f"{self.source}, line {line}: {where} field '{field}': {expected}.")

    def _line_of(self, table: str, index: int | None, field: str) -> int:
        """The line of `field` in the row: a dotted field ('es.label') is found as a dotted key, in an
        [activity.es] sub-table, or else on the line of its inline table (`es = { ... }`)."""
        header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(#.*)?$")
        sub_table = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\.\s*([\w.\s-]+?)\s*\]\s*(#.*)?$")
        key = re.compile(r"^\s*([\w-]+(?:\s*\.\s*[\w-]+)*)\s*=")
        starts = [n for n, line in enumerate(self.lines) if header.match(line)]
        if not starts:
            return 1
        start = starts[index or 0] if (index or 0) < len(starts) else starts[-1]
        wanted = field.split(".")
        best, prefix = None, []
        for n in range(start + 1, len(self.lines)):
            line = self.lines[n]
            if line.lstrip().startswith("["):
                inner = sub_table.match(line)
                if inner is None:
                    break
                prefix = [part.strip() for part in inner.group(1).split(".")]
                continue
            found = key.match(line)
            if found is None:
                continue
            path = prefix + [part.strip() for part in found.group(1).split(".")]
            if path == wanted:
                return n + 1
            if best is None and path == wanted[:len(path)]:
                best = n + 1
        return best or start + 1

    def get(self, table: dict, name: str, index: int | None, field: str, kind, expected: str,
            default=None, required: bool = True):
        if field not in table:
            if required:
                raise self.fail(name, index, field, f"missing; expected {expected}")
            return default
        value = table[field]
        if kind is int and isinstance(value, bool) or not isinstance(value, kind):
            raise self.fail(name, index, field, f"expected {expected}, found {value!r}")
        return value

    def _getter(self, table: dict, name: str, index: int):
        """`get` for one row of a table array, reading a text field unless told otherwise."""
        def get(field: str, kind=str, expected: str = "a text", **options):
            return self.get(table, name, index, field, kind, expected, **options)
        return get

    def protocol(self, data: dict) -> Protocol:
        head = self._table(data, "protocol")
        conventions = self._table(data, "conventions")
        infusion = self._table(data, "infusion")
        toxicity = self._table(data, "toxicity")
        count = self._count
        activities = self._activities(data.get("activity", []))
        settings = {
            "first_infusion_days": count(toxicity, "toxicity", "first_infusion_days"),
            "booster_days": count(toxicity, "toxicity", "booster_days"),
        }
        timepoints = self._timepoints(
            data.get("timepoint", []), data.get("daily", []), activities,
            count(conventions, "conventions", "month_days"), settings,
        )
        return Protocol(
            code=self.get(head, "protocol", None, "code", str, "a text"),
            title=self.get(head, "protocol", None, "title", str, "a text"),
            version=self.get(head, "protocol", None, "version", str, "a text"),
            month_days=count(conventions, "conventions", "month_days"),
            conventions=self.get(conventions, "conventions", None, "description", str, "a text"),
            held_fraction_max_delay_days=count(infusion, "infusion", "held_fraction_max_delay_days"),
            go_decision_before=self._go_decisions(infusion, timepoints),
            booster_earliest_day=count(infusion, "infusion", "booster_earliest_day"),
            active_crs_grade=self._grade(infusion, "active_crs_grade"),
            active_icans_grade=self._grade(infusion, "active_icans_grade"),
            active_toxicity_hours=count(infusion, "infusion", "active_toxicity_hours"),
            go_valid_hours=self._hours(infusion, "go_valid_hours"),
            min_hours_between_fractions=count(infusion, "infusion", "min_hours_between_fractions"),
            late_fraction_moves_next=self._moves_next(infusion),
            toxicity_days_after_infusion=settings["first_infusion_days"],
            toxicity_days_after_booster=settings["booster_days"],
            inpatient_cadence_hours=count(toxicity, "toxicity", "inpatient_cadence_hours"),
            prolonged_cytopenia_after_day=count(toxicity, "toxicity", "prolonged_cytopenia_after_day"),
            activities=tuple(activities.values()),
            timepoints=timepoints,
            titles=tuple((lang, title) for lang in TRANSLATIONS if (title := self.get(
                head, "protocol", None, f"title_{lang}", str, "a text", required=False)) is not None),
            count_lln=self._count_limits(data.get("counts", {})),
        )

    def _count_limits(self, table) -> tuple[tuple[str, float], ...]:
        """The optional [counts] table: each lower limit of normal a plausible number, or its default."""
        if not isinstance(table, dict):
            raise ProtocolError(f"{self.source}: [counts] must be a table of lower limits of normal.")
        for field in table:
            if field not in COUNT_LIMITS:
                raise self.fail("counts", None, field, f"unknown field; expected one of {', '.join(COUNT_LIMITS)}")
        limits = []
        for field, (default, low, high, unit) in COUNT_LIMITS.items():
            value = self.get(table, "counts", None, field, (int, float), f"a number in {unit}", default, required=False)
            if isinstance(value, bool) or not low <= value <= high:
                raise self.fail("counts", None, field,
                                f"expected a number from {low:g} to {high:g} {unit}, found {value!r}")
            limits.append((field, float(value)))
        return tuple(limits)

    def _go_decisions(self, infusion: dict, timepoints: tuple[Timepoint, ...]) -> tuple[str, ...]:
        codes = tuple(self.get(infusion, "infusion", None, "go_decision_before", list, "a list of timepoint codes"))
        infusions = {t.code for t in timepoints if "infusion" in t.activities}
        for code in codes:
            if code not in infusions:
                raise self.fail("infusion", None, "go_decision_before", f"'{code}' is not a timepoint with an infusion")
        return codes

    def _grade(self, infusion: dict, field: str) -> int:
        value = self.get(infusion, "infusion", None, field, int, "a grade from 1 to 4")
        if not 1 <= value <= 4:
            raise self.fail("infusion", None, field, f"expected a grade from 1 to 4, found {value}")
        return value

    def _hours(self, infusion: dict, field: str) -> int:
        value = self.get(infusion, "infusion", None, field, int, "a whole number of hours")
        if value < 1:
            raise self.fail("infusion", None, field, f"expected 1 hour or more, found {value}")
        return value

    def _moves_next(self, infusion: dict) -> bool:
        moves = self.get(infusion, "infusion", None, "late_fraction_moves_next", bool, "true or false")
        if moves:
            raise self.fail("infusion", None, "late_fraction_moves_next",
                            "only false is supported: a late fraction does not move the next one (hold the next "
                            "fraction to give it later)")
        return moves

    def _table(self, data: dict, name: str) -> dict:
        table = data.get(name)
        if not isinstance(table, dict):
            raise ProtocolError(f"{self.source}: the [{name}] table is missing.")
        return table

    def _count(self, table: dict, name: str, field: str) -> int:
        value = self.get(table, name, None, field, int, "a whole number of days or hours")
        if value < 0:
            raise self.fail(name, None, field, f"expected a number of 0 or more, found {value}")
        return value

    def _activities(self, rows: list) -> dict[str, Activity]:
        activities: dict[str, Activity] = {}
        for i, row in enumerate(rows):
            get = self._getter(row, "activity", i)
            code = get("code")
            if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
                raise self.fail("activity", i, "code", f"expected lower-case letters, digits and _, found {code!r}")
            if code in activities:
                raise self.fail("activity", i, "code", f"'{code}' is defined twice")
            kind = get("kind")
            if kind not in KINDS:
                raise self.fail("activity", i, "kind", f"expected one of {', '.join(KINDS)}, found {kind!r}")
            condition = get("condition", required=False)
            if condition is not None and condition not in CONDITIONS:
                raise self.fail("activity", i, "condition",
                                f"expected one of {', '.join(CONDITIONS)}, found {condition!r}")
            activities[code] = Activity(
                code=code, label=get("label"), kind=kind,
                sample=get("sample", required=False), tube=get("tube", required=False),
                volume_ml=get("volume_ml", (int, float), "a volume in mL", required=False),
                lab=get("lab", required=False), condition=condition,
                site_default=get("site_default", bool, "true or false", default=False, required=False),
                translations=self._activity_texts(row, i),
                specimen=self._specimen(get("specimen", required=False), kind, i),
            )
        if not activities:
            raise ProtocolError(f"{self.source}: no [[activity]] is defined.")
        return activities

    def _specimen(self, specimen: str | None, kind: str, i: int) -> str | None:
        if specimen is not None and (kind != "sample" or specimen not in SPECIMENS):
            expected = f"one of {', '.join(SPECIMENS)}" if kind == "sample" else "none on an activity not a sample"
            raise self.fail("activity", i, "specimen", f"expected {expected}, found {specimen!r}")
        return specimen

    def _timepoints(self, rows: list, daily: list, activities: dict[str, Activity],
                    month_days: int, settings: dict[str, int]) -> tuple[Timepoint, ...]:
        timepoints: dict[str, Timepoint] = {}
        for i, row in enumerate(rows):
            get = self._getter(row, "timepoint", i)
            code = get("code")
            if code in timepoints:
                raise self.fail("timepoint", i, "code", f"'{code}' is defined twice")
            anchor = self._anchor(get("anchor"), "timepoint", i)
            month = get("month", int, "a whole number of months", required=False)
            day = get("day", int, "a whole number of days", required=month is None,
                      default=None if month is None else month * month_days)
            window = get("window", list, "[days before, days after]")
            if len(window) != 2 or not all(isinstance(w, int) and not isinstance(w, bool) for w in window) \
                    or window[0] > 0 or window[1] < 0:
                raise self.fail("timepoint", i, "window",
                                f"expected [days before (0 or less), days after (0 or more)], found {window}")
            listed = tuple(get("activities", list, "a list of activity codes"))
            self._check_codes(listed, activities, "timepoint", i, "activities")
            notes = get("notes", dict, "a table of activity code = text", default={}, required=False)
            self._check_codes(tuple(notes), activities, "timepoint", i, "notes")
            for activity, note in notes.items():
                if not isinstance(note, str):
                    raise self.fail("timepoint", i, f"notes.{activity}", f"expected a text, found {note!r}")
            timepoints[code] = Timepoint(
                code=code, label=get("label"), anchor=anchor, day=day,
                window_before=-window[0], window_after=window[1], activities=listed,
                notes=tuple(sorted(notes.items())), translations=self._timepoint_texts(row, i, activities),
            )
        for i, row in enumerate(daily):
            anchor = self._anchor(self.get(row, "daily", i, "anchor", str, "a text"), "daily", i)
            through = self.get(row, "daily", i, "through", str, "the name of a [toxicity] setting")
            if through not in settings:
                raise self.fail("daily", i, "through", f"expected one of {', '.join(settings)}, found {through!r}")
            listed = tuple(self.get(row, "daily", i, "activities", list, "a list of activity codes"))
            self._check_codes(listed, activities, "daily", i, "activities")
            for day in range(settings[through] + 1):
                code = day_code(anchor, day)
                existing = timepoints.get(code)
                if existing is None:
                    translations = tuple((lang, TimepointText(day_label(anchor, day, lang))) for lang in TRANSLATIONS)
                    timepoints[code] = Timepoint(code, day_label(anchor, day), anchor, day, 0, 0, listed,
                                                 translations=translations)
                else:
                    extra = tuple(a for a in listed if a not in existing.activities)
                    timepoints[code] = replace(
                        existing, activities=existing.activities + extra,
                        activity_windows=existing.activity_windows + tuple((a, 0, 0) for a in extra))
        order = {a: n for n, a in enumerate(ANCHORS)}
        return tuple(sorted(timepoints.values(), key=lambda t: (order[t.anchor], t.day, t.code)))

    def _texts(self, row: dict, table: str, index: int, lang: str, fields: tuple[str, ...]) -> dict | None:
        """The `lang` table of one row (None when absent), its keys checked against `fields`."""
        texts = self.get(row, table, index, lang, dict, "a table such as { label = \"...\" }", required=False)
        if texts is None:
            return None
        for key in texts:
            if key not in fields:
                raise self.fail(table, index, f"{lang}.{key}",
                                f"unknown field; expected one of {', '.join(fields)}")
        return texts

    def _text(self, texts: dict, table: str, index: int, field: str) -> str | None:
        value = texts.get(field.rsplit(".", 1)[-1])
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.fail(table, index, field, f"expected a text, found {value!r}")
        return value

    def _activity_texts(self, row: dict, index: int) -> tuple[tuple[str, ActivityText], ...]:
        translations = []
        for lang in TRANSLATIONS:
            texts = self._texts(row, "activity", index, lang, ACTIVITY_TEXT_FIELDS)
            if texts is not None:
                words = {field: self._text(texts, "activity", index, f"{lang}.{field}")
                         for field in ACTIVITY_TEXT_FIELDS}
                translations.append((lang, ActivityText(**words)))
        return tuple(translations)

    def _timepoint_texts(self, row: dict, index: int, activities: dict) -> tuple[tuple[str, TimepointText], ...]:
        translations = []
        for lang in TRANSLATIONS:
            texts = self._texts(row, "timepoint", index, lang, TIMEPOINT_TEXT_FIELDS)
            if texts is None:
                continue
            notes = texts.get("notes", {})
            if not isinstance(notes, dict):
                raise self.fail("timepoint", index, f"{lang}.notes",
                                f"expected a table of activity code = text, found {notes!r}")
            self._check_codes(tuple(notes), activities, "timepoint", index, f"{lang}.notes")
            translations.append((lang, TimepointText(
                label=self._text(texts, "timepoint", index, f"{lang}.label"),
                notes=tuple(sorted((code, self._text(notes, "timepoint", index, f"{lang}.notes.{code}"))
                                   for code in notes)))))
        return tuple(translations)

    def _anchor(self, anchor: str, table: str, index: int) -> str:
        if anchor not in ANCHORS:
            raise self.fail(table, index, "anchor", f"expected one of {', '.join(ANCHORS)}, found {anchor!r}")
        return anchor

    def _check_codes(self, codes: tuple, activities: dict, table: str, index: int, field: str) -> None:
        for code in codes:
            if code not in activities:
                raise self.fail(table, index, field, f"'{code}' is not a defined activity")


def day_code(anchor: str, day: int) -> str:
    """Timepoint code of a plain day: D0, D+3, D-5, B0, B+7."""
    prefix = _CODE_PREFIX[anchor]
    return f"{prefix}0" if day == 0 else f"{prefix}{day:+d}"


def day_label(anchor: str, day: int, lang: str = "en") -> str:
    """Label of a plain day: 'Day +5', 'Booster day +3'; in Spanish 'Día +5', 'Día +3 del refuerzo' (the
    catalog of `lang`)."""
    label = N_("Booster day {number}") if anchor == "booster" else N_("Day {number}")
    return i18n.catalog(lang).gettext(label).format(number="0" if day == 0 else f"{day:+d}")
