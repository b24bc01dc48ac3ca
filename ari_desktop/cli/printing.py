"""The `sheet` and `labels` commands, added to the main command group by `register`.

    ari-desktop [--db PATH] sheet ID --timepoint CODE -o FILE.pdf [--paper a4|letter] [--lang en|es|ca] [--overwrite]
    ari-desktop [--db PATH] labels ID --timepoint CODE -o FILE.pdf [--stock a4-3x8|roll] [--lang en|es|ca] [--overwrite]

The group turns a ClinicalInputError into one sentence on stderr and exit code 2. reportlab is
loaded only when one of these commands runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..i18n import LANGUAGES as LANGUAGE_NAMES
from ..i18n import ngettext
from ..printing.options import LANGUAGES, PAPERS, STOCKS, Printed

# Every printing command: an existing PDF is replaced; any other file only when asked; never the
# database, a folder or a device (ari_desktop.outputs).
overwrite_option = click.option("--overwrite", is_flag=True,
                                help="Replace the output file even if it is not a PDF (never a database).")
# The language of a printout's own words (the protocol's words too), whatever the command line speaks.
lang_option = click.option("--lang", default="en", show_default=True,
                           type=click.Choice(LANGUAGES, case_sensitive=False),
                           help="Language of the printed words: "
                                + ", ".join(f"{code} {LANGUAGE_NAMES[code]}" for code in LANGUAGES) + ".")


def wrote(printed: Printed, store, what: str) -> None:
    """Log the print in the audit trail and say what was written, for every printing command."""
    store.audit.printed(what, printed.path)
    click.echo(ngettext("Wrote {path} ({count} page).", "Wrote {path} ({count} pages).", printed.pages).format(
        path=printed.path, count=printed.pages))


def register(cli_group: click.Group, get_store: Callable[[click.Context], object]) -> None:
    """Add `sheet` and `labels` to `cli_group`; `get_store(ctx)` returns the open Store."""
    output = click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
                          help="The PDF file to write.")
    timepoint = click.option("--timepoint", required=True, help="Timepoint code, e.g. D+7 or M3.")
    lang = lang_option

    @cli_group.command("sheet")
    @click.argument("study_id")
    @timepoint
    @output
    @click.option("--paper", default="a4", show_default=True, type=click.Choice(PAPERS, case_sensitive=False),
                  help="Paper size.")
    @lang
    @overwrite_option
    @click.pass_context
    def sheet_command(ctx: click.Context, study_id: str, timepoint: str, out: Path, paper: str, lang: str,
                      overwrite: bool) -> None:
        """Print the visit worksheet of a patient's timepoint (and what is held with it) to a PDF."""
        from ..printing.worksheet import write

        store = get_store(ctx)
        wrote(write(store, study_id, timepoint, out, paper=paper, lang=lang, overwrite=overwrite), store,
              f"worksheet of {study_id} at {timepoint}")

    @cli_group.command("labels")
    @click.argument("study_id")
    @timepoint
    @output
    @click.option("--stock", default="a4-3x8", show_default=True, type=click.Choice(STOCKS, case_sensitive=False),
                  help="Label stock: A4 sheet of 3 x 8 labels (70 x 37 mm) or a roll of 57 x 32 mm labels.")
    @lang
    @overwrite_option
    @click.pass_context
    def labels_command(ctx: click.Context, study_id: str, timepoint: str, out: Path, stock: str, lang: str,
                       overwrite: bool) -> None:
        """Print barcoded tube labels for the samples of a patient's visit to a PDF."""
        from ..printing.labels import write

        store = get_store(ctx)
        wrote(write(store, study_id, timepoint, out, stock=stock, lang=lang, overwrite=overwrite), store,
              f"tube labels of {study_id} at {timepoint}")
