"""The steps of signing someone in, one dialog after the other, without blocking the window:

- a database with no account: its administrator is created (or the demo cohort loaded, then the log-in);
- else the log-in; an account that must replace the password it was given does so before it works.

`LogIn.finished` carries the account signed in, or None when the person chose Quit.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QWidget

from ...core.accounts import Account
from ...core.errors import USER_ERRORS
from ...i18n import _
from ...paths import default_user
from ...store import Store
from ..common.widgets import busy
from .dialogs import DEMO, ChangePasswordDialog, FirstAdministratorDialog, LogInDialog

DEMO_PATIENTS = 60  # the demo cohort a new database can start with


def sign_out(store: Store) -> None:
    """Nobody acts in the store any more: it refuses every write that needs an account."""
    store.accounts.signed_in = None
    store.user = default_user()  # stamps the next person's failed log-ins, never the last person's login


def demo_notice() -> str:
    from ... import demo

    rows = "".join(f"<tr><td><code>{login}</code>&nbsp;&nbsp;</td><td>{escape(name)}, {role}</td></tr>"
                   for login, name, role in demo.ACCOUNTS)
    notice = _("<b>The demo cohort is loaded.</b> Sign in with a demo account; each has the password "
               "<code>{password}</code> (for trying the program only). All but admin choose a password of their own "
               "at the first log-in.").format(password=demo.DEMO_PASSWORD)
    return f"{notice}<table>{rows}</table>"


class LogIn(QObject):
    finished = Signal(object)  # the Account signed in, or None

    def __init__(self, store: Store, parent: QWidget | None = None, login: str = "", notice: str = ""):
        super().__init__(parent)
        self.store = store
        self.parent_widget = parent
        self.login = login or ""
        self.notice = notice
        self.dialog: QDialog | None = None  # the step on screen

    def start(self) -> None:
        if self.store.accounts.exist():
            self._log_in()
        else:
            self._first_administrator()

    def _show(self, dialog: QDialog, on_done) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.finished.connect(on_done)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _finish(self, account: Account | None) -> None:
        self.dialog = None
        self.finished.emit(account)

    # -- a new database ---------------------------------------------------------------------------

    def _first_administrator(self) -> None:

        dialog = FirstAdministratorDialog(self.store, DEMO_PATIENTS, self.parent_widget)

        def done(result: int) -> None:
            if result == DEMO:
                self._load_demo(dialog)
            else:
                self._finish(dialog.account if result == QDialog.DialogCode.Accepted else None)

        self._show(dialog, done)

    def _load_demo(self, dialog: FirstAdministratorDialog) -> None:
        """The demo accounts and patients, as `ari-desktop demo` adds them; then the log-in, which lists them."""
        from ... import demo

        try:
            with busy():
                demo.add_accounts(self.store)
                demo.fill(self.store, DEMO_PATIENTS)
        except USER_ERRORS as error:
            self.notice = _("The demo cohort could not be loaded: {error}").format(error=escape(str(error)))
        else:
            self.notice = demo_notice()
        finally:
            sign_out(self.store)  # the demo administrator added the others: nobody chose to work as it
        self.start()

    # -- log-in -----------------------------------------------------------------------------------

    def _log_in(self) -> None:
        dialog = LogInDialog(self.store, self.login, self.notice, self.parent_widget)

        def done(result: int) -> None:
            if result != QDialog.DialogCode.Accepted:
                self._finish(None)
            elif dialog.account.must_change_password:
                self.login = dialog.account.login
                self._change_password(dialog.account, dialog.typed_password)
            else:
                from .dialogs import act_as

                self._finish(act_as(self.store, dialog.account))

        self._show(dialog, done)

    def _change_password(self, account: Account, given: str) -> None:
        dialog = ChangePasswordDialog(self.store, account, given, self.parent_widget)

        def done(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                self._finish(dialog.account)
            else:
                self._log_in()  # back to the log-in: someone else may sign in

        self._show(dialog, done)


def ask_log_in(store: Store, login: str = "") -> Account | None:
    """Before the window opens: sign someone in, or None when they chose Quit."""
    loop = QEventLoop()
    result: list[Account | None] = []
    flow = LogIn(store, None, login)
    flow.finished.connect(lambda account: (result.append(account), loop.quit()))
    flow.start()
    if not result:
        loop.exec()
    return result[0]
