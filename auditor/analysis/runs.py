"""Runs as experiments (issue 18): every run of a project with what it recorded, and two runs
side by side — settings that differ, accuracy per population, places labelled differently.

Read-only over the runs and predictions tables; `auditor runs` and the GUI's Runs view both
call these."""
from __future__ import annotations

import json
import sqlite3
from typing import Optional

import pandas as pd

from auditor.errors import UserError
from auditor.pipeline.run_record import stored_predictions_digest

# settings every run records that are not InferConfig fields, listed with them in `config`
EXTRA_CONFIG = ("weights_from",)


def _loads(text) -> dict:
    try:
        return json.loads(text) if text else {}
    except json.JSONDecodeError:
        return {}


def run_config(config: dict, metrics: dict) -> dict:
    """The run's full config: its inference settings plus its weights source (None: the
    project's own labels) and labeller."""
    out = dict(config)
    out.setdefault("without", [])
    wf = metrics.get("weights_from")
    out["weights_from"] = ({"path": wf.get("path"), "manifest_sha256": wf.get("manifest_sha256"),
                            "source_run_id": wf.get("source_run_id")} if wf else None)
    src = metrics.get("labels_source") or {}
    if src.get("kind") == "model_from":
        out["model_from"] = {k: (src.get("model_from") or {}).get(k)
                             for k in ("kind", "path", "digest")}
    return out


def _run_row(row: tuple) -> dict:
    run_id, kind, created, seed, config, versions, metrics, data_hash = row
    config, versions, metrics = _loads(config), _loads(versions), _loads(metrics)
    code = versions.get("code") or {}
    src = metrics.get("labels_source") or {}
    labeller = metrics.get("labeller")
    return {
        "run_id": run_id, "kind": kind, "created_at": created, "seed": seed,
        "config": run_config(config, metrics),
        "data_hash": data_hash,
        "code_version": {"auditor": code.get("auditor", versions.get("auditor")),
                         "pipeline_sha256": code.get("pipeline_sha256")},
        "val_accuracy": metrics.get("accuracy"),
        "test_accuracy": metrics.get("test_accuracy"),
        "baseline_run_id": metrics.get("baseline_run_id"),
        "labels_source": src.get("kind"),
        "labeller": (labeller.get("chosen") if isinstance(labeller, dict)
                     else src.get("labeller")),
        "by_population": metrics.get("by_population") or [],
        "predictions_sha256": metrics.get("predictions_sha256"),
        "rerun_of": metrics.get("rerun_of"),
    }


_SELECT = ("SELECT run_id, kind, created_at, seed, config, versions, metrics, data_hash "
           "FROM runs")


def list_runs(conn: sqlite3.Connection, kind: Optional[str] = None) -> list[dict]:
    """Every run, oldest first (model and baseline runs; ``kind`` narrows)."""
    if kind is None:
        rows = conn.execute(_SELECT + " ORDER BY run_id").fetchall()
    else:
        rows = conn.execute(_SELECT + " WHERE kind = ? ORDER BY run_id", (kind,)).fetchall()
    return [_run_row(r) for r in rows]


def get_run(conn: sqlite3.Connection, run_id: int) -> dict:
    row = conn.execute(_SELECT + " WHERE run_id = ?", (int(run_id),)).fetchone()
    if row is None:
        known = [r[0] for r in conn.execute("SELECT run_id FROM runs ORDER BY run_id")]
        raise UserError(f"run {run_id}: no such run — runs of this project: "
                        f"{', '.join(map(str, known)) or 'none (run auditor infer first)'}")
    return _run_row(row)


def config_diff(a: dict, b: dict) -> list[dict]:
    """Settings whose value differs, by name (a setting one run lacks: None there)."""
    return [{"setting": k, "a": a.get(k), "b": b.get(k)}
            for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def population_diff(a: list[dict], b: list[dict]) -> list[dict]:
    """Per (population, value): validation and test accuracy of both runs and b - a."""
    def index(rows):
        return {(r["population"], r["value"]): r for r in rows}
    ia, ib = index(a), index(b)
    out = []
    for key in sorted(set(ia) | set(ib), key=lambda k: (k[0] != "schedule", k)):
        ra, rb = ia.get(key, {}), ib.get(key, {})
        row = {"population": key[0], "value": key[1]}
        for s in ("validation", "test"):
            va, vb = ra.get(f"{s}_accuracy"), rb.get(f"{s}_accuracy")
            row[f"{s}_n"] = rb.get(f"{s}_n", ra.get(f"{s}_n"))
            row[f"{s}_a"], row[f"{s}_b"] = va, vb
            row[f"{s}_delta"] = (vb - va) if va is not None and vb is not None else None
        out.append(row)
    return out


def changed_places(conn: sqlite3.Connection, a: int, b: int) -> pd.DataFrame:
    """Places (in both runs) whose predicted label differs, with where they are now (NULL for a
    place the latest inference no longer has) and their split in run b."""
    return pd.read_sql_query(
        "SELECT pb.place_id, pb.vehicle_id, pb.split, pb.given_label, "
        "pa.predicted_label AS label_a, pb.predicted_label AS label_b, pl.lat, pl.lon "
        "FROM predictions pa JOIN predictions pb ON pb.place_id = pa.place_id "
        "LEFT JOIN places pl ON pl.place_id = pb.place_id "
        "WHERE pa.run_id = ? AND pb.run_id = ? AND pa.predicted_label != pb.predicted_label "
        "ORDER BY pb.vehicle_id, pb.place_id", conn, params=(int(a), int(b)))


def _only_in(conn: sqlite3.Connection, a: int, b: int) -> int:
    return int(conn.execute(
        "SELECT COUNT(*) FROM predictions pa WHERE pa.run_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM predictions pb WHERE pb.run_id = ? AND pb.place_id = pa.place_id)",
        (int(a), int(b))).fetchone()[0])


def compare_runs(conn: sqlite3.Connection, a: int, b: int) -> dict:
    """Run ``a`` against run ``b``: what differs in settings, data and code, accuracy per
    population (b - a), and the places labelled differently."""
    ra, rb = get_run(conn, a), get_run(conn, b)
    changed = changed_places(conn, a, b)
    from auditor.analysis.jsonable import records

    def delta(key):
        x, y = ra[key], rb[key]
        return None if x is None or y is None else y - x
    return {
        "a": ra["run_id"], "b": rb["run_id"],
        "config": config_diff(ra["config"], rb["config"]),
        "seed": {"a": ra["seed"], "b": rb["seed"]},
        "same_data": ra["data_hash"] == rb["data_hash"],
        "same_code": ra["code_version"] == rb["code_version"],
        "identical_predictions": (stored_predictions_digest(conn, a)
                                  == stored_predictions_digest(conn, b)),
        "accuracy": {"validation": {"a": ra["val_accuracy"], "b": rb["val_accuracy"],
                                    "delta": delta("val_accuracy")},
                     "test": {"a": ra["test_accuracy"], "b": rb["test_accuracy"],
                              "delta": delta("test_accuracy")}},
        "by_population": population_diff(ra["by_population"], rb["by_population"]),
        "changed_places": records(changed),
        "changed_by_split": {str(k): int(v) for k, v in
                             sorted(changed["split"].value_counts().items())},
        "places_only_in_a": _only_in(conn, a, b),
        "places_only_in_b": _only_in(conn, b, a),
    }
