"""bench/fleets/arctic.py: files read as an outside reader would (pandas / pyarrow), checked against
the module docstring and truth.json."""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

GEN = Path(__file__).resolve().parents[1] / "bench" / "fleets" / "arctic.py"
CSV, PARQUET = "nordkalotten_pings.csv", "lappi_pings.parquet"
FILES = [CSV, PARQUET, "labels.csv", "vehicles.csv", "truth.json"]


def _gen():
    spec = importlib.util.spec_from_file_location("arctic_fleet_under_test", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = _gen().write_arctic_fleet(tmp_path_factory.mktemp("arctic") / "f", vehicles=40, days=21, seed=3)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return folder, truth, _pings(folder, truth)


def _pings(folder, truth):
    """Both ping files as one frame: vehicle, t (UTC), lat, lon, kmh, local (vehicle's own zone)."""
    c = pd.read_csv(folder / CSV, sep=";", decimal=",", encoding="utf-8-sig")
    naive = pd.to_datetime(c["Tidspunkt"], format="%d.%m.%Y %H:%M:%S")
    wrong = {f["vehicle_id"]: f["logged_zone"] for f in truth["faults"]["wrong_zone"]}
    t = pd.Series(pd.NaT, index=c.index, dtype="datetime64[ns, UTC]")
    for vid, idx in c.groupby("Kjøretøy").groups.items():
        loc = naive[idx].dt.tz_localize(wrong.get(vid, truth["tz"]), ambiguous="NaT", nonexistent="NaT")
        t[idx] = loc.dt.tz_convert("UTC")
    a = pd.DataFrame({"vehicle": c["Kjøretøy"], "t": t, "lat": c["Breddegrad"], "lon": c["Lengdegrad"],
                      "kmh": c["Hastighet (km/t)"].astype(float)})
    p = pd.read_parquet(folder / PARQUET)
    b = pd.DataFrame({"vehicle": p["device_id"], "t": p["ts_utc"].astype("datetime64[ns, UTC]"),
                      "lat": p["lat_e7"] / 1e7, "lon": p["lon_e7"] / 1e7, "kmh": p["speed_mps"] * 3.6})
    df = pd.concat([a.dropna(subset=["t"]), b], ignore_index=True)
    zones = {v: x["zone"] for v, x in truth["vehicles"].items()}
    df["local"] = pd.NaT
    parts = [g["t"].dt.tz_convert(zones[v]).dt.tz_localize(None) for v, g in df.groupby("vehicle")]
    df["local"] = pd.concat(parts)
    return df


def _m(lat, lon, p):
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    return np.hypot((lat - p[0]) * 110_574, (lon - p[1]) * 110_574 * np.cos(np.radians(p[0])))


def test_deterministic_and_formats(tmp_path):
    gen = _gen()
    a = gen.write_arctic_fleet(tmp_path / "a", vehicles=14, days=14, seed=5)
    b = gen.write_arctic_fleet(tmp_path / "b", vehicles=14, days=14, seed=5)
    c = gen.write_arctic_fleet(tmp_path / "c", vehicles=14, days=14, seed=6)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in (CSV, PARQUET, "truth.json"):
        assert (a / name).read_bytes() != (c / name).read_bytes(), name

    raw = (a / CSV).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "Kjøretøy;Tidspunkt;Breddegrad;Lengdegrad;Hastighet (km/t);Kurs"
    assert lines[-1] == "" and "\n" not in "".join(lines)
    row = re.compile(r"^ARC\d{4};\d\d\.\d\d\.2026 \d\d:\d\d:\d\d;\d\d,\d{6};\d\d,\d{6};\d+;\d+$")
    assert all(row.match(x) for x in lines[1:-1])
    df = pd.read_csv(a / CSV, sep=";", decimal=",", encoding="utf-8-sig")
    assert df["Breddegrad"].between(65, 79).all() and df["Lengdegrad"].between(14, 30).all()
    assert df["Kurs"].between(0, 359).all()
    # day first: 12.10.2026 is the first day; 25.10 has the repeated 02:xx hour
    days = pd.to_datetime(df["Tidspunkt"], format="%d.%m.%Y %H:%M:%S").dt.normalize()
    assert days.min() == pd.Timestamp("2026-10-12")
    # the naive clock goes back (or repeats) once per vehicle, at the end of summer time
    step = pd.to_datetime(df["Tidspunkt"], format="%d.%m.%Y %H:%M:%S").groupby(df["Kjøretøy"]).diff()
    back = (step.dt.total_seconds() <= 0).groupby(df["Kjøretøy"]).sum()
    assert back.max() == 1 and back.mean() > 0.7
    # (Helsinki-set trackers repeat 03:xx)
    assert df.loc[step.dt.total_seconds() <= 0, "Tidspunkt"].str.match(r"25\.10\.2026 0[23]:").all()

    schema = pq.read_schema(a / PARQUET)
    assert schema.names == ["device_id", "ts_utc", "lat_e7", "lon_e7", "speed_mps", "course_deg"]
    assert schema.field("ts_utc").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("lat_e7").type == pa.int32() and schema.field("lon_e7").type == pa.int32()
    assert schema.field("speed_mps").type == pa.float32() and schema.field("course_deg").type == pa.int16()
    p = pd.read_parquet(a / PARQUET)
    assert (p["lat_e7"] / 1e7).between(65, 79).all() and p["speed_mps"].max() < 30  # m/s, not km/h

    truth = json.loads((a / "truth.json").read_text(encoding="utf-8"))
    assert truth["tz"] == "Europe/Oslo"
    veh = pd.read_csv(a / "vehicles.csv")
    assert list(veh.columns) == ["vehicle_id", "plate", "country", "registered_town", "model", "fuel",
                                 "engine_heater", "tracker_file"]
    assert set(veh["vehicle_id"]) == set(truth["vehicles"])
    for r in veh.itertuples():
        assert r.tracker_file == truth["vehicles"][r.vehicle_id]["file"]
        assert (r.tracker_file == PARQUET) == (r.country == "FI")
    assert set(df["Kjøretøy"]) == set(veh.loc[veh.tracker_file == CSV, "vehicle_id"])
    assert set(p["device_id"]) == set(veh.loc[veh.tracker_file == PARQUET, "vehicle_id"])
    lab = pd.read_csv(a / "labels.csv")
    assert list(lab.columns) == ["vehicle_id", "label", "lat", "lon"]
    assert set(lab["label"]) <= {"home", "work"}


def test_kinds_traits(fleet):
    _, truth, df = fleet
    V = truth["vehicles"]
    kinds = {x["kind"] for x in V.values()}
    assert kinds == {"commuter", "cabin", "mine_shift", "lng_rotation", "fisher", "herder", "svalbard",
                     "cross_border"}
    storm_dates = set(truth["weather"]["storm"]["dates"])
    checked = dict.fromkeys(kinds, 0)
    for vid, g in df.groupby("vehicle"):
        x = V[vid]
        kind, night = x["kind"], g[g["local"].dt.hour.between(1, 3)]
        moving = g[g["kmh"] > 5]
        assert moving["kmh"].max() < (47 if kind == "svalbard" else 95)
        if x["home"] is not None:
            assert (_m(night.lat, night.lon, x["home"]) < 150).any(), vid
            assert (_m(g.lat, g.lon, x["work"]) < 150).any(), vid
        if kind in ("commuter", "cabin", "svalbard", "cross_border"):
            # nights at home; Mon-Fri middle of the day at work (unless the tracker was silent)
            assert (_m(night.lat, night.lon, x["home"]) < 150).mean() > 0.6, vid
            noon = g[g["local"].dt.hour.between(10, 13) & (g["local"].dt.day_of_week < 5)]
            noon = noon[~noon["local"].dt.strftime("%Y-%m-%d").isin(storm_dates)]
            assert (_m(noon.lat, noon.lon, x["work"]) < 150).mean() > 0.7, vid
        if kind == "cabin":
            assert (_m(night.lat, night.lon, x["cabin"]) < 150).any(), vid
        if kind in ("commuter", "cabin") and x["town"] in truth["weather"]["storm"]["towns"]:
            assert not (moving["local"].dt.strftime("%Y-%m-%d").isin(storm_dates)).any(), vid
        if kind == "mine_shift":  # night shifts: the car sleeps at the mine
            assert (_m(night.lat, night.lon, x["work"]) < 150).mean() > 0.1, vid
            assert (_m(night.lat, night.lon, x["home"]) < 150).mean() > 0.3, vid
        if kind == "lng_rotation" and x["on_days"]:
            assert (_m(night.lat, night.lon, x["barracks"]) < 150).mean() > 0.1, vid
            assert g["lat"].max() > 70.6 and g["lat"].min() < 70.0  # Alta <-> Hammerfest
        if kind == "fisher":  # the car waits at the harbour for days
            at = pd.Series(_m(g.lat, g.lon, x["work"]) < 150, index=g.index)
            run = (at != at.shift()).cumsum()
            spans = g[at].groupby(run[at])["t"].agg(lambda s: (s.max() - s.min()).total_seconds())
            assert spans.max() > 2.5 * 86_400, vid
        if kind == "herder":
            assert x["home"] is None and x["work"] is None and len(x["camps"]) >= 2
            for camp in x["camps"]:
                assert (_m(g.lat, g.lon, camp) < 150).any(), vid
        if kind == "svalbard":
            assert g["lat"].between(78.15, 78.30).all() and g["lon"].between(15.3, 16.2).all()
        if kind == "cross_border":  # at work by ~07:00 Finnish time = 06:00 Swedish time
            at = g[_m(g.lat, g.lon, x["work"]) < 150]
            fi = at["t"].dt.tz_convert("Europe/Helsinki")
            first = fi.groupby(fi.dt.date).min()
            hours = first.dt.hour + first.dt.minute / 60
            assert hours.between(6.4, 7.6).mean() > 0.8, vid
        checked[kind] += 1
    assert all(checked.values()), checked


def test_faults_as_truth_says(fleet):
    folder, truth, df = fleet
    F = truth["faults"]
    assert all(F[k] for k in ("cold_dropouts", "dead_battery", "wrong_zone", "truncated_coords",
                              "duplicates"))
    ts = lambda s: pd.Timestamp(s)  # noqa: E731
    by = dict(tuple(df.groupby("vehicle")))
    for f in F["dead_battery"] + F["cold_dropouts"]:
        g = by[f["vehicle_id"]]
        assert not g["t"].between(ts(f["start"]), ts(f["end"]), inclusive="left").any(), f
        assert (g["t"] < ts(f["start"])).any()
    for f in F["cold_dropouts"]:
        g = by[f["vehicle_id"]]
        after = g[(g["t"] >= ts(f["end"])) & (g["t"] < ts(f["end"]) + pd.Timedelta("60s"))]
        assert len(after) and after["kmh"].iloc[0] > 0, f  # the fix arrives mid-drive

    c = pd.read_csv(folder / CSV, sep=";", decimal=",", encoding="utf-8-sig")
    for f in F["wrong_zone"]:
        first = c.loc[c["Kjøretøy"] == f["vehicle_id"], "Tidspunkt"].iloc[0]
        utc = ts(f["first_ping_utc"])
        assert first == utc.tz_convert(f["logged_zone"]).strftime("%d.%m.%Y %H:%M:%S")
        assert first != utc.tz_convert(truth["tz"]).strftime("%d.%m.%Y %H:%M:%S")
    trunc = {f["vehicle_id"] for f in F["truncated_coords"]}
    for vid, g in c.groupby("Kjøretøy"):
        milli = np.abs(g["Breddegrad"] * 1000 - np.round(g["Breddegrad"] * 1000)) < 1e-6
        assert milli.all() if vid in trunc else milli.mean() < 0.05, vid

    p = pd.read_parquet(folder / PARQUET)
    dups = p[p.duplicated(keep="first")].groupby("device_id").size().to_dict()
    assert dups == {f["vehicle_id"]: f["rows"] for f in F["duplicates"]}
    for vid, g in p.groupby("device_id"):
        assert g["ts_utc"].is_monotonic_increasing == (vid not in dups), vid

    lab = pd.read_csv(folder / "labels.csv")
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    for r in lab.itertuples():
        d = float(_m(r.lat, r.lon, truth["vehicles"][r.vehicle_id][r.label]))
        assert d > 200 if (r.vehicle_id, r.label) in wrong else 9 < d < 31, r
    for w in truth["wrong_labels"]:
        assert ((lab.vehicle_id == w["vehicle_id"]) & (lab.label == w["label"])
                & (np.abs(lab.lat - w["lat"]) < 1e-6)).any()
