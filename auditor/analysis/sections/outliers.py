"""Outliers (auditor.analysis.outliers): places and vehicles an IsolationForest isolates, each
with the features that make it odd (robust z-scores) and the flag that settles it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs

SEED = 0


class OddFeature(TypedDict):
    feature: str
    value: Optional[float]
    fleet_median: Optional[float]
    robust_z: float
    flat: bool                # the group's middle half is one value: z is not comparable


class OutlierRow(TypedDict, total=False):
    kind: str                 # place | vehicle
    id: str
    vehicle_id: str
    place_id: Optional[str]
    score: float              # -IsolationForest.score_samples: ~0.5 ordinary, -> 1 isolated
    features: list[OddFeature]
    reason: str
    suggested_flags: list[dict]


class OutliersSummary(TypedDict):
    method: str
    places_isolated: int
    vehicles_isolated: int
    places_scored: int
    vehicles_scored: int


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis import frames
    from auditor.analysis.duplicates import read_trips
    from auditor.analysis.outliers import (
        CONTAMINATION,
        place_outliers,
        vehicle_features,
        vehicle_outliers,
    )
    feats = frames.place_features(inp.conn)
    cols = frames.feature_columns(feats)
    feats = feats.drop(columns=[c for c in ("vehicle_id",) if c in feats.columns]).merge(
        inp.pred[["place_id", "vehicle_id", "predicted_label"]], on="place_id", how="inner")
    place_rows, n_places = place_outliers(feats, cols, SEED)
    vfeats = vehicle_features(read_trips(inp.conn), inp.stops,
                              inp.pred[["place_id", "vehicle_id"]])
    vehicle_rows, n_vehicles = vehicle_outliers(vfeats, SEED)
    return {"outliers": place_rows + vehicle_rows,
            "outliers_summary": {
                "method": f"IsolationForest (100 trees, seed {SEED}, the most isolated "
                          f"{100 * CONTAMINATION:g}%) over place features (per predicted class) "
                          "and per-vehicle driving features; odd features by robust z-score "
                          "(median, 1.4826 MAD)",
                "places_isolated": n_places, "vehicles_isolated": n_vehicles,
                "places_scored": int(len(feats)), "vehicles_scored": int(len(vfeats))}}


def render_text(r: dict) -> list[str]:
    s = r.get("outliers_summary") or {}
    lines = [f"Outliers: {s.get('places_isolated', 0)} of {s.get('places_scored', 0)} places "
             f"and {s.get('vehicles_isolated', 0)} of {s.get('vehicles_scored', 0)} vehicles "
             "isolated"]
    for o in r.get("outliers", [])[:10]:
        lines.append(f"  {o['kind']} {o['id']}  score {o['score']:.2f}  {o['reason']}")
    return lines


def places(inp: ReportInputs, report: dict) -> dict:
    by_vehicle = inp.pred.groupby("vehicle_id")["place_id"].apply(list).to_dict()
    return {(o["kind"], o["id"]): ([o["id"]] if o["kind"] == "place"
                                   else by_vehicle.get(o["id"], []))
            for o in report.get("outliers", [])}


ENTRY = AnalysisEntry(key="outliers", title="", step="outliers", compute=compute,
                      render_text=render_text, places=places, view=None)
