"""Spanish printouts print the protocol file's Spanish words (activities, samples, tubes, laboratories,
timepoints, notes, the trial's title); English printouts keep the file's English words."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import open_store
from pypdf import PdfReader

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.printing import daily_worklist, tube_labels, visit_worksheet
from ari_desktop.printing.labels import labels_for
from ari_desktop.printing.visits import find_visit

FIXED = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 8, 30).astimezone()
SPANISH = ("BCMA soluble", "Suero", "EDTA (tapón lila)", "Laboratorio de Inmunología")
ENGLISH = ("Soluble BCMA", "Serum gel (gold)", "EDTA (lavender)", "Immunology laboratory")


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture
def clinic(tmp_path: Path):
    """ARI-007 at day +7 (fraction 3), ARI-005 at day +5 with fraction 2 held, ARI-028 at day +28."""
    store = open_store(tmp_path / "clinic.db", today=lambda: FIXED, now=lambda: NOW)
    for study_id, days in (("ARI-007", 7), ("ARI-005", 5), ("ARI-028", 28)):
        day0 = FIXED - timedelta(days=days)
        anchors = Anchors(screening=day0 - timedelta(days=40), day0=day0)
        store.patients.add(check_new_patient(study_id, "MG", "F", 1961, anchors, store.protocol, FIXED))
    yield store
    store.close()


def test_a_spanish_worksheet_prints_the_protocols_spanish_words(clinic, tmp_path):
    text = text_of(visit_worksheet(clinic, "ARI-007", "D+7", tmp_path / "hoja.pdf", lang="es"))
    for expected in SPANISH + ("Día +7", "Heparina de litio (tapón verde)", "Laboratorio de Hematología",
                               "Hemograma", "Fracción 3 (60 % de la dosis), tras decisión de administrar",
                               "Valoración de SLC e ICANS (constantes, ICE)", "cesnicabtagén autoleucel"):
        assert expected in text, expected
    for absent in ENGLISH + ("Day +7", "Blood count", "Fraction 3", "relapsed/refractory"):
        assert absent not in text, absent
    assert "D+7" in text  # study-day codes are the same in both languages


def test_the_english_worksheet_keeps_the_protocols_english_words(clinic, tmp_path):
    text = text_of(visit_worksheet(clinic, "ARI-007", "D+7", tmp_path / "sheet.pdf"))
    for expected in ENGLISH + ("Day +7", "Fraction 3 (60 % of the dose), after a go decision",
                               "relapsed/refractory multiple myeloma"):
        assert expected in text, expected
    for absent in SPANISH[:1] + ("Día +7", "tapón", "Laboratorio"):
        assert absent not in text, absent


def test_spanish_labels_print_the_protocols_spanish_words(clinic, tmp_path):
    text = text_of(tube_labels(clinic, "ARI-007", "D+7", tmp_path / "etiquetas.pdf", lang="es"))
    for expected in SPANISH + ("Hemograma", "Sangre periférica", "D+7"):
        assert expected in text, expected
    for absent in ENGLISH:
        assert absent not in text, absent


def test_english_labels_are_made_of_the_schedules_own_words(clinic):
    visit = find_visit(clinic, "ARI-028", "D+28")
    labels = labels_for(visit, clinic.today())
    entries = list(visit.samples)
    assert [label.title for label in labels] == [e.item.label for e in entries]
    assert ("Soluble BCMA", "Serum", "Serum gel (gold)", "Immunology laboratory") in {
        (label.title, label.sample, label.tube, label.lab) for label in labels}


def test_a_visit_title_is_in_the_visits_language(clinic):
    visit = find_visit(clinic, "ARI-028", "D+28")
    assert visit.title == "Day +28 + Month 1 (with the D+28 visit)"
    assert visit.in_language("es").title == "Día +28 + Mes 1 (con la visita del D+28)"


def test_a_held_fraction_says_so_in_spanish(clinic, tmp_path):
    held_on = datetime.combine(FIXED - timedelta(days=2), datetime.min.time()).astimezone() + timedelta(hours=8)
    clinic.fractions.decide("ARI-005", "D+3", "hold", "SLC grado 2", decided_at=held_on)
    text = text_of(visit_worksheet(clinic, "ARI-005", "D+5", tmp_path / "hoja.pdf", lang="es"))
    assert "Día +5 (D+5)" in text
    assert ("Fracción 2 (30 % de la dosis), tras decisión de administrar; aplazada, puede administrarse hasta "
            "7 días más tarde") in text
    english = text_of(visit_worksheet(clinic, "ARI-005", "D+5", tmp_path / "sheet.pdf"))
    assert "Fraction 2 (30 % of the dose), after a go decision; held, may be given up to 7 days late" in english


def test_the_spanish_worklist_prints_the_protocols_spanish_words(clinic, tmp_path):
    text = text_of(daily_worklist(clinic, FIXED, tmp_path / "lista.pdf", lang="es"))
    for expected in SPANISH[:1] + ("EDTA (tapón lila)", "Laboratorio de Inmunología", "Hemograma"):
        assert expected in text, expected
    for absent in ENGLISH:
        assert absent not in text, absent
    assert "Soluble BCMA" in text_of(daily_worklist(clinic, FIXED, tmp_path / "list.pdf"))


def test_a_refusal_stays_in_one_english_sentence_whatever_the_language(clinic, tmp_path):
    with pytest.raises(ClinicalInputError, match="There is no sample to label at Day \\+5 for ARI-007"):
        tube_labels(clinic, "ARI-007", "D+5", tmp_path / "none.pdf", lang="es")
