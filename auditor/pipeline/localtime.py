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
        zone_of_ping = pings["vehicle_id"].map(zones)
        # one vectorised conversion per distinct zone (a handful), never per ping
        for zone in sorted(zone_of_ping.dropna().unique()):
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
                raise UserError(
                    f"vehicle metadata: timezone {zone!r} is not an IANA zone name — "
                    "fix the 'timezone' column (e.g. Europe/Berlin) and re-import") from exc
            rows = (zone_of_ping == zone).to_numpy()
            utc = pd.to_datetime(ts[rows], unit="s", utc=True)
            offset[rows] = (utc.tz_convert(zone).tz_localize(None)
                            .to_numpy().astype("datetime64[s]").astype(np.int64) - ts[rows])
    return ts + offset
