"""The safety and efficacy report: one PDF (A4 portrait) with the endpoint tables as of a date, the same
rows as `ari-desktop endpoints`, and the cohort's figures after them (ari_desktop.figures, as PNG at 150 dpi),
all in the report's language (which may differ from the window's).
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, Table, TableStyle

from .. import i18n
from ..i18n import N_, grouped
from ..outputs import check_pdf_output, write_atomically
from ..printing.layout import (
    FOOTER_SPACE,
    LIGHT,
    MARGIN,
    Footer,
    Typesetter,
    build,
    content_width,
    document,
    grid_style,
)
from ..printing.options import Printed

PAGE = A4
FIGURES_SHOWN = ("swimmer", "pfs", "os", "expansion", "sbcma")


def write(store, out: Path | str, as_of: date | None = None, lang: str = "en") -> Printed:
    """Write the report of what was known on `as_of` (default today; a later date is refused) to `out`,
    a PDF (an existing PDF is replaced; never the database, another kind of file, a folder or a device),
    in the language `lang`."""
    out = check_pdf_output(out, store.path)
    safety, efficacy = store.efficacy.tables(as_of)
    ts = Typesetter(lang)
    w = ts.words
    title = w(N_("Safety and efficacy report as of {date}"), date=safety.as_of)
    width = content_width(PAGE)
    story: list[Flowable] = [
        Paragraph(ts.esc(f"{store.protocol.code} · {title}"), ts.title),
        Paragraph(ts.esc(w(N_("Denominator: {infused} patients with fraction 1 recorded given by {date}; "
                              "{not_infused} enrolled but not infused, counted apart. Months are days / 30.4375."),
                           infused=grouped(len(safety.infused), lang), date=safety.as_of,
                           not_infused=grouped(len(safety.not_infused), lang))), ts.body),
        Paragraph(ts.esc(w(N_("Safety"))), ts.heading), _safety_table(safety, ts, width),
    ]
    section = None
    rows: list[list] = []
    words = i18n.catalog(lang)
    for row in efficacy.rows():
        shown = row.shown(words)
        if shown.section != section:
            section = shown.section
            rows.append([Paragraph(ts.esc(section), ts.cell_bold)])
        rows.append([ts.text(shown.label), ts.text(shown.value), ts.text("" if row.evaluable is None else
                                                                          grouped(row.evaluable, lang)),
                     Paragraph(ts.esc(shown.note), ts.small)])
    header = [w(N_("Endpoint")), w(N_("Value")), "n", w(N_("What it counts"))]
    story += [Paragraph(ts.esc(w(N_("Efficacy"))), ts.heading),
              _table([header, *rows], ts, [0.22 * width, 0.33 * width, 0.07 * width, 0.38 * width])]
    frame_height = PAGE[1] - 2 * MARGIN - FOOTER_SPACE - 8
    story += [flowable for figure in _figures(store, safety.as_of, efficacy, lang)
              for flowable in (PageBreak(), _image(figure, width, frame_height))]
    footer = Footer(ts, f"{store.protocol.code} · {title}", store.now(), store.user)

    def render(path: Path) -> int:
        return build(document(path, PAGE, footer, title, store.protocol.title), story, footer)

    return Printed(out, write_atomically(out, render))


def _figures(store, as_of: date, efficacy, lang: str) -> list:
    """The figures drawn in the report's language: they speak the active one, so it is the report's while
    they are drawn (the command line draws one report at a time), and the one before again after."""
    from ..figures import draw
    from ..figures.survival import survival

    before = i18n.current()
    i18n.use(lang)
    try:
        return [survival(store, name, as_of, efficacy) if name in ("pfs", "os") else draw(name, store, as_of)
                for name in FIGURES_SHOWN]
    finally:
        i18n.use(before)


def _safety_table(safety, ts: Typesetter, width: float) -> Table:
    w, lang = ts.words, ts.words.lang
    header = ["", w(N_("Patients")), w(N_("Evaluable")), "%", w(N_("Grade 3 or more")),
              w(N_("By maximum grade 0/1/2/3/4/5"))]
    rows = []
    for label, endpoint in ((w(N_("CRS within {days} days"), days=safety.window_days), safety.crs),
                            (w(N_("ICANS within {days} days"), days=safety.window_days), safety.icans)):
        share = "—" if endpoint.proportion is None else f"{100 * endpoint.proportion:.1f}"  # as the rows write it
        rows.append([ts.text(label), ts.text(grouped(len(endpoint.patients), lang)),
                     ts.text(grouped(endpoint.evaluable, lang)), ts.text(share),
                     ts.text(grouped(len(endpoint.grade_3_or_more), lang)),
                     ts.text("/".join(str(n) for n in endpoint.by_max_grade))])
    rows.append([ts.text(w(N_("Prolonged cytopenia"))), ts.text(grouped(len(safety.prolonged_cytopenia), lang)),
                 ts.text(w.ngettext("{count} infused", "{count} infused", len(safety.infused))), "", "", ""])
    return _table([header, *rows], ts, [0.24 * width, 0.12 * width, 0.14 * width, 0.08 * width, 0.16 * width,
                                        0.26 * width])


def _table(rows: list[list], ts: Typesetter, widths: list[float]) -> Table:
    """A ruled table under its header; a row of one cell is a section's heading across the table."""
    rows[0] = [Paragraph(ts.esc(h), ts.cell_bold) for h in rows[0]]
    style = grid_style()
    for n, row in enumerate(rows):
        if len(row) == 1:
            row += [""] * (len(widths) - 1)
            style += [("SPAN", (0, n), (-1, n)), ("BACKGROUND", (0, n), (-1, n), LIGHT)]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def _image(figure, width: float, height: float) -> Image:
    """The figure as a PNG scaled to the frame, its proportions kept."""
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=150)
    png.seek(0)
    inches_wide, inches_high = figure.get_size_inches()
    scale = min(width / (inches_wide * 72), height / (inches_high * 72))
    return Image(png, inches_wide * 72 * scale, inches_high * 72 * scale)
