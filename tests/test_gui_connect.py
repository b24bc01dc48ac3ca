"""File → Connect to server…: the address is checked beside the field, remembered, never with a password."""

from ari_desktop.gui.common.settings import open_settings
from ari_desktop.gui.connect_dialog import ADDRESS_KEY, ConnectServerDialog


def test_the_address_is_remembered_and_offered_next_time(qtbot, gui_settings):
    dialog = ConnectServerDialog()
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.address, "postgresql://ari@ward-server/ari")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.chosen == "postgresql://ari@ward-server/ari"
    again = ConnectServerDialog()
    qtbot.addWidget(again)
    assert again.address.text() == "postgresql://ari@ward-server/ari"


def test_an_address_with_a_password_is_refused_beside_the_field_and_not_remembered(qtbot, gui_settings):
    dialog = ConnectServerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.address, "postgresql://ari:secret@ward-server/ari")
    dialog.accept()
    assert dialog.isVisible() and dialog.chosen is None
    assert "Leave the password out of the address" in dialog.errors.text("address")
    assert open_settings().value(ADDRESS_KEY) is None
    assert "secret" not in gui_settings.read_text("utf-8") if gui_settings.exists() else True


def test_connecting_closes_the_window_to_open_it_again_on_the_server(qtbot, window):
    dialog = window.connect_to_server()
    dialog.address.setText("postgresql://ari@ward-server/ari_unit")
    dialog.accept()
    assert window.database_chosen == "postgresql://ari@ward-server/ari_unit"
    assert not window.isVisible()


def test_cancelling_keeps_the_window_on_its_database(qtbot, window):
    dialog = window.connect_to_server()
    dialog.address.setText("postgresql://ari@ward-server/ari_unit")
    dialog.reject()
    assert window.database_chosen is None and window.isVisible()
