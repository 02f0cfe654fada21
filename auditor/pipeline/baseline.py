"""The "where is it at 2 AM" baseline: a rule, no learning, run beside the model.

home = the vehicle's place parked over 02:00 local on most nights (ties: more dwell, then
place id); a vehicle never parked over 02:00 falls back to its place with most dwell.
work = the place with most weekday 10-16 dwell that is not home (none if that dwell is 0).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.classes import CLASSES


def baseline_labels(features: pd.DataFrame) -> pd.Series:
    """predicted_label per place (indexed like ``features``)."""
    f = features[["place_id", "vehicle_id", "nights_0200_share", "total_dwell_h",
                  "weekday_day_share"]]
    home_ids = (f.sort_values(["vehicle_id", "nights_0200_share", "total_dwell_h", "place_id"],
                              ascending=[True, False, False, True])
                .drop_duplicates("vehicle_id")["place_id"])
    is_home = f["place_id"].isin(home_ids)
    candidates = f[~is_home & (f["weekday_day_share"] > 0)]
    work_ids = (candidates.sort_values(["vehicle_id", "weekday_day_share", "total_dwell_h", "place_id"],
                                       ascending=[True, False, False, True])
                .drop_duplicates("vehicle_id")["place_id"])
    label = np.where(is_home, "home", np.where(f["place_id"].isin(work_ids), "work", "other"))
    return pd.Series(label, index=features.index, dtype=object)


def one_hot(labels: pd.Series) -> pd.DataFrame:
    """p_home/p_work/p_other as 1.0/0.0 for a rule's hard labels."""
    return pd.DataFrame({f"p_{c}": (labels == c).astype(float) for c in CLASSES}, index=labels.index)
