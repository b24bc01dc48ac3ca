"""The choices a printout accepts, checked before any file is touched (the output path is
checked by ari_desktop.outputs).

Import-light on purpose: the command line and the window validate with this module without
loading reportlab.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import ClinicalInputError

PAPERS = ("a4", "letter")
STOCKS = ("a4-3x8", "roll")
LANGUAGES = ("en", "es", "ca")  # the names: i18n.LANGUAGES


def check_choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    """`value` if it is one of `allowed` (any case), else one sentence naming the choices."""
    cleaned = value.strip().lower()
    if cleaned not in allowed:
        raise ClinicalInputError(f"The {what} '{value}' is not one of {', '.join(allowed)}.", what)
    return cleaned


@dataclass(frozen=True)
class Printed:
    """A written printout: where it is and how many pages it has."""

    path: Path
    pages: int
