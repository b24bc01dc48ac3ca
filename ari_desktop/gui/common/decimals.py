"""Decimal numbers typed in plain line edits, read the same whatever the locale.

"0.4" and "0,4" are both 0.4; a text with anything else (letters, two separators, a thousands
separator) is refused with a sentence, never rewritten. Line edits, not spin boxes: a clinical
number never changes under the mouse wheel.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from ...core.text import parse_decimal


def read_decimal(edit: QLineEdit, what: str, field: str, example: str) -> float | None:
    """The number typed in `edit`, None when it is empty; junk is refused naming `what`."""
    text = edit.text().strip()
    if not text:
        return None
    return parse_decimal(text, what, field, example)
