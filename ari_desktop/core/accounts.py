"""The rules of accounts and passwords: what a login and a password must be, when an account locks,
how long a session lasts. Pure: the store keeps the accounts and calls these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from ..i18n import N_, _
from .errors import ClinicalInputError
from .roles import check_role
from .text import NAME_LIMIT, check_text

# Length is what makes a password hard to guess on a stolen file; 12 characters let a passphrase
# of three short words in, which a nurse can type at a bedside without a note.
PASSWORD_MIN_LENGTH = 12
# argon2 hashes whatever it is given: a bound keeps a pasted document from tying up the program.
PASSWORD_MAX_LENGTH = 256
# Five tries covers a mistyped password and a caps lock; it stops a guessing run at the bedside.
MAX_FAILED_LOG_INS = 5
# Long enough to make guessing useless, short enough that a locked-out nurse is back within a round.
LOCK_MINUTES = 15
# A session of the command line lasts a shift; after it, the password is asked again.
SESSION_HOURS = 8

# The one sentence for a refused log-in: it never says whether the login or the password was wrong.
WRONG_LOG_IN = N_("The login or the password is wrong.")  # said through _()

_LOGIN = re.compile(r"[a-z][a-z0-9._-]{1,31}")


@dataclass(frozen=True)
class Account:
    id: int
    login: str
    full_name: str
    roles: frozenset[str]
    active: bool
    must_change_password: bool
    failed_log_ins: int
    locked_until: datetime | None
    created_at: datetime
    created_by: str


def check_login(login: str) -> str:
    login = login.strip()
    if not _LOGIN.fullmatch(login):
        raise ClinicalInputError(_("The login '{login}' is not allowed: 2 to 32 lower-case letters, digits, '.', '_' "
                                   "or '-', starting with a letter.").format(login=login), "login")
    return login


def check_full_name(full_name: str) -> str:
    full_name = (check_text(full_name, N_("full name"), "full_name", NAME_LIMIT) or "").strip()
    if len(full_name.split()) < 2:
        raise ClinicalInputError(_("Give the person's full name (first name and surname), as it is printed beside "
                                   "their signature."), "full_name")
    return full_name


def check_roles(roles: Iterable[str]) -> frozenset[str]:
    roles = frozenset(check_role(role) for role in roles)
    if not roles:
        raise ClinicalInputError(_("An account needs at least one role."), "role")
    return roles


def check_password(password: str, login: str) -> str:
    """A new password: long enough, not the login, no control characters."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ClinicalInputError(_("The password has {length} characters; at least {min_length} are needed "
                                   "(a few words make a good one).").format(length=len(password),
                                                                            min_length=PASSWORD_MIN_LENGTH), "password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ClinicalInputError(_("The password is longer than {max_length} characters.").format(
                                     max_length=PASSWORD_MAX_LENGTH), "password")
    if any(ord(char) < 32 or ord(char) == 127 for char in password):
        raise ClinicalInputError(_("The password holds a control character; type it again."), "password")
    if login.lower() in password.lower():
        raise ClinicalInputError(_("The password must not contain the login."), "password")
    return password


@cache
def _hasher():
    """argon2id with the library's defaults (RFC 9106's second recommended profile: 64 MiB, 3
    passes); loaded at the first log-in, not when the window starts."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and now < locked_until


def after_failure(failed_log_ins: int, now: datetime) -> tuple[int, datetime | None]:
    """The count of failed log-ins after one more, and until when the account is then locked (None: not)."""
    failed = failed_log_ins + 1
    return failed, now + timedelta(minutes=LOCK_MINUTES) if failed >= MAX_FAILED_LOG_INS else None


def locked_sentence(locked_until: datetime) -> str:
    return _("This account is locked after {failed} failed log-ins, until {until:%H:%M %Z}; an administrator can "
             "unlock it sooner by resetting the password.").format(failed=MAX_FAILED_LOG_INS,
                                                                   until=locked_until.astimezone())


def session_end(started: datetime) -> datetime:
    return started + timedelta(hours=SESSION_HOURS)
