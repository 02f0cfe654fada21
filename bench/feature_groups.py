"""Benchmark: what each feature group is worth on test vehicles, on demo fleets of several
shapes and seeds (issue 18; the essay's claim that the 02:00 feature carries the model).

For each fleet: ingest, infer, then the report's "what each feature group is worth" analysis
(auditor.analysis.group_worth) with the populations taken from the demo truth's schedule
(day / night shift / no work; faulty firmware apart). Prints test accuracy with every group
and its change without each (negative: the group helps), per fleet, then median and worst
case over the fleets.

    .venv/bin/python bench/feature_groups.py [--quick] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.analysis.group_worth import group_worth
from auditor.ingest.api import ingest_paths
from auditor.pipeline.api import infer_project
from auditor.pipeline.feature_groups import GROUPS
from auditor.store import open_project
from auditor.store.queries import read_run

SHAPES = [(150, 14), (240, 21), (100, 28), (200, 7)]
SEEDS = [21, 22]


def one_fleet(vehicles: int, days: int, seed: int, root: Path) -> dict:
    from auditor.demo.generator import write_demo
    demo = root / f"demo-{vehicles}-{days}-{seed}"
    write_demo(demo, vehicles=vehicles, days=days, seed=seed)
    truth = json.loads((demo / "truth.json").read_text())["vehicles"]
    project = root / f"p-{vehicles}-{days}-{seed}.db"
    for kind in ("vehicles", "pings", "labels"):
        ingest_paths(project, [demo / f"{kind}.csv"], kind=kind)
    summary = infer_project(project, seed=seed)
    groups = pd.Series({v: ("faulty firmware" if t.get("faulty") else
                            f"{t.get('schedule')} shift" if t.get("schedule") != "none"
                            else "no work") for v, t in truth.items()})
    conn = open_project(project, create=False, readonly=True)
    try:
        pred = pd.read_sql_query("SELECT * FROM predictions WHERE run_id = ?", conn,
                                 params=(summary["run_id"],))
        feats = pd.read_sql_query("SELECT * FROM place_features", conn)
        w = group_worth(pred, feats, pd.DataFrame({"vehicle_id": []}), groups,
                        read_run(conn, summary["run_id"]))
    finally:
        conn.close()
    rows = {"all": w["overall"]} | {p["value"]: p for p in w["populations"]
                                    if p["population"] == "schedule"}
    return {"fleet": f"{vehicles}x{days} seed {seed}", "run_test_accuracy":
            summary["test_accuracy"], "baseline_test_accuracy":
            summary["baseline_test_accuracy"], "rows": rows,
            "importance": w["importance"][:5]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    shapes = [(80, 14)] if args.quick else SHAPES
    seeds = SEEDS[:1] if args.quick else SEEDS
    results = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for vehicles, days in shapes:
            for seed in seeds:
                r = one_fleet(vehicles, days, seed, Path(tmp))
                results.append(r)
                a = r["rows"]["all"]
                print(f"{r['fleet']}: run {100 * r['run_test_accuracy']:.1f} (02:00 rule "
                      f"{100 * r['baseline_test_accuracy']:.1f}); model all groups "
                      f"{100 * a['all']:.1f} on {a['n']} test places; without: " +
                      "  ".join(f"{g} {100 * (a['without'][g] - a['all']):+.1f}"
                                for g in GROUPS), flush=True)
    print(f"\n{len(results)} fleets in {time.perf_counter() - started:.0f} s. Change of test "
          "accuracy without each group, points (negative: the group helps), median / worst "
          "(most negative), per truth population:")
    pops = sorted({k for r in results for k in r["rows"]}, key=lambda k: (k != "all", k))
    print(f"  {'population':<18} {'fleets':>6} {'n':>5} {'all':>6}  " +
          "  ".join(f"{'-' + g:>14}" for g in GROUPS))
    for pop in pops:
        rs = [r["rows"][pop] for r in results if pop in r["rows"] and r["rows"][pop]["n"]]
        if not rs:
            continue
        cells = []
        for g in GROUPS:
            d = [100 * (x["without"][g] - x["all"]) for x in rs]
            cells.append(f"{np.median(d):+6.1f} / {min(d):+5.1f}")
        print(f"  {pop:<18} {len(rs):>6} {sum(x['n'] for x in rs):>5} "
              f"{100 * np.median([x['all'] for x in rs]):>5.1f}%  " + "  ".join(
                  f"{c:>14}" for c in cells))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
