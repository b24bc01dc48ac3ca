"""The visit worksheet shows the electronic signatures of what was recorded for the visit (TRUST.md 10):
the printed name, the date and time with the zone and the meaning; or "not signed"; or "void" once a
correction came after the signature. In English and Spanish, on one A4 page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from conftest import GUI_NOW, GUI_TODAY, TEST_PASSWORD, open_store, sign_in
from pypdf import PdfReader

from ari_desktop.core.toxicity import BedsideFindings
from ari_desktop.printing import visit_worksheet
from ari_desktop.printing.visits import find_visit, signed_records

ZONE = f"{GUI_NOW.astimezone():%Z}"


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture
def unit(tmp_path, add_patient):
    """ARI-003 on day +3 (fraction 2): a nurse's assessment reviewed by a physician, one corrected after
    it was signed, one never signed, and a hold signed by the physician."""
    store = open_store(tmp_path / "unit.db")
    add_patient(store, "ARI-003", day0=GUI_TODAY - timedelta(days=3))
    sign_in(store, "nurse")
    reviewed = store.assessments.add("ARI-003", GUI_NOW - timedelta(hours=3), BedsideFindings(38.4, ice=10))
    corrected = store.assessments.add("ARI-003", GUI_NOW - timedelta(hours=2), BedsideFindings(37.2, ice=10))
    store.assessments.add("ARI-003", GUI_NOW - timedelta(hours=1), BedsideFindings(36.8, ice=10))
    store.signatures.sign("assessments", corrected.id, "performed", "nurse", TEST_PASSWORD)
    store.assessments.correct(corrected.id, BedsideFindings(38.2, ice=10), corrected.treatments, "misread thermometer")
    store.signatures.sign("assessments", reviewed.id, "reviewed", "physician", TEST_PASSWORD)
    decision = store.fractions.decide("ARI-003", "D+3", "hold", "CRS grade 1 overnight",
                                      decided_at=GUI_NOW - timedelta(minutes=30))
    store.signatures.sign("fraction_decisions", decision.id, None, "physician", TEST_PASSWORD)
    yield store
    store.close()


def test_the_visit_holds_its_assessments_and_go_hold_decisions_with_their_signatures(unit):
    records = signed_records(unit, find_visit(unit, "ARI-003", "D+3"))
    assert [r.table for r in records] == ["assessments"] * 3 + ["fraction_decisions"]
    assert [[status for _, status in r.signatures] for r in records] == [["valid"], ["void"], [], ["valid"]]


def test_the_worksheet_prints_each_signature_with_name_time_zone_and_meaning_or_why_there_is_none(unit, tmp_path):
    out = tmp_path / "sheet.pdf"
    visit_worksheet(unit, "ARI-003", "D+3", out)
    text = pdf_text(out)
    assert "Electronic signatures of what is recorded for this visit" in text
    assert (f"Bedside assessment 06:30: CRS grade 1, ICANS grade 0 Pau Metge {GUI_NOW:%Y-%m-%d %H:%M} {ZONE} "
            "reviewed") in text
    assert "Bedside assessment 07:30: CRS grade 1, ICANS grade 0 void (corrected after signing)" in text
    assert "Bedside assessment 08:30: CRS grade 0, ICANS grade 0 not signed" in text
    assert f"Go / hold before D+3: Hold Pau Metge {GUI_NOW:%Y-%m-%d %H:%M} {ZONE} hold" in text
    page = PdfReader(out).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx((595.28, 841.89), abs=0.5)


def test_the_spanish_worksheet_says_the_signatures_in_spanish(unit, tmp_path):
    out = tmp_path / "hoja.pdf"
    visit_worksheet(unit, "ARI-003", "D+3", out, lang="es")
    text = pdf_text(out)
    assert "Firmas electrónicas de lo registrado en esta visita" in text
    assert f"Pau Metge {GUI_NOW:%Y-%m-%d %H:%M} {ZONE} revisada" in text
    assert "anulada (corregido tras la firma)" in text and "sin firmar" in text
    assert f"Administrar / aplazar antes de D+3: Aplazar Pau Metge {GUI_NOW:%Y-%m-%d %H:%M} {ZONE} aplazada" in text


def test_a_visit_with_nothing_recorded_yet_prints_no_signature_block(tmp_path, add_patient):
    store = open_store(tmp_path / "empty.db")
    add_patient(store, "ARI-003", day0=GUI_TODAY - timedelta(days=3))
    out = tmp_path / "sheet.pdf"
    visit_worksheet(store, "ARI-003", "D+3", out)
    assert "Electronic signatures" not in pdf_text(out)
    store.close()
