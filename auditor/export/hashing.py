"""Content hashes that do not depend on how bytes happen to be laid out on disk: a project
table's rows in a fixed order hash from their values, not from the SQLite file (whose pages
change with WAL checkpoints and vacuum). The column hashing itself, and the per-import digests
of the pings, live in auditor.store.content_hash (ingest computes them too); the rows hash of
an export is in canonical.py."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from auditor.store.content_hash import ColumnHasher, keyed_table_hash

__all__ = ["ColumnHasher", "keyed_table_hash", "sha256_file", "sha256_bytes", "table_hash",
           "frame_hash"]

_READ_CHUNK = 250_000


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_hash(conn: sqlite3.Connection, sql: str, kinds: Mapping[str, str],
               params: Sequence = ()) -> dict:
    """{"sha256", "rows"} of the rows ``sql`` returns (it must ORDER BY a unique key)."""
    hasher = ColumnHasher(kinds)
    for chunk in pd.read_sql_query(sql, conn, params=tuple(params), chunksize=_READ_CHUNK):
        hasher.update(chunk)
    return hasher.result()


def frame_hash(frame: pd.DataFrame, kinds: Mapping[str, str]) -> dict:
    """The same hash for rows already in memory (in the frame's order)."""
    hasher = ColumnHasher(kinds)
    hasher.update(frame)
    return hasher.result()
