"""Issue 12, item 0: writes lost while the app is open.

An app-like process holds two connections to the project (two open_project calls, as the main
window and a worker do) and flags places, while a real `auditor` CLI process lists the flags and
imports a colleague's flag CSV. POSIX locks belong to the process: if opening the second
connection (or anything else) open()/close()d the project file, the app's SQLite locks were
gone, the CLI believed it was the last user, checkpointed and deleted the WAL under the app,
and the app's later commits — and on its close the colleague's — were lost.

Every event must survive, with distinct ids, and the file must pass PRAGMA integrity_check."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from auditor.audit.flags import add_flag
from auditor.audit.log_csv import export_csv
from auditor.errors import UserError
from auditor.store import open_project, transaction

PLACES = [f"v1:{i}" for i in range(6)]


def build_project(path):
    conn = open_project(path)
    with transaction(conn):
        conn.execute("INSERT INTO imports VALUES (1,'pings','p.csv','p.csv','x',1,'',1,1,0,NULL,"
                     "'{}','csv','2026-01-01T00:00:00Z')")
        conn.execute("INSERT INTO vehicles VALUES ('v1', '{}', 1)")
        conn.executemany("INSERT INTO places VALUES (?, 'v1', ?, 13.0, 3)",
                         [(pid, 52.0 + i / 100) for i, pid in enumerate(PLACES)])
    conn.close()


# The app: two connections, flags between the terminal's commands, quits at the end.
APP = textwrap.dedent("""
    import sys
    from auditor.audit.flags import add_flag
    from auditor.store import open_project
    project, rounds = sys.argv[1], int(sys.argv[2])
    main = open_project(project)      # the main window
    worker = open_project(project)    # a worker thread's connection (opened second)
    for r in range(rounds):
        add_flag(main, "app", "place", "v1:%d" % (r % 6), "model_wrong", note="main %d" % r)
        add_flag(worker, "app", "place", "v1:%d" % ((r + 1) % 6), "bad_data",
                 note="worker %d" % r)
        print("flagged", r, flush=True)
        if sys.stdin.readline().strip() != "go":
            raise SystemExit("test driver went away")
        if r == 1:  # the app opens the project once more mid-session (e.g. a reload)
            again = open_project(project)
            again.execute("SELECT COUNT(*) FROM flag_events").fetchone()
            again.close()
    add_flag(main, "app", "place", "v1:5", "model_wrong", note="last")
    main.close()
    worker.close()
    print("closed", flush=True)
""")


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "auditor", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def _colleague_csvs(tmp_path, rounds):
    """One flag CSV per round, exported from a colleague's own copy of the project."""
    csvs = []
    for r in range(rounds):
        theirs = tmp_path / f"colleague{r}.db"
        build_project(theirs)
        c = open_project(theirs)
        add_flag(c, f"bob{r}", "place", PLACES[r % 6], "label_wrong", "work", note=f"bob {r}")
        c.close()
        csvs.append(tmp_path / f"colleague{r}.csv")
        export_csv(open_project(theirs), csvs[-1])
    return csvs


def test_no_event_is_lost_between_an_app_with_two_connections_and_a_cli_writer(tmp_path):
    rounds = 3
    project = tmp_path / "p.db"
    build_project(project)
    csvs = _colleague_csvs(tmp_path, rounds)
    app = subprocess.Popen([sys.executable, "-c", APP, str(project), str(rounds)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, cwd=tmp_path)
    try:
        for r in range(rounds):
            assert app.stdout.readline().split() == ["flagged", str(r)], app.stderr.read()
            listed = _cli("flags", project, cwd=tmp_path)       # a reader that comes and goes
            assert listed.returncode == 0, listed.stderr
            imported = _cli("flags", project, "--import", csvs[r], cwd=tmp_path)
            assert imported.returncode == 0, imported.stderr
            assert "imported 1 of 1 events" in imported.stdout
            app.stdin.write("go\n")
            app.stdin.flush()
        assert app.stdout.readline().strip() == "closed", app.stderr.read()
        assert app.wait(timeout=60) == 0, app.stderr.read()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()

    conn = open_project(project)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT event_id, analyst, note FROM flag_events "
                            "ORDER BY event_id").fetchall()
    finally:
        conn.close()
    notes = sorted(n for _, _, n in rows)
    expected = sorted([f"main {r}" for r in range(rounds)] + [f"worker {r}" for r in range(rounds)]
                      + [f"bob {r}" for r in range(rounds)] + ["last"])
    assert notes == expected                     # every event of both processes survived
    assert len({e for e, _, _ in rows}) == len(rows)  # and no two logs numbered theirs alike
    assert not os.path.exists(f"{project}-wal") or os.path.getsize(f"{project}-wal") == 0


def test_the_project_file_is_never_opened_outside_sqlite_while_connected(tmp_path):
    """The mechanism itself: while this process holds connections, opening another one (and
    the read-only open the CLI's read commands use) keeps every POSIX lock it holds on the
    file. /proc/locks lists them per process and inode."""
    if not os.path.exists("/proc/locks"):
        pytest.fail("/proc/locks is needed to see POSIX locks (Linux)")
    project = tmp_path / "p.db"
    build_project(project)

    def my_locks() -> int:
        ino = os.stat(project).st_ino
        pid = str(os.getpid())
        with open("/proc/locks") as fh:
            return sum(1 for line in fh
                       if pid in line.split() and f":{ino} " in line.replace("->", ""))

    first = open_project(project)
    first.execute("SELECT COUNT(*) FROM flag_events").fetchone()
    held = my_locks()
    assert held >= 1                        # the connection's shared lock on the database
    second = open_project(project)
    assert my_locks() == held
    reader = open_project(project, readonly=True)
    reader.close()
    assert my_locks() == held
    from auditor.outputs import check_output_file
    with pytest.raises(UserError, match="is the project"):
        check_output_file(project)          # asks SQLite whether it is a database
    assert my_locks() == held
    second.close()
    first.close()
