"""Reads the rest of auditor shares. All SQL is parameterised."""
from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

if TYPE_CHECKING:  # pandas is imported where used: it costs ~0.6 s of the GUI's start
    import pandas as pd

PING_COLUMNS = ["ping_id", "vehicle_id", "ts", "utc_offset_min", "lat", "lon",
                "speed_mps", "heading_deg", "trip_id"]


def _in_clause(values: Sequence) -> str:
    return ",".join("?" * len(values))


# Numeric ping columns read straight into numpy (no Python object per value): column ->
# (dtype, sentinel standing in for NULL in nullable columns, else None).
_INT_NULL = -(2**31)  # a literal -(2**63) would be read by SQLite as a REAL
_FLOAT_NULL = -1.0e308
_NUMERIC = {"ping_id": ("i8", None), "ts": ("i8", None), "utc_offset_min": ("i8", _INT_NULL),
            "lat": ("f8", None), "lon": ("f8", None), "speed_mps": ("f8", _FLOAT_NULL),
            "heading_deg": ("f8", _FLOAT_NULL), "import_id": ("i8", None)}


def read_pings(conn: sqlite3.Connection, vehicle_ids: Optional[Sequence[str]] = None,
               columns: Sequence[str] = PING_COLUMNS, *, in_file: bool = False,
               vehicle_range: Optional[tuple[str, str]] = None) -> pd.DataFrame:
    """Pings sorted by (vehicle_id, ts, ping_id); all vehicles or only ``vehicle_ids``, or
    those from ``vehicle_range[0]`` to ``vehicle_range[1]`` (inclusive: one range scan of the
    index, cheaper than a long IN list).
    ``utc_offset_min`` comes back as pandas Int64 (NULL = <NA>), nullable floats as NaN.
    From the project's Parquet pings store when it has one (only the vehicles' buckets are
    read), unless ``in_file`` (the importer, reading what it just wrote to the file)."""
    import pandas as pd  # here, not at module level: keeps it off the GUI start path
    if not in_file:
        from auditor.store import pings_dataset
        store = pings_dataset.recorded(conn)
        if store is not None:
            if vehicle_range is not None:
                ids = [r[0] for r in conn.execute(
                    "SELECT vehicle_id FROM pings_store_vehicles WHERE vehicle_id BETWEEN ? AND ?",
                    tuple(vehicle_range))]
            else:
                ids = vehicle_ids if vehicle_ids is not None else [
                    r[0] for r in conn.execute("SELECT vehicle_id FROM pings_store_vehicles")]
            return store.read_vehicles(list(ids), list(columns))
    if vehicle_range is not None:
        if vehicle_ids is not None:
            raise ValueError("give vehicle_ids or vehicle_range, not both")
        where, params = "WHERE vehicle_id BETWEEN ? AND ?", tuple(vehicle_range)
    elif vehicle_ids is None:
        where, params = "", ()
    else:
        vehicle_ids = list(vehicle_ids)
        if not vehicle_ids:
            return pd.DataFrame({c: [] for c in columns})
        where, params = f"WHERE vehicle_id IN ({_in_clause(vehicle_ids)})", tuple(vehicle_ids)
    df = _read_pings_columnar(conn, where, params, columns)
    if df is None:
        df = pd.read_sql_query(f"SELECT {','.join(columns)} FROM pings {where} "
                               "ORDER BY vehicle_id, ts, ping_id", conn, params=params)
    if "utc_offset_min" in df:
        df["utc_offset_min"] = df["utc_offset_min"].astype("Int64")
    return df


def _read_pings_columnar(conn: sqlite3.Connection, where: str, params: tuple,
                         columns: Sequence[str]) -> Optional[pd.DataFrame]:
    """The fast read for millions of pings: numeric columns via np.fromiter, vehicle ids
    repeated from per-vehicle counts (one string per vehicle, not per ping), trip ids (text)
    as one Python object per ping only where any is set. None when a column needs the general
    path (an unknown column) or the table changed between the two statements. Python stepping
    each row is the cost (about 0.25 us per value read on top of about 0.3 us per row here):
    read only the columns asked for."""
    import numpy as np
    numeric = [c for c in columns if c in _NUMERIC]
    if set(columns) - set(numeric) - {"vehicle_id", "trip_id"}:
        return None
    guarded = _read_guarded(conn, where, params, columns, numeric)
    if guarded is not None:
        return guarded
    # the checked read: per-vehicle counts, whether any trip id is set and how many stated
    # offsets there are, in one pass (neither is in the index: asking separately would be a
    # second pass over the rows)
    extra = [f"COUNT({c})" for c in ("trip_id", "utc_offset_min") if c in columns]
    if "utc_offset_min" in columns and "ts" in columns:  # may ts and offset share one value?
        extra += ["MIN(utc_offset_min)", "MAX(utc_offset_min)", "MIN(ts)", "MAX(ts)"]
    counts = conn.execute(f"SELECT vehicle_id, COUNT(*){''.join(', ' + e for e in extra)} "
                          f"FROM pings {where} GROUP BY vehicle_id ORDER BY vehicle_id",
                          params).fetchall()
    # files with trip ids: read them beside the numbers (pandas' general read of the same rows
    # took 7.3 s for 2M time-ordered pings with trip ids; this read 4.8-6.2 s)
    trip_ids = "trip_id" in columns and any(r[2] for r in counts)
    # no stated offset at all (UTC or epoch stamps, the usual case): one value less per row
    # to step through Python; the column is then all NULL
    all_null, packed = set(), False
    if "utc_offset_min" in columns:
        n_stated = [r[2 + ("trip_id" in columns)] for r in counts]
        if not any(n_stated):
            all_null.add("utc_offset_min")
        elif "ts" in columns:
            packed = _packable([r[-4:] for r, n in zip(counts, n_stated) if n],
                               [r[-2:] for r in counts])
    read = [c for c in numeric if c not in all_null] or ["ping_id"]  # the row count needs one
    select = [c if _NUMERIC[c][1] is None else f"IFNULL({c}, {_NUMERIC[c][1]!r})" for c in read]
    if packed:  # one integer for ts and the offset: a value less per row to step through
        at = read.index("ts")
        select[at] = f"ts * {_PACK} + IFNULL(utc_offset_min + {_PACK // 2}, 0)"
        del select[read.index("utc_offset_min")]
        read = [c for c in read if c != "utc_offset_min"]
    fields = [(c, _NUMERIC[c][0]) for c in read] + [("trip_id", "O")] * trip_ids
    rows = conn.execute(f"SELECT {','.join(select + ['trip_id'] * trip_ids)} FROM pings "
                        f"{where} ORDER BY vehicle_id, ts, ping_id", params)
    values = np.fromiter(rows, dtype=np.dtype(fields))
    if sum(r[1] for r in counts) != len(values):
        return None  # another writer got in between: read again the general way
    return _pings_frame(counts, values, read, packed, columns, all_null,
                        values["trip_id"] if trip_ids else None)


def _read_guarded(conn: sqlite3.Connection, where: str, params: tuple,
                  columns: Sequence[str], numeric: list[str]) -> Optional[pd.DataFrame]:
    """The usual case in one pass over the rows: counts from the index alone, ts and offset
    packed, and SQLite itself checking per row what the checked read asks the table for first
    (no trip id; ts and offset integers in the packable ranges). A row that fails makes its
    first value NULL, which np.fromiter refuses: None, and the caller reads the checked way.
    The counts pass asking the table for those checks cost ~0.05-0.15 s per 400k pings."""
    import numpy as np
    counts = conn.execute(f"SELECT vehicle_id, COUNT(*) FROM pings {where} "
                          "GROUP BY vehicle_id ORDER BY vehicle_id", params).fetchall()
    read = list(numeric) or ["ping_id"]  # the row count needs one
    select = [c if _NUMERIC[c][1] is None else f"IFNULL({c}, {_NUMERIC[c][1]!r})" for c in read]
    guard = ["trip_id IS NULL"] if "trip_id" in columns else []
    packed = "ts" in read and "utc_offset_min" in read
    if packed:
        ts_max, off_max = _TS_PACKABLE - 1, _PACK // 2 - 1
        guard.append(f"typeof(ts) = 'integer' AND ts BETWEEN {-ts_max} AND {ts_max} AND "
                     f"(utc_offset_min IS NULL OR (typeof(utc_offset_min) = 'integer' AND "
                     f"utc_offset_min BETWEEN {-off_max} AND {off_max}))")
        select[read.index("ts")] = f"ts * {_PACK} + IFNULL(utc_offset_min + {_PACK // 2}, 0)"
        del select[read.index("utc_offset_min")]
        read = [c for c in read if c != "utc_offset_min"]
    if guard:
        select[0] = f"CASE WHEN {' AND '.join(guard)} THEN {select[0]} END"
    rows = conn.execute(f"SELECT {','.join(select)} FROM pings {where} "
                        "ORDER BY vehicle_id, ts, ping_id", params)
    try:
        values = np.fromiter(rows, dtype=np.dtype([(c, _NUMERIC[c][0]) for c in read]))
    except TypeError:  # a row failed the guard
        return None
    finally:
        rows.close()
    if sum(r[1] for r in counts) != len(values):
        return None
    return _pings_frame(counts, values, read, packed, columns, set())


def _pings_frame(counts, values, read, packed, columns, all_null,
                 trip_ids=None) -> pd.DataFrame:
    """The frame of the columnar reads: ids repeated from ``counts``, the numeric ``values``
    (``packed``: ts and offset in one integer) with their NULL sentinels made missing, and
    ``trip_ids`` (None: not read, none is set)."""
    import numpy as np
    import pandas as pd
    n = len(values)
    if packed:
        both = values["ts"]
        low = both & (_PACK - 1)
        values = {c: values[c] for c in read}
        values["ts"] = both >> 16
        values["utc_offset_min"] = np.where(low == 0, _INT_NULL, low - _PACK // 2)
    out = {}
    for c in columns:
        if c == "vehicle_id":
            out[c] = repeated_ids([r[0] for r in counts], [r[1] for r in counts])
        elif c == "trip_id":
            out[c] = np.full(n, None, dtype=object) if trip_ids is None else trip_ids
        elif c in all_null:  # utc_offset_min, NULL in every row
            out[c] = pd.arrays.IntegerArray(np.full(n, _INT_NULL, dtype=np.int64),
                                            np.ones(n, dtype=bool))
        else:
            kind, null = _NUMERIC[c]
            col = values[c]
            if null is not None and kind == "f8":
                col = np.where(col == null, np.nan, col)
            elif null is not None:
                col = pd.arrays.IntegerArray(col.astype(np.int64), col == null)
            out[c] = col
    return pd.DataFrame(out)


def repeated_ids(ids: Sequence[str], counts: Sequence[int]):
    """Each id repeated its count of times, as the column pandas would make of those strings.
    Where that is pyarrow-backed (pandas 3's str), built in Arrow from one string per id:
    pandas converting a repeated Python-object column cost ~0.05 s per 400k pings, and every
    ``to_numpy(dtype=object)`` of it as much again (issue 16)."""
    import numpy as np
    import pandas as pd
    dtype = pd.Series(list(ids[:1]) or [""]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and \
            all(type(v) is str for v in ids):
        import pyarrow as pa
        codes = np.repeat(np.arange(len(ids), dtype=np.int64), counts)
        return pd.array(pa.array(list(ids), type=pa.large_string()).take(codes), dtype=dtype)
    return np.repeat(np.array(list(ids), dtype=object), counts)


_PACK = 1 << 16  # ts * _PACK + (offset + _PACK / 2), 0 for NULL: exact for these ranges
_TS_PACKABLE = 1 << 36  # seconds to the year 4000; the packed value stays below 2**53


def _packable(offset_ranges, ts_ranges) -> bool:
    """Whether every stated offset fits in 16 bits beside its ts (never 0: that is NULL) and
    every ts leaves room for them in a signed 64-bit integer."""
    lows = [lo for lo, hi, *_ in offset_ranges] + [0]
    highs = [hi for lo, hi, *_ in offset_ranges] + [0]
    ts_lo = min(lo for lo, hi in ts_ranges)
    ts_hi = max(hi for lo, hi in ts_ranges)
    ints = all(type(v) is int for v in (*lows, *highs, ts_lo, ts_hi))
    return (ints and min(lows) > -_PACK // 2 and max(highs) < _PACK // 2
            and -_TS_PACKABLE < ts_lo and ts_hi < _TS_PACKABLE)


def iter_vehicle_batches(conn: sqlite3.Connection, batch_size: int = 200) -> Iterable[list[str]]:
    """Vehicle ids with pings, in sorted batches, so fleet-size work never loads every ping."""
    ids = pinged_vehicle_ids(conn)
    for i in range(0, len(ids), batch_size):
        yield ids[i:i + batch_size]


# one index seek per vehicle (the next id after the last one), where SELECT DISTINCT steps
# through every ping's index entry: ~0.05 s per 400k pings against well under 1 ms
_NEXT_VEHICLE_SQL = """
WITH RECURSIVE v(id) AS (
    SELECT (SELECT MIN(vehicle_id) FROM pings)
    UNION ALL
    SELECT (SELECT MIN(vehicle_id) FROM pings WHERE vehicle_id > v.id) FROM v WHERE v.id IS NOT NULL
)
SELECT id FROM v WHERE id IS NOT NULL"""


def file_vehicle_ids(conn: sqlite3.Connection) -> list[str]:
    """Vehicles with pings in the project file (not the Parquet store), sorted."""
    indexed = any(conn.execute("SELECT name FROM pragma_index_info(?) WHERE seqno = 0",
                               (name,)).fetchone() == ("vehicle_id",)
                  for (name,) in conn.execute("SELECT name FROM pragma_index_list('pings')"))
    if not indexed:  # a seek per vehicle needs the index; without it one pass is cheaper
        return [r[0] for r in conn.execute("SELECT DISTINCT vehicle_id FROM pings "
                                           "ORDER BY vehicle_id")]
    return [r[0] for r in conn.execute(_NEXT_VEHICLE_SQL)]


def pinged_vehicle_ids(conn: sqlite3.Connection) -> list[str]:
    """Vehicles with pings, sorted: in the file, or in the Parquet pings store."""
    rows = [(v,) for v in file_vehicle_ids(conn)]
    if not rows and table_exists(conn, "pings_store_vehicles"):
        rows = conn.execute("SELECT vehicle_id FROM pings_store_vehicles ORDER BY vehicle_id")
    return [r[0] for r in rows]


def vehicle_ids(conn: sqlite3.Connection) -> list[str]:
    """Every vehicle known to the project (pings or metadata), sorted."""
    store = ("UNION SELECT vehicle_id FROM pings_store_vehicles "
             if table_exists(conn, "pings_store_vehicles") else "")
    rows = conn.execute(
        "SELECT vehicle_id FROM (SELECT DISTINCT vehicle_id FROM pings "
        f"UNION SELECT vehicle_id FROM vehicles {store}) ORDER BY vehicle_id")
    return [r[0] for r in rows]


def vehicle_pings(conn: sqlite3.Connection, vehicle_id: str, columns: Sequence[str],
                  time_range: Optional[tuple] = None) -> pd.DataFrame:
    """One vehicle's pings in (ts, ping_id) order, optionally within [start, end] seconds:
    the map's and timeline's read. A Parquet store is read in the vehicle's bucket only
    (partition pruning) and there only in its row groups."""
    import pandas as pd

    from auditor.store import pings_dataset
    store = pings_dataset.recorded(conn)
    if store is not None:
        frame = store.read_vehicles([vehicle_id], list(columns) + ["ts"] * ("ts" not in columns))
        if time_range is not None:
            frame = frame[(frame["ts"] >= int(time_range[0])) & (frame["ts"] <= int(time_range[1]))]
        return frame[list(columns)].reset_index(drop=True)
    where, params = "vehicle_id = ?", [vehicle_id]
    if time_range is not None:
        where += " AND ts BETWEEN ? AND ?"
        params += [int(time_range[0]), int(time_range[1])]
    return pd.read_sql_query(f"SELECT {','.join(columns)} FROM pings WHERE {where} "
                             "ORDER BY ts, ping_id", conn, params=params)


def read_vehicles(conn: sqlite3.Connection) -> pd.DataFrame:
    """Vehicle metadata as one column per metadata key (strings), indexed by nothing."""
    import pandas as pd  # here, not at module level: keeps it off the GUI start path
    rows = conn.execute("SELECT vehicle_id, meta FROM vehicles ORDER BY vehicle_id").fetchall()
    records = []
    for vid, meta in rows:
        rec = {"vehicle_id": vid}
        rec.update(json.loads(meta))
        records.append(rec)
    if not records:
        return pd.DataFrame({"vehicle_id": pd.Series([], dtype=object)})
    return pd.DataFrame.from_records(records)


def read_labels(conn: sqlite3.Connection) -> pd.DataFrame:
    import pandas as pd  # here, not at module level: keeps it off the GUI start path
    return pd.read_sql_query(
        "SELECT label_id, vehicle_id, label, lat, lon FROM labels ORDER BY label_id", conn)


def latest_run_id(conn: sqlite3.Connection, kind: str = "model") -> Optional[int]:
    row = conn.execute("SELECT MAX(run_id) FROM runs WHERE kind = ?", (kind,)).fetchone()
    return row[0] if row else None


def latest_seed(conn: sqlite3.Connection) -> int:
    """The seed of the latest model run (0 before the first): what inferring again uses
    unless told otherwise, so the train/validation split stays put between runs."""
    row = conn.execute("SELECT seed FROM runs WHERE kind = 'model' ORDER BY run_id DESC "
                       "LIMIT 1").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def latest_config(conn: sqlite3.Connection) -> dict:
    """The settings of the latest model run ({} before the first)."""
    row = conn.execute("SELECT config FROM runs WHERE kind = 'model' ORDER BY run_id DESC "
                       "LIMIT 1").fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def read_run(conn: sqlite3.Connection, run_id: int) -> dict:
    row = conn.execute(
        "SELECT run_id, kind, created_at, seed, config, versions, metrics, data_hash "
        "FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None:
        raise KeyError(run_id)
    keys = ["run_id", "kind", "created_at", "seed", "config", "versions", "metrics", "data_hash"]
    rec = dict(zip(keys, row))
    for k in ("config", "versions", "metrics"):
        rec[k] = json.loads(rec[k]) if rec[k] else {}
    return rec


def read_predictions(conn: sqlite3.Connection, run_id: Optional[int] = None) -> pd.DataFrame:
    """Predictions of a run (default: the latest model run) joined with place coordinates."""
    import pandas as pd  # here, not at module level: keeps it off the GUI start path
    if run_id is None:
        run_id = latest_run_id(conn)
    if run_id is None:
        return pd.DataFrame(columns=["run_id", "place_id", "vehicle_id", "lat", "lon", "split",
                                     "given_label", "predicted_label", "p_home", "p_work",
                                     "p_other"])
    return pd.read_sql_query(
        "SELECT p.*, pl.lat, pl.lon FROM predictions p JOIN places pl USING (place_id) "
        "WHERE p.run_id = ? ORDER BY p.vehicle_id, p.place_id", conn, params=(run_id,))


def table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                        (name,)).fetchone() is not None
