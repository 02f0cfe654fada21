"""Local wall-clock time of pings: the one place that decides which clock a feature sees.

Order of trust (docs/contracts.md): the vehicle's ``timezone`` metadata (IANA name, DST-aware),
else the offset the ping's source stated (``utc_offset_min``), else UTC.
"""
from __future__ import annotations

import zoneinfo

import numpy as np
import pandas as pd

from auditor.errors import UserError


def local_ts(pings: pd.DataFrame, vehicles: pd.DataFrame | None) -> np.ndarray:
    """Local time of each ping as int64 seconds ("UTC seconds of the local wall clock")."""
    ts = pings["ts"].to_numpy(dtype=np.int64)
    offset = np.zeros(len(pings), dtype=np.int64)
    if "utc_offset_min" in pings:
        stated = pd.to_numeric(pings["utc_offset_min"], errors="coerce").to_numpy(dtype=float)
        has = ~np.isnan(stated)
        offset[has] = (stated[has] * 60).astype(np.int64)
    if vehicles is not None and "timezone" in vehicles and len(pings):
        zones = vehicles.set_index("vehicle_id")["timezone"]
        zones = zones[zones.notna() & (zones.astype(str).str.strip() != "")].astype(str).str.strip()
        # vehicles -> zone codes once, then integer work per ping (never string compares)
        vcode, vnames = pd.factorize(pings["vehicle_id"])
        zone_names = sorted(set(zones.reindex(vnames).dropna()))
        zone_of_vehicle = pd.Series(vnames).map(zones).map(
            {z: k for k, z in enumerate(zone_names)}).fillna(-1).to_numpy(dtype=np.int64)
        zone_of_ping = zone_of_vehicle[vcode]
        for k, zone in enumerate(zone_names):  # a handful of zones, never a loop per ping
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise UserError(
                    f"vehicle metadata: timezone {zone!r} is not an IANA zone name — "
                    "fix the 'timezone' column (e.g. Europe/Berlin) and re-import") from exc
            rows = zone_of_ping == k
            offset[rows] = zone_offsets(ts[rows], zone)
    return ts + offset


def zone_offsets(ts: np.ndarray, zone: str) -> np.ndarray:
    """UTC offset in seconds of ``zone`` at each UTC second in ``ts``."""
    utc = pd.DatetimeIndex(ts.astype("datetime64[s]"), tz="UTC")
    wall = utc.tz_convert(zone).tz_localize(None)
    return wall.to_numpy().astype("datetime64[s]").astype(np.int64) - ts
