"""The Iranian synthetic fleet (bench/fleets/persia.py), read back the way an importer would:
pandas for the Rahyab CSV (UTF-8 with BOM, Persian headers, Jalali dates in Persian digits),
pyarrow for the Traccar parquet (UTC) and the phone app's JSON Lines (ISO-8601 with offset),
with a Jalali calendar written here, independently of the generator's."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]

FA = "۰۱۲۳۴۵۶۷۸۹"
AR = "٠١٢٣٤٥٦٧٨٩"
TO_LATIN = str.maketrans(FA + AR, "0123456789" * 2)
AR_TO_FA = str.maketrans(AR + "\u064a", FA + "\u06cc")
LEAP33 = {1, 5, 9, 13, 17, 22, 26, 30}


def _module():
    spec = importlib.util.spec_from_file_location("persia_fleet", ROOT / "bench" / "fleets" / "persia.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["persia_fleet"] = mod
    spec.loader.exec_module(mod)
    return mod


def jalali_to_date(y: int, m: int, d: int) -> date:
    """Counted from 1 Farvardin 1403 = 20 March 2024 (the reader's own anchor)."""
    o = date(2024, 3, 20)
    while y > 1403:
        y -= 1
        o += timedelta(days=365 + (y % 33 in LEAP33))
    while y < 1403:
        o -= timedelta(days=365 + (y % 33 in LEAP33))
        y += 1
    return o + timedelta(days=((m - 1) * 31 if m <= 7 else 186 + (m - 7) * 30) + d - 1)


def canon(plate: str) -> str:
    return plate.translate(AR_TO_FA)


def dist(lat1, lon1, lat2, lon2):
    lat1, lon1 = np.asarray(lat1, float), np.asarray(lon1, float)
    return np.hypot((lon2 - lon1) * 111_195 * np.cos(np.radians(lat1)), (lat2 - lat1) * 111_195)


def read_fleet(folder: Path):
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    files = truth["files"]
    raw = pd.read_csv(folder / files["A"], encoding="utf-8-sig", dtype=str)
    days = {s: jalali_to_date(*map(int, s.translate(TO_LATIN).split("/"))) for s in raw["تاریخ"].unique()}
    wall = (pd.to_datetime(raw["تاریخ"].map(lambda s: days[s].isoformat()))
            + pd.to_timedelta(raw["ساعت"].str.translate(TO_LATIN)))
    vid = raw["پلاک"].map(canon)
    old_fw = set(truth["faults"]["dst_old_tz"]["platform_a_devices"])
    # as documented: listed devices stamp +04:30 from 1403/01/02 01:00:00 (wall) on
    shifted = vid.isin(old_fw) & (wall >= pd.Timestamp("2024-03-21 01:00:00"))
    utc = wall - pd.to_timedelta(np.where(shifted, 270, 210), unit="min")
    a = pd.DataFrame({"vid": vid, "utc": utc.dt.tz_localize("UTC").astype("datetime64[ns, UTC]"),
                      "lat": raw["عرض جغرافیایی"].astype(float), "lon": raw["طول جغرافیایی"].astype(float),
                      "kmh": raw["سرعت"].astype(float)})
    b_raw = pq.read_table(folder / files["B"]).to_pandas()
    bv = b_raw[b_raw["valid"]]
    b = pd.DataFrame({"vid": bv["uniqueid"], "utc": bv["fixtime"].astype("datetime64[ns, UTC]"),
                      "lat": bv["latitude"], "lon": bv["longitude"], "kmh": bv["speed"] * 1.852})
    c_raw = pd.read_json(folder / files["C"], lines=True, dtype={"phone": str, "ts": str})
    c = pd.DataFrame({"vid": c_raw["phone"],
                      "utc": pd.to_datetime(c_raw["ts"], utc=True, format="ISO8601").astype(
                          "datetime64[ns, UTC]"),
                      "lat": c_raw["lat"], "lon": c_raw["lng"], "kmh": c_raw["spd"] * 3.6})
    pings = pd.concat([a, b, c], ignore_index=True)
    pings["local"] = pings["utc"].dt.tz_convert(None) + pd.Timedelta(minutes=210)
    return truth, pings, raw, wall, b_raw, c_raw


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("persia") / "fleet"
    _module().write_persia_fleet(folder, vehicles=14, days=16, seed=3)
    return folder, read_fleet(folder)


def _digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    mod = _module()
    one = _digests(mod.write_persia_fleet(tmp_path / "a", vehicles=14, days=10, seed=0))
    two = _digests(mod.write_persia_fleet(tmp_path / "b", vehicles=14, days=10, seed=0))
    other = _digests(mod.write_persia_fleet(tmp_path / "c", vehicles=14, days=10, seed=1))
    assert one == two
    assert {"labels.csv", "vehicles.csv", "truth.json", "traccar_positions_utc.parquet",
            "driver_app_positions.jsonl", "rahyab_gozaresh_14021219_14021228.csv"} == set(one)
    assert set(one) == set(other)
    assert all(one[k] != other[k] for k in one)


def test_truth_agrees_with_the_pings(fleet):
    folder, (truth, pings, raw, wall, _, _) = fleet
    mod = _module()
    known = {(1403, 1, 1): date(2024, 3, 20), (1402, 12, 29): date(2024, 3, 19),
             (1402, 12, 19): date(2024, 3, 9), (1399, 12, 30): date(2021, 3, 20),
             (1400, 1, 1): date(2021, 3, 21), (1403, 12, 30): date(2025, 3, 20),
             (1404, 1, 1): date(2025, 3, 21), (1357, 11, 22): date(1979, 2, 11),
             (1358, 1, 1): date(1979, 3, 21), (1375, 12, 30): date(1997, 3, 20)}
    for (y, m, d), g in known.items():
        assert jalali_to_date(y, m, d) == g
        assert mod.jalali_to_gregorian(y, m, d) == g
        assert mod.gregorian_to_jalali(g) == (y, m, d)
    with pytest.raises(ValueError):
        mod.jalali_to_gregorian(1402, 12, 30)          # 1402 is not a leap year
    assert raw["تاریخ"].iloc[0] == "۱۴۰۲/۱۲/۱۹" and wall.min().date() == date(2024, 3, 9)
    assert truth["tz"] == "Asia/Tehran"

    V = truth["vehicles"]
    vehicles = pd.read_csv(folder / "vehicles.csv", dtype=str)
    labels = pd.read_csv(folder / "labels.csv", dtype={"vehicle_id": str})
    assert set(vehicles["vehicle_id"]) == set(V) == set(pings["vid"])
    assert set(labels["vehicle_id"]) <= set(V)
    assert "kind" not in vehicles.columns

    for vid, t in V.items():
        g = pings[pings["vid"] == vid]
        night = g[g["local"].dt.hour == 4]
        med = night.groupby(night["local"].dt.date)[["lat", "lon"]].median()
        if t["home"] is None:
            assert t["kind"] == "lorry"
            assert (dist(g["lat"], g["lon"], *t["depot"]) < 1500).any()
            assert (dist(g["lat"], g["lon"], *t["port"]) < 3000).any()
            continue
        near_home = dist(med["lat"], med["lon"], *t["home"]) < 300
        assert len(med) >= 12 and near_home.mean() > 0.5, (t["kind"], near_home.mean())
        if t["work"] is not None:
            w = g[(dist(g["lat"], g["lon"], *t["work"]) < 250) & (g["kmh"] == 0)]
            span = w.groupby(w["local"].dt.date)["local"].agg(lambda s: s.max() - s.min())
            assert (span >= pd.Timedelta(hours=1)).sum() >= 2, (vid, t["kind"])
        if t["kind"] == "odd_even_parker":
            # on the weekdays the plate may not enter the zone, the car waits outside it
            even = t["plate_last_digit"] % 2 == 0
            day = g["local"].dt.normalize()
            wd = (g["local"].dt.day_of_week + 2) % 7                      # 0 = Saturday
            barred = (wd <= 4) & (wd.isin([0, 2, 4]) != even) & (day < pd.Timestamp("2024-03-19"))
            parked = g[barred & (g["kmh"] == 0) & g["local"].dt.hour.between(10, 12)]
            lat0, lat1, lon0, lon1 = 35.660, 35.745, 51.375, 51.470
            inside = parked["lat"].between(lat0, lat1) & parked["lon"].between(lon0, lon1)
            assert len(parked) and not inside.any()
            assert (dist(parked["lat"], parked["lon"], *t["park_and_ride"]) < 250).mean() > 0.8
        if t["kind"] == "nowruz_family":
            trip = t["nowruz_trip"]
            first, last = pd.Timestamp(trip["depart_date"]), pd.Timestamp(trip["return_date"])
            away = med[(pd.to_datetime(med.index) > first) & (pd.to_datetime(med.index) <= last)]
            if len(away):
                assert (dist(away["lat"], away["lon"], *trip["stay"]) < 300).mean() > 0.8

    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    assert 0 < len(wrong) <= max(2, 0.1 * len(labels))
    for r in labels.itertuples():
        off = float(dist(r.lat, r.lon, *V[r.vehicle_id][r.label]))
        if (r.vehicle_id, r.label) in wrong:
            assert off > 1000
        else:
            assert off < 100


def test_planted_faults_are_in_the_files(fleet):
    folder, (truth, pings, raw, wall, b, c) = fleet
    F = truth["faults"]
    vid = raw["پلاک"].map(canon)
    devices = pd.read_csv(folder / "vehicles.csv", dtype=str).set_index("vehicle_id")
    loc = lambda s: pd.Timestamp(s[:19])                                          # noqa: E731

    # 1. old tz tables: the listed trackers' clocks jump 00:00 -> 01:00 on 1403/01/02, the
    #    others keep stamping that hour; the listed phones write +04:30 from the onset on
    hour = (raw["تاریخ"] == "۱۴۰۳/۰۱/۰۲") & raw["ساعت"].str.startswith("۰۰:")
    old = set(F["dst_old_tz"]["platform_a_devices"])
    assert old and not hour[vid.isin(old)].any()
    h0, h1 = pd.Timestamp("2024-03-21 00:00"), pd.Timestamp("2024-03-21 01:00")
    for v in set(vid) - old:
        cut = [u for u in F["tracker_unplugged"] if u["vehicle_id"] == v
               and loc(u["start_local"]) < h1 and loc(u["end_local"]) > h0]
        if not cut:
            assert hour[vid == v].any(), v
    shifted = c["ts"].str.endswith("+04:30")
    phones = set(F["dst_old_tz"]["phones_offset_0430"])
    assert set(c.loc[shifted, "phone"]) == phones and shifted.sum() == F["dst_old_tz"]["phone_rows_0430"]
    after = pd.to_datetime(c["ts"], utc=True, format="ISO8601") >= pd.Timestamp("2024-03-20T20:30:00Z")
    assert (shifted == (after & c["phone"].isin(phones))).all()

    # 2. spoofing: fixes from the Pasteur district thrown to Imam Khomeini airport, only inside episodes
    sp = F["gps_spoofing"]
    lat, lon = raw["عرض جغرافیایی"].astype(float), raw["طول جغرافیایی"].astype(float)
    at_ika = dist(lat, lon, *sp["spoof_point"]) < 300
    assert at_ika.sum() == sp["total_rows"] > 0
    assert vid[at_ika].value_counts().to_dict() == sp["rows"]
    true_wall = wall - pd.to_timedelta(np.where(vid.isin(old) & (wall >= h1), 60, 0), unit="min")
    in_ep = np.zeros(len(raw), bool)
    for s, e in sp["episodes_local"]:
        in_ep |= ((true_wall >= loc(s)) & (true_wall < loc(e))).to_numpy()
    assert in_ep[np.asarray(at_ika)].all()

    # 3. jamming near Natanz: invalid rows, no satellites, the last valid fix held
    jam = F["gps_jamming"]
    inval = b[~b["valid"]]
    assert len(inval) == jam["total_rows"] > 0 and (inval["sat"] == 0).all() and (inval["speed"] == 0).all()
    assert inval["uniqueid"].value_counts().to_dict() == jam["rows"]
    prev = b.shift(1)
    held = ~b["valid"] & (prev["uniqueid"] == b["uniqueid"])
    assert (b.loc[held, "latitude"] == prev.loc[held, "latitude"]).all()
    assert (dist(inval["latitude"], inval["longitude"], *jam["center"]) < jam["radius_m"] + 3000).all()

    # 4. platform outage: no row at all in the window
    o = F["platform_outage"]
    assert not ((true_wall >= loc(o["start_local"])) & (true_wall < loc(o["end_local"]))).any()

    # 5. unplugged trackers: silent over their interval, reporting before and after it
    assert F["tracker_unplugged"]
    for u in F["tracker_unplugged"]:
        w = true_wall[vid == u["vehicle_id"]]
        s, e = loc(u["start_local"]), loc(u["end_local"])
        assert not ((w >= s) & (w < e)).any() and (w < s).any()
        gap = w[w >= e].min() - w[w < s].max()
        assert gap >= e - s

    # 6. duplicates: Rahyab rows repeated but for ردیف; Traccar fixes stored twice
    assert raw.drop(columns="ردیف").duplicated().sum() == F["duplicates_a"]["extra_rows"] > 0
    dup_b = b.duplicated(["uniqueid", "fixtime"])
    assert dup_b.sum() == F["duplicates_b"]["extra_rows"] > 0
    assert (b.loc[dup_b, "servertime"].to_numpy() > b.shift(1).loc[dup_b, "servertime"].to_numpy()).all()

    # 7. device swap: from then on a new IMEI and the plate typed on an Arabic keyboard
    assert F["device_swap"]
    for s in F["device_swap"]:
        rows = raw["پلاک"] == s["alias"]
        assert s["alias"] != s["vehicle_id"] and canon(s["alias"]) == s["vehicle_id"]
        assert "\u064a" in s["alias"] and rows.sum() == s["rows_under_alias"] > 0
        assert (raw.loc[rows, "شناسه دستگاه"] == s["new_imei"]).all()
        assert (true_wall[rows] >= loc(s["from_local"])).all()
        assert (true_wall[raw["پلاک"] == s["vehicle_id"]] < loc(s["from_local"])).all()

    # 8. dead zones: the GT06N trackers (no buffer) have no fix on the mountain passes
    gt = vid.map(devices["device"]) == "GT06N"
    dz = F["coverage_dead_zones"]
    for z in dz["zones"].values():
        assert not (gt & (dist(lat, lon, *z["center"]) < z["radius_m"])).any()
    assert dz["total_rows_lost"] == sum(dz["rows_lost_gt06n"].values())

    # 9. underground garages: the listed cars report no satellite at home, the others always some
    sats0 = raw["تعداد ماهواره"].astype(int) == 0
    assert set(vid[sats0]) == set(F["underground_garage"])
