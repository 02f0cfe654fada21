"""The São Paulo fleet generator (bench/fleets/saopaulo.py), checked the way an outside reader
sees its files: pandas / pyarrow on the written files, truth.json as the key."""
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "fleets" / "saopaulo.py"
FILES = ["rastreamento.csv", "app_pings.parquet", "labels.csv", "vehicles.csv", "truth.json"]


def _module():
    spec = importlib.util.spec_from_file_location("saopaulo_fleet", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saopaulo") / "fleet"
    _module().write_saopaulo_fleet(folder, vehicles=24, days=28, seed=3)
    return folder


def read_csv(folder):
    return pd.read_csv(folder / "rastreamento.csv", sep=";", decimal=",", encoding="utf-8-sig",
                       dtype={"placa": str, "data_hora": str})


def read_all(folder):
    """truth, and every fix as (id, local time, lat, lon, speed km/h or NaN)."""
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    faults = truth["faults"]
    csv = read_csv(folder)
    pc = faults.get("plate_change")
    vid = csv["placa"]
    if pc:
        vid = vid.replace(pc["new_plate"], pc["old_plate"])
    local = pd.to_datetime(csv["data_hora"], format="%d/%m/%Y %H:%M:%S", errors="coerce")
    a = pd.DataFrame({"id": vid, "local": local, "lat": csv["latitude"],
                      "lon": csv["longitude"], "speed": csv["velocidade"]})
    app = pd.read_parquet(folder / "app_pings.parquet")
    b = pd.DataFrame({"id": app["driver_uuid"],
                      "local": pd.to_datetime(app["ts"] - 3 * 3600, unit="s"),
                      "lat": app["lat"], "lon": app["lng"], "speed": np.nan})
    pings = pd.concat([a, b], ignore_index=True).sort_values(["id", "local"], kind="stable")
    return truth, pings


def faulty(truth):
    f = truth["faults"]
    ids = {f[k]["vehicle_id"] for k in ("plate_change", "month_day_swapped", "latlon_swapped",
                                        "speed_knots") if k in f}
    return ids


def dist_m(lat1, lon1, lat2, lon2):
    return np.hypot((np.asarray(lat1) - lat2) * 111320.0,
                    (np.asarray(lon1) - lon2) * 111320.0 * np.cos(np.radians(23.5)))


def test_deterministic_and_brazilian_format(tmp_path):
    mod = _module()
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    mod.write_saopaulo_fleet(a, vehicles=8, days=14, seed=5)
    subprocess.run([sys.executable, str(SCRIPT), str(b), "--vehicles", "8", "--days", "14",
                    "--seed", "5"], check=True, capture_output=True)
    mod.write_saopaulo_fleet(c, vehicles=8, days=14, seed=6)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in ("rastreamento.csv", "app_pings.parquet", "truth.json"):
        assert (a / name).read_bytes() != (c / name).read_bytes(), name

    raw = (a / "rastreamento.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "placa;data_hora;latitude;longitude;velocidade;ignicao"
    rows = [ln.split(";") for ln in lines[1:] if ln]
    assert all(len(r) == 6 for r in rows)
    assert all(re.fullmatch(r"-\d+,\d{6}", r[2]) and re.fullmatch(r"-\d+,\d{6}", r[3])
               for r in rows)
    assert all(re.fullmatch(r"\d+,\d", r[4]) for r in rows)
    assert {r[5] for r in rows} == {"Sim", "Não"}
    assert all(re.fullmatch(r"\d\d/\d\d/2026 \d\d:\d\d:\d\d", r[1]) for r in rows)
    first = np.array([int(r[1][:2]) for r in rows])
    assert (first > 12).any() and (first <= 12).any()  # days > 12 and <= 12 both occur

    df = read_csv(a)
    assert df["latitude"].dtype == float and df["latitude"].between(-47, -22).all()
    app = pd.read_parquet(a / "app_pings.parquet")
    assert list(app.columns) == ["driver_uuid", "ts", "lat", "lng", "accuracy_m"]
    assert app["ts"].dtype == np.int64 and len(app) > 0
    # epoch seconds UTC: 2026-04-20 00:00 local is 03:00 UTC
    assert app["ts"].min() >= 1776654000 and app["ts"].max() < 1776654000 + 14 * 86400
    truth = json.loads((a / "truth.json").read_text(encoding="utf-8"))
    assert truth["tz"] == "America/Sao_Paulo"
    assert len({v["kind"] for v in truth["vehicles"].values()}) == 7
    ids = set(pd.read_csv(a / "vehicles.csv")["vehicle_id"])
    assert ids == set(truth["vehicles"])
    assert set(pd.read_csv(a / "labels.csv")["vehicle_id"]) <= ids


def test_kinds_traits_in_files(fleet):
    truth, pings = read_all(fleet)
    bad = faulty(truth)
    zone = truth["rodizio"]["zone_bbox"]
    holidays = set(truth["holidays"])
    vehicles = {k: v for k, v in truth["vehicles"].items() if k not in bad}
    by_id = dict(tuple(pings.groupby("id")))
    date = {k: g["local"].dt.strftime("%Y-%m-%d") for k, g in by_id.items()}

    def of(kind):
        return [k for k, v in vehicles.items() if v["kind"] == kind]

    # rodízio: on its plate's weekday a centre commuter's car is not in the zone 07-10 / 17-20
    # (except parked at work, arrived before 07:00); other weekdays it does drive in at 07-10
    drove_in_other_days = early_at_work = bus_days = 0
    for k in of("commuter_centro"):
        v, g = vehicles[k], by_id[k]
        h = g["local"].dt.hour + g["local"].dt.minute / 60
        inzone = g["lat"].between(zone[0], zone[1]) & g["lon"].between(zone[2], zone[3])
        restricted = ((h >= 7) & (h < 10)) | ((h >= 17) & (h < 20))
        at_work = dist_m(g["lat"], g["lon"], *v["work"]) < 200
        at_home = dist_m(g["lat"], g["lon"], *v["home"]) < 200
        rod = (g["local"].dt.day_of_week == v["rodizio_weekday"]) & ~date[k].isin(holidays)
        assert not (rod & restricted & inzone & ~at_work).any(), k
        if v["rodizio_mode"] == "bus":
            assert not (rod & ~at_home).any(), k
            bus_days += 1
        else:
            early_at_work += (rod & at_work & (h < 7)).sum() > 0
        other = (g["local"].dt.day_of_week < 5) & ~rod & ~date[k].isin(holidays)
        drove_in_other_days += (other & inzone & ~at_work & (h >= 7) & (h < 10)).sum() > 0
    assert drove_in_other_days >= 1 and early_at_work >= 1 and bus_days >= 1

    # motoboys: 30+ short stops on an ordinary weekday; commuters a handful
    def daily_stops(k):
        g = by_id[k]
        dt = g["local"].diff().dt.total_seconds().to_numpy()
        d = dist_m(g["lat"].shift(), g["lon"].shift(), g["lat"], g["lon"])
        stop = (dt >= 100) & (dt < 3600) & (d < 300)
        wd = g["local"].dt.day_of_week.to_numpy()
        ok = (wd < 5) & (wd != vehicles[k]["rodizio_weekday"]) & ~date[k].isin(holidays)
        return pd.Series(stop[ok]).groupby(date[k].to_numpy()[ok]).sum()

    moto = [k for k in of("motoboy") if vehicles[k]["source"] == "rastreamento.csv"]
    assert moto
    for k in moto:
        assert daily_stops(k).median() >= 30, k
    for k in of("commuter_centro"):
        if vehicles[k]["device"] == "rastreador":
            assert daily_stops(k).median() <= 8, k

    # factory shifts: at the factory at 02:00 exactly in its night-shift weeks, else at home
    nights = {"factory": 0, "home": 0}
    for k in of("factory_shift"):
        v, g = vehicles[k], by_id[k]
        t = g["local"].to_numpy()
        for d in range(1, 28):
            prev = pd.Timestamp("2026-04-20") + pd.Timedelta(days=d - 1)
            if prev.weekday() >= 5 or prev.strftime("%Y-%m-%d") in holidays:
                continue
            at = np.datetime64(prev + pd.Timedelta(hours=26))
            i = np.searchsorted(t, at)
            if i == 0 or i == len(t):
                continue
            where = []
            for j in (i - 1, i):
                lat, lon = g["lat"].iloc[j], g["lon"].iloc[j]
                where.append("factory" if dist_m(lat, lon, *v["work"]) < 300 else
                             "home" if dist_m(lat, lon, *v["home"]) < 300 else "?")
            expect = "factory" if v["shift_by_week"][(d - 1) // 7] == "22-06" else "home"
            assert where == [expect, expect], (k, str(prev))
            nights[expect] += 1
    assert nights["factory"] >= 1 and nights["home"] >= 1

    # the coast: the holiday weekend (1-3 May) at the beach house, never at the coast otherwise
    went = 0
    for k in of("coast_family"):
        v, g = vehicles[k], by_id[k]
        coast = g["lat"] < -23.85
        hol = g["local"].between(pd.Timestamp("2026-05-01"), pd.Timestamp("2026-05-04"))
        assert not (coast & ~hol).any(), k
        i = np.searchsorted(g["local"].to_numpy(), np.datetime64("2026-05-02T03:00"))
        assert dist_m(g["lat"].iloc[i - 1], g["lon"].iloc[i - 1], *v["coast_place"]) < 500, k
        went += 1
    assert went >= 1


def test_faults_in_files_as_truth_says(fleet):
    truth = json.loads((fleet / "truth.json").read_text(encoding="utf-8"))
    f = truth["faults"]
    df = read_csv(fleet)
    ids = set(pd.read_csv(fleet / "vehicles.csv")["vehicle_id"])

    # plate change: old plate up to the switch, Mercosul plate from it, one vehicle id
    pc = f["plate_change"]
    old, new = pc["old_plate"], pc["new_plate"]
    assert re.fullmatch(r"[A-Z]{3}-\d{4}", old) and re.fullmatch(r"[A-Z]{3}\d[A-Z]\d\d", new)
    assert new == old[:3] + old[4] + "ABCDEFGHIJ"[int(old[5])] + old[6:]
    assert old in ids and new not in ids
    switch = pd.Timestamp(pc["switch_local"])
    t_old = pd.to_datetime(df.loc[df["placa"] == old, "data_hora"], format="%d/%m/%Y %H:%M:%S")
    t_new = pd.to_datetime(df.loc[df["placa"] == new, "data_hora"], format="%d/%m/%Y %H:%M:%S")
    assert len(t_old) and len(t_new) and t_old.max() < switch <= t_new.min()

    # month/day swapped: that device's first field never exceeds 12, its second does
    sw = f["month_day_swapped"]["vehicle_id"]
    a = df["data_hora"].str[:2].astype(int)
    b = df["data_hora"].str[3:5].astype(int)
    mine = df["placa"] == sw
    assert mine.any() and (a[mine] <= 12).all() and (b[mine] > 12).any()
    assert (b[~mine] <= 12).all() and (a[~mine] > 12).any()

    # lat/lon swapped on one local day of one vehicle, nowhere else
    ll = f["latlon_swapped"]
    day = pd.Timestamp(ll["local_date"]).strftime("%d/%m/%Y")
    flipped = df["latitude"] < -40
    target = (df["placa"] == ll["vehicle_id"]) & (df["data_hora"].str[:10] == day)
    assert target.any() and (flipped == target).all()
    assert df.loc[target, "longitude"].between(-24.1, -22.7).all()

    # knots: reported speed / speed implied by the fixes ~ 1/1.852 on that vehicle only
    def ratio(plate):
        g = df[df["placa"] == plate].drop_duplicates()
        t = pd.to_datetime(g["data_hora"], format="%d/%m/%Y %H:%M:%S")
        dt = t.diff().dt.total_seconds().to_numpy()[1:]
        d = dist_m(g["latitude"].to_numpy()[1:], g["longitude"].to_numpy()[1:],
                   g["latitude"].to_numpy()[:-1], g["longitude"].to_numpy()[:-1])
        v = g["velocidade"].to_numpy()
        vbar = (v[1:] + v[:-1]) / 2
        ok = (dt > 5) & (dt < 90) & (vbar > 15) & (d > 50)
        return np.median(vbar[ok] / (d[ok] / dt[ok] * 3.6))

    kn = f["speed_knots"]["vehicle_id"]
    assert 0.45 < ratio(kn) < 0.62
    normal = [k for k, v in truth["vehicles"].items() if v["device"] == "rastreador"
              and v["source"] == "rastreamento.csv" and k not in faulty(truth)]
    assert all(0.85 < ratio(k) < 1.2 for k in normal[:4])

    # jamming: no fix inside each recorded window, the fix resumes far away
    assert f["jamming"]
    for j in f["jamming"]:
        g = df[df["placa"] == j["vehicle_id"]]
        t = pd.to_datetime(g["data_hora"], format="%d/%m/%Y %H:%M:%S")
        s, e = pd.Timestamp(j["start_local"]), pd.Timestamp(j["end_local"])
        assert not ((t > s) & (t < e)).any()
        before, after = g[t < s].iloc[-1], g[t >= e].iloc[0]
        assert (t[t >= e].iloc[0] - t[t < s].iloc[-1]) >= pd.Timedelta(minutes=10)
        km = dist_m(before["latitude"], before["longitude"], after["latitude"],
                    after["longitude"]) / 1000
        assert km > 1.0 and abs(km - j["gap_km"]) < 0.1

    # duplicates: exactly the recorded count of repeated rows, each right after its original
    dup = df.duplicated(keep="first")
    assert f["duplicates"]["rows"] > 0 and dup.sum() == f["duplicates"]["rows"]
    assert (df[dup].index - 1).isin(df.index).all()
    assert (df.shift()[dup] == df[dup]).all().all()
