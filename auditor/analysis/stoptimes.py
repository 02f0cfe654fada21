"""Stops in local time, and vectorised questions about them: does a stay cross 02:00, overlap
the night, touch a weekday.

Local time follows docs/contracts.md: the vehicle's ``timezone`` metadata, else the offset its
pings stated most often (when not UTC), else the zone where it parks (as inference looked it
up), else UTC. Stops carry no offset of their own, hence the per-vehicle
offset from pings (one aggregate query, not a read of every ping)."""
from __future__ import annotations

import sqlite3
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from auditor.pipeline.localtime import local_ts, with_clock_zones

DAY = 86_400


def _vehicle_filter(vehicle_ids: Optional[Sequence[str]]) -> tuple[str, tuple]:
    if vehicle_ids is None:
        return "", ()
    vehicle_ids = list(vehicle_ids)
    return f" AND vehicle_id IN ({','.join('?' * len(vehicle_ids))})", tuple(vehicle_ids)


def read_stops(conn: sqlite3.Connection,
               vehicle_ids: Optional[Sequence[str]] = None) -> pd.DataFrame:
    where, params = _vehicle_filter(vehicle_ids)
    return pd.read_sql_query(
        "SELECT stop_id, vehicle_id, place_id, start_ts, end_ts, lat, lon FROM stops "
        f"WHERE 1=1{where} ORDER BY vehicle_id, start_ts, stop_id", conn, params=params)


def _ping_offsets(conn: sqlite3.Connection,
                  vehicle_ids: Optional[Sequence[str]] = None) -> pd.Series:
    """Most frequent stated UTC offset (minutes) per vehicle, for vehicles whose pings had one."""
    where, params = _vehicle_filter(vehicle_ids)
    rows = pd.read_sql_query(
        "SELECT vehicle_id, utc_offset_min, COUNT(*) AS n FROM pings "
        f"WHERE utc_offset_min IS NOT NULL{where} GROUP BY vehicle_id, utc_offset_min", conn,
        params=params)
    if rows.empty:
        return pd.Series(dtype=float)
    rows = rows.sort_values(["vehicle_id", "n", "utc_offset_min"], ascending=[True, False, True])
    return rows.drop_duplicates("vehicle_id").set_index("vehicle_id")["utc_offset_min"]


def local_seconds(ts: pd.Series, vehicle_id: pd.Series, meta: pd.DataFrame,
                  ping_offsets: pd.Series | None = None) -> np.ndarray:
    """UTC epoch seconds -> local wall-clock seconds, through the pipeline's one local_ts."""
    frame = pd.DataFrame({"vehicle_id": vehicle_id.to_numpy(),
                          "ts": ts.to_numpy(dtype="int64")})
    if ping_offsets is not None and len(ping_offsets):
        frame["utc_offset_min"] = frame["vehicle_id"].map(ping_offsets)
    return local_ts(frame, meta)


def crossings(start: np.ndarray, end: np.ndarray, at_seconds: int) -> np.ndarray:
    """How many times a local wall-clock instant (seconds after midnight) lies in (start, end]."""
    return (np.floor_divide(end - at_seconds, DAY) - np.floor_divide(start - at_seconds, DAY))


def overlaps_daily_window(start: np.ndarray, end: np.ndarray, a: int, b: int) -> np.ndarray:
    """True where (start, end) overlaps some daily window [a, b) seconds after midnight."""
    k = np.floor_divide(start - b, DAY) + 1      # first window whose end lies after the start
    return end > k * DAY + a


def touches_weekday(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """True where the stay covers any moment of a Monday-Friday (local)."""
    # 1970-01-01 was a Thursday: weekday = (days + 3) % 7 with Monday = 0
    d0 = np.floor_divide(start, DAY)
    d1 = np.floor_divide(np.maximum(end - 1, start), DAY)
    wd0 = (d0 + 3) % 7
    spans = d1 - d0
    # a stay of 2+ days always touches a weekday unless it lies within Sat-Sun
    return (wd0 < 5) | (((d1 + 3) % 7) < 5) | (spans >= 2)


def local_stops(conn: sqlite3.Connection, meta: pd.DataFrame,
                vehicle_ids: Optional[Sequence[str]] = None) -> pd.DataFrame:
    """Stops (all, or of ``vehicle_ids``) with ``start_local``/``end_local`` wall-clock seconds."""
    stops = read_stops(conn, vehicle_ids)
    meta = with_clock_zones(conn, meta, vehicle_ids)  # the zone inference looked up, if any
    # the ping scan is only needed for vehicles whose metadata names no timezone
    zoned = set()
    if "timezone" in meta.columns:
        zoned = set(meta.loc[meta["timezone"].fillna("").astype(str).str.strip() != "",
                             "vehicle_id"])
    unzoned = sorted(set(stops["vehicle_id"]) - zoned)
    offsets = _ping_offsets(conn, unzoned) if unzoned else pd.Series(dtype=float)
    stops["start_local"] = local_seconds(stops["start_ts"], stops["vehicle_id"], meta, offsets)
    stops["end_local"] = local_seconds(stops["end_ts"], stops["vehicle_id"], meta, offsets)
    return stops
