"""`ari-desktop demo` on a new database: one demo account per role, with the password the README prints,
never into a database that has its own patients or accounts."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import GUI_TODAY, open_store, row_counts

from ari_desktop import demo
from ari_desktop.cli import cli
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.roles import ROLES


def run_demo(path, patients: int = 3):
    result = CliRunner().invoke(cli, ["--db", str(path), "demo", "--patients", str(patients)])
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


def test_a_demo_database_gets_more_demo_patients_written_by_its_accounts(db_path):
    run_demo(db_path)
    assert demo.DEMO_PASSWORD not in run_demo(db_path)  # no new account
    with open_store(db_path) as store:
        assert len(store.accounts.all()) == len(demo.ACCOUNTS)
        assert len(store.patients.all()) == 6
        writers = {user for (user,) in store.db.execute(
            "SELECT DISTINCT user FROM change_log WHERE table_name IN ('patients', 'recordings', 'assessments')")}
    assert writers == {"datamanager", "nurse", "physician"}


def test_the_demo_never_goes_beside_real_records_or_accounts(db_path, add_patient):
    with open_store(db_path) as store:  # the unit's own accounts (TEST_ACCOUNTS) and a patient
        add_patient(store, "ARI-001", day0=GUI_TODAY)
    before = row_counts(db_path)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "demo", "--patients", "3"])
    assert result.exit_code == 2 and "The demo cohort goes only into a new database or a demo one" in result.stderr
    assert row_counts(db_path) == before


def test_the_window_opens_on_a_demo_database_as_before(qtbot, db_path, gui_settings):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.main_window import MainWindow

    run_demo(db_path, patients=5)
    with open_store(db_path, "physician") as store:  # the demo's physician, signed in
        window = MainWindow(Session(store))
        qtbot.addWidget(window)
        window.show()
        assert window.bedside_action.isEnabled() and not window.first_run_notice.isVisible()
        assert window.user_label.text().startswith("Working as <b>Pau Demo</b> (physician)")
        window.close()
