"""bench/fleets/shifts.py, the fourth generator the truth bench runs: seeded, and its files
say what its docstring says (UTC stamps of a UTC+05:30 city, the kinds of life it names)."""
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "fleets"))
import shifts  # noqa: E402


def test_the_same_arguments_write_the_same_files(tmp_path):
    a = shifts.write_shifts_fleet(tmp_path / "a", vehicles=12, days=7, seed=3)
    b = shifts.write_shifts_fleet(tmp_path / "b", vehicles=12, days=7, seed=3)
    for name in ("pings.csv", "labels.csv", "vehicles.csv", "truth.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    c = shifts.write_shifts_fleet(tmp_path / "c", vehicles=12, days=7, seed=4)
    assert (c / "pings.csv").read_bytes() != (a / "pings.csv").read_bytes()


def test_an_office_worker_is_at_work_by_local_day_and_home_by_local_night(tmp_path):
    out = shifts.write_shifts_fleet(tmp_path, vehicles=40, days=7, seed=1)
    truth = json.loads((out / "truth.json").read_text())["vehicles"]
    office = next(v for v, t in truth.items() if t["kind"] == "office" and t["device"] != "ignition")
    pings = pd.read_csv(out / "pings.csv")
    assert pings["timestamp"].str.endswith("Z").all()
    mine = pings[pings["vehicle_id"] == office]
    local = pd.to_datetime(mine["timestamp"], utc=True).dt.tz_convert("Asia/Kolkata")
    weekday = local.dt.day_of_week < 5

    def near(row, where):
        return shifts._dist((row.lat, row.lon), tuple(where)) < 150

    noon = mine[weekday & (local.dt.hour == 13)]
    night = mine[local.dt.hour == 3]
    assert len(noon) and len(night)
    assert sum(near(r, truth[office]["work"]) for r in noon.itertuples()) > 0.8 * len(noon)
    assert sum(near(r, truth[office]["home"]) for r in night.itertuples()) > 0.8 * len(night)
    assert {t["kind"] for t in truth.values()} >= {"office", "school", "taxi", "retiree"}
