"""bench/fleets/channel.py: seeded, and its files carry what its docstring says (bakers at the
bakery at 02:00, lorries away on weeknights, an event-only box silent while parked, a tracker
that truncates to 3 decimals; a French export with semicolons, decimal commas and naive Paris
stamps through the repeated hour, GPS week rollover, UTC written as local time, duplicates, a
re-registered car, hostile ids)."""
import csv
import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "fleets"))
import channel  # noqa: E402

FILES = ("uk_pings.csv", "fr_pings.csv", "labels.csv", "vehicles.csv", "truth.json")


def _km(lat0, lon0, lat1, lon1):
    return channel.hav_km(lat0, lon0, lat1, lon1)


def _epoch(stamps: pd.Series) -> pd.Series:
    """UTC epoch seconds (float, NaN for NaT), whatever the stamps' resolution."""
    return (stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)


def _read(out: Path) -> pd.DataFrame:
    """Both ping files as an outside reader would parse them: UTC epoch seconds `t` (NaN for a
    naive stamp in the repeated hour), the raw text kept, duplicates kept, file order kept."""
    uk = pd.read_csv(out / "uk_pings.csv", dtype=str, keep_default_na=False)
    uk["t"] = _epoch(pd.to_datetime(uk["timestamp"], format="%Y-%m-%dT%H:%M:%SZ", utc=True))
    uk = uk.rename(columns={"timestamp": "stamp", "speed_kmh": "speed"})
    uk["file"] = "uk"
    fr = pd.read_csv(out / "fr_pings.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    fr = fr.rename(columns={"immatriculation": "vehicle_id", "horodatage": "stamp", "latitude": "lat",
                            "longitude": "lon", "vitesse": "speed"})
    local = pd.to_datetime(fr["stamp"], format="%d/%m/%Y %H:%M:%S")
    aware = local.dt.tz_localize("Europe/Paris", ambiguous="NaT", nonexistent="NaT")
    fr["t"] = _epoch(aware)
    fr["file"] = "fr"
    df = pd.concat([uk, fr], ignore_index=True)
    df["raw_lat"], df["raw_lon"] = df["lat"], df["lon"]
    for c in ("lat", "lon", "speed"):
        df[c] = df[c].str.replace(",", ".").astype(float)
    return df


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = tmp_path_factory.mktemp("channel")
    f = channel.build_fleet(vehicles=40, days=14, seed=3)
    channel.write_fleet(f, out)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    return out, f, truth, _read(out)


def _at(day: date, hour: float, zone: str) -> int:
    """UTC seconds of a local wall time (the first one, in a repeated hour)."""
    ts = pd.Timestamp(day) + pd.Timedelta(hours=hour)
    return int(ts.tz_localize(zone, ambiguous=True).timestamp())


def _last_fix(rows: pd.DataFrame, t: int):
    """(lat, lon) of the last fix at or before t (rows sorted by t), None if there is none."""
    j = np.searchsorted(rows["t"].to_numpy(), t, side="right") - 1
    return None if j < 0 else (rows["lat"].iat[j], rows["lon"].iat[j])


def _clean(pings: pd.DataFrame, vid: str) -> pd.DataFrame:
    """One vehicle's fixes with a readable, plausible stamp, in time order, without duplicates."""
    r = pings[(pings["vehicle_id"] == vid) & pings["t"].notna()].drop_duplicates()
    r = r[r["t"] > 1.7e9]  # not the 2007 (rollover) stamps
    return r.sort_values("t", kind="stable")


def test_the_same_arguments_write_the_same_files(tmp_path):
    a = channel.write_channel_fleet(tmp_path / "a", vehicles=12, days=7, seed=5)
    b = channel.write_channel_fleet(tmp_path / "b", vehicles=12, days=7, seed=5)
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    c = channel.write_channel_fleet(tmp_path / "c", vehicles=12, days=7, seed=6)
    for name in FILES:
        assert (c / name).read_bytes() != (a / name).read_bytes(), name


def test_the_kinds_and_devices_show_in_the_files(fleet):
    out, f, truth, pings = fleet
    vt = truth["vehicles"]
    start = date.fromisoformat(truth["window"]["start_utc"][:10])
    days = truth["window"]["days"]
    healthy = {v: t for v, t in vt.items() if not t["faults"]}
    kinds = {t["kind"] for t in vt.values()}
    assert kinds == set(channel.KIND_SHARES)
    assert {t["device"] for t in vt.values()} == {"event_box", "obd_1hz", "phone_app", "tracker_3dp"}
    lons = pings.loc[pings["file"] == "uk", "lon"]
    assert (lons < -0.2).any() and (lons.between(0.05, 0.3)).any()  # both sides of Greenwich

    # bakers: at the bakery at 02:00 on most workdays, not at 14:00
    night = day = n = 0
    for vid, t in healthy.items():
        if t["kind"] != "baker":
            continue
        rows = _clean(pings, vid)
        for d in range(1, days):
            dt = start + timedelta(days=d)
            if dt.weekday() in t["days_off"]:
                continue
            n += 1
            for hour, where in ((2.0, "night"), (14.0, "day")):
                fix = _last_fix(rows, _at(dt, hour, t["tz"]))
                at_work = fix is not None and _km(*fix, *t["work"]) < 0.3
                night += at_work and where == "night"
                day += at_work and where == "day"
    assert n >= 10
    assert night >= 0.8 * n and day <= 0.2 * n, (night, day, n)

    # lorry drivers: away from home on most weeknights (Mon-Thu), home on Friday and Saturday
    # nights, and across the channel at some point
    away = home = nw = nh = 0
    for vid, t in healthy.items():
        if t["kind"] != "lorry":
            continue
        rows = _clean(pings, vid)
        side = rows.apply(lambda r: channel.uk_side(r["lat"], r["lon"]), axis=1)
        assert side.any() and (~side).any(), vid
        for d in range(1, days):
            dt = start + timedelta(days=d)
            fix = _last_fix(rows, _at(dt, 2.0, t["tz"]))
            if fix is None:
                continue
            far = _km(*fix, *t["home"]) > 5
            if dt.weekday() in (1, 2, 3, 4):
                nw, away = nw + 1, away + far
            elif dt.weekday() in (5, 6):
                nh, home = nh + 1, home + (not far)
    assert nw >= 8 and away >= 0.6 * nw, (away, nw)
    assert nh >= 4 and home >= 0.6 * nh, (home, nh)

    # students: far from the flat (at their parents', 80-150 km) on most of the nights said so
    sn = sp = 0
    for vid, t in healthy.items():
        if t["kind"] != "student":
            continue
        assert 70 <= _km(*t["parents"], *t["home"]) <= 160
        rows = _clean(pings, vid)
        for iso in t["nights_at_parents"]:
            dt = date.fromisoformat(iso) + timedelta(days=1)
            fix = _last_fix(rows, _at(dt, 3.0, t["tz"]))
            if fix is not None:
                sn, sp = sn + 1, sp + (_km(*fix, *t["parents"]) < 3)
    assert sn >= 3 and sp >= 0.7 * sn, (sp, sn)

    # car-club cars have no home and no work
    assert all(t["home"] is None and t["work"] is None for t in vt.values() if t["kind"] == "car_club")

    # the event-only box: fixes at ignition on/off and while driving, none while parked
    index = {v.vid: v.i for v in f.vehicles}
    rr = truth["faults"]["reregistered"]
    if rr:
        index[rr["new"]] = index[rr["old"]]
    boxes = [v for v, t in healthy.items() if t["device"] == "event_box"]
    assert len(boxes) >= 3
    for vid in boxes:
        rows = _clean(pings, vid)
        st = f.stays
        m = st["v"] == index[vid]
        arr, dep = st["arr"][m], st["dep"][m]
        t = rows["t"].to_numpy()
        j = np.searchsorted(arr, t, side="right") - 1
        inside = (j >= 0) & (t > arr[np.maximum(j, 0)] + 1) & (t < dep[np.maximum(j, 0)] - 1)
        assert not inside.any(), (vid, rows[inside].head())
        assert len(rows) > 50
    # ... while the OBD dongle and the tracker do send fixes while parked, the dongle 1 Hz
    for vid, t in healthy.items():
        rows = _clean(pings, vid)
        gaps = np.diff(rows["t"].to_numpy())
        moving = (rows["speed"].to_numpy()[1:] > 0) & (rows["speed"].to_numpy()[:-1] > 0)
        if t["device"] == "obd_1hz":
            assert np.median(gaps[moving]) == 1, vid
        if t["device"] == "phone_app" and moving.sum() > 20:
            g = gaps[moving]
            assert g.min() >= 4 and np.quantile(g, 0.98) <= 61 and g.std() > 8, vid

    # the tracker truncates to 3 decimals; every other device writes 6
    dev = pings["vehicle_id"].map(lambda v: vt[v]["device"])
    three = re.compile(r"^-?\d+[.,]\d{3}$")
    six = re.compile(r"^-?\d+[.,]\d{6}$")
    trk = dev == "tracker_3dp"
    assert trk.sum() > 1000
    for col in ("raw_lat", "raw_lon"):
        assert pings.loc[trk, col].str.match(three).all()
        assert pings.loc[~trk, col].str.match(six).all()
    # ... truncated toward zero, not rounded: line up a tracker's rows (adjacent copies dropped)
    # with the simulated positions
    vid = next(v for v, t in healthy.items() if t["device"] == "tracker_3dp")
    rows = pings[pings["vehicle_id"] == vid]
    rows = rows[(rows.shift() != rows).any(axis=1)]
    m = f.pings["v"] == index[vid]
    assert len(rows) == m.sum()
    for col in ("lat", "lon"):
        true = f.pings[col][m]
        assert np.allclose(rows[col], np.trunc(true * 1000) / 1000, atol=1e-9)
        assert not np.allclose(rows[col], np.round(true, 3), atol=1e-9)


def test_the_faults_are_in_the_files(fleet):
    out, f, truth, pings = fleet
    vt = truth["vehicles"]
    faults = truth["faults"]
    t0 = pd.Timestamp(truth["window"]["start_utc"]).timestamp()
    t1 = pd.Timestamp(truth["window"]["end_utc"]).timestamp()

    # the French exporter: BOM, CRLF, semicolons, decimal commas, day-first naive stamps
    raw = (out / "fr_pings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfimmatriculation;horodatage;latitude;longitude;vitesse\r\n")
    fr = pings[pings["file"] == "fr"]
    for col in ("raw_lat", "raw_lon"):
        assert fr[col].str.match(r"^-?\d+,\d+$").all()
    assert fr["stamp"].str.match(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$").all()
    assert (fr["stamp"].str[:2].astype(int) > 12).any()  # day first, not month first
    uk = pings[pings["file"] == "uk"]
    assert uk["stamp"].str.endswith("Z").all()
    assert uk["speed"].max() > 90  # km/h, not m/s

    # the repeated hour: naive Paris stamps 25/10/2026 02:xx, running backwards for some vehicle
    rep = fr["stamp"].str.startswith("25/10/2026 02:")
    assert rep.sum() == truth["files"]["fr_pings.csv"]["repeated_hour"]["rows"] > 0
    backwards = 0
    for _vid, rows in fr[rep].groupby("vehicle_id"):
        s = pd.to_datetime(rows["stamp"], format="%d/%m/%Y %H:%M:%S").to_numpy()
        backwards += bool((np.diff(s) < np.timedelta64(0, "s")).any())
    assert backwards >= 1
    assert truth["files"]["fr_pings.csv"]["repeated_hour"]["second_pass_CET"] > 0

    # GPS week rollover: stamps in 2007 exactly 1024 weeks early, only for the vehicles said so
    y2007 = pings["stamp"].str.contains("2007")
    rolled = {r["vehicle_id"] for r in faults["gps_week_rollover"]}
    assert y2007.any() and set(pings.loc[y2007, "vehicle_id"]) == rolled
    ukr = pings[y2007 & (pings["file"] == "uk")]
    assert len(ukr) > 0
    back = ukr["t"] + channel.ROLLOVER_S
    assert back.between(t0, t1).all()
    for r in faults["gps_week_rollover"]:
        m = ukr["vehicle_id"] == r["vehicle_id"]
        lo, hi = pd.Timestamp(r["from_utc"]).timestamp(), pd.Timestamp(r["until_utc"]).timestamp()
        assert back[m].between(lo, hi - 1).all()

    # UTC written as local time by ~8% of the French devices: the stamps are the UTC wall clock
    n_fr = sum(t["country"] == "FR" for t in vt.values())
    bad = faults["utc_as_local"]
    assert len(bad) == max(1, round(0.08 * n_fr))
    idx = {v.vid: v.i for v in f.vehicles}
    good = [v for v, t in vt.items() if t["country"] == "FR" and not t["faults"]][:3]
    for vid in bad + good:
        true_t = f.pings["t"][(f.pings["v"] == idx[vid]) & ~f.meta["roll_mask"]]
        utc = pd.to_datetime(true_t, unit="s").strftime("%d/%m/%Y %H:%M:%S")
        paris = pd.to_datetime(true_t, unit="s", utc=True).tz_convert("Europe/Paris").strftime(
            "%d/%m/%Y %H:%M:%S")
        written = set(fr.loc[fr["vehicle_id"] == vid, "stamp"])
        assert len(written) > 20
        in_utc = len(written & set(utc)) / len(written)
        in_paris = len(written & set(paris)) / len(written)
        if vid in bad:
            assert in_utc > 0.95 and in_paris < 0.5, (vid, in_utc, in_paris)
        else:
            assert in_paris > 0.95 and in_utc < 0.5, (vid, in_utc, in_paris)

    # ~1% exact duplicate rows in each file
    for name in ("uk_pings.csv", "fr_pings.csv"):
        lines = (out / name).read_text(encoding="utf-8-sig").splitlines()[1:]
        dup = len(lines) - len(set(lines))
        assert dup == truth["files"][name]["duplicate_rows"]
        assert 0.005 * len(lines) < dup < 0.02 * len(lines), (name, dup, len(lines))

    # the re-registered car: the old id stops, the new one goes on from where the car stood
    rr = faults["reregistered"]
    assert rr and vt[rr["old"]]["reregistered_as"] == rr["new"] and vt[rr["new"]]["same_car_as"] == rr["old"]
    sw = pd.Timestamp(rr["at_utc"]).timestamp()
    old, new = _clean(pings, rr["old"]), _clean(pings, rr["new"])
    assert len(old) > 10 and len(new) > 10
    assert old["t"].max() < sw <= new["t"].min()
    assert _km(old["lat"].iat[-1], old["lon"].iat[-1], new["lat"].iat[0], new["lon"].iat[0]) < 1.0
    with open(out / "vehicles.csv", encoding="utf-8", newline="") as fh:
        meta = {r["vehicle_id"]: r for r in csv.DictReader(fh)}
    assert meta[rr["new"]]["previous_registration"] == rr["old"] and rr["old"] not in meta

    # hostile ids, written verbatim (quoted where the separator needs it) in every file
    ids = set(pings["vehicle_id"])
    for needle in ("'", "é", "<script>", ", ", " "):
        assert any(needle in v for v in ids), needle
    assert any(v != v.strip() for v in ids)  # a trailing space
    assert set(faults["hostile_ids"]) <= ids and set(faults["hostile_ids"]) <= set(meta)
    assert set(ids) <= set(vt)
