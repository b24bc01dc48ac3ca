"""Electronic signatures: what a signature means, and the hash that binds it to the record signed.

Pure: the store keeps the signatures and the records, and calls these. A signature holds the SHA-256
of the record's content when it was signed; the record as it is now is hashed again to show it: a
correction since, or a signature copied onto another record, does not match, and the signature is void.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from ..i18n import N_, _
from .errors import ClinicalInputError

PERFORMED, REVIEWED, GO, HOLD, CONFIRMED = "performed", "reviewed", "go", "hold", "confirmed"
MEANINGS = (PERFORMED, REVIEWED, GO, HOLD, CONFIRMED)
VALID, VOID = "valid", "void"
# The meanings and statuses as a signature shows them (the codes are stored and printed as JSON).
MEANING_WORDS = {PERFORMED: N_("performed"), REVIEWED: N_("reviewed"), GO: N_("go"), HOLD: N_("hold"),
                 CONFIRMED: N_("confirmed"), VALID: N_("valid"), VOID: N_("void")}


def shown_meaning(code: str) -> str:
    """A signature's meaning (or status) in the language chosen."""
    return _(MEANING_WORDS[code])

# table -> (the record in the clinic's words (N_: shown with _()), the meanings it may be signed with, the
# action of core/roles.py).
# A go/hold decision is signed with its own decision as the meaning: a go is approved, a hold is held.
SIGNABLE: dict[str, tuple[str, tuple[str, ...], str]] = {
    "assessments": (N_("assessment"), (PERFORMED, REVIEWED), "sign-assessment"),
    "fraction_decisions": (N_("go/hold decision"), (GO, HOLD), "sign-decision"),
    "response_reviews": (N_("response review"), (CONFIRMED,), "confirm-response"),
}

# Who typed the record in and when is bookkeeping kept by the change log, not what was assessed or
# decided: left out of the hash. Everything else is in it, the record's own id included, so that
# the same findings on another record do not carry the signature.
NOT_HASHED = frozenset({"recorded_by", "recorded_at"})


@dataclass(frozen=True)
class Signature:
    table: str
    row_id: int
    content_hash: str
    meaning: str
    login: str
    full_name: str
    signed_at: datetime  # timezone-aware; stored in UTC

    def status(self, current_hash: str | None) -> str:
        """Valid while the record is as it was signed; void once it changed (or is not there)."""
        return VALID if current_hash == self.content_hash else VOID


def check_table(table: str) -> str:
    if table not in SIGNABLE:
        raise ClinicalInputError(_("A {table} record is not signed; what is signed: {listed}.").format(
                                     table=table, listed=", ".join(_(entry[0]) for entry in SIGNABLE.values())),
                                 "table")
    return table


def check_meaning(table: str, meaning: str | None, record: Mapping[str, object]) -> str:
    """The meaning a signature of `record` may have: performed or reviewed for an assessment, the
    decision itself for a go/hold decision (None: the decision)."""
    what, meanings = SIGNABLE[check_table(table)][:2]
    what = _(what)
    if meaning is None and len(meanings) == 1:  # a response review is signed as confirmed
        return meanings[0]
    if table == "fraction_decisions" and meaning is None:
        return str(record["decision"])
    if table == "fraction_decisions" and meaning != record["decision"]:
        raise ClinicalInputError(_("This {what} is a {decision}: it is signed as {decision}, not {meaning}.").format(
                                     what=what, decision=shown_meaning(str(record["decision"])), meaning=meaning),
                                 "meaning")
    if meaning not in meanings:
        raise ClinicalInputError(_("An {what} is signed as {meanings}, not '{meaning}'.").format(
                                     what=what, meanings=_(" or ").join(meanings), meaning=meaning), "meaning")
    return meaning


def action(table: str) -> str:
    """The action of core/roles.py a signature of this table needs."""
    return SIGNABLE[check_table(table)][2]


def content_hash(table: str, row: Mapping[str, object]) -> str:
    """SHA-256, in hex, of the record's table and columns (but NOT_HASHED) as canonical JSON."""
    content = {name: value for name, value in row.items() if name not in NOT_HASHED}
    text = json.dumps({"table": table, "record": content}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
