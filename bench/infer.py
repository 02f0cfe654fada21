"""Pings -> home/work throughput of auditor against trackintel 1.4.2, on the same pings.

    .venv-bench/bin/python bench/infer.py [--fleets 300x30:11,alt:150x21:5] [--gap-hours 48,720]
        [--processes 1,2]
    .venv-bench/bin/python bench/infer.py --vehicles 300 --days 30 --seed 11   # one fleet

Needs the bench-only environment (trackintel is never installed into .venv):
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -e . trackintel==1.4.2

Writes a demo fleet (~1.3M pings for 300 vehicles x 30 days) and ingests it into a project
under bench/out/ (reused when present), reads the cleaned pings once, then times on that one
frame:
  auditor     trips -> stops -> places -> features -> given labels -> 02:00 baseline + model
              (derive_vehicle_tables + label_and_predict), the home/work of every vehicle;
  trackintel  positionfixes -> generate_staypoints('sliding', 100 m, 5 min, gap_threshold
              --gap-hours: 48 h — a parked car is silent for a night or a weekend — and 720 h,
              the 30 days this bench used first, which makes trackintel much slower) ->
              generate_locations('dbscan', 100 m, haversine, per user) ->
              location_identifier('OSNA', pre_filter=False).
Fleets (--fleets [demo:|alt:]VEHICLESxDAYS:SEED,...): the demo generator's 300 x 30 (seed 11,
not its defaults of 200 x 28, seed 7) and the alt generator's 150 x 21 (seed 5: other zones,
stamps with stated offsets, per-tracker sampling, other people and labels).
``infer_project`` (the `auditor infer` path: SQLite reads, derivation, model, writes) runs in
a fresh child process per --processes value (the local engine in 1 process, and with a pool
of 2 worker processes), so its CPU time (its workers' included) and peak memory (VmHWM,
the larger of the main process's and a worker's) are its own; the predictions digests of the
runs must agree.
Both see the same local wall clock (auditor's local_ts). Prints pings per CPU-second of each
(wall time beside it; on a shared machine CPU time is the steadier clock) and the ratios
(target >= 50x) for auditor's rule path (like for like with OSNA), rule + model, and
infer_project with the store; how often the two agree on the home place (within 150 m), and each tool's
home hit rate against the generator's truth. Also times `infer_project` end to end (store
reads and writes included) for reference.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.geo import haversine_m  # noqa: E402
from auditor.pipeline.api import derive_vehicle_tables, infer_project, label_and_predict  # noqa: E402
from auditor.pipeline.baseline import baseline_labels  # noqa: E402
from auditor.pipeline.config import InferConfig  # noqa: E402
from auditor.pipeline.evaluate import truth_frame  # noqa: E402
from auditor.pipeline.localtime import local_ts  # noqa: E402
from auditor.pipeline.shards import peak_rss_mb  # noqa: E402
from auditor.store import open_project  # noqa: E402
from auditor.store.connection import copy_project  # noqa: E402
from auditor.store.queries import read_labels, read_pings, read_vehicles  # noqa: E402

TARGET = 50.0
AGREE_M = 150.0


def prepare(out: Path, vehicles: int, days: int, seed: int,
            generator: str = "demo") -> tuple[Path, Path]:
    """The generated files and an ingested project, built once per (generator, vehicles,
    days, seed). ``generator``: "demo" (auditor.demo.generator) or "alt"
    (auditor.demo.alt_generator: other cities and zones, stamps with local offsets, per-tracker
    sampling of 3-90 s with drop-outs and parked heartbeats, other people and labels)."""
    from auditor.ingest.api import ingest_paths
    prefix = "fleet" if generator == "demo" else f"{generator}-fleet"
    folder = out / f"{prefix}-{vehicles}x{days}-s{seed}"
    project = folder / "project.db"
    if (folder / "ready").exists():
        return folder, project
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"writing {generator} fleet {vehicles} vehicles x {days} days ...", flush=True)
    if generator == "alt":
        from auditor.demo.alt_generator import write_alt_fleet
        write_alt_fleet(folder, vehicles=vehicles, days=days, seed=seed)
    else:
        from auditor.demo.generator import write_demo
        write_demo(folder, vehicles=vehicles, days=days, seed=seed)
    print("ingesting ...", flush=True)
    for kind in ("vehicles", "pings", "labels"):
        ingest_paths(project, [folder / f"{kind}.csv"], kind=kind)
    (folder / "ready").write_text("ok\n")
    return folder, project


def timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - start, time.process_time() - cpu


def _home_places(pred: pd.Series, tables) -> pd.DataFrame:
    f = tables["features"]
    home = f.loc[pred == "home", ["vehicle_id", "lat", "lon"]]
    return home.set_index("vehicle_id")


def auditor_rule_homes(pings, vehicles) -> pd.DataFrame:
    """Like for like with OSNA (a rule): trips, stops, places, features, the 02:00 baseline."""
    tables = derive_vehicle_tables(pings, vehicles, InferConfig())
    return _home_places(baseline_labels(tables["features"]), tables)


def auditor_homes(pings, vehicles, labels, seed: int) -> dict[str, pd.DataFrame]:
    """The whole of inference: + given labels, splits, baseline and model (10 tree fits with the
    refit, 5 more for the night-shift twins' model)."""
    config = InferConfig()
    tables = derive_vehicle_tables(pings, vehicles, config)
    outcome = label_and_predict(tables["features"], tables["places"], labels,
                                sorted(pings["vehicle_id"].unique()), seed, config,
                                moves=tables["moves"], twins=tables["twin_features"])
    places = tables["places"].set_index("place_id")[["lat", "lon"]]
    homes = {}
    for kind in ("model", "baseline"):
        pred = outcome[f"{kind}_predictions"]
        home = pred.loc[pred["predicted_label"] == "home", ["vehicle_id", "place_id"]]
        homes[kind] = home.join(places, on="place_id").set_index("vehicle_id")[["lat", "lon"]]
    return homes


def trackintel_homes(pings, local, gap_hours: float = 48) -> pd.DataFrame:
    import geopandas as gpd
    import trackintel as ti
    # the local wall clock, stamped UTC: OSNA reads hours off the timestamps as given
    pfs = gpd.GeoDataFrame(
        {"user_id": pings["vehicle_id"].to_numpy(),
         "tracked_at": pd.to_datetime(local, unit="s", utc=True)},
        geometry=gpd.points_from_xy(pings["lon"], pings["lat"]), crs="EPSG:4326")
    pfs = ti.Positionfixes(pfs)
    _, sp = pfs.generate_staypoints(method="sliding", dist_threshold=100, time_threshold=5,
                                    gap_threshold=int(60 * gap_hours))  # minutes
    sp, locs = sp.generate_locations(method="dbscan", epsilon=100, num_samples=1,
                                     distance_metric="haversine", agg_level="user")
    sp = ti.analysis.location_identifier(sp, method="OSNA", pre_filter=False)
    home = (sp.loc[sp["purpose"] == "home", ["user_id", "location_id"]]
            .drop_duplicates("user_id").set_index("user_id"))
    centers = locs.set_geometry("center") if "center" in locs else locs
    pt = centers.geometry.loc[home["location_id"]]
    return pd.DataFrame({"lat": pt.y.to_numpy(), "lon": pt.x.to_numpy()}, index=home.index)


def within(a: pd.DataFrame, b: pd.DataFrame, ids) -> float:
    if not len(ids):
        return float("nan")
    a, b = a.reindex(ids), b.reindex(ids)
    return float(np.mean(haversine_m(a["lat"], a["lon"], b["lat"], b["lon"]) <= AGREE_M))


# Polls the VmHWM of its parent's other children (the engine's worker processes) until its
# stdin closes, then prints the largest. A process, not a thread: with a thread running the
# local engine would not fork its pool (engine.fork_is_safe).
_WORKER_PEAKS = """
import os, sys, threading
parent, me, peak = os.getppid(), os.getpid(), 0.0
def hwm(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
while True:
    for task in os.listdir(f"/proc/{parent}/task"):
        try:
            kids = open(f"/proc/{parent}/task/{task}/children").read().split()
        except OSError:
            continue
        peak = max([peak] + [hwm(int(k)) for k in kids if int(k) != me])
    if done.wait(0.02):
        break
print(peak)
"""


class WorkerPeaks:
    """The largest VmHWM of this process's worker processes while they live: getrusage's
    maxrss of a child starts at its parent's peak (Linux keeps it across fork and exec), so
    the bench's own memory — trackintel's, over a gigabyte — showed up as auditor's."""

    def __enter__(self) -> "WorkerPeaks":
        self._poller = subprocess.Popen([sys.executable, "-c", _WORKER_PEAKS],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.peak = 0.0
        return self

    def __exit__(self, *exc) -> None:
        out, _ = self._poller.communicate("")
        self.peak = float(out.strip() or 0.0)


def child_infer(project: Path, processes: str) -> None:
    """`auditor infer` on a copy of the project, in this process, on the local engine with
    ``processes`` ("1", "2", "auto"): prints wall, CPU (this process and its workers) and peak
    RSS (the larger of this process's and any worker's)."""
    from auditor.pipeline.engine import LocalEngine
    copy = project.parent / "infer-copy.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    copy_project(project, copy)  # SQLite's backup API: never a byte copy (auditor.store)
    engine = LocalEngine(processes if processes == "auto" else int(processes))
    before = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # workers count once reaped (shutdown)
    start = time.perf_counter()
    with WorkerPeaks() as workers:
        summary = infer_project(copy, seed=0, engine=engine)
        wall = time.perf_counter() - start
        # before the poller is reaped: its CPU is not auditor's
        after = resource.getrusage(resource.RUSAGE_SELF)
        kids_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu += (kids_after.ru_utime - kids.ru_utime) + (kids_after.ru_stime - kids.ru_stime)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    print(json.dumps({"wall": wall, "cpu": cpu, "pings": summary["pings"],
                      "max_rss_mb": max(peak_rss_mb(), workers.peak),
                      "worker_rss_mb": workers.peak,
                      "processes": engine.workers_hint,
                      "predictions_sha256": summary["predictions_sha256"]}))


def infer_in_child(project: Path, processes: str = "1") -> dict:
    got = subprocess.run([sys.executable, __file__, "--child-infer", str(project), processes],
                         capture_output=True, text=True, env=dict(os.environ))
    if got.returncode:
        raise SystemExit(f"infer_project failed:\n{got.stderr[-3000:]}")
    return json.loads(got.stdout.strip().splitlines()[-1])


def uptime() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def parse_fleets(text: str) -> list[tuple[int, int, int, str]]:
    """"300x30:11,alt:150x21:5" -> [(300, 30, 11, "demo"), (150, 21, 5, "alt")]."""
    out = []
    for item in text.split(","):
        parts = item.strip().split(":")
        generator = parts.pop(0) if parts[0] in ("demo", "alt") else "demo"
        vehicles, days = parts[0].lower().split("x")
        out.append((int(vehicles), int(days), int(parts[1]) if len(parts) > 1 else 11,
                    generator))
    return out


def bench_fleet(args, vehicles_n: int, days: int, seed: int, generator: str,
                gaps: list[float]) -> list[dict]:
    folder, project = prepare(args.out, vehicles_n, days, seed, generator)
    truth = json.loads((folder / "truth.json").read_text())
    conn = open_project(project)
    pings = read_pings(conn, columns=["ping_id", "vehicle_id", "ts", "utc_offset_min", "lat", "lon"])
    vehicles, labels = read_vehicles(conn), read_labels(conn)
    conn.close()
    n = len(pings)
    ids = sorted(pings["vehicle_id"].unique())
    name = f"{generator} {vehicles_n}x{days}:{seed}"
    print(f"\n== {generator} fleet {vehicles_n} vehicles x {days} days, seed {seed}: {n:,} pings; "
          f"{uptime()} on {os.cpu_count()} cores", flush=True)

    auditor_rule_homes(pings.head(20_000), vehicles)  # warm imports and caches for both
    _, t_rule, c_rule = timed(lambda: auditor_rule_homes(pings, vehicles))
    print(f"auditor     pings -> home/work, 02:00 rule:          {t_rule:7.2f} s wall "
          f"({c_rule:6.2f} s CPU)  {n / c_rule:12,.0f} pings/CPU-s")
    homes, t_ours, c_ours = timed(lambda: auditor_homes(pings, vehicles, labels, seed=0))
    print(f"auditor     pings -> home/work, rule + model:        {t_ours:7.2f} s wall "
          f"({c_ours:6.2f} s CPU)  {n / c_ours:12,.0f} pings/CPU-s")
    # `auditor infer` end to end, each in a fresh process: one process, and a pool of two
    # (the local engine's "auto" forks the pool only when a core is idle: both are shown)
    full = {}
    for procs in args.processes.split(","):
        got = infer_in_child(project, procs)
        full[procs] = got
        print(f"auditor     infer_project end to end, {procs} process(es): {got['wall']:7.2f} s "
              f"wall ({got['cpu']:6.2f} s CPU, workers incl.)  {n / got['cpu']:12,.0f} "
              f"pings/CPU-s; peak RSS {got['max_rss_mb']:,.0f} MB; {uptime()}", flush=True)
    digests = {g["predictions_sha256"] for g in full.values()}
    print(f"  predictions identical across process counts: {len(digests) == 1}")

    t = truth_frame(truth).set_index("vehicle_id")[["home_lat", "home_lon"]]
    t.columns = ["lat", "lon"]
    good = [v for v in ids if not truth["vehicles"][v]["faulty"]
            and truth["vehicles"][v]["schedule"] == "day"]
    print(f"home within {AGREE_M:.0f} m of truth, all / day-shift healthy vehicles: "
          f"model {within(homes['model'], t, ids):.1%} / {within(homes['model'], t, good):.1%}, "
          f"baseline {within(homes['baseline'], t, ids):.1%} / {within(homes['baseline'], t, good):.1%}")
    if args.no_trackintel:
        return []

    local = local_ts(pings, vehicles)
    rows = []
    for gap in gaps:
        ti_home, t_ti, c_ti = timed(lambda gap=gap: trackintel_homes(pings, local, gap))
        print(f"trackintel  gap_threshold {gap:g} h (sliding/dbscan/OSNA): {t_ti:7.2f} s wall "
              f"({c_ti:6.2f} s CPU)  {n / c_ti:12,.0f} pings/CPU-s; home within "
              f"{AGREE_M:.0f} m of truth, all / day-shift healthy: "
              f"{within(ti_home, t, ids):.1%} / {within(ti_home, t, good):.1%}; agreement "
              f"with auditor's model {within(homes['model'], ti_home, ids):.1%}", flush=True)
        # CPU seconds are the fair clock on a shared machine; wall is printed beside them
        paths = [("02:00 rule (like for like)", t_rule, c_rule),
                 ("rule + model", t_ours, c_ours)]
        paths += [(f"infer_project, {k} process(es)", g["wall"], g["cpu"])
                  for k, g in full.items()]
        for path, t_a, c_a in paths:
            ratio, wall_ratio = c_ti / c_a, t_ti / t_a
            print(f"  ratio auditor/trackintel {gap:g} h, {path:30s}: {ratio:6.1f}x CPU, "
                  f"{wall_ratio:6.1f}x wall (target >= {TARGET:.0f}x) -> "
                  f"{'OK' if max(ratio, wall_ratio) >= TARGET else 'below target'}")
            rows.append({"fleet": name, "gap": gap, "path": path,
                         "cpu_ratio": ratio, "wall_ratio": wall_ratio})
    return rows


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 2 and sys.argv[1] == "--child-infer":
        child_infer(Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "1")
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--fleets", default="300x30:11,alt:150x21:5",
                   help="[demo:|alt:]VEHICLESxDAYS:SEED, comma separated")
    p.add_argument("--vehicles", type=int, help="one fleet of this many vehicles (with --days)")
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--gap-hours", default="48,720",
                   help="trackintel gap_threshold(s) in hours, comma separated")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "infer")
    p.add_argument("--no-trackintel", action="store_true", help="time auditor only")
    p.add_argument("--processes", default="1,2",
                   help="the local engine's processes for infer_project runs, comma separated "
                        "(1, 2, auto)")
    p.add_argument("--generator", default="demo", choices=["demo", "alt"],
                   help="with --vehicles: which generator writes the fleet")
    args = p.parse_args(argv)
    fleets = ([(args.vehicles, args.days, args.seed, args.generator)] if args.vehicles
              else parse_fleets(args.fleets))
    gaps = [float(g) for g in args.gap_hours.split(",")]
    rows = []
    for vehicles_n, days, seed, generator in fleets:
        rows += bench_fleet(args, vehicles_n, days, seed, generator, gaps)
    if rows:
        print("\n== summary over fleets (CPU ratios; median / worst)")
        for gap in gaps:
            for path in dict.fromkeys(r["path"] for r in rows):
                got = [r for r in rows if r["gap"] == gap and r["path"] == path]
                cpu, wall = [r["cpu_ratio"] for r in got], [r["wall_ratio"] for r in got]
                print(f"  gap {gap:g} h, {path:30s}: CPU median {statistics.median(cpu):6.1f}x, "
                      f"worst {min(cpu):6.1f}x; wall median {statistics.median(wall):6.1f}x, "
                      f"worst {min(wall):6.1f}x (target >= {TARGET:.0f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
