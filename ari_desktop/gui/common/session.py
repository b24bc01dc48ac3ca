"""What every view shares: the open store and the signals that say what changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QObject, Signal

from ...core.errors import ClinicalInputError
from ...store import Store


class Events(QObject):
    """Who changed what, so each view re-reads only what concerns it."""

    recorded = Signal(str)  # study ID: an item was recorded or corrected
    patient_changed = Signal(str)  # study ID: day 0, booster, off study or death changed
    patient_added = Signal(str)  # study ID: a patient was registered
    message = Signal(str)  # one sentence for the status bar


@dataclass
class Session:
    store: Store
    events: Events = field(default_factory=Events)

    @property
    def user(self) -> str:
        return self.store.user

    def today(self) -> date:
        return self.store.today()

    def say(self, text: str) -> None:
        self.events.message.emit(text)

    def refusal(self, action: str) -> str | None:
        """Why the signed-in account may not do `action` (core/roles.ACTIONS), or None if it may: for a
        menu item or a button, off with that sentence as its tooltip. The store checks it again."""
        try:
            self.store.accounts.require(action)
        except ClinicalInputError as refused:
            return str(refused)
        return None
