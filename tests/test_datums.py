"""Coordinates in GCJ-02, BD-09 or the Tokyo datum, moved to WGS-84 on import (datums.py)."""
import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from auditor.cli import main
from auditor.errors import UserError
from auditor.ingest.api import ingest_paths
from auditor.ingest.datums import gcj02_from_wgs84, to_wgs84

# WGS-84 points across mainland China: Beijing, Shanghai, Shenzhen, Urumqi, Harbin, Lhasa
CHINA = np.array([[39.9088, 116.3975], [31.2304, 121.4737], [22.5431, 114.0579],
                  [43.8256, 87.6168], [45.8038, 126.5350], [29.6520, 91.1721]])


def _metres(a, b):
    dlat = (a[:, 0] - b[:, 0]) * 111_320
    dlon = (a[:, 1] - b[:, 1]) * 111_320 * np.cos(np.radians(a[:, 0]))
    return np.hypot(dlat, dlon)


def _bd09_from_gcj02(lat, lon):
    """Baidu's published forward transform, written here as the test's own oracle."""
    x_pi = np.pi * 3000.0 / 180.0
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * x_pi)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * x_pi)
    return z * np.sin(theta) + 0.006, z * np.cos(theta) + 0.0065


def test_each_datum_goes_back_to_the_gps_point():
    glat, glon = gcj02_from_wgs84(CHINA[:, 0], CHINA[:, 1])
    shift = _metres(np.c_[glat, glon], CHINA)
    assert ((shift > 100) & (shift < 800)).all()       # GCJ-02 is a few hundred metres off
    back = np.column_stack(to_wgs84(glat, glon, "gcj02"))
    assert _metres(back, CHINA).max() < 0.05
    blat, blon = _bd09_from_gcj02(glat, glon)
    # (Baidu's published inverse is itself approximate, to a decimetre or so)
    assert _metres(np.column_stack(to_wgs84(blat, blon, "bd09")), CHINA).max() < 0.5
    # outside mainland China the services publish GPS's own point: nothing to move
    outside = np.array([[35.6812, 139.7671], [-33.45, -70.66]])
    assert np.allclose(np.column_stack(to_wgs84(outside[:, 0], outside[:, 1], "gcj02")), outside)
    # Tokyo Tower in the old Tokyo datum: GSI's figures put WGS-84 ~0.0032° north and west
    lat, lon = to_wgs84(np.array([35.6586]), np.array([139.7454]), "tokyo")
    assert abs(lat[0] - 35.6586 - 0.00323) < 1e-4 and abs(lon[0] - 139.7454 + 0.00321) < 1e-4


def test_pings_and_labels_in_gcj02_are_stored_in_wgs84(tmp_path, capsys):
    t = pd.date_range("2025-01-13 00:00", periods=len(CHINA), freq="6h", tz="UTC")
    glat, glon = gcj02_from_wgs84(CHINA[:, 0], CHINA[:, 1])
    pings = pd.DataFrame({"vehicle_id": [f"v{i}" for i in range(len(CHINA))],
                          "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "lat": glat.round(7), "lon": glon.round(7)})
    pings.to_csv(tmp_path / "pings.csv", index=False)
    pings.assign(label="home").drop(columns="timestamp").to_csv(tmp_path / "labels.csv",
                                                                 index=False)
    assert main(["ingest", str(tmp_path / "p.db"), str(tmp_path / "pings.csv"),
                 str(tmp_path / "labels.csv"), "--datum", "gcj02", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [s["datum"] for s in out] == ["gcj02", "gcj02"]
    with sqlite3.connect(tmp_path / "p.db") as conn:
        for table in ("pings", "labels"):
            got = np.array(conn.execute(f"SELECT lat, lon FROM {table} ORDER BY vehicle_id")
                           .fetchall())
            assert _metres(got, CHINA).max() < 0.1, table
    # the same file read as WGS-84 is another import, not 'already imported'
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "pings.csv"])
    assert not s["skipped"] and s["accepted"] == len(CHINA) and "datum" not in s
    with pytest.raises(UserError, match="--datum nad27: use one of"):
        ingest_paths(tmp_path / "p.db", [tmp_path / "pings.csv"], datum="nad27")
