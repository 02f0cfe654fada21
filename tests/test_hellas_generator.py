"""The synthetic Greek fleet "hellas" (bench/fleets/hellas.py), read back the way an importer would:
the Windows-1253 CSV with pandas, the Parquet with pyarrow/pandas, truth.json with json."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GEN = Path(__file__).resolve().parents[1] / "bench" / "fleets" / "hellas.py"
TZ = "Europe/Athens"
SMALL = dict(vehicles=14, days=10)


def _generator():
    spec = importlib.util.spec_from_file_location("hellas_fleet_generator", GEN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.write_hellas_fleet


def _m(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))


def _read(folder: Path):
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    a_path = next(folder.glob("istoriko_kiniseon_*.csv"))
    b_path = next(folder.glob("fmb_messages_*.parquet"))
    a = pd.read_csv(a_path, sep=";", decimal=",", encoding="cp1253", skiprows=3,
                    dtype={"Αρ. Κυκλοφορίας": str})
    a["naive"] = pd.to_datetime(a["Ημερομηνία"] + " " + a["Ώρα"], format="%d/%m/%Y %H:%M:%S")
    b = pd.read_parquet(b_path)
    return truth, a, b


def _clean_pings(truth, a, b):
    """All fixes as (vid, local naive time, lat, lon), repaired with the conventions of the docstring."""
    f = truth["faults"]
    alias = {e["alias"]: e["vehicle_id"] for e in f["latin_plate_alias"]}
    a = a.copy()
    a["vid"] = a["Αρ. Κυκλοφορίας"].map(lambda x: alias.get(x, x))
    local = a["naive"].copy()
    old = local.dt.year == 2004
    local[old] = local[old] + pd.Timedelta(days=7168)
    slow = a["vid"].isin([e["vehicle_id"] for e in f["clock_fixed_utc_plus2"]])
    local[slow] = local[slow] + pd.Timedelta(hours=1)
    pa_ = pd.DataFrame({"vid": a["vid"], "t": local, "lat": a["Γεωγρ. Πλάτος"], "lon": a["Γεωγρ. Μήκος"]})
    pa_ = pa_[(pa_["lat"] != 0) | (pa_["lon"] != 0)]
    b = b.drop_duplicates(["unit", "gps_time", "latitude", "longitude"])
    pb = pd.DataFrame({"vid": b["unit"], "t": b["gps_time"].dt.tz_convert(TZ).dt.tz_localize(None),
                       "lat": b["latitude"], "lon": b["longitude"]})
    return pd.concat([pa_, pb], ignore_index=True).sort_values(["vid", "t"], kind="stable")


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = _generator()(tmp_path_factory.mktemp("hellas") / "fleet", seed=0, **SMALL)
    return folder, *_read(folder)


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    write = _generator()
    one = write(tmp_path / "one", seed=5, vehicles=10, days=7)
    two = write(tmp_path / "two", seed=5, vehicles=10, days=7)
    other = write(tmp_path / "other", seed=6, vehicles=10, days=7)
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    assert {"labels.csv", "vehicles.csv", "truth.json"} <= set(names)
    assert any(n.endswith(".csv") and n.startswith("istoriko") for n in names)
    assert any(n.endswith(".parquet") for n in names)
    for n in names:
        assert (one / n).read_bytes() == (two / n).read_bytes(), n
    differs = [n for n in names if (one / n).read_bytes() != (other / n).read_bytes()]
    assert {n for n in names if n.startswith(("istoriko", "fmb_"))} <= set(differs)


def test_truth_agrees_with_the_pings(fleet):
    folder, truth, a, b = fleet
    assert truth["tz"] == TZ
    pings = _clean_pings(truth, a, b)
    vehicles = truth["vehicles"]
    assert set(pings["vid"].unique()) == set(vehicles)
    ids_a = set(a["Αρ. Κυκλοφορίας"]) - {e["alias"] for e in truth["faults"]["latin_plate_alias"]}
    assert ids_a.isdisjoint(set(b["unit"]))  # every vehicle in one ping file
    assert ids_a | set(b["unit"]) == set(vehicles)
    days = SMALL["days"]
    nights = pd.date_range("2024-04-22 03:00", periods=days, freq="D")
    home_share = {}
    for vid, e in vehicles.items():
        p = pings[pings["vid"] == vid]
        t = p["t"].to_numpy()
        # where the car is at 03:00 local: its last fix before, if no more than 3 h old
        i = np.searchsorted(t, nights.to_numpy(), side="right") - 1
        ok = (i >= 0) & ((nights.to_numpy() - t[np.maximum(i, 0)]) < np.timedelta64(3, "h"))
        at = p.iloc[i[ok]]
        unplugged = vid in {u["vehicle_id"] for u in truth["faults"]["device_unplugged"]}
        # nights on a ship with no fix on board (platform A writes nothing at sea) have no position
        dark = len(e.get("ferry_crossings", []))
        assert len(at) >= (days // 2 if unplugged else days - 3 - dark), vid
        if e["home"] is None:
            assert e["kind"] == "rental_tourist" and e["work"] is None
            continue
        near_home = _m(at["lat"].to_numpy(), at["lon"].to_numpy(), *e["home"]) < 300
        share = near_home.mean()
        home_share[vid] = share
        shifts = e["kind"] in ("hospital_nurse_nights", "port_shift_worker")
        if e["work"] is not None:
            near_work = _m(at["lat"].to_numpy(), at["lon"].to_numpy(), *e["work"]) < 300
            assert share >= near_work.mean() if shifts else share > near_work.mean(), vid
            # the work place is visited on many days (shift workers have weekdays off too)
            hit = _m(p["lat"].to_numpy(), p["lon"].to_numpy(), *e["work"]) < 300
            visited = p.loc[hit, "t"].dt.normalize().nunique() / days
            assert visited >= 0.3, (vid, e["kind"], visited)
        assert share >= (0.4 if shifts else 0.6), (vid, e["kind"], share)
    assert np.median(list(home_share.values())) >= 0.8
    # ferries: 'open' crossings have fixes over the sea, 'none' crossings none (A) or frozen ones (B)
    quay = {"piraeus": (37.9445, 23.6395), "syros": (37.4425, 24.9415), "paros": (37.0865, 25.1490),
            "heraklion": (35.3440, 25.1420), "souda": (35.4885, 24.0760)}
    gaps = {u["vehicle_id"]: (u["from_utc"], u["to_utc"]) for u in truth["faults"]["device_unplugged"]}
    for vid, e in vehicles.items():
        for c in e.get("ferry_crossings", []):
            if vid in gaps and gaps[vid][0] < c["arrive_utc"] and c["depart_utc"] < gaps[vid][1]:
                continue  # tracker unplugged during the crossing
            t0 = pd.Timestamp(c["depart_utc"]).tz_convert(TZ).tz_localize(None) + pd.Timedelta(minutes=30)
            t1 = pd.Timestamp(c["arrive_utc"]).tz_convert(TZ).tz_localize(None) - pd.Timedelta(minutes=30)
            p = pings[(pings["vid"] == vid) & (pings["t"] > t0) & (pings["t"] < t1)]
            off = np.minimum(_m(p["lat"].to_numpy(), p["lon"].to_numpy(), *quay[c["from"]]),
                             _m(p["lat"].to_numpy(), p["lon"].to_numpy(), *quay[c["to"]]))
            if c["gps_on_board"] == "open":
                assert (off > 5000).sum() >= 2, (vid, c)
            else:
                assert (off > 1000).sum() == 0, (vid, c)
    # labels: a few tens of metres off the truth, except the listed wrong ones
    labels = pd.read_csv(folder / "labels.csv", encoding="utf-8", dtype={"vehicle_id": str})
    assert list(labels.columns) == ["vehicle_id", "label", "lat", "lon"]
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    assert wrong and wrong <= set(zip(labels["vehicle_id"], labels["label"]))
    for r in labels.itertuples():
        place = vehicles[r.vehicle_id][r.label]
        assert place is not None
        d = _m(r.lat, r.lon, *place)
        assert (d > 500) if (r.vehicle_id, r.label) in wrong else (d < 100), (r, d)
    assert 0.5 <= labels["vehicle_id"].nunique() / len(vehicles) <= 0.95
    meta = pd.read_csv(folder / "vehicles.csv", encoding="utf-8", dtype=str)
    assert set(meta["vehicle_id"]) == set(vehicles)
    assert not {"kind", "label"} & set(meta.columns)


def test_planted_faults_are_in_the_files(fleet):
    folder, truth, a, b = fleet
    f = truth["faults"]
    for k in ("latin_plate_alias", "clock_fixed_utc_plus2", "gps_week_rollover", "zero_coordinates",
              "device_unplugged", "resent_duplicates", "backlog_newest_first", "position_spikes"):
        assert f[k], k
    plate = a["Αρ. Κυκλοφορίας"]
    # A1: the Latin look-alike plate from a local midnight on; the Greek one only before it
    for e in f["latin_plate_alias"]:
        assert e["alias"] != e["vehicle_id"] and e["alias"].isascii() and not e["vehicle_id"].isascii()
        frm = pd.Timestamp(e["from_local"])
        al = a[plate == e["alias"]]
        gr = a[plate == e["vehicle_id"]]
        assert len(al) == e["rows_with_alias"] > 0
        assert al["naive"].min() >= frm and gr["naive"].max() < frm
    # A2: wall clock one hour behind Athens summer time (UTC+2 instead of UTC+3)
    for e in f["clock_fixed_utc_plus2"]:
        rows = a[plate == e["vehicle_id"]]
        assert len(rows) == e["rows"]
        first = rows.iloc[0]
        assert f"{first['Ημερομηνία']} {first['Ώρα']}" == e["first_fix_written"]
        utc = pd.Timestamp(e["first_fix_utc"]).tz_localize(None)
        assert first["naive"] - utc == pd.Timedelta(hours=2)
    # A3: GPS week roll-over, dates 7168 days early
    wnro = {e["vehicle_id"]: e for e in f["gps_week_rollover"]}
    year = a["naive"].dt.year
    assert set(a.loc[year < 2024, "Αρ. Κυκλοφορίας"]) == set(wnro)
    for vid, e in wnro.items():
        old = a[(plate == vid) & (year == 2004)]
        assert len(old) == e["rows_shifted"] > 0
        assert old["naive"].min() >= pd.Timestamp("2024-04-21") - pd.Timedelta(days=7168)
        if e["firmware_fixed_utc"] is None:
            assert (year[plate == vid] == 2004).all()
    # A4: 0,000000 / 0,000000 rows
    zero = a[(a["Γεωγρ. Πλάτος"] == 0) & (a["Γεωγρ. Μήκος"] == 0)]
    assert zero.groupby("Αρ. Κυκλοφορίας").size().to_dict() == {e["vehicle_id"]: e["rows"]
                                                                  for e in f["zero_coordinates"]}
    assert (zero["Δορυφόροι"] == 0).all() and (zero["Ταχύτητα (χλμ/ώρα)"] == 0).all()
    # A5/B5: no fix inside the unplugged interval
    files = {"A": set(plate), "B": set(b["unit"])}
    for e in f["device_unplugged"]:
        t0 = pd.Timestamp(e["from_utc"])
        t1 = pd.Timestamp(e["to_utc"])
        assert e["rows_removed"] > 0
        if e["vehicle_id"] in files["B"]:
            g = b[b["unit"] == e["vehicle_id"]]["gps_time"]
            assert not ((g >= t0) & (g < t1)).any()
        else:
            loc = a[plate == e["vehicle_id"]]["naive"].dt.tz_localize(TZ, ambiguous="NaT")
            assert not ((loc >= t0) & (loc < t1)).any()
            assert ((loc < t0).any()) and ((loc >= t1).any())
    # B1: re-sent copies, identical except server_time
    key = ["unit", "gps_time", "latitude", "longitude"]
    dup = b[b.duplicated(key)]
    want = {e["vehicle_id"]: e["rows"] for e in f["resent_duplicates"]}
    assert dup.groupby("unit").size().to_dict() == want
    full = ["unit", "gps_time", "latitude", "longitude", "speed_kmh", "satellites", "ignition"]
    assert b.duplicated(full).sum() == len(dup)
    # B2: batches sent newest first -> gps_time runs backwards in file order
    nodup = b.drop_duplicates(key)
    back = {}
    for unit, g in nodup.groupby("unit", sort=True):
        n = int((g["gps_time"].diff().dt.total_seconds() < 0).sum())
        if n:
            back[unit] = n
    assert back == {e["vehicle_id"]: e["rows_out_of_order"] for e in f["backlog_newest_first"]}
    late = (nodup["server_time"] - nodup["gps_time"]) > pd.Timedelta(minutes=10)
    assert set(nodup.loc[late, "unit"]) >= set(back)
    # B3: single fixes thrown kilometres away from both neighbours
    srt = nodup.sort_values(["unit", "gps_time"], kind="stable").reset_index(drop=True)
    for e in f["position_spikes"]:
        t = pd.Timestamp(e["gps_time_utc"])
        i = srt.index[(srt["unit"] == e["vehicle_id"]) & (srt["gps_time"] == t)]
        assert len(i) == 1, e
        i = int(i[0])
        r = srt.loc[i]
        assert abs(r["latitude"] - e["lat"]) < 1e-6 and abs(r["longitude"] - e["lon"]) < 1e-6
        assert r["satellites"] <= 4 and r["hdop"] >= 6
        for j in (i - 1, i + 1):
            nb = srt.loc[j]
            assert nb["unit"] == e["vehicle_id"]
            assert _m(r["latitude"], r["longitude"], nb["latitude"], nb["longitude"]) > 1500, e
