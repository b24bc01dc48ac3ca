"""The visit worksheet, and what every printout shares: checks before writing, languages, fonts,
page numbers, the import-light package and the `sheet` / `labels` commands."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import open_store
from pypdf import PdfReader

from ari_desktop import i18n
from ari_desktop.cli.printing import register
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.grading import ICE_ITEMS
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.printing import LANGUAGES, PAPERS, STOCKS, daily_worklist, layout, tube_labels, visit_worksheet
from ari_desktop.printing import fonts as printing_fonts
from ari_desktop.store import Store

FIXED = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 8, 30).astimezone()


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, with runs of white space made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def pdf_text(path: Path) -> str:
    return " ".join(pdf_pages(path))


def register_patient(store: Store, study_id: str, day0: date | None, booster: date | None = None,
                     initials: str = "JM", birth_year: int = 1958) -> None:
    screening = (day0 - timedelta(days=40)) if day0 else FIXED - timedelta(days=5)
    anchors = Anchors(screening=screening, day0=day0, booster=booster)
    store.patients.add(check_new_patient(study_id, initials, "F", birth_year, anchors, store.protocol, FIXED))


@pytest.fixture
def clinic(tmp_path: Path):
    """A unit on 2025-03-10: ARI-003 at day +3 (fraction 2), ARI-028 at day +28 (with month 1),
    ARI-100 at day +100 (with month 3), ARI-SCR in screening."""
    store = open_store(tmp_path / "clinic.db", today=lambda: FIXED, now=lambda: NOW)
    register_patient(store, "ARI-003", FIXED - timedelta(days=3), initials="MG", birth_year=1961)
    register_patient(store, "ARI-028", FIXED - timedelta(days=28))
    register_patient(store, "ARI-100", FIXED - timedelta(days=100))
    register_patient(store, "ARI-SCR", None)
    yield store
    store.close()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "printouts"
    folder.mkdir()
    return folder / "sheet.pdf"


def test_worksheet_tells_the_nurse_who_which_visit_and_every_sample_with_tube_volume_and_lab(clinic, out):
    visit_worksheet(clinic, "ARI-028", "D+28", out)
    text = pdf_text(out)
    for expected in ("Visit worksheet", "ARI0002h", "ARI-028", "JM", "1958", "Day +28", "D+28",
                     "2025-03-10 (Monday)", "2025-03-08 – 2025-03-12"):
        assert expected in text
    samples = [e for e in clinic.schedules.of("ARI-028", FIXED)
               if e.item.target_date == FIXED and e.item.kind == "sample"]
    assert len(samples) == 6
    for entry in samples:
        activity = clinic.protocol.activity(entry.item.activity)
        for expected in (entry.item.label, activity.sample, activity.tube, f"{activity.volume_ml:g} mL", activity.lab):
            assert expected in text, expected


def test_visits_a_few_days_apart_print_as_one_visit_d28_with_month_1(clinic, tmp_path, out):
    visit_worksheet(clinic, "ARI-028", "D+28", out)
    text = pdf_text(out)
    assert "Day +28 + Month 1" in text
    assert "CAR-T persistence" in text and "Response labs (IMWG)" in text  # month 1's samples
    from_month_1 = tmp_path / "printouts" / "m1.pdf"
    visit_worksheet(clinic, "ARI-028", "M1", from_month_1)
    assert "Day +28 + Month 1" in pdf_text(from_month_1)


def test_a_toxicity_day_has_vitals_crs_fields_and_the_ten_ice_items_to_tick(clinic, out):
    visit_worksheet(clinic, "ARI-003", "D+3", out)
    text = pdf_text(out)
    assert len(ICE_ITEMS) == 10
    for _, label, _ in ICE_ITEMS:
        assert label in text
    for expected in ("Temperature (°C)", "Blood pressure (mmHg)", "Hypotension", "Vasopressors", "Oxygen device",
                     "Oxygen flow (L/min)", "CRS grade", "ICE score (0–10)", "ICANS grade", "Assessment 3"):
        assert expected in text


def test_an_infusion_day_has_the_physician_go_hold_box_for_the_fraction(clinic, out):
    visit_worksheet(clinic, "ARI-003", "D+3", out)
    text = pdf_text(out)
    for expected in ("Infusion: go / hold decision", "Fraction 2 (30 % of the dose)", "Go / Hold", "Go", "Hold",
                     "Reason (to hold", "Physician", "CRS grade seen", "ICANS grade",
                     "Dose given", "Weight (kg)"):
        assert expected in text


def test_a_month_visit_after_day_30_asks_for_response_and_not_for_ice_or_go_hold(clinic, out):
    visit_worksheet(clinic, "ARI-100", "M3", out)
    text = pdf_text(out)
    assert "Day +100 + Month 3" in text
    assert "Response assessment (IMWG 2016)" in text and "VGPR" in text and "MRD in bone marrow" in text
    assert ICE_ITEMS[0][1] not in text
    assert "Go / Hold" not in text


def test_a_fraction_held_on_an_earlier_day_comes_back_with_its_go_hold_box_until_it_is_given(clinic, out):
    register_patient(clinic, "ARI-005", FIXED - timedelta(days=5))
    held_on = datetime.combine(FIXED - timedelta(days=2), datetime.min.time()).astimezone() + timedelta(hours=8)
    clinic.fractions.decide("ARI-005", "D+3", "hold", "CRS grade 2", decided_at=held_on)
    visit_worksheet(clinic, "ARI-005", "D+5", out)
    text = pdf_text(out)
    assert "Visit Day +5 (D+5)" in text  # still the day +5 visit
    assert "Fraction 2 (30 % of the dose), after a go decision; held, may be given up to 7 days late" in text
    assert "Go / Hold" in text and "Reason (to hold" in text


def test_the_worksheet_holds_no_name_or_hospital_number_only_study_id_and_initials(clinic, out):
    visit_worksheet(clinic, "ARI-003", "D+3", out)
    text = pdf_text(out)
    assert "ARI-003" in text and "MG" in text and "1961" in text
    for absent in ("Patient name", "Hospital number", "NHC"):
        assert absent not in text


def test_after_a_booster_the_visit_day_is_counted_from_day_0_and_from_the_booster(tmp_path, out):
    store = open_store(tmp_path / "booster.db", today=lambda: FIXED, now=lambda: NOW)
    register_patient(store, "ARI-B", FIXED - timedelta(days=150), booster=FIXED - timedelta(days=14))
    visit_worksheet(store, "ARI-B", "B+14", out)
    text = pdf_text(out)
    assert "D+150" in text and "B+14" in text
    store.close()


def test_every_page_says_page_n_of_m_when_and_by_whom_it_was_printed(clinic, out):
    visit_worksheet(clinic, "ARI-003", "D+3", out, printed_by="Dr Vidal")
    pages = pdf_pages(out)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Printed 2025-03-10 08:30 by Dr Vidal" in text
        assert "ARI-003" in text  # a loose page still says whose it is


def test_printed_by_defaults_to_the_user_of_the_store(clinic, out):
    visit_worksheet(clinic, "ARI-SCR", "SCR", out)
    assert "Printed 2025-03-10 08:30 by clinician" in pdf_text(out)


@pytest.mark.parametrize("paper, size", [("a4", (595, 842)), ("letter", (612, 792))])
def test_the_worksheet_prints_on_a4_or_letter(clinic, out, paper, size):
    visit_worksheet(clinic, "ARI-028", "D+28", out, paper=paper)
    for page in PdfReader(out).pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size


def test_the_spanish_worksheet_uses_clinical_spanish_and_the_protocol_files_spanish_labels(clinic, out):
    visit_worksheet(clinic, "ARI-003", "D+3", out, lang="es")
    text = pdf_text(out)
    for expected in ("Hoja de visita", "Muestras a extraer", "Tubo", "Volumen", "Destino", "Hora", "Iniciales",
                     "Firma de enfermería", "Fecha prevista", "Fracción", "Administrar / Aplazar",
                     "Impreso el 2025-03-10 08:30 por clinician", "Página 1 de", "Orientación: dice el año",
                     "Temperatura (°C)", "2025-03-10 (lunes)"):
        assert expected in text, expected
    # the protocol file's Spanish words (tests/test_printing_spanish.py has the rest)
    assert "BCMA soluble" in text and "Tubo de suero con gel (tapón amarillo)" in text
    assert "Soluble BCMA" not in text and "Serum gel (gold)" not in text
    assert "Visit worksheet" not in text


def test_the_printouts_offer_every_language_of_the_app():
    assert set(LANGUAGES) == set(i18n.LANGUAGES)


def test_every_ice_item_has_its_spanish_and_catalan_wording():
    for _, item, _ in ICE_ITEMS:
        assert i18n.catalog("es").gettext(item) != item
        assert i18n.catalog("ca").gettext(item) != item


@pytest.mark.parametrize("call, sentence", [
    (lambda s, o: visit_worksheet(s, "ARI-999", "D+3", o), "There is no patient with study ID 'ARI-999'."),
    (lambda s, o: visit_worksheet(s, "ARI-003", "D+999", o), "There is no timepoint 'D+999' in the ARI0002h protocol."),
    (lambda s, o: visit_worksheet(s, "ARI-003", "B0", o), "The timepoint B0 is not on the schedule of ARI-003."),
    (lambda s, o: visit_worksheet(s, "ARI-SCR", "D+7", o), "The timepoint D+7 is not on the schedule of ARI-SCR."),
    (lambda s, o: visit_worksheet(s, "ARI-003", "D+3", o, paper="a5"), "The paper 'a5' is not one of a4, letter."),
    (lambda s, o: visit_worksheet(s, "ARI-003", "D+3", o, lang="fr"), "The language 'fr' is not one of en, es, ca."),
    (lambda s, o: tube_labels(s, "ARI-003", "D+3", o, stock="a4-2x7"),
     "The label stock 'a4-2x7' is not one of a4-3x8, roll."),
    (lambda s, o: tube_labels(s, "ARI-999", "D+3", o), "There is no patient with study ID 'ARI-999'."),
    (lambda s, o: tube_labels(s, "ARI-003", "D+1", o), "There is no sample to label at Day +1 for ARI-003."),
    (lambda s, o: daily_worklist(s, FIXED, o, lang="de"), "The language 'de' is not one of en, es, ca."),
])
def test_a_wrong_request_is_refused_with_one_sentence_and_no_file_is_written(clinic, out, call, sentence):
    with pytest.raises(ClinicalInputError) as error:
        call(clinic, out)
    assert str(error.value) == sentence
    assert list(out.parent.iterdir()) == []


def test_no_worksheet_is_printed_for_a_visit_cancelled_because_the_patient_went_off_study(clinic, out):
    clinic.patients.update_dates("ARI-003", off_study=FIXED - timedelta(days=1), off_study_reason="Consent withdrawn")
    with pytest.raises(ClinicalInputError, match=r"^Day \+3 of ARI-003 is cancelled \(off study on 2025-03-09"):
        visit_worksheet(clinic, "ARI-003", "D+3", out)
    assert list(out.parent.iterdir()) == []


def test_a_missing_folder_is_refused_before_anything_is_written(clinic, tmp_path):
    with pytest.raises(ClinicalInputError, match="does not exist"):
        visit_worksheet(clinic, "ARI-003", "D+3", tmp_path / "no such folder" / "sheet.pdf")


def test_a_failure_while_writing_never_leaves_half_a_pdf_and_keeps_the_previous_printout(clinic, out, monkeypatch):
    visit_worksheet(clinic, "ARI-003", "D+3", out)
    previous = out.read_bytes()

    def fail_half_way(doc, story, footer):
        Path(doc.filename).write_bytes(b"%PDF-1.4 half")
        raise OSError("disk full")

    monkeypatch.setattr("ari_desktop.printing.worksheet.build", fail_half_way)
    with pytest.raises(ClinicalInputError, match=r"sheet.pdf' cannot be written: disk full\.$"):
        visit_worksheet(clinic, "ARI-003", "D+3", out)
    assert out.read_bytes() == previous
    assert [p.name for p in out.parent.iterdir()] == ["sheet.pdf"]


def test_the_choices_are_the_documented_ones():
    assert PAPERS == ("a4", "letter") and STOCKS == ("a4-3x8", "roll") and LANGUAGES == ("en", "es", "ca")


@pytest.fixture
def helvetica_only(monkeypatch):
    """A machine without DejaVu Sans (or Arial): the printouts fall back to built-in Helvetica."""
    monkeypatch.setattr(printing_fonts, "FONT_FILES", ())
    printing_fonts.fonts.cache_clear()
    yield
    printing_fonts.fonts.cache_clear()


def test_without_a_unicode_font_the_sheet_prints_in_helvetica_with_plain_signs(clinic, out, helvetica_only):
    visit_worksheet(clinic, "ARI-003", "D+3", out, lang="es")
    text = pdf_text(out)
    assert "temperatura >= 38,0 °C" in text and "(bajo flujo <= 6 L/min)" in text
    assert "≥" not in text and "≤" not in text
    assert "Página 1 de" in text and "Fracción" in text  # Helvetica has the Spanish letters
    fonts = {str(f["/BaseFont"]) for page in PdfReader(out).pages for f in page["/Resources"]["/Font"].values()}
    assert fonts <= {"/Helvetica", "/Helvetica-Bold"}


def test_with_the_unicode_font_the_signs_print_as_the_clinic_writes_them(clinic, out):
    visit_worksheet(clinic, "ARI-003", "D+3", out)
    text = pdf_text(out)
    if printing_fonts.fonts().unicode:
        assert "≥ 38.0 °C" in text and "≤ 6 L/min" in text
    else:  # a machine without DejaVu Sans: the fallback
        assert ">= 38.0 °C" in text and "<= 6 L/min" in text


def test_footer_text_too_long_for_the_line_is_cut_short_not_overprinted():
    assert layout.fit_text("A" * 500, "Helvetica", 7.5, 100).endswith("…")
    assert layout.fit_text("short", "Helvetica", 7.5, 100) == "short"


def test_the_window_can_import_printing_without_loading_reportlab():
    code = ("import sys, ari_desktop, ari_desktop.store, ari_desktop.printing, ari_desktop.cli.printing, "
            "ari_desktop.core.sample_ids; sys.exit(any(m.startswith('reportlab') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- the commands ------------------------------------------------------------------------------

def _group(store: Store) -> click.Group:
    """A command group like the main one: a ClinicalInputError is one sentence and exit code 2."""

    class Commands(click.Group):
        def invoke(self, ctx):
            try:
                return super().invoke(ctx)
            except ClinicalInputError as error:
                click.echo(f"ari-desktop: {error}", err=True)
                ctx.exit(2)

    @click.group(cls=Commands)
    def main() -> None:
        pass

    register(main, lambda ctx: store)
    return main


def test_sheet_command_writes_the_worksheet_and_says_how_many_pages(clinic, out):
    result = CliRunner().invoke(_group(clinic), ["sheet", "ARI-003", "--timepoint", "D+3", "-o", str(out),
                                                 "--lang", "es", "--paper", "letter"])
    assert result.exit_code == 0, result.output
    pages = len(PdfReader(out).pages)
    assert result.output == f"Wrote {out} ({pages} pages).\n"
    assert "Hoja de visita" in pdf_text(out)


def test_labels_command_writes_one_roll_label_per_tube(clinic, out):
    result = CliRunner().invoke(_group(clinic), ["labels", "ARI-003", "--timepoint", "D+3", "-o", str(out),
                                                 "--stock", "roll"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out} (3 pages).\n"


def test_a_command_for_an_unknown_patient_prints_one_sentence_exits_2_and_writes_nothing(clinic, out):
    result = CliRunner().invoke(_group(clinic), ["labels", "ARI-404", "--timepoint", "D+3", "-o", str(out)])
    assert result.exit_code == 2
    assert "There is no patient with study ID 'ARI-404'." in result.output
    assert not out.exists()
