"""Patient: one patient's whole calendar, screening to month 36, grouped by timepoint, and below it
their toxicity: the CRS / ICANS timeline, the bedside assessments and the toxicity events.

The physician enters or moves day 0, a booster, off study or death from here (each dialog shows
what will shift before confirming); the data manager records or corrects an item with a reason.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedLayout,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import ClinicalInputError
from ...core.patients import Patient, shown_stage
from ...core.schedule import ScheduleEntry
from ...i18n import _
from ..common.qt_dates import format_date
from ..common.session import Session
from ..common.widgets import LazyView, chain_tab_order, open_dialog, set_widths, widget_action
from .calendar_model import SHOW_CHOICES, CalendarFilter, CalendarModel

if TYPE_CHECKING:  # the dialogs load when first opened
    from ..toxicity.patient_toxicity import PatientToxicity
    from .date_dialogs import MoveDateDialog, OffStudyDialog
    from .record_dialog import RecordItemDialog
    from .responses import ResponsePanel
    from .result_dialog import ResultDialog


class PatientView(LazyView):
    patient_shown = Signal(str)
    fraction_requested = Signal(str)  # study ID: go / hold before the next fraction

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._booster_tip = _("Set or move the booster date (no earlier than {day})").format(
            day=f"D+{session.store.protocol.booster_earliest_day}")
        self.study_id: str | None = None
        self.patient: Patient | None = None
        self.header = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.record_button = QPushButton(_("&Record…"), toolTip=_("Record or correct the selected item (Ctrl+R, "
                                                                  "Enter)"))
        self.result_button = QPushButton(_("Res&ult…"), toolTip=_("Type or correct the result of the selected item, "
                                         "once recorded done (response labs, MRD, PET-CT, CAR-T, BCMA)"))
        self.day0_button = QPushButton(_("Move day &0…"), toolTip=_("Set or move day 0; shows what will shift first"))
        self.booster_button = QPushButton(_("&Booster…"), toolTip=self._booster_tip)
        self.off_study_button = QPushButton(_("&Off study…"), toolTip=_("Take the patient off study, with a reason"))
        self.death_button = QPushButton(_("&Death…"), toolTip=_("Record the date of death; later items are "
                                                                "cancelled"))
        self.progression_button = QPushButton(_("Pro&gression…"), toolTip=_(
            "Record the first progression: its date and how it was found (progression-free survival ends there)"))
        self.show_choice = QComboBox(toolTip=_("Show every item, or only some statuses"))
        for text, wanted in SHOW_CHOICES:
            self.show_choice.addItem(_(text), wanted)
        show_label = QLabel(_("S&how:"))
        show_label.setBuddy(self.show_choice)
        self.model = CalendarModel(self)
        self.proxy = CalendarFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView()
        self.tree.setObjectName("calendar")
        self.tree.setAccessibleName(_("Calendar"))
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(False)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        set_widths(self.tree.header(), (44, 9, 21, 12, 27, 20))
        self.tree.header().setStretchLastSection(True)
        self.empty = QLabel(_("No patient chosen. Find one in Patients (Ctrl+2 or Ctrl+F) and press Enter, "
                              "or double-click a patient."), alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)

        buttons = QHBoxLayout()
        for button in (self.record_button, self.result_button, self.day0_button, self.booster_button,
                       self.off_study_button, self.death_button, self.progression_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(show_label)
        buttons.addWidget(self.show_choice)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.header)
        page_layout.addLayout(buttons)
        self.toxicity: PatientToxicity | None = None  # built with the first patient shown: a light start
        self.responses: ResponsePanel | None = None  # a tab of the toxicity part, built with it
        self.header_states: dict[str, QByteArray] = {}  # the toxicity tables' saved columns, until built
        self.splitter_restored = False  # the calendar / toxicity sizes came from the settings
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("patientSplitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(QWidget())
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        page_layout.addWidget(self.splitter, 1)
        self.pages = QStackedLayout()
        self.pages.addWidget(self.empty)
        self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addLayout(self.pages)
        chain_tab_order(self.record_button, self.result_button, self.day0_button, self.booster_button,
                        self.off_study_button, self.death_button, self.progression_button, self.show_choice,
                        self.tree)

        self.record_button.clicked.connect(lambda: self.record_selected())
        self.result_button.clicked.connect(lambda: self.result_selected())
        self.day0_button.clicked.connect(lambda: self.change_date("day0"))
        self.booster_button.clicked.connect(lambda: self.change_date("booster"))
        self.death_button.clicked.connect(lambda: self.change_date("death"))
        self.off_study_button.clicked.connect(self.take_off_study)
        self.progression_button.clicked.connect(lambda: self.record_progression())
        self.show_choice.currentIndexChanged.connect(self._filter)
        self.tree.doubleClicked.connect(lambda _: self.record_selected())
        widget_action(self.tree, _("Record…"), (Qt.Key.Key_Return, Qt.Key.Key_Enter), self.record_selected)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._update_result_button())

    def show_patient(self, study_id: str) -> None:
        """Show a patient's calendar; an unknown study ID is refused with the store's sentence."""
        self.session.store.patients.get(study_id)
        self.study_id = study_id
        self.mark_stale()
        self.patient_shown.emit(study_id)

    def patient_changed(self, study_id: str) -> None:
        if study_id == self.study_id:
            self.mark_stale()

    def refresh(self) -> None:
        """Re-read this patient and their schedule (one patient, not the database)."""
        if self.study_id is None:
            self.pages.setCurrentIndex(0)
            return
        today = self.session.today()
        self.patient = self.session.store.patients.get(self.study_id)
        selected = self.selected_entry()
        self.model.set_schedule(self.session.store.schedules.of(self.study_id, today), today,
                                self.session.store.protocol)
        self.tree.expandAll()
        self._describe(self.patient)
        self.pages.setCurrentIndex(1)
        self._restore_selection(selected)
        self._update_result_button()
        self.toxicity_part().show_patient(self.study_id)
        self.responses.show_patient(self.study_id)

    def toxicity_part(self) -> PatientToxicity:
        """The timeline, assessments and events under the calendar, built when first needed."""
        if self.toxicity is None:
            from ..toxicity.patient_toxicity import PatientToxicity
            from .responses import ResponsePanel

            t = self.toxicity = PatientToxicity(self.session)
            self.responses = ResponsePanel(self.session)
            t.tabs.addTab(self.responses, _("Response (IMWG)"))
            self.splitter.replaceWidget(1, t).deleteLater()
            if not self.splitter_restored:
                QTimer.singleShot(0, self, self._share_splitter)
            t.fraction_requested.connect(self.fraction_requested)
            chain_tab_order(self.tree, t.tabs, t.assessments, t.assess_button, t.correct_button, t.decide_button,
                            t.events, t.event_button, t.resolve_button)
            for key, state in self.header_states.items():
                self.toxicity_headers()[key].restoreState(state)
        return self.toxicity

    def _share_splitter(self) -> None:
        """First time, without saved sizes: the toxicity part whole with a few rows of its tables, and
        the calendar the rest (at least 40 %)."""
        total = sum(self.splitter.sizes())
        if self.toxicity is None or not total:
            return
        below = min(self.toxicity.whole_height(), int(total * 0.6), self.toxicity.maximumHeight())
        self.splitter.setSizes([total - below, below])

    def toxicity_headers(self) -> dict[str, QHeaderView]:
        if self.toxicity is None:
            return {}
        return {"assessments": self.toxicity.assessments.horizontalHeader(),
                "events": self.toxicity.events.horizontalHeader()}

    def _describe(self, p: Patient) -> None:
        a = p.anchors
        today = self.session.today()
        who = escape(_("{initials}, {sex}, born {year}").format(initials=p.initials, sex=p.sex, year=p.birth_year))
        parts = [f"<b style='font-size:large'>{escape(p.study_id)}</b>&nbsp; {who} &nbsp;·&nbsp; "
                 f"<b>{escape(shown_stage(p.stage(today, self.session.store.protocol)))}</b>",
                 escape(_("Screening {date}").format(date=format_date(a.screening))),
                 escape(_("Day 0 {date}").format(date=format_date(a.day0)) if a.day0 else _("Day 0 not set"))]
        if a.booster:
            parts.append(escape(_("Booster {date}").format(date=format_date(a.booster))))
        if a.off_study:
            parts.append(escape(_("Off study {date} ({reason})").format(date=format_date(a.off_study),
                                                                        reason=a.off_study_reason or "")))
        if a.death:
            parts.append(escape(_("Died {date}").format(date=format_date(a.death))))
        parts.append(escape(_("Extramedullary disease: PET-CT scheduled") if a.extramedullary
                            else _("No extramedullary disease")))
        self.header.setText(" &nbsp;·&nbsp; ".join(parts))
        self.day0_button.setText(_("Move day &0…") if a.day0 else _("Set day &0…"))
        self.booster_button.setEnabled(a.day0 is not None)
        self.booster_button.setToolTip(self._booster_tip if a.day0 else _("A booster needs day 0 first"))

    # -- selection -------------------------------------------------------------------------------

    def selected_entry(self) -> ScheduleEntry | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        return self.model.entry(self.proxy.mapToSource(index.siblingAtColumn(0)))

    def _restore_selection(self, previous: ScheduleEntry | None) -> None:
        target = None
        if previous is not None:
            target = self._find(previous.item.timepoint, previous.item.activity)
        if target is None:
            group = self.model.index(self.model.group_row_to_show(), 0)
            target = self.proxy.mapFromSource(group)
        if target.isValid():
            self.tree.selectionModel().setCurrentIndex(
                target, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.tree.scrollTo(target, QAbstractItemView.ScrollHint.PositionAtTop)

    def _find(self, timepoint: str, activity: str):
        for row, group in enumerate(self.model.groups):
            if group.code != timepoint:
                continue
            for number, entry in enumerate(group.entries):
                if entry.item.activity == activity:
                    return self.proxy.mapFromSource(self.model.index(number, 0, self.model.index(row, 0)))
        return None

    def _filter(self) -> None:
        self.proxy.set_statuses(self.show_choice.currentData())
        self.tree.expandAll()

    # -- dialogs ---------------------------------------------------------------------------------

    def record_selected(self) -> RecordItemDialog | None:
        from .record_dialog import RecordItemDialog

        entry = self.selected_entry()
        if entry is None:
            self.session.say(_("Select an item of the calendar (not a timepoint) first."))
            return None
        return self._open(RecordItemDialog(self.session, entry, parent=self))

    def _update_result_button(self) -> None:
        from .result_dialog import takes_result

        done = takes_result(self.selected_entry())
        refusal = self.session.refusal("record-results")
        self.result_button.setEnabled(done and refusal is None)
        self.result_button.setToolTip(refusal or (
            _("Type or correct the result of the selected item") if done else
            _("Select a response, MRD, PET-CT, CAR-T, sBCMA or BCMA item recorded done: its result is typed here")))

    def result_selected(self) -> ResultDialog | None:
        from .result_dialog import ResultDialog, gives_result

        entry = self.selected_entry()
        if not gives_result(entry):
            self.session.say(_("Select a response, MRD, PET-CT, CAR-T, sBCMA or BCMA item of the calendar first."))
            return None
        try:
            return self._open(ResultDialog(self.session, entry, parent=self))
        except ClinicalInputError as error:
            self.session.say(str(error))
            return None

    def change_date(self, anchor: str) -> MoveDateDialog | None:
        from .date_dialogs import MoveDateDialog

        if self.study_id is None:
            return None
        try:
            return self._open(MoveDateDialog(self.session, self.study_id, anchor, parent=self))
        except ClinicalInputError as error:
            self.session.say(str(error))
            return None

    def record_progression(self) -> QWidget | None:
        from .progression_dialog import ProgressionDialog

        if self.study_id is None:
            return None
        refusal = self.session.refusal("record-results")
        if refusal:
            self.session.say(refusal)
            return None
        return self._open(ProgressionDialog(self.session, self.study_id, parent=self))

    def take_off_study(self) -> OffStudyDialog | None:
        from .date_dialogs import OffStudyDialog

        if self.study_id is None:
            return None
        return self._open(OffStudyDialog(self.session, self.study_id, parent=self))

    def _open(self, dialog):
        return open_dialog(dialog, self.tree)
