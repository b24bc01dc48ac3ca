"""Each patient's toxicity course kept between reads (store.toxicity.summaries, table toxicity_courses): kept for
the days it is unchanged (core/endpoints.unchanged_days), emptied by any write about the patient, and always the
same courses as reading every record again. On a file and on the server."""

import json
from datetime import date, datetime, time, timedelta

import conftest
import pytest
from conftest import make_demo, open_store

from ari_desktop.core import endpoints, protocol
from ari_desktop.core.endpoints import ToxicitySummary, toxicity_summary, unchanged_days
from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, Patient, check_new_patient
from ari_desktop.core.schedule import DONE, Recording
from ari_desktop.core.toxicity import BedsideFindings, ToxicityEvent

P = protocol.load_default()
DAY0 = date(2025, 3, 3)
TODAY = DAY0 + timedelta(days=200)
NOW = datetime.combine(TODAY, time(15)).astimezone()
FEVER, NO_FEVER = BedsideFindings(38.5), BedsideFindings(37.0)


def at(day: int, hour: int = 8) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), time(hour)).astimezone()


# -- the days a course is unchanged (pure) ----------------------------------------------------------

def patient(**anchors) -> Patient:
    return Patient("ARI-001", "AB", "F", 1960, Anchors(DAY0 - timedelta(days=40), DAY0, **anchors))


INFUSED = {"D0": Recording("D0", "infusion", DONE, at(0, 10), None, "nurse", at(0, 11))}


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def event(onset: int, resolution: int | None = None, kind: str = "infection", grade: int = 2) -> ToxicityEvent:
    return ToxicityEvent(1, kind, grade, "", day(onset), None if resolution is None else day(resolution), "", "x")


LATER = date(2099, 1, 1)


@pytest.mark.parametrize(("anchors", "events", "settled"), [
    # Nothing recorded after fraction 1: the day after D+30 (the first day prolonged cytopenia could be).
    ({}, [], day(31)),
    # An event resolved late: the day it resolved.
    ({}, [event(10, 90)], day(90)),
    # An event still unresolved: its onset (it stays unresolved on every later day until a write says otherwise).
    ({}, [event(60)], day(60)),
    # A booster: the day after its own B+30.
    ({"booster": day(120)}, [], day(151)),
    # Death: the day of death when it is the latest.
    ({"death": day(400)}, [], day(400)),
], ids=["quiet", "late-resolution", "unresolved", "booster", "death"])
def test_a_course_settles_on_the_latest_date_its_rules_compare_the_as_of_date_with(anchors, events, settled):
    someone = patient(**anchors)
    assert unchanged_days(someone, P, [], events, INFUSED, LATER) == (settled, None)
    assert unchanged_days(someone, P, [], events, INFUSED, settled) == (settled, None)
    course = toxicity_summary(someone, P, [], events, INFUSED, settled)
    for later in (settled, settled + timedelta(days=1), settled + timedelta(days=365)):
        assert toxicity_summary(someone, P, [], events, INFUSED, later) == course.on(later)


@pytest.mark.parametrize(("anchors", "events", "as_of", "unchanged"), [
    # Infused, nothing else recorded: from D0 up to D+30, when the window is complete.
    ({}, [], day(12), (day(0), day(30))),
    # On D+30 itself: the window is complete; the next day, prolonged cytopenia could be.
    ({}, [], day(30), (day(30), day(31))),
    # An event: its onset and its resolution are days the course changes.
    ({}, [event(5, 9)], day(7), (day(5), day(9))),
    # Before day 0: from screening up to the infusion.
    ({}, [], day(-3), (day(-40), day(0))),
    # A booster planned: the course changes on its day.
    ({"booster": day(120)}, [], day(100), (day(31), day(120))),
], ids=["window-open", "window-end", "event", "before-infusion", "booster-planned"])
def test_a_course_is_unchanged_between_two_dates_its_rules_compare_the_as_of_date_with(anchors, events, as_of,
                                                                                       unchanged):
    someone = patient(**anchors)
    first, changes = unchanged_days(someone, P, [], events, INFUSED, as_of)
    assert (first, changes) == unchanged
    course = toxicity_summary(someone, P, [], events, INFUSED, as_of)
    for n in range((changes - first).days):
        assert toxicity_summary(someone, P, [], events, INFUSED, first + timedelta(days=n)) == course.on(
            first + timedelta(days=n))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("kept-toxicity") / "demo.db", 40)


def records(store):
    """(patient row id, the records toxicity_summary reads) of every patient of the store."""
    infusions = store.toxicity.infusions()
    assessments, events = store.assessments.graded_by_patient(), store.events.by_patient()
    return [(patient_id, (patient, P, assessments.get(patient_id, []), events.get(patient.study_id, []),
                          infusions.get(patient_id, {}))) for patient_id, patient in store.patients.with_ids()]


@pytest.mark.file_only
def test_on_each_day_a_course_is_unchanged_it_is_the_course_of_the_first_and_it_reads_back_as_written(demo):
    with open_store(demo) as store:
        checked = 0
        for _, course_records in records(store):
            screening = course_records[0].anchors.screening
            for as_of in [screening + timedelta(days=n) for n in range(0, 700, 23)] + [LATER]:
                first, changes = unchanged_days(*course_records, as_of)
                course = toxicity_summary(*course_records, first)
                assert ToxicitySummary.from_json(course.as_json()) == course
                last = min(changes - timedelta(days=1) if changes else first + timedelta(days=400),
                           first + timedelta(days=45))
                for n in range((last - first).days + 1):
                    assert toxicity_summary(*course_records, first + timedelta(days=n)) == course.on(
                        first + timedelta(days=n))
                    checked += 1
        assert checked > 1500


@pytest.mark.file_only
def test_the_courses_read_from_what_is_kept_are_the_courses_counted_from_the_records_on_every_date(demo):
    with open_store(demo) as store:
        as_read = records(store)
        first = min(p.anchors.screening for _, (p, *_) in as_read)
        dates = [first + timedelta(days=n) for n in range(0, (store.today() - first).days + 1, 9)] + [store.today()]
        for as_of in dates:
            kept = store.toxicity.summaries(as_of)
            assert kept == {patient_id: toxicity_summary(*course_records, as_of)
                            for patient_id, course_records in as_read}, as_of
        assert len(kept_rows(store)) > 20  # most of the demo's courses have settled


# -- keeping them in the store ---------------------------------------------------------------------

@pytest.fixture
def store(database):
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as store:
        for study_id in ("ARI-001", "ARI-002"):
            store.patients.add(check_new_patient(study_id, "AB", "F", 1960, Anchors(DAY0 - timedelta(days=40), DAY0),
                                                 P, TODAY))
            store.recordings.record(study_id, "D0", "infusion", done_at=at(0, 10), dose=DoseGiven(0.3, 70.0))
            store.assessments.add(study_id, at(2), FEVER)
            store.assessments.add(study_id, at(4), NO_FEVER)
        yield store


def kept_rows(store) -> dict[str, str]:
    return dict(store.db.execute("SELECT p.study_id, k.course FROM toxicity_courses k"
                                 " JOIN patients p ON p.id = k.patient_id").fetchall())


def crs_days(store, study_id: str) -> int:
    return store.toxicity.summaries()[store.patients.require_id(study_id)].first_infusion.crs.duration_days


@pytest.mark.parametrize("write", [
    lambda store: store.assessments.add("ARI-001", at(3), FEVER),
    lambda store: store.events.add("ARI-001", "infection", day(20), grade=2),
    lambda store: store.counts.add("ARI-001", at(25), neutrophils=0.3),
    lambda store: store.patients.update_dates("ARI-001", booster=day(150)),
    lambda store: store.recordings.record("ARI-001", "D0", "infusion", done_at=at(0, 12), dose=DoseGiven(0.3, 70.0),
                                          correction_reason="time typed wrong"),
], ids=["assessment", "event", "blood-count", "booster-date", "infusion-corrected"])
def test_any_write_about_a_patient_empties_what_was_kept_of_that_patient_only(store, write):
    store.toxicity.summaries()
    assert set(kept_rows(store)) == {"ARI-001", "ARI-002"}
    write(store)
    assert set(kept_rows(store)) == {"ARI-002"}
    store.toxicity.summaries()
    assert set(kept_rows(store)) == {"ARI-001", "ARI-002"}


def test_a_kept_course_is_made_again_from_a_new_assessment(store):
    assert crs_days(store, "ARI-001") == 1  # seen on D+2, resolved on D+4
    assert "ARI-001" in kept_rows(store)
    store.assessments.add("ARI-001", at(3), FEVER)
    assert crs_days(store, "ARI-001") == 2  # D+2 to D+3


def test_a_course_not_settled_yet_is_kept_for_its_days_and_counted_again_on_the_day_it_changes(database):
    def course_on(today: date):
        with conftest.open_store(database, today=lambda: today, now=lambda: NOW) as store:
            course = store.toxicity.summaries()[store.patients.require_id("ARI-001")].first_infusion
            return course, store.db.execute("SELECT unchanged_from, changes_on FROM toxicity_courses").fetchall()

    with conftest.open_store(database, today=lambda: day(20), now=lambda: at(20, 15)) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(DAY0 - timedelta(days=40), DAY0),
                                             P, day(20)))
        store.recordings.record("ARI-001", "D0", "infusion", done_at=at(0, 10), dose=DoseGiven(0.3, 70.0))
    course, kept = course_on(day(20))
    assert not course.window_complete
    assert kept == [(day(0).isoformat(), day(30).isoformat())]
    assert course_on(day(29)) == (course, kept)
    course, kept = course_on(day(30))
    assert course.window_complete
    assert kept == [(day(30).isoformat(), day(31).isoformat())]


def test_a_write_another_program_makes_while_the_courses_are_read_is_not_hidden_by_what_was_read(
        store, database, monkeypatch):
    made, written = endpoints.unchanged_days, []

    def read_while_another_writes(*course_records):
        if not written:  # once, while the first patient's course is made from what was read
            with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as other:
                other.assessments.add("ARI-001", at(3), FEVER)
            written.append(True)
        return made(*course_records)

    monkeypatch.setattr(endpoints, "unchanged_days", read_while_another_writes)
    store.toxicity.summaries()  # read before the other program's write: counted now, not kept
    monkeypatch.setattr(endpoints, "unchanged_days", made)
    assert "ARI-001" not in kept_rows(store)
    assert [a.day for a in store.assessments.of("ARI-001")] == [day(2), day(3), day(4)]


def test_what_other_rules_kept_is_made_again(store, database):
    store.toxicity.summaries()
    empty = toxicity_summary(store.patients.require("ARI-001")[1], P, [], [], {}, TODAY).as_json()
    with store.transaction():
        store.db.execute("UPDATE toxicity_courses SET rules = 'older rules', course = ?",
                         [json.dumps(empty)])
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as later:  # the next program
        assert crs_days(later, "ARI-001") == 1


def test_a_course_another_program_writes_about_is_read_again_by_a_program_that_remembers_it(store, database):
    assert crs_days(store, "ARI-001") == 1
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as other:
        other.assessments.add("ARI-001", at(3), FEVER)
    assert crs_days(store, "ARI-001") == 2


@pytest.mark.file_only
def test_a_program_that_remembers_the_courses_and_flags_reads_them_again_after_a_backup_is_restored(store, database):
    from ari_desktop.store import backups

    assert crs_days(store, "ARI-001") == 1 and not prolonged(store)
    backup = backups.make_backup(store, database.parent / "backups")
    store.assessments.add("ARI-001", at(3), FEVER)
    store.events.add("ARI-001", "neutropenia", day(10), grade=4)
    assert crs_days(store, "ARI-001") == 2 and prolonged(store) == ["ARI-001"]
    seen = store.db.execute("SELECT max(id) FROM change_log").fetchone()[0]
    backups.restore(backup, database, P, NOW)  # as `ari-desktop restore` does, from another program
    with conftest.open_store(database, today=lambda: TODAY, now=lambda: NOW) as other:
        while other.db.execute("SELECT max(id) FROM change_log").fetchone()[0] < seen:  # the log numbers reach it
            other.events.add("ARI-002", "infection", day(20), grade=1)
    assert crs_days(store, "ARI-001") == 1 and not prolonged(store)  # as the restored file says


def prolonged(store) -> list[str]:
    return [f.study_id for f in store.toxicity.flags(TODAY) if f.kind == "prolonged_cytopenia"]


def test_courses_read_in_a_transaction_rolled_back_are_not_remembered(store):
    assert crs_days(store, "ARI-001") == 1
    with pytest.raises(RuntimeError), store.transaction():
        store.assessments.add("ARI-001", at(3), FEVER)
        assert crs_days(store, "ARI-001") == 2
        raise RuntimeError("the user's action failed")
    store.assessments.add("ARI-002", at(3), FEVER)  # the change log numbers its entries as it did the others
    assert (crs_days(store, "ARI-001"), crs_days(store, "ARI-002")) == (1, 2)


@pytest.mark.file_only
def test_a_file_open_to_be_read_counts_its_courses_without_keeping_them(tmp_path):
    path = tmp_path / "unit.db"
    with open_store(path, today=lambda: TODAY, now=lambda: NOW) as store:
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(DAY0 - timedelta(days=40), DAY0),
                                             P, TODAY))
        store.recordings.record("ARI-001", "D0", "infusion", done_at=at(0, 10), dose=DoseGiven(0.3, 70.0))
        store.assessments.add("ARI-001", at(2), FEVER)
    with open_store(path, read_only=True, today=lambda: TODAY, now=lambda: NOW) as store:
        assert crs_days(store, "ARI-001") == 1
        assert kept_rows(store) == {}
