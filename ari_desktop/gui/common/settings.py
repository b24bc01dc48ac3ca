"""Where the window remembers its geometry, splitters, column widths and last view."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

ORGANISATION = "ARI Desktop"
APPLICATION = "ari-desktop"
# Points the settings at an INI file instead of the user's profile: tests and benchmarks use it so
# that runs do not share state.
SETTINGS_ENV = "ARI_DESKTOP_SETTINGS"


def open_settings() -> QSettings:
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION)
