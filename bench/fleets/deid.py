"""A fifth fleet generator, for benches only, written apart from the other four: a
de-identified export bought from a data broker, Stockholm (Europe/Stockholm, DST ends on
25 October inside the window; at 59.3° N a degree of longitude is only ~57 km).

What the broker did to protect the drivers, per vehicle:
- truncated (40%): the first and last R metres of every trip are cut (R 120-300 m per
  vehicle), with any fix sent while parked — the car is never seen at a door;
- rounded (25%): positions rounded to 3 decimals (~111 m north-south, ~57 m east-west) and
  stamps cut to the whole minute (two fixes of one minute then share a stamp);
- plain: as sent.

Kinds of vehicle:
- commuter: weekdays ~08:00-16:30 in an underground garage (no fix from inside: the last
  is on the ramp, the first ~1 minute after leaving it);
- hybrid: the same office Tuesday to Thursday only;
- cleaner: weekday nights 22:00-06:00 at an office block, asleep at home until ~15:00;
- student: campus on ~4 weekdays a week at irregular hours (truth work: the campus);
- trucker: leaves the depot on Monday at ~05:00, sleeps at truck stops 150-450 km away
  Monday to Thursday, back at the depot Friday afternoon (truth work: the depot);
- carer: no work; two hours at a parent's every evening;
- retiree: no work; errands and a weekly club.
Everyone shops; routes run along the street grid (one axis, then the other), so a place is
approached from whichever side the last stop lay.

Devices: "ignition" (30 s moving, nothing parked), "tracker" (10 s moving, every 20 min
parked, 12 m noise), "cheap" (45 s moving, every 60 min parked, 30 m noise). Faults: a fix
frozen for 20-60 min while driving on ~2% of days, a re-sent hour of rows on ~3% of days,
rows written in upload order (each vehicle's batches shuffled), the device off for a day on
~3% of days. Files: pings.csv (device_id, time: epoch seconds UTC, latitude, longitude),
labels.csv (device_id, label, lat, lon; a fifth of vehicles unlabelled, ~8% of labelled
vehicles wrong: swapped, or work at a shop or the parent's), vehicles.csv (device_id,
privacy, device), truth.json ({"vehicles": {id: {"home", "work", "kind", "device",
"privacy"}}, "wrong_labels": [...]}). Seeded: the same arguments write the same files.

    python bench/fleets/deid.py OUT [--vehicles N] [--days D] [--seed S]
"""
from __future__ import annotations

import argparse
import json
import math
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

M = 111_320.0
CENTRE = (59.33, 18.07)
ZONE = ZoneInfo("Europe/Stockholm")
START = datetime(2026, 10, 12, tzinfo=ZONE)  # a Monday; DST ends on the 25th
KINDS = ("commuter", "commuter", "commuter", "hybrid", "cleaner", "student", "trucker",
         "carer", "retiree")
WITH_WORK = ("commuter", "hybrid", "cleaner", "student", "trucker")
DEVICES = {"ignition": (30, None, 6), "tracker": (10, 1200, 12), "cheap": (45, 3600, 30)}
PRIVACY = ("truncated", "truncated", "rounded", "plain", "truncated", "rounded", "plain",
           "plain")
COS = math.cos(math.radians(CENTRE[0]))


def _off(p, north_m, east_m):
    return (p[0] + north_m / M, p[1] + east_m / (M * COS))


def _around(rng, p, lo_m, hi_m):
    r, a = rng.uniform(lo_m, hi_m), rng.uniform(0, 2 * math.pi)
    return _off(p, r * math.cos(a), r * math.sin(a))


def _metres(a, b):
    return math.hypot((b[0] - a[0]) * M, (b[1] - a[1]) * M * COS)


class _Day:
    """One vehicle's plan as stays [place, arrive, leave] on the local clock."""

    def __init__(self, home):
        self.stays = [[home, -8 * 3600.0, None]]
        self.home = home

    @property
    def where(self):
        return self.stays[-1][0]

    def free_at(self) -> float:
        last = self.stays[-1]
        return last[2] if last[2] is not None else last[1] + 600

    def go(self, place, arrive: float, leave: float | None, speed: float = 11.0) -> None:
        trip = (_metres(self.where, place) * 1.3) / speed + 180
        depart = max(arrive - trip, self.free_at())
        self.stays[-1][2] = depart
        self.stays.append([place, depart + trip, leave])
        if leave is not None:
            self.stays[-1][2] = max(leave, depart + trip + 300)


def _plan(kind: str, p: dict, days: int, rng) -> list:
    life = _Day(p["home"])
    for d in range(days):
        day0 = d * 86400.0
        dow = d % 7

        def at(h, sd_min=15, day0=day0):
            return day0 + h * 3600 + rng.normal(0, sd_min * 60)

        if kind == "trucker":
            if dow == 0:
                life.go(p["depot"], at(5), at(6))
            if dow < 4:
                stop = p["truckstops"][rng.integers(len(p["truckstops"]))]
                life.go(stop, at(18, 60), None, speed=22.0)
                continue  # the night at the stop; tomorrow starts from there
            if dow == 4:
                life.go(p["depot"], at(14, 60), at(15.5), speed=22.0)
        elif kind in ("commuter", "hybrid") and (dow < 5 if kind == "commuter" else 1 <= dow <= 3):
            if rng.random() < 0.95:
                life.go(p["work"], at(8), at(16.5))
        elif kind == "cleaner" and dow < 5:
            if life.where is not p["home"]:
                life.go(p["home"], at(6.4), None)
            life.go(p["work"], at(22, 10), at(30, 10))
            continue
        elif kind == "cleaner" and dow == 5 and life.where is not p["home"]:
            life.go(p["home"], at(6.4), None)
        elif kind == "student" and dow < 5 and rng.random() < 0.8:
            start = rng.uniform(8, 12.5)
            life.go(p["work"], at(start, 5), at(start + rng.uniform(3, 7), 5))
        elif kind == "carer":
            life.go(p["parent"], at(18), at(20))
        elif kind == "retiree" and dow == 2:
            life.go(p["club"], at(10), at(12.5))
        if kind == "trucker" and dow < 5 and life.where is not p["home"] and dow != 4:
            continue
        # errands from home, in the afternoon or early evening
        for _ in range(rng.integers(0, 3)):
            t = max(life.free_at() + 1200, at(rng.uniform(10, 20), 30))
            if t > day0 + 21 * 3600:
                break
            if life.where is not p["home"]:
                life.go(p["home"], 0, t - 1200)
            shop = p["shops"][rng.integers(len(p["shops"]))]
            life.go(shop, t, t + rng.uniform(15, 75) * 60)
        if life.where is not p["home"] and (kind != "cleaner" or dow >= 5):
            life.go(p["home"], 0, None)
    return life.stays


def _route(a, b, t0: float, t1: float, dt: int, rng) -> np.ndarray:
    """(t_local, lat, lon) along the street grid from a to b: north-south first or
    east-west first, by where b lies (a grid street, not a straight line)."""
    corner = (b[0], a[1]) if (int(a[0] * 1e4) + int(b[1] * 1e4)) % 2 else (a[0], b[1])
    legs = [_metres(a, corner), _metres(corner, b)]
    total = max(sum(legs), 1.0)
    t = np.arange(t0, t1, dt, dtype=float) - t0
    span = max(t1 - t0, 1.0)
    # a steady speed, reached in the first minute and shed in the last (parking, a gate)
    ramp = min(60.0, span / 4)
    top = total / (span - ramp)
    s = np.where(t < ramp, top * t ** 2 / (2 * ramp),
                 np.where(t > span - ramp, total - top * (span - t) ** 2 / (2 * ramp),
                          top * (t - ramp / 2)))
    t = t + t0
    first = s <= legs[0]
    g1 = np.where(first, s / max(legs[0], 1e-9), 1.0)
    g2 = np.where(first, 0.0, (s - legs[0]) / max(legs[1], 1e-9))
    lat = a[0] + (corner[0] - a[0]) * g1 + (b[0] - corner[0]) * g2
    lon = a[1] + (corner[1] - a[1]) * g1 + (b[1] - corner[1]) * g2
    return np.column_stack([t, lat, lon, s, total - s])


def _pings(stays, device: str, garage, days: int, rng) -> np.ndarray:
    """Columns t_local, lat, lon, from_start_m, to_end_m (the last two: metres from the
    trip's start and to its end; inf for fixes while parked)."""
    move, park, noise = DEVICES[device]
    end = days * 86400.0
    out = []
    for (a, arrive, leave), (b, arrive_b, _) in zip(stays, stays[1:] + [[None, end, None]]):
        leave = end if leave is None else min(leave, end)
        if park and leave > max(arrive, 0) and a is not garage:
            t = np.arange(max(arrive, 0), leave, park, dtype=float)
            out.append(np.column_stack([t, np.full(len(t), a[0]), np.full(len(t), a[1]),
                                        np.full(len(t), np.inf), np.full(len(t), np.inf)]))
        if b is None or arrive_b > end:
            break
        drive = _route(a, b, leave, arrive_b, move, rng)
        if a is garage:  # no fix until ~a minute out of the garage
            drive = drive[drive[:, 0] > leave + rng.uniform(40, 90)]
        if b is garage:  # the last fix on the ramp
            drive = drive[drive[:, 0] < arrive_b - rng.uniform(5, 20)]
        out.append(drive)
    rows = np.vstack(out)
    rows = rows[rows[:, 0] >= 0]
    rows[:, 1] += rng.normal(0, noise, len(rows)) / M
    rows[:, 2] += rng.normal(0, noise, len(rows)) / (M * COS)
    return rows


def _faults(rows: np.ndarray, days: int, rng) -> np.ndarray:
    """Frozen fixes while driving, devices off for a day, re-sent hours."""
    t = rows[:, 0]
    moving = np.isfinite(rows[:, 3])
    for d in range(days):
        day = (t >= d * 86400) & (t < (d + 1) * 86400)
        if rng.random() < 0.03:  # off all day
            rows = rows[~day]
            t, moving = rows[:, 0], np.isfinite(rows[:, 3])
            continue
        if rng.random() < 0.02 and (day & moving).any():
            i = np.flatnonzero(day & moving)[0]
            frozen = (t >= t[i]) & (t < t[i] + rng.uniform(20, 60) * 60) & moving
            rows[frozen, 1:3] = rows[i, 1:3]
    resent = []
    for d in range(days):
        if rng.random() < 0.03:
            h = d * 86400 + rng.uniform(7, 20) * 3600
            resent.append(rows[(t >= h) & (t < h + 3600)])
    return np.vstack([rows] + resent) if resent else rows


def write_deid_fleet(out, vehicles: int = 80, days: int = 28, seed: int = 0) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 5])
    offices = [_around(rng, CENTRE, 0, 4_000) for _ in range(20)]  # the city centre's garages
    campuses = [_around(rng, CENTRE, 2_000, 9_000) for _ in range(3)]
    depots = [_around(rng, CENTRE, 8_000, 20_000) for _ in range(4)]
    stops = [_around(rng, CENTRE, 150_000, 450_000) for _ in range(12)]
    shops = [_around(rng, CENTRE, 0, 16_000) for _ in range(50)]
    clubs = [_around(rng, CENTRE, 0, 10_000) for _ in range(6)]
    frames, labels, meta, truth, wrong = [], [], [], {}, []
    for i in range(vehicles):
        vid = f"se-{i:05d}"
        kind = KINDS[rng.integers(len(KINDS))]
        device = list(DEVICES)[rng.integers(len(DEVICES))]
        privacy = PRIVACY[rng.integers(len(PRIVACY))]
        home = _around(rng, CENTRE, 1_500, 22_000)
        p = {"home": home, "shops": [shops[j] for j in rng.choice(len(shops), 5, replace=False)],
             "depot": depots[rng.integers(len(depots))],
             "truckstops": [stops[j] for j in rng.choice(len(stops), 4, replace=False)],
             "parent": _around(rng, home, 1_000, 8_000), "club": clubs[rng.integers(len(clubs))]}
        garage = None
        if kind in ("commuter", "hybrid", "cleaner"):
            p["work"] = offices[rng.integers(len(offices))]
            garage = p["work"] if kind != "cleaner" else None
        elif kind == "student":
            p["work"] = _around(rng, campuses[rng.integers(len(campuses))], 0, 150)
        elif kind == "trucker":
            p["work"] = p["depot"]
        stays = _plan(kind, p, days, rng)
        rows = _pings(stays, device, garage, days, rng)
        if privacy == "truncated":
            cut = rng.uniform(120, 300)
            rows = rows[np.isfinite(rows[:, 3]) & (rows[:, 3] > cut) & (rows[:, 4] > cut)]
        rows = _faults(rows, days, rng)
        utc = _utc(rows[:, 0])
        lat, lon = rows[:, 1], rows[:, 2]
        if privacy == "rounded":
            utc, lat, lon = np.floor(utc / 60) * 60, np.round(lat, 3), np.round(lon, 3)
        frame = pd.DataFrame({"device_id": vid, "time": utc.astype(np.int64),
                              "latitude": np.round(lat, 6), "longitude": np.round(lon, 6)})
        # written in upload batches (an hour each), not in time order
        batch = frame["time"] // 3600
        order = rng.permutation(batch.unique())
        rank = pd.Series(np.arange(len(order)), index=order)
        frames.append(frame.iloc[np.lexsort([frame["time"], batch.map(rank).to_numpy()])])
        meta.append({"device_id": vid, "privacy": privacy, "device": device})
        truth[vid] = {"home": list(home), "work": list(p["work"]) if kind in WITH_WORK else None,
                      "kind": kind, "device": device, "privacy": privacy}
        if rng.random() < 0.2:
            continue
        given = {"home": home}
        if kind in WITH_WORK:
            given["work"] = p["work"]
        if rng.random() < 0.08:
            if "work" in given and rng.random() < 0.5:
                given = {"home": given["work"], "work": given["home"]}
                wrong.append({"vehicle_id": vid, "what": "swapped"})
            else:
                given["work"] = p["parent"] if kind == "carer" else p["shops"][0]
                wrong.append({"vehicle_id": vid, "what": "work at a place of errands"})
        for label, (la, lo) in given.items():
            digits = 3 if privacy == "rounded" else 5
            labels.append({"device_id": vid, "label": label, "lat": round(la, digits),
                           "lon": round(lo, digits)})
    pd.concat(frames, ignore_index=True).to_csv(out / "pings.csv", index=False)
    pd.DataFrame(labels).to_csv(out / "labels.csv", index=False)
    pd.DataFrame(meta).to_csv(out / "vehicles.csv", index=False)
    (out / "truth.json").write_text(json.dumps({"vehicles": truth, "wrong_labels": wrong}))
    return out


def _utc(local_s: np.ndarray) -> np.ndarray:
    """Local seconds since START (the wall clock) -> epoch seconds, localised by pandas (the
    hour DST repeats is read as its first pass; the hour it skips does not occur in October)."""
    wall = pd.Timestamp(START.replace(tzinfo=None)) + pd.to_timedelta(local_s, unit="s")
    return (pd.DatetimeIndex(wall).tz_localize(ZONE, ambiguous=np.ones(len(wall), bool),
                                               nonexistent="shift_forward")
            .as_unit("ns").asi8 / 1e9)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=80)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    print(write_deid_fleet(a.out, a.vehicles, a.days, a.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
