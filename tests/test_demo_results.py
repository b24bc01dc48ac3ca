"""The demo cohort's results: written through the store by the demo staff, coherent with one another, and
in the proportions the published cohort gives as orders of magnitude (CLINICAL.md section 7)."""

from collections import Counter
from datetime import timedelta

import pytest
from conftest import make_demo, open_store

from ari_desktop.core.response import CATEGORIES, is_overall_response
from ari_desktop.core.schedule import DONE


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = make_demo(tmp_path_factory.mktemp("demo") / "demo.db", 60)
    with open_store(path) as store:
        yield store


def infused(store):
    return [p for p in store.patients.all() if store.toxicity.summary(p.study_id).first_infusion.infused]


def best(course):
    categories = [a.category for a in course if a.category]
    return min(categories, key=CATEGORIES.index) if categories else None


def test_every_infused_patient_has_screening_labs_and_results_only_on_items_done(demo):
    for patient in infused(demo):
        results = demo.results.of(patient.study_id)
        assert any(r.timepoint == "SCR" and r.activity == "response" for r in results), patient.study_id
        done = {(e.item.timepoint, e.item.activity) for e in demo.schedules.of(patient.study_id, demo.today())
                if e.recording is not None and e.recording.outcome == DONE}
        assert {(r.timepoint, r.activity) for r in results} <= done
        assert {r.recorded_by for r in results} == {"datamanager"}


def test_nearly_everyone_responds_by_month_3_and_about_half_reach_cr(demo):
    at_m3, followed = [], []
    for patient in infused(demo):
        course = demo.results.responses(patient.study_id)
        at_m3 += [a.category for a in course if a.timepoint == "M3" and a.category]
        if (demo.today() - patient.anchors.day0).days >= 240 and patient.anchors.end is None:
            followed.append(best(course))
    assert len(at_m3) >= 25 and sum(map(is_overall_response, at_m3)) / len(at_m3) >= 0.85
    assert len(followed) >= 15 and 0.3 <= sum(c in ("sCR", "CR") for c in followed) / len(followed) <= 0.8


def test_crs_is_common_and_mostly_low_grade_icans_rare(demo):
    safety = demo.toxicity.endpoints()
    assert 0.7 <= safety.crs.proportion <= 0.95
    assert len(safety.crs.grade_3_or_more) <= 0.15 * safety.crs.evaluable
    assert safety.icans.proportion <= 0.1


def test_most_assessments_are_reviewed_a_few_overridden_with_a_reason(demo):
    reviews = [a.review for p in infused(demo) for a in demo.results.responses(p.study_id) if a.proposed]
    reviewed = [r for r in reviews if r is not None]
    assert len(reviewed) >= 0.7 * len(reviews) and len(reviewed) < len(reviews)
    overrides = [r for r in reviewed if r.override]
    assert 1 <= len(overrides) <= 0.1 * len(reviewed) and all(r.reason for r in overrides)
    assert {r.decided_by for r in reviewed} == {"physician"}


def test_progression_shows_in_the_labs_and_soluble_bcma_and_deaths_have_their_cause(demo):
    progressed = 0
    for patient in infused(demo):
        progression = demo.results.progression(patient.study_id)
        results = demo.results.of(patient.study_id)
        sbcma = [(r.day, r.get("sbcma_ng_ml")) for r in results if r.activity == "sbcma"]
        screening = next((v for d, v in sbcma if d < patient.anchors.day0), None)
        after = [v for d, v in sbcma if d >= patient.anchors.day0 + timedelta(days=28)]
        if progression is None:
            assert screening is None or all(v < screening for v in after), patient.study_id  # falls after D0
        else:
            progressed += 1
            if progression.found_by == "biochemical":
                found = next(a for a in demo.results.responses(patient.study_id) if a.day == progression.progressed_on)
                assert found.proposal.proposed.category == "PD", patient.study_id
            later = [v for d, v in sbcma if d > progression.progressed_on + timedelta(days=20)]
            if later and after:
                assert max(later) > min(after), patient.study_id  # rises again at progression
        death = [e for e in demo.events.of(patient.study_id) if e.kind == "death"]
        if patient.anchors.death:
            assert [(e.onset, bool(e.subtype)) for e in death] == [(patient.anchors.death, True)]
            if death[0].subtype == "progression":
                assert progression is not None and progression.progressed_on <= patient.anchors.death
        else:
            assert death == []
    assert 0.15 <= progressed / len(infused(demo)) <= 0.6


def test_car_t_is_highest_at_the_first_sample_and_mrd_is_negative_only_in_deep_responses(demo):
    falling = 0
    courses = [demo.results.responses(p.study_id) for p in infused(demo)]
    for patient, course in zip(infused(demo), courses, strict=True):
        copies = [r.get("car_copies_per_ug") for r in demo.results.of(patient.study_id) if r.activity == "cart_pb"]
        falling += len(copies) > 1 and copies[0] == max(copies)
        for a in course:
            if a.mrd.negative:
                assert a.proposal.proposed.category in ("sCR", "CR", "VGPR"), patient.study_id
    assert falling >= 20
    assert Counter(a.mrd.negative for course in courses for a in course if a.timepoint in ("M3", "M6"))[True] >= 5


def test_the_cbc_items_done_have_their_counts_and_about_a_quarter_have_prolonged_cytopenia(demo):
    patients = infused(demo)
    for patient in patients:
        counted = {c.count.measured_at for c in demo.counts.of(patient.study_id)}
        done = {e.recording.done_at for e in demo.schedules.of(patient.study_id, demo.today())
                if e.item.activity == "cbc" and e.item.timepoint in ("SCR", "D+7", "D+14", "D+28", "M2", "D+100")
                and e.recording is not None and e.recording.outcome == DONE}
        assert counted == done, patient.study_id
    summaries = [demo.toxicity.summary(p.study_id).first_infusion for p in patients]
    prolonged = sum(1 for course in summaries if course.prolonged_cytopenia)
    assert 0.1 <= prolonged / len(patients) <= 0.45


def test_the_same_seed_makes_the_same_results(tmp_path):
    def results(path):
        make_demo(path, 8, seed=5)
        with open_store(path) as store:
            return [(p.study_id, r.timepoint, r.activity, dict(r.values)) for p in store.patients.all()
                    for r in store.results.of(p.study_id)]

    first = results(tmp_path / "a.db")
    assert first and first == results(tmp_path / "b.db")
