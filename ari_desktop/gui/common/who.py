"""Who is working: the name stamped on every write.

The one seam to change when the unit moves to accounts: everything else asks this module.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from ...paths import default_user


def who_is_working(given: str | None = None, *, ask: bool = True, parent: QWidget | None = None) -> str | None:
    """The user's name: the one given (--user), else asked once (prefilled with the login name),
    else the login name when nobody can be asked. None if the person declined to say."""
    if given and given.strip():
        return given.strip()
    suggested = default_user()
    if not ask:
        return suggested
    name, ok = QInputDialog.getText(
        parent, "ARI Desktop: who is working?",
        "Your name. It is stamped on everything you record today:", QLineEdit.EchoMode.Normal, suggested)
    name = name.strip()
    return name if ok and name else None
