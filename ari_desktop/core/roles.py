"""Who may do what: one table of roles and actions, read by the store before every write it guards.

A role is what a person does in the unit; an account holds one or more. The table is data: the
window shows it as it is, and a test checks each row.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import ClinicalInputError

NURSE, PHYSICIAN, DATA_MANAGER, MONITOR, ADMIN = "nurse", "physician", "data-manager", "monitor", "admin"
ROLES = (NURSE, PHYSICIAN, DATA_MANAGER, MONITOR, ADMIN)

# action -> (what it is, in the clinic's words; the roles that may do it).
# The monitor reads and exports, never writes. The administrator keeps the system (accounts,
# backups) and records no clinical data: who manages accounts cannot also sign as a clinician
# under them unless the account holds a clinical role too.
ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "record-collection": ("record a sample, assessment or infusion done or not done",
                          frozenset({NURSE, PHYSICIAN, DATA_MANAGER})),
    "assess": ("record a bedside CRS/ICANS assessment", frozenset({NURSE, PHYSICIAN})),
    "record-toxicity": ("record a toxicity event, a blood count or a TLS lab set",
                        frozenset({NURSE, PHYSICIAN, DATA_MANAGER})),
    "decide-fraction": ("decide go or hold for a fraction", frozenset({PHYSICIAN})),
    "sign-assessment": ("sign a bedside assessment as performed or reviewed", frozenset({NURSE, PHYSICIAN})),
    "sign-decision": ("sign a go/hold decision", frozenset({PHYSICIAN})),
    "record-results": ("record a result (response labs, MRD, PET-CT, CAR-T, BCMA) or a progression",
                       frozenset({NURSE, PHYSICIAN, DATA_MANAGER})),
    "confirm-response": ("confirm or override a response category, signed", frozenset({PHYSICIAN})),
    "correct": ("correct what was recorded, with a reason", frozenset({NURSE, PHYSICIAN, DATA_MANAGER})),
    "register": ("register a patient or change their dates", frozenset({PHYSICIAN, DATA_MANAGER})),
    "export": ("export the tables", frozenset({PHYSICIAN, DATA_MANAGER, MONITOR})),
    "read-audit": ("read the audit trail", frozenset({DATA_MANAGER, MONITOR, ADMIN})),
    "manage-accounts": ("add, deactivate or reset accounts and grant or revoke roles", frozenset({ADMIN})),
    "back-up": ("make a backup", frozenset({DATA_MANAGER, ADMIN})),
    "restore": ("restore a backup", frozenset({ADMIN})),
    "move-to-server": ("move the unit's database to its server", frozenset({ADMIN})),
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
    who = f"{login} ({', '.join(roles) or 'no role'})" if login else ", ".join(roles) or "no role"
    raise NotAllowed(f"You may not {what}: {who} does not hold the role it needs "
                     f"({' or '.join(r for r in ROLES if r in allowed)}).", "role")


def write_action(table: str, correction: bool) -> str | None:
    """The action writing to `table` needs (None: checked by the part that writes it)."""
    action = WRITES[table]
    return CORRECTION if correction and action is not None else action


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ClinicalInputError(f"'{role}' is not a role; the roles are {', '.join(ROLES)}.", "role")
    return role
