"""Help → Roles…: who may do what, read from core/roles.py's table itself (the one the store checks)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ..core.roles import ACTIONS, ROLES, may

YES, NO = "✓", "—"


class RolesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Roles")
        self.table = QTableWidget(len(ACTIONS), len(ROLES), self)
        self.table.setHorizontalHeaderLabels(ROLES)
        self.table.setVerticalHeaderLabels([what for what, _ in ACTIONS.values()])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, action in enumerate(ACTIONS):
            for column, role in enumerate(ROLES):
                allowed = may([role], action)
                cell = QTableWidgetItem(YES if allowed else NO)
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.setToolTip(f"A {role} {'may' if allowed else 'may not'} {ACTIONS[action][0]}.")
                self.table.setItem(row, column, cell)
        self.table.resizeColumnsToContents()
        note = QLabel("An account may hold several roles: it may do what any of them allows. The monitor reads and "
                      "exports, never writes; the administrator keeps accounts and backups.", wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(900, 460)
