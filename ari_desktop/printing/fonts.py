"""The typeface of the printouts: a TrueType font with the clinic's characters, or Helvetica.

DejaVu Sans (or Arial on Windows and macOS) has á é í ó ú ñ ° µ ≤ ≥. When none is installed, the
sheets fall back to reportlab's built-in Helvetica, which only has the Windows-1252 characters:
`clean` then writes '<=' for '≤' and so on, so nothing prints as a black box.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# (regular, bold) pairs, best first.
FONT_FILES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/usr/local/share/fonts/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans-Bold.ttf"),
    ("C:/Windows/Fonts/DejaVuSans.ttf", "C:/Windows/Fonts/DejaVuSans-Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
    ("/Library/Fonts/DejaVuSans.ttf", "/Library/Fonts/DejaVuSans-Bold.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
)
# Characters Helvetica (Windows-1252) lacks, and what to write instead.
_PLAIN = {"≤": "<=", "≥": ">=", "−": "-", "→": "->", "✓": "x", "☐": "[ ]", "₂": "2", "⁻": "-", "⁵": "5",
          "\u2009": " ", "\u202f": " "}


@dataclass(frozen=True)
class Fonts:
    regular: str
    bold: str
    unicode: bool  # False: built-in Helvetica, Windows-1252 characters only

    def clean(self, text: str) -> str:
        """`text` with every character this font can draw."""
        if self.unicode:
            return text
        for char, plain in _PLAIN.items():
            text = text.replace(char, plain)
        return text.encode("cp1252", "replace").decode("cp1252")


@cache
def fonts() -> Fonts:
    """Register the best font found (once per process) and say which it is."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    for regular, bold in FONT_FILES:
        if Path(regular).is_file() and Path(bold).is_file():
            try:
                pdfmetrics.registerFont(TTFont("ARI-Sans", regular))
                pdfmetrics.registerFont(TTFont("ARI-Sans-Bold", bold))
            except TTFError as error:  # a damaged file: try the next one
                logging.getLogger(__name__).warning("Cannot use the font %s: %s", regular, error)
                continue
            for italic in (0, 1):
                addMapping("ARI-Sans", 0, italic, "ARI-Sans")
                addMapping("ARI-Sans", 1, italic, "ARI-Sans-Bold")
            return Fonts("ARI-Sans", "ARI-Sans-Bold", True)
    return Fonts("Helvetica", "Helvetica-Bold", False)
