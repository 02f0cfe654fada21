"""Pings -> home/work throughput of auditor against trackintel 1.4.2, on the same pings.

    .venv-bench/bin/python bench/infer.py [--vehicles 300] [--days 30] [--seed 11]

Needs the bench-only environment (trackintel is never installed into .venv):
    python3 -m venv .venv-bench && .venv-bench/bin/pip install -e . trackintel==1.4.2

Writes a demo fleet (~1.3M pings for 300 vehicles x 30 days) and ingests it into a project
under bench/out/ (reused when present), reads the cleaned pings once, then times on that one
frame:
  auditor     trips -> stops -> places -> features -> given labels -> 02:00 baseline + model
              (derive_vehicle_tables + label_and_predict), the home/work of every vehicle;
  trackintel  positionfixes -> generate_staypoints('sliding', 100 m, 5 min, gap_threshold
              large enough for parked cars) -> generate_locations('dbscan', 100 m, haversine,
              per user) -> location_identifier('OSNA', pre_filter=False).
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
import shutil
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
from auditor.store import open_project  # noqa: E402
from auditor.store.connection import copy_project  # noqa: E402
from auditor.store.queries import read_labels, read_pings, read_vehicles  # noqa: E402

TARGET = 50.0
AGREE_M = 150.0


def prepare(out: Path, vehicles: int, days: int, seed: int) -> tuple[Path, Path]:
    """The demo files and an ingested project, built once per (vehicles, days, seed)."""
    from auditor.demo.generator import write_demo
    from auditor.ingest.api import ingest_paths
    folder = out / f"fleet-{vehicles}x{days}-s{seed}"
    project = folder / "project.db"
    if (folder / "ready").exists():
        return folder, project
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"writing demo fleet {vehicles} vehicles x {days} days ...", flush=True)
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
    """The whole of inference: + given labels, splits, baseline and model (6 fits)."""
    config = InferConfig()
    tables = derive_vehicle_tables(pings, vehicles, config)
    outcome = label_and_predict(tables["features"], tables["places"], labels,
                                sorted(pings["vehicle_id"].unique()), seed, config)
    places = tables["places"].set_index("place_id")[["lat", "lon"]]
    homes = {}
    for kind in ("model", "baseline"):
        pred = outcome[f"{kind}_predictions"]
        home = pred.loc[pred["predicted_label"] == "home", ["vehicle_id", "place_id"]]
        homes[kind] = home.join(places, on="place_id").set_index("vehicle_id")[["lat", "lon"]]
    return homes


def trackintel_homes(pings, local) -> pd.DataFrame:
    import geopandas as gpd
    import trackintel as ti
    # the local wall clock, stamped UTC: OSNA reads hours off the timestamps as given
    pfs = gpd.GeoDataFrame(
        {"user_id": pings["vehicle_id"].to_numpy(),
         "tracked_at": pd.to_datetime(local, unit="s", utc=True)},
        geometry=gpd.points_from_xy(pings["lon"], pings["lat"]), crs="EPSG:4326")
    pfs = ti.Positionfixes(pfs)
    _, sp = pfs.generate_staypoints(method="sliding", dist_threshold=100, time_threshold=5,
                                    gap_threshold=60 * 24 * 30)  # a parked car sends nothing
    sp, locs = sp.generate_locations(method="dbscan", epsilon=100, num_samples=1,
                                     distance_metric="haversine", agg_level="user")
    sp = ti.analysis.location_identifier(sp, method="OSNA", pre_filter=False)
    home = (sp.loc[sp["purpose"] == "home", ["user_id", "location_id"]]
            .drop_duplicates("user_id").set_index("user_id"))
    centers = locs.set_geometry("center") if "center" in locs else locs
    pt = centers.geometry.loc[home["location_id"]]
    return pd.DataFrame({"lat": pt.y.to_numpy(), "lon": pt.x.to_numpy()}, index=home.index)


def within(a: pd.DataFrame, b: pd.DataFrame, ids) -> float:
    a, b = a.reindex(ids), b.reindex(ids)
    return float(np.mean(haversine_m(a["lat"], a["lon"], b["lat"], b["lon"]) <= AGREE_M))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--vehicles", type=int, default=300)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "infer")
    p.add_argument("--no-trackintel", action="store_true", help="time auditor only")
    args = p.parse_args(argv)

    folder, project = prepare(args.out, args.vehicles, args.days, args.seed)
    truth = json.loads((folder / "truth.json").read_text())
    conn = open_project(project)
    pings = read_pings(conn, columns=["ping_id", "vehicle_id", "ts", "utc_offset_min", "lat", "lon"])
    vehicles, labels = read_vehicles(conn), read_labels(conn)
    conn.close()
    n = len(pings)
    ids = sorted(pings["vehicle_id"].unique())
    print(f"pings: {n:,} of {len(ids)} vehicles")

    auditor_rule_homes(pings.head(20_000), vehicles)  # warm imports and caches for both
    _, t_rule, c_rule = timed(lambda: auditor_rule_homes(pings, vehicles))
    print(f"auditor     pings -> home/work, 02:00 rule:          {t_rule:7.2f} s wall "
          f"({c_rule:6.2f} s CPU)  {n / c_rule:12,.0f} pings/CPU-s")
    homes, t_ours, c_ours = timed(lambda: auditor_homes(pings, vehicles, labels, seed=0))
    print(f"auditor     pings -> home/work, rule + model:        {t_ours:7.2f} s wall "
          f"({c_ours:6.2f} s CPU)  {n / c_ours:12,.0f} pings/CPU-s")
    copy = folder / "infer-copy.db"
    copy_project(project, copy)  # SQLite's backup API: never a byte copy (auditor.store)
    summary, t_full, c_full = timed(lambda: infer_project(copy, seed=0))
    copy.unlink()
    print(f"auditor     infer_project end to end (store incl.):  {t_full:7.2f} s wall "
          f"({c_full:6.2f} s CPU)  {n / c_full:12,.0f} pings/CPU-s")

    t = truth_frame(truth).set_index("vehicle_id")[["home_lat", "home_lon"]]
    t.columns = ["lat", "lon"]
    good = [v for v in ids if not truth["vehicles"][v]["faulty"]
            and truth["vehicles"][v]["schedule"] == "day"]
    print(f"home within {AGREE_M:.0f} m of truth, all / day-shift healthy vehicles: "
          f"model {within(homes['model'], t, ids):.1%} / {within(homes['model'], t, good):.1%}, "
          f"baseline {within(homes['baseline'], t, ids):.1%} / {within(homes['baseline'], t, good):.1%}")
    if args.no_trackintel:
        return 0

    local = local_ts(pings, vehicles)
    ti_home, t_ti, c_ti = timed(lambda: trackintel_homes(pings, local))
    print(f"trackintel  pings -> home/work (sliding/dbscan/OSNA): {t_ti:7.2f} s wall "
          f"({c_ti:6.2f} s CPU)  {n / c_ti:12,.0f} pings/CPU-s")
    print(f"trackintel: home within {AGREE_M:.0f} m of truth, all / day-shift healthy: "
          f"{within(ti_home, t, ids):.1%} / {within(ti_home, t, good):.1%}")
    print(f"home agreement auditor vs trackintel (within {AGREE_M:.0f} m): "
          f"model {within(homes['model'], ti_home, ids):.1%}, "
          f"baseline {within(homes['baseline'], ti_home, ids):.1%}")
    # CPU seconds are the fair clock on a shared machine; wall is printed beside them
    for name, t_a, c_a in (("02:00 rule (like for like)", t_rule, c_rule),
                           ("rule + model", t_ours, c_ours),
                           ("infer_project with store", t_full, c_full)):
        ratio = c_ti / c_a
        print(f"ratio auditor/trackintel, {name:28s}: {ratio:6.1f}x CPU, {t_ti / t_a:6.1f}x wall "
              f"(target >= {TARGET:.0f}x) -> {'OK' if ratio >= TARGET else 'below target'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
