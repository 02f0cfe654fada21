"""Bulk writes. Raw executemany inside the caller's transaction: sqlite-utils' insert_all is
about 10x slower for millions of rows, so the hot path does not use it."""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

if TYPE_CHECKING:  # pandas is imported where used: it costs ~0.6 s of the GUI's start
    import pandas as pd


# Rows per INSERT statement: one statement for many rows saves sqlite3's per-row step/reset and
# Python's per-row tuple; ~100 was fastest here (2M pings: 1.9 s CPU per 1M rows vs 3.6 s for
# one row per statement). Bounded by SQLite's limit on bound parameters.
ROWS_PER_STATEMENT = 100
_DEFAULT_MAX_VARIABLES = 999  # SQLite < 3.32; newer builds allow 32766


def value_matrix(df: pd.DataFrame, columns: Sequence[str]):
    """(rows, columns) numpy object array of plain Python values, NaN/NA as None. Built column
    by column in C (numpy makes the Python floats and ints), never a Python loop per row."""
    import numpy as np  # here, not at module level: keeps numpy/pandas off the GUI start path
    import pandas as pd
    out = np.empty((len(df), len(columns)), dtype=object)
    for j, c in enumerate(columns):
        s = df[c]
        kind = s.dtype.kind
        if isinstance(s.dtype, np.dtype) and kind == "f":
            arr = s.to_numpy()
            out[:, j] = arr
            missing = np.isnan(arr)
            if missing.any():
                out[missing, j] = None
        elif isinstance(s.dtype, np.dtype) and kind in "iub":
            out[:, j] = s.to_numpy()
        else:  # text, object, pandas' nullable types
            arr = s.to_numpy(dtype=object)
            out[:, j] = arr
            missing = pd.isna(arr)
            if missing.any():
                out[missing, j] = None
    return out


def frame_rows(df: pd.DataFrame, columns: Sequence[str]) -> Iterable[list]:
    """Rows of plain Python values with NaN/NA as None, cheap for millions of rows."""
    return value_matrix(df, columns).tolist()


def _max_variables(conn: sqlite3.Connection) -> int:
    try:
        return conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # Python < 3.11
        return _DEFAULT_MAX_VARIABLES


def insert_frame(conn: sqlite3.Connection, table: str, df: pd.DataFrame,
                 columns: Sequence[str] | None = None,
                 constants: Mapping[str, int] | None = None) -> int:
    """INSERT every row of ``df`` into ``table`` (columns named alike), in row order (rowids
    follow it). ``constants``: columns whose value is the same integer in every row, written
    into the statement instead of bound per row. Caller owns the txn."""
    columns = list(columns or df.columns)
    constants = dict(constants or {})
    n = len(df)
    if not n:
        return 0
    for name, value in constants.items():
        if type(value) is not int:  # only integers are written as SQL text, never data
            raise TypeError(f"constant {name}={value!r}: integers only")
    values = value_matrix(df, columns)
    k = len(columns)
    per = max(1, min(ROWS_PER_STATEMENT, _max_variables(conn) // max(k, 1)))
    one = "(" + ",".join(["?"] * k + [str(v) for v in constants.values()]) + ")"
    names = ",".join(f'"{c}"' for c in [*columns, *constants])
    head = f'INSERT INTO "{table}" ({names}) VALUES '
    full = n - n % per
    if full:
        conn.executemany(head + ",".join([one] * per), values[:full].reshape(-1, k * per).tolist())
    if full < n:
        conn.executemany(head + one, values[full:].tolist())
    return n


def python_values(values) -> list:
    """One column as a list of plain Python values (what sqlite3 binds), NaN/NA as None.
    ``tolist`` makes the Python objects in C; only the missing values are touched one by one
    (or, when there are many, replaced through an object array)."""
    import numpy as np
    import pandas as pd
    if isinstance(values, list):  # made by this function already
        return values
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.tolist()
    missing = np.isnan(arr) if arr.dtype.kind == "f" else pd.isna(arr)
    at = np.flatnonzero(missing)
    if not len(at):
        return arr.tolist()
    if len(at) * 8 > len(arr):
        obj = arr.astype(object)
        obj[missing] = None
        return obj.tolist()
    out = arr.tolist()
    for i in at.tolist():  # few: a per-missing-value step, never per row
        out[i] = None
    return out


def insert_columns(conn: sqlite3.Connection, table: str, columns: Mapping[str, object],
                   constants: Mapping[str, int] | None = None, keep=None) -> int:
    """INSERT rows given column by column (``columns``: name -> array, all one length) into
    ``table``, in row order (rowids follow it). Like insert_frame, without a frame or an
    (n, k) object matrix: each column becomes a Python list once (in C) and the lists are
    interleaved by slice assignment into the flat parameter list the multi-row statements
    bind. ``constants``: integer columns written into the statement. ``keep``: ascending
    positions of the rows to insert (default all) — rows left out cost nothing, the kept ones
    are not copied into new lists first. Caller owns the txn."""
    names = list(columns)
    constants = dict(constants or {})
    for name, value in constants.items():
        if type(value) is not int:  # only integers are written as SQL text, never data
            raise TypeError(f"constant {name}={value!r}: integers only")
    k = len(names)
    n = len(columns[names[0]]) if names else 0
    if not n:
        return 0
    if not k:
        raise ValueError("insert_columns needs at least one column of values")
    flat: list = [None] * (n * k)
    for j, name in enumerate(names):
        values = python_values(columns[name])
        if len(values) != n:
            raise ValueError(f"column {name}: {len(values)} values, expected {n}")
        flat[j::k] = values
    per = max(1, min(ROWS_PER_STATEMENT, _max_variables(conn) // k))
    one = "(" + ",".join(["?"] * k + [str(v) for v in constants.values()]) + ")"
    quoted = ",".join(f'"{c}"' for c in [*names, *constants])
    head = f'INSERT INTO "{table}" ({quoted}) VALUES '
    if keep is not None:
        return _insert_kept(conn, head, one, flat, k, per, keep)
    full = n - n % per
    step = per * k
    if full:
        conn.executemany(head + ",".join([one] * per),
                         (flat[i:i + step] for i in range(0, full * k, step)))
    if full < n:
        conn.executemany(head + one, (flat[i:i + k] for i in range(full * k, n * k, k)))
    return n


def _insert_kept(conn, head: str, one: str, flat: list, k: int, per: int, keep) -> int:
    """The rows at positions ``keep`` of the row-major ``flat`` values, ``per`` rows per
    statement, each statement's values bound as slices of ``flat``: one slice per run of
    consecutive rows (a statement holds several runs only around a left-out row)."""
    import numpy as np
    keep = np.asarray(keep, dtype=np.int64)
    m = len(keep)
    if not m:
        return 0
    # run starts, as positions in keep: a statement's rows are cut there and at its own edges
    cuts = (np.flatnonzero(np.diff(keep) != 1) + 1).tolist() + [m]
    rows = keep.tolist()

    def values(lo: int, hi: int, j: int) -> tuple[list, int]:
        """Values of kept rows lo..hi-1; ``j``: the first cut > lo (returned for the next)."""
        while cuts[j] <= lo:
            j += 1
        if cuts[j] >= hi:  # one run
            return flat[rows[lo] * k:(rows[hi - 1] + 1) * k], j
        out: list = []
        start = lo
        while cuts[j] < hi:
            out += flat[rows[start] * k:(rows[cuts[j] - 1] + 1) * k]
            start = cuts[j]
            j += 1
        out += flat[rows[start] * k:(rows[hi - 1] + 1) * k]
        return out, j

    def statements(step: int, lo: int, hi: int):
        j = 0
        for a in range(lo, hi, step):
            part, j = values(a, a + step, j)
            yield part

    full = m - m % per
    if full:
        conn.executemany(head + ",".join([one] * per), statements(per, 0, full))
    if full < m:
        conn.executemany(head + one, statements(1, full, m))
    return m


def replace_table_from_frame(conn: sqlite3.Connection, table: str, df: pd.DataFrame,
                             primary_key: str | None = None,
                             indexes: Sequence[Sequence[str]] = ()) -> None:
    """Drop and recreate ``table`` with ``df``'s columns and rows (caller owns the txn).

    For derived tables whose columns follow the code (e.g. place_features). Plain DDL (the
    table sqlite-utils' create_table made: INTEGER/REAL/TEXT columns, the primary key inline):
    importing sqlite-utils cost ~0.1 s of every `auditor infer` (issue 16)."""
    def quoted(name: str) -> str:
        return '"' + str(name).replace('"', '""') + '"'

    def sqltype(s: "pd.Series") -> str:
        k = s.dtype.kind
        return "INTEGER" if k in "iub" else "REAL" if k == "f" else "TEXT"

    if primary_key is not None and primary_key not in df.columns:
        raise ValueError(f"primary key {primary_key} is not a column of the frame")
    columns = ",\n   ".join(
        f"{quoted(c)} {sqltype(df[c])}{' PRIMARY KEY' if c == primary_key else ''}"
        for c in df.columns)
    conn.execute(f"DROP TABLE IF EXISTS {quoted(table)}")
    conn.execute(f"CREATE TABLE {quoted(table)} (\n   {columns}\n)")
    for i, idx in enumerate(indexes):
        conn.execute(f"CREATE INDEX {quoted(f'{table}_i{i}')}\n    ON {quoted(table)} "
                     f"({', '.join(quoted(c) for c in idx)})")
    insert_frame(conn, table, df)
