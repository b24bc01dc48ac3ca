"""View → Audit trail (window): the audit trail filtered by patient, user, kind and days, a page at a
time (a large file's trail holds hundreds of thousands of entries), saved as PDF or CSV (each logged,
as a print or an export); and the access review (who holds which role since when, granted by whom),
saved as PDF. Only an account allowed to read the audit trail opens it (core.roles: read-audit).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import USER_ERRORS
from ...i18n import N_, _
from ...reports.audit import AuditLine, lines
from ...reports.history import moment_text
from ...store.accounts import Grant
from ...store.audit import KINDS, TrailFilter
from ..common.field_errors import ERROR_PREFIX, ERROR_STYLE
from ..common.fields import DateField
from ..common.models import Column, RowTableModel
from ..common.session import Session
from ..common.settings import open_settings
from ..common.widgets import caption, table_view

PAGE = 500  # entries shown at a time
SETTING = "audit/folder"
_EVERYONE, _EVERY_KIND = N_("Everyone"), N_("Every kind")

TRAIL_COLUMNS = (
    Column[AuditLine](N_("Entry"), lambda e: str(e.entry), lambda e: e.entry,
                      N_("The entry's number in the change log")),
    Column[AuditLine](N_("When"), lambda e: e.when, lambda e: e.at_utc,
                      N_("Local time, with the zone (stored in UTC)")),
    Column[AuditLine](N_("Who"), lambda e: e.who),
    Column[AuditLine](N_("Kind"), lambda e: e.kind),
    Column[AuditLine](N_("Patient"), lambda e: e.patient),
    Column[AuditLine](N_("What"), lambda e: e.what),
    Column[AuditLine](N_("Old → new"), lambda e: "\n".join(e.changes)),
    Column[AuditLine](N_("Why"), lambda e: e.reason),
)
REVIEW_COLUMNS = (
    Column[Grant](N_("Login"), lambda g: g.login),
    Column[Grant](N_("Full name"), lambda g: g.full_name),
    Column[Grant](N_("Role"), lambda g: g.role),
    Column[Grant](N_("Since"), lambda g: moment_text(g.granted_at), lambda g: g.granted_at),
    Column[Grant](N_("Granted by"), lambda g: g.granted_by),
    Column[Grant](N_("Until"), lambda g: moment_text(g.revoked_at) if g.revoked_at else _("holds it")),
    Column[Grant](N_("Revoked by"), lambda g: g.revoked_by or ""),
)


class AuditDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.settings = open_settings()
        self.chosen = TrailFilter()
        self.page, self.total = 0, 0
        self.setWindowTitle(_("Audit trail"))
        self.error = QLabel(wordWrap=True)  # a filter or a file refused: one sentence
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._trail_tab(), _("&Audit trail"))
        self.tabs.addTab(self._review_tab(), _("Access &review"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(1280, 720)
        self.show_entries()
        self.patient.setFocus()

    # -- the audit trail ----------------------------------------------------------------------------

    def _trail_tab(self) -> QWidget:
        store = self.session.store
        self.patient = QLineEdit(placeholderText=_("Study ID, e.g. ARI-014"), clearButtonEnabled=True)
        self.user = QComboBox(editable=True)
        self.user.addItems([_(_EVERYONE), *(a.login for a in store.accounts.all())])
        self.user.setToolTip(_("A login: an account, or a name that wrote before accounts existed"))
        self.kind = QComboBox()
        self.kind.addItem(_(_EVERY_KIND), None)
        for kind in KINDS:
            self.kind.addItem(_(kind.label), kind.code)
        self.start = DateField().describe(_("from date"), "from")
        self.end = DateField().describe(_("to date"), "to")
        self.show_button = QPushButton(_("&Show"), clicked=self.show_entries, default=True, autoDefault=True)
        self.patient.returnPressed.connect(self.show_entries)
        form = QFormLayout()
        first, second = QHBoxLayout(), QHBoxLayout()
        for row, pairs in ((first, ((_("&Patient"), self.patient), (_("&User"), self.user), (_("&Kind"), self.kind))),
                           (second, ((_("&From"), self.start), (_("&To"), self.end)))):
            for text, widget in pairs:
                label = QLabel(text)
                label.setBuddy(widget)
                row.addWidget(label)
                row.addWidget(widget, 1)
        second.addWidget(self.show_button)
        form.addRow(first)
        form.addRow(second)
        self.model = RowTableModel[AuditLine](TRAIL_COLUMNS, self)
        self.table = table_view(self.model, (5, 18, 16, 12, 9, 26, 30, 18), stretch=6)
        self.table.setSortingEnabled(False)  # the order is the order of the entries
        self.table.setWordWrap(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.count = QLabel()
        self.previous_button = QPushButton(_("◀ &Earlier"), clicked=lambda: self._turn(-1))
        self.next_button = QPushButton(_("&Later ▶"), clicked=lambda: self._turn(1))
        self.pdf_button = QPushButton(_("Save as P&DF…"), clicked=lambda: self.save_pdf(),
                                      toolTip=_("The entries of the filter, on A4 landscape (logged as a print)"))
        self.csv_button = QPushButton(_("Save as &CSV…"), clicked=lambda: self.save_csv(),
                                      toolTip=_("The entries of the filter, for Excel or R (logged as an export)"))
        bottom = QHBoxLayout()
        for widget in (self.previous_button, self.count, self.next_button):
            bottom.addWidget(widget)
        bottom.addStretch(1)
        bottom.addWidget(self.pdf_button)
        bottom.addWidget(self.csv_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(caption(_("Every change of a record, log-in, role change, signature, export and print, "
                                   "oldest first")))
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        return tab

    def filter_typed(self) -> TrailFilter:
        user = self.user.currentText().strip()
        return TrailFilter(self.patient.text().strip() or None, None if user in ("", _EVERYONE, _(_EVERYONE)) else user,
                           self.kind.currentData(), self.start.value(), self.end.value()).check()

    def show_entries(self) -> bool:
        """Read the first page of the filter typed; False (the sentence shown) if it is refused."""
        try:
            self.chosen = self.filter_typed()
            self.total = self.session.store.audit.count(self.chosen)
        except USER_ERRORS as error:
            self._refused(str(error))
            return False
        self.error.hide()
        self.page = 0
        self._read_page()
        return True

    def _turn(self, pages: int) -> None:
        self.page = max(0, min(self.page + pages, self._last_page()))
        self._read_page()

    def _last_page(self) -> int:
        return max(0, (self.total - 1) // PAGE)

    def _read_page(self) -> None:
        self.model.set_rows(lines(self.session.store.audit.trail(self.chosen, PAGE, self.page * PAGE)))
        first = self.page * PAGE
        number = QLocale().toString
        shown = (_("{first}–{last} of {total}").format(first=number(first + 1),
                                                       last=number(first + self.model.rowCount()),
                                                       total=number(self.total)) if self.total
                 else _("No entry matches the filter"))
        self.count.setText(f"{shown} · {self.chosen.described()}")
        self.previous_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page < self._last_page())
        self.table.scrollToTop()

    def _refused(self, sentence: str) -> None:
        self.error.setText(ERROR_PREFIX + sentence)
        self.error.show()

    def _target(self, title: str, name: str, pattern: str) -> Path | None:
        folder = self.settings.value(SETTING) or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _pattern = QFileDialog.getSaveFileName(self, title, str(Path(folder) / name) if folder else name,
                                                       pattern)
        if not chosen:
            return None
        target = Path(chosen)
        suffix = pattern[pattern.index("*") + 1:pattern.index(")")]
        return target if target.suffix.lower() == suffix else target.with_name(target.name + suffix)

    def save_pdf(self, target: Path | None = None) -> Path | None:
        """Save the entries shown's filter (all its pages) as a PDF; the path, or None."""
        from ...printing.audit import write_trail

        what = f"audit trail ({self.chosen.described()})"
        return self._save(target or self._target(_("Save the audit trail as PDF"), "audit-trail.pdf",
                                                 _("PDF files (*.pdf)")),
                          lambda path: write_trail(self.session.store, self.chosen, path).path, what, "print")

    def save_csv(self, target: Path | None = None) -> Path | None:
        from ...reports.audit import write_csv

        what = f"audit trail ({self.chosen.described()})"

        def write(path: Path) -> Path:
            write_csv(self.session.store, self.chosen, path)
            return path

        return self._save(target or self._target(_("Save the audit trail as CSV"), "audit-trail.csv",
                                                 _("CSV files (*.csv)")), write, what, "export")

    def _save(self, target: Path | None, write, what: str, logged_as: str) -> Path | None:
        """Write `target`, then log it in the audit trail (a print or an export); None if not written."""
        if target is None:
            return None
        store = self.session.store
        try:
            path = write(target)
            (store.audit.printed if logged_as == "print" else store.audit.exported)(what, path)
        except USER_ERRORS as error:
            self._refused(_("Nothing was saved: {error}").format(error=error))
            return None
        self.error.hide()
        self.settings.setValue(SETTING, str(path.parent))
        saved = _("Saved the access review as {path}.") if what == "access review" else \
            _("Saved the audit trail as {path}.")
        self.session.say(saved.format(path=path))
        self.show_entries()  # the save is itself an entry
        return path

    # -- the access review --------------------------------------------------------------------------

    def _review_tab(self) -> QWidget:
        self.review = RowTableModel[Grant](REVIEW_COLUMNS, self)
        self.review.set_rows(self.session.store.accounts.access_review())
        table = table_view(self.review, (14, 24, 13, 20, 14, 20, 14), stretch=1)
        save = QPushButton(_("Save as PD&F…"), clicked=lambda: self.save_review(),
                           toolTip=_("The access review, on A4 landscape (logged as a print)"))
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(save)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(caption(_("Who holds (or held) which role, since when, granted by whom")))
        layout.addWidget(table, 1)
        layout.addLayout(bottom)
        return tab

    def save_review(self, target: Path | None = None) -> Path | None:
        from ...printing.audit import write_access_review

        return self._save(target or self._target(_("Save the access review as PDF"), "access-review.pdf",
                                                 _("PDF files (*.pdf)")),
                          lambda path: write_access_review(self.session.store, path).path, "access review", "print")
