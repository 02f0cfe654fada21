"""Ingest: quarantine reasons, formats, timestamps, column mapping, kinds (small files)."""
import json
import sqlite3

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.errors import UserError
from auditor.ingest.api import ingest_paths

HEADER = "vehicle_id,timestamp,lat,lon\n"


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def rows(project, sql, *params):
    conn = sqlite3.connect(project)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def track(vehicle="v1", n=6, start=1_700_000_000, step=60, lat=52.5, lon=13.4, dlat=0.0005):
    """A plausible drive: one ping a minute, ~55 m apart."""
    return [(vehicle, start + i * step, lat + i * dlat, lon) for i in range(n)]


def csv_of(points, header=HEADER):
    body = "".join(f"{v},{ts},{la},{lo}\n" for v, ts, la, lo in points)
    return header + body


def quarantined(project):
    return rows(project, "SELECT line, raw, reason, file_name FROM quarantine ORDER BY line")


# ---------------------------------------------------------------- one test per reason
def test_missing_lat_lon(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,1700000000,52.5,13.4\nv1,1700000060,,13.4\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert (s["read"], s["accepted"], s["reasons"]) == (2, 1, {"missing_lat_lon": 1})
    assert quarantined(tmp_path / "p.db") == [(3, "v1,1700000060,,13.4", "missing_lat_lon", "p.csv")]


def test_lat_lon_out_of_range(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,1700000000,95.0,13.4\nv1,1700000060,52,181\n"
              "v1,1700000120,52.5,13.4\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"lat_lon_out_of_range": 2}
    assert [q[0] for q in quarantined(tmp_path / "p.db")] == [2, 3]


def test_bad_timestamp(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,yesterday,52.5,13.4\nv1,2024-02-30T10:00:00Z,52.5,13.4\n"
              "v1,2024-01-01T10:00:00Z,52.5,13.4\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"bad_timestamp": 2} and s["accepted"] == 1


def test_a_reason_refusing_most_of_a_file_is_shown_with_its_first_line_and_the_fix(tmp_path,
                                                                                    capsys):
    from auditor.cli import main
    # (a form of times the import can read - '03/01/2026 01:15:00 PM' - is read: test_time_formats)
    us = "".join(f"v1,{d} days after the 1st,52.5,13.4\n" for d in range(1, 5))
    f = write(tmp_path / "us.csv", HEADER + "v1,2026-03-01T10:00:00Z,52.5,13.4\n" + us
              + "v1,\x1b[2J04/01/2026,52.5,13.4\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "bad_timestamp: 5 — most of the file; line 3: 'v1,1 days after the 1st,52.5,13.4'" \
        in out
    assert "ISO-8601" in out and "epoch seconds" in out
    # a few refused rows are the audit's business, not a format problem: counted only
    g = write(tmp_path / "few.csv", csv_of(track(n=6)) + "v1,yesterday,52.5,13.4\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(g)]) == 0
    out = capsys.readouterr().out
    assert "bad_timestamp: 1\n" in out + "\n" and "most of the file" not in out


def test_a_raw_line_shown_on_the_terminal_is_escaped(tmp_path, capsys):
    from auditor.cli import main
    f = write(tmp_path / "p.csv", HEADER + "v1,\x1b[2Jsoon,52.5,13.4\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b[2Jsoon" in out


def test_missing_vehicle_id(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + " ,1700000000,52.5,13.4\nv1,1700000000,52.5,13.4\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"missing_vehicle_id": 1}
    assert quarantined(tmp_path / "p.db")[0][0] == 2


def test_duplicate_ping_within_file_keeps_the_first(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,1700000000,52.5,13.4\nv2,1700000000,52.5,13.4\n"
              "v1,1700000000,52.5,13.4\nv1,1700000000,52.6,13.4\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"duplicate_ping": 1} and s["accepted"] == 3
    assert quarantined(tmp_path / "p.db")[0][:3] == (4, "v1,1700000000,52.5,13.4", "duplicate_ping")


def test_duplicate_ping_against_the_project(tmp_path):
    project = tmp_path / "p.db"
    ingest_paths(project, [write(tmp_path / "a.csv", csv_of(track(n=3)))])
    again = track(n=3)[1:] + [("v1", 1_700_000_180, 52.5015, 13.4)]
    [s] = ingest_paths(project, [write(tmp_path / "b.csv", csv_of(again))])
    assert s["reasons"] == {"duplicate_ping": 2} and s["accepted"] == 1
    assert rows(project, "SELECT COUNT(*) FROM pings") == [(4,)]


def test_duplicate_ping_across_chunks(tmp_path):
    pts = track(n=8)
    f = write(tmp_path / "p.csv", csv_of(pts + [pts[1]]))
    [s] = ingest_paths(tmp_path / "p.db", [f], chunk_rows=3)
    assert s["reasons"] == {"duplicate_ping": 1}


def _with_glitch(n=9, at=4, vehicle="v1"):
    pts = track(vehicle, n=n)
    v, ts, la, lo = pts[at]
    pts[at] = (v, ts, la + 0.5, lo)  # 55 km in a minute: a GPS glitch
    return pts


def test_impossible_jump_refuses_the_glitch_not_its_neighbours(tmp_path):
    f = write(tmp_path / "p.csv", csv_of(_with_glitch() + track("v2", n=3)))
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"impossible_jump": 1}
    assert quarantined(tmp_path / "p.db")[0][0] == 2 + 4  # header + the 5th data row
    assert rows(tmp_path / "p.db", "SELECT COUNT(*) FROM pings WHERE lat > 52.9") == [(0,)]


@pytest.mark.parametrize("at", [0, 8])
def test_impossible_jump_at_a_vehicles_first_or_last_ping(tmp_path, at):
    f = write(tmp_path / "p.csv", csv_of(_with_glitch(at=at)))
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"impossible_jump": 1}
    assert quarantined(tmp_path / "p.db")[0][0] == 2 + at


def test_a_real_relocation_is_not_a_glitch(tmp_path):
    far = [(v, ts + 3600 * 0, la + 1.0, lo) for v, ts, la, lo in track(n=4, start=1_700_000_240)]
    f = write(tmp_path / "p.csv", csv_of(track(n=4) + far))  # one impossible leg only
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["quarantined"] == 0


def test_impossible_jump_across_chunks_and_unsorted_rows(tmp_path):
    pts = _with_glitch(n=12, at=6)
    f = write(tmp_path / "p.csv", csv_of(pts[::-1]))  # newest first
    for chunk_rows in (2, 5, 100):
        project = tmp_path / f"p{chunk_rows}.db"
        [s] = ingest_paths(project, [f], chunk_rows=chunk_rows)
        assert s["reasons"] == {"impossible_jump": 1}, chunk_rows
        assert rows(project, "SELECT COUNT(*) FROM pings WHERE lat > 52.9") == [(0,)]


def test_impossible_jump_judged_against_the_projects_pings(tmp_path):
    project = tmp_path / "p.db"
    pts = track(n=10)
    ingest_paths(project, [write(tmp_path / "a.csv", csv_of(pts[:4] + pts[5:]))])
    v, ts, la, lo = pts[4]
    [s] = ingest_paths(project, [write(tmp_path / "b.csv", csv_of([(v, ts, la + 0.5, lo)]))])
    assert s["reasons"] == {"impossible_jump": 1}


def test_unknown_label_and_label_coordinates(tmp_path):
    f = write(tmp_path / "l.csv", "vehicle_id,label,lat,lon\nv1, Home ,52.5,13.4\nv1,WORK,52.6,13.5\n"
              "v2,gym,52.5,13.4\nv3,home,,13.4\nv4,work,91,13.4\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["kind"] == "labels"
    assert s["reasons"] == {"unknown_label": 1, "missing_lat_lon": 1, "lat_lon_out_of_range": 1}
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, label, source_line FROM labels "
                "ORDER BY label_id") == [("v1", "home", 2), ("v1", "work", 3)]


def test_row_with_too_many_fields_is_quarantined_with_its_line(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,1700000000,52.5,13.4\nv1,1700000060,52.5,13.4,oops\n"
              "\nv1,1700000120,52.5,13.4\nv1,bad,52.5,13.4\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["reasons"] == {"malformed_row": 1, "bad_timestamp": 1} and s["read"] == 4
    assert [(q[0], q[2]) for q in quarantined(tmp_path / "p.db")] == [(3, "malformed_row"),
                                                                      (6, "bad_timestamp")]


# ---------------------------------------------------------------- formats and encodings
def test_utf8_bom_and_aliases(tmp_path):
    f = write(tmp_path / "p.csv", "VehicleID,Time,Latitude,Longitude\nv1,2024-01-01T10:00:00Z,52.5,13.4\n",
              encoding="utf-8-sig")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert (s["kind"], s["accepted"]) == ("pings", 1)


@pytest.mark.parametrize("header, fields", [
    # AIS (marine cadastre): SOG is knots, so it is not read as speed_mps
    ("MMSI,BaseDateTime,LAT,LON,SOG,COG,VesselName",
     {"vehicle_id": "MMSI", "timestamp": "BaseDateTime", "lat": "LAT", "lon": "LON",
      "heading_deg": "COG"}),
    ("Device ID,GPS Time,GPS Lat,GPS Lng", {"vehicle_id": "Device ID", "timestamp": "GPS Time",
                                           "lat": "GPS Lat", "lon": "GPS Lng"}),
    ("imei;fix_time;latitude_deg;longitude_deg", {"vehicle_id": "imei", "timestamp": "fix_time",
                                                  "lat": "latitude_deg",
                                                  "lon": "longitude_deg"}),
])
def test_other_exporters_headers_import_without_a_map(tmp_path, header, fields):
    """Trackers, telematics platforms and AIS name the columns their own way: the import (and
    the wizard's guess) reads these headers as pings with no --map; SOG stays unread."""
    from auditor.ingest.columns import resolve
    names = header.replace(";", ",").split(",")
    assert resolve(names, None, "f") == fields
    sep = ";" if ";" in header else ","
    values = {"vehicle_id": "v1", "timestamp": "2024-01-01T10:00:00Z", "lat": "52.5",
              "lon": "13.4", "heading_deg": "90"}
    row = [values.get(next((k for k, c in fields.items() if c == n), ""), "x") for n in names]
    f = write(tmp_path / "p.csv", header + "\n" + sep.join(row) + "\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert (s["kind"], s["accepted"]) == ("pings", 1)
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, lat, lon, speed_mps FROM pings") == [
        ("v1", 52.5, 13.4, None)]


def test_latin1_vehicles_metadata(tmp_path):
    f = write(tmp_path / "v.csv", "vehicle_id;city;fleet\nv1;München;blue\nv2;Köln;\n", "latin-1")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["kind"] == "vehicles" and s["accepted"] == 2
    meta = dict(rows(tmp_path / "p.db", "SELECT vehicle_id, meta FROM vehicles"))
    assert json.loads(meta["v1"]) == {"city": "München", "fleet": "blue"}
    assert meta["v2"] == '{"city": "Köln", "fleet": ""}'  # sorted keys, strings


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters(tmp_path, sep):
    lines = ["vehicle_id", "timestamp", "lat", "lon"], ["v1", "2024-01-01T10:00:00Z", "52.5", "13.4"]
    f = write(tmp_path / "p.csv", "".join(sep.join(r) + "\n" for r in lines))
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert s["accepted"] == 1


def test_semicolon_file_with_decimal_commas(tmp_path):
    f = write(tmp_path / "p.csv", "vehicle_id;timestamp;lat;lon\nv1;1700000000;52,5;13,25\n")
    ingest_paths(tmp_path / "p.db", [f])
    assert rows(tmp_path / "p.db", "SELECT lat, lon FROM pings") == [(52.5, 13.25)]


def test_epoch_seconds_and_milliseconds(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,1700000000,52.5,13.4\nv2,1700000000123,52.5,13.4\n")
    ingest_paths(tmp_path / "p.db", [f])
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, ts, utc_offset_min FROM pings "
                "ORDER BY vehicle_id") == [("v1", 1700000000, None), ("v2", 1700000000, None)]


def test_mixed_offsets_in_one_file(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,2024-01-01T12:00:00+01:00,52.5,13.4\n"
              "v2,2024-01-01T06:00:00-05:00,40.7,-74.0\nv3,2024-01-01T11:00:00Z,51.5,0.0\n"
              "v4,2024-01-01 16:30:00.250+05:30,19.0,72.8\n")
    ingest_paths(tmp_path / "p.db", [f])
    got = rows(tmp_path / "p.db", "SELECT vehicle_id, ts, utc_offset_min FROM pings ORDER BY vehicle_id")
    assert got == [("v1", 1704106800, 60), ("v2", 1704106800, -300), ("v3", 1704106800, 0),
                   ("v4", 1704106800, 330)]


@pytest.mark.parametrize("tz", [None, "America/Chicago"])
def test_iso_basic_form_and_hour_only_stamps_carry_their_offset(tmp_path, tz):
    """ISO-8601's basic form (no '-' or ':') and an hour-only time state their offset as well:
    they were taken for naive stamps — "has no UTC offset" for a 'Z', and with --tz an internal
    error. A stated offset wins over --tz."""
    f = write(tmp_path / "p.csv", HEADER + "v1,20240101T120000+0100,52.5,13.4\n"
              "v2,20240101T1100Z,51.5,0.0\nv3,2024-01-01T06-05,40.7,-74.0\n"
              "v4,20240101T163000.25+05:30,19.0,72.8\n")
    ingest_paths(tmp_path / "p.db", [f], tz=tz)
    got = rows(tmp_path / "p.db", "SELECT vehicle_id, ts, utc_offset_min FROM pings ORDER BY vehicle_id")
    assert got == [("v1", 1704106800, 60), ("v2", 1704106800, 0), ("v3", 1704106800, -300),
                   ("v4", 1704106800, 330)]


def test_offsets_only_pandas_reads_never_fail_the_import(monkeypatch):
    """Should a stamp carry an offset in a form the offset pattern misses (here: a pattern
    that knows none), pandas still reads it: stamps that all share such an offset keep their
    instant and offset, and beside naive stamps or other offsets (pandas: "Mixed timezones")
    they are refused rows (bad_timestamp, the line shown), not a traceback."""
    import pyarrow as pa

    from auditor.ingest import timestamps
    monkeypatch.setattr(timestamps, "_OFFSET", r"(?P<offset>NEVER)$")
    # (not the fixed-width export form, which is read before any pattern)
    aware = timestamps.parse(pa.array(["2024-01-01 12:00:00.5+01:00", "2024-01-01 13:00+01:00"]),
                             "America/Chicago")
    assert aware.ok.tolist() == [True, True]
    assert aware.ts.tolist() == [1704106800, 1704110400] and aware.offset_min.tolist() == [60, 60]
    mixed = timestamps.parse(pa.array(["2024-01-01T12:00:00", "2024-01-01 12:00+01:00"]),
                             "Europe/Berlin")
    assert mixed.ok.tolist() == [False, False] and not mixed.naive.any()


@pytest.mark.parametrize("written, hint, hours", [
    ("europe/berlin", "did you mean 'Europe/Berlin'?", None),
    ("+01:00", "write Etc/GMT-1", 1), ("UTC-5", "write Etc/GMT+5", -5),
    ("GMT +3", "write Etc/GMT-3", 3), ("+05:30", "no Etc/ name", None),
    ("UTC+0", "is UTC", None), ("Mars/Olympus", None, None),
])
def test_a_zone_that_is_no_zone_name_gets_the_name_to_write(written, hint, hours):
    """The Etc/ name suggested is a real zone at the offset written (Etc/GMT-1 is UTC+1)."""
    import datetime
    import zoneinfo

    from auditor.ingest.timestamps import zone_hint
    got = zone_hint(written)
    assert (got is None) if hint is None else (hint in got)
    if hours is not None:
        name = got.split("write ")[1].split(" ")[0]
        offset = datetime.datetime(2026, 1, 1, tzinfo=zoneinfo.ZoneInfo(name)).utcoffset()
        assert offset == datetime.timedelta(hours=hours)


def test_naive_with_tz_including_dst_edges(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,2024-01-01 12:00:00,52.5,13.4\n"
              "v2,2024-03-31T02:30:00,52.5,13.4\n"   # does not exist in Berlin: moved forward
              "v3,2024-10-27T02:30:00,52.5,13.4\n")  # exists twice: the first (summer) one
    ingest_paths(tmp_path / "p.db", [f], tz="Europe/Berlin")
    got = rows(tmp_path / "p.db", "SELECT vehicle_id, ts, utc_offset_min FROM pings ORDER BY vehicle_id")
    assert got == [("v1", 1704106800, 60), ("v2", 1711846800, 120), ("v3", 1729989000, 120)]


def test_naive_without_tz_is_a_user_error(tmp_path):
    f = write(tmp_path / "p.csv", HEADER + "v1,2024-01-01 12:00:00,52.5,13.4\n")
    with pytest.raises(UserError, match=r"p\.csv: line 2: naive timestamps .*--tz ZONE"):
        ingest_paths(tmp_path / "p.db", [f])
    assert not (tmp_path / "p.db").exists()


def test_parquet(tmp_path):
    import pandas as pd
    table = pa.table({
        "vehicle_id": ["v1", "v1", None],
        "timestamp": pd.to_datetime(["2024-01-01 12:00", "2024-01-01 12:01", "2024-01-01 12:02"]
                                    ).tz_localize("Europe/Berlin"),
        "lat": [52.5, 52.5005, 52.5], "lon": [13.4, 13.4, 13.4], "speed_mps": [1.5, None, 2.0],
    })
    pq.write_table(table, tmp_path / "p.parquet", row_group_size=2)
    [s] = ingest_paths(tmp_path / "p.db", [tmp_path / "p.parquet"], chunk_rows=2)
    assert (s["file_format"], s["accepted"], s["reasons"]) == ("parquet", 2, {"missing_vehicle_id": 1})
    assert rows(tmp_path / "p.db", "SELECT ts, utc_offset_min, speed_mps FROM pings ORDER BY ts") == [
        (1704106800, 60, 1.5), (1704106860, 60, None)]
    assert quarantined(tmp_path / "p.db")[0][0] == 3


GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>truck-7</name>
  <trkseg><trkpt lat="52.5" lon="13.4"><time>2024-01-01T10:00:00Z</time></trkpt>
          <trkpt lat="52.5005" lon="13.4"><time>2024-01-01T10:01:00Z</time></trkpt></trkseg>
  <trkseg><trkpt lat="52.6" lon="13.5"><time>2024-01-01T12:00:00Z</time></trkpt></trkseg>
 </trk>
 <trk><trkseg><trkpt lat="48.1" lon="11.5"><time>2024-01-01T09:00:00+01:00</time></trkpt></trkseg></trk>
</gpx>
"""


def test_gpx_tracks_become_pings(tmp_path):
    # two tracks, one after the other in time: one device's log, one vehicle named after the
    # file; --map vehicle_id=track makes each track a vehicle (its <name>, else the file's)
    f = write(tmp_path / "drive.gpx", GPX)
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert (s["kind"], s["file_format"], s["accepted"]) == ("pings", "gpx", 4)
    assert s["gpx_tracks_one_vehicle"] == {"tracks": 2, "vehicle": "drive"}
    got = rows(tmp_path / "p.db", "SELECT vehicle_id, ts, trip_id FROM pings ORDER BY ts")
    assert got == [("drive", 1704096000, "track2.segment1"), ("drive", 1704103200, "track1.segment1"),
                   ("drive", 1704103260, "track1.segment1"), ("drive", 1704110400, "track1.segment2")]
    [s] = ingest_paths(tmp_path / "q.db", [f], column_map={"vehicle_id": "track"})
    assert "gpx_tracks_one_vehicle" not in s
    got = rows(tmp_path / "q.db", "SELECT vehicle_id, ts, trip_id FROM pings ORDER BY ts")
    assert got == [("drive", 1704096000, "track2.segment1"), ("truck-7", 1704103200, "track1.segment1"),
                   ("truck-7", 1704103260, "track1.segment1"), ("truck-7", 1704110400, "track1.segment2")]


# ---------------------------------------------------------------- columns and kinds
def test_map_renames_source_columns(tmp_path):
    f = write(tmp_path / "ais.csv", "MMSI,BaseDateTime,LAT,LON,SOG\n123,2024-01-01T10:00:00Z,52.5,13.4,3\n")
    [s] = ingest_paths(tmp_path / "p.db", [f], column_map={
        "vehicle_id": "MMSI", "timestamp": "BaseDateTime", "lat": "LAT", "lon": "LON",
        "speed_mps": "sog"})
    assert s["accepted"] == 1
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, speed_mps FROM pings") == [("123", 3.0)]


def test_map_errors_name_field_column_and_what_is_there(tmp_path):
    f = write(tmp_path / "ais.csv", "MMSI,t,LAT,LON\n123,1700000000,52.5,13.4\n")
    with pytest.raises(UserError, match=r"unknown field 'colour'.*vehicle_id"):
        ingest_paths(tmp_path / "p.db", [f], column_map={"colour": "MMSI"})
    with pytest.raises(UserError, match=r"vehicle_id=SHIP: no column 'SHIP'.*MMSI, t, LAT, LON"):
        ingest_paths(tmp_path / "p.db", [f], column_map={"vehicle_id": "SHIP"})
    assert not (tmp_path / "p.db").exists()


def test_vehicles_reimport_replaces_metadata(tmp_path):
    project = tmp_path / "p.db"
    ingest_paths(project, [write(tmp_path / "v.csv", "vehicle_id,fleet\nv1,blue\nv2,red\n")])
    ingest_paths(project, [write(tmp_path / "v.csv", "vehicle_id,fleet,region\nv1,green,north\n")])
    meta = dict(rows(project, "SELECT vehicle_id, meta FROM vehicles"))
    assert json.loads(meta["v1"]) == {"fleet": "green", "region": "north"}
    assert json.loads(meta["v2"]) == {"fleet": "red"}


def test_repeat_import_is_a_noop_but_new_options_are_not(tmp_path):
    project = tmp_path / "p.db"
    f = write(tmp_path / "p.csv", HEADER + "v1,2024-01-01 12:00:00,52.5,13.4\n")
    [first] = ingest_paths(project, [f], tz="UTC")
    [again] = ingest_paths(project, [f], tz="UTC")
    assert first["skipped"] is False and again["skipped"] is True
    assert (again["read"], again["accepted"]) == (0, 0)
    assert rows(project, "SELECT COUNT(*) FROM imports") == [(1,)]
    [other] = ingest_paths(project, [f], tz="Europe/Berlin")  # new options: a new import
    assert other["skipped"] is False and other["accepted"] == 1
    imp = rows(project, "SELECT kind, file_name, size_bytes, options_key, rows_read, tz, "
               "column_map, file_format FROM imports ORDER BY import_id")[0]
    assert imp == ("pings", "p.csv", f.stat().st_size, '{"column_map": {}, "tz": "UTC"}', 1,
                   "UTC", "{}", "csv")


def test_same_file_same_result_byte_for_byte(tmp_path):
    f = write(tmp_path / "p.csv", csv_of(_with_glitch() + track("v0", n=5)[::-1] + track("v0", n=2)))
    dumps = []
    for name in ("a.db", "b.db"):
        ingest_paths(tmp_path / name, [f], chunk_rows=4)
        dumps.append(rows(tmp_path / name, "SELECT * FROM pings ORDER BY ping_id")
                     + rows(tmp_path / name, "SELECT * FROM quarantine ORDER BY quarantine_id"))
    assert dumps[0] == dumps[1]


def test_file_whose_rows_are_all_refused(tmp_path):
    f = write(tmp_path / "l.csv", "vehicle_id,label,lat,lon\n,home,0,0\nv1,gym,0,0\n")
    [s] = ingest_paths(tmp_path / "p.db", [f])
    assert (s["read"], s["accepted"], s["quarantined"]) == (2, 0, 2)
    assert rows(tmp_path / "p.db", "SELECT COUNT(*) FROM labels") == [(0,)]


def test_first_import_rebuilds_the_pings_index_and_later_ones_keep_it(tmp_path):
    project = tmp_path / "p.db"
    index_sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pings'"
    ingest_paths(project, [write(tmp_path / "v.csv", "vehicle_id,fleet\nv1,a\n")])
    before = rows(project, index_sql)
    assert before  # the schema's (vehicle_id, ts) index

    def stop(done, total, message):
        if "rows" in message:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # dropped inside the import's transaction...
        ingest_paths(project, [write(tmp_path / "a.csv", csv_of(track(n=9)))], progress=stop,
                     chunk_rows=3)
    assert rows(project, index_sql) == before  # ...so a rollback brings it back
    ingest_paths(project, [write(tmp_path / "a.csv", csv_of(track(n=9)))], chunk_rows=3)
    ingest_paths(project, [write(tmp_path / "b.csv", csv_of(track("v2", n=3)))])
    assert rows(project, index_sql) == before
    plan = rows(project, "EXPLAIN QUERY PLAN SELECT * FROM pings WHERE vehicle_id = 'v1' AND ts > 0")
    assert "pings_vehicle_ts" in str(plan)


def test_line_numbers_stay_exact_across_blocks_and_chunks(tmp_path):
    """Malformed and blank lines spread over a file of several read blocks (> 1 MiB each)."""
    lines = [HEADER.strip()]
    bad_lines, blank_lines = [], []
    for i in range(90_000):
        line_no = len(lines) + 1
        if i % 9_973 == 5:
            lines.append(f"v{i % 7},{1_700_000_000 + i * 60},52.5,13.4,extra")
            bad_lines.append(line_no)
        elif i % 12_345 == 7:
            lines.append("")
            blank_lines.append(line_no)
        elif i % 15_000 == 9:
            lines.append(f"v{i % 7},not-a-time,52.5,13.4")
            bad_lines.append(line_no)
        else:
            lines.append(f"v{i % 7},{1_700_000_000 + i * 60},{52.5 + (i % 100) * 1e-4:.4f},13.4")
    f = write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    assert f.stat().st_size > 2 * 1024 * 1024
    [s] = ingest_paths(tmp_path / "p.db", [f], chunk_rows=7_000)
    assert s["read"] == 90_000 - len(blank_lines)
    got = rows(tmp_path / "p.db", "SELECT line, raw FROM quarantine ORDER BY line")
    assert [g[0] for g in got] == bad_lines
    assert all(raw == lines[line - 1] for line, raw in got)


def test_duplicates_across_many_chunks_of_a_shuffled_file(tmp_path):
    """The first import remembers earlier chunks by ping_id runs: the same duplicates are found
    whatever the chunking, in any row order."""
    import random
    rng = random.Random(4)
    pts = [p for v in ("a", "b", "c") for p in track(v, n=60, step=30)]
    rows_ = pts + rng.sample(pts, 40)  # 40 repeats
    rng.shuffle(rows_)
    f = write(tmp_path / "p.csv", csv_of(rows_))
    found = []
    for chunk_rows in (7, 50, 10_000):
        project = tmp_path / f"p{chunk_rows}.db"
        [s] = ingest_paths(project, [f], chunk_rows=chunk_rows)
        assert s["reasons"] == {"duplicate_ping": 40} and s["accepted"] == 180
        found.append(rows(project, "SELECT vehicle_id, ts, lat, lon FROM pings ORDER BY 1, 2"))
    assert found[0] == found[1] == found[2]


# ---------------------------------------------------------------- gzip-compressed exports
def test_a_folder_takes_compressed_csv_and_the_same_rows_compressed_are_known(tmp_path, capsys):
    import gzip

    from auditor.cli import main
    folder = tmp_path / "exports"
    folder.mkdir()
    text = csv_of(track(n=6))
    (folder / "day1.csv.gz").write_bytes(gzip.compress(text.encode()))
    (folder / "notes.txt.gz").write_bytes(gzip.compress(b"not data"))
    assert main(["ingest", str(tmp_path / "p.db"), str(folder)]) == 0
    out = capsys.readouterr().out
    assert "day1.csv.gz: pings: 6 rows read, 6 accepted" in out and "notes" not in out
    assert rows(tmp_path / "p.db", "SELECT count(*) FROM pings") == [(6,)]
    plain = write(tmp_path / "day1.csv", text)  # the same rows, not compressed: known
    assert main(["ingest", str(tmp_path / "p.db"), str(plain)]) == 0
    assert "already imported" in capsys.readouterr().out


@pytest.mark.parametrize("damage", ["cut", "not_gzip_inside"])
def test_a_damaged_gzip_file_is_one_line_naming_it(tmp_path, capsys, damage):
    import gzip

    from auditor.cli import main
    whole = gzip.compress(csv_of(track(n=2000)).encode())
    data = whole[:len(whole) // 2] if damage == "cut" else whole[:10] + b"\x00" * 40
    f = tmp_path / "p.csv.gz"
    f.write_bytes(data)
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "p.csv.gz: the compressed file is cut short or damaged" in err
    assert "Traceback" not in err


def test_every_refused_label_reason_is_shown_with_its_first_line(tmp_path, capsys):
    from auditor.cli import main
    f = write(tmp_path / "labels.csv", "vehicle_id,label,lat,lon\nv1,home,52.5,13.4\n"
              "v2,work,52.6,13.5\nv3,Home,52.7,13.6\nv4,office,52.8,13.7\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "unknown_label: 1 — line 5: 'v4,office,52.8,13.7'" in out
    assert "most of the file" not in out and "a given label is home or work" in out
    # the fix names only values that are taken: 'other' is a class, not a given label
    f.write_text("vehicle_id,label,lat,lon\nv5,other,52.9,13.8\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "unknown_label: 1" in out
    assert out.splitlines()[-1].strip() == "a given label is home or work (rename the rest, e.g. " \
        "office -> work)"


def test_a_gpx_file_without_times_says_what_to_export(tmp_path, capsys):
    """A GPX file has no column to convert: track points without <time> get the GPX advice."""
    from auditor.cli import main
    f = write(tmp_path / "t.gpx", '<?xml version="1.0"?><gpx version="1.1" creator="x" '
              'xmlns="http://www.topografix.com/GPX/1/1"><trk><name>car 1</name><trkseg>'
              '<trkpt lat="48.1" lon="11.5"></trkpt><trkpt lat="48.11" lon="11.5"></trkpt>'
              '</trkseg></trk></gpx>')
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "bad_timestamp: 2 — most of the file" in out
    assert out.rstrip().endswith("the track points have no <time> (or one that is not "
                                 "ISO-8601) — export the tracks with their times")
    assert "convert the column" not in out


def test_labels_one_row_per_vehicle_with_a_column_pair_per_label(tmp_path, capsys):
    """A survey writes each vehicle's home and work on one line (home_lat, home_lon, work_lat,
    work_lon): it was imported as vehicle metadata — no label at all, and nothing said."""
    from auditor.cli import main
    f = write(tmp_path / "survey.csv",
              "vehicle_id,home_lat,home_lon,work_lat,work_lon,timezone\n"
              "v1,52.5,13.4,52.52,13.45,Europe/Berlin\n"
              "v2,48.1,11.5,,,Europe/Berlin\n"           # no workplace: no work row
              "v3,48.2,11.6,95.0,11.7,Europe/Berlin\n")  # a bad work pair: its row refused
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["kind"], s["read"], s["accepted"], s["reasons"]) == (
        "labels", 5, 4, {"lat_lon_out_of_range": 1})
    assert s["wide_labels"] == ["home", "work"] and s["columns_not_read"] == ["timezone"]
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, label, lat FROM labels ORDER BY label_id") \
        == [("v1", "home", 52.5), ("v1", "work", 52.52), ("v2", "home", 48.1), ("v3", "home", 48.2)]
    assert [q[0] for q in quarantined(tmp_path / "p.db")] == [4]
    g = write(tmp_path / "s2.csv", "vehicle_id,home_lat,home_lon,work_lat\nv9,52.5,13.4,52.52\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(g)]) == 1  # half a pair: say so
    assert "no work_lon column for labels" in capsys.readouterr().err
    # a long-form labels file with such columns too: label, lat and lon win
    h = write(tmp_path / "long.csv", "vehicle_id,label,lat,lon,home_lat,home_lon\n"
                                     "v5,work,50.0,8.0,50.1,8.1\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(h), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 1


def test_a_vehicle_named_twice_with_different_metadata_is_said(tmp_path, capsys):
    """Two rows for one vehicle with different timezones: the last was kept without a word
    (and local time then read the other zone's clock)."""
    from auditor.cli import main
    f = write(tmp_path / "vehicles.csv", "vehicle_id,timezone,depot\nv1,America/Chicago,n\n"
                                         "v2,Europe/Berlin,s\nv1,Asia/Tokyo,n\nv2,Europe/Berlin,s\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["vehicles_named_twice"] == {"vehicles": 1,  # v2 twice, the same: no matter
                                         "example": "v1: timezone America/Chicago, then Asia/Tokyo"}
    assert rows(tmp_path / "p.db", "SELECT meta FROM vehicles WHERE vehicle_id = 'v1'") == [
        ('{"depot": "n", "timezone": "Asia/Tokyo"}',)]
    g = write(tmp_path / "again.csv", "vehicle_id,timezone\nv1,America/Chicago\nv1,Asia/Tokyo\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(g)]) == 0
    assert "1 vehicle(s) named twice with different metadata (e.g. v1: timezone " \
           "America/Chicago, then Asia/Tokyo): the last row is kept" in capsys.readouterr().out


def test_a_column_holding_both_coordinates(tmp_path, capsys):
    """A GIS export's geometry as WKT ('POINT(13.4 52.5)'), GeoJSON-style '[lon, lat]', or a
    'lat,lon' pair in one column: 'no lat / lon column' refused every such file."""
    from auditor.cli import main
    f = write(tmp_path / "p.csv", "vehicle_id,timestamp,geom\n"
              'v1,2026-03-02T10:00:00Z,POINT(13.4 52.5)\n'
              'v1,2026-03-02T10:01:00Z,SRID=4326;POINT Z (13.401 52.501 35)\n'
              'v1,2026-03-02T10:02:00Z,"[13.402, 52.502]"\n'
              'v1,2026-03-02T10:03:00Z,"52.503,13.403"\n'
              'v1,2026-03-02T10:04:00Z,"(52.504, 13.404)"\n'
              'v1,2026-03-02T10:05:00Z,52.505 13.405\n'
              'v1,2026-03-02T10:06:00Z,"-122.33,47.61"\n'   # lon first: -122 is no latitude
              'v1,2026-03-02T10:07:00Z,0101000020E6100000\n')  # WKB: not read
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["accepted"] == 6 and s["reasons"] == {"impossible_jump": 1, "missing_lat_lon": 1}
    assert rows(tmp_path / "p.db", "SELECT lat, lon FROM pings ORDER BY ts") == [
        (52.5, 13.4), (52.501, 13.401), (52.502, 13.402), (52.503, 13.403), (52.504, 13.404),
        (52.505, 13.405)]
    labels = write(tmp_path / "l.csv", "vehicle_id,label,location\nv1,home,\"52.5,13.4\"\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(labels), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["accepted"] == 1


def test_a_geometry_column_in_wkb_hex(tmp_path, capsys):
    """A PostGIS table exported as it is writes its geometry column as (E)WKB in hex
    ('0101000020E6100000…'): every row was refused as missing_lat_lon. Points are read in
    either byte order, with or without an SRID, Z or M; other geometries are still refused."""
    import struct

    from auditor.cli import main

    def ewkb(lon, lat, *, srid=None, z=None, big=False):
        order = ">" if big else "<"
        kind = 1 | (0x20000000 if srid else 0) | (0x80000000 if z is not None else 0)
        body = struct.pack(order + "I", kind) + (struct.pack(order + "I", srid) if srid else b"")
        body += struct.pack(order + "dd", lon, lat) + (struct.pack(order + "d", z) if z else b"")
        return ((b"\x00" if big else b"\x01") + body).hex()

    points = [(13.4, 52.5, {}), (13.401, 52.501, {"srid": 4326}),
              (13.402, 52.502, {"big": True}), (13.403, 52.503, {"srid": 4326, "z": 35.0}),
              (-122.33, 47.61, {"srid": 4326, "big": True})]
    lines = [f"v{i},2026-03-02T10:0{i}:00Z,{ewkb(lon, lat, **kw).upper() if i % 2 else ewkb(lon, lat, **kw)}"
             for i, (lon, lat, kw) in enumerate(points)]
    lines.append("v9,2026-03-02T10:09:00Z,010200000000000000")   # a line string: no point
    f = write(tmp_path / "p.csv", "vehicle_id,timestamp,the_geom\n" + "\n".join(lines) + "\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["accepted"] == 5 and s["reasons"] == {"missing_lat_lon": 1}
    assert rows(tmp_path / "p.db", "SELECT lat, lon FROM pings ORDER BY vehicle_id") == [
        (lat, lon) for lon, lat, _ in points]


def test_a_labels_file_whose_label_column_has_another_name(tmp_path, capsys):
    """vehicle_id, type, lat, lon with 'Home'/'Work' in 'type': with no column named label it
    was taken for vehicle metadata — imported as such, no label and nothing said."""
    from auditor.cli import main
    f = write(tmp_path / "l.csv", "vehicle_id,type,lat,lon\nv1,Home,52.5,13.4\n"
                                  "v1,Work,52.52,13.45\nv2,home,48.1,11.5\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert "labels: 3 rows read, 3 accepted" in out
    assert "its column 'type' says home or work" in out
    assert rows(tmp_path / "p.db", "SELECT vehicle_id, label FROM labels ORDER BY label_id") == [
        ("v1", "home"), ("v1", "work"), ("v2", "home")]
    # vehicle metadata with coordinates (a depot) and no such column stays metadata, and
    # --kind vehicles is obeyed
    g = write(tmp_path / "v.csv", "vehicle_id,shift,lat,lon\nv1,day,52.5,13.4\nv2,night,48,11\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(g), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "vehicles"
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--kind", "vehicles", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "vehicles"


def test_the_timezone_column_under_other_names(tmp_path):
    """'tz' or 'time_zone' is each vehicle's clock; an exact 'timezone' wins, and a delivery
    'zone' is metadata."""
    from auditor.ingest.columns import zone_column
    assert zone_column(["vehicle_id", "zone", "TZ"]) == "TZ"
    assert zone_column(["vehicle_id", "tz", "Time_Zone"]) == "Time_Zone"
    assert zone_column(["vehicle_id", "tz", "timezone"]) == "timezone"
    assert zone_column(["vehicle_id", "zone"]) is None
    f = write(tmp_path / "v.csv", "vehicle_id,zone,tz\nv1,north,Europe/Berlin\n")
    ingest_paths(tmp_path / "p.db", [f])
    assert rows(tmp_path / "p.db", "SELECT meta FROM vehicles") == [
        ('{"timezone": "Europe/Berlin", "zone": "north"}',)]


@pytest.mark.parametrize("unit, factor", [("km/h", 3.6), ("mph", 2.236936), ("knots", 1.943844),
                                          ("m/s", 1.0)])
def test_a_speed_column_in_other_units_is_stored_in_metres_per_second(unit, factor, tmp_path,
                                                                      capsys):
    """A tracker's 'speed' in km/h was stored as m/s: a trip's speed plot showed 3.6x the
    real speed. The unit is told by the speed between fixes, converted, and said."""
    from auditor.cli import main
    # 40 fixes 10 s apart, 150 m apart: 15 m/s, recorded in ``unit`` with a little noise
    pts = track(n=40, step=10, dlat=150 / 111_195)
    noise = [1 + 0.02 * ((i % 5) - 2) for i in range(40)]
    body = "".join(f"{v},{ts},{la},{lo},{15 * factor * k:.2f}\n"
                   for (v, ts, la, lo), k in zip(pts, noise))
    f = write(tmp_path / "p.csv", "vehicle_id,timestamp,lat,lon,speed\n" + body)
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s.get("speed_unit", {}).get("unit") == (None if unit == "m/s" else unit)
    stored = [r[0] for r in rows(tmp_path / "p.db", "SELECT speed_mps FROM pings")]
    assert all(abs(x - 15) < 1.0 for x in stored)  # (the 4% noise kept)
    assert main(["ingest", str(tmp_path / "q.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert (f"speed read as {unit} (its values are" in out) == (unit != "m/s")


def test_km_h_read_a_tenth_low_against_noisy_fixes_is_still_km_h(tmp_path, capsys):
    """Fixes with noise or 3-decimal coordinates make the speed between them read high: a
    French tracker's km/h came out 3.24x that speed, outside the 7% band that keeps mph and
    knots apart, and was stored as m/s (3.6x too fast). km/h and m/s lie far from every other
    unit, so their band is wider."""
    from auditor.cli import main
    pts = track(n=40, step=10, dlat=150 / 111_195)
    body = "".join(f"{v},{ts},{la},{lo},{15 * 3.24:.2f}\n" for v, ts, la, lo in pts)
    f = write(tmp_path / "p.csv", "vehicle_id,timestamp,lat,lon,vitesse\n" + body)
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["speed_unit"]["unit"] == "km/h"
    assert {round(r[0], 2) for r in rows(tmp_path / "p.db", "SELECT speed_mps FROM pings")} \
        == {13.5}


def test_a_speed_ratio_between_two_units_names_neither(tmp_path, capsys):
    """2.09x the speed between fixes is neither mph (2.24) nor knots (1.94): left as it is."""
    from auditor.cli import main
    pts = track(n=40, step=10, dlat=150 / 111_195)
    body = "".join(f"{v},{ts},{la},{lo},{15 * 2.09:.2f}\n" for v, ts, la, lo in pts)
    f = write(tmp_path / "p.csv", "vehicle_id,timestamp,lat,lon,speed\n" + body)
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    assert "speed_unit" not in json.loads(capsys.readouterr().out)
    assert {r[0] for r in rows(tmp_path / "p.db", "SELECT speed_mps FROM pings")} == {31.35}


@pytest.mark.parametrize("header, stored", [("speed_kmh", 15.0), ("Speed (mph)", 24.14),
                                             ("vitesse", 54.0)])
def test_a_speed_column_named_in_its_unit_is_read_in_it(header, stored, tmp_path, capsys):
    """Exporters name the unit in the header ('speed_kmh'; a French file's 'vitesse'). Such a
    column was not read at all (speed_mps empty, nothing said). Where the first rows cannot
    tell the unit by the speed between fixes (a parked vehicle here: no driving pair), the
    header's unit is used and said; a header without one is stored as it is, m/s."""
    from auditor.cli import main
    pts = [("v1", 1_700_000_000 + 10 * i, 52.5, 13.4) for i in range(30)]  # parked
    body = "".join(f"{v},{ts},{la},{lo},54\n" for v, ts, la, lo in pts)
    f = write(tmp_path / "p.csv", f"vehicle_id,timestamp,lat,lon,{header}\n" + body)
    assert main(["ingest", str(tmp_path / "p.db"), str(f)]) == 0
    out = capsys.readouterr().out
    assert {round(r[0], 2) for r in rows(tmp_path / "p.db", "SELECT speed_mps FROM pings")} \
        == {stored}
    assert ("its column's name says so" in out) == (header != "vitesse")


def test_fixes_on_a_coarse_grid_or_a_minute_clock_are_no_glitches(tmp_path):
    """A de-identified export: coordinates rounded to 3 decimals (a grid ~110 m apart: at
    one fix a second the step to the next grid point is 'faster' than any car), or stamps cut
    to the minute (a drive's fixes of one minute share a stamp). Such fixes were refused as
    impossible jumps by the thousand; a glitch of 55 km is still one."""
    # parked on a grid line, reporting every second with a receiver's 4 m jitter: the
    # rounded fix flickers between two grid points 111 m apart
    jitter = np.random.default_rng(0).normal(0, 4 / 111_195, 120)
    coarse = [("v1", 1_700_000_001 + i, round(52.5005 + jitter[i], 3), 13.4) for i in range(120)]
    coarse[60] = ("v1", coarse[60][1], coarse[60][2] + 0.5, 13.4)
    minute = []
    for i in range(60):    # a fix every 10 s, stamped with its minute
        t = 1_699_999_980 + 10 * i
        minute.append(("v2", t - t % 60, round(52.5 + i * 250 / 111_195, 6), 13.5))
    minute[30] = ("v2", minute[30][1], minute[30][2] + 0.5, 13.5)
    for name, pts in (("coarse", coarse), ("minute", minute)):
        [s] = ingest_paths(tmp_path / f"{name}.db", [write(tmp_path / f"{name}.csv",
                                                           csv_of(pts))])
        assert s["reasons"] == {"impossible_jump": 1}, name
        assert rows(tmp_path / f"{name}.db", "SELECT COUNT(*) FROM pings WHERE lat > 52.9") \
            == [(0,)]


def test_longitudes_counted_east_past_180_are_read_west_of_it(tmp_path, capsys):
    """A satellite tracker on Taveuni (Fiji) writes longitudes 0-360° east: its fixes east of
    180 (180.12 = -179.88) were quarantined as out of range, so a car crossing the meridian
    every day lost half its fixes and a Samoan car all of them."""
    from auditor.cli import main
    t0 = 1_790_000_000
    lines = [f"tav1,{t0 + 30 * i},-16.8,{179.96 + 0.004 * i:.4f}" for i in range(21)]
    lines += [f"apia,{t0 + 30 * i},-13.83,{188.24 + 0.0003 * i:.4f}" for i in range(5)]
    # one value past 180 among a vehicle's fixes is a corrupt one, not a convention
    lines += [f"bad,{t0},-16.8,{360.5}", f"e7,{t0},-16.8,1799600000", f"one,{t0},52.5,13.4",
              f"one,{t0 + 60},52.5,181.0", f"one,{t0 + 120},52.5,13.41"]
    f = write(tmp_path / "fiji.csv", HEADER + "\n".join(lines) + "\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(f), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["accepted"], s["reasons"]) == (28, {"lat_lon_out_of_range": 3})
    assert s["lon_east_of_180"] == 10 + 5
    with sqlite3.connect(tmp_path / "p.db") as conn:
        lon = dict(conn.execute("SELECT vehicle_id || ts, lon FROM pings").fetchall())
    assert lon[f"tav1{t0}"] == pytest.approx(179.96)
    assert lon[f"tav1{t0 + 600}"] == pytest.approx(180.04 - 360)
    assert lon[f"apia{t0}"] == pytest.approx(188.24 - 360)
    labels = write(tmp_path / "labels.csv", "vehicle_id,label,lat,lon\napia,home,-13.83,188.24\n"
                   "apia,work,-13.84,188.26\n")
    assert main(["ingest", str(tmp_path / "p.db"), str(labels)]) == 0
    assert "longitude(s) counted 0-360° east" not in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "p.db") as conn:
        assert conn.execute("SELECT lon FROM labels ORDER BY label").fetchall() == [
            (pytest.approx(-171.76),), (pytest.approx(-171.74),)]
    assert main(["ingest", str(tmp_path / "q.db"), str(f)]) == 0
    assert "15 longitude(s) counted 0-360° east read as west of 180°" in capsys.readouterr().out
