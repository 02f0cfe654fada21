"""Dates and numbers written the way Iran and the Arab world write them, made what the rest of
the import reads: Persian (۰-۹) and Arabic-Indic (٠-٩) digits as ASCII digits, the Arabic
decimal separator (٫) as a dot, and Solar Hijri (Jalali) dates — what Iranian platforms show
and export, ``1402/12/19 08:03:07`` — as Gregorian ones (``2024-03-09 08:03:07``).

Applied to every text column of every chunk as it is read (readers.Source.chunks), so each
file is read the same whichever field a column turns out to be. Only columns without letters
change: a plate ``۱۲ ب ۳۴۵ ایران ۱۱`` keeps its spelling (ids must match the labels file's),
a date ``۱۴۰۲/۱۲/۱۹`` is read; an id of digits alone (``٤٤٢``) is read as ``442`` in every file
alike. A Jalali year (1350-1480 here: no GPS fix is from a Gregorian
year like that) is told by the value, its date part converted and the rest of the text kept.
A refused row is shown with the converted text.

Columns are judged on a sample of each chunk (its first values and values spread through it):
a chunk whose sampled values are plain ASCII with no Jalali date is passed on untouched, so
most files pay next to nothing."""
from __future__ import annotations

import re
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Persian and Arabic-Indic digits, the Arabic decimal and thousands separators
_DIGITS = {**{chr(0x06F0 + i): str(i) for i in range(10)},
           **{chr(0x0660 + i): str(i) for i in range(10)},
           "\u066b": ".", "\u066c": ""}
_EASTERN = "[\u06f0-\u06f9\u0660-\u0669]"
_LETTER = r"\p{L}"
# a Jalali date at the start of a value: year 1350-1480, month, day, then anything (a time)
_JALALI = r"^\s*(?P<y>1(?:3[5-9]|4[0-8])\d)[/\-.](?P<m>\d{1,2})[/\-.](?P<d>\d{1,2})(?P<rest>(?:[ T].*)?)$"
_JALALI_START = r"^\s*1(?:3[5-9]|4[0-8])\d[/\-.]\d{1,2}[/\-.]\d{1,2}(?:[ T]|$)"
SAMPLE = 64
# 1 Farvardin 1403 (Nowruz) was 20 March 2024: the anchor the years are counted from
_ANCHOR_YEAR, _ANCHOR_DAY = 1403, np.datetime64("2024-03-20", "D").astype(np.int64)
# leap years of the 33-year cycle (year mod 33), which agrees with the astronomical calendar
# Iran keeps from 1343 to 1472 AP (1964-2093)
_LEAP = np.zeros(33, bool)
_LEAP[[1, 5, 9, 13, 17, 22, 26, 30]] = True


def normalised(chunks: Iterator) -> Iterator:
    """The chunks with their eastern digits and Jalali dates read (module docstring)."""
    for chunk in chunks:
        table = chunk.table
        for i, name in enumerate(table.column_names):
            col = table.column(i)
            if not pa.types.is_string(col.type) or not len(col):
                continue
            if isinstance(col, pa.ChunkedArray):  # (a reader's chunk: one piece, no copy)
                col = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
            fixed = _column(col)
            if fixed is not None:
                table = table.set_column(i, name, fixed)
        chunk.table = table
        yield chunk


def _sample(col: pa.Array) -> list[str]:
    n = len(col)
    idx = np.unique(np.concatenate([np.arange(min(n, SAMPLE)),
                                    np.linspace(0, n - 1, min(n, SAMPLE)).astype(np.int64)]))
    return [v for v in col.take(pa.array(idx)).to_pylist() if v]


def _column(col: pa.Array):
    """The column read anew, or None when nothing in it needs it."""
    sample = _sample(col)
    eastern = any(not v.isascii() for v in sample) and pc.any(
        pc.match_substring_regex(col, _EASTERN)).as_py()
    if eastern and pc.any(pc.match_substring_regex(col, _LETTER)).as_py():
        eastern = False  # text with words (a plate, a place): an id keeps its spelling
    if eastern:
        for digit, ascii_ in _DIGITS.items():
            col = pc.replace_substring(col, digit, ascii_)
        sample = _sample(col)
    jalali = any(re.match(_JALALI_START, v) for v in sample)
    if jalali:
        return _gregorian(col)
    return col if eastern else None


def _gregorian(col: pa.Array) -> pa.Array:
    parts = pc.extract_regex(col, _JALALI)
    ok = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    if not ok.any():
        return col
    y = _ints(pc.struct_field(parts, "y"))
    m = _ints(pc.struct_field(parts, "m"))
    d = _ints(pc.struct_field(parts, "d"))
    valid = ok & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & ((m <= 6) | (d <= 30))
    days = jalali_days(np.where(valid, y, _ANCHOR_YEAR), np.where(valid, m, 1),
                       np.where(valid, d, 1))
    dates = pa.array(np.datetime_as_string(days.astype("datetime64[D]")), pa.string())
    rest = pc.fill_null(pc.struct_field(parts, "rest"), "")
    converted = pc.binary_join_element_wise(dates, rest, "")
    return pc.if_else(pa.array(valid), converted, col)


def _ints(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.cast(pc.fill_null(arr, "0"), pa.int64()), 0)
                      .to_numpy(zero_copy_only=False), np.int64)


def jalali_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of Jalali dates (month 1-12: six months of 31 days, five of 30,
    Esfand 29 or 30 in a leap year)."""
    year = np.asarray(year, np.int64)
    lo = min(int(year.min()), _ANCHOR_YEAR)
    hi = max(int(year.max()), _ANCHOR_YEAR)
    years = np.arange(lo, hi + 1)
    lengths = 365 + _LEAP[years % 33]
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])   # from 1 Farvardin of year lo
    starts = starts - starts[_ANCHOR_YEAR - lo] + _ANCHOR_DAY
    month = np.asarray(month, np.int64)
    before = np.where(month <= 7, (month - 1) * 31, 186 + (month - 7) * 30)
    return starts[year - lo] + before + np.asarray(day, np.int64) - 1
