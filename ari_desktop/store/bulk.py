"""Reads of the whole cohort at once: hundreds of thousands of small records built in one go."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cohort_read() -> Iterator[None]:
    """Python's cycle collector paused while a cohort read builds its records (some 300,000 for 5,000
    patients). They hold no reference cycles, so reference counting frees them; the collector would only
    re-scan every one of them each time their number grows by a quarter, a third of the endpoint tables'
    time. Put back as found (a read inside another leaves it to the outer one)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
