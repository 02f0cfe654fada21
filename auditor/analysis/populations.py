"""Accuracy per population: per value of every metadata column, and per schedule-like slice
(is the vehicle's 02:00 place its most-visited place?). Errors that pile up in one population
(a firmware, a night shift) are invisible in the overall accuracy.

Each slice reports the validation accuracy (the honest held-out figure, but few vehicles) and
the out-of-fold accuracy over every labelled place (more places, same honesty: each place is
scored by a model that did not train on its vehicle)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.analysis.frames import CLASSES
from auditor.analysis.stoptimes import crossings

TWO_AM = 2 * 3600

SCHEDULE_SLICES = {
    "night_place_is_most_visited": "02:00 place is the most-visited place",
    "night_place_differs": "02:00 place is not the most-visited place",
    "no_night_stay": "no stay spans 02:00",
}


def vehicle_schedule(stops: pd.DataFrame) -> pd.Series:
    """Per vehicle one of SCHEDULE_SLICES' keys, from local stops (start_local/end_local)."""
    if stops.empty:
        return pd.Series(dtype=object, name="schedule")
    s = stops[stops["place_id"].notna()].copy()
    s["nights"] = crossings(s["start_local"].to_numpy(), s["end_local"].to_numpy(), TWO_AM)
    per_place = (s.groupby(["vehicle_id", "place_id"], sort=True)
                 .agg(visits=("stop_id", "size"), nights=("nights", "sum")).reset_index())
    # ties broken by place_id (sorted, first wins) so the slice is deterministic
    most = per_place.sort_values(["vehicle_id", "visits", "place_id"],
                                 ascending=[True, False, True]).drop_duplicates("vehicle_id")
    night = per_place[per_place["nights"] > 0].sort_values(
        ["vehicle_id", "nights", "place_id"], ascending=[True, False, True]
    ).drop_duplicates("vehicle_id")
    out = most.set_index("vehicle_id")[["place_id"]].rename(columns={"place_id": "most"})
    out["night"] = night.set_index("vehicle_id")["place_id"]
    label = np.where(out["night"].isna(), "no_night_stay",
                     np.where(out["night"] == out["most"], "night_place_is_most_visited",
                              "night_place_differs"))
    return pd.Series(label, index=out.index, name="schedule")


def _accuracy_table(frame: pd.DataFrame, key: str, pred_col: str) -> pd.DataFrame:
    g = frame.assign(ok=frame[pred_col] == frame["given_label"]).groupby(key, sort=True)["ok"]
    return pd.DataFrame({"n": g.size(), "correct": g.sum()})


def _slice_rows(frame: pd.DataFrame, key: str) -> list[dict]:
    """One row per value of ``key``: validation and out-of-fold n / accuracy."""
    lab = frame[frame["given_label"].isin(CLASSES)]
    val = _accuracy_table(lab[lab["split"] == "validation"], key, "predicted_label")
    test = _accuracy_table(lab[lab["split"] == "test"], key, "predicted_label")
    oof = _accuracy_table(lab[lab["oof_label"].notna()], key, "oof_label")
    values = sorted(set(val.index) | set(oof.index) | set(test.index), key=str)
    rows = []
    for v in values:
        n_val = int(val["n"].get(v, 0))
        n_oof = int(oof["n"].get(v, 0))
        n_test = int(test["n"].get(v, 0))
        rows.append({
            "value": str(v),
            "n": n_val,
            "accuracy": float(val["correct"][v]) / n_val if n_val else None,
            "oof_n": n_oof,
            "oof_accuracy": float(oof["correct"][v]) / n_oof if n_oof else None,
            "test_n": n_test,
            "test_accuracy": float(test["correct"][v]) / n_test if n_test else None,
        })
    return rows


def by_population(pred: pd.DataFrame, meta: pd.DataFrame, schedule: pd.Series) -> dict:
    """``pred``: predictions with ``oof_label``; ``meta``: vehicle metadata (strings);
    ``schedule``: vehicle_schedule(). Returns {"metadata": {column: [rows]}, "schedule": [rows]}."""
    columns = [c for c in meta.columns if c != "vehicle_id"]
    # prefixed so a metadata column named like a prediction column ('split') cannot collide
    frame = pred.merge(meta.rename(columns={c: f"meta:{c}" for c in columns}),
                       on="vehicle_id", how="left")
    out: dict = {"metadata": {}}
    for col in columns:
        frame["_slice"] = frame[f"meta:{col}"].fillna("").astype(str)
        out["metadata"][col] = _slice_rows(frame, "_slice")
    frame["_slice"] = frame["vehicle_id"].map(schedule).fillna("no_stops")
    rows = _slice_rows(frame, "_slice")
    for r in rows:
        r["description"] = SCHEDULE_SLICES.get(r["value"], "vehicle has no stops")
    out["schedule"] = rows
    return out


def population_members(pred: pd.DataFrame, meta: pd.DataFrame, schedule: pd.Series
                       ) -> dict[tuple[str, str], list[str]]:
    """(column, value) -> sorted place ids of the labelled places the row of by_population
    counts; schedule slices under column "schedule" with their key as value."""
    lab = pred.loc[pred["given_label"].isin(CLASSES), ["place_id", "vehicle_id"]]
    keys = {c: meta.set_index("vehicle_id")[c].fillna("").astype(str)
            for c in meta.columns if c != "vehicle_id"}
    keys["schedule"] = schedule.astype(str)
    out: dict[tuple[str, str], list[str]] = {}
    for column, of_vehicle in keys.items():
        value = lab["vehicle_id"].map(of_vehicle)
        if column == "schedule":
            value = value.fillna("no_stops")
        for v, ids in lab["place_id"].groupby(value.fillna(""), sort=True):
            out[(column, str(v))] = sorted(ids)
    return out
