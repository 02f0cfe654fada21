"""Which unit a pings file's speed column is in, from its first rows.

The import stores m/s (``speed_mps``). A column named plain 'speed' is as often km/h (most
trackers), mph or knots (AIS); taken as m/s, a trip's speed plot showed 3.6x the real speed.
The recorded speeds are compared with the speed between consecutive fixes of the same vehicle
while it drives: their median ratio names the unit when it lies near one."""
from __future__ import annotations

import re
from typing import Optional

import numpy as np
import pandas as pd

from auditor.geo import haversine_m
from auditor.ingest.validate import OK

UNITS = {"m/s": 1.0, "km/h": 3.6, "mph": 2.236936, "knots": 1.943844}
TOLERANCE = 1.07       # within this factor of a unit's ratio: that unit (mph and knots lie 1.15 apart)
# m/s and km/h lie 1.6x or more from any other unit: a wider band, for fixes whose noise or
# 3-decimal coordinates make the speed between them read high (a French tracker's km/h came
# out 3.24x, not 3.6x, and was stored as m/s)
WIDE_TOLERANCE = {"m/s": 1.2, "km/h": 1.2}
MIN_PAIRS = 20         # fewer driving pairs in the sample: say nothing
DRIVING_MPS = 3.0      # pairs slower than this between fixes are parking and jitter
MAX_GAP_S = 60         # pairs farther apart in time are no measure of the speed at a fix


def speed_unit(frame: pd.DataFrame) -> Optional[tuple[str, float]]:
    """(unit, median ratio of recorded to measured speed) for a validated pings frame, when
    the ratio is near one of UNITS; None when the sample cannot tell (no speed column, too
    few driving pairs, or a ratio near none)."""
    if "speed_mps" not in frame or frame["speed_mps"].isna().all():
        return None
    ok = frame[frame["reason"].to_numpy() == OK]
    ok = ok.sort_values(["vehicle_id", "ts"], kind="stable")
    v = ok["vehicle_id"].to_numpy(dtype=object)
    ts = ok["ts"].to_numpy(dtype=np.int64)
    lat, lon = ok["lat"].to_numpy(dtype=float), ok["lon"].to_numpy(dtype=float)
    recorded = ok["speed_mps"].to_numpy(dtype=float)
    same = v[1:] == v[:-1]
    dt = ts[1:] - ts[:-1]
    measured = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) / np.maximum(dt, 1)
    # the speed recorded at both ends of a pair, averaged: the pair's own mean speed
    at_pair = (recorded[1:] + recorded[:-1]) / 2
    use = same & (dt > 0) & (dt <= MAX_GAP_S) & (measured >= DRIVING_MPS) & np.isfinite(at_pair)
    if use.sum() < MIN_PAIRS:
        return None
    ratio = float(np.median(at_pair[use] / measured[use]))
    for unit, factor in UNITS.items():
        band = WIDE_TOLERANCE.get(unit, TOLERANCE)
        if factor / band <= ratio <= factor * band:
            return unit, ratio
    return None


# a unit written in the column's name ('speed_kmh', 'Speed (mph)'): the unit when the speeds
# themselves cannot tell (too few driving pairs in the first rows, or a ratio near none)
# (km/sa: Turkish, saat)
_NAMED = (("km/h", r"km_?/?h|kph|kmph|км_?/?ч|公里|km_?/?sa$"), ("mph", r"mph"),
          ("knots", r"knots?|kts?$|_kn$"),
          ("m/s", r"m_?/s|mps|_ms$"))


def unit_in_name(column: str) -> Optional[str]:
    """The speed unit a column's header names, or None."""
    name = re.sub(r"[\s\-()\[\]]+", "_", str(column).strip().lower()).strip("_")
    for unit, pattern in _NAMED:
        if re.search(pattern, name):
            return unit
    return None
