"""Table models of a patient's toxicity: the bedside assessments and the toxicity events.

Loaded with the Patient view's toxicity part, not at start-up. The CRS, ICANS and CTCAE grade cells
take the grade's colours of the timeline, always with the number and the reason in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from ...core.grading import Grade
from ...core.signatures import Signature
from ...core.toxicity import Assessment, ToxicityEvent
from ...i18n import N_, _
from ..common.models import Column, RowTableModel, bold_font, day_text
from ..common.qt_dates import format_moment
from ..signing.sign_dialog import SIGN_AGAIN, is_void, signature_words
from .timeline import DRUG_MARKS, grade_colours, reason_words, scale_grade


@dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    day: str  # "D+4", "B+2": the study day of the assessment
    signatures: list[tuple[Signature, str]] = field(default_factory=list)  # store.signatures.of, with status

    @property
    def signed(self) -> str:
        return signature_words(self.signatures)


def treatments_text(a: Assessment) -> str:
    given = [f"{_(words).lower()} {getattr(a.treatments, name):g} mg" for name, _letter, words in DRUG_MARKS
             if getattr(a.treatments, name)]
    return ", ".join(given) or "—"


def grade_text(grade: Grade) -> str:
    """ "2 — low-flow nasal cannula ≤ 6 L/min (4 L/min)": the number first, then why."""
    return f"{grade.grade} — {reason_words(grade)}"


ASSESSMENT_COLUMNS: list[Column[AssessmentRow]] = [
    Column(N_("Time"), lambda r: format_moment(r.assessment.at), lambda r: r.assessment.at,
           help=N_("When the patient was assessed (local time)")),
    Column(N_("Day"), lambda r: r.day, lambda r: r.assessment.at,
           help=N_("Study day: from day 0, or from the booster")),
    Column(N_("Assessor"), lambda r: r.assessment.assessor),
    Column(N_("CRS"), lambda r: grade_text(r.assessment.crs_shown), lambda r: r.assessment.crs.grade,
           help=N_("ASTCT CRS grade, and the finding that decided it")),
    Column(N_("ICANS"), lambda r: grade_text(r.assessment.icans_shown), lambda r: r.assessment.icans.grade,
           help=N_("ASTCT ICANS grade, and the finding that decided it")),
    Column(N_("Treatments"), lambda r: treatments_text(r.assessment), help=N_("Given since the last assessment")),
    Column(N_("Notes"), lambda r: r.assessment.notes),
    Column(N_("Signed"), lambda r: r.signed, help=N_("The electronic signatures: printed name, meaning, date and time "
           "(local, with the zone); void once the assessment is corrected after signing")),
]


@cache
def grade_brushes(grade: int) -> tuple[QBrush, QBrush]:
    background, foreground = grade_colours(grade)
    return QBrush(QColor(background)), QBrush(QColor(foreground))


class AssessmentTableModel(RowTableModel[AssessmentRow]):
    """A patient's bedside assessments; the CRS and ICANS cells in the grade's colours (with the number)."""

    def __init__(self, parent=None):
        super().__init__(ASSESSMENT_COLUMNS, parent)

    def row_data(self, row: AssessmentRow, column: Column[AssessmentRow], role: int):
        grade = {"CRS": row.assessment.crs, "ICANS": row.assessment.icans}.get(column.header)
        if grade is not None and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            background, foreground = grade_brushes(grade.grade)
            return background if role == Qt.ItemDataRole.BackgroundRole else foreground
        if grade is not None and role == Qt.ItemDataRole.FontRole and grade.grade >= 2:
            return bold_font()
        if column.header == "Signed" and role == Qt.ItemDataRole.ForegroundRole and is_void(row.signatures):
            return QBrush(QColor("#b00020"))
        if role == Qt.ItemDataRole.ToolTipRole:
            a = row.assessment
            lines = [_("{day}, {time}, assessed by {assessor}").format(
                         day=row.day, time=format_moment(a.at), assessor=a.assessor),
                     f"{scale_grade('CRS', a.crs.grade)} — {reason_words(a.crs_shown)}",
                     f"{scale_grade('ICANS', a.icans.grade)} — {reason_words(a.icans_shown)}",
                     _("Treatments: {treatments}").format(treatments=treatments_text(a))]
            if a.notes:
                lines.append(_("Notes: {notes}").format(notes=a.notes))
            lines += [_("Signed: {signatures}").format(signatures=_(SIGN_AGAIN) if is_void(row.signatures)
                                                       else row.signed),
                      _("Double-click or Enter to correct it.")]
            return "\n".join(lines)
        return None


def _event_grade_text(event: ToxicityEvent) -> str:
    return f"{event.grade} — {event.grade_reason.removeprefix(f'grade {event.grade}: ')}"


EVENT_COLUMNS: list[Column[ToxicityEvent]] = [
    Column(N_("Event"), lambda e: _(e.label)),
    Column(N_("CTCAE grade"), _event_grade_text, lambda e: e.grade, help=N_("CTCAE v5 grade, and how it was found")),
    Column(N_("Onset"), lambda e: day_text(e.onset), lambda e: e.onset),
    Column(N_("Resolved"), lambda e: day_text(e.resolution) if e.resolution else _("ongoing"),
           lambda e: e.resolution or date.max, help=N_("Resolution date, or ongoing")),
    Column(N_("Notes"), lambda e: e.notes),
    Column(N_("Recorded by"), lambda e: e.recorded_by),
]


class EventTableModel(RowTableModel[ToxicityEvent]):
    """A patient's toxicity events: TLS, cytopenias, infections, IEC-HS, hypogammaglobulinaemia."""

    def __init__(self, parent=None):
        super().__init__(EVENT_COLUMNS, parent)

    def row_data(self, row: ToxicityEvent, column: Column[ToxicityEvent], role: int):
        if column.header == "CTCAE grade" and role in (Qt.ItemDataRole.BackgroundRole,
                                                       Qt.ItemDataRole.ForegroundRole):
            background, foreground = grade_brushes(row.grade)
            return background if role == Qt.ItemDataRole.BackgroundRole else foreground
        if role == Qt.ItemDataRole.FontRole and column.header == "Resolved" and row.resolution is None:
            return bold_font()
        if role == Qt.ItemDataRole.ToolTipRole:
            first = _("{event}, grade {grade}: {reason}").format(
                event=_(row.label), grade=row.grade, reason=row.grade_reason.removeprefix(f"grade {row.grade}: "))
            course = (_("Onset {onset}, resolved {resolution}. Recorded by {user}.") if row.resolution else
                      _("Onset {onset}, ongoing. Recorded by {user}.")).format(
                onset=row.onset, resolution=row.resolution, user=row.recorded_by)
            return "\n".join([first, course] + ([row.notes] if row.notes else []))
        return None
