"""CRS grading, ASTCT consensus (Lee 2019; CLINICAL.md section 2): one test per table row and
per boundary, and properties: a worse finding never lowers the grade."""

from __future__ import annotations

import math

import pytest
from conftest import refused
from hypothesis import given
from hypothesis import strategies as st

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.grading import (
    OXYGEN_DEVICES,
    Grade,
    crs,
)

FEVER = 38.5


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
