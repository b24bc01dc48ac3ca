"""The bedside widgets wired into the main window, as a CAR-T unit uses them: the toxicity flags at
the top of Today, Ctrl+B on a worklist item, go / hold from a fraction's infusion, the Patient view's
timeline, assessments and events, and the toxicity event dialog. Real widgets, a real temporary
database, a fixed clinic day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import GUI_NOW, GUI_TODAY, GUI_USER, choose_findings, row_counts
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QTableView

from ari_desktop.core.flags import Flag
from ari_desktop.core.toxicity import BedsideFindings
from ari_desktop.gui.bedside.bedside import BedsideAssessmentDialog
from ari_desktop.gui.bedside.fraction import FractionDecisionDialog
from ari_desktop.gui.main_window import MainWindow
from ari_desktop.gui.toxicity.event_dialog import ToxicityEventDialog

pytestmark = pytest.mark.usefixtures("gui_settings")
CTRL = Qt.KeyboardModifier.ControlModifier
FEVER_ON_CANNULA = BedsideFindings(38.6, oxygen="nasal-cannula", flow_l_min=4.0, ice=10)


def read_today(qtbot, window: MainWindow) -> None:
    """Re-read Today as after a change (F5); the first flags come right after the first paint."""
    window.show_view("today")
    window.refresh_current()
    qtbot.waitUntil(lambda: window.today.flags_ready)
    window.today.refresh_flags()


def flags_shown(window: MainWindow) -> list[tuple[str, str, str]]:
    model = window.today.flags.table.model()
    return [(model.index(r, 0).data(), window.today.flags.model.row(r).kind, model.index(r, 1).data())
            for r in range(model.rowCount())]


def worklist_row(window: MainWindow, patient: str, activity: str, timepoint: str | None = None) -> int:
    """The row (as shown) of a patient's item in the worklist."""
    today = window.today
    for number, entry in enumerate(today.worklist_model.rows):
        item = entry.item
        if entry.study_id == patient and item.activity == activity and timepoint in (None, item.timepoint):
            return today.worklist_proxy.mapFromSource(today.worklist_model.index(number, 0)).row()
    raise AssertionError(f"{patient} {activity} is not in the worklist")


def select(qtbot, table: QTableView, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def opened(window: MainWindow, kind: type[QDialog]) -> QDialog:
    dialogs = [d for d in window.findChildren(kind) if d.isVisible()]
    assert len(dialogs) == 1, f"expected one open {kind.__name__}, found {len(dialogs)}"
    return dialogs[0]


def save_fever_on_cannula(qtbot, form: BedsideAssessmentDialog) -> None:
    """CRS grade 2 (fever, low-flow nasal cannula 4 L/min), ICANS 0 (ICE 10/10)."""
    form.temperature.set_value(38.6)
    choose_findings(form, oxygen="nasal-cannula")
    form.flow.set_value(4.0)
    form.tick_all_ice()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)


def table_rows(table: QTableView) -> list[dict[str, str]]:
    model = table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return [{headers[c]: model.index(r, c).data() for c in range(model.columnCount())}
            for r in range(model.rowCount())]


# -- Today: Ctrl+B, the flags ----------------------------------------------------------------------

def test_ctrl_b_on_a_tox_item_opens_the_bedside_form_and_saving_clears_the_item_and_its_flag(
        qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=10))
    add_patient(store, "ARI-002", day0=GUI_TODAY - timedelta(days=5))
    read_today(qtbot, window)
    assert ("ARI-002", "tox_not_recorded", "Toxicity assessment for Day +5 not recorded") in flags_shown(window)
    table = window.today.worklist
    select(qtbot, table, worklist_row(window, "ARI-002", "tox"))
    qtbot.keyClick(table, Qt.Key.Key_B, CTRL)

    form = opened(window, BedsideAssessmentDialog)
    assert form.patient.study_id == "ARI-002" and form.windowTitle() == "Bedside assessment: ARI-002"
    save_fever_on_cannula(qtbot, form)

    assert not form.isVisible()
    assert [a.crs.grade for a in store.assessments.of("ARI-002")] == [2]
    # the day's list keeps what was done that day, marked done
    assert all(e.status == "done" for e in window.today.worklist_model.rows
               if e.study_id == "ARI-002" and e.item.activity == "tox")
    assert any(e.study_id == "ARI-001" and e.item.activity == "tox" and e.recording is None
               for e in window.today.worklist_model.rows)
    kinds = {(patient, kind) for patient, kind, _ in flags_shown(window)}
    assert ("ARI-002", "tox_not_recorded") not in kinds and ("ARI-001", "tox_not_recorded") in kinds
    assert ("ARI-002", "grade_2_or_more") in kinds  # the grade just saved is flagged at once


def test_enter_on_a_tox_item_assesses_instead_of_ticking_it_done(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=10))
    read_today(qtbot, window)
    table = window.today.worklist
    select(qtbot, table, worklist_row(window, "ARI-001", "tox"))
    assert window.today.mark_button.text() == "&Mark done…"
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    form = opened(window, BedsideAssessmentDialog)
    assert form.patient.study_id == "ARI-001"
    form.reject()
    tox = next(e for e in store.schedules.of("ARI-001", GUI_TODAY) if e.item.activity == "tox" and e.item.day == 10)
    assert tox.recording is None  # a CRS / ICANS item is done only with its findings


def test_the_flags_show_grade_2_or_more_and_prolonged_cytopenia_with_words_and_distinct_icons(
        qtbot, store, add_patient, window):
    add_patient(store, "ARI-CRS", day0=GUI_TODAY - timedelta(days=3))
    store.assessments.add("ARI-CRS", GUI_NOW - timedelta(hours=2), FEVER_ON_CANNULA)
    add_patient(store, "ARI-CYT", day0=GUI_TODAY - timedelta(days=45))
    store.events.add("ARI-CYT", "neutropenia", GUI_TODAY - timedelta(days=20), grade=4)
    read_today(qtbot, window)

    panel = window.today.flags
    assert panel.isVisible()
    expected = {(f.study_id, f.kind, f.text) for f in store.toxicity.flags(GUI_TODAY)}
    shown = flags_shown(window)
    assert set(shown) == expected
    assert shown[0][:2] == ("ARI-CRS", "grade_2_or_more")  # the most urgent first
    assert ("ARI-CRS", "grade_2_or_more", shown[0][2]) in shown and "CRS grade 2, ICANS grade 0" in shown[0][2]
    cytopenia = next(text for patient, kind, text in shown if kind == "prolonged_cytopenia")
    assert cytopenia == "Prolonged cytopenia: grade 4 neutropenia on D+45, past D+30"
    icons = {kind: panel.table.model().index(row, 1).data(Qt.ItemDataRole.DecorationRole)
             for row, (_, kind, _) in enumerate(shown)}
    assert all(not icon.isNull() for icon in icons.values())
    assert len({icon.cacheKey() for icon in icons.values()}) == len(icons)  # never colour alone, never alike
    assert "1 at grade ≥ 2" in panel.heading.text() and "1 with prolonged cytopenia" in panel.heading.text()


def test_the_flags_panel_is_hidden_when_nothing_is_flagged(qtbot, store, add_patient, window):
    add_patient(store, "ARI-FUP", day0=GUI_TODAY - timedelta(days=200))
    read_today(qtbot, window)
    assert store.toxicity.flags(GUI_TODAY) == [] and not window.today.flags.isVisible()


def test_enter_on_a_flag_opens_the_patient_and_for_a_missing_assessment_the_bedside_form(
        qtbot, store, add_patient, window):
    add_patient(store, "ARI-CRS", day0=GUI_TODAY - timedelta(days=3))
    store.assessments.add("ARI-CRS", GUI_NOW - timedelta(days=1), FEVER_ON_CANNULA)
    read_today(qtbot, window)
    table = window.today.flags.table
    kinds = [window.today.flags.model.row(r) for r in range(table.model().rowCount())]
    assert kinds[:2] == [Flag("ARI-CRS", "grade_2_or_more", kinds[0].text),
                         Flag("ARI-CRS", "tox_not_recorded", "Toxicity assessment for Day +3 not recorded")]

    table.selectRow(0)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.current_view() == "patient" and window.patient.study_id == "ARI-CRS"
    assert not window.findChildren(BedsideAssessmentDialog)

    window.show_view("today")
    table.selectRow(1)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.current_view() == "patient"
    form = opened(window, BedsideAssessmentDialog)
    assert form.patient.study_id == "ARI-CRS"
    form.reject()


# -- go / hold --------------------------------------------------------------------------------------

def test_go_hold_from_a_d7_infusion_item_records_a_hold_and_the_calendar_shows_the_fraction_held(
        qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=7))
    read_today(qtbot, window)
    assert not window.today.decide_button.isEnabled()
    select(qtbot, window.today.worklist, worklist_row(window, "ARI-001", "infusion", "D+7"))
    assert window.today.decide_button.isEnabled()
    qtbot.mouseClick(window.today.decide_button, Qt.MouseButton.LeftButton)

    decision = opened(window, FractionDecisionDialog)
    assert decision.timepoint == "D+7" and decision.patient.study_id == "ARI-001"
    qtbot.keyClicks(decision.reason, "CRS grade 2 since last night")
    qtbot.mouseClick(decision.hold_button, Qt.MouseButton.LeftButton)

    held = store.fractions.latest("ARI-001", "D+7")
    assert (held.decision, held.reason, held.decided_by) == ("hold", "CRS grade 2 since last night", GUI_USER)
    infusion = window.today.worklist_model.rows[
        window.today.worklist_proxy.mapToSource(window.today.worklist_proxy.index(
            worklist_row(window, "ARI-001", "infusion", "D+7"), 0)).row()]
    assert infusion.item.held  # Today re-read: the fraction may now be given late
    window.show_patient("ARI-001")
    shown = window.patient._find("D+7", "infusion").data()
    assert "held, may be given up to 7 days late" in shown


def test_go_hold_in_the_patient_view_picks_the_next_fraction_waiting_for_a_go_then_asks(
        qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=2))
    window.show_patient("ARI-001")
    window.fraction_action.trigger()
    first = opened(window, FractionDecisionDialog)
    assert first.timepoint == "D+3"
    qtbot.mouseClick(first.go_button, Qt.MouseButton.LeftButton)

    window.fraction_action.trigger()
    second = opened(window, FractionDecisionDialog)
    assert second.timepoint == "D+7"
    qtbot.mouseClick(second.go_button, Qt.MouseButton.LeftButton)

    window.fraction_action.trigger()  # every fraction has its go: which one is this about?
    ask = opened(window, QInputDialog)
    assert "Which fraction" in ask.labelText()
    ask.setTextValue(next(text for text in ask.comboBoxItems() if text.startswith("D+7")))
    ask.accept()
    third = opened(window, FractionDecisionDialog)
    assert third.timepoint == "D+7"
    third.reject()


# -- the Patient view: timeline, assessments, events ------------------------------------------------

def test_a_saved_assessment_shows_in_the_timeline_and_the_assessment_table_and_opens_for_correction(
        qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=2))
    window.show_patient("ARI-001")
    toxicity = window.patient.toxicity
    assert toxicity.timeline.cell(2) == (-1, -1) and table_rows(toxicity.assessments) == []
    qtbot.keyClick(window, Qt.Key.Key_B, CTRL)
    save_fever_on_cannula(qtbot, opened(window, BedsideAssessmentDialog))

    assert toxicity.timeline.cell(2) == (2, 0)
    (row,) = table_rows(toxicity.assessments)
    assert row["Time"] == f"{GUI_NOW:%Y-%m-%d %H:%M}" and row["Day"] == "D+2" and row["Assessor"] == GUI_USER
    assert row["CRS"] == "2 — low-flow nasal cannula ≤ 6 L/min (4 L/min)"
    assert row["ICANS"].startswith("0 — ICE 10/10") and row["Treatments"] == "—"
    assert toxicity.tabs.tabText(0) == "Bedside assessments (1)"
    tox = window.patient._find("D+2", "tox").siblingAtColumn(3).data()
    assert tox == "Done"  # the calendar followed too

    where = toxicity.assessments.visualRect(toxicity.assessments.model().index(0, 0)).center()
    qtbot.mouseClick(toxicity.assessments.viewport(), Qt.MouseButton.LeftButton, pos=where)
    qtbot.mouseDClick(toxicity.assessments.viewport(), Qt.MouseButton.LeftButton, pos=where)
    correcting = opened(window, BedsideAssessmentDialog)
    assert correcting.correcting == store.assessments.of("ARI-001")[0]
    assert correcting.save_button.text() == "Save correction"
    correcting.reject()


def test_an_event_graded_by_hand_and_later_resolved(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=12))
    window.show_patient("ARI-001")
    toxicity = window.patient.toxicity
    qtbot.mouseClick(toxicity.event_button, Qt.MouseButton.LeftButton)
    dialog = opened(window, ToxicityEventDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("infection"))
    qtbot.keyClicks(dialog.onset.edit, str(GUI_TODAY - timedelta(days=4)))
    assert not dialog.subtype.isEnabled() and [dialog.grade.itemData(i) for i in range(dialog.grade.count())] == [
        None, 1, 2, 3, 4, 5]
    dialog.grade.setCurrentIndex(dialog.grade.findData(3))
    dialog.notes.setText("E. coli bacteraemia")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    (event,) = store.events.of("ARI-001")
    assert (event.label, event.grade, event.notes, event.recorded_by) == ("Infection", 3, "E. coli bacteraemia",
                                                                          GUI_USER)

    toxicity.events.selectRow(0)
    qtbot.mouseClick(toxicity.resolve_button, Qt.MouseButton.LeftButton)
    resolving = opened(window, ToxicityEventDialog)
    assert not resolving.kind.isEnabled() and not resolving.correction_reason.isVisible()
    qtbot.keyClicks(resolving.resolution.edit, str(GUI_TODAY - timedelta(days=1)))
    qtbot.mouseClick(resolving.save_button, Qt.MouseButton.LeftButton)
    assert store.events.of("ARI-001")[0].resolution == GUI_TODAY - timedelta(days=1)
    assert table_rows(toxicity.events)[0]["Resolved"] == str(GUI_TODAY - timedelta(days=1))


@pytest.mark.parametrize(("kind", "typed", "field", "sentence"), [
    ("infection", {}, "grade", "Give the grade of the infection (1–5)."),
    ("delayed_neurotoxicity", {"grade": 2}, "subtype",
     "Say the kind of the delayed neurotoxicity: one of parkinsonism, cranial_nerve_palsy, peripheral_neuropathy, "
     "other."),
    ("death", {"subtype": "crs", "onset": GUI_TODAY}, "onset",
     "ARI-001 has no date of death recorded: record it first, then the cause of death on that date."),
    ("infection", {"grade": 2, "onset": date(2024, 1, 1)}, "onset",
     "The onset date 2024-01-01 must fall between screening (2025-01-17) and today."),
    ("tls", {"grade": 3, "onset": GUI_TODAY - timedelta(days=2), "resolution": GUI_TODAY - timedelta(days=4)},
     "resolution", "The resolution date 2025-03-06 must fall between the onset (2025-03-08) and today."),
])
def test_a_refused_event_says_why_beside_the_field_and_writes_nothing(
        qtbot, db_path, store, add_patient, window, kind, typed, field, sentence):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=12), screening=date(2025, 1, 17))
    window.show_patient("ARI-001")
    before = row_counts(db_path)
    dialog = window.record_event()
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
    if "grade" in typed:
        dialog.grade.setCurrentIndex(dialog.grade.findData(typed["grade"]))
    if "subtype" in typed:
        dialog.subtype.setCurrentIndex(dialog.subtype.findData(typed["subtype"]))
    qtbot.keyClicks(dialog.onset.edit, str(typed.get("onset", GUI_TODAY - timedelta(days=1))))
    if "resolution" in typed:
        qtbot.keyClicks(dialog.resolution.edit, str(typed["resolution"]))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible() and dialog.error_text(field) == sentence
    assert store.events.of("ARI-001") == [] and row_counts(db_path) == before
    at_fault, focused = dialog.errors.fields[field][1], dialog.focusWidget()
    assert focused is at_fault or at_fault.isAncestorOf(focused)  # the field at fault has the focus


def test_the_bedside_actions_say_so_when_no_patient_is_chosen(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=2))
    window.refresh_current()
    window.show_view("patients")
    for action in (window.bedside_action, window.fraction_action, window.event_action):
        action.trigger()
        assert window.statusBar().currentMessage().startswith("Select a patient first")
    assert not window.findChildren(QDialog)


def strip_rows_shown(strip) -> list[str]:
    """The rows of a timeline strip that are laid out whole (a squeezed strip loses its lower rows)."""
    heights = strip._row_heights()
    return [name for row, name in enumerate(strip.rows) if sum(heights[:row + 1]) <= strip.height()]


@pytest.mark.parametrize("assessed", [False, True], ids=["nothing recorded yet", "an assessment recorded"])
def test_a_booster_set_while_the_patient_is_shown_adds_its_strip_whole_and_the_splitter_still_moves(
        qtbot, store, add_patient, window, assessed):
    """A 768-pixel ward laptop: the booster's strip joins the first one, every row of both is laid out (the
    timeline scrolls when short of room), and the calendar / toxicity splitter can still be dragged."""
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=130))
    if assessed:
        store.assessments.add("ARI-001", GUI_NOW - timedelta(days=125), FEVER_ON_CANNULA)
    window.resize(1366, 728)
    window.show_patient("ARI-001")
    toxicity = window.patient.toxicity
    timeline = toxicity.timeline
    qtbot.waitUntil(lambda: timeline.first.isVisible() and not timeline.booster.isVisible())

    store.patients.update_dates("ARI-001", booster=GUI_TODAY - timedelta(days=3))
    window.session.events.patient_changed.emit("ARI-001")  # as the booster dialog does after saving
    qtbot.waitUntil(timeline.booster.isVisible)
    QApplication.processEvents()

    assert strip_rows_shown(timeline.first) == ["Day", "CRS", "ICANS", "Treatment", "Go / hold"]
    assert strip_rows_shown(timeline.booster) == ["Day", "CRS", "ICANS", "Treatment"]
    assert timeline.height() >= timeline.layout().heightForWidth(timeline.width())  # nothing below cut off
    for strip in (timeline.first, timeline.booster):  # each strip can be seen whole, scrolled to if need be
        toxicity.timeline_area.ensureWidgetVisible(strip, 0, 0)
        assert strip.visibleRegion().boundingRect().height() == strip.height()
    splitter = window.patient.splitter
    for shift in (-80, 80):
        before = splitter.sizes()
        splitter.moveSplitter(before[0] + shift, 1)
        assert splitter.sizes() != before, f"the splitter did not move by {shift}"
    assert window.minimumSizeHint().height() <= 728
