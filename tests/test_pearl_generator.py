"""The "pearl" synthetic fleet (Pearl River Delta, bench/fleets/pearl.py), read back the way an
outside importer would: the GBK JT/T 808 export, the GCJ-02 T-Box parquet and the BD-09 tracker
CSV, with only the conventions the module docstring states."""
from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

GEN = Path(__file__).resolve().parents[1] / "bench" / "fleets" / "pearl.py"
FILE_A = "beidou_jt808_export.csv"
FILE_B = "dwd_nev_position_di.parquet"
FILE_C = "ebike_tracker_tracks.csv"
ALL_FILES = [FILE_A, FILE_B, FILE_C, "labels.csv", "vehicles.csv", "truth.json"]
N_VEH, N_DAYS = 14, 10
START = pd.Timestamp("2025-01-13", tz="Asia/Shanghai")


def _write(out, seed):
    spec = importlib.util.spec_from_file_location("pearl_fleet_gen", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.write_pearl_fleet(out, vehicles=N_VEH, days=N_DAYS, seed=seed)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    return _write(tmp_path_factory.mktemp("pearl") / "seed0", 0)


# --- the public datum formulas (GCJ-02 "eviltransform", BD-09), written from scratch here -------
def wgs_to_gcj(lat, lon):
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    s = np.sin
    pi = math.pi
    dlat = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(abs(x))
            + (20 * s(6 * x * pi) + 20 * s(2 * x * pi)) * 2 / 3
            + (20 * s(y * pi) + 40 * s(y / 3 * pi)) * 2 / 3
            + (160 * s(y / 12 * pi) + 320 * s(y * pi / 30)) * 2 / 3)
    dlon = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(abs(x))
            + (20 * s(6 * x * pi) + 20 * s(2 * x * pi)) * 2 / 3
            + (20 * s(x * pi) + 40 * s(x / 3 * pi)) * 2 / 3
            + (150 * s(x / 12 * pi) + 300 * s(x / 30 * pi)) * 2 / 3)
    r = np.radians(lat)
    mg = 1 - ee * np.sin(r) ** 2
    return (lat + dlat * 180 / ((a * (1 - ee)) / (mg * np.sqrt(mg)) * pi),
            lon + dlon * 180 / (a / np.sqrt(mg) * np.cos(r) * pi))


def gcj_to_bd(lat, lon):
    xp = math.pi * 3000 / 180
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * xp)
    th = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * xp)
    return z * np.sin(th) + 0.006, z * np.cos(th) + 0.0065


def metres(lat, lon, p):
    return np.hypot((np.asarray(lat) - p[0]) * 111320.0,
                    (np.asarray(lon) - p[1]) * 111320.0 * math.cos(math.radians(p[0])))


# --- readers --------------------------------------------------------------------------------------
def read_a(folder):
    df = pd.read_csv(folder / FILE_A, encoding="gb18030", skiprows=1,
                     dtype={"车牌号": str, "终端手机号": str})
    for c in ("定位时间", "接收时间"):
        df[c] = pd.to_datetime(df[c], format="%Y/%m/%d %H:%M:%S").dt.tz_localize("Asia/Shanghai")
    return df


def read_b(folder):
    df = pq.read_table(folder / FILE_B).to_pandas()
    df["time"] = pd.to_datetime(df["collect_time"], unit="ms", utc=True)
    return df


def read_c(folder):
    df = pd.read_csv(folder / FILE_C, encoding="utf-8-sig", dtype={"设备号": str})
    df["time"] = pd.to_datetime(df["定位时间"], format="%Y-%m-%d %H:%M:%S").dt.tz_localize("Asia/Shanghai")
    return df


def fixes_by_vehicle(folder, truth):
    """{vehicle: (times, lat, lon, datum)} of usable fixes, using only the documented conventions."""
    veh = pd.read_csv(folder / "vehicles.csv", dtype=str).set_index("vehicle_id")
    out = {}
    a = read_a(folder)
    a = a[a["定位状态"] == "定位"]
    for vid, g in a.groupby("车牌号"):
        t = g["定位时间"]
        if veh.loc[vid, "terminal_model"] == "KM-808A":        # documented GPS week rollover
            t = t + pd.Timedelta(days=7168)
        datum = "gcj" if veh.loc[vid, "terminal_model"] == "DVR-808G" else "wgs"
        out[vid] = _sorted(t, g["纬度"], g["经度"], datum)
    b = read_b(folder)
    backfill = set(truth["faults"]["tbox_utc_backfill"]["partitions"])
    b.loc[b["dt"].isin(backfill), "time"] -= pd.Timedelta(hours=8)   # documented re-run partitions
    for vid, g in b.groupby("vin"):
        out[vid] = _sorted(g["time"], g["lat"], g["lng"], "gcj")
    c = read_c(folder)
    c = c[c["定位类型"] == "卫星"]
    for vid, g in c.groupby("设备号"):
        out[vid] = _sorted(g["time"], g["纬度"], g["经度"], "bd")
    return out


def _sorted(t, lat, lon, datum):
    """Fixes in time order as naive UTC datetime64 (the export order is the receive order)."""
    tn = t.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    o = np.argsort(tn, kind="stable")
    return tn[o], np.asarray(lat)[o], np.asarray(lon)[o], datum


def to_datum(p, datum):
    if datum == "wgs":
        return p
    g = wgs_to_gcj(p[0], p[1])
    if datum == "gcj":
        return (float(g[0]), float(g[1]))
    b = gcj_to_bd(g[0], g[1])
    return (float(b[0]), float(b[1]))


# --- tests ----------------------------------------------------------------------------------------
def test_same_seed_same_bytes_other_seed_differs(fleet, tmp_path):
    again = _write(tmp_path / "again", 0)
    other = _write(tmp_path / "other", 1)
    for name in ALL_FILES:
        assert (fleet / name).read_bytes() == (again / name).read_bytes(), name
    for name in (FILE_A, FILE_B, FILE_C, "labels.csv", "truth.json"):
        assert (fleet / name).read_bytes() != (other / name).read_bytes(), name
    assert sorted(p.name for p in fleet.iterdir()) == sorted(ALL_FILES)


def test_truth_matches_the_pings(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    assert truth["tz"] == "Asia/Shanghai"
    tv = truth["vehicles"]
    fx = fixes_by_vehicle(fleet, truth)
    assert set(fx) == set(tv)
    veh = pd.read_csv(fleet / "vehicles.csv", dtype=str)
    assert set(veh["vehicle_id"]) == set(tv)
    shares, checked_work = [], 0
    for vid, tr in tv.items():
        tn, lat, lon, datum = fx[vid]
        if tr["home"] is not None:
            # the last fix before the daily rest hour: 03:00 local, 11:00 for night workers,
            # either for rotating shifts (docstring); it must mostly lie at home
            home = to_datum(tr["home"], datum)
            hours = [11] if tr["night_worker"] else [3, 11] if tr.get("shift") == "rotating_weekly" else [3]
            best = 0.0
            for h in hours:
                near = seen = 0
                for d in range(1, N_DAYS):
                    at = np.datetime64(START.tz_localize(None) + pd.Timedelta(days=d, hours=h - 8))
                    sel = np.flatnonzero((tn <= at) & (tn > at - np.timedelta64(24, "h")))
                    if len(sel):
                        seen += 1
                        near += bool(metres(lat[sel[-1]], lon[sel[-1]], home) < 500)
                assert seen >= 3, vid
                best = max(best, near / seen)
            shares.append(best)
            assert best >= 0.45, (vid, tr["kind"], best)
        if tr["work"] is not None:
            work = to_datum(tr["work"], datum)
            near_work = metres(lat, lon, work) < 400
            days_at = len(np.unique((tn[near_work] + np.timedelta64(8, "h")).astype("datetime64[D]")))
            assert days_at >= 1, (vid, tr["kind"])
            checked_work += 1
    assert np.mean(shares) >= 0.8 and len(shares) >= 10 and checked_work >= 8
    # a truth home is where the vehicle rests, not where it is in the WGS-84 frame of a GCJ file
    some = [v for v in tv if tv[v]["home"] and fx[v][3] != "wgs"][0]
    tn, lat, lon, datum = fx[some]
    wrong_frame = metres(lat, lon, tuple(tv[some]["home"]))
    assert np.median(np.sort(wrong_frame)[:50]) > 250


def test_planted_faults_are_in_the_files(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    F, tv = truth["faults"], truth["vehicles"]
    veh = pd.read_csv(fleet / "vehicles.csv", dtype=str).set_index("vehicle_id")
    a = read_a(fleet)
    # 1 GPS week rollover: exactly the KM-808A terminals, 1024 weeks behind the receive time
    lag = (a["接收时间"] - a["定位时间"]).dt.total_seconds() / 86400.0
    rolled = a["车牌号"].isin(F["gps_week_rollover"]["vehicles"])
    assert rolled.sum() == F["gps_week_rollover"]["rows"] > 0
    assert ((lag[rolled] - 7168).between(0, 0.05)).all() and (a.loc[rolled, "定位时间"].dt.year == 2005).all()
    assert lag[~rolled].between(0, 0.05).all()
    assert set(veh.index[veh["terminal_model"] == "KM-808A"]) == set(F["gps_week_rollover"]["vehicles"])
    # 2 GCJ-02 coordinates from DVR-808G terminals in the WGS-84 file
    parked = a[(a["ACC"] == "关") & (a["定位状态"] == "定位")]
    gcj_set = set(F["gcj02_terminal_in_wgs84_file"]["vehicles"])
    assert gcj_set and gcj_set == set(veh.index[veh["terminal_model"] == "DVR-808G"])
    for vid, g in parked.groupby("车牌号"):
        if tv[vid]["home"] is None:
            continue
        h = tuple(tv[vid]["home"])
        near_wgs = (metres(g["纬度"], g["经度"], h) < 100).mean()
        near_gcj = (metres(g["纬度"], g["经度"], to_datum(h, "gcj")) < 100).mean()
        if vid in gcj_set:
            assert near_gcj > 0.3 and near_wgs == 0, vid
        else:
            assert near_wgs > 0.3 and near_gcj == 0, vid
    # 3 unlocated rows at 0/0
    zero = (a["经度"] == 0) & (a["纬度"] == 0)
    assert zero.sum() == F["unlocated_zero_rows"]["rows"] > 0
    assert (a.loc[zero, "定位状态"] == "未定位").all() and (a["定位状态"] == "未定位").sum() == zero.sum()
    # 4 buffered re-sends, some stored twice, out of fix-time order
    assert (a["补传"] == "是").sum() == F["resend_buffered"]["rows_flagged"] > 0
    dup = a.duplicated(["车牌号", "定位时间"], keep="first")
    assert dup.sum() == F["resend_buffered"]["duplicate_rows"] and (a.loc[dup, "补传"] == "是").all()
    assert any(not g["定位时间"].is_monotonic_increasing for _, g in a.groupby("车牌号", sort=False))
    # 5 T-Box partitions re-run with Beijing wall clock taken as UTC
    b = read_b(fleet)
    parts = F["tbox_utc_backfill"]["partitions"]
    bad = b["dt"].isin(parts)
    assert parts and bad.sum() == F["tbox_utc_backfill"]["rows"] > 0
    utc_day = b["time"].dt.strftime("%Y%m%d")
    local_day = b["time"].dt.tz_convert("Asia/Shanghai").dt.strftime("%Y%m%d")
    assert (utc_day[bad] == b.loc[bad, "dt"]).all()
    assert (local_day[~bad] == b.loc[~bad, "dt"]).all()
    assert (local_day[bad] != b.loc[bad, "dt"]).mean() > 0.2
    # 6 cell-tower rows and 7 isolated GPS jumps in the tracker export
    c = read_c(fleet)
    cell = c["定位类型"] == "基站"
    assert cell.sum() == F["tracker_cell_fixes"]["rows"] > 0
    assert (c.loc[cell, "卫星数"] == 0).all() and (c.loc[cell, "速度(km/h)"] == 0).all()
    jump = (c["定位类型"] == "卫星") & (c["状态"] == "行驶") & c["卫星数"].between(3, 4)
    assert jump.sum() == F["tracker_gps_jumps"]["rows"] > 0
    off_track = []
    for i in np.flatnonzero(jump.to_numpy()):
        p, q, r = c.iloc[i - 1], c.iloc[i], c.iloc[i + 1]
        assert p["设备号"] == q["设备号"] == r["设备号"]
        mid = ((p["纬度"] + r["纬度"]) / 2, (p["经度"] + r["经度"]) / 2)
        off_track.append(float(metres(q["纬度"], q["经度"], mid)))
    assert np.mean(np.array(off_track) > 300) >= 0.9, off_track
    # wrong labels: listed rows are far off, the others within geocoding distance (labels in GCJ-02)
    lab = pd.read_csv(fleet / "labels.csv", dtype={"vehicle_id": str})
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    assert 1 <= len(wrong) <= 0.12 * len(lab) + 1
    for row in lab.itertuples():
        err = float(metres(row.lat, row.lon, to_datum(tv[row.vehicle_id][row.label], "gcj")))
        assert (err > 250) if (row.vehicle_id, row.label) in wrong else (err < 100), (row, err)
