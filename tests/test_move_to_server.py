"""`ari-desktop migrate --from unit.db --to postgresql://...`: a unit's file moves to its team's server with
every row and the change log's chain; counted and verified there; never into a database holding records."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from click.testing import CliRunner
from conftest import TEST_PASSWORD, make_demo, open_store

from ari_desktop.cli import cli
from ari_desktop.store import Store

TABLES = ("patients", "scheduled_items", "recordings", "assessments", "fraction_decisions", "accounts",
          "role_grants", "change_log", "signatures")


def move(source, address, login="admin", password="demo-password"):
    return CliRunner().invoke(cli, ["migrate", "--from", str(source), "--to", address, "--user", login,
                                    "--password-stdin"], input=password + "\n")


def counts_of_file(path):
    connection = sqlite3.connect(path)
    try:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        connection.close()


def test_every_row_moves_and_the_chain_verifies_on_the_server(tmp_path, server_database):
    unit = make_demo(tmp_path / "unit.db", 8)
    before = counts_of_file(unit)
    done = move(unit, server_database)
    assert done.exit_code == 0, done.output
    assert "chain intact" in done.stdout
    with Store(server_database, "check") as server:
        after = {t: server.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        count, broken = server.audit.verify()
        patients = [p.study_id for p in server.patients.all()]
        moved_event = server.db.execute("SELECT login, event FROM audit_events ORDER BY id DESC").fetchone()
    assert {t: n for t, n in after.items() if t != "change_log"} == {t: n for t, n in before.items()
                                                                      if t != "change_log"}
    assert after["change_log"] == before["change_log"] + 2  # the admin's log-in to the file, and the move
    assert broken is None and count == after["change_log"]
    assert len(patients) == 8 and moved_event == ("admin", "moved to the server")


def test_the_server_goes_on_after_the_moved_ids(tmp_path, server_database):
    unit = make_demo(tmp_path / "unit.db", 3)
    assert move(unit, server_database).exit_code == 0
    with open_store(server_database, "physician") as server:  # the demo's physician, moved with the rest
        server.patients.correct(server.patients.all()[0].study_id, "typed from the wrong form", birth_year=1961)
        assert server.audit.verify()[1] is None


def test_a_server_database_holding_records_is_refused_and_left_as_it_was(tmp_path, server_database):
    unit = make_demo(tmp_path / "unit.db", 3)
    assert move(unit, server_database).exit_code == 0
    with psycopg.connect(server_database) as connection:
        before = connection.execute("SELECT count(*) FROM change_log").fetchone()[0]
    again = move(unit, server_database)
    assert again.exit_code == 2 and "already holds records" in again.stderr
    assert again.stderr.count("\n") == 1
    with psycopg.connect(server_database) as connection:
        assert connection.execute("SELECT count(*) FROM change_log").fetchone()[0] == before


def test_only_an_administrator_moves_the_unit(tmp_path, server_database):
    unit = open_store(tmp_path / "unit.db")
    unit.close()
    done = move(unit.path, server_database, login="nurse", password=TEST_PASSWORD)
    assert done.exit_code == 2 and "You may not move the unit's database to its server" in done.stderr


@pytest.mark.parametrize("address", ["ward.db", "postgresql://ari:secret@host/ari"])
def test_a_wrong_address_is_one_sentence(tmp_path, address):
    unit = open_store(tmp_path / "unit.db")
    unit.close()
    done = move(unit.path, address, login="admin", password=TEST_PASSWORD)
    assert done.exit_code == 2 and done.stderr.count("\n") == 1 and "secret" not in done.stderr
