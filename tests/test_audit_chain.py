"""The audit trail is tamper-evident: each change-log entry carries the hash of the one before it, and
verify names the first entry edited, removed or added outside ARI Desktop (here, with sqlite3 on the file, or
as the server's superuser). Each test of a database runs on an SQLite file and on a server database."""

import sqlite3

import pytest
from click.testing import CliRunner
from conftest import open_store

from ari_desktop.cli import cli
from ari_desktop.core.audit import CHAIN_START, Entry, entry_hash, first_break
from ari_desktop.store import schema
from ari_desktop.store.engine import is_server


@pytest.fixture
def db_path(database):
    return database


@pytest.fixture
def recorded(db_path, add_patient):
    """A database with two patients and a correction: a few dozen entries."""
    with open_store(db_path) as store:
        add_patient(store, "ARI-001")
        add_patient(store, "ARI-002")
        store.patients.correct("ARI-001", "typo at registration", initials="BA")
        count, broken = store.audit.verify()
    assert broken is None and count >= 4
    return db_path


def by_hand(path, *statements):
    """What someone with the file and the sqlite3 module, or with the server's superuser, can do: the triggers
    go first."""
    if is_server(path):
        import psycopg

        with psycopg.connect(path) as connection:
            connection.execute("ALTER TABLE change_log DISABLE TRIGGER USER")
            for statement in statements:
                connection.execute(statement)
        return
    connection = sqlite3.connect(path)
    for trigger in ("change_log_is_append_only_update", "change_log_is_append_only_delete"):
        connection.execute(f"DROP TRIGGER {trigger}")
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


def verify(path):
    return CliRunner().invoke(cli, ["--db", str(path), "audit", "verify"])


def test_an_intact_chain_is_reported_with_its_length(recorded):
    result = verify(recorded)
    with open_store(recorded) as store:
        count = len(store.changes.all())
    assert (result.exit_code, result.stdout) == (0, f"{count} entries, chain intact.\n")


def test_a_change_log_entry_edited_by_hand_is_named(recorded):
    by_hand(recorded, "UPDATE change_log SET new_values = '{\"initials\": \"ZZ\"}' WHERE id = 3")
    result = verify(recorded)
    assert result.exit_code == 1
    assert result.stderr.startswith("ari-desktop: The change-log entry 3 (")
    assert "was altered (or inserted) outside ARI Desktop" in result.stderr


def test_a_change_log_entry_removed_by_hand_is_named(recorded):
    by_hand(recorded, "DELETE FROM change_log WHERE id = 2")
    result = verify(recorded)
    assert result.exit_code == 1
    assert "Change-log entry 2 was removed: the change-log entry 3 (" in result.stderr


def test_a_change_log_entry_inserted_by_hand_is_named(recorded):
    with open_store(recorded) as store:
        last = len(store.changes.all())
    by_hand(recorded, "INSERT INTO change_log (id, at, \"user\", table_name, row_id, action, new_values)"
                      " SELECT max(id) + 1, '2025-03-10T08:00:00+00:00', 'nobody', 'patients', 1, 'update', '{}'"
                      " FROM change_log")
    result = verify(recorded)
    assert result.exit_code == 1
    assert f"The change-log entry {last + 1} (2025-03-10T08:00:00+00:00, nobody, update of patients 1) was " \
           "inserted outside ARI Desktop" in result.stderr


def test_an_entry_inserted_with_a_copied_link_but_no_true_hash_is_named(recorded):
    by_hand(recorded, "INSERT INTO change_log (id, at, \"user\", table_name, row_id, action, new_values,"
                      " previous_hash, hash) SELECT id + 1, at, \"user\", table_name, row_id, action, new_values,"
                      " hash, hash FROM change_log"
                      " WHERE id = (SELECT max(id) FROM change_log)")
    assert "was altered (or inserted)" in verify(recorded).stderr


def test_the_hash_covers_every_field_and_the_previous_hash():
    entry = Entry(1, "2025-03-10T08:00:00+00:00", "nurse", "patients", 1, "insert", None, "{}", None)
    base = entry_hash(entry.fields(), CHAIN_START)
    for index in range(len(entry.fields())):
        changed = list(entry.fields())
        changed[index] = "other"
        assert entry_hash(changed, CHAIN_START) != base
    assert entry_hash(entry.fields(), "0" * 64) != base


def test_two_entries_removed_are_named_as_a_range():
    entries, previous = [], CHAIN_START
    for n in range(1, 5):
        fields = [n, "2025-03-10T08:00:00+00:00", "nurse", "patients", 1, "update", None, "{}", None]
        digest = entry_hash(fields, previous)
        entries.append(Entry(*fields, previous, digest))
        previous = digest
    assert first_break(entries) == (4, None)
    count, broken = first_break([entries[0], entries[3]])
    assert broken.startswith("Change-log entries 2 to 3 were removed")


@pytest.mark.file_only
def test_the_migration_links_the_entries_of_an_earlier_database(db_path):
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    earlier = Migrations(schema.MIGRATION_SET)
    for name, function in [m for m in schema.MIGRATIONS if m[0] < "007"]:  # a database from before the chain
        earlier(name=name)(lambda db, function=function: function(db.conn))
    db = sqlite_utils.Database(db_path)
    db.conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    earlier.apply(db)
    db.conn.execute("INSERT INTO patients (study_id, initials, sex, birth_year, protocol, screening_date)"
                    " VALUES ('ARI-001', 'AB', 'F', 1960, 'ARI0002h', '2026-09-01')")
    for n in range(3):
        db.conn.execute("INSERT INTO change_log (at, user, table_name, row_id, action, new_values)"
                        " VALUES ('2026-09-01T08:00:00+00:00', 'dr', 'patients', 1, 'update', ?)", [f'{{"n": {n}}}'])
    db.conn.commit()
    db.close()
    with open_store(db_path) as store:
        count, broken = store.audit.verify()
        assert broken is None and count >= 3
        assert [c.new for c in store.changes.all("patients")][:3] == [{"n": 0}, {"n": 1}, {"n": 2}]
