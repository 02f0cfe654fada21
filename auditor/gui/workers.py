"""Long work (import, inference, demo generation) off the GUI thread, with a progress dialog
whose Cancel makes the core's progress callback raise Cancelled."""
from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from auditor.errors import Cancelled
from auditor.gui.dialogs import show_exception
from auditor.progress import Progress

_STEPS = 1000
_running: set["Job"] = set()  # keeps jobs alive until they finish


class _Runner(QThread):
    progressed = Signal(float, float, str)

    def __init__(self, work: Callable[[Progress], Any]):
        super().__init__()
        self.work = work
        self.cancel_requested = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.traceback: str = ""
        self._last_emit = 0.0

    def progress(self, done: float, total: float, message: str = "") -> None:
        # runs in the worker thread; raising here unwinds the core function (its txn rolls back)
        if self.cancel_requested.is_set():
            raise Cancelled()
        now = time.monotonic()
        if now - self._last_emit >= 0.05 or (total and done >= total):
            self._last_emit = now
            self.progressed.emit(float(done), float(total), str(message))

    def run(self) -> None:
        try:
            self.result = self.work(self.progress)
        except BaseException as exc:  # reported on the GUI thread by Job._done
            self.error = exc
            self.traceback = traceback.format_exc()


class Job(QObject):
    """One long task. ``succeeded(result)`` or ``failed(exc)`` is emitted on the GUI thread;
    ``finished`` always comes last."""
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, parent: QWidget | None, title: str, work: Callable[[Progress], Any],
                 show_errors: bool = True):
        super().__init__(None)
        self.parent_widget = parent
        self.title = title
        self.show_errors = show_errors
        self.runner = _Runner(work)
        self.dialog = QProgressDialog(title, "Cancel", 0, _STEPS, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setValue(0)
        self.dialog.canceled.connect(self.cancel)
        self.runner.progressed.connect(self._on_progress)
        self.runner.finished.connect(self._done)
        self.error: Optional[BaseException] = None
        self.result: Any = None
        self.is_finished = False

    def start(self) -> "Job":
        _running.add(self)
        self.runner.start()
        return self

    def cancel(self) -> None:
        self.runner.cancel_requested.set()
        self.dialog.setLabelText("Cancelling… (nothing of the unfinished step is kept)")

    def _on_progress(self, done: float, total: float, message: str) -> None:
        frac = min(1.0, done / total) if total else 0.0
        self.dialog.setValue(int(frac * (_STEPS - 1)))
        if message and not self.runner.cancel_requested.is_set():
            self.dialog.setLabelText(f"{self.title}\n{message}")

    def _done(self) -> None:
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.dialog.deleteLater()
        self.result, self.error = self.runner.result, self.runner.error
        self.is_finished = True
        _running.discard(self)
        if isinstance(self.error, Cancelled):
            self.cancelled.emit()
        elif self.error is not None:
            if self.show_errors:
                show_exception(self.parent_widget, self.error, self.title.lower(),
                               self.runner.traceback)
            self.failed.emit(self.error)
        else:
            self.succeeded.emit(self.result)
        self.finished.emit()
        self.runner.deleteLater()


def run_job(parent: QWidget | None, title: str, work: Callable[[Progress], Any],
            on_success: Callable[[Any], None] | None = None) -> Job:
    """Start ``work(progress)`` in a thread; call ``on_success(result)`` on the GUI thread."""
    job = Job(parent, title, work)
    if on_success is not None:
        job.succeeded.connect(on_success)
    return job.start()
