"""File → Connect to server…: the address of the unit's PostgreSQL server, remembered on this computer
(never a password), for team mode."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QWidget

from ..core.addresses import check_server_address
from ..core.errors import ClinicalInputError
from ..i18n import _
from .common.field_errors import FieldErrors
from .common.forms import child, load_form
from .common.settings import open_settings

ADDRESS_KEY = "server/address"


class ConnectServerDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        load_form("connect_server.ui", self)
        self.address = child(self, QLineEdit, "address")
        self.address.setText(str(open_settings().value(ADDRESS_KEY, "") or ""))
        self.buttons = child(self, QDialogButtonBox, "buttons")
        connect: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        connect.setText(_("&Connect"))
        self.errors = FieldErrors(child(self, QLabel, "formError"), {
            "address": (child(self, QLabel, "addressError"), self.address)})
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.chosen: str | None = None

    def accept(self) -> None:
        """Check the address, remember it, and close; a wrong one is said beside the field."""
        self.errors.clear()
        try:
            address = check_server_address(self.address.text())
        except ClinicalInputError as error:
            self.errors.show(error)
            return
        settings = open_settings()
        settings.setValue(ADDRESS_KEY, address)
        settings.sync()
        self.chosen = address
        super().accept()
