"""View → Audit trail: only for an account that may read it (the others see the item disabled, saying
why); filters read the store's trail; Save as PDF writes the filter's entries and is itself logged; a
print saved from the print preview is logged with the login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import GUI_TODAY, GUI_USER, sign_in
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog

from ari_desktop.gui.audit.audit_dialog import AuditDialog
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.printing.print_preview import PrintPreviewDialog
from ari_desktop.store.audit import TrailFilter

pytestmark = pytest.mark.usefixtures("gui_settings")


@pytest.fixture
def session(store, add_patient) -> Session:
    add_patient(store, "ARI-014", day0=GUI_TODAY - timedelta(days=7))
    add_patient(store, "ARI-020", day0=GUI_TODAY - timedelta(days=8))
    return Session(store)


@pytest.fixture
def audit(qtbot, session) -> AuditDialog:
    dialog = AuditDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_nurse_sees_the_audit_trail_item_disabled_saying_why(window):
    assert window.audit_action.isEnabled()  # the clinician is also a data manager
    sign_in(window.session.store, "nurse")
    window.audit_action.check_allowed()
    assert not window.audit_action.isEnabled()
    assert window.audit_action.toolTip().startswith("You may not read the audit trail: nurse (nurse)")
    assert window.audit_action.open() is None


def test_the_filters_show_the_patients_entries_a_page_at_a_time(audit):
    audit.patient.setText("ARI-020")
    audit.kind.setCurrentIndex(audit.kind.findData("record"))
    assert audit.show_entries()
    shown = audit.model.rows
    assert shown and {e.patient for e in shown} == {"ARI-020"} and {e.kind for e in shown} == {"Record change"}
    assert audit.count.text().startswith(f"1–{len(shown)} of {len(shown)} · patient ARI-020 · Record change")
    audit.start.setText("2025-13-01")
    assert not audit.show_entries() and "2025-13-01" in audit.error.text()


def test_save_as_pdf_writes_the_filters_entries_and_logs_the_print(audit, session, tmp_path, monkeypatch):
    audit.user.setCurrentText(GUI_USER)
    audit.patient.setText("ARI-014")
    audit.show_entries()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: (str(tmp_path / "trail"), "PDF files (*.pdf)")))
    path = audit.save_pdf()
    assert path == tmp_path / "trail.pdf"
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)
    assert f"Filter: patient ARI-014 · user {GUI_USER}" in text and "Registration" in text
    printed = session.store.audit.trail(TrailFilter(kind="print"))
    assert [(e.login, e.new["detail"]) for e in printed] == [
        (GUI_USER, f"audit trail (patient ARI-014 · user {GUI_USER}) → {path}")]
    assert audit.model.rows[-1].kind == "Print"  # shown at once: the save is an entry of the filter


def test_the_access_review_tab_lists_every_role(audit):
    roles = {(g.login, g.role) for g in audit.review.rows}
    assert ("monitor", "monitor") in roles and (GUI_USER, "physician") in roles


def test_a_worksheet_saved_from_the_preview_is_logged_as_a_print(qtbot, session, tmp_path, monkeypatch):
    dialog = PrintPreviewDialog(session, "worksheet", study_id="ARI-014", timepoint="D+7")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.is_ready)
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: (str(tmp_path / "visit.pdf"), "PDF files (*.pdf)")))
    dialog.save_as_pdf()
    printed = session.store.audit.trail(TrailFilter(patient="ARI-014", kind="print"))
    assert [(e.login, e.new["detail"]) for e in printed] == [
        (GUI_USER, f"worksheet of ARI-014 D+7 → {tmp_path / 'visit.pdf'}")]
