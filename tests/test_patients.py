"""Where a patient is in the trial (Patient.stage): the monitoring days come from the protocol file."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from ari_desktop.core import protocol
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, Patient, check_anchors

P = protocol.load_default()
DAY0 = date(2026, 3, 2)
BOOSTER = DAY0 + timedelta(days=120)


def patient(**anchors) -> Patient:
    return Patient("ARI-001", "AB", "F", 1960, Anchors(date(2026, 1, 5), **anchors))


@pytest.mark.parametrize("days_after, stage", [(-1, "screening"), (0, "infusion"), (30, "infusion"),
                                               (31, "follow-up")])
def test_the_infusion_stage_is_the_first_infusion_monitoring_d0_to_d30(days_after, stage):
    assert patient(day0=DAY0).stage(DAY0 + timedelta(days=days_after), P) == stage


@pytest.mark.parametrize("days_after, stage", [(-1, "follow-up"), (0, "booster"), (14, "booster"), (15, "follow-up")])
def test_the_booster_stage_is_its_own_monitoring_b0_to_b14(days_after, stage):
    assert patient(day0=DAY0, booster=BOOSTER).stage(BOOSTER + timedelta(days=days_after), P) == stage


def test_the_monitoring_days_are_the_protocol_files():
    longer = replace(P, toxicity_days_after_infusion=45)
    assert patient(day0=DAY0).stage(DAY0 + timedelta(days=40), longer) == "infusion"


def test_death_and_off_study_come_before_any_other_stage():
    ended = patient(day0=DAY0, off_study=DAY0 + timedelta(days=3), off_study_reason="Consent withdrawn")
    assert ended.stage(DAY0 + timedelta(days=3), P) == "off study"
    assert patient(day0=DAY0, death=DAY0 + timedelta(days=5)).stage(DAY0 + timedelta(days=5), P) == "died"


@pytest.mark.parametrize("end", [{"death": BOOSTER - timedelta(days=1)},
                                 {"off_study": BOOSTER - timedelta(days=1), "off_study_reason": "Consent withdrawn"}])
def test_a_booster_after_death_or_going_off_study_is_refused(end):
    anchors = Anchors(date(2026, 1, 5), DAY0, BOOSTER, **end)
    sentence = "The booster .* is after the (date of death|off-study date)"
    with pytest.raises(ClinicalInputError, match=sentence) as refused:
        check_anchors(anchors, P, BOOSTER + timedelta(days=5))
    assert refused.value.field == "booster"


def test_a_booster_on_the_day_of_death_is_kept():
    check_anchors(Anchors(date(2026, 1, 5), DAY0, BOOSTER, death=BOOSTER), P, BOOSTER)
