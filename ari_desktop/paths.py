"""Where ARI Desktop keeps its files: the data it ships, and the user's database by default."""

import getpass
import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from .core.errors import StoreError
from .core.text import check_user
from .outputs import SQLITE_COMPANIONS


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


def open_store(path: Path | str, user: str):
    """The Store on `path` for `user`, as both front ends open it: the user's name checked, a path
    named like an SQLite companion file refused (created there, it would be read as another
    database's journal and make that one unreadable), and a path the system refuses (a name too
    long, a folder that cannot be read) said in one sentence."""
    from .store import Store

    path = Path(path)
    for suffix in SQLITE_COMPANIONS:
        if path.name.endswith(suffix):
            raise StoreError(f"{path} is named like a file SQLite keeps beside a database (ending in {suffix}); "
                             "give the database's own name.")
    try:
        return Store(path, check_user(user))
    except OSError as error:
        raise StoreError(f"{path} cannot be opened: {error.strerror or error}.") from None


def default_user() -> str:
    return os.environ.get("ARI_DESKTOP_USER") or getpass.getuser()
