"""The Blood count and TLS labs forms, reached from the patient's toxicity events: decimals read the
same in every locale, the grades shown as typed, junk refused beside its field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import GUI_TODAY, row_counts
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QLineEdit

from ari_desktop.gui.toxicity.count_dialog import BloodCountDialog, TlsLabsDialog


@pytest.fixture
def spanish():
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Spanish, QLocale.Country.Spain))
    yield
    QLocale.setDefault(before)


def open_form(qtbot, store, add_patient, window, button: str):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=5))
    window.show_patient("ARI-001")
    toxicity = window.patient.toxicity
    qtbot.mouseClick(getattr(toxicity, button), Qt.MouseButton.LeftButton)
    return toxicity, toxicity.findChild(BloodCountDialog if button == "count_button" else TlsLabsDialog)


def test_a_count_typed_with_a_decimal_comma_under_spanish_is_stored_as_0_4(
        qtbot, store, add_patient, window, spanish):
    toxicity, dialog = open_form(qtbot, store, add_patient, window, "count_button")
    assert all(isinstance(w, QLineEdit) for w in dialog.fields.values())  # no spin box turns under the wheel
    dialog.at.date.setText(f"{GUI_TODAY - timedelta(days=1)}")
    dialog.at.clock.setText("08:30")
    qtbot.keyClicks(dialog.fields["neutrophils"], "0,4")
    assert dialog.grade_text("neutrophils") == "Grade 4 — neutrophils 0.4 ×10⁹/L, below 0.5"  # shown as typed
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)

    (saved,) = store.counts.of("ARI-001")
    assert (saved.count.neutrophils, saved.count.platelets) == (0.4, None)
    (event,) = store.events.of("ARI-001")
    assert (event.kind, event.grade, event.onset) == ("neutropenia", 4, GUI_TODAY - timedelta(days=1))
    assert toxicity.event_model.rows == [event]


def test_the_haemoglobin_grade_uses_the_patients_limit_and_a_point_reads_the_same(
        qtbot, store, add_patient, window):
    _, dialog = open_form(qtbot, store, add_patient, window, "count_button")
    qtbot.keyClicks(dialog.fields["haemoglobin"], "11.5")
    assert dialog.grade_text("haemoglobin").startswith("Grade 1 — haemoglobin 11.5 g/dL, below the lower limit of "
                                                       "normal 12 g/dL")  # the test patient is a woman


@pytest.mark.parametrize("junk", ["0,4x", "1.234,5", "0..4", "abc"])
def test_junk_is_refused_beside_the_field_and_nothing_is_written(qtbot, db_path, store, add_patient, window, junk):
    _, dialog = open_form(qtbot, store, add_patient, window, "count_button")
    before = row_counts(db_path)
    qtbot.keyClicks(dialog.fields["platelets"], junk)
    assert dialog.error_text("platelets") == f"Platelets '{junk}' is not a number: type e.g. 40."
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and store.counts.of("ARI-001") == [] and row_counts(db_path) == before
    assert dialog.focusWidget() is dialog.fields["platelets"]


def test_an_empty_count_says_a_value_is_needed(qtbot, store, add_patient, window):
    _, dialog = open_form(qtbot, store, add_patient, window, "count_button")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.error_text("neutrophils") == "Give at least one value: neutrophils, platelets or haemoglobin."


def test_the_tls_labs_form_shows_the_cairo_bishop_reading_and_saves_the_set(
        qtbot, store, add_patient, window, spanish):
    _, dialog = open_form(qtbot, store, add_patient, window, "labs_button")
    dialog.at.date.setText(f"{GUI_TODAY - timedelta(days=3)}")
    dialog.at.clock.setText("08:00")
    for name, text in (("uric_acid", "500"), ("potassium", "6,1"), ("phosphate", "1,2"), ("calcium", "2,3")):
        qtbot.keyClicks(dialog.fields[name], text)
    assert dialog.finding_text().startswith("⚠ Laboratory TLS — laboratory TLS: uric acid 500 µmol/L")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    ((lab_set, finding),) = store.labs.of("ARI-001")
    assert lab_set.labs.potassium_mmol_l == 6.1 and finding.laboratory and finding.window_day == "D+2"
