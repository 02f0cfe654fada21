"""Benchmark: how inference holds up when devices report less often (quality, not speed).

Real trackers report every 1 s to every few minutes while driving. Each fleet (both generators)
is written at its own rate, then thinned the way a slower device would report: per vehicle, a
ping is kept only when at least INTERVAL seconds have passed since the last kept one (parked
heartbeats thin alike). Every version is imported and inferred (auto labeller, seed 0), and
printed: stops and places found, test accuracy (given labels on test vehicles) and home within
150 m of the generator's truth over every vehicle; then the median and worst of each metric per
interval across fleets.

    .venv/bin/python bench/sampling.py [--keep DIR] [--intervals 0,30,60,120,300] [FLEET ...]
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


def one(spec: str, interval: float, keep: Path) -> dict:
    name, folder, truth = fleet_folder(spec, keep)
    pings = folder / f"pings-{int(interval)}.csv"
    if not pings.exists():
        thinned(pd.read_csv(folder / "pings.csv", dtype=str), interval) \
            .to_csv(pings, index=False)
    project = keep / f"{name}-{int(interval)}.db"
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
                r = one(spec, interval, keep)
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
