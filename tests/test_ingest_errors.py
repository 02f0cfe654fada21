"""Ingest refuses bad files with one readable line and leaves the project as it was:
byte-identical when it existed, absent when it did not; interrupted imports keep nothing."""
import hashlib
import shutil
import sqlite3

import pytest

from auditor.errors import Cancelled, UserError
from auditor.ingest.api import ingest_paths

HEADER = "vehicle_id,timestamp,lat,lon\n"
GOOD = HEADER + "".join(f"v{i % 3},{1_700_000_000 + 60 * i},52.{5000 + i},13.4\n" for i in range(30))


@pytest.fixture(scope="module")
def base_project(tmp_path_factory):
    """A small project with one import, checkpointed into a single file."""
    d = tmp_path_factory.mktemp("base")
    (d / "good.csv").write_text(GOOD)
    ingest_paths(d / "base.db", [d / "good.csv"])
    conn = sqlite3.connect(d / "base.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return d / "base.db"


@pytest.fixture
def project(base_project, tmp_path):
    target = tmp_path / "project.db"
    shutil.copyfile(base_project, target)
    return target


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zipped(members: dict) -> bytes:
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _file(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


BAD_FILES = {
    "missing": (None, "no such file"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "zero_bytes": (b"", "empty file"),
    # (UTF-16 is read: test_ingest_hardening.py; was 'UTF-16 text — save it again')
    "utf16_header_only": ("vehicle_id,timestamp,lat,lon\n".encode("utf-16"), "header only"),
    "zip_unknown": (b"PK\x03\x04" + bytes(40), "zip file or spreadsheet workbook"),
    # (a readable .xlsx is read: tests/test_workbook.py)
    "excel_damaged": (_zipped({"xl/workbook.xml": "<workbook/>", "[Content_Types].xml": "<Types/>"}),
                      "an Excel workbook that cannot be read .* save it again"),
    "excel_97": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), r"Excel 97-2003 workbook \(.xls\)"),
    "opendocument": (_zipped({"content.xml": "<office:document-content/>", "mimetype": "x"}),
                     "a spreadsheet workbook that is not Excel's .xlsx"),
    "zip_of_csv": (_zipped({"export/pings.csv": HEADER, "export/labels.csv": "x"}),
                   "a zip archive holding export/pings.csv, export/labels.csv — unzip it"),
    # was 'empty file (header only, no rows)'
    # (JSON documents holding a table are read: tests/test_json_doc.py; was 'JSON (GeoJSON?),
    # not a table')
    "geojson_lines_without_times": (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
        '"geometry": {"type": "LineString", "coordinates": [[13.4, 52.5], [13.5, 52.6]]}}]}',
        "GeoJSON lines without a time per vertex"),
    "json_array_of_arrays": ('[["v1", 52.5, 13.4],\n ["v1", 52.6, 13.4]]\n', "no field names"),
    "json_cut_short": ('{"data": [{"vehicle_id": "v1", "lat": 52.5},', "not valid JSON"),
    "json_without_a_table": ('{"status": "ok", "count": 0, "positions": []}\n',
                             "JSON with no table in it"),
    "header_only": (HEADER, "header only"),
    "header_and_blank_lines": (HEADER + "\n\n", "header only"),
    "no_lat_column": ("vehicle_id,timestamp,lon\nv1,1700000000,13.4\n", "no lat column"),
    "not_a_table": ("hello world\nthis is prose\n", "not a table"),
    "naive_without_tz": (HEADER + "v1,2024-01-01 10:00:00,52.5,13.4\n", "--tz ZONE"),
    "bad_parquet": (b"PAR1 definitely not parquet", "Parquet"),
    "bad_gpx": ("<?xml version='1.0'?><gpx><trk><trkseg><trkpt lat=", "GPX"),
    "gpx_without_tracks": ("<?xml version='1.0'?><gpx version='1.1'></gpx>", "no track points"),
    # was 'no track points in this GPX file'
    "kml": ("<?xml version='1.0'?><kml xmlns='http://www.opengis.net/kml/2.2'><Placemark>"
            "<Point><coordinates>13.4,52.5</coordinates></Point></Placemark></kml>",
            "no timed positions in this KML file .1 placemark.s. without a time"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_leaves_project_byte_identical(tmp_path, project, case):
    data, message = BAD_FILES[case]
    suffix = {"bad_parquet": ".parquet", "bad_gpx": ".gpx", "gpx_without_tracks": ".gpx",
              "kml": ".kml"}
    path = tmp_path / f"input{suffix.get(case, '.csv')}"
    if data is not None:
        _file(tmp_path, path.name, data)
    before = digest(project)
    with pytest.raises(UserError, match=message) as err:
        ingest_paths(project, [path])
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert digest(project) == before
    assert not (tmp_path / "project.db-wal").exists() or digest(project) == before


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_does_not_create_a_project(tmp_path, case):
    data, message = BAD_FILES[case]
    path = tmp_path / ("input.gpx" if "gpx" in case else "input.parquet" if "parquet" in case
                       else "input.csv")
    if data is not None:
        _file(tmp_path, path.name, data)
    with pytest.raises(UserError, match=message):
        ingest_paths(tmp_path / "new.db", [path])
    assert sorted(p.name for p in tmp_path.iterdir()) == ([path.name] if data is not None else [])


@pytest.mark.parametrize("options,message", [
    ({"tz": "Mars/Olympus"}, "unknown time zone"),
    ({"column_map": {"speed": "x"}}, "unknown field 'speed'"),
    ({"column_map": {"lat": "nope"}}, "no column 'nope'"),
    ({"kind": "trips"}, "--kind trips"),
    ({"kind": "labels"}, "no label column"),
])
def test_bad_options_leave_project_byte_identical(tmp_path, project, options, message):
    good = _file(tmp_path, "good.csv", GOOD)
    before = digest(project)
    with pytest.raises(UserError, match=message):
        ingest_paths(project, [good], **options)
    assert digest(project) == before


def test_a_later_file_failing_validation_imports_nothing(tmp_path, project):
    good = _file(tmp_path, "more.csv", HEADER + "v9,1700000000,50.0,10.0\n")
    before = digest(project)
    with pytest.raises(UserError):
        ingest_paths(project, [good, tmp_path / "missing.csv"])
    assert digest(project) == before


def test_not_a_project_file_is_refused_and_untouched(tmp_path):
    notes = _file(tmp_path, "notes.db", "my notes")
    with pytest.raises(UserError, match="not an auditor project"):
        ingest_paths(notes, [_file(tmp_path, "good.csv", GOOD)])
    assert notes.read_text() == "my notes"


def test_error_found_mid_file_rolls_back(tmp_path, project):
    # chunk 1 is fine; chunk 2 holds a naive timestamp: found only while importing
    late = GOOD + "v1,2024-01-01 10:00:00,52.5,13.4\n"
    path = _file(tmp_path, "late.csv", late)
    before = digest(project)
    with pytest.raises(UserError, match="line 32: naive timestamps"):
        ingest_paths(project, [path], chunk_rows=10)
    assert digest(project) == before
    with pytest.raises(UserError):
        ingest_paths(tmp_path / "fresh.db", [path], chunk_rows=10)
    assert not (tmp_path / "fresh.db").exists()


def _interrupt_after(calls, exc):
    seen = []

    def progress(done, total, message):
        seen.append(message)
        if len(seen) == calls:
            raise exc

    return progress, seen


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), Cancelled()])
def test_interrupted_import_leaves_project_exactly_as_before(tmp_path, project, exc):
    path = _file(tmp_path, "more.csv", HEADER + GOOD[len(HEADER):].replace("v", "w"))
    before = digest(project)
    progress, seen = _interrupt_after(3, exc)  # start, chunk 1, chunk 2: stop mid-file
    with pytest.raises(type(exc)):
        ingest_paths(project, [path], progress=progress, chunk_rows=5)
    assert "rows" in seen[-1]  # it really stopped between chunks
    assert digest(project) == before
    conn = sqlite3.connect(project)
    assert conn.execute("SELECT COUNT(*) FROM imports").fetchone() == (1,)
    assert conn.execute("SELECT COUNT(*) FROM pings WHERE vehicle_id LIKE 'w%'").fetchone() == (0,)
    conn.close()


def test_interrupted_import_into_a_new_project_leaves_no_file(tmp_path):
    path = _file(tmp_path, "good.csv", GOOD)
    progress, _ = _interrupt_after(3, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(tmp_path / "new.db", [path], progress=progress, chunk_rows=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.csv"]


def test_progress_reaches_the_end(tmp_path):
    path = _file(tmp_path, "good.csv", GOOD)
    calls = []
    ingest_paths(tmp_path / "p.db", [path], progress=lambda d, t, m: calls.append((d, t)),
                 chunk_rows=7)
    assert calls[-1] == (1, 1) and len(calls) >= 5
    assert all(d <= t for d, t in calls) and [d for d, _ in calls] == sorted(d for d, _ in calls)
