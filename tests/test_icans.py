"""The ICE score and ICANS grading, ASTCT consensus for adults (CLINICAL.md section 3): one test
per table row and per boundary, and properties: a worse finding never lowers the grade."""

from __future__ import annotations

import pytest
from conftest import refused
from hypothesis import given
from hypothesis import strategies as st

from ari_desktop.core.grading import (
    CONSCIOUSNESS_LEVELS,
    EDEMA_KINDS,
    ICE_ITEMS,
    SEIZURE_KINDS,
    Grade,
    icans,
    ice_score,
)

# ICE score

ICE_CODES = [code for code, _, _ in ICE_ITEMS]


def test_ice_has_the_ten_items_of_the_astct_score_one_point_each():
    assert ICE_CODES == [
        "orient_year",
        "orient_month",
        "orient_city",
        "orient_hospital",
        "name_object_1",
        "name_object_2",
        "name_object_3",
        "follows_commands",
        "writes_sentence",
        "counts_back",
    ]
    assert [points for _, _, points in ICE_ITEMS] == [1] * 10
    assert all(label.strip() for _, label, _ in ICE_ITEMS)


def test_all_ice_items_achieved_scores_10():
    assert ice_score(dict.fromkeys(ICE_CODES, True)) == 10


def test_no_ice_item_achieved_scores_0():
    assert ice_score(dict.fromkeys(ICE_CODES, False)) == 0


@pytest.mark.parametrize("code", ICE_CODES)
def test_each_ice_item_is_worth_one_point(code):
    assert ice_score({code: True}) == 1
    assert ice_score({**dict.fromkeys(ICE_CODES, True), code: False}) == 9


def test_ice_item_left_out_scores_no_point():
    assert ice_score({"orient_year": True, "orient_month": True}) == 2
    assert ice_score({}) == 0


def test_unknown_ice_item_is_refused():
    error = refused("ice", ice_score, {"orient_year": True, "orient_day": True})
    assert "orient_day" in str(error)


@pytest.mark.parametrize("answer", [1, "yes", None])
def test_ice_item_answered_other_than_yes_or_no_is_refused(answer):
    refused("ice", ice_score, {"orient_year": answer})


# ============================================================================================
# ICANS: ICE domain

ICE_TABLE = [(10, 0), (9, 1), (8, 1), (7, 1), (6, 2), (5, 2), (4, 2), (3, 2), (2, 3), (1, 3), (0, 3)]


@pytest.mark.parametrize(("ice", "grade"), ICE_TABLE, ids=[f"ICE {ice}" for ice, _ in ICE_TABLE])
def test_ice_score_alone_gives_the_astct_grade(ice, grade):
    assert icans(ice).grade == grade


def test_ice_10_and_alert_is_grade_0():
    result = icans(10)
    assert result.grade == 0
    assert result.reason.startswith("grade 0: ICE 10/10, alert")


def test_ice_9_is_grade_1_and_ice_10_is_grade_0():
    assert icans(9) == Grade(1, "grade 1: ICE 9/10")
    assert icans(10).grade == 0


def test_ice_7_is_grade_1_and_ice_6_is_grade_2():
    assert icans(7) == Grade(1, "grade 1: ICE 7/10")
    assert icans(6) == Grade(2, "grade 2: ICE 6/10")


def test_ice_3_is_grade_2_and_ice_2_is_grade_3():
    assert icans(3) == Grade(2, "grade 2: ICE 3/10")
    assert icans(2) == Grade(3, "grade 3: ICE 2/10")


def test_ice_0_while_awake_global_aphasia_is_grade_3():
    assert icans(0, consciousness="alert") == Grade(3, "grade 3: ICE 0/10")


def test_ice_0_because_unarousable_is_grade_4():
    assert icans(0, consciousness="unarousable") == Grade(4, "grade 4: ICE 0/10; unarousable")


def test_unarousable_patient_who_cannot_perform_ice_is_grade_4():
    assert icans(None, consciousness="unarousable") == Grade(4, "grade 4: cannot perform ICE; unarousable")


# ============================================================================================
# ICANS: other domains


@pytest.mark.parametrize(
    ("consciousness", "ice", "grade", "words"),
    [
        pytest.param("alert", 10, 0, "alert", id="alert"),
        pytest.param("awakens-spontaneously", 10, 1, "awakens spontaneously", id="spontaneously"),
        pytest.param("awakens-to-voice", 10, 2, "awakens to voice", id="voice"),
        pytest.param("awakens-to-touch", 10, 3, "awakens only to touch", id="touch"),
        pytest.param("unarousable", None, 4, "unarousable", id="unarousable"),
    ],
)
def test_each_level_of_consciousness_gives_its_grade(consciousness, ice, grade, words):
    result = icans(ice, consciousness=consciousness)
    assert result.grade == grade
    assert words in result.reason


def test_consciousness_table_covers_every_level_the_form_offers():
    assert CONSCIOUSNESS_LEVELS == (
        "alert",
        "awakens-spontaneously",
        "awakens-to-voice",
        "awakens-to-touch",
        "unarousable",
    )


@pytest.mark.parametrize(
    ("seizure", "grade", "reason"),
    [
        pytest.param("none", 0, None, id="none"),
        pytest.param("resolved-rapidly", 3, "grade 3: seizure that resolved rapidly", id="resolved rapidly"),
        pytest.param("prolonged", 4, "grade 4: prolonged or repetitive seizure", id="prolonged"),
    ],
)
def test_each_kind_of_seizure_gives_its_grade(seizure, grade, reason):
    result = icans(10, seizure=seizure)
    assert result.grade == grade
    if reason is not None:
        assert result.reason == reason


@pytest.mark.parametrize(
    ("edema", "grade", "reason"),
    [
        pytest.param("none", 0, None, id="none"),
        pytest.param("focal", 3, "grade 3: focal cerebral oedema on imaging", id="focal"),
        pytest.param("diffuse", 4, "grade 4: diffuse cerebral oedema", id="diffuse"),
    ],
)
def test_each_kind_of_cerebral_oedema_gives_its_grade(edema, grade, reason):
    result = icans(10, edema=edema)
    assert result.grade == grade
    if reason is not None:
        assert result.reason == reason


def test_seizure_and_oedema_tables_cover_every_kind_the_form_offers():
    assert SEIZURE_KINDS == ("none", "resolved-rapidly", "prolonged")
    assert EDEMA_KINDS == ("none", "focal", "diffuse")


def test_deep_focal_motor_weakness_is_grade_4():
    assert icans(10, motor_weakness=True) == Grade(4, "grade 4: deep focal motor weakness")


def test_icans_grade_is_the_worst_domain_and_reason_names_only_the_worst():
    result = icans(5, edema="focal")
    assert result == Grade(3, "grade 3: focal cerebral oedema on imaging")


def test_when_domains_tie_the_reason_names_each_of_them():
    result = icans(2, seizure="resolved-rapidly", consciousness="awakens-to-voice")
    assert result == Grade(3, "grade 3: ICE 2/10; seizure that resolved rapidly")


def test_normal_ice_does_not_hide_a_prolonged_seizure():
    assert icans(10, consciousness="alert", seizure="prolonged").grade == 4


# ============================================================================================
# ICANS: refusals


@pytest.mark.parametrize("consciousness", ["alert", "awakens-spontaneously", "awakens-to-voice", "awakens-to-touch"])
def test_missing_ice_is_refused_when_the_patient_can_be_woken(consciousness):
    error = refused("ice", icans, None, consciousness=consciousness)
    assert "unarousable" in str(error)


@pytest.mark.parametrize("ice", [-1, 11, 7.5, True])
def test_ice_outside_0_to_10_or_not_whole_is_refused(ice):
    refused("ice", icans, ice)


def test_positive_ice_from_an_unarousable_patient_is_refused_as_contradictory():
    refused("ice", icans, 5, consciousness="unarousable")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("consciousness", {"consciousness": "drowsy"}),
        ("seizure", {"seizure": "brief"}),
        ("edema", {"edema": "global"}),
    ],
)
def test_unknown_neurological_finding_is_refused(field, kwargs):
    refused(field, icans, 10, **kwargs)


# ============================================================================================

ice_values = st.integers(min_value=0, max_value=10)
awake_levels = st.sampled_from(CONSCIOUSNESS_LEVELS[:-1])
neuro_inputs = st.fixed_dictionaries(
    {
        "seizure": st.sampled_from(SEIZURE_KINDS),
        "motor_weakness": st.booleans(),
        "edema": st.sampled_from(EDEMA_KINDS),
    }
)


@given(ice_values, st.sampled_from(CONSCIOUSNESS_LEVELS), neuro_inputs)
def test_icans_grade_is_always_0_to_4_and_the_reason_states_it(ice, consciousness, neuro):
    result = icans(None if consciousness == "unarousable" else ice, consciousness=consciousness, **neuro)
    assert 0 <= result.grade <= 4
    assert result.reason.startswith(f"grade {result.grade}: ")


@given(ice_values, ice_values, awake_levels, neuro_inputs)
def test_a_lower_ice_score_never_lowers_the_icans_grade(a, b, consciousness, neuro):
    lower, higher = sorted((a, b))
    assert (
        icans(higher, consciousness=consciousness, **neuro).grade
        <= icans(lower, consciousness=consciousness, **neuro).grade
    )


@given(ice_values, st.sampled_from(CONSCIOUSNESS_LEVELS), st.sampled_from(CONSCIOUSNESS_LEVELS), neuro_inputs)
def test_worse_consciousness_never_lowers_the_icans_grade(ice, level_a, level_b, neuro):
    better, worse = sorted((level_a, level_b), key=CONSCIOUSNESS_LEVELS.index)

    def grade(level: str) -> int:
        return icans(None if level == "unarousable" else ice, consciousness=level, **neuro).grade

    assert grade(better) <= grade(worse)


@given(ice_values, awake_levels, neuro_inputs, st.sampled_from(SEIZURE_KINDS), st.sampled_from(EDEMA_KINDS))
def test_worse_seizure_oedema_or_weakness_never_lowers_the_icans_grade(ice, consciousness, neuro, seizure, edema):
    def grade(**change: object) -> int:
        return icans(ice, consciousness=consciousness, **{**neuro, **change}).grade

    milder_seizure, worse_seizure = sorted((seizure, neuro["seizure"]), key=SEIZURE_KINDS.index)
    assert grade(seizure=milder_seizure) <= grade(seizure=worse_seizure)
    milder_edema, worse_edema = sorted((edema, neuro["edema"]), key=EDEMA_KINDS.index)
    assert grade(edema=milder_edema) <= grade(edema=worse_edema)
    assert grade(motor_weakness=False) <= grade(motor_weakness=True)


@given(st.sampled_from(ICE_CODES), st.dictionaries(st.sampled_from(ICE_CODES), st.booleans()))
def test_achieving_one_more_ice_item_adds_exactly_one_point(code, items):
    without = ice_score({**items, code: False})
    assert 0 <= without <= 9
    assert ice_score({**items, code: True}) == without + 1
