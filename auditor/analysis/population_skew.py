"""Population skew: does one population's places look different from everyone else's?

A data fault (a firmware that stamps local time as UTC) shifts the features of one population
even when the model copes and makes few errors, so the error tree alone can miss it. For each
value of each categorical metadata column (with at least MIN_VEHICLES vehicles) and each
predicted place class (home, work), the population's feature distribution is compared with the
rest of the fleet's places of the same class (same class, so a population with more work
places does not look skewed): Wasserstein distance in units of the feature's std over all
places (a per-class std is ~0 for features like dist_to_top_place_m of homes, which would
turn any noise into an infinite shift), flag >= 0.1 as for skew.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from auditor.analysis.skew import WASSERSTEIN_FLAG

MIN_VEHICLES = 3
CLASSES = ("home", "work")


def _loudest_first(r: dict) -> tuple:
    """Largest shift first; at an equal shift the smaller population. A column with two values
    compares each with the other, so both get the same distance: the population that stands
    out is the minority (a quarter of the fleet on a faulty firmware), not the rest."""
    w = r["wasserstein_std"]
    return (-round(w, 9) if np.isfinite(w) else -np.inf, r["n_population"])


def population_skew(features: pd.DataFrame, predicted: pd.Series, meta: pd.DataFrame,
                    feature_cols: list[str], categorical: list[str], top: int = 50) -> dict:
    """``features``: place_id, vehicle_id + feature_cols; ``predicted``: place_id -> label.
    Returns the ``top`` largest shifts (value, threshold, n for each) and the best per column
    value."""
    scale = features[feature_cols].astype(float).std(ddof=0)
    f = features.assign(cls=features["place_id"].map(predicted))
    f = f[f["cls"].isin(CLASSES)].merge(meta, on="vehicle_id", how="left")
    rows = []
    for col in categorical:
        values = f[col].fillna("").astype(str)
        n_veh = f.groupby(values)["vehicle_id"].nunique()
        for value in sorted(n_veh[n_veh >= MIN_VEHICLES].index):
            inside = (values == value).to_numpy()
            if inside.all():
                continue
            for cls in CLASSES:
                is_cls = (f["cls"] == cls).to_numpy()
                a, b = f[inside & is_cls], f[~inside & is_cls]
                if len(a) < MIN_VEHICLES or len(b) < MIN_VEHICLES:
                    continue
                for feat in feature_cols:
                    x = a[feat].to_numpy(dtype=float)
                    y = b[feat].to_numpy(dtype=float)
                    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
                    if x.size == 0 or y.size == 0:
                        continue
                    sd = float(scale[feat])
                    w = float(stats.wasserstein_distance(y, x))
                    w_std = w / sd if sd > 0 else (0.0 if w == 0 else float("inf"))
                    rows.append({"column": col, "value": value, "place_class": cls,
                                 "feature": feat, "wasserstein_std": w_std,
                                 "threshold": WASSERSTEIN_FLAG,
                                 "population_mean": float(x.mean()), "rest_mean": float(y.mean()),
                                 "n_population": int(x.size), "n_rest": int(y.size),
                                 "flag": bool(w_std >= WASSERSTEIN_FLAG)})
    rows.sort(key=lambda r: (*_loudest_first(r), r["column"], r["value"], r["place_class"],
                             r["feature"]))
    # per population: its largest shift, so one loud feature does not hide other populations
    best: dict = {}
    for r in rows:
        best.setdefault((r["column"], r["value"]), r)
    ranked_pops = sorted(best.values(), key=_loudest_first)
    return {"method": "Wasserstein / fleet std of the feature, same predicted place class",
            "min_vehicles": MIN_VEHICLES, "top": rows[:top],
            "by_population": [{"column": r["column"], "value": r["value"],
                               "feature": r["feature"], "place_class": r["place_class"],
                               "wasserstein_std": r["wasserstein_std"],
                               "threshold": r["threshold"], "flag": r["flag"]}
                              for r in ranked_pops]}
