"""How a status looks: words, colours and a painted icon. Colour is never the only signal.

The statuses themselves come from the domain (schedule.status); this module only presents them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from ...core.schedule import CANCELLED, DONE, DUE, MISSED, NOT_DONE, OVERDUE, PLANNED
from ...i18n import N_, Nn_, _, ngettext


@dataclass(frozen=True)
class StatusLook:
    text: str  # text and explanation marked with N_(): status_text and explanation() translate them
    explanation: str
    background: str  # a light tint behind the row
    foreground: str  # dark text on that tint
    accent: str  # the icon's colour
    shape: str  # what the icon draws
    bold: bool = False


LOOKS: dict[str, StatusLook] = {
    PLANNED: StatusLook(N_("Planned"), N_("Its window has not opened yet."), "#ffffff", "#4b5563", "#6b7280", "ring"),
    DUE: StatusLook(N_("Due"), N_("Its window is open: do it today."), "#e8f0fe", "#0b3a82", "#1a5fd0", "dot"),
    OVERDUE: StatusLook(N_("Overdue"), N_("The target day has passed; the window is still open."), "#fff0d4",
                        "#7a3e00", "#d97706", "warning", bold=True),
    MISSED: StatusLook(N_("Missed"), N_("The window closed with nothing recorded: a deviation that needs a reason."),
                       "#fde4e4", "#9b1010", "#c81e1e", "cross", bold=True),
    DONE: StatusLook(N_("Done"), N_("Recorded as done."), "#e6f4ea", "#17582b", "#1e8e3e", "check"),
    NOT_DONE: StatusLook(N_("Not obtained"), N_("Recorded as not obtained, with a reason."), "#f1eafa", "#4c2a85",
                         "#7b4bc4", "dash"),
    CANCELLED: StatusLook(N_("Cancelled"), N_("No longer done (off study, death, or does not apply)."), "#f3f4f6",
                          "#6b7280", "#9ca3af", "slash"),
}
# Which status a group of items shows first: what needs action before what is settled.
URGENCY = (MISSED, OVERDUE, DUE, NOT_DONE, PLANNED, DONE, CANCELLED)


def look(status: str) -> StatusLook:
    return LOOKS[status]


def status_text(status: str) -> str:
    return _(LOOKS[status].text)


def explanation(status: str) -> str:
    return _(LOOKS[status].explanation)


# "3 missed": a count of items in one status, each its own message so that a language can make the word agree
# with the number and with what is counted (activities).
COUNTED = {PLANNED: Nn_("{count} planned", "{count} planned"), DUE: Nn_("{count} due", "{count} due"),
           OVERDUE: Nn_("{count} overdue", "{count} overdue"), MISSED: Nn_("{count} missed", "{count} missed"),
           DONE: Nn_("{count} done", "{count} done"), NOT_DONE: Nn_("{count} not obtained", "{count} not obtained"),
           CANCELLED: Nn_("{count} cancelled", "{count} cancelled")}


def counted(status: str, count: int) -> str:
    return ngettext(*COUNTED[status], count).format(count=count)


@cache
def status_icon(status: str) -> QIcon:
    return QIcon(_paint(LOOKS[status]))


@cache
def background(status: str) -> QBrush:
    return QBrush(QColor(LOOKS[status].background))


@cache
def foreground(status: str) -> QBrush:
    return QBrush(QColor(LOOKS[status].foreground))


def _paint(status: StatusLook, size: int = 32) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    accent = QColor(status.accent)
    white = QPen(QColor("white"), size * 0.12, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                 Qt.PenJoinStyle.RoundJoin)
    box = QRectF(2, 2, size - 4, size - 4)
    s = size / 32
    if status.shape == "ring":
        painter.setPen(QPen(accent, size * 0.1))
        painter.drawEllipse(box.adjusted(2, 2, -2, -2))
    elif status.shape == "warning":
        triangle = QPainterPath(QPointF(size / 2, 2))
        triangle.lineTo(size - 2, size - 3)
        triangle.lineTo(2, size - 3)
        triangle.closeSubpath()
        painter.fillPath(triangle, accent)
        painter.setPen(white)
        painter.drawLine(QPointF(16 * s, 11 * s), QPointF(16 * s, 19 * s))
        painter.drawPoint(QPointF(16 * s, 24.5 * s))
    else:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent)
        painter.drawEllipse(box)
        painter.setPen(white)
        if status.shape == "check":
            painter.drawPolyline([QPointF(9 * s, 16.5 * s), QPointF(14 * s, 21.5 * s), QPointF(23 * s, 11 * s)])
        elif status.shape == "cross":
            painter.drawLine(QPointF(11 * s, 11 * s), QPointF(21 * s, 21 * s))
            painter.drawLine(QPointF(21 * s, 11 * s), QPointF(11 * s, 21 * s))
        elif status.shape == "dash":
            painter.drawLine(QPointF(10 * s, 16 * s), QPointF(22 * s, 16 * s))
        elif status.shape == "slash":
            painter.drawLine(QPointF(11 * s, 21 * s), QPointF(21 * s, 11 * s))
    painter.end()
    return pixmap
