"""Quarantine rules: which rows are refused, and why (one reason per row, first match wins).

Reasons are stable keys: summaries, the quarantine table and the GUI all use them."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa

from auditor.classes import GIVEN_LABELS
from auditor.csvsafe import formula_mask
from auditor.geo import EARTH_RADIUS_M, decimals, haversine_m

REASONS = (
    "missing_vehicle_id",
    "bad_timestamp",
    "missing_lat_lon",
    "lat_lon_out_of_range",
    "unknown_label",
    "duplicate_ping",
    "impossible_jump",
    "malformed_row",      # a CSV line with more fields than the header
    "implausible_timestamp",  # outside the import's time window (default 2000-01-01 .. now+1d)
    "formula_like_value",     # an id or label a spreadsheet would run as a formula
    "bad_encoding",           # a line that is not UTF-8 in a file that otherwise is
    "clock_reset",            # a clock reset to an epoch or a GPS week rollover (clock_resets.py)
    "coarse_fix",             # from cell towers (a fix-type column) or worse than 200 m (accuracy)
    "repeated_header",        # the header line again (exports pasted one after another)
    "stale_fix",              # no fix (a fix-valid column), its last position held as it drove on
)
CODE = {r: np.int8(i) for i, r in enumerate(REASONS)}
OK = np.int8(-1)
MAX_SPEED_KMH = 300.0
LABELS = GIVEN_LABELS


def mark(reason: np.ndarray, mask: np.ndarray, name: str) -> None:
    """Give ``name`` to rows in ``mask`` that have no reason yet."""
    reason[mask & (reason == OK)] = CODE[name]


# ------------------------------------------------------------------ time window
DEFAULT_MIN_TIME = int(datetime(2000, 1, 1, tzinfo=timezone.utc).timestamp())
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class TimeWindow:
    """Plausible ping times, UTC epoch seconds, both ends inclusive. Pings outside are
    quarantined: a fix dated 1500 or 4000 is a broken clock, and one of them would stretch a
    vehicle's trips and timeline over centuries."""
    lo: int
    hi: int
    explicit: bool = False  # given by the caller (joins the import's options key)

    def outside(self, ts: np.ndarray) -> np.ndarray:
        return (ts < self.lo) | (ts > self.hi)

    def options(self) -> dict:
        return {"min_time": self.lo, "max_time": self.hi} if self.explicit else {}


def time_window(min_time=None, max_time=None, now: float | None = None) -> TimeWindow:
    """The window for one import: 2000-01-01 .. now + 1 day unless the caller says otherwise.
    Bounds may be epoch seconds, ISO-8601 text (a date, or a time; naive means UTC) or an
    aware/naive datetime."""
    from auditor.errors import UserError
    now = time.time() if now is None else now
    lo = DEFAULT_MIN_TIME if min_time is None else _epoch(min_time, "--min-time")
    hi = int(now) + DAY_SECONDS if max_time is None else _epoch(max_time, "--max-time")
    if lo > hi:
        raise UserError(f"--min-time {min_time} is after --max-time {max_time} — give a window "
                        "whose start comes first")
    return TimeWindow(lo, hi, explicit=min_time is not None or max_time is not None)


def _epoch(value, option: str) -> int:
    from auditor.errors import UserError
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return int(stamp.timestamp())
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip()
    try:
        return int(float(text)) if re.fullmatch(r"[+-]?\d+(\.\d*)?", text) else _iso(text)
    except (ValueError, OverflowError):
        raise UserError(f"{option} {value}: not a time — use a date such as 2000-01-01, an "
                        "ISO-8601 time or epoch seconds") from None


def _iso(text: str) -> int:
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return int((stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).timestamp())


# ------------------------------------------------------------------ spreadsheet formulas
def formula_like(values) -> np.ndarray:
    """Bool mask: which texts a spreadsheet would read as a formula (null -> False) — a text
    that starts with = + - @, tab or CR and is not a plain number ("-42" is a number in any
    spreadsheet, "=HYPERLINK(...)" is not). The one predicate is auditor.csvsafe's, which the
    output side neutralises with."""
    from auditor.ingest.values import as_array
    arr = as_array(values)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return np.zeros(len(arr), bool)
    return formula_mask(arr)


def coordinate_rules(reason: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> None:
    # exactly (0, 0) is a device's "no fix" placeholder, not a place in the Gulf of Guinea:
    # one courier's box sent it whenever it had no fix, 3,600 times, and its "work" was there
    missing = np.isnan(lat) | np.isnan(lon) | ((lat == 0) & (lon == 0))
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
    step = ts[1:] - ts[:-1]
    hours = np.maximum(step, 1) / 3600.0  # same-second fixes: at least 1 s apart
    if len(ts) and not (ts % 60).any():
        # stamps cut to the minute (a de-identified export): fixes sharing one were taken up
        # to a minute apart — a drive's fixes, not a glitch's
        hours = np.where(step == 0, 60 / 3600.0, hours)
    leg = _too_fast(same, hours, lat, lon)
    jump_in, jump_out = np.r_[False, leg], np.r_[leg, False]
    has_prev, has_next = np.r_[False, same], np.r_[same, False]
    interior = has_prev & has_next & jump_in & jump_out
    next_agrees = np.r_[(has_next & ~jump_out)[1:], False]
    prev_agrees = np.r_[False, (has_prev & ~jump_in)[:-1]]
    first = ~has_prev & jump_out & next_agrees
    last = ~has_next & jump_in & prev_agrees
    return interior | first | last


def _too_fast(same: np.ndarray, hours: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Legs (consecutive pings of one vehicle) faster than MAX_SPEED_KMH. Haversine only for
    the few legs a cheap upper bound cannot clear: d = 2R asin(sqrt(h)) with
    h <= (dlat/2)^2 + (dlon/2)^2 = s^2 and asin(x) <= x pi/2 on [0, 1], so
    d <= pi/2 R sqrt(dlat^2 + dlon^2) (radians) for any two points (d <= pi R whatever s is);
    a leg whose bound is within the limit is not too fast. Same verdicts, ~1/5 of the cost."""
    dlat = np.radians(lat[1:] - lat[:-1])
    dlon = np.radians(lon[1:] - lon[:-1])
    bound_kmh = (np.pi / 2 * EARTH_RADIUS_M / 1000) * np.sqrt(dlat * dlat + dlon * dlon) / hours
    check = np.flatnonzero(same & (bound_kmh * (1 + 1e-9) > MAX_SPEED_KMH))
    leg = np.zeros(len(same), bool)
    if len(check):
        d = haversine_m(lat[check], lon[check], lat[check + 1], lon[check + 1])
        d = np.maximum(d - _rounding_m(lat, lon, check), 0.0)
        leg[check] = d / 1000 / hours[check] > MAX_SPEED_KMH
    return leg


def _rounding_m(lat: np.ndarray, lon: np.ndarray, legs: np.ndarray) -> np.ndarray:
    """How far each leg's two fixes may have moved by rounding (coordinates written to 3
    decimals lie on a grid ~110 m apart: at 1 Hz the step from one grid point to the next is
    'faster' than any car): the diagonal of the finest grid the leg's four coordinates fit.
    0 for coordinates with 5 or more decimals."""
    finest = np.maximum.reduce([decimals(lat[legs]), decimals(lon[legs]),
                                decimals(lat[legs + 1]), decimals(lon[legs + 1])])
    # 5 decimals and finer: a metre or less, no allowance
    cell = np.where(finest < 5, 10.0 ** -finest.astype(float), 0.0)
    return np.sqrt(2.0) * cell * np.pi / 180 * EARTH_RADIUS_M


def counts(reason: np.ndarray) -> dict[str, int]:
    codes, n = np.unique(reason[reason != OK], return_counts=True)
    return {REASONS[int(c)]: int(k) for c, k in zip(codes, n)}
