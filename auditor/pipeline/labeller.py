"""Which labeller produces a run's labels: the model, the 02:00 baseline, or the two stacked.

A run must never label worse than the 02:00 rule it is meant to improve on. On a small project
(a handful of vehicles, a week of data) the model learns little and the rule is better; on a
fleet with night shifts the model is far better. So each run asks the training vehicles which
labeller they support, out-of-fold, and keeps the baseline unless another one is better with a
margin the data can vouch for:

- every candidate labels the training places from out-of-fold probabilities (a model never
  grades its own training labels); the baseline is a rule and needs no folds;
- per training vehicle, gain = places a candidate gets right minus places the baseline gets
  right; vehicles are the independent units (a vehicle's places are not);
- a candidate replaces the baseline only if (a) the mean gain's lower bound, mean - Z * standard
  error, is above zero and (b) it is better on significantly more vehicles than it is worse
  (a one-sided sign test at ALPHA); among such candidates the highest lower bound wins. Z = 2
  and ALPHA = 0.025 both ask for about 97.5% one-sided confidence: a coin-flip advantage never
  wins, and neither do three lucky vehicles (whose spread says nothing: the sign test needs at
  least six wins without a loss).

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
from auditor.pipeline.model import (OOF_COLUMNS, PROBA_COLUMNS, decide_labels, vehicle_folds)

LABELLERS = ("model", "stacked", "baseline")
Z = 2.0
ALPHA = 0.025


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
    return LogisticRegression(C=1.0, max_iter=500).fit(Z_train, y)


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


def lower_bound(gain: np.ndarray, z: float = Z) -> float:
    """mean - z * standard error of per-vehicle gains; -inf with fewer than two vehicles."""
    if len(gain) < 2:
        return -np.inf
    return float(gain.mean() - z * gain.std(ddof=1) / np.sqrt(len(gain)))


def sign_test_p(gain: np.ndarray) -> float:
    """One-sided sign test: P(at least this many vehicles better | better and worse equally
    likely), vehicles with no difference left out."""
    wins, losses = int((gain > 0).sum()), int((gain < 0).sum())
    n = wins + losses
    if n == 0:
        return 1.0
    return sum(math.comb(n, i) for i in range(wins, n + 1)) / 2.0 ** n


def supported(gain: np.ndarray) -> float:
    """The candidate's lower bound when both tests support it, else -inf."""
    lb = lower_bound(gain)
    return lb if lb > 0 and sign_test_p(gain) <= ALPHA else -np.inf


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
    bounds = {name: lower_bound(g) for name, g in gains.items()}
    backed = {name: supported(g) for name, g in gains.items()}

    chosen = "baseline"
    if config.labeller != "auto":
        if config.labeller not in LABELLERS:
            raise ValueError(f"labeller must be auto or one of {LABELLERS}")
        chosen = config.labeller if config.labeller in candidates else "baseline"
    else:
        best = max(backed, key=lambda k: (backed[k], k == "model"), default=None)
        if best is not None and backed[best] > 0:
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
        "gain_lower_bound": {k: (None if not np.isfinite(v) else round(v, 4))
                             for k, v in bounds.items()},
        "sign_test_p": {k: round(sign_test_p(g), 4) for k, g in gains.items()},
        "vehicles_better_worse": {k: [int((g > 0).sum()), int((g < 0).sum())]
                                  for k, g in gains.items()},
        "rule": (f"out-of-fold on training vehicles: a labeller replaces the 02:00 baseline "
                 f"only if its per-vehicle gain is above zero by {Z:g} standard errors and "
                 f"it is better on significantly more vehicles than worse (sign test, "
                 f"p <= {ALPHA:g})"),
    }
    return Labelling(labels, out[PROBA_COLUMNS + OOF_COLUMNS], choice)
