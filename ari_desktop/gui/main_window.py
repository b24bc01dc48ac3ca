"""The main window: Today, Patients and Patient, with the menus, shortcuts and status bar.

The bedside actions (assessment, go / hold before a fraction, toxicity event) work on the patient in
view: the selected row's patient in Today and Patients, the patient shown in Patient.

Only Today is built for the first paint: the Patients and Patient views (and their modules) are built
when first shown or asked for, and every dialog's module is imported when it first opens.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QHeaderView, QLabel, QMainWindow, QMessageBox, QSplitter, QTabWidget, QVBoxLayout, QWidget

from ..i18n import N_, _
from ..store.store import read_only_refusal
from .audit import AuditAction
from .common.backups import AutomaticBackups
from .common.language import add_language_menu
from .common.session import Session
from .common.widgets import open_dialog
from .login.guard import SignIns
from .today.today_view import TodayView

if TYPE_CHECKING:
    from .analysis.analysis_view import AnalysisView
    from .bedside.bedside import BedsideAssessmentDialog
    from .patient.patient_view import PatientView
    from .patients.patients_view import PatientsView
    from .patients.register_dialog import RegisterPatientDialog
    from .toxicity.event_dialog import ToxicityEventDialog

VIEWS = ("today", "patients", "patient", "analysis")
# What the window remembers of each view between sessions (column widths, splitters), by settings key.
REMEMBERED = {
    "today": ("today/worklist/header", "today/missed/header", "today/flags/header", "today/splitter"),
    "patients": ("patients/table/header",),
    "patient": ("patient/calendar/header", "patient/splitter"),
    "analysis": ("analysis/endpoints/header",),
}
PATIENT_TOXICITY_HEADERS = ("assessments", "events")  # restored when the patient's toxicity part is built
PREFERRED_SIZE = (1280, 800)  # shrunk to the screen by fit_to_screen: a 1366x768 laptop sees the status bar
OUTSIDE_WRITES_MS = 2000  # how often a visible window asks SQLite whether another connection wrote
FIRST_RUN = N_("<b>No patients yet.</b> Register the first one: <a href='register'>Register patient…</a> "
             "(Ctrl+N).")
SHORTCUTS = (
    ("Ctrl+1, Ctrl+2, Ctrl+3, Ctrl+4", N_("Today, Patients, Patient, Analysis")),
    ("Ctrl+F", N_("Find a patient")),
    ("Ctrl+N", N_("Register a patient")),
    (N_("Enter or Space"), N_("Mark the selected worklist item collected")),
    ("Ctrl+R", N_("Record the selected item (another time, not obtained, or a correction)")),
    ("Ctrl+B", N_("Bedside CRS / ICANS assessment of the selected patient")),
    ("Ctrl+Left, Ctrl+Right", N_("Previous / next day in Today")),
    ("F5", N_("Read the current view again from the database")),
    ("Ctrl+P, Ctrl+L", N_("Print the selected item's visit worksheet, or its tube labels")),
    ("Ctrl+Shift+L", N_("Lock the window now (your password unlocks it)")),
    ("Ctrl+Shift+P", N_("Print the day's worklist")),
)


class MainWindow(QMainWindow):
    def __init__(self, session: Session, day: date | None = None, settings: QSettings | None = None,
                 backups: Path | None = None):
        super().__init__()
        self.session = session
        self.settings = settings
        store = session.store
        self.today = TodayView(session, day)
        self._patients: PatientsView | None = None  # built when first shown or asked for: a light start
        self._patient: PatientView | None = None
        self._analysis: AnalysisView | None = None
        self.saved_states: dict[str, QByteArray] = {}  # restored settings of the views not built yet
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.today, _("Today"))
        for title in (_("Patients"), _("Patient"), _("Analysis")):  # each view goes into its page when built
            page = QWidget()
            QVBoxLayout(page).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(page, title)
        for number, tip in enumerate((_("What is due, overdue and missed on a day (Ctrl+1)"),
                                      _("Every patient and their stage (Ctrl+2)"),
                                      _("One patient's whole calendar (Ctrl+3)"),
                                      _("The trial's endpoint tables and the cohort's figures (Ctrl+4)"))):
            self.tabs.setTabToolTip(number, tip)
        self.read_only_notice = None
        self.first_run_notice = QLabel(_(FIRST_RUN), wordWrap=True, visible=False)
        self.first_run_notice.setStyleSheet("QLabel { background: #e8f0fe; color: #1a3d7c; padding: 6px; }")
        self.first_run_notice.linkActivated.connect(lambda link: self.register_patient())
        self.setCentralWidget(self._with_notices(self.tabs))
        self.user_label = QLabel(textFormat=Qt.TextFormat.RichText)  # "nobody signed in" has no tag to tell Qt
        self.user_label.setToolTip(_("Your name is stamped on everything you record."))
        self.statusBar().addPermanentWidget(self.user_label)
        self.offline: str | None = None  # team mode: why the server cannot be reached now
        self.listener = None  # team mode: the server's announcements of other workstations' writes
        self.database_chosen: str | None = None  # File → Connect to server…: the window opens again there
        self.restart_asked = False  # View → Language → Restart now: the app starts again once the window closed
        self._actions()
        self.sign_ins = SignIns(self)  # the title and status bar say who; the idle lock; switch user
        self._connect()
        self.tabs.currentChanged.connect(lambda index: self.view(VIEWS[index]))
        self.data_version = store.data_version()
        self.outside_timer = QTimer(self, interval=OUTSIDE_WRITES_MS)
        self.outside_timer.timeout.connect(self.check_outside_writes)
        self.resize(*PREFERRED_SIZE)
        if settings is not None:
            self.restore_settings(settings)
        self.update_actions()
        # Daily and at close into the folder `backups` (none given: a screenshot, a test, a timing run).
        self.backups = AutomaticBackups(session, backups, self) if backups is not None else None

    def _with_notices(self, tabs: QTabWidget) -> QWidget:
        """Above every view: a file that cannot be written says so (each save is refused with it too), and
        an empty database says what to do first."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        if self.session.store.read_only:
            self.read_only_notice = QLabel(str(read_only_refusal(self.session.store.path)), wordWrap=True)
            self.read_only_notice.setStyleSheet("QLabel { background: #fff3cd; color: #7a3e00; font-weight: bold;"
                                                " padding: 6px; }")
            layout.addWidget(self.read_only_notice)
        # Team mode: the connection to the server was lost (follow_server); hidden until then.
        self.connection_notice = QLabel(wordWrap=True, visible=False)
        self.connection_notice.setStyleSheet("QLabel { background: #fde2e1; color: #8a1c13; font-weight: bold;"
                                             " padding: 6px; }")
        layout.addWidget(self.connection_notice)
        layout.addWidget(self.first_run_notice)
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
            a(_("&Today"), lambda: self.show_view("today"), "Ctrl+1", _("The worklist of a day")),
            a(_("&Patients"), lambda: self.show_view("patients"), "Ctrl+2", _("Every patient")),
            a(_("P&atient"), lambda: self.show_view("patient"), "Ctrl+3", _("One patient's calendar")),
            a(_("A&nalysis"), lambda: self.show_view("analysis"), "Ctrl+4", _("Endpoint tables and figures")),
        ]
        self.find_action = a(_("&Find patient…"), self.find_patient, "Ctrl+F",
                             _("Find a patient by study ID or initials"))
        self.register_action = a(_("&Register patient…"), self.register_patient, "Ctrl+N", _("Register a new patient"))
        self.record_action = a(_("&Record…"), self.record_selected, "Ctrl+R",
                               _("Record the selected item: another time, not obtained, or a correction"))
        self.refresh_action = a(_("Re&fresh"), self.refresh_current, "F5", _("Read the current view again"))
        self.previous_day_action = a(_("Pre&vious day"), lambda: self.shift_day(-1), "Ctrl+Left",
                                     _("Worklist of the day before"))
        self.next_day_action = a(_("&Next day"), lambda: self.shift_day(1), "Ctrl+Right",
                                 _("Worklist of the day after"))
        self.day0_action = a(_("Move day &0…"), lambda: self._patient_dialog("day0"), None, _("Set or move day 0"))
        self.booster_action = a(_("&Booster…"), lambda: self._patient_dialog("booster"), None,
                                _("Set or move the booster"))
        self.off_study_action = a(_("&Off study…"), lambda: self._patient_dialog("off_study"), None,
                                  _("Take off study"))
        self.death_action = a(_("&Death…"), lambda: self._patient_dialog("death"), None, _("Record a death"))
        self.bedside_action = a(_("Bedside &assessment…"), lambda: self.assess(), "Ctrl+B",
                                _("Bedside CRS / ICANS assessment of the selected patient"))
        self.fraction_action = a(_("&Go / hold fraction…"), lambda: self.decide_fraction(), None,
                                 _("A physician's go or hold before the fraction at {days}").format(
                                     days=self.session.store.protocol.go_decision_days))
        self.event_action = a(_("Record toxicity &event…"), lambda: self.record_event(), None,
                              _("TLS, a cytopenia, an infection, IEC-HS or hypogammaglobulinaemia"))
        self.print_worksheet_action = a(_("Print visit &worksheet…"), self.print_worksheet,
                                        QKeySequence.StandardKey.Print,
                                        _("Worksheet of the selected item's visit, with preview"))
        self.print_worklist_action = a(_("Print the day's work&list…"), self.print_worklist, "Ctrl+Shift+P",
                                       _("The worklist of the day shown in Today, with preview"))
        self.print_labels_action = a(_("Print tube &labels…"), self.print_labels, "Ctrl+L",
                                     _("Barcoded labels for the tubes of the selected item's visit"))
        self.details_action = a(_("De&tails…"), lambda: self.show_details(), None,
                                _("Registration details, and their correction"))
        self.history_action = a(_("&History…"), lambda: self.show_history(), None,
                                _("Every change: who, when, from what to what, why"))
        self.export_action = a(_("&Export…"), self.export, None, _("Every table as CSV files and an Excel workbook"))
        self.connect_action = a(_("Co&nnect to server…"), self.connect_to_server, None,
                                _("Team mode: work on the unit's PostgreSQL server, with the other workstations"))
        self.switch_user_action = a(_("S&witch user…"), lambda: self.sign_ins.switch_user(), None,
                                    _("Another person signs in: the open forms are closed first"))
        self.lock_action = a(_("Loc&k now"), lambda: self.sign_ins.lock(), "Ctrl+Shift+L",
                             _("Cover the window until your password is typed; your open forms stay as they are"))
        self.accounts_action = a(_("A&ccounts…"), lambda: self.sign_ins.show_accounts(), None,
                                 _("Every account of this database (for an administrator)"))
        quit_action = a(_("&Quit"), self.close, QKeySequence.StandardKey.Quit, _("Close ARI Desktop"))
        # Need a role that may do them (core/roles.ACTIONS): disabled for another, saying why.
        self.role_actions = {self.register_action: "register", self.bedside_action: "assess",
                             self.fraction_action: "decide-fraction", self.event_action: "record-toxicity",
                             self.day0_action: "register", self.booster_action: "register",
                             self.off_study_action: "register", self.death_action: "register",
                             self.record_action: "record-collection", self.export_action: "export"}
        # Need a patient: disabled until one is registered.
        self.patient_actions = (self.bedside_action, self.fraction_action, self.event_action, self.day0_action,
                                self.booster_action, self.off_study_action, self.death_action, self.record_action,
                                self.print_worksheet_action, self.print_labels_action, self.details_action,
                                self.history_action)
        self._menu(_("&File"), self.print_worksheet_action, self.print_worklist_action, self.print_labels_action, None,
                   self.export_action, None, self.connect_action, None, self.switch_user_action, self.lock_action,
                   self.accounts_action, None, quit_action)
        self.audit_action = AuditAction(self.session, self)  # disabled, saying why, for who may not read it
        view_menu = self._menu(_("&View"), *self.view_actions, None, self.previous_day_action, self.next_day_action,
                               None, self.refresh_action, None, self.audit_action)
        view_menu.setToolTipsVisible(True)
        view_menu.addSeparator()
        self.language_menu = add_language_menu(self, view_menu)
        view_menu.aboutToShow.connect(self.audit_action.check_allowed)
        self._menu(_("&Patient"), self.find_action, self.register_action, None, self.bedside_action,
                   self.fraction_action, self.event_action, None, self.day0_action, self.booster_action,
                   self.off_study_action, self.death_action, None, self.details_action, self.history_action)
        self._menu(_("&Record"), self.record_action)
        self._menu(_("&Help"), a(_("&Keyboard shortcuts"), self.show_shortcuts, None, _("Every shortcut")),
                   a(_("&Roles…"), self.show_roles, None, _("Which role may do what")))

    def _menu(self, title: str, *actions: QAction | None):
        """A menu of the menu bar with these actions in order; None is a separator."""
        menu = self.menuBar().addMenu(title)
        for action in actions:
            menu.addSeparator() if action is None else menu.addAction(action)
        return menu

    def update_actions(self) -> None:
        """Keep off what needs a patient on an empty database (saying what to do first), and what the signed-in
        account's roles do not allow, its tooltip saying why (the store refuses it anyway)."""
        store = self.session.store
        any_patient = store.patients.any()
        for action in (*self.patient_actions, *self.role_actions):
            needed = self.role_actions.get(action)
            refused = (self.offline or self.session.refusal(needed)) if needed else None
            action.setEnabled((any_patient or action not in self.patient_actions) and refused is None)
            action.setToolTip(refused or action.statusTip())
        self.first_run_notice.setVisible(not any_patient and not store.read_only)

    def _connect(self) -> None:
        events = self.session.events
        events.message.connect(lambda text: self.statusBar().showMessage(text, 15_000))
        events.recorded.connect(self._recorded)
        events.patient_changed.connect(self._patient_changed)
        events.patient_added.connect(self._patient_added)
        self.today.patient_requested.connect(self.show_patient)
        self.today.assess_requested.connect(self.assess)
        self.today.fraction_requested.connect(self.decide_fraction)

    # -- the views, built when first needed -------------------------------------------------------

    @property
    def patients(self) -> PatientsView:
        if self._patients is None:
            from .patients.patients_view import PatientsView

            view = self._patients = PatientsView(self.session)
            view.patient_requested.connect(self.show_patient)
            view.register_requested.connect(self.register_patient)
            self._place(view, "patients")
        return self._patients

    @property
    def patient(self) -> PatientView:
        if self._patient is None:
            from .patient.patient_view import PatientView

            view = self._patient = PatientView(self.session)
            view.fraction_requested.connect(self.decide_fraction)
            view.patient_shown.connect(
                lambda sid: self.tabs.setTabText(2, _("Patient {study_id}").format(study_id=sid)))
            for key in PATIENT_TOXICITY_HEADERS:
                if f"patient/{key}/header" in self.saved_states:
                    view.header_states[key] = self.saved_states.pop(f"patient/{key}/header")
            self._place(view, "patient")
        return self._patient

    @property
    def analysis(self) -> AnalysisView:
        if self._analysis is None:
            from .analysis.analysis_view import AnalysisView
            from .common import preload

            preload.wait()  # the libraries it reads with, if they are being loaded

            self._analysis = AnalysisView(self.session)
            self._place(self._analysis, "analysis")
        return self._analysis

    def _place(self, view: QWidget, name: str) -> None:
        """Put a new view in its tab's page with its remembered sizes; read it now if the page is shown."""
        for key, part in self._remembered(name).items():
            if key in self.saved_states:
                part.restoreState(self.saved_states.pop(key))
                if name == "patient" and key == "patient/splitter":
                    view.splitter_restored = True
        page = self.tabs.widget(VIEWS.index(name))
        page.layout().addWidget(view)
        if page.isVisible():
            view.show()

    def view(self, name: str) -> QWidget:
        """The view by name, built if it was not yet."""
        return {"today": lambda: self.today, "patients": lambda: self.patients, "patient": lambda: self.patient,
                "analysis": lambda: self.analysis}[name]()

    def built_views(self) -> list[str]:
        return [name for name, view in zip(VIEWS, (self.today, self._patients, self._patient, self._analysis),
                                           strict=True)
                if view is not None]

    # -- what changed: each view re-reads only what concerns it ----------------------------------

    def _recorded(self, study_id: str) -> None:
        self.today.mark_stale()
        if self._patient is not None:  # a view not built yet reads everything when it is
            self._patient.patient_changed(study_id)
        if self._analysis is not None:
            self._analysis.mark_stale()

    def _patient_changed(self, study_id: str) -> None:
        self.today.mark_stale()
        if self._patients is not None:
            self._patients.patient_changed(study_id)
        if self._patient is not None:
            self._patient.patient_changed(study_id)

    def _patient_added(self, study_id: str) -> None:
        self.today.mark_stale()  # screening items may be due today
        if self._patients is not None:
            self._patients.patient_changed(study_id)
        self.update_actions()

    # -- writes made elsewhere: the command line, another workstation ------------------------------

    def check_outside_writes(self) -> bool:
        """Re-read the views if another connection wrote to the file since the last look (SQLite's
        data_version; this window's own writes do not change it and refresh the views as they are made)."""
        try:
            version = self.session.store.data_version()
        except Exception as error:
            refusal = self.session.store.refusal(error)  # the file damaged or gone: say it once, stop asking
            if refusal is None:
                raise
            self.outside_timer.stop()
            self.session.say(str(refusal))
            return False
        if version == self.data_version:
            return False
        self.data_version = version
        self.reread(_("The lists were updated: another workstation or the command line wrote to the database."))
        return True

    def reread(self, said: str) -> None:
        """Every view reads the database again when next shown (the one in front at once)."""
        self.today.mark_stale()
        if self._patients is not None:
            self._patients.mark_stale()  # every row: patients may have been registered there
        if self._patient is not None and self._patient.study_id is not None:
            self._patient.mark_stale()
            if self._patient.toxicity is not None:
                self._patient.toxicity.timeline.mark_stale()
        if self._analysis is not None:
            self._analysis.mark_stale()
        self.update_actions()
        self.session.say(said)

    def connect_to_server(self) -> QWidget:
        """Ask for the server's address; once given, the window closes and opens again on the server, where
        one signs in again (its accounts are the server database's)."""
        from .connect_dialog import ConnectServerDialog

        dialog = ConnectServerDialog(self)

        def connected() -> None:
            self.database_chosen = dialog.chosen
            self.close()

        dialog.accepted.connect(connected)
        return open_dialog(dialog)

    def follow_server(self, listener) -> None:
        """Team mode: another workstation's write, announced by the server (gui/common/server_listener.py),
        re-reads the views at once; a lost connection shows a banner and keeps what is on screen, read-only
        (open forms stay as they are), until the listener is connected again and every view is read anew."""
        self.listener = listener
        self.outside_timer.stop()  # the server says when: no need to ask it every few seconds
        listener.changed.connect(lambda: self.reread(_("Updated: another workstation wrote to the database.")))
        listener.lost.connect(self._connection_lost)
        listener.restored.connect(self._connection_restored)

    def _connection_lost(self, sentence: str) -> None:
        self.offline = sentence
        self.connection_notice.setText(sentence)
        self.connection_notice.show()
        self.update_actions()

    def _connection_restored(self) -> None:
        self.offline = None
        self.connection_notice.hide()
        self.reread(_("The connection to the server is back; every list was read again."))

    def _follow_outside_writes(self) -> None:
        """Ask while the window can be seen (not minimised); at once when it comes to the front."""
        if self.listener is not None:
            return
        if self.isVisible() and not self.isMinimized():
            if not self.outside_timer.isActive():
                self.outside_timer.start()
        else:
            self.outside_timer.stop()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._follow_outside_writes()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._follow_outside_writes()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.WindowStateChange:
            self._follow_outside_writes()
        elif event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and self.outside_timer.isActive():
            self.check_outside_writes()

    # -- navigation ------------------------------------------------------------------------------

    def current_view(self) -> str:
        return VIEWS[self.tabs.currentIndex()]

    def show_view(self, name: str) -> None:
        self.view(name)
        self.tabs.setCurrentIndex(VIEWS.index(name))

    def current_widget(self) -> QWidget:
        """The view shown (the tab's page holds it)."""
        return self.view(self.current_view())

    def show_patient(self, study_id: str) -> None:
        self.patient.show_patient(study_id)
        self.show_view("patient")
        self.patient.tree.setFocus()
        self.update_actions()

    def find_patient(self) -> None:
        self.show_view("patients")
        self.patients.focus_search()

    def shift_day(self, days: int) -> None:
        self.show_view("today")
        self.today.shift_day(days)

    def refresh_current(self) -> None:
        self.current_widget().update_now()
        self.update_actions()
        self.session.say(_("Read again from the database."))

    def register_patient(self) -> RegisterPatientDialog:
        from .patients.register_dialog import RegisterPatientDialog

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
            self.session.say(_("Open a patient's calendar (Enter) and choose an item to record."))

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
        return self.today.worklist if view == "today" else self.patients.table if view == "patients" else \
            self.patient.tree

    def _for_patient(self, study_id: str | None) -> str | None:
        study_id = study_id or self.current_study_id()
        if study_id is None:
            self.session.say(_("Select a patient first (a worklist row, a flag, or Ctrl+F)."))
        return study_id

    def assess(self, study_id: str | None = None) -> BedsideAssessmentDialog | None:
        """Open the bedside CRS / ICANS form for a patient (default: the one in view)."""
        from .bedside.bedside import BedsideAssessmentDialog  # the dialogs load when first opened: a light start

        study_id = self._for_patient(study_id)
        if study_id is None:
            return None
        return open_dialog(BedsideAssessmentDialog(self.session, study_id, self.current_widget()),
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
            self.session.say(_("{study_id} has no day 0 yet: there is no fraction to decide.").format(
                study_id=study_id))
            return None
        timepoint = timepoint or store.fractions.awaiting_decision(study_id, self.session.today())
        if timepoint is None:
            return ask_fraction(self, self.session, study_id, lambda code: self.decide_fraction(study_id, code))
        return open_dialog(FractionDecisionDialog(self.session, study_id, timepoint, self.current_widget()),
                           self._focus_back())

    def record_event(self, study_id: str | None = None) -> ToxicityEventDialog | None:
        from .toxicity.event_dialog import ToxicityEventDialog

        study_id = self._for_patient(study_id)
        if study_id is None:
            return None
        return open_dialog(ToxicityEventDialog(self.session, study_id, self.current_widget()),
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
            self.session.say(_("Select an item of the visit first (in Today or in a patient's calendar)."))
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

        return print_worklist(self, self.session, self.today.day, self.today.shown())

    def _patient_dialog(self, which: str) -> None:
        """Open a date dialog for the patient in view: selected in Today or Patients, shown in Patient."""
        study_id = self.current_study_id()
        if study_id is None:
            self.session.say(_("Choose a patient first (Ctrl+F)."))
            return
        if self._patient is None or self._patient.study_id != study_id:
            self.show_patient(study_id)
        self.show_view("patient")
        if which == "off_study":
            self.patient.take_off_study()
        else:
            self.patient.change_date(which)

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{_(keys)}</b>&nbsp;&nbsp;</td><td>{_(what)}</td></tr>"
                       for keys, what in SHORTCUTS)
        QMessageBox.information(self, _("Keyboard shortcuts"), f"<table>{rows}</table>")

    def show_roles(self) -> QWidget:
        from .roles_dialog import RolesDialog

        return open_dialog(RolesDialog(self))

    # -- remembering -----------------------------------------------------------------------------

    def _remembered(self, name: str) -> dict[str, QHeaderView | QSplitter]:
        """The parts of a built view whose state is remembered, by settings key (REMEMBERED)."""
        if name == "today":
            today = self.today
            parts = (today.worklist.horizontalHeader(), today.missed.horizontalHeader(),
                     today.flags.table.horizontalHeader(), today.splitter)
        elif name == "patients":
            parts = (self.patients.table.horizontalHeader(),)
        elif name == "analysis":
            parts = (self.analysis.table.header(),)
        else:
            parts = (self.patient.tree.header(), self.patient.splitter)
        return dict(zip(REMEMBERED[name], parts, strict=True))

    def restore_settings(self, settings: QSettings) -> None:
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        keys = [key for name in VIEWS for key in REMEMBERED[name]]
        keys += [f"patient/{key}/header" for key in PATIENT_TOXICITY_HEADERS]
        for key in keys:
            value = settings.value(key)
            if isinstance(value, QByteArray):
                self.saved_states[key] = value
        for name in self.built_views():  # the others take theirs when built
            for key, part in self._remembered(name).items():
                if key in self.saved_states:
                    part.restoreState(self.saved_states.pop(key))
        view = settings.value("window/view")
        if view in VIEWS:
            self.show_view(view)

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/view", self.current_view())
        for name in self.built_views():  # a view never built keeps what was saved before
            for key, part in self._remembered(name).items():
                settings.setValue(key, part.saveState())
        if self._patient is not None:
            for key, header in self._patient.toxicity_headers().items():
                settings.setValue(f"patient/{key}/header", header.saveState())
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.settings is not None:
            self.save_settings(self.settings)
        if self.backups is not None:
            self.backups.at_close()
        self.sign_ins.at_close()  # the log-out is recorded
        if self.listener is not None:
            self.listener.stop()
        super().closeEvent(event)
