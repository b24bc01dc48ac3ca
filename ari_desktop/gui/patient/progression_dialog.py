"""The first progression of a patient (ui/progression.ui): its date and how it was found. PFS ends there.

The date is typed (never today by default) and "found by" starts empty; changing a progression already
recorded asks for the reason, and the store's sentence is said beside the field.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit, QWidget

from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.results import PROGRESSION_FOUND_BY
from ...i18n import N_, _
from ..common.field_errors import FieldErrors
from ..common.fields import DateField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.session import Session

NOT_CHOSEN = N_("— choose —")
# How a progression was found: the store's codes in the clinic's words (shown through _()).
FOUND_BY_WORDS = {"biochemical": N_("biochemical"), "imaging": N_("imaging"), "marrow": N_("marrow"),
                  "clinical": N_("clinical")}


def found_by_words(code: str) -> str:
    return _(FOUND_BY_WORDS[code]) if code in FOUND_BY_WORDS else code


class ProgressionDialog(FormDialog):
    discard_question = N_("Discard this progression, not saved?")

    def __init__(self, session: Session, study_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        load_form("progression.ui", self)
        self.session, self.study_id = session, study_id
        recorded = session.store.results.progression(study_id)
        self.setWindowTitle(_("Progression: {study_id}").format(study_id=study_id))
        said = (_("{study_id}: progressed on {date} ({found_by}), recorded by {user}.").format(
            study_id=study_id, date=recorded.progressed_on, found_by=found_by_words(recorded.found_by),
            user=recorded.recorded_by)
            if recorded else _("{study_id}: no progression recorded.").format(study_id=study_id))
        child(self, QLabel, "intro").setText(
            said + " " + _("The first progression ends progression-free survival; follow-up for survival goes on."))
        self.date = child(self, DateField, "progressedOn").describe(_("progression date"), "progressed_on")
        self.found_by = child(self, QComboBox, "foundBy")
        self.found_by.addItem(_(NOT_CHOSEN), None)
        for how in PROGRESSION_FOUND_BY:
            self.found_by.addItem(found_by_words(how), how)
        self.reason = child(self, QLineEdit, "reasonEdit")
        for name in ("reasonCaption", "reasonEdit", "reasonError"):
            child(self, QWidget, name).setVisible(recorded is not None)
        if recorded:
            self.date.set_value(recorded.progressed_on)
            self.found_by.setCurrentIndex(self.found_by.findData(recorded.found_by))
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "progressed_on": (child(self, QLabel, "progressedOnError"), self.date),
            "found_by": (child(self, QLabel, "foundByError"), self.found_by),
            "reason": (child(self, QLabel, "reasonError"), self.reason)})
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form_ready()

    def accept(self) -> None:
        self.errors.clear()
        try:
            on = self.date.required(_("Type the date of the progression: YYYY-MM-DD."))
            found_by = self.found_by.currentData()
            if found_by is None:
                raise ClinicalInputError(_("Choose how the progression was found."), "found_by")
            saved = self.session.store.results.record_progression(self.study_id, on, found_by, self.reason.text())
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.session.events.recorded.emit(self.study_id)
        self.session.say(_("Recorded the progression of {study_id} on {date} ({found_by}).").format(
            study_id=self.study_id, date=saved.progressed_on, found_by=found_by_words(saved.found_by)))
        super().accept()
