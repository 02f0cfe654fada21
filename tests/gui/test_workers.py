"""Long jobs run off the GUI thread; Cancel stops them through the progress callback."""
import threading
import time

from PySide6.QtWidgets import QMessageBox, QWidget

from auditor.errors import UserError
from auditor.gui.workers import Job


def test_cancel_stops_the_work_via_progress(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    seen = {"steps": 0, "thread": None}

    def work(progress):
        seen["thread"] = threading.current_thread()
        for i in range(10_000):
            progress(i, 10_000, f"step {i}")
            seen["steps"] = i
            time.sleep(0.001)
        return "finished"

    job = Job(parent, "Counting", work)
    with qtbot.waitSignal(job.cancelled, timeout=10_000):
        job.start()
        qtbot.waitUntil(lambda: seen["steps"] > 5, timeout=5000)
        job.cancel()
    assert seen["thread"] is not threading.main_thread()
    assert seen["steps"] < 9_999 and job.result is None


def test_user_error_becomes_a_dialog_and_result_arrives(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)

    def bad(progress):
        raise UserError("pings.csv: row 3: bad timestamp — pass --tz")

    job = Job(parent, "Importing", bad)
    with qtbot.waitSignal(job.failed, timeout=5000):
        job.start()
    boxes = [b for b in parent.findChildren(QMessageBox) if b.isVisible()]
    assert len(boxes) == 1 and "row 3" in boxes[0].text()
    boxes[0].close()

    ok = Job(parent, "Adding", lambda progress: 41 + 1)
    with qtbot.waitSignal(ok.succeeded, timeout=5000) as blocker:
        ok.start()
    assert blocker.args == [42]


def test_a_bug_says_where_the_log_is(qtbot, tmp_path):
    parent = QWidget()
    qtbot.addWidget(parent)
    job = Job(parent, "Inferring", lambda progress: 1 / 0)
    with qtbot.waitSignal(job.failed, timeout=5000):
        job.start()
    box = [b for b in parent.findChildren(QMessageBox) if b.isVisible()][0]
    from auditor.logs import log_file
    assert str(log_file()) in box.text() and "ZeroDivisionError" in box.text()
    assert "ZeroDivisionError" in log_file().read_text()
