"""Printed documents: the visit worksheet, the daily worklist and tube labels (PDF, reportlab).

This module stays import-light: reportlab is loaded by the functions below when they are first
called, so importing the package (the window does) costs nothing. Every check is made before a
file is touched, and a PDF is written to a temporary file in the same folder and then renamed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .options import LANGUAGES, PAPERS, STOCKS, Printed

__all__ = ["LANGUAGES", "PAPERS", "STOCKS", "Printed", "daily_worklist", "tube_labels", "visit_worksheet"]


def visit_worksheet(store, study_id: str, timepoint: str, out: Path, *, paper: str = "a4", lang: str = "en",
                    printed_by: str | None = None) -> Path:
    """The worksheet of one patient's visit at `timepoint`, with every item that shares its date."""
    from .worksheet import write

    return write(store, study_id, timepoint, out, paper=paper, lang=lang, printed_by=printed_by).path


def daily_worklist(store, day: date, out: Path, *, lang: str = "en", printed_by: str | None = None,
                   kind: str = "all", patients: str = "") -> Path:
    """Everything due on `day` across all patients (A4 landscape), with the missed items needing a reason;
    only one `kind` of item, and the patients whose study ID contains `patients`, when given."""
    from .worklist import write

    return write(store, day, out, lang=lang, printed_by=printed_by, kind=kind, patients=patients).path


def tube_labels(store, study_id: str, timepoint: str, out: Path, *, stock: str = "a4-3x8", lang: str = "en") -> Path:
    """One barcoded label per tube of one patient's visit at `timepoint`."""
    from .labels import write

    return write(store, study_id, timepoint, out, stock=stock, lang=lang).path
