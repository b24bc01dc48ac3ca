"""The SQLite store: real files, migrations, the worklist query and the change log."""

import sqlite3
from datetime import date, datetime, timedelta

import conftest
import pytest
from conftest import schema_refusal

from ari_desktop.core import protocol
from ari_desktop.core.errors import ClinicalInputError, StoreError
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.store import schema
from ari_desktop.store.schema import APPLICATION_ID

P = protocol.load_default()
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0).astimezone()


def open_store(path, user=conftest.GUI_USER, **options):
    return conftest.open_store(path, user, **{"today": lambda: TODAY, "now": lambda: NOW, **options})


def register(store, study_id, screening, day0=None, **anchors):
    patient = check_new_patient(study_id, "AB", "F", 1960, Anchors(screening, day0, **anchors), P, TODAY)
    return store.patients.add(patient)


# The store's tests run on an SQLite file and on a server database (`database`); those marked file_only check
# the file itself.
@pytest.fixture
def store(database):
    with open_store(database) as store:
        yield store


@pytest.mark.file_only
def test_a_new_file_is_marked_as_ari_desktop_in_wal_mode_with_the_migration_recorded(tmp_path):
    open_store(tmp_path / "new.db").close()
    db = sqlite3.connect(tmp_path / "new.db")
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [n for (n,) in db.execute("SELECT name FROM _sqlite_migrations")] == [
        name for name, _ in schema.MIGRATIONS]


@pytest.mark.file_only
def test_a_database_from_the_previous_version_is_migrated_and_keeps_its_patients(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    with monkeypatch.context() as old_version:
        old_version.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        schema.migrate(path)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO patients (study_id, initials, sex, birth_year, protocol, screening_date)"
               " VALUES ('ARI-001', 'AB', 'F', 1960, 'ARI0002h', '2026-09-01')")
    db.commit()
    db.close()
    with open_store(path) as store:
        assert [p.study_id for p in store.patients.all()] == ["ARI-001"]
        assert store.assessments.of("ARI-001") == []
    db = sqlite3.connect(path)
    assert [n for (n,) in db.execute("SELECT name FROM _sqlite_migrations")] == [
        name for name, _ in schema.MIGRATIONS]


def test_reopening_keeps_patients(database):
    with open_store(database) as store:
        register(store, "ARI-001", date(2026, 9, 1), date(2026, 10, 20))
    with open_store(database) as store:
        assert [p.study_id for p in store.patients.all()] == ["ARI-001"]


@pytest.mark.parametrize("content, sentence", [
    (b"study,initials\nARI-001,AB\n", "not an SQLite file"),
    (b"SQLite format 3\x00" + b"\x00" * 84, "is damaged"),  # SQLite's mark, and nothing of a database after it
])
@pytest.mark.file_only
def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path, content, sentence):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=sentence):
        open_store(path)
    assert path.read_bytes() == content


@pytest.mark.file_only
def test_another_applications_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another application"):
        open_store(path)
    assert path.read_bytes() == before


@pytest.mark.file_only
def test_a_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "newer.db"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('ari_desktop', "
               "'099_future', '2030-01-01')")
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of ARI Desktop"):
        open_store(path)
    assert path.read_bytes() == before


def test_a_duplicate_study_id_is_refused(store):
    register(store, "ARI-001", date(2026, 9, 1))
    with pytest.raises(ClinicalInputError, match="already registered"):
        register(store, "ARI-001", date(2026, 9, 2))
    assert len(store.patients.all()) == 1


def test_the_worklist_is_exactly_the_open_items_whose_window_holds_the_day(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 16))   # D+10 on TODAY
    register(store, "ARI-002", date(2026, 4, 1), date(2026, 5, 30))    # M6 window
    register(store, "ARI-003", date(2026, 11, 20))                     # screening window
    register(store, "ARI-004", date(2026, 1, 1), date(2026, 2, 1), off_study=date(2026, 6, 1),
             off_study_reason="Progressive disease")
    expected = sorted(
        (e.study_id, e.item.sequence, e.item.timepoint, e.item.activity)
        for p in store.patients.all() for e in store.schedules.of(p.study_id, TODAY)
        if e.item.window_start <= TODAY <= e.item.window_end and e.status in ("due", "overdue"))
    got = [(e.study_id, e.item.sequence, e.item.timepoint, e.item.activity) for e in store.schedules.worklist(TODAY)]
    assert got == expected
    assert {s for s, *_ in got} == {"ARI-001", "ARI-002", "ARI-003"}


def test_recording_an_item_removes_it_from_the_worklist(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 12))  # D+14: samples today
    item = next(e.item for e in store.schedules.worklist(TODAY) if e.item.activity != "tox")
    store.recordings.record("ARI-001", item.timepoint, item.activity, done_at=NOW - timedelta(hours=2))
    assert (item.timepoint, item.activity) not in {(e.item.timepoint, e.item.activity)
                                                   for e in store.schedules.worklist(TODAY)}


def test_worklist_filters_by_kind(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 23))   # D+3: fraction, samples, tox
    kinds = {e.item.kind for e in store.schedules.worklist(TODAY)}
    assert kinds == {"infusion", "sample", "assessment"}
    assert {e.item.kind for e in store.schedules.worklist(TODAY, "sample")} == {"sample"}


def test_missed_lists_closed_windows_with_nothing_recorded(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 16))
    missed = store.schedules.missed(TODAY)
    assert {e.item.timepoint for e in missed} >= {"D+9", "D+7"}
    assert all(e.status == "missed" for e in missed)


def test_moving_day0_moves_the_schedule_and_keeps_what_was_recorded(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 16))
    store.recordings.record("ARI-001", "D0", "sbcma", done_at=datetime(2026, 11, 16, 9, 30).astimezone())
    before = {(e.item.timepoint, e.item.activity): e.item.target_date for e in store.schedules.of("ARI-001", TODAY)}
    store.patients.update_dates("ARI-001", reason="manufacturing delay", day0=date(2026, 11, 18))
    after = store.schedules.of("ARI-001", TODAY)
    assert all(e.item.target_date - before[(e.item.timepoint, e.item.activity)] == timedelta(2)
               for e in after if e.item.anchor == "day0")
    d0 = next(e for e in after if e.item.timepoint == "D0" and e.item.activity == "sbcma")
    assert d0.status == "done" and d0.in_window is False
    change = store.changes.all("patients")[-1]
    assert change.old == {"day0_date": "2026-11-16"} and change.new == {"day0_date": "2026-11-18"}
    assert change.reason == "manufacturing delay" and change.user == conftest.GUI_USER


def test_off_study_cancels_open_items_after_that_date(store):
    register(store, "ARI-001", date(2026, 6, 1), date(2026, 7, 20))
    store.patients.update_dates("ARI-001", off_study=date(2026, 11, 1), off_study_reason="Consent withdrawn")
    entries = store.schedules.of("ARI-001", TODAY)
    assert all(e.status == "cancelled" for e in entries if e.item.target_date > date(2026, 11, 1))
    assert not [e for e in store.schedules.worklist(TODAY) if e.study_id == "ARI-001"]


def test_recording_late_is_judged_by_the_time_done(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 12))  # D+14 today
    entry = store.recordings.record("ARI-001", "D+14", "sbcma", done_at=datetime(2026, 11, 26, 8, 0).astimezone())
    assert entry.status == "done" and entry.in_window is True
    assert entry.recording.recorded_at == NOW


def test_a_second_recording_needs_a_reason_and_the_log_keeps_the_old_value(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 12))  # D+14 today
    store.recordings.record("ARI-001", "D+14", "sbcma", done_at=datetime(2026, 11, 26, 8, 0).astimezone())
    with pytest.raises(ClinicalInputError, match="correction needs a reason"):
        store.recordings.record("ARI-001", "D+14", "sbcma", done_at=datetime(2026, 11, 26, 9, 0).astimezone())
    store.recordings.record("ARI-001", "D+14", "sbcma", done_at=datetime(2026, 11, 26, 9, 0).astimezone(),
                 correction_reason="wrong time typed")
    change = store.changes.all("recordings")[-1]
    assert change.action == "update" and change.reason == "wrong time typed"
    assert change.old["done_at"].startswith("2026-11-26T") and change.old["done_at"] != change.new["done_at"]


@pytest.mark.parametrize("kwargs, sentence", [
    ({"timepoint": "D+999", "activity": "tox"}, "no timepoint 'D\\+999'"),
    ({"timepoint": "D+10", "activity": "blood"}, "no activity 'blood'"),
    ({"timepoint": "M3", "activity": "pet_ct"}, "not on the schedule"),
    ({"timepoint": "D+10", "activity": "tox", "study_id": "ARI-404"}, "no patient with study ID 'ARI-404'"),
])
def test_unknown_things_are_refused_and_nothing_is_written(store, kwargs, sentence):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 16))
    log = len(store.changes.all())
    args = {"study_id": "ARI-001", **kwargs}
    with pytest.raises(ClinicalInputError, match=sentence):
        store.recordings.record(args.pop("study_id"), args["timepoint"], args["activity"], done_at=NOW)
    assert len(store.changes.all()) == log


def test_a_collection_time_in_the_future_is_refused(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 12))
    with pytest.raises(ClinicalInputError, match="in the future"):
        store.recordings.record("ARI-001", "D+14", "sbcma", done_at=NOW + timedelta(hours=3))


def test_a_crs_icans_assessment_cannot_be_marked_done_without_its_findings(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 16))
    log = len(store.changes.all())
    for record in (lambda: store.recordings.record("ARI-001", "D+10", "tox", done_at=NOW),
                   lambda: store.recordings.record_many("ARI-001", [("D+10", "tox", NOW, None)])):
        with pytest.raises(ClinicalInputError, match="done when its findings are saved") as refused:
            record()
        assert refused.value.field == "activity"
    assert len(store.changes.all()) == log


def test_a_crs_icans_assessment_not_done_is_recorded_with_its_reason(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 16))
    entry = store.recordings.record("ARI-001", "D+10", "tox", not_done_reason="At radiology all day")
    assert entry.status == "not_done"


def test_the_change_log_cannot_be_edited_or_emptied(store):
    register(store, "ARI-001", date(2026, 9, 1))
    with pytest.raises(schema_refusal(store), match="append-only"):
        store.db.execute("DELETE FROM change_log")
    with pytest.raises(schema_refusal(store), match="append-only"):
        store.db.execute("UPDATE change_log SET reason = 'x'")


def test_a_refused_batch_writes_nothing(store):
    register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 16))
    with pytest.raises(ClinicalInputError):
        store.recordings.record_many("ARI-001", [("D+9", "tox", NOW - timedelta(days=1), None),
                                      ("D+10", "tox", NOW + timedelta(days=1), None)])
    assert store.db.execute("SELECT count(*) FROM recordings").fetchone()[0] == 0


def test_a_sample_taken_on_the_morning_of_going_off_study_can_still_be_entered(store):
    register(store, "ARI-001", date(2026, 6, 1), date(2026, 7, 20))
    m4 = next(e.item for e in store.schedules.of("ARI-001", TODAY)
              if e.item.timepoint == "M4" and e.item.activity == "cbc")
    store.patients.update_dates("ARI-001", off_study=m4.target_date, off_study_reason="Consent withdrawn")
    morning = datetime.combine(m4.target_date, datetime.min.time()).replace(hour=9).astimezone()
    assert store.recordings.record("ARI-001", "M4", "cbc", done_at=morning).status == "done"
    with pytest.raises(ClinicalInputError, match="was cancelled"):
        store.recordings.record("ARI-001", "M4", "sbcma", not_done_reason="declined")


def test_an_edited_protocol_file_rebuilds_every_schedule_and_logs_it(database):
    path = database
    with open_store(path) as store:
        register(store, "ARI-001", date(2026, 9, 1), date(2026, 10, 20))
    shipped = protocol.shipped_text()
    edited = shipped.replace('code = "D+28"\nlabel = "Day +28"\nanchor = "day0"\nday = 28\nwindow = [-2, 2]',
                             'code = "D+28"\nlabel = "Day +28"\nanchor = "day0"\nday = 28\nwindow = [-3, 3]')
    assert edited != shipped
    site = protocol.parse(edited, "site.toml")
    with open_store(path, protocol=site, today=lambda: TODAY, now=lambda: NOW) as store:
        item = next(e.item for e in store.schedules.of("ARI-001", TODAY) if e.item.timepoint == "D+28"
                    and e.item.activity == "sbcma")
        assert (item.target_date - item.window_start).days == 3
        assert store.changes.all("protocol_in_use")[-1].reason == "protocol file changed: every schedule rebuilt"


@pytest.mark.file_only
def test_a_database_locked_by_another_program_gets_a_sentence(tmp_path):
    path = tmp_path / "unit.db"
    with open_store(path) as store:
        register(store, "ARI-001", date(2026, 9, 1), date(2026, 11, 16))
        other = sqlite3.connect(path, timeout=0)
        other.execute("BEGIN IMMEDIATE")
        store.db.execute("PRAGMA busy_timeout = 100")
        with pytest.raises(StoreError, match="in use by another program"):
            store.recordings.record("ARI-001", "D+10", "tox", done_at=NOW)
        other.rollback()
        other.close()


def test_a_cancelled_item_cannot_be_entered_as_done_long_before_its_window(store):
    register(store, "ARI-001", date(2026, 6, 1), date(2026, 7, 20))
    store.patients.update_dates("ARI-001", death=date(2026, 11, 20))
    with pytest.raises(ClinicalInputError, match="was cancelled"):
        store.recordings.record("ARI-001", "M12", "cbc", done_at=datetime(2026, 11, 19, 9, 0).astimezone())
