"""A collection marked by mistake (a second Enter, the wrong row) can be taken back: right after, by
the nurse who marked it, without a reason; later, or by someone else, with one. Nothing is deleted:
the change log keeps the collection and its withdrawal, and the item is open again."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from conftest import GUI_NOW, GUI_TODAY, GUI_USER, TEST_PASSWORD, open_store, refused

from ari_desktop.core.dates import to_utc_text
from ari_desktop.core.recording import UNDO_MINUTES
from ari_desktop.core.schedule import DONE, DUE, MISSED
from ari_desktop.store import Store


def store_at(path, now, user=GUI_USER) -> Store:
    return open_store(path, user, today=lambda: now.date(), now=lambda: now)


@pytest.fixture
def db_path(database):
    """Each test of a database here runs on an SQLite file and on a server database."""
    return database


@pytest.fixture
def collected(db_path, store, add_patient):
    """ARI-001's D+14 blood count, marked collected at 09:30 by the nurse."""
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    store.recordings.record("ARI-001", "D+14", "cbc", done_at=GUI_NOW)
    return store


def changes(store: Store) -> list[tuple]:
    return store.db.execute("SELECT action, old_values, new_values, reason, user FROM change_log"
                            " WHERE table_name = 'recordings' ORDER BY id").fetchall()


def test_undo_right_after_needs_no_reason_and_the_item_is_due_again(collected):
    entry = collected.recordings.withdraw("ARI-001", "D+14", "cbc")
    assert entry.status == DUE and entry.recording is None
    assert any(e.item.activity == "cbc" and e.item.timepoint == "D+14" for e in collected.schedules.worklist(GUI_TODAY))


def test_the_change_log_keeps_the_collection_and_its_withdrawal(collected):
    collected.recordings.withdraw("ARI-001", "D+14", "cbc")
    (insert, *_), withdrawal = changes(collected)
    assert insert == "insert"
    assert withdrawal[0] == "update" and json.loads(withdrawal[1]) == {"withdrawn_at": None}
    assert json.loads(withdrawal[2]) == {"withdrawn_at": to_utc_text(GUI_NOW)}
    assert collected.db.execute("SELECT count(*) FROM recordings").fetchone()[0] == 1  # nothing deleted


def test_after_the_moment_a_withdrawal_needs_a_reason(db_path, collected):
    later = store_at(db_path, GUI_NOW + timedelta(minutes=UNDO_MINUTES, seconds=1))
    try:
        error = refused("reason", later.recordings.withdraw, "ARI-001", "D+14", "cbc")
        assert "needs a reason" in str(error)
        entry = later.recordings.withdraw("ARI-001", "D+14", "cbc", reason="tube labelled for another patient")
        assert entry.recording is None
        assert changes(later)[-1][3] == "tube labelled for another patient"
    finally:
        later.close()


def test_within_the_moment_is_still_without_a_reason(db_path, collected):
    later = store_at(db_path, GUI_NOW + timedelta(minutes=UNDO_MINUTES))
    try:
        assert later.recordings.withdraw("ARI-001", "D+14", "cbc").recording is None
    finally:
        later.close()


def test_someone_else_needs_a_reason_even_right_after(db_path, collected):
    colleague = store_at(db_path, GUI_NOW, user="another-nurse")
    try:
        refused("reason", colleague.recordings.withdraw, "ARI-001", "D+14", "cbc")
    finally:
        colleague.close()


def test_a_withdrawn_item_whose_window_closed_is_missed_again(db_path, collected):
    week_later = store_at(db_path, GUI_NOW + timedelta(days=7))
    try:
        entry = week_later.recordings.withdraw("ARI-001", "D+14", "cbc", reason="sample lost before the lab")
        assert entry.status == MISSED
    finally:
        week_later.close()


def test_nothing_recorded_done_cannot_be_withdrawn(collected):
    refused("activity", collected.recordings.withdraw, "ARI-001", "D+14", "sbcma")


def test_an_item_withdrawn_can_be_recorded_again_without_a_correction_reason(collected):
    collected.recordings.withdraw("ARI-001", "D+14", "cbc")
    entry = collected.recordings.record("ARI-001", "D+14", "cbc", done_at=GUI_NOW - timedelta(minutes=20))
    assert entry.status == DONE
    assert entry.recording.done_at == GUI_NOW - timedelta(minutes=20)


def test_the_command_line_withdraws_with_the_same_rule(db_path, collected):
    from click.testing import CliRunner

    from ari_desktop.cli import cli

    collected.close()
    args = ["--db", str(db_path), "--user", "nurse", "--password-stdin", "record", "ARI-001", "--timepoint", "D+14",
            "--activity", "cbc", "--withdraw"]  # another nurse than the clinician who recorded it
    result = CliRunner().invoke(cli, args, input=TEST_PASSWORD + "\n")
    assert result.exit_code == 2 and "needs a reason" in result.output
    result = CliRunner().invoke(cli, [*args, "--reason", "recorded on the wrong patient"], input=TEST_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Withdrew Blood count at D+14 for ARI-001" in result.output
