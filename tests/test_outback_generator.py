"""bench/fleets/outback.py, the eighth generator the truth bench runs: seeded, and its files do
what its docstring says (GPX per vehicle in UTC, four zones with DST ending in two, FIFO cars
silent in the airport car park for their swing, geocoded labels off the parking spot)."""
import json
import re
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "fleets"))
import outback  # noqa: E402

NS = {"g": "http://www.topografix.com/GPX/1/1"}
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DST_END = int(datetime(2026, 4, 5, tzinfo=ZoneInfo("UTC")).timestamp())


def metres(a, b):
    return np.hypot((a[0] - b[0]) * outback.M,
                    (a[1] - b[1]) * outback.M * np.cos(np.radians(b[0])))


def read_gpx(path):
    """[(track name, [(t, lat, lon), ...] per segment)] with the raw stamps checked."""
    tracks = []
    for trk in ET.parse(path).getroot().iterfind("g:trk", NS):
        segs = []
        for seg in trk.iterfind("g:trkseg", NS):
            pts = seg.findall("g:trkpt", NS)
            stamps = [p.find("g:time", NS).text for p in pts]
            assert all(STAMP.match(x) for x in stamps), stamps[:3]
            t = np.array([x[:-1] for x in stamps], dtype="datetime64[s]").astype(np.int64)
            segs.append(list(zip(t.tolist(), (float(p.get("lat")) for p in pts),
                                 (float(p.get("lon")) for p in pts))))
        tracks.append((trk.find("g:name", NS).text, segs))
    return tracks


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    return outback.write_outback_fleet(tmp_path_factory.mktemp("outback"), vehicles=16, days=21,
                                       seed=1)


def test_the_same_arguments_write_the_same_files(tmp_path):
    a = outback.write_outback_fleet(tmp_path / "a", vehicles=8, days=6, seed=3)
    b = outback.write_outback_fleet(tmp_path / "b", vehicles=8, days=6, seed=3)
    names = ["labels.csv", "vehicles.csv", "truth.json"] + [
        f"gpx/{p.name}" for p in sorted((a / "gpx").glob("*.gpx"))]
    assert len(names) == 3 + 8
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    c = outback.write_outback_fleet(tmp_path / "c", vehicles=8, days=6, seed=4)
    assert (c / "gpx" / "AU-P-0001.gpx").read_bytes() != (a / "gpx" / "AU-P-0001.gpx").read_bytes()


def test_one_utc_gpx_per_vehicle_in_four_zones_with_dst_ending(fleet):
    rows = [r.split(",") for r in (fleet / "vehicles.csv").read_text().splitlines()]
    assert rows[0] == ["vehicle_id", "timezone", "city", "phone_os"]
    zones = {r[0]: r[1] for r in rows[1:]}
    assert set(zones.values()) == {"Australia/Perth", "Australia/Adelaide",
                                   "Australia/Brisbane", "Australia/Sydney"}
    assert sorted(p.stem for p in (fleet / "gpx").glob("*.gpx")) == sorted(zones)
    truth = json.loads((fleet / "truth.json").read_text())["vehicles"]
    shift = {}  # UTC minute of the first fix of working mornings, before/after 5 April
    for vid, zone in zones.items():
        tracks = read_gpx(fleet / "gpx" / f"{vid}.gpx")
        assert tracks
        z = ZoneInfo(zone)
        for name, segs in tracks:
            first = datetime.fromtimestamp(segs[0][0][0], z)
            assert name == f"{first:%Y-%m-%d} drives"  # a track per LOCAL day
            for s in segs:
                assert s and all(b[0] > a[0] for a, b in zip(s, s[1:]))
        if truth[vid]["kind"] in ("commuter", "tradie"):
            for _, segs in tracks:
                day = datetime.fromtimestamp(segs[0][0][0], z)
                moving = [s for s in segs if len(s) > 20]
                if day.weekday() < 5 and moving and 5 <= datetime.fromtimestamp(
                        moving[0][0][0], z).hour < 9:
                    t = moving[0][0][0]
                    shift.setdefault((zone, t > DST_END), []).append((t + 43200) % 86400)
    for zone, dst in (("Australia/Sydney", 1), ("Australia/Adelaide", 1), ("Australia/Perth", 0)):
        before, after = np.median(shift[(zone, False)]), np.median(shift[(zone, True)])
        # 07:00 local is an hour later in UTC once DST has ended, where there is DST
        assert abs((after - before) - 3600 * dst) < 1500, (zone, before, after)


def test_fifo_swings_labels_and_parked_fixes(fleet):
    t = json.loads((fleet / "truth.json").read_text())
    truth, wrong = t["vehicles"], {(w["vehicle_id"], w["label"]) for w in t["wrong_labels"]}
    kinds = {v["kind"] for v in truth.values()}
    assert kinds == {"commuter", "tradie", "fifo", "nurse", "retiree", "uni", "school_parent"}
    assert all(v["work"] is None for v in truth.values()
               if v["kind"] in ("tradie", "fifo", "retiree", "school_parent"))
    at_airport, sig_nights = 0, 0
    for vid, v in truth.items():
        segs = [s for _, day in read_gpx(fleet / "gpx" / f"{vid}.gpx") for s in day]
        pts = np.array([p for s in segs for p in s])
        parked = [s for s in segs if len(s) > 1 and s[1][0] - s[0][0] >= 1800]
        if v["device"] == "phone_plain":  # nothing while parked
            assert not parked and max(b[0] - a[0] for s in segs for a, b in zip(s, s[1:])) < 120
        else:  # a cell/wifi fix every 30-90 min, 50-300 m off the person (the house at night)
            fix = np.array([p for s in parked for p in s])
            gaps = np.diff(fix[:, 0])
            assert len(fix) and ((gaps >= 1800) & (gaps <= 5400)).mean() > 0.8
            zone = ZoneInfo(next(c["zone"] for c in outback.CITIES.values()
                                 if c["name"] == v["city"]))
            night = fix[[datetime.fromtimestamp(int(t), zone).hour == 3 for t in fix[:, 0]]]
            if v["kind"] not in ("fifo", "nurse") and len(night):  # nurses: nights on a ward
                d = metres(night[:, 1:].T, v["home"])
                assert d.max() < 330 and np.median(d) > 40
                sig_nights += 1
        if v["kind"] == "fifo":
            for a, b in v["swings"]:
                a, b = (int(np.datetime64(x[:-1], "s").astype(np.int64)) for x in (a, b))
                assert not ((pts[:, 0] > a) & (pts[:, 0] < b)).any()  # silent all swing
                before = pts[pts[:, 0] <= a]
                if len(before) and a - before[-1, 0] < 60:
                    assert metres(before[-1, 1:], v["airport"]) < 400
                    at_airport += 1
    assert at_airport >= 1 and sig_nights >= 1
    labels = [r.split(",") for r in (fleet / "labels.csv").read_text().splitlines()[1:]]
    assert 0.5 <= len({r[0] for r in labels}) / len(truth) <= 0.9
    for vid, label, lat, lon in labels:
        if (vid, label) in wrong:
            continue
        d = metres((float(lat), float(lon)), truth[vid][label])
        lo, hi = (150, 400) if (label, truth[vid]["kind"]) == ("work", "nurse") else (30, 120)
        assert lo - 1 <= d <= hi + 1, (vid, label, d)  # a geocoded address, not the spot
