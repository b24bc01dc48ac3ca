"""Small shared pieces of the views: a configured table, a caption, tab order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)


def table_view(model: QAbstractItemModel, widths: Sequence[int], parent: QWidget | None = None,
               stretch: int | None = None) -> QTableView:
    """A read-only, row-selecting, sortable table; `widths` in characters of the current font."""
    table = QTableView(parent)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSortingEnabled(True)
    table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the store's order until a header is clicked
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    set_widths(table.horizontalHeader(), widths, stretch)
    return table


def set_widths(header: QHeaderView, widths: Sequence[int], stretch: int | None = None) -> None:
    metrics = header.fontMetrics()
    char = metrics.horizontalAdvance("0")  # dates and times are the widest common text
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    model = header.model()
    for column, width in enumerate(widths):
        title = model.headerData(column, Qt.Orientation.Horizontal) if model is not None else None
        heading = metrics.horizontalAdvance(title) if isinstance(title, str) else 0  # longer in some languages
        header.resizeSection(column, max(width * char, heading) + 24)
    if stretch is not None:
        _TakesTheRoomLeft(header, stretch)


class _TakesTheRoomLeft(QObject):
    """The `column` takes the room the other columns leave in the table, never less than its own width: where
    longer headings in another language widen the others, the table scrolls rather than squash what it says."""

    def __init__(self, header: QHeaderView, column: int):
        super().__init__(header)
        self.header, self.column, self.least = header, column, header.sectionSize(column)
        self.viewport = header.parentWidget().viewport()  # a hidden header does not follow the table's width
        self.viewport.installEventFilter(self)
        header.sectionResized.connect(lambda index, _old, _new: index != column and self.fit())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        header = self.header
        others = sum(header.sectionSize(i) for i in range(header.count()) if i != self.column)
        header.resizeSection(self.column, max(self.least, self.viewport.width() - others))


def caption(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label


def chain_tab_order(*widgets: QWidget) -> None:
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)


def widget_action(widget: QWidget, text: str, keys: Sequence[QKeySequence | str | Qt.Key], slot) -> QAction:
    """An action whose keys work only while `widget` has the focus (Enter in a table, not in a field)."""
    action = QAction(text, widget)
    action.setShortcuts([QKeySequence(k) for k in keys])
    action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    action.triggered.connect(slot)
    widget.addAction(action)
    return action


class LazyView(QWidget):
    """A view that reads from the store when first shown, and again only after something it shows
    changed (mark_stale): a hidden view costs nothing at start-up or after a write."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.stale = True

    def refresh(self) -> None:
        """Re-read from the store what this view shows."""
        raise NotImplementedError

    def update_now(self) -> None:
        self.stale = False
        self.refresh()

    def mark_stale(self) -> None:
        if self.isVisible():
            self.update_now()
        else:
            self.stale = True

    def showEvent(self, event) -> None:
        if self.stale:
            self.update_now()
        super().showEvent(event)


def open_dialog(dialog, focus_back: QWidget | None = None):
    """Open a dialog window-modal, deleted when closed; the focus goes back to `focus_back`."""
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if focus_back is not None:
        dialog.finished.connect(lambda _: focus_back.setFocus())
    dialog.open()
    fit_height(dialog)
    return dialog


def fit_height(window: QWidget) -> None:
    """Make a window tall enough for all its text at its present width (wrapped labels included,
    which Qt's minimum size leaves out), within the screen: no sentence is cut off or overlapped."""
    layout = window.layout()
    if layout is None:
        return
    layout.activate()
    height = (layout.totalHeightForWidth(window.width()) if layout.hasHeightForWidth()
              else layout.totalSizeHint().height())
    screen = window.screen()
    if screen is not None:
        height = min(height, screen.availableGeometry().height() - 40)  # leave room for the title bar
    if height > window.height():
        window.resize(window.width(), height)


def lay_out_table(dialog: QDialog, table: QWidget, note: str, size: tuple[int, int]) -> None:
    """A read-only table above a note and a Close button: the layout of the dialogs that only show."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(QLabel(note, wordWrap=True))
    layout.addWidget(buttons)
    dialog.resize(*size)


@contextmanager
def busy() -> Iterator[None]:
    """The wait cursor while something takes a moment (a password hashed, the cohort's tables read)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()
