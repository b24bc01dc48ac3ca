"""Print preview (ui/print_preview.ui): a visit worksheet, a day's worklist or a visit's tube labels,
written by ari_desktop.printing into a temporary PDF, shown page by page in a QPdfView, then sent to
a printer chosen in the system print dialog or saved as a PDF.

The paper, label stock and language of the printout are settings (QSettings "printing/paper",
"printing/stock", "printing/lang"): changing one re-renders the preview and is remembered. Reportlab
is loaded by the printing functions on the first render, never when this module is imported. A
refusal of the printing API (no sample to label at that visit, a cancelled visit) shows its
sentence instead of the preview, with Print and Save disabled. The temporary PDF is deleted when
the dialog closes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import weakref
from datetime import date
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QPointF, QRectF, QSize, QSizeF, QStandardPaths, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QShortcut,
    QShowEvent,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ... import i18n, printing
from ...core.errors import ClinicalInputError
from ...outputs import check_pdf_output, write_atomically
from ..audit import log_output
from ..common.field_errors import ERROR_PREFIX, ERROR_STYLE
from ..common.forms import child, load_form
from ..common.session import Session
from ..common.settings import open_settings
from ..common.widgets import open_dialog

KINDS = ("worksheet", "worklist", "labels")
LANGUAGE_NAMES = i18n.LANGUAGES  # each in its own name
PAPER_NAMES = {"a4": "A4", "letter": "Letter"}
STOCK_NAMES = {"a4-3x8": "A4 sheet, 3 × 8 labels (70 × 37 mm)", "roll": "Label roll (57 × 32 mm)"}
ZOOMS = {"page": ("Whole page", QPdfView.ZoomMode.FitInView), "width": ("Page width", QPdfView.ZoomMode.FitToWidth)}
DEFAULT_ZOOM = {"worksheet": "page", "worklist": "page", "labels": "page"}
WHAT = {"worksheet": "worksheet", "worklist": "worklist", "labels": "tube labels"}
# Where the system has a print service (CUPS's `lp`), the PDF itself is sent: vector text, in a blink.
# Elsewhere pages go to the printer as images, at the printer's resolution but never finer than this:
# 300 dpi is what a laser printer prints text and a barcode's bars at, and a 14-page worklist goes in
# about a quarter of the time 600 dpi takes (each image is compressed on its way to the printer).
MAX_PRINT_DPI = 300
PRINT_SERVICE = "lp"
SETTING = "printing/{}"


def _file_safe(text: str) -> str:
    """`text` usable in a file name on any system (study IDs may hold '/', timepoints '+')."""
    return re.sub(r"[^A-Za-z0-9+.=-]+", "_", text).strip("_") or "printout"


class _TempFolder:
    """A private folder for the rendered PDF, removed by remove() or, at the latest, when the
    dialog is garbage-collected or Python exits."""

    def __init__(self, owner: object):
        self.path = Path(tempfile.mkdtemp(prefix="ari-print-"))
        self._finalizer = weakref.finalize(owner, shutil.rmtree, self.path, ignore_errors=True)

    def remove(self) -> None:
        self._finalizer()


class PrintPreviewDialog(QDialog):
    """Preview, print or save one printout. `kind` is "worksheet" and "labels" (with `study_id` and
    `timepoint`) or "worklist" (with `day`, default today)."""

    rendered = Signal(int)  # pages of the new preview (0: refused, the sentence is shown instead)
    printed = Signal(int)  # pages sent to the printer
    saved = Signal(str)  # path of the PDF saved with "Save as PDF…"

    def __init__(self, session: Session, kind: str, *, study_id: str | None = None, timepoint: str | None = None,
                 day: date | None = None, shown: dict[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if kind != "worklist" and not (study_id and timepoint):
            raise ValueError(f"a {kind} needs a study_id and a timepoint")
        load_form("print_preview.ui", self)
        self.session = session
        self.kind = kind
        self.study_id = study_id
        self.timepoint = timepoint
        self.day = (day or session.today()) if kind == "worklist" else day
        self.shown = shown or {}  # a worklist: Today's filters, {"kind": ..., "patients": ...}
        self.settings = open_settings()
        self.error: str | None = None
        self.print_cancelled = False  # the last print_to was cancelled in its progress dialog
        self._temp: _TempFolder | None = None
        self.pdf_path: Path | None = None

        self.intro = child(self, QLabel, "intro")
        self.paper = child(self, QComboBox, "paper")
        self.stock = child(self, QComboBox, "stock")
        self.lang = child(self, QComboBox, "lang")
        self.page = child(self, QSpinBox, "page")
        self.previous_page = child(self, QToolButton, "previousPage")
        self.next_page = child(self, QToolButton, "nextPage")
        self.zoom = child(self, QComboBox, "zoom")
        self.stack = child(self, QStackedWidget, "stack")
        self.error_label = child(self, QLabel, "renderError")
        self.summary = child(self, QLabel, "summary")
        self.print_button = child(self, QPushButton, "printButton")
        self.save_button = child(self, QPushButton, "saveButton")
        self.close_button = child(self, QPushButton, "closeButton")
        self.error_label.setStyleSheet(ERROR_STYLE)

        self.document = QPdfDocument(self)
        self.view = QPdfView(child(self, QWidget, "previewPage"))
        self.view.setObjectName("pdfView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setDocument(self.document)
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        child(self, QVBoxLayout, "previewLayout").addWidget(self.view)
        self.navigator = self.view.pageNavigator()

        self._choices(kind)
        self.setWindowTitle(f"Print {WHAT[kind]}: {self.subject()}")
        self.intro.setText(self._intro_text())
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as_pdf)
        self.close_button.clicked.connect(self.reject)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_document)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_as_pdf)
        self.previous_page.clicked.connect(lambda: self.go_to_page(self.navigator.currentPage() - 1))
        self.next_page.clicked.connect(lambda: self.go_to_page(self.navigator.currentPage() + 1))
        self.page.valueChanged.connect(lambda number: self.go_to_page(number - 1))
        self.navigator.currentPageChanged.connect(self._page_shown)
        geometry = self.settings.value(SETTING.format("geometry"))
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(980, 860 if kind != "worklist" else 760)
        self._fit_screen()
        self.render()

    def _fit_screen(self) -> None:
        """Never taller or wider than the screen's free area (1366 x 768 with a taskbar): the
        buttons at the bottom stay on the screen; the preview shrinks instead."""
        screen = (self.parentWidget() or self).screen() or QApplication.primaryScreen()
        if screen is None:
            return
        free = screen.availableGeometry()
        frame = self.frameGeometry().size() - self.geometry().size()  # the title bar and borders
        width = min(self.width(), free.width() - frame.width())
        height = min(self.height(), free.height() - max(frame.height(), 32))
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
            self.move(free.left() + (free.width() - width) // 2, free.top())

    # -- the choices -----------------------------------------------------------------------------

    def _choices(self, kind: str) -> None:
        def fill(combo: QComboBox, names: dict[str, str], allowed: tuple[str, ...], key: str,
                 default: str) -> None:
            for code in allowed:
                combo.addItem(names.get(code, code), code)
            remembered = self.settings.value(SETTING.format(key), default)
            combo.setCurrentIndex(max(0, combo.findData(remembered)))

        fill(self.paper, PAPER_NAMES, printing.PAPERS, "paper", "a4")
        fill(self.stock, STOCK_NAMES, printing.STOCKS, "stock", "a4-3x8")
        fill(self.lang, LANGUAGE_NAMES, printing.LANGUAGES, "lang", i18n.current())
        fill(self.zoom, {code: name for code, (name, _) in ZOOMS.items()}, tuple(ZOOMS), f"zoom_{kind}",
             DEFAULT_ZOOM[kind])
        for combo, caption, shown in ((self.paper, "paperCaption", kind == "worksheet"),
                                      (self.stock, "stockCaption", kind == "labels")):
            combo.setVisible(shown)
            child(self, QLabel, caption).setVisible(shown)
        for combo, key in ((self.paper, "paper"), (self.stock, "stock"), (self.lang, "lang")):
            combo.currentIndexChanged.connect(lambda _=0, combo=combo, key=key: self._choice_changed(combo, key))
        self.zoom.currentIndexChanged.connect(self._zoom_changed)
        self._zoom_changed()

    def _choice_changed(self, combo: QComboBox, key: str) -> None:
        self.settings.setValue(SETTING.format(key), combo.currentData())
        self.render()

    def _zoom_changed(self) -> None:
        code = self.zoom.currentData()
        self.settings.setValue(SETTING.format(f"zoom_{self.kind}"), code)
        self.view.setZoomMode(ZOOMS[code][1])

    def choices(self) -> dict[str, str]:
        """What the printout is rendered with: lang, and paper (worksheet) or stock (labels)."""
        chosen = {"lang": self.lang.currentData()}
        if self.kind == "worksheet":
            chosen["paper"] = self.paper.currentData()
        elif self.kind == "labels":
            chosen["stock"] = self.stock.currentData()
        return chosen

    def set_choice(self, key: str, code: str) -> None:
        """Choose e.g. ("lang", "es") as the user would in the combo box (re-renders if it changes)."""
        combo = {"lang": self.lang, "paper": self.paper, "stock": self.stock}[key]
        index = combo.findData(code)
        if index < 0:
            raise ValueError(f"{code!r} is not a choice of {key}")
        combo.setCurrentIndex(index)

    # -- what is printed -------------------------------------------------------------------------

    def subject(self) -> str:
        return f"{self.day.isoformat()}" if self.kind == "worklist" else f"{self.study_id} {self.timepoint}"

    def _intro_text(self) -> str:
        if self.kind == "worklist":
            if self.shown.get("kind", "all") != "all" or self.shown.get("patients"):
                return f"What Today shows for {self.day:%A %d %B %Y} (its filters), with the missed items."
            return (f"Everything due on {self.day:%A %d %B %Y} across all patients, with the missed items that "
                    f"need a reason.")
        if self.kind == "labels":
            return f"One barcoded label per tube of {self.study_id} at {self.timepoint}."
        return f"The worksheet of {self.study_id}'s visit at {self.timepoint}, with every item that shares its date."

    def default_file_name(self) -> str:
        """e.g. ARI-014_D+7_worksheet.pdf, worklist_2026-11-26.pdf, ARI-014_D+7_labels.pdf."""
        if self.kind == "worklist":
            return f"worklist_{self.day.isoformat()}.pdf"
        return f"{_file_safe(self.study_id or '')}_{_file_safe(self.timepoint or '')}_{self.kind}.pdf"

    def _write(self, out: Path) -> Path:
        chosen = self.choices()
        store = self.session.store
        if self.kind == "worksheet":
            return printing.visit_worksheet(store, self.study_id, self.timepoint, out, paper=chosen["paper"],
                                            lang=chosen["lang"], printed_by=self.session.user)
        if self.kind == "worklist":
            return printing.daily_worklist(store, self.day, out, lang=chosen["lang"], printed_by=self.session.user,
                                           **self.shown)
        return printing.tube_labels(store, self.study_id, self.timepoint, out, stock=chosen["stock"],
                                    lang=chosen["lang"])

    def render(self) -> bool:
        """Write the printout into the temporary folder and show it; False (with the sentence shown
        instead of the preview) if the printing API refuses it."""
        page = max(0, self.navigator.currentPage())
        self.document.close()  # let the file be replaced: Windows cannot rename onto an open file
        if self._temp is None:
            self._temp = _TempFolder(self)
        out = self._temp.path / self.default_file_name()
        out.unlink(missing_ok=True)  # a refusal must not leave the previous rendering to print
        self.pdf_path = None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            path = self._write(out)
        except ClinicalInputError as error:
            return self._refused(str(error))
        except OSError as error:
            return self._refused(f"The PDF could not be written in the temporary folder: {error.strerror or error}.")
        finally:
            QApplication.restoreOverrideCursor()
        if self.document.load(str(path)) != QPdfDocument.Error.None_:
            return self._refused(f"The PDF was written but could not be shown ({self.document.error().name}).")
        self.pdf_path = path
        self.error = None
        self.stack.setCurrentIndex(0)
        pages = self.document.pageCount()
        self.page.setMaximum(max(1, pages))
        self.page.setSuffix(f" of {pages}")
        self.go_to_page(min(page, pages - 1))
        self._enable(True)
        chosen = self.choices()
        details = [f"{pages} {'page' if pages == 1 else 'pages'}"]
        if "paper" in chosen:
            details.append(PAPER_NAMES[chosen["paper"]])
        if "stock" in chosen:
            details.append(STOCK_NAMES[chosen["stock"]])
        details.append(LANGUAGE_NAMES[chosen["lang"]])
        self.summary.setText(" · ".join(details))
        self.rendered.emit(pages)
        return True

    def _refused(self, sentence: str) -> bool:
        self.error = sentence
        self.error_label.setText(ERROR_PREFIX + sentence)
        self.stack.setCurrentIndex(1)
        self.summary.setText("Nothing to print.")
        self.page.setSuffix("")
        self._enable(False)
        self.rendered.emit(0)
        return False

    def _enable(self, ready: bool) -> None:
        for widget in (self.print_button, self.save_button, self.page, self.zoom):
            widget.setEnabled(ready)
        self._page_shown(self.navigator.currentPage() if ready else 0)

    def is_ready(self) -> bool:
        return self.pdf_path is not None and self.document.status() == QPdfDocument.Status.Ready

    # -- pages -----------------------------------------------------------------------------------

    def go_to_page(self, index: int) -> None:
        if 0 <= index < self.document.pageCount() and index != self.navigator.currentPage():
            self.navigator.jump(index, QPointF(), self.navigator.currentZoom())
        self._page_shown(self.navigator.currentPage())

    def _page_shown(self, index: int) -> None:
        pages = self.document.pageCount() if self.pdf_path else 0
        self.page.blockSignals(True)
        self.page.setValue(index + 1)
        self.page.blockSignals(False)
        self.previous_page.setEnabled(pages > 0 and index > 0)
        self.next_page.setEnabled(index + 1 < pages)

    # -- printing and saving ---------------------------------------------------------------------

    def print_document(self) -> bool:
        """The system print dialog, then every chosen page; True if something was printed."""
        if not self.is_ready():
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.prepare_printer(printer)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"Print the {WHAT[self.kind]}")
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintToFile, True)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setMinMax(1, self.document.pageCount())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        pages = self.print_to(printer)
        if self.print_cancelled:
            self.session.say(f"Printing the {WHAT[self.kind]} was cancelled.")
        elif pages:
            where = printer.outputFileName() or printer.printerName() or "the printer"
            self.session.say(f"Sent {pages} {'page' if pages == 1 else 'pages'} of the {WHAT[self.kind]} "
                             f"({self.subject()}) to {where}.")
            log_output(self.session, "print", f"{WHAT[self.kind]} of {self.subject()}", where)
            self.printed.emit(pages)
        else:
            name = printer.printerName() or printer.outputFileName()
            self.session.say(f"Nothing was printed: the printer{f' {name}' if name else ''} could not be started.")
        return pages > 0

    def prepare_printer(self, printer: QPrinter) -> None:
        """Set the printer to the printout's page size and orientation, edge to edge (the PDF has
        its own margins; label sheets must not be shifted or scaled)."""
        printer.setDocName(self.windowTitle().removeprefix("Print "))
        printer.setCreator("ARI Desktop")
        if self.document.pageCount() > 0:
            size = self.document.pagePointSize(0)
            portrait = QSizeF(min(size.width(), size.height()), max(size.width(), size.height()))
            page_size = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
            orientation = (QPageLayout.Orientation.Landscape if size.width() > size.height()
                           else QPageLayout.Orientation.Portrait)
            printer.setPageLayout(QPageLayout(page_size, orientation, QMarginsF(0, 0, 0, 0)))
        printer.setFullPage(True)  # after the layout, which carries its own mode

    def print_to(self, printer: QPrinter) -> int:
        """Send the pages chosen on `printer` (its page range, else all): the PDF itself where the
        system takes it (send_pdf), else one page per sheet, each rendered to an image at the
        printer's resolution (at most MAX_PRINT_DPI) and drawn at its real size from the sheet's
        corner (label sheets line up), shrunk only if the sheet is smaller. A progress dialog with
        Cancel shows after half a second. The pages sent (0 if cancelled or the printer could not start)."""
        self.print_cancelled = False
        if not self.is_ready():
            return 0
        count = self.document.pageCount()
        first, last = printer.fromPage(), printer.toPage()
        indexes = range(max(1, first) - 1, min(last, count)) if first > 0 and last > 0 else range(count)
        if self.send_pdf(printer, indexes):
            return len(indexes)
        resolution = printer.resolution()
        render_dpi = min(resolution, MAX_PRINT_DPI)
        sheet = QRectF(printer.pageLayout().fullRectPixels(resolution))
        progress = QProgressDialog(f"Printing the {WHAT[self.kind]}…", "Cancel", 0, len(indexes), self)
        progress.setWindowTitle("Printing")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(500)
        painter = QPainter()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if not painter.begin(printer):
                return 0
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            for number, index in enumerate(indexes):
                progress.setLabelText(f"Printing page {number + 1} of {len(indexes)}…")
                progress.setValue(number)  # keeps the windows painted between pages
                if progress.wasCanceled():
                    printer.abort()
                    self.print_cancelled = True
                    return 0
                if number and not printer.newPage():
                    printer.abort()
                    return 0
                points = self.document.pagePointSize(index)
                target = QRectF(0, 0, points.width() * resolution / 72, points.height() * resolution / 72)
                if target.width() > sheet.width() + 1 or target.height() > sheet.height() + 1:
                    scale = min(sheet.width() / target.width(), sheet.height() / target.height())
                    target.setSize(target.size() * scale)
                painter.drawImage(target, self.page_image(index, render_dpi))
            progress.setValue(len(indexes))
            return len(indexes)
        finally:
            if painter.isActive():
                painter.end()
            progress.close()
            progress.deleteLater()
            QApplication.restoreOverrideCursor()

    def send_pdf(self, printer: QPrinter, indexes: range) -> bool:
        """Send the PDF itself to a printer through the system's print service, when there is one;
        False (printing to a file, no service, or it refused): the pages are drawn instead."""
        service = shutil.which(PRINT_SERVICE)
        if printer.outputFormat() != QPrinter.OutputFormat.NativeFormat or service is None or not printer.printerName():
            return False
        command = [service, "-d", printer.printerName(), "-t", printer.docName(), "-n", str(printer.copyCount())]
        if len(indexes) != self.document.pageCount():
            command += ["-P", f"{indexes.start + 1}-{indexes.stop}"]
        try:
            done = subprocess.run([*command, "--", str(self.pdf_path)], capture_output=True, timeout=30)
            return done.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            return False

    def page_image(self, index: int, dpi: float) -> QImage:
        """Page `index` (from 0) at `dpi`, on white and opaque: pdfium leaves the paper transparent,
        and an image without an alpha channel goes to the printer a third faster."""
        points = self.document.pagePointSize(index)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.drawImage(0, 0, self.document.render(index, size))
        painter.end()
        return image

    def save_as_pdf(self) -> Path | None:
        """Copy the rendered PDF where the user chooses, by the command line's rules (never over the
        database, a folder, a device or a file that is not a PDF); the path saved, or None."""
        if not self.is_ready() or self.pdf_path is None:
            return None
        folder = self.settings.value(SETTING.format("folder")) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / self.default_file_name()) if folder else self.default_file_name()
        name, _ = QFileDialog.getSaveFileName(self, f"Save the {WHAT[self.kind]} as PDF", suggested,
                                              "PDF files (*.pdf)")
        if not name:
            return None
        target = Path(name)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            write_atomically(check_pdf_output(target, self.session.store.path),
                             lambda temporary: shutil.copyfile(self.pdf_path, temporary))
        except ClinicalInputError as error:
            self.session.say(f"The PDF was not saved: {error}")
            return None
        self.settings.setValue(SETTING.format("folder"), str(target.parent))
        self.session.say(f"Saved the {WHAT[self.kind]} ({self.subject()}) as {target}.")
        log_output(self.session, "print", f"{WHAT[self.kind]} of {self.subject()}", target)
        self.saved.emit(str(target))
        return target

    # -- closing ---------------------------------------------------------------------------------

    def temp_folder(self) -> Path | None:
        """Where the preview's PDF is written (None once the dialog has closed)."""
        return self._temp.path if self._temp else None

    def showEvent(self, event: QShowEvent) -> None:
        if self._temp is None:  # opened again after it was closed: the preview was cleaned up
            self.render()
        super().showEvent(event)

    def done(self, result: int) -> None:
        self._clean_up()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        if event.isAccepted():
            self._clean_up()

    def _clean_up(self) -> None:
        self.settings.setValue(SETTING.format("geometry"), self.saveGeometry())
        self.settings.sync()
        self.document.close()
        self.pdf_path = None
        if self._temp is not None:
            self._temp.remove()
            self._temp = None


def _open(dialog: PrintPreviewDialog) -> PrintPreviewDialog:
    return open_dialog(dialog)


def print_worksheet(parent: QWidget | None, session: Session, study_id: str, timepoint: str) -> PrintPreviewDialog:
    """Preview and print the worksheet of `study_id`'s visit at `timepoint`."""
    return _open(PrintPreviewDialog(session, "worksheet", study_id=study_id, timepoint=timepoint, parent=parent))


def print_worklist(parent: QWidget | None, session: Session, day: date | None = None,
                   shown: dict[str, str] | None = None) -> PrintPreviewDialog:
    """Preview and print the worklist of `day` (default: today), with what Today shows (`shown`:
    its kind and patient filters)."""
    return _open(PrintPreviewDialog(session, "worklist", day=day, shown=shown, parent=parent))


def print_labels(parent: QWidget | None, session: Session, study_id: str, timepoint: str) -> PrintPreviewDialog:
    """Preview and print the tube labels of `study_id`'s visit at `timepoint`."""
    return _open(PrintPreviewDialog(session, "labels", study_id=study_id, timepoint=timepoint, parent=parent))
