"""A printout or an export never destroys anything: not the open database (by any name), not a
device, a folder or a pipe, not a file of another kind; a file system failure is one sentence and
exit code 2, and nothing is written."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import cli_db, file_digest

from ari_desktop.cli import cli
from ari_desktop.core.dates import local_today
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.outputs import check_pdf_output, is_earlier_export, write_atomically

TODAY = local_today()
LONG_NAME = "n" * 300 + ".pdf"  # over the 255 bytes a file name may have


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", cli_db(db), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A unit database with one patient infused ten days ago."""
    path = tmp_path / "unit.db"
    result = run(path, "patient", "add", "--study-id", "ARI-001", "--initials", "AB", "--sex", "F",
                 "--birth-year", "1961", "--screening-date", (TODAY - timedelta(days=60)).isoformat(),
                 "--infusion-date", (TODAY - timedelta(days=10)).isoformat())
    assert result.exit_code == 0, result.output
    return path


PRINTS = {
    "sheet": ["sheet", "ARI-001", "--timepoint", "D+7", "-o"],
    "labels": ["labels", "ARI-001", "--timepoint", "D+7", "--output"],
    "worklist": ["worklist", "--pdf"],
}


def refused(db: Path, args: list[str], sentence: str) -> None:
    """The command exits 2 with one sentence, the database unchanged and no file written beside it."""
    before, files = file_digest(db), sorted(p.name for p in db.parent.iterdir())
    result = run(db, *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert sentence in result.stderr
    assert file_digest(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == files


@pytest.mark.parametrize("command", PRINTS)
@pytest.mark.parametrize("name", ["unit.db", "unit.db-wal", "unit.db-shm", "unit.db-journal", "./unit.db"])
def test_a_printout_is_never_written_over_the_open_database_or_its_journal(db, command, name):
    refused(db, [*PRINTS[command], str(db.parent / name)], "is the database itself; give another name for the PDF")


@pytest.mark.parametrize("command", PRINTS)
def test_the_database_under_another_name_is_recognised(db, command, tmp_path):
    (tmp_path / "link.pdf").symlink_to(db)
    os.link(db, tmp_path / "copy-by-hard-link.pdf")
    for name in ("link.pdf", "copy-by-hard-link.pdf"):
        refused(db, [*PRINTS[command], str(tmp_path / name)], "is the database itself")


def test_a_device_or_a_pipe_is_never_replaced_by_a_printout(db, tmp_path):
    os.mkfifo(tmp_path / "pipe")
    refused(db, [*PRINTS["sheet"], str(tmp_path / "pipe")], "is not a file but a device, pipe or socket")
    assert not (tmp_path / "pipe").is_file()
    # A device, named directly: only checked, never opened (as root, writing it would replace it).
    with pytest.raises(ClinicalInputError, match="is not a file but a device"):
        check_pdf_output("/dev/null", db)


def test_a_folder_is_not_a_printout(db, tmp_path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(ClinicalInputError, match="is a folder; give the name of the PDF file to write"):
        check_pdf_output(tmp_path / "folder", db)  # the window's Save as PDF
    result = run(db, *PRINTS["worklist"], str(tmp_path / "folder"))  # click's own check comes first
    assert result.exit_code == 2 and "is a directory" in result.stderr


def test_an_existing_file_that_is_not_a_pdf_is_left_alone_unless_asked(db, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("the unit's own notes\n")
    refused(db, [*PRINTS["labels"], str(notes)], "already exists and is not a PDF, so it is left as it is")
    assert notes.read_text() == "the unit's own notes\n"
    result = run(db, *PRINTS["labels"], str(notes), "--overwrite")
    assert result.exit_code == 0, result.output
    assert notes.read_bytes().startswith(b"%PDF-")



@pytest.mark.parametrize("command", sorted(PRINTS))
def test_another_database_is_never_replaced_by_a_printout_even_with_overwrite(db, tmp_path, command):
    other = tmp_path / "other-unit.db"
    shutil.copyfile(db, other)
    before = other.read_bytes()
    refused(db, [*PRINTS[command], str(other), "--overwrite"], "is a database; a printout never replaces one")
    assert other.read_bytes() == before

def test_an_earlier_printout_or_an_empty_file_is_replaced(db, tmp_path):
    for name, content in (("old.pdf", b"%PDF-1.4 yesterday's sheet"), ("empty.pdf", b"")):
        (tmp_path / name).write_bytes(content)
        result = run(db, *PRINTS["sheet"], str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).read_bytes() != content


@pytest.mark.parametrize("command", PRINTS)
def test_a_file_name_too_long_is_one_sentence(db, command, tmp_path):
    refused(db, [*PRINTS[command], str(tmp_path / LONG_NAME)], "cannot be written: File name too long.")


def test_a_missing_folder_or_a_file_taken_for_a_folder_is_one_sentence(db, tmp_path):
    refused(db, [*PRINTS["sheet"], str(tmp_path / "missing" / "x.pdf")], "does not exist")
    refused(db, [*PRINTS["sheet"], str(db / "x.pdf")], "cannot be written: Not a directory.")


def test_a_disk_full_while_writing_is_one_sentence_and_leaves_no_part_file(tmp_path):
    def fill_the_disk(path: Path) -> None:
        path.write_bytes(b"%PDF-1.4 half")
        raise OSError(28, "No space left on device")

    with pytest.raises(ClinicalInputError, match="^'.*sheet.pdf' cannot be written: No space left on device.$"):
        write_atomically(tmp_path / "sheet.pdf", fill_the_disk)
    assert list(tmp_path.iterdir()) == []


def test_a_name_that_just_fits_fits_while_it_is_written(db, tmp_path):
    """The temporary file has a short name of its own, not the output's name with more added."""
    name = "n" * 251 + ".pdf"  # 255 bytes
    result = run(db, *PRINTS["worklist"], str(tmp_path / name))
    assert result.exit_code == 0, result.output
    assert (tmp_path / name).read_bytes().startswith(b"%PDF-")


def test_non_utf8_bytes_in_an_option_are_refused_naming_the_option(db, tmp_path):
    for args, option in ((["--user", "nurse\udcff", "patient", "list"], "--user"),
                         (["record", "ARI-001", "--timepoint", "D+7", "--activity", "sbcma", "--not-done", "\udcff"],
                          "--not-done"),
                         (["assess", "ARI-001", "--at", f"{TODAY}T08:00", "--temperature", "37", "--ice", "10",
                           "--oxygen", "none", "--consciousness", "alert", "--seizure", "none", "--edema", "none",
                           "--notes", "ok\udcff"], "--notes"),
                         (["patient", "update", "ARI-001", "--off-study", TODAY.isoformat(), "--reason", "\udcff"],
                          "--reason"),
                         ([*PRINTS["sheet"], str(tmp_path / "visit\udcff.pdf")], "--output"),
                         (["schedule", "ARI\udcff"], "STUDY_ID")):
        refused(db, args, f"ari-desktop: {option} holds bytes that are not UTF-8 text; type it again.")


def test_a_database_named_like_an_sqlite_journal_is_refused_so_the_real_one_stays_readable(db):
    for suffix in ("-journal", "-wal", "-shm"):
        result = CliRunner().invoke(cli, ["--db", f"{db}{suffix}", "patient", "list"])
        assert result.exit_code == 2 and f"ending in {suffix}" in result.stderr
        assert not Path(f"{db}{suffix}").exists()
    assert run(db, "patient", "list").exit_code == 0


def test_a_database_path_too_long_is_one_sentence(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / ("n" * 300 + ".db")), "patient", "list"])
    assert result.exit_code == 2
    assert result.stderr.endswith("cannot be opened: File name too long.\n")


# -- the CSV export ---------------------------------------------------------------------------------

def test_an_export_into_the_databases_folder_replaces_earlier_csvs_and_nothing_else(db, tmp_path):
    (tmp_path / "patients.csv").write_text("id,study_id\n1,OLD-1\n")
    (tmp_path / "minutes.txt").write_text("meeting notes\n")
    result = run(db, "export", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "ARI-001" in (tmp_path / "patients.csv").read_text()
    assert (tmp_path / "minutes.txt").read_text() == "meeting notes\n"
    again = run(db, "export", "--out", str(tmp_path))  # an export replaces its own CSVs
    assert again.exit_code == 0, again.output
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_an_export_never_writes_over_a_database_named_like_one_of_its_csvs(tmp_path):
    db = tmp_path / "patients.csv"
    assert run(db, "patient", "list").exit_code == 0  # a database may be called anything
    refused(db, ["export", "--out", str(tmp_path)], "'" + str(db) + "' is the database itself")


def test_an_export_leaves_a_file_it_did_not_write_and_writes_nothing(db, tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    (out / "schedule.csv").write_text("Name,Date of birth\nsomeone's own sheet\n")
    before = run(db, "export", "--out", str(out))
    assert before.exit_code == 2
    assert "'" + str(out / "schedule.csv") + "' already exists and is not a CSV of an earlier export" in before.stderr
    assert [p.name for p in out.iterdir()] == ["schedule.csv"]


def test_an_export_folder_that_is_the_database_or_too_long_is_one_sentence(db, tmp_path):
    refused(db, ["export", "--out", str(db / "inside")], "cannot be written: Not a directory.")
    refused(db, ["export", "--out", str(tmp_path / ("n" * 300))], "cannot be written: File name too long.")
    before = file_digest(db)
    result = run(db, "export", "--out", str(db))  # click refuses a file given for a folder
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert file_digest(db) == before


@pytest.mark.parametrize("content, earlier", [
    (b"id,study_id,initials\n1,ARI-001,AB\n", True),
    (b"\n", True),  # pandas' file for a table with no columns
    (b"SQLite format 3\x00", False),
    (b"%PDF-1.4", False),
    (b"Name,Date of birth\n", False),
])
def test_a_csv_of_an_earlier_export_is_told_by_its_header(tmp_path, content, earlier):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    assert is_earlier_export(path) is earlier
