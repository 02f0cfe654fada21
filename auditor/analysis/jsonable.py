"""Turning frames and numpy values into plain JSON values (None for NaN: JSON has no NaN)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def plain(v):
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(float(v)) or math.isinf(float(v)) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
