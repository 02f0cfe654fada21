"""Synthetic East-African fleet: Nairobi, Mombasa, Kampala and the Northern Corridor.

``write_nairobi_fleet(folder, vehicles=120, days=28, seed=0)`` writes the files below into
``folder``; ``python bench/fleets/nairobi.py OUT [--vehicles N] [--days D] [--seed S]`` does the
same. Same arguments -> byte-identical files. The window starts Monday 2025-02-03 00:00 local
time (East Africa Time, UTC+3, no DST; Uganda is also UTC+3) and lasts ``days`` days. Places in
Nairobi and Mombasa lie south of the equator, Kampala and the Eldoret-Malaba stretch north of it.

Ping files (each vehicle is in exactly one of them)
--------------------------------------------------
``tracksolid_export.csv`` -- a cheap-tracker cloud platform's export (matatu, safari).
  UTF-8 *with BOM*, comma separated, CRLF line endings, every field double-quoted. Columns:
  ``IMEI`` (15-digit string, Luhn-valid; the vehicle id), ``Device Name`` (free text the owner
  typed: a plate or a sacco nickname; NOT unique), ``GPS Time`` and ``Received Time``
  (``YYYY-MM-DD HH:MM:SS``, naive local East Africa Time), ``Latitude`` / ``Longitude`` as
  hemisphere-prefixed decimal degrees with 6 decimals, as the devices' SMS replies spell them:
  ``S1.286540`` (= -1.28654), ``N0.313000``, ``E36.817230``; ``Speed(km/h)`` (integer),
  ``Course`` (integer degrees, 0 = north), ``Positioning`` (``GPS`` or ``LBS`` = cell-tower
  position), ``Satellites`` (integer). Rows are sorted by IMEI, then by Received Time (the order
  the platform got them), so GPS Time can go backwards inside a device. Moving: one fix every
  60 s; parked (ignition off, also while waiting at a stage): a heartbeat fix every 15 min.
``fleet_telematics.parquet`` -- a company telematics platform (ngo_car, school_bus,
  delivery_van, lorry). Columns: ``plate`` (string, Kenyan ``KDA 123A`` / Ugandan ``UBF 123K``
  with one space; the vehicle id), ``ts`` (timestamp[ms, tz=UTC]), ``lat_e7`` / ``lon_e7``
  (int32, degrees x 1e7), ``speed_kmh`` (uint16), ``heading`` (uint16 degrees), ``hdop``
  (float32), ``ignition`` (bool). Sorted by plate, ts. Moving: every 15 s; parked: every 10 min.
``rider_app.gpx`` -- GPX 1.1 (namespace http://www.topografix.com/GPX/1/1) from a ride-hailing
  rider phone app (boda). One ``<trk>`` per phone whose ``<name>`` is the rider's phone number in
  international form (``+2547########`` Kenya, ``+2567########`` Uganda; the vehicle id); one
  ``<trkseg>`` per app session; ``<trkpt lat lon>`` with ``<time>`` ISO-8601 UTC ``...Z`` and
  ``<hdop>``. The app only logs while the rider is online (about 06:00-22:00): at night there are
  no points, the home shows only as the 5-15 min logged after arriving and before leaving.
  Moving: every 20 s; waiting: every 60 s.

Other files
-----------
``labels.csv``: ``vehicle_id,label,lat,lon``; label ``home`` or ``work``, written for ~75 % of
  the vehicles (every non-null truth place of a chosen vehicle), 10-30 m off the truth; ~5 % of
  rows are wrong on purpose (listed in truth ``wrong_labels``). Ids spelled as in the ping files.
``vehicles.csv``: ``vehicle_id,source_file,vehicle_type,operator,city,tracker`` (no kind column).
``truth.json``: ``{"tz": "Africa/Nairobi", "window": [...], "vehicles": {id: {"home": [lat, lon]
  | null, "work": [lat, lon] | null, "kind", "city", "file", ...}}, "wrong_labels": [...],
  "faults": {...}}``. ``tz`` is there because the CSV's stamps are naive local time.

Kinds and their truth (home = where the vehicle normally spends the night; work = the place of
its working day)
-------------------------------------------------------------------------------------
matatu (CSV; Nairobi, Kampala or Mombasa): 14-seat minibus running one route all day, every day, from
  ~05:00 to ~21:30: waits 20-50 min at its main stage (terminus) to fill up, drives to the far
  terminus (waits 4-12 min), back, repeat. Nights at the owner's (sacco's) yard, shared by 2-3
  matatus. home = yard, work = main stage (``far_stage`` also in truth).
safari (CSV; Nairobi base): Land Cruiser of a tour operator. Nights at the operator's yard except
  for one 5-7 night tour in the Maasai Mara (nights at a tented camp, game drives morning and
  afternoon); some days an airport transfer to JKIA. home = operator yard, work = null.
boda (GPX; Nairobi or Kampala): motorbike taxi: home -> stage at ~06:30, waits at the stage,
  short rides 1-5 km and back, home at ~19:00-22:00; Sundays start late. home = rider's home,
  work = the stage. Home dwell is only visible as the short logged bits (see rider_app.gpx).
ngo_car (parquet; Nairobi or Kampala): NGO staff's car, weekday commute residence -> office
  (~07:00-08:30 out, ~16:30-18:30 back), sometimes a lunch trip; weekend errands. Some pairs of
  staff live in the same compound (``shared_home_with`` in truth). home = residence, work = office.
school_bus (parquet; Nairobi): sleeps at the school; weekdays a morning pick-up loop of 6-9 stops
  and an afternoon drop-off loop; parked all weekend and over the half-term break 2025-02-26 ..
  2025-03-02. home = null (no home of its own), work = the school.
delivery_van (parquet; Nairobi or Mombasa): supermarket-chain van; the driver sleeps at the depot
  compound Mon-Thu nights; weekday loading at the depot and 3-5 branch drops; on Friday evening
  the van goes to the driver's home and stays there until Monday ~05:30. home = driver's home
  (Fri/Sat/Sun nights only), work = depot.
lorry (parquet; Mombasa based): Northern Corridor truck: yard (Changamwe) -> Kipevu port gate
  (loading 8-20 h) -> Mariakani, Voi, Mtito Andei, Emali, Mlolongo, Naivasha, Nakuru, Eldoret,
  Bungoma -> Malaba border queue (1-4 days creeping forward) -> Tororo, Jinja -> Namanve depot in
  Kampala (unloading) -> back the same way -> yard (rests 1-3 days). Drives 06:00-19:00 only,
  nights at truck stops. Yards shared by 2-4 lorries. home = yard, work = null.

Speeds: city 18-35 km/h cruise with stop-and-go at each corner, highways 45-75 km/h; every leg
accelerates and brakes at ~0.8-1.2 m/s^2. Paths are staircase-like (a few segments); Mombasa
island <-> mainland trips cross at the Makupa causeway. Position noise: CSV 10 m, and 25-80 m on
~10 % of fixes (those have 3-5 satellites); parquet 4 m; GPX 8 m. Parquet ``ignition`` is false
exactly while parked/waiting. Extra truth keys: ``far_stage`` (matatu), ``camp`` (safari),
``shared_home_with`` (ids with the very same home: matatu yards, NGO compounds, lorry yards).

Faults (all recorded in truth ``faults``; times there are UTC ISO strings)
--------------------------------------------------------------------
``coverage_gaps`` {id: [[start, end], ...]}: no rows strictly inside these windows (CSV GPS Time
  or parquet ts; the data simply never arrived).
``late_batches`` {imei: n}: CSV rows buffered offline and relayed later: Received Time is more
  than 1 h after GPS Time for exactly n rows of the device (on time rows: 2-20 s).
``lbs_fixes`` {imei: n}: CSV rows with Positioning ``LBS`` (cell-tower fallback, 300-1500 m off).
``null_island`` {"csv": {imei: n}, "parquet": {plate: n}}: fixes at exactly 0, 0 (``N0.000000``,
  ``E0.000000`` with 0 satellites; lat_e7 = lon_e7 = 0).
``week_rollover`` {imei: n}: old trackers hit by the GPS week-number rollover: GPS Time of all
  n rows of the device is 1024 weeks (7168 days) early, i.e. in 2005; Received Time is right.
``duplicates`` {plate: n}: n exact duplicate rows in the parquet (platform re-ingest).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

EAT = 3 * 3600
START_LOCAL = "2025-02-03"
T0 = int(pd.Timestamp(START_LOCAL + " 00:00", tz="UTC").timestamp()) - EAT  # local midnight, UTC s
DAY = 86400
ROLLOVER = 1024 * 7 * DAY
M_PER_DEG = 111_320.0
CSV_NAME, PQ_NAME, GPX_NAME = "tracksolid_export.csv", "fleet_telematics.parquet", "rider_app.gpx"
KINDS = ["matatu", "boda", "ngo_car", "delivery_van", "lorry", "school_bus", "safari"]
WEIGHTS = [0.2, 0.2, 0.15, 0.12, 0.13, 0.1, 0.1]
FILE_OF = {"matatu": CSV_NAME, "safari": CSV_NAME, "boda": GPX_NAME, "ngo_car": PQ_NAME,
           "school_bus": PQ_NAME, "delivery_van": PQ_NAME, "lorry": PQ_NAME}
# (drive interval s, parked interval s) per file
RATES = {CSV_NAME: (60, 900), PQ_NAME: (15, 600), GPX_NAME: (20, 60)}

BOXES = {  # land-only sampling boxes: (lat0, lat1, lon0, lon1)
    "Nairobi": [(-1.32, -1.22, 36.70, 36.92)],
    "Kampala": [(0.295, 0.36, 32.55, 32.625)],
    "Mombasa": [(-4.064, -4.047, 39.656, 39.676), (-4.030, -3.998, 39.590, 39.635)],
}
MAKUPA = (-4.037, 39.652)
JKIA = (-1.3190, 36.9250)
CORRIDOR = [  # name, lat, lon (Mombasa -> Kampala)
    ("Kipevu port gate", -4.0350, 39.6400), ("Mariakani", -3.8600, 39.4740), ("Voi", -3.3960, 38.5560),
    ("Mtito Andei", -2.6900, 38.1660), ("Emali", -2.0790, 37.4740), ("Mlolongo", -1.3930, 36.9390),
    ("Westlands", -1.2650, 36.7600), ("Limuru", -1.1070, 36.6420), ("Naivasha", -0.7170, 36.4310),
    ("Nakuru", -0.3030, 36.0800), ("Eldoret", 0.5140, 35.2700), ("Webuye", 0.6070, 34.7700),
    ("Bungoma", 0.5630, 34.5610), ("Malaba", 0.6360, 34.2750), ("Tororo", 0.6930, 34.1810),
    ("Iganga", 0.6090, 33.4690), ("Jinja", 0.4400, 33.2030), ("Lugazi", 0.3690, 32.9400),
    ("Namanve", 0.3470, 32.6900),
]
MARA_ROUTE = [(-1.1070, 36.6420), (-1.0400, 36.5900), (-1.0800, 35.8710), (-1.4000, 35.3500)]
MARA_BOX = (-1.55, -1.30, 34.95, 35.25)
HALF_TERM = (pd.Timestamp("2025-02-26"), pd.Timestamp("2025-03-02"))


def _metres(a, b):
    dlat = (b[0] - a[0]) * M_PER_DEG
    dlon = (b[1] - a[1]) * M_PER_DEG * math.cos(math.radians((a[0] + b[0]) / 2))
    return math.hypot(dlat, dlon)


def _offset(rng, p, lo, hi):
    """A point lo..hi metres from p in a random direction."""
    d, a = rng.uniform(lo, hi), rng.uniform(0, 2 * math.pi)
    return (p[0] + d * math.cos(a) / M_PER_DEG,
            p[1] + d * math.sin(a) / (M_PER_DEG * math.cos(math.radians(p[0]))))


def _place(rng, city):
    boxes = BOXES[city]
    b = boxes[int(rng.integers(len(boxes)))]
    return (round(float(rng.uniform(b[0], b[1])), 6), round(float(rng.uniform(b[2], b[3])), 6))


def _near(rng, city, p, lo, hi):
    """A land point lo..hi m from p inside the city's boxes (falls back to any place)."""
    for _ in range(50):
        q = _offset(rng, p, lo, hi)
        if any(b[0] <= q[0] <= b[1] and b[2] <= q[1] <= b[3] for b in BOXES[city]):
            return (round(q[0], 6), round(q[1], 6))
    return _place(rng, city)


def _is_island(p):
    return p[1] > 39.645 and p[0] < -4.04


class Track:
    """One vehicle's timeline, rendered to pings as it is built (a loop per leg, numpy per ping)."""

    def __init__(self, rng, pos, t, rates, city):
        self.rng, self.pos, self.t, self.city = rng, tuple(pos), float(t), city
        self.drive_dt, self.park_dt = rates
        self.parts = []  # arrays (t, lat, lon, speed, course, moving, logged)

    def _emit(self, t, lat, lon, speed, course, moving, logged=True):
        n = len(t)
        self.parts.append((t, lat, lon, speed, course, np.full(n, moving), np.full(n, logged)))

    def wait(self, until, logged=True):
        if until <= self.t:
            return
        t = np.arange(self.t + self.rng.uniform(0, self.park_dt), until, self.park_dt)
        n = len(t)
        self._emit(t, np.full(n, self.pos[0]), np.full(n, self.pos[1]), np.zeros(n), np.zeros(n),
                   False, logged)
        self.t = float(until)

    def wait_for(self, seconds, logged=True):
        self.wait(self.t + seconds, logged)

    def _path(self, dest):
        a, b = self.pos, dest
        pts = [a]
        if self.city == "Mombasa" and _is_island(a) != _is_island(b):
            pts.append(MAKUPA)
        c = pts[-1]
        if _metres(c, b) > 400:  # a staircase: two corners with jitter
            f = self.rng.uniform(0.3, 0.7)
            j = self.rng.normal(0, 0.002, 2)
            pts.append((c[0] + f * (b[0] - c[0]) + j[0], c[1] + j[1]))
            pts.append((c[0] + f * (b[0] - c[0]) + j[0], b[1]))
        pts.append(b)
        return pts

    def drive(self, dest, kmh=(18, 35), path=None, pause=(0, 60)):
        pts = path if path is not None else self._path(tuple(dest))
        rng, dt = self.rng, self.drive_dt
        t = self.t
        legs = []
        n = len(pts) - 1
        vs, accs, pauses = rng.uniform(*kmh, n) / 3.6, rng.uniform(0.8, 1.2, n), rng.uniform(*pause, n)
        for p, q, v, acc, pz in zip(pts[:-1], pts[1:], vs, accs, pauses):
            length = _metres(p, q)
            if length < 1:
                continue
            r = v / acc
            if length < v * r:
                v = math.sqrt(length * acc)
                r = v / acc
            dur = length / v + r
            legs.append((t, dur, length, v, r, acc, p, q))
            t += dur + pz
        ts = np.arange(self.t + rng.uniform(0, dt), t, dt)
        if not legs:
            self.t = float(t)
            return
        L = np.array([lg[:6] for lg in legs])  # t0, dur, length, v, r, acc
        P = np.array([lg[6] for lg in legs])
        Q = np.array([lg[7] for lg in legs])
        i = np.clip(np.searchsorted(L[:, 0], ts, "right") - 1, 0, len(legs) - 1)
        t0, dur, length, v, r, acc = (L[i, j] for j in range(6))
        u = np.minimum(ts - t0, dur)
        d = np.where(u < r, 0.5 * acc * u**2,
                     np.where(u > dur - r, length - 0.5 * acc * (dur - u) ** 2,
                              0.5 * acc * r * r + v * (u - r)))
        f = np.clip(d / length, 0, 1)
        lat = P[i, 0] + f * (Q[i, 0] - P[i, 0])
        lon = P[i, 1] + f * (Q[i, 1] - P[i, 1])
        spd = np.maximum(np.minimum(np.minimum(acc * u, acc * (dur - u)), v), 0) * 3.6
        crs = np.degrees(np.arctan2((Q[i, 1] - P[i, 1]) * np.cos(np.radians(P[i, 0])),
                                    Q[i, 0] - P[i, 0])) % 360
        self._emit(ts, lat, lon, spd, crs, True)
        self.pos, self.t = tuple(pts[-1]), float(t)

    def frame(self):
        cols = [np.concatenate([p[i] for p in self.parts]) for i in range(7)]
        df = pd.DataFrame(dict(zip(["t", "lat", "lon", "speed", "course", "moving", "logged"], cols)))
        return df.sort_values("t", kind="stable").reset_index(drop=True)


def _day(d):
    return T0 + d * DAY


def _hm(h, m=0):
    return h * 3600 + m * 60


# ---------------------------------------------------------------- kinds
def _matatu(rng, tr, days, v):
    for d in range(days):
        base = _day(d)
        tr.wait(base + _hm(5 if d % 7 != 6 else 7) + rng.uniform(0, 1800))
        tr.drive(v["work"])
        end = base + _hm(21, 30) + rng.uniform(-1800, 1800)
        while tr.t < end:
            tr.wait_for(rng.uniform(1200, 3000))
            tr.drive(v["far_stage"], path=v["route"], kmh=(15, 32), pause=(10, 240))
            tr.wait_for(rng.uniform(240, 720))
            tr.drive(v["work"], path=v["route"][::-1], kmh=(15, 32), pause=(10, 240))
        tr.drive(v["home"])
    tr.wait(_day(days))


def _boda(rng, tr, days, v):
    for d in range(days):
        base = _day(d)
        start = base + (_hm(6, 30) if d % 7 != 6 else _hm(11)) + rng.uniform(-1200, 1200)
        tr.wait(start - rng.uniform(300, 900), logged=False)
        tr.wait(start)
        tr.drive(v["work"], kmh=(20, 40), pause=(0, 20))
        end = base + _hm(19) + rng.uniform(0, _hm(3))
        while tr.t < end:
            tr.wait_for(rng.uniform(300, 2400))
            dest = _near(rng, tr.city, v["work"], 800, 5000)
            tr.drive(dest, kmh=(20, 40), pause=(0, 20))
            tr.wait_for(rng.uniform(30, 180))
            tr.drive(v["work"], kmh=(20, 40), pause=(0, 20))
        tr.drive(v["home"], kmh=(20, 40), pause=(0, 20))
        tr.wait_for(rng.uniform(300, 900))
        tr.wait(_day(d + 1), logged=False)
    tr.wait(_day(days), logged=False)


def _ngo_car(rng, tr, days, v):
    for d in range(days):
        base = _day(d)
        if d % 7 < 5:
            tr.wait(base + _hm(7) + rng.uniform(0, 5400))
            tr.drive(v["work"])
            if rng.random() < 0.3:
                tr.wait(base + _hm(12, 30) + rng.uniform(0, 1800))
                tr.drive(v["lunch"])
                tr.wait_for(rng.uniform(2400, 4200))
                tr.drive(v["work"])
            tr.wait(base + _hm(16, 30) + rng.uniform(0, 7200))
            if rng.random() < 0.25:
                tr.drive(v["shop"])
                tr.wait_for(rng.uniform(900, 2400))
        else:
            for _ in range(int(rng.integers(0, 3))):
                tr.wait(max(tr.t, base + _hm(9) + rng.uniform(0, _hm(8))))
                tr.drive(v["shop"] if rng.random() < 0.6 else _near(rng, tr.city, v["home"], 1500, 8000))
                tr.wait_for(rng.uniform(1800, 7200))
        if tr.pos != v["home"]:
            tr.drive(v["home"])
    tr.wait(_day(days))


def _school_bus(rng, tr, days, v):
    for d in range(days):
        base = _day(d)
        date = pd.Timestamp(START_LOCAL) + pd.Timedelta(days=d)
        if d % 7 >= 5 or HALF_TERM[0] <= date <= HALF_TERM[1]:
            continue
        tr.wait(base + _hm(5, 45) + rng.uniform(0, 600))
        for s in v["stops"]:
            tr.drive(s)
            tr.wait_for(rng.uniform(45, 180))
        tr.drive(v["work"])
        tr.wait(base + _hm(15, 45) + rng.uniform(0, 600))
        for s in v["stops"][::-1]:
            tr.drive(s)
            tr.wait_for(rng.uniform(45, 180))
        tr.drive(v["work"])
    tr.wait(_day(days))


def _delivery_van(rng, tr, days, v):
    for d in range(days):
        base = _day(d)
        wd = d % 7
        if wd >= 5:
            continue
        if wd == 0 and tr.pos != v["work"]:
            tr.wait(base + _hm(5, 30) + rng.uniform(-600, 900))
            tr.drive(v["work"])
        tr.wait(max(tr.t, base + _hm(6) + rng.uniform(0, 1800)))
        tr.wait_for(rng.uniform(3600, 5400))  # loading
        k = int(rng.integers(3, 6))
        for i in rng.choice(len(v["branches"]), k, replace=False):
            tr.drive(v["branches"][i])
            tr.wait_for(rng.uniform(1800, 3600))
        tr.drive(v["work"])
        if wd == 4:
            tr.wait(base + _hm(17) + rng.uniform(0, 3600))
            tr.drive(v["home"])
    tr.wait(_day(days))


def _lorry(rng, tr, days, v):
    hw = (45, 75)
    stops = [(lat, lon) for _, lat, lon in CORRIDOR]
    malaba = stops[13]

    def daylight():  # no driving at night: wait for 06:00-07:00
        local = (tr.t - T0) % DAY
        if local > _hm(19) or local < _hm(6):
            nxt = tr.t - local + (DAY if local > _hm(19) else 0) + _hm(6) + rng.uniform(0, 3600)
            tr.wait(nxt)

    def run(seq):
        for p in seq:
            if tr.t >= end:
                return
            daylight()
            tr.drive(p, kmh=hw, path=[tr.pos, p], pause=(0, 0))
            if p == malaba:  # the border queue, creeping forward
                until = tr.t + rng.uniform(1, 4) * DAY
                while tr.t < until:
                    tr.wait_for(rng.uniform(2, 6) * 3600)
                    tr.drive(_offset(rng, tr.pos, 30, 150), kmh=(3, 8), path=None, pause=(0, 0))
            elif rng.random() < 0.3:
                tr.wait_for(rng.uniform(600, 2400))  # tea, fuel, weighbridge

    end = _day(days)
    tr.wait(_day(0) + rng.uniform(0, 3) * DAY)
    while tr.t < end:
        daylight()
        tr.drive(stops[0], kmh=(15, 30))
        tr.wait_for(rng.uniform(8, 20) * 3600)  # loading at the port
        run(stops[1:])
        if tr.t >= end:
            break
        tr.wait_for(rng.uniform(10, 24) * 3600)  # unloading at Namanve
        run(stops[-2::-1])
        if tr.t >= end:
            break
        daylight()
        tr.drive(v["home"], kmh=(15, 30))
        tr.wait_for(rng.uniform(1, 3) * DAY)
    tr.wait(end)


def _safari(rng, tr, days, v):
    tour = int(rng.integers(1, max(2, days - 8)))
    nights = int(rng.integers(5, 8))
    d = 0
    while d < days:
        base = _day(d)
        if d == tour:
            tr.wait(base + _hm(6) + rng.uniform(0, 1800))
            tr.drive(JKIA)
            tr.wait_for(rng.uniform(1800, 4800))
            tr.drive(MARA_ROUTE[0])
            tr.drive(v["camp"], kmh=(40, 70), path=[tr.pos, *MARA_ROUTE[1:], v["camp"]], pause=(0, 300))
            for k in range(1, nights):
                b = _day(d + k)
                for h0 in (6, 15):
                    tr.wait(b + _hm(h0, 30) + rng.uniform(0, 1200))
                    for _ in range(3):
                        p = (rng.uniform(MARA_BOX[0], MARA_BOX[1]), rng.uniform(MARA_BOX[2], MARA_BOX[3]))
                        tr.drive(p, kmh=(10, 30), path=[tr.pos, p])
                        tr.wait_for(rng.uniform(300, 1800))
                    tr.drive(v["camp"], kmh=(15, 35), path=[tr.pos, v["camp"]])
            tr.wait(_day(d + nights) + _hm(8) + rng.uniform(0, 1800))
            tr.drive(MARA_ROUTE[0], kmh=(40, 70), path=[tr.pos, *MARA_ROUTE[::-1]], pause=(0, 300))
            tr.drive(JKIA)
            tr.wait_for(rng.uniform(600, 1800))
            tr.drive(v["home"])
            d += nights + 1
            continue
        if rng.random() < 0.35:
            tr.wait(base + _hm(5) + rng.uniform(0, _hm(12)))
            tr.drive(JKIA)
            tr.wait_for(rng.uniform(1800, 5400))
            tr.drive(_near(rng, "Nairobi", v["home"], 2000, 9000))
            tr.wait_for(rng.uniform(600, 1800))
            tr.drive(v["home"])
        d += 1
    tr.wait(_day(days))


SIM = {"matatu": _matatu, "boda": _boda, "ngo_car": _ngo_car, "school_bus": _school_bus,
       "delivery_van": _delivery_van, "lorry": _lorry, "safari": _safari}


# ---------------------------------------------------------------- ids and places
def _imei(rng):
    body = "8635" + "".join(str(x) for x in rng.integers(0, 10, 10))
    s = 0
    for i, ch in enumerate(reversed(body)):
        x = int(ch) * (2 if i % 2 == 0 else 1)
        s += x - 9 if x > 9 else x
    return body + str((10 - s % 10) % 10)


def _plate(rng, country):
    L = "ABCDEFGHJKLMNPRSTUVWXYZ"
    digits = "".join(str(x) for x in rng.integers(0, 10, 3))
    if country == "UG":
        return f"UB{L[rng.integers(len(L))]} {digits}{L[rng.integers(len(L))]}"
    return f"K{'CD'[rng.integers(2)]}{L[rng.integers(len(L))]} {digits}{L[rng.integers(len(L))]}"


def _phone(rng, country):
    cc = "+2567" if country == "UG" else "+2547"
    return cc + "".join(str(x) for x in rng.integers(0, 10, 8))


def _counts(n):
    raw = np.array(WEIGHTS) * n
    c = np.floor(raw).astype(int)
    if n >= len(KINDS):
        c = np.maximum(c, 1)
    while c.sum() < n:
        c[int(np.argmax(raw - c))] += 1
    while c.sum() > n:
        c[int(np.argmax(c))] -= 1
    return dict(zip(KINDS, c.tolist()))


def _make_vehicles(rng, n):
    counts = _counts(n)
    used, out = set(), []
    shared = {}  # (kind, city) -> list of shared places

    def uniq(f):
        while True:
            x = f()
            if x not in used:
                used.add(x)
                return x

    for kind in KINDS:
        for i in range(counts[kind]):
            v = {"kind": kind}
            if kind == "matatu":  # Kampala's minibus "taxis" are the same trade
                city = ["Nairobi", "Kampala", "Mombasa", "Nairobi"][i % 4]
            elif kind == "delivery_van":
                city = "Nairobi" if rng.random() < 0.7 else "Mombasa"
            elif kind in ("boda", "ngo_car"):
                city = "Nairobi" if rng.random() < 0.6 else "Kampala"
            elif kind == "lorry":
                city = "Mombasa"
            else:
                city = "Nairobi"
            v["city"] = city
            country = "UG" if city == "Kampala" else "KE"
            if kind == "matatu":
                pool = shared.setdefault(("yard", city), [])
                if pool and rng.random() < 0.6 and sum(1 for o in out if o.get("home") == pool[-1]) < 3:
                    v["home"] = pool[-1]
                else:
                    v["home"] = _place(rng, city)
                    pool.append(v["home"])
                v["work"] = _place(rng, city)
                v["far_stage"] = _near(rng, city, v["work"], 6000, 14000)
                tmp = Track(rng, v["work"], 0, (30, 900), city)
                v["route"] = tmp._path(v["far_stage"])
                v["device_name"] = rng.choice(["Super Metro", "Forward Travellers", "Embassava",
                                               "Ma3 " + _plate(rng, "KE"), _plate(rng, "KE")])
            elif kind == "boda":
                v["home"] = _place(rng, city)
                v["work"] = _near(rng, city, v["home"], 500, 4000)
            elif kind == "ngo_car":
                pool = shared.setdefault(("compound", city), [])
                if pool and i % 4 == 1:
                    v["home"] = pool[-1]
                else:
                    v["home"] = _place(rng, city)
                    pool.append(v["home"])
                offices = shared.setdefault(("office", city), [])
                if offices and rng.random() < 0.5:
                    v["work"] = offices[int(rng.integers(len(offices)))]
                else:
                    v["work"] = _place(rng, city)
                    offices.append(v["work"])
                v["lunch"] = _near(rng, city, v["work"], 800, 3000)
                v["shop"] = _near(rng, city, v["home"], 1000, 5000)
            elif kind == "school_bus":
                v["home"] = None
                v["work"] = _place(rng, city)
                n_stops = int(rng.integers(6, 10))
                v["stops"] = [_near(rng, city, v["work"], 1500, 7000) for _ in range(n_stops)]
                v["stops"].sort(key=lambda p: math.atan2(p[0] - v["work"][0], p[1] - v["work"][1]))
            elif kind == "delivery_van":
                depots = shared.setdefault(("depot", city), [])
                if not depots or (rng.random() < 0.2 and len(depots) < 2):
                    depots.append(_place(rng, city))
                v["work"] = depots[int(rng.integers(len(depots)))]
                v["home"] = _near(rng, city, v["work"], 3000, 12000)
                v["branches"] = [_place(rng, city) for _ in range(6)]
            elif kind == "lorry":
                pool = shared.setdefault(("lorryyard", city), [])
                if not pool or (rng.random() < 0.35 and len(pool) < 3) or len(out) % 4 == 0:
                    pool.append((round(float(rng.uniform(-4.03, -4.00)), 6),  # Changamwe/Miritini
                                 round(float(rng.uniform(39.60, 39.63)), 6)))
                v["home"] = pool[int(rng.integers(len(pool)))]
                v["work"] = None
            elif kind == "safari":
                v["home"] = _near(rng, city, (-1.33, 36.80), 0, 3000)
                v["work"] = None
                v["camp"] = (round(float(rng.uniform(-1.50, -1.35)), 6),
                             round(float(rng.uniform(35.00, 35.20)), 6))
            f = FILE_OF[kind]
            if f == CSV_NAME:
                v["id"] = uniq(lambda: _imei(rng))
            elif f == PQ_NAME:
                v["id"] = uniq(lambda c=country, k=kind: _plate(rng, "KE" if k == "lorry" else c))
            else:
                v["id"] = uniq(lambda c=country: _phone(rng, c))
            v["file"] = f
            out.append(v)
    # pairs sharing an ngo compound
    for v in out:
        mates = [o["id"] for o in out if o is not v and v["home"] is not None and o["home"] == v["home"]]
        if mates:
            v["shared_home_with"] = mates
    return out


def _iso(t):
    return pd.Timestamp(int(t), unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _noise(rng, lat, lat0, sigma_m):
    n = len(lat)
    dlat = rng.normal(0, 1, n) * sigma_m / M_PER_DEG
    dlon = rng.normal(0, 1, n) * sigma_m / (M_PER_DEG * np.cos(np.radians(lat0)))
    return dlat, dlon


def _fixed(x, nd, signed=False):
    """|x| (or x when signed) with nd decimals, as a pyarrow string array (no per-value Python)."""
    k = 10**nd
    v = np.round(np.asarray(x, float) * k).astype(np.int64)
    a = np.abs(v)
    frac = pc.utf8_slice_codeunits(pc.cast(pa.array(a % k + k), pa.string()), 1)
    whole = pc.cast(pa.array(a // k), pa.string())
    sign = pa.array(np.where((v < 0) & signed, "-", ""))
    return pc.binary_join_element_wise(sign, whole, ".", frac, "")


def _hemi(x, pos, neg):
    v = np.round(np.asarray(x, float) * 1e6)
    return pc.binary_join_element_wise(pa.array(np.where(v < 0, neg, pos)), _fixed(x, 6), "")


def _stamp(seconds, fmt):
    ts = pa.array(np.asarray(seconds, np.int64), pa.timestamp("s"))
    return pc.strftime(ts, format=fmt)


# ---------------------------------------------------------------- writer
def write_nairobi_fleet(folder, vehicles=120, days=28, seed=0) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 254])
    fleet = _make_vehicles(rng, vehicles)
    faults = {"coverage_gaps": {}, "late_batches": {}, "lbs_fixes": {},
              "null_island": {"csv": {}, "parquet": {}}, "week_rollover": {}, "duplicates": {}}
    csv_parts, pq_parts, gpx_tracks = [], [], []
    csv_ids = [v["id"] for v in fleet if v["file"] == CSV_NAME]
    # the fault draws below are random, but each fault hits at least one device (by file position j)
    rollover = set(csv_ids[1::8][:2]) if len(csv_ids) >= 3 else set()
    j_of, seen = {}, {}
    for v in fleet:
        j_of[v["id"]] = seen.get(v["file"], 0)
        seen[v["file"]] = j_of[v["id"]] + 1
    for k, v in enumerate(fleet):
        vr = np.random.default_rng([seed, 254, k])
        start = v["home"] if v["home"] is not None else v["work"]
        tr = Track(vr, start, _day(0), RATES[v["file"]], v["city"])
        SIM[v["kind"]](vr, tr, days, v)
        df = tr.frame()
        df = df[(df.t >= _day(0)) & (df.t < _day(days))].reset_index(drop=True)
        n = len(df)
        vid = v["id"]
        j = j_of[vid] - (1 if v["file"] == CSV_NAME and j_of[vid] > 1 else 0)  # rollover at j = 1
        # coverage gaps (not for GPX phones, not for rollover devices)
        if v["file"] != GPX_NAME and vid not in rollover and (vr.random() < 0.25 or j == 2):
            wins = []
            for _ in range(int(vr.integers(1, 3))):
                a = float(vr.uniform(_day(0), _day(days) - 12 * 3600))
                b = a + float(vr.uniform(2, 10)) * 3600
                wins.append((int(a), int(b)))
            keep = np.ones(n, bool)
            for a, b in wins:
                keep &= ~((df.t.values > a) & (df.t.values < b))
            df = df[keep].reset_index(drop=True)
            n = len(df)
            faults["coverage_gaps"][vid] = [[_iso(a), _iso(b)] for a, b in sorted(wins)]
        lat0 = float(np.mean(df.lat.values))
        t = np.floor(df.t.values).astype(np.int64)
        if v["file"] == CSV_NAME:
            sig = np.where(vr.random(n) < 0.1, vr.uniform(25, 80, n), 10.0)
            dlat, dlon = _noise(vr, df.lat.values, lat0, 1.0)
            lat, lon = df.lat.values + dlat * sig, df.lon.values + dlon * sig
            pos_type = np.full(n, "GPS", dtype=object)
            sats = np.where(sig > 20, vr.integers(3, 6, n), vr.integers(6, 13, n))
            recv = t + vr.integers(2, 21, n)
            if vid not in rollover and (vr.random() < 0.35 or j == 0):  # cell-tower fallback while parked
                idx = np.flatnonzero(~df.moving.values)
                m = vr.choice(idx, size=min(len(idx), int(vr.integers(5, 40))), replace=False)
                d2lat, d2lon = _noise(vr, lat[m], lat0, 1.0)
                err = vr.uniform(300, 1500, len(m)) / np.sqrt(2)
                lat[m] += d2lat * err
                lon[m] += d2lon * err
                pos_type[m] = "LBS"
                sats[m] = 0
                faults["lbs_fixes"][vid] = int(len(m))
            if vid not in rollover and vid not in faults["coverage_gaps"] and (vr.random() < 0.4 or j == 0):
                late = np.zeros(n, bool)
                for _ in range(int(vr.integers(1, 4))):
                    a = float(vr.uniform(_day(0), _day(days) - DAY))
                    b = a + float(vr.uniform(2, 8)) * 3600
                    w = (t >= a) & (t < b)
                    recv[w] = int(b) + int(vr.integers(3600, 6 * 3600)) + np.arange(w.sum()) // 20
                    late |= w
                late &= (recv - t) > 3600
                faults["late_batches"][vid] = int(late.sum())
            if vid not in rollover and (vr.random() < 0.3 or j == 3):
                m = vr.choice(n, size=int(vr.integers(2, 8)), replace=False)
                lat[m], lon[m], sats[m] = 0.0, 0.0, 0
                faults["null_island"]["csv"][vid] = int(len(m))
            gps_t = t - (ROLLOVER if vid in rollover else 0)
            if vid in rollover:
                faults["week_rollover"][vid] = int(n)
            csv_parts.append(pd.DataFrame({
                "IMEI": vid, "Device Name": v["device_name"] if "device_name" in v else f"LC {vid[-4:]}",
                "_recv": recv, "_gps": gps_t, "lat": lat, "lon": lon,
                "Speed(km/h)": np.round(df.speed.values).astype(int),
                "Course": np.round(df.course.values).astype(int) % 360,
                "Positioning": pos_type, "Satellites": sats}))
        elif v["file"] == PQ_NAME:
            dlat, dlon = _noise(vr, df.lat.values, lat0, 4.0)
            lat, lon = df.lat.values + dlat, df.lon.values + dlon
            ms = t * 1000 + vr.integers(0, 1000, n)
            if vr.random() < 0.15 or j == 1:
                m = vr.choice(n, size=int(vr.integers(1, 5)), replace=False)
                lat[m], lon[m] = 0.0, 0.0
                faults["null_island"]["parquet"][vid] = int(len(m))
            part = pd.DataFrame({
                "plate": vid, "ts": ms, "lat_e7": np.round(lat * 1e7).astype(np.int32),
                "lon_e7": np.round(lon * 1e7).astype(np.int32),
                "speed_kmh": np.round(df.speed.values).astype(np.uint16),
                "heading": (np.round(df.course.values).astype(np.uint16) % 360).astype(np.uint16),
                "hdop": np.round(vr.uniform(0.7, 2.5, n), 1).astype(np.float32),
                "ignition": df.moving.values.astype(bool)})
            if vr.random() < 0.3 or j == 0:
                m = np.sort(vr.choice(n, size=int(vr.integers(3, 30)), replace=False))
                part = pd.concat([part, part.iloc[m]]).sort_values("ts", kind="stable")
                faults["duplicates"][vid] = int(len(m))
            pq_parts.append(part)
        else:
            keep = df.logged.values
            dlat, dlon = _noise(vr, df.lat.values, lat0, 8.0)
            g = pd.DataFrame({"t": t, "lat": df.lat.values + dlat, "lon": df.lon.values + dlon,
                              "hdop": np.round(vr.uniform(1.0, 4.0, n), 1)})[keep]
            gpx_tracks.append((vid, g))
    # ---- CSV
    csv = pd.concat(csv_parts, ignore_index=True)
    csv = csv.sort_values(["IMEI", "_recv"], kind="stable")
    table = pa.table({
        "IMEI": pa.array(csv["IMEI"].tolist(), pa.string()),
        "Device Name": pa.array(csv["Device Name"].tolist(), pa.string()),
        "GPS Time": _stamp(csv["_gps"].values + EAT, "%Y-%m-%d %H:%M:%S"),
        "Received Time": _stamp(csv["_recv"].values + EAT, "%Y-%m-%d %H:%M:%S"),
        "Latitude": _hemi(csv["lat"].values, "N", "S"),
        "Longitude": _hemi(csv["lon"].values, "E", "W"),
        **{c: pa.array(csv[c].values.astype(np.int64)) for c in ["Speed(km/h)", "Course"]},
        "Positioning": pa.array(csv["Positioning"].tolist(), pa.string()),
        "Satellites": pa.array(csv["Satellites"].values.astype(np.int64))})
    with open(folder / CSV_NAME, "wb") as fh:
        fh.write(b"\xef\xbb\xbf")
        pacsv.write_csv(table, fh, pacsv.WriteOptions(eol="\r\n", quoting_style="all_valid"))
    # ---- parquet
    pqdf = pd.concat(pq_parts, ignore_index=True).sort_values(["plate", "ts"], kind="stable")
    table = pa.table({
        "plate": pa.array(pqdf["plate"].tolist(), pa.string()),
        "ts": pa.array(pqdf["ts"].values, pa.timestamp("ms", tz="UTC")),
        **{c: pa.array(pqdf[c].values) for c in
           ["lat_e7", "lon_e7", "speed_kmh", "heading", "hdop", "ignition"]}})
    pq.write_table(table, folder / PQ_NAME, compression="snappy")
    # ---- GPX (a loop per track and per session; strings built per column)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<gpx version="1.1" creator="RiderApp 3.4 (Android)" xmlns="http://www.topografix.com/GPX/1/1">']
    for vid, g in gpx_tracks:
        out.append(f"<trk><name>{vid}</name>")
        tt = g.t.values
        sess = np.concatenate([[0], np.cumsum(np.diff(tt) > 3 * 3600)])
        pts = pc.binary_join_element_wise(
            '<trkpt lat="', _fixed(g.lat.values, 6, True), '" lon="', _fixed(g.lon.values, 6, True),
            '"><time>', _stamp(tt, "%Y-%m-%dT%H:%M:%SZ"), "</time><hdop>", _fixed(g.hdop.values, 1, True),
            "</hdop></trkpt>", "").to_numpy(zero_copy_only=False)
        for s in np.unique(sess):
            out.append("<trkseg>" + "".join(pts[sess == s]) + "</trkseg>")
        out.append("</trk>")
    out.append("</gpx>")
    (folder / GPX_NAME).write_text("\n".join(out) + "\n", encoding="utf-8")
    # ---- labels, vehicles, truth
    lrng = np.random.default_rng([seed, 254, 999])
    rows, wrong = [], []
    for v in fleet:
        if lrng.random() >= 0.75:
            continue
        for lab in ("home", "work"):
            p = v[lab]
            if p is None:
                continue
            q = _offset(lrng, p, 10, 30)
            if lrng.random() < 0.05:
                other = v["work"] if lab == "home" else v["home"]
                if other is not None and _metres(other, p) > 300:
                    why = f"label at the {'work' if lab == 'home' else 'home'} place"
                    q = _offset(lrng, other, 10, 30)
                else:
                    why = "label 1.5-4 km off"
                    q = _offset(lrng, p, 1500, 4000)
                wrong.append({"vehicle_id": v["id"], "label": lab, "lat": round(q[0], 6),
                              "lon": round(q[1], 6), "why": why})
            rows.append((v["id"], lab, round(q[0], 6), round(q[1], 6)))
    pd.DataFrame(rows, columns=["vehicle_id", "label", "lat", "lon"]).to_csv(
        folder / "labels.csv", index=False, lineterminator="\n")
    vtype = {"matatu": "minibus", "boda": "motorcycle", "ngo_car": "saloon/SUV", "school_bus": "bus",
             "delivery_van": "van", "lorry": "truck", "safari": "4x4"}
    tracker = {CSV_NAME: "Concox GT06N", PQ_NAME: "Teltonika FMB920", GPX_NAME: "phone app"}
    pd.DataFrame([{"vehicle_id": v["id"], "source_file": v["file"], "vehicle_type": vtype[v["kind"]],
                   "operator": {"matatu": "sacco", "boda": "owner-rider", "ngo_car": "NGO",
                                "school_bus": "school", "delivery_van": "supermarket chain",
                                "lorry": "transporter", "safari": "tour operator"}[v["kind"]],
                   "city": v["city"], "tracker": tracker[v["file"]]} for v in fleet]).to_csv(
        folder / "vehicles.csv", index=False, lineterminator="\n")
    truth_v = {}
    for v in fleet:
        e = {"home": list(v["home"]) if v["home"] is not None else None,
             "work": list(v["work"]) if v["work"] is not None else None,
             "kind": v["kind"], "city": v["city"], "file": v["file"]}
        if "far_stage" in v:
            e["far_stage"] = list(v["far_stage"])
        if "camp" in v:
            e["camp"] = list(v["camp"])
        if "shared_home_with" in v:
            e["shared_home_with"] = v["shared_home_with"]
        truth_v[v["id"]] = e
    truth = {"tz": "Africa/Nairobi",
             "window": [_iso(_day(0)), _iso(_day(days))],
             "vehicles": truth_v, "wrong_labels": wrong, "faults": faults}
    (folder / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n")
    return folder


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write a synthetic East-African GPS fleet.")
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(write_nairobi_fleet(a.out, a.vehicles, a.days, a.seed))


if __name__ == "__main__":
    main()
