"""Register a patient (ui/register_patient.ui): checked by patients.check_new_patient, then stored.

The form starts empty: the sex, the birth year and the screening date are what the person types,
each refused beside its field while it is missing. Day 0 left empty is not known yet.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QLabel, QLineEdit

from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.patients import SEXES, Anchors, Patient, check_new_patient
from ...i18n import N_, _
from ..common.field_errors import FieldErrors
from ..common.fields import DateField, WholeNumberField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.session import Session


class RegisterPatientDialog(FormDialog):
    discard_question = N_("Discard this registration, not saved?")

    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        load_form("register_patient.ui", self)
        self.session = session
        self.registered: Patient | None = None
        self.study_id = child(self, QLineEdit, "studyId")
        self.initials = child(self, QLineEdit, "initials")
        self.sex = child(self, QComboBox, "sex")
        self.birth_year = child(self, WholeNumberField, "birthYear").describe("The birth year", "birth_year", "1960")
        self.screening = child(self, DateField, "screening").describe("screening date", "screening")
        self.day0 = child(self, DateField, "day0").describe("day 0", "day0")
        self.extramedullary = child(self, QCheckBox, "extramedullary")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        for index, code in enumerate(("", *SEXES)):  # the first choice is none: nobody said it yet
            self.sex.setItemData(index, code or None)
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "study_id": (child(self, QLabel, "studyIdError"), self.study_id),
            "initials": (child(self, QLabel, "initialsError"), self.initials),
            "sex": (child(self, QLabel, "sexError"), self.sex),
            "birth_year": (child(self, QLabel, "birthYearError"), self.birth_year),
            "screening": (child(self, QLabel, "screeningError"), self.screening),
            "day0": (child(self, QLabel, "day0Error"), self.day0),
        })
        self.ok_button.setText(_("Register"))
        self.ok_button.setToolTip(_("Check what was typed and register the patient; nothing is saved until it is "
                                     "right."))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.form_ready()

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def accept(self) -> None:
        """Register if every field is right; otherwise say what is wrong beside it and write nothing."""
        self.errors.clear()
        store = self.session.store
        try:
            sex = self.sex.currentData()
            if sex is None:
                raise ClinicalInputError(_("Say the patient's sex: F or M."), "sex")
            birth_year = self.birth_year.required(_("Give the birth year, e.g. 1960."))
            anchors = Anchors(screening=self.screening.required(_("Give the screening date: YYYY-MM-DD.")),
                              day0=self.day0.value(), extramedullary=self.extramedullary.isChecked())
            patient = check_new_patient(self.study_id.text(), self.initials.text(), sex, birth_year, anchors,
                                        store.protocol, self.session.today())
            store.patients.add(patient)
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.registered = patient
        self.session.events.patient_added.emit(patient.study_id)
        self.session.say(_("Registered {study_id}; the calendar is built.").format(study_id=patient.study_id))
        super().accept()
