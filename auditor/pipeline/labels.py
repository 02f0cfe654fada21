"""Given labels (home/work points per vehicle) -> labels of places.

A label goes to the vehicle's nearest place within ``label_radius_m``. Every label that cannot
be used is kept with a reason, never dropped silently:

- ``vehicle_has_no_pings``: no pings for the vehicle at all;
- ``vehicle_has_no_places``: pings, but no parking stop was found;
- ``duplicate_label``: the vehicle already has a ``home`` (or ``work``) label with a lower id;
- ``no_place_within_<r>m``: the nearest place is farther than the radius;
- ``same_place_as_other_label``: home and work point at one place; the closer label keeps it.

Labels whose coordinates are rounded (a common de-identification: 2 decimals is a cell about
1.1 km tall) stand for a point anywhere in their cell: such a label reaches the radius plus
the half-diagonal of its cell (``rounding_m``); one rounded to a tenth of a degree (11 km) names
no one place and reaches the radius only. Without it, labels rounded to 2 decimals (up to
650 m off at 52 N) mostly matched nothing, and infer's hint asked for 500 m, then 650 m.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.geo import EARTH_RADIUS_M, decimals, haversine_m, wrap_lon
from auditor.pipeline.config import InferConfig

PLACE_LABEL_COLUMNS = ["place_id", "vehicle_id", "label", "label_id", "distance_m"]
UNMATCHED_COLUMNS = ["label_id", "vehicle_id", "reason"]


def _place_pairs(points: pd.DataFrame, places: pd.DataFrame, swapped: bool = False,
                 flipped: str | None = None) -> pd.DataFrame:
    """Every (point, place of the point's vehicle) pair with ``distance_m`` (``swapped``: the
    point's lat and lon read the other way round; ``flipped`` "latitude" | "longitude": that
    coordinate's sign flipped). Labels are few per vehicle, so the per-vehicle cross join is
    small."""
    pairs = points.merge(places[["place_id", "vehicle_id", "lat", "lon"]], on="vehicle_id",
                         suffixes=("", "_place"))
    lat, lon = ("lon", "lat") if swapped else ("lat", "lon")
    plat = -pairs[lat] if flipped == "latitude" else pairs[lat]
    plon = -pairs[lon] if flipped == "longitude" else pairs[lon]
    pairs["distance_m"] = haversine_m(plat, plon, pairs["lat_place"], pairs["lon_place"])
    return pairs


# a label written with this many decimals or fewer (both coordinates) is taken as rounded;
# 3 decimals (up to 79 m) is within what the 250 m radius allows a geocoded address anyway,
# and hand-written labels often have 3. The chance that an unrounded label's lat and lon
# both end in four zeros is one in 10^8.
ROUNDED_UP_TO = 2
# ...when the labels as a whole are: a few hand-written labels at round numbers are not a
# rounded labels file, and their reach stays the radius
ROUNDED_SHARE, ROUNDED_MIN_LABELS = 0.9, 5
# a cell this large (a tenth of a degree is 11 km) names no one place: no wider reach
COARSEST_ROUNDING_M = 1_000.0
_M_PER_DEG = EARTH_RADIUS_M * np.pi / 180


def _rounding(labels: pd.DataFrame) -> tuple[np.ndarray, bool]:
    """(metres each label may lie from the point it was rounded from — the half-diagonal of
    its rounding cell when both coordinates have ROUNDED_UP_TO decimals or fewer, else 0 —
    whether the labels as a whole are rounded)."""
    if labels.empty:
        return np.zeros(0), False
    lat = labels["lat"].to_numpy(dtype=float)
    d = np.maximum(decimals(lat), decimals(labels["lon"]))
    half = 0.5 * 10.0 ** -d.astype(float) * _M_PER_DEG
    cell = np.where(d <= ROUNDED_UP_TO,
                    np.hypot(half, half * np.cos(np.radians(np.clip(lat, -90, 90)))), 0.0)
    rounded = cell > 0
    whole = len(cell) >= ROUNDED_MIN_LABELS and rounded.mean() >= ROUNDED_SHARE
    return cell, whole


def rounding_m(labels: pd.DataFrame) -> np.ndarray:
    """How much farther than the radius each label reaches: its rounding (``_rounding``) when
    the labels as a whole are rounded and its cell is not too coarse to name a place, else 0."""
    cell, whole = _rounding(labels)
    return np.where(whole & (cell <= COARSEST_ROUNDING_M), cell, 0.0)


def rounded_labels(labels: pd.DataFrame) -> dict:
    """{"labels": how many labels are rounded, when the labels as a whole are (``_rounding``),
    "decimals": the coarsest rounding among them, "up_to_m": the most ``rounding_m`` widens
    one (None if none), "too_coarse": how many are rounded too coarsely to name a place},
    for infer's summary."""
    cell, whole = _rounding(labels)
    if not whole:
        return {"labels": 0, "decimals": None, "up_to_m": None, "too_coarse": 0}
    wider = rounding_m(labels)
    d = np.maximum(decimals(labels["lat"]), decimals(labels["lon"]))[cell > 0]
    return {"labels": int((cell > 0).sum()), "decimals": int(d.min()),
            "up_to_m": round(float(wider.max())) if (wider > 0).any() else None,
            "too_coarse": int((cell > COARSEST_ROUNDING_M).sum())}


def _with_reach(labels: pd.DataFrame, config: InferConfig) -> pd.DataFrame:
    """``labels`` with ``rounding_m`` and ``reach_m`` (the radius plus the rounding). Give it
    every label: whether the file is rounded is decided over all of them."""
    off = rounding_m(labels)
    return labels.assign(rounding_m=off, reach_m=config.label_radius_m + off)


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
    labels = _with_reach(labels, config)

    candidates = labels[reason.isna()]
    nearest = _nearest(_place_pairs(
        candidates[["label_id", "vehicle_id", "label", "lat", "lon", "reach_m"]],
        places)).set_index("label_id")
    far = nearest.index[nearest["distance_m"] > nearest["reach_m"]]
    radius = f"no_place_within_{config.label_radius_m:g}m"
    reason[labels["label_id"].isin(far).to_numpy() & reason.isna().to_numpy()] = radius

    matched = nearest[nearest["distance_m"] <= nearest["reach_m"]].reset_index()
    matched = matched.sort_values(["place_id", "distance_m", "label_id"])
    clash = matched.duplicated("place_id", keep="first")
    reason[labels["label_id"].isin(matched.loc[clash, "label_id"]).to_numpy()] = "same_place_as_other_label"
    matched = matched[~clash].sort_values("place_id")

    place_labels = matched[PLACE_LABEL_COLUMNS].reset_index(drop=True)
    place_labels["label_id"] = place_labels["label_id"].astype(np.int64)
    unmatched = labels.loc[reason.notna(), ["label_id", "vehicle_id"]].assign(
        reason=reason[reason.notna()].to_numpy()).reset_index(drop=True)
    return place_labels, unmatched[UNMATCHED_COLUMNS]


def _far_labels(labels: pd.DataFrame, unmatched: pd.DataFrame, config: InferConfig
                ) -> pd.DataFrame:
    """The labels that found no place within the radius, with their reach (``_with_reach``,
    decided over all labels: is the file rounded?)."""
    far = unmatched.loc[unmatched["reason"] == f"no_place_within_{config.label_radius_m:g}m",
                        "label_id"]
    labels = _with_reach(labels, config)
    return labels[labels["label_id"].isin(far)]


def _matched_if(far: pd.DataFrame, places: pd.DataFrame, **mangled) -> dict:
    """{"labels", "vehicles"} of the labels in ``far`` that would lie within their reach of a
    place of their vehicle read the ``mangled`` way (``_place_pairs``' swapped / flipped)."""
    pairs = _place_pairs(far[["label_id", "vehicle_id", "lat", "lon", "reach_m"]], places,
                         **mangled)
    hit = pairs[pairs["distance_m"] <= pairs["reach_m"]]
    return {"labels": int(hit["label_id"].nunique()),
            "vehicles": sorted(map(str, hit["vehicle_id"].unique()))}


def match_if_swapped(labels: pd.DataFrame, unmatched: pd.DataFrame, places: pd.DataFrame,
                     config: InferConfig) -> dict:
    """{"labels": how many labels that found no place within the radius would find one with
    their lat and lon swapped, "vehicles": whose (sorted), "of_vehicles": how many vehicles
    have labels}. A labels file whose columns were read the wrong way round (both in range,
    e.g. 48 N 11 E read as 11 N 48 E) leaves most labels unmatched and says nothing else; a
    few vehicles whose pings (or labels) alone are swapped show up the same way."""
    out = {"labels": 0, "vehicles": [], "of_vehicles": int(labels["vehicle_id"].nunique())}
    far = _far_labels(labels, unmatched, config)
    far = far[far["lon"].abs() <= 90]
    if not far.empty:
        out.update(_matched_if(far, places, swapped=True))
    return out


def match_if_flipped(labels: pd.DataFrame, unmatched: pd.DataFrame, places: pd.DataFrame,
                     config: InferConfig) -> dict:
    """{"labels": how many labels that found no place within the radius would find one with
    their longitude's sign flipped (else their latitude's: "which" says), "vehicles": whose
    (sorted)}. A west longitude (south latitude) written without its minus, or with its
    hemisphere letter in a column nobody read, puts a Chicago fleet's labels — or its pings —
    on the other side of the Earth, and they match nothing."""
    far = _far_labels(labels, unmatched, config)
    for which in ("longitude", "latitude") if not far.empty else ():
        found = _matched_if(far, places, flipped=which)
        if found["labels"]:
            return {**found, "which": which}
    return {"labels": 0, "vehicles": [], "which": None}


# labels displaced from places of their vehicles by one vector (north, east) within this many
# metres of each other: another datum or a map's shift, not a wrong label each (wrong labels
# point every which way). Looked for up to SHIFT_MAX_M, among each label's SHIFT_NEAREST
# nearest places; named when labels at SHIFT_MIN_LABELS spots of SHIFT_MIN_VEHICLES vehicles
# share it.
SHIFT_TOLERANCE_M, SHIFT_MAX_M, SHIFT_NEAREST = 40.0, 3_000.0, 3
SHIFT_MIN_LABELS, SHIFT_MIN_VEHICLES = 3, 2


def match_if_shifted(labels: pd.DataFrame, unmatched: pd.DataFrame, places: pd.DataFrame,
                     config: InferConfig) -> dict:
    """{"labels": how many labels that found no place within the radius would find one moved
    by one common vector, "vehicles": whose (sorted), "north_m"/"east_m": the vector from the
    labels to their places}. A device logging in the old Tokyo datum (or China's GCJ-02, or a
    projection read as another) puts every fix ~450 m from where the labels say, the same
    way for all its vehicles; the near-miss hint would then offer a wider radius, which
    matches such labels to the wrong places in a dense city."""
    none = {"labels": 0, "vehicles": [], "north_m": None, "east_m": None}
    far = _far_labels(labels, unmatched, config)
    if len(far) < SHIFT_MIN_LABELS:
        return none
    pairs = _place_pairs(far[["label_id", "vehicle_id", "lat", "lon", "reach_m"]], places)
    pairs = pairs[pairs["distance_m"] <= SHIFT_MAX_M]
    pairs = pairs.sort_values(["label_id", "distance_m", "place_id"]) \
        .groupby("label_id").head(SHIFT_NEAREST)
    if pairs["label_id"].nunique() < SHIFT_MIN_LABELS:
        return none
    north, east = _offset_m(pairs)
    # support of a vector: the labels with a pair in the 3 x 3 cells of SHIFT_TOLERANCE_M
    # around it (one vectorised count per neighbour offset, not a pairwise comparison)
    ci = np.floor(north / SHIFT_TOLERANCE_M).astype(np.int64)
    cj = np.floor(east / SHIFT_TOLERANCE_M).astype(np.int64)
    label = pairs["label_id"].to_numpy()
    spread = pd.concat([pd.DataFrame({"i": ci + di, "j": cj + dj, "label_id": label})
                        for di in (-1, 0, 1) for dj in (-1, 0, 1)]).drop_duplicates()
    support = spread.groupby(["i", "j"]).size()
    best_i, best_j = support.idxmax()
    near = (np.abs(ci - best_i) <= 1) & (np.abs(cj - best_j) <= 1)
    vec_n, vec_e = float(np.median(north[near])), float(np.median(east[near]))
    # the vector, tried on every far label: which would then lie within reach of a place
    moved = far.assign(lat=far["lat"] + vec_n / _M_PER_DEG,
                       lon=wrap_lon(far["lon"] + vec_e / (_M_PER_DEG * np.cos(np.radians(
                           far["lat"].clip(-89, 89))))))
    hits = _place_pairs(moved[["label_id", "vehicle_id", "lat", "lon", "reach_m"]], places)
    hits = hits[hits["distance_m"] <= hits["reach_m"]].drop_duplicates("label_id")
    vehicles = sorted(map(str, hits["vehicle_id"].unique()))
    # labels at one site (a campus's gate, its cars' car park 330 m off) share a vector too:
    # a datum moves labels all over the map
    if _spots(far.set_index("label_id").loc[hits["label_id"]]) < SHIFT_MIN_LABELS \
            or len(vehicles) < SHIFT_MIN_VEHICLES or np.hypot(vec_n, vec_e) <= config.label_radius_m:
        return none
    return {"labels": len(hits), "vehicles": vehicles, "north_m": round(vec_n),
            "east_m": round(vec_e)}


# labels closer than this stand at one site
SHIFT_SPOT_M = 1_000.0


def _spots(points: pd.DataFrame) -> int:
    """How many spots ``points`` (lat, lon) stand at: each point farther than SHIFT_SPOT_M
    from every spot counted before it is a new one (few points: a loop over them)."""
    spots: list = []
    for lat, lon in points[["lat", "lon"]].to_numpy(dtype=float):
        if all(haversine_m(lat, lon, a, b) > SHIFT_SPOT_M for a, b in spots):
            spots.append((lat, lon))
    return len(spots)


def _offset_m(pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(north, east) metres from each pair's label to its place, on a local flat Earth."""
    lat = pairs["lat"].to_numpy(dtype=float)
    north = (pairs["lat_place"].to_numpy(dtype=float) - lat) * _M_PER_DEG
    east = wrap_lon(pairs["lon_place"].to_numpy(dtype=float) - pairs["lon"].to_numpy(dtype=float)) \
        * _M_PER_DEG * np.cos(np.radians(lat))
    return north, east


# a label this many radii from a place may name it: infer names the radius to try, and the
# place is not trained on as 'other'
NEAR_MISS_FACTOR = 2.0


def unused_pairs(labels: pd.DataFrame, unmatched: pd.DataFrame, places: pd.DataFrame,
                 config: InferConfig) -> pd.DataFrame:
    """Every (label, place of its vehicle) pair of the labels left unused with no place within
    the radius, or as a second label of their kind: label_id, vehicle_id, reason, place_id,
    distance_m, rounding_m (the label's own rounding, ``rounding_m``)."""
    far = f"no_place_within_{config.label_radius_m:g}m"
    unused = unmatched[unmatched["reason"].isin([far, "duplicate_label"])]
    cand = _with_reach(labels, config).merge(unused[["label_id", "reason"]], on="label_id")
    pairs = _place_pairs(cand[["label_id", "vehicle_id", "reason", "lat", "lon", "rounding_m",
                               "reach_m"]], places)
    return pairs[["label_id", "vehicle_id", "reason", "place_id", "distance_m", "rounding_m"]]


def nearest_to_unused(pairs: pd.DataFrame) -> pd.DataFrame:
    """The nearest place of each unused label, from ``unused_pairs``."""
    return _nearest(pairs).reset_index(drop=True)


def unsure_places(pairs: pd.DataFrame, config: InferConfig) -> set:
    """Place ids that a label which went unused (``unused_pairs``) may name: within
    NEAR_MISS_FACTOR radii of it. "other" would contradict the label — a work label at a
    site's gate, 330 m from the car parks its cars use, made those car parks 'other', and the
    model learnt that a workplace is none. Places farther from every label stay 'other' (a
    label 1 km off names no place one can tell; the queue shows it). A rounded label's reach
    grows by its rounding."""
    reach = NEAR_MISS_FACTOR * config.label_radius_m + pairs["rounding_m"]
    return set(pairs.loc[pairs["distance_m"] <= reach, "place_id"])


def homes_moved_from(moves: pd.DataFrame, place_labels: pd.DataFrame) -> set:
    """Place ids of the home a moved vehicle's home label does not name (moves.find_moves):
    the home it left, or the one it moved to. Either was its home for a while — 'other' would
    teach the model that half a vehicle's nights mean nothing."""
    if moves is None or moves.empty:
        return set()
    homes = place_labels.loc[place_labels["label"] == "home", ["vehicle_id", "place_id"]]
    m = moves.merge(homes, on="vehicle_id")
    named_to = m["place_id"] == m["to_place"]
    named_from = m["place_id"] == m["from_place"]
    return set(m.loc[named_to, "from_place"]) | set(m.loc[named_from, "to_place"])


def near_misses(unused: pd.DataFrame, config: InferConfig) -> dict:
    """{"labels": how many labels found no place within the radius but one within twice it,
    "nearest_m": [least, most] of their distances, "radius_m": the radius (a multiple of
    50 m) that would match them all, a rounded label's rounding added}: a large site (a
    campus, a depot) whose address lies farther from where its cars park than the radius.
    Wrong labels lie farther; the terminal and the window say to look before widening it."""
    r = config.label_radius_m
    far = unused[(unused["reason"] == f"no_place_within_{r:g}m")
                 & (unused["distance_m"] <= NEAR_MISS_FACTOR * r + unused["rounding_m"])]
    if far.empty:
        return {"labels": 0, "nearest_m": None, "radius_m": None}
    lo, hi = float(far["distance_m"].min()), float(far["distance_m"].max())
    need = float((far["distance_m"] - far["rounding_m"]).max())
    return {"labels": len(far), "nearest_m": [round(lo), round(hi)],
            "radius_m": int(np.ceil((need + 1) / 50.0) * 50)}


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
