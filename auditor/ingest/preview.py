"""What the import wizard shows before anything is imported: the first rows of a file as the
import will read them (the same reader: delimiter sniffing, encoding, Parquet, GPX), and the
kind and column mapping the import would guess (the same alias table and kind rule)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pandas as pd
import pyarrow.compute as pc

from auditor.errors import UserError
from auditor.ingest.columns import guess_kind, resolve
from auditor.ingest.readers import display_text, open_source
from auditor.outputs import check_input_file

PREVIEW_ROWS = 20
PREVIEW_SEARCH_CHUNKS = 50  # chunks of malformed lines read past before the preview gives up


@dataclass
class FilePreview:
    path: Path
    file_format: str          # csv | parquet | gpx
    frame: pd.DataFrame       # the first rows, every cell as text
    delimiter: Optional[str]  # CSV only
    encoding: Optional[str]   # CSV only
    note: Optional[str] = None  # what the user must know about the rows shown (none readable)


def read_preview(path: str | Path, rows: int = PREVIEW_ROWS, project=None) -> FilePreview:
    """The first ``rows`` rows of ``path`` as the import reads them; UserError (one line, the
    file named) for anything the import would refuse as a whole — the project itself too
    (``project``, or any project this process has open): open() on it would drop our SQLite
    locks (auditor.store.connection)."""
    check_input_file(path, project=project, what="a file to import")
    source = open_source(path)
    frame, first_bad, columns, note, bad_lines = None, None, None, None, 0
    chunks = source.chunks(rows)
    try:
        for n, chunk in enumerate(chunks):
            # lines that are no row (wrong field count, bad bytes) are quarantined by the
            # import; the preview shows the first rows that are rows, a few chunks on at most
            if first_bad is None and chunk.rejected:
                first_bad = chunk.rejected[0]
            bad_lines += len(chunk.rejected)
            if chunk.table.num_rows == 0:
                columns = columns or chunk.table.column_names
                if first_bad is not None and n >= PREVIEW_SEARCH_CHUNKS:
                    break
                continue
            table = chunk.table.slice(0, rows)
            frame = pd.DataFrame({name: pc.fill_null(display_text(table.column(i)),
                                                     "").to_pylist()
                                  for i, name in enumerate(table.column_names)})
            break
    finally:
        chunks.close()  # the reader's file, now rather than whenever the generator is freed
    if frame is None and first_bad is not None:
        # the import would quarantine every line: the wizard says so (and lets it happen, as
        # the command line does) rather than show an empty table without a word
        line, _text, reason = first_bad
        frame = pd.DataFrame({name: [] for name in columns or []}, dtype=object)
        note = (f"None of the {bad_lines:,} lines read after the header is a row (line {line}: "
                f"{reason.replace('_', ' ')}); the import quarantines such lines — check the "
                "delimiter and quoting, or choose the file with the data.")
    if frame is None:
        raise UserError(f"{source.name}: has a header but no rows — choose the file with the "
                        "data")
    return FilePreview(source.path, source.file_format, frame, source.delimiter,
                       source.encoding, note)


def guess(columns: list[str], kind_choice: Optional[str],
          sample=None) -> tuple[Optional[str], dict]:
    """(kind, {field: column}) as the import would guess them; kind None when it can't tell.
    ``sample``: the first rows (a DataFrame) — a label column found by its values, as the
    import finds it (columns.label_values_column), and the fields no header names told by
    their values (columns.suggest_by_values), which the import suggests as --map options."""
    from auditor.ingest.columns import label_values_column, missing_fields, suggest_by_values
    found = resolve(columns, None, "file")
    if sample is not None and kind_choice in (None, "pings") and found.get("date") in sample:
        import pyarrow as pa

        from auditor.ingest import date_time  # 'Fecha' holding date and time, as the import
        found = date_time.date_is_stamp(found, pa.array(sample[found["date"]].astype(str)))
    kind = kind_choice or guess_kind(found)
    if sample is None:
        return kind, found
    values = {c: sample[c].head(200).tolist() for c in sample.columns}
    if kind_choice is None and kind == "vehicles":
        label = label_values_column(values, found)
        if label is not None:
            return "labels", {**found, "label": label}
    if kind is None or (kind != "vehicles" and missing_fields(kind, found)):
        # headers in no alias table ('Zeitstempel', 'Breitengrad'): told by their values,
        # shown on the columns page for the analyst to confirm
        told, extra = suggest_by_values(values, found, kind)
        if extra:
            return told, {**found, **extra}
    return kind, found


def timestamp_style(values) -> tuple[str, str]:
    """How a file's timestamps are written, from a few of them: ('offset', example) when they
    carry their own UTC offset ('Z', +01:00), ('epoch', example) for epoch numbers, ('zone',
    example) when each names its zone ('… Europe/Berlin'), ('naive',
    example) when a timezone is needed, ('unknown', '') when none parses. The import's own
    patterns (auditor.ingest.timestamps)."""
    import re

    from auditor.ingest.timestamps import (
        _EPOCH,
        _OFFSET,
        _TAGS_AFTER_OFFSET,
        _UTC_WORD,
        _ZONE_NAME,
    )
    texts = [str(v).strip() for v in values if str(v).strip()]
    if not texts:
        return "unknown", ""
    for style, pattern in (("epoch", _EPOCH), ("offset", _OFFSET), ("zone", _ZONE_NAME)):
        hits = [t for t in texts if re.search(
            pattern, re.sub(_TAGS_AFTER_OFFSET, r"\1", re.sub(_UTC_WORD, r"\1Z", t)))]
        if len(hits) * 2 > len(texts):
            return style, hits[0]
    return "naive", texts[0]


def stamp_values(frame: pd.DataFrame, found: dict) -> list:
    """The first rows' stamps as the import reads them: the timestamp column's values, or a
    date column's joined with the time of day beside it (date_time.pair)."""
    import pyarrow as pa

    from auditor.ingest import date_time
    date, time = found.get("date"), found.get("time_of_day") or found.get("timestamp")
    if date in frame and time in frame and date != time and (
            "time_of_day" in found or date_time.times_only(pa.array(frame[time].astype(str)))):
        return [f"{d} {t}".strip() for d, t in zip(frame[date].astype(str),
                                                    frame[time].astype(str))]
    column = found.get("timestamp")
    return frame[column].tolist() if column in frame else []


def own_time_form(values) -> Optional[str]:
    """The strftime form a file's first stamps are written in when the import would not read
    most of them as ISO-8601 or epoch numbers in the default time window ('02.03.2026
    15:40:41', '20260302154041'), as the import finds it (time_formats.guess); else None."""
    import pyarrow as pa

    from auditor.ingest import time_formats, timestamps
    from auditor.ingest.validate import time_window
    texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    if not texts:
        return None
    parsed = timestamps.parse(pa.array(texts), "UTC")
    read = parsed.ok & ~time_window().outside(parsed.ts)
    return None if read.sum() * 2 > len(texts) else time_formats.guess(texts)


def column_roles(columns: list[str], kind: str, column_map: dict) -> list[tuple[str, str]]:
    """(column, what the import does with it) for every column of the file, in file order:
    a field it reads ('lat'), vehicle metadata (every other column of a vehicles file), or
    'not read'."""
    from auditor.ingest.columns import USED, zone_column
    found = resolve(columns, column_map, "file")
    field_of = {c: f for f, c in found.items() if f in USED.get(kind, ())}
    zone = zone_column(columns)
    out = []
    for c in columns:
        if c in field_of:
            out.append((c, field_of[c]))
        elif kind == "vehicles":
            out.append((c, "metadata" + (" (each vehicle's timezone)" if c == zone else "")))
        else:
            out.append((c, "not read"))
    return out
