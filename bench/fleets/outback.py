"""An eighth fleet generator, for benches only, written apart from the other seven: an
Australian consumer driving app's export, one GPX file per vehicle, over four cities in four
different zones. The window opens on Monday 23 March 2026 local; daylight saving ENDS on Sunday
5 April 2026 (03:00 -> 02:00) in Adelaide and Sydney inside it, while Perth and Brisbane keep
one offset; Good Friday (3 April) and Easter Monday (6 April) are public holidays everywhere,
and the April school holidays (approximate dates per state) stop the school runs.

Cities (vehicles stay in theirs; the id's letter is the city: AU-P-0007):
- P Perth, Australia/Perth, UTC+08:00, no DST;
- A Adelaide, Australia/Adelaide, UTC+10:30 then +09:30 (a half-hour zone, DST ends 5 April);
- B Brisbane, Australia/Brisbane, UTC+10:00, no DST;
- S Sydney, Australia/Sydney, UTC+11:00 then +10:00 (DST ends 5 April).
Homes are spread over each metro (not in the sea); hospitals, campuses and the airport's
long-term car park sit at approximate real positions.

Kinds of vehicle (truth "kind"):
- commuter: weekdays ~08:00-17:00 at one workplace (a third in the CBD), a shop after work
  now and then, errands and sport at weekends;
- tradie: on site ~07:00-15:30 on weekdays (and some Saturday mornings), the site changing
  every 1-3 weeks, a hardware store at ~06:20 on many days (truth work: null, no fixed place);
- fifo: fly-in-fly-out mine worker, 2 weeks away / 1 week home: drives to the airport before
  dawn, the car sits in the long-term car park for the 14-day swing without a single fix (the
  phone is at the mine), collected in the afternoon; at home lives like a retiree (truth
  work: null; truth "airport" and "swings" [[start, end] UTC ISO] for checks);
- nurse: three 12-hour shifts a week on random days at a fixed hospital, half of the nurses on
  nights (19:00-07:30), the car in the staff car park 150-400 m from the main entrance;
- retiree: no work; shops, a club, church on Sunday for some, the grandchildren weekly;
- uni: a student at a campus on ~4 weekdays at irregular hours (truth work: their car park);
- school_parent: no work; school drop-off at ~08:30 and pick-up at ~15:00 on school days,
  the gym some mornings, shops.

Routes follow a street grid (one or two bends), with red lights of 0-60 s, speed ramps at
ends and lights, faster roads on long legs and rush hours slowing the roads.

Devices (truth "device"): a phone app logging every second while driving, exported thinned
(one fix every 1-5 s), ~5 m wandering GPS error; nothing while parked, except on 40% of phones
("phone_sig") a significant-location-change fix every 30-90 min while parked, from cell/wifi,
50-300 m off where the PERSON is (the house, the office or ward entrance - not the car park).
The app is backgrounded on ~10% of trips (trip missing entirely) and on ~10% loses the first
or last 1-3 minutes. Android exports also carry the speed (Garmin TrackPointExtension).

Files in ``out``:
- gpx/<vehicle_id>.gpx: GPX 1.1, one <trk> per local day ("2026-03-24 drives"), one <trkseg>
  per trip (and one per stay and local day for parked fixes), <trkpt lat lon><ele><time> with
  UTC stamps 'YYYY-MM-DDTHH:MM:SSZ';
- vehicles.csv: vehicle_id,timezone,city,phone_os (timezone an IANA name);
- labels.csv: vehicle_id,label,lat,lon for ~70% of vehicles; labels are geocoded addresses
  30-120 m from where the car parks (a nurse's work label is the hospital's main entrance),
  ~8% of labelled vehicles wrong (home/work swapped, work at the FIFO airport car park, a
  tradie with a work label at one of their sites);
- truth.json: {"vehicles": {id: {"home", "work" (where the car parks) or null, "kind", "city",
  "device"}}, "wrong_labels": [{"vehicle_id", "label", "reason"}]}.
Seeded (numpy default_rng): the same arguments write byte-identical files.

    python bench/fleets/outback.py OUT [--vehicles N] [--days D] [--seed S]
"""
from __future__ import annotations

import argparse
import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

M = 111_320.0  # metres per degree of latitude
START = date(2026, 3, 23)  # a Monday
HOLIDAYS = {date(2026, 4, 3), date(2026, 4, 6)}  # Good Friday, Easter Monday

CITIES = {
    # letter: name, zone, CBD, home box (lat0, lat1, lon0, lon1), airport long-term car park,
    # hospitals (main entrance), campuses (address), ground elevation (m), grid rotation (deg)
    "P": dict(name="Perth", zone="Australia/Perth", cbd=(-31.9523, 115.8613),
              box=(-32.15, -31.75, 115.77, 116.02), airport=(-31.9365, 115.9745),
              hospitals=[(-32.0700, 115.8470), (-31.9680, 115.8165), (-31.9540, 115.8665)],
              campuses=[(-31.9810, 115.8170), (-32.0050, 115.8940)], ele=25.0, rot=0.0,
              school_holidays=(date(2026, 4, 3), date(2026, 4, 19))),
    "A": dict(name="Adelaide", zone="Australia/Adelaide", cbd=(-34.9285, 138.6007),
              box=(-35.10, -34.72, 138.53, 138.70), airport=(-34.9418, 138.5365),
              hospitals=[(-34.9210, 138.5870), (-35.0210, 138.5680), (-34.7560, 138.6740)],
              campuses=[(-34.9200, 138.6040), (-35.0210, 138.5720)], ele=45.0, rot=0.0,
              school_holidays=(date(2026, 4, 11), date(2026, 4, 26))),
    "B": dict(name="Brisbane", zone="Australia/Brisbane", cbd=(-27.4698, 153.0251),
              box=(-27.65, -27.30, 152.92, 153.10), airport=(-27.3925, 153.1130),
              hospitals=[(-27.4480, 153.0280), (-27.4990, 153.0330), (-27.3920, 153.0520)],
              campuses=[(-27.4975, 153.0137), (-27.4510, 153.0160)], ele=30.0, rot=-12.0,
              school_holidays=(date(2026, 4, 3), date(2026, 4, 19))),
    "S": dict(name="Sydney", zone="Australia/Sydney", cbd=(-33.8688, 151.2093),
              box=(-34.00, -33.70, 150.90, 151.26), airport=(-33.9330, 151.1870),
              hospitals=[(-33.8020, 150.9880), (-33.8890, 151.1830), (-33.8210, 151.1910),
                         (-33.9210, 150.9310)],
              campuses=[(-33.9173, 151.2313), (-33.7738, 151.1126), (-33.8130, 151.0210)],
              ele=50.0, rot=8.0, school_holidays=(date(2026, 4, 3), date(2026, 4, 19))),
}
CITY_ORDER = ("P", "A", "B", "S")
KIND_CYCLE = ("commuter", "fifo", "nurse", "tradie", "retiree", "uni", "school_parent",
              "commuter", "nurse", "school_parent", "retiree", "commuter", "tradie", "fifo", "uni")
WITH_WORK = ("commuter", "nurse", "uni")
GPX_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<gpx version="1.1" creator="{creator}" xmlns="http://www.topografix.com/GPX/1/1" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" '
            'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 '
            'http://www.topografix.com/GPX/1/1/gpx.xsd">\n'
            '<metadata><name>{vid}</name><time>{when}</time></metadata>\n')


def _off(p, north_m, east_m):
    return (p[0] + north_m / M, p[1] + east_m / (M * math.cos(math.radians(p[0]))))


def _around(rng, p, r0, r1):
    """A point r0-r1 metres from p in a random direction."""
    r, a = rng.uniform(r0, r1), rng.uniform(0, 2 * math.pi)
    return _off(p, r * math.cos(a), r * math.sin(a))


def _in_box(rng, box, near=None, r0=0.0, r1=0.0):
    """A point in the metro box; near a point (r0-r1 m) when given, else anywhere."""
    for _ in range(50):
        p = _around(rng, near, r0, r1) if near is not None else (
            rng.uniform(box[0], box[1]), rng.uniform(box[2], box[3]))
        if box[0] <= p[0] <= box[1] and box[2] <= p[1] <= box[3]:
            return p
    return (min(max(p[0], box[0]), box[1]), min(max(p[1], box[2]), box[3]))


class Place:
    """Where the car parks (``car``), where the person is while parked (``person``), how far
    a parking bay varies between visits (``bay`` m)."""

    def __init__(self, car, person=None, bay=3.0):
        self.car, self.person, self.bay = car, person or car, bay


class _Zone:
    """UTC offsets of a zone on a 15-minute grid over the window, for vectorised local days."""

    def __init__(self, zone: ZoneInfo, t0: int, t1: int):
        self.grid = np.arange(t0 - 86400, t1 + 2 * 86400, 900, dtype=np.int64)
        self.off = np.array([datetime.fromtimestamp(int(t), zone).utcoffset().total_seconds()
                             for t in self.grid], dtype=np.int64)

    def local_day(self, t):
        i = np.clip(np.searchsorted(self.grid, t, side="right") - 1, 0, len(self.grid) - 1)
        return (t + self.off[i]) // 86400


class _Life:
    """One vehicle's timeline: stays at places and the drives between them."""

    def __init__(self, rng, city, zone, home, device):
        self.rng, self.city, self.zone, self.home, self.device = rng, city, zone, home, device
        self.at, self.spot = home, _around(rng, home.car, 0, home.bay)
        self.t = int(datetime.combine(START, datetime.min.time(), zone).timestamp())
        self.since = self.t
        self.segments: list[tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.swings: list[tuple[int, int]] = []

    def local(self, day: int, hour: float) -> int:
        """Epoch seconds of a wall-clock hour on window day ``day`` (aware arithmetic in
        Python is wall-clock arithmetic, so 07:00 stays 07:00 across the DST change)."""
        d = START + timedelta(days=day)
        return int((datetime(d.year, d.month, d.day, tzinfo=self.zone)
                    + timedelta(hours=hour)).timestamp())

    def _park(self, until: int, silent=False):
        """The car stays at self.at from self.since to ``until``; parked fixes if any."""
        rng = self.rng
        if self.device == "phone_sig" and not silent and until - self.since > 1800:
            gaps = rng.uniform(1800, 5400, size=int((until - self.since) / 1800) + 2)
            t = self.since + np.cumsum(gaps).astype(np.int64)
            t = t[t < until - 60]
            if len(t):
                r = rng.uniform(50, 300, len(t))
                a = rng.uniform(0, 2 * np.pi, len(t))
                p = self.at.person
                lat = p[0] + r * np.cos(a) / M
                lon = p[1] + r * np.sin(a) / (M * math.cos(math.radians(p[0])))
                self.segments.append(("parked", t, lat, lon, np.full(len(t), np.nan)))

    def _estimate(self, a, b) -> float:
        dn = (b[0] - a[0]) * M
        de = (b[1] - a[1]) * M * math.cos(math.radians(a[0]))
        L = 1.15 * (abs(dn) + abs(de)) + 200
        return L / (0.62 * _cruise(L)) + 30

    def go(self, place: Place, arrive_by: int, dwell: float, silent=False) -> None:
        """Drive from where the car is to ``place`` aiming to arrive at ``arrive_by``, then stay
        ``dwell`` seconds there."""
        rng = self.rng
        dest_spot = _around(rng, place.car, 0, place.bay)
        dep = int(arrive_by - self._estimate(self.spot, dest_spot) - rng.uniform(0, 300))
        dep = max(dep, self.since + 300)
        self._park(dep)
        wall = datetime.fromtimestamp(dep, self.zone)
        hour = wall.hour + wall.minute / 60
        seg = _drive(rng, self.spot, dest_spot, dep, self.city, hour)
        arrive = int(seg[1][-1]) + 1
        self.segments.append(seg)
        self.at, self.spot, self.since = place, dest_spot, arrive
        leave = int(arrive + max(dwell, 240))
        if silent:
            self.swings.append((arrive, leave))
        self._park_until = leave
        self._silent = silent

    def stay(self):
        """Close the current stay at its planned leave time (the car leaves on the next go)."""
        self._park(self._park_until, silent=self._silent)
        self.since = self._park_until

    def outing(self, arrive_by: int, stops: list[tuple[Place, float]], home_too=True):
        for i, (place, dwell) in enumerate(stops):
            self.go(place, arrive_by if i == 0 else 0, dwell, silent=False)
            self.stay()
        if home_too:
            self.go(self.home, 0, 0)  # at home; parked until the next outing


def _cruise(L):
    return 9.5 if L < 2500 else 13.0 if L < 9000 else 19.0


def _drive(rng, a, b, t0, city, hour):
    """One drive from a to b starting at epoch ``t0``: 1 s fixes, vectorised per sub-leg."""
    cos = math.cos(math.radians(a[0]))
    th = math.radians(city["rot"])
    dn, de = (b[0] - a[0]) * M, (b[1] - a[1]) * M * cos
    u, v = de * math.cos(th) + dn * math.sin(th), -de * math.sin(th) + dn * math.cos(th)
    # street grid in the rotated frame: one or two bends
    if rng.random() < 0.5:
        f = rng.uniform(0.2, 0.8) if rng.random() < 0.5 else 1.0
        pts = [(0, 0), (u * f, 0), (u * f, v), (u, v)]
    else:
        f = rng.uniform(0.2, 0.8) if rng.random() < 0.5 else 1.0
        pts = [(0, 0), (0, v * f), (u, v * f), (u, v)]
    W = np.array(pts, dtype=float)
    seg_len = np.hypot(*np.diff(W, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(seg_len)])
    L = float(cum[-1])
    cruise = _cruise(L) * rng.uniform(0.85, 1.15)
    if 7 <= hour < 9 or 16 <= hour < 18.5:
        cruise *= rng.uniform(0.55, 0.85)
    n_lights = rng.poisson(L / (900 if L < 9000 else 2200))
    cuts = np.sort(rng.uniform(0.05, 0.95, n_lights)) * L
    bounds = np.concatenate([[0.0], cuts, [L]])
    acc = 1.6
    ts, ss, vs = [], [], []
    t_off = 0.0
    for s0, s1 in zip(bounds[:-1], bounds[1:]):
        ln = s1 - s0
        if ln < 1:
            continue
        vmax = min(cruise * rng.uniform(0.9, 1.1), math.sqrt(acc * ln))
        ta = vmax / acc
        da = vmax * vmax / (2 * acc)
        tc = (ln - 2 * da) / vmax
        T = 2 * ta + tc
        t = np.arange(0.0, T, 1.0)
        s = np.where(t < ta, 0.5 * acc * t * t,
                     np.where(t < ta + tc, da + vmax * (t - ta),
                              ln - 0.5 * acc * np.maximum(T - t, 0) ** 2))
        vel = np.where(t < ta, acc * t, np.where(t < ta + tc, vmax, acc * np.maximum(T - t, 0)))
        ts.append(t + t_off)
        ss.append(s + s0)
        vs.append(vel)
        t_off += T
        if s1 < L and rng.random() < 0.55:  # red light
            wait = np.arange(1.0, rng.uniform(5, 60), 1.0)
            ts.append(t_off + wait - 1)
            ss.append(np.full(len(wait), s1))
            vs.append(np.zeros(len(wait)))
            t_off += len(wait)
    t = np.concatenate(ts + [[t_off]])
    s = np.concatenate(ss + [[L]])
    vel = np.concatenate(vs + [[0.0]])
    t = np.round(t).astype(np.int64)
    t, keep = np.unique(t, return_index=True)
    s, vel = s[keep], vel[keep]
    x = np.interp(s, cum, W[:, 0])
    y = np.interp(s, cum, W[:, 1])
    # wandering phone GPS error, ~5 m, ~20 s memory
    n = len(t)
    k = np.exp(-np.arange(60) / 20.0)
    k /= np.sqrt((k * k).sum())
    ex = np.convolve(rng.normal(0, 5, n + 59), k, mode="valid")
    ey = np.convolve(rng.normal(0, 5, n + 59), k, mode="valid")
    x, y = x + ex, y + ey
    de_ = x * math.cos(th) - y * math.sin(th)
    dn_ = x * math.sin(th) + y * math.cos(th)
    lat = a[0] + dn_ / M
    lon = a[1] + de_ / (M * cos)
    speed = np.maximum(vel + rng.normal(0, 0.3, n), 0)
    return ("trip", t0 + t, lat, lon, speed)


def _plan_vehicle(rng, i, letter, kind, days):
    city = CITIES[letter]
    zone = ZoneInfo(city["zone"])
    box = city["box"]
    device = "phone_sig" if rng.random() < 0.4 else "phone_plain"
    drive = _in_box(rng, box)
    home = Place(drive, _around(rng, drive, 8, 18), bay=2.5)
    home_addr = _around(rng, drive, 30, 120)
    life = _Life(rng, city, zone, home, device)
    shops = [Place(_in_box(rng, box, drive, 500, 4000), bay=40) for _ in range(4)]
    gym = Place(_in_box(rng, box, drive, 800, 3500), bay=25)
    club = Place(_in_box(rng, box, drive, 1000, 6000), bay=25)
    church = Place(_in_box(rng, box, drive, 500, 3000), bay=20)
    family = Place(_in_box(rng, box, drive, 4000, 20000), bay=5)
    school = Place(_in_box(rng, box, drive, 500, 3000), bay=30)
    hardware = Place(_in_box(rng, box, drive, 1500, 8000), bay=50)
    truth_work, work, work_addr, extra = None, None, None, {}
    if kind == "commuter":
        car = (_around(rng, city["cbd"], 0, 700) if rng.random() < 0.35 else _in_box(rng, box))
        addr = _around(rng, car, 30, 120)
        work, work_addr = Place(car, addr, bay=20), addr
    elif kind == "nurse":
        entrance = city["hospitals"][int(rng.integers(len(city["hospitals"])))]
        car = _around(np.random.default_rng(hash_pt(entrance)), entrance, 150, 400)
        work, work_addr = Place(car, entrance, bay=35), entrance
    elif kind == "uni":
        campus = city["campuses"][int(rng.integers(len(city["campuses"])))]
        car = _around(rng, campus, 100, 500)  # one of the campus car parks
        addr = _around(rng, car, 30, 120)
        work, work_addr = Place(car, addr, bay=35), addr
    if work is not None:
        truth_work = work.car
    airport = Place(city["airport"], bay=120)
    sites = []
    night = kind == "nurse" and rng.random() < 0.5
    fifo_phase = int(rng.integers(21))
    shift_days: set[int] = set()
    if kind == "nurse":
        for w in range(0, days + 7, 7):
            shift_days.update(int(w + d) for d in rng.choice(7, 3, replace=False))
    uni_days = {d for d in range(days) if rng.random() < 0.8}
    site, site_left = None, 0

    def errands(day, n, start=9.0, end=16.0):
        for _ in range(n):
            h = rng.uniform(start, end)
            stops = [(shops[int(rng.integers(len(shops)))], rng.uniform(900, 3600))]
            if rng.random() < 0.25:
                stops.append((shops[int(rng.integers(len(shops)))], rng.uniform(600, 1800)))
            life.outing(life.local(day, h), stops)

    def retiree_day(day, wd):
        if wd == 6 and rng.random() < 0.5 and kind == "retiree" and i % 3 == 0:
            life.outing(life.local(day, 9.0 + rng.uniform(-0.1, 0.1)), [(church, 5400)])
        if wd in (1, 3) and rng.random() < 0.6:
            life.outing(life.local(day, rng.uniform(9.5, 10.5)), [(club, rng.uniform(6000, 10800))])
        if wd == 5 and rng.random() < 0.7:
            life.outing(life.local(day, rng.uniform(11, 13)), [(family, rng.uniform(9000, 16000))])
        errands(day, int(rng.choice([0, 1, 1, 2])), 13.5, 16.5)

    # a FIFO car already at the airport when the window opens
    if kind == "fifo" and 1 <= fifo_phase % 21 <= 13:
        life.at = airport
        life.spot = _around(rng, airport.car, 0, airport.bay)
        back = 14 - fifo_phase % 21
        life._park_until = life.local(back, rng.uniform(13, 18))
        life.swings.append((life.since, life._park_until))
        life._silent = True
        life.stay()
        life.go(home, 0, 0)
    for day in range(days):
        today = START + timedelta(days=day)
        wd = today.weekday()
        if life.since > life.local(day, 23.5):
            continue
        holiday = today in HOLIDAYS
        school_holiday = city["school_holidays"][0] <= today <= city["school_holidays"][1]
        workday = wd < 5 and not holiday
        if kind == "commuter":
            if workday and rng.random() > 0.04:
                arrive = life.local(day, rng.normal(8.0, 0.25))
                leave = life.local(day, rng.normal(17.0, 0.3))
                stops = [(work, leave - arrive)]
                if rng.random() < 0.25:
                    stops.append((shops[int(rng.integers(len(shops)))], rng.uniform(600, 2400)))
                life.outing(arrive, stops)
                if rng.random() < 0.15:
                    life.outing(life.local(day, rng.uniform(19, 20.5)),
                                [(family, rng.uniform(3600, 9000))])
            else:
                if wd == 5 and rng.random() < 0.6:
                    life.outing(life.local(day, rng.uniform(8, 9)), [(gym, rng.uniform(3600, 7200))])
                errands(day, int(rng.choice([1, 1, 2])), 10, 16)
        elif kind == "tradie":
            sat = wd == 5 and rng.random() < 0.25
            if (workday or sat) and rng.random() > 0.05:
                if site is None or site_left <= 0:
                    site = Place(_in_box(rng, box), bay=25)
                    sites.append(site.car)
                    site_left = int(rng.integers(5, 16))
                site_left -= 1
                end = rng.uniform(11.5, 12.5) if sat else rng.uniform(15.2, 15.8)
                stops = []
                arrive = life.local(day, rng.uniform(6.75, 7.05))
                if rng.random() < 0.45:
                    stops.append((hardware, rng.uniform(600, 1500)))
                    arrive = life.local(day, rng.uniform(6.15, 6.35))
                    stops.append((site, life.local(day, end) - life.local(day, 7.0)))
                else:
                    stops.append((site, life.local(day, end) - arrive))
                if rng.random() < 0.25:
                    stops.append((hardware, rng.uniform(600, 1500)))
                life.outing(arrive, stops)
            else:
                errands(day, int(rng.choice([0, 1, 2])), 9, 16)
        elif kind == "fifo":
            c = (day + fifo_phase) % 21
            if c == 0:
                leave = life.local(day + 14, rng.uniform(13, 18))
                arrive = life.local(day, rng.uniform(4.5, 6.3))
                life.go(airport, arrive, leave - arrive, silent=True)
                life.stay()
                life.go(home, 0, 0)
            elif c >= 14:
                retiree_day(day, wd)
        elif kind == "nurse":
            if day in shift_days:
                if night:
                    arrive = life.local(day, rng.uniform(18.55, 18.85))
                    leave = life.local(day + 1, rng.uniform(7.25, 7.75))
                else:
                    arrive = life.local(day, rng.uniform(6.55, 6.85))
                    leave = life.local(day, rng.uniform(19.25, 19.75))
                life.outing(arrive, [(work, leave - arrive)])
            elif not (night and day - 1 in shift_days):
                errands(day, int(rng.choice([0, 1, 1, 2])), 10, 16)
            else:
                errands(day, int(rng.choice([0, 1])), 14.5, 17)
        elif kind == "uni":
            if workday and day in uni_days:
                arrive = life.local(day, rng.uniform(8.3, 11.5))
                life.outing(arrive, [(work, rng.uniform(3, 7.5) * 3600)])
                if rng.random() < 0.2:
                    errands(day, 1, 18, 20)
            else:
                errands(day, int(rng.choice([0, 1, 2])), 11, 19)
        elif kind == "school_parent":
            if workday and not school_holiday:
                stops = [(school, rng.uniform(240, 600))]
                if wd in (0, 2, 4) and rng.random() < 0.7:
                    stops.append((gym, rng.uniform(3600, 4800)))
                elif rng.random() < 0.3:
                    stops.append((shops[int(rng.integers(len(shops)))], rng.uniform(900, 2700)))
                life.outing(life.local(day, 8.0 + rng.uniform(0.35, 0.5)), stops)
                stops = [(school, rng.uniform(600, 1500))]
                if rng.random() < 0.3:
                    stops.append((shops[int(rng.integers(len(shops)))], rng.uniform(900, 2400)))
                life.outing(life.local(day, rng.uniform(14.75, 14.92)), stops)
            else:
                errands(day, int(rng.choice([1, 1, 2])), 9.5, 16)
        else:  # retiree
            retiree_day(day, wd)
    end = life.local(days, 0.0)
    life._park(end, silent=life.at is airport)
    if kind == "fifo":
        extra = {"airport": [round(x, 6) for x in city["airport"]],
                 "swings": [[_iso(a), _iso(b)] for a, b in life.swings]}
    return life, dict(home=drive, home_addr=home_addr, work=truth_work, work_addr=work_addr,
                      sites=sites, airport=city["airport"], device=device, extra=extra)


def hash_pt(p):
    """A seed from a position: nurses of one hospital share its staff car park."""
    return [int(abs(p[0]) * 1e4), int(abs(p[1]) * 1e4)]


def _iso(t: int) -> str:
    return str(np.datetime64(int(t), "s")) + "Z"


def _apply_app(rng, segments, end):
    """Backgrounded app: ~10% of trips missing, ~10% lose their first or last 1-3 minutes;
    then the 1 s log thinned to one fix every 1-5 s; nothing at or after ``end``."""
    out = []
    for seg in segments:
        kind, t, lat, lon, sp = seg
        if t[0] >= end:
            continue
        if t[-1] >= end:
            m = t < end
            t, lat, lon, sp = t[m], lat[m], lon[m], sp[m]
        if kind == "trip":
            r = rng.random()
            if r < 0.10:
                continue
            if r < 0.20:
                cut = rng.uniform(60, 180)
                keep = (t >= t[0] + cut) if rng.random() < 0.5 else (t <= t[-1] - cut)
                t, lat, lon, sp = t[keep], lat[keep], lon[keep], sp[keep]
            if len(t) < 2:
                continue
            idx = np.concatenate([[0], np.cumsum(rng.integers(1, 6, size=len(t)))])
            idx = idx[idx < len(t)]
            t, lat, lon, sp = t[idx], lat[idx], lon[idx], sp[idx]
        out.append((kind, t, lat, lon, sp))
    return out


def _fmt(values, decimals):
    """Shortest decimal text of the rounded values, vectorised (Arrow's cast)."""
    return pc.cast(pa.array(np.round(values, decimals)), pa.string())


def _gpx(vid, segs, zone_grid, android, city):
    """The GPX text of one vehicle: a <trk> per local day, a <trkseg> per trip or parked stay."""
    pieces = []  # (first t, local day, kind, t, lat, lon, speed)
    for kind, t, lat, lon, sp in segs:
        day = zone_grid.local_day(t)
        if kind == "trip":
            pieces.append((int(t[0]), int(day[0]), t, lat, lon, sp))
        else:
            for d in np.unique(day):
                m = day == d
                pieces.append((int(t[m][0]), int(d), t[m], lat[m], lon[m], sp[m]))
    pieces.sort(key=lambda p: p[0])
    if not pieces:
        return GPX_HEAD.format(creator="DriveDiary", vid=vid, when="") + "</gpx>\n"
    t = np.concatenate([p[2] for p in pieces])
    lat = np.concatenate([p[3] for p in pieces])
    lon = np.concatenate([p[4] for p in pieces])
    sp = np.concatenate([p[5] for p in pieces])
    ele = city["ele"] + 18 * (np.sin(lat * 90) + np.cos(lon * 70)) + np.sin(t / 97.0)
    ele = np.maximum(ele, 1.0)
    stamps = pa.array(np.datetime_as_string(t.astype("datetime64[s]"), unit="s"))
    la, lo, el = _fmt(lat, 6), _fmt(lon, 6), _fmt(ele, 1)
    lines = pc.binary_join_element_wise(
        '<trkpt lat="', la, '" lon="', lo, '"><ele>', el, "</ele><time>", stamps, "Z</time>", "")
    if android:
        ext = pc.if_else(pa.array(~np.isnan(sp)), pc.binary_join_element_wise(
            "<extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>",
            _fmt(np.nan_to_num(sp), 1),
            "</gpxtpx:speed></gpxtpx:TrackPointExtension></extensions>", ""), "")
        lines = pc.binary_join_element_wise(lines, ext, "</trkpt>", "")
    else:
        lines = pc.binary_join_element_wise(lines, "</trkpt>", "")
    lines = lines.to_pylist()
    out = [GPX_HEAD.format(creator="DriveDiary 5.3 (" + ("Android" if android else "iOS") + ")",
                           vid=vid, when=_iso(int(t[-1]) + 3600))]
    pos, cur_day = 0, None
    for _first, day, pt, *_ in pieces:
        if day != cur_day:
            if cur_day is not None:
                out.append("</trk>\n")
            name = str(np.datetime64(day, "D"))
            out.append(f"<trk><name>{name} drives</name>\n")
            cur_day = day
        n = len(pt)
        out.append("<trkseg>\n" + "\n".join(lines[pos:pos + n]) + "\n</trkseg>\n")
        pos += n
    out.append("</trk>\n</gpx>\n")
    return "".join(out)


def write_outback_fleet(out: Path, vehicles: int = 60, days: int = 28, seed: int = 0) -> Path:
    """Write the fleet's gpx/, vehicles.csv, labels.csv and truth.json into ``out``."""
    out = Path(out)
    (out / "gpx").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    order = rng.permutation(vehicles)
    truth, vrows, facts = {}, [], {}
    t0 = int(np.datetime64("2026-03-22T00:00:00", "s").astype(np.int64))
    t1 = t0 + (days + 3) * 86400
    grids = {}
    for i in range(vehicles):
        letter = CITY_ORDER[i % 4]
        kind = KIND_CYCLE[int(order[i]) % len(KIND_CYCLE)] if vehicles > len(KIND_CYCLE) \
            else KIND_CYCLE[i % len(KIND_CYCLE)]
        vid = f"AU-{letter}-{i + 1:04d}"
        vr = np.random.default_rng([seed, i])
        life, f = _plan_vehicle(vr, i, letter, kind, days)
        city = CITIES[letter]
        if letter not in grids:
            grids[letter] = _Zone(ZoneInfo(city["zone"]), t0, t1)
        android = vr.random() < 0.45
        segs = _apply_app(vr, life.segments, life.local(days, 0.0))
        (out / "gpx" / f"{vid}.gpx").write_text(_gpx(vid, segs, grids[letter], android, city),
                                               encoding="utf-8")
        vrows.append(f"{vid},{city['zone']},{city['name']},{'android' if android else 'ios'}")
        truth[vid] = dict(home=[round(x, 6) for x in f["home"]],
                          work=[round(x, 6) for x in f["work"]] if f["work"] else None,
                          kind=kind, city=city["name"], device=f["device"], **f["extra"])
        facts[vid] = f
    # labels: ~70% of vehicles, geocoded addresses; ~8% of labelled vehicles wrong
    ids = list(truth)
    pick = set(rng.choice(len(ids), max(1, round(0.7 * len(ids))), replace=False).tolist())
    labelled = [v for j, v in enumerate(ids) if j in pick]
    labels = {v: {"home": facts[v]["home_addr"]} for v in labelled}
    for v in labelled:
        if facts[v]["work_addr"] is not None:
            labels[v]["work"] = facts[v]["work_addr"]
    n_wrong = max(1, round(0.08 * len(labelled)))
    pools = {"swapped": [v for v in labelled if "work" in labels[v]],
             "fifo_airport": [v for v in labelled if truth[v]["kind"] == "fifo"],
             "tradie_site": [v for v in labelled if truth[v]["kind"] == "tradie"
                             and facts[v]["sites"]]}
    wrong, used = [], set()
    kinds = ["swapped", "fifo_airport", "tradie_site"]
    for j in range(n_wrong * 3):
        if len(used) >= n_wrong:
            break
        reason = kinds[j % 3]
        pool = [v for v in pools[reason] if v not in used]
        if not pool:
            continue
        v = pool[int(rng.integers(len(pool)))]
        used.add(v)
        if reason == "swapped":
            labels[v]["home"], labels[v]["work"] = labels[v]["work"], labels[v]["home"]
            wrong += [{"vehicle_id": v, "label": "home", "reason": reason},
                      {"vehicle_id": v, "label": "work", "reason": reason}]
        elif reason == "fifo_airport":
            labels[v]["work"] = _around(rng, facts[v]["airport"], 30, 120)
            wrong.append({"vehicle_id": v, "label": "work", "reason": reason})
        else:
            s = facts[v]["sites"][int(rng.integers(len(facts[v]["sites"])))]
            labels[v]["work"] = _around(rng, s, 30, 120)
            wrong.append({"vehicle_id": v, "label": "work", "reason": reason})
    lrows = [f"{v},{lab},{p[0]:.6f},{p[1]:.6f}"
             for v in sorted(labels) for lab, p in sorted(labels[v].items())]
    (out / "vehicles.csv").write_text("vehicle_id,timezone,city,phone_os\n" + "\n".join(vrows)
                                      + "\n")
    (out / "labels.csv").write_text("vehicle_id,label,lat,lon\n" + "\n".join(lrows) + "\n")
    wrong.sort(key=lambda w: (w["vehicle_id"], w["label"]))
    (out / "truth.json").write_text(json.dumps({"vehicles": truth, "wrong_labels": wrong},
                                               indent=1, sort_keys=True) + "\n")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=60)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    out = write_outback_fleet(Path(a.out), vehicles=a.vehicles, days=a.days, seed=a.seed)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
