"""Run heavy view work after the window's first paint, so a cold start shows the window (and the
project's table) before the map page is built and the timeline (pyqtgraph) is imported.

A QTimer.singleShot(0) is not enough: Qt paints on a later update request, so zero-delay work
still runs before the first frame."""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

PAINTED = "auditorPainted"   # dynamic property of the top-level window once it has painted
FALLBACK_MS = 3000           # should a shown window never paint, the work still gets done
WATCH_NAME = "auditorFirstPaintWatch"


class _Watch(QObject):
    """Waits for the top-level window's first update (paint) and then runs the queued work."""

    def __init__(self, window: QWidget):
        super().__init__(window)
        self.setObjectName(WATCH_NAME)
        self.window = window
        self.queue: list[Callable[[], None]] = []
        self.done = False
        window.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self._release)

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window and event.type() == QEvent.Type.Paint:
            # the paint happens while this event is handled: run the work just after it
            QTimer.singleShot(0, self._release)
        return False

    def _release(self) -> None:
        if self.done:
            return
        self.done = True
        self.window.removeEventFilter(self)
        self.window.setProperty(PAINTED, True)
        queue, self.queue = self.queue, []
        for fn in queue:
            fn()
        self.deleteLater()


def window_painted(widget: QWidget) -> bool:
    """Has the widget's window painted before (or is it not shown, so nothing to wait for)?"""
    window = widget.window()
    return bool(window.property(PAINTED)) or not window.isVisible()


def after_first_paint(widget: QWidget, fn: Callable[[], None]) -> bool:
    """Call ``fn`` now when window_painted(widget) (returns True), else just after the
    window's first paint (returns False)."""
    window = widget.window()
    if window_painted(widget):
        fn()
        return True
    watch = window.findChild(QObject, WATCH_NAME)
    if not isinstance(watch, _Watch) or watch.done:
        watch = _Watch(window)
    watch.queue.append(fn)
    return False
