"""Errors a user can cause, each carrying one sentence a nurse understands.

The command line prints the sentence and exits 2; the window shows it beside the field.
"""

from ..i18n import _


class ClinicalInputError(ValueError):
    """Input that is refused before anything is written (bad date, unknown patient, 60 °C)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)


def no_patient(study_id: str) -> ClinicalInputError:
    """The one sentence for a study ID nobody registered."""
    return ClinicalInputError(_("There is no patient with study ID '{study_id}'.").format(
                                  study_id=study_id.strip()), "study_id")


class StoreError(Exception):
    """The database file cannot be used (not ARI Desktop's, from a newer version, locked, read-only)."""

    field = None  # not about one field: the window shows it above the form


class ProtocolError(ValueError):
    """A protocol file that cannot be used; the message names the line and field."""


# Every error a user can cause: the command line prints its sentence and exits 2; the window shows
# it beside the field, or above the form.
USER_ERRORS = (ClinicalInputError, StoreError, ProtocolError)
