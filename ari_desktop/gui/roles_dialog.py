"""Help → Roles…: who may do what, read from core/roles.py's table itself (the one the store checks)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QTableWidget, QTableWidgetItem, QWidget

from ..core.roles import ACTIONS, ROLES, may
from ..i18n import _
from .common.widgets import lay_out_table

YES, NO = "✓", "—"


class RolesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Roles"))
        self.table = QTableWidget(len(ACTIONS), len(ROLES), self)
        self.table.setHorizontalHeaderLabels(ROLES)
        self.table.setVerticalHeaderLabels([_(what) for what, _roles in ACTIONS.values()])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, action in enumerate(ACTIONS):
            for column, role in enumerate(ROLES):
                allowed = may([role], action)
                cell = QTableWidgetItem(YES if allowed else NO)
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                what = _(ACTIONS[action][0])
                cell.setToolTip((_("A {role} may {action}.") if allowed else _("A {role} may not {action}.")).format(
                    role=role, action=what))
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        lay_out_table(self, self.table, _("An account may hold several roles: it may do what any of them allows. The "
                                         "monitor reads and exports, never writes; the administrator keeps accounts "
                                         "and backups."),
                      (900, 460))
