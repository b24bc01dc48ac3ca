"""The visit worksheet: the paper that travels with the patient through one visit.

Header (trial, study ID, initials, year of birth, visit, day, target date, window), the samples to
draw, the assessments due, vital signs, CRS and ICANS with the ten ICE items on toxicity days, the
go / hold box on infusion days, the response assessment at month visits, the electronic signatures of
the assessments and go/hold decisions already recorded for the visit (printed name, date and time with
the zone, meaning; or not signed, or void after a correction), notes and signatures.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..core.grading import ICE_ITEMS
from ..core.schedule import DONE, NOT_DONE
from ..outputs import check_pdf_output, write_atomically
from .layout import (
    CELL_PAD,
    INK,
    LIGHT,
    PAGE_SIZES,
    RULE,
    Footer,
    TickBox,
    Typesetter,
    build,
    choices,
    content_width,
    day_text,
    document,
    fit_widths,
    grid_style,
    row_height,
    word_width,
)
from .options import LANGUAGES, PAPERS, Printed, check_choice
from .visits import SignedRecord, Visit, find_visit, signed_records

WRITE_ROW = 6.5 * mm  # room for handwriting
TICK_ROW = 5 * mm
TOX_ACTIVITY = "tox"
INFUSION_ACTIVITY = "infusion"
MAX_ASSESSMENT_COLUMNS = 4


def write(store, study_id: str, timepoint: str, out: Path | str, *, paper: str = "a4", lang: str = "en",
          printed_by: str | None = None, overwrite: bool = False) -> Printed:
    """Write the worksheet of one patient's visit; every check is made before the file is touched
    (`overwrite`: replace an existing file that is not a PDF)."""
    paper = check_choice(paper, PAPERS, "paper")
    lang = check_choice(lang, LANGUAGES, "language")
    out = check_pdf_output(out, store.path, overwrite)
    visit = find_visit(store, study_id, timepoint).in_language(lang)
    ts = Typesetter(lang)
    pagesize = PAGE_SIZES[paper]
    story = _story(visit, ts, content_width(pagesize), store.protocol, signed_records(store, visit))
    patient = visit.patient
    codes = " + ".join(code for code, _ in visit.timepoints)
    footer = Footer(ts, f"{store.protocol.code} · {ts.words('worksheet.title')} · {patient.study_id} "
                        f"({patient.initials}) · {codes} · {visit.target_date.isoformat()}",
                    store.now(), printed_by or store.user)

    def render(path: Path) -> int:
        title = f"{ts.words('worksheet.title')} {patient.study_id} {codes}"
        return build(document(path, pagesize, footer, title, visit.local_protocol.title), story, footer)

    return Printed(out, write_atomically(out, render))


def _story(visit: Visit, ts: Typesetter, width: float, protocol,
           signed: tuple[SignedRecord, ...]) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(ts.t("worksheet.title"), ts.title), _header(visit, ts, width)]
    story.append(_section(ts, "samples.heading", _samples(visit, ts, width)))
    tasks = [e for e in visit.entries if e.item.kind != "sample"]
    if tasks:
        story.append(_section(ts, "tasks.heading", _tasks(visit, tasks, ts, width)))
    if visit.has_activity(TOX_ACTIVITY):
        columns = max(1, min(MAX_ASSESSMENT_COLUMNS, 24 // max(1, protocol.inpatient_cadence_hours)))
        story.append(_section(ts, "tox.heading", Paragraph(
            ts.t("vitals.note", hours=protocol.inpatient_cadence_hours), ts.small), _vitals(ts, width, columns)))
        story.append(KeepTogether([Spacer(1, 2 * mm), _crs(ts, width, columns),
                                   Paragraph(ts.t("crs.legend"), ts.small)]))
        story.append(_section(ts, "icans.heading", Paragraph(ts.t("icans.tick"), ts.small), _icans(ts, width, columns),
                              Paragraph(ts.t("icans.legend"), ts.small)))
    else:
        story.append(_section(ts, "vitals.heading", _vitals_once(ts, width)))
    infusions = [e for e in visit.entries if e.item.activity == INFUSION_ACTIVITY]
    for entry in infusions:
        story.append(_section(ts, "infusion.heading", _infusion(visit.label(entry), ts, width),
                              Paragraph(ts.t("infusion.note", days=protocol.held_fraction_max_delay_days,
                                             crs=protocol.active_crs_grade, icans=protocol.active_icans_grade,
                                             active=protocol.active_toxicity_hours, valid=protocol.go_valid_hours,
                                             interval=protocol.min_hours_between_fractions), ts.small)))
    if visit.is_response_visit:
        story.append(_section(ts, "response.heading", _response(visit, ts, width)))
    if signed:
        story.append(_section(ts, "esign.heading", _electronic_signatures(signed, ts, width),
                              Paragraph(ts.t("esign.note"), ts.small)))
    story.append(NotesAndSignatures(Paragraph(ts.t("notes.heading"), ts.heading), _signatures(ts, width)))
    return story


def _section(ts: Typesetter, heading: str, *flowables: Flowable) -> KeepTogether:
    return KeepTogether([Paragraph(ts.t(heading), ts.heading), *flowables])


def _cols(width: float, *fractions: float) -> list[float]:
    total = sum(fractions)
    return [width * f / total for f in fractions]


def _fit_header(ts: Typesetter, width: float, header: list, nominal_mm: list[float], stretch: int) -> list[float]:
    """Column widths (nominal, in mm of an A4 page) widened so no header word breaks, in any language."""
    scale = width / (sum(nominal_mm) * mm)
    texts = [[cell.text] if isinstance(cell, Paragraph) else [] for cell in header]
    return fit_widths(width, [w * mm * scale for w in nominal_mm], texts, ts.fonts.regular, ts.cell.fontSize, stretch)


def _header(visit: Visit, ts: Typesetter, width: float) -> Table:
    patient, protocol = visit.patient, visit.local_protocol
    label = partial(Paragraph, style=ts.small)
    start, end = visit.window
    window = (f"{start.isoformat()} ({ts.t('exact_day')})" if start == end
              else f"{start.isoformat()} – {end.isoformat()}")
    days = " · ".join(visit.days) if visit.days else ts.t("day0_not_set")
    codes = ", ".join(code for code, _ in visit.timepoints)
    big = ts.cell_bold.clone("big", fontSize=12, leading=14)
    rows = [
        [label(ts.t("trial")), ts.p(f"<b>{ts.esc(protocol.code)}</b> · {ts.esc(protocol.title)}"), "", "", "", ""],
        [label(ts.t("study_id")), Paragraph(ts.esc(patient.study_id), big), label(ts.t("initials")),
         Paragraph(ts.esc(patient.initials), big), label(ts.t("birth_year")), Paragraph(str(patient.birth_year), big)],
        [label(ts.t("visit")), ts.p(f"<b>{ts.esc(visit.title)}</b>  ({ts.esc(codes)})"), "", "", "", ""],
        [label(ts.t("day")), ts.bold(days), label(ts.t("target_date")),
         ts.bold(day_text(ts, visit.target_date)), label(ts.t("window")), ts.text(window)],
    ]
    labels = [[ts.words(key) for key in keys] for keys in (("trial", "study_id", "visit", "day"),
                                                             ("initials", "target_date"), ("birth_year", "window"))]
    label_widths = [max(18 * mm, word_width(texts, ts.fonts.regular, ts.small.fontSize)) for texts in labels]
    values = _cols(width - sum(label_widths), 27, 44, 42)
    table = Table(rows, colWidths=[w for pair in zip(label_widths, values, strict=True) for w in pair])
    table.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.2, INK),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
        ("SPAN", (1, 0), (-1, 0)), ("SPAN", (1, 2), (-1, 2)),
        ("BACKGROUND", (0, 0), (0, -1), LIGHT), ("BACKGROUND", (2, 1), (2, 1), LIGHT),
        ("BACKGROUND", (4, 1), (4, 1), LIGHT), ("BACKGROUND", (2, 3), (2, 3), LIGHT),
        ("BACKGROUND", (4, 3), (4, 3), LIGHT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
    ]))
    return table


def _recorded_note(entry, ts: Typesetter) -> str:
    if entry.status in (DONE, NOT_DONE):
        status = ts.words(f"status.{entry.status}")
        return f"<br/><font size='7'><i>{ts.t('recorded', status=status)}</i></font>"
    return ""


def _samples(visit: Visit, ts: Typesetter, width: float) -> Flowable:
    samples = visit.samples
    if not samples:
        return Paragraph(ts.t("no_samples"), ts.body)
    rows: list[list] = [["", ts.p(ts.t("timepoint")), ts.p(ts.t("sample")), ts.p(ts.t("tube")),
                         ts.p(ts.t("volume")), ts.p(ts.t("destination")), ts.p(ts.t("time")),
                         ts.p(ts.t("initials"))]]
    for entry in samples:
        activity = visit.local_protocol.activity(entry.item.activity)
        sample = f"<b>{ts.esc(visit.label(entry))}</b>"
        if activity.sample:
            sample += f"<br/>{ts.esc(activity.sample)}"
        volume = f"{ts.words.number(activity.volume_ml)} mL" if activity.volume_ml is not None else ""
        rows.append([TickBox(), ts.text(entry.item.timepoint), ts.p(sample + _recorded_note(entry, ts)),
                     ts.text(activity.tube or ""), ts.text(volume), ts.text(activity.lab or ""), "", ""])
    widths = _fit_header(ts, width, rows[0], [7, 17.5, 48.5, 32, 14, 37, 13, 13], stretch=2)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(grid_style() + [("ALIGN", (0, 0), (0, -1), "CENTER")]))
    return table


def _tasks(visit: Visit, tasks, ts: Typesetter, width: float) -> Table:
    rows: list[list] = [["", ts.p(ts.t("timepoint")), ts.p(ts.t("item")), ts.p(ts.t("time")),
                         ts.p(ts.t("initials"))]]
    for entry in tasks:
        rows.append([TickBox(), ts.text(entry.item.timepoint),
                     ts.p(ts.esc(visit.label(entry)) + _recorded_note(entry, ts)), "", ""])
    table = Table(rows, colWidths=_fit_header(ts, width, rows[0], [7, 17.5, 127.5, 13, 13], stretch=2), repeatRows=1)
    table.setStyle(TableStyle(grid_style() + [("ALIGN", (0, 0), (0, -1), "CENTER")]))
    return table


def _flowsheet(ts: Typesetter, width: float, columns: int, title: str, rows: list[tuple[str, str]]) -> Table:
    """One row per measure x one column per assessment of the day, under a header row `title`.

    Each row is (label mark-up, kind): 'write' leaves room for handwriting, 'tick' holds tick boxes.
    """
    header = [ts.p(f"<b>{title}</b>")] + [ts.p(f"<b>{ts.t('assessment_n', n=n)}</b>") for n in range(1, columns + 1)]
    data: list[list] = [header]
    heights: list[float | None] = [None]
    label_width = width * (0.52 if columns > 1 else 0.6)
    for label, kind in rows:
        cell = TickBox() if kind == "tick" else ""
        paragraph = ts.p(label)
        data.append([paragraph] + [cell] * columns)
        heights.append(row_height(paragraph, label_width, TICK_ROW if kind == "tick" else WRITE_ROW))
    rest = (width - label_width) / columns
    table = Table(data, colWidths=[label_width] + [rest] * columns, rowHeights=heights, repeatRows=1)
    table.setStyle(TableStyle(grid_style() + [("ALIGN", (1, 1), (-1, -1), "CENTER")]))
    return table


def _vitals(ts: Typesetter, width: float, columns: int) -> Table:
    rows = [(ts.t("time"), "write"), (ts.t("initials"), "write")]
    rows += [(ts.t(f"vitals.{key}"), "write")
             for key in ("temperature", "heart_rate", "blood_pressure", "respiratory_rate", "spo2")]
    return _flowsheet(ts, width, columns, ts.t("vitals.heading"), rows)


def _crs(ts: Typesetter, width: float, columns: int) -> Table:
    rows = [(ts.t("crs.fever_masked"), "tick"), (ts.t("crs.hypotension"), "tick"),
            (ts.t("crs.vasopressors"), "write"), (ts.t("crs.vasopressin"), "tick"),
            (ts.t("crs.oxygen_device"), "write"), (ts.t("crs.oxygen_flow"), "write"),
            (f"<b>{ts.t('crs.grade')}</b>", "write")]
    return _flowsheet(ts, width, columns, ts.t("crs.heading"), rows)


def _icans(ts: Typesetter, width: float, columns: int) -> Table:
    rows = [(f"{n}. {ts.t(f'ice.{code}')}", "tick") for n, (code, _, _) in enumerate(ICE_ITEMS, start=1)]
    rows += [(f"<b>{ts.t('icans.ice_score')}</b>", "write"), (ts.t("icans.consciousness"), "write"),
             (ts.t("icans.seizure"), "write"), (ts.t("icans.motor"), "tick"), (ts.t("icans.edema"), "write"),
             (f"<b>{ts.t('icans.grade')}</b>", "write")]
    return _flowsheet(ts, width, columns, ts.t("icans.items"), rows)


def _vitals_once(ts: Typesetter, width: float) -> Table:
    keys = ["time", "initials", "vitals.temperature", "vitals.heart_rate", "vitals.blood_pressure",
            "vitals.respiratory_rate", "vitals.spo2", "vitals.weight"]
    cells = [ts.p(ts.t(key)) for key in keys]
    rows = [[cells[i], "", cells[i + 1], ""] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=_cols(width, 30, 20, 30, 20), rowHeights=WRITE_ROW)
    table.setStyle(TableStyle(grid_style(0) + [("BACKGROUND", (0, 0), (0, -1), LIGHT),
                                               ("BACKGROUND", (2, 0), (2, -1), LIGHT)]))
    return table


def _infusion(label: str, ts: Typesetter, width: float) -> Table:
    """The go / hold box: what the physician saw, the decision and its reason, and the aliquot as
    given (dose, weight, time): what the gate asks for, written by hand."""
    go_hold = choices(ts, [f"<b>{ts.t('infusion.go')}</b>", f"<b>{ts.t('infusion.hold')}</b>"], gap=10 * mm)
    rows = [
        [ts.p(ts.t("infusion.fraction")), ts.p(f"<b>{ts.esc(label)}</b>"), "", ""],
        [ts.p(ts.t("infusion.crs_seen")), "", ts.p(ts.t("infusion.icans_seen")), ""],
        [ts.p(ts.t("infusion.decision")), go_hold, "", ""],
        [ts.p(ts.t("infusion.reason")), "", "", ""],
        [ts.p(ts.t("infusion.physician")), "", ts.p(ts.t("time")), ""],
        [ts.p(ts.t("signature.physician")), "", "", ""],
        [ts.p(ts.t("infusion.dose")), "", ts.p(ts.t("infusion.weight")), ""],
        [ts.p(ts.t("infusion.given_at")), "", ts.p(ts.t("initials")), ""],
    ]
    table = Table(rows, colWidths=_cols(width, 30, 50, 14, 26),
                  rowHeights=[None, 9 * mm, 8 * mm, 2 * WRITE_ROW, WRITE_ROW, 9 * mm, 9 * mm, WRITE_ROW])
    table.setStyle(TableStyle(grid_style(0) + [
        ("BOX", (0, 0), (-1, -1), 1.5, INK),
        ("SPAN", (1, 0), (-1, 0)), ("SPAN", (1, 2), (-1, 2)), ("SPAN", (1, 3), (-1, 3)), ("SPAN", (1, 5), (-1, 5)),
        ("BACKGROUND", (0, 0), (0, -1), LIGHT), ("BACKGROUND", (2, 1), (2, 1), LIGHT),
        ("BACKGROUND", (2, 4), (2, 4), LIGHT), ("BACKGROUND", (2, 6), (2, 7), LIGHT),
        ("VALIGN", (0, 3), (0, 3), "TOP"),
    ]))
    return table


def _response(visit: Visit, ts: Typesetter, width: float) -> Table:
    categories = choices(ts, [ts.t(f"response.{c}") for c in ("scr", "cr", "vgpr", "pr", "mr", "sd", "pd")],
                         gap=2.5 * mm)
    rows = [[ts.p(ts.t("response.category")), categories, "", ""]]
    if visit.has_activity("mrd_bm"):
        rows.append([ts.p(ts.t("response.mrd")), choices(ts, [ts.t("response.mrd_negative"),
                     ts.t("response.mrd_positive"), ts.t("response.mrd_not_done")]), "", ""])
    rows.append([ts.p(ts.t("response.assessed_by")), "", ts.p(ts.t("date")), ""])
    table = Table(rows, colWidths=_cols(width, 30, 50, 14, 26), rowHeights=[9 * mm] * (len(rows) - 1) + [WRITE_ROW])
    table.setStyle(TableStyle(grid_style(0) + [
        ("SPAN", (1, 0), (-1, 0)), ("BACKGROUND", (0, 0), (0, -1), LIGHT), ("BACKGROUND", (2, -1), (2, -1), LIGHT),
    ] + ([("SPAN", (1, 1), (-1, 1))] if len(rows) == 3 else [])))
    return table


def _electronic_signatures(records: tuple[SignedRecord, ...], ts: Typesetter, width: float) -> Table:
    """One line per valid signature of each record; a record without one says "not signed", or "void"
    when a correction made after signing voided every signature it had."""
    rows: list[list] = [[ts.p(ts.t(f"esign.{key}")) for key in ("record", "signed_by", "signed_at", "meaning")]]
    spans = []
    for record in records:
        if record.table == "assessments":
            what = ts.t("esign.assessment", **record.fields)
        else:
            what = ts.t("esign.decision", timepoint=record.fields["timepoint"],
                        decision=ts.words(f"esign.decision.{record.fields['decision']}"))
        valid = [s for s, status in record.signatures if status == "valid"]
        for signature in valid:
            rows.append([ts.p(what), ts.text(signature.full_name), ts.text(_when(signature.signed_at)),
                         ts.p(ts.t(f"esign.meaning.{signature.meaning}"))])
        if not valid:
            missing = "esign.void" if record.signatures else "esign.not_signed"
            rows.append([ts.p(what), ts.p(f"<i>{ts.t(missing)}</i>"), "", ""])
            spans.append(("SPAN", (1, len(rows) - 1), (-1, len(rows) - 1)))
    widths = _fit_header(ts, width, rows[0], [80, 34, 40, 26], stretch=0)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(grid_style() + spans))
    return table


def _when(moment) -> str:
    """Local time, with the zone: '2025-03-10 09:30 CET'."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}"


class NotesAndSignatures(Flowable):
    """The notes area and the signature lines that close the sheet.

    The ruled notes area stretches to fill the rest of the last page (between 2 and 10 lines), so
    the signatures sit at the foot of the sheet and never start a page of their own.
    """

    LINE = 8 * mm
    MIN_LINES, MAX_LINES = 2, 10
    GAP = 3 * mm

    def __init__(self, heading: Paragraph, signatures: Table):
        super().__init__()
        self.heading = heading
        self.signatures = signatures
        self.lines = self.MIN_LINES

    def _fixed_height(self, width: float) -> float:
        _, heading = self.heading.wrap(width, 1000)
        _, signatures = self.signatures.wrap(width, 1000)
        return self.heading.getSpaceBefore() + heading + self.heading.getSpaceAfter() + self.GAP + signatures

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        fixed = self._fixed_height(available_width)
        self.lines = max(self.MIN_LINES, min(self.MAX_LINES, int((available_height - fixed) // self.LINE)))
        self.height = fixed + self.lines * self.LINE
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []  # all on the next page rather than signatures apart from the notes

    def draw(self) -> None:
        canvas, width = self.canv, self.width
        _, heading = self.heading.wrap(width, 1000)
        y = self.height - self.heading.getSpaceBefore() - heading
        self.heading.drawOn(canvas, 0, y)
        y -= self.heading.getSpaceAfter()
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.rect(0, y - self.lines * self.LINE, width, self.lines * self.LINE)
        canvas.setLineWidth(0.3)
        for n in range(1, self.lines):
            canvas.line(0, y - n * self.LINE, width, y - n * self.LINE)
        canvas.restoreState()
        self.signatures.wrap(width, 1000)
        self.signatures.drawOn(canvas, 0, 0)


def _signatures(ts: Typesetter, width: float) -> Table:
    rows = [[ts.p(ts.t("signature.nurse")), "", ts.p(ts.t("date")), ""],
            [ts.p(ts.t("signature.physician")), "", ts.p(ts.t("date")), ""]]
    table = Table(rows, colWidths=_cols(width, 30, 50, 14, 26), rowHeights=9 * mm)
    table.setStyle(TableStyle(grid_style(0) + [("BACKGROUND", (0, 0), (0, -1), LIGHT),
                                               ("BACKGROUND", (2, 0), (2, -1), LIGHT)]))
    return table
