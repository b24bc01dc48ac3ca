"""The window's log-in: one sentence for any refused log-in, the lock-out, a deactivated account, the first
administrator of a new database (or the demo cohort), the change of a given password, the idle lock and
log-out, and the switch of user at a shared bedside PC, where a form opened by one person is never saved as
another's."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import GUI_TODAY, GUI_USER, TEST_ACCOUNTS, TEST_PASSWORD, open_store, sign_in
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from test_gui_window import watchdog

from ari_desktop.core.accounts import MAX_FAILED_LOG_INS, WRONG_LOG_IN
from ari_desktop.gui import app, main_window
from ari_desktop.gui.login import flow as login_flow
from ari_desktop.gui.login.dialogs import ChangePasswordDialog, FirstAdministratorDialog, LockDialog, LogInDialog
from ari_desktop.gui.login.flow import LogIn
from ari_desktop.gui.main_window import MainWindow
from ari_desktop.store import Store

pytestmark = pytest.mark.usefixtures("gui_settings")

NOBODY = "ward-pc"  # the name a store is opened with before anyone signs in


@pytest.fixture(autouse=True)
def no_dialog_left_open(qapp):
    """The log-in dialogs are application-modal: one left open would answer for the next test's."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            widget.done(QDialog.DialogCode.Rejected)


@pytest.fixture
def nobody(db_path):
    """The test database, with its accounts, and nobody signed in."""
    store = open_store(db_path, NOBODY)
    yield store
    store.close()


class Flow:
    """A log-in started, and what it finished with."""

    def __init__(self, qtbot, store, **options):
        self.results = []
        self.flow = LogIn(store, **options)
        self.flow.finished.connect(self.results.append)
        self.flow.start()
        self.qtbot = qtbot

    @property
    def dialog(self):
        return self.flow.dialog

    def type(self, **fields) -> None:
        for name, text in fields.items():
            getattr(self.dialog, name).setText(text)

    def enter(self) -> None:
        """Enter in the last field typed into: the default button."""
        field = self.dialog.focusWidget() or self.dialog
        self.qtbot.keyClick(field, Qt.Key.Key_Return)


def audit(path: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT event, login, detail FROM audit_events ORDER BY id").fetchall()


def failed_log_ins(path: Path, login: str) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT failed_log_ins FROM accounts WHERE login = ?", [login]).fetchone()[0]


def as_admin(store: Store, call) -> None:
    """Do what an administrator does (reset a password, deactivate), then nobody is signed in again."""
    sign_in(store, "admin")
    call()
    login_flow.sign_out(store)


# -- log-in ---------------------------------------------------------------------------------------------

def test_the_right_password_signs_in_and_enter_is_the_sign_in_button(qtbot, nobody):
    log_in = Flow(qtbot, nobody, login="nurse")
    assert isinstance(log_in.dialog, LogInDialog)
    assert log_in.dialog.login.text() == "nurse"
    assert log_in.dialog.password.echoMode() == QLineEdit.EchoMode.Password
    log_in.dialog.password.setFocus()
    log_in.type(password=TEST_PASSWORD)
    log_in.enter()
    assert [a.login for a in log_in.results] == ["nurse"]
    assert nobody.accounts.signed_in.login == "nurse" and nobody.user == "nurse"
    assert audit(nobody.path)[-1] == ("log-in", "nurse", None)


@pytest.mark.parametrize("login", ["nurse", "nobody-of-that-name"])
def test_a_wrong_password_or_an_unknown_login_is_the_same_one_sentence_beside_the_password(qtbot, nobody, login):
    log_in = Flow(qtbot, nobody)
    log_in.type(login=login, password="not-the-password")
    log_in.dialog.accept()
    assert log_in.dialog.isVisible() and log_in.results == []
    assert log_in.dialog.errors.text("password") == WRONG_LOG_IN
    assert log_in.dialog.password.text() == ""  # typed again, never shown
    assert nobody.accounts.signed_in is None
    assert audit(nobody.path)[-1][:2] == ("log-in failed", login)
    if login == "nurse":
        assert failed_log_ins(nobody.path, "nurse") == 1


def test_the_account_locks_after_five_failed_log_ins_even_for_the_right_password(qtbot, nobody):
    log_in = Flow(qtbot, nobody, login="nurse")
    for _ in range(MAX_FAILED_LOG_INS):
        log_in.type(password="not-the-password")
        log_in.dialog.accept()
    locked = log_in.dialog.errors.text("password")
    assert locked.startswith(f"This account is locked after {MAX_FAILED_LOG_INS} failed log-ins")
    log_in.type(password=TEST_PASSWORD)
    log_in.dialog.accept()
    assert log_in.dialog.errors.text("password") == locked and nobody.accounts.signed_in is None


def test_a_deactivated_account_is_told_so(qtbot, nobody):
    as_admin(nobody, lambda: nobody.accounts.deactivate("nurse", "left the unit"))
    log_in = Flow(qtbot, nobody, login="nurse")
    log_in.type(password=TEST_PASSWORD)
    log_in.dialog.accept()
    assert log_in.dialog.errors.text("password") == "The account nurse is deactivated; ask an administrator."
    assert nobody.accounts.signed_in is None


def test_quit_signs_nobody_in(qtbot, nobody):
    log_in = Flow(qtbot, nobody)
    log_in.dialog.reject()
    assert log_in.results == [None] and nobody.accounts.signed_in is None


# -- a new database ---------------------------------------------------------------------------------------

@pytest.fixture
def empty(tmp_path):
    store = Store(tmp_path / "new.db", NOBODY, today=lambda: GUI_TODAY)
    yield store
    store.close()


def test_a_new_database_asks_for_its_administrator_and_signs_it_in(qtbot, empty):
    first = Flow(qtbot, empty)
    assert isinstance(first.dialog, FirstAdministratorDialog)
    intro = first.dialog.findChild(type(first.dialog.errors.fallback), "intro").text()
    assert "manages accounts and backups only" in intro and "ari-desktop user add" in intro
    first.type(login="ana", fullName="Ana García", password="a-long-passphrase", repeat="a-long-passphrase!")
    first.dialog.accept()
    assert first.dialog.errors.text("repeat") == "The two passwords differ: type the same one twice."
    assert not empty.accounts.exist()
    first.type(password="a-long-passphrase", repeat="a-long-passphrase")
    first.dialog.accept()
    (account,) = first.results
    assert (account.login, account.full_name, account.roles) == ("ana", "Ana García", frozenset({"admin"}))
    assert not account.must_change_password and empty.accounts.signed_in.login == "ana"


def test_a_short_password_for_the_administrator_is_refused_beside_it(qtbot, empty):
    first = Flow(qtbot, empty)
    first.type(login="ana", fullName="Ana García", password="short", repeat="short")
    first.dialog.accept()
    assert first.dialog.errors.text("password").startswith("The password has 5 characters")
    assert not empty.accounts.exist() and first.results == []


def test_the_demo_cohort_instead_adds_the_demo_accounts_and_patients_then_asks_to_log_in(qtbot, empty,
                                                                                          monkeypatch):
    from ari_desktop import demo

    monkeypatch.setattr(login_flow, "DEMO_PATIENTS", 3)
    first = Flow(qtbot, empty)
    first.dialog.demo_button.click()
    log_in = first.dialog
    assert isinstance(log_in, LogInDialog) and log_in.notice.isVisible()
    assert demo.DEMO_PASSWORD in log_in.notice.text() and "physician" in log_in.notice.text()
    assert [a.login for a in empty.accounts.all()] == sorted(login for login, _, _ in demo.ACCOUNTS)
    assert len(empty.patients.all()) == 3
    assert empty.accounts.signed_in is None and first.results == []
    first.type(login="admin", password=demo.DEMO_PASSWORD)
    first.dialog.accept()
    assert [a.login for a in first.results] == ["admin"]


# -- a given password is replaced at the first log-in --------------------------------------------------------

def test_a_given_password_is_replaced_before_working(qtbot, nobody):
    as_admin(nobody, lambda: nobody.accounts.reset_password("nurse", "given-by-the-admin"))
    log_in = Flow(qtbot, nobody, login="nurse")
    log_in.type(password="given-by-the-admin")
    log_in.dialog.accept()
    change = log_in.dialog
    assert isinstance(change, ChangePasswordDialog) and nobody.accounts.signed_in is None
    log_in.type(password="her-own-choice-now", repeat="her-own-choice-no")
    change.accept()
    assert change.errors.text("repeat") == "The two passwords differ: type the same one twice."
    log_in.type(password="given-by-the-admin", repeat="given-by-the-admin")
    change.accept()
    assert change.errors.text("password") == "The new password is the one you have: choose another."
    log_in.type(password="her-own-choice-now", repeat="her-own-choice-now")
    change.accept()
    (account,) = log_in.results
    assert account.login == "nurse" and not account.must_change_password
    assert nobody.accounts.signed_in.login == "nurse"
    assert nobody.accounts.authenticate("nurse", "her-own-choice-now").login == "nurse"


def test_declining_to_change_the_given_password_goes_back_to_the_log_in(qtbot, nobody):
    as_admin(nobody, lambda: nobody.accounts.reset_password("nurse", "given-by-the-admin"))
    log_in = Flow(qtbot, nobody, login="nurse")
    log_in.type(password="given-by-the-admin")
    log_in.dialog.accept()
    log_in.dialog.reject()
    assert isinstance(log_in.dialog, LogInDialog) and log_in.dialog.login.text() == "nurse"
    assert nobody.accounts.signed_in is None and log_in.results == []


# -- the window: who, idle lock, log-out, switch user -------------------------------------------------------

def test_the_title_and_status_bar_show_the_account(window):
    name = TEST_ACCOUNTS[GUI_USER][0]
    assert window.windowTitle().endswith(f"— {name} ({GUI_USER})")
    assert window.user_label.text().startswith(f"Working as <b>{name}</b> ({GUI_USER})")


@pytest.fixture
def form(window, add_patient, store):
    """A form with something typed into it, open over the window."""
    dialog = window.register_patient()
    dialog.findChildren(QLineEdit)[0].setText("ARI-099")
    closed = []
    dialog.finished.connect(closed.append)
    dialog.closed = closed
    return dialog


def idle(window, minutes: float) -> None:
    window.sign_ins.last_activity -= minutes * 60
    window.sign_ins.check_idle()


def test_the_window_locks_after_the_idle_minutes_and_the_password_unlocks_it_with_the_form_as_left(
        qtbot, window, form, db_path):
    guard = window.sign_ins
    assert guard.lock_minutes == 5 and guard.log_out_minutes == 30 and guard.idle_timer.isActive()
    idle(window, 4)
    assert guard.lock_dialog is None
    idle(window, 1.5)
    lock = guard.lock_dialog
    assert isinstance(lock, LockDialog) and lock.isVisible()
    assert guard.cover.isVisible() and not form.isVisible()
    assert "what was typed in them and not saved is then lost" in lock.findChild(type(guard.cover), "intro").text()
    lock.reject()  # Escape leaves it locked
    assert lock.isVisible()
    lock.password.setText("not-the-password")
    lock.accept()
    assert lock.errors.text("password") == WRONG_LOG_IN
    assert failed_log_ins(db_path, GUI_USER) == 1  # a failed log-in like any other
    lock.password.setText(TEST_PASSWORD)
    lock.accept()
    assert guard.lock_dialog is None and not guard.cover.isVisible()
    assert form.isVisible() and form.findChildren(QLineEdit)[0].text() == "ARI-099" and form.closed == []
    assert window.session.store.accounts.signed_in.login == GUI_USER


def test_lock_now_is_a_key_away(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.sign_ins.lock_dialog is not None


def test_the_idle_minutes_are_settings(qtbot, store, gui_settings):
    from ari_desktop.gui.common.settings import open_settings

    settings = open_settings()
    settings.setValue("login/lock_minutes", 2)
    settings.setValue("login/log_out_minutes", 10)
    settings.sync()
    window = MainWindow(main_window.Session(store))
    qtbot.addWidget(window)
    assert (window.sign_ins.lock_minutes, window.sign_ins.log_out_minutes) == (2, 10)


def test_a_long_idle_logs_out_closes_the_forms_and_asks_to_log_in(qtbot, window, form, db_path, discard_asked):
    idle(window, 6)
    guard = window.sign_ins
    qtbot.keyClicks(guard.lock_dialog.password, "typing")  # on the lock screen: not a use of the window
    idle(window, 20)
    assert guard.lock_dialog is not None and window.session.store.accounts.signed_in is not None
    idle(window, 5)
    assert audit(db_path)[-1] == ("log-out", GUI_USER, "idle")
    assert form.closed and discard_asked == []  # closed without asking: nobody was there to answer
    assert window.session.store.accounts.signed_in is None and guard.cover.isVisible()
    log_in = guard.log_in.dialog
    assert isinstance(log_in, LogInDialog) and "logged out after 30 idle minutes" in log_in.notice.text()
    assert window.windowTitle().endswith("— nobody signed in")
    log_in.login.setText("nurse")
    log_in.password.setText(TEST_PASSWORD)
    log_in.accept()
    assert window.session.store.accounts.signed_in.login == "nurse" and not guard.cover.isVisible()
    assert window.windowTitle().endswith(f"— {TEST_ACCOUNTS['nurse'][0]} (nurse)")


def test_switch_user_closes_the_forms_after_asking_and_the_next_write_is_the_new_persons(
        qtbot, window, form, store, db_path, discard_asked, add_patient):
    discard_asked.answer = False  # keeps the form: nothing changes
    window.switch_user_action.trigger()
    assert discard_asked and form.closed == [] and store.accounts.signed_in.login == GUI_USER
    discard_asked.answer = True
    window.switch_user_action.trigger()
    assert form.closed and store.accounts.signed_in is None
    assert audit(db_path)[-1] == ("log-out", GUI_USER, "switch user")
    log_in = window.sign_ins.log_in.dialog
    log_in.login.setText("physician")
    log_in.password.setText(TEST_PASSWORD)
    log_in.accept()
    add_patient(store, "ARI-100", day0=GUI_TODAY - timedelta(days=1))
    with sqlite3.connect(db_path) as connection:
        (user,) = connection.execute("SELECT user FROM change_log ORDER BY id DESC LIMIT 1").fetchone()
    assert user == "physician"
    assert "Pau Metge (physician)" in window.windowTitle()


def test_switch_user_from_the_lock_screen_and_quit_closes_the_window(qtbot, window, form):
    window.sign_ins.lock()
    window.sign_ins.lock_dialog.switch_button.click()
    assert form.closed and window.sign_ins.lock_dialog is None
    window.sign_ins.log_in.dialog.reject()  # Quit
    assert not window.isVisible()


def test_closing_the_window_records_the_log_out(qtbot, window, db_path):
    window.close()
    assert audit(db_path)[-1] == ("log-out", GUI_USER, None)
    assert window.session.store.accounts.signed_in is None


# -- start-up -----------------------------------------------------------------------------------------------

def answer_log_in(password: str, seen: dict) -> None:
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LogInDialog) and w.isVisible())
    seen["login"] = dialog.login.text()
    dialog.password.setText(password)
    dialog.accept()
    QTimer.singleShot(100, lambda: close_window(seen))  # once the window is open


def close_window(seen: dict) -> None:
    window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
    seen["title"] = window.windowTitle()
    window.close()


def test_the_window_opens_after_the_log_in_with_the_given_login_filled_in(qapp, db_path, monkeypatch):
    monkeypatch.delenv(app.FIRST_PAINT_ENV, raising=False)
    open_store(db_path).close()
    seen = {}
    QTimer.singleShot(0, lambda: answer_log_in(TEST_PASSWORD, seen))
    with watchdog():
        assert app.run(db_path, user="nurse", on=GUI_TODAY) == 0
    assert seen["login"] == "nurse" and seen["title"].endswith("(nurse)")
    assert audit(db_path)[-2:] == [("log-in", "nurse", None), ("log-out", "nurse", None)]


def test_screenshot_mode_asks_no_password_and_opens_with_nobody_signed_in(qapp, db_path, tmp_path, monkeypatch):
    open_store(db_path).close()
    before = audit(db_path)
    monkeypatch.setattr(login_flow, "ask_log_in", lambda *args: pytest.fail("a password was asked"))
    assert app.run(db_path, user="nurse", screenshot=tmp_path / "shot.png", on=GUI_TODAY) == 0
    assert (tmp_path / "shot.png").exists()
    assert audit(db_path) == before  # nobody signed in, nobody logged out


# -- File → Accounts… ---------------------------------------------------------------------------------------

def test_an_administrator_sees_every_account_and_a_clinician_is_told_who_may(qtbot, store, window):
    assert window.sign_ins.show_accounts() is None
    assert "Only an administrator sees the accounts" in window.statusBar().currentMessage()
    sign_in(store, "admin")
    dialog = window.sign_ins.show_accounts()
    table = dialog.table
    rows = {table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 3).text())
            for r in range(table.rowCount())}
    assert rows == {login: (name, "active") for login, (name, _) in TEST_ACCOUNTS.items()}
