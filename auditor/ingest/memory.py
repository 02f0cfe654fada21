"""What a first import into an empty pings table remembers between chunks, instead of asking
an index it has not built yet.

Each chunk inserts its accepted pings sorted by (vehicle, ts), so one vehicle's pings of one
chunk are a run of consecutive ping_ids in time order. We keep one small row per run (vehicle,
first/last ping_id, first/last time) and each vehicle's earliest and latest accepted ping:
- duplicates: a new ping can repeat an accepted one only if its time lies inside the span its
  vehicle already covers. Those few suspects are checked exactly against the stored rows of
  the runs that overlap them, read by ping_id range (the primary key: no index needed);
- jumps: the earliest and latest accepted pings are the neighbours a new chunk is judged by.
Memory is one row per (chunk, vehicle), not per ping, and adding a chunk costs no more than
the chunk."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from auditor.store.bulk import insert_frame

_RUN_COLUMNS = ["vehicle_id", "lo", "hi", "first_id", "last_id"]


def _empty_ends() -> pd.DataFrame:
    return pd.DataFrame({"vehicle_id": pd.Series([], dtype=object),
                         "ts": pd.Series([], dtype=np.int64),
                         "lat": pd.Series([], dtype=np.float64),
                         "lon": pd.Series([], dtype=np.float64)})


class ImportMemory:
    def __init__(self):
        self.parts: list[pd.DataFrame] = []   # runs of each chunk
        self.span = pd.DataFrame({"lo": pd.Series([], dtype=np.int64),
                                  "hi": pd.Series([], dtype=np.int64)},
                                 index=pd.Index([], dtype=object))
        self.ends = _empty_ends()

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def _runs(self) -> pd.DataFrame:
        if len(self.parts) > 1:
            self.parts = [pd.concat(self.parts, ignore_index=True)]
        return self.parts[0] if self.parts else pd.DataFrame(columns=_RUN_COLUMNS)

    def seen(self, conn: sqlite3.Connection, vehicle: np.ndarray, vcode: np.ndarray,
             ids: np.ndarray, ts: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Rows equal (vehicle, ts, lat, lon) to a ping accepted earlier in this import;
        ``ids[vcode]`` is ``vehicle`` (looked up once per distinct id, not per row)."""
        out = np.zeros(len(ts), bool)
        if not len(self.span) or not len(ts):
            return out
        span = self.span.reindex(pd.Index(np.asarray(ids, dtype=object), dtype=object))
        lo = span["lo"].to_numpy(dtype=np.float64)[vcode]
        hi = span["hi"].to_numpy(dtype=np.float64)[vcode]
        with np.errstate(invalid="ignore"):
            suspect = np.flatnonzero((ts >= lo) & (ts <= hi))
        if not len(suspect):
            return out
        mine = pd.DataFrame({"vehicle_id": vehicle[suspect], "ts": ts[suspect],
                             "lat": lat[suspect] + 0.0, "lon": lon[suspect] + 0.0,
                             "row": suspect})
        stored = self._stored_around(conn, mine)
        if not len(stored):
            return out
        hit = mine.merge(stored.drop_duplicates(), on=["vehicle_id", "ts", "lat", "lon"])
        out[hit["row"].to_numpy()] = True
        return out

    def _stored_around(self, conn: sqlite3.Connection, mine: pd.DataFrame) -> pd.DataFrame:
        """Stored pings of the runs that overlap the suspects' times, by ping_id range."""
        want = mine.groupby("vehicle_id", sort=False)["ts"].agg(["min", "max"])
        runs = self._runs().merge(want, left_on="vehicle_id", right_index=True)
        runs = runs[(runs["lo"] <= runs["max"]) & (runs["hi"] >= runs["min"])]
        if not len(runs):
            return pd.DataFrame(columns=["vehicle_id", "ts", "lat", "lon"])
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS ingest_runs "
                     "(first_id INTEGER, last_id INTEGER, lo INTEGER, hi INTEGER)")
        conn.execute("DELETE FROM temp.ingest_runs")
        insert_frame(conn, "ingest_runs", runs.assign(lo=runs["min"], hi=runs["max"]),
                     ["first_id", "last_id", "lo", "hi"])
        # CROSS JOIN pins the loop order: walk the few runs, seek pings by primary key range
        stored = pd.read_sql_query(
            "SELECT p.vehicle_id, p.ts, p.lat, p.lon FROM temp.ingest_runs r CROSS JOIN pings p "
            "ON p.ping_id BETWEEN r.first_id AND r.last_id AND p.ts BETWEEN r.lo AND r.hi", conn)
        conn.execute("DELETE FROM temp.ingest_runs")
        return stored.astype({"ts": np.int64, "lat": np.float64, "lon": np.float64}).assign(
            lat=lambda f: f["lat"] + 0.0, lon=lambda f: f["lon"] + 0.0)  # -0.0 is 0.0, as in SQL

    def neighbours(self, vehicles) -> pd.DataFrame:
        """Earliest and latest accepted ping so far of these (distinct) vehicles."""
        return self.ends[self.ends["vehicle_id"].isin(vehicles)]

    def add(self, first_id: int, vehicle: np.ndarray, ts: np.ndarray, lat: np.ndarray,
            lon: np.ndarray) -> None:
        """Remember the accepted rows, sorted by (vehicle, ts) and inserted in that order with
        ping_ids first_id, first_id + 1, ..."""
        if not len(ts):
            return
        change = np.flatnonzero(vehicle[1:] != vehicle[:-1]) + 1
        starts = np.r_[0, change]
        ends = np.r_[change, len(ts)] - 1
        runs = pd.DataFrame({"vehicle_id": vehicle[starts], "lo": ts[starts], "hi": ts[ends],
                             "first_id": first_id + starts, "last_id": first_id + ends})
        self.parts.append(runs)
        new_span = pd.DataFrame({"lo": runs["lo"].to_numpy(), "hi": runs["hi"].to_numpy()},
                                index=pd.Index(runs["vehicle_id"].to_numpy(dtype=object),
                                               dtype=object))
        both = pd.concat([self.span, new_span])
        self.span = both.groupby(level=0, sort=False).agg({"lo": "min", "hi": "max"})
        self.span.index = self.span.index.astype(object)
        edge = np.unique(np.r_[starts, ends])
        rows = pd.DataFrame({"vehicle_id": vehicle[edge], "ts": ts[edge], "lat": lat[edge],
                             "lon": lon[edge]})
        both = pd.concat([self.ends, rows], ignore_index=True)
        both = both.sort_values(["vehicle_id", "ts"], kind="stable")
        first = both.drop_duplicates("vehicle_id", keep="first")
        last = both.drop_duplicates("vehicle_id", keep="last")
        self.ends = pd.concat([first, last]).drop_duplicates().reset_index(drop=True)
