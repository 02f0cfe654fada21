"""The streaming CSV reader + vectorised validation against a plain reading of the same file.

Hypothesis writes CSV files of pings with the faults exports have (quoted fields, a BOM, CRLF,
blank lines, lines with too many or too few fields, a line that is not UTF-8, bad and missing
numbers, a decimal comma, 'inf'/'nan', mixed timestamp forms, times out of the plausible
window, formula-like ids, repeated pings) and imports them in small chunks through small
reader blocks, so rows, pending malformed lines and duplicates cross chunk and block
boundaries. The oracle reads the same bytes with pandas.read_csv (python engine, every field
as text) and applies the quarantine rules row by row in plain Python, from their written
definitions (validate.py, values.py, timestamps.py). Accepted pings (values included) and the
(line, reason) of every quarantined row must be the same."""
from __future__ import annotations

import math
import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.ingest import readers
from auditor.ingest.api import ingest_paths
from auditor.ingest.preview import read_preview

COLUMNS = ["vehicle_id", "timestamp", "lat", "lon", "speed_mps"]
BASE = int(datetime(2024, 3, 1, 8, tzinfo=timezone.utc).timestamp())
WINDOW_LO = int(datetime(2000, 1, 1, tzinfo=timezone.utc).timestamp())
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

# ----------------------------------------------------------------------- the generated file
VEHICLES = ["v1", "v2", " v1 ", "vé", "", "=cmd", "@x", "-5", "v,1", 'say "hi"']
# a few metres apart, so no pair of pings is an impossible jump (> 300 km/h even 1 s apart)
LATS = ["52.5", "52.5001", " 52.5002 ", "52,5001", "5.25e1", "", "abc", "inf", "nan", "95.0",
        "+52.5", "052.5", "1e999"]
LONS = ["13.4", "13.4001", "13.40005", "", "x", "-200", ".134e2"]
SPEEDS = ["", "3.5", "0", "x", "1e3", "inf"]


def _stamp(minute: int, form: str) -> str:
    t = BASE + 60 * minute
    utc = datetime.fromtimestamp(t, timezone.utc)
    if form == "iso_z":
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    if form == "iso_offset":
        return datetime.fromtimestamp(t + 7200, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    if form == "space_offset":
        return datetime.fromtimestamp(t - 5 * 3600 - 1800, timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S-05:30")
    if form == "fraction":
        return utc.strftime("%Y-%m-%dT%H:%M:%S.250Z")
    if form == "epoch_s":
        return str(t)
    if form == "epoch_ms":
        return str(t * 1000 + 999)
    if form == "old":
        return "1990-05-01T00:00:00Z"   # parses, but outside the default window
    if form == "future":
        return "2999-01-01T00:00:00Z"
    if form == "bad_day":
        return "2024-02-30T10:00:00Z"
    if form == "garbage":
        return "not a time"
    return ""                           # missing


FORMS = ["iso_z", "iso_offset", "space_offset", "fraction", "epoch_s", "epoch_ms", "old",
         "future", "bad_day", "garbage", "missing"]

record = st.tuples(st.sampled_from(VEHICLES), st.integers(0, 12), st.sampled_from(FORMS),
                   st.sampled_from(LATS), st.sampled_from(LONS), st.sampled_from(SPEEDS),
                   st.lists(st.booleans(), min_size=5, max_size=5))
line = st.one_of(
    record.map(lambda r: ("record", r)),
    record.map(lambda r: ("record", r)),
    record.map(lambda r: ("record", r)),
    st.just(("blank", None)),
    st.just(("too_many", None)),
    st.just(("too_few", None)),
    record.map(lambda r: ("bad_utf8", r)),
)


def _field(value: str, quoted: bool, delimiter: str) -> str:
    if quoted or delimiter in value or '"' in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _render(rows, delimiter: str, newline: str, bom: bool) -> tuple[bytes, list]:
    """File bytes and, per line after the header, what it is: (kind, fields or None)."""
    out = [delimiter.join(COLUMNS).encode()]
    kinds = []
    for kind, rec in rows:
        if kind == "blank":
            out.append(b"")
            kinds.append(("blank", None))
            continue
        if kind == "too_many":
            out.append(delimiter.join(["v1", str(BASE), "52.5", "13.4", "1", "extra"]).encode())
            kinds.append(("too_many", None))
            continue
        if kind == "too_few":
            out.append(delimiter.join(["v1", str(BASE), "52.5"]).encode())
            kinds.append(("too_few", None))
            continue
        vehicle, minute, form, lat, lon, speed, quotes = rec
        values = [vehicle, _stamp(minute, form), lat, lon, speed]
        if kind == "bad_utf8":
            quotes = [*quotes[:4], False]  # the bad bytes go after the last field's text
        text = delimiter.join(_field(v, q, delimiter) for v, q in zip(values, quotes))
        data = text.encode("utf-8")
        if kind == "bad_utf8":
            # one byte that is no UTF-8 next to a valid 'é': the file stays UTF-8 (the import
            # reads as latin-1 only files with more invalid bytes than valid sequences)
            data = data + b"\xc3\xa9\xff"
            kinds.append(("bad_encoding", None))
        else:
            kinds.append(("record", values))
        out.append(data)
    body = newline.encode().join(out) + newline.encode()
    return (b"\xef\xbb\xbf" + body if bom else body), kinds


# ----------------------------------------------------------------------------- the oracle
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_FORMULA_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _number(text: str) -> float:
    text = text.strip()
    comma = re.fullmatch(r"([+-]?\d+),(\d+)", text)
    if comma:
        text = f"{comma.group(1)}.{comma.group(2)}"
    return float(text) if _NUMBER.fullmatch(text) else math.nan


def _time(text: str):
    """(UTC epoch seconds, stated offset in minutes or None), or None if not a time."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        x = float(text)
        scale = 1 if abs(x) < 1e11 else 1e3 if abs(x) < 1e14 else 1e6 if abs(x) < 1e17 else 1e9
        return math.floor(x / scale), None
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    assert stamp.tzinfo is not None, "the generator writes no naive times"
    return math.floor(stamp.timestamp()), int(stamp.utcoffset().total_seconds() // 60)


def _formula_like(text: str) -> bool:
    return text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _FORMULA_NUMBER.fullmatch(text)


def oracle(path: Path, delimiter: str, kinds: list) -> tuple[dict, list, list]:
    """({line: reason}, sorted accepted pings, the fields of every well-formed row as text)
    from pandas' reading of ``path``."""
    # one name more than the header: a line with a field too many fills it (pandas would
    # otherwise take the first such line's extra field for an index); one with too few fields
    # leaves NaN (every present field is text, '' when empty)
    frame = pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False,
                        skip_blank_lines=True, encoding="utf-8-sig", encoding_errors="replace",
                        engine="python", names=[*COLUMNS, "extra"], header=None, skiprows=1,
                        index_col=False)
    rows = frame.to_dict("records")
    lines = [i + 2 for i, (kind, _) in enumerate(kinds) if kind != "blank"]
    assert len(rows) == len(lines)  # pandas drops blank lines too; line 1 is the header
    reasons, seen, accepted, texts = {}, set(), [], []
    k = 0
    for n in lines:
        row = rows[k]
        k += 1
        extra = row.pop("extra")
        if isinstance(extra, str) or any(isinstance(v, float) for v in row.values()):
            reasons[n] = "malformed_row"  # a field too many, or too few (NaN filled in)
            continue
        if any("\ufffd" in v for v in row.values()):
            reasons[n] = "bad_encoding"
            continue
        texts.append(list(row.values()))
        vehicle = row["vehicle_id"].strip()
        parsed = _time(row["timestamp"])
        lat, lon = _number(row["lat"]), _number(row["lon"])
        if not vehicle:
            reasons[n] = "missing_vehicle_id"
        elif _formula_like(vehicle):
            reasons[n] = "formula_like_value"
        elif parsed is None:
            reasons[n] = "bad_timestamp"
        elif not WINDOW_LO <= parsed[0] <= datetime.now(timezone.utc).timestamp() + 86_400:
            reasons[n] = "implausible_timestamp"
        elif math.isnan(lat) or math.isnan(lon):
            reasons[n] = "missing_lat_lon"
        elif abs(lat) > 90 or abs(lon) > 180:
            reasons[n] = "lat_lon_out_of_range"
        elif (vehicle, parsed[0], lat, lon) in seen:
            reasons[n] = "duplicate_ping"
        else:
            seen.add((vehicle, parsed[0], lat, lon))
            speed = _number(row["speed_mps"])
            accepted.append((vehicle, parsed[0], parsed[1], lat, lon,
                             None if math.isnan(speed) else speed))
    assert k == len(rows)
    return reasons, sorted(accepted, key=repr), texts


# ------------------------------------------------------------------------------- the test
@SETTINGS
@given(rows=st.lists(line, min_size=1, max_size=60),
       delimiter=st.sampled_from([",", ";", "\t"]),
       newline=st.sampled_from(["\n", "\r\n"]),
       bom=st.booleans(),
       chunk_rows=st.integers(1, 12),
       block=st.sampled_from([128, 300, 1 << 20]))
def test_reader_and_rules_agree_with_a_plain_pandas_reading(tmp_path_factory, monkeypatch, rows,
                                                            delimiter, newline, bom, chunk_rows,
                                                            block):
    monkeypatch.setattr(readers, "MIN_BLOCK_BYTES", block)  # many reader blocks per file
    folder = tmp_path_factory.mktemp("oracle")
    data, kinds = _render(rows, delimiter, newline, bom)
    source = folder / "pings.csv"
    source.write_bytes(data)
    if all(kind == "blank" for kind, _ in kinds):
        return  # header only: refused as a whole (test_ingest_errors)
    want_reasons, want_rows, texts = oracle(source, delimiter, kinds)
    # the import wizard's preview: the same reader, so the same delimiter and the first rows
    preview = read_preview(source)
    assert preview.delimiter == delimiter
    shown = preview.frame.values.tolist()
    assert shown == texts[:len(shown)]
    project = folder / "p.db"
    [summary] = ingest_paths(project, [source], kind="pings", chunk_rows=chunk_rows)
    conn = sqlite3.connect(project)
    try:
        got_reasons = dict(conn.execute("SELECT line, reason FROM quarantine"))
        got_rows = sorted(conn.execute(
            "SELECT vehicle_id, ts, utc_offset_min, lat, lon, speed_mps FROM pings"), key=repr)
    finally:
        conn.close()
    assert got_reasons == want_reasons
    assert got_rows == want_rows
    assert summary["read"] == len(want_reasons) + len(want_rows)
    assert summary["accepted"] == len(want_rows)


@pytest.mark.parametrize("lat", ["inf", "nan", "-Infinity"])
def test_inf_and_nan_text_is_no_coordinate_whatever_else_the_chunk_holds(tmp_path, lat):
    """Arrow's cast reads 'inf' as a number and the general path does not: the verdict must
    not depend on whether another value of the chunk sent it down the general path."""
    lines = [f"v1,{BASE + 60 * i},52.5,13.4" for i in range(6)]
    lines[1] = f"v1,{BASE + 60},{lat},13.4"
    lines[4] = f"v1,{BASE + 240},abc,13.4"     # sends its chunk down the general path
    source = tmp_path / "p.csv"
    source.write_text("vehicle_id,timestamp,lat,lon\n" + "\n".join(lines) + "\n")
    for chunk_rows in (2, 6):  # 'inf' alone in a clean chunk, then with the 'abc' row
        project = tmp_path / f"p{chunk_rows}.db"
        ingest_paths(project, [source], chunk_rows=chunk_rows)
        conn = sqlite3.connect(project)
        got = dict(conn.execute("SELECT line, reason FROM quarantine"))
        conn.close()
        assert got == {3: "missing_lat_lon", 6: "missing_lat_lon"}, chunk_rows
