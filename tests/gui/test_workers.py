"""The one way to run work off the GUI thread: progress, Cancel through the progress callback,
errors to the one dialog, and the latest request winning over a stale one."""
import threading
import time

from PySide6.QtWidgets import QMessageBox, QWidget

from auditor.errors import Cancelled, UserError
from auditor.gui.workers import Latest, Task, run_task


def _counting(seen, steps=10_000):
    def work(progress):
        seen["thread"] = threading.current_thread()
        for i in range(steps):
            progress(i, steps, f"step {i}")
            seen["steps"] = i
            time.sleep(0.001)
        return "finished"
    return work


def test_cancel_stops_the_work_via_progress(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    seen = {"steps": 0, "thread": None}
    task = run_task(parent, "Counting", _counting(seen))
    with qtbot.waitSignal(task.cancelled, timeout=10_000):
        qtbot.waitUntil(lambda: seen["steps"] > 5, timeout=5000)
        task.dialog.canceled.emit()  # what the progress dialog's Cancel button sends
    assert seen["thread"] is not threading.main_thread()
    assert seen["steps"] < 9_999 and task.result is None
    assert isinstance(task.error, Cancelled)
    assert not [b for b in parent.findChildren(QMessageBox) if b.isVisible()]  # silent


def test_progress_arrives_on_the_gui_thread_in_order(qtbot):
    got = []
    task = Task("Counting", lambda progress: [progress(i, 3, f"s{i}") or time.sleep(0.06)
                                              for i in range(4)] and "done")
    task.progressed.connect(lambda d, t, m: got.append((d, m, threading.current_thread())))
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.start()
    assert [d for d, _, _ in got] == sorted(d for d, _, _ in got) and got[-1][0] == 3
    assert {t for _, _, t in got} == {threading.main_thread()}
    assert task.result == "done"


def test_user_error_becomes_a_dialog_and_result_arrives(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)

    def bad(progress):
        raise UserError("pings.csv: row 3: bad timestamp — pass --tz")

    task = run_task(parent, "Importing", bad)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    boxes = [b for b in parent.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and "row 3" in boxes[0].text()
    boxes[0].close()

    results = []
    ok = run_task(parent, "Adding", lambda progress: 41 + 1, results.append)
    with qtbot.waitSignal(ok.finished, timeout=5000):
        pass
    assert results == [42]


def test_a_bug_says_where_the_log_is(qtbot, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    task = run_task(parent, "Inferring", lambda progress: 1 / 0)
    with qtbot.waitSignal(task.failed, timeout=5000):
        pass
    box = [b for b in parent.findChildren(QMessageBox) if b.isVisible()][0]
    from auditor.logs import log_file
    assert str(log_file()) in box.text() and "ZeroDivisionError" in box.text()
    assert "ZeroDivisionError" in log_file().read_text()


def test_latest_request_wins_and_the_stale_result_is_dropped(qtbot):
    """A slow first request that cannot be interrupted (no progress call) and a quick second
    one: only the second is delivered, although the first finishes later."""
    latest = Latest()
    delivered, errors = [], []
    release = threading.Event()

    def slow(progress):
        release.wait(5)
        return "stale"

    first = latest.submit("first", slow, delivered.append, on_error=lambda e, t: errors.append(e))
    second = latest.submit("second", lambda progress: "fresh", delivered.append,
                           on_error=lambda e, t: errors.append(e))
    with qtbot.waitSignal(second.finished, timeout=5000):
        pass
    assert delivered == ["fresh"] and first.cancel_requested
    release.set()
    with qtbot.waitSignal(first.finished, timeout=5000):
        pass
    assert first.result == "stale" and delivered == ["fresh"] and errors == []
    assert not latest.busy and latest.started == 2


def test_latest_cancel_stops_the_running_work_and_waits(qtbot):
    latest = Latest()
    seen = {"steps": 0}
    delivered = []
    task = latest.submit("count", _counting(seen), delivered.append)
    qtbot.waitUntil(lambda: seen["steps"] > 3, timeout=5000)
    latest.cancel(wait_ms=5000)  # what closing the window does
    assert not task.thread.isRunning() and seen["steps"] < 9_999
    qtbot.wait(50)
    assert delivered == [] and not latest.busy
    # a stale failure is dropped too: nothing reaches the error dialog
    boom = latest.submit("boom", lambda progress: time.sleep(0.2) or 1 / 0, delivered.append,
                         on_error=lambda e, t: delivered.append(e))
    latest.cancel()
    with qtbot.waitSignal(boom.finished, timeout=5000):
        pass
    assert delivered == []


def test_a_task_ending_inside_its_dialogs_update_closes_the_dialog_safely(qtbot):
    """A shown, window-modal progress dialog runs the event loop inside setValue(), so the
    reports queued behind one and the task's end are handled in there: the dialog must still
    be closed and deleted (after the outermost setValue() returned), with no error. (The crash
    this guards against — the dialog deleted under its own setValue() — showed in
    tests/gui/test_jobs_from_window.py; this small case did not reproduce it by itself.)"""
    from shiboken6 import isValid
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    for _ in range(4):
        go = threading.Event()

        def work(progress, go=go):
            progress(0, 4, "start")
            go.wait(10)
            for step in (1, 2, 3):  # reports queued behind each other (past the throttle)
                progress(step, 4, f"step {step}")
                time.sleep(0.06)
            progress(4, 4, "end")  # the last report is never throttled; the end follows at once
            return "ok"

        task = run_task(parent, "Ending", work)
        box = task.dialog
        qtbot.waitUntil(box.isVisible, timeout=5000)  # shown after 300 ms: setValue now loops
        go.set()
        assert task.wait(10_000)  # the GUI thread is held: the reports and the end queue up
        qtbot.waitUntil(lambda t=task, b=box: t.is_finished and not isValid(b), timeout=5000)
        assert task.result == "ok"


def test_cyclic_garbage_is_collected_on_the_gui_thread_only(qapp, qtbot):
    """A worker thread crossing the collection threshold used to collect, and could free a
    Qt object of the GUI thread there (a segfault in the report worker). Installed, the
    collector leaves automatic collection off and collects from the GUI thread's timer."""
    import gc
    import threading

    from auditor.gui.collector import install
    install(qapp)
    assert not gc.isenabled()
    collected_on = []

    def note(phase, info):
        if phase == "stop":
            collected_on.append(threading.current_thread() is threading.main_thread())
    gc.callbacks.append(note)
    try:
        class Cycle:
            def __init__(self):
                self.me = self

        def churn():
            for _ in range(20_000):
                Cycle()
        worker = threading.Thread(target=churn)
        worker.start()
        worker.join()
        assert collected_on == []  # the worker made garbage enough but collected nothing
        qtbot.waitUntil(lambda: bool(collected_on), timeout=5_000)
        assert all(collected_on)
    finally:
        gc.callbacks.remove(note)
