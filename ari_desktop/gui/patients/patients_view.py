"""Patients: every patient with the stage they are at today; find one, open their calendar, register."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...i18n import _, ngettext
from ..common.models import STAGES, PatientFilter, PatientRow, PatientTableModel
from ..common.session import Session
from ..common.widgets import LazyView, chain_tab_order, table_view, widget_action


class PatientsView(LazyView):
    patient_requested = Signal(str)
    register_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.loaded = False
        self.search = QLineEdit(placeholderText=_("Find patient: study ID or initials (Ctrl+F)"),
                                clearButtonEnabled=True)
        self.search.setToolTip(_("Type part of a study ID or the initials"))
        self.stage = QComboBox(toolTip=_("Show only the patients at one stage"))
        self.stage.addItem(_("All stages"), "")
        for stage, words in STAGES.items():
            self.stage.addItem(_(words).capitalize(), stage)
        self.count = QLabel()
        self.model = PatientTableModel(self)
        self.proxy = PatientFilter(self)
        self.proxy.setSourceModel(self.model)
        stage_chars = max(len(_(words)) for words in STAGES.values())  # "fuera del estudio" whole, in Spanish too
        self.table = table_view(self.proxy, (12, 8, 4, 6, max(10, stage_chars), 11, 11, 11, 40), stretch=8)
        self.table.setObjectName("patients")
        self.table.setAccessibleName(_("Patients"))
        self.open_button = QPushButton(_("&Open calendar"), toolTip=_("Open the selected patient's calendar (Enter)"))
        self.register_button = QPushButton(_("Register &patient…"), toolTip=_("Register a new patient (Ctrl+N)"))
        find_label = QLabel(_("&Find:"))
        find_label.setBuddy(self.search)
        stage_label = QLabel(_("S&tage:"))
        stage_label.setBuddy(self.stage)
        bar = QHBoxLayout()
        bar.addWidget(find_label)
        bar.addWidget(self.search, 1)
        bar.addWidget(stage_label)
        bar.addWidget(self.stage)
        bar.addWidget(self.count)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.register_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        chain_tab_order(self.search, self.stage, self.table, self.open_button, self.register_button)

        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._open_first_match)
        self.stage.currentIndexChanged.connect(lambda _: self._filter_stage())
        self.table.doubleClicked.connect(lambda _: self.open_selected())
        self.open_button.clicked.connect(self.open_selected)
        self.register_button.clicked.connect(self.register_requested)
        widget_action(self.table, _("Open calendar"), (Qt.Key.Key_Return, Qt.Key.Key_Enter), self.open_selected)

    def refresh(self) -> None:
        """Read every patient once (on first show, or F5); later changes replace single rows."""
        today, store = self.session.today(), self.session.store
        self.model.set_rows([PatientRow(p, p.stage(today, store.protocol)) for p in store.patients.all()])
        self.loaded = True
        self._update_count()

    def patient_changed(self, study_id: str) -> None:
        """Re-read one patient's row, if the list has been read at all."""
        if not self.loaded:
            return
        patient = self.session.store.patients.get(study_id)
        self.model.put(PatientRow(patient, patient.stage(self.session.today(), self.session.store.protocol)))
        self._update_count()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select(self, study_id: str) -> bool:
        if self.stale:
            self.update_now()
        row = self.model.find(study_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # filtered out: show everyone again
            self.search.clear()
            self.stage.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def selected_study_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row(self.proxy.mapToSource(rows[0]).row()).patient.study_id

    def open_selected(self) -> None:
        study_id = self.selected_study_id()
        if study_id:
            self.patient_requested.emit(study_id)
        else:
            self.session.say(_("Select a patient first."))

    def _open_first_match(self) -> None:
        if self.proxy.rowCount() >= 1:
            self.table.selectRow(0)
            self.open_selected()

    def _filter(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _filter_stage(self) -> None:
        self.proxy.set_stage(self.stage.currentData())
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(ngettext("{total} patient", "{total} patients", total).format(total=total) if shown == total
                           else ngettext("{shown} of {total} patient", "{shown} of {total} patients", total).format(
                               shown=shown, total=total))
