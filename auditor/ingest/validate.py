"""Quarantine rules: which rows are refused, and why (one reason per row, first match wins).

Reasons are stable keys: summaries, the quarantine table and the GUI all use them."""
from __future__ import annotations

import numpy as np

from auditor.classes import GIVEN_LABELS
from auditor.geo import haversine_m

REASONS = (
    "missing_vehicle_id",
    "bad_timestamp",
    "missing_lat_lon",
    "lat_lon_out_of_range",
    "unknown_label",
    "duplicate_ping",
    "impossible_jump",
    "malformed_row",      # a CSV line with more fields than the header
)
CODE = {r: np.int8(i) for i, r in enumerate(REASONS)}
OK = np.int8(-1)
MAX_SPEED_KMH = 300.0
LABELS = GIVEN_LABELS


def mark(reason: np.ndarray, mask: np.ndarray, name: str) -> None:
    """Give ``name`` to rows in ``mask`` that have no reason yet."""
    reason[mask & (reason == OK)] = CODE[name]


def coordinate_rules(reason: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> None:
    missing = np.isnan(lat) | np.isnan(lon)
    mark(reason, missing, "missing_lat_lon")
    with np.errstate(invalid="ignore"):
        mark(reason, ~missing & ((np.abs(lat) > 90) | (np.abs(lon) > 180)), "lat_lon_out_of_range")


def glitches(vehicle: np.ndarray, ts: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pings far (> 300 km/h) from both neighbours, for rows sorted by (vehicle, ts).

    A single bad fix makes two impossible legs; we refuse the ping between them, not its good
    neighbours. At a vehicle's first (last) ping there is only one leg, so it is refused only
    when the next two (previous two) pings agree with each other. A real relocation (one
    impossible leg with agreeing pings on both sides) refuses nothing."""
    n = len(ts)
    if n < 2:
        return np.zeros(n, bool)
    same = vehicle[1:] == vehicle[:-1]
    hours = np.maximum(ts[1:] - ts[:-1], 1) / 3600.0  # same-second fixes: at least 1 s apart
    leg = same & (haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]) / 1000 / hours > MAX_SPEED_KMH)
    jump_in, jump_out = np.r_[False, leg], np.r_[leg, False]
    has_prev, has_next = np.r_[False, same], np.r_[same, False]
    interior = has_prev & has_next & jump_in & jump_out
    next_agrees = np.r_[(has_next & ~jump_out)[1:], False]
    prev_agrees = np.r_[False, (has_prev & ~jump_in)[:-1]]
    first = ~has_prev & jump_out & next_agrees
    last = ~has_next & jump_in & prev_agrees
    return interior | first | last


def counts(reason: np.ndarray) -> dict[str, int]:
    codes, n = np.unique(reason[reason != OK], return_counts=True)
    return {REASONS[int(c)]: int(k) for c, k in zip(codes, n)}
