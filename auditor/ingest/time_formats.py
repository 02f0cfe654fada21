"""A file's own way of writing times when it is not ISO-8601 or epoch numbers: regional and
spreadsheet forms such as '02.03.2026 15:40:41', '03/02/2026 3:40:41 PM', '2 Mar 2026 15:40'
or '20260302154041'.

The form is found once per file, from its first rows (pandas' format guesser), and every
chunk is then read with that one strftime format — chunks never disagree. Day and month
written as numbers are ordered by the dates themselves: '13/02' can only be day first. When no
date of the file tells (every day is 12 or less) the import asks, naming both formats; the
user answers with --time-format, which also reads any form the guesser does not know."""
from __future__ import annotations

import itertools
import re
import warnings
from typing import Callable, Iterable, Optional

import numpy as np
import pandas as pd
import pyarrow as pa

from auditor.errors import UserError
from auditor.ingest.values import to_float

# '3:40:41 PM', '3:40PM': pandas' guesser knows no AM/PM, so it guesses the rest and %p is added
_AM_PM = re.compile(r"(\s*)[AaPp][Mm]$")
# ISO 8601's comma before a fraction of a second ('15:40:41,123', as European exports write)
_COMMA_FRACTION = re.compile(r"(\d{2}:\d{2}:\d{2}),(\d+)")
GUESS_VALUES = 20  # distinct first values a format is guessed from (the most common guess wins)
# month names of other languages, read as English abbreviations (which strftime's %b reads):
# '2. März 2026 08:15', '2 févr. 2026 08:15', '02-ene-2026 08:15'; English full names need
# nothing
_MONTH_WORDS = {
    "Jan": ("januar", "jänner", "jän", "janvier", "janv", "enero", "ene", "gennaio", "gen",
            "januari", "janeiro"),
    "Feb": ("februar", "février", "fevrier", "févr", "fevr", "fév", "febrero", "febbraio",
            "februari", "fevereiro", "fev"),
    "Mar": ("märz", "maerz", "mär", "mrz", "mars", "marzo", "maart", "março", "marco", "mrt"),
    "Apr": ("avril", "avr", "abril", "abr", "aprile"),
    "May": ("mai", "mayo", "maggio", "mag", "mei", "maio"),
    "Jun": ("juni", "juin", "junio", "giugno", "giu", "junho"),
    "Jul": ("juli", "juillet", "juil", "julio", "luglio", "lug", "julho"),
    "Aug": ("août", "aout", "agosto", "ago", "augustus"),
    "Sep": ("septembre", "septiembre", "settembre", "setembro", "set"),
    "Oct": ("oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out"),
    "Nov": ("novembre", "noviembre", "novembro"),
    "Dec": ("dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre",
            "dezembro"),
}
# English abbreviations too, so a dot after any of them goes ('Jan.' beside 'März')
_MONTH_OF = {**{en.lower(): en for en in _MONTH_WORDS}, "sept": "Sep",
             **{w: en for en, words in _MONTH_WORDS.items() for w in words}}
_MONTH_NAME = re.compile(r"\b(" + "|".join(sorted(map(re.escape, _MONTH_OF), key=len, reverse=True))
                         + r")\b\.?", re.IGNORECASE)


# ctime's and Java's Date.toString() zone between the time and the year ('Mon Mar 02 15:40:41
# CET 2026'): UTC/GMT is an offset, put after the year; an abbreviation is wall time (--tz
# places it), dropped
_MID_UTC = re.compile(r"(\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+(?:UTC|GMT|Z)\s+(\d{4})$", re.I)
_MID_ZONE = re.compile(r"(\d:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+[A-Z]{2,5}\s+(\d{4})$")


# JavaScript's Date.toString() ('Sat Mar 14 2026 08:00:00 GMT+0100 (Central European
# Standard Time)'): the offset after GMT is the offset, the zone's name in brackets dropped
_GMT_OFFSET = re.compile(r"\s+(?:GMT|UTC)([+-]\d{2}:?\d{2})(?:\s+\([^()]*\))?$")


def _zone_before_year(text: str) -> str:
    text = _GMT_OFFSET.sub(r" \1", text)
    return _MID_ZONE.sub(r"\1 \2", _MID_UTC.sub(r"\1 \2 +0000", text))


def _english_months(text: str) -> str:
    return _MONTH_NAME.sub(lambda m: _MONTH_OF[m.group(1).lower()], text)

# a spreadsheet's serial days (days since 1899-12-30, the fraction the time of day): what a
# date column becomes when a sheet saves it as a number ('46083.6532' is 2026-03-02 15:40:41)
SERIAL_DAYS = "spreadsheet-days"
_SERIAL_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")
# serial days of 1970 to 2100: below them epoch numbers would be 1970's first day
SERIAL_RANGE = (25_569.0, 73_051.0)


def guess(values: Iterable) -> Optional[str]:
    """The strftime format most of the first distinct ``values`` are written in, day first
    where day and month are both numbers (``orders`` gives both readings). None when no
    value looks like a date."""
    seen: dict[str, bool] = {}  # cleaned text -> a month name was translated in it
    for value in values:
        text = _clean(value)
        if text:
            seen.setdefault(text, text != _clean(value, months=False))
            if len(seen) >= GUESS_VALUES:
                break
    if seen and all(_serial_day(text) for text in seen):
        return SERIAL_DAYS
    counts: dict[str, int] = {}
    for text, translated in seen.items():
        found = _guess_one(text)
        if found and translated:  # 'mai' became 'May': an abbreviation like the others
            found = found.replace("%B", "%b")
        if found:
            counts[found] = counts.get(found, 0) + 1
    return max(counts, key=lambda f: (counts[f], f)) if counts else None


def _serial_day(text: str) -> bool:
    try:
        x = float(text)
    except ValueError:
        return False
    return SERIAL_RANGE[0] <= x < SERIAL_RANGE[1] and x != int(x)  # a time of day: a fraction


def _clean(value, months: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if months and any(c.isalpha() for c in text):
        text = _zone_before_year(_english_months(text))
    return _COMMA_FRACTION.sub(r"\1.\2", text)


# a two-digit year after day and month ('3/2/26 15:40', Excel's m/d/yy h:mm; '02.03.26'):
# pandas' guesser knows none, so it guesses the four-digit form and %y is put back
_SHORT_YEAR = re.compile(r"^(\d{1,2}([./-])\d{1,2}\2)(\d{2})(?=[ T])")


def _guess_one(text: str) -> Optional[str]:
    short = _SHORT_YEAR.match(text)
    if short:
        found = _guess_one(short.group(1) + "20" + text[short.end(1):])
        return found.replace("%Y", "%y", 1) if found and found.count("%Y") == 1 else None
    from pandas.tseries.api import guess_datetime_format
    am_pm = _AM_PM.search(text)
    core = text[:am_pm.start()] if am_pm else text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'Parsing dates in %d/%m/%Y format when dayfirst…'
        found = guess_datetime_format(core, dayfirst=True)
        if found is None or found.startswith("%Y"):  # year first is always year-month-day
            found = guess_datetime_format(core) or found
    if found is None or "%H" not in found and "%I" not in found:
        return None   # a date alone is no ping's time
    if am_pm:
        found = found.replace("%H", "%I") + am_pm.group(1) + "%p"
    return found


def orders(fmt: str) -> list[str]:
    """The readings a format allows: day first and month first when both are numbers and the
    year is not first, else the format alone."""
    if fmt == SERIAL_DAYS:
        return [fmt]
    if "%d" in fmt and "%m" in fmt and not fmt.startswith(("%Y", "%y")):
        swapped = fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
        day_first = fmt if fmt.index("%d") < fmt.index("%m") else swapped
        return [day_first, swapped if day_first == fmt else fmt]
    return [fmt]


def order_words(fmt: str) -> str:
    """'day first' or 'month first' for a format with both in numbers, else ''."""
    if len(orders(fmt)) == 1:
        return ""
    return "day first" if fmt.index("%d") < fmt.index("%m") else "month first"


def describe(fmt: str) -> str:
    """A format for people: "read as %d %b %Y %H:%M", or for day and month in numbers
    "day or month first, as the file's dates tell"."""
    if fmt == SERIAL_DAYS:
        return "a spreadsheet's serial days, read as days since 1899-12-30"
    if len(orders(fmt)) == 1:
        return f"read as {fmt}"
    return "day or month first, as the file's dates tell"


def read(values: pa.Array, fmt: str, utc: bool) -> pd.Series:
    """``values`` (text) read with ``fmt``; NaT where a value does not fit it. With %z the
    result is UTC (``utc`` must be True). SERIAL_DAYS: wall time, to the second."""
    if fmt == SERIAL_DAYS:
        days = to_float(values)
        with np.errstate(invalid="ignore"):
            secs = np.round(days * 86_400.0)
        ok = np.isfinite(secs) & (days >= SERIAL_RANGE[0]) & (days < SERIAL_RANGE[1])
        stamps = np.where(ok, secs, 0).astype(np.int64) + _SERIAL_EPOCH.astype(np.int64)
        return pd.Series(np.where(ok, stamps.astype("datetime64[s]"), np.datetime64("NaT")),
                         dtype="datetime64[s]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(prepared(values, fmt), format=fmt, errors="coerce", utc=utc)


def prepared(values: pa.Array, fmt: str) -> pd.Series:
    """``values`` as ``fmt`` reads them: trimmed, a comma fraction a dot, and for month
    names other languages' in English and a zone between time and year moved or dropped (as
    ``guess`` saw them)."""
    strings = pd.Series(values.to_pandas(), copy=False, dtype=object)
    strings = strings.str.strip().str.replace(_COMMA_FRACTION, r"\1.\2", regex=True)
    if "%b" in fmt:  # (guess writes other languages' month names as English %b)
        strings = strings.str.replace(_MONTH_NAME, lambda m: _MONTH_OF[m.group(1).lower()],
                                      regex=True)
        strings = strings.str.replace(_GMT_OFFSET, r" \1", regex=True)
        strings = strings.str.replace(_MID_UTC, r"\1 \2 +0000", regex=True)
        strings = strings.str.replace(_MID_ZONE, r"\1 \2", regex=True)
    return strings


def fits(values: pa.Array, fmt: str) -> int:
    """How many of ``values`` read as ``fmt``."""
    return int(read(values, fmt, utc="%z" in fmt).notna().sum())


class _Reading:
    """One reading of a file's stamps: how many fit, and the span of the times they give."""

    def __init__(self, fmt: str):
        self.fmt, self.count, self.lo, self.hi = fmt, 0, None, None

    def add(self, values: pa.Array) -> None:
        dt = read(values, self.fmt, utc="%z" in self.fmt).dropna()
        self.count += len(dt)
        if len(dt):
            lo, hi = dt.min(), dt.max()
            self.lo = lo if self.lo is None else min(self.lo, lo)
            self.hi = hi if self.hi is None else max(self.hi, hi)

    @property
    def span(self):
        return (self.hi - self.lo) if self.count else None


def choose(name: str, fmt: str, sample: pa.Array, rest: Iterable[pa.Array],
           read_on: Optional[Callable[[int], None]] = None) -> str:
    """The reading of ``fmt`` (``orders``) that fits the most values: the sample decides when
    it can, else the rest of the file is read until one reading fails where the other fits.
    When every day is 12 or less both fit all: the reading that keeps the times closest
    together wins (read the other way a tracker's consecutive days lie a month apart), if
    its span is at most half the other's. Raises UserError when nothing tells.
    ``read_on(rows)``: called with the rows of ``rest`` read so far, before each further
    chunk is weighed (progress through a long file; it may raise Cancelled)."""
    forms = orders(fmt)
    if len(forms) == 1:
        return fmt
    readings = [_Reading(f) for f in forms]
    rows = 0
    for values in itertools.chain([sample], rest):
        if values is not sample:
            rows += len(values)
            if read_on is not None:
                read_on(rows)
        for r in readings:
            r.add(values)
        if readings[0].count != readings[1].count:
            return max(readings, key=lambda r: r.count).fmt
    spans = [r.span for r in readings]
    if all(s is not None for s in spans) and max(spans) > 2 * min(spans):
        return readings[spans.index(min(spans))].fmt
    example = next((_clean(v) for v in sample.to_pylist() if _clean(v)), "")
    if readings[0].count < 0.99 * (len(sample) + rows):  # (the counts are equal here)
        # each reading refuses as many rows: devices writing each way in one file
        raise UserError(
            f"{name}: its times ({example!r}) read only day first on some rows and only month "
            f"first on as many others — devices writing each way? Pass --time-format "
            f"'{forms[0]}' (day first) or --time-format '{forms[1]}' (month first): a vehicle "
            "whose rows read only the other way is then read its own way")
    raise UserError(
        f"{name}: its times ({example!r}) read day first or month first alike — no day in the "
        f"file is above 12 — pass --time-format '{forms[0]}' (day first) or --time-format "
        f"'{forms[1]}' (month first); in the import wizard, pick 'Day and month'")


def check(fmt: str) -> str:
    """A --time-format as given, or one clear error: a format must have a time of day."""
    text = str(fmt).strip()
    if text == SERIAL_DAYS:
        return text
    if "%" not in text:
        raise UserError(f"--time-format {fmt!r}: write it with strftime codes, e.g. "
                        "'%d.%m.%Y %H:%M:%S' or '%m/%d/%Y %I:%M %p' (or "
                        f"{SERIAL_DAYS} for a spreadsheet's serial days)")
    if "%H" not in text and "%I" not in text:
        raise UserError(f"--time-format {fmt!r} has no hour (%H, or %I with %p): a ping's "
                        "time needs one")
    return text


__all__ = ["guess", "orders", "order_words", "describe", "prepared", "read", "fits", "choose",
           "check"]
