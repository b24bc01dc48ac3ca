"""Tube labels: one per sample of a visit, whose barcode the app can read back and look up.

The barcodes are decoded from the PDF itself: the bars reportlab drew are read back from the page's
content stream, measured in narrow-bar widths and decoded with the small Code 128 decoder below.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import open_store
from pypdf import PdfReader
from reportlab.graphics.barcode.code128 import Code128, _patterns
from reportlab.lib.units import mm

from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.core.sample_ids import parse_sample_id
from ari_desktop.printing import tube_labels
from ari_desktop.printing.labels import SMALLEST_MODULE, STOCK_LAYOUTS, Label, _draw
from ari_desktop.printing.layout import Typesetter
from ari_desktop.store import Store

FIXED = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 8, 30).astimezone()

# -- a small Code 128 decoder ------------------------------------------------------------------

_SYMBOLS = {pattern: value for value, pattern in _patterns.items()}  # 'BbAbAc' -> 0 (the ISO table)
_START = {103: "A", 104: "B", 105: "C"}


def decode_code128(widths: list[int]) -> str:
    """Text from the widths (in modules) of the alternating bars and spaces of one symbol."""
    letters = [chr((64 if n % 2 == 0 else 96) + w) for n, w in enumerate(widths)]  # bar 'A'..'D', space 'a'..'d'
    values = [_SYMBOLS["".join(letters[i:i + 6])] for i in range(0, len(letters) - 7, 6)]
    assert _SYMBOLS["".join(letters[-7:])] == 106, "no stop pattern"
    start, *data, check = values
    assert (start + sum(n * v for n, v in enumerate(data, start=1))) % 103 == check, "bad check digit"
    code, text, shifted = _START[start], [], False
    for value in data:
        current = ("B" if code == "A" else "A") if shifted else code
        shifted = False
        if current == "C":
            if value < 100:
                text.append(f"{value:02d}")
            else:
                code = {100: "B", 101: "A"}[value]
        elif value == 98:
            shifted = True
        elif value == 99:
            code = "C"
        elif (current, value) in (("A", 100), ("B", 101)):
            code = "B" if current == "A" else "A"
        elif value < 96:
            text.append(chr(value + 32) if current == "B" or value < 64 else chr(value - 64))
    return "".join(text)


def barcodes_on(path: Path) -> list[tuple[str, float, float, float, float]]:
    """Every barcode drawn in a PDF: (decoded text, narrow-bar width, x of first bar, x after last bar,
    bar height), all in points, page by page."""
    found = []
    for page in PdfReader(path).pages:
        content = page.get_contents().get_data().decode("latin-1")
        for x0, block in re.findall(r"1 0 0 1 (\S+) \S+ cm\n((?:n \S+ \S+ \S+ \S+ re f\*\n)+)", content):
            bars = [tuple(map(float, m)) for m in re.findall(r"n (\S+) (\S+) (\S+) (\S+) re", block)]
            bars.sort()
            elements = []
            for n, (x, _, w, _) in enumerate(bars):
                if n:
                    previous_x, _, previous_w, _ = bars[n - 1]
                    elements.append(x - previous_x - previous_w)
                elements.append(w)
            module = min(elements)
            widths = [round(e / module) for e in elements]
            assert all(abs(e / module - w) < 0.05 for e, w in zip(elements, widths, strict=True))
            left = float(x0) + bars[0][0]
            found.append((decode_code128(widths), module, left, left + bars[-1][0] + bars[-1][2], bars[0][3]))
    return found


def widths_of(value: str) -> list[int]:
    symbol = Code128(value)
    symbol.validate()
    symbol.encode()
    return [int(c, 36) - 9 for c in symbol.decompose()]


@pytest.mark.parametrize("value", ["ARI-001/D+7/sbcma", "DEMO-0001/D+100/cart_pb", "12345678", "x_1/M12/mrd_bm",
                                   "HCB-2024-0003/B+14/cbc", "Ab9"])
def test_the_test_decoder_reads_what_reportlab_encodes_including_digit_runs(value):
    assert decode_code128(widths_of(value)) == value


# -- the labels ----------------------------------------------------------------------------------

def register_patient(store: Store, study_id: str, day0: date) -> None:
    anchors = Anchors(screening=day0 - timedelta(days=40), day0=day0)
    store.patients.add(check_new_patient(study_id, "JM", "F", 1958, anchors, store.protocol, FIXED))


@pytest.fixture
def store(tmp_path: Path):
    store = open_store(tmp_path / "labels.db", today=lambda: FIXED, now=lambda: NOW)
    register_patient(store, "ARI-028", FIXED - timedelta(days=28))  # D+28 with month 1, today
    register_patient(store, "HCB-22-0003", FIXED - timedelta(days=100))  # D+100 with month 3, today
    register_patient(store, "ARI-020", FIXED - timedelta(days=20))  # D+28 in 8 days
    yield store
    store.close()


def test_one_label_per_tube_of_the_visit_with_study_id_timepoint_sample_and_date(store, tmp_path):
    out = tube_labels(store, "ARI-028", "D+28", tmp_path / "labels.pdf")
    text = " ".join(PdfReader(out).pages[0].extract_text().split())
    samples = [e for e in store.schedules.of("ARI-028", FIXED)
               if e.item.target_date == FIXED and e.item.kind == "sample"]
    assert len(samples) == 6  # D+28 and month 1 are one visit: one draw, six tubes
    assert text.count("ARI-028 D+28") == 4 and text.count("ARI-028 M1") == 2 and text.count("Date 2025-03-10") == 6
    for entry in samples:
        activity = store.protocol.activity(entry.item.activity)
        assert activity.sample in text and activity.tube in text
        assert f"ARI-028/{entry.item.timepoint}/{entry.item.activity}" in text


@pytest.mark.parametrize("stock", ["a4-3x8", "roll"])
def test_each_barcode_decodes_to_a_sample_the_app_finds_on_the_patients_schedule(store, tmp_path, stock):
    out = tube_labels(store, "HCB-22-0003", "M3", tmp_path / "labels.pdf", stock=stock)
    codes = barcodes_on(out)
    schedule = {(e.item.timepoint, e.item.activity): e for e in store.schedules.of("HCB-22-0003", FIXED)}
    expected = {f"HCB-22-0003/{tp}/{a}" for (tp, a), e in schedule.items()
                if e.item.kind == "sample" and e.item.target_date == FIXED}
    assert {text for text, *_ in codes} == expected and len(codes) == len(expected) == 7
    for text, *_ in codes:
        study_id, timepoint, activity = parse_sample_id(text)
        found = {(e.item.timepoint, e.item.activity): e for e in store.schedules.of(study_id, FIXED)}
        assert found[(timepoint, activity)].item.kind == "sample"


@pytest.mark.parametrize("stock", ["a4-3x8", "roll"])
def test_barcodes_are_scannable_size_with_quiet_zones_inside_the_label(store, tmp_path, stock):
    out = tube_labels(store, "HCB-22-0003", "M3", tmp_path / "labels.pdf", stock=stock)
    layout = STOCK_LAYOUTS[stock]
    label_width = layout.label[0]
    for _, module, left, right, height in barcodes_on(out):
        assert SMALLEST_MODULE <= module <= 0.34 * mm  # 6 to 13 mil
        assert height >= 7 * mm
        column_left = layout.left + label_width * int((left - layout.left) // label_width)
        assert left - column_left >= 10 * module  # quiet zone before the bars
        assert column_left + label_width - right >= 10 * module  # and after


@pytest.mark.parametrize("stock", ["a4-3x8", "roll"])
def test_trial_style_study_ids_get_bars_of_at_least_7_mil_on_both_stocks(store, tmp_path, stock):
    out = tube_labels(store, "ARI-028", "D+28", tmp_path / "labels.pdf", stock=stock)
    assert min(module for _, module, *_ in barcodes_on(out)) >= 0.178 * mm


def test_an_identifier_too_long_to_scan_is_refused_before_printing(tmp_path):
    store = open_store(tmp_path / "long.db", today=lambda: FIXED, now=lambda: NOW)
    register_patient(store, "A" * 32, FIXED - timedelta(days=100))
    with pytest.raises(ClinicalInputError, match="too long for a barcode"):
        tube_labels(store, "A" * 32, "M3", tmp_path / "labels.pdf", stock="roll")
    assert not (tmp_path / "labels.pdf").exists()
    store.close()


def test_roll_stock_prints_one_57_by_32_mm_label_per_page(store, tmp_path):
    out = tube_labels(store, "ARI-028", "D+28", tmp_path / "roll.pdf", stock="roll")
    pages = PdfReader(out).pages
    assert len(pages) == 6
    for page in pages:
        assert (round(float(page.mediabox.width) / mm), round(float(page.mediabox.height) / mm)) == (57, 32)


def test_the_a4_sheet_holds_3_by_8_labels_of_70_by_37_mm_within_the_page():
    layout = STOCK_LAYOUTS["a4-3x8"]
    assert (layout.columns, layout.rows) == (3, 8)
    assert (round(layout.label[0] / mm), round(layout.label[1] / mm)) == (70, 37)
    assert layout.left + layout.columns * layout.label[0] <= layout.page[0] + 0.01
    assert layout.top + layout.rows * layout.label[1] <= layout.page[1] + 0.01


def test_more_labels_than_a_sheet_holds_continue_on_a_new_sheet(tmp_path):
    labels = [Label("ARI-001", "D+7", "Soluble BCMA", "Serum", "Serum gel (gold)", "Immunology laboratory", FIXED,
                    f"ARI-{n:03d}/D+7/sbcma") for n in range(25)]
    pages = _draw(tmp_path / "many.pdf", labels, STOCK_LAYOUTS["a4-3x8"], Typesetter("en"), "labels", "nurse")
    assert pages == 2 and len(PdfReader(tmp_path / "many.pdf").pages) == 2
    assert len(barcodes_on(tmp_path / "many.pdf")) == 25


def test_labels_printed_ahead_carry_the_target_date_not_today(store, tmp_path):
    out = tube_labels(store, "ARI-020", "D+28", tmp_path / "ahead.pdf")
    text = PdfReader(out).pages[0].extract_text()
    assert "Date 2025-03-18" in text and "2025-03-10" not in text


def test_spanish_labels(store, tmp_path):
    out = tube_labels(store, "ARI-028", "D+28", tmp_path / "etiquetas.pdf", lang="es")
    text = PdfReader(out).pages[0].extract_text()
    assert "Fecha 2025-03-10" in text and "Hora" in text
    assert PdfReader(out).metadata.title.startswith("Etiquetas de tubos")


def test_each_label_says_where_the_tube_goes_and_a_sample_already_drawn_gets_none(store, tmp_path):
    entries = [e for e in store.schedules.of("ARI-020", store.today()) if e.item.timepoint == "D+28"
               and e.item.kind == "sample"]
    first = entries[0].item
    store.recordings.record("ARI-020", first.timepoint, first.activity, done_at=datetime.combine(
        store.today(), datetime.min.time()).replace(hour=7).astimezone())
    out = tube_labels(store, "ARI-020", "D+28", tmp_path / "labels.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    lab = store.protocol.activity(entries[1].item.activity).lab
    assert lab in text
    assert f"ARI-020/D+28/{first.activity}" not in {code for code in barcodes_on(out)}
