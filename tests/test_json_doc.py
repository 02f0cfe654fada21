"""JSON documents holding a table (json_doc.py): an API's array of objects, the shapes pandas'
to_json writes, objects keyed by vehicle, GeoJSON points and timed lines — each read to the
same pings as the records it was written from."""
import json
import sqlite3

import pandas as pd
import pytest

from auditor.cli import main
from auditor.ingest.api import ingest_paths

T0 = pd.Timestamp("2026-03-02 08:00", tz="UTC")


def _records(n=45):
    return [{"vehicle_id": f"KA-0{i % 3}", "time": (T0 + pd.Timedelta(minutes=i)).isoformat(),
             "lat": round(12.97 + i * 1e-4, 6), "lon": round(77.59 - i * 2e-4, 6),
             "speed": 20 + i % 7}
            for i in range(n)]


def _stored(project):
    with sqlite3.connect(project) as conn:
        return pd.read_sql("SELECT vehicle_id, ts, lat, lon FROM pings ORDER BY vehicle_id, ts",
                           conn)


def _want(records):
    frame = pd.DataFrame({"vehicle_id": [r["vehicle_id"] for r in records],
                          "ts": [int(pd.Timestamp(r["time"]).timestamp()) for r in records],
                          "lat": [r["lat"] for r in records], "lon": [r["lon"] for r in records]})
    return frame.sort_values(["vehicle_id", "ts"], ignore_index=True)


def _by_vehicle(records):
    out = {}
    for r in records:
        out.setdefault(r["vehicle_id"], []).append({k: v for k, v in r.items() if k != "vehicle_id"})
    return out


def _feature_lines(records):
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"vehicle_id": v, "coordTimes": [r["time"] for r in rs]},
         "geometry": {"type": "LineString", "coordinates": [[r["lon"], r["lat"]] for r in rs]}}
        for v, rs in _by_vehicle(_records_as_given(records)).items()]}


def _records_as_given(records):
    return [dict(r) for r in records]


SHAPES = {
    "array": lambda rs: json.dumps(rs, indent=2),
    "wrapped": lambda rs: json.dumps({"status": "ok", "result": {"total": len(rs),
                                                                 "positions": rs}}),
    "pandas_records": lambda rs: pd.DataFrame(rs).to_json(orient="records"),
    "pandas_columns": lambda rs: pd.DataFrame(rs).to_json(),       # to_json's default
    "pandas_index": lambda rs: pd.DataFrame(rs).to_json(orient="index"),
    "pandas_split": lambda rs: pd.DataFrame(rs).to_json(orient="split"),
    "pandas_table": lambda rs: pd.DataFrame(rs).to_json(orient="table"),
    "arrays_per_column": lambda rs: json.dumps({k: [r[k] for r in rs] for k in rs[0]}),
    "keyed_by_vehicle": lambda rs: json.dumps(_by_vehicle(rs)),
    "geojson_points": lambda rs: json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": {k: r[k] for k in ("vehicle_id", "time", "speed")}} for r in rs]}),
    "geojson_timed_lines": lambda rs: json.dumps(_feature_lines(rs)),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_shape_gives_the_pings_it_was_written_from(tmp_path, shape, capsys):
    records = _records()
    path = tmp_path / ("fleet.geojson" if shape.startswith("geojson") else "fleet.json")
    path.write_text(SHAPES[shape](records))
    assert main(["ingest", str(tmp_path / "p.db"), str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["accepted"], summary["quarantined"]) == (len(records), 0)
    assert summary["json_shape"]
    got = _stored(tmp_path / "p.db")
    want = _want(records)
    assert got["vehicle_id"].tolist() == want["vehicle_id"].tolist()
    assert got["ts"].tolist() == want["ts"].tolist()
    assert got["lat"].round(6).tolist() == want["lat"].tolist()
    assert got["lon"].round(6).tolist() == want["lon"].tolist()


def test_an_item_that_is_no_object_is_quarantined_with_its_record_number(tmp_path):
    records = _records(10)
    items = records[:3] + ["garbage", None] + records[3:]
    path = tmp_path / "api.json"
    path.write_text(json.dumps({"data": items}))
    [s] = ingest_paths(tmp_path / "p.db", [path], chunk_rows=4)
    assert (s["read"], s["accepted"], s["quarantined"]) == (12, 10, 2)
    with sqlite3.connect(tmp_path / "p.db") as conn:
        refused = conn.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert refused == [(4, "malformed_row", '"garbage"'), (5, "malformed_row", "null")]
    assert _stored(tmp_path / "p.db")["ts"].tolist() == _want(records)["ts"].tolist()


def test_one_line_document_is_not_read_as_json_lines_and_json_lines_still_are(tmp_path):
    records = _records(12)
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps({"items": records}) + "\n")        # one line: a document
    lines = tmp_path / "lines.json"
    lines.write_text("\n".join(json.dumps(r) for r in records) + "\n")  # one object per line
    [a] = ingest_paths(tmp_path / "a.db", [doc])
    [b] = ingest_paths(tmp_path / "b.db", [lines])
    assert a["file_format"] == "json" and b["file_format"] == "jsonl"
    assert a["accepted"] == b["accepted"] == len(records)
    pd.testing.assert_frame_equal(_stored(tmp_path / "a.db"), _stored(tmp_path / "b.db"))


def test_labels_as_a_json_array_are_labels(tmp_path):
    pings = tmp_path / "pings.json"
    pings.write_text(json.dumps(_records()))
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps([{"vehicle_id": "KA-01", "label": "home", "lat": 12.97,
                                   "lon": 77.59},
                                  {"vehicle_id": "KA-02", "label": "work", "lat": 12.98,
                                   "lon": 77.58}]))
    s = ingest_paths(tmp_path / "p.db", [pings, labels])
    assert [x["kind"] for x in s] == ["pings", "labels"]
    with sqlite3.connect(tmp_path / "p.db") as conn:
        assert conn.execute("SELECT vehicle_id, label FROM labels ORDER BY vehicle_id"
                            ).fetchall() == [("KA-01", "home"), ("KA-02", "work")]
