"""Results in the window: the Result… form of a calendar item recorded done (its fields and units from the
one table of result fields), the store's sentence beside the field, and the Response (IMWG) tab where the
physician confirms the proposal and signs it."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from conftest import GUI_TODAY, TEST_PASSWORD
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit

from ari_desktop.gui.patient.responses import ResponseReviewDialog
from ari_desktop.gui.patient.result_dialog import ResultDialog

DAY0 = GUI_TODAY - timedelta(days=70)


@pytest.fixture
def patient(store, add_patient):
    add_patient(store, "ARI-001", day0=DAY0, screening=DAY0 - timedelta(days=30))
    for timepoint, days in (("SCR", -30), ("M1", 28), ("M2", 60)):
        store.recordings.record("ARI-001", timepoint, "response",
                                done_at=datetime.combine(DAY0 + timedelta(days=days), datetime.min.time())
                                .replace(hour=9).astimezone())
    return "ARI-001"


def select(window, timepoint: str, activity: str) -> None:
    view = window.patient
    view.tree.setCurrentIndex(view._find(timepoint, activity))


def open_result(qtbot, window, timepoint: str) -> ResultDialog:
    window.show_patient("ARI-001")
    select(window, timepoint, "response")
    assert window.patient.result_button.isEnabled()
    dialog = window.patient.result_selected()  # what the button opens
    assert isinstance(dialog, ResultDialog) and dialog.isVisible()
    return dialog


def type_into(qtbot, dialog, name: str, text: str) -> None:
    edit = dialog.findChild(QLineEdit, name)
    edit.clear()
    qtbot.keyClicks(edit, text)


@pytest.fixture
def spanish():
    before = QLocale()
    QLocale.setDefault(QLocale("es_ES"))
    yield
    QLocale.setDefault(before)


def test_the_result_form_takes_the_values_typed_with_a_decimal_comma(qtbot, window, store, patient, spanish):
    dialog = open_result(qtbot, window, "SCR")
    assert dialog.findChild(QComboBox, "serum_ife").currentText() == "—"  # nothing chosen for the user
    type_into(qtbot, dialog, "serum_m_g_dl", "3,2")
    type_into(qtbot, dialog, "urine_m_mg_24h", "250")
    dialog.findChild(QComboBox, "serum_ife").setCurrentText("positive")
    dialog.accept()
    assert not dialog.isVisible()
    assert store.results.stored("ARI-001", "SCR", "response") == {"serum_m_g_dl": 3.2, "urine_m_mg_24h": 250.0,
                                                                  "serum_ife": "positive"}


def test_an_impossible_value_is_refused_beside_its_field_and_nothing_is_saved(qtbot, window, store, patient):
    dialog = open_result(qtbot, window, "M1")
    type_into(qtbot, dialog, "serum_m_g_dl", "25")
    dialog.accept()
    assert dialog.isVisible()
    assert "between 0 and 20 g/dL" in dialog.errors.text("serum_m_g_dl")
    assert store.results.of("ARI-001") == []


def test_changing_a_recorded_value_asks_for_the_reason_beside_its_field(qtbot, window, store, patient):
    store.results.record("ARI-001", "M1", "response", {"serum_m_g_dl": "1.1"})
    dialog = open_result(qtbot, window, "M1")
    assert dialog.findChild(QLineEdit, "serum_m_g_dl").text() == "1.1"
    type_into(qtbot, dialog, "serum_m_g_dl", "1.2")
    dialog.accept()
    assert "changing it is a correction and needs its reason" in dialog.errors.text("reason")
    type_into(qtbot, dialog, "reasonEdit", "lab re-ran it")
    dialog.accept()
    assert store.results.stored("ARI-001", "M1", "response") == {"serum_m_g_dl": 1.2}


def test_the_response_tab_shows_the_proposal_and_the_physician_confirms_and_signs(qtbot, window, store, patient,
                                                                                    tmp_path):
    for timepoint, serum in (("SCR", "3.2"), ("M1", "1.1"), ("M2", "1.0")):
        store.results.record("ARI-001", timepoint, "response", {"serum_m_g_dl": serum})
    window.show_patient("ARI-001")
    panel = window.patient.responses
    tabs = window.patient.toxicity.tabs
    tabs.setCurrentWidget(panel)
    table = panel.table
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["M1", "M2"]
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == ["PR", "PR"]
    assert table.item(1, 4).text().startswith("PR confirmed")
    if os.environ.get("ARI_DESKTOP_SHOTS"):
        window.grab().save(str(tmp_path / "responses.png"))
    panel.table.selectRow(1)
    assert panel.confirm_button.isEnabled()
    review = panel.review_selected()  # what the button opens
    assert isinstance(review, ResponseReviewDialog)
    review.accept()
    assert "Choose the category" in review.errors.text("category")  # nothing is chosen for the physician
    review.category.setCurrentIndex(review.category.findData("PR"))
    review.accept()
    sign = review.sign_dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is sign.password)
    qtbot.keyClicks(sign.password, TEST_PASSWORD)
    qtbot.keyClick(sign.password, Qt.Key.Key_Return)
    assert sign.signature is not None and sign.signature.meaning == "confirmed"
    qtbot.waitUntil(lambda: "confirmed" in (panel.table.item(1, 7).text() if panel.table.item(1, 7) else ""))
    assert panel.table.item(1, 5).text() == "PR"


def test_a_sample_collected_today_takes_its_result_from_today(qtbot, window, store, add_patient):
    from test_gui_today import row_of, select

    add_patient(store, "ARI-002", day0=GUI_TODAY - timedelta(days=14))
    window.today.update_now()
    table = window.today.worklist
    select(qtbot, table, row_of(table, "ARI-002", "Soluble BCMA"))
    qtbot.mouseClick(window.today.mark_button, Qt.MouseButton.LeftButton)
    select(qtbot, table, row_of(table, "ARI-002", "Soluble BCMA", "Day +14"))
    dialog = window.today.result_selected(table)
    type_into(qtbot, dialog, "sbcma_ng_ml", "12,5")
    dialog.accept()
    assert store.results.stored("ARI-002", "D+14", "sbcma") == {"sbcma_ng_ml": 12.5}


def test_a_progression_is_typed_with_how_it_was_found_and_moved_only_with_a_reason(qtbot, window, store, patient):
    window.show_patient("ARI-001")
    dialog = window.patient.record_progression()
    dialog.date.set_value(DAY0 + timedelta(days=50))
    dialog.accept()
    assert "Choose how the progression was found" in dialog.errors.text("found_by")  # nothing chosen for them
    dialog.found_by.setCurrentIndex(dialog.found_by.findData("imaging"))
    dialog.accept()
    assert store.results.progression("ARI-001").progressed_on == DAY0 + timedelta(days=50)
    again = window.patient.record_progression()
    again.date.set_value(DAY0 + timedelta(days=40))
    again.accept()
    assert "needs its reason" in again.errors.text("reason")
    assert store.results.progression("ARI-001").progressed_on == DAY0 + timedelta(days=50)
