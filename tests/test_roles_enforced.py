"""The role table is enforced where the data is written, in the store's one write path: whichever front
end calls it, a role acting outside its rights is refused in one sentence and nothing is written. Each test
of a database runs on an SQLite file and on a server database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import GUI_NOW, GUI_TODAY, TEST_PASSWORD, open_store, refused, row_counts, sign_in

from ari_desktop.cli import cli
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.roles import WRITES
from ari_desktop.core.toxicity import BedsideFindings
from ari_desktop.store import Store
from ari_desktop.store.schema import DERIVED_TABLES

DAY0 = GUI_TODAY - timedelta(days=3)


@pytest.fixture
def db_path(database):
    return database


@pytest.fixture
def unit(db_path):
    """ARI-001, given fraction 1 on day 0, with one assessment; the clinician signed in."""
    with open_store(db_path) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(DAY0 - timedelta(days=40), DAY0),
                                             store.protocol, GUI_TODAY))
        store.assessments.add("ARI-001", GUI_NOW - timedelta(hours=2), BedsideFindings(37.0, ice=10))
        yield store


def register(store):
    return store.patients.add(check_new_patient("ARI-002", "CD", "M", 1955, Anchors(GUI_TODAY), store.protocol,
                                                GUI_TODAY))


ACTS = {
    "register": register,
    "record-collection": lambda s: s.recordings.record("ARI-001", "D+3", "sbcma", done_at=GUI_NOW),
    "assess": lambda s: s.assessments.add("ARI-001", GUI_NOW, BedsideFindings(37.2, ice=10)),
    "decide-fraction": lambda s: s.fractions.decide("ARI-001", "D+3", "hold", "fever this morning", GUI_NOW),
    "record-toxicity": lambda s: s.events.add("ARI-001", "infection", GUI_TODAY, grade=2),
    "correct": lambda s: s.patients.correct("ARI-001", "typed from the wrong form", birth_year=1961),
}
# Who may not, for each act (core/roles.ACTIONS); each is tried and refused.
REFUSED = [("register", "nurse"), ("register", "monitor"), ("register", "admin"),
           ("record-collection", "monitor"), ("record-collection", "admin"),
           ("assess", "datamanager"), ("assess", "monitor"),
           ("decide-fraction", "nurse"), ("decide-fraction", "datamanager"), ("decide-fraction", "admin"),
           ("record-toxicity", "monitor"), ("correct", "monitor"), ("correct", "admin")]


@pytest.mark.parametrize(("act", "login"), REFUSED)
def test_a_role_acting_outside_its_rights_is_refused_in_the_store_and_nothing_is_written(unit, db_path, act, login):
    sign_in(unit, login)
    before = row_counts(db_path)
    error = refused("role", ACTS[act], unit)
    assert str(error).startswith("You may not ") and f"{login} (" in str(error)
    assert row_counts(db_path) == before


@pytest.mark.parametrize("act", sorted(ACTS))
def test_each_act_is_done_by_a_role_that_may(unit, act):
    sign_in(unit, {"register": "datamanager", "decide-fraction": "physician", "assess": "nurse"}.get(act, "nurse"))
    ACTS[act](unit)


def test_every_table_written_says_which_action_it_needs():
    tables = {name for (name,) in open_store_tables()}
    assert tables - {"change_log", "_sqlite_migrations", *DERIVED_TABLES} <= set(WRITES)


def open_store_tables():
    import sqlite3
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        Store(Path(folder) / "t.db", "x").close()
        connection = sqlite3.connect(Path(folder) / "t.db")
        try:
            return connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                      " AND name NOT LIKE 'sqlite_%'").fetchall()
        finally:
            connection.close()


def test_nobody_signed_in_writes_nothing(db_path):
    with open_store(db_path, "workstation") as store:  # not an account: nobody signed in
        before = row_counts(db_path)
        error = refused("user", register, store)
    assert str(error).startswith("Sign in first")
    assert row_counts(db_path) == before


def test_a_database_without_accounts_asks_for_its_administrator_first(database):
    with Store(database, "workstation") as store:
        error = refused("user", register, store)
    assert "has no account yet: its administrator is created first" in str(error)


def test_the_command_line_is_refused_by_the_same_rule_with_exit_2(unit, db_path):
    unit.close()
    before = row_counts(db_path)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "--user", "nurse", "--password-stdin", "patient", "add",
                                      "--study-id", "ARI-002", "--initials", "CD", "--sex", "M", "--birth-year",
                                      "1955", "--screening-date", str(GUI_TODAY)], input=TEST_PASSWORD + "\n")
    assert result.exit_code == 2
    assert result.stderr == ("ari-desktop: You may not register a patient or change their dates: nurse (nurse) does "
                             "not hold the role it needs (physician or data-manager).\n")
    after = row_counts(db_path)
    assert {k: v for k, v in after.items() if k != "change_log"} == {k: v for k, v in before.items()
                                                                      if k != "change_log"}
    assert after["change_log"] == before["change_log"] + 1  # only the nurse's log-in


def test_what_is_recorded_is_stamped_with_the_signed_in_login(unit):
    sign_in(unit, "nurse")
    unit.recordings.record("ARI-001", "D+3", "sbcma", done_at=GUI_NOW)
    (user,) = unit.db.execute('SELECT "user" FROM change_log WHERE table_name = \'recordings\' ORDER BY id DESC'
                              ).fetchone()
    assert user == "nurse"
    assert unit.assessments.of("ARI-001")[0].assessor == "clinician"  # who was signed in then


def test_the_window_says_the_refusal_beside_the_form_and_writes_nothing(qtbot, db_path, gui_settings):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.main_window import MainWindow

    with open_store(db_path, "nurse") as store:
        window = MainWindow(Session(store))
        qtbot.addWidget(window)
        window.show()
        dialog = window.register_patient()
        dialog.study_id.setText("ARI-009")
        dialog.initials.setText("EF")
        dialog.sex.setCurrentIndex(dialog.sex.findData("F"))
        dialog.birth_year.set_value(1970)
        dialog.screening.set_value(GUI_TODAY)
        before = row_counts(db_path)
        dialog.accept()
        assert dialog.isVisible()
        assert "You may not register a patient" in dialog.errors.text("role")
        assert row_counts(db_path) == before
        dialog.done(0)
        window.close()


def test_the_window_keeps_off_what_the_signed_in_role_may_not_do_and_says_why(qtbot, unit, gui_settings):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.main_window import MainWindow

    sign_in(unit, "nurse")
    window = MainWindow(Session(unit))
    qtbot.addWidget(window)
    assert window.bedside_action.isEnabled() and window.record_action.isEnabled()
    for action in (window.register_action, window.fraction_action, window.death_action, window.export_action):
        assert not action.isEnabled()
        assert action.toolTip().startswith("You may not ") and "nurse (nurse)" in action.toolTip()
    sign_in(unit, "physician")
    window.update_actions()  # as after a switch of user
    assert window.register_action.isEnabled() and window.fraction_action.isEnabled()
    assert window.register_action.toolTip() == "Register a new patient"
