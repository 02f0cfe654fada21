"""Offline time zone of a location: which IANA zone a point on Earth lies in.

tzfpy carries the zone polygons inside its compiled module (no data files, no network), so it
works the same in a PyInstaller bundle. Over open sea it answers the nautical zone
(``Etc/GMT-8``...), which is still a correct clock. One call per vehicle, never per ping.
"""
from __future__ import annotations

import functools
import zoneinfo
from typing import Iterable, Optional

import numpy as np


@functools.lru_cache(maxsize=None)
def _known(zone: str) -> bool:
    """The zone exists in this machine's tz database (the clock maths needs it)."""
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_at(lat: float, lon: float) -> Optional[str]:
    """IANA zone name at (lat, lon) degrees, or None (no position, or a zone unknown here)."""
    if lat is None or lon is None or not (np.isfinite(lat) and np.isfinite(lon)):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    from tzfpy import get_tz  # imported on first use: ~5 MB of polygons stay out of GUI start
    zone = get_tz(float(lon), float(lat))
    return zone if zone and _known(zone) else None


def zones_at(lats: Iterable[float], lons: Iterable[float]) -> list[Optional[str]]:
    """zone_at for each (lat, lon) pair: one lookup per vehicle's parking location."""
    return [zone_at(a, b) for a, b in zip(lats, lons)]
