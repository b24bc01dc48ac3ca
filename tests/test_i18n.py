"""One translation mechanism: the catalogs (complete for what the printouts and the language tooling say,
compiled from their .po), plural forms, printouts in English, Spanish and Catalan read back with pypdf,
View → Language, and the command line speaking the remembered language."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import open_store, untranslated_texts
from pypdf import PdfReader

from ari_desktop import catalogs, i18n
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.printing import daily_worklist, visit_worksheet

FIXED = date(2025, 3, 10)
NOW = datetime(2025, 3, 10, 8, 30).astimezone()
# The files whose messages this test holds complete (the window's and the core's are checked as they are wrapped).
CHECKED = ("ari_desktop/printing/", "ari_desktop/gui/common/language.py", "ari_desktop/cli/printing.py",
           "ari_desktop/core/protocol.py")


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_the_check_command_lists_what_is_not_ready_and_exits_1(capsys):
    code = catalogs.main(["check"])
    out = capsys.readouterr().out
    assert out.startswith("es: ")
    assert code == (1 if "not ready" in out else 0)


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_every_message_of_the_window_the_printouts_and_the_command_line_is_translated(lang):
    """Every marked string of ari_desktop/**.py and every translatable string of the Designer forms (the walks of
    the windows and the sheets under the pseudo-language find the strings left unmarked)."""
    assert catalogs.problems(lang) == []


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_each_shipped_mo_is_the_compilation_of_its_po(lang):
    path = catalogs.po_path(lang)
    assert path.with_suffix(".mo").read_bytes() == catalogs.compiled(catalogs.read(path, lang))


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_spanish_and_catalan_have_two_plural_forms_one_for_one(lang):
    header = catalogs.read(catalogs.po_path(lang), lang).mime_headers
    assert ("Plural-Forms", "nplurals=2; plural=(n != 1);") in header


@pytest.mark.parametrize("lang, one, three", [
    ("en", "1 patient", "3 patients"), ("es", "1 paciente", "3 pacientes"), ("ca", "1 pacient", "3 pacients")])
def test_a_count_takes_its_languages_plural(lang, one, three):
    words = i18n.catalog(lang)
    assert words.ngettext("{count} patient", "{count} patients", 1).format(count=1) == one
    assert words.ngettext("{count} patient", "{count} patients", 3).format(count=3) == three


def test_the_ui_extractor_keeps_translatable_strings_and_skips_notr(tmp_path):
    form = tmp_path / "f.ui"
    form.write_text('<ui><widget><property name="text"><string>Save</string></property>'
                    '<property name="styleSheet"><string notr="true">QLabel {}</string></property>'
                    '<property name="toolTip"><string comment="verb">Record</string></property></widget></ui>')
    with form.open("rb") as file:
        found = [message for _, _, message, _ in catalogs.extract_ui(file, {}, [], {})]
    assert found == ["Save", ("verb", "Record")]


@pytest.fixture
def clinic(tmp_path: Path):
    """ARI-007 at day +7 (fraction 3), ARI-028 at day +28."""
    store = open_store(tmp_path / "clinic.db", today=lambda: FIXED, now=lambda: NOW)
    for study_id, days in (("ARI-007", 7), ("ARI-028", 28)):
        day0 = FIXED - timedelta(days=days)
        anchors = Anchors(screening=day0 - timedelta(days=40), day0=day0)
        store.patients.add(check_new_patient(study_id, "MG", "F", 1961, anchors, store.protocol, FIXED))
    yield store
    store.close()


SHEET_WORDS = {
    "en": ("Visit worksheet", "Samples to draw", "cytokine release syndrome", "Soluble BCMA", "Nurse signature"),
    "es": ("Hoja de visita", "Muestras a extraer", "síndrome de liberación de citocinas", "BCMA soluble",
           "Firma de enfermería", "Laboratorio de Inmunología"),
    "ca": ("Full de visita", "Mostres que cal extreure", "síndrome d'alliberament de citocines", "Tub de sèrum",
           "Signatura d'infermeria", "Laboratori d'Immunologia", "Dia +7"),
}


@pytest.mark.parametrize("lang", ["en", "es", "ca"])
def test_the_worksheet_prints_in_each_language(clinic, tmp_path, lang):
    text = text_of(visit_worksheet(clinic, "ARI-007", "D+7", tmp_path / "sheet.pdf", lang=lang))
    for words in SHEET_WORDS[lang]:
        assert words in text
    if lang != "en":
        assert "Visit worksheet" not in text and "Samples to draw" not in text


@pytest.mark.parametrize("lang, count", [("en", "2 patients"), ("es", "2 pacientes"), ("ca", "2 pacients")])
def test_the_worklist_counts_its_patients_in_each_language(clinic, tmp_path, lang, count):
    text = text_of(daily_worklist(clinic, FIXED, tmp_path / "worklist.pdf", lang=lang))
    assert count in text


def _sheet_english(text: str) -> list[str]:
    """Words of three letters or more outside ⟪⟫ that are English sheet words, not data."""
    outside = re.sub(r"⟪.*?⟫", " ", text, flags=re.DOTALL)
    words = set()
    for message in catalogs.read(catalogs.POT):
        if message.id and any(where.startswith("ari_desktop/printing/") for where, _ in message.locations):
            for part in (message.id if isinstance(message.id, tuple) else (message.id,)):
                words |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}|<[^>]+>", " ", part))}
    return sorted({w for w in re.findall(r"[A-Za-z]{4,}", outside) if w.lower() in words})


def test_under_the_pseudo_language_every_sheet_word_is_a_translated_one(clinic, tmp_path, pseudo_language):
    text = text_of(visit_worksheet(clinic, "ARI-007", "D+7", tmp_path / "sheet.pdf", lang="es"))
    text += text_of(daily_worklist(clinic, FIXED, tmp_path / "worklist.pdf", lang="es"))
    assert "⟪" in text
    # What is left are the protocol file's words (in Spanish), the data and the codes.
    assert [w for w in _sheet_english(text) if not w.isupper()] == []  # acronyms (ICANS, IMWG) are codes


def test_loading_a_catalog_takes_well_under_20_ms():
    i18n.catalog.cache_clear()
    started = time.perf_counter()
    i18n.catalog("es")
    assert time.perf_counter() - started < 0.020


def test_the_command_line_speaks_the_remembered_language(tmp_path, monkeypatch):
    from ari_desktop import launch

    i18n.remember_language("es")
    monkeypatch.setattr("sys.argv", ["ari-desktop", "--db", str(tmp_path / "x.db"), "demo", "--help"])
    seen = []
    monkeypatch.setattr("ari_desktop.cli.main", lambda: seen.append(i18n.current()))
    launch.main()
    assert seen == ["es"]
    assert i18n.ngettext("Wrote {path} ({count} page).", "Wrote {path} ({count} pages).", 2) == \
        "Escrito {path} ({count} páginas)."


def test_the_cli_offers_every_language_for_a_sheet():
    from ari_desktop.cli import cli

    result = CliRunner().invoke(cli, ["sheet", "--help"])
    assert "en English, es Español, ca Català" in " ".join(result.output.split())


def test_view_language_remembers_the_choice_and_offers_a_restart(window, monkeypatch):
    from ari_desktop.gui.common import language

    asked = []
    monkeypatch.setattr(language, "ask_restart", lambda parent, lang: asked.append(lang) or False)
    actions = {action.data(): action for action in window.language_menu.actions()}
    assert set(actions) == set(i18n.LANGUAGES) and actions["en"].isChecked()
    actions["ca"].trigger()
    assert i18n.remembered_language() == "ca" and asked == ["ca"]
    assert actions["ca"].isChecked() and not actions["en"].isChecked()
    assert i18n.current() == "en"  # the window speaks Catalan after the restart, not now
    assert not window.restart_asked


def test_restart_now_closes_the_window_for_the_app_to_start_again(window, monkeypatch):
    from ari_desktop.gui.common import language

    monkeypatch.setattr(language, "ask_restart", lambda parent, lang: True)
    language.choose_language(window, "es")
    assert window.restart_asked and not window.isVisible()


def test_the_language_menu_is_translated_under_the_pseudo_language(qtbot, pseudo_language):
    from PySide6.QtWidgets import QMainWindow

    from ari_desktop.gui.common.language import add_language_menu

    main = QMainWindow()
    qtbot.addWidget(main)
    menu = add_language_menu(main, main.menuBar().addMenu("⟪View⟫"))
    # The languages' own names are data: each is written in its own language.
    assert untranslated_texts(menu, data=tuple(i18n.LANGUAGES.values())) == []
    assert menu.title() == "⟪&Language⟫"
