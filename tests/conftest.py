"""Shared test set-up. Qt runs offscreen: set before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, Patient, check_new_patient
from ari_desktop.store import Store

# A fixed clinic day, so statuses (due, overdue, missed) do not depend on when the tests run.
GUI_TODAY = date(2025, 3, 10)
GUI_NOW = datetime(2025, 3, 10, 9, 30).astimezone()
GUI_USER = "nurse-test"


@pytest.fixture
def gui_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The window's QSettings go to a file of this test only, never the user's profile."""
    path = tmp_path / "settings.ini"
    monkeypatch.setenv("ARI_DESKTOP_SETTINGS", str(path))
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ari.db"


def open_store(path: Path, user: str = GUI_USER) -> Store:
    return Store(path, user, today=lambda: GUI_TODAY, now=lambda: GUI_NOW)


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


def row_counts(path: Path) -> dict[str, int]:
    """Rows of every clinical table and of the change log."""
    connection = sqlite3.connect(path)
    try:
        return {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("patients", "scheduled_items", "recordings", "change_log")}
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
