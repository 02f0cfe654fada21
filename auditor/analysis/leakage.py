"""Leakage between train and validation.

- Entity leakage: a vehicle with places in more than one split. The split is per vehicle, so
  any such vehicle is a bug: the model was scored on a vehicle it learned.
- Location leakage: a validation labelled place within 100 m of a train labelled place with the
  same label (two cars of one household share a home). Not a bug, but it flatters validation
  accuracy; reported as a count and share.
- Time overlap: the split is by vehicle over the same calendar period, so validation stays fall
  inside train's period by design. That is fine for "label this fleet now"; it is leakage only
  for "predict next month", where validation should start after train ends. We report both
  periods, the overlap and the share of validation stays inside train's period, as a warning,
  not an error.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.neighbors import BallTree

from auditor.geo import EARTH_RADIUS_M

NEAR_M = 100.0


def duplicate_leakage(pred: pd.DataFrame, duplicates: list[dict]) -> dict:
    """Cloned devices (auditor.analysis.duplicates: one device's drives under two ids) whose
    ids fell into different splits, one of them train and the other validation: the model is
    scored on drives it learned."""
    split = pred.drop_duplicates("vehicle_id").set_index("vehicle_id")["split"]
    pairs = []
    for d in duplicates:
        if d.get("kind") != "cloned_device":
            continue
        splits = [split.get(v) for v in d["ids"]]
        if {"train", "validation"} <= set(splits):
            pairs.append({"ids": list(d["ids"]), "splits": splits, "score": d["score"]})
    return {"pairs": pairs, "n": len(pairs), "flag": bool(pairs),
            "note": "the same drives under two ids, one in train and one in validation"}


def entity_leakage(pred: pd.DataFrame) -> dict:
    splits = pred.groupby("vehicle_id")["split"].nunique()
    leaked = sorted(splits[splits > 1].index.tolist())
    return {"vehicles_in_several_splits": leaked, "n": len(leaked),
            "n_vehicles": int(splits.size), "flag": bool(leaked)}


def location_leakage(pred: pd.DataFrame, near_m: float = NEAR_M) -> dict:
    lab = pred[pred["given_label"].isin(["home", "work"])]
    train, val = lab[lab["split"] == "train"], lab[lab["split"] == "validation"]
    out = {"near_m": near_m, "n_validation": int(len(val)), "n_near_train": 0, "share": None,
           "places": []}
    if val.empty:
        return out
    hits = np.zeros(len(val), dtype=bool)
    for label in ("home", "work"):  # same label only: a train home next to a val home
        t = train[train["given_label"] == label]
        v_mask = (val["given_label"] == label).to_numpy()
        if t.empty or not v_mask.any():
            continue
        tree = BallTree(np.radians(t[["lat", "lon"]].to_numpy(dtype=float)), metric="haversine")
        q = np.radians(val.loc[v_mask, ["lat", "lon"]].to_numpy(dtype=float))
        count = tree.query_radius(q, r=near_m / EARTH_RADIUS_M, count_only=True)
        hits[np.flatnonzero(v_mask)[count > 0]] = True
    out["n_near_train"] = int(hits.sum())
    out["share"] = float(hits.mean())
    out["places"] = sorted(val.loc[hits, "place_id"].tolist())
    return out


def time_overlap(stops: pd.DataFrame, split_of_vehicle: pd.Series) -> dict:
    """``stops``: vehicle_id, start_ts, end_ts (UTC); ``split_of_vehicle``: vehicle -> split."""
    s = stops.assign(split=stops["vehicle_id"].map(split_of_vehicle))
    periods = {}
    for name in ("train", "validation"):
        part = s[s["split"] == name]
        periods[name] = ([int(part["start_ts"].min()), int(part["end_ts"].max())]
                         if not part.empty else None)
    out = {"train_period": periods["train"], "validation_period": periods["validation"],
           "overlap_seconds": 0, "validation_share_inside_train": None, "flag": False,
           "note": "split is by vehicle over the same period; overlap matters only when the "
                   "model must predict a later period"}
    if periods["train"] and periods["validation"]:
        lo = max(periods["train"][0], periods["validation"][0])
        hi = min(periods["train"][1], periods["validation"][1])
        out["overlap_seconds"] = int(max(0, hi - lo))
        val = s[s["split"] == "validation"]
        inside = (val["start_ts"] >= periods["train"][0]) & (val["end_ts"] <= periods["train"][1])
        out["validation_share_inside_train"] = float(inside.mean())
        out["flag"] = out["overlap_seconds"] > 0
    return out
