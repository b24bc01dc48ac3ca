"""Electronic signatures: the password entered again, the signer's printed name and meaning kept, and
the signature bound to the record's content: a correction voids it, a copy onto another record is void."""

import re
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from conftest import refused, row_counts, schema_refusal, snapshot

from ari_desktop.cli import cli
from ari_desktop.core import signatures as rules
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.roles import NotAllowed
from ari_desktop.core.toxicity import BedsideFindings, Treatments
from ari_desktop.store import Store

TODAY = date(2026, 11, 26)
DAY0 = date(2026, 11, 16)
NOW = datetime(2026, 11, 26, 15, 0).astimezone()
ADMIN, NURSE, DOCTOR, MONITOR = "admin-passphrase", "nurse-passphrase", "doctor-passphrase", "monitor-passphrase"


def at(day: int, hour: int = 8) -> datetime:
    return datetime.combine(DAY0 + timedelta(days=day), datetime.min.time()).replace(hour=hour).astimezone()


@pytest.fixture
def unit(database):
    """A patient with two assessments and a go at D+3; a nurse, a physician and a monitor who chose
    their passwords (must_change_password cleared as at a first log-in)."""
    with Store(database, "workstation", today=lambda: TODAY, now=lambda: NOW) as store:
        store.accounts.add("ana", "Ana García", ["admin"], ADMIN)
        store.accounts.sign_in("ana", ADMIN)
        staff = (("nuria", "Nuria López", "nurse", NURSE), ("pablo", "Pablo Ruiz", "physician", DOCTOR),
                 ("marta", "Marta Gil", "monitor", MONITOR))
        for login, name, role, _ in staff:
            store.accounts.add(login, name, [role], "given-by-the-admin")
        for login, _, _, password in staff:
            store.accounts.change_password(login, "given-by-the-admin", password)
        store.accounts.sign_in("pablo", DOCTOR)  # a physician registers, assesses and decides
        store.patients.add(check_new_patient("ARI-001", "AB", "F", 1960, Anchors(date(2026, 9, 1), DAY0),
                                             store.protocol, TODAY))
        store.assessments.add("ARI-001", at(3), BedsideFindings(37.0))
        store.assessments.add("ARI-001", at(3, 9), BedsideFindings(37.1))
        store.fractions.decide("ARI-001", "D+3", "go", "", at(3, 10))
        yield store


def test_a_signature_keeps_the_printed_name_the_meaning_the_time_and_the_content_hash(unit):
    signed = unit.signatures.sign("assessments", 1, "performed", "nuria", NURSE)
    assert (signed.full_name, signed.login, signed.meaning, signed.signed_at) == ("Nuria López", "nuria",
                                                                                   "performed", NOW)
    assert len(signed.content_hash) == 64
    assert unit.signatures.of("assessments", 1) == [(signed, "valid")]


def test_a_signature_is_in_the_audit_chain_and_cannot_be_changed_or_removed(unit):
    unit.signatures.sign("assessments", 1, "reviewed", "pablo", DOCTOR)
    assert unit.db.execute("SELECT \"user\" FROM change_log WHERE table_name = 'signatures'").fetchall() == [("pablo",)]
    assert unit.audit.verify()[1] is None  # the chain is intact
    for statement in ("UPDATE signatures SET meaning = 'reviewed'", "DELETE FROM signatures"):
        with pytest.raises(schema_refusal(unit), match="never changed or removed"):
            unit.db.execute(statement)


def test_a_correction_voids_the_signature_until_it_is_signed_again(unit):
    unit.signatures.sign("assessments", 1, "performed", "nuria", NURSE)
    unit.assessments.correct(1, BedsideFindings(38.4), Treatments(), "temperature misread")
    assert [status for _, status in unit.signatures.of("assessments", 1)] == ["void"]
    unit.signatures.sign("assessments", 1, "performed", "nuria", NURSE)
    assert [status for _, status in unit.signatures.of("assessments", 1)] == ["void", "valid"]


def test_the_same_findings_on_another_record_do_not_carry_the_signature():
    one = {"id": 1, "temperature_c": 37.0, "recorded_at": "2026-11-19T07:00:00+00:00"}
    assert rules.content_hash("assessments", one) != rules.content_hash("assessments", {**one, "id": 2})
    assert rules.content_hash("assessments", one) == rules.content_hash("assessments", {**one, "recorded_at": "x"})


def test_a_signature_copied_onto_another_record_by_hand_is_void(unit):
    unit.signatures.sign("assessments", 1, "performed", "nuria", NURSE)
    unit.db.execute("INSERT INTO signatures (table_name, row_id, content_hash, meaning, account_id, login, full_name,"
                    " signed_at) SELECT table_name, 2, content_hash, meaning, account_id, login, full_name,"
                    " signed_at FROM signatures WHERE row_id = 1")
    assert [status for _, status in unit.signatures.of("assessments", 2)] == ["void"]


def test_a_wrong_password_is_refused_counted_and_writes_no_signature(unit):
    before = unit.db.execute("SELECT count(*) FROM signatures").fetchone()
    error = refused("password", unit.signatures.sign, "assessments", 1, "performed", "nuria", "not-her-password")
    assert str(error) == "The login or the password is wrong."
    assert unit.accounts.get("nuria").failed_log_ins == 1
    assert unit.db.execute("SELECT count(*) FROM signatures").fetchone() == before
    assert unit.db.execute("SELECT table_name FROM change_log ORDER BY id DESC LIMIT 2").fetchall() == [
        ("audit_events",), ("accounts",)]


def test_a_monitor_cannot_sign(unit):
    with pytest.raises(NotAllowed, match="You may not sign a bedside assessment"):
        unit.signatures.sign("assessments", 1, "reviewed", "marta", MONITOR)
    assert unit.signatures.of("assessments", 1) == []


def test_only_a_physician_signs_a_go_or_hold_and_its_meaning_is_the_decision(unit):
    with pytest.raises(NotAllowed, match="You may not sign a go/hold decision"):
        unit.signatures.sign("fraction_decisions", 1, None, "nuria", NURSE)
    refused("meaning", unit.signatures.sign, "fraction_decisions", 1, "hold", "pablo", DOCTOR)
    assert unit.signatures.sign("fraction_decisions", 1, None, "pablo", DOCTOR).meaning == "go"


def test_an_assessment_is_signed_as_performed_or_reviewed_only(unit):
    refused("meaning", unit.signatures.sign, "assessments", 1, "go", "pablo", DOCTOR)


def test_a_record_that_does_not_exist_is_not_signed_and_no_password_is_counted(unit):
    refused("id", unit.signatures.sign, "assessments", 99, "performed", "nuria", "not-her-password")
    assert unit.accounts.get("nuria").failed_log_ins == 0


def test_an_id_too_long_for_the_database_names_no_record(unit):
    refused("id", unit.signatures.sign, "assessments", 2**63, "performed", "nuria", NURSE)
    assert unit.signatures.of("assessments", 2**63) == []


def test_only_assessments_and_decisions_are_signed(unit):
    refused("table", unit.signatures.sign, "patients", 1, "performed", "nuria", NURSE)


# -- the command line ---------------------------------------------------------------------------------

def run(db, *args, input=None):
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=input)


@pytest.fixture
def unit_db(unit):
    unit.close()
    return unit.path


def test_the_command_line_signs_and_lists_name_time_zone_meaning_and_status(unit_db):
    done = run(unit_db, "sign", "assessment", "1", "--meaning", "performed", "--user", "nuria", "--password-stdin",
               input=NURSE + "\n")
    assert done.exit_code == 0, done.output
    assert "Signed as performed by Nuria López (nuria)" in done.output
    listed = run(unit_db, "signatures", "assessment", "1", "--user", "marta", "--password-stdin", input=MONITOR + "\n")
    assert re.fullmatch(r"Nuria López  \d{4}-\d\d-\d\d \d\d:\d\d \S+  performed  valid\n", listed.output), listed.output
    assert run(unit_db, "sign", "decision", "1", "--user", "pablo", "--password-stdin",
               input=DOCTOR + "\n").exit_code == 0
    assert '"meaning": "go"' in run(unit_db, "signatures", "decision", "1", "--json", "--user", "marta",
                                    "--password-stdin", input=MONITOR + "\n").output


@pytest.mark.parametrize(("args", "password", "sentence"), [
    (("assessment", "1", "--meaning", "performed", "--user", "nuria"), "wrong-password", "The login or the password"),
    (("assessment", "7", "--meaning", "performed", "--user", "nuria"), NURSE, "There is no assessment with the id 7."),
    (("assessment", "1", "--meaning", "reviewed", "--user", "marta"), MONITOR, "You may not sign"),
    (("decision", "1", "--user", "nuria"), NURSE, "You may not sign a go/hold decision"),
])
def test_a_refused_signature_is_one_sentence_and_exit_2(unit_db, args, password, sentence):
    before = row_counts(unit_db, ["signatures"])
    done = run(unit_db, "sign", *args, "--password-stdin", input=password + "\n")
    assert done.exit_code == 2 and sentence in done.output and done.output.count("\n") == 1, done.output
    assert row_counts(unit_db, ["signatures"]) == before


def test_listing_signatures_writes_nothing(unit_db):
    with Store(unit_db, "set-up") as store:  # the monitor's session, as after ari-desktop login
        store.accounts.sign_in("marta", MONITOR)
        session = {"ARI_DESKTOP_TOKEN": store.accounts.start_session()}
    digest = snapshot(unit_db)
    listed = CliRunner().invoke(cli, ["--db", str(unit_db), "signatures", "assessment", "1"], env=session)
    assert listed.output == "The assessment 1 is not signed.\n"
    assert snapshot(unit_db) == digest
