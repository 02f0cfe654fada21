"""Content hashes that do not depend on how bytes happen to be laid out on disk: a project
table's rows in a fixed order hash from their values, not from the SQLite file (whose pages
change with WAL checkpoints and vacuum). The rows hash of an export is in canonical.py."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

_READ_CHUNK = 250_000


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
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


class ColumnHasher:
    """One running sha256 per column, fed block after block, so the result does not depend on
    how rows are chunked; the total is the sha256 of 'name:kind:' + digest per column.
    ``kinds`` maps each column to int / real / text."""

    def __init__(self, kinds: Mapping[str, str]):
        self.kinds = dict(kinds)
        self.hashers = {c: hashlib.sha256() for c in self.kinds}
        self.rows = 0

    def update(self, frame: pd.DataFrame) -> None:
        self.rows += len(frame)
        for col, kind in self.kinds.items():
            self.hashers[col].update(_column_bytes(frame[col], kind))

    def result(self) -> dict:
        total = hashlib.sha256()
        for col, kind in self.kinds.items():
            total.update(f"{col}:{kind}:".encode() + self.hashers[col].digest())
        return {"sha256": total.hexdigest(), "rows": self.rows}


def table_hash(conn: sqlite3.Connection, sql: str, kinds: Mapping[str, str],
               params: Sequence = ()) -> dict:
    """{"sha256", "rows"} of the rows ``sql`` returns (it must ORDER BY a unique key)."""
    hasher = ColumnHasher(kinds)
    for chunk in pd.read_sql_query(sql, conn, params=tuple(params), chunksize=_READ_CHUNK):
        hasher.update(chunk)
    return hasher.result()


_REAL_NULL = -1.0e308  # stands in for NULL on the way out of SQLite; no coordinate, speed or
#                      heading is this value, and NULL and it would hash alike only here


def keyed_table_hash(conn: sqlite3.Connection, table: str, key: str,
                     kinds: Mapping[str, str], chunk: int = _READ_CHUNK) -> dict:
    """table_hash of ``SELECT <kinds> FROM table ORDER BY key`` (key: the INTEGER PRIMARY KEY)
    with the same digest, computed column-wise for tables of millions of rows: numbers via
    np.fromiter (no Python object per value), a text column without NULLs as one join per
    chunk, an all-NULL text column without reading it. Other text columns take the general
    path for the chunk."""
    cols = list(kinds)
    numeric = [c for c in cols if kinds[c] in ("int", "real")]
    texts = [c for c in cols if kinds[c] == "text"]
    if key not in numeric:
        raise ValueError(f"{key} must be a numeric column of {table}")
    has = {c: conn.execute(f'SELECT COUNT("{c}") FROM "{table}"').fetchone()[0] for c in texts}
    not_null = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[3] or r[5]}
    hasher = ColumnHasher(kinds)
    dtype = np.dtype([(c, "f8") for c in numeric])
    # CAST: an INTEGER column may hold a REAL (SQLite types values, not columns), and the
    # digest is over float64 either way
    select = ",".join(f'CAST("{c}" AS REAL)' if c in not_null
                      else f'CAST(IFNULL("{c}", {_REAL_NULL!r}) AS REAL)' for c in numeric)
    last = float("-inf")  # below every integer key, so every chunk is "key > last"
    while True:
        rows = conn.execute(f'SELECT {select} FROM "{table}" WHERE "{key}" > ? '
                            f'ORDER BY "{key}" LIMIT {int(chunk)}', (last,))
        values = np.fromiter(rows, dtype=dtype)
        if not len(values):
            return hasher.result()
        hi = int(values[key][-1])
        hasher.rows += len(values)
        for c in cols:
            if c in numeric:
                arr = values[c]
                if c not in not_null:
                    arr = np.where(arr == _REAL_NULL, np.nan, arr)
                hasher.hashers[c].update(arr.astype("<f8").tobytes())
            elif has[c] == 0:
                hasher.hashers[c].update(b"n\0" * len(values))
            else:
                got = [r[0] for r in conn.execute(
                    f'SELECT "{c}" FROM "{table}" WHERE "{key}" > ? AND "{key}" <= ? '
                    f'ORDER BY "{key}"', (last, hi))]
                if len(got) != len(values):
                    raise RuntimeError(f"{table} changed while it was being hashed")
                if None not in got:
                    hasher.hashers[c].update(("s" + "\0s".join(got) + "\0").encode("utf-8"))
                else:
                    hasher.hashers[c].update(_column_bytes(pd.Series(got, dtype=object), "text"))
        last = hi


def frame_hash(frame: pd.DataFrame, kinds: Mapping[str, str]) -> dict:
    """The same hash for rows already in memory (in the frame's order)."""
    hasher = ColumnHasher(kinds)
    hasher.update(frame)
    return hasher.result()
