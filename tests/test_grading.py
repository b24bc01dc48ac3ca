"""Grading rules of CLINICAL.md sections 2-4: one test per table row and per boundary.

CRS and ICANS follow the ASTCT consensus (Lee 2019), cytopenias CTCAE v5.0 and tumour lysis
Cairo-Bishop. Property tests check that a worse finding never lowers the grade.
"""

from __future__ import annotations

import math

import pytest
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
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.grading import (
    CONSCIOUSNESS_LEVELS,
    EDEMA_KINDS,
    ICE_ITEMS,
    OXYGEN_DEVICES,
    SEIZURE_KINDS,
    Grade,
    crs,
    icans,
    ice_score,
)

FEVER = 38.5


def refused(field: str, call, *args, **kwargs) -> ClinicalInputError:
    """The call is refused with a ClinicalInputError naming ``field``; returns the error."""
    with pytest.raises(ClinicalInputError) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field
    message = str(caught.value)
    assert message.endswith("."), message
    assert "\n" not in message
    return caught.value


# ============================================================================================
# CRS: fever


def test_no_fever_at_37_9_is_grade_0_and_says_so():
    assert crs(37.9) == Grade(0, "grade 0: no fever (37.9 °C)")


def test_fever_from_38_0_alone_is_grade_1():
    assert crs(38.0) == Grade(1, "grade 1: fever 38.0 °C, no hypotension or hypoxia")


def test_temperature_just_under_38_is_not_shown_rounded_up_to_a_fever():
    result = crs(37.95)
    assert result.grade == 0
    assert "37.95 °C" in result.reason


@pytest.mark.parametrize(
    "findings",
    [
        pytest.param({"hypotension": True}, id="hypotension"),
        pytest.param({"vasopressors": 2}, id="two vasopressors"),
        pytest.param({"oxygen": "mechanical-ventilation"}, id="ventilated"),
    ],
)
def test_without_fever_hypotension_or_hypoxia_is_not_crs_grade_0(findings):
    result = crs(37.0, **findings)
    assert result.grade == 0
    assert result.reason.startswith("grade 0: no fever (37.0 °C)")
    assert "masked" in result.reason


def test_masked_fever_without_hypotension_or_hypoxia_stays_grade_1_established_crs():
    result = crs(36.8, fever_masked=True)
    assert result.grade == 1
    assert "masked" in result.reason
    assert "36.8 °C" in result.reason


@pytest.mark.parametrize(
    ("findings", "grade", "words"),
    [
        pytest.param({"hypotension": True}, 2, "hypotension without vasopressors", id="hypotension"),
        pytest.param({"oxygen": "blow-by"}, 2, "blow-by", id="blow-by"),
        pytest.param({"vasopressors": 1}, 3, "one vasopressor", id="one vasopressor"),
        pytest.param({"oxygen": "facemask"}, 3, "facemask", id="facemask"),
        pytest.param({"vasopressors": 2}, 4, "2 vasopressors", id="two vasopressors"),
        pytest.param({"oxygen": "bipap"}, 4, "BiPAP", id="bipap"),
    ],
)
def test_masked_fever_is_graded_on_hypotension_and_hypoxia_alone(findings, grade, words):
    result = crs(37.0, fever_masked=True, **findings)
    assert result.grade == grade
    assert words in result.reason
    assert "masked" in result.reason


def test_masking_does_not_matter_when_the_fever_is_measured_anyway():
    assert crs(39.0, fever_masked=True, vasopressors=1) == crs(39.0, vasopressors=1)


# ============================================================================================
# CRS: oxygen


OXYGEN_TABLE = [
    pytest.param("none", None, "grade 1: fever 38.5 °C, no hypotension or hypoxia", id="no oxygen"),
    pytest.param("blow-by", None, "grade 2: blow-by oxygen", id="blow-by"),
    pytest.param("nasal-cannula", 4.0, "grade 2: low-flow nasal cannula ≤ 6 L/min (4 L/min)", id="nasal cannula 4 L"),
    pytest.param("high-flow-nasal-cannula", None, "grade 3: high-flow nasal cannula", id="high-flow"),
    pytest.param("facemask", None, "grade 3: facemask", id="facemask"),
    pytest.param("non-rebreather", None, "grade 3: non-rebreather mask", id="non-rebreather"),
    pytest.param("venturi", None, "grade 3: Venturi mask", id="venturi"),
    pytest.param("cpap", None, "grade 4: CPAP", id="cpap"),
    pytest.param("bipap", None, "grade 4: BiPAP", id="bipap"),
    pytest.param("mechanical-ventilation", None, "grade 4: mechanical ventilation", id="ventilation"),
]


@pytest.mark.parametrize(("oxygen", "flow", "reason"), OXYGEN_TABLE)
def test_each_oxygen_device_gives_its_astct_grade(oxygen, flow, reason):
    result = crs(FEVER, oxygen=oxygen, flow_l_min=flow)
    assert result == Grade(int(reason[len("grade ")]), reason)


def test_oxygen_table_covers_every_device_the_form_offers():
    assert [row.values[0] for row in OXYGEN_TABLE] == list(OXYGEN_DEVICES)


def test_nasal_cannula_at_6_litres_is_low_flow_grade_2():
    assert crs(FEVER, oxygen="nasal-cannula", flow_l_min=6.0) == Grade(
        2, "grade 2: low-flow nasal cannula ≤ 6 L/min (6 L/min)"
    )


def test_nasal_cannula_above_6_litres_counts_as_high_flow_grade_3():
    result = crs(FEVER, oxygen="nasal-cannula", flow_l_min=6.1)
    assert result.grade == 3
    assert "6.1 L/min" in result.reason
    assert "high flow" in result.reason


def test_nasal_cannula_at_zero_litres_is_refused_as_a_contradiction():
    with pytest.raises(ClinicalInputError, match="0 L/min gives no oxygen") as error:
        crs(FEVER, oxygen="nasal-cannula", flow_l_min=0.0)
    assert error.value.field == "flow"


@pytest.mark.parametrize(
    ("oxygen", "grade"),
    [("blow-by", 2), ("high-flow-nasal-cannula", 3), ("venturi", 3), ("cpap", 4)],
)
def test_flow_does_not_change_the_grade_of_other_devices(oxygen, grade):
    assert crs(FEVER, oxygen=oxygen, flow_l_min=2.0).grade == grade
    assert crs(FEVER, oxygen=oxygen, flow_l_min=40.0).grade == grade


# ============================================================================================
# CRS: hypotension and vasopressors


@pytest.mark.parametrize(
    ("hypotension", "vasopressors", "vasopressin", "grade", "reason"),
    [
        pytest.param(False, 0, False, 1, "grade 1: fever 38.5 °C, no hypotension or hypoxia", id="none"),
        pytest.param(True, 0, False, 2, "grade 2: hypotension without vasopressors", id="fluids only"),
        pytest.param(
            False,
            0,
            True,
            3,
            "grade 3: vasopressin alone, counted as one vasopressor",
            id="vasopressin alone",
        ),
        pytest.param(True, 0, True, 3, "grade 3: vasopressin alone, counted as one vasopressor", id="hypo+vp"),
        pytest.param(True, 1, False, 3, "grade 3: one vasopressor", id="one vasopressor"),
        pytest.param(True, 1, True, 3, "grade 3: one vasopressor with vasopressin", id="one plus vasopressin"),
        pytest.param(True, 2, False, 4, "grade 4: 2 vasopressors", id="two vasopressors"),
        pytest.param(True, 2, True, 4, "grade 4: 2 vasopressors (plus vasopressin)", id="two plus vasopressin"),
        pytest.param(True, 3, False, 4, "grade 4: 3 vasopressors", id="three vasopressors"),
        pytest.param(True, 10, False, 4, "grade 4: 10 vasopressors", id="ten vasopressors"),
    ],
)
def test_hypotension_grade_follows_vasopressor_count(hypotension, vasopressors, vasopressin, grade, reason):
    result = crs(FEVER, hypotension=hypotension, vasopressors=vasopressors, vasopressin=vasopressin)
    assert result == Grade(grade, reason)


@pytest.mark.parametrize(("vasopressors", "grade"), [(1, 3), (2, 4)])
def test_a_vasopressor_implies_hypotension_even_if_the_box_is_not_ticked(vasopressors, grade):
    assert crs(FEVER, hypotension=False, vasopressors=vasopressors).grade == grade


def test_vasopressin_does_not_make_one_vasopressor_count_as_several():
    assert crs(FEVER, vasopressors=1, vasopressin=True).grade == 3


# ============================================================================================
# CRS: the worse part decides


def test_grade_is_the_worse_of_hypotension_and_hypoxia_and_reason_names_the_worse():
    result = crs(FEVER, hypotension=True, oxygen="cpap")
    assert result == Grade(4, "grade 4: CPAP")


def test_when_both_parts_are_equally_bad_the_reason_names_both():
    result = crs(FEVER, vasopressors=1, oxygen="facemask")
    assert result == Grade(3, "grade 3: one vasopressor and facemask")


def test_hypotension_decides_when_oxygen_is_milder():
    assert crs(FEVER, vasopressors=2, oxygen="blow-by") == Grade(4, "grade 4: 2 vasopressors")


# ============================================================================================
# CRS: refusals


@pytest.mark.parametrize("temperature", [29.9, 44.1, 45.0, 0.0, 100.0, -38.0])
def test_implausible_temperature_is_refused(temperature):
    error = refused("temperature", crs, temperature)
    assert "plausible range 30.0–44.0 °C" in str(error)


def test_temperature_refusal_is_one_sentence_a_nurse_understands():
    error = refused("temperature", crs, 45.0)
    assert str(error) == "Temperature 45.0 °C is outside the plausible range 30.0–44.0 °C."


@pytest.mark.parametrize("temperature", [math.nan, math.inf, "38.5", None])
def test_temperature_that_is_not_a_number_is_refused(temperature):
    refused("temperature", crs, temperature)


@pytest.mark.parametrize("temperature", [30.0, 44.0])
def test_temperature_at_the_edges_of_the_plausible_range_is_accepted(temperature):
    assert crs(temperature).grade in (0, 1)


@pytest.mark.parametrize("vasopressors", [-1, 11, 1.5, True])
def test_implausible_vasopressor_count_is_refused(vasopressors):
    refused("vasopressors", crs, FEVER, vasopressors=vasopressors)


@pytest.mark.parametrize("flow", [-0.1, 80.1, math.nan])
def test_implausible_oxygen_flow_is_refused(flow):
    refused("flow", crs, FEVER, oxygen="nasal-cannula", flow_l_min=flow)


def test_flow_up_to_80_litres_is_accepted():
    assert crs(FEVER, oxygen="high-flow-nasal-cannula", flow_l_min=80.0).grade == 3


@pytest.mark.parametrize("oxygen", ["mask", "Nasal-Cannula", "", "ecmo"])
def test_unknown_oxygen_device_is_refused(oxygen):
    error = refused("oxygen", crs, FEVER, oxygen=oxygen)
    assert "nasal-cannula" in str(error)


@pytest.mark.parametrize("flow", [0.0, 2.0])
def test_flow_without_an_oxygen_device_is_refused(flow):
    refused("flow", crs, FEVER, oxygen="none", flow_l_min=flow)


def test_nasal_cannula_without_flow_is_refused_because_the_flow_decides_the_grade():
    error = refused("flow", crs, FEVER, oxygen="nasal-cannula")
    assert "6 L/min" in str(error)


# ============================================================================================
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


# ============================================================================================
# Properties: a worse finding never lowers the grade; every grade is in range

temperatures = st.floats(min_value=30.0, max_value=44.0, allow_nan=False)
flows = st.floats(min_value=0.1, max_value=80.0, allow_nan=False)
vasopressor_counts = st.integers(min_value=0, max_value=10)
devices = st.sampled_from(OXYGEN_DEVICES)


def _flow_for(device: str, flow: float) -> float | None:
    return flow if device == "nasal-cannula" else None


crs_inputs = st.fixed_dictionaries(
    {
        "temperature_c": temperatures,
        "fever_masked": st.booleans(),
        "hypotension": st.booleans(),
        "vasopressors": vasopressor_counts,
        "vasopressin": st.booleans(),
    }
)


@given(crs_inputs, devices, flows)
def test_crs_grade_is_always_0_to_4_and_the_reason_states_it(inputs, device, flow):
    result = crs(**inputs, oxygen=device, flow_l_min=_flow_for(device, flow))
    assert 0 <= result.grade <= 4
    assert result.reason.startswith(f"grade {result.grade}: ")


@given(crs_inputs, devices, flows, vasopressor_counts, vasopressor_counts)
def test_more_vasopressors_never_lower_the_crs_grade(inputs, device, flow, a, b):
    inputs = {**inputs, "oxygen": device, "flow_l_min": _flow_for(device, flow)}
    fewer, more = sorted((a, b))
    assert crs(**{**inputs, "vasopressors": fewer}).grade <= crs(**{**inputs, "vasopressors": more}).grade


@given(crs_inputs, devices, flows)
def test_adding_vasopressin_or_hypotension_never_lowers_the_crs_grade(inputs, device, flow):
    inputs = {**inputs, "oxygen": device, "flow_l_min": _flow_for(device, flow)}
    for finding in ("vasopressin", "hypotension"):
        assert crs(**{**inputs, finding: False}).grade <= crs(**{**inputs, finding: True}).grade


@given(crs_inputs, devices, devices, flows)
def test_a_more_supportive_oxygen_device_never_lowers_the_crs_grade(inputs, device_a, device_b, flow):
    milder, worse = sorted((device_a, device_b), key=OXYGEN_DEVICES.index)
    milder_grade = crs(**inputs, oxygen=milder, flow_l_min=_flow_for(milder, flow)).grade
    worse_grade = crs(**inputs, oxygen=worse, flow_l_min=_flow_for(worse, flow)).grade
    assert milder_grade <= worse_grade


@given(crs_inputs, flows, flows)
def test_more_nasal_cannula_flow_never_lowers_the_crs_grade(inputs, a, b):
    low, high = sorted((a, b))
    assert (
        crs(**inputs, oxygen="nasal-cannula", flow_l_min=low).grade
        <= crs(**inputs, oxygen="nasal-cannula", flow_l_min=high).grade
    )


@given(crs_inputs, devices, flows, temperatures, temperatures)
def test_a_higher_temperature_or_masked_fever_never_lowers_the_crs_grade(inputs, device, flow, a, b):
    inputs = {**inputs, "oxygen": device, "flow_l_min": _flow_for(device, flow)}
    cooler, hotter = sorted((a, b))
    assert crs(**{**inputs, "temperature_c": cooler}).grade <= crs(**{**inputs, "temperature_c": hotter}).grade
    assert crs(**{**inputs, "fever_masked": False}).grade <= crs(**{**inputs, "fever_masked": True}).grade


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
