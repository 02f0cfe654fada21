"""What a first import into an empty pings table remembers between chunks, instead of asking
an index it has not built yet.

Each chunk inserts its accepted pings sorted by (vehicle, ts), so one vehicle's pings of one
chunk are a run of consecutive ping_ids in time order. We keep one small row per run (vehicle,
first/last ping_id, first/last time), each vehicle's span of times and its two latest
accepted pings:
- duplicates: a new ping can repeat an accepted one only if its time lies inside the span its
  vehicle already covers. Those few suspects are checked exactly against the stored rows of
  the runs that overlap them, read by ping_id range (the primary key: no index needed);
- jumps: a new chunk is judged by the accepted pings inside each vehicle's span in it and
  the two just before and just after (``context``), as a later import is through the index,
  read by ping_id range too: for a file in vehicle or time order, the latest two so far.
Memory is one row per (chunk, vehicle), not per ping, and adding a chunk costs no more than
the chunk."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from auditor.store.bulk import insert_frame

_RUN_COLUMNS = ["vehicle_id", "lo", "hi", "first_id", "last_id"]


def _pick(cands: pd.DataFrame, last: bool) -> list:
    """Per vehicle, the ping_ids of the two latest (``last``) or earliest candidates, ties
    broken by ping_id the same way."""
    if not len(cands):
        return []
    order = cands.sort_values(["vehicle_id", "ts", "ping_id"], ascending=True, kind="stable")
    chosen = order.groupby("vehicle_id", sort=False).tail(2) if last else \
        order.groupby("vehicle_id", sort=False).head(2)
    return [int(i) for i in chosen["ping_id"]]


def _empty_ends() -> pd.DataFrame:
    return pd.DataFrame({"vehicle_id": pd.Series([], dtype=object),
                         "ts": pd.Series([], dtype=np.int64),
                         "lat": pd.Series([], dtype=np.float64),
                         "lon": pd.Series([], dtype=np.float64)})


class ImportMemory:
    def __init__(self):
        self.parts: list[pd.DataFrame] = []   # runs of each chunk
        # per vehicle: [lo, hi] of its accepted times, and its two latest accepted pings as
        # (ts, ping_id, lat, lon). Plain dicts updated once per vehicle and chunk: a few
        # thousand small steps, cheaper than pandas' fixed cost per call on frames this small
        self.span: dict = {}
        self.latest: dict = {}

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

    def context(self, conn: sqlite3.Connection, spans: pd.DataFrame) -> pd.DataFrame:
        """What a later import reads through the index (persist.project_context), from this
        import's runs: its accepted pings of each span's vehicle inside [lo, hi], plus the two
        just before lo and just after hi (at equal times the later, resp. earlier, ping_id).
        So a file is judged the same as a first import or after others."""
        if not self.span or not len(spans):
            return _empty_ends()
        # a vehicle whose new rows all come after its stored ones (a file in vehicle or time
        # order): its two latest pings, remembered; the runs are read only for the others
        known = [self.span.get(v) for v in spans["vehicle_id"].tolist()]
        after = np.array([k is not None and k[1] < lo
                          for k, lo in zip(known, spans["lo"].tolist())], bool)
        stored = np.array([k is not None for k in known], bool)
        frames = [pd.DataFrame([(v, t, a, o) for v in spans["vehicle_id"][after].tolist()
                                for t, _, a, o in self.latest[v]],
                               columns=["vehicle_id", "ts", "lat", "lon"])]
        spans = spans[stored & ~after]
        if not len(spans):
            return self._frame(frames)
        runs = self._runs()
        both = runs.merge(spans, on="vehicle_id", suffixes=("", "_s"))
        inside = both[(both["lo"] <= both["hi_s"]) & (both["hi"] >= both["lo_s"])]
        if len(inside):
            frames.append(self._read_ranges(conn, inside["first_id"], inside["last_id"],
                                            inside["lo_s"], inside["hi_s"]))
        ids = []
        for side, near in (("<", both["lo"] < both["lo_s"]), (">", both["hi"] > both["hi_s"])):
            runs = both[near]
            # runs wholly beyond the edge: only each vehicle's two nearest can hold the two
            # nearest pings; runs across it, all of them (few unless the file interleaves)
            wholly = runs["hi"] < runs["lo_s"] if side == "<" else runs["lo"] > runs["hi_s"]
            ordered = runs[wholly].sort_values(["vehicle_id", "hi" if side == "<" else "lo"],
                                               kind="stable")
            nearest = (ordered.groupby("vehicle_id", sort=False).tail(2) if side == "<"
                       else ordered.groupby("vehicle_id", sort=False).head(2))
            found = self._edges(conn, pd.concat([nearest, runs[~wholly]]), side)
            ids += _pick(found, last=side == "<")
        if ids:
            frames.append(self._read_ids(conn, ids))
        return self._frame(frames)

    @staticmethod
    def _frame(frames: list) -> pd.DataFrame:
        frames = [f for f in frames if len(f)]
        if not frames:
            return _empty_ends()
        out = pd.concat(frames, ignore_index=True)
        return out.astype({"ts": np.int64, "lat": np.float64, "lon": np.float64})

    @staticmethod
    def _edges(conn: sqlite3.Connection, runs: pd.DataFrame, side: str) -> pd.DataFrame:
        """Each run's last two pings before its span's lo (side '<') or first two after its
        hi ('>'): one statement, a ping_id range walk per run."""
        if not len(runs):
            return pd.DataFrame({"vehicle_id": pd.Series([], dtype=object),
                                 "ts": pd.Series([], dtype=np.int64),
                                 "ping_id": pd.Series([], dtype=np.int64)})
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS ingest_edges "
                     "(vehicle_id TEXT, first_id INTEGER, last_id INTEGER, at INTEGER)")
        conn.execute("DELETE FROM temp.ingest_edges")
        at = runs["lo_s"] if side == "<" else runs["hi_s"]
        conn.executemany("INSERT INTO temp.ingest_edges VALUES (?, ?, ?, ?)", zip(
            runs["vehicle_id"].tolist(), runs["first_id"].astype(np.int64).tolist(),
            runs["last_id"].astype(np.int64).tolist(), at.astype(np.int64).tolist()))
        pick = ("q.ts < e.at ORDER BY q.ping_id DESC" if side == "<" else
                "q.ts > e.at ORDER BY q.ping_id")
        found = pd.read_sql_query(
            "SELECT e.vehicle_id, p.ts, p.ping_id FROM temp.ingest_edges e JOIN pings p "
            "ON p.ping_id IN (SELECT q.ping_id FROM pings q WHERE q.ping_id BETWEEN e.first_id "
            f"AND e.last_id AND {pick} LIMIT 2)", conn)
        conn.execute("DELETE FROM temp.ingest_edges")
        return found

    @staticmethod
    def _read_ranges(conn: sqlite3.Connection, first, last, lo, hi) -> pd.DataFrame:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS ingest_runs "
                     "(first_id INTEGER, last_id INTEGER, lo INTEGER, hi INTEGER)")
        conn.execute("DELETE FROM temp.ingest_runs")
        conn.executemany("INSERT INTO temp.ingest_runs VALUES (?, ?, ?, ?)",
                         zip(*(np.asarray(c, dtype=np.int64).tolist()
                               for c in (first, last, lo, hi))))
        out = pd.read_sql_query(
            "SELECT p.vehicle_id, p.ts, p.lat, p.lon FROM temp.ingest_runs r CROSS JOIN pings p "
            "ON p.ping_id BETWEEN r.first_id AND r.last_id AND p.ts BETWEEN r.lo AND r.hi", conn)
        conn.execute("DELETE FROM temp.ingest_runs")
        return out

    @staticmethod
    def _read_ids(conn: sqlite3.Connection, ids: list) -> pd.DataFrame:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS ingest_ids (ping_id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM temp.ingest_ids")
        conn.executemany("INSERT OR IGNORE INTO temp.ingest_ids VALUES (?)", ((i,) for i in ids))
        out = pd.read_sql_query("SELECT p.vehicle_id, p.ts, p.lat, p.lon FROM temp.ingest_ids i "
                                "CROSS JOIN pings p ON p.ping_id = i.ping_id", conn)
        conn.execute("DELETE FROM temp.ingest_ids")
        return out

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
        # one step per run (one run per vehicle in a chunk); its last two pings are its latest
        # two in time (the run is sorted), ties to the later ping_id as the index's order
        prev = np.maximum(ends - 1, starts)
        for v, t0, t1, i, two, tp, ap, op, a, o in zip(
                vehicle[starts].tolist(), ts[starts].tolist(), ts[ends].tolist(),
                (first_id + ends).tolist(), (ends > starts).tolist(), ts[prev].tolist(),
                lat[prev].tolist(), lon[prev].tolist(), lat[ends].tolist(), lon[ends].tolist()):
            span = self.span.get(v)
            self.span[v] = (t0, t1) if span is None else (min(span[0], t0), max(span[1], t1))
            mine = [(t1, i, a, o)] + ([(tp, i - 1, ap, op)] if two else [])
            self.latest[v] = sorted(self.latest.get(v, []) + mine)[-2:]
