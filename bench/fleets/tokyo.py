"""Synthetic Tokyo-area + Osaka fleet over Golden Week 2026 (JST, UTC+9, no DST).

``write_tokyo_fleet(folder, vehicles=120, days=28, seed=0)`` writes five files into ``folder``.
Same arguments -> byte-identical files; another seed -> different files.  CLI:
``python bench/fleets/tokyo.py OUT [--vehicles N] [--days D] [--seed S]``.

The window starts Monday 2026-04-20 00:00 local time and lasts ``days`` days (the default 28
ends 2026-05-17 and contains Golden Week).  Public holidays used: 04-29, 05-03, 05-04, 05-05,
05-06 (plus Saturdays and Sundays); 04-30 and 05-01 are working/school days.

Files
-----
``tokyo_pings.csv`` - vehicles of the Tokyo area (Tokyo 23 wards, Tama, Kawasaki/Yokohama,
    Saitama).  Encoded CP932 (Shift-JIS, no BOM), CRLF line ends, as Japanese Excel writes it.
    Header ``車両番号,日時,緯度,経度,速度``: vehicle id (either a plate-like id such as
    ``品川 300 さ 12-34`` or a plain number such as ``104233``), naive local time
    ``2026/04/29 08:15:30``, latitude, longitude (degrees, <= 6 decimals), speed km/h (1 decimal).
    Rows sorted by vehicle, then by written time; exact duplicate rows sit next to the original.
``osaka_pings.csv`` - vehicles of Osaka, UTF-8, LF line ends, header
    ``device_id,timestamp_jst,latitude,longitude,speed_kmh``; device_id is a 15-digit IMEI-like
    number; timestamp_jst naive local ISO ``2026-04-29T08:15:30``.  Rows sorted by time across
    devices; a re-exported block (one device-day, repeated verbatim) is appended at the end.
``labels.csv`` - ``vehicle_id,label,lat,lon``; label is ``home`` or ``work``; for ~75 % of the
    vehicles (their non-null truth places), WGS84, 10-30 m from the truth position; ~5 % of the
    labelled vehicles carry one wrong label (listed in truth ``wrong_labels``).
``vehicles.csv`` - ``vehicle_id,source,city,device,datum``.  device is one of
    ``OEM-TCU`` (connected-car unit: a fix every 1-5 s (fixed per vehicle) while moving, plus an
    ignition-on and ignition-off fix; silent when parked), ``OBD-DG30`` (aftermarket dongle:
    every 30 s moving + ignition on/off fixes), ``NV-LOG7`` (old navi-linked logger: every 10 s
    moving + ignition on/off fixes, positions in the Tokyo datum), ``FTB-60`` (fleet telematics
    box: a fix every 60 s, always, also when parked, speed 0; no fix at all while inside an
    underground/multi-storey car park).  datum is what the vendor metadata says (``WGS84`` or
    ``Tokyo97``; one NV-LOG7 vehicle is wrongly listed as WGS84, see faults).
``truth.json`` - ``{"tz": "Asia/Tokyo", "window": {"start", "end"} (local ISO),
    "holidays": [...], "vehicles": {id: {"home": [lat, lon] | null, "work": [lat, lon] | null,
    "kind", "region" (tokyo|osaka: which pings file), "area", "device",
    "home_parking": "surface" | "underground",
    "home_ramp": [lat, lon] | null, "block": apartment/depot block id | null,
    "gw_trip": {"family": [lat, lon], "km", "depart", "return"} | null, "same_as": id | null}},
    "wrong_labels": [{"vehicle_id", "label", "lat", "lon", "reason"}], "faults": {...}}``.
    All truth coordinates are WGS84.  ``home`` is the spot where the car stands overnight
    (for a taxi: its company's depot bay; for an underground car park: the bay, not the ramp).

Kinds (truth ``kind``; with >= 10 vehicles each of the 8 occurs at least once)
-----
``weekend_car``  owner commutes by train: work null; drives on Sat/Sun/holidays (1-3 places)
    and on ~20 % of weekday evenings (supermarket).
``commuter``     drives to an office/factory 5-25 km away on working days ~07:30-18:00.
``salesman``     company car, home -> office car park (central, often underground) ~08:00,
    4-8 visits of 20-60 min to its ~25 clients (30 % with underground car parks), back to the
    office, home in the evening; parked on days off.
    work = the office.
``kei_delivery`` owner-driver kei truck: home -> depot 07:30, 18-30 drops of 3-8 min near the
    depot with a reload at the depot at midday, home in the evening; Mon-Sat incl. Golden Week
    (one GW day off).  work = the depot.
``taxi``         kakujitsu rota: every other day one shift leaving the depot ~07:00 and back
    ~03:00 next day (fares all over town, a meal break), then standing at the depot ~28 h.
    home = the depot bay (the car's overnight place), work = null.  Taxis of one company share
    the depot (bays within 40 m).  Device FTB-60.
``konbini_night`` convenience-store night shift: at the store 22:00-07:00 five nights a week
    (two fixed weekdays off, Golden Week included).  work = the store (surface lot).
``school_run``   kindergarten/private school drop ~08:10 and pick-up ~14:30 on school days;
    half of them have a part-time job in between (work = the job, else null).
``elderly``      no work; on ~55 % of days one late-morning outing (clinic, supermarket, park),
    slow driving, never at night.
Homes are in apartment blocks of 1-6 vehicles (bays within 40 m of each other); a block's
car park is a surface lot or underground - then the last fix is at the ramp, 20-60 m from the
bay.  Some workplaces (central offices) are underground too.  Private kinds (weekend_car,
commuter, school_run, elderly) may drive to family 100-500 km away in Golden Week for 2-5
nights (an expressway trip at 80-90 km/h, a service-area stop if > 200 km; truth home unchanged).

Trips follow a road-like path (waypoints with L-shaped corners in town, a few bends on long
trips), trapezoidal speed profile (0.8-1.6 m/s2 acceleration at both ends), cruise 15-45 km/h
in town (elderly drivers x 0.8), 60-80 km/h on urban expressways, 80-90 km/h on long trips.
GPS noise ~4 m moving, ~3 m parked; reported speed = profile speed +-2 % (capped at +-5 %),
0 at ignition on/off fixes.

Faults (all in truth ``faults``)
------
``tokyo_datum``: vehicles with NV-LOG7 devices (~10 %) write Tokyo-datum (Tokyo97) positions,
    i.e. their fixes sit ~440-460 m south-east of the WGS84 truth/labels (standard approximate
    conversion WGS84 = f(Tokyo) in the brief; the generator inverts it).  ``datum_misreported``:
    the NV-LOG7 vehicle listed with datum WGS84 in vehicles.csv.
``utc_clock``: vehicles whose stamps are UTC written as local time (stamp = true local - 9 h).
``duplicates``: {file: number of rows that exactly repeat an earlier row}.
``reexport``: the osaka device-day repeated at the end of osaka_pings.csv.
``multipath``: [{vehicle_id, start, end (true local ISO), offset_m}]: moving fixes in central
    Tokyo (Shinjuku, Marunouchi, Shibuya) offset 50-300 m for 40-80 s.
``same_vehicle``: one Tokyo-area car that also carries an Osaka-vendor dongle: its fixes appear
    in tokyo_pings.csv under its own id and in osaka_pings.csv under another device id (every
    30 s, same clock); both ids are in truth ``vehicles`` (``same_as`` names the other).
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

START = datetime(2026, 4, 20)
HOLIDAYS = [date(2026, 4, 29), date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 6)]
M_LAT = 111_320.0
KINDS = ["weekend_car", "commuter", "salesman", "kei_delivery", "taxi", "konbini_night",
         "school_run", "elderly"]
KIND_WEIGHTS = [0.2, 0.2, 0.1, 0.1, 0.12, 0.08, 0.1, 0.1]
# (name, lat, lon, radius m, region file)
AREAS = {
    "tokyo": [("Tokyo-23ku", 35.690, 139.720, 7000), ("Tama", 35.665, 139.420, 4500),
              ("Kawasaki-Yokohama", 35.500, 139.620, 6500), ("Saitama", 35.870, 139.640, 5000)],
    "osaka": [("Osaka", 34.680, 135.505, 7500)],
}
CENTRAL = [(35.6909, 139.7003), (35.6812, 139.7671), (35.6580, 139.7016)]
OFFICE_HUBS = {"tokyo": CENTRAL, "osaka": [(34.7025, 135.4959), (34.6840, 135.5030)]}
FAMILY_TOWNS = {
    "tokyo": [(38.268, 140.870), (37.916, 139.036), (36.648, 138.194), (35.170, 136.882),
              (37.750, 140.467), (34.975, 138.383), (36.238, 137.972), (36.561, 136.656),
              (39.702, 141.154)],
    "osaka": [(34.385, 132.455), (34.655, 133.919), (35.170, 136.882), (36.561, 136.656),
              (33.559, 133.531), (35.468, 133.048), (33.590, 130.401), (34.070, 134.555)],
}
PLATE_AREAS = {"Tokyo-23ku": ["品川", "練馬", "足立", "世田谷"], "Tama": ["多摩", "八王子"],
               "Kawasaki-Yokohama": ["横浜", "川崎"], "Saitama": ["大宮", "所沢"]}
PRIVATE_KANA = list("さすせそたちつてとなにぬねのはひふほまみむめもやゆよらりるろ")
BUSINESS_KANA = list("あいうえかきくけこを")
DEVICE_OEM, DEVICE_DONGLE, DEVICE_TKY, DEVICE_BOX = "OEM-TCU", "OBD-DG30", "NV-LOG7", "FTB-60"


def _dist(lat1, lon1, lat2, lon2):
    """Equirectangular distance in metres (numpy-friendly)."""
    dn = (np.asarray(lat2) - lat1) * M_LAT
    de = (np.asarray(lon2) - lon1) * M_LAT * np.cos(np.radians((np.asarray(lat1) + lat2) / 2))
    return np.hypot(dn, de)


def _offset(lat, lon, dn, de):
    return lat + dn / M_LAT, lon + de / (M_LAT * math.cos(math.radians(lat)))


def tokyo_to_wgs(lat, lon):
    """The standard approximate Tokyo-datum -> WGS84 conversion."""
    return (lat - 0.00010695 * lat + 0.000017464 * lon + 0.0046017,
            lon - 0.000046038 * lat - 0.000083043 * lon + 0.010040)


def wgs_to_tokyo(lat, lon):
    """Inverse of tokyo_to_wgs by fixed-point iteration (error << 1 mm)."""
    tl, tn = lat, lon
    for _ in range(4):
        wl, wn = tokyo_to_wgs(tl, tn)
        tl, tn = tl + (lat - wl), tn + (lon - wn)
    return tl, tn


@dataclass
class Place:
    lat: float
    lon: float
    ug: bool = False
    rlat: float = 0.0
    rlon: float = 0.0

    @property
    def ramp(self):
        return (self.rlat, self.rlon) if self.ug else (self.lat, self.lon)


@dataclass
class Trip:
    dep: int
    dur: float
    pts: np.ndarray  # (n, 2) lat, lon
    cum: np.ndarray  # metres along the path
    v: float
    a: float
    r0: float  # path metres inside the origin's underground car park (no fix)
    r1: float  # path metres inside the destination's underground car park
    dest: int

    @property
    def arr(self) -> int:
        return self.dep + int(math.ceil(self.dur))

    def s_v(self, t):
        """Distance along the path and speed (m/s) at seconds t after departure."""
        t = np.clip(t, 0, self.dur)
        length = self.cum[-1]
        ta = min(self.v / self.a, self.dur / 2)
        vmax = self.a * ta
        s = np.where(t < ta, 0.5 * self.a * t ** 2,
                     np.where(t > self.dur - ta, length - 0.5 * self.a * (self.dur - t) ** 2,
                              0.5 * self.a * ta ** 2 + vmax * (t - ta)))
        v = np.where(t < ta, self.a * t, np.where(t > self.dur - ta, self.a * (self.dur - t), vmax))
        return np.clip(s, 0, length), np.maximum(v, 0)

    def t_at(self, s):
        grid = np.arange(0, self.dur + 1.0, 0.5)
        return float(np.interp(s, self.s_v(grid)[0], grid))


def _make_trip(rng, a: Place, b: Place, dep: int, dest: int, slow: float) -> Trip:
    p0, p1 = a.ramp, b.ramp
    d = float(_dist(p0[0], p0[1], p1[0], p1[1]))
    if d > 50_000:
        v, nmid, spread, corners = rng.uniform(80, 90), 5, 0.05, False
    elif d > 12_000 and rng.random() < 0.6:
        v, nmid, spread, corners = rng.uniform(60, 80), 2, 0.1, True
    elif d > 3000:
        v, nmid, spread, corners = rng.uniform(25, 45), 2, 0.12, True
    else:
        v, nmid, spread, corners = rng.uniform(15, 32), (1 if d > 800 else 0), 0.12, True
    v = v * slow / 3.6
    f = np.sort(rng.uniform(0.15, 0.85, nmid))
    lat = p0[0] + f * (p1[0] - p0[0])
    lon = p0[1] + f * (p1[1] - p0[1])
    perp = rng.normal(0, spread * d, nmid)
    # perpendicular offset in metres
    kx = M_LAT * math.cos(math.radians(p0[0]))
    dn, de = (p1[0] - p0[0]) * M_LAT, (p1[1] - p0[1]) * kx
    norm = math.hypot(dn, de) or 1.0
    lat = lat + perp * (de / norm) / M_LAT
    lon = lon - perp * (dn / norm) / kx
    way = [p0] + list(zip(lat, lon)) + [p1]
    pts = [(a.lat, a.lon)] if a.ug else []
    for i, q in enumerate(way):
        if i and corners:
            prev = way[i - 1]
            pts.append((q[0], prev[1]) if rng.random() < 0.5 else (prev[0], q[1]))
        pts.append(q)
    if b.ug:
        pts.append((b.lat, b.lon))
    pts = np.array(pts, dtype=float)
    seg = _dist(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
    keep = np.concatenate([[True], seg > 0.01])
    pts = pts[keep]
    cum = np.concatenate([[0.0], np.cumsum(seg[seg > 0.01])])
    if len(cum) < 2:  # origin == destination: a tiny loop
        pts = np.vstack([pts, pts[:1] + 1e-4, pts[:1]])
        seg = _dist(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        cum = np.concatenate([[0.0], np.cumsum(seg)])
    acc = rng.uniform(0.8, 1.6)
    length = cum[-1]
    dur = length / v + v / acc if length >= v * v / acc else 2 * math.sqrt(length / acc)
    r0 = float(_dist(a.lat, a.lon, a.rlat, a.rlon)) if a.ug else 0.0
    r1 = float(_dist(b.lat, b.lon, b.rlat, b.rlon)) if b.ug else 0.0
    return Trip(dep, dur, pts, cum, v, acc, r0, r1, dest)


class Life:
    """A vehicle's itinerary, built in time order."""

    def __init__(self, rng, start: Place, slow=1.0):
        self.rng, self.places, self.cur, self.t, self.trips, self.slow = rng, [start], 0, 0, [], slow

    def add(self, p: Place) -> int:
        self.places.append(p)
        return len(self.places) - 1

    def go(self, dest: int, at: float) -> int:
        dep = max(int(at), self.t + 60)
        if dest == self.cur:
            return dep
        trip = _make_trip(self.rng, self.places[self.cur], self.places[dest], dep, dest, self.slow)
        self.trips.append(trip)
        self.cur, self.t = dest, trip.arr
        return trip.arr

    def tour(self, at: float, stops) -> int:
        t = at
        for dest, dwell in stops:
            t = self.go(dest, t) + dwell
        return t


def _near(rng, lat, lon, rmin, rmax, ug=False) -> Place:
    r, th = rng.uniform(rmin, rmax), rng.uniform(0, 2 * math.pi)
    la, lo = _offset(lat, lon, r * math.cos(th), r * math.sin(th))
    p = Place(la, lo)
    if ug:
        _underground(rng, p)
    return p


def _underground(rng, p: Place, ramp=None):
    p.ug = True
    if ramp is None:
        r, th = rng.uniform(25, 55), rng.uniform(0, 2 * math.pi)
        ramp = _offset(p.lat, p.lon, r * math.cos(th), r * math.sin(th))
    p.rlat, p.rlon = ramp


H = 3600


def _hm(rng, h, sd_min=10):
    return int(h * H + rng.normal(0, sd_min * 60))


def _outing(life, rng, base, home, n_max=3):
    lat, lon = life.places[home].lat, life.places[home].lon
    stops = [(life.add(_near(rng, lat, lon, 1500, 25000)), int(rng.uniform(45, 180) * 60))
             for _ in range(rng.integers(1, n_max + 1))]
    life.tour(base + _hm(rng, 10.5, 60), stops + [(home, 0)])


def _build(rng, v, cal, days):
    """Fill v['life'] with trips according to v['kind']."""
    kind, home = v["kind"], 0
    life = Life(rng, v["home_place"], slow=0.8 if kind == "elderly" else 1.0)
    v["life"] = life
    lat, lon = v["home_place"].lat, v["home_place"].lon
    work = life.add(v["work_place"]) if v.get("work_place") else None
    superm = life.add(_near(rng, lat, lon, 600, 2500))
    if kind == "school_run":
        v["school"] = life.add(_near(rng, lat, lon, 1000, 5000))
    if kind == "salesman":
        wp = v["work_place"]
        v["clients"] = [life.add(_near(rng, wp.lat, wp.lon, 500, 7000, ug=rng.random() < 0.3))
                        for _ in range(25)]
    gw = v.get("gw_trip")
    away = set(range(gw["d0"], gw["d1"] + 1)) if gw else set()
    if gw:
        fam = life.add(gw["place"])
        sa = life.add(gw["sa"]) if gw["sa"] is not None else None
    off_days = set(int(d) for d in rng.choice([1, 2, 3, 4, 5], 2, replace=False))  # konbini
    bridge = {d for d in range(days) if cal["bridge"][d] and rng.random() < 0.5}
    gw_off = int(rng.choice(cal["gw_days"])) if cal["gw_days"] else -1
    parity = int(rng.integers(0, 2))
    for d in range(days):
        base = d * 86400
        off, wd = cal["off"][d], cal["weekday"][d]
        workday = not off and d not in bridge
        if d in away:
            if d == gw["d0"]:
                stops = ([(sa, int(rng.uniform(20, 35) * 60))] if sa is not None else []) + [(fam, 0)]
                life.tour(base + _hm(rng, 8, 45), stops)
            elif d == gw["d1"]:
                stops = ([(sa, int(rng.uniform(20, 35) * 60))] if sa is not None else []) + [(home, 0)]
                life.tour(base + _hm(rng, 11, 45), stops)
            elif rng.random() < 0.6:
                fl, fo = gw["place"].lat, gw["place"].lon
                life.tour(base + _hm(rng, 11, 45),
                          [(life.add(_near(rng, fl, fo, 1000, 8000)), int(rng.uniform(60, 180) * 60)),
                           (fam, 0)])
            continue
        if kind == "weekend_car":
            if off and rng.random() < 0.8:
                _outing(life, rng, base, home)
            elif not off and rng.random() < 0.2:
                life.tour(base + _hm(rng, 19.5, 30), [(superm, int(rng.uniform(15, 40) * 60)), (home, 0)])
        elif kind == "commuter":
            if workday:
                life.go(work, base + _hm(rng, 7.4, 15))
                back = base + _hm(rng, 18.2, 40)
                if rng.random() < 0.3:
                    life.tour(back, [(superm, int(rng.uniform(15, 30) * 60)), (home, 0)])
                else:
                    life.go(home, back)
            elif off and rng.random() < 0.5:
                _outing(life, rng, base, home, 2)
        elif kind == "salesman":
            if workday:
                life.go(work, base + _hm(rng, 8.0, 10))
                clients = [(int(rng.choice(v["clients"])), int(rng.uniform(20, 60) * 60))
                           for _ in range(rng.integers(4, 9))]
                t = life.tour(base + _hm(rng, 9.2, 10), clients + [(work, int(rng.uniform(30, 90) * 60))])
                life.go(home, max(t, base + _hm(rng, 18.0, 20)))
        elif kind == "kei_delivery":
            if wd != 6 and d != gw_off:
                dl, do = v["work_place"].lat, v["work_place"].lon
                drops = [(life.add(_near(rng, dl, do, 300, 3500)), int(rng.uniform(3, 8) * 60))
                         for _ in range(rng.integers(10, 17))]
                drops2 = [(life.add(_near(rng, dl, do, 300, 3500)), int(rng.uniform(3, 8) * 60))
                          for _ in range(rng.integers(8, 15))]
                life.tour(base + _hm(rng, 7.5, 10),
                          [(work, int(rng.uniform(35, 55) * 60))] + drops
                          + [(work, int(rng.uniform(30, 50) * 60))] + drops2
                          + [(work, int(rng.uniform(10, 20) * 60)), (home, 0)])
        elif kind == "taxi":
            if (d + parity) % 2 == 0:
                life.go(home, base)  # no-op: the taxi is at the depot
                t = base + _hm(rng, 7.0, 8)
                end = base + 26.4 * H  # last fare starts by ~02:25 next day
                meal = False
                while t < end:
                    p = _near(rng, v["area"][1], v["area"][2], 0, v["area"][3] * 1.2)
                    if float(_dist(p.lat, p.lon, lat, lon)) < 1500:
                        continue
                    if not meal and t > base + 12 * H:
                        dwell, meal = int(rng.uniform(45, 60) * 60), True
                    else:
                        dwell = int(rng.uniform(3, 25) * 60)
                    t = life.go(life.add(p), t) + dwell
                life.go(home, t)
        elif kind == "konbini_night":
            if d > 0 and (wd - 1) % 7 not in off_days and life.cur == work:
                life.go(home, base + _hm(rng, 7.08, 5))
            if rng.random() < 0.25:
                life.tour(base + _hm(rng, 15, 40), [(superm, int(rng.uniform(15, 40) * 60)), (home, 0)])
            if wd not in off_days:
                life.go(work, base + _hm(rng, 21.55, 5))
        elif kind == "school_run":
            if not off:
                life.go(v["school"], base + _hm(rng, 8.1, 8))
                if work is not None:
                    life.go(work, life.t + int(rng.uniform(3, 8) * 60))
                elif rng.random() < 0.3:
                    life.tour(life.t + 300, [(superm, int(rng.uniform(15, 40) * 60)), (home, 0)])
                else:
                    life.go(home, life.t + int(rng.uniform(3, 8) * 60))
                pick_up = [(v["school"], int(rng.uniform(10, 20) * 60)), (home, 0)]
                life.tour(base + _hm(rng, 14.2, 10), pick_up)
            elif rng.random() < 0.5:
                _outing(life, rng, base, home, 2)
        elif kind == "elderly":
            if rng.random() < 0.55:
                n = int(rng.integers(1, 3))
                stops = [(superm if rng.random() < 0.4 else life.add(_near(rng, lat, lon, 800, 4000)),
                          int(rng.uniform(30, 120) * 60)) for _ in range(n)]
                life.tour(base + _hm(rng, 10.0, 35), stops + [(home, 0)])
    return life


def _pings(life: Life, device: str, rng, total: int, interval: int):
    """Fixes (t, lat, lon, speed km/h, trip index or -1) of one device in one car, WGS84."""
    trips = life.trips
    ts, las, los, sps, tix = [], [], [], [], []
    deps = np.array([tr.dep for tr in trips], dtype=np.int64)
    arrs = np.array([tr.arr for tr in trips], dtype=np.int64)
    if device == DEVICE_BOX:
        grid = np.arange(int(rng.integers(0, 60)), total, 60, dtype=np.int64)
        k = np.searchsorted(deps, grid, side="right") - 1
        moving = (k >= 0) & (grid < arrs[np.maximum(k, 0)]) if len(trips) else np.zeros(len(grid), bool)
        parked = ~moving
        place_idx = np.where(k >= 0, np.array([tr.dest for tr in trips] + [0])[k], 0)
        plat = np.array([p.lat for p in life.places])
        plon = np.array([p.lon for p in life.places])
        pug = np.array([p.ug for p in life.places])
        keep = parked & ~pug[place_idx]
        n = int(keep.sum())
        ts.append(grid[keep])
        las.append(plat[place_idx[keep]] + rng.normal(0, 3, n) / M_LAT)
        los.append(plon[place_idx[keep]] + rng.normal(0, 3, n) / (M_LAT * 0.82))
        sps.append(np.zeros(n))
        tix.append(np.full(n, -1))
        mv_t, mv_k = grid[moving], k[moving]
        bounds = np.searchsorted(mv_k, np.arange(len(trips) + 1))
    for i, tr in enumerate(trips):
        if device == DEVICE_BOX:
            t = mv_t[bounds[i]:bounds[i + 1]]
            if not len(t):
                continue
        else:
            t = np.arange(tr.dep + int(rng.integers(0, interval)), tr.arr, interval, dtype=np.int64)
            t = np.unique(np.concatenate([[tr.dep], t, [tr.arr]]))
        rel = (t - tr.dep).astype(float)
        s, v = tr.s_v(rel)
        length = tr.cum[-1]
        inside = (s < tr.r0 - 1e-6) | (s > length - tr.r1 + 1e-6)
        if device != DEVICE_BOX and (tr.r0 or tr.r1):
            extra = []
            if tr.r0:
                extra.append(tr.dep + int(math.ceil(tr.t_at(tr.r0))))
            if tr.r1:
                extra.append(tr.dep + int(math.floor(tr.t_at(length - tr.r1))))
            t = np.unique(np.concatenate([t[~inside], extra]))
            rel = (t - tr.dep).astype(float)
            s, v = tr.s_v(rel)
            s = np.clip(s, tr.r0, length - tr.r1)
            inside = np.zeros(len(t), bool)
        t, s, v = t[~inside], s[~inside], v[~inside]
        n = len(t)
        if not n:
            continue
        lat = np.interp(s, tr.cum, tr.pts[:, 0]) + rng.normal(0, 4, n) / M_LAT
        lon = np.interp(s, tr.cum, tr.pts[:, 1]) + rng.normal(0, 4, n) / (M_LAT * 0.82)
        spd = np.where(v > 0.3, v * 3.6 * (1 + np.clip(rng.normal(0, 0.02, n), -0.05, 0.05)), 0.0)
        ts.append(t)
        las.append(lat)
        los.append(lon)
        sps.append(np.maximum(spd, 0))
        tix.append(np.full(n, i))
    t = np.concatenate(ts) if ts else np.zeros(0, np.int64)
    out = [t, np.concatenate(las) if las else np.zeros(0), np.concatenate(los) if los else np.zeros(0),
           np.concatenate(sps) if sps else np.zeros(0), np.concatenate(tix) if tix else np.zeros(0, int)]
    order = np.argsort(t, kind="stable")
    out = [a[order] for a in out]
    ok = (out[0] >= 0) & (out[0] < total)
    return [a[ok] for a in out]


def _multipath(rng, vid, t, lat, lon, spd, tix, records):
    """Offset 40-80 s of moving fixes in central Tokyo by 50-300 m (in place)."""
    if not len(t):
        return
    near = np.zeros(len(t), bool)
    for c in CENTRAL:
        near |= _dist(c[0], c[1], lat, lon) < 1500
    near &= spd > 0
    for k in np.unique(tix[near]):
        if rng.random() > 0.4:
            continue
        idx = np.flatnonzero(near & (tix == k))
        t0 = int(t[idx[int(rng.integers(0, len(idx)))]])
        span = int(rng.integers(40, 81))
        sel = (tix == k) & (t >= t0) & (t <= t0 + span)
        mag, th = rng.uniform(50, 300), rng.uniform(0, 2 * math.pi)
        m = int(sel.sum())
        lat[sel] += (mag * math.cos(th) + rng.normal(0, 8, m)) / M_LAT
        lon[sel] += (mag * math.sin(th) + rng.normal(0, 8, m)) / (M_LAT * math.cos(math.radians(lat[sel][0])))
        records.append({"vehicle_id": vid, "start": _iso(t0), "end": _iso(t0 + span),
                        "offset_m": round(float(mag), 1)})


def _iso(sec: int) -> str:
    return (START + timedelta(seconds=int(sec))).isoformat()


def _stamps(sec: np.ndarray, style: str) -> np.ndarray:
    s = np.datetime_as_string(np.datetime64(START, "s") + sec.astype("timedelta64[s]"), unit="s")
    b = s.astype("S19")
    if style == "jp":
        m = b.view(np.uint8).reshape(-1, 19).copy()
        m[:, 4] = m[:, 7] = ord("/")
        m[:, 10] = ord(" ")
        b = m.view("S19").ravel()
    return b.astype(str)


def _calendar(days):
    cal = {"off": [], "weekday": [], "bridge": [], "gw_days": []}
    for d in range(days):
        day = (START + timedelta(days=d)).date()
        cal["weekday"].append(day.weekday())
        cal["off"].append(day.weekday() >= 5 or day in HOLIDAYS)
        cal["bridge"].append(day in (date(2026, 4, 30), date(2026, 5, 1)))
        if day in HOLIDAYS:
            cal["gw_days"].append(d)
    return cal


def _r6(x):
    return [round(float(x[0]), 6), round(float(x[1]), 6)]


def write_tokyo_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 7001])
    total = days * 86400
    cal = _calendar(days)
    n = vehicles
    kinds = list(KINDS) if n >= len(KINDS) else []
    kinds += list(rng.choice(KINDS, n - len(kinds), p=KIND_WEIGHTS))
    kinds = [str(k) for k in rng.permutation(kinds)]
    regions = ["osaka" if rng.random() < 0.3 else "tokyo" for _ in range(n)]
    if n >= 10:  # taxis and multipath-prone kinds in both files
        regions[kinds.index("taxi")] = "tokyo"
        regions[kinds.index("salesman")] = "tokyo"
        if "osaka" not in regions:
            regions[-1] = "osaka"
    vs = []
    for i in range(n):
        reg = regions[i]
        area = AREAS[reg][int(rng.integers(0, len(AREAS[reg])))]
        vs.append({"i": i, "kind": kinds[i], "region": reg, "area": area})
    # --- homes: apartment blocks (1-6 vehicles) and taxi depots (shared) ---------------------
    blocks = []
    big_block = n < 10
    by_area: dict = {}
    for v in vs:
        key = (v["area"][0], v["kind"] == "taxi")
        by_area.setdefault(key, []).append(v)
    for (_aname, is_taxi), members in sorted(by_area.items()):
        members = list(members)
        while members:
            size = len(members) if is_taxi and len(members) <= 6 else int(rng.choice([1, 1, 2, 3, 4, 5, 6]))
            if not big_block and not is_taxi and len(members) >= 3:
                size, big_block = max(size, 3), True  # at least one shared car park of >= 3 cars
            group, members = members[:size], members[size:]
            a = group[0]["area"]
            c = _near(rng, a[1], a[2], 0, a[3])
            ug = (not is_taxi) and rng.random() < 0.35
            ramp = None
            if ug:
                r, th = rng.uniform(38, 42), rng.uniform(0, 2 * math.pi)
                ramp = _offset(c.lat, c.lon, r * math.cos(th), r * math.sin(th))
            bid = f"{'depot' if is_taxi else 'block'}-{len(blocks):03d}"
            blocks.append(bid)
            for v in group:
                p = _near(rng, c.lat, c.lon, 0, 18)
                if ug:
                    _underground(rng, p, ramp)
                v["home_place"], v["block"] = p, bid
    # --- work places, devices -----------------------------------------------------------------
    for v in vs:
        h, k, reg, a = v["home_place"], v["kind"], v["region"], v["area"]
        if k == "commuter":
            v["work_place"] = _near(rng, h.lat, h.lon, 5000, 25000, ug=rng.random() < 0.3)
        elif k == "salesman":
            hub = OFFICE_HUBS[reg][int(rng.integers(0, len(OFFICE_HUBS[reg])))]
            v["work_place"] = _near(rng, hub[0], hub[1], 100, 900, ug=rng.random() < 0.7)
        elif k == "kei_delivery":
            v["work_place"] = _near(rng, h.lat, h.lon, 3000, 12000)
        elif k == "konbini_night":
            v["work_place"] = _near(rng, h.lat, h.lon, 1000, 4000)
        elif k == "school_run":
            if rng.random() < 0.5:
                v["work_place"] = _near(rng, h.lat, h.lon, 1000, 4000)
        if k == "taxi":
            v["device"], v["interval"] = DEVICE_BOX, 60
        elif k in ("salesman",) or (k == "kei_delivery" and rng.random() < 0.6):
            v["device"], v["interval"] = DEVICE_BOX, 60
        elif rng.random() < 0.5:
            v["device"], v["interval"] = DEVICE_OEM, int(rng.choice([1, 2, 3, 5], p=[0.1, 0.2, 0.3, 0.4]))
        else:
            v["device"], v["interval"] = DEVICE_DONGLE, 30
    # --- faults: datum device, UTC clocks -----------------------------------------------------
    private = [v for v in vs if v["kind"] in ("weekend_car", "commuter", "school_run", "elderly",
                                              "kei_delivery", "konbini_night")]
    surface_private = [v for v in private if not v["home_place"].ug] or private
    n_tky = max(1, round(0.1 * n)) if n >= 10 else 0
    order = rng.permutation(len(surface_private))
    tky = [surface_private[j] for j in order[:n_tky]]
    for v in tky:
        v["device"], v["interval"] = DEVICE_TKY, 10
    day_kinds = [v for v in vs if v["kind"] in ("commuter", "salesman", "school_run", "elderly",
                                                "kei_delivery") and v not in tky]
    n_utc = (2 if n >= 40 else 1) if n >= 10 else 0
    utc = [day_kinds[j] for j in rng.permutation(len(day_kinds))[:n_utc]]
    # --- Golden Week trips ----------------------------------------------------------------------
    gw_start = [d for d in cal["gw_days"] if d + 2 < days]
    for v in vs:
        v["gw_trip"] = None
        p_trip = {"weekend_car": 0.6, "commuter": 0.5, "school_run": 0.6, "elderly": 0.15}.get(v["kind"], 0)
        if not gw_start or rng.random() >= p_trip:
            continue
        d0 = int(rng.choice([d for d in gw_start if d <= cal["gw_days"][0] + 4]))
        nights = int(rng.integers(2, 6))
        d1 = min(d0 + nights, cal["gw_days"][-1], days - 1)
        if d1 - d0 < 2:
            continue
        town = FAMILY_TOWNS[v["region"]][int(rng.integers(0, len(FAMILY_TOWNS[v["region"]])))]
        fam = _near(rng, town[0], town[1], 0, 5000)
        h = v["home_place"]
        km = float(_dist(h.lat, h.lon, fam.lat, fam.lon)) / 1000
        sa = None
        if km > 200:
            sa = _near(rng, (h.lat + fam.lat) / 2, (h.lon + fam.lon) / 2, 0, 3000)
        v["gw_trip"] = {"d0": d0, "d1": d1, "place": fam, "sa": sa, "km": km}
    if n >= 10 and gw_start and not any(v["gw_trip"] for v in vs):
        raise AssertionError("no Golden Week trip drawn")  # pragma: no cover
    # --- ids --------------------------------------------------------------------------------------
    used = set()
    for v in vs:
        vrng = np.random.default_rng([seed, 11, v["i"]])
        while True:
            if v["region"] == "osaka":
                vid = "35" + "".join(str(int(x)) for x in vrng.integers(0, 10, 13))
            elif vrng.random() < 0.6 or v["kind"] == "taxi":
                area = PLATE_AREAS[v["area"][0]][int(vrng.integers(0, len(PLATE_AREAS[v["area"][0]])))]
                cls = {"kei_delivery": "480", "taxi": "500"}.get(v["kind"], str(vrng.choice(["300", "330",
                                                                                             "500", "530"])))
                kana = str(vrng.choice(BUSINESS_KANA if v["kind"] in ("taxi", "kei_delivery")
                                       else PRIVATE_KANA))
                num = int(vrng.integers(1, 10000))
                vid = f"{area} {cls} {kana} {num // 100:02d}-{num % 100:02d}"
            else:
                vid = str(int(vrng.integers(100000, 999999)))
            if vid not in used:
                break
        used.add(vid)
        v["id"] = vid
    # --- itineraries and pings ------------------------------------------------------------------
    multipath: list = []
    rows = {"tokyo": [], "osaka": []}
    twin_src = next((v for v in vs if v["region"] == "tokyo" and v["device"] == DEVICE_OEM
                     and v not in utc), None) if n >= 10 else None
    twin = None
    for v in vs:
        vrng = np.random.default_rng([seed, 23, v["i"]])
        life = _build(vrng, v, cal, days)
        t, lat, lon, spd, tix = _pings(life, v["device"], vrng, total, v["interval"])
        _multipath(vrng, v["id"], t, lat, lon, spd, tix, multipath)
        if v["device"] == DEVICE_TKY:
            lat, lon = wgs_to_tokyo(lat, lon)
        if v in utc:
            t = t - 9 * H
        rows[v["region"]].append((v["id"], t, lat, lon, spd))
        if v is twin_src:
            t2, la2, lo2, sp2, _ = _pings(life, DEVICE_DONGLE, vrng, total, 30)
            twin = "35" + "".join(str(int(x)) for x in vrng.integers(0, 10, 13))
            rows["osaka"].append((twin, t2, la2, lo2, sp2))
    frames = {}
    for reg, parts in rows.items():
        ids = np.concatenate([np.full(len(p[1]), p[0], dtype=object) for p in parts]) if parts else []
        frames[reg] = pd.DataFrame({
            "id": ids,
            "t": np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64),
            "lat": np.round(np.concatenate([p[2] for p in parts]), 6) if parts else [],
            "lon": np.round(np.concatenate([p[3] for p in parts]), 6) if parts else [],
            "spd": np.round(np.concatenate([p[4] for p in parts]), 1) if parts else [],
        })
    # tokyo: by vehicle then time, ~0.3 % rows duplicated in place
    tk = frames["tokyo"]
    reps = np.where(rng.random(len(tk)) < 0.003, 2, 1)
    tk = tk.loc[np.repeat(tk.index.to_numpy(), reps)].reset_index(drop=True)
    dup_tokyo = int((reps - 1).sum())
    out_tk = pd.DataFrame({"車両番号": tk["id"], "日時": _stamps(tk["t"].to_numpy(), "jp"),
                           "緯度": tk["lat"], "経度": tk["lon"], "速度": tk["spd"]})
    out_tk.to_csv(folder / "tokyo_pings.csv", index=False, encoding="cp932", lineterminator="\r\n")
    # osaka: by time across devices; one device-day re-exported at the end
    ok = frames["osaka"].sort_values(["t", "id"], kind="stable").reset_index(drop=True)
    reexport = None
    if len(ok):
        cand = ok[ok["id"] != twin]
        pick = cand.iloc[int(rng.integers(0, len(cand)))] if len(cand) else ok.iloc[0]
        day = int((pick["t"] + 9 * H * 0) // 86400)
        block = ok[(ok["id"] == pick["id"]) & (ok["t"] // 86400 == day)]
        ok = pd.concat([ok, block], ignore_index=True)
        reexport = {"device_id": pick["id"], "date": str((START + timedelta(days=day)).date()),
                    "rows": len(block)}
    dup_osaka = reexport["rows"] if reexport else 0
    out_ok = pd.DataFrame({"device_id": ok["id"], "timestamp_jst": _stamps(ok["t"].to_numpy(), "iso"),
                           "latitude": ok["lat"], "longitude": ok["lon"], "speed_kmh": ok["spd"]})
    out_ok.to_csv(folder / "osaka_pings.csv", index=False, encoding="utf-8", lineterminator="\n")
    # --- labels -----------------------------------------------------------------------------------
    truth_v = {}
    for v in vs:
        home = v["home_place"]
        work = v.get("work_place")
        gw = v["gw_trip"]
        truth_v[v["id"]] = {
            "home": _r6((home.lat, home.lon)),
            "work": _r6((work.lat, work.lon)) if work is not None else None,
            "kind": v["kind"], "region": v["region"], "area": v["area"][0], "device": v["device"],
            "home_parking": "underground" if home.ug else "surface",
            "home_ramp": _r6((home.rlat, home.rlon)) if home.ug else None,
            "block": v["block"],
            "gw_trip": None if gw is None else {
                "family": _r6((gw["place"].lat, gw["place"].lon)), "km": round(gw["km"], 1),
                "depart": str((START + timedelta(days=gw["d0"])).date()),
                "return": str((START + timedelta(days=gw["d1"])).date())},
            "same_as": twin if v is twin_src else None,
        }
    if twin_src is not None:
        truth_v[twin] = dict(truth_v[twin_src["id"]], device=DEVICE_DONGLE, region="tokyo",
                             same_as=twin_src["id"])
    labels, wrong = [], []
    lab_v = [v for v in vs if rng.random() < 0.75]
    n_wrong = max(1, round(0.05 * len(lab_v))) if n >= 10 else 0
    wrong_v = {id(v) for v in (lab_v[j] for j in rng.permutation(len(lab_v))[:n_wrong])}

    def noisy(p):
        r, th = rng.uniform(10, 30), rng.uniform(0, 2 * math.pi)
        return _offset(p[0], p[1], r * math.cos(th), r * math.sin(th))

    for v in lab_v:
        tv = truth_v[v["id"]]
        rows_v = [[lab, noisy(tv[lab])] for lab in ("home", "work") if tv[lab] is not None]
        if id(v) in wrong_v:
            if tv["work"] is not None and rng.random() < 0.5:
                rows_v[0][1], reason = noisy(tv["work"]), "home label placed at the work place"
            elif tv["kind"] == "weekend_car" and rng.random() < 0.6:
                hub = OFFICE_HUBS[v["region"]][0]
                rows_v.append(["work", _near(rng, hub[0], hub[1], 200, 1500)])
                rows_v[-1][1] = (rows_v[-1][1].lat, rows_v[-1][1].lon)
                reason = "work label at the owner's office, reached by train (car has no work place)"
            else:
                p = _near(rng, tv["home"][0], tv["home"][1], 1500, 6000)
                rows_v[0][1], reason = (p.lat, p.lon), "home label at a previous address"
            bad = rows_v[-1] if reason.startswith("work") else rows_v[0]
            wrong.append({"vehicle_id": v["id"], "label": bad[0], "lat": round(bad[1][0], 6),
                          "lon": round(bad[1][1], 6), "reason": reason})
        for lab, p in rows_v:
            labels.append((v["id"], lab, round(p[0], 6), round(p[1], 6)))
    pd.DataFrame(labels, columns=["vehicle_id", "label", "lat", "lon"]).to_csv(
        folder / "labels.csv", index=False, lineterminator="\n")
    # --- vehicles.csv ---------------------------------------------------------------------------
    misreported = tky[0]["id"] if tky else None
    meta = []
    for v in vs:
        datum = "Tokyo97" if v["device"] == DEVICE_TKY and v["id"] != misreported else "WGS84"
        meta.append((v["id"], f"{v['region']}_pings.csv", v["area"][0], v["device"], datum))
        if v is twin_src:
            meta.append((twin, "osaka_pings.csv", v["area"][0], DEVICE_DONGLE, "WGS84"))
    pd.DataFrame(meta, columns=["vehicle_id", "source", "city", "device", "datum"]).to_csv(
        folder / "vehicles.csv", index=False, lineterminator="\n")
    # --- truth ------------------------------------------------------------------------------------
    truth = {
        "tz": "Asia/Tokyo",
        "window": {"start": START.isoformat(), "end": (START + timedelta(days=days)).isoformat()},
        "holidays": [str(h) for h in HOLIDAYS],
        "vehicles": truth_v,
        "wrong_labels": wrong,
        "faults": {
            "tokyo_datum": [v["id"] for v in tky],
            "datum_misreported": misreported,
            "utc_clock": [{"vehicle_id": v["id"], "stamp_minus_true_hours": -9} for v in utc],
            "duplicates": {"tokyo_pings.csv": dup_tokyo, "osaka_pings.csv": dup_osaka},
            "reexport": reexport,
            "multipath": multipath,
            "same_vehicle": None if twin_src is None else {
                "tokyo_pings.csv": twin_src["id"], "osaka_pings.csv": twin,
                "note": "one car, two devices: its own unit and an Osaka-vendor 30 s dongle"},
        },
    }
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    return folder


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_tokyo_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main()
