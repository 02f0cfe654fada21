"""Real data: never silently UTC, never empty without labels (issue 11, item 5).

A GeoLife-like fleet: the demo generator's vehicles moved to Beijing with their wall-clock
lives intact, stamps written as UTC ('Z'), no vehicles file, no labels."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from auditor.cli import main
from auditor.demo.cities import CITIES
from auditor.ingest.api import ingest_paths
from auditor.pipeline import localtime
from auditor.pipeline.api import infer_project
from auditor.pipeline.localtime import local_clock
from auditor.store import open_project

BEIJING = (39.9042, 116.4074)
M_PER_DEG = 111_195.0


def _move(lat, lon, city, to=BEIJING):
    """Same metres east/north of the new centre as of the old one."""
    k = math.cos(math.radians(city.lat)) / math.cos(math.radians(to[0]))
    return to[0] + (np.asarray(lat) - city.lat), to[1] + (np.asarray(lon) - city.lon) * k


def geolife_like(out, vehicles=24, days=7, seed=21):
    """pings.csv only (UTC 'Z' stamps, Beijing) + the moved truth; no vehicles, no labels."""
    from auditor.demo.generator import write_demo
    src = out / "src"
    paths = write_demo(src, vehicles=vehicles, days=days, seed=seed, firmware_fault=False)
    meta = pd.read_csv(paths["vehicles"], dtype=str).set_index("vehicle_id")
    cities = {c.name: c for c in CITIES}
    pings = pd.read_csv(paths["pings"], dtype={"vehicle_id": str})
    utc = pd.to_datetime(pings["timestamp"], utc=True)
    parts = []
    for vid, part in pings.groupby("vehicle_id", sort=True):  # a few dozen vehicles
        city = cities[meta.loc[vid, "region"]]
        t = utc[part.index]
        wall = t.dt.tz_convert(city.timezone).dt.tz_localize(None)   # their lives' clock
        new_utc = wall - pd.Timedelta(hours=8)                        # Beijing: UTC+8, no DST
        lat, lon = _move(part["lat"], part["lon"], city)
        parts.append(pd.DataFrame({"vehicle_id": vid,
                                   "timestamp": new_utc.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                   "lat": np.round(lat, 6), "lon": np.round(lon, 6)}))
    out_pings = pd.concat(parts, ignore_index=True)
    out_pings.to_csv(out / "pings.csv", index=False)
    truth = json.loads(paths["truth"].read_text())["vehicles"]
    moved = {}
    for vid, t in truth.items():
        city = cities[t["city"]]
        home = _move(t["home"][0], t["home"][1], city)
        moved[vid] = {"home": (float(home[0]), float(home[1])), "schedule": t["schedule"]}
    return out / "pings.csv", moved, paths


def _home_hits(conn, run_id, truth, schedules=("day", "none")) -> float:
    pred = pd.read_sql_query(
        "SELECT p.vehicle_id, pl.lat, pl.lon FROM predictions p JOIN places pl "
        "ON pl.place_id = p.place_id WHERE p.run_id = ? AND p.predicted_label = 'home'",
        conn, params=(run_id,)).set_index("vehicle_id")
    hits = []
    for vid, t in truth.items():
        if t["schedule"] not in schedules or vid not in pred.index:
            continue
        d = math.hypot((pred.loc[vid, "lat"] - t["home"][0]) * M_PER_DEG,
                       (pred.loc[vid, "lon"] - t["home"][1]) * M_PER_DEG
                       * math.cos(math.radians(t["home"][0])))
        hits.append(d < 150)
    return float(np.mean(hits))


@pytest.fixture(scope="module")
def beijing(tmp_path_factory):
    out = tmp_path_factory.mktemp("beijing")
    pings, truth, src = geolife_like(out)
    project = out / "geolife.db"
    ingest_paths(project, [pings])
    summary = infer_project(project)
    return project, truth, summary, out, src


def test_unlabelled_beijing_fleet_runs_on_beijing_time_with_baseline_labels(beijing, capsys):
    project, truth, summary, out, _ = beijing
    assert summary["labels_source"] == "no_labels" and summary["labeller"] == "baseline"
    assert summary["run_id"] is not None and summary["val_accuracy"] is None
    assert summary["local_time_sources"] == {"location": 24}
    conn = open_project(project)
    clocks = pd.read_sql_query("SELECT * FROM vehicle_clocks", conn)
    assert set(clocks["timezone"]) == {"Asia/Shanghai"} and set(clocks["source"]) == {"location"}
    n_places = conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]
    pred = pd.read_sql_query("SELECT * FROM predictions WHERE run_id = ?", conn,
                             params=(summary["run_id"],))
    assert len(pred) == n_places                                   # a label everywhere
    assert (pred.groupby("vehicle_id")["predicted_label"].apply(
        lambda s: (s == "home").sum()) == 1).all()
    located = _home_hits(conn, summary["run_id"], truth)
    # stops in local time follow the same clock (the report's evidence reads them)
    from auditor.analysis.stoptimes import local_stops
    from auditor.store.queries import read_vehicles
    stops = local_stops(conn, read_vehicles(conn))
    assert ((stops["start_local"] - stops["start_ts"]) == 8 * 3600).all()
    # ...and so does the app's timeline (auditor.maps.timeline reads the stored zone)
    from auditor.maps.timeline import vehicle_timeline
    iv = vehicle_timeline(conn, stops["vehicle_id"].iloc[0], summary["run_id"]).intervals
    assert len(iv) > 5 and ((iv["local_start"] - iv["start_ts"]) == 8 * 3600).all()
    conn.close()
    assert located >= 0.9

    # the same pings read as UTC (what happened before): 02:00 'local' is 10:00 in Beijing
    utc_project = out / "as_utc.db"
    vehicles = out / "utc_vehicles.csv"
    pd.DataFrame({"vehicle_id": sorted(truth), "timezone": "UTC"}).to_csv(vehicles, index=False)
    ingest_paths(utc_project, [out / "pings.csv", vehicles])
    as_utc = infer_project(utc_project)
    assert as_utc["local_time_sources"] == {"metadata": 24}
    c2 = open_project(utc_project)
    assert _home_hits(c2, as_utc["run_id"], truth) <= located - 0.3
    # ...and the report says the vehicles file's zone disagrees with where they park
    bad = pd.read_sql_query("SELECT * FROM vehicle_clocks WHERE disagree_share > 0.5", c2)
    assert len(bad) == 24 and set(bad["location_timezone"]) == {"Asia/Shanghai"}
    c2.close()

    assert main(["report", str(project), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["labels_source"]["kind"] == "no_labels"
    assert rep["validation"]["status"] == "no labels"
    assert rep["local_time"]["sources"] == {"location": 24}
    assert rep["local_time"]["zones"] == {"Asia/Shanghai": 24}
    assert rep["orphaned_flags"]["n"] == 0
    assert main(["report", str(project)]) == 0
    text = capsys.readouterr().out
    assert "validation: no labels" in text and "02:00 baseline" in text
    assert "24 vehicle(s) by zone of where it parks" in text
    assert main(["report", str(utc_project)]) == 0
    assert "clock fault?" in capsys.readouterr().out


def test_stamps_with_a_wrong_local_offset_are_shown(beijing, tmp_path, capsys):
    project, *_ = beijing
    p = tmp_path / "p.db"
    import shutil
    shutil.copyfile(project, p)
    # one more car in Beijing whose stamps carry +02:00 (its wall clock is Beijing's)
    t = pd.date_range("2026-03-02 07:00", periods=6 * 24 * 6, freq="10min", tz="Asia/Shanghai")
    lat = BEIJING[0] + 0.01 * (np.arange(len(t)) % 2)
    stamps = (t.tz_convert("UTC") + pd.Timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    csv = tmp_path / "odd.csv"
    pd.DataFrame({"vehicle_id": "ODD", "timestamp": stamps, "lat": lat,
                  "lon": BEIJING[1]}).to_csv(csv, index=False)
    ingest_paths(p, [csv])
    infer_project(p)
    assert main(["report", str(p), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    odd = [d for d in rep["local_time"]["disagreements"] if d["vehicle_id"] == "ODD"]
    assert len(odd) == 1 and odd[0]["source"] == "stated_offset"
    assert (odd[0]["stated_offset_min"], odd[0]["location_offset_min"]) == (120, 480)
    assert odd[0]["disagree_share"] == 1.0
    assert rep["local_time"]["sources"] == {"location": 24, "stated_offset": 1}
    assert len(rep["local_time"]["disagreements"]) == 1   # the Z-stamped cars are fine
    assert main(["report", str(p)]) == 0
    assert "clock fault? ODD: stamps say UTC+02:00 but it parks in Asia/Shanghai (UTC+08:00)" \
        in capsys.readouterr().out


def test_model_from_a_labelled_project_and_an_export(beijing, demo_project, tmp_path, capsys):
    project, truth, summary, *_ = beijing
    import shutil
    p = tmp_path / "p.db"
    shutil.copyfile(project, p)
    a = infer_project(p, model_from=demo_project)
    assert a["labels_source"] == "model_from"
    b = infer_project(p, model_from=demo_project)
    conn = open_project(p)

    def labels(run_id):
        return pd.read_sql_query("SELECT place_id, predicted_label, p_home, p_work FROM "
                                 "predictions WHERE run_id = ? ORDER BY place_id", conn,
                                 params=(run_id,))

    assert labels(a["run_id"]).equals(labels(b["run_id"]))          # deterministic
    # learnt on other cities' labels, it finds the homes the 02:00 rule finds, and the night
    # workers' homes the rule misses
    assert _home_hits(conn, a["run_id"], truth, ("day", "none", "night")) >= \
        _home_hits(conn, summary["run_id"], truth, ("day", "none", "night"))
    metrics = json.loads(conn.execute("SELECT metrics FROM runs WHERE run_id = ?",
                                      (a["run_id"],)).fetchone()[0])
    src = metrics["labels_source"]
    assert src["kind"] == "model_from" and src["model_from"]["kind"] == "project"
    assert src["model_from"]["rows"] > 50 and src["validation"] == "no labels"
    conn.close()

    out = tmp_path / "export"
    assert main(["export", str(demo_project), str(out)]) == 0
    capsys.readouterr()
    assert main(["infer", str(p), "--model-from", str(out), "--json"]) == 0
    c = json.loads(capsys.readouterr().out)
    assert c["labels_source"] == "model_from"
    assert main(["report", str(p), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["labels_source"]["model_from"]["kind"] == "export"
    assert main(["report", str(p)]) == 0
    assert "trained elsewhere" in capsys.readouterr().out
    assert main(["infer", str(p), "--model-from", str(p)]) == 1
    assert "this project" in capsys.readouterr().err
    assert main(["infer", str(p), "--model-from", str(tmp_path)]) == 1
    assert "no manifest.json" in capsys.readouterr().err


# --- the clock rules on small frames ----------------------------------------------------------

def _parked(vehicle, lat, lon, days=3, start="2026-06-01", offset_min=None):
    """A car that drives for 30 minutes every morning and evening around (lat, lon) and is
    parked (silent) the rest of the time; ts in UTC."""
    t0 = pd.Timestamp(start, tz="UTC").value // 10**9
    ts = np.concatenate([t0 + d * 86400 + h * 3600 + np.arange(0, 1800, 10)
                         for d in range(days) for h in (7, 17)])
    drive = np.linspace(0, 0.02, len(ts))
    frame = pd.DataFrame({"vehicle_id": vehicle, "ts": ts, "lat": lat + drive, "lon": lon})
    frame["utc_offset_min"] = pd.array([offset_min] * len(ts), dtype="Int64")
    return frame


def test_clock_sources_and_disagreements():
    pings = pd.concat([
        _parked("berlin_z", 52.52, 13.40, offset_min=0),         # 'Z' stamps: no clue
        _parked("berlin_ny", 52.52, 13.40, offset_min=-240),     # a New York offset in Berlin
        _parked("berlin_ok", 52.52, 13.40, offset_min=120),      # Berlin summer time: fine
        _parked("chicago_meta", 41.88, -87.63),                  # metadata names Berlin
        _parked("nowhere", np.nan, np.nan),
    ], ignore_index=True).sort_values(["vehicle_id", "ts"], kind="mergesort")
    meta = pd.DataFrame({"vehicle_id": ["chicago_meta"], "timezone": ["Europe/Berlin"]})
    local, clocks = local_clock(pings, meta)
    c = clocks.set_index("vehicle_id")
    assert c.loc["berlin_z", ["source", "timezone"]].tolist() == ["location", "Europe/Berlin"]
    assert c.loc["berlin_ny", "source"] == "stated_offset"
    assert c.loc["berlin_ny", "disagree_share"] == 1.0
    assert (c.loc["berlin_ny", "stated_offset_min"], c.loc["berlin_ny", "location_offset_min"]) \
        == (-240, 120)
    assert c.loc["berlin_ok", "disagree_share"] == 0.0
    assert c.loc["chicago_meta", ["source", "location_timezone"]].tolist() == \
        ["metadata", "America/Chicago"]
    assert c.loc["chicago_meta", "disagree_share"] == 1.0
    assert c.loc["nowhere", "source"] == "utc" and pd.isna(c.loc["nowhere", "location_timezone"])
    shift = pd.Series(local - pings["ts"].to_numpy(), index=pings.index) \
        .groupby(pings["vehicle_id"]).agg(["min", "max"])
    assert shift.loc["berlin_z"].tolist() == [7200, 7200]          # CEST in June
    assert shift.loc["berlin_ny"].tolist() == [-14400, -14400]     # stated offsets are trusted
    assert shift.loc["chicago_meta"].tolist() == [7200, 7200]      # metadata first
    assert shift.loc["nowhere"].tolist() == [0, 0]


def test_zone_is_looked_up_once_per_vehicle_where_it_parks(monkeypatch):
    calls = []
    real = localtime.zone_at
    monkeypatch.setattr(localtime, "zone_at", lambda a, b: calls.append((a, b)) or real(a, b))
    # drives all day in Kehl (Germany) but parks every night across the Rhine in Strasbourg
    t0 = pd.Timestamp("2026-01-05", tz="UTC").value // 10**9
    parts = []
    for d in range(4):
        day = t0 + d * 86400
        ts = day + 6 * 3600 + np.arange(0, 12 * 3600, 5)           # 12 h of driving pings
        parts.append(pd.DataFrame({"ts": ts, "lat": 48.575, "lon": 7.815}))
        parts.append(pd.DataFrame({"ts": [day + 18 * 3600 + 1], "lat": [48.5734],
                                   "lon": [7.7521]}))              # then silent until 06:00
    pings = pd.concat(parts, ignore_index=True).sort_values("ts")
    pings["vehicle_id"] = "commuter"
    other = _parked("b", 52.52, 13.40)
    _, clocks = local_clock(pd.concat([pings, other], ignore_index=True), None)
    assert len(calls) == 2
    row = clocks.set_index("vehicle_id").loc["commuter"]
    assert abs(row["park_lon"] - 7.7521) < 1e-9                     # where it parks
    assert row["location_timezone"] == "Europe/Paris"


DAY_S = 86_400
T0 = 1_772_409_600  # 2026-03-02


def _trips(tmp_path, spans: dict[str, tuple[int, int]]):
    """A project whose trips table holds one trip a day over each vehicle's (first, last)
    days from T0."""
    from auditor.analysis.provenance import time_shifts
    from auditor.store import transaction
    conn = open_project(tmp_path / "p.db")
    rows = [(f"{v}:t{d}", v, T0 + d * DAY_S, T0 + d * DAY_S + 1800, 10, 5000.0)
            for v, (a, b) in spans.items() for d in range(a, b + 1)]
    with transaction(conn):
        conn.executemany("INSERT INTO trips (trip_id, vehicle_id, start_ts, end_ts, n_pings, "
                         "distance_m) VALUES (?, ?, ?, ?, ?, ?)", rows)
    try:
        return time_shifts(conn)
    finally:
        conn.close()


def test_vehicles_whose_clock_is_years_off_are_named_and_a_rollover_said(tmp_path):
    """A GPS week-number rollover dates a device's pings 1024 weeks early; another clock is
    400 days late. Both are cut off in time from the fleet; the first is said to be a
    rollover, the second is not."""
    week = 1024 * 7
    spans = {f"v{i}": (0, 6) for i in range(6)}
    spans.update(old=(-week, -week + 6), late=(400, 406))
    out = _trips(tmp_path, spans)
    assert [(s["vehicle_id"], s["gps_week_rollover"]) for s in out] == \
        [("late", False), ("old", True)]
    assert out[1]["days_from_fleet"] == pytest.approx(-week, abs=1)
    assert out[0]["days_from_fleet"] == pytest.approx(400, abs=1)


def test_a_fleet_whose_vehicles_come_and_go_is_one_fleet_in_time(tmp_path):
    """Vehicles that each drive two months, one joining every 40 days over two years: the
    first and the last never overlap, yet no clock is off."""
    spans = {f"v{i:02d}": (40 * i, 40 * i + 60) for i in range(18)}
    assert _trips(tmp_path, spans) == []
    spans["off"] = (40 * 17 + 60 + 45, 40 * 17 + 60 + 50)  # 45 days after the last one ends
    (tmp_path / "x").mkdir()
    assert [s["vehicle_id"] for s in _trips(tmp_path / "x", spans)] == ["off"]


def test_the_report_names_a_rolled_over_clock(tmp_path, capsys):
    from auditor.demo.generator import write_demo
    files = write_demo(tmp_path / "fleet", vehicles=12, days=4, seed=3)
    pings = pd.read_csv(files["pings"], dtype=str)
    ts = pd.to_datetime(pings["timestamp"], format="ISO8601", utc=True)
    late = pings["vehicle_id"] == sorted(set(pings["vehicle_id"]))[2]
    pings["timestamp"] = ts.where(~late, ts - pd.Timedelta(weeks=1024)) \
        .dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    pings.to_csv(files["pings"], index=False)
    p = tmp_path / "p.db"
    ingest_paths(p, [files["vehicles"], files["pings"]])
    infer_project(p, seed=0)
    assert main(["report", str(p)]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "clock shifted?" in ln]
    vid = sorted(set(pings["vehicle_id"]))[2]
    assert len(lines) == 1 and lines[0].startswith(f"  clock shifted? {vid}: its trips run 200")
    assert "a multiple of 1024 weeks" in lines[0]
