"""The main window: three views, keyboard shortcuts, what it remembers, the
screenshot mode and the fast start (nothing heavy imported before the first paint)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import GUI_TODAY, GUI_USER, TEST_PASSWORD, make_demo, open_store
from PySide6.QtCore import QMargins, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from ari_desktop import launch
from ari_desktop.core.errors import ClinicalInputError
from ari_desktop.core.patients import Anchors, check_new_patient
from ari_desktop.gui import app, main_window
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.common.settings import open_settings
from ari_desktop.gui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("gui_settings")


@pytest.fixture
def cohort(store, add_patient):
    """One patient at each stage the list shows, on the fixed clinic day."""
    add_patient(store, "ARI-SCR", screening=GUI_TODAY - timedelta(days=3))
    add_patient(store, "ARI-INF", day0=GUI_TODAY - timedelta(days=10))
    add_patient(store, "ARI-FUP", day0=GUI_TODAY - timedelta(days=200))
    add_patient(store, "ARI-OFF", day0=GUI_TODAY - timedelta(days=200))
    store.patients.update_dates("ARI-OFF", off_study=GUI_TODAY - timedelta(days=5),
                                off_study_reason="Progressive disease")
    return store


def patient_rows(window: MainWindow) -> list[tuple[str, str]]:
    model = window.patients.table.model()
    return [(model.index(r, 0).data(), model.index(r, 4).data()) for r in range(model.rowCount())]


# -- views and keys -----------------------------------------------------------------------------

def test_ctrl_1_2_3_switch_between_today_patients_and_patient(qtbot, window):
    assert window.current_view() == "today"
    for key, view in ((Qt.Key.Key_2, "patients"), (Qt.Key.Key_3, "patient"), (Qt.Key.Key_1, "today")):
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_view() == view


def test_ctrl_f_finds_a_patient_and_enter_opens_their_calendar(qtbot, cohort, window):
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_view() == "patients"
    assert window.patients.search.hasFocus()
    qtbot.keyClicks(window.patients.search, "fup")
    assert patient_rows(window) == [("ARI-FUP", "follow-up")]
    qtbot.keyClick(window.patients.search, Qt.Key.Key_Return)
    assert window.current_view() == "patient"
    assert window.patient.study_id == "ARI-FUP"
    assert window.tabs.tabText(2) == "Patient ARI-FUP"


def test_the_patients_list_shows_each_stage_and_filters_by_stage(qtbot, cohort, window):
    window.show_view("patients")
    assert sorted(patient_rows(window)) == [("ARI-FUP", "follow-up"), ("ARI-INF", "infusion"),
                                            ("ARI-OFF", "off study"), ("ARI-SCR", "screening")]
    window.patients.stage.setCurrentIndex(window.patients.stage.findData("off study"))
    assert patient_rows(window) == [("ARI-OFF", "off study")]
    assert window.patients.count.text() == "1 of 4 patients"


def test_the_patients_and_patient_views_read_the_database_only_when_first_shown(qtbot, cohort, window):
    assert window.today.stale is False
    assert window.patients.loaded is False and window.patients.model.rowCount() == 0
    window.show_view("patients")
    assert window.patients.loaded is True and window.patients.model.rowCount() == 4


def test_ctrl_n_opens_registration(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = QApplication.activeModalWidget()
    assert dialog is not None and dialog.windowTitle() == "Register patient"
    dialog.reject()


def test_ctrl_r_opens_the_record_dialog_for_the_selected_item(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.session.events.patient_added.emit("ARI-001")  # as the registration form does
    window.today.worklist.selectRow(0)
    window.today.worklist.setFocus()
    qtbot.keyClick(window.today.worklist, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = QApplication.activeModalWidget()
    assert dialog is not None and dialog.windowTitle().startswith("Record: ARI-001")
    dialog.reject()


@pytest.mark.parametrize("action", ["day0_action", "booster_action", "off_study_action", "death_action"])
def test_a_date_act_from_the_menu_is_for_the_patient_selected_in_today(qtbot, store, add_patient, window, action):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.session.events.patient_added.emit("ARI-001")
    window.today.worklist.selectRow(0)
    getattr(window, action).trigger()
    dialog = QApplication.activeModalWidget()
    assert dialog is not None and "ARI-001" in dialog.windowTitle()
    assert window.current_view() == "patient" and window.patient.study_id == "ARI-001"
    dialog.reject()


# -- the calendar -------------------------------------------------------------------------------

def test_the_calendar_groups_every_item_by_timepoint_with_status_words_icons_who_and_why(
        qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=40))
    store.recordings.record("ARI-001", "D+28", "sbcma", done_at=datetime(2025, 2, 26, 8, 15).astimezone())
    store.recordings.record("ARI-001", "D+28", "cbc", not_done_reason="Sample haemolysed")
    window.show_patient("ARI-001")
    model = window.patient.model
    groups = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert groups[0] == "Screening  (SCR)" and groups[-1] == "Month 36 (survival contact)  (M36)"
    assert sum(model.rowCount(model.index(r, 0)) for r in range(model.rowCount())) \
        == len(store.schedules.of("ARI-001", GUI_TODAY))
    d28 = model.index(groups.index("Day +28  (D+28)"), 0)
    items = {model.index(r, 0, d28).data(): [model.index(r, c, d28) for c in range(6)]
             for r in range(model.rowCount(d28))}
    sbcma, cbc = items["Soluble BCMA"], items["Blood count"]
    assert [i.data() for i in sbcma[3:]] == ["Done", "Done 2025-02-26 08:15", f"{GUI_USER}, 2025-03-10 09:30"]
    assert [i.data() for i in cbc[3:5]] == ["Not obtained", "Not obtained: Sample haemolysed"]
    assert not sbcma[3].data(Qt.ItemDataRole.DecorationRole).isNull()
    assert sbcma[0].data(Qt.ItemDataRole.BackgroundRole) != cbc[0].data(Qt.ItemDataRole.BackgroundRole)
    assert model.index(d28.row(), 4).data() == "4 missed, 1 not obtained, 1 done"  # the other four at D+28
    assert model.index(d28.row(), 3).data() == "Missed"


def test_show_still_to_do_hides_what_is_done(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=40))
    window.show_patient("ARI-001")
    before = window.patient.proxy.rowCount()
    window.patient.show_choice.setCurrentIndex(1)  # Still to do
    proxy = window.patient.proxy
    shown = [proxy.index(c, 3, proxy.index(r, 0)).data() for r in range(proxy.rowCount())
             for c in range(proxy.rowCount(proxy.index(r, 0)))]
    assert shown and set(shown) <= {"Planned", "Due", "Overdue", "Missed"}
    assert proxy.rowCount() <= before


def test_recording_refreshes_the_open_calendar_of_that_patient(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
    window.show_patient("ARI-001")
    window.show_view("today")
    window.today.update_now()
    window.today.worklist.selectRow(0)
    entry = window.today.selected(window.today.worklist)[0]
    qtbot.mouseClick(window.today.mark_button, Qt.MouseButton.LeftButton)
    window.show_view("patient")
    shown = [e for g in window.patient.model.groups for e in g.entries
             if (e.item.timepoint, e.item.activity) == (entry.item.timepoint, entry.item.activity)]
    assert shown[0].status == "done"


# -- remembering and who is working ------------------------------------------------------------

def test_the_window_remembers_its_size_last_view_and_columns(qtbot, store, gui_settings):
    first = MainWindow(Session(store), settings=open_settings())
    qtbot.addWidget(first)
    first.resize(700, 500)
    first.show_view("patients")
    first.patients.table.horizontalHeader().resizeSection(0, 222)
    first.close()
    assert QSettings(str(gui_settings), QSettings.Format.IniFormat).value("window/view") == "patients"
    second = MainWindow(Session(store), settings=open_settings())
    qtbot.addWidget(second)
    assert second.current_view() == "patients"
    assert (second.width(), second.height()) == (700, 500)
    assert second.patients.table.horizontalHeader().sectionSize(0) == 222


# -- screenshot mode and start-up ---------------------------------------------------------------

@pytest.fixture
def demo_db(db_path, add_patient) -> Path:
    with open_store(db_path) as store:
        add_patient(store, "ARI-001", day0=GUI_TODAY - timedelta(days=14))
        add_patient(store, "ARI-002", day0=GUI_TODAY - timedelta(days=17))
    return db_path


@pytest.mark.parametrize(("view", "size", "expected"), [
    ("today", None, (1280, 800)),
    ("today", "1366x768", (1366, 768)),
    ("patients", "1024x700", (1024, 700)),
    ("patient:ARI-001", None, (1280, 800)),
])
def test_screenshot_mode_writes_a_png_of_the_requested_view_and_size(qtbot, demo_db, tmp_path, view, size, expected):
    shot = tmp_path / "shot.png"
    assert app.run(demo_db, screenshot=shot, view=view, size=size, on=GUI_TODAY) == 0
    image = QImage(str(shot))
    assert (image.width(), image.height()) == expected
    assert len({image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 41)}) > 5


@pytest.mark.parametrize(("view", "size", "message"), [
    ("calendar", None, "The view 'calendar' is not today, patients, patient:STUDY_ID, analysis or "
     "analysis:swimmer|pfs|os|expansion|sbcma."),
    ("patient:NOBODY", None, "There is no patient with study ID 'NOBODY'."),
    ("today", "big", "The size 'big' is not WIDTHxHEIGHT, e.g. 1366x768."),
])
def test_screenshot_mode_refuses_a_bad_view_or_size_with_a_sentence(demo_db, tmp_path, view, size, message):
    with pytest.raises(ClinicalInputError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        app.run(demo_db, screenshot=tmp_path / "shot.png", view=view, size=size)
    assert not (tmp_path / "shot.png").exists()


def test_a_screenshot_is_never_written_over_the_database_or_a_file_that_is_not_a_png(demo_db, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("the unit's own notes\n")
    before = demo_db.read_bytes()
    with pytest.raises(ClinicalInputError, match="is the database itself; give another name for the PNG"):
        app.run(demo_db, screenshot=demo_db)
    with pytest.raises(ClinicalInputError, match="already exists and is not a PNG image"):
        app.run(demo_db, screenshot=notes)
    assert demo_db.read_bytes() == before and notes.read_text() == "the unit's own notes\n"


def test_the_benchmark_hook_exits_right_after_the_first_paint(demo_db, monkeypatch, capfd):
    monkeypatch.setenv(app.FIRST_PAINT_ENV, "1")
    assert app.run(demo_db, on=GUI_TODAY) == 0
    line = capfd.readouterr().err.strip().splitlines()[-1]
    assert line.startswith("ari-desktop: first paint ")
    assert line.endswith(" worklist items") and "after run()" in line


# Not needed for the first paint of Today: the command line and click, the heavy libraries of the
# printouts and the export, the migrations, the other views and every dialog.
NOT_AT_START = ("click", "pandas", "reportlab", "sqlite_utils", "ari_desktop.cli",
                "ari_desktop.gui.patients.patients_view", "ari_desktop.gui.patient.patient_view",
                "ari_desktop.gui.patients.register_dialog", "ari_desktop.gui.patient.record_dialog",
                "ari_desktop.gui.patient.date_dialogs", "ari_desktop.gui.bedside.bedside",
                "ari_desktop.gui.toxicity.patient_toxicity", "ari_desktop.gui.printing.print_preview",
                "ari_desktop.gui.common.forms", "argon2", "ari_desktop.gui.login.flow",
                "ari_desktop.gui.login.dialogs", "ari_desktop.core.endpoints", "ari_desktop.core.ctcae", "psycopg",
                "ari_desktop.core.response", "ari_desktop.gui.patient.result_dialog",
                "ari_desktop.gui.patient.responses", "ari_desktop.gui.patient.progression_dialog",
                "ari_desktop.gui.analysis.analysis_view", "matplotlib",
                "lifelines", "ari_desktop.figures", "ari_desktop.analysis", "ari_desktop.core.efficacy")


def test_the_ari_desktop_command_paints_the_first_window_without_loading_what_it_does_not_show(demo_db):
    """`ari-desktop --db FILE --user NAME`, as a ward shortcut starts it: the window's launcher, not click."""
    script = ("import sys\n"
              f"sys.argv = ['ari-desktop', '--db', {str(demo_db)!r}, '--user=bench']\n"
              "from ari_desktop.launch import main\n"
              "try:\n"
              "    main()\n"
              "except SystemExit as done:\n"
              f"    print(sorted(m for m in {NOT_AT_START!r} if m in sys.modules))\n"
              "    sys.exit(done.code)\n")
    env = {**os.environ, app.FIRST_PAINT_ENV: "1", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert "first paint" in done.stderr


def test_the_analysis_views_libraries_load_in_a_thread_of_their_own_and_can_be_waited_for():
    script = ("import sys, threading\n"
              "from ari_desktop.gui.common import preload\n"
              "before = [m for m in preload.LIBRARIES if m in sys.modules]\n"
              "preload.start()\n"
              "preload.wait()\n"
              "print(before, preload._loading is not threading.main_thread(), preload._loading.is_alive(),"
              " [m for m in preload.LIBRARIES if m not in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] True False []"


def test_the_libraries_are_not_loaded_in_a_thread_once_the_window_has_needed_them_itself():
    script = ("from ari_desktop.gui.common import preload\n"
              "preload.wait()\n"
              "preload.start()\n"
              "print(preload._loading)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "None"), done.stderr


@pytest.mark.parametrize(("args", "window"), [
    ([], {}),
    (["--db", "ward.db"], {"db": "ward.db"}),
    (["--db=ward.db", "--user", "Dr Vega"], {"db": "ward.db", "user": "Dr Vega"}),
    (["--db", "ward.db", "worklist"], None),  # a command
    (["--help"], None),
    (["--db"], None),  # click says the value is missing
    (["--db", "--user"], None),
    (["--db", "a.db", "--db", "b.db"], None),
    (["--date", "2025-03-10"], None),  # the window's other options are read by click
    (["--user", "Marta\udcff"], None),  # bytes that are not UTF-8: click names the option
])
def test_only_the_windows_own_db_and_user_skip_the_command_line(args, window):
    assert launch.window_options(args) == window


def test_a_folder_given_as_the_database_is_left_to_the_command_line_to_refuse(tmp_path):
    assert launch.window_options(["--db", str(tmp_path)]) is None


def test_the_launcher_says_in_one_sentence_why_a_file_cannot_be_opened(tmp_path, capsys):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database at all " * 200)
    assert launch.open_window(damaged, user="bench", screenshot=tmp_path / "shot.png") == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith("ari-desktop: ") and "\n" not in said


@contextmanager
def watchdog(seconds: int = 10) -> Iterator[None]:
    """Ends every event loop with code 9 if the test has not finished: a failure must not hang the run."""
    timer = QTimer(singleShot=True, interval=seconds * 1000)
    timer.timeout.connect(lambda: QApplication.exit(9))
    timer.start()
    try:
        yield
    finally:
        timer.stop()


def test_quitting_the_log_in_opens_nothing(qapp, demo_db, monkeypatch):
    monkeypatch.delenv(app.FIRST_PAINT_ENV, raising=False)
    QTimer.singleShot(0, lambda: QApplication.activeModalWidget().reject())
    with watchdog():
        assert app.run(demo_db) == 1


def test_the_window_opens_for_the_account_signed_in_and_saves_its_settings_on_closing(qapp, demo_db, gui_settings,
                                                                                    monkeypatch):
    monkeypatch.delenv(app.FIRST_PAINT_ENV, raising=False)
    seen = {}

    def look_and_close() -> None:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
                      and w.session.user == GUI_USER)
        seen["user"] = window.session.user
        seen["rows"] = window.today.worklist.model().rowCount()
        window.show_view("patients")
        window.close()

    def log_in() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.password.setText(TEST_PASSWORD)
        dialog.accept()
        QTimer.singleShot(50, look_and_close)

    QTimer.singleShot(0, log_in)
    with watchdog():
        assert app.run(demo_db, user=GUI_USER, on=GUI_TODAY) == 0
    assert seen["user"] == GUI_USER and seen["rows"] > 0
    assert QSettings(str(gui_settings), QSettings.Format.IniFormat).value("window/view") == "patients"


# -- a 1366x768 ward laptop -----------------------------------------------------------------------

LAPTOP = QRect(0, 0, 1366, 768)
TITLE_BAR = QMargins(0, 40, 0, 0)


@pytest.mark.parametrize(("geometry", "expected"), [
    (QRect(43, 0, 1280, 800), QRect(43, 40, 1280, 728)),  # the first start: the status bar comes on screen
    (QRect(200, 150, 1900, 1100), QRect(0, 40, 1366, 728)),  # settings saved on a large monitor
    (QRect(1200, 500, 800, 600), QRect(566, 168, 800, 600)),  # saved beside this screen: moved back on it
    (QRect(100, 80, 1000, 600), QRect(100, 80, 1000, 600)),  # already fits: left alone
])
def test_the_window_is_fitted_to_the_screen_with_its_title_bar(geometry, expected):
    assert app.fitted(geometry, LAPTOP, TITLE_BAR) == expected


def test_a_taskbar_is_kept_clear(qtbot):
    above_taskbar = QRect(0, 0, 1366, 728)
    assert app.fitted(QRect(0, 0, 1280, 800), above_taskbar, TITLE_BAR) == QRect(0, 40, 1280, 688)


def test_settings_from_a_larger_screen_are_fitted_to_this_one(qtbot, store, gui_settings):
    first = MainWindow(Session(store), settings=open_settings())
    qtbot.addWidget(first)
    first.setGeometry(5000, 4000, 3000, 2000)
    first.close()
    second = MainWindow(Session(store), settings=open_settings())
    qtbot.addWidget(second)
    app.fit_to_screen(second)
    room = second.screen().availableGeometry()
    assert room.contains(second.geometry())


def test_every_view_fits_a_1366x768_laptop_even_for_a_patient_with_a_booster(qtbot, db_path, gui_settings):
    make_demo(db_path, 25)  # every stage of the trial, boosters included
    store = open_store(db_path)
    window = main_window.MainWindow(Session(store))
    qtbot.addWidget(window)
    window.show()
    window.resize(1366, 728)
    boosted = [p.study_id for p in store.patients.all() if p.anchors.booster]
    assert boosted
    for view in ("today", "patients"):
        window.show_view(view)
        assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 728, view
    for study_id in boosted:
        window.show_patient(study_id)
        QApplication.processEvents()
        hint = window.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 728, study_id


# -- writes made elsewhere ---------------------------------------------------------------------------

def test_only_another_connections_write_changes_the_data_version(store, db_path, add_patient):
    before = store.data_version()
    add_patient(store, "ARI-OWN", day0=GUI_TODAY)
    assert store.data_version() == before  # this connection's own write refreshes the views as it is made
    with open_store(db_path, "physician") as other:
        add_patient(other, "ARI-CLI", day0=GUI_TODAY)
    assert store.data_version() != before


def test_a_patient_registered_elsewhere_appears_in_the_worklist_without_f5(qtbot, db_path, window):
    window.outside_timer.setInterval(50)
    assert window.outside_timer.isActive()
    assert window.today.worklist_model.rowCount() == 0
    with open_store(db_path, "physician") as other:  # the command line, or another workstation
        other.patients.add(check_new_patient("ARI-CLI", "AB", "F", 1960, Anchors(GUI_TODAY), other.protocol,
                                             GUI_TODAY))
    qtbot.waitUntil(lambda: any(e.study_id == "ARI-CLI" for e in window.today.worklist_model.rows), timeout=5000)
    assert "another workstation or the command line" in window.statusBar().currentMessage()
    assert window.record_action.isEnabled() and not window.first_run_notice.isVisible()


def test_the_window_stops_asking_while_it_is_minimised_or_hidden(qtbot, window):
    window.showMinimized()
    qtbot.waitUntil(lambda: not window.outside_timer.isActive())
    window.showNormal()
    qtbot.waitUntil(window.outside_timer.isActive)
    window.hide()
    assert not window.outside_timer.isActive()


def test_the_windows_own_write_is_not_announced_as_made_elsewhere(qtbot, store, add_patient, window):
    add_patient(store, "ARI-001", day0=GUI_TODAY)
    assert window.check_outside_writes() is False


# -- a first run, on an empty database ---------------------------------------------------------------

def test_an_empty_database_says_what_to_do_first_and_keeps_off_what_needs_a_patient(qtbot, store, add_patient,
                                                                                  window):
    assert window.first_run_notice.isVisible()
    assert "Register patient" in window.first_run_notice.text()
    assert not any(action.isEnabled() for action in window.patient_actions)
    assert window.register_action.isEnabled()
    add_patient(store, "ARI-001", day0=GUI_TODAY)
    window.session.events.patient_added.emit("ARI-001")  # as the registration form does
    assert all(action.isEnabled() for action in window.patient_actions)
    assert not window.first_run_notice.isVisible()


def test_the_window_writes_day_and_month_names_in_its_own_language_not_the_systems(qapp):
    import locale

    app.application()  # Qt has set the C library's locale from the system by now
    assert locale.setlocale(locale.LC_TIME) == "C"
    assert f"{GUI_TODAY:%A %B}".split()[1] in ("January February March April May June July August September "
                                                "October November December").split()


def test_nobody_signed_in_is_shown_in_words_not_as_markup(qtbot, db_path, gui_settings):
    """The status bar's "who" is rich text whether or not it holds a name in bold: the separator between
    it and the database is a dot, never a literal "&nbsp;"."""
    from PySide6.QtGui import QTextDocumentFragment

    with open_store(db_path, "workstation") as store:  # not an account: nobody signed in
        window = main_window.MainWindow(Session(store))
        qtbot.addWidget(window)
        assert window.user_label.textFormat() == Qt.TextFormat.RichText
        shown = QTextDocumentFragment.fromHtml(window.user_label.text()).toPlainText()
        assert shown.startswith("Nobody is signed in: the views only") and "&nbsp;" not in shown
        window.close()
