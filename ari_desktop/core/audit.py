"""The audit trail's hash chain: each change-log entry carries the hash of the entry before it, so an
entry edited, removed or added by hand (outside ARI Desktop) breaks a link that `first_break` names.

An entry's hash is SHA-256 over a canonical JSON list of its fields and the previous entry's hash:
the same entry always gives the same bytes, whatever wrote it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

# The hash the first entry follows.
CHAIN_START = ""


@dataclass(frozen=True)
class Entry:
    """One change-log entry as stored, with its link."""

    id: int
    at: str
    user: str
    table: str
    row_id: int
    action: str
    old_values: str | None
    new_values: str
    reason: str | None
    previous_hash: str | None = None
    hash: str | None = None

    def fields(self) -> list:
        return [self.id, self.at, self.user, self.table, self.row_id, self.action, self.old_values, self.new_values,
                self.reason]

    def described(self) -> str:
        return f"change-log entry {self.id} ({self.at}, {self.user}, {self.action} of {self.table} {self.row_id})"


# Compact JSON, text as it is: one encoder, made once (it is used on every write).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def entry_hash(fields: list, previous_hash: str) -> str:
    return hashlib.sha256(_CANONICAL([*fields, previous_hash]).encode("utf-8")).hexdigest()


def first_break(entries: Iterable[Entry]) -> tuple[int, str | None]:
    """(how many entries were read, the sentence naming the first broken link or None when intact).
    `entries` come in id order."""
    expected, last_id, count = CHAIN_START, 0, 0
    for entry in entries:
        count += 1
        if entry.hash is None:
            return count, f"The {entry.described()} was inserted outside ARI Desktop: it carries no hash."
        if entry.previous_hash != expected:
            if entry.id > last_id + 1:
                missing = (f"entry {last_id + 1} was" if entry.id == last_id + 2
                           else f"entries {last_id + 1} to {entry.id - 1} were")
                return count, (f"Change-log {missing} removed: the {entry.described()} no longer follows "
                               f"entry {last_id}.")
            return count, (f"An entry was removed or inserted before the {entry.described()}: it no longer follows "
                           f"entry {last_id}.")
        if entry_hash(entry.fields(), entry.previous_hash) != entry.hash:
            return count, (f"The {entry.described()} was altered (or inserted) outside ARI Desktop: its content "
                           "no longer matches its hash.")
        expected, last_id = entry.hash, entry.id
    return count, None
