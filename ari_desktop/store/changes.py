"""The change log: who changed what, when, from which value to which, and why.

Append-only (triggers refuse an update or a delete); every write of the store adds to it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from ..core.dates import from_utc_text
from ..core.errors import ClinicalInputError
from ..i18n import _
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
    id: int  # the entry's number in the change log, as the audit trail's verify names it


# The change-log entries of the patient whose row number is :patient: their registration and every
# record about them (each table's rows are found by the index on table_name, row_id).
OF_PATIENT = "(table_name = 'patients' AND row_id = :patient) OR " + " OR ".join(
    f"(table_name = '{table}' AND row_id IN (SELECT id FROM {table} WHERE patient_id = :patient))"
    for table in CLINICAL_TABLES if table != "patients")


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
        return self._changes(" AND ".join(where) or "1 = 1", params)

    def of_patient(self, study_id: str) -> list[Change]:
        """Every change to a patient's registration and to everything recorded about them."""
        return self._changes(OF_PATIENT, {"patient": self.store.patients.require_id(study_id)})

    def last_of(self, table: str, row_id: int, column: str | None = None) -> Change | None:
        """The latest change of one row (its insert or a correction), or the latest that wrote `column`."""
        changes = self._changes("id = (SELECT max(id) FROM change_log WHERE table_name = ? AND row_id = ?"
                                " AND (CAST(? AS TEXT) IS NULL OR json_type(new_values, '$.' || ?) IS NOT NULL))",
                                [table, row_id, column, column])
        return changes[0] if changes else None

    def refuse_stale(self, table: str, row_id: int, column: str | None, what: str, seen, now, field: str,
                     shown: Callable[[object], str] | None = None) -> None:
        """Refuse a correction made on a stale view: the value the user saw (`seen`) of what they
        change is no longer the stored one (`now`): someone changed it since. The sentence says who
        and when, from the change log (the latest change of `column`, or of the row). `what` names
        it, e.g. "The birth year of ARI-014"; `shown` writes a value as the window shows it."""
        if seen == now:
            return
        shown = shown or _shown
        change = self.last_of(table, row_id, column)
        if change:
            said = _("{what} was changed by {user} at {at:%Y-%m-%d %H:%M} ({seen} → {now}) since you opened it; "
                     "look again and correct it if still needed.")
        else:
            said = _("{what} was changed ({seen} → {now}) since you opened it; look again and correct it if still "
                     "needed.")
        raise ClinicalInputError(said.format(what=what, user=change.user if change else None,
                                             at=change.at.astimezone() if change else None,
                                             seen=shown(seen), now=shown(now)), field)

    def _changes(self, where: str, params) -> list[Change]:
        rows = self.db.execute(
            'SELECT at, "user", table_name, row_id, action, old_values, new_values, reason, id FROM change_log'
            f" WHERE {where} ORDER BY id", params)
        return [Change(from_utc_text(at), user, tbl, rid, action, json.loads(old) if old else None, json.loads(new),
                       reason, entry) for at, user, tbl, rid, action, old, new, reason, entry in rows]


def _shown(value) -> str:
    """A value as the user saw it on screen."""
    if value is None or value == ():
        return _("none")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return f"{value.astimezone():%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
