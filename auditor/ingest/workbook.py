"""Excel workbooks (.xlsx / .xlsm, as fleet platforms' report exports and analysts' own
sheets are) -> chunks of string columns, like a CSV's.

Read with openpyxl in read-only mode, streamed row by row (openpyxl yields Python tuples: about
50k rows/s, fine for a sheet's at most 1,048,576 rows). The sheet read is the one with the most
rows (a report's track beside its summary sheet); the summary names it when there are several.
A report's title rows above the header are skipped as in a CSV (readers._title_lines), and a
row's number is its row in Excel. Cell values become the text a CSV export would hold: dates
and times ISO (``2024-03-01 08:03:07``; a column of midnights is dates only, to be joined with
a time column), whole numbers without ``.0``."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterator, Optional

import numpy as np
import pyarrow as pa

from auditor.errors import UserError

SUFFIXES = (".xlsx", ".xlsm")
TITLE_ROWS = 5


def is_workbook(names: list[str]) -> bool:
    """A zip archive's member names are an OOXML spreadsheet's."""
    return "xl/workbook.xml" in names


def _load(path: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises KeyError/zip/XML errors alike
        raise UserError(f"{path}: an Excel workbook that cannot be read ({type(exc).__name__}: "
                        f"{str(exc).splitlines()[0] if str(exc) else 'damaged'}) — open it in "
                        "Excel and save it again, or save the sheet as CSV (UTF-8)") from None


def choose_sheet(path: Path) -> tuple[str, int, int]:
    """(the sheet with the most rows, its row count as the file states it, sheets with rows)."""
    book = _load(path)
    try:
        sizes = [(ws.title, ws.max_row or 0) for ws in book.worksheets
                 if getattr(ws, "max_row", None) is not None]
    finally:
        book.close()
    filled = [s for s in sizes if s[1] > 1]
    if not filled:
        raise UserError(f"{path}: an Excel workbook with no sheet of rows — export it again "
                        "with a header and rows")
    title, n = max(filled, key=lambda s: s[1])  # the first of equals, in the workbook's order
    return title, n, len(filled)


def header(path: Path, sheet: str) -> tuple[list[str], int]:
    """(column names, the header's 1-based row)."""
    rows = _rows(path, sheet)
    try:
        top = [row for _, row in zip(range(TITLE_ROWS + 1), rows)]
    finally:
        rows.close()
    skip = 0
    for k, row in enumerate(top):
        filled = sum(v is not None and str(v).strip() != "" for v in row)
        if filled >= 3:  # (title rows: at most two cells, as readers._title_lines)
            skip = k
            break
    if skip >= len(top):
        raise UserError(f"{path}: sheet {sheet!r} has no header row — export it again")
    names = [_text(v) for v in top[skip]]
    while names and not names[-1]:
        names.pop()
    columns = [n.strip() or f"column_{i + 1}" for i, n in enumerate(names)]
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise UserError(f"{path}: sheet {sheet!r} row {skip + 1}: column {dupes[0]!r} appears "
                        "twice in the header — rename one of them")
    return columns, skip + 1


def chunks(path: Path, sheet: str, columns: list[str], header_row: int,
           rows: int) -> Iterator[tuple[pa.Table, np.ndarray]]:
    """(string columns, Excel row numbers) per ``rows`` data rows; blank rows skipped."""
    width = len(columns)
    batch: list = []
    numbers: list = []
    it = _rows(path, sheet)
    try:
        for number, row in enumerate(it, start=1):
            if number <= header_row:
                continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            batch.append(tuple(row[:width]) + (None,) * (width - len(row)))
            numbers.append(number)
            if len(batch) == rows:
                yield _table(batch, columns), np.asarray(numbers, np.int64)
                batch, numbers = [], []
    finally:
        it.close()
    if batch:
        yield _table(batch, columns), np.asarray(numbers, np.int64)


def _rows(path: Path, sheet: str):
    book = _load(path)
    try:
        yield from book[sheet].iter_rows(values_only=True)
    finally:
        book.close()


def _table(batch: list, columns: list[str]) -> pa.Table:
    out = {}
    for name, values in zip(columns, zip(*batch)):
        dates_only = all(v is None or (isinstance(v, dt.datetime) and v.time() == dt.time())
                         for v in values) and any(v is not None for v in values)
        out[name] = pa.array([_text(v, dates_only) for v in values], pa.string())
    return pa.table(out)


def _text(value, dates_only: bool = False) -> Optional[str]:
    """A cell as a CSV export would write it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if dates_only:
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="microseconds" if value.microsecond
                               else "seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
