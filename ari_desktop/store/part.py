"""What every part of the store shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store


class Part:
    """One kind of record of an open database (store.patients, store.recordings, ...): it works on
    the store's connection, inside the store's transaction, and writes through its one write path."""

    def __init__(self, store: Store):
        self.store = store
        self.db = store.db
        self.protocol = store.protocol
