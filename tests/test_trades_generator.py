"""bench/fleets/trades.py, the sixth generator the truth bench runs: seeded, and its files
carry what its docstring says (naive local stamps with the spring-forward gap, UTC firmware,
phones keeping the old offset, urban-canyon drift while parked, duplicates, broken rows)."""
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "fleets"))
import trades  # noqa: E402

DAYTIME = ("office", "trades", "longhaul_commute")  # at work at 08-11, home at 01-05


def metres(rows, where):
    return np.hypot((rows["lat"] - where[0]) * trades.M, (rows["lon"] - where[1]) * trades.M * trades.COS)


def test_the_same_arguments_write_the_same_files(tmp_path):
    a = trades.write_trades_fleet(tmp_path / "a", vehicles=8, days=4, seed=3)
    b = trades.write_trades_fleet(tmp_path / "b", vehicles=8, days=4, seed=3)
    for name in ("pings.csv", "labels.csv", "vehicles.csv", "truth.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    c = trades.write_trades_fleet(tmp_path / "c", vehicles=8, days=4, seed=4)
    assert (c / "pings.csv").read_bytes() != (a / "pings.csv").read_bytes()


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """30 vehicles over 15 days: through DST (8 March is day 13)."""
    out = trades.write_trades_fleet(tmp_path_factory.mktemp("trades"), vehicles=30, days=15, seed=2)
    raw = json.loads((out / "truth.json").read_text())
    pings = pd.read_csv(out / "pings.csv", dtype={"vehicle_id": str}, keep_default_na=False,
                        na_values=[""])
    pings["ts"] = pd.to_datetime(pings["timestamp"], format="%Y-%m-%d %H:%M:%S")
    meta = pd.read_csv(out / "vehicles.csv", dtype=str).set_index("vehicle_id")
    labels = pd.read_csv(out / "labels.csv", dtype={"vehicle_id": str})
    return raw, pings, meta, labels


def test_clocks_spring_forward_and_utc_firmware(fleet):
    raw, pings, meta, _ = fleet
    assert raw["tz"] == "America/Denver"
    truth = raw["vehicles"]
    assert set(pings["vehicle_id"]) == set(truth)
    assert {v["kind"] for v in truth.values()} == set(trades.DAYS)
    gap = (pings["ts"] >= "2026-03-08 02:00") & (pings["ts"] < "2026-03-08 03:00")
    around = (pings["ts"] >= "2026-03-08 01:00") & (pings["ts"] < "2026-03-08 04:00")
    honest_boxes = skewed_phones = utc_shifted = local_at_work = 0
    for vid, t in truth.items():
        mine = pings["vehicle_id"] == vid
        if t["clock"] == "utc":  # the buggy firmware, and only obd or telematics boxes
            assert meta.loc[vid, "firmware"] in ("OBD-2.4.0", "TLM-3.1.7")
            assert t["device"] != "phone"
        elif t["device"] != "phone":
            assert not (mine & gap).any(), vid  # the hour that does not exist locally
            honest_boxes += t["device"] == "telematics" and (mine & around).sum() >= 4
        else:
            skewed_phones += (mine & gap).any()  # logged through the night: the old offset
        if t["kind"] in DAYTIME and t["device"] == "telematics":
            morning = pings[mine & (pings["ts"].dt.hour.isin((8, 9, 10)))
                            & (pings["ts"].dt.day_of_week < 5) & (pings["lat"] > 30)]
            at_home = (metres(morning, t["home"]) < 200).mean()
            if t["clock"] == "utc":  # 08-11 in UTC is 01-04 in Denver (02-05 in DST): home
                assert at_home > 0.85, vid
                utc_shifted += 1
            else:
                assert at_home < 0.25, vid
                local_at_work += 1
    assert honest_boxes and skewed_phones and utc_shifted and local_at_work
    assert 0.05 <= np.mean([t["clock"] == "utc" for t in truth.values()]) <= 0.15


def test_faults_drift_and_labels_are_in_the_files(fleet):
    raw, pings, meta, labels = fleet
    truth = raw["vehicles"]
    n = len(pings)
    exact = pings.duplicated(["vehicle_id", "timestamp", "lat", "lon", "speed_mps", "heading_deg"])
    assert 0.005 < exact.mean() < 0.015
    same_stamp = pings.duplicated(["vehicle_id", "timestamp"], keep=False) & ~pings.duplicated(
        ["vehicle_id", "timestamp", "lat", "lon"], keep=False)
    twins = pings[same_stamp & (pings["ts"] > "2001-01-01")].groupby(["vehicle_id", "timestamp"])
    assert 0.001 < twins.ngroups / n < 0.006
    spread = twins["lat"].agg(lambda s: s.max() - s.min())
    assert (spread < 6e-5).all()  # the same fix, rounded to 4 decimals
    assert (pings["lat"] < -90).sum() >= 2 and (pings["lon"] > 30).sum() >= 2  # swapped
    assert ((pings["lat"] == 0) & (pings["lon"] == 0)).sum() >= 2
    reset = pings[pings["ts"] < "2001-01-01"]
    assert len(reset) and {truth[v]["device"] for v in reset["vehicle_id"]} <= {"obd", "telematics"}
    # every vehicle's rows in time order but for those faults
    ok = pings[(pings["ts"] > "2001-01-01")]
    back = ok.groupby("vehicle_id")["ts"].diff().dt.total_seconds() < 0
    assert back.sum() <= 3 * reset["vehicle_id"].nunique()
    # devices: phones give no speed, obd fixes every second while moving
    phone = pings["vehicle_id"].map(lambda v: truth[v]["device"]) == "phone"
    assert pings.loc[phone, "speed_mps"].isna().all() and pings.loc[~phone, "speed_mps"].notna().all()
    obd = [v for v, t in truth.items() if t["device"] == "obd"]
    steps = pings[pings["vehicle_id"].isin(obd)].groupby("vehicle_id")["ts"].diff().dt.total_seconds()
    assert steps.median() == 1
    # a telematics box parked downtown wanders 30-150 m; elsewhere it stays put
    canyon, plain = [], []
    for vid, t in truth.items():
        if t["device"] != "telematics" or not t["work"]:
            continue
        parked = pings[(pings["vehicle_id"] == vid) & (pings["speed_mps"] == 0)]
        near = metres(parked, t["work"])
        near = near[near < 400]
        downtown = metres(pd.DataFrame({"lat": [t["work"][0]], "lon": [t["work"][1]]}),
                          trades.latlon(*trades.DOWNTOWN)).iloc[0]
        if len(near) > 20 and not 1700 < downtown < 1900:
            (canyon if downtown < 1800 else plain).append(near.median())
    assert canyon and plain and min(canyon) > 60 and max(plain) < 60
    # untrusted ids survive; labels near the truth but for the listed wrong ones
    assert any("ü" in v for v in truth) and any("<b>" in v for v in truth)
    assert any(" " in v and v.startswith("CO ") for v in truth)
    wrong = {(w["vehicle_id"], w["label"]) for w in raw["wrong_labels"]}
    assert wrong and 0.6 < labels["vehicle_id"].nunique() / len(truth) < 0.9
    for r in labels.itertuples():
        if truth[r.vehicle_id][r.label] is None:  # a rideshare's 'work' at the airport lot
            assert (r.vehicle_id, r.label) in wrong
            continue
        d = metres(pd.DataFrame({"lat": [r.lat], "lon": [r.lon]}), truth[r.vehicle_id][r.label]).iloc[0]
        assert (d > 100) if (r.vehicle_id, r.label) in wrong else (d < 30), (r.vehicle_id, r.label)
    assert set(meta["region"]) == {"metro", "exurb", "rural"}
