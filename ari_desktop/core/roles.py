"""Who may do what: one table of roles and actions, read by the store before every write it guards.

A role is what a person does in the unit; an account holds one or more. The table is data: the
window shows it as it is, and a test checks each row.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..i18n import N_, _
from .errors import ClinicalInputError

NURSE, PHYSICIAN, DATA_MANAGER, MONITOR, ADMIN = "nurse", "physician", "data-manager", "monitor", "admin"
ROLES = (NURSE, PHYSICIAN, DATA_MANAGER, MONITOR, ADMIN)

# action -> (what it is, in the clinic's words (N_: shown with _()); the roles that may do it).
# The monitor reads and exports, never writes. The administrator keeps the system (accounts,
# backups) and records no clinical data: who manages accounts cannot also sign as a clinician
# under them unless the account holds a clinical role too.
ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "record-collection": (N_("record a sample, assessment or infusion done or not done"),
                          frozenset({NURSE, PHYSICIAN, DATA_MANAGER})),
    "assess": (N_("record a bedside CRS/ICANS assessment"), frozenset({NURSE, PHYSICIAN})),
    "record-toxicity": (N_("record a toxicity event, a blood count or a TLS lab set"),
                        frozenset({NURSE, PHYSICIAN, DATA_MANAGER})),
    "decide-fraction": (N_("decide go or hold for a fraction"), frozenset({PHYSICIAN})),
    "sign-assessment": (N_("sign a bedside assessment as performed or reviewed"), frozenset({NURSE, PHYSICIAN})),
    "sign-decision": (N_("sign a go/hold decision"), frozenset({PHYSICIAN})),
    "record-results": (N_("record a result (response labs, MRD, PET-CT, CAR-T, BCMA) or a progression"),
                       frozenset({NURSE, PHYSICIAN, DATA_MANAGER})),
    "confirm-response": (N_("confirm or override a response category, signed"), frozenset({PHYSICIAN})),
    "correct": (N_("correct what was recorded, with a reason"), frozenset({NURSE, PHYSICIAN, DATA_MANAGER})),
    "register": (N_("register a patient or change their dates"), frozenset({PHYSICIAN, DATA_MANAGER})),
    "export": (N_("export the tables"), frozenset({PHYSICIAN, DATA_MANAGER, MONITOR})),
    "read-audit": (N_("read the audit trail"), frozenset({DATA_MANAGER, MONITOR, ADMIN})),
    "manage-accounts": (N_("add, deactivate or reset accounts and grant or revoke roles"), frozenset({ADMIN})),
    "back-up": (N_("make a backup"), frozenset({DATA_MANAGER, ADMIN})),
    "restore": (N_("restore a backup"), frozenset({ADMIN})),
    "move-to-server": (N_("move the unit's database to its server"), frozenset({ADMIN})),
}


# The action a write to each table needs, checked by the store's one write path for whoever is signed
# in; a correction of a clinical record (a change with a reason) needs "correct" instead. None: the
# part that writes the table checks for itself (log-ins, sessions and a failed log-in are written for
# someone not yet signed in; accounts and grants need manage-accounts; a signature needs the sign action
# of what it signs) or it follows from the protocol file, not from anyone.
WRITES: dict[str, str | None] = {
    "patients": "register",
    "recordings": "record-collection",
    "assessments": "assess",
    "fraction_decisions": "decide-fraction",
    "toxicity_events": "record-toxicity",
    "blood_counts": "record-toxicity",
    "tls_labs": "record-toxicity",
    "results": "record-results",
    "progressions": "record-results",
    "response_reviews": "confirm-response",
    "signatures": None,
    "accounts": None,
    "role_grants": None,
    "sessions": None,
    "audit_events": None,
    "protocol_in_use": None,
}

CORRECTION = "correct"


class NotAllowed(ClinicalInputError):
    """An action the account's roles do not allow: refused before anything is written."""


def may(roles: Iterable[str], action: str) -> bool:
    """Whether an account holding `roles` may do `action` (an action not in the table is refused)."""
    allowed = ACTIONS[action][1]
    return any(role in allowed for role in roles)


def check_may(roles: Iterable[str], action: str, login: str | None = None) -> None:
    """Refuse, in one sentence naming the action and the roles that may do it, what `roles` do not allow."""
    roles = sorted(roles)
    if may(roles, action):
        return
    what, allowed = ACTIONS[action]
    held = ", ".join(roles) or _("no role")
    who = _("{login} ({roles})").format(login=login, roles=held) if login else held
    raise NotAllowed(_("You may not {what}: {who} does not hold the role it needs ({roles}).").format(
                         what=_(what), who=who, roles=_(" or ").join(r for r in ROLES if r in allowed)), "role")


def write_action(table: str, correction: bool) -> str | None:
    """The action writing to `table` needs (None: checked by the part that writes it)."""
    action = WRITES[table]
    return CORRECTION if correction and action is not None else action


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ClinicalInputError(_("'{role}' is not a role; the roles are {roles}.").format(
                                     role=role, roles=', '.join(ROLES)), "role")
    return role
