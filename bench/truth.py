"""Benchmark: predicted homes and works against the generators' truth, over fleet shapes of
seven independent generators (auditor.demo.generator, auditor.demo.alt_generator,
bench/fleets/lives.py: night-shift nurses, delivery vans, weekend cabins, vacations,
retirees; bench/fleets/shifts.py: rotating, split and 4-on-4-off shifts, school runs, taxis,
on a half-hour clock; bench/fleets/deid.py: a broker's de-identified export, trip ends cut,
positions and minutes rounded, garages, truckers, night cleaners; bench/fleets/trades.py:
trades vans at a yard then a moving job site, rideshare and airport lots, farms, two homes,
alternating nurse shifts around Denver, naive local stamps across DST, UTC firmware;
bench/fleets/gulf.py: Riyadh, a Sunday-Thursday week, Ramadan nights then Eid, hired
drivers, delivery riders, alternating plant shifts, a compound of neighbours; outback.py,
channel.py, merger.py, pacific.py, tokyo.py, saopaulo.py, haulage.py, arctic.py, nairobi.py,
steppe.py, pearl.py, andes.py, persia.py, vistula.py, anatolia.py: see their docstrings).

Per fleet, inferred through the app's own path (ingest_paths, infer_project, seed 0):
- home: share of vehicles with a true home whose predicted home lies within 150 m of it;
- work: share of vehicles with a true work whose predicted work lies within 250 m of it;
- false work: share of vehicles with no work that were given one;
- test: the run's test accuracy (given labels on test vehicles, the number the app trusts).
Then the median and the worst over fleets, and the misses by kind of life (a generator's
'kind' or 'schedule'), so a population the model gets wrong shows by name.

    .venv/bin/python bench/truth.py [--keep DIR] [FLEET ...]
    FLEET = generator:vehicles:days:seed, generator demo | alt | or one of BENCH_GENERATORS
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.geo import haversine_m  # noqa: E402
from auditor.ingest.api import ingest_paths  # noqa: E402
from auditor.pipeline.api import infer_project  # noqa: E402

HOME_M, WORK_M = 150, 250
FLEETS = ("demo:200:28:7 demo:60:14:8 alt:120:14:6 alt:200:21:3 alt:60:10:6 alt:30:7:4 "
          "lives:80:28:0 lives:80:28:1 lives:80:28:2 lives:80:28:3 shifts:80:28:0 shifts:60:28:9 "
          "deid:80:28:0 deid:60:21:1").split()


# the generators under bench/fleets/, each module NAME writing with write_NAME_fleet
BENCH_GENERATORS = ("lives", "shifts", "deid", "trades", "gulf", "outback", "channel", "merger",
                    "pacific", "tokyo", "saopaulo", "haulage", "arctic", "nairobi",
                    "steppe", "pearl", "andes", "persia", "anatolia", "vistula", "siam", "levant",
                    "hellas")
# files whose headers no exporter's name for a field matches: the --map a user would pass
# (the import's error names it)
COLUMN_MAPS = {"merger": {"platform_b.csv": {"vehicle_id": "unit"}},
               "haulage": {"eld_location_history.csv": {"vehicle_id": "Unit"}}}


# files whose coordinates are in another datum than WGS-84, as the generator's spec sheet
# says: imported with --datum, as a user reading it would
FILE_DATUMS = {"pearl": {"dwd_nev_position_di.parquet": "gcj02", "ebike_tracker_tracks.csv": "bd09",
                         "labels.csv": "gcj02"}}
# files a generator writes that are no export the import reads, with why: their vehicles are
# left out of the scores (only vehicles with pings are scored)
NOT_EXPORTS = {"andes": ("MX_juarez_gv300_crudo_",)}  # raw Queclink device messages: the
# import names the format and asks for the receiving platform's export


def writer(gen: str):
    """The function that writes a fleet of generator ``gen`` (FLEET's first field)."""
    if gen == "alt":
        from auditor.demo.alt_generator import write_alt_fleet
        return write_alt_fleet
    if gen in BENCH_GENERATORS:
        import importlib
        sys.path.insert(0, str(Path(__file__).resolve().parent / "fleets"))
        return getattr(importlib.import_module(gen), f"write_{gen}_fleet")
    if gen != "demo":  # (a name this bench does not know ran the demo's generator silently)
        raise SystemExit(f"unknown generator {gen!r}: demo, alt or one of "
                         f"{', '.join(BENCH_GENERATORS)}")
    from auditor.demo.generator import write_demo
    return write_demo


def build(spec: str, keep: Path) -> tuple[str, Path, dict]:
    gen, v, d, seed = spec.split(":")
    name = f"{gen}-{v}x{d}-s{seed}"
    folder, project = keep / name, keep / f"{name}.db"
    if not (folder / "truth.json").exists():
        writer(gen)(folder, vehicles=int(v), days=int(d), seed=int(seed))
    truth = json.loads((folder / "truth.json").read_text())
    if not project.exists():
        skip = NOT_EXPORTS.get(gen, ())
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != "truth.json"
                       and p.suffix != ".gpx" and not p.name.startswith(skip))
        files += sorted(folder.glob("*.gpx")) + sorted((folder / "gpx").glob("*.gpx"))
        # metadata first: pings may read a vehicle's zone from it; naive local stamps are
        # imported with the fleet's zone (--tz), as a user would
        zone = {"tz": truth["tz"]} if "tz" in truth else {}
        maps, datums = COLUMN_MAPS.get(gen, {}), FILE_DATUMS.get(gen, {})
        ingest_paths(project, sorted((p for p in files if p.name not in maps | datums),
                                     key=lambda p: p.name != "vehicles.csv"), **zone)
        for p in files:
            if p.name in maps | datums:
                ingest_paths(project, [p], column_map=maps.get(p.name),
                             datum=datums.get(p.name), **zone)
    return name, project, truth["vehicles"]


def score(project: Path, run_id: int, truth: dict) -> tuple[dict, Counter]:
    conn = sqlite3.connect(project)
    try:
        rows = conn.execute(
            "SELECT pl.vehicle_id, pr.predicted_label, pl.lat, pl.lon FROM predictions pr "
            "JOIN places pl ON pl.place_id = pr.place_id WHERE pr.run_id = ? "
            "AND pr.predicted_label IN ('home', 'work')", (run_id,)).fetchall()
        pinged = {v for (v,) in conn.execute("SELECT DISTINCT vehicle_id FROM pings")}
    finally:
        conn.close()
    found: dict = {}
    for v, label, lat, lon in rows:
        found.setdefault((v, label), []).append((lat, lon))
    hits = Counter()
    misses = Counter()
    for v in pinged & set(truth):
        t = truth[v]
        kind = t.get("kind") or t.get("schedule") or "?"
        for label, reach in (("home", HOME_M), ("work", WORK_M)):
            if t.get(label):
                ok = any(haversine_m(la, lo, *t[label]) <= reach
                         for la, lo in found.get((v, label), []))
                hits[f"{label}_n"] += 1
                hits[label] += ok
                misses[(kind, f"{label} missed")] += not ok
        if not t.get("work"):
            hits["none_n"] += 1
            hits["false_work"] += bool(found.get((v, "work")))
            misses[(kind, "false work")] += bool(found.get((v, "work")))
    share = {k: hits[k] / hits[f"{k}_n"] if hits[f"{k}_n"] else float("nan")
             for k in ("home", "work")}
    share["false_work"] = hits["false_work"] / hits["none_n"] if hits["none_n"] else 0.0
    return share, +misses


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fleets", nargs="*", default=list(FLEETS))
    ap.add_argument("--keep", help="folder for fleets and projects (reused when present)")
    args = ap.parse_args()
    rows, misses = [], Counter()
    with tempfile.TemporaryDirectory() as tmp:
        keep = Path(args.keep or tmp)
        keep.mkdir(parents=True, exist_ok=True)
        print(f"{'fleet':20s} {'home':>6s} {'work':>6s} {'false work':>10s} {'test':>6s}  "
              "labeller")
        for spec in args.fleets:
            name, project, truth = build(spec, keep)
            s = infer_project(project, seed=0)
            share, missed = score(project, s["run_id"], truth)
            misses.update({(name.split("-")[0],) + k: n for k, n in missed.items()})
            row = dict(share, fleet=name, test=s["test_accuracy"] or float("nan"))
            rows.append(row)
            print(f"{name:20s} {row['home']:6.3f} {row['work']:6.3f} {row['false_work']:10.3f} "
                  f"{row['test']:6.3f}  {s['labeller']}", flush=True)
    for key, worst in (("home", min), ("work", min), ("false_work", max), ("test", min)):
        values = [r[key] for r in rows if r[key] == r[key]]
        print(f"{key:10s} median {statistics.median(values):.3f}  worst {worst(values):.3f} "
              f"({min(rows, key=lambda r: r[key] if worst is min else -r[key])['fleet']})")
    print("misses by generator and kind of life:")
    for (gen, kind, what), n in sorted(misses.items(), key=lambda x: -x[1]):
        print(f"  {gen:6s} {kind:18s} {what:12s} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
