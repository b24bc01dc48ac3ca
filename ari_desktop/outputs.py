"""Files written for people to keep (printed PDFs, the CSV and Excel export), and the rules that keep them
from destroying anything: never over the open database (or its -wal, -shm, -journal files), a
device, a folder or any other non-regular file; never over an existing file of another kind unless
asked; always whole (a temporary file in the target folder, renamed into place). A refusal or a
failure of the file system (a name too long, no permission, a disk full) is one sentence, and
nothing is written.

Import-light on purpose: the command line and the window check a path without loading reportlab
or pandas.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .core.errors import ClinicalInputError

T = TypeVar("T")

# The files SQLite keeps beside a database while it is open, named after it.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
PDF_HEADER = b"%PDF-"
PNG_HEADER = b"\x89PNG\r\n\x1a\n"
SQLITE_HEADER = b"SQLite format 3\x00"
# The first line of a CSV of an earlier export: its column names, after a byte-order mark for Excel,
# separated by ',' or ';' (pandas writes an empty line for a table with no columns).
_EXPORT_HEADER = re.compile(rb"(\xef\xbb\xbf)?([a-z0-9_]+(,[a-z0-9_]+)*|[a-z0-9_]+(;[a-z0-9_]+)*)?\r?\n")
# The sheet every workbook of an export ends with (reports.formats.DICTIONARY_SHEET).
_EXPORT_SHEET = b'name="Data dictionary"'


def file_error(path: Path, error: OSError, field: str = "output") -> ClinicalInputError:
    """The sentence for a file that the system refuses to create, read or replace."""
    return ClinicalInputError(f"'{path}' cannot be written: {error.strerror or error}.", field)


def is_database(path: Path, database: Path) -> bool:
    """`path` names the database or one of its companion files, by any name (a link, another case); a
    database on a server is no file here."""
    from .store.engine import is_server

    if is_server(database):
        return False
    target = os.path.normcase(os.path.realpath(path))
    for suffix in ("", *SQLITE_COMPANIONS):
        companion = database.with_name(database.name + suffix)
        if os.path.normcase(os.path.realpath(companion)) == target:
            return True
        try:
            if os.path.samefile(companion, path):  # a hard link
                return True
        except OSError:
            pass
    return False


def is_pdf(path: Path) -> bool:
    return _starts_with(path, PDF_HEADER)


def is_png(path: Path) -> bool:
    return _starts_with(path, PNG_HEADER)


def is_earlier_export(path: Path) -> bool:
    """A CSV that an earlier export wrote: its first line is a header of column names."""
    with path.open("rb") as handle:
        first = handle.readline(65536)
    return _EXPORT_HEADER.fullmatch(first) is not None


def is_earlier_workbook(path: Path) -> bool:
    """An Excel workbook that an earlier export wrote: it has the data dictionary sheet."""
    try:
        with zipfile.ZipFile(path) as workbook:
            return _EXPORT_SHEET in workbook.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError):
        return False


def check_output_file(out: Path | str, database: Path | None, kind: str, replaceable: Callable[[Path], bool],
                      replaces: str, field: str = "output") -> Path:
    """The path of a `kind` file (PDF, CSV) to write, or the sentence that refuses it: the open
    `database` itself, a folder, a device or other non-regular file, a missing folder, or an existing
    file that `replaceable` does not recognise as `replaces` (an empty file holds nothing to lose)."""
    path = Path(out)
    if database is not None and is_database(path, database):
        raise ClinicalInputError(f"'{path}' is the database itself; give another name for the {kind}.", field)
    try:
        status = os.stat(path)  # follows a link: a link to a device is a device
        if stat.S_ISDIR(status.st_mode):
            raise ClinicalInputError(f"'{path}' is a folder; give the name of the {kind} file to write.", field)
        if not stat.S_ISREG(status.st_mode):
            raise ClinicalInputError(f"'{path}' is not a file but a device, pipe or socket; give the name of the "
                                     f"{kind} file to write.", field)
        if status.st_size > 0 and not replaceable(path):
            raise ClinicalInputError(f"'{path}' already exists and is not {replaces}, so it is left as it is; "
                                     "choose another name.", field)
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise ClinicalInputError(f"The folder '{path.parent}' does not exist.", field) from None
    except OSError as error:
        raise file_error(path, error, field) from None
    return path


def check_pdf_output(out: Path | str, database: Path | None, overwrite: bool = False) -> Path:
    """The PDF path to write: an existing file is replaced if it is a PDF, or any file if `overwrite`
    except a database (this one or another unit's: a record is never lost to a printout), a folder
    or a device."""
    path = check_output_file(out, database, "PDF", (lambda _: True) if overwrite else is_pdf, "a PDF")
    if overwrite and path.is_file() and _starts_with(path, SQLITE_HEADER):
        raise ClinicalInputError(f"'{path}' is a database; a printout never replaces one, even with --overwrite: "
                                 "choose another name.", "output")
    return path


def prepare_export_folder(folder: Path, names: list[str], database: Path) -> list[Path]:
    """The paths of the files `names` (CSV files, an .xlsx workbook) in `folder`, created if needed, or
    the sentence that refuses them: the folder is the database or not a folder, or a file of that name
    is the database or is not a file of an earlier export (those are replaced; other files in the
    folder are never touched)."""
    if is_database(folder, database):
        raise ClinicalInputError(f"'{folder}' is the database itself; give a folder for the export.", "out")
    try:
        exists = folder.exists()
        if exists and not folder.is_dir():
            raise ClinicalInputError(f"'{folder}' is a file, not a folder; give a folder for the export.", "out")
    except OSError as error:
        raise file_error(folder, error, "out") from None
    paths = [folder / name for name in names]
    if exists:
        for path in paths:
            if path.suffix == ".xlsx":
                check_output_file(path, database, "workbook", is_earlier_workbook,
                                  "a workbook of an earlier export", "out")
            else:
                check_output_file(path, database, "CSV", is_earlier_export, "a CSV of an earlier export", "out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise file_error(folder, error, "out") from None
    return paths


def write_atomically(out: Path, write: Callable[[Path], T], field: str = "output") -> T:
    """Call `write(temporary path)` in the folder of `out`, then rename it to `out`.

    A failure part-way leaves `out` as it was (absent, or the previous file) and no temporary file.
    The temporary name is short, so that a name that fits fits also while it is written.
    """
    temporary = out.with_name(f".ari-desktop-{secrets.token_hex(4)}.part")
    try:
        try:
            result = write(temporary)
        except PermissionError:
            raise ClinicalInputError(f"The folder '{out.parent}' cannot be written to.", field) from None
        except OSError as error:
            raise file_error(out, error, field) from None
        try:
            os.replace(temporary, out)
        except PermissionError:
            raise ClinicalInputError(
                f"'{out}' cannot be replaced: close it in the program that has it open and try again.",
                field) from None
        except OSError as error:
            raise file_error(out, error, field) from None
    finally:
        temporary.unlink(missing_ok=True)
    return result


def _starts_with(path: Path, header: bytes) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(header)) == header
