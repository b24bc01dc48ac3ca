"""File → Accounts…: every account of the database, for its administrators (the changes are made with
`ari-desktop user ...`, which records who made them)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QTableWidget, QTableWidgetItem, QWidget

from ...core.accounts import Account
from ...core.accounts import is_locked as locked
from ...i18n import N_, _
from ..common.qt_dates import format_moment, format_time
from ..common.widgets import lay_out_table

COLUMNS = (N_("Login"), N_("Full name"), N_("Roles"), N_("Status"), N_("Failed log-ins"), N_("Created"))


def status(account: Account, now) -> str:
    if not account.active:
        return _("deactivated")
    if locked(account.locked_until, now):
        return _("locked until {time}").format(time=f"{format_time(account.locked_until)} {zone(account.locked_until)}")
    return _("must choose a password") if account.must_change_password else _("active")


def zone(moment) -> str:
    return f"{moment.astimezone():%Z}"


class AccountsDialog(QDialog):
    def __init__(self, accounts: list[Account], now, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Accounts"))
        self.table = QTableWidget(len(accounts), len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels([_(column) for column in COLUMNS])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, account in enumerate(accounts):
            cells = (account.login, account.full_name, ", ".join(sorted(account.roles)), status(account, now),
                     str(account.failed_log_ins),
                     _("{moment} by {login}").format(
                         moment=f"{format_moment(account.created_at)} {zone(account.created_at)}",
                         login=account.created_by))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        lay_out_table(self, self.table, _("Accounts are added, deactivated and given new passwords or roles with "
                                          "the command line (ari-desktop user add | deactivate | passwd --reset "
                                          "LOGIN | roles); each change is recorded with who made it. ari-desktop "
                                          "access-review lists who held which role since when."), (960, 380))
