"""Shared test set-up. Qt runs offscreen: set before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gettext
import hashlib
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest

from ari_desktop import i18n
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, Patient, check_new_patient
from ari_desktop.store import Store
from ari_desktop.store.engine import is_server

# A fixed clinic day, so statuses (due, overdue, missed) do not depend on when the tests run.
GUI_TODAY = date(2025, 3, 10)
GUI_NOW = datetime(2025, 3, 10, 9, 30).astimezone()
GUI_USER = "clinician"

# The accounts of every test database: one per role, and `clinician` (GUI_USER), who holds the three
# clinical roles so that a test of a form is not a test of the role table. One password for all.
TEST_PASSWORD = "test-password-9"
TEST_ACCOUNTS = {
    "admin": ("Ada Administradora", ("admin",)),
    GUI_USER: ("Clara Clínica", ("nurse", "physician", "data-manager")),
    "nurse": ("Nuria Enfermera", ("nurse",)),
    "physician": ("Pau Metge", ("physician",)),
    "datamanager": ("Dani Gestor", ("data-manager",)),
    "monitor": ("Mónica Monitora", ("monitor",)),
}


@pytest.fixture
def gui_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The window's QSettings go to a file of this test only, never the user's profile."""
    path = tmp_path / "settings.ini"
    monkeypatch.setenv("ARI_DESKTOP_SETTINGS", str(path))
    return path


@pytest.fixture(autouse=True)
def english(request, monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> Iterator[None]:
    """Every test speaks English whatever the machine's language, and the remembered language is a file of
    this test only (never the user's profile): tests of another language choose it themselves."""
    folder = tmp_path_factory.getbasetemp() / "languages"
    folder.mkdir(exist_ok=True)
    key = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    monkeypatch.setenv(i18n.LANGUAGE_FILE_ENV, str(folder / key))
    monkeypatch.setenv("LANGUAGE", "en")  # what i18n.system_language() reads first
    i18n.use("en")
    _c_locale()
    yield
    i18n.use("en")
    _c_locale()


def _c_locale() -> None:
    """Qt's default locale is C (ISO dates) in every test whatever the machine's, and again after a test that
    chose a language (the window's dates follow QLocale's default)."""
    import sys

    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QLocale

        QLocale.setDefault(QLocale.c())


class PseudoTranslations(gettext.NullTranslations):
    """A language in which every marked text reads ⟪like this⟫: what is still plain English on a screen or a
    sheet was never marked for translation."""

    def gettext(self, message: str) -> str:
        return f"⟪{message}⟫"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟪{singular if n == 1 else plural}⟫"

    def pgettext(self, context: str, message: str) -> str:
        return f"⟪{message}⟫"


@pytest.fixture
def pseudo_language(request, monkeypatch: pytest.MonkeyPatch):
    """Every `_()`, `ngettext()`, `pgettext()` and `catalog(lang)` (printouts) returns the text wrapped in ⟪⟫,
    and so do the Designer forms and Qt's own buttons (through the Qt bridge) in a Qt test."""
    pseudo = PseudoTranslations()
    monkeypatch.setattr(i18n, "_active", pseudo)
    monkeypatch.setattr(i18n, "catalog", lambda lang: pseudo)
    translator = None
    if {"qtbot", "qapp"} & set(request.fixturenames):
        from PySide6.QtWidgets import QApplication

        from ari_desktop.gui.common.language import CatalogTranslator

        translator = CatalogTranslator(request.getfixturevalue("qapp"))
        QApplication.installTranslator(translator)
    yield pseudo
    if translator is not None:
        QApplication.removeTranslator(translator)


# What a screen shows that is data, not words to translate: numbers, dates and times, codes (M3, D+7, B+2,
# SCR, CRS), study IDs (DEMO-0001), units, and the English month and day abbreviations of a locale's dates.
_DATA_WORD = re.compile(
    r"""[\d.,:;/+\-–—−×x%°()\[\]#*·…≥≤<>=±"'“”«»!?]*           # numbers, dates, punctuation
    |[A-Z][A-Z0-9]*([+\-][A-Z0-9]+)*[A-Za-z]?\d*[,;:.]?         # codes and acronyms: M3, D+7, SCR, CRS, ICE
    |[A-Z]+-\d+                                                 # study IDs: DEMO-0001
    |(\d+(\.\d+)?)?(mg|g|µg|ng|pg|mmol|µmol|mL|dL|L|U|IU|kU|kg|mmHg|h|min|s|ms|mm|cm|m²|cells|µL)
      (/(L|dL|mL|µL|kg|min|h|m²|day|d|24h))?\d*               # units: mg/L, ng/mL, L/min, ×10⁹/L
    |[Jj]an|[Ff]eb|[Mm]ar|[Aa]pr|[Mm]ay|[Jj]un|[Jj]ul|[Aa]ug|[Ss]ep|[Oo]ct|[Nn]ov|[Dd]ec
    |AM|PM|am|pm|e\.g\.|v\d+(\.\d+)*|[a-z]\)""",
    re.VERBOSE)


def _visible(text: str) -> str:
    """The text as read: no rich-text tags or entities, no & of the keyboard shortcuts."""
    text = re.sub(r"<[^>]*>", " ", text or "")
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return re.sub(r"&(?=\S)", "", text).strip()


def untranslated_texts(widget, data: tuple[str, ...] = ()) -> list[str]:
    """Under `pseudo_language`: every text `widget` and its children show (labels, buttons, group box titles,
    tab texts, window titles, combo items, headers of item views, placeholders, tooltips, menus and their
    actions) that has words outside ⟪⟫ which are not data. `data`: texts of this screen known to be data
    (patient initials, a person's name...)."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QGroupBox,
        QHeaderView,
        QLabel,
        QLineEdit,
        QMenu,
        QPlainTextEdit,
        QTabWidget,
        QTextEdit,
        QWidget,
    )

    shown: list[str] = []

    def add_actions(owner) -> None:
        for action in owner.actions():
            shown.extend([action.text(), action.toolTip() if action.toolTip() != action.text().replace("&", "")
                          else "", action.statusTip()])
            if action.menu() is not None:
                shown.append(action.menu().title())
                add_actions(action.menu())

    for each in [widget, *widget.findChildren(QWidget)]:
        if each.isWindow() or isinstance(each, QMenu):
            shown.append(each.windowTitle())
        shown.append(each.toolTip())
        add_actions(each)
        if isinstance(each, QLabel):
            shown.append(each.text())
        elif isinstance(each, QAbstractButton):
            shown.append(each.text())
        elif isinstance(each, QGroupBox):
            shown.append(each.title())
        elif isinstance(each, QTabWidget):
            shown.extend(each.tabText(i) for i in range(each.count()))
            shown.extend(each.tabToolTip(i) for i in range(each.count()))
        elif isinstance(each, QComboBox):
            shown.extend(each.itemText(i) for i in range(each.count()))
            shown.append(each.placeholderText())
        elif isinstance(each, QLineEdit | QTextEdit | QPlainTextEdit):
            shown.append(each.placeholderText())
        elif isinstance(each, QAbstractItemView) and not isinstance(each, QHeaderView) and each.model() is not None:
            model = each.model()
            for orientation, count in ((Qt.Orientation.Horizontal, model.columnCount()),
                                       (Qt.Orientation.Vertical, model.rowCount())):
                for section in range(count):
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.headerData(section, orientation, role)
                        if isinstance(value, str):
                            shown.append(value)
    return untranslated(shown, data)


def untranslated(shown: Iterable[str], data: tuple[str, ...] = ()) -> list[str]:
    """Under `pseudo_language`: the texts of `shown` with words outside ⟪⟫ which are not data."""
    found: list[str] = []
    for text in shown:
        visible = _visible(text)
        if not visible or visible in data or visible in found:
            continue
        outside = visible
        while re.search(r"⟪[^⟪⟫]*⟫", outside):  # innermost first: a translated text may hold another
            outside = re.sub(r"⟪[^⟪⟫]*⟫", " ", outside)
        for known in data:
            outside = outside.replace(known, " ")
        words = [word for word in outside.split() if any(c.isalpha() for c in word)]
        if any(not _DATA_WORD.fullmatch(word) for word in words):
            found.append(visible)
    return found


POSTGRES_VARIABLE = "ARI_DESKTOP_TEST_POSTGRES"


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory) -> Iterator[str]:
    """The address of a PostgreSQL server's `postgres` database: the one `.ci/run` started (its address in
    ARI_DESKTOP_TEST_POSTGRES), or else a throwaway cluster for this test run."""
    given = os.environ.get(POSTGRES_VARIABLE)
    if given:
        yield given
        return
    import postgres_cluster

    folder = Path(tempfile.mkdtemp(prefix="ari-postgres-"))
    try:
        yield postgres_cluster.start(folder)
    finally:
        postgres_cluster.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def server_database(postgres_server, request) -> Iterator[str]:
    """A new, empty database on the test server, for this test only (dropped after it)."""
    import psycopg

    name = "ari_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.replace("/postgres?", f"/{name}?", 1)
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def signed_in_command_line(monkeypatch: pytest.MonkeyPatch) -> str:
    """The command line works in GUI_USER's session on any database made by `with_accounts`, as after
    `ari-desktop login`; a test of signing in removes ARI_DESKTOP_TOKEN from the environment."""
    token = session_token()
    monkeypatch.setenv("ARI_DESKTOP_TOKEN", token)
    return token


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ari.db"


@cache
def _accounts_template() -> tuple[Path, str]:
    """A database holding TEST_ACCOUNTS, each past its first password change, and a command-line session
    token of GUI_USER: made once per test run (hashing a password takes a quarter of a second), copied
    for each test that needs accounts."""
    folder = Path(tempfile.mkdtemp(prefix="ari-accounts-"))
    path = folder / "template.db"
    first = GUI_NOW - timedelta(days=400)  # before any record a test writes
    with Store(path, "set-up", today=lambda: first.date(), now=lambda: first) as store:
        for login, (name, roles) in TEST_ACCOUNTS.items():
            store.accounts.add(login, name, roles, TEST_PASSWORD if login == "admin" else "first-password-9")
            if login != "admin":
                store.accounts.change_password(login, "first-password-9", TEST_PASSWORD)
            store.accounts.sign_in("admin", TEST_PASSWORD)
    with Store(path, "set-up") as store:  # the token lasts SESSION_HOURS from now, as `ari-desktop login`'s
        store.accounts.sign_in(GUI_USER, TEST_PASSWORD)
        token = store.accounts.start_session()
    return path, token


def with_accounts(path: Path | str) -> Path | str:
    """`path`, made a new database holding TEST_ACCOUNTS (as its administrator would set it up); a server
    database gets the template's rows (the hash chain and the session as they are)."""
    if is_server(path):
        copy_to_server(_accounts_template()[0], path)
        return path
    assert not path.exists(), path
    shutil.copyfile(_accounts_template()[0], path)
    return path


# -- both engines: the tests of the store run on an SQLite file and on a PostgreSQL server database ------

ENGINES = ("file", "server")


def pytest_generate_tests(metafunc):
    """A test asking for `database` runs on each engine, unless marked file_only (what it checks is the
    SQLite file's: its bytes, its pages, sqlite3 on it)."""
    if "database" in metafunc.fixturenames:
        file_only = metafunc.definition.get_closest_marker("file_only")
        metafunc.parametrize("database", ("file",) if file_only else ENGINES, indirect=True)


@pytest.fixture
def database(request, tmp_path: Path) -> Path | str:
    """The test's new database: an SQLite file not made yet, or an empty database of the test server."""
    if request.param == "server":
        return request.getfixturevalue("server_database")
    return tmp_path / "ari.db"


def _is_new(address: Path | str) -> bool:
    if not is_server(address):
        return not address.exists()
    import psycopg

    with psycopg.connect(address) as connection:
        return connection.execute("SELECT count(*) FROM information_schema.tables"
                                  " WHERE table_schema = 'public'").fetchone()[0] == 0


def copy_to_server(template: Path, url: str) -> None:
    """Every row of the SQLite `template` into the empty server database `url`, as a unit moves to its server."""
    from ari_desktop.store.move import move_to_server

    move_to_server(template, url)


def cli_db(path: Path | str) -> str:
    """The --db of a command-line test: a new path (or an empty server database) is first made a database
    holding TEST_ACCOUNTS."""
    if _is_new(path):
        with_accounts(path)
    return str(path)


def session_token() -> str:
    """The command-line session of GUI_USER on any database made by `with_accounts`."""
    return _accounts_template()[1]


def make_demo(path: Path, patients: int, seed: int = 1) -> Path:
    """A new demo database on the fixed clinic day: the demo's accounts, and `patients` written by them."""
    from ari_desktop import demo

    assert not path.exists(), path
    with Store(path, "demo", today=lambda: GUI_TODAY, now=lambda: GUI_NOW) as store:
        demo.add_accounts(store)
        demo.fill(store, patients, seed)
    return path


def demo_session(path: Path, login: str = "datamanager") -> str:
    """A command-line session of a demo account of the demo database `path`, past its first password change."""
    from ari_desktop.demo import DEMO_PASSWORD

    with Store(path, "set-up") as store:
        store.accounts.change_password(login, DEMO_PASSWORD, TEST_PASSWORD)
        return store.accounts.start_session()


def sign_in(store: Store, login: str = GUI_USER) -> Store:
    """Act as `login` in `store` without typing its password (the tests of log-in itself type it)."""
    store.accounts._act_as(store.accounts.get(login))
    return store


def open_store(path: Path, user: str = GUI_USER, **options) -> Store:
    """The store on `path` (a new one holds TEST_ACCOUNTS), with `user` signed in when it is one of them;
    its clocks are GUI_TODAY and GUI_NOW unless `options` give others (as they give Store's other options)."""
    if _is_new(path):
        with_accounts(path)
    options.setdefault("today", lambda: GUI_TODAY)
    options.setdefault("now", lambda: GUI_NOW)
    store = Store(path, user, **options)
    if user in TEST_ACCOUNTS and user in {account.login for account in store.accounts.all()}:
        sign_in(store, user)
    return store


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    store = open_store(db_path)
    yield store
    store.close()


@pytest.fixture
def add_patient() -> Callable[..., Patient]:
    """Register a patient the way the command line does: check_new_patient, then store.patients.add."""

    def add(store: Store, study_id: str, day0: date | None = None, screening: date | None = None,
            booster: date | None = None, extramedullary: bool = False) -> Patient:
        if screening is None:
            screening = day0 - timedelta(days=40) if day0 else GUI_TODAY
        anchors = Anchors(screening=screening, day0=day0, booster=booster, extramedullary=extramedullary)
        patient = check_new_patient(study_id, "AB", "F", 1960, anchors, store.protocol, GUI_TODAY)
        return store.patients.add(patient)

    return add


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def row_counts(path: Path | str, tables=("patients", "scheduled_items", "recordings", "change_log")) -> dict[str, int]:
    """Rows of every clinical table and of the change log, or of `tables` (of a file, or of a server database)."""
    if is_server(path):
        import psycopg

        connection = psycopg.connect(str(getattr(path, "url", path)))
    else:
        connection = sqlite3.connect(path)
    try:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}
    finally:
        connection.close()


@pytest.fixture
def window(qtbot, store, gui_settings):
    """The main window over the test database, shown and active, as a nurse finds it."""
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.main_window import MainWindow

    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window


class DiscardQuestions(list):
    """The questions "discard the unsaved edits?" asked when a form was closed; `answer` is what the
    person says (True: discard)."""

    answer = True


@pytest.fixture(autouse=True)
def discard_asked(request, monkeypatch) -> DiscardQuestions:
    """Closing a form with edits asks before discarding them (gui/common/form_dialog.py). In a Qt test
    the question is recorded here and answered, never left blocking on a message box: qtbot closes
    every widget it holds when the test ends."""
    asked = DiscardQuestions()
    if "qtbot" in request.fixturenames:
        from ari_desktop.gui.common.form_dialog import FormDialog

        def ask(dialog) -> bool:
            asked.append(dialog.discard_question)
            return asked.answer

        monkeypatch.setattr(FormDialog, "ask_discard", ask)
    return asked


def refused(field: str, call, *args, **kwargs) -> ClinicalInputError:
    """The call is refused with a ClinicalInputError naming ``field``; returns the error."""
    with pytest.raises(ClinicalInputError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field
    message = str(caught.value)
    assert message.endswith("."), message
    assert "\n" not in message
    return caught.value


def choose_findings(form, *, oxygen: str = "none", consciousness: str = "alert", seizure: str = "none",
                    edema: str = "none") -> None:
    """Pick each list of the bedside form as the physician would: the form itself pre-sets none."""
    for combo, code in ((form.oxygen, oxygen), (form.consciousness, consciousness), (form.seizure, seizure),
                        (form.edema, edema)):
        combo.setCurrentIndex(combo.findData(code))


def schema_refusal(store: Store) -> type[Exception]:
    """What a rule of the schema (a trigger, a constraint) raises on the store's engine."""
    if store.server:
        import psycopg

        return psycopg.IntegrityError
    return sqlite3.IntegrityError


def snapshot(address: Path | str):
    """What shows that nothing was written: a file's bytes, a server database's row counts (every write adds
    to the change log)."""
    return row_counts(address) if is_server(address) else file_digest(address)
