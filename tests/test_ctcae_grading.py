"""CTCAE v5.0 cytopenias, prolonged cytopenia and Cairo-Bishop tumour lysis graded from values
(CLINICAL.md section 4): one test per threshold, on both sides, and properties."""

from __future__ import annotations

import math

import pytest
from conftest import refused
from hypothesis import assume, given
from hypothesis import strategies as st

from ari_desktop.core.ctcae import (
    TlsLabs,
    TlsResult,
    anaemia,
    neutropenia,
    prolonged_cytopenia,
    thrombocytopenia,
    tumour_lysis,
)
from ari_desktop.core.grading import (
    Grade,
)

# CTCAE v5 cytopenias

NEUTROPHIL_TABLE = [
    (3.0, 0),
    (2.0, 0),  # at LLN
    (1.99, 1),
    (1.5, 1),
    (1.49, 2),
    (1.0, 2),
    (0.99, 3),
    (0.5, 3),
    (0.49, 4),
    (0.0, 4),
]


@pytest.mark.parametrize(("anc", "grade"), NEUTROPHIL_TABLE, ids=[f"ANC {anc}" for anc, _ in NEUTROPHIL_TABLE])
def test_neutrophil_count_gives_ctcae_grade_on_both_sides_of_each_threshold(anc, grade):
    result = neutropenia(anc)
    assert result.grade == grade
    assert result.reason.startswith(f"grade {grade}: neutrophils {anc:g} ×10⁹/L")


PLATELET_TABLE = [
    (400.0, 0),
    (150.0, 0),
    (149.0, 1),
    (75.0, 1),
    (74.9, 2),
    (50.0, 2),
    (49.0, 3),
    (25.0, 3),
    (24.9, 4),
    (0.0, 4),
]


@pytest.mark.parametrize(("platelets", "grade"), PLATELET_TABLE, ids=[f"platelets {p}" for p, _ in PLATELET_TABLE])
def test_platelet_count_gives_ctcae_grade_on_both_sides_of_each_threshold(platelets, grade):
    result = thrombocytopenia(platelets)
    assert result.grade == grade
    assert result.reason.startswith(f"grade {grade}: platelets {platelets:g} ×10⁹/L")


HAEMOGLOBIN_TABLE = [
    (14.0, 0),
    (12.0, 0),
    (11.9, 1),
    (10.0, 1),
    (9.9, 2),
    (8.0, 2),
    (7.9, 3),
    (3.0, 3),
    (0.0, 3),
]


@pytest.mark.parametrize(("haemoglobin", "grade"), HAEMOGLOBIN_TABLE, ids=[f"Hb {hb}" for hb, _ in HAEMOGLOBIN_TABLE])
def test_haemoglobin_gives_ctcae_grade_and_never_grade_4_by_value(haemoglobin, grade):
    result = anaemia(haemoglobin)
    assert result.grade == grade
    assert result.reason.startswith(f"grade {grade}: haemoglobin {haemoglobin:g} g/dL")


def test_reason_for_grade_2_neutropenia_names_the_threshold():
    assert neutropenia(1.49) == Grade(2, "grade 2: neutrophils 1.49 ×10⁹/L, below 1.5")


def test_grade_1_uses_the_laboratory_own_lower_limit_of_normal():
    assert neutropenia(1.9, lln=1.8).grade == 0
    assert neutropenia(1.79, lln=1.8).grade == 1
    assert thrombocytopenia(140.0, lln=130.0).grade == 0
    assert anaemia(12.5, lln=13.5).grade == 1


def test_value_below_a_low_lln_still_takes_the_grade_of_its_band():
    assert neutropenia(1.45, lln=1.4).grade == 0
    assert neutropenia(1.3, lln=1.4).grade == 2


@pytest.mark.parametrize(
    ("call", "value", "field"),
    [
        pytest.param(neutropenia, -0.1, "anc", id="negative ANC"),
        pytest.param(neutropenia, 100.1, "anc", id="ANC above 100"),
        pytest.param(neutropenia, math.nan, "anc", id="ANC not a number"),
        pytest.param(thrombocytopenia, -1.0, "platelets", id="negative platelets"),
        pytest.param(thrombocytopenia, 2000.1, "platelets", id="platelets above 2000"),
        pytest.param(anaemia, -0.5, "haemoglobin", id="negative haemoglobin"),
        pytest.param(anaemia, 25.1, "haemoglobin", id="haemoglobin above 25 (g/L entered?)"),
    ],
)
def test_impossible_blood_count_is_refused(call, value, field):
    refused(field, call, value)


@pytest.mark.parametrize(
    ("call", "value", "grade"),
    [(neutropenia, 100.0, 0), (thrombocytopenia, 2000.0, 0), (anaemia, 25.0, 0)],
)
def test_blood_count_at_the_top_of_the_plausible_range_is_accepted(call, value, grade):
    assert call(value).grade == grade


@pytest.mark.parametrize("lln", [0.0, -1.0, 150.0, math.inf])
def test_implausible_lower_limit_of_normal_is_refused(lln):
    refused("lln", neutropenia, 1.0, lln=lln)


# ============================================================================================
# Prolonged cytopenia


@pytest.mark.parametrize(
    ("day", "neutropenia_grade", "thrombocytopenia_grade", "prolonged"),
    [
        pytest.param(31, 3, 0, True, id="grade 3 neutropenia on day 31"),
        pytest.param(31, 0, 3, True, id="grade 3 thrombocytopenia on day 31"),
        pytest.param(31, 4, 4, True, id="grade 4 both on day 31"),
        pytest.param(100, 3, 2, True, id="grade 3 neutropenia on day 100"),
        pytest.param(30, 4, 4, False, id="day 30 is not yet past day 30"),
        pytest.param(28, 3, 3, False, id="day 28"),
        pytest.param(31, 2, 2, False, id="grade 2 is not prolonged cytopenia"),
        pytest.param(100, 0, 0, False, id="recovered"),
    ],
)
def test_prolonged_cytopenia_is_grade_3_or_worse_past_day_30(day, neutropenia_grade, thrombocytopenia_grade, prolonged):
    assert prolonged_cytopenia(day, neutropenia_grade, thrombocytopenia_grade) is prolonged


def test_prolonged_cytopenia_day_is_configurable():
    assert prolonged_cytopenia(45, 3, 0, after_day=60) is False
    assert prolonged_cytopenia(61, 3, 0, after_day=60) is True


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((31, 5, 0), "neutropenia_grade"),
        ((31, -1, 0), "neutropenia_grade"),
        ((31, 0, 5), "thrombocytopenia_grade"),
        ((31.5, 3, 3), "day"),
    ],
)
def test_impossible_cytopenia_grade_or_day_is_refused(args, field):
    refused(field, prolonged_cytopenia, *args)


# ============================================================================================
# Tumour lysis (Cairo-Bishop)

# A potassium that always meets its criterion, to pair with the criterion under test.
HIGH_POTASSIUM = 6.5


@pytest.mark.parametrize(
    ("labs", "met"),
    [
        pytest.param(TlsLabs(uric_acid_umol_l=476.0), True, id="uric acid 476 meets"),
        pytest.param(TlsLabs(uric_acid_umol_l=475.9), False, id="uric acid 475.9 does not"),
        pytest.param(TlsLabs(phosphate_mmol_l=1.45), True, id="phosphate 1.45 meets"),
        pytest.param(TlsLabs(phosphate_mmol_l=1.44), False, id="phosphate 1.44 does not"),
        pytest.param(TlsLabs(calcium_mmol_l=1.75), True, id="calcium 1.75 meets"),
        pytest.param(TlsLabs(calcium_mmol_l=1.76), False, id="calcium 1.76 does not"),
    ],
)
def test_each_absolute_cairo_bishop_threshold_on_both_sides(labs, met):
    paired = TlsLabs(
        uric_acid_umol_l=labs.uric_acid_umol_l,
        potassium_mmol_l=HIGH_POTASSIUM,
        phosphate_mmol_l=labs.phosphate_mmol_l,
        calcium_mmol_l=labs.calcium_mmol_l,
    )
    assert tumour_lysis(paired).laboratory is met


@pytest.mark.parametrize(("potassium", "met"), [(6.0, True), (5.9, False)])
def test_potassium_threshold_6_0_on_both_sides(potassium, met):
    labs = TlsLabs(uric_acid_umol_l=600.0, potassium_mmol_l=potassium)
    assert tumour_lysis(labs).laboratory is met


@pytest.mark.parametrize(
    ("labs", "baseline", "met"),
    [
        pytest.param(TlsLabs(uric_acid_umol_l=375.0), TlsLabs(uric_acid_umol_l=300.0), True, id="uric +25 %"),
        pytest.param(TlsLabs(uric_acid_umol_l=374.0), TlsLabs(uric_acid_umol_l=300.0), False, id="uric +24.7 %"),
        pytest.param(TlsLabs(phosphate_mmol_l=1.25), TlsLabs(phosphate_mmol_l=1.0), True, id="phosphate +25 %"),
        pytest.param(TlsLabs(phosphate_mmol_l=1.24), TlsLabs(phosphate_mmol_l=1.0), False, id="phosphate +24 %"),
        pytest.param(TlsLabs(calcium_mmol_l=1.95), TlsLabs(calcium_mmol_l=2.6), True, id="calcium -25 %"),
        pytest.param(TlsLabs(calcium_mmol_l=1.96), TlsLabs(calcium_mmol_l=2.6), False, id="calcium -24.6 %"),
    ],
)
def test_each_25_percent_change_from_baseline_on_both_sides(labs, baseline, met):
    paired = TlsLabs(
        uric_acid_umol_l=labs.uric_acid_umol_l,
        potassium_mmol_l=HIGH_POTASSIUM,
        phosphate_mmol_l=labs.phosphate_mmol_l,
        calcium_mmol_l=labs.calcium_mmol_l,
    )
    result = tumour_lysis(paired, baseline)
    assert result.laboratory is met
    if met:
        assert "from baseline" in result.reason


@pytest.mark.parametrize(("potassium", "met"), [(5.0, True), (4.99, False)])
def test_potassium_rise_of_25_percent_from_baseline_on_both_sides(potassium, met):
    labs = TlsLabs(uric_acid_umol_l=600.0, potassium_mmol_l=potassium)
    assert tumour_lysis(labs, TlsLabs(potassium_mmol_l=4.0)).laboratory is met


def test_change_from_baseline_is_not_judged_without_a_baseline_value():
    labs = TlsLabs(uric_acid_umol_l=400.0, potassium_mmol_l=5.5)
    assert tumour_lysis(labs).laboratory is False
    assert tumour_lysis(labs, TlsLabs(potassium_mmol_l=4.0)).laboratory is False
    assert tumour_lysis(labs, TlsLabs(uric_acid_umol_l=300.0, potassium_mmol_l=4.0)).laboratory is True


def test_undetectable_baseline_uric_acid_after_rasburicase_is_not_a_25_percent_reference():
    labs = TlsLabs(uric_acid_umol_l=50.0, potassium_mmol_l=HIGH_POTASSIUM)
    assert tumour_lysis(labs, TlsLabs(uric_acid_umol_l=0.0)).laboratory is False


def test_two_criteria_make_laboratory_tls_and_the_reason_lists_them():
    result = tumour_lysis(TlsLabs(uric_acid_umol_l=500.0, potassium_mmol_l=6.2))
    assert result.laboratory is True
    assert result.clinical is False
    assert result.reason.startswith("laboratory TLS: ")
    assert "uric acid 500 µmol/L (≥ 476 µmol/L)" in result.reason
    assert "potassium 6.2 mmol/L (≥ 6.0 mmol/L)" in result.reason
    assert "phosphate" not in result.reason.split("; no clinical")[0]


def test_all_four_criteria_are_laboratory_tls():
    result = tumour_lysis(TlsLabs(500.0, 6.5, 2.0, 1.5))
    assert result.laboratory is True
    for name in ("uric acid", "potassium", "phosphate", "calcium"):
        assert name in result.reason


def test_one_criterion_alone_is_not_laboratory_tls():
    result = tumour_lysis(TlsLabs(potassium_mmol_l=6.5, uric_acid_umol_l=300.0))
    assert result == TlsResult(
        laboratory=False,
        clinical=False,
        reason="no laboratory TLS: 1 criterion met, 2 needed: potassium 6.5 mmol/L (≥ 6.0 mmol/L); "
        "not measured: phosphate, calcium",
    )


def test_normal_results_are_no_tls():
    result = tumour_lysis(TlsLabs(300.0, 4.2, 1.1, 2.3))
    assert result == TlsResult(False, False, "no laboratory TLS: no criterion met")


CLINICAL_TRIGGERS = [
    pytest.param({"creatinine_x_uln": 1.5}, "creatinine 1.5 × ULN", id="creatinine 1.5 x ULN"),
    pytest.param({"creatinine_x_uln": 3.0}, "creatinine 3 × ULN", id="creatinine 3 x ULN"),
    pytest.param({"arrhythmia": True}, "arrhythmia", id="arrhythmia"),
    pytest.param({"seizure": True}, "seizure", id="seizure"),
]
LAB_TLS = TlsLabs(uric_acid_umol_l=520.0, phosphate_mmol_l=1.8)


@pytest.mark.parametrize(("trigger", "words"), CLINICAL_TRIGGERS)
def test_laboratory_tls_with_a_clinical_criterion_is_clinical_tls(trigger, words):
    result = tumour_lysis(LAB_TLS, **trigger)
    assert result.laboratory is True
    assert result.clinical is True
    assert result.reason.startswith(f"clinical TLS: {words}")
    assert "uric acid 520" in result.reason


def test_creatinine_below_1_5_times_uln_is_not_clinical_tls():
    result = tumour_lysis(LAB_TLS, creatinine_x_uln=1.49)
    assert result.laboratory is True
    assert result.clinical is False


@pytest.mark.parametrize(("trigger", "words"), CLINICAL_TRIGGERS)
def test_clinical_criterion_without_laboratory_tls_is_not_clinical_tls(trigger, words):
    result = tumour_lysis(TlsLabs(uric_acid_umol_l=520.0), **trigger)
    assert result.laboratory is False
    assert result.clinical is False
    assert words in result.reason
    assert "without laboratory TLS is not clinical TLS" in result.reason


@pytest.mark.parametrize(
    ("labs", "baseline", "kwargs", "field"),
    [
        pytest.param(TlsLabs(potassium_mmol_l=-1.0), None, {}, "potassium", id="negative potassium"),
        pytest.param(TlsLabs(potassium_mmol_l=15.0), None, {}, "potassium", id="potassium 15"),
        pytest.param(TlsLabs(calcium_mmol_l=9.2), None, {}, "calcium", id="calcium in mg/dL"),
        pytest.param(TlsLabs(phosphate_mmol_l=math.nan), None, {}, "phosphate", id="phosphate not a number"),
        pytest.param(TlsLabs(uric_acid_umol_l=-5.0), None, {}, "uric_acid", id="negative uric acid"),
        pytest.param(TlsLabs(), TlsLabs(potassium_mmol_l=-4.0), {}, "baseline_potassium", id="negative baseline"),
        pytest.param(TlsLabs(), None, {"creatinine_x_uln": -0.1}, "creatinine", id="negative creatinine"),
        pytest.param(TlsLabs(), None, {"creatinine_x_uln": 31.0}, "creatinine", id="creatinine 31 x ULN"),
    ],
)
def test_impossible_tls_result_is_refused(labs, baseline, kwargs, field):
    refused(field, tumour_lysis, labs, baseline, **kwargs)



@given(
    st.floats(min_value=0.0, max_value=100.0, allow_nan=False),
    st.floats(min_value=0.0, max_value=100.0, allow_nan=False),
    st.floats(min_value=0.1, max_value=10.0, allow_nan=False),
)
def test_a_lower_neutrophil_count_never_lowers_the_grade(a, b, lln):
    lower, higher = sorted((a, b))
    low_grade = neutropenia(lower, lln).grade
    assert 0 <= neutropenia(higher, lln).grade <= low_grade <= 4


@given(
    st.floats(min_value=0.0, max_value=2000.0, allow_nan=False),
    st.floats(min_value=0.0, max_value=2000.0, allow_nan=False),
)
def test_a_lower_platelet_count_never_lowers_the_grade(a, b):
    lower, higher = sorted((a, b))
    assert 0 <= thrombocytopenia(higher).grade <= thrombocytopenia(lower).grade <= 4


@given(
    st.floats(min_value=0.0, max_value=25.0, allow_nan=False),
    st.floats(min_value=0.0, max_value=25.0, allow_nan=False),
)
def test_a_lower_haemoglobin_never_lowers_the_grade_and_never_reaches_4(a, b):
    lower, higher = sorted((a, b))
    assert 0 <= anaemia(higher).grade <= anaemia(lower).grade <= 3


grades = st.integers(min_value=0, max_value=4)
days = st.integers(min_value=-10, max_value=1000)


@given(days, days, grades, grades, grades, grades)
def test_prolonged_cytopenia_never_goes_away_with_a_later_day_or_worse_grades(day_a, day_b, n_a, n_b, t_a, t_b):
    early, late = sorted((day_a, day_b))
    assert prolonged_cytopenia(early, min(n_a, n_b), min(t_a, t_b)) <= prolonged_cytopenia(
        late, max(n_a, n_b), max(t_a, t_b)
    )


optional = st.none() | st.floats(min_value=0.0, max_value=5.0, allow_nan=False)
tls_labs = st.builds(
    TlsLabs,
    uric_acid_umol_l=st.none() | st.floats(min_value=0.0, max_value=3000.0, allow_nan=False),
    potassium_mmol_l=st.none() | st.floats(min_value=0.0, max_value=12.0, allow_nan=False),
    phosphate_mmol_l=st.none() | st.floats(min_value=0.0, max_value=10.0, allow_nan=False),
    calcium_mmol_l=optional,
)


@given(
    tls_labs,
    st.none() | tls_labs,
    st.none() | st.floats(min_value=0.0, max_value=30.0, allow_nan=False),
    st.booleans(),
    st.booleans(),
)
def test_clinical_tls_always_requires_laboratory_tls(labs, baseline, creatinine, arrhythmia, seizure):
    result = tumour_lysis(labs, baseline, creatinine_x_uln=creatinine, arrhythmia=arrhythmia, seizure=seizure)
    assert not result.clinical or result.laboratory
    assert result.reason


@given(tls_labs, st.none() | tls_labs, st.floats(min_value=0.0, max_value=2.0, allow_nan=False))
def test_higher_uric_acid_potassium_phosphate_or_lower_calcium_never_remove_laboratory_tls(labs, baseline, worse):
    assume(tumour_lysis(labs, baseline).laboratory)

    def raised(value: float | None, factor: float, ceiling: float) -> float | None:
        return None if value is None else min(value * factor, ceiling)

    worse_labs = TlsLabs(
        uric_acid_umol_l=raised(labs.uric_acid_umol_l, 1 + worse, 3000.0),
        potassium_mmol_l=raised(labs.potassium_mmol_l, 1 + worse, 12.0),
        phosphate_mmol_l=raised(labs.phosphate_mmol_l, 1 + worse, 10.0),
        calcium_mmol_l=raised(labs.calcium_mmol_l, 1 / (1 + worse), 5.0),
    )
    assert tumour_lysis(worse_labs, baseline).laboratory is True
