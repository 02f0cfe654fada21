"""Inference entry points: pure per-vehicle derivation, and the whole project run.

``derive_vehicle_tables`` is pure (pings in, tables out) and only ever looks at one vehicle's
pings at a time, so it can run on any partition of the fleet by vehicle. ``infer_project`` feeds
it vehicle batches from the store, then labels places, runs the baseline and the model over the
fleet's feature table and writes everything in one transaction.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import hashlib
import json
import platform
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

from auditor.audit.anchors import backfill_anchors, resolve_flags
from auditor.classes import CLASSES
from auditor.errors import UserError
from auditor.pipeline import vehicle_ids
from auditor.pipeline.baseline import baseline_labels, one_hot
from auditor.pipeline.config import InferConfig, with_kept
from auditor.pipeline.derive import _sorted_by_vehicle_and_time, derive_vehicle_tables  # noqa: F401
from auditor.pipeline.engine import LocalEngine, local_processes, same_path_fix
from auditor.pipeline.feature_groups import blank_groups
from auditor.pipeline.labeller import label_places
from auditor.pipeline.labels import (
    PLACE_LABEL_COLUMNS,
    UNMATCHED_COLUMNS,
    given_labels,
    homes_moved_from,
    match_if_flipped,
    match_if_shifted,
    match_if_swapped,
    match_labels,
    match_other_vehicles,
    near_misses,
    nearest_to_unused,
    rounded_labels,
    unsure_places,
    unused_pairs,
)
from auditor.pipeline.metrics import label_metrics, vehicle_home_rate
from auditor.pipeline.model import (
    OOF_COLUMNS,
    PROBA_COLUMNS,
    assign_splits,
    predictions_frame,
    train_plain,
    train_with_twins,
    twins_or_plain,
)
from auditor.pipeline.model_from import predict_with, read_source
from auditor.pipeline.run_record import code_version, population_keys, run_extras
from auditor.progress import Progress, report, scaled
from auditor.store import open_project, transaction
from auditor.store.bulk import insert_frame, replace_table_from_frame
from auditor.store.connection import LONG_JOB_WAIT_S
from auditor.store.queries import (
    file_vehicle_ids,
    latest_config,
    latest_seed,
    read_labels,
    read_pings,
    read_vehicles,
)

PREDICTION_COLUMNS = (["run_id", "place_id", "vehicle_id", "split", "given_label",
                       "predicted_label"] + PROBA_COLUMNS + OOF_COLUMNS)


def library_versions() -> dict:
    out = {"python": platform.python_version()}
    for lib in ("auditor", "numpy", "pandas", "scipy", "scikit-learn"):
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            out[lib] = None
    return out


def _frame_digest(hasher, frame: pd.DataFrame) -> None:
    if len(frame):
        hasher.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())


def infer_project(project, seed: int | None = None, config: InferConfig | dict | None = None,
                  progress: Progress | None = None, model_from=None,
                  weights_from=None, engine=None) -> dict:
    """Run inference on a project and store it; returns the ``infer --json`` summary.

    Every run stores a model run whose predictions are the run's labels: the model trained on
    the project's labels; with ``model_from`` (another project or an export folder) a model
    trained there (auditor.pipeline.model_from); with no matched label and no model_from, the
    02:00 baseline's labels. Its metrics say which (``labels_source``). After the tables are
    replaced, every place flag is re-attached to the place now holding what it pointed at
    (auditor.audit.anchors), in the same transaction. With ``weights_from`` (an export folder)
    the model is trained on the export's corrected, weighted rows instead
    (auditor.pipeline.weights_from); its seed and settings come from the export's run.
    ``seed`` None: the seed of the project's latest model run (0 for the first), so inferring
    again after flags keeps the same train/validation split and before -> after compares
    like with like."""
    started = time.perf_counter()
    named = config
    config = InferConfig.from_any(config)
    kept: dict = {}
    path = Path(project)
    if not path.exists():
        raise UserError(f"{path}: no such project — create it with 'auditor ingest {path} pings.csv'")
    source_rows = read_source(model_from, path) if model_from is not None else None
    weights = None
    if weights_from is not None:
        from auditor.pipeline.weights_from import read_weights
        weights = read_weights(weights_from, config)
        seed, config = weights.seed, weights.config
    running = engine or LocalEngine(local_processes())
    if hasattr(running, "plan_for"):
        running.plan_for(path)
    # entered before the project is opened: a local pool is forked holding no SQLite state;
    # it also fits the model's folds (engine.parallel_map); closed before the writes
    with contextlib.ExitStack() as engine_running:
        engine_running.enter_context(running)
        conn = open_project(path, create=False)
        try:
            if seed is None:
                seed = latest_seed(conn)
            if weights is None and not isinstance(named, InferConfig):
                # settings a caller did not name are the latest run's (config.KEPT_SETTINGS)
                config, kept = with_kept(named, latest_config(conn))
            derived, n_pings, data_hash = _derive_fleet(conn, path, config,
                                                        scaled(progress, 0.0, 0.8), running)
            report(progress, 0.8, 1.0, "labels, baseline and model")
            labels = read_labels(conn)
            data_hash.update(json.dumps(labels[["vehicle_id", "label", "lat", "lon"]]
                                        .to_numpy().tolist()).encode())
            if source_rows is not None:
                data_hash.update(source_rows.digest().encode())
            if weights is not None:
                data_hash.update(weights.rows.digest().encode())
            outcome = label_and_predict(derived["features"], derived["places"], labels,
                                        derived["pinged_vehicles"], seed, config,
                                        moves=derived["moves"],
                                        twins=derived["twin_features"])
            features = derived["features"]
            place_labels, unmatched = outcome["place_labels"], outcome["unmatched"]
            given, split = outcome["given"], outcome["split"]
            base_metrics, base_frame = outcome["baseline_metrics"], outcome["baseline_predictions"]
            if weights is not None:  # train on the export's rows instead (weights_from.py)
                model_metrics, model_frame = weights.run_labels(outcome, features, conn)
            else:
                model_metrics, model_frame = _run_labels(outcome, features, source_rows)
            engine_running.close()  # the pool's or the cluster's work is done
            vehicles = read_vehicles(conn)
            ids_differ = vehicle_ids.summary(labels["vehicle_id"], vehicles["vehicle_id"],
                                             derived["pinged_vehicles"])
            keys = population_keys(features, vehicles)  # the same populations for both runs
            base_metrics = dict(base_metrics, **run_extras(features, vehicles, base_frame, keys))
            model_metrics.update(run_extras(features, vehicles, model_frame, keys))
            split_counts = split.groupby(features["vehicle_id"]).first().value_counts().to_dict()

            report(progress, 0.95, 1.0, "saving")
            versions = json.dumps(dict(library_versions(), code=code_version()), sort_keys=True)
            common = {"config": json.dumps(config.to_dict(), sort_keys=True), "versions": versions,
                      "data_hash": data_hash.hexdigest(), "seed": seed}
            # the work is done: wait out an analyst's flag write instead of losing it to a lock
            with transaction(conn, wait=LONG_JOB_WAIT_S):
                backfill_anchors(conn)  # flags made before anchors: anchor them to today's places
                _replace(conn, "trips", derived["trips"])
                _replace(conn, "stops", derived["stops"])
                _replace(conn, "places", derived["places"])
                replace_table_from_frame(conn, "place_features", features, primary_key="place_id",
                                         indexes=[["vehicle_id"]])
                _replace(conn, "place_labels", place_labels[PLACE_LABEL_COLUMNS])
                _replace(conn, "unmatched_labels", unmatched[UNMATCHED_COLUMNS])
                _replace(conn, "vehicle_clocks", derived["clocks"])
                baseline_run_id = _insert_run(conn, "baseline", common, base_metrics, base_frame)
                model_metrics["baseline_run_id"] = baseline_run_id
                model_metrics["vehicles_by_split"] = split_counts
                run_id = _insert_run(conn, "model", common, model_metrics, model_frame)
                flags = resolve_flags(conn, config.place_radius_m)
            report(progress, 1.0, 1.0, "done")
        finally:
            conn.close()

    source = model_metrics["labels_source"]
    return {
        "vehicles": len(derived["pinged_vehicles"]),
        "pings": n_pings,
        "trips": len(derived["trips"]),
        "stops": len(derived["stops"]),
        "places": len(derived["places"]),
        "labelled_places": int(given.notna().sum()),
        "matched_labels": len(place_labels),
        "val_accuracy": model_metrics["accuracy"],
        "baseline_val_accuracy": base_metrics["accuracy"],
        "validation_vehicles": int(split_counts.get("validation", 0)),
        "test_accuracy": model_metrics["test_accuracy"],
        "baseline_test_accuracy": base_metrics["test_accuracy"],
        "test_vehicles": int(split_counts.get("test", 0)),
        "without": list(config.without),
        "seed": seed,
        "predictions_sha256": model_metrics["predictions_sha256"],
        "weights_from": model_metrics.get("weights_from"),
        "unmatched_labels": len(unmatched),
        "unmatched_reasons": {str(k): int(v) for k, v in
                              sorted(unmatched["reason"].value_counts().items())},
        "unmatched_if_swapped": outcome["match_if_swapped"]["labels"],
        "unmatched_if_swapped_vehicles": outcome["match_if_swapped"]["vehicles"],
        "labelled_vehicles": outcome["match_if_swapped"]["of_vehicles"],
        "unmatched_if_sign_flipped": outcome["match_if_flipped"]["labels"],
        "unmatched_if_sign_flipped_vehicles": outcome["match_if_flipped"]["vehicles"],
        "sign_flipped": outcome["match_if_flipped"]["which"],
        "unmatched_if_shifted": outcome["match_if_shifted"],
        "trip_ids_set_aside": derived["trip_ids_set_aside"]["vehicle_id"].tolist(),
        "moved_house": derived["moves"]["vehicle_id"].tolist(),
        "trips_cut_short": {str(v): round(float(m)) for v, m in
                            derived["trips_cut_short"][["vehicle_id", "cut_m"]].itertuples(index=False)},
        "unmatched_near": outcome["unmatched_near"],
        "labels_rounded": outcome["labels_rounded"],
        "unmatched_at_other_vehicles": outcome["at_other_vehicles"],
        "label_radius_m": config.label_radius_m,
        "kept_settings": kept,
        "ids_written_differently": ids_differ,
        "run_id": run_id,
        "baseline_run_id": baseline_run_id,
        "labels_source": source["kind"],
        "labeller": source["labeller"],
        "local_time_sources": {str(k): int(v) for k, v in
                               sorted(derived["clocks"]["source"].value_counts().items())},
        "flags": flags,
        "seconds": round(time.perf_counter() - started, 3),
    }


LABELS_SOURCE_TEXT = {
    "project_labels": "a model trained on this project's labels",
    "model_from": "a model trained elsewhere (--model-from)",
    "no_labels": "the 02:00 baseline: no label matched a place, so there was nothing to learn from",
    "weights_from": "a model trained on an export's corrected, weighted training set "
                    "(--weights-from)",
}

# project_labels runs: what the labeller the training vehicles chose (labeller.py) means
PROJECT_LABELLER_TEXT = {
    "stacked": "a model trained on this project's labels, stacked with the 02:00 baseline's "
               "decision",
    "baseline": "the 02:00 baseline: out-of-fold on the training vehicles the model trained on "
                "this project's labels did not beat it",
}


def _run_labels(outcome: dict, features: pd.DataFrame, source_rows) -> tuple[dict, pd.DataFrame]:
    """(metrics, predictions) of the run's model run, its ``labels_source`` recorded."""
    given, split = outcome["given"], outcome["split"]
    base_metrics = outcome["baseline_metrics"]
    base_summary = {k: base_metrics[k] for k in ("accuracy", "home_place_rate", "per_class",
                                                 "confusion")}
    if source_rows is not None:
        proba, pred = predict_with(source_rows, features)
        labelled = given.notna()
        for c in CLASSES:  # the outside model never saw these places: its p_* is out-of-fold
            proba[f"oof_p_{c}"] = proba[f"p_{c}"].where(labelled)
        val = split == "validation"
        metrics = label_metrics(given[val], pred[val])
        ident = pd.DataFrame({"vehicle_id": features["vehicle_id"],
                              "place_id": features["place_id"], "given": given})[val]
        metrics["home_place_rate"] = vehicle_home_rate(ident, pred[val])
        metrics["baseline"] = base_summary
        kind, labeller = "model_from", "model_from"
        frame = predictions_frame(features, split, given, pred, proba)
        provenance = dict(source_rows.provenance, config=source_rows.config.to_dict(),
                          seed=source_rows.seed, digest=source_rows.digest())
    elif outcome["model_predictions"] is None:
        metrics = dict(base_metrics, baseline=base_summary)
        kind, labeller, provenance = "no_labels", "baseline", None
        frame = outcome["baseline_predictions"]
    else:
        metrics = outcome["model_metrics"]
        kind, provenance = "project_labels", None
        # the labeller the training vehicles chose (labeller.py): model | stacked | baseline
        labeller = (metrics.get("labeller") or {}).get("chosen", "model")
        frame = outcome["model_predictions"]
    metrics["labels_source"] = {"kind": kind, "labeller": labeller, "model_from": provenance,
                                "text": PROJECT_LABELLER_TEXT.get(labeller,
                                                                  LABELS_SOURCE_TEXT[kind])
                                if kind == "project_labels" else LABELS_SOURCE_TEXT[kind],
                                "validation": "no labels" if not given.notna().any()
                                else "no validation vehicles" if metrics["accuracy"] is None
                                else "validation split"}
    return metrics, frame


def refit_witness(rule_labels: pd.Series, config: InferConfig) -> pd.Series | None:
    """The 02:00 rule's labels as the refit's second witness (model.label_trust), or None:
    not asked for, or the run leaves out features the rule reads (--without night, weekday or
    dwell: the model must not learn from them, not even through which labels it keeps)."""
    if not config.refit_rule_vouches or set(config.without) & {"night", "weekday", "dwell"}:
        return None
    return rule_labels


def labeller_config(config: InferConfig) -> InferConfig:
    """The config the labeller choice runs with: a run that leaves the 02:00 features out
    (``--without night``) is labelled by the model alone — the 02:00 baseline and the stacker
    (which reads the baseline's decision) are the very features left out."""
    if "night" in config.without and config.labeller == "auto":
        return dataclasses.replace(config, labeller="model")
    return config


def label_and_predict(features: pd.DataFrame, places: pd.DataFrame, labels: pd.DataFrame,
                      pinged_vehicles, seed: int, config: InferConfig,
                      moves: pd.DataFrame | None = None,
                      twins: pd.DataFrame | None = None) -> dict:
    """Given labels -> place labels, splits, baseline and model over the fleet's feature table.
    ``twins``: the places' night-shift twin features (model.train_with_twins), for
    config.night_twins.
    Pure: returns place_labels, unmatched, given, split, *_predictions and *_metrics
    (model_* are None when no label matched a place: there is nothing to learn from)."""
    place_labels, unmatched = match_labels(labels, places, pinged_vehicles, config)
    pairs = unused_pairs(labels, unmatched, places, config)
    unused = nearest_to_unused(pairs)
    # places no given label may be 'other' for: near a label that went unused, and the other
    # home of a vehicle that moved house (derive's ``moves``)
    unsure = unsure_places(pairs, config) | homes_moved_from(moves, place_labels)
    given = given_labels(features, place_labels, unsure)
    split = assign_splits(features["vehicle_id"], place_labels["vehicle_id"], seed,
                          config.validation_fraction, config.test_fraction)
    val = (split == "validation")
    ident = pd.DataFrame({"vehicle_id": features["vehicle_id"], "place_id": features["place_id"],
                          "given": given})[val]

    def scored(pred: pd.Series) -> dict:
        m = label_metrics(given[val], pred[val])
        m["home_place_rate"] = vehicle_home_rate(ident, pred[val])
        return m

    base_pred = baseline_labels(features)
    base_metrics = scored(base_pred)
    out = {"place_labels": place_labels, "unmatched": unmatched, "given": given, "split": split,
           "match_if_swapped": match_if_swapped(labels, unmatched, places, config),
           "match_if_flipped": match_if_flipped(labels, unmatched, places, config),
           "match_if_shifted": match_if_shifted(labels, unmatched, places, config),
           "unmatched_near": near_misses(unused, config),
           "labels_rounded": rounded_labels(labels),
           "at_other_vehicles": match_other_vehicles(labels, unmatched, places, config),
           "baseline_metrics": base_metrics,
           "baseline_predictions": predictions_frame(features, split, given, base_pred,
                                                one_hot(base_pred)),
           "model_metrics": None, "model_predictions": None}
    if given.notna().any():
        # the model never sees the feature groups the run leaves out (--without)
        seen = blank_groups(features, config.without)
        twins_choice = None
        rule = refit_witness(base_pred, config)
        if twins is not None and config.night_twins:
            plain, twinned, doubts = train_with_twins(seen, given, split, config, seed,
                                                      blank_groups(twins, config.without), rule)
            proba, twins_choice = twins_or_plain(features, given, split, plain, twinned,
                                                 config.work_min_p,
                                                 config.night_twins_ties_by_log_loss,
                                                 config.night_twins_clear_p)
        else:
            proba, doubts = train_plain(seen, given, split, config, seed, rule)
        # model, baseline or both stacked: whichever the training vehicles support
        # (labeller.py); without the 02:00 features the 02:00 rule is no candidate either
        chosen = label_places(features, given, split, proba, base_pred,
                              labeller_config(config), seed)
        metrics = scored(chosen.labels)
        metrics["baseline"] = {k: base_metrics[k] for k in
                               ("accuracy", "home_place_rate", "per_class", "confusion")}
        metrics["labeller"] = dict(chosen.choice, night_twins=twins_choice, refit=doubts)
        out["model_metrics"] = metrics
        out["model_predictions"] = predictions_frame(features, split, given, chosen.labels,
                                                chosen.proba)
    return out


def _derive_fleet(conn, path: Path, config: InferConfig, progress: Progress | None,
                  engine=None):
    """Derived tables for every vehicle: the engine maps ``derive_shard`` over vehicle buckets
    (auditor.pipeline.shards), one shard's pings in a worker's memory at a time; the client
    puts the pieces back in vehicle order. The data hash covers the vehicles table and one
    digest per vehicle, so it is the same for every engine and shard plan."""
    from auditor.pipeline.shards import assemble, derive_shard
    vehicles = read_vehicles(conn)
    tasks, total = _shard_tasks(conn, path, config, engine)
    if not total:
        raise UserError("project has no pings — import some with 'auditor ingest PROJECT pings.csv'")
    shared = engine.scatter(vehicles) if hasattr(engine, "scatter") else vehicles
    results = engine.map(derive_shard, tasks, total, progress,
                         common=(shared, config.to_dict()))
    derived, n_pings, digests = assemble(results)
    hasher = hashlib.sha256()
    _frame_digest(hasher, vehicles.astype(str))
    hasher.update(b"".join(digests["digest"].tolist()))
    derived["pinged_vehicles"] = digests["vehicle_id"].tolist()
    return derived, n_pings, hasher


def _shard_tasks(conn, path: Path, config: InferConfig, engine):
    """(lazy iterable of (source,) tasks, how many): one per non-empty vehicle bucket. A task
    names the SQLite file when the runner can open it, else carries the pings read here."""
    from auditor.pipeline.shards import (
        SHARDS_PER_PROCESS,
        SQLITE_PING_READ,
        DatasetShard,
        FrameShard,
        SqliteShard,
        buckets_for,
        group_buckets,
        plan_ranges,
        plan_shards,
        vehicles_per_shard,
    )
    from auditor.store import pings_dataset
    store = pings_dataset.recorded(conn)
    if store is not None:  # shards of the dataset's buckets; whoever runs one reads it
        counts = dict(conn.execute("SELECT bucket, COUNT(*) FROM pings_store_vehicles "
                                   "GROUP BY bucket").fetchall())
        size = vehicles_per_shard(sum(counts.values()), config.batch_vehicles, engine.workers_hint)
        groups = group_buckets(counts, size)
        # workers read the buckets themselves: one clear line if one cannot see the store
        engine.check_paths([store.version_dir], "the pings store", pings_dataset.SAME_PATH_FIX)
        return (iter([(DatasetShard(tuple(str(store.bucket_file(b)) for b in g)),)
                      for g in groups]), len(groups))
    pool = getattr(engine, "pool", None)
    if isinstance(engine, LocalEngine) and pool is not None:
        # the local pool: runs of consecutive vehicles with equal pings, a few per process,
        # each one range of the index read by the worker itself
        counts = conn.execute("SELECT vehicle_id, COUNT(*) FROM pings GROUP BY vehicle_id "
                              "ORDER BY vehicle_id").fetchall()
        runs = plan_ranges(counts, SHARDS_PER_PROCESS * engine.workers_hint,
                           config.batch_vehicles)
        where = str(path.resolve())
        return iter([(SqliteShard(where, tuple(r), consecutive=True),) for r in runs]), len(runs)
    ids = file_vehicle_ids(conn)
    size = vehicles_per_shard(len(ids), config.batch_vehicles, engine.workers_hint)
    plan = plan_shards(ids, buckets_for(len(ids), size))
    local = isinstance(engine, LocalEngine)  # one process, the project open: read through it
    if not local and engine.shares_files:  # a cluster here opens the project file itself
        engine.check_paths([path.resolve()], "the project file", same_path_fix(engine))

    def tasks():
        for _, vids in plan:
            if local:
                yield (FrameShard(read_pings(conn, vids, columns=SQLITE_PING_READ)),)
            elif engine.shares_files:
                yield (SqliteShard(str(path.resolve()), tuple(vids)),)
            else:
                yield (FrameShard(read_pings(conn, vids, columns=SQLITE_PING_READ)),)
    return tasks(), len(plan)


def _replace(conn, table: str, frame: pd.DataFrame) -> None:
    conn.execute(f'DELETE FROM "{table}"')
    insert_frame(conn, table, frame)


def _insert_run(conn, kind: str, common: dict, metrics: dict, predictions: pd.DataFrame) -> int:
    created = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    cur = conn.execute(
        "INSERT INTO runs (kind, created_at, seed, config, versions, metrics, data_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (kind, created, common["seed"], common["config"], common["versions"],
         json.dumps(metrics, sort_keys=True), common["data_hash"]))
    run_id = int(cur.lastrowid)
    insert_frame(conn, "predictions", predictions.assign(run_id=run_id), PREDICTION_COLUMNS)
    return run_id
