"""Devices whose clock is a whole number of hours off, told by when their fixes arrived.

A file with the platform's received time beside each fix's own stamp (`servertime`,
`Received Time`, `recibido_utc`) shows it: a device sending as it goes has its fixes arrive
seconds after they were taken, and none can arrive before. A tracker writing its local time
as if it were UTC stamps every fix hours after it arrived (a GT06 in Novosibirsk: +7 h); a
phone whose clock was set back an hour, an hour before. When a vehicle's fixes that did not
arrive at once mostly arrive within two minutes of the same whole number of quarter hours, an
hour or more, from their stamps, its clock is on another zone: those fixes' stamps are moved
by that (a fix that arrived at once was stamped right, before the clock went wrong or after
it was put right). A device that buffers and sends late spreads its delays and is left alone.

Per file in file order, across chunks: a vehicle is judged on its fixes so far once MIN_FIXES
show the error; rows written before that keep their stamps (few: a chunk holds thousands)."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from auditor.ingest.validate import OK

LAG = "arrival_lag_s"  # frame column (rows.pings): received time - stamp, s; NaN without
QUARTER_S = 900        # zones differ by whole quarter hours (Nepal +05:45, Chatham +12:45)
NEAR_S = 120           # a fix sent as it goes arrives within this of the clock's error
MIN_SHIFT_S = 3600     # under an hour: batching or a slow network, not another zone
MIN_FIXES = 20
SHARE = 0.6            # of a vehicle's fixes that did not arrive at once


class ArrivalClock:
    def __init__(self):
        self.seen: Counter = Counter()           # vehicle -> fixes that did not arrive at once
        self.near: dict = {}                     # vehicle -> Counter(quarter-hour lag -> n)
        self.shift: dict = {}                    # vehicle -> s added to its stamps

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        if LAG not in frame:
            return frame
        attrs = dict(frame.attrs)
        lag = frame[LAG].to_numpy(dtype=float)
        frame = frame.drop(columns=LAG)
        frame.attrs.update(attrs)
        with np.errstate(invalid="ignore"):
            at_once = np.abs(lag) <= NEAR_S  # (NaN: no received time, compares False)
        usable = (frame["reason"].to_numpy() == OK) & np.isfinite(lag) & ~at_once
        if not usable.any() and not self.shift:
            return frame
        vehicle = frame["vehicle_id"].to_numpy(dtype=object)
        self._count(vehicle[usable], lag[usable])
        shift = np.array([self.shift.get(v, 0) for v in pd.unique(vehicle).tolist()],
                         dtype=np.int64)
        if not shift.any():
            return frame
        codes, uniques = pd.factorize(pd.Series(vehicle, dtype=object))
        per_row = shift[codes]  # (pd.unique and factorize list vehicles in the same order)
        move = (per_row != 0) & (frame["reason"].to_numpy() == OK) & ~at_once
        ts = frame["ts"].to_numpy(dtype=np.int64).copy()
        ts[move] += per_row[move]
        frame = frame.assign(ts=ts)
        frame.attrs.update(attrs)
        here = Counter(pd.Series(vehicle[move], dtype=object).value_counts().to_dict())
        frame.attrs["arrival_clock"] = {v: (self.shift[v], n) for v, n in here.items()}
        return frame

    def _count(self, vehicle: np.ndarray, lag: np.ndarray) -> None:
        quarter = np.round(lag / QUARTER_S) * QUARTER_S
        near = np.abs(lag - quarter) <= NEAR_S
        self.seen.update(pd.Series(vehicle, dtype=object).value_counts().to_dict())
        pairs = pd.DataFrame({"v": vehicle[near], "q": quarter[near].astype(np.int64)})
        for (v, q), n in pairs.value_counts().items():
            self.near.setdefault(v, Counter())[q] += int(n)
        for v in pd.unique(vehicle).tolist():
            total = self.seen[v]
            counts = self.near.get(v)
            if total < MIN_FIXES or not counts:
                continue
            q, n = counts.most_common(1)[0]
            # the lag is received - stamp: a stamp 7 h after its arrival (lag -7 h) moves by -7 h
            if abs(q) >= MIN_SHIFT_S and n >= max(MIN_FIXES, SHARE * total):
                self.shift[v] = int(q)
            else:
                self.shift.pop(v, None)


def describe(moved: dict) -> str:
    """'Р286ВЕ 54 (-7 h, 4,210 rows), …' for the summary's note."""
    parts = []
    for v, (shift, rows) in sorted(moved.items(), key=lambda kv: -kv[1][1])[:5]:
        hours = -shift / 3600  # how far the device's clock ran from the true time
        parts.append(f"{v} ({hours:+g} h, {rows:,} rows)")
    more = len(moved) - len(parts)
    return ", ".join(parts) + (f" and {more} more" if more > 0 else "")
