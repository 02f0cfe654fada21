"""The "skew" section of the report: train vs validation vs unlabelled vs a recent window, per
feature and per metadata column, plus leakage checks and spatial drift.

Populations (a place belongs to its vehicle's split):
- reference: places of train vehicles, features as the model saw them;
- validation / unlabelled: places of those vehicles, same features;
- recent: features RECOMPUTED per place from only the stops that arrive in the last N (7) days
  of the data (the pipeline's own place_features on those stops), i.e. what the places look
  like now. Counting features (n_visits, n_days, total_dwell_h) grow with the window's length,
  so for the recent window they are reported but not flagged.
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
WINDOW_SCALED = {"n_visits", "n_days", "total_dwell_h"}


def recent_features(stops: pd.DataFrame, places: pd.DataFrame,
                    days: int = RECENT_DAYS) -> tuple[pd.DataFrame, dict]:
    """Place features from the stops arriving in the last ``days`` days (local stops)."""
    if stops.empty:
        return pd.DataFrame(), {"days": days, "start_ts": None, "end_ts": None, "stops": 0}
    end = int(stops["end_ts"].max())
    start = end - days * 86_400
    recent = stops[(stops["start_ts"] >= start) & stops["place_id"].notna()]
    pl = places[places["place_id"].isin(recent["place_id"])]
    feats = compute_place_features(recent, pl) if not recent.empty else pd.DataFrame()
    return feats, {"days": days, "start_ts": start, "end_ts": end, "stops": int(len(recent)),
                   "places": int(len(pl))}


def _feature_skew(reference: pd.DataFrame, current: pd.DataFrame, cols: list[str],
                  window_scaled: bool = False) -> list[dict]:
    rows = compare_frames(reference, current, cols, [])
    if window_scaled:
        for r in rows:
            if r["feature"] in WINDOW_SCALED:
                r["depends_on_window_length"] = True
                r["flag"] = False
    return rows


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
    recent, window = recent_features(stops, places, recent_days)
    if recent.empty:
        recent = pd.DataFrame(columns=cols)

    numeric_meta, categorical = frames.split_metadata(meta)
    m = meta.assign(split=meta["vehicle_id"].map(split_of_vehicle))
    m_ref = m[m["split"] == "train"]
    recent_vehicles = set(stops.loc[stops["start_ts"] >= (window["start_ts"] or 0), "vehicle_id"])
    comparisons = {}
    for name, cur_feats, cur_meta in (
            ("validation", feats[feats["split"] == "validation"], m[m["split"] == "validation"]),
            ("unlabelled", feats[feats["split"] == "unlabelled"], m[m["split"] == "unlabelled"]),
            ("recent", recent, m[m["vehicle_id"].isin(recent_vehicles)])):
        rows = _feature_skew(ref, cur_feats, cols, window_scaled=(name == "recent"))
        meta_num = {c: pd.to_numeric(m_ref[c].replace("", np.nan), errors="coerce")
                    for c in numeric_meta}
        cur_num = {c: pd.to_numeric(cur_meta[c].replace("", np.nan), errors="coerce")
                   for c in numeric_meta}
        rows += compare_frames(pd.DataFrame(meta_num), pd.DataFrame(cur_num), numeric_meta, [])
        rows += compare_frames(m_ref, cur_meta, [], categorical)
        comparisons[name] = {"n_reference_places": int(len(ref)),
                             "n_current_places": int(len(cur_feats)),
                             "flagged": [r["feature"] for r in rows if r["flag"]],
                             "features": rows}
    comparisons["recent"]["window"] = window
    return {
        "reference": "train",
        "comparisons": comparisons,
        "leakage": {"entity": entity_leakage(pred), "location": location_leakage(pred),
                    "time": time_overlap(stops, split_of_vehicle)},
        "populations": population_skew(
            feats, pred.set_index("place_id")["predicted_label"], meta, cols, categorical),
        "spatial_drift": spatial_drift(stops),
    }
