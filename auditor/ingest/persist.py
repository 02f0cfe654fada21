"""The SQL of an import: bookkeeping row, quarantine rows, and the project pings a chunk needs
as context. Callers own the transaction; every value is a bound parameter."""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from auditor.store import pings_dataset
from auditor.store.bulk import insert_frame


def options_key(tz: Optional[str], column_map: dict, extra: Optional[dict] = None) -> str:
    """Same file + same options = a no-op repeat. ``extra`` (the fix-loop options) joins the
    key only when given, so keys of plain imports never change."""
    return json.dumps({"column_map": column_map, "tz": tz, **(extra or {})}, sort_keys=True)


def find_import(conn: sqlite3.Connection, kind: str, sha256: str, key: str) -> Optional[int]:
    row = conn.execute("SELECT import_id FROM imports WHERE kind = ? AND sha256 = ? AND "
                       "options_key = ?", (kind, sha256, key)).fetchone()
    return row[0] if row else None


def begin_import(conn: sqlite3.Connection, kind: str, source, key: str, tz: Optional[str],
                 column_map: dict) -> int:
    cur = conn.execute(
        "INSERT INTO imports (kind, path, file_name, sha256, size_bytes, options_key, rows_read, "
        "rows_accepted, rows_quarantined, tz, column_map, file_format, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?)",
        (kind, str(source.path.resolve()), source.name, source.sha256, source.size_bytes, key, tz,
         json.dumps(column_map, sort_keys=True), source.file_format,
         datetime.now(timezone.utc).isoformat(timespec="seconds")))
    return cur.lastrowid


def finish_import(conn: sqlite3.Connection, import_id: int, read: int, accepted: int,
                  quarantined: int) -> None:
    conn.execute("UPDATE imports SET rows_read = ?, rows_accepted = ?, rows_quarantined = ? "
                 "WHERE import_id = ?", (read, accepted, quarantined, import_id))


def quarantine(conn: sqlite3.Connection, import_id: int, file_name: str,
               lines: Sequence, raws: Sequence[str], reasons: Sequence[str]) -> None:
    if not len(raws):
        return
    frame = pd.DataFrame({
        "import_id": np.full(len(raws), import_id, np.int64),
        "file_name": np.full(len(raws), file_name, object),
        "line": np.asarray([None if ln is None else int(ln) for ln in lines], dtype=object),
        "raw": np.asarray(raws, dtype=object),
        "reason": np.asarray(reasons, dtype=object),
    })
    insert_frame(conn, "quarantine", frame)


def has_pings(conn: sqlite3.Connection) -> bool:
    if conn.execute("SELECT 1 FROM pings LIMIT 1").fetchone() is not None:
        return True
    store = pings_dataset.recorded(conn)  # pings kept in a Parquet dataset (--pings-store)
    return store is not None and store.rows > 0


# vehicles whose dataset pings an import with --replace is replacing: not context any more
REPLACED_IN_STORE: set = set()


# CROSS JOIN pins the loop order: walk the few spans, seek the pings index (no table scan).
_CONTEXT_SQL = """
SELECT p.vehicle_id, p.ts, p.lat, p.lon FROM temp.ingest_span s
  CROSS JOIN pings p ON p.vehicle_id = s.vehicle_id AND p.ts BETWEEN s.lo AND s.hi
UNION ALL
SELECT p.vehicle_id, p.ts, p.lat, p.lon FROM temp.ingest_span s
  JOIN pings p ON p.ping_id IN (SELECT q.ping_id FROM pings q WHERE q.vehicle_id = s.vehicle_id
                                AND q.ts < s.lo ORDER BY q.ts DESC, q.ping_id DESC LIMIT 2)
UNION ALL
SELECT p.vehicle_id, p.ts, p.lat, p.lon FROM temp.ingest_span s
  JOIN pings p ON p.ping_id IN (SELECT q.ping_id FROM pings q WHERE q.vehicle_id = s.vehicle_id
                                AND q.ts > s.hi ORDER BY q.ts, q.ping_id LIMIT 2)
"""


def project_context(conn: sqlite3.Connection, spans: pd.DataFrame) -> pd.DataFrame:
    """Pings already stored for these vehicles inside [lo, hi], plus the two just before and
    just after (a chunk's first or last ping is a glitch when the two beyond it agree:
    validate.glitches): what duplicates and jumps of a new chunk are judged against. Index
    seeks only."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS ingest_span "
                 "(vehicle_id TEXT PRIMARY KEY, lo INTEGER, hi INTEGER)")
    conn.execute("DELETE FROM temp.ingest_span")
    insert_frame(conn, "ingest_span", spans, ["vehicle_id", "lo", "hi"])
    frame = pd.read_sql_query(_CONTEXT_SQL, conn)
    conn.execute("DELETE FROM temp.ingest_span")
    stored = pings_dataset.context(conn, spans, exclude=REPLACED_IN_STORE)
    if stored is not None and len(stored):
        frame = pd.concat([frame, stored], ignore_index=True) if len(frame) else stored
    frame["ts"] = frame["ts"].astype(np.int64)
    frame["lat"] = frame["lat"].astype(np.float64)
    frame["lon"] = frame["lon"].astype(np.float64)
    return frame


def drop_indexes(conn: sqlite3.Connection, table: str) -> list[str]:
    """Drop ``table``'s explicit indexes, returning the SQL that recreates them (caller's txn).
    Building an index once over sorted rows is cheaper than growing it row by row."""
    found = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                         "tbl_name = ? AND sql IS NOT NULL ORDER BY name", (table,)).fetchall()
    for name, _ in found:
        conn.execute(f'DROP INDEX "{name}"')  # a name from the schema, not from user data
    return [sql for _, sql in found]


def create_indexes(conn: sqlite3.Connection, statements: Sequence[str]) -> None:
    for sql in statements:
        conn.execute(sql)
