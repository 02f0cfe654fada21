"""The autumn hour that happens twice: which occurrence a naive wall time in it is.

When summer time ends (Europe/Paris on 25 October 2026: 03:00 CEST -> 02:00 CET), the wall
times 02:00-02:59 happen twice, an hour apart. A file of naive local stamps cannot say which
is meant, so a stamp alone is read as the first (summer) one (timestamps._localise). A
vehicle's rows can: a device logging through that hour writes 02:58, 02:59, then 02:00 again.
``Refolder`` reads those rows after the clock went back as the second occurrence — per vehicle,
in file order, across a file's chunks — so a night's drive is not stored with an hour folded
onto itself (trips running backwards, stops an hour early).

Only the evidence of the rows themselves moves a stamp: a vehicle whose rows are out of time
order elsewhere in the chunk (uploads re-sent, files merged) keeps the first reading, and so
does a stamp whose vehicle was silent until after the clock went back (nothing shows it).
Pure numpy over the chunk; a dict of one row per vehicle carries a file's state from chunk to
chunk.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# the frame column of the second occurrence's UTC seconds (= ts where the time is not
# ambiguous); rows.pings and scope add it only when a chunk has such a time; Refolder drops it
LATER = "later_ts"
# how far a fall-back transition may lie after a first-occurrence reading: the largest
# summer-time shift any zone has had (2 h); candidates are then checked exactly
_LOOKAHEAD_S = 2 * 3600


def second_occurrence(naive: pd.Series, zone: str, first_utc: np.ndarray,
                      ok: np.ndarray) -> np.ndarray:
    """UTC seconds of each naive wall time's second occurrence in ``zone`` (int64; equal to
    ``first_utc`` where the time happens once). ``first_utc``: the first reading; ``ok``: where
    it is valid. Only rows read within two hours before one of the zone's autumn changes are
    localised again, so a chunk without one costs a look at its first and last stamp."""
    later = np.asarray(first_utc, dtype=np.int64).copy()
    rows = np.flatnonzero(ok)
    if not len(rows):
        return later
    changes = fall_backs(zone, int(later[rows].min()), int(later[rows].max()) + _LOOKAHEAD_S)
    if not len(changes):
        return later
    # a first reading lies before its change, by at most the change itself
    at = np.searchsorted(changes, later[rows], side="right")
    gap = changes[np.minimum(at, len(changes) - 1)] - later[rows]
    near = rows[(at < len(changes)) & (gap > 0) & (gap <= _LOOKAHEAD_S)]
    if not len(near):
        return later
    values = naive.iloc[near] if isinstance(naive, pd.Series) else pd.Series(naive[near])
    second = values.dt.tz_localize(zone, ambiguous=np.zeros(len(near), bool),
                                   nonexistent="shift_forward").dt.tz_convert("UTC")
    fine = second.notna().to_numpy()
    secs = second.dt.tz_localize(None).to_numpy().astype("datetime64[s]").astype(np.int64)
    later[near[fine]] = np.maximum(later[near[fine]], secs[fine])
    return later


_DAY, _HOUR, _MINUTE = 86400, 3600, 60


def fall_backs(zone: str, lo: int, hi: int) -> np.ndarray:
    """The instants (UTC seconds, sorted) in [lo, hi] at which ``zone``'s offset drops: a
    day grid, then the hour and the minute of each drop (changes fall on whole minutes)."""
    days = np.arange(lo - lo % _DAY, hi + _DAY, _DAY, dtype=np.int64)
    changes = []
    for day in days[_drops(days, zone)]:
        hours = np.arange(day, day + _DAY + 1, _HOUR, dtype=np.int64)
        hour = hours[_drops(hours, zone)[0]]
        minutes = np.arange(hour, hour + _HOUR + 1, _MINUTE, dtype=np.int64)
        changes.append(int(minutes[_drops(minutes, zone)[0] + 1]))
    return np.asarray([c for c in changes if lo <= c <= hi], dtype=np.int64)


def _drops(grid: np.ndarray, zone: str) -> np.ndarray:
    """Where the offset falls between one grid point and the next (index of the first)."""
    off = _offsets(grid, zone)
    return np.flatnonzero(off[1:] < off[:-1])


def _offsets(instants, zone: str) -> np.ndarray:
    """Seconds east of UTC of ``zone`` at each instant (UTC seconds)."""
    at = pd.DatetimeIndex(np.asarray(instants, dtype=np.int64).astype("datetime64[s]"))
    local = at.tz_localize("UTC").tz_convert(zone).tz_localize(None).as_unit("s")
    return local.asi8 - at.as_unit("s").asi8


class Refolder:
    """Per file: reads the stamps of a vehicle's rows after its clock went back in a repeated
    hour as the second occurrence (module doc). Call it on each chunk's frame in file order;
    ``refolded`` counts the stamps moved."""

    def __init__(self):
        # vehicle id -> (wall seconds, ambiguous, read as second) of its last row so far
        self.last: dict = {}
        self.refolded = 0

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        if LATER not in frame:
            return frame
        attrs = dict(frame.attrs)
        later = frame[LATER].to_numpy(dtype=np.int64)
        frame = frame.drop(columns=LATER)
        frame.attrs.update(attrs)
        ts = frame["ts"].to_numpy(dtype=np.int64)
        offset = frame["utc_offset_min"].to_numpy(dtype=float)
        usable = (frame["reason"].to_numpy() < 0) & np.isfinite(offset)
        second = self._second(frame["vehicle_id"].to_numpy(dtype=object), ts, later, offset,
                              usable)
        if second.any():
            ts, offset = ts.copy(), offset.copy()
            offset[second] -= (later[second] - ts[second]) / 60.0
            ts[second] = later[second]
            frame = frame.assign(ts=ts, utc_offset_min=offset)
            frame.attrs.update(attrs)
            self.refolded += int(second.sum())
        return frame

    def _second(self, vehicle: np.ndarray, ts: np.ndarray, later: np.ndarray,
                offset: np.ndarray, usable: np.ndarray) -> np.ndarray:
        """Which rows are a repeated hour's second occurrence (module doc), updating the
        carried last rows."""
        n = len(ts)
        out = np.zeros(n, bool)
        rows = np.flatnonzero(usable)
        if not len(rows):
            return out
        wall = ts.copy()  # (offsets of unusable rows may be NaN: never cast)
        wall[rows] += np.round(offset[rows] * 60).astype(np.int64)
        # the previous chunk's last row of each vehicle goes first in its sequence
        carried = [v for v in pd.unique(vehicle[rows]) if v in self.last]
        vid = np.concatenate([np.asarray(carried, dtype=object), vehicle[rows]])
        w = np.concatenate([[self.last[v][0] for v in carried], wall[rows]]).astype(np.int64)
        amb = np.concatenate([[self.last[v][1] for v in carried],
                              later[rows] != ts[rows]]).astype(bool)
        known = np.concatenate([[self.last[v][2] for v in carried],
                                np.zeros(len(rows), bool)]).astype(bool)
        shift = np.concatenate([np.zeros(len(carried), np.int64), later[rows] - ts[rows]])
        utc = np.concatenate([np.full(len(carried), np.iinfo(np.int64).min), ts[rows]])
        codes, _ = pd.factorize(vid)
        order = np.lexsort((np.arange(len(vid)), codes))  # per vehicle, in file order
        c, w, amb, known, shift, utc = (a[order] for a in (codes, w, amb, known, shift, utc))
        first = np.r_[True, c[1:] != c[:-1]]
        prev_w, prev_amb = np.r_[0, w[:-1]], np.r_[False, amb[:-1]]
        back = ~first & (w < prev_w)
        # the clock went back inside the repeated hour, by no more than the change
        jump = amb & ~first & prev_amb & back & (prev_w - w <= shift)
        start = first | ~amb | back
        seg = np.cumsum(start) - 1
        seg_second = np.zeros(int(seg[-1]) + 1, bool)
        seg_second[seg[start]] = (jump | (known & amb))[start]
        second = amb & seg_second[seg]
        # rows in time order but where the clock went back: anything else (uploads re-sent,
        # files merged) and the order proves nothing, so the vehicle keeps the first reading
        steps_back = ~first & ~amb & ~prev_amb & (utc < np.r_[0, utc[:-1]])
        disorder = np.zeros(int(c.max()) + 1, bool)
        disorder[c[steps_back]] = True
        second &= ~disorder[c]
        n_carried = len(carried)
        is_row = order >= n_carried
        out[rows[order[is_row] - n_carried]] = second[is_row]
        last = np.r_[c[1:] != c[:-1], True]
        for v, lw, la, ls in zip(vid[order][last], w[last], amb[last], second[last]):
            self.last[v] = (int(lw), bool(la), bool(ls))
        return out
