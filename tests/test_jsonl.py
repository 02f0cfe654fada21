"""JSON Lines pings (an API dump, one object per line; jsonl.py): read like a CSV, nested
objects as dotted columns, broken lines quarantined with their line number."""
import gzip
import json
import sqlite3

import pandas as pd
import pytest

from auditor.cli import main
from auditor.ingest.api import ingest_paths

T0 = pd.Timestamp("2026-03-02 08:00", tz="UTC")


def _objects(n=40):
    return [{"placa": "ABC-1" if i % 2 else "XYZ-2",
             "ts": (T0 + pd.Timedelta(minutes=i)).isoformat(),
             "pos": {"lat": 25.77 + i * 1e-4, "lon": -100.18}, "speed_kmh": 30 + i}
            for i in range(n)]


def _lines(objects):
    return [json.dumps(o) for o in objects]


def _stored(project):
    with sqlite3.connect(project) as conn:
        pings = pd.read_sql("SELECT vehicle_id, ts, lat, lon FROM pings ORDER BY ts, vehicle_id", conn)
        refused = conn.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()
    return pings, refused


@pytest.mark.parametrize("chunk_rows", [7, 100_000])
def test_json_lines_with_nested_fields_a_blank_and_a_broken_line(tmp_path, chunk_rows):
    objects = _objects()
    lines = _lines(objects)
    lines[5] = lines[5][:-9]                     # cut mid-object (line 6)
    lines[11] = json.dumps({**objects[11], "speed_kmh": "N/A"})  # text where numbers were
    lines.insert(20, "")                         # a blank line 21: no row, holds its number
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n")
    [s] = ingest_paths(tmp_path / "p.db", [path], chunk_rows=chunk_rows)
    assert (s["read"], s["accepted"], s["quarantined"]) == (40, 39, 1)
    pings, refused = _stored(tmp_path / "p.db")
    assert refused == [(6, "malformed_row")]
    want = pd.DataFrame([o for i, o in enumerate(objects) if i != 5])
    assert pings["vehicle_id"].tolist() == want["placa"].tolist()
    assert pings["ts"].tolist() == [int(pd.Timestamp(t).timestamp()) for t in want["ts"]]
    assert pings["lat"].round(6).tolist() == [round(p["lat"], 6) for p in want["pos"]]


def test_gzip_json_lines_and_an_empty_geojson(tmp_path, capsys):
    path = tmp_path / "dump.ndjson.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(_lines(_objects())))     # no newline after the last line
    assert main(["ingest", str(tmp_path / "p.db"), str(path), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["accepted"], s["quarantined"]) == (40, 0)
    geo = tmp_path / "points.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    assert main(["ingest", str(tmp_path / "q.db"), str(geo)]) == 1
    assert "a JSON table with no rows" in capsys.readouterr().err
