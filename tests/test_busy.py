"""Issue 12, item 4: a project busy in another process.

Another process holds the write lock (a long import, another window). A write waits the
busy timeout, then gives one clear line (ProjectBusy, a UserError the GUI turns into a dialog
with Retry) — never "internal error". Long jobs retry their final write with backoff, so the
finished work is not thrown away; readers are never blocked (WAL)."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

import auditor.store.connection as connection
from auditor.audit.flags import add_flag
from auditor.cli import main
from auditor.errors import ProjectBusy, UserError
from auditor.store import open_project

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO project_settings (key, value) VALUES ('held', 'by another process')")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
print("released", flush=True)
"""


class Holder:
    """Another process with the project's write lock for ``seconds``."""

    def __init__(self, project, seconds: float):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(project), str(seconds)],
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "holding"
        self.since = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def short_timeout(monkeypatch):
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 300)


def _counts(project):
    conn = open_project(project, create=False, readonly=True)
    try:
        return (conn.execute("SELECT COUNT(*) FROM flag_events").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    finally:
        conn.close()


def test_the_busy_timeout_is_set_deliberately(tmp_path):
    conn = open_project(tmp_path / "p.db")
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == connection.BUSY_TIMEOUT_MS > 0
    conn.close()


def test_a_flag_on_a_busy_project_is_one_clear_line(fresh_demo_project, tmp_path, capsys,
                                                    short_timeout):
    theirs = tmp_path / "theirs.csv"
    theirs.write_text("event_id,analyst,created_at,target_kind,target_id,action\n"
                      "1,bob,2026-01-01T00:00:00+00:00,vehicle,V00001,bad_data\n")
    before = _counts(fresh_demo_project)
    with Holder(fresh_demo_project, 30):
        assert main(["flags", str(fresh_demo_project), "--import", str(theirs)]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"error: {fresh_demo_project}: the project is busy in another auditor "
                       "window or process — try again"]
        conn = open_project(fresh_demo_project, create=False)
        with pytest.raises(ProjectBusy, match="busy") as raised:   # the GUI's typed error
            add_flag(conn, "ana", "vehicle", "V00001", "bad_data")
        assert isinstance(raised.value, UserError)
        # reading is never blocked by a writer
        assert main(["flags", str(fresh_demo_project)]) == 0
        conn.close()
    assert _counts(fresh_demo_project) == before
    assert main(["flags", str(fresh_demo_project), "--import", str(theirs)]) == 0  # retry works


def test_infer_keeps_its_finished_work_by_retrying_the_final_write(fresh_demo_project,
                                                                   short_timeout):
    """The other process lets go 1.5 s after infer reached its final write: five busy
    timeouts later. Only the retry saves the run."""
    import threading

    from auditor.pipeline.api import infer_project
    _, runs = _counts(fresh_demo_project)
    timers = []

    with Holder(fresh_demo_project, 120) as holder:
        def progress(done, total, message):
            if message == "saving" and not timers:
                assert holder.proc.poll() is None          # still holding the lock
                timers.append(threading.Timer(1.5, holder.proc.kill))
                timers[0].start()

        summary = infer_project(fresh_demo_project, seed=0, progress=progress)
    assert timers, "infer never reported its final write"
    assert summary["run_id"] is not None
    assert _counts(fresh_demo_project)[1] == runs + 2          # baseline + model run stored


def test_infer_gives_up_cleanly_when_the_lock_is_never_released(fresh_demo_project, monkeypatch,
                                                                short_timeout):
    from auditor.pipeline import api
    monkeypatch.setattr(api, "LONG_JOB_WAIT_S", 1.0)
    before = _counts(fresh_demo_project)
    with Holder(fresh_demo_project, 60):
        started = time.monotonic()
        with pytest.raises(ProjectBusy, match="busy in another auditor window or process"):
            api.infer_project(fresh_demo_project, seed=0)
    assert time.monotonic() - started < 30                    # bounded
    assert _counts(fresh_demo_project) == before               # nothing half-written


def test_export_is_not_blocked_by_a_writer(fresh_demo_project, tmp_path, capsys, short_timeout):
    with Holder(fresh_demo_project, 60):
        assert main(["export", str(fresh_demo_project), str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "manifest.json").is_file()
