"""The choices a printout accepts, and the checks made before any file is touched.

Import-light on purpose: the command line and the window validate with this module without
loading reportlab.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ClinicalInputError

PAPERS = ("a4", "letter")
STOCKS = ("a4-3x8", "roll")
LANGUAGES = ("en", "es")


def check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    """`value` if it is one of `allowed` (any case), else one sentence naming the choices."""
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise ClinicalInputError(f"The {what} '{value}' is not one of {', '.join(allowed)}.", what)
    return cleaned


def check_output(out: Path | str) -> Path:
    """The PDF path to write, refused if its folder is missing or it names a folder."""
    path = Path(out)
    if path.is_dir():
        raise ClinicalInputError(f"'{path}' is a folder; give the name of the PDF file to write.", "output")
    if not path.parent.is_dir():
        raise ClinicalInputError(f"The folder '{path.parent}' does not exist.", "output")
    return path



@dataclass(frozen=True)
class Printed:
    """A written printout: where it is and how many pages it has."""

    path: Path
    pages: int
