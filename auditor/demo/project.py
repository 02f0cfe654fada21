"""The demo project: demo data generated next to a project file, imported and inferred.

Built under a temporary name and renamed, so an interrupted build never leaves a half-made
project. A stamp in the data folder records the parameters: the same parameters reuse the
project, others rebuild it — only if it holds no flag events and no other window or process
has it open. A file that is not a demo project is never overwritten."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from auditor import __version__
from auditor.atomic import fsync_dir, write_text_atomic
from auditor.demo import defaults
from auditor.errors import ProjectBusy, UserError
from auditor.failures import shown
from auditor.progress import Progress, scaled
from auditor.store.connection import inspect_project_file, sqlite_uri

STAMP_NAME = "demo-build.json"


def default_demo_project() -> Path:
    base = os.environ.get("AUDITOR_DATA_DIR") or platformdirs.user_data_dir(
        "auditor", appauthor=False)
    return Path(base) / "demo" / "demo.db"


def demo_data_dir(project: Path) -> Path:
    """demo.db -> demo-data/ beside it."""
    project = Path(project)
    return project.with_name(project.stem + "-data")


@dataclass
class DemoBuild:
    project: Path
    data_dir: Path
    reused: bool
    ingest: list        # one summary per imported file (empty when reused)
    infer: dict         # the infer summary (the stored one when reused)


def _params(vehicles: int, days: int, seed: int) -> dict:
    return {"vehicles": vehicles, "days": days, "seed": seed, "generator": __version__}


def _read_stamp(data_dir: Path) -> dict | None:
    try:
        return json.loads((data_dir / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def _sole_access(project: Path):
    """An exclusive hold on an existing demo project that may be rebuilt: it must be an auditor
    project, nobody may have it open (an open GUI would go on writing into the replaced file,
    and its flags would be lost), and it must hold no flag events (an analyst's work is never
    deleted). Yields the number of pings (for the message) while holding the lock."""
    inspect_project_file(project)  # refuses anything that is not an auditor project
    conn = sqlite3.connect(sqlite_uri(project, mode="rw"), uri=True, isolation_level=None,
                           timeout=0.5)
    try:
        try:
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")  # fails while any other connection is open
        except sqlite3.OperationalError:
            raise ProjectBusy(f"{shown(project)}: the project is open in another auditor window "
                              "or process — close it there first, then run the demo again") \
                from None
        flags = conn.execute("SELECT COUNT(*) FROM flag_events").fetchone()[0]
        if flags:
            raise UserError(f"{shown(project)}: holds {flags} flag event(s) — a rebuild with other "
                            "parameters would delete them; choose another --out, or open it "
                            f"with 'auditor open {shown(project)}'")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield
    finally:
        conn.close()


def build_demo_project(project, vehicles: int = defaults.VEHICLES, days: int = defaults.DAYS,
                       seed: int = defaults.SEED, progress: Progress | None = None) -> DemoBuild:
    from auditor.demo.generator import check_sizes, write_demo

    check_sizes(vehicles, days)
    project = Path(project)
    data_dir = demo_data_dir(project)
    params = _params(vehicles, days, seed)
    stamp = _read_stamp(data_dir)
    if project.exists():
        if project.is_dir():
            raise UserError(f"{project}: is a folder — give a project file name, e.g. "
                            f"{project / 'demo.db'}")
        if stamp and stamp.get("params") == params and stamp.get("project") == project.name:
            return DemoBuild(project, data_dir, True, [], stamp.get("infer", {}))
        if not (data_dir / "truth.json").exists():
            raise UserError(f"{project}: exists and is not a demo project — choose another "
                            "--out or delete it yourself")
        with _sole_access(project):  # fail fast, before minutes of work
            pass

    # other packages, imported only when there is work for them (they load scikit-learn)
    from auditor.ingest.api import ingest_paths
    from auditor.pipeline.api import infer_project

    project.parent.mkdir(parents=True, exist_ok=True)
    (data_dir / STAMP_NAME).unlink(missing_ok=True)
    # built in a private folder (unpredictable name, mode 0700) beside the project, renamed
    build_dir = Path(tempfile.mkdtemp(prefix=f".{project.name[:80]}.build-", dir=project.parent))
    partial = build_dir / project.name
    try:
        files = write_demo(data_dir, vehicles=vehicles, days=days, seed=seed,
                           progress=scaled(progress, 0.0, 0.3))
        ingested = []
        for kind, lo, hi in (("vehicles", 0.30, 0.32), ("pings", 0.32, 0.6),
                             ("labels", 0.6, 0.62)):
            ingested += ingest_paths(partial, [files[kind]], kind=kind,
                                     progress=scaled(progress, lo, hi))
        infer = infer_project(partial, seed=seed, progress=scaled(progress, 0.62, 1.0))
        conn = sqlite3.connect(sqlite_uri(partial), uri=True)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file to rename
        conn.close()
        if project.exists():
            with _sole_access(project):  # again: it may have been opened meanwhile
                pass
        _remove_sqlite(project)  # a stale -wal of the old file must not meet the new one
        os.replace(partial, project)
        fsync_dir(project.parent)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    stamp = {"project": project.name, "params": params,
             "infer": json.loads(json.dumps(infer, default=str))}
    write_text_atomic(data_dir / STAMP_NAME, json.dumps(stamp, indent=1) + "\n")
    return DemoBuild(project, data_dir, False, ingested, infer)
