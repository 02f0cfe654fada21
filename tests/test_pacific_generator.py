"""The pacific fleet generator (bench/fleets/pacific.py), read back as an outside reader would:
pandas/pyarrow on the written files plus truth.json, never the generator's internals."""

import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_PATH = Path(__file__).resolve().parents[1] / "bench" / "fleets" / "pacific.py"
_spec = importlib.util.spec_from_file_location("pacific_fleet", _PATH)
pacific = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pacific)

FILES = ["nz_pings.csv", "fiji_pings.parquet", "labels.csv", "vehicles.csv", "truth.json"]


def _km(lat1, lon1, lat2, lon2):
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    dlon = (lon2 - lon1 + np.pi) % (2 * np.pi) - np.pi
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def _norm_id(s):
    return re.sub(r"\s", "", s).upper()


class Fleet:
    def __init__(self, folder):
        self.truth = json.loads((folder / "truth.json").read_text())
        self.vehicles = pd.read_csv(folder / "vehicles.csv")
        self.nz_raw = pd.read_csv(folder / "nz_pings.csv", dtype={"vehicle_id": str, "timestamp": str})
        self.fj_raw = pd.read_parquet(folder / "fiji_pings.parquet")
        nz = pd.DataFrame({"raw_id": self.nz_raw.vehicle_id, "vid": self.nz_raw.vehicle_id.map(_norm_id),
                           "utc": pd.to_datetime(self.nz_raw.timestamp, utc=True, format="ISO8601"),
                           "local": pd.to_datetime(self.nz_raw.timestamp.str[:19]),
                           "stamp": self.nz_raw.timestamp, "lat": self.nz_raw.lat,
                           "raw_lon": self.nz_raw.lon, "speed": self.nz_raw.speed_kmh / 3.6})
        tz = dict(zip(self.vehicles.vehicle_id, self.vehicles.timezone))
        fvid = self.fj_raw.asset.map(_norm_id)
        assert set(fvid.map(tz)) <= {"Pacific/Fiji"}
        local = self.fj_raw.fix_time.dt.tz_convert("Pacific/Fiji").dt.tz_localize(None)
        fj = pd.DataFrame({"raw_id": self.fj_raw.asset, "vid": fvid, "utc": self.fj_raw.fix_time,
                           "local": local, "stamp": None, "lat": self.fj_raw.latitude,
                           "raw_lon": self.fj_raw.longitude, "speed": self.fj_raw.speed_mps})
        pings = pd.concat([nz, fj], ignore_index=True)
        pings["lon"] = (pings.raw_lon + 180) % 360 - 180
        self.pings = pings
        jumps = {(j["vehicle_id"], pd.Timestamp(j["time_utc"])) for j in self.truth["faults"]["gps_jumps"]}
        clock = set(self.truth["faults"]["clock_utc_as_plus12"]["vehicles"])
        keep = [(v, t) not in jumps and v not in clock for v, t in zip(pings.vid, pings.utc)]
        self.clean = pings[keep].drop_duplicates(["vid", "utc"])

    def kind(self, kind):
        return [(vid, tv) for vid, tv in self.truth["vehicles"].items() if tv["kind"] == kind]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pacific")
    pacific.write_pacific_fleet(folder, vehicles=40, days=21, seed=3)
    return Fleet(folder)


def test_same_arguments_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = (pacific.write_pacific_fleet(tmp_path / n, vehicles=12, days=4, seed=s)
               for n, s in (("a", 5), ("b", 5), ("c", 6)))
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in ("nz_pings.csv", "fiji_pings.parquet", "truth.json"):
        assert (a / name).read_bytes() != (c / name).read_bytes(), name


def test_kinds_traits_are_in_the_files(fleet):
    truth, clean = fleet.truth, fleet.clean
    kinds = {tv["kind"] for tv in truth["vehicles"].values()}
    assert len(kinds) >= 7
    by_vid = dict(tuple(clean.groupby("vid")))

    # dairy farmer: at the shed at 05:30 local on most days
    farmers = fleet.kind("dairy_farmer")
    assert farmers
    for vid, tv in farmers:
        g = by_vid[vid]
        hits = days = 0
        for day in sorted(set(g.local.dt.normalize()))[1:-1]:
            before = g[(g.local <= day + pd.Timedelta(hours=5.5)) & (g.local > day)]
            days += 1
            if len(before):
                last = before.iloc[-1]
                hits += _km(last.lat, last.lon, *tv["work"]) < 0.3
        assert hits >= 0.6 * days, (vid, hits, days)

    # campervan: no home; its 03:00 positions move between nights
    vans = fleet.kind("campervan")
    assert vans
    for vid, tv in vans:
        assert tv["home"] is None and tv["work"] is None
        g = by_vid.get(vid)
        assert g is not None, vid
        spots = []
        for day in sorted(set(g.local.dt.normalize()))[1:]:
            before = g[g.local <= day + pd.Timedelta(hours=3)]
            last = before.iloc[-1]
            if all(_km(last.lat, last.lon, la, lo) > 1 for la, lo in spots):
                spots.append((last.lat, last.lon))
        assert len(spots) >= 3, (vid, spots)

    # fisherman: the car stands >= 3 days at the wharf at least once
    longest = 0.0
    for vid, tv in fleet.kind("fisherman"):
        g = by_vid[vid]
        near = _km(g.lat, g.lon, *tv["work"]) < 0.3
        run = (near != np.roll(near, 1)).cumsum()
        for _, r in g[near].groupby(run[near]):
            longest = max(longest, (r.utc.iloc[-1] - r.utc.iloc[0]).total_seconds() / 86400)
    assert longest >= 3, longest

    # Fiji: a vehicle (the resort worker) has fixes on both sides of 180 degrees
    for vid, _tv in fleet.kind("resort_worker"):
        g = by_vid[vid]
        assert (g.lon > 179.5).any() and (g.lon < -179.5).any(), vid

    # the Chatham Islands stamp +12:45 before the switch and +13:45 after; mainland +12/+13
    tz = dict(zip(fleet.vehicles.vehicle_id, fleet.vehicles.timezone))
    nz = clean[clean.stamp.notna()]
    switch = pd.Timestamp("2026-09-26T14:00:00Z")
    for zone, before, after in (("Pacific/Chatham", "+12:45", "+13:45"),
                                ("Pacific/Auckland", "+12:00", "+13:00")):
        rows = nz[nz.vid.map(tz) == zone]
        assert len(rows)
        assert (rows.stamp[rows.utc < switch].str[-6:] == before).all()
        assert (rows.stamp[rows.utc >= switch].str[-6:] == after).all()
        assert (rows.utc < switch).any() and (rows.utc >= switch).any()

    # ferry commuters park all weekday at the terminal; shift workers are at the hospital at night
    for kind in ("ferry_commuter", "shift_worker", "office_commuter", "resort_worker"):
        for vid, tv in fleet.kind(kind):
            if vid in by_vid:
                g = by_vid[vid]
                assert (_km(g.lat, g.lon, *tv["work"]) < 0.3).mean() > 0.02, (kind, vid)


def test_faults_are_in_the_files_as_truth_says(fleet):
    truth, pings = fleet.truth, fleet.pings
    faults = truth["faults"]
    # duplicates
    assert faults["duplicates"]["nz_pings.csv"] > 0
    assert fleet.nz_raw.duplicated().sum() == faults["duplicates"]["nz_pings.csv"]
    assert fleet.fj_raw.duplicated().sum() == faults["duplicates"]["fiji_pings.parquet"]

    # ids written otherwise in the pings files
    known = set(fleet.vehicles.vehicle_id)
    odd = set(pings.raw_id) - known
    assert odd and odd == set(faults["id_variants"].values())
    for vid, written in faults["id_variants"].items():
        assert _norm_id(written) == vid and written != vid

    # UTC clock stamped +12:00: always +12:00, and the commute happens at night by the stamps
    clock = faults["clock_utc_as_plus12"]["vehicles"]
    assert len(clock) == 2
    for vid in clock:
        g = pings[pings.vid == vid]
        assert (g.stamp.str[-6:] == "+12:00").all()
        moving = g[g.speed > 0]
        small_hours = (moving.local.dt.hour < 6).mean()  # the drive home, 16:30-18:30 true
        assert small_hours > 0.2, (vid, small_hours)
    others = [vid for vid, tv in fleet.kind("office_commuter")
              if vid not in clock and tv["file"] == "nz_pings.csv"]
    for vid in others:
        moving = pings[(pings.vid == vid) & (pings.speed > 0)]
        assert (moving.local.dt.hour < 6).mean() < 0.02, vid

    # 0..360 longitudes: every vehicle on the orblink device; one vehicle after its firmware update
    orb = faults["lon_0_360_device"]["vehicles"]
    assert orb
    fiji = pings[pings.stamp.isna()]
    assert (fiji[fiji.vid.isin(orb)].raw_lon >= 0).all()
    assert (fiji[fiji.vid.isin(orb)].raw_lon > 180).any()
    fw = faults["lon_0_360_after_firmware"]
    g = fiji[fiji.vid == fw["vehicle_id"]]
    cut = pd.Timestamp(fw["from_utc"])
    assert (g[g.utc < cut].raw_lon < 0).any() and (g[g.utc < cut].raw_lon <= 180).all()
    assert (g[g.utc >= cut].raw_lon >= 0).all() and (g[g.utc >= cut].raw_lon > 180).any()
    rest = fiji[~fiji.vid.isin(orb + [fw["vehicle_id"]])]
    assert rest.raw_lon.between(-180, 180).all() and (rest.raw_lon < 0).any()
    assert pings[pings.stamp.notna()].raw_lon.between(-180, 180).all()

    # GPS jumps: the fix is in the file where truth says, 1-5 km off, far from both neighbours
    jumps = faults["gps_jumps"]
    assert jumps
    for vid, g in pings.drop_duplicates(["vid", "utc"]).groupby("vid"):
        g = g.sort_values("utc").reset_index(drop=True)
        for j in (j for j in jumps if j["vehicle_id"] == vid):
            i = g.index[g.utc == pd.Timestamp(j["time_utc"])]
            assert len(i) == 1, j
            row = g.loc[i[0]]
            assert abs(row.lat - j["written"][0]) < 1e-5 and abs(row.lon - j["written"][1]) < 1e-5
            assert 0.95 < _km(row.lat, row.lon, *j["true"]) < 5.05
            for n in (i[0] - 1, i[0] + 1):
                assert _km(row.lat, row.lon, g.lat[n], g.lon[n]) > 0.65, j
