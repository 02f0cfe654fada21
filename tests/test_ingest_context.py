"""A file's rows are judged the same whether it is a project's first import (ImportMemory: no
index yet) or comes after others (the pings index): duplicates and jumps against the pings
stored before them, for files whose chunks interleave in time. (Against one chunk holding the
whole file they can differ: rows stored from an earlier chunk are trusted neighbours.)"""
import sqlite3

import numpy as np
import pandas as pd
import pytest

from auditor.ingest.api import ingest_paths

T0 = pd.Timestamp("2025-01-13", tz="UTC").value // 10**9


def _interleaved(seed: int) -> pd.DataFrame:
    """Three vehicles a fix a minute, written in the order they were taken (a data lake's
    daily partitions); a block of each vehicle's rows stamped 8 h late (a partition read in
    the wrong zone), so the rows after it overlap its stamps; a few repeats and glitches."""
    rng = np.random.default_rng(seed)
    parts = []
    for k, v in enumerate(["A", "B", "C"]):
        n = 900
        t = T0 + 60 * np.arange(n)
        taken = t.copy()
        lat = 22.5 + k * 0.1 + np.cumsum(rng.normal(3e-4, 2e-4, n))  # driving north
        lon = 114.0 + np.cumsum(rng.normal(0, 2e-4, n))
        late = (np.arange(n) >= 300) & (np.arange(n) < 420)
        t = np.where(late, t + 8 * 3600, t)
        glitch = rng.random(n) < 0.01
        lat = np.where(glitch, lat + 0.3, lat)
        frame = pd.DataFrame({"vehicle_id": v, "ts": t, "lat": lat.round(6), "lon": lon.round(6),
                              "taken": taken})
        parts.append(frame)
    rows = pd.concat(parts, ignore_index=True)
    rows = pd.concat([rows.sort_values("taken", kind="stable"),
                      rows.sample(15, random_state=seed)], ignore_index=True)
    return rows.drop(columns="taken")


def _verdicts(project) -> pd.DataFrame:
    with sqlite3.connect(project) as conn:
        kept = pd.read_sql("SELECT vehicle_id, ts, lat, lon FROM pings WHERE vehicle_id != 'Z' "
                           "ORDER BY vehicle_id, ts, lat", conn)
        refused = conn.execute("SELECT line, reason FROM quarantine q JOIN imports i "
                               "USING (import_id) WHERE i.file_name = 'pings.csv' "
                               "ORDER BY line").fetchall()
    return kept, refused


@pytest.mark.parametrize("seed,chunk_rows", [(1, 400), (2, 250), (3, 1000), (4, 40)])
def test_a_first_import_judges_rows_as_a_later_one(tmp_path, seed, chunk_rows):
    path = tmp_path / "pings.csv"
    _interleaved(seed).assign(timestamp=lambda f: pd.to_datetime(f["ts"], unit="s").dt.strftime(
        "%Y-%m-%dT%H:%M:%SZ")).drop(columns="ts").to_csv(path, index=False)
    other = tmp_path / "other.csv"  # another vehicle, far away: nothing to judge A-C by
    other.write_text("vehicle_id,timestamp,lat,lon\nZ,2025-01-01T00:00:00Z,-33.9,18.4\n")
    ingest_paths(tmp_path / "first.db", [path], chunk_rows=chunk_rows)
    ingest_paths(tmp_path / "later.db", [other], chunk_rows=chunk_rows)
    ingest_paths(tmp_path / "later.db", [path], chunk_rows=chunk_rows)
    first, later = _verdicts(tmp_path / "first.db"), _verdicts(tmp_path / "later.db")
    assert first[1] == later[1]
    pd.testing.assert_frame_equal(first[0], later[0])
    assert {r for _, r in first[1]} >= {"duplicate_ping", "impossible_jump"}
