"""What every part of the store shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store

_IDS_PER_QUERY = 500  # well within what SQLite and PostgreSQL take as parameters of one query


def of_patients(patient_ids: Sequence[int] | None, column: str = "patient_id") -> list[tuple[str, list[int]]]:
    """The conditions (with their parameters) that read these patients' rows in a few queries, or every
    patient's (None) in one."""
    if patient_ids is None:
        return [("1 = 1", [])]
    batches = [list(patient_ids[i:i + _IDS_PER_QUERY]) for i in range(0, len(patient_ids), _IDS_PER_QUERY)]
    return [(f"{column} IN ({', '.join('?' for _ in batch)})", batch) for batch in batches]


def fewer(wanted: Sequence[int], of: int) -> Sequence[int] | None:
    """`wanted` (patient row ids), or None when it is every one of the `of` patients: of_patients then reads
    everyone's rows in one query rather than in batches."""
    return wanted if len(wanted) < of else None


class Part:
    """One kind of record of an open database (store.patients, store.recordings, ...): it works on
    the store's connection, inside the store's transaction, and writes through its one write path."""

    def __init__(self, store: Store):
        self.store = store
        self.db = store.db
        self.protocol = store.protocol
