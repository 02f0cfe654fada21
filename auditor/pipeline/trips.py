"""Trips from pings: runs of pings of one vehicle, split where the car was parked.

A parked car sends nothing, so a silence longer than ``gap_minutes`` ends a trip — unless the
car moved far across it (a tunnel, a dead zone), which keeps the trip going. When the data
carries its own ``trip_id``, a change of id ends a trip instead of the silence rule — unless
one of the vehicle's ids lasts through hours parked (``max_tunnel_minutes``), as no trip does:
then they are no trip ids (one per day, a constant column). Segments
that never leave a small radius (heartbeats of a parked car, a lone GPS fix) are not trips.

Everything is vectorised over the sorted pings of many vehicles at once; no vehicle's result
depends on another vehicle's pings.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.geo import local_distance_m
from auditor.pipeline.config import InferConfig

# a device's own step while driving (_reach): steps at walking pace or slower are parking or
# jitter, faster than MAX_MPS glitches, longer than MAX_STEP_S dead zones
MOVING_MPS, MAX_MPS, MAX_STEP_S = 2.0, 70.0, 900
FAR_STEPS = 2  # parked: the last fix before and the first after, each up to a step away
# standing still: a fix and the fix a minute later less than 50 m apart (a parked receiver's
# jitter, not a car creeping in a jam; _standing)
STANDING_WINDOW_S, STANDING_STEP_M = 60, 50.0
# ...or, where the next fix comes minutes later (a heartbeat while parked), less than
# CREEP_MPS x the time between them: 150 m in 5 minutes is no drive, while a heartbeat's
# tens of metres of multipath jitter are over 50 m as often as not
CREEP_SPAN_S, CREEP_MPS = 240, 0.5
# ...for devices that report at least this often while driving (median step): one that
# reports every few minutes driving too tells a slow drive from a parked car no better
CREEP_CADENCE_S = 60
MAX_HOLE = 2  # rows: a multipath outlier fails the pair into it and the pair out of it
STRAY_SHARE = 0.05  # of a stretch's fixes, that may lie beyond half the extent of its first

TRIP_COLUMNS = ["trip_id", "vehicle_id", "start_ts", "end_ts", "n_pings", "distance_m",
                "start_lat", "start_lon", "end_lat", "end_lon", "source_trip_id"]


def split_trips(pings: pd.DataFrame, config: InferConfig) -> pd.DataFrame:
    """One row per trip (TRIP_COLUMNS) plus the columns stops need: ``start_local``,
    ``end_local`` (local seconds) and ``clean_break_before`` (no lost data since the previous
    trip of the vehicle).

    ``pings`` must be sorted by (vehicle_id, ts) and carry vehicle_id, ts, local_ts, lat, lon
    and optionally trip_id.
    """
    n = len(pings)
    if n == 0:
        return _empty_trips()
    # integer codes: comparing millions of (Arrow) strings costs more than everything else
    vcode, vnames = pd.factorize(pings["vehicle_id"])
    ts = pings["ts"].to_numpy(dtype=np.int64)
    lat = pings["lat"].to_numpy(dtype=float)
    lon = pings["lon"].to_numpy(dtype=float)
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)

    new_vehicle = np.ones(n, dtype=bool)
    new_vehicle[1:] = vcode[1:] != vcode[:-1]
    dt = np.zeros(n, dtype=np.int64)
    dt[1:] = ts[1:] - ts[:-1]
    step_m = np.zeros(n)
    step_m[1:] = local_distance_m(phi[:-1], lam[:-1], phi[1:], lam[1:], cos_phi[1:])
    step_m[new_vehicle] = 0.0

    far = step_m > config.tunnel_move_m
    silence = dt > config.gap_minutes * 60
    lost = far & (dt > config.max_tunnel_minutes * 60)
    split = silence & (~far | lost)
    # a device that keeps reporting while parked is never silent: where it stood still for
    # longer than the gap, it parked all the same
    standing_split, parked = _standing(vcode, ts, phi, lam, cos_phi, new_vehicle | silence,
                                       config, (dt, step_m, new_vehicle))
    split |= standing_split
    if "trip_id" in pings:
        src = pings["trip_id"].to_numpy(dtype=object)
        has = ~pd.isna(src)
        both = np.zeros(n, dtype=bool)
        both[1:] = has[1:] & has[:-1]
        changed = np.zeros(n, dtype=bool)
        changed[1:] = src[1:] != src[:-1]
        # no trip lasts through hours parked: a vehicle whose 'trip id' does (one per day, a
        # constant column) has no trip ids, and its silences split as they would without
        spans_parking = both & ~changed & silence & ~far & \
            (dt > config.max_tunnel_minutes * 60)
        untrusted = np.zeros(int(vcode.max()) + 1, dtype=bool)
        untrusted[vcode[spans_parking]] = True
        # ...nor through standing still, reporting, for longer than the gap: a phone app's
        # session (a GPX segment) runs on while a boda-boda waits 20-50 min at its stage,
        # and that wait is a stop
        split = np.where(both & ~untrusted[vcode], changed | standing_split, split)
        src = np.where(untrusted[vcode], None, src)  # nor are they the trips' source ids
    else:
        src = np.full(n, None, dtype=object)
    boundary = new_vehicle | split
    # a break is clean when it is within one vehicle and the car did not jump far across it —
    # or, across a long silence, no farther than the vehicle's own two steps: a device that
    # reports every minute or two sends its last fix before parking and its first after up
    # to a step from the spot (such a stop is kept where it joins a place: places.py)
    far_m = np.maximum(config.tunnel_move_m,
                       FAR_STEPS * _reach(vcode, dt, step_m, new_vehicle, lost))
    parked_far = lost & (step_m <= far_m[vcode])
    bad_break = new_vehicle | (boundary & far & ~parked_far)

    starts = np.flatnonzero(boundary)
    ends = np.append(starts[1:], n) - 1
    seg = np.cumsum(boundary) - 1
    inside = ~boundary  # steps that belong to a segment (not the jump into it)
    distance = np.bincount(seg, weights=np.where(inside, step_m, 0.0), minlength=len(starts))
    first = starts[seg]
    from_first = local_distance_m(phi[first], lam[first], phi, lam, cos_phi)
    extent = np.maximum.reduceat(from_first, starts)
    n_pings = ends - starts + 1
    # a stretch it stood in is no trip however far its jitter strays (_standing)
    all_parked = np.add.reduceat(parked.astype(np.int64), starts) == n_pings
    # nor is a data trip id without a single step at driving pace: an app's export may give
    # a parked phone's hourly cell or wifi fixes, hundreds of metres apart, an id of their own
    # (without ids such fixes are split apart by their silences and stand alone)
    with np.errstate(divide="ignore", invalid="ignore"):
        pace = step_m / dt
    driving = inside & (pace >= MOVING_MPS) & (pace <= MAX_MPS)
    drives = np.bincount(seg, weights=driving, minlength=len(starts)) > 0
    by_id = ~pd.isna(src[starts])  # a segment the data's trip id made
    moving = (extent >= config.stationary_extent_m) & ~all_parked & (drives | ~by_id)

    # lost data between two kept trips: any bad break from the segment after the earlier one
    # up to the later one (stationary segments in between are skipped, their breaks count)
    bad_cum = np.cumsum(bad_break[starts])
    keep = np.flatnonzero(moving)
    clean_before = np.zeros(len(keep), dtype=bool)
    if len(keep) > 1:
        clean_before[1:] = (bad_cum[keep[1:]] - bad_cum[keep[:-1]]) == 0

    local = pings["local_ts"].to_numpy(dtype=np.int64)
    s, e = starts[keep], ends[keep]
    trips = pd.DataFrame({
        "vehicle_id": np.asarray(vnames, dtype=object)[vcode[s]],
        "start_ts": ts[s], "end_ts": ts[e],
        "n_pings": n_pings[keep].astype(np.int64),
        "distance_m": distance[keep],
        "start_lat": lat[s], "start_lon": lon[s], "end_lat": lat[e], "end_lon": lon[e],
        "source_trip_id": pd.array(src[s], dtype="string") if len(s) else pd.array([], dtype="string"),
        "start_local": local[s], "end_local": local[e],
        "clean_break_before": clean_before, "far_m": far_m[vcode[s]],
        # the fix before the last and after the first, and the speed between: which way the
        # car was driving as it left the record and as it came back (cut_ends.py: trips a
        # broker cut short of where the car parked)
        "before_end_lat": lat[e - 1], "before_end_lon": lon[e - 1],
        "after_start_lat": lat[s + 1], "after_start_lon": lon[s + 1],
        "end_mps": step_m[e] / np.maximum(dt[e], 1), "start_mps": step_m[s + 1] / np.maximum(dt[s + 1], 1),
    })
    n_in_vehicle = trips.groupby("vehicle_id", sort=False).cumcount()
    trips.insert(0, "trip_id", trips["vehicle_id"].astype(str) + ":t" + n_in_vehicle.astype(str))
    return trips


def _standing(vcode: np.ndarray, ts: np.ndarray, phi: np.ndarray, lam: np.ndarray,
              cos_phi: np.ndarray, cut: np.ndarray, config: InferConfig,
              steps: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Trip boundaries around the stretches where a vehicle reported while standing still,
    and the rows it stood in. A stretch: more than ``gap_minutes`` of fixes, each less than
    STANDING_STEP_M from the fix a STANDING_WINDOW_S later (or, for a heartbeat minutes after
    the fix before and before the next, less than CREEP_MPS x the time to the next), half of
    them within half of ``stationary_extent_m`` of the stretch's median position (the silence
    rule's gap and extent, for a device that is never silent; the heartbeat rule only where
    the vehicle's cadence while driving is CREEP_CADENCE_S or less; ``steps``: dt, step_m and
    new_vehicle of split_trips). Fixes seconds apart lie within half the extent of the
    first, all but STRAY_SHARE of them. One or two fixes that
    multipath threw far do not end a stretch. ``cut``: rows that begin a vehicle or follow a
    silence — a stretch never spans one (a device silent while parked is split by the silence
    already). Returns (True after each stretch's first row and after its last; True on the
    rows between, which make a stationary segment)."""
    n = len(ts)
    out = np.zeros(n, dtype=bool)
    parked_rows = np.zeros(n, dtype=bool)
    if n < 2:
        return out, parked_rows
    # (vehicle, ts) as one sorted key: the fix a window later is one searchsorted away
    key = vcode.astype(np.int64) * (1 << 40) + (ts - ts.min())
    later = np.searchsorted(key, key + STANDING_WINDOW_S, side="left")
    has = later < n
    later = np.minimum(later, n - 1)
    pieces = np.cumsum(cut)  # no vehicle change or silence between a row and its later fix
    has &= (vcode[later] == vcode) & (pieces[later] == pieces) & (later > np.arange(n))
    if not has.any():
        return out, parked_rows
    moved = local_distance_m(phi, lam, phi[later], lam[later], cos_phi[later])
    # the creep rule only between heartbeats (minutes before and after the fix): a drive's
    # last fixes, seconds apart, are a window from the first heartbeat too
    span = ts[later] - ts
    since = np.r_[CREEP_SPAN_S, np.diff(ts)]
    sparse = (span >= CREEP_SPAN_S) & ((since >= CREEP_SPAN_S) | cut)
    if sparse.any():
        sparse &= (_cadence(vcode, *steps, wanted=np.unique(vcode[sparse]))[vcode]
                   <= CREEP_CADENCE_S)
    still = has & ((moved < STANDING_STEP_M) | (sparse & (moved < CREEP_MPS * span)))
    # an outlier fails the pair into it and the pair out of it: holes of up to MAX_HOLE rows
    # between still rows of one piece are filled where the still rows either side of the hole
    # are as close as a still pair (a short drive between two spots is no outlier)
    bridged = np.zeros(n, dtype=bool)
    held = np.flatnonzero(still)  # few on a fleet silent while parked: work on these alone
    hole = np.flatnonzero((np.diff(held) > 1) & (np.diff(held) <= MAX_HOLE + 1))
    if len(hole):
        a, b = held[hole], held[hole + 1]
        apart = local_distance_m(phi[a], lam[a], phi[b], lam[b], cos_phi[b])
        reach = np.where(sparse[a], CREEP_MPS * (ts[b] - ts[a]), STANDING_STEP_M)
        ok = (pieces[a] == pieces[b]) & (apart < reach)
        a, b = a[ok], b[ok]
        bridged[a + 1] = True
        bridged[(a + 2)[b - a > 2]] = True
        still |= bridged
    nxt_breaks = np.r_[~still[1:] | cut[1:], True]
    starts = np.flatnonzero(still & (np.r_[True, ~still[:-1]] | cut))
    ends = np.flatnonzero(still & nxt_breaks)
    if not len(starts):
        return out, parked_rows
    begins = np.zeros(n, dtype=bool)
    begins[starts] = True
    run = np.cumsum(begins) - 1
    # how far it strayed: fixes seconds apart within half the extent of the first, all but
    # STRAY_SHARE (multipath strays: over a day at 1 Hz some pair of them always agrees), as a
    # crawl is no stand; heartbeats, whose first fix is as noisy as any, half of them within
    # half the extent of the stretch's median position
    size = ends - starts + 1
    rows = np.flatnonzero(still & ~bridged)
    far = 2 * local_distance_m(phi[starts[run[rows]]], lam[starts[run[rows]]], phi[rows],
                               lam[rows], cos_phi[rows]) >= config.stationary_extent_m
    stood = np.bincount(run[rows], weights=far, minlength=len(starts)) <= STRAY_SHARE * size
    rows = np.flatnonzero(still)
    beats = np.bincount(run[rows], weights=sparse[rows], minlength=len(starts)) * 2 > size
    if beats.any():
        rows = np.flatnonzero(still & beats[run])
        centre = pd.DataFrame({"run": run[rows], "phi": phi[rows], "lam": lam[rows]}) \
            .groupby("run", sort=True)[["phi", "lam"]].median()
        c_phi = centre.loc[run[rows], "phi"].to_numpy()
        c_lam = centre.loc[run[rows], "lam"].to_numpy()
        typical = pd.Series(local_distance_m(c_phi, c_lam, phi[rows], lam[rows],
                                             np.cos(c_phi))).groupby(run[rows]).median()
        stood[typical.index.to_numpy()] = 2 * typical.to_numpy() < config.stationary_extent_m
    # how long it stood, from fixes taken standing: a single pause between two fixes is the
    # silence rule's to judge (a 5-minute pause is no stop there, nor here)
    parked = (ts[ends] - ts[starts] > config.gap_minutes * 60) & stood
    # the trip before ends at the stretch's first fix and the one after starts at the fix
    # after its last (which the last found still): fixes at the spot, so the stop between
    # them lies where the car stood (the drive's last fix may be a whole step away); the
    # fixes between are a stationary segment. A still fix is never a vehicle's last.
    out[starts[parked] + 1] = True
    out[ends[parked] + 1] = True
    inside = np.zeros(n + 1, dtype=np.int64)
    np.add.at(inside, starts[parked] + 1, 1)
    np.add.at(inside, ends[parked] + 1, -1)
    parked_rows = np.cumsum(inside)[:n] > 0
    return out, parked_rows


def _driving(vcode: np.ndarray, dt: np.ndarray, step_m: np.ndarray, new_vehicle: np.ndarray,
             wanted: np.ndarray, of: np.ndarray, default: float) -> np.ndarray:
    """Per vehicle code: the median of ``of`` (dt or step_m) over its steps while it drives
    (MOVING_MPS to MAX_MPS, at most MAX_STEP_S apart), for the vehicles ``wanted`` (a bool
    mask per code); ``default`` for the others and for a vehicle that never drives."""
    out = np.full(len(wanted), default)
    rows = np.flatnonzero(wanted[vcode] & ~new_vehicle & (dt > 0) & (dt <= MAX_STEP_S))
    speed = step_m[rows] / dt[rows]
    rows = rows[(speed >= MOVING_MPS) & (speed <= MAX_MPS)]
    if len(rows):
        got = pd.Series(of[rows]).groupby(vcode[rows]).median()
        out[got.index.to_numpy()] = got.to_numpy()
    return out


def _cadence(vcode: np.ndarray, dt: np.ndarray, step_m: np.ndarray, new_vehicle: np.ndarray,
             wanted: np.ndarray) -> np.ndarray:
    """Per vehicle code: the median seconds between two of its fixes while it drives, for the
    ``wanted`` codes; inf for the others and for a vehicle that never drives."""
    want = np.zeros(int(vcode.max()) + 1 if len(vcode) else 0, dtype=bool)
    want[wanted] = True
    return _driving(vcode, dt, step_m, new_vehicle, want, dt.astype(float), np.inf)


def _reach(vcode: np.ndarray, dt: np.ndarray, step_m: np.ndarray, new_vehicle: np.ndarray,
           lost: np.ndarray) -> np.ndarray:
    """Per vehicle code: the median metres between two of its fixes while it drives; 0 for a
    vehicle that never drives — and for one with no ``lost`` break, the only place the figure
    is used (which keeps this off the usual, densely sampled fleet: it has few)."""
    want = np.zeros(int(vcode.max()) + 1 if len(vcode) else 0, dtype=bool)
    want[vcode[lost]] = True
    return _driving(vcode, dt, step_m, new_vehicle, want, step_m, 0.0)


def _empty_trips() -> pd.DataFrame:
    return pd.DataFrame({
        "trip_id": pd.Series([], dtype=object), "vehicle_id": pd.Series([], dtype=object),
        "start_ts": pd.Series([], dtype=np.int64), "end_ts": pd.Series([], dtype=np.int64),
        "n_pings": pd.Series([], dtype=np.int64), "distance_m": pd.Series([], dtype=float),
        "start_lat": pd.Series([], dtype=float), "start_lon": pd.Series([], dtype=float),
        "end_lat": pd.Series([], dtype=float), "end_lon": pd.Series([], dtype=float),
        "source_trip_id": pd.Series([], dtype="string"),
        "start_local": pd.Series([], dtype=np.int64), "end_local": pd.Series([], dtype=np.int64),
        "clean_break_before": pd.Series([], dtype=bool), "far_m": pd.Series([], dtype=float),
        **{c: pd.Series([], dtype=float) for c in ("before_end_lat", "before_end_lon",
                                                  "after_start_lat", "after_start_lon",
                                                  "end_mps", "start_mps")},
    })
