"""What a run records about itself so it can be listed, compared and repeated (issue 18):
validation and test figures, accuracy per population on both, a digest of its predictions
(a rerun proves byte-identity with it) and the version of the code that labels places.

Populations are the vehicle metadata values (columns with at most MAX_LEVELS values) and a
schedule slice read off the place features: is the vehicle's 02:00 place its most-visited
place (day schedule), another place (night shift), or is it never parked at 02:00?
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

import auditor
from auditor.pipeline.metrics import label_metrics, vehicle_home_rate

MAX_LEVELS = 20
SCHEDULE = {
    "night_place_is_most_visited": "02:00 place is the most-visited place",
    "night_place_differs": "02:00 place is not the most-visited place",
    "no_night_stay": "never parked at 02:00",
}
# the modules whose code decides a run's labels: their source is the run's code version
_CODE_PACKAGES = ("pipeline",)
_CODE_FILES = ("classes.py",)


@functools.lru_cache(maxsize=1)
def code_version() -> dict:
    """{"auditor": version, "pipeline_sha256": digest of the labelling code's source}. The
    digest changes with any edit to auditor/pipeline, released or not; None when the sources
    are not on disk (a frozen build: the version alone then names the code)."""
    root = Path(auditor.__file__).resolve().parent
    files = sorted(p for pkg in _CODE_PACKAGES for p in (root / pkg).glob("*.py"))
    files += [root / f for f in _CODE_FILES]
    h = hashlib.sha256()
    try:
        for p in files:
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")
        digest = h.hexdigest() if files else None
    except OSError:
        digest = None
    return {"auditor": auditor.__version__, "pipeline_sha256": digest}


DIGEST_COLUMNS = ["place_id", "vehicle_id", "split", "given_label", "predicted_label",
                  "p_home", "p_work", "p_other", "oof_p_home", "oof_p_work", "oof_p_other"]


def predictions_digest(frame: pd.DataFrame) -> str:
    """sha256 of a run's predictions (sorted by place, DIGEST_COLUMNS, floats at full precision,
    every missing value alike): equal digests mean byte-identical predictions, whether the
    frame is the one inference built or the one read back from the project."""
    f = frame[DIGEST_COLUMNS].sort_values("place_id", kind="mergesort").reset_index(drop=True)
    h = hashlib.sha256(",".join(DIGEST_COLUMNS).encode())
    for c in DIGEST_COLUMNS:
        v = f[c]
        if c.startswith(("p_", "oof_p_")):
            a = v.to_numpy(dtype=np.float64)
            a = np.where(np.isnan(a), np.float64("nan"), a)  # one NaN bit pattern
            h.update(np.ascontiguousarray(a).tobytes())
        else:
            h.update("\0".join("\x01" if x is None or (isinstance(x, float) and x != x)
                               else str(x) for x in v.tolist()).encode())
        h.update(b"\0\0")
    return h.hexdigest()


def stored_predictions_digest(conn, run_id: int) -> str:
    """predictions_digest of a run's rows as stored in the project."""
    frame = pd.read_sql_query(f"SELECT {', '.join(DIGEST_COLUMNS)} FROM predictions "
                              "WHERE run_id = ? ORDER BY place_id", conn, params=(int(run_id),))
    return predictions_digest(frame)


def vehicle_schedule(features: pd.DataFrame) -> pd.Series:
    """Per vehicle a SCHEDULE key, from its places' 02:00 share and visit counts (ties: the
    first place id)."""
    f = features[["vehicle_id", "place_id", "n_visits", "nights_0200_share"]]
    most = (f.sort_values(["vehicle_id", "n_visits", "place_id"], ascending=[True, False, True])
            .drop_duplicates("vehicle_id").set_index("vehicle_id")["place_id"])
    nights = f[f["nights_0200_share"].fillna(0) > 0]
    night = (nights.sort_values(["vehicle_id", "nights_0200_share", "place_id"],
                                ascending=[True, False, True])
             .drop_duplicates("vehicle_id").set_index("vehicle_id")["place_id"])
    night = night.reindex(most.index)
    label = np.where(night.isna(), "no_night_stay",
                     np.where(night == most, "night_place_is_most_visited",
                              "night_place_differs"))
    return pd.Series(label, index=most.index, name="schedule")


def population_keys(features: pd.DataFrame, vehicles: pd.DataFrame | None) -> dict[str, pd.Series]:
    """population name ("schedule", or a metadata column) -> value per row of ``features``."""
    vid = features["vehicle_id"]
    out = {"schedule": vid.map(vehicle_schedule(features)).fillna("no_night_stay")}
    if vehicles is not None and len(vehicles):
        meta = vehicles.set_index("vehicle_id")
        for col in sorted(c for c in meta.columns):
            values = meta[col].map(lambda v: "" if v is None or (isinstance(v, float) and v != v)
                                   else str(v))
            if values.nunique() <= MAX_LEVELS:
                out[col] = vid.map(values).fillna("")
    return out


def _acc(ok: np.ndarray) -> tuple[int, float | None]:
    n = int(len(ok))
    return n, (float(int(ok.sum()) / n) if n else None)


def population_accuracy(keys: dict[str, pd.Series], split: pd.Series, given: pd.Series,
                        pred: pd.Series) -> list[dict]:
    """One row per (population, value): validation and test n / accuracy."""
    # numpy object arrays: comparisons of (Arrow) string Series cost ~0.5 ms each, and there
    # are a few per population value
    labelled = given.notna().to_numpy()
    ok = (given.to_numpy(dtype=object) == pred.reindex(given.index).to_numpy(dtype=object))
    ok, where = ok[labelled], split.reindex(given.index).to_numpy(dtype=object)[labelled]
    in_split = {s: where == s for s in ("validation", "test")}
    rows = []
    for name, key in keys.items():
        k = key.reindex(given.index).to_numpy(dtype=object)[labelled]
        for value in sorted(set(k.tolist()), key=str):
            row = {"population": name, "value": str(value)}
            in_pop = k == value
            for s in ("validation", "test"):
                n, a = _acc(ok[in_pop & in_split[s]])
                row[f"{s}_n"], row[f"{s}_accuracy"] = n, a
            rows.append(row)
    return rows


def split_figures(features: pd.DataFrame, given: pd.Series, split: pd.Series,
                  pred: pd.Series, which: str) -> dict:
    """label_metrics + home_place_rate on one split's labelled places."""
    rows = split == which
    m = label_metrics(given[rows], pred[rows])
    ident = pd.DataFrame({"vehicle_id": features["vehicle_id"], "place_id": features["place_id"],
                          "given": given})[rows]
    m["home_place_rate"] = vehicle_home_rate(ident, pred[rows])
    return m


def run_extras(features: pd.DataFrame, vehicles: pd.DataFrame | None, frame: pd.DataFrame,
               keys: dict[str, pd.Series] | None = None) -> dict:
    """Metrics a run adds beside its validation figures, from its predictions ``frame``
    (aligned with ``features``): test figures, populations, predictions digest. ``keys``:
    population_keys(features, vehicles) when the caller has them (infer's two runs share
    them: ~60 ms each)."""
    given, split = frame["given_label"], frame["split"]
    pred = frame["predicted_label"]
    test = split_figures(features, given, split, pred, "test")
    if keys is None:
        keys = population_keys(features, vehicles)
    return {
        "test": {k: test[k] for k in ("n", "accuracy", "per_class", "confusion",
                                      "home_place_rate")},
        "test_accuracy": test["accuracy"],
        "by_population": population_accuracy(keys, split, given, pred),
        "predictions_sha256": predictions_digest(frame),
    }
