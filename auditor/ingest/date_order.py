"""Vehicles whose dates are written month first in a file written day first (or the reverse).

A file's own form of its stamps ('%d/%m/%Y %H:%M:%S') is chosen once, from its rows
(time_formats.choose). A merged export can hold one device that writes 04/20/2026: under the
file's day-first reading its rows after the 12th of a month are refused as bad timestamps,
and its rows up to the 12th are read with day and month swapped — 05/03 as 5 March — so the
vehicle drives on one day of every month. Its own rows tell: rows that only the other order
reads, and none that only the file's order reads.

``rows.pings`` reads the stamps of such a vehicle's rows the other way too — of a vehicle
with a row only that reads in the chunk, or found so in earlier chunks (``found``) — in
columns OTHER_TS, OTHER_OFFSET, OTHER_REASON (the other reading's time, UTC offset and row
reason; the file's own reading for every other row);
``DateOrders`` follows each vehicle through the file's chunks in order and gives a vehicle
the other reading from the chunk where its rows show it on (earlier chunks are already
written: a vehicle whose first days are all ambiguous keeps them as read). Not for
``--tz vehicle`` (each vehicle's zone is applied after this).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from auditor.ingest.repeated_hour import LATER
from auditor.ingest.validate import CODE

OTHER_TS, OTHER_OFFSET, OTHER_REASON = "other_order_ts", "other_order_offset", "other_order_reason"
COLUMNS = (OTHER_TS, OTHER_OFFSET, OTHER_REASON)
# rows only the other order reads before a vehicle is read so: one could be a stray
MIN_EVIDENCE_ROWS = 3


class DateOrders:
    """Per file (module doc). Call it on each chunk's frame in file order; ``moved`` counts,
    per vehicle, the rows given the other reading."""

    def __init__(self):
        self.file_order: set = set()        # vehicles with a row only the file's order reads
        self.other_rows: dict = {}          # vehicle -> rows only the other order reads
        self.moved: dict = {}

    def found(self) -> frozenset:
        """The vehicles read the other way round so far: the next chunk's validation reads
        their rows both ways even when none of them shows it."""
        return frozenset(v for v, n in self.other_rows.items()
                         if n >= MIN_EVIDENCE_ROWS and v not in self.file_order)

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        if OTHER_TS not in frame:
            return frame
        attrs = dict(frame.attrs)
        other_ts = frame[OTHER_TS].to_numpy(dtype=np.int64)
        other_offset = frame[OTHER_OFFSET].to_numpy(dtype=float)
        other_reason = frame[OTHER_REASON].to_numpy(dtype=np.int8)
        frame = frame.drop(columns=list(COLUMNS))
        frame.attrs.update(attrs)
        reason = frame["reason"].to_numpy(dtype=np.int8)
        vehicle = frame["vehicle_id"].to_numpy(dtype=object)
        bad = CODE["bad_timestamp"]
        named = pd.notna(vehicle)
        self.file_order.update(pd.unique(vehicle[named & (reason != bad) & (other_reason == bad)]))
        only_other = named & (reason == bad) & (other_reason != bad)
        for v, n in pd.Series(vehicle[only_other]).value_counts().items():
            self.other_rows[v] = self.other_rows.get(v, 0) + int(n)
        swapped = list(self.found())
        if not swapped:
            return frame
        rows = named & pd.Series(vehicle).isin(swapped).to_numpy()
        if not rows.any():
            return frame
        frame = frame.assign(
            ts=np.where(rows, other_ts, frame["ts"].to_numpy(dtype=np.int64)),
            utc_offset_min=np.where(rows, other_offset,
                                    frame["utc_offset_min"].to_numpy(dtype=float)),
            reason=np.where(rows, other_reason, reason).astype(np.int8))
        if LATER in frame:  # the other reading folds no repeated hour
            frame[LATER] = np.where(rows, other_ts, frame[LATER].to_numpy(dtype=np.int64))
        frame.attrs.update(attrs)
        for v, n in pd.Series(vehicle[rows]).value_counts().items():
            self.moved[v] = self.moved.get(v, 0) + int(n)
        return frame
