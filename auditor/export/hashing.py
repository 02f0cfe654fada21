"""Content hashes that do not depend on how bytes happen to be laid out on disk.

- ``render_csv``: THE canonical rendering of a table (the CSV export is exactly these bytes;
  the rows hash of a Parquet export is the hash of this rendering of the same rows).
- ``table_hash``: hash of a project table's rows in a fixed order, from values, not from the
  SQLite file (whose pages change with WAL checkpoints and vacuum)."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

# Pinned text format: floats as Python's shortest round-trip repr (reads back to the same
# double; -0.0 is written 0.0), NaN/NULL as an empty field, "\n" line ends, UTF-8, RFC 4180 quoting when needed.
CSV_FORMAT = {"float": "repr (shortest round-trip)", "missing": "", "line_terminator": "\\n",
              "encoding": "utf-8", "quoting": "RFC 4180, only fields with , \" CR or LF",
              "header": True}

_NEEDS_QUOTES = r'[,"\r\n]'
_READ_CHUNK = 250_000


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _quote(values: pd.Series) -> list[str]:
    s = values.astype(str)
    bad = s.str.contains(_NEEDS_QUOTES, regex=True)
    if bad.any():
        s = s.where(~bad, '"' + s.str.replace('"', '""', regex=False) + '"')
    return s.tolist()


def _render_column(values: pd.Series) -> list[str]:
    kind = values.dtype.kind
    if kind == "f":
        # format each distinct value once: counts, ranks, 0/1 shares and weights repeat a lot
        # (+ 0.0 turns -0.0 into 0.0, which the hash table would not tell apart anyway)
        codes, uniques = pd.factorize(values.to_numpy(dtype=np.float64) + 0.0)  # NaN -> -1
        texts = np.array(list(map(float.__repr__, uniques.tolist())) + [""], dtype=object)
        return texts[codes].tolist()
    if kind in "iu":
        return list(map(str, values.to_numpy().tolist()))
    if kind == "b":
        return ["1" if v else "0" for v in values.to_numpy().tolist()]
    mask = values.isna().to_numpy()
    out = _quote(values.where(~mask, ""))
    return out


def iter_csv(frame: pd.DataFrame, columns: Sequence[str] | None = None,
             chunk_rows: int = 100_000) -> Iterator[bytes]:
    """The canonical CSV bytes of ``frame`` in pieces (header, then blocks of rows), so a
    million-row export never holds every cell as a Python string at once."""
    columns = list(columns or frame.columns)
    yield (",".join(_quote(pd.Series(columns, dtype=object))) + "\n").encode("utf-8")
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start:start + chunk_rows]
        cells = [_render_column(part[c]) for c in columns]
        yield ("\n".join(map(",".join, zip(*cells))) + "\n").encode("utf-8")


def render_csv(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> bytes:
    """The canonical CSV bytes of ``frame`` (columns in the given order, rows as they are)."""
    return b"".join(iter_csv(frame, columns))


def sha256_chunks(chunks: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _column_bytes(values: pd.Series, kind: str) -> bytes:
    if kind in ("int", "real"):
        # ints go through float64 too: exact below 2**53 (ids, epoch seconds), and a NULL in an
        # INTEGER column then hashes the same whichever chunk it falls in
        arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        arr = np.where(np.isnan(arr), np.nan, arr)  # one NaN bit pattern
        return arr.astype("<f8").tobytes()
    mask = values.isna()
    text = ("s" + values.where(~mask, "").astype(str) + "\0").where(~mask, "n\0")
    return "".join(text.tolist()).encode("utf-8")


def table_hash(conn: sqlite3.Connection, sql: str, kinds: Mapping[str, str],
               params: Sequence = ()) -> dict:
    """{"sha256", "rows"} of the rows ``sql`` returns (it must ORDER BY a unique key).

    ``kinds`` maps each selected column to int / real / text. One running hash per column,
    fed chunk after chunk, so the result does not depend on the chunk size; the table hash is
    the hash of the column names and their digests."""
    hashers = {c: hashlib.sha256() for c in kinds}
    rows = 0
    for chunk in pd.read_sql_query(sql, conn, params=tuple(params), chunksize=_READ_CHUNK):
        rows += len(chunk)
        for col, kind in kinds.items():
            hashers[col].update(_column_bytes(chunk[col], kind))
    total = hashlib.sha256()
    for col in kinds:
        total.update(f"{col}:{kinds[col]}:".encode() + hashers[col].digest())
    return {"sha256": total.hexdigest(), "rows": rows}
