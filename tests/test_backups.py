"""Backups are checked when made and rotated; a restore refuses a file it cannot trust, keeps the
database it replaces, is logged, and brings back every record."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from conftest import GUI_NOW, GUI_TODAY, TEST_PASSWORD, open_store, row_counts

from ari_desktop.cli import cli
from ari_desktop.core.errors import StoreError
from ari_desktop.core.protocol import load_default
from ari_desktop.store import Store, backups

PROTOCOL = load_default()


@pytest.fixture
def clinic(db_path, add_patient):
    """A database with patients, a recording and a correction."""
    with open_store(db_path) as store:
        for n in range(1, 4):
            add_patient(store, f"ARI-00{n}", day0=GUI_TODAY)
        store.recordings.record("ARI-001", "D0", "sbcma", done_at=GUI_NOW)
        store.patients.correct("ARI-002", "typo at registration", initials="BA")
    return db_path


def restore(db, backup, *extra):
    """`ari-desktop restore` by the administrator, whose password is typed."""
    return CliRunner().invoke(cli, ["--db", str(db), "--user", "admin", "--password-stdin", "restore", str(backup),
                                    *extra], input=TEST_PASSWORD + "\n")


def every_row(path):
    connection = sqlite3.connect(path)
    try:
        return {table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("patients", "recordings", "scheduled_items", "role_grants", "accounts")}
    finally:
        connection.close()


def every_entry(path):
    with open_store(path) as store:
        return store.changes.all()


def test_a_backup_is_checked_and_a_restore_brings_back_every_record(clinic, tmp_path):
    before = every_row(clinic)
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path / "backups")
        store.patients.correct("ARI-003", "recorded after the backup", initials="CD")
    assert made.name == backups.backup_name(clinic, GUI_NOW) == f"ari-{GUI_NOW.astimezone(UTC):%Y%m%dT%H%M%S}Z.db"
    result = restore(clinic, made)
    assert result.exit_code == 0, result.output
    assert every_row(clinic) == before
    (replaced,) = clinic.parent.glob("ari.db.replaced-*")
    assert result.stdout == (f"Restored {clinic} from {made} ({len(every_entry(clinic))} audit-trail entries, chain "
                             f"intact); the database it replaced is kept as {replaced}.\n")
    with Store(replaced, "x", read_only=True) as kept:  # the database replaced is kept, with its last change
        assert kept.patients.get("ARI-003").initials == "CD"


def test_a_restore_is_itself_logged_and_the_chain_stays_intact(clinic, tmp_path):
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path)
    assert restore(clinic, made).exit_code == 0
    with open_store(clinic) as store:
        last = store.changes.all("audit_events")[-1]
        assert (last.new["event"], last.new["login"]) == ("restore", "admin")
        assert f"from {made}" in last.new["detail"]
        assert store.audit.verify()[1] is None


def test_a_restore_into_an_open_database_is_seen_by_the_program_that_has_it_open(clinic, tmp_path):
    with open_store(clinic) as window:
        made = backups.make_backup(window, tmp_path)
        window.patients.correct("ARI-003", "after the backup", initials="CD")
        assert restore(clinic, made).exit_code == 0
        assert window.patients.get("ARI-003").initials == "AB"


def test_a_truncated_backup_is_refused_and_the_database_is_untouched(clinic, tmp_path):
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path)
    data = made.read_bytes()
    made.write_bytes(data[: len(data) // 2 + 100])
    counts = row_counts(clinic)
    result = restore(clinic, made)
    assert result.exit_code == 2
    assert "is damaged (it was cut short" in result.stderr and result.stderr.count("\n") == 1
    assert row_counts(clinic) == counts
    assert not list(clinic.parent.glob("*.replaced-*"))


def test_a_backup_damaged_inside_is_refused(clinic, tmp_path):
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path)
    data = bytearray(made.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 3 + 8: page_size * 3 + 200] = b"\xff" * 192  # inside a page, the header intact
    made.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="damaged|cannot be trusted"):
        backups.check(made, PROTOCOL)


def test_a_file_of_another_program_or_not_a_database_is_refused(tmp_path):
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="another application"):
        backups.check(other, PROTOCOL)
    empty_sqlite = tmp_path / "empty.db"
    sqlite3.connect(empty_sqlite).execute("VACUUM")
    with pytest.raises(StoreError, match="not an ARI Desktop database"):
        backups.check(empty_sqlite, PROTOCOL)
    text = tmp_path / "notes.db"
    text.write_text("not a database")
    with pytest.raises(StoreError, match="not an SQLite file"):
        backups.check(text, PROTOCOL)


def test_a_backup_of_another_protocol_is_refused(clinic, tmp_path):
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path)
    connection = sqlite3.connect(made)
    connection.execute("UPDATE protocol_in_use SET code = 'ARI0001'")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="holds the records of the protocol ARI0001, not ARI0002h"):
        backups.check(made, PROTOCOL)


def test_a_backup_written_by_a_newer_version_is_refused(clinic, tmp_path):
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path)
    connection = sqlite3.connect(made)
    connection.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                       " VALUES ('ari_desktop', '999_future', '2030-01-01')")
    connection.commit()
    connection.close()
    assert "newer version of ARI Desktop" in restore(clinic, made).stderr


def test_a_backup_whose_audit_trail_was_edited_is_refused(clinic, tmp_path):
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path)
    connection = sqlite3.connect(made)
    connection.execute("DROP TRIGGER change_log_is_append_only_update")
    connection.execute("UPDATE change_log SET user = 'someone' WHERE id = 2")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="cannot be trusted: The change-log entry 2"):
        backups.check(made, PROTOCOL)


def test_a_restore_into_a_damaged_database_replaces_it_and_keeps_it_aside(clinic, tmp_path):
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path)
    clinic.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)
    result = restore(clinic, made)
    assert result.exit_code == 0, result.output
    assert {p.name for p in clinic.parent.glob("ari.db.replaced-*")}
    with open_store(clinic) as store:
        assert len(store.patients.all()) == 3


def test_the_restore_asks_for_an_administrator(clinic, tmp_path, monkeypatch):
    with open_store(clinic) as store:
        made = backups.make_backup(store, tmp_path)
    clinician = CliRunner().invoke(cli, ["--db", str(clinic), "restore", str(made)])  # the session of GUI_USER
    assert clinician.exit_code == 2 and "You may not restore a backup" in clinician.stderr
    monkeypatch.delenv("ARI_DESKTOP_TOKEN")
    nobody = CliRunner().invoke(cli, ["--db", str(clinic), "restore", str(made)], input="")
    assert nobody.exit_code == 2 and "Sign in first" in nobody.stderr
    done = restore(clinic, made)
    assert done.exit_code == 0, done.output


# -- rotation and the daily backup ------------------------------------------------------------------

def test_rotation_keeps_the_last_fourteen_days_and_twelve_months(tmp_path):
    database = tmp_path / "ari.db"
    start = datetime(2025, 1, 1, 12).astimezone()
    made = []
    for day in range(400):  # two backups a day for 400 days
        for hour in (0, 6):
            path = tmp_path / backups.backup_name(database, start + timedelta(days=day, hours=hour))
            path.write_bytes(b"")
            made.append(path)
    backups.rotate(database, tmp_path)
    kept = [at for at, _ in backups.backups_of(database, tmp_path)]
    days = {at.astimezone().date() for at in kept}
    months = {(at.astimezone().year, at.astimezone().month) for at in kept}
    assert len(kept) == len(days)  # one a day at most
    newest = (start + timedelta(days=399)).date()
    assert {newest - timedelta(days=n) for n in range(backups.DAILY_KEPT)} <= days
    assert len(months) == backups.MONTHLY_KEPT
    assert len(kept) <= backups.DAILY_KEPT + backups.MONTHLY_KEPT


def test_rotation_leaves_other_files_and_other_databases_backups_alone(tmp_path):
    database = tmp_path / "ari.db"
    other = tmp_path / backups.backup_name(tmp_path / "ward.db", GUI_NOW - timedelta(days=40))
    note = tmp_path / "ari-notes.db"
    for path in (other, note):
        path.write_bytes(b"")
    for n in range(40):
        (tmp_path / backups.backup_name(database, GUI_NOW - timedelta(days=n))).write_bytes(b"")
    removed = backups.rotate(database, tmp_path)
    assert other.exists() and note.exists()
    assert len(removed) >= 40 - backups.DAILY_KEPT - 2 and all(p.name.startswith("ari-20") for p in removed)


def test_the_due_backup_is_made_once_a_day(clinic, tmp_path):
    now = [GUI_NOW]
    with open_store(clinic, today=lambda: now[0].date(), now=lambda: now[0]) as store:
        first = backups.make_due_backup(store, tmp_path)
        assert first is not None and first.exists()
        now[0] += timedelta(hours=3)
        assert backups.make_due_backup(store, tmp_path) is None
        now[0] += timedelta(days=1)
        assert backups.make_due_backup(store, tmp_path) is not None
    assert len(backups.backups_of(clinic, tmp_path)) == 2


def test_the_backup_command_writes_a_checked_copy_in_the_folder_given(clinic, tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(clinic), "backup", "--to", str(tmp_path / "copies")])
    assert result.exit_code == 0, result.output
    (made,) = (tmp_path / "copies").iterdir()
    assert result.stdout == f"Backed up {clinic} to {made} (checked).\n"
    assert backups.check(made, PROTOCOL) > 0


def test_a_folder_restores_its_newest_backup_of_the_database(clinic, tmp_path):
    now = [GUI_NOW]
    with open_store(clinic, now=lambda: now[0]) as store:
        backups.make_backup(store, tmp_path / "copies")
        store.patients.correct("ARI-003", "between the backups", initials="CD")
        now[0] += timedelta(hours=1)
        newest = backups.make_backup(store, tmp_path / "copies")
    result = restore(clinic, tmp_path / "copies")
    assert result.exit_code == 0 and f"from {newest}" in result.stdout
    with open_store(clinic) as store:
        assert store.patients.get("ARI-003").initials == "CD"


def test_the_database_itself_is_not_restored_onto_itself(clinic):
    counts = row_counts(clinic)
    result = restore(clinic, clinic)
    assert result.exit_code == 2 and "is the database itself: nothing was restored" in result.stderr
    assert row_counts(clinic) == counts and not list(clinic.parent.glob("*.replaced-*"))


def test_a_backup_into_a_folder_that_cannot_be_made_is_one_sentence(clinic, tmp_path):
    (tmp_path / "a-file").write_text("")
    result = CliRunner().invoke(cli, ["--db", str(clinic), "backup", "--to", str(tmp_path / "a-file" / "copies")])
    assert result.exit_code == 2 and result.stderr.startswith("ari-desktop: No backup could be written in ")


def test_a_pipe_given_as_a_backup_or_a_database_is_refused_without_waiting_for_a_writer(clinic, tmp_path):
    import os

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(StoreError, match="not a backup: no such file"):
        backups.check(pipe, PROTOCOL)
    with pytest.raises(StoreError, match="pipe or socket, not an ARI Desktop database"):
        Store(pipe, "nurse")
