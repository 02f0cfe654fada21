"""Benchmark: how each run's labeller is chosen, against forcing each one, over fleet shapes.

For every fleet (both generators, tiny to 200 vehicles, with and without a swapped population)
the same project is inferred four times: the automatic choice (auditor.pipeline.labeller) and
the model, the stacked model and the 02:00 baseline forced. Printed per fleet: test accuracy
(given labels on test vehicles, the number the app trusts) and home within 150 m of the
generator's truth over every vehicle, for each; then how often the automatic choice is better,
equal or worse than the 02:00 rule and than the model alone (median and worst differences).

    .venv/bin/python bench/labeller_choice.py [--keep DIR] [--only NAME ...] [FLEET ...]
    FLEET = generator:vehicles:days:seed[:swapped_population], e.g. alt:80:14:3:D2
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.geo import haversine_m  # noqa: E402
from auditor.ingest.api import ingest_paths  # noqa: E402
from auditor.pipeline.api import infer_project  # noqa: E402
from auditor.store.connection import copy_project  # noqa: E402

LABELLERS = ("auto", "model", "stacked", "baseline")
FLEETS = (  # session 25's 39 fleets
    "demo:8:4:1 demo:8:4:2 demo:8:4:3 demo:8:4:4 demo:8:4:5 demo:9:7:0 demo:9:7:1 demo:9:7:2 "
    "demo:10:7:6 demo:12:7:1 demo:15:5:7 demo:20:7:2 demo:25:10:9 demo:30:7:3 demo:40:7:7 "
    "demo:60:5:11 demo:60:10:5 demo:60:14:8 demo:100:14:9 demo:150:7:12 demo:200:28:7 "
    "alt:10:7:5 alt:12:14:6 alt:14:7:0 alt:14:7:1 alt:15:5:7 alt:15:7:1 alt:20:7:2 "
    "alt:25:7:8:D1 alt:30:7:3 alt:30:7:4 alt:30:14:4:D1 alt:40:7:10:D2 alt:40:14:8 alt:50:14:9 "
    "alt:60:7:11 alt:60:10:6 alt:80:14:3:D2 alt:120:14:6:D3").split()


def build(spec: str, keep: Path) -> tuple[str, Path, dict]:
    gen, v, d, seed, *swap = spec.split(":")
    swap = swap[0] if swap else None
    name = f"{gen}-{v}x{d}-s{seed}" + (f"-{swap}" if swap else "")
    folder, project = keep / name, keep / f"{name}.db"
    if not (folder / "truth.json").exists():
        if gen == "alt":
            from auditor.demo.alt_generator import write_alt_fleet
            write_alt_fleet(folder, vehicles=int(v), days=int(d), seed=int(seed),
                            swapped_depot=swap)
        else:
            from auditor.demo.generator import write_demo
            write_demo(folder, vehicles=int(v), days=int(d), seed=int(seed))
    if not project.exists():
        ingest_paths(project, [folder / "vehicles.csv", folder / "pings.csv",
                               folder / "labels.csv"])
    return name, project, json.loads((folder / "truth.json").read_text())["vehicles"]


def truth_homes(project: Path, run_id: int, truth: dict) -> float:
    conn = sqlite3.connect(project)
    try:
        rows = conn.execute(
            "SELECT pl.vehicle_id, pl.lat, pl.lon FROM predictions pr JOIN places pl "
            "ON pl.place_id = pr.place_id WHERE pr.run_id = ? AND pr.predicted_label = 'home'",
            (run_id,)).fetchall()
        pinged = {v for (v,) in conn.execute("SELECT DISTINCT vehicle_id FROM pings")}
    finally:
        conn.close()
    # over every vehicle with pings and a true home: one whose home was not found (no place
    # at all) is a miss, not left out
    wanted = {v for v in pinged if truth.get(v, {}).get("home")}
    good = sum(haversine_m(lat, lon, *truth[v]["home"]) <= 150 for v, lat, lon in rows
               if v in wanted)
    return 100 * float(good / len(wanted)) if wanted else float("nan")


def one_fleet(spec: str, keep: Path) -> dict:
    name, project, truth = build(spec, keep)
    row = {"fleet": name}
    for labeller in LABELLERS:
        p = keep / f"{name}-{labeller}.db"
        p.unlink(missing_ok=True)
        copy_project(project, p)
        s = infer_project(p, seed=0, config={"labeller": labeller})
        row[labeller] = {"labeller": s["labeller"], "test": 100 * (s["test_accuracy"] or 0),
                         "truth_home": truth_homes(p, s["run_id"], truth)}
        p.unlink()
    return row


def compare(rows: list[dict], metric: str, other: str) -> str:
    diff = [r["auto"][metric] - r[other][metric] for r in rows]
    better, worse = sum(x > 1e-9 for x in diff), sum(x < -1e-9 for x in diff)
    return (f"auto vs {other:8s} on {metric:10s}: better on {better}, equal on "
            f"{len(diff) - better - worse}, worse on {worse}; median {statistics.median(diff):+.1f}"
            f", worst {min(diff):+.1f} points")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fleets", nargs="*", default=list(FLEETS))
    ap.add_argument("--keep", help="folder for fleets and projects (reused when present)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        keep = Path(args.keep or tmp)
        keep.mkdir(parents=True, exist_ok=True)
        rows = []
        print(f"{'fleet':22s} chosen    test: auto  model stacked  base   truth home: auto  base")
        for spec in args.fleets:
            r = one_fleet(spec, keep)
            rows.append(r)
            print(f"{r['fleet']:22s} {r['auto']['labeller']:9s} "
                  + " ".join(f"{r[k]['test']:6.1f}" for k in LABELLERS)
                  + f"   {r['auto']['truth_home']:6.1f} {r['baseline']['truth_home']:6.1f}",
                  flush=True)
    for metric in ("test", "truth_home"):
        for other in ("baseline", "model"):
            print(compare(rows, metric, other))
    return 0


if __name__ == "__main__":
    sys.exit(main())
