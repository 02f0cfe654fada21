"""Issue 12 items 0 and 4 in the GUI: the real main window holds the project while a real
`auditor flags --import` process writes to it — nothing is lost on either side; and a project
another process keeps busy gives a dialog with Retry (never "this is a bug"), nothing written
until Retry succeeds."""
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from test_busy import Holder

import auditor.store.connection as connection
from auditor.audit.flags import add_flag
from auditor.audit.log_csv import export_csv
from auditor.store import open_project
from auditor.store.connection import copy_project

pytestmark = pytest.mark.slow  # a CLI process / a lock-holding process of their own


def _places(conn, n):
    return [r[0] for r in conn.execute("SELECT place_id FROM places ORDER BY place_id LIMIT ?",
                                       (n,))]


def _boxes(name):
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible() and w.objectName() == name]


def test_a_cli_import_while_the_app_holds_the_project_loses_nothing(qtbot, window,
                                                                    fresh_demo_project,
                                                                    tmp_path):
    # a colleague flagged in their own copy and exported the log
    theirs = tmp_path / "colleague.db"
    copy_project(fresh_demo_project, theirs)
    c = open_project(theirs)
    a, b, colleague_place = _places(c, 3)
    add_flag(c, "bob", "place", colleague_place, "bad_data", note="seen on site")
    export_csv(c, tmp_path / "colleague.csv")
    c.close()

    window.open_project(fresh_demo_project)  # the app holds the project (and a worker reads)
    window.select_place(a)
    assert window.keys.flag_place("model_wrong") is not None
    result = subprocess.run([sys.executable, "-m", "auditor", "flags", str(fresh_demo_project),
                             "--import", str(tmp_path / "colleague.csv")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "imported 1 of 1" in result.stdout
    window.select_place(b)
    assert window.keys.flag_place("model_wrong") is not None  # the app writes again after it
    window.close()  # the app lets go of the project

    conn = open_project(fresh_demo_project, readonly=True)
    try:
        events = conn.execute("SELECT event_id, analyst, target_id, action FROM flag_events "
                              "ORDER BY event_id").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert [(e[1], e[2], e[3]) for e in events] == [
        ("ana", a, "model_wrong"), ("bob", colleague_place, "bad_data"),
        ("ana", b, "model_wrong")]
    assert len({e[0] for e in events}) == 3


def test_a_busy_project_offers_retry_and_writes_nothing_until_then(qtbot, window,
                                                                    fresh_demo_project,
                                                                    monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 300)  # the window's connection waits less
    window.open_project(fresh_demo_project)
    place = _places(window.project.conn, 1)[0]
    window.select_place(place)
    with Holder(fresh_demo_project, 60):  # another process holds the write lock
        assert window.keys.flag_place("model_wrong") is None
        boxes = _boxes("projectBusy")
        assert len(boxes) == 1 and "busy in another auditor window or process" in boxes[0].text()
        assert not _boxes("auditorMessage")  # not "Unexpected error: this is a bug"
        assert window.project.conn.execute("SELECT COUNT(*) FROM flag_events").fetchone()[0] == 0
    # the other process let go: Retry flags the same place
    boxes[0].button(QMessageBox.StandardButton.Retry).click()
    events = window.project.conn.execute(
        "SELECT target_id, action FROM flag_events").fetchall()
    assert events == [(place, "model_wrong")]
    assert not _boxes("projectBusy")
    window.close()
