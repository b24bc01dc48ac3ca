"""Help → Roles…: who may do what, read from core/roles.py's table itself (the one the store checks)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QTableWidget, QTableWidgetItem, QWidget

from ..core.roles import ACTIONS, ROLES, may
from ..i18n import _, pgettext
from .common.widgets import lay_out_table

YES, NO = "✓", "—"


def role_name(role: str) -> str:
    """A role as the table heads it: its code in English, the clinic's word in Spanish and Catalan."""
    return {"nurse": pgettext("role", "nurse"), "physician": pgettext("role", "physician"),
            "data-manager": pgettext("role", "data-manager"), "monitor": pgettext("role", "monitor"),
            "admin": pgettext("role", "admin")}.get(role, role)


class RolesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Roles"))
        self.table = QTableWidget(len(ACTIONS), len(ROLES), self)
        for column, role in enumerate(ROLES):
            header = QTableWidgetItem(role_name(role))
            header.setToolTip(_("Role code: {code}").format(code=role))
            self.table.setHorizontalHeaderItem(column, header)
        self.table.setVerticalHeaderLabels([_(what) for what, _roles in ACTIONS.values()])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, action in enumerate(ACTIONS):
            for column, role in enumerate(ROLES):
                allowed = may([role], action)
                cell = QTableWidgetItem(YES if allowed else NO)
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                what = _(ACTIONS[action][0])
                cell.setToolTip((_("A {role} may {action}.") if allowed else _("A {role} may not {action}.")).format(
                    role=role_name(role), action=what))
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        lay_out_table(self, self.table, _("An account may hold several roles: it may do what any of them allows. The "
                                         "monitor reads and exports, never writes; the administrator keeps accounts "
                                         "and backups."),
                      (900, 460))
