"""The per-vehicle derivation: pings -> trips, stops, places, features, clocks.

Pure and light (no model, no scikit-learn): this is what engine workers import and run on
their shards, so it lives apart from auditor.pipeline.api, which re-exports it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.pipeline.config import InferConfig
from auditor.pipeline.features import night_twin_stops, place_features
from auditor.pipeline.localtime import CLOCK_COLUMNS, local_clock
from auditor.pipeline.moves import find_moves
from auditor.pipeline.places import PLACE_COLUMNS, cluster_places
from auditor.pipeline.stops import STOP_COLUMNS, stops_between_trips
from auditor.pipeline.trips import TRIP_COLUMNS, split_trips


def derive_vehicle_tables(pings: pd.DataFrame, vehicles: pd.DataFrame | None,
                          config: InferConfig | dict | None = None) -> dict[str, pd.DataFrame]:
    """trips, stops, places, features, clocks (each vehicle's local-time source), moves
    (vehicles that moved house, auditor.pipeline.moves), trips_cut_short (vehicles whose
    trips end short of where they park, auditor.pipeline.cut_ends) from a pings
    frame (columns as in the pings table; ``trip_id``/``utc_offset_min``/``ping_id``
    optional). Pure: no database."""
    config = InferConfig.from_any(config)
    pings = _sorted_by_vehicle_and_time(pings.dropna(subset=["lat", "lon", "ts"]))
    pings["local_ts"], clocks = local_clock(pings, vehicles, config.gap_minutes * 60)
    if "trip_id" in pings and pings["trip_id"].isna().all():
        pings = pings.drop(columns="trip_id")
    trips = split_trips(pings, config)
    set_aside = _trip_ids_set_aside(pings, trips)
    stops = stops_between_trips(trips, config)
    cut_short = _trips_cut_short(stops)
    places, stop_place = cluster_places(stops, config)
    stops["place_id"] = stop_place
    stops = stops[stops["place_id"].notna()]  # fixes far apart that joined no place
    features = place_features(stops, places)
    # the night-shift twins' features, for the second model (model.train_with_twins)
    twins = place_features(night_twin_stops(stops), places) if config.night_twins else None
    moves = find_moves(stops)
    return {"trips": trips[TRIP_COLUMNS].reset_index(drop=True),
            "stops": stops[STOP_COLUMNS].reset_index(drop=True),
            "places": places[PLACE_COLUMNS].reset_index(drop=True),
            "features": features,
            "twin_features": twins,
            "clocks": clocks[CLOCK_COLUMNS].reset_index(drop=True),
            "trip_ids_set_aside": set_aside,
            "trips_cut_short": cut_short,
            "moves": moves}


def _trips_cut_short(stops: pd.DataFrame) -> pd.DataFrame:
    """The vehicles whose trips end short of where they park (auditor.pipeline.cut_ends):
    vehicle_id, cut_m (metres), one per row."""
    if "cut_m" not in stops:
        return pd.DataFrame({"vehicle_id": pd.Series([], dtype=object),
                             "cut_m": pd.Series([], dtype=float)})
    cut = stops.loc[stops["cut_m"].notna(), ["vehicle_id", "cut_m"]]
    return cut.drop_duplicates("vehicle_id").reset_index(drop=True)


def _trip_ids_set_aside(pings: pd.DataFrame, trips: pd.DataFrame) -> pd.DataFrame:
    """The vehicles whose pings carry trip ids that split_trips did not use (one of them
    lasted through hours parked): vehicle_id, one per row."""
    if "trip_id" not in pings or trips.empty:
        return pd.DataFrame({"vehicle_id": pd.Series([], dtype=object)})
    with_ids = set(pings.loc[pings["trip_id"].notna(), "vehicle_id"].unique())
    used = set(trips.loc[trips["source_trip_id"].notna(), "vehicle_id"].unique())
    aside = (with_ids & set(trips["vehicle_id"].unique())) - used  # (no trip: nothing to say)
    return pd.DataFrame({"vehicle_id": pd.Series(sorted(aside), dtype=object)})


def _sorted_by_vehicle_and_time(pings: pd.DataFrame) -> pd.DataFrame:
    """Pings ordered by (vehicle_id, ts, ping_id); a no-op copy-free path when the store
    already returned them in that order (the usual case)."""
    if _in_order(pings):
        return pings.reset_index(drop=True)
    codes, _ = pd.factorize(pings["vehicle_id"], sort=True)
    keys = [pings["ts"].to_numpy(dtype=np.int64), codes]
    if "ping_id" in pings:
        keys.insert(0, pings["ping_id"].to_numpy())
    order = np.lexsort(keys)
    if np.array_equal(order, np.arange(len(order))):
        return pings.reset_index(drop=True)
    return pings.iloc[order].reset_index(drop=True)


def _in_order(pings: pd.DataFrame) -> bool:
    """Already in (vehicle_id, ts, ping_id) order? One comparison per neighbouring pair, the
    vehicle ids compared as strings only where they change: sorting the ids to find out
    (factorize) cost ~0.05 s per 400k pings, twice a shard (issue 16)."""
    if len(pings) < 2:
        return True
    codes, ids = pd.factorize(pings["vehicle_id"])  # cheap on Arrow strings; no object copy
    if (codes < 0).any():
        return False  # a missing id: let the full sort place it
    ids = np.asarray(ids, dtype=object)
    ts = pings["ts"].to_numpy(dtype=np.int64)
    same = codes[1:] == codes[:-1]
    change = np.flatnonzero(~same)
    try:  # one step per vehicle: each run's id after the one before
        if not all(ids[a] < ids[b] for a, b in zip(codes[change].tolist(),
                                                   codes[change + 1].tolist())):
            return False
    except TypeError:  # ids of mixed kinds: let factorize order them
        return False
    step = np.diff(ts)
    if (step[same] < 0).any():
        return False
    if "ping_id" in pings:
        tie = same & (step == 0)
        if tie.any():
            pid = pings["ping_id"].to_numpy()
            if (pid[1:][tie] < pid[:-1][tie]).any():
                return False
    return True
