"""The 'levant' synthetic fleet (bench/fleets/levant.py: Israel, spring 2024), read back the way an
importer would: the Hebrew Windows-1255 tracker CSV with pandas, the driver-app Parquet with
pyarrow, the SIRI VehicleMonitoring archive with ElementTree, using only the conventions the
module's docstring states."""

from __future__ import annotations

import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

_SPEC = importlib.util.spec_from_file_location(
    "levant_generator", Path(__file__).resolve().parents[1] / "bench" / "fleets" / "levant.py"
)
levant = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(levant)

SMALL = {"vehicles": 14, "days": 14}  # 17-30 March 2024: Purim and Israel's summer-time change
SIRI_NS = "{http://www.siri.org.uk/siri}"
BEIRUT, CAIRO = (33.8209, 35.4884), (30.1219, 31.4056)
NONEXISTENT = (pd.Timestamp("2024-03-29 02:00"), pd.Timestamp("2024-03-29 03:00"))  # Israel's skipped hour


def _hav(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371000.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _read_tracker(folder: Path, tz: str) -> pd.DataFrame:
    (path,) = [p for p in folder.glob("*.csv") if p.name not in ("labels.csv", "vehicles.csv")]
    raw = pd.read_csv(path, encoding="cp1255", skiprows=2, dtype=str, keep_default_na=False)
    naive = pd.to_datetime(raw["תאריך"] + " " + raw["שעה"], format="%d/%m/%Y %H:%M:%S")
    utc = naive.dt.tz_localize(tz, nonexistent="shift_forward", ambiguous="NaT").dt.tz_convert("UTC")
    return pd.DataFrame(
        {
            "vid": raw["מספר רכב"],
            "naive": naive,
            "t": utc.astype("datetime64[ns, UTC]"),
            "lat": raw["קו רוחב"].astype(float),
            "lon": raw["קו אורך"].astype(float),
            "valid": raw["תקינות GPS"] == "תקין",
            "network": False,
            "raw": raw.apply("|".join, axis=1),
        }
    )


def _read_app(folder: Path) -> pd.DataFrame:
    (path,) = folder.glob("*.parquet")
    d = pq.read_table(path).to_pandas()
    assert str(d["fix_time"].dt.tz) == "UTC"
    return pd.DataFrame(
        {
            "vid": d["plate"],
            "t": d["fix_time"].astype("datetime64[ns, UTC]"),
            "lat": d["lat"],
            "lon": d["lon"],
            "valid": True,
            "network": d["provider"] == "network",
        }
    )


def _read_siri(folder: Path) -> pd.DataFrame:
    (path,) = folder.glob("*.xml")
    rows = []
    for _, el in ET.iterparse(path):
        if el.tag == SIRI_NS + "VehicleActivity":
            j = el.find(SIRI_NS + "MonitoredVehicleJourney")
            loc = j.find(SIRI_NS + "VehicleLocation")
            rows.append(
                (
                    j.find(SIRI_NS + "VehicleRef").text,
                    el.find(SIRI_NS + "RecordedAtTime").text,
                    float(loc.find(SIRI_NS + "Latitude").text),
                    float(loc.find(SIRI_NS + "Longitude").text),
                )
            )
            el.clear()
    d = pd.DataFrame(rows, columns=["vid", "stamp", "lat", "lon"])
    d["t"] = pd.to_datetime(d["stamp"], utc=True, format="ISO8601").astype("datetime64[ns, UTC]")
    d["valid"], d["network"] = True, False
    return d


def _read_all(folder: Path):
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    parts = {
        "tracker": _read_tracker(folder, truth["tz"]),
        "app": _read_app(folder),
        "siri": _read_siri(folder),
    }
    return truth, parts


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = levant.write_levant_fleet(tmp_path_factory.mktemp("levant"), seed=3, **SMALL)
    truth, parts = _read_all(folder)
    return folder, truth, parts


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a = levant.write_levant_fleet(tmp_path / "a", seed=5, **SMALL)
    b = levant.write_levant_fleet(tmp_path / "b", seed=5, **SMALL)
    c = levant.write_levant_fleet(tmp_path / "c", seed=6, **SMALL)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()) == sorted(p.name for p in c.iterdir())
    assert {"labels.csv", "vehicles.csv", "truth.json"} <= set(names)
    assert len([n for n in names if n.endswith((".csv", ".parquet", ".xml"))]) == 5  # 3 ping files
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n
        assert (a / n).read_bytes() != (c / n).read_bytes(), n


def test_truth_matches_the_pings(fleet):
    folder, truth, parts = fleet
    tz, tv = truth["tz"], truth["vehicles"]
    assert tz == "Asia/Jerusalem"
    vehicles = pd.read_csv(folder / "vehicles.csv", dtype=str)
    assert sorted(vehicles["vehicle_id"]) == sorted(tv)
    assert "kind" not in vehicles.columns
    # every vehicle pings in exactly the one file vehicles.csv names
    seen = {}
    for name, df in parts.items():
        for vid in df["vid"].unique():
            assert vid not in seen, vid
            seen[vid] = name
    assert sorted(seen) == sorted(tv)
    suffix = {"tracker": ".csv", "app": ".parquet", "siri": ".xml"}
    for vid, src in zip(vehicles["vehicle_id"], vehicles["source_file"]):
        assert src.endswith(suffix[seen[vid]]) and src == tv[vid]["file"]
    assert all("-" in v for v in parts["tracker"]["vid"].unique())  # 12-345-67 / 123-45-678
    assert all(v.isdigit() for v in pd.concat([parts["app"]["vid"], parts["siri"]["vid"]]).unique())

    # home: where the vehicle is at 03:00 local (its last good fix before then) on most nights
    good = pd.concat(parts.values(), ignore_index=True)
    good = good[good["valid"] & ~good["network"]]
    for spot in (BEIRUT, CAIRO):
        good = good[_hav(good["lat"], good["lon"], *spot) > 5000]
    good = good.sort_values(["vid", "t"])
    first = pd.Timestamp(truth["window"]["first_local_date"])
    n_days = (pd.Timestamp(truth["window"]["last_local_date"]) - first).days + 1
    assert n_days == SMALL["days"]
    probes = pd.DatetimeIndex([first + pd.Timedelta(days=d, hours=3) for d in range(1, n_days)])
    probes = probes.tz_localize(tz).tz_convert("UTC")
    local_date = good["t"].dt.tz_convert(tz).dt.date
    sun_thu = [(first + pd.Timedelta(days=d)).date() for d in range(n_days)]
    sun_thu = [d for d in sun_thu if d.weekday() not in (4, 5)]
    gaps = truth["faults"]["gaps"]
    checked_home = checked_work = 0
    for vid, t in tv.items():
        g = good[good["vid"] == vid]
        if t["home"] is not None:
            j = np.searchsorted(g["t"].to_numpy(), probes.to_numpy(), side="right") - 1
            j = j[j >= 0]
            at_home = _hav(g["lat"].to_numpy()[j], g["lon"].to_numpy()[j], *t["home"]) < 500
            assert len(j) >= n_days - 3 and at_home.mean() >= 0.5, (vid, t["kind"], at_home.mean())
            checked_home += 1
        if t["work"] is not None:
            off = set()
            if "reserve_duty" in t:
                off |= set(pd.date_range(*t["reserve_duty"]).date)
            for gp in gaps:
                if gp["vehicle_id"] == vid:
                    span = pd.date_range(gp["start_utc"], gp["end_utc"], freq="h").tz_convert(tz)
                    off |= set(span.date)
            days = [d for d in sun_thu if d not in off]
            near = set(local_date[g.index][_hav(g["lat"], g["lon"], *t["work"]) < 400])
            share = np.mean([d in near for d in days])
            assert share >= 0.4, (vid, t["kind"], share)
            checked_work += 1
    assert checked_home >= 12 and checked_work >= 8

    # time conventions: no delivery van (app off) and no bus (no service) between 03:00 and 04:30 local
    for name in ("app", "siri"):
        d = parts[name]
        d = d[d["vid"].map(lambda v: tv[v]["kind"] in ("bus", "delivery_van_home", "delivery_van_depot"))]
        assert len(d) > 1000
        hours = d["t"].dt.tz_convert(tz)
        h = hours.dt.hour + hours.dt.minute / 60
        assert not ((h >= 3.0) & (h < 4.5)).any(), name
        assert ((h >= 6.0) & (h < 12.0)).mean() > 0.3, name
    # office commuters' first ignition of a working day: local morning, before and after the change
    tr = parts["tracker"]
    raw_status = pd.read_csv(
        next(p for p in folder.glob("*.csv") if p.name not in ("labels.csv", "vehicles.csv")),
        encoding="cp1255",
        skiprows=2,
        usecols=["סטטוס"],
        dtype=str,
    )["סטטוס"]
    on = tr[(raw_status == "התנעה").to_numpy()]
    on = on[on["vid"].map(lambda v: tv[v]["kind"] in ("commuter", "shabbat_family"))]
    local = on["t"].dt.tz_convert(tz)
    on = on.assign(date=local.dt.date, h=local.dt.hour + local.dt.minute / 60)
    on = on[on["date"].map(lambda d: d.weekday() not in (4, 5))]
    first_start = on.groupby(["vid", "date"])["h"].min().reset_index()
    assert len(first_start) >= 10
    for after in (False, True):  # (a 14-day window has no working day after the change)
        part = first_start[(first_start["date"] >= pd.Timestamp("2024-03-29").date()) == after]
        assert part.empty or 6.5 <= part["h"].median() <= 8.5, (after, part["h"].median())
    # SIRI offsets follow the change
    stamps = parts["siri"]["stamp"]
    change = pd.Timestamp("2024-03-29T00:00Z")
    assert (stamps[parts["siri"]["t"] < change].str.endswith("+02:00")).all()
    assert (stamps[parts["siri"]["t"] >= change].str.endswith("+03:00")).all()

    # labels: a few tens of metres off the truth place, except the listed wrong rows
    labels = pd.read_csv(folder / "labels.csv", dtype={"vehicle_id": str})
    assert list(labels.columns) == ["vehicle_id", "label", "lat", "lon"]
    wrong = {(w["vehicle_id"], w["label"]) for w in truth["wrong_labels"]}
    assert len(wrong) >= 1
    for r in labels.itertuples():
        place = tv[r.vehicle_id][r.label]
        assert place is not None
        d = _hav(r.lat, r.lon, *place)
        assert (d > 300) if (r.vehicle_id, r.label) in wrong else (d < 100), (r, d)
    assert 0.6 <= labels["vehicle_id"].nunique() / len(tv) <= 0.9


def test_planted_faults_are_in_the_files(fleet):
    folder, truth, parts = fleet
    tz, faults = truth["tz"], truth["faults"]
    allp = pd.concat(parts.values(), ignore_index=True)
    tr = parts["tracker"]

    # GPS spoofing: fixes at Beirut / Cairo airport, counted per vehicle, inside the episodes
    spoofed = (_hav(allp["lat"], allp["lon"], *BEIRUT) < 5000) | (
        _hav(allp["lat"], allp["lon"], *CAIRO) < 5000
    )
    got = allp[spoofed].groupby("vid").size().to_dict()
    assert got == faults["gps_spoofing"]["rows"] and sum(got.values()) > 0
    ep = faults["gps_spoofing"]["episodes"]
    s = pd.to_datetime([e["start_utc"] for e in ep]).tz_localize(None).to_numpy()
    e = pd.to_datetime([e["end_utc"] for e in ep]).tz_localize(None).to_numpy()
    slack = np.timedelta64(3600, "s")  # tracker stamps of the DST-faulty units are an hour off
    for t in allp.loc[spoofed, "t"].dt.tz_localize(None).to_numpy():
        assert ((t >= s - slack) & (t < e + slack)).any()

    # no-fix rows: 0/0 with 'לא תקין', per vehicle; jammed phones fall back to network fixes
    zero = (tr["lat"] == 0) & (tr["lon"] == 0)
    assert (zero == ~tr["valid"]).all()
    got = tr[zero].groupby("vid").size().to_dict()
    assert got == faults["no_fix_zero_rows"]["rows"] and sum(got.values()) > 0
    app = parts["app"]
    assert app[app["network"]].groupby("vid").size().to_dict() == faults["gps_jamming"]["app_network_rows"]

    # duplicates: tracker rows exported twice (adjacent), SIRI records served again in the next poll
    dup = tr["raw"].duplicated()
    assert (tr["raw"][dup].to_numpy() == tr["raw"].shift(1)[dup].to_numpy()).all()
    got = tr[dup].groupby("vid").size().to_dict()
    assert got == faults["duplicates"]["tracker_repeated_rows"] and sum(got.values()) > 0
    sr = parts["siri"]
    got = sr[sr.duplicated(["vid", "stamp"])].groupby("vid").size().to_dict()
    assert got == faults["duplicates"]["siri_repeated_records"] and sum(got.values()) > 0

    # gaps: nothing inside, data on both sides for the tracker units (hourly heartbeats)
    kinds = set()
    w0 = pd.Timestamp(truth["window"]["start_utc"])
    w1 = pd.Timestamp(truth["window"]["end_utc"])
    for gp in faults["gaps"]:
        a, b = pd.Timestamp(gp["start_utc"]), pd.Timestamp(gp["end_utc"])
        assert b - a >= pd.Timedelta(minutes=20)
        t = allp.loc[allp["vid"] == gp["vehicle_id"], "t"]
        assert not ((t >= a) & (t < b)).any(), gp
        if gp["vehicle_id"] in set(tr["vid"]):
            kinds.add("tracker")
            h2 = pd.Timedelta(hours=2)
            assert a - h2 < w0 or ((t >= a - h2) & (t < a)).any()
            assert b + h2 > w1 or ((t >= b) & (t < b + h2)).any()
        else:
            kinds.add("app")
    assert kinds == {"tracker", "app"}

    # summer time done wrong: EU-rule units 1 h behind 29/03 00:00Z - 31/03 01:00Z, 'never' units after
    in_hole = (tr["naive"] >= NONEXISTENT[0]) & (tr["naive"] < NONEXISTENT[1])
    eu, never = faults["dst_eu_rules"], faults["dst_never"]
    assert eu["vehicles"] and never["vehicles"]
    bad = set(eu["vehicles"]) | set(never["vehicles"])
    assert set(tr.loc[in_hole, "vid"]) == bad  # only they write Israel's skipped hour
    for vid in eu["vehicles"]:
        n = tr["naive"][tr["vid"] == vid]
        wrong = (n >= NONEXISTENT[0]) & (n < pd.Timestamp("2024-03-31 03:00"))
        assert wrong.sum() == eu["rows"][vid] > 0
    for vid in never["vehicles"]:
        n = tr["naive"][tr["vid"] == vid]
        assert (n >= NONEXISTENT[0]).sum() == never["rows"][vid] > 0
    units = pd.read_csv(folder / "vehicles.csv", dtype=str).set_index("vehicle_id")["unit"]
    assert (units[sorted(bad)] == "TRK-2G").all()
    assert tz == "Asia/Jerusalem"
