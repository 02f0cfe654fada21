"""Issue 12, item 3: outputs never overwrite inputs.

`report --predictions`, `flags --export`, `map --out` and `export OUT_DIR` refuse to write over
the project, its -wal/-shm, or any other SQLite file; `demo-data DIR` refuses a folder that is
not empty and not an earlier demo; `demo --out X.db` never deletes a project with flags (nor
one open elsewhere)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.audit.flags import add_flag
from auditor.cli import main
from auditor.demo.generator import DEMO_FILES, write_demo
from auditor.store import open_project


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert "internal error" not in err[0]
    return err[0]


def _events(project: Path) -> int:
    conn = open_project(project, create=False, readonly=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM flag_events").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def flagged(fresh_demo_project) -> Path:
    conn = open_project(fresh_demo_project, create=False)
    place = conn.execute("SELECT place_id FROM places ORDER BY place_id LIMIT 1").fetchone()[0]
    add_flag(conn, "ana", "place", place, "model_wrong", note="keep me")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return fresh_demo_project


@pytest.mark.parametrize("argv", [
    ["report", "{p}", "--predictions", "{target}"],
    ["flags", "{p}", "--export", "{target}"],
    ["map", "{p}", "--vehicle", "V00001", "--out", "{target}"],
])
@pytest.mark.parametrize("target", ["project", "wal", "shm", "other_db"])
def test_outputs_never_overwrite_the_project_or_a_sqlite_file(flagged, tmp_path, capsys, argv,
                                                              target):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    # a -wal/-shm beside the project, as while the app has it open
    Path(f"{flagged}-wal").write_bytes(b"")
    Path(f"{flagged}-shm").write_bytes(b"")
    path = {"project": flagged, "wal": Path(f"{flagged}-wal"), "shm": Path(f"{flagged}-shm"),
            "other_db": other}[target]
    before = {p: digest(p) for p in (flagged, other, Path(f"{flagged}-wal"),
                                       Path(f"{flagged}-shm"))}
    assert main([a.format(p=flagged, target=path) for a in argv]) == 1
    line = one_error_line(capsys)
    assert "refusing to write" in line
    assert {p: digest(p) for p in before} == before
    assert _events(flagged) == 1


def test_outputs_may_replace_their_own_earlier_file(flagged, tmp_path, capsys):
    out = tmp_path / "preds.csv"
    out.write_text("an earlier run\n")
    assert main(["report", str(flagged), "--predictions", str(out)]) == 0
    assert out.read_text().startswith("vehicle_id,place_id,")


def test_export_never_writes_over_a_sqlite_file_in_an_export_folder(flagged, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["export", str(flagged), str(out)]) == 0
    capsys.readouterr()
    # someone parks a database under the name the export writes
    (out / "training_set.csv").unlink()
    conn = sqlite3.connect(out / "training_set.csv")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(out / "training_set.csv")
    assert main(["export", str(flagged), str(out)]) == 1
    assert "SQLite" in one_error_line(capsys)
    assert digest(out / "training_set.csv") == before
    assert main(["export", str(flagged), str(flagged)]) == 1   # the project as OUT_DIR
    one_error_line(capsys)
    assert _events(flagged) == 1


def test_demo_data_refuses_someone_elses_folder(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "pings.csv").write_text("vehicle_id,timestamp,lat,lon\nmy,1,2,3\n")
    (mine / "notes.txt").write_text("mine")
    before = {p.name: digest(p) for p in mine.iterdir()}
    assert main(["demo-data", str(mine), "--vehicles", "2", "--days", "1"]) == 1
    assert "not an earlier demo" in one_error_line(capsys)
    assert {p.name: digest(p) for p in mine.iterdir()} == before
    # the four file names alone do not make a demo: truth.json must be a demo's truth
    fake = tmp_path / "fake"
    fake.mkdir()
    for name in DEMO_FILES:
        (fake / name).write_text("{}" if name.endswith(".json") else "x\n")
    before = {p.name: digest(p) for p in fake.iterdir()}
    assert main(["demo-data", str(fake), "--vehicles", "2", "--days", "1"]) == 1
    one_error_line(capsys)
    assert {p.name: digest(p) for p in fake.iterdir()} == before


def test_demo_data_reuses_an_empty_folder_and_an_earlier_demo(tmp_path, capsys):
    out = tmp_path / "demo"
    out.mkdir()
    write_demo(out, vehicles=2, days=1, seed=1)
    first = json.loads((out / "truth.json").read_text())["summary"]
    assert main(["demo-data", str(out), "--vehicles", "3", "--days", "1", "--seed", "2"]) == 0
    assert json.loads((out / "truth.json").read_text())["summary"]["vehicles"] == 3 != \
        first["vehicles"]
    assert sorted(p.name for p in out.iterdir()) == sorted(DEMO_FILES)  # no temp files left


def _demo(out: Path, vehicles: int, capsys) -> int:
    rc = main(["demo", "--out", str(out), "--vehicles", str(vehicles), "--days", "2",
               "--seed", "1", "--no-gui"])
    capsys.readouterr()
    return rc


def test_demo_never_deletes_a_project_with_flags_or_one_open_elsewhere(tmp_path, capsys):
    project = tmp_path / "X.db"
    assert _demo(project, 3, capsys) == 0
    # with other parameters and no flags, nobody has it open: rebuilt
    assert _demo(project, 4, capsys) == 0
    assert json.loads((tmp_path / "X-data" / "truth.json").read_text())["summary"]["vehicles"] == 4
    # another process has it open (as the GUI would): refused, untouched
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
         "c.execute('SELECT COUNT(*) FROM pings').fetchone(); print('open', flush=True); "
         "sys.stdin.readline()", str(project)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        before = digest(project)
        rc = main(["demo", "--out", str(project), "--vehicles", "5", "--days", "2", "--seed",
                   "1", "--no-gui"])
        assert rc == 1
        assert "open in another auditor window or process" in one_error_line(capsys)
        assert digest(project) == before
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    # an analyst's flag: refused, whatever the parameters, and the flag is still there
    conn = open_project(project, create=False)
    place = conn.execute("SELECT place_id FROM places LIMIT 1").fetchone()[0]
    add_flag(conn, "ana", "place", place, "model_wrong")
    conn.close()
    rc = main(["demo", "--out", str(project), "--vehicles", "5", "--days", "2", "--seed", "1",
               "--no-gui"])
    assert rc == 1
    assert "flag event" in one_error_line(capsys)
    assert _events(project) == 1
    # the same parameters only ever reuse it
    assert _demo(project, 4, capsys) == 0
    assert _events(project) == 1


def test_the_project_is_never_read_as_an_input(flagged, capsys):
    """Reading the project file with open() (as a CSV) would drop this process's SQLite locks;
    it is refused before anything is read."""
    before = digest(flagged)
    assert main(["flags", str(flagged), "--import", str(flagged)]) == 1
    assert "is the project" in one_error_line(capsys)
    assert main(["ingest", str(flagged), str(flagged)]) == 1
    assert "is the project" in one_error_line(capsys)
    assert digest(flagged) == before and _events(flagged) == 1
