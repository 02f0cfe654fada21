"""Writing export files byte for byte the same every time, via a temporary file + rename
(auditor.atomic)."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from auditor.atomic import atomic_path
from auditor.export.canonical import CSV_FORMAT, write_csv_file

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


def write_training_file(table: pa.Table, out_dir: Path, fmt: str) -> Path:
    """OUT_DIR/training_set.<fmt> from the canonical Arrow table, via a temporary name."""
    path = out_dir / output_name(fmt)
    with atomic_path(path) as tmp:
        if fmt == "csv":
            write_csv_file(table, tmp)
        else:
            pq.write_table(table, tmp, **PARQUET_SETTINGS)
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
