"""Writing export files byte for byte the same every time, via a temporary name + os.replace."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from auditor.export.hashing import CSV_FORMAT, iter_csv

# Every writer setting that can change the bytes is fixed here and recorded in the manifest.
PARQUET_SETTINGS = {"compression": "snappy", "version": "2.6", "use_dictionary": False,
                    "write_statistics": True, "data_page_version": "1.0",
                    "row_group_size": 1_000_000}
FILE_STEM = "training_set"


def output_name(fmt: str) -> str:
    return f"{FILE_STEM}.{fmt}"


def writer_settings(fmt: str) -> dict:
    if fmt == "csv":
        return dict(CSV_FORMAT)
    return {**PARQUET_SETTINGS, "pandas_metadata": False, "missing": "null",
            "library": f"pyarrow {pa.__version__}"}


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}")


def write_bytes_atomic(path: Path, data: bytes | Iterable[bytes]) -> str:
    """Write ``data`` (bytes or pieces of it) to ``path`` via a temporary name; returns the
    sha256 of what was written."""
    tmp = _temp_name(path)
    h = hashlib.sha256()
    try:
        with open(tmp, "wb") as fh:
            for piece in ([data] if isinstance(data, bytes) else data):
                h.update(piece)
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return h.hexdigest()


def arrow_table(frame: pd.DataFrame, columns: Sequence[str]) -> pa.Table:
    """An Arrow table with a fixed schema and no pandas metadata (index, versions)."""
    arrays, fields = [], []
    for c in columns:
        s = frame[c]
        if s.dtype.kind == "f":
            arr = pa.array(s.to_numpy(), type=pa.float64(), from_pandas=True)  # NaN -> null
        else:
            arr = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.string())
        arrays.append(arr)
        fields.append(pa.field(c, arr.type))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def write_training_file(frame: pd.DataFrame, columns: Sequence[str], out_dir: Path,
                        fmt: str) -> Path:
    path = out_dir / output_name(fmt)
    if fmt == "csv":
        write_bytes_atomic(path, iter_csv(frame, columns))
        return path
    tmp = _temp_name(path)
    try:
        pq.write_table(arrow_table(frame, columns), tmp, **PARQUET_SETTINGS)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, sort_keys=True, indent=2) + "\n").encode("utf-8")


def read_training_file(path: Path) -> pd.DataFrame:
    """Read an export back with the dtypes it was written with (for checks and users)."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    return pd.read_csv(path, dtype={"place_id": str, "vehicle_id": str, "label": str,
                                    "weight_reason": str}, keep_default_na=False,
                       na_values=[""])
