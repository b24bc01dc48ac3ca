"""The window's automatic backups: one a day, made soon after it opens, checked again every hour while it
runs (a window left open over midnight backs up the new day), and at close.

store/backups.py's make_due_backup makes the backup unless one of the day exists already; a read-only
file is not backed up from here. While the window is open, the backup is made in a thread of its own, on
a read-only connection of its own (copying and checking the 700 MB file of 5,000 patients takes 13 s: the
window stays in use meanwhile, and WAL lets the copy read one consistent state of the file while the window
writes). At close it is made in the window's own thread, once a running one has ended. A failure is one
sentence in the status bar (at close, in the log): nothing is written to the database, so no record is lost
by it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from ...core.errors import USER_ERRORS, StoreError
from ...i18n import _
from ...store import Store
from .session import Session

AFTER_START_MS = 10_000  # well after the first paint: the worklist is on screen before the copy is made
CHECK_MS = 3_600_000


def made(store: Store, folder: Path) -> str | None:
    """The day's backup of `store` into `folder`, if due; the sentence of a failure, or None."""
    from ...store.backups import make_due_backup

    try:
        make_due_backup(store, folder)
    except Exception as error:
        refusal = error if isinstance(error, StoreError) else store.refusal(error)  # what SQLite said
        if refusal is None:
            raise
        return str(refusal)
    return None


class BackupRun(QThread):
    """One backup, in its own thread with its own read-only connection to the database."""

    failed = Signal(str)  # the sentence

    def __init__(self, store: Store, folder: Path, parent: QObject):
        super().__init__(parent)
        self.path, self.user, self.today, self.now, self.folder = store.path, store.user, store.today, store.now, folder

    def run(self) -> None:
        try:
            with Store(self.path, self.user, today=self.today, now=self.now, read_only=True) as store:
                failure = made(store, self.folder)
        except USER_ERRORS as error:
            failure = str(error)
        except Exception as error:  # a thread's failure must still be said, not lost
            logging.getLogger(__name__).exception("The automatic backup failed")
            failure = _("the backup failed: {error}").format(error=error)
        if failure:
            self.failed.emit(failure)


class AutomaticBackups(QObject):
    def __init__(self, session: Session, folder: Path, parent: QObject):
        super().__init__(parent)
        self.session, self.folder = session, folder
        self.running: BackupRun | None = None
        self.closed = False  # the window is closing: no backup is started in a thread any more
        self.timer = QTimer(self, interval=CHECK_MS)
        self.timer.timeout.connect(self.back_up)
        self.timer.start()
        QTimer.singleShot(AFTER_START_MS, self, self.back_up)

    def back_up(self) -> None:
        """Start the day's backup in its thread, unless the file is read-only, on a server (its backups are
        the server's), or a backup is being made already."""
        store = self.session.store
        if self.closed or store.read_only or store.server or (self.running is not None and self.running.isRunning()):
            return
        self.running = BackupRun(store, self.folder, self)
        self.running.failed.connect(self._said)  # a method of this object: called in the window's thread
        self.running.start()

    def _said(self, failure: str) -> None:
        self.session.say(_("Automatic backup: {failure}").format(failure=failure))

    def wait(self) -> None:
        """Return once a backup being made has ended."""
        if self.running is not None:
            self.running.wait()

    def at_close(self) -> None:
        """Never keeps the window from closing: a failure goes to the log."""
        self.closed = True
        self.timer.stop()
        self.wait()  # a failure it met is made again below, and logged
        if self.session.store.read_only:
            return
        failure = made(self.session.store, self.folder)
        if failure:
            logging.getLogger(__name__).warning("No automatic backup at close: %s", failure)
