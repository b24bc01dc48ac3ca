"""The clinical tables as they are, for the export: every column, the study ID beside each row."""

from __future__ import annotations

from ..core.errors import ClinicalInputError
from ..i18n import _
from .part import Part
from .schema import CLINICAL_TABLES


class Tables(Part):
    NAMES = (*CLINICAL_TABLES, "change_log")

    def rows(self, table: str) -> tuple[list[str], list[tuple]]:
        """(column names, rows) of one clinical table, with the study ID in place of the row number."""
        if table not in self.NAMES:
            raise ClinicalInputError(_("The table '{table}' is not one of {allowed}.").format(
                                         table=table, allowed=', '.join(self.NAMES)), "table")
        if table in ("patients", "change_log"):
            cursor = self.db.execute(f"SELECT * FROM {table} ORDER BY id")
        else:
            cursor = self.db.execute(
                f"SELECT p.study_id, t.* FROM {table} t JOIN patients p ON p.id = t.patient_id ORDER BY t.id")
        return [c[0] for c in cursor.description], cursor.fetchall()
