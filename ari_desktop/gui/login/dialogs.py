"""The dialogs of signing in: log-in, the first administrator of a new database, the change of a given
password, and the lock screen. Each says the store's refusal in one sentence beside its field and closes only
when the store has accepted; hashing a password (a quarter of a second) happens only here.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton

from ...core.accounts import PASSWORD_MIN_LENGTH, Account
from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.roles import ADMIN
from ...i18n import N_, _
from ...store import Store
from ..common.field_errors import FieldErrors
from ..common.forms import child, load_form
from ..common.qt_dates import format_minutes as minutes
from ..common.widgets import busy, fit_height

DEMO = 2  # the first administrator's dialog's result when the demo cohort is asked for instead
SWITCH = 2  # the lock screen's result when another person signs in instead
NOTICE_STYLE = "QLabel { background: #e8f0fe; color: #1a3d7c; padding: 6px; }"


def who(account: Account) -> str:
    return f"{account.full_name} ({account.login})"


def act_as(store: Store, account: Account) -> Account:
    """Act as an account just authenticated: `sign_in` would check the password (and record it) twice."""
    return store.accounts.act_as(account)


def same_twice(password: QLineEdit, repeat: QLineEdit) -> str:
    if password.text() != repeat.text():
        raise ClinicalInputError(_("The two passwords differ: type the same one twice."), "repeat")
    return password.text()


class _Form(QDialog):
    """A dialog of signing in built from its form: the fields named in `fields`, their error labels, OK and
    Cancel renamed."""

    form = ""
    ok_text = N_("OK")  # the buttons' words, marked N_(): translated when the form is built
    cancel_text = N_("Quit")

    def __init__(self, store: Store, fields: dict[str, str], parent=None):
        super().__init__(parent)
        self.store = store
        load_form(self.form, self)
        for name in fields.values():
            setattr(self, name, child(self, QLineEdit, name))
        self.errors = FieldErrors(child(self, QLabel, "formError"),
                                  {field: (child(self, QLabel, f"{name}Error"), getattr(self, name))
                                   for field, name in fields.items()})
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_(self.ok_text))
        if cancel := self.buttons.button(QDialogButtonBox.StandardButton.Cancel):
            cancel.setText(_(self.cancel_text))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.account: Account | None = None

    def accept(self) -> None:
        self.errors.clear()
        try:
            with busy():
                self.account = self.attempt()
        except USER_ERRORS as error:
            shown = error if isinstance(error, ClinicalInputError) else ClinicalInputError(str(error), None)
            if shown.field in ("password", "repeat"):  # typed again, not corrected blind
                for field in self.findChildren(QLineEdit):
                    if field.echoMode() == QLineEdit.EchoMode.Password:
                        field.clear()
            self.errors.show(shown)
            return
        super().accept()

    def attempt(self) -> Account:
        raise NotImplementedError

    def open(self) -> None:
        super().open()
        fit_height(self)


class LogInDialog(_Form):
    form = "log_in.ui"
    ok_text = N_("Sign in")

    def __init__(self, store: Store, login: str = "", notice: str = "", parent=None):
        super().__init__(store, {"login": "login", "password": "password"}, parent)
        child(self, QLabel, "intro").setText(
            _("Sign in to {database} with your own account: everything you record is stamped with your name. Only "
              "you may know your password.").format(database=store.path.name))
        self.notice = child(self, QLabel, "notice")
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.login.setText(login.strip())
        self.typed_password = ""  # kept for the change of a given password, which needs the old one
        (self.password if self.login.text() else self.login).setFocus()

    def attempt(self) -> Account:
        """The account whose password this is (it may still have to choose its own: the caller sees to it)."""
        self.typed_password = self.password.text()
        return self.store.accounts.authenticate(self.login.text(), self.typed_password)


class FirstAdministratorDialog(_Form):
    form = "first_administrator.ui"
    ok_text = N_("Create and sign in")

    def __init__(self, store: Store, demo_patients: int, parent=None):
        super().__init__(store, {"login": "login", "full_name": "fullName", "password": "password",
                                 "repeat": "repeat"}, parent)
        child(self, QLabel, "intro").setText(
            _("<b>{database} has no account yet.</b> Create its administrator first. This account manages accounts "
              "and backups only: it records no clinical data. Once signed in, the administrator adds an account for "
              "each nurse, physician, data manager and monitor with <code>ari-desktop user add</code> (see the "
              "README); each of them chooses a password of their own at the first log-in.").format(
                database=escape(store.path.name)))
        self.demo_button = child(self, QPushButton, "demoButton")
        demo_intro = child(self, QLabel, "demoIntro")
        demo_intro.setText(
            _("To try the program instead: {count} synthetic patients (DEMO-0001 onwards) and one demo account per "
              "role, all with the published password demo-password. Only for a database that will never hold real "
              "records.").format(count=demo_patients))
        empty = not store.patients.any()
        demo_intro.setVisible(empty)
        self.demo_button.setVisible(empty)
        self.demo_button.clicked.connect(lambda: self.done(DEMO))
        self.login.setFocus()

    def attempt(self) -> Account:
        password = same_twice(self.password, self.repeat)
        self.store.accounts.add(self.login.text(), self.fullName.text(), [ADMIN], password)
        return self.store.accounts.sign_in(self.login.text(), password)


class ChangePasswordDialog(_Form):
    form = "change_password.ui"
    ok_text = N_("Change and sign in")
    cancel_text = N_("Cancel")

    def __init__(self, store: Store, account: Account, given_password: str, parent=None):
        super().__init__(store, {"password": "password", "repeat": "repeat"}, parent)
        self.login = account.login
        self.given_password = given_password
        child(self, QLabel, "intro").setText(
            _("{account}: the password you were given must be replaced by one of your own before you work. At least "
              "{length} characters, not containing your login; a few words make a good one.").format(
                account=who(account), length=PASSWORD_MIN_LENGTH))
        self.password.setFocus()

    def attempt(self) -> Account:
        return self.store.accounts.change_password(self.login, self.given_password,
                                                   same_twice(self.password, self.repeat))


class LockDialog(_Form):
    """The lock screen: the same account's password goes on where it was left; "Switch user" signs another
    person in instead. Escape does not close it."""

    form = "lock.ui"
    ok_text = N_("Unlock")

    def __init__(self, store: Store, account: Account, idle_minutes: float, log_out_minutes: float, parent=None):
        super().__init__(store, {"password": "password"}, parent)
        self.login = account.login
        heading = child(self, QLabel, "heading")
        heading.setText(_("<b>Locked: {account} is signed in.</b>").format(account=escape(who(account))))
        child(self, QLabel, "intro").setText(
            _("The window locks after {idle} idle minutes. Type your password to go on: the forms you left open are "
              "as you left them. After {log_out} idle minutes you are logged out, and the forms still open are "
              "closed: what was typed in them and not saved is then lost.").format(
                idle=minutes(idle_minutes), log_out=minutes(log_out_minutes)))
        self.switch_button = self.buttons.addButton(_("&Switch user…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.switch_button.setAutoDefault(False)
        self.switch_button.clicked.connect(lambda: self.done(SWITCH))
        self.password.setFocus()

    def attempt(self) -> Account:
        # Through authenticate: a wrong password here counts as a failed log-in, and locks the account too.
        return act_as(self.store, self.store.accounts.authenticate(self.login, self.password.text()))

    def reject(self) -> None:
        """Escape and the close button leave the screen locked."""
