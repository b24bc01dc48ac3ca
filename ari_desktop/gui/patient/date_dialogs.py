"""Change a patient's dates: move or set day 0, a booster, a death (ui/move_date.ui), or take the
patient off study (ui/off_study.ui). Each shows what will shift, from store.patients.preview_dates,
before anything is confirmed.

These acts reach far (a death or off study cancels every open item; moving day 0 moves the whole
calendar), so the date is typed, never taken from today, and each act takes its explicit button:
there is no default button and Enter in a field does nothing. The reason is asked once, in the
dialog, and the store says when it is required (going off study, removing a date).
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from ...core.errors import USER_ERRORS
from ...i18n import N_, _, ngettext
from ..common.field_errors import FieldErrors
from ..common.fields import DateField
from ..common.form_dialog import FormDialog
from ..common.forms import child, load_form
from ..common.models import ShiftTableModel
from ..common.session import Session
from ..common.widgets import set_widths

# anchor: (dialog title to move, title to set, date caption, OK to move, OK to set, what the preview shows)
# (each shown through _())
_WORDING = {
    "day0": (N_("Move day 0"), N_("Set day 0"), N_("New day &0"), N_("Move day 0"), N_("Set day 0"),
             N_("Day 0 is the first aliquot of the first infusion. Everything counted from it moves with it; "
                "what was already recorded stays.")),
    "booster": (N_("Move the booster"), N_("Set the booster date"), N_("Booster &date"), N_("Move booster"),
                N_("Set booster"),
                N_("The booster (B0) has its own monitoring; it does not move the day-0 schedule.")),
    "death": (N_("Correct the date of death"), N_("Record death"), N_("Date of &death"), N_("Correct date"),
              N_("Record death"),
              N_("Every open item on or after this date is cancelled, with the reason. Recorded results stay.")),
}
_REASON_EXAMPLES = {"day0": N_("e.g. manufacturing delay (required to remove it)"),
                    "booster": N_("e.g. booster postponed (required to remove it)"),
                    "death": N_("e.g. date confirmed by the family doctor (required to remove it)")}
# The date of an anchor, as the sentences about it say it.
_DATE_WORDS = {"day0": N_("new day 0"), "booster": N_("booster date"), "death": N_("date of death")}


class _ShiftPreview:
    """The table of items a change would move, with a caption that counts them."""

    def __init__(self, dialog: QDialog, empty_text: str):
        self.caption = child(dialog, QLabel, "previewCaption")
        self.table = child(dialog, QTableView, "preview")
        self.model = ShiftTableModel(dialog)
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        set_widths(self.table.horizontalHeader(), (16, 30, 10, 24), stretch=1)
        self.empty_text = empty_text

    def show(self, shifts) -> None:
        """The items, and a caption that counts what shifts, what is added and what is cancelled."""
        self.model.set_rows(shifts)
        if not shifts:
            self.caption.setText(self.empty_text)
            return
        added = sum(1 for item, old in shifts if old is None)
        cancelled = sum(1 for item, old in shifts if old is not None and item.cancelled_reason)
        moved = len(shifts) - added - cancelled
        parts = [ngettext("{count} item will shift", "{count} items will shift", moved).format(count=moved),
                 ngettext("{count} item will be added", "{count} items will be added", added).format(count=added),
                 ngettext("{count} item will be cancelled", "{count} items will be cancelled", cancelled).format(
                     count=cancelled)]
        parts = [part for part, n in zip(parts, (moved, added, cancelled), strict=True) if n]
        self.caption.setText(_("{changes}. Check them before you confirm:").format(changes="; ".join(parts)))

    def clear(self, why: str) -> None:
        self.model.set_rows([])
        self.caption.setText(why)


class _DateChangeDialog(FormDialog):
    """What both date dialogs share: the preview of what the typed date would move, refreshed as it
    changes, and the write on the explicit button, with the store's sentence beside the field when
    it is refused."""

    enter_commits = False
    date_edit: DateField
    removal_reason: QLineEdit
    blocked_text = N_("Nothing can move until the date is right.")
    empty_text = N_("Type the date (YYYY-MM-DD) to see what will shift.")

    def _connect(self) -> None:
        self.date_edit.textChanged.connect(self.update_preview)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.update_preview()
        self.date_edit.setFocus()
        self.form_ready()

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def chosen(self) -> date:
        return self.date_edit.required(_("Type the {date}: YYYY-MM-DD.").format(date=self.date_edit.what))

    def changes(self, for_preview: bool) -> dict:
        """The anchor fields this dialog changes, as store.patients.update_dates takes them."""
        raise NotImplementedError

    def reason_given(self) -> str | None:
        raise NotImplementedError

    def done_message(self) -> str:
        raise NotImplementedError

    def update_preview(self) -> None:
        """Show what the date now typed would move, or why it cannot be used."""
        self.errors.clear()
        if self.date_edit.is_empty():
            self.preview.clear(_(self.empty_text))
            return
        try:
            shifts = self.session.store.patients.preview_dates(self.patient.study_id, **self.changes(True))
        except USER_ERRORS as error:
            self.errors.show(error)
            self.preview.clear(_(self.blocked_text))
            return
        self.preview.show(shifts)

    def accept(self) -> None:
        self._apply(lambda: self.changes(False), self.reason_given, self.done_message)

    def _offer_removal(self, button: str, tip: str, done: str, removal: dict) -> None:
        """A date entered by mistake (on the wrong patient) can be removed, as a correction with the
        reason typed in the dialog: the button, its tooltip and what is said once done."""
        self.removal_done, self.removal = done, removal
        self.remove_button = self.buttons.addButton(button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.remove_button.setToolTip(tip)
        self.remove_button.clicked.connect(self.remove)

    def remove(self) -> None:
        self._apply(lambda: self.removal, lambda: self.removal_reason.text().strip() or None,
                    lambda: self.removal_done.format(study_id=self.patient.study_id))

    def _apply(self, changes, reason, message) -> None:
        """Write the changes (each argument is read only now: a date not typed is refused beside it)."""
        self.errors.clear()
        try:
            self.session.store.patients.update_dates(self.patient.study_id, reason=reason(), expected=self.patient,
                                                     **changes())
        except USER_ERRORS as error:
            self.errors.show(error)
            return
        self.saved = True
        self.session.events.patient_changed.emit(self.patient.study_id)
        self.session.say(message())
        super().accept()


class MoveDateDialog(_DateChangeDialog):
    """Set or move day 0, the booster date or the date of death."""

    def __init__(self, session: Session, study_id: str, anchor: str, parent: QWidget | None = None):
        super().__init__(parent)
        if anchor not in _WORDING:
            raise ValueError(f"anchor must be one of {', '.join(_WORDING)}")
        load_form("move_date.ui", self)
        self.session = session
        self.anchor = anchor
        self.patient = session.store.patients.get(study_id)
        self.saved = False
        current: date | None = getattr(self.patient.anchors, anchor)
        move_title, set_title, caption, move_ok, set_ok, explanation = _WORDING[anchor]
        self.setWindowTitle(_("{action}: {study_id}").format(action=_(move_title if current else set_title),
                                                             study_id=self.patient.study_id))
        now = _intro(anchor, current).format(study_id=self.patient.study_id, initials=self.patient.initials,
                                             date=current)
        child(self, QLabel, "intro").setText(f"{now} {_(explanation)}")
        child(self, QLabel, "dateCaption").setText(_(caption))
        self.new_date = self.date_edit = child(self, DateField, "newDate").describe(_(_DATE_WORDS[anchor]), anchor)
        self.reason = self.removal_reason = child(self, QLineEdit, "reason")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.ok_button.setText(_(move_ok if current else set_ok))
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            anchor: (child(self, QLabel, "newDateError"), self.new_date),
            "reason": (child(self, QLabel, "reasonError"), self.reason),
        })
        self.reason.setPlaceholderText(_(_REASON_EXAMPLES[anchor]))
        self.preview = _ShiftPreview(self, _("Nothing will be cancelled.") if anchor == "death"
                                     else _("Nothing will shift."))
        if anchor == "death":
            self.empty_text = N_("Type the date of death (YYYY-MM-DD) to see what will be cancelled.")
        self.new_date.set_value(current)
        if current is not None:
            self._offer_removal(*_removal_words(anchor), {anchor: None})
        self._connect()

    def changes(self, for_preview: bool) -> dict:
        return {self.anchor: self.chosen()}

    def reason_given(self) -> str | None:
        return self.reason.text().strip() or None

    def done_message(self) -> str:
        return {"day0": _("{study_id}: day 0 is now {date}; the calendar follows."),
                "booster": _("{study_id}: the booster date is now {date}; the calendar follows."),
                "death": _("{study_id}: the date of death is now {date}; the calendar follows."),
                }[self.anchor].format(study_id=self.patient.study_id, date=self.chosen())


def _intro(anchor: str, current: date | None) -> str:
    """The first sentences of the dialog: the patient, and the date as it is now."""
    if current:
        return {"day0": _("{study_id} ({initials}). Day 0 is {date}."),
                "booster": _("{study_id} ({initials}). The booster date is {date}."),
                "death": _("{study_id} ({initials}). The date of death is {date}.")}[anchor]
    return {"day0": _("{study_id} ({initials}). Day 0 is not set yet."),
            "booster": _("{study_id} ({initials}). The booster date is not set yet."),
            "death": _("{study_id} ({initials}). The date of death is not set yet.")}[anchor]


def _removal_words(anchor: str) -> tuple[str, str, str]:
    """The remove button of an anchor's date, its tooltip, and what is said once it is removed."""
    return {
        "day0": (_("Remove day 0"), _("Remove day 0 entered by mistake, with the reason typed above; the change "
                                      "log keeps the old date."),
                 _("{study_id}: day 0 removed; the calendar follows.")),
        "booster": (_("Remove the booster date"),
                    _("Remove the booster date entered by mistake, with the reason typed above; the change log "
                      "keeps the old date."), _("{study_id}: the booster date removed; the calendar follows.")),
        "death": (_("Remove the date of death"),
                  _("Remove the date of death entered by mistake, with the reason typed above; the change log "
                    "keeps the old date."), _("{study_id}: the date of death removed; the calendar follows.")),
        "off_study": (_("Remove the off-study date"),
                      _("Remove the off-study date entered by mistake, with the reason typed above; the change "
                        "log keeps the old date."),
                      _("{study_id}: the off-study date removed; the calendar follows.")),
    }[anchor]


class OffStudyDialog(_DateChangeDialog):
    """Take a patient off study from a date, with a reason: later open items are cancelled."""

    # Which items are cancelled does not depend on the wording of the reason, so the preview can be
    # shown while the reason is still being typed; the reason itself is checked when confirming.
    _PREVIEW_REASON = "(reason to be given)"
    blocked_text = N_("Nothing can be cancelled until the date is right.")
    empty_text = N_("Type the off-study date (YYYY-MM-DD) to see what will be cancelled.")

    def __init__(self, session: Session, study_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        load_form("off_study.ui", self)
        self.session = session
        self.patient = session.store.patients.get(study_id)
        self.saved = False
        anchors = self.patient.anchors
        self.setWindowTitle(_("Off study: {study_id}").format(study_id=self.patient.study_id))
        status = (_("{study_id} ({initials}) is off study since {date} ({reason}).") if anchors.off_study
                  else _("{study_id} ({initials}) is on study.")).format(
            study_id=self.patient.study_id, initials=self.patient.initials, date=anchors.off_study,
            reason=anchors.off_study_reason)
        child(self, QLabel, "intro").setText(
            status + " " + _("From the date below, every open item is cancelled with the reason; what was recorded "
                             "stays."))
        self.date = self.date_edit = child(self, DateField, "offStudyDate").describe(_("off-study date"), "off_study")
        self.reason = child(self, QComboBox, "offStudyReason")
        self.removal_reason = child(self, QLineEdit, "removalReason")
        self.buttons = child(self, QDialogButtonBox, "buttons")
        self.ok_button.setText(_("Take off study"))
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "off_study": (child(self, QLabel, "offStudyDateError"), self.date),
            "off_study_reason": (child(self, QLabel, "offStudyReasonError"), self.reason),
            "reason": (child(self, QLabel, "removalReasonError"), self.removal_reason),
        })
        self.preview = _ShiftPreview(self, _("No open item will be cancelled."))
        self.date.set_value(anchors.off_study)
        if anchors.off_study_reason:
            self.reason.setCurrentText(anchors.off_study_reason)
        for name in ("removalReasonCaption", "removalReason", "removalReasonError"):
            child(self, QWidget, name).setVisible(anchors.off_study is not None)
        if anchors.off_study is not None:
            self._offer_removal(*_removal_words("off_study"), {"off_study": None, "off_study_reason": None})
        self._connect()

    def changes(self, for_preview: bool) -> dict:
        reason = self.reason.currentText().strip()
        return {"off_study": self.chosen(),
                "off_study_reason": (reason or self._PREVIEW_REASON) if for_preview else reason}

    def reason_given(self) -> str | None:
        return self.reason.currentText().strip() or None

    def done_message(self) -> str:
        return _("{study_id} is off study from {date} ({reason}).").format(
            study_id=self.patient.study_id, date=self.chosen(), reason=self.reason.currentText().strip())
