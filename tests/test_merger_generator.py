"""bench/fleets/merger.py: seeded, and its files carry what its docstring says (a utility's
line crews at the yard at 06:30 on both sides of the DST change, couriers' many short stops, a car
reported by both platforms, a pool car changing homes; E7 integers, epoch milliseconds, hdop
outliers far off, Chicago wall clock labelled UTC, leading-zero ids, duplicates, (0,0) fixes and
a frozen GPS). The files are read as an outside reader would, not through the generator."""
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "fleets"))
import merger  # noqa: E402

CSVS = ("platform_b.csv", "vehicles.csv", "labels.csv", "truth.json")


def _m(lat0, lon0, lat1, lon1):
    """Haversine metres."""
    p0, p1 = np.radians(lat0), np.radians(lat1)
    a = np.sin((p1 - p0) / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(np.radians(lon1 - lon0) / 2) ** 2
    return 2 * 6_371_000 * np.arcsin(np.sqrt(np.minimum(a, 1)))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    out = tmp_path_factory.mktemp("merger")
    merger.write_merger_fleet(out, vehicles=40, days=14, seed=5)
    a = pq.read_table(out / "platform_a.parquet")
    b = pd.read_csv(out / "platform_b.csv", dtype={"unit": str})
    pa_ = a.to_pandas()
    pa_["t"] = (pa_["gpsTime"] - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    pa_["lat"], pa_["lon"] = pa_["latE7"] / 1e7, pa_["lngE7"] / 1e7
    b["t"] = b["time_ms"] / 1000.0
    return {"out": out, "table": a, "a": pa_, "b": b,
            "truth": json.loads((out / "truth.json").read_text()),
            "vehicles": pd.read_csv(out / "vehicles.csv", dtype=str),
            "labels": pd.read_csv(out / "labels.csv", dtype=str)}


def _track(frame, col, vid):
    """One device's fixes, duplicates dropped, in time order."""
    return frame[frame[col] == vid].drop_duplicates().sort_values("t", kind="stable").reset_index(drop=True)


def _local(t_seconds, zone):
    return pd.to_datetime(np.asarray(t_seconds) * 1e9, utc=True).tz_convert(zone)


def test_seeded_byte_identical_and_seed_matters(tmp_path):
    kw = {"vehicles": 24, "days": 10}
    for name, seed in (("x", 11), ("y", 11), ("z", 12)):
        merger.write_merger_fleet(tmp_path / name, seed=seed, **kw)
    x, y, z = (tmp_path / n for n in "xyz")
    for f in CSVS:
        assert (x / f).read_bytes() == (y / f).read_bytes(), f
    ta, tb = pq.read_table(x / "platform_a.parquet"), pq.read_table(y / "platform_a.parquet")
    assert ta.num_rows > 1000 and ta.equals(tb)
    assert ta.schema.names == ["deviceId", "gpsTime", "latE7", "lngE7", "speedKph", "hdop", "sats"]
    assert not ta.equals(pq.read_table(z / "platform_a.parquet"))
    assert (x / "platform_b.csv").read_bytes() != (z / "platform_b.csv").read_bytes()
    assert (x / "truth.json").read_bytes() != (z / "truth.json").read_bytes()


def test_kinds_traits_occur_in_the_files(fleet):
    truth, a, b = fleet["truth"]["vehicles"], fleet["a"], fleet["b"]
    kinds = {t["kind"] for t in truth.values()}
    assert kinds == {"line_crew", "courier", "office", "on_call", "reassigned_pool"}

    # couriers: 60-120 short stops a workday (idling at speed 0, or a gap with the engine off)
    per_day, lengths = [], []
    for vid, t in truth.items():
        if t["kind"] != "courier" or t["platform"] != "platform_b" or t["faults"]:
            continue
        tr = _track(b, "unit", vid)
        slow = (tr["mph"] < 1.5).to_numpy()
        run = np.cumsum(np.concatenate([[True], slow[1:] != slow[:-1]]))[slow]
        st = tr[slow].assign(run=run)
        g = st.groupby("run")
        head = g[["latitude", "longitude"]].transform("first")
        st = st.assign(off=_m(head["latitude"], head["longitude"], st["latitude"], st["longitude"]))
        runs = st.groupby("run").agg(t0=("t", "min"), t1=("t", "max"), spread=("off", "max"))
        span = runs["t1"] - runs["t0"]
        short = (span >= 45) & (span <= 330) & (runs["spread"] < 60)
        date = _local(runs["t0"], t["timezone"]).date
        per_day += pd.Series(short.to_numpy(), index=date).groupby(level=0).sum().tolist()
        lengths += span[short].tolist()
    per_day = np.array(per_day)
    assert len(per_day) >= 20
    assert np.median(per_day) >= 50 and np.percentile(per_day, 90) <= 130, np.percentile(per_day, [50, 90])
    assert 60 <= np.median(lengths) <= 240

    # line crews: at the yard between 06:00 and 07:15 local on most weekdays, before and after the
    # change to daylight time on 8 March (a fixed UTC offset would move them an hour)
    hits = {"before": [], "after": []}
    for vid, t in truth.items():
        if t["kind"] != "line_crew" or t["platform"] != "platform_a" or t["faults"]:
            continue
        tr = _track(a, "deviceId", vid)
        loc = _local(tr["t"], t["timezone"])
        near = _m(*t["work"], tr["lat"].to_numpy(), tr["lon"].to_numpy()) < 150
        hour = loc.hour + loc.minute / 60
        morning = pd.Series(near & (hour >= 6) & (hour <= 7.25)).groupby(loc.date).any()
        for day, ok in morning.items():
            if day.weekday() < 5:
                hits["before" if day < merger.DST_DAY else "after"].append(ok)
    for half, ok in hits.items():
        assert len(ok) >= 10 and np.mean(ok) >= 0.8, (half, np.mean(ok))

    # one car on both platforms: the second device from day D // 3, every fix 0-2 s and a few
    # metres from the first device's
    pairs = fleet["truth"]["same_car_pairs"]
    assert pairs
    for first, second in pairs:
        assert truth[first]["same_car_as"] == second and truth[second]["same_car_as"] == first
        assert truth[first]["home"] == truth[second]["home"]
        ta_ = [(_track(a, "deviceId", v), "lat", "lon") if truth[v]["platform"] == "platform_a"
               else (_track(b, "unit", v), "latitude", "longitude") for v in (first, second)]
        (p, plat, plon), (s, slat, slon) = ta_
        assert s["t"].min() > p["t"].min() + 2 * 86400  # joined later
        p = p.rename(columns={"t": "tp", plat: "plat", plon: "plon"})[["tp", "plat", "plon"]]
        m = pd.merge_asof(s, p, left_on="t", right_on="tp", direction="nearest")
        dt = (m["t"] - m["tp"]).abs()
        assert (dt <= 2.0).mean() >= 0.99, dt.describe()
        d = _m(m[slat], m[slon], m["plat"], m["plon"])
        assert 1 < d.median() < 15 and np.percentile(d, 90) < 30, d.describe()

    # the reassigned pool car: last fix before 02:00 local at the first driver's home, then at
    # the second's; the truth home is where it spent more nights
    pools = [(v, t) for v, t in truth.items() if t["kind"] == "reassigned_pool"]
    assert pools
    for vid, t in pools:
        frame, col, la, lo = ((a, "deviceId", "lat", "lon") if t["platform"] == "platform_a"
                              else (b, "unit", "latitude", "longitude"))
        tr = _track(frame, col, vid)
        first = pd.Timestamp(fleet["truth"]["window"]["start"])
        where = []
        for d in range(1, fleet["truth"]["window"]["days"]):
            two = (first + pd.Timedelta(days=d, hours=2)).tz_localize(t["timezone"],
                                                                      nonexistent="shift_forward")
            before = tr[tr["t"] < two.timestamp()]
            last = before.iloc[-1]
            dist = [_m(*h, last[la], last[lo]) for h in t["homes"]]
            assert min(dist) < 600
            where.append(int(np.argmin(dist)))
        assert where == sorted(where) and 0 < sum(where) < len(where)  # one switch, both homes used
        more = int(sum(where) > len(where) - sum(where) + 1)  # night 0 is at the first home too
        assert t["homes"][more] == t["home"] and t["home_is"] == ("first", "second")[more]


def test_faults_occur_in_the_files(fleet):
    truth, table, a, b = fleet["truth"], fleet["table"], fleet["a"], fleet["b"]
    faults = truth["faults"]

    # E7 integers, typed columns; epoch milliseconds
    s = table.schema
    assert s.field("latE7").type == pa.int64() and s.field("lngE7").type == pa.int64()
    assert s.field("gpsTime").type == pa.timestamp("ns", tz="UTC") and s.field("sats").type == pa.int8()
    assert a["latE7"].between(39e7, 43e7).all() and a["lngE7"].between(-89e7, -85e7).all()
    assert b["time_ms"].dtype == np.int64
    assert b["time_ms"].between(1_772_000_000_000, 1_776_000_000_000).all()  # March 2026, ms
    assert (b["time_ms"] % 1000 != 0).mean() > 0.9

    # hdop outliers: ~3 %, few satellites, 50-500 m from where the neighbouring fixes put the car
    bad = a["hdop"] > 8
    assert 0.02 <= bad.mean() <= 0.045
    assert (a.loc[bad, "sats"] <= 4).all() and (a.loc[~bad, "sats"] >= 7).all()
    off_bad, off_good = [], []
    for _, tr in a.drop_duplicates().sort_values(["deviceId", "t"]).groupby("deviceId"):
        tt, la, lo, hb = (tr[c].to_numpy() for c in ("t", "lat", "lon", "hdop"))
        i = np.arange(1, len(tr) - 1)
        i = i[(hb[i - 1] < 8) & (hb[i + 1] < 8) & (tt[i + 1] - tt[i - 1] <= 70)]
        w = (tt[i] - tt[i - 1]) / np.maximum(tt[i + 1] - tt[i - 1], 1)
        d = _m(la[i - 1] + w * (la[i + 1] - la[i - 1]), lo[i - 1] + w * (lo[i + 1] - lo[i - 1]), la[i], lo[i])
        off_bad += d[hb[i] > 8].tolist()
        off_good += d[hb[i] < 8].tolist()
    assert len(off_bad) > 100
    assert np.mean(np.array(off_bad) >= 40) >= 0.85 and np.percentile(off_bad, 99) < 560
    assert np.median(off_bad) > 150 and np.median(off_good) < 12  # good fixes: noise + interpolation

    # Chicago wall clock labelled UTC: read as UTC the morning arrival at work keeps its wall-clock
    # hour across the DST change, where a true UTC stamp moves by an hour
    def arrival_hours(vid, t):
        tr = _track(a, "deviceId", vid)
        tr = tr[_m(*t["work"], tr["lat"].to_numpy(), tr["lon"].to_numpy()) < 150]
        stamp = pd.to_datetime(tr["t"] * 1e9, utc=True)
        first = tr.assign(day=stamp.dt.date, h=stamp.dt.hour + stamp.dt.minute / 60).groupby("day")["h"].min()
        before = first[[d < merger.DST_DAY for d in first.index]]
        after = first[[d > merger.DST_DAY for d in first.index]]
        return before.median(), after.median()

    local = faults["local_as_utc"]
    assert len(local) >= 2
    with_work = [v for v in local if truth["vehicles"][v]["work"]]
    assert with_work
    for vid in with_work:
        t = truth["vehicles"][vid]
        assert t["timezone"] == "America/Chicago" and "local_as_utc" in t["faults"]
        before, after = arrival_hours(vid, t)
        assert 5.5 <= before <= 9 and abs(before - after) < 0.4, (before, after)
    normal = [v for v, t in truth["vehicles"].items() if t["timezone"] == "America/Chicago"
              and t["platform"] == "platform_a" and not t["faults"] and t["kind"] in ("line_crew", "office")]
    for vid in normal[:3]:
        before, after = arrival_hours(vid, truth["vehicles"][vid])
        assert 11.5 <= before <= 15 and 0.6 < before - after < 1.4, (before, after)

    # ids with leading zeros in platform B and vehicles.csv, written without them in labels.csv
    zeros = sorted(u for u in b["unit"].unique() if u.startswith("0"))
    assert len(zeros) == 2 and zeros == sorted(faults["leading_zero_id"])
    assert set(zeros) <= set(fleet["vehicles"]["vehicle_id"])
    labelled = set(fleet["labels"]["vehicle_id"])
    assert not set(zeros) & labelled and {z.lstrip("0") for z in zeros} <= labelled

    # duplicates: identical rows, adjacent in A, a re-sent block at the end of B
    da = a.drop(columns=["t", "lat", "lon"]).duplicated()
    assert 0.005 <= da.mean() <= 0.02
    assert (a.index[da] - 1).isin(a.index[~da]).all()
    db = b.duplicated()
    assert 0.005 <= db.mean() <= 0.02
    head = b.iloc[: len(b) - int(db.sum())]
    assert not head.duplicated().any() and db.iloc[len(head):].all()

    # (0,0) when there is no fix: one unit, the one truth names
    zero = b[(b["latitude"] == 0) & (b["longitude"] == 0)]
    assert len(zero) > 50 and set(zero["unit"]) == set(faults["zero_fix"])
    assert (b.drop(zero.index)["latitude"].abs() > 1).all()

    # frozen GPS: one device repeats one fix for hours while gpsTime advances every ~30 s
    fixes = a.drop_duplicates().sort_values(["deviceId", "t"]).reset_index(drop=True)
    same = ((fixes["latE7"].diff() == 0) & (fixes["lngE7"].diff() == 0)
            & (fixes["deviceId"] == fixes["deviceId"].shift()))
    runs = fixes.assign(run=(~same).cumsum(), step=fixes["t"].diff()).groupby("run").agg(
        vid=("deviceId", "first"), n=("t", "size"), t0=("t", "min"), t1=("t", "max"), step=("step", "median"))
    stuck = runs[(runs["n"] >= 60) & (runs["t1"] - runs["t0"] >= 1.5 * 3600) & (runs["step"] <= 35)]
    assert set(stuck["vid"]) == set(faults["frozen_fix"]) and len(stuck) >= 2
