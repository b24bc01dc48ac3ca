"""The `ari-desktop` command. Given nothing but the window's own --db and --user (as a ward shortcut
starts it), it opens the window at once; everything else (a command, --help, another option, anything
unusual) goes to the command line in cli/, which loads click only then. The window paints sooner for it.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from .core.errors import USER_ERRORS

WINDOW_OPTIONS = {"--db": "db", "--user": "user"}


def main() -> None:
    from .i18n import remembered_language, use

    use(remembered_language())  # View → Language's choice (the system's until one is made), for both front ends
    options = window_options(sys.argv[1:])
    if options is None:
        from .cli import main as command_line

        command_line()
        return
    sys.exit(open_window(**options))


def window_options(args: list[str]) -> dict[str, str] | None:
    """{"db": ..., "user": ...} when `args` are only --db and --user, each at most once with a plain value
    (the forms `--db X` and `--db=X`); None for anything else, which click then reads and checks."""
    found: dict[str, str] = {}
    rest = list(args)
    while rest:
        option, equals, value = rest.pop(0).partition("=")
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        name = WINDOW_OPTIONS.get(option)
        if name is None or name in found or not value.strip() or value.startswith("-") or not _utf8(value):
            return None
        found[name] = value
    if "db" in found and Path(found["db"]).is_dir():
        return None  # click says why a folder is refused
    return found


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a byte that is not UTF-8: click names the option in its sentence
        return False
    return True


def open_window(db: Path | str | None = None, user: str | None = None, **options) -> int:
    """Open the window on the database (default: the user's) and return the exit code; what a user can
    cause, and a file SQLite cannot use, is one sentence on stderr and code 2."""
    from .gui.app import run
    from .paths import default_database
    from .store.engine import is_server

    path = db if is_server(db) else Path(db) if db is not None else default_database()
    try:
        return run(path, user=user, **options)
    except USER_ERRORS as error:
        print(f"ari-desktop: {error}", file=sys.stderr)
    except sqlite3.DatabaseError as error:
        from .store.store import unusable

        print(f"ari-desktop: {unusable(path, error)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    main()
