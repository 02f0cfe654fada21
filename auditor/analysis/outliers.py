"""Places and vehicles whose features sit far from the fleet's.

An IsolationForest (scikit-learn, seeded) scores every place on its place features — among
the places of its predicted class (home against homes, work against workplaces, other
against the rest: a workplace is not odd for not being a home), pooled when a class has fewer
than MIN_GROUP places — and every vehicle on a few features of its driving (trips per day, km
per day, trip length and duration, places, dwell, "teleports" between trips). The most
isolated CONTAMINATION share of each group is named, most isolated first, with the features
that make it odd: robust z-scores ((value - group median) / (1.4826 * MAD), the MAD replaced
by IQR / 1.349 or the standard deviation when it is 0) of the top contributors. Score =
-score_samples (about 0.5 for an ordinary row, towards 1 for an isolated one)."""
from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pandas as pd

from auditor.analysis.words import feature_words
from auditor.geo import haversine_m

MAX_PLACES = 50
CONTAMINATION = 0.02   # the share of each group named: outliers are rare by definition
MIN_GROUP = 50
MAX_VEHICLES = 20
TOP_FEATURES = 3
VEHICLE_FEATURES = ["trips_per_day", "km_per_day", "median_trip_km", "median_trip_min",
                    "max_trip_km", "n_places", "median_dwell_h", "teleport_share"]


@contextlib.contextmanager
def _quiet_nan():
    """numpy warns (RuntimeWarning, printed by `auditor report`) for a column with no value at
    all — e.g. dwell times of a fleet with no stops; NaN is the answer we read there."""
    with warnings.catch_warnings():
        for message in ("All-NaN slice encountered", "Degrees of freedom <= 0",
                        "Mean of empty slice"):
            warnings.filterwarnings("ignore", message=message, category=RuntimeWarning)
        yield


def robust_z(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z-scores, column medians, which columns are flat) of a matrix; NaN stays NaN. A column
    is flat when its middle half is one value (MAD and IQR 0, up to rounding: values computed
    alike differ in the last bits, and a spread of 1e-16 made z -5e14): its z comes from the
    standard deviation of the few other values and runs into the hundreds, so the words say
    "as for most places" instead of a number."""
    with _quiet_nan():
        med = np.nanmedian(X, axis=0)
        tiny = 1e-9 * np.maximum(1.0, np.abs(np.nan_to_num(med)))  # spreads below: rounding
        mad = 1.4826 * np.nanmedian(np.abs(X - med), axis=0)
        iqr = (np.nanpercentile(X, 75, axis=0) - np.nanpercentile(X, 25, axis=0)) / 1.349
        scale = np.where(mad > tiny, mad, iqr)
        scale = np.where(scale > tiny, scale, np.nanstd(X, axis=0))
    scale = np.where(scale > tiny, scale, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(scale > 0, (X - med) / np.where(scale > 0, scale, 1), 0.0)
    return z, med, (mad <= tiny) & (iqr <= tiny)


def isolate(X: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(score = -score_samples, isolated mask) of rows; NaN filled with column medians."""
    from sklearn.ensemble import IsolationForest
    if len(X) < 8:
        return np.zeros(len(X)), np.zeros(len(X), dtype=bool)
    with np.errstate(all="ignore"), _quiet_nan():
        med = np.nanmedian(X, axis=0)
    X = np.where(np.isnan(X), np.where(np.isnan(med), 0.0, med), X)
    forest = IsolationForest(n_estimators=100, contamination=CONTAMINATION, random_state=seed)
    forest.fit(X)
    # predict(X) == -1 is score_samples(X) - offset_ < 0: scored once here, not twice
    samples = forest.score_samples(X)
    return -samples, (samples - forest.offset_) < 0


def _fmt(v: float) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.3g}"


def _entries(ids: np.ndarray, X: np.ndarray, cols: list[str], seed: int, limit: int,
             kind: str, vehicle_of=None, groups: np.ndarray | None = None
             ) -> tuple[list[dict], int]:
    score = np.zeros(len(X))
    isolated = np.zeros(len(X), dtype=bool)
    z = np.zeros_like(X)
    med = np.zeros_like(X)
    flat = np.zeros_like(X, dtype=bool)
    among = np.full(len(X), "", dtype=object)
    if groups is None:
        groups = np.full(len(X), "", dtype=object)
    sizes = pd.Series(groups).value_counts()
    groups = np.where(pd.Series(groups).map(sizes).to_numpy() >= MIN_GROUP, groups, "")
    for g in sorted(set(groups.tolist())):
        rows = np.flatnonzero(groups == g)
        score[rows], isolated[rows] = isolate(X[rows], seed)
        with np.errstate(all="ignore"):
            z[rows], m, f = robust_z(X[rows])
        med[rows], flat[rows] = m, f
        among[rows] = f" among {g} places" if g else ""
    order = np.flatnonzero(isolated)
    order = order[np.lexsort((ids[order], -score[order]))]
    out = []
    for i in order[:limit]:
        zi = np.nan_to_num(z[i], nan=0.0)
        top = np.argsort(-np.abs(zi), kind="stable")[:TOP_FEATURES]
        feats = [{"feature": cols[j], "value": float(X[i, j]) if np.isfinite(X[i, j]) else None,
                  "fleet_median": float(med[i, j]) if np.isfinite(med[i, j]) else None,
                  "robust_z": round(float(zi[j]), 2), "flat": bool(flat[i, j])}
                 for j in top if zi[j] != 0]
        words = ", ".join(f"{feature_words(f['feature'])} {_fmt(f['value'])} "
                          + (f"({_fmt(f['fleet_median'])} for most {kind}s)" if f["flat"] else
                             f"(median {_fmt(f['fleet_median'])}, z {f['robust_z']:+.1f})")
                          for f in feats)
        ident = str(ids[i])
        out.append({
            "kind": kind, "id": ident,
            "vehicle_id": vehicle_of(ident) if vehicle_of else ident,
            "place_id": ident if kind == "place" else None,
            "score": round(float(score[i]), 4), "features": feats,
            "reason": f"{kind} {ident} sits far from the fleet{among[i]}: "
                      f"{words or 'a rare mix of values'}",
            "suggested_flags": [{"target_kind": kind, "target_id": ident,
                                 "action": "bad_data"}],
        })
    return out, int(isolated.sum())


def place_outliers(features: pd.DataFrame, cols: list[str], seed: int = 0,
                   limit: int = MAX_PLACES) -> tuple[list[dict], int]:
    """Isolated places (``features``: place_id, vehicle_id + ``cols``, and optionally
    ``predicted_label``: each class is its own group)."""
    if features.empty or not cols:
        return [], 0
    X = features[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    vehicle = dict(zip(features["place_id"].astype(str), features["vehicle_id"].astype(str)))
    groups = (features["predicted_label"].fillna("").astype(str).to_numpy(dtype=object)
              if "predicted_label" in features else None)
    return _entries(features["place_id"].astype(str).to_numpy(), X, cols, seed, limit, "place",
                    vehicle.get, groups)


def vehicle_features(trips: pd.DataFrame, stops: pd.DataFrame,
                     places: pd.DataFrame) -> pd.DataFrame:
    """One row per vehicle with VEHICLE_FEATURES (trips: vehicle_id, start_ts, end_ts,
    start/end lat/lon; distance_m optional)."""
    if trips.empty:
        return pd.DataFrame(columns=["vehicle_id", *VEHICLE_FEATURES])
    t = trips.sort_values(["vehicle_id", "start_ts"], kind="mergesort")
    km = (t["distance_m"] if "distance_m" in t else haversine_m(
        t["start_lat"], t["start_lon"], t["end_lat"], t["end_lon"])) / 1000.0
    t = t.assign(km=np.asarray(km, dtype=float), mins=(t["end_ts"] - t["start_ts"]) / 60.0)
    v = t["vehicle_id"].to_numpy(str)
    same = np.r_[False, v[1:] == v[:-1]]
    gap = np.r_[np.nan, haversine_m(t["end_lat"].to_numpy()[:-1], t["end_lon"].to_numpy()[:-1],
                                    t["start_lat"].to_numpy()[1:], t["start_lon"].to_numpy()[1:])]
    t = t.assign(tele=np.where(same, gap > 1000.0, np.nan))
    g = t.groupby("vehicle_id")
    span_days = np.maximum((g["end_ts"].max() - g["start_ts"].min()) / 86_400.0, 1.0)
    out = pd.DataFrame({
        "trips_per_day": g.size() / span_days,
        "km_per_day": g["km"].sum() / span_days,
        "median_trip_km": g["km"].median(), "median_trip_min": g["mins"].median(),
        "max_trip_km": g["km"].max(), "teleport_share": g["tele"].mean(),
    })
    out["n_places"] = places.groupby("vehicle_id").size().reindex(out.index).fillna(0)
    dwell = (stops["end_ts"] - stops["start_ts"]) / 3600.0
    out["median_dwell_h"] = dwell.groupby(stops["vehicle_id"]).median().reindex(out.index)
    return out[VEHICLE_FEATURES].reset_index().rename(columns={"index": "vehicle_id"})


def vehicle_outliers(vfeats: pd.DataFrame, seed: int = 0,
                     limit: int = MAX_VEHICLES) -> tuple[list[dict], int]:
    if vfeats.empty:
        return [], 0
    X = vfeats[VEHICLE_FEATURES].to_numpy(dtype=float)
    return _entries(vfeats["vehicle_id"].astype(str).to_numpy(), X, VEHICLE_FEATURES, seed,
                    limit, "vehicle")
