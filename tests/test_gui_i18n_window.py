"""The window in every language: under the pseudo-language every word the main window, its views, menus and
dialogs show comes from the catalog (nothing left in plain English), and in Spanish and Catalan Today reads
in that language with its dates day first (dd/mm/yyyy)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from conftest import (
    GUI_TODAY,
    GUI_USER,
    TEST_ACCOUNTS,
    TEST_PASSWORD,
    make_demo,
    open_store,
    sign_in,
    untranslated_texts,
)
from PySide6.QtCore import Qt, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from ari_desktop import i18n
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.main_window import MainWindow
from ari_desktop.store import Store

pytestmark = pytest.mark.usefixtures("gui_settings")

# What the screens show that is data, not words: the people's names, and each language in its own name
# (the print preview's language choice).
PEOPLE = tuple(name for name, _roles in TEST_ACCOUNTS.values())
NAMES = (*PEOPLE, *i18n.LANGUAGES.values())
DEMO_PATIENTS = 8


@pytest.fixture
def demo_store(tmp_path) -> Iterator[Store]:
    """A demo cohort on the clinic day, with a clinician who holds the clinical roles signed in (so that no
    menu item is off with a refusal: the refusals are the store's sentences)."""
    store = open_store(make_demo(tmp_path / "demo.db", DEMO_PATIENTS), "admin")
    name, roles = TEST_ACCOUNTS[GUI_USER]
    store.accounts.add(GUI_USER, name, list(roles), TEST_PASSWORD)
    sign_in(store, GUI_USER)
    yield store
    store.close()


def shown(qtbot, widget: QWidget) -> QWidget:
    qtbot.addWidget(widget)
    widget.show()
    return widget


def untranslated(widget: QWidget, *data: str) -> list[str]:
    return untranslated_texts(widget, (*NAMES, *data))


@pytest.fixture
def demo_window(qtbot, demo_store, pseudo_language) -> MainWindow:
    window = shown(qtbot, MainWindow(Session(demo_store)))
    window.today.update_now()
    window.today.refresh_flags()
    return window


def test_every_word_of_the_main_window_its_menus_and_today_comes_from_the_catalog(demo_window):
    window = demo_window
    assert window.today.worklist_model.rowCount() > 0  # a day with work on it, not an empty screen
    assert untranslated(window, str(window.session.store.path)) == []
    menus = [action.menu() for action in window.menuBar().actions()]
    assert len(menus) >= 5 and all(untranslated(menu) == [] for menu in menus)


def test_every_word_of_the_patients_view_comes_from_the_catalog(demo_window):
    demo_window.show_view("patients")
    demo_window.patients.update_now()
    assert demo_window.patients.model.rowCount() == DEMO_PATIENTS
    assert untranslated(demo_window.patients) == []


def test_the_dialogs_of_the_menus_speak_the_catalog(qtbot, demo_window):
    from ari_desktop.gui.audit.audit_dialog import AuditDialog
    from ari_desktop.gui.connect_dialog import ConnectServerDialog
    from ari_desktop.gui.export_dialog import ExportDialog
    from ari_desktop.gui.login.accounts_dialog import AccountsDialog
    from ari_desktop.gui.patients.register_dialog import RegisterPatientDialog
    from ari_desktop.gui.printing.print_preview import PrintPreviewDialog
    from ari_desktop.gui.roles_dialog import RolesDialog

    session = demo_window.session
    store = session.store
    study_id = store.patients.all()[0].study_id
    timepoint = store.schedules.of(study_id, GUI_TODAY)[0].item.timepoint
    dialogs = {
        "audit": AuditDialog(session, demo_window),
        "connect": ConnectServerDialog(demo_window),
        "export": ExportDialog(session, demo_window),
        "accounts": AccountsDialog(store.accounts.all(), store.now(), demo_window),
        "register": RegisterPatientDialog(session, demo_window),
        "roles": RolesDialog(demo_window),
        "worksheet": PrintPreviewDialog(session, "worksheet", study_id=study_id, timepoint=timepoint,
                                        parent=demo_window),
        "worklist": PrintPreviewDialog(session, "worklist", parent=demo_window),
    }
    logins = tuple(account.login for account in store.accounts.all())
    demo_names = tuple(account.full_name for account in store.accounts.all())
    # The audit trail's filter is described by the store (its sentences are the store's, not the window's).
    described = dialogs["audit"].chosen.described()
    example_address = "postgresql://ari@ward-server/ari"  # the connect dialog's placeholder
    found = {name: untranslated(shown(qtbot, dialog), *logins, *demo_names, described,
                                 example_address)
             for name, dialog in dialogs.items()}
    assert found == dict.fromkeys(dialogs, [])


def test_the_dialogs_of_signing_in_and_signing_speak_the_catalog(qtbot, store, add_patient, tmp_path,
                                                                  pseudo_language):
    from ari_desktop.gui.login.dialogs import (
        ChangePasswordDialog,
        FirstAdministratorDialog,
        LockDialog,
        LogInDialog,
    )
    from ari_desktop.gui.signing.sign_dialog import SignDialog

    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=3))
    account = store.accounts.get(GUI_USER)
    empty = Store(tmp_path / "new.db", "ward-pc", today=lambda: GUI_TODAY)
    try:
        dialogs = {
            "log in": LogInDialog(store, notice="<b>notice</b>"),
            "change password": ChangePasswordDialog(store, account, "given-password-1"),
            "lock": LockDialog(store, account, 15, 30),
            "first administrator": FirstAdministratorDialog(empty, DEMO_PATIENTS),
            "sign": SignDialog(Session(store), "ARI-001", "assessments", 1, "performed", "the record", None),
        }
        data = (store.path.name, empty.path.name, "notice", "the record", "AB", "F", GUI_USER)
        found = {name: untranslated(shown(qtbot, dialog), *data) for name, dialog in dialogs.items()}
        assert found == dict.fromkeys(dialogs, [])
    finally:
        empty.close()


# -- Spanish and Catalan ----------------------------------------------------------------------------

@pytest.fixture
def speaking(qapp) -> Iterator:
    """Switch the window's language as View → Language does (catalog, Qt's own words, QLocale); English
    again afterwards (and the C locale: conftest's `english`)."""
    from ari_desktop.gui.common import language

    def speak(lang: str) -> None:
        language.install(qapp, lang)

    yield speak
    for translator in qapp.findChildren(QTranslator, "ari-language"):
        QApplication.removeTranslator(translator)
    i18n.use("en")


DAY_FIRST = re.compile(r"\b10/03/2025\b")
WORDS = {
    "es": {"tab": "Hoy", "heading": "Hoy, lunes, 10 de marzo de 2025:", "status": "Estado", "mark": "Marcar",
           "missed": "Perdidas, necesitan un motivo", "target": "Fecha prevista", "specimen": "Muestra",
           "blood": "Sangre periférica"},
    "ca": {"tab": "Avui", "heading": "Avui, dilluns, 10 de març del 2025:", "status": "Estat", "mark": "Marca",
           "missed": "Perdudes, necessiten un motiu", "target": "Data prevista", "specimen": "Mostra",
           "blood": "Sang perifèrica"},
}


@pytest.mark.parametrize("lang", ["es", "ca"])
def test_today_reads_in_the_language_with_its_dates_day_first(qtbot, store, add_patient, speaking, lang):
    speaking(lang)
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=7))
    add_patient(store, "ARI-002", day0=GUI_TODAY - timedelta(days=40))  # a missed item or two
    window = shown(qtbot, MainWindow(Session(store)))
    window.today.update_now()
    words = WORDS[lang]
    assert window.tabs.tabText(0) == words["tab"]
    assert window.today.heading.text().startswith(words["heading"])
    assert window.today.mark_button.text().replace("&", "").startswith(words["mark"])
    model = window.today.worklist_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert words["status"] in headers
    column = {header: [model.index(row, headers.index(header)).data() for row in range(model.rowCount())]
              for header in (words["target"], words["specimen"])}
    assert column[words["target"]] and all(re.fullmatch(r"\d{2}/\d{2}/\d{4}", day) for day in column[words["target"]])
    assert words["blood"] in column[words["specimen"]]  # the protocol file's words in the language
    assert DAY_FIRST.search(window.today.missed_caption.text())
    assert window.today.missed_caption.text().startswith(words["missed"])
