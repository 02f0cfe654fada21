"""Local wall-clock time of pings: the one place that decides which clock a feature sees.

Order of trust per vehicle (docs/contracts.md), each recorded as the vehicle's clock source:

1. ``metadata``: the vehicle's ``timezone`` metadata (IANA name, DST-aware);
2. ``stated_offset``: its stamps carry a local offset (some ping states a non-zero
   ``utc_offset_min``): each such ping's offset; a ping without one uses the location zone;
3. ``location``: the zone where the vehicle parks, looked up offline (auditor.pipeline.tzlookup)
   at the dwell-weighted median of its pings (a ping weighs the time until the next one, so
   parked hours count and driving seconds hardly do). UTC stamps ('Z', offset 0) and epoch
   seconds say nothing about the local clock, so they land here;
4. ``utc``: nothing above is known (no position either).

One zone lookup per vehicle and one vectorised conversion per distinct zone: never a Python
step per ping. Callers without ping positions (stops, the timeline) pass the stored lookup as a
``location_timezone`` column of ``vehicles`` (see ``with_clock_zones``).
"""
from __future__ import annotations

import sqlite3
import zoneinfo

import numpy as np
import pandas as pd

from auditor.errors import UserError
from auditor.pipeline.tzlookup import zone_at

SOURCES = ("metadata", "stated_offset", "location", "utc")
CLOCK_COLUMNS = ["vehicle_id", "source", "timezone", "location_timezone", "park_lat",
                 "park_lon", "n_pings", "stated_pings", "stated_offset_min",
                 "location_offset_min", "disagree_share"]


def local_ts(pings: pd.DataFrame, vehicles: pd.DataFrame | None) -> np.ndarray:
    """Local time of each ping as int64 seconds ("UTC seconds of the local wall clock")."""
    return local_clock(pings, vehicles)[0]


def _zone_column(vehicles: pd.DataFrame | None, column: str) -> pd.Series:
    """vehicle_id -> non-empty stripped zone name of ``column`` (empty Series when absent)."""
    if vehicles is None or column not in vehicles or not len(vehicles):
        return pd.Series(dtype=object)
    zones = vehicles.drop_duplicates("vehicle_id", keep="last").set_index("vehicle_id")[column]
    zones = zones[zones.notna()].astype(str).str.strip()
    return zones[zones != ""]


def _check_zone(zone: str, vehicle: str = "") -> None:
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        whose = f" of vehicle {vehicle}" if vehicle else ""
        raise UserError(
            f"vehicle metadata: timezone {zone!r}{whose} is not an IANA zone name — "
            "fix the 'timezone' column (e.g. Europe/Berlin) and re-import") from exc


def _weighted_median(values: np.ndarray, weights: np.ndarray, codes: np.ndarray,
                     n_groups: int, span: float) -> np.ndarray:
    """Per group (codes 0..n_groups-1, every group non-empty) the weighted median of values.
    ``span`` exceeds the range of values: one float sort key (code * span + value) orders
    by group then value, several times faster than a lexsort at millions of pings."""
    order = np.argsort(codes * span + values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    totals = np.bincount(codes, weights=weights, minlength=n_groups)
    ends = np.cumsum(totals)
    target = ends - totals / 2.0
    idx = np.searchsorted(cum, target, side="left")
    last = np.cumsum(np.bincount(codes, minlength=n_groups)) - 1
    return v[np.minimum(idx, last)]


def parking_location(pings: pd.DataFrame, vcode: np.ndarray, n_vehicles: int,
                     park_gap_s: float = 300.0) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) per vehicle code where it parks: the median of the positions it fell silent
    at for at least ``park_gap_s`` (the pipeline's trip gap: a parked car sends nothing),
    weighted by how long it stayed silent. A vehicle that never fell silent that long weighs
    all its pings by the time to the next one. ``pings`` sorted by (vehicle, ts); NaN for a
    vehicle without a position."""
    lat = pd.to_numeric(pings["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(pings["lon"], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon)
    out_lat = np.full(n_vehicles, np.nan)
    out_lon = np.full(n_vehicles, np.nan)
    if not ok.any():
        return out_lat, out_lon
    ts = pings["ts"].to_numpy(dtype=np.int64)[ok]
    codes = vcode[ok]
    lat, lon = lat[ok], lon[ok]
    dt = np.zeros(len(ts), dtype=float)
    same = codes[1:] == codes[:-1]
    dt[:-1] = np.where(same, np.maximum(ts[1:] - ts[:-1], 0), 0)
    parked = dt >= park_gap_s
    never_parked = np.bincount(codes[parked], minlength=n_vehicles) == 0
    keep = parked | never_parked[codes]  # a few rows per day: the sort below stays small
    codes, lat, lon, weights = codes[keep], lat[keep], lon[keep], dt[keep] + 1.0
    present, dense = np.unique(codes, return_inverse=True)
    # degrees: |lat| <= 90, |lon| <= 180, so a span of 1000 keeps groups apart
    out_lat[present] = _weighted_median(lat, weights, dense, len(present), 1000.0)
    out_lon[present] = _weighted_median(lon, weights, dense, len(present), 1000.0)
    return out_lat, out_lon


def _mode_per_group(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Most common value per group (ties: the smaller value); NaN where a group has none.
    Runs of equal (group, value) in one lexsort, in numpy: a pandas value_counts here cost
    ~0.05 s per 400k pings (issue 16)."""
    out = np.full(n_groups, np.nan)
    values = np.asarray(values, dtype=float)
    codes = np.asarray(codes, dtype=np.int64)
    keep = ~np.isnan(values)
    codes, values = codes[keep], values[keep]
    if len(codes) == 0:
        return out
    order = np.lexsort((values, codes))
    g, v = codes[order], values[order]
    starts = np.flatnonzero(np.r_[True, (g[1:] != g[:-1]) | (v[1:] != v[:-1])])
    run_g, run_v = g[starts], v[starts]
    run_n = np.diff(np.r_[starts, len(g)])
    # per group: the most pings, then the smaller value
    best = np.lexsort((run_v, -run_n, run_g))
    first = best[np.r_[True, run_g[best][1:] != run_g[best][:-1]]]
    out[run_g[first]] = run_v[first]
    return out


def local_clock(pings: pd.DataFrame, vehicles: pd.DataFrame | None,
                park_gap_s: float = 300.0) -> tuple[np.ndarray, pd.DataFrame]:
    """(local seconds of each ping, one row per vehicle with CLOCK_COLUMNS).

    ``pings``: vehicle_id, ts, optional utc_offset_min, lat, lon (sorted by vehicle and time
    when lat/lon are given). ``vehicles``: metadata with optional ``timezone`` and
    ``location_timezone`` (a stored lookup that overrides the one from positions).
    ``park_gap_s``: the silence that means parked (inference passes its trip gap)."""
    ts = pings["ts"].to_numpy(dtype=np.int64)
    vcode, vnames = pd.factorize(pings["vehicle_id"])
    vcode = vcode.astype(np.int64)
    nv = len(vnames)
    names = pd.Series(vnames, dtype=object)

    stated = np.full(len(pings), np.nan)
    if "utc_offset_min" in pings:
        stated = pd.to_numeric(pings["utc_offset_min"], errors="coerce").to_numpy(dtype=float)
    has_stated = ~np.isnan(stated)
    nonzero = has_stated & (stated != 0)
    stated_pings = np.bincount(vcode[nonzero], minlength=nv) if len(pings) else np.zeros(nv, int)

    meta_zone = names.map(_zone_column(vehicles, "timezone")).to_numpy(dtype=object)
    for zone in sorted({z for z in meta_zone if isinstance(z, str)}):
        _check_zone(zone, names[meta_zone == zone].iat[0])
    park_lat = np.full(nv, np.nan)
    park_lon = np.full(nv, np.nan)
    if {"lat", "lon"} <= set(pings.columns) and len(pings):
        park_lat, park_lon = parking_location(pings, vcode, nv, park_gap_s)
    stored = names.map(_zone_column(vehicles, "location_timezone")).to_numpy(dtype=object)
    loc_zone = np.array([s if isinstance(s, str) else zone_at(a, b)
                         for s, a, b in zip(stored, park_lat, park_lon)], dtype=object)

    has_meta = np.array([isinstance(z, str) for z in meta_zone], dtype=bool)
    has_loc = np.array([isinstance(z, str) for z in loc_zone], dtype=bool)
    source = np.where(has_meta, "metadata",
                      np.where(stated_pings > 0, "stated_offset",
                               np.where(has_loc, "location", "utc"))).astype(object)
    clock_zone = np.where(has_meta, meta_zone, np.where(has_loc, loc_zone, None))

    # per ping: the stated offset where the vehicle's stamps carry local offsets, else its zone
    use_stated = (source == "stated_offset")[vcode] & has_stated
    offset = np.zeros(len(pings), dtype=np.int64)
    offset[use_stated] = (stated[use_stated] * 60).astype(np.int64)
    zoned_ping = ~use_stated
    _apply_zones(offset, ts, vcode, clock_zone, zoned_ping)

    # disagreement: a vehicle's clock against the zone of where it parks, at its own pings
    disagree = np.full(nv, np.nan)
    loc_off_mode = np.full(nv, np.nan)
    check_v = has_loc & ((source == "stated_offset")
                         | ((source == "metadata") & (meta_zone != loc_zone)))
    check = check_v[vcode] & (use_stated | (source == "metadata")[vcode])
    if check.any():
        loc_off = np.zeros(len(pings), dtype=np.int64)
        _apply_zones(loc_off, ts, vcode, loc_zone, check)
        differs = (loc_off != offset) & check
        n_checked = np.bincount(vcode[check], minlength=nv)
        share = np.bincount(vcode[differs], minlength=nv) / np.maximum(n_checked, 1)
        disagree[check_v] = share[check_v]
        loc_off_mode = _mode_per_group(vcode[check], loc_off[check] // 60, nv)
    metadata_same = has_loc & (source == "metadata") & (meta_zone == loc_zone)
    disagree[metadata_same] = 0.0

    clocks = pd.DataFrame({
        "vehicle_id": names.to_numpy(dtype=object),
        "source": source,
        "timezone": clock_zone,
        "location_timezone": loc_zone,
        "park_lat": park_lat, "park_lon": park_lon,
        "n_pings": np.bincount(vcode, minlength=nv).astype(np.int64),
        "stated_pings": stated_pings.astype(np.int64),
        "stated_offset_min": pd.array(_mode_per_group(vcode[nonzero], stated[nonzero], nv),
                                      dtype="Int64"),
        "location_offset_min": pd.array(loc_off_mode, dtype="Int64"),
        "disagree_share": disagree,
    })
    return ts + offset, clocks[CLOCK_COLUMNS]


def _apply_zones(offset: np.ndarray, ts: np.ndarray, vcode: np.ndarray,
                 zone_of_vehicle: np.ndarray, mask: np.ndarray) -> None:
    """offset[mask] = UTC offset (s) of each ping's vehicle zone at its time (pings of
    vehicles without a zone are left alone); one vectorised pass per distinct zone."""
    zcode, zones = pd.factorize(pd.Series(zone_of_vehicle, dtype=object))
    if not len(zones):
        return
    ping_zone = zcode[vcode]
    for k, zone in enumerate(zones):  # a handful of zones, never a loop per ping
        sel = np.flatnonzero(mask & (ping_zone == k))
        if len(sel):
            offset[sel] = zone_offsets(ts[sel], zone)


def zone_offsets(ts: np.ndarray, zone: str) -> np.ndarray:
    """UTC offset in seconds of ``zone`` at each UTC second in ``ts``."""
    utc = pd.DatetimeIndex(ts.astype("datetime64[s]"), tz="UTC")
    wall = utc.tz_convert(zone).tz_localize(None)
    return wall.to_numpy().astype("datetime64[s]").astype(np.int64) - ts


def with_clock_zones(conn: sqlite3.Connection, vehicles: pd.DataFrame,
                     vehicle_ids=None) -> pd.DataFrame:
    """``vehicles`` (metadata) plus ``location_timezone`` from the latest inference's clocks,
    with a row for every vehicle that has a clock (or for ``vehicle_ids``): what callers
    without ping positions pass to local_ts so they see the clock inference used."""
    have = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'vehicle_clocks'").fetchone()
    if have is None:
        return vehicles
    sql = ("SELECT vehicle_id, location_timezone FROM vehicle_clocks "
           "WHERE location_timezone IS NOT NULL")
    params: tuple = ()
    if vehicle_ids is not None:
        vehicle_ids = list(vehicle_ids)
        sql += f" AND vehicle_id IN ({','.join('?' * len(vehicle_ids))})"
        params = tuple(vehicle_ids)
    stored = pd.read_sql_query(sql + " ORDER BY vehicle_id", conn, params=params)
    if stored.empty:
        return vehicles
    base = vehicles.drop(columns=["location_timezone"], errors="ignore")
    return base.merge(stored, on="vehicle_id", how="outer")
