"""Whatever the input, ingest either imports it or raises UserError — never another exception —
and never leaves partial rows: accepted + quarantined == read, or the project is unchanged."""
import csv
import hashlib
import io
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.errors import UserError
from auditor.ingest.api import ingest_paths

HEADER = "vehicle_id,timestamp,lat,lon\n"
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def base_project(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("prop")
    (d / "seed.csv").write_text(HEADER + "".join(
        f"v{i % 2},{1_700_000_000 + 60 * i},52.{5000 + i},13.4\n" for i in range(20)))
    ingest_paths(d / "p.db", [d / "seed.csv"])
    conn = sqlite3.connect(d / "p.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return d / "p.db"


def _counts(project: Path) -> dict:
    conn = sqlite3.connect(project)
    try:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("pings", "labels", "vehicles", "quarantine", "imports")}
    finally:
        conn.close()


def check_ingest(base_project: Path, data: bytes, name: str = "input.csv", **options) -> None:
    base = base_project.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        project, source = Path(tmp) / "p.db", Path(tmp) / name
        project.write_bytes(base)
        source.write_bytes(data)
        before, digest = _counts(project), hashlib.sha256(base).hexdigest()
        try:
            [summary] = ingest_paths(project, [source], **options)
        except UserError as exc:
            assert "\n" not in str(exc)
            assert hashlib.sha256(project.read_bytes()).hexdigest() == digest
            return
        after = _counts(project)
        assert summary["accepted"] + summary["quarantined"] == summary["read"]
        assert sum(summary["reasons"].values()) == summary["quarantined"]
        assert after["quarantine"] - before["quarantine"] == summary["quarantined"]
        assert after["imports"] - before["imports"] == 1
        table = {"pings": "pings", "labels": "labels", "vehicles": "vehicles"}[summary["kind"]]
        grown = after[table] - before[table]
        if table == "vehicles":  # an upsert: a repeated id updates its row
            assert grown <= summary["accepted"]
        else:
            assert grown == summary["accepted"]


@SETTINGS
@given(data=st.one_of(st.binary(max_size=400),
                      st.binary(max_size=400).map(lambda b: HEADER.encode() + b),
                      st.binary(max_size=200).map(lambda b: b"vehicle_id;label;lat;lon\n" + b)))
def test_arbitrary_bytes_import_or_user_error(base_project, data):
    check_ingest(base_project, data)


@SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".parquet", ".gpx"]))
def test_arbitrary_bytes_as_parquet_or_gpx(base_project, data, suffix):
    check_ingest(base_project, data, name="input" + suffix)


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_timestamp = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),                       # naive
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.builds(lambda d, h: d.isoformat() + f"{h:+03d}:00", st.datetimes(), st.integers(-12, 14)),
    st.integers(-10**15, 10**15).map(str),
    st.floats(allow_nan=True).map(str),
    # a file's own forms (auditor.ingest.time_formats): regional, 12-hour, ctime with a zone,
    # a zone named after the time, spreadsheet serial days
    st.builds(lambda d, f: d.strftime(f), st.datetimes(),
              st.sampled_from(["%d.%m.%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%d/%m/%y %H:%M",
                               "%a %b %d %H:%M:%S CET %Y", "%Y-%m-%d %H:%M:%S Europe/Berlin",
                               "%d %B %Y %H:%M"])),
    st.floats(25_569, 73_051).map(str),
    _text,
)
_coordinate = st.one_of(st.floats(-200, 200), st.floats(allow_nan=True, allow_infinity=True),
                        _text)
_row = st.tuples(st.one_of(st.sampled_from(["v1", "v2", ""]), _text), _timestamp,
                 _coordinate, _coordinate)


@SETTINGS
@given(rows=st.lists(_row, min_size=1, max_size=25), chunk_rows=st.integers(1, 30),
       tz=st.sampled_from([None, "Europe/Berlin"]),
       sep=st.sampled_from([",", ";", "\t"]))
def test_arbitrary_rows_import_or_user_error(base_project, rows, chunk_rows, tz, sep):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(["vehicle_id", "timestamp", "lat", "lon"])
    writer.writerows(rows)
    check_ingest(base_project, buf.getvalue().encode("utf-8"), chunk_rows=chunk_rows, tz=tz)


@SETTINGS
@given(rows=st.lists(st.tuples(_text, st.one_of(st.sampled_from(["home", "Work ", "gym"]), _text),
                               _coordinate, _coordinate), min_size=1, max_size=15))
def test_arbitrary_label_rows(base_project, rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([("vehicle_id", "label", "lat", "lon"), *rows])
    check_ingest(base_project, buf.getvalue().encode("utf-8"), kind="labels")
