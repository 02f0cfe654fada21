"""Bulk writes. Raw executemany inside the caller's transaction: sqlite-utils' insert_all is
about 10x slower for millions of rows, so the hot path does not use it."""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:  # pandas is imported where used: it costs ~0.6 s of the GUI's start
    import pandas as pd


def frame_rows(df: pd.DataFrame, columns: Sequence[str]) -> Iterable[tuple]:
    """Rows of plain Python values with NaN/NA as None, cheap for millions of rows."""
    import numpy as np  # here, not at module level: keeps numpy/pandas off the GUI start path
    import pandas as pd
    cols = []
    for c in columns:
        s = df[c]
        if s.dtype.kind == "f":
            arr = s.to_numpy(dtype=object)
            mask = s.isna().to_numpy()
            if mask.any():
                arr[mask] = None
            cols.append(arr)
        elif s.dtype.kind in "iub":
            cols.append(s.to_numpy().tolist())
        else:
            arr = s.astype(object).to_numpy()
            mask = pd.isna(arr)
            if mask.any():
                arr = arr.copy()
                arr[mask] = None
            cols.append(arr)
    return zip(*[c.tolist() if isinstance(c, np.ndarray) else c for c in cols])


def insert_frame(conn: sqlite3.Connection, table: str, df: pd.DataFrame,
                 columns: Sequence[str] | None = None) -> int:
    """INSERT every row of ``df`` into ``table`` (columns named alike). Caller owns the txn."""
    columns = list(columns or df.columns)
    if df.empty:
        return 0
    placeholders = ",".join("?" * len(columns))
    names = ",".join(f'"{c}"' for c in columns)
    conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({placeholders})',
                     frame_rows(df, columns))
    return len(df)


def replace_table_from_frame(conn: sqlite3.Connection, table: str, df: pd.DataFrame,
                             primary_key: str | None = None,
                             indexes: Sequence[Sequence[str]] = ()) -> None:
    """Drop and recreate ``table`` with ``df``'s columns and rows (caller owns the txn).

    For derived tables whose columns follow the code (e.g. place_features)."""
    from auditor.store.connection import db  # sqlite-utils: schema work, not the row copy

    def sqltype(s: "pd.Series") -> type:
        k = s.dtype.kind
        return int if k in "iub" else float if k == "f" else str

    project = db(conn)
    project[table].drop(ignore=True)
    project.create_table(table, {c: sqltype(df[c]) for c in df.columns}, pk=primary_key)
    for i, idx in enumerate(indexes):
        project[table].create_index(list(idx), index_name=f"{table}_i{i}")
    insert_frame(conn, table, df)
