"""The Nairobi fleet generator (bench/fleets/nairobi.py), read back as an outside reader would."""

import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
CSV, PQ, GPX = "tracksolid_export.csv", "fleet_telematics.parquet", "rider_app.gpx"
FILES = [CSV, PQ, GPX, "labels.csv", "vehicles.csv", "truth.json"]
NS = {"g": "http://www.topografix.com/GPX/1/1"}
EAT = pd.Timedelta(hours=3)


def _module():
    spec = importlib.util.spec_from_file_location("nairobi_fleet", ROOT / "bench/fleets/nairobi.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fleets(tmp_path_factory):
    mod = _module()
    base = tmp_path_factory.mktemp("nairobi")
    a = mod.write_nairobi_fleet(base / "a", vehicles=14, days=10, seed=3)
    b = mod.write_nairobi_fleet(base / "b", vehicles=14, days=10, seed=3)
    c = mod.write_nairobi_fleet(base / "c", vehicles=14, days=10, seed=4)
    return a, b, c


@pytest.fixture(scope="module")
def read(fleets):
    return read_all(fleets[0])


def _signed(col, neg):
    s = col.str[1:].astype(float)
    return np.where(col.str[0] == neg, -s, s)


def read_all(folder):
    """All pings as one frame: id, t (UTC), lat, lon, plus the raw per-file frames."""
    raw = pd.read_csv(folder / CSV, dtype=str, encoding="utf-8-sig")
    csv = pd.DataFrame({
        "id": raw["IMEI"],
        "t": pd.to_datetime(raw["GPS Time"]).dt.tz_localize("Africa/Nairobi").dt.tz_convert("UTC"),
        "recv": pd.to_datetime(raw["Received Time"]).dt.tz_localize("Africa/Nairobi").dt.tz_convert("UTC"),
        "lat": _signed(raw["Latitude"], "S"), "lon": _signed(raw["Longitude"], "W"),
        "pos": raw["Positioning"]})
    par = pq.read_table(folder / PQ).to_pandas()
    pqf = pd.DataFrame({"id": par["plate"], "t": par["ts"], "lat": par["lat_e7"] / 1e7,
                        "lon": par["lon_e7"] / 1e7})
    rows = []
    for trk in ET.parse(folder / GPX).getroot().findall("g:trk", NS):
        name = trk.find("g:name", NS).text
        for p in trk.iterfind("g:trkseg/g:trkpt", NS):
            rows.append((name, p.find("g:time", NS).text, float(p.get("lat")), float(p.get("lon"))))
    gpx = pd.DataFrame(rows, columns=["id", "t", "lat", "lon"])
    gpx["t"] = pd.to_datetime(gpx["t"], utc=True)
    for df in (csv, pqf, gpx):
        df["t"] = df["t"].astype("datetime64[ns, UTC]")
    return raw, par, csv, pqf, gpx


def _dist(lat, lon, p):
    return np.hypot((lat - p[0]) * 111320, (lon - p[1]) * 111320 * np.cos(np.radians(p[0])))


def test_deterministic_and_formats(fleets):
    a, b, c = fleets
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in [CSV, PQ, GPX, "labels.csv", "truth.json"]:
        assert (a / name).read_bytes() != (c / name).read_bytes(), name
    head = (a / CSV).read_bytes()[:400]
    assert head.startswith(b"\xef\xbb\xbf\"IMEI\",\"Device Name\",\"GPS Time\",\"Received Time\","
                           b"\"Latitude\",\"Longitude\",\"Speed(km/h)\",\"Course\",\"Positioning\","
                           b"\"Satellites\"\r\n")
    lines = (a / CSV).read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[-1] == "" and all(re.fullmatch(r'("[^"]*",){9}"[^"]*"', ln) for ln in lines[1:-1])
    raw = pd.read_csv(a / CSV, dtype=str, encoding="utf-8-sig")
    assert raw["IMEI"].str.fullmatch(r"\d{15}").all()
    assert raw["Latitude"].str.fullmatch(r"[NS]\d{1,2}\.\d{6}").all()
    assert raw["Longitude"].str.fullmatch(r"[EW]\d{1,3}\.\d{6}").all()
    real = raw[raw["Latitude"] != "N0.000000"]
    assert set(real["Latitude"].str[0]) == {"N", "S"}  # both sides of the equator
    for col in ["GPS Time", "Received Time"]:
        assert raw[col].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    assert set(raw["Positioning"]) <= {"GPS", "LBS"}
    schema = pq.read_schema(a / PQ)
    assert schema.field("ts").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("lat_e7").type == pa.int32() and schema.field("lon_e7").type == pa.int32()
    assert schema.field("plate").type == pa.string() and schema.field("speed_kmh").type == pa.uint16()
    plates = pq.read_table(a / PQ).column("plate").to_pandas()
    assert plates.str.fullmatch(r"(K[CD]|UB)[A-Z] \d{3}[A-Z]").all()
    root = ET.parse(a / GPX).getroot()
    assert root.tag == "{http://www.topografix.com/GPX/1/1}gpx" and root.get("version") == "1.1"
    names = [t.text for t in root.iterfind("g:trk/g:name", NS)]
    assert names and all(re.fullmatch(r"\+25[46]7\d{8}", n) for n in names)
    times = [t.text for t in root.iterfind("g:trk/g:trkseg/g:trkpt/g:time", NS)]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", t) for t in times)
    truth = json.loads((a / "truth.json").read_text())
    assert truth["tz"] == "Africa/Nairobi"
    labels = pd.read_csv(a / "labels.csv", dtype={"vehicle_id": str})
    assert list(labels.columns) == ["vehicle_id", "label", "lat", "lon"]
    ids = set(raw["IMEI"]) | set(plates) | set(names)
    assert set(labels["vehicle_id"]) <= ids and set(truth["vehicles"]) == ids
    assert set(pd.read_csv(a / "vehicles.csv", dtype=str)["vehicle_id"]) == ids


def test_kind_traits(fleets, read):
    a = fleets[0]
    truth = json.loads((a / "truth.json").read_text())
    faults = truth["faults"]
    _, _, csv, pqf, gpx = read
    csv = csv[(csv["pos"] == "GPS") & (csv["lat"] != 0)].copy()
    for vid in faults["week_rollover"]:  # undo the rollover for the trait checks
        csv.loc[csv["id"] == vid, "t"] += pd.Timedelta(days=7168)
    pings = pd.concat([csv[["id", "t", "lat", "lon"]], pqf[pqf["lat"] != 0], gpx], ignore_index=True)
    pings["local"] = pings["t"].dt.tz_convert(None) + EAT
    kinds = {}
    for vid, v in truth["vehicles"].items():
        kinds.setdefault(v["kind"], []).append(vid)
        g = pings[pings["id"] == vid]
        hour, wd = g["local"].dt.hour, g["local"].dt.day_of_week
        night = g[(hour >= 1) & (hour < 4)]
        near = (lambda p, df=g: _dist(df["lat"].values, df["lon"].values, p) < 150)  # noqa: E731
        k = v["kind"]
        if k == "matatu":
            assert (near(v["home"], night)).mean() > 0.9
            day = g[(hour >= 8) & (hour < 18)]
            at_work, at_far = near(v["work"], day).sum(), near(v["far_stage"], day).sum()
            assert at_work > 2 * day["local"].dt.date.nunique() and 0 < at_far < at_work
        elif k == "boda":
            assert len(night) == 0  # the app is off at night
            assert near(v["home"]).sum() > 0
            assert near(v["work"], g[(hour >= 9) & (hour < 18)]).mean() > 0.15
        elif k == "ngo_car":
            assert near(v["home"], night).mean() > 0.9
            office = g[(wd < 5) & (hour >= 10) & (hour < 12)]
            assert near(v["work"], office).mean() > 0.7
            for mate in v.get("shared_home_with", []):
                assert truth["vehicles"][mate]["home"] == v["home"]
        elif k == "school_bus":
            assert v["home"] is None
            assert near(v["work"], night).mean() > 0.9 and near(v["work"], g[wd >= 5]).mean() > 0.9
            assert (near(v["work"], g[(wd < 5) & (hour == 6)]) == 0).sum() > 0  # out on the route
        elif k == "delivery_van":
            assert near(v["work"], night[night["local"].dt.day_of_week.isin([1, 2, 3])]).mean() > 0.9
            assert near(v["home"], night[night["local"].dt.day_of_week.isin([5, 6])]).mean() > 0.9
        elif k == "lorry":
            assert v["work"] is None
            assert near(v["home"]).sum() > 0
            malaba = _dist(g["lat"].values, g["lon"].values, (0.636, 34.275)) < 3000
            assert malaba.sum() > 0 and g["lat"].max() > 0.3 and g["lat"].min() < -4
            stay = g["t"][malaba]
            assert (stay.max() - stay.min()) > pd.Timedelta(hours=20)  # the border queue
        elif k == "safari":
            assert v["work"] is None
            mara_nights = night[night["lon"] < 35.5]["local"].dt.date.nunique()
            assert mara_nights >= 4
            assert near(v["home"], night[night["lon"] > 36]).mean() > 0.9
    assert set(kinds) == {"matatu", "boda", "ngo_car", "school_bus", "delivery_van", "lorry", "safari"}


def test_faults_as_truth_says(fleets, read):
    a = fleets[0]
    truth = json.loads((a / "truth.json").read_text())
    f = truth["faults"]
    raw, par, csv, pqf, _ = read
    assert all(f[k] for k in ["coverage_gaps", "late_batches", "lbs_fixes", "week_rollover", "duplicates"])
    assert f["null_island"]["csv"] or f["null_island"]["parquet"]
    every = pd.concat([csv[["id", "t"]], pqf[["id", "t"]]], ignore_index=True)
    for vid, wins in f["coverage_gaps"].items():
        t = every.loc[every["id"] == vid, "t"]
        assert len(t)
        for s, e in wins:
            inside = (t > pd.Timestamp(s)) & (t < pd.Timestamp(e))
            assert not inside.any()
            before, after = t[t <= pd.Timestamp(s)], t[t >= pd.Timestamp(e)]
            if len(before) and len(after):  # the gap is longer than any parked heartbeat
                assert after.min() - before.max() >= pd.Timestamp(e) - pd.Timestamp(s)
    late = (csv["recv"] - csv["t"]) > pd.Timedelta(hours=1)
    rolled = csv["t"].dt.year < 2010
    counts = csv[late & ~rolled].groupby("id").size().to_dict()
    assert counts == f["late_batches"]
    for vid in f["late_batches"]:  # GPS Time goes backwards where the batch lands
        assert (csv.loc[csv["id"] == vid, "t"].diff() < pd.Timedelta(0)).any()
    assert csv[rolled].groupby("id").size().to_dict() == f["week_rollover"]
    for vid in f["week_rollover"]:
        r = csv[csv["id"] == vid]
        assert ((r["recv"] - r["t"]).dt.days == 7168).all()
    assert csv[csv["pos"] == "LBS"].groupby("id").size().to_dict() == f["lbs_fixes"]
    zero = csv[(csv["lat"] == 0) & (csv["lon"] == 0)]
    assert zero.groupby("id").size().to_dict() == f["null_island"]["csv"]
    assert (raw.loc[zero.index, "Satellites"] == "0").all()
    zp = pqf[(pqf["lat"] == 0) & (pqf["lon"] == 0)]
    assert zp.groupby("id").size().to_dict() == f["null_island"]["parquet"]
    dup = par[par.duplicated(keep="first")]
    assert dup.groupby("plate").size().to_dict() == f["duplicates"]
    labels = pd.read_csv(a / "labels.csv", dtype={"vehicle_id": str})
    for w in truth["wrong_labels"]:
        row = labels[(labels["vehicle_id"] == w["vehicle_id"]) & (labels["label"] == w["label"])]
        assert len(row) == 1 and _dist(row["lat"].values, row["lon"].values, (w["lat"], w["lon"]))[0] < 1
        p = truth["vehicles"][w["vehicle_id"]][w["label"]]
        assert _dist(row["lat"].values, row["lon"].values, p)[0] > 300
    good = labels.merge(pd.DataFrame(truth["wrong_labels"])[["vehicle_id", "label"]].assign(bad=1)
                        if truth["wrong_labels"] else pd.DataFrame(columns=["vehicle_id", "label", "bad"]),
                        how="left", on=["vehicle_id", "label"])
    for _, r in good[good["bad"].isna()].iterrows():
        p = truth["vehicles"][r["vehicle_id"]][r["label"]]
        d = _dist(np.array([r["lat"]]), np.array([r["lon"]]), p)[0]
        assert 9 < d < 31
