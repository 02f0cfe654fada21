"""The "vistula" synthetic fleet (bench/fleets/vistula.py), read back the way an outside importer
would: pandas for the two CSV exports, pyarrow for the Parquet dump, the conventions its docstring
states (cp1250 + naive Warsaw wall clock; UTC in the German export; UTC timestamps and knots in the
tracking-server dump)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]
VEHICLES, DAYS = 14, 21  # 14 Oct - 3 Nov 2024: both DST clock changes of the faults, All Saints
WARSAW = "Europe/Warsaw"


def _generator():
    spec = importlib.util.spec_from_file_location("vistula_fleet", ROOT / "bench" / "fleets" / "vistula.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> Path:
    return _generator().write_vistula_fleet(tmp_path_factory.mktemp("vistula") / "seed0", VEHICLES, DAYS, 0)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _dist_m(lat, lon, lat0, lon0):
    la, lo, la0, lo0 = (np.radians(np.asarray(x, float)) for x in (lat, lon, lat0, lon0))
    a = np.sin((la - la0) / 2) ** 2 + np.cos(la) * np.cos(la0) * np.sin((lo - lo0) / 2) ** 2
    return 2 * 6371000.0 * np.arcsin(np.sqrt(a))


def _read_pl(folder: Path) -> pd.DataFrame:
    path = next(folder.glob("historia_pozycji_*.csv"))
    df = pd.read_csv(path, sep=";", decimal=",", encoding="cp1250", skiprows=4,
                     dtype={"Nr rejestracyjny": str, "Lokalizacja": str})
    df["local"] = pd.to_datetime(df["Data"] + " " + df["Godzina"], format="%d.%m.%Y %H:%M:%S")
    return df.rename(columns={"Nr rejestracyjny": "vid", "Szerokość": "lat", "Długość": "lon",
                              "Prędkość [km/h]": "kmh"})


def _read_de_raw(folder: Path) -> pd.DataFrame:
    path = next(folder.glob("Positionen_KW*.csv"))
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def _read_de(folder: Path) -> pd.DataFrame:
    raw = _read_de_raw(folder)
    df = raw[raw["Kennzeichen"] != "Kennzeichen"].drop_duplicates().copy()
    for col, new in (("Breitengrad", "lat"), ("Längengrad", "lon"), ("Geschwindigkeit [km/h]", "kmh")):
        df[new] = pd.to_numeric(df[col].str.replace(",", ".", regex=False))
    utc = pd.to_datetime(df["Datum (UTC)"] + " " + df["Uhrzeit (UTC)"], format="%d.%m.%Y %H:%M:%S")
    df["local"] = utc.dt.tz_localize("UTC").dt.tz_convert(WARSAW).dt.tz_localize(None)
    return df.rename(columns={"Kennzeichen": "vid"})


def _read_tc(folder: Path) -> pd.DataFrame:
    df = pq.read_table(folder / "tc_positions_dump.parquet").to_pandas()
    df["local"] = df["fixtime"].dt.tz_convert(WARSAW).dt.tz_localize(None)
    df["kmh"] = df["speed"] * 1.852
    df["ignition"] = df["attributes"].map(lambda s: json.loads(s)["ignition"])
    return df.rename(columns={"device_name": "vid", "latitude": "lat", "longitude": "lon"})


def test_same_seed_same_bytes_other_seed_differs(fleet, tmp_path):
    gen = _generator()
    again = gen.write_vistula_fleet(tmp_path / "again", VEHICLES, DAYS, 0)
    other = gen.write_vistula_fleet(tmp_path / "other", VEHICLES, DAYS, 1)
    first = _digests(fleet)
    assert {"labels.csv", "vehicles.csv", "truth.json", "tc_positions_dump.parquet"} <= set(first)
    assert any(n.startswith("historia_pozycji_") for n in first)
    assert any(n.startswith("Positionen_KW") for n in first)
    assert _digests(again) == first
    second = _digests(other)
    assert set(second) == set(first)
    assert all(second[n] != first[n] for n in first)


def test_truth_agrees_with_the_pings(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    assert truth["tz"] == WARSAW
    vehicles = truth["vehicles"]
    pl, de, tc = _read_pl(fleet), _read_de(fleet), _read_tc(fleet)
    cols = ["vid", "local", "lat", "lon", "kmh"]
    pings = pd.concat([pl[cols], de[cols], tc[cols]], ignore_index=True)
    pings = pings[pings["lat"].notna() & (pings["lat"] != 0)]
    assert set(pings["vid"]) == set(vehicles)
    meta = pd.read_csv(fleet / "vehicles.csv", dtype=str)
    assert set(meta["vehicle_id"]) == set(vehicles)
    kinds = {v["kind"] for v in vehicles.values()}
    assert {"office", "commuter", "shift", "long_haul", "courier_home", "courier_depot"} <= kinds

    wnro = set(truth["faults"]["gps_week_rollover"]["vehicles"])
    for vid, t in vehicles.items():
        g = pings[pings["vid"] == vid]
        if vid in wnro:   # dated 2005: put back into the window first, as the docstring says
            utc = g["local"].dt.tz_localize(WARSAW, ambiguous="NaT").dt.tz_convert("UTC")
            local = (utc + pd.Timedelta(days=7168)).dt.tz_convert(WARSAW).dt.tz_localize(None)
            g = g.assign(local=local).dropna(subset=["local"])
        hour, dow = g["local"].dt.hour, g["local"].dt.day_of_week
        home = t["home"]
        near_home = _dist_m(g["lat"], g["lon"], *home) < 500
        if t["kind"] == "long_haul":
            weekend = (dow == 6) & hour.between(6, 17)   # Sunday daytime: home unless away that weekend
            assert near_home[weekend].mean() > 0.5, vid
            weeknight = dow.isin([1, 2, 3]) & (hour < 4)
            assert near_home[weeknight].mean() < 0.5, vid   # in the cab, far from home
        else:
            night = hour.between(1, 4) & (g["kmh"] == 0)   # parked fixes: early commutes are not nights
            share = near_home[night].mean()
            assert share >= 0.35, (vid, share)
            if t["work"] is not None:
                near_work = _dist_m(g["lat"], g["lon"], *t["work"]) < 500
                assert share > near_work[night].mean(), vid
        if t["work"] is not None:
            # the vehicle stands at its work place on most days it is used on a working day
            work_day = g[(dow < 5)]
            days_used = set(work_day.loc[work_day["kmh"] > 0, "local"].dt.date)
            still = work_day[(work_day["kmh"] == 0)
                             & (_dist_m(work_day["lat"], work_day["lon"], *t["work"]) < 300)]
            days_at_work = set(still["local"].dt.date)
            assert len(days_at_work & days_used) >= 0.5 * len(days_used), vid

    # time conventions: couriers leave at the documented local hours only if fixtime is read as UTC
    for vid, t in vehicles.items():
        if t["kind"] not in ("courier_home", "courier_depot"):
            continue
        g = tc[(tc["vid"] == vid) & (tc["kmh"] > 0) & (tc["local"].dt.day_of_week < 5)]
        first = g.groupby(g["local"].dt.date)["local"].min()
        h = first.dt.hour + first.dt.minute / 60
        lo, hi = (6.0, 6.8) if t["kind"] == "courier_home" else (7.8, 8.8)
        assert len(h) >= 10 and h.between(lo, hi).mean() > 0.9, (vid, h.describe())
    # lorries that spent the weekend at home leave on Monday at 03:30-05:30 local (the export is UTC)
    for vid, t in vehicles.items():
        if t["kind"] != "long_haul":
            continue
        g = de[(de["vid"] == vid) & (de["local"].dt.day_of_week == 0)]
        day = g["local"].dt.date
        home_at_2 = set(day[(g["local"].dt.hour < 3) & (_dist_m(g["lat"], g["lon"], *t["home"]) < 500)])
        moving = g[(g["kmh"] > 0) & day.isin(home_at_2)]
        first = moving.groupby(moving["local"].dt.date)["local"].min()
        assert len(first) >= 1 and (first.dt.hour + first.dt.minute / 60).between(3.5, 5.7).all(), vid
    # the Polish export is local time already: office workers drive to work in the morning
    for vid, t in vehicles.items():
        if t["kind"] not in ("office", "commuter") or vid in wnro:
            continue
        g = pl[pl["vid"] == vid]
        parked_at_work = (g["kmh"] == 0) & (_dist_m(g["lat"], g["lon"], *t["work"]) < 300)
        at_work = set(g.loc[parked_at_work, "local"].dt.date)
        on = g[(g["Zdarzenie"] == "Włączenie zapłonu") & g["local"].dt.date.isin(at_work)]
        first = on.groupby(on["local"].dt.date)["local"].min()
        assert len(first) >= 5 and (first.dt.hour + first.dt.minute / 60).between(5.5, 10.0).mean() > 0.9, vid

    # labels: right ones a few tens of metres off the truth, wrong ones far off
    labels = pd.read_csv(fleet / "labels.csv", dtype={"vehicle_id": str})
    assert 0.65 <= labels["vehicle_id"].nunique() / len(vehicles) <= 0.85
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    for row in labels.itertuples():
        place = vehicles[row.vehicle_id][row.label]
        d = float(_dist_m(row.lat, row.lon, *place))
        assert (d > 1000) if (row.vehicle_id, row.label) in wrong else (5 < d < 100), row


def test_planted_faults_are_in_the_files(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    faults = truth["faults"]
    meta = pd.read_csv(fleet / "vehicles.csv", dtype=str).set_index("vehicle_id")
    pl = _read_pl(fleet)

    # F1 / F3 and the repeated hour: where each Polish vehicle's wall clock steps back
    us_rule = set(faults["dst_us_rule_devices"]["vehicles"])
    wnro = set(faults["gps_week_rollover"]["vehicles"])
    assert us_rule and wnro
    assert us_rule == set(meta.index[meta["tracker_model"] == "LK-105"])
    assert wnro == set(meta.index[meta["tracker_model"] == "LK-90"])
    for vid, g in pl.groupby("vid"):
        back = g["local"].diff() < pd.Timedelta(0)
        steps = g.loc[back, "local"]
        if vid in wnro:
            assert len(steps) == 0, vid       # 2005 rules: spring forward only
            assert g["local"].between("2005-02-27", "2005-03-29").all()
            assert len(g) == faults["gps_week_rollover"]["vehicles"][vid]
        elif vid in us_rule:                  # US rule: falls back on 3 Nov 01:59 -> 01:00
            assert len(steps) == 1 and steps.iloc[0].strftime("%d.%m %H") == "03.11 01", (vid, steps)
        else:                                 # Warsaw: 27 Oct 02:59 CEST -> 02:00 CET
            assert len(steps) == 1 and steps.iloc[0].strftime("%d.%m %H") == "27.10 02", (vid, steps)
        # rows between the two changes are ahead of the correct devices by exactly one hour
    assert sum(faults["dst_us_rule_devices"]["vehicles"].values()) > 0

    # F4 null island on ignition-on records of LK-105 trackers
    zero = pl[(pl["lat"] == 0) & (pl["lon"] == 0)]
    assert faults["null_island"] and zero.groupby("vid").size().to_dict() == faults["null_island"]
    assert (zero["Zdarzenie"] == "Włączenie zapłonu").all() and set(zero["vid"]) <= us_rule

    # F5 private mode: blank coordinates, Tryb jazdy = prywatny, on weekends
    blank = pl[pl["lat"].isna()]
    assert faults["private_mode_blank"]
    assert blank.groupby("vid").size().to_dict() == faults["private_mode_blank"]
    assert (blank["Tryb jazdy"] == "prywatny").all() and blank["lon"].isna().all()
    assert (pl.loc[pl["lat"].notna(), "Tryb jazdy"] == "służbowy").all()
    for vid in faults["private_mode_blank"]:   # exactly the documented weekend spans
        g = pl[pl["vid"] == vid].reset_index(drop=True)
        local = g["local"]
        if vid in us_rule:   # F1: undo the hour before applying the rule
            shifted = local.between("2024-10-27 03:00", "2024-11-03 02:00", inclusive="left")
            local = local.where(~shifted, local - pd.Timedelta(hours=1))
        on = local[g["Zdarzenie"] == "Włączenie zapłonu"]
        expect = pd.Series(False, index=g.index)
        for friday in pd.date_range("2024-10-18 17:00", periods=DAYS // 7, freq="7D"):
            monday = friday + pd.Timedelta(hours=59)   # Monday 04:00
            after = on[on >= friday]
            if len(after) and after.iloc[0] < monday:
                end = on[on >= monday]
                stop = end.iloc[0] if len(end) else local.iloc[-1] + pd.Timedelta(seconds=1)
                expect |= (local >= after.iloc[0]) & (local < stop)
        assert (g["lat"].isna() == expect).all(), vid

    # F6 spikes: each one is in its file, far from both neighbours
    tc = _read_tc(fleet)
    spikes = faults["position_spikes"]
    assert spikes
    frames = {"pl": pl.reset_index(drop=True),
              "tc": tc.sort_values(["vid", "fixtime"]).reset_index(drop=True)}
    for s in spikes:
        f = frames["tc" if s["file"].endswith(".parquet") else "pl"]
        hit = f.index[(f["vid"] == s["vehicle_id"]) & (np.abs(f["lat"] - s["lat"]) < 2e-6)
                      & (np.abs(f["lon"] - s["lon"]) < 2e-6)]
        assert len(hit) == 1, s
        i = hit[0]
        assert f.at[i - 1, "vid"] == f.at[i + 1, "vid"] == s["vehicle_id"]
        mid_lat = (f.at[i - 1, "lat"] + f.at[i + 1, "lat"]) / 2
        mid_lon = (f.at[i - 1, "lon"] + f.at[i + 1, "lon"]) / 2
        assert _dist_m(s["lat"], s["lon"], mid_lat, mid_lon) > 500, s   # off the track its neighbours draw

    # F7 weekly exports pasted together: header lines inside, boundary Mondays twice
    raw = _read_de_raw(fleet)
    info = faults["weekly_export_concatenation"]
    assert info["extra_header_lines"] == DAYS // 7 - 1 == int((raw["Kennzeichen"] == "Kennzeichen").sum())
    rows = raw[raw["Kennzeichen"] != "Kennzeichen"]
    dup = rows[rows.duplicated()]
    assert len(dup) == info["duplicated_rows"] > 0
    utc = pd.to_datetime(dup["Datum (UTC)"] + " " + dup["Uhrzeit (UTC)"], format="%d.%m.%Y %H:%M:%S")
    local_dates = set(utc.dt.tz_localize("UTC").dt.tz_convert(WARSAW).dt.strftime("%Y-%m-%d"))
    assert local_dates == set(info["duplicated_local_dates"])

    # F2 fold at the DST change and F8 late backlog in the tracking-server dump
    lag = (tc["servertime"] - tc["fixtime"]).dt.total_seconds()
    fold = tc[lag.between(3590, 3610)]
    assert len(fold) == faults["dst_server_fold"]["rows"] > 0
    assert fold.groupby("vid").size().to_dict() == faults["dst_server_fold"]["vehicles"]
    assert fold["fixtime"].between(pd.Timestamp("2024-10-27 00:00", tz="UTC"),
                                   pd.Timestamp("2024-10-27 01:00", tz="UTC"), inclusive="left").all()
    late = tc[lag.between(60, 3000)]
    assert len(late) == faults["late_buffered_uploads"]["rows"] > 0
    assert (lag[~lag.between(60, 3610)] < 10).all()
    assert tc["id"].is_monotonic_increasing
    for vid, blocks in faults["late_buffered_uploads"]["vehicles"].items():
        g = tc[tc["vid"] == vid]
        steps_back = int((g["fixtime"].diff() < pd.Timedelta(0)).sum())
        assert steps_back >= len(blocks), vid
    assert tc["kmh"].max() < 125 and tc.loc[tc["kmh"] > 0, "kmh"].median() > 10   # knots, not km/h

    # wrong labels are planted
    assert 1 <= len(truth["wrong_labels"]) <= 0.1 * len(pd.read_csv(fleet / "labels.csv")) + 1
