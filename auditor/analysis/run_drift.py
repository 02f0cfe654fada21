"""New data, same model (issue 18): has the fleet moved since a run?

The project's pings as they are now are derived again in memory (trips, stops, places,
features — nothing is written) and set against the data the run saw (the stored place
features of its places; its training places for the model):

- feature skew per feature, with the skew view's measures and thresholds
  (auditor.analysis.skew: PSI, Wasserstein, KS);
- prediction skew: the run's labels against the labels the run's model gives the new places,
  without retraining (the model refitted on the run's training rows with its recorded settings
  and seed: deterministic, so it is the run's model);
- how many places would now be labelled differently: each new place matched to the run's
  place of the same vehicle within the place radius; a match whose label differs counts, and
  places with no match (new parking spots) are counted apart.

The stored place features are those of the latest inference, so the run's training data is
exact for the latest run; for an older run the comparison says so (``reference``).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from auditor.analysis.frames import CLASSES
from auditor.analysis.skew import categorical_skew, compare_frames
from auditor.errors import UserError
from auditor.geo import haversine_m
from auditor.pipeline.config import InferConfig
from auditor.pipeline.feature_groups import blank_groups
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.pipeline.model import PROBA_COLUMNS, _fit_predict_proba, decide_labels
from auditor.progress import Progress, report, scaled
from auditor.store import open_project
from auditor.store.queries import latest_run_id, read_labels, read_run


def _current_data(conn, config: InferConfig, progress):
    from pathlib import Path

    from auditor.pipeline.api import _derive_fleet  # the same derivation as infer, unsaved
    from auditor.pipeline.engine import LocalEngine
    path = Path(conn.execute("PRAGMA database_list").fetchone()[2])  # the shards open it
    with LocalEngine() as engine:
        derived, n_pings, hasher = _derive_fleet(conn, path, config, progress, engine)
    labels = read_labels(conn)
    hasher.update(json.dumps(labels[["vehicle_id", "label", "lat", "lon"]]
                              .to_numpy().tolist()).encode())
    return derived, n_pings, hasher.hexdigest()


def _match(old: pd.DataFrame, new: pd.DataFrame, radius_m: float) -> pd.Series:
    """For each new place, the old place of the same vehicle nearest within ``radius_m``."""
    pairs = new[["place_id", "vehicle_id", "lat", "lon"]].merge(
        old[["place_id", "vehicle_id", "lat", "lon"]], on="vehicle_id", suffixes=("", "_old"))
    if pairs.empty:
        return pd.Series(index=new["place_id"], dtype=object)
    pairs["d"] = haversine_m(pairs["lat"], pairs["lon"], pairs["lat_old"], pairs["lon_old"])
    near = pairs[pairs["d"] <= radius_m].sort_values(["place_id", "d", "place_id_old"])
    best = near.drop_duplicates("place_id").set_index("place_id")["place_id_old"]
    return best.reindex(new["place_id"])


def drift_since(project, run_id: int | None = None, progress: Progress | None = None) -> dict:
    """The shift between run ``run_id``'s training data (default: the latest model run) and
    the project's data now; see the module doc."""
    from auditor.pipeline.rerun import recorded_settings
    path = Path(project)
    conn = open_project(path, create=False, readonly=True)
    try:
        latest = latest_run_id(conn, "model")
        run_id = latest if run_id is None else int(run_id)
        if run_id is None:
            raise UserError(f"{path}: no model run yet — run inference first")
        try:
            run = read_run(conn, run_id)
        except KeyError:
            raise UserError(f"run {run_id}: no such run") from None
        settings, _ = recorded_settings(run)
        config = InferConfig.from_any(settings)
        seed = int(run["seed"] or 0)
        old = pd.read_sql_query(
            "SELECT p.place_id, p.vehicle_id, p.split, p.given_label, p.predicted_label, "
            "pl.lat, pl.lon FROM predictions p LEFT JOIN places pl USING (place_id) "
            "WHERE p.run_id = ? ORDER BY p.place_id", conn, params=(run_id,))
        feats = pd.read_sql_query("SELECT * FROM place_features ORDER BY place_id", conn)
        derived, n_pings, data_hash = _current_data(conn, config, scaled(progress, 0, 0.85))
    finally:
        conn.close()
    report(progress, 0.85, 1, "labelling the new places with the run's model")
    reference = old.merge(feats.drop(columns=["lat", "lon"], errors="ignore"),
                          on=["place_id", "vehicle_id"], how="inner")
    train = reference[(reference["split"] == "train") & reference["given_label"].isin(CLASSES)]
    new = derived["features"].drop(columns=["lat", "lon"], errors="ignore").merge(
        derived["places"][["place_id", "lat", "lon"]], on="place_id", how="left")
    out = {"run_id": run_id, "same_data": data_hash == run["data_hash"],
           "data_hash": {"run": run["data_hash"], "now": data_hash},
           "reference": ("the run's places (their stored features)"
                         if run_id == latest else
                         f"the places of run {run_id} with the features of the latest "
                         f"inference (run {latest}): approximate for an older run"),
           "places": {"run": int(len(old)), "now": int(len(new))}, "pings_now": int(n_pings)}
    # every place the run saw against every place now (like with like: the training places
    # alone are labelled vehicles' places and would differ from the fleet with no new data)
    out["feature_skew"] = compare_frames(reference[FEATURE_COLUMNS], new[FEATURE_COLUMNS],
                                         FEATURE_COLUMNS, [])
    out["features_flagged"] = [r["feature"] for r in out["feature_skew"] if r.get("flag")]
    if train["given_label"].nunique() >= 1 and len(new):
        Xt = blank_groups(train, config.without)[FEATURE_COLUMNS].to_numpy(dtype=float)
        Xn = blank_groups(new, config.without)[FEATURE_COLUMNS].to_numpy(dtype=float)
        proba = _fit_predict_proba(Xt, train["given_label"].to_numpy(dtype=object), Xn,
                                   config, seed)
        labels = decide_labels(new, pd.DataFrame(proba, columns=PROBA_COLUMNS, index=new.index),
                               config.work_min_p)
    else:
        labels = pd.Series("other", index=new.index)
    out["prediction_skew"] = categorical_skew(old["predicted_label"], labels)
    matched = _match(old.dropna(subset=["lat", "lon"]), new, config.place_radius_m)
    old_label = matched.map(old.set_index("place_id")["predicted_label"])
    has = matched.notna().to_numpy()
    changed = has & (old_label.to_numpy() != labels.to_numpy())
    out["labelled_differently"] = int(changed.sum())
    out["matched_places"] = int(has.sum())
    out["new_places"] = int((~has).sum())
    out["changed_places"] = [
        {"place_id": pid, "was": w, "now": n}
        for pid, w, n in zip(new.loc[changed, "place_id"], old_label[changed], labels[changed])]
    out["digest"] = hashlib.sha256(json.dumps(out["changed_places"]).encode()).hexdigest()[:12]
    report(progress, 1, 1, "done")
    return out


def render_drift(d: dict) -> list[str]:
    lines = [f"New data since run {d['run_id']}: "
             + ("none — the data is the run's (same data hash)" if d["same_data"] else
                f"the data changed ({d['pings_now']} pings now, {d['places']['now']} places "
                f"against {d['places']['run']})")]
    flagged = d["features_flagged"]
    lines.append(f"  feature skew (skew view thresholds): {len(flagged)} of "
                 f"{len(d['feature_skew'])} features flagged"
                 + (": " + ", ".join(flagged) if flagged else ""))
    ps = d["prediction_skew"]
    lines.append(f"  prediction skew: PSI {ps.get('psi') or 0:.3f}, JS distance "
                 f"{ps.get('js_distance') or 0:.3f}" + (" — flagged" if ps.get("flag") else ""))
    lines.append(f"  without retraining, {d['labelled_differently']} of {d['matched_places']} "
                 f"matched places would now be labelled differently; {d['new_places']} places "
                 "are new")
    return lines
