"""Haulage fleet: a synthetic North American trucking and field-service company (test data).

``write_haulage_fleet(folder, vehicles=120, days=28, seed=0)`` writes the files below into
``folder``; ``python bench/fleets/haulage.py OUT [--vehicles N] [--days D] [--seed S]`` does the same.
Same arguments -> byte-identical files; another seed -> other files. Needs vehicles >= 10, days >= 7.

Window: ``days`` days from 2026-02-23 00:00 UTC (a Monday). With days >= 14 it contains the start of US
daylight time, Sunday 2026-03-08 02:00 local (Eastern, Central, Mountain, Pacific jump an hour; Arizona,
America/Phoenix, does not). Vehicles are simulated from 14 days before the window, so long-haul trucks
are already on the road when it opens. Terminals (all inland): ATL Atlanta (America/New_York), DAL Dallas
(America/Chicago), DEN Denver (America/Denver), PHX Phoenix (America/Phoenix), SAC Sacramento
(America/Los_Angeles).

FILES
1. ``eld_location_history.csv`` -- the tractors' ELD breadcrumb export (kinds longhaul, owner_op, team,
   regional). UTF-8 *with a BOM*, CRLF line ends, comma separated, one header line (but see faults).
   Columns: ``Unit`` (truck number, = vehicle_id, e.g. 4017), ``Driver`` (driver code; a team truck
   alternates two codes), ``Date`` (MM/DD/YYYY), ``Time`` (12-hour ``hh:mm:ss AM``/``PM``), ``Time Zone``
   (abbreviation CST/CDT/EST/EDT/MST/MDT/PST/PDT). Date and Time are the wall clock of the vehicle's
   HOME TERMINAL's zone (FMCSA rule), NOT of where the truck is: a Dallas truck in California is stamped
   in Central time, an Arizona truck in Utah after 8 March stamps MST while Utah's clocks read MDT.
   Date+Time+Time Zone together give the instant exactly. ``Latitude``/``Longitude`` WGS84 degrees (5 dp),
   ``Heading`` degrees, ``Speed (mph)`` integer miles per hour, ``Odometer (mi)`` miles (1 dp),
   ``Status`` ``Driving``/``Parked``. Rows sorted by Unit (as text), each unit's rows in time order.
   Breadcrumb every ~120 s while moving, every ~60 min while parked (plus one shortly after each arrival).
2. ``telematics_pings.parquet`` -- the light vehicles' telematics feed (kinds local, tech, yard).
   Columns: ``device_imei`` int64 (15-digit IMEI; join vehicles.csv ``device_imei`` to get the
   vehicle), ``gps_epoch_ms`` int64 milliseconds since 1970 UTC (an integer, not a timestamp type),
   ``lat_e7``/``lon_e7`` int32 degrees x 1e7, ``speed_kph`` float32 km/h, ``heading`` int16 degrees,
   ``ignition`` bool, ``hdop`` float32. Rows sorted by time across all devices (devices interleave).
   Ping every ~30 s while moving, every ~60 min while parked (plus one shortly after each arrival).
3. ``vehicles.csv`` -- vehicle_id, unit_type (tractor|box_truck|pickup|yard_tractor), make, model_year,
   home_terminal (ATL|DAL|DEN|PHX|SAC), home_terminal_tz (IANA), device_imei (empty for tractors; as
   assigned at the start of the window -- see the device_swap fault).
4. ``labels.csv`` -- vehicle_id,label,lat,lon; label home|work; for ~75% of the vehicles whose truth has
   a home or work, one row per non-null place, 10-30 m from it; ~5% of rows wrong (truth wrong_labels).
5. ``truth.json`` -- {"window": {...}, "vehicles": {vehicle_id: {"home": [lat, lon]|null,
   "work": [lat, lon]|null, "kind", "home_terminal", "home_terminal_tz", "file", "file_id"}},
   "wrong_labels": [{vehicle_id, label, lat, lon, error, true}], "faults": {...}}. No "tz" key: no file
   has naive stamps of one zone (the ELD file's zone differs by vehicle and is written on every row).

KINDS and their truth
- longhaul (tractor, ELD): tours of 5-12 days across the country, driving <= ~11 h a shift and sleeping
  10-11 h wherever the shift ends (truck stops along the route, or a customer's lot), 1-3 h at each
  customer; the tour starts with 1-2.5 h at the home terminal (hook a trailer) and ends with 0.5-1.5 h
  there, then the driver takes the tractor home for a 34-50 h reset. home = the residence where resets
  are taken; work = the home terminal. Phoenix-based trucks favour western lanes (Utah, Nevada, Idaho);
  the first longhaul truck is Phoenix-based and opens every tour with a load to Salt Lake City (AZ -> UT,
  crossing from a no-DST zone into one that springs forward).
- owner_op (tractor, ELD): like longhaul but never visits a terminal; lives near any of several cities
  and is leased to the DAL terminal, so its stamps are Central time wherever it lives.
  home = residence; work = null.
- team (tractor, ELD): two drivers swap every 4.5-6 h; the truck stops only 15-40 min per swap/fuel and
  0.75-2 h at customers, and every 10-14 days lays over 24-36 h at the home terminal.
  home = null; work = the home terminal.
- regional (tractor, ELD): Mon-Fri leaves home 04:30-06:00 local, 20-45 min at the terminal, 1-2
  customers 60-350 km away (30-90 min each), back to the terminal, home every night; weekends at home.
  home = residence; work = home terminal.
- local (box truck, parquet): sleeps at the terminal; Mon-Sat 8-14 deliveries of 5-25 min within 25 km.
  home = null (no residence); work = the terminal.
- tech (pickup, parquet): field technician who takes the pickup home; Mon-Fri, on ~60% of mornings
  20-45 min at the service branch (6-12 km from the terminal), then 2-5 job sites of 45-150 min from
  a pool of ~12 (one recurring project site much more often); some Saturdays one call-out.
  home = residence; work = the service branch.
- yard (yard tractor, parquet): never leaves the terminal (all positions within ~450 m of it); moves
  trailers at 6-20 km/h between yard spots 06:00-22:00 local Mon-Sat, parked at its stall otherwise.
  home = null; work = the terminal.

FAULTS (truth "faults")
- duplicate_rows: ~0.5% of the ELD rows repeated verbatim directly below themselves; truth gives the
  total and per-Unit counts.
- repeated_header: the ELD export repeats its header line mid-file (export pages); truth gives the
  1-based file line numbers of the repeats.
- odometer_reset: one tractor's odometer drops (ECU replaced) to a small value and counts on from
  there; truth gives vehicle, at_utc and the last/first readings.
- frozen_gps: one light vehicle's GPS repeats its last fix for 30-54 h while time, speed and
  ignition still change; truth gives vehicle, imei, start/end (epoch ms, inclusive) and the stuck lat/lon.
- device_swap: a local box truck's device is moved into a tech's pickup whose own device died;
  vehicles.csv still lists the original assignment. From at_ms on, the box truck's IMEI reports the
  pickup's movements, the pickup's own IMEI reports nothing, and the box truck (in the shop) has no
  data. truth: imei, from_vehicle, to_vehicle, dead_imei, at_ms.
- no_fix_zeros: ~0.1% of the parquet rows have lat_e7 = lon_e7 = 0 (no GPS fix, "null island");
  truth gives the total and per-IMEI counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

WINDOW_START = datetime(2026, 2, 23, tzinfo=timezone.utc)
SIM_DATE0 = date(2026, 2, 9)  # simulation starts 14 days before the window
KM_LAT = 110.574
KM_PER_MI = 1.609344

TERMINALS = {
    "ATL": ((33.700, -84.400), "America/New_York"),
    "DAL": ((32.800, -96.850), "America/Chicago"),
    "DEN": ((39.780, -104.900), "America/Denver"),
    "PHX": ((33.430, -112.100), "America/Phoenix"),
    "SAC": ((38.600, -121.450), "America/Los_Angeles"),
}
# long-haul destinations (inland points)
CITIES = {
    "Memphis": (35.10, -90.00), "Nashville": (36.15, -86.80), "Birmingham": (33.52, -86.80),
    "Little Rock": (34.74, -92.30), "Oklahoma City": (35.47, -97.52), "Kansas City": (39.08, -94.58),
    "St Louis": (38.63, -90.25), "Indianapolis": (39.77, -86.16), "Houston": (29.80, -95.40),
    "San Antonio": (29.45, -98.50), "El Paso": (31.78, -106.42), "Albuquerque": (35.10, -106.62),
    "Salt Lake City": (40.70, -111.90), "Las Vegas": (36.15, -115.18), "Reno": (39.52, -119.80),
    "Boise": (43.60, -116.25), "Omaha": (41.25, -96.00), "Charlotte": (35.22, -80.85),
    "Columbia": (34.00, -81.03), "Tucson": (32.22, -110.95), "Fresno": (36.75, -119.78),
    "St George": (37.10, -113.58), "Atlanta": (33.75, -84.39), "Dallas": (32.78, -96.80),
    "Denver": (39.74, -104.99), "Phoenix": (33.45, -112.07), "Sacramento": (38.58, -121.49),
}
WEST = {"Salt Lake City", "Las Vegas", "Boise", "Reno", "St George"}
REGIONAL = {
    "ATL": [(32.84, -83.63), (35.05, -85.30), (33.52, -86.80), (34.85, -82.40), (33.47, -82.02),
            (32.46, -84.99)],
    "DAL": [(31.55, -97.15), (32.35, -95.30), (35.47, -97.52), (32.50, -93.75), (30.27, -97.74),
            (33.91, -98.49)],
    "DEN": [(38.83, -104.82), (40.58, -105.08), (41.14, -104.82), (38.25, -104.61), (39.06, -108.55),
            (41.31, -105.59)],
    "PHX": [(32.22, -110.95), (35.20, -111.65), (34.54, -112.47), (32.69, -114.62), (35.19, -114.05),
            (32.88, -111.76)],
    "SAC": [(37.96, -121.29), (39.52, -119.80), (36.75, -119.78), (39.73, -121.84), (40.58, -122.39),
            (37.64, -121.00)],
}
OWNER_OP_HOMES = [(35.47, -97.52), (39.08, -94.58), (35.10, -106.62), (36.15, -86.80), (33.43, -112.10),
                  (38.60, -121.45), (39.78, -104.90)]
# (kind, share, unit_type, file, makes)
KINDS = [
    ("longhaul", 0.25, "tractor", "eld", ["Freightliner Cascadia", "Kenworth T680", "Peterbilt 579"]),
    ("owner_op", 0.08, "tractor", "eld", ["Peterbilt 389", "Kenworth W900"]),
    ("team", 0.07, "tractor", "eld", ["Volvo VNL 860", "Freightliner Cascadia"]),
    ("regional", 0.17, "tractor", "eld", ["International LT", "Volvo VNL 300"]),
    ("local", 0.18, "box_truck", "pq", ["Isuzu NPR", "Hino 268", "Freightliner M2"]),
    ("tech", 0.20, "pickup", "pq", ["Ford F-250", "Ram 2500", "Chevrolet Silverado 2500"]),
    ("yard", 0.05, "yard_tractor", "pq", ["Kalmar Ottawa T2", "Capacity TJ5000"]),
]
UNIT_BASE = {"tractor": 4000, "box_truck": 2000, "pickup": 7000, "yard_tractor": 9000}
ELD_FILE = "eld_location_history.csv"
PQ_FILE = "telematics_pings.parquet"
ELD_COLUMNS = ["Unit", "Driver", "Date", "Time", "Time Zone", "Latitude", "Longitude", "Heading",
               "Speed (mph)", "Odometer (mi)", "Status"]


def km(a, b) -> float:
    kx = 111.320 * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot((b[0] - a[0]) * KM_LAT, (b[1] - a[1]) * kx)


def offset(p, dist_km, bearing_deg):
    br = math.radians(bearing_deg)
    kx = 111.320 * math.cos(math.radians(p[0]))
    return (p[0] + dist_km * math.cos(br) / KM_LAT, p[1] + dist_km * math.sin(br) / kx)


_ZONES: dict = {}


def zone(tz: str) -> ZoneInfo:
    if tz not in _ZONES:
        _ZONES[tz] = ZoneInfo(tz)
    return _ZONES[tz]


def at_local(day: int, hours: float, tz: str) -> float:
    """UTC epoch seconds of ``hours`` after local midnight of simulation day ``day`` (wall clock)."""
    d = SIM_DATE0 + timedelta(days=day)
    return (datetime(d.year, d.month, d.day, tzinfo=zone(tz)) + timedelta(hours=hours)).timestamp()


_CLOCK = np.array([f"{(s // 3600) % 12 or 12:02d}:{s // 60 % 60:02d}:{s % 60:02d} "
                   + ("AM" if s < 43200 else "PM") for s in range(86400)])


def _home_clock(t: np.ndarray, tz: str):
    """Date MM/DD/YYYY, 12-hour time and zone abbreviation of UTC seconds t on the wall clock of tz."""
    utc = pd.to_datetime(t, unit="s", utc=True)
    loc = utc.tz_convert(tz).tz_localize(None).as_unit("s").asi8
    off = loc - t
    day = loc // 86400
    uday, inv = np.unique(day, return_inverse=True)
    dates = np.array([datetime.fromtimestamp(int(d) * 86400, tz=timezone.utc).strftime("%m/%d/%Y")
                      for d in uday])
    uoff, oinv = np.unique(off, return_inverse=True)
    abbr = np.array([datetime.fromtimestamp(int(t[np.argmax(off == o)]), tz=zone(tz)).strftime("%Z")
                     for o in uoff])
    return dates[inv], _CLOCK[loc % 86400], abbr[oinv]


SPEEDS = {  # km/h ranges: ramp, town, highway
    "truck": ((10, 18), (30, 55), (88, 104)),
    "light": ((10, 20), (28, 60), (95, 115)),
    "yard": ((5, 8), (8, 20), (8, 20)),
}


def route(rng, a, b, t0, vclass):
    """Road-like polyline from a to b: slow ends, town segments, highway bends. Returns lat, lon, t, speed."""
    ramp_r, town_r, hwy_r = SPEEDS[vclass]
    lat0 = (a[0] + b[0]) / 2
    kx = 111.320 * math.cos(math.radians(lat0))
    bx, by = (b[1] - a[1]) * kx, (b[0] - a[0]) * KM_LAT
    d = max(math.hypot(bx, by), 0.02)
    ux, uy = bx / d, by / d
    ramp = min(0.2, d * 0.08)
    if vclass != "yard" and d > 25:
        town = min(rng.uniform(2, 5), d * 0.1)
        nb = int(np.clip(d / 80, 1, 14))
        s = np.concatenate(([0, ramp, town], np.sort(rng.uniform(town, d - town, nb)),
                            [d - town, d - ramp, d]))
        off = np.concatenate(([0, 0, rng.normal(0, 0.3)], rng.normal(0, min(0.03 * d, 10), nb),
                              [rng.normal(0, 0.3), 0, 0]))
        spd = np.concatenate(([rng.uniform(*ramp_r), rng.uniform(*town_r)], rng.uniform(*hwy_r, nb + 1),
                              [rng.uniform(*town_r), rng.uniform(*ramp_r)]))
    else:
        nb = int(np.clip(d / 1.5, 1, 20))
        s = np.concatenate(([0, ramp], np.sort(rng.uniform(ramp, d - ramp, nb)), [d - ramp, d]))
        off = np.concatenate(([0, 0], rng.normal(0, min(0.12 * d, 1.0), nb), [0, 0]))
        spd = np.concatenate(([rng.uniform(*ramp_r)], rng.uniform(*town_r, nb + 1), [rng.uniform(*ramp_r)]))
    x = s * ux - off * uy
    y = s * uy + off * ux
    seg = np.hypot(np.diff(x), np.diff(y))
    vt = t0 + np.concatenate(([0.0], np.cumsum(seg / spd * 3600.0)))
    return a[0] + y / KM_LAT, a[1] + x / kx, vt, spd


@dataclass
class Track:
    pos: tuple
    t: float
    vclass: str
    parts: list = field(default_factory=list)
    driver: int = 0
    shift_left: float = 10.0

    def stay(self, t1):
        if t1 > self.t:
            self.parts.append(("stay", self.pos, self.t, t1))
            self.t = t1

    def go(self, rng, dest):
        if km(self.pos, dest) < 0.01:
            return
        lat, lon, vt, spd = route(rng, self.pos, dest, self.t, self.vclass)
        self.parts.append(("move", lat, lon, vt, spd, self.driver))
        self.t = float(vt[-1])
        self.pos = dest
        self.shift_left -= (vt[-1] - vt[0]) / 3600

    def drive_far(self, rng, dest, team=False):
        """Drive to dest in shifts, resting (or swapping drivers) wherever a shift runs out."""
        while True:
            d = km(self.pos, dest) * 1.15
            cap = max(self.shift_left, 0) * 80
            if d <= cap or d < 40:
                self.go(rng, dest)
                return
            frac = max(cap, 20) / d
            p = (self.pos[0] + frac * (dest[0] - self.pos[0]), self.pos[1] + frac * (dest[1] - self.pos[1]))
            self.go(rng, offset(p, rng.uniform(0.15, 0.5), rng.uniform(0, 360)))  # truck stop lot
            self.rest(rng, team)

    def rest(self, rng, team=False):
        if team:
            self.stay(self.t + rng.uniform(0.25, 0.67) * 3600)
            self.driver ^= 1
            self.shift_left = rng.uniform(4.5, 6)
        else:
            self.stay(self.t + rng.uniform(10, 11.5) * 3600)
            self.shift_left = rng.uniform(9, 11)


def render(tr: Track, rng, dt_move, dt_stay):
    """Pings of a track: t, lat, lon, speed km/h, heading, moving, driver (numpy, one loop per part)."""
    out = {k: [] for k in ("t", "lat", "lon", "spd", "hdg", "mov", "drv")}
    for p in tr.parts:
        if p[0] == "stay":
            _, pos, t0, t1 = p
            ts = np.concatenate(([t0 + min(60.0, (t1 - t0) / 2)],
                                 np.arange(t0 + rng.uniform(0.3, 1) * dt_stay, t1, dt_stay)))
            n = len(ts)
            out["t"].append(ts)
            out["lat"].append(pos[0] + rng.normal(0, 4, n) / 111000)
            out["lon"].append(pos[1] + rng.normal(0, 4, n) / 92000)
            out["spd"].append(np.zeros(n))
            out["hdg"].append(np.zeros(n))
            out["mov"].append(np.zeros(n, bool))
            out["drv"].append(np.full(n, tr.driver))
        else:
            _, lat, lon, vt, spd, drv = p
            ts = np.arange(vt[0] + rng.uniform(0, dt_move), vt[-1], dt_move)
            ts = ts + rng.uniform(-2, 2, len(ts))
            ts = ts[(ts > vt[0]) & (ts < vt[-1])]
            n = len(ts)
            idx = np.clip(np.searchsorted(vt, ts, "right") - 1, 0, len(spd) - 1)
            hd = np.degrees(np.arctan2(np.diff(lon) * math.cos(math.radians(lat[0])), np.diff(lat))) % 360
            out["t"].append(ts)
            out["lat"].append(np.interp(ts, vt, lat) + rng.normal(0, 3, n) / 111000)
            out["lon"].append(np.interp(ts, vt, lon) + rng.normal(0, 3, n) / 92000)
            out["spd"].append(np.maximum(spd[idx] * (1 + rng.normal(0, 0.04, n)), 1.0))
            out["hdg"].append(hd[idx])
            out["mov"].append(np.ones(n, bool))
            out["drv"].append(np.full(n, drv))
    r = {k: np.concatenate(v) if v else np.zeros(0) for k, v in out.items()}
    o = np.argsort(r["t"], kind="stable")
    return {k: v[o] for k, v in r.items()}


def pick_city(rng, pos, west=False):
    names = list(CITIES)
    d = np.array([km(pos, CITIES[n]) for n in names])
    w = np.where((d > 250) & (d < 2500), np.exp(-d / 800), 0.0)
    if west:
        w = w * np.array([6.0 if n in WEST else 1.0 for n in names])
    c = CITIES[names[int(rng.choice(len(names), p=w / w.sum()))]]
    return offset(c, rng.uniform(1, 6), rng.uniform(0, 360))


def sim_vehicle(rng, v, n_days):
    kind, term, tz = v["kind"], v["term_pos"], v["tz"]
    t_end = at_local(n_days, 0, tz)
    if kind in ("longhaul", "owner_op"):
        tr = Track(v["home"], at_local(0, 0, tz), "truck")
        tr.stay(tr.t + rng.uniform(0, 10) * 86400)
        while tr.t < t_end:
            tour_end = tr.t + rng.uniform(5, 12) * 86400
            tr.shift_left = rng.uniform(9, 11)
            if kind == "longhaul":
                tr.go(rng, term)
                tr.stay(tr.t + rng.uniform(1, 2.5) * 3600)
            first = True
            while tr.t < tour_end:
                dest = pick_city(rng, tr.pos, v["term"] == "PHX")
                if first and v.get("az_ut"):  # this Arizona truck opens every tour with a Utah load
                    dest = offset(CITIES["Salt Lake City"], rng.uniform(1, 6), rng.uniform(0, 360))
                first = False
                tr.drive_far(rng, dest)
                tr.stay(tr.t + rng.uniform(1, 3) * 3600)
                if tr.shift_left < 3:
                    tr.rest(rng)
            if kind == "longhaul":
                tr.drive_far(rng, term)
                tr.stay(tr.t + rng.uniform(0.5, 1.5) * 3600)
                tr.go(rng, v["home"])
            else:
                tr.drive_far(rng, v["home"])
            tr.stay(tr.t + rng.uniform(34, 50) * 3600)
        return tr
    if kind == "team":
        tr = Track(term, at_local(0, 0, tz), "truck")
        tr.stay(tr.t + rng.uniform(0, 5) * 86400)
        while tr.t < t_end:
            stint_end = tr.t + rng.uniform(10, 14) * 86400
            tr.shift_left = rng.uniform(4.5, 6)
            while tr.t < stint_end:
                tr.drive_far(rng, pick_city(rng, tr.pos), team=True)
                tr.stay(tr.t + rng.uniform(0.75, 2) * 3600)
            tr.drive_far(rng, term, team=True)
            tr.stay(tr.t + rng.uniform(24, 36) * 3600)
        return tr
    start = v["home"] if kind in ("regional", "tech") else term
    tr = Track(start, at_local(0, 0, tz), {"regional": "truck", "yard": "yard"}.get(kind, "light"))
    for day in range(n_days):
        dow = (SIM_DATE0 + timedelta(days=day)).weekday()
        if kind == "regional" and dow < 5:
            tr.stay(at_local(day, rng.uniform(4.5, 6.0), tz))
            tr.go(rng, term)
            tr.stay(tr.t + rng.uniform(0.33, 0.75) * 3600)
            sites = REGIONAL[v["term"]]
            for i in rng.choice(len(sites), size=int(rng.integers(1, 3)), replace=False):
                tr.go(rng, v["sites"][i])
                tr.stay(tr.t + rng.uniform(0.5, 1.5) * 3600)
            tr.go(rng, term)
            tr.stay(tr.t + rng.uniform(0.25, 0.6) * 3600)
            tr.go(rng, v["home"])
        elif kind == "local" and dow < 6:
            tr.stay(at_local(day, rng.uniform(6, 7.5), tz))
            for _ in range(int(rng.integers(8, 15))):
                tr.go(rng, offset(term, rng.uniform(3, 25), rng.uniform(0, 360)))
                tr.stay(tr.t + rng.uniform(5, 25) * 60)
            tr.go(rng, term)
        elif kind == "tech" and (dow < 5 or (dow == 5 and rng.random() < 0.3)):
            tr.stay(at_local(day, rng.uniform(6.5, 8), tz))
            if dow < 5 and rng.random() < 0.6:
                tr.go(rng, v["work"])
                tr.stay(tr.t + rng.uniform(20, 45) * 60)
            jobs = v["jobs"]
            w = np.r_[6.0, np.ones(len(jobs) - 1)]
            for i in rng.choice(len(jobs), size=1 if dow == 5 else int(rng.integers(2, 6)), p=w / w.sum()):
                tr.go(rng, jobs[i])
                tr.stay(tr.t + rng.uniform(45, 150) * 60)
            tr.go(rng, v["home"])
        elif kind == "yard" and dow < 6:
            tr.stay(at_local(day, 6.0, tz))
            shift_end = at_local(day, 22.0, tz)
            while tr.t < shift_end:
                tr.go(rng, v["spots"][int(rng.integers(len(v["spots"])))])
                tr.stay(tr.t + rng.uniform(3, 20) * 60)
            tr.go(rng, v["stall"])
    tr.stay(t_end + 86400)
    return tr


def build_fleet(rng, n):
    counts = [max(1, int(round(share * n))) for _, share, *_ in KINDS]
    counts[0] += n - sum(counts)
    if counts[0] < 1:
        raise ValueError("need at least 10 vehicles")
    terms = list(TERMINALS)
    fleet, used = [], set()
    for (kind, _, utype, file, makes), cnt in zip(KINDS, counts):
        for i in range(cnt):
            term = terms[int(rng.integers(len(terms)))]
            az_ut = kind == "longhaul" and i == 0
            if az_ut:
                term = "PHX"  # at least one Arizona truck on western lanes (AZ -> UT/NV crossings)
            if kind in ("local", "tech") and i == 0:
                term = "DAL"  # the device-swap pair shares a terminal
            while True:
                uid = UNIT_BASE[utype] + int(rng.integers(1, 1000))
                if uid not in used:
                    used.add(uid)
                    break
            term_pos, tz = TERMINALS[term]
            v = {"vehicle_id": str(uid), "kind": kind, "unit_type": utype, "file": file,
                 "make": makes[int(rng.integers(len(makes)))], "model_year": int(rng.integers(2014, 2027)),
                 "term": term, "term_pos": term_pos, "tz": tz, "home": None, "work": term_pos, "az_ut": az_ut}
            if kind == "owner_op":
                v["term"], v["term_pos"], v["tz"] = "DAL", TERMINALS["DAL"][0], TERMINALS["DAL"][1]
                base = OWNER_OP_HOMES[int(rng.integers(len(OWNER_OP_HOMES)))]
                v["home"], v["work"] = offset(base, rng.uniform(8, 30), rng.uniform(0, 360)), None
            elif kind in ("longhaul", "regional", "tech"):
                v["home"] = offset(term_pos, rng.uniform(6, 30), rng.uniform(0, 360))
            if kind == "regional":
                v["sites"] = [offset(c, rng.uniform(0.5, 4), rng.uniform(0, 360)) for c in REGIONAL[term]]
            if kind == "tech":
                v["work"] = offset(term_pos, rng.uniform(6, 12), rng.uniform(0, 360))
                v["jobs"] = [offset(v["work"], rng.uniform(5, 45), rng.uniform(0, 360)) for _ in range(12)]
            if kind == "yard":
                v["spots"] = [offset(term_pos, rng.uniform(0.05, 0.4), rng.uniform(0, 360))
                              for _ in range(20)]
                v["stall"] = offset(term_pos, 0.1, rng.uniform(0, 360))
            if file == "pq":
                v["imei"] = int(350000000000000 + rng.integers(0, 10**13))
            fleet.append(v)
    return fleet


def _ll(p):
    return None if p is None else [round(p[0], 6), round(p[1], 6)]


def _path_miles(lat, lon):
    dy = np.diff(lat) * KM_LAT
    dx = np.diff(lon) * 111.320 * np.cos(np.radians(lat[1:]))
    return np.r_[0, np.cumsum(np.hypot(dx, dy))] / KM_PER_MI


def write_haulage_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> Path:
    if vehicles < 10 or days < 7:
        raise ValueError("haulage fleet needs vehicles >= 10 and days >= 7")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 20260308])
    fleet = build_fleet(rng, vehicles)
    lo = WINDOW_START.timestamp()
    hi = lo + days * 86400
    n_days = 14 + days + 2
    faults: dict = {}

    eld_v = sorted((v for v in fleet if v["file"] == "eld"), key=lambda v: v["vehicle_id"])
    pq_v = [v for v in fleet if v["file"] == "pq"]
    odo_v = next(v for v in eld_v if v["kind"] == "longhaul")
    frozen_v = [v for v in pq_v if v["kind"] == "tech"][-1]
    swap_from = next(v for v in pq_v if v["kind"] == "local")
    swap_to = next(v for v in pq_v if v["kind"] == "tech")
    swap_at = at_local(14 + int(days * 0.45), 12.0, swap_to["tz"])
    odo_at = lo + days * 86400 * rng.uniform(0.3, 0.7)

    # ---------------- ELD tractors
    frames = []
    for v in eld_v:
        vr = np.random.default_rng([seed, 1, int(v["vehicle_id"])])
        r = render(sim_vehicle(vr, v, n_days), vr, 120.0, 3600.0)
        odo = vr.uniform(150_000, 900_000) + _path_miles(r["lat"], r["lon"])
        keep = (r["t"] >= lo) & (r["t"] < hi)
        r = {k: a[keep] for k, a in r.items()}
        odo = odo[keep]
        if v is odo_v and len(odo):
            j = int(np.searchsorted(r["t"], odo_at))
            j = min(max(j, 1), len(odo) - 1)
            new = odo - odo[j] + round(float(vr.uniform(2, 40)), 1)
            faults["odometer_reset"] = {"vehicle_id": v["vehicle_id"], "at_utc": _iso(r["t"][j]),
                                        "last_before_mi": round(float(odo[j - 1]), 1),
                                        "first_after_mi": round(float(new[j]), 1)}
            odo = np.where(np.arange(len(odo)) >= j, new, odo)
        drivers = [f"D{int(vr.integers(10000, 99999))}" for _ in range(2)]
        date_s, time_s, zone_s = _home_clock(np.round(r["t"]).astype(np.int64), v["tz"])
        frames.append(pd.DataFrame({
            "Unit": v["vehicle_id"],
            "Driver": np.where(r["drv"].astype(int) == 1, drivers[1], drivers[0]) if v["kind"] == "team"
            else drivers[0],
            "Date": date_s, "Time": time_s, "Time Zone": zone_s,
            "Latitude": np.round(r["lat"], 5), "Longitude": np.round(r["lon"], 5),
            "Heading": np.round(r["hdg"]).astype(int) % 360,
            "Speed (mph)": np.round(r["spd"] / KM_PER_MI).astype(int),
            "Odometer (mi)": np.round(odo, 1),
            "Status": np.where(r["mov"], "Driving", "Parked"),
        }))
    eld = pd.concat(frames, ignore_index=True)
    # duplicates directly below their originals
    units = eld["Unit"].to_numpy()
    dup = rng.random(len(eld)) < 0.005
    rep = np.where(dup, 2, 1)
    eld = eld.loc[eld.index.repeat(rep)].reset_index(drop=True)
    faults["duplicate_rows"] = {"file": ELD_FILE, "count": int(dup.sum()), "by_unit": {
        k: int(c) for k, c in pd.Series(units[dup]).value_counts().sort_index().items()}}
    cuts = sorted(int(c) for c in rng.choice(np.arange(100, max(len(eld) - 100, 101)), 3, replace=False))
    header_lines, lines_before = [], 1
    with open(folder / ELD_FILE, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write(",".join(ELD_COLUMNS) + "\r\n")
        prev = 0
        for c in cuts + [len(eld)]:
            eld.iloc[prev:c].to_csv(fh, header=False, index=False, lineterminator="\r\n")
            lines_before += c - prev
            if c < len(eld):
                fh.write(",".join(ELD_COLUMNS) + "\r\n")
                lines_before += 1
                header_lines.append(lines_before)
            prev = c
    faults["repeated_header"] = {"file": ELD_FILE, "lines": header_lines}

    # ---------------- parquet light vehicles
    parts = []
    for v in pq_v:
        vr = np.random.default_rng([seed, 2, int(v["vehicle_id"])])
        r = render(sim_vehicle(vr, v, n_days), vr, 30.0, 3600.0)
        imei = np.full(len(r["t"]), v["imei"], dtype=np.int64)
        if v is swap_from:
            keep = r["t"] < swap_at
            r = {k: a[keep] for k, a in r.items()}
            imei = imei[keep]
        if v is swap_to:
            imei = np.where(r["t"] < swap_at, v["imei"], swap_from["imei"]).astype(np.int64)
        keep = (r["t"] >= lo) & (r["t"] < hi)
        r = {k: a[keep] for k, a in r.items()}
        imei = imei[keep]
        ms = np.round(r["t"] * 1000).astype(np.int64)
        lat7 = np.round(r["lat"] * 1e7).astype(np.int32)
        lon7 = np.round(r["lon"] * 1e7).astype(np.int32)
        if v is frozen_v:
            tz = v["tz"]
            d0 = 14 + int(days * 0.2) + 1
            while (SIM_DATE0 + timedelta(days=d0)).weekday() >= 4:
                d0 += 1
            f0 = int(at_local(d0, 9.0, tz) * 1000)
            f1 = int(f0 + vr.uniform(30, 54) * 3600_000)
            inside = (ms >= f0) & (ms <= f1)
            j = int(np.argmax(inside)) - 1
            lat7[inside], lon7[inside] = lat7[j], lon7[j]
            idx = np.flatnonzero(inside)
            faults["frozen_gps"] = {"vehicle_id": v["vehicle_id"], "imei": v["imei"],
                                    "start_ms": int(ms[idx[0]]), "end_ms": int(ms[idx[-1]]),
                                    "lat": int(lat7[j]) / 1e7, "lon": int(lon7[j]) / 1e7}
        parts.append(pd.DataFrame({
            "device_imei": imei, "gps_epoch_ms": ms, "lat_e7": lat7, "lon_e7": lon7,
            "speed_kph": np.round(r["spd"], 1).astype(np.float32),
            "heading": np.round(r["hdg"]).astype(np.int16) % 360, "ignition": r["mov"].astype(bool),
            "hdop": np.round(vr.gamma(4, 0.25, len(ms)) + 0.6, 1).astype(np.float32),
            "frozen": (v is frozen_v) & (ms >= faults.get("frozen_gps", {}).get("start_ms", 0))
            & (ms <= faults.get("frozen_gps", {}).get("end_ms", -1)),
        }))
    tele = pd.concat(parts, ignore_index=True).sort_values(["gps_epoch_ms", "device_imei"], kind="stable")
    tele = tele.reset_index(drop=True)
    zero = (rng.random(len(tele)) < 0.001) & ~tele["frozen"].to_numpy()
    tele.loc[zero, ["lat_e7", "lon_e7"]] = 0
    faults["no_fix_zeros"] = {"file": PQ_FILE, "count": int(zero.sum()), "by_imei": {
        str(k): int(c) for k, c in tele.loc[zero, "device_imei"].value_counts().sort_index().items()}}
    faults["device_swap"] = {"file": PQ_FILE, "imei": swap_from["imei"],
                             "from_vehicle": swap_from["vehicle_id"],
                             "to_vehicle": swap_to["vehicle_id"], "dead_imei": swap_to["imei"],
                             "at_ms": int(swap_at * 1000)}
    tele = tele.drop(columns="frozen")
    schema = pa.schema([("device_imei", pa.int64()), ("gps_epoch_ms", pa.int64()), ("lat_e7", pa.int32()),
                        ("lon_e7", pa.int32()), ("speed_kph", pa.float32()), ("heading", pa.int16()),
                        ("ignition", pa.bool_()), ("hdop", pa.float32())])
    table = pa.Table.from_arrays([pa.array(tele[c].to_numpy(), type=f.type) for c, f in
                                  zip(schema.names, schema)], schema=schema)
    pq.write_table(table, folder / PQ_FILE, row_group_size=200_000)

    # ---------------- vehicles, labels, truth
    pd.DataFrame({
        "vehicle_id": [v["vehicle_id"] for v in fleet], "unit_type": [v["unit_type"] for v in fleet],
        "make": [v["make"] for v in fleet], "model_year": [v["model_year"] for v in fleet],
        "home_terminal": [v["term"] for v in fleet], "home_terminal_tz": [v["tz"] for v in fleet],
        "device_imei": [str(v.get("imei", "")) for v in fleet],
    }).to_csv(folder / "vehicles.csv", index=False)

    rows, wrong = [], []
    for v in fleet:
        places = [(lab, v[lab]) for lab in ("home", "work") if v[lab] is not None]
        if not places or rng.random() >= 0.75:
            continue
        for lab, p in places:
            q = offset(p, rng.uniform(0.010, 0.030), rng.uniform(0, 360))
            if rng.random() < 0.05:
                other = fleet[int(rng.integers(len(fleet)))]
                src = other["home"] or other["work"]
                if src is None or km(src, p) < 1:
                    src = offset(p, rng.uniform(3, 15), rng.uniform(0, 360))
                q = offset(src, rng.uniform(0.010, 0.030), rng.uniform(0, 360))
                wrong.append({"vehicle_id": v["vehicle_id"], "label": lab, "lat": round(q[0], 6),
                              "lon": round(q[1], 6), "error": "elsewhere", "true": _ll(p)})
            rows.append((v["vehicle_id"], lab, round(q[0], 6), round(q[1], 6)))
    labels = pd.DataFrame(rows, columns=["vehicle_id", "label", "lat", "lon"])
    labels.to_csv(folder / "labels.csv", index=False)

    truth = {
        "window": {"start_utc": _iso(lo), "end_utc": _iso(hi), "dst_start_local": "2026-03-08T02:00"},
        "vehicles": {v["vehicle_id"]: {
            "home": _ll(v["home"]), "work": _ll(v["work"]), "kind": v["kind"], "home_terminal": v["term"],
            "home_terminal_tz": v["tz"], "file": ELD_FILE if v["file"] == "eld" else PQ_FILE,
            "file_id": v["vehicle_id"] if v["file"] == "eld" else v["imei"]} for v in fleet},
        "wrong_labels": wrong,
        "faults": faults,
    }
    (folder / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    return folder


def _iso(t: float) -> str:
    return datetime.fromtimestamp(round(float(t)), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(folder) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(folder).iterdir()):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_haulage_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main()
