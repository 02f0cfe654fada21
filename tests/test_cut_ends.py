"""Trips a broker cut short (auditor.pipeline.cut_ends): the first and last 200 m of every
drive removed, so the car is never seen within 200 m of its door. Commuters on the street
grid, whose truth is known by construction."""
from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd

from auditor.cli import main
from auditor.geo import haversine_m
from auditor.pipeline.api import derive_vehicle_tables
from auditor.pipeline.config import InferConfig

DAY = 86_400
MONDAY = 1_700_438_400  # 2023-11-20 00:00 UTC, a Monday
CUT = 200.0


def _leg(vehicle: str, t0: int, path: list, cut: float) -> pd.DataFrame:
    """A drive along ``path``'s corners at 10 m/s, a fix every 5 s, its first and last
    ``cut`` metres removed."""
    pts = []
    for a, b in zip(path, path[1:]):
        n = int(haversine_m([a[0]], [a[1]], [b[0]], [b[1]])[0] / 50)
        f = np.linspace(0, 1, n, endpoint=False)
        pts += list(zip(a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])))
    pts.append(path[-1])
    lat, lon = np.array(pts).T
    keep = (haversine_m(lat, lon, *path[0]) > cut) & (haversine_m(lat, lon, *path[-1]) > cut)
    return pd.DataFrame({"vehicle_id": vehicle, "ts": t0 + 5 * np.arange(len(lat))[keep],
                         "lat": lat[keep], "lon": lon[keep]})


def _commuter(vehicle: str, home, work, back_by_days, cut: float = CUT) -> pd.DataFrame:
    """Out: north, then east to work. Back: south then west on days ``back_by_days`` marks
    True (the lines in and out meet at home and at work), else back the way it came (one
    street both ways)."""
    corner_go, corner_back = (work[0], home[1]), (home[0], work[1])
    parts = []
    for d, crossing in enumerate(back_by_days):
        parts.append(_leg(vehicle, MONDAY + d * DAY + 7 * 3600, [home, corner_go, work], cut))
        back = [work, corner_back, home] if crossing else [work, corner_go, home]
        parts.append(_leg(vehicle, MONDAY + d * DAY + 16 * 3600, back, cut))
    return pd.concat(parts, ignore_index=True)


HOME, WORK = (48.0, 11.0), (48.03, 11.05)


def _missed(out: dict, days: int) -> np.ndarray:
    spots = ([WORK, HOME] * days)[:-1]
    stops = out["stops"]
    return haversine_m(stops["lat"], stops["lon"], [p[0] for p in spots], [p[1] for p in spots])


def test_stops_of_trips_cut_short_stand_where_the_headings_meet():
    """The car is last seen driving west towards home 200 m east of it and first seen driving
    north 200 m north of it. The stop stood at the arrival fix, so home and work fell 200 m off
    (a home is found within 150 m or not at all). The line it drove in on and the one it drove
    out on meet at the door."""
    out = derive_vehicle_tables(_commuter("v", HOME, WORK, [True] * 4), None, InferConfig())
    assert len(out["stops"]) == 7
    missed = _missed(out, 4)
    assert missed.max() < 30, missed
    assert len(out["places"]) == 2


def test_a_cut_short_stop_on_one_street_stands_the_vehicles_cut_ahead():
    """On the days the car comes back the way it went, its arrival and departure fixes lie
    together 200 m up the street: no lines meet, and the stop stood there, a place of its own
    200 m from home. The vehicle's cut, measured where its lines met on the other days, puts
    it 200 m ahead along the street: one home, one work."""
    days = [True, False, True, False, True, True, False, True]
    out = derive_vehicle_tables(_commuter("v", HOME, WORK, days), None, InferConfig())
    assert len(out["stops"]) == 15
    missed = _missed(out, len(days))
    assert missed.max() < 40, missed
    assert len(out["places"]) == 2
    cut = out["trips_cut_short"]
    assert cut["vehicle_id"].tolist() == ["v"] and 200 <= cut["cut_m"].iloc[0] <= 260


def test_infer_names_the_vehicles_whose_trips_end_short_and_leaves_the_others(tmp_path,
                                                                               capsys):
    """Two cut vehicles among two whose drives end at the door: infer says which trips end
    short and by how much; the others' stops are where they were (their record reaches the
    spot: no lines to meet)."""
    days = [True, False, True, True, False, True, True, False, True, True]
    homes = {"cut-a": HOME, "cut-b": (48.1, 11.2), "door-a": (47.9, 10.9), "door-b": (48.2, 11.1)}
    frames = []
    for vid, home in homes.items():
        work = (home[0] + 0.03, home[1] + 0.05)
        frames.append(_commuter(vid, home, work, days, cut=CUT if vid.startswith("cut") else 0.0))
    pings = pd.concat(frames, ignore_index=True)
    pings["timestamp"] = pd.to_datetime(pings.pop("ts"), unit="s", utc=True).dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    pings.to_csv(tmp_path / "pings.csv", index=False)
    project = str(tmp_path / "p.db")
    assert main(["ingest", project, str(tmp_path / "pings.csv")]) == 0
    capsys.readouterr()
    assert main(["infer", project]) == 0
    text = capsys.readouterr().out
    assert "trips of 2 vehicle(s) end short of where they park, by about 2" in text
    assert "(cut-a, cut-b)" in text
    assert main(["infer", project, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["trips_cut_short"]) == {"cut-a", "cut-b"}
    conn = sqlite3.connect(project)
    try:
        places = pd.read_sql("SELECT vehicle_id, lat, lon FROM places", conn)
    finally:
        conn.close()
    for vid, home in homes.items():
        mine = places[places["vehicle_id"] == vid]
        assert len(mine) == 2
        assert haversine_m(mine["lat"], mine["lon"], *home).min() < 40


def _straight_drive(vehicle, t0, a, b, every_s, speed=10.0):
    """Fixes every ``every_s`` along a straight drive from a to b, from a to b inclusive."""
    dist = haversine_m([a[0]], [a[1]], [b[0]], [b[1]])[0]
    t = np.arange(0, dist / speed, every_s)
    f = np.append(t * speed / dist, 1.0)
    return pd.DataFrame({"vehicle_id": vehicle, "ts": t0 + np.append(t, dist / speed).astype(int),
                         "lat": a[0] + f * (b[0] - a[0]), "lon": a[1] + f * (b[1] - a[1])})


def test_a_garage_that_hides_the_car_at_work_puts_the_stop_at_its_ramp():
    """A tracker reporting every 45 s loses the sky in the office garage: its last fix is
    half a minute short of the ramp, 300 m up the street, its first a minute after leaving,
    400 m along another street. The stop stood at that last fix (the fixes lie apart); the
    lines in and out meet at the ramp. Its home stops, where the record reaches the door,
    stay where they are, and the vehicle is not cut: its lines meet at one place only."""
    home, ramp, east = (48.0, 11.0), (48.03, 11.0), (48.03, 11.05)
    parts = []
    for d in range(5):
        day = MONDAY + d * DAY
        go = _straight_drive("v", day + 7 * 3600 + 7 * d, home, ramp, 45)
        parts.append(go[haversine_m(go["lat"], go["lon"], *ramp) > 300])
        back = _straight_drive("v", day + 16 * 3600, ramp, east, 45)
        parts.append(back[haversine_m(back["lat"], back["lon"], *ramp) > 400])
        parts.append(_straight_drive("v", int(back["ts"].iloc[-1]) + 60, east, home, 45))
    out = derive_vehicle_tables(pd.concat(parts, ignore_index=True), None, InferConfig())
    stops = out["stops"]
    at_work = haversine_m(stops["lat"], stops["lon"], *ramp) < 30
    at_home = haversine_m(stops["lat"], stops["lon"], *home) < 5
    assert at_work.sum() == 5 and at_home.sum() == 4 and len(stops) == 9
    assert out["trips_cut_short"].empty


def test_a_device_reporting_every_two_minutes_keeps_its_stops():
    """Fixes every 120 s at whatever phase: the last before a stop lies anywhere in the last
    step, and the lines in and out of many stops meet somewhere. That is no cut: every stop
    stands where stops.py puts it — the midpoint of its fixes, or its arrival fix when they
    lie apart."""
    days = [True, False, True, True, False, True, True, False, True, True]
    pings = _commuter("v", HOME, WORK, days, cut=-1.0)  # every fix, the doors' too
    rng = np.random.default_rng(4)
    phase = pd.Series(rng.integers(0, 24, 40) * 5)[(pings["ts"] - MONDAY) // (DAY // 2)]
    pings = pings[((pings["ts"] - MONDAY - phase.to_numpy()) % 120) < 5].reset_index(drop=True)
    out = derive_vehicle_tables(pings, None, InferConfig())
    trips, stops = out["trips"].set_index("trip_id"), out["stops"]
    assert out["trips_cut_short"].empty and len(stops) > 10
    before = trips.loc[stops["prev_trip_id"]]
    after = trips.loc[stops["next_trip_id"]]
    apart = haversine_m(before["end_lat"], before["end_lon"], after["start_lat"],
                        after["start_lon"]) > InferConfig().place_radius_m
    want_lat = np.where(apart, before["end_lat"], (before["end_lat"].to_numpy()
                                                   + after["start_lat"].to_numpy()) / 2)
    assert np.allclose(stops["lat"], want_lat)
