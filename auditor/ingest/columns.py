"""Which source column holds which field, and what kind of file it is.

Source headers vary (``Latitude``, ``lng``, ``VehicleID``); we match them case-insensitively
against a small alias table, and ``--map FIELD=COLUMN`` overrides the guess."""
from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence

from auditor.errors import UserError

FIELDS = ("vehicle_id", "timestamp", "lat", "lon", "speed_mps", "heading_deg", "trip_id", "label",
          "home_lat", "home_lon", "work_lat", "work_lon", "point")
# one column holding both coordinates ('POINT(13.40 52.52)' from a GIS export, '52.52,13.40'):
# read as lat and lon when the file has no such columns (rows.lat_lon)
POINT = "point"
# labels written one row per vehicle, a column pair per label (home_lat, home_lon, work_lat,
# work_lon): read as one label row per pair given
WIDE_LABELS = {"home": ("home_lat", "home_lon"), "work": ("work_lat", "work_lon")}
KINDS = ("pings", "labels", "vehicles")
REQUIRED = {
    "pings": ("vehicle_id", "timestamp", "lat", "lon"),
    "labels": ("vehicle_id", "label", "lat", "lon"),
    "vehicles": ("vehicle_id",),
}
# Fields each kind reads; vehicles keep every other column as metadata.
USED = {
    "pings": ("vehicle_id", "timestamp", "lat", "lon", "point", "speed_mps", "heading_deg",
              "trip_id"),
    "labels": ("vehicle_id", "label", "lat", "lon", "point", "home_lat", "home_lon", "work_lat",
               "work_lon"),
    "vehicles": ("vehicle_id",),
}
# Headers other exporters write (trackers, telematics platforms, AIS): unambiguous names only —
# no 'speed' in other units (AIS 'SOG' is knots), no bare 'date' or 'id'.
ALIASES = {
    "vehicle_id": ("vehicle_id", "vehicleid", "vehicle", "vehicle_no", "vin", "vehicle_number",
                   "device_id", "deviceid", "device", "unit_id", "unitid", "asset_id",
                   "assetid", "tracker_id", "imei", "mmsi"),
    "timestamp": ("timestamp", "time", "datetime", "date_time", "ts", "time_utc",
                  "timestamp_utc", "time_stamp", "utc_time", "datetime_utc", "gps_time",
                  "fix_time", "event_time", "recorded_at", "basedatetime", "base_date_time"),
    "lat": ("lat", "latitude", "lat_deg", "latitude_deg", "gps_lat", "gps_latitude"),
    "lon": ("lon", "lng", "long", "longitude", "lon_deg", "lng_deg", "longitude_deg", "gps_lon",
            "gps_lng", "gps_longitude"),
    "speed_mps": ("speed_mps", "speed"),
    "heading_deg": ("heading_deg", "heading", "course", "bearing", "cog"),
    "trip_id": ("trip_id", "tripid", "trip"),
    "label": ("label", "place_label"),
    "point": ("point", "geom", "geometry", "the_geom", "wkt", "location", "position", "coordinates",
              "coords", "latlon", "lat_lon", "latlng", "lat_lng", "lat_long"),
    **{f"{kind}_{axis}": tuple(f"{kind}{sep}{a}" for a in names for sep in ("_", ""))
       + tuple(f"{a}_{kind}" for a in names)
       for kind in WIDE_LABELS for axis, names in (("lat", ("lat", "latitude")),
                                                  ("lon", ("lon", "lng", "long", "longitude")))},
}


# a vehicles file's timezone column, stored under the metadata key 'timezone' (rows.vehicles);
# 'zone' alone is too often a sales or delivery zone
ZONE_ALIASES = ("timezone", "time_zone", "tz", "tzid", "tz_name", "timezone_name",
                "iana_timezone", "iana_tz", "olson_timezone")


def normalise(name: str) -> str:
    """Header text -> comparable key: case, BOM, spaces and dashes do not matter."""
    return re.sub(r"[\s\-]+", "_", name.replace("\ufeff", "").strip().lower())


def zone_column(columns: Sequence[str]) -> Optional[str]:
    """Which of a vehicles file's columns holds each vehicle's timezone: an exact 'timezone',
    else the first of ZONE_ALIASES (matched as other headers are)."""
    if "timezone" in columns:
        return "timezone"
    spelled = sorted((ZONE_ALIASES.index(normalise(c)), i) for i, c in enumerate(columns)
                     if normalise(c) in ZONE_ALIASES)
    return columns[spelled[0][1]] if spelled else None


def parse_map(items: Optional[Sequence[str]]) -> dict[str, str]:
    """``["lat=LAT", ...]`` from the command line -> ``{"lat": "LAT"}``."""
    out: dict[str, str] = {}
    for item in items or ():
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise UserError(f"--map {item!r}: expected FIELD=COLUMN, e.g. --map lat=LATITUDE")
        out[field.strip()] = column.strip()
    return out


def resolve(columns: Sequence[str], column_map: Optional[Mapping[str, str]], file: str) -> dict:
    """{field: source column} for every field found (mapped first, then by alias)."""
    present = ", ".join(columns) or "(none)"
    found: dict[str, str] = {}
    for field, column in (column_map or {}).items():
        if field not in FIELDS:
            raise UserError(f"{file}: --map {field}={column}: unknown field '{field}' — "
                            f"use one of {', '.join(FIELDS)}")
        match = column if column in columns else next(
            (c for c in columns if c.strip().lower() == column.strip().lower()), None)
        if match is None:
            raise UserError(f"{file}: --map {field}={column}: no column '{column}' in the file — "
                            f"columns present: {present}")
        found[field] = match
    taken = set(found.values())
    keys = {c: normalise(c) for c in columns}
    for field, aliases in ALIASES.items():
        if field in found:
            continue
        for alias in aliases:  # alias order decides between e.g. 'lat' and 'latitude'
            match = next((c for c in columns if keys[c] == alias and c not in taken), None)
            if match is not None:
                found[field] = match
                taken.add(match)
                break
    return found


def wide_labels(found: Mapping[str, str]) -> list[str]:
    """The labels a file written one row per vehicle gives a column pair each ('home', 'work'):
    [] for a file with a label column (the long form wins) or no such pair."""
    if "label" in found:
        return []
    return [label for label, pair in WIDE_LABELS.items() if all(f in found for f in pair)]


def missing_fields(kind: str, found: Mapping[str, str]) -> list[str]:
    """The fields ``kind`` needs that ``found`` lacks; labels in wide form need the vehicle id
    and both columns of each pair they start."""
    if kind == "labels" and "label" not in found and any(
            f in found for pair in WIDE_LABELS.values() for f in pair):
        half = [f for pair in WIDE_LABELS.values() if any(x in found for x in pair)
                for f in pair if f not in found]
        return [f for f in ("vehicle_id",) if f not in found] + half
    has = set(found) | ({"lat", "lon"} if POINT in found else set())
    return [f for f in REQUIRED[kind] if f not in has]


LABEL_SHARE = 0.8  # of a column's values home or work: it is the labels' label column


def label_values_column(values_by_column: Mapping[str, Sequence],
                        found: Mapping[str, str]) -> Optional[str]:
    """A file whose header looked like vehicle metadata but has lat, lon and a column whose
    values (a sample of its first rows) are mostly home or work — a labels file whose label
    column is called 'type', 'category', 'place': that column's name. None otherwise."""
    import math

    from auditor.classes import GIVEN_LABELS
    if "lat" not in found or "lon" not in found:
        return None
    for name, values in values_by_column.items():
        if name in found.values():
            continue
        texts = [str(v).strip().lower() for v in values
                 if v is not None and not (isinstance(v, float) and math.isnan(v))]
        texts = [t for t in texts if t]
        if texts and sum(t in GIVEN_LABELS for t in texts) >= LABEL_SHARE * len(texts):
            return name
    return None


def guess_kind(found: Mapping[str, str]) -> Optional[str]:
    """What a file holds, from the fields found in its header (None: cannot tell)."""
    if "timestamp" in found:
        return "pings"
    if "label" in found or wide_labels(found):
        return "labels"
    if "vehicle_id" in found:
        return "vehicles"
    return None


def decide_kind(found: Mapping[str, str], kind: Optional[str], columns: Sequence[str],
                file: str) -> str:
    """The given kind, or a guess from the columns; the kind's required fields must exist."""
    present = ", ".join(columns) or "(none)"
    if kind is None:
        kind = guess_kind(found)
        if kind is None:
            raise UserError(f"{file}: cannot tell pings, labels or vehicles apart — no vehicle_id, "
                            f"timestamp or label column (columns present: {present}); "
                            "rename a column or pass --map FIELD=COLUMN and --kind")
    elif kind not in KINDS:
        raise UserError(f"--kind {kind}: use one of {', '.join(KINDS)}")
    missing = missing_fields(kind, found)
    if missing:
        raise UserError(f"{file}: no {' / '.join(missing)} column for {kind} "
                        f"(columns present: {present}) — rename it or pass --map "
                        f"{missing[0]}=COLUMN")
    return kind
