"""The Toxicity part of the Patient view: the CRS / ICANS timeline, the bedside assessments and
the toxicity events of one patient, with what a physician does from there (assess, correct, sign an
assessment as performed or reviewed, go / hold before a fraction, record an event or its resolution).

Also the small pieces the main window shares for those dialogs: how one is opened, and asking
which fraction a go / hold is for (store.fractions.awaiting_decision says which one waits).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.toxicity import Assessment, ToxicityEvent, fraction_label
from ...i18n import _
from ..common.models import SORT_ROLE
from ..common.session import Session
from ..common.widgets import open_dialog, table_view, widget_action
from ..signing.sign_dialog import assessment_meaning, is_void, why_not
from .timeline import ToxicityTimeline
from .toxicity_models import AssessmentRow, AssessmentTableModel, EventTableModel

if TYPE_CHECKING:  # the dialogs load when first opened, to keep the first paint light
    from ..bedside.bedside import BedsideAssessmentDialog
    from ..signing.sign_dialog import SignDialog
    from .count_dialog import BloodCountDialog, TlsLabsDialog
    from .event_dialog import ToxicityEventDialog


def ask_fraction(parent: QWidget, session: Session, study_id: str, then: Callable[[str], None]) -> QInputDialog:
    """Ask which fraction the decision is for (when none obviously waits), then call `then(timepoint)`."""
    protocol = session.store.protocol
    choices = {f"{code}: {fraction_label(protocol, code)}": code for code in protocol.go_decision_before}
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(_("Go or hold: {study_id}").format(study_id=study_id))
    dialog.setLabelText(_("Every fraction of {study_id} is given or has its go.").format(study_id=study_id) + "\n"
                        + _("Which fraction is the decision for?"))
    dialog.setComboBoxItems(list(choices))
    dialog.setOption(QInputDialog.InputDialogOption.UseListViewForComboBoxItems)
    dialog.textValueSelected.connect(lambda text: then(choices[text]))
    return open_dialog(dialog)


class _TimelineArea(QScrollArea):
    """The timeline, scrolled rather than clipped when the window is short (a 768-pixel laptop screen with a
    booster strip): it asks for the timeline's whole height, and needs only its first strip's."""

    def __init__(self, timeline: ToxicityTimeline, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidget(timeline)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)  # room goes to the tables

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.widget().minimumHeight())

    def minimumSizeHint(self) -> QSize:
        return QSize(super().minimumSizeHint().width(), min(self.widget().minimumHeight(),
                                                            self.widget().first_strip_height()))


def _sorted(model) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model.parent())
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


class PatientToxicity(QWidget):
    """Timeline, assessments and events of the patient shown; show_patient(study_id), refresh()."""

    fraction_requested = Signal(str)  # study ID: the main window chooses the fraction and opens go / hold

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.study_id: str | None = None
        self.nothing_recorded = True  # no assessment and no event: the tables take two rows' height
        self.timeline = ToxicityTimeline(session, self)
        self.assessment_model = AssessmentTableModel(self)
        self.assessments = table_view(_sorted(self.assessment_model), (16, 5, 10, 40, 34, 18, 10, 34), stretch=6)
        self.assessments.setObjectName("assessments")
        self.assessments.setAccessibleName(_("Bedside assessments"))
        self.assessments.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.assessments.setToolTip(_("Double-click or Enter: correct the assessment (with a reason)."))
        self.event_model = EventTableModel(self)
        self.events = table_view(_sorted(self.event_model), (34, 40, 11, 11, 30, 12), stretch=4)
        self.events.setObjectName("toxicityEvents")
        self.events.setAccessibleName(_("Toxicity events"))
        self.events.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.events.setToolTip(_("Double-click or Enter: record the day it resolved."))
        self.assess_button = QPushButton(_("Bedside &assessment…"), toolTip=_("Record a CRS / ICANS assessment "
                                                                              "(Ctrl+B)"))
        self.correct_button = QPushButton(_("Correc&t…"), toolTip=_("Correct the selected assessment, with a reason"))
        self.sign_button = QPushButton(_("&Sign…"))
        self.decide_button = QPushButton(_("&Go / hold fraction…"), toolTip=_(
            "Record a physician's go or hold before the next fraction ({days})").format(
            days=session.store.protocol.go_decision_days))
        self.event_button = QPushButton(_("Record &event…"), toolTip=_(
            "Record an event graded by a physician: TLS, an infection, IEC-HS, hypogammaglobulinaemia, delayed "
            "neurotoxicity, the cause of death"))
        self.count_button = QPushButton(_("Blood c&ount…"), toolTip=_(
            "Record neutrophils, platelets, haemoglobin: the cytopenias follow the counts"))
        self.labs_button = QPushButton(_("T&LS labs…"), toolTip=_(
            "Record uric acid, potassium, phosphate, calcium: Cairo-Bishop tumour lysis"))
        self.resolve_button = QPushButton(_("Reso&lved…"), toolTip=_("Record the day the selected event resolved"))
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self._page(self.assessments, self.assess_button, self.correct_button, self.sign_button,
                                    self.decide_button),
                         _("Bedside assessments"))
        self.tabs.addTab(self._page(self.events, self.event_button, self.resolve_button, self.count_button,
                                    self.labs_button), _("Toxicity events"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.timeline_area = _TimelineArea(self.timeline, self)
        layout.addWidget(self.timeline_area)
        layout.addWidget(self.tabs, 1)
        self._connect()

    def resizeEvent(self, event) -> None:
        """The timeline's wrapped words need more height as the window narrows: never clip its rows."""
        super().resizeEvent(event)
        self._keep_timeline_whole()

    def _keep_timeline_whole(self) -> None:
        layout = self.timeline.layout()
        if layout is not None and layout.hasHeightForWidth():
            self.timeline.setMinimumHeight(layout.heightForWidth(max(self.timeline_area.viewport().width(), 1)))
            self.timeline_area.setMaximumHeight(self.timeline.minimumHeight())
            self.timeline_area.updateGeometry()

    def whole_height(self) -> int:
        """The height that shows the whole timeline, the tabs and two rows of a table."""
        rows = 2 * self.assessments.verticalHeader().defaultSectionSize()
        return self.timeline.minimumHeight() + self.tabs.minimumSizeHint().height() + rows + 6

    def _page(self, table: QTableView, *buttons: QPushButton) -> QWidget:
        page = QWidget()
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(table, 1)
        layout.addLayout(row)
        return page

    def _connect(self) -> None:
        self.timeline.refreshed.connect(self._fit)
        self.assess_button.clicked.connect(lambda: self.assess())
        self.correct_button.clicked.connect(lambda: self.correct_selected())
        self.sign_button.clicked.connect(lambda: self.sign_selected())
        self.decide_button.clicked.connect(lambda: self.study_id and self.fraction_requested.emit(self.study_id))
        self.event_button.clicked.connect(lambda: self.record_event())
        self.count_button.clicked.connect(lambda: self.record_count())
        self.labs_button.clicked.connect(lambda: self.record_labs())
        self.resolve_button.clicked.connect(lambda: self.resolve_selected())
        self.assessments.doubleClicked.connect(lambda _: self.correct_selected())
        self.events.doubleClicked.connect(lambda _: self.resolve_selected())
        widget_action(self.assessments, _("Correct…"), (Qt.Key.Key_Return, Qt.Key.Key_Enter), self.correct_selected)
        self.sign_action = widget_action(self.assessments, _("Sign…"), ("Ctrl+Shift+S",), self.sign_selected)
        self.assessments.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        widget_action(self.events, _("Resolved…"), (Qt.Key.Key_Return, Qt.Key.Key_Enter), self.resolve_selected)
        for table in (self.assessments, self.events):
            table.selectionModel().selectionChanged.connect(self._update_buttons)

    # -- reading ---------------------------------------------------------------------------------

    def show_patient(self, study_id: str) -> None:
        if study_id != self.timeline.study_id:
            self.timeline.show_patient(study_id)
        self.study_id = study_id
        self.refresh()

    def refresh(self) -> None:
        """Re-read this patient's assessments and events (the timeline re-reads itself)."""
        if self.study_id is None:
            return
        store = self.session.store
        patient = store.patients.get(self.study_id)
        chosen = (self.selected_assessment(), self.selected_event())
        assessments = store.assessments.of(self.study_id)
        days = {a.id: patient.anchors.study_day(a.at.astimezone().date()) for a in assessments}
        self.assessment_model.set_rows([AssessmentRow(a, days[a.id], store.signatures.of("assessments", a.id))
                                        for a in reversed(assessments)])
        events = store.events.of(self.study_id)
        self.event_model.set_rows(events)
        ongoing = sum(1 for e in events if e.resolution is None)
        self.tabs.setTabText(0, _("Bedside assessments ({count})").format(count=len(assessments)))
        self.tabs.setTabText(1, _("Toxicity events ({count}, {ongoing} ongoing)").format(
            count=len(events), ongoing=ongoing) if events else _("Toxicity events (none)"))
        self._reselect(self.assessments, [r.assessment.id for r in self.assessment_model.rows],
                       chosen[0].id if chosen[0] else None)
        self._reselect(self.events, [e.id for e in events], chosen[1].id if chosen[1] else None)
        self.decide_button.setEnabled(patient.anchors.day0 is not None)
        self.nothing_recorded = not assessments and not events
        self._fit()
        self._update_buttons()

    def _fit(self) -> None:
        """With nothing recorded yet, the tables take two rows' height and the calendar the rest.

        Measured again whenever the timeline re-reads itself too (its `refreshed`): the timeline hears of a
        change by its own signal, often after this part did, and a booster set meanwhile adds its strip. A
        ceiling measured without that strip would squeeze the timeline to its first rows and hold the
        splitter still (the part's minimum would meet its maximum)."""
        unlimited = 16_777_215  # QWIDGETSIZE_MAX
        self.setMaximumHeight(unlimited)  # measured free of the old ceiling
        self._keep_timeline_whole()
        if not self.nothing_recorded:
            self.tabs.setMaximumHeight(unlimited)
            return
        table = self.assessments
        rows = table.horizontalHeader().sizeHint().height() + 2 * table.verticalHeader().defaultSectionSize()
        self.tabs.setMaximumHeight(self.tabs.tabBar().sizeHint().height() + rows + 2 * table.frameWidth()
                                   + self.assess_button.sizeHint().height() + 16)
        layout = self.layout()
        layout.activate()
        self.setMaximumHeight(max(layout.sizeHint().height(), layout.minimumSize().height()))

    def _reselect(self, table: QTableView, ids: list[int], wanted: int | None) -> None:
        if wanted is None or wanted not in ids:
            return
        index = table.model().mapFromSource(table.model().sourceModel().index(ids.index(wanted), 0))
        table.selectRow(index.row())

    def selected_assessment(self) -> Assessment | None:
        row = self.selected_row()
        return row.assessment if row else None

    def selected_event(self) -> ToxicityEvent | None:
        rows = self.events.selectionModel().selectedRows()
        return self.event_model.row(self.events.model().mapToSource(rows[0]).row()) if rows else None

    def _update_buttons(self) -> None:
        self.correct_button.setEnabled(self.selected_assessment() is not None)
        self._update_sign()
        self.resolve_button.setEnabled(self.selected_event() is not None)
        for button in (self.assess_button, self.event_button, self.count_button, self.labs_button):
            button.setEnabled(self.study_id is not None)

    def selected_row(self) -> AssessmentRow | None:
        rows = self.assessments.selectionModel().selectedRows()
        return self.assessment_model.row(self.assessments.model().mapToSource(rows[0]).row()) if rows else None

    def _update_sign(self) -> None:
        """Sign… needs an assessment selected and the right to sign one (the sentence of core/roles.py
        says why not); a signature voided by a correction asks to be given again."""
        row = self.selected_row()
        refusal = why_not(self.session, "assessments")
        if refusal:
            tip = refusal
        elif row is None:
            tip = _("Select an assessment to sign first.")
        elif is_void(row.signatures):
            tip = _("Signature void — sign again: the assessment was corrected after it was signed.")
        else:
            tip = _("Sign the selected assessment as {meaning} (your password again).").format(
                meaning=_(assessment_meaning(self.session, row.assessment)))
        self.sign_button.setText(_("&Sign again…") if row is not None and is_void(row.signatures) else _("&Sign…"))
        for widget in (self.sign_button, self.sign_action):
            widget.setEnabled(refusal is None and row is not None)
            widget.setToolTip(tip)

    # -- dialogs ---------------------------------------------------------------------------------

    def sign_selected(self) -> SignDialog | None:
        from ..signing.sign_dialog import sign_assessment

        row = self.selected_row()
        if row is None or self.study_id is None:
            self.session.say(_("Select an assessment to sign first."))
            return None
        refusal = why_not(self.session, "assessments")
        if refusal:
            self.session.say(refusal)
            return None
        return sign_assessment(self.session, self.study_id, row.assessment, self)

    def assess(self) -> BedsideAssessmentDialog | None:
        from ..bedside.bedside import BedsideAssessmentDialog

        if self.study_id is None:
            return None
        return open_dialog(BedsideAssessmentDialog(self.session, self.study_id, self), self.assessments)

    def correct_selected(self) -> BedsideAssessmentDialog | None:
        from ..bedside.bedside import BedsideAssessmentDialog

        assessment = self.selected_assessment()
        if assessment is None or self.study_id is None:
            self.session.say(_("Select an assessment to correct first."))
            return None
        return open_dialog(BedsideAssessmentDialog(self.session, self.study_id, self, correcting=assessment),
                           self.assessments)

    def record_event(self) -> ToxicityEventDialog | None:
        from .event_dialog import ToxicityEventDialog

        if self.study_id is None:
            return None
        self.tabs.setCurrentIndex(1)
        return open_dialog(ToxicityEventDialog(self.session, self.study_id, self), self.events)

    def resolve_selected(self) -> ToxicityEventDialog | None:
        from .event_dialog import ToxicityEventDialog

        event = self.selected_event()
        if event is None or self.study_id is None:
            self.session.say(_("Select a toxicity event first."))
            return None
        if event.from_counts:
            self.session.say(_("This {event} follows the blood counts: a normal count resolves it.").format(
                event=_(event.label).lower()))
            return None
        return open_dialog(ToxicityEventDialog(self.session, self.study_id, self, resolving=event), self.events)

    def record_count(self) -> BloodCountDialog | None:
        from .count_dialog import BloodCountDialog

        if self.study_id is None:
            return None
        self.tabs.setCurrentIndex(1)
        return open_dialog(BloodCountDialog(self.session, self.study_id, self), self.events)

    def record_labs(self) -> TlsLabsDialog | None:
        from .count_dialog import TlsLabsDialog

        if self.study_id is None:
            return None
        self.tabs.setCurrentIndex(1)
        return open_dialog(TlsLabsDialog(self.session, self.study_id, self), self.events)
