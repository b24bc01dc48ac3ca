"""The libraries the Analysis view reads and draws with (the survival library with SciPy and pandas, matplotlib),
loaded in a thread a few seconds after the window opens: the view's first opening then waits for its tables,
not for 2 s of imports.

Never before the first paint (tests/test_gui_window.py checks what it loads), never for a screenshot or a
timing run (app.run starts it for a person's window only). Whoever needs these libraries in the window waits
for the loading to end first (`wait`), so that no module is imported by two threads at once.
"""

from __future__ import annotations

import importlib
import logging
import threading

LIBRARIES = ("lifelines", "scipy.stats", "matplotlib.figure", "matplotlib.ticker", "matplotlib.backends.backend_agg")
AFTER_START_MS = 3_000  # the worklist is on screen and the first flags are read

_loading: threading.Thread | None = None


def start() -> None:
    """Begin loading LIBRARIES in the background (once)."""
    global _loading
    if _loading is None:
        _loading = threading.Thread(target=_load, name="preload", daemon=True)
        _loading.start()


def wait() -> None:
    """Return once the loading has ended (at once if it never began)."""
    if _loading is not None:
        _loading.join()


def _load() -> None:
    for name in LIBRARIES:
        try:
            importlib.import_module(name)
        except Exception:  # the view meets the same failure when it imports the library, and says it there
            logging.getLogger(__name__).exception("Could not load %s ahead of the Analysis view", name)
            return
