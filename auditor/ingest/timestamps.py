"""Timestamps of any accepted form -> UTC epoch seconds and the offset the source stated.

Accepted: ISO-8601 with an offset ('Z' = offset 0; offsets may differ row to row), naive
ISO-8601 plus a zone (--tz), epoch seconds / milliseconds (told apart by magnitude), and typed
Parquet timestamps. All of it is vectorised: pandas parses, arrow matches the offsets."""
from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditor.errors import UserError
from auditor.ingest.values import as_array, to_float, to_text

_EPOCH = r"^[+-]?\d+(\.\d+)?$"
# An offset only counts after a time of day, so the '-01' of a bare date is not an offset.
_OFFSET = r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)$"
_US_PER_S = 1_000_000
_TAIL = re.compile(r"[+-]\d{2}:?\d{2}$")


@dataclass
class Parsed:
    ts: np.ndarray          # int64 UTC epoch seconds (0 where not ok)
    ok: np.ndarray          # bool: parsed
    offset_min: np.ndarray  # float64 minutes east of UTC; NaN = the source said nothing
    naive: np.ndarray       # bool: a valid naive time (needs a zone)


def check_zone(tz: Optional[str]) -> None:
    if tz is None:
        return
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise UserError(f"--tz {tz}: unknown time zone — use an IANA name such as "
                        "Europe/Berlin or UTC") from None


def parse(values, tz: Optional[str] = None) -> Parsed:
    """Parse one column. Naive values are localised when ``tz`` is given, else flagged."""
    arr = as_array(values)
    n = len(arr)
    out = Parsed(np.zeros(n, np.int64), np.zeros(n, bool), np.full(n, np.nan), np.zeros(n, bool))
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_timestamp(arr.type):
        _from_typed(arr, tz, out)
    elif pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        _from_epoch(to_float(arr), np.ones(n, bool), out)
    else:
        _from_text(to_text(arr), tz, out)
    return out


def _from_epoch(numbers: np.ndarray, rows: np.ndarray, out: Parsed) -> None:
    """Seconds, ms, µs or ns since the epoch, by magnitude (now is ~1.7e9 s, ~1.7e12 ms)."""
    x = numbers[rows]
    mag = np.abs(x)
    scale = np.select([mag < 1e11, mag < 1e14, mag < 1e17], [1.0, 1e3, 1e6], 1e9)
    with np.errstate(invalid="ignore"):
        secs = np.floor(x / scale)
    good = np.isfinite(secs) & (np.abs(secs) < 1e11)
    idx = np.flatnonzero(rows)[good]
    out.ts[idx] = secs[good].astype(np.int64)
    out.ok[idx] = True


def _epoch_seconds(dt: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """tz-aware (UTC) or naive datetimes -> (int64 seconds, valid mask); floor, never round."""
    ok = dt.notna().to_numpy()
    us = dt.dt.as_unit("us").array.asi8 if hasattr(dt, "dt") else dt.as_unit("us").asi8
    return np.where(ok, us // _US_PER_S, 0), ok


def _localise(naive: pd.Series, tz: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wall times in ``tz`` -> UTC seconds + offsets. Ambiguous (autumn) times take the first
    (DST) occurrence and nonexistent (spring) times move forward, so reruns agree."""
    local = naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), bool),
                                 nonexistent="shift_forward")
    secs, ok = _epoch_seconds(local.dt.tz_convert("UTC"))
    wall, _ = _epoch_seconds(local.dt.tz_localize(None))
    return secs, ok, (wall - secs) / 60.0


def _from_typed(arr: pa.Array, tz: Optional[str], out: Parsed) -> None:
    series = pd.Series(arr.to_pandas(), copy=False)
    ok = series.notna().to_numpy()
    if arr.type.tz is not None:
        secs, ok = _epoch_seconds(series.dt.tz_convert("UTC"))
        wall, _ = _epoch_seconds(series.dt.tz_localize(None))
        out.ts[:], out.ok[:], out.offset_min[ok] = secs, ok, ((wall - secs) / 60.0)[ok]
    elif tz is None:
        out.naive[:] = ok
    else:
        secs, ok, off = _localise(series, tz)
        out.ts[:], out.ok[:], out.offset_min[ok] = secs, ok, off[ok]


def _from_text(text: pa.Array, tz: Optional[str], out: Parsed) -> None:
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    if not present.any():
        return
    rest = present & ~_common_iso(text, out)
    if not rest.any():
        return
    is_epoch = pc.fill_null(pc.match_substring_regex(text, _EPOCH), False)
    is_epoch = is_epoch.to_numpy(zero_copy_only=False) & rest
    if is_epoch.any():
        _from_epoch(to_float(text), is_epoch, out)
    rest &= ~is_epoch
    if not rest.any():
        return
    offset = pc.struct_field(pc.extract_regex(text, _OFFSET), [0])
    has_offset = pc.is_valid(offset).to_numpy(zero_copy_only=False) & rest
    if has_offset.any():
        _with_offset(text, offset, has_offset, out)
    naive = rest & ~has_offset
    if naive.any():
        dt = _to_datetime(text, naive, utc=False)
        valid = dt.notna().to_numpy()
        idx = np.flatnonzero(naive)
        if tz is None:
            out.naive[idx[valid]] = True
            return
        secs, ok, off = _localise(dt, tz)
        out.ts[idx[ok]], out.ok[idx[ok]], out.offset_min[idx[ok]] = secs[ok], True, off[ok]


def _common_iso(text: pa.Array, out: Parsed) -> np.ndarray:
    """Fast path for the usual export form '2024-03-01T08:00:00+01:00' / '...Z' (arrow's
    strptime is ~3x faster than pandas); anything else is left to the general path."""
    parsed = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True)
    ok = pc.is_valid(parsed).to_numpy(zero_copy_only=False)
    if not ok.any():
        return ok
    secs = pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False)
    mine = text.filter(pa.array(ok))
    # the offset sits in the last 6 characters ('+01:00', '-0530', 'MM:SSZ'): decode each
    # distinct tail once
    tails = pc.utf8_slice_codeunits(mine, -6)
    codes, uniques = pd.factorize(pd.Series(tails.to_pandas(), copy=False))
    minutes = np.array([_tail_minutes(u) for u in uniques] + [np.nan])[codes]
    # strptime rolls '02-30' over into March: keep only rows whose written day survived
    local = pa.array(secs[ok] + (np.nan_to_num(minutes) * 60).astype(np.int64), pa.timestamp("s"))
    written = pc.cast(pc.utf8_slice_codeunits(mine, 8, 10), pa.int64())
    same_day = pc.equal(pc.day(local), written).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(ok)
    ok[idx[~same_day]] = False
    out.ts[idx[same_day]] = secs[idx[same_day]]
    out.ok[idx[same_day]] = True
    out.offset_min[idx[same_day]] = minutes[same_day]
    return ok


def _tail_minutes(tail: str) -> float:
    if tail.endswith(("Z", "z")):
        return 0.0
    match = _TAIL.search(tail)
    return _offset_minutes(match.group(0)) if match else np.nan


def _to_datetime(text: pa.Array, rows: np.ndarray, utc: bool) -> pd.Series:
    subset = text if rows.all() else text.filter(pa.array(rows))
    strings = pd.Series(subset.to_pandas(), copy=False)
    return pd.to_datetime(strings, format="ISO8601", utc=utc, errors="coerce")


def _with_offset(text: pa.Array, offset: pa.Array, rows: np.ndarray, out: Parsed) -> None:
    dt = _to_datetime(text, rows, utc=True)
    secs, ok = _epoch_seconds(dt)
    idx = np.flatnonzero(rows)
    out.ts[idx[ok]], out.ok[idx[ok]] = secs[ok], True
    # Few distinct offsets per file: decode each distinct string once.
    off = offset if rows.all() else offset.filter(pa.array(rows))
    codes, uniques = pd.factorize(pd.Series(off.to_pandas(), copy=False))
    minutes = np.array([_offset_minutes(u) for u in uniques] + [np.nan])
    out.offset_min[idx[ok]] = minutes[codes][ok]


def _offset_minutes(text: str) -> float:
    if text in ("Z", "z"):
        return 0.0
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
    return float(-minutes if text[0] == "-" else minutes)
