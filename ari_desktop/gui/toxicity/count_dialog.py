"""Record a blood count (ui/blood_count.ui) or a tumour-lysis lab set (ui/tls_labs.ui).

Decimal fields read the same in every locale ("0,4" is 0.4); the grades (CTCAE v5.0, with the
patient's lower limits of normal) or the Cairo-Bishop reading are shown as the numbers are typed,
computed by the same core functions the store applies on Save. A refused input says why beside
its field, and nothing is written.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialogButtonBox, QLabel, QWidget

from ...core.counts import VALUES, BloodCount, grade_count
from ...core.ctcae import LabSet, TlsLabs, tls_finding
from ...core.errors import USER_ERRORS, ClinicalInputError
from ...i18n import N_, _
from ..common.field_errors import ERROR_PREFIX, FieldErrors
from ..common.fields import DateTimeField, DecimalField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.session import Session
from .timeline import grade_style, patient_words, reason_words

_EXAMPLES = {"neutrophils": "0.4", "platelets": "40", "haemoglobin": "9.5", "uric_acid": "350", "potassium": "4.2",
             "phosphate": "1.1", "calcium": "2.3", "creatinine": "1.2"}


class _MeasurementDialog(FormDialog):
    """What both forms share: the patient, the time taken, decimal fields with their errors beside."""

    saved = Signal(object)
    discard_question = N_("Discard these results, not saved?")
    WORDS: dict[str, str]  # each value's name, as its sentences say it (shown through _())

    def __init__(self, form: str, session: Session, study_id: str, parent: QWidget | None,
                 fields: dict[str, str], aliases: dict[str, str]):
        super().__init__(parent)
        load_form(form, self)
        self.session = session
        self.patient = session.store.patients.get(study_id)
        self.at = child(self, DateTimeField, "atEdit").describe(_("time the blood was taken"), "at")
        self.fields = {name: child(self, DecimalField, f"{key}Edit").describe(_(self.WORDS[name]), name,
                                                                              _EXAMPLES[name])
                       for name, key in fields.items()}
        self.aliases = aliases  # the core's field -> the form's
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "at": (child(self, QLabel, "atError"), self.at),
            **{name: (child(self, QLabel, f"{key}Error"), self.fields[name]) for name, key in fields.items()}})
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.at.set_value(session.store.now())
        p = self.patient
        child(self, QLabel, "patientText").setText(patient_words(p))
        for edit in self.fields.values():
            edit.textChanged.connect(lambda _: self.update_reading())
        self.at.textChanged.connect(lambda _: self.update_reading())

    def value(self, name: str) -> float | None:
        return self.fields[name].value()

    def measured_at(self) -> datetime:
        return self.at.required(_("Give the time the blood was taken: YYYY-MM-DD and HH:MM."))

    def show_beside(self, error: ClinicalInputError) -> None:
        """The sentence beside its field, without taking the focus from where the user types."""
        label = self.errors.fields.get(self.aliases.get(error.field, error.field), (self.errors.fallback,))[0]
        label.setText(ERROR_PREFIX + str(error))
        label.setToolTip(str(error))
        label.show()

    def error_text(self, field: str) -> str:
        return self.errors.text(field)

    def update_reading(self) -> None:
        raise NotImplementedError

    def save(self):
        raise NotImplementedError

    def accept(self) -> None:
        self.errors.clear()
        try:
            saved = self.save()
        except USER_ERRORS as error:
            self.errors.show(error, self.aliases.get(error.field, error.field))
            return
        self.saved.emit(saved)
        self.session.events.recorded.emit(self.patient.study_id)
        super().accept()


class BloodCountDialog(_MeasurementDialog):
    """Neutrophils, platelets, haemoglobin (any of them) at a time; each value's CTCAE grade live."""

    WORDS = {"neutrophils": N_("Neutrophils"), "platelets": N_("Platelets"), "haemoglobin": N_("Haemoglobin")}

    def __init__(self, session: Session, study_id: str, parent: QWidget | None = None):
        super().__init__("blood_count.ui", session, study_id, parent, {name: name for name in self.WORDS},
                         {"anc": "neutrophils", "lln": "neutrophils"})
        self.setWindowTitle(_("Blood count: {study_id}").format(study_id=self.patient.study_id))
        self.limits = session.store.counts.limits(self.patient.study_id)
        self.grade_labels = {name: child(self, QLabel, f"{name}Grade") for name in self.WORDS}
        limits = (_("Lower limits of normal (protocol file): neutrophils {neutrophils} ×10⁹/L, platelets {platelets} "
                    "×10⁹/L, haemoglobin {haemoglobin} g/dL (women).") if self.patient.sex == "F" else
                  _("Lower limits of normal (protocol file): neutrophils {neutrophils} ×10⁹/L, platelets {platelets} "
                    "×10⁹/L, haemoglobin {haemoglobin} g/dL (men)."))
        child(self, QLabel, "limitsText").setText(
            limits.format(neutrophils=f"{self.limits.neutrophils:g}", platelets=f"{self.limits.platelets:g}",
                          haemoglobin=f"{self.limits.haemoglobin:g}") + " "
            + _("A count below normal opens or worsens a cytopenia; a later normal count resolves it."))
        self.update_reading()
        self.fields["neutrophils"].setFocus()
        self.form_ready()

    def values(self) -> dict[str, float | None]:
        return {name: self.value(name) for name in self.WORDS}

    def update_reading(self) -> None:
        self.errors.clear()
        for kind, name in VALUES.items():
            label = self.grade_labels[name]
            try:
                value = self.value(name)
                grade = None if value is None else grade_count(
                    BloodCount(self.session.store.now(), **{name: value}), self.limits)[kind]
            except USER_ERRORS as error:
                self.show_beside(error)
                grade = error
            if isinstance(grade, ClinicalInputError):
                label.setStyleSheet(grade_style(None))
                label.setText(_("Not graded: see the sentence beside it"))
            elif grade is None:
                label.setStyleSheet("")
                label.setText("")
            else:
                label.setStyleSheet(grade_style(grade.grade))
                words = _("Grade {grade}").format(grade=grade.grade)
                label.setText(f"<b>{words}</b> — {reason_words(grade)}")
            label.setAccessibleName(label.text())

    def grade_text(self, name: str) -> str:
        return self.grade_labels[name].text().replace("<b>", "").replace("</b>", "")

    def save(self):
        values = self.values()
        saved = self.session.store.counts.add(self.patient.study_id, self.measured_at(), **values)
        words = ", ".join(_("{count} grade {grade}").format(count=_(self.WORDS[VALUES[kind]]).lower(), grade=g.grade)
                          for kind, g in saved.grades.items())
        self.session.say(_("Saved the blood count of {study_id}: {grades}.").format(study_id=self.patient.study_id,
                                                                                    grades=words))
        return saved


class TlsLabsDialog(_MeasurementDialog):
    """Uric acid, potassium, phosphate, calcium (creatinine × ULN if measured) and the clinical
    findings; the Cairo-Bishop reading live. The CTCAE grade of TLS is the physician's, as an event."""

    WORDS = {"uric_acid": N_("Uric acid"), "potassium": N_("Potassium"), "phosphate": N_("Phosphate"),
             "calcium": N_("Calcium"), "creatinine": N_("Creatinine")}

    def __init__(self, session: Session, study_id: str, parent: QWidget | None = None):
        super().__init__("tls_labs.ui", session, study_id, parent,
                         {"uric_acid": "uricAcid", "potassium": "potassium", "phosphate": "phosphate",
                          "calcium": "calcium", "creatinine": "creatinine"},
                         {f"baseline_{name}": name for name in ("uric_acid", "potassium", "phosphate", "calcium")})
        self.setWindowTitle(_("Tumour-lysis labs: {study_id}").format(study_id=self.patient.study_id))
        self.arrhythmia = child(self, QCheckBox, "arrhythmiaCheck")
        self.seizure = child(self, QCheckBox, "seizureCheck")
        self.baseline = child(self, QCheckBox, "baselineCheck")
        self.finding = child(self, QLabel, "findingText")
        for box in (self.arrhythmia, self.seizure, self.baseline):
            box.toggled.connect(lambda _: self.update_reading())
        child(self, QLabel, "limitsText").setText(_(
            "Cairo-Bishop, from 3 days before to 7 days after day 0 or the booster: two or more of uric acid "
            "≥ 476 µmol/L, potassium ≥ 6.0 mmol/L, phosphate ≥ 1.45 mmol/L (or +25 % from baseline), calcium "
            "≤ 1.75 mmol/L (or −25 %). The baseline is the latest set marked baseline, else the earliest set."))
        self.update_reading()
        self.fields["uric_acid"].setFocus()
        self.form_ready()

    def lab_set(self) -> LabSet:
        v = {name: self.value(name) for name in self.WORDS}
        return LabSet(self.measured_at(), TlsLabs(v["uric_acid"], v["potassium"], v["phosphate"], v["calcium"]),
                      v["creatinine"], self.arrhythmia.isChecked(), self.seizure.isChecked(), self.baseline.isChecked())

    def update_reading(self) -> None:
        self.errors.clear()
        store, anchors = self.session.store, self.patient.anchors
        try:
            new = self.lab_set()
            reading = tls_finding(new, [s for s, _finding in store.labs.of(self.patient.study_id)], anchors.day0,
                                  anchors.booster)
        except USER_ERRORS as error:
            self.show_beside(error)
            self.finding.setStyleSheet(grade_style(None))
            self.finding.setText(_("Not read: see the sentence beside the field"))
            return
        # Neutral colours: Cairo-Bishop says whether there is TLS; its CTCAE grade is the physician's.
        self.finding.setStyleSheet(grade_style(None))
        head = ("⚠ " + _("Clinical TLS") if reading.clinical else "⚠ " + _("Laboratory TLS") if reading.laboratory
                else _("No TLS"))
        self.finding.setText(f"<b>{head}</b> — {reading.shown}")

    def finding_text(self) -> str:
        return self.finding.text().replace("<b>", "").replace("</b>", "")

    def save(self):
        new = self.lab_set()
        lab_set, finding = self.session.store.labs.add(
            self.patient.study_id, new.measured_at, new.labs, creatinine_x_uln=new.creatinine_x_uln,
            arrhythmia=new.arrhythmia, seizure=new.seizure, baseline=new.baseline)
        said = (_("Saved the lab set of {study_id} — {finding}: record its CTCAE grade (3–5) as a tumour lysis "
                  "syndrome event.") if finding.laboratory else _("Saved the lab set of {study_id} — {finding}."))
        self.session.say(said.format(study_id=self.patient.study_id, finding=finding.shown))
        return lab_set, finding

