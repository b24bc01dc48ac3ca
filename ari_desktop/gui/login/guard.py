"""Who is signed in to a window, and the idle lock, the log-out and the switch of user of a shared bedside PC.

- After `login/lock_minutes` (default 5) with no key, mouse or touch input anywhere in the application, the
  window is covered and locked: the same account's password goes on with every form as it was left.
- After `login/log_out_minutes` (default 30) the account is logged out: the forms still open are closed
  (their unsaved edits are lost only then) and the log-in is shown.
- Switch user: the forms belong to who opened them, so they are closed first (an edited one asks before it
  discards), and a form opened by one person is never saved as another.

Kept light: the dialogs (Qt Designer forms, argon2) load at the first lock or log-in, never at start.
"""

from __future__ import annotations

from html import escape
from time import monotonic
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from ...core.errors import USER_ERRORS
from ...core.roles import may
from ...i18n import _
from ..common.qt_dates import format_minutes as minutes
from ..common.settings import open_settings
from ..common.widgets import open_dialog

if TYPE_CHECKING:
    from ...core.accounts import Account
    from ..main_window import MainWindow

LOCK_KEY, LOG_OUT_KEY = "login/lock_minutes", "login/log_out_minutes"
DEFAULT_LOCK_MINUTES, DEFAULT_LOG_OUT_MINUTES = 5.0, 30.0
ACTIVITY = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.HoverMove,
                      QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate})
COVER_STYLE = "QLabel { background: #dde3ea; color: #1a3d7c; font-size: 16pt; }"


def minutes_setting(key: str, default: float) -> float:
    """A number of minutes from the settings; the default for a missing, unreadable or non-positive one."""
    try:
        value = float(open_settings().value(key, default))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


class SignIns(QObject):
    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.store = window.session.store
        self.lock_dialog: QDialog | None = None
        self.log_in = None  # the log-in on screen (flow.LogIn), after a log-out or a switch of user
        self.hidden: list[QDialog] = []  # the forms hidden under the lock, shown again on unlocking
        self.cover: QLabel | None = None
        self.idle_timer = QTimer(self, singleShot=True)
        self.idle_timer.timeout.connect(self.check_idle)
        self.last_activity = monotonic()
        self.watching = False
        self.lock_minutes, self.log_out_minutes = DEFAULT_LOCK_MINUTES, DEFAULT_LOG_OUT_MINUTES
        self.show_who()
        if self.account is not None:
            self.watch()

    @property
    def account(self) -> Account | None:
        return self.store.accounts.signed_in

    def show_who(self) -> None:
        """The title and the status bar name who is signed in: everything recorded is stamped with it."""
        account, store = self.account, self.store
        name = f"{account.full_name} ({account.login})" if account else _("nobody signed in")
        self.window.setWindowTitle(_("{protocol} follow-up: {database} — {account}").format(
            protocol=store.protocol.code, database=store.path.name, account=name))
        who = (_("Working as <b>{name}</b> ({login})").format(name=escape(account.full_name),
                                                               login=escape(account.login)) if account
               else _("Nobody is signed in: the views only"))
        self.window.user_label.setText(f"{who} &nbsp;·&nbsp; {escape(str(store.path))}")
        self.window.update_actions()  # what this account's roles allow

    # -- idle ---------------------------------------------------------------------------------------

    def watch(self) -> None:
        """Count idle time from now, with the settings' minutes."""
        self.lock_minutes = minutes_setting(LOCK_KEY, DEFAULT_LOCK_MINUTES)
        self.log_out_minutes = max(minutes_setting(LOG_OUT_KEY, DEFAULT_LOG_OUT_MINUTES), self.lock_minutes)
        if not self.watching:
            QApplication.instance().installEventFilter(self)
            self.watching = True
        self.last_activity = monotonic()
        self.check_idle()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in ACTIVITY and self.lock_dialog is None and self.log_in is None:
            self.last_activity = monotonic()  # typing on the lock screen does not put off the log-out
        elif kind == QEvent.Type.Resize and watched is self.window and self.cover is not None:
            self.cover.setGeometry(self.window.rect())
        return False

    def check_idle(self) -> None:
        if self.account is None or self.log_in is not None:
            return
        idle = monotonic() - self.last_activity
        if idle >= self.log_out_minutes * 60:
            self.log_out_idle()
            return
        if idle >= self.lock_minutes * 60:
            self.lock()
        due = self.log_out_minutes if self.lock_dialog is not None else self.lock_minutes
        self.idle_timer.start(max(100, int((due * 60 - idle) * 1000)))

    # -- the lock -----------------------------------------------------------------------------------

    def lock(self) -> None:
        """Cover the window and hide its forms (kept as they are) until the same account's password."""
        account = self.account
        if account is None or self.lock_dialog is not None or self.log_in is not None:
            return
        from .dialogs import LockDialog

        self._cover(_("Locked"))
        for form in self._open_forms():
            if form.isVisible():
                form.hide()
                self.hidden.append(form)
        dialog = LockDialog(self.store, account, self.lock_minutes, self.log_out_minutes, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.finished.connect(self._lock_done)
        self.lock_dialog = dialog
        dialog.open()
        if self.idle_timer.isActive():
            self.check_idle()  # now counting to the log-out

    def _lock_done(self, result: int) -> None:
        from .dialogs import SWITCH

        if self.lock_dialog is None:  # closed by the log-out
            return
        self.lock_dialog = None
        if result == QDialog.DialogCode.Accepted:
            self._uncover()
            for form in self.hidden:
                form.show()
            self.hidden.clear()
            self.show_who()
            self.last_activity = monotonic()
            self.check_idle()
        elif result == SWITCH and not self.switch_user():
            self.lock()  # a form kept: the same person unlocks, or someone agrees to discard it

    # -- log-out and switch -------------------------------------------------------------------------

    def switch_user(self) -> bool:
        """Close every form after asking (an edited one asks before it discards), log out, show the log-in.
        False (nothing changed) when someone keeps a form."""
        if self.log_in is not None:
            return False
        if not self.close_forms(ask=True):
            return False
        if self.lock_dialog is not None:
            dialog, self.lock_dialog = self.lock_dialog, None
            dialog.done(QDialog.DialogCode.Rejected)
        self._log_out("switch user")
        self._ask_log_in()
        return True

    def log_out_idle(self) -> None:
        account = self.account
        if account is None:
            return
        if self.lock_dialog is not None:
            dialog, self.lock_dialog = self.lock_dialog, None
            dialog.done(QDialog.DialogCode.Rejected)
        self.close_forms(ask=False)
        self._log_out("idle")
        self._ask_log_in(_("<b>{account} was logged out after {minutes} idle minutes;</b> the forms left open were "
                           "closed.").format(account=escape(f"{account.full_name} ({account.login})"),
                                             minutes=minutes(self.log_out_minutes)))

    def at_close(self) -> None:
        """The window closes: the account signed in is logged out."""
        self.idle_timer.stop()
        if self.watching:
            QApplication.instance().removeEventFilter(self)
            self.watching = False
        self._log_out(None)

    def _log_out(self, detail: str | None) -> None:
        account = self.account
        if account is None:
            return
        self.idle_timer.stop()
        try:
            with self.store.transaction():
                self.store.audit.record("log-out", account.login, detail)
        except USER_ERRORS as error:  # a read-only or damaged file: the log-out still happens
            self.window.session.say(str(error))
        from .flow import sign_out

        sign_out(self.store)
        self.show_who()

    def _ask_log_in(self, notice: str = "") -> None:
        from .flow import LogIn

        self._cover(_("Nobody is signed in"))
        self.log_in = LogIn(self.store, self.window, notice=notice)
        self.log_in.finished.connect(self._logged_in)
        self.log_in.start()

    def _logged_in(self, account: Account | None) -> None:
        self.log_in = None
        if account is None:  # Quit
            self.window.close()
            return
        self._uncover()
        self.show_who()
        self.window.session.say(_("Signed in as {name} ({login}).").format(name=account.full_name, login=account.login))
        self.watch()

    def show_accounts(self) -> QDialog | None:
        """Every account, for an administrator."""
        account = self.account
        if account is None or not may(account.roles, "manage-accounts"):
            self.window.session.say(_("Only an administrator sees the accounts: File → Switch user… to sign in as "
                                      "one."))
            return None
        from .accounts_dialog import AccountsDialog

        return open_dialog(AccountsDialog(self.store.accounts.all(), self.store.now(), self.window))

    # -- inside -------------------------------------------------------------------------------------

    def _open_forms(self) -> list[QDialog]:
        """The dialogs open over the window (shown, or hidden under the lock), the lock screen aside."""
        return [d for d in self.window.findChildren(QDialog)
                if (d.isVisible() or d in self.hidden) and d is not self.lock_dialog
                and (self.log_in is None or d is not self.log_in.dialog)]

    def close_forms(self, ask: bool) -> bool:
        """Close every form; with `ask`, an edited one first asks whether to discard (no: nothing is closed)."""
        from ..common.form_dialog import FormDialog

        forms = self._open_forms()
        if ask and any(isinstance(f, FormDialog) and f.is_edited() and not f.ask_discard() for f in forms):
            return False
        for form in forms:
            form.done(QDialog.DialogCode.Rejected)
        self.hidden.clear()
        return True

    def _cover(self, text: str) -> None:
        """Nothing of the window can be read while it is locked or nobody is signed in."""
        if self.cover is None:
            self.cover = QLabel(self.window, alignment=Qt.AlignmentFlag.AlignCenter)
            self.cover.setStyleSheet(COVER_STYLE)
            self.cover.setAutoFillBackground(True)
        self.cover.setText(f"ARI Desktop — {text}")
        self.cover.setGeometry(self.window.rect())
        self.cover.raise_()
        self.cover.show()

    def _uncover(self) -> None:
        if self.cover is not None:
            self.cover.hide()

