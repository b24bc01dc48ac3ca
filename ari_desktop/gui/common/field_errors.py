"""A refused input's sentence, shown beside the field it concerns, in red and with a warning sign.

The sentence is the one the command line prints (ClinicalInputError's text); `error.field` says
which field it is about.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from ...core.errors import ClinicalInputError
from .widgets import fit_height

ERROR_PREFIX = "⚠ "
ERROR_STYLE = "QLabel { color: #b00020; font-weight: bold; }"
# Allowed but worth a second look (a time outside the window): said beside the field, in amber.
WARNING_STYLE = "QLabel { color: #7a3e00; font-weight: bold; }"


class FieldErrors:
    def __init__(self, fallback: QLabel, fields: dict[str, tuple[QLabel, QWidget | None]]):
        self.fallback = fallback
        self.fields = fields
        for label in self.labels():
            label.setStyleSheet(ERROR_STYLE)
            label.setText("")
        self.fallback.hide()

    def labels(self) -> list[QLabel]:
        return [self.fallback, *(label for label, _ in self.fields.values())]

    def clear(self) -> None:
        for label in self.labels():
            label.setText("")
            label.setToolTip("")
        self.fallback.hide()

    def show(self, error: ClinicalInputError, field: str | None = None) -> QLabel:
        """Show the sentence beside `field` (default: the error's own field); focus that field."""
        label, widget = self.fields.get(field or error.field or "", (self.fallback, None))
        label.setText(ERROR_PREFIX + str(error))
        label.setToolTip(str(error))
        label.show()
        fit_height(label.window())
        if widget is not None:
            widget.setFocus()
        return label

    def text(self, field: str) -> str:
        """The sentence shown beside a field, without the warning sign ("" if none)."""
        label = self.fields[field][0] if field in self.fields else self.fallback
        return label.text().removeprefix(ERROR_PREFIX)

