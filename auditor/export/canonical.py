"""THE canonical form of an exported table: an Arrow table with a fixed schema, and its CSV
rendering with fixed writer options.

The CSV export is exactly this rendering; the rows hash of any export (CSV or Parquet) is the
sha256 of this rendering of its rows, so it does not depend on the file format.

Pinned text format (pyarrow's C++ CSV writer, version recorded in the manifest): floats in the
shortest form that reads back to the same double (e.g. 0.1, 3, 1e+20), missing values as an
empty field, every text field in double quotes (quotes doubled), "\\n" line ends, UTF-8,
a quoted header line."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from auditor.csvsafe import NEEDS_PREFIX_RE, NUMBER_RE_RE2

# Only options pyarrow >= 11 knows; the line end ("\n"), the empty null string and the quoted
# header are that writer's fixed defaults (newer pyarrow can set them, older cannot).
CSV_OPTIONS = {"include_header": True, "delimiter": ",", "quoting_style": "needed",
               "batch_size": 8192}
CSV_FORMAT = {"writer": f"pyarrow.csv.write_csv (pyarrow {pa.__version__})",
              "options": dict(CSV_OPTIONS), "encoding": "utf-8", "line_end": "\n",
              "float": "shortest round-trip (reads back to the same double)",
              "missing": "empty field", "text": "always quoted, quotes doubled",
              "header": "quoted column names",
              "formula_guard": "a text cell starting with = + - @ tab CR (not a number) or ' "
                               "is prefixed with ' (auditor.csvsafe)"}


def arrow_table(frame: pd.DataFrame, columns: Sequence[str]) -> pa.Table:
    """Numbers as float64 (NaN -> null), everything else as UTF-8 text; no pandas metadata."""
    arrays, fields = [], []
    for c in columns:
        s = frame[c]
        if s.dtype.kind in "iuf":
            arr = pa.array(s.to_numpy(dtype="float64"), type=pa.float64(), from_pandas=True)
        else:
            arr = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.string())
        arrays.append(arr)
        fields.append(pa.field(c, arr.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class _HashingSink(io.RawIOBase):
    """A write-only file that only hashes what it is given (no bytes kept in memory)."""

    def __init__(self):
        self.sha = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha.update(data)
        return len(data)


def spreadsheet_safe(table: pa.Table) -> pa.Table:
    """Every text cell that a spreadsheet would run as a formula (auditor.csvsafe) prefixed
    with an apostrophe; vectorised, deterministic, a no-op for tables without such cells."""
    columns = []
    for col in table.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            hit = pc.and_(pc.match_substring_regex(col, NEEDS_PREFIX_RE),
                          pc.invert(pc.match_substring_regex(col, NUMBER_RE_RE2)))
            if pc.any(hit).as_py():
                col = pc.if_else(hit, pc.binary_join_element_wise("'", col, ""), col)
        columns.append(col)
    return pa.Table.from_arrays(columns, schema=table.schema)


def write_csv(table: pa.Table, sink) -> None:
    pa_csv.write_csv(spreadsheet_safe(table), sink, pa_csv.WriteOptions(**CSV_OPTIONS))


def render_csv(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> bytes:
    """The canonical CSV bytes of ``frame`` (columns in the given order, rows as they are)."""
    buf = io.BytesIO()
    write_csv(arrow_table(frame, list(columns or frame.columns)), buf)
    return buf.getvalue()


def rows_sha256(table: pa.Table) -> str:
    """sha256 of the canonical CSV rendering, computed without holding the rendering."""
    sink = _HashingSink()
    write_csv(table, sink)
    return sink.sha.hexdigest()


def write_csv_file(table: pa.Table, path: Path) -> None:
    write_csv(table, str(path))
