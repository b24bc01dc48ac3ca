"""A patient's change history on paper (A4 landscape): every change, oldest first, with who, when,
which record, each field from what to what, and why; optionally only the changes a filter matches.
The table header is repeated on every page. What the entries say comes from reports.history, as
the window shows it; the sheet's own words are in the chosen language.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from ..i18n import N_
from ..outputs import check_pdf_output, write_atomically
from ..reports.history import HistoryEntry, entries
from .layout import Footer, Typesetter, build, content_width, document, fit_widths, grid_style
from .options import LANGUAGES, Printed, check_choice

PAGE = landscape(A4)
_HEADINGS = (N_("When"), N_("Who"), N_("Record"), N_("What changed"), N_("Why"))
ACTIONS = {"created": N_("created"), "corrected": N_("corrected")}


def write(store, study_id: str, out: Path | str, *, lang: str = "en", filter_text: str = "",
          printed_by: str | None = None, overwrite: bool = False) -> Printed:
    """Write the change history of `study_id` (only the changes matching `filter_text`, if given);
    every check is made before the file is touched."""
    lang = check_choice(lang, LANGUAGES, "language")
    out = check_pdf_output(out, store.path, overwrite)
    patient = store.patients.get(study_id)
    shown = [e for e in entries(store.changes.of_patient(patient.study_id), store.protocol) if e.matches(filter_text)]
    ts = Typesetter(lang)
    title = ts.words(N_("Change history {study_id}"), study_id=patient.study_id)
    story: list[Flowable] = [
        Paragraph(ts.t(N_("Change history")) + f" — {ts.esc(patient.study_id)} · {ts.esc(patient.initials)}", ts.title),
        Paragraph(f"<b>{ts.esc(store.protocol.code)}</b> · "
                  + ts.ngettext("{count} change: who changed what, from which value to which, and why.",
                                "{count} changes, oldest first: who changed what, from which value to which, and why.",
                                len(shown)), ts.body),
    ]
    if filter_text.strip():
        story.append(Paragraph(ts.t(N_("Only the changes that mention “{text}”."), text=filter_text.strip()), ts.body))
    story.append(_table(shown, ts) if shown else Paragraph(ts.t(N_("No change matches.")), ts.body))
    footer = Footer(ts, f"{store.protocol.code} · {title}", store.now(), printed_by or store.user)

    def render(path: Path) -> int:
        return build(document(path, PAGE, footer, title, store.protocol.title), story, footer)

    return Printed(out, write_atomically(out, render))


def _table(shown: list[HistoryEntry], ts: Typesetter) -> Table:
    cell = ts.cell.clone("history", fontSize=8, leading=9.6)
    bold = cell.clone("history_bold", fontName=ts.fonts.bold)
    rows: list[list] = [[Paragraph(ts.t(key), bold) for key in _HEADINGS]]
    for entry in shown:
        rows.append([
            Paragraph(ts.esc(entry.when), cell),
            Paragraph(ts.esc(entry.user), cell),
            Paragraph(f"{ts.esc(entry.record)} ({ts.t(ACTIONS[entry.action])})", cell),
            Paragraph("<br/>".join(ts.esc(line) for line in entry.change_lines()), cell),
            Paragraph(ts.esc(entry.reason or ""), cell),
        ])
    texts = [[ts.fonts.clean(ts.words(key))] for key in _HEADINGS]
    texts[0].append("2025-12-31 23:59 CEST")
    widths = fit_widths(content_width(PAGE), [34 * mm, 28 * mm, 50 * mm, 100 * mm, 50 * mm], texts,
                        ts.fonts.bold, 8, stretch=3)
    # A row may be split across pages: a correction of long notes can be taller than a page.
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle(grid_style() + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table
