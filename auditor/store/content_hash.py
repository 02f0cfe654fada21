"""Content hashes of project tables, and the per-import digests that prove the pings cheaply.

Hashes depend on values, not on how bytes lie in the SQLite file (pages change with WAL
checkpoints and vacuum): one running sha256 per column over the values in a fixed row order.

The pings of a project are proven import by import (schema migration 6, ``pings_digests``):
each import's digest is computed once, from the rows as they are written, inside the import's
transaction (ImportDigest). ``pings_content_hash`` — the one entry point exports and verify
use — trusts the stored digests only while nothing can have changed behind them:

- a ping UPDATEd or DELETEd through SQLite (by auditor or by any other SQLite client) deletes
  its import's digest in the same statement (the schema's triggers);
- a ping INSERTed outside an import lies outside the ping_id ranges the digests cover, or
  makes a range hold more pings than its digest (index seeks: an import's pings take
  consecutive ping_ids, so a range is full unless pings were deleted from it since);
- the triggers themselves must be there, as the schema wrote them.

Anything else — a digest missing (an import older than migration 6, or one a change made
stale), a trigger gone, a ping outside the ranges — and every import is hashed again from its
rows.
``full=True`` (``auditor verify --full``) always does that. What the cheap check cannot see:
bytes of the file changed without SQLite; a change made after dropping the triggers and put
back with them; an INSERT OR REPLACE over an existing ping_id (SQLite fires no delete trigger
for the row it replaces unless recursive_triggers is on); a stored digest edited along with
the pings. verify --full compares the rows themselves with the manifest and sees all of these.
"""
from __future__ import annotations

import hashlib
import sqlite3
from typing import Mapping

import numpy as np
import pandas as pd

HASH_SCHEME = ("sha256 per column over values in the stated row order (numbers as little-endian "
               "float64, text as 's'+value or 'n' for NULL, each + NUL), then sha256 over "
               "'name:kind:' + column digest in column order")
PINGS_SCHEME = ("pings: the HASH_SCHEME digest of each import's pings in ping_id order, then "
                "sha256 over 'import_id:rows:digest\\n' per import in import_id order")

# the columns of a ping that its digest covers, in this order
PING_KINDS = {"ping_id": "int", "vehicle_id": "text", "ts": "int", "utc_offset_min": "int",
              "lat": "real", "lon": "real", "speed_mps": "real", "heading_deg": "real",
              "trip_id": "text", "import_id": "int"}
TRIGGERS = ("pings_digest_stale_on_update", "pings_digest_stale_on_delete")
_READ_CHUNK = 250_000
_REAL_NULL = -1.0e308  # stands in for NULL on the way out of SQLite; no coordinate, speed or
#                      heading is this value, and NULL and it would hash alike only here


def _numbers(values):
    """Little-endian float64 of the values (a buffer sha256 reads without a copy); ints go
    through float64 too: exact below 2**53 (ids, epoch seconds), and a NULL in an INTEGER
    column then hashes the same whichever chunk it falls in. One NaN bit pattern."""
    arr = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    if arr.dtype.kind in "iub":
        return np.ascontiguousarray(arr, dtype="<f8")
    if arr.dtype.kind == "f":
        arr = np.ascontiguousarray(arr, dtype="<f8")
        nan = np.isnan(arr)
        return np.where(nan, np.nan, arr) if nan.any() else arr
    arr = pd.to_numeric(pd.Series(arr, copy=False), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    return np.ascontiguousarray(np.where(np.isnan(arr), np.nan, arr), dtype="<f8")


def _texts(values) -> bytes:
    """'s' + value + NUL per value, 'n' + NUL for a missing one; one join when none is missing
    and every value is already a str (the common case: no Python step per value)."""
    items = values.tolist() if isinstance(values, (np.ndarray, pd.Series)) else list(values)
    if not items:
        return b""
    if items.count(None) == len(items):  # a column this import did not have
        return b"n\0" * len(items)
    try:
        if None not in items:
            return ("s" + "\0s".join(items) + "\0").encode("utf-8")
    except TypeError:  # a value that is not a str (a number, NaN, pd.NA)
        pass
    series = pd.Series(items, dtype=object)
    mask = series.isna()
    text = ("s" + series.where(~mask, "").astype(str) + "\0").where(~mask, "n\0")
    return "".join(text.tolist()).encode("utf-8")


def column_bytes(values, kind: str):
    """The bytes a column contributes (bytes, or a contiguous array read as its buffer)."""
    return _numbers(values) if kind in ("int", "real") else _texts(values)


class ColumnHasher:
    """One running sha256 per column, fed block after block, so the result does not depend on
    how rows are chunked; the total is the sha256 of 'name:kind:' + digest per column.
    ``kinds`` maps each column to int / real / text."""

    def __init__(self, kinds: Mapping[str, str]):
        self.kinds = dict(kinds)
        self.hashers = {c: hashlib.sha256() for c in self.kinds}
        self.rows = 0

    def update(self, frame) -> None:
        """``frame``: a DataFrame or a mapping of column -> values, all of one length."""
        n = len(frame) if isinstance(frame, pd.DataFrame) else len(next(iter(frame.values())))
        self.rows += n
        for col, kind in self.kinds.items():
            self.hashers[col].update(column_bytes(frame[col], kind))

    def result(self) -> dict:
        total = hashlib.sha256()
        for col, kind in self.kinds.items():
            total.update(f"{col}:{kind}:".encode() + self.hashers[col].digest())
        return {"sha256": total.hexdigest(), "rows": self.rows}


def _not_null_columns(conn: sqlite3.Connection, table: str) -> set:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[3] or r[5]}


def _keyed_chunks(conn: sqlite3.Connection, table: str, key: str, kinds: Mapping[str, str],
                  chunk: int):
    """Rows of ``table`` in ``key`` order, a chunk at a time, as {column: values}: numbers as
    float64 arrays read with np.fromiter (no Python object per value; NULL as NaN), text as
    lists (an all-NULL text column is not read at all)."""
    cols = list(kinds)
    numeric = [c for c in cols if kinds[c] in ("int", "real")]
    texts = [c for c in cols if kinds[c] == "text"]
    if key not in numeric:
        raise ValueError(f"{key} must be a numeric column of {table}")
    has = {c: conn.execute(f'SELECT COUNT("{c}") FROM "{table}"').fetchone()[0] for c in texts}
    not_null = _not_null_columns(conn, table)
    dtype = np.dtype([(c, "f8") for c in numeric])
    # CAST: an INTEGER column may hold a REAL (SQLite types values, not columns)
    select = ",".join(f'CAST("{c}" AS REAL)' if c in not_null
                      else f'CAST(IFNULL("{c}", {_REAL_NULL!r}) AS REAL)' for c in numeric)
    last = float("-inf")  # below every integer key, so every chunk is "key > last"
    while True:
        rows = conn.execute(f'SELECT {select} FROM "{table}" WHERE "{key}" > ? '
                            f'ORDER BY "{key}" LIMIT {int(chunk)}', (last,))
        values = np.fromiter(rows, dtype=dtype)
        if not len(values):
            return
        hi = float(values[key][-1])
        out = {}
        for c in numeric:
            arr = values[c]
            out[c] = arr if c in not_null else np.where(arr == _REAL_NULL, np.nan, arr)
        for c in texts:
            if has[c] == 0:
                out[c] = [None] * len(values)
                continue
            got = [r[0] for r in conn.execute(
                f'SELECT "{c}" FROM "{table}" WHERE "{key}" > ? AND "{key}" <= ? '
                f'ORDER BY "{key}"', (last, hi))]
            if len(got) != len(values):
                raise RuntimeError(f"{table} changed while it was being hashed")
            out[c] = got
        yield out
        last = hi


def keyed_table_hash(conn: sqlite3.Connection, table: str, key: str,
                     kinds: Mapping[str, str], chunk: int = _READ_CHUNK) -> dict:
    """{"sha256", "rows"} of ``SELECT <kinds> FROM table ORDER BY key`` (key: the INTEGER
    PRIMARY KEY), column-wise for tables of millions of rows."""
    hasher = ColumnHasher(kinds)
    for part in _keyed_chunks(conn, table, key, kinds, chunk):
        hasher.update(part)
    return hasher.result()


# --- per-import digests of the pings -------------------------------------------------------

class ImportDigest:
    """The digest of one import's pings, fed the rows as the import writes them (ping_id order)
    — the same digest ``rehash_pings`` computes from the stored rows."""

    def __init__(self, import_id: int):
        self.import_id = int(import_id)
        self.hasher = ColumnHasher(PING_KINDS)
        self.first_ping: int | None = None
        self.last_ping: int | None = None

    def add(self, first_ping: int, n: int, columns: Mapping[str, object]) -> None:
        """``n`` rows written with ping_ids first_ping .. first_ping + n - 1. ``columns``:
        column -> values (array of n) or one value for every row; a column not given is NULL.
        import_id is this import's."""
        if not n:
            return
        part = {}
        for c, kind in PING_KINDS.items():
            if c == "ping_id":
                part[c] = np.arange(first_ping, first_ping + n, dtype=np.float64)
            elif c == "import_id":
                part[c] = np.full(n, float(self.import_id))
            elif c not in columns or columns[c] is None:
                part[c] = np.full(n, np.nan) if kind != "text" else [None] * n
            elif np.ndim(columns[c]) == 0:
                part[c] = np.full(n, columns[c], dtype=np.float64 if kind != "text" else object)
            else:
                part[c] = columns[c]
        self.hasher.update(part)
        if self.first_ping is None:
            self.first_ping = int(first_ping)
        self.last_ping = int(first_ping + n - 1)

    def result(self) -> dict:
        return {**self.hasher.result(), "first_ping": self.first_ping,
                "last_ping": self.last_ping}


def store_digests(conn: sqlite3.Connection, digests: Mapping[int, dict]) -> None:
    """Write digests (caller's transaction); ``digests``: import_id -> ImportDigest.result()."""
    conn.executemany(
        "INSERT OR REPLACE INTO pings_digests (import_id, rows, first_ping, last_ping, sha256) "
        "VALUES (?, ?, ?, ?, ?)",
        [(int(i), int(d["rows"]), d.get("first_ping"), d.get("last_ping"), d["sha256"])
         for i, d in sorted(digests.items())])


def stored_digests(conn: sqlite3.Connection) -> dict[int, dict]:
    return {int(i): {"rows": int(n), "first_ping": first, "last_ping": last, "sha256": h}
            for i, n, first, last, h in
            conn.execute("SELECT import_id, rows, first_ping, last_ping, sha256 FROM pings_digests "
                         "ORDER BY import_id")}


def ping_import_ids(conn: sqlite3.Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT import_id FROM imports WHERE kind = 'pings' ORDER BY import_id")]


def rehash_pings(conn: sqlite3.Connection, chunk: int = _READ_CHUNK) -> dict[int, dict]:
    """Every import's digest computed from the stored rows: one pass over the pings in ping_id
    order, each run of rows sent to its import's hasher. Imports of pings without rows get the
    empty digest; rows of an import id that is not a pings import are hashed too (they change
    the total, so they are never missed)."""
    hashers: dict[int, ImportDigest] = {i: ImportDigest(i) for i in ping_import_ids(conn)}
    for part in _keyed_chunks(conn, "pings", "ping_id", PING_KINDS, chunk):
        imp = part["import_id"]
        cuts = np.r_[0, np.flatnonzero(imp[1:] != imp[:-1]) + 1, len(imp)]
        for a, b in zip(cuts[:-1], cuts[1:]):
            import_id = int(imp[a])
            digest = hashers.setdefault(import_id, ImportDigest(import_id))
            digest.hasher.update({c: v[a:b] for c, v in part.items()})
            if digest.first_ping is None:
                digest.first_ping = int(part["ping_id"][a])
            digest.last_ping = int(part["ping_id"][b - 1])
    return {i: hashers[i].result() for i in sorted(hashers)}


def _triggers_in_place(conn: sqlite3.Connection) -> bool:
    from auditor.store.schema import MIGRATIONS  # the trigger text as the schema wrote it
    found = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                              "AND tbl_name = 'pings'").fetchall())
    return all(name in found and any(found[name] in m for m in MIGRATIONS) for name in TRIGGERS)


def stored_digests_hold(conn: sqlite3.Connection, stored: Mapping[int, dict]) -> bool:
    """The cheap check: a digest for every import of pings, the triggers in place, and no ping
    outside the ping_id ranges the digests cover, nor more inside one than it holds."""
    if set(ping_import_ids(conn)) - set(stored) or not _triggers_in_place(conn):
        return False
    return _no_pings_beside(conn, [d for d in stored.values() if d["rows"]])


def _no_pings_beside(conn: sqlite3.Connection, digests: list[dict]) -> bool:
    """Every stored ping lies in one digest's [first_ping, last_ping] and each range holds
    exactly its rows. Index seeks, not a count of the table (COUNT(*) reads the whole pings
    index: ~5 s at 20.8M pings): an import's pings take consecutive ping_ids, so a range whose
    size is its row count has no room for another ping, the gaps between ranges must be empty
    (one seek each), and only a range with holes (pings deleted since: its digest was made
    again from the rows) is counted, over that range only."""
    if any(d.get("first_ping") is None or d.get("last_ping") is None for d in digests):
        return False  # digests from before first_ping was kept: let the caller rehash
    spans = sorted((int(d["first_ping"]), int(d["last_ping"]), int(d["rows"])) for d in digests)
    if any(b[0] <= a[1] for a, b in zip(spans, spans[1:])):
        return False  # interleaved imports (not made by auditor): no cheap proof
    def any_in(lo, hi) -> bool:
        return conn.execute("SELECT EXISTS (SELECT 1 FROM pings WHERE ping_id BETWEEN ? AND ?)",
                            (lo, hi)).fetchone()[0] == 1
    bounds = [(None, spans[0][0] - 1)] if spans else []
    bounds += [(a[1] + 1, b[0] - 1) for a, b in zip(spans, spans[1:]) if b[0] > a[1] + 1]
    if spans:
        bounds.append((spans[-1][1] + 1, None))
    for lo, hi in bounds:
        if any_in(-(2**63) if lo is None else lo, 2**63 - 1 if hi is None else hi):
            return False
    if not spans and conn.execute("SELECT EXISTS (SELECT 1 FROM pings)").fetchone()[0]:
        return False
    for first, last, rows in spans:
        if rows != last - first + 1 and conn.execute(
                "SELECT COUNT(*) FROM pings WHERE ping_id BETWEEN ? AND ?",
                (first, last)).fetchone()[0] != rows:
            return False
    return True


def combine(digests: Mapping[int, dict]) -> dict:
    """The manifest's content hash of the pings (PINGS_SCHEME), from the per-import digests."""
    total = hashlib.sha256()
    for i in sorted(digests):
        total.update(f"{i}:{digests[i]['rows']}:{digests[i]['sha256']}\n".encode())
    return {"sha256": total.hexdigest(), "rows": int(sum(d["rows"] for d in digests.values())),
            "imports": {str(i): {"rows": int(d["rows"]), "sha256": d["sha256"]}
                        for i, d in sorted(digests.items())}}


def pings_content_hash(conn: sqlite3.Connection, *, full: bool = False) -> tuple[dict, dict]:
    """(content hash of the pings, digests computed from the rows in this call). The second
    is empty when the stored digests held the cheap check (and ``full`` is off); the hash is
    the same either way as long as the stored digests tell the truth."""
    if not full:
        stored = stored_digests(conn)
        if stored_digests_hold(conn, stored):
            return combine(stored), {}
    fresh = rehash_pings(conn)
    return combine(fresh), fresh


def stale_or_differing(conn: sqlite3.Connection, fresh: Mapping[int, dict]) -> list[int]:
    """Imports whose stored digest is missing or differs from ``fresh`` (rehashed rows)."""
    stored = stored_digests(conn)
    return [i for i, d in fresh.items()
            if stored.get(i, {}).get("sha256") != d["sha256"]
            or stored.get(i, {}).get("rows") != d["rows"]]


__all__ = [
    "HASH_SCHEME", "PINGS_SCHEME", "PING_KINDS", "ColumnHasher", "ImportDigest", "column_bytes",
    "keyed_table_hash", "pings_content_hash", "rehash_pings", "store_digests", "stored_digests",
    "stored_digests_hold", "combine", "stale_or_differing",
]
