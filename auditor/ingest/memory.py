"""What a first import into an empty pings table remembers between chunks, instead of asking
an index it has not built yet: a fingerprint of every accepted ping (for exact duplicates,
confirmed by primary key) and each vehicle's earliest and latest accepted ping (neighbours
for the jump rule)."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from auditor.ingest import persist

_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps)."""
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def fingerprints(vehicle_ids: np.ndarray, vcode: np.ndarray, ts, lat, lon) -> np.ndarray:
    """64-bit fingerprint of (vehicle, ts, lat, lon); ``vehicle_ids[vcode]`` names the vehicle.
    -0.0 and 0.0 are the same coordinate, as in SQL."""
    with np.errstate(over="ignore"):
        h = pd.util.hash_array(np.asarray(vehicle_ids, dtype=object))[vcode]
        for part in (np.asarray(ts, np.int64).view(np.uint64),
                     (np.asarray(lat, np.float64) + 0.0).view(np.uint64),
                     (np.asarray(lon, np.float64) + 0.0).view(np.uint64)):
            h = _mix(h ^ part)
    return h


class ImportMemory:
    def __init__(self):
        self.fps = np.zeros(0, np.uint64)
        self.ids = np.zeros(0, np.int64)
        self.ends = pd.DataFrame({"vehicle_id": pd.Series([], dtype=object),
                                  "ts": pd.Series([], dtype=np.int64),
                                  "lat": pd.Series([], dtype=np.float64),
                                  "lon": pd.Series([], dtype=np.float64)})

    def __len__(self) -> int:
        return len(self.fps)

    def seen(self, conn: sqlite3.Connection, fps: np.ndarray, vehicle, ts, lat, lon) -> np.ndarray:
        """Rows equal to a ping accepted earlier in this import (fingerprint, then exact)."""
        out = np.zeros(len(fps), bool)
        self._order = np.argsort(fps)  # add() reuses it for the accepted rows
        if not len(self.fps) or not len(fps):
            return out
        probes = fps[self._order]  # sorted probes walk the table in order: cache-friendly
        pos = np.minimum(np.searchsorted(self.fps, probes), len(self.fps) - 1)
        hit = self.fps[pos] == probes
        if not hit.any():
            return out
        maybe, ids = self._order[hit], self.ids[pos[hit]]
        stored = persist.stored_keys(conn, ids).set_index("ping_id").reindex(ids)
        same = ((stored["vehicle_id"].to_numpy(dtype=object) == vehicle[maybe])
                & (stored["ts"].to_numpy() == ts[maybe]) & (stored["lat"].to_numpy() == lat[maybe])
                & (stored["lon"].to_numpy() == lon[maybe]))
        out[maybe[same]] = True
        return out

    def neighbours(self, vehicles) -> pd.DataFrame:
        """Earliest and latest accepted ping so far of these (distinct) vehicles."""
        return self.ends[self.ends["vehicle_id"].isin(vehicles)]

    def add(self, fps: np.ndarray, kept: np.ndarray, first_id: int, vehicle, ts, lat,
            lon) -> None:
        """Remember the accepted rows ``kept`` (indexes into the rows last given to seen(),
        sorted by (vehicle, ts) and inserted in that order with ping_ids first_id, ...)."""
        if not len(kept):
            return
        rank = np.full(len(fps), -1, np.int64)
        rank[kept] = np.arange(first_id, first_id + len(kept))
        in_order = self._order[rank[self._order] >= 0]  # accepted rows, by fingerprint
        new_fps, new_ids = fps[in_order], rank[in_order]
        at = np.searchsorted(self.fps, new_fps)  # merge two sorted arrays: linear
        self.fps, self.ids = np.insert(self.fps, at, new_fps), np.insert(self.ids, at, new_ids)
        vehicle, ts, lat, lon = vehicle[kept], ts[kept], lat[kept], lon[kept]
        # rows come sorted by (vehicle, ts): each vehicle's first and last row suffice
        change = np.flatnonzero(vehicle[1:] != vehicle[:-1]) + 1
        edge = np.unique(np.r_[0, change, change - 1, len(vehicle) - 1])
        rows = pd.DataFrame({"vehicle_id": vehicle[edge], "ts": ts[edge], "lat": lat[edge],
                             "lon": lon[edge]})
        both = pd.concat([self.ends, rows], ignore_index=True)
        both = both.sort_values(["vehicle_id", "ts"], kind="stable")
        first = both.drop_duplicates("vehicle_id", keep="first")
        last = both.drop_duplicates("vehicle_id", keep="last")
        self.ends = pd.concat([first, last]).drop_duplicates().reset_index(drop=True)
