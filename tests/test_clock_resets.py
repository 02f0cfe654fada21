"""Pings whose clock was reset or whose GPS week counter rolled over are quarantined as
clock_reset, told by their vehicle's other pings (auditor/ingest/clock_resets.py); a
vehicle's real pings from years ago are kept."""
import sqlite3

import pandas as pd
import pytest

from auditor.cli import main
from auditor.ingest.api import ingest_paths

ROLLOVER = 1024 * 7 * 86_400
DAY = 86_400
START = 1_792_000_000  # 2026-10-14


def _days(vehicle: str, first: int, n_days: int, lat: float) -> list[tuple]:
    """A fix every 10 minutes for ``n_days`` from ``first`` (UTC seconds), creeping north."""
    n = n_days * 144
    return [(vehicle, first + 600 * i, round(lat + 1e-5 * i, 6), 2.35) for i in range(n)]


def _write(path, rows) -> None:
    pd.DataFrame(rows, columns=["vehicle_id", "timestamp", "lat", "lon"]).to_csv(path, index=False)


def _stored_ts(project) -> pd.Series:
    with sqlite3.connect(project) as conn:
        return pd.read_sql("SELECT vehicle_id, ts FROM pings", conn).groupby("vehicle_id")["ts"]


@pytest.mark.parametrize("chunk_rows", [100_000, 500])
def test_a_rolled_over_day_and_a_reset_clock_are_quarantined(chunk_rows, tmp_path):
    """R: ten days, the sixth written 1024 weeks early (2007), as old receivers do. C: ten
    days whose first hour counts from 2000-01-01 (an RTC reset after a power loss). Both
    fall inside the default window (2000 onwards) and were kept: trips in 2007 and 2000."""
    rolled = _days("R", START, 10, 48.80)
    day6 = range(5 * 144, 6 * 144)
    rolled = [(v, t - ROLLOVER, la, lo) if i in day6 else (v, t, la, lo)
              for i, (v, t, la, lo) in enumerate(rolled)]
    reset = _days("C", START, 10, 48.70)
    reset[:6] = [(v, 946_684_800 + 600 * i, la, lo) for i, (v, _, la, lo) in enumerate(reset[:6])]
    path = tmp_path / "pings.csv"
    _write(path, rolled + reset)
    (summary,) = ingest_paths(tmp_path / "p.db", [path], chunk_rows=chunk_rows)
    assert summary["reasons"] == {"clock_reset": 144 + 6}
    kept = _stored_ts(tmp_path / "p.db")
    assert kept.min().to_dict() == {"C": START + 6 * 600, "R": START}
    assert kept.count().to_dict() == {"C": 1440 - 6, "R": 1440 - 144}


def test_a_vehicles_real_pings_from_years_ago_are_kept(tmp_path, capsys):
    """A vehicle with two real stretches three years apart (not 1024 weeks, not an epoch's
    first days), and a historical one whose only pings are of January 2000 (an epoch's first
    days, but no later ping says its clock was wrong): nothing is quarantined."""
    rows = _days("V", START - 3 * 365 * DAY, 3, 48.8) + _days("V", START, 3, 48.8) \
        + _days("H", 946_684_800 + DAY, 3, 48.7)
    path = tmp_path / "pings.csv"
    _write(path, rows)
    assert main(["ingest", str(tmp_path / "p.db"), str(path)]) == 0
    assert "0 quarantined" in capsys.readouterr().out
    assert _stored_ts(tmp_path / "p.db").count().to_dict() == {"H": 3 * 144, "V": 6 * 144}


def test_a_device_rolled_over_in_every_stamp_is_put_right_by_the_received_time(tmp_path,
                                                                              capsys):
    """A cheap tracker's every GPS time is 1024 weeks early (2007), so no later stamp of its
    own shows it and the import kept its drives in 2007. The platform's received-time column
    beside it does: such stamps move forward by the rollover. A device whose fixes arrive
    hours late (SMS batches, sent every 3 hours) is left as it is."""
    rows = []
    for k in range(3 * 144):
        t = START + 600 * k
        rows.append(("rolled", t - ROLLOVER, t + 5, -1.28 + 1e-4 * k))
        sent = START + 3 * 3600 * (k // 18 + 1)  # the batch holding this fix goes at its end
        rows.append(("batched", t, sent + 5, -1.30 + 1e-4 * k))
    frame = pd.DataFrame(rows, columns=["IMEI", "gps", "recv", "lat"]).assign(lon=36.8)
    for col in ("gps", "recv"):
        frame[col] = pd.to_datetime(frame[col], unit="s").dt.strftime("%Y-%m-%d %H:%M:%S")
    path = tmp_path / "export.csv"
    frame.rename(columns={"gps": "GPS Time", "recv": "Received Time"}).to_csv(path, index=False)
    assert main(["ingest", str(tmp_path / "p.db"), str(path), "--tz", "UTC"]) == 0
    assert "432 GPS stamp(s) 1024 weeks (or 2048) before the time their fix was received " \
        "moved forward" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "p.db") as conn:
        got = dict(conn.execute("SELECT vehicle_id, MIN(ts) FROM pings GROUP BY 1").fetchall())
    assert got == {"rolled": START, "batched": START}
