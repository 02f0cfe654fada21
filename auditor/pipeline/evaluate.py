"""Score a run against a demo truth file (truth.json): did the predicted home and work land
within 150 m of the true ones? Reported per group, because the groups are not equally hard:
``day`` (day and part-time shifts), ``night`` (parked at work over 02:00), ``none`` (no work)
and ``faulty`` (the firmware that stamps local time as UTC; any schedule)."""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from auditor.geo import haversine_m
from auditor.store.queries import latest_run_id, read_predictions

GROUPS = ("day", "night", "none", "faulty")
HIT_M = 150.0


def truth_frame(truth: dict) -> pd.DataFrame:
    rows = []
    for vid, t in truth["vehicles"].items():
        work = t.get("work")
        rows.append({"vehicle_id": vid,
                     "group": "faulty" if t.get("faulty") else t.get("schedule"),
                     "home_lat": t["home"][0], "home_lon": t["home"][1],
                     "work_lat": work[0] if work else np.nan,
                     "work_lon": work[1] if work else np.nan})
    return pd.DataFrame(rows)


def score_predictions(predictions: pd.DataFrame, truth: dict) -> dict:
    """Per group: n vehicles, home_within_150m (share of vehicles); for vehicles with a true
    work place n_with_work and work_within_150m; for the others n_without_work and
    work_predicted_without_work (a false work). A vehicle with no predicted home (no
    places at all) counts as a miss. ``predictions``: vehicle_id, predicted_label, lat, lon."""
    t = truth_frame(truth)

    def located(label: str) -> pd.DataFrame:
        p = predictions.loc[predictions["predicted_label"] == label, ["vehicle_id", "lat", "lon"]]
        return p.drop_duplicates("vehicle_id").set_index("vehicle_id")

    home, work = located("home"), located("work")
    t["home_hit"] = haversine_m(t["home_lat"], t["home_lon"],
                                t["vehicle_id"].map(home["lat"]),
                                t["vehicle_id"].map(home["lon"])) <= HIT_M
    t["work_hit"] = haversine_m(t["work_lat"], t["work_lon"],
                                t["vehicle_id"].map(work["lat"]),
                                t["vehicle_id"].map(work["lon"])) <= HIT_M
    t["has_work"] = t["work_lat"].notna()
    t["has_predicted_work"] = t["vehicle_id"].isin(work.index)
    out = {}
    for group in GROUPS:
        g = t[t["group"] == group]
        gw = g[g["has_work"]]
        out[group] = {
            "n": int(len(g)),
            "home_within_150m": float(g["home_hit"].mean()) if len(g) else None,
            "n_with_work": int(len(gw)),
            "work_within_150m": float(gw["work_hit"].mean()) if len(gw) else None,
            # vehicles with no work in truth that were given one anyway
            "n_without_work": int(len(g) - len(gw)),
            "work_predicted_without_work": (float(g.loc[~g["has_work"], "has_predicted_work"].mean())
                                            if len(g) > len(gw) else None),
        }
    return out


def score_against_truth(conn: sqlite3.Connection, truth: dict, run_id: int | None = None) -> dict:
    """{"model": {"run_id", "groups": {...}}, "baseline": {...}} for the given (default: the
    latest) model run and the latest baseline run."""
    out = {}
    for kind, rid in (("model", run_id if run_id is not None else latest_run_id(conn, "model")),
                      ("baseline", latest_run_id(conn, "baseline"))):
        if rid is None:
            out[kind] = None
            continue
        out[kind] = {"run_id": rid, "groups": score_predictions(read_predictions(conn, rid), truth)}
    return out
