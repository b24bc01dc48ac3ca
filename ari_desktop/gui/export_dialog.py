"""File → Export (window): the command line's `export` into a chosen folder, CSV files in the format
chosen (for Excel with the user's number settings by default) and the Excel workbook with its data
dictionary. The export runs in a thread of its own, on its own read-only connection, with a
progress dialog; the window stays responsive. At the end the dialog lists what was written.

pandas and openpyxl are loaded by that thread (reports.export), never when the window starts.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLocale, QStandardPaths, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import USER_ERRORS, ClinicalInputError
from ..i18n import N_, _, ngettext
from ..reports.formats import CSV_FORMATS, WORKBOOK, Written, excel_format_for
from ..store import Store
from .audit import log_output
from .common.field_errors import FieldErrors
from .common.qt_dates import format_date
from .common.session import Session
from .common.settings import open_settings
from .common.widgets import fit_height

_FORMAT_NAMES = {"excel-es": N_("Excel, Spanish settings (; and decimal comma)"),
                 "excel": N_("Excel, English settings (, and decimal point)"),
                 "analysis": N_("Analysis: R, Python, Stata (, and decimal point, no BOM)")}


class ExportRun(QThread):
    """One export, in its own thread with its own read-only connection to the database."""

    progressed = Signal(str, int, int)  # what, steps done, steps
    succeeded = Signal(list)  # [Written]
    refused = Signal(object)  # the ClinicalInputError or StoreError

    def __init__(self, store: Store, folder: Path, as_of: date, csv_for: str, workbook: bool, registry: bool = False,
                 parent=None):
        super().__init__(parent)
        self.path, self.user, self.today, self.now = store.path, store.user, store.today, store.now
        self.folder, self.as_of, self.csv_for, self.workbook = folder, as_of, csv_for, workbook
        self.registry = registry

    def run(self) -> None:
        from .common import preload

        preload.wait()  # pandas, if it is being loaded for the Analysis view
        from ..reports.export import export

        try:
            with Store(self.path, self.user, today=self.today, now=self.now, read_only=True) as store:
                written = export(store, self.folder, self.as_of, csv_for=self.csv_for, workbook=self.workbook,
                                 progress=self.progressed.emit, registry=self.registry)
        except USER_ERRORS as error:
            self.refused.emit(error)
        except Exception as error:  # the dialog must not wait for ever on a failure it did not foresee
            logging.getLogger(__name__).exception("The export failed")
            self.refused.emit(ClinicalInputError(_("The export failed: {error}.").format(error=error), None))
        else:
            self.succeeded.emit(written)


class ExportDialog(QDialog):
    finished_export = Signal(list)  # [Written], when an export has been written

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.settings = open_settings()
        self.run: ExportRun | None = None
        self.progress: QProgressDialog | None = None
        self.written: list[Written] = []
        self.setWindowTitle(_("Export"))
        intro = QLabel(_("Every table, the schedule with its statuses and the safety endpoints, as of {day}: one CSV "
                         "file per table and, if ticked, one Excel workbook with a sheet per table and a data "
                         "dictionary. The files of an earlier export in the folder are replaced; no other file is "
                         "touched.").format(day=format_date(session.today())), wordWrap=True)
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        self.folder = QLineEdit(str(self.settings.value("export/folder", str(Path(documents) / "ari-desktop-export"))))
        choose = QPushButton(_("&Choose…"), clicked=self.choose_folder)
        self.csv_for = QComboBox()
        for code in ("excel-es", "excel", "analysis"):
            self.csv_for.addItem(_(_FORMAT_NAMES[code]), code)
            self.csv_for.setItemData(self.csv_for.count() - 1, CSV_FORMATS[code].description,
                                     Qt.ItemDataRole.ToolTipRole)
        chosen = self.settings.value("export/csv_for", excel_format_for(QLocale().decimalPoint()))
        self.csv_for.setCurrentIndex(max(0, self.csv_for.findData(chosen)))
        self.workbook = QCheckBox(_("Also an Excel &workbook ({file})").format(file=WORKBOOK), checked=True)
        self.registry = QCheckBox(_("Also the &registry export (registry.csv: EBMT MED-A Day 100 and CIBMTR 4100 "
                                    "fields, one row per patient and infusion)"), checked=False)
        self.folder_error, self.form_error, self.report = QLabel(wordWrap=True), QLabel(wordWrap=True), QLabel()
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errors = FieldErrors(self.form_error, {"out": (self.folder_error, self.folder),
                                                    "csv_for": (self.form_error, self.csv_for)})
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(choose)
        form = QFormLayout()
        folder_label = QLabel(_("&Folder"))
        folder_label.setBuddy(self.folder)  # a row holding a layout gets no buddy of its own: Alt+F
        form.addRow(folder_label, folder_row)
        form.addRow("", self.folder_error)
        form.addRow(_("CSV files &for"), self.csv_for)
        form.addRow("", self.workbook)
        form.addRow("", self.registry)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(_("&Export"), QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (intro, form, self.form_error, self.report, self.buttons):
            layout.addLayout(widget) if isinstance(widget, QFormLayout) else layout.addWidget(widget)
        self.resize(720, 0)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Folder for the export"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def start(self) -> ExportRun | None:
        """Start the export in its thread, with a progress dialog; None if the folder is not given."""
        self.errors.clear()
        self.report.clear()
        text = self.folder.text().strip()
        if not text:
            self.errors.show(ClinicalInputError(_("Choose the folder to write the export to."), "out"))
            return None
        folder = Path(text).expanduser()
        csv_for = self.csv_for.currentData()
        self.settings.setValue("export/folder", str(folder))
        self.settings.setValue("export/csv_for", csv_for)
        self.export_button.setEnabled(False)
        self.progress = QProgressDialog(_("Reading the database…"), None, 0, 1, self)
        self.progress.setWindowTitle(_("Exporting"))
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(300)
        self.run = ExportRun(self.session.store, folder, self.session.today(), csv_for, self.workbook.isChecked(),
                             self.registry.isChecked(), self)
        self.run.progressed.connect(self._progressed)
        self.run.succeeded.connect(self._succeeded)
        self.run.refused.connect(self._refused)
        self.run.finished.connect(self._ended)
        self.run.start()
        return self.run

    def _progressed(self, what: str, done: int, steps: int) -> None:
        self.progress.setMaximum(steps)
        self.progress.setValue(done)
        self.progress.setLabelText(f"{what}…")

    def _succeeded(self, written: list[Written]) -> None:
        self.written = written
        folder = written[0].path.parent if written else Path(self.folder.text())
        rows = (ngettext("{count} row", "{count} rows", w.rows).format(count=QLocale().toString(w.rows))
                for w in written)
        lines = "".join(f"<tr><td>{w.path.name}</td><td align='right'>&nbsp;&nbsp;{count}</td></tr>"
                        for w, count in zip(written, rows, strict=True))
        files = ngettext("Wrote {count} file to {folder}:", "Wrote {count} files to {folder}:", len(written))
        self.report.setText(f"{files.format(count=len(written), folder=folder)}<table>{lines}</table>")
        fit_height(self)  # every file written is listed, none cut off
        self.session.say(ngettext("Exported {count} file to {folder}.", "Exported {count} files to {folder}.",
                                   len(written)).format(count=len(written), folder=folder))
        registry = " and the registry export" if self.run.registry else ""
        log_output(self.session, "export",
                   f"{len(written)} files of the tables{registry} ({self.csv_for.currentData()})", folder)
        self.finished_export.emit(written)

    def _refused(self, error) -> None:
        self.errors.show(error)

    def _ended(self) -> None:
        self.progress.reset()
        self.export_button.setEnabled(True)

    def is_running(self) -> bool:
        return self.run is not None and self.run.isRunning()

    def reject(self) -> None:
        if self.is_running():  # the files are being written: the dialog stays until they are
            self.session.say(_("The export is still being written; the dialog closes when it is done."))
            return
        super().reject()
