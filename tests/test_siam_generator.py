"""The 'siam' synthetic fleet (bench/fleets/siam.py), read back the way an outside importer would:
pandas / pyarrow and the conventions written in the module docstring, not the generator's internals."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
GEN = ROOT / "bench" / "fleets" / "siam.py"
F_DLT = "dlt_gps_history_2567-04.csv"
F_CM = "cm_songthaew_coop_2567.csv"
F_OBD = "apac_telematics_th.parquet"
F_APP = "rider_app_export.csv"
PING_FILES = [F_DLT, F_CM, F_OBD, F_APP]
THAI_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _generator():
    spec = importlib.util.spec_from_file_location("siam_fleet_generator", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _hav_km(la0, lo0, la1, lo1):
    la0, lo0, la1, lo1 = (np.radians(np.asarray(x, float)) for x in (la0, lo0, la1, lo1))
    a = np.sin((la1 - la0) / 2) ** 2 + np.cos(la0) * np.cos(la1) * np.sin((lo1 - lo0) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def _be_to_local(date_s: pd.Series, time_s: pd.Series) -> pd.Series:
    """'dd/mm/yyyy' in the Buddhist Era + 'HH:MM:SS' -> naive local datetime (year - 543)."""
    p = date_s.str.split("/", expand=True)
    year = p[2].astype(int) - 543
    year = year.where(year < 2500, year - 543)  # the doubled-B.E. fault (3110): subtract again
    text = year.astype(str) + "-" + p[1] + "-" + p[0] + " " + time_s
    return pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S")


def _read_raw(folder: Path) -> dict:
    dlt = pd.read_csv(folder / F_DLT, encoding="cp874", skiprows=4, dtype=str, keep_default_na=False)
    cm = pd.read_csv(folder / F_CM, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    obd = pq.read_table(folder / F_OBD).to_pandas()
    app = pd.read_csv(folder / F_APP, dtype={"user_id": str})
    return {"dlt": dlt, "cm": cm, "obd": obd, "app": app}


def _pings(raw: dict, truth: dict) -> pd.DataFrame:
    """All fixes as (vid, local naive time, lat, lon), with the documented fault corrections applied."""
    faults = truth["faults"]
    alias = {a["alias"]: a["vehicle_id"] for a in faults["dlt_plate_alias"]["aliases"]}
    a = raw["dlt"]
    a_local = _be_to_local(a["วันที่"], a["เวลา"])
    wnro = a["ทะเบียนรถ"].replace(alias).isin(faults["dlt_week_rollover"]["vehicles"])
    a_local = a_local + pd.to_timedelta(np.where(wnro, 7168, 0), unit="D")
    A = pd.DataFrame({"vid": a["ทะเบียนรถ"].replace(alias), "local": a_local,
                      "lat": a["ละติจูด"].astype(float), "lon": a["ลองจิจูด"].astype(float)})
    A = A[~((A.lat == 0) & (A.lon == 0))]
    b = raw["cm"]
    stamp = b["วันเวลา"].str.translate(THAI_TO_ARABIC)
    B = pd.DataFrame({"vid": b["ทะเบียนรถ"], "local": _be_to_local(stamp.str[:10], stamp.str[11:]),
                      "lat": b["ละติจูด"].astype(float), "lon": b["ลองจิจูด"].astype(float)})
    c = raw["obd"]
    c_local = c["ts"].dt.tz_convert("Asia/Bangkok").dt.tz_localize(None)
    bad = c["device_id"].isin(faults["obd_local_time_as_utc"]["vehicles"])
    c_local = c_local - pd.to_timedelta(np.where(bad, 7, 0), unit="h")
    C = pd.DataFrame({"vid": c["device_id"].astype(str), "local": c_local, "lat": c["lat"], "lon": c["lon"]})
    d = raw["app"]
    D = pd.DataFrame({"vid": d["user_id"], "lat": d["lat"], "lon": d["lng"],
                      "local": pd.to_datetime(d["timestamp"], unit="ms", utc=True)
                      .dt.tz_convert("Asia/Bangkok").dt.tz_localize(None)})
    out = pd.concat([A, B, C, D], ignore_index=True)
    return out.sort_values(["vid", "local"], kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("siam") / "fleet"
    _generator().write_siam_fleet(folder, vehicles=14, days=17, seed=3)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return folder, truth, _read_raw(folder)


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    gen = _generator()
    a = gen.write_siam_fleet(tmp_path / "a", vehicles=14, days=10, seed=5)
    subprocess.run([sys.executable, str(GEN), str(tmp_path / "b"), "--vehicles", "14", "--days", "10",
                    "--seed", "5"], check=True, capture_output=True)
    c = gen.write_siam_fleet(tmp_path / "c", vehicles=14, days=10, seed=6)
    da, db, dc = _digest(a), _digest(tmp_path / "b"), _digest(c)
    expected = set(PING_FILES) | {"labels.csv", "vehicles.csv", "truth.json"}
    assert set(da) == expected
    assert da == db, "same arguments must give byte-identical files"
    for name in PING_FILES + ["truth.json", "labels.csv", "vehicles.csv"]:
        assert da[name] != dc[name], f"{name} should change with the seed"


def test_truth_agrees_with_the_pings(fleet):
    folder, truth, raw = fleet
    V = truth["vehicles"]
    assert truth["tz"] == "Asia/Bangkok"
    P = _pings(raw, truth)
    assert set(P["vid"]) == set(V)
    vehicles = pd.read_csv(folder / "vehicles.csv", dtype=str)
    assert set(vehicles["vehicle_id"]) == set(V) and "kind" not in vehicles.columns
    days = pd.date_range(truth["window"]["start_local"], periods=truth["window"]["days"], freq="D")
    for vid, g in P.groupby("vid"):
        v = V[vid]
        t = g["local"].to_numpy()
        la, lo = g["lat"].to_numpy(), g["lon"].to_numpy()
        # home: at 03:30 of every date not listed in nights_away the vehicle is at home
        # (median of the last three fixes at or before 03:30, at most 3 h old)
        good = n = 0
        away_ok = away_n = 0
        for day in days:
            at = np.datetime64(day + pd.Timedelta(hours=3.5))
            e = np.searchsorted(t, at, side="right")
            s = max(0, e - 3)
            s += int(np.searchsorted(t[s:e], at - np.timedelta64(3, "h")))
            if e <= s:
                continue
            mla, mlo = np.median(la[s:e]), np.median(lo[s:e])
            where = v["nights_away"].get(str(day.date()))
            if where is None:
                n += 1
                good += _hav_km(mla, mlo, *v["home"]) < 0.5
            elif where == "upcountry":
                away_n += 1
                away_ok += _hav_km(mla, mlo, *v["upcountry"]) < 2.0
        assert n >= 5 and good >= 0.85 * n, (vid, v["kind"], good, n)
        assert away_ok >= 0.8 * away_n, (vid, v["kind"], away_ok, away_n)
        # work: visited on a good share of the days
        if v["work"] is not None:
            near = _hav_km(la, lo, *v["work"]) < 0.3
            work_days = pd.Series(g["local"].dt.date.to_numpy()[near]).nunique()
            assert work_days >= 0.25 * len(days), (vid, v["kind"], work_days)
        if "school" in v:  # the school is visited, but it is not work
            assert (_hav_km(la, lo, *v["school"]) < 0.3).any(), vid
    # labels: ids as the ping files spell them; right rows tens of metres off, wrong rows far off
    labels = pd.read_csv(folder / "labels.csv", dtype={"vehicle_id": str})
    assert set(labels["vehicle_id"]) <= set(V) and set(labels["label"]) <= {"home", "work"}
    assert 0.6 * len(V) <= labels["vehicle_id"].nunique() <= 0.9 * len(V)
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    assert 1 <= len(wrong) <= max(2, 0.15 * len(labels))
    for row in labels.itertuples():
        d = _hav_km(row.lat, row.lon, *V[row.vehicle_id][row.label]) * 1000
        assert (d > 300) if (row.vehicle_id, row.label) in wrong else (d < 100), (row, d)


def _cross_track_spikes(vid, t, lat, lon, max_dt, centres, radius_km):
    """Share of fixes > 60 m off the line through their two neighbours, inside / outside the cores."""
    ins_hits = ins_n = out_hits = out_n = 0
    for _vid, idx in pd.Series(np.arange(len(vid))).groupby(vid):
        i = idx.to_numpy()
        if len(i) < 3:
            continue
        tt, la, lo = t[i], lat[i], lon[i]
        kx = 111320 * np.cos(np.radians(la.mean()))
        x, y = lo * kx, la * 110574
        ok = (np.diff(tt)[:-1] <= max_dt) & (np.diff(tt)[1:] <= max_dt)
        ax, ay, bx, by, cx, cy = x[:-2], y[:-2], x[1:-1], y[1:-1], x[2:], y[2:]
        span = np.hypot(cx - ax, cy - ay)
        cross = np.abs((cx - ax) * (by - ay) - (cy - ay) * (bx - ax)) / np.maximum(span, 1e-9)
        spike = np.where(span < 20, np.hypot(bx - ax, by - ay), cross) > 60
        inside = np.zeros(len(spike), bool)
        for c in centres:
            inside |= _hav_km(la[1:-1], lo[1:-1], c[0], c[1]) < radius_km
        ins_hits += int((spike & inside & ok).sum())
        ins_n += int((inside & ok).sum())
        out_hits += int((spike & ~inside & ok).sum())
        out_n += int((~inside & ok).sum())
    return ins_hits, ins_n, out_hits, out_n


def test_planted_faults_are_in_the_files(fleet):
    folder, truth, raw = fleet
    F, V = truth["faults"], truth["vehicles"]
    a = raw["dlt"]
    # no fix: 0/0 coordinates flagged by the GPS-signal column
    zero = (a["ละติจูด"] == "0.000000") & (a["ลองจิจูด"] == "0.000000")
    assert zero.sum() == F["dlt_no_fix"]["rows"] > 0
    no_signal = a["สัญญาณ GPS"] == "ไม่มีสัญญาณ"
    assert (no_signal == zero).all()
    # GPS week-number rollover: the listed boxes write B.E. 2547 (2004), nobody else does
    alias = {x["alias"]: x["vehicle_id"] for x in F["dlt_plate_alias"]["aliases"]}
    canon = a["ทะเบียนรถ"].replace(alias)
    year = a["วันที่"].str[-4:]
    rolled = canon.isin(F["dlt_week_rollover"]["vehicles"])
    assert F["dlt_week_rollover"]["vehicles"]
    assert (year[rolled] == "2547").all() and (year[~rolled] == "2567").all()
    assert rolled.sum() == F["dlt_week_rollover"]["rows"] and F["dlt_week_rollover"]["shift_days"] == -7168
    # plate alias: abbreviated province from the given date on
    for x in F["dlt_plate_alias"]["aliases"]:
        rows = a[a["ทะเบียนรถ"] == x["alias"]]
        assert len(rows) == x["rows"] > 0 and x["alias"] not in V and x["vehicle_id"] in V
        first = _be_to_local(rows["วันที่"], rows["เวลา"]).min()
        if x["vehicle_id"] in F["dlt_week_rollover"]["vehicles"]:
            first += pd.Timedelta(days=7168)
        assert str(first.date()) == x["from"]
    # store and forward: time goes backwards once per episode (twice with duplicates), duplicates exact
    local = _be_to_local(a["วันที่"], a["เวลา"]).astype("int64").to_numpy()
    back = sum(int((np.diff(local[idx.to_numpy()]) < 0).sum()) for _, idx in
               pd.Series(np.arange(len(a))).groupby(canon.to_numpy(), sort=False))
    sf = F["dlt_store_forward"]
    assert back == sf["episodes"] + sf["episodes_with_duplicates"] and sf["episodes"] > 0
    assert a.drop(columns=["ลำดับ"]).duplicated().sum() == sf["duplicate_rows"] > 0
    assert (a["ลำดับ"].astype(int).to_numpy() == np.arange(1, len(a) + 1)).all()
    # power cuts: a power-cut row, then silence while the truck covers tens of km
    gaps = F["dlt_power_cut"]["gaps"]
    assert gaps and (a["สถานะ"] == "ไฟหลักถูกตัด").sum() == len(gaps)
    a_local = _be_to_local(a["วันที่"], a["เวลา"])
    for gp in gaps:
        rows = a_local[canon == gp["vehicle_id"]]
        s, e = pd.Timestamp(gp["start"]), pd.Timestamp(gp["end"])
        assert ((rows > s) & (rows < e)).sum() == 0
        cut = a[(canon == gp["vehicle_id"]) & (a_local == s)]
        nxt = a[(canon == gp["vehicle_id"]) & (a_local == e)]
        assert (cut["สถานะ"] == "ไฟหลักถูกตัด").any() and len(nxt) >= 1
        km = _hav_km(float(cut["ละติจูด"].iloc[0]), float(cut["ลองจิจูด"].iloc[0]),
                     float(nxt["ละติจูด"].iloc[0]), float(nxt["ลองจิจูด"].iloc[0]))
        assert km > 15 and abs(km - gp["km"]) < 0.5 and (e - s) > pd.Timedelta(minutes=15)
    # the songthaew co-op: Thai digits, and one vehicle's Buddhist year doubled (3110)
    cm = raw["cm"]
    be = F["cm_be_year_doubled"]
    doubled = cm["วันเวลา"].str.contains("/๓๑๑๐ ")
    assert doubled.sum() == be["rows"] > 0 and (cm.loc[doubled, "ทะเบียนรถ"] == be["vehicle_id"]).all()
    assert cm["วันเวลา"].str.fullmatch(r"[๐-๙]{2}/[๐-๙]{2}/[๐-๙]{4} [๐-๙]{2}:[๐-๙]{2}:[๐-๙]{2}").all()
    # OBD dongles storing Bangkok wall clock as UTC: read as UTC, their mornings are empty
    # (true 22:00-05:00 shows as 05:00-12:00), while every other household car starts its day then
    obd = raw["obd"]
    ign = obd[obd["event"] == "ignition_on"]
    hour = ign["ts"].dt.tz_convert("Asia/Bangkok").dt.hour
    share = ((hour >= 5) & (hour < 12)).groupby(ign["device_id"]).mean()
    badv = F["obd_local_time_as_utc"]["vehicles"]
    assert badv and F["obd_local_time_as_utc"]["offset_hours"] == 7
    commuters = [v for v, x in V.items()
                 if x["kind"] in ("office_commuter", "songkran_family") and v not in badv]
    assert share[badv].max() < 0.08 and share[commuters].min() > 0.25, (share[badv], share[commuters])
    # phones: network fixes and fake-GPS episodes
    app = raw["app"]
    net = app["provider"] == "network"
    assert net.sum() == F["phone_network_fixes"]["rows"] > 0
    assert app.loc[net, "accuracy_m"].between(150, 1500).all() and app.loc[~net, "accuracy_m"].max() < 150
    eps = F["phone_mock_location"]["episodes"]
    assert eps
    for ep in eps:
        t0 = pd.Timestamp(ep["start_utc"]).value // 10**6
        t1 = pd.Timestamp(ep["end_utc"]).value // 10**6
        g = app[(app["user_id"] == ep["vehicle_id"]) & app["timestamp"].between(t0, t1)]
        assert len(g) == ep["rows"] > 0
        assert (_hav_km(g["lat"], g["lng"], ep["lat"], ep["lon"]) < 0.03).all()
        assert (g["accuracy_m"] == 3.0).all() and (g["provider"] == "gps").all()
    # urban canyon: fixes near the high-rise cores jump off the road far more often than elsewhere
    uc = F["urban_canyon"]
    checked = 0
    c_t = (obd["ts"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    sources = [(obd["device_id"].astype(str).to_numpy(), c_t, obd["lat"].to_numpy(), obd["lon"].to_numpy(),
                90.0, F_OBD),
               (app.loc[~net, "user_id"].to_numpy(), app.loc[~net, "timestamp"].to_numpy() / 1e3,
                app.loc[~net, "lat"].to_numpy(), app.loc[~net, "lng"].to_numpy(), 400.0, F_APP)]
    for vid, t, la, lo, max_dt, name in sources:
        ih, inn, oh, on = _cross_track_spikes(vid, t, la, lo, max_dt, uc["centres"], uc["radius_km"])
        assert uc["rows"][name] > 0
        if inn >= 300:
            checked += 1
            assert ih / inn > 0.12 and ih / inn > 5 * oh / max(on, 1), (name, ih, inn, oh, on)
    assert checked >= 1
