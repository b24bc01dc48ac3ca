"""Team mode's live updates, on a real PostgreSQL server: a write announced by another connection reaches
the window's listener within a second; a lost connection is said, and the listener reconnects by itself."""

from __future__ import annotations

import time

import psycopg
import pytest
from conftest import GUI_TODAY, open_store
from psycopg.conninfo import conninfo_to_dict

from ari_desktop.gui.common.server_listener import CHANNEL, ServerListener


@pytest.fixture
def listener(qtbot, server_database):
    own = psycopg.connect(server_database, autocommit=True)  # the window's own store connection
    listening = ServerListener(server_database, own_backend_pid=own.info.backend_pid)
    listening.start()
    qtbot.waitUntil(lambda: listening.connected, timeout=5000)
    yield listening, own
    listening.stop()
    own.close()


def test_another_workstations_write_arrives_within_a_second(qtbot, listener, server_database):
    listening, _ = listener
    with psycopg.connect(server_database, autocommit=True) as other:
        started = time.monotonic()
        with qtbot.waitSignal(listening.changed, timeout=1000):
            other.execute(f"NOTIFY {CHANNEL}")
    assert time.monotonic() - started < 1.0


def test_the_windows_own_write_is_not_announced_to_itself(qtbot, listener):
    listening, own = listener
    with qtbot.assertNotEmitted(listening.changed, wait=800):
        own.execute(f"NOTIFY {CHANNEL}")


def test_a_write_rolled_back_is_never_announced(qtbot, listener, server_database):
    listening, _ = listener
    with psycopg.connect(server_database) as other, qtbot.assertNotEmitted(listening.changed, wait=800):
        other.execute(f"NOTIFY {CHANNEL}")
        other.rollback()


def test_a_lost_connection_is_said_and_the_listener_reconnects_by_itself(qtbot, listener, server_database,
                                                                           postgres_server):
    listening, _ = listener
    database = conninfo_to_dict(server_database)["dbname"]
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        with qtbot.waitSignal(listening.lost, timeout=3000) as said:  # as a server restart or a cut cable does
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = %s AND query LIKE 'LISTEN%%'", [database])
        assert said.args[0].startswith("The connection to the server was lost")
        assert "read-only" in said.args[0]
        with qtbot.waitSignal(listening.restored, timeout=5000):
            pass
    with psycopg.connect(server_database, autocommit=True) as other, \
            qtbot.waitSignal(listening.changed, timeout=1000):
        other.execute(f"NOTIFY {CHANNEL}")


def test_the_window_rereads_on_news_and_keeps_the_screen_read_only_while_the_server_is_away(
        qtbot, listener, server_database, postgres_server, window, add_patient):
    listening, _ = listener
    window.follow_server(listening)
    window.show_view("today")
    with open_store(window.session.store.path, "physician") as elsewhere:  # what another workstation wrote
        add_patient(elsewhere, "ARI-077", day0=GUI_TODAY)
    with psycopg.connect(server_database, autocommit=True) as other:
        other.execute(f"NOTIFY {CHANNEL}")
    qtbot.waitUntil(lambda: "ARI-077" in {row.study_id for row in window.today.worklist_model.rows}, timeout=1000)

    database = conninfo_to_dict(server_database)["dbname"]
    with psycopg.connect(postgres_server, autocommit=True) as admin, qtbot.waitSignal(listening.lost, timeout=3000):
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                      " WHERE datname = %s AND query LIKE 'LISTEN%%'", [database])
    assert window.connection_notice.isVisible() and "read-only" in window.connection_notice.text()
    assert not window.bedside_action.isEnabled() and "lost" in window.bedside_action.toolTip()
    qtbot.waitUntil(lambda: not window.connection_notice.isVisible(), timeout=5000)
    assert window.bedside_action.isEnabled()


def test_a_sample_marked_on_one_workstation_is_done_in_the_others_today_within_a_second(qtbot, server_database,
                                                                                     gui_settings, add_patient):
    """Two workstations on one server: this window, and another program (the command line) marking a sample
    collected; the item shows done in this window's Today without F5."""
    import subprocess
    import sys

    from ari_desktop.gui.app import follow_server
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.main_window import MainWindow

    store = open_store(server_database)
    add_patient(store, "ARI-031", day0=GUI_TODAY)
    window = MainWindow(Session(store), day=GUI_TODAY)
    qtbot.addWidget(window)
    window.show()
    listener = follow_server(window, store)
    qtbot.waitUntil(lambda: listener.connected, timeout=5000)
    def status():
        return {(r.study_id, r.item.timepoint, r.item.activity): r.status for r in window.today.worklist_model.rows}

    assert status()[("ARI-031", "D0", "sbcma")] != "done"
    done = subprocess.run([sys.executable, "-m", "ari_desktop", "--db", server_database, "record", "ARI-031",
                           "--timepoint", "D0", "--activity", "sbcma", "--done-at", f"{GUI_TODAY}T09:00"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    started = time.monotonic()
    qtbot.waitUntil(lambda: status()[("ARI-031", "D0", "sbcma")] == "done", timeout=1000)
    assert time.monotonic() - started < 1.0
    window.close()
    store.close()
