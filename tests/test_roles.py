"""Who may do what: each row of the role table, written out here as the unit agreed it."""

import pytest

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.roles import ACTIONS, ROLES, NotAllowed, check_may, check_role, may

# action -> the roles that may do it, and why, in the unit's words.
AGREED = {
    "record-collection": ({"nurse", "physician", "data-manager"}, "who takes or transcribes a sample records it"),
    "assess": ({"nurse", "physician"}, "a bedside assessment is made at the bedside, by a clinician"),
    "record-toxicity": ({"nurse", "physician", "data-manager"}, "events and labs come from the bedside or the chart"),
    "decide-fraction": ({"physician"}, "giving the next fraction is a medical decision"),
    "sign-assessment": ({"nurse", "physician"}, "who assessed at the bedside, or reviewed it, signs the assessment"),
    "sign-decision": ({"physician"}, "the physician who decides go or hold signs it"),
    "correct": ({"nurse", "physician", "data-manager"}, "whoever may record may correct, with a reason"),
    "register": ({"physician", "data-manager"}, "enrolment is the investigator's and the data manager's"),
    "export": ({"physician", "data-manager", "monitor"}, "a monitor reads and exports, never writes"),
    "read-audit": ({"data-manager", "monitor", "admin"}, "the trail is inspected by those who check the records"),
    "manage-accounts": ({"admin"}, "accounts are the administrator's alone"),
    "back-up": ({"data-manager", "admin"}, "keeping the data safe is the system's keepers' task"),
    "restore": ({"admin"}, "a restore replaces the whole database"),
    "move-to-server": ({"admin"}, "moving the unit's records is the system's keeper's task"),
    "record-results": ({"nurse", "physician", "data-manager"}, "a result is transcribed from the lab's report"),
    "confirm-response": ({"physician"}, "the response category is the investigator's judgement"),
}


def test_the_table_names_every_action_the_unit_agreed_and_no_other():
    assert set(ACTIONS) == set(AGREED)


@pytest.mark.parametrize("action", sorted(AGREED))
def test_each_row_of_the_role_table(action):
    allowed, _why = AGREED[action]
    assert {role for role in ROLES if may([role], action)} == allowed


def test_a_monitor_writes_nothing():
    writes = {"record-collection", "assess", "record-toxicity", "decide-fraction", "correct", "register",
              "sign-assessment", "sign-decision", "manage-accounts", "restore", "back-up",
              "move-to-server"}
    assert not any(may(["monitor"], action) for action in writes)


def test_an_administrator_records_no_clinical_data_without_a_clinical_role():
    assert not may(["admin"], "assess") and may(["admin", "physician"], "assess")


def test_a_refusal_names_the_action_the_account_and_the_role_it_needs():
    with pytest.raises(NotAllowed, match=r"You may not decide go or hold for a fraction: "
                                         r"nuria \(nurse\) does not hold the role it needs \(physician\)\."):
        check_may(["nurse"], "decide-fraction", "nuria")


def test_an_account_without_roles_may_do_nothing():
    assert not any(may([], action) for action in ACTIONS)
    with pytest.raises(NotAllowed, match="no role"):
        check_may([], "export")


def test_a_refusal_is_an_input_error_the_front_ends_show_as_one_sentence():
    assert issubclass(NotAllowed, ClinicalInputError)


def test_an_unknown_role_is_refused_naming_the_roles():
    with pytest.raises(ClinicalInputError, match="'doctor' is not a role; the roles are nurse, physician"):
        check_role("doctor")
