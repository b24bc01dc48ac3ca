"""The audit trail and the access review on paper (A4 landscape): a header with the filter used and
who printed it when, the entries oldest first (the table header repeated on every page), and
'Page N of M' at the foot. What the entries say comes from reports.audit, as the window shows it.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from .. import i18n
from ..core.errors import ClinicalInputError
from ..i18n import N_
from ..outputs import check_pdf_output, write_atomically
from ..reports.audit import lines
from ..reports.history import moment_text
from ..store.audit import TrailFilter
from .layout import Footer, Typesetter, build, content_width, document, fit_widths, grid_style
from .options import Printed

PAGE = landscape(A4)
# About 25 entries a page: more is not a printout but a data set, saved as CSV.
MOST_ENTRIES = 20_000
_TRAIL_HEADINGS = (N_("Entry"), N_("When"), N_("Who"), N_("Kind"), N_("Patient"), N_("What"), N_("Old → new"),
                   N_("Why"))
_REVIEW_HEADINGS = (N_("Login"), N_("Full name"), N_("Role"), N_("Since"), N_("Granted by"), N_("Until"),
                    N_("Revoked by"))


def _printer(store, printed_by: str | None) -> str:
    login = printed_by or store.user
    account = next((a for a in store.accounts.all() if a.login == login), None)
    return f"{login} ({account.full_name})" if account else login


def _start(store, ts: Typesetter, title: str, lead: str, printed_by: str | None) -> tuple[list[Flowable], Footer]:
    by, now = _printer(store, printed_by), store.now()
    story: list[Flowable] = [
        Paragraph(ts.esc(title), ts.title),
        Paragraph(lead, ts.body),
        Paragraph(ts.t(N_("Database {database} · printed {at} by {by}"), database=store.path.name,
                       at=moment_text(now), by=by), ts.small),
        Paragraph("&nbsp;", ts.small),
    ]
    return story, Footer(ts, f"{store.protocol.code} · {title}", now.astimezone(), by)


def _write(store, out: Path, title: str, story: list[Flowable], footer: Footer) -> Printed:
    def render(path: Path) -> int:
        return build(document(path, PAGE, footer, title, store.protocol.title), story, footer)

    return Printed(out, write_atomically(out, render))


def _table(ts: Typesetter, headings: tuple[str, ...], rows: list[list[str]], nominal: list[float], stretch: int,
           samples: list[list[str]]) -> Table:
    cell = ts.cell.clone("audit", fontSize=7.5, leading=9)
    bold = cell.clone("audit_bold", fontName=ts.fonts.bold)
    cells = [[Paragraph(ts.t(h), bold) for h in headings]]
    cells += [[Paragraph("<br/>".join(ts.esc(part) for part in text.split("\n")), cell) for text in row]
              for row in rows]
    texts = [[ts.fonts.clean(ts.words(h)), *sample] for h, sample in zip(headings, samples, strict=True)]
    widths = fit_widths(content_width(PAGE), nominal, texts, ts.fonts.bold, 7.5, stretch)
    table = Table(cells, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle(grid_style() + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def write_trail(store, chosen: TrailFilter, out: Path | str, *, printed_by: str | None = None,
                overwrite: bool = False, lang: str | None = None) -> Printed:
    """Write the audit-trail entries `chosen` (headings in `lang`, default the one spoken now); every check is
    made before the file is touched."""
    out = check_pdf_output(out, store.path, overwrite)
    count = store.audit.count(chosen)
    if count > MOST_ENTRIES:
        raise ClinicalInputError(f"The filter holds {count:,} entries, more than a PDF holds ({MOST_ENTRIES:,}): "
                                 "narrow it (a patient, a user, a kind, dates), or save it as CSV.", "output")
    shown = lines(store.audit.trail(chosen))
    ts = Typesetter(lang or i18n.current())
    title = ts.words(N_("Audit trail"))
    story, footer = _start(store, ts, title, ts.ngettext("Filter: {filter} · {count} entry, oldest first",
                                                         "Filter: {filter} · {count} entries, oldest first", count,
                                                         filter=chosen.described()), printed_by)
    rows = [[str(e.entry), e.when, e.who, e.kind, e.patient, e.what, "\n".join(e.changes), e.reason] for e in shown]
    story.append(_table(ts, _TRAIL_HEADINGS, rows, [12 * mm, 30 * mm, 32 * mm, 22 * mm, 20 * mm, 45 * mm,
                                                    60 * mm, 35 * mm], 6,
                        [["999999"], ["2025-12-31 23:59 CEST"], [], ["Failed log-in"], ["DEMO-0000"], [], [], []])
                 if rows else Paragraph(ts.t(N_("No entry matches the filter.")), ts.body))
    return _write(store, out, title, story, footer)


def write_access_review(store, out: Path | str, *, printed_by: str | None = None, overwrite: bool = False,
                        lang: str | None = None) -> Printed:
    """Write the access review: every role ever granted, since when, by whom, and until when (in `lang`,
    default the one spoken now)."""
    out = check_pdf_output(out, store.path, overwrite)
    grants = store.accounts.access_review()
    ts = Typesetter(lang or i18n.current())
    title = ts.words(N_("Access review"))
    story, footer = _start(store, ts, title, ts.t(N_("Who holds (or held) which role, since when, granted by whom")),
                           printed_by)
    rows = [[g.login, g.full_name, g.role, moment_text(g.granted_at), g.granted_by,
             moment_text(g.revoked_at) if g.revoked_at else ts.words(N_("holds it")), g.revoked_by or ""]
            for g in grants]
    when = ["2025-12-31 23:59 CEST"]
    story.append(_table(ts, _REVIEW_HEADINGS, rows, [30 * mm, 50 * mm, 25 * mm, 35 * mm, 30 * mm, 35 * mm, 30 * mm],
                        1, [[], [], ["data-manager"], when, [], when, []])
                 if rows else Paragraph(ts.t(N_("No account holds a role.")), ts.body))
    return _write(store, out, title, story, footer)
