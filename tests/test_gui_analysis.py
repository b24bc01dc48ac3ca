"""The Analysis view: the endpoint tables and the figures of a demo cohort as of a date, drawn only when
shown; a result saved in the window is in them the next time they are shown, without restarting."""

from __future__ import annotations

import pytest
from conftest import GUI_TODAY, make_demo, open_store
from PySide6.QtWidgets import QTreeWidgetItemIterator

from ari_desktop.gui.common.session import Session
from ari_desktop.gui.main_window import MainWindow


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("analysis") / "demo.db", 30, seed=3)


@pytest.fixture
def analysis(qtbot, demo_path, tmp_path, gui_settings):
    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_path.read_bytes())
    store = open_store(copy, "physician")
    window = MainWindow(Session(store))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.show_view("analysis")
    yield window
    store.close()


def texts(view) -> dict[str, tuple[str, str]]:
    """Endpoint label -> (value, evaluable), as the table shows them."""
    found = {}
    it = QTreeWidgetItemIterator(view.table)
    while it.value():
        item = it.value()
        found[item.text(0)] = (item.text(1), item.text(2))
        it += 1
    return found


def test_the_tables_show_what_the_command_line_prints(analysis):
    view = analysis.analysis
    safety, efficacy = analysis.session.store.efficacy.tables(GUI_TODAY)
    shown = texts(view)
    for row in efficacy.rows():
        assert shown[row.label] == (row.value, "" if row.evaluable is None else str(row.evaluable))
    assert shown["CRS within 30 days"][0].startswith(f"{len(safety.crs.patients)} / {safety.crs.evaluable}")


@pytest.mark.parametrize("name", ["swimmer", "pfs", "os", "expansion", "sbcma"])
def test_each_figure_is_drawn_when_its_tab_is_shown_and_saved_as_png(analysis, tmp_path, name):
    view = analysis.analysis
    assert name not in view.figures  # nothing drawn until its tab is shown
    view.show_figure(name)
    assert view.figures[name] is not None and view.canvases[name].isVisible()
    saved = view.save_figure(tmp_path / f"{name}.png")
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    last = analysis.session.store.audit.trail()[-1]
    assert last.kind.code == "export" and str(saved) in str(last)


def test_a_result_saved_is_in_the_tables_next_time_they_are_shown(analysis):
    store = analysis.session.store
    view = analysis.analysis
    before = texts(view)["Progression-free survival"][0]
    progressed = next(sid for sid in view.efficacy.infused if store.results.progression(sid) is None)
    analysis.show_view("today")
    store.results.record_progression(progressed, store.patients.get(progressed).anchors.day0, "imaging")
    analysis.session.events.recorded.emit(progressed)
    analysis.show_view("analysis")
    assert texts(view)["Progression-free survival"][0] != before
