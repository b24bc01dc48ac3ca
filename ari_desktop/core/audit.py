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

from ..i18n import _

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
        return _("change-log entry {id} ({at}, {user}, {action} of {table} {row_id})").format(
            id=self.id, at=self.at, user=self.user, action=self.action, table=self.table, row_id=self.row_id)


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
            return count, _("The {entry} was inserted outside ARI Desktop: it carries no hash.").format(
                entry=entry.described())
        if entry.previous_hash != expected:
            if entry.id > last_id + 1:
                said = (_("Change-log entry {first} was removed: the {entry} no longer follows entry {last}.")
                        if entry.id == last_id + 2 else
                        _("Change-log entries {first} to {to} were removed: the {entry} no longer follows entry "
                          "{last}."))
                return count, said.format(first=last_id + 1, to=entry.id - 1, entry=entry.described(), last=last_id)
            return count, _("An entry was removed or inserted before the {entry}: it no longer follows entry "
                            "{last}.").format(entry=entry.described(), last=last_id)
        if entry_hash(entry.fields(), entry.previous_hash) != entry.hash:
            return count, _("The {entry} was altered (or inserted) outside ARI Desktop: its content no longer "
                            "matches its hash.").format(entry=entry.described())
        expected, last_id = entry.hash, entry.id
    return count, None
