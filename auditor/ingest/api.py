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
from typing import Mapping, Optional

import numpy as np
import pandas as pd

from auditor.errors import UserError
from auditor.ingest import (
    columns,
    datums,
    parallel,
    persist,
    time_formats,
    timestamps,
)
from auditor.ingest.kinds import WRITERS

# what a file is and how to read it (plan.py; plan_file, validate_chunk and typed_chunks are
# part of this module's interface too)
from auditor.ingest.plan import (
    DEFAULT_CHUNK_ROWS,
    FILE_VEHICLE,
    Plan,
    plan_file,
    typed_chunks,
    validate_chunk,
    vehicle_of_file,
)
from auditor.ingest.readers import open_source
from auditor.ingest.repeated_hour import Refolder
from auditor.ingest.scope import Scope, parse_only
from auditor.ingest.validate import CODE, OK, REASONS, time_window
from auditor.outputs import check_input_file
from auditor.progress import Progress, report, scaled
from auditor.store import open_project, pings_dataset, transaction
from auditor.store.connection import check_is_project, claim_new_project, remove_claimed

_REASON_NAMES = np.array(REASONS, dtype=object)


def ingest_paths(project, files, kind: Optional[str] = None,
                 column_map: Optional[Mapping[str, str]] = None, tz: Optional[str] = None,
                 progress: Optional[Progress] = None,
                 chunk_rows: int = DEFAULT_CHUNK_ROWS, *, only=None,
                 ignore_offset: bool = False, replace: bool = False,
                 min_time=None, max_time=None, pings_store=None,
                 pings_buckets: Optional[int] = None, engine=None,
                 vehicle: Optional[str] = None, time_format: Optional[str] = None,
                 datum: Optional[str] = None) -> list[dict]:
    """Import ``files`` into ``project`` (created if missing); one summary dict per file.
    ``vehicle``: every row of the files is that vehicle's; ``time_format``: the strftime form
    of the pings' stamps, else found per file when not ISO-8601 (plan_file); ``datum``: the
    datum the files' coordinates are in (datums.py: gcj02, bd09, tokyo), stored in WGS-84.

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
        raise UserError("no files to import — name at least one data file")
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
    datum = datums.check(datum)
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
                       time_format, map_where_present=several,
                       progress=_planning(progress, i, len(files)))
             for i, f in enumerate(files)]
    for plan in plans:
        plan.datum = datum
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
    datum: Optional[str] = None      # the coordinates' datum (datums.py), stored in WGS-84


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
        raise UserError("no files to import — add at least one data file")
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
        datum = datums.check(job.datum)
        plans.append(plan_file(Path(job.path), job.kind, dict(job.column_map or {}), job.tz,
                               chunk_rows, window, job.vehicle, fmt,
                               progress=_planning(progress, len(plans), len(jobs))))
        plans[-1].datum = datum
    return _run(project, plans, progress, lambda plan: Scope(tz=plan.tz, window=window),
                engine=engine)


def _planning(progress: Optional[Progress], i: int, n: int) -> Optional[Progress]:
    """Progress while file ``i`` of ``n`` is checked before anything is imported (a read
    through the whole file, when its first rows cannot tell day from month): that file's
    share of the bar, as its import will fill it again."""
    return scaled(progress, i / n, (i + 1) / n)


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


def _summary(plan: Plan, read=0, accepted=0, quarantined=0, reasons=None, skipped=False,
             import_id=None, scope: Optional[Scope] = None, spans=None) -> dict:
    out = {"file": str(plan.source.path), "kind": plan.kind, "read": read, "accepted": accepted,
           "quarantined": quarantined, "reasons": dict(sorted((reasons or {}).items())),
           "skipped": skipped, "import_id": import_id, "file_format": plan.source.file_format}
    if plan.speed_unit:
        ratio = plan.speed_unit[1]
        out["speed_unit"] = {"unit": plan.speed_unit[0],
                             "ratio": None if ratio is None else round(ratio, 2)}
    if plan.label_from_values:
        out["label_column_from_values"] = plan.label_from_values
    if plan.time_format:
        out["time_format"] = {"format": plan.time_format, "guessed": plan.time_format_guessed}
    if plan.joined_time:
        out["time_from_columns"] = list(plan.joined_time)
    if plan.datum is not None and plan.kind != "vehicles":
        out["datum"] = plan.datum
    if plan.source.file_format == "json":
        out["json_shape"] = plan.source.notes.get("json_shape")
    if "workbook_sheet" in plan.source.notes:
        out["workbook_sheet"] = plan.source.notes["workbook_sheet"]
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
                                  if plan.time_format else {}),
                               **({"datum": plan.datum} if plan.datum else {})})
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
    # stamps the scope re-reads in each vehicle's zone (--tz vehicle, --ignore-offset): their
    # own repeated hours, by order (repeated_hour.py); the plan's were read as validated
    refold = Refolder()
    second = east = rolled = 0
    other_order: Counter = Counter()
    clock_moved: dict = {}  # vehicle -> (s its stamps moved, rows): arrival_clock.py
    for chunk, frame, prepared in chunks:
        n_rows = len(frame)
        second += frame.attrs.get("refolded", 0)
        east += frame.attrs.get("east_of_180", 0)
        rolled += frame.attrs.get("rolled_over", 0)
        other_order.update(frame.attrs.get("other_date_order", {}))
        for v, (shift, n) in frame.attrs.get("arrival_clock", {}).items():
            clock_moved[v] = (shift, clock_moved.get(v, (0, 0))[1] + n)
        frame = refold(scope.apply(conn, frame, name))
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
    if second + refold.refolded:
        summary["repeated_hour_second"] = second + refold.refolded
    if east:
        summary["lon_east_of_180"] = east
    if rolled:
        summary["gps_week_rollover"] = rolled
    if clock_moved:
        summary["arrival_clock"] = {str(v): {"shift_s": shift, "rows": n}
                                    for v, (shift, n) in sorted(clock_moved.items(), key=str)}
    if other_order:
        forms = time_formats.orders(plan.time_format)
        summary["other_date_order"] = {
            "format": next(f for f in forms if f != plan.time_format),
            "vehicles": {str(v): n for v, n in sorted(other_order.items(), key=str)}}
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
