"""Places: clusters of one vehicle's stops.

Stops closer than ``place_radius_m`` are linked and each linked group is a place (DBSCAN with
min_samples=1, i.e. single-linkage at the radius). Coordinates are projected to local metres
per vehicle and vehicles are pushed far apart on a third axis, so one KD-tree pass clusters a
whole batch while no link can ever join two vehicles.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from auditor.geo import EARTH_RADIUS_M, one_side_of_antimeridian, wrap_lon
from auditor.pipeline.config import InferConfig

PLACE_COLUMNS = ["place_id", "vehicle_id", "lat", "lon", "n_stops"]
_VEHICLE_SEPARATION_M = 1e8  # farther than any two points on Earth


def _in_range(lon: np.ndarray) -> np.ndarray:
    """Centres east of 180° (one_side_of_antimeridian) back into [-180, 180)."""
    return np.where(lon >= 180.0, wrap_lon(lon), lon)


def cluster_places(stops: pd.DataFrame, config: InferConfig) -> tuple[pd.DataFrame, np.ndarray]:
    """(places, place_id of each stop). ``stops`` sorted by (vehicle_id, start_ts).

    Place ids are "<vehicle>:<n>", n in time order of the place's first stop, so a re-run on
    the same pings gives the same ids."""
    n = len(stops)
    if n == 0:
        return (pd.DataFrame({"place_id": pd.Series([], dtype=object),
                              "vehicle_id": pd.Series([], dtype=object),
                              "lat": pd.Series([], dtype=float), "lon": pd.Series([], dtype=float),
                              "n_stops": pd.Series([], dtype=np.int64)}),
                np.array([], dtype=object))
    vcode, _ = pd.factorize(stops["vehicle_id"], sort=False)
    lat = stops["lat"].to_numpy(dtype=float)
    # a vehicle parking on both sides of ±180° (Fiji's Taveuni, Chukotka) clusters on one side
    lon = one_side_of_antimeridian(stops["lon"].to_numpy(dtype=float), vcode)
    lat0 = pd.Series(lat).groupby(vcode).transform("mean").to_numpy()
    xyz = np.column_stack([
        np.radians(lon) * np.cos(np.radians(lat0)) * EARTH_RADIUS_M,
        np.radians(lat) * EARTH_RADIUS_M,
        vcode * _VEHICLE_SEPARATION_M,
    ])
    component, precise = _components(xyz, stops, config.place_radius_m, config.tunnel_move_m)
    out = np.full(n, None, dtype=object)  # a stop that joined no place: None (derive drops it)
    kept = np.flatnonzero(component >= 0)
    if not len(kept):
        return cluster_places(stops.iloc[:0], config)[0], out
    component = np.unique(component[kept], return_inverse=True)[1]
    lat, lon, precise = lat[kept], lon[kept], precise[kept]
    vehicle_of_stop = stops["vehicle_id"].to_numpy()[kept]

    # number components by their first stop (stops are in time order within a vehicle)
    _, first_stop = np.unique(component, return_index=True)
    order = np.argsort(first_stop, kind="stable")
    rank_of_component = np.empty_like(order)
    rank_of_component[order] = np.arange(len(order))
    first = first_stop[order]
    place_vehicle = vehicle_of_stop[first]
    n_in_vehicle = pd.Series(place_vehicle).groupby(place_vehicle, sort=False).cumcount().to_numpy()
    place_ids = (pd.Series(place_vehicle, dtype=object).astype(str) + ":"
                 + pd.Series(n_in_vehicle).astype(str)).to_numpy(dtype=object)

    stop_place_rank = rank_of_component[component]
    counts = np.bincount(stop_place_rank, minlength=len(order))
    # the centre: of the place's precise stops when it has any (a vague stop joined it)
    has_precise = np.bincount(stop_place_rank, weights=precise, minlength=len(order)) > 0
    w = np.where(has_precise[stop_place_rank], precise, 1.0)
    wsum = np.bincount(stop_place_rank, weights=w, minlength=len(order))
    places = pd.DataFrame({
        "place_id": place_ids,
        "vehicle_id": place_vehicle,
        "lat": np.bincount(stop_place_rank, weights=lat * w) / wsum,
        "lon": _in_range(np.bincount(stop_place_rank, weights=lon * w) / wsum),
        "n_stops": counts.astype(np.int64),
    })
    out[kept] = place_ids[stop_place_rank]
    return places, out


def _components(xyz: np.ndarray, stops: pd.DataFrame, radius: float, loose: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """(component of each stop, which stops are precise). Stops closer than ``radius`` are
    linked. A stop is precise when its arrival and departure fixes lie within ``radius`` of
    each other (``spread_m``; every stop when the column is missing); a vague one stands at
    its arrival fix (auditor.pipeline.stops). A device reporting every few minutes sends those
    fixes up to a drive's step from the spot, so its stops land around its places in fragments
    of their own: a fragment with no precise stop joins the place of the nearest precise stop
    within radius + its spread. (Linking vague stops to each other at their spread would chain
    a town into one place.) A stop whose fixes lie more than
    ``loose`` apart (found only for such devices) is kept only where it joined such a place:
    component -1 otherwise."""
    n = len(xyz)
    spread = stops["spread_m"].to_numpy(dtype=float) if "spread_m" in stops else np.zeros(n)
    precise = ~(spread > radius)
    component = _linked(cKDTree(xyz), n, radius)
    sure = np.flatnonzero(precise)
    anchored = np.bincount(component, weights=precise, minlength=component.max() + 1) > 0
    vague = np.flatnonzero(~anchored[component])
    if len(sure) and len(vague):
        reach = radius + spread[vague]
        dist, nearest = cKDTree(xyz[sure]).query(xyz[vague], distance_upper_bound=float(reach.max()))
        found = dist <= reach
        if found.any():
            # each fragment goes whole to the place its closest member found
            hits = pd.DataFrame({"fragment": component[vague[found]], "dist": dist[found],
                                 "to": component[sure[nearest[found]]]})
            best = hits.sort_values(["fragment", "dist"], kind="mergesort") \
                .drop_duplicates("fragment")
            target = np.arange(component.max() + 1)
            target[best["fragment"].to_numpy()] = best["to"].to_numpy()
            component = target[component]
    anchored = np.bincount(component, weights=precise, minlength=component.max() + 1) > 0
    component = np.where(anchored[component] | ~(spread > loose), component, -1)
    return component, precise.astype(float)


def _linked(tree: cKDTree, n: int, radius: float) -> np.ndarray:
    pairs = tree.query_pairs(radius, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[1]
