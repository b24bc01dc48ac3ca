"""The File menu's print actions: the worksheet and labels of the visit a nurse selected, the day's
worklist; each opens the preview on the right printout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import GUI_TODAY
from pypdf import PdfReader
from PySide6.QtCore import Qt

from ari_desktop.gui.common.session import Session
from ari_desktop.gui.main_window import MainWindow
from ari_desktop.gui.printing.print_preview import PrintPreviewDialog

pytestmark = pytest.mark.usefixtures("gui_settings")


@pytest.fixture
def window(qtbot, store, add_patient):
    add_patient(store, "ARI-007", day0=GUI_TODAY - timedelta(days=7))
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.today.update_now()
    return window


def select_item(qtbot, window: MainWindow, activity: str) -> None:
    today = window.today
    row = next(n for n, e in enumerate(today.worklist_model.rows) if e.item.activity == activity)
    shown = today.worklist_proxy.mapFromSource(today.worklist_model.index(row, 0)).row()
    rect = today.worklist.visualRect(today.worklist_proxy.index(shown, 0))
    qtbot.mouseClick(today.worklist.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def preview_text(qtbot, dialog: PrintPreviewDialog) -> str:
    qtbot.waitUntil(dialog.is_ready)
    return " ".join(page.extract_text() for page in PdfReader(dialog.pdf_path).pages)


def test_ctrl_p_prints_the_worksheet_of_the_selected_items_visit(qtbot, window):
    select_item(qtbot, window, "sbcma")
    qtbot.keyClick(window.today.worklist, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = next(d for d in window.findChildren(PrintPreviewDialog) if d.isVisible())
    text = preview_text(qtbot, dialog)
    assert "Visit worksheet" in text and "ARI-007" in text and "D+7" in text
    dialog.close()


def test_labels_and_the_days_worklist_open_their_own_previews(qtbot, window):
    select_item(qtbot, window, "cbc")
    labels = window.print_labels()
    assert "ARI-007/D+7/cbc" in preview_text(qtbot, labels)
    labels.close()
    worklist = window.print_worklist()
    assert "Daily worklist" in preview_text(qtbot, worklist)
    worklist.close()


def test_without_a_selected_item_nothing_opens_and_the_status_bar_says_why(qtbot, window):
    window.today.worklist.clearSelection()
    window.today.worklist.setCurrentIndex(window.today.worklist_proxy.index(-1, -1))
    assert window.print_worksheet() is None
    assert "Select an item of the visit first" in window.statusBar().currentMessage()
