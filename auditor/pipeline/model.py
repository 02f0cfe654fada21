"""The place classifier (home / work / other) over FEATURE_COLUMNS.

Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier): fast on a fleet's
feature table, no scaling needed, handles NaN. Training is deterministic: fixed random_state,
no early stopping (which would draw a random validation subset), a single OpenMP thread,
rows in a fixed order. Vehicles, never rows, are split: a vehicle's places all land in train or
all in validation, and out-of-fold probabilities come from folds of whole vehicles.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import ThreadpoolController

from auditor.classes import CLASSES, GIVEN_LABELS
from auditor.pipeline.config import InferConfig
from auditor.pipeline.engine import parallel_map
from auditor.pipeline.features import FEATURE_COLUMNS

PROBA_COLUMNS = [f"p_{c}" for c in CLASSES]
OOF_COLUMNS = [f"oof_p_{c}" for c in CLASSES]
# a night-shift twin's class (train_with_twins): learnt apart from its class, so a day
# worker's office and a night worker's home never share a leaf, and added back into it
TWIN = "twin_"


def _base_class(c: str) -> str:
    return c[len(TWIN):] if c.startswith(TWIN) else c


def _base_classes(y: np.ndarray) -> np.ndarray:
    return np.array([_base_class(c) for c in y], dtype=object)


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


# a leaf holds LEAF_SHARE of the training places, at least MIN_LEAF, at most the configured
# min_samples_leaf: with the configured 40 alone, a project of a dozen vehicles (~100 places)
# could not split at all and the model learnt nothing but the class shares
LEAF_SHARE = 1 / 10
MIN_LEAF = 5


def leaf_size(config: InferConfig, n_rows: int) -> int:
    return int(min(config.min_samples_leaf, max(MIN_LEAF, n_rows * LEAF_SHARE)))


def _classifier(config: InferConfig, seed: int, n_rows: int,
                rows_per_place: int = 1) -> HistGradientBoostingClassifier:
    leaf = leaf_size(config, n_rows) * rows_per_place
    # coarse leaves on purpose (a few wrong labels must not be learnt as a pattern); whether the
    # model beats the 02:00 rule on a small project is decided out-of-fold (labeller.py)
    return HistGradientBoostingClassifier(
        max_iter=config.max_iter, learning_rate=config.learning_rate,
        max_leaf_nodes=config.max_leaf_nodes, min_samples_leaf=leaf,
        l2_regularization=config.l2_regularization,
        early_stopping=False, random_state=seed)


@functools.lru_cache(maxsize=1)
def _threadpools() -> ThreadpoolController:
    """The thread pools loaded in this process (scikit-learn's OpenMP is, since this module
    imported it), looked up once: ``threadpool_limits`` looks them up on every call, ~7 ms,
    10 times a run."""
    return ThreadpoolController()


def _fit_predict_proba(X_train: np.ndarray, y_train: np.ndarray, X: np.ndarray,
                       config: InferConfig, seed: int,
                       keep: np.ndarray | None = None) -> np.ndarray:
    """Probabilities in CLASSES order (a class missing from training gets 0), learnt from the
    training rows ``keep`` marks (all by default)."""
    out = np.zeros((len(X), len(CLASSES)))
    if keep is not None:
        X_train, y_train = X_train[keep], y_train[keep]
    present = sorted(set(y_train))
    if not present:
        return np.full((len(X), len(CLASSES)), 1.0 / len(CLASSES))
    if len(present) == 1:  # nothing to learn: certain of the only class seen
        out[:, CLASSES.index(_base_class(present[0]))] = 1.0
        return out
    # leaves sized by the places themselves: twins add rows, not evidence, so a leaf holds as
    # many rows per place as there are (a model too small to split without twins does not
    # split with them: on 8 x 4 fleets they let 3 training vehicles' noise beat the 02:00 rule)
    n_places = int(len(y_train) - pd.Series(y_train).str.startswith(TWIN).sum())
    rows_per_place = max(1, round(len(y_train) / max(n_places, 1)))
    with _threadpools().limit(limits=1, user_api="openmp"):
        # no sample_weight: scikit-learn then bins every feature by weighted percentiles,
        # about a second per fit; dropping the doubted rows is as effective and free
        clf = _classifier(config, seed, n_places, rows_per_place).fit(X_train, y_train)
        proba = clf.predict_proba(X)
    for j, c in enumerate(clf.classes_):
        out[:, CLASSES.index(_base_class(c))] += proba[:, j]
    return out


def feature_matrix(features: pd.DataFrame) -> np.ndarray:
    return features[FEATURE_COLUMNS].to_numpy(dtype=float)


def cross_fit(X: np.ndarray, y: np.ndarray, folds: np.ndarray, config: InferConfig, seed: int,
              keep: np.ndarray | None = None, X_final: np.ndarray | None = None):
    """Out-of-fold probabilities: each fold predicted by a model fitted on the other folds
    (NaN for a fold that is everything: nothing else to learn from). With ``X_final``:
    (oof, the mean of the fold models' probabilities at X_final) — the fold models predict
    those rows beside their held-out fold, so no further fit is needed for them."""
    oof = np.full((len(X), len(CLASSES)), np.nan)
    helds = [folds == fold for fold in np.unique(folds)]  # k folds, a handful of fits
    helds = [held for held in helds if not held.all()]
    tasks = [(X[~held], y[~held], X[held] if X_final is None else np.vstack([X[held], X_final]),
              config, seed, None if keep is None else keep[~held])
             for held in helds]
    # independent fits: on the local engine's worker processes when it has them (engine.py)
    got = parallel_map(_fit_predict_proba, tasks)
    for held, proba in zip(helds, got):
        oof[held] = proba[:int(held.sum())]
    if X_final is None:
        return oof
    if not helds:  # one fold (a single training vehicle): its one model, on all of it
        return oof, _fit_predict_proba(X, y, X_final, config, seed, keep)
    # in fold order, whichever process fitted them: the same bytes in 1 or 2 processes
    final = np.mean([proba[int(held.sum()):] for held, proba in zip(helds, got)], axis=0)
    return oof, final


KEEP_TRUST = 0.25


def label_trust(y: np.ndarray, oof: np.ndarray,
                vouched: np.ndarray | None = None) -> np.ndarray:
    """How far the out-of-fold model trusts each label, in [0, 1]: the given class's likelihood
    ratio p(given) / prior(given) over the best class's p(k) / prior(k), priors being the class
    shares among the labels. 1 where the model agrees and where there are no out-of-fold
    probabilities. Measured against the priors, a model that learnt nothing (probabilities =
    class shares) doubts no label, instead of doubting every home and work label of a small
    project. The refit leaves out labels below KEEP_TRUST: another class at least four times as
    likely, relative to how common each class is. (Chosen on generated fleets of both
    generators with and without a swapped population, bench/label_issues.py: at 0.5 the refit
    also dropped right but unusual labels, part-timers and night shifts, and held-out labels got
    slightly worse where nothing was swapped; at 0.25 they did not, and a third of a fleet
    swapped still could not teach the model its mistake.)

    ``vouched``: the labels the 02:00 rule gives the same class (baseline.py), a second witness
    that learnt from no label. For those only home and work count as rivals: the refit still
    leaves out a label where the model sees the vehicle's other anchor in it (a swapped join),
    not one it only finds unremarkable. The coarse first pass finds a minority unremarkable
    (part-timers' three shifts a week: p_work about 0 on 16 of 19 of them on demo 150 x 21),
    and the refit then learnt their work as other; a work label on an errand stays doubted,
    as the rule puts that vehicle's work elsewhere (one such label, kept, gave 6 of 12 no-work
    vehicles a false work on the fix-loop fleet)."""
    w = np.ones(len(y))
    has = ~np.isnan(oof).any(axis=1)
    if not has.any():
        return w
    idx = np.array([CLASSES.index(c) for c in y[has]])
    prior = np.bincount(idx, minlength=len(CLASSES)) / len(idx)
    ratio = oof[has] / np.where(prior > 0, prior, np.inf)[None, :]
    r_given = ratio[np.arange(len(idx)), idx]
    best = ratio.max(axis=1)
    if vouched is not None:
        anchors = ratio[:, [CLASSES.index(c) for c in GIVEN_LABELS]].max(axis=1)
        best = np.where(vouched[has], np.maximum(anchors, r_given), best)
    w[has] = np.clip(r_given / np.maximum(best, 1e-12), 0.0, 1.0)
    return w


def robust_cross_fit(X: np.ndarray, y: np.ndarray, folds: np.ndarray, config: InferConfig,
                     seed: int, X_final: np.ndarray | None = None,
                     vouched: np.ndarray | None = None):
    """(out-of-fold probabilities, which labels were kept, the probabilities at ``X_final`` of
    the final fold models (the refit's, else the first pass's) averaged, or None without it,
    {"left_out", "vouched"}: how many labels the refit left out, and how many the first pass
    doubted only as 'other' that the 02:00 rule ``vouched`` for, label_trust; None without a
    refit, config.robust_refit), after one refit without the labels the first out-of-fold pass
    doubts.

    A population whose labels are all wrong the same way (an upstream join that swapped home and
    work for one fleet) would otherwise teach the model its mistake and blur every probability.
    Each label's doubt comes from the fold model that never saw its vehicle; the refit keeps the
    same folds, so every probability still comes from a model that never trained on the vehicle
    it predicts (a vehicle's labels reach its own probabilities only at one remove: through
    which of the other vehicles' labels the first pass doubted).

    X_final's probabilities are the mean of the k fold models, not one more model fitted on
    every training vehicle: one fit fewer (11 -> 10 with the refit; each is ~60 ms of
    per-tree overhead on a fleet's few thousand places), and on the label-issue bench's 18
    fleets and bench/infer.py's 2, x 3 seeds, no worse (test accuracy +0.2 points on average,
    better on 11 runs and worse on 4; truth accuracy, home within 150 m and the queue's
    precision@k alike)."""
    first = cross_fit(X, y, folds, config, seed, X_final=X_final)
    oof, final = (first, None) if X_final is None else first
    base = _base_classes(y)
    keep = label_trust(base, oof, vouched) >= KEEP_TRUST
    if not config.robust_refit:
        return oof, keep, final, None
    saved = 0 if vouched is None else int((keep & (label_trust(base, oof) < KEEP_TRUST)).sum())
    if not keep.all():
        refit = cross_fit(X, y, folds, config, seed, keep, X_final=X_final)
        oof, final = (refit, None) if X_final is None else refit
    return oof, keep, final, {"left_out": int((~keep).sum()), "vouched": saved}


def train_and_predict(features: pd.DataFrame, given: pd.Series, split: pd.Series,
                      config: InferConfig, seed: int,
                      rule: pd.Series | None = None) -> pd.DataFrame:
    """The plain model's p_* and oof_p_* (``train_plain``)."""
    return train_plain(features, given, split, config, seed, rule)[0]


def train_plain(features: pd.DataFrame, given: pd.Series, split: pd.Series,
                config: InferConfig, seed: int,
                rule: pd.Series | None = None) -> tuple[pd.DataFrame, dict | None]:
    """(the plain model's p_* and oof_p_*, what its refit left out: robust_cross_fit's
    counts, None without training labels) (``_train``). ``rule``: the 02:00 rule's labels
    (baseline.baseline_labels), the second witness of label_trust; None: no witness."""
    result, _, doubts = _train(features, given, split, config, seed, rule=rule)
    return result, doubts


def train_with_twins(features: pd.DataFrame, given: pd.Series, split: pd.Series,
                     config: InferConfig, seed: int, twins: pd.DataFrame,
                     rule: pd.Series | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, dict | None]:
    """(the plain model's, the night-shift twins' model's p_* and oof_p_* (``_train``), the
    plain refit's counts (``train_plain``)); the twins' model learns from the labels the plain
    model kept (its doubting pass skipped: half its fits)."""
    plain, keep, doubts = _train(features, given, split, config, seed, rule=rule)
    twinned, _, _ = _train(features, given, split, config, seed, twins=twins, keep=keep)
    return plain, twinned, doubts


def _train(features: pd.DataFrame, given: pd.Series, split: pd.Series,
           config: InferConfig, seed: int, twins: pd.DataFrame | None = None,
           keep: np.ndarray | None = None, rule: pd.Series | None = None
           ) -> tuple[pd.DataFrame, np.ndarray | None, dict | None]:
    """(p_*, oof_p_*) of the model, indexed like ``features``, the training labels it
    learnt from, and its refit's counts (robust_cross_fit; None when ``keep`` was given or
    nothing was trained); never learns from validation.

    Training places: p_* = oof_p_* from vehicle folds over the training vehicles (cross-fitting:
    the model would repeat the wrong labels it memorised, hiding the very errors under audit).
    Validation and unlabelled places: p_* the mean of the training folds' models (the refit's,
    the doubted labels left out); for validation places that is also their oof_p_* (those
    models never saw them). So the labeller chosen on training vehicles and the validation
    accuracy reported for it are never flattered by validation labels.

    ``twins`` (place_id + FEATURE_COLUMNS, features.night_twin_stops): each training place is
    also learnt as its night-shift twin, the same stays half a day later, under a class of
    its own (TWIN + its label) that counts as its label when predicting. Three night shifts
    a week look like a day worker's week turned round (home by day, away at night); with few
    such vehicles labelled the model put home at the hospital. A twin sits in its vehicle's
    fold and is never predicted nor judged itself.

    ``keep``: which training labels to learn from (what an earlier call on the same places
    returned beside its probabilities): the first, doubting pass is then skipped.
    ``rule``: the 02:00 rule's labels, for label_trust's ``vouched``."""
    X = feature_matrix(features)
    y = given.to_numpy(dtype=object)
    labelled = given.notna().to_numpy()
    train = (split == "train").to_numpy() & labelled
    result = pd.DataFrame(np.nan, index=features.index, columns=PROBA_COLUMNS + OOF_COLUMNS)
    if not train.any():
        return result, None, None
    folds = vehicle_folds(features.loc[train, "vehicle_id"], seed, config.oof_folds).to_numpy()
    X_fit, y_fit, folds_fit = X[train], y[train], folds
    if twins is not None:
        twin_X = twins.set_index("place_id").loc[features.loc[train, "place_id"], FEATURE_COLUMNS]
        X_fit = np.vstack([X_fit, twin_X.to_numpy(dtype=float)])
        y_fit = np.concatenate([y_fit, np.array([TWIN + c for c in y[train]], dtype=object)])
        folds_fit = np.concatenate([folds, folds])
    doubts = None
    if keep is None:
        vouched = None if rule is None else (rule.to_numpy(dtype=object) == y)[train]
        oof, keep, final, doubts = robust_cross_fit(X_fit, y_fit, folds_fit, config, seed,
                                                    X_final=X, vouched=vouched)
        # what the fits learnt from: without the refit, every label
        keep = keep[:int(train.sum())] if config.robust_refit else np.ones(int(train.sum()), bool)
    else:
        # a twin is kept with its place
        fit_keep = None if keep.all() else np.tile(keep, len(y_fit) // len(keep))
        oof, final = cross_fit(X_fit, y_fit, folds_fit, config, seed, fit_keep, X_final=X)
    oof = oof[:int(train.sum())]
    result[PROBA_COLUMNS] = final
    # a training place is predicted by the fold model that never saw its vehicle
    has_oof = ~np.isnan(oof).any(axis=1)
    rows = np.flatnonzero(train)[has_oof]
    result.iloc[rows, :len(PROBA_COLUMNS)] = oof[has_oof]
    result.iloc[rows, len(PROBA_COLUMNS):] = oof[has_oof]
    held_out = labelled & ~train
    result.loc[held_out, OOF_COLUMNS] = final[held_out]
    return result, keep, doubts


# how unlikely (were the two models equally good) the split of the places only one of them
# gets right must be for the counts to decide twins_or_plain (else the log-loss does)
CLEAR_P = InferConfig.night_twins_clear_p


def sign_test_p(k: int, n: int) -> float:
    """P(at least k of n fair coin flips land one way): a one-sided exact sign test."""
    from math import comb
    return sum(comb(n, i) for i in range(k, n + 1)) / 2 ** n if n else 1.0


def twins_or_plain(features: pd.DataFrame, given: pd.Series, split: pd.Series,
                   plain: pd.DataFrame, twinned: pd.DataFrame,
                   work_min_p: float = InferConfig.work_min_p,
                   ties_by_log_loss: bool = True,
                   clear_p: float = CLEAR_P) -> tuple[pd.DataFrame, dict]:
    """The model trained with night-shift twins where its decided labels get clearly more
    training places right out-of-fold than the plain model's — or, ``ties_by_log_loss``,
    about as many with a lower out-of-fold log-loss — else the plain one; with the counts and
    losses. On a small fleet the twins' extra classes can cost more than they teach (a 30 x 7
    fleet lost its model to the 02:00 rule): the training vehicles decide, as they decide the
    labeller.

    "Clearly": the places only one of the two gets right split so unevenly that a sign test
    finds it unlikely (p < ``clear_p``) from two equally good models; 0 means any difference
    (runs made before session 36). One decision per vehicle moves few places, the
    probabilities move on all: counts alone tied on fleets where the twins were better
    (lives 80 x 28 seed 0: 1445 each; with the twins 3 more homes and 3 more works right of 80
    vehicles), and on a Riyadh fleet 809 against 807 kept the plain model — 4 places against
    2, a coin's doing — which put every alternating plant worker's work at "other" (the
    twins, lower in log-loss, found 7 of 8)."""
    graded = ((split == "train") & given.notna() & plain[OOF_COLUMNS].notna().all(axis=1)
              & twinned[OOF_COLUMNS].notna().all(axis=1)).to_numpy()
    hits = [(decide_labels(features[graded], p[graded], work_min_p) == given[graded]).to_numpy()
            for p in (plain, twinned)]
    right = [int(h.sum()) for h in hits]
    loss = [oof_log_loss(given[graded], p[graded]) for p in (plain, twinned)]
    only = [int((hits[0] & ~hits[1]).sum()), int((hits[1] & ~hits[0]).sum())]
    p_split = sign_test_p(max(only), sum(only))
    can_weigh = ties_by_log_loss and None not in loss
    if right[0] != right[1] and (clear_p <= 0 or not can_weigh or p_split < clear_p):
        used = right[1] > right[0]
    else:
        used = can_weigh and loss[1] < loss[0]
    return (twinned if used else plain), {"used": bool(used), "right_plain": right[0],
                                          "right_twins": right[1], "only_plain": only[0],
                                          "only_twins": only[1],
                                          "sign_test_p": round(p_split, 4),
                                          "log_loss_plain": loss[0],
                                          "log_loss_twins": loss[1]}


LOG_LOSS_FLOOR = 1e-6


def oof_log_loss(given: pd.Series, proba: pd.DataFrame) -> float | None:
    """Mean -ln p(given label) over the places' out-of-fold probabilities (each at least
    LOG_LOSS_FLOOR: one place a model was sure of wrongly must not outweigh a fleet), rounded
    to 6 places so the run's record repeats the comparison exactly; None without places."""
    if not len(given):
        return None
    at = np.array([CLASSES.index(c) for c in given])
    p = proba[OOF_COLUMNS].to_numpy(dtype=float)[np.arange(len(at)), at]
    return round(float(-np.mean(np.log(np.maximum(p, LOG_LOSS_FLOOR)))), 6)


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
    # one stable lexsort per decision on numpy keys (pandas' sort_values of string vehicle ids
    # cost ~25 ms a call, three calls a run); the same order: vehicle, then the keys below,
    # descending with NaN last, then place_id
    proba = proba.reindex(features.index)
    vehicle = pd.factorize(features["vehicle_id"], sort=True)[0]
    place = features["place_id"].to_numpy()
    if place.dtype.kind not in "iuf":
        place = pd.factorize(features["place_id"], sort=True)[0]
    p_home = proba["p_home"].round(12).to_numpy(dtype=float)
    p_work = proba["p_work"].round(12).to_numpy(dtype=float)
    dwell = features["total_dwell_h"].to_numpy(dtype=float)
    is_home = _first_per_vehicle(
        np.ones(len(place), dtype=bool), vehicle, place,
        [p_home, features["nights_0200_share"].to_numpy(dtype=float), dwell])
    is_work = _first_per_vehicle(
        ~is_home, vehicle, place,
        [p_work, features["weekday_day_share"].to_numpy(dtype=float), dwell])
    is_work &= p_work >= work_min_p
    label = np.where(is_home, "home", np.where(is_work, "work", "other"))
    return pd.Series(label, index=features.index, dtype=object)


def _first_per_vehicle(rows: np.ndarray, vehicle: np.ndarray, place: np.ndarray,
                       descending: list[np.ndarray]) -> np.ndarray:
    """Per vehicle, the one row among ``rows`` that sorts first by ``descending`` (largest
    first, NaN last), ties to the smallest place id: a mask over all rows."""
    at = np.flatnonzero(rows)
    # np.lexsort sorts by its last key first; -x ascending is x descending, NaN -> +inf last
    keys = [place[at]] + [np.where(np.isnan(k[at]), np.inf, -k[at]) for k in reversed(descending)]
    order = at[np.lexsort(keys + [vehicle[at]])]
    firsts = order[np.r_[True, vehicle[order][1:] != vehicle[order][:-1]]] if len(order) else order
    out = np.zeros(len(rows), dtype=bool)
    out[firsts] = True
    return out


def predictions_frame(features: pd.DataFrame, split, given, predicted,
                      proba: pd.DataFrame) -> pd.DataFrame:
    """A run's rows of the predictions table: per place its split, given and predicted label,
    and whichever probability columns ``proba`` holds (the rest NaN)."""
    frame = pd.DataFrame({"place_id": features["place_id"], "vehicle_id": features["vehicle_id"],
                          "split": split, "given_label": given, "predicted_label": predicted})
    for col in PROBA_COLUMNS + OOF_COLUMNS:
        frame[col] = proba[col].astype(float) if col in proba else np.nan
    return frame
