"""Loads the Qt Designer forms of ui/ (installed as the package ari_desktop.ui) into dialogs.

A layout change is a change of the .ui file, not of the code. The forms' typed fields are the
classes of fields.py, and no combo or spin box of a form changes under the mouse wheel. QtUiTools
is imported only when the first dialog opens, to keep it off the path that paints the first window.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtWidgets import QWidget

from ...paths import shipped
from .fields import FIELD_CLASSES, guard_wheel

W = TypeVar("W", bound=QWidget)


def load_form(name: str, base: QWidget) -> None:
    """Build the form `name` (e.g. "record_item.ui") into `base`, whose class is the form's top widget."""
    from PySide6.QtUiTools import QUiLoader

    class IntoBase(QUiLoader):
        def createWidget(self, class_name: str, parent: QWidget | None = None, name: str = "") -> QWidget:
            if parent is None:
                return base
            return super().createWidget(class_name, parent, name)

    data = QByteArray(shipped("ui").joinpath(name).read_bytes())
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    loader = IntoBase(base)
    for field_class in FIELD_CLASSES:
        loader.registerCustomWidget(field_class)
    if loader.load(buffer, None) is None:
        raise RuntimeError(f"The form {name} could not be loaded: {loader.errorString()}")
    guard_wheel(base)


def child(base: QWidget, kind: type[W], name: str) -> W:
    """A named widget of a loaded form; a form and its code that disagree fail loudly, at once."""
    widget = base.findChild(kind, name)
    if widget is None:
        raise RuntimeError(f"{type(base).__name__}: the form has no {kind.__name__} named '{name}'.")
    return widget
