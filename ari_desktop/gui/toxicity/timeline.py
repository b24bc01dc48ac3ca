"""The toxicity timeline: worst CRS and ICANS grade per day, D0 to D+30 (and B0 to B+14 after a
booster), with the anti-cytokine treatments and the go/hold decisions of the fractions.

Chart choice: a custom-painted grid ("swimlane"), not QtCharts. A CRS or ICANS grade is an
ordinal category (0-4) on a fixed grid of days, and a physician's questions are "what was the
grade on D+4?" and "is it getting better?". A grid with one row per scale, one column per day and
the grade number printed in each cell answers both at a glance, and never relies on colour alone
(the number is there; a day not assessed is hatched and says so in its tooltip). A QtCharts line
or bar chart would draw lines between days as if grades were continuous, show a day not assessed
like grade 0 or as a gap that is easy to miss, and need more code to get per-cell tooltips,
hatching and text markers; it would also load the PySide6-Addons QtCharts module for one widget.
The painter code is small, needs no extra dependency, and is tested through `cell()`.

The grade colour scale (white for 0 to deep red for 4, always with the number or words) is here
and is shared by the bedside form and the go/hold dialog, so a grade looks the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from ...core.endpoints import course_sentence
from ...core.gate import FractionDecision
from ...core.grading import Grade
from ...core.protocol import day_code
from ...core.toxicity import Assessment, daily_course, split_at_booster
from ...i18n import N_, _, ngettext
from ..common.qt_dates import format_date, format_moment, format_weekday
from ..common.session import Session
from ..common.widgets import LazyView, caption
from ..signing.sign_dialog import NOT_SIGNED, signature_words

# --------------------------------------------------------------------------------------------
# How a grade looks: a background from white (0) to deep red (4) and a text colour readable on it.

_GRADE_BACKGROUNDS = ("#ffffff", "#fcd5bf", "#fb8b62", "#d7301f", "#8e0c0c")
_GRADE_FOREGROUNDS = ("#1f2937", "#5c1a00", "#3d0c00", "#ffffff", "#ffffff")
GRADE_BORDER = "#9ca3af"
NOT_ASSESSED_BACKGROUND = "#e5e7eb"
NOT_ASSESSED_HATCH = "#9ca3af"
NOT_GRADED_BACKGROUND = "#f3f4f6"  # the form cannot grade yet (missing or refused input)
NOT_GRADED_FOREGROUND = "#374151"
ZERO_FOREGROUND = "#6b7280"  # grade 0 in the timeline: readable, but quieter than a grade


def grade_colours(grade: int) -> tuple[str, str]:
    """(background, text colour) for a CRS or ICANS grade; 5 (death) looks like 4."""
    index = max(0, min(grade, len(_GRADE_BACKGROUNDS) - 1))
    return _GRADE_BACKGROUNDS[index], _GRADE_FOREGROUNDS[index]


def reason_words(grade: Grade) -> str:
    """The reason without its "grade N: " prefix, in the window's language: "low-flow nasal cannula ≤ 6 L/min
    (4 L/min)"."""
    return grade.finding


def scale_grade(scale: str, grade: int) -> str:
    """ "CRS grade 2" (scale: "CRS" or "ICANS", the acronyms the glossary keeps)."""
    return _("{scale} grade {grade}").format(scale=_(scale), grade=grade)


# The scales spelled out, once on a form that grades them (then the acronym, as the glossary says).
SCALE_NAMES = {"CRS": N_("cytokine release syndrome"),
               "ICANS": N_("immune effector cell-associated neurotoxicity syndrome")}


def grade_heading(scale: str, text: str, points: int) -> str:
    """A grade box's first line, as rich text: `text` ("CRS grade 2") big, the scale's name small beside it."""
    return (f"<span style='font-size:{points}pt; font-weight:600'>{escape(text, quote=False)}</span>&nbsp; "
            f"<span style='font-size:10pt'>({escape(_(SCALE_NAMES[scale]), quote=False)})</span>")


def grade_sentence(scale: str, grade: Grade) -> str:
    """ "CRS grade 2 — low-flow nasal cannula ≤ 6 L/min (4 L/min)" """
    return f"{scale_grade(scale, grade.grade)} — {reason_words(grade)}"


def patient_words(patient, points: int | None = None) -> str:
    """The patient at the top of a form, as rich text: the study ID in bold, initials, sex, birth year."""
    style = f" style='font-size:{points}pt'" if points else ""
    who = _("{initials}, {sex}, born {year}").format(initials=patient.initials, sex=patient.sex,
                                                     year=patient.birth_year)
    return f"<b{style}>{escape(patient.study_id, quote=False)}</b>&nbsp; {escape(who, quote=False)}"


def grade_box_height(label: QWidget, title_points: float, reason_points: float) -> int:
    """The height a grade box needs for its big title and two lines of reason, so that a layout
    short of room never cuts the reason off."""
    title, reason = QFont(label.font()), QFont(label.font())
    title.setPointSizeF(title_points)
    reason.setPointSizeF(reason_points)
    return QFontMetrics(title).height() + 2 * QFontMetrics(reason).height() + 20


def grade_style(grade: int | None) -> str:
    """A QLabel style sheet: the grade's colours, or neutral grey when there is no grade."""
    if grade is None:
        background, foreground = NOT_GRADED_BACKGROUND, NOT_GRADED_FOREGROUND
    else:
        background, foreground = grade_colours(grade)
    return (f"QLabel {{ background: {background}; color: {foreground}; border: 2px solid {GRADE_BORDER};"
            " border-radius: 6px; padding: 6px 10px; }")


# --------------------------------------------------------------------------------------------
# What one strip shows: one column per day.

DRUG_MARKS = (("tocilizumab_mg", "T", N_("Tocilizumab")), ("dexamethasone_mg", "S", N_("Dexamethasone")),
              ("methylprednisolone_mg", "S", N_("Methylprednisolone")), ("anakinra_mg", "A", N_("Anakinra")))
NOT_ASSESSED = -1


@dataclass
class DayColumn:
    day: int
    when: date
    crs: int = NOT_ASSESSED
    icans: int = NOT_ASSESSED
    assessments: list[Assessment] = field(default_factory=list)
    doses: dict[str, float] = field(default_factory=dict)  # drug label -> mg given that day
    fraction: str | None = None  # "D+3" on a day a go/hold decision is taken before a fraction
    decisions: list[FractionDecision] = field(default_factory=list)

    @property
    def marks(self) -> str:
        """Letters for the treatments given that day: T tocilizumab, S corticosteroid, A anakinra."""
        letters = []
        for _name, letter, label in DRUG_MARKS:
            if self.doses.get(label) and letter not in letters:
                letters.append(letter)
        return "".join(letters)

    def worst(self, scale: str) -> Assessment | None:
        """The assessment that gave the day's worst grade (the latest of equals)."""
        if not self.assessments:
            return None
        grade_of = (lambda a: a.crs.grade) if scale == "CRS" else (lambda a: a.icans.grade)
        return max(reversed(self.assessments), key=grade_of)


def day_columns(assessments: list[Assessment], anchor: str, anchor_date: date, days: int,
                decisions: list[FractionDecision], decision_days: dict[str, int]) -> list[DayColumn]:
    """The columns of one strip, from the saved assessments (toxicity.daily_course gives the grades
    and the doses of each day)."""
    labels = {name: label for name, _, label in DRUG_MARKS}
    columns = [DayColumn(d.day, d.when, d.crs, d.icans, list(d.assessments),
                         {labels[name]: mg for name, mg in d.doses.items()})
               for d in daily_course(assessments, anchor_date, days)]
    for timepoint, day in decision_days.items():
        if 0 <= day <= days:
            columns[day].fraction = timepoint
            columns[day].decisions = [d for d in decisions if d.timepoint == timepoint]
    return columns


# --------------------------------------------------------------------------------------------
# The painted strip


class GradeStrip(QWidget):
    """One swimlane: a day header, a CRS row, an ICANS row, a treatment row and a go/hold row."""

    ROWS = (N_("Day"), N_("CRS"), N_("ICANS"), N_("Treatment"), N_("Go / hold"))  # painted through _()
    BOOSTER_ROWS = ROWS[:4]  # the booster is not fractionated: no go/hold
    MIN_LABEL_WIDTH = 96
    MIN_COLUMN = 26
    PREFERRED_COLUMN = 38

    @property
    def label_width(self) -> int:
        return label_width(self)

    def __init__(self, anchor: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.anchor = anchor  # "day0" or "booster"
        self.rows = self.ROWS if anchor == "day0" else self.BOOSTER_ROWS
        self.columns: list[DayColumn] = []
        self.slots = 1  # column widths as for this many days, so that two strips line up day under day
        self.today: date | None = None
        self.signed: dict[tuple[str, int | None], str] = {}  # (table, id) -> its signatures in words
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(_("Toxicity grades per day"))

    def set_columns(self, columns: list[DayColumn], today: date, slots: int | None = None) -> None:
        self.columns = columns
        self.today = today
        self.slots = max(slots or len(columns), len(columns), 1)
        self.setAccessibleDescription(self.describe())
        self.updateGeometry()
        self.update()

    def describe(self) -> str:
        """The strip in words, for a screen reader: the assessed days with a grade above 0."""
        graded = [_("{day} CRS {crs} ICANS {icans}").format(day=self.code(c.day), crs=c.crs, icans=c.icans)
                  for c in self.columns if c.crs > 0 or c.icans > 0]
        return "; ".join(graded) or _("No CRS or ICANS above grade 0.")

    def code(self, day: int) -> str:
        return day_code(self.anchor, day)

    # -- geometry --------------------------------------------------------------------------------

    def _row_heights(self) -> tuple[int, ...]:
        line = self.fontMetrics().height()
        heights = (line + 10, max(36, line * 2 + 8), max(36, line * 2 + 8), line + 12, line + 12)
        return heights[:len(self.rows)]

    def sizeHint(self) -> QSize:
        return QSize(self.label_width + self.PREFERRED_COLUMN * self.slots, sum(self._row_heights()) + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.label_width + self.MIN_COLUMN * self.slots, sum(self._row_heights()) + 2)

    def _column_width(self) -> float:
        return (self.width() - self.label_width - 1) / self.slots

    def _row_top(self, row: int) -> int:
        return sum(self._row_heights()[:row])

    def cell_rect(self, index: int, row: int) -> QRectF:
        width = self._column_width()
        return QRectF(self.label_width + index * width, self._row_top(row), width, self._row_heights()[row])

    def hit(self, point: QPoint) -> tuple[int, int] | None:
        """(column index, row) under a point, or None outside the cells."""
        if point.x() < self.label_width or not self.columns:
            return None
        index = int((point.x() - self.label_width) // self._column_width())
        top = 0
        for row, height in enumerate(self._row_heights()):
            if top <= point.y() < top + height and 0 <= index < len(self.columns):
                return index, row
            top += height
        return None

    # -- painting --------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        used = self.label_width + 1 + self._column_width() * len(self.columns)
        painter.fillRect(QRectF(0, 0, used, self.height()), QColor("white"))
        self._paint_row_labels(painter)
        short = self.fontMetrics().horizontalAdvance(self.code(-30)) + 6 > self._column_width()
        for index, column in enumerate(self.columns):
            self._paint_day(painter, index, column, short)
            self._paint_grade(painter, self.cell_rect(index, 1), column, column.crs)
            self._paint_grade(painter, self.cell_rect(index, 2), column, column.icans)
            self._paint_marks(painter, self.cell_rect(index, 3), column)
            if len(self.rows) > 4:
                self._paint_decision(painter, self.cell_rect(index, 4), column)
        self._paint_today(painter)
        painter.end()

    def _paint_row_labels(self, painter: QPainter) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        for row, text in enumerate(self.rows):
            rect = QRectF(0, self._row_top(row), self.label_width - 6, self._row_heights()[row])
            painter.setFont(bold if row in (1, 2) else self.font())
            painter.setPen(QColor("#111827" if row in (1, 2) else "#4b5563"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, _(text))
        painter.setFont(self.font())

    def _paint_day(self, painter: QPainter, index: int, column: DayColumn, short: bool) -> None:
        rect = self.cell_rect(index, 0)
        text = self.code(column.day)
        if short and column.day != 0:
            text = f"{column.day:+d}"
        font = QFont(self.font())
        font.setBold(column.when == self.today or column.fraction is not None)
        painter.setFont(font)
        painter.setPen(QColor("#111827"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(self.font())

    def _paint_grade(self, painter: QPainter, rect: QRectF, column: DayColumn, grade: int) -> None:
        cell = rect.adjusted(1, 1, -1, -1)
        not_yet = self.today is not None and column.when >= self.today  # today's may still come
        if grade == NOT_ASSESSED:
            if not_yet:
                painter.setPen(QPen(QColor("#d1d5db"), 1, Qt.PenStyle.DotLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(cell.adjusted(0, 0, -1, -1))
                return
            painter.fillRect(cell, QColor(NOT_ASSESSED_BACKGROUND))
            painter.fillRect(cell, QBrush(QColor(NOT_ASSESSED_HATCH), Qt.BrushStyle.BDiagPattern))
            return
        background, foreground = grade_colours(grade)
        painter.fillRect(cell, QColor(background))
        painter.setPen(QPen(QColor(GRADE_BORDER), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(cell.adjusted(0, 0, -1, -1))
        font = QFont(self.font())
        font.setBold(grade > 0)  # zeros recede, so that any grade stands out
        font.setPointSizeF(self.font().pointSizeF() * 1.35)
        painter.setFont(font)
        painter.setPen(QColor(foreground if grade > 0 else ZERO_FOREGROUND))
        painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(grade))
        painter.setFont(self.font())

    def _paint_marks(self, painter: QPainter, rect: QRectF, column: DayColumn) -> None:
        marks = column.marks
        if not marks:
            return
        cell = rect.adjusted(2, 2, -2, -2)
        painter.setPen(QPen(QColor("#1d4ed8"), 1))
        painter.setBrush(QColor("#dbeafe"))
        painter.drawRoundedRect(cell, 4, 4)
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#1e3a8a"))
        painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, marks)
        painter.setFont(self.font())

    def _paint_decision(self, painter: QPainter, rect: QRectF, column: DayColumn) -> None:
        if column.fraction is None:
            return
        cell = rect.adjusted(2, 2, -2, -2)
        latest = column.decisions[-1] if column.decisions else None
        if latest is None:
            painter.setPen(QPen(QColor("#6b7280"), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(cell, 4, 4)
            painter.setPen(QColor("#4b5563"))
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, "?")
            return
        go = latest.decision == "go"
        painter.setPen(QPen(QColor("#1e8e3e" if go else "#b45309"), 1))
        painter.setBrush(QColor("#e6f4ea" if go else "#fff0d4"))
        painter.drawRoundedRect(cell, 4, 4)
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#17582b" if go else "#7a3e00"))
        text = _("Go") if go else _("Hold")
        if painter.fontMetrics().horizontalAdvance(text) + 4 > cell.width():
            text = "✓" if go else "✕"
        painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(self.font())
        if go and any(d.decision == "hold" for d in column.decisions):  # held first, given later
            corner = QPolygonF([cell.topLeft(), cell.topLeft() + QPointF(9, 0), cell.topLeft() + QPointF(0, 9)])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#d97706"))
            painter.drawPolygon(corner)

    def _paint_today(self, painter: QPainter) -> None:
        for index, column in enumerate(self.columns):
            if column.when == self.today:
                top = self.cell_rect(index, 0)
                bottom = self.cell_rect(index, len(self.rows) - 1)
                painter.setPen(QPen(QColor("#1a5fd0"), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(top.topLeft(), bottom.bottomRight()).adjusted(1, 1, -1, -1))

    # -- tooltips --------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            hit = self.hit(event.pos())
            text = self.tooltip(*hit) if hit else ""
            if text:
                QToolTip.showText(event.globalPos(), text, self, QRect())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip(self, index: int, row: int) -> str:
        """What a cell says when pointed at: date, worst grade with its reason, time and assessor."""
        column = self.columns[index]
        title = f"{self.code(column.day)}, {format_weekday(column.when)}"
        if row == 0:
            if column.when == self.today:
                return _("{day} (today)").format(day=title)
            return title
        if row in (1, 2):
            scale = "CRS" if row == 1 else "ICANS"
            worst = column.worst(scale)
            if worst is None:
                not_yet = self.today is not None and column.when >= self.today
                said = _("{scale}: not assessed yet") if not_yet else _("{scale}: not assessed")
                return f"{title}\n" + said.format(scale=_(scale))
            grade = worst.crs_shown if scale == "CRS" else worst.icans_shown
            count = len(column.assessments)
            of = ngettext("one assessment; this one at {time} by {assessor}",
                          "worst of {count} assessments; this one at {time} by {assessor}", count).format(
                count=count, time=f"{worst.at.astimezone():%H:%M}", assessor=worst.assessor)
            signed = _("Signed: {signatures}").format(
                signatures=_(self.signed.get(("assessments", worst.id), NOT_SIGNED)))
            return "\n".join((title, grade_sentence(scale, grade), of, signed,
                              _("Sign it from the table of bedside assessments (Sign…).")))
        if row == 3:
            if not column.doses:
                return ""
            doses = ", ".join(f"{_(label)} {mg:g} mg" for label, mg in column.doses.items())
            return f"{title}\n" + _("Given: {doses}").format(doses=doses)
        if column.fraction is None:
            return ""
        if not column.decisions:
            return f"{title}\n" + _("No go/hold decision recorded before this fraction yet.")
        lines = [(_("{decision} (override) by {user} at {time}: {reason}; signed: {signatures}") if d.override else
                  _("{decision} by {user} at {time}: {reason}; signed: {signatures}")).format(
            decision=decision_word(d.decision), user=d.decided_by, time=format_moment(d.decided_at),
            reason=d.reason or _("no reason given"),
            signatures=_(self.signed.get(("fraction_decisions", d.id), NOT_SIGNED))) for d in column.decisions]
        return f"{title}\n" + "\n".join(lines)


def decision_word(decision: str) -> str:
    """ "GO" or "HOLD", as a decision is written (the store's code is "go" or "hold")."""
    return _("GO") if decision == "go" else _("HOLD")


def label_width(widget: QWidget) -> int:
    """The room of a strip's row names, in bold, as the language writes them (Spanish and Catalan are longer)."""
    bold = QFont(widget.font())
    bold.setBold(True)
    widest = max(QFontMetrics(bold).horizontalAdvance(_(row)) for row in GradeStrip.ROWS)
    return max(GradeStrip.MIN_LABEL_WIDTH, widest + 12)


class GradeLegend(QWidget):
    """The colour scale with its numbers, and the hatching of a day not assessed."""

    WORDS = N_("not assessed")  # painted through _()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def _box(self) -> int:
        return self.fontMetrics().height() + 6

    def sizeHint(self) -> QSize:
        box = self._box()
        return QSize(label_width(self) + 6 * (box + 2) + 16 + self.fontMetrics().horizontalAdvance(_(self.WORDS)),
                     box + 2)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        box = self._box()
        painter.setPen(QColor("#4b5563"))
        painter.drawText(QRectF(0, 0, label_width(self) - 6, box),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, _("Grade"))
        x = label_width(self)
        for grade in range(5):
            background, foreground = grade_colours(grade)
            rect = QRectF(x, 0, box, box)
            painter.fillRect(rect, QColor(background))
            painter.setPen(QColor(GRADE_BORDER))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.setPen(QColor(foreground if grade else ZERO_FOREGROUND))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(grade))
            x += box + 2
        x += 12
        rect = QRectF(x, 0, box, box)
        painter.fillRect(rect, QColor(NOT_ASSESSED_BACKGROUND))
        painter.fillRect(rect, QBrush(QColor(NOT_ASSESSED_HATCH), Qt.BrushStyle.BDiagPattern))
        painter.setPen(QColor("#374151"))
        painter.drawText(QRectF(x + box + 4, 0, self.width() - x - box - 4, box), Qt.AlignmentFlag.AlignVCenter,
                         _(self.WORDS))
        painter.end()


LEGEND_WORDS = N_("Treatment: T tocilizumab, S corticosteroid, A anakinra.   Go / hold before a fraction: "
                  "? = no decision yet; an orange corner = held first, given later.   Blue frame: today. "
                  "Point at a cell for the date, the reason and who assessed.")


# --------------------------------------------------------------------------------------------
# The view


class ToxicityTimeline(LazyView):
    """A patient's toxicity course at a glance; call show_patient(study_id)."""

    refreshed = Signal()  # re-read: the booster strip may have come or gone, and with it the height needed

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.study_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = caption(_("Toxicity: worst CRS and ICANS grade per day"), self)
        self.title.setWordWrap(True)  # the scales spelled out are long in Spanish and Catalan
        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.first = GradeStrip("day0", self)
        self.first_summary = self._summary_label()
        self.booster_title = caption(_("After the booster"), self)
        self.booster_title.setWordWrap(True)
        self.booster = GradeStrip("booster", self)
        self.booster_summary = self._summary_label()
        self.legend = QWidget(self)
        legend_row = QHBoxLayout(self.legend)
        legend_row.setContentsMargins(0, 0, 0, 0)
        legend_row.addWidget(GradeLegend(self.legend), 0, Qt.AlignmentFlag.AlignTop)
        legend_words = QLabel(_(LEGEND_WORDS), self.legend)
        legend_words.setWordWrap(True)
        legend_words.setStyleSheet("QLabel { color: #374151; }")
        legend_row.addWidget(legend_words, 1)
        for widget in (self.title, self.empty, self.first, self.first_summary, self.booster_title, self.booster,
                       self.booster_summary, self.legend):
            layout.addWidget(widget)
        layout.addStretch(1)
        self._show_parts(first=False, booster=False)
        self.empty.setText(_("Choose a patient to see the toxicity timeline."))
        session.events.recorded.connect(self._changed)
        session.events.patient_changed.connect(self._changed)

    def _summary_label(self) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setContentsMargins(0, 0, 0, 4)
        label.setIndent(label_width(self) - 4)  # under the days, past the row names
        return label

    def show_patient(self, study_id: str) -> None:
        self.study_id = study_id
        self.mark_stale()

    def _changed(self, study_id: str) -> None:
        if study_id == self.study_id:
            self.mark_stale()

    def _show_parts(self, *, first: bool, booster: bool) -> None:
        self.empty.setVisible(not first)
        for widget in (self.first, self.first_summary, self.legend):
            widget.setVisible(first)
        for widget in (self.booster_title, self.booster, self.booster_summary):
            widget.setVisible(booster)

    def refresh(self) -> None:
        if self.study_id is None:
            return
        store = self.session.store
        patient = store.patients.get(self.study_id)
        anchors = patient.anchors
        if anchors.day0 is None:
            self.first.set_columns([], self.session.today())
            self.booster.set_columns([], self.session.today())
            self.empty.setText(_("{study_id} has no day 0 yet: the timeline starts at the first infusion.").format(
                study_id=patient.study_id))
            self._show_parts(first=False, booster=False)
            self.refreshed.emit()
            return
        assessments = store.assessments.of(patient.study_id)
        decisions = store.fractions.of(patient.study_id)
        summary = store.toxicity.summary(patient.study_id)
        protocol = store.protocol
        today = self.session.today()
        booster = anchors.booster
        decision_days = {code: protocol.timepoint(code).day for code in protocol.go_decision_before}
        before, after = split_at_booster(assessments, booster)
        signatures = store.signatures
        signed = {("assessments", a.id): signature_words(signatures.of("assessments", a.id)) for a in assessments}
        signed |= {("fraction_decisions", d.id): signature_words(signatures.of("fraction_decisions", d.id))
                   for d in decisions}
        self.first.signed = self.booster.signed = signed
        self.first.set_columns(day_columns(before, "D", anchors.day0, protocol.toxicity_days_after_infusion,
                                           decisions, decision_days), today)
        self.first_summary.setText(course_sentence(summary.first_infusion))
        self.title.setText(_("Toxicity of {study_id} after the first infusion (D0 = {date}): worst CRS and ICANS "
                             "grade per day").format(study_id=patient.study_id, date=format_date(anchors.day0)))
        if booster is not None:
            self.booster.set_columns(day_columns(after, "B", booster, protocol.toxicity_days_after_booster, [], {}),
                                     today, slots=len(self.first.columns))
            self.booster_summary.setText(course_sentence(summary.booster))
            self.booster_title.setText(_("After the booster (B0 = {date})").format(date=format_date(booster)))
        self._show_parts(first=True, booster=booster is not None)
        self.refreshed.emit()

    def first_strip_height(self) -> int:
        """From the top to the end of the strip after the first infusion: what must show without scrolling."""
        spacing = max(self.layout().spacing(), 0)
        return self.title.sizeHint().height() + spacing + self.first.sizeHint().height() + spacing

    # -- what tests and other views read ---------------------------------------------------------

    def strip(self, anchor: str = "D") -> GradeStrip:
        return self.first if anchor == "D" else self.booster

    def cell(self, day: int, anchor: str = "D") -> tuple[int, int]:
        """(worst CRS, worst ICANS) on a day of the strip; -1 = not assessed."""
        if self.stale:
            self.update_now()
        column = self.strip(anchor).columns[day]
        return column.crs, column.icans

    def marks(self, day: int, anchor: str = "D") -> str:
        if self.stale:
            self.update_now()
        return self.strip(anchor).columns[day].marks

    def summary(self, anchor: str = "D") -> str:
        if self.stale:
            self.update_now()
        return (self.first_summary if anchor == "D" else self.booster_summary).text()
