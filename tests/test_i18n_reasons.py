"""The clinical rules' reasons in the window's language, English where they are recorded and in JSON.

The ASTCT grade reasons: the live grade's reason in Spanish and Catalan, the stored reason English (the record),
and a stored assessment's reason shown in Catalan only when grading its findings again gives the same grade and
reason (else as it was recorded). The Cairo-Bishop TLS reading, and the IMWG confirmation and MRD sentences."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import GUI_TODAY, untranslated_texts
from PySide6.QtCore import Qt

from ari_desktop import i18n
from ari_desktop.core import grading
from ari_desktop.core.ctcae import TlsLabs, tumour_lysis
from ari_desktop.core.response import Mrd, Nadir, ResponseAssessment, confirmations, imwg_response, mrd_negative
from ari_desktop.core.toxicity import BedsideFindings

DAY0 = GUI_TODAY - timedelta(days=7)


@pytest.fixture
def speaking():
    yield i18n.use
    i18n.use("en")


@pytest.mark.parametrize(("grade", "english", "spanish", "catalan"), [
    (grading.crs(37.2), "grade 0: no fever (37.2 °C)",
     "grado 0: sin fiebre (37.2 °C)", "grau 0: sense febre (37.2 °C)"),
    (grading.crs(38.5, hypotension=True, oxygen="nasal-cannula", flow_l_min=4),
     "grade 2: hypotension without vasopressors and low-flow nasal cannula ≤ 6 L/min (4 L/min)",
     "grado 2: hipotensión que no precisa vasopresores y gafas nasales de bajo flujo ≤ 6 L/min (4 L/min)",
     "grau 2: hipotensió que no requereix vasopressors i ulleres nasals de baix flux ≤ 6 L/min (4 L/min)"),
    (grading.crs(38.0, vasopressors=1, oxygen="high-flow-nasal-cannula"),
     "grade 3: one vasopressor and high-flow nasal cannula",
     "grado 3: un vasopresor y gafas nasales de alto flujo", "grau 3: un vasopressor i ulleres nasals d'alt flux"),
    (grading.crs(37.0, fever_masked=True, vasopressors=2, vasopressin=True),
     "grade 4: 2 vasopressors (plus vasopressin); fever masked by treatment (37.0 °C)",
     "grado 4: 2 vasopresores (más vasopresina); fiebre enmascarada por el tratamiento (37.0 °C)",
     "grau 4: 2 vasopressors (més vasopressina); febre emmascarada pel tractament (37.0 °C)"),
    (grading.icans(6, consciousness="awakens-to-voice"), "grade 2: ICE 6/10; awakens to voice",
     "grado 2: ICE 6/10; despierta a la voz", "grau 2: ICE 6/10; es desperta amb la veu"),
    (grading.icans(10), "grade 0: ICE 10/10, alert, no seizure, motor weakness or cerebral oedema",
     "grado 0: ICE 10/10, alerta, sin crisis epilépticas, debilidad motora ni edema cerebral",
     "grau 0: ICE 10/10, alerta, sense crisis epilèptiques, debilitat motora ni edema cerebral"),
])
def test_a_grade_reason_is_english_as_recorded_and_shown_in_the_window_language(grade, english, spanish, catalan,
                                                                                 speaking):
    assert grade.reason == english
    speaking("es")
    assert grade.shown == spanish
    assert grade.reason == english  # the record and JSON stay English whatever the window speaks
    speaking("ca")
    assert grade.shown == catalan
    assert grade.finding == catalan.split(": ", 1)[1]


def test_a_reason_read_back_as_text_is_shown_as_it_is(speaking):
    speaking("ca")
    stored = grading.Grade(2, "grade 2: some older wording")
    assert stored.shown == "grade 2: some older wording"
    assert stored.finding == "some older wording"


def test_the_words_do_not_make_two_equal_grades_differ():
    assert grading.crs(37.2) == grading.Grade(0, "grade 0: no fever (37.2 °C)")


@pytest.fixture
def assessed(store, add_patient):
    add_patient(store, "ARI-001", day0=DAY0, screening=DAY0 - timedelta(days=30))
    at = datetime.combine(DAY0 + timedelta(days=2), datetime.min.time()).replace(hour=8).astimezone()
    return store.assessments.add("ARI-001", at, BedsideFindings(38.6, oxygen="nasal-cannula", flow_l_min=4.0,
                                                                ice=8))


def the_table(store):
    from ari_desktop.gui.toxicity.toxicity_models import AssessmentRow, AssessmentTableModel

    model = AssessmentTableModel()
    model.set_rows([AssessmentRow(a, "D+2", ()) for a in store.assessments.of("ARI-001")])
    headers = [model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(model.columnCount())]
    return model, headers


def cell(model, headers, header: str) -> str:
    return model.index(0, headers.index(header)).data()


def test_the_assessments_table_shows_a_stored_reason_in_catalan_when_grading_again_agrees(qapp, store, assessed,
                                                                                          speaking):
    speaking("ca")
    model, headers = the_table(store)
    assert cell(model, headers, "SAC") == "2 — ulleres nasals de baix flux ≤ 6 L/min (4 L/min)"
    assert cell(model, headers, "ICANS") == "1 — ICE 8/10"
    assert "grau" not in model.index(0, 0).data()
    tip = model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "ulleres nasals de baix flux ≤ 6 L/min (4 L/min)" in tip
    assert store.assessments.of("ARI-001")[0].crs.reason == "grade 2: low-flow nasal cannula ≤ 6 L/min (4 L/min)"


def test_the_assessments_table_shows_the_stored_text_when_grading_again_disagrees(qapp, store, assessed, speaking):
    """A reason recorded under other wording (or other rules) is shown as it was recorded, never replaced by
    what today's rules would say."""
    recorded = "grade 2: nasal cannula 4 L/min (wording of an earlier version)"
    with store.transaction():
        store.write("assessments", assessed.id, {"crs_reason": recorded}, "an earlier version's wording")
    speaking("ca")
    model, headers = the_table(store)
    assert cell(model, headers, "SAC") == "2 — nasal cannula 4 L/min (wording of an earlier version)"
    assert cell(model, headers, "ICANS") == "1 — ICE 8/10"


def test_a_tls_reading_is_english_as_written_into_json_and_shown_in_catalan(speaking):
    reading = tumour_lysis(TlsLabs(500.0, 6.1, 1.2, 2.3), creatinine_x_uln=1.2)
    english = ("laboratory TLS: uric acid 500 µmol/L (≥ 476 µmol/L); potassium 6.1 mmol/L (≥ 6.0 mmol/L); "
               "no clinical criterion (creatinine ≥ 1.5 × ULN, arrhythmia, seizure)")
    assert reading.reason == english
    speaking("ca")
    assert reading.shown == ("SLT analítica: àcid úric 500 µmol/L (≥ 476 µmol/L); potassi 6.1 mmol/L (≥ 6.0 mmol/L); "
                             "cap criteri clínic (creatinina ≥ 1,5 × LSN, arítmia, crisi epilèptica)")
    assert reading.reason == english
    none = tumour_lysis(TlsLabs(300.0, 4.0), arrhythmia=True)
    assert none.shown == ("sense SLT analítica: cap criteri complert; no mesurats: fosfat, calci; arítmia o mort "
                          "sobtada sense SLT analítica no és SLT clínica")


def test_the_tls_dialog_shows_its_reading_in_the_window_language(qtbot, store, add_patient, pseudo_language):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.toxicity.count_dialog import TlsLabsDialog

    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=2))
    dialog = TlsLabsDialog(Session(store), "ARI-001")
    qtbot.addWidget(dialog)
    for name, text in (("uric_acid", "500"), ("potassium", "6.1"), ("phosphate", "1.2"), ("calcium", "2.3")):
        qtbot.keyClicks(dialog.fields[name], text)
    shown = dialog.finding_text()
    assert shown.startswith("⚠ ⟪Laboratory TLS⟫ — ⟪laboratory TLS: ⟪⟪uric acid⟫ 500 µmol/L (≥ 476 µmol/L)⟫"), shown
    assert shown.endswith("; no clinical criterion (creatinine ≥ 1.5 × ULN, arrhythmia, seizure)⟫"), shown
    assert untranslated_texts(dialog, ("AB",)) == []


def test_the_imwg_confirmation_and_mrd_sentences_are_english_in_json_and_catalan_in_the_window(speaking):
    screening = ResponseAssessment(serum_m_g_dl=2.0, urine_m_mg_24h=50.0, serum_ife="positive", urine_ife="positive",
                                   kappa_mg_l=200.0, lambda_mg_l=10.0, marrow_plasma_cells_pct=40.0)
    first, second = confirmations(screening, [ResponseAssessment(serum_m_g_dl=1.0),
                                              ResponseAssessment(serum_m_g_dl=0.9)])
    mrd = mrd_negative(Mrd("next-generation flow", 1e-5, "negative"))
    assert first.reason == "PR awaits confirmation at the next assessment."
    assert second.reason == "PR confirmed: PR at the previous assessment and PR at this one."
    assert mrd.reason == "MRD negative by next-generation flow at a sensitivity of 1e-05."
    speaking("ca")
    assert first.shown == "PR pendent de confirmació a la propera avaluació."
    assert second.shown == "PR confirmada: PR a l'avaluació anterior i PR en aquesta."
    assert mrd.shown == "MRM negativa per citometria de flux de nova generació amb una sensibilitat de 1e-05."
    assert mrd.reason == "MRD negative by next-generation flow at a sensitivity of 1e-05."


def test_the_imwg_criterion_and_missing_sentences_are_english_in_json_and_spanish_or_catalan_in_the_window(speaking):
    screening = ResponseAssessment(serum_m_g_dl=2.0, urine_m_mg_24h=50.0, serum_ife="positive", urine_ife="positive",
                                   kappa_mg_l=200.0, lambda_mg_l=10.0, marrow_plasma_cells_pct=40.0)
    vgpr = imwg_response(screening, Nadir(serum_m_g_dl=2.0), ResponseAssessment(serum_m_g_dl=0.1, urine_m_mg_24h=50.0))
    progression = imwg_response(screening, Nadir(serum_m_g_dl=0.5),
                                ResponseAssessment(serum_m_g_dl=1.5, new_lesion=True))
    none = imwg_response(ResponseAssessment(), Nadir(), ResponseAssessment(serum_ife="negative"))
    english = (vgpr.criterion, progression.criterion, none.criterion, none.missing)
    assert vgpr.criterion == "VGPR: serum M-protein down 95 % (2 to 0.1 g/dL), urine M-protein 50 mg/24 h."
    assert progression.criterion == "PD: serum M-protein up 1 g/dL (200 %) from its nadir of 0.5 g/dL; a new lesion."
    assert none.missing[2:4] == ("CR needs urine immunofixation: not done", "CR needs a bone-marrow aspirate: not done")
    speaking("es")
    assert vgpr.criterion_shown == ("VGPR: proteína M en suero: descenso del 95 % (de 2 a 0.1 g/dL), "
                                    "proteína M en orina: 50 mg/24 h.")
    assert progression.criterion_shown == ("PD: proteína M en suero: aumento de 1 g/dL (200 %) desde su nadir de "
                                           "0.5 g/dL; una lesión nueva.")
    assert none.missing_shown[2:] == ("CR requiere inmunofijación urinaria: sin realizar",
                                      "CR requiere aspirado de médula ósea: sin realizar",
                                      "sin enfermedad medible en el cribado: por debajo de CR la respuesta no es "
                                      "evaluable")
    assert none.criterion_shown.startswith("Sin categoría: sCR requiere ambas cadenas ligeras libres: sin medir; ")
    speaking("ca")
    assert vgpr.criterion_shown == ("VGPR: proteïna M en sèrum: descens del 95 % (de 2 a 0.1 g/dL), "
                                    "proteïna M en orina: 50 mg/24 h.")
    assert none.missing_shown[:2] == ("sCR requereix ambdues cadenes lleugeres lliures: sense mesurar",
                                      "sCR requereix clonalitat al moll d'os (immunohistoquímica o citometria de "
                                      "flux): sense fer")
    assert (vgpr.criterion, progression.criterion, none.criterion, none.missing) == english
