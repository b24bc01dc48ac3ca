"""The change history and the audit trail in Spanish and Catalan: the sheets' words and the entries' (record
names, kinds, what happened, yes/no, the filter) in the sheet's language, what was typed as typed; the
printing commands' --lang defaulting to the remembered language."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import GUI_TODAY, open_store, session_token
from pypdf import PdfReader

from ari_desktop import catalogs, i18n
from ari_desktop.printing import audit as audit_sheet
from ari_desktop.printing import history as history_sheet
from ari_desktop.reports import audit
from ari_desktop.reports.history import entries
from ari_desktop.store.audit import TrailFilter

REASON = "typed from the wrong form"  # what a person typed: printed as typed, in any language
# The files whose messages the history and audit sheets print.
SHEET_SOURCES = ("ari_desktop/printing/history.py", "ari_desktop/printing/audit.py", "ari_desktop/printing/layout.py",
                 "ari_desktop/reports/history.py", "ari_desktop/reports/audit.py", "ari_desktop/store/audit.py")


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture
def unit(tmp_path, add_patient):
    """ARI-001 registered and corrected (birth year, extramedullary: yes) with a reason."""
    store = open_store(tmp_path / "unit.db")
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=7))
    store.patients.correct("ARI-001", REASON, birth_year=1962, extramedullary=True)
    yield store
    store.close()


def _history(store, tmp_path, lang) -> str:
    return text_of(history_sheet.write(store, "ARI-001", tmp_path / f"history-{lang}.pdf", lang=lang).path)


def _trail(store, tmp_path, lang) -> str:
    chosen = TrailFilter(patient="ARI-001", kind="record")
    return text_of(audit_sheet.write_trail(store, chosen, tmp_path / f"trail-{lang}.pdf", lang=lang).path)


HISTORY_WORDS = {
    "es": ("Historial de cambios", "Inclusión (creación)", "Inclusión (corrección)", "no → sí", "Por qué"),
    "ca": ("Historial de canvis", "Inclusió (creació)", "Inclusió (correcció)", "no → sí", "Per què"),
}
TRAIL_WORDS = {
    "es": ("Registro de auditoría", "Filtro: paciente ARI-001 · Cambio de registro", "Cambio de registro",
           "Inclusión 1: creación", "Inclusión 1: corrección", "no → sí"),
    "ca": ("Registre d'auditoria", "Filtre: pacient ARI-001 · Canvi de registre", "Canvi de registre",
           "Inclusió 1: creació", "Inclusió 1: correcció", "no → sí"),
}


def _arrows(text: str) -> str:
    return text.replace("->", "→")  # the fallback font has no arrow


@pytest.mark.parametrize("lang", ["es", "ca"])
def test_the_change_history_prints_its_entries_in_the_sheets_language_and_the_reason_as_typed(unit, tmp_path, lang):
    text = _arrows(_history(unit, tmp_path, lang))
    for words in HISTORY_WORDS[lang]:
        assert words in text
    assert REASON in text and "1960 → 1962" in text
    assert "Registration" not in text and "corrected" not in text


@pytest.mark.parametrize("lang", ["es", "ca"])
def test_the_audit_trail_prints_kinds_what_happened_and_the_filter_in_the_sheets_language(unit, tmp_path, lang):
    text = _arrows(_trail(unit, tmp_path, lang))
    for words in TRAIL_WORDS[lang]:
        assert words in text
    assert REASON in text and "clinician (Clara Clínica)" in text  # a login and a name are data
    assert "Record change" not in text and "Registration" not in text and "patient ARI" not in text


def test_a_history_printed_in_spanish_from_an_english_window_filters_by_what_the_window_shows(unit, tmp_path):
    printed = history_sheet.write(unit, "ARI-001", tmp_path / "h.pdf", lang="es", filter_text="corrected")
    text = text_of(printed.path)
    assert "Inclusión (corrección)" in text and "Inclusión (creación)" not in text


def _sheet_english(text: str) -> list[str]:
    """Words of four letters or more outside ⟪⟫ (which nest: a record's name in a sentence) that are words of
    these sheets' own messages."""
    outside = text
    while (inner := re.sub(r"⟪[^⟪⟫]*⟫", " ", outside)) != outside:
        outside = inner
    words = set()
    for message in catalogs.read(catalogs.POT):
        if message.id and any(where.startswith(SHEET_SOURCES) for where, _ in message.locations):
            for part in (message.id if isinstance(message.id, tuple) else (message.id,)):
                words |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{\w+\}|<[^>]+>", " ", part))}
    return sorted({w for w in re.findall(r"[A-Za-z]{4,}", outside) if w.lower() in words})


def test_under_the_pseudo_language_the_history_and_audit_sheets_have_no_unmarked_words(unit, tmp_path,
                                                                                       pseudo_language):
    text = _history(unit, tmp_path, "es") + " " + _trail(unit, tmp_path, "es")
    assert "⟪Registration⟫" in text and "⟪Record change⟫" in text and "⟪yes⟫" in text
    # What is left: the reason typed, logins and names, and the data dictionary's field names (not translated yet).
    fields = " ".join(f.field for e in entries(unit.changes.of_patient("ARI-001")) for f in e.fields)
    data = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", f"{REASON} {fields}")}
    assert [w for w in _sheet_english(text) if w.lower() not in data] == []


def test_the_window_and_the_command_line_read_the_entries_in_the_language_they_speak(unit):
    i18n.use("ca")
    shown = entries(unit.changes.of_patient("ARI-001"), unit.protocol)
    assert [(e.record, e.action) for e in shown] == [("Inclusió", "creació"), ("Inclusió", "correcció")]
    assert "extramedullary: no → sí" in shown[-1].change_lines()
    assert audit.described(TrailFilter(user="nurse", kind="print")) == "usuari nurse · Impressió"
    assert audit.described(TrailFilter()) == "totes les entrades"


def test_the_audit_json_stays_english_whatever_the_language_spoken(unit):
    i18n.use("es")
    (entry,) = [e for e in unit.audit.trail(TrailFilter(patient="ARI-001", kind="record")) if e.action == "update"]
    assert audit.as_json(entry)["what"] == "Registration 1 corrected"
    assert audit.line(entry).what == "Inclusión 1: corrección"


def run_sheet(db: Path, out: Path, *args: str):
    from ari_desktop.cli import cli

    return CliRunner().invoke(cli, ["--db", str(db), "sheet", "ARI-001", "--timepoint", "D+7", "-o", str(out), *args],
                              env={"ARI_DESKTOP_TOKEN": session_token()})


def test_a_sheet_prints_in_the_remembered_language_without_lang_and_in_the_one_given(unit, tmp_path):
    i18n.remember_language("ca")
    assert run_sheet(unit.path, tmp_path / "ca.pdf").exit_code == 0
    assert "Full de visita" in text_of(tmp_path / "ca.pdf")
    result = run_sheet(unit.path, tmp_path / "en.pdf", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Visit worksheet" in text_of(tmp_path / "en.pdf")


def test_the_help_says_lang_defaults_to_the_language_chosen_in_view_language():
    from ari_desktop.cli import cli

    for command in ("sheet", "labels", "worklist"):
        help_text = " ".join(CliRunner().invoke(cli, [command, "--help"]).output.split())
        assert "default: (the language chosen in View → Language)" in help_text
