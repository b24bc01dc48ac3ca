"""Today: the research nurse's worklist for a day, and what was missed and needs a reason.

Mark an item collected in two clicks (select, Mark collected) or with Enter / Space; the time
defaults to now and can be changed beside the button. Not obtained asks for a reason. What was
collected on the day stays on the list, marked done: Enter on it again records nothing, Ctrl+Z takes
the last marking back, and "Not collected after all" takes back any, with a reason once the moment
has passed (core.recording.check_withdrawal). On a past day, Enter asks before backdating.

Above the worklist, the toxicity flags (flags.py). A CRS / ICANS assessment item is done by recording
the bedside assessment (Assess…, Ctrl+B, or Enter on it), never by a bare tick; an infusion at a
fraction that needs a physician's go (D+3, D+7) offers Go / hold….
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.protocol import Protocol
from ...core.recording import undo_without_reason, window_note
from ...core.schedule import DONE, MISSED, NOT_DONE, OVERDUE, ScheduleEntry
from ...i18n import N_, _, ngettext
from ..common import statuses
from ..common.field_errors import ERROR_PREFIX, ERROR_STYLE
from ..common.fields import DateField, TimeField
from ..common.models import (
    EntryTableModel,
    TextFilter,
    missed_columns,
    timepoint_text,
    what_text,
    worklist_columns,
)
from ..common.qt_dates import format_date, format_long_date, format_moment, format_time
from ..common.session import Session
from ..common.widgets import LazyView, caption, chain_tab_order, open_dialog, table_view, widget_action
from .flags import AfterFirstPaint, FlagsPanel, flag_icon

if TYPE_CHECKING:
    from ..patient.record_dialog import RecordItemDialog

KIND_CHOICES = ((N_("All kinds"), "all"), (N_("Samples"), "sample"), (N_("Assessments"), "assessment"),
                (N_("Visits"), "visit"), (N_("Infusions"), "infusion"))


def to_do_text(kind: str, count: int) -> str:
    """ "3 samples to do": how many items of the kind shown are still to do."""
    said = {"sample": ngettext("{count} sample to do", "{count} samples to do", count),
            "assessment": ngettext("{count} assessment to do", "{count} assessments to do", count),
            "visit": ngettext("{count} visit to do", "{count} visits to do", count),
            "infusion": ngettext("{count} infusion to do", "{count} infusions to do", count)}.get(
        kind, ngettext("{count} item to do", "{count} items to do", count))
    return said.format(count=count)


def status_width() -> int:
    """The status column's width in characters: its longest word (bold, after the icon) in this language."""
    return max(10, max(len(statuses.status_text(status)) for status in statuses.LOOKS) + 2)


def item_words(protocol: Protocol, entry: ScheduleEntry) -> str:
    """ "ARI-014 Soluble BCMA (Day +7)": the patient, the item and its timepoint, as the status bar names them."""
    return f"{entry.study_id} {what_text(protocol, entry.item)} ({timepoint_text(protocol, entry.item)})"


def some_items(entries: list[ScheduleEntry], words) -> str:
    """The first three items named, and how many more."""
    named = ", ".join(words(e) for e in entries[:3])
    if len(entries) <= 3:
        return named
    more = len(entries) - 3
    return ngettext("{items} and {count} more", "{items} and {count} more", more).format(items=named, count=more)


class TodayView(LazyView):
    patient_requested = Signal(str)
    assess_requested = Signal(str)  # study ID: open the bedside CRS / ICANS form
    fraction_requested = Signal(str, str)  # study ID, timepoint: open go / hold before that fraction

    def __init__(self, session: Session, day: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.store = session.store
        self._go_timepoints = _(" or ").join(self.store.protocol.go_decision_before)
        self.day = day or session.today()
        self.follow_now = True  # the "collected at" time follows the clock until someone changes it
        self.clock_day = session.today()  # a worklist left open over midnight moves to the new day
        self.flags_ready = False  # the first flags are read right after the first paint
        self._first_paint: AfterFirstPaint | None = None
        self._build()
        self._connect()
        self.set_day(self.day, refresh=False)
        self._tick()

    # -- layout ----------------------------------------------------------------------------------

    def _build(self) -> None:
        protocol = self.store.protocol
        self.day_edit = DateField().describe(_("day of the worklist"), "day")
        self.day_edit.setToolTip(_("The day of the worklist (YYYY-MM-DD). Ctrl+Left / Ctrl+Right: previous / next "
                                   "day, also while typing in the filter."))
        self.day_error = QLabel(wordWrap=False)
        self.day_error.setStyleSheet(ERROR_STYLE)
        self.previous_day_button = QToolButton(arrowType=Qt.ArrowType.LeftArrow, toolTip=_("Previous day (Ctrl+Left)"))
        self.next_day_button = QToolButton(arrowType=Qt.ArrowType.RightArrow, toolTip=_("Next day (Ctrl+Right)"))
        self.today_button = QPushButton(_("Today"), toolTip=_("Back to today's worklist"))
        self.kind = QComboBox(toolTip=_("Show only samples, assessments, visits or infusions"))
        for text, kind in KIND_CHOICES:
            self.kind.addItem(_(text), kind)
        self.patient_filter = QLineEdit(placeholderText=_("Filter by patient (study ID)"), clearButtonEnabled=True)
        self.patient_filter.setToolTip(_("Show only the patients whose study ID contains this text"))
        self.heading = caption("")
        day_label = QLabel(_("&Day:"))
        day_label.setBuddy(self.day_edit)
        show_label = QLabel(_("&Show:"))
        show_label.setBuddy(self.kind)
        bar = QHBoxLayout()
        for widget in (day_label, self.day_edit, self.day_error, self.previous_day_button, self.next_day_button,
                       self.today_button):
            bar.addWidget(widget)
        bar.addSpacing(16)
        bar.addWidget(show_label)
        bar.addWidget(self.kind)
        bar.addSpacing(16)
        bar.addWidget(self.patient_filter, 1)

        self.worklist_model = EntryTableModel(protocol, worklist_columns(protocol), self)
        self.worklist_proxy = TextFilter((0,), self)
        self.worklist_proxy.setSourceModel(self.worklist_model)
        status = status_width()
        self.worklist = table_view(self.worklist_proxy, (9, 14, 34, status, 9, 11, 20, 20, 20), stretch=2)
        self.worklist.setObjectName("worklist")
        self.worklist.setAccessibleName(_("Worklist"))
        self.worklist.setToolTip(_("Enter or Space: mark collected. Double-click: record with another time or a "
                                    "reason."))

        self.mark_button = QPushButton(statuses.status_icon(DONE), _("&Mark collected"))
        self.mark_button.setToolTip(_("Mark the selected items collected / done at the time beside (Enter or Space)"))
        self.collected_at = TimeField().describe(_("time collected"), "done_at")
        self.collected_at.setToolTip(_("Time collected (HH:MM). Follows the clock until you change it; Now puts it "
                                        "back."))
        self.collected_at.setMaximumWidth(self.collected_at.fontMetrics().horizontalAdvance("00:00") + 24)
        self.time_error = QLabel(wordWrap=True)  # a time refused, or outside the item's window: beside the time
        self.time_error.setStyleSheet(ERROR_STYLE)
        at_label = QLabel(_("&at"))
        at_label.setBuddy(self.collected_at)
        self.now_button = QToolButton(text=_("Now"), toolTip=_("Set the time to now"))
        self.withdraw_button = QPushButton(_("Not collected a&fter all…"), toolTip=_(
            "Take back the selected item recorded done: it is open again (a reason once the moment has passed)"))
        self.undo_action = QAction(_("Undo: mark collected"), self,
                                   shortcut=QKeySequence(QKeySequence.StandardKey.Undo),
                                   shortcutContext=Qt.ShortcutContext.WidgetWithChildrenShortcut, enabled=False)
        self.addAction(self.undo_action)
        self.last_marked: list[ScheduleEntry] = []  # what the last Mark collected recorded, for Ctrl+Z
        self.not_obtained_button = QPushButton(statuses.status_icon(NOT_DONE), _("&Not obtained…"))
        self.not_obtained_button.setToolTip(_("Record the selected item as not obtained, with a reason"))
        self.record_button = QPushButton(_("&Record…"),
                                         toolTip=_("Record with another date and time, or correct (Ctrl+R)"))
        self.calendar_button = QPushButton(_("Patient's &calendar"),
                                           toolTip=_("Open the whole calendar of this patient"))
        self.assess_button = QPushButton(flag_icon("tox_not_recorded"), _("Ass&ess…"),
                                         toolTip=_("Bedside CRS / ICANS assessment of the selected patient (Ctrl+B)"))
        self.decide_button = QPushButton(_("&Go / hold…"), toolTip=_(
            "A physician's go or hold before the selected fraction (an infusion at {timepoints})").format(
                timepoints=self._go_timepoints))
        self.flags = FlagsPanel()
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(ERROR_STYLE)
        actions = QHBoxLayout()
        for widget in (self.mark_button, at_label, self.collected_at, self.now_button, self.time_error):
            actions.addWidget(widget)
        actions.addSpacing(12)
        for widget in (self.withdraw_button, self.not_obtained_button, self.record_button, self.assess_button,
                       self.decide_button, self.calendar_button):
            actions.addWidget(widget)
        actions.addWidget(self.error, 1)

        self.missed_caption = caption(_("Missed: needs a reason"))
        self.missed_caption.setToolTip(_("Windows that closed in the last 7 days with nothing recorded: protocol "
                                         "deviations. Record why, or when it was in fact done."))
        self.missed_model = EntryTableModel(protocol, missed_columns(protocol), self)
        self.missed_proxy = TextFilter((0,), self)
        self.missed_proxy.setSourceModel(self.missed_model)
        self.missed = table_view(self.missed_proxy, (9, 14, 34, status, 9, 11, 20), stretch=2)
        self.missed.setObjectName("missed")
        self.missed.setAccessibleName(_("Missed items"))
        self.missed.setToolTip(_("Enter: give the reason it was not obtained, or when it was done."))
        self.missed.setMinimumHeight(self.missed.horizontalHeader().sizeHint().height()
                                     + 3 * self.missed.verticalHeader().defaultSectionSize() + 4)
        self.missed_reason_button = QPushButton(statuses.status_icon(MISSED), _("Give a &reason…"))
        self.missed_reason_button.setToolTip(_("Record the selected missed item as not obtained, with the reason"))
        self.missed_done_button = QPushButton(_("It was &done…"), toolTip=_("It was done but not entered: record when"))
        missed_actions = QHBoxLayout()
        missed_actions.addWidget(self.missed_reason_button)
        missed_actions.addWidget(self.missed_done_button)
        missed_actions.addStretch(1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.heading)
        top_layout.addWidget(self.worklist, 1)
        top_layout.addLayout(actions)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 6, 0, 0)
        bottom_layout.addWidget(self.missed_caption)
        bottom_layout.addWidget(self.missed, 1)
        bottom_layout.addLayout(missed_actions)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("todaySplitter")
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.flags)
        layout.addWidget(self.splitter, 1)
        chain_tab_order(self.day_edit, self.previous_day_button, self.next_day_button, self.today_button, self.kind,
                        self.patient_filter, self.flags.table, self.flags.open_button, self.flags.assess_button,
                        self.worklist, self.mark_button, self.collected_at, self.now_button,
                        self.withdraw_button, self.not_obtained_button, self.record_button, self.assess_button,
                        self.decide_button, self.calendar_button, self.missed, self.missed_reason_button,
                        self.missed_done_button)

    def _connect(self) -> None:
        self.day_edit.textChanged.connect(self._day_typed)
        self.day_keys = _DayKeys(self.shift_day, self)  # Ctrl+Left / Right move the day, not the cursor
        for edit in (self.patient_filter, self.day_edit.edit, self.collected_at):
            edit.installEventFilter(self.day_keys)
        self.previous_day_button.clicked.connect(lambda: self.shift_day(-1))
        self.next_day_button.clicked.connect(lambda: self.shift_day(1))
        self.today_button.clicked.connect(lambda: self.set_day(self.session.today()))
        self.kind.currentIndexChanged.connect(lambda _: self.update_now())
        self.patient_filter.textChanged.connect(self._filter_patients)
        self.mark_button.clicked.connect(self.mark_collected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.undo_action.triggered.connect(self.undo_last)
        self.not_obtained_button.clicked.connect(lambda: self.record_selected(self.worklist, not_obtained=True))
        self.record_button.clicked.connect(lambda: self.record_selected(self.worklist))
        self.calendar_button.clicked.connect(self._open_calendar)
        self.assess_button.clicked.connect(self.assess_selected)
        self.decide_button.clicked.connect(self.decide_selected)
        self.flags.patient_requested.connect(self.patient_requested)
        self.flags.assess_requested.connect(self.assess_requested)
        self.missed_reason_button.clicked.connect(lambda: self.record_selected(self.missed, not_obtained=True))
        self.missed_done_button.clicked.connect(lambda: self.record_selected(self.missed))
        self.now_button.clicked.connect(self._follow_now)
        self.collected_at.textEdited.connect(self._time_typed)
        self.worklist.doubleClicked.connect(lambda _: self.record_selected(self.worklist))
        self.missed.doubleClicked.connect(lambda _: self.record_selected(self.missed, not_obtained=True))
        widget_action(self.worklist, _("Mark collected"), (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space),
                      self.mark_collected)
        widget_action(self.missed, _("Give a reason"), (Qt.Key.Key_Return, Qt.Key.Key_Enter),
                      lambda: self.record_selected(self.missed, not_obtained=True))
        for table in (self.worklist, self.missed):
            table.selectionModel().selectionChanged.connect(self._update_buttons)
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(lambda pos, t=table: self._context_menu(t, pos))
        self.clock = QTimer(self, interval=30_000)
        self.clock.timeout.connect(self._tick)
        self.clock.start()

    # -- reading ---------------------------------------------------------------------------------

    def set_day(self, day: date, refresh: bool = True) -> None:
        self.day = day
        self.day_error.clear()
        if self.day_edit.value_or_none() != day:
            self.day_edit.blockSignals(True)
            self.day_edit.set_value(day)
            self.day_edit.blockSignals(False)
        if refresh:
            self.mark_stale()

    def _day_typed(self, text: str) -> None:
        """A whole date typed moves the worklist; an impossible one is refused beside the field."""
        try:
            day = self.day_edit.value()
        except ClinicalInputError as error:
            self.day_error.setText(ERROR_PREFIX + str(error) if len(text.strip()) >= 10 else "")
            return
        if day is not None and day != self.day:
            self.set_day(day)

    def shown(self) -> dict[str, str]:
        """What the worklist shows besides its day: the kind and the patient filter (for printing it)."""
        return {"kind": self.kind.currentData(), "patients": self.patient_filter.text().strip()}

    def shift_day(self, days: int) -> None:
        self.set_day(self.day + timedelta(days=days))

    def refresh(self) -> None:
        """Re-read this day's worklist and missed items (two indexed queries)."""
        rows = {table: self._current_row(table) for table in (self.worklist, self.missed)}
        entries = self.store.schedules.worklist(self.day, self.kind.currentData(), done_that_day=True)
        missed = self.store.schedules.missed(self.day, kind=self.kind.currentData())
        self.worklist_model.set_rows(entries)
        self.missed_model.set_rows(missed)
        for table, row in rows.items():
            self._select_row(table, row)
        self._headings()
        self.error.clear()
        self.time_error.clear()
        self._update_buttons()
        if self.flags_ready:
            self.refresh_flags()
        elif self._first_paint is None:  # keep the first paint light: the flags follow right after it
            self._first_paint = AfterFirstPaint(self.worklist.viewport(), self._first_flags)

    def _headings(self) -> None:
        """The counts of what is shown: the day's kind and the patient filter."""
        shown = [self.worklist_model.row(self.worklist_proxy.mapToSource(self.worklist_proxy.index(r, 0)).row())
                 for r in range(self.worklist_proxy.rowCount())]
        to_do = [e for e in shown if e.recording is None]
        overdue = sum(1 for e in to_do if e.status == OVERDUE)
        done = len(shown) - len(to_do)
        counts = [to_do_text(self.kind.currentData(), len(to_do))]
        if overdue:
            counts.append(ngettext("{count} overdue", "{count} overdue", overdue).format(count=overdue))
        if done:
            counts.append(ngettext("{count} done", "{count} done", done).format(count=done))
        patients = self.patient_filter.text().strip()
        of = _(" (patients matching “{text}”)").format(text=patients) if patients else ""
        when = _("Today {day}: {counts}") if self.day == self.session.today() else _("On {day}: {counts}")
        self.heading.setText(when.format(day=format_long_date(self.day), counts=", ".join(counts)) + of)
        self.missed_caption.setText(_("Missed, needs a reason: {count} (windows closed in the 7 days before {day})")
                                    .format(count=self.missed_proxy.rowCount(), day=format_date(self.day)) + of)

    def _first_flags(self) -> None:
        self._first_paint = None
        if self.isVisible():  # not after the window closed; the next refresh asks again
            self.flags_ready = True
            self.refresh_flags()

    def refresh_flags(self) -> None:
        """Re-read the day's toxicity flags (one worklist query for the assessments, small ones else)."""
        self.flags.set_flags(self.store.toxicity.flags(self.day))

    def _filter_patients(self, text: str) -> None:
        self.worklist_proxy.set_text(text)
        self.missed_proxy.set_text(text)
        self._headings()

    def selected(self, table: QTableView) -> list[ScheduleEntry]:
        proxy = table.model()
        model = self.worklist_model if table is self.worklist else self.missed_model
        rows = sorted({proxy.mapToSource(index).row() for index in table.selectionModel().selectedRows()})
        return [model.row(row) for row in rows]

    def _current_row(self, table: QTableView) -> int | None:
        rows = table.selectionModel().selectedRows()
        return min(index.row() for index in rows) if rows else None

    def _select_row(self, table: QTableView, row: int | None) -> None:
        count = table.model().rowCount()
        if row is None or count == 0:
            return
        index = table.model().index(min(row, count - 1), 0)
        table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        table.scrollTo(index)

    def _update_buttons(self) -> None:
        chosen = self.selected(self.worklist)
        # A sample already marked is not marked again; a new assessment can always be made.
        self.mark_button.setEnabled(any(e.recording is None or e.item.activity == "tox" for e in chosen))
        self.withdraw_button.setEnabled(len(chosen) == 1 and chosen[0].status == DONE)
        self.not_obtained_button.setEnabled(len(chosen) == 1)
        self.record_button.setEnabled(len(chosen) == 1)
        self.calendar_button.setEnabled(len({e.study_id for e in chosen}) == 1)
        samples = all(e.item.kind == "sample" for e in chosen)
        assessments = bool(chosen) and all(e.item.activity == "tox" for e in chosen)
        self.mark_button.setText(_("&Mark collected") if samples else _("&Mark done…") if assessments else
                                 _("&Mark done"))
        self.assess_button.setEnabled(len({e.study_id for e in chosen}) == 1)
        self.decide_button.setEnabled(self.selected_fraction() is not None)
        missed = self.selected(self.missed)
        self.missed_reason_button.setEnabled(len(missed) == 1)
        self.missed_done_button.setEnabled(len(missed) == 1)

    # -- the clock -------------------------------------------------------------------------------

    def _tick(self) -> None:
        today = self.session.today()
        if today != self.clock_day:
            showing_today = self.day == self.clock_day
            self.clock_day = today
            if showing_today:
                self.set_day(today)
        if self.follow_now:
            now = self.store.now()
            self.collected_at.set_value(now.time().replace(second=0, microsecond=0))
        if self.last_marked and not any(self._undo_still_free(e) for e in self.last_marked):
            self.undo_action.setEnabled(False)  # the moment has passed: Not collected after all, with a reason

    def _time_typed(self, _: str) -> None:
        self.follow_now = False

    def _follow_now(self) -> None:
        self.follow_now = True
        self._tick()

    # -- writing ---------------------------------------------------------------------------------

    def mark_collected(self) -> None:
        """Record the selected worklist items done on this day at the time beside the button."""
        chosen = self.selected(self.worklist)
        if not chosen:
            self.session.say(_("Select an item in the worklist first."))
            return
        assessments = [e for e in chosen if e.item.activity == "tox"]
        chosen = [e for e in chosen if e.item.activity != "tox"]
        if assessments and not chosen:  # a CRS / ICANS assessment is done by recording its findings
            self.assess_requested.emit(assessments[0].study_id)
            return
        if assessments:
            self.session.say(_("A CRS / ICANS assessment is recorded with its findings: select it and press Ctrl+B."))
        already = [e for e in chosen if e.recording is not None]
        chosen = [e for e in chosen if e.recording is None]
        if already and not chosen:  # a second Enter on what was just marked records nothing
            entry = already[0]
            self.session.say(_("{item}: already done at {time} by {user}, not recorded again (Ctrl+Z takes it "
                               "back).").format(item=item_words(self.store.protocol, entry),
                                                time=format_time(entry.recording.done_at),
                                                user=entry.recording.recorded_by))
            return
        done_at = self._done_at()
        if done_at is None:
            return
        if self.day < self.session.today() and not self._confirm_backdate(chosen, done_at):
            return
        done_at = self._done_at()
        if done_at is None:
            return
        by_patient: dict[str, list[ScheduleEntry]] = {}
        for entry in chosen:
            by_patient.setdefault(entry.study_id, []).append(entry)
        written = []
        try:
            with self.store.transaction():  # one user action: every patient's items, or none
                for study_id, entries in by_patient.items():
                    self.store.recordings.record_many(study_id, [(e.item.timepoint, e.item.activity, done_at, None)
                                                      for e in entries])
            written = chosen
        except USER_ERRORS as error:
            self._refused(error)
        for study_id in {e.study_id for e in written}:
            self.session.events.recorded.emit(study_id)
        if written:
            self.last_marked = written
            self.undo_action.setEnabled(True)
            self.session.say(_("Marked done at {time} by {user}: {items}. Ctrl+Z: undo.").format(
                time=format_time(done_at), user=self.session.user,
                items=some_items(written, lambda e: item_words(self.store.protocol, e))))
            notes = {note for note in (window_note(e, done_at) for e in written) if note}
            if notes:  # recorded (the command line says "outside its window" too), but shown beside the time
                self.time_error.setText(ERROR_PREFIX + " ".join(sorted(notes)))
            self.worklist.setFocus()

    def _refused(self, error: Exception) -> None:
        """The sentence beside the time when it is about the time, else beside the buttons; and in the status bar."""
        about_time = isinstance(error, ClinicalInputError) and error.field in ("done_at", "time collected")
        (self.time_error if about_time else self.error).setText(ERROR_PREFIX + str(error))
        self.session.say(str(error))

    def _done_at(self):
        """The time collected on the day shown, or None with the sentence beside the time field."""
        try:
            clock = self.collected_at.value()
            if clock is None:
                raise ClinicalInputError(_("Type the time collected, HH:MM."), "done_at")
        except ClinicalInputError as error:
            self._refused(error)
            self.collected_at.setFocus()
            return None
        self.time_error.clear()
        return datetime.combine(self.day, clock).astimezone()

    def _confirm_backdate(self, entries: list[ScheduleEntry], done_at) -> bool:
        """On a past day, ask before recording on that day, with the time to confirm (Enter alone
        never backdates: the dialog has no default button)."""
        dialog = BackdateDialog(self.store.protocol, self.day, entries, self.collected_at.text(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            self.session.say(_("Nothing recorded: {day} is a past day. To record another day or time, use Record… "
                               "(Ctrl+R).").format(day=format_date(self.day)))
            return False
        self.collected_at.setText(dialog.time.text())
        self.follow_now = False
        return True

    def _undo_still_free(self, entry: ScheduleEntry) -> bool:
        stored = self.store.schedules.of(entry.study_id, self.day)
        current = next((e for e in stored if (e.item.timepoint, e.item.activity)
                        == (entry.item.timepoint, entry.item.activity)), None)
        return (current is not None and current.recording is not None
                and undo_without_reason(current.recording, self.session.user, self.store.now()))

    def undo_last(self) -> None:
        """Ctrl+Z: take back what the last Mark collected recorded (no reason, within the moment)."""
        if not self.last_marked:
            self.session.say(_("Nothing to undo."))
            return
        self._withdraw(self.last_marked, None)

    def withdraw_selected(self) -> None:
        """Not collected after all: take back the selected item recorded done; a reason is asked once
        the moment has passed (the store decides, by core.recording.check_withdrawal)."""
        chosen = [e for e in self.selected(self.worklist) if e.status == DONE]
        if len(chosen) != 1:
            self.session.say(_("Select one item recorded done first."))
            return
        entry = chosen[0]
        reason = None
        if not undo_without_reason(entry.recording, self.session.user, self.store.now()):
            reason, accepted = QInputDialog.getText(
                self, _("Not collected after all"), _("{item} was recorded done by {user} at {moment}.\nWhy is it "
                                                      "taken back?").format(
                    item=item_words(self.store.protocol, entry), user=entry.recording.recorded_by,
                    moment=format_moment(entry.recording.recorded_at)))
            if not accepted:
                return
        self._withdraw([entry], reason)

    def _withdraw(self, entries: list[ScheduleEntry], reason: str | None) -> None:
        try:
            with self.store.transaction():  # one action: all of them, or none
                for entry in entries:
                    self.store.recordings.withdraw(entry.study_id, entry.item.timepoint, entry.item.activity, reason)
        except USER_ERRORS as error:
            self._refused(error)
            return
        self.last_marked = [e for e in self.last_marked if e not in entries]
        self.undo_action.setEnabled(bool(self.last_marked))
        for study_id in {e.study_id for e in entries}:
            self.session.events.recorded.emit(study_id)
        what = ", ".join(item_words(self.store.protocol, e) for e in entries)
        self.session.say(_("Not collected after all: {items} is open again; the change log keeps both.").format(
            items=what))

    def record_selected(self, table: QTableView | None = None, not_obtained: bool = False) -> RecordItemDialog | None:
        """Open the record dialog for the item selected in `table` (default: the one with the focus)."""
        from ..patient.record_dialog import RecordItemDialog  # loaded when first opened: a light start

        if table is None:
            table = self.missed if self.missed.hasFocus() else self.worklist
        chosen = self.selected(table)
        if len(chosen) != 1:
            self.session.say(_("Select one item first."))
            return None
        return open_dialog(RecordItemDialog(self.session, chosen[0], not_obtained=not_obtained, parent=self), table)

    def result_selected(self, table: QTableView) -> QWidget | None:
        """Open the result form of the one item selected in `table`, recorded done."""
        from ..patient.result_dialog import ResultDialog

        chosen = self.selected(table)
        if len(chosen) != 1:
            self.session.say(_("Select one item first."))
            return None
        return open_dialog(ResultDialog(self.session, chosen[0], parent=self), table)

    def selected_study_id(self) -> str | None:
        """The patient of the selected flag, missed item or worklist item (whichever has the focus)."""
        if self.flags.table.hasFocus() and self.flags.selected() is not None:
            return self.flags.selected().study_id
        chosen = self.selected(self.missed if self.missed.hasFocus() else self.worklist)
        if len({e.study_id for e in chosen}) == 1:
            return chosen[0].study_id
        flag = self.flags.selected()
        return flag.study_id if flag is not None and not chosen else None

    def selected_fraction(self) -> tuple[str, str] | None:
        """(study ID, timepoint) when the one selected worklist item is a fraction that needs a go."""
        chosen = self.selected(self.worklist)
        if len(chosen) != 1:
            return None
        item = chosen[0].item
        if item.activity == "infusion" and item.timepoint in self.store.protocol.go_decision_before:
            return chosen[0].study_id, item.timepoint
        return None

    def assess_selected(self) -> None:
        study_id = self.selected_study_id()
        if study_id is None:
            self.session.say(_("Select one patient's item (or a flag) first."))
            return
        self.assess_requested.emit(study_id)

    def decide_selected(self) -> None:
        fraction = self.selected_fraction()
        if fraction is None:
            self.session.say(_("Select the infusion of a fraction ({timepoints}) first.").format(
                timepoints=self._go_timepoints))
            return
        self.fraction_requested.emit(*fraction)

    def _open_calendar(self) -> None:
        table = self.missed if self.missed.hasFocus() else self.worklist
        chosen = self.selected(table)
        if chosen:
            self.patient_requested.emit(chosen[0].study_id)

    def _context_menu(self, table: QTableView, position) -> None:
        index: QModelIndex = table.indexAt(position)
        if not index.isValid():
            return
        menu = QMenu(self)
        if table is self.worklist:
            menu.addAction(self.mark_button.text().replace("&", ""), self.mark_collected)
            if self.withdraw_button.isEnabled():
                menu.addAction(_("Not collected after all…"), self.withdraw_selected)
            if self.undo_action.isEnabled():
                menu.addAction(self.undo_action)
        menu.addAction(_("Not obtained…"), lambda: self.record_selected(table, not_obtained=True))
        menu.addAction(_("Record…") + "\tCtrl+R", lambda: self.record_selected(table))
        entry = self.selected(table)
        if len(entry) == 1:
            from ..patient.result_dialog import takes_result

            if takes_result(entry[0]):
                menu.addAction(_("Result…"), lambda: self.result_selected(table))
        menu.addSeparator()
        if len({e.study_id for e in entry}) == 1:
            menu.addAction(flag_icon("tox_not_recorded"), _("Bedside assessment…") + "\tCtrl+B",
                           lambda: self.assess_requested.emit(entry[0].study_id))
        if table is self.worklist and self.selected_fraction() is not None:
            menu.addAction(_("Go / hold before this fraction…"), self.decide_selected)
        if entry:
            menu.addAction(_("Open {study_id}'s calendar").format(study_id=entry[0].study_id),
                           lambda: self.patient_requested.emit(entry[0].study_id))
        menu.exec(table.viewport().mapToGlobal(position))


class _DayKeys(QObject):
    """Ctrl+Left / Ctrl+Right on a line edit of Today move the worklist a day: a line edit would take
    them for word moves, and the nurse typing in the filter expects the day to change."""

    KEYS = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}

    def __init__(self, shift, parent: QObject):
        super().__init__(parent)
        self.shift = shift

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and \
                event.modifiers() == Qt.KeyboardModifier.ControlModifier and event.key() in self.KEYS:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()  # the key comes here, not to the window's shortcut: moved once
            else:
                self.shift(self.KEYS[event.key()])
            return True
        return False


class BackdateDialog(QDialog):
    """Asks before a collection is recorded on a past day, with the time to confirm. No default
    button: Enter alone does not record."""

    def __init__(self, protocol: Protocol, day: date, entries: list[ScheduleEntry], time_text: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Record on a past day?"))
        what = some_items(entries, lambda e: f"{e.study_id} {what_text(protocol, e.item)}")
        question = QLabel(_("{day} is a past day. Record {items} collected on that day, at the time below?").format(
            day=format_long_date(day), items=what), wordWrap=True)
        self.time = TimeField().describe(_("time collected"), "done_at")
        self.time.setText(time_text)
        self.time_error = QLabel(wordWrap=True)
        self.time_error.setStyleSheet(ERROR_STYLE)
        self.record_button = QPushButton(_("&Record on {day}").format(day=format_date(day)), autoDefault=False)
        self.cancel_button = QPushButton(_("Cancel"), autoDefault=False)
        self.record_button.clicked.connect(self._record)
        self.cancel_button.clicked.connect(self.reject)
        at = QHBoxLayout()
        at_label = QLabel(_("&Time collected:"))
        at_label.setBuddy(self.time)
        for widget in (at_label, self.time, self.time_error):
            at.addWidget(widget)
        at.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addLayout(at)
        layout.addLayout(buttons)
        self.time.setFocus()

    def _record(self) -> None:
        try:
            if self.time.value() is None:
                raise ClinicalInputError(_("Type the time collected, HH:MM."), "done_at")
        except ClinicalInputError as error:
            self.time_error.setText(ERROR_PREFIX + str(error))
            return
        self.accept()
