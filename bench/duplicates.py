"""Duplicated-device detection at fleet scale, against checking every pair of vehicles.

    .venv/bin/python bench/duplicates.py [--vehicles 5000] [--days 30] [--seed 21]
                                         [--clones 25] [--reused 10] [--lookalikes 25]
                                         [--naive-vehicles 300]

Writes a demo fleet with planted cloned devices, reused ids and healthy look-alikes
(auditor.demo.clones) under bench/out/ (reused when present), derives its trips, stops and
places with the pipeline (derive_vehicle_tables, in vehicle chunks), then times:
  auditor   find_duplicates on the whole fleet: trip signature tokens hashed and joined
            (candidate pairs only), verified trip by trip; reused ids; split places;
  baseline  the same trip-by-trip verification on EVERY pair of vehicles, run on a
            subsample of --naive-vehicles vehicles and extrapolated to the fleet by the number
            of pairs (it is quadratic), plus auditor's method on that same subsample.
Prints seconds, the ratio, and precision / recall of the planted clones and reused ids."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from auditor.analysis.duplicates import cloned_devices, find_duplicates, naive_cloned_pairs
from auditor.demo.clones import PlantSpec
from auditor.demo.generator import write_demo
from auditor.pipeline.api import derive_vehicle_tables

OUT = Path(__file__).resolve().parent / "out"
CHUNK_VEHICLES = 250


def fleet(args) -> Path:
    name = (f"dups-{args.vehicles}x{args.days}-s{args.seed}-c{args.clones}-r{args.reused}"
            f"-l{args.lookalikes}")
    out = OUT / name
    if not (out / "truth.json").exists():
        t = time.perf_counter()
        write_demo(out, vehicles=args.vehicles, days=args.days, seed=args.seed,
                   plant=PlantSpec(args.clones, args.reused, args.lookalikes))
        print(f"wrote the fleet in {time.perf_counter() - t:.0f} s -> {out}", flush=True)
    return out


def derive(out: Path) -> dict[str, pd.DataFrame]:
    cache = out / "derived.parquet.d"
    if (cache / "trips.parquet").exists():
        return {k: pd.read_parquet(cache / f"{k}.parquet") for k in ("trips", "stops", "places")}
    t = time.perf_counter()
    table = pacsv.read_csv(out / "pings.csv", convert_options=pacsv.ConvertOptions(
        column_types={"vehicle_id": pa.string(), "timestamp": pa.string(),
                      "lat": pa.float64(), "lon": pa.float64()},
        include_columns=["vehicle_id", "timestamp", "lat", "lon"]))
    ts = pc.strptime(table["timestamp"], format="%Y-%m-%dT%H:%M:%SZ", unit="s")
    pings = pd.DataFrame({"vehicle_id": table["vehicle_id"].to_numpy(zero_copy_only=False),
                          "ts": ts.cast("int64").to_numpy(zero_copy_only=False),
                          "lat": table["lat"].to_numpy(zero_copy_only=False),
                          "lon": table["lon"].to_numpy(zero_copy_only=False)})
    del table, ts
    vehicles = pd.read_csv(out / "vehicles.csv", dtype=str)
    ids = np.array(sorted(pings["vehicle_id"].unique()))
    parts: dict[str, list] = {"trips": [], "stops": [], "places": []}
    for start in range(0, len(ids), CHUNK_VEHICLES):
        chunk = set(ids[start:start + CHUNK_VEHICLES])
        sub = pings[pings["vehicle_id"].isin(chunk)]
        got = derive_vehicle_tables(sub, vehicles[vehicles["vehicle_id"].isin(chunk)])
        for k in parts:
            parts[k].append(got[k])
    derived = {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}
    cache.mkdir(exist_ok=True)
    for k, frame in derived.items():
        frame.to_parquet(cache / f"{k}.parquet")
    print(f"derived trips/stops/places from {len(pings):,} pings in "
          f"{time.perf_counter() - t:.0f} s", flush=True)
    return derived


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=5000, help="fleet size")
    ap.add_argument("--days", type=int, default=30, help="days of driving")
    ap.add_argument("--seed", type=int, default=21, help="fleet seed")
    ap.add_argument("--clones", type=int, default=25, help="cloned devices to plant")
    ap.add_argument("--reused", type=int, default=10, help="reused ids to plant")
    ap.add_argument("--lookalikes", type=int, default=25, help="healthy look-alikes to plant")
    ap.add_argument("--naive-vehicles", type=int, default=300,
                    help="subsample on which every pair is verified (the baseline)")
    args = ap.parse_args()
    out = fleet(args)
    truth = json.loads((out / "truth.json").read_text())
    d = derive(out)
    trips, stops, places = d["trips"], d["stops"], d["places"]
    n_vehicles = trips["vehicle_id"].nunique()
    print(f"fleet: {n_vehicles:,} vehicles, {len(trips):,} trips, {len(stops):,} stops, "
          f"{len(places):,} places")

    t = time.perf_counter()
    found = find_duplicates(trips, stops, places)
    ours = time.perf_counter() - t

    rng = np.random.default_rng(0)
    planted_ids = {v for c in truth["planted"]["clones"] for v in c["ids"]}
    pool = sorted(set(trips["vehicle_id"]) - planted_ids)
    k = min(args.naive_vehicles, n_vehicles)
    # the subsample keeps some planted pairs so both methods have something to find
    keep = sorted({v for c in truth["planted"]["clones"][:5] for v in c["ids"]})
    sample = keep + list(rng.choice(pool, k - len(keep), replace=False))
    sub = trips[trips["vehicle_id"].isin(sample)]
    t = time.perf_counter()
    naive_found = naive_cloned_pairs(sub)
    naive = time.perf_counter() - t
    t = time.perf_counter()
    ours_sub = len(cloned_devices(sub))
    ours_sub_s = time.perf_counter() - t
    pairs_fleet = n_vehicles * (n_vehicles - 1) / 2
    pairs_sub = k * (k - 1) / 2
    naive_fleet = naive * pairs_fleet / pairs_sub

    want_pairs = {tuple(sorted(c["ids"])) for c in truth["planted"]["clones"]}
    want_reused = {c["ids"][0] for c in truth["planted"]["reused"]}
    looks = {v for c in truth["planted"]["lookalikes"] for v in c["ids"]}
    got_pairs = {tuple(x["ids"]) for x in found if x["kind"] == "cloned_device"}
    got_reused = {x["ids"][0] for x in found if x["kind"] == "reused_id"}

    def pr(got, want):
        tp = len(got & want)
        return (tp / len(got) if got else 1.0), (tp / len(want) if want else 1.0)

    p_c, r_c = pr(got_pairs, want_pairs)
    p_r, r_r = pr(got_reused, want_reused)
    named = {v for x in found if x["kind"] != "split_place" for v in x["ids"]}
    print(f"auditor find_duplicates, whole fleet: {ours:.2f} s "
          f"({sum(x['kind'] == 'cloned_device' for x in found)} cloned pairs, "
          f"{len(got_reused)} reused ids, "
          f"{sum(x['kind'] == 'split_place' for x in found)} split places)")
    print(f"baseline every pair verified, {k} vehicles ({pairs_sub:,.0f} pairs): {naive:.2f} s "
          f"({naive_found} pairs); auditor on the same {k}: {ours_sub_s:.2f} s "
          f"({ours_sub} pairs)")
    print(f"baseline extrapolated to {n_vehicles:,} vehicles ({pairs_fleet:,.0f} pairs): "
          f"{naive_fleet:,.0f} s -> auditor is {naive_fleet / ours:,.0f}x faster")
    print(f"cloned devices: precision {p_c:.3f} recall {r_c:.3f} ({len(want_pairs)} planted); "
          f"reused ids: precision {p_r:.3f} recall {r_r:.3f} ({len(want_reused)} planted); "
          f"look-alikes named: {len(named & (looks - planted_ids))} of {len(looks) // 2} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
