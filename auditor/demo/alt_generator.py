"""A second synthetic fleet, written from a different angle than auditor.demo.generator, so that
benchmarks never tune a constant to one generator's habits.

What differs on purpose:
- cities and zones: southern-hemisphere DST ending in April (Melbourne, Santiago, Auckland), a
  half-hour offset (Pune), no DST (Mexico City, Johannesburg); the window starts mid-week;
- timestamps are written as local wall time WITH its offset ("...T08:15:03+11:00"); the
  vehicles file has no time-zone column;
- sampling: each tracker has its own interval (3 s to 90 s), drops pings, and some send a
  heartbeat every 10-30 minutes while parked;
- parking: a car parks at one of a few kerb spots 15-120 m from home, in a lot 40-160 m from
  the employer's address;
- people: hybrid office weeks (3-5 office days), two jobs, weekend retail, 4-on-4-off 12 h
  shifts, rotating early/late/night weeks, night shifts, no job; overnight stays with family;
  long holidays (car idle at home, or away);
- labels come from another upstream process: geocoded addresses (the employer's building, not
  the car park), rows in no particular order, wrong ways of its own: a stale home address
  (sometimes kept as an extra row before the current one), work geocoded to the home address,
  work on a regular non-work place, a row shift that gave a vehicle another vehicle's labels,
  single swaps; optionally a whole depot whose home/work columns were swapped;
- the clock fault: gateway ``gw-2`` writes the UTC reading but appends the local offset.

``write_alt_fleet`` writes pings.csv, labels.csv, vehicles.csv and truth.json in the formats of
../shared/docs/cli.md (truth.json as the demo's, wrong labels also carry their lat/lon).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from auditor.progress import Progress, report

H = 3600.0
DAY = 86_400
R_EARTH = 6_371_000.0
START = "2026-03-25"  # a Wednesday; Santiago and Melbourne leave DST on April 5
FAULTY_GATEWAY = "gw-2"
DEPOTS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8")
MAKES = ("Kestrel", "Orca", "Tamarin", "Quokka")


@dataclass(frozen=True)
class AltCity:
    name: str
    zone: str
    lat: float
    lon: float
    radius_m: float


ALT_CITIES = (
    AltCity("Melbourne", "Australia/Melbourne", -37.8136, 144.9631, 22_000),
    AltCity("Santiago", "America/Santiago", -33.4489, -70.6693, 16_000),
    AltCity("Pune", "Asia/Kolkata", 18.5204, 73.8567, 12_000),
    AltCity("Auckland", "Pacific/Auckland", -36.8485, 174.7633, 14_000),
    AltCity("Mexico City", "America/Mexico_City", 19.4326, -99.1332, 18_000),
    AltCity("Johannesburg", "Africa/Johannesburg", -26.2041, 28.0473, 18_000),
)

# schedule kind -> share, and the truth group it reports (evaluate.GROUPS: day/night/none)
KINDS = {"office": 0.30, "two_jobs": 0.08, "weekend_retail": 0.08, "four_on_four_off": 0.08,
         "rotating": 0.08, "night": 0.08, "none": 0.30}
GROUP = {"office": "day", "two_jobs": "day", "weekend_retail": "day", "four_on_four_off": "day",
         "rotating": "night", "night": "night", "none": "none"}
WRONG_KINDS = ("stale_home", "stale_home_kept", "work_at_home", "regular_as_work", "row_shift",
               "swapped")


@dataclass
class Person:
    index: int
    vehicle_id: str
    city: AltCity
    kind: str
    depot: str
    gateway: str
    make: str
    labelled: bool
    home: np.ndarray = None                     # address, metres in the city grid
    work: Optional[np.ndarray] = None           # employer address
    job_b: Optional[np.ndarray] = None
    regulars: list = field(default_factory=list)
    regular_w: Optional[np.ndarray] = None
    family: Optional[np.ndarray] = None
    previous_home: Optional[np.ndarray] = None
    spots: dict = field(default_factory=dict)   # address key -> parking spots (k, 2)

    @property
    def faulty(self) -> bool:
        return self.gateway == FAULTY_GATEWAY


def _latlon(city: AltCity, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    xy = np.asarray(xy, dtype=float)
    lat = city.lat + np.degrees(xy[..., 1] / R_EARTH)
    lon = city.lon + np.degrees(xy[..., 0] / (R_EARTH * np.cos(np.radians(city.lat))))
    return lat, lon


def _around(rng, centre, r_min, r_max) -> np.ndarray:
    r, a = rng.uniform(r_min, r_max), rng.uniform(0, 2 * np.pi)
    return np.asarray(centre, dtype=float) + r * np.array([np.cos(a), np.sin(a)])


def _people(n: int, seed: int, labelled_share: float) -> list[Person]:
    rng = np.random.default_rng([seed, 901])
    kinds = rng.choice(list(KINDS), size=n, p=np.array(list(KINDS.values())) / sum(KINDS.values()))
    cities = rng.integers(0, len(ALT_CITIES), n)
    labelled = rng.random(n) < labelled_share
    gateways = np.where(rng.random(n) < 0.15, FAULTY_GATEWAY,
                        np.where(rng.random(n) < 0.5, "gw-1", "gw-3"))
    return [Person(i, f"ALT-{i:04d}", ALT_CITIES[cities[i]], str(kinds[i]),
                   DEPOTS[int(rng.integers(0, len(DEPOTS)))], str(gateways[i]),
                   MAKES[int(rng.integers(0, len(MAKES)))], bool(labelled[i]))
            for i in range(n)]


def _addresses(rng, p: Person) -> None:
    lim = p.city.radius_m
    p.home = _around(rng, (0, 0), 0, lim)
    if p.kind != "none":
        p.work = _around(rng, p.home, 1_500, float(np.clip(rng.lognormal(np.log(7_000), 0.6),
                                                           2_000, 28_000)))
    if p.kind == "two_jobs":
        p.job_b = _around(rng, p.home, 1_000, 9_000)
    p.regulars = [_around(rng, p.home, 500, 7_000) for _ in range(int(rng.integers(2, 6)))]
    p.regular_w = rng.dirichlet(np.full(len(p.regulars), 0.7))
    if rng.random() < 0.45:
        p.family = _around(rng, p.home, 3_000, 30_000)
    p.previous_home = _around(rng, p.home, 2_500, 12_000)
    # where the car actually stands: kerb spots near home, a lot near the employer
    p.spots = {"home": np.array([_around(rng, p.home, 15, 120)
                                 for _ in range(int(rng.integers(1, 4)))])}
    if p.work is not None:
        p.spots["work"] = _around(rng, p.work, 40, 160)[None, :]
    if p.job_b is not None:
        p.spots["job_b"] = _around(rng, p.job_b, 10, 80)[None, :]
    for k, xy in enumerate(p.regulars):
        p.spots[f"r{k}"] = _around(rng, xy, 0, 40)[None, :]
    if p.family is not None:
        p.spots["family"] = _around(rng, p.family, 5, 30)[None, :]


class _Day:
    """Stays of one person in local wall seconds: (spot xy, arrive, leave) with trips between
    consecutive stays; the car is 'at' the last stay until it leaves again."""

    def __init__(self, rng, p: Person, t0: float):
        self.rng, self.p = rng, p
        self.at = self.start = self._spot("home")
        self.free = t0
        self.stays: list[tuple[np.ndarray, float]] = []  # (spot, arrival) after each trip
        self.departs: list[float] = []

    def _spot(self, key) -> np.ndarray:
        if isinstance(key, np.ndarray):
            return key
        spots = self.p.spots[key]
        return spots[int(self.rng.integers(0, len(spots)))] + self.rng.normal(0, 4, 2)

    def go(self, key, when: float, stay_s: float = 0.0) -> float:
        dest = self._spot(key)
        d = float(np.hypot(*(dest - self.at)))
        if d < 60:                      # already there
            self.free = max(self.free, when + stay_s)
            return when
        depart = max(when, self.free + 300)
        speed = 8.5 if d < 3_000 else (12.5 if d < 15_000 else 19.0)
        arrive = depart + d * 1.3 / speed * float(np.clip(self.rng.lognormal(0, 0.15), 0.8, 1.8))
        self.departs.append(depart)
        self.stays.append((dest, arrive))
        self.at = dest
        self.free = arrive + stay_s
        return arrive

    def errand(self, when: float, minutes=(15, 70)) -> None:
        k = int(self.rng.choice(len(self.p.regulars), p=self.p.regular_w))
        self.go(f"r{k}", when, self.rng.uniform(*minutes) * 60)
        self.go("home", self.free)

    def outing(self, when: float) -> None:
        self.go(_around(self.rng, self.p.home, 1_000, 15_000), when,
                self.rng.uniform(1, 4) * H)
        self.go("home", self.free)


def _works(p: Person, day: int, weekday: int, office_days: set, phase: int) -> Optional[tuple]:
    """(key, start hour, hours) of today's shift, or None."""
    k = p.kind
    if k == "office" and weekday in office_days:
        return ("work", 8.3, 8.8)
    if k == "two_jobs":
        return ("work", 6.8, 5.5) if weekday < 5 else None
    if k == "weekend_retail" and weekday in (0, 3, 4, 5, 6):
        return ("work", 9.8, 8.5)
    if k == "four_on_four_off" and (day + phase) % 8 < 4:
        return ("work", 6.5, 12.0)
    if k == "rotating" and weekday < 5:
        week = ((day + phase) // 7) % 3
        return ("work", (6.0, 14.0, 22.0)[week], 8.0)
    if k == "night" and weekday in (6, 0, 1, 2, 3):
        return ("work", 22.0, 8.5)
    return None


def _itinerary(rng, p: Person, days: int, start_local: int):
    """Departure times (local s), destination spots and arrival times of every trip."""
    plan = _Day(rng, p, start_local)
    start_weekday = int((np.datetime64(START) - np.datetime64("1970-01-05")).astype(int) % 7)
    phase = int(rng.integers(0, 21))
    n_office = int(rng.integers(3, 6))
    jitter = rng.uniform(-0.5, 0.5)            # this person's habit around the shift start
    holiday = None
    if days >= 10 and rng.random() < 0.2:
        h0 = int(rng.integers(1, days - 5))
        holiday = (h0, h0 + int(rng.integers(5, min(11, days - h0) + 1)), rng.random() < 0.5)
    office_days: set = set()
    away_xy = None
    for day in range(days):
        d0 = start_local + day * DAY
        weekday = (start_weekday + day) % 7
        if weekday == 0 or day == 0:
            office_days = set(rng.permutation(5)[:n_office].tolist())
        r = rng.random(6)
        if holiday is not None and holiday[0] <= day < holiday[1]:
            if holiday[2]:                       # away: drive there, stay, drive back
                if day == holiday[0]:
                    away_xy = _around(rng, p.home, 80_000, 400_000)
                    plan.go(away_xy, d0 + rng.uniform(8, 11) * H)
                if day == holiday[1] - 1:
                    plan.go("home", d0 + rng.uniform(10, 15) * H)
            continue                              # idle at home otherwise
        shift = _works(p, day, weekday, office_days, phase)
        sick = r[0] < 0.04
        if shift is not None and not sick:
            key, start_h, hours = shift
            arrive = d0 + (start_h + jitter + rng.normal(0, 0.25)) * H
            travel = float(np.hypot(*(p.spots["work"][0] - p.home))) * 1.3 / 12.0
            plan.go(key, arrive - travel)
            leave = arrive + (hours + rng.normal(0, 0.3)) * H
            if p.kind == "office" and r[1] < 0.25:     # lunch out
                plan.errand(arrive + rng.uniform(3.5, 4.5) * H, (30, 60))
                plan.go("work", plan.free)
            plan.go("home", leave)
            if r[2] < 0.25 and start_h < 16:
                plan.errand(max(plan.free, d0 + 18.5 * H))
        elif weekday < 5:
            if r[1] < 0.7:
                plan.errand(d0 + rng.uniform(9, 12) * H)
            if r[2] < 0.3:
                plan.errand(d0 + rng.uniform(14, 17.5) * H)
        else:
            if r[1] < 0.6:
                plan.errand(d0 + rng.uniform(9, 12) * H)
            if r[2] < 0.4:
                plan.outing(d0 + rng.uniform(13, 16) * H)
        if p.job_b is not None and weekday in (1, 2, 3, 4, 5) and r[3] < 0.9:
            plan.go("job_b", max(plan.free, d0 + 17 * H), 4.2 * H)
            plan.go("home", plan.free)
        if p.family is not None and weekday == 5 and r[4] < 0.3:   # a night at the family's
            plan.go("family", max(plan.free, d0 + 18 * H))
            plan.go("home", d0 + DAY + rng.uniform(10, 14) * H)
    return plan


def _trip_pings(rng, a_xy, b_xy, depart, arrive, interval, drop):
    """Pings along a bent path from a to b; times irregular around ``interval``."""
    dur = max(arrive - depart, 30.0)
    n = max(2, int(dur / interval) + 1)
    steps = rng.uniform(0.4, 1.6, n - 1) * interval
    rel = np.r_[0.0, np.cumsum(steps)]
    rel = rel[rel < dur]
    rel = np.r_[rel, dur]
    f = rel / dur
    d = b_xy - a_xy
    normal = np.array([-d[1], d[0]]) * rng.uniform(-0.25, 0.25)
    ctrl = a_xy + 0.5 * d + normal
    xy = ((1 - f)[:, None] ** 2 * a_xy + 2 * ((1 - f) * f)[:, None] * ctrl
          + (f ** 2)[:, None] * b_xy)
    keep = rng.random(len(f)) >= drop
    keep[[0, -1]] = True
    return depart + rel[keep], xy[keep]


def _person_pings(rng, p: Person, plan: _Day, start_local: int, days: int):
    interval = float(rng.choice([3.0, 10.0, 30.0, 60.0, 90.0], p=[0.1, 0.3, 0.3, 0.2, 0.1]))
    drop = rng.uniform(0.0, 0.12)
    heartbeat = rng.random() < 0.35
    noise = rng.uniform(3, 14)
    t_parts, xy_parts = [], []
    prev_xy = plan.start
    prev_arrive = float(start_local)
    for depart, (dest, arrive) in zip(plan.departs, plan.stays):  # one step per trip
        if heartbeat and depart - prev_arrive > 1_800:
            beats = np.arange(prev_arrive + rng.uniform(600, 1_800), depart - 300,
                              rng.uniform(600, 1_800))
            t_parts.append(beats)
            xy_parts.append(prev_xy + rng.normal(0, 12, (len(beats), 2)))
        t, xy = _trip_pings(rng, prev_xy, dest, depart, arrive, interval, drop)
        t_parts.append(t)
        xy_parts.append(xy)
        prev_xy, prev_arrive = dest, arrive
    if not t_parts:
        return np.zeros(0), np.zeros((0, 2))
    t = np.concatenate(t_parts)
    xy = np.concatenate(xy_parts) + rng.normal(0, noise, (len(t), 2))
    end = start_local + days * DAY
    keep = t < end
    return np.round(t[keep]).astype(np.int64), xy[keep]


def _to_utc(zone: str, local_s: np.ndarray) -> np.ndarray:
    naive = pd.DatetimeIndex(local_s.astype("datetime64[s]"))
    aware = naive.tz_localize(zone, ambiguous=np.zeros(len(naive), dtype=bool),
                              nonexistent="shift_forward")
    return aware.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]") \
        .astype(np.int64)


def _stamps(utc: np.ndarray, zone: str, faulty: bool) -> pa.Array:
    """ISO local wall time with its offset; the faulty gateway writes the UTC reading with the
    local offset appended."""
    wall = (pd.DatetimeIndex(utc.astype("datetime64[s]")).tz_localize("UTC").tz_convert(zone)
            .tz_localize(None).to_numpy().astype("datetime64[s]").astype(np.int64))
    offset = wall - utc
    shown = utc if faulty else wall
    text = pa.array(np.datetime_as_string(shown.astype("datetime64[s]"), unit="s"))
    uniq, inv = np.unique(offset, return_inverse=True)
    names = [f"{'+' if o >= 0 else '-'}{abs(o) // 3600:02d}:{abs(o) % 3600 // 60:02d}"
             for o in uniq]
    return pc.binary_join_element_wise(text, pa.array(names).take(pa.array(inv)), "")


def _label_rows(rng, people: list[Person], wrong_share: float,
                swapped_depot: Optional[str]) -> tuple[list[tuple], list[dict]]:
    """(vehicle_id, label, lat, lon) rows in an upstream order, and the truth of wrong rows."""
    labelled = [p for p in people if p.labelled]
    swapped = {p.vehicle_id for p in labelled if p.depot == swapped_depot and p.work is not None}
    pool = [p for p in labelled if p.vehicle_id not in swapped]
    n_rows = sum(1 + (p.work is not None) for p in labelled)
    target = int(round(wrong_share * n_rows))
    plan: dict[str, str] = {}
    rows_wrong = 0
    order = [pool[i] for i in rng.permutation(len(pool))]
    k = 0
    while rows_wrong < target and k < 4 * len(order) + 10:
        kind = WRONG_KINDS[k % len(WRONG_KINDS)]
        k += 1
        needs_work = kind in ("work_at_home", "regular_as_work", "swapped")
        free = [p for p in order if p.vehicle_id not in plan and (p.work is not None or
                                                                  not needs_work)]
        if not free:
            continue
        plan[free[0].vehicle_id] = kind
        rows_wrong += 2 if kind in ("swapped", "row_shift") and free[0].work is not None else 1
    plan.update({v: "population_swap" for v in swapped})

    def geocode(xy):  # an address geocoder: 5-60 m off
        return _around(rng, xy, 5, 60)

    rows, wrong = [], []
    shift_src = {p.vehicle_id: labelled[(i + 1) % len(labelled)] for i, p in enumerate(labelled)}
    for p in labelled:
        kind = plan.get(p.vehicle_id)
        true = {"home": p.home}
        if p.work is not None:
            true["work"] = p.work
        out = []
        for label, xy in true.items():
            bad = False
            if kind in ("swapped", "population_swap"):
                xy, bad = true["work" if label == "home" else "home"], True
            elif kind == "row_shift":
                other = shift_src[p.vehicle_id]
                src = other.home if label == "home" or other.work is None else other.work
                # another vehicle of another city lands far away: re-express in this grid
                xy, bad = (src if other.city == p.city else _around(rng, p.home, 20_000,
                                                                     60_000)), True
            elif kind in ("stale_home", "stale_home_kept") and label == "home":
                if kind == "stale_home_kept":   # the old row first, the current one kept
                    out.append((label, geocode(p.previous_home), True, kind))
                    out.append((label, geocode(xy), False, None))
                    continue
                xy, bad = p.previous_home, True
            elif kind == "work_at_home" and label == "work":
                xy, bad = p.home, True
            elif kind == "regular_as_work" and label == "work":
                xy, bad = p.regulars[int(np.argmax(p.regular_w))], True
            out.append((label, geocode(xy), bad, kind if bad else None))
        for label, xy, bad, why in out:
            lat, lon = _latlon(p.city, xy)
            rows.append((p.vehicle_id, label, float(lat), float(lon)))
            if bad:
                wrong.append({"vehicle_id": p.vehicle_id, "label": label, "kind": why,
                              "lat": round(float(lat), 6), "lon": round(float(lon), 6)})
    order = rng.permutation(len(rows))        # the upstream export has its own order...
    # ...but keeps a vehicle's stale row before its current one (the duplicate is the later)
    rows = [rows[i] for i in order]
    seen: dict[tuple, int] = {}
    for i, r in enumerate(rows):
        key = (r[0], r[1])
        if key in seen:
            j = seen[key]
            stale = [w for w in wrong if w["vehicle_id"] == r[0] and w["kind"] ==
                     "stale_home_kept"]
            if stale and abs(rows[i][2] - stale[0]["lat"]) < 1e-6:
                rows[i], rows[j] = rows[j], rows[i]
        else:
            seen[key] = i
    return rows, wrong


def write_alt_fleet(out_dir, vehicles: int = 100, days: int = 21, seed: int = 0, *,
                    wrong_share: float = 0.06, swapped_depot: Optional[str] = None,
                    clock_fault: bool = True, labelled_share: float = 0.55,
                    progress: Optional[Progress] = None) -> dict:
    """Writes OUT_DIR/pings.csv, labels.csv, vehicles.csv, truth.json; returns their paths.
    ``swapped_depot`` (e.g. "D3"): every labelled vehicle of that depot has home and work
    swapped. ``clock_fault=False``: gateway gw-2 stamps correctly."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {n: out / f"{n}.{e}" for n, e in (("pings", "csv"), ("labels", "csv"),
                                              ("vehicles", "csv"), ("truth", "json"))}
    people = _people(vehicles, seed, labelled_share)
    start_local = int(np.datetime64(START, "s").astype(np.int64))
    opts = pacsv.WriteOptions(include_header=False, quoting_style="none")
    n_pings = 0
    truth_vehicles = {}
    tmp = paths["pings"].with_name("pings.csv.tmp")
    with open(tmp, "wb") as fh:
        fh.write(b"vehicle_id,timestamp,lat,lon\n")
        for p in people:                          # one vehicle at a time: flat memory
            rng = np.random.default_rng([seed, 902, p.index])
            _addresses(rng, p)
            plan = _itinerary(rng, p, days, start_local)
            local, xy = _person_pings(rng, p, plan, start_local, days)
            utc = _to_utc(p.city.zone, local)
            order = np.argsort(utc, kind="stable")
            utc, xy = utc[order], xy[order]
            lat, lon = _latlon(p.city, xy)
            table = pa.table({"vehicle_id": pa.array([p.vehicle_id] * len(utc)),
                              "timestamp": _stamps(utc, p.city.zone, p.faulty and clock_fault),
                              "lat": np.round(lat, 6), "lon": np.round(lon, 6)})
            pacsv.write_csv(table, fh, opts)
            n_pings += len(utc)
            hlat, hlon = _latlon(p.city, p.home)
            work = None if p.work is None else [round(float(v), 6) for v in _latlon(p.city, p.work)]
            truth_vehicles[p.vehicle_id] = {
                "home": [round(float(hlat), 6), round(float(hlon), 6)], "work": work,
                "schedule": GROUP[p.kind], "kind": p.kind, "faulty": p.faulty and clock_fault,
                "city": p.city.name, "timezone": p.city.zone, "labelled": p.labelled}
            report(progress, p.index + 1, vehicles, "simulating vehicles")
    os.replace(tmp, paths["pings"])
    rows, wrong = _label_rows(np.random.default_rng([seed, 903]), people, wrong_share,
                              swapped_depot)
    with open(paths["labels"], "w", encoding="utf-8", newline="\n") as fh:
        fh.write("vehicle_id,label,lat,lon\n")
        fh.writelines(f"{v},{lbl},{lat:.6f},{lon:.6f}\n" for v, lbl, lat, lon in rows)
    with open(paths["vehicles"], "w", encoding="utf-8", newline="\n") as fh:
        fh.write("vehicle_id,depot,gateway,make,city\n")
        fh.writelines(f"{p.vehicle_id},{p.depot},{p.gateway},{p.make},{p.city.name}\n"
                      for p in people)
    truth = {"vehicles": truth_vehicles, "wrong_labels": wrong,
             "fault": {"column": "gateway", "value": FAULTY_GATEWAY,
                       "description": "gateway gw-2 writes the UTC clock reading with the "
                                      "vehicle's local offset appended"
                                      + ("" if clock_fault else " (disabled in this run)")},
             "summary": {"generator": "alt", "vehicles": vehicles, "days": days, "seed": seed,
                         "pings": n_pings, "label_rows": len(rows), "wrong_labels": len(wrong),
                         "labelled_vehicles": sum(p.labelled for p in people),
                         "wrong_share": wrong_share, "swapped_depot": swapped_depot,
                         "clock_fault": clock_fault}}
    if swapped_depot is not None:
        truth["swapped_population"] = {"column": "depot", "value": swapped_depot}
    with open(paths["truth"], "w", encoding="utf-8", newline="\n") as fh:
        json.dump(truth, fh, indent=1)
        fh.write("\n")
    return paths
