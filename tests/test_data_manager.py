"""The data manager's work: correcting registration details with a reason, reading a patient's change
history (window, text, PDF), and exporting CSV files that open right in Excel and an Excel workbook
with its data dictionary; --db given after the command as well as before it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import GUI_TODAY, file_digest, make_demo, open_store, row_counts, with_accounts
from PySide6.QtCore import QLocale, Qt

from ari_desktop.cli import cli
from ari_desktop.reports import dictionary
from ari_desktop.reports.export import export
from ari_desktop.reports.formats import WORKBOOK, excel_format_for
from ari_desktop.reports.history import entries, text_lines, value_text

pytestmark = pytest.mark.usefixtures("gui_settings")
DAY0 = GUI_TODAY - timedelta(days=20)


@pytest.fixture
def patient(store, add_patient):
    add_patient(store, "ARI-001", day0=DAY0)
    return "ARI-001"


def retype(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


# -- patient details ------------------------------------------------------------------------------

def test_a_typed_birth_year_is_corrected_with_its_reason_and_the_old_value_kept(qtbot, window, store, patient):
    dialog = window.show_details(patient)
    assert dialog.birth_year.text() == "1960" and dialog.initials.text() == "AB"
    retype(qtbot, dialog.birth_year, "1962")
    qtbot.mouseClick(dialog.extramedullary, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.reason, "typed from the wrong form")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    stored = store.patients.get(patient)
    assert stored.birth_year == 1962 and stored.anchors.extramedullary
    last = store.changes.of_patient(patient)[-1]
    assert last.old == {"birth_year": 1960, "extramedullary": 0} and last.new == {"birth_year": 1962,
                                                                                   "extramedullary": 1}
    assert last.reason == "typed from the wrong form"
    assert any(e.item.activity == "pet_ct" for e in store.schedules.of(patient, GUI_TODAY))


def test_enter_with_no_reason_saves_nothing_and_says_so_beside_the_reason(qtbot, window, store, db_path, patient):
    dialog = window.show_details(patient)
    before, digest = row_counts(db_path), file_digest(db_path)
    retype(qtbot, dialog.birth_year, "1962")
    qtbot.keyClick(dialog.birth_year, Qt.Key.Key_Return)

    assert dialog.isVisible()
    assert dialog.errors.text("reason") == "A correction needs a reason."
    assert dialog.focusWidget() is dialog.reason
    assert store.patients.get(patient).birth_year == 1960
    assert row_counts(db_path) == before and file_digest(db_path) == digest


@pytest.mark.parametrize("typed, sentence", [("19x2", "birth year"), ("2099", "The birth year 2099 is in the future.")])
def test_a_birth_year_that_is_not_one_is_refused_beside_the_field(qtbot, window, store, db_path, patient, typed,
                                                                   sentence):
    dialog = window.show_details(patient)
    before = row_counts(db_path)
    retype(qtbot, dialog.birth_year, typed)
    qtbot.keyClicks(dialog.reason, "typo")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert sentence in dialog.errors.text("birth_year")
    assert store.patients.get(patient).birth_year == 1960 and row_counts(db_path) == before


def test_a_correction_made_elsewhere_since_the_dialog_opened_is_not_overwritten(qtbot, window, store, db_path,
                                                                                 patient):
    dialog = window.show_details(patient)
    with open_store(db_path, "datamanager") as other:
        other.patients.correct(patient, "checked the CRF", birth_year=1959)
    retype(qtbot, dialog.birth_year, "1962")
    qtbot.keyClicks(dialog.reason, "typed from the wrong form")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "was changed by datamanager" in dialog.errors.text("birth_year")
    assert store.patients.get(patient).birth_year == 1959


# -- history --------------------------------------------------------------------------------------

def test_the_history_shows_who_when_from_what_to_what_and_why_and_filters(qtbot, window, store, patient):
    store.patients.correct(patient, "typed from the wrong form", birth_year=1962, extramedullary=True)
    dialog = window.show_history(patient)
    rows = [[dialog.shown.index(row, column).data() for column in range(5)] for row in range(dialog.shown.rowCount())]
    correction = rows[-1]
    assert correction[1] == store.user and correction[2] == "Registration (corrected)"
    assert correction[3].splitlines() == ["birth year: 1960 → 1962", "extramedullary: no → yes"]
    assert correction[4] == "typed from the wrong form"
    assert correction[0].startswith(f"{store.now():%Y-%m-%d %H:%M}")
    assert not any("{" in cell for row in rows for cell in row)  # no Python dict or JSON shown

    qtbot.keyClicks(dialog.filter, "WRONG FORM")
    assert dialog.shown.rowCount() == 1 and dialog.count.text().startswith("1 of ")


def test_the_history_saved_as_pdf_reads_back_with_the_change_and_its_reason(qtbot, window, store, patient, tmp_path):
    from pypdf import PdfReader

    store.patients.correct(patient, "typed from the wrong form", birth_year=1962)
    dialog = window.show_history(patient)
    qtbot.keyClicks(dialog.filter, "wrong form")
    out = dialog.save_as_pdf(tmp_path / "history.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "ARI-001" in text and "typed from the wrong form" in text
    assert "1960 → 1962" in text or "1960 -> 1962" in text  # the fallback font has no arrow
    assert "screening date" not in text  # filtered: the registration itself is left out
    (logged,) = store.db.execute("SELECT new_values FROM change_log WHERE table_name = 'audit_events'"
                                 " AND new_values LIKE '%change history of ARI-001%'").fetchall()
    assert '"print"' in logged[0] and str(out) in logged[0] and store.user in logged[0]


def test_a_long_note_corrected_still_prints_across_pages(store, patient, tmp_path):
    from pypdf import PdfReader

    from ari_desktop.printing.history import write

    event = store.events.add(patient, "infection", DAY0 + timedelta(days=5), grade=2, notes="word " * 399)
    assert event
    printed = write(store, patient, tmp_path / "h.pdf", lang="es")
    assert printed.pages >= 1 and "Historial de cambios" in PdfReader(printed.path).pages[0].extract_text()


def test_values_are_shown_as_people_read_them():
    assert value_text("patients", "extramedullary", 1) == "yes"
    assert value_text("assessments", "temperature_c", 38.6) == "38.6 °C"
    assert value_text("patients", "booster_date", None) == "—"
    assert value_text("recordings", "done_at", "2025-02-26T08:40:00+00:00").startswith("20")


def test_the_menus_open_details_and_history_of_the_patient_in_view_and_the_export(qtbot, window, patient):
    from ari_desktop.gui.export_dialog import ExportDialog
    from ari_desktop.gui.patient.details_dialog import PatientDetailsDialog
    from ari_desktop.gui.patient.history_view import HistoryDialog

    window.show_patient(patient)
    for action, kind, title in ((window.details_action, PatientDetailsDialog, f"Patient details: {patient}"),
                                (window.history_action, HistoryDialog, f"Change history: {patient}"),
                                (window.export_action, ExportDialog, "Export")):
        action.trigger()
        opened = [w for w in window.findChildren(kind) if w.isVisible()]
        assert [w.windowTitle() for w in opened] == [title]
        opened[0].done(0)


# -- export ---------------------------------------------------------------------------------------

@pytest.fixture
def filled(db_path):
    make_demo(db_path, 6, seed=3)
    with open_store(db_path) as store:
        yield store


def test_csv_for_spanish_excel_has_a_bom_semicolons_and_decimal_commas(filled, tmp_path):
    written = export(filled, tmp_path, GUI_TODAY, csv_for="excel-es")
    raw = (tmp_path / "assessments.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfstudy_id;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows and all("," in row["temperature_c"] and "." not in row["temperature_c"] for row in rows)
    temperatures = [float(row["temperature_c"].replace(",", ".")) for row in rows]
    stored = [a for s in filled.patients.all() for a in filled.assessments.of(s.study_id)]
    assert sorted(temperatures) == sorted(a.findings.temperature_c for a in stored)
    assert all(len(row["at"]) >= 19 and row["at"][4] == "-" for row in rows)  # ISO dates kept
    assert {w.path.name: w.rows for w in written}["patients.csv"] == 6


def test_the_analysis_csv_stays_comma_and_point_without_a_bom(filled, tmp_path):
    export(filled, tmp_path, GUI_TODAY)
    raw = (tmp_path / "assessments.csv").read_bytes()
    assert raw.startswith(b"study_id,id,")
    row = next(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    float(row["temperature_c"])
    export(filled, tmp_path, GUI_TODAY, csv_for="excel-es", workbook=True)  # replaces its own files
    export(filled, tmp_path, GUI_TODAY, workbook=True)


def test_the_workbook_has_a_sheet_per_table_and_a_data_dictionary_of_every_column(filled, tmp_path):
    import openpyxl

    written = export(filled, tmp_path, GUI_TODAY, workbook=True, registry=True)
    book = openpyxl.load_workbook(tmp_path / WORKBOOK, read_only=True)
    tables = [w.path.stem for w in written if w.path.suffix == ".csv"]
    assert book.sheetnames == [*tables, "Data dictionary"]
    assert {"results", "response_reviews", "progressions", "responses", "registry"} <= set(tables)
    terms = list(book["Data dictionary"].iter_rows(values_only=True))
    assert terms[0] == ("table", "column", "meaning", "unit or type")
    described = {(table, column) for table, column, meaning, kind in terms[1:] if meaning and kind}
    exported = {(table, cell.value) for table in tables for cell in next(book[table].iter_rows(max_row=1))}
    assert exported <= described, f"columns without a data dictionary entry: {sorted(exported - described)}"
    patients = list(book["patients"].iter_rows(values_only=True))
    assert len(patients) == 7



def test_the_responses_csv_has_each_assessment_with_its_proposal_review_and_mrd(filled, tmp_path):
    written = {w.path.name: w.rows for w in export(filled, tmp_path, GUI_TODAY)}
    assert "registry.csv" not in written  # only when asked for
    with (tmp_path / "responses.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = [(p.study_id, a.timepoint, a.day.isoformat(), a.proposed or "", a.review.category if a.review else "",
                 a.category or "", str(a.mrd.negative)) for p in filled.patients.all()
                for a in filled.results.responses(p.study_id)]
    assert expected and written["responses.csv"] == len(expected)
    assert [(r["study_id"], r["timepoint"], r["assessed_on"], r["proposed"], r["reviewed"], r["category"],
             r["mrd_negative"]) for r in rows] == expected
    assert all(int(r["day"]) > 0 and r["criterion"] for r in rows)


def test_a_reason_typed_like_a_formula_never_runs_as_one_in_excel(store, patient, tmp_path):
    import openpyxl

    typed = '=HYPERLINK("http://x.example","look")'
    store.patients.correct(patient, typed, birth_year=1962)
    export(store, tmp_path / "es", GUI_TODAY, csv_for="excel-es", workbook=True)
    export(store, tmp_path / "plain", GUI_TODAY)
    book = openpyxl.load_workbook(tmp_path / "es" / WORKBOOK)
    cells = [c for row in book["change_log"].iter_rows() for c in row if c.value == typed]
    assert cells and all(c.data_type == "s" for c in cells)  # the text as typed, never a formula
    excel = (tmp_path / "es" / "change_log.csv").read_text("utf-8-sig")
    assert "'" + typed.replace('"', '""') in excel  # Excel shows it as text
    assert typed.replace('"', '""') in (tmp_path / "plain" / "change_log.csv").read_text("utf-8")
    assert "'=" not in (tmp_path / "plain" / "change_log.csv").read_text("utf-8")  # analysis: as stored

def test_every_column_of_the_database_tables_has_a_dictionary_entry(store):
    for table in store.tables.NAMES:
        columns, _ = store.tables.rows(table)
        assert set(columns) <= set(dictionary.COLUMNS[table]), table


def test_the_export_dialog_writes_the_files_and_says_how_many_rows(qtbot, filled, window, tmp_path):
    dialog = window.export()
    dialog.folder.setText(str(tmp_path / "out"))
    dialog.csv_for.setCurrentIndex(dialog.csv_for.findData("excel-es"))
    assert dialog.start() is not None
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled() and bool(dialog.written), timeout=60_000)
    assert (tmp_path / "out" / "patients.csv").read_bytes().startswith(b"\xef\xbb\xbfid;study_id")
    assert (tmp_path / "out" / WORKBOOK).is_file()
    assert "patients.csv" in dialog.report.text() and "6 rows" in dialog.report.text()
    dialog.show()
    qtbot.waitUntil(lambda: dialog.report.geometry().bottom() < dialog.buttons.geometry().top())
    assert dialog.report.height() >= dialog.report.heightForWidth(dialog.report.width())  # no file cut off
    assert not dialog.is_running()


def test_the_export_dialog_writes_the_registry_export_when_ticked(qtbot, filled, window, tmp_path):
    dialog = window.export()
    assert not dialog.registry.isChecked()  # only when asked for, as on the command line
    dialog.folder.setText(str(tmp_path / "out"))
    dialog.registry.setChecked(True)
    assert dialog.start() is not None
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled() and bool(dialog.written), timeout=60_000)
    assert (tmp_path / "out" / "registry.csv").is_file() and "registry.csv" in dialog.report.text()


def test_the_export_dialog_shows_a_refusal_beside_the_folder(qtbot, window, patient, db_path, tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "patients.csv").write_text("Name,Date of birth\n")
    dialog = window.export()
    dialog.folder.setText(str(tmp_path / "out"))
    assert dialog.start() is not None
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled() and bool(dialog.errors.text("out")), timeout=30_000)
    assert "is not a CSV of an earlier export" in dialog.errors.text("out")
    assert (tmp_path / "out" / "patients.csv").read_text() == "Name,Date of birth\n"


@pytest.mark.parametrize("locale, chosen", [("es_ES", "excel-es"), ("en_US", "excel"), ("de_DE", "excel-es")])
def test_the_csv_format_defaults_from_the_users_number_settings(locale, chosen):
    assert excel_format_for(QLocale(locale).decimalPoint()) == chosen


def test_the_window_starts_without_loading_pandas_or_openpyxl(store, patient, db_path, gui_settings):
    code = ("import sys\nfrom PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
            "from ari_desktop.store import Store\nfrom ari_desktop.gui.common.session import Session\n"
            "from ari_desktop.gui.main_window import MainWindow\n"
            f"w = MainWindow(Session(Store({str(db_path)!r}, 'x')))\nw.show()\napp.processEvents()\n"
            "print(sorted(m for m in ('pandas', 'openpyxl') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


# -- command line ---------------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def unit_db(tmp_path):
    path = with_accounts(tmp_path / "unit.db")
    result = run("patient", "add", "--db", str(path), "--study-id", "ARI-001", "--initials", "AB", "--sex", "F",
                 "--birth-year", "1961", "--screening-date", "2025-01-08")
    assert result.exit_code == 0, result.output
    return path


@pytest.mark.parametrize("command", [["patient", "list", "--json"], ["schedule", "ARI-001", "--json"],
                                     ["worklist", "--date", "2025-01-08", "--json"], ["toxicity", "ARI-001", "--json"],
                                     ["patient", "history", "ARI-001", "--json"]])
def test_db_is_taken_after_the_command_as_well_as_before_it(unit_db, tmp_path, command):
    after = run(*command, "--db", str(unit_db))
    before = run("--db", str(unit_db), *command)
    assert after.exit_code == 0, after.output
    assert after.stdout == before.stdout and "ARI-001" in after.stdout
    assert not (tmp_path / "ari-desktop.db").exists()


def test_two_different_databases_before_and_after_the_command_are_refused(unit_db, tmp_path):
    result = run("--db", str(tmp_path / "other.db"), "patient", "list", "--db", str(unit_db))
    assert result.exit_code == 2 and "--db is given twice" in result.stderr
    assert not (tmp_path / "other.db").exists()
    assert run("--db", str(unit_db), "patient", "list", "--db", str(unit_db)).exit_code == 0


def test_a_pipe_given_as_the_database_is_refused_at_once_not_waited_on(tmp_path):
    import os

    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    for words in (["--db", fifo, "patient", "list"], ["patient", "list", "--db", fifo]):
        result = run(*words)
        assert result.exit_code == 2 and "is a device, pipe or socket" in result.stderr


def test_history_prints_readable_text_one_block_per_change_and_json_for_machines(unit_db):
    assert run("patient", "correct", "ARI-001", "--birth-year", "1962", "--reason", "typed from the wrong form",
               "--db", str(unit_db)).exit_code == 0
    text = run("patient", "history", "ARI-001", "--db", str(unit_db)).stdout
    assert "{" not in text and "'" not in text
    block = text[text.index("Registration corrected"):].splitlines()
    assert block[1].split() == ["birth", "year", "1961", "→", "1962"]
    assert block[2].strip() == "why: typed from the wrong form"
    assert "clinician" in text
    changes = json.loads(run("patient", "history", "ARI-001", "--json", "--db", str(unit_db)).stdout)
    assert changes[-1]["old"] == {"birth_year": 1961} and changes[-1]["reason"] == "typed from the wrong form"


def test_the_text_history_aligns_the_values_of_a_record(store, patient):
    lines = text_lines(entries(store.changes.of_patient(patient)))
    assert lines[0].endswith("Registration created")
    fields = lines[1:lines.index("    why: registered")]
    column = 4 + len("screening date") + 2  # the longest field name of a registration
    assert len(fields) >= 7 and all(line[:4] == "    " and line[column - 2:column] == "  " and line[column] != " "
                                    for line in fields)



def test_a_recording_is_named_in_the_protocols_words_not_its_codes(store, patient):
    store.recordings.record(patient, "D+7", "sbcma", done_at=store.now() - timedelta(days=13))
    named = [e.record for e in entries(store.changes.of_patient(patient), store.protocol)]
    assert "Recording Day +7 Soluble BCMA" in named
    assert "Recording D+7 sbcma" in [e.record for e in entries(store.changes.of_patient(patient))]

def test_export_from_the_command_line_writes_the_workbook_and_lists_row_counts(unit_db, tmp_path):
    result = run("export", "--out", str(tmp_path / "out"), "--csv-for", "excel-es", "--xlsx", "--db", str(unit_db))
    assert result.exit_code == 0, result.output
    assert "patients.csv" in result.stdout and "1 row" in result.stdout and WORKBOOK in result.stdout
    assert (tmp_path / "out" / "patients.csv").read_bytes().startswith(b"\xef\xbb\xbf")
