"""The window's automatic backups: at close and once a day while it runs, each checked, never in the way."""

from __future__ import annotations

import threading

import pytest
from conftest import open_store

from ari_desktop.gui.common import backups as automatic
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.main_window import MainWindow
from ari_desktop.store import Store
from ari_desktop.store.backups import backups_of, check

pytestmark = pytest.mark.usefixtures("gui_settings")


def opened(qtbot, store, folder) -> MainWindow:
    window = MainWindow(Session(store), backups=folder)
    qtbot.addWidget(window)
    window.show()
    return window


def test_closing_the_window_leaves_a_checked_backup_and_only_one_a_day(qtbot, store, add_patient, tmp_path):
    add_patient(store, "ARI-001")
    folder = tmp_path / "backups"
    opened(qtbot, store, folder).close()
    (made,) = backups_of(store.path, folder)
    assert check(made[1], store.protocol) > 0  # whole, of this protocol, its audit chain intact
    opened(qtbot, store, folder).close()  # the same day again: the day's backup is there already
    assert backups_of(store.path, folder) == [made]


def test_the_day_s_backup_is_made_after_the_window_opens(qtbot, store, tmp_path, monkeypatch):
    monkeypatch.setattr(automatic, "AFTER_START_MS", 0)
    folder = tmp_path / "backups"
    window = opened(qtbot, store, folder)
    qtbot.waitUntil(lambda: len(backups_of(store.path, folder)) == 1)
    assert window.isVisible()


def test_a_backup_that_cannot_be_written_is_said_in_the_status_bar_and_the_window_still_closes(qtbot, store,
                                                                                                tmp_path):
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    window = opened(qtbot, store, blocked)
    window.backups.back_up()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith(
        f"Automatic backup: No backup could be written in {blocked}"))
    assert window.close()
    assert not window.isVisible()


def test_the_day_s_backup_is_made_in_a_thread_while_the_window_goes_on_writing(qtbot, store, add_patient, tmp_path,
                                                                                 monkeypatch):
    add_patient(store, "ARI-001")
    folder = tmp_path / "backups"
    window = opened(qtbot, store, folder)
    from ari_desktop.store import backups as stored

    copying, go_on = threading.Event(), threading.Event()
    real_check = stored.check

    def slow_check(path, protocol):  # the copy is made; it is being checked
        copying.set()
        assert go_on.wait(10)
        return real_check(path, protocol)

    monkeypatch.setattr(stored, "check", slow_check)
    window.backups.back_up()
    assert copying.wait(10)
    assert threading.current_thread() is threading.main_thread() and window.backups.running.isRunning()
    add_patient(store, "ARI-002")  # the window writes while the backup is checked
    go_on.set()
    window.backups.wait()
    (made,) = backups_of(store.path, folder)
    with Store(made[1], "nurse", read_only=True) as copy:
        assert [p.study_id for p in copy.patients.all()] == ["ARI-001"]  # the file as it was when copied
    assert window.close()


def test_a_read_only_database_is_not_backed_up_from_the_window(qtbot, db_path, tmp_path):
    open_store(db_path).close()
    with Store(db_path, "nurse", read_only=True) as store:
        opened(qtbot, store, tmp_path / "backups").close()
        assert backups_of(store.path, tmp_path / "backups") == []


def test_the_window_opened_for_a_screenshot_or_a_test_makes_no_backup(window):
    assert window.backups is None
