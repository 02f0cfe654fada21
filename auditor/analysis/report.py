"""The report the CLI prints and the GUI draws: one dict of plain JSON values."""
from __future__ import annotations

import sqlite3
from typing import Optional

import pandas as pd

from auditor.analysis import frames
from auditor.analysis.error_tree import build_error_tree, design_matrix
from auditor.analysis.evidence import label_evidence
from auditor.analysis.fix_loop import before_after, previous_model_run
from auditor.analysis.jsonable import plain, records
from auditor.analysis.populations import by_population, vehicle_schedule
from auditor.analysis.shift import skew_report
from auditor.analysis.stoptimes import local_stops
from auditor.analysis.label_issues import RANKING, label_issues
from auditor.analysis.labeller_summary import labeller_summary
from auditor.analysis.validation import validation_report
from auditor.progress import Progress, report as tell
from auditor.store.queries import read_labels, table_exists


def build_report(conn: sqlite3.Connection, run_id: Optional[int] = None,
                 progress: Optional[Progress] = None, before_run: Optional[int] = None,
                 keep: Optional[dict] = None) -> dict:
    """validation (+ by_population), suspicious labels, evidence, error_tree, skew, and
    fix_loop: every population's errors in ``before_run`` (default: the previous model run)
    and in this run — None when the project has only one run. ``keep``, when given, also
    receives frames the GUI reuses: "predictions", "metadata", "schedule" (per vehicle)."""
    run_id = frames.resolve_run(conn, run_id)
    if before_run is None:
        before_run = previous_model_run(conn, run_id)
    steps = 7
    tell(progress, 0, steps, "reading predictions")
    pred = frames.predictions(conn, run_id)
    pred["oof_label"] = frames.oof_label(pred)
    lab = frames.labelled(pred)
    meta = frames.vehicle_metadata(conn)
    stops = local_stops(conn, meta)

    tell(progress, 1, steps, "validation metrics")
    validation = validation_report(conn, run_id, pred)
    schedule = vehicle_schedule(stops)
    validation["by_population"] = by_population(pred, meta, schedule)
    if keep is not None:
        keep.update(predictions=pred, metadata=meta, schedule=schedule)

    tell(progress, 2, steps, "label evidence")
    place_labels = (pd.read_sql_query("SELECT label_id, place_id FROM place_labels", conn)
                    if table_exists(conn, "place_labels")
                    else pd.DataFrame({"label_id": [], "place_id": []}))
    evidence = label_evidence(read_labels(conn), place_labels, stops)

    tell(progress, 3, steps, "suspicious labels")
    suspicious = label_issues(conn, run_id, pred=pred, evidence=evidence)
    validation["labeller"] = labeller_summary(conn, run_id, validation)

    tell(progress, 4, steps, "error tree")
    X, words = design_matrix(lab, frames.place_features(conn), meta)
    tree = build_error_tree(lab, X, words)
    tree["run_id"] = run_id

    tell(progress, 5, steps, "skew and leakage")
    skew = skew_report(conn, pred, stops, meta)

    tell(progress, 6, steps, "before and after")
    fix = None if before_run is None else before_after(conn, before_run, run_id)
    tell(progress, steps, steps, "done")
    return plain({
        "run_id": run_id,
        "validation": validation,
        "suspicious": records(suspicious),
        "suspicious_ranking": RANKING,
        "evidence": records(evidence),
        "error_tree": tree,
        "skew": skew,
        "fix_loop": fix,
    })
