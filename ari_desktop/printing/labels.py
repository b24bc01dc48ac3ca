"""Tube labels: one per sample of a patient's visit, with a Code 128 barcode of its sample identifier.

Two stocks: "a4-3x8" (A4 sheet of 3 x 8 labels, 70 x 37 mm, no gaps) and "roll" (one 57 x 32 mm
label per page, for a label printer). Each label holds the study ID, the timepoint, the sample
(activity, sample type, tube), the date and a blank for the time drawn, and the barcode with its
text underneath. The barcode's narrow bar is as wide as the label allows, with a 10-module quiet
zone on each side, and never narrower than a common scanner reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..core.errors import ClinicalInputError
from ..core.sample_ids import sample_id
from ..core.schedule import OPEN_STATUSES, ScheduleEntry
from ..i18n import N_
from ..outputs import check_pdf_output, write_atomically
from .layout import INK, Typesetter, fit_text
from .options import LANGUAGES, STOCKS, Printed, check_choice
from .visits import Visit, find_visit

QUIET_MODULES = 10  # blank space each side of the bars, in narrow-bar widths (ISO/IEC 15417)
BEST_MODULE = 0.33 * mm  # 13 mil: reads at a distance with any scanner
SMALLEST_MODULE = 0.15 * mm  # 6 mil: below this, ward scanners fail
MIN_BARS, MAX_BARS = 7 * mm, 10 * mm  # height of the bars
CAPTION_SIZE = 6  # the identifier in words, under the bars
# (lines for the sample's name, lines for sample type, tube and laboratory), most words first. The
# first that shows every word whole with bars at least MIN_BARS tall is used; when none does, the
# first of LAYOUTS that leaves the bars that tall, its words cut short with '…'.
LAYOUTS = ((2, 2), (1, 2), (2, 1), (1, 1))
WHOLE_LAYOUTS = ((2, 2), (2, 3), (1, 2), (1, 3), (2, 1), (1, 1))


@dataclass(frozen=True)
class Stock:
    """A label stock: page size, label size and where the first label's top-left corner is."""

    page: tuple[float, float]
    label: tuple[float, float]
    columns: int
    rows: int
    left: float  # page edge to the first column
    top: float  # page edge to the first row
    pad_x: float  # words kept this far inside the label's left and right edges
    pad_y: float
    edge: float  # bars and their quiet zones kept this far inside the label's left and right edges

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


STOCK_LAYOUTS = {
    # 3 x 70 mm fill the 210 mm width; 8 x 37 mm = 296 mm leave 0.5 mm top and bottom. Printing
    # stays about 4 mm inside the sheet's edges, where office printers cannot print.
    "a4-3x8": Stock(A4, (70 * mm, 37 * mm), 3, 8, 0, 0.5 * mm, 4 * mm, 3.2 * mm, 1 * mm),
    # A label printer finds each label's edge itself: the bars may come closer to it.
    "roll": Stock((57 * mm, 32 * mm), (57 * mm, 32 * mm), 1, 1, 0, 0, 2.5 * mm, 2 * mm, 0.5 * mm),
}


@dataclass(frozen=True)
class Label:
    study_id: str
    timepoint: str
    title: str  # what is measured: 'Soluble BCMA'
    sample: str  # sample type: 'Serum'
    tube: str  # 'Serum gel (gold)'
    lab: str  # where the tube goes: 'Immunology laboratory'
    day: date
    identifier: str  # what the barcode holds


def write(store, study_id: str, timepoint: str, out: Path | str, *, stock: str = "a4-3x8",
          lang: str = "en", overwrite: bool = False) -> Printed:
    """Write the labels of one patient's visit; every check is made before the file is touched
    (`overwrite`: replace an existing file that is not a PDF)."""
    stock = check_choice(stock, STOCKS, "label stock")
    lang = check_choice(lang, LANGUAGES, "language")
    out = check_pdf_output(out, store.path, overwrite)
    visit = find_visit(store, study_id, timepoint)
    labels = labels_for(visit.in_language(lang), store.today())
    if not labels:
        raise ClinicalInputError(
            f"There is no sample to label at {visit.title} for {visit.patient.study_id}.", "timepoint")
    layout = STOCK_LAYOUTS[stock]
    for label in labels:
        _module_width(label.identifier, layout)  # refuses an identifier too long to scan, before writing
    ts = Typesetter(lang)

    def render(path: Path) -> int:
        return _draw(path, labels, layout, ts, ts.words(N_("Tube labels")) + f" {visit.patient.study_id} "
                                              f"{visit.timepoint}", store.user)

    return Printed(out, write_atomically(out, render))


def labels_for(visit: Visit, today: date) -> list[Label]:
    """One label per sample still to draw at the visit (none for a sample already recorded), dated
    today when today is within the sample's window (it is being drawn now), else the target date
    (labels printed ahead); in the visit's language."""
    return [_label(entry, visit, today) for entry in visit.samples if entry.status in OPEN_STATUSES]


def _label(entry: ScheduleEntry, visit: Visit, today: date) -> Label:
    item = entry.item
    activity = visit.local_protocol.activity(item.activity)
    day = today if item.window_start <= today <= item.window_end else item.target_date
    return Label(entry.study_id, item.timepoint, visit.label(entry), activity.sample or "", activity.tube or "",
                 activity.lab or "", day, sample_id(entry.study_id, item.timepoint, item.activity))


def _symbol(identifier: str) -> Code128:
    symbol = Code128(identifier, quiet=0, barWidth=1)
    symbol.validate()
    symbol.encode()
    symbol.decompose()
    return symbol


def _modules(identifier: str) -> int:
    """Width of the bars of `identifier` in narrow-bar widths (11 per symbol, 13 for the stop)."""
    return sum(int(c, 36) - 9 for c in _symbol(identifier).decomposed)


def _module_width(identifier: str, stock: Stock) -> float:
    room = stock.label[0] - 2 * stock.edge  # the quiet zones may use the words' padding
    width = min(BEST_MODULE, room / (_modules(identifier) + 2 * QUIET_MODULES))
    if width < SMALLEST_MODULE:
        raise ClinicalInputError(
            f"The sample identifier '{identifier}' is too long for a barcode a scanner can read on "
            f"{stock.label[0] / mm:.0f} mm labels.", "stock")
    return width


def _draw(path: Path, labels: list[Label], stock: Stock, ts: Typesetter, title: str, author: str) -> int:
    canvas = Canvas(str(path), pagesize=stock.page, invariant=False)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator("ARI Desktop")
    canvas.setSubject(ts.words(N_("Tube labels")))
    pages = 0
    for start in range(0, len(labels), stock.per_page):
        for n, label in enumerate(labels[start:start + stock.per_page]):
            row, column = divmod(n, stock.columns)
            x = stock.left + column * stock.label[0]
            y = stock.page[1] - stock.top - (row + 1) * stock.label[1]
            _draw_label(canvas, label, x, y, stock, ts)
        canvas.showPage()
        pages += 1
    canvas.save()
    return pages


def _lines(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """`text` broken into at most `most` lines of `width`, the last cut short with '…' if needed."""
    words, lines = text.split(), []
    while words and len(lines) < most:
        line = words.pop(0)
        while words and stringWidth(f"{line} {words[0]}", font, size) <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = fit_text(f"{lines[-1]} {' '.join(words)}", font, size, width)
    return [fit_text(line, font, size, width) for line in lines]


def _draw_label(canvas: Canvas, label: Label, x: float, y: float, stock: Stock, ts: Typesetter) -> None:
    """One label with its bottom-left corner at (x, y): the words at the top, the barcode below.

    The words take the lines that leave the barcode at least MIN_BARS tall (WHOLE_LAYOUTS): the
    sample's name on two lines or one; sample type, tube and laboratory on three lines (when tube and
    laboratory do not fit on one), two, or one shared line.
    """
    caption = y + stock.pad_y
    bars_bottom = caption + CAPTION_SIZE + 0.8 * mm

    def room(layout: tuple[int, int]) -> tuple[bool, bool]:
        """(the bars are tall enough, every word is whole) with these lines."""
        bottom, whole = _draw_words(None, label, x, y, stock, ts, *layout)
        return bottom - 1 * mm - bars_bottom >= MIN_BARS, whole

    fits = [layout for layout in WHOLE_LAYOUTS if room(layout) == (True, True)]
    if fits:
        title_lines, detail_lines = fits[0]
    else:
        for title_lines, detail_lines in LAYOUTS:
            if room((title_lines, detail_lines))[0]:
                break
    canvas.saveState()
    canvas.setFillColor(INK)
    text_bottom, _ = _draw_words(canvas, label, x, y, stock, ts, title_lines, detail_lines)
    module = _module_width(label.identifier, stock)
    symbol = Code128(label.identifier, quiet=0, barWidth=module)
    symbol.barHeight = max(MIN_BARS, min(MAX_BARS, text_bottom - 1 * mm - bars_bottom))
    symbol.drawOn(canvas, x + (stock.label[0] - _modules(label.identifier) * module) / 2, bars_bottom)
    canvas.setFont(ts.fonts.regular, CAPTION_SIZE)
    canvas.drawCentredString(x + stock.label[0] / 2, caption, label.identifier)
    canvas.restoreState()


def _draw_words(canvas: Canvas | None, label: Label, x: float, y: float, stock: Stock, ts: Typesetter,
                title_lines: int, detail_lines: int) -> tuple[float, bool]:
    """Draw (or, without a canvas, only measure) the words of a label: where they end, from the bottom,
    and whether every word is whole (none cut short with '…')."""
    regular, bold, clean = ts.fonts.regular, ts.fonts.bold, ts.fonts.clean
    width, height = stock.label
    small = height < 35 * mm
    inner = width - 2 * stock.pad_x
    left = x + stock.pad_x
    whole = True

    def line(text: str, font: str, size: float, at: float, right: bool = False) -> None:
        nonlocal whole
        whole = whole and not text.endswith("…")
        if canvas is not None:
            canvas.setFont(font, size)
            (canvas.drawRightString if right else canvas.drawString)(left + inner if right else left, at, text)

    # Study ID (left) and timepoint (right): the two things checked at the bedside.
    size = 9.5 if small else 10.5
    timepoint = clean(label.timepoint)
    baseline = y + height - stock.pad_y - size * 0.8
    line(fit_text(clean(label.study_id), bold, size, inner - stringWidth(timepoint, bold, size) - 2 * mm), bold, size,
         baseline)
    line(timepoint, bold, size, baseline, right=True)
    baseline -= 0.6 * mm
    # What is measured, then the sample type and the tube, then the date and a blank for the time.
    size = 6.8 if small else 7.2
    for text in _lines(clean(label.title), bold, size, inner, title_lines):
        baseline -= size * 1.2
        line(text, bold, size, baseline)
    size = 6.2 if small else 6.6
    tube = " · ".join(part for part in (label.tube, label.lab) if part)  # which tube, and where it goes
    details = {3: [label.sample, label.tube, label.lab], 2: [label.sample, tube]}.get(
        detail_lines, [" · ".join((label.sample, tube))])
    for text in details:
        if text.strip(" ·"):
            baseline -= size * 1.25
            line(fit_text(clean(text.strip(" ·")), regular, size, inner), regular, size, baseline)
    baseline -= size * 1.3
    day = clean(ts.words(N_("Date")) + f" {label.day.isoformat()}")
    line(day, regular, size, baseline)
    if canvas is not None:
        canvas.drawString(left + stringWidth(day, regular, size) + 4 * mm, baseline,
                          clean(ts.words(N_("Time")) + " ____:____"))
    return baseline - size * 0.3, whole
