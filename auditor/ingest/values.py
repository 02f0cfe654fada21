"""Arrow columns of any source type -> clean numpy arrays (numbers) or arrow strings (text).

Readers hand us strings (CSV) or typed columns (Parquet); both end up the same here. Bad
values become NaN / null so that the quarantine rules can name them, never an exception."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_DECIMAL_COMMA = r"^([+-]?\d+),(\d+)$"  # '52,51' from ';'-separated European exports


def as_array(values) -> pa.Array:
    """One contiguous arrow array (readers may hand over chunked columns)."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if isinstance(values, pa.Array):
        return values
    return pa.array(values)


def to_text(values) -> pa.Array:
    """Trimmed strings; empty -> null. Numbers from Parquet become their decimal text."""
    arr = as_array(values)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        try:
            arr = pc.cast(arr, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            arr = pa.array([None if v is None else str(v) for v in arr.to_pylist()], pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)


def to_float(values) -> np.ndarray:
    """float64 numpy array; missing or unparseable -> NaN."""
    arr = as_array(values)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    kind = arr.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return _numpy(pc.cast(arr, pa.float64(), safe=False))
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        try:  # fastest path: every value a plain number already (no blanks, no spaces)
            return _only_numbers(arr, _numpy(pc.cast(arr, pa.float64())))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    text = to_text(arr)
    try:  # fast path: every value is a number
        return _only_numbers(text, _numpy(pc.cast(text, pa.float64())))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    text = pc.replace_substring_regex(text, _DECIMAL_COMMA, r"\1.\2")
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
    return _numpy(pc.cast(pc.if_else(ok, text, pa.scalar(None, text.type)), pa.float64()))


def _only_numbers(text: pa.Array, values: np.ndarray) -> np.ndarray:
    """Arrow's cast also reads 'inf', 'nan' and 'Infinity', which the general path (the
    _NUMBER pattern) refuses: the same text must get the same value whichever chunk it is in
    (and whatever else that chunk holds), so those become NaN here too. Only the few
    non-finite results are looked at; '1e999' is a number (inf) either way."""
    odd = ~np.isfinite(values)
    if not odd.any():
        return values
    rows = np.flatnonzero(odd)
    picked = pc.utf8_trim_whitespace(text.take(pa.array(rows)))
    number = pc.fill_null(pc.match_substring_regex(picked, _NUMBER), False)
    values = values.copy()
    values[rows[~number.to_numpy(zero_copy_only=False).astype(bool)]] = np.nan
    return values


def _numpy(arr: pa.Array) -> np.ndarray:
    out = arr.to_numpy(zero_copy_only=False)
    return np.asarray(out, dtype=np.float64)
