"""Python's cyclic garbage is collected on the GUI thread only.

A collection runs on whichever thread allocates when a threshold is crossed. A worker thread
(a report, an import) could so free a cycle holding a Qt object made on the GUI thread — a
closed view's widget — and Qt crashed (seen: a segfault in a worker computing the report,
"Garbage-collecting" on its stack). While the app runs, automatic collection is off and a
timer on the GUI thread collects instead, by the same generation thresholds. Reference
counting frees everything else at once, as always."""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Install once per QApplication (``install``); it lives as the application's child."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(INTERVAL_MS)

    def collect(self) -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] <= thresholds[0]:
            return
        generation = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0
        gc.collect(generation)


def install(app: QObject) -> GuiThreadCollector:
    """Automatic collection off; the app's collector (made once) collects on its thread."""
    gc.disable()
    found = app.findChild(GuiThreadCollector)
    return found if found is not None else GuiThreadCollector(app)
