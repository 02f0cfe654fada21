import sqlite3

import pandas as pd
import pytest

from auditor.errors import UserError
from auditor.store import open_project, transaction
from auditor.store.bulk import insert_frame, replace_table_from_frame
from auditor.store.schema import SCHEMA_VERSION


def test_new_project_is_wal_with_schema_and_foreign_keys(tmp_path):
    conn = open_project(tmp_path / "p.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with pytest.raises(sqlite3.IntegrityError):  # ping must belong to an import
        conn.execute("INSERT INTO pings (vehicle_id, ts, lat, lon, import_id) "
                     "VALUES ('v', 0, 0, 0, 999)")


def test_reopen_does_not_migrate_twice(tmp_path):
    open_project(tmp_path / "p.db").close()
    conn = open_project(tmp_path / "p.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_non_sqlite_file_is_refused_and_untouched(tmp_path):
    p = tmp_path / "notes.db"
    p.write_bytes(b"hello, not a database")
    with pytest.raises(UserError, match="not an auditor project"):
        open_project(p)
    assert p.read_bytes() == b"hello, not a database"


def test_newer_schema_is_refused(tmp_path):
    conn = open_project(tmp_path / "p.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(UserError, match="newer auditor"):
        open_project(tmp_path / "p.db")


def test_transaction_rolls_back_on_interrupt(tmp_path):
    conn = open_project(tmp_path / "p.db")
    with pytest.raises(KeyboardInterrupt):
        with transaction(conn):
            conn.execute("INSERT INTO imports (kind, path, file_name, sha256, size_bytes, "
                         "options_key, rows_read, rows_accepted, rows_quarantined, column_map, "
                         "file_format, imported_at) VALUES ('pings','x','x','h',1,'',0,0,0,"
                         "'{}','csv','t')")
            raise KeyboardInterrupt
    assert conn.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 0


def test_flag_events_are_append_only(tmp_path):
    conn = open_project(tmp_path / "p.db")
    conn.execute("INSERT INTO flag_events (analyst, created_at, target_kind, target_id, action) "
                 "VALUES ('a', 't', 'place', 'v:1', 'bad_data')")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM flag_events")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE flag_events SET note = 'x'")


def test_insert_frame_maps_nan_to_null_and_replace_table(tmp_path):
    conn = open_project(tmp_path / "p.db")
    df = pd.DataFrame({"place_id": ["a", "b"], "x": [1.5, float("nan")], "n": [1, 2]})
    with transaction(conn):
        replace_table_from_frame(conn, "place_features", df, primary_key="place_id")
    rows = conn.execute("SELECT place_id, x, n FROM place_features ORDER BY place_id").fetchall()
    assert rows == [("a", 1.5, 1), ("b", None, 2)]
    with transaction(conn):
        assert insert_frame(conn, "place_features", df.assign(place_id=["c", "d"])) == 2
    assert conn.execute("SELECT COUNT(*) FROM place_features").fetchone()[0] == 4


def test_atomic_write_replaces_whole_file_with_usual_permissions(tmp_path):
    import os
    import stat
    from auditor.atomic import write_text_atomic
    target = tmp_path / "out.csv"
    target.write_text("old")
    old_umask = os.umask(0o022)
    try:
        write_text_atomic(target, "a,b\n1,2\n")
    finally:
        os.umask(old_umask)
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left behind
    with pytest.raises(UserError, match="does not exist"):
        write_text_atomic(tmp_path / "missing" / "x.csv", "x")
