"""The two-sample KS test when the samples come in clusters: places, grouped by vehicle.

scipy's KS p-value assumes independent values. A vehicle's places are not independent (a taxi
brings two hundred brief stops, a nurse a dozen night-shaped ones), so between a training and
a validation split drawn at random by vehicle the place-level test calls most features
"beyond sampling noise" — on a split that is random by construction. Here the p-value comes
from re-drawing the comparison the way it was made, whole vehicles at a time:

- ``paired=False`` (train vs validation, train vs unlabelled: each vehicle on one side): as many
  vehicles as the current side has are drawn at random from both sides' vehicles;
- ``paired=True`` (early vs recent window of the same vehicles): each vehicle's early and recent
  places trade sides, or not, by a coin flip.

p = (1 + permutations whose statistic reaches the observed one) / (1 + permutations), with a
fixed seed so a report is reproducible. Sequential (Besag & Clifford): it stops once
``STOP_AFTER`` permutations have reached the observed statistic, as the p-value is then
plainly large; only features near or beyond the threshold pay for every permutation.

The permuted statistic is the KS distance read at up to ``GRID`` points of the pooled sorted
values (all of them on a small fleet). The points depend on the pooled values only, so every
permutation is measured the same way and the test stays exact; the cost is permutations x
places through one sparse product, 0.06-0.1 s a feature at 100k places. The statistic reported is
the exact KS distance.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

PERMUTATIONS = 199
STOP_AFTER = 10
BLOCK = 50  # permutations per numpy pass
GRID = 512


def _distance(cur: np.ndarray, n_cur: np.ndarray, total: np.ndarray, n: int) -> np.ndarray:
    """KS distance per row from the current side's cumulative counts ``cur`` (rows, points)
    and its size; ``total``: both sides' cumulative counts. A draw that left a side empty
    tells nothing: it never counts as reaching the statistic."""
    n_cur = n_cur.reshape(-1, 1).astype(float)
    n_ref = n - n_cur
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.abs(cur / n_cur - (total[None, :] - cur) / n_ref).max(axis=1)
    return np.where((n_cur[:, 0] > 0) & (n_ref[:, 0] > 0), d, -np.inf)


def cluster_ks(reference: np.ndarray, current: np.ndarray, ref_clusters, cur_clusters,
               paired: bool = False, permutations: int = PERMUTATIONS,
               seed: int = 0) -> dict:
    """{"statistic", "pvalue", "permutations", "clusters"}: the KS statistic of the two samples
    and its p-value by permuting whole clusters (module docstring). Values must be finite;
    unpaired, each cluster lies on one side."""
    x = np.concatenate([np.asarray(reference, float), np.asarray(current, float)])
    is_cur = np.concatenate([np.zeros(len(reference), bool), np.ones(len(current), bool)])
    codes, uniques = pd.factorize(np.concatenate([np.asarray(ref_clusters, object),
                                                  np.asarray(cur_clusters, object)]))
    n, n_clusters = len(x), len(uniques)
    order = np.argsort(x, kind="stable")
    xs, codes, is_cur = x[order], codes[order], is_cur[order]
    ends = np.flatnonzero(np.append(xs[1:] != xs[:-1], True))  # last of each run of ties
    total_all = np.arange(1, n + 1)[ends]
    statistic = float(_distance(np.cumsum(is_cur)[ends][None, :], np.array([is_cur.sum()]),
                                total_all, n)[0])
    grid = ends if len(ends) <= GRID else np.unique(
        ends[np.linspace(0, len(ends) - 1, GRID).round().astype(int)])
    point = np.searchsorted(grid, np.arange(n))  # the first grid point at or after each value
    total = np.arange(1, n + 1)[grid]

    def counts(rows_mask: np.ndarray) -> sparse.csr_matrix:
        """clusters x grid points: how many of a cluster's values (those ``rows_mask`` keeps)
        first count at each point."""
        return sparse.csr_matrix((np.ones(int(rows_mask.sum())),
                                  (codes[rows_mask], point[rows_mask])),
                                 shape=(n_clusters, len(grid)))

    if paired:
        # a flipped cluster moves its current values out and its reference values in
        base_cur = np.cumsum(np.bincount(point[is_cur], minlength=len(grid)))
        moves = (counts(~is_cur) - counts(is_cur)).T.tocsr()
        size_move = (np.bincount(codes[~is_cur], minlength=n_clusters)
                     - np.bincount(codes[is_cur], minlength=n_clusters))

        def measure(side: np.ndarray) -> np.ndarray:
            cur = base_cur[None, :] + np.cumsum((moves @ side.T).T, axis=1)
            return _distance(cur, is_cur.sum() + side @ size_move, total, n)
        observed = measure(np.zeros((1, n_clusters)))[0]
    else:
        inc = counts(np.ones(n, bool)).T.tocsr()
        size = np.bincount(codes, minlength=n_clusters)
        side0 = np.zeros(n_clusters)
        side0[codes[is_cur]] = 1.0
        k = int(side0.sum())

        def measure(side: np.ndarray) -> np.ndarray:
            return _distance(np.cumsum((inc @ side.T).T, axis=1), side @ size, total, n)
        observed = measure(side0[None, :])[0]
    rng = np.random.default_rng(seed)
    reached, done = 0, 0
    while done < permutations and reached < STOP_AFTER:
        rows = min(BLOCK, permutations - done)
        if paired:
            side = (rng.random((rows, n_clusters)) < 0.5).astype(float)
        else:
            side = np.zeros((rows, n_clusters))
            np.put_along_axis(side, np.argsort(rng.random((rows, n_clusters)), axis=1)[:, :k],
                              1.0, axis=1)
        reached += int((measure(side) >= observed - 1e-12).sum())
        done += rows
    return {"statistic": statistic, "pvalue": (1 + reached) / (1 + done),
            "permutations": done, "clusters": n_clusters}
