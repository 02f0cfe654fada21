"""JSON Lines (one JSON object per line: an API dump, a platform's .jsonl / .ndjson export) ->
chunks of string columns, like a CSV's.

Blocks of whole lines are parsed by pyarrow's JSON reader; nested objects become dotted
columns (``position.lat``). A block that reader refuses (a broken line, a field that is a
number on one line and text on another) is read again line by line: broken lines are
quarantined as malformed rows with their line number, the rest kept. Columns are the keys of
the file's first lines; keys first seen later are not read."""
from __future__ import annotations

import io
import json
from typing import Optional

import numpy as np
import pyarrow as pa

WHITESPACE = np.array([9, 10, 13, 32], np.uint8)


def looks_like_jsonl(head: bytes) -> bool:
    """The first line is a whole JSON object (not a GeoJSON collection or one array)."""
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].strip()
    if not first.startswith(b"{"):
        return False
    try:
        value = json.loads(first)
    except ValueError:
        return False
    if not isinstance(value, dict) or value.get("type") in ("FeatureCollection", "Topology"):
        return False
    # a JSON document written on one line ({"data": [...]}, pandas' to_json): a table inside
    # one object, unless a second object follows on the next line
    rest = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[1:]
    return (bool(rest) and rest[0].lstrip().startswith(b"{")) or not _holds_table(value)


def _holds_table(value: dict, depth: int = 0) -> bool:
    """An array of objects (or an empty one: an API's answer with no rows), three levels down
    at most, or nothing but arrays / objects, in an object: a table's shapes, not a
    record's."""
    values = list(value.values())
    if any(isinstance(v, list) and (not v or isinstance(v[0], dict)) for v in values):
        return True
    if depth < 2 and any(isinstance(v, dict) and _holds_table(v, depth + 1) for v in values):
        return True
    return depth == 0 and bool(values) and all(isinstance(v, (list, dict)) for v in values)


def columns_of(head: bytes) -> list[str]:
    """The columns the file's first whole lines give, in order of first appearance."""
    cut = head.rfind(b"\n") + 1 or len(head)
    table, _, _ = _parse(head[:cut].lstrip(b"\xef\xbb\xbf"), 1)
    return list(table.column_names)


def parse(part: bytes, first_line: int, columns: list[str]
          ) -> tuple[pa.Table, np.ndarray, list]:
    """A block of whole lines (the first numbered ``first_line``) -> (table of ``columns`` as
    strings, 1-based line of each row, rejected lines)."""
    table, lines, rejected = _parse(part, first_line)
    return _as_strings(table, columns), lines, rejected


def _line_numbers(part: bytes, first_line: int) -> np.ndarray:
    """Line numbers of the non-blank lines of ``part`` (pyarrow skips blank ones)."""
    arr = np.frombuffer(part, np.uint8)
    if not len(arr):
        return np.zeros(0, np.int64)
    line_of = np.concatenate([[0], np.cumsum(arr[:-1] == 10)])  # newlines before each byte
    n_lines = int(line_of[-1]) + 1
    filled = np.bincount(line_of[~np.isin(arr, WHITESPACE)], minlength=n_lines) > 0
    return first_line + np.flatnonzero(filled)


def _parse(part: bytes, first_line: int) -> tuple[pa.Table, np.ndarray, list]:
    import pyarrow.json as pj

    lines = _line_numbers(part, first_line)
    read = pj.ReadOptions(use_threads=False, block_size=max(len(part), 1) + 1)
    try:
        table = pj.read_json(io.BytesIO(part), read_options=read)
        if any(_has_time(t) for t in table.schema.types):
            # pyarrow reads ISO-8601 text as timestamps and drops its offset ('…+02:00' and
            # '…Z' alike become naive): read those fields again as the text they are
            table = pj.read_json(io.BytesIO(part), read_options=read, parse_options=pj.ParseOptions(
                explicit_schema=pa.schema([pa.field(f.name, _time_as_text(f.type))
                                           for f in table.schema])))
        if table.num_rows == len(lines):
            return _flat(table), lines, []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    return _parse_by_line(part, first_line)


def _has_time(t: pa.DataType) -> bool:
    if pa.types.is_struct(t):
        return any(_has_time(t.field(i).type) for i in range(t.num_fields))
    return pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_time(t)


def _time_as_text(t: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(t):
        return pa.struct([pa.field(t.field(i).name, _time_as_text(t.field(i).type))
                          for i in range(t.num_fields)])
    return pa.string() if _has_time(t) else t


def _flat(table: pa.Table) -> pa.Table:
    while any(pa.types.is_struct(t) for t in table.schema.types):
        table = table.flatten()
    return table


def _parse_by_line(part: bytes, first_line: int) -> tuple[pa.Table, np.ndarray, list]:
    """The slow way, for a block pyarrow refused: each line on its own."""
    import pandas as pd

    objects, kept, rejected = [], [], []
    for i, raw in enumerate(part.split(b"\n")):
        text = raw.strip()
        if not text:
            continue
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            objects.append(value)
            kept.append(first_line + i)
        else:
            rejected.append((first_line + i, raw.decode("utf-8", "replace").rstrip("\r"),
                             "malformed_row"))
    frame = pd.json_normalize(objects, sep=".") if objects else pd.DataFrame()
    cols = {c: pa.array([_text(v) for v in frame[c]], pa.string()) for c in frame.columns}
    return pa.table(cols) if cols else pa.table({}), np.asarray(kept, np.int64), rejected


def _text(value) -> Optional[str]:
    """A JSON value as the fast path's cast would write it."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _as_strings(table: pa.Table, columns: list[str]) -> pa.Table:
    from auditor.ingest.readers import display_text

    n = table.num_rows
    out = {}
    for name in columns:
        if name in table.column_names:
            col = table.column(name)
            out[name] = (pa.nulls(n, pa.string()) if pa.types.is_null(col.type)
                         else display_text(col))
        else:
            out[name] = pa.nulls(n, pa.string())
    return pa.table(out)
