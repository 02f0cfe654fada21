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
from auditor.ingest import repeated_hour, time_formats
from auditor.ingest.values import as_array, to_float, to_text

_EPOCH = r"^[+-]?\d+(\.\d+)?$"
# An offset only counts after a time of day, so the '-01' of a bare date is not an offset.
# The time may be ISO-8601's basic form too ('20260302T132902Z', 'T1329+0100'), as pandas reads
# it: an offset it reads that this pattern missed made a stamp look naive.
_OFFSET = (r"[T ]\d{1,2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?\s*"
           r"(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)$")
_US_PER_S = 1_000_000
_UTC_WORD = r"(?i)(\d)\s*(?:UTC|GMT)$"
# ISO 8601 allows a comma before the fraction of a second ('08:00:00,123'; European exports)
_COMMA_FRACTION = r"(\d{2}:\d{2}:\d{2}),(\d+)"
_TAIL = re.compile(r"[+-]\d{2}:?\d{2}$")
# RFC 9557 (Java's ZonedDateTime, JS Temporal): '2026-03-02T15:40:41+01:00[Europe/Berlin]'. The
# offset fixes the instant; the bracketed zone (and tags such as [u-ca=iso8601]) add nothing
# ('…+01:00 Europe/Berlin' alike)
_TAGS_AFTER_OFFSET = (r"([Zz]|[+-]\d{2}(?::?\d{2})?)"
                      r"(?:\[[^\]]*\]|\s+[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+)+$")
# a zone name in place of an offset: '2026-03-02 15:40:41 Europe/Berlin', '…15:40:41[America/
# Chicago]': wall time in that zone, row by row
_ZONE_NAME = (r"^(?P<stamp>.*\d)\s*(?:\[(?P<bracketed>[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+)\]"
              r"|\s(?P<spaced>[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+))$")
# a zone abbreviation ('CET', 'EDT', 'CST'): no one offset (CST is Chicago's, Shanghai's and
# Havana's), so the stamp is wall time like a naive one: --tz says where
_ABBREVIATION = r"^(?P<stamp>.*\d)\s+(?P<abbr>[A-Z]{2,5})$"
_NOT_ZONES = ("AM", "PM")


@dataclass
class Parsed:
    ts: np.ndarray          # int64 UTC epoch seconds (0 where not ok)
    ok: np.ndarray          # bool: parsed
    offset_min: np.ndarray  # float64 minutes east of UTC; NaN = the source said nothing
    naive: np.ndarray       # bool: a valid naive time (needs a zone)
    # int64 UTC seconds of a wall time's second occurrence where it was read in a zone's
    # repeated autumn hour (= ts elsewhere); None: no such time (repeated_hour.py)
    later: Optional[np.ndarray] = None

    def set_later(self, rows: np.ndarray, later: np.ndarray) -> None:
        """Record the second occurrences of the rows just localised (``rows``: their index)."""
        moved = later != self.ts[rows]
        if moved.any():
            if self.later is None:
                self.later = self.ts.copy()
            self.later[rows[moved]] = later[moved]


# --tz vehicle: naive stamps are wall time in each vehicle's own timezone (its metadata), for
# a fleet across zones whose exporter writes local times without an offset
VEHICLE_ZONE = "vehicle"


def check_zone(tz: Optional[str]) -> None:
    if tz is None or tz == VEHICLE_ZONE:
        return
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        hint = zone_hint(tz)
        raise UserError(f"--tz {tz}: unknown time zone — "
                        + (hint or "use an IANA name such as Europe/Berlin or UTC")) from None


_FIXED_OFFSET = re.compile(r"^(?:UTC|GMT|Z)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.I)


def zone_hint(zone: str) -> Optional[str]:
    """What to write instead of a zone name that is not one: the IANA name in its own case
    ('europe/berlin'), or for a fixed offset ('+01:00', 'UTC+1') the Etc/ name with its
    inverted sign — or the place's zone, which keeps summer time. None when nothing fits."""
    text = str(zone).strip()
    folded = {z.casefold(): z for z in zoneinfo.available_timezones()}
    if text.casefold() in folded:
        return f"did you mean {folded[text.casefold()]!r}? (zone names are case-sensitive)"
    m = _FIXED_OFFSET.match(text)
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        place = "the zone of where the vehicles are (e.g. Europe/Berlin), which keeps summer time"
        if minutes or hours > 14:
            return f"{text!r} is a fixed offset with no Etc/ name: write {place}"
        if hours == 0:
            return f"{text!r} is UTC: write UTC, or {place}"
        etc = f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
        return (f"{text!r} is a fixed offset: write {etc} (POSIX names invert the sign) or "
                f"{place}")
    return None


def parse(values, tz: Optional[str] = None, time_format: Optional[str] = None) -> Parsed:
    """Parse one column. Naive values are localised when ``tz`` is given, else flagged.
    ``time_format``: the file's own strftime form (time_formats.py), for text and numbers."""
    arr = as_array(values)
    n = len(arr)
    out = Parsed(np.zeros(n, np.int64), np.zeros(n, bool), np.full(n, np.nan), np.zeros(n, bool))
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if time_format is not None and not pa.types.is_timestamp(arr.type):
        _from_format(to_text(arr), time_format, tz, out)
    elif pa.types.is_timestamp(arr.type):
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


def _localise(naive: pd.Series, tz: str
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Wall times in ``tz`` -> UTC seconds, valid, offsets, and the second occurrence's UTC
    seconds. Ambiguous (autumn) times are read as the first (DST) occurrence and nonexistent
    (spring) times move forward, so reruns agree; the rows' order may then say a time is the
    second one (repeated_hour.Refolder)."""
    local = naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), bool),
                                 nonexistent="shift_forward")
    secs, ok = _epoch_seconds(local.dt.tz_convert("UTC"))
    wall, _ = _epoch_seconds(local.dt.tz_localize(None))
    later = repeated_hour.second_occurrence(naive, tz, secs, ok)
    return secs, ok, (wall - secs) / 60.0, later


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
        secs, ok, off, later = _localise(series, tz)
        out.ts[:], out.ok[:], out.offset_min[ok] = secs, ok, off[ok]
        out.set_later(np.flatnonzero(ok), later[ok])


def _from_text(text: pa.Array, tz: Optional[str], out: Parsed) -> None:
    present = pc.is_valid(text).to_numpy(zero_copy_only=False)
    if not present.any():
        return
    rest = present & ~_fixed_width_iso(text, present, out)
    if not rest.any():
        return
    if rest.all() and _all_integers(text, out):
        return
    rest &= ~_common_iso(text, out)
    if not rest.any():
        return
    # '2025-03-03 07:00:00 UTC' (BigQuery's CSV export) and '... GMT' state UTC as a word
    text = pc.replace_substring_regex(text, _UTC_WORD, r"\1Z")
    text = pc.replace_substring_regex(text, _COMMA_FRACTION, r"\1.\2")
    # a zone named after the time ('[Europe/Berlin]', ' CET'): only stamps ending in two
    # letters or ']' can ('…00Z' cannot), and the regexes cost as much as a naive parse, so
    # the rest never meet them
    tail = pc.utf8_slice_codeunits(text, -2)
    if pc.any(pc.or_(pc.utf8_is_alpha(tail), pc.ends_with(tail, "]"))).as_py():
        text = pc.replace_substring_regex(text, _TAGS_AFTER_OFFSET, r"\1")
        rest &= ~_with_zone_names(text, rest, out)
        if not rest.any():
            return
        text = _without_abbreviations(text)
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
        idx = np.flatnonzero(naive)
        try:
            dt = _to_datetime(text, naive, utc=False)
        except ValueError:  # "Mixed timezones": offsets in a form _OFFSET does not know
            return  # beside naive stamps; left unparsed: bad_timestamp, its line shown
        if isinstance(dt.dtype, pd.DatetimeTZDtype):  # such offsets on every one of them
            secs, ok = _epoch_seconds(dt.dt.tz_convert("UTC"))
            wall, _ = _epoch_seconds(dt.dt.tz_localize(None))
            out.ts[idx[ok]], out.ok[idx[ok]] = secs[ok], True
            out.offset_min[idx[ok]] = ((wall - secs) / 60.0)[ok]
            return
        valid = dt.notna().to_numpy()
        if tz is None:
            out.naive[idx[valid]] = True
            return
        secs, ok, off, later = _localise(dt, tz)
        out.ts[idx[ok]], out.ok[idx[ok]], out.offset_min[idx[ok]] = secs[ok], True, off[ok]
        out.set_later(idx[ok], later[ok])


def _from_format(text: pa.Array, fmt: str, tz: Optional[str], out: Parsed) -> None:
    """Values in one strftime form: with %z each states its offset, else they are wall time
    (localised in ``tz``, or flagged naive)."""
    if "%z" in fmt:
        dt = time_formats.read(text, fmt, utc=True)
        secs, ok = _epoch_seconds(dt)
        out.ts[ok], out.ok[ok] = secs[ok], True
        strings = pa.Array.from_pandas(time_formats.prepared(text, fmt), type=pa.string())
        tails = pc.utf8_slice_codeunits(strings, -6)
        codes, uniques = pd.factorize(pd.Series(tails.to_pandas(), copy=False))
        minutes = np.array([_tail_minutes(u) for u in uniques] + [np.nan])[codes]
        out.offset_min[ok] = minutes[ok]
        return
    dt = time_formats.read(text, fmt, utc=False)
    valid = dt.notna().to_numpy()
    if tz is None:
        out.naive[valid] = True
        return
    secs, ok, off, later = _localise(dt, tz)
    out.ts[ok], out.ok[ok], out.offset_min[ok] = secs[ok], True, off[ok]
    out.set_later(np.flatnonzero(ok), later[ok])


def _with_zone_names(text: pa.Array, rows: np.ndarray, out: Parsed) -> np.ndarray:
    """Rows whose stamp ends in a zone's name instead of an offset, read as wall time in
    that zone (each distinct zone once); the rows taken. An unknown name is left unparsed."""
    parts = pc.extract_regex(text, _ZONE_NAME)
    bracketed, spaced = pc.struct_field(parts, [1]), pc.struct_field(parts, [2])
    zone = pc.if_else(pc.equal(bracketed, ""), spaced, bracketed)  # (a group not matched: "")
    named = pc.is_valid(zone).to_numpy(zero_copy_only=False) & rows
    if not named.any():
        return named
    stamp = pc.struct_field(parts, [0])
    zones = np.asarray(zone.to_pandas(), dtype=object)
    taken = np.zeros(len(rows), bool)
    for name in pd.unique(zones[named]):
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        these = named & (zones == name)
        idx = np.flatnonzero(these)
        try:
            dt = _to_datetime(stamp, these, utc=False)
        except ValueError:  # offsets of several kinds beside the names: left unparsed
            continue
        if isinstance(dt.dtype, pd.DatetimeTZDtype):
            continue  # an offset beside the name: the RFC 9557 form was stripped above
        secs, ok, off, later = _localise(dt, name)
        out.ts[idx[ok]], out.ok[idx[ok]], out.offset_min[idx[ok]] = secs[ok], True, off[ok]
        out.set_later(idx[ok], later[ok])
        taken[these] = True
    return taken


def _without_abbreviations(text: pa.Array) -> pa.Array:
    """Stamps ending in a zone abbreviation ('CET', 'EDT') without it: wall times, which
    --tz places (without --tz they are naive, and the import asks for it)."""
    parts = pc.extract_regex(text, _ABBREVIATION)
    abbr = pc.struct_field(parts, [1])
    strip = pc.and_(pc.is_valid(abbr),
                    pc.invert(pc.is_in(abbr, pa.array(_NOT_ZONES))))
    strip = pc.fill_null(strip, False)
    if not pc.any(strip).as_py():
        return text
    return pc.if_else(strip, pc.struct_field(parts, [0]), text)


_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
_SEPARATORS = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":"}
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _fixed_width_iso(text: pa.Array, present: np.ndarray, out: Parsed) -> np.ndarray:
    """The export form 'YYYY-MM-DDTHH:MM:SSZ' / '...+HH:MM', parsed from the string bytes with
    numpy (~10x faster than strptime). Only strings that are exactly that, with a valid date,
    time and offset, are taken; everything else goes on to the general path, which decides
    about it as it always did."""
    n = len(text)
    done = np.zeros(n, bool)
    if pa.types.is_large_string(text.type):
        width = np.int64
    elif pa.types.is_string(text.type):
        width = np.int32
    else:
        return done
    _, offsets_buf, data_buf = text.buffers()
    if data_buf is None:
        return done
    offsets = np.frombuffer(offsets_buf, width, n + 1, text.offset * np.dtype(width).itemsize)
    data = np.frombuffer(data_buf, np.uint8)
    lengths = np.diff(offsets)
    for size in (20, 25):
        fits = present & (lengths == size)
        if not fits.any():
            continue
        if fits.all() and offsets[-1] - offsets[0] == n * size:  # one block of equal strings
            rows = np.arange(n)
            m = data[offsets[0]:offsets[-1]].reshape(n, size)
        else:
            rows = np.flatnonzero(fits)
            m = data[offsets[rows].astype(np.int64)[:, None] + np.arange(size)]
        good = np.ones(len(rows), bool)
        for at, char in _SEPARATORS.items():
            good &= m[:, at] == char[0]
        d = m[:, _DIGITS].astype(np.int32) - 48
        good &= ((d >= 0) & (d <= 9)).all(axis=1)
        year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
        month, day = d[:, 4] * 10 + d[:, 5], d[:, 6] * 10 + d[:, 7]
        hour, minute, second = d[:, 8] * 10 + d[:, 9], d[:, 10] * 10 + d[:, 11], \
            d[:, 12] * 10 + d[:, 13]
        if size == 20:
            good &= m[:, 19] == ord("Z")
            offset = np.zeros(len(rows), np.int64)
        else:
            sign = np.where(m[:, 19] == ord("-"), -1, 1)
            good &= ((m[:, 19] == ord("+")) | (m[:, 19] == ord("-"))) & (m[:, 22] == ord(":"))
            tail = m[:, [20, 21, 23, 24]].astype(np.int32) - 48
            good &= ((tail >= 0) & (tail <= 9)).all(axis=1)
            off_h, off_m = tail[:, 0] * 10 + tail[:, 1], tail[:, 2] * 10 + tail[:, 3]
            good &= (off_h <= 23) & (off_m <= 59)
            offset = (sign * (off_h * 60 + off_m)).astype(np.int64)
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        month_ok = (month >= 1) & (month <= 12)
        last_day = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + (leap & (month == 2))
        good &= (year >= 1) & month_ok & (day >= 1) & (day <= last_day)
        good &= (hour <= 23) & (minute <= 59) & (second <= 59)
        month_index = np.where(good, year * 12 + month - 1, 0)
        days = _month_starts()[month_index] + (day - 1)
        secs = days * 86_400 + (hour * 3600 + minute * 60 + second) - offset * 60
        take = rows[good]
        out.ts[take] = secs[good]
        out.ok[take] = True
        out.offset_min[take] = offset[good]
        done[take] = True
    return done


_MONTH_STARTS: list = []


def _month_starts() -> np.ndarray:
    """Days since 1970-01-01 of the first of each month, indexed by year * 12 + month - 1
    (years 0..9999): one lookup per row instead of calendar arithmetic."""
    if not _MONTH_STARTS:
        years = np.repeat(np.arange(10_000, dtype=np.int64), 12)
        months = np.tile(np.arange(1, 13, dtype=np.int64), 10_000)
        _MONTH_STARTS.append(_days_from_civil(years, months, np.ones_like(years)))
    return _MONTH_STARTS[0]


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _all_integers(text: pa.Array, out: Parsed) -> bool:
    """Every present value an integer (epoch seconds or milliseconds): one arrow cast."""
    try:
        numbers = pc.cast(text, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    present = pc.is_valid(numbers).to_numpy(zero_copy_only=False)
    values = pc.fill_null(numbers, 0).to_numpy(zero_copy_only=False).astype(np.float64)
    _from_epoch(values, present, out)
    return True


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
