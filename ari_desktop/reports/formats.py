"""What an export can be asked for, and what it says it wrote: import-light (no pandas), so the
command line and the window offer the choices without loading the export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ClinicalInputError


@dataclass(frozen=True)
class CsvFormat:
    """How the CSV files are written: the list separator, the decimal mark and a byte-order mark."""

    separator: str
    decimal: str
    bom: bool  # UTF-8 with BOM: Excel then reads accents right, not as Windows-1252
    description: str
    # Excel runs a cell that starts with = + - or @ as a formula: a reason typed "=HYPERLINK(...)"
    # would become a live link. For Excel, such a text is written after an apostrophe.
    guards_formulas: bool = False

    @property
    def encoding(self) -> str:
        return "utf-8-sig" if self.bom else "utf-8"


# Dates stay ISO (YYYY-MM-DD) in every format. Spanish Excel's list separator is ';' and its
# decimal mark ','; a comma-separated file opened there lands in one column.
CSV_FORMATS = {
    "analysis": CsvFormat(",", ".", False, "for R, Python or Stata: comma-separated, decimal point, UTF-8"),
    "excel": CsvFormat(",", ".", True, "for Excel in English: comma-separated, decimal point, UTF-8 with BOM",
                       guards_formulas=True),
    "excel-es": CsvFormat(";", ",", True, "for Excel in Spanish (and most of Europe): semicolon-separated, "
                                         "decimal comma, UTF-8 with BOM", guards_formulas=True),
}
WORKBOOK = "ari-desktop-export.xlsx"
DICTIONARY_SHEET = "Data dictionary"


def csv_format(name: str) -> CsvFormat:
    """The CSV format called `name`, or the sentence that names the choices."""
    if name not in CSV_FORMATS:
        raise ClinicalInputError(f"The CSV format '{name}' is not one of {', '.join(CSV_FORMATS)}.", "csv_for")
    return CSV_FORMATS[name]


def excel_format_for(decimal_point: str) -> str:
    """The Excel CSV format for a user whose numbers are written with `decimal_point`."""
    return "excel-es" if decimal_point == "," else "excel"


@dataclass(frozen=True)
class Written:
    """A file the export wrote, and how many rows of data it holds (the workbook: of all its sheets)."""

    path: Path
    rows: int
