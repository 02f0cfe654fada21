"""bench/fleets/gulf.py, the seventh generator: seeded, and its files carry what its docstring
says (a Friday-Saturday weekend, Ramadan nights out, duplicates, multipath, empty fields, a
clock three hours off)."""
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "fleets"))
import gulf  # noqa: E402


def _metres(lat, lon, where):
    return np.hypot((lat - where[0]) * gulf.M, (lon - where[1]) * gulf.M * gulf.COS)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = gulf.write_gulf_fleet(tmp_path_factory.mktemp("gulf"), vehicles=20, days=26, seed=1)
    truth = json.loads((out / "truth.json").read_text())["vehicles"]
    pings = pd.read_csv(out / "pings.csv")
    assert pings["timestamp"].str.endswith("+03:00").all()
    # the written local clock, as an analyst would read it
    local = pd.to_datetime(pings["timestamp"].str[:19])
    pings["t"] = (local - pd.Timestamp("2026-03-05")).dt.total_seconds().to_numpy()
    pings["kind"] = pings["vehicle_id"].map(lambda v: truth[v]["kind"])
    return out, truth, pings


def test_the_same_arguments_write_the_same_files(tmp_path):
    a = gulf.write_gulf_fleet(tmp_path / "a", vehicles=8, days=7, seed=3)
    b = gulf.write_gulf_fleet(tmp_path / "b", vehicles=8, days=7, seed=3)
    for name in ("pings.csv", "labels.csv", "vehicles.csv", "truth.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    c = gulf.write_gulf_fleet(tmp_path / "c", vehicles=8, days=7, seed=4)
    assert (c / "pings.csv").read_bytes() != (a / "pings.csv").read_bytes()


def test_a_friday_saturday_weekend_and_ramadan_nights_out(fleet):
    out, truth, pings = fleet
    clean = pings[pings["vehicle_id"].map(lambda v: not truth[v]["clock_fault_days"])]
    day = (clean["t"] // 86400).astype(int)
    weekday = (pd.Timestamp("2026-03-05") + pd.to_timedelta(day, "D")).dt.day_name()
    eid = day.between(15, 18)  # 20-23 March

    # office workers: at work on Sundays, never on Fridays, nor on Saturdays (bar the private
    # sector's Saturday mornings)
    at_work = pd.Series(False, index=clean.index)
    for v, t in truth.items():
        if t["kind"] in ("government", "private", "expat_compound"):
            mine = clean["vehicle_id"] == v
            at_work[mine] = _metres(clean["lat"][mine], clean["lon"][mine], t["work"]) < 250
    office = clean["kind"].isin(["government", "private", "expat_compound"]) & ~eid
    days = pd.DataFrame({"v": clean["vehicle_id"], "day": day, "wd": weekday,
                         "kind": clean["kind"], "at": at_work})[office]
    per_day = days.groupby(["v", "day", "wd", "kind"])["at"].any().reset_index()
    share = per_day.groupby("wd")["at"].mean()
    assert per_day["wd"].eq("Friday").sum() >= 10
    assert share["Sunday"] > .8 and share["Tuesday"] > .8
    assert share["Friday"] < .1
    saturday = per_day[(per_day["wd"] == "Saturday") & (per_day["kind"] != "private")]
    assert len(saturday) >= 10 and saturday["at"].mean() < .1

    # Ramadan (to 19 March, days 0-14): out at 02:00 on a good share of nights; after Eid
    # (days 19+) home. Where the car stood at 02:00: its last fix in the two hours before.
    nights = {"ramadan": [], "after": []}
    parked = [v for v, t in truth.items() if t["device"] != "ignition" and not t["clock_fault_days"]
              and t["kind"] in ("government", "private", "family", "student", "driver")]
    assert len(parked) >= 6
    for v in parked:
        mine = clean[(clean["vehicle_id"] == v) & clean["lat"].notna() & clean["lon"].notna()]
        t = mine["t"].to_numpy()
        away = _metres(mine["lat"].to_numpy(), mine["lon"].to_numpy(), truth[v]["home"]) > 300
        for d in range(1, 26):
            at = d * 86400 + 2 * 3600
            i = np.searchsorted(t, at, side="right") - 1
            if i >= 0 and at - t[i] < 7200:
                if d <= 14:
                    nights["ramadan"].append(away[i])
                elif d >= 19:
                    nights["after"].append(away[i])
    assert len(nights["ramadan"]) > 50 and len(nights["after"]) > 30
    ramadan, after = np.mean(nights["ramadan"]), np.mean(nights["after"])
    assert ramadan > .2 and after < .08, (ramadan, after)


def test_the_faults_are_in_the_files(fleet):
    out, truth, pings = fleet
    raw = pd.read_csv(out / "pings.csv", dtype=str, keep_default_na=False)
    dup = raw.duplicated().mean()
    assert .005 < dup < .02
    assert raw[raw.duplicated()].index.isin(raw.index[raw.duplicated(keep="last")] + 1).all()
    empty_lat, empty_lon = raw["lat"] == "", raw["lon"] == ""
    assert (empty_lat | empty_lon).sum() > 0 and not (empty_lat & empty_lon).any()
    assert raw.loc[~empty_lat, "lat"].str.fullmatch(r"2\d\.\d{6}").all()  # 6 decimals
    assert raw.loc[~empty_lon, "lon"].str.fullmatch(r"[45]\d\.\d{6}").all()

    # multipath: single fixes 300-2000 m off their neighbours, in the tower districts (fleet
    # boxes only: a sparse device's one fix on a short out-and-back looks the same)
    p = pings.dropna(subset=["lat", "lon"]).drop_duplicates(["vehicle_id", "timestamp"])
    p = p[p["vehicle_id"].map(lambda v: truth[v]["device"] == "fleet_box")]
    x = ((p["lon"] - gulf.CENTRE[1]) * gulf.M * gulf.COS).to_numpy()
    y = ((p["lat"] - gulf.CENTRE[0]) * gulf.M).to_numpy()
    same = (p["vehicle_id"].to_numpy()[:-2] == p["vehicle_id"].to_numpy()[2:])
    before = np.hypot(x[1:-1] - x[:-2], y[1:-1] - y[:-2])
    after = np.hypot(x[1:-1] - x[2:], y[1:-1] - y[2:])
    ends = np.hypot(x[2:] - x[:-2], y[2:] - y[:-2])
    spike = same & (before > 300) & (after > 300) & (ends < 60)
    assert spike.sum() >= 3
    towers = gulf._in_towers(x[:-2], y[:-2]) & gulf._in_towers(x[2:], y[2:])
    assert towers[spike].mean() > .8

    # the clock: ~5% of vehicles (here one), 2-4 days, stamps 3 h early while it lasts
    faulty = {v: t["clock_fault_days"] for v, t in truth.items() if t["clock_fault_days"]}
    assert len(faulty) == 1
    for fault_days in faulty.values():
        assert 2 <= len(fault_days) <= 4
        first = pd.Timestamp(fault_days[0])
        assert [d.date().isoformat() for d in pd.date_range(first, periods=len(fault_days))] \
            == fault_days
    p = pings.dropna(subset=["lat", "lon"]).drop_duplicates(["vehicle_id", "timestamp"])
    steps = p.groupby("vehicle_id")["t"].diff()
    back = p.loc[steps < 0, "vehicle_id"]
    assert set(back) <= set(faulty)  # only a faulty clock runs backwards
    for v in faulty:
        if truth[v]["device"] != "ignition":  # parked heartbeats show the jump back
            assert steps[back.index[back == v]].between(-3 * 3600, -2 * 3600).any()
    rng = np.random.default_rng(0)
    t = np.arange(0, 10 * 86400, 600.0)
    departs = np.arange(7 * 3600, 10 * 86400, 86400.0)
    written, *_, days = gulf._faults(rng, t, np.zeros(t.size) + 30_000, np.zeros(t.size), departs,
                                     True, 10)
    shifted = written != np.round(t)
    assert (written[shifted] == np.round(t[shifted]) - 3 * 3600).all()
    d0 = (pd.Timestamp(days[0]) - pd.Timestamp("2026-03-05")).days
    assert t[shifted].min() == d0 * 86400 + 7 * 3600  # from the first trip of the first day
    assert t[shifted].max() < (d0 + len(days)) * 86400 + 7 * 3600
