"""The main window: Today, Patients and Patient, with the menus, shortcuts and status bar.

The bedside actions (assessment, go / hold before a fraction, toxicity event) work on the patient in
view: the selected row's patient in Today and Patients, the patient shown in Patient.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QHeaderView, QLabel, QMainWindow, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ..store.store import read_only_refusal
from .common.session import Session
from .common.widgets import open_dialog
from .patient.patient_view import PatientView
from .patients.patients_view import PatientsView
from .patients.register_dialog import RegisterPatientDialog
from .today.today_view import TodayView

if TYPE_CHECKING:
    from .bedside.bedside import BedsideAssessmentDialog
    from .toxicity.event_dialog import ToxicityEventDialog

VIEWS = ("today", "patients", "patient")
SHORTCUTS = (
    ("Ctrl+1, Ctrl+2, Ctrl+3", "Today, Patients, Patient"),
    ("Ctrl+F", "Find a patient"),
    ("Ctrl+N", "Register a patient"),
    ("Enter or Space", "Mark the selected worklist item collected"),
    ("Ctrl+R", "Record the selected item (another time, not obtained, or a correction)"),
    ("Ctrl+B", "Bedside CRS / ICANS assessment of the selected patient"),
    ("Ctrl+Left, Ctrl+Right", "Previous / next day in Today"),
    ("F5", "Read the current view again from the database"),
    ("Ctrl+P, Ctrl+L", "Print the selected item's visit worksheet, or its tube labels"),
    ("Ctrl+Shift+P", "Print the day's worklist"),
)


class MainWindow(QMainWindow):
    def __init__(self, session: Session, day: date | None = None, settings: QSettings | None = None):
        super().__init__()
        self.session = session
        self.settings = settings
        store = session.store
        self.setWindowTitle(f"{store.protocol.code} follow-up: {store.path.name}")  # Qt adds "ARI Desktop"
        self.today = TodayView(session, day)
        self.patients = PatientsView(session)
        self.patient = PatientView(session)
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.today, "Today")
        self.tabs.addTab(self.patients, "Patients")
        self.tabs.addTab(self.patient, "Patient")
        for number, tip in enumerate(("What is due, overdue and missed on a day (Ctrl+1)",
                                      "Every patient and their stage (Ctrl+2)",
                                      "One patient's whole calendar (Ctrl+3)")):
            self.tabs.setTabToolTip(number, tip)
        self.read_only_notice = None
        if store.read_only:
            self.setCentralWidget(self._with_read_only_notice(self.tabs))
        else:
            self.setCentralWidget(self.tabs)
        self.user_label = QLabel(f"Working as <b>{session.user}</b> &nbsp;·&nbsp; {store.path}")
        self.user_label.setToolTip("Your name is stamped on everything you record.")
        self.statusBar().addPermanentWidget(self.user_label)
        self._actions()
        self._connect()
        self.resize(1280, 800)
        if settings is not None:
            self.restore_settings(settings)

    def _with_read_only_notice(self, tabs: QTabWidget) -> QWidget:
        """A file that cannot be written says so above every view; each save is refused with it too."""
        self.read_only_notice = QLabel(str(read_only_refusal(self.session.store.path)))
        self.read_only_notice.setStyleSheet("QLabel { background: #fff3cd; color: #7a3e00; font-weight: bold;"
                                            " padding: 6px; }")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.read_only_notice)
        layout.addWidget(tabs)
        return page

    # -- actions and menus -----------------------------------------------------------------------

    def _action(self, text: str, slot, keys: str | QKeySequence.StandardKey | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _actions(self) -> None:
        a = self._action
        self.view_actions = [
            a("&Today", lambda: self.show_view("today"), "Ctrl+1", "The worklist of a day"),
            a("&Patients", lambda: self.show_view("patients"), "Ctrl+2", "Every patient"),
            a("P&atient", lambda: self.show_view("patient"), "Ctrl+3", "One patient's calendar"),
        ]
        self.find_action = a("&Find patient…", self.find_patient, "Ctrl+F", "Find a patient by study ID or initials")
        self.register_action = a("&Register patient…", self.register_patient, "Ctrl+N", "Register a new patient")
        self.record_action = a("&Record…", self.record_selected, "Ctrl+R",
                               "Record the selected item: another time, not obtained, or a correction")
        self.refresh_action = a("Re&fresh", self.refresh_current, "F5", "Read the current view again")
        self.previous_day_action = a("Pre&vious day", lambda: self.shift_day(-1), "Ctrl+Left",
                                     "Worklist of the day before")
        self.next_day_action = a("&Next day", lambda: self.shift_day(1), "Ctrl+Right", "Worklist of the day after")
        self.day0_action = a("Move day &0…", lambda: self._patient_dialog("day0"), None, "Set or move day 0")
        self.booster_action = a("&Booster…", lambda: self._patient_dialog("booster"), None, "Set or move the booster")
        self.off_study_action = a("&Off study…", lambda: self._patient_dialog("off_study"), None, "Take off study")
        self.death_action = a("&Death…", lambda: self._patient_dialog("death"), None, "Record a death")
        self.bedside_action = a("Bedside &assessment…", lambda: self.assess(), "Ctrl+B",
                                "Bedside CRS / ICANS assessment of the selected patient")
        self.fraction_action = a("&Go / hold fraction…", lambda: self.decide_fraction(), None,
                                 "A physician's go or hold before the fraction at "
                                 f"{self.session.store.protocol.go_decision_days}")
        self.event_action = a("Record toxicity &event…", lambda: self.record_event(), None,
                              "TLS, a cytopenia, an infection, IEC-HS or hypogammaglobulinaemia")
        self.print_worksheet_action = a("Print visit &worksheet…", self.print_worksheet, QKeySequence.StandardKey.Print,
                                        "Worksheet of the selected item's visit, with preview")
        self.print_worklist_action = a("Print the day's work&list…", self.print_worklist, "Ctrl+Shift+P",
                                       "The worklist of the day shown in Today, with preview")
        self.print_labels_action = a("Print tube &labels…", self.print_labels, "Ctrl+L",
                                     "Barcoded labels for the tubes of the selected item's visit")
        self.details_action = a("De&tails…", lambda: self.show_details(), None,
                                "Registration details, and their correction")
        self.history_action = a("&History…", lambda: self.show_history(), None,
                                "Every change: who, when, from what to what, why")
        self.export_action = a("&Export…", self.export, None, "Every table as CSV files and an Excel workbook")
        quit_action = a("&Quit", self.close, QKeySequence.StandardKey.Quit, "Close ARI Desktop")
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        for action in (self.print_worksheet_action, self.print_worklist_action, self.print_labels_action, None,
                       self.export_action, None, quit_action):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        view_menu = menus.addMenu("&View")
        for action in (*self.view_actions, None, self.previous_day_action, self.next_day_action, None,
                       self.refresh_action):
            view_menu.addSeparator() if action is None else view_menu.addAction(action)
        patient_menu = menus.addMenu("&Patient")
        for action in (self.find_action, self.register_action, None, self.bedside_action, self.fraction_action,
                       self.event_action, None, self.day0_action, self.booster_action, self.off_study_action,
                       self.death_action, None, self.details_action, self.history_action):
            patient_menu.addSeparator() if action is None else patient_menu.addAction(action)
        record_menu = menus.addMenu("&Record")
        record_menu.addAction(self.record_action)
        help_menu = menus.addMenu("&Help")
        help_menu.addAction(a("&Keyboard shortcuts", self.show_shortcuts, None, "Every shortcut"))

    def _connect(self) -> None:
        events = self.session.events
        events.message.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        events.recorded.connect(self._recorded)
        events.patient_changed.connect(self._patient_changed)
        events.patient_added.connect(self._patient_added)
        self.today.patient_requested.connect(self.show_patient)
        self.today.assess_requested.connect(self.assess)
        self.today.fraction_requested.connect(self.decide_fraction)
        self.patient.fraction_requested.connect(self.decide_fraction)
        self.patients.patient_requested.connect(self.show_patient)
        self.patients.register_requested.connect(self.register_patient)
        self.patient.patient_shown.connect(lambda sid: self.tabs.setTabText(2, f"Patient {sid}"))

    # -- what changed: each view re-reads only what concerns it ----------------------------------

    def _recorded(self, study_id: str) -> None:
        self.today.mark_stale()
        self.patient.patient_changed(study_id)

    def _patient_changed(self, study_id: str) -> None:
        self.today.mark_stale()
        self.patients.patient_changed(study_id)
        self.patient.patient_changed(study_id)

    def _patient_added(self, study_id: str) -> None:
        self.today.mark_stale()  # screening items may be due today
        self.patients.patient_changed(study_id)

    # -- navigation ------------------------------------------------------------------------------

    def current_view(self) -> str:
        return VIEWS[self.tabs.currentIndex()]

    def show_view(self, name: str) -> None:
        self.tabs.setCurrentIndex(VIEWS.index(name))

    def show_patient(self, study_id: str) -> None:
        self.patient.show_patient(study_id)
        self.show_view("patient")
        self.patient.tree.setFocus()

    def find_patient(self) -> None:
        self.show_view("patients")
        self.patients.focus_search()

    def shift_day(self, days: int) -> None:
        self.show_view("today")
        self.today.shift_day(days)

    def refresh_current(self) -> None:
        view = self.tabs.currentWidget()
        view.update_now()
        self.session.say("Read again from the database.")

    def register_patient(self) -> RegisterPatientDialog:
        dialog = RegisterPatientDialog(self.session, self)
        dialog.accepted.connect(lambda: self._registered(dialog.registered.study_id))
        return open_dialog(dialog)

    def _registered(self, study_id: str) -> None:
        self.show_view("patients")
        self.patients.select(study_id)

    def record_selected(self) -> None:
        if self.current_view() == "today":
            self.today.record_selected()
        elif self.current_view() == "patient":
            self.patient.record_selected()
        else:
            self.session.say("Open a patient's calendar (Enter) and choose an item to record.")

    # -- bedside: assessment, go / hold, toxicity events ----------------------------------------

    def current_study_id(self) -> str | None:
        """The patient the bedside actions are for: selected in Today or Patients, shown in Patient."""
        view = self.current_view()
        if view == "today":
            return self.today.selected_study_id()
        if view == "patients":
            return self.patients.selected_study_id()
        return self.patient.study_id

    def _focus_back(self):
        view = self.current_view()
        return {"today": self.today.worklist, "patients": self.patients.table}.get(view, self.patient.tree)

    def _for_patient(self, study_id: str | None) -> str | None:
        study_id = study_id or self.current_study_id()
        if study_id is None:
            self.session.say("Select a patient first (a worklist row, a flag, or Ctrl+F).")
        return study_id

    def assess(self, study_id: str | None = None) -> BedsideAssessmentDialog | None:
        """Open the bedside CRS / ICANS form for a patient (default: the one in view)."""
        from .bedside.bedside import BedsideAssessmentDialog  # the dialogs load when first opened: a light start

        study_id = self._for_patient(study_id)
        if study_id is None:
            return None
        return open_dialog(BedsideAssessmentDialog(self.session, study_id, self.tabs.currentWidget()),
                           self._focus_back())

    def decide_fraction(self, study_id: str | None = None, timepoint: str | None = None) -> QWidget | None:
        """Open go / hold: for the selected fraction in Today, else the next fraction waiting for a
        go; when none waits, ask which."""
        from .bedside.fraction import FractionDecisionDialog
        from .toxicity.patient_toxicity import ask_fraction

        if study_id is None and timepoint is None and self.current_view() == "today":
            study_id, timepoint = self.today.selected_fraction() or (None, None)
        study_id = self._for_patient(study_id)
        if study_id is None:
            return None
        store = self.session.store
        if store.patients.get(study_id).anchors.day0 is None:
            self.session.say(f"{study_id} has no day 0 yet: there is no fraction to decide.")
            return None
        timepoint = timepoint or store.fractions.awaiting_decision(study_id, self.session.today())
        if timepoint is None:
            return ask_fraction(self, self.session, study_id, lambda code: self.decide_fraction(study_id, code))
        return open_dialog(FractionDecisionDialog(self.session, study_id, timepoint, self.tabs.currentWidget()),
                           self._focus_back())

    def record_event(self, study_id: str | None = None) -> ToxicityEventDialog | None:
        from .toxicity.event_dialog import ToxicityEventDialog

        study_id = self._for_patient(study_id)
        if study_id is None:
            return None
        return open_dialog(ToxicityEventDialog(self.session, study_id, self.tabs.currentWidget()),
                           self._focus_back())

    # -- the data manager's: details, history, export -----------------------------------------

    def show_details(self, study_id: str | None = None) -> QWidget | None:
        from .patient.details_dialog import PatientDetailsDialog

        study_id = self._for_patient(study_id)
        return open_dialog(PatientDetailsDialog(self.session, study_id, self), self._focus_back()) if study_id else None

    def show_history(self, study_id: str | None = None) -> QWidget | None:
        from .patient.history_view import HistoryDialog

        study_id = self._for_patient(study_id)
        return open_dialog(HistoryDialog(self.session, study_id, self), self._focus_back()) if study_id else None

    def export(self) -> QWidget:
        from .export_dialog import ExportDialog

        return open_dialog(ExportDialog(self.session, self))

    # -- printing -------------------------------------------------------------------------------

    def selected_visit(self) -> tuple[str, str] | None:
        """(study ID, timepoint) of the item selected in Today or in the Patient calendar."""
        view = self.current_view()
        today = self.today
        table = today.missed if today.missed.hasFocus() else today.worklist  # the list the nurse is in
        entries = today.selected(table) if view == "today" else []
        entry = entries[0] if entries else (self.patient.selected_entry() if view == "patient" else None)
        if entry is None:
            self.session.say("Select an item of the visit first (in Today or in a patient's calendar).")
            return None
        return entry.study_id, entry.item.timepoint

    def print_worksheet(self) -> QWidget | None:
        from .printing.print_preview import print_worksheet

        visit = self.selected_visit()
        return print_worksheet(self, self.session, *visit) if visit else None

    def print_labels(self) -> QWidget | None:
        from .printing.print_preview import print_labels

        visit = self.selected_visit()
        return print_labels(self, self.session, *visit) if visit else None

    def print_worklist(self) -> QWidget:
        from .printing.print_preview import print_worklist

        return print_worklist(self, self.session, self.today.day)

    def _patient_dialog(self, which: str) -> None:
        """Open a date dialog for the patient in view (or selected in Patients)."""
        if self.current_view() == "patients" and self.patients.selected_study_id():
            self.show_patient(self.patients.selected_study_id())
        if self.patient.study_id is None:
            self.session.say("Choose a patient first (Ctrl+F).")
            return
        self.show_view("patient")
        if which == "off_study":
            self.patient.take_off_study()
        else:
            self.patient.change_date(which)

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{keys}</b>&nbsp;&nbsp;</td><td>{what}</td></tr>" for keys, what in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    # -- remembering -----------------------------------------------------------------------------

    def _headers(self) -> dict[str, QHeaderView]:
        return {"today/worklist": self.today.worklist.horizontalHeader(),
                "today/missed": self.today.missed.horizontalHeader(),
                "patients/table": self.patients.table.horizontalHeader(),
                "patient/calendar": self.patient.tree.header(),
                "today/flags": self.today.flags.table.horizontalHeader()}

    def _splitters(self) -> dict[str, QSplitter]:
        return {"today/splitter": self.today.splitter, "patient/splitter": self.patient.splitter}

    def restore_settings(self, settings: QSettings) -> None:
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for key, splitter in self._splitters().items():
            value = settings.value(key)
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
                self.patient.splitter_restored |= splitter is self.patient.splitter
        for key, header in self._headers().items():
            value = settings.value(f"{key}/header")
            if isinstance(value, QByteArray):
                header.restoreState(value)
        for key in ("assessments", "events"):  # restored when the patient's toxicity part is built
            value = settings.value(f"patient/{key}/header")
            if isinstance(value, QByteArray):
                self.patient.header_states[key] = value
        view = settings.value("window/view")
        if view in VIEWS:
            self.show_view(view)

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/view", self.current_view())
        for key, splitter in self._splitters().items():
            settings.setValue(key, splitter.saveState())
        for key, header in self._headers().items():
            settings.setValue(f"{key}/header", header.saveState())
        for key, header in self.patient.toxicity_headers().items():
            settings.setValue(f"patient/{key}/header", header.saveState())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings is not None:
            self.save_settings(self.settings)
        super().closeEvent(event)
