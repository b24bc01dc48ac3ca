"""What every printout shares: paper, type styles, tick boxes and the footer with 'Page N of M'
(the PDF is written whole by ari_desktop.outputs.write_atomically).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from ..i18n import N_
from .fonts import Fonts, fonts
from .words import Words

PAGE_SIZES = {"a4": A4, "letter": LETTER}
MARGIN = 14 * mm
FOOTER_SPACE = 12 * mm  # below the frame: the footer's two lines
INK = colors.black
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#888888")
SHADE = colors.HexColor("#E8E8E8")
LIGHT = colors.HexColor("#F4F4F4")
CELL_PAD = 3
OVERDUE_SHADE = colors.HexColor("#FBE3C8")


class Typesetter:
    """The words of one language, the font, and the paragraph styles of a printout."""

    def __init__(self, lang: str):
        self.words = Words(lang)
        self.fonts: Fonts = fonts()
        regular, bold = self.fonts.regular, self.fonts.bold

        def style(name: str, size: float, font: str = regular, **kw) -> ParagraphStyle:
            kw.setdefault("textColor", INK)
            return ParagraphStyle(name, fontName=font, fontSize=size, leading=round(size * 1.22, 1), **kw)

        self.title = style("title", 15, bold, spaceAfter=1 * mm)
        self.heading = style("heading", 10.5, bold, spaceBefore=3.5 * mm, spaceAfter=1.5 * mm)
        self.body = style("body", 9)
        self.cell = style("cell", 8.5)
        self.cell_bold = style("cell_bold", 8.5, bold)
        self.small = style("small", 7.5, textColor=GREY)
        self.small_right = style("small_right", 7.5, textColor=GREY, alignment=TA_RIGHT)

    @property
    def lang(self) -> str:
        return self.words.lang

    def t(self, key: str, **fields: object) -> str:
        """A string of the sheet's own (mark-up allowed), in the font's characters."""
        return self.fonts.clean(self.words(key, **{k: self.esc(str(v)) for k, v in fields.items()}))

    def ngettext(self, singular: str, plural: str, count: int, **fields: object) -> str:
        """The sheet's message for `count` (its own plural rule in each language); `count` is a field."""
        escaped = {k: self.esc(str(v)) for k, v in fields.items()}
        return self.fonts.clean(self.words.ngettext(singular, plural, count, **escaped))

    def b(self, message: str) -> Paragraph:
        """A bold cell of the sheet's own words (a table heading)."""
        return Paragraph(f"<b>{self.t(message)}</b>", self.cell)

    def esc(self, text: str) -> str:
        """Text from the protocol or the database, made safe for a paragraph."""
        return escape(self.fonts.clean(text))

    def p(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(markup, style or self.cell)

    def text(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text (escaped)."""
        return Paragraph(self.esc(text), style or self.cell)

    def bold(self, text: str) -> Paragraph:
        return Paragraph(self.esc(text), self.cell_bold)


class TickBox(Flowable):
    """An empty square to tick by hand."""

    def __init__(self, size: float = 3.8 * mm):
        super().__init__()
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(0.9)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


def choices(ts: Typesetter, labels: list[str], gap: float = 4 * mm) -> Table:
    """'☐ Go   ☐ Hold': tick boxes in a row, each followed by its label (mark-up)."""
    cells: list[Flowable] = []
    widths: list[float] = []
    for label in labels:
        paragraph = ts.p(label)
        paragraph.wrap(1000, 100)
        width = max(paragraph.getActualLineWidths0()) + 1.5 * mm
        cells += [TickBox(), paragraph]
        widths += [5.5 * mm, width + gap]
    table = Table([cells], colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def grid_style(header_rows: int = 1) -> list[tuple]:
    """Thin ruled grid with a shaded header: the look of every table on the sheets."""
    style: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if header_rows:
        style.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE))
    return style


def fit_widths(total: float, nominal: list[float], samples: list[list[str]], font: str, size: float,
               stretch: int) -> list[float]:
    """Column widths adding up to `total`: each at least `nominal` and wide enough for its sample
    texts on one line (headers, dates, statuses), and column `stretch` (which wraps) takes what is left."""
    widths = [max([w] + [stringWidth(text, font, size) + 2 * CELL_PAD + 1 for text in texts])
              for w, texts in zip(nominal, samples, strict=True)]
    widths[stretch] = max(20 * mm, total - (sum(widths) - widths[stretch]))
    return widths


def word_width(texts: list[str], font: str, size: float) -> float:
    """The width a column needs so that none of these texts breaks inside a word."""
    return max(stringWidth(word, font, size) for text in texts for word in text.split()) + 2 * CELL_PAD + 1


def row_height(paragraph: Paragraph, width: float, at_least: float, padding: float = 5) -> float:
    """The height of a table row holding `paragraph` in a column `width` wide, never below `at_least`."""
    _, height = paragraph.wrap(width - 2 * CELL_PAD, 1000)
    return max(at_least, height + padding + 1)


def row_heights(rows: list[list], widths: list[float], at_least: float, padding: float = 5) -> list[float]:
    """Each row's height: its tallest paragraph, never below `at_least` (room to write by hand)."""
    return [max([at_least] + [row_height(cell, width, at_least, padding)
                              for cell, width in zip(row, widths, strict=True) if isinstance(cell, Paragraph)])
            for row in rows]


@dataclass
class Footer:
    """Two grey lines at the foot of every page: what the document is, who printed it when, page N of M."""

    ts: Typesetter
    what: str  # plain text: 'ARI0002h · Visit worksheet · DEMO-0001 · Day +7'
    printed_at: datetime
    printed_by: str
    pages: int = 0  # known once the document is saved

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        width, _ = canvas._pagesize
        ts = self.ts
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        top = MARGIN - 2 * mm
        canvas.line(MARGIN, top, width - MARGIN, top)
        canvas.setFillColor(GREY)
        canvas.setFont(ts.fonts.regular, 7.5)
        page_text = ts.fonts.clean(ts.words(N_("Page {page} of {pages}"), page=page, pages=pages))
        room = width - 2 * MARGIN - stringWidth(page_text, ts.fonts.bold, 8.5) - 6 * mm
        canvas.drawString(MARGIN, top - 3.8 * mm, fit_text(ts.fonts.clean(self.what), ts.fonts.regular, 7.5, room))
        printed = ts.words(N_("Printed {at} by {by}"), at=f"{self.printed_at:%Y-%m-%d %H:%M}", by=self.printed_by)
        canvas.drawString(MARGIN, top - 7.4 * mm, fit_text(ts.fonts.clean(printed), ts.fonts.regular, 7.5, room))
        canvas.setFont(ts.fonts.bold, 8.5)
        canvas.drawRightString(width - MARGIN, top - 3.8 * mm, page_text)
        canvas.restoreState()


def fit_text(text: str, font: str, size: float, width: float) -> str:
    """`text`, cut short with '…' if it is wider than `width`."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


class NumberedCanvas(Canvas):
    """The usual two-pass canvas: pages are kept until the end, when their number is known."""

    def __init__(self, *args, footer: Footer, **kwargs):
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._kept: list[dict] = []

    def showPage(self) -> None:
        self._kept.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._kept)
        for state in self._kept:
            self.__dict__.update(state)
            self._footer.draw(self, self.getPageNumber(), pages)
            super().showPage()
        self._footer.pages = pages
        super().save()


def document(path: Path, pagesize: tuple[float, float], footer: Footer, title: str, subject: str) -> BaseDocTemplate:
    """A document whose frame is exactly the page less its margins and the footer (no inner padding),
    so a table `page width - 2 x MARGIN` wide lines up with the footer rule."""
    width, height = pagesize
    frame = Frame(MARGIN, MARGIN + FOOTER_SPACE, width - 2 * MARGIN, height - 2 * MARGIN - FOOTER_SPACE,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    return BaseDocTemplate(str(path), pagesize=pagesize, pageTemplates=[PageTemplate("page", [frame])],
                           leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                           bottomMargin=MARGIN + FOOTER_SPACE, title=title, author=footer.printed_by,
                           subject=subject, creator="ARI Desktop", lang=footer.ts.lang)


def build(doc: BaseDocTemplate, story: list[Flowable], footer: Footer) -> int:
    """Lay out `story` with the footer on every page; the number of pages."""
    doc.build(story, canvasmaker=partial(NumberedCanvas, footer=footer))
    return footer.pages


def content_width(pagesize: tuple[float, float]) -> float:
    return pagesize[0] - 2 * MARGIN


def day_text(ts: Typesetter, day) -> str:
    """'2025-03-10 (Monday)', the same unambiguous date in every language."""
    return f"{day.isoformat()} ({ts.words.weekday(day)})"
