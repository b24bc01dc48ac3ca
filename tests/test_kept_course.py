"""What the endpoint tables keep of each patient's results between reads (store.results.kept): emptied for a
patient by any write to their results or recordings, made again when next read, and always the same tables
as reading every result again. On a file and on the server."""

from datetime import date, datetime, timedelta

import conftest
import pytest
from conftest import make_demo, open_store

from ari_desktop.core import protocol
from ari_desktop.core import results as results_rules
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.results import counted_course, response_course

P = protocol.load_default()
TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 15, 0).astimezone()
DAY0 = TODAY - timedelta(days=200)


@pytest.fixture
def store(database):
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as store:
        for study_id in ("ARI-001", "ARI-002"):
            store.patients.add(check_new_patient(study_id, "AB", "F", 1960,
                                                 Anchors(DAY0 - timedelta(days=30), DAY0), P, TODAY))
        yield store


def at(day: int) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time().replace(hour=9)).astimezone()


def labs(store, study_id, timepoint, day, **values):
    store.recordings.record(study_id, timepoint, "response", done_at=at(day))
    store.results.record(study_id, timepoint, "response", values)


def kept_rows(store) -> dict[str, str]:
    return dict(store.db.execute("SELECT p.study_id, r.readings FROM response_readings r"
                                 " JOIN patients p ON p.id = r.patient_id").fetchall())


def confirmed(store, study_id):
    patient_id = store.patients.require_id(study_id)
    return [(r.timepoint, r.confirmed) for r in store.results.kept()[patient_id].readings]


def test_a_result_written_empties_what_was_kept_of_its_patient_only(store):
    for study_id in ("ARI-001", "ARI-002"):
        labs(store, study_id, "SCR", -30, serum_m_g_dl="3.0")
        labs(store, study_id, "M1", 28, serum_m_g_dl="1.2")
    store.results.kept()
    assert set(kept_rows(store)) == {"ARI-001", "ARI-002"}
    labs(store, "ARI-001", "M2", 60, serum_m_g_dl="1.0")
    assert set(kept_rows(store)) == {"ARI-002"}
    assert confirmed(store, "ARI-001") == [("M1", None), ("M2", "PR")]  # made again from the new result
    assert set(kept_rows(store)) == {"ARI-001", "ARI-002"}


def test_a_physicians_review_empties_what_was_kept_and_is_counted_from_the_day_it_was_decided(store):
    labs(store, "ARI-001", "SCR", -30, serum_m_g_dl="3.0")
    labs(store, "ARI-001", "M1", 28, serum_m_g_dl="1.2")
    labs(store, "ARI-001", "M2", 60, serum_m_g_dl="1.0")
    store.results.kept()
    store.results.review("ARI-001", "M2", "VGPR", reason="read with the marrow")
    assert "ARI-001" not in kept_rows(store)
    kept = store.results.kept()[store.patients.require_id("ARI-001")]
    counted = {as_of: [(c.timepoint, c.category) for c in counted_course(kept, as_of, lambda: [])]
               for as_of in (TODAY - timedelta(days=1), TODAY)}
    assert counted == {TODAY - timedelta(days=1): [("M1", None), ("M2", "PR")], TODAY: [("M1", None), ("M2", "VGPR")]}


def test_a_corrected_recording_date_moves_the_assessment_it_dates(store):
    labs(store, "ARI-001", "SCR", -30, serum_m_g_dl="3.0")
    labs(store, "ARI-001", "M1", 28, serum_m_g_dl="1.2")
    patient_id = store.patients.require_id("ARI-001")
    assert store.results.kept()[patient_id].readings[0].day == DAY0 + timedelta(days=28)
    store.recordings.record("ARI-001", "M1", "response", done_at=at(30), correction_reason="date typed wrong")
    assert store.results.kept()[patient_id].readings[0].day == DAY0 + timedelta(days=30)


def test_a_result_another_program_writes_while_the_course_is_read_is_not_hidden_by_what_was_read(
        store, database, monkeypatch):
    labs(store, "ARI-001", "SCR", -30, serum_m_g_dl="3.0")
    labs(store, "ARI-001", "M1", 28, serum_m_g_dl="1.2")
    made, written = results_rules.kept_course, []

    def read_while_another_writes(results, reviews):
        if not written:  # once, while the first patient's course is made from what was read
            with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as other:
                labs(other, "ARI-001", "M2", 60, serum_m_g_dl="1.0")
            written.append(True)
        return made(results, reviews)

    monkeypatch.setattr(results_rules, "kept_course", read_while_another_writes)
    store.results.kept()  # read before the other program's write: counted now, not kept
    monkeypatch.setattr(results_rules, "kept_course", made)
    assert "ARI-001" not in kept_rows(store)
    assert confirmed(store, "ARI-001") == [("M1", None), ("M2", "PR")]


def test_what_other_rules_kept_is_made_again(store, database):
    labs(store, "ARI-001", "SCR", -30, serum_m_g_dl="3.0")
    labs(store, "ARI-001", "M1", 28, serum_m_g_dl="1.2")
    labs(store, "ARI-001", "M2", 60, serum_m_g_dl="1.0")
    store.results.kept()
    with store.transaction():
        store.db.execute("UPDATE response_readings SET rules = 'older rules', readings = '{\"readings\": [],"
                         " \"measured\": []}'")
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as later:  # the next program
        assert confirmed(later, "ARI-001") == [("M1", None), ("M2", "PR")]


def test_a_program_reads_again_only_the_courses_of_patients_written_about_since_it_last_read(
        store, database, monkeypatch):
    from ari_desktop.store import results as stored

    for study_id in ("ARI-001", "ARI-002"):
        labs(store, study_id, "SCR", -30, serum_m_g_dl="3.0")
        labs(store, study_id, "M1", 28, serum_m_g_dl="1.2")
    store.results.kept()
    decoded, made = [], []
    monkeypatch.setattr(stored, "_kept", lambda text, decode=stored._kept: decoded.append(text) or decode(text))
    monkeypatch.setattr(results_rules, "kept_course",
                        lambda *records, make=results_rules.kept_course: made.append(records) or make(*records))
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as later:  # another program
        assert confirmed(later, "ARI-001") == [("M1", None)]
    assert len(decoded) == 2 and not made  # it reads the rows kept
    decoded.clear()
    assert confirmed(store, "ARI-002") == [("M1", None)]
    assert not decoded and not made  # this one remembers them
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as other:
        labs(other, "ARI-001", "M2", 60, serum_m_g_dl="1.0")
    assert confirmed(store, "ARI-001") == [("M1", None), ("M2", "PR")]  # what the other program wrote
    assert not decoded and len(made) == 1  # ARI-001's course only, made again


def test_an_mrd_done_after_its_labs_is_not_counted_before_its_day(store):
    labs(store, "ARI-001", "SCR", -30, serum_m_g_dl="3.0", serum_ife="positive")
    labs(store, "ARI-001", "M3", 100, serum_m_g_dl="0", serum_ife="negative", urine_ife="negative",
         marrow_plasma_cells_pct="2", marrow_clonal="no", clonality_method="flow cytometry")
    store.recordings.record("ARI-001", "M3", "mrd_bm", done_at=at(110))
    store.results.record("ARI-001", "M3", "mrd_bm", {"mrd_method": "next-generation flow", "mrd_sensitivity": "1e-5",
                                                     "mrd_result": "negative"})
    patient_id = store.patients.require_id("ARI-001")
    kept, read = store.results.kept()[patient_id], []

    def results():
        read.append(True)
        return store.results.of("ARI-001")

    for as_of, reads in ((DAY0 + timedelta(days=105), [True]), (DAY0 + timedelta(days=110), [True])):
        done = [r for r in store.results.of("ARI-001") if r.day <= as_of]
        assert counted_course(kept, as_of, results) == [a.counted for a in response_course(done)]
        assert read == reads  # before the MRD's day, the course is read from the results done by then
@pytest.mark.file_only
def test_a_file_open_to_be_read_counts_without_keeping_anything(tmp_path):
    path = tmp_path / "unit.db"
    with open_store(path, today=lambda: TODAY, now=lambda: NOW) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(DAY0 - timedelta(days=30), DAY0),
                                             P, TODAY))
        labs(store, "ARI-001", "SCR", -30, serum_m_g_dl="3.0")
        labs(store, "ARI-001", "M1", 28, serum_m_g_dl="1.2")
    with open_store(path, read_only=True, today=lambda: TODAY, now=lambda: NOW) as store:
        assert [r.timepoint for r in next(iter(store.results.kept().values())).readings] == ["M1"]
        assert kept_rows(store) == {}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("kept") / "demo.db", 40)


@pytest.mark.file_only
def test_the_course_read_from_what_is_kept_is_the_course_of_the_results_done_by_each_date(demo):
    with open_store(demo) as store:
        kept, reviews = store.results.kept(), store.results.reviews_by_patient()
        checked = 0
        for patient_id, patient in store.patients.with_ids():
            results = store.results.of(patient.study_id)
            for as_of in sorted({r.day for r in results} | {r.day - timedelta(days=1) for r in results}):
                done = [r for r in results if r.day <= as_of]
                decided = [r for r in reviews.get(patient_id, []) if r.decided_at.astimezone().date() <= as_of]
                assert (counted_course(kept[patient_id], as_of, lambda r=results: r)
                        == [a.counted for a in response_course(done, decided)]), (patient.study_id, as_of)
                checked += 1
        assert checked > 500
