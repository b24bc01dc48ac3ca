"""A patient's details (ui/patient_details.ui): what was typed at registration, and its correction.

A correction goes through store.patients.correct, the command line's `patient correct`: only the
fields changed are written, with the reason the change log keeps; the store refuses a correction
without a reason, a bad value (with the sentence shown beside its field) or a field someone else
changed since the dialog opened. Enter saves only what the store accepts.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QMessageBox

from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.patients import SEXES, Patient
from ...i18n import N_, _
from ..common.field_errors import FieldErrors
from ..common.fields import WholeNumberField
from ..common.forms import child, load_form
from ..common.session import Session

# The correctable fields in the store's words (patients.correct) and in the change's sentence.
_FIELD_WORDS = {"initials": N_("initials"), "sex": N_("sex"), "birth_year": N_("birth year"),
                "extramedullary": N_("extramedullary disease")}


class PatientDetailsDialog(QDialog):
    def __init__(self, session: Session, study_id: str, parent=None):
        super().__init__(parent)
        load_form("patient_details.ui", self)
        self.session = session
        self.seen: Patient = session.store.patients.get(study_id)  # what a stale correction is checked against
        self.corrected: Patient | None = None
        self.initials = child(self, QLineEdit, "initials")
        self.sex = child(self, QComboBox, "sex")
        self.birth_year = child(self, WholeNumberField, "birthYear").describe(_("birth year"), "birth_year", "1961")
        self.extramedullary = child(self, QCheckBox, "extramedullary")
        self.reason = child(self, QLineEdit, "reason")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "initials": (child(self, QLabel, "initialsError"), self.initials),
            "sex": (child(self, QLabel, "sexError"), self.sex),
            "birth_year": (child(self, QLabel, "birthYearError"), self.birth_year),
            "extramedullary": (child(self, QLabel, "extramedullaryError"), self.extramedullary),
            "reason": (child(self, QLabel, "reasonError"), self.reason),
        })
        self._show(self.seen)
        self.setWindowTitle(_("Patient details: {study_id}").format(study_id=self.seen.study_id))
        self.save_button.setText(_("Save correction"))
        self.save_button.setToolTip(_("Write the fields changed, with the reason; nothing is saved until it is "
                                      "right."))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @property
    def save_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _show(self, patient: Patient) -> None:
        anchors = patient.anchors
        child(self, QLabel, "studyId").setText(patient.study_id)
        self.initials.setText(patient.initials)
        self.sex.setCurrentIndex(SEXES.index(patient.sex))
        self.birth_year.set_value(patient.birth_year)
        self.extramedullary.setChecked(anchors.extramedullary)
        off_study = (f"{anchors.off_study} ({anchors.off_study_reason})" if anchors.off_study and
                     anchors.off_study_reason else anchors.off_study)
        for name, value in (("screening", anchors.screening), ("day0", anchors.day0), ("booster", anchors.booster),
                            ("offStudy", off_study), ("death", anchors.death)):
            child(self, QLabel, name).setText(str(value) if value else "—")

    def typed(self) -> dict:
        """The fields as typed now, in patients.correct's words; a birth year that is not one is refused."""
        birth_year = self.birth_year.value()
        if birth_year is None:
            raise ClinicalInputError(_("Write the birth year (YYYY)."), "birth_year")
        return {"initials": self.initials.text(), "sex": SEXES[self.sex.currentIndex()], "birth_year": birth_year,
                "extramedullary": self.extramedullary.isChecked()}

    def changed(self) -> list[str]:
        """The fields typed otherwise than they were shown (a birth year not readable counts as changed)."""
        try:
            typed = self.typed()
        except ClinicalInputError:
            return ["birth_year"]
        seen = {"initials": self.seen.initials, "sex": self.seen.sex, "birth_year": self.seen.birth_year,
                "extramedullary": self.seen.anchors.extramedullary}
        return [k for k, v in typed.items() if v != seen[k]]

    def accept(self) -> None:
        """Save the correction if the store accepts it; otherwise its sentence beside the field, nothing written."""
        self.errors.clear()
        changed = self.changed()
        if not changed:
            self.errors.show(ClinicalInputError(_("Nothing to correct: change a field first, or Cancel.")))
            return
        try:
            self.corrected = self.session.store.patients.correct(self.seen.study_id, self.reason.text(),
                                                                 expected=self.seen, **self.typed())
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.session.events.patient_changed.emit(self.seen.study_id)
        self.session.say(_("Corrected {study_id}: {fields}.").format(
            study_id=self.seen.study_id, fields=", ".join(_(_FIELD_WORDS[k]) for k in changed)))
        super().accept()

    def reject(self) -> None:
        """Cancel; edits typed are discarded only when the user says so."""
        if (self.changed() or self.reason.text().strip()) and QMessageBox.question(
                self, _("Discard the correction?"), _("The correction typed has not been saved. Discard it?"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel) != QMessageBox.StandardButton.Discard:
            return
        super().reject()
