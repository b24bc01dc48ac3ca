"""The floor for start-up: a bare PySide6 window with one label, closed after its first paint.

benchmarks/bench.py times this beside ARI Desktop's own start-to-first-paint.
"""

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel


class ExitAfterFirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, QApplication.quit)
        return False


app = QApplication(sys.argv[:1])
label = QLabel("ARI Desktop")
label.resize(1280, 800)
watcher = ExitAfterFirstPaint()
label.installEventFilter(watcher)
label.show()
sys.exit(app.exec())
