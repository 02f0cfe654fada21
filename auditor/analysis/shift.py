"""The "skew" section of the report: train vs validation vs unlabelled vs a recent window, per
feature and per metadata column, plus leakage checks and spatial drift.

Populations (a place belongs to its vehicle's split):
- validation / unlabelled vs train: places of those vehicles, features as the model saw them;
- recent vs early: features RECOMPUTED per place (the pipeline's own place_features) from only
  the stops arriving in the last N (7) days, against the same recomputation over the first N
  days. Equal windows, same method: comparing a 7-day recomputation with full-period features
  would flag every count (visits grow with the window) and every place that is simply not
  visited each week, which is not drift.
Metadata is compared per vehicle (a vehicle counts once, not once per place).
"populations" compares each metadata population's places with the rest's (population_skew):
the place where a data fault of one firmware shows even when the model copes with it.
"""
from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

from auditor.analysis import frames
from auditor.analysis.drift import spatial_drift
from auditor.analysis.leakage import entity_leakage, location_leakage, time_overlap
from auditor.analysis.population_skew import population_skew
from auditor.analysis.skew import compare_frames
from auditor.pipeline.features import place_features as compute_place_features

RECENT_DAYS = 7


def window_features(stops: pd.DataFrame, places: pd.DataFrame, days: int = RECENT_DAYS,
                    at: str = "end") -> tuple[pd.DataFrame, dict]:
    """Place features from the (local) stops arriving in the first or last ``days`` days."""
    if stops.empty:
        return pd.DataFrame(), {"days": days, "start_ts": None, "end_ts": None, "stops": 0}
    if at == "end":
        end = int(stops["end_ts"].max())
        start = end - days * 86_400
    else:
        start = int(stops["start_ts"].min())
        end = start + days * 86_400
    win = stops[(stops["start_ts"] >= start) & (stops["start_ts"] < end)
                & stops["place_id"].notna()]
    pl = places[places["place_id"].isin(win["place_id"])]
    feats = compute_place_features(win, pl) if not win.empty else pd.DataFrame()
    return feats, {"days": days, "start_ts": start, "end_ts": end, "stops": int(len(win)),
                   "places": int(len(pl))}


def skew_report(conn: sqlite3.Connection, pred: pd.DataFrame, stops: pd.DataFrame,
                meta: pd.DataFrame, recent_days: int = RECENT_DAYS) -> dict:
    """``pred``: the run's predictions; ``stops``: local stops (stoptimes.local_stops)."""
    feats = frames.place_features(conn)
    cols = frames.feature_columns(feats)
    split_of_place = pred.set_index("place_id")["split"]
    split_of_vehicle = pred.drop_duplicates("vehicle_id").set_index("vehicle_id")["split"]
    feats = feats.assign(split=feats["place_id"].map(split_of_place))
    ref = feats[feats["split"] == "train"]

    places = pd.read_sql_query("SELECT place_id, vehicle_id, lat, lon FROM places "
                               "ORDER BY place_id", conn)
    recent, window = window_features(stops, places, recent_days, "end")
    early, early_window = window_features(stops, places, recent_days, "start")
    if recent.empty:
        recent = pd.DataFrame(columns=cols + ["vehicle_id"])
    if early.empty:
        early = pd.DataFrame(columns=cols + ["vehicle_id"])

    numeric_meta, categorical = frames.split_metadata(meta)
    m = meta.assign(split=meta["vehicle_id"].map(split_of_vehicle))
    m_ref = m[m["split"] == "train"]
    recent_vehicles = set(recent["vehicle_id"]) if "vehicle_id" in recent else set()
    early_vehicles = set(early["vehicle_id"]) if "vehicle_id" in early else set()
    comparisons = {}
    for name, ref_feats, ref_meta, cur_feats, cur_meta in (
            ("validation", ref, m_ref, feats[feats["split"] == "validation"],
             m[m["split"] == "validation"]),
            ("unlabelled", ref, m_ref, feats[feats["split"] == "unlabelled"],
             m[m["split"] == "unlabelled"]),
            ("recent", early, m[m["vehicle_id"].isin(early_vehicles)], recent,
             m[m["vehicle_id"].isin(recent_vehicles)])):
        # places cluster by vehicle: their KS p-values permute whole vehicles (cluster_ks);
        # early and recent hold the same vehicles' places
        rows = compare_frames(ref_feats, cur_feats, cols, [], cluster="vehicle_id",
                              paired=name == "recent")
        meta_num = {c: pd.to_numeric(ref_meta[c].replace("", np.nan), errors="coerce")
                    for c in numeric_meta}
        cur_num = {c: pd.to_numeric(cur_meta[c].replace("", np.nan), errors="coerce")
                   for c in numeric_meta}
        rows += compare_frames(pd.DataFrame(meta_num), pd.DataFrame(cur_num), numeric_meta, [])
        rows += compare_frames(ref_meta, cur_meta, [], categorical)
        comparisons[name] = {"reference": "train" if name != "recent" else "early",
                             "n_reference_places": int(len(ref_feats)),
                             "n_current_places": int(len(cur_feats)),
                             "flagged": [r["feature"] for r in rows if r["flag"]],
                             "features": rows}
    comparisons["recent"]["window"] = window
    comparisons["recent"]["reference_window"] = early_window
    return {
        "reference": "train",
        "comparisons": comparisons,
        "leakage": {"entity": entity_leakage(pred), "location": location_leakage(pred),
                    "time": time_overlap(stops, split_of_vehicle)},
        "populations": population_skew(
            feats, pred.set_index("place_id")["predicted_label"], meta, cols, categorical),
        "spatial_drift": spatial_drift(stops),
    }
