"""Benchmark: does upweighting the neighbours of validation errors help on test vehicles?

(issue 18) On demo fleets of several shapes and seeds, with extra wrong labels planted in
labels.csv (home and work swapped, or home pinned on the favourite errand), the analysts are
simulated correcting every wrong label of the TRAINING vehicles through label_wrong flags
(as they would through the app). The export (auditor.export.build_training_set) then holds
the corrected training rows and their sample_weight; a model is fitted on them
(auditor.pipeline.weights_from.fit_weighted, what `infer --weights-from` does) and judged on
the TEST vehicles against the demo truth (a place is home / work when within 150 m of the true
home / work, else other) — never against validation, whose errors chose the weights.

Arms, per fleet:
  before      the run's own labels (the project's model on uncorrected labels)
  corrected   export rows, corrections only, every weight 1 (factor 1)
  k=K f=F     export rows with the neighbour upweighting (k neighbours, factor F)

Prints one line per fleet and the median / worst-case difference of each arm against
"corrected" (the baseline the reweighting has to beat), overall and for night-shift vehicles.

    .venv/bin/python bench/reweighting.py [--quick] [--hard] [--found 0.5] [--json out.json]
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

from auditor.audit.flags import add_flags
from auditor.export.build import build_training_set
from auditor.export.config import ExportConfig
from auditor.geo import haversine_m
from auditor.ingest.api import ingest_paths
from auditor.pipeline.api import infer_project
from auditor.pipeline.config import InferConfig
from auditor.pipeline.model import decide_labels
from auditor.pipeline.weights_from import fit_weighted
from auditor.store import open_project

HIT_M = 150.0
ARMS = [(5, 2.0), (10, 2.0), (5, 3.0), (20, 1.5)]
SHAPES = [(150, 14), (240, 21), (100, 28)]
HARD_SHAPES = [(150, 5), (240, 7), (100, 6)]   # short windows: noisier features
SEEDS = [11, 12]
PLANT_SHARE = 0.12   # extra wrong labels: this share of labelled vehicles


def plant_wrong_labels(demo: Path, seed: int, share: float) -> int:
    """Swap home and work (or pin home on the favourite errand) for ``share`` of the labelled
    vehicles, in labels.csv. Returns how many vehicles were spoiled."""
    labels = pd.read_csv(demo / "labels.csv", dtype=str)
    truth = json.loads((demo / "truth.json").read_text())["vehicles"]
    rng = np.random.default_rng([seed, 99])
    vids = sorted(labels["vehicle_id"].unique())
    chosen = [vids[i] for i in rng.permutation(len(vids))[:int(round(share * len(vids)))]]
    for n, vid in enumerate(chosen):
        rows = labels.index[labels["vehicle_id"] == vid]
        kinds = set(labels.loc[rows, "label"])
        if {"home", "work"} <= kinds and n % 2 == 0:
            labels.loc[rows, "label"] = labels.loc[rows, "label"].map(
                {"home": "work", "work": "home"})
        else:
            t = truth[vid]
            errand = t["errands"][t["favourite_errand"]]
            home = rows[labels.loc[rows, "label"] == "home"]
            lat_col = [c for c in labels.columns if c.lower().startswith("lat")][0]
            lon_col = [c for c in labels.columns if c.lower().startswith("lon")][0]
            labels.loc[home, lat_col] = f"{errand[0]:.6f}"
            labels.loc[home, lon_col] = f"{errand[1]:.6f}"
    labels.to_csv(demo / "labels.csv", index=False)
    return len(chosen)


def truth_labels(places: pd.DataFrame, truth: dict) -> pd.Series:
    """home / work / other per place from the truth (nearest of home and work within 150 m)."""
    t = pd.DataFrame.from_dict(truth["vehicles"], orient="index")
    home = places["vehicle_id"].map(t["home"])
    work = places["vehicle_id"].map(t["work"])
    d_home = haversine_m(places["lat"], places["lon"], home.str[0].astype(float),
                         home.str[1].astype(float))
    d_work = haversine_m(places["lat"], places["lon"],
                         work.map(lambda w: w[0] if isinstance(w, list) else np.nan),
                         work.map(lambda w: w[1] if isinstance(w, list) else np.nan))
    d_home = np.nan_to_num(np.asarray(d_home, dtype=float), nan=np.inf)
    d_work = np.nan_to_num(np.asarray(d_work, dtype=float), nan=np.inf)
    label = np.where((d_home <= HIT_M) & (d_home <= d_work), "home",
                     np.where(d_work <= HIT_M, "work", "other"))
    return pd.Series(label, index=places.index)


def night_vehicles(truth: dict) -> set:
    return {v for v, t in truth["vehicles"].items() if t.get("schedule") == "night"}


def one_fleet(vehicles: int, days: int, seed: int, root: Path, found: float = 1.0,
              plant: float = PLANT_SHARE) -> dict:
    from auditor.demo.generator import write_demo
    demo = root / f"demo-{vehicles}-{days}-{seed}"
    write_demo(demo, vehicles=vehicles, days=days, seed=seed)
    planted = plant_wrong_labels(demo, seed, plant)
    truth = json.loads((demo / "truth.json").read_text())
    project = root / f"p-{vehicles}-{days}-{seed}.db"
    for kind in ("vehicles", "pings", "labels"):
        ingest_paths(project, [demo / f"{kind}.csv"], kind=kind)
    summary = infer_project(project, seed=seed)
    conn = open_project(project)
    try:
        run_id = summary["run_id"]
        pred = pd.read_sql_query(
            "SELECT p.place_id, p.vehicle_id, p.split, p.given_label, p.predicted_label, "
            "pl.lat, pl.lon FROM predictions p JOIN places pl USING (place_id) "
            "WHERE p.run_id = ? ORDER BY p.place_id", conn, params=(run_id,))
        pred["truth"] = truth_labels(pred, truth)
        wrong = pred[(pred["split"] == "train") & pred["given_label"].notna()
                     & (pred["given_label"] != pred["truth"])]
        # the analysts find only a share of them (seeded): the rest stay as noise
        keep = np.random.default_rng([seed, 7]).random(len(wrong)) < found
        wrong = wrong[keep]
        if len(wrong):
            add_flags(conn, "bench", [{"target_kind": "place", "target_id": pid,
                                       "action": "label_wrong", "new_value": lab}
                                      for pid, lab in zip(wrong["place_id"], wrong["truth"])])
        feats = pd.read_sql_query("SELECT * FROM place_features ORDER BY place_id", conn)
        test = pred[pred["split"] == "test"]
        tf = feats[feats["place_id"].isin(test["place_id"])].reset_index(drop=True)
        tf_truth = tf["place_id"].map(pred.set_index("place_id")["truth"])
        night = tf["vehicle_id"].isin(night_vehicles(truth)).to_numpy()
        config = InferConfig()

        def score(labels: pd.Series) -> dict:
            ok = (labels.to_numpy() == tf_truth.to_numpy())
            return {"all": float(ok.mean()), "night": float(ok[night].mean()) if night.any()
                    else None, "other": float(ok[~night].mean())}

        before = tf["place_id"].map(pred.set_index("place_id")["predicted_label"])
        out = {"fleet": f"{vehicles}x{days} seed {seed}", "planted_vehicles": planted,
               "flagged": int(len(wrong)), "test_places": int(len(tf)),
               "test_vehicles": int(tf["vehicle_id"].nunique()),
               "night_test_places": int(night.sum()), "arms": {"before": score(before)}}
        for name, k, factor in [("corrected", 5, 1.0)] + [(f"k={k} f={f:g}", k, f)
                                                         for k, f in ARMS]:
            ts = build_training_set(conn, ExportConfig(k=k, factor=factor,
                                                       hard_example_factor=1.0))
            rows = ts.frame.rename(columns={"sample_weight": "weight"})
            proba = fit_weighted(rows, tf, config, seed)
            out["arms"][name] = score(decide_labels(tf, proba, config.work_min_p))
            out["misclassified_validation"] = ts.counts["misclassified_validation"]
        return out
    finally:
        conn.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one small fleet")
    ap.add_argument("--json", help="write the per-fleet results here")
    ap.add_argument("--found", type=float, default=1.0,
                    help="share of the training vehicles' wrong labels the analysts correct")
    ap.add_argument("--hard", action="store_true", help="short windows (5-7 days)")
    ap.add_argument("--plant", type=float, default=PLANT_SHARE,
                    help=f"share of labelled vehicles given a wrong label (default {PLANT_SHARE})")
    args = ap.parse_args(argv)
    shapes = [(80, 14)] if args.quick else HARD_SHAPES if args.hard else SHAPES
    seeds = SEEDS[:1] if args.quick else SEEDS
    results = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for vehicles, days in shapes:
            for seed in seeds:
                r = one_fleet(vehicles, days, seed, Path(tmp), args.found, args.plant)
                results.append(r)
                arms = "  ".join(f"{k} {100 * v['all']:.1f}" for k, v in r["arms"].items())
                print(f"{r['fleet']}: {r['test_vehicles']} test vehicles, {r['flagged']} "
                      f"flags, {r['misclassified_validation']} validation errors | {arms}",
                      flush=True)
    print(f"\n{len(results)} fleets in {time.perf_counter() - started:.0f} s; test accuracy "
          "against the truth, difference to 'corrected' (points): median / worst")
    names = list(results[0]["arms"])
    for part in ("all", "night", "other"):
        print(f"  {part} test places:")
        for name in names:
            d = [100 * (r["arms"][name][part] - r["arms"]["corrected"][part]) for r in results
                 if r["arms"][name][part] is not None]
            if d:
                print(f"    {name:<12} median {np.median(d):+5.2f}  worst {min(d):+5.2f}  "
                      f"best {max(d):+5.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
