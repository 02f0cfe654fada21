"""bench/fleets/deid.py, the fifth generator the truth bench runs: seeded, and its files do
what its docstring says (trip ends cut, rounded positions and minutes, garages at work)."""
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "fleets"))
import deid  # noqa: E402


def test_the_same_arguments_write_the_same_files(tmp_path):
    a = deid.write_deid_fleet(tmp_path / "a", vehicles=10, days=7, seed=3)
    b = deid.write_deid_fleet(tmp_path / "b", vehicles=10, days=7, seed=3)
    for name in ("pings.csv", "labels.csv", "vehicles.csv", "truth.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    c = deid.write_deid_fleet(tmp_path / "c", vehicles=10, days=7, seed=4)
    assert (c / "pings.csv").read_bytes() != (a / "pings.csv").read_bytes()


def test_privacy_treatments_and_garages_are_in_the_pings(tmp_path):
    out = deid.write_deid_fleet(tmp_path, vehicles=60, days=7, seed=1)
    truth = json.loads((out / "truth.json").read_text())["vehicles"]
    pings = pd.read_csv(out / "pings.csv")
    assert (np.diff(pings["time"].to_numpy()) < 0).any()  # upload order, not time order
    local = pd.to_datetime(pings["time"], unit="s", utc=True).dt.tz_convert("Europe/Stockholm")

    def metres(rows, where):
        return np.hypot((rows["latitude"] - where[0]) * deid.M,
                        (rows["longitude"] - where[1]) * deid.M * deid.COS)

    seen, garages = set(), 0
    for vid, t in truth.items():
        mine = pings[pings["device_id"] == vid]
        if t["privacy"] == "truncated":  # never seen near home (120 m of road at least)
            assert metres(mine, t["home"]).min() > 60
        if t["privacy"] == "rounded":
            assert (mine["time"] % 60 == 0).all()
            assert np.allclose(mine["latitude"], mine["latitude"].round(3))
        if (t["privacy"], t["device"], t["kind"]) == ("plain", "tracker", "commuter"):
            night = mine[(local[mine.index].dt.hour == 3)]
            assert len(night) and (metres(night, t["home"]) < 100).mean() > 0.8
            # parked in the garage: no fix from inside
            noon = mine[(local[mine.index].dt.hour == 12) & (local[mine.index].dt.day_of_week < 5)]
            assert (metres(noon, t["work"]) < 100).sum() == 0
            garages += 1
        seen.add((t["kind"], t["privacy"]))
    assert {k for k, _ in seen} >= {"commuter", "trucker", "cleaner", "carer"}
    assert {p for _, p in seen} == {"truncated", "rounded", "plain"}
    assert garages
