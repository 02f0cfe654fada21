"""Issue 12, item 1: a SQLite file that is not a project is never changed.

Projects carry PRAGMA application_id; the schema is created only in a new (missing or empty)
file; every other non-empty file is refused before anything — the journal mode included — is
changed, with exit 1, one `error:` line, and the file byte for byte as it was. Projects of an
earlier auditor (schema >= 1, auditor's tables, no mark) are recognised and stamped."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.errors import UserError
from auditor.store import open_project
from auditor.store.connection import (
    APPLICATION_ID,
    EARLIER_PROJECT,
    PAGE_SIZE,
    PROJECT,
    copy_project,
    inspect_project_file,
    sqlite_uri,
)
from auditor.store.schema import MIGRATIONS, SCHEMA_VERSION


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict:
    return {p.name: digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


def customers_db(path: Path, wal: bool = False) -> Path:
    """Somebody else's database: one table, rollback journal (or WAL) mode."""
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.executemany("INSERT INTO customers (name) VALUES (?)", [("ann",), ("bo",)])
    conn.commit()
    conn.close()
    return path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    assert "internal error" not in err[0]
    return err[0]


@pytest.mark.parametrize("wal", [False, True])
@pytest.mark.parametrize("argv", [
    ["flags", "{db}"],
    ["flags", "{db}", "--export", "{dir}/f.csv"],
    ["report", "{db}"],
    ["infer", "{db}"],
    ["map", "{db}", "--vehicle", "v1", "--out", "{dir}/m.html"],
    ["export", "{db}", "{dir}/out"],
    ["ingest", "{db}", "{dir}/vehicles.csv"],
])
def test_someone_elses_sqlite_file_is_refused_and_left_byte_identical(tmp_path, capsys, argv,
                                                                      wal):
    data = tmp_path / "data"
    data.mkdir()
    db = customers_db(data / "other.db", wal=wal)
    (tmp_path / "vehicles.csv").write_text("vehicle_id,fleet\nv1,a\n")
    before = folder_state(data)
    args = [a.format(db=db, dir=tmp_path) for a in argv]
    assert main(args) == 1
    line = one_error_line(capsys)
    assert "not an auditor project" in line and str(db) in line
    assert folder_state(data) == before          # no byte changed, no -wal/-shm/-journal made
    conn = sqlite3.connect(sqlite_uri(db, mode="ro"), uri=True)
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert mode == ("wal" if wal else "delete")


@pytest.mark.parametrize("content", [b"hello, not a database", b"SQLite format 3\x00" + b"\xff" * 90,
                                     json.dumps({"a": 1}).encode()])
def test_a_file_that_is_not_sqlite_is_refused_unchanged(tmp_path, capsys, content):
    p = tmp_path / "notes.db"
    p.write_bytes(content)
    assert main(["flags", str(p)]) == 1
    assert str(p) in one_error_line(capsys)
    assert p.read_bytes() == content
    assert sorted(x.name for x in tmp_path.iterdir()) == ["notes.db"]


def test_an_empty_file_is_refused_by_readers_and_becomes_a_project_on_import(tmp_path, capsys):
    p = tmp_path / "new.db"
    p.touch()
    assert main(["flags", str(p)]) == 1
    assert "empty" in one_error_line(capsys)
    assert p.read_bytes() == b""
    conn = open_project(p)  # create=True: an empty file is as good as a missing one
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_new_project_carries_the_mark_in_its_header(tmp_path):
    p = tmp_path / "p.db"
    open_project(p).close()
    header = p.read_bytes()[:100]               # no connection open: safe to read bytes now
    assert int.from_bytes(header[68:72], "big") == APPLICATION_ID
    assert inspect_project_file(p) == (PROJECT, SCHEMA_VERSION)


def _page_size(path: Path) -> int:
    conn = open_project(path, create=False, readonly=True)
    try:
        return conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()


def test_new_projects_use_large_pages_and_4k_projects_keep_theirs(tmp_path):
    """New projects are made with PAGE_SIZE pages (faster imports); a project of an earlier
    auditor (SQLite's 4 KiB) keeps its pages through imports and copies, and loses nothing."""
    new = tmp_path / "new.db"
    pings = tmp_path / "pings.csv"
    pings.write_text("vehicle_id,timestamp,lat,lon\n"
                     "v1,2026-03-02T08:00:00Z,48.1,11.5\nv1,2026-03-02T08:01:00Z,48.1,11.6\n")
    assert main(["ingest", str(new), str(pings)]) == 0
    assert _page_size(new) == PAGE_SIZE > 4096
    old = tmp_path / "old.db"
    _earlier_project(old)
    assert main(["ingest", str(old), str(pings)]) == 0
    assert _page_size(old) == 4096
    copy = tmp_path / "copy.db"
    copy_project(new, copy)  # a copy takes the source's pages, in WAL like every project
    assert _page_size(copy) == PAGE_SIZE
    for p in (old, copy):
        conn = open_project(p, create=False)
        assert conn.execute("SELECT COUNT(*) FROM pings").fetchone()[0] == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


def _earlier_project(path: Path) -> None:
    """A project as auditor wrote it before the mark: schema 1, WAL, no application_id."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO flag_events (analyst, created_at, target_kind, target_id, action) "
                 "VALUES ('ana', '2025-01-01T00:00:00Z', 'vehicle', 'v1', 'bad_data')")
    conn.close()


def test_a_project_of_an_earlier_auditor_is_recognised_stamped_and_migrated(tmp_path):
    p = tmp_path / "old.db"
    _earlier_project(p)
    assert inspect_project_file(p) == (EARLIER_PROJECT, 1)
    conn = open_project(p, create=False)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT analyst FROM flag_events").fetchall() == [("ana",)]
    conn.close()
    assert inspect_project_file(p) == (PROJECT, SCHEMA_VERSION)


@pytest.mark.parametrize("level", range(1, SCHEMA_VERSION))
def test_projects_of_every_earlier_schema_level_are_recognised_and_stamped(level, tmp_path,
                                                                           capsys):
    """Projects written at each released migration level, before the mark existed (with the
    tables of that level in use: a place flag with its anchor and target from migration 2 on,
    a project setting from 4 on),
    open through a read-only command: recognised, stamped, migrated, nothing lost."""
    p = tmp_path / f"level{level}.db"
    conn = sqlite3.connect(p, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    for script in MIGRATIONS[:level]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {level}")
    conn.execute("INSERT INTO places VALUES ('v:0', 'v', 48.0, 11.0, 1)")
    conn.execute("INSERT INTO flag_events (analyst, created_at, target_kind, target_id, action, "
                 "new_value) VALUES ('ana', '2025-01-01T00:00:00Z', 'place', 'v:0', "
                 "'label_wrong', 'work')")
    if level >= 2:
        conn.execute("INSERT INTO flag_anchors VALUES (1, 'v', 'v:0', 48.0, 11.0, NULL, NULL, 0, "
                     "'[]', 'flagged', '2025-01-01T00:00:00Z')")
        conn.execute("INSERT INTO flag_targets VALUES (1, 'v:0', 'attached', 'flagged', 0.0, "
                     "NULL)")
    if level >= 4:
        conn.execute("INSERT INTO project_settings VALUES ('basemap', 'osm')")
    conn.close()
    assert inspect_project_file(p) == (EARLIER_PROJECT, level)
    assert main(["flags", str(p), "--json"]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    assert [(f["event_id"], f["target_id"], f["status"]) for f in flags] == [(1, "v:0", "attached")]
    assert inspect_project_file(p) == (PROJECT, SCHEMA_VERSION)
    conn = open_project(p, create=False)
    assert conn.execute("SELECT source FROM flag_anchors WHERE event_id = 1").fetchone()[0] == \
        ("flagged" if level >= 2 else "backfilled")
    assert conn.execute("SELECT key, value FROM project_settings").fetchall() == \
        ([("basemap", "osm")] if level >= 4 else [])
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_file_with_a_schema_version_but_not_our_tables_is_not_taken_for_one(tmp_path, capsys):
    p = tmp_path / "x.db"
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE imports (id INTEGER)")      # one of our names, not our schema
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    before = digest(p)
    assert main(["flags", str(p)]) == 1
    one_error_line(capsys)
    assert digest(p) == before
    other = tmp_path / "y.db"                               # another application's mark
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA application_id = 1196444237")      # 'GPKG': a GeoPackage
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = digest(other)
    with pytest.raises(UserError, match="not an auditor project"):
        open_project(other)
    assert digest(other) == before


def test_a_folder_and_a_pipe_are_refused_without_hanging(tmp_path, capsys):
    assert main(["flags", str(tmp_path)]) == 1
    assert "folder" in one_error_line(capsys)
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    assert main(["report", str(fifo)]) == 1          # never opened: it would block
    assert "regular file" in one_error_line(capsys)


def test_verify_does_not_open_a_non_project_that_a_received_manifest_names(demo_project, tmp_path,
                                                                           capsys):
    out = tmp_path / "export"
    assert main(["export", str(demo_project), str(out)]) == 0
    capsys.readouterr()
    victim = customers_db(tmp_path / "victim.db")
    before = folder_state(tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["project"]["path"] = str(victim)        # a tampered or foreign manifest
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = folder_state(tmp_path)
    assert main(["verify", str(out)]) == 1
    assert "not an auditor project" in capsys.readouterr().err
    assert folder_state(tmp_path) == before
