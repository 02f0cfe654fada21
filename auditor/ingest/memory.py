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
        # per vehicle: [lo, hi] of its accepted times, and its earliest and latest accepted
        # ping as (ts, lat, lon). Plain dicts updated once per vehicle and chunk: a few
        # thousand small steps, cheaper than pandas' fixed cost per call on frames this small
        self.span: dict = {}
        self.first: dict = {}
        self.last: dict = {}

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
        if not self.span or not len(ts):
            return out
        none = (np.nan, np.nan)
        spans = np.array([self.span.get(v, none) for v in np.asarray(ids, dtype=object).tolist()],
                         dtype=np.float64).reshape(-1, 2)
        lo, hi = spans[vcode, 0], spans[vcode, 1]
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
        """Earliest and latest accepted ping so far of these (distinct) vehicles: the earliest
        ones, then the latest ones that are another ping (by vehicle)."""
        known = sorted(v for v in np.asarray(vehicles, dtype=object).tolist() if v in self.first)
        if not known:
            return _empty_ends()
        firsts = [self.first[v] for v in known]
        lasts = [(v, self.last[v]) for v in known if self.last[v] != self.first[v]]
        rows = firsts + [end for _, end in lasts]
        return pd.DataFrame({
            "vehicle_id": np.array(known + [v for v, _ in lasts], dtype=object),
            "ts": np.array([r[0] for r in rows], dtype=np.int64),
            "lat": np.array([r[1] for r in rows], dtype=np.float64),
            "lon": np.array([r[2] for r in rows], dtype=np.float64)})

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
        # one step per run (one run per vehicle in a chunk); at equal times the ping accepted
        # first stays the earliest and the one accepted last becomes the latest
        for v, t0, a0, o0, t1, a1, o1 in zip(
                vehicle[starts].tolist(), ts[starts].tolist(), lat[starts].tolist(),
                lon[starts].tolist(), ts[ends].tolist(), lat[ends].tolist(), lon[ends].tolist()):
            span = self.span.get(v)
            if span is None:
                self.span[v] = (t0, t1)
                self.first[v] = (t0, a0, o0)
                self.last[v] = (t1, a1, o1)
                continue
            self.span[v] = (min(span[0], t0), max(span[1], t1))
            if t0 < self.first[v][0]:
                self.first[v] = (t0, a0, o0)
            if t1 >= self.last[v][0]:
                self.last[v] = (t1, a1, o1)
