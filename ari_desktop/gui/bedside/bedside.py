"""The bedside CRS / ICANS assessment (ui/bedside_assessment.ui).

The physician enters what was observed: vitals, oxygen, the ten ICE items, consciousness, seizure,
motor weakness and oedema. The CRS and ICANS grades are computed live by the domain core
(BedsideFindings.crs() / .icans(), ASTCT 2019) and shown with the finding that decided them; they
can never be typed in. An input the core refuses (a nasal cannula without its flow, an
unarousable patient with an ICE score) shows the core's sentence beside the field at fault and
disables Save. Save calls store.assessments.add (the day's scheduled toxicity item is marked done) and
emits `saved(Assessment)`. The assessor is the account signed in, shown, never typed; "Save and sign…"
saves, then opens the sign dialog (gui/signing) with the meaning "performed".

Correction mode (`correcting=assessment`) prefills the form from a saved assessment, needs a reason
and calls store.assessments.correct: the change log keeps the original.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ...core import grading
from ...core.errors import USER_ERRORS, ClinicalInputError
from ...core.grading import Grade
from ...core.signatures import PERFORMED
from ...core.toxicity import TREATMENTS, Assessment, BedsideFindings, Treatments
from ...i18n import N_, _, ngettext
from ..common.field_errors import FieldErrors
from ..common.fields import DateTimeField, DecimalField, WholeNumberField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.qt_dates import format_moment
from ..common.session import Session
from ..signing.sign_dialog import SignDialog, account_words, sign_assessment, why_not
from ..toxicity.timeline import (
    grade_box_height,
    grade_heading,
    grade_style,
    patient_words,
    reason_words,
    scale_grade,
)

# The words of the clinic for the codes of the grading core (shown through _()). Every code has its words (a test
# checks).
OXYGEN_WORDS: dict[str, str] = {
    "none": N_("None"),
    "blow-by": N_("Blow-by"),
    "nasal-cannula": N_("Nasal cannula"),
    "high-flow-nasal-cannula": N_("High-flow nasal cannula"),
    "facemask": N_("Facemask"),
    "non-rebreather": N_("Non-rebreather"),
    "venturi": N_("Venturi"),
    "cpap": N_("CPAP"),
    "bipap": N_("BiPAP"),
    "mechanical-ventilation": N_("Mechanical ventilation"),
}
CONSCIOUSNESS_WORDS: dict[str, str] = {
    "alert": N_("Alert"),
    "awakens-spontaneously": N_("Drowsy, awakens spontaneously"),
    "awakens-to-voice": N_("Awakens to voice"),
    "awakens-to-touch": N_("Awakens only to touch"),
    "unarousable": N_("Unarousable, or needs vigorous stimuli"),
}
SEIZURE_WORDS: dict[str, str] = {
    "none": N_("No seizure"),  # not "None": Spanish and Catalan agree it with the finding
    "resolved-rapidly": N_("Resolved rapidly (or EEG, with intervention)"),
    "prolonged": N_("Prolonged > 5 min, or repetitive"),
}
EDEMA_WORDS: dict[str, str] = {
    "none": N_("No cerebral oedema"),
    "focal": N_("Focal / local, on imaging"),
    "diffuse": N_("Diffuse; posturing, CN VI palsy, papilloedema, Cushing's triad"),
}
_COMBO_TIPS = {
    "consciousnessCombo": N_("Depressed level of consciousness not attributable to another cause: awakens "
                             "spontaneously is grade 1, to voice 2, only to touch 3, unarousable 4."),
    "seizureCombo": N_("Any clinical seizure that resolved rapidly, or non-convulsive seizures on EEG that resolved "
                       "with intervention, is grade 3; a prolonged (> 5 min) seizure or repetitive seizures without "
                       "return to baseline are grade 4."),
    "edemaCombo": N_("Focal/local oedema on neuroimaging is grade 3; diffuse oedema, decerebrate or decorticate "
                     "posturing, cranial nerve VI palsy, papilloedema or Cushing's triad is grade 4."),
}
# A finding nobody has chosen yet: no entry is pre-set, so a form saved untouched claims nothing.
NOT_CHOSEN = N_("— choose —")
# The findings chosen from a list, as the form asks for one still to be chosen ("choose ...").
_CHOICE_WORDS = {"oxygen": N_("the oxygen device (None for room air)"),
                 "consciousness": N_("the level of consciousness"),
                 "seizure": N_("whether there was a seizure"), "edema": N_("whether there is cerebral oedema")}
TOUCH_HEIGHT = 36  # px: a fingertip's target
# A dose typed, as the sentence about it names it.
_DOSE_WORDS = {"tocilizumab": N_("The tocilizumab dose"), "dexamethasone": N_("The dexamethasone dose"),
               "methylprednisolone": N_("The methylprednisolone dose"), "anakinra": N_("The anakinra dose")}
# The numbers CRS is graded from, as the live grade names one that cannot be read.
_NUMBER_WORDS = {"temperature": N_("temperature"), "vasopressors": N_("number of vasopressors"),
                 "flow": N_("oxygen flow")}


class BedsideAssessmentDialog(FormDialog):
    """Record (or correct) one bedside assessment of a patient; the grades are computed, never typed."""

    saved = Signal(object)  # the saved Assessment
    discard_question = N_("Discard this unsaved assessment?")

    def __init__(self, session: Session, study_id: str, parent: QWidget | None = None, *,
                 correcting: Assessment | None = None):
        super().__init__(parent)
        load_form("bedside_assessment.ui", self)
        self.session = session
        self.patient = session.store.patients.get(study_id)
        self.correcting = correcting
        self.assessment: Assessment | None = None  # what was saved
        self.crs_result: Grade | ClinicalInputError | str = ""
        self.icans_result: Grade | ClinicalInputError | str = ""
        self._recorded_ice: int | None = None  # a correction of a score saved without its items
        self.ice_answered = correcting is not None  # an ICE nobody ticked yet is not graded as 0
        self._find_widgets()
        self._fill_choices()
        self._make_touchable()
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            # Found live while typing: shown without moving the focus.
            "temperature": (child(self, QLabel, "temperatureError"), None),
            "vasopressors": (child(self, QLabel, "vasopressorsError"), None),
            "oxygen": (child(self, QLabel, "flowError"), None),
            "flow": (child(self, QLabel, "flowError"), None),
            "ice": (child(self, QLabel, "iceError"), None),
            "consciousness": (child(self, QLabel, "consciousnessError"), None),
            "seizure": (child(self, QLabel, "seizureError"), None),
            "edema": (child(self, QLabel, "edemaError"), None),
            **{drug: (child(self, QLabel, "treatmentsError"), None)
               for drug in ("tocilizumab", "dexamethasone", "methylprednisolone", "anakinra")},
            # Found on Save by the store: the focus goes to the field.
            "at": (child(self, QLabel, "atError"), self.at_edit),
            "reason": (child(self, QLabel, "correctionReasonError"), self.correction_reason),
        })
        self._describe()
        if correcting is not None:
            self._prefill(correcting)
        else:
            self.at_edit.set_value(session.store.now())
        self._connect()
        self.update_grades()
        (self.temperature if correcting is None else self.correction_reason).setFocus()
        self.form_ready()

    # -- building --------------------------------------------------------------------------------

    def _find_widgets(self) -> None:
        self.at_edit = child(self, DateTimeField, "atEdit").describe(_("time of assessment"), "at")
        self.assessor = child(self, QLabel, "assessorText")
        self.temperature = child(self, DecimalField, "temperatureEdit").describe(_("Temperature"), "temperature",
                                                                                 "38.6")
        self.fever_masked = child(self, QCheckBox, "feverMasked")
        self.hypotension = child(self, QCheckBox, "hypotension")
        self.vasopressors = child(self, WholeNumberField, "vasopressorsEdit").describe(
            _("Number of vasopressors"), "vasopressors", "1")
        self.vasopressin = child(self, QCheckBox, "vasopressin")
        self.oxygen = child(self, QComboBox, "oxygenCombo")
        self.flow = child(self, DecimalField, "flowEdit").describe(_("Oxygen flow"), "flow", "4")
        self.ice_items = {code: child(self, QCheckBox, f"ice_{code}") for code, _label, _points in grading.ICE_ITEMS}
        self.ice_score_text = child(self, QLabel, "iceScoreText")
        self.ice_note = child(self, QLabel, "iceNote")
        self.all_ice = child(self, QPushButton, "allIceButton")
        self.no_ice = child(self, QPushButton, "noIceButton")
        self.cannot_perform_ice = child(self, QCheckBox, "cannotPerformIce")
        self.consciousness = child(self, QComboBox, "consciousnessCombo")
        self.seizure = child(self, QComboBox, "seizureCombo")
        self.motor_weakness = child(self, QCheckBox, "motorWeakness")
        self.edema = child(self, QComboBox, "edemaCombo")
        self.choices = {"oxygen": self.oxygen, "consciousness": self.consciousness, "seizure": self.seizure,
                        "edema": self.edema}
        self.doses = {name: child(self, DecimalField, f"{drug}Edit").describe(_DOSE_WORDS[drug], drug, "8")
                      for name, drug in ((name, name.removesuffix("_mg")) for name in TREATMENTS)}
        self.notes = child(self, QLineEdit, "notesEdit")
        self.correction_reason = child(self, QLineEdit, "correctionReason")
        self.crs_label = child(self, QLabel, "crsGradeText")
        self.icans_label = child(self, QLabel, "icansGradeText")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.save_sign_button = self.buttons.addButton(_("Save and si&gn…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.sign_dialog: SignDialog | None = None  # opened by "Save and sign…"
        for label in (self.crs_label, self.icans_label):
            label.setMinimumHeight(grade_box_height(label, 17, 11))

    def _fill_choices(self) -> None:
        for combo, words, codes in ((self.oxygen, OXYGEN_WORDS, grading.OXYGEN_DEVICES),
                                    (self.consciousness, CONSCIOUSNESS_WORDS, grading.CONSCIOUSNESS_LEVELS),
                                    (self.seizure, SEIZURE_WORDS, grading.SEIZURE_KINDS),
                                    (self.edema, EDEMA_WORDS, grading.EDEMA_KINDS)):
            combo.addItem(_(NOT_CHOSEN), None)  # first and current: no finding until the physician picks one
            for code in codes:
                combo.addItem(_(words[code]), code)
                combo.setItemData(combo.count() - 1, _(words[code]), Qt.ItemDataRole.ToolTipRole)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(14)
            if combo.objectName() in _COMBO_TIPS:
                combo.setToolTip(_(_COMBO_TIPS[combo.objectName()]))
        for code, label, points in grading.ICE_ITEMS:
            box = self.ice_items[code]
            box.setToolTip(ngettext("{item} ({points} point)", "{item} ({points} points)", points).format(
                item=_(label), points=points))
            box.setAccessibleName(_("ICE: {item}").format(item=_(label)))
        big = self.ice_score_text.font()
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.ice_score_text.setFont(big)

    def _make_touchable(self) -> None:
        """Targets a fingertip can hit: every control at least TOUCH_HEIGHT px high."""
        make_touchable(self)
        self.save_button.setDefault(True)  # Enter saves; Esc cancels (QDialog)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)

    @property
    def save_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _describe(self) -> None:
        p = self.patient
        patient_text = child(self, QLabel, "patientText")
        patient_text.setText(patient_words(p, 13))
        day_font = child(self, QLabel, "dayText").font()
        day_font.setBold(True)
        day_font.setPointSizeF(day_font.pointSizeF() * 1.4)
        child(self, QLabel, "dayText").setFont(day_font)
        latest = self.session.store.assessments.latest_grades().get(p.study_id)
        latest_text = child(self, QLabel, "latestText")
        latest_text.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if self.correcting is not None:
            a = self.correcting
            latest_text.setText(_("Correcting the assessment of {time} by {assessor}: {crs}, {icans}").format(
                time=format_moment(a.at), assessor=a.assessor, crs=scale_grade("CRS", a.crs.grade),
                icans=scale_grade("ICANS", a.icans.grade)))
            self.setWindowTitle(_("Correct a bedside assessment: {study_id}").format(study_id=p.study_id))
            self.save_button.setText(_("Save correction"))
            self.save_sign_button.setText(_("Save correction and si&gn…"))
        else:
            latest_text.setText(_latest_words(latest))
            self.setWindowTitle(_("Bedside assessment: {study_id}").format(study_id=p.study_id))
        for name in ("correctionCaption", "correctionReasonError"):
            child(self, QLabel, name).setVisible(self.correcting is not None)
        self.correction_reason.setVisible(self.correcting is not None)
        if self.correcting is None:  # the notes take the whole row
            notes_grid = self.findChild(QGridLayout, "notesGrid")
            if notes_grid is not None:
                notes_grid.setColumnStretch(3, 0)
        # What a correction cannot change: when and by whom (the change log is about the findings).
        self.at_edit.setEnabled(self.correcting is None)
        account = self.session.store.accounts.signed_in
        self.assessor.setText(_("Assessed by {assessor}; corrected by {account}").format(
            assessor=a.assessor, account=account_words(account)) if (a := self.correcting) is not None
            else _("Assessed by {account}").format(account=account_words(account)))
        refusal = why_not(self.session, "assessments")
        self.save_sign_button.setToolTip(refusal or _("Save, then sign it as performed: your password again. A "
                                                      "correction voids the signatures given before it."))
        self._may_sign = refusal is None

    def _prefill(self, a: Assessment) -> None:
        f = a.findings
        self.at_edit.set_value(a.at)
        self.temperature.set_value(f.temperature_c)
        self.fever_masked.setChecked(f.fever_masked)
        self.hypotension.setChecked(f.hypotension)
        self.vasopressors.set_value(f.vasopressors or None)
        self.vasopressin.setChecked(f.vasopressin)
        self.oxygen.setCurrentIndex(self.oxygen.findData(f.oxygen))
        self.flow.set_value(f.flow_l_min)
        items = dict(f.ice_items)
        for code, box in self.ice_items.items():
            box.setChecked(items.get(code, False))
        if f.ice is None:
            self.cannot_perform_ice.setChecked(True)
        elif not items:
            self._recorded_ice = f.ice  # saved as a number: keep it until an item is ticked
        self.consciousness.setCurrentIndex(self.consciousness.findData(f.consciousness))
        self.seizure.setCurrentIndex(self.seizure.findData(f.seizure))
        self.motor_weakness.setChecked(f.motor_weakness)
        self.edema.setCurrentIndex(self.edema.findData(f.edema))
        for name, field in self.doses.items():
            field.set_value(getattr(a.treatments, name) or None)
        self.notes.setText(a.notes)
        self._set_ice_enabled(not self.cannot_perform_ice.isChecked())

    def _connect(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.save_sign_button.clicked.connect(self.save_and_sign)
        self.buttons.rejected.connect(self.reject)
        self.at_edit.textChanged.connect(lambda _: self._show_day())
        for field in self.typed_numbers():
            field.textChanged.connect(lambda _: self.update_grades())
        for box in (self.fever_masked, self.hypotension, self.vasopressin, self.motor_weakness):
            box.toggled.connect(lambda _: self.update_grades())
        for box in self.ice_items.values():
            box.toggled.connect(self._ice_ticked)
        for combo in (self.consciousness, self.seizure, self.edema):
            combo.currentIndexChanged.connect(lambda _: self.update_grades())
        self.oxygen.currentIndexChanged.connect(self._oxygen_chosen)
        self._enable_flow()
        self.cannot_perform_ice.toggled.connect(self._cannot_perform_ice)
        self.all_ice.clicked.connect(self.tick_all_ice)
        self.no_ice.clicked.connect(self.tick_no_ice)
        self._show_day()

    # -- reactions -------------------------------------------------------------------------------

    def _show_day(self) -> None:
        at = self.at_edit.value_or_none()
        child(self, QLabel, "dayText").setText(self.patient.anchors.study_day(at.date()) if at else "")

    def _oxygen_chosen(self) -> None:
        self._enable_flow()
        self.update_grades()

    def _enable_flow(self) -> None:
        """A flow is asked for only once a device that gives one is chosen."""
        self.flow.setEnabled(self.oxygen.currentData() not in (None, "none"))

    def _ice_ticked(self) -> None:
        self._recorded_ice = None  # the items now count
        self.ice_answered = True
        self.update_grades()

    def tick_all_ice(self) -> None:
        self._set_all_ice(True)

    def tick_no_ice(self) -> None:
        self._set_all_ice(False)

    def _set_all_ice(self, achieved: bool) -> None:
        for box in self.ice_items.values():
            box.blockSignals(True)
            box.setChecked(achieved)
            box.blockSignals(False)
        self._ice_ticked()

    def _cannot_perform_ice(self, cannot: bool) -> None:
        self.ice_answered = True
        self._set_ice_enabled(not cannot)
        if cannot:
            self.consciousness.setCurrentIndex(self.consciousness.findData("unarousable"))
        self.update_grades()

    def _set_ice_enabled(self, enabled: bool) -> None:
        for box in self.ice_items.values():
            box.setEnabled(enabled)
        self.all_ice.setEnabled(enabled)
        self.no_ice.setEnabled(enabled)

    # -- the findings and the live grades --------------------------------------------------------

    def typed_numbers(self) -> tuple[DecimalField | WholeNumberField, ...]:
        return (self.temperature, self.vasopressors, self.flow, *self.doses.values())

    def unreadable(self) -> list[ClinicalInputError]:
        """The sentence of each number typed that is not one ("38.6.1", "6 l"), about its field."""
        errors = []
        for field in self.typed_numbers():
            try:
                field.value()
            except ClinicalInputError as error:
                errors.append(error)
        return errors

    def unchosen(self) -> list[ClinicalInputError]:
        """The one place that says which finding chosen from a list is still to be chosen: its sentence,
        about its field, in the order of the form. The live grades and Save both ask here."""
        return [ClinicalInputError(_("Choose {finding}.").format(finding=_(_CHOICE_WORDS[field])), field)
                for field, combo in self.choices.items() if combo.currentData() is None]

    def ice_answers(self) -> dict[str, bool]:
        return {code: box.isChecked() for code, box in self.ice_items.items()}

    def findings(self) -> BedsideFindings:
        """What the form says was observed. A number not typed (or not readable) is left out: the
        temperature is 0 then and crs() is not asked (update_grades says what is missing); no
        vasopressors typed is none, and the flow counts only with an oxygen device. A finding not
        chosen is None: neither grade is asked from it and it cannot be saved (see unchosen())."""
        oxygen = self.oxygen.currentData()
        common = dict(
            temperature_c=self.temperature.value_or_none() or 0.0,
            fever_masked=self.fever_masked.isChecked(), hypotension=self.hypotension.isChecked(),
            vasopressors=self.vasopressors.value_or_none() or 0, vasopressin=self.vasopressin.isChecked(),
            oxygen=oxygen, flow_l_min=self.flow.value_or_none() if oxygen not in (None, "none") else None,
            consciousness=self.consciousness.currentData(),
            seizure=self.seizure.currentData(), motor_weakness=self.motor_weakness.isChecked(),
            edema=self.edema.currentData())
        if self.cannot_perform_ice.isChecked():
            return BedsideFindings(ice=None, **common)
        if self._recorded_ice is not None:
            return BedsideFindings(ice=self._recorded_ice, **common)
        return BedsideFindings.with_ice_items(self.ice_answers(), **common)

    def treatments(self) -> Treatments:
        """The doses typed; a drug left empty was not given."""
        return Treatments(**{name: field.value_or_none() or 0.0 for name, field in self.doses.items()})

    def update_grades(self) -> None:
        """Recompute both grades from the form; show each with its reason, or the sentence that
        says what is wrong beside the field at fault. Save is enabled only with both grades (so with
        every finding chosen) and every number typed readable."""
        self.errors.clear()
        findings = self.findings()
        unreadable = self.unreadable()
        unchosen = {error.field for error in self.unchosen()}
        for error in unreadable:
            self.errors.show(error)
        not_read = [_(_NUMBER_WORDS[e.field]) for e in unreadable if e.field in _NUMBER_WORDS]
        if not_read:
            self.crs_result = ngettext("the {numbers} typed cannot be read", "the {numbers} typed cannot be read",
                                       len(not_read)).format(numbers=_("{first} and the {second}").format(
                                           first=not_read[0], second=not_read[1]) if len(not_read) > 1
                                           else not_read[0])
        elif self.temperature.is_empty():
            self.crs_result = _("enter the highest temperature to grade CRS")
        elif "oxygen" in unchosen:
            self.crs_result = _("choose {findings}").format(findings=_(_CHOICE_WORDS["oxygen"]))
        else:
            self.crs_result = _grade_or_error(findings.crs)
        neuro_unchosen = [_(_CHOICE_WORDS[field]) for field in ("consciousness", "seizure", "edema")
                          if field in unchosen]
        if not self.ice_answered:  # an untouched ICE is not a score of 0: nothing is graded until it is answered
            self.icans_result = _("tick the ICE items the patient achieved (or None achieved)")
        elif neuro_unchosen:
            self.icans_result = _("choose {findings}").format(findings=_and(neuro_unchosen))
        else:
            self.icans_result = _grade_or_error(findings.icans)
        try:
            self.treatments()
        except USER_ERRORS as error:
            self.errors.show(error)
        for result in (self.crs_result, self.icans_result):
            if isinstance(result, ClinicalInputError):
                self.errors.show(result)
        _show_grade(self.crs_label, "CRS", self.crs_result)
        _show_grade(self.icans_label, "ICANS", self.icans_result)
        self._show_ice_score(findings)
        for label in self.errors.labels():  # an empty error line takes no room
            label.setVisible(bool(label.text()))
        self.save_button.setEnabled(isinstance(self.crs_result, Grade) and isinstance(self.icans_result, Grade)
                                    and not unreadable)
        self.save_sign_button.setEnabled(self.save_button.isEnabled() and self._may_sign)

    def _show_ice_score(self, findings: BedsideFindings) -> None:
        if not self.ice_answered:
            self.ice_score_text.setText(_("ICE: not yet assessed"))
            self.ice_note.setText(_("Tick each item the patient achieved."))
            return
        if findings.ice is None:
            self.ice_score_text.setText(_("ICE: cannot be performed"))
            self.ice_note.setText("")
            return
        self.ice_score_text.setText(f"ICE {findings.ice}/{grading.ICE_MAX}")
        if self._recorded_ice is not None:
            self.ice_note.setText(_("Saved as a score ({score}) without the items: tick the items the patient "
                                    "achieved to count it again.").format(
                score=f"{self._recorded_ice}/{grading.ICE_MAX}"))
        elif findings.ice < grading.ICE_MAX:
            self.ice_note.setText(_("An item not ticked was not achieved."))
        else:
            self.ice_note.setText("")

    def crs_text(self) -> str:
        """The CRS line as shown, in plain words: "CRS grade 2 — low-flow nasal cannula ≤ 6 L/min (4 L/min)"."""
        return _plain("CRS", self.crs_result)

    def icans_text(self) -> str:
        return _plain("ICANS", self.icans_result)

    def error_text(self, field: str) -> str:
        """The sentence shown beside a field ("" if none)."""
        return self.errors.text(field)

    # -- saving ----------------------------------------------------------------------------------

    def accept(self) -> None:
        """Save if the store accepts it; otherwise say why beside the field and write nothing."""
        self.update_grades()
        if not self.save_button.isEnabled():
            for error in self.unchosen():  # refused: say beside each list what is still to be chosen
                self.errors.show(error)
            return
        store = self.session.store
        try:
            if self.correcting is None:
                at = self.at_edit.required(_("Give the time of the assessment: YYYY-MM-DD and HH:MM."))
                saved = store.assessments.add(self.patient.study_id, at, self.findings(), self.treatments(),
                                              notes=self.notes.text())
            else:
                saved = store.assessments.correct(self.correcting.id, self.findings(), self.treatments(),
                                                 self.correction_reason.text(), notes=self.notes.text(),
                                                 expected=self.correcting)
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.assessment = saved
        self.saved.emit(saved)
        self.session.events.recorded.emit(self.patient.study_id)
        said = (_("Corrected the bedside assessment of {study_id} at {time}: {crs}, {icans}.")
                if self.correcting is not None else
                _("Saved a bedside assessment of {study_id} at {time}: {crs}, {icans}."))
        self.session.say(said.format(study_id=self.patient.study_id, time=f"{saved.at.astimezone():%H:%M}",
                                     crs=scale_grade("CRS", saved.crs.grade),
                                     icans=scale_grade("ICANS", saved.icans.grade)))
        super().accept()

    def save_and_sign(self) -> None:
        """Save; once saved, the sign dialog opens over the form's parent: a new assessment is signed as
        performed, a correction as performed by its assessor, else as reviewed."""
        self.accept()
        if self.assessment is not None:
            self.sign_dialog = sign_assessment(self.session, self.patient.study_id, self.assessment,
                                               self.parentWidget(), PERFORMED if self.correcting is None else None)


def make_touchable(form: QWidget) -> None:
    """Every control of a form at least TOUCH_HEIGHT px high (not the editors inside spin boxes), and
    every check box tappable along its whole row, not only on its box and words."""
    for kind in (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit):
        for widget in form.findChildren(kind):
            if not isinstance(widget.parent(), QAbstractSpinBox | QComboBox):
                widget.setMinimumHeight(TOUCH_HEIGHT)
    whole_row = WholeRowTaps(form)
    for box in form.findChildren(QCheckBox):
        box.installEventFilter(whole_row)


class WholeRowTaps(QObject):
    """A tap anywhere on a check box's row toggles it. Qt counts only the box and its words, so a
    finger landing to the right of a short word such as "Year" would otherwise do nothing."""

    _PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, QCheckBox) or not isinstance(event, QMouseEvent) or not watched.isEnabled():
            return False
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        point = event.position().toPoint()
        if watched.hitButton(point) or not watched.rect().contains(point):
            return False  # Qt handles taps on the box and its words itself
        if event.type() in self._PRESSES:
            return True
        if event.type() == QEvent.Type.MouseButtonRelease:
            watched.setFocus(Qt.FocusReason.MouseFocusReason)
            watched.click()
            return True
        return False


def _grade_or_error(compute) -> Grade | ClinicalInputError:
    try:
        return compute()
    except USER_ERRORS as error:
        return error


def _show_grade(label: QLabel, scale: str, result: Grade | ClinicalInputError | str) -> None:
    """Big text and the grade's colour; without a grade, grey and what is missing."""
    if isinstance(result, Grade):
        label.setStyleSheet(grade_style(result.grade))
        label.setText(grade_heading(scale, scale_grade(scale, result.grade), 17)
                      + f"<br><span style='font-size:11pt'>— {_html(reason_words(result))}</span>")
        label.setAccessibleName(_plain(scale, result))
        return
    label.setStyleSheet(grade_style(None))
    why = _("see the sentence beside the field") if isinstance(result, ClinicalInputError) else result
    label.setText(grade_heading(scale, not_graded(scale), 17)
                  + f"<br><span style='font-size:11pt'>— {_html(why)}</span>")
    label.setAccessibleName(_plain(scale, result))


def _plain(scale: str, result: Grade | ClinicalInputError | str) -> str:
    if isinstance(result, Grade):
        return f"{scale_grade(scale, result.grade)} — {reason_words(result)}"
    return f"{not_graded(scale)} — {result}"


def not_graded(scale: str) -> str:
    return _("{scale}: not graded").format(scale=_(scale))


def _and(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) == 1:
        return words[0]
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _latest_words(latest: Assessment | None) -> str:
    if latest is None:
        return _("No bedside assessment yet")
    return _("Latest: {crs}, {icans} ({time}, {assessor})").format(
        crs=scale_grade("CRS", latest.crs.grade), icans=scale_grade("ICANS", latest.icans.grade),
        time=format_moment(latest.at), assessor=latest.assessor)
