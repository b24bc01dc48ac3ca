"""Register a patient (ui/register_patient.ui): checked by patients.check_new_patient, then stored."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QLabel, QLineEdit, QSpinBox

from ...core.errors import USER_ERRORS
from ...core.patients import SEXES, Anchors, Patient, check_new_patient
from ..common.field_errors import FieldErrors
from ..common.forms import child, load_form
from ..common.qt_dates import from_qdate, to_qdate
from ..common.session import Session


class RegisterPatientDialog(QDialog):
    def __init__(self, session: Session, parent=None):
        super().__init__(parent)
        load_form("register_patient.ui", self)
        self.session = session
        self.registered: Patient | None = None
        self.study_id = child(self, QLineEdit, "studyId")
        self.initials = child(self, QLineEdit, "initials")
        self.sex = child(self, QComboBox, "sex")
        self.birth_year = child(self, QSpinBox, "birthYear")
        self.screening = child(self, QDateEdit, "screening")
        self.day0_known = child(self, QCheckBox, "day0Known")
        self.day0 = child(self, QDateEdit, "day0")
        self.extramedullary = child(self, QCheckBox, "extramedullary")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        today = to_qdate(session.today())
        self.screening.setDate(today)
        self.day0.setDate(today)
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "study_id": (child(self, QLabel, "studyIdError"), self.study_id),
            "initials": (child(self, QLabel, "initialsError"), self.initials),
            "sex": (child(self, QLabel, "sexError"), self.sex),
            "birth_year": (child(self, QLabel, "birthYearError"), self.birth_year),
            "screening": (child(self, QLabel, "screeningError"), self.screening),
            "day0": (child(self, QLabel, "day0Error"), self.day0),
        })
        self.ok_button.setText("Register")
        self.ok_button.setToolTip("Check what was typed and register the patient; nothing is saved until it is right.")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def accept(self) -> None:
        """Register if every field is right; otherwise say what is wrong beside it and write nothing."""
        self.errors.clear()
        store = self.session.store
        anchors = Anchors(screening=from_qdate(self.screening.date()),
                          day0=from_qdate(self.day0.date()) if self.day0_known.isChecked() else None,
                          extramedullary=self.extramedullary.isChecked())
        try:
            patient = check_new_patient(self.study_id.text(), self.initials.text(), SEXES[self.sex.currentIndex()],
                                        self.birth_year.value(), anchors, store.protocol, self.session.today())
            store.patients.add(patient)
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.registered = patient
        self.session.events.patient_added.emit(patient.study_id)
        self.session.say(f"Registered {patient.study_id}; the calendar is built.")
        super().accept()
