"""Pings outside the project file: a Parquet dataset, for fleets that outgrow one SQLite file.

Layout: ``ROOT/v-<id>/bucket=<b>/pings.parquet``, one file per vehicle bucket
(auditor.pipeline.shards.vehicle_bucket), rows sorted by (vehicle_id, ts, ping_id). The
project records ROOT, the current version ``v-<id>`` and one row per vehicle (its bucket,
count and time span) in ``pings_store`` / ``pings_store_vehicles``; everything else —
quarantine, imports, labels, flags, derived tables — stays in SQLite.

An import never changes a version in place: it writes a new version folder under a temporary
name (untouched buckets hard-linked from the current one, touched buckets merged and
rewritten), renames it, and records it in the import's own SQLite transaction. So a failed
import leaves the previous version current and complete; its half-written folder is removed,
and stale ones are swept by the next import. Old versions are removed after the commit.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
import pandas as pd

from auditor.errors import UserError

DEFAULT_BUCKETS = 128
FILE = "pings.parquet"
COLUMNS = ["ping_id", "vehicle_id", "ts", "utc_offset_min", "lat", "lon", "speed_mps",
           "heading_deg", "trip_id", "import_id"]


def _schema():
    import pyarrow as pa
    return pa.schema([("ping_id", pa.int64()), ("vehicle_id", pa.string()),
                      ("ts", pa.int64()), ("utc_offset_min", pa.int64()),
                      ("lat", pa.float64()), ("lon", pa.float64()),
                      ("speed_mps", pa.float64()), ("heading_deg", pa.float64()),
                      ("trip_id", pa.string()), ("import_id", pa.int64())])


def vehicle_bucket(vehicle_ids: Sequence[str], n_buckets: int) -> np.ndarray:
    """Bucket of each vehicle id: crc32 of its UTF-8 bytes mod ``n_buckets``. Stable across
    processes, machines and Python versions (unlike ``hash()``); one call per vehicle."""
    n = max(1, int(n_buckets))
    return np.fromiter((zlib.crc32(str(v).encode("utf-8")) % n for v in vehicle_ids),
                       dtype=np.int64, count=len(vehicle_ids))


def bucket_dir(version_dir: Path, bucket: int) -> Path:
    return version_dir / f"bucket={int(bucket):05d}"


def read_bucket_file(path: Path, columns: Optional[Sequence[str]] = None,
                     vehicle_ids: Optional[Sequence[str]] = None) -> pd.DataFrame:
    """A bucket's pings as read_pings returns them (object ids, Int64 offsets, NaN floats),
    optionally only some vehicles (row-group statistics skip the rest)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    columns = list(columns or COLUMNS)
    if not path.exists():
        return _empty(columns)
    filters = None
    if vehicle_ids is not None:
        filters = pc.field("vehicle_id").isin(list(vehicle_ids))
    table = pq.read_table(path, columns=columns, filters=filters,
                          read_dictionary=["vehicle_id"] if "vehicle_id" in columns else None)
    return _to_frame(table, columns)


def read_bucket_files(paths: Sequence[Path], columns: Sequence[str]) -> pd.DataFrame:
    """Several buckets' pings as one frame (one arrow table, converted once), each bucket in
    its file's order."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    columns = list(columns)
    for p in paths:  # the caller planned them from the recorded buckets: each holds pings
        if not Path(p).exists():
            raise UserError(unseen_message(Path(p)))
    tables = [pq.read_table(p, columns=columns, read_dictionary=["vehicle_id"]
                            if "vehicle_id" in columns else None)
              for p in paths]
    if not tables:
        return _empty(columns)
    table = pa.concat_tables(tables).unify_dictionaries() if len(tables) > 1 else tables[0]
    return _to_frame(table, columns)


SAME_PATH_FIX = ("every Dask worker reads the pings store itself: mount it at the same path on "
                 "every worker (NFS, a shared volume), or run with --engine local")


def unseen_message(bucket_file: Path) -> str:
    """A bucket file this process cannot see: the store is elsewhere here, or incomplete."""
    root = bucket_file.parent.parent.parent
    if not root.exists():
        return f"{root}: the pings store is not at this path here — {SAME_PATH_FIX}"
    return (f"{bucket_file}: missing from the pings store — the store is incomplete (changed "
            "outside auditor?); import the pings again into a new store")


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return _to_frame(_schema().empty_table(), columns)


def _to_frame(table, columns: Sequence[str]) -> pd.DataFrame:
    """Column by column, no Python object per ping except the text of trip ids: vehicle ids
    as arrow strings, offsets as Int64 with their nulls."""
    import pyarrow as pa
    table = table.select(list(columns))
    out = {}
    for name in columns:
        col = table.column(name)
        if name == "vehicle_id":  # pandas' arrow-backed str, like read_pings: no object per ping
            if pa.types.is_dictionary(col.type):
                col = col.cast(pa.large_string())
            out[name] = col.to_pandas().array if len(col) else np.zeros(0, dtype=object)
        elif name == "trip_id":
            out[name] = (np.full(len(col), None, dtype=object) if col.null_count == len(col)
                         else col.to_numpy(zero_copy_only=False).astype(object))
        elif name == "utc_offset_min":
            out[name] = col.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get).array
        elif name in ("lat", "lon", "speed_mps", "heading_deg"):
            out[name] = col.to_numpy(zero_copy_only=False).astype(np.float64)
        else:
            out[name] = col.to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.DataFrame(out)


@dataclass(frozen=True)
class PingsDataset:
    """The dataset a project records (``recorded``), read-only; the importer is ``Stage``."""
    root: Path
    version: str
    n_buckets: int
    rows: int
    max_ping_id: int

    @property
    def version_dir(self) -> Path:
        return self.root / self.version

    def bucket_file(self, bucket: int) -> Path:
        return bucket_dir(self.version_dir, bucket) / FILE

    def buckets(self) -> list[int]:
        """Buckets that hold pings, in order."""
        return sorted(int(p.name.split("=", 1)[1]) for p in self.version_dir.glob("bucket=*")
                      if (p / FILE).exists())

    def read_vehicles(self, vehicle_ids: Sequence[str],
                      columns: Sequence[str] = COLUMNS) -> pd.DataFrame:
        """Pings of these vehicles in (vehicle_id, ts, ping_id) order, reading only their
        buckets' files (partition pruning) and in them only their row groups."""
        ids = sorted(set(vehicle_ids))
        if not ids:
            return _empty(columns)
        buckets = vehicle_bucket(ids, self.n_buckets)
        parts = [read_bucket_file(self.bucket_file(b), columns,
                                  [v for v, vb in zip(ids, buckets) if vb == b])
                 for b in np.unique(buckets)]
        frame = pd.concat(parts, ignore_index=True)
        if "vehicle_id" in frame and len(parts) > 1:
            frame = frame.sort_values("vehicle_id", kind="stable").reset_index(drop=True)
        return frame

    def content_hash(self, hasher, columns: Sequence[str]):
        """Feeds ``hasher`` (export's ColumnHasher: .update(frame)) every bucket's rows, in
        bucket order and then (vehicle, ts, ping_id), one bucket in memory at a time; returns
        ``hasher.result()``. Independent of Parquet's byte layout."""
        for b in self.buckets():
            hasher.update(read_bucket_file(self.bucket_file(b), list(columns)))
        return hasher.result()


def recorded(conn: sqlite3.Connection) -> Optional[PingsDataset]:
    """The project's Parquet pings store, or None (pings live in the project file)."""
    try:
        row = conn.execute("SELECT root, version, n_buckets, rows, max_ping_id "
                           "FROM pings_store WHERE store_id = 1").fetchone()
    except sqlite3.OperationalError:  # a project older than the table (read-only open)
        return None
    if row is None:
        return None
    return PingsDataset(Path(row[0]), row[1], int(row[2]), int(row[3]), int(row[4]))


def vehicle_rows(conn: sqlite3.Connection) -> pd.DataFrame:
    return pd.read_sql_query("SELECT vehicle_id, bucket, n_pings, min_ts, max_ts FROM "
                             "pings_store_vehicles ORDER BY vehicle_id", conn)


def stored_pings(conn: sqlite3.Connection, vehicle_ids: Sequence[str]) -> int:
    """How many pings the recorded dataset holds for these vehicles (0 without a store)."""
    if not len(vehicle_ids) or recorded(conn) is None:
        return 0
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS stored_pings_ids (vehicle_id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.stored_pings_ids")
    conn.executemany("INSERT OR IGNORE INTO temp.stored_pings_ids VALUES (?)",
                     [(str(v),) for v in vehicle_ids])
    (n,) = conn.execute("SELECT COALESCE(SUM(n_pings), 0) FROM pings_store_vehicles "
                        "JOIN temp.stored_pings_ids USING (vehicle_id)").fetchone()
    conn.execute("DELETE FROM temp.stored_pings_ids")
    return int(n)


# --- context for the import rules (duplicates and jumps across imports) ----------------------

@lru_cache(maxsize=16)
def _context_columns(path: str, mtime_ns: int) -> pd.DataFrame:
    return read_bucket_file(Path(path), ["vehicle_id", "ts", "lat", "lon"])


def context(conn: sqlite3.Connection, spans: pd.DataFrame,
            exclude: Iterable[str] = ()) -> Optional[pd.DataFrame]:
    """What persist.project_context gives from SQLite, from the dataset: the stored pings of
    the spans' vehicles inside [lo, hi], plus the one just before and just after. None when
    the project has no dataset."""
    ds = recorded(conn)
    if ds is None or not len(spans):
        return None
    spans = spans[~spans["vehicle_id"].isin(set(exclude))]
    buckets = vehicle_bucket(spans["vehicle_id"].tolist(), ds.n_buckets)
    parts = []
    for b in np.unique(buckets):
        path = ds.bucket_file(int(b))
        if not path.exists():
            continue
        frame = _context_columns(str(path), path.stat().st_mtime_ns)
        want = spans[buckets == b]
        f = frame[frame["vehicle_id"].isin(set(want["vehicle_id"]))]
        if not len(f):
            continue
        f = f.merge(want[["vehicle_id", "lo", "hi"]], on="vehicle_id", how="inner", sort=False)
        inside = f[(f["ts"] >= f["lo"]) & (f["ts"] <= f["hi"])]
        before = f[f["ts"] < f["lo"]].groupby("vehicle_id", sort=False).tail(1)
        after = f[f["ts"] > f["hi"]].groupby("vehicle_id", sort=False).head(1)
        parts.append(pd.concat([inside, before, after])[["vehicle_id", "ts", "lat", "lon"]])
    if not parts:
        return None
    return pd.concat(parts, ignore_index=True)


# --- writing: one new version per import ------------------------------------------------------

def check_store_dir(root, conn: sqlite3.Connection) -> Path:
    """The dataset folder for ``--pings-store DIR``: the project's own if it has one (then DIR
    must name it), else a new or empty folder, never a file; the project must not already
    hold pings in its file."""
    root = Path(root).expanduser().resolve()
    ds = recorded(conn)
    if ds is not None:
        if root != ds.root.resolve():
            raise UserError(f"--pings-store {root}: this project keeps its pings in {ds.root} "
                            "— give that folder, or leave --pings-store out")
        return root
    if root.exists() and not root.is_dir():
        raise UserError(f"--pings-store {root}: is a file — give a folder (it is created if "
                        "missing)")
    if root.is_dir() and any(p for p in root.iterdir() if not p.name.startswith(".")):
        raise UserError(f"--pings-store {root}: the folder is not empty — give a new or empty "
                        "folder for this project's pings")
    if conn.execute("SELECT 1 FROM pings LIMIT 1").fetchone() is not None:
        raise UserError(f"--pings-store {root}: this project already keeps its pings in the "
                        "project file — start a new project to keep them in a dataset")
    return root


def _vehicle_stats(frame: pd.DataFrame, bucket: int) -> pd.DataFrame:
    """pings_store_vehicles rows of one bucket's (sorted) pings."""
    g = frame.groupby("vehicle_id", sort=True)["ts"].agg(["size", "min", "max"])
    return pd.DataFrame({"vehicle_id": g.index.to_numpy(dtype=object), "bucket": int(bucket),
                         "n_pings": g["size"].to_numpy(np.int64),
                         "min_ts": g["min"].to_numpy(np.int64),
                         "max_ts": g["max"].to_numpy(np.int64)})


class Stage:
    """Moves the pings an import wrote to the SQLite ``pings`` table (validated exactly as
    without a store) into a new dataset version, inside the import's transaction. Call
    ``write`` before the commit, ``committed`` after it, ``discard`` on failure."""

    def __init__(self, root: Path, n_buckets: Optional[int] = None):
        self.root = Path(root)
        self.n_buckets = int(n_buckets or DEFAULT_BUCKETS)  # used when the store is created
        self.tmp: Optional[Path] = None
        self.final: Optional[Path] = None
        self.previous: Optional[str] = None

    def write(self, conn: sqlite3.Connection, replaced: Iterable[str] = ()) -> dict:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from auditor.store.queries import read_pings
        ds = recorded(conn)
        n_buckets = ds.n_buckets if ds is not None else self.n_buckets
        base = ds.max_ping_id if ds is not None else 0
        self.previous = ds.version if ds is not None else None
        replaced = set(replaced)
        new_ids = [r[0] for r in conn.execute(
            "SELECT DISTINCT vehicle_id FROM pings ORDER BY vehicle_id")]
        touched_ids = sorted(set(new_ids) | (replaced & set(vehicle_rows(conn)["vehicle_id"])
                                              if ds is not None else set()))
        if not touched_ids and ds is not None:
            return {"version": ds.version, "rows": ds.rows}
        self.root.mkdir(parents=True, exist_ok=True)
        self._sweep(keep=self.previous)
        name = f"v-{uuid.uuid4().hex[:12]}"
        self.tmp = self.root / f".{name}.tmp"
        self.final = self.root / name
        self.tmp.mkdir()
        buckets = vehicle_bucket(touched_ids, n_buckets)
        touched = {int(b): [v for v, vb in zip(touched_ids, buckets) if vb == b]
                   for b in np.unique(buckets)}
        if ds is not None:  # untouched buckets: the same file, hard-linked (copied elsewhere)
            for b in ds.buckets():
                if b not in touched:
                    self._link(ds.bucket_file(b), bucket_dir(self.tmp, b) / FILE)
        max_id = base
        kept = (vehicle_rows(conn) if ds is not None else pd.DataFrame(
            columns=["vehicle_id", "bucket", "n_pings", "min_ts", "max_ts"]))
        stats = [kept[~kept["bucket"].isin(list(touched))]]  # untouched buckets: as recorded
        for b, vids in touched.items():
            new = read_pings(conn, vids, columns=COLUMNS, in_file=True)
            new["ping_id"] = new["ping_id"].astype(np.int64) + base  # ids go on from the store
            if len(new):
                max_id = max(max_id, int(new["ping_id"].max()))
            old = (read_bucket_file(ds.bucket_file(b)) if ds is not None
                   else _empty(COLUMNS))
            old = old[~old["vehicle_id"].isin(replaced)]
            merged = pd.concat([old, new], ignore_index=True) if len(old) else new
            codes, _ = pd.factorize(merged["vehicle_id"], sort=True)
            order = np.lexsort([merged["ping_id"].to_numpy(), merged["ts"].to_numpy(), codes])
            merged = merged.iloc[order].reset_index(drop=True)
            if not len(merged):
                continue
            target = bucket_dir(self.tmp, b)
            target.mkdir(parents=True, exist_ok=True)
            table = pa.Table.from_pandas(merged[COLUMNS], schema=_schema(), preserve_index=False)
            # row groups of ~128k rows: a one-vehicle read skips the others by statistics
            pq.write_table(table, target / FILE, row_group_size=128_000, compression="zstd")
            stats.append(_vehicle_stats(merged, b))
        os.replace(self.tmp, self.final)
        self.tmp = None
        self._record(conn, n_buckets, max_id, pd.concat(stats, ignore_index=True))
        conn.execute("DELETE FROM pings")  # they live in the dataset now
        return {"version": self.final.name, "rows": recorded(conn).rows}

    def _record(self, conn: sqlite3.Connection, n_buckets: int, max_id: int,
                frame: pd.DataFrame) -> None:
        from auditor.store.bulk import insert_frame
        frame = frame.sort_values("vehicle_id", kind="stable").reset_index(drop=True)
        conn.execute("DELETE FROM pings_store_vehicles")
        insert_frame(conn, "pings_store_vehicles", frame)
        conn.execute("INSERT OR REPLACE INTO pings_store (store_id, root, version, n_buckets, "
                     "rows, max_ping_id) VALUES (1, ?, ?, ?, ?, ?)",
                     (str(self.root), self.final.name, n_buckets, int(frame["n_pings"].sum()),
                      max_id))

    @staticmethod
    def _link(src: Path, dst: Path) -> None:
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    def _sweep(self, keep: Optional[str]) -> None:
        """Versions no project row points at: left by a crash, or superseded."""
        for p in self.root.iterdir():
            if p.is_dir() and (p.name.startswith(".v-") or p.name.startswith("v-")) \
                    and p.name != keep:
                shutil.rmtree(p, ignore_errors=True)

    def committed(self) -> None:
        """After the commit: the previous version is no longer referenced."""
        if self.previous and self.final is not None:
            shutil.rmtree(self.root / self.previous, ignore_errors=True)

    def discard(self) -> None:
        """After a rollback: remove what this import wrote; the recorded version stays."""
        for p in (self.tmp, self.final):
            if p is not None:
                shutil.rmtree(p, ignore_errors=True)


def compact(conn: sqlite3.Connection) -> None:
    """After a store import: give back the pages the pings passed through (they were written
    to the file for validation, then moved out). VACUUM costs what the file still holds, not
    what was freed; best effort — another connection reading keeps the pages for now."""
    try:
        conn.execute("VACUUM")
    except sqlite3.OperationalError:
        pass
