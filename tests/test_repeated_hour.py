"""Naive local stamps in the hour that happens twice when summer time ends (repeated_hour.py):
a vehicle logging through it is stored in true time, read by the order of its own rows."""
import sqlite3

import numpy as np
import pandas as pd
import pytest

from auditor.cli import main
from auditor.ingest.api import ingest_paths

# Paris: 25 October 2026, 03:00 CEST -> 02:00 CET (01:00 UTC); London the same instant,
# 02:00 BST -> 01:00 GMT
THROUGH = pd.date_range("2026-10-24 23:00", "2026-10-25 02:30", freq="5min", tz="UTC")


def _drive(vehicle: str, zone: str, lat0: float, lon0: float) -> pd.DataFrame:
    """A vehicle moving north every 5 minutes through the night of the change: its wall-clock
    stamps in ``zone`` (naive) and the true UTC seconds of each."""
    wall = THROUGH.tz_convert(zone).tz_localize(None)
    return pd.DataFrame({"vehicle_id": vehicle, "timestamp": wall.strftime("%Y-%m-%d %H:%M:%S"),
                         "lat": lat0 + 0.002 * np.arange(len(THROUGH)), "lon": lon0,
                         "true_ts": THROUGH.as_unit("s").asi8})


def _stored(project) -> pd.DataFrame:
    with sqlite3.connect(project) as conn:
        return pd.read_sql("SELECT vehicle_id, ts, lat FROM pings", conn)


def _wrong(rows: pd.DataFrame, project) -> pd.Series:
    """Per vehicle, how many stored stamps differ from the true time."""
    got = rows.merge(_stored(project), on=["vehicle_id", "lat"], validate="one_to_one")
    assert len(got) == len(rows)
    return (got["ts"] != got["true_ts"]).groupby(got["vehicle_id"]).sum()


@pytest.fixture
def paris(tmp_path):
    rows = pd.concat([_drive("A", "Europe/Paris", 48.85, 2.35),
                      _drive("B", "Europe/Paris", 48.70, 2.20)], ignore_index=True)
    # the second (CET) pass of the hour really is in the file: the wall clock goes back
    wall = rows["timestamp"].str[11:13]
    assert (wall == "02").sum() == 2 * 24
    path = tmp_path / "pings.csv"
    rows.drop(columns="true_ts").to_csv(path, index=False)
    return rows, path


def test_a_drive_through_the_repeated_hour_is_stored_in_true_time(paris, tmp_path, capsys):
    rows, path = paris
    project = tmp_path / "p.db"
    assert main(["ingest", str(project), str(path), "--tz", "Europe/Paris"]) == 0
    assert _wrong(rows, project).tolist() == [0, 0]
    out = capsys.readouterr().out
    assert "24 stamp(s) in the hour that happens twice" in out  # 12 per vehicle


def test_the_repeated_hour_is_read_alike_across_chunk_boundaries(paris, tmp_path):
    """The clock going back in one chunk and the second pass read in the next: the same."""
    rows, path = paris
    for chunk_rows in (5, 11, 40):
        project = tmp_path / f"p{chunk_rows}.db"
        (summary,) = ingest_paths(project, [path], tz="Europe/Paris", chunk_rows=chunk_rows)
        assert _wrong(rows, project).tolist() == [0, 0], chunk_rows
        assert summary["repeated_hour_second"] == 24


def test_rows_out_of_time_order_keep_the_first_reading(tmp_path):
    """Shuffled rows prove nothing by their order: every stamp of the hour stays the first
    (summer) occurrence, as for a lone stamp, and the rest are stored in true time."""
    rows = _drive("C", "Europe/Paris", 48.85, 2.35).sample(frac=1.0, random_state=3)
    path = tmp_path / "pings.csv"
    rows.drop(columns="true_ts").to_csv(path, index=False)
    (summary,) = ingest_paths(tmp_path / "p.db", [path], tz="Europe/Paris")
    got = rows.merge(_stored(tmp_path / "p.db"), on=["vehicle_id", "lat"])
    second_pass = (got["true_ts"] >= 1792890000) & (got["true_ts"] < 1792893600)  # 01:00-02:00Z
    assert (got.loc[second_pass, "ts"] == got.loc[second_pass, "true_ts"] - 3600).all()
    assert (got.loc[~second_pass, "ts"] == got.loc[~second_pass, "true_ts"]).all()
    assert "repeated_hour_second" not in summary


def test_each_vehicles_own_zone_has_its_repeated_hour_read_by_order(tmp_path):
    """--tz vehicle: London and Paris cars in one file of naive wall times, each in the zone
    of its metadata; both zones' repeated hours (an hour apart in wall time) come out right."""
    rows = pd.concat([_drive("L", "Europe/London", 51.50, -0.12),
                      _drive("P", "Europe/Paris", 48.85, 2.35)], ignore_index=True)
    pings, vehicles = tmp_path / "pings.csv", tmp_path / "vehicles.csv"
    rows.drop(columns="true_ts").to_csv(pings, index=False)
    pd.DataFrame({"vehicle_id": ["L", "P"],
                  "timezone": ["Europe/London", "Europe/Paris"]}).to_csv(vehicles, index=False)
    summaries = ingest_paths(tmp_path / "p.db", [vehicles, pings], tz="vehicle", chunk_rows=30)
    assert _wrong(rows, tmp_path / "p.db").to_dict() == {"L": 0, "P": 0}
    assert summaries[1]["repeated_hour_second"] == 24
