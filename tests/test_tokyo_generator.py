"""The Tokyo/Osaka Golden Week fleet generator (bench/fleets/tokyo.py), read as an outsider would:
pandas on the written files plus truth.json, never the generator's internals."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_SPEC = importlib.util.spec_from_file_location(
    "tokyo_fleet", Path(__file__).resolve().parents[1] / "bench" / "fleets" / "tokyo.py")
tokyo = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("tokyo_fleet", tokyo)
_SPEC.loader.exec_module(tokyo)

JP_HEADER = ["車両番号", "日時", "緯度", "経度", "速度"]
FILES = ["tokyo_pings.csv", "osaka_pings.csv", "labels.csv", "vehicles.csv", "truth.json"]


def _dist(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = (np.asarray(x, float) for x in (lat1, lon1, lat2, lon2))
    return np.hypot((lat2 - lat1) * 111_320, (lon2 - lon1) * 111_320 * np.cos(np.radians(lat1)))


def _tokyo_to_wgs(lat, lon):  # the standard approximate conversion (the docstring's spec)
    return (lat - 0.00010695 * lat + 0.000017464 * lon + 0.0046017,
            lon - 0.000046038 * lat - 0.000083043 * lon + 0.010040)


def _read(folder: Path):
    tk = pd.read_csv(folder / "tokyo_pings.csv", encoding="cp932", dtype={"車両番号": str})
    assert list(tk.columns) == JP_HEADER
    tk.columns = ["vid", "ts", "lat", "lon", "spd"]
    tk["ts"] = pd.to_datetime(tk["ts"], format="%Y/%m/%d %H:%M:%S")
    tk["file"] = "tokyo"
    ok = pd.read_csv(folder / "osaka_pings.csv", dtype={"device_id": str})
    assert list(ok.columns) == ["device_id", "timestamp_jst", "latitude", "longitude", "speed_kmh"]
    ok.columns = ["vid", "ts", "lat", "lon", "spd"]
    ok["ts"] = pd.to_datetime(ok["ts"], format="%Y-%m-%dT%H:%M:%S")
    ok["file"] = "osaka"
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return pd.concat([tk, ok], ignore_index=True), truth


def _corrected(raw: pd.DataFrame, truth) -> pd.DataFrame:
    """Undo the documented faults: Tokyo datum -> WGS84, UTC stamps -> local; drop duplicates."""
    df = raw.drop_duplicates(subset=["vid", "ts", "lat", "lon", "spd"]).copy()
    tky = df["vid"].isin(truth["faults"]["tokyo_datum"])
    df.loc[tky, "lat"], df.loc[tky, "lon"] = _tokyo_to_wgs(df.loc[tky, "lat"], df.loc[tky, "lon"])
    utc = df["vid"].isin([u["vehicle_id"] for u in truth["faults"]["utc_clock"]])
    df.loc[utc, "ts"] = df.loc[utc, "ts"] + pd.Timedelta(hours=9)
    return df.sort_values(["vid", "ts"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tokyo.write_tokyo_fleet(tmp_path_factory.mktemp("tokyo"), vehicles=32, days=18, seed=3)
    raw, truth = _read(folder)
    return folder, raw, truth, _corrected(raw, truth)


def _digest(folder: Path):
    return {f: hashlib.sha256((folder / f).read_bytes()).hexdigest() for f in FILES}


def test_deterministic_and_cp932(tmp_path):
    a = tokyo.write_tokyo_fleet(tmp_path / "a", vehicles=10, days=3, seed=5)
    b = tokyo.write_tokyo_fleet(tmp_path / "b", vehicles=10, days=3, seed=5)
    c = tokyo.write_tokyo_fleet(tmp_path / "c", vehicles=10, days=3, seed=6)
    assert _digest(a) == _digest(b)
    da, dc = _digest(a), _digest(c)
    assert da["tokyo_pings.csv"] != dc["tokyo_pings.csv"] and da["truth.json"] != dc["truth.json"]
    data = (a / "tokyo_pings.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("cp932")
    assert text.splitlines()[0].split(",") == JP_HEADER
    assert "\r\n" in text[:200]
    first = text.splitlines()[1].split(",")
    pd.to_datetime(first[1], format="%Y/%m/%d %H:%M:%S")  # naive local, slashes
    (a / "osaka_pings.csv").read_bytes().decode("utf-8")
    truth = json.loads((a / "truth.json").read_text(encoding="utf-8"))
    assert truth["tz"] == "Asia/Tokyo"
    assert set(v["kind"] for v in truth["vehicles"].values()) >= set(tokyo.KINDS)


def test_kinds_traits_in_files(fleet):
    _folder, _raw, truth, df = fleet
    tv = truth["vehicles"]
    assert set(v["kind"] for v in tv.values()) >= set(tokyo.KINDS)
    start = pd.Timestamp(truth["window"]["start"])
    ndays = (pd.Timestamp(truth["window"]["end"]) - start).days
    holidays = {pd.Timestamp(h).date() for h in truth["holidays"]}
    by = dict(tuple(df.groupby("vid")))

    # weekend-only cars (train commuters): hardly move on working days, move on days off
    wk_moving = off_moving = wk_days = off_days = 0
    for vid, v in tv.items():
        if v["kind"] != "weekend_car":
            continue
        assert v["work"] is None
        moving_days = set(by[vid].loc[by[vid]["spd"] > 0, "ts"].dt.date)
        for d in range(ndays):
            day = (start + pd.Timedelta(days=d)).date()
            off = day.weekday() >= 5 or day in holidays
            off_days += off
            wk_days += not off
            off_moving += off and day in moving_days
            wk_moving += (not off) and day in moving_days
    assert wk_moving / wk_days < 0.4 and off_moving / off_days > 0.5

    # taxis (kakujitsu): ~20 h away from the depot (= truth home), then ~28 h at it
    taxis = [vid for vid, v in tv.items() if v["kind"] == "taxi"]
    assert taxis
    for vid in taxis:
        g = by[vid]
        far = _dist(*tv[vid]["home"], g["lat"], g["lon"]) > 300
        ts = g["ts"].to_numpy()
        away_t = ts[far]
        gaps = np.diff(away_t) > np.timedelta64(2, "h")
        starts = np.concatenate([[away_t[0]], away_t[1:][gaps]])
        ends = np.concatenate([away_t[:-1][gaps], [away_t[-1]]])
        away_h = (ends - starts) / np.timedelta64(1, "h")
        home_h = (starts[1:] - ends[:-1]) / np.timedelta64(1, "h")
        inner = away_h[(starts > ts[0]) & (ends < ts[-1])]
        assert len(inner) >= 4 and np.all((inner > 18) & (inner < 22)), (vid, away_h)
        assert np.all((home_h > 26) & (home_h < 30)), (vid, home_h)

    # night-shift convenience-store workers: at the store at 02:00 on most nights
    konbini = [vid for vid, v in tv.items() if v["kind"] == "konbini_night"]
    assert konbini
    for vid in konbini:
        g = by[vid]
        at_store = 0
        for d in range(1, ndays):
            before = g[g["ts"] <= start + pd.Timedelta(days=d, hours=2)]
            last = before.iloc[-1]
            at_store += _dist(*tv[vid]["work"], last["lat"], last["lon"]) < 100
        assert at_store >= 0.5 * (ndays - 1), (vid, at_store)

    # shared car parks: >= 3 vehicles whose homes are within 40 m, each seen near its home
    twin = truth["faults"]["same_vehicle"]["osaka_pings.csv"]
    homes = {vid: v["home"] for vid, v in tv.items() if vid != twin}
    ids = list(homes)
    hl = np.array([homes[i] for i in ids])
    close = _dist(hl[:, None, 0], hl[:, None, 1], hl[None, :, 0], hl[None, :, 1]) < 40
    best = int(np.argmax(close.sum(1)))
    group = [ids[j] for j in np.flatnonzero(close[best])]
    assert len(group) >= 3
    # (a 60 s telematics box in an underground car park may have no fix near the ramp)
    seen = [vid for vid in group if tv[vid]["device"] != "FTB-60" or tv[vid]["home_parking"] == "surface"]
    assert len(seen) >= 2
    for vid in seen:
        nearest = _dist(*tv[vid]["home"], by[vid]["lat"], by[vid]["lon"]).min()
        assert nearest < 70, (vid, nearest)

    # Golden Week: nights at family 100-500 km away, truth home unchanged
    trips = {vid: v["gw_trip"] for vid, v in tv.items() if v["gw_trip"]}
    assert trips
    for vid, trip in trips.items():
        km = _dist(*tv[vid]["home"], *trip["family"]) / 1000
        assert 90 < km < 520
        g = by[vid]
        nights = pd.date_range(pd.Timestamp(trip["depart"]) + pd.Timedelta(days=1, hours=2),
                               pd.Timestamp(trip["return"]) + pd.Timedelta(hours=2))
        assert len(nights) >= 2
        for night in nights:
            last = g[g["ts"] <= night].iloc[-1]
            assert _dist(*tv[vid]["home"], last["lat"], last["lon"]) > 80_000, (vid, night)


def test_faults_in_files(fleet):
    folder, raw, truth, df = fleet
    tv, faults = truth["vehicles"], truth["faults"]

    # Tokyo datum: parked (speed 0) fixes ~400-450 m from the WGS84 home, ~0 m after conversion
    assert faults["tokyo_datum"]
    meta = pd.read_csv(folder / "vehicles.csv", dtype=str).set_index("vehicle_id")
    for vid in faults["tokyo_datum"]:
        v = tv[vid]
        assert meta.loc[vid, "datum"] == ("WGS84" if vid == faults["datum_misreported"] else "Tokyo97")
        parked = raw[(raw["vid"] == vid) & (raw["spd"] == 0)]
        dist_raw = _dist(*v["home"], parked["lat"], parked["lon"]).min()
        fixed = _tokyo_to_wgs(parked["lat"], parked["lon"])
        dist_fixed = _dist(*v["home"], *fixed).min()
        limit = 70 if v["home_parking"] == "underground" else 25
        assert 380 < dist_raw < 530 and dist_fixed < limit, (vid, dist_raw, dist_fixed)
    clean = [vid for vid, v in tv.items() if v["home_parking"] == "surface" and v["kind"] != "taxi"
             and vid not in faults["tokyo_datum"]]
    for vid in clean:
        parked = raw[(raw["vid"] == vid) & (raw["spd"] == 0)]
        assert _dist(*tv[vid]["home"], parked["lat"], parked["lon"]).min() < 25

    # UTC clocks: a day-time vehicle's driving is stamped at night (9 h early)
    utc = [u["vehicle_id"] for u in faults["utc_clock"]]
    assert utc and all(u["stamp_minus_true_hours"] == -9 for u in faults["utc_clock"])

    def night_share(g):
        hours = g.loc[g["spd"] > 0, "ts"].dt.hour
        return float(((hours >= 21) | (hours <= 5)).mean())

    for vid in utc:
        g = raw[raw["vid"] == vid]
        assert night_share(g) > 0.3 and night_share(df[df["vid"] == vid]) < 0.05, vid
    for vid, v in tv.items():
        if v["kind"] in ("commuter", "elderly", "school_run") and vid not in utc:
            assert night_share(raw[raw["vid"] == vid]) < 0.05, vid

    # duplicates: exactly as many repeated rows as truth says, per file
    for name in ("tokyo_pings.csv", "osaka_pings.csv"):
        kw = {"encoding": "cp932"} if name.startswith("tokyo") else {}
        assert pd.read_csv(folder / name, **kw).duplicated().sum() == faults["duplicates"][name] > 0

    # the same car in both files under different ids: same places at the same times
    same = faults["same_vehicle"]
    a = raw[raw["vid"] == same["tokyo_pings.csv"]].sort_values("ts")
    b = raw[raw["vid"] == same["osaka_pings.csv"]].drop_duplicates().sort_values("ts")
    assert (a["file"] == "tokyo").all() and (b["file"] == "osaka").all() and len(b) > 50
    m = pd.merge_asof(b, a, on="ts", direction="nearest", tolerance=pd.Timedelta(seconds=5))
    m = m.dropna(subset=["lat_y"])
    assert len(m) > 0.9 * len(b)
    assert (_dist(m["lat_x"], m["lon_x"], m["lat_y"], m["lon_y"]) < 150).mean() > 0.95
    assert tv[same["osaka_pings.csv"]]["home"] == tv[same["tokyo_pings.csv"]]["home"]

    # labels: the wrong ones are far from truth, the others 10-30 m from it
    labels = pd.read_csv(folder / "labels.csv", dtype={"vehicle_id": str})
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    assert wrong
    for row in labels.itertuples():
        place = tv[row.vehicle_id][row.label]
        d = _dist(*place, row.lat, row.lon) if place is not None else np.inf
        if (row.vehicle_id, row.label) in wrong:
            assert d > 200, row
        else:
            assert 9 < d < 31, (row, d)

    # multipath episodes: listed fixes exist, in central Tokyo
    assert faults["multipath"]
    central = np.array(tokyo.CENTRAL)
    for ep in faults["multipath"][:20]:
        g = df[(df["vid"] == ep["vehicle_id"]) & (df["ts"] >= pd.Timestamp(ep["start"]))
               & (df["ts"] <= pd.Timestamp(ep["end"]))]
        assert len(g) >= 1 and 50 <= ep["offset_m"] <= 300
        lat, lon = g["lat"].to_numpy()[None], g["lon"].to_numpy()[None]
        d = _dist(central[:, None, 0], central[:, None, 1], lat, lon)
        assert d.min() < 1900
