"""`infer --model-from SOURCE`: label this project with a model trained elsewhere.

SOURCE is another auditor project file or an `auditor export` folder. Nothing pickled travels:
the place classifier is re-trained here, deterministically, from the source's labelled feature
rows with the source's recorded inference config and seed, then applied to this project's
place features (decision policy: ``decide_labels`` with the source config's ``work_min_p``).

- a project: its latest model run's labelled places (train + validation split), each label
  corrected by the analysts' label_wrong flags in force; features from its place_features;
- an export folder: training_set.csv/.parquet (features, label, sample_weight) and the model
  run config + seed named in manifest.json; rows weigh their sample_weight.

Both are read without writing to the source (the project is opened read-only).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from auditor.classes import CLASSES
from auditor.errors import UserError
from auditor.pipeline.config import InferConfig
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.pipeline.model import PROBA_COLUMNS, _classifier, decide_labels, feature_matrix
from auditor.store.connection import EARLIER_PROJECT, PROJECT, inspect_project_file, sqlite_uri

_EXPORT_KIND = "auditor-training-export"   # auditor.export.outdir.MANIFEST_KIND (layer above)


@dataclass
class TrainingRows:
    """Labelled feature rows from a source, ready to fit on."""
    frame: pd.DataFrame        # FEATURE_COLUMNS + label + weight, in a fixed row order
    config: InferConfig        # the source run's inference config
    seed: int
    provenance: dict           # what was read, for the run's metrics and the report

    def digest(self) -> str:
        h = hashlib.sha256()
        h.update(pd.util.hash_pandas_object(self.frame, index=False).to_numpy().tobytes())
        h.update(json.dumps(self.config.to_dict(), sort_keys=True).encode())
        h.update(str(self.seed).encode())
        return h.hexdigest()


def read_source(source, project=None) -> TrainingRows:
    """The labelled rows of SOURCE (project file or export folder); UserError naming the fix."""
    path = Path(source)
    if project is not None and path.exists() and Path(project).exists() \
            and path.resolve() == Path(project).resolve():
        raise UserError(f"--model-from {path}: that is this project — give another project or "
                        "an export folder (a model must not grade its own labels)")
    if path.is_dir():
        return _from_export(path)
    if path.is_file():
        # recognised through SQLite, never open(): that would drop the SQLite locks this
        # process may hold on that project (auditor.store.connection)
        try:
            state, _ = inspect_project_file(path)
        except UserError:
            state = None
        if state in (PROJECT, EARLIER_PROJECT):
            return _from_project(path)
        raise UserError(f"--model-from {path}: neither an auditor project nor an export folder "
                        "— give a project file or a folder written by 'auditor export'")
    raise UserError(f"--model-from {path}: no such file or folder — check the path")


def _check_rows(path: Path, frame: pd.DataFrame, what: str) -> pd.DataFrame:
    missing = [c for c in FEATURE_COLUMNS if c not in frame.columns]
    if missing:
        raise UserError(f"--model-from {path}: {what} lacks feature column(s) "
                        f"{', '.join(missing)} (made by another auditor version) — re-run "
                        "'auditor infer' (and export) there first")
    frame = frame[frame["label"].isin(CLASSES)]
    if frame.empty or frame["label"].nunique() < 2:
        raise UserError(f"--model-from {path}: {what} has no labelled places of two classes "
                        "to learn from — label that project (or export one that has labels)")
    for c in FEATURE_COLUMNS:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(np.float64)
    frame = frame.sort_values("place_id", kind="mergesort").reset_index(drop=True)
    return frame[["place_id"] + FEATURE_COLUMNS + ["label", "weight"]]


def _from_export(path: Path) -> TrainingRows:
    manifest_path = path / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"--model-from {path}: no manifest.json — give a folder written by "
                        "'auditor export'") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"--model-from {manifest_path}: unreadable ({exc}) — export again") \
            from None
    if not isinstance(manifest, dict) or manifest.get("kind") != _EXPORT_KIND:
        raise UserError(f"--model-from {manifest_path}: not an auditor export manifest")
    run = manifest.get("model_run") or {}
    fmt = manifest.get("format", "csv")
    data = path / f"training_set.{fmt}"
    if not data.is_file():
        raise UserError(f"--model-from {path}: training_set.{fmt} named by the manifest is "
                        "missing — export again")
    try:
        frame = (pd.read_parquet(data) if fmt == "parquet"
                 else pd.read_csv(data, dtype={"place_id": str, "vehicle_id": str,
                                               "label": str}))
    except Exception as exc:  # a damaged file is the user's to fix, not a crash
        raise UserError(f"--model-from {data}: cannot read it ({exc}) — export again") from None
    if "sample_weight" in frame:
        frame["weight"] = pd.to_numeric(frame["sample_weight"], errors="coerce").fillna(1.0)
    else:
        frame["weight"] = 1.0
    frame = _check_rows(path, frame, "the export")
    config = InferConfig.from_any(run.get("config") or {})
    seed = int(run.get("seed") or 0)
    return TrainingRows(frame, config, seed, {
        "kind": "export", "path": str(path.absolute()), "rows": int(len(frame)),
        "source_run_id": run.get("run_id"),
        "rows_sha256": (manifest.get("outputs") or {}).get("rows_sha256")})


def _from_project(path: Path) -> TrainingRows:
    try:
        conn = sqlite3.connect(sqlite_uri(path, mode="ro"), uri=True)  # Path.as_uri(): ?, #, %
    except sqlite3.Error as exc:
        raise UserError(f"--model-from {path}: cannot open it ({exc})") from None
    try:
        row = conn.execute("SELECT run_id, seed, config FROM runs WHERE kind = 'model' "
                           "ORDER BY run_id DESC LIMIT 1").fetchone()
        if row is None:
            raise UserError(f"--model-from {path}: that project has no model run — run "
                            f"'auditor infer {path}' first")
        run_id, seed, config = row
        have = {r[1] for r in conn.execute('PRAGMA table_info("place_features")')}
        feats = ", ".join(f'f."{c}"' for c in FEATURE_COLUMNS if c in have)
        frame = pd.read_sql_query(
            f"SELECT p.place_id, p.given_label AS label{', ' + feats if feats else ''} "
            "FROM predictions p JOIN place_features f ON f.place_id = p.place_id "
            "WHERE p.run_id = ? AND p.split IN ('train', 'validation') "
            "AND p.given_label IS NOT NULL ORDER BY p.place_id", conn, params=(run_id,))
        fixes = _label_corrections(conn)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"--model-from {path}: not a readable auditor project ({exc})") from None
    finally:
        conn.close()
    corrected = frame["place_id"].map(fixes)
    frame["label"] = corrected.where(corrected.notna(), frame["label"])
    frame["weight"] = 1.0
    frame = _check_rows(path, frame, "that project")
    return TrainingRows(frame, InferConfig.from_any(json.loads(config or "{}")), int(seed or 0),
                        {"kind": "project", "path": str(path.absolute()),
                         "rows": int(len(frame)), "source_run_id": int(run_id),
                         "corrections": int(corrected.notna().sum())})


def _label_corrections(conn: sqlite3.Connection) -> dict:
    """place_id -> corrected label, latest label_wrong flag in force per place."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'flags_in_force'").fetchone():
        sql = ("SELECT current_target, new_value FROM flags_in_force WHERE target_kind = "
               "'place' AND action = 'label_wrong' AND status = 'attached' ORDER BY event_id")
    else:  # a project from before flag anchors
        sql = ("SELECT e.target_id, e.new_value FROM flag_events e WHERE e.target_kind = "
               "'place' AND e.action = 'label_wrong' AND NOT EXISTS (SELECT 1 FROM "
               "flag_events r WHERE r.revokes = e.event_id) ORDER BY e.event_id")
    return {pid: value for pid, value in conn.execute(sql)}


def predict_with(rows: TrainingRows, features: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """(p_* per place of ``features``, decided labels), deterministic for the same rows."""
    X = rows.frame[FEATURE_COLUMNS].to_numpy(dtype=float)
    y = rows.frame["label"].to_numpy(dtype=object)
    w = rows.frame["weight"].to_numpy(dtype=float)
    proba = np.zeros((len(features), len(CLASSES)))
    if len(features):
        with threadpool_limits(limits=1, user_api="openmp"):
            # leaves sized to the rows it learns from, as a project's own model (model.py)
            clf = _classifier(rows.config, rows.seed, len(X)).fit(X, y, sample_weight=w)
            got = clf.predict_proba(feature_matrix(features))
        for j, c in enumerate(clf.classes_):
            proba[:, CLASSES.index(c)] = got[:, j]
    frame = pd.DataFrame(proba, columns=PROBA_COLUMNS, index=features.index)
    return frame, decide_labels(features, frame, rows.config.work_min_p)
