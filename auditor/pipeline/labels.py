"""Given labels (home/work points per vehicle) -> labels of places.

A label goes to the vehicle's nearest place within ``label_radius_m``. Every label that cannot
be used is kept with a reason, never dropped silently:

- ``vehicle_has_no_pings``: no pings for the vehicle at all;
- ``vehicle_has_no_places``: pings, but no parking stop was found;
- ``duplicate_label``: the vehicle already has a ``home`` (or ``work``) label with a lower id;
- ``no_place_within_<r>m``: the nearest place is farther than the radius;
- ``same_place_as_other_label``: home and work point at one place; the closer label keeps it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.geo import EARTH_RADIUS_M, haversine_m
from auditor.pipeline.config import InferConfig

PLACE_LABEL_COLUMNS = ["place_id", "vehicle_id", "label", "label_id", "distance_m"]
UNMATCHED_COLUMNS = ["label_id", "vehicle_id", "reason"]


def _place_pairs(points: pd.DataFrame, places: pd.DataFrame, swapped: bool = False
                 ) -> pd.DataFrame:
    """Every (point, place of the point's vehicle) pair with ``distance_m`` (``swapped``: the
    point's lat and lon read the other way round). Labels are few per vehicle, so the
    per-vehicle cross join is small."""
    pairs = points.merge(places[["place_id", "vehicle_id", "lat", "lon"]], on="vehicle_id",
                         suffixes=("", "_place"))
    lat, lon = ("lon", "lat") if swapped else ("lat", "lon")
    pairs["distance_m"] = haversine_m(pairs[lat], pairs[lon], pairs["lat_place"],
                                      pairs["lon_place"])
    return pairs


def _nearest(pairs: pd.DataFrame) -> pd.DataFrame:
    """The nearest place of each label (ties: the smaller place id)."""
    return pairs.sort_values(["label_id", "distance_m", "place_id"]).drop_duplicates("label_id")


def match_labels(labels: pd.DataFrame, places: pd.DataFrame, pinged_vehicles,
                 config: InferConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(place_labels, unmatched_labels). ``pinged_vehicles``: ids of vehicles with pings."""
    labels = labels.sort_values("label_id", kind="stable").reset_index(drop=True)
    reason = pd.Series(pd.NA, index=labels.index, dtype=object)
    pinged = set(pinged_vehicles)
    with_places = set(places["vehicle_id"])
    reason[~labels["vehicle_id"].isin(pinged)] = "vehicle_has_no_pings"
    reason[reason.isna() & ~labels["vehicle_id"].isin(with_places)] = "vehicle_has_no_places"
    dup = labels.duplicated(["vehicle_id", "label"], keep="first")
    reason[reason.isna() & dup] = "duplicate_label"

    candidates = labels[reason.isna()]
    nearest = _nearest(_place_pairs(candidates[["label_id", "vehicle_id", "label", "lat", "lon"]],
                                    places)).set_index("label_id")
    far = nearest.index[nearest["distance_m"] > config.label_radius_m]
    radius = f"no_place_within_{config.label_radius_m:g}m"
    reason[labels["label_id"].isin(far).to_numpy() & reason.isna().to_numpy()] = radius

    matched = nearest[nearest["distance_m"] <= config.label_radius_m].reset_index()
    matched = matched.sort_values(["place_id", "distance_m", "label_id"])
    clash = matched.duplicated("place_id", keep="first")
    reason[labels["label_id"].isin(matched.loc[clash, "label_id"]).to_numpy()] = "same_place_as_other_label"
    matched = matched[~clash].sort_values("place_id")

    place_labels = matched[PLACE_LABEL_COLUMNS].reset_index(drop=True)
    place_labels["label_id"] = place_labels["label_id"].astype(np.int64)
    unmatched = labels.loc[reason.notna(), ["label_id", "vehicle_id"]].assign(
        reason=reason[reason.notna()].to_numpy()).reset_index(drop=True)
    return place_labels, unmatched[UNMATCHED_COLUMNS]


def match_if_swapped(labels: pd.DataFrame, unmatched: pd.DataFrame, places: pd.DataFrame,
                     config: InferConfig) -> dict:
    """{"labels": how many labels that found no place within the radius would find one with
    their lat and lon swapped, "vehicles": whose (sorted), "of_vehicles": how many vehicles
    have labels}. A labels file whose columns were read the wrong way round (both in range,
    e.g. 48 N 11 E read as 11 N 48 E) leaves most labels unmatched and says nothing else; a
    few vehicles whose pings (or labels) alone are swapped show up the same way."""
    out = {"labels": 0, "vehicles": [], "of_vehicles": int(labels["vehicle_id"].nunique())}
    far = unmatched.loc[unmatched["reason"] == f"no_place_within_{config.label_radius_m:g}m",
                        "label_id"]
    cand = labels[labels["label_id"].isin(far) & (labels["lon"].abs() <= 90)]
    if cand.empty:
        return out
    pairs = _place_pairs(cand[["label_id", "vehicle_id", "lat", "lon"]], places, swapped=True)
    hit = pairs[pairs["distance_m"] <= config.label_radius_m]
    out.update(labels=int(hit["label_id"].nunique()),
               vehicles=sorted(map(str, hit["vehicle_id"].unique())))
    return out


# a label this many radii from a place may name it: infer names the radius to try, and the
# place is not trained on as 'other'
NEAR_MISS_FACTOR = 2.0


def unused_pairs(labels: pd.DataFrame, unmatched: pd.DataFrame, places: pd.DataFrame,
                 config: InferConfig) -> pd.DataFrame:
    """Every (label, place of its vehicle) pair of the labels left unused with no place within
    the radius, or as a second label of their kind: label_id, vehicle_id, reason, place_id,
    distance_m."""
    far = f"no_place_within_{config.label_radius_m:g}m"
    unused = unmatched[unmatched["reason"].isin([far, "duplicate_label"])]
    cand = labels.merge(unused[["label_id", "reason"]], on="label_id")
    pairs = _place_pairs(cand[["label_id", "vehicle_id", "reason", "lat", "lon"]], places)
    return pairs[["label_id", "vehicle_id", "reason", "place_id", "distance_m"]]


def nearest_to_unused(pairs: pd.DataFrame) -> pd.DataFrame:
    """The nearest place of each unused label, from ``unused_pairs``."""
    return _nearest(pairs).reset_index(drop=True)


def unsure_places(pairs: pd.DataFrame, config: InferConfig) -> set:
    """Place ids that a label which went unused (``unused_pairs``) may name: within
    NEAR_MISS_FACTOR radii of it. "other" would contradict the label — a work label at a
    site's gate, 330 m from the car parks its cars use, made those car parks 'other', and the
    model learnt that a workplace is none. Places farther from every label stay 'other' (a
    label 1 km off names no place one can tell; the queue shows it)."""
    return set(pairs.loc[pairs["distance_m"] <= NEAR_MISS_FACTOR * config.label_radius_m,
                         "place_id"])


def near_misses(unused: pd.DataFrame, config: InferConfig) -> dict:
    """{"labels": how many labels found no place within the radius but one within twice it,
    "nearest_m": [least, most] of their distances, "radius_m": the radius (a multiple of
    50 m) that would match them all}: a large site (a campus, a depot) whose address lies
    farther from where its cars park than the radius. Wrong labels lie farther; the terminal
    and the window say to look before widening it."""
    r = config.label_radius_m
    far = unused[(unused["reason"] == f"no_place_within_{r:g}m")
                 & (unused["distance_m"] <= NEAR_MISS_FACTOR * r)]
    if far.empty:
        return {"labels": 0, "nearest_m": None, "radius_m": None}
    lo, hi = float(far["distance_m"].min()), float(far["distance_m"].max())
    return {"labels": len(far), "nearest_m": [round(lo), round(hi)],
            "radius_m": int(np.ceil((hi + 1) / 50.0) * 50)}


# a label this close to another vehicle's place may be that vehicle's label under this id
OTHER_VEHICLE_M = 100.0


def at_other_vehicles(points: pd.DataFrame, places: pd.DataFrame,
                      within_m: float = OTHER_VEHICLE_M) -> pd.DataFrame:
    """For each point (label_id, vehicle_id, lat, lon), the nearest place of ANOTHER vehicle
    when it lies within ``within_m``: label_id, place_id, place_vehicle, distance_m. A labels
    file joined to the pings on the wrong key (ids shifted, a lookup table out of date) puts
    its labels at other vehicles' homes and workplaces, and nowhere near their own."""
    out = pd.DataFrame({"label_id": pd.Series([], dtype=np.int64),
                        "place_id": pd.Series([], dtype=object),
                        "place_vehicle": pd.Series([], dtype=object),
                        "distance_m": pd.Series([], dtype=float)})
    if points.empty or places.empty:
        return out
    from sklearn.neighbors import BallTree
    tree = BallTree(np.radians(places[["lat", "lon"]].to_numpy(dtype=float)), metric="haversine")
    k = min(len(places), 8)  # the nearest few: the first of another vehicle among them
    dist, idx = tree.query(np.radians(points[["lat", "lon"]].to_numpy(dtype=float)), k=k)
    dist = dist * EARTH_RADIUS_M
    owner = places["vehicle_id"].to_numpy(dtype=object)[idx]
    other = owner != points["vehicle_id"].to_numpy(dtype=object)[:, None]
    first = np.where(other.any(axis=1), other.argmax(axis=1), -1)
    rows = np.flatnonzero(first >= 0)
    d = dist[rows, first[rows]]
    hit = rows[d <= within_m]
    col = first[hit]
    return pd.DataFrame({"label_id": points["label_id"].to_numpy()[hit].astype(np.int64),
                         "place_id": places["place_id"].to_numpy(dtype=object)[idx[hit, col]],
                         "place_vehicle": owner[hit, col],
                         "distance_m": dist[hit, col]})


def match_other_vehicles(labels: pd.DataFrame, unmatched: pd.DataFrame, places: pd.DataFrame,
                         config: InferConfig) -> dict:
    """{"labels": how many labels that found no place of their vehicle within the radius lie
    at another vehicle's place (``at_other_vehicles``), "of_far": how many found none,
    "examples": up to three "V1's home label at place V0:2 (12 m)"}."""
    far_ids = unmatched.loc[unmatched["reason"] == f"no_place_within_{config.label_radius_m:g}m",
                            "label_id"]
    far = labels[labels["label_id"].isin(far_ids)]
    hits = at_other_vehicles(far, places).merge(
        far[["label_id", "vehicle_id", "label"]], on="label_id").sort_values("label_id")
    return {"labels": len(hits), "of_far": len(far),
            "examples": [f"{r.vehicle_id}'s {r.label} label at place {r.place_id} "
                         f"({r.distance_m:,.0f} m)" for r in hits.head(3).itertuples()]}


def given_labels(places: pd.DataFrame, place_labels: pd.DataFrame,
                 unsure: set = frozenset()) -> pd.Series:
    """home/work for matched places, "other" for the rest of a labelled vehicle's places, NA for
    places of vehicles without any matched label and for the ``unsure_places`` (an unused label
    of the vehicle may name them). Indexed like ``places``."""
    by_place = place_labels.set_index("place_id")["label"]
    out = places["place_id"].map(by_place)
    labelled = places["vehicle_id"].isin(set(place_labels["vehicle_id"]))
    known = ~places["place_id"].isin(unsure)
    return out.where(~(labelled & known & out.isna()), "other").astype(object)
