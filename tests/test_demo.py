"""The demo fleet generator: deterministic bytes, the contract's columns, and the hard cases
(night shifts, the firmware clock fault, wrong labels, messy pings) really in the data."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from auditor.cli import main
from auditor.demo.generator import simulate_vehicle, write_demo
from auditor.demo.population import build_fleet

FILES = ("pings.csv", "labels.csv", "vehicles.csv", "truth.json")
R = 6_371_000.0


def metres(lat1, lon1, lat2, lon2):
    """Equirectangular distance in metres (exact enough at city scale)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float))
                              for a in (lat1, lon1, lat2, lon2))
    x = (lon2 - lon1) * np.cos((lat1 + lat2) / 2)
    return R * np.hypot(x, lat2 - lat1)


def epoch_s(stamps: pd.Series) -> np.ndarray:
    return ((pd.to_datetime(stamps, format="%Y-%m-%dT%H:%M:%SZ", utc=True)
             - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta(seconds=1)).to_numpy()


@pytest.fixture(scope="session")
def truth(demo_dir) -> dict:
    return json.loads((demo_dir / "truth.json").read_text())


@pytest.fixture(scope="session")
def size(truth) -> tuple[int, int, int]:
    """(vehicles, days, seed) the shared demo_dir fixture was generated with."""
    s = truth["summary"]
    return s["vehicles"], s["days"], s["seed"]


@pytest.fixture(scope="session")
def pings(demo_dir) -> pd.DataFrame:
    p = pd.read_csv(demo_dir / "pings.csv", dtype={"vehicle_id": str})
    p["t"] = epoch_s(p["timestamp"])
    return p


@pytest.fixture(scope="session")
def clean_twin(tmp_path_factory, size) -> pd.DataFrame:
    """The conftest demo fleet once more, written as a correct firmware would write it."""
    out = tmp_path_factory.mktemp("demo_twin")
    vehicles, days, seed = size
    write_demo(out, vehicles=vehicles, days=days, seed=seed, firmware_fault=False)
    p = pd.read_csv(out / "pings.csv", dtype={"vehicle_id": str})
    p["t"] = epoch_s(p["timestamp"])
    return p


def valid(p: pd.DataFrame) -> pd.DataFrame:
    return p[p["lat"].between(-90, 90) & p["lon"].notna()]


def stops(p: pd.DataFrame, min_gap_s: int = 20 * 60) -> pd.DataFrame:
    """Parked spells: consecutive pings of a vehicle more than min_gap_s apart."""
    p = valid(p).sort_values(["vehicle_id", "t"], kind="stable")
    nxt = p.groupby("vehicle_id").shift(-1)
    gap = (nxt["t"] - p["t"]) > min_gap_s
    out = p[gap][["vehicle_id", "t", "lat", "lon"]].copy()
    out["end"] = nxt["t"][gap].astype(np.int64)
    out["moved_m"] = metres(p["lat"][gap], p["lon"][gap], nxt["lat"][gap], nxt["lon"][gap])
    return out


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = (tmp_path / n for n in "abc")
    write_demo(a, vehicles=12, days=5, seed=11)
    write_demo(b, vehicles=12, days=5, seed=11)
    write_demo(c, vehicles=12, days=5, seed=12)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "pings.csv").read_bytes() != (c / "pings.csv").read_bytes()
    assert (a / "truth.json").read_bytes() != (c / "truth.json").read_bytes()
    assert b"\r" not in (a / "pings.csv").read_bytes()


def test_files_have_the_contract_columns(demo_dir, truth, pings, size):
    assert (demo_dir / "pings.csv").open().readline() == (
        "vehicle_id,timestamp,lat,lon,speed_mps,heading_deg\n")
    assert (demo_dir / "labels.csv").open().readline() == "vehicle_id,label,lat,lon\n"
    assert (demo_dir / "vehicles.csv").open().readline() == (
        "vehicle_id,fleet,region,firmware,timezone,model_year\n")
    assert pings["timestamp"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").all()
    assert pings["vehicle_id"].str.fullmatch(r"V\d{5}").all()
    assert pings["timestamp"].min() >= "2026-03-01"
    vehicles = pd.read_csv(demo_dir / "vehicles.csv", dtype=str)
    assert len(vehicles) == size[0] == len(truth["vehicles"])
    assert set(vehicles["vehicle_id"]) == set(truth["vehicles"]) == set(pings["vehicle_id"])
    # four cities, each with its own zone, none at UTC+0 in March
    zones = vehicles.groupby("region")["timezone"].unique()
    assert len(zones) == 4 and all(len(z) == 1 for z in zones)
    for zone in vehicles["timezone"].unique():
        assert pd.Timestamp("2026-03-15", tz=zone).utcoffset().total_seconds() != 0
    labels = pd.read_csv(demo_dir / "labels.csv", dtype={"vehicle_id": str})
    assert set(labels["label"]) == {"home", "work"}
    for entry in truth["vehicles"].values():
        assert entry["schedule"] in ("day", "night", "none")
        assert isinstance(entry["faulty"], bool) and len(entry["home"]) == 2
        assert (entry["work"] is None) == (entry["schedule"] == "none")
    assert truth["fault"]["column"] == "firmware"
    faulty = vehicles[vehicles["firmware"] == truth["fault"]["value"]]["vehicle_id"]
    assert set(faulty) == {v for v, e in truth["vehicles"].items() if e["faulty"]}


def test_schedule_mix_and_fault_spread(demo_dir, truth):
    kinds = pd.Series({v: ("part" if e["part_time"] else e["schedule"])
                       for v, e in truth["vehicles"].items()})
    share = kinds.value_counts(normalize=True)
    assert abs(share["day"] - 0.55) < 0.06
    assert abs(share["night"] - 0.12) < 0.04
    assert abs(share["part"] - 0.13) < 0.04
    assert abs(share["none"] - 0.20) < 0.04
    assert all(truth["vehicles"][v]["schedule"] == "day" for v in kinds[kinds == "part"].index)
    faulty = [e for e in truth["vehicles"].values() if e["faulty"]]
    assert 0.10 <= len(faulty) / len(kinds) <= 0.20
    assert len({e["city"] for e in faulty}) == 4
    labelled = sum(e["labelled"] for e in truth["vehicles"].values())
    assert abs(labelled / len(kinds) - 0.6) < 0.05


def _stops_near(st: pd.DataFrame, truth: dict, key: str, radius_m: float = 120) -> pd.DataFrame:
    place = st["vehicle_id"].map(lambda v: truth["vehicles"][v][key])
    has = place.notna()
    st, place = st[has], place[has]
    lat = place.map(lambda p: p[0])
    lon = place.map(lambda p: p[1])
    return st[metres(st["lat"], st["lon"], lat, lon) < radius_m]


def _spans_2am(st: pd.DataFrame, truth: dict) -> pd.Series:
    """Whether each stop covers 02:00 on the vehicle's local clock."""
    out = pd.Series(False, index=st.index)
    for vid, g in st.groupby("vehicle_id"):
        zone = truth["vehicles"][vid]["timezone"]
        start = pd.to_datetime(g["t"], unit="s", utc=True).dt.tz_convert(zone)
        end = pd.to_datetime(g["end"], unit="s", utc=True).dt.tz_convert(zone)
        two_am = start.dt.normalize() + pd.Timedelta(hours=2)
        two_am = two_am.where(two_am > start, two_am + pd.Timedelta(days=1))
        out[g.index] = (two_am < end).to_numpy()
    return out


def test_night_shift_workers_are_at_work_across_2am(pings, truth, size):
    healthy = {v for v, e in truth["vehicles"].items() if not e["faulty"]}
    st = stops(pings[pings["vehicle_id"].isin(healthy)])
    at_work = _stops_near(st, truth, "work")
    at_work = at_work[_spans_2am(at_work, truth)]
    nights = at_work.groupby("vehicle_id").size()
    night_ids = [v for v in healthy if truth["vehicles"][v]["schedule"] == "night"]
    day_ids = [v for v in healthy if truth["vehicles"][v]["schedule"] == "day"]
    assert len(night_ids) >= 4
    for vid in night_ids:  # five shifts a week, minus the odd sick night
        assert nights.get(vid, 0) >= 7, vid
    assert sum(nights.get(v, 0) for v in day_ids) == 0
    # ... day workers sleep at home (the odd night away on a long trip aside)
    nightly = st[_spans_2am(st, truth) & st["vehicle_id"].isin(day_ids)]
    assert len(_stops_near(nightly, truth, "home")) >= 0.85 * len(nightly) > 20 * len(day_ids) / 10


def test_faulty_firmware_writes_local_wall_time_as_utc(pings, clean_twin, truth):
    assert len(pings) == len(clean_twin)
    same = ["vehicle_id", "lat", "lon", "speed_mps", "heading_deg"]
    pd.testing.assert_frame_equal(pings[same], clean_twin[same])
    faulty = pings["vehicle_id"].map(lambda v: truth["vehicles"][v]["faulty"]).to_numpy()
    assert faulty.any()
    assert (pings["timestamp"][~faulty] == clean_twin["timestamp"][~faulty]).all()
    # the faulty rows show the correct instant's local wall clock, marked Z
    for vid, rows in clean_twin[faulty].groupby("vehicle_id"):
        zone = truth["vehicles"][vid]["timezone"]
        wall = (pd.to_datetime(rows["timestamp"], utc=True).dt.tz_convert(zone)
                .dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        assert (pings.loc[rows.index, "timestamp"] == wall).all(), vid
        shift = pings.loc[rows.index, "t"] - rows["t"]
        assert ((shift != 0) & (shift.abs() <= 8 * 3600) & (shift % 3600 == 0)).all()


def test_no_pings_while_parked(pings, truth, size):
    vehicles, days, seed = size
    fleet = build_fleet(vehicles, seed)
    checked = 0
    for vehicle in fleet[:12]:
        if vehicle.faulty:
            continue
        track = simulate_vehicle(vehicle, seed, days)
        mine = pings[pings["vehicle_id"] == vehicle.vehicle_id]
        assert np.array_equal(mine["t"].to_numpy(), track.written_t)  # the file is this track
        it = track.itinerary
        home_stays = np.flatnonzero(it.dest[:-1] == 0)
        arrive = np.round(it.arrive[home_stays]).astype(np.int64)
        leave = it.depart[home_stays + 1]
        assert (leave - arrive >= 240).all()
        t = mine["t"].to_numpy()
        inside = np.searchsorted(t, leave, side="left") - np.searchsorted(t, arrive, side="right")
        assert (inside == 0).all(), vehicle.vehicle_id
        # the car reports on arrival and on leaving, at home
        home = truth["vehicles"][vehicle.vehicle_id]["home"]
        last = mine.set_index("t").loc[~mine.set_index("t").index.duplicated()]
        at = last.reindex(arrive)
        at = at[at["lat"].between(-90, 90)]
        assert (metres(at["lat"], at["lon"], home[0], home[1]) < 60).mean() > 0.95
        checked += len(home_stays)
    assert checked > 100


def test_labels_right_and_wrong(demo_dir, truth):
    labels = pd.read_csv(demo_dir / "labels.csv", dtype={"vehicle_id": str})
    wrong = truth["wrong_labels"]
    assert {w["kind"] for w in wrong} == {"swapped", "errand", "offset"}
    assert 0.03 <= len(wrong) / len(labels) <= 0.08
    wrong_keys = {(w["vehicle_id"], w["label"]): w["kind"] for w in wrong}
    for row in labels.itertuples():
        v = truth["vehicles"][row.vehicle_id]
        assert v["labelled"]
        kind = wrong_keys.get((row.vehicle_id, row.label))
        true = v[row.label]
        if kind is None:
            assert 15 <= metres(row.lat, row.lon, *true) <= 45
        elif kind == "swapped":
            other = v["work" if row.label == "home" else "home"]
            assert metres(row.lat, row.lon, *other) <= 45
        elif kind == "errand":
            fav = v["errands"][v["favourite_errand"]]
            assert metres(row.lat, row.lon, *fav) <= 45
        else:
            assert 700 <= metres(row.lat, row.lon, *true) <= 1600
    counts = labels.groupby("vehicle_id")["label"].apply(sorted)
    for vid, got in counts.items():
        assert got == (["home"] if truth["vehicles"][vid]["work"] is None else ["home", "work"])


def test_messy_rows_really_occur(demo_dir, pings, truth):
    lines = (demo_dir / "pings.csv").read_text().splitlines()[1:]
    repeats = sum(a == b for a, b in zip(lines, lines[1:]))
    assert repeats == truth["defects"]["duplicates"] > 50
    invalid = pings["lat"].isna() | ~pings["lat"].between(-90, 90)
    assert invalid.sum() == truth["defects"]["invalid_rows"] > 0
    p = valid(pings).drop_duplicates()
    g = p.groupby("vehicle_id")
    prev_lat, prev_lon, prev_t = g["lat"].shift(1), g["lon"].shift(1), g["t"].shift(1)
    next_lat, next_lon, next_t = g["lat"].shift(-1), g["lon"].shift(-1), g["t"].shift(-1)
    away = metres(p["lat"], p["lon"], prev_lat, prev_lon)
    back = metres(p["lat"], p["lon"], next_lat, next_lon)
    neighbours = metres(prev_lat, prev_lon, next_lat, next_lon)
    jump = (away > 1500) & (back > 1500) & (neighbours < 800) & (next_t - prev_t < 40)
    assert jump.sum() >= 0.8 * truth["defects"]["jumps"] > 10
    dt = next_t - p["t"]
    tunnel = dt.between(100, 400) & (back > 1000)  # time passed, the car moved, no pings
    assert tunnel.sum() >= 0.8 * truth["defects"]["tunnel_gaps"] > 5


def test_driving_looks_like_driving(pings, truth):
    p = valid(pings).drop_duplicates(subset=["vehicle_id", "t"])
    g = p.groupby("vehicle_id")
    dt = g["t"].shift(-1) - p["t"]
    d = metres(p["lat"], p["lon"], g["lat"].shift(-1), g["lon"].shift(-1))
    moving = dt.le(15) & (d > 60) & (d < 600)
    implied = (d / dt)[moving]
    assert 5 < implied.median() < 20
    assert 0.85 < (implied / p["speed_mps"][moving]).median() < 1.15
    assert implied.quantile(0.99) < 40  # nobody faster than ~140 km/h
    assert (implied > 25).mean() > 0.01  # but highways happen
    lat1, lat2 = np.radians(p["lat"]), np.radians(g["lat"].shift(-1))
    dlon = np.radians(g["lon"].shift(-1) - p["lon"])
    bearing = np.degrees(np.arctan2(np.sin(dlon) * np.cos(lat2), np.cos(lat1) * np.sin(lat2)
                                    - np.sin(lat1) * np.cos(lat2) * np.cos(dlon))) % 360
    diff = np.abs((bearing - p["heading_deg"] + 180) % 360 - 180)[moving & (d > 80)]
    assert (diff < 20).mean() > 0.8
    # pings arrive every ~10 s while driving
    assert 9 <= dt[dt <= 15].mean() <= 11


def test_roads_are_not_straight_lines():
    """Trips follow a road-like polyline: the pinged path is clearly longer than the beeline."""
    fleet = build_fleet(6, 9)
    ratios = []
    for vehicle in fleet:
        track = simulate_vehicle(vehicle, 9, 5)
        it = track.itinerary
        xy = vehicle.places.xy
        for k in range(len(it.origin)):
            straight = np.hypot(*(xy[it.dest[k]] - xy[it.origin[k]]))
            on_trip = (track.true_t >= it.depart[k]) & (track.true_t <= it.arrive[k] + 1)
            lat, lon = track.lat[on_trip], track.lon[on_trip]
            ok = np.abs(lat) <= 90
            hops = metres(lat[ok][:-1], lon[ok][:-1], lat[ok][1:], lon[ok][1:])
            if straight > 2000:
                ratios.append(np.sum(hops[hops < 1000]) / straight)
    assert len(ratios) > 20
    assert np.median(ratios) > 1.15
    assert np.min(ratios) > 0.97


def test_dst_moves_utc_times_of_us_commuters_not_berlin(pings, truth):
    """US clocks spring forward on 2026-03-08, Berlin's on 03-29: a commuter leaves at the same
    local time, so the UTC departure moves an hour earlier in the US and stays in Berlin."""
    first = valid(pings).groupby(["vehicle_id", pings["timestamp"].str[:10]])["t"].min()
    first = first.reset_index(name="t").rename(columns={"timestamp": "date"})
    first["weekday"] = pd.to_datetime(first["date"]).dt.day_of_week
    first["sod"] = first["t"] % 86400
    first["week"] = np.where(first["date"] < "2026-03-08", 1, 2)
    commuters = {v for v, e in truth["vehicles"].items()
                 if e["schedule"] == "day" and not e["part_time"] and not e["faulty"]}
    first = first[first["vehicle_id"].isin(commuters) & (first["weekday"] < 5)]
    shift = first.groupby(["vehicle_id", "week"])["sod"].median().unstack()
    city = shift.index.map(lambda v: truth["vehicles"][v]["city"])
    us = (shift[2] - shift[1])[city != "Berlin"]
    berlin = (shift[2] - shift[1])[city == "Berlin"]
    assert len(us) >= 10 and len(berlin) >= 2
    assert abs(us.median() + 3600) < 900
    assert abs(berlin.median()) < 900


def test_demo_data_command_writes_four_files(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["demo-data", str(out), "--vehicles", "6", "--days", "3", "--seed", "4"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r"demo data: 6 vehicles, \d+ pings, \d+ labelled vehicles, \d+ wrong "
                        r"labels, \d+ faulty vehicles -> .*out", line), line
    assert main(["demo-data", str(out), "--vehicles", "0"]) == 1
    assert capsys.readouterr().err.startswith("error: --vehicles 0")


def test_demo_refuses_to_overwrite_a_project_that_is_not_a_demo(tmp_path, capsys):
    project = tmp_path / "mine.db"
    project.write_bytes(b"precious")
    assert main(["demo", "--out", str(project), "--no-gui", "--vehicles", "3"]) == 1
    assert "not a demo project" in capsys.readouterr().err
    assert project.read_bytes() == b"precious"


@pytest.mark.slow
def test_demo_builds_then_reuses_the_default_project(capsys):
    """Needs auditor.ingest and auditor.pipeline (other packages)."""
    args = ["demo", "--no-gui", "--vehicles", "6", "--days", "4", "--seed", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "inferred: 6 vehicles" in out
    # it ends with a validation report and the per-population check against the demo truth
    assert re.search(r"validation accuracy [\d.]+% on \d+ labelled places", out)
    assert "confusion (given -> predicted)" in out
    assert re.search(r"day shift, healthy firmware\s+\d+\s+[\d.]+% /", out)
    from auditor.demo.project import default_demo_project
    project = default_demo_project()
    assert project.is_file() and (project.parent / "demo-data" / "pings.csv").is_file()
    assert main(args) == 0
    assert "reusing" in capsys.readouterr().out
    assert main(args[:-1] + ["3"]) == 0
    assert "reusing" not in capsys.readouterr().out
    truth = json.loads((project.parent / "demo-data" / "truth.json").read_text())
    assert truth["summary"]["seed"] == 3


def test_cancelled_generation_leaves_no_files(tmp_path):
    from auditor.errors import Cancelled

    def cancel_after_first_batch(done, total, message):
        if done > 0:
            raise Cancelled()

    with pytest.raises(Cancelled):
        write_demo(tmp_path / "out", vehicles=60, days=2, progress=cancel_after_first_batch)
    assert not (tmp_path / "out").exists()  # the folder it made is gone too
