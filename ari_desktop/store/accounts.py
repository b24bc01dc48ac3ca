"""Accounts, their roles and their sessions, and who is signed in.

Every change goes through the store's one write path (the hash-chained change log); a password or a
token is kept only as a hash, and the change log says it changed, never what to. An account is
deactivated, never deleted. Log-ins and failed log-ins are events of the audit trail, written even
when the log-in is refused, so `authenticate` must not run inside a caller's transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from ..core import accounts as rules
from ..core.accounts import Account
from ..core.dates import from_utc_text, to_utc_text
from ..core.errors import ClinicalInputError
from ..core.roles import ADMIN, check_may, check_role
from ..core.text import REASON_LIMIT, check_text
from ..i18n import N_, _
from .part import Part

_COLUMNS = ("id, login, full_name, active, must_change_password, failed_log_ins, locked_until, created_at, "
            "created_by")


@dataclass(frozen=True)
class Grant:
    """A role held by an account, since when and granted by whom (and when and by whom it ended)."""

    login: str
    full_name: str
    role: str
    granted_at: datetime
    granted_by: str
    revoked_at: datetime | None
    revoked_by: str | None


class Accounts(Part):
    def __init__(self, store):
        super().__init__(store)
        self.signed_in: Account | None = None
        self._authenticated: set[int] = set()  # the accounts whose password was given to this store

    # -- reading --------------------------------------------------------------------------------

    def exist(self) -> bool:
        return self.db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None

    def all(self) -> list[Account]:
        return [self._account(row) for row in self.db.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY login")]

    def get(self, login: str) -> Account:
        account = self._find(login)
        if account is None:
            raise ClinicalInputError(_("There is no account with the login '{login}'.").format(
                                         login=login.strip()), "login")
        return account

    def access_review(self) -> list[Grant]:
        """Every role ever granted: who holds (or held) which role, since when, granted by whom."""
        rows = self.db.execute(
            "SELECT a.login, a.full_name, g.role, g.granted_at, g.granted_by, g.revoked_at, g.revoked_by"
            " FROM role_grants g JOIN accounts a ON a.id = g.account_id ORDER BY a.login, g.granted_at, g.id")
        return [Grant(login, name, role, from_utc_text(granted_at), granted_by,
                      from_utc_text(revoked_at) if revoked_at else None, revoked_by)
                for login, name, role, granted_at, granted_by, revoked_at, revoked_by in rows]

    # -- signing in -----------------------------------------------------------------------------

    def authenticate(self, login: str, password: str) -> Account:
        """The account whose password this is, or one sentence: the same for an unknown login and a wrong
        password. Each attempt is recorded; the account locks after MAX_FAILED_LOG_INS failures. The account
        returned may still have to change its password (`must_change_password`): `sign_in` refuses it."""
        assert not self.db.in_transaction, "a refused log-in is recorded in a transaction of its own"
        now = self.store.now()
        account = self._find(login)
        with self.store.transaction():
            refusal = self._attempt(login.strip(), account, password, now)
        if refusal:
            raise ClinicalInputError(refusal, "password")
        self._authenticated.add(account.id)
        return self.get(account.login)

    def sign_in(self, login: str, password: str) -> Account:
        """Authenticate and act as the account: every write is then stamped with its login."""
        account = self.authenticate(login, password)
        if account.must_change_password:
            raise ClinicalInputError(_("{login} must choose a new password before working: ari-desktop user passwd "
                                       "--user {login}.").format(login=account.login), "password")
        return self._act_as(account)

    def start_session(self) -> str:
        """A token for the signed-in account that lasts SESSION_HOURS; only its hash is kept."""
        account = self._require_signed_in()
        token = secrets.token_urlsafe(32)
        started = self.store.now()
        with self.store.transaction():
            self.store.write("sessions", None, {"account_id": account.id, "token_hash": _token_hash(token),
                                                "started_at": to_utc_text(started),
                                                "expires_at": to_utc_text(rules.session_end(started))})
        return token

    def resume(self, token: str) -> Account:
        """Act as the account of a session token that is still open."""
        row = self.db.execute("SELECT account_id, expires_at, ended_at FROM sessions WHERE token_hash = ?",
                              [_token_hash(token)]).fetchone()
        if row is None or row[2] is not None:
            raise ClinicalInputError(_("You are not signed in to this database: ari-desktop login --user LOGIN."),
                                     "token")
        if self.store.now() >= from_utc_text(row[1]):
            raise ClinicalInputError(_("Your session ended at {ended_at:%Y-%m-%d %H:%M %Z} (after {hours} "
                                       "hours): sign in again with ari-desktop login.").format(
                                         ended_at=from_utc_text(row[1]).astimezone(),
                                         hours=rules.SESSION_HOURS),
                                     "token")
        (login,) = self.db.execute("SELECT login FROM accounts WHERE id = ?", [row[0]]).fetchone()
        account = self.get(login)
        if not account.active:
            raise ClinicalInputError(_("The account {login} is deactivated.").format(login=login), "token")
        return self._act_as(account)

    def end_session(self, token: str) -> None:
        row = self.db.execute("SELECT id, account_id FROM sessions WHERE token_hash = ? AND ended_at IS NULL",
                              [_token_hash(token)]).fetchone()
        if row is None:
            return
        (login,) = self.db.execute("SELECT login FROM accounts WHERE id = ?", [row[1]]).fetchone()
        with self.store.transaction():
            self.store.write("sessions", row[0], {"ended_at": to_utc_text(self.store.now())})
            self.store.audit.record("log-out", login)

    # -- managing accounts ----------------------------------------------------------------------

    def add(self, login: str, full_name: str, roles, password: str) -> Account:
        """A new account. The first of a database needs no one signed in, and must be an administrator, who
        chose their own password; later ones are added by a signed-in administrator, and change the password
        they were given at their first log-in."""
        first = not self.exist()
        by = self.store.user if first else self.require("manage-accounts").login
        login, full_name = rules.check_login(login), rules.check_full_name(full_name)
        roles = rules.check_roles(roles)
        rules.check_password(password, login)
        if first and ADMIN not in roles:
            raise ClinicalInputError(_("The first account of a database is its administrator: give --role admin."),
                                     "role")
        if self._find(login) is not None:
            raise ClinicalInputError(_("The login '{login}' is taken (accounts are never deleted or reused).").format(
                                         login=login), "login")
        now = to_utc_text(self.store.now())
        with self.store.transaction():
            account_id = self.store.write("accounts", None, {
                "login": login, "full_name": full_name, "password_hash": rules.hash_password(password),
                "active": 1, "must_change_password": int(not first), "failed_log_ins": 0, "locked_until": None,
                "created_at": now, "created_by": by})
            for role in sorted(roles):
                self._grant(account_id, role, by, now)
        return self.get(login)

    def deactivate(self, login: str, reason: str) -> Account:
        admin = self.require("manage-accounts")
        account = self.get(login)
        reason = _reason(reason)
        if not account.active:
            raise ClinicalInputError(_("The account {login} is already deactivated.").format(
                                         login=account.login), "login")
        if ADMIN in account.roles:
            self._keep_an_admin(account, _("deactivated"))
        with self.store.transaction():
            self.store.write("accounts", account.id, {"active": 0}, f"deactivated by {admin.login}: {reason}")
            self._end_sessions(account.id)
        return self.get(login)

    def grant(self, login: str, role: str) -> Account:
        admin = self.require("manage-accounts")
        account, role = self.get(login), check_role(role)
        if role in account.roles:
            raise ClinicalInputError(_("{login} already holds the role {role}.").format(login=account.login,
                                                                                        role=role), "role")
        if not account.active:
            raise ClinicalInputError(_("The account {login} is deactivated: it is given no role.").format(
                                         login=account.login), "login")
        with self.store.transaction():
            self._grant(account.id, role, admin.login, to_utc_text(self.store.now()))
        return self.get(login)

    def revoke(self, login: str, role: str) -> Account:
        admin = self.require("manage-accounts")
        account, role = self.get(login), check_role(role)
        if role not in account.roles:
            raise ClinicalInputError(_("{login} does not hold the role {role}.").format(login=account.login,
                                                                                        role=role), "role")
        if role == ADMIN:
            self._keep_an_admin(account, _("left without the admin role"))
        (grant_id,) = self.db.execute("SELECT id FROM role_grants WHERE account_id = ? AND role = ?"
                                      " AND revoked_at IS NULL", [account.id, role]).fetchone()
        with self.store.transaction():
            self.store.write("role_grants", grant_id, {"revoked_at": to_utc_text(self.store.now()),
                                                       "revoked_by": admin.login})
        return self.get(login)

    def change_password(self, login: str, old_password: str, new_password: str) -> Account:
        """One's own password: the old one is checked (a wrong one counts as a failed log-in)."""
        account = self.authenticate(login, old_password)
        rules.check_password(new_password, account.login)
        if rules.password_matches(_password_hash(self.db, account.id), new_password):
            raise ClinicalInputError(_("The new password is the one you have: choose another."), "password")
        with self.store.transaction():
            self.store.write("accounts", account.id, {"password_hash": rules.hash_password(new_password),
                                                      "must_change_password": 0}, "password changed by its holder")
        return self._act_as(self.get(account.login))

    def reset_password(self, login: str, new_password: str) -> Account:
        """An administrator gives a new password, which its holder must change at the next log-in; it unlocks."""
        admin = self.require("manage-accounts")
        account = self.get(login)
        rules.check_password(new_password, account.login)
        with self.store.transaction():
            self.store.write("accounts", account.id, {
                "password_hash": rules.hash_password(new_password), "must_change_password": 1, "failed_log_ins": 0,
                "locked_until": None}, f"password reset by {admin.login}")
            self._end_sessions(account.id)
        return self.get(login)

    # -- inside ---------------------------------------------------------------------------------

    def _attempt(self, login: str, account: Account | None, password: str, now: datetime) -> str | None:
        """Record one log-in attempt; the refusal's sentence, or None when it succeeds."""
        if account is None:
            rules.password_matches(_unknown_login_hash(), password)  # as slow as a known login's
            self.store.audit.record("log-in failed", login, "no such account")
            return _(rules.WRONG_LOG_IN)
        if rules.is_locked(account.locked_until, now):
            self.store.audit.record("log-in failed", login, "locked")
            return rules.locked_sentence(account.locked_until)
        if not rules.password_matches(_password_hash(self.db, account.id), password):
            failed, locked_until = rules.after_failure(account.failed_log_ins, now)
            self.store.write("accounts", account.id, {
                "failed_log_ins": failed, "locked_until": to_utc_text(locked_until) if locked_until else None})
            self.store.audit.record("log-in failed", login, f"wrong password ({failed} of {rules.MAX_FAILED_LOG_INS})")
            return rules.locked_sentence(locked_until) if locked_until else _(rules.WRONG_LOG_IN)
        if not account.active:
            self.store.audit.record("log-in failed", login, "deactivated")
            return _("The account {login} is deactivated; ask an administrator.").format(login=login)
        before, self.store.user = self.store.user, account.login  # a log-in is its account's own act
        try:
            self.store.write("accounts", account.id, {"failed_log_ins": 0, "locked_until": None})
            self.store.audit.record("log-in", login, "must change the password" if account.must_change_password
                                    else None)
        finally:
            self.store.user = before
        return None

    def act_as(self, account: Account) -> Account:
        """Act as an account whose password was given to this store earlier (a quick switch between
        accounts signed in at one workstation; the demo writing as each of its accounts in turn)."""
        if account.id not in self._authenticated:
            raise ClinicalInputError(_("{login} has not signed in here: its password is needed.").format(
                                         login=account.login), "password")
        return self._act_as(self.get(account.login))

    def _act_as(self, account: Account) -> Account:
        self.signed_in = account
        self.store.user = account.login
        return account

    def _require_signed_in(self) -> Account:
        if self.signed_in is None:
            raise ClinicalInputError(_("Sign in first: ari-desktop login --user LOGIN, or give --user LOGIN."), "user")
        return self.signed_in

    def require(self, action: str) -> Account:
        """The signed-in account, if its roles allow `action`; else one sentence."""
        account = self._require_signed_in()
        check_may(account.roles, action, account.login)
        return account

    def _keep_an_admin(self, account: Account, what: str) -> None:
        others = [a for a in self.all() if a.active and ADMIN in a.roles and a.id != account.id]
        if not others:
            raise ClinicalInputError(_("{login} is the only active administrator and cannot be {what}: grant the "
                                       "admin role to another account first.").format(login=account.login, what=what),
                                     "login")

    def _end_sessions(self, account_id: int) -> None:
        """An account deactivated or given a new password keeps no session open."""
        now = to_utc_text(self.store.now())
        for (session_id,) in self.db.execute("SELECT id FROM sessions WHERE account_id = ? AND ended_at IS NULL",
                                             [account_id]).fetchall():
            self.store.write("sessions", session_id, {"ended_at": now})

    def _grant(self, account_id: int, role: str, by: str, at: str) -> None:
        self.store.write("role_grants", None, {"account_id": account_id, "role": role, "granted_at": at,
                                               "granted_by": by, "revoked_at": None, "revoked_by": None})

    def _find(self, login: str) -> Account | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM accounts WHERE login = ?", [login.strip()]).fetchone()
        return self._account(row) if row else None

    def _account(self, row) -> Account:
        account_id, login, name, active, must_change, failed, locked_until, created_at, created_by = row
        roles = frozenset(r for (r,) in self.db.execute(
            "SELECT role FROM role_grants WHERE account_id = ? AND revoked_at IS NULL", [account_id]))
        return Account(account_id, login, name, roles, bool(active), bool(must_change), failed,
                       from_utc_text(locked_until) if locked_until else None, from_utc_text(created_at), created_by)


def _reason(reason: str) -> str:
    reason = (check_text(reason, N_("reason"), "reason", REASON_LIMIT) or "").strip()
    if not reason:
        raise ClinicalInputError(_("Say why the account is deactivated (--reason)."), "reason")
    return reason


def _password_hash(db, account_id: int) -> str:
    return db.execute("SELECT password_hash FROM accounts WHERE id = ?", [account_id]).fetchone()[0]


def _token_hash(token: str) -> str:
    # A token is 256 random bits: a plain SHA-256 of it cannot be turned back, so no slow hash is needed.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@cache
def _unknown_login_hash() -> str:
    return rules.hash_password(secrets.token_urlsafe(16))
