"""A merged fleet exported from two telematics platforms: a regional utility (platform A) and a
courier company (platform B) in the US Midwest, around Chicago (America/Chicago) and
Indianapolis (America/Indiana/Indianapolis), over a window in March 2026 that contains the US
start of daylight time (Sunday 8 March 2026, 02:00 local -> 03:00; UTC-6 -> UTC-5 in Chicago,
UTC-5 -> UTC-4 in Indianapolis).

    write_merger_fleet(folder, vehicles=120, days=28, seed=0)
    python bench/fleets/merger.py OUT [--vehicles N] [--days D] [--seed S]

Window: D local days starting at local midnight of 8 March minus min(7, D // 2) days (28 days:
Sunday 1 March to Saturday 28 March 2026). Schedules are planned on each vehicle's local wall
clock; a planned departure falling in the skipped hour of 8 March moves forward; every duration
after a departure runs in physical seconds, so a night call-out across 02:00 on 8 March ends an
hour later on the wall clock than it would on another night.

Kinds of life (truth "kind"); `vehicles` counts device ids (rows of vehicles.csv), a car that
reports on both platforms has two:
- line_crew (about 30 %, platform A, department "Distribution Line Ops"): a take-home bucket
  truck. Mon-Fri: arrives at its utility yard at 06:30 (sd 8 min) for 20-45 min, then 3-6 job
  sites (1-3 h each, fewer hours when six do not fit; new sites every day, 3-25 km from the
  yard), back at the yard for 15-30 min, home by about 17:00. Storm call-outs: 3 storm nights
  per city (same nights for every crew of the city), each crew called on a storm night with
  probability 0.85: leaves home 20:00-23:30 for one site, 2-6 h there, back home. Weekends: a
  personal errand on a quarter of days. Truth home = home, work = the yard.
- courier (about 35 %, platform B, "Parcel Delivery"): a take-home van. Mon-Fri, and Saturdays
  for 40 % of drivers: at the courier depot at 07:00 (sd 5 min) loading 30-45 min, then 60-120
  stops of 1-4 minutes each (a serpentine route through a 2.5-4 km box 3-15 km from the depot;
  the engine idles, sending pings at speed 0, at half the stops, and is off at the others), a
  30-45 min lunch stop half-way, back at the depot for 10-20 min (aimed at 16:45; a short route
  of 4-minute stops is back earlier: 5 % of days before 15:00, median 16:25), then home.
  Truth home = home, work = depot.
- office (about 22 %, platform A or B, "Customer Service" / "Finance" / "IT"): a pool car taken
  home. Mon-Fri at the office campus 07:45-08:30 to 16:45-17:30; each car stays home on a
  Friday with its own probability 0.3-0.7; errands on the way home, some evenings and weekends.
  Truth work = the office.
- on_call (about 13 %, platform A, "Substation Engineering"): home most days, short errands, 1-2
  visits a week to one of its 2-3 substations for 1-2 h (a quarter of them at night). Its
  home_depot names a yard it never visits. Truth work = null.
- reassigned_pool (about 3 %, at least 1; platform A or B, "Fleet Pool"): an office pool car
  whose driver changes on a Mon-Thu: it commutes from the first driver's home, on that day
  goes home to the second driver's home, and sleeps there from then on. The change falls at
  25-40 % of the window for the 1st, 3rd, ... reassigned car (most nights at the second home)
  and at 60-75 % for the 2nd, 4th, ... (most nights at the first), never on an even split.
  Nights are counted at 02:00 local on each day of the window; truth home = the home with more
  nights ("homes": both, "nights": [first, second], "home_is": "first" or "second"), work = the
  office. Its given home label is the first driver's; when the second's home is the truth it is
  listed in wrong_labels.
- same car on both platforms (round(4 % of vehicles) cars, at least 1 when vehicles >= 6; the
  other kinds' shares are of the remaining ids): a line crew truck of platform A that got a
  platform B box, or a courier van of platform B that got a platform A box, from local
  midnight of day D // 3 on. The second device repeats every fix of the first from then on,
  0-2 s later, a constant 1-3 m antenna offset plus its own noise away.
  Both ids carry the car's kind, home and work and "same_car_as": the other id (and the pairs
  are listed in truth["same_car_pairs"]). Labels are given on the first device's id only.

Places: utility yards, courier depots and office campuses are fixed points (two yards and two
depots and one campus per city); homes 5-30 km from the city centre, substations, job sites,
routes and errand places are drawn per seed. No place or street path lies in Lake Michigan.
Trips follow an L-shaped street path (north-south then east-west or the reverse; in Chicago
the corner on the west side), 20-65 km/h mean speed by distance, accelerating over the first
and braking over the last 30 s. Parked: no pings.

Devices and files (folder):
- platform_a.parquet (utility platform): deviceId string (15-digit IMEI), gpsTime
  timestamp[ns, tz=UTC] (whole seconds), latE7 and lngE7 int64 (degrees x 1e7), speedKph
  float64, hdop float32, sats int8. A fix every 30 s (+-2 s) while moving. Rows in gpsTime
  order (ties by deviceId), as a streaming export is.
- platform_b.csv (courier platform): time_ms (UTC epoch milliseconds), unit (id; 5 digits),
  latitude, longitude (6 decimals), mph (1 decimal), odometer_mi (1 decimal, per unit
  cumulative). A fix every 30 s while moving and while idling. Rows by unit then time, then a
  re-sent batch appended at the end.
- vehicles.csv: vehicle_id, platform (platform_a | platform_b), make, department, home_depot
  (the yard, depot or office a vehicle is attached to), timezone (IANA). One row per device id;
  ids written as in the ping files (leading zeros kept).
- labels.csv: vehicle_id, label (home | work), lat, lon: about 75 % of the first-device ids (all
  of the leading-zero ids and reassigned cars) get a home label (the home, 15 m noise) and, when
  they have a work, a work label (20 m noise). About 5 % of labelled vehicles get a wrong label:
  home placed at the yard / depot / office, a line crew's work placed at one of its job sites, or
  home and work swapped; and, until one has, each labelled on-call engineer with probability 0.3
  gets one of its substations labelled work.
- truth.json: {"vehicles": {id: {"home", "work", "kind", "city", "platform", "timezone",
  "faults", ...}}, "wrong_labels": [{"vehicle_id", "label", "lat", "lon", "reason"}],
  "same_car_pairs", "window", "faults"}. No "tz": no file carries naive stamps.

Faults:
- hdop: 3 % of platform A rows have hdop 8.2-30 and sats 1-4, the position 50-500 m off in a
  random direction (other rows: hdop 0.7-4, sats 7-14, about 3.5 m noise).
- local_as_utc: 2 platform A devices (3 from 60 vehicles on) in Chicago write the Chicago wall
  clock into gpsTime labelled UTC: their stamps are 6 h early before 8 March 02:00 local, 5 h
  after.
- leading zeros: 2 platform B units have ids like "00417" (in platform_b.csv and vehicles.csv);
  labels.csv writes them "417". truth keys them "00417" with "label_id": "417".
- duplicates: 1 % of platform A rows twice (adjacent); 1 % of platform B rows re-sent in a block
  at the end of the file (identical rows).
- zero fix: 1 platform B courier sends latitude 0.0, longitude 0.0 for the first 1-3 fixes of
  every trip (cold start) and for 1 % of its other fixes.
- frozen: 1 platform A line crew repeats one fix (position, speed, hdop, sats) for 2-5 h on 3
  workdays from its second fix of the morning (a few hundred metres from home), gpsTime still
  advancing (a fix every 30 s while it drives, none while it is parked).
The fault-carrying devices are plain vehicles (no reassigned car, no same-car pair); truth lists
each vehicle's faults and truth["faults"] which ids carry which.

Same arguments -> byte-identical files (the Parquet file's footer names the pyarrow version).
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

M_PER_DEG = 111_195.0
DT = 30.0  # seconds between fixes while moving or idling
DST_DAY = date(2026, 3, 8)
HOUR = 3600.0
DAY = 86400.0

CITIES = {
    "CHI": {"name": "Chicago", "zone": "America/Chicago", "center": (41.8781, -87.6298)},
    "IND": {"name": "Indianapolis", "zone": "America/Indiana/Indianapolis",
            "center": (39.7684, -86.1581)},
}
YARDS = {"CHI": [("CHI-Yard-McKinley", 41.83120, -87.68550), ("CHI-Yard-Irving", 41.95340, -87.73660)],
         "IND": [("IND-Yard-West", 39.74500, -86.21100), ("IND-Yard-North", 39.82700, -86.10600)]}
DEPOTS = {"CHI": [("CHI-Depot-Midway", 41.79900, -87.74300), ("CHI-Depot-Elk", 41.99200, -87.93800)],
          "IND": [("IND-Depot-Airport", 39.71700, -86.29400), ("IND-Depot-East", 39.80800, -86.03000)]}
OFFICES = {"CHI": ("CHI-Campus-WestLoop", 41.88500, -87.64400),
           "IND": ("IND-Campus-Downtown", 39.77000, -86.15600)}
MAKES = {"line_crew": ["Freightliner M2 bucket", "Ford F-550", "International MV"],
         "courier": ["Ford Transit 250", "Ram ProMaster 2500", "Mercedes Sprinter"],
         "office": ["Toyota Camry", "Chevrolet Malibu", "Ford Escape"],
         "on_call": ["Ford F-150", "Chevrolet Silverado"],
         "reassigned_pool": ["Toyota RAV4", "Honda CR-V"]}
DEPARTMENTS = {"line_crew": ["Distribution Line Ops"], "courier": ["Parcel Delivery"],
               "office": ["Customer Service", "Finance", "IT"],
               "on_call": ["Substation Engineering"], "reassigned_pool": ["Fleet Pool"]}
SHARES = {"line_crew": 0.30, "courier": 0.35, "office": 0.22, "on_call": 0.13}


# ---------------------------------------------------------------------------------------------
# geometry

def lake_fix(city: str, lat, lon):
    """Chicago: a point east of a line a little west of the Lake Michigan shore is mirrored west."""
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    if city != "CHI":
        return lat, lon
    shore = -87.63 + 0.55 * (41.88 - lat)
    east = lon > shore - 0.004
    lon = np.where(east, 2 * (shore - 0.004) - lon, lon)
    return lat, lon


def scatter(rng, city, lat, lon, rmin, rmax, n):
    """n points rmin..rmax metres from (lat, lon), uniform in area, off the lake."""
    r = np.sqrt(rng.uniform(rmin ** 2, rmax ** 2, n))
    b = rng.uniform(0, 2 * np.pi, n)
    la = lat + r * np.cos(b) / M_PER_DEG
    lo = lon + r * np.sin(b) / (M_PER_DEG * np.cos(np.radians(lat)))
    return lake_fix(city, la, lo)


def manhattan_m(lat0, lon0, lat1, lon1):
    c = np.cos(np.radians((np.asarray(lat0) + np.asarray(lat1)) / 2))
    return np.abs(np.asarray(lat1) - lat0) * M_PER_DEG + np.abs(np.asarray(lon1) - lon0) * M_PER_DEG * c


def haversine_m(lat0, lon0, lat1, lon1):
    p0, p1 = np.radians(lat0), np.radians(lat1)
    a = (np.sin((p1 - p0) / 2) ** 2
         + np.cos(p0) * np.cos(p1) * np.sin(np.radians(np.asarray(lon1) - lon0) / 2) ** 2)
    return 2 * 6_371_000.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def travel_s(d_m):
    """Driving time for a street distance: slower for short hops, plus 45 s to park and start."""
    d = np.asarray(d_m, float)
    kmh = np.select([d < 1000, d < 5000, d < 15000], [20.0, 30.0, 45.0], 65.0)
    return np.where(d < 30, 0.0, d / (kmh / 3.6) + 45.0)


# ---------------------------------------------------------------------------------------------
# the fleet

@dataclass
class Car:
    idx: int
    kind: str
    city: str
    platform: str  # the first device's platform: "A" or "B"
    home: tuple
    work: tuple | None
    base_name: str
    rng: np.random.Generator
    errands: np.ndarray = None  # (k, 2) personal places near home
    extra: dict = field(default_factory=dict)


def allocate(n: int, shares: dict) -> dict:
    """Largest-remainder split of n over shares, each kind at least one when n allows."""
    raw = {k: n * s / sum(shares.values()) for k, s in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: -(raw[k] - out[k]))[: n - sum(out.values())]:
        out[k] += 1
    for k in out:
        while out[k] == 0 and n >= len(out) and max(out.values()) > 1:
            out[max(out, key=out.get)] -= 1
            out[k] += 1
    return out


def window_start(days: int) -> date:
    return DST_DAY - timedelta(days=min(7, days // 2))


def build_cars(n_ids: int, days: int, seed: int) -> tuple[list[Car], dict]:
    rng = np.random.default_rng([seed, 0])
    n_pairs = max(1, round(n_ids * 0.04)) if n_ids >= 6 else 0
    n_reassigned = max(1, round(n_ids * 0.03)) if n_ids >= 3 else 0
    n_single = n_ids - 2 * n_pairs - n_reassigned
    counts = allocate(n_single, SHARES)
    kinds = [k for k in SHARES for _ in range(counts[k])]
    pair_kinds = ["line_crew" if i % 2 == 0 else "courier" for i in range(n_pairs)]
    plan = ([(k, False) for k in kinds] + [("reassigned_pool", False)] * n_reassigned
            + [(k, True) for k in pair_kinds])
    order = rng.permutation(len(plan))
    plan = [plan[i] for i in order]
    subs = {}
    for c in CITIES:
        la, lo = scatter(rng, c, *CITIES[c]["center"], 4000, 22000, 5)
        subs[c] = np.column_stack([la, lo])
    cars = []
    for i, (kind, paired) in enumerate(plan):
        crng = np.random.default_rng([seed, 1, i])
        city = "CHI" if crng.random() < 0.55 else "IND"
        la, lo = scatter(crng, city, *CITIES[city]["center"], 5000, 30000, 1)
        home = (float(la[0]), float(lo[0]))
        if kind == "line_crew":
            name, wla, wlo = YARDS[city][crng.integers(2)]
            platform = "A"
        elif kind == "courier":
            name, wla, wlo = DEPOTS[city][crng.integers(2)]
            platform = "B"
        elif kind in ("office", "reassigned_pool"):
            name, wla, wlo = OFFICES[city]
            platform = "A" if crng.random() < 0.5 else "B"
        else:  # on_call: attached to a yard it never visits
            name, wla, wlo = YARDS[city][crng.integers(2)]
            platform = "A"
        work = None if kind == "on_call" else (wla, wlo)
        car = Car(i, kind, city, platform, home, work, name, crng)
        ela, elo = scatter(crng, city, *home, 800, 6000, 4)
        car.errands = np.column_stack([ela, elo])
        car.extra["paired"] = paired
        if kind == "on_call":
            car.extra["substations"] = subs[city][crng.choice(5, crng.integers(2, 4), replace=False)]
        if kind == "courier":
            car.extra["saturday"] = bool(crng.random() < 0.4)
            b = crng.uniform(0, 2 * np.pi)
            r = crng.uniform(3000, 15000)
            tla, tlo = lake_fix(city, wla + r * np.cos(b) / M_PER_DEG,
                                wlo + r * np.sin(b) / (M_PER_DEG * np.cos(np.radians(wla))))
            car.extra["territory"] = (float(tla), float(tlo))
        if kind == "office":
            car.extra["p_wfh"] = float(crng.uniform(0.3, 0.7))
        if kind == "reassigned_pool":
            la2, lo2 = scatter(crng, city, *CITIES[city]["center"], 5000, 30000, 1)
            car.extra["home2"] = (float(la2[0]), float(lo2[0]))
            e2a, e2o = scatter(crng, city, *car.extra["home2"], 800, 6000, 3)
            car.extra["errands2"] = np.column_stack([e2a, e2o])
        cars.append(car)
    storms = {c: np.sort(rng.choice(max(days - 1, 1), min(3, max(days - 1, 1)), replace=False))
              for c in CITIES}
    return cars, {"storms": storms}


# ---------------------------------------------------------------------------------------------
# plans: excursions (start on the local wall clock in seconds from window start, stops, dest)

def _stops(rows):
    return np.array(rows, float).reshape(-1, 4)  # lat, lon, dwell s, idle


def _errand_trip(rng, places, t_local, dest, n=1, dwell=(20 * 60, 90 * 60)):
    pick = places[rng.choice(len(places), n, replace=False)]
    rows = [(p[0], p[1], rng.uniform(*dwell), 0) for p in pick]
    return (t_local, _stops(rows), dest)


def plan_line_crew(car: Car, days, dows, storms):
    rng, home, yard = car.rng, car.home, car.work
    exc = []
    for d in range(days):
        day0 = d * DAY
        if dows[d] < 5:
            arrive = 6.5 * HOUR + float(np.clip(rng.normal(0, 8 * 60), -20 * 60, 20 * 60))
            go = arrive - float(travel_s(manhattan_m(*home, *yard)))
            n = int(rng.integers(3, 7))
            sla, slo = scatter(rng, car.city, *yard, 3000, 25000, n)
            dur = rng.uniform(1, 3, n) * HOUR
            if dur.sum() > 7 * HOUR:
                dur = np.maximum(dur * 7 * HOUR / dur.sum(), HOUR)
            rows = [(yard[0], yard[1], rng.uniform(20, 45) * 60, 0)]
            rows += [(sla[j], slo[j], dur[j], 0) for j in range(n)]
            rows.append((yard[0], yard[1], rng.uniform(15, 30) * 60, 0))
            exc.append((day0 + go, _stops(rows), home))
            car.extra.setdefault("sites", []).append((float(sla[0]), float(slo[0])))
        elif rng.random() < 0.25:
            exc.append(_errand_trip(rng, car.errands, day0 + rng.uniform(9, 15) * HOUR, home))
        if d in storms and rng.random() < 0.85:
            la, lo = scatter(rng, car.city, *yard, 2000, 25000, 1)
            exc.append((day0 + rng.uniform(20, 23.5) * HOUR,
                        _stops([(la[0], lo[0], rng.uniform(2, 6) * HOUR, 0)]), home))
            car.extra.setdefault("callouts", []).append(d)
    return exc


def plan_courier(car: Car, days, dows):
    rng, home, depot = car.rng, car.home, car.work
    tla, tlo = car.extra["territory"]
    exc = []
    for d in range(days):
        if not (dows[d] < 5 or (dows[d] == 5 and car.extra["saturday"])):
            continue
        arrive = 7 * HOUR + float(np.clip(rng.normal(0, 5 * 60), -15 * 60, 15 * 60))
        go = arrive - float(travel_s(manhattan_m(*home, *depot)))
        load = rng.uniform(30, 45) * 60
        n = int(rng.integers(60, 121))
        side = rng.uniform(2500, 4000)
        x, y = rng.uniform(-side / 2, side / 2, n), rng.uniform(-side / 2, side / 2, n)
        band = np.floor((y + side / 2) / side * 6).clip(0, 5)
        order = np.lexsort((np.where(band % 2 == 0, x, -x), band))
        x, y = x[order], y[order]
        sla, slo = lake_fix(car.city, tla + y / M_PER_DEG,
                            tlo + x / (M_PER_DEG * np.cos(np.radians(tla))))
        half = n // 2
        lla, llo = scatter(rng, car.city, sla[half], slo[half], 100, 300, 1)
        lunch = rng.uniform(30, 45) * 60
        pla = np.concatenate([[depot[0]], sla[:half], lla, sla[half:], [depot[0]]])
        plo = np.concatenate([[depot[1]], slo[:half], llo, slo[half:], [depot[1]]])
        drive = float(travel_s(manhattan_m(pla[:-1], plo[:-1], pla[1:], plo[1:])).sum())
        back = 16.75 * HOUR + rng.normal(0, 8 * 60)
        avail = back - (arrive + load) - drive - lunch
        base = rng.uniform(60, 240, n)
        dwell = np.clip(base * max(avail, 60.0 * n) / base.sum(), 60, 240)
        idle = (rng.random(n) < 0.5).astype(float)
        rows = np.column_stack([sla, slo, dwell, idle])
        stops = np.vstack([[depot[0], depot[1], load, 0], rows[:half], [lla[0], llo[0], lunch, 0],
                           rows[half:], [depot[0], depot[1], rng.uniform(10, 20) * 60, 0]])
        exc.append((d * DAY + go, stops, home))
    return exc


def plan_personal(car: Car, d, dow, home, places, exc, evening_p=0.2):
    """Weekend errands and weekday evening errands of a private-use car."""
    rng = car.rng
    if dow >= 5:
        for t in np.sort(rng.uniform(9, 18, rng.poisson(1.2))):
            exc.append(_errand_trip(rng, places, d * DAY + t * HOUR, home, n=int(rng.integers(1, 3)),
                                    dwell=(20 * 60, 120 * 60)))
    elif rng.random() < evening_p:
        exc.append(_errand_trip(rng, places, d * DAY + rng.uniform(18.5, 20) * HOUR, home))


def plan_office(car: Car, days, dows, handover=None):
    rng = car.rng
    exc = []
    for d in range(days):
        home, places = car.home, car.errands
        if handover is not None and d >= handover:
            home, places = car.extra["home2"], car.extra["errands2"]
        wfh = dows[d] == 4 and handover is None and rng.random() < car.extra.get("p_wfh", 0)
        if dows[d] < 5 and not wfh:
            arrive = rng.uniform(7.75, 8.5) * HOUR
            start_home = car.home if handover is not None and d <= handover else home
            go = arrive - float(travel_s(manhattan_m(*start_home, *car.work)))
            leave = rng.uniform(16.75, 17.5) * HOUR
            rows = [(car.work[0], car.work[1], leave - arrive, 0)]
            if rng.random() < 0.25:
                p = places[rng.integers(len(places))]
                rows.append((p[0], p[1], rng.uniform(20, 40) * 60, 0))
            exc.append((d * DAY + go, _stops(rows), home))
        elif wfh and rng.random() < 0.5:
            exc.append(_errand_trip(rng, places, d * DAY + rng.uniform(11, 14) * HOUR, home))
        plan_personal(car, d, dows[d], home, places, exc)
    return exc


def plan_on_call(car: Car, days, dows):
    rng, home = car.rng, car.home
    exc = []
    visits = set()
    for w in range(0, days, 7):
        span = np.arange(w, min(w + 7, days))
        visits.update(int(v) for v in rng.choice(span, min(len(span), int(rng.integers(1, 3))),
                                                 replace=False))
    for d in range(days):
        if d in visits:
            s = car.extra["substations"][rng.integers(len(car.extra["substations"]))]
            t = rng.uniform(21, 24.5) if rng.random() < 0.25 else rng.uniform(9, 15)
            exc.append((d * DAY + t * HOUR, _stops([(s[0], s[1], rng.uniform(1, 2) * HOUR, 0)]), home))
        if dows[d] < 5:
            if rng.random() < 0.4:
                exc.append(_errand_trip(rng, car.errands, d * DAY + rng.uniform(7.5, 10) * HOUR, home,
                                        dwell=(15 * 60, 45 * 60)))
            if rng.random() < 0.3:
                exc.append(_errand_trip(rng, car.errands, d * DAY + rng.uniform(15.5, 17) * HOUR, home))
        plan_personal(car, d, dows[d], home, car.errands, exc, evening_p=0.25)
    return exc


# ---------------------------------------------------------------------------------------------
# schedule: excursions -> trips and stays on the UTC clock

def local_to_utc(sec_local, zone: str, start: date) -> np.ndarray:
    naive = np.datetime64(start.isoformat(), "s") + np.round(np.asarray(sec_local)).astype("timedelta64[s]")
    idx = pd.DatetimeIndex(naive).tz_localize(zone, nonexistent="shift_forward", ambiguous=True)
    return idx.as_unit("s").asi8.astype(float)


def utc_to_local_s(t_utc, zone: str) -> np.ndarray:
    """Epoch seconds of the local wall clock (the wall clock read as if it were UTC)."""
    idx = pd.DatetimeIndex(pd.to_datetime(np.asarray(t_utc, "int64"), unit="s", utc=True))
    return idx.tz_convert(zone).tz_localize(None).as_unit("s").asi8


def schedule(car: Car, exc: list, start: date):
    zone = CITIES[car.city]["zone"]
    exc = sorted(exc, key=lambda e: e[0])
    utc = local_to_utc([e[0] for e in exc], zone, start) if exc else np.array([])
    trips, stays, ends = [], [], []
    prev_end, pos = -np.inf, car.home
    for e, t in zip(exc, utc):
        stops, dest = e[1], e[2]
        t = max(float(t), prev_end + 600.0)
        pla = np.concatenate([[pos[0]], stops[:, 0], [dest[0]]])
        plo = np.concatenate([[pos[1]], stops[:, 1], [dest[1]]])
        travel = travel_s(manhattan_m(pla[:-1], plo[:-1], pla[1:], plo[1:]))
        dur = np.empty(2 * len(stops) + 1)
        dur[0::2], dur[1::2] = travel, stops[:, 2]
        times = t + np.concatenate([[0.0], np.cumsum(dur)])
        trips.append(np.column_stack([pla[:-1], plo[:-1], pla[1:], plo[1:], times[0:-1:2], times[1::2]]))
        stays.append(np.column_stack([stops[:, 0], stops[:, 1], times[1:-1:2], times[2:-1:2], stops[:, 3]]))
        ends.append((t, times[-1], dest))
        prev_end, pos = times[-1], dest
    return (np.vstack(trips) if trips else np.empty((0, 6)),
            np.vstack(stays) if stays else np.empty((0, 5)), ends)


# ---------------------------------------------------------------------------------------------
# pings

def trip_pings(trips: np.ndarray, car_of: np.ndarray, rng):
    """Fixes along every trip: (car, t, lat, lon, speed m/s, trip number, fix number in trip)."""
    lat0, lon0, lat1, lon1, t0, t1 = trips.T
    c = np.cos(np.radians((lat0 + lat1) / 2))
    leg_a = np.abs(lat1 - lat0) * M_PER_DEG
    leg_b = np.abs(lon1 - lon0) * M_PER_DEG * c
    length = leg_a + leg_b
    keep = length >= 30
    T = np.maximum(t1 - t0, 1.0)
    n_int = np.where(keep, np.floor((T - 2.0) / DT), -1).astype(np.int64)  # interior fixes
    counts = np.where(keep, n_int + 2, 0)
    tid = np.repeat(np.arange(len(trips)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(len(tid)) - first
    last = k == counts[tid] - 1
    jitter = rng.uniform(-2, 2, len(tid))
    t = np.where(last, t1[tid], t0[tid] + k * DT + np.where(k == 0, 0, jitter))
    t = np.minimum(t, t1[tid])
    t = np.round(t)
    f = np.clip((t - t0[tid]) / T[tid], 0, 1)
    r = np.minimum(0.25, 30.0 / T)[tid]
    vmax_T = length[tid] / (1 - r)  # vmax * T
    s = np.where(f < r, vmax_T * f * f / (2 * r),
                 np.where(f > 1 - r, length[tid] - vmax_T * (1 - f) ** 2 / (2 * r), vmax_T * (f - r / 2)))
    s = np.clip(s, 0, length[tid])
    speed = np.where(f < r, f / r, np.where(f > 1 - r, (1 - f) / r, 1.0)) * vmax_T / T[tid]
    la0, lo0, la1, lo1 = lat0[tid], lon0[tid], lat1[tid], lon1[tid]
    # street order per trip: in Chicago the corner on the west side (never in the lake), elsewhere
    # either
    lat_first = np.where(la0 > 41, lo0 <= lo1, (tid * 2654435761 % 97) % 2 == 0)
    a, b = leg_a[tid], leg_b[tid]
    sa = np.where(lat_first, np.minimum(s, a), np.clip(s - b, 0, a))
    sb = np.where(lat_first, np.clip(s - a, 0, b), np.minimum(s, b))
    lat = la0 + np.sign(la1 - la0) * sa / M_PER_DEG
    lon = lo0 + np.sign(lo1 - lo0) * sb / (M_PER_DEG * c[tid])
    return {"car": car_of[tid], "t": t, "lat": lat, "lon": lon, "speed": speed, "trip": tid, "k": k}


def idle_pings(stays: np.ndarray, car_of: np.ndarray):
    lat, lon, arrive, depart, idle = stays.T
    n = np.where(idle > 0, np.floor((depart - arrive) / DT - 0.5), 0).clip(0).astype(np.int64)
    sid = np.repeat(np.arange(len(stays)), n)
    k = np.arange(len(sid)) - np.repeat(np.cumsum(n) - n, n) + 1
    return {"car": car_of[sid], "t": np.round(arrive[sid] + k * DT), "lat": lat[sid], "lon": lon[sid],
            "speed": np.zeros(len(sid)), "trip": np.full(len(sid), -1), "k": np.full(len(sid), -1)}


# ---------------------------------------------------------------------------------------------
# writing

def _ids(rng, cars, leading_zero_cars):
    """A: 15-digit IMEIs; B: 5-digit units, a few of them written with leading zeros."""
    a = rng.choice(10 ** 8, 2 * len(cars), replace=False)
    b = rng.choice(np.arange(10000, 100000), 2 * len(cars), replace=False)
    small = rng.choice(np.arange(100, 1000), 2 * len(cars), replace=False)
    out = {}
    for i, car in enumerate(cars):
        ids = {"A": f"3520940{a[i]:08d}", "B": f"{b[i]}"}
        if car.idx in leading_zero_cars:
            ids["B"] = f"{small[i]:05d}"
        out[car.idx] = ids
    return out


def write_merger_fleet(folder, vehicles: int = 120, days: int = 28, seed: int = 0) -> dict:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    start = window_start(days)
    dows = [(start + timedelta(days=d)).weekday() for d in range(days)]
    cars, fleet = build_cars(vehicles, days, seed)
    frng = np.random.default_rng([seed, 2])

    # faults on plain vehicles
    plain = [c for c in cars if not c.extra["paired"] and c.kind != "reassigned_pool"]
    chi_a = [c for c in plain if c.city == "CHI" and c.platform == "A"]
    want = 3 if vehicles >= 60 else 2
    local_utc = []
    for kind in ("line_crew", "office", "on_call", "line_crew", "office"):
        pool = [c for c in chi_a if c.kind == kind and c.idx not in local_utc]
        if pool and len(local_utc) < want:
            local_utc.append(pool[0].idx)
    frozen = [c.idx for c in plain if c.kind == "line_crew" and c.platform == "A"
              and c.idx not in local_utc][:1]
    zero = [c.idx for c in plain if c.kind == "courier" and c.platform == "B"][:1]
    lead = [c.idx for c in plain if c.platform == "B" and c.idx not in zero][:2]

    # plans and schedules
    trips, stays, t_car, s_car, ends = [], [], [], [], {}
    n_reassigned = 0
    for car in cars:
        if car.kind == "line_crew":
            exc = plan_line_crew(car, days, dows, set(fleet["storms"][car.city].tolist()))
        elif car.kind == "courier":
            exc = plan_courier(car, days, dows)
        elif car.kind == "office":
            exc = plan_office(car, days, dows)
        elif car.kind == "reassigned_pool":
            # a Mon-Thu, never an even split of the nights: the first reassigned car sleeps
            # mostly at the second driver's home, the next mostly at the first's, and so on
            weekdays = [d for d in range(days) if dows[d] < 4 and 0 < d < days - 1
                        and abs((d + 1) - (days - d - 1)) >= 2]
            late = n_reassigned % 2 == 1
            n_reassigned += 1
            target = days * (car.rng.uniform(0.6, 0.75) if late else car.rng.uniform(0.25, 0.4))
            handover = min(weekdays, key=lambda d: abs(d - target)) if weekdays else days // 2
            car.extra["handover"] = handover
            exc = plan_office(car, days, dows, handover=handover)
        else:
            exc = plan_on_call(car, days, dows)
        tr, st, en = schedule(car, exc, start)
        trips.append(tr)
        stays.append(st)
        t_car.append(np.full(len(tr), car.idx))
        s_car.append(np.full(len(st), car.idx))
        ends[car.idx] = en
    trips, stays = np.vstack(trips), np.vstack(stays)
    p1 = trip_pings(trips, np.concatenate(t_car), frng)
    p2 = idle_pings(stays, np.concatenate(s_car))
    pings = {k: np.concatenate([p1[k], p2[k]]) for k in p1}
    order = np.lexsort((pings["t"], pings["car"]))
    pings = {k: v[order] for k, v in pings.items()}
    dup = np.concatenate([[False], (np.diff(pings["t"]) == 0) & (np.diff(pings["car"]) == 0)])
    pings = {k: v[~dup] for k, v in pings.items()}
    pings["t"] = pings["t"].astype(np.int64)

    # devices: each car's first device, and a second one on the other platform for pairs
    ids = _ids(frng, cars, set(lead))
    install_day = max(1, days // 3)
    devices = []  # (id, platform, car idx, from utc, second?)
    for car in cars:
        devices.append((ids[car.idx][car.platform], car.platform, car.idx, -np.inf, False))
        if car.extra["paired"]:
            other = "B" if car.platform == "A" else "A"
            t_inst = local_to_utc([install_day * DAY], CITIES[car.city]["zone"], start)[0]
            devices.append((ids[car.idx][other], other, car.idx, t_inst, True))

    dev_rows = {p: [] for p in "AB"}
    for di, (_, plat, ci, t_from, _) in enumerate(devices):
        sel = (pings["car"] == ci) & (pings["t"] >= t_from)
        dev_rows[plat].append((di, np.nonzero(sel)[0]))

    def gather(plat):
        idx = np.concatenate([r for _, r in dev_rows[plat]]) if dev_rows[plat] else np.array([], int)
        dev = np.concatenate([np.full(len(r), di) for di, r in dev_rows[plat]]) if dev_rows[plat] \
            else np.array([], int)
        out = {k: v[idx] for k, v in pings.items()}
        out["dev"] = dev
        second = np.array([devices[d][4] for d in dev], bool)
        t = out["t"].astype(float) + np.where(second, frng.uniform(0, 2, len(dev)), 0.0)
        # antenna offset of a second box, then every device's own noise
        ant_b = frng.uniform(0, 2 * np.pi, len(devices))
        ant_r = np.where([d[4] for d in devices], frng.uniform(1, 3, len(devices)), 0.0)
        c = np.cos(np.radians(out["lat"]))
        noise = 3.5 if plat == "A" else 4.0
        dn = ant_r[dev] * np.cos(ant_b[dev]) + frng.normal(0, noise, len(dev))
        de = ant_r[dev] * np.sin(ant_b[dev]) + frng.normal(0, noise, len(dev))
        out["olat"] = out["lat"] + dn / M_PER_DEG
        out["olon"] = out["lon"] + de / (M_PER_DEG * c)
        out["tt"] = t
        return out

    # ---- platform A
    a = gather("A")
    n = len(a["dev"])
    hdop = np.round(0.6 + frng.gamma(2.0, 0.35, n), 1).clip(0.7, 4.0)
    sats = frng.integers(7, 15, n)
    bad = frng.random(n) < 0.03
    hdop = np.where(bad, np.round(frng.uniform(8.2, 30, n), 1), hdop)
    sats = np.where(bad, frng.integers(1, 5, n), sats)
    r, b = frng.uniform(50, 500, n), frng.uniform(0, 2 * np.pi, n)
    lat = a["olat"] + np.where(bad, r * np.cos(b) / M_PER_DEG, 0)
    lon = a["olon"] + np.where(bad, r * np.sin(b) / (M_PER_DEG * np.cos(np.radians(a["lat"]))), 0)
    speed = np.round(a["speed"] * 3.6 + np.where(a["speed"] > 0, frng.normal(0, 1.0, n), 0), 1).clip(0)
    gps_s = np.floor(a["tt"]).astype(np.int64)
    car_of_dev = np.array([d[2] for d in devices])
    dev_car = car_of_dev[a["dev"]] if n else np.array([], int)
    for ci in local_utc:
        m = (dev_car == ci) & ~np.array([devices[d][4] for d in a["dev"]], bool)
        gps_s[m] = utc_to_local_s(gps_s[m], CITIES[cars[ci].city]["zone"])
    late, lnge = np.round(lat * 1e7).astype(np.int64), np.round(lon * 1e7).astype(np.int64)
    frozen_spans = []
    for ci in frozen:
        workdays = [d for d in range(days) if dows[d] < 5]
        picked = sorted(cars[ci].rng.choice(workdays, min(3, len(workdays)), replace=False).tolist())
        zone = CITIES[cars[ci].city]["zone"]
        day_utc = local_to_utc([d * DAY for d in picked], zone, start)
        for d, t_day in zip(picked, day_utc):
            morning = [s for s, e, _ in ends[ci] if t_day + 4 * HOUR <= s < t_day + 9 * HOUR]
            if not morning:
                continue
            rows_car = np.nonzero((dev_car == ci) & (a["tt"] >= morning[0]))[0]
            rows_car = rows_car[np.argsort(a["tt"][rows_car], kind="stable")]
            if len(rows_car) < 3:
                continue
            i0 = rows_car[1]
            hours = float(cars[ci].rng.uniform(2, 5))
            tt = a["tt"][rows_car]
            span = rows_car[(tt > a["tt"][i0]) & (tt <= a["tt"][i0] + hours * HOUR)]
            for arr in (late, lnge, speed, hdop, sats):
                arr[span] = arr[i0]
            frozen_spans.append({"date": str(start + timedelta(days=d)), "hours": round(hours, 2),
                                 "fixes": int(len(span) + 1)})
    dev_names = np.array([d[0] for d in devices], dtype=object)
    rank = {name: i for i, name in enumerate(sorted(set(dev_names.tolist())))}
    dev_rank = np.array([rank[dev_names[d]] for d in a["dev"]]) if n else np.array([], int)
    dup = np.nonzero(frng.random(n) < 0.01)[0]
    take = np.concatenate([np.arange(n), dup])
    take = take[np.lexsort((np.arange(len(take)), dev_rank[take], gps_s[take]))]
    table = pa.table({
        "deviceId": pa.array(dev_names[a["dev"][take]].astype(str) if n else [], pa.string()),
        "gpsTime": pa.array(gps_s[take] * 1_000_000_000, pa.timestamp("ns", tz="UTC")),
        "latE7": pa.array(late[take], pa.int64()),
        "lngE7": pa.array(lnge[take], pa.int64()),
        "speedKph": pa.array(speed[take], pa.float64()),
        "hdop": pa.array(hdop[take], pa.float32()),
        "sats": pa.array(sats[take], pa.int8()),
    })
    pq.write_table(table, folder / "platform_a.parquet", compression="snappy")

    # ---- platform B
    bb = gather("B")
    n = len(bb["dev"])
    names = dev_names[bb["dev"]].astype(str) if n else np.array([], str)
    b_rank = np.array([rank[x] for x in names]) if n else np.array([], int)
    ms = np.round(bb["tt"] * 1000).astype(np.int64) + np.where(
        [devices[d][4] for d in bb["dev"]], 0, frng.integers(0, 1000, n))
    order = np.lexsort((ms, b_rank))
    blat, blon = bb["olat"][order], bb["olon"][order]
    tlat, tlon = bb["lat"][order], bb["lon"][order]
    bdev, ms = bb["dev"][order], ms[order]
    step = haversine_m(tlat[:-1], tlon[:-1], tlat[1:], tlon[1:])
    step = np.concatenate([[0.0], np.where(bdev[1:] == bdev[:-1], step, 0.0)])
    cum = np.cumsum(step)
    first = np.concatenate([[True], bdev[1:] != bdev[:-1]])
    cum -= np.maximum.accumulate(np.where(first, cum, 0.0))
    odo0 = frng.uniform(5000, 90000, len(devices))
    odo = np.round(odo0[bdev] + cum / 1609.344, 1)
    mph = np.round(bb["speed"][order] * 2.236936 + np.where(bb["speed"][order] > 0,
                                                            frng.normal(0, 0.6, n), 0), 1).clip(0)
    bcar = car_of_dev[bdev]
    for ci in zero:
        k = bb["k"][order]
        nz = frng.integers(1, 4, n)
        m = (bcar == ci) & (((k >= 0) & (k < nz)) | (frng.random(n) < 0.01))
        blat, blon = np.where(m, 0.0, blat), np.where(m, 0.0, blon)
    frame = pd.DataFrame({"time_ms": ms, "unit": dev_names[bdev].astype(str) if n else [],
                          "latitude": np.round(blat, 6), "longitude": np.round(blon, 6),
                          "mph": mph, "odometer_mi": odo})
    resend = np.sort(frng.choice(n, int(n * 0.01), replace=False)) if n else np.array([], int)
    frame = pd.concat([frame, frame.iloc[resend]], ignore_index=True)
    frame.to_csv(folder / "platform_b.csv", index=False, lineterminator="\n")

    # ---- vehicles.csv, labels.csv, truth.json
    vrows, truth, pairs = [], {}, []
    by_car = {}
    for dev, _, ci, _, _ in devices:
        by_car.setdefault(ci, []).append(dev)
    lead_ids = {ids[ci]["B"]: ids[ci]["B"].lstrip("0") for ci in lead}
    for dev, plat, ci, _, second in devices:
        car = cars[ci]
        vrows.append({"vehicle_id": dev, "platform": f"platform_{plat.lower()}",
                      "make": MAKES[car.kind][car.idx % len(MAKES[car.kind])],
                      "department": DEPARTMENTS[car.kind][car.idx % len(DEPARTMENTS[car.kind])],
                      "home_depot": car.base_name, "timezone": CITIES[car.city]["zone"]})
        t = {"home": [round(car.home[0], 6), round(car.home[1], 6)],
             "work": [round(car.work[0], 6), round(car.work[1], 6)] if car.work else None,
             "kind": car.kind, "city": CITIES[car.city]["name"], "platform": f"platform_{plat.lower()}",
             "timezone": CITIES[car.city]["zone"], "work_place": car.base_name if car.work else None,
             "faults": []}
        if len(by_car[ci]) == 2:
            t["same_car_as"] = [x for x in by_car[ci] if x != dev][0]
            t["reports_from"] = str(start + timedelta(days=install_day)) if second else str(start)
            if not second:
                pairs.append(by_car[ci])
        if ci in local_utc:
            t["faults"].append("local_as_utc")
        if ci in frozen:
            t["faults"].append("frozen_fix")
            t["frozen"] = frozen_spans
        if ci in zero and plat == "B":
            t["faults"].append("zero_fix")
        if dev in lead_ids:
            t["faults"].append("leading_zero_id")
            t["label_id"] = lead_ids[dev]
        if car.kind == "line_crew":
            t["storm_callouts"] = [str(start + timedelta(days=d)) for d in car.extra.get("callouts", [])]
        if car.kind == "reassigned_pool":
            h1, h2 = car.home, car.extra["home2"]
            zone = CITIES[car.city]["zone"]
            nights = [0, 0]
            for t2 in local_to_utc([d * DAY + 2 * HOUR for d in range(days)], zone, start):
                where = car.home
                for _, e, dest in ends[ci]:
                    if e <= t2:
                        where = dest
                nights[0 if where == h1 else 1] += 1
            second_home = nights[1] > nights[0]
            t["homes"] = [[round(h1[0], 6), round(h1[1], 6)], [round(h2[0], 6), round(h2[1], 6)]]
            t["reassigned_on"] = str(start + timedelta(days=car.extra["handover"]))
            t["nights"] = nights
            t["home_is"] = "second" if second_home else "first"
            t["home"] = t["homes"][1] if second_home else t["homes"][0]
        truth[dev] = t

    lrng = np.random.default_rng([seed, 3])
    labels, wrong = [], []
    for car in cars:
        dev = ids[car.idx][car.platform]
        must = car.idx in lead or car.kind == "reassigned_pool"
        if not must and lrng.random() >= 0.75:
            continue
        lid = lead_ids.get(dev, dev)

        def jit(p, m):
            return (round(p[0] + lrng.normal(0, m) / M_PER_DEG, 6),
                    round(p[1] + lrng.normal(0, m) / (M_PER_DEG * np.cos(np.radians(p[0]))), 6))
        home_l, work_l = jit(car.home, 15), jit(car.work, 20) if car.work else None
        reason = None
        if car.kind == "reassigned_pool":
            if truth[dev]["home_is"] == "second":
                wrong.append({"vehicle_id": lid, "label": "home", "lat": home_l[0], "lon": home_l[1],
                              "reason": "home of the first driver; the car sleeps at the second's"})
        elif lrng.random() < 0.05 or (car.kind == "on_call" and not any(
                w["reason"].startswith("substation") for w in wrong) and lrng.random() < 0.3):
            options = ["home_at_base", "swap"] if car.work else []
            if car.kind == "line_crew" and car.extra.get("sites"):
                options.append("work_at_site")
            if car.kind == "on_call":
                options = ["substation"]
            reason = options[int(lrng.integers(len(options)))] if options else None
        if reason == "home_at_base":
            home_l = jit(car.work, 20)
            wrong.append({"vehicle_id": lid, "label": "home", "lat": home_l[0], "lon": home_l[1],
                          "reason": f"home label placed at {car.base_name}"})
        elif reason == "swap":
            home_l, work_l = work_l, home_l
            for lab, p in (("home", home_l), ("work", work_l)):
                wrong.append({"vehicle_id": lid, "label": lab, "lat": p[0], "lon": p[1],
                              "reason": "home and work swapped"})
        elif reason == "work_at_site":
            work_l = jit(car.extra["sites"][0], 20)
            wrong.append({"vehicle_id": lid, "label": "work", "lat": work_l[0], "lon": work_l[1],
                          "reason": "work label placed at a one-day job site"})
        elif reason == "substation":
            s = car.extra["substations"][0]
            work_l = jit(s, 20)
            wrong.append({"vehicle_id": lid, "label": "work", "lat": work_l[0], "lon": work_l[1],
                          "reason": "substation labelled work; an on-call engineer has no work"})
        labels.append({"vehicle_id": lid, "label": "home", "lat": home_l[0], "lon": home_l[1]})
        if work_l:
            labels.append({"vehicle_id": lid, "label": "work", "lat": work_l[0], "lon": work_l[1]})
    pd.DataFrame(vrows).to_csv(folder / "vehicles.csv", index=False, lineterminator="\n")
    pd.DataFrame(labels, columns=["vehicle_id", "label", "lat", "lon"]).to_csv(
        folder / "labels.csv", index=False, lineterminator="\n")
    doc = {
        "vehicles": truth,
        "wrong_labels": wrong,
        "same_car_pairs": pairs,
        "window": {"start": str(start), "days": days, "dst_start": str(DST_DAY),
                   "zones": sorted({CITIES[c]["zone"] for c in CITIES})},
        "storm_nights": {CITIES[c]["name"]: [str(start + timedelta(days=int(d))) for d in v]
                         for c, v in fleet["storms"].items()},
        "faults": {"local_as_utc": [ids[c]["A"] for c in local_utc],
                   "frozen_fix": [ids[c]["A"] for c in frozen],
                   "zero_fix": [ids[c]["B"] for c in zero],
                   "leading_zero_id": lead_ids,
                   "hdop_share": 0.03, "duplicate_share": 0.01},
        "files": {"platform_a.parquet": int(table.num_rows), "platform_b.csv": int(len(frame))},
    }
    (folder / "truth.json").write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
    return doc


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=120)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    doc = write_merger_fleet(args.out, vehicles=args.vehicles, days=args.days, seed=args.seed)
    kinds = {}
    for t in doc["vehicles"].values():
        kinds[t["kind"]] = kinds.get(t["kind"], 0) + 1
    print(f"{args.out}: {len(doc['vehicles'])} ids {kinds}, rows {doc['files']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
