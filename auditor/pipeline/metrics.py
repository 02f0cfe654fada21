"""Validation metrics of a run's labels against the given labels of validation vehicles."""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.classes import CLASSES


def label_metrics(given: pd.Series, predicted: pd.Series) -> dict:
    """Accuracy, per-class precision/recall/support and the confusion matrix (rows: given,
    columns: predicted, both in CLASSES order) over rows where ``given`` is set."""
    mask = given.notna().to_numpy()
    y = given.to_numpy(dtype=object)[mask]
    p = predicted.to_numpy(dtype=object)[mask]
    n = int(mask.sum())
    confusion = [[int(np.sum((y == g) & (p == q))) for q in CLASSES] for g in CLASSES]
    per_class = {}
    for i, c in enumerate(CLASSES):
        tp = confusion[i][i]
        predicted_c = sum(confusion[r][i] for r in range(len(CLASSES)))
        given_c = sum(confusion[i])
        per_class[c] = {"precision": tp / predicted_c if predicted_c else None,
                        "recall": tp / given_c if given_c else None,
                        "support": given_c}
    return {"n": n, "accuracy": float(np.mean(y == p)) if n else None,
            "per_class": per_class, "confusion": confusion, "classes": list(CLASSES)}


def vehicle_home_rate(frame: pd.DataFrame, predicted: pd.Series) -> float | None:
    """Share of vehicles with a given home whose predicted home is that very place."""
    homes = frame.loc[frame["given"] == "home", ["vehicle_id", "place_id"]]
    if homes.empty:
        return None
    guessed = frame.loc[predicted == "home", ["vehicle_id", "place_id"]]
    hit = homes.merge(guessed, on=["vehicle_id", "place_id"], how="left", indicator=True)
    return float((hit["_merge"] == "both").mean())
