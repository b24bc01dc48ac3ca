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
from ..i18n import N_
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
# The measures of a vital-signs row (the flowsheet of a toxicity day has all but the weight).
VITALS = (N_("Temperature (°C)"), N_("Heart rate (beats/min)"), N_("Blood pressure (mmHg)"),
          N_("Respiratory rate (breaths/min)"), N_("SpO<sub>2</sub> (%), on air or oxygen"), N_("Weight (kg)"))
RESPONSES = (N_("sCR"), N_("CR"), N_("VGPR"), N_("PR"), N_("MR"), N_("SD"), N_("PD"))  # IMWG, best first
DECISIONS = {"go": N_("Go"), "hold": N_("Hold")}
# A signature's meaning (core/signatures.MEANINGS) as the sheet prints it.
MEANINGS = {"performed": N_("performed"), "reviewed": N_("reviewed"), "go": N_("approved go"), "hold": N_("hold"),
            "confirmed": N_("confirmed")}


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
    sheet = ts.words(N_("Visit worksheet"))
    footer = Footer(ts, f"{store.protocol.code} · {sheet} · {patient.study_id} "
                        f"({patient.initials}) · {codes} · {visit.target_date.isoformat()}",
                    store.now(), printed_by or store.user)

    def render(path: Path) -> int:
        title = f"{sheet} {patient.study_id} {codes}"
        return build(document(path, pagesize, footer, title, visit.local_protocol.title), story, footer)

    return Printed(out, write_atomically(out, render))


def _story(visit: Visit, ts: Typesetter, width: float, protocol,
           signed: tuple[SignedRecord, ...]) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(ts.t(N_("Visit worksheet")), ts.title), _header(visit, ts, width)]
    story.append(_section(ts, N_("Samples to draw"), _samples(visit, ts, width)))
    tasks = [e for e in visit.entries if e.item.kind != "sample"]
    if tasks:
        story.append(_section(ts, N_("Assessments and treatments due"), _tasks(visit, tasks, ts, width)))
    if visit.has_activity(TOX_ACTIVITY):
        columns = max(1, min(MAX_ASSESSMENT_COLUMNS, 24 // max(1, protocol.inpatient_cadence_hours)))
        story.append(_section(ts, N_("Vital signs and cytokine release syndrome (CRS)"), Paragraph(
            ts.t(N_("Daily CRS/ICANS monitoring: one column per assessment (every {hours} h while an inpatient)."),
                 hours=protocol.inpatient_cadence_hours), ts.small), _vitals(ts, width, columns)))
        story.append(KeepTogether([Spacer(1, 2 * mm), _crs(ts, width, columns), Paragraph(ts.t(N_(
            "Fever: temperature ≥ 38.0 °C. Oxygen devices: none · blow-by · nasal cannula (low flow ≤ 6 L/min) · "
            "high-flow nasal cannula (&gt; 6 L/min) · facemask · non-rebreather mask · Venturi mask · CPAP · BiPAP · "
            "mechanical ventilation.")), ts.small)]))
        tick = ts.t(N_("Tick each ICE item the patient gets right (1 point each)."))
        story.append(_section(ts, N_("Neurotoxicity (ICANS, ASTCT 2019): ICE score"), Paragraph(tick, ts.small),
                              _icans(ts, width, columns), Paragraph(ts.t(N_(
                                  "Level of consciousness: alert · awakens spontaneously · awakens to voice · awakens "
                                  "only to touch · unarousable. Tremor and myoclonus are graded with CTCAE, not as "
                                  "ICANS.")), ts.small)))
    else:
        story.append(_section(ts, N_("Vital signs"), _vitals_once(ts, width)))
    infusions = [e for e in visit.entries if e.item.activity == INFUSION_ACTIVITY]
    rules = ts.t(N_("With CRS grade ≥ {crs} or ICANS grade ≥ {icans} in the last {active} h, a go needs a reason. "
                    "A go is valid {valid} h and is void if a later assessment shows active CRS or ICANS. At least "
                    "{interval} h between aliquots. A held fraction may be given up to {days} days after its planned "
                    "day."), days=protocol.held_fraction_max_delay_days, crs=protocol.active_crs_grade,
                 icans=protocol.active_icans_grade, active=protocol.active_toxicity_hours,
                 valid=protocol.go_valid_hours, interval=protocol.min_hours_between_fractions)
    for entry in infusions:
        story.append(_section(ts, N_("Infusion: go / hold decision"), _infusion(visit.label(entry), ts, width),
                              Paragraph(rules, ts.small)))
    if visit.is_response_visit:
        story.append(_section(ts, N_("Response assessment (IMWG 2016)"), _response(visit, ts, width)))
    if signed:
        story.append(_section(ts, N_("Electronic signatures of what is recorded for this visit"),
                              _electronic_signatures(signed, ts, width),
                              Paragraph(ts.t(N_("As kept in ARI Desktop when printed: a signature is void once its "
                                                "record was corrected.")), ts.small)))
    story.append(NotesAndSignatures(Paragraph(ts.t(N_("Notes")), ts.heading), _signatures(ts, width)))
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
    window = (f"{start.isoformat()} (" + ts.t(N_("exact day")) + ")" if start == end
              else f"{start.isoformat()} – {end.isoformat()}")
    days = " · ".join(visit.days) if visit.days else ts.t(N_("day 0 not set yet"))
    codes = ", ".join(code for code, _ in visit.timepoints)
    big = ts.cell_bold.clone("big", fontSize=12, leading=14)
    rows = [
        [label(ts.t(N_("Trial"))), ts.p(f"<b>{ts.esc(protocol.code)}</b> · {ts.esc(protocol.title)}"), "", "", "", ""],
        [label(ts.t(N_("Study ID"))), Paragraph(ts.esc(patient.study_id), big), label(ts.t(N_("Initials"))),
         Paragraph(ts.esc(patient.initials), big), label(ts.t(N_("Year of birth"))),
         Paragraph(str(patient.birth_year), big)],
        [label(ts.t(N_("Visit"))), ts.p(f"<b>{ts.esc(visit.title)}</b>  ({ts.esc(codes)})"), "", "", "", ""],
        [label(ts.t(N_("Day"))), ts.bold(days), label(ts.t(N_("Target date"))),
         ts.bold(day_text(ts, visit.target_date)), label(ts.t(N_("Window"))), ts.text(window)],
    ]
    labels = [[ts.words(key) for key in keys] for keys in ((N_("Trial"), N_("Study ID"), N_("Visit"), N_("Day")),
                                                             (N_("Initials"), N_("Target date")),
                                                             (N_("Year of birth"), N_("Window")))]
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
        recorded = ts.t(N_("already recorded: {status}"), status=ts.words.status(entry.status))
        return f"<br/><font size='7'><i>{recorded}</i></font>"
    return ""


def _samples(visit: Visit, ts: Typesetter, width: float) -> Flowable:
    samples = visit.samples
    if not samples:
        return Paragraph(ts.t(N_("No samples at this visit.")), ts.body)
    rows: list[list] = [["", ts.p(ts.t(N_("Timepoint"))), ts.p(ts.t(N_("Sample"))), ts.p(ts.t(N_("Tube"))),
                         ts.p(ts.t(N_("Volume"))), ts.p(ts.t(N_("Destination"))), ts.p(ts.t(N_("Time"))),
                         ts.p(ts.t(N_("Initials")))]]
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
    rows: list[list] = [["", ts.p(ts.t(N_("Timepoint"))), ts.p(ts.t(N_("Item"))), ts.p(ts.t(N_("Time"))),
                         ts.p(ts.t(N_("Initials")))]]
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
    header = [ts.p(f"<b>{title}</b>")] + [ts.p("<b>" + ts.t(N_("Assessment {n}"), n=n) + "</b>")
                                          for n in range(1, columns + 1)]
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
    rows = [(ts.t(N_("Time")), "write"), (ts.t(N_("Initials")), "write")]
    rows += [(ts.t(measure), "write") for measure in VITALS[:5]]
    return _flowsheet(ts, width, columns, ts.t(N_("Vital signs")), rows)


def _crs(ts: Typesetter, width: float, columns: int) -> Table:
    rows = [(ts.t(N_("Fever masked (antipyretic, tocilizumab or corticosteroid after CRS onset)")), "tick"),
            (ts.t(N_("Hypotension")), "tick"),
            (ts.t(N_("Vasopressors: number (not counting vasopressin)")), "write"), (ts.t(N_("Vasopressin")), "tick"),
            (ts.t(N_("Oxygen device (see list below)")), "write"), (ts.t(N_("Oxygen flow (L/min)")), "write"),
            ("<b>" + ts.t(N_("CRS grade (0–4)")) + "</b>", "write")]
    return _flowsheet(ts, width, columns, ts.t(N_("CRS (ASTCT 2019)")), rows)


def _icans(ts: Typesetter, width: float, columns: int) -> Table:
    # The ICE items' English is the grading module's (marked there), so the sheet and the app say the same.
    rows = [(f"{n}. {ts.t(item)}", "tick") for n, (_, item, _) in enumerate(ICE_ITEMS, start=1)]
    rows += [("<b>" + ts.t(N_("ICE score (0–10)")) + "</b>", "write"),
             (ts.t(N_("Level of consciousness (see list below)")), "write"),
             (ts.t(N_("Seizure: none / resolved rapidly / prolonged (&gt; 5 min)")), "write"),
             (ts.t(N_("Focal motor weakness")), "tick"),
             (ts.t(N_("Cerebral oedema on imaging: none / focal / diffuse")), "write"),
             ("<b>" + ts.t(N_("ICANS grade (0–4)")) + "</b>", "write")]
    return _flowsheet(ts, width, columns, ts.t(N_("ICE items")), rows)


def _vitals_once(ts: Typesetter, width: float) -> Table:
    cells = [ts.p(ts.t(key)) for key in (N_("Time"), N_("Initials"), *VITALS)]
    rows = [[cells[i], "", cells[i + 1], ""] for i in range(0, len(cells), 2)]
    table = Table(rows, colWidths=_cols(width, 30, 20, 30, 20), rowHeights=WRITE_ROW)
    table.setStyle(TableStyle(grid_style(0) + [("BACKGROUND", (0, 0), (0, -1), LIGHT),
                                               ("BACKGROUND", (2, 0), (2, -1), LIGHT)]))
    return table


def _infusion(label: str, ts: Typesetter, width: float) -> Table:
    """The go / hold box: what the physician saw, the decision and its reason, and the aliquot as
    given (dose, weight, time): what the gate asks for, written by hand."""
    go_hold = choices(ts, ["<b>" + ts.t(N_("Go")) + "</b>", "<b>" + ts.t(N_("Hold")) + "</b>"], gap=10 * mm)
    rows = [
        [ts.p(ts.t(N_("Fraction"))), ts.p(f"<b>{ts.esc(label)}</b>"), "", ""],
        [ts.p(ts.t(N_("CRS grade seen"))), "", ts.p(ts.t(N_("ICANS grade"))), ""],
        [ts.p(ts.t(N_("Go / Hold"))), go_hold, "", ""],
        [ts.p(ts.t(N_("Reason (to hold, or for a go against active CRS / ICANS)"))), "", "", ""],
        [ts.p(ts.t(N_("Physician"))), "", ts.p(ts.t(N_("Time"))), ""],
        [ts.p(ts.t(N_("Physician signature"))), "", "", ""],
        [ts.p(ts.t(N_("Dose given (×10⁶ CAR+ cells/kg)"))), "", ts.p(ts.t(N_("Weight (kg)"))), ""],
        [ts.p(ts.t(N_("Given at (time)"))), "", ts.p(ts.t(N_("Initials"))), ""],
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
    categories = choices(ts, [ts.t(category) for category in RESPONSES], gap=2.5 * mm)
    rows = [[ts.p(ts.t(N_("Best response"))), categories, "", ""]]
    if visit.has_activity("mrd_bm"):
        rows.append([ts.p(ts.t(N_("MRD in bone marrow (10<super>-5</super>)"))), choices(ts, [ts.t(N_("negative")),
                     ts.t(N_("positive")), ts.t(N_("not done"))]), "", ""])
    rows.append([ts.p(ts.t(N_("Assessed by"))), "", ts.p(ts.t(N_("Date"))), ""])
    table = Table(rows, colWidths=_cols(width, 30, 50, 14, 26), rowHeights=[9 * mm] * (len(rows) - 1) + [WRITE_ROW])
    table.setStyle(TableStyle(grid_style(0) + [
        ("SPAN", (1, 0), (-1, 0)), ("BACKGROUND", (0, 0), (0, -1), LIGHT), ("BACKGROUND", (2, -1), (2, -1), LIGHT),
    ] + ([("SPAN", (1, 1), (-1, 1))] if len(rows) == 3 else [])))
    return table


def _electronic_signatures(records: tuple[SignedRecord, ...], ts: Typesetter, width: float) -> Table:
    """One line per valid signature of each record; a record without one says "not signed", or "void"
    when a correction made after signing voided every signature it had."""
    rows: list[list] = [[ts.p(ts.t(heading)) for heading in (N_("Record"), N_("Signed by"), N_("Date and time"),
                                                              N_("Meaning"))]]
    spans = []
    for record in records:
        if record.table == "assessments":
            what = ts.t(N_("Bedside assessment {time}: CRS grade {crs}, ICANS grade {icans}"), **record.fields)
        else:
            what = ts.t(N_("Go / hold before {timepoint}: {decision}"), timepoint=record.fields["timepoint"],
                        decision=ts.words(DECISIONS[record.fields["decision"]]))
        valid = [s for s, status in record.signatures if status == "valid"]
        for signature in valid:
            rows.append([ts.p(what), ts.text(signature.full_name), ts.text(_when(signature.signed_at)),
                         ts.p(ts.t(MEANINGS[signature.meaning]))])
        if not valid:
            missing = N_("void (corrected after signing)") if record.signatures else N_("not signed")
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
    rows = [[ts.p(ts.t(N_("Nurse signature"))), "", ts.p(ts.t(N_("Date"))), ""],
            [ts.p(ts.t(N_("Physician signature"))), "", ts.p(ts.t(N_("Date"))), ""]]
    table = Table(rows, colWidths=_cols(width, 30, 50, 14, 26), rowHeights=9 * mm)
    table.setStyle(TableStyle(grid_style(0) + [("BACKGROUND", (0, 0), (0, -1), LIGHT),
                                               ("BACKGROUND", (2, 0), (2, -1), LIGHT)]))
    return table
