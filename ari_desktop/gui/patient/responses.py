"""A patient's IMWG response, assessment by assessment, under the calendar; and the physician's review
(ui/response_review.ui), signed as confirmed.

The table shows what the numbers propose, the criterion that decided it, whether two consecutive
assessments confirm it, the physician's category and its signature, and MRD. The review's category
starts empty: the physician chooses it (the proposal, or another with a reason), and signs.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import USER_ERRORS
from ...core.response import CATEGORIES
from ...core.results import AssessedResponse
from ...i18n import N_, _
from ..common.field_errors import FieldErrors
from ..common.fields import guard_wheel
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.qt_dates import format_date
from ..common.session import Session
from ..common.widgets import open_dialog, set_widths
from ..signing.sign_dialog import SignDialog, signature_words, why_not

COLUMNS = (N_("Timepoint"), N_("Date"), N_("Proposed"), N_("Criterion"), N_("Confirmation"), N_("Category"),
           N_("Reviewed"), N_("Signed"), N_("MRD"))
NOT_CHOSEN = N_("— choose —")


def review_words(assessed: AssessedResponse) -> str:
    review = assessed.review
    if review is None:
        return _("not reviewed yet")
    words = _("{category} by {user}").format(category=review.category, user=review.decided_by)
    if review.override:
        words = _("{review} (override: {reason})").format(review=words, reason=review.reason)
    if assessed.review_stale:
        words = _("{review}; the numbers now propose {category}").format(
            review=words, category=assessed.proposed or _("no category"))
    return words


class ResponsePanel(QWidget):
    """The response assessments of the patient shown, newest last, and the Confirm… button."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.study_id: str | None = None
        self.course: list[AssessedResponse] = []
        self.table = QTableWidget(0, len(COLUMNS), objectName="responses")
        self.table.setAccessibleName(_("Response assessments"))
        self.table.setHorizontalHeaderLabels([_(column) for column in COLUMNS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        set_widths(self.table.horizontalHeader(), (9, 10, 8, 60, 40, 8, 30, 34, 30))
        self.confirm_button = QPushButton(_("&Confirm response…"))
        self.empty = QLabel(wordWrap=True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.empty, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.confirm_button.clicked.connect(lambda: self.review_selected())
        self.table.doubleClicked.connect(lambda _: self.review_selected())
        self.table.itemSelectionChanged.connect(self._update_button)

    def show_patient(self, study_id: str) -> None:
        self.study_id = study_id
        self.refresh()

    def refresh(self) -> None:
        if self.study_id is None:
            return
        store = self.session.store
        chosen = self.selected()
        self.course = store.results.responses(self.study_id)
        self.table.setRowCount(len(self.course))
        for row, a in enumerate(self.course):
            signed = signature_words(store.signatures.of("response_reviews", a.review.id)) if a.review else ""
            cells = (a.timepoint, format_date(a.day), a.proposed or "—", a.proposal.proposed.criterion_shown,
                     a.proposal.shown, a.category or "—", review_words(a), signed, a.mrd.shown)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.empty.setText("" if self.course else _(
            "No response assessment after screening yet: the response is measured against the screening response "
            "labs, from the first assessment after them."))
        if chosen is not None:
            rows = [i for i, a in enumerate(self.course) if a.timepoint == chosen.timepoint]
            if rows:
                self.table.selectRow(rows[0])
        self._update_button()

    def selected(self) -> AssessedResponse | None:
        rows = self.table.selectionModel().selectedRows()
        return self.course[rows[0].row()] if rows and rows[0].row() < len(self.course) else None

    def _update_button(self) -> None:
        refusal = self.session.refusal("confirm-response")
        chosen = self.selected()
        self.confirm_button.setEnabled(refusal is None and chosen is not None)
        self.confirm_button.setToolTip(refusal or (_("Confirm the proposed category, or choose another with a "
                                                     "reason; then sign it (your password again).")
                                                   if chosen else _("Select an assessment first.")))
        self.confirm_button.setText(_("&Review again…") if chosen is not None and chosen.review else
                                    _("&Confirm response…"))

    def review_selected(self) -> ResponseReviewDialog | None:
        chosen = self.selected()
        if chosen is None or self.study_id is None:
            self.session.say(_("Select a response assessment first."))
            return None
        refusal = self.session.refusal("confirm-response")
        if refusal:
            self.session.say(refusal)
            return None
        return open_dialog(ResponseReviewDialog(self.session, self.study_id, chosen, self), self.table)


class ResponseReviewDialog(FormDialog):
    """The physician's category for one assessment; saving opens the Sign dialog (meaning: confirmed)."""

    discard_question = N_("Discard this review, not saved?")

    def __init__(self, session: Session, study_id: str, assessed: AssessedResponse, parent: QWidget | None = None):
        super().__init__(parent)
        load_form("response_review.ui", self)
        self.session, self.study_id, self.assessed = session, study_id, assessed
        self.sign_dialog: SignDialog | None = None
        proposal = assessed.proposal
        self.setWindowTitle(_("Confirm the response: {study_id} at {timepoint}").format(
            study_id=study_id, timepoint=assessed.timepoint))
        child(self, QLabel, "patientText").setText(f"<b>{escape(study_id)}</b>")
        child(self, QLabel, "assessmentText").setText(escape(f"{assessed.timepoint}, {assessed.day}"))
        missing = "".join(f"<br>{escape(m)}" for m in proposal.proposed.missing_shown)
        criterion = escape(proposal.proposed.criterion_shown)
        child(self, QLabel, "proposalText").setText(
            f"<b>{escape(assessed.proposed or _('no category'))}</b> — {criterion}{missing}")
        child(self, QLabel, "confirmationText").setText(escape(proposal.shown))
        child(self, QLabel, "mrdText").setText(escape(assessed.mrd.shown))
        self.category = child(self, QComboBox, "categoryCombo")
        self.category.addItem(_(NOT_CHOSEN), None)
        for category in CATEGORIES:
            self.category.addItem(_("{category} (proposed)").format(category=category)
                                  if category == assessed.proposed else category, category)
        self.reason = child(self, QLineEdit, "reasonEdit")
        self.correction_reason = child(self, QLineEdit, "correctionReasonEdit")
        again = assessed.review is not None
        for name in ("correctionCaption", "correctionReasonEdit", "correctionReasonError"):
            child(self, QWidget, name).setVisible(again)
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.save_button = self.buttons.addButton(_("Save and &sign…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "category": (child(self, QLabel, "categoryError"), self.category),
            "reason": (child(self, QLabel, "reasonError"), self.reason),
            "correction_reason": (child(self, QLabel, "correctionReasonError"), self.correction_reason)})
        guard_wheel(self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.category.setFocus()
        self.form_ready()

    def accept(self) -> None:
        self.errors.clear()
        category = self.category.currentData()
        if category is None:
            self.errors.fields["category"][0].setText("⚠ " + _("Choose the category: the proposal, or another with a "
                                                               "reason."))
            self.category.setFocus()
            return
        try:
            reviewed = self.session.store.results.review(
                self.study_id, self.assessed.timepoint, category, self.reason.text(),
                self.correction_reason.text() if self.assessed.review else None)
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.session.events.recorded.emit(self.study_id)
        said = (_("The response of {study_id} at {timepoint} is overridden as {category}; sign it now.")
                if reviewed.review.override else
                _("The response of {study_id} at {timepoint} is confirmed as {category}; sign it now."))
        self.session.say(said.format(study_id=self.study_id, timepoint=reviewed.timepoint,
                                     category=reviewed.category))
        super().accept()
        if why_not(self.session, "response_reviews") is None:
            record = (_("Response at {timepoint}: {category} (override of {proposed}: {reason})").format(
                timepoint=reviewed.timepoint, category=reviewed.category,
                proposed=reviewed.review.proposed or _("no category"), reason=reviewed.review.reason)
                if reviewed.review.override else _("Response at {timepoint}: {category} (the proposal)").format(
                    timepoint=reviewed.timepoint, category=reviewed.category))
            self.sign_dialog = open_dialog(SignDialog(self.session, self.study_id, "response_reviews",
                                                      reviewed.review.id, "confirmed", record, self.parent()))

