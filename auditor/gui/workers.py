"""The one way auditor runs work off the GUI thread.

Work is a core function called as ``work(progress)``: it reports ``progress(done, total,
message)`` (auditor.progress) and is stopped by that callback raising Cancelled, so its
transaction rolls back. A Task runs one such call on its own thread and reports back on the GUI
thread; ``run_task`` adds the progress dialog with Cancel; ``Latest`` keeps one task per
purpose where a new request makes the running one stale (its result is dropped). Failures go
to one place, auditor.gui.dialogs.show_exception, unless the caller shows them itself.

(superqt's thread_worker was the other candidate: its workers swap the process-wide
warnings.showwarning inside warnings.catch_warnings(), which is not safe with two workers at
once — the report and an export preview do run together — and its function workers have no
progress channel for callback-style core functions.)"""
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

_DIALOG_STEPS = 1000
_EMIT_EVERY_S = 0.05
_running: set["Task"] = set()  # keeps started tasks alive until they finish


class _Thread(QThread):
    progressed = Signal(float, float, str)

    def __init__(self, work: Callable[[Progress], Any]):
        super().__init__()
        self.work = work
        self.cancel_requested = threading.Event()
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.traceback = ""
        self._last_emit = 0.0

    def progress(self, done: float, total: float, message: str = "") -> None:
        # runs on the worker thread; raising here unwinds the core function
        if self.cancel_requested.is_set():
            raise Cancelled()
        now = time.monotonic()
        if now - self._last_emit >= _EMIT_EVERY_S or (total and done >= total):
            self._last_emit = now
            self.progressed.emit(float(done), float(total), str(message))

    def run(self) -> None:
        try:
            self.result = self.work(self.progress)
        except BaseException as exc:  # handed to the GUI thread by Task._done
            self.error = exc
            self.traceback = traceback.format_exc()


class Task(QObject):
    """One call of ``work(progress)`` off the GUI thread. On the GUI thread, in order:
    ``progressed`` (throttled), then ``succeeded(result)``, ``failed(exc, traceback)`` or
    ``cancelled()``, then always ``finished()``."""
    progressed = Signal(float, float, str)
    succeeded = Signal(object)
    failed = Signal(object, str)
    cancelled = Signal()
    finished = Signal()

    def __init__(self, title: str, work: Callable[[Progress], Any]):
        super().__init__(None)
        self.title = title
        self.thread = _Thread(work)
        self.thread.progressed.connect(self.progressed)
        self.thread.finished.connect(self._done)
        self.result: Any = None
        self.error: Optional[BaseException] = None
        self.traceback = ""
        self.is_finished = False

    def start(self) -> "Task":
        _running.add(self)
        self.thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop at its next progress call; ``cancelled`` follows."""
        self.thread.cancel_requested.set()

    @property
    def cancel_requested(self) -> bool:
        return self.thread.cancel_requested.is_set()

    def wait(self, ms: int) -> bool:
        """Block until the thread ends (True) or ``ms`` pass (False)."""
        return self.thread.wait(ms)

    def _done(self) -> None:
        self.result, self.error = self.thread.result, self.thread.error
        self.traceback = self.thread.traceback
        self.is_finished = True
        _running.discard(self)
        if isinstance(self.error, Cancelled):
            self.cancelled.emit()
        elif self.error is not None:
            self.failed.emit(self.error, self.traceback)
        else:
            self.succeeded.emit(self.result)
        self.finished.emit()
        self.thread.deleteLater()


def finish_all(wait_ms: int = 30_000) -> bool:
    """Ask every running task to stop and wait for their threads (before the window or the
    process goes away: a QThread destroyed while it runs aborts the process). True when all
    ended in time."""
    for task in list(_running):
        task.cancel()
    return all(task.wait(wait_ms) for task in list(_running))


def run_task(parent: Optional[QWidget], title: str, work: Callable[[Progress], Any],
             on_success: Optional[Callable[[Any], None]] = None, *,
             on_error: Optional[Callable[[BaseException, str], None]] = None,
             dialog: bool = True) -> Task:
    """Start ``work(progress)``; with ``dialog`` a window-modal progress dialog with Cancel
    shows after 300 ms. ``on_success(result)`` runs on the GUI thread; a failure goes to
    ``on_error(exc, traceback)`` or else to the one error dialog; Cancel is silent."""
    task = Task(title, work)
    if dialog:
        _attach_dialog(task, parent)
    if on_success is not None:
        task.succeeded.connect(on_success)
    task.failed.connect(on_error or (lambda exc, tb: show_exception(parent, exc, title.lower(), tb)))
    return task.start()


def _attach_dialog(task: Task, parent: Optional[QWidget]) -> QProgressDialog:
    box = QProgressDialog(task.title, "Cancel", 0, _DIALOG_STEPS, parent)
    box.setWindowTitle(task.title)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.setMinimumDuration(300)
    box.setAutoClose(False)
    box.setAutoReset(False)
    box.setValue(0)
    task.dialog = box

    # setValue() on a modal QProgressDialog runs QCoreApplication.processEvents(): the next
    # progress report, the task's finished event (queued right behind its last report), even a
    # deleteLater() made there are handled inside it, and a dialog deleted inside its own
    # setValue() crashes the process. So the dialog is closed only once no setValue() is on
    # the stack (they nest), and progress after the end is ignored.
    state = {"depth": 0, "ended": False}

    def cancel() -> None:
        task.cancel()
        box.setLabelText("Cancelling… (nothing of the unfinished step is kept)")

    def progressed(done: float, total: float, message: str) -> None:
        if state["ended"]:
            return
        if message and not task.cancel_requested:
            box.setLabelText(f"{task.title}\n{message}")
        frac = min(1.0, done / total) if total else 0.0
        state["depth"] += 1
        try:
            box.setValue(int(frac * (_DIALOG_STEPS - 1)))
        finally:
            state["depth"] -= 1
        if state["ended"] and state["depth"] == 0:  # the task finished inside setValue()
            close()

    def finished() -> None:
        state["ended"] = True
        if state["depth"] == 0:
            close()

    def close() -> None:
        box.canceled.disconnect(cancel)
        box.close()
        box.deleteLater()

    box.canceled.connect(cancel)
    task.progressed.connect(progressed)
    task.finished.connect(finished)
    return box


class Latest(QObject):
    """One purpose, one task at a time, the latest request wins: ``submit`` cancels the task
    still running and drops whatever it delivers later. Callbacks run on the GUI thread."""

    def __init__(self, parent: Optional[QObject] = None):
        super().__init__(parent)
        self.task: Optional[Task] = None
        self.generation = 0
        self.started = 0  # tasks started (not served otherwise): for tests and diagnostics
        self._unfinished: set[Task] = set()  # incl. cancelled ones still winding down

    def submit(self, title: str, work: Callable[[Progress], Any],
               on_success: Callable[[Any], None],
               on_error: Optional[Callable[[BaseException, str], None]] = None,
               on_progress: Optional[Callable[[float, float, str], None]] = None,
               parent: Optional[QWidget] = None) -> Task:
        self.cancel()
        generation = self.generation
        current = lambda: generation == self.generation  # noqa: E731
        task = Task(title, work)
        if on_progress is not None:
            task.progressed.connect(lambda d, t, m: current() and on_progress(d, t, m))
        task.succeeded.connect(lambda result: current() and self._deliver(on_success, result))
        task.failed.connect(lambda exc, tb: current() and self._deliver(
            on_error or (lambda e, t: show_exception(parent, e, title.lower(), t)), exc, tb))
        task.finished.connect(lambda: self._unfinished.discard(task))
        self.task = task
        self._unfinished.add(task)
        self.started += 1
        return task.start()

    def _deliver(self, fn: Callable, *args: Any) -> None:
        self.task = None
        fn(*args)

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.is_finished

    def cancel(self, wait_ms: int = 0) -> None:
        """Make every running task stale and ask it to stop; with ``wait_ms`` block until
        their threads end (before the window or the process goes away)."""
        self.generation += 1
        self.task = None
        for task in list(self._unfinished):
            if not task.is_finished:
                task.cancel()
                if wait_ms:
                    task.wait(wait_ms)
