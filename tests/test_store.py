import sqlite3

import numpy as np
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


def _pings_project(tmp_path, trip_ids):
    conn = open_project(tmp_path / "p.db")
    conn.execute("INSERT INTO imports (import_id, kind, path, file_name, sha256, size_bytes, "
                 "options_key, rows_read, rows_accepted, rows_quarantined, column_map, "
                 "file_format, imported_at) "
                 "VALUES (1, 'pings', 'p', 'p', 'x', 1, '', 5, 5, 0, '{}', 'csv', 't')")
    # rows out of order, two vehicles, NULL offsets and speeds, a ts tie broken by ping_id
    rows = [(5, "B", 300, None, 1.5, 2.5, None, 10.0, trip_ids[0]),
            (2, "A", 200, 60, 1.0, 2.0, 3.5, None, trip_ids[1]),
            (1, "A", 200, None, 1.1, 2.1, None, None, trip_ids[2]),
            (4, "B", 100, -300, -1.0, -2.0, 0.0, 359.9, trip_ids[3]),
            (3, "A", 100, 0, 0.5, 0.5, 1.0, 0.0, trip_ids[4])]
    conn.executemany("INSERT INTO pings (ping_id, vehicle_id, ts, utc_offset_min, lat, lon, "
                     "speed_mps, heading_deg, trip_id, import_id) VALUES (?,?,?,?,?,?,?,?,?,1)",
                     rows)
    conn.commit()
    return conn


@pytest.mark.parametrize("trip_ids", [[None] * 5, ["t1", None, "t2", None, None]])
def test_read_pings_columnar_read_equals_the_general_one(tmp_path, trip_ids):
    """The numpy fast path (trip ids read beside the numbers when there are any) returns
    exactly what a plain pandas read does: same order, values, NULLs and dtypes."""
    from auditor.store.queries import PING_COLUMNS, _read_pings_columnar, read_pings
    conn = _pings_project(tmp_path, trip_ids)
    # trip ids do not send the read down pandas' general path (2.5x slower at 2M pings)
    assert _read_pings_columnar(conn, "", (), PING_COLUMNS) is not None
    plain = pd.read_sql_query(f"SELECT {','.join(PING_COLUMNS)} FROM pings "
                              "ORDER BY vehicle_id, ts, ping_id", conn)
    plain["utc_offset_min"] = plain["utc_offset_min"].astype("Int64")
    got = read_pings(conn)
    pd.testing.assert_frame_equal(got, plain)
    assert got["ping_id"].tolist() == [3, 1, 2, 4, 5]
    assert got["utc_offset_min"].isna().tolist() == [False, True, False, False, True]
    only_b = read_pings(conn, ["B"], columns=["vehicle_id", "ts", "lat"])
    assert only_b.to_dict("list") == {"vehicle_id": ["B", "B"], "ts": [100, 300],
                                      "lat": [-1.0, 1.5]}
    assert read_pings(conn, []).empty


def test_read_pings_by_vehicle_range_and_without_stated_offsets(tmp_path):
    """A range of vehicles reads what their id list reads; a shard where no ping states an
    offset skips that column yet returns the same all-<NA> Int64 column as the general read."""
    from auditor.store.queries import PING_COLUMNS, read_pings
    conn = _pings_project(tmp_path, [None] * 5)
    conn.executemany("INSERT INTO pings (ping_id, vehicle_id, ts, utc_offset_min, lat, lon, "
                     "import_id) VALUES (?,?,?,NULL,?,?,1)",
                     [(7, "C", 50, 3.25, 4.5), (6, "C", 40, 3.0, 4.0), (8, "D", 10, 9.0, 9.0)])
    conn.commit()
    infer_cols = ["vehicle_id", "ts", "utc_offset_min", "lat", "lon", "trip_id"]

    def plain(where: str) -> pd.DataFrame:
        df = pd.read_sql_query(f"SELECT {','.join(infer_cols)} FROM pings WHERE {where} "
                               "ORDER BY vehicle_id, ts, ping_id", conn)
        df["utc_offset_min"] = df["utc_offset_min"].astype("Int64")
        return df
    only_c = read_pings(conn, columns=infer_cols, vehicle_range=("C", "C"))
    pd.testing.assert_frame_equal(only_c, plain("vehicle_id = 'C'"))
    assert only_c["utc_offset_min"].isna().all() and only_c["ts"].tolist() == [40, 50]
    pd.testing.assert_frame_equal(read_pings(conn, columns=infer_cols, vehicle_range=("B", "C")),
                                  read_pings(conn, ["B", "C"], columns=infer_cols))
    pd.testing.assert_frame_equal(read_pings(conn, columns=infer_cols, vehicle_range=("B", "C")),
                                  plain("vehicle_id IN ('B', 'C')"))
    assert read_pings(conn, columns=PING_COLUMNS, vehicle_range=("E", "F")).empty
    with pytest.raises(ValueError):
        read_pings(conn, ["A"], vehicle_range=("A", "B"))


def test_replace_table_from_frame_declares_types_key_and_indexes(tmp_path):
    """The derived table is rebuilt by plain DDL: column affinities from the frame's dtypes,
    the primary key enforced, the asked-for indexes made, an older table's columns gone."""
    conn = open_project(tmp_path / "p.db")
    old = pd.DataFrame({"place_id": ["z"], "gone": [1]})
    df = pd.DataFrame({"place_id": ["a", "b"], "vehicle_id": ["v1", "v2"], "x": [1.5, 2.0],
                       "n": np.array([1, 2], dtype=np.int64), "ok": [True, False]})
    with transaction(conn):
        replace_table_from_frame(conn, "place_features", old, primary_key="place_id")
        replace_table_from_frame(conn, "place_features", df, primary_key="place_id",
                                 indexes=[["vehicle_id"], ["vehicle_id", "n"]])
    info = {r[1]: (r[2], r[5]) for r in conn.execute("PRAGMA table_info(place_features)")}
    assert info == {"place_id": ("TEXT", 1), "vehicle_id": ("TEXT", 0), "x": ("REAL", 0),
                    "n": ("INTEGER", 0), "ok": ("INTEGER", 0)}
    indexed = {tuple(r[2] for r in conn.execute(f"PRAGMA index_info('{name}')"))
               for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                           "AND tbl_name = 'place_features' AND sql IS NOT NULL")}
    assert indexed == {("vehicle_id",), ("vehicle_id", "n")}
    assert conn.execute("SELECT typeof(n), typeof(x) FROM place_features LIMIT 1").fetchone() \
        == ("integer", "real")
    with pytest.raises(sqlite3.IntegrityError):
        with transaction(conn):
            insert_frame(conn, "place_features", df.head(1))


@pytest.mark.parametrize("offsets, ts", [
    ([32767, -32767, None, 0], [0, 1, 2, 3]),             # the widest offsets that pack
    ([32768, -5, None, 1], [0, 1, 2, 3]),                 # one too wide: read unpacked
    ([-32768, 5, None, 1], [0, 1, 2, 3]),
    ([60, None, -60, 0], [-(2**36) + 1, 0, 5, 2**36 - 1]),  # the widest ts that pack
    ([60, None, -60, 0], [-(2**40), 0, 5, 2**40]),        # too wide: read unpacked
])
def test_read_pings_stated_offsets_read_beside_ts_equal_the_general_read(tmp_path, offsets, ts):
    """ts and the stated offset come through sqlite3 as one integer when their ranges allow;
    at and past the edges of those ranges the read still equals a plain pandas read."""
    from auditor.store.queries import read_pings
    conn = _pings_project(tmp_path, [None] * 5)
    conn.execute("DELETE FROM pings")
    conn.executemany("INSERT INTO pings (ping_id, vehicle_id, ts, utc_offset_min, lat, lon, "
                     "import_id) VALUES (?,?,?,?,?,?,1)",
                     [(i + 1, "V", t, o, 1.0 + i, 2.0) for i, (o, t) in enumerate(zip(offsets, ts))])
    conn.commit()
    cols = ["vehicle_id", "ts", "utc_offset_min", "lat", "lon", "trip_id"]
    plain = pd.read_sql_query(f"SELECT {','.join(cols)} FROM pings ORDER BY vehicle_id, ts, "
                              "ping_id", conn)
    plain["utc_offset_min"] = plain["utc_offset_min"].astype("Int64")
    got = read_pings(conn, columns=cols)
    pd.testing.assert_frame_equal(got, plain)
    assert got["utc_offset_min"].tolist() == [pd.NA if o is None else o
                                              for _, o in sorted(zip(ts, offsets))]


def test_file_vehicle_ids_seek_the_index_and_equal_a_distinct_scan(tmp_path):
    """The vehicle list found by one index seek per vehicle equals SELECT DISTINCT, for ids
    that are prefixes of each other, differ in case, spaces or script; also with no pings and
    without the index (then it scans)."""
    from auditor.store.queries import file_vehicle_ids
    conn = _pings_project(tmp_path, [None] * 5)
    assert file_vehicle_ids(conn) == ["A", "B"]
    ids = ["a", "a ", "ab", "A", "Ä", "b", "", "veh-10", "veh-2", "x" * 300]
    conn.executemany("INSERT INTO pings (vehicle_id, ts, lat, lon, import_id) "
                     "VALUES (?, ?, 1.0, 2.0, 1)", [(v, t) for v in ids for t in (3, 1, 2)])
    conn.commit()
    distinct = [r[0] for r in conn.execute("SELECT DISTINCT vehicle_id FROM pings "
                                           "ORDER BY vehicle_id")]
    assert file_vehicle_ids(conn) == distinct and len(distinct) == len(set(ids) | {"A", "B"})
    plan = " ".join(r[-1] for r in conn.execute("EXPLAIN QUERY PLAN SELECT MIN(vehicle_id) "
                                                "FROM pings WHERE vehicle_id > 'a'"))
    assert "INDEX" in plan  # the seek the fast path relies on
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                "tbl_name = 'pings' AND sql IS NOT NULL").fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    assert file_vehicle_ids(conn) == distinct
    conn.execute("DELETE FROM pings")
    assert file_vehicle_ids(conn) == []
