"""Labelled places made in memory for the analyses that read only places, features and vehicle
metadata (no pings, no inference): the truth of each case is set here, so a test counts its
oracle from the table, not from the code under test."""
import numpy as np
import pandas as pd


def labelled_places(wrong_of, seed=4, vehicles=60, places_per=5):
    """Labelled places of ``vehicles`` vehicles in three regions, noise features, and the
    'wrong' column from ``wrong_of(frame, rng)``."""
    rng = np.random.default_rng(seed)
    vids = [f"v{i:03d}" for i in range(vehicles)]
    meta = pd.DataFrame({"vehicle_id": vids,
                         "region": rng.choice(["north", "south", "east"], size=vehicles)})
    n = vehicles * places_per
    lab = pd.DataFrame({"place_id": [f"p{i:04d}" for i in range(n)],
                        "vehicle_id": np.repeat(vids, places_per),
                        "given_label": rng.choice(["home", "work"], size=n)})
    features = pd.DataFrame({"place_id": lab["place_id"], "dwell_share": rng.random(n),
                             "arrival_hour_mean": rng.uniform(0, 24, n)})
    lab = lab.merge(meta, on="vehicle_id")
    lab["wrong"] = wrong_of(lab.assign(dwell_share=features["dwell_share"]), rng)
    return lab, features, meta
