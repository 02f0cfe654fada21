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
    given = frame["given"].to_numpy(dtype=object)
    is_home = given == "home"
    if not is_home.any():
        return None
    # plain Python pairs, not a merge of (Arrow) string columns: a few hundred rows, twice
    # per run and per labeller candidate, where pandas' per-call cost was most of the time
    vid = frame["vehicle_id"].to_numpy(dtype=object)
    pid = frame["place_id"].to_numpy(dtype=object)
    guessed_home = predicted.reindex(frame.index).to_numpy(dtype=object) == "home"
    guessed = set(zip(vid[guessed_home].tolist(), pid[guessed_home].tolist()))
    hits = sum(pair in guessed for pair in zip(vid[is_home].tolist(), pid[is_home].tolist()))
    return float(hits / int(is_home.sum()))
