"""The efficacy endpoints (core/efficacy.py), one test per rule of its docstring, on small hand-built
cohorts: categories are set by the physician's review unless the test is about the numbers."""

from datetime import date, datetime, time, timedelta
from itertools import count

import pytest

from ari_desktop.analysis.survival import kaplan_meier
from ari_desktop.core import efficacy, protocol
from ari_desktop.core.efficacy import MONTH_DAYS, Proportion, clopper_pearson, efficacy_endpoints, patient_course
from ari_desktop.core.patients import Anchors, Patient
from ari_desktop.core.results import ResponseReview, Result, counted_course, kept_course
from ari_desktop.core.schedule import Recording

P = protocol.load_default()
DAY0 = date(2024, 1, 8)
AS_OF = DAY0 + timedelta(days=400)
_ids = count(1)


def when(day: int) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), time(9)).astimezone()


def result(timepoint: str, activity: str, day: int, **values) -> Result:
    return Result(next(_ids), timepoint, activity, when(day), values, "nurse", when(day))


def labs(timepoint: str, day: int, serum: float = 3.0) -> Result:
    return result(timepoint, "response", day, serum_m_g_dl=serum)


def known(patient, infusion, results, reviews, progressed, as_of):
    """The patient's course on `as_of` as the store reads it: from the readings kept of every result and review."""
    kept = kept_course(results, reviews)
    return patient_course(patient, infusion, kept.measured, counted_course(kept, as_of, lambda: results),
                          progressed, as_of)


def review(timepoint: str, category: str, day: int) -> ResponseReview:
    return ResponseReview(next(_ids), timepoint, None, "", category, "read by the physician", "physician", when(day))


DAYS = {"M1": 28, "M2": 60, "M3": 100, "M4": 120, "M6": 180, "M9": 270, "M12": 360}


def course(study_id: str, *categories: tuple[str, str], results=(), progressed=None, death=None, off_study=None,
           extramedullary=False, infused=True, as_of=AS_OF, reviewed=True):
    """A patient infused on DAY0 with response labs at each (timepoint, category) on its day, reviewed."""
    anchors = Anchors(DAY0 - timedelta(days=20), DAY0, death=death, off_study=off_study,
                      off_study_reason="withdrew consent" if off_study else None, extramedullary=extramedullary)
    patient = Patient(study_id, "AB", "F", 1960, anchors)
    infusion = Recording("D0", "infusion", "done", when(0), None, "nurse", when(0)) if infused else None
    assessed = [labs("SCR", -10)] + [labs(tp, DAYS[tp]) for tp, _ in categories]
    reviews = [review(tp, cat, DAYS[tp]) for tp, cat in categories] if reviewed else []
    return known(patient, infusion, [*assessed, *results], reviews, progressed, as_of)


def table(*courses, as_of=AS_OF):
    return efficacy_endpoints(courses, P, as_of, kaplan_meier)


def numbers(t, code):
    return t.numbers[code]


# -- proportions ---------------------------------------------------------------------------------------

def test_a_proportion_reads_count_over_evaluable_with_its_exact_95_percent_ci():
    assert str(Proportion(27, 30)) == "27 / 30 (90.0 %, 95 % CI 73.5–97.9)"
    assert clopper_pearson(0, 10) == (0.0, pytest.approx(0.3085, abs=1e-4))
    assert clopper_pearson(10, 10) == (pytest.approx(0.6915, abs=1e-4), 1.0)
    assert str(Proportion(0, 0)) == "0 / 0 (none evaluable)"


def test_the_exact_interval_matches_the_published_clopper_pearson_values():
    # 5 / 20: 0.0866 to 0.4910 (Clopper and Pearson's tables, as in every textbook); 1 / 2: 0.0126 to 0.9874.
    assert clopper_pearson(5, 20) == (pytest.approx(0.0866, abs=1e-4), pytest.approx(0.4910, abs=1e-4))
    assert clopper_pearson(1, 2) == (pytest.approx(0.0126, abs=1e-4), pytest.approx(0.9874, abs=1e-4))


# -- response ------------------------------------------------------------------------------------------

def test_orr_at_month_3_counts_pr_or_better_over_the_infused_evaluable():
    t = table(course("A", ("M1", "PR"), ("M3", "VGPR")), course("B", ("M3", "SD")), course("C", ("M3", "CR")),
              course("D", ("M2", "MR")))
    orr = numbers(t, "orr_month_3")
    assert (orr["count"], orr["of"], orr["patient_ids"]) == (2, 4, ["A", "C"])
    row = next(r for r in t.rows() if r.code == "orr_month_3")
    assert row.label == "Overall response (PR or better) at month 3 (primary endpoint)"
    assert row.value == "2 / 4 (50.0 %, 95 % CI 6.8–93.2)" and row.evaluable == 4


def test_the_best_response_up_to_month_3_leaves_out_a_later_one():
    t = table(course("A", ("M3", "SD"), ("M4", "CR")))
    assert numbers(t, "orr_month_3")["count"] == 0
    assert numbers(t, "cr_month_6")["count"] == 1


def test_the_cr_rate_counts_cr_and_scr_not_vgpr():
    t = table(course("A", ("M3", "sCR")), course("B", ("M3", "CR")), course("C", ("M3", "VGPR")))
    assert numbers(t, "cr_month_3")["patient_ids"] == ["A", "B"]


def test_an_unreviewed_category_is_the_one_the_numbers_confirm_and_the_note_counts_it():
    # serum M-protein 3.0 g/dL at screening, 1.0 at M1 and at M2: PR, confirmed at M2
    unreviewed = course("A", results=[labs("M1", 28, 1.0), labs("M2", 60, 1.0)])
    assert unreviewed.responses[-1].category == "PR" and unreviewed.responses[-1].reviewed is None
    t = table(unreviewed, course("B", ("M3", "CR")))
    assert (numbers(t, "orr_month_3")["count"], numbers(t, "orr_month_3")["unreviewed"]) == (2, 1)
    row = next(r for r in t.rows() if r.code == "orr_month_3")
    assert "1 of the 2 best responses counted not reviewed by a physician yet" in row.note


def test_a_review_decided_after_the_as_of_date_is_not_known_yet():
    patient = Patient("A", "AB", "F", 1960, Anchors(DAY0 - timedelta(days=20), DAY0))
    infusion = Recording("D0", "infusion", "done", when(0), None, "nurse", when(0))
    results = [labs("SCR", -10), labs("M3", 100)]
    before = known(patient, infusion, results, [review("M3", "CR", 200)], None, DAY0 + timedelta(days=150))
    assert before.responses[0].reviewed is None and before.responses[0].category == "SD"  # the numbers' reading
    later = known(patient, infusion, results, [review("M3", "CR", 200)], None, DAY0 + timedelta(days=200))
    assert later.responses[0].category == "CR"


def test_results_done_after_the_as_of_date_are_not_known_yet():
    assert course("A", ("M3", "CR"), as_of=DAY0 + timedelta(days=99)).responses == ()


@pytest.mark.parametrize(("as_of_day", "evaluable"), [(106, False), (107, True)])
def test_month_3_is_evaluable_once_its_window_ended_on_d107(as_of_day, evaluable):
    as_of = DAY0 + timedelta(days=as_of_day)
    t = table(course("A", ("M1", "PR"), as_of=as_of), as_of=as_of)
    assert numbers(t, "orr_month_3")["of"] == (1 if evaluable else 0)
    assert numbers(t, "orr_month_3")["not_evaluable"] == ([] if evaluable else ["A"])


def test_progression_or_death_before_month_3_without_a_response_counts_as_no_response():
    as_of = DAY0 + timedelta(days=80)
    t = table(course("A", ("M1", "SD"), progressed=DAY0 + timedelta(days=50), as_of=as_of),
              course("B", death=DAY0 + timedelta(days=40), as_of=as_of),
              course("C", ("M1", "PR"), as_of=as_of), as_of=as_of)
    orr = numbers(t, "orr_month_3")
    assert (orr["count"], orr["of"], orr["not_evaluable"]) == (0, 2, ["C"])
    assert "2 counted as no response (progressed, died or left the study before M3)" in next(
        r.note for r in t.rows() if r.code == "orr_month_3")


def test_a_response_reached_before_a_progression_still_counts_by_month_3():
    t = table(course("A", ("M1", "PR"), ("M2", "PD"), progressed=DAY0 + timedelta(days=60)))
    assert numbers(t, "orr_month_3")["count"] == 1


def test_leaving_the_study_before_month_3_is_evaluable_as_no_response():
    as_of = DAY0 + timedelta(days=60)
    t = table(course("A", off_study=DAY0 + timedelta(days=45), as_of=as_of), as_of=as_of)
    assert (numbers(t, "orr_month_3")["count"], numbers(t, "orr_month_3")["of"]) == (0, 1)


def test_a_patient_never_infused_is_listed_apart_and_never_in_a_denominator():
    t = table(course("A", ("M3", "CR")), course("B", ("M3", "CR"), infused=False))
    assert t.infused == ("A",)
    assert [(s, why.reason) for s, why in t.not_infused] == [("B", "infusion_not_recorded")]
    assert numbers(t, "orr_month_3")["of"] == 1 and numbers(t, "pfs")["evaluable"] == 1


def test_best_response_in_the_first_year_counts_each_category_and_those_with_none_yet():
    t = table(course("A", ("M3", "PR"), ("M12", "CR")), course("B", ("M6", "SD")), course("C"),
              course("D", ("M1", "PD")))
    counts = numbers(t, "best_response_first_year")["by_category"]
    assert counts == {"sCR": 0, "CR": 1, "VGPR": 0, "PR": 0, "MR": 0, "SD": 1, "PD": 1, "none yet": 1}


# -- MRD -----------------------------------------------------------------------------------------------

def mrd(timepoint: str, day: int, result_: str = "negative", sensitivity: str = "1e-5",
        method: str = "next-generation flow") -> Result:
    return result(timepoint, "mrd_bm", day, mrd_method=method, mrd_sensitivity=sensitivity, mrd_result=result_)


def test_mrd_negative_at_month_3_is_the_m3_marrow_negative_at_1e5_and_no_test_counts_as_not_negative():
    t = table(course("A", ("M3", "CR"), results=[mrd("M3", 100)]),
              course("B", ("M3", "CR"), results=[mrd("M3", 100, sensitivity="1e-4")]),
              course("C", ("M3", "CR"), results=[mrd("M3", 100, "positive")]),
              course("D", ("M3", "CR"), results=[mrd("M3", 100, method="other")]),
              course("E", ("M3", "CR")),
              course("F", ("M6", "CR"), results=[mrd("M6", 180)]))
    m3, m6 = numbers(t, "mrd_negative_month_3"), numbers(t, "mrd_negative_month_6")
    assert (m3["patient_ids"], m3["of"], m3["no_mrd_result"]) == (["A"], 6, 2)
    assert (m6["patient_ids"], m6["of"]) == (["F"], 6)


# -- time to CR, duration of response --------------------------------------------------------------------

def test_time_to_cr_runs_from_the_infusion_to_the_first_cr_with_median_and_range_of_those_reaching_it():
    t = table(course("A", ("M1", "PR"), ("M3", "CR")), course("B", ("M2", "sCR")), course("C", ("M6", "CR")),
              course("D", ("M3", "PR")))
    ttcr = numbers(t, "time_to_cr")
    assert ttcr["n"] == 3 and ttcr["patient_ids"] == ["A", "B", "C"]
    assert ttcr["median"] == pytest.approx(100 / MONTH_DAYS, abs=1e-4)
    assert (ttcr["min"], ttcr["max"]) == (pytest.approx(60 / MONTH_DAYS, abs=1e-4),
                                         pytest.approx(180 / MONTH_DAYS, abs=1e-4))
    assert next(r.value for r in t.rows() if r.code == "time_to_cr") == (
        "median 3.3 months (range 2.0–5.9), 3 / 4 reached CR")


def test_duration_of_response_ends_at_progression_or_death_else_is_censored_at_the_last_response_assessment():
    t = table(course("A", ("M1", "PR"), ("M6", "PR"), progressed=DAY0 + timedelta(days=208)),
              course("B", ("M2", "CR"), ("M9", "CR")),
              course("C", ("M1", "VGPR"), death=DAY0 + timedelta(days=88)),
              course("D", ("M3", "SD")))
    km = t.curves["duration_of_response"]
    assert km.labels == ("A", "B", "C") and km.observed == (True, False, True)
    assert km.durations == pytest.approx((180 / MONTH_DAYS, 210 / MONTH_DAYS, 60 / MONTH_DAYS))
    assert numbers(t, "duration_of_response")["evaluable"] == 3


# -- PFS and OS ------------------------------------------------------------------------------------------

def test_pfs_is_infusion_to_progression_or_death_censored_at_the_last_response_assessment():
    t = table(course("A", ("M3", "PR"), progressed=DAY0 + timedelta(days=150)),
              course("B", ("M1", "PR"), death=DAY0 + timedelta(days=61)),
              course("C", ("M1", "PR"), ("M6", "CR")),
              course("D"))  # no response assessment: censored at the infusion
    km = t.curves["pfs"]
    assert km.observed == (True, True, False, False)
    assert km.durations == pytest.approx((150 / MONTH_DAYS, 61 / MONTH_DAYS, 180 / MONTH_DAYS, 0))


def test_os_is_infusion_to_death_censored_on_leaving_the_study_else_on_the_as_of_date():
    t = table(course("A", death=DAY0 + timedelta(days=300)), course("B", off_study=DAY0 + timedelta(days=200)),
              course("C"))
    km = t.curves["os"]
    assert km.observed == (True, False, False)
    assert km.durations == pytest.approx((300 / MONTH_DAYS, 200 / MONTH_DAYS, 400 / MONTH_DAYS))


def test_pfs_on_five_patients_agrees_with_the_hand_calculation():
    # days from the infusion: A progressed on 61; B censored at its M3 labs (100); C progressed on 122;
    # D censored at its M6 labs (180); E died on 400
    t = table(course("A", progressed=DAY0 + timedelta(days=61)), course("B", ("M3", "SD")),
              course("C", progressed=DAY0 + timedelta(days=122)), course("D", ("M6", "SD")),
              course("E", death=DAY0 + timedelta(days=400)))
    km = t.curves["pfs"]
    # 1 - 1/5 = 0.8 at A; B censored; x (1 - 1/3) = 8/15 at C; D censored; x (1 - 1/1) = 0 at E
    assert km.survival == pytest.approx((1.0, 0.8, 0.8, 8 / 15, 8 / 15, 0.0))
    assert km.median == pytest.approx(400 / MONTH_DAYS)  # 8/15 is still above one half
    row = numbers(t, "pfs")
    assert (row["events"], row["censored"]) == (3, 2)
    # followed at least 3 months: B (3.3), C, D, E; 6 months: E only (D 5.9)
    assert row["at_risk"] == {"0": 5, "3": 4, "6": 1, "12": 1, "18": 0, "24": 0, "36": 0}
    assert row["at_12_months"]["survival"] == pytest.approx(8 / 15, abs=1e-4)


# -- extramedullary --------------------------------------------------------------------------------------

def pet(timepoint: str, day: int, answer: str) -> Result:
    return result(timepoint, "pet_ct", day, pet_ct=answer)


def test_extramedullary_response_counts_extramedullary_patients_only_at_m3_and_the_best_up_to_m36():
    t = table(course("A", ("M3", "PR"), results=[pet("M3", 100, "partial"), pet("M12", 360, "complete")],
                     extramedullary=True),
              course("B", ("M3", "CR"), results=[pet("M3", 100, "complete")], extramedullary=True),
              course("C", ("M3", "CR"), extramedullary=True),
              course("D", ("M3", "CR"), results=[pet("M3", 100, "complete")]))
    m3 = numbers(t, "extramedullary_response_month_3")
    assert (m3["count"], m3["of"]) == (1, 3)
    assert m3["by_answer"] == {"complete": 1, "partial": 1, "stable": 0, "progressive": 0, "no PET-CT": 1}
    best = numbers(t, "extramedullary_best_response_36_months")
    assert (best["count"], best["of"]) == (2, 3)


def test_the_screening_pet_ct_is_not_a_response():
    t = table(course("A", results=[pet("SCR", -10, "complete")], extramedullary=True))
    assert numbers(t, "extramedullary_best_response_36_months")["count"] == 0


# -- CAR-T persistence and BCMA --------------------------------------------------------------------------

def test_car_t_persistence_counts_patients_with_a_value_and_those_detectable_above_zero():
    t = table(course("A", results=[result("M1", "cart_pb", 28, car_copies_per_ug=12000.0, car_cells_per_ul=40.0)]),
              course("B", results=[result("M1", "cart_pb", 28, car_copies_per_ug=0.0)]),
              course("C", results=[result("M1", "cart_pb", 28, car_cells_per_ul=10.0)]),
              course("D"))
    m1 = numbers(t, "car_t_M1")
    assert (m1["with_value"], m1["detectable"]) == (3, 2)
    assert (m1["copies_per_ug"]["median"], m1["cells_per_ul"]["median"]) == (6000.0, 25.0)
    assert numbers(t, "car_t_M24")["with_value"] == 0


def test_soluble_bcma_gives_the_median_and_interquartile_range_per_timepoint():
    t = table(*(course(s, results=[result("D+28", "sbcma", 28, sbcma_ng_ml=v)])
                for s, v in (("A", 10.0), ("B", 20.0), ("C", 30.0), ("D", 40.0), ("E", 50.0))))
    d28 = numbers(t, "sbcma_D+28")
    assert (d28["n"], d28["median"], d28["q1"], d28["q3"]) == (5, 30.0, 20.0, 40.0)
    assert next(r.value for r in t.rows() if r.code == "sbcma_D+28") == "n 5, median 30 ng/mL (IQR 20–40)"
    assert {r.code for r in t.rows() if r.section == "BCMA expression"} == {
        "bcma_bm_SCR", "bcma_bm_D+28", "bcma_bm_D+100", "bcma_bm_M6", "bcma_bm_M12", "bcma_bm_M18", "bcma_bm_M24"}


# -- the table -------------------------------------------------------------------------------------------

def test_every_row_has_a_section_code_label_and_value_and_the_json_has_each_code():
    t = table(course("A", ("M3", "CR")))
    rows = t.rows()
    assert all(r.section and r.code and r.label and r.value for r in rows)
    assert [r.code for r in rows] == list(t.as_json()["endpoints"])
    assert t.as_json()["confidence_interval"] == "Clopper-Pearson 95 %"
    assert set(t.as_json()["curves"]) == {"duration_of_response", "pfs", "os"}


def test_the_rules_are_written_once_in_the_module():
    for rule in ("Evaluable at month N", "Duration of response", "PFS", "OS", "Clopper-Pearson", "30.4375"):
        assert rule in efficacy.__doc__
