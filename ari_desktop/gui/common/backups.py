"""The window's automatic backups: one a day, made soon after it opens, checked again every hour while it
runs (a window left open over midnight backs up the new day), and at close.

store/backups.py's make_due_backup makes the backup unless one of the day exists already; a read-only
file is not backed up from here. A failure is one sentence in the status bar (at close, in the log):
nothing is written to the database, so no record is lost by it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from ...core.errors import StoreError
from ...i18n import _
from .session import Session

AFTER_START_MS = 10_000  # well after the first paint: the worklist is on screen before the copy is made
CHECK_MS = 3_600_000


class AutomaticBackups(QObject):
    def __init__(self, session: Session, folder: Path, parent: QObject):
        super().__init__(parent)
        self.session, self.folder = session, folder
        self.timer = QTimer(self, interval=CHECK_MS)
        self.timer.timeout.connect(self.back_up)
        self.timer.start()
        QTimer.singleShot(AFTER_START_MS, self, self.back_up)

    def make(self) -> str | None:
        """The day's backup, if due; the sentence of a failure, or None."""
        store = self.session.store
        if store.read_only:
            return None
        from ...store.backups import make_due_backup

        try:
            make_due_backup(store, self.folder)
        except Exception as error:
            refusal = error if isinstance(error, StoreError) else store.refusal(error)  # what SQLite said
            if refusal is None:
                raise
            return str(refusal)
        return None

    def back_up(self) -> None:
        failure = self.make()
        if failure:
            self.session.say(_("Automatic backup: {failure}").format(failure=failure))

    def at_close(self) -> None:
        """Never keeps the window from closing: a failure goes to the log."""
        self.timer.stop()
        failure = self.make()
        if failure:
            logging.getLogger(__name__).warning("No automatic backup at close: %s", failure)
