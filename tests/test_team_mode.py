"""Team mode: the store on a PostgreSQL server database (`--db postgresql://user@host/dbname`). What the
tests of the store check on both engines is in their own files (test_store, test_accounts, ...); here,
what is the server's alone: its privileges, its address, its migrations, and that a file never loads its
driver."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import psycopg
import pytest
from click.testing import CliRunner
from conftest import GUI_TODAY, open_store

from ari_desktop.cli import cli
from ari_desktop.core.errors import StoreError
from ari_desktop.store import Store, schema
from ari_desktop.store.backups import SERVER_BACKUP
from ari_desktop.store.engine import ServerAddress, connect, masked, placeholders


def test_opening_a_file_does_not_load_the_server_driver(tmp_path):
    """The SQLite path (one PC) pays nothing for team mode: psycopg is imported for a server address only."""
    script = ("import sys\n"
              "from ari_desktop.store import Store\n"
              f"Store({str(tmp_path / 'unit.db')!r}, 'x').close()\n"
              "print('psycopg' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"


def test_sqlites_placeholders_become_the_drivers_and_a_percent_sign_stays_itself():
    assert placeholders("SELECT x FROM t WHERE a = ? AND b LIKE '% ?' AND c = :name AND d::int > 0") == (
        "SELECT x FROM t WHERE a = %s AND b LIKE '%% ?' AND c = %(name)s AND d::int > 0")


def test_a_password_in_the_address_is_never_shown():
    assert masked("postgresql://nurse:s3cret@ward-server/ari") == "postgresql://nurse:***@ward-server/ari"
    assert masked("postgresql://nurse@/ari?host=/run&password=s3cret") == "postgresql://nurse@/ari?host=/run&password=***"
    with pytest.raises(StoreError) as refused:
        Store("postgresql://nurse:s3cret@/ari?host=/nonexistent-folder&port=1", "x")
    assert "s3cret" not in str(refused.value)
    assert str(refused.value).startswith("The server database postgresql://nurse:***@/ari?host=")


def test_a_new_server_database_gets_every_migration_once(server_database):
    open_store(server_database).close()
    with open_store(server_database) as store:  # opened again: nothing to do
        assert not schema.server_pending(store.db)
        assert [n for (n,) in store.db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")] == [
            name for name, _ in schema.MIGRATIONS]


def test_a_server_database_of_another_application_is_refused_and_left_untouched(server_database):
    with psycopg.connect(server_database) as other:
        other.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(StoreError, match="tables of another application"):
        Store(server_database, "x")
    with psycopg.connect(server_database) as other:
        assert other.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
                             ).fetchone() == (1,)


def test_a_server_database_is_backed_up_by_its_server(server_database):
    open_store(server_database).close()
    for command in (["backup"], ["restore", "somewhere.db"]):
        done = CliRunner().invoke(cli, ["--db", server_database, *command])
        assert (done.exit_code, done.stderr) == (2, f"ari-desktop: {SERVER_BACKUP}\n")


@pytest.fixture
def own_role(server_database, postgres_server):
    """The server database owned by a role of its own, as a unit's administrator would give ARI Desktop
    (not the superuser, whom no privilege binds); its address for that role."""
    name = "ari_app_" + hashlib.sha256(server_database.encode()).hexdigest()[:8]
    database = server_database.split("/")[3].split("?")[0]
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {name} LOGIN")
        admin.execute(f'ALTER DATABASE "{database}" OWNER TO {name}')
    yield server_database.replace("postgresql://postgres@", f"postgresql://{name}@", 1)
    with psycopg.connect(server_database, autocommit=True) as admin:
        admin.execute(f"REASSIGN OWNED BY {name} TO postgres")
        admin.execute(f"DROP OWNED BY {name}")
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" OWNER TO postgres')
        admin.execute(f"DROP ROLE {name}")


def test_the_applications_role_may_add_to_the_change_log_but_never_change_or_remove_it(own_role, add_patient):
    with open_store(own_role) as store:
        add_patient(store, "ARI-001")
        entries = store.db.execute("SELECT count(*) FROM change_log").fetchone()[0]
        assert store.audit.verify() == (entries, None)
    with psycopg.connect(own_role, autocommit=True) as app:
        for table in schema.APPEND_ONLY:
            for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}", f"TRUNCATE {table}"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(statement)
        assert app.execute("SELECT count(*) FROM change_log").fetchone() == (entries,)


def test_a_store_opened_again_from_its_address_reaches_the_same_database(server_database):
    with open_store(server_database) as store:
        again = connect(ServerAddress(store.path))
        try:
            assert again.execute("SELECT count(*) FROM accounts").fetchone() == (6,)
        finally:
            again.close()


def test_a_write_waiting_for_another_workstation_too_long_gets_a_sentence_and_the_store_stays_usable(
        server_database, add_patient, monkeypatch):
    from ari_desktop.store import engine

    monkeypatch.setattr(engine, "LOCK_SECONDS", 0.5)
    with open_store(server_database) as store, psycopg.connect(server_database) as other:
        other.execute(f"SELECT pg_advisory_xact_lock({engine.WRITE_LOCK})")  # another workstation, writing
        with pytest.raises(StoreError, match="is in use by another workstation"):
            add_patient(store, "ARI-001")
        other.rollback()
        add_patient(store, "ARI-001")
        assert [p.study_id for p in store.patients.all()] == ["ARI-001"]


def test_the_command_line_and_the_window_take_a_server_address_as_they_take_a_file(qtbot, server_database,
                                                                                    add_patient, tmp_path):
    from PySide6.QtGui import QImage

    from ari_desktop import launch
    from ari_desktop.gui import app

    with open_store(server_database) as store:
        add_patient(store, "ARI-001", day0=GUI_TODAY)
    listed = CliRunner().invoke(cli, ["--db", server_database, "patient", "list"])
    assert listed.exit_code == 0 and "ARI-001" in listed.stdout, listed.output
    assert launch.window_options(["--db", server_database, "--user", "nurse"]) == {"db": server_database,
                                                                                  "user": "nurse"}
    shot = tmp_path / "patients.png"
    assert app.run(server_database, screenshot=shot, view="patients", on=GUI_TODAY) == 0
    assert QImage(str(shot)).width() == 1280


def test_a_connection_the_server_cut_is_made_again_by_the_next_action(server_database, postgres_server,
                                                                        add_patient):
    """A server restart or a cut cable between two actions: the next one connects again and is done."""
    with open_store(server_database) as store:
        for _ in range(2):
            with psycopg.connect(postgres_server, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [store.db.backend_pid])
            store.patients.all()  # a read
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [store.db.backend_pid])
        add_patient(store, "ARI-040", day0=GUI_TODAY)  # a write: its transaction begins on the new connection
        assert [p.study_id for p in store.patients.all()] == ["ARI-040"]
