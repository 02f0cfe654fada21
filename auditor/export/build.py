"""The training set in memory: the latest model run's training split after the analysts' work
(corrections, exclusions, ping-range re-derivation), with sample weights."""
from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from auditor.errors import UserError
from auditor.export.config import ExportConfig
from auditor.export.corrections import EXCLUDED_NO_STOPS, apply_labels_and_exclusions, read_flags
from auditor.export.hashing import frame_hash
from auditor.export.refeature import refeature
from auditor.export.weighting import compute_weights
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.progress import Progress, report, scaled
from auditor.store.queries import latest_run_id, read_run, table_exists

ID_COLUMNS = ["place_id", "vehicle_id"]
TAIL_COLUMNS = ["label", "sample_weight", "weight_reason"]
SPLIT_DEFINITION = ("per vehicle, as stored by the model run (predictions.split): every place of a "
                    "vehicle is in the same split; 'train' rows are exported, 'validation' rows "
                    "only steer the weights, 'test' and 'unlabelled' rows are not used")


# what read_rows returns, for its content hash (inference results the export depends on)
MODEL_ROW_KINDS = {**{c: "text" for c in ("place_id", "vehicle_id", "split", "given_label",
                                          "predicted_label")},
                   **{c: "real" for c in FEATURE_COLUMNS}}


def export_columns() -> list[str]:
    return ID_COLUMNS + list(FEATURE_COLUMNS) + TAIL_COLUMNS


@dataclass
class TrainingSet:
    frame: pd.DataFrame                 # export_columns(), sorted by place_id
    run: dict                           # the model run (auditor.store.queries.read_run)
    splits: dict                        # counts per split + vehicle-set hashes
    flags: dict                         # flags in force, counted
    counts: dict                        # relabelled / excluded / misclassified validation
    weights: dict                       # weight statistics
    model_rows: dict = field(default_factory=dict)   # hash of the predictions+features read
    refeatured: dict = field(default_factory=dict)   # vehicle -> ping exclusion summary


def model_run(conn: sqlite3.Connection) -> dict:
    run_id = latest_run_id(conn, "model")
    if run_id is None:
        raise UserError("project has no model run — run 'auditor infer PROJECT' first "
                        "(it needs labelled vehicles)")
    run = read_run(conn, run_id)
    source = (run["metrics"] or {}).get("labels_source") or {}
    if source.get("validation") == "no labels":
        n = conn.execute("SELECT COUNT(*) FROM labels").fetchone()[0] \
            if table_exists(conn, "labels") else 0
        if n:  # labels there are, but the run could use none of them
            why = dict(conn.execute("SELECT reason, COUNT(*) FROM unmatched_labels GROUP BY "
                                    "reason ORDER BY reason").fetchall()) \
                if table_exists(conn, "unmatched_labels") else {}
            raise UserError(f"none of the project's {n:,} labels matched a place in its latest "
                            "run" + (" (" + ", ".join(f"{k}: {v:,}" for k, v in why.items())
                                     + ")" if why else "")
                            + " — 'auditor infer PROJECT' says why; a training set needs "
                            "given labels on places")
        raise UserError("project has no labels: its latest run's labels are "
                        f"{source.get('text', 'not learnt from labels')} — import labels "
                        "('auditor ingest PROJECT labels.csv') and infer again; a training "
                        "set needs given labels")
    return run


def read_rows(conn: sqlite3.Connection, run_id: int) -> pd.DataFrame:
    """Training and validation predictions of the run with their place features."""
    if not table_exists(conn, "place_features"):
        raise UserError("project has no place features — run 'auditor infer PROJECT' first")
    have = {r[1] for r in conn.execute('PRAGMA table_info("place_features")')}
    missing = [c for c in FEATURE_COLUMNS if c not in have]
    if missing:
        raise UserError(f"project's place features lack {', '.join(missing)} (made by an older "
                        "auditor) — run 'auditor infer PROJECT' again")
    feats = ", ".join(f'f."{c}"' for c in FEATURE_COLUMNS)
    rows = pd.read_sql_query(
        f"SELECT p.place_id, p.vehicle_id, p.split, p.given_label, p.predicted_label, {feats} "
        "FROM predictions p LEFT JOIN place_features f ON f.place_id = p.place_id "
        "WHERE p.run_id = ? AND p.split IN ('train', 'validation') ORDER BY p.place_id",
        conn, params=(run_id,))
    for c in FEATURE_COLUMNS:
        rows[c] = pd.to_numeric(rows[c], errors="coerce").astype(np.float64)
    return rows


def _corrections_on_test(conn: sqlite3.Connection, run_id: int,
                         corrections: dict[str, str]) -> int:
    """Label corrections in force on the run's test places (which the rows leave out)."""
    test = dict(conn.execute("SELECT place_id, given_label FROM predictions "
                             "WHERE run_id = ? AND split = 'test'", (run_id,)).fetchall())
    return sum(1 for place, label in corrections.items()
               if place in test and test[place] != label)


def split_summary(conn: sqlite3.Connection, run_id: int) -> dict:
    frame = pd.read_sql_query(
        "SELECT split, vehicle_id, COUNT(*) AS places FROM predictions WHERE run_id = ? "
        "GROUP BY split, vehicle_id ORDER BY split, vehicle_id", conn, params=(run_id,))
    counts, vehicle_sets = {}, {}
    for split, part in frame.groupby("split", sort=True):
        counts[split] = {"places": int(part["places"].sum()), "vehicles": int(len(part))}
        ids = "\n".join(part["vehicle_id"].astype(str).tolist()) + "\n"
        vehicle_sets[split] = hashlib.sha256(ids.encode("utf-8")).hexdigest()
    return {"definition": SPLIT_DEFINITION, "counts": counts,
            "vehicle_ids_sha256": vehicle_sets}


def build_training_set(conn: sqlite3.Connection, config: ExportConfig | dict | None = None,
                       progress: Progress | None = None) -> TrainingSet:
    config = ExportConfig.from_any(config)
    report(progress, 0, 1, "reading predictions and features")
    run = model_run(conn)
    rows = read_rows(conn, run["run_id"])
    model_rows = frame_hash(rows, MODEL_ROW_KINDS)
    flags = read_flags(conn, config.reviewed_only)
    rows = apply_labels_and_exclusions(rows, flags)
    rows.loc[rows["label"].isna() & (rows["excluded"] == ""), "excluded"] = "no given label"

    kept_vehicles = sorted(set(rows.loc[rows["excluded"] == "", "vehicle_id"]))
    new_feats, lost, refeatured = refeature(conn, flags.ping_ranges, kept_vehicles,
                                            run["config"], config.match_radius_m,
                                            scaled(progress, 0.1, 0.6))
    if len(new_feats):
        pos = rows.index[rows["place_id"].isin(new_feats.index)]
        rows.loc[pos, FEATURE_COLUMNS] = new_feats.loc[rows.loc[pos, "place_id"],
                                                       FEATURE_COLUMNS].to_numpy()
    rows.loc[rows["place_id"].isin(lost) & (rows["excluded"] == ""), "excluded"] = \
        EXCLUDED_NO_STOPS

    report(progress, 0.6, 1, "weighting")
    kept = rows["excluded"] == ""
    train = rows[kept & (rows["split"] == "train")].reset_index(drop=True)
    val = rows[kept & (rows["split"] == "validation")]
    misclassified = val[val["predicted_label"] != val["label"]]
    if train.empty:
        raise UserError("no training rows left to export — every training place is excluded "
                        "by a bad-data flag, or the model run has no training split")
    w = compute_weights(train[FEATURE_COLUMNS].to_numpy(), train["place_id"].to_numpy(),
                        train["label"].to_numpy(), train["hard"].to_numpy(),
                        misclassified[FEATURE_COLUMNS].to_numpy(), config)
    frame = train[ID_COLUMNS + list(FEATURE_COLUMNS) + ["label"]].copy()
    frame["sample_weight"] = w.weights
    frame["weight_reason"] = w.reasons
    frame = frame.sort_values("place_id", kind="mergesort").reset_index(drop=True)
    for c in ("place_id", "vehicle_id", "label", "weight_reason"):
        frame[c] = frame[c].astype(object)

    in_train = rows["split"] == "train"
    excluded_train = rows.loc[in_train & ~kept, "excluded"].value_counts()
    counts = {
        "rows": int(len(frame)),
        "relabelled": int((train["relabelled"]).sum()),
        "relabelled_validation": int(val["relabelled"].sum()),
        # corrections on test places: held out, never trained on (said, or an analyst who
        # flagged them reads "relabelled 0" as the flags being lost)
        "relabelled_test": _corrections_on_test(conn, run["run_id"], flags.corrections),
        "excluded": int((in_train & ~kept).sum()),
        "excluded_by_reason": {str(k): int(v) for k, v in sorted(excluded_train.items())},
        "excluded_validation": int((~in_train & ~kept).sum()),
        "validation_rows": int(len(val)),
        "misclassified_validation": int(len(misclassified)),
        "reweighted": int(np.count_nonzero((w.near_counts > 0) | train["hard"].to_numpy())),
        "labels": {str(k): int(v) for k, v in sorted(frame["label"].value_counts().items())},
    }
    report(progress, 1, 1, "training set ready")
    return TrainingSet(frame=frame, run=run, splits=split_summary(conn, run["run_id"]),
                       flags=flags.summary(), counts=counts, weights=w.stats,
                       model_rows=model_rows, refeatured=refeatured)


def held_out_words(summary: dict, before: str = "", after: str = "") -> str:
    """'and 2 on test places, held out' — label corrections outside the training rows, which
    the relabelled count leaves out ('' when none): validation ones still decide which
    validation samples count as misclassified; test ones are never trained on."""
    parts = []
    if summary.get("relabelled_validation"):
        parts.append(f"{summary['relabelled_validation']:,} on validation places (they decide "
                     "which count as misclassified)")
    if summary.get("relabelled_test"):
        parts.append(f"{summary['relabelled_test']:,} on test places, held out")
    return f"{before}and {'; '.join(parts)}{after}" if parts else ""
