"""Sample weights: upweight training samples that resemble the validation samples the model got
wrong, and the analysts' hard examples; optionally balance classes; scale to sum to n.

The rule, per training row (multipliers compound):
- near c misclassified validation samples -> x min(factor ** c, max_upweight), where "near" means
  among the k nearest training rows of that validation sample in the standardised feature space
  (scaler fit on the training rows; missing features sit at the training mean; ties broken by
  (distance, place_id));
- flagged model_wrong (hard example)      -> x hard_example_factor;
- balance_classes                          -> x n / (n_classes * n_label);
then every weight is multiplied by n / sum(weights) so they sum to the row count."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.neighbors import KDTree
from sklearn.preprocessing import StandardScaler

from auditor.export.config import ExportConfig

_TIE_SLACK = 8   # neighbours fetched beyond k, so ties at the k-th rarely need a radius query
_LEAF_SIZE = 256  # building the tree dominates (1M rows, few queries): shallower builds faster


@dataclass
class Weights:
    weights: np.ndarray        # float64, aligned with the training rows given
    reasons: list[str]         # human-readable, aligned likewise
    near_counts: np.ndarray    # misclassified validation samples each row is a neighbour of
    stats: dict                # sum/min/max/mean, effective sample size, counts


def standardise(train_X: np.ndarray, other_X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale both with a scaler fit on the training rows; NaN -> 0 (= the training mean)."""
    scaler = StandardScaler().fit(train_X)
    a = np.nan_to_num(scaler.transform(train_X), nan=0.0)
    b = np.nan_to_num(scaler.transform(other_X), nan=0.0) if len(other_X) else \
        np.empty((0, train_X.shape[1]))
    return a, b


def neighbour_counts(train_Z: np.ndarray, query_Z: np.ndarray, k: int) -> np.ndarray:
    """For each training row (in the order given, which is the tie-break order), how many query
    rows have it among their k nearest. Exact and deterministic under ties: every row within a
    hair of the k-th distance is a candidate, and candidates are ranked by (distance, row)."""
    n = len(train_Z)
    counts = np.zeros(n, dtype=np.int64)
    if n == 0 or len(query_Z) == 0:
        return counts
    k = min(k, n)
    wide = min(n, k + _TIE_SLACK)
    tree = KDTree(train_Z, leaf_size=_LEAF_SIZE)
    dist, idx = tree.query(query_Z, k=wide)
    window = dist[:, k - 1] * (1 + 1e-9) + 1e-12
    chosen = []
    for i, q in enumerate(query_Z):  # one step per validation error, not per row
        if wide == n or dist[i, -1] > window[i]:
            cand = idx[i][dist[i] <= window[i]]
        else:  # more than _TIE_SLACK rows tie with the k-th: ask the tree for all of them
            cand = tree.query_radius(q[None, :], r=window[i])[0]
        d2 = ((train_Z[cand] - q) ** 2).sum(axis=1)
        chosen.append(cand[np.lexsort((cand, d2))[:k]])
    np.add.at(counts, np.concatenate(chosen), 1)
    return counts


def _fmt(x: float) -> str:
    return format(float(x), ".3g")


def _reason_texts(near: np.ndarray, hard: np.ndarray, labels: np.ndarray,
                  balance: dict | None, config: ExportConfig) -> list[str]:
    """The reason string per row, formatted once per distinct (count, hard, label)."""
    keys = pd.DataFrame({"near": near, "hard": hard,
                         "label": labels if balance else np.zeros(len(near), dtype=np.int8)})
    groups = keys.groupby(["near", "hard", "label"], sort=True).ngroup().to_numpy()
    firsts = keys.drop_duplicates().copy()
    firsts["g"] = groups[firsts.index.to_numpy()]
    texts = {}
    for c, h, lab, g in firsts.itertuples(index=False, name=None):
        parts = ["base"]
        if c:
            each = _fmt(config.factor)
            capped = config.factor ** c > config.max_upweight
            noun = "sample" if c == 1 else "samples"
            cap = f", capped at x{_fmt(config.max_upweight)}" if capped else ""
            parts.append(f"near {c} misclassified validation {noun} (x{each} each{cap})")
        if h:
            parts.append(f"hard example (model_wrong flag) x{_fmt(config.hard_example_factor)}")
        if balance:
            parts.append(f"class balance x{_fmt(balance[lab])}")
        texts[g] = "; ".join(parts)
    return [texts[g] for g in groups.tolist()]


def compute_weights(train_X: np.ndarray, place_ids: np.ndarray, labels: np.ndarray,
                    hard: np.ndarray, misclassified_X: np.ndarray,
                    config: ExportConfig) -> Weights:
    """Weights for training rows (features ``train_X``; rows in any order)."""
    n = len(train_X)
    order = np.argsort(np.asarray(place_ids, dtype=str), kind="stable")
    train_Z, query_Z = standardise(np.asarray(train_X, dtype=float),
                                   np.asarray(misclassified_X, dtype=float))
    near = np.empty(n, dtype=np.int64)
    near[order] = neighbour_counts(train_Z[order], query_Z, config.k)

    log_cap = np.log(config.max_upweight)
    upweight = np.exp(np.minimum(near * np.log(config.factor), log_cap))
    hard = np.asarray(hard, dtype=bool)
    multiplier = upweight * np.where(hard, config.hard_example_factor, 1.0)
    balance = None
    labels = np.asarray(labels, dtype=object)
    if config.balance_classes and n:
        classes, counts = np.unique(labels.astype(str), return_counts=True)
        balance = {c: n / (len(classes) * m) for c, m in zip(classes.tolist(), counts.tolist())}
        multiplier = multiplier * pd.Series(labels).map(balance).to_numpy(dtype=float)
    total = float(multiplier.sum()) if n else 0.0
    scale = n / total if total > 0 else 1.0
    weights = multiplier * scale
    reasons = _reason_texts(near, hard, labels, balance, config) if n else []
    return Weights(weights, reasons, near, weight_stats(weights, near, hard, scale, balance))


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's (sum w)^2 / sum w^2: how many equally weighted samples these weights are worth."""
    sq = float(np.sum(np.square(weights)))
    return float(np.sum(weights)) ** 2 / sq if sq > 0 else 0.0


def weight_stats(weights: np.ndarray, near: np.ndarray, hard: np.ndarray, scale: float,
                 balance: dict | None) -> dict:
    n = len(weights)
    return {
        "rows": n,
        "sum": float(np.sum(weights)) if n else 0.0,
        "min": float(np.min(weights)) if n else None,
        "max": float(np.max(weights)) if n else None,
        "mean": float(np.mean(weights)) if n else None,
        "effective_sample_size": effective_sample_size(weights),
        "rows_near_validation_errors": int(np.count_nonzero(near)),
        "hard_example_rows": int(np.count_nonzero(hard)),
        "scale": float(scale),
        "class_balance": {k: float(v) for k, v in sorted(balance.items())} if balance else None,
    }
