"""Files that cannot be trusted or written: each is refused, or read without a byte written, with one
sentence and never a traceback. Damaged (a page overwritten, cut short, emptied, not SQLite, a -wal
left from another state of the file), held by another program, read-only, and a new file opened by
several programs at once."""

from __future__ import annotations

import os
import pickle
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import cli_db, open_store

from ari_desktop.cli import cli
from ari_desktop.core.errors import StoreError
from ari_desktop.demo import DEMO_PASSWORD
from ari_desktop.store import Store, schema

ADD = ("patient", "add", "--study-id", "ARI-900", "--initials", "AB", "--sex", "F", "--birth-year", "1960",
       "--screening-date", "2025-03-01")
BACKUP = "restore it from your last backup copy"


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", cli_db(db), *args])


def said_once(result, sentence: str) -> None:
    """Exit 2, one line on stderr that holds the sentence, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert sentence in result.stderr, result.stderr


def files_of(path: Path) -> dict[str, bytes]:
    """What the file holds: the database and a -wal beside it with changes in it (a reader may leave an
    empty -wal, and a -shm, which is an index of the -wal and holds no record)."""
    held = [path, path.with_name(f"{path.name}-wal")]
    return {p.name: p.read_bytes() for p in held if p.exists() and p.stat().st_size}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A real demo file: 20 patients with their schedules, records and change log, checkpointed."""
    path = tmp_path_factory.mktemp("demo") / "ward.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "demo", "--patients", "20"]).exit_code == 0
    return path


@pytest.fixture(scope="module")
def demo_session(demo) -> str:
    """A command-line session of the demo's data manager (past the first log-in's password change), which
    every copy of the demo file holds."""
    with Store(demo, "set-up") as store:
        store.accounts.change_password("datamanager", DEMO_PASSWORD, "the data manager's own")
        token = store.accounts.start_session()
    checkpoint = sqlite3.connect(demo)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    return token


@pytest.fixture
def ward(demo, demo_session, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "ward.db"
    shutil.copy(demo, path)
    monkeypatch.setenv("ARI_DESKTOP_TOKEN", demo_session)
    return path


def pages_of(path: Path, table: str) -> list[int]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", [table])]
    finally:
        connection.close()


def overwrite_pages(path: Path, pages: list[int]) -> None:
    """What a failing disk or a bad copy does: whole pages of the file replaced by other bytes."""
    page_size = int.from_bytes(path.read_bytes()[16:18], "big")
    with path.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size)
            handle.write(b"\x5a" * page_size)


# -- damaged files ----------------------------------------------------------------------------------

def overwrite_middle_page(path: Path) -> None:
    overwrite_pages(path, [path.stat().st_size // 2 // 4096 + 1])


def overwrite_a_cell_pointer(path: Path) -> None:
    """Four bytes of a page's header: SQLite reads the page as if whole, quick_check sees rows out of order."""
    pages = pages_of(path, "change_log")
    page = pages[len(pages) // 2]
    with path.open("r+b") as handle:
        handle.seek((page - 1) * 4096 + 8)
        handle.write(b"\x07" * 4)


@pytest.mark.parametrize("damage, finding", [
    (overwrite_middle_page, "(SQLite says: database disk image is malformed)"),
    (overwrite_a_cell_pointer, "(SQLite says: On tree page "),
])
def test_a_page_overwritten_in_the_middle_of_the_file_is_found_before_anything_is_written(ward, damage, finding):
    damage(ward)
    before = files_of(ward)
    result = run(ward, *ADD)
    said_once(result, f"{ward} is damaged {finding}")
    assert result.stderr.endswith(f", so nothing was read or written: {BACKUP}.\n")
    assert files_of(ward) == before


def test_a_page_sqlite_finds_damaged_while_reading_stops_the_command_with_the_sentence(ward):
    overwrite_pages(ward, pages_of(ward, "scheduled_items"))
    before = files_of(ward)
    said_once(run(ward, "worklist"), f"{ward} is damaged (SQLite says: database disk image is malformed)")
    assert files_of(ward) == before


def test_once_damage_is_found_the_store_refuses_every_later_write(ward):
    overwrite_pages(ward, pages_of(ward, "change_log")[-3:])
    with open_store(ward) as store:
        for _ in range(2):
            with pytest.raises(StoreError, match=BACKUP):
                store.patients.correct("DEMO-0001", "typo", initials="CD")
    assert open_store_initials(ward, "DEMO-0001") != "CD"


def open_store_initials(path: Path, study_id: str) -> str:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT initials FROM patients WHERE study_id = ?", [study_id]).fetchone()[0]
    finally:
        connection.close()


def cut_at_a_page(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2 // 4096 * 4096])


def cut_mid_page(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2 + 123])


def emptied(path: Path) -> None:
    path.write_bytes(b"")


def not_sqlite(path: Path) -> None:
    path.write_bytes(b"%PDF-1.4 a printed worklist saved under the wrong name")


def first_page_overwritten(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:400] = b"\xff" * 300  # the header survives; the list of tables after it does not
    path.write_bytes(bytes(data))


def wal_of_another_state(path: Path) -> None:
    """A backup copied back over the file while the -wal of the newer file was left beside it."""
    older = path.with_name("older.db")
    shutil.copy(path, older)
    connection = sqlite3.connect(older)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.execute("VACUUM")  # the pages of the older file are laid out otherwise
    connection.close()
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("DELETE FROM scheduled_items WHERE id % 2 = 0")
    writer.commit()
    newer_wal = Path(f"{path}-wal").read_bytes()
    writer.close()
    older.replace(path)
    Path(f"{path}-wal").write_bytes(newer_wal)
    Path(f"{path}-shm").unlink(missing_ok=True)


@pytest.mark.parametrize("damage, sentence", [
    (cut_at_a_page, "is damaged (it was cut short: "),
    (cut_mid_page, "is damaged (it was cut short in the middle of a page)"),
    (first_page_overwritten, "is damaged (SQLite says: database disk image is malformed)"),
    (wal_of_another_state, "is damaged (SQLite says: malformed database schema"),
    (emptied, "is empty (0 bytes), not an ARI Desktop database: if it held records, restore it from your last"),
    (not_sqlite, "is not an ARI Desktop database (it is not an SQLite file)"),
])
@pytest.mark.parametrize("command", [("patient", "list"), ("worklist",), ADD])
def test_a_damaged_file_is_refused_for_reading_and_writing_and_left_as_it_was(ward, damage, sentence, command):
    damage(ward)
    before = files_of(ward)
    said_once(run(ward, *command), f"{ward} {sentence}")
    assert files_of(ward) == before


def test_the_installed_command_says_a_damaged_file_in_one_sentence(ward):
    cut_mid_page(ward)
    done = subprocess.run([sys.executable, "-m", "ari_desktop", "--db", str(ward), *ADD], capture_output=True,
                          text=True)
    assert done.returncode == 2
    assert done.stderr.startswith(f"ari-desktop: {ward} is damaged") and done.stderr.count("\n") == 1


# -- in use by another program ----------------------------------------------------------------------

@pytest.mark.parametrize("command", [("patient", "list"), ADD])
def test_a_file_held_in_exclusive_mode_is_in_use_after_a_bounded_wait(ward, monkeypatch, command):
    monkeypatch.setattr(schema, "BUSY_SECONDS", 0.5)
    other = sqlite3.connect(ward)
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("SELECT count(*) FROM patients").fetchone()  # in WAL mode the lock is taken by a read
        started = time.perf_counter()
        result = run(ward, *command)
        waited = time.perf_counter() - started
    finally:
        other.close()
    said_once(result, f"{ward} is in use by another program (waited 0.5 seconds); close it there, or try again")
    assert 0.5 <= waited < 3
    assert run(ward, "patient", "list").exit_code == 0  # once it is let go, it opens


# -- read-only --------------------------------------------------------------------------------------

def test_a_store_opened_read_only_reads_and_refuses_every_write_with_the_sentence(ward):
    before = files_of(ward)
    with open_store_read_only(ward) as store:
        assert len(store.patients.all()) == 20
        with pytest.raises(StoreError) as refused:
            store.patients.correct("DEMO-0001", "typo", initials="CD")
    assert str(refused.value) == f"{ward} is read-only here: you can look, not record."
    assert files_of(ward) == before


def open_store_read_only(path: Path):
    from ari_desktop.store import Store
    return Store(path, "nurse", read_only=True)


def test_a_read_only_store_does_not_create_a_new_file(tmp_path):
    with pytest.raises(StoreError, match="cannot be created"):
        open_store_read_only(tmp_path / "new.db")
    assert list(tmp_path.iterdir()) == []


def as_unprivileged(function: Callable[[], object]) -> object:
    """Run `function` where file permissions hold: here if this is not root; as root, in a forked child
    that became the user nobody (root reads and writes any file whatever its mode)."""
    if os.geteuid() != 0:
        return function()
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root, and there is no user 'nobody' to test file permissions as")
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read_end)
        try:
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            outcome = ("returned", function())
        except BaseException as error:  # reported to the parent, which fails the test
            outcome = ("raised", repr(error))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(child, 0)
    kind, value = pickle.loads(data)
    assert kind == "returned", value
    return value


@pytest.fixture
def shared_folder(demo, demo_session, monkeypatch) -> Iterator[Path]:
    """A folder any user can reach (pytest's own are its user's alone), with a copy of the demo file."""
    monkeypatch.setenv("ARI_DESKTOP_TOKEN", demo_session)
    folder = Path(tempfile.mkdtemp(prefix="ari-read-only-"))
    folder.chmod(0o777)
    shutil.copy(demo, folder / "ward.db")
    (folder / "ward.db").chmod(0o644)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder)


def look_and_record(path: Path) -> list[tuple[int, str, str]]:
    return [(r.exit_code, r.stdout, r.stderr) for r in (run(path, "patient", "list"), run(path, *ADD))]


def left_a_change_in_the_wal(path: Path) -> None:
    """The -wal and -shm a program leaves when it stops before its last checkpoint."""
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("UPDATE patients SET initials = 'WL' WHERE study_id = 'DEMO-0001'")
    writer.commit()
    kept = {name: (path.parent / name).read_bytes() for name in (f"{path.name}-wal", f"{path.name}-shm")}
    writer.close()
    for name, data in kept.items():
        (path.parent / name).write_bytes(data)


@pytest.mark.parametrize("case", ["file read-only", "folder read-only", "folder read-only, changes in the -wal"])
def test_a_file_this_user_cannot_write_is_read_and_each_write_refused_with_the_sentence(shared_folder, case):
    path = shared_folder / "ward.db"
    look_and_record(shutil.copy(path, shared_folder / "warm-up.db"))  # imports done before any fork
    (shared_folder / "warm-up.db").unlink()
    for extra in shared_folder.glob("warm-up.db*"):
        extra.unlink()
    if case.endswith("-wal"):
        left_a_change_in_the_wal(path)
    for file in shared_folder.iterdir():
        file.chmod(0o444)
    if case.startswith("folder"):
        shared_folder.chmod(0o555)
    before = files_of(path)
    (listed, listing, _), (recorded, _, refusal) = as_unprivileged(lambda: look_and_record(path))
    assert listed == 0 and len(listing.splitlines()) == 20
    assert ("DEMO-0001    WL" in listing) == case.endswith("-wal")  # what the -wal holds is read too
    assert recorded == 2 and refusal == f"ari-desktop: {path} is read-only here: you can look, not record.\n"
    assert files_of(path) == before


def test_a_wal_that_needs_a_shm_file_the_folder_will_not_let_be_made_is_said(shared_folder):
    path = shared_folder / "ward.db"
    left_a_change_in_the_wal(path)
    (shared_folder / "ward.db-shm").unlink()
    look_and_record(shutil.copy(path, shared_folder / "warm-up.db"))
    for extra in shared_folder.glob("warm-up.db*"):
        extra.unlink()
    shared_folder.chmod(0o555)
    (listed, _, said), _ = as_unprivileged(lambda: look_and_record(path))
    assert listed == 2 and said.startswith(f"ari-desktop: {path} cannot be read here: its last changes are still in")


def test_the_window_shows_a_read_only_notice_and_refuses_a_registration_beside_the_form(qtbot, ward, gui_settings):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.main_window import MainWindow
    from ari_desktop.gui.patients.register_dialog import RegisterPatientDialog

    before = files_of(ward)
    store = open_store_read_only(ward)
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.show()
    sentence = f"{ward} is read-only here: you can look, not record."
    assert window.read_only_notice.isVisible() and window.read_only_notice.text() == sentence
    dialog = RegisterPatientDialog(Session(store))
    qtbot.addWidget(dialog)
    dialog.study_id.setText("ARI-900")
    dialog.initials.setText("AB")
    dialog.sex.setCurrentIndex(dialog.sex.findData("F"))
    dialog.birth_year.setText("1960")
    dialog.screening.setText("2025-03-01")
    dialog.accept()
    assert dialog.errors.fallback.isVisibleTo(dialog) and dialog.errors.text("form") == sentence
    store.close()
    assert files_of(ward) == before


def test_the_window_says_damage_a_view_found_in_one_sentence(qtbot, ward, monkeypatch):
    from PySide6.QtWidgets import QMainWindow

    from ari_desktop.gui import app

    shown = []
    monkeypatch.setattr(app.QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    others = []
    with open_store(ward) as store:
        window = QMainWindow()
        qtbot.addWidget(window)
        hook = app.file_errors_said(store, window, lambda *exc: others.append(exc))
        hook(sqlite3.DatabaseError, sqlite3.DatabaseError("database disk image is malformed"), None)
        hook(ValueError, ValueError("a bug"), None)
        with pytest.raises(StoreError, match=BACKUP):
            store.patients.correct("DEMO-0001", "typo", initials="CD")
    assert shown == [f"{ward} is damaged (SQLite says: database disk image is malformed), so nothing was read or "
                     "written: restore it from your last backup copy."]
    assert window.statusBar().currentMessage() == shown[0]
    assert len(others) == 1


# -- a new file opened by several programs at once --------------------------------------------------

OPEN_AT = """
import sys, time
import sqlite_utils.migrations  # imported before the instant, so that the programs meet at the file
from ari_desktop.cli import cli
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
cli(["--db", sys.argv[2], "--user", "nurse", "patient", "list"])
"""


def open_all_at_once(path: Path, programs: int) -> list[subprocess.CompletedProcess]:
    """Start the programs, let each import what it needs, then have them open the file at one instant."""
    at = time.time() + 3
    running = [subprocess.Popen([sys.executable, "-c", OPEN_AT, str(at), str(path)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(programs)]
    return [subprocess.CompletedProcess(p.args, p.wait(60), *p.communicate()) for p in running]


def applied_once(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        names = [row[0] for row in connection.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert names == [name for name, _ in schema.MIGRATIONS]
        assert connection.execute("SELECT count(*) FROM protocol_in_use").fetchone() == (1,)
        assert connection.execute("SELECT count(*) FROM change_log").fetchone() == (1,)
        assert connection.execute("PRAGMA application_id").fetchone() == (schema.APPLICATION_ID,)
        assert connection.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    finally:
        connection.close()


def test_a_new_file_opened_by_six_programs_at_once_is_made_once_and_every_one_opens_it(tmp_path):
    path = tmp_path / "ward.db"
    done = open_all_at_once(path, 6)
    assert [d.returncode for d in done] == [0] * 6, [d.stderr for d in done]
    assert not any(d.stderr for d in done)
    applied_once(path)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("ward.db")) == []


def test_a_file_of_an_earlier_version_opened_by_six_programs_at_once_is_migrated_once(tmp_path):
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    path = tmp_path / "ward.db"
    earlier = Migrations(schema.MIGRATION_SET)
    for name, function in schema.MIGRATIONS[:-1]:
        earlier(name=name)(lambda db, function=function: function(db.conn))
    db = sqlite_utils.Database(path)
    db.conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    db.conn.execute("PRAGMA journal_mode = WAL")
    earlier.apply(db)
    db.close()
    done = open_all_at_once(path, 6)
    assert [d.returncode for d in done] == [0] * 6, [d.stderr for d in done]
    assert not any(d.stderr for d in done)
    applied_once(path)
