"""Named accounts: passwords kept as argon2id hashes, a change forced at the first log-in, a lock-out
after repeated failures, every log-in recorded, roles granted and revoked with who and when."""

import json
from datetime import timedelta

import pytest
from conftest import GUI_NOW, refused, schema_refusal, snapshot

from ari_desktop.core import accounts as rules
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.roles import NotAllowed
from ari_desktop.store import Store

ADMIN_PASSWORD = "admin-passphrase"
NURSE_PASSWORD = "given-by-the-admin"


class Clock:
    def __init__(self):
        self.now = GUI_NOW

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db_path(database):
    """Every test of a database here runs on an SQLite file and on a server database."""
    return database


@pytest.fixture
def unit(db_path, clock):
    """A database with its administrator (ana, signed in) and a nurse (nuria) she added."""
    store = Store(db_path, "workstation", now=clock)
    store.accounts.add("ana", "Ana García", ["admin"], ADMIN_PASSWORD)
    store.accounts.sign_in("ana", ADMIN_PASSWORD)
    store.accounts.add("nuria", "Nuria López", ["nurse"], NURSE_PASSWORD)
    yield store
    store.close()


def events(store):
    return [(json.loads(new)["event"], json.loads(new)["login"], json.loads(new)["detail"]) for (new,) in
            store.db.execute("SELECT new_values FROM change_log WHERE table_name = 'audit_events' ORDER BY id")]


# -- the rules --------------------------------------------------------------------------------------

def test_a_password_shorter_than_the_minimum_is_refused_and_the_minimum_is_accepted():
    refused("password", rules.check_password, "x" * (rules.PASSWORD_MIN_LENGTH - 1), "ana")
    assert rules.check_password("x" * rules.PASSWORD_MIN_LENGTH, "ana")


def test_a_password_holding_the_login_is_refused():
    refused("password", rules.check_password, "nuria-at-the-ward", "nuria")


def test_a_password_is_kept_as_an_argon2id_hash_that_only_the_password_matches():
    stored = rules.hash_password("a-long-passphrase")
    assert stored.startswith("$argon2id$") and "a-long-passphrase" not in stored
    assert rules.password_matches(stored, "a-long-passphrase")
    assert not rules.password_matches(stored, "a-long-passphrasE")
    assert not rules.password_matches("not a hash", "a-long-passphrase")


def test_the_account_locks_at_the_fifth_failure_for_fifteen_minutes():
    assert rules.after_failure(rules.MAX_FAILED_LOG_INS - 2, GUI_NOW) == (rules.MAX_FAILED_LOG_INS - 1, None)
    assert rules.after_failure(rules.MAX_FAILED_LOG_INS - 1, GUI_NOW) == (
        rules.MAX_FAILED_LOG_INS, GUI_NOW + timedelta(minutes=rules.LOCK_MINUTES))
    assert rules.is_locked(GUI_NOW + timedelta(minutes=1), GUI_NOW)
    assert not rules.is_locked(GUI_NOW, GUI_NOW)


@pytest.mark.parametrize("login", ["A", "ana garcia", "1ana", "ana;drop", "x" * 33])
def test_a_login_that_could_be_mistaken_or_mistyped_is_refused(login):
    refused("login", rules.check_login, login)


def test_an_account_names_the_person_in_full():
    refused("full_name", rules.check_full_name, "Ana")


# -- accounts in the store --------------------------------------------------------------------------

def test_the_first_account_is_the_administrator_and_chose_its_own_password(db_path):
    with Store(db_path, "workstation") as store:
        refused("role", store.accounts.add, "nuria", "Nuria López", ["nurse"], NURSE_PASSWORD)
        first = store.accounts.add("ana", "Ana García", ["admin"], ADMIN_PASSWORD)
    assert first.roles == {"admin"} and not first.must_change_password and first.created_by == "workstation"


def test_after_the_first_account_only_a_signed_in_administrator_adds_one(db_path):
    with Store(db_path, "workstation") as store:
        store.accounts.add("ana", "Ana García", ["admin"], ADMIN_PASSWORD)
        refused("user", store.accounts.add, "nuria", "Nuria López", ["nurse"], NURSE_PASSWORD)


def test_an_account_an_administrator_made_must_change_its_password_at_first_log_in(unit):
    account = unit.accounts.authenticate("nuria", NURSE_PASSWORD)
    assert account.must_change_password
    refused("password", unit.accounts.sign_in, "nuria", NURSE_PASSWORD)
    unit.accounts.change_password("nuria", NURSE_PASSWORD, "my own words now")
    assert unit.accounts.sign_in("nuria", "my own words now").login == "nuria"
    assert unit.user == "nuria"


def test_a_wrong_password_and_an_unknown_login_get_the_same_sentence_and_are_recorded(unit):
    wrong = refused("password", unit.accounts.authenticate, "nuria", "not-her-password")
    unknown = refused("password", unit.accounts.authenticate, "nobody", "not-her-password")
    assert str(wrong) == str(unknown) == rules.WRONG_LOG_IN
    assert events(unit)[-2:] == [("log-in failed", "nuria", f"wrong password (1 of {rules.MAX_FAILED_LOG_INS})"),
                                 ("log-in failed", "nobody", "no such account")]


def test_a_successful_log_in_is_recorded_and_clears_the_failures(unit):
    refused("password", unit.accounts.authenticate, "nuria", "not-her-password")
    unit.accounts.authenticate("nuria", NURSE_PASSWORD)
    assert events(unit)[-1] == ("log-in", "nuria", "must change the password")
    assert unit.accounts.get("nuria").failed_log_ins == 0
    (who,) = unit.db.execute('SELECT "user" FROM change_log ORDER BY id DESC LIMIT 1').fetchone()
    assert who == "nuria"  # the log-in is the account's own act, not the workstation's


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one_until_the_lock_ends(unit, clock):
    for _ in range(rules.MAX_FAILED_LOG_INS - 1):
        assert str(refused("password", unit.accounts.authenticate, "nuria", "guess-guess-guess")) == rules.WRONG_LOG_IN
    locked = refused("password", unit.accounts.authenticate, "nuria", "guess-guess-guess")
    assert "locked after 5 failed log-ins" in str(locked)
    assert "locked after" in str(refused("password", unit.accounts.authenticate, "nuria", NURSE_PASSWORD))
    assert events(unit)[-1] == ("log-in failed", "nuria", "locked")
    clock.now += timedelta(minutes=rules.LOCK_MINUTES)
    assert unit.accounts.authenticate("nuria", NURSE_PASSWORD).login == "nuria"


def test_an_administrator_reset_unlocks_and_forces_a_change(unit):
    for _ in range(rules.MAX_FAILED_LOG_INS):
        refused("password", unit.accounts.authenticate, "nuria", "guess-guess-guess")
    unit.accounts.sign_in("ana", ADMIN_PASSWORD)
    unit.accounts.reset_password("nuria", "a-fresh-start-here")
    assert unit.accounts.authenticate("nuria", "a-fresh-start-here").must_change_password


def test_a_deactivated_account_cannot_sign_in_and_says_so_only_to_its_password(unit):
    unit.accounts.deactivate("nuria", "left the unit")
    assert "deactivated" in str(refused("password", unit.accounts.authenticate, "nuria", NURSE_PASSWORD))
    assert str(refused("password", unit.accounts.authenticate, "nuria", "guess-guess-guess")) == rules.WRONG_LOG_IN
    assert not unit.accounts.get("nuria").active


def test_an_account_is_never_deleted_nor_renamed(unit):
    with pytest.raises(schema_refusal(unit), match="never deleted"):
        unit.db.execute("DELETE FROM accounts WHERE login = 'nuria'")
    with pytest.raises(schema_refusal(unit), match="never renamed"):
        unit.db.execute("UPDATE accounts SET full_name = 'Someone Else' WHERE login = 'nuria'")
    refused("login", unit.accounts.add, "nuria", "Nuria Other", ["nurse"], NURSE_PASSWORD)


def test_the_only_administrator_cannot_be_deactivated_or_lose_the_role(unit):
    refused("login", unit.accounts.deactivate, "ana", "leaving")
    refused("login", unit.accounts.revoke, "ana", "admin")


def test_a_non_administrator_managing_accounts_is_refused_and_the_database_is_unchanged(unit, db_path):
    unit.accounts.change_password("nuria", NURSE_PASSWORD, "my own words now")
    unit.accounts.sign_in("nuria", "my own words now")
    before = snapshot(db_path)
    for call, args in ((unit.accounts.add, ("pablo", "Pablo Ruiz", ["nurse"], "pablo-passphrase")),
                       (unit.accounts.deactivate, ("ana", "a try")), (unit.accounts.grant, ("nuria", "admin")),
                       (unit.accounts.revoke, ("ana", "admin")),
                       (unit.accounts.reset_password, ("ana", "taken-over-now"))):
        with pytest.raises(NotAllowed, match="You may not add, deactivate or reset accounts"):
            call(*args)
    assert snapshot(db_path) == before


def test_no_password_nor_its_hash_is_written_to_the_change_log(unit):
    log = " ".join(str(row) for row in unit.db.execute("SELECT * FROM change_log"))
    assert NURSE_PASSWORD not in log and ADMIN_PASSWORD not in log and "$argon2" not in log


# -- roles and the access review --------------------------------------------------------------------

def test_granting_and_revoking_a_role_is_kept_with_who_and_when_in_the_access_review(unit, clock):
    clock.now += timedelta(days=2)
    unit.accounts.grant("nuria", "data-manager")
    clock.now += timedelta(days=1)
    unit.accounts.revoke("nuria", "nurse")
    assert unit.accounts.get("nuria").roles == {"data-manager"}
    review = {(g.login, g.role): g for g in unit.accounts.access_review()}
    assert (review["nuria", "nurse"].granted_by, review["nuria", "nurse"].revoked_by) == ("ana", "ana")
    assert review["nuria", "nurse"].revoked_at == clock.now
    assert (review["nuria", "data-manager"].granted_at, review["nuria", "data-manager"].revoked_at) == (
        GUI_NOW + timedelta(days=2), None)
    assert review["ana", "admin"].granted_by == "workstation"


def test_a_role_held_already_or_unknown_is_refused(unit):
    refused("role", unit.accounts.grant, "nuria", "nurse")
    refused("role", unit.accounts.grant, "nuria", "surgeon")
    refused("role", unit.accounts.revoke, "nuria", "physician")


# -- sessions -------------------------------------------------------------------------------------

def test_a_session_token_resumes_the_account_until_it_expires(unit, db_path, clock):
    token = unit.accounts.start_session()
    assert token not in " ".join(str(row) for row in unit.db.execute("SELECT * FROM sessions"))
    with Store(db_path, "workstation", now=clock) as later:
        assert later.accounts.resume(token).login == "ana" and later.user == "ana"
        clock.now += timedelta(hours=rules.SESSION_HOURS)
        assert "session ended" in str(refused("token", later.accounts.resume, token))


def test_a_session_ended_by_log_out_or_an_unknown_token_is_refused(unit):
    token = unit.accounts.start_session()
    unit.accounts.end_session(token)
    refused("token", unit.accounts.resume, token)
    refused("token", unit.accounts.resume, "made-up")
    assert events(unit)[-1] == ("log-out", "ana", None)


def test_the_session_of_an_account_deactivated_since_is_refused(unit):
    unit.accounts.grant("nuria", "admin")
    unit.accounts.change_password("nuria", NURSE_PASSWORD, "my own words now")
    unit.accounts.sign_in("nuria", "my own words now")
    token = unit.accounts.start_session()
    unit.accounts.sign_in("ana", ADMIN_PASSWORD)
    unit.accounts.deactivate("nuria", "left the unit")
    assert "not signed in" in str(refused("token", unit.accounts.resume, token))


def test_a_password_reset_ends_the_accounts_open_sessions(unit):
    unit.accounts.change_password("nuria", NURSE_PASSWORD, "my own words now")
    unit.accounts.sign_in("nuria", "my own words now")
    token = unit.accounts.start_session()
    unit.accounts.sign_in("ana", ADMIN_PASSWORD)
    unit.accounts.reset_password("nuria", "a-fresh-start-here")
    refused("token", unit.accounts.resume, token)


def test_an_authentication_inside_a_transaction_is_a_mistake_of_the_caller(unit):
    with unit.transaction(), pytest.raises(AssertionError):
        unit.accounts.authenticate("ana", ADMIN_PASSWORD)


def test_every_refusal_is_a_sentence_not_a_crash(unit):
    with pytest.raises(ClinicalInputError):
        unit.accounts.get("nobody")
