"""Pings whose clock was reset or rolled over, told by their vehicle's other pings.

Two faults put a device's stamps years back while its fixes stay right:
- a real-time clock reset after a power loss counts from an epoch again (1970-01-01,
  GPS time's 1980-01-06, 2000-01-01) until the first satellite fix sets it;
- a GPS week-number rollover: the receiver's 10-bit week counter wraps every 1024 weeks
  (19.6 years), and old firmware dates its fixes exactly 1024 (or 2048) weeks early.
Both fall inside the import's time window (2007 is after 2000), so they were kept, and a
day of them made trips and places in 2007 and stretched the vehicle's timeline over 19 years.

``ClockResets`` quarantines such pings (``clock_reset``) only where the vehicle's own pings
show it: the stamp lies over a year before the vehicle's latest one in the file, and either
in the first 30 days after one of the epochs, or exactly a multiple of 1024 weeks before a
time the vehicle has pings (within 3 days). A vehicle's real data from years ago is kept.
Per file in file order, across chunks (a dict of each vehicle's span so far).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.ingest.validate import OK, mark

DAY = 86_400
ROLLOVER_S = 1024 * 7 * DAY  # 619,315,200 s
EPOCHS = (0, 315_964_800, 946_684_800)  # 1970-01-01, 1980-01-06 (GPS), 2000-01-01
AFTER_EPOCH_S = 30 * DAY    # a reset clock counts from its epoch for days, not years
YEARS_BEHIND_S = 365 * DAY  # how far behind the vehicle's latest stamp a suspect lies
ROLLOVER_SLACK_S = 3 * DAY  # a rolled-over day lands within this of the vehicle's span


def rolled_over_by_received(ts: np.ndarray, ok: np.ndarray, received: np.ndarray,
                            received_ok: np.ndarray) -> np.ndarray:
    """Which rows' GPS stamps lie a whole number (1 or 2) of 1024-week rollovers before the
    time the platform received them (within ROLLOVER_SLACK_S): the device's week counter
    wrapped. A device whose every stamp is that early has no later stamps of its own to show
    it (ClockResets); a received-time column beside the GPS time does. No other fault puts a
    fix 19.6 (or 39.3) years before its arrival, give or take days."""
    behind = np.where(ok & received_ok, received - ts, 0)
    out = np.zeros(len(ts), bool)
    for k in (1, 2):
        out |= np.abs(behind - k * ROLLOVER_S) <= ROLLOVER_SLACK_S
    return out


class ClockResets:
    """Per file: marks ``clock_reset`` on a chunk's pings whose clock was reset or rolled
    over (module doc)."""

    def __init__(self):
        self.span: dict = {}  # vehicle id -> (earliest, latest) stamp of its trusted pings

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        if not len(frame) or "ts" not in frame:
            return frame
        reason = frame["reason"].to_numpy()
        ok = reason == OK
        if not ok.any():
            return frame
        # the chunk's vehicle codes (rows.pings: codes of its sorted distinct ids)
        ids = frame.attrs["vehicle_ids"]
        codes = frame["vcode"].to_numpy(dtype=np.int64)[ok]
        t = frame["ts"].to_numpy(dtype=np.int64)[ok]
        none = (np.iinfo(np.int64).max, np.iinfo(np.int64).min)
        before = np.array([self.span.get(v, none) for v in ids],
                          dtype=np.int64).reshape(-1, 2)
        latest = np.maximum(before[:, 1], _group_max(codes, t, len(ids)))
        suspect = t < latest[codes] - YEARS_BEHIND_S
        # each vehicle's span of trusted stamps so far (the suspects left out)
        lo = np.minimum(before[:, 0], _group_min(codes[~suspect], t[~suspect], len(ids)))
        hi = np.maximum(before[:, 1], _group_max(codes[~suspect], t[~suspect], len(ids)))
        self.span.update((v, (int(a), int(b))) for v, a, b in zip(ids, lo, hi) if a <= b)
        if not suspect.any():
            return frame
        reset = np.zeros(len(t), bool)
        for epoch in EPOCHS:
            reset |= (t >= epoch) & (t < epoch + AFTER_EPOCH_S)
        for k in (1, 2):
            moved = t + k * ROLLOVER_S
            reset |= (moved >= lo[codes] - ROLLOVER_SLACK_S) & \
                (moved <= hi[codes] + ROLLOVER_SLACK_S)
        reset &= suspect
        if not reset.any():
            return frame
        attrs = dict(frame.attrs)
        mask = np.zeros(len(reason), bool)
        mask[np.flatnonzero(ok)[reset]] = True
        reason = reason.copy()
        mark(reason, mask, "clock_reset")
        frame = frame.assign(reason=reason)
        frame.attrs.update(attrs)
        return frame


def _group_max(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(out, codes, values)
    return out


def _group_min(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, codes, values)
    return out
