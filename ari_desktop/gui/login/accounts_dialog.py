"""File → Accounts…: every account of the database, for its administrators (the changes are made with
`ari-desktop user ...`, which records who made them)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QTableWidget, QTableWidgetItem, QWidget

from ...core.accounts import Account
from ...core.accounts import is_locked as locked
from ..common.widgets import lay_out_table

COLUMNS = ("Login", "Full name", "Roles", "Status", "Failed log-ins", "Created")


def status(account: Account, now) -> str:
    if not account.active:
        return "deactivated"
    if locked(account.locked_until, now):
        return f"locked until {account.locked_until.astimezone():%H:%M %Z}"
    return "must choose a password" if account.must_change_password else "active"


class AccountsDialog(QDialog):
    def __init__(self, accounts: list[Account], now, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Accounts")
        self.table = QTableWidget(len(accounts), len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, account in enumerate(accounts):
            cells = (account.login, account.full_name, ", ".join(sorted(account.roles)), status(account, now),
                     str(account.failed_log_ins),
                     f"{account.created_at.astimezone():%Y-%m-%d %H:%M %Z} by {account.created_by}")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        lay_out_table(self, self.table, "Accounts are added, deactivated and given new passwords or roles with the "
                      "command line (ari-desktop user add | deactivate | passwd --reset LOGIN | roles); each change "
                      "is recorded with who made it. ari-desktop access-review lists who held which role since "
                      "when.", (960, 380))
