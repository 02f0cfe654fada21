"""A device writing its dates month first in a file written day first (date_order.py): its
rows are read month first from the chunk its own rows show it on, the other vehicles' as the
file is."""
import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from auditor.cli import main
from auditor.ingest.api import ingest_paths

# 3 April to 22 May 2026, noon UTC each day: days above and below 12 in three months
DAYS = pd.date_range("2026-04-03 12:00", "2026-05-22 12:00", freq="1D", tz="UTC")


def _rows(vehicle: str, form: str, lat0: float) -> pd.DataFrame:
    """A vehicle with a fix every 10 minutes for an hour each day; stamps in ``form``, UTC."""
    t = (DAYS.tz_convert(None).to_numpy()[:, None] + np.arange(6)[None, :] * np.timedelta64(600, "s")).ravel()
    t = pd.DatetimeIndex(t)
    return pd.DataFrame({"vehicle_id": vehicle, "timestamp": t.strftime(form),
                         "lat": lat0 + 1e-5 * np.arange(len(t)), "lon": -46.63,
                         "true_ts": t.as_unit("s").asi8})


@pytest.fixture
def merged(tmp_path):
    rows = pd.concat([_rows("A", "%d/%m/%Y %H:%M:%S", -23.55), _rows("B", "%d/%m/%Y %H:%M:%S", -23.60),
                      _rows("MDY", "%m/%d/%Y %H:%M:%S", -23.65)], ignore_index=True)
    path = tmp_path / "pings.csv"
    rows.drop(columns="true_ts").to_csv(path, index=False)
    return rows, path


def _stored(project) -> pd.DataFrame:
    with sqlite3.connect(project) as conn:
        return pd.read_sql("SELECT vehicle_id, ts, lat FROM pings", conn)


@pytest.mark.parametrize("chunk_rows", [7, 50, 100_000])
def test_a_device_writing_month_first_in_a_day_first_file_is_read_month_first(merged, tmp_path,
                                                                                  chunk_rows):
    """Before: MDY's rows after the 12th were refused as bad timestamps and those up to the
    12th stored a month or more away (05/03 as 5 March). Now every row is stored at its true
    time, whichever chunk sizes cut the file (its first day, 04/03, reads both ways: the
    first chunk holding a row only month first reads it so)."""
    rows, path = merged
    project = tmp_path / f"p{chunk_rows}.db"
    [s] = ingest_paths(project, [path], tz="UTC", chunk_rows=chunk_rows)
    assert s["time_format"]["format"] == "%d/%m/%Y %H:%M:%S"
    stored = _stored(project)
    stored["lat"] = stored["lat"].round(6)
    got = rows.assign(lat=rows["lat"].round(6)).merge(stored, on=["vehicle_id", "lat"],
                                                      how="left", validate="one_to_one")
    right = (got["ts"] == got["true_ts"]).groupby(got["vehicle_id"]).sum()
    per_vehicle = len(DAYS) * 6
    assert right["A"] == right["B"] == per_vehicle
    if chunk_rows >= 3 * per_vehicle:  # one chunk: every row
        assert right["MDY"] == per_vehicle and s["quarantined"] == 0
    else:
        # rows in chunks before the one that showed MDY's order: at most its first ten days
        # (3-12 April read both ways) and the two rows of 13 April before the third
        assert per_vehicle - 6 * 10 - 2 <= right["MDY"] < per_vehicle
    assert s["other_date_order"]["format"] == "%m/%d/%Y %H:%M:%S"
    assert set(s["other_date_order"]["vehicles"]) == {"MDY"}


def test_the_import_names_the_vehicle_and_a_few_stray_rows_move_nothing(merged, tmp_path,
                                                                         capsys):
    rows, path = merged
    project = tmp_path / "p.db"
    assert main(["ingest", str(project), str(path), "--tz", "UTC"]) == 0
    out = capsys.readouterr().out
    assert ("1 vehicle(s) write their dates the other way round, month first "
            "('%m/%d/%Y %H:%M:%S'): MDY (300 rows)") in out
    # a day-first vehicle with two garbled stamps that happen to read month first: still
    # day first (one or two rows are no device's habit), the two refused
    stray = pd.concat([_rows("C", "%d/%m/%Y %H:%M:%S", -23.70).drop(columns="true_ts"),
                       pd.DataFrame({"vehicle_id": "C", "timestamp": ["04/25/2026 13:00:00",
                                                                      "05/30/2026 13:00:00"],
                                     "lat": -23.7, "lon": -46.63})], ignore_index=True)
    stray.to_csv(tmp_path / "c.csv", index=False)
    assert main(["ingest", str(tmp_path / "q.db"), str(tmp_path / "c.csv"), "--tz", "UTC",
                 "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["reasons"] == {"bad_timestamp": 2} and "other_date_order" not in s


def test_a_file_half_each_way_asks_for_an_order_and_then_reads_each_vehicle_its_way(tmp_path,
                                                                                  capsys):
    """One vehicle day first, one month first: the file's readings refuse as many rows each.
    The error says so (it said 'no day in the file is above 12', which was not true), and with
    either --time-format both vehicles are stored at their times."""
    rows = pd.concat([_rows("A", "%d/%m/%Y %H:%M:%S", -23.55),
                      _rows("MDY", "%m/%d/%Y %H:%M:%S", -23.65)], ignore_index=True)
    path = tmp_path / "half.csv"
    rows.drop(columns="true_ts").to_csv(path, index=False)
    assert main(["ingest", str(tmp_path / "p.db"), str(path), "--tz", "UTC"]) == 1
    err = capsys.readouterr().err
    assert "read only day first on some rows and only month first on as many others" in err
    for k, form in enumerate(("%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M:%S")):
        project = tmp_path / f"q{k}.db"
        assert main(["ingest", str(project), str(path), "--tz", "UTC", "--time-format",
                     form]) == 0
        stored = _stored(project).sort_values(["vehicle_id", "ts"])
        want = rows.sort_values(["vehicle_id", "true_ts"])
        assert stored["ts"].tolist() == want["true_ts"].tolist(), form


def test_a_month_first_device_in_a_file_stating_each_rows_zone_is_read_in_that_zone(merged,
                                                                                      tmp_path):
    """Wall times with each row's zone beside them (row_zones.py) and one device writing
    month first: its other reading is read in its rows' zone too. Before: stored as if its wall
    times were UTC, 3 hours late for São Paulo's -03:00 (the other vehicles right)."""
    rows, _ = merged
    local = pd.to_datetime(rows["true_ts"], unit="s") - pd.Timedelta(hours=3)
    form = np.where(rows["vehicle_id"] == "MDY", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S")
    text = [t.strftime(f) for t, f in zip(local, form)]
    path = tmp_path / "zoned.csv"
    rows.assign(timestamp=text, time_zone="UTC-03:00").drop(columns="true_ts").to_csv(
        path, index=False)
    [s] = ingest_paths(path.with_suffix(".db"), [path])
    assert s["quarantined"] == 0 and set(s["other_date_order"]["vehicles"]) == {"MDY"}
    stored = _stored(path.with_suffix(".db"))
    stored["lat"] = stored["lat"].round(6)
    got = rows.assign(lat=rows["lat"].round(6)).merge(stored, on=["vehicle_id", "lat"],
                                                      validate="one_to_one")
    assert (got["ts"] == got["true_ts"]).all()
