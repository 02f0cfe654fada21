"""What a file is and how to read it, decided before the project is touched: its kind,
which column holds which field, the form of its stamps (time_formats, date_time), a speed unit,
the vehicle a one-vehicle file is (--vehicle) — checked on its first rows (plan_file) — and
the chunks every import path cuts it into, each validated alone (validate_chunk). Pure: no
project; a Plan pickles to a Dask worker (auditor.ingest.parallel)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Optional

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from auditor.errors import UserError
from auditor.ingest import columns, date_time, datums, rows, speed, time_formats
from auditor.ingest.arrival_clock import ArrivalClock
from auditor.ingest.clock_resets import ClockResets
from auditor.ingest.date_order import DateOrders
from auditor.ingest.prefetch import prefetch
from auditor.ingest.readers import STAMPED_VEHICLE, Chunk, Source, open_source
from auditor.ingest.repeated_hour import Refolder
from auditor.ingest.validate import CODE, TimeWindow, time_window
from auditor.ingest.values import to_text
from auditor.progress import Progress

DEFAULT_CHUNK_ROWS = 250_000
# the first chunk of a file is smaller: the writer waits for it with nothing else to do, and
# starts inserting sooner (every later chunk is read while the one before is written)
FIRST_CHUNK_SHARE = 4
PLAN_ROWS = 10_000  # rows parsed up front to validate a file before the project is touched


@dataclass
class Plan:
    """A file whose header, kind and first rows passed the checks; ready to import."""
    source: Source
    kind: str
    fields: dict
    column_map: dict
    tz: Optional[str]
    window: TimeWindow
    chunk_rows: int
    label_from_values: Optional[str] = None  # a label column found by its values (plan_file)
    speed_unit: Optional[tuple] = None  # (unit, ratio) of a speed column not in m/s (speed.py)
    vehicle: Optional[str] = None  # --vehicle: every row is this vehicle's (stamped)
    time_format: Optional[str] = None  # the stamps' own strftime form (time_formats.py)
    time_format_guessed: bool = False  # found from the first rows, not given (--time-format)
    joined_time: Optional[tuple] = None  # (date column, time column) read as one (date_time)
    datum: Optional[str] = None  # --datum: the coordinates' datum, moved to WGS-84 (datums.py)

    def validate(self, chunk: Chunk, other_order: frozenset = frozenset()) -> pd.DataFrame:
        """One chunk of this file as a validated typed frame (validate_chunk), its coordinates
        in WGS-84."""
        frame = validate_chunk(self.kind, chunk, self.fields, self.tz, self.source.name,
                               self.window, self.speed_scale, self.time_format, other_order)
        if self.datum is not None and "lat" in frame and len(frame):
            lat, lon = datums.to_wgs84(frame["lat"].to_numpy(), frame["lon"].to_numpy(),
                                       self.datum)
            frame["lat"], frame["lon"] = lat, lon
        return frame

    @property
    def speed_scale(self) -> float:
        return 1.0 / speed.UNITS[self.speed_unit[0]] if self.speed_unit else 1.0

    def frames(self, prepare=None) -> Iterator[tuple[Chunk, pd.DataFrame, object]]:
        """(chunk, validated frame, ``prepare(frame)`` or None); the next one is read, parsed
        and prepared on a helper thread while the caller writes this one."""
        in_order = InFileOrder()  # the file's chunks in order: one helper thread runs them

        def one(chunk: Chunk):
            frame = in_order(self.validate(chunk, in_order.orders.found()))
            return chunk, frame, (prepare(frame) if prepare is not None and len(frame)
                                  else None)
        return prefetch(one(chunk) for chunk in self.chunks())

    def chunks(self) -> Iterator[Chunk]:
        """The file's chunks as every import path cuts them (local and on Dask workers alike:
        the rules between rows see the same chunks): the first one a quarter of the rest."""
        chunks = date_time.joined(stamped(self.source.chunks(self.chunk_rows), self.vehicle),
                                  self.joined_time)
        try:
            first = next(chunks, None)
            if first is not None:
                yield from _split(first, max(1, self.chunk_rows // FIRST_CHUNK_SHARE))
            yield from chunks
        finally:
            chunks.close()


# --vehicle '{file}': each file is one vehicle's, named after the file (a folder of logs, one
# file per vehicle; the import wizard's "named after the file")
FILE_VEHICLE = "{file}"


def vehicle_of_file(path) -> str:
    """The vehicle a one-vehicle file is named after: its name without suffixes
    ('car-17.csv.gz' -> 'car-17')."""
    return Path(path).name.split(".")[0]


def stamped(chunks: Iterator[Chunk], vehicle: Optional[str]) -> Iterator[Chunk]:
    """``chunks``, each with a column STAMPED_VEHICLE holding ``vehicle`` on every row (the
    vehicle_id field reads it: --vehicle); as they are when ``vehicle`` is None."""
    return chunks if vehicle is None else _stamp(chunks, vehicle)


def _stamp(chunks: Iterator[Chunk], vehicle: str) -> Iterator[Chunk]:
    import pyarrow as pa
    one = pa.array([vehicle], pa.string())
    try:
        for c in chunks:
            column = one.take(pa.array(np.zeros(c.table.num_rows, dtype=np.int64)))
            yield Chunk(c.table.append_column(STAMPED_VEHICLE, column), c.lines, c.rejected,
                        c.join)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _split(chunk: Chunk, rows: int) -> Iterator[Chunk]:
    """``chunk`` as its first ``rows`` rows and the rest; a line that is no row goes with the
    part its line number falls in (one without a number with the second)."""
    n = chunk.table.num_rows
    if n <= rows:
        yield chunk
        return
    last = int(chunk.lines[rows - 1])
    before = [r for r in chunk.rejected if r[0] is not None and 0 <= r[0] < last]
    after = [r for r in chunk.rejected if not (r[0] is not None and 0 <= r[0] < last)]
    yield Chunk(chunk.table.slice(0, rows), chunk.lines[:rows], before, chunk.join)
    yield Chunk(chunk.table.slice(rows), chunk.lines[rows:], after, chunk.join)


def typed_chunks(plan: Plan) -> Iterator[tuple[Chunk, pd.DataFrame]]:
    """One file -> its chunks, each with its validated typed frame (row-local reasons), in
    file order. Needs no project: the unit a Dask worker runs (auditor.ingest.parallel)."""
    in_order = InFileOrder()
    for chunk in plan.chunks():
        yield chunk, in_order(plan.validate(chunk, in_order.orders.found()))


class InFileOrder:
    """The row rules that follow each vehicle through a file's chunks in order, before the
    writer: a vehicle's dates written month first in a day-first file or the reverse
    (date_order.py; its rows moved in ``frame.attrs["other_date_order"]``), stamps in a
    repeated autumn hour read by their vehicle's order (repeated_hour.py;
    how many moved in ``frame.attrs["refolded"]``, which a Dask worker's frames carry to the
    client), a device's clock on another zone, told by when its fixes arrived
    (arrival_clock.py; ``frame.attrs["arrival_clock"]``), then clocks reset or rolled over
    (clock_resets.py)."""

    def __init__(self):
        self.orders = DateOrders()
        self.refold = Refolder()
        self.arrival = ArrivalClock()
        self.resets = ClockResets()

    def __call__(self, frame: pd.DataFrame) -> pd.DataFrame:
        moved = dict(self.orders.moved)
        frame = self.orders(frame)
        if self.orders.moved != moved:
            frame.attrs["other_date_order"] = {v: n - moved.get(v, 0)
                                               for v, n in self.orders.moved.items()
                                               if n != moved.get(v, 0)}
        before = self.refold.refolded
        frame = self.refold(frame)
        if self.refold.refolded > before:
            frame.attrs["refolded"] = self.refold.refolded - before
        frame = self.arrival(frame)
        return self.resets(frame) if "vcode" in frame else frame


def plan_file(path: Path, kind: Optional[str], column_map: dict, tz: Optional[str],
              chunk_rows: int = DEFAULT_CHUNK_ROWS,
              window: Optional[TimeWindow] = None, vehicle: Optional[str] = None,
              time_format: Optional[str] = None, map_where_present: bool = False,
              progress: Optional[Progress] = None) -> Plan:
    """Everything that can be checked without the project: readable, a table, the columns a
    kind needs, and first rows that parse (e.g. no naive timestamps without --tz). Only a
    sample is parsed here and then dropped, so planning many files holds little memory.
    ``vehicle``: every row is that vehicle's, whatever the file's own vehicle column, name or
    tracks say (one car's log without an id column; a car's GPX files, one per day).
    ``time_format``: the strftime form of the stamps (--time-format); without it a form
    other than ISO-8601 or epoch numbers is found from the first rows (time_formats.py).
    ``map_where_present``: the ``column_map`` entries whose column this file lacks are left
    out (one --map for several files), not an error. ``progress``: told of a read through the
    whole file (day and month order, time_formats.choose) in rows of the file's approximate
    total; it may cancel."""
    window = window or time_window()
    form_guessed, joined = False, None
    source = open_source(path)
    name = str(path)
    given_kind, from_values = kind, None
    if map_where_present:
        present = {c.strip().lower() for c in source.columns}
        column_map = {f: c for f, c in column_map.items()
                      if c.strip().lower() in present or f not in columns.FIELDS}
    fields = columns.resolve(source.columns, column_map, name)
    if vehicle is not None:
        fields = {**fields, "vehicle_id": STAMPED_VEHICLE}
    if "date" in fields and kind in (None, "pings"):  # 'Fecha' holding date and time
        fields = date_time.date_is_stamp(fields, _first_column(source, fields["date"]))
    if source.file_format == "gpx" and kind not in (None, "pings"):
        raise UserError(f"{name}: a GPX file holds pings, not {kind} — drop --kind {kind}")
    try:
        kind = columns.decide_kind(fields, kind, source.columns, name)
    except UserError as refused:
        if source.file_format == "csv" and len(source.columns) == 1 and not fields:
            raise UserError(f"{name}: not a table — no , ; tab or | separated columns in the "
                            "header line; give a table (CSV, Excel, Parquet, JSON) or a track "
                            "(GPX, KML, NMEA)") from None
        guessed = _fields_by_values(source, fields, kind)
        if guessed:
            raise UserError(f"{refused}; by their values the columns look like "
                            f"{columns.map_options(guessed)}") from None
        raise
    chunks = stamped(source.chunks(min(chunk_rows, PLAN_ROWS)), vehicle)
    try:
        for chunk in chunks:
            if chunk.table.num_rows or chunk.rejected:
                break
        else:
            raise UserError(f"{name}: empty file (header only, no rows) — export it again "
                            "with rows")
        if kind == "pings":
            joined = date_time.pair(fields, chunk)
            if joined is not None:  # 'Datum;Uhrzeit': the stamp is read from both
                chunk = next(date_time.joined(iter([chunk]), joined))
                fields = date_time.fields_with(fields)
        if given_kind is None and kind == "vehicles":
            label_column = columns.label_values_column(
                {c: chunk.table.column(c).to_pylist() for c in chunk.table.column_names}, fields)
            if label_column is not None:  # 'type' or 'category' saying home / work
                fields, kind = {**fields, "label": label_column}, "labels"
                from_values = label_column
            else:
                _not_pings_without_time(source, chunk, fields, name)
        sample = validate_chunk(kind, chunk, fields, tz, name, window, time_format=time_format)
        if kind == "pings" and time_format is None:
            time_format = _own_time_format(
                lambda: date_time.joined(source.chunks(chunk_rows), joined), chunk, fields,
                sample, name, window, _read_on(progress, name, source.approx_rows))
            if time_format is not None:
                form_guessed = True
                sample = validate_chunk(kind, chunk, fields, tz, name, window,
                                        time_format=time_format)
        unit = speed.speed_unit(sample) if kind == "pings" else None
        if unit is None and kind == "pings" and "speed_mps" in fields:
            named = speed.unit_in_name(fields["speed_mps"])
            unit = (named, None) if named else None  # (ratio None: told by the name)
    finally:
        chunks.close()
    if vehicle is not None and kind == "vehicles":   # (a label column told by its values
        # made it labels above)
        raise UserError(f"{name}: --vehicle gives pings or labels a vehicle; a vehicles file "
                        "names its own — import it without --vehicle")
    return Plan(source, kind, fields, column_map, tz, window, chunk_rows, from_values,
                unit if unit is not None and unit[0] != "m/s" else None, vehicle,
                time_format if kind == "pings" else None, form_guessed, joined)


# refused stamps: a share of a file's first rows above this is a way of writing them, not a
# few bad rows
_OWN_FORM_SHARE = 0.5
_TIME_REASONS = (CODE["bad_timestamp"], CODE["implausible_timestamp"])


def _read_on(progress: Optional[Progress], name: str, approx_rows: int):
    """time_formats.choose's ``read_on`` for ``progress`` (None without one)."""
    if progress is None:
        return None
    total = max(approx_rows, 1)

    def read_on(rows: int) -> None:
        # short: a terminal bar shows 40 characters of it
        progress(min(rows, total - 1), total, f"{name}: checking day/month ({rows:,} rows)")
    return read_on


def _own_time_format(file_chunks, chunk: Chunk, fields: dict, sample: pd.DataFrame,
                     name: str, window: TimeWindow, read_on=None) -> Optional[str]:
    """The file's own strftime form of its stamps, when most of its first rows' stamps did
    not read as ISO-8601 or epoch numbers ('02.03.2026 15:40:41') and that form refuses fewer
    of them; else None. Day and month in numbers are ordered by the dates
    (time_formats.choose), reading on through the file (``file_chunks()``) when its first
    rows cannot tell."""
    refused = _time_refused(sample)
    if not len(sample) or refused <= _OWN_FORM_SHARE * len(sample):
        return None
    column = fields["timestamp"]
    stamps = to_text(chunk.table.column(column))
    fmt = time_formats.guess(stamps.slice(0, 1000).to_pylist())
    if fmt is None:
        return None
    later = file_chunks()
    try:
        fmt = time_formats.choose(name, fmt, stamps,
                                  (to_text(c.table.column(column)) for c in later), read_on)
    finally:
        later.close()
    # read as UTC wall time here: only the count matters (a missing --tz is said after)
    again = validate_chunk("pings", chunk, fields, "UTC", name, window, time_format=fmt)
    return fmt if _time_refused(again) < refused else None


def _time_refused(sample: pd.DataFrame) -> int:
    return int(sample["reason"].isin(_TIME_REASONS).sum())


# a vehicles file names each vehicle once; rows per vehicle beyond this, with coordinates, are
# a track
_ROWS_PER_VEHICLE = 2
# without coordinates: a log (events, trips) has many rows per vehicle; metadata one, a
# vehicle listed twice now and then
_LOG_ROWS_PER_VEHICLE = 20


def _not_pings_without_time(source, chunk: Chunk, fields: dict, name: str) -> None:
    """Refuse a file taken for vehicle metadata (no timestamp or label column found) that is
    a track: coordinates, and its vehicles named on many rows each. Imported as metadata, it
    kept each vehicle's last row and said only that vehicles were named twice."""
    ids = chunk.table.column(fields["vehicle_id"])
    n, distinct = len(ids), len(pc.unique(ids.combine_chunks() if hasattr(ids, "combine_chunks")
                                          else ids))
    if not ({"lat", "lon"} <= set(fields) or columns.POINT in fields):
        # no coordinates found either: a log of some kind, never one row per vehicle (a
        # platform's pings under headers no alias knows were imported as 247,228 rows of
        # metadata, each vehicle's last one kept)
        if n >= _LOG_ROWS_PER_VEHICLE * max(distinct, 1) and n >= 100:
            raise UserError(f"{name}: {n:,} rows for {distinct:,} vehicle(s) in its first "
                            "rows — a log or a track, not vehicle metadata (one row per "
                            f"vehicle); columns present: {', '.join(source.columns)} — pass "
                            "--kind pings with --map timestamp=COLUMN --map lat=COLUMN --map "
                            "lon=COLUMN, or --kind vehicles to import it as metadata")
        return
    if n < _ROWS_PER_VEHICLE * max(distinct, 1) or n < 3:
        return
    guessed = _fields_by_values(source, fields, "pings")
    found = (f"; by their values the columns look like {columns.map_options(guessed)}"
             if guessed.get("timestamp") else "")
    raise UserError(f"{name}: looks like pings ({n:,} rows for {distinct:,} vehicle(s), with "
                    "coordinates) but no timestamp column was found (columns present: "
                    f"{', '.join(source.columns)}) — pass --map timestamp=COLUMN (or --map "
                    f"date=COLUMN --map time_of_day=COLUMN){found}; --kind vehicles imports it "
                    "as vehicle metadata")


def _first_column(source, column: str):
    """The first rows of one column of ``source`` (None when it has none)."""
    chunks = source.chunks(PLAN_ROWS)
    try:
        chunk = next(iter(chunks), None)
    finally:
        chunks.close()
    return None if chunk is None or column not in chunk.table.column_names else \
        chunk.table.column(column)


def _fields_by_values(source, fields: dict, kind: Optional[str]) -> dict:
    """The --map options the first rows' values suggest (columns.suggest_by_values)."""
    chunks = source.chunks(PLAN_ROWS)
    try:
        chunk = next(iter(chunks), None)
    except UserError:
        return {}
    finally:
        chunks.close()
    if chunk is None or not chunk.table.num_rows:
        return {}
    sample = {c: chunk.table.column(c).slice(0, 200).to_pylist() for c in chunk.table.column_names}
    return columns.suggest_by_values(sample, fields, kind)[1]


def validate_chunk(kind: str, chunk: Chunk, fields: Mapping[str, str], tz: Optional[str],
                   name: str, window: TimeWindow, speed_scale: float = 1.0,
                   time_format: Optional[str] = None,
                   other_order: frozenset = frozenset()) -> pd.DataFrame:
    """One chunk of a file (as its reader made it) -> a typed frame of ``kind`` whose
    ``reason`` column holds every row-local verdict (validate.REASONS code, OK = -1); the rules
    that need other rows (duplicates, jumps) are the writer's (kinds.py). ``fields``: field ->
    source column (columns.resolve), ``name``: the file as errors name it. Pure: no project,
    no shared state — it may run on a helper thread or in another process (the arguments
    pickle). Raises UserError for what no row of the file may have (naive times, no --tz).
    ``speed_scale``: what the speed column is multiplied by to be m/s (speed.py);
    ``time_format``: the stamps' own strftime form (time_formats.py); ``other_order``: the
    vehicles the file's earlier chunks showed writing day and month the other way round
    (date_order.py)."""
    if kind == "pings":
        return rows.pings(chunk, fields, tz, name, window, speed_scale, time_format,
                          other_order)
    if kind == "labels":
        return rows.labels(chunk, fields, name)
    return rows.vehicles(chunk, fields, name)
