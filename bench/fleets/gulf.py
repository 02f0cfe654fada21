"""A seventh fleet generator, for benches only, written apart from the other six: Riyadh
(Asia/Riyadh, UTC+03:00, no DST; at 24.7 N a degree of longitude is ~101 km) over a window
that opens on Thursday 5 March 2026: the last 15 days of Ramadan (to 19 March), the Eid
al-Fitr holiday (20-23 March: no work, family visits, Eid prayer at dawn on the 20th), then
normal weeks. The work week is Sunday to Thursday; the weekend is Friday and Saturday.

The city (~55 x 50 km): villas in districts on a street grid turned 17 degrees west of north,
arterials every 2 km, long legs at 25-35 m/s (ring roads, expressways), districts at 6-10 m/s,
speed ramps at ends and corners, red lights of 5-80 s, rush hours (07:00, 14:00-16:00; in
Ramadan before iftar and late at night) slow the roads. Kinds of vehicle (truth "kind"):
- government (~18%): Sun-Thu office 07:30-15:30, in Ramadan 10:00-15:00;
- private (~16%): Sun-Thu 09:00-18:00 (Ramadan 10:00-16:00), a third also Saturday mornings;
- driver (~11%): a household's hired driver; the car sleeps at the family villa (half of them
  share it with another vehicle of the fleet), school run at 06:45 and 13:00 (Ramadan 08:45),
  the employer to and from an office (waiting there on ~30% of days), errands, malls at night
  (truth work: none);
- shift_worker (~10%): a petrochemical plant or hospital 30-40 km out, 12-hour shifts
  (06/07 or 18/19), day and night weeks alternating, four shifts a week (a day off after the
  last night of a block), Fridays now and then;
- student (~10%): a university campus (truth work: their car park) on ~85% of Sun-Thu, at
  irregular hours;
- delivery (~9%): a food-delivery rider (truth work: none), online 12-15 and 19-02 (Ramadan
  15:30-18:00 and 20:00-03:00), 2-6 min stops at restaurants and customers, waits at a
  favourite lot, asleep in the mornings, one day off a week;
- family (~15%): no work; school runs on 70%, errands, malls, relatives;
- expat_compound (~11%): villas 50 m apart in one gated compound on the north edge, a
  downtown office (Olaya or KAFD towers) Sun-Thu 08:00-17:00 (Ramadan 09:00-15:00); ~40%
  leave the car at the airport for 4-8 days over Eid.
Everyone shops. Men-driven cars go to Friday prayer (~11:40-12:50) at a mosque near home;
most households see the parents weekly (Friday lunch, Thursday or Saturday evening); ~30% of
working or studying men have an istiraha (a rest house 20-30 km out) on Thursday nights. In
Ramadan: iftar at ~18:05-18:10 at home or (for half of households, on 30-90% of nights) at
relatives', taraweeh at the mosque, then out until midnight-03:30 on most nights, qiyam at
~01:00 in the last ten nights; ~10% of Saudi households spend 2-3 Eid days in another town
90-400 km away.

Devices (truth and vehicles.csv "device"): fleet_box (10 s moving, a heartbeat every 15 min
parked, 8 m noise), ignition (30 s moving, nothing parked, 10 m), sparse (120 s moving, every
60 min parked, 20 m). Both fleet_box and ignition send a fix at ignition on and off. Indoor car
parks (half the malls, most tower offices, a few others): no fix inside, none on the last
15-45 s of the ramp in nor the first 20-60 s out.

Faults: ~1% of rows duplicated (the copy right after its original); GPS multipath in the tower
districts (Olaya corridor, KAFD): noise doubled and ~3% of fixes jump 300-2000 m, one fix at a
time; ~5% of vehicles (at least one) reboot into UTC for 2-4 days: from the first trip of the
first faulty day to the first trip after the last, stamps read 3 h early but still say +03:00
(truth "clock_fault_days": their local dates); ~0.03% of rows with lat or lon empty.

Files: pings.csv (vehicle_id "RUH-00017", timestamp ISO-8601 "+03:00" to the second, lat,
lon to 6 decimals; by vehicle then time except the faults), labels.csv (vehicle_id, label
home|work, lat, lon; ~75% of vehicles labelled, within ~25 m; ~8% of labelled vehicles wrong:
home and work swapped, a driver's work label on the school, home at a relative's, work at a
mall), vehicles.csv (vehicle_id, device, sector, nationality_group), truth.json ({"vehicles":
{id: {"home", "work" or null, "kind", "device", "clock_fault_days"}}, "wrong_labels":
[{"vehicle_id", "label", "how"}]}). Seeded: the same arguments write the same files.

    python bench/fleets/gulf.py OUT [--vehicles N] [--days D] [--seed S]
"""
from __future__ import annotations

import argparse
import json
import math
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

M = 111_320.0  # metres per degree of latitude
CENTRE = (24.71, 46.67)
COS = math.cos(math.radians(CENTRE[0]))
DAY = 86_400.0
START = date(2026, 3, 5)  # a Thursday in Ramadan 1447
RAMADAN_LAST = date(2026, 3, 19)
EID = (date(2026, 3, 20), date(2026, 3, 23))
LAST_TEN = date(2026, 3, 10)
ROT = math.radians(17.0)  # the street grid's "north" points 17 degrees west of north
GRID = 2000.0  # arterial spacing, metres
KINDS = (("government", .18), ("private", .16), ("driver", .11), ("shift_worker", .10),
         ("student", .10), ("delivery", .09), ("family", .15), ("expat_compound", .11))
WITH_WORK = ("government", "private", "shift_worker", "student", "expat_compound")
# device: (seconds between fixes moving, seconds between heartbeats parked, noise m, on/off fixes)
DEVICES = {"fleet_box": (10.0, 900.0, 8.0, True), "ignition": (30.0, None, 10.0, True),
           "sparse": (120.0, 3600.0, 20.0, False)}
SECTOR = {"government": "government", "private": "private", "driver": "household",
          "student": "education", "delivery": "gig", "family": "household",
          "expat_compound": "private"}
NATIONALITY = {
    "government": (("Saudi", 1.0),),
    "private": (("Saudi", .6), ("Arab expat", .25), ("South Asian", .15)),
    "driver": (("South Asian", .7), ("Filipino", .2), ("East African", .1)),
    "shift_worker": (("Saudi", .5), ("Filipino", .2), ("South Asian", .2), ("Arab expat", .1)),
    "student": (("Saudi", .9), ("Gulf", .1)),
    "delivery": (("Saudi", .5), ("South Asian", .35), ("Arab expat", .15)),
    "family": (("Saudi", 1.0),),
    "expat_compound": (("Western", .5), ("Arab expat", .2), ("South Asian", .2),
                       ("Filipino", .1)),
}


def _xy(lat, lon):
    return (lon - CENTRE[1]) * M * COS, (lat - CENTRE[0]) * M


def _latlon(x, y):
    return CENTRE[0] + np.asarray(y) / M, CENTRE[1] + np.asarray(x) / (M * COS)


def _to_grid(x, y):
    return x * math.cos(ROT) + y * math.sin(ROT), -x * math.sin(ROT) + y * math.cos(ROT)


def _from_grid(u, v):
    return u * math.cos(ROT) - v * math.sin(ROT), u * math.sin(ROT) + v * math.cos(ROT)


# the tower districts where fixes bounce off glass: (x, y, radius m)
TOWERS = ((*_xy(24.700, 46.680), 2200.0), (*_xy(24.763, 46.640), 1100.0))


def _in_towers(x, y):
    x, y = np.asarray(x), np.asarray(y)
    hit = np.zeros(x.shape, bool)
    for cx, cy, r in TOWERS:
        hit |= np.hypot(x - cx, y - cy) < r
    return hit


class Place:
    __slots__ = ("x", "y", "spread", "indoor")

    def __init__(self, x, y, spread=10.0, indoor=False):
        self.x, self.y, self.spread, self.indoor = float(x), float(y), spread, indoor

    def spot(self, rng):
        return self.x + rng.normal(0, self.spread), self.y + rng.normal(0, self.spread)

    def near(self, rng, lo, hi, spread=10.0, indoor=False):
        r, a = rng.uniform(lo, hi), rng.uniform(0, 2 * math.pi)
        return Place(self.x + r * math.cos(a), self.y + r * math.sin(a), spread, indoor)

    def dist(self, other):
        return math.hypot(self.x - other.x, self.y - other.y)


class Day:
    __slots__ = ("d", "date", "wd", "ramadan", "eid", "weekend", "workday", "last10", "iftar")

    def __init__(self, d):
        self.d = d
        self.date = START + timedelta(days=d)
        self.wd = self.date.weekday()  # Monday 0 ... Friday 4, Saturday 5, Sunday 6
        self.ramadan = self.date <= RAMADAN_LAST
        self.eid = EID[0] <= self.date <= EID[1]
        self.weekend = self.wd in (4, 5)
        self.workday = not self.weekend and not self.eid
        self.last10 = self.ramadan and self.date >= LAST_TEN
        self.iftar = 18.0 + (5.0 + 0.25 * d) / 60  # sunset, hours

    def at(self, hour):
        return self.d * DAY + hour * 3600.0


@lru_cache(maxsize=None)
def _day(d):
    return Day(d)


def _traffic(t):
    """A factor on road speeds for a trip leaving at t (seconds from the window's start)."""
    D = _day(int(t // DAY))
    h = (t % DAY) / 3600.0
    if D.ramadan:
        if (D.workday and 9.0 <= h < 10.3) or 14.5 <= h < 17.9:
            return .6
        if h >= 21.0 or h < 1.0:
            return .75
        return 1.0
    if D.workday and (6.5 <= h < 8.3 or 13.5 <= h < 16.3):
        return .6
    if (D.wd == 3 and h >= 19.5) or 17.0 <= h < 22.0:
        return .8
    return 1.0


def _route(rng, a, b):
    """Vertices (k, 2) in metres and a leg kind per leg: 'l' district, 'm' arterial, 'h' highway."""
    ua, va = _to_grid(*a)
    ub, vb = _to_grid(*b)
    dist = abs(ua - ub) + abs(va - vb)
    if dist < 1500:
        mid = (ub, va) if rng.random() < .5 else (ua, vb)
        pts, kinds = [(ua, va), mid, (ub, vb)], ["l", "l"]
    elif dist > 60_000:  # out of town: to an arterial, then the highway straight on
        va2, vb2 = round(va / GRID) * GRID, round(vb / GRID) * GRID
        pts, kinds = [(ua, va), (ua, va2), (ub, vb2), (ub, vb)], ["l", "h", "l"]
    elif rng.random() < .5:
        va2, ub2 = round(va / GRID) * GRID, round(ub / GRID) * GRID
        pts, kinds = [(ua, va), (ua, va2), (ub2, va2), (ub2, vb), (ub, vb)], ["l", "m", "m", "l"]
    else:
        ua2, vb2 = round(ua / GRID) * GRID, round(vb / GRID) * GRID
        pts, kinds = [(ua, va), (ua2, va), (ua2, vb2), (ub, vb2), (ub, vb)], ["l", "m", "m", "l"]
    g = np.array(pts)
    xs, ys = _from_grid(g[:, 0], g[:, 1])
    v = np.column_stack([xs, ys])
    keep = np.ones(len(v), bool)
    keep[1:] = np.hypot(*np.diff(v, axis=0).T) > 1.0
    kinds = [k for k, ok in zip(kinds, keep[1:]) if ok]
    return v[keep], kinds


def _profile(rng, pts, kinds, factor):
    """Distance along the route against time: (s, t, vertex distances)."""
    lengths = np.hypot(*np.diff(pts, axis=0).T)
    n_legs = lengths.size
    sv = np.zeros(n_legs + 1)
    np.cumsum(lengths, out=sv[1:])
    total = sv[-1]
    speeds = np.array([rng.uniform(6, 10) if k == "l" else rng.uniform(30, 36) if k == "h"
                       else rng.uniform(25, 35) if n > 5000 else rng.uniform(12, 18)
                       for k, n in zip(kinds, lengths)])
    speeds = np.where(np.array(kinds) == "h", speeds, np.maximum(speeds * factor, 3.0))
    # points every <= 40 m, each leg's first point on its start vertex
    per = np.maximum(2, np.ceil(lengths / 40.0).astype(int))
    first = np.cumsum(per) - per
    leg = np.repeat(np.arange(n_legs), per)
    s = np.empty(leg.size + 1)
    s[:-1] = sv[leg] + lengths[leg] * (np.arange(leg.size) - first[leg]) / per[leg]
    s[-1] = total
    cap = speeds[np.append(leg, n_legs - 1)]
    acc = 1.5
    corners = sv[1:-1]
    if corners.size:
        cap = np.minimum(cap, np.sqrt(25.0 + 2 * acc * np.abs(s[:, None] - corners[None, :])).min(1))
    cap = np.minimum(cap, np.sqrt(1.0 + 2 * acc * np.minimum(s, total - s)))
    t = np.zeros(s.size)
    np.cumsum(np.diff(s) / ((cap[1:] + cap[:-1]) / 2), out=t[1:])
    # red lights at corners where an arterial meets anything
    waits = np.zeros(s.size)
    for i in range(n_legs - 1):
        if "m" in (kinds[i], kinds[i + 1]) and rng.random() < .55:
            waits[first[i + 1]] = rng.uniform(5, 80)
    if waits.any():
        arrive = t + np.cumsum(waits) - waits
        reps = 1 + (waits > 0)
        s = np.repeat(s, reps)
        t = np.repeat(arrive, reps)
        second = np.cumsum(reps)[waits > 0] - 1
        t[second] += waits[waits > 0]
    return s, t, sv


class Timeline:
    """One vehicle's fixes, built stay by stay: go(place, at) leaves the current place at `at`
    (never earlier than a short stay after arriving) and drives to `place`."""

    def __init__(self, rng, device, home, end):
        self.rng, self.end = rng, end
        self.move, self.park, self.noise, self.events = DEVICES[device]
        self.place, self.spot, self.t = home, home.spot(rng), 0.0
        self.ts, self.xs, self.ys, self.departs = [], [], [], []

    def eta(self, place):
        d = abs(self.place.x - place.x) + abs(self.place.y - place.y)
        return 150.0 + d / min(24.0, 7.0 + d / 2500.0)

    def _fixes(self, t, x, y):
        rng = self.rng
        noise = np.where(_in_towers(x, y), 2 * self.noise, self.noise) / math.sqrt(2)
        self.ts.append(t)
        self.xs.append(x + rng.normal(0, 1, t.size) * noise)
        self.ys.append(y + rng.normal(0, 1, t.size) * noise)

    def _parked(self, t1):
        if self.park is None or self.place.indoor or t1 <= self.t or self.t >= self.end:
            return
        rng = self.rng
        t = np.arange(self.t + self.park * rng.uniform(.1, 1.0), min(t1, self.end), self.park)
        t = t + rng.uniform(-15, 15, t.size)
        t = t[(t > self.t) & (t < t1)]
        self._fixes(t, np.full(t.size, self.spot[0]), np.full(t.size, self.spot[1]))

    def go(self, place, at, min_stay=90.0):
        at = max(at, self.t + min_stay)
        if self.t >= self.end:  # past the window: only the clock moves on
            self.t, self.place = at + 60.0, place
            return
        if place is self.place:  # already there: stay until `at`
            self._parked(at)
            self.t = at
            return
        rng = self.rng
        self._parked(at)
        spot = place.spot(rng)
        pts, kinds = _route(rng, self.spot, spot)
        if len(kinds) == 0:
            pts, kinds = np.array([self.spot, spot]), ["l"]
            if np.hypot(*(pts[1] - pts[0])) <= 1.0:
                pts[1] += 5.0
        s, t, sv = _profile(rng, pts, kinds, _traffic(at) * rng.uniform(.85, 1.1))
        duration = t[-1]
        rel = np.arange(rng.uniform(1, 4) if self.events else rng.uniform(0, self.move),
                        duration, self.move)
        rel = np.clip(rel + rng.uniform(-1, 1, rel.size), 0, duration)
        if self.events:
            rel = np.append(rel, duration)
        if place.indoor:
            rel = rel[rel < duration - rng.uniform(15, 45)]
        if self.place.indoor:
            rel = rel[rel > rng.uniform(20, 60)]
        along = np.interp(rel, t, s)
        self._fixes(at + rel, np.interp(along, sv, pts[:, 0]), np.interp(along, sv, pts[:, 1]))
        self.departs.append(at)
        self.t, self.place, self.spot = at + duration, place, spot

    def arrive(self, place, by, min_stay=90.0):
        self.go(place, by - self.eta(place), min_stay)

    def after(self, lo_min, hi_min):
        return self.t + self.rng.uniform(lo_min, hi_min) * 60.0

    def finish(self):
        self._parked(self.end)
        if not self.ts:
            return np.zeros(0), np.zeros(0), np.zeros(0)
        t, x, y = np.concatenate(self.ts), np.concatenate(self.xs), np.concatenate(self.ys)
        keep = (t >= 0) & (t < self.end)
        order = np.argsort(t[keep], kind="stable")
        return t[keep][order], x[keep][order], y[keep][order]


class City:
    def __init__(self, rng):
        self.rng = rng
        # district centres: the city's ellipse, north-heavy, not in the tower core
        cs = []
        while len(cs) < 44:
            x, y = rng.uniform(-27_000, 27_000), rng.uniform(-22_000, 26_000)
            if (x / 27_000) ** 2 + ((y - 2000) / 24_000) ** 2 > 1 or _in_towers(x, y):
                continue
            cs.append((x, y))
        self.districts = np.array(cs)
        self.gov = ([Place(*self._jitter(_xy(24.662, 46.712), 1500), 40, rng.random() < .2)
                     for _ in range(6)]
                    + [Place(*self.home_xy(), 40, rng.random() < .1) for _ in range(4)])
        olaya = [Place(*self._olaya(), 30, rng.random() < .6) for _ in range(5)]
        kafd = [Place(*self._jitter(_xy(24.763, 46.640), 350), 30, True) for _ in range(3)]
        north = [Place(*self._jitter(_xy(24.79, 46.65), 2500), 40, rng.random() < .1)
                 for _ in range(6)]
        self.private = olaya + kafd + north
        self.downtown = olaya + kafd
        self.hotels = [Place(*self._olaya(), 30, True) for _ in range(3)]
        malls = ((24.755, 46.630), (24.711, 46.674), (24.781, 46.731), (24.770, 46.710),
                 (24.692, 46.668), (24.742, 46.662), (24.741, 46.691), (24.700, 46.772),
                 (24.832, 46.741), (24.600, 46.662), (24.782, 46.784), (24.642, 46.700),
                 (24.640, 46.610), (24.820, 46.620))
        self.malls = [Place(*_xy(la, lo), 70, i % 2 == 0) for i, (la, lo) in enumerate(malls)]
        self.shops = [Place(*self.home_xy(300), 25) for _ in range(60)]
        self.restaurants = [Place(*self.home_xy(600), 12) for _ in range(110)]
        self.schools = [Place(*self.home_xy(500), 25) for _ in range(34)]
        self.clinics = [Place(*self.home_xy(500), 25) for _ in range(16)]
        self.campuses = [_xy(24.716, 46.619), _xy(24.815, 46.705), _xy(24.846, 46.725)]
        self.sites = [Place(*_xy(la, lo), 60) for la, lo in
                      ((24.47, 46.93), (24.64, 47.02), (24.96, 46.80), (24.62, 46.36))]
        self.site_kind = ("energy", "energy", "health", "health")
        self.airport = Place(*_xy(24.957, 46.698), 150)
        self.towns = [Place(*_xy(la, lo), 15) for la, lo in
                      ((24.155, 47.312), (26.33, 43.97), (26.42, 50.09), (25.90, 45.35))]
        compound = self._jitter(_xy(24.862, 46.625), 400)
        cols = 6
        self.compound_slots = [(compound[0] + 50 * (i % cols) + rng.uniform(-5, 5),
                                compound[1] + 50 * (i // cols) + rng.uniform(-5, 5))
                               for i in range(cols * 5)]
        rng.shuffle(self.compound_slots)

    def _jitter(self, p, sd):
        return p[0] + self.rng.normal(0, sd), p[1] + self.rng.normal(0, sd)

    def _olaya(self):
        # towers along King Fahd Road / Olaya Street, 24.690-24.712
        f = self.rng.uniform(0, 1)
        x, y = _xy(24.690 + .022 * f, 46.685 - .011 * f)
        return x + self.rng.normal(0, 150), y + self.rng.normal(0, 150)

    def home_xy(self, sd=700.0):
        c = self.districts[self.rng.integers(len(self.districts))]
        while True:
            x, y = c[0] + self.rng.normal(0, sd), c[1] + self.rng.normal(0, sd)
            if not _in_towers(x, y):
                return x, y

    def nearest(self, places, p, k):
        d = np.array([q.dist(p) for q in places])
        return [places[i] for i in np.argsort(d, kind="stable")[:k]]


class Vehicle:
    pass


def _allocate(n, rng):
    shares = np.array([s for _, s in KINDS])
    raw = shares * n
    counts = np.floor(raw).astype(int)
    if n >= len(KINDS):
        counts = np.maximum(counts, 1)
    while counts.sum() > n:
        counts[np.argmax(counts - raw)] -= 1
    while counts.sum() < n:
        counts[np.argmax(raw - counts)] += 1
    kinds = [k for (k, _), c in zip(KINDS, counts) for _ in range(c)]
    rng.shuffle(kinds)
    return kinds


def _pick(rng, pairs):
    names = [a for a, _ in pairs]
    p = np.array([b for _, b in pairs], float)
    return names[rng.choice(len(names), p=p / p.sum())]


def _make_vehicles(rng, city, n, days):
    kinds = _allocate(n, rng)
    numbers = np.sort(rng.choice(np.arange(1, max(100, 4 * n)), n, replace=False))
    vs = []
    compound_i = 0
    for i, kind in enumerate(kinds):
        v = Vehicle()
        v.id, v.kind = f"RUH-{numbers[i]:05d}", kind
        dev_w = ((("fleet_box", .1), ("ignition", .5), ("sparse", .4)) if kind == "delivery" else
                 (("fleet_box", .55), ("ignition", .3), ("sparse", .15)) if kind == "government"
                 else (("fleet_box", .5), ("ignition", .3), ("sparse", .2)))
        v.device = _pick(rng, dev_w)
        v.nationality = _pick(rng, NATIONALITY[kind])
        if kind == "expat_compound":
            slots = city.compound_slots
            x, y = slots[compound_i % len(slots)]
            if compound_i >= len(slots):  # a second row of villas further along
                y += 400.0 * (compound_i // len(slots))
            compound_i += 1
            v.home = Place(x, y, 3.0)
        elif kind == "delivery":  # shared flats in the older southern districts
            v.home = Place(*city._jitter(_xy(24.625, 46.725), 1800), 6.0)
        else:
            v.home = Place(*city.home_xy(), 3.0)
        v.man = rng.random() < {"government": .8, "private": .75, "driver": .55, "shift_worker": .85,
                                "student": .85, "delivery": .8, "family": .35,
                                "expat_compound": .2}[kind]
        v.saudi_household = kind in ("government", "private", "family", "driver", "student") and \
            v.nationality in ("Saudi", "Gulf") or kind == "driver"
        v.work, v.sector = None, SECTOR.get(kind)
        if kind in ("government", "private", "expat_compound"):
            pool = {"government": city.gov, "private": city.private,
                    "expat_compound": city.downtown}[kind]
            office = pool[rng.integers(len(pool))]
            v.work = office if office.indoor else office.near(rng, 0, 50, 12)
        elif kind == "shift_worker":
            j = int(rng.integers(len(city.sites)))
            v.work, v.sector = city.sites[j].near(rng, 0, 150, 15), city.site_kind[j]
        elif kind == "student":
            c = city.campuses[rng.integers(len(city.campuses))]
            v.work = Place(c[0], c[1], 15).near(rng, 0, 400, 15)
        if v.work is not None and v.work.indoor:
            v.work = Place(v.work.x, v.work.y, 0.0, True)
        v.rel = [v.home.near(rng, 1500, 14_000, 8)] + [Place(*city.home_xy(), 8)
                                                       for _ in range(rng.integers(1, 4))]
        v.jami = v.home.near(rng, 300, 1200, 25)
        v.mosque = v.home.near(rng, 150, 600, 20)
        v.shops = city.nearest(city.shops, v.home, 4)
        near_malls = city.nearest(city.malls, v.home, 4)
        v.malls = near_malls + [city.malls[rng.integers(len(city.malls))]]
        v.restaurants = city.nearest(city.restaurants, v.home, 8) + [
            city.restaurants[j] for j in rng.choice(len(city.restaurants), 4, replace=False)]
        v.school = city.nearest(city.schools, v.home, 2)[int(rng.integers(2))]
        v.clinic = city.nearest(city.clinics, v.home, 2)[0]
        v.istiraha = None
        if v.man and kind in ("government", "private", "shift_worker", "student") \
                and rng.random() < .3:
            a, r = rng.uniform(0, 2 * math.pi), rng.uniform(20_000, 30_000)
            v.istiraha = Place(r * math.cos(a), r * math.sin(a), 20)
        v.gather = _pick(rng, ((4, .6), (3, .25), (5, .15)))  # weekly day at the parents'
        v.iftar_rel = 0.0 if kind in ("expat_compound", "delivery") or rng.random() < .5 \
            else rng.uniform(.3, .9)
        v.p_out_ramadan = {"government": .6, "private": .6, "driver": .6, "shift_worker": .5,
                           "student": .85, "delivery": .3, "family": .75,
                           "expat_compound": .15}[kind]
        v.p_out = {"student": .55, "expat_compound": .25, "family": .5}.get(kind, .4)
        v.lunch_out = rng.uniform(0, .4) if kind in ("private", "expat_compound") else 0.0
        v.sat_half = kind == "private" and rng.random() < .33
        v.school_run = kind == "driver" or kind == "family" and rng.random() < .7
        if kind == "driver":
            office = (city.gov + city.private)[rng.integers(len(city.gov) + len(city.private))]
            v.emp_office = Place(office.x, office.y, 35, office.indoor)
            v.emp_hours = ((10.0, 15.0), (7.5, 15.0)) if rng.random() < .6 \
                else ((10.0, 16.0), (9.0, 17.0))
        if kind == "shift_worker":
            v.shift_start = 6.0 if v.sector == "energy" else 7.0
            v.phase = int(rng.integers(2))
        if kind == "delivery":
            hub = v.home.near(rng, 1000, 6000)
            v.restaurants = city.nearest(city.restaurants, hub, 14)
            v.wait = [r.near(rng, 50, 250, 15) for r in v.restaurants[:2]]
            v.hub = hub
            v.regulars = [hub.near(rng, 300, 4500, 8) for _ in range(12)]
            v.off_wd = int(rng.integers(7))
        v.away = None
        if days > 16:
            if kind == "expat_compound" and rng.random() < .4:
                v.away = (city.airport, 14 + int(rng.integers(2)), 19 + int(rng.integers(4)))
            elif v.saudi_household and kind != "driver" and rng.random() < .1:
                v.away = (city.towns[rng.integers(len(city.towns))], 15,
                          17 + int(rng.integers(2)))
        vs.append(v)
    # half the drivers share a villa with another car of the household; some parents are
    # another vehicle's home
    hosts = [v for v in vs if v.kind in ("government", "private", "family")]
    for v in vs:
        if v.kind == "driver" and hosts and rng.random() < .5:
            v.home = hosts[rng.integers(len(hosts))].home
        elif v.saudi_household and len(hosts) > 1 and rng.random() < .3:
            other = hosts[rng.integers(len(hosts))]
            if other is not v:
                v.rel[0] = Place(other.home.x, other.home.y, 8)
    return vs


# ----------------------------------------------------------------------------- day plans

def _out_place(v, rng, D):
    kind = v.kind
    w = [("mall", .35), ("restaurant", .3), ("relative", .2), ("shop", .15)]
    if kind == "student":
        w = [("mall", .2), ("restaurant", .5), ("relative", .1), ("shop", .05), ("friend", .15)]
    if kind == "expat_compound":
        w = [("mall", .35), ("restaurant", .5), ("shop", .15)]
    what = _pick(rng, w)
    if what == "mall":
        return v.malls[rng.integers(len(v.malls))]
    if what == "restaurant":
        return v.restaurants[rng.integers(len(v.restaurants))]
    if what == "relative":
        return v.rel[rng.integers(len(v.rel))]
    if what == "friend":
        return v.rel[-1]
    return v.shops[rng.integers(len(v.shops))]


def _night_out(v, tl, D, rng, start, end):
    """Stops from `start` (hours) until `end`, then home."""
    tl.go(_out_place(v, rng, D), D.at(start))
    for _ in range(3):
        nxt = tl.after(45, 150)
        if nxt >= D.at(end) - 1800:
            break
        tl.go(_out_place(v, rng, D), nxt)
    tl.go(v.home, D.at(end))


def _shop(v, tl, rng, at, lo=15, hi=45):
    tl.go(v.shops[rng.integers(len(v.shops))], at)
    return tl.after(lo, hi)


def _jumuah(v, tl, D, rng):
    tl.go(v.jami, D.at(11.55 + rng.uniform(-.2, .1)))
    tl.go(v.home, D.at(12.75 + rng.uniform(0, .2)))


def _ramadan_evening(v, tl, D, rng, p_out=None):
    p_out = v.p_out_ramadan if p_out is None else p_out
    ift = D.iftar
    if v.iftar_rel and rng.random() < v.iftar_rel:
        rel = v.rel[0] if rng.random() < .7 else v.rel[rng.integers(len(v.rel))]
        tl.arrive(rel, D.at(ift - rng.uniform(.1, .4)))
        leave = ift + rng.uniform(1.2, 3.0)
        if v.man and rng.random() < .4:
            leave = min(leave, ift + 1.4)
    else:
        tl.go(v.home, D.at(ift - rng.uniform(.4, 1.5)))
        leave = ift + rng.uniform(1.3, 2.0)
    if v.man and rng.random() < .45:  # taraweeh after isha (~1.5 h after sunset in Ramadan)
        tl.go(v.mosque, D.at(ift + 1.4 + rng.uniform(0, .1)))
        leave = ift + 1.5 + rng.uniform(1.0, 1.4)
    if rng.random() < p_out:
        back = _pick(rng, ((24.5, .2), (25.5, .3), (26.5, .3), (27.3, .2))) + rng.uniform(-.4, .4)
        _night_out(v, tl, D, rng, max(leave, (tl.t - D.at(0)) / 3600 + .2), back)
    else:
        tl.go(v.home, D.at(leave))
    if D.last10 and v.man and rng.random() < .25:  # qiyam
        tl.go(v.jami, D.at(24.9 + rng.uniform(0, .4)))
        tl.go(v.home, tl.after(80, 110))
    elif rng.random() < .1:  # suhoor out
        tl.go(v.restaurants[rng.integers(len(v.restaurants))], D.at(26.5 + rng.uniform(0, .6)))
        tl.go(v.home, tl.after(30, 50))


def _evening(v, tl, D, rng, p_out=None):
    """After the day's duties: Ramadan nights, or an ordinary evening out."""
    if D.ramadan:
        _ramadan_evening(v, tl, D, rng)
        return
    p_out = v.p_out if p_out is None else p_out
    if D.wd == 3 and v.istiraha is not None and rng.random() < .7:
        tl.go(v.istiraha, D.at(20.0 + rng.uniform(0, 1.5)))
        tl.go(v.home, D.at(24.0 + rng.uniform(0, 1.5)))
        return
    if D.wd == v.gather and D.wd in (3, 5):
        tl.go(v.rel[0], D.at(17.5 + rng.uniform(0, 1.5)))
        tl.go(v.home, D.at(21.5 + rng.uniform(0, 1.5)))
        return
    weekend_night = D.wd in (3, 4)
    if rng.random() < p_out * (1.4 if weekend_night else 1.0):
        end = 22.0 + rng.uniform(0, 2.0) + (rng.uniform(.5, 1.0) if weekend_night else 0)
        if weekend_night and rng.random() < .06:
            end = 25.0 + rng.uniform(0, 1.5)
        _night_out(v, tl, D, rng, 19.5 + rng.uniform(0, 1.5), end)


def _free_day(v, tl, D, rng):
    """A weekend, a holiday or a day off."""
    if D.eid:
        _eid_day(v, tl, D, rng)
        return
    if D.ramadan:
        if D.wd == 4 and v.man:
            _jumuah(v, tl, D, rng)
        if rng.random() < .4:
            _shop(v, tl, rng, D.at(16.3 + rng.uniform(0, .9)))
        _ramadan_evening(v, tl, D, rng)
        return
    if D.wd == 4:
        if v.man:
            _jumuah(v, tl, D, rng)
        if v.gather == 4:
            tl.go(v.rel[0], D.at(13.0 + rng.uniform(0, .5)))
            tl.go(v.home, D.at(16.0 + rng.uniform(0, 5.0)))
            if rng.random() < .3:
                _night_out(v, tl, D, rng, (tl.t - D.at(0)) / 3600 + .5, 23.0 + rng.uniform(0, 1.5))
            return
    elif D.wd == 5 and rng.random() < .5:
        tl.go(v.home, _shop(v, tl, rng, D.at(10.5 + rng.uniform(0, 1.5)), 20, 60))
    elif D.wd not in (4, 5) and rng.random() < .5:  # a day off on a workday
        tl.go(v.clinic if rng.random() < .3 else v.shops[0], D.at(10.0 + rng.uniform(0, 2)))
        tl.go(v.home, tl.after(30, 90))
    _evening(v, tl, D, rng, p_out=.6)


def _eid_day(v, tl, D, rng):
    first = D.date == EID[0]
    if first and v.man and rng.random() < .8:  # the Eid prayer just after sunrise
        tl.go(v.jami, D.at(5.8 + rng.uniform(0, .2)))
        tl.go(v.home, D.at(6.8 + rng.uniform(0, .3)))
    if first or rng.random() < .3:
        tl.go(v.rel[0], D.at(8.5 + rng.uniform(0, 2)))
        tl.go(v.home, D.at(13.0 + rng.uniform(0, 1.5)))
    t = D.at(16.5 + rng.uniform(0, 2))
    for _ in range(int(rng.integers(1, 4))):
        place = v.rel[rng.integers(len(v.rel))] if rng.random() < .7 else v.malls[0]
        tl.go(place, t)
        t = tl.after(60, 150)
    tl.go(v.home, max(t, D.at(23.0 + rng.uniform(0, 2.5))))


def _day_office(v, tl, D, rng):
    if v.kind == "private" and v.sat_half and D.wd == 5 and not D.eid:
        s = 10.0 if D.ramadan else 9.0
        tl.arrive(v.work, D.at(s + rng.normal(0, .12)))
        tl.go(v.home, D.at(s + 4 + rng.uniform(0, .4)))
        _evening(v, tl, D, rng)
        return
    if not D.workday or rng.random() < .03:
        _free_day(v, tl, D, rng)
        return
    hours = {"government": ((10.0, 15.0), (7.5, 15.5)), "private": ((10.0, 16.0), (9.0, 18.0)),
             "expat_compound": ((9.0, 15.0), (8.0, 17.0))}[v.kind][0 if D.ramadan else 1]
    tl.arrive(v.work, D.at(hours[0] + rng.normal(-.05, .15)))
    if not D.ramadan and rng.random() < v.lunch_out:
        tl.go(v.restaurants[rng.integers(len(v.restaurants))], D.at(13.0 + rng.uniform(0, .5)))
        tl.go(v.work, tl.after(35, 60))
    end = D.at(hours[1] + rng.normal(.1, .2))
    if rng.random() < (.35 if D.ramadan else .25):
        tl.go(v.home, _shop(v, tl, rng, end))
    else:
        tl.go(v.home, end)
    _evening(v, tl, D, rng, p_out=.15 if v.kind == "expat_compound" and D.ramadan else None)


def _day_expat_weekend(v, tl, D, rng):
    if D.wd == 4 and rng.random() < .3:
        tl.go(v.hotel, D.at(11.5 + rng.uniform(0, .5)))
        tl.go(v.home, tl.after(120, 200))
    if D.wd == 5 and rng.random() < .7:
        tl.go(v.home, _shop(v, tl, rng, D.at(10.0 + rng.uniform(0, 2)), 40, 80))
    if D.ramadan:
        if rng.random() < .15:
            _night_out(v, tl, D, rng, 19.5 + rng.uniform(0, 1), 22.5 + rng.uniform(0, 1.5))
    elif rng.random() < .35:
        _night_out(v, tl, D, rng, 18.5 + rng.uniform(0, 1.5), 22.0 + rng.uniform(0, 1.5))


def _day_driver(v, tl, D, rng):
    if D.eid:
        _eid_day(v, tl, D, rng)
        return
    if D.weekend:
        if D.wd == 4:  # the driver's day off; the family may still go out in the evening
            if v.man and rng.random() < .5:
                _jumuah(v, tl, D, rng)
            if D.ramadan:
                if rng.random() < .5:
                    _ramadan_evening(v, tl, D, rng, p_out=.4)
            elif rng.random() < .4:
                tl.go(v.rel[0], D.at(17.5 + rng.uniform(0, 1)))
                tl.go(v.home, D.at(22.0 + rng.uniform(0, 1)))
        else:
            if rng.random() < .4:
                tl.go(v.malls[0], D.at(11.0 + rng.uniform(0, 1)))
                tl.go(v.home, tl.after(60, 120))
            if D.ramadan:
                _ramadan_evening(v, tl, D, rng)
            elif rng.random() < .8:
                _night_out(v, tl, D, rng, 17.0 + rng.uniform(0, 1.5), 22.0 + rng.uniform(0, 1.5))
        return
    school_in, school_out = (8.75, 13.0) if D.ramadan else (6.75, 13.0)
    emp_in, emp_out = v.emp_hours[0 if D.ramadan else 1]
    tl.arrive(v.school, D.at(school_in + rng.normal(0, .05)))
    tl.go(v.home, tl.after(2, 5))
    tl.arrive(v.emp_office, D.at(emp_in + rng.normal(0, .1)), min_stay=300)
    if rng.random() >= .3:  # drop the employer and go: errands, the villa
        if rng.random() < .5:
            tl.go(v.home, _shop(v, tl, rng, tl.after(3, 8), 20, 50))
        else:
            tl.go(v.home, tl.after(3, 8))
    tl.arrive(v.school, D.at(school_out + rng.uniform(-.1, .05)))
    tl.go(v.home, tl.after(5, 15))
    tl.arrive(v.emp_office, D.at(emp_out + rng.normal(0, .1)))
    tl.go(v.home, tl.after(3, 10))
    if D.ramadan:
        if rng.random() < .35:
            tl.go(v.home, _shop(v, tl, rng, D.at(16.3 + rng.uniform(0, .8))))
        _ramadan_evening(v, tl, D, rng)
        return
    if rng.random() < .5:
        tl.go(v.clinic if rng.random() < .15 else v.shops[rng.integers(len(v.shops))],
              D.at(16.5 + rng.uniform(0, 1)))
        tl.go(v.home, tl.after(20, 60))
    if rng.random() < .6:
        _night_out(v, tl, D, rng, 19.5 + rng.uniform(0, 1), 22.5 + rng.uniform(0, 1))


def _day_family(v, tl, D, rng):
    if D.eid or D.weekend:
        _free_day(v, tl, D, rng)
        return
    school_in, school_out = (8.75, 13.0) if D.ramadan else (6.75, 13.0)
    if v.school_run:
        tl.arrive(v.school, D.at(school_in + rng.normal(0, .05)))
        tl.go(v.home, tl.after(2, 6))
    if rng.random() < (.3 if D.ramadan else .5):
        what = rng.random()
        place = v.clinic if what < .15 else v.rel[0] if what < .35 else \
            v.shops[rng.integers(len(v.shops))]
        tl.go(place, D.at((11.0 if D.ramadan else 9.5) + rng.uniform(0, 1.2)))
        tl.go(v.home, tl.after(30, 100))
    if v.school_run:
        tl.arrive(v.school, D.at(school_out + rng.uniform(-.1, .05)))
        tl.go(v.home, tl.after(5, 15))
    if D.ramadan:
        if rng.random() < .3:
            tl.go(v.home, _shop(v, tl, rng, D.at(16.3 + rng.uniform(0, .8))))
        _ramadan_evening(v, tl, D, rng)
        return
    if rng.random() < .3:
        tl.go(v.rel[rng.integers(len(v.rel))], D.at(16.5 + rng.uniform(0, 1)))
        tl.go(v.home, tl.after(60, 150))
    _evening(v, tl, D, rng, p_out=.45)


def _day_student(v, tl, D, rng):
    if not D.workday or rng.random() >= .85:
        _free_day(v, tl, D, rng)
        return
    if D.ramadan:
        arr, dur = rng.choice([10.0, 11.0, 12.0]), rng.uniform(2, 4)
    else:
        arr, dur = rng.choice([8.0, 9.0, 10.0, 11.0, 13.0]), rng.uniform(2, 6)
    arr += rng.uniform(-.25, .15)
    tl.arrive(v.work, D.at(arr))
    if not D.ramadan and dur > 3.5 and rng.random() < .3:
        tl.go(v.restaurants[rng.integers(len(v.restaurants))], D.at(arr + dur / 2))
        tl.go(v.work, tl.after(40, 70))
    tl.go(v.home, D.at(arr + dur))
    _evening(v, tl, D, rng)


def _shift_days(v, days, rng):
    """The days with a shift and whether it is a night one: four a week, Sunday to Saturday,
    day and night weeks alternating, Friday less often."""
    work = {}
    first_sunday = (6 - START.weekday()) % 7
    for w in range(-1, days // 7 + 2):
        night = (w + v.phase) % 2 == 1
        wds = rng.choice(7, 4, replace=False, p=np.array([.155] * 5 + [.07] + [.155]) / 1.0)
        for k in wds:  # k: days after Sunday; Friday is 5
            d = first_sunday + 7 * w + int(k)
            if 0 <= d < days:
                work[d] = night
    # no day shift straight after a night one: the rota gives that day off
    return {d: night for d, night in sorted(work.items())
            if night or work.get(d - 1) is not True}


def _day_shift(v, tl, D, rng):
    night = v.shifts.get(D.d)
    s0 = v.shift_start + (12.0 if night else 0.0)
    if night is None:
        if v.shifts.get(D.d - 1):  # asleep after a night
            if not D.ramadan and rng.random() < .4:
                tl.go(v.home, _shop(v, tl, rng, D.at(15.0 + rng.uniform(0, 2))))
            _evening(v, tl, D, rng)
        else:
            _free_day(v, tl, D, rng)
        return
    if night and not v.shifts.get(D.d - 1) and rng.random() < .35:
        tl.go(v.home, _shop(v, tl, rng, D.at(14.0 + rng.uniform(0, 1.5))))
    tl.arrive(v.work, D.at(s0 - .25 + rng.normal(0, .08)))
    tl.go(v.home, D.at(s0 + 12.2 + rng.uniform(0, .4)))
    if not night:
        if D.ramadan:  # a 06:00-18:00 shift breaks the fast on site
            if rng.random() < .4:
                _night_out(v, tl, D, rng, 20.5 + rng.uniform(0, 1), 24.0 + rng.uniform(0, 2))
        elif rng.random() < .25:
            _night_out(v, tl, D, rng, 20.0 + rng.uniform(0, 1), 22.5 + rng.uniform(0, 1))


def _delivery_shift(v, tl, D, rng, start, end):
    tl.go(v.wait[rng.integers(len(v.wait))], D.at(start + rng.uniform(-.2, .2)))
    t = tl.after(3, 15)
    stop = D.at(end + rng.uniform(-.3, .4))
    while t < stop:
        tl.go(v.restaurants[rng.integers(len(v.restaurants))], t)
        if rng.random() < .2:
            customer = v.regulars[rng.integers(len(v.regulars))]
        else:
            r = tl.place
            customer = r.near(rng, 400, 4500, 8)
        tl.go(customer, tl.after(2, 6), min_stay=60)
        t = tl.after(2, 5)
        if rng.random() < .35:
            tl.go(v.wait[rng.integers(len(v.wait))], t, min_stay=60)
            t = tl.after(5, 20)
    tl.go(v.home, t)


def _day_delivery(v, tl, D, rng):
    if D.wd == v.off_wd:
        _free_day(v, tl, D, rng)
        return
    if D.ramadan:
        _delivery_shift(v, tl, D, rng, 15.5, 18.0)
        if v.man and rng.random() < .5:  # iftar at the mosque's tent
            tl.go(v.mosque, D.at(D.iftar - .2))
        _delivery_shift(v, tl, D, rng, 20.0, 27.0)
    else:
        _delivery_shift(v, tl, D, rng, 12.0, 15.0)
        _delivery_shift(v, tl, D, rng, 19.0, 26.0)


def _away(v, tl, D, rng):
    """Eid away: the car at the airport's long-stay park, or in another town. True if the day
    is spent so."""
    place, first, last = v.away
    if D.d < first or D.d > last:
        return False
    if D.d == first:
        tl.go(place, D.at((18.0 if place.spread > 100 else 6.0) + rng.uniform(0, 4)))
    elif D.d == last:
        tl.go(v.home, D.at(11.0 + rng.uniform(0, 9)))
        return True
    elif place.spread < 100 and rng.random() < .7:  # around the relatives' town
        tl.go(place.near(rng, 1000, 3000, 20), D.at(17.0 + rng.uniform(0, 3)))
        tl.go(place, tl.after(30, 120))
    return True


PLANS = {"government": _day_office, "private": _day_office, "expat_compound": _day_office,
         "driver": _day_driver, "family": _day_family, "student": _day_student,
         "shift_worker": _day_shift, "delivery": _day_delivery}


def _simulate(v, rng, city, days):
    tl = Timeline(rng, v.device, v.home, days * DAY)
    if v.kind == "shift_worker":
        v.shifts = _shift_days(v, days + 1, rng)
    if v.kind == "expat_compound":
        v.hotel = city.hotels[rng.integers(len(city.hotels))]
    for d in range(days):
        D = _day(d)
        if v.away is not None and _away(v, tl, D, rng):
            continue
        if v.kind == "expat_compound" and not D.workday:
            if D.eid:
                if rng.random() < .3:
                    _free_day(v, tl, D, rng)
            else:
                _day_expat_weekend(v, tl, D, rng)
            continue
        PLANS[v.kind](v, tl, D, rng)
    t, x, y = tl.finish()
    return t, x, y, tl.departs


# ----------------------------------------------------------------------------- faults, files

def _faults(rng, t, x, y, departs, clock_fault, days):
    """Multipath, an empty coordinate now and then, the clock fault; returns written seconds
    and lat, lon (NaN for an empty field), plus the faulty days."""
    n = t.size
    tower = _in_towers(x, y)
    jump = tower & (rng.random(n) < .03)
    k = int(jump.sum())
    r, a = rng.uniform(300, 2000, k), rng.uniform(0, 2 * math.pi, k)
    x, y = x.copy(), y.copy()
    x[jump] += r * np.cos(a)
    y[jump] += r * np.sin(a)
    lat, lon = _latlon(x, y)
    empty = rng.random(n) < .0003
    side = rng.random(n) < .5
    lat = np.where(empty & side, np.nan, lat)
    lon = np.where(empty & ~side, np.nan, lon)
    written = np.round(t)
    fault_days = []
    if clock_fault:
        d0 = int(rng.integers(1, max(2, days - 4)))
        d1 = min(days, d0 + int(rng.integers(2, 5)))
        deps = np.asarray(departs)
        t0 = deps[deps >= d0 * DAY + 4 * 3600]
        t1 = deps[deps >= d1 * DAY + 4 * 3600]
        start = t0[0] if t0.size else d0 * DAY
        stop = t1[0] if t1.size else days * DAY
        written = np.where((t >= start) & (t < stop), written - 3 * 3600, written)
        fault_days = [(START + timedelta(days=d)).isoformat() for d in range(d0, d1)]
    return written, lat, lon, fault_days


def _labels(rng, vs):
    rows, wrong = [], []
    labelled = [v for v in vs if rng.random() < .75]
    n_wrong = int(round(.08 * len(labelled)))
    bad = set(rng.choice(len(labelled), n_wrong, replace=False).tolist()) if n_wrong else set()

    def put(v, label, p):
        r, a = min(abs(rng.normal(0, 9)), 25.0), rng.uniform(0, 2 * math.pi)
        rows.append((v.id, label, p.x + r * math.cos(a), p.y + r * math.sin(a)))

    for i, v in enumerate(labelled):
        home, work = v.home, v.work
        if i in bad:
            if v.kind == "driver":
                how = "work label on the school"
                put(v, "home", home)
                put(v, "work", v.school)
                wrong.append({"vehicle_id": v.id, "label": "work", "how": how})
                continue
            choices = ["home at a relative's", "work at a mall"]
            if work is not None:
                choices.append("home and work swapped")
            how = choices[rng.integers(len(choices))]
            if how == "home and work swapped":
                home, work = work, home
                wrong += [{"vehicle_id": v.id, "label": lab, "how": how} for lab in ("home", "work")]
            elif how == "home at a relative's":
                home = v.rel[0]
                wrong.append({"vehicle_id": v.id, "label": "home", "how": how})
            else:
                work = v.malls[rng.integers(len(v.malls))]
                wrong.append({"vehicle_id": v.id, "label": "work", "how": how})
        put(v, "home", home)
        if work is not None:
            put(v, "work", work)
    rows.sort(key=lambda r: (r[0], r[1]))
    frame = pd.DataFrame(rows, columns=["vehicle_id", "label", "x", "y"])
    lat, lon = _latlon(frame["x"].to_numpy(), frame["y"].to_numpy())
    frame = pd.DataFrame({"vehicle_id": frame["vehicle_id"], "label": frame["label"],
                          "lat": lat, "lon": lon})
    return frame, wrong


def _six(a):
    """Degrees as text with 6 decimals (empty for NaN), vectorised."""
    nan = np.isnan(a)
    micro = np.round(np.where(nan, 0.0, a) * 1e6).astype(np.int64)
    whole = pa.array(micro // 10**6).cast(pa.string())
    frac = pc.utf8_lpad(pa.array(micro % 10**6).cast(pa.string()), 6, "0")
    return pc.if_else(pa.array(nan), pa.scalar("", pa.string()),
                      pc.binary_join_element_wise(whole, frac, "."))


def write_gulf_fleet(out: Path, vehicles: int = 80, days: int = 28, seed: int = 0) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    city = City(rng)
    vs = _make_vehicles(rng, city, vehicles, days)
    n_clock = max(1, int(round(.05 * vehicles))) if vehicles >= 5 else 0
    clocked = set(rng.choice(vehicles, n_clock, replace=False).tolist()) if n_clock else set()
    parts, truth = [], {}
    for i, v in enumerate(sorted(vs, key=lambda v: v.id)):
        t, x, y, departs = _simulate(v, rng, city, days)
        written, lat, lon, fault_days = _faults(rng, t, x, y, departs, i in clocked, days)
        dup = rng.random(t.size) < .01
        reps = 1 + dup
        parts.append((v.id, np.repeat(written, reps), np.repeat(lat, reps), np.repeat(lon, reps)))
        hl, ho = _latlon(v.home.x, v.home.y)
        work = None
        if v.work is not None:
            wl, wo = _latlon(v.work.x, v.work.y)
            work = [round(float(wl), 6), round(float(wo), 6)]
        truth[v.id] = {"home": [round(float(hl), 6), round(float(ho), 6)], "work": work,
                       "kind": v.kind, "device": v.device, "clock_fault_days": fault_days}
    ids = np.concatenate([np.full(p[1].size, p[0]) for p in parts])
    secs = np.concatenate([p[1] for p in parts]).astype("int64")
    stamps = np.datetime_as_string(np.datetime64("2026-03-05T00:00:00")
                                   + secs.astype("timedelta64[s]"), unit="s")
    table = pa.table({"vehicle_id": pa.array(ids),
                      "timestamp": pc.binary_join_element_wise(pa.array(stamps), "+03:00", ""),
                      "lat": _six(np.concatenate([p[2] for p in parts])),
                      "lon": _six(np.concatenate([p[3] for p in parts]))})
    with open(out / "pings.csv", "wb") as f:
        f.write(b"vehicle_id,timestamp,lat,lon\n")
        pcsv.write_csv(table, f, write_options=pcsv.WriteOptions(include_header=False,
                                                                  quoting_style="none"))
    labels, wrong = _labels(rng, sorted(vs, key=lambda v: v.id))
    labels.to_csv(out / "labels.csv", index=False, float_format="%.6f")
    pd.DataFrame([{"vehicle_id": v.id, "device": v.device, "sector": v.sector or "none",
                   "nationality_group": v.nationality} for v in sorted(vs, key=lambda v: v.id)]
                 ).to_csv(out / "vehicles.csv", index=False)
    (out / "truth.json").write_text(json.dumps({"vehicles": truth, "wrong_labels": wrong},
                                               indent=1))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--vehicles", type=int, default=80)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(write_gulf_fleet(args.out, vehicles=args.vehicles, days=args.days, seed=args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
