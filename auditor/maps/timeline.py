"""What the timeline view draws, as plain arrays: where a vehicle was for every 10-minute bin of
every local day it has data on (home / work / other place, driving, no data). No Qt here, so it
is testable and cheap: a vehicle has a few hundred stops and trips, filled with vectorised
numpy, and the rows are the days with data — never every day between the first and the last
time (one ping dated 4000 must not ask for 720,000 rows)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Optional

import numpy as np

if TYPE_CHECKING:  # pandas is imported where used: the timeline view is built at start-up
    import pandas as pd

from auditor.classes import LABEL_COLOURS
from auditor.geo import haversine_m
from auditor.maps.clock import local_offsets
from auditor.store.queries import vehicle_pings

NO_DATA, HOME, WORK, OTHER, DRIVING = 0, 1, 2, 3, 4
CATEGORY_NAMES = ["no data", "home", "work", "other place", "driving"]
# the label colours of every view (auditor.classes), so a place looks the same on the map
CATEGORY_COLOURS = ["#f4f4f4", LABEL_COLOURS["home"], LABEL_COLOURS["work"],
                    LABEL_COLOURS["other"], "#2b2b2b"]
_LABEL_CODE = {"home": HOME, "work": WORK, "other": OTHER}
DAY = 86_400


MAX_FILLED_DAYS = 31  # an interval longer than this shows only on its first and last day


def day_label(day: int) -> str:
    """'Mon 02 Mar 2026' for a local epoch day."""
    return datetime.fromtimestamp(int(day) * DAY, tz=timezone.utc).strftime("%a %d %b %Y")


@dataclass
class VehicleTimeline:
    vehicle_id: str
    intervals: pd.DataFrame   # kind, target_id, trip_id, start_ts, end_ts, local_start/end, code
    raster: np.ndarray        # uint8 [rows, bins] of category codes
    days: np.ndarray          # int64 local epoch day of each row, ascending (days without data
    #                           have no row)
    bin_seconds: int
    clock: str = "UTC"        # the clock the rows are in, named (auditor.maps.clock)

    @property
    def bins_per_day(self) -> int:
        return DAY // self.bin_seconds

    @property
    def n_rows(self) -> int:
        return len(self.days)

    def gap_before(self, row: int) -> int:
        """Days without data skipped between row-1 and row (0: consecutive days)."""
        if row <= 0 or row >= len(self.days):
            return 0
        return int(self.days[row] - self.days[row - 1] - 1)

    def row_of(self, local_ts: int) -> Optional[int]:
        """The row showing local time ``local_ts`` (None when that day has no row)."""
        day = int(local_ts // DAY)
        i = int(np.searchsorted(self.days, day))
        return i if i < len(self.days) and self.days[i] == day else None

    def rows_of(self, kind: str, target_id: str) -> list[int]:
        """Rows where the trip (kind 'trip') or the place's stays (kind 'place') begin."""
        iv = self.intervals
        if kind == "trip":
            sel = iv[(iv["kind"] == "trip") & (iv["trip_id"] == target_id)]
        else:
            sel = iv[(iv["kind"] == "stop") & (iv["target_id"] == target_id)]
        rows = {self.row_of(int(t)) for t in sel["local_start"]}
        return sorted(r for r in rows if r is not None)

    def _hit(self, row: int, col: int):
        """The interval drawn in cell (row, col), by the raster's own rule (cell_bins): a trip
        over a stop, so a short trip's one cell is clickable even when it ends before the
        cell's centre."""
        if not (0 <= row < len(self.days) and 0 <= col < self.bins_per_day):
            return None
        k = int(self.days[row]) * self.bins_per_day + col
        iv = self.intervals
        b0, b1 = cell_bins(iv, self.bin_seconds)
        hit = iv[(b0 <= k) & (b1 > k)]
        if hit.empty:
            return None
        trips = hit[hit["kind"] == "trip"]
        return (trips if not trips.empty else hit).iloc[0]

    def target_at(self, row: int, col: int) -> Optional[tuple[str, str]]:
        """(kind, id) of the trip or stop's place covering the centre of cell (row, col)."""
        r = self._hit(row, col)
        if r is None:
            return None
        if r["kind"] == "trip":
            return "trip", str(r["trip_id"])
        return ("place", str(r["target_id"])) if r["target_id"] else None

    def interval_at(self, row: int, col: int) -> Optional[dict]:
        """The trip or stay under cell (row, col): kind, id, local start and end, category."""
        r = self._hit(row, col)
        if r is None or (r["kind"] != "trip" and not r["target_id"]):
            return None
        return {"kind": "trip" if r["kind"] == "trip" else "place",
                "id": str(r["trip_id"] if r["kind"] == "trip" else r["target_id"]),
                "local_start": int(r["local_start"]), "local_end": int(r["local_end"]),
                "code": int(r["code"])}


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
    offsets = local_offsets(conn, vehicle_id, iv["start_ts"].to_numpy(dtype=np.int64))
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


def cell_bins(intervals: pd.DataFrame, bin_seconds: int) -> tuple[np.ndarray, np.ndarray]:
    """The absolute bins [b0, b1) each interval is drawn in: a bin belongs to the interval
    covering its centre; a trip keeps at least one bin, so short drives stay visible."""
    s = intervals["local_start"].to_numpy(dtype=np.int64)
    e = np.maximum(intervals["local_end"].to_numpy(dtype=np.int64), s)
    half = bin_seconds // 2
    b0 = -((half - s) // bin_seconds)          # ceil((s - half) / bin)
    b1 = -((half - e) // bin_seconds)
    is_trip = (intervals["kind"] == "trip").to_numpy()
    return b0, np.where(is_trip, np.maximum(b1, b0 + 1), b1)


def raster_days(s: np.ndarray, e: np.ndarray, max_filled: int = MAX_FILLED_DAYS) -> np.ndarray:
    """The local days that get a row: every day an interval touches, except that an interval
    longer than ``max_filled`` days (parked for months, a clock gone wrong) adds only its first
    and last day — rows are bounded by the data present, not by the span it covers."""
    d0 = s // DAY
    d1 = np.maximum(e - 1, s) // DAY
    long_ = (d1 - d0) > max_filled
    n = np.where(long_, 0, d1 - d0 + 1)
    owner = np.repeat(np.arange(len(d0)), n)
    offs = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return np.unique(np.concatenate([d0[owner] + offs, d0[long_], d1[long_]]).astype(np.int64))


def occupancy_raster(intervals: pd.DataFrame, bin_seconds: int = 600,
                     max_filled: int = MAX_FILLED_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """(raster [rows, bins], local epoch day of each row). A bin takes the category of the
    interval that covers its centre; trips are drawn over stops and keep at least one bin, so
    short drives stay visible. Only days with data get a row (raster_days); an interval longer
    than ``max_filled`` days is drawn on its first and last day."""
    bins_per_day = DAY // bin_seconds
    if intervals.empty:
        return np.zeros((0, bins_per_day), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    s = intervals["local_start"].to_numpy(dtype=np.int64)
    e = np.maximum(intervals["local_end"].to_numpy(dtype=np.int64), s)
    days = raster_days(s, e, max_filled)
    b0, b1 = cell_bins(intervals, bin_seconds)
    is_trip = (intervals["kind"] == "trip").to_numpy()
    # a long interval becomes two pieces: the rest of its first day and the start of its last
    long_ = ((e - 1) // DAY - s // DAY) > max_filled
    first_end = (s // DAY + 1) * bins_per_day
    last_start = (np.maximum(e - 1, s) // DAY) * bins_per_day
    p0 = np.concatenate([b0, last_start[long_]])
    p1 = np.concatenate([np.where(long_, np.minimum(b1, first_end), b1), b1[long_]])
    owner = np.concatenate([np.arange(len(s)), np.flatnonzero(long_)])
    codes = intervals["code"].to_numpy(dtype=np.uint8)[owner]
    trip = is_trip[owner]
    flat = np.zeros(len(days) * bins_per_day, dtype=np.uint8)
    for mask in (~trip, trip):  # stops first, trips on top
        idx, which = _expand(p0[mask], p1[mask])
        day = idx // bins_per_day
        row = np.minimum(np.searchsorted(days, day), len(days) - 1)
        ok = days[row] == day
        flat[row[ok] * bins_per_day + idx[ok] % bins_per_day] = codes[mask][which[ok]]
    return flat.reshape(len(days), bins_per_day), days


def vehicle_timeline(conn: sqlite3.Connection, vehicle_id: str, run_id: Optional[int],
                     bin_seconds: int = 600) -> VehicleTimeline:
    from auditor.maps.clock import vehicle_clock
    iv = read_intervals(conn, vehicle_id, run_id)
    raster, days = occupancy_raster(iv, bin_seconds)
    offset = None
    if len(iv):
        offset = int((iv["local_start"] - iv["start_ts"]).mode().iloc[0])
    return VehicleTimeline(vehicle_id, iv, raster, days, bin_seconds,
                           vehicle_clock(conn, vehicle_id).label(offset))


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
