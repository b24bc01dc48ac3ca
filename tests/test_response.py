"""IMWG 2016 response as pure rules (CLINICAL.md section 6): measurable disease at screening, one test
per row of the response table and at each threshold, progression from the nadir with its absolute
minimums, what is missing when the numbers do not allow a category, confirmation over two
consecutive assessments, and MRD negativity."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.response import (
    CATEGORIES,
    IMMUNOFIXATION,
    PET_CT_RESPONSES,
    Mrd,
    ResponseAssessment,
    confirmations,
    followed_parameter,
    imaging_plus_mrd_negative,
    imwg_response,
    is_overall_response,
    mrd_negative,
    nadir_of,
    sustained_mrd_negative,
)

A = ResponseAssessment

# Serum M-protein is the measurable disease: 2 g/dL; urine 50 mg/24 h is below measurable.
SERUM = A(serum_m_g_dl=2.0, urine_m_mg_24h=50.0, serum_ife="positive", urine_ife="positive",
          kappa_mg_l=200.0, lambda_mg_l=10.0, marrow_plasma_cells_pct=40.0)
# Both serum (3 g/dL) and urine (1000 mg/24 h) measurable.
BOTH = replace(SERUM, serum_m_g_dl=3.0, urine_m_mg_24h=1000.0)
# Light-chain disease: no measurable M-protein, kappa 310 mg/L against lambda 10 (difference 300).
FLC = A(serum_m_g_dl=0.0, urine_m_mg_24h=100.0, serum_ife="positive", urine_ife="positive",
        kappa_mg_l=310.0, lambda_mg_l=10.0, marrow_plasma_cells_pct=40.0)
# Nothing measurable but the marrow (40 % plasma cells).
MARROW = A(serum_m_g_dl=0.0, urine_m_mg_24h=0.0, serum_ife="positive", urine_ife="negative",
           kappa_mg_l=15.0, lambda_mg_l=10.0, marrow_plasma_cells_pct=40.0)
# A serum patient with a soft-tissue plasmacytoma of 400 mm² at screening.
PLASMACYTOMA = replace(SERUM, plasmacytoma_spd_mm2=400.0)

CR = dict(serum_m_g_dl=0.0, urine_m_mg_24h=0.0, serum_ife="negative", urine_ife="negative",
          marrow_plasma_cells_pct=2.0)
SCR = dict(CR, kappa_mg_l=12.0, lambda_mg_l=10.0, marrow_clonal=False, clonality_method="flow cytometry")


def respond(baseline, current, earlier=()):
    return imwg_response(baseline, nadir_of(baseline, earlier), current)


def category(baseline, current, earlier=()):
    return respond(baseline, current, earlier).category


# -- measurable disease at screening ----------------------------------------------------------------

@pytest.mark.parametrize(("baseline", "followed"), [
    pytest.param(A(serum_m_g_dl=1.0), "serum M-protein", id="serum M-protein of 1 g/dL is measurable"),
    pytest.param(A(serum_m_g_dl=0.99), None, id="serum M-protein of 0.99 g/dL is not"),
    pytest.param(A(urine_m_mg_24h=200.0), "urine M-protein", id="urine M-protein of 200 mg/24 h is measurable"),
    pytest.param(A(urine_m_mg_24h=199.0), None, id="urine M-protein of 199 mg/24 h is not"),
    pytest.param(A(serum_m_g_dl=1.0, urine_m_mg_24h=200.0), "serum M-protein and urine M-protein",
                 id="both M-proteins are followed when both are measurable"),
    pytest.param(A(serum_m_g_dl=0.5, kappa_mg_l=100.0, lambda_mg_l=10.0), "the kappa free light chain difference",
                 id="involved FLC of 10 mg/dL with an abnormal ratio is followed when M-protein is not measurable"),
    pytest.param(A(serum_m_g_dl=0.5, kappa_mg_l=10.0, lambda_mg_l=100.0), "the lambda free light chain difference",
                 id="a lambda myeloma follows lambda"),
    pytest.param(A(serum_m_g_dl=0.5, kappa_mg_l=99.0, lambda_mg_l=10.0), None,
                 id="involved FLC of 9.9 mg/dL is not measurable"),
    pytest.param(A(serum_m_g_dl=0.5, kappa_mg_l=160.0, lambda_mg_l=100.0), None,
                 id="a high FLC with a normal ratio is not measurable"),
    pytest.param(A(serum_m_g_dl=1.0, kappa_mg_l=500.0, lambda_mg_l=10.0), "serum M-protein",
                 id="FLC is not followed when the M-protein is measurable"),
    pytest.param(A(serum_m_g_dl=0.0, marrow_plasma_cells_pct=30.0), "marrow plasma cells",
                 id="marrow is followed at 30 % when nothing else is measurable"),
    pytest.param(A(serum_m_g_dl=0.0, marrow_plasma_cells_pct=29.9), None, id="marrow at 29.9 % is not followed"),
])
def test_measurable_disease_at_screening_decides_what_is_followed(baseline, followed):
    assert followed_parameter(baseline) == followed


# -- the IMWG table, row by row and at each threshold -----------------------------------------------

def test_scr_is_cr_with_a_normal_flc_ratio_and_no_clonal_plasma_cells():
    response = respond(SERUM, A(**SCR))
    assert response.category == "sCR"
    assert response.criterion.startswith("sCR: serum immunofixation negative")
    assert "no clonal plasma cells in marrow" in response.criterion


def test_clonal_plasma_cells_in_marrow_keep_it_cr():
    assert category(SERUM, A(**dict(SCR, marrow_clonal=True))) == "CR"


@pytest.mark.parametrize(("kappa", "expected"), [
    pytest.param(16.5, "sCR", id="ratio 1.65 is normal"), pytest.param(16.6, "CR", id="ratio 1.66 is abnormal"),
    pytest.param(2.6, "sCR", id="ratio 0.26 is normal"), pytest.param(2.5, "CR", id="ratio 0.25 is abnormal"),
])
def test_scr_needs_the_flc_ratio_between_0_26_and_1_65(kappa, expected):
    assert category(SERUM, A(**dict(SCR, kappa_mg_l=kappa, lambda_mg_l=10.0))) == expected


def test_cr_is_negative_immunofixation_and_under_5_percent_plasma_cells_in_marrow():
    response = respond(SERUM, A(**CR))
    assert response.category == "CR"
    assert response.criterion == ("CR: serum immunofixation negative, urine immunofixation negative, "
                                  "no soft-tissue plasmacytoma recorded, 2 % plasma cells in marrow.")


@pytest.mark.parametrize(("plasma_cells", "expected"), [
    pytest.param(4.9, "CR", id="4.9 % plasma cells is CR"), pytest.param(5.0, "VGPR", id="5 % is not"),
])
def test_cr_needs_fewer_than_5_percent_plasma_cells(plasma_cells, expected):
    assert category(SERUM, A(**dict(CR, marrow_plasma_cells_pct=plasma_cells))) == expected


@pytest.mark.parametrize("positive", ["serum_ife", "urine_ife"])
def test_a_positive_immunofixation_keeps_it_vgpr(positive):
    assert category(SERUM, A(**dict(CR, **{positive: "positive"}))) == "VGPR"


def test_cr_needs_the_plasmacytoma_gone():
    assert category(PLASMACYTOMA, A(**CR, plasmacytoma_spd_mm2=20.0)) == "VGPR"
    assert category(PLASMACYTOMA, A(**CR, plasmacytoma_spd_mm2=0.0)) == "CR"


def test_a_complete_extramedullary_response_on_pet_ct_counts_as_no_plasmacytoma():
    assert category(PLASMACYTOMA, A(**CR, pet_ct="complete")) == "CR"
    assert category(PLASMACYTOMA, A(**CR, pet_ct="partial")) == "VGPR"


def test_vgpr_is_m_protein_seen_by_immunofixation_but_not_electrophoresis():
    response = respond(SERUM, A(serum_m_g_dl=0.0, urine_m_mg_24h=0.0, serum_ife="positive"))
    assert response.category == "VGPR"
    assert response.criterion == "VGPR: no M-protein on serum or urine electrophoresis."


@pytest.mark.parametrize(("serum", "urine", "expected"), [
    pytest.param(0.2, 99.0, "VGPR", id="a 90 % fall with urine at 99 mg/24 h is VGPR"),
    pytest.param(0.202, 99.0, "PR", id="an 89.9 % fall is PR"),
    pytest.param(0.2, 100.0, "PR", id="urine at 100 mg/24 h is PR"),
])
def test_vgpr_is_a_90_percent_fall_with_urine_under_100(serum, urine, expected):
    assert category(SERUM, A(serum_m_g_dl=serum, urine_m_mg_24h=urine)) == expected


def test_vgpr_by_the_fall_needs_a_24_hour_urine():
    response = respond(SERUM, A(serum_m_g_dl=0.1))
    assert response.category == "PR"
    assert "VGPR needs urine M-protein: not measured" in response.missing


@pytest.mark.parametrize(("serum", "expected"), [
    pytest.param(1.0, "PR", id="a 50 % fall in serum M-protein is PR"),
    pytest.param(1.002, "MR", id="a 49.9 % fall is MR"),
])
def test_pr_is_a_50_percent_fall_in_serum_m_protein(serum, expected):
    assert category(SERUM, A(serum_m_g_dl=serum)) == expected


def test_pr_criterion_names_the_fall():
    assert respond(SERUM, A(serum_m_g_dl=1.0)).criterion == "PR: serum M-protein down 50 % (2 to 1 g/dL)."


@pytest.mark.parametrize(("urine", "expected"), [
    pytest.param(100.0, "PR", id="urine down 90 % is PR"),
    pytest.param(199.0, "PR", id="urine under 200 mg/24 h is PR"),
    pytest.param(200.0, "MR", id="urine down 80 % to 200 mg/24 h is not PR"),
])
def test_pr_needs_urine_down_90_percent_or_under_200(urine, expected):
    baseline = replace(BOTH, urine_m_mg_24h=1000.0)
    assert category(baseline, A(serum_m_g_dl=1.5, urine_m_mg_24h=urine)) == expected


def test_pr_of_urine_under_200_mg_from_a_small_baseline():
    # 250 -> 199 mg/24 h is a 20 % fall, but under 200 mg/24 h
    assert category(A(urine_m_mg_24h=250.0), A(urine_m_mg_24h=199.0)) == "PR"


@pytest.mark.parametrize(("spd", "expected"), [
    pytest.param(200.0, "PR", id="plasmacytomas shrunk 50 % allow PR"),
    pytest.param(201.0, "MR", id="plasmacytomas shrunk 49.75 % allow no more than MR"),
    pytest.param(300.0, "MR", id="plasmacytomas shrunk 25 % allow MR"),
    pytest.param(301.0, "SD", id="plasmacytomas shrunk 24.75 % allow no MR"),
])
def test_plasmacytomas_present_at_baseline_must_shrink(spd, expected):
    assert category(PLASMACYTOMA, A(serum_m_g_dl=0.5, plasmacytoma_spd_mm2=spd)) == expected


def test_a_partial_extramedullary_response_on_pet_ct_allows_pr():
    assert category(PLASMACYTOMA, A(serum_m_g_dl=0.5, pet_ct="partial")) == "PR"
    assert category(PLASMACYTOMA, A(serum_m_g_dl=0.5, pet_ct="stable")) == "SD"


@pytest.mark.parametrize(("kappa", "expected"), [
    pytest.param(160.0, "PR", id="a 50 % fall in the FLC difference is PR"),
    pytest.param(160.3, "SD", id="a 49.9 % fall is SD: light-chain disease has no MR"),
    pytest.param(40.0, "VGPR", id="a 90 % fall in the FLC difference is VGPR"),
])
def test_light_chain_disease_follows_the_flc_difference(kappa, expected):
    assert category(FLC, A(kappa_mg_l=kappa, lambda_mg_l=10.0, urine_m_mg_24h=50.0)) == expected


def test_cr_of_light_chain_disease_needs_a_normal_flc_ratio():
    assert category(FLC, A(**CR, kappa_mg_l=30.0, lambda_mg_l=10.0)) == "VGPR"
    assert category(FLC, A(**CR, kappa_mg_l=12.0, lambda_mg_l=10.0)) == "CR"


@pytest.mark.parametrize(("plasma_cells", "expected"), [
    pytest.param(20.0, "PR", id="a 50 % fall in marrow plasma cells is PR"),
    pytest.param(20.1, "SD", id="a 49.75 % fall is SD"),
])
def test_marrow_is_followed_when_nothing_else_is_measurable(plasma_cells, expected):
    assert category(MARROW, A(marrow_plasma_cells_pct=plasma_cells, serum_ife="positive")) == expected


@pytest.mark.parametrize(("serum", "expected"), [
    pytest.param(1.5, "MR", id="a 25 % fall in serum M-protein is MR"),
    pytest.param(1.502, "SD", id="a 24.9 % fall is SD"),
])
def test_mr_is_a_25_to_49_percent_fall_in_serum_m_protein(serum, expected):
    assert category(SERUM, A(serum_m_g_dl=serum)) == expected


@pytest.mark.parametrize(("urine", "expected"), [
    pytest.param(500.0, "MR", id="urine down 50 % with serum down 30 % is MR"),
    pytest.param(501.0, "SD", id="urine down 49.9 % is SD"),
])
def test_mr_needs_urine_down_50_percent(urine, expected):
    assert category(BOTH, A(serum_m_g_dl=2.1, urine_m_mg_24h=urine)) == expected


def test_sd_is_none_of_the_above_and_not_pd():
    response = respond(SERUM, A(serum_m_g_dl=1.9))
    assert response.category == "SD"
    assert response.criterion == "SD: serum M-protein down 5 % (2 to 1.9 g/dL); neither a response nor progression."


# -- progression from the nadir ---------------------------------------------------------------------

@pytest.mark.parametrize(("nadir", "current", "expected"), [
    pytest.param(2.0, 2.5, "PD", id="25 % and 0.5 g/dL above the nadir is PD"),
    pytest.param(2.0, 2.49, "SD", id="24.5 % above the nadir is not"),
    pytest.param(1.0, 1.5, "PD", id="a rise of 0.5 g/dL from 1 g/dL is PD"),
    pytest.param(1.0, 1.49, "MR", id="a rise of 0.49 g/dL is not, however large in percent"),
    pytest.param(0.2, 0.7, "PD", id="0.2 to 0.7 g/dL is a rise of 0.5 g/dL"),
    pytest.param(0.0, 0.5, "PD", id="0.5 g/dL after a CR is PD"),
    pytest.param(0.0, 0.49, "PR", id="0.49 g/dL after a CR is not"),
    pytest.param(4.0, 4.99, "SD", id="a rise of 0.99 g/dL from 4 g/dL is under 25 %"),
])
def test_pd_in_serum_is_25_percent_and_0_5_g_dl_above_the_nadir(nadir, current, expected):
    baseline = replace(SERUM, serum_m_g_dl=4.0) if nadir == 4 else SERUM
    assert category(baseline, A(serum_m_g_dl=current, urine_m_mg_24h=10.0), [A(serum_m_g_dl=nadir)]) == expected


@pytest.mark.parametrize(("current", "expected"), [
    pytest.param(6.0, "PD", id="a rise of 1 g/dL from a nadir of 5 g/dL is PD"),
    pytest.param(5.99, "SD", id="a rise of 0.99 g/dL from 5 g/dL is not"),
])
def test_pd_from_a_nadir_of_5_g_dl_is_a_rise_of_1_g_dl(current, expected):
    baseline = replace(SERUM, serum_m_g_dl=6.0)
    assert category(baseline, A(serum_m_g_dl=current), [A(serum_m_g_dl=5.0)]) == expected


def test_pd_is_measured_from_the_nadir_not_from_screening():
    response = respond(replace(SERUM, serum_m_g_dl=3.0), A(serum_m_g_dl=1.5), [A(serum_m_g_dl=1.0)])
    assert response.category == "PD"
    assert response.criterion == "PD: serum M-protein up 0.5 g/dL (50 %) from its nadir of 1 g/dL."


@pytest.mark.parametrize(("nadir", "current", "expected"), [
    pytest.param(100.0, 300.0, "PD", id="a rise of 200 mg/24 h in urine is PD"),
    pytest.param(100.0, 299.0, "SD", id="a rise of 199 mg/24 h is not"),
    pytest.param(1000.0, 1250.0, "PD", id="25 % above a urine nadir of 1000 mg/24 h is PD"),
    pytest.param(1000.0, 1249.0, "SD", id="24.9 % above is not"),
])
def test_pd_in_urine_is_25_percent_and_200_mg_above_the_nadir(nadir, current, expected):
    baseline = replace(SERUM, urine_m_mg_24h=1000.0)
    assert category(baseline, A(serum_m_g_dl=1.9, urine_m_mg_24h=current), [A(urine_m_mg_24h=nadir)]) == expected


@pytest.mark.parametrize(("kappa", "expected"), [
    pytest.param(130.1, "PD", id="the FLC difference more than 10 mg/dL above the nadir is PD"),
    pytest.param(130.0, "PR", id="exactly 10 mg/dL above is not"),
])
def test_pd_in_the_flc_difference_is_more_than_10_mg_dl_above_the_nadir(kappa, expected):
    nadir = A(kappa_mg_l=30.0, lambda_mg_l=10.0)  # difference 20 mg/L
    assert category(FLC, A(kappa_mg_l=kappa, lambda_mg_l=10.0), [nadir]) == expected


def test_the_flc_difference_is_no_pd_criterion_when_the_m_protein_is_measurable():
    assert category(SERUM, A(serum_m_g_dl=1.9, kappa_mg_l=2000.0, lambda_mg_l=10.0)) == "SD"


@pytest.mark.parametrize(("plasma_cells", "expected"), [
    pytest.param(30.0, "PD", id="marrow plasma cells 10 points above the nadir are PD"),
    pytest.param(29.9, "SD", id="9.9 points above are not"),
])
def test_pd_in_marrow_when_nothing_else_is_measurable(plasma_cells, expected):
    response = respond(MARROW, A(marrow_plasma_cells_pct=plasma_cells), [A(marrow_plasma_cells_pct=20.0)])
    assert response.category == expected
    assert response.by_marrow_alone == (expected == "PD")


def test_marrow_is_no_pd_criterion_when_the_m_protein_is_measurable():
    assert category(SERUM, A(serum_m_g_dl=1.9, marrow_plasma_cells_pct=60.0), [A(marrow_plasma_cells_pct=2.0)]) == "SD"


@pytest.mark.parametrize(("current", "criterion"), [
    pytest.param(A(serum_m_g_dl=0.5, new_lesion=True), "PD: a new lesion.", id="a new lesion is PD"),
    pytest.param(A(serum_m_g_dl=0.5, plasmacytoma_spd_mm2=300.0), "PD: plasmacytomas grown 50 % from their nadir.",
                 id="plasmacytomas grown 50 percent from the nadir are PD"),
    pytest.param(A(serum_m_g_dl=0.5, pet_ct="progressive"), "PD: PET-CT shows progressive extramedullary disease.",
                 id="progressive extramedullary disease on PET-CT is PD"),
])
def test_pd_by_lesions(current, criterion):
    assert respond(PLASMACYTOMA, current, [A(plasmacytoma_spd_mm2=200.0)]).criterion == criterion


def test_plasmacytomas_grown_49_percent_are_not_pd():
    assert category(PLASMACYTOMA, A(serum_m_g_dl=0.5, plasmacytoma_spd_mm2=298.0),
                    [A(plasmacytoma_spd_mm2=200.0)]) == "MR"


def test_a_plasmacytoma_returning_after_it_was_gone_is_pd():
    assert category(PLASMACYTOMA, A(**CR, plasmacytoma_spd_mm2=50.0), [A(plasmacytoma_spd_mm2=0.0)]) == "PD"


# -- missing data -------------------------------------------------------------------------------------

def test_cr_needs_a_bone_marrow_aspirate():
    response = respond(SERUM, A(**dict(CR, marrow_plasma_cells_pct=None)))
    assert response.category == "VGPR"
    assert "CR needs a bone-marrow aspirate: not done" in response.missing


def test_cr_needs_both_immunofixations():
    response = respond(SERUM, A(serum_m_g_dl=0.0, urine_m_mg_24h=0.0, marrow_plasma_cells_pct=1.0))
    assert response.category == "VGPR"
    assert "CR needs serum immunofixation: not done" in response.missing
    assert "CR needs urine immunofixation: not done" in response.missing


def test_scr_needs_marrow_clonality():
    response = respond(SERUM, A(**CR, kappa_mg_l=12.0, lambda_mg_l=10.0))
    assert response.category == "CR"
    assert response.missing == ("sCR needs marrow clonality (immunohistochemistry or flow cytometry): not done",)


def test_cr_needs_the_baseline_plasmacytoma_looked_at_again():
    response = respond(PLASMACYTOMA, A(**CR))
    assert response.category == "VGPR"
    assert "CR needs a plasmacytoma measurement or PET-CT: not done" in response.missing


def test_no_category_without_the_followed_m_protein():
    response = respond(SERUM, A(urine_m_mg_24h=10.0, kappa_mg_l=50.0, lambda_mg_l=10.0))
    assert response.category is None
    assert "MR needs serum M-protein: not measured" in response.missing
    assert response.criterion.startswith("No category: ")
    assert not response.needs_confirmation


def test_no_category_below_cr_without_measurable_disease():
    baseline = A(serum_m_g_dl=0.5, urine_m_mg_24h=0.0, serum_ife="positive", marrow_plasma_cells_pct=10.0)
    response = respond(baseline, A(serum_m_g_dl=0.2, urine_m_mg_24h=0.0, serum_ife="positive"))
    assert response.category is None
    assert response.missing[-1] == "no measurable disease at screening: below CR the response cannot be assessed"
    assert category(baseline, A(**CR)) == "CR"


def test_what_is_missing_does_not_stop_progression():
    assert category(SERUM, A(serum_m_g_dl=3.0)) == "PD"


def test_the_nadir_is_the_lowest_of_screening_and_the_assessments_before():
    nadir = nadir_of(FLC, [A(kappa_mg_l=60.0, lambda_mg_l=10.0, marrow_plasma_cells_pct=5.0), A(serum_m_g_dl=0.3)])
    assert (nadir.serum_m_g_dl, nadir.urine_m_mg_24h, nadir.flc_difference_mg_l,
            nadir.marrow_plasma_cells_pct, nadir.plasmacytoma_spd_mm2) == (0.0, 100.0, 50.0, 5.0, None)


# -- input a user can get wrong ---------------------------------------------------------------------

@pytest.mark.parametrize(("values", "field"), [
    pytest.param({"serum_m_g_dl": -0.1}, "serum_m_g_dl", id="a negative M-protein"),
    pytest.param({"serum_m_g_dl": math.nan}, "serum_m_g_dl", id="not a number"),
    pytest.param({"marrow_plasma_cells_pct": 101.0}, "marrow_plasma_cells_pct", id="more than 100 % plasma cells"),
    pytest.param({"serum_ife": "neg"}, "serum_ife", id="an unknown immunofixation result"),
    pytest.param({"pet_ct": "better"}, "pet_ct", id="an unknown PET-CT response"),
    pytest.param({"clonality_method": "guess"}, "clonality_method", id="an unknown clonality method"),
    pytest.param({"new_lesion": "yes"}, "new_lesion", id="a new lesion is yes or no"),
])
def test_impossible_values_are_refused_in_one_sentence(values, field):
    with pytest.raises(ClinicalInputError) as refused:
        A(**values)
    assert refused.value.field == field


# -- confirmation over two consecutive assessments ------------------------------------------------------

def confirmed(*assessments, baseline=SERUM):
    return [c.category for c in confirmations(baseline, assessments)]


def test_a_response_awaits_a_second_assessment():
    first = confirmations(SERUM, [A(serum_m_g_dl=1.0)])[0]
    assert (first.category, first.reason) == (None, "PR awaits confirmation at the next assessment.")
    assert first.proposed.category == "PR"


def test_two_consecutive_prs_confirm_pr():
    assert confirmed(A(serum_m_g_dl=1.0), A(serum_m_g_dl=0.9)) == [None, "PR"]


def test_the_worse_of_two_consecutive_categories_is_confirmed():
    # 0.2 then 0.6 g/dL: a rise of 0.4 g/dL from the nadir is no PD, and 0.6 is a 70 % fall (PR)
    result = confirmations(SERUM, [A(serum_m_g_dl=0.2, urine_m_mg_24h=10.0), A(serum_m_g_dl=0.6)])
    assert result[1].category == "PR"
    better = confirmations(SERUM, [A(serum_m_g_dl=1.0), A(serum_m_g_dl=0.2, urine_m_mg_24h=10.0)])[1]
    assert better.category == "PR"
    assert better.reason == "PR confirmed (PR before, VGPR now); VGPR awaits confirmation at the next assessment."


def test_the_marrow_needs_no_confirmation():
    # CR with a marrow, then negative immunofixations without one: CR is confirmed
    without_marrow = A(**dict(CR, marrow_plasma_cells_pct=None))
    assert confirmed(A(**CR), without_marrow) == [None, "CR"]
    assert confirmed(without_marrow, A(**CR)) == [None, "CR"]


def test_a_pr_decided_by_the_marrow_alone_is_confirmed_at_once():
    assert confirmed(A(marrow_plasma_cells_pct=15.0), baseline=MARROW) == ["PR"]


def test_sd_needs_no_confirmation():
    assert confirmed(A(serum_m_g_dl=1.9)) == ["SD"]


def test_pd_needs_two_consecutive_assessments():
    assert confirmed(A(serum_m_g_dl=2.5), A(serum_m_g_dl=2.6)) == [None, "PD"]
    assert confirmed(A(serum_m_g_dl=1.0), A(serum_m_g_dl=1.5)) == [None, None]


def test_a_response_after_pd_is_not_confirmed():
    assert confirmed(A(serum_m_g_dl=2.5), A(serum_m_g_dl=1.0)) == [None, None]


def test_nothing_is_confirmed_by_an_assessment_that_allows_no_category():
    assert confirmed(A(serum_m_g_dl=1.0), A()) == [None, None]


# -- MRD, apart from the category ---------------------------------------------------------------------

@pytest.mark.parametrize(("mrd", "negative"), [
    pytest.param(Mrd("next-generation flow", 1e-5, "negative"), True, id="negative by NGF at 1e-5"),
    pytest.param(Mrd("next-generation sequencing", 1e-6, "negative"), True, id="negative by NGS at 1e-6"),
    pytest.param(Mrd("next-generation flow", 1e-4, "negative"), False, id="negative at 1e-4 is not enough"),
    pytest.param(Mrd("other", 1e-5, "negative"), False, id="another method does not count"),
    pytest.param(Mrd("next-generation flow", 1e-5, "positive"), False, id="positive"),
    pytest.param(None, False, id="not done"),
])
def test_mrd_negative_is_ngf_or_ngs_at_a_sensitivity_of_1e_5(mrd, negative):
    assert mrd_negative(mrd).negative is negative


def test_imaging_plus_mrd_needs_a_negative_pet_ct():
    mrd = Mrd("next-generation flow", 1e-5, "negative")
    assert imaging_plus_mrd_negative(A(**CR, mrd=mrd, pet_ct="complete")).negative
    assert not imaging_plus_mrd_negative(A(**CR, mrd=mrd, pet_ct="partial")).negative
    assert imaging_plus_mrd_negative(A(**CR, mrd=mrd)).reason == "Imaging-plus MRD needs a PET-CT: not done."


@pytest.mark.parametrize(("days", "sustained"), [
    pytest.param(365, True, id="negative a year apart is sustained"),
    pytest.param(364, False, id="a day short of a year is not"),
])
def test_sustained_mrd_negativity_is_confirmed_a_year_apart(days, sustained):
    negative = Mrd("next-generation sequencing", 1e-5, "negative")
    first = date(2026, 3, 1)
    assert sustained_mrd_negative([(first + timedelta(days=days), negative), (first, negative)]).negative is sustained


def test_a_positive_mrd_between_breaks_sustained_negativity():
    negative, positive = Mrd("next-generation flow", 1e-5, "negative"), Mrd("next-generation flow", 1e-5, "positive")
    first = date(2026, 3, 1)
    results = [(first, negative), (first + timedelta(days=180), positive), (first + timedelta(days=400), negative)]
    assert not sustained_mrd_negative(results).negative


@pytest.mark.parametrize(("values", "field"), [
    pytest.param(("flow", 1e-5, "negative"), "mrd_method", id="an unknown MRD method"),
    pytest.param(("next-generation flow", 0.0, "negative"), "mrd_sensitivity", id="a sensitivity of 0"),
    pytest.param(("next-generation flow", 1e-5, "unclear"), "mrd_result", id="an unknown MRD result"),
])
def test_impossible_mrd_is_refused(values, field):
    with pytest.raises(ClinicalInputError) as refused:
        Mrd(*values)
    assert refused.value.field == field


@pytest.mark.parametrize(("name", "responded"), [("sCR", True), ("CR", True), ("VGPR", True), ("PR", True),
                                                 ("MR", False), ("SD", False), ("PD", False), (None, False)])
def test_overall_response_is_pr_or_better(name, responded):
    assert is_overall_response(name) is responded


# -- properties ---------------------------------------------------------------------------------------

def maybe(strategy):
    return st.none() | strategy


amounts = st.floats(0, 10, allow_nan=False)
assessments = st.builds(
    A,
    serum_m_g_dl=maybe(amounts), urine_m_mg_24h=maybe(st.floats(0, 3000)),
    serum_ife=maybe(st.sampled_from(IMMUNOFIXATION)), urine_ife=maybe(st.sampled_from(IMMUNOFIXATION)),
    kappa_mg_l=maybe(st.floats(0, 1000)), lambda_mg_l=maybe(st.floats(0.1, 1000)),
    marrow_plasma_cells_pct=maybe(st.floats(0, 100)), marrow_clonal=maybe(st.booleans()),
    plasmacytoma_spd_mm2=maybe(st.floats(0, 2000)), new_lesion=maybe(st.booleans()),
    pet_ct=maybe(st.sampled_from(PET_CT_RESPONSES)),
)
WORST_LAST = CATEGORIES  # sCR best ... SD, then PD worst


@given(baseline=assessments, earlier=st.lists(assessments, max_size=3), current=assessments,
       serum=amounts, lower=st.floats(0, 1))
def test_a_lower_serum_m_protein_never_gives_a_worse_category(baseline, earlier, current, serum, lower):
    higher = respond(baseline, replace(current, serum_m_g_dl=serum), earlier)
    less = respond(baseline, replace(current, serum_m_g_dl=serum * lower), earlier)
    assume(higher.category and less.category)  # a category the data do not allow is no ranking
    assert WORST_LAST.index(less.category) <= WORST_LAST.index(higher.category)


@given(baseline=assessments, earlier=st.lists(assessments, max_size=3), current=assessments,
       share=st.floats(0, 1), data=st.data())
def test_no_pd_when_every_parameter_is_at_or_below_its_nadir(baseline, earlier, current, share, data):
    nadir = nadir_of(baseline, earlier)
    seen = [baseline, *earlier]

    def at_most(lowest):
        return None if lowest is None else lowest * share

    # the light chains of the assessment with the lowest difference, scaled down together
    involved = "kappa" if (baseline.flc_ratio or 1) > 1 else "lambda"
    measured = [a for a in seen if a.flc_difference(involved) is not None and a.lambda_mg_l]
    lightest = min(measured, key=lambda a: a.flc_difference(involved), default=A())
    scaled = {"kappa_mg_l": at_most(lightest.kappa_mg_l), "lambda_mg_l": at_most(lightest.lambda_mg_l) or None}
    quiet = replace(current, serum_m_g_dl=at_most(nadir.serum_m_g_dl), urine_m_mg_24h=at_most(nadir.urine_m_mg_24h),
                    marrow_plasma_cells_pct=at_most(nadir.marrow_plasma_cells_pct),
                    plasmacytoma_spd_mm2=at_most(nadir.plasmacytoma_spd_mm2),
                    new_lesion=data.draw(maybe(st.just(False))),
                    pet_ct=data.draw(maybe(st.sampled_from(["complete", "partial", "stable"]))), **scaled)
    assert imwg_response(baseline, nadir, quiet).category != "PD"


@given(baseline=assessments, earlier=st.lists(assessments, max_size=3), current=assessments)
def test_every_proposal_names_its_category_first(baseline, earlier, current):
    response = respond(baseline, current, earlier)
    assert response.category in (*CATEGORIES, None)
    assert response.criterion.startswith(f"{response.category}: " if response.category else "No category: ")
    assert response.criterion.endswith(".")
