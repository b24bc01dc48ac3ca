"""Analysis: the trial's endpoint tables and the cohort's figures, as of a date.

The tables are store.efficacy's and store.toxicity's (the same the command line's `endpoints` prints);
the figures are ari_desktop.figures' (the same `figure` saves). This module, matplotlib and the survival
library load only when the view is first shown, never for the first paint. A result saved anywhere marks
the view stale: it reads again when next shown, without restarting.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import USER_ERRORS
from ...i18n import N_, _, ngettext
from ..common.fields import DateField, guard_wheel
from ..common.qt_dates import format_date
from ..common.session import Session
from ..common.widgets import LazyView, busy, set_widths

# Tab title (shown through _()) -> the figure's name in ari_desktop.figures.
FIGURE_TABS = {N_("Swimmer plot"): "swimmer", N_("PFS"): "pfs", N_("OS"): "os", N_("CAR-T expansion"): "expansion",
               N_("Soluble BCMA"): "sbcma"}
COHORT = N_("Whole cohort")
HEADERS = (N_("Endpoint"), N_("Value"), N_("Evaluable"), N_("Note"))


class AnalysisView(LazyView):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.as_of_field = DateField().describe(_("as-of date"), "as_of")
        self.as_of_field.set_value(session.today())
        as_of_label = QLabel(_("&As of:"))
        as_of_label.setBuddy(self.as_of_field)
        self.update_button = QPushButton(_("&Update"), toolTip=_("Count what was known on this date"))
        self.patient_choice = QComboBox(toolTip=_("The expansion and sBCMA figures: the cohort, or one patient"))
        patient_label = QLabel(_("&Patient:"))
        patient_label.setBuddy(self.patient_choice)
        self.save_button = QPushButton(_("&Save figure…"), toolTip=_("Save the figure shown as PNG or PDF"))
        self.said = QLabel(wordWrap=True)
        self.said.setStyleSheet("QLabel { color: #b00020; font-weight: bold; }")
        bar = QHBoxLayout()
        for widget in (as_of_label, self.as_of_field, self.update_button, patient_label, self.patient_choice,
                       self.save_button):
            bar.addWidget(widget)
        bar.addWidget(self.said, 1)
        self.table = QTreeWidget(objectName="endpoints")
        self.table.setAccessibleName(_("Endpoint tables"))
        self.table.setHeaderLabels([_(heading) for heading in HEADERS])
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        set_widths(self.table.header(), (46, 74, 8, 50))
        self.tabs = QTabWidget(documentMode=True)
        self.tabs.addTab(self.table, _("Endpoints"))
        self.canvases: dict[str, QWidget | None] = {}
        for title, name in FIGURE_TABS.items():
            # The figure keeps the size it is saved at (its margins are set in inches): it scrolls rather
            # than squeezes, and the screen shows what the PNG holds.
            page = QScrollArea(objectName=f"{name}Page", widgetResizable=False)
            page.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.tabs.addTab(page, _(title))
            self.canvases[name] = None
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        guard_wheel(self)
        self.figures: dict[str, object] = {}  # name -> the matplotlib Figure drawn for the current choices
        self.efficacy = None  # the efficacy tables shown: the survival curves are drawn from their fits
        self.timings: dict[str, float] = {}  # what took how long (seconds), last time it was drawn
        self.update_button.clicked.connect(self.update_now)
        self.tabs.currentChanged.connect(lambda _: self._show_figure())
        self.patient_choice.currentIndexChanged.connect(lambda _: self._patient_chosen())
        self.save_button.clicked.connect(lambda: self.save_figure())
        self._update_buttons()

    # -- reading ---------------------------------------------------------------------------------

    def as_of(self) -> date:
        return self.as_of_field.value()

    def refresh(self) -> None:
        """Read the endpoint tables again, and draw the figure shown (the others when next shown)."""
        self.said.clear()
        self.figures.clear()
        try:
            as_of = self.as_of()
            with busy():
                started = time.perf_counter()
                safety, efficacy = self.session.store.efficacy.tables(as_of)
                self.timings["endpoints"] = time.perf_counter() - started
        except USER_ERRORS as error:
            self.said.setText(f"⚠ {error}")
            return
        self.efficacy = efficacy
        self._fill_table(efficacy, safety)
        self._fill_patients(efficacy.infused)
        self._show_figure()

    def _fill_table(self, efficacy, safety) -> None:
        self.table.clear()
        sections: dict[str, QTreeWidgetItem] = {}

        def section(name: str) -> QTreeWidgetItem:
            if name not in sections:
                item = sections[name] = QTreeWidgetItem(self.table, [name])
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
                item.setFirstColumnSpanned(True)
            return sections[name]

        infused, not_infused = len(efficacy.infused), len(efficacy.not_infused)
        heading = ngettext("As of {date}: {infused} infused (the denominator), {not_infused} not infused, listed apart",
                           "As of {date}: {infused} infused (the denominator), {not_infused} not infused, listed apart",
                           infused)
        head = section(heading.format(date=format_date(efficacy.as_of), infused=infused, not_infused=not_infused))
        for label, endpoint in ((_("CRS within 30 days"), safety.crs), (_("ICANS within 30 days"), safety.icans)):
            share = "—" if endpoint.proportion is None else f"{100 * endpoint.proportion:.1f} %"
            _row(section(_("Safety")), label, _("{patients} / {evaluable} ({share}); grade ≥ 3: {severe}").format(
                patients=len(endpoint.patients), evaluable=endpoint.evaluable, share=share,
                severe=len(endpoint.grade_3_or_more)), endpoint.evaluable,
                 _("max grade 0/1/2/3/4/5: {counts}").format(counts="/".join(str(n) for n in endpoint.by_max_grade)))
        for row in efficacy.rows():
            shown = row.shown()
            _row(section(shown.section), shown.label, shown.value, row.evaluable, shown.note)
        head.setExpanded(True)
        self.table.expandAll()

    def _fill_patients(self, infused) -> None:
        chosen = self.patient_choice.currentText()
        self.patient_choice.blockSignals(True)
        self.patient_choice.clear()
        self.patient_choice.addItem(_(COHORT), None)
        for study_id in infused:
            self.patient_choice.addItem(study_id, study_id)
        self.patient_choice.setCurrentIndex(max(self.patient_choice.findText(chosen), 0))
        self.patient_choice.blockSignals(False)

    # -- figures ---------------------------------------------------------------------------------

    def shown_figure(self) -> str | None:
        """The name of the figure whose tab is in front (None: the tables)."""
        index = self.tabs.currentIndex()
        return list(FIGURE_TABS.values())[index - 1] if index > 0 else None

    def show_figure(self, name: str) -> None:
        """Bring the tab of the figure `name` (of ari_desktop.figures) to the front."""
        self.tabs.setCurrentIndex(1 + list(FIGURE_TABS.values()).index(name))

    def _patient_chosen(self) -> None:
        for name in ("expansion", "sbcma"):
            self.figures.pop(name, None)
        self._show_figure()

    def _show_figure(self) -> None:
        self._update_buttons()
        name = self.shown_figure()
        if name is None or self.stale or name in self.figures:
            return
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        from ... import figures

        study_id = self.patient_choice.currentData() if name in figures.FOR_ONE_PATIENT else None
        try:
            with busy():
                started = time.perf_counter()
                figure = figures.draw(name, self.session.store, self.as_of(), study_id, self.efficacy)
                self.timings[name] = time.perf_counter() - started
        except USER_ERRORS as error:
            self.said.setText(f"⚠ {error}")
            return
        self.figures[name] = figure
        canvas = self.canvases[name] = FigureCanvasQTAgg(figure)
        canvas.setObjectName(f"{name}Canvas")
        width, height = figure.get_size_inches() * figure.dpi / canvas.devicePixelRatioF()
        canvas.setFixedSize(int(width), int(height))
        self.tabs.currentWidget().setWidget(canvas)  # the page deletes the figure it showed before
        self._update_buttons()

    def _update_buttons(self) -> None:
        name = self.shown_figure()
        self.save_button.setEnabled(name is not None)
        self.patient_choice.setEnabled(name in ("expansion", "sbcma"))

    def save_figure(self, out: Path | None = None) -> Path | None:
        """Save the figure shown as PNG or PDF (by the name's ending); the audit trail keeps the export."""
        from ... import figures

        name = self.shown_figure()
        if name is None or name not in self.figures:
            return None
        if out is None:
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            chosen, _filter = QFileDialog.getSaveFileName(self, _("Save the figure"), str(Path(folder) / f"{name}.png"),
                                                          _("PNG image (*.png);;PDF (*.pdf)"))
            if not chosen:
                return None
            out = Path(chosen)
        try:
            written = figures.save(self.figures[name], out, self.session.store.path)
            self.session.store.audit.exported(f"the {figures.FIGURES[name]} as of {self.as_of()}", written)
        except USER_ERRORS as error:
            self.said.setText(f"⚠ {error}")
            return None
        self.session.say(_("Saved the {figure} to {path}.").format(figure=_(figures.FIGURES[name]), path=written))
        return written


def _row(parent: QTreeWidgetItem, label: str, value: str, evaluable: int | None, note: str) -> None:
    item = QTreeWidgetItem(parent, [label, value, "" if evaluable is None else str(evaluable), note])
    for column in range(4):
        item.setToolTip(column, item.text(column))
    item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
