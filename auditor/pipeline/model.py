"""The place classifier (home / work / other) over FEATURE_COLUMNS.

Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier): fast on a fleet's
feature table, no scaling needed, handles NaN. Training is deterministic: fixed random_state,
no early stopping (which would draw a random validation subset), a single OpenMP thread,
rows in a fixed order. Vehicles, never rows, are split: a vehicle's places all land in train or
all in validation, and out-of-fold probabilities come from folds of whole vehicles.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from auditor.classes import CLASSES
from auditor.pipeline.config import InferConfig
from auditor.pipeline.features import FEATURE_COLUMNS

PROBA_COLUMNS = [f"p_{c}" for c in CLASSES]
OOF_COLUMNS = [f"oof_p_{c}" for c in CLASSES]


def assign_splits(vehicle_ids: pd.Series, labelled_vehicles, seed: int,
                  fraction: float, test_fraction: float = 0.0) -> pd.Series:
    """train / validation / test per row by its vehicle (seeded, whole vehicles), unlabelled
    for other vehicles. Validation takes the first ``fraction`` of the seeded order (the same
    vehicles as before test existed), test the next ``test_fraction``; train keeps at least one
    vehicle, validation gets one from two labelled vehicles on, test one from three on."""
    labelled = np.array(sorted(set(labelled_vehicles)), dtype=object)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(labelled))
    n = len(labelled)
    n_val = int(round(fraction * n))
    n_val = min(max(n_val, 1), n - 1) if n >= 2 else 0  # both sides need a vehicle
    n_test = int(round(test_fraction * n)) if test_fraction > 0 else 0
    if test_fraction > 0 and n >= 3:
        n_test = min(max(n_test, 1), n - n_val - 1)
    else:
        n_test = 0
    validation = set(labelled[order[:n_val]])
    test = set(labelled[order[n_val:n_val + n_test]])
    split = np.where(vehicle_ids.isin(validation), "validation",
                     np.where(vehicle_ids.isin(test), "test",
                              np.where(vehicle_ids.isin(set(labelled)), "train", "unlabelled")))
    return pd.Series(split, index=vehicle_ids.index, dtype=object)


def vehicle_folds(vehicle_ids: pd.Series, seed: int, k: int) -> pd.Series:
    """Fold number per row: whole vehicles dealt round-robin in a seeded order."""
    unique = np.array(sorted(set(vehicle_ids)), dtype=object)
    order = np.random.default_rng([seed, 1]).permutation(len(unique))
    fold_of = pd.Series(np.empty(len(unique), dtype=np.int64), index=unique)
    fold_of.iloc[order] = np.arange(len(unique)) % max(1, min(k, len(unique)))
    return vehicle_ids.map(fold_of)


def _classifier(config: InferConfig, seed: int) -> HistGradientBoostingClassifier:
    # big leaves on purpose: a tiny project learns little and decide_labels then falls back to
    # the baseline's order, which beats a model fitted to a handful of vehicles
    return HistGradientBoostingClassifier(
        max_iter=config.max_iter, learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes, min_samples_leaf=config.min_samples_leaf,
        l2_regularization=config.l2_regularization,
        early_stopping=False, random_state=seed)


def _fit_predict_proba(X_train: np.ndarray, y_train: np.ndarray, X: np.ndarray,
                       config: InferConfig, seed: int) -> np.ndarray:
    """Probabilities in CLASSES order (a class missing from training gets 0)."""
    out = np.zeros((len(X), len(CLASSES)))
    present = sorted(set(y_train))
    if len(present) == 1:  # nothing to learn: certain of the only class seen
        out[:, CLASSES.index(present[0])] = 1.0
        return out
    with threadpool_limits(limits=1, user_api="openmp"):
        clf = _classifier(config, seed).fit(X_train, y_train)
        proba = clf.predict_proba(X)
    for j, c in enumerate(clf.classes_):
        out[:, CLASSES.index(c)] = proba[:, j]
    return out


def feature_matrix(features: pd.DataFrame) -> np.ndarray:
    return features[FEATURE_COLUMNS].to_numpy(dtype=float)


def train_and_predict(features: pd.DataFrame, given: pd.Series, split: pd.Series,
                      config: InferConfig, seed: int) -> pd.DataFrame:
    """oof_p_* for every labelled place from vehicle folds over all labelled vehicles; p_* from
    the model trained on the train split for validation and unlabelled places, and the
    out-of-fold p_* for training places (cross-fitting). Indexed like ``features``."""
    X = feature_matrix(features)
    y = given.to_numpy(dtype=object)
    train = (split == "train").to_numpy()
    result = pd.DataFrame(index=features.index, columns=PROBA_COLUMNS + OOF_COLUMNS, dtype=float)
    result[PROBA_COLUMNS] = _fit_predict_proba(X[train], y[train], X, config, seed)

    labelled = given.notna().to_numpy()
    folds = vehicle_folds(features.loc[labelled, "vehicle_id"], seed, config.oof_folds).to_numpy()
    X_lab, y_lab = X[labelled], y[labelled]
    oof = np.full((len(X_lab), len(CLASSES)), np.nan)
    for fold in np.unique(folds):  # k folds, a handful of fits
        held = folds == fold
        if held.all():  # a single labelled vehicle: no other vehicle to learn from
            continue
        oof[held] = _fit_predict_proba(X_lab[~held], y_lab[~held], X_lab[held], config, seed)
    result.loc[labelled, OOF_COLUMNS] = oof
    # A training place is predicted by the fold model that never saw its vehicle: the final
    # model would repeat the wrong labels it memorised, hiding the very errors under audit.
    crossfit = train & labelled & ~np.isnan(result[OOF_COLUMNS[0]].to_numpy())
    result.loc[crossfit, PROBA_COLUMNS] = result.loc[crossfit, OOF_COLUMNS].to_numpy()
    return result


def decide_labels(features: pd.DataFrame, proba: pd.DataFrame,
                  work_min_p: float = InferConfig.work_min_p) -> pd.Series:
    """One label per place, consistent per vehicle.

    Policy: every vehicle has exactly one home, its place with the highest p_home (a vehicle
    lives somewhere); at most one work, the non-home place with the highest p_work, and only if
    that p_work reaches ``work_min_p`` (0.3: a weekday place the model half believes in is
    more often a part-time job than an errand; no-work vehicles stay without). Everything else
    is other. Equal probabilities
    (a model that learnt little) fall back to the baseline's order: more 02:00 nights for home,
    more weekday daytime for work, then more dwell, then place_id.
    """
    f = pd.DataFrame({"place_id": features["place_id"], "vehicle_id": features["vehicle_id"],
                      "p_home": proba["p_home"].round(12), "p_work": proba["p_work"].round(12),
                      "p_other": proba["p_other"],
                      "nights": features["nights_0200_share"],
                      "daytime": features["weekday_day_share"],
                      "dwell": features["total_dwell_h"]})
    home_ids = (f.sort_values(["vehicle_id", "p_home", "nights", "dwell", "place_id"],
                              ascending=[True, False, False, False, True])
                .drop_duplicates("vehicle_id")["place_id"])
    is_home = f["place_id"].isin(home_ids)
    work = (f[~is_home].sort_values(["vehicle_id", "p_work", "daytime", "dwell", "place_id"],
                                    ascending=[True, False, False, False, True])
            .drop_duplicates("vehicle_id"))
    work_ids = work.loc[work["p_work"] >= work_min_p, "place_id"]
    label = np.where(is_home, "home", np.where(f["place_id"].isin(work_ids), "work", "other"))
    return pd.Series(label, index=features.index, dtype=object)
