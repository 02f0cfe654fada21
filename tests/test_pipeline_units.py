"""Trips, stops, places, features, labels and the model on small synthetic fleets whose truth
is known by construction (no demo generator needed)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from auditor.pipeline.api import derive_vehicle_tables
from auditor.pipeline.baseline import baseline_labels
from auditor.pipeline.config import InferConfig
from auditor.pipeline.features import (FEATURE_COLUMNS, crossings, place_features,
                                       window_seconds_before)
from auditor.pipeline.geo import haversine_m
from auditor.pipeline.labels import given_labels, match_labels
from auditor.pipeline.localtime import local_ts
from auditor.pipeline.model import assign_splits, decide_labels, train_and_predict, vehicle_folds
from auditor.pipeline.trips import split_trips

DAY = 86_400
MONDAY = 1_700_438_400  # 2023-11-20 00:00 UTC, a Monday
M_PER_DEG = 111_195.0


def drive(vehicle, t0, a, b, minutes=20, every_s=30, trip_id=None):
    """Pings of a straight drive from a to b ((lat, lon)) starting at t0."""
    n = int(minutes * 60 / every_s) + 1
    f = np.linspace(0, 1, n)
    return pd.DataFrame({
        "vehicle_id": vehicle, "ts": t0 + np.arange(n) * every_s,
        "lat": a[0] + f * (b[0] - a[0]), "lon": a[1] + f * (b[1] - a[1]),
        "trip_id": trip_id,
    })


def commuter(vehicle, home, work, days=10, start=MONDAY, night_shift=False, offset_h=0):
    """Weekdays home->work->home, weekends a shopping trip; local clock = UTC + offset_h."""
    shop = (home[0] + 0.02, home[1] + 0.01)
    parts = []
    for d in range(days):
        day0 = start + d * DAY - offset_h * 3600
        if (d % 7) < 5:
            go, back = (21, 6) if night_shift else (8, 17)
            parts.append(drive(vehicle, day0 + go * 3600, home, work))
            back_day = day0 + DAY if night_shift else day0
            parts.append(drive(vehicle, back_day + back * 3600, work, home))
        else:
            parts.append(drive(vehicle, day0 + 11 * 3600, home, shop, minutes=15))
            parts.append(drive(vehicle, day0 + 13 * 3600, shop, home, minutes=15))
    return pd.concat(parts, ignore_index=True)


def fleet(n=12, days=10, seed=0):
    rng = np.random.default_rng(seed)
    frames, truth = [], {}
    for i in range(n):
        vid = f"v{i:02d}"
        home = (48.0 + rng.uniform(0, 1), 11.0 + rng.uniform(0, 1))
        work = (home[0] + rng.uniform(0.05, 0.1), home[1] - rng.uniform(0.05, 0.1))
        frames.append(commuter(vid, home, work, days=days))
        truth[vid] = {"home": home, "work": work}
    pings = pd.concat(frames, ignore_index=True)
    pings["ping_id"] = np.arange(len(pings))
    return pings, truth


def test_silence_splits_trips_but_a_far_move_across_it_is_a_tunnel():
    cfg = InferConfig()
    a, b, c = (48.0, 11.0), (48.05, 11.0), (48.1, 11.0)
    first = drive("v", MONDAY, a, b, minutes=10)
    # 8 minutes of silence while moving ~5.5 km (tunnel), then the drive goes on to c
    tunnel = drive("v", first["ts"].iloc[-1] + 480, (48.1, 11.0), c, minutes=5)
    parked = drive("v", tunnel["ts"].iloc[-1] + 3 * 3600, c, a, minutes=20)
    pings = pd.concat([first, tunnel, parked], ignore_index=True).drop(columns="trip_id")
    pings["local_ts"] = pings["ts"]
    trips = split_trips(pings, cfg)
    assert list(trips["trip_id"]) == ["v:t0", "v:t1"]
    assert trips["n_pings"].tolist() == [len(first) + len(tunnel), len(parked)]
    out = derive_vehicle_tables(pings.drop(columns="local_ts"), None, cfg)
    stops = out["stops"]
    assert len(stops) == 1  # the 3 h parking at c, not the tunnel
    assert haversine_m(stops["lat"], stops["lon"], [c[0]], [c[1]])[0] < 1
    assert stops["end_ts"].iloc[0] - stops["start_ts"].iloc[0] == 3 * 3600
    assert stops[["prev_trip_id", "next_trip_id"]].values.tolist() == [["v:t0", "v:t1"]]
