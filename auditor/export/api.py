"""Entry points of the export: the CLI and the GUI's Export dialog call these."""
from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

from auditor.atomic import write_bytes_atomic
from auditor.audit.flags import orphaned_flags
from auditor.errors import UserError
from auditor.export.build import build_training_set, export_columns
from auditor.export.canonical import arrow_table, rows_sha256
from auditor.export.config import ExportConfig, check_format
from auditor.export.hashing import sha256_bytes, sha256_file
from auditor.export.manifest import build_manifest, content_hashes, input_files, redact_manifest
from auditor.export.outdir import MANIFEST, prepare_out_dir, remove_stale_outputs
from auditor.export.writers import manifest_bytes, output_name, write_training_file, writer_settings
from auditor.failures import shown
from auditor.outputs import check_output_files
from auditor.progress import Progress, report, scaled
from auditor.store import open_project, transaction
from auditor.store.content_hash import stale_or_differing, store_digests


@contextlib.contextmanager
def read_snapshot(conn: sqlite3.Connection):
    """One read transaction: every table is read as of the same moment, even if an analyst
    flags something in the GUI while the export runs (WAL readers see a fixed snapshot)."""
    conn.execute("BEGIN DEFERRED")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


def _open(project) -> tuple[Path, sqlite3.Connection]:
    path = Path(project).absolute()
    if not path.exists():
        raise UserError(f"{shown(path)}: no such project — check the path (export reads an "
                        "existing project)")
    # read-only: an export never changes the project, and works on a read-only one
    return path, open_project(path, create=False, readonly=True)


def check_orphans(conn: sqlite3.Connection, skip: bool) -> list[int]:
    """Event ids of orphaned place flags (auditor.audit.anchors). An export made while a flag
    points nowhere would silently drop what an analyst said, so it is refused unless ``skip``;
    the ids are returned (and recorded in the manifest) when skipped."""
    ids = [int(e) for e in orphaned_flags(conn)["event_id"]]
    if ids and not skip:
        listed = ", ".join(map(str, ids[:10])) + (f" and {len(ids) - 10} more" if len(ids) > 10
                                                  else "")
        raise UserError(f"{len(ids)} orphaned flag(s) (event {listed}) point at no place since "
                        "the last infer — re-attach or revoke them ('auditor flags PROJECT "
                        "--reattach EVENT PLACE --analyst NAME', or in the app), or export with "
                        "--skip-orphaned to leave them out")
    return ids


def preview_export(project, config: ExportConfig | dict | None = None,
                   progress: Progress | None = None) -> dict:
    """What an export would contain, without writing anything (the Export dialog's preview)."""
    config = ExportConfig.from_any(config)
    _, conn = _open(project)
    try:
        with read_snapshot(conn):
            orphans = check_orphans(conn, skip=True)
            ts = build_training_set(conn, config, progress)
    finally:
        conn.close()
    w = ts.weights
    return {**ts.counts, "orphaned_flags": orphans,
            "effective_sample_size": w["effective_sample_size"],
            "weights": {k: w[k] for k in ("min", "max", "mean")},
            "model_run_id": ts.run["run_id"], "config": config.to_dict()}


def export_training_set(project, out_dir, fmt: str = "csv",
                        config: ExportConfig | dict | None = None,
                        progress: Progress | None = None, skip_orphaned: bool = False, *,
                        redact: bool = False, pings_check: str = "stored") -> dict:
    """Write OUT_DIR/training_set.<fmt> and OUT_DIR/manifest.json; returns the summary that
    ``auditor export --json`` prints. Refuses (UserError) while a place flag is orphaned,
    unless ``skip_orphaned``: orphans are never applied either way. ``redact``: the manifest
    names the project and the imported files without absolute paths, and the platform without
    host details. ``pings_check``: how the pings are proven (manifest.PINGS_CHECKS): by their
    per-import digests when nothing can have changed behind them, else (and with "full"
    always) by hashing every ping again."""
    config = ExportConfig.from_any(config)
    fmt = check_format(fmt)
    path, conn = _open(project)
    try:
        out = Path(out_dir).absolute()
        # never over the project (or any SQLite file): checked before any work is done
        check_output_files([out / output_name(fmt), out / MANIFEST], project=path,
                           what="the export")
        created = not out.exists()
        previous = prepare_out_dir(out)
        try:
            with read_snapshot(conn):
                seen = conn.execute("PRAGMA data_version").fetchone()[0]
                orphans = check_orphans(conn, skip_orphaned)
                ts = build_training_set(conn, config, scaled(progress, 0.0, 0.6))
                if orphans:
                    ts.flags["orphaned_skipped"] = orphans
                report(progress, 0.6, 1.0, "hashing inputs")
                hashes, fresh = content_hashes(conn, ts, pings_check)
                inputs = input_files(conn)
            if fresh:
                _keep_digests(conn, fresh, seen)
        except BaseException:
            _remove_if_created(out, created)
            raise
    finally:
        conn.close()
    try:
        return _write_export(ts, out, fmt, path, config, hashes, inputs, previous, redact,
                             progress)
    except BaseException:  # a full disk, an interrupt: no half-export left in a new folder
        _remove_if_created(out, created)
        raise


def _keep_digests(conn: sqlite3.Connection, fresh: dict, seen: int) -> None:
    """Store pings digests this export had to compute from the rows (a project older than
    per-import digests, or one changed behind auditor's back), so the next export need not —
    but only if no other connection has committed since the export's snapshot (then they
    might describe rows that are gone) and the project can be written. A cache: any failure
    (read-only, busy) leaves it for the next time."""
    try:
        if not stale_or_differing(conn, fresh):
            return
        conn.execute("PRAGMA query_only = OFF")
        try:
            with transaction(conn):
                if conn.execute("PRAGMA data_version").fetchone()[0] == seen:
                    store_digests(conn, fresh)
        finally:
            conn.execute("PRAGMA query_only = ON")
    except (sqlite3.Error, UserError):
        pass


def _remove_if_created(out: Path, created: bool) -> None:
    if created:
        shutil.rmtree(out, ignore_errors=True)


def _write_export(ts, out: Path, fmt: str, path: Path, config: ExportConfig, hashes: dict,
                  inputs: list, previous, redact: bool, progress) -> dict:
    report(progress, 0.75, 1.0, f"writing {fmt}")
    columns = export_columns()
    table = arrow_table(ts.frame, columns)
    data_path = write_training_file(table, out, fmt)
    file_sha = sha256_file(data_path)
    # the CSV file is the canonical rendering itself: its hash is the rows hash
    rows_hash = file_sha if fmt == "csv" else rows_sha256(table)
    del table
    outputs = {data_path.name: {"sha256": file_sha, "bytes": data_path.stat().st_size}}
    manifest = build_manifest(ts, project=path, config=config.to_dict(), fmt=fmt,
                              writer=writer_settings(fmt), columns=columns, hashes=hashes,
                              inputs=inputs, outputs=outputs, rows_sha256=rows_hash)
    if redact:
        manifest = redact_manifest(manifest, project=path, out_dir=out)
    blob = manifest_bytes(manifest)
    write_bytes_atomic(out / MANIFEST, blob)
    remove_stale_outputs(out, previous, {data_path.name})
    report(progress, 1.0, 1.0, "exported")
    w = ts.weights
    return {
        "rows": ts.counts["rows"],
        "files": {data_path.name: outputs[data_path.name]["sha256"], MANIFEST: sha256_bytes(blob)},
        "effective_sample_size": w["effective_sample_size"],
        "weights": {k: w[k] for k in ("min", "max", "mean")},
        "rows_sha256": rows_hash,
        "format": fmt,
        "out_dir": str(out),
        "model_run_id": ts.run["run_id"],
        "orphaned_skipped": ts.flags.get("orphaned_skipped", []),
        **{k: ts.counts[k] for k in ("relabelled", "relabelled_validation", "relabelled_test",
                                      "excluded", "excluded_by_reason",
                                      "misclassified_validation", "reweighted")},
    }
