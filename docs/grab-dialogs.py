"""Regenerates the README's dialog screenshots (log-in, lock screen, bedside, go / hold, signing, history,
details, audit trail) from a demo cohort, typing into the real forms as a user would, signed in as the demo
physician. Run by make-images.sh:

    python docs/grab-dialogs.py DEMO_DB STUDY_ID

STUDY_ID: a patient on a fraction day (the script picks the assessment and the go / hold for them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from ari_desktop.demo import DEMO_PASSWORD
from ari_desktop.gui.audit.audit_dialog import AuditDialog
from ari_desktop.gui.common.session import Session
from ari_desktop.gui.main_window import MainWindow
from ari_desktop.store import Store

SHOTS = Path(__file__).parent / "screenshots"
SIGNING_PASSWORD = "ward-round-2025"  # the demo physician's, after the first log-in's change


def settle(app: QApplication) -> None:
    for _ in range(5):
        app.processEvents()


def grab(app: QApplication, widget, name: str) -> None:
    settle(app)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def grab_log_in(app: QApplication, store: Store) -> None:
    """The log-in with the demo nurse's login filled in and a password typed, and the lock screen."""
    from ari_desktop.gui.login.dialogs import LockDialog, LogInDialog

    log_in = LogInDialog(store, "nurse")
    log_in.open()
    log_in.password.setText("demo-password")
    grab(app, log_in, "log-in")
    log_in.done(0)
    lock = LockDialog(store, store.accounts.get("nurse"), 5, 30)
    lock.open()
    grab(app, lock, "lock")
    lock.done(0)


def main(db: str, study_id: str) -> None:
    app = QApplication([])
    QLocale.setDefault(QLocale("es_ES"))  # a Spanish ward PC: decimals typed with a point still read right
    grab_log_in(app, Store(db, "ward-pc"))
    store = Store(db, "physician")
    store.accounts.change_password("physician", DEMO_PASSWORD, SIGNING_PASSWORD)
    store.accounts.sign_in("physician", SIGNING_PASSWORD)
    window = MainWindow(Session(store))
    window.resize(1366, 728)
    window.show()
    settle(app)

    bedside = window.assess(study_id)
    bedside.temperature.setText("38.6")
    for combo, code in ((bedside.oxygen, "nasal-cannula"), (bedside.consciousness, "alert"),
                        (bedside.seizure, "none"), (bedside.edema, "none")):
        combo.setCurrentIndex(combo.findData(code))
    bedside.flow.setText("2.5")
    bedside.tick_all_ice()
    grab(app, bedside, "bedside")
    bedside.save_and_sign()
    sign = bedside.sign_dialog
    sign.password.setText("x" * len(SIGNING_PASSWORD))  # the dots only: the shot shows no password
    grab(app, sign, "signature")
    sign.password.setText(SIGNING_PASSWORD)
    sign.sign()
    # The demo records no signature: sign the patient's last go/hold, for the worksheet's signature block.
    for decision in store.fractions.of(study_id)[-1:]:
        store.signatures.sign("fraction_decisions", decision.id, None, "physician", SIGNING_PASSWORD)

    fraction = window.decide_fraction(study_id)
    if fraction is not None:
        grab(app, fraction, "fraction")
        fraction.done(0)

    window.show_patient(study_id)
    details = window.show_details(study_id)
    born = details.birth_year.value()
    details.birth_year.set_value(born + 1)
    details.reason.setText("birth year as on the identity card")
    grab(app, details, "details")
    details.accept()
    history = window.show_history(study_id)
    history.resize(1200, 400)
    history.filter.setText("birth year")
    grab(app, history, "history")
    history.done(0)

    window.session.store.accounts.sign_in("admin", DEMO_PASSWORD)  # an account that may read the audit trail
    audit = AuditDialog(window.session)
    audit.resize(1366, 600)
    audit.patient.setText(study_id)
    audit.show_entries()
    audit.show()
    audit.table.scrollToBottom()  # the correction just made
    settle(app)
    audit.grab().save(str(SHOTS / "audit-view.png"))
    audit.done(0)
    app.quit()


if __name__ == "__main__":
    main(*sys.argv[1:3])
