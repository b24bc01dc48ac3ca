"""The change log: who changed what, when, from which value to which, and why.

Append-only (triggers refuse an update or a delete); every write of the store adds to it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ..core.dates import from_utc_text
from .part import Part
from .schema import CLINICAL_TABLES


@dataclass(frozen=True)
class Change:
    at: datetime
    user: str
    table: str
    row_id: int
    action: str
    old: dict | None
    new: dict
    reason: str | None


class ChangeLog(Part):
    def all(self, table: str | None = None, row_id: int | None = None) -> list[Change]:
        """Every change, or those of one table (and one row of it)."""
        where, params = [], []
        if table:
            where.append("table_name = ?")
            params.append(table)
        if row_id is not None:
            where.append("row_id = ?")
            params.append(row_id)
        return self._changes(" AND ".join(where) or "1", params)

    def of_patient(self, study_id: str) -> list[Change]:
        """Every change to a patient's registration and to everything recorded about them."""
        patient_id = self.store.patients.require_id(study_id)
        owned = " OR ".join(
            f"(table_name = '{table}' AND row_id IN (SELECT id FROM {table} WHERE patient_id = :patient))"
            for table in CLINICAL_TABLES if table != "patients")
        return self._changes(f"(table_name = 'patients' AND row_id = :patient) OR {owned}", {"patient": patient_id})

    def _changes(self, where: str, params) -> list[Change]:
        rows = self.db.execute(
            "SELECT at, user, table_name, row_id, action, old_values, new_values, reason FROM change_log"
            f" WHERE {where} ORDER BY id", params)
        return [Change(from_utc_text(at), user, tbl, rid, action, json.loads(old) if old else None, json.loads(new),
                       reason) for at, user, tbl, rid, action, old, new, reason in rows]
