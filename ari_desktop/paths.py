"""Where ARI Desktop keeps its files: the data it ships, and the user's database by default."""

import getpass
import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


def shipped(folder: str) -> Traversable:
    """The folder of shipped data `folder` ("resources" or "ui").

    Installed, it is the package ari_desktop.<folder> (pyproject.toml installs the repository's top-level
    folder there); run from a source checkout that is not installed, it is that top-level folder itself.
    """
    try:
        return files(f"ari_desktop.{folder}")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / folder


def default_database() -> Path:
    from platformdirs import user_data_path

    return user_data_path("ari-desktop", appauthor=False, ensure_exists=True) / "ari-desktop.db"


def default_user() -> str:
    return os.environ.get("ARI_DESKTOP_USER") or getpass.getuser()


def default_backups() -> Path:
    """The backup folder, beside the user's database in their data folder."""
    from platformdirs import user_data_path

    return user_data_path("ari-desktop", appauthor=False, ensure_exists=True) / "backups"


def session_file(database: Path) -> Path:
    """Where `ari-desktop login` keeps the session token for one database (the user's config folder)."""
    import hashlib

    from platformdirs import user_config_path

    key = hashlib.sha256(str(database.resolve()).encode("utf-8")).hexdigest()[:16]
    return user_config_path("ari-desktop", appauthor=False) / "sessions" / f"{database.stem}-{key}.token"
