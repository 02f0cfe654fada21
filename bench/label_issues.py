"""Benchmark: auditor's label-issue ranking vs cleanlab's find_label_issues, same probabilities.

On a demo fleet (generated, ingested and inferred here, or an existing --project with its
--truth), both rank the labelled places from the same out-of-fold probabilities. A truly wrong
label (truth.json wrong_labels: vehicle_id + label) is mapped to the place it was matched to
(labels -> place_labels); wrong labels that matched no place cannot be found from probabilities
and are counted apart (the evidence check 'far_from_stops' covers them).

Prints precision@k (k = number of wrong labels that matched a place) and recall for auditor
(both rankings) and cleanlab (same rankings). cleanlab is bench-only: run with the bench venv,
  .venv-bench/bin/python bench/label_issues.py [--vehicles 200 --days 28 --seed 7]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from auditor.analysis import frames
from auditor.analysis.evidence import evidence_frame
from auditor.analysis.suspicion import RANKINGS, suspicious_labels
from auditor.store import open_project


def build_project(out: Path, vehicles: int, days: int, seed: int) -> tuple[Path, Path]:
    from auditor.demo.generator import write_demo
    from auditor.ingest.api import ingest_paths
    from auditor.pipeline.api import infer_project
    write_demo(out, vehicles=vehicles, days=days, seed=seed)
    project = out / "demo.db"
    ingest_paths(project, [out / "vehicles.csv"], kind="vehicles")
    ingest_paths(project, [out / "pings.csv"], kind="pings")
    ingest_paths(project, [out / "labels.csv"], kind="labels")
    infer_project(project, seed=0)
    return project, out / "truth.json"


def wrong_places(conn, truth: dict) -> tuple[set[str], int, list[dict]]:
    """Places carrying a truly wrong label; the count of wrong labels; those matching no place."""
    wrong = pd.DataFrame(truth["wrong_labels"])
    if wrong.empty:
        return set(), 0, []
    matched = pd.read_sql_query(
        "SELECT l.vehicle_id, l.label, pl.place_id FROM labels l "
        "LEFT JOIN place_labels pl USING (label_id)", conn)
    joined = wrong.merge(matched, on=["vehicle_id", "label"], how="left")
    places = set(joined["place_id"].dropna())
    unmatched = joined[joined["place_id"].isna()][["vehicle_id", "label", "kind"]]
    return places, len(wrong), unmatched.to_dict("records")


def scores(ranked: list[str], truth: set[str], k: int, bad_vehicles: set[str]) -> dict:
    hits_at_k = len(set(ranked[:k]) & truth)
    on_bad_vehicle = sum(p.rsplit(":", 1)[0] in bad_vehicles for p in ranked)
    return {"flagged": len(ranked), "precision_at_k": hits_at_k / k if k else None,
            "recall": len(set(ranked) & truth) / len(truth) if truth else None,
            "precision": len(set(ranked) & truth) / len(ranked) if ranked else None,
            # a flagged place of a vehicle that has a wrong label (e.g. its real home,
            # implied 'other' because the home label went elsewhere) is a useful find too
            "vehicle_precision": on_bad_vehicle / len(ranked) if ranked else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=200)
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--project", help="use this inferred project instead of a new demo")
    ap.add_argument("--truth", help="truth.json of --project")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    try:
        import cleanlab
        from cleanlab.filter import find_label_issues
    except ImportError:
        print("cleanlab is bench-only: run with .venv-bench/bin/python", file=sys.stderr)
        return 1

    tmp = None
    if args.project:
        project, truth_path = Path(args.project), Path(args.truth)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="bench-label-issues-")
        t0 = time.perf_counter()
        project, truth_path = build_project(Path(tmp.name), args.vehicles, args.days, args.seed)
        print(f"demo fleet {args.vehicles} vehicles x {args.days} days (seed {args.seed}) "
              f"built and inferred in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    truth = json.loads(truth_path.read_text())
    conn = open_project(project, create=False)
    run_id = frames.resolve_run(conn)
    lab = frames.labelled(frames.predictions(conn, run_id))
    bad, n_wrong, unmatched = wrong_places(conn, truth)
    k = len(bad)
    bad_vehicles = {w["vehicle_id"] for w in truth["wrong_labels"]}
    labels = lab["given_label"].map({c: i for i, c in enumerate(frames.CLASSES)}).to_numpy()
    probs = lab[frames.OOF_COLUMNS].to_numpy(dtype=float)
    ids = lab["place_id"].to_numpy()

    result = {"labelled_places": int(len(lab)), "wrong_labels": n_wrong,
              "wrong_labels_on_places": k, "wrong_labels_unmatched": unmatched,
              "cleanlab_version": cleanlab.__version__, "methods": {}}
    for rank_by in RANKINGS:
        t0 = time.perf_counter()
        ours = suspicious_labels(lab, rank_by)["place_id"].tolist()
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        idx = find_label_issues(labels, probs, return_indices_ranked_by=rank_by)
        t_cl = time.perf_counter() - t0
        theirs = ids[idx].tolist()
        result["methods"][f"auditor/{rank_by}"] = {**scores(ours, bad, k, bad_vehicles),
                                                 "seconds": t_ours}
        result["methods"][f"cleanlab/{rank_by}"] = {**scores(theirs, bad, k, bad_vehicles),
                                                  "seconds": t_cl}
    # wrong labels on no place: does the evidence check name them?
    ev = evidence_frame(conn)
    far = set(zip(ev.loc[ev["check"] == "far_from_stops", "vehicle_id"],
                  ev.loc[ev["check"] == "far_from_stops", "label"]))
    result["unmatched_found_by_evidence"] = sum((u["vehicle_id"], u["label"]) in far
                                                for u in unmatched)
    conn.close()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"labelled places {result['labelled_places']}, wrong labels {n_wrong} "
              f"({k} on a place, {len(unmatched)} matched no place; evidence names "
              f"{result['unmatched_found_by_evidence']} of those)")
        print(f"{'method':<34}{'flagged':>8}{'P@k':>8}{'recall':>8}{'precision':>10}"
              f"{'veh.prec':>10}")
        def fmt(v):
            return "n/a" if v is None else f"{v:.2f}"

        for name, m in result["methods"].items():
            print(f"{name:<34}{m['flagged']:>8}{fmt(m['precision_at_k']):>8}"
                  f"{fmt(m['recall']):>8}{fmt(m['precision']):>10}"
                  f"{fmt(m['vehicle_precision']):>10}")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
