"""Validation metrics of a run: accuracy, confusion counts, per-class precision/recall, the
places the model got wrong, and the same figures for the baseline on the same places."""
from __future__ import annotations

import sqlite3
from typing import Iterable, Optional

import numpy as np
import pandas as pd

from auditor.analysis.frames import CLASSES, baseline_run_for, predictions
from auditor.analysis.jsonable import records


def classification_metrics(given: Iterable, predicted: Iterable,
                           classes: Iterable[str] = CLASSES) -> dict:
    """Counts and rates of predicted vs given labels.

    ``confusion[given][predicted]`` is a count; precision/recall are None when undefined
    (no place predicted / given as that class) rather than a made-up 0."""
    classes = list(classes)
    g = np.asarray(list(given), dtype=object)
    p = np.asarray(list(predicted), dtype=object)
    n = int(len(g))
    confusion = {a: {b: int(np.sum((g == a) & (p == b))) for b in classes} for a in classes}
    per_class = {}
    for c in classes:
        tp = confusion[c][c]
        n_pred = int(np.sum(p == c))
        n_given = int(np.sum(g == c))
        precision = tp / n_pred if n_pred else None
        recall = tp / n_given if n_given else None
        f1 = (2 * precision * recall / (precision + recall)
              if precision and recall else (0.0 if n_pred and n_given else None))
        per_class[c] = {"precision": precision, "recall": recall, "f1": f1,
                        "support": n_given, "predicted": n_pred}
    correct = int(np.sum(g == p))
    return {"n": n, "correct": correct, "accuracy": correct / n if n else None,
            "confusion": confusion, "per_class": per_class}


def misclassified(frame: pd.DataFrame) -> list[dict]:
    """Validation places whose prediction differs from the given label, least confident
    in the given label first (the ones worth looking at)."""
    wrong = frame[frame["predicted_label"] != frame["given_label"]].copy()
    if wrong.empty:
        return []
    p_given = np.choose(
        wrong["given_label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy(),
        [wrong[f"p_{c}"].to_numpy(dtype=float) for c in CLASSES])
    wrong["p_given"] = p_given
    wrong = wrong.sort_values(["p_given", "place_id"], kind="mergesort")
    cols = ["place_id", "vehicle_id", "lat", "lon", "given_label", "predicted_label",
            "p_home", "p_work", "p_other", "p_given"]
    return records(wrong[cols])


def validation_report(conn: sqlite3.Connection, run_id: int,
                      frame: Optional[pd.DataFrame] = None) -> dict:
    """Metrics on the run's validation places, and the baseline run on the same places."""
    frame = predictions(conn, run_id) if frame is None else frame
    val = frame[(frame["split"] == "validation") & frame["given_label"].isin(CLASSES)]
    out = classification_metrics(val["given_label"], val["predicted_label"])
    out["run_id"] = run_id
    out["misclassified"] = misclassified(val)
    out["baseline"] = _baseline(conn, run_id, val, out)
    return out


def _baseline(conn: sqlite3.Connection, run_id: int, val: pd.DataFrame, model: dict) -> dict:
    base_id = baseline_run_for(conn, run_id)
    if base_id is None:
        return {"run_id": None, "note": "no baseline run in this project"}
    base = predictions(conn, base_id)[["place_id", "predicted_label"]]
    joined = val[["place_id", "given_label"]].merge(base, on="place_id", how="left")
    # a validation place the baseline did not see counts as 'other' (the baseline's default)
    joined["predicted_label"] = joined["predicted_label"].fillna("other")
    metrics = classification_metrics(joined["given_label"], joined["predicted_label"])
    metrics["run_id"] = base_id
    if metrics["accuracy"] is not None and model["accuracy"] is not None:
        metrics["model_minus_baseline_accuracy"] = model["accuracy"] - metrics["accuracy"]
    return metrics

