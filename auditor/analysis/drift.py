"""Spatial drift: where the fleet parks in the first half of the data vs the second half.

Occupancy of a grid cell (default 0.01 deg, ~1 km) = parked hours of stops that START in the
cell during the period, as a share of the period's parked hours (so a longer period or a bigger
fleet does not show as drift). change = share_second - share_first; a map layer draws it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CELL_DEG = 0.01


def spatial_drift(stops: pd.DataFrame, cell_deg: float = CELL_DEG) -> dict:
    """``stops``: lat, lon, start_ts, end_ts. Cells sorted by |change| (largest first)."""
    out = {"cell_deg": cell_deg, "split_ts": None, "first_period": None, "second_period": None,
           "total_abs_change": None, "cells": []}
    if stops.empty:
        return out
    t0, t1 = int(stops["start_ts"].min()), int(stops["end_ts"].max())
    mid = t0 + (t1 - t0) // 2
    s = pd.DataFrame({
        "i": np.floor(stops["lat"].to_numpy(dtype=float) / cell_deg).astype(np.int64),
        "j": np.floor(stops["lon"].to_numpy(dtype=float) / cell_deg).astype(np.int64),
        "hours": (stops["end_ts"] - stops["start_ts"]).to_numpy(dtype=float) / 3600,
        "second": (stops["start_ts"] >= mid).to_numpy(),
    })
    hours = s.pivot_table(index=["i", "j"], columns="second", values="hours", aggfunc="sum",
                          fill_value=0.0).reindex(columns=[False, True], fill_value=0.0)
    first, second = hours[False], hours[True]
    share_first = first / first.sum() if first.sum() > 0 else first * 0
    share_second = second / second.sum() if second.sum() > 0 else second * 0
    cells = pd.DataFrame({
        "first_hours": first, "second_hours": second,
        "first_share": share_first, "second_share": share_second,
        "change": share_second - share_first,
    }).reset_index()
    cells["lat_min"] = cells["i"] * cell_deg
    cells["lat_max"] = (cells["i"] + 1) * cell_deg
    cells["lon_min"] = cells["j"] * cell_deg
    cells["lon_max"] = (cells["j"] + 1) * cell_deg
    cells["abs_change"] = cells["change"].abs()
    cells = cells.sort_values(["abs_change", "i", "j"], ascending=[False, True, True],
                              kind="mergesort")
    cols = ["lat_min", "lat_max", "lon_min", "lon_max", "first_hours", "second_hours",
            "first_share", "second_share", "change"]
    out.update(split_ts=mid, first_period=[t0, mid], second_period=[mid, t1],
               total_abs_change=float(cells["abs_change"].sum()),
               cells=[{k: float(v) for k, v in rec.items()}
                      for rec in cells[cols].round(6).to_dict("records")])
    # grid edges rounded: 0.01 * 4123 is 41.230000000000004 in floating point
    return out
