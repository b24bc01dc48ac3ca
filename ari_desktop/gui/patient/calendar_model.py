"""A patient's whole calendar, screening to month 36, grouped by timepoint: a two-level tree.

Top rows are timepoints (Screening, Day 0, ..., Month 36); their children are the items scheduled
there, each with the status the store computed, when it was done and by whom, or why not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QSortFilterProxyModel, Qt

from ...core.protocol import Protocol
from ...core.schedule import DONE, DUE, OVERDUE, ScheduleEntry
from ...i18n import N_, _, ngettext
from ..common import statuses
from ..common.models import (
    ROOT,
    SORT_ROLE,
    STATUS_ROLE,
    Index,
    bold_font,
    change_filter,
    recording_text,
    timepoint_text,
    what_text,
)
from ..common.qt_dates import format_date, format_moment

HEADERS = (N_("Timepoint / what"), N_("Target date"), N_("Window"), N_("Status"), N_("Done / reason"),
           N_("Recorded by"))
# A timepoint row shows the status that needs attention first, and counts its items by status.
HEADER_HELP = (N_("Grouped by timepoint; expand a timepoint to see its items"), N_("The day the protocol asks for"),
               N_("First and last day it still counts"), N_("Status as of today"),
               N_("When it was done, or why not"), N_("Who recorded it, and when"))
_GROUP = 0  # internal id of a timepoint row; an item row's id is its group's row + 1


@dataclass
class TimepointGroup:
    code: str
    label: str
    entries: list[ScheduleEntry]

    @property
    def target(self) -> date:
        return self.entries[0].item.target_date

    @property
    def window(self) -> tuple[date, date]:
        return (min(e.item.window_start for e in self.entries), max(e.item.window_end for e in self.entries))

    def counts(self) -> list[tuple[str, int]]:
        found = [e.status for e in self.entries]
        return [(s, found.count(s)) for s in statuses.URGENCY if s in found]

    @property
    def status(self) -> str:
        """The status that needs attention first, for the timepoint's icon."""
        return self.counts()[0][0]


def group_by_timepoint(entries: Sequence[ScheduleEntry], protocol: Protocol) -> list[TimepointGroup]:
    """The entries by timepoint, each named in the window's language (the protocol file's words)."""
    groups: dict[str, TimepointGroup] = {}
    for entry in entries:
        code = entry.item.timepoint
        if code not in groups:
            groups[code] = TimepointGroup(code, timepoint_text(protocol, entry.item), [])
        groups[code].entries.append(entry)
    return list(groups.values())


class CalendarModel(QAbstractItemModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[TimepointGroup] = []
        self.as_of: date | None = None
        self.protocol: Protocol | None = None

    def set_schedule(self, entries: Sequence[ScheduleEntry], as_of: date, protocol: Protocol) -> None:
        self.beginResetModel()
        self.groups = group_by_timepoint(entries, protocol)
        self.as_of, self.protocol = as_of, protocol
        self.endResetModel()

    def entry(self, index: Index) -> ScheduleEntry | None:
        """The item of a row, or None for a timepoint row."""
        if not index.isValid() or index.internalId() == _GROUP:
            return None
        return self.groups[index.internalId() - 1].entries[index.row()]

    def group_row_to_show(self) -> int:
        """The first timepoint with something due or overdue, else the first still ahead."""
        for number, group in enumerate(self.groups):
            if any(e.status in (DUE, OVERDUE) for e in group.entries):
                return number
        for number, group in enumerate(self.groups):
            if self.as_of and group.target >= self.as_of:
                return number
        return max(len(self.groups) - 1, 0)

    # -- the tree --------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _GROUP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = ROOT) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _GROUP)

    def rowCount(self, parent: Index = ROOT) -> int:
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == _GROUP and parent.column() == 0:
            return len(self.groups[parent.row()].entries)
        return 0

    def columnCount(self, parent: Index = ROOT) -> int:
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[section])
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return _(HEADER_HELP[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self.entry(index)
        if entry is None:
            return self._group_data(self.groups[index.row()], index.column(), role)
        return self._entry_data(entry, index.column(), role)

    def _group_data(self, group: TimepointGroup, column: int, role: int):
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            start, end = group.window
            return (f"{group.label}  ({group.code})", format_date(group.target),
                    window_text(start, end),
                    statuses.status_text(group.status),
                    ", ".join(statuses.counted(s, n) for s, n in group.counts()), "")[column]
        if role == Qt.ItemDataRole.FontRole and column == 0:
            return bold_font()
        if role == Qt.ItemDataRole.DecorationRole and column == 3:
            return statuses.status_icon(group.status)
        if role == Qt.ItemDataRole.ForegroundRole and column in (3, 4):
            return statuses.foreground(group.status)
        if role == Qt.ItemDataRole.ToolTipRole:
            count = len(group.entries)
            return ngettext("{timepoint}: {count} item, target {target}", "{timepoint}: {count} items, target {target}",
                            count).format(timepoint=group.label, count=count, target=format_date(group.target))
        return None

    def _entry_data(self, entry: ScheduleEntry, column: int, role: int):
        item, rec = entry.item, entry.recording
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            window = window_text(item.window_start, item.window_end)
            by = f"{rec.recorded_by}, {format_moment(rec.recorded_at)}" if rec else ""
            return (what_text(self.protocol, item), format_date(item.target_date), window,
                    statuses.status_text(entry.status),
                    recording_text(entry), by)[column]
        if role == STATUS_ROLE:
            return entry.status
        if role == Qt.ItemDataRole.DecorationRole and column == 3:
            return statuses.status_icon(entry.status)
        if role == Qt.ItemDataRole.BackgroundRole:
            return statuses.background(entry.status)
        if role == Qt.ItemDataRole.ForegroundRole:
            return statuses.foreground(entry.status)
        if role == Qt.ItemDataRole.FontRole and column == 3 and statuses.look(entry.status).bold:
            return bold_font()
        if role == Qt.ItemDataRole.ToolTipRole:
            text = (f"{what_text(self.protocol, item)}\n{statuses.status_text(entry.status)}: "
                    f"{statuses.look(entry.status).explanation}")
            if entry.status == DONE and entry.in_window is False:
                text += "\n" + _("Done outside its window.")
            return text
        return None


def window_text(start: date, end: date) -> str:
    """ "01/03/2026 to 05/03/2026" (in the user's locale), or the one day of an exact window."""
    return (_("{start} to {end}").format(start=format_date(start), end=format_date(end)) if start != end
            else format_date(start))


# Shown through _() where the choice is listed.
SHOW_CHOICES = (
    (N_("Everything"), ()),
    (N_("Still to do"), ("planned", "due", "overdue", "missed")),
    (N_("Needs a reason (missed)"), ("missed",)),
    (N_("Done"), ("done",)),
    (N_("Not obtained or cancelled"), ("not_done", "cancelled")),
)


class CalendarFilter(QSortFilterProxyModel):
    """Keeps the items of some statuses, and the timepoints that still hold one."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.statuses: tuple[str, ...] = ()
        self.setRecursiveFilteringEnabled(True)

    def set_statuses(self, wanted: tuple[str, ...]) -> None:
        change_filter(self, lambda: setattr(self, "statuses", tuple(wanted)))

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.statuses:
            return True
        if not source_parent.isValid():
            return False  # a timepoint stays if one of its items does (recursive filtering)
        status = self.sourceModel().index(source_row, 0, source_parent).data(STATUS_ROLE)
        return status in self.statuses
