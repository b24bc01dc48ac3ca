"""The Patient view, its toxicity part and the Analysis view speak the user's language: under the
pseudo-language every text they show is a translated one (or data: study IDs, dates, codes, units), and
in Spanish and Catalan the clinical words are the unit's (the glossary's)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import GUI_NOW, GUI_TODAY, choose_findings, untranslated, untranslated_texts
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QTreeWidgetItemIterator

from ari_desktop.core.endpoints import course_sentence
from ari_desktop.core.gate import decision_warnings
from ari_desktop.core.toxicity import BedsideFindings, Treatments
from ari_desktop.gui.analysis.analysis_view import AnalysisView
from ari_desktop.gui.bedside.bedside import BedsideAssessmentDialog
from ari_desktop.gui.bedside.fraction import FractionDecisionDialog
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.patient.date_dialogs import MoveDateDialog, OffStudyDialog
from ari_desktop.gui.patient.details_dialog import PatientDetailsDialog
from ari_desktop.gui.patient.history_view import HistoryDialog
from ari_desktop.gui.patient.patient_view import PatientView
from ari_desktop.gui.patient.progression_dialog import ProgressionDialog
from ari_desktop.gui.patient.record_dialog import RecordItemDialog
from ari_desktop.gui.patient.responses import ResponseReviewDialog
from ari_desktop.gui.patient.result_dialog import ResultDialog
from ari_desktop.gui.toxicity.count_dialog import BloodCountDialog, TlsLabsDialog
from ari_desktop.gui.toxicity.event_dialog import ToxicityEventDialog

pytestmark = pytest.mark.usefixtures("gui_settings")
DAY0 = GUI_TODAY - timedelta(days=70)
# Data a screen shows that no catalog holds: the patient's initials, the accounts' names, units.
DATA = ("AB", "Clara Clínica", "clinician", "mg/24 h", "mm²", "×10⁹/L", "sCR")


@pytest.fixture
def patient(store, add_patient):
    """A patient 70 days after day 0: response labs recorded, a bedside assessment with CRS, a blood
    count, a toxicity event."""
    add_patient(store, "ARI-001", day0=DAY0, screening=DAY0 - timedelta(days=30))
    for timepoint, days in (("SCR", -30), ("M1", 28), ("M2", 60)):
        store.recordings.record("ARI-001", timepoint, "response", done_at=datetime.combine(
            DAY0 + timedelta(days=days), datetime.min.time()).replace(hour=9).astimezone())
    at = datetime.combine(DAY0 + timedelta(days=2), datetime.min.time()).replace(hour=8).astimezone()
    store.assessments.add("ARI-001", at, BedsideFindings(38.6, oxygen="nasal-cannula", flow_l_min=4.0, ice=10),
                          Treatments(tocilizumab_mg=560.0))
    store.counts.add("ARI-001", GUI_NOW - timedelta(days=1), neutrophils=0.4, platelets=40.0)
    store.events.add("ARI-001", "infection", DAY0 + timedelta(days=10), grade=3, subtype=None)
    for timepoint, serum in (("SCR", "3.2"), ("M1", "1.1"), ("M2", "1.0")):
        store.results.record("ARI-001", timepoint, "response", {"serum_m_g_dl": serum})
    return "ARI-001"


def from_the_core(store) -> tuple[str, ...]:
    """What the core says in its own sentences on these screens (the stage of the patient, the course of the
    toxicity): translated where the core writes them, not by the window. (The response's criterion, missing,
    confirmation and MRD sentences are the core's phrases, shown in the window's language: not data.)"""
    patient = store.patients.get("ARI-001")
    summary = store.toxicity.summary("ARI-001")
    return (patient.stage(GUI_TODAY, store.protocol), course_sentence(summary.first_infusion))


def the_patient_view(qtbot, store) -> PatientView:
    view = PatientView(Session(store))
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.show_patient("ARI-001")
    view.update_now()
    view.toxicity.timeline.update_now()
    return view


@pytest.fixture
def speaking(qapp):
    """Speak a language in the whole application (Python strings, forms, Qt's buttons), English again after."""
    from PySide6.QtCore import QLocale

    from ari_desktop.gui.common import language

    before = QLocale()
    yield lambda lang: language.install(qapp, lang)
    language.install(qapp, "en")
    QLocale.setDefault(before)


def entry_of(view: PatientView, timepoint: str, activity: str):
    return next(e for g in view.model.groups if g.code == timepoint for e in g.entries if e.item.activity == activity)


def test_the_patient_view_and_its_toxicity_part_show_only_translated_words(qtbot, store, patient, pseudo_language):
    view = the_patient_view(qtbot, store)
    data = DATA + from_the_core(store)
    assert untranslated_texts(view, data) == []
    for tab in range(view.toxicity.tabs.count()):
        view.toxicity.tabs.setCurrentIndex(tab)
        assert untranslated_texts(view.toxicity.tabs.currentWidget(), data) == []
    timeline = view.toxicity.timeline
    strip = timeline.strip("D")
    tips = [strip.tooltip(day, row) for day in (0, 2, 3) for row in range(1, len(strip.rows))]
    assert all("⟪" in tip for tip in tips if tip), tips


def test_every_dialog_of_the_patient_view_shows_only_translated_words(qtbot, store, patient, pseudo_language):
    view = the_patient_view(qtbot, store)
    session = view.session
    response = entry_of(view, "M1", "response")
    dialogs = [
        HistoryDialog(session, patient),
        RecordItemDialog(session, response),
        RecordItemDialog(session, next(e for g in view.model.groups for e in g.entries if e.recording is None)),
        ResultDialog(session, response),
        ProgressionDialog(session, patient),
        PatientDetailsDialog(session, patient),
        *(MoveDateDialog(session, patient, anchor) for anchor in ("day0", "booster", "death")),
        OffStudyDialog(session, patient),
        ResponseReviewDialog(session, patient, store.results.responses(patient)[0]),
    ]
    protocol_words = tuple(e.item.label for g in view.model.groups for e in g.entries)  # the protocol file's
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert untranslated_texts(dialog, DATA + from_the_core(store) + protocol_words) == [], \
            type(dialog).__name__


def test_the_bedside_forms_and_the_toxicity_dialogs_show_only_translated_words(qtbot, store, patient,
                                                                              pseudo_language):
    session = Session(store)
    bedside = BedsideAssessmentDialog(session, patient)
    correcting = BedsideAssessmentDialog(session, patient, correcting=store.assessments.of(patient)[0])
    graded = BedsideAssessmentDialog(session, patient)
    graded.temperature.set_value(38.6)
    choose_findings(graded, oxygen="nasal-cannula")
    graded.flow.set_value(4.0)
    graded.tick_all_ice()
    timepoint = store.protocol.go_decision_before[0]
    dialogs = [bedside, correcting, graded, FractionDecisionDialog(session, patient, timepoint),
               BloodCountDialog(session, patient), TlsLabsDialog(session, patient),
               ToxicityEventDialog(session, patient),
               ToxicityEventDialog(session, patient, resolving=store.events.of(patient)[-1])]
    grades = tuple(decision_warnings(store.fractions.seen(patient, GUI_NOW), store.protocol))
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert untranslated_texts(dialog, DATA + grades) == [], type(dialog).__name__
    # the live grades' reasons are the core's phrases, in the window's language
    assert "— ⟪low-flow nasal cannula ≤ 6 L/min (4 L/min)⟫" in graded.crs_label.text()


def test_the_analysis_view_shows_only_translated_words(qtbot, store, patient, pseudo_language):
    view = AnalysisView(Session(store))
    qtbot.addWidget(view)
    view.show()
    view.update_now()
    assert untranslated_texts(view, DATA) == []
    headers = [view.table.topLevelItem(n).text(0) for n in range(view.table.topLevelItemCount())]
    assert all("⟪" in header for header in headers[:2]), headers
    cells = []
    it = QTreeWidgetItemIterator(view.table)
    while it.value():
        cells += [it.value().text(column) for column in range(view.table.columnCount())]
        it += 1
    assert len(cells) > 100 and untranslated(cells, DATA) == []


@pytest.mark.parametrize(("lang", "words"), [
    ("es", ("síndrome de liberación de citocinas", "Valoración a pie de cama", "Escala ICE", "Orientación (4)",
            "Gafas nasales", "SLC: sin graduar")),
    ("ca", ("síndrome d'alliberament de citocines", "Valoració a peu de llit", "cèl·lules immunoefectores",
            "Orientació (4)", "Ulleres nasals", "SAC: sense graduar")),
])
def test_the_bedside_form_speaks_the_units_spanish_and_catalan(qtbot, store, patient, speaking, lang, words):
    speaking(lang)
    dialog = BedsideAssessmentDialog(Session(store), patient)
    qtbot.addWidget(dialog)
    shown = " ".join([dialog.windowTitle(), *(label.text() for label in dialog.findChildren(QLabel)),
                      *(box.title() for box in dialog.findChildren(QGroupBox)),
                      *(dialog.oxygen.itemText(n) for n in range(dialog.oxygen.count()))])
    for word in words:
        assert word in shown, (word, shown)


@pytest.mark.parametrize(("lang", "words"), [
    ("es", ("síndrome de liberación de citocinas", "Valoraciones a pie de cama (1)", "Acontecimientos de toxicidad",
            "Respuesta (IMWG)", "Fijar o mover el día 0", "Momento / actividad")),
    ("ca", ("síndrome d'alliberament de citocines", "Valoracions a peu de llit (1)", "Esdeveniments de toxicitat",
            "Resposta (IMWG)", "Fixa o mou el dia 0", "Moment / activitat")),
])
def test_the_patient_view_speaks_the_units_spanish_and_catalan(qtbot, store, patient, speaking, lang, words):
    speaking(lang)
    view = the_patient_view(qtbot, store)
    tabs = view.toxicity.tabs
    shown = " ".join([view.toxicity.timeline.title.text(), *(tabs.tabText(n) for n in range(tabs.count())),
                      view.day0_button.toolTip(), view.model.headerData(0, Qt.Orientation.Horizontal)])
    for word in words:
        assert word in shown, (word, shown)
