"""Benchmark: export and verify (not a test).

Two parts:

1. Export of a 1M-row training table: a temporary project whose places / place_features /
   predictions are written directly (no pings through inference): ROWS training places plus
   validation places with a share of model errors, features with a few latent factors, then
   the export timed (CSV and Parquet), and the pings hashed column-wise against the general
   pandas.read_sql one (same digest).
2. Proving the inputs (issue 16): ``export`` and ``verify`` of a project with PINGS pings —
   the synthetic one, or ``--project P`` (e.g. a 5,000-vehicle demo fleet ingested and
   inferred) — each in its own process, with its peak memory (VmHWM): the first export of
   a project without per-import digests (they are computed from the rows: the old cost, once),
   then export and verify on stored digests (target <= 10 s at 20.8M pings), and ``verify
   --full`` (every ping hashed again). Baseline: the same proof by hashing every ping, as
   every export and verify did before.

    .venv/bin/python bench/export.py [--rows 1000000] [--validation 100000] [--errors 0.02]
                                     [--pings 1000000] [--formats csv,parquet]
    .venv/bin/python bench/export.py --project P --skip-training-table
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from auditor.export.api import export_training_set
from auditor.export.hashing import keyed_table_hash, table_hash
from auditor.export.manifest import INPUT_TABLES
from auditor.pipeline.config import InferConfig
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.pipeline.shards import peak_rss_mb
from auditor.store import open_project, transaction
from auditor.store.bulk import insert_frame, replace_table_from_frame

PLACES_PER_VEHICLE = 20
LABELS = np.array(["home", "work", "other"])


def synth_project(path: Path, rows: int, validation: int, error_share: float, pings: int,
                  seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    n = rows + validation
    idx = np.arange(n)
    vehicle = np.char.add("V", (idx // PLACES_PER_VEHICLE).astype(str))
    place = np.char.add(np.char.add(vehicle, ":"), (idx % PLACES_PER_VEHICLE).astype(str))
    latent = rng.normal(size=(n, 3))
    mix = rng.normal(size=(3, len(FEATURE_COLUMNS)))
    feats = latent @ mix + 0.05 * rng.normal(size=(n, len(FEATURE_COLUMNS)))
    for col in ("n_visits", "n_days", "dwell_rank"):   # counts and ranks are whole numbers
        j = FEATURE_COLUMNS.index(col)
        feats[:, j] = np.maximum(1, np.round(np.abs(feats[:, j]) * 5))
    lat = 48 + rng.random(n)
    lon = 11 + rng.random(n)
    label = LABELS[np.minimum(idx % PLACES_PER_VEHICLE, 2)]
    split = np.where(idx < rows, "train", "validation")
    predicted = label.copy()
    val_idx = np.flatnonzero(idx >= rows)
    wrong = rng.choice(val_idx, size=int(len(val_idx) * error_share), replace=False)
    predicted[wrong] = np.where(label[wrong] == "home", "work", "home")
    places = pd.DataFrame({"place_id": place, "vehicle_id": vehicle, "lat": lat, "lon": lon,
                           "n_stops": 3})
    feature_frame = pd.concat([places[["place_id", "vehicle_id", "lat", "lon"]],
                               pd.DataFrame(feats, columns=FEATURE_COLUMNS)], axis=1)
    preds = pd.DataFrame({"run_id": 1, "place_id": place, "vehicle_id": vehicle, "split": split,
                          "given_label": label, "predicted_label": predicted,
                          "p_home": 0.3, "p_work": 0.3, "p_other": 0.4})
    conn = open_project(path)
    with transaction(conn):
        conn.execute("INSERT INTO imports (import_id, kind, path, file_name, sha256, size_bytes, "
                     "options_key, rows_read, rows_accepted, rows_quarantined, column_map, "
                     "file_format, imported_at) VALUES (1, 'pings', 'synthetic', 'synthetic', "
                     "'-', 0, '', ?, ?, 0, '{}', 'csv', 'bench')", (pings, pings))
        if pings:
            pv = rng.integers(0, max(1, n // PLACES_PER_VEHICLE), size=pings)
            insert_frame(conn, "pings", pd.DataFrame({
                "vehicle_id": np.char.add("V", pv.astype(str)),
                "ts": 1_700_000_000 + np.arange(pings), "utc_offset_min": 60,
                "lat": 48 + rng.random(pings), "lon": 11 + rng.random(pings),
                "speed_mps": rng.random(pings) * 30, "import_id": 1}))
        insert_frame(conn, "places", places)
        replace_table_from_frame(conn, "place_features", feature_frame, primary_key="place_id")
        conn.execute("INSERT INTO runs (run_id, kind, created_at, seed, config, versions) "
                     "VALUES (1, 'model', 'bench', 0, ?, '{}')",
                     (json.dumps(InferConfig().to_dict()),))
        insert_frame(conn, "predictions", preds)
    conn.close()


def child(step: str, project: Path, out: Path) -> None:
    """One timed step in this process; prints {"seconds", "max_rss_mb", ...} as JSON."""
    from auditor.export.verify import verify_export
    t0 = time.perf_counter()
    if step == "export":
        summary = export_training_set(project, out, fmt="csv")
        extra = {"rows": summary["rows"]}
    else:
        result = verify_export(out, full=step == "verify-full")
        if not result.ok:
            raise SystemExit("verify failed: " + "; ".join(result.differences))
        extra = {}
    dt = time.perf_counter() - t0
    # VmHWM, not getrusage's maxrss: that starts at the parent's peak (Linux keeps it across
    # fork and exec), so the bench's own memory would show up as the step's
    print(json.dumps({"seconds": dt, "max_rss_mb": peak_rss_mb(), **extra}))


def run_child(step: str, project: Path, out: Path) -> dict:
    got = subprocess.run([sys.executable, __file__, "--child", step, str(project), str(out)],
                         capture_output=True, text=True, env=dict(os.environ))
    if got.returncode:
        raise SystemExit(f"{step} failed:\n{got.stderr[-3000:]}")
    return json.loads(got.stdout.strip().splitlines()[-1])


def drop_digests(project: Path) -> None:
    conn = open_project(project)
    with transaction(conn):
        conn.execute("DELETE FROM pings_digests")
    conn.close()


def prove_inputs(project: Path, tmp: Path, first_need: bool, full: bool = True) -> None:
    conn = open_project(project, readonly=True)
    n = conn.execute("SELECT COUNT(*) FROM pings").fetchone()[0]
    conn.close()
    print(f"proving the inputs of {project.name}: {n:,} pings; load average "
          f"{os.getloadavg()[0]:.1f} (2 cores)")
    out = tmp / "prove-out"
    steps = []
    if first_need:
        steps.append(("export", "export, no stored digests (first need: every ping hashed)"))
    steps += [("export", "export on stored digests"), ("verify", "verify on stored digests")]
    if full:
        steps.append(("verify-full", "verify --full (every ping hashed)"))
    for step, words in steps:
        got = run_child(step, project, out)
        print(f"  {words:58s} {got['seconds']:7.2f} s  peak RSS {got['max_rss_mb']:6.0f} MB"
              + ("  (target <= 10 s)" if "on stored" in words else ""), flush=True)


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--validation", type=int, default=100_000)
    ap.add_argument("--errors", type=float, default=0.02, help="share of validation errors")
    ap.add_argument("--pings", type=int, default=1_000_000)
    ap.add_argument("--formats", default="csv,parquet")
    ap.add_argument("--project", type=Path, help="prove the inputs of this project (it must "
                    "have a model run) instead of the synthetic one")
    ap.add_argument("--skip-training-table", action="store_true",
                    help="only part 2 (proving the inputs)")
    ap.add_argument("--no-full", action="store_true", help="leave out verify --full")
    ap.add_argument("--first-need", action="store_true",
                    help="with --project: also time an export after deleting the project's "
                         "stored digests (they are stored again by that export)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="auditor-bench-export-") as tmp:
        tmp = Path(tmp)
        if args.project is not None:
            if args.first_need:
                drop_digests(args.project)
            if not args.skip_training_table:
                print("--project: the training-table part needs the synthetic project; skipped")
            prove_inputs(args.project.absolute(), tmp, args.first_need, not args.no_full)
            return 0
        project = tmp / "bench.db"
        t0 = time.perf_counter()
        synth_project(project, args.rows, args.validation, args.errors, args.pings)
        print(f"synthesised {args.rows:,} training + {args.validation:,} validation places, "
              f"{args.pings:,} pings in {time.perf_counter() - t0:.1f} s")
        if not args.skip_training_table:
            training_table(project, tmp, args.formats)
        # the synthetic pings were written without an import: no digests, first need
        prove_inputs(project, tmp, first_need=True, full=not args.no_full)
    return 0


def training_table(project: Path, tmp: Path, formats: str) -> None:
    conn = open_project(project)
    sql, kinds = INPUT_TABLES["pings"]
    t0 = time.perf_counter()
    general = table_hash(conn, sql, kinds)  # baseline: pandas.read_sql_query in chunks
    dt_general = time.perf_counter() - t0
    t0 = time.perf_counter()
    h = keyed_table_hash(conn, "pings", "ping_id", kinds)  # column-wise
    dt = time.perf_counter() - t0
    conn.close()
    if h != general:
        raise SystemExit("column-wise pings hash differs from the general table hash")
    print(f"pings content hash: {h['rows']:,} rows in {dt:.2f} s column-wise vs "
          f"{dt_general:.2f} s via pandas.read_sql_query: ratio {dt_general / dt:.2f}x "
          "(same digest)")
    for fmt in formats.split(","):
        t0 = time.perf_counter()
        summary = export_training_set(project, tmp / f"out-{fmt}", fmt=fmt)
        dt = time.perf_counter() - t0
        print(f"export {fmt:8s}: {summary['rows']:,} rows in {dt:.1f} s = "
              f"{summary['rows'] / dt:,.0f} rows/s; "
              f"{summary['misclassified_validation']} validation errors, "
              f"{summary['reweighted']:,} rows upweighted, "
              f"ESS {summary['effective_sample_size']:,.0f}")


if __name__ == "__main__":
    sys.exit(main())
