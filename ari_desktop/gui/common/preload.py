"""The libraries the Analysis view reads and draws with (the survival library with SciPy and pandas, matplotlib),
loaded in a thread a few seconds after the window opens: the view's first opening then waits for its tables,
not for 2 s of imports.

Never before the first paint (tests/test_gui_window.py checks what it loads), never for a screenshot or a
timing run (app.run starts it for a person's window only). Whoever needs these libraries in the window waits
for the loading to end first (`wait`); asked before the loading began, it is never begun. So no module is
imported by two threads at once.
"""

from __future__ import annotations

import importlib
import logging
import threading

LIBRARIES = ("lifelines", "scipy.stats", "matplotlib.figure", "matplotlib.ticker", "matplotlib.backends.backend_agg")
AFTER_START_MS = 3_000  # the worklist is on screen and the first flags are read

_lock = threading.Lock()
_loading: threading.Thread | None = None
_needed_first = False  # the window needed the libraries before the loading began: it imports them itself


def start() -> None:
    """Begin loading LIBRARIES in the background (once; never after `wait` was called without it)."""
    global _loading
    with _lock:
        if _loading is None and not _needed_first:
            _loading = threading.Thread(target=_load, name="preload", daemon=True)
            _loading.start()


def wait() -> None:
    """Return once the loading has ended; if it has not begun, it never will."""
    global _needed_first
    with _lock:
        loading = _loading
        _needed_first = _needed_first or loading is None
    if loading is not None:
        loading.join()


def _load() -> None:
    for name in LIBRARIES:
        try:
            importlib.import_module(name)
        except Exception:  # the view meets the same failure when it imports the library, and says it there
            logging.getLogger(__name__).exception("Could not load %s ahead of the Analysis view", name)
            return
