"""The one base of every dialog a clinician types a record into.

- Closing a form with edits (Escape, Cancel, the window's close button) asks before discarding
  them; a form nobody touched closes at once. What counts as an edit is any difference from the
  form as it was opened (`form_ready` takes that picture, after the form is filled in).
- A dialog whose act cannot simply be taken back (a death, off study, moving day 0, removing a
  date) sets `enter_commits = False`: it has no default button, and Enter in a field does nothing;
  the act takes its explicit button (a click, or Space on the button).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTextEdit,
    QWidget,
)

from ...i18n import N_, _


class FormDialog(QDialog):
    discard_question = N_("Discard the unsaved edits of this form?")  # each form's own, marked N_()
    enter_commits = True

    _opened_as: list | None = None

    def form_ready(self) -> None:
        """The form as opened (empty, or filled from the record): closing it like this asks nothing."""
        self._opened_as = self._state()
        if not self.enter_commits:
            self._no_default_button()

    def _state(self) -> list:
        state: list = []
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit):
                state.append(widget.text())
            elif isinstance(widget, QTextEdit):
                state.append(widget.toPlainText())
            elif isinstance(widget, QComboBox):
                state.append(widget.currentText())
            elif isinstance(widget, QAbstractButton) and widget.isCheckable():
                state.append(widget.isChecked())
        return state

    def is_edited(self) -> bool:
        return self._opened_as is not None and self._state() != self._opened_as

    def ask_discard(self) -> bool:
        """Whether the person agrees to lose what they typed."""
        answer = QMessageBox.question(self, self.windowTitle(), _(self.discard_question),
                                      QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def reject(self) -> None:
        if self.is_edited() and not self.ask_discard():
            return
        super().reject()

    # -- no act on a single Enter ----------------------------------------------------------------

    def _no_default_button(self) -> None:
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.enter_commits:  # a button box makes its first OK button the default when shown
            self._no_default_button()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.enter_commits and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)
