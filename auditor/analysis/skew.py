"""Distribution skew of one sample against a reference, per feature.

Every result carries the value, the threshold and the sample sizes, not only a verdict:
- numeric: Wasserstein distance divided by the reference's standard deviation (flag >= 0.1;
  scale-free, so one threshold fits dwell hours and shares alike), the two-sample KS statistic
  and its p-value (for values grouped by vehicle, by permuting whole vehicles: cluster_ks),
  and PSI over bins frozen from the reference's deciles (0.1 warn, 0.25 alert);
- categorical: Jensen-Shannon distance (base 2, in [0, 1]; flag >= 0.1), PSI over the
  reference's categories, and categories never seen in the reference.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

from auditor.analysis.cluster_ks import cluster_ks

WASSERSTEIN_FLAG = 0.1
JS_FLAG = 0.1
PSI_WARN, PSI_ALERT = 0.1, 0.25
PSI_BINS = 10
KS_ALPHA = 0.05
PSI_EPS = 1e-4  # floor for empty bins: PSI is infinite otherwise


def frozen_bins(reference: np.ndarray, bins: int = PSI_BINS) -> np.ndarray:
    """Inner bin edges at the reference's quantiles (duplicates dropped for point masses).
    Values are assigned with ``np.searchsorted(edges, x, side='right')`` so the outer bins are
    open-ended and a later sample's range never changes the bins."""
    ref = reference[~np.isnan(reference)]
    if ref.size == 0:
        return np.array([])
    qs = np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(qs)


def psi(reference_share: np.ndarray, current_share: np.ndarray, eps: float = PSI_EPS) -> float:
    """Population stability index: sum (c - r) * ln(c / r) with shares floored at eps."""
    r = np.maximum(np.asarray(reference_share, dtype=float), eps)
    c = np.maximum(np.asarray(current_share, dtype=float), eps)
    return float(np.sum((c - r) * np.log(c / r)))


def binned_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(edges, values, side="right")
    counts = np.bincount(idx, minlength=len(edges) + 1).astype(float)
    return counts / counts.sum() if counts.sum() else counts


def psi_level(value: float | None) -> str | None:
    if value is None:
        return None
    return "alert" if value >= PSI_ALERT else "warn" if value >= PSI_WARN else "ok"


def numeric_skew(reference, current, bins: int = PSI_BINS, clusters=None,
                 paired: bool = False) -> dict:
    """``clusters``: (the reference's, the current's) cluster per value — places' vehicles —
    for a KS p-value by permuting whole clusters (cluster_ks; ``paired``: both sides hold the
    same clusters); without it, scipy's, which takes every value as independent."""
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    ref_ok, cur_ok = ~np.isnan(ref), ~np.isnan(cur)
    ref, cur = ref[ref_ok], cur[cur_ok]
    out = {"kind": "numeric", "n_reference": int(ref.size), "n_current": int(cur.size),
           "wasserstein": None, "wasserstein_std": None, "wasserstein_threshold": WASSERSTEIN_FLAG,
           "ks": None, "ks_pvalue": None, "psi": None, "psi_thresholds": [PSI_WARN, PSI_ALERT],
           "psi_level": None, "flag": False}
    if ref.size == 0 or cur.size == 0:
        out["note"] = "no values to compare"
        return out
    w = float(stats.wasserstein_distance(ref, cur))
    sd = float(np.std(ref))
    # a constant reference: any movement is total skew, none is none
    w_std = w / sd if sd > 0 else (0.0 if w == 0 else float("inf"))
    if clusters is None:
        ks = _ks(ref, cur)
        ks_stat, ks_p, test = float(ks.statistic), float(ks.pvalue), {"method": "values"}
    else:
        got = cluster_ks(ref, cur, np.asarray(clusters[0], object)[ref_ok],
                         np.asarray(clusters[1], object)[cur_ok], paired=paired)
        ks_stat, ks_p = got["statistic"], got["pvalue"]
        test = {"method": "paired cluster permutation" if paired else "cluster permutation",
                "permutations": got["permutations"], "clusters": got["clusters"]}
    edges = frozen_bins(ref, bins)
    value = psi(binned_shares(ref, edges), binned_shares(cur, edges))
    out.update(wasserstein=w, wasserstein_std=w_std, ks=ks_stat, ks_pvalue=ks_p, ks_test=test,
               # with a few validation vehicles, 0.1 std is within noise: say so beside the flag
               ks_significant=bool(ks_p < KS_ALPHA), psi=value, psi_level=psi_level(value),
               psi_bin_edges=[float(e) for e in edges],
               flag=bool(w_std >= WASSERSTEIN_FLAG or value >= PSI_WARN))
    return out


def _ks(ref: np.ndarray, cur: np.ndarray):
    # Two near-identical samples of a few hundred values make scipy's exact p-value fail; it
    # then uses the asymptotic one (p ~ 1, right) but warns on the user's terminal mid-report.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="ks_2samp: Exact calculation unsuccessful",
                                category=RuntimeWarning)
        return stats.ks_2samp(ref, cur)


def categorical_skew(reference, current) -> dict:
    ref = pd.Series(reference, dtype=object).fillna("").astype(str)
    cur = pd.Series(current, dtype=object).fillna("").astype(str)
    out = {"kind": "categorical", "n_reference": int(ref.size), "n_current": int(cur.size),
           "js_distance": None, "js_threshold": JS_FLAG, "psi": None,
           "psi_thresholds": [PSI_WARN, PSI_ALERT], "psi_level": None,
           "new_categories": [], "flag": False}
    if ref.empty or cur.empty:
        out["note"] = "no values to compare"
        return out
    cats = sorted(set(ref) | set(cur))
    r = ref.value_counts().reindex(cats, fill_value=0).to_numpy(dtype=float)
    c = cur.value_counts().reindex(cats, fill_value=0).to_numpy(dtype=float)
    r, c = r / r.sum(), c / c.sum()
    js = float(jensenshannon(r, c, base=2))
    value = psi(r, c)
    new = sorted(set(cur) - set(ref))
    out.update(js_distance=js, psi=value, psi_level=psi_level(value), new_categories=new,
               flag=bool(js >= JS_FLAG or value >= PSI_WARN or new))
    return out


def compare_frames(reference: pd.DataFrame, current: pd.DataFrame,
                   numeric: list[str], categorical: list[str], cluster: str | None = None,
                   paired: bool = False) -> list[dict]:
    """One result per column, numeric then categorical, in the given order. ``cluster``: the
    column whose values group the rows (places' vehicle_id): numeric KS p-values then permute
    whole groups (numeric_skew)."""
    rows = []
    clusters = None if cluster is None else (reference[cluster], current[cluster])
    for col in numeric:
        rows.append({"feature": col, **numeric_skew(reference[col], current[col],
                                                    clusters=clusters, paired=paired)})
    for col in categorical:
        rows.append({"feature": col, **categorical_skew(reference[col], current[col])})
    return rows
