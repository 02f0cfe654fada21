"""A file that writes the date and the time of day in two columns ('Datum;Uhrzeit',
'date,time', a Parquet date32 beside a time32): joined into one stamp column, which the import
then reads as any other ('2026-03-02 15:40:41', '02.03.2026 15:40:41' — time_formats.py),
in every chunk alike. The joined column is no column of the file: a refused row is shown as
the file wrote it (readers.ADDED_COLUMNS)."""
from __future__ import annotations

from typing import Iterator, Mapping, Optional

import pyarrow as pa
import pyarrow.compute as pc

from auditor.ingest.readers import JOINED_TIME, Chunk
from auditor.ingest.values import to_text

# a time of day alone: '15:40', '15:40:41.5', '3:40:41 PM', '15.40.41', '15:40:41Z'
_TIME_ONLY = (r"^\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*"
              r"(?:[Zz]|[+-]\d{2}:?\d{2}|UTC|GMT)?$")
# a date and a time of day in one value: '2024-03-18 09:59:02', '18/03/2024 9:59', '2024-03-18T09:59'
_DATE_AND_TIME = r"^\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[ T]+|,\s*)\d{1,2}:\d{2}"
SURE_SHARE = 0.9  # of a column's first values that are times of day alone
SAMPLE = 1000


def pair(fields: Mapping[str, str], chunk: Chunk) -> Optional[tuple[str, str]]:
    """(date column, time column) when the file writes them apart: a date column (header
    'date', 'datum', 'fecha'… or --map date=) beside a time column — --map time_of_day=, a
    header such as 'uhrzeit' or 'hora', or the timestamp column ('time') when its first values
    are times of day alone. None otherwise."""
    date = fields.get("date")
    if date is None:
        return None
    time = fields.get("time_of_day")
    if time is None:
        stamp = fields.get("timestamp")
        if stamp is None or stamp == date or not times_only(chunk.table.column(stamp)):
            return None
        time = stamp
    return date, time


def times_only(column) -> bool:
    """Most of the column's first values are a time of day without a date."""
    if pa.types.is_time(column.type):
        return True
    text = to_text(column.slice(0, SAMPLE)).drop_null()
    if not len(text):
        return False
    hits = pc.sum(pc.match_substring_regex(text, _TIME_ONLY)).as_py() or 0
    return hits >= SURE_SHARE * len(text)


def date_is_stamp(fields: Mapping[str, str], column) -> dict:
    """``fields`` with the date column read as the timestamp when there is no timestamp or
    time-of-day column and its first values carry a time of day too ('Fecha' or
    'fecha_local': '2024-03-18 09:59:02'); ``fields`` as they are otherwise."""
    date = fields.get("date")
    if date is None or "timestamp" in fields or "time_of_day" in fields or column is None:
        return dict(fields)
    text = to_text(column.slice(0, SAMPLE)).drop_null()
    hits = pc.sum(pc.match_substring_regex(text, _DATE_AND_TIME)).as_py() or 0 if len(text) else 0
    if not len(text) or hits < SURE_SHARE * len(text):
        return dict(fields)
    out = {f: c for f, c in fields.items() if f != "date"}
    return {**out, "timestamp": date}


def fields_with(fields: Mapping[str, str]) -> dict:
    """``fields`` reading the timestamp from the joined column."""
    out = {f: c for f, c in fields.items() if f not in ("date", "time_of_day")}
    return {**out, "timestamp": JOINED_TIME}


def joined(chunks: Iterator[Chunk], columns: Optional[tuple[str, str]]) -> Iterator[Chunk]:
    """``chunks``, each with the column JOINED_TIME: date, a space, time (null where either
    is missing); as they are when ``columns`` is None."""
    return chunks if columns is None else _join(chunks, columns)


def _join(chunks: Iterator[Chunk], columns: tuple[str, str]) -> Iterator[Chunk]:
    date, time = columns
    try:
        for c in chunks:
            stamp = pc.binary_join_element_wise(to_text(c.table.column(date)),
                                                to_text(c.table.column(time)), " ")
            yield Chunk(c.table.append_column(JOINED_TIME, stamp), c.lines, c.rejected, c.join)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def describe(columns: tuple[str, str]) -> str:
    return f"times joined from its date and time columns ({columns[0]} + {columns[1]})"


__all__ = ["pair", "times_only", "date_is_stamp", "fields_with", "joined", "describe"]
