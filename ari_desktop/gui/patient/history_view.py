"""A patient's change history (window): every change to the registration and to everything recorded
about the patient, oldest first: when (local time, with the zone), who, which record, each field from
what to what, and why. A filter box keeps the changes that mention what is typed; the history (as
filtered) is saved as a PDF, or opened in the system's PDF viewer to print it (printing.history).
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import USER_ERRORS
from ...i18n import N_, _, ngettext
from ...reports.history import HistoryEntry, entries
from ..common.field_errors import ERROR_PREFIX, ERROR_STYLE
from ..common.models import ROOT, Index, change_filter
from ..common.session import Session
from ..common.settings import open_settings
from ..common.widgets import caption, table_view

HEADERS = (N_("When"), N_("Who"), N_("Record"), N_("What changed"), N_("Why"))


class HistoryModel(QAbstractTableModel):
    """One row per change; the fields changed one per line."""

    def __init__(self, history: list[HistoryEntry], parent=None):
        super().__init__(parent)
        self.history = history

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.history)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        entry = self.history[index.row()]
        return (entry.when, entry.user, f"{entry.record} ({entry.action})", "\n".join(entry.change_lines()),
                entry.reason or "")[index.column()]


class HistoryFilter(QSortFilterProxyModel):
    """Keeps the changes that mention the filter text anywhere (HistoryEntry.matches)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""

    def set_text(self, text: str) -> None:
        change_filter(self, lambda: setattr(self, "text", text))

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        return self.sourceModel().history[row].matches(self.text)


class HistoryDialog(QDialog):
    def __init__(self, session: Session, study_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        store = session.store
        self.patient = store.patients.get(study_id)
        self.setWindowTitle(_("Change history: {study_id}").format(study_id=self.patient.study_id))
        self.model = HistoryModel(entries(store.changes.of_patient(self.patient.study_id), store.protocol), self)
        self.shown = HistoryFilter(self)
        self.shown.setSourceModel(self.model)
        self.table = table_view(self.shown, (18, 12, 24, 50, 30), stretch=3)
        self.table.setSortingEnabled(False)  # the order is the order of the changes
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.filter = QLineEdit(placeholderText=_("Filter: a field, a value, a name, a reason…"),
                                clearButtonEnabled=True)
        self.filter.textChanged.connect(self._filtered)
        self.count = QLabel()
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.print_button = QPushButton(_("&Print…"), toolTip=_("Open the history (as filtered) as a PDF to print it"))
        self.save_button = QPushButton(_("&Save as PDF…"), toolTip=_("Save the history (as filtered) as a PDF"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self.print_history)
        self.save_button.clicked.connect(self.save_as_pdf)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.addWidget(caption(_("{study_id} · {initials}: every change, oldest first").format(
            study_id=self.patient.study_id, initials=self.patient.initials)))
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._temp = None
        self._filtered("")
        self.resize(1100, 640)
        self.filter.setFocus()

    def _filtered(self, text: str) -> None:
        self.shown.set_text(text)
        total, shown = self.model.rowCount(), self.shown.rowCount()
        self.count.setText(ngettext("{total} change", "{total} changes", total).format(total=total) if shown == total
                           else ngettext("{shown} of {total} change", "{shown} of {total} changes", total).format(
                               shown=shown, total=total))

    def rows(self) -> list[HistoryEntry]:
        """The changes shown, as filtered."""
        return [self.model.history[self.shown.mapToSource(self.shown.index(row, 0)).row()]
                for row in range(self.shown.rowCount())]

    def write_pdf(self, out: Path) -> Path | None:
        """The history as filtered, in the printing language chosen last; None (the sentence shown) if refused."""
        from ...printing.history import write

        self.error.hide()
        lang = open_settings().value("printing/lang", "en")
        try:
            written = write(self.session.store, self.patient.study_id, out, lang=lang, filter_text=self.filter.text(),
                            printed_by=self.session.user).path
        except USER_ERRORS as error:
            self.error.setText(ERROR_PREFIX + str(error))
            self.error.show()
            return None
        from ..audit import log_output

        log_output(self.session, "print", f"change history of {self.patient.study_id}", written)
        return written

    def save_as_pdf(self, out: Path | None = None) -> Path | None:
        if not out:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            name, _filter = QFileDialog.getSaveFileName(self, _("Save the change history as PDF"),
                                                        str(Path(folder) / f"{self.patient.study_id}_history.pdf"),
                                                        "PDF (*.pdf)")
            if not name:
                return None
            out = Path(name)
        written = self.write_pdf(out)
        if written:
            self.session.say(_("Saved the change history of {study_id} to {path}.").format(
                study_id=self.patient.study_id, path=written))
        return written

    def print_history(self) -> Path | None:
        """Write the PDF into a private folder (removed with the dialog) and open it in the PDF viewer."""
        if self._temp is None:
            self._temp = Path(tempfile.mkdtemp(prefix="ari-history-"))
            weakref.finalize(self, shutil.rmtree, self._temp, ignore_errors=True)
        written = self.write_pdf(self._temp / f"{self.patient.study_id}_history.pdf")
        if written and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(written))):
            self.session.say(_("No PDF viewer opened {path}; open it there to print it.").format(path=written))
        return written
