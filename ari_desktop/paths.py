"""Where ARI Desktop keeps its files by default."""

import getpass
import os
from pathlib import Path


def default_database() -> Path:
    from platformdirs import user_data_path

    return user_data_path("ari-desktop", appauthor=False, ensure_exists=True) / "ari-desktop.db"


def default_user() -> str:
    return os.environ.get("ARI_DESKTOP_USER") or getpass.getuser()
