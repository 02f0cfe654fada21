"""Stops: where a vehicle stood between two consecutive trips (parking).

A stop is kept only when nothing was lost between the trips (same vehicle, no far jump across
a long silence) and the car left from where it arrived; otherwise its place is unknown.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.geo import haversine_m, midpoint_lon
from auditor.pipeline.config import InferConfig
from auditor.pipeline.cut_ends import cut_short_stops

STOP_COLUMNS = ["stop_id", "vehicle_id", "start_ts", "end_ts", "lat", "lon", "place_id",
                "prev_trip_id", "next_trip_id"]


def stops_between_trips(trips: pd.DataFrame, config: InferConfig) -> pd.DataFrame:
    """STOP_COLUMNS (place_id still empty) plus ``start_local``/``end_local`` for features."""
    if len(trips) < 2:
        return _empty_stops()
    prev, nxt = trips.iloc[:-1].reset_index(drop=True), trips.iloc[1:].reset_index(drop=True)
    moved = haversine_m(prev["end_lat"], prev["end_lon"], nxt["start_lat"], nxt["start_lon"])
    ok = (nxt["clean_break_before"].to_numpy()
          & (prev["vehicle_id"].to_numpy() == nxt["vehicle_id"].to_numpy())
          & (moved <= (nxt["far_m"].to_numpy() if "far_m" in nxt else config.tunnel_move_m))
          & (nxt["start_ts"].to_numpy() > prev["end_ts"].to_numpy()))
    prev, nxt = prev[ok], nxt[ok]
    spread = moved[ok]
    # arrival and departure fixes are both noisy views of one parking spot: their midpoint,
    # unless they disagree by more than a place is wide. Then the arrival fix: the receiver
    # had been tracking all the way there, while the first fix after hours parked is a cold
    # start (often 100-400 m off), which pulled the midpoint away and split a home into as
    # many places as the car had departures. A device reporting every few minutes has both
    # fixes up to a step from the spot, and the arrival fix is no worse than the midpoint.
    vague = spread > config.place_radius_m
    end_lat, end_lon = prev["end_lat"].to_numpy(), prev["end_lon"].to_numpy()
    lat = np.where(vague, end_lat, (end_lat + nxt["start_lat"].to_numpy()) / 2)
    lon = np.where(vague, end_lon, midpoint_lon(end_lon, nxt["start_lon"].to_numpy()))
    cut = np.full(len(prev), np.nan)
    if vague.any() and "before_end_lat" in prev:
        # trips cut short for privacy: where the car stood, from which way it drove
        c_lat, c_lon, resolved, cut = cut_short_stops(prev, nxt, spread, config)
        lat, lon = np.where(resolved, c_lat, lat), np.where(resolved, c_lon, lon)
        spread = np.where(resolved, 0.0, spread)
    stops = pd.DataFrame({
        "vehicle_id": prev["vehicle_id"].to_numpy(),
        "start_ts": prev["end_ts"].to_numpy(dtype=np.int64),
        "end_ts": nxt["start_ts"].to_numpy(dtype=np.int64),
        "lat": lat,
        "lon": lon,
        "place_id": pd.Series([None] * len(prev), dtype=object),
        "prev_trip_id": prev["trip_id"].to_numpy(),
        "next_trip_id": nxt["trip_id"].to_numpy(),
        # how far apart the arrival and departure fixes were: a device reporting every few
        # minutes sends them up to a drive's step from the spot (auditor.pipeline.places)
        "spread_m": spread,
        # how far short of where it parks the vehicle's trips end (cut_ends.py); NaN for a
        # vehicle whose trips reach the spot
        "cut_m": cut,
        "start_local": prev["end_local"].to_numpy(dtype=np.int64),
        "end_local": nxt["start_local"].to_numpy(dtype=np.int64),
    })
    n_in_vehicle = stops.groupby("vehicle_id", sort=False).cumcount()
    stops.insert(0, "stop_id", stops["vehicle_id"].astype(str) + ":s" + n_in_vehicle.astype(str))
    return stops


def _empty_stops() -> pd.DataFrame:
    return pd.DataFrame({
        "stop_id": pd.Series([], dtype=object), "vehicle_id": pd.Series([], dtype=object),
        "start_ts": pd.Series([], dtype=np.int64), "end_ts": pd.Series([], dtype=np.int64),
        "lat": pd.Series([], dtype=float), "lon": pd.Series([], dtype=float),
        "place_id": pd.Series([], dtype=object), "prev_trip_id": pd.Series([], dtype=object),
        "next_trip_id": pd.Series([], dtype=object),
        "start_local": pd.Series([], dtype=np.int64), "end_local": pd.Series([], dtype=np.int64),
    })
