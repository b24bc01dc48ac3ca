"""The `figure` and `report` commands: the cohort's figures saved as PNG or PDF, and the safety and efficacy
report as one PDF (matplotlib and reportlab loaded only when they run).

    ari-desktop figure {swimmer,pfs,os,expansion,sbcma} --out FILE.png|pdf [--patient ID] [--as-of DATE]
    ari-desktop report --out FILE.pdf [--as-of DATE] [--lang en|es|ca]

Each file saved is an export: the audit trail records what was written, as of when, and where it went.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..core.dates import parse_date
from ..figures import FIGURES, FOR_ONE_PATIENT
from ..i18n import N_, _, ngettext
from .printing import lang_option


def register(cli: click.Group, get_store: Callable[[click.Context], object]) -> None:
    """Add `figure` and `report` to the main command group."""

    @cli.command("figure")
    @click.argument("name", metavar="{" + ",".join(FIGURES) + "}", type=click.Choice(tuple(FIGURES)))
    @click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="The file to write: .png or .pdf (an existing one of the same kind is replaced).")
    @click.option("--patient", "study_id", help=f"Draw this patient ({' and '.join(FOR_ONE_PATIENT)} only).")
    @click.option("--as-of", help="Draw what was known on this date, YYYY-MM-DD (default today).")
    @click.pass_context
    def figure(ctx, name, out, study_id, as_of) -> None:
        """Save a figure of the cohort: the swimmer plot, Kaplan-Meier curves of PFS or OS, CAR-T expansion
        (one patient's with --patient) or soluble BCMA over time. Its title says the as-of date and the
        denominator (patients infused by then)."""
        from ..figures import draw, save

        store = get_store(ctx)
        day = parse_date(as_of, N_("as-of date")) if as_of else store.today()
        path = save(draw(name, store, day, study_id), out, store.path)
        who = f" of {study_id}" if study_id else ""
        store.audit.exported(f"{FIGURES[name]}{who} as of {day}", path)
        click.echo(_("Wrote {path}.").format(path=path))

    @cli.command("report")
    @click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help="The PDF file to write (an existing PDF is replaced).")
    @click.option("--as-of", help="Report what was known on this date, YYYY-MM-DD (default today).")
    @lang_option
    @click.pass_context
    def report(ctx, out, as_of, lang) -> None:
        """Save the safety and efficacy report: the endpoint tables, then the swimmer plot, the PFS and OS
        curves, CAR-T expansion and soluble BCMA, in one PDF, in the language chosen in View → Language
        unless --lang says another."""
        from ..reports.efficacy_report import write

        store = get_store(ctx)
        day = parse_date(as_of, N_("as-of date")) if as_of else store.today()
        printed = write(store, out, day, lang.lower())
        store.audit.exported(f"safety and efficacy report as of {day}", printed.path)
        click.echo(ngettext("Wrote {path} ({pages} page).", "Wrote {path} ({pages} pages).", printed.pages).format(
            path=printed.path, pages=printed.pages))
