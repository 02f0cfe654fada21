"""Importing files into a project: validate each file's header and first rows, then import
every file in ONE transaction, streamed chunk by chunk. A command that fails anywhere (a bad
file, a user error found mid-file, an interrupt) leaves the project as it was; a project this
call created is removed again."""
from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Optional

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from auditor.errors import UserError
from auditor.ingest import (
    columns,
    date_time,
    parallel,
    persist,
    rows,
    speed,
    time_formats,
    timestamps,
)
from auditor.ingest.kinds import WRITERS
from auditor.ingest.prefetch import prefetch
from auditor.ingest.readers import STAMPED_VEHICLE, Chunk, Source, open_source
from auditor.ingest.scope import Scope, parse_only
from auditor.ingest.validate import CODE, OK, REASONS, TimeWindow, time_window
from auditor.ingest.values import to_text
from auditor.outputs import check_input_file
from auditor.progress import Progress, report
from auditor.store import open_project, pings_dataset, transaction
from auditor.store.connection import check_is_project, claim_new_project, remove_claimed

DEFAULT_CHUNK_ROWS = 250_000
# the first chunk of a file is smaller: the writer waits for it with nothing else to do, and
# starts inserting sooner (every later chunk is read while the one before is written)
FIRST_CHUNK_SHARE = 4
PLAN_ROWS = 10_000  # rows parsed up front to validate a file before the project is touched
_REASON_NAMES = np.array(REASONS, dtype=object)


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

    def validate(self, chunk: Chunk) -> pd.DataFrame:
        """One chunk of this file as a validated typed frame (validate_chunk)."""
        return validate_chunk(self.kind, chunk, self.fields, self.tz, self.source.name,
                              self.window, self.speed_scale, self.time_format)

    @property
    def speed_scale(self) -> float:
        return 1.0 / speed.UNITS[self.speed_unit[0]] if self.speed_unit else 1.0

    def frames(self, prepare=None) -> Iterator[tuple[Chunk, pd.DataFrame, object]]:
        """(chunk, validated frame, ``prepare(frame)`` or None); the next one is read, parsed
        and prepared on a helper thread while the caller writes this one."""
        def one(chunk: Chunk):
            frame = self.validate(chunk)
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
    for chunk in plan.chunks():
        yield chunk, plan.validate(chunk)


def ingest_paths(project, files, kind: Optional[str] = None,
                 column_map: Optional[Mapping[str, str]] = None, tz: Optional[str] = None,
                 progress: Optional[Progress] = None,
                 chunk_rows: int = DEFAULT_CHUNK_ROWS, *, only=None,
                 ignore_offset: bool = False, replace: bool = False,
                 min_time=None, max_time=None, pings_store=None,
                 pings_buckets: Optional[int] = None, engine=None,
                 vehicle: Optional[str] = None, time_format: Optional[str] = None) -> list[dict]:
    """Import ``files`` into ``project`` (created if missing); one summary dict per file.
    ``vehicle``: every row of the files is that vehicle's; ``time_format``: the strftime form
    of the pings' stamps, else found per file when not ISO-8601 (plan_file).

    All files are imported in one transaction: if any of them fails, nothing is kept.
    ``min_time``/``max_time`` (epoch seconds, ISO-8601 text or datetime) bound the plausible
    ping times; pings outside are quarantined as ``implausible_timestamp`` (default window:
    2000-01-01 to now + 1 day).
    Fix-loop options (see scope.py; pings only but ``replace``): ``only`` ({key: value} or
    ['key=value']) keeps the vehicles whose metadata matches, ``ignore_offset`` reads stated
    times as local wall time in each vehicle's metadata timezone (or ``tz``), ``replace``
    deletes those vehicles' stored pings — or, for a labels file, their labels — in the same
    transaction.
    ``pings_store`` (a folder): accepted pings go to a Parquet dataset there instead of the
    project file (auditor.store.pings_dataset), validated exactly the same; a project that
    has one keeps using it.
    ``engine`` (auditor.engine): a Dask engine validates the files on its workers
    (auditor.ingest.parallel); the project is the same as with the default, this process."""
    project = Path(project)
    files = [files] if isinstance(files, (str, Path)) else list(files)
    if parallel.is_parallel(engine):  # workers open the files: not relative to our cwd
        files = [Path(f).absolute() for f in files]
    if not files:
        raise UserError("no files to import — name at least one CSV, Parquet or GPX file")
    if kind is not None and kind not in columns.KINDS:
        raise UserError(f"--kind {kind}: use one of {', '.join(columns.KINDS)}")
    column_map = dict(column_map or {})
    timestamps.check_zone(tz)
    window = time_window(min_time, max_time)
    check_is_project(project)
    if pings_buckets is not None and not 1 <= int(pings_buckets) <= 65536:
        raise UserError(f"--pings-buckets {pings_buckets}: give 1 to 65536 buckets")
    for f in files:  # never open() the project as a CSV: it would drop our SQLite locks
        check_input_file(f, project=project, what="a file to import", utf8_name=True)
    only = dict(only) if isinstance(only, Mapping) else parse_only(only)
    chunk_rows = max(1, int(chunk_rows))
    if vehicle is not None:
        vehicle = vehicle.strip()
        if not vehicle:
            raise UserError("--vehicle: give the vehicle's id, e.g. --vehicle car-5")
    if time_format is not None:
        time_format = time_formats.check(time_format)
    # several files: a --map applies to the files that have its column (pings and labels of
    # one command name their columns differently); a column no file has is still an error
    several = len(files) > 1
    if several and column_map:
        headers = [open_source(f).columns for f in files]
        present = [{c.strip().lower() for c in h} for h in headers]
        for field, column in column_map.items():
            if field in columns.FIELDS and not any(column.strip().lower() in p for p in present):
                raise UserError(f"--map {field}={column}: no file has a column '{column}' — "
                                f"columns present: {', '.join(dict.fromkeys(sum(headers, [])))}")
    plans = [plan_file(Path(f), kind, column_map, tz, chunk_rows, window,
                       None if vehicle is None else vehicle.replace(FILE_VEHICLE,
                                                                    vehicle_of_file(f)),
                       time_format, map_where_present=several)
             for f in files]
    for plan in plans:
        if (only or ignore_offset) and plan.kind != "pings":
            raise UserError(f"{plan.source.name}: --only and --ignore-offset apply to pings, "
                            f"not {plan.kind} — import it without them")
        if replace and plan.kind == "vehicles":
            raise UserError(f"{plan.source.name}: --replace applies to pings and labels; a "
                            "vehicles file always replaces the metadata of the vehicles it "
                            "names — import it without --replace")

    return _run(project, plans, progress,
                lambda plan: Scope(only=only, ignore_offset=ignore_offset, replace=replace,
                                   tz=tz, window=window, table=plan.kind),
                pings_store=pings_store, pings_buckets=pings_buckets, engine=engine)


@dataclass(frozen=True)
class ImportJob:
    """One file of a multi-file import, with its own reading options (the import wizard)."""
    path: Path
    kind: Optional[str] = None
    column_map: Optional[Mapping[str, str]] = None
    tz: Optional[str] = None
    vehicle: Optional[str] = None    # every row is this vehicle's (plan_file)
    time_format: Optional[str] = None  # the stamps' strftime form (plan_file)


def ingest_jobs(project, jobs: list[ImportJob], progress: Optional[Progress] = None,
                chunk_rows: int = DEFAULT_CHUNK_ROWS, *, min_time=None,
                max_time=None, engine=None) -> list[dict]:
    """Import several files, each with its own kind, columns and timezone, in ONE transaction:
    all of them are kept or none is — a failure in the last file (or Cancel) leaves the project
    as it was. Every file is checked (readable, columns, first rows) before anything is
    written. One summary dict per job, in order."""
    project = Path(project)
    jobs = list(jobs)
    if not jobs:
        raise UserError("no files to import — add at least one CSV, Parquet or GPX file")
    window = time_window(min_time, max_time)
    check_is_project(project)
    for job in jobs:  # never open() the project as a CSV: it would drop our SQLite locks
        check_input_file(job.path, project=project, what="a file to import", utf8_name=True)
    chunk_rows = max(1, int(chunk_rows))
    plans = []
    for job in jobs:
        if job.kind is not None and job.kind not in columns.KINDS:
            raise UserError(f"{job.path}: kind {job.kind}: use one of {', '.join(columns.KINDS)}")
        timestamps.check_zone(job.tz)
        fmt = time_formats.check(job.time_format) if job.time_format is not None else None
        plans.append(plan_file(Path(job.path), job.kind, dict(job.column_map or {}), job.tz,
                               chunk_rows, window, job.vehicle, fmt))
    return _run(project, plans, progress, lambda plan: Scope(tz=plan.tz, window=window),
                engine=engine)


def _run(project: Path, plans: list[Plan], progress, scope_for, pings_store=None,
         pings_buckets: Optional[int] = None, engine=None, validated=None) -> list[dict]:
    """Import checked ``plans`` in one transaction; ``scope_for(plan)`` gives each file's
    scope. Nothing is kept if anything fails. Pings go to the project's Parquet store when it
    has one (or ``pings_store`` starts one), else into the file. With a Dask ``engine`` the
    files are validated on its workers and written here as they come, in the same order."""
    if validated is None and parallel.is_parallel(engine):
        with parallel.validated_on(engine, plans) as validated:
            return _run(project, plans, progress, scope_for, pings_store, pings_buckets,
                        validated=validated)
    # a file this call makes (O_EXCL) is removed again if the import fails; a file that was
    # already there — a project, or an empty file — never is
    claimed = claim_new_project(project)
    try:
        conn = open_project(project)
    except BaseException:
        remove_claimed(claimed)
        raise
    stage = None
    single_write = False
    try:
        single_write = claimed is not None and _write_pages_once(conn)
        if pings_store is not None or pings_dataset.recorded(conn) is not None:
            root = pings_dataset.check_store_dir(
                pings_store if pings_store is not None else pings_dataset.recorded(conn).root,
                conn)
            stage = pings_dataset.Stage(root, pings_buckets)
        persist.REPLACED_IN_STORE.clear()
        # Every row written refers to the import row made just before it in this transaction,
        # so the foreign-key lookups per row prove nothing here and cost ~25% of the insert
        # time. (The pragma is a no-op inside a transaction: set it before BEGIN.)
        conn.execute("PRAGMA foreign_keys = OFF")
        summaries = []
        with transaction(conn):
            for i, plan in enumerate(plans):
                def step(done, total, message, i=i):
                    report(progress, i + min(done / total, 1.0) if total else i, len(plans),
                           message)
                scope = scope_for(plan)
                scope.bind(conn, project.name)
                if stage is not None and plan.kind == "pings":  # one set: what the dataset
                    scope.replaced = persist.REPLACED_IN_STORE        # context must leave out
                summaries.append(_import(conn, plan, step, scope,
                                         validated(i, step) if validated else None))
            if stage is not None:
                report(progress, len(plans), len(plans), "writing the pings dataset")
                stage.write(conn, replaced=persist.REPLACED_IN_STORE)
        if single_write:
            _back_to_wal(conn)
        if stage is not None:
            stage.committed()
            pings_dataset.compact(conn)
        report(progress, len(plans), len(plans), "done")
        return summaries
    except BaseException:
        conn.close()
        if stage is not None:
            stage.discard()  # the project still names the previous, complete version
        remove_claimed(claimed)  # the transaction rolled back: nothing of ours is in it
        raise
    finally:
        persist.REPLACED_IN_STORE.clear()
        conn.close()


def _write_pages_once(conn) -> bool:
    """A project this call has just made (nobody else has it open: the switch fails if anyone
    does, and the import then runs in WAL as always): import through a rollback journal, so
    each page is written once, into the file, instead of into the WAL and again at the
    checkpoint (~0.5 s per 1M pings). synchronous FULL: in rollback-journal mode that is the
    setting a power cut cannot corrupt. The journal holds only the few pages the schema
    wrote; the commit is as atomic as in WAL."""
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:  # busy: someone opened the new project already
        return False
    if str(mode).lower() != "delete":
        return False
    conn.execute("PRAGMA synchronous = FULL")
    return True


def _back_to_wal(conn) -> None:
    """After the commit: the project's own journal mode again (every open_project also sets
    it, so a switch that finds the project busy is made by the next one)."""
    with contextlib.suppress(sqlite3.OperationalError):
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def plan_file(path: Path, kind: Optional[str], column_map: dict, tz: Optional[str],
              chunk_rows: int = DEFAULT_CHUNK_ROWS,
              window: Optional[TimeWindow] = None, vehicle: Optional[str] = None,
              time_format: Optional[str] = None, map_where_present: bool = False) -> Plan:
    """Everything that can be checked without the project: readable, a table, the columns a
    kind needs, and first rows that parse (e.g. no naive timestamps without --tz). Only a
    sample is parsed here and then dropped, so planning many files holds little memory.
    ``vehicle``: every row is that vehicle's, whatever the file's own vehicle column, name or
    tracks say (one car's log without an id column; a car's GPX files, one per day).
    ``time_format``: the strftime form of the stamps (--time-format); without it a form
    other than ISO-8601 or epoch numbers is found from the first rows (time_formats.py).
    ``map_where_present``: the ``column_map`` entries whose column this file lacks are left
    out (one --map for several files), not an error."""
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
    if source.file_format == "gpx" and kind not in (None, "pings"):
        raise UserError(f"{name}: a GPX file holds pings, not {kind} — drop --kind {kind}")
    try:
        kind = columns.decide_kind(fields, kind, source.columns, name)
    except UserError as refused:
        if source.file_format == "csv" and len(source.columns) == 1 and not fields:
            raise UserError(f"{name}: not a table — no , ; tab or | separated columns in the "
                            "header line; give a CSV, Parquet or GPX file") from None
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
                sample, name, window)
            if time_format is not None:
                form_guessed = True
                sample = validate_chunk(kind, chunk, fields, tz, name, window,
                                        time_format=time_format)
        unit = speed.speed_unit(sample) if kind == "pings" else None
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


def _own_time_format(file_chunks, chunk: Chunk, fields: dict, sample: pd.DataFrame,
                     name: str, window: TimeWindow) -> Optional[str]:
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
                                  (to_text(c.table.column(column)) for c in later))
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


def _not_pings_without_time(source, chunk: Chunk, fields: dict, name: str) -> None:
    """Refuse a file taken for vehicle metadata (no timestamp or label column found) that is
    a track: coordinates, and its vehicles named on many rows each. Imported as metadata, it
    kept each vehicle's last row and said only that vehicles were named twice."""
    if not ({"lat", "lon"} <= set(fields) or columns.POINT in fields):
        return
    ids = chunk.table.column(fields["vehicle_id"])
    n, distinct = len(ids), len(pc.unique(ids.combine_chunks() if hasattr(ids, "combine_chunks")
                                          else ids))
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
                   time_format: Optional[str] = None) -> pd.DataFrame:
    """One chunk of a file (as its reader made it) -> a typed frame of ``kind`` whose
    ``reason`` column holds every row-local verdict (validate.REASONS code, OK = -1); the rules
    that need other rows (duplicates, jumps) are the writer's (kinds.py). ``fields``: field ->
    source column (columns.resolve), ``name``: the file as errors name it. Pure: no project,
    no shared state — it may run on a helper thread or in another process (the arguments
    pickle). Raises UserError for what no row of the file may have (naive times, no --tz).
    ``speed_scale``: what the speed column is multiplied by to be m/s (speed.py);
    ``time_format``: the stamps' own strftime form (time_formats.py)."""
    if kind == "pings":
        return rows.pings(chunk, fields, tz, name, window, speed_scale, time_format)
    if kind == "labels":
        return rows.labels(chunk, fields, name)
    return rows.vehicles(chunk, fields, name)


def _summary(plan: Plan, read=0, accepted=0, quarantined=0, reasons=None, skipped=False,
             import_id=None, scope: Optional[Scope] = None, spans=None) -> dict:
    out = {"file": str(plan.source.path), "kind": plan.kind, "read": read, "accepted": accepted,
           "quarantined": quarantined, "reasons": dict(sorted((reasons or {}).items())),
           "skipped": skipped, "import_id": import_id, "file_format": plan.source.file_format}
    if plan.speed_unit:
        out["speed_unit"] = {"unit": plan.speed_unit[0], "ratio": round(plan.speed_unit[1], 2)}
    if plan.label_from_values:
        out["label_column_from_values"] = plan.label_from_values
    if plan.time_format:
        out["time_format"] = {"format": plan.time_format, "guessed": plan.time_format_guessed}
    if plan.joined_time:
        out["time_from_columns"] = list(plan.joined_time)
    if "vehicle_id" in plan.fields and plan.fields["vehicle_id"] == "vehicle_id":
        out.update(plan.source.notes)  # (not when --map vehicle_id=track overrode it)
    wide = columns.wide_labels(plan.fields) if plan.kind == "labels" else []
    if wide:
        # one row per vehicle, a column pair per label: rows read are labels, not lines
        used = {plan.fields[f] for f in columns.USED["labels"] if f in plan.fields}
        out["wide_labels"] = wide
        out["columns_not_read"] = [c for c in plan.source.columns if c not in used]
    spans = spans or {}
    if "ts" in spans and spans["ts"].seen:
        # when the refused stamps lie says what they are: 1970 (spreadsheet days read as
        # seconds), 1980-01-06 (a GPS receiver's epoch)
        out["implausible_span"] = spans["ts"].pair()
        out["time_window"] = [plan.window.lo, plan.window.hi]
    if "lat" in spans and spans["lat"].seen:
        # so do coordinates out of range: swapped, degrees x 1e7, UTM metres
        out["out_of_range_span"] = {"lat": spans["lat"].pair(), "lon": spans["lon"].pair()}
    if scope is not None and scope.active:
        # read = accepted + quarantined + not_selected (rows of vehicles --only left out)
        out.update(options=scope.options(),
                   not_selected=0 if skipped else scope.not_selected,
                   replaced_vehicles=0 if skipped else len(scope.replaced),
                   **{f"deleted_{scope.table}": 0 if skipped else scope.deleted})
    return out


def _import(conn, plan: Plan, progress, scope: Optional[Scope] = None,
            frames=None) -> dict:
    """One file, inside the caller's transaction; ``frames``: its ``typed_chunks`` computed
    elsewhere (a Dask worker), else read here."""
    scope = scope or Scope()
    key = persist.options_key(plan.tz, plan.column_map,
                              {**scope.options(), **plan.window.options(),
                               **({"vehicle": plan.vehicle} if plan.vehicle else {}),
                               # (found or given alike: the same reading is the same import)
                               **({"time_format": plan.time_format}
                                  if plan.time_format else {})})
    earlier = persist.find_import(conn, plan.kind, plan.source.sha256, key)
    if earlier is not None:
        return _summary(plan, skipped=True, import_id=earlier, scope=scope)
    name = plan.source.name
    total = max(plan.source.approx_rows, 1)
    progress(0, total, f"{name}: starting")
    read = accepted = 0
    reasons: Counter = Counter()
    # the least and greatest refused value of the columns that say why it was refused
    spans = {c: _Span() for c in ("ts", "lat", "lon")}
    import_id = persist.begin_import(conn, plan.kind, plan.source, key, plan.tz,
                                     plan.column_map)
    writer = WRITERS[plan.kind](conn, import_id)
    # a scope that changes frames (--only, --ignore-offset, --replace) comes first, so the
    # writer's project-free part can run ahead on the reader thread only without one
    prepare = getattr(writer, "prepare", None) if not scope.changes_frames else None
    # a GPX file that is one vehicle, and when: several such files that follow one another
    # in time may be one car's days (command.gpx_days_hint)
    one_gpx = plan.source.file_format == "gpx" and plan.kind == "pings" and not plan.vehicle
    gpx_vehicles: set = set()
    gpx_span = _Span()
    chunks = plan.frames(prepare) if frames is None else \
        ((chunk, frame, None) for chunk, frame in frames)   # validated on Dask workers
    for chunk, frame, prepared in chunks:
        n_rows = len(frame)
        frame = scope.apply(conn, frame, name)
        verdict = (writer.write(frame, prepared) if prepared is not None else
                   writer.write(frame)) if len(frame) else np.zeros(0, np.int8)
        refused = np.flatnonzero(verdict != OK)
        why = _REASON_NAMES[verdict[refused]].tolist()
        if plan.kind == "pings":
            spans["ts"].add(frame["ts"].to_numpy()[verdict == CODE["implausible_timestamp"]])
        if one_gpx and len(gpx_vehicles) < 2:
            kept = verdict == OK
            gpx_vehicles.update(pd.unique(frame["vehicle_id"].to_numpy()[kept]).tolist())
            gpx_span.add(frame["ts"].to_numpy()[kept])
        if plan.kind in ("pings", "labels"):
            far = verdict == CODE["lat_lon_out_of_range"]
            spans["lat"].add(frame["lat"].to_numpy()[far])
            spans["lon"].add(frame["lon"].to_numpy()[far])
        lines = frame["line"].to_numpy()[refused].tolist()
        raws = chunk.raw(frame["row"].to_numpy()[refused])
        # lines the reader could not make a row of travel with the chunk they were found in,
        # and go to quarantine with it (never collected for the whole file)
        for line, text, reason in chunk.rejected:
            lines.append(line if line is not None and line >= 0 else None)
            raws.append(text)
            why.append(reason)
        persist.quarantine(conn, import_id, name, lines, raws, why)
        reasons.update(why)
        read += n_rows + len(chunk.rejected)
        accepted += int((verdict == OK).sum())
        progress(min(read, total - 1), total, f"{name}: {read:,} rows")
    progress(min(read, total - 1), total, f"{name}: indexing")
    writer.finish()
    quarantined = read - accepted - scope.not_selected
    persist.finish_import(conn, import_id, read, accepted, quarantined)
    summary = _summary(plan, read, accepted, quarantined, dict(reasons), import_id=import_id,
                       scope=scope, spans=spans)
    summary.update(getattr(writer, "summary_notes", dict)())
    if one_gpx and len(gpx_vehicles) == 1 and gpx_span.lo is not None:
        summary["gpx_one_vehicle"] = {"vehicle": str(next(iter(gpx_vehicles))),
                                      "first_ts": int(gpx_span.lo), "last_ts": int(gpx_span.hi)}
    return summary


class _Span:
    """The least and greatest of the values it is given."""

    def __init__(self):
        self.lo = self.hi = None

    @property
    def seen(self) -> bool:
        return self.lo is not None

    def add(self, values: np.ndarray) -> None:
        if len(values):
            lo, hi = values.min().item(), values.max().item()
            self.lo = lo if self.lo is None else min(self.lo, lo)
            self.hi = hi if self.hi is None else max(self.hi, hi)

    def pair(self) -> list:
        return [self.lo, self.hi]


__all__ = ["ingest_paths", "ingest_jobs", "ImportJob", "plan_file", "validate_chunk",
           "FILE_VEHICLE", "vehicle_of_file",
           "typed_chunks", "DEFAULT_CHUNK_ROWS"]
