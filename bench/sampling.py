"""Benchmark: how inference holds up when devices report less often (quality, not speed).

Real trackers report every 1 s to every few minutes while driving. Each fleet (both generators)
is written at its own rate, then thinned the way a slower device would report: per vehicle, a
ping is kept only when at least INTERVAL seconds have passed since the last kept one (parked
heartbeats thin alike). Every version is imported and inferred (auto labeller, seed 0), and
printed: stops and places found, test accuracy (given labels on test vehicles) and home within
150 m of the generator's truth over every vehicle; then the median and worst of each metric per
interval across fleets.

--always-on: the same devices also report while parked (at the same interval, 30 s for 0),
with a parked receiver's jitter and multipath outliers — a logger that never sleeps, which no
generator writes: parked cars are never silent, so a stop is where the car stood still.

    .venv/bin/python bench/sampling.py [--keep DIR] [--intervals 0,30,60,120,300]
        [--always-on] [FLEET ...]
    FLEET = generator:vehicles:days:seed, e.g. alt:60:14:3  (interval 0 = as generated)
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.ingest.api import ingest_paths  # noqa: E402
from auditor.pipeline.api import infer_project  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from labeller_choice import truth_homes  # noqa: E402

FLEETS = ("demo:60:14:1 demo:60:14:2 demo:100:10:5 alt:60:14:3 alt:60:14:4 "
          "alt:100:10:6").split()
INTERVALS = (0, 30, 60, 120, 300)
ALWAYS_ON_RATE = 30  # --always-on at interval 0: the parked logger's own rate


def thinned(pings: pd.DataFrame, interval: float) -> pd.DataFrame:
    """Keep a ping when ``interval`` s have passed since the vehicle's last kept ping."""
    if interval <= 0:
        return pings
    ts = pd.to_datetime(pings["timestamp"], format="ISO8601", utc=True) \
        .dt.as_unit("s").astype("int64").to_numpy()
    keep = np.zeros(len(pings), bool)
    for idx in pings.groupby("vehicle_id", sort=False).indices.values():
        idx = idx[np.argsort(ts[idx], kind="stable")]
        last = None
        for j in idx:  # a bench helper: a loop per ping is fine here
            if last is None or ts[j] - last >= interval:
                keep[j], last = True, ts[j]
    return pings[keep]


PARKED_JITTER_M, OUTLIER_SHARE, OUTLIER_M = 5.0, 0.01, (30.0, 120.0)
PARKED_MOVE_M = 200.0  # a silence across which the vehicle moved farther was a drive (dead zone)


def always_on(pings: pd.DataFrame, rate: float, seed: int = 0) -> pd.DataFrame:
    """The same fleet from a logger that never sleeps: every silence longer than ``rate`` s
    across which the vehicle stayed within PARKED_MOVE_M is filled with fixes every ``rate`` s
    at the spot it arrived at, with a parked receiver's jitter (PARKED_JITTER_M, 1 sigma) and
    now and then a multipath outlier (OUTLIER_SHARE of fixes, OUTLIER_M off)."""
    rng = np.random.default_rng(seed)
    ts = pd.to_datetime(pings["timestamp"], format="ISO8601", utc=True) \
        .dt.as_unit("s").astype("int64").to_numpy()
    order = np.lexsort((ts, pings["vehicle_id"].to_numpy()))
    p, ts = pings.iloc[order].reset_index(drop=True), ts[order]
    lat, lon = p["lat"].astype(float).to_numpy(), p["lon"].astype(float).to_numpy()
    vid = p["vehicle_id"].to_numpy()
    same = vid[1:] == vid[:-1]
    dt = ts[1:] - ts[:-1]
    m_per_deg = 111_320.0
    moved = np.hypot((lat[1:] - lat[:-1]) * m_per_deg,
                     (lon[1:] - lon[:-1]) * m_per_deg * np.cos(np.radians(lat[:-1])))
    gaps = np.flatnonzero(same & (dt > rate) & (moved <= PARKED_MOVE_M))
    k = (dt[gaps] - 1) // int(rate)  # fixes strictly inside the silence
    at = np.repeat(gaps, k)
    step = np.concatenate([np.arange(1, n + 1) for n in k]) if len(k) else np.zeros(0, int)
    n = len(at)
    jitter = rng.normal(0.0, PARKED_JITTER_M, (n, 2))
    out = rng.random(n) < OUTLIER_SHARE
    angle = rng.uniform(0, 2 * np.pi, out.sum())
    r = rng.uniform(*OUTLIER_M, out.sum())
    jitter[out] = np.c_[r * np.cos(angle), r * np.sin(angle)]
    flat = lat[at] + jitter[:, 0] / m_per_deg
    flon = lon[at] + jitter[:, 1] / (m_per_deg * np.cos(np.radians(lat[at])))
    stamps = pd.to_datetime(ts[at] + step * int(rate), unit="s", utc=True) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    fill = pd.DataFrame({"vehicle_id": vid[at], "timestamp": stamps,
                         "lat": np.round(flat, 6).astype(str), "lon": np.round(flon, 6).astype(str)})
    return pd.concat([p, fill], ignore_index=True)


def fleet_folder(spec: str, keep: Path) -> tuple[str, Path, dict]:
    gen, v, d, seed = spec.split(":")
    name = f"{gen}-{v}x{d}-s{seed}"
    folder = keep / name
    if not (folder / "truth.json").exists():
        if gen == "alt":
            from auditor.demo.alt_generator import write_alt_fleet
            write_alt_fleet(folder, vehicles=int(v), days=int(d), seed=int(seed))
        else:
            from auditor.demo.generator import write_demo
            write_demo(folder, vehicles=int(v), days=int(d), seed=int(seed))
    return name, folder, json.loads((folder / "truth.json").read_text())["vehicles"]


def one(spec: str, interval: float, keep: Path, parked: bool = False) -> dict:
    name, folder, truth = fleet_folder(spec, keep)
    tag = f"{int(interval)}" + ("-on" if parked else "")
    pings = folder / f"pings-{tag}.csv"
    if not pings.exists():
        frame = pd.read_csv(folder / "pings.csv", dtype=str)
        if parked:  # filled at the generator's own rate, where the car stands, then thinned
            frame = always_on(frame, interval or ALWAYS_ON_RATE)
        thinned(frame, interval).to_csv(pings, index=False)
    project = keep / f"{name}-{tag}.db"
    project.unlink(missing_ok=True)
    ingest_paths(project, [folder / "vehicles.csv", pings, folder / "labels.csv"])
    s = infer_project(project, seed=0)
    conn = sqlite3.connect(project)
    n_pings = conn.execute("SELECT COUNT(*) FROM pings").fetchone()[0]
    conn.close()
    row = {"fleet": name, "interval": interval, "pings": n_pings, "stops": s["stops"],
           "places": s["places"], "test": 100 * (s["test_accuracy"] or 0),
           "home": truth_homes(project, s["run_id"], truth)}
    project.unlink()
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fleets", nargs="*", default=list(FLEETS))
    ap.add_argument("--keep", help="folder for fleets (reused when present)")
    ap.add_argument("--intervals", default=",".join(map(str, INTERVALS)))
    ap.add_argument("--always-on", action="store_true",
                    help="devices that keep reporting while parked, at the same interval "
                         f"({ALWAYS_ON_RATE} s for interval 0), with jitter and outliers")
    args = ap.parse_args()
    intervals = [float(x) for x in args.intervals.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        keep = Path(args.keep or tmp)
        keep.mkdir(parents=True, exist_ok=True)
        rows = []
        print(f"{'fleet':18s} {'every':>6s} {'pings':>8s} {'stops':>6s} {'places':>6s} "
              f"{'test %':>7s} {'home %':>7s}")
        for spec in args.fleets:
            for interval in intervals:
                r = one(spec, interval, keep, args.always_on)
                rows.append(r)
                print(f"{r['fleet']:18s} {int(interval):5d}s {r['pings']:8,d} {r['stops']:6d} "
                      f"{r['places']:6d} {r['test']:7.1f} {r['home']:7.1f}", flush=True)
    print("\nper interval over fleets (median / worst):")
    for interval in intervals:
        sel = [r for r in rows if r["interval"] == interval]
        t, h = [r["test"] for r in sel], [r["home"] for r in sel]
        print(f"  every {int(interval):3d} s: test {statistics.median(t):5.1f} / {min(t):5.1f}   "
              f"home within 150 m {statistics.median(h):5.1f} / {min(h):5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
