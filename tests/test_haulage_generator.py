"""The haulage fleet generator (bench/fleets/haulage.py): files read as an outside reader would."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
ELD, PQ = "eld_location_history.csv", "telematics_pings.parquet"
HEADER = "Unit,Driver,Date,Time,Time Zone,Latitude,Longitude,Heading,Speed (mph),Odometer (mi),Status"
ABBR = {"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}
ARGS = {"vehicles": 10, "days": 14}


def _module():
    if "haulage_fleet" in sys.modules:
        return sys.modules["haulage_fleet"]
    spec = importlib.util.spec_from_file_location("haulage_fleet", ROOT / "bench" / "fleets" / "haulage.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["haulage_fleet"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = tmp_path_factory.mktemp("haulage") / "a"
    _module().write_haulage_fleet(out, seed=0, **ARGS)
    return out


def _truth(folder):
    return json.loads((folder / "truth.json").read_text())


def _eld(folder):
    """ELD rows with the repeated headers dropped and the instant (UTC seconds) from date, time and zone."""
    df = pd.read_csv(folder / ELD, dtype=str, encoding="utf-8-sig")
    df = df[df["Unit"] != "Unit"].reset_index(drop=True)
    local = pd.to_datetime(df["Date"] + " " + df["Time"], format="%m/%d/%Y %I:%M:%S %p")
    off = df["Time Zone"].map(ABBR).astype(int)
    df["t"] = (local - pd.Timestamp("1970-01-01")) // pd.Timedelta("1s") - off.to_numpy() * 3600
    for c in ("Latitude", "Longitude", "Speed (mph)", "Odometer (mi)"):
        df[c] = df[c].astype(float)
    return df


def _pings(folder):
    df = pq.read_table(folder / PQ).to_pandas()
    df["lat"], df["lon"] = df["lat_e7"] / 1e7, df["lon_e7"] / 1e7
    return df


def _km(lat, lon, p):
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    return np.hypot((lat - p[0]) * 110.574, (lon - p[1]) * 111.32 * math.cos(math.radians(p[0])))


def test_deterministic_and_formats(fleet, tmp_path):
    mod = _module()
    again, other = tmp_path / "again", tmp_path / "other"
    mod.write_haulage_fleet(again, seed=0, **ARGS)
    mod.write_haulage_fleet(other, seed=1, **ARGS)
    names = sorted(p.name for p in fleet.iterdir())
    assert names == sorted([ELD, PQ, "labels.csv", "vehicles.csv", "truth.json"])
    for name in names:
        assert (fleet / name).read_bytes() == (again / name).read_bytes(), name
        assert (fleet / name).read_bytes() != (other / name).read_bytes(), name

    raw = (fleet / ELD).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")
    df = pd.read_csv(fleet / ELD, dtype=str, encoding="utf-8-sig")
    df = df[df["Unit"] != "Unit"]
    assert df["Date"].str.fullmatch(r"\d\d/\d\d/2026").all()
    assert df["Time"].str.fullmatch(r"(0[1-9]|1[0-2]):[0-5]\d:[0-5]\d (AM|PM)").all()
    assert set(df["Time Zone"]) <= set(ABBR)
    assert df["Status"].isin(["Driving", "Parked"]).all()
    assert df["Speed (mph)"].str.fullmatch(r"\d+").all()

    schema = pq.read_schema(fleet / PQ)
    assert [(f.name, str(f.type)) for f in schema] == [
        ("device_imei", "int64"), ("gps_epoch_ms", "int64"), ("lat_e7", "int32"), ("lon_e7", "int32"),
        ("speed_kph", "float"), ("heading", "int16"), ("ignition", "bool"), ("hdop", "float")]
    pings = _pings(fleet)
    assert pings["gps_epoch_ms"].is_monotonic_increasing
    assert pings["device_imei"].astype(str).str.len().eq(15).all()

    truth = _truth(fleet)
    assert "tz" not in truth and set(truth) >= {"vehicles", "wrong_labels", "faults"}
    veh = pd.read_csv(fleet / "vehicles.csv", dtype=str)
    assert list(veh.columns) == ["vehicle_id", "unit_type", "make", "model_year", "home_terminal",
                                 "home_terminal_tz", "device_imei"]
    assert set(veh["vehicle_id"]) == set(truth["vehicles"])
    labels = pd.read_csv(fleet / "labels.csv", dtype={"vehicle_id": str})
    assert list(labels.columns) == ["vehicle_id", "label", "lat", "lon"]
    assert set(labels["label"]) <= {"home", "work"}
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    for r in labels.itertuples():
        place = truth["vehicles"][r.vehicle_id][r.label]
        d = _km([r.lat], [r.lon], place)[0]
        assert (d > 1.0) if (r.vehicle_id, r.label) in wrong else (0.005 < d < 0.035), r


def test_kind_traits(fleet):
    truth = _truth(fleet)["vehicles"]
    eld, pings = _eld(fleet), _pings(fleet)
    fz = _truth(fleet)["faults"]["frozen_gps"]
    frozen = (pings["device_imei"] == fz["imei"]) & (pings["gps_epoch_ms"] >= fz["start_ms"]) \
        & (pings["gps_epoch_ms"] <= fz["end_ms"])
    pings = pings[(pings["lat_e7"] != 0) & ~frozen].copy()
    kinds = {k: [v for v, t in truth.items() if t["kind"] == k] for k in
             ("longhaul", "owner_op", "team", "regional", "local", "tech", "yard")}
    assert all(kinds.values()), kinds

    def moving_share(rows):
        dt = np.diff(rows["t"].to_numpy())
        return dt[rows["Status"].to_numpy()[:-1] == "Driving"].sum() / dt.sum()

    long_reset = False
    for vid in kinds["longhaul"] + kinds["owner_op"]:
        rows = eld[eld["Unit"] == vid].sort_values("t", kind="stable")
        home = truth[vid]["home"]
        far = rows[_km(rows["Latitude"], rows["Longitude"], home) > 150]
        days_away = pd.to_datetime(far["t"], unit="s").dt.date.nunique()
        assert days_away >= 5, (vid, days_away)  # many nights on the road
        assert moving_share(rows) < 0.5
        at_home = _km(rows["Latitude"], rows["Longitude"], home) < 0.3
        t = rows["t"].to_numpy()
        if at_home.any():
            # a 34-hour reset: a run of rows at home spanning >= 30 h
            runs = np.split(np.arange(len(t)), np.flatnonzero(np.diff(at_home.astype(int))) + 1)
            long_reset |= any(at_home[r[0]] and t[r[-1]] - t[r[0]] >= 30 * 3600 for r in runs)
    assert long_reset
    for vid in kinds["team"]:
        rows = eld[eld["Unit"] == vid].sort_values("t", kind="stable")
        assert moving_share(rows) > 0.6
        assert rows["Driver"].nunique() == 2
    for vid in kinds["regional"]:
        rows = eld[(eld["Unit"] == vid) & eld["Time"].str.match(r"02:.* AM")]  # 2 AM, home-terminal clock
        assert len(rows) and (_km(rows["Latitude"], rows["Longitude"], truth[vid]["home"]) < 0.3).mean() > 0.9
    # Arizona terminal: MST all month, also in Utah; a Central terminal springs forward on 8 March
    az = [v for v in kinds["longhaul"] if truth[v]["home_terminal"] == "PHX"]
    rows = eld[eld["Unit"] == az[0]]
    assert set(rows["Time Zone"]) == {"MST"}
    assert ((rows["Latitude"] > 37.05) & (rows["Longitude"] > -114.0)).any()
    assert {"CST", "CDT"} <= set(eld.loc[eld["Unit"].isin(kinds["owner_op"]), "Time Zone"])

    swap = _truth(fleet)["faults"]["device_swap"]
    imei = {v: t["file_id"] for v, t in truth.items()}
    pings["night"] = (pings["gps_epoch_ms"] // 3600_000 % 24 == 8).to_numpy()
    for vid in kinds["yard"]:
        p = pings[pings["device_imei"] == imei[vid]]
        assert len(p) > 100 and _km(p["lat"], p["lon"], truth[vid]["work"]).max() < 0.6
    for vid in kinds["local"]:
        p = pings[(pings["device_imei"] == imei[vid]) & (pings["gps_epoch_ms"] < swap["at_ms"])]
        assert (_km(p["lat"], p["lon"], truth[vid]["work"]) < 0.3)[p["night"]].mean() > 0.9
        assert _km(p["lat"], p["lon"], truth[vid]["work"]).max() > 3  # goes out on deliveries
    for vid in kinds["tech"]:
        p = pings[(pings["device_imei"] == imei[vid]) & (pings["gps_epoch_ms"] < swap["at_ms"])]
        assert (_km(p["lat"], p["lon"], truth[vid]["home"]) < 0.3)[p["night"]].mean() > 0.9
        assert (_km(p["lat"], p["lon"], truth[vid]["work"]) < 0.3).any()


def test_faults_in_files(fleet):
    truth = _truth(fleet)
    faults = truth["faults"]
    lines = (fleet / ELD).read_bytes().decode("utf-8-sig").split("\r\n")
    headers = [i + 1 for i, line in enumerate(lines) if line == HEADER]
    assert headers == [1] + faults["repeated_header"]["lines"] and len(headers) == 4

    df = pd.read_csv(fleet / ELD, dtype=str, encoding="utf-8-sig")
    df = df[df["Unit"] != "Unit"].reset_index(drop=True)
    same = (df.iloc[1:].to_numpy() == df.iloc[:-1].to_numpy()).all(axis=1)
    assert same.sum() == faults["duplicate_rows"]["count"] > 0
    by_unit = df["Unit"].iloc[1:][same].value_counts().to_dict()
    assert by_unit == faults["duplicate_rows"]["by_unit"]

    eld = _eld(fleet).drop_duplicates()
    odo = faults["odometer_reset"]
    rows = eld[eld["Unit"] == odo["vehicle_id"]].sort_values("t", kind="stable")
    miles = rows["Odometer (mi)"].to_numpy()
    drops = np.flatnonzero(np.diff(miles) < -0.05)
    assert len(drops) == 1
    at = pd.Timestamp(odo["at_utc"]).timestamp()
    assert abs(rows["t"].to_numpy()[drops[0] + 1] - at) <= 1
    assert (miles[drops[0]], miles[drops[0] + 1]) == (odo["last_before_mi"], odo["first_after_mi"])
    for unit, r in eld[eld["Unit"] != odo["vehicle_id"]].groupby("Unit"):
        assert (np.diff(r.sort_values("t", kind="stable")["Odometer (mi)"].to_numpy()) >= -0.05).all(), unit

    pings = _pings(fleet)
    zero = (pings["lat_e7"] == 0) & (pings["lon_e7"] == 0)
    assert zero.sum() == faults["no_fix_zeros"]["count"] > 0
    assert {str(k): v for k, v in pings.loc[zero, "device_imei"].value_counts().items()} == \
        faults["no_fix_zeros"]["by_imei"]

    fz = faults["frozen_gps"]
    p = pings[(pings["device_imei"] == fz["imei"]) & ~zero]
    inside = p[(p["gps_epoch_ms"] >= fz["start_ms"]) & (p["gps_epoch_ms"] <= fz["end_ms"])]
    assert len(inside) > 50 and inside["speed_kph"].max() > 30
    assert (inside["lat_e7"] == round(fz["lat"] * 1e7)).all()
    assert (inside["lon_e7"] == round(fz["lon"] * 1e7)).all()
    assert fz["end_ms"] - fz["start_ms"] >= 29 * 3600_000
    outside = p[p["gps_epoch_ms"] > fz["end_ms"]]
    assert outside["lat_e7"].nunique() > 50

    sw = faults["device_swap"]
    veh = pd.read_csv(fleet / "vehicles.csv", dtype=str).set_index("vehicle_id")
    assert veh.loc[sw["from_vehicle"], "device_imei"] == str(sw["imei"])
    assert veh.loc[sw["to_vehicle"], "device_imei"] == str(sw["dead_imei"])
    dead = pings[pings["device_imei"] == sw["dead_imei"]]
    assert len(dead) and dead["gps_epoch_ms"].max() < sw["at_ms"]
    moved = pings[(pings["device_imei"] == sw["imei"]) & ~zero]
    night = pd.to_datetime(moved["gps_epoch_ms"], unit="ms").dt.hour == 8
    before, after = moved["gps_epoch_ms"] < sw["at_ms"], moved["gps_epoch_ms"] >= sw["at_ms"]
    v = truth["vehicles"]
    assert (_km(moved["lat"], moved["lon"], v[sw["from_vehicle"]]["work"]) < 0.3)[before & night].mean() > 0.9
    assert (_km(moved["lat"], moved["lon"], v[sw["to_vehicle"]]["home"]) < 0.3)[after & night].mean() > 0.9
