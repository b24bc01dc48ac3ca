"""The audit trail made readable: one reading of the change log and the audit events, filtered by
patient, user, kind and local days, in the store and on the command line; saved as CSV (safe for Excel)
and PDF; only for those who may read it; and every export and print is itself in it, with the login."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import GUI_NOW, GUI_TODAY, GUI_USER, TEST_PASSWORD, open_store, session_token, sign_in
from pypdf import PdfReader

from ari_desktop.cli import cli
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.store import Store
from ari_desktop.store.audit import TrailFilter

YESTERDAY = GUI_TODAY - timedelta(days=1)


@pytest.fixture
def db_path(database):
    """Each test of a database here runs on an SQLite file and on a server database."""
    return database


@pytest.fixture
def unit(db_path, add_patient):
    """ARI-001 registered yesterday by the clinician and corrected today ('=HYPERLINK' as its reason, as
    a prankster would type it); ARI-002 registered today; the nurse printed ARI-001's worksheet; a failed
    log-in of the monitor."""
    open_store(db_path).close()
    with Store(db_path, GUI_USER, today=lambda: YESTERDAY, now=lambda: GUI_NOW - timedelta(days=1)) as store:
        sign_in(store)
        add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=7))
    with open_store(db_path) as store:
        store.patients.correct("ARI-001", "=HYPERLINK(\"http://x\")", birth_year=1961)
        add_patient(store, "ARI-002", day0=GUI_TODAY - timedelta(days=3))
        sign_in(store, "nurse")
        store.audit.printed("worksheet of ARI-001 at D+7", "ARI-001_D+7_worksheet.pdf")
        with pytest.raises(ClinicalInputError):
            store.accounts.authenticate("monitor", "not-the-password")
    return db_path


def trail(db_path, **chosen):
    with open_store(db_path) as store:
        return store.audit.trail(TrailFilter(**chosen))


def run(db, *args, token=None):
    """A command in the clinician's session (export and sheet: stamped with the clinician's login)."""
    return CliRunner().invoke(cli, ["--db", str(db), *args],
                              env={"ARI_DESKTOP_TOKEN": token or session_token()})


def test_a_patients_trail_holds_its_records_and_the_prints_that_name_it_oldest_first(unit):
    entries = trail(unit, patient="ARI-001")
    assert {e.patient for e in entries} == {"ARI-001"} | {None}  # the print names it, in its words
    assert [e.id for e in entries] == sorted(e.id for e in entries)
    correction = next(e for e in entries if e.table == "patients" and e.action == "update")
    assert (correction.old, correction.new, correction.login, correction.full_name) == (
        {"birth_year": 1960}, {"birth_year": 1961}, GUI_USER, "Clara Clínica")
    assert any(e.kind.code == "print" for e in entries)
    assert not any(e.patient == "ARI-002" for e in entries)


def test_a_users_trail_holds_what_they_did_and_their_failed_log_ins(unit):
    # The monitor's failed log-in counted on the nurse's workstation: that write is stamped with her login.
    assert [(e.kind.code, e.account) for e in trail(unit, user="nurse", start=GUI_TODAY)] == [
        ("print", None), ("account", "monitor")]
    assert [(e.kind.code, e.new["detail"]) for e in trail(unit, user="monitor", start=GUI_TODAY)] == [
        ("failed-log-in", "wrong password (1 of 5)")]


def test_a_kind_keeps_only_its_entries(unit):
    assert {e.table for e in trail(unit, kind="record")} <= {"patients", "recordings"}
    assert {e.kind.label for e in trail(unit, kind="role")} == {"Role change"}
    assert [e.login for e in trail(unit, kind="print")] == ["nurse"]


def test_dates_are_local_days_both_included(unit):
    yesterday = trail(unit, start=YESTERDAY, end=YESTERDAY)
    assert yesterday and {e.at.date() for e in yesterday} == {YESTERDAY}
    assert {e.at.date() for e in trail(unit, start=GUI_TODAY, end=GUI_TODAY)} == {GUI_TODAY}
    assert len(trail(unit, end=YESTERDAY)) + len(trail(unit, start=GUI_TODAY)) == len(trail(unit))


def test_a_filter_that_cannot_hold_anything_is_one_sentence(unit):
    with open_store(unit) as store:
        with pytest.raises(ClinicalInputError, match="The from date 2025-03-10 is after the to date 2025-03-09"):
            store.audit.trail(TrailFilter(start=GUI_TODAY, end=YESTERDAY))
        with pytest.raises(ClinicalInputError, match="'coffee' is not a kind"):
            store.audit.count(TrailFilter(kind="coffee"))


def test_a_page_of_the_trail_is_read_in_sql_limit_and_offset(unit):
    with open_store(unit) as store:
        every = store.audit.trail()
        assert store.audit.count() == len(every)
        assert [e.id for e in store.audit.trail(limit=3, offset=2)] == [e.id for e in every[2:5]]
        assert [e.id for e in store.audit.each()] == [e.id for e in every]


def test_audit_verify_still_checks_the_chain(unit):
    result = run(unit, "audit", "verify")
    assert result.exit_code == 0 and result.stdout.endswith("entries, chain intact.\n")


def test_the_command_line_filters_as_the_store(unit):
    def listed(*args):
        result = run(unit, "audit", *args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert {e["patient"] for e in listed("--patient", "ARI-002", "--kind", "record")} == {"ARI-002"}
    assert [e["what"] for e in listed("--user", "nurse", "--kind", "print")] == [
        "worksheet of ARI-001 at D+7 → ARI-001_D+7_worksheet.pdf"]
    assert [e["kind"] for e in listed("--kind", "failed-log-in")] == ["failed-log-in"]
    days = {e["local_time"][:10] for e in listed("--from", str(YESTERDAY), "--to", str(YESTERDAY))}
    assert days == {str(YESTERDAY)}
    text = run(unit, "audit", "--patient", "ARI-001", "--kind", "record").stdout
    assert "clinician (Clara Clínica)  Record change  ARI-001  Registration 1 corrected" in text
    assert "birth year: 1960 → 1961" in text and 'why: =HYPERLINK("http://x")' in text


def test_a_nurse_may_not_read_the_audit_trail(unit):
    token = CliRunner().invoke(cli, ["--db", str(unit), "login", "--user", "nurse", "--password-stdin",
                                     "--print-token"], input=TEST_PASSWORD + "\n").stdout.strip()
    for command in (["audit"], ["access-review"]):
        result = run(unit, *command, token=token)
        assert result.exit_code == 2
        assert result.stderr == ("ari-desktop: You may not read the audit trail: nurse (nurse) does not hold the "
                                 "role it needs (data-manager or monitor or admin).\n")


def test_the_csv_keeps_every_entry_and_a_formula_typed_as_a_reason_stays_text(unit, tmp_path):
    out = tmp_path / "trail.csv"
    result = run(unit, "audit", "--patient", "ARI-001", "--csv", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(trail(unit, patient="ARI-001"))
    corrected = next(r for r in rows if r["what"] == "Registration 1 corrected")
    assert corrected["reason"] == "'=HYPERLINK(\"http://x\")"
    assert corrected["changes"] == "birth year: 1960 → 1961" and corrected["login"] == GUI_USER
    assert corrected["time_utc"].endswith("+00:00") and corrected["local_time"][:10] == str(GUI_TODAY)


def test_the_pdf_shows_the_filter_and_the_entries(unit, tmp_path):
    out = tmp_path / "trail.pdf"
    result = run(unit, "audit", "--patient", "ARI-001", "--kind", "record", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    assert "Audit trail" in text and "Filter: patient ARI-001 · Record change" in text
    assert "Registration 1 corrected" in text and "birth year: 1960 → 1961" in text
    assert "Page 1 of" in text and f"by {GUI_USER} (Clara Clínica)" in text
    review = tmp_path / "review.pdf"
    assert run(unit, "access-review", "--pdf", str(review)).exit_code == 0
    text = " ".join(PdfReader(review).pages[0].extract_text().split())
    assert "Access review" in text and "Mónica Monitora" in text and "data-manager" in text


def test_an_export_and_a_print_are_in_the_audit_trail_with_the_login(unit, tmp_path):
    assert run(unit, "export", "--out", str(tmp_path / "export")).exit_code == 0
    assert run(unit, "sheet", "ARI-001", "--timepoint", "D+7", "-o", str(tmp_path / "sheet.pdf")).exit_code == 0
    assert run(unit, "audit", "--csv", str(tmp_path / "trail.csv")).exit_code == 0
    logged = [(e["login"], e["kind"], e["what"]) for e in json.loads(
        run(unit, "audit", "--user", GUI_USER, "--from", str(GUI_TODAY), "--json").stdout)
        if e["kind"] in ("export", "print")]
    assert logged[0] == (GUI_USER, "export", f"15 files of the tables (analysis) → {tmp_path / 'export'}")
    assert logged[1] == (GUI_USER, "print", f"worksheet of ARI-001 at D+7 → {tmp_path / 'sheet.pdf'}")
    assert logged[2] == (GUI_USER, "export", f"audit trail (every entry) → {tmp_path / 'trail.csv'}")
    # The print names the patient: it is in the patient's trail too.
    assert any(e.kind.code == "print" and e.login == GUI_USER for e in trail(unit, patient="ARI-001"))
