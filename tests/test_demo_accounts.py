"""`ari-desktop demo` on a new database: one demo account per role, with the password the README prints,
never into a database that has patients or accounts already."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import GUI_TODAY, open_store

from ari_desktop import demo
from ari_desktop.cli import cli
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.roles import ROLES


def run_demo(path, patients: int = 3):
    result = CliRunner().invoke(cli, ["--db", str(path), "--user", "tester", "demo", "--patients", str(patients)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_new_demo_database_has_one_account_per_role_and_says_their_password(db_path):
    said = run_demo(db_path)
    assert demo.DEMO_PASSWORD in said and "for trying the program only" in said
    with open_store(db_path) as store:
        accounts = {a.login: a for a in store.accounts.all()}
        assert sorted(role for a in accounts.values() for role in a.roles) == sorted(ROLES)
        assert set(accounts) == {login for login, _, _ in demo.ACCOUNTS}
        assert store.accounts.sign_in("admin", demo.DEMO_PASSWORD).login == "admin"
        assert [a.login for a in accounts.values() if a.must_change_password] == ["datamanager", "monitor", "nurse",
                                                                                  "physician"]
        with pytest.raises(ClinicalInputError, match="must choose a new password"):
            store.accounts.sign_in("nurse", demo.DEMO_PASSWORD)


def test_a_database_with_patients_gets_more_demo_patients_but_no_demo_account(db_path, add_patient):
    with open_store(db_path) as store:
        add_patient(store, "ARI-001", day0=GUI_TODAY)
    assert demo.DEMO_PASSWORD not in run_demo(db_path)
    with open_store(db_path) as store:
        assert store.accounts.all() == []
        assert len(store.patients.all()) == 4


def test_a_database_with_an_account_gets_no_demo_account(db_path):
    with open_store(db_path) as store:
        store.accounts.add("ana", "Ana García", ["admin"], "a-long-passphrase")
    run_demo(db_path)
    with open_store(db_path) as store:
        assert [a.login for a in store.accounts.all()] == ["ana"]


def test_the_window_opens_on_a_demo_database_as_before(qtbot, db_path, gui_settings):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.main_window import MainWindow

    run_demo(db_path, patients=5)
    with open_store(db_path) as store:
        window = MainWindow(Session(store))
        qtbot.addWidget(window)
        window.show()
        assert window.bedside_action.isEnabled() and not window.first_run_notice.isVisible()
        account = store.accounts.signed_in
        assert window.user_label.text().startswith(f"Working as <b>{account.full_name}</b> ({account.login})"
                                                   if account else "Nobody is signed in")
        window.close()
