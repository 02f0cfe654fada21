"""manifest.json: everything needed to rebuild an export and to tell why a rebuild differs.

Nothing in it depends on the wall clock, so exporting twice writes the same manifest bytes."""
from __future__ import annotations

import functools
import os
import platform
import sqlite3
import subprocess
from importlib import metadata
from pathlib import Path

import auditor
from auditor.export.build import TrainingSet
from auditor.export.hashing import ColumnHasher, keyed_table_hash, table_hash
from auditor.export.outdir import MANIFEST_KIND
from auditor.store import pings_dataset
from auditor.store.content_hash import HASH_SCHEME as _COLUMN_SCHEME
from auditor.store.content_hash import PINGS_SCHEME, pings_content_hash

MANIFEST_VERSION = 1
LIBRARIES = ("numpy", "pandas", "scikit-learn", "pyarrow")
HASH_SCHEME = f"{_COLUMN_SCHEME}; {PINGS_SCHEME}"
# how the pings are proven: "stored" (the per-import digests, when the cheap check holds),
# "full" (every ping hashed again, per import: verify --full), "table" (one digest over the
# whole table: manifests written before per-import digests; verify rebuilds those this way)
PINGS_CHECKS = ("stored", "full", "table")

# project tables whose content the export depends on: (label, SQL in a fixed order, kinds)
_TEXT, _INT, _REAL = "text", "int", "real"
INPUT_TABLES = {
    "pings": ("SELECT ping_id, vehicle_id, ts, utc_offset_min, lat, lon, speed_mps, heading_deg, "
              "trip_id, import_id FROM pings ORDER BY ping_id",
              {"ping_id": _INT, "vehicle_id": _TEXT, "ts": _INT, "utc_offset_min": _INT,
               "lat": _REAL, "lon": _REAL, "speed_mps": _REAL, "heading_deg": _REAL,
               "trip_id": _TEXT, "import_id": _INT}),
    "labels": ("SELECT label_id, vehicle_id, label, lat, lon, import_id, source_line FROM labels "
               "ORDER BY label_id",
               {"label_id": _INT, "vehicle_id": _TEXT, "label": _TEXT, "lat": _REAL,
                "lon": _REAL, "import_id": _INT, "source_line": _INT}),
    "vehicles": ("SELECT vehicle_id, meta FROM vehicles ORDER BY vehicle_id",
                 {"vehicle_id": _TEXT, "meta": _TEXT}),
    "flag_events": ("SELECT event_id, analyst, created_at, target_kind, target_id, action, "
                    "old_value, new_value, note, revokes FROM flag_events ORDER BY event_id",
                    {"event_id": _INT, "analyst": _TEXT, "created_at": _TEXT,
                     "target_kind": _TEXT, "target_id": _TEXT, "action": _TEXT,
                     "old_value": _TEXT, "new_value": _TEXT, "note": _TEXT, "revokes": _INT}),
}


def legacy_pings_hash(manifest: dict) -> bool:
    """A manifest written before per-import digests: its pings hash covers the whole table."""
    pings = (manifest.get("inputs", {}).get("content_hashes") or {}).get("pings")
    return isinstance(pings, dict) and "imports" not in pings


def content_hashes(conn: sqlite3.Connection, ts: TrainingSet,
                   pings_check: str = "stored") -> tuple[dict, dict]:
    """(hashes of the project's inputs, its flag log, and the model run's rows the export read
    (predictions of the train/validation split joined with their place features); the
    per-import pings digests computed from the rows in this call, empty if none were)."""
    if pings_check not in PINGS_CHECKS:
        raise ValueError(f"pings_check {pings_check!r}: one of {PINGS_CHECKS}")
    out = {name: table_hash(conn, sql, kinds) for name, (sql, kinds) in INPUT_TABLES.items()
           if name != "pings"}
    fresh: dict = {}
    if pings_check == "table":
        # the same digest as table_hash of INPUT_TABLES["pings"], column-wise: millions of rows
        out["pings"] = keyed_table_hash(conn, "pings", "ping_id", INPUT_TABLES["pings"][1])
    else:
        out["pings"], fresh = pings_content_hash(conn, full=pings_check == "full")
    store = pings_dataset.recorded(conn)
    if store is not None:  # pings kept in a Parquet dataset: hash its content, bucket by bucket
        kinds = INPUT_TABLES["pings"][1]
        out["pings"], fresh = store.content_hash(ColumnHasher(kinds), list(kinds)), {}
    out = {name: out[name] for name in INPUT_TABLES}
    out["model_rows"] = ts.model_rows
    return out, fresh


def input_files(conn: sqlite3.Connection) -> list[dict]:
    rows = conn.execute(
        "SELECT import_id, kind, path, file_name, size_bytes, sha256, rows_read, rows_accepted, "
        "rows_quarantined, tz, column_map, file_format FROM imports ORDER BY import_id")
    keys = ["import_id", "kind", "path", "file_name", "size", "sha256", "rows_read",
            "rows_accepted", "rows_quarantined", "tz", "column_map", "file_format"]
    return [dict(zip(keys, r)) for r in rows]


@functools.lru_cache(maxsize=1)
def git_commit() -> str | None:
    """HEAD of the auditor checkout this code runs from; None when installed or frozen.
    Asked once per process: the code running is what was imported, whatever HEAD is later."""
    root = Path(auditor.__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and len(commit) == 40 else None


def library_versions() -> dict:
    out = {"python": platform.python_version(), "auditor": auditor.__version__,
           "sqlite": sqlite3.sqlite_version}
    for lib in LIBRARIES:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out


def build_manifest(ts: TrainingSet, *, project: Path, config: dict, fmt: str, writer: dict,
                   columns: list[str], hashes: dict, inputs: list[dict], outputs: dict,
                   rows_sha256: str) -> dict:
    run = ts.run
    return {
        "kind": MANIFEST_KIND,
        "manifest_version": MANIFEST_VERSION,
        "auditor": {"version": auditor.__version__, "git_commit": git_commit()},
        "versions": library_versions(),
        "platform": platform.platform(),
        "project": {"path": str(project)},
        "config": config,
        "format": fmt,
        "writer": writer,
        "seeds": {"model_run": run["seed"], "export": None},
        "model_run": {"run_id": run["run_id"], "seed": run["seed"], "config": run["config"],
                      "versions": run["versions"], "data_hash": run["data_hash"]},
        "split": ts.splits,
        "inputs": {"files": inputs, "content_hashes": hashes, "hash_scheme": HASH_SCHEME},
        "flags_in_force": ts.flags,
        "ping_exclusions": ts.refeatured,
        "counts": ts.counts,
        "weights": ts.weights,
        "outputs": {"files": outputs, "columns": columns, "rows": ts.counts["rows"],
                    "rows_sha256": rows_sha256, "sort": "place_id ascending (code points)",
                    "rows_hash": "sha256 of the canonical CSV rendering (writer 'csv') of the "
                                 "rows in this order"},
    }


def redacted_project_path(project: Path, out_dir: Path) -> str | None:
    """The project's path relative to the export folder when it stays within the folder's
    parent (e.g. "../p.db", "../data/p.db"); None when only its name may be told."""
    try:
        rel = Path(os.path.relpath(project, out_dir))
    except ValueError:  # another drive (Windows)
        return None
    ups = [p for p in rel.parts if p == ".."]
    return rel.as_posix() if len(ups) <= 1 and rel.parts[len(ups):].count("..") == 0 else None


def redact_manifest(manifest: dict, *, project: Path, out_dir: Path) -> dict:
    """``manifest`` without absolute paths, host or user details: the project as a path
    relative to the export folder (or only its name), imported files by name only, the
    platform as its OS name only. Hashes, counts and settings stay: verify still works."""
    out = dict(manifest)
    out["redacted"] = True
    out["project"] = {"name": project.name,
                      "path": redacted_project_path(project, out_dir)}
    out["platform"] = platform.system()
    out["inputs"] = dict(manifest["inputs"])
    out["inputs"]["files"] = [{k: v for k, v in f.items() if k != "path"}
                              for f in manifest["inputs"]["files"]]
    return out
