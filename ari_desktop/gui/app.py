"""Start-up: the Qt application, the store, the log-in, the main window; screenshot mode.

Kept light on purpose: nothing here (or in the views it opens) imports pandas, reportlab or
sqlite_utils, and the Patients and Patient views read the database only when first shown.

For benchmarks: with ARI_DESKTOP_EXIT_AFTER_FIRST_PAINT=1 in the environment, `ari-desktop` opens the
window on today's worklist without a log-in (nobody is signed in: the views only) or saved settings, waits
for the worklist to paint, prints one line on stderr and exits 0:

    ari-desktop: first paint 0.123 s after run(), 0.456 s after process start; 87 worklist items

The second figure (Linux only) includes the interpreter and every import.
"""

from __future__ import annotations

import locale
import os
import re
import sys
import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QMargins, QObject, QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..core.errors import USER_ERRORS, ClinicalInputError
from ..outputs import check_output_file, is_png, write_atomically
from ..paths import default_backups, default_user
from ..store import Store
from ..store.engine import is_server
from .common.settings import APPLICATION, ORGANISATION, open_settings

FIRST_PAINT_ENV = "ARI_DESKTOP_EXIT_AFTER_FIRST_PAINT"
DEFAULT_SIZE = (1280, 800)  # of a screenshot; the window itself opens at its preferred size, fitted to the screen
FRAME_GUESS = QMargins(4, 40, 4, 4)  # a desktop's title bar and borders, until the shown window measures its own


def run(db_path: Path | str, user: str | None = None, on: date | None = None, screenshot: Path | None = None,
        view: str = "today", size: str | None = None) -> int:
    """Open the window on the database once someone has signed in (`user`: the login filled in); return the
    exit code. With `screenshot`, render the requested view (today, patients, patient:STUDY_ID,
    analysis[:FIGURE]) to that PNG and return at once, with nobody signed in."""
    started = time.perf_counter()
    first_paint = os.environ.get(FIRST_PAINT_ENV, "") not in ("", "0")
    width, height = parse_size(size) if size else DEFAULT_SIZE
    view_name, detail = parse_view(view)
    if screenshot is not None:  # by the printouts' rules: never over the database or another kind of file
        database = None if is_server(db_path) else Path(db_path)
        screenshot = check_output_file(screenshot, database, "PNG", is_png, "a PNG image", "screenshot")
    app = application()
    interactive = screenshot is None and not first_paint
    from .common.session import Session
    from .main_window import MainWindow

    try:
        store = Store(db_path, default_user())  # nobody is signed in yet: the store refuses every write
    except USER_ERRORS as error:
        if not interactive:
            raise
        QMessageBox.critical(None, "ARI Desktop", str(error))
        return 2
    window = None
    previous_hook = sys.excepthook
    try:
        if interactive:  # a screenshot and a timing run ask no password: argon2 stays unloaded
            from .login.flow import ask_log_in

            if ask_log_in(store, user or "") is None:
                print("ari-desktop: nobody signed in; nothing was opened.", file=sys.stderr)
                return 1
        window = MainWindow(Session(store), day=on, settings=open_settings() if interactive else None,
                            backups=default_backups() if interactive else None)
        if store.server and interactive:
            follow_server(window, store)
        if not interactive:
            window.resize(width, height)
            window.show_view(view_name)
            if view_name == "patient":
                window.show_patient(detail)
            elif detail:
                window.analysis.show_figure(detail)
        if screenshot is not None:
            return save_screenshot(window, screenshot)
        if first_paint:
            window.show_view("today")
            _ExitAfterFirstPaint(window.today.worklist.viewport(), started, window.today.worklist_model.rowCount)
        if interactive:
            fit_to_screen(window)
        window.show()
        if interactive:  # the window manager's frame is known once shown: fit again if it does not fit
            QTimer.singleShot(200, window, lambda: fit_to_screen(window))
            from .common import preload

            QTimer.singleShot(preload.AFTER_START_MS, window, preload.start)
        sys.excepthook = file_errors_said(store, window, previous_hook)
        code = app.exec()
        chosen = window.database_chosen
        if chosen is None and not window.restart_asked:
            return code
    except Exception as error:
        refusal = store.refusal(error)  # a page SQLite finds damaged while the views are read
        if refusal is None:
            raise
        if not interactive:
            raise refusal from None
        QMessageBox.critical(None, "ARI Desktop", str(refusal))
        return 2
    finally:
        sys.excepthook = previous_hook
        if window is not None:
            window.close()
            window.deleteLater()
        store.close()
    if chosen is None:  # View → Language → Restart now: the window closed cleanly (log-out recorded, settings kept)
        from .common.language import restart_process

        restart_process()
    # File → Connect to server…: the window closed, to open again on the unit's server (its own log-in).
    return run(chosen, on=on)


def follow_server(window, store):
    """Team mode: the window hears of the other workstations' writes from the server, on a connection of its
    own in a thread (stopped when the window closes)."""
    from .common.server_listener import ServerListener

    listener = ServerListener(store.path.url, store.db.backend_pid, window)
    window.follow_server(listener)
    listener.start()
    return listener


def file_errors_said(store, window: QWidget, previous):
    """An exception hook that shows, in one sentence, what SQLite found wrong with the file while a view
    read it (damaged, in use); every other error goes to `previous`."""

    def hook(kind, error, traceback) -> None:
        refusal = store.refusal(error)
        if refusal is None:
            previous(kind, error, traceback)
            return
        window.statusBar().showMessage(str(refusal))
        QMessageBox.critical(window, "ARI Desktop", str(refusal))

    return hook


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move the window onto the screen it opens on, frame and title bar included: a 1366x768 ward
    laptop must see the status bar, where all feedback appears, and settings saved on a larger screen must
    not push it off this one."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        return
    available, geometry = screen.availableGeometry(), window.geometry()
    if not window.isVisible() and not window.testAttribute(Qt.WidgetAttribute.WA_Moved):
        geometry.moveCenter(available.center())  # never placed (no saved settings): in the middle
    target = fitted(geometry, available, window_frame(window))
    if target != window.geometry():
        window.setGeometry(target)


def window_frame(window: QWidget) -> QMargins:
    """The window manager's frame around the window: measured once shown, else a typical title bar and
    borders (before showing, Qt does not know it)."""
    outer, inner = window.frameGeometry(), window.geometry()
    if window.isVisible() and outer != inner:
        return QMargins(inner.left() - outer.left(), inner.top() - outer.top(), outer.right() - inner.right(),
                        outer.bottom() - inner.bottom())
    return FRAME_GUESS


def fitted(geometry: QRect, available: QRect, frame: QMargins) -> QRect:
    """The window's geometry (its inside, without the frame) made to lie wholly, with its frame, within the
    available part of the screen: shrunk where it is larger, moved in where it sticks out."""
    room = available.marginsRemoved(frame)
    width, height = min(geometry.width(), room.width()), min(geometry.height(), room.height())
    x = min(max(geometry.x(), room.left()), room.left() + room.width() - width)
    y = min(max(geometry.y(), room.top()), room.top() + room.height() - height)
    return QRect(x, y, width, height)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("ARI Desktop")
    if not app.property("ari-language"):  # once: a window reopened on the server keeps the language
        from ..i18n import remembered_language
        from .common import language

        language.install(app, remembered_language())  # before any form loads: the forms are translated as loaded
        app.setProperty("ari-language", True)
    # Qt set the C library's locale from the system; dates written with strftime would then mix
    # Spanish day and month names into the English window. Typed numbers still follow QLocale.
    locale.setlocale(locale.LC_TIME, "C")
    return app


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{3,5})\s*[xX]\s*(\d{3,5})\s*", text)
    if not match:
        raise ClinicalInputError(f"The size '{text}' is not WIDTHxHEIGHT, e.g. 1366x768.", "size")
    return int(match[1]), int(match[2])


def parse_view(text: str) -> tuple[str, str | None]:
    """today, patients, patient:STUDY_ID, analysis or analysis:FIGURE (the tab of one figure)."""
    name, _, detail = text.strip().partition(":")
    if name in ("today", "patients", "analysis") and not detail:
        return name, None
    if name == "patient" and detail.strip():
        return name, detail.strip()
    from ..figures import FIGURES  # the figures' names only: matplotlib loads when one is drawn

    if name == "analysis" and detail.strip() in FIGURES:
        return name, detail.strip()
    raise ClinicalInputError(f"The view '{text}' is not today, patients, patient:STUDY_ID, analysis or "
                             f"analysis:{'|'.join(FIGURES)}.", "view")


def save_screenshot(window: QWidget, path: Path) -> int:
    window.show()
    for _ in range(3):
        QApplication.processEvents()
    pixmap = window.grab()

    def save(temporary: Path) -> None:
        if not pixmap.save(str(temporary), "PNG"):
            raise ClinicalInputError(f"The screenshot could not be written to {path}.", "screenshot")

    write_atomically(path, save, "screenshot")
    return 0


class _ExitAfterFirstPaint(QObject):
    """Quits the application once `widget` has painted for the first time, and says how long it took."""

    def __init__(self, widget: QWidget, started: float, rows):
        super().__init__(widget)
        self.started = started
        self.rows = rows
        self.done = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            QTimer.singleShot(0, self._report)  # after this paint, and its siblings', has finished
        return False

    def _report(self) -> None:
        elapsed = time.perf_counter() - self.started
        since_start = seconds_since_process_start()
        total = f", {since_start:.3f} s after process start" if since_start is not None else ""
        print(f"ari-desktop: first paint {elapsed:.3f} s after run(){total}; {self.rows()} worklist items",
              file=sys.stderr, flush=True)
        QApplication.exit(0)


def seconds_since_process_start() -> float | None:
    """Wall time since this process started (Linux), or None where it cannot be known."""
    try:
        with open("/proc/self/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 of stat(5), counted after the command name
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None
