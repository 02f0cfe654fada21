"""`infer --weights-from EXPORT_DIR`: retrain this project's model on an export's training set.

The export (auditor.export) holds the model run's training places after the analysts' work:
labels corrected by label_wrong flags, bad-data places excluded, and a sample_weight that
upweights training places near the validation places the run got wrong. This run trains on
exactly those rows, with those weights, under the export's run seed and settings, so its
validation and test vehicles are the export run's: weights were chosen on validation errors,
so validation flatters the reweighted model — the test split never took part in anything and
is where before -> after is read.

Refused (one line naming the fix) when an exported row belongs to a vehicle that is not in
this run's training split: the export was made from a run with another split (before the test
split existed, or another seed), and training on it would leak held-out vehicles.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from auditor.classes import CLASSES
from auditor.errors import UserError
from auditor.pipeline.config import InferConfig
from auditor.pipeline.feature_groups import blank_groups
from auditor.pipeline.features import FEATURE_COLUMNS
from auditor.pipeline.model import (
    PROBA_COLUMNS,
    decide_labels,
    feature_matrix,
    predictions_frame,
)
from auditor.pipeline.model_from import TrainingRows, _from_export
from auditor.pipeline.run_record import population_keys, run_extras, split_figures
from auditor.store.queries import read_run, read_vehicles


@dataclass
class WeightsSource:
    rows: TrainingRows
    path: Path
    manifest_sha256: str
    config: InferConfig
    seed: int

    @property
    def record(self) -> dict:
        """What the run's config records about its weights source."""
        return {"path": str(self.path.absolute()), "manifest_sha256": self.manifest_sha256,
                "source_run_id": self.rows.provenance.get("source_run_id"),
                "rows": int(len(self.rows.frame)),
                "rows_sha256": self.rows.provenance.get("rows_sha256")}

    def run_labels(self, outcome: dict, features: pd.DataFrame, conn) -> tuple[dict, pd.DataFrame]:
        """(metrics, predictions) of a model trained on the export's weighted rows."""
        given, split = outcome["given"], outcome["split"]
        _check_split(self.path, self.rows.frame, features, split)
        proba = fit_weighted(self.rows.frame, blank_groups(features, self.config.without),
                             self.config, self.seed)
        pred = decide_labels(features, proba, self.config.work_min_p)
        held_out = given.notna() & split.isin(["validation", "test"])
        for c in CLASSES:  # never trained on held-out vehicles: their p_* is out-of-fold
            proba[f"oof_p_{c}"] = proba[f"p_{c}"].where(held_out)
        frame = predictions_frame(features, split, given, pred, proba)
        metrics = split_figures(features, given, split, pred, "validation")
        base = outcome["baseline_metrics"]
        metrics["baseline"] = {k: base[k] for k in ("accuracy", "home_place_rate", "per_class",
                                                    "confusion")}
        metrics["labels_source"] = {
            "kind": "weights_from", "labeller": "weights_from", "model_from": None,
            "text": "a model trained on an export's corrected, weighted training set "
                    "(--weights-from)",
            "validation": "validation split" if metrics["accuracy"] is not None
            else "no validation vehicles"}
        record = self.record
        vehicles = read_vehicles(conn)
        keys = population_keys(features, vehicles)
        extras = run_extras(features, vehicles, frame, keys)
        ba = before_after(conn, record["source_run_id"], extras)
        if ba is not None:
            # the source run labelled its own way (its labeller, the robust refit); this run
            # is one weighted fit. The same fit on the training labels as given, unweighted,
            # is what separates the export's own effect from that change of method.
            plain = given_rows(features, given, split)
            p0 = fit_weighted(plain, blank_groups(features, self.config.without), self.config,
                              self.seed)
            f0 = predictions_frame(features, split, given,
                                   decide_labels(features, p0, self.config.work_min_p), p0)
            add_without_export(ba, run_extras(features, vehicles, f0, keys))
        record["before_after"] = ba
        metrics["weights_from"] = record
        return metrics, frame


def manifest_digest(path: Path) -> str:
    return hashlib.sha256((path / "manifest.json").read_bytes()).hexdigest()


def read_weights(export_dir, config: InferConfig | None = None) -> WeightsSource:
    """The export's rows, its run's seed and settings (the groups ``config`` leaves out
    added), and the manifest's sha256."""
    path = Path(export_dir)
    if not path.is_dir():
        raise UserError(f"--weights-from {path}: no such folder — give a folder written by "
                        "'auditor export'")
    rows = _from_export(path)
    run_config = rows.config
    if config is not None and config.without:
        run_config = dataclasses.replace(run_config, without=tuple(
            sorted(set(run_config.without) | set(config.without))))
    return WeightsSource(rows, path, manifest_digest(path), run_config, rows.seed)


def _check_split(path: Path, rows: pd.DataFrame, features: pd.DataFrame,
                 split: pd.Series) -> None:
    split_of = pd.Series(split.to_numpy(), index=features["place_id"].to_numpy())
    where = rows["place_id"].map(split_of)
    unknown = int(where.isna().sum())
    leaked = int(where.isin(["validation", "test"]).sum())
    if leaked:
        raise UserError(f"--weights-from {path}: {leaked} exported training place(s) belong to "
                        "this run's validation or test vehicles (the export was made from a run "
                        "with another split) — run 'auditor infer' and 'auditor export' again, "
                        "then retrain with the new export")
    if unknown == len(rows):
        raise UserError(f"--weights-from {path}: none of the export's places is a place of "
                        "this project — give an export of this project")


def fit_weighted(rows: pd.DataFrame, features: pd.DataFrame, config: InferConfig,
                 seed: int) -> pd.DataFrame:
    """p_* per place of ``features`` from a model fitted on ``rows`` (FEATURE_COLUMNS, label,
    weight); the left-out groups blank in both."""
    from auditor.pipeline.model import _classifier
    train = blank_groups(rows, config.without)
    X = train[FEATURE_COLUMNS].to_numpy(dtype=float)
    y = train["label"].to_numpy(dtype=object)
    w = train["weight"].to_numpy(dtype=float)
    out = np.zeros((len(features), len(CLASSES)))
    present = sorted(set(y))
    if len(present) == 1:
        out[:, CLASSES.index(present[0])] = 1.0
    elif len(features):
        with threadpool_limits(limits=1, user_api="openmp"):
            clf = _classifier(config, seed, len(X)).fit(X, y, sample_weight=w)
            got = clf.predict_proba(feature_matrix(features))
        for j, c in enumerate(clf.classes_):
            out[:, CLASSES.index(c)] = got[:, j]
    return pd.DataFrame(out, columns=PROBA_COLUMNS, index=features.index)


def given_rows(features: pd.DataFrame, given: pd.Series, split: pd.Series) -> pd.DataFrame:
    """The training places with their labels as given, weight 1: an export with no flag and
    no upweighting (fit_weighted's rows)."""
    train = ((split == "train") & given.notna()).to_numpy()
    rows = features.loc[train, FEATURE_COLUMNS].copy()
    rows["label"] = given[train].to_numpy(dtype=object)
    rows["weight"] = 1.0
    return rows.reset_index(drop=True)


def add_without_export(ba: dict, plain: dict) -> None:
    """before_after's third figure: test accuracy of this run's training on the given labels."""
    ba["test_accuracy"]["without_export"] = plain["test_accuracy"]
    ba["export_effect_points"] = (
        None if ba["test_accuracy"]["after"] is None or plain["test_accuracy"] is None
        else round(100 * (ba["test_accuracy"]["after"] - plain["test_accuracy"]), 1))
    pops = {(r["population"], r["value"]): r["test_accuracy"]
            for r in plain["by_population"]}
    for r in ba["by_population"]:
        r["without_export"] = pops.get((r["population"], r["value"]))


def before_after(conn, source_run_id, after: dict) -> dict | None:
    """Test accuracy of the export's run (before) and of this run (after), overall and per
    population; None when the source run is not in this project."""
    if source_run_id is None:
        return None
    try:
        before = read_run(conn, int(source_run_id))["metrics"]
    except KeyError:
        return None
    pops = {(r["population"], r["value"]): r for r in before.get("by_population") or []}
    rows = []
    for r in after["by_population"]:
        b = pops.get((r["population"], r["value"]), {})
        rows.append({"population": r["population"], "value": r["value"],
                     "test_n": r["test_n"], "before": b.get("test_accuracy"),
                     "after": r["test_accuracy"]})
    return {"source_run_id": int(source_run_id),
            "source_labeller": (before.get("labels_source") or {}).get("labeller"),
            "test_accuracy": {"before": before.get("test_accuracy"),
                              "after": after["test_accuracy"]},
            "by_population": rows}



def percent(x) -> str:
    """0.913 -> '91.3%' (the infer command's summary lines too)."""
    return "n/a" if x is None else f"{x:.1%}"


def before_after_lines(ba: dict) -> list[str]:
    """Test accuracy before -> after a retrain, and how much of the change is the export's."""
    t = ba["test_accuracy"]
    lines = [f"test accuracy (the number to trust): run {ba['source_run_id']} "
             f"{percent(t['before'])} -> this run {percent(t['after'])}"]
    if "without_export" in t:
        effect = ba.get("export_effect_points")
        lines.append(
            f"  the export's own effect: {'n/a' if effect is None else f'{effect:+.1f}'} points "
            f"(this training on the labels as given, unweighted: {percent(t['without_export'])}); "
            f"the rest is the method: run {ba['source_run_id']} labelled with "
            f"'{ba.get('source_labeller') or '?'}', a retrain is one weighted model")
    for r in ba["by_population"]:
        if r["test_n"]:
            plain = (f", without the export {percent(r['without_export'])}"
                     if "without_export" in r else "")
            lines.append(f"  {r['population']}={r['value']}: {percent(r['before'])} -> "
                         f"{percent(r['after'])} (n={r['test_n']}{plain})")
    return lines
