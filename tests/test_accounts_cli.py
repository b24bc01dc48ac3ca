"""Accounts on the command line: passwords asked or read from standard input, never arguments; a
session token that expires; one sentence and exit code 2 for what is refused, nothing written."""

import json
import stat
from datetime import timedelta

import click
import pytest
from click.testing import CliRunner
from conftest import file_digest

from ari_desktop.cli import cli
from ari_desktop.core.accounts import SESSION_HOURS, WRONG_LOG_IN
from ari_desktop.core.dates import local_now
from ari_desktop.paths import session_file
from ari_desktop.store import Store


@pytest.fixture(autouse=True)
def config_folder(tmp_path, monkeypatch):
    """Session tokens go to a config folder of this test only."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("ARI_DESKTOP_TOKEN", raising=False)
    monkeypatch.setenv("ARI_DESKTOP_USER", "workstation")  # who set up the first account: the computer's user


def run(db, *args, input=None, env=None):
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=input, env=env)


@pytest.fixture
def unit(db_path):
    """ana (admin, signed in with a saved session) and nuria (nurse, her own password chosen)."""
    assert run(db_path, "user", "add", "--login", "ana", "--full-name", "Ana García", "--role", "admin",
               "--password-stdin", input="admin-passphrase\n").exit_code == 0
    assert run(db_path, "login", "--user", "ana", "--password-stdin", input="admin-passphrase\n").exit_code == 0
    assert run(db_path, "user", "add", "--login", "nuria", "--full-name", "Nuria López", "--role", "nurse",
               "--password-stdin", input="given-by-the-admin\n").exit_code == 0
    changed = run(db_path, "user", "passwd", "--user", "nuria", "--password-stdin",
                  input="given-by-the-admin\nmy own words now\n")
    assert changed.exit_code == 0, changed.output
    return db_path


def every_command(command=cli):
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from every_command(sub)


def test_no_command_takes_a_password_as_an_argument():
    names = {name for command in every_command() for param in command.params for name in param.opts}
    assert not {name for name in names if "password" in name} - {"--password-stdin"}


def test_the_password_is_asked_with_hidden_typing_and_confirmed(db_path):
    result = run(db_path, "user", "add", "--login", "ana", "--full-name", "Ana García", "--role", "admin",
                 input="admin-passphrase\nadmin-passphrase\n")
    assert result.exit_code == 0, result.output
    assert "admin-passphrase" not in result.output  # hidden: the terminal shows no echo


def test_login_saves_a_token_only_the_user_may_read_and_logout_ends_it(unit):
    path = session_file(unit)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run(unit, "user", "roles", "nuria", "--grant", "physician").exit_code == 0
    assert run(unit, "logout").stdout == "Signed out.\n"
    assert not path.exists()
    refused = run(unit, "user", "roles", "nuria", "--grant", "data-manager")
    assert refused.exit_code == 2 and "Sign in first" in refused.stderr


def test_a_printed_token_works_from_the_environment(unit):
    token = run(unit, "login", "--user", "ana", "--password-stdin", "--print-token",
                input="admin-passphrase\n").stdout.strip()
    session_file(unit).unlink()
    result = run(unit, "user", "roles", "nuria", "--grant", "physician", env={"ARI_DESKTOP_TOKEN": token})
    assert result.exit_code == 0, result.output


def test_a_wrong_password_is_one_sentence_exit_2_and_counted(unit):
    result = run(unit, "login", "--user", "nuria", "--password-stdin", input="not-the-password\n")
    assert (result.exit_code, result.stderr) == (2, f"ari-desktop: {WRONG_LOG_IN}\n")
    with Store(unit, "x") as store:
        assert store.accounts.get("nuria").failed_log_ins == 1


def test_five_wrong_passwords_lock_the_account(unit):
    for _ in range(4):
        run(unit, "login", "--user", "nuria", "--password-stdin", input="not-the-password\n")
    locked = run(unit, "login", "--user", "nuria", "--password-stdin", input="not-the-password\n")
    assert locked.exit_code == 2 and "locked after 5 failed log-ins" in locked.stderr
    assert "locked" in run(unit, "login", "--user", "nuria", "--password-stdin", input="my own words now\n").stderr


def test_a_deactivated_account_cannot_sign_in(unit):
    assert run(unit, "user", "deactivate", "nuria", "--reason", "left the unit").exit_code == 0
    result = run(unit, "login", "--user", "nuria", "--password-stdin", input="my own words now\n")
    assert result.exit_code == 2 and "deactivated" in result.stderr


def test_an_expired_token_is_refused(unit):
    with Store(unit, "x", now=lambda: local_now() - timedelta(hours=SESSION_HOURS, minutes=1)) as earlier:
        earlier.accounts.sign_in("ana", "admin-passphrase")
        token = earlier.accounts.start_session()
    result = run(unit, "user", "roles", "nuria", "--grant", "physician", env={"ARI_DESKTOP_TOKEN": token})
    assert result.exit_code == 2 and "Your session ended at" in result.stderr


def test_a_nurse_managing_accounts_is_refused_and_the_database_is_unchanged(unit):
    run(unit, "logout")
    assert run(unit, "login", "--user", "nuria", "--password-stdin", input="my own words now\n").exit_code == 0
    before = file_digest(unit)
    for args, stdin in ((["user", "add", "--login", "pablo", "--full-name", "Pablo Ruiz", "--role", "admin",
                          "--password-stdin"], "pablo-passphrase\n"),
                        (["user", "deactivate", "ana", "--reason", "a try"], None),
                        (["user", "roles", "nuria", "--grant", "admin"], None),
                        (["user", "passwd", "--reset", "ana", "--password-stdin"], "taken-over-now\n")):
        result = run(unit, *args, input=stdin)
        assert result.exit_code == 2, args
        assert result.stderr == ("ari-desktop: You may not add, deactivate or reset accounts and grant or revoke "
                                 "roles: nuria (nurse) does not hold the role it needs (admin).\n")
    assert file_digest(unit) == before


def test_without_a_session_a_second_account_is_refused(unit):
    run(unit, "logout")
    result = run(unit, "user", "add", "--login", "pablo", "--full-name", "Pablo Ruiz", "--role", "nurse",
                 "--password-stdin", input="pablo-passphrase\n")
    assert result.exit_code == 2 and "Sign in first" in result.stderr


def test_an_administrator_signs_in_for_one_command_with_user(unit):
    run(unit, "logout")
    result = run(unit, "user", "add", "--login", "pablo", "--full-name", "Pablo Ruiz", "--role", "physician",
                 "--user", "ana", "--password-stdin", input="admin-passphrase\npablo-passphrase-1\n")
    assert result.exit_code == 2  # the password holds the login: refused
    assert "must not contain the login" in result.stderr
    result = run(unit, "user", "add", "--login", "pablo", "--full-name", "Pablo Ruiz", "--role", "physician",
                 "--user", "ana", "--password-stdin", input="admin-passphrase\ngiven-to-him-now\n")
    assert result.stdout == "Added pablo (Pablo Ruiz): physician; password set (to be changed at the first log-in).\n"


def test_the_lists_and_the_access_review_as_json(unit):
    accounts = json.loads(run(unit, "user", "list", "--json").stdout)
    assert [(a["login"], a["roles"], a["active"]) for a in accounts] == [("ana", ["admin"], True),
                                                                        ("nuria", ["nurse"], True)]
    review = json.loads(run(unit, "access-review", "--json").stdout)  # ana, an administrator, may read it
    assert [(g["login"], g["role"], g["granted_by"], g["revoked_at"]) for g in review] == [
        ("ana", "admin", "workstation", None), ("nuria", "nurse", "ana", None)]


def test_the_audit_list_shows_log_ins_by_user(unit):
    run(unit, "login", "--user", "nuria", "--password-stdin", input="not-the-password\n")
    listed = run(unit, "audit", "--user", "nuria").stdout
    assert "nuria (Nuria López)  Failed log-in  wrong password (1 of 5)" in listed
    entries = json.loads(run(unit, "audit", "--user", "ana", "--json").stdout)
    assert {e["table"] for e in entries} >= {"accounts", "role_grants", "sessions"}
