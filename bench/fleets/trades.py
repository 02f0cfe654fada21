"""A sixth fleet generator, for benches only, written apart from the other five: a trades-
and-gig fleet around Denver, Colorado (America/Denver; DST starts on 8 March 2026, 02:00 ->
03:00, inside a window that opens on Monday 23 February; at 39.7 N a degree of longitude is
~85.6 km). Metro ~40 km across; exurbs 40-70 km out (Castle Rock, Boulder, Longmont,
Platteville toward Greeley, Bennett); farms on the plains.

Kinds of vehicle (truth "kind"; shares of a fleet):
- office (25%): weekdays ~08:00-17:00 at one workplace (a third downtown), lunch runs;
- trades (17%, a fifth living in the exurbs): a company yard at ~06:00-06:30 for 15-40 min
  every working day (truth work: the yard), then all day at a job site that changes every
  3-12 working days, a supply run now and then, home ~16:00, some Saturdays on site;
- rideshare (8%): online ~16:00-02:00 Thu-Sat and on a third of other evenings, 15-30 rides
  all over town (1-5 min stops), ~7% of rides to the airport then 20-60 min in the waiting
  lot; asleep at home until ~11:00 after an online night (truth work: none);
- longhaul_commute (8%): home 50-70 km out, weekdays in the city, 45-70 min each way;
- farm (8%): a farmhouse on the plains (home; truth work: none), 3-8 short trips a day to
  fields 1-5 km away, a small town twice a week;
- two_homes (8%): office weekdays; 4 nights a week at home, 3 at a partner's across town
  (truth home: their own);
- nurse (8%): three 12-hour shifts a week on fixed weekdays at a hospital, day (07-19) and
  night (19-07) blocks alternating every two weeks;
- retiree (17%, a fifth in the exurbs): no work; errands, church on Sunday, a gym three
  mornings a week.
Everyone shops (mostly a few favourite shops near home) and sometimes goes out at night.
Routes: in town the street grid (one or two bends, red lights 5-55 s), long legs a short
grid leg to a highway with a bend or two; speed ramps at ends, bends and lights; rush hours
slow the roads.

Devices (truth "device"): obd (~14%, never a rideshare: 1 s fixes while moving, nothing with
the ignition off), telematics (~45%: 15 s moving and at ignition on/off, a heartbeat every 30
min parked; heartbeats parked within 1.8 km of downtown scatter 30-150 m: urban canyon),
phone (~41%: 5-60 s irregular while moving from 5-90 s after setting off, half of them a fix
every 10-40 min while parked; the app killed for 2-10 h on ~12% of days; after a park of
2 h+ the first fix of a trip is 200-800 m off on 60% of trips: cold start). GPS
error: 5 / 10 / 25 m, wandering with a ~20 s memory along a trip.

Faults: ~10% of vehicles (obd or telematics; firmware OBD-2.4.0 / TLM-3.1.7, which a few
honest vehicles run too) write UTC clock readings as local time, 7 h ahead before DST and
6 h after (truth "clock": "utc", else "local"); honest clocks have no stamp 02:00-02:59 on 8
March, but phones keep the old offset until their first trip after the change (a fix logged
in the night reads an hour early); ~1% of rows duplicated exactly and ~0.3% duplicated with
the same stamp and coordinates rounded to 4 decimals; ~1 row in 100,000 with lat/lon
swapped, as many at (0, 0); ~4% of devices (obd/telematics) start 1-3 trips with the RTC
reset (stamps counting from 1970-01-01 or 2000-01-01 for the first 20-120 s); ~5% of ids
(at least four) carry untrusted text (u-umlaut, spaces, <b>, an apostrophe).

Files: pings.csv (vehicle_id, timestamp: naive local 'YYYY-MM-DD HH:MM:SS', import with
--tz America/Denver; lat, lon to 6 decimals; speed_mps, empty for phones; heading_deg, empty
when parked), rows by vehicle id then time but for the faults; labels.csv (vehicle_id,
label, lat, lon; a quarter of vehicles unlabelled, labels within ~25 m of the place; ~8% of
labelled vehicles wrong: home and work swapped, work pinned on the airport lot or the current
job site, home at the partner's), vehicles.csv (vehicle_id, device, firmware, region: metro,
exurb or rural), truth.json ({"tz": "America/Denver", "vehicles": {id: {"home", "work",
"kind", "device", "clock", "region"}}, "wrong_labels": [{"vehicle_id", "label"}]}).
Seeded: the same arguments write the same files.

    python bench/fleets/trades.py OUT [--vehicles N] [--days D] [--seed S]
"""
from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from scipy.signal import lfilter

M = 111_320.0  # metres per degree of latitude
CENTRE = (39.74, -104.99)
COS = math.cos(math.radians(CENTRE[0]))  # a degree of longitude: ~85.6 km
ZONE = ZoneInfo("America/Denver")
START = datetime(2026, 2, 23)  # local midnight, a Monday; DST starts on Sunday 8 March
CYCLE = ("office", "trades", "rideshare", "longhaul_commute", "retiree", "nurse", "two_homes",
         "office", "trades", "farm", "retiree", "office")
DEVICE_P = {  # obd, telematics, phone
    "office": (0.15, 0.40, 0.45), "trades": (0.10, 0.75, 0.15), "rideshare": (0.0, 0.30, 0.70),
    "longhaul_commute": (0.15, 0.45, 0.40), "farm": (0.15, 0.60, 0.25),
    "two_homes": (0.15, 0.35, 0.50), "nurse": (0.15, 0.35, 0.50), "retiree": (0.20, 0.35, 0.45)}
DEVICES = ("obd", "telematics", "phone")
NOISE = {"obd": 5.0, "telematics": 10.0, "phone": 25.0}  # mean error, metres
FIRMWARE = {"obd": (("OBD-2.6.3", "OBD-2.5.1"), "OBD-2.4.0"),
            "telematics": (("TLM-3.2.1", "TLM-4.0.5"), "TLM-3.1.7"),
            "phone": (("app 5.12.0", "app 5.13.2", "app 5.14.1"), None)}
ACCEL = 1.3  # m/s^2, to and from a stop
HEARTBEAT = 1800  # telematics, parked


def xy(lat: float, lon: float) -> tuple[float, float]:
    return (lon - CENTRE[1]) * M * COS, (lat - CENTRE[0]) * M


def latlon(x, y):
    return CENTRE[0] + np.asarray(y) / M, CENTRE[1] + np.asarray(x) / (M * COS)


DOWNTOWN = xy(39.7475, -104.9950)
AIRPORT_CURB = xy(39.8495, -104.6737)
AIRPORT_LOT = xy(39.8180, -104.7000)  # the rideshare waiting lot off Pena Boulevard
OFFICE_HUBS = [xy(*p) for p in ((39.7475, -104.9950), (39.6150, -104.8900), (39.7190, -104.9530),
                                (39.7450, -104.8380), (39.7080, -105.0810), (39.8850, -105.0650),
                                (39.9280, -105.1280), (39.5650, -104.8750))]
HUB_P = np.array([0.34, 0.16, 0.1, 0.1, 0.08, 0.08, 0.07, 0.07])
HOSPITALS = [xy(*p) for p in ((39.7275, -104.9910), (39.7455, -104.8385), (39.6554, -104.9797),
                              (39.7461, -104.9688), (39.7420, -105.0906), (39.5644, -104.8743))]
YARDS = [xy(*p) for p in ((39.8100, -104.9300), (39.7850, -104.9750), (39.7800, -104.8400),
                          (39.6450, -105.0050), (39.8000, -105.0900), (39.5750, -104.8400))]
HOTSPOTS = np.array([xy(*p) for p in ((39.7530, -105.0000), (39.7680, -104.9800),
                                      (39.7330, -104.9780), (39.7620, -105.0110),
                                      (39.7190, -104.9530), (39.7030, -104.9870),
                                      (39.6780, -104.9620), (39.7400, -104.9400))])
TOWNS = {  # exurban and rural towns: (lat, lon)
    "Castle Rock": (39.372, -104.856), "Larkspur": (39.228, -104.887),
    "Elizabeth": (39.360, -104.597), "Boulder": (40.015, -105.270),
    "Longmont": (40.167, -105.102), "Fort Lupton": (40.085, -104.813),
    "Platteville": (40.215, -104.823), "Gilcrest": (40.282, -104.778),
    "Hudson": (40.074, -104.643), "Keenesburg": (40.108, -104.520),
    "Bennett": (39.759, -104.427), "Strasburg": (39.739, -104.323),
    "Kiowa": (39.347, -104.464), "Firestone": (40.130, -104.950), "Conifer": (39.522, -105.305)}
FARM_TOWNS = ("Keenesburg", "Hudson", "Bennett", "Strasburg", "Kiowa", "Gilcrest", "Platteville",
              "Elizabeth")


@dataclass(frozen=True)
class Place:
    x: float
    y: float
    lot: float = 25.0  # spread of the parking spots around the place, metres
    canyon: bool = False  # downtown: parked fixes of a telematics box scatter

    def spot(self, rng) -> tuple[float, float]:
        dx, dy = rng.normal(0.0, self.lot, 2)
        return self.x + dx, self.y + dy


def place(x: float, y: float, lot: float = 25.0) -> Place:
    return Place(float(x), float(y), lot,
                 math.hypot(x - DOWNTOWN[0], y - DOWNTOWN[1]) < 1800)


def near(p, lo: float, hi: float, rng) -> tuple[float, float]:
    r, a = rng.uniform(lo, hi), rng.uniform(0, 2 * math.pi)
    return p[0] + r * math.cos(a), p[1] + r * math.sin(a)


def metro_point(rng, scale: float = 1.0) -> tuple[float, float]:
    """Anywhere in the metro: an ellipse ~40 km north-south, ~34 km east-west, east of the
    foothills."""
    r, a = math.sqrt(rng.random()) * scale, rng.uniform(0, 2 * math.pi)
    return 3000.0 + 17000.0 * r * math.cos(a), 20000.0 * r * math.sin(a)


def dist(a, b) -> float:
    return math.hypot(b[0] - a[0], b[1] - a[1])


def at(d: int, hour: float) -> float:
    """Epoch seconds of local wall-clock `hour` (may pass 24) on day `d` of the window; an
    hour DST skips is read with the old offset (02:30 -> 03:30)."""
    return (START + timedelta(days=d, hours=hour)).replace(tzinfo=ZONE).timestamp()


def eta(a: Place, b: Place) -> float:
    d = dist((a.x, a.y), (b.x, b.y))
    return d / 9.0 + 60 if d < 7000 else d / 19.0 + 420


# ---------------------------------------------------------------------------------- roads
def route(a, b, rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices (k, 2), cruise speed and 'has traffic lights' per segment."""
    d = dist(a, b)
    rural = math.hypot(*a) > 32000 and math.hypot(*b) > 32000
    town = rng.uniform(14, 20) if rural else rng.uniform(10.5, 15)
    if d < 150:
        return np.array([a, b]), np.array([5.0]), np.array([False])
    if d < 7000:  # the street grid: one axis then the other, or a Z
        f = rng.uniform(0.25, 0.75) if rng.random() < 0.4 else 1.0
        if rng.random() < 0.5:
            mid = [(a[0] + f * (b[0] - a[0]), a[1]), (a[0] + f * (b[0] - a[0]), b[1])]
        else:
            mid = [(a[0], a[1] + f * (b[1] - a[1])), (b[0], a[1] + f * (b[1] - a[1]))]
        pts = np.array([a, *mid, b])
        n = len(pts) - 1
        return pts, np.full(n, town) * rng.uniform(0.9, 1.1, n), np.full(n, not rural)
    # a long leg: the grid to a highway, the highway with a bend or two, the grid off it; the
    # bends are the same every time between the same two 3 km cells, either way round
    leg = min(1500.0, 0.08 * d)
    ux, uy = (b[0] - a[0]) / d, (b[1] - a[1]) / d
    along_x = abs(ux) > abs(uy)
    a1 = (a[0] + math.copysign(leg, ux), a[1]) if along_x else (a[0], a[1] + math.copysign(leg, uy))
    b1 = (b[0] - math.copysign(leg, ux), b[1]) if along_x else (b[0], b[1] - math.copysign(leg, uy))
    ca, cb = (round(a1[0] / 3000) + 500, round(a1[1] / 3000) + 500), \
        (round(b1[0] / 3000) + 500, round(b1[1] / 3000) + 500)
    p, q = (a1, b1) if ca <= cb else (b1, a1)
    road = np.random.default_rng([*min(ca, cb), *max(ca, cb)])
    fs = np.sort(road.uniform(0.2, 0.8, road.integers(1, 3)))
    offs = road.normal(0, 0.05 * d, len(fs))
    vx, vy = (q[0] - p[0]) / d, (q[1] - p[1]) / d
    mids = [(p[0] + f * (q[0] - p[0]) - vy * o, p[1] + f * (q[1] - p[1]) + vx * o)
            for f, o in zip(fs, offs)]
    if p is not a1:
        mids.reverse()
    pts = np.array([a, a1, *mids, b1, b])
    n = len(pts) - 1
    v = np.full(n, rng.uniform(26.0, 31.0))
    v[0], v[-1] = town, town
    lights = np.zeros(n, bool)
    lights[0], lights[-1] = not rural, not rural
    return pts, v, lights


def drive(pts: np.ndarray, vmax: np.ndarray, lights: np.ndarray, rng):
    """Distance s (m) against time t (s) on a fine grid: cruise speed per segment, capped by
    ramps (ACCEL) toward the ends, sharp bends and red lights; a red light adds its wait."""
    seg = np.diff(pts, axis=0)
    L = np.hypot(seg[:, 0], seg[:, 1])
    ok = L > 0.5
    ok[0] |= not ok.any()
    seg, L, vmax, lights = seg[ok], L[ok], vmax[ok], lights[ok]
    pts = np.vstack([pts[:1], pts[1:][ok]])
    cum = np.concatenate(([0.0], np.cumsum(L)))
    total = cum[-1]
    n = int(total / max(8.0, total / 1500)) + 1
    s = np.linspace(0.0, total, n + 1)
    k = np.minimum(np.searchsorted(cum, s, "right") - 1, len(L) - 1)
    v = vmax[k]
    v = np.where((s < 250) | (s > total - 250), np.minimum(v, 9.0), v)  # residential ends
    hdg = np.arctan2(seg[:, 0], seg[:, 1])
    turn = np.abs((np.diff(hdg) + np.pi) % (2 * np.pi) - np.pi)
    sharp = turn > 0.6  # a turn at a corner; the highway's bends are taken at speed
    bends, bend_u = cum[1:-1][sharp], rng.uniform(4.0, 7.0, sharp.sum())
    reds = []
    for i in np.flatnonzero(lights):
        m = int(L[i] // 450)
        if m:
            pos = cum[i] + (np.arange(m) + rng.uniform(0.2, 0.8, m)) * L[i] / m
            reds.append(pos[rng.random(m) < 0.35])
    reds = np.sort(np.concatenate(reds)) if reds else np.zeros(0)
    P = np.concatenate(([0.0, total], bends, reds))
    U = np.concatenate(([0.0, 0.0], bend_u, np.zeros(len(reds))))
    o = np.argsort(P)
    P, U = P[o], U[o]
    right = np.minimum(np.searchsorted(P, s), len(P) - 1)
    left = np.maximum(right - 1, 0)  # the slow points either side are the ones that bind
    env = np.sqrt(np.minimum(U[left] ** 2 + 2 * ACCEL * np.abs(s - P[left]),
                             U[right] ** 2 + 2 * ACCEL * np.abs(s - P[right])))
    v = np.maximum(np.minimum(v, env), 0.5)
    t = np.concatenate(([0.0], np.cumsum(2 * np.diff(s) / (v[1:] + v[:-1]))))
    if len(reds):
        wait = np.concatenate(([0.0], np.cumsum(rng.uniform(5, 55, len(reds)))))
        t += wait[np.searchsorted(reds, s, "left")]
    return s, t, cum, pts, np.degrees(hdg) % 360


def _drift(rng, sigma: float, step: float, n: int) -> np.ndarray:
    """GPS error along a trip: stationary AR(1) with a ~20 s memory, not white noise (a 1 s
    track wanders smoothly off the road rather than zigzagging)."""
    phi = math.exp(-step / 20.0)
    e = rng.normal(0, sigma, n)
    e[1:] *= math.sqrt(1 - phi * phi)
    return lfilter([1.0], [1.0, -phi], e)


# ---------------------------------------------------------------------------------- lives
@dataclass
class Vehicle:
    vid: str
    kind: str
    device: str
    region: str
    home: Place
    work: Place | None = None
    shops: list = field(default_factory=list)  # favourites, nearest first
    extra: dict = field(default_factory=dict)


class Life:
    """One vehicle's month: stays at places and the trips between them, sampled by its
    device as it goes (one vectorised block of fixes per trip)."""

    def __init__(self, v: Vehicle, rng, t0: float, t1: float, pool: np.ndarray):
        self.v, self.rng, self.t1, self.pool = v, rng, t1, pool
        self.place = v.home
        self.spot = v.home.spot(rng)
        self.since = int(t0)
        self.stays: list = []  # arrive, depart, x, y, canyon
        self.blocks: list = []  # per trip: t, x, y, speed, heading
        self.departs: list = []
        self.gap = rng.uniform(8, 25)  # a phone's typical interval while moving

    # where to go
    def shop(self, base: Place | None = None) -> Place:
        rng = self.rng
        if base is None or base is self.v.home:
            if rng.random() < 0.1:
                return place(*near((self.v.home.x, self.v.home.y), 1000, 15000, rng), 35.0)
            w = np.array([0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.06, 0.04])[:len(self.v.shops)]
            return self.v.shops[rng.choice(len(w), p=w / w.sum())]
        d = np.hypot(self.pool[:, 0] - base.x, self.pool[:, 1] - base.y)
        i = np.argsort(d)[rng.integers(0, 5)]
        return place(*self.pool[i], 35.0)

    def go(self, dest: Place, leave: float) -> float:
        """Leave the current place at `leave` (not before a minute or so after arriving) for
        `dest`; the arrival time, or inf once the window is over."""
        rng = self.rng
        if not math.isfinite(leave):
            return math.inf
        leave = int(max(leave, self.since + rng.integers(60, 240)))
        if leave >= self.t1:
            self.since = max(self.since, leave)
            return math.inf
        parked = leave - self.since
        self.stays.append((self.since, leave, self.spot[0], self.spot[1], self.place.canyon))
        self.departs.append(leave)
        spot = dest.spot(rng)
        pts, vmax, lights = route(self.spot, spot, rng)
        local = datetime.fromtimestamp(leave, ZONE)
        hour = local.hour + local.minute / 60
        if local.weekday() < 5 and (6.0 <= hour < 9.0 or 15.5 <= hour < 18.5):  # rush hour
            vmax = np.where(vmax > 20, vmax * rng.uniform(0.55, 0.8), vmax * rng.uniform(0.7, 0.9))
        s, t, cum, pts, hdg = drive(pts, vmax, lights, rng)
        T = int(math.ceil(t[-1]))
        dev = self.v.device
        if dev == "obd":
            tq = np.arange(0, T + 1, dtype=float)
        elif dev == "telematics":
            tq = np.append(np.arange(0, T, 15, dtype=float), T)
        else:
            gaps = np.clip(np.round(self.gap * rng.lognormal(0, 0.5, T // 5 + 2)), 5, 60)
            tq = rng.integers(5, 90) + np.cumsum(gaps) - gaps[0]
            tq = tq[tq < T]
            if rng.random() < 0.7:
                tq = np.append(tq, T)
        if len(tq):
            sq = np.interp(tq, t, s)
            x = np.interp(sq, cum, pts[:, 0])
            y = np.interp(sq, cum, pts[:, 1])
            x += _drift(rng, NOISE[dev] * 0.8, np.diff(tq).mean() if len(tq) > 1 else 60.0, len(tq))
            y += _drift(rng, NOISE[dev] * 0.8, np.diff(tq).mean() if len(tq) > 1 else 60.0, len(tq))
            if dev == "phone" and parked >= 7200 and rng.random() < 0.6:  # cold start
                dx, dy = near((0.0, 0.0), 200, 800, rng)
                x[0] += dx
                y[0] += dy
            speed = np.interp(tq + 0.5, t, s) - np.interp(tq - 0.5, t, s)
            speed = np.maximum(speed + rng.normal(0, 0.2, len(tq)), 0.0)
            if dev == "phone":
                speed[:] = np.nan
            k = np.minimum(np.searchsorted(cum, sq, "right") - 1, len(hdg) - 1)
            head = (hdg[k] + rng.normal(0, 3, len(tq))) % 360
            self.blocks.append((leave + tq.astype(np.int64), x, y, speed, head,
                                len(self.departs) - 1))
        self.place, self.spot, self.since = dest, spot, leave + T
        return float(self.since)

    def errands(self, d: int, n: int, h0: float, h1: float, base: Place | None = None) -> None:
        rng = self.rng
        base = base or self.place
        t = at(d, rng.uniform(h0, h0 + 0.5 * (h1 - h0)))
        for i in range(n):
            arr = self.go(self.shop(base), t)
            t = arr + rng.uniform(8, 60) * 60
            if i == n - 1 or rng.random() < 0.5:
                arr = self.go(base, t)
                t = arr + rng.uniform(20, 120) * 60

    def evening_out(self, d: int, base: Place | None = None) -> None:
        rng = self.rng
        base = base or self.place
        there = place(*near((base.x, base.y), 1500, 14000, rng), 20.0)
        arr = self.go(there, at(d, rng.uniform(18.3, 19.7)))
        self.go(base, arr + rng.uniform(1.5, 3.5) * 3600)

    def free_day(self, d: int, wd: int, after: float = 9.0) -> None:
        rng = self.rng
        n = int(rng.choice([0, 1, 1, 2, 2, 3])) if wd >= 5 else int(rng.choice([0, 1, 1, 2]))
        self.errands(d, n, max(after, 9.5), 17.5)
        if rng.random() < 0.15:
            self.evening_out(d)


def day_office(life: Life, v: Vehicle, d: int, wd: int, bed: Place | None = None) -> None:
    rng = life.rng
    bed = bed or v.home
    if wd >= 5 or rng.random() < 0.04:  # weekend, or off sick
        life.free_day(d, wd)
        if bed is not life.place:
            life.go(bed, at(d, rng.uniform(17.5, 21.0)))
        return
    life.go(v.work, at(d, v.extra["start"] + rng.normal(0, 0.2)) - eta(life.place, v.work))
    if rng.random() < 0.3:  # lunch
        arr = life.go(v.extra["lunch"], at(d, rng.uniform(11.8, 12.6)))
        life.go(v.work, arr + rng.uniform(25, 55) * 60)
    t = at(d, v.extra["end"] + rng.normal(0, 0.25))
    if rng.random() < 0.35:
        arr = life.go(life.shop(bed), t)
        t = arr + rng.uniform(10, 40) * 60
    life.go(bed, t)
    if rng.random() < 0.1:
        life.evening_out(d)


def day_trades(life: Life, v: Vehicle, d: int, wd: int) -> None:
    rng = life.rng
    site = v.extra["jobs"][d]
    saturday = wd == 5 and rng.random() < 0.2
    if (wd >= 5 and not saturday) or rng.random() < 0.03:
        life.free_day(d, wd)
        return
    if saturday:
        arr = life.go(site, at(d, 7.0) - eta(life.place, site))
        end = at(d, rng.uniform(12.0, 13.5))
    else:
        arr = life.go(v.work, at(d, v.extra["start"] + rng.normal(0, 0.1)) - eta(life.place, v.work))
        arr = life.go(site, arr + rng.uniform(15, 40) * 60)
        end = at(d, rng.uniform(15.0, 15.75))
    if rng.random() < 0.3:  # a supply house
        arr = life.go(life.shop(site), max(arr + 3600, at(d, rng.uniform(9.5, 13.0))))
        life.go(site, arr + rng.uniform(15, 40) * 60)
    if rng.random() < 0.2:
        arr = life.go(life.shop(v.home), end)
        end = arr + rng.uniform(10, 30) * 60
    life.go(v.home, end)


def day_rideshare(life: Life, v: Vehicle, d: int, wd: int) -> None:
    rng = life.rng
    online = wd in (3, 4, 5) or rng.random() < 0.35
    wake = rng.uniform(10.75, 11.5) if v.extra.get("late") else 9.0
    v.extra["late"] = online
    if not online:
        life.free_day(d, wd, after=wake)
        return
    life.errands(d, int(rng.integers(0, 3)), max(wake, 11.0), 15.0)
    end = at(d, rng.uniform(25.0, 26.5))
    t = at(d, rng.uniform(15.5, 17.0))
    for _ in range(int(rng.integers(15, 31))):
        if t > end:
            break
        if rng.random() < 0.25:  # wait for a request in a lot near a hotspot
            h = HOTSPOTS[rng.integers(len(HOTSPOTS))]
            arr = life.go(place(*near(h, 100, 1200, rng), 30.0), t)
            t = arr + rng.uniform(4, 15) * 60
        if rng.random() < 0.55:
            pick = near(HOTSPOTS[rng.integers(len(HOTSPOTS))], 0, 1500, rng)
        else:
            pick = metro_point(rng)
        arr = life.go(place(*pick, 8.0), t)
        t = arr + rng.uniform(1, 5) * 60
        if rng.random() < 0.07:  # to the airport, the waiting lot, a fare back
            arr = life.go(place(*AIRPORT_CURB, 30.0), t)
            arr = life.go(place(*AIRPORT_LOT, 60.0), arr + rng.uniform(1, 3) * 60)
            arr = life.go(place(*AIRPORT_CURB, 30.0), arr + rng.uniform(20, 60) * 60)
            t = arr + rng.uniform(2, 5) * 60
            drop = near(HOTSPOTS[rng.integers(len(HOTSPOTS))], 0, 6000, rng)
        else:
            drop = near(pick, 1000, float(np.clip(rng.lognormal(np.log(5000), 0.6), 1500, 25000)), rng)
            if math.hypot(drop[0] - 3000, drop[1]) > 28000:
                drop = metro_point(rng)
        arr = life.go(place(*drop, 8.0), t)
        t = arr + rng.uniform(0.5, 3) * 60
    life.go(v.home, t)


def day_farm(life: Life, v: Vehicle, d: int, wd: int) -> None:
    rng = life.rng
    fields = v.extra["fields"]
    town_day = (wd in (2, 5) and rng.random() < 0.8) or (wd == 6 and rng.random() < 0.5)
    t = at(d, rng.uniform(6.0, 7.2))
    n = int(rng.integers(1, 4)) if wd == 6 else int(rng.integers(3, 9))
    for i in range(n):
        if town_day and t > at(d, 10.5):
            arr = life.go(v.extra["town"][rng.integers(len(v.extra["town"]))], t)
            arr = life.go(v.home, arr + rng.uniform(30, 90) * 60)
            t, town_day = arr + rng.uniform(10, 40) * 60, False
        arr = life.go(rng.choice([f for f in fields if f is not life.place]), t)
        t = arr + rng.uniform(20, 180) * 60
        if i == n - 1 or rng.random() < 0.5 or t > at(d, 17.5):
            arr = life.go(v.home, t)
            t = arr + rng.uniform(10, 60) * 60
        if t > at(d, 18.0):
            break
    if life.place is not v.home:
        life.go(v.home, t)


def day_two_homes(life: Life, v: Vehicle, d: int, wd: int) -> None:
    bed = v.extra["partner"] if wd in v.extra["nights"] else v.home
    day_office(life, v, d, wd, bed)


def day_nurse(life: Life, v: Vehicle, d: int, wd: int) -> None:
    rng = life.rng
    post_night = v.extra.get("post_night", False)
    shift = wd in v.extra["shifts"]
    night = ((d + v.extra["phase"]) // 14) % 2 == 1
    v.extra["post_night"] = shift and night
    after = rng.uniform(14.0, 15.0) if post_night else 9.0
    if shift and not night and post_night:  # the first day of a day block: rest
        life.free_day(d, wd, after=after)
    elif shift and not night:
        life.go(v.work, at(d, rng.uniform(6.55, 6.8)) - eta(life.place, v.work))
        life.go(v.home, at(d, rng.uniform(19.25, 19.7)))
    elif shift:
        life.errands(d, int(rng.choice([0, 0, 1])), after, 17.0)
        life.go(v.work, at(d, rng.uniform(18.55, 18.8)) - eta(life.place, v.work))
        life.go(v.home, at(d, 24 + rng.uniform(7.25, 7.7)))
    else:
        life.free_day(d, wd, after=after)


def day_retiree(life: Life, v: Vehicle, d: int, wd: int) -> None:
    rng = life.rng
    if wd in v.extra["gym_days"] and rng.random() < 0.9:
        arr = life.go(v.extra["gym"], at(d, rng.uniform(7.6, 8.1)))
        life.go(v.home, arr + rng.uniform(60, 90) * 60)
    if wd == 6 and rng.random() < 0.9:
        arr = life.go(v.extra["church"], at(d, 9.5) - eta(life.place, v.extra["church"]))
        arr = life.go(v.home, at(d, rng.uniform(11.2, 11.8)))
    life.errands(d, int(rng.choice([0, 1, 1, 2, 3])), 10.0, 16.0)
    if rng.random() < 0.08:
        life.evening_out(d)


DAYS = {"office": day_office, "longhaul_commute": day_office, "trades": day_trades,
        "rideshare": day_rideshare, "farm": day_farm, "two_homes": day_two_homes,
        "nurse": day_nurse, "retiree": day_retiree}


# ---------------------------------------------------------------------------------- fleet
def _town_xy(name: str) -> tuple[float, float]:
    return xy(*TOWNS[name])


def _shop_pool(rng) -> np.ndarray:
    pts = [metro_point(rng, 1.1) for _ in range(180)]
    for name in TOWNS:
        pts += [near(_town_xy(name), 0, 1500, rng) for _ in range(4)]
    return np.array(pts)


def _exurb_home(rng, lo: float, hi: float) -> tuple[float, float]:
    towns = [n for n in TOWNS if lo <= math.hypot(*_town_xy(n)) <= hi and n not in ("Kiowa",)]
    for _ in range(50):
        p = near(_town_xy(towns[rng.integers(len(towns))]), 300, 3500, rng)
        if lo <= math.hypot(*p) <= hi:
            return p
    return p


def _ids(n: int, rng) -> list[str]:
    hexes = []
    while len(hexes) < n:
        h = f"{int(rng.integers(0, 16 ** 6)):06X}"
        if h not in hexes:
            hexes.append(h)
    ids = [f"CO-{h}" for h in hexes]
    odd = [lambda h: f"Grüne Bau CO-{h}", lambda h: f"CO {h[:3]} {h[3:]}",
           lambda h: f"<b>CO-{h}</b>", lambda h: f"Peña's F-150 CO-{h}"]
    k = max(min(n, 4), round(0.05 * n))
    for j, i in enumerate(rng.choice(n, size=k, replace=False)):
        ids[i] = odd[j % len(odd)](hexes[i])
    return ids


def _vehicle(vid: str, kind: str, rng, pool: np.ndarray, days: int) -> Vehicle:
    device = DEVICES[rng.choice(3, p=DEVICE_P[kind])]
    region = "metro"
    if kind == "longhaul_commute":
        home, region = _exurb_home(rng, 50000, 70000), "exurb"
    elif kind == "farm":
        town = FARM_TOWNS[rng.integers(len(FARM_TOWNS))]
        home, region = near(_town_xy(town), 3000, 8000, rng), "rural"
    elif kind in ("trades", "retiree") and rng.random() < 0.2:
        home, region = _exurb_home(rng, 38000, 52000), "exurb"
    else:
        home = metro_point(rng)
    v = Vehicle(vid, kind, device, region, place(*home, 4.0))
    d = np.hypot(pool[:, 0] - home[0], pool[:, 1] - home[1])
    v.shops = [place(*pool[j], 35.0) for j in np.argsort(d)[:8]]
    e = v.extra
    if kind in ("office", "two_homes", "longhaul_commute"):
        w = HUB_P.copy()
        if kind == "longhaul_commute":  # a hub on the near side of the city
            w[[dist(h, home) > math.hypot(*home) for h in OFFICE_HUBS]] = 0.0
        hub = OFFICE_HUBS[rng.choice(len(OFFICE_HUBS), p=w / w.sum())]
        v.work = place(*near(hub, 0, 900, rng), 25.0)
        lunch = near((v.work.x, v.work.y), 150, 900, rng)
        e.update(lunch=place(*lunch, 25.0), start=rng.uniform(7.6, 8.4),
                 end=rng.uniform(16.6, 17.4))
        if kind == "longhaul_commute":
            e.update(start=rng.uniform(7.3, 8.0), end=rng.uniform(16.2, 16.9))
        if kind == "two_homes":
            for _ in range(50):
                partner = metro_point(rng)
                if 8000 <= dist(partner, home) <= 20000:
                    break
            e.update(partner=place(*partner, 10.0),
                     nights=[(4, 5, 1), (4, 5, 2), (5, 6, 2), (3, 4, 5), (4, 5, 6)][rng.integers(5)])
    elif kind == "trades":
        v.work = place(*near(YARDS[rng.integers(len(YARDS))], 0, 500, rng), 20.0)
        e["start"] = rng.uniform(6.0, 6.4)
        jobs, site, left = [], None, 0
        for day in range(days):
            wd = (START + timedelta(days=day)).weekday()
            if wd < 5:
                if left == 0:
                    site = metro_point(rng, 1.25) if rng.random() < 0.8 else \
                        _exurb_home(rng, 30000, 45000)
                    site, left = place(*site, 25.0), int(rng.integers(3, 13))
                left -= 1
            elif site is None:
                site, left = place(*metro_point(rng, 1.25), 25.0), int(rng.integers(3, 13))
            jobs.append(site)
        e["jobs"] = jobs
    elif kind == "nurse":
        v.work = place(*HOSPITALS[rng.integers(len(HOSPITALS))], 40.0)
        e.update(shifts=[(0, 2, 4), (1, 3, 5), (6, 0, 2), (2, 3, 6), (0, 1, 3)][rng.integers(5)],
                 phase=int(rng.integers(0, 28)))
    elif kind == "farm":
        e["fields"] = [place(*near(home, 1000, 5000, rng), 60.0) for _ in range(rng.integers(3, 7))]
        town = min(TOWNS, key=lambda n: dist(_town_xy(n), home))
        e["town"] = [place(*near(_town_xy(town), 0, 1200, rng), 30.0) for _ in range(3)]
    elif kind == "retiree":
        e.update(gym=place(*near(home, 1000, 5000, rng), 30.0),
                 church=place(*near(home, 1000, 6000, rng), 40.0),
                 gym_days=((0, 2, 4), (1, 3, 5))[rng.integers(2)])
    return v


def _stays_fixes(life: Life, rng) -> tuple:
    """Fixes while parked: telematics heartbeats, an awake phone's sparse fixes."""
    st = np.array(life.stays, dtype=float).reshape(-1, 5)
    arr, dep = st[:, 0].astype(np.int64), st[:, 1].astype(np.int64)
    dev = life.v.device
    if dev == "telematics":
        n = np.maximum((dep - arr - 1) // HEARTBEAT, 0)
        idx = np.repeat(np.arange(len(st)), n)
        k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + 1
        t = arr[idx] + HEARTBEAT * k
    elif dev == "phone" and life.v.extra["awake"]:
        t = arr[0] + np.cumsum(rng.integers(600, 2400, int((dep[-1] - arr[0]) / 600) + 2))
        idx = np.searchsorted(arr, t, "right") - 1
        keep = (idx >= 0) & (t < dep[np.maximum(idx, 0)]) & (t > arr[np.maximum(idx, 0)] + 60)
        t, idx = t[keep], idx[keep]
    else:
        return (np.zeros(0, np.int64),) + (np.zeros(0),) * 4
    sigma = NOISE[dev] * 0.8
    x = st[idx, 2] + rng.normal(0, sigma, len(t))
    y = st[idx, 3] + rng.normal(0, sigma, len(t))
    if dev == "telematics":  # urban canyon: a parked box downtown wanders 30-150 m
        can = st[idx, 4] > 0
        r, a = rng.uniform(30, 150, can.sum()), rng.uniform(0, 2 * np.pi, can.sum())
        x[can] += r * np.cos(a)
        y[can] += r * np.sin(a)
    speed = np.zeros(len(t)) if dev == "telematics" else np.full(len(t), np.nan)
    return t, x, y, speed, np.full(len(t), np.nan)


def _local(epoch: np.ndarray) -> np.ndarray:
    """Epoch seconds -> the local wall clock, as naive seconds since 1970."""
    wall = pd.to_datetime(epoch, unit="s", utc=True).tz_convert(ZONE).tz_localize(None)
    return wall.as_unit("s").asi8


def _spring_forward(t0: float, t1: float) -> tuple[float, int] | None:
    """The instant clocks go forward inside the window and the offset before it (s)."""
    hours = np.arange(int(t0), int(t1), 3600, dtype=np.int64)
    off = _local(hours) - hours
    jump = np.flatnonzero(np.diff(off) > 0)
    return (int(hours[jump[0] + 1]), int(off[jump[0]])) if len(jump) else None


def _pings(life: Life, clock: str, rtc: int, rng, t0: float, t1: float, dst) -> pd.DataFrame:
    v = life.v
    parts = [(b[0], b[1], b[2], b[3], b[4], np.full(len(b[0]), b[5])) for b in life.blocks]
    pt, px, py, ps, ph = _stays_fixes(life, rng)
    parts.append((pt, px, py, ps, ph, np.full(len(pt), -1)))
    t, x, y, speed, head, trip = (np.concatenate(c) for c in zip(*parts))
    order = np.argsort(t, kind="stable")
    t, x, y, speed, head, trip = t[order], x[order], y[order], speed[order], head[order], trip[order]
    keep = (t >= t0) & (t < t1)
    if v.device == "phone":  # the app killed for hours now and then
        for d in np.flatnonzero(rng.random(int((t1 - t0) // 86400)) < 0.12):
            a = t0 + d * 86400 + rng.uniform(0, 86400)
            keep &= ~((t >= a) & (t < a + rng.uniform(2, 10) * 3600))
    t, x, y, speed, head, trip = t[keep], x[keep], y[keep], speed[keep], head[keep], trip[keep]
    if clock == "utc":
        stamp = t.copy()
    else:
        stamp = _local(t)
        if v.device == "phone" and dst is not None:  # the old offset until the next trip
            change, old = dst
            later = [dep for dep in life.departs if dep >= change]
            reset = later[0] if later else t1
            skew = (t >= change) & (t < reset)
            stamp[skew] = t[skew] + old
    if rtc:  # the clock reset at power-up: counting from a fixed date until GPS time
        departs = np.array(life.departs, dtype=np.int64)
        trips = np.unique(trip[trip >= 0])
        base = (0, 946684800)[rng.integers(2)]
        for k in rng.choice(trips, size=min(rtc, len(trips)), replace=False) if len(trips) else []:
            elapsed = t - departs[k]
            hit = (trip == k) & (elapsed <= rng.uniform(20, 120))
            stamp[hit] = base + int(rng.integers(5, 40)) + elapsed[hit]
    lat, lon = latlon(x, y)
    return pd.DataFrame({"stamp": stamp, "lat": lat, "lon": lon, "speed_mps": speed,
                         "heading_deg": head})


def write_trades_fleet(out: Path, vehicles: int = 80, days: int = 28, seed: int = 0) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    t0, t1 = at(0, 0), at(days, 0)
    dst = _spring_forward(t0, t1)
    pool = _shop_pool(rng)
    ids = _ids(vehicles, rng)
    kinds = [CYCLE[i % len(CYCLE)] for i in rng.permutation(vehicles)]
    fleet = [_vehicle(ids[i], kinds[i], rng, pool, days) for i in range(vehicles)]
    for v in fleet:
        v.extra["awake"] = bool(rng.random() < 0.5)
    # the UTC firmware: ~10% of vehicles, on obd or telematics; a few honest ones run it too
    boxes = [i for i, v in enumerate(fleet) if v.device != "phone"]
    n_utc = min(len(boxes), max(1, round(0.1 * vehicles)))
    utc = set(rng.choice(boxes, size=n_utc, replace=False).tolist()) if boxes else set()
    rest = [i for i in boxes if i not in utc]
    buggy = utc | set(rng.choice(rest, size=min(len(rest), round(0.03 * vehicles)),
                                 replace=False).tolist() if rest else [])
    n_rtc = min(len(rest), max(1, round(0.04 * vehicles)))
    rtc = set(rng.choice(rest, size=n_rtc, replace=False).tolist()) if rest else set()

    frames, truth, meta = {}, {}, []
    for i, v in enumerate(fleet):
        vrng = np.random.default_rng([seed, i])
        life = Life(v, vrng, t0, t1, pool)
        for d in range(days):
            DAYS[v.kind](life, v, d, (START + timedelta(days=d)).weekday())
        life.stays.append((life.since, int(t1), life.spot[0], life.spot[1], life.place.canyon))
        clock = "utc" if i in utc else "local"
        frames[v.vid] = _pings(life, clock, int(vrng.integers(1, 4)) if i in rtc else 0, vrng,
                               t0, t1, dst)
        good, bad = FIRMWARE[v.device]
        firmware = bad if i in buggy else good[vrng.integers(len(good))]
        meta.append({"vehicle_id": v.vid, "device": v.device, "firmware": firmware,
                     "region": v.region})
        truth[v.vid] = {"home": _ll(v.home), "work": _ll(v.work) if v.work else None,
                        "kind": v.kind, "device": v.device, "clock": clock, "region": v.region}

    _write_pings(out / "pings.csv", frames, rng)
    labels, wrong = _labels(fleet, rng)
    pd.DataFrame(labels, columns=["vehicle_id", "label", "lat", "lon"]).to_csv(
        out / "labels.csv", index=False)
    pd.DataFrame(meta).to_csv(out / "vehicles.csv", index=False)
    (out / "truth.json").write_text(json.dumps(
        {"tz": "America/Denver", "vehicles": truth, "wrong_labels": wrong}, indent=1))
    return out


def _ll(p: Place) -> list[float]:
    lat, lon = latlon(p.x, p.y)
    return [round(float(lat), 6), round(float(lon), 6)]


def _write_pings(path: Path, frames: dict, rng) -> None:
    vids = sorted(frames)
    df = pd.concat([frames[v] for v in vids], ignore_index=True)
    vid = np.repeat(np.array(vids, dtype=object), [len(frames[v]) for v in vids])
    n = len(df)
    # faults: exact duplicates, duplicates rounded to 4 decimals, swapped and zeroed fixes
    dup = rng.choice(n, size=round(0.01 * n), replace=False)
    rnd = rng.choice(n, size=round(0.003 * n), replace=False)
    src = np.concatenate([np.arange(n), dup, rnd])
    order = np.argsort(src, kind="stable")
    src = src[order]
    rounded = (np.arange(len(src)) >= n + len(dup))[order]
    lat = df["lat"].to_numpy()[src].copy()
    lon = df["lon"].to_numpy()[src].copy()
    lat = np.where(rounded, np.round(lat, 4), np.round(lat, 6))
    lon = np.where(rounded, np.round(lon, 4), np.round(lon, 6))
    first = np.flatnonzero(np.r_[True, src[1:] != src[:-1]])
    few = max(2, n // 100_000)
    swap = rng.choice(first, size=few, replace=False)
    lat[swap], lon[swap] = lon[swap].copy(), lat[swap].copy()
    zero = rng.choice(first[~np.isin(first, swap)], size=few, replace=False)
    lat[zero], lon[zero] = 0.0, 0.0
    table = pa.table({
        "vehicle_id": pa.array(vid[src], pa.string()),
        "timestamp": pa.array(df["stamp"].to_numpy()[src].astype("datetime64[s]")),
        "lat": lat, "lon": lon,
        "speed_mps": pa.array(np.round(df["speed_mps"].to_numpy()[src], 1), from_pandas=True),
        "heading_deg": pa.array(np.round(df["heading_deg"].to_numpy()[src]) % 360,
                                from_pandas=True).cast(pa.int64())})
    plain = not any(set(v) & set(',"\r\n') for v in vids)
    with open(path, "wb") as f:  # pyarrow writes 1-3 M rows ten times faster than pandas
        f.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, f, pacsv.WriteOptions(
            include_header=False, quoting_style="none" if plain else "needed"))


def _labels(fleet: list[Vehicle], rng) -> tuple[list, list]:
    """Three quarters of vehicles labelled within ~25 m of the place; ~8% of those wrong."""
    n = len(fleet)
    labelled = sorted(rng.choice(n, size=round(0.75 * n), replace=False).tolist())
    options = {"office": ("swapped",), "longhaul_commute": ("swapped",), "nurse": ("swapped",),
               "trades": ("jobsite", "swapped"), "two_homes": ("partner", "swapped"),
               "rideshare": ("airport",)}
    cands = [i for i in labelled if fleet[i].kind in options]
    n_wrong = min(len(cands), max(1 if len(labelled) >= 5 else 0, round(0.08 * len(labelled))))
    wrong_of = {int(i): options[fleet[i].kind][rng.integers(len(options[fleet[i].kind]))]
                for i in rng.choice(cands, size=n_wrong, replace=False)} if n_wrong else {}
    rows, wrong = [], []

    def pin(v, label, p):
        x, y = near((p.x, p.y), 0, 25, rng)
        lat, lon = latlon(x, y)
        rows.append((v.vid, label, round(float(lat), 6), round(float(lon), 6)))

    for i in labelled:
        v, how = fleet[i], wrong_of.get(i)
        home, work = v.home, v.work
        if how == "swapped":
            home, work = v.work, v.home
            wrong += [{"vehicle_id": v.vid, "label": "home"}, {"vehicle_id": v.vid, "label": "work"}]
        elif how == "partner":
            home = v.extra["partner"]
            wrong.append({"vehicle_id": v.vid, "label": "home"})
        elif how == "jobsite":
            work = v.extra["jobs"][-1]
            wrong.append({"vehicle_id": v.vid, "label": "work"})
        elif how == "airport":
            work = place(*AIRPORT_LOT, 60.0)
            wrong.append({"vehicle_id": v.vid, "label": "work"})
        pin(v, "home", home)
        if work is not None:
            pin(v, "work", work)
    return rows, wrong


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=80)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    began = time.perf_counter()
    out = write_trades_fleet(Path(a.out), a.vehicles, a.days, a.seed)
    print(f"{out} ({time.perf_counter() - began:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
