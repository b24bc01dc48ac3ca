"""The toxicity flags at the top of Today: what a physician must see before the worklist.

store.toxicity.flags(day) says which patients need an eye: a CRS or ICANS grade of 2 or more at the latest
assessment, prolonged cytopenia, or the day's CRS / ICANS assessment not recorded yet. Each flag
has its words and an icon by kind (colour is never the only signal). Enter or double-click opens
the patient; for an assessment not recorded, it also opens the bedside form. The panel is hidden
when there is nothing to flag.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...core.flags import Flag
from ...i18n import _, ngettext
from ..common.models import FLAG_ORDER, FLAG_WORDS, FlagTableModel
from ..common.widgets import table_view, widget_action

VISIBLE_ROWS = 3  # the panel stays compact; more flags scroll (the most urgent come first)
_ACCENTS = {"grade_2_or_more": "#c81e1e", "prolonged_cytopenia": "#7b4bc4", "tox_not_recorded": "#d97706"}


def _short(kind: str, count: int) -> str:
    """ "2 at grade ≥ 2": how many patients have a flag of a kind, for the panel's heading."""
    if kind == "grade_2_or_more":
        said = ngettext("{count} at grade ≥ 2", "{count} at grade ≥ 2", count)
    elif kind == "prolonged_cytopenia":
        said = ngettext("{count} with prolonged cytopenia", "{count} with prolonged cytopenia", count)
    else:
        said = ngettext("{count} assessment not recorded", "{count} assessments not recorded", count)
    return said.format(count=count)


@cache
def flag_icon(kind: str) -> QIcon:
    """A red warning triangle (grade ≥ 2), a purple drop with a falling arrow (cytopenia), an amber
    clock (assessment not recorded)."""
    size = 32
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    accent = QColor(_ACCENTS.get(kind, "#4b5563"))
    white = QPen(QColor("white"), 3.5, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    if kind == "grade_2_or_more":
        triangle = QPainterPath(QPointF(16, 2))
        triangle.lineTo(30, 29)
        triangle.lineTo(2, 29)
        triangle.closeSubpath()
        painter.fillPath(triangle, accent)
        painter.setPen(white)
        painter.drawLine(QPointF(16, 11), QPointF(16, 19))
        painter.drawPoint(QPointF(16, 24.5))
    elif kind == "prolonged_cytopenia":
        drop = QPainterPath(QPointF(16, 1))
        drop.cubicTo(QPointF(22, 10), QPointF(28, 15), QPointF(28, 21))
        drop.cubicTo(QPointF(28, 28), QPointF(22, 31), QPointF(16, 31))
        drop.cubicTo(QPointF(10, 31), QPointF(4, 28), QPointF(4, 21))
        drop.cubicTo(QPointF(4, 15), QPointF(10, 10), QPointF(16, 1))
        painter.fillPath(drop, accent)
        painter.setPen(white)
        painter.drawLine(QPointF(16, 13), QPointF(16, 26))
        painter.drawPolyline([QPointF(11, 21), QPointF(16, 26), QPointF(21, 21)])
    else:
        painter.setPen(QPen(accent, 3.5))
        painter.setBrush(QColor("white"))
        painter.drawEllipse(QRectF(3, 3, 26, 26))
        painter.setPen(QPen(accent, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawPolyline([QPointF(16, 8.5), QPointF(16, 16), QPointF(21.5, 19)])
    painter.end()
    return QIcon(pixmap)


class FlagsPanel(QFrame):
    """A compact list of Today's toxicity flags, above the worklist."""

    patient_requested = Signal(str)  # open the patient
    assess_requested = Signal(str)  # open the bedside form for the patient

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flagsPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("QFrame#flagsPanel { background: #fff7ed; border: 1px solid #f59e0b; border-radius: 4px; }")
        self.heading = QLabel(textFormat=Qt.TextFormat.RichText, wordWrap=True)
        self.heading.setAccessibleName(_("Toxicity flags"))
        self.model = FlagTableModel(flag_icon, self)
        self.table = table_view(self.model, (12, 60), stretch=1)
        self.table.setObjectName("flags")
        self.table.setAccessibleName(_("Toxicity flags"))
        self.table.setSortingEnabled(False)  # most urgent first, always
        self.table.horizontalHeader().hide()
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)
        self.table.setToolTip(_("Enter or double-click: open the patient (and, for an assessment not recorded, "
                                "the bedside form)."))
        self.open_button = QPushButton(_("&Open patient"),
                                       toolTip=_("Open the flagged patient's calendar and toxicity"))
        self.assess_button = QPushButton(flag_icon("tox_not_recorded"), _("Assess f&lagged…"),
                                         toolTip=_("Bedside CRS / ICANS assessment of the flagged patient"))
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.assess_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.table.doubleClicked.connect(lambda _: self.open_selected())
        widget_action(self.table, _("Open the patient"), (Qt.Key.Key_Return, Qt.Key.Key_Enter), self.open_selected)
        self.open_button.clicked.connect(lambda: self._emit(self.patient_requested))
        self.assess_button.clicked.connect(lambda: self._emit(self.assess_requested))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.hide()

    def set_flags(self, flags: Sequence[Flag]) -> None:
        """Show these flags (the panel hides when there are none); keep the selected patient selected."""
        chosen = self.selected()
        self.model.set_rows(flags)
        counts = {kind: sum(1 for f in flags if f.kind == kind) for kind in FLAG_ORDER}
        parts = [_short(kind, counts[kind]) for kind in FLAG_ORDER if counts[kind]]
        heading = _("⚑ Toxicity flags: {count}").format(count=len(flags))
        self.heading.setText(f"<b>{heading}</b> &nbsp;({', '.join(parts)})")
        self.heading.setToolTip(_("The most urgent first: {kinds}.").format(
            kinds="; ".join(_(FLAG_WORDS[kind]) for kind in FLAG_ORDER)))
        rows = min(max(len(flags), 1), VISIBLE_ROWS)
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(rows * self.table.verticalHeader().defaultSectionSize() + frame)
        self.setVisible(bool(flags))
        if chosen is not None:
            for number, flag in enumerate(self.model.rows):
                if (flag.study_id, flag.kind) == (chosen.study_id, chosen.kind):
                    self.table.selectRow(number)
                    break
        self._update_buttons()

    def selected(self) -> Flag | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def open_selected(self) -> None:
        """Open the patient; for an assessment not recorded, the bedside form over it as well."""
        flag = self.selected()
        if flag is None:
            return
        self.patient_requested.emit(flag.study_id)
        if flag.kind == "tox_not_recorded":
            self.assess_requested.emit(flag.study_id)

    def _emit(self, signal) -> None:
        flag = self.selected()
        if flag is not None:
            signal.emit(flag.study_id)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.open_button.setEnabled(chosen)
        self.assess_button.setEnabled(chosen)


class AfterFirstPaint(QObject):
    """Calls `then()` once, right after `widget` has painted for the first time (or after a second
    if it never paints), so that reading the flags never delays the first look at the worklist."""

    FALLBACK_MS = 1000

    def __init__(self, widget: QWidget, then: Callable[[], None]):
        super().__init__(widget)
        self.then = then
        self.done = False
        widget.installEventFilter(self)
        QTimer.singleShot(self.FALLBACK_MS, self, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            # Twice round the event loop: after this paint, its siblings' and whatever they queued.
            QTimer.singleShot(0, self, lambda: QTimer.singleShot(0, self, self._call))
        return False

    def _call(self) -> None:
        if self.done:
            return
        self.done = True
        self.parent().removeEventFilter(self)
        self.then()
