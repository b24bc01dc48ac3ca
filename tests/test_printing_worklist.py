"""The daily worklist: what is due across all patients on one day, on A4 landscape."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from conftest import open_store
from pypdf import PdfReader

from ari_desktop.core.gate import DoseGiven
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.toxicity import BedsideFindings
from ari_desktop.printing import daily_worklist
from ari_desktop.store import Store

FIXED = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 7, 45).astimezone()
HEADER = ("Patient", "Timepoint", "Item", "Specimen · tube", "Volume", "Destination", "Target date", "Window closes",
          "Status", "Time", "Initials")


def pdf_pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def register_patient(store: Store, study_id: str, day0: date, initials: str = "JM",
                     forgotten: tuple[str, ...] = ()) -> None:
    """Register a patient whose every item with a closed window was done on its day, except at the
    `forgotten` timepoints."""
    anchors = Anchors(screening=day0 - timedelta(days=40), day0=day0)
    store.patients.add(check_new_patient(study_id, initials, "M", 1950, anchors, store.protocol, FIXED))
    done = [e for e in store.schedules.of(study_id, FIXED)
            if e.item.window_end < FIXED and e.item.timepoint not in forgotten]
    for entry in done:
        if entry.item.activity == "infusion" and entry.item.timepoint in store.protocol.go_decision_before:
            store.fractions.decide(study_id, entry.item.timepoint, "go", "",
                                  decided_at=datetime.combine(entry.item.target_date, time(8)).astimezone())
    store.recordings.record_many(study_id, [(e.item.timepoint, e.item.activity,
                                  datetime.combine(e.item.target_date, time(9)).astimezone(), None)
                                 for e in done if e.item.activity != "tox"],
                      doses={(e.item.timepoint, "infusion"): DoseGiven(0.9, 70.0) for e in done
                             if e.item.activity == "infusion"})
    for e in done:
        if e.item.activity == "tox":  # done only with its findings
            store.assessments.add(study_id, datetime.combine(e.item.target_date, time(8)).astimezone(),
                         BedsideFindings(36.8))


@pytest.fixture
def store(tmp_path: Path):
    store = open_store(tmp_path / "ward.db", today=lambda: FIXED, now=lambda: NOW)
    yield store
    store.close()


@pytest.fixture
def ward(store):
    """ARI-003 at day +3 (fraction 2), ARI-029 a day past its D+28 target (overdue, window open),
    ARI-008 whose D+7 (an exact day) was yesterday and nothing was recorded (missed)."""
    register_patient(store, "ARI-003", FIXED - timedelta(days=3), "MG")
    register_patient(store, "ARI-029", FIXED - timedelta(days=29), "LP")
    register_patient(store, "ARI-008", FIXED - timedelta(days=8), "RT", forgotten=("D+7",))
    return store


def test_the_worklist_lists_each_patient_with_samples_tubes_labs_and_toxicity_assessments(ward, tmp_path):
    out = daily_worklist(ward, FIXED, tmp_path / "worklist.pdf")
    text = " ".join(pdf_pages(out))
    assert "Daily worklist — 2025-03-10 (Monday)" in text
    for entry in ward.schedules.worklist(FIXED):
        assert entry.study_id in text
        activity = ward.protocol.activity(entry.item.activity)
        assert entry.item.label in text
        if entry.item.kind == "sample":
            assert activity.tube in text and activity.lab in text
    assert "CRS and ICANS assessment (vitals, ICE)" in text
    assert "Fraction 2 (30 % of the dose), after a go decision" in text


def test_lines_of_one_patient_stay_together_in_the_order_of_the_day(ward, tmp_path):
    out = daily_worklist(ward, FIXED, tmp_path / "worklist.pdf")
    text = " ".join(pdf_pages(out))
    due = text[text.index("Due on this day"):text.index("Missed — reason needed")]
    order = [m.group(1) for m in re.finditer(r"(ARI-\d{3}) ·", due)]
    assert order == sorted(order)  # grouped: no patient's lines are interleaved with another's


def test_items_past_their_target_day_are_marked_overdue(ward, tmp_path):
    out = daily_worklist(ward, FIXED, tmp_path / "worklist.pdf")
    text = " ".join(pdf_pages(out))
    overdue = [e for e in ward.schedules.worklist(FIXED) if e.status == "overdue"]
    assert overdue and {e.study_id for e in overdue} == {"ARI-029"}
    assert re.search(r"2025-03-09 \d{4}-\d\d-\d\d OVERDUE", text)  # target date, window closes, status
    assert text.count("OVERDUE") == len(overdue)


def test_items_missed_in_the_last_days_are_listed_apart_asking_for_a_reason(ward, tmp_path):
    out = daily_worklist(ward, FIXED, tmp_path / "worklist.pdf")
    text = " ".join(pdf_pages(out))
    missed = ward.schedules.missed(FIXED)
    assert missed and {e.study_id for e in missed} == {"ARI-008"}
    section = text[text.index("Missed — reason needed"):]
    assert "Reason" in section and "Window closed" in section
    for entry in missed:
        assert f"{entry.item.timepoint} {entry.item.label} {entry.item.target_date} {entry.item.window_end}" in section
    due = text[:text.index("Missed — reason needed")]
    assert "ARI-008 · RT D+8" in due  # today's toxicity assessment is due as usual
    assert "D+7" not in due  # yesterday's exact-day items are no longer due: they are missed


def test_the_phlebotomy_tray_counts_blood_tubes_of_each_type_and_not_marrow_aspirates(ward, tmp_path):
    out = daily_worklist(ward, FIXED, tmp_path / "worklist.pdf")
    text = " ".join(pdf_pages(out))
    tubes: Counter[str] = Counter()
    volume: Counter[str] = Counter()
    marrow = 0
    for entry in ward.schedules.worklist(FIXED):
        activity = ward.protocol.activity(entry.item.activity)
        if entry.item.kind == "sample" and activity.specimen == "bone_marrow":
            marrow += 1
        elif entry.item.kind == "sample":
            tubes[activity.tube] += 1
            volume[activity.tube] += activity.volume_ml
    assert marrow, "the ward has a bone-marrow aspirate due"
    assert "Phlebotomy tray: tubes to prepare" in text
    assert f"Not on the tray: {marrow} bone-marrow aspirate{'' if marrow == 1 else 's'}" in text
    for tube, count in tubes.items():
        assert f"{tube} {count} {volume[tube]:g} mL" in text
    assert f"Total {sum(tubes.values())}" in text


def test_a_200_line_worklist_breaks_across_pages_with_the_table_header_on_every_page(store, tmp_path):
    for n in range(40):  # 40 patients at day 0, +3 or +7: infusion, three samples, toxicity = 5 lines each
        register_patient(store, f"ARI-{n:03d}", FIXED - timedelta(days=(0, 3, 7)[n % 3]))
    assert len(store.schedules.worklist(FIXED)) == 200
    out = daily_worklist(store, FIXED, tmp_path / "worklist.pdf")
    pages = pdf_pages(out)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        if re.search(r"ARI-\d{3} · JM", text):  # a page that carries worklist lines
            assert " ".join(HEADER) in text, f"page {number} has no table header"
        assert f"Page {number} of {len(pages)}" in text
    lines = Counter(m.group(1) for page in pages for m in re.finditer(r"(ARI-\d{3}) · JM", page))
    assert lines == {f"ARI-{n:03d}": 5 for n in range(40)}  # every line printed, none twice


def test_a_day_with_nothing_due_still_prints_a_sheet_that_says_so(store, tmp_path):
    out = daily_worklist(store, FIXED, tmp_path / "worklist.pdf")
    text = " ".join(pdf_pages(out))
    assert "Nothing is due on this day." in text and "Nothing missed in the last 7 days." in text


def test_the_spanish_worklist(ward, tmp_path):
    out = daily_worklist(ward, FIXED, tmp_path / "lista.pdf", lang="es", printed_by="Enf. Ruiz")
    text = " ".join(pdf_pages(out))
    for expected in ("Lista de trabajo diaria — 2025-03-10 (lunes)", "Bandeja de extracción",
                     "Pendientes para este día", "Perdidas — indicar el motivo", "CON RETRASO", "Tubo", "Destino",
                     "Motivo",
                     "Impreso el 2025-03-10 07:45 por Enf. Ruiz", "Página 1 de"):
        assert expected in text, expected


def test_the_worklist_is_a4_landscape(ward, tmp_path):
    out = daily_worklist(ward, FIXED, tmp_path / "worklist.pdf")
    page = PdfReader(out).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)


def test_a_marrow_aspirate_is_printed_as_one_with_its_tube(ward, tmp_path):
    text = " ".join(pdf_pages(daily_worklist(ward, FIXED, tmp_path / "worklist.pdf")))
    assert "Bone marrow aspirate · EDTA (lavender)" in text
    assert "Peripheral blood · EDTA (lavender)" in text


def test_the_printed_worklist_follows_the_kind_and_patient_filters_shown(ward, tmp_path):
    out = daily_worklist(ward, FIXED, tmp_path / "worklist.pdf", kind="sample", patients="029")
    text = " ".join(pdf_pages(out))
    assert "Shown: samples, patients whose study ID contains “029”" in text
    assert "ARI-029" in text and "ARI-003" not in text
    assert "Bedside CRS/ICANS" not in text and "(vitals, ICE)" not in text
    shown = [e for e in ward.schedules.worklist(FIXED, "sample") if "029" in e.study_id]
    assert f"{len(shown)} items due" in text


def test_the_printed_worklist_says_when_each_window_closes(ward, tmp_path):
    text = " ".join(pdf_pages(daily_worklist(ward, FIXED, tmp_path / "worklist.pdf")))
    assert "Window closes" in text
    for entry in ward.schedules.worklist(FIXED):
        assert f"{entry.item.target_date} {entry.item.window_end}" in text
