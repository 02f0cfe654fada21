"""A vehicle's local clock, for every time an analyst reads: the timeline's rows, a trip's start
and end in the details pane, the map's trip tooltips. The clock is the pipeline's
(auditor.pipeline.localtime: vehicle timezone metadata, else the stated offsets of its pings,
else the zone where it parks, else UTC), so a time shown here is the time the features saw.
Every text names the clock ("America/Los_Angeles", "UTC+02:00 as stamped", "UTC")."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

import numpy as np

from auditor.store.queries import table_exists


@dataclass(frozen=True)
class VehicleClock:
    vehicle_id: str
    source: str              # metadata | stated_offset | location | utc
    zone: Optional[str]      # the IANA zone when one governs the clock

    def label(self, offset_s: Optional[int] = None) -> str:
        """The clock's name, e.g. 'America/Los_Angeles' or 'UTC+02:00 as stamped'."""
        if self.zone:
            return self.zone
        if self.source == "stated_offset":
            return f"{utc_offset_text(offset_s or 0)} as stamped"
        return "UTC"


def utc_offset_text(offset_s: int) -> str:
    sign = "+" if offset_s >= 0 else "-"
    m = abs(int(offset_s)) // 60
    return f"UTC{sign}{m // 60:02d}:{m % 60:02d}"


def _meta_zone(conn: sqlite3.Connection, vehicle_id: str) -> Optional[str]:
    row = conn.execute("SELECT meta FROM vehicles WHERE vehicle_id = ?", (vehicle_id,)).fetchone()
    if row is None:
        return None
    try:
        zone = json.loads(row[0]).get("timezone")
    except (ValueError, AttributeError):
        return None
    return zone.strip() if isinstance(zone, str) and zone.strip() else None


def vehicle_clock(conn: sqlite3.Connection, vehicle_id: str) -> VehicleClock:
    """Which clock the vehicle's times are read in (as the latest inference recorded it)."""
    if table_exists(conn, "vehicle_clocks"):
        row = conn.execute("SELECT source, timezone FROM vehicle_clocks WHERE vehicle_id = ?",
                           (vehicle_id,)).fetchone()
        if row is not None:
            return VehicleClock(vehicle_id, row[0], row[1] or None)
    zone = _meta_zone(conn, vehicle_id)
    return VehicleClock(vehicle_id, "metadata" if zone else "utc", zone)


def local_offsets(conn: sqlite3.Connection, vehicle_id: str, ts: np.ndarray) -> np.ndarray:
    """Seconds to add to UTC ``ts`` for the vehicle's local time, as the pipeline defines it
    (auditor.pipeline.localtime: vehicle timezone metadata, else the stated offset of the
    nearest earlier ping, else the zone inference looked up for where it parks, else UTC)."""
    import pandas as pd

    from auditor.pipeline.localtime import local_ts, with_clock_zones, zone_offsets
    ts = np.asarray(ts, dtype=np.int64)
    if len(ts) == 0:
        return np.zeros(0, dtype=np.int64)
    clock = vehicle_clock(conn, vehicle_id)
    if clock.zone and clock.source in ("metadata", "location"):
        # one zone governs every ping (the pipeline's rule): the zone's offsets, nothing more
        # to read — this runs on every vehicle switch
        return np.asarray(zone_offsets(ts, clock.zone), dtype=np.int64)
    if clock.source == "utc":
        return np.zeros(len(ts), dtype=np.int64)
    vehicles = with_clock_zones(conn, _vehicle_meta(conn, vehicle_id), [vehicle_id])
    offset = pd.array([pd.NA] * len(ts), dtype="Int64")
    zone = vehicles["timezone"].iloc[0] if "timezone" in vehicles else None
    if not (isinstance(zone, str) and zone.strip()):  # no zone: the pings' stated offsets count
        from auditor.store.queries import vehicle_pings  # the file's or the Parquet store's
        pings = vehicle_pings(conn, vehicle_id, ["ts", "utc_offset_min"])
        if not pings.empty:
            idx = np.searchsorted(pings["ts"].to_numpy(), ts, side="right") - 1
            idx = np.clip(idx, 0, len(pings) - 1)
            offset = pd.array(pings["utc_offset_min"].astype("Int64").to_numpy()[idx],
                              dtype="Int64")
    frame = pd.DataFrame({"vehicle_id": vehicle_id, "ts": ts, "utc_offset_min": offset})
    local = np.asarray(local_ts(frame, vehicles), dtype=np.int64)
    return local - frame["ts"].to_numpy(dtype=np.int64)


def _vehicle_meta(conn: sqlite3.Connection, vehicle_id: str):
    """This vehicle's metadata row (not the whole fleet's: 5,000 JSON blobs per switch add up)."""
    import pandas as pd
    row = conn.execute("SELECT meta FROM vehicles WHERE vehicle_id = ?", (vehicle_id,)).fetchone()
    rec = {"vehicle_id": vehicle_id}
    if row is not None:
        rec.update(json.loads(row[0]))
    return pd.DataFrame([rec])


def wall(local_s: int, fmt: str = "%a %d %b %Y %H:%M") -> str:
    """Local seconds ("UTC seconds of the local wall clock") as text."""
    return datetime.fromtimestamp(int(local_s), tz=timezone.utc).strftime(fmt)


def span_text(conn: sqlite3.Connection, vehicle_id: str, start_ts: int, end_ts: int) -> str:
    """'Mon 02 Mar 2026 08:15 → 08:42 (America/Los_Angeles)': a trip or stay in the vehicle's
    local time; the end's date is repeated only when it differs."""
    clock = vehicle_clock(conn, vehicle_id)
    off = local_offsets(conn, vehicle_id, np.array([start_ts, end_ts], dtype=np.int64))
    a, b = int(start_ts + off[0]), int(end_ts + off[1])
    same_day = int(a // 86_400) == int(b // 86_400)
    return (f"{wall(a)} → {wall(b, '%H:%M' if same_day else '%a %d %b %H:%M')} "
            f"({clock.label(int(off[0]))})")
