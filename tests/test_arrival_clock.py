"""A device whose clock is on another zone, told by when its fixes arrived (arrival_clock.py):
the platform's received time beside each fix's stamp."""
import sqlite3

import numpy as np
import pandas as pd

from auditor.ingest.api import ingest_paths

T0 = pd.Timestamp("2024-02-12 06:00", tz="UTC")


def _vehicle(name, n, stamp_error_s, delay_s, lat0):
    """``n`` fixes a minute apart; stamps written ``stamp_error_s`` off the truth (per row),
    arriving ``delay_s`` after the true time (per row)."""
    true = T0 + pd.to_timedelta(np.arange(n) * 60, unit="s")
    stamp = true + pd.to_timedelta(np.broadcast_to(stamp_error_s, n), unit="s")
    arrived = true + pd.to_timedelta(np.broadcast_to(delay_s, n), unit="s")
    return pd.DataFrame({"device": name, "fixtime": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "servertime": arrived.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "latitude": lat0 + np.arange(n) * 1e-4, "longitude": 82.9,
                         "true": true.as_unit("s").asi8})


def test_a_clock_hours_off_moves_back_and_late_or_honest_fixes_stay(tmp_path):
    rng = np.random.default_rng(4)
    buffered = np.where(np.arange(60) % 10 == 0, 1800, 3)  # every 10th fix sent 30 min late
    rows = pd.concat([
        _vehicle("GT06-local-as-UTC", 60, 7 * 3600, buffered, 55.00),
        _vehicle("honest", 60, 0, rng.uniform(1, 20, 60), 55.10),
        _vehicle("buffering", 60, 0, rng.uniform(0, 3 * 3600, 60), 55.20),
        _vehicle("set-back", 60, np.where(np.arange(60) < 25, 0, -3600), 4, 55.30),
        _vehicle("few", 12, 7 * 3600, 3, 55.40)], ignore_index=True)
    path = tmp_path / "positions.csv"
    rows.drop(columns="true").to_csv(path, index=False)
    [s] = ingest_paths(tmp_path / "p.db", [path])
    assert s["quarantined"] == 0
    assert s["arrival_clock"] == {"GT06-local-as-UTC": {"shift_s": -25200, "rows": 60},
                                  "set-back": {"shift_s": 3600, "rows": 35}}
    with sqlite3.connect(tmp_path / "p.db") as conn:
        got = pd.read_sql("SELECT vehicle_id AS device, lat AS latitude, ts FROM pings", conn)
    got["latitude"] = got["latitude"].round(5)
    both = rows.assign(latitude=rows["latitude"].round(5)).merge(got, on=["device", "latitude"])
    written = pd.to_datetime(both["fixtime"]).dt.as_unit("s").astype("int64")
    right = both["ts"] == both["true"]
    assert right[both["device"].isin(["GT06-local-as-UTC", "set-back", "honest",
                                      "buffering"])].all()
    few = both["device"] == "few"   # too few fixes to tell: kept as written
    assert (both.loc[few, "ts"] == written[few]).all()
