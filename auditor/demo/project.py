"""The demo project: demo data generated next to a project file, imported and inferred.

Built under a temporary name and renamed, so an interrupted build never leaves a half-made
project. A stamp in the data folder records the parameters: the same parameters reuse the
project, others rebuild it. A file that is not a demo project is never overwritten."""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from auditor import __version__
from auditor.demo import defaults
from auditor.errors import UserError
from auditor.progress import Progress, scaled

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

    # other packages, imported only when there is work for them (they load scikit-learn)
    from auditor.ingest.api import ingest_paths
    from auditor.pipeline.api import infer_project

    project.parent.mkdir(parents=True, exist_ok=True)
    (data_dir / STAMP_NAME).unlink(missing_ok=True)
    partial = project.with_name(project.name + ".partial")
    _remove_sqlite(partial)
    try:
        files = write_demo(data_dir, vehicles=vehicles, days=days, seed=seed,
                           progress=scaled(progress, 0.0, 0.3))
        ingested = []
        for kind, lo, hi in (("vehicles", 0.30, 0.32), ("pings", 0.32, 0.6),
                             ("labels", 0.6, 0.62)):
            ingested += ingest_paths(partial, [files[kind]], kind=kind,
                                     progress=scaled(progress, lo, hi))
        infer = infer_project(partial, seed=seed, progress=scaled(progress, 0.62, 1.0))
        conn = sqlite3.connect(partial)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # one self-contained file to rename
        conn.close()
        _remove_sqlite(project)  # a stale -wal of the old file must not meet the new one
        os.replace(partial, project)
    finally:
        _remove_sqlite(partial)
    stamp = {"project": project.name, "params": params,
             "infer": json.loads(json.dumps(infer, default=str))}
    (data_dir / STAMP_NAME).write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
    return DemoBuild(project, data_dir, False, ingested, infer)
