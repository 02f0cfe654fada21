"""The fix loop's before and after: error rates of every population in two runs.

After a fix (re-importing one population's pings with the right clock, correcting labels) the
analyst re-runs inference and asks: did the errors of the population I fixed drop, and did
nothing else get worse? Places are re-derived between runs, so populations are compared by
vehicle (metadata value), never by place id. A model run is judged out-of-fold (what the error
tree explains), a baseline run by its predicted labels (it trains on nothing).
"""
from __future__ import annotations

import sqlite3
from typing import Optional

import numpy as np
import pandas as pd

from auditor.analysis import frames
from auditor.errors import UserError

MAX_LEVELS = 50


def run_kind(conn: sqlite3.Connection, run_id: int) -> str:
    row = conn.execute("SELECT kind FROM runs WHERE run_id = ?", (int(run_id),)).fetchone()
    if row is None:
        raise UserError(f"run {run_id} is not in this project — list runs with 'auditor report'")
    return row[0]


def vehicle_errors(conn: sqlite3.Connection, run_id: int) -> pd.DataFrame:
    """Per vehicle with labelled places: n, errors (the run's judged errors) and shown_errors
    (predicted label differs from the given one)."""
    pred = frames.predictions(conn, run_id)
    if run_kind(conn, run_id) == "model":
        lab = frames.labelled(pred)
        wrong = lab["wrong"].to_numpy(dtype=bool)
    else:
        lab = pred[pred["given_label"].isin(frames.CLASSES)].reset_index(drop=True)
        wrong = (lab["predicted_label"] != lab["given_label"]).to_numpy()
    shown = (lab["predicted_label"] != lab["given_label"]).to_numpy()
    per = pd.DataFrame({"vehicle_id": lab["vehicle_id"].to_numpy(), "n": 1,
                        "errors": wrong.astype(int), "shown_errors": shown.astype(int)})
    return per.groupby("vehicle_id", sort=True).sum()


def rates(counts: pd.DataFrame, vehicles) -> dict:
    """Totals over ``vehicles`` (those with labelled places in the run)."""
    sub = counts.reindex(sorted(set(vehicles) & set(counts.index)))
    n, errors, shown = (int(sub[c].sum()) for c in ("n", "errors", "shown_errors"))
    return {"vehicles": int(len(sub)), "n": n, "errors": errors,
            "error_rate": errors / n if n else None, "predicted_errors": shown,
            "predicted_error_rate": shown / n if n else None}


def _change(before: dict, after: dict) -> Optional[float]:
    b, a = before["error_rate"], after["error_rate"]
    return None if a is None or b is None else a - b


def previous_model_run(conn: sqlite3.Connection, run_id: int) -> Optional[int]:
    row = conn.execute("SELECT MAX(run_id) FROM runs WHERE kind = 'model' AND run_id < ?",
                       (int(run_id),)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def check_model_runs(conn: sqlite3.Connection, *run_ids: int) -> None:
    """UserError unless every run is a model run of this project (cheap: ask before working)."""
    for r in run_ids:
        if run_kind(conn, r) != "model":
            raise UserError(f"run {r} is not a model run — compare two runs of 'auditor infer'")


def before_after(conn: sqlite3.Connection, before_run: int, after_run: int) -> dict:
    """Every metadata population (and the whole fleet) in two model runs and in
    the baseline runs made beside them; populations sorted by how much their error rate fell."""
    check_model_runs(conn, before_run, after_run)
    meta = frames.vehicle_metadata(conn)
    # every column with few values, numbers included (a model year is a population too); free
    # text and ids are left out like in the other population views
    columns = [c for c in meta.columns if c != "vehicle_id" and meta[c].nunique() <= MAX_LEVELS]
    runs = {"model": (before_run, after_run),
            "baseline": (frames.baseline_run_for(conn, before_run),
                         frames.baseline_run_for(conn, after_run))}
    counts = {kind: [None if r is None else vehicle_errors(conn, r) for r in pair]
              for kind, pair in runs.items()}

    def entry(vehicles) -> dict:
        out = {}
        for kind, (b, a) in counts.items():
            if b is None or a is None:
                continue
            rb, ra = rates(b, vehicles), rates(a, vehicles)
            out[kind] = {"before": rb, "after": ra, "error_rate_change": _change(rb, ra)}
        return out

    every = set(meta["vehicle_id"]) | set(counts["model"][0].index) | set(counts["model"][1].index)
    populations = []
    for col in columns:
        for value, group in meta.groupby(col, sort=True)["vehicle_id"]:
            e = entry(set(group))
            if any(e[k][w]["n"] for k in e for w in ("before", "after")):  # no labels: no news
                populations.append({"column": col, "value": str(value), **e})
    populations.sort(key=lambda p: (_sort_change(p), p["column"], p["value"]))
    return {"before_run_id": int(before_run), "after_run_id": int(after_run),
            "baseline_run_ids": [runs["baseline"][0], runs["baseline"][1]],
            "judged": "model: out-of-fold prediction vs given label; baseline: predicted label",
            "fleet": entry(every), "populations": populations}


def _sort_change(p: dict) -> float:
    """Largest drop in the model's error rate first; populations without a rate last."""
    change = (p.get("model") or {}).get("error_rate_change")
    return np.inf if change is None else change
