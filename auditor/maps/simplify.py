"""Track simplification before anything reaches Leaflet: Douglas-Peucker, vectorised over all
tracks of a vehicle at once, with a hard point budget per track.

Classic Douglas-Peucker recurses per segment. Here every pass handles all open segments of all
tracks with numpy: each point finds the kept points around it, measures its distance to that
chord, and the farthest point of every segment whose distance exceeds the tolerance is kept.
Segments roughly double per pass, so a track of n points needs about log2(kept) passes. When a
track would exceed its budget, only its farthest candidates are kept (coarse shape first).
"""
from __future__ import annotations

import numpy as np

from auditor.geo import EARTH_RADIUS_M


def project_m(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular metres around the mean latitude: accurate enough for one vehicle's
    area and for a tolerance of a few metres."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    if lat.size == 0:
        return lat.copy(), lon.copy()
    lat0 = np.deg2rad(np.nanmean(lat))
    x = np.deg2rad(lon) * np.cos(lat0) * EARTH_RADIUS_M
    y = np.deg2rad(lat) * EARTH_RADIUS_M
    return x, y


def _segment_distance(x, y, ax, ay, bx, by) -> np.ndarray:
    """Distance of points (x, y) to segments a-b (to the nearer end beyond the segment)."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length2 > 0, ((x - ax) * dx + (y - ay) * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(x - (ax + t * dx), y - (ay + t * dy))


def simplify_tracks(lat, lon, track, tolerance_m: float = 8.0,
                    max_points: int = 300) -> np.ndarray:
    """Boolean mask of the points to keep.

    ``track``: integer track code per point; points of one track must be contiguous and in time
    order. Each track keeps its first and last point and at most ``max_points`` points
    (at least 2)."""
    track = np.asarray(track)
    n = track.size
    keep = np.zeros(n, dtype=bool)
    if n == 0:
        return keep
    max_points = max(2, int(max_points))
    x, y = project_m(lat, lon)
    idx = np.arange(n)
    starts = np.flatnonzero(np.r_[True, track[1:] != track[:-1]])
    ends = np.r_[starts[1:] - 1, n - 1]
    keep[starts] = True
    keep[ends] = True
    # dense track number 0..k-1, for budgets per track
    tno = np.cumsum(np.r_[False, track[1:] != track[:-1]])
    for _ in range(max_points):  # each pass keeps >= 1 point of an unfinished track
        prev_k = np.maximum.accumulate(np.where(keep, idx, 0))
        next_k = np.minimum.accumulate(np.where(keep, idx, n - 1)[::-1])[::-1]
        d = _segment_distance(x, y, x[prev_k], y[prev_k], x[next_k], y[next_k])
        d[keep] = -1.0
        d[~np.isfinite(d)] = -1.0
        # farthest point of each open segment (a segment is named by its left kept point)
        order = np.lexsort((-d, prev_k))
        first = order[np.r_[True, prev_k[order][1:] != prev_k[order][:-1]]]
        cand = first[d[first] > tolerance_m]
        if cand.size == 0:
            break
        room = max_points - np.bincount(tno[keep], minlength=tno[-1] + 1)
        # within each track, farthest candidates first, as many as the budget allows
        cand = cand[np.lexsort((-d[cand], tno[cand]))]
        ct = tno[cand]
        rank = np.arange(cand.size) - np.searchsorted(ct, ct, side="left")
        take = cand[rank < room[ct]]
        if take.size == 0:
            break
        keep[take] = True
    return keep


def decimate_evenly(n: int, budget: int) -> np.ndarray:
    """Indices of about ``budget`` evenly spaced points of n, always the first and the last."""
    if n <= budget:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, max(2, budget))).astype(int))
