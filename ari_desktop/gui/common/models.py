"""Table models: worklist and missed items, patients, the items a change of date would move, and
Today's toxicity flags (a patient's assessments and events: toxicity_models.py).

One model class per kind of row; proxies (below) sort and filter. Models show what the store hands
out (statuses, stages, dates) and compute nothing clinical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont

from ... import i18n
from ...core.flags import Flag
from ...core.patients import Patient
from ...core.protocol import Protocol
from ...core.schedule import CANCELLED, DONE, NOT_DONE, ScheduledItem, ScheduleEntry, item_label, timepoint_label
from ...i18n import N_, _
from . import statuses
from .qt_dates import format_date, format_moment

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: the default parent of a row
R = TypeVar("R")


@cache
def bold_font() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


@dataclass(frozen=True)
class Column(Generic[R]):
    header: str  # marked with N_(): the model shows it translated, as its help
    text: Callable[[R], str]
    sort: Callable[[R], Any] | None = None
    help: str = ""
    status: bool = False  # the column that carries the status word and icon


def day_text(day: date | None) -> str:
    return format_date(day)


# The protocol file's words (what an item is, its timepoint, sample, tube, laboratory) in the window's
# language: the file gives them in Spanish and Catalan beside the English.

def what_text(protocol: Protocol, item: ScheduledItem) -> str:
    return item_label(protocol, item, i18n.current())


def timepoint_text(protocol: Protocol, item: ScheduledItem) -> str:
    return timepoint_label(protocol, item, i18n.current())


def local_activity(protocol: Protocol, code: str):
    return protocol.in_language(i18n.current()).activity(code)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Rows of one dataclass, shown through a list of columns."""

    def __init__(self, columns: Sequence[Column[R]], parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row(self, number: int) -> R:
        return self.rows[number]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self.columns[section].header)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _(self.columns[section].help) if self.columns[section].help else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            return column.sort(row) if column.sort else column.text(row)
        return self.row_data(row, column, role)

    def row_data(self, row: R, column: Column[R], role: int):
        return None


# -- worklist and missed items ------------------------------------------------------------------

class EntryTableModel(RowTableModel[ScheduleEntry]):
    """Scheduled items of several patients (a day's worklist, or what was missed), with where each
    sample goes: tube, volume and laboratory come from the protocol."""

    def __init__(self, protocol: Protocol, columns: Sequence[Column[ScheduleEntry]], parent=None):
        super().__init__(columns, parent)
        self.protocol = protocol

    def row_data(self, row: ScheduleEntry, column: Column[ScheduleEntry], role: int):
        if role == STATUS_ROLE:
            return row.status
        if role == Qt.ItemDataRole.BackgroundRole:
            return statuses.background(row.status)
        if role == Qt.ItemDataRole.ForegroundRole:
            return statuses.foreground(row.status)
        if role == Qt.ItemDataRole.FontRole and column.status and statuses.look(row.status).bold:
            return bold_font()
        if role == Qt.ItemDataRole.DecorationRole and column.status:
            return statuses.status_icon(row.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry_tooltip(row, self.protocol)
        return None


def entry_tooltip(entry: ScheduleEntry, protocol: Protocol) -> str:
    item = entry.item
    lines = [f"{entry.study_id}: {what_text(protocol, item)}",
             _("{timepoint} ({code}), target {day}").format(timepoint=timepoint_text(protocol, item),
                                                           code=item.timepoint, day=format_date(item.target_date)),
             _("Window {start} to {end}").format(start=format_date(item.window_start),
                                                 end=format_date(item.window_end)),
             f"{statuses.status_text(entry.status)}: {statuses.explanation(entry.status)}"]
    activity = local_activity(protocol, item.activity)
    if activity.tube:
        lines.append(_("{sample}: {tube}, {volume}, to {lab}").format(
            sample=activity.sample or _("Sample"), tube=activity.tube, volume=volume_text(activity.volume_ml),
            lab=activity.lab))
    elif activity.lab:
        lines.append(_("Done by: {lab}").format(lab=activity.lab))
    if entry.recording:
        lines.append(recording_text(entry))
    return "\n".join(lines)


def volume_text(volume_ml: float | None) -> str:
    if volume_ml is None:
        return "—"
    return f"{volume_ml:g} mL"


def recording_text(entry: ScheduleEntry) -> str:
    """What was recorded, for a tooltip or the Done / reason column."""
    rec = entry.recording
    if rec is None:
        return (entry.item.cancelled_reason or "") if entry.status == CANCELLED else ""
    if rec.outcome == DONE and rec.done_at:
        if entry.in_window is False:
            return _("Done {moment} (outside its window)").format(moment=format_moment(rec.done_at))
        return _("Done {moment}").format(moment=format_moment(rec.done_at))
    if rec.outcome == NOT_DONE:
        return _("Not obtained: {reason}").format(reason=rec.reason)
    return rec.outcome


def _activity_field(protocol: Protocol, name: str) -> Callable[[ScheduleEntry], str]:
    def text(entry: ScheduleEntry) -> str:
        return getattr(local_activity(protocol, entry.item.activity), name) or ""
    return text


def tube_text(protocol: Protocol, entry: ScheduleEntry) -> str:
    activity = local_activity(protocol, entry.item.activity)
    if not activity.tube:
        return ""
    return f"{activity.tube}, {volume_text(activity.volume_ml)}" if activity.volume_ml else activity.tube


def worklist_columns(protocol: Protocol) -> list[Column[ScheduleEntry]]:
    return [
        Column(N_("Patient"), lambda e: e.study_id, help=N_("Study ID")),
        Column(N_("Timepoint"), lambda e: timepoint_text(protocol, e.item), lambda e: (e.item.anchor, e.item.day),
               help=N_("When in the trial (day counted from day 0, or from the booster)")),
        Column(N_("What"), lambda e: what_text(protocol, e.item), help=N_("Sample or assessment")),
        Column(N_("Status"), lambda e: statuses.status_text(e.status), lambda e: statuses.URGENCY.index(e.status),
               help=N_("Due: window open. Overdue: target day passed, window still open."), status=True),
        Column(N_("Target"), lambda e: day_text(e.item.target_date), help=N_("The day the protocol asks for")),
        Column(N_("Window closes"), lambda e: day_text(e.item.window_end), help=N_("Last day it still counts")),
        Column(N_("Specimen"), _activity_field(protocol, "sample"),
               help=N_("What is taken: peripheral blood (drawn at the round), or a bone-marrow aspirate")),
        Column(N_("Tube, volume"), lambda e: tube_text(protocol, e), help=N_("Which tube it goes in, and how much")),
        Column(N_("Goes to"), _activity_field(protocol, "lab"), help=N_("Where the sample or result goes")),
    ]


def missed_columns(protocol: Protocol) -> list[Column[ScheduleEntry]]:
    return [
        Column(N_("Patient"), lambda e: e.study_id, help=N_("Study ID")),
        Column(N_("Timepoint"), lambda e: timepoint_text(protocol, e.item), lambda e: (e.item.anchor, e.item.day)),
        Column(N_("What"), lambda e: what_text(protocol, e.item)),
        Column(N_("Status"), lambda e: statuses.status_text(e.status), status=True,
               help=N_("The window closed with nothing recorded")),
        Column(N_("Target"), lambda e: day_text(e.item.target_date)),
        Column(N_("Window closed"), lambda e: day_text(e.item.window_end)),
        Column(N_("Goes to"), _activity_field(protocol, "lab")),
    ]


# -- patients -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PatientRow:
    patient: Patient
    stage: str  # from Patient.stage(today)


def _end_text(row: PatientRow) -> str:
    a = row.patient.anchors
    if a.death:
        return _("died {day}").format(day=format_date(a.death))
    if a.off_study:
        return _("off study {day}: {reason}").format(day=format_date(a.off_study), reason=a.off_study_reason)
    return ""


PATIENT_COLUMNS: list[Column[PatientRow]] = [
    Column(N_("Study ID"), lambda r: r.patient.study_id),
    Column(N_("Initials"), lambda r: r.patient.initials),
    Column(N_("Sex"), lambda r: r.patient.sex),
    Column(N_("Born"), lambda r: str(r.patient.birth_year), lambda r: r.patient.birth_year, help=N_("Birth year")),
    Column(N_("Stage"), lambda r: stage_text(r.stage),
           help=N_("Screening, infusion (daily toxicity monitoring from day 0), follow-up, booster, off study, died")),
    Column(N_("Screening"), lambda r: day_text(r.patient.anchors.screening)),
    Column(N_("Day 0"), lambda r: day_text(r.patient.anchors.day0), help=N_("First aliquot of the first infusion")),
    Column(N_("Booster"), lambda r: day_text(r.patient.anchors.booster)),
    Column(N_("Off study / died"), _end_text),
]
_INACTIVE = ("off study", "died")
# The stages Patient.stage() answers (codes), in the order of the trial, and their words.
STAGES = {"screening": N_("screening"), "infusion": N_("infusion"), "follow-up": N_("follow-up"),
          "booster": N_("booster"), "off study": N_("off study"), "died": N_("died")}


def stage_text(stage: str) -> str:
    return _(STAGES[stage]) if stage in STAGES else stage


class PatientTableModel(RowTableModel[PatientRow]):
    def __init__(self, parent=None):
        super().__init__(PATIENT_COLUMNS, parent)

    def put(self, row: PatientRow) -> None:
        """Add a patient, or replace their row: one row changes, not the whole list."""
        for number, existing in enumerate(self.rows):
            if existing.patient.study_id == row.patient.study_id:
                self.rows[number] = row
                self.dataChanged.emit(self.index(number, 0), self.index(number, self.columnCount() - 1))
                return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(row)
        self.endInsertRows()

    def find(self, study_id: str) -> int | None:
        for number, row in enumerate(self.rows):
            if row.patient.study_id == study_id:
                return number
        return None

    def row_data(self, row: PatientRow, column: Column[PatientRow], role: int):
        if role == Qt.ItemDataRole.ForegroundRole and row.stage in _INACTIVE:
            return statuses.foreground(CANCELLED)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("{study_id}: {stage}. Double-click or press Enter to open the calendar.").format(
                study_id=row.patient.study_id, stage=stage_text(row.stage))
        return None


# -- what a change of date moves ----------------------------------------------------------------

def _new_date(shift: tuple[ScheduledItem, date | None]) -> str:
    item = shift[0]
    return _("cancelled") if item.cancelled_reason else format_date(item.target_date)


SHIFT_COLUMNS: list[Column[tuple[ScheduledItem, date | None]]] = [
    Column(N_("Timepoint"), lambda s: s[0].timepoint_label),
    Column(N_("What"), lambda s: s[0].label),
    Column(N_("Now"), lambda s: day_text(s[1]) if s[1] else _("(new)"), help=N_("Target date today")),
    Column(N_("Will be"), _new_date, help=N_("Target date after the change")),
]


class ShiftTableModel(RowTableModel[tuple[ScheduledItem, date | None]]):
    def __init__(self, parent=None):
        super().__init__(SHIFT_COLUMNS, parent)

    def row_data(self, row, column, role: int):
        if role == Qt.ItemDataRole.DecorationRole and column.header == "Will be" and row[0].cancelled_reason:
            return statuses.status_icon(CANCELLED)
        if role == Qt.ItemDataRole.ToolTipRole:
            why = f" ({row[0].cancelled_reason})" if row[0].cancelled_reason else ""
            return _("{what} at {timepoint}: {change}").format(what=row[0].label, timepoint=row[0].timepoint_label,
                                                               change=column.text(row)) + why
        return None


# -- Today's toxicity flags ---------------------------------------------------------------------

# Most urgent first: a grade 2 or more, then prolonged cytopenia, then an assessment not recorded.
FLAG_ORDER = ("grade_2_or_more", "prolonged_cytopenia", "tox_not_recorded")
FLAG_WORDS = {"grade_2_or_more": N_("CRS or ICANS grade 2 or more"), "prolonged_cytopenia": N_("Prolonged cytopenia"),
              "tox_not_recorded": N_("Today's CRS / ICANS assessment not recorded")}


def flag_rank(flag: Flag) -> int:
    return FLAG_ORDER.index(flag.kind) if flag.kind in FLAG_ORDER else len(FLAG_ORDER)


FLAG_COLUMNS: list[Column[Flag]] = [
    Column(N_("Patient"), lambda f: f.study_id, help=N_("Study ID")),
    Column(N_("Flag"), lambda f: f.text, lambda f: (flag_rank(f), f.study_id), help=N_("What needs a physician's eye")),
]


class FlagTableModel(RowTableModel[Flag]):
    """Today's toxicity flags, the most urgent first; each with its words and an icon by kind."""

    def __init__(self, icon: Callable[[str], Any], parent=None):
        super().__init__(FLAG_COLUMNS, parent)
        self.icon = icon

    def set_rows(self, rows: Sequence[Flag]) -> None:
        super().set_rows(sorted(rows, key=lambda f: (flag_rank(f), f.study_id)))

    def row_data(self, row: Flag, column: Column[Flag], role: int):
        if role == Qt.ItemDataRole.DecorationRole and column.header == "Flag":
            return self.icon(row.kind)
        if role == Qt.ItemDataRole.FontRole and row.kind != "tox_not_recorded":
            return bold_font()
        if role == Qt.ItemDataRole.ToolTipRole:
            more = _("Enter: open the patient and the bedside form.") if row.kind == "tox_not_recorded" else \
                _("Enter: open the patient.")
            return f"{row.study_id}: {_(FLAG_WORDS.get(row.kind, row.kind))}. {row.text}. {more}"
        return None


# -- proxies ------------------------------------------------------------------------------------

def change_filter(proxy: QSortFilterProxyModel, change: Callable[[], None]) -> None:
    """Apply a change of filter settings and re-filter the rows (Qt 6.10 API when present)."""
    if hasattr(proxy, "beginFilterChange"):
        proxy.beginFilterChange()
        change()
        proxy.endFilterChange(QSortFilterProxyModel.Direction.Rows)
    else:
        change()
        proxy.invalidateRowsFilter()


class TextFilter(QSortFilterProxyModel):
    """Sorts by SORT_ROLE and keeps rows whose chosen columns contain the typed text."""

    def __init__(self, columns: Sequence[int], parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.text = ""
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_text(self, text: str) -> None:
        change_filter(self, lambda: setattr(self, "text", text.strip().casefold()))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.text:
            return self.accepts_more(source_row)
        model = self.sourceModel()
        found = any(self.text in str(model.index(source_row, c, source_parent).data()).casefold()
                    for c in self.columns)
        return found and self.accepts_more(source_row)

    def accepts_more(self, source_row: int) -> bool:
        return True


class PatientFilter(TextFilter):
    """Study ID or initials, and optionally one stage."""

    def __init__(self, parent=None):
        super().__init__((0, 1), parent)
        self.stage = ""

    def set_stage(self, stage: str) -> None:
        change_filter(self, lambda: setattr(self, "stage", stage))

    def accepts_more(self, source_row: int) -> bool:
        return not self.stage or self.sourceModel().row(source_row).stage == self.stage
