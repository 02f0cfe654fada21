"""What the timeline view draws, as plain arrays: where a vehicle was for every 10-minute bin of
every local day (home / work / other place, driving, no data). No Qt here, so it is testable
and cheap: a vehicle has a few hundred stops and trips, filled with vectorised numpy."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Optional

import numpy as np

if TYPE_CHECKING:  # pandas is imported where used: the timeline view is built at start-up
    import pandas as pd

from auditor.geo import haversine_m
from auditor.store.queries import vehicle_pings

NO_DATA, HOME, WORK, OTHER, DRIVING = 0, 1, 2, 3, 4
CATEGORY_NAMES = ["no data", "home", "work", "other place", "driving"]
# the map's label colours (auditor.maps.vehicle_map.LABEL_COLORS, checked by a test), so a place
# looks the same in both views; not imported from there to keep folium off the startup path
CATEGORY_COLOURS = ["#f4f4f4", "#0072b2", "#e69f00", "#9a9a9a", "#2b2b2b"]
_LABEL_CODE = {"home": HOME, "work": WORK, "other": OTHER}
DAY = 86_400


def day_ticks(n_days: int, first_day: int) -> list[tuple[float, str]]:
    """Day labels of the raster's rows: every day for a week or so; beyond that Mondays only
    (every fourth beyond ten weeks), so labels never overlap."""
    def label(row: int) -> str:
        day = datetime.fromtimestamp((first_day + row) * DAY, tz=timezone.utc)
        return day.strftime("%a %d %b")
    if n_days <= 8:
        return [(r + 0.5, label(r)) for r in range(n_days)]
    every = 1 if n_days <= 70 else 4  # weeks
    mondays = [r for r in range(n_days) if (first_day + r + 3) % 7 == 0]  # day 0 = Thursday
    return [(r + 0.5, label(r)) for r in mondays[::every]]


@dataclass
class VehicleTimeline:
    vehicle_id: str
    intervals: pd.DataFrame   # kind, target_id, start_ts, end_ts, local_start, local_end, code
    raster: np.ndarray        # uint8 [days, bins] of category codes
    first_day: int            # local epoch day of row 0
    bin_seconds: int

    @property
    def bins_per_day(self) -> int:
        return DAY // self.bin_seconds

    def day_ticks(self) -> list[tuple[float, str]]:
        return day_ticks(self.raster.shape[0], self.first_day)

    def target_at(self, row: int, col: int) -> Optional[tuple[str, str]]:
        """(kind, id) of the trip or stop's place covering the centre of cell (row, col)."""
        t = (self.first_day + row) * DAY + col * self.bin_seconds + self.bin_seconds // 2
        iv = self.intervals
        hit = iv[(iv["local_start"] <= t) & (iv["local_end"] > t)]
        if hit.empty:
            return None
        trips = hit[hit["kind"] == "trip"]
        row_ = (trips if not trips.empty else hit).iloc[0]
        if row_["kind"] == "trip":
            return "trip", str(row_["trip_id"])
        return ("place", str(row_["target_id"])) if row_["target_id"] else None


def _vehicle_meta(conn: sqlite3.Connection, vehicle_id: str) -> pd.DataFrame:
    """This vehicle's metadata row (not the whole fleet's: 5,000 JSON blobs per switch add up)."""
    import pandas as pd
    row = conn.execute("SELECT meta FROM vehicles WHERE vehicle_id = ?", (vehicle_id,)).fetchone()
    rec = {"vehicle_id": vehicle_id}
    if row is not None:
        rec.update(json.loads(row[0]))
    return pd.DataFrame([rec])


def _local_offsets(conn: sqlite3.Connection, vehicle_id: str, ts: np.ndarray) -> np.ndarray:
    """Seconds to add to UTC ``ts`` for the vehicle's local time, as the pipeline defines it
    (auditor.pipeline.localtime: vehicle timezone metadata, else the stated offset of the
    nearest earlier ping, else the zone inference looked up for where it parks, else UTC)."""
    import pandas as pd

    from auditor.pipeline.localtime import local_ts, with_clock_zones
    if len(ts) == 0:
        return np.zeros(0, dtype=np.int64)
    vehicles = with_clock_zones(conn, _vehicle_meta(conn, vehicle_id), [vehicle_id])
    offset = pd.array([pd.NA] * len(ts), dtype="Int64")
    zone = vehicles["timezone"].iloc[0] if "timezone" in vehicles else None
    if not (isinstance(zone, str) and zone.strip()):  # no zone: the pings' stated offsets count
        pings = vehicle_pings(conn, vehicle_id, ["ts", "utc_offset_min"])
        if not pings.empty:
            idx = np.searchsorted(pings["ts"].to_numpy(), ts, side="right") - 1
            idx = np.clip(idx, 0, len(pings) - 1)
            offset = pd.array(pings["utc_offset_min"].astype("Int64").to_numpy()[idx],
                              dtype="Int64")
    frame = pd.DataFrame({"vehicle_id": vehicle_id, "ts": ts.astype(np.int64),
                          "utc_offset_min": offset})
    local = np.asarray(local_ts(frame, vehicles), dtype=np.int64)
    return local - frame["ts"].to_numpy(dtype=np.int64)


def read_intervals(conn: sqlite3.Connection, vehicle_id: str,
                   run_id: Optional[int]) -> pd.DataFrame:
    """The vehicle's stops (with their place's predicted label) and trips, in local time."""
    import pandas as pd
    stops = pd.read_sql_query(
        "SELECT 'stop' AS kind, s.place_id AS target_id, s.stop_id, NULL AS trip_id, "
        "s.start_ts, s.end_ts, pr.predicted_label FROM stops s LEFT JOIN predictions pr "
        "ON pr.place_id = s.place_id AND pr.run_id = ? WHERE s.vehicle_id = ?",
        conn, params=(run_id, vehicle_id))
    trips = pd.read_sql_query(
        "SELECT 'trip' AS kind, trip_id AS target_id, NULL AS stop_id, trip_id, start_ts, "
        "end_ts, NULL AS predicted_label FROM trips WHERE vehicle_id = ?",
        conn, params=(vehicle_id,))
    iv = pd.concat([stops, trips], ignore_index=True)
    iv = iv.sort_values(["start_ts", "kind"], kind="stable").reset_index(drop=True)
    offsets = _local_offsets(conn, vehicle_id, iv["start_ts"].to_numpy(dtype=np.int64))
    iv["local_start"] = iv["start_ts"].to_numpy(dtype=np.int64) + offsets
    iv["local_end"] = iv["end_ts"].to_numpy(dtype=np.int64) + offsets
    code = iv["predicted_label"].map(_LABEL_CODE).fillna(OTHER).astype(np.uint8)
    code[iv["kind"] == "trip"] = DRIVING
    iv["code"] = code.to_numpy()
    return iv


def _expand(b0: np.ndarray, b1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All bin indices [b0, b1) of every interval, and which interval each belongs to."""
    lengths = np.maximum(b1 - b0, 0)
    owner = np.repeat(np.arange(len(b0)), lengths)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.repeat(b0, lengths) + (np.arange(lengths.sum()) - starts), owner


def occupancy_raster(intervals: pd.DataFrame, bin_seconds: int = 600) -> tuple[np.ndarray, int]:
    """(raster [days, bins], first local day). A bin takes the category of the interval that
    covers its centre; trips are drawn over stops and keep at least one bin, so short drives
    stay visible."""
    bins_per_day = DAY // bin_seconds
    if intervals.empty:
        return np.zeros((1, bins_per_day), dtype=np.uint8), 0
    s = intervals["local_start"].to_numpy(dtype=np.int64)
    e = intervals["local_end"].to_numpy(dtype=np.int64)
    first_day = int(s.min() // DAY)
    last_day = int((e.max() - 1) // DAY)
    origin = first_day * DAY
    half = bin_seconds // 2
    b0 = -((origin + half - s) // bin_seconds)          # ceil((s - origin - half) / bin)
    b1 = -((origin + half - e) // bin_seconds)
    is_trip = (intervals["kind"] == "trip").to_numpy()
    b1 = np.where(is_trip, np.maximum(b1, b0 + 1), b1)
    n_days = last_day - first_day + 1
    flat = np.zeros(n_days * bins_per_day, dtype=np.uint8)
    codes = intervals["code"].to_numpy(dtype=np.uint8)
    for mask in (~is_trip, is_trip):  # stops first, trips on top
        idx, owner = _expand(b0[mask], b1[mask])
        keep = (idx >= 0) & (idx < flat.size)
        flat[idx[keep]] = codes[mask][owner[keep]]
    return flat.reshape(n_days, bins_per_day), first_day


def vehicle_timeline(conn: sqlite3.Connection, vehicle_id: str, run_id: Optional[int],
                     bin_seconds: int = 600) -> VehicleTimeline:
    iv = read_intervals(conn, vehicle_id, run_id)
    raster, first_day = occupancy_raster(iv, bin_seconds)
    return VehicleTimeline(vehicle_id, iv, raster, first_day, bin_seconds)


def trip_speed(conn: sqlite3.Connection, trip_id: str) -> tuple[np.ndarray, np.ndarray]:
    """(minutes since the trip started, speed km/h) for the trip's pings. Uses the recorded
    speed where present, else the speed between consecutive pings (haversine)."""
    trip = conn.execute("SELECT vehicle_id, start_ts, end_ts FROM trips WHERE trip_id = ?",
                        (trip_id,)).fetchone()
    if trip is None:
        return np.zeros(0), np.zeros(0)
    vehicle_id, start, end = trip
    p = vehicle_pings(conn, vehicle_id, ["ts", "lat", "lon", "speed_mps"],
                      (int(start), int(end)))
    if p.empty:
        return np.zeros(0), np.zeros(0)
    ts = p["ts"].to_numpy(dtype=np.float64)
    lat, lon = p["lat"].to_numpy(), p["lon"].to_numpy()
    dist = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    dt = np.diff(ts)
    derived = np.concatenate([[0.0], np.divide(dist, dt, out=np.zeros_like(dist), where=dt > 0)])
    recorded = p["speed_mps"].to_numpy(dtype=np.float64)
    speed = np.where(np.isnan(recorded), derived, recorded) * 3.6
    return (ts - ts[0]) / 60.0, speed
