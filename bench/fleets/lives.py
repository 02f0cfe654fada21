"""A third fleet generator, for benches only, written apart from auditor.demo's two: lives
they do not have, in the southern hemisphere.

Sydney (DST ends inside a March-April window), vehicles of eight kinds:
- commuter: weekdays at work ~08:00-17:00;
- retiree, homeoffice: no work; errands to a few shops, mostly daytime;
- delivery: depot at 06:30, 12-25 drops across town until mid-afternoon, depot, home;
- weekender: a commuter who spends Friday night to Sunday at a cabin ~90 km away;
- vacation: a commuter with one week at a hotel ~250 km away;
- nurse: 12-hour shifts on three random days a week, half of them on nights (19:00-07:00).

Two device kinds: ignition-only every 30 s, or every 5 s moving plus a heartbeat every 15 min
while parked (20 m noise). Files: pings.parquet (device_id, ts in epoch ms, lat, lng — names
the import knows by alias), labels.csv (device_id, label, lat, lon; a quarter of vehicles
unlabelled, a share of labels wrong: swapped, a neighbour's address 500 m off, or another
vehicle's work), truth.json ({"vehicles": {id: {"home", "work", "kind", "device"}},
"wrong_labels": [...]}, the demo's layout). Seeded: the same arguments write the same files.

    python bench/fleets/lives.py OUT [--vehicles N] [--days D] [--seed S] [--wrong-share F]
"""
from __future__ import annotations

import argparse
import json
import math
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

M = 111_320.0  # metres per degree of latitude
ZONE = ZoneInfo("Australia/Sydney")
CENTRE = (-33.87, 151.21)
START = datetime(2026, 3, 16, tzinfo=ZONE)  # DST ends on 5 April
KINDS = ("commuter", "retiree", "delivery", "weekender", "commuter", "nurse", "homeoffice",
         "vacation")
WITH_WORK = ("commuter", "delivery", "weekender", "nurse", "vacation")


def _off(p, north_m, east_m):
    return (p[0] + north_m / M, p[1] + east_m / (M * math.cos(math.radians(p[0]))))


def _dist(a, b):
    return math.hypot((b[0] - a[0]) * M, (b[1] - a[1]) * M * math.cos(math.radians(a[0])))


def _drive(rng, a, b, t0: int, step: int):
    """Pings of one drive from a to b: along one axis then the other, 9-28 m/s, 4 m noise."""
    mid = (b[0], a[1]) if rng.random() < .5 else (a[0], b[1])
    ts, la, lo, t = [], [], [], t0
    for p, q in ((a, mid), (mid, b)):
        d = _dist(p, q)
        n = max(2, int(d / rng.uniform(9, 28 if d > 20_000 else 16) / step))
        f = np.linspace(0, 1, n)
        tt = t + np.arange(n) * step
        ts.append(tt)
        la.append(p[0] + f * (q[0] - p[0]))
        lo.append(p[1] + f * (q[1] - p[1]))
        t = int(tt[-1]) + step
    ts, la, lo = np.concatenate(ts), np.concatenate(la), np.concatenate(lo)
    la = la + rng.normal(0, 4, len(la)) / M
    lo = lo + rng.normal(0, 4, len(lo)) / (M * math.cos(math.radians(a[0])))
    return ts, la, lo, int(ts[-1])


class _Vehicle:
    """One vehicle's drives and parked spells, built day by day."""

    def __init__(self, rng, home, step: int):
        self.rng, self.pos, self.step = rng, home, step
        self.t_end = int(START.timestamp())
        self.tracks, self.parked = [], []

    def go(self, dest, t0: int) -> None:
        t0 = max(t0, self.t_end + int(self.rng.integers(120, 600)))
        target = _off(dest, *self.rng.normal(0, 10, 2))
        ts, la, lo, t1 = _drive(self.rng, self.pos, target, t0, self.step)
        self.tracks.append((ts, la, lo))
        self.parked.append((self.t_end, t0, self.pos))
        self.pos, self.t_end = target, t1


def _plan_day(v: _Vehicle, kind: str, d: int, places: dict, rng) -> None:
    day = START + timedelta(days=d)
    wd = day.weekday()

    def at(h):
        return int((day + timedelta(hours=float(h))).timestamp())
    home, work = places["home"], places["work"]
    if kind == "vacation" and places["vacation"] <= d < places["vacation"] + 7:
        first = d == places["vacation"]
        if first:
            v.go(places["hotel"], at(rng.normal(8, 1)))
        elif d == places["vacation"] + 6:
            v.go(home, at(rng.normal(15, 1)))
        else:
            v.go(_off(places["hotel"], *rng.normal(0, 3000, 2)), at(rng.normal(10, 1)))
            v.go(places["hotel"], at(rng.normal(17, 1)))
        return
    if kind in ("commuter", "vacation", "weekender") and wd < 5:
        h0 = rng.normal(7.9, .5)
        v.go(work, at(h0))
        v.go(home, at(h0 + rng.normal(8.7, .6)))
        if kind == "weekender" and wd == 4:
            v.go(places["cabin"], at(rng.normal(18.5, .5)))
    elif kind == "weekender" and wd == 6:
        v.go(home, at(rng.normal(16, 1)))
    elif kind == "delivery" and wd < 6:
        v.go(work, at(rng.normal(6.5, .2)))
        h = rng.normal(7.3, .2)
        for _ in range(rng.integers(12, 26)):
            if h > 15.5:
                break
            v.go(_off(work, *rng.normal(0, 8000, 2)), at(h))
            h += rng.uniform(.15, .35)
        v.go(work, at(h))
        v.go(home, at(h + rng.uniform(.3, .8)))
    elif kind == "nurse" and rng.random() < 3 / 7:
        h0 = 18.5 if places["nights"] else 6.5
        v.go(work, at(rng.normal(h0, .2)))
        v.go(home, at(h0 + 12.5 + rng.normal(0, .3)))
    if kind in ("retiree", "homeoffice") or wd >= 5:
        for _ in range(rng.integers(0, 3 if kind in ("retiree", "homeoffice") else 2)):
            shops = places["shops"]
            errand = shops[rng.integers(len(shops))] if rng.random() < .7 else \
                _off(home, *rng.normal(0, 8000, 2))
            h = rng.normal(11, 2)
            v.go(errand, at(h))
            v.go(home, at(h + rng.uniform(.5, 2.5)))


def write_lives_fleet(out, vehicles: int = 80, days: int = 28, seed: int = 0,
                      wrong_share: float = 0.1) -> dict:
    """Write the fleet's files into ``out``; returns counts."""
    rng = np.random.default_rng(seed)
    frames, labels, truth, works = [], [], {}, []
    for i in range(vehicles):
        kind = KINDS[i % len(KINDS)]
        vid = f"dev-{i:03d}-{int(rng.integers(10**5, 10**6))}"
        home = _off(CENTRE, *rng.normal(0, 12_000, 2))
        work = _off(CENTRE, *rng.normal(0, 6000, 2)) if kind in WITH_WORK else None
        works.append(work)
        device = "B" if rng.random() < .4 else "A"
        places = {"home": home, "work": work, "cabin": _off(home, *rng.normal(0, 90_000, 2)),
                  "hotel": _off(home, *rng.normal(0, 250_000, 2)),
                  "vacation": int(rng.integers(3, max(4, days - 9))),
                  "shops": [_off(home, *rng.normal(0, 2500, 2)) for _ in range(4)],
                  "nights": bool(rng.random() < .5)}
        v = _Vehicle(rng, home, 5 if device == "B" else 30)
        for d in range(days):
            _plan_day(v, kind, d, places, rng)
        v.parked.append((v.t_end, int((START + timedelta(days=days)).timestamp()), v.pos))
        for ts, la, lo in v.tracks:
            frames.append(pd.DataFrame({"device_id": vid, "t": ts, "lat": la, "lng": lo}))
        if device == "B":  # a heartbeat while parked
            for t0, t1, p in v.parked:
                beat = np.arange(t0 + 900, t1, 900)
                if len(beat):
                    frames.append(pd.DataFrame({
                        "device_id": vid, "t": beat,
                        "lat": p[0] + rng.normal(0, 20, len(beat)) / M,
                        "lng": p[1] + rng.normal(0, 20, len(beat)) / (M * .83)}))
        truth[vid] = {"home": list(home), "work": list(work) if work else None, "kind": kind,
                      "device": device, "schedule": "night" if kind == "nurse" and
                      places["nights"] else "day" if work else "none"}
        if rng.random() < .75:
            for label in ("home", "work"):
                p = truth[vid][label]
                if p is not None:
                    p = _off(p, *rng.normal(0, 15, 2))
                    labels.append({"device_id": vid, "label": label, "lat": round(p[0], 6),
                                   "lon": round(p[1], 6)})
    lab = pd.DataFrame(labels)
    wrong = []
    for j in rng.choice(len(lab), int(len(lab) * wrong_share), replace=False):
        row = lab.loc[j]
        how = ("swap", "neighbour", "join")[j % 3]
        if how == "swap":
            lab.loc[j, "label"] = "work" if row.label == "home" else "home"
            wrong.append({"vehicle_id": row.device_id, "label": lab.loc[j, "label"],
                          "how": how})
            continue
        p = _off((row.lat, row.lon), *rng.normal(0, 500, 2)) if how == "neighbour" else \
            works[rng.integers(len(works))]
        if p is None:
            continue
        lab.loc[j, ["lat", "lon"]] = [round(p[0], 6), round(p[1], 6)]
        wrong.append({"vehicle_id": row.device_id, "label": row.label, "how": how})
    pings = pd.concat(frames).sort_values(["device_id", "t"], kind="stable")
    pings["ts"] = pings["t"].astype("int64") * 1000
    pings["lat"], pings["lng"] = pings["lat"].round(6), pings["lng"].round(6)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pings[["device_id", "ts", "lat", "lng"]].to_parquet(out / "pings.parquet", index=False)
    lab.to_csv(out / "labels.csv", index=False)
    (out / "truth.json").write_text(json.dumps({"vehicles": truth, "wrong_labels": wrong}))
    return {"pings": len(pings), "labels": len(lab), "wrong": len(wrong)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=80)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wrong-share", type=float, default=0.1)
    a = ap.parse_args()
    print(write_lives_fleet(a.out, a.vehicles, a.days, a.seed, a.wrong_share))


if __name__ == "__main__":
    main()
