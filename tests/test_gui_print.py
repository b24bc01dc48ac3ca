"""Print preview: the worksheet, the day's worklist and tube labels rendered into a temporary PDF,
shown in a QPdfView, re-rendered in Spanish, saved as a PDF and printed (to a PDF printer), with
the printing API's sentence shown instead when there is nothing to print."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import GUI_TODAY, GUI_USER
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QPageLayout
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QProgressDialog, QWidget

from ari_desktop import i18n
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.common.settings import open_settings
from ari_desktop.gui.printing.print_preview import PrintPreviewDialog, print_labels, print_worklist, print_worksheet

pytestmark = pytest.mark.usefixtures("gui_settings")


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def pdf_pages(path: Path) -> int:
    return len(PdfReader(path).pages)


@pytest.fixture
def session(store, add_patient) -> Session:
    """ARI-014 at day +7 (samples today), ARI-020 at day +8 (no sample at D+8), ARI-003 at day +3."""
    add_patient(store, "ARI-014", day0=GUI_TODAY - timedelta(days=7))
    add_patient(store, "ARI-020", day0=GUI_TODAY - timedelta(days=8))
    add_patient(store, "ARI-003", day0=GUI_TODAY - timedelta(days=3))
    return Session(store)


@pytest.fixture
def parent(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def worksheet(qtbot, session, parent) -> PrintPreviewDialog:
    dialog = PrintPreviewDialog(session, "worksheet", study_id="ARI-014", timepoint="D+7", parent=parent)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def pdf_printer(path: Path, resolution: int = 96) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setResolution(resolution)  # small images: the test is about pages, not sharpness
    return printer


# -- the preview --------------------------------------------------------------------------------

def test_the_worksheet_preview_shows_every_page_of_the_rendered_pdf(worksheet):
    assert worksheet.document.status() == QPdfDocument.Status.Ready
    assert worksheet.view.document() is worksheet.document
    path = worksheet.pdf_path
    assert path is not None and path.name == "ARI-014_D+7_worksheet.pdf" and path.is_file()
    assert worksheet.document.pageCount() == pdf_pages(path) >= 2
    assert worksheet.page.suffix() == f" of {pdf_pages(path)}"
    text = pdf_text(path)
    assert "Visit worksheet" in text and "ARI-014" in text and f"Printed {GUI_TODAY}" in text and GUI_USER in text
    assert worksheet.print_button.isEnabled() and worksheet.save_button.isEnabled()
    assert worksheet.paper.isVisible() and not worksheet.stock.isVisible()
    assert worksheet.windowTitle() == "Print worksheet: ARI-014 D+7"


def test_pages_can_be_stepped_through(worksheet):
    pages = worksheet.document.pageCount()
    assert worksheet.navigator.currentPage() == 0 and not worksheet.previous_page.isEnabled()
    worksheet.next_page.click()
    assert worksheet.navigator.currentPage() == 1 and worksheet.page.value() == 2
    assert worksheet.previous_page.isEnabled()
    worksheet.page.setValue(pages)
    assert worksheet.navigator.currentPage() == pages - 1 and not worksheet.next_page.isEnabled()
    worksheet.previous_page.click()
    assert worksheet.page.value() == pages - 1


def test_choosing_spanish_re_renders_in_spanish_and_is_remembered(qtbot, worksheet, session, parent):
    english = pdf_text(worksheet.pdf_path)
    with qtbot.waitSignal(worksheet.rendered) as rendered:
        worksheet.lang.setCurrentIndex(worksheet.lang.findText("Español"))
    assert rendered.args == [worksheet.document.pageCount()]
    assert worksheet.document.status() == QPdfDocument.Status.Ready
    spanish = pdf_text(worksheet.pdf_path)
    for words in ("Visit worksheet", "Samples to draw", "Assessments and treatments due"):
        assert i18n.catalog("es").gettext(words) in spanish and i18n.catalog("es").gettext(words) not in english
        assert words in english
    assert "ARI-014" in spanish
    assert worksheet.summary.text().endswith("Español")
    assert open_settings().value("printing/lang") == "es"

    again = PrintPreviewDialog(session, "worklist", parent=parent)
    assert again.lang.currentData() == "es"
    assert "Lista de trabajo diaria" in pdf_text(again.pdf_path)
    again.close()


def test_the_paper_is_a_setting_and_changes_the_page_size(worksheet, session, parent):
    assert round(worksheet.document.pagePointSize(0).width()) == 595  # A4
    worksheet.set_choice("paper", "letter")
    assert round(worksheet.document.pagePointSize(0).width()) == 612
    assert PdfReader(worksheet.pdf_path).pages[0].mediabox.width == 612
    assert open_settings().value("printing/paper") == "letter"
    again = PrintPreviewDialog(session, "worksheet", study_id="ARI-003", timepoint="D+3", parent=parent)
    assert again.paper.currentData() == "letter" and round(again.document.pagePointSize(0).width()) == 612
    again.close()


def test_the_worklist_of_a_day_in_landscape(qtbot, session, parent):
    dialog = print_worklist(parent, session, GUI_TODAY)
    assert dialog.isVisible() and dialog.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    assert dialog.pdf_path.name == f"worklist_{GUI_TODAY}.pdf"
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.document.pageCount() == pdf_pages(dialog.pdf_path)
    size = dialog.document.pagePointSize(0)
    assert size.width() > size.height()
    text = pdf_text(dialog.pdf_path)
    assert "Daily worklist" in text and "ARI-014" in text and "ARI-003" in text
    assert not dialog.paper.isVisible() and not dialog.stock.isVisible()
    dialog.close()


def test_labels_of_a_visit_and_the_label_stock(qtbot, session, parent):
    dialog = print_labels(parent, session, "ARI-014", "D+7")
    assert dialog.document.status() == QPdfDocument.Status.Ready and dialog.stock.isVisible()
    assert "ARI-014/D+7/" in pdf_text(dialog.pdf_path)
    dialog.set_choice("stock", "roll")
    samples = [e for e in session.store.schedules.of("ARI-014", GUI_TODAY)
               if e.item.timepoint == "D+7" and e.item.kind == "sample"]
    assert dialog.document.pageCount() == pdf_pages(dialog.pdf_path) == len(samples)  # one label a page
    assert open_settings().value("printing/stock") == "roll"
    dialog.close()


def test_labels_of_a_visit_without_samples_show_the_sentence_and_nothing_can_be_printed(qtbot, session, parent):
    dialog = print_labels(parent, session, "ARI-020", "D+8")
    assert dialog.error == "There is no sample to label at Day +8 for ARI-020."
    assert dialog.stack.currentWidget() is dialog.error_label.parentWidget()
    assert dialog.error_label.isVisible() and dialog.error in dialog.error_label.text()
    assert not dialog.view.isVisible()
    assert not dialog.print_button.isEnabled() and not dialog.save_button.isEnabled()
    assert dialog.pdf_path is None and not any(dialog.temp_folder().iterdir())
    assert dialog.save_as_pdf() is None and dialog.print_document() is False
    # A stock that has labels to print is not the problem: the sentence stays.
    dialog.set_choice("stock", "roll")
    assert dialog.error and not dialog.print_button.isEnabled()
    dialog.close()


def test_a_refusal_after_a_good_preview_leaves_nothing_to_print(qtbot, worksheet, monkeypatch):
    from ari_desktop.core.errors import ClinicalInputError

    def refuse(*args, **kwargs):
        raise ClinicalInputError("The timepoint D+7 is not on the schedule of ARI-014.", "timepoint")

    monkeypatch.setattr("ari_desktop.printing.visit_worksheet", refuse)
    worksheet.set_choice("lang", "es")
    assert worksheet.error == "The timepoint D+7 is not on the schedule of ARI-014."
    assert worksheet.pdf_path is None and not any(worksheet.temp_folder().iterdir())
    assert not worksheet.print_button.isEnabled() and worksheet.print_to(QPrinter()) == 0


# -- save and print -----------------------------------------------------------------------------

def test_save_as_pdf_writes_a_copy_where_the_user_chooses(qtbot, worksheet, session, tmp_path, monkeypatch):
    folder = tmp_path / "kept"
    folder.mkdir()
    asked = {}

    def choose(parent, caption, suggested, filter_):
        asked["suggested"] = suggested
        return str(folder / "visit"), filter_  # no extension typed: .pdf is added

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    messages = []
    session.events.message.connect(messages.append)
    with qtbot.waitSignal(worksheet.saved) as saved:
        qtbot.mouseClick(worksheet.save_button, Qt.MouseButton.LeftButton)
    target = folder / "visit.pdf"
    assert Path(asked["suggested"]).name == "ARI-014_D+7_worksheet.pdf"
    assert saved.args == [str(target)] and target.is_file()
    assert "ARI-014" in pdf_text(target) and pdf_pages(target) == worksheet.document.pageCount()
    assert messages == [f"Saved the worksheet (ARI-014 D+7) as {target}."]
    # The folder is remembered for the next save.
    worksheet.save_as_pdf()
    assert Path(asked["suggested"]).parent == folder


@pytest.mark.parametrize("existing", ["the database", "a text file"])
def test_save_as_pdf_follows_the_command_lines_rules_and_never_replaces_the_database_or_another_file(
        worksheet, session, db_path, tmp_path, monkeypatch, existing):
    target = tmp_path / "visit.pdf"
    if existing == "the database":
        target.symlink_to(db_path)
        sentence = f"The PDF was not saved: '{target}' is the database itself; give another name for the PDF."
    else:
        target.write_text("the unit's own notes\n")
        sentence = (f"The PDF was not saved: '{target}' already exists and is not a PDF, so it is left as it is; "
                    "choose another name.")
    before = target.read_bytes()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(target), "")))
    messages = []
    session.events.message.connect(messages.append)
    assert worksheet.save_as_pdf() is None
    assert messages == [sentence]
    assert target.read_bytes() == before


def test_save_as_pdf_cancelled_writes_nothing(worksheet, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args: ("", "")))
    assert worksheet.save_as_pdf() is None
    assert list(tmp_path.glob("**/*.pdf")) == []  # the preview itself lives in the system's temp folder


def test_printing_draws_one_sheet_per_page(worksheet, tmp_path):
    out = tmp_path / "printed.pdf"
    printer = pdf_printer(out)
    worksheet.prepare_printer(printer)
    assert worksheet.print_to(printer) == worksheet.document.pageCount()
    assert pdf_pages(out) == worksheet.document.pageCount()
    assert round(float(PdfReader(out).pages[0].mediabox.width)) == 595  # A4, as the preview


def test_printing_a_page_range(worksheet, tmp_path):
    out = tmp_path / "page2.pdf"
    printer = pdf_printer(out)
    printer.setFromTo(2, 2)
    assert worksheet.print_to(printer) == 1 and pdf_pages(out) == 1


def test_the_print_button_opens_the_print_dialog_set_to_the_worklists_landscape_pages(
        qtbot, session, parent, tmp_path, monkeypatch):
    out = tmp_path / "sent.pdf"
    seen = {}

    def accept(self) -> int:
        printer = self.printer()
        seen["orientation"] = printer.pageLayout().orientation()
        seen["full page"] = printer.fullPage()
        seen["range"] = (self.minPage(), self.maxPage())
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(96)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    dialog = print_worklist(parent, session, GUI_TODAY)
    messages = []
    session.events.message.connect(messages.append)
    pages = dialog.document.pageCount()
    with qtbot.waitSignal(dialog.printed) as printed:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert printed.args == [pages] and pdf_pages(out) == pages
    assert seen == {"orientation": QPageLayout.Orientation.Landscape, "full page": True, "range": (1, pages)}
    page = PdfReader(out).pages[0]
    assert page.mediabox.width > page.mediabox.height
    assert messages[-1].startswith(f"Sent {pages} ") and str(out) in messages[-1]
    dialog.close()


def test_printing_can_be_cancelled_between_pages(worksheet, session, tmp_path, monkeypatch):
    out = tmp_path / "cancelled.pdf"

    def accept(self) -> int:
        self.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer().setOutputFileName(str(out))
        self.printer().setResolution(96)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    messages, printed = [], []
    session.events.message.connect(messages.append)
    worksheet.printed.connect(printed.append)
    assert worksheet.print_document() is False
    assert printed == [] and messages == ["Printing the worksheet was cancelled."]


def test_cancelling_the_print_dialog_prints_nothing(worksheet, monkeypatch):
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    printed = []
    worksheet.printed.connect(printed.append)
    assert worksheet.print_document() is False and printed == []


# -- closing --------------------------------------------------------------------------------------

def test_the_temporary_pdf_is_removed_when_the_dialog_closes(qtbot, session, parent):
    dialog = print_worksheet(parent, session, "ARI-014", "D+7")
    folder, path = dialog.temp_folder(), dialog.pdf_path
    assert path.is_file() and path.parent == folder
    with qtbot.waitSignal(dialog.destroyed):  # WA_DeleteOnClose
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not path.exists() and not folder.exists()


def test_escape_and_the_window_close_also_remove_it(qtbot, worksheet, session, parent):
    folder = worksheet.temp_folder()
    qtbot.keyClick(worksheet, Qt.Key.Key_Escape)
    assert not folder.exists() and worksheet.temp_folder() is None
    never_shown = PrintPreviewDialog(session, "worklist", parent=parent)
    folder = never_shown.temp_folder()
    assert folder.exists()
    never_shown.close()
    assert not folder.exists()


def test_a_dialog_shown_again_after_closing_renders_again(qtbot, worksheet):
    worksheet.close()
    assert worksheet.temp_folder() is None and worksheet.document.status() != QPdfDocument.Status.Ready
    worksheet.show()
    assert worksheet.temp_folder().exists() and worksheet.pdf_path.is_file()
    assert worksheet.document.status() == QPdfDocument.Status.Ready and worksheet.print_button.isEnabled()


def test_a_worksheet_needs_a_patient_and_a_visit(session):
    with pytest.raises(ValueError):
        PrintPreviewDialog(session, "worksheet", study_id="ARI-014")
    with pytest.raises(ValueError):
        PrintPreviewDialog(session, "receipt")


def test_opening_the_module_does_not_load_reportlab():
    code = ("import sys, ari_desktop.gui.printing.print_preview; "
            "sys.exit(1 if any(m.startswith('reportlab') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- printing fast, on any screen -----------------------------------------------------------------

def test_pages_drawn_for_a_fine_printer_are_rendered_at_300_dpi_at_most(worksheet, tmp_path, monkeypatch):
    seen = []
    drawn = worksheet.page_image
    monkeypatch.setattr(worksheet, "page_image", lambda index, dpi: seen.append(dpi) or drawn(index, 72))
    printer = pdf_printer(tmp_path / "fine.pdf", resolution=1200)
    worksheet.prepare_printer(printer)
    assert worksheet.print_to(printer) == worksheet.document.pageCount()
    assert seen and set(seen) == {300}


class _SystemPrinter(QPrinter):
    """A printer of the system's print service (none is installed where the tests run)."""

    def outputFormat(self):
        return QPrinter.OutputFormat.NativeFormat

    def printerName(self):
        return "ward-laser"


def test_where_the_system_has_a_print_service_the_pdf_itself_is_sent(worksheet, tmp_path, monkeypatch):
    log = tmp_path / "lp.log"
    service = tmp_path / "bin" / "lp"
    service.parent.mkdir()
    service.write_text(f'#!/bin/sh\necho "$@" > {log}\n')
    service.chmod(0o755)
    monkeypatch.setenv("PATH", f"{service.parent}:{os.environ['PATH']}")
    monkeypatch.setattr(worksheet, "page_image", lambda *args: pytest.fail("a page was rasterised"))
    printer = _SystemPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFromTo(1, 1)
    assert worksheet.print_to(printer) == 1
    words = log.read_text().split()
    assert words[:2] == ["-d", "ward-laser"] and "-P" in words and words[words.index("-P") + 1] == "1-1"
    assert words[-1] == str(worksheet.pdf_path)


def test_the_preview_fits_a_1366_by_768_screen_with_its_buttons(qtbot, session, parent):
    dialog = PrintPreviewDialog(session, "worksheet", study_id="ARI-014", timepoint="D+7", parent=parent)
    qtbot.addWidget(dialog)
    free = dialog.screen().availableGeometry()
    assert dialog.height() <= free.height() and dialog.width() <= free.width()
    assert dialog.minimumHeight() <= 768 - 80
