"""Electronic signatures of assessments and go/hold decisions.

Signing asks for the signer's password again (a wrong one counts as a failed log-in, like any), checks
that the signer's roles may sign that act, and keeps the hash of the record's content then
(core/signatures.py). A signature is written through the change log and never changed or removed; its
status is computed against the record as it is now.
"""

from __future__ import annotations

from ..core import signatures as rules
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError
from ..core.roles import check_may
from ..core.signatures import Signature
from ..i18n import _
from .part import Part


class Signatures(Part):
    def sign(self, table: str, row_id: int, meaning: str | None, login: str, password: str) -> Signature:
        """Sign the record `row_id` of `table` as `meaning` (a decision: None, its own), as `login`, whose
        password is re-entered."""
        rules.check_meaning(table, meaning, self._record(table, row_id))  # before the password: nothing to count
        account = self.store.accounts.sign_in(login, password)
        check_may(account.roles, rules.action(table), account.login)
        with self.store.transaction():
            record = self._record(table, row_id)
            meaning = rules.check_meaning(table, meaning, record)  # as it is now, if it changed during the password
            self.store.write("signatures", None, {
                "table_name": table, "row_id": row_id, "content_hash": rules.content_hash(table, record),
                "meaning": meaning, "account_id": account.id, "login": account.login,
                "full_name": account.full_name, "signed_at": to_utc_text(self.store.now())})
        return self.of(table, row_id)[-1][0]

    def of(self, table: str, row_id: int) -> list[tuple[Signature, str]]:
        """The signatures of a record, oldest first, each with its status against the record as it is now."""
        record = self._row(table, row_id)
        if not _storable(row_id):
            return []
        current = None if record is None else rules.content_hash(table, record)
        signatures = [Signature(table, row_id, content_hash, meaning, login, full_name, from_utc_text(signed_at))
                      for content_hash, meaning, login, full_name, signed_at in self.db.execute(
                          "SELECT content_hash, meaning, login, full_name, signed_at FROM signatures"
                          " WHERE table_name = ? AND row_id = ? ORDER BY id", [table, row_id])]
        return [(signature, signature.status(current)) for signature in signatures]

    def _record(self, table: str, row_id: int) -> dict:
        record = self._row(table, row_id)
        if record is None:
            raise ClinicalInputError(_("There is no {what} with the id {row_id}.").format(
                                         what=_(rules.SIGNABLE[table][0]), row_id=row_id), "id")
        return record

    def _row(self, table: str, row_id: int) -> dict | None:
        rules.check_table(table)
        if not _storable(row_id):
            return None
        cursor = self.db.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
        row = cursor.fetchone()
        return None if row is None else dict(zip((c[0] for c in cursor.description), row, strict=True))


def _storable(row_id: int) -> bool:
    """Whether SQLite can hold the id at all (a number typed too long names no record)."""
    return -(2**63) <= row_id < 2**63
