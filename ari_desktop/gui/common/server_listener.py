"""Team mode: another workstation's write reaches this window within a second, without F5.

The store announces every committed write on the server's channel (PostgreSQL NOTIFY, sent with the
transaction, so only what was committed is announced). This thread listens on a connection of its own
and says `changed` for each write of another connection; when the connection is lost it says `lost`
(the window shows a banner and keeps what is on screen, read-only), reconnects by itself every second,
and says `restored` (the window then reads everything again: what was announced meanwhile is gone).
"""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal

from ...i18n import _
from ...store.engine import CHANGES_CHANNEL as CHANNEL

RECONNECT_SECONDS = 1.0
WAIT_SECONDS = 0.25  # how long one wait for a notification lasts: the thread checks for its stop between


class ServerListener(QThread):
    changed = Signal()
    lost = Signal(str)
    restored = Signal()

    def __init__(self, address: str, own_backend_pid: int | None = None, parent=None):
        super().__init__(parent)
        self.address = address
        self.own_backend_pid = own_backend_pid  # the window's own store connection: its writes are not news
        self.connected = False

    def run(self) -> None:
        import psycopg

        was_lost = False
        while not self.isInterruptionRequested():
            try:
                with psycopg.connect(self.address, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.connected = True
                    if was_lost:
                        was_lost = False
                        self.restored.emit()
                    self._listen(connection)
            except psycopg.Error as error:
                if self.connected or not was_lost:
                    self.lost.emit(_("The connection to the server was lost ({error}); reconnecting. What is on "
                                     "screen is kept, read-only, until it is back.").format(error=_first_line(error)))
                self.connected, was_lost = False, True
                self.msleep(int(RECONNECT_SECONDS * 1000))

    def _listen(self, connection) -> None:
        while not self.isInterruptionRequested():
            news = [n for n in connection.notifies(timeout=WAIT_SECONDS) if n.pid != self.own_backend_pid]
            if news:
                self.changed.emit()

    def stop(self) -> None:
        self.requestInterruption()
        self.wait()


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
