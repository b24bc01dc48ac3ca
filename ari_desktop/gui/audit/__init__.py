"""The Audit trail window (audit_dialog: loaded when opened), and its menu item: View → Audit trail,
disabled with the reason as its tip for an account that may not read the audit trail."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ...core.errors import USER_ERRORS
from ...i18n import N_, _
from ..common.session import Session
from ..common.widgets import open_dialog

TIP = N_("Every change, log-in, export and print, filtered; the access review")


def log_output(session: Session, event: str, what: str, where) -> bool:
    """Log a print or an export of the window in the audit trail (store.audit); False, the reason said in
    the status bar, if the file refuses it (read-only, damaged)."""
    try:
        (session.store.audit.printed if event == "print" else session.store.audit.exported)(what, where)
    except USER_ERRORS as error:
        session.say((_("The print of the {what} could not be logged in the audit trail: {error}") if event == "print"
                     else _("The export of the {what} could not be logged in the audit trail: {error}")).format(
                         what=what, error=error))
        return False
    return True


class AuditAction(QAction):
    def __init__(self, session: Session, window: QWidget):
        super().__init__(_("A&udit trail…"), window)
        self.session, self.owner = session, window
        self.triggered.connect(self.open)
        window.addAction(self)
        self.check_allowed()

    def check_allowed(self) -> None:
        """Enabled for an account that may read the audit trail; else disabled, its tip saying why."""
        refused = self.session.refusal("read-audit")
        self.setEnabled(refused is None)
        self.setToolTip(refused or _(TIP))
        self.setStatusTip(refused or _(TIP))

    def open(self) -> QWidget | None:
        refused = self.session.refusal("read-audit")
        if refused:
            self.session.say(refused)
            return None
        from .audit_dialog import AuditDialog

        return open_dialog(AuditDialog(self.session, self.owner))
