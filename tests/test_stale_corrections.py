"""A correction typed on a stale view is refused: two workstations (two stores) on one file.

The window passes what it showed (`expected`); the store compares it, inside the transaction, with
what is stored now, and refuses with who changed it and when (from the change log). A correction
changes only what the user changed: another field changed meanwhile is kept."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from conftest import GUI_NOW, GUI_TODAY, open_store, refused

from ari_desktop.core.toxicity import BedsideFindings, Treatments

STALE = "since you opened it; look again and correct it if still needed."
WHEN = f"{GUI_NOW:%Y-%m-%d %H:%M}"
DAY0 = GUI_TODAY - timedelta(days=120)


@pytest.fixture
def db_path(database):
    """Every test here runs on an SQLite file and on a server database."""
    return database


@pytest.fixture
def two(db_path, add_patient):
    """Two workstations on one database: the window here (clinician) and physician elsewhere."""
    here, there = open_store(db_path), open_store(db_path, "physician")
    add_patient(here, "ARI-014", day0=DAY0)
    yield here, there
    here.close()
    there.close()


def test_a_birth_year_corrected_elsewhere_since_the_view_was_opened_is_refused_with_who_and_when(two):
    here, there = two
    seen = here.patients.get("ARI-014")
    there.patients.correct("ARI-014", "typo at registration", birth_year=1962)
    error = refused("birth_year", here.patients.correct, "ARI-014", "typo", birth_year=1961, expected=seen)
    assert str(error) == f"The birth year of ARI-014 was changed by physician at {WHEN} (1960 → 1962) {STALE}"
    assert here.patients.get("ARI-014").birth_year == 1962
    assert [c.reason for c in here.changes.all("patients")][-1] == "typo at registration"


def test_correcting_the_initials_keeps_a_birth_year_corrected_elsewhere_and_each_reason(two):
    here, there = two
    seen = here.patients.get("ARI-014")
    there.patients.correct("ARI-014", "birth year checked", birth_year=1962)
    # The window passes every field it shows; only the one the user changed is written.
    here.patients.correct("ARI-014", "initials swapped", initials="BA", sex=seen.sex, birth_year=seen.birth_year,
                          expected=seen)
    patient = here.patients.get("ARI-014")
    assert (patient.initials, patient.birth_year) == ("BA", 1962)
    changes = here.changes.all("patients")[-2:]
    assert [(c.user, c.new, c.reason) for c in changes] == [
        ("physician", {"birth_year": 1962}, "birth year checked"),
        ("clinician", {"initials": "BA"}, "initials swapped")]


def test_the_command_line_writes_only_the_fields_it_is_given(two):
    here, there = two
    there.patients.correct("ARI-014", "sex mistyped", sex="M")
    here.patients.correct("ARI-014", "initials swapped", initials="BA")
    assert here.changes.all("patients")[-1].new == {"initials": "BA"}
    assert here.patients.get("ARI-014").sex == "M"


def test_a_booster_moved_elsewhere_since_the_dialog_opened_is_refused(two):
    here, there = two
    seen = here.patients.get("ARI-014")
    there.patients.update_dates("ARI-014", booster=DAY0 + timedelta(days=110))
    error = refused("booster", here.patients.update_dates, "ARI-014", expected=seen,
                    booster=DAY0 + timedelta(days=112))
    assert str(error) == (f"The booster date of ARI-014 was changed by physician at {WHEN} "
                          f"(none → {DAY0 + timedelta(days=110)}) {STALE}")


def test_a_booster_set_from_a_view_without_the_death_keeps_the_death_recorded_since(two):
    here, there = two
    seen = here.patients.get("ARI-014")
    death = GUI_TODAY - timedelta(days=2)
    there.patients.update_dates("ARI-014", death=death)
    here.patients.update_dates("ARI-014", expected=seen, booster=DAY0 + timedelta(days=110))
    anchors = here.patients.get("ARI-014").anchors
    assert (anchors.death, anchors.booster) == (death, DAY0 + timedelta(days=110))
    assert here.changes.all("patients")[-1].new == {"booster_date": (DAY0 + timedelta(days=110)).isoformat()}


def test_a_date_dialog_refuses_beside_the_date_when_it_was_changed_elsewhere(qtbot, two):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.patient.date_dialogs import MoveDateDialog

    here, there = two
    dialog = MoveDateDialog(Session(here), "ARI-014", "death")
    qtbot.addWidget(dialog)
    there.patients.update_dates("ARI-014", death=GUI_TODAY - timedelta(days=3))
    dialog.new_date.set_value(GUI_TODAY - timedelta(days=1))
    dialog.accept()
    assert dialog.errors.text("death") == (f"The date of death of ARI-014 was changed by physician at {WHEN} "
                                           f"(none → {GUI_TODAY - timedelta(days=3)}) {STALE}")
    assert not dialog.saved and here.patients.get("ARI-014").anchors.death == GUI_TODAY - timedelta(days=3)


def test_a_recording_corrected_elsewhere_since_it_was_seen_is_refused(two):
    here, there = two
    first = datetime.combine(DAY0 + timedelta(days=7), datetime.min.time()).replace(hour=9).astimezone()
    seen = here.recordings.record("ARI-014", "D+7", "sbcma", done_at=first).recording
    there.recordings.record("ARI-014", "D+7", "sbcma", done_at=first + timedelta(minutes=30),
                            correction_reason="time on the tube")
    error = refused("done_at", here.recordings.record, "ARI-014", "D+7", "sbcma", not_done_reason="haemolysed",
                    correction_reason="sample was haemolysed", expected=seen)
    assert str(error) == (f"Soluble BCMA at D+7 of ARI-014 was changed by physician at {WHEN} "
                          f"(done {first:%Y-%m-%d} 09:00 → done {first:%Y-%m-%d} 09:30) {STALE}")
    fresh = here.recordings.record("ARI-014", "D+7", "sbcma", not_done_reason="haemolysed",
                                   correction_reason="sample was haemolysed",
                                   expected=_recording(here, "D+7", "sbcma"))
    assert fresh.recording.outcome == "not_done"


def _recording(store, timepoint, activity):
    return next(e.recording for e in store.schedules.of("ARI-014", GUI_TODAY)
                if (e.item.timepoint, e.item.activity) == (timepoint, activity))


def test_an_assessment_correction_keeps_a_finding_corrected_elsewhere_and_regrades_from_both(two):
    here, there = two
    saved = here.assessments.add("ARI-014", GUI_NOW - timedelta(hours=1),
                                 BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4, ice=8))
    there.assessments.correct(saved.id, BedsideFindings(38.9, oxygen="facemask", flow_l_min=8, ice=8), Treatments(),
                              "mask, not cannula")
    # The form still shows the cannula; the user corrects only the ICE score.
    mine = BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4, ice=5)
    corrected = here.assessments.correct(saved.id, mine, Treatments(), "ICE recounted", expected=saved)
    assert (corrected.findings.oxygen, corrected.findings.flow_l_min, corrected.findings.ice) == ("facemask", 8, 5)
    assert corrected.crs == BedsideFindings(38.9, oxygen="facemask", flow_l_min=8, ice=5).crs()
    assert here.changes.all("assessments")[-1].new.keys() >= {"ice"}
    assert "oxygen" not in here.changes.all("assessments")[-1].new


def test_an_assessment_finding_corrected_elsewhere_since_it_was_seen_is_refused(two):
    here, there = two
    saved = here.assessments.add("ARI-014", GUI_NOW - timedelta(hours=1), BedsideFindings(38.9, ice=8))
    there.assessments.correct(saved.id, BedsideFindings(39.4, ice=8), Treatments(), "highest reading")
    error = refused("temperature", here.assessments.correct, saved.id, BedsideFindings(38.2, ice=8), Treatments(),
                    "typo", expected=saved)
    at = saved.at.astimezone()
    assert str(error) == (f"The temperature of the assessment of ARI-014 at {at:%Y-%m-%d %H:%M} was changed by "
                          f"physician at {WHEN} (38.9 → 39.4) {STALE}")


def test_an_event_resolved_elsewhere_since_it_was_seen_is_refused(two):
    here, there = two
    seen = here.events.add("ARI-014", "tls", GUI_TODAY - timedelta(days=10), grade=3)
    there.events.resolve("ARI-014", seen.id, GUI_TODAY - timedelta(days=4))
    error = refused("resolution", here.events.resolve, "ARI-014", seen.id, GUI_TODAY - timedelta(days=5),
                    expected=seen)
    assert str(error) == (f"The resolution date of {seen.label.lower()} (event {seen.id}) of ARI-014 was changed by "
                          f"physician at {WHEN} (none → {GUI_TODAY - timedelta(days=4)}) {STALE}")


# -- the window's correction dialogs pass what they showed ----------------------------------------


def test_a_bedside_correction_keeps_a_temperature_corrected_elsewhere_and_refuses_to_overwrite_it(qtbot, two):
    from ari_desktop.gui.bedside.bedside import BedsideAssessmentDialog
    from ari_desktop.gui.common.session import Session

    here, there = two
    saved = here.assessments.add("ARI-014", GUI_NOW - timedelta(hours=1),
                                 BedsideFindings(38.9, oxygen="nasal-cannula", flow_l_min=4, ice=8))
    oxygen_only, temperature_too = (BedsideAssessmentDialog(Session(here), "ARI-014", correcting=saved)
                                    for _ in range(2))
    there.assessments.correct(saved.id, BedsideFindings(39.4, oxygen="nasal-cannula", flow_l_min=4, ice=8),
                              Treatments(), "highest reading")
    for dialog in (oxygen_only, temperature_too):
        qtbot.addWidget(dialog)
        dialog.correction_reason.setText("the device was a facemask")
        dialog.oxygen.setCurrentIndex(dialog.oxygen.findData("facemask"))
    temperature_too.temperature.set_value(38.2)
    temperature_too.accept()
    assert temperature_too.error_text("temperature").startswith(
        "The temperature of the assessment of ARI-014 at ") and "(38.9 → 39.4)" in temperature_too.error_text(
        "temperature")
    oxygen_only.accept()
    corrected = here.assessments.get(saved.id)
    assert (corrected.findings.temperature_c, corrected.findings.oxygen) == (39.4, "facemask")


def test_a_record_dialog_refuses_a_correction_of_a_recording_corrected_elsewhere(qtbot, two):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.patient.record_dialog import RecordItemDialog

    here, there = two
    first = datetime.combine(DAY0 + timedelta(days=7), datetime.min.time()).replace(hour=9).astimezone()
    here.recordings.record("ARI-014", "D+7", "sbcma", done_at=first)
    dialog = RecordItemDialog(Session(here), next(e for e in here.schedules.of("ARI-014", GUI_TODAY)
                                                 if (e.item.timepoint, e.item.activity) == ("D+7", "sbcma")))
    qtbot.addWidget(dialog)
    there.recordings.record("ARI-014", "D+7", "sbcma", not_done_reason="haemolysed", correction_reason="lab called")
    dialog.correction_reason.setText("time on the tube")
    dialog.done_at.clock.setText("09:30")
    dialog.accept()
    assert dialog.errors.text("done_at") == (f"Soluble BCMA at D+7 of ARI-014 was changed by physician at {WHEN} "
                                             f"(done {first:%Y-%m-%d} 09:00 → not done: haemolysed) {STALE}")
    assert not dialog.saved


def test_an_event_dialog_refuses_a_resolution_recorded_elsewhere_since_it_opened(qtbot, two):
    from ari_desktop.gui.common.session import Session
    from ari_desktop.gui.toxicity.event_dialog import ToxicityEventDialog

    here, there = two
    event = here.events.add("ARI-014", "tls", GUI_TODAY - timedelta(days=10), grade=3)
    dialog = ToxicityEventDialog(Session(here), "ARI-014", resolving=event)
    qtbot.addWidget(dialog)
    there.events.resolve("ARI-014", event.id, GUI_TODAY - timedelta(days=4))
    dialog.resolution.set_value(GUI_TODAY - timedelta(days=6))
    dialog.accept()
    assert dialog.error_text("resolution").startswith(f"The resolution date of {event.label.lower()} (event {event.id})"
                                                      f" of ARI-014 was changed by physician at {WHEN}")
    assert here.events.of("ARI-014")[0].resolution == GUI_TODAY - timedelta(days=4)
