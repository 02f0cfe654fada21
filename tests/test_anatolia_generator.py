"""The 'anatolia' fleet generator (bench/fleets/anatolia.py): Turkey in Ramadan 2025.

The files are read back as an outside importer would, with pandas / pyarrow and the conventions
of the module's docstring: file 1 (FiloTakip, Windows-1254, ';', decimal comma, two title lines)
has naive Turkish wall-clock stamps, file 2 (EuroFleet) ISO stamps with CET/CEST offsets, file 3
(OBD parquet) UTC timestamps.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "bench" / "fleets" / "anatolia.py"
VEHICLES, DAYS, SEED = 14, 22, 3  # 22 days: through the Bayram and Europe's 30.03 clock change
SWITCH_UTC = pd.Timestamp("2025-03-30T01:00:00Z")


def _generate(out: Path, vehicles: int, days: int, seed: int) -> Path:
    subprocess.run([sys.executable, str(GENERATOR), str(out), "--vehicles", str(vehicles),
                    "--days", str(days), "--seed", str(seed)], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    return _generate(tmp_path_factory.mktemp("anatolia") / "fleet", VEHICLES, DAYS, SEED)


def _digests(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _hav(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (np.sin((p2 - p1) / 2) ** 2
         + np.cos(p1) * np.cos(p2) * np.sin(np.radians(np.asarray(lon2) - np.asarray(lon1)) / 2) ** 2)
    return 2 * 6371000.0 * np.arcsin(np.sqrt(a))


def _read_filo(folder: Path) -> pd.DataFrame:
    path = next(folder.glob("FiloTakip_GecmisKonum_*.csv"))
    raw = path.read_bytes()
    assert raw.startswith("Araç Geçmiş Konum Raporu;".encode("cp1254")) and b"\r\n" in raw
    df = pd.read_csv(path, sep=";", encoding="cp1254", skiprows=2, dtype=str, keep_default_na=False)
    assert list(df.columns) == ["Plaka", "Tarih", "Saat", "Enlem", "Boylam", "Hız (km/sa)", "Yön", "Kontak",
                                "Uydu Sayısı", "Km Sayacı", "Adres", "Sürücü"]
    out = pd.DataFrame({
        "vid": df["Plaka"],
        "wall": pd.to_datetime(df["Tarih"] + " " + df["Saat"], format="%d.%m.%Y %H:%M:%S"),
        "lat": df["Enlem"].str.replace(",", ".").astype(float),
        "lon": df["Boylam"].str.replace(",", ".").astype(float),
        "spd": df["Hız (km/sa)"].astype(float),
        "sats": df["Uydu Sayısı"].astype(int),
    })
    return out


def _read_euro(folder: Path) -> pd.DataFrame:
    path = next(folder.glob("eurofleet_positions_TR_*.csv"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={"Vehicle": str, "Date/time": str, "Received": str})
    df["utc"] = pd.to_datetime(df["Date/time"], format="ISO8601", utc=True)
    return df


def _read_obd(folder: Path) -> pd.DataFrame:
    return pq.read_table(folder / "kasko_obd_pilot_pings.parquet").to_pandas()


def _all_pings(folder: Path, truth: dict) -> pd.DataFrame:
    """Every fix as (vid, utc, lat, lon, spd), times converted as the docstring says."""
    a = _read_filo(folder)
    wall = a["wall"]
    old = a["vid"].isin(truth["faults"]["old_tz_table"]["vehicles"])
    early = old & (wall < pd.Timestamp("2025-03-30 03:00:00"))
    wall = wall.where(~early, wall + pd.Timedelta(hours=1))  # the 2015 table's UTC+2 winter
    a_utc = wall.dt.tz_localize("Europe/Istanbul").dt.tz_convert("UTC")
    b = _read_euro(folder)
    c = _read_obd(folder)
    c_utc = c["gps_time"].where(c["gps_time"].dt.year >= 2020, c["gps_time"] + pd.Timedelta(days=7168))
    frames = [
        pd.DataFrame({"vid": a["vid"], "utc": a_utc, "lat": a["lat"], "lon": a["lon"], "spd": a["spd"]}),
        pd.DataFrame({"vid": b["Vehicle"], "utc": b["utc"], "lat": b["Latitude"], "lon": b["Longitude"],
                      "spd": b["Speed (km/h)"].astype(float)}),
        pd.DataFrame({"vid": c["imei"], "utc": c_utc, "lat": c["latitude"], "lon": c["longitude"],
                      "spd": c["speed_kmh"].astype(float)}),
    ]
    for f in frames:
        f["utc"] = f["utc"].astype("datetime64[ns, UTC]")
    p = pd.concat(frames, ignore_index=True)
    p = p[(p["lat"] != 0) | (p["lon"] != 0)]
    p["local"] = p["utc"].dt.tz_convert(truth["tz"])
    return p


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = _digests(_generate(tmp_path / "a", VEHICLES, 10, 5))
    b = _digests(_generate(tmp_path / "b", VEHICLES, 10, 5))
    c = _digests(_generate(tmp_path / "c", VEHICLES, 10, 6))
    assert set(a) == {"FiloTakip_GecmisKonum_10.03.2025-19.03.2025.csv",
                      "eurofleet_positions_TR_2025-03-10_2025-03-19.csv",
                      "kasko_obd_pilot_pings.parquet", "labels.csv", "vehicles.csv", "truth.json"}
    assert a == b
    assert set(c) == set(a)
    assert all(a[name] != c[name] for name in a)


def test_truth_agrees_with_the_pings(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    assert truth["tz"] == "Europe/Istanbul"
    tv = truth["vehicles"]
    p = _all_pings(fleet, truth)
    vehicles = pd.read_csv(fleet / "vehicles.csv", dtype=str)
    assert set(vehicles["vehicle_id"]) == set(tv) == set(p["vid"]) and len(tv) == VEHICLES
    assert {v["kind"] for v in tv.values()} == {
        "taxi_single", "taxi_two_shift", "dolmus", "staff_shuttle", "shift_worker", "bosphorus_commuter",
        "ferry_park_and_ride", "field_sales", "port_shuttle_truck", "mersin_long_haul", "delivery_van",
        "weekend_house", "retiree", "bayram_home_town"}

    still = p[p["spd"] == 0].copy()
    still["bin"] = still["local"].dt.floor("h")
    hours = still.groupby(["vid", "bin"])[["lat", "lon"]].median().reset_index()
    hours["h"] = hours["bin"].dt.hour
    hours["day"] = hours["bin"].dt.date
    for vid, rec in tv.items():
        mine = hours[hours["vid"] == vid]
        if rec["home"] is not None:
            # home: where the car stands while its driver sleeps (by day for the fixed night shift)
            rest = (mine["h"] >= 11) & (mine["h"] < 15) if rec.get("shift_pattern") == "fixed_night" \
                else (mine["h"] >= 1) & (mine["h"] < 5)
            r = mine[rest]
            near = _hav(r["lat"].to_numpy(), r["lon"].to_numpy(), *rec["home"]) < 300
            assert len(r) >= DAYS // 2 and near.mean() >= 0.5, (vid, rec["kind"], len(r), near.mean())
        if rec["work"] is not None:  # stands still there on many days (a shuttle only minutes a run)
            fixes = still[still["vid"] == vid]
            near = _hav(fixes["lat"].to_numpy(), fixes["lon"].to_numpy(), *rec["work"]) < 300
            assert fixes.loc[near, "local"].dt.date.nunique() >= 5, (vid, rec["kind"])
        trip = rec["bayram_trip"]
        if trip is not None:  # hours standing in the home town after leaving
            left = pd.Timestamp(trip["left_local"]).tz_localize(truth["tz"])
            away = mine[mine["bin"] > left]
            d = _hav(away["lat"].to_numpy(), away["lon"].to_numpy(), *trip["place"])
            assert (d < 15000).sum() >= 3, vid

    labels = pd.read_csv(fleet / "labels.csv", dtype={"vehicle_id": str})
    assert list(labels.columns) == ["vehicle_id", "label", "lat", "lon"]
    assert set(labels["label"]) <= {"home", "work"} and set(labels["vehicle_id"]) <= set(tv)
    labelled = labels["vehicle_id"].nunique() / VEHICLES
    assert 0.6 <= labelled <= 0.85
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    assert wrong and len(wrong) <= max(2, 0.1 * len(labels))
    for row in labels.itertuples():
        place = tv[row.vehicle_id][row.label]
        assert place is not None
        d = float(_hav(row.lat, row.lon, *place))
        if (row.vehicle_id, row.label) in wrong:
            assert d > 300, row
        else:
            assert 5 < d < 100, row


def test_planted_faults_are_in_the_files(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    faults = truth["faults"]
    vehicles = pd.read_csv(fleet / "vehicles.csv", dtype=str).set_index("vehicle_id")
    a = _read_filo(fleet)

    # old tz table: one hour early before the switch, then a jump over 03:00-03:59 on 30.03
    old = faults["old_tz_table"]["vehicles"]
    assert old and all(vehicles.loc[v, "firmware"].startswith("GT06N_V2") for v in old)
    hole = (a["wall"] >= pd.Timestamp("2025-03-30 03:00")) & (a["wall"] < pd.Timestamp("2025-03-30 04:00"))
    for vid in a["vid"].unique():
        n = int((hole & (a["vid"] == vid)).sum())
        assert (n == 0) if vid in old else (n > 0), (vid, n)
    for vid in old:
        early = (a["vid"] == vid) & (a["wall"] < pd.Timestamp("2025-03-30 03:00"))
        assert int(early.sum()) == faults["old_tz_table"]["rows_one_hour_early"][vid] > 0
        w = a.loc[a["vid"] == vid, "wall"]
        before, after = w[w < pd.Timestamp("2025-03-30 03:00")], w[w >= pd.Timestamp("2025-03-30 04:00")]
        gap = after.iloc[0] - before.iloc[-1]
        assert gap > pd.Timedelta(hours=1)

    # null island rows of the GT06N trackers
    zero = a[(a["lat"] == 0) & (a["lon"] == 0)]
    counts = zero.groupby("vid").size().to_dict()
    assert counts == faults["null_island"]["rows"] and counts
    assert all(vehicles.loc[v, "device_model"] == "Concox GT06N" for v in counts)
    assert (zero["sats"] == 0).all() and (zero["spd"] == 0).all()

    # multipath spikes: each listed fix sits far off the line between its neighbours
    spikes = faults["multipath_spike"]["rows"]
    f1 = next(iter(k for k in spikes if k.startswith("FiloTakip")))
    stamp = a["wall"].dt.strftime("%d.%m.%Y %H:%M:%S")
    keyed = pd.Series(np.arange(len(a)), index=pd.MultiIndex.from_arrays([a["vid"], stamp]))
    obd = _read_obd(fleet)
    obd_stamp = obd["gps_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    obd_keyed = pd.Series(np.arange(len(obd)), index=pd.MultiIndex.from_arrays([obd["imei"], obd_stamp]))
    off = []
    for frame, key, rows in ((a, keyed, spikes[f1]),
                             (obd.rename(columns={"latitude": "lat", "longitude": "lon", "imei": "vid"}),
                              obd_keyed, spikes["kasko_obd_pilot_pings.parquet"])):
        for vid, st in rows:
            i = int(key[(vid, st)])
            prev, nxt = frame.iloc[i - 1], frame.iloc[i + 1]
            assert prev["vid"] == nxt["vid"] == vid
            mid = ((prev["lat"] + nxt["lat"]) / 2, (prev["lon"] + nxt["lon"]) / 2)
            off.append(float(_hav(frame["lat"].iloc[i], frame["lon"].iloc[i], *mid)))
    assert len(off) == faults["multipath_spike"]["count"] >= 3
    assert np.mean(np.array(off) > 250) >= 0.9

    # GPS week rollover: 2005 stamps from a moment on, 7168 days early
    old_rows = obd[obd["gps_time"].dt.year < 2020]
    roll = faults["gps_week_rollover"]["vehicles"]
    assert old_rows.groupby("imei").size().to_dict() == {k: v["rows"] for k, v in roll.items()} and roll
    for imei, info in roll.items():
        mine = obd[obd["imei"] == imei]
        restored = mine["gps_time"].where(mine["gps_time"].dt.year >= 2020,
                                          mine["gps_time"] + pd.Timedelta(days=7168))
        assert restored.is_monotonic_increasing
        first = restored[mine["gps_time"].dt.year < 2020].iloc[0]
        assert first == pd.Timestamp(info["from_utc"]) and first.year == 2025
        assert (mine["gps_time"][mine["gps_time"].dt.year < 2020].dt.year == 2005).all()

    # the European server: CET/CEST offsets, buffered bursts out of order, resent duplicates
    b = _read_euro(fleet)
    plus1, plus2 = b["Date/time"].str.endswith("+01:00"), b["Date/time"].str.endswith("+02:00")
    assert (plus1 | plus2).all()
    assert int(plus1.sum()) == faults["server_zone_cet_cest"]["rows_plus01"] > 0
    assert int(plus2.sum()) == faults["server_zone_cet_cest"]["rows_plus02"] > 0
    assert (b.loc[plus1, "utc"] < SWITCH_UTC).all() and (b.loc[plus2, "utc"] >= SWITCH_UTC).all()
    ooo, dup = {}, {}
    for vid, g in b.groupby("Vehicle", sort=False):
        t = g["utc"].to_numpy()
        above = np.maximum.accumulate(t)
        n = int((t[1:] < above[:-1]).sum())
        if n:
            ooo[vid] = n
        n = int(g.duplicated(["Date/time", "Latitude", "Longitude"]).sum())
        if n:
            dup[vid] = n
    buf = faults["buffered_resend"]
    assert ooo == buf["out_of_order_rows"] and dup == buf["duplicate_rows"] and ooo and dup
    assert (pd.to_datetime(b["Received"], format="ISO8601", utc=True) >= b["utc"]).all()

    # frozen GNSS: position and heading stuck, satellites 0, odometer still counting
    episodes = faults["frozen_fix"]["episodes"]
    assert episodes
    for ep in episodes:
        g = b[(b["Vehicle"] == ep["vehicle_id"]) & (b["utc"] >= pd.Timestamp(ep["start_utc"]))
              & (b["utc"] <= pd.Timestamp(ep["end_utc"]))].drop_duplicates(["Date/time"])
        assert len(g) == ep["rows"]
        assert g["Latitude"].nunique() == g["Longitude"].nunique() == 1 and (g["Satellites"] == 0).all()
        assert g["Odometer (km)"].max() > g["Odometer (km)"].min() and (g["Speed (km/h)"] > 0).any()
