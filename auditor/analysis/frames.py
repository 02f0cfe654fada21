"""The frames every analysis starts from: a run's labelled predictions with out-of-fold
probabilities, place features, and vehicle metadata split into numeric and categorical."""
from __future__ import annotations

import sqlite3
from typing import Optional

import numpy as np
import pandas as pd

from auditor.classes import CLASSES  # noqa: F401  (re-exported for the analyses)
from auditor.errors import UserError
from auditor.store.queries import latest_run_id, read_predictions, read_run, read_vehicles, table_exists

OOF_COLUMNS = [f"oof_p_{c}" for c in CLASSES]
ID_COLUMNS = {"place_id", "vehicle_id", "run_id", "label_id"}


def resolve_run(conn: sqlite3.Connection, run_id: Optional[int] = None) -> int:
    """The model run to analyse (default: the latest); UserError when inference never ran."""
    if run_id is None:
        run_id = latest_run_id(conn, "model")
    if run_id is None:
        raise UserError("project has no inference results yet — run 'auditor infer PROJECT' first")
    row = conn.execute("SELECT kind FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    if row is None or row[0] != "model":
        raise UserError(f"run {run_id} is not a model run of this project — omit the run to use "
                        "the latest one")
    return int(run_id)


def baseline_run_for(conn: sqlite3.Connection, run_id: int) -> Optional[int]:
    """The baseline run made by the same inference: the one the model run's metrics name, else
    the latest baseline run before it (inference writes the baseline first)."""
    metrics = read_run(conn, run_id)["metrics"]
    named = metrics.get("baseline_run_id") if isinstance(metrics, dict) else None
    if named is not None:
        row = conn.execute("SELECT run_id FROM runs WHERE run_id = ? AND kind = 'baseline'",
                           (int(named),)).fetchone()
        if row is not None:
            return int(row[0])
    row = conn.execute("SELECT MAX(run_id) FROM runs WHERE kind = 'baseline' AND run_id < ?",
                       (run_id,)).fetchone()
    return None if row is None or row[0] is None else int(row[0])


def predictions(conn: sqlite3.Connection, run_id: int) -> pd.DataFrame:
    """All predictions of a run with place coordinates, sorted by vehicle and place."""
    return read_predictions(conn, run_id).reset_index(drop=True)


def oof_label(frame: pd.DataFrame) -> pd.Series:
    """The out-of-fold predicted class (argmax of oof_p_*); NaN where there are none."""
    probs = frame[OOF_COLUMNS].to_numpy(dtype=float)
    has = ~np.isnan(probs).any(axis=1)
    out = np.full(len(frame), None, dtype=object)
    if has.any():
        out[has] = np.asarray(CLASSES, dtype=object)[np.argmax(probs[has], axis=1)]
    return pd.Series(out, index=frame.index, name="oof_label")


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Labelled places that have out-of-fold probabilities, with ``oof_label`` and ``wrong``."""
    out = frame[frame["given_label"].isin(CLASSES)].copy()
    out = out[out[OOF_COLUMNS].notna().all(axis=1)]
    out["oof_label"] = oof_label(out)
    out["wrong"] = out["oof_label"] != out["given_label"]
    return out.reset_index(drop=True)


def feature_columns(features: pd.DataFrame) -> list[str]:
    """The pipeline's FEATURE_COLUMNS present in the table, else every numeric non-id column."""
    try:
        from auditor.pipeline.features import FEATURE_COLUMNS
        cols = [c for c in FEATURE_COLUMNS if c in features.columns]
    except ImportError:  # pipeline not installed in this build: fall back to the table itself
        cols = []
    if not cols:
        cols = [c for c in features.columns
                if c not in ID_COLUMNS and pd.api.types.is_numeric_dtype(features[c])]
    return cols


def place_features(conn: sqlite3.Connection) -> pd.DataFrame:
    if not table_exists(conn, "place_features"):
        return pd.DataFrame({"place_id": pd.Series([], dtype=object)})
    return pd.read_sql_query("SELECT * FROM place_features ORDER BY place_id", conn)


def vehicle_metadata(conn: sqlite3.Connection) -> pd.DataFrame:
    """Metadata with every value a string ('' when missing), one row per vehicle."""
    meta = read_vehicles(conn)
    for c in meta.columns:
        if c != "vehicle_id":
            meta[c] = meta[c].map(lambda v: "" if v is None or (isinstance(v, float) and
                                                                 np.isnan(v)) else str(v))
    return meta


def split_metadata(meta: pd.DataFrame, max_levels: int = 50) -> tuple[list[str], list[str]]:
    """(numeric, categorical) metadata columns. A column is numeric when every non-empty value
    parses as a number (model_year); categorical ones with too many levels (free text, ids)
    are left out of slicing."""
    numeric, categorical = [], []
    for c in meta.columns:
        if c == "vehicle_id":
            continue
        values = meta[c].replace("", np.nan)
        parsed = pd.to_numeric(values, errors="coerce")
        if values.notna().any() and parsed.notna().sum() == values.notna().sum():
            numeric.append(c)
        elif 0 < values.nunique() <= max_levels:
            categorical.append(c)
    return numeric, categorical
