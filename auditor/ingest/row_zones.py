"""A pings file that states each row's zone in a column of its own ('Time Zone': CST, CDT, EST
... as US logbook (ELD) exports write them, in the home terminal's clock; 'UTC+03:00';
'America/Chicago') beside naive stamps: each row is read in its own zone. Without it such a
file asked for one --tz, and no one zone is right for a fleet logging on several clocks.

Abbreviations stand for one offset each, as North American and European exports use them
(CST is US Central, not China; IST is left out: India, Ireland and Israel all write it)."""
from __future__ import annotations

import re
import zoneinfo
from typing import Optional

import numpy as np
import pandas as pd

ABBREVIATIONS = {  # minutes east of UTC
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "HKT": 480, "SGT": 480, "AWST": 480, "JST": 540,
    "KST": 540, "ACST": 570, "ACDT": 630, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
    "HST": -600, "AKST": -540, "AKDT": -480, "PST": -480, "PDT": -420, "MST": -420,
    "MDT": -360, "CST": -360, "CDT": -300, "EST": -300, "EDT": -240, "AST": -240,
    "ADT": -180, "NST": -210, "NDT": -150, "BRT": -180, "ART": -180,
}
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")


def zone_of(value) -> Optional[object]:
    """Minutes east of UTC (int) for an abbreviation or a written offset, a ZoneInfo name
    as it is (str), or None for anything else."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if text.upper() in ABBREVIATIONS:
        return ABBREVIATIONS[text.upper()]
    m = _OFFSET.match(text.upper())
    if m:
        minutes = int(m.group(2)) * 60 + int(m.group(3) or 0)
        return minutes if m.group(1) == "+" else -minutes
    if "/" in text:
        try:
            zoneinfo.ZoneInfo(text)
            return text
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None
    return None


def localise(parsed, stamps, zones: np.ndarray, time_format: Optional[str]) -> int:
    """Read the naive rows of ``parsed`` in the zone their row states (``zones``: the zone
    column's text). Returns how many rows were read so; rows whose zone is not understood
    stay naive (the import then asks for --tz, as before)."""
    from auditor.ingest import timestamps
    rows = np.flatnonzero(parsed.naive)
    if not len(rows):
        return 0
    done = 0
    for value, at in pd.Series(rows).groupby(pd.Series(zones[rows], dtype=object).fillna("")):
        zone = zone_of(value)
        if zone is None:
            continue
        at = at.to_numpy()
        again = timestamps.parse(stamps.take(at), "UTC" if isinstance(zone, int) else zone,
                                 time_format)
        ts = again.ts - (zone * 60 if isinstance(zone, int) else 0)
        parsed.ts[at], parsed.ok[at] = ts, again.ok
        parsed.offset_min[at] = zone if isinstance(zone, int) else again.offset_min
        parsed.naive[at] = False
        done += len(at)
    return done


def parse_in_zones(stamps, zones: np.ndarray, tz: Optional[str], time_format: Optional[str]):
    """``timestamps.parse`` of a column beside a zone column: each naive row in the zone its
    row states; ``tz`` (--tz) only for rows whose zone is blank or not understood — a zone the
    data states for a row is more exact than one given for the whole import."""
    from auditor.ingest import timestamps
    parsed = timestamps.parse(stamps, None, time_format)
    localise(parsed, stamps, zones, time_format)
    if tz is not None and parsed.naive.any():
        rest = np.flatnonzero(parsed.naive)
        again = timestamps.parse(stamps.take(rest), tz, time_format)
        parsed.ts[rest], parsed.ok[rest] = again.ts, again.ok
        parsed.offset_min[rest], parsed.naive[rest] = again.offset_min, again.naive
        if again.later is not None:
            parsed.set_later(rest, again.later)
    return parsed
