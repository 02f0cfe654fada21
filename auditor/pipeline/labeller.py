"""Which labeller produces a run's labels: the model, the 02:00 baseline, or the two stacked.

A run should not label worse than the 02:00 rule it is meant to improve on. On a small project
(a handful of vehicles, a week of data) the model learns little and the rule is better; on a
fleet with night shifts the model is far better. So each run asks the training vehicles which
labeller gets more of their labels right, out-of-fold:

- every candidate labels the training places from out-of-fold probabilities (a model never
  grades its own training labels); the baseline is a rule and needs no folds;
- per training vehicle, gain = places a candidate gets right minus places the baseline gets
  right; vehicles are the independent units (a vehicle's places are not);
- a candidate replaces the baseline if its total gain is positive (more training places right
  out-of-fold; a tie keeps the rule); among those the largest mean gain wins, the model on a
  tie. A paired sign-flip (permutation) test over the vehicles is computed and reported
  beside the choice, as how sure the choice is — it no longer decides it.

Why no significance bar (session 25, bench/labeller_choice.py, 39 generated fleets of both
generators): requiring p <= 0.05 kept the rule on 14 fleets where a model got more training
places right; choosing by the count instead made test accuracy better on 12 of them, worse on
none (80 x 14, 21 training vehicles, p = 0.085: 83.7% -> 100%), and home within 150 m of truth
better on 10, worse on 1 (one vehicle of a 12 x 7 fleet). The tiny fleets where the rule wins
(8 x 4) are exactly those where it also wins out-of-fold.

Validation vehicles play no part in the choice (nor in the model the choice applies to), so
the validation accuracy reported for the chosen labeller is an honest estimate.

The stacked labeller is a small multinomial logistic regression over the model's out-of-fold
probabilities and the baseline's decision (is it the 02:00 home, the weekday work place): it
can keep the rule where the rule is right and follow the model where the rule is blind (night
shifts), and it has few enough coefficients to learn from a handful of vehicles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from auditor.pipeline.baseline import CLASSES, one_hot
from auditor.pipeline.config import InferConfig
from auditor.pipeline.model import OOF_COLUMNS, PROBA_COLUMNS, decide_labels, vehicle_folds

LABELLERS = ("model", "stacked", "baseline")


@dataclass
class Labelling:
    labels: pd.Series          # predicted label per place
    proba: pd.DataFrame        # p_* of the chosen labeller, oof_p_* of the model
    choice: dict               # recorded in the run's metrics as "labeller"


def _stack_inputs(p_model: np.ndarray, base: pd.Series) -> np.ndarray:
    clipped = np.clip(p_model, 1e-3, 1.0)
    return np.column_stack([np.log(clipped), (base == "home").to_numpy(float),
                            (base == "work").to_numpy(float)])


def _stacker(Z_train: np.ndarray, y: np.ndarray):
    present = sorted(set(y))
    if len(present) < 2:
        return present[0] if present else None
    # newton-cholesky: the same convex fit as lbfgs on five inputs, some 15x faster
    return LogisticRegression(C=1.0, max_iter=500, solver="newton-cholesky").fit(Z_train, y)


def _stack_predict(model, Z_rows: np.ndarray) -> np.ndarray:
    out = np.zeros((len(Z_rows), len(CLASSES)))
    if model is None:
        return np.full_like(out, 1.0 / len(CLASSES))
    if isinstance(model, str):
        out[:, CLASSES.index(model)] = 1.0
        return out
    proba = model.predict_proba(Z_rows)
    for j, c in enumerate(model.classes_):
        out[:, CLASSES.index(c)] = proba[:, j]
    return out


def _per_vehicle_correct(vehicles: pd.Series, given: pd.Series, pred: pd.Series) -> pd.Series:
    return (given == pred).groupby(vehicles).sum().astype(float)


EXACT_UP_TO = 16   # vehicles with a gain: all 2^n sign patterns; beyond, the normal tail


def permutation_p(gain: np.ndarray) -> float:
    """One-sided paired sign-flip test over vehicles: if a candidate were no better than the
    baseline, each vehicle's gain would be as likely negative as positive; p is the share of
    the 2^n sign patterns whose total gain reaches the observed one (exact up to EXACT_UP_TO
    vehicles with a gain, else the normal tail of that same distribution, whose variance is
    sum(gain^2)). Unlike a t-test it needs no spread estimate: three vehicles each one place
    better give p = 1/8, not certainty."""
    g = np.asarray(gain, dtype=float)
    g = g[g != 0]
    if not len(g):
        return 1.0
    total = g.sum()
    if len(g) <= EXACT_UP_TO:
        size = np.abs(g)
        if np.array_equal(size, np.round(size)) and size.sum() <= MAX_COUNTED_GAIN:
            return _sign_patterns_reaching(size.astype(np.int64), total) / 2 ** len(g)
        signs = ((np.arange(2 ** len(g))[:, None] >> np.arange(len(g))) & 1) * 2 - 1
        sums = signs @ size
        return float(np.mean(sums >= total - 1e-9))
    z = total / math.sqrt(float((g ** 2).sum()))
    return 0.5 * math.erfc(z / math.sqrt(2))


MAX_COUNTED_GAIN = 100_000  # gains are whole places: counted, never anywhere near this


def _sign_patterns_reaching(size: np.ndarray, total: float) -> int:
    """How many of the 2^n sign patterns s give sum(s * size) >= total, for whole-number sizes:
    a pattern's sum is 2 * (the sizes signed +) - sum(size), so count the subsets by their sum
    (a subset-sum table, n additions) instead of listing 2^n patterns (65,536 x 16 at n = 16,
    some 13 ms per call). The same count as listing them, so the same p."""
    ways = np.zeros(int(size.sum()) + 1, dtype=np.int64)
    ways[0] = 1
    for a in size.tolist():
        if a:
            ways[a:] = ways[a:] + ways[:-a]
    sums = 2 * np.arange(len(ways)) - int(size.sum())
    return int(ways[sums >= total - 1e-9].sum())


def supported(gain: np.ndarray) -> bool:
    """Does the training-vehicle evidence back a candidate over the baseline: more training
    places right out-of-fold (module docstring: why not a significance bar)."""
    return bool(np.sum(gain) > 0)


def label_places(features: pd.DataFrame, given: pd.Series, split: pd.Series,
                 proba: pd.DataFrame, base_pred: pd.Series, config: InferConfig,
                 seed: int) -> Labelling:
    """The run's labels. ``proba``: model.train_and_predict's (training p_* out-of-fold)."""
    train = ((split == "train") & given.notna()
             & proba[OOF_COLUMNS].notna().all(axis=1)).to_numpy()  # graded out-of-fold only
    f_train = features[train]
    vehicles = f_train["vehicle_id"]
    y = given[train]
    p_model = proba[PROBA_COLUMNS].to_numpy(dtype=float)

    # the stacker, cross-fitted on the same kind of vehicle folds as the model
    Zs = _stack_inputs(p_model, base_pred)
    stacked_train = np.full((int(train.sum()), len(CLASSES)), np.nan)
    if train.any():
        folds = vehicle_folds(vehicles, seed, config.oof_folds).to_numpy()
        for fold in np.unique(folds):
            held = folds == fold
            if held.all():
                continue
            stacked_train[held] = _stack_predict(
                _stacker(Zs[train][~held], y.to_numpy()[~held]), Zs[train][held])
    stacked_ok = ~np.isnan(stacked_train).any(axis=1)

    candidates = {
        "model": decide_labels(f_train, proba[train], config.work_min_p),
        "baseline": base_pred[train],
    }
    if stacked_ok.all() and train.any():
        frame = pd.DataFrame(stacked_train, index=f_train.index, columns=PROBA_COLUMNS)
        candidates["stacked"] = decide_labels(f_train, frame, config.work_min_p)
    correct = {name: _per_vehicle_correct(vehicles, y, pred) for name, pred in candidates.items()}
    n_places = int(train.sum())
    accuracy = {name: (float(c.sum() / n_places) if n_places else None)
                for name, c in correct.items()}
    gains = {name: (correct[name] - correct["baseline"]).to_numpy()
             for name in candidates if name != "baseline"}
    backed = {name: float(g.mean()) for name, g in gains.items() if supported(g)}

    chosen = "baseline"
    if config.labeller != "auto":
        if config.labeller not in LABELLERS:
            raise ValueError(f"labeller must be auto or one of {LABELLERS}")
        chosen = config.labeller if config.labeller in candidates else "baseline"
    else:
        best = max(backed, key=lambda k: (backed[k], k == "model"), default=None)
        if best is not None:
            chosen = best

    out = proba.copy()
    if chosen == "baseline":
        out[PROBA_COLUMNS] = one_hot(base_pred)[PROBA_COLUMNS].to_numpy()
        labels = base_pred.copy()
    else:
        if chosen == "stacked":
            stacked = _stack_predict(_stacker(Zs[train], y.to_numpy()), Zs)
            stacked[np.flatnonzero(train)] = stacked_train
            out[PROBA_COLUMNS] = stacked
        labels = decide_labels(features, out, config.work_min_p)
    choice = {
        "chosen": chosen,
        "forced": config.labeller != "auto",
        "training_vehicles": int(vehicles.nunique()),
        "training_places": n_places,
        "oof_accuracy": accuracy,
        "mean_gain_places": {k: round(float(g.mean()), 4) if len(g) else None
                             for k, g in gains.items()},
        "p_value": {k: round(permutation_p(g), 4) for k, g in gains.items()},
        "vehicles_better_worse": {k: [int((g > 0).sum()), int((g < 0).sum())]
                                  for k, g in gains.items()},
        "rule": ("out-of-fold on training vehicles: a labeller replaces the 02:00 baseline "
                 "if it gets more of their places right (p: a paired sign-flip test over the "
                 "vehicles, how sure that is)"),
    }
    return Labelling(labels, out[PROBA_COLUMNS + OOF_COLUMNS], choice)
