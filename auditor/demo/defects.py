"""What makes real exports messy, applied to one vehicle's clean pings: GPS noise, tunnels
(minutes of missing pings mid-trip), GPS jumps (one ping kilometres away), duplicated rows,
rare invalid rows, and the hidden fault — a firmware that writes local wall time as UTC."""
from __future__ import annotations

import numpy as np

from auditor.demo.cities import utc_offsets

GAP_TRIP_P = 0.08          # share of trips longer than GAP_MIN_TRIP_S that pass a tunnel
GAP_MIN_TRIP_S = 15 * 60
GAP_S = (120.0, 330.0)
JUMP_P = 1 / 2000          # per ping
JUMP_M = (2_000.0, 15_000.0)
DUPLICATE_P = 1 / 250
INVALID_P = 1 / 15_000


def trip_ends(trip: np.ndarray) -> np.ndarray:
    """True for the first and the last ping of each trip."""
    change = trip[1:] != trip[:-1]
    return np.r_[True, change] | np.r_[change, True]


def add_gps_noise(rng, xy: np.ndarray, sigma_m: float) -> np.ndarray:
    return xy + rng.normal(0.0, sigma_m, xy.shape)


def tunnel_mask(rng, t: np.ndarray, trip: np.ndarray, depart: np.ndarray,
                duration: np.ndarray) -> np.ndarray:
    """True for pings lost in a tunnel: one window of a few minutes inside some long trips."""
    n = len(depart)
    has_gap = (rng.random(n) < GAP_TRIP_P) & (duration > GAP_MIN_TRIP_S)
    start = depart + rng.uniform(0.2, 0.5, n) * duration
    # the car is seen again before it arrives: the trip's end is never lost
    end = np.minimum(start + rng.uniform(*GAP_S, n), depart + duration - 60)
    start = np.where(has_gap, start, np.inf)
    return (t >= start[trip]) & (t <= end[trip])


def add_jumps(rng, xy: np.ndarray, trip: np.ndarray) -> np.ndarray:
    """Moves single mid-trip pings kilometres away, in place; returns which."""
    jump = (rng.random(len(xy)) < JUMP_P) & ~trip_ends(trip)
    k = int(jump.sum())
    dist = rng.uniform(*JUMP_M, k)
    ang = rng.uniform(0, 2 * np.pi, k)
    xy[jump] += np.c_[dist * np.cos(ang), dist * np.sin(ang)]
    return jump


def spoil_rows(rng, lat: np.ndarray, lon: np.ndarray) -> int:
    """A rare row with latitude out of range or no position at all, in place; returns how many."""
    bad = np.flatnonzero(rng.random(len(lat)) < INVALID_P)
    empty = rng.random(len(bad)) < 0.5
    lat[bad[empty]] = np.nan
    lon[bad[empty]] = np.nan
    lat[bad[~empty]] = np.where(rng.random(int((~empty).sum())) < 0.5, 1, -1) * rng.uniform(
        90.5, 180.0, int((~empty).sum()))
    return len(bad)


def duplicate_rows(rng, n: int) -> np.ndarray:
    """How often each row is written: 2 for a few rows (an exact repeat follows the row)."""
    return np.where(rng.random(n) < DUPLICATE_P, 2, 1)


def local_time_as_utc(timezone: str, utc_s: np.ndarray) -> np.ndarray:
    """What the faulty firmware writes: the local wall-clock reading, labelled UTC."""
    return utc_s + utc_offsets(timezone, utc_s)
