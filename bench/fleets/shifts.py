"""A fourth fleet generator, for benches only, written apart from the other three: working
lives of a city on a half-hour clock, Bengaluru (Asia/Kolkata, UTC+05:30, no DST), where the
pipeline has to find the zone from where cars park (the stamps are UTC, 'Z').

Kinds of vehicle:
- office: weekdays ~09:30-18:30, a Saturday morning now and then;
- rotating: a factory's three shifts (06-14, 14-22, 22-06), the shift changing every week,
  Sundays off;
- split: a restaurant's two shifts (10:30-15:00 and 18:00-23:00), home between, Mondays off;
- weekend: a shop job Friday to Sunday 09-21;
- fourfour: four 12-hour day shifts (07-19) on, four days off;
- twojobs: weekdays 09-17 at one place, Saturdays 10-18 at another (truth: the first);
- school: no work; a school run at 07:45 and 15:00 on weekdays (two short regular stops);
- taxi: no work; eight to ten hours a day of short stops all over town;
- retiree: no work; a temple every morning (06:30-07:30) and errands.
Everyone has a few favourite shops and runs 0-2 errands a day.

Three device kinds: "heartbeat" (60 s moving, every 10 min parked, 25 m noise), "ignition"
(20 s moving, nothing parked) and "dense" (10 s moving, every 5 min parked, 40 m noise and
0.5% glitches: (0, 0) or a jump of tens of km). A device is off for 12-40 hours on ~4% of
days. Files: pings.csv (vehicle_id, timestamp as ISO 'Z', lat, lon), labels.csv (a quarter
of vehicles unlabelled, label positions rounded to 4 decimals; ~8% of labelled vehicles wrong:
home and work swapped, or a work label at the temple, school or a shop), vehicles.csv
(vehicle_id, device), truth.json in the demo's layout ({"vehicles": {id: {"home", "work",
"kind", "device"}}, "wrong_labels": [...]}). Seeded: the same arguments write the same files.

    python bench/fleets/shifts.py OUT [--vehicles N] [--days D] [--seed S]
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

M = 111_320.0  # metres per degree of latitude
CENTRE = (12.97, 77.59)
OFFSET_S = 5 * 3600 + 1800  # Asia/Kolkata
START_UTC = 1_792_368_000  # 2026-10-19 00:00 on the local clock read as UTC, a Monday
KINDS = ("office", "office", "office", "rotating", "split", "weekend", "fourfour", "twojobs",
         "school", "taxi", "retiree")
WITH_WORK = ("office", "rotating", "split", "weekend", "fourfour", "twojobs")
DEVICES = ("heartbeat", "ignition", "dense")
SPEED = 7.0  # m/s through town


def _off(p, north_m, east_m):
    return (p[0] + north_m / M, p[1] + east_m / (M * math.cos(math.radians(p[0]))))


def _away(rng, p, lo_m, hi_m):
    r, a = rng.uniform(lo_m, hi_m), rng.uniform(0, 2 * math.pi)
    return _off(p, r * math.cos(a), r * math.sin(a))


def _dist(a, b):
    return math.hypot((a[0] - b[0]) * M, (a[1] - b[1]) * M * math.cos(math.radians(a[0])))


class _Life:
    """Stays of one vehicle as [place, arrive, leave] in local seconds since START; the last
    stay's leave is None until the next trip is planned."""

    def __init__(self, home):
        self.stays = [[home, -6 * 3600, None]]
        self.where = home
        self.home = home

    def busy_until(self) -> float:
        last = self.stays[-1]
        return last[2] if last[2] is not None else last[1] + 300

    def go(self, place, arrive: float, leave: float | None) -> None:
        """Drive to ``place`` to arrive at ``arrive`` (or as soon as the last stay ends) and
        stay until ``leave`` (None: open)."""
        travel = _dist(self.where, place) / SPEED + 120
        depart = max(arrive - travel, self.busy_until())
        self.stays[-1][2] = depart
        arrive = depart + travel
        self.stays.append([place, arrive, None if leave is None else max(leave, arrive + 300)])
        self.where = place


def _day(life: _Life, kind: str, d: int, p: dict, rng) -> None:
    day0 = d * 86400
    dow = d % 7  # START is a Monday

    def at(h, jitter_min=20):
        return day0 + h * 3600 + rng.normal(0, jitter_min * 60)

    home = p["home"]
    if life.where is not home:  # back from last night's shift
        life.go(home, 0, None)
    if kind == "office" and dow < 5:
        life.go(p["work"], at(9.5), at(18.5))
    elif kind == "office" and dow == 5 and rng.random() < 0.2:
        life.go(p["work"], at(10), at(14))
    elif kind == "rotating" and dow < 6:
        start = (6, 14, 22)[(d // 7) % 3]
        life.go(p["work"], at(start, 8), at(start + 8, 8))
    elif kind == "split" and dow != 0:
        life.go(p["work"], at(10.5, 10), at(15, 10))
        life.go(home, 0, at(17.4, 10))
        life.go(p["work"], at(18, 10), at(23, 10))
    elif kind == "weekend" and dow >= 4:
        life.go(p["work"], at(9), at(21))
    elif kind == "fourfour" and (d + p["phase"]) % 8 < 4:
        life.go(p["work"], at(7, 10), at(19, 10))
    elif kind == "twojobs" and dow < 5:
        life.go(p["work"], at(9), at(17))
    elif kind == "twojobs" and dow == 5:
        life.go(p["second"], at(10), at(18))
    elif kind == "school" and dow < 5:
        life.go(p["school"], at(7.75, 5), at(7.95, 5))
        life.go(home, 0, at(14.8, 10))
        life.go(p["school"], at(15, 5), at(15.25, 5))
    elif kind == "taxi" and rng.random() < 6 / 7:
        t = at(8, 60)
        for _ in range(rng.integers(20, 40)):
            spot = _away(rng, CENTRE, 0, 15_000)
            stay = rng.uniform(180, 900)
            life.go(spot, t, t + stay)
            t = life.busy_until() + rng.uniform(300, 1500)
    elif kind == "retiree":
        life.go(p["temple"], at(6.5, 10), at(7.5, 10))
    # errands, home in between, none after 21:30
    for _ in range(rng.integers(0, 3)):
        t = max(life.busy_until() + 1800, at(rng.uniform(11, 20), 30))
        if t > day0 + 21.5 * 3600:
            break
        if life.where is not home:
            life.go(home, 0, t)
        shop = p["shops"][rng.integers(len(p["shops"]))]
        life.go(shop, 0, None)
        life.stays[-1][2] = life.stays[-1][1] + rng.uniform(20, 90) * 60
    if life.where is not home and life.stays[-1][2] is not None \
            and life.stays[-1][2] < day0 + 86400:
        life.go(home, 0, None)


def _pings(rng, stays, device: str, end_s: float) -> np.ndarray:
    """(t_local, lat, lon) rows: drives between stays, heartbeats while parked."""
    move_dt = {"heartbeat": 60, "ignition": 20, "dense": 10}[device]
    park_dt = {"heartbeat": 600, "ignition": None, "dense": 300}[device]
    noise = {"heartbeat": 25, "ignition": 8, "dense": 40}[device]
    out = []
    for (a, arr, leave), (b, arr_b, _) in zip(stays, stays[1:] + [[None, end_s, None]]):
        leave = min(leave if leave is not None else end_s, end_s)
        if park_dt and leave > arr:
            t = np.arange(max(arr, 0), leave, park_dt)
            out.append(np.column_stack([t, np.full(len(t), a[0]), np.full(len(t), a[1])]))
        if b is None or arr_b > end_s:
            break
        t = np.arange(leave, arr_b, move_dt)
        f = (t - leave) / max(arr_b - leave, 1)
        wig = np.sin(f * math.pi) * rng.normal(0, 400)
        lat = a[0] + (b[0] - a[0]) * f + wig / M
        lon = a[1] + (b[1] - a[1]) * f - wig / (M * math.cos(math.radians(a[0])))
        out.append(np.column_stack([t, lat, lon]))
        out.append(np.array([[arr_b, b[0], b[1]]]))
    rows = np.vstack(out) if out else np.empty((0, 3))
    rows = rows[rows[:, 0] >= 0]
    n = len(rows)
    rows[:, 1] += rng.normal(0, noise, n) / M
    rows[:, 2] += rng.normal(0, noise, n) / (M * math.cos(math.radians(CENTRE[0])))
    if device == "dense":
        bad = rng.random(n) < 0.005
        zero = bad & (rng.random(n) < 0.3)
        rows[bad & ~zero, 1] += rng.uniform(-0.4, 0.4, int((bad & ~zero).sum()))
        rows[zero, 1:] = 0.0
    return rows


def write_shifts_fleet(out, vehicles: int = 80, days: int = 28, seed: int = 0) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 4])
    shops_town = [_away(rng, CENTRE, 0, 14_000) for _ in range(60)]
    schools = [_away(rng, CENTRE, 0, 12_000) for _ in range(12)]
    temples = [_away(rng, CENTRE, 0, 12_000) for _ in range(10)]
    sites = [_away(rng, CENTRE, 0, 16_000) for _ in range(25)]  # shared workplaces
    frames, labels, meta, truth, wrong = [], [], [], {}, []
    for i in range(vehicles):
        vid = f"KA{i:04d}"
        kind = KINDS[rng.integers(len(KINDS))]
        device = DEVICES[rng.integers(len(DEVICES))]
        home = _away(rng, CENTRE, 500, 18_000)
        p = {"home": home, "phase": int(rng.integers(8)),
             "shops": [shops_town[j] for j in rng.choice(len(shops_town), 4, replace=False)],
             "school": min(schools, key=lambda s: _dist(s, home)),
             "temple": temples[rng.integers(len(temples))]}
        if kind in WITH_WORK:
            site = sites[rng.integers(len(sites))]
            # a parking spot of its own at the shared site (a lot, not one point)
            p["work"] = _away(rng, site, 0, 80) if rng.random() < 0.9 else _away(rng, home, 300, 500)
        if kind == "twojobs":
            p["second"] = sites[rng.integers(len(sites))]
        life = _Life(home)
        for d in range(days):
            _day(life, kind, d, p, rng)
        rows = _pings(rng, life.stays, device, days * 86400)
        # device outages
        keep = np.ones(len(rows), bool)
        for d in np.flatnonzero(rng.random(days) < 0.04):
            a = d * 86400 + rng.uniform(0, 86400)
            keep &= ~((rows[:, 0] >= a) & (rows[:, 0] < a + rng.uniform(12, 40) * 3600))
        rows = rows[keep]
        frames.append(pd.DataFrame({"vehicle_id": vid,
                                    "t": (START_UTC + rows[:, 0] - OFFSET_S).round().astype(np.int64),
                                    "lat": rows[:, 1].round(6), "lon": rows[:, 2].round(6)}))
        meta.append({"vehicle_id": vid, "device": device})
        truth[vid] = {"home": list(home), "work": list(p["work"]) if "work" in p else None,
                      "kind": kind, "device": device}
        if rng.random() < 0.25:
            continue
        given = {"home": home, "work": p.get("work")}
        if rng.random() < 0.08:
            if "work" in p and rng.random() < 0.5:
                given = {"home": p["work"], "work": home}
                wrong += [{"vehicle_id": vid, "label": "home"}, {"vehicle_id": vid, "label": "work"}]
            else:
                given["work"] = {"school": p["school"], "retiree": p["temple"]}.get(kind,
                                                                                  p["shops"][0])
                wrong.append({"vehicle_id": vid, "label": "work"})
        for label, pos in given.items():
            if pos is not None:
                near = _away(rng, pos, 0, 30)
                labels.append({"vehicle_id": vid, "label": label, "lat": round(near[0], 4),
                               "lon": round(near[1], 4)})
    pings = pd.concat(frames, ignore_index=True).sort_values(["t", "vehicle_id"], kind="stable")
    stamps = pd.to_datetime(pings["t"], unit="s", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    pd.DataFrame({"vehicle_id": pings["vehicle_id"], "timestamp": stamps, "lat": pings["lat"],
                  "lon": pings["lon"]}).to_csv(out / "pings.csv", index=False)
    pd.DataFrame(labels, columns=["vehicle_id", "label", "lat", "lon"]).to_csv(
        out / "labels.csv", index=False)
    pd.DataFrame(meta).to_csv(out / "vehicles.csv", index=False)
    (out / "truth.json").write_text(json.dumps({"vehicles": truth, "wrong_labels": wrong},
                                               indent=1, sort_keys=True))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--vehicles", type=int, default=80)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    write_shifts_fleet(a.out, a.vehicles, a.days, a.seed)


if __name__ == "__main__":
    main()
