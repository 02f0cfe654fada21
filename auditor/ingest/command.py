"""`auditor ingest PROJECT FILE_OR_DIR... [--kind] [--map FIELD=COLUMN]... [--tz ZONE]
[--only KEY=VALUE]... [--ignore-offset] [--replace] [--min-time TIME] [--max-time TIME]
[--pings-store DIR [--pings-buckets N]] [--engine local|dask] [--workers N]
[--scheduler ADDRESS] [--json]`."""
from __future__ import annotations

import json
from pathlib import Path

from auditor.engine import make_engine
from auditor.errors import UserError
from auditor.ingest.api import ingest_paths
from auditor.ingest.columns import parse_map
from auditor.ingest.parallel import PRELOAD
from auditor.progress import TerminalProgress

INPUT_SUFFIXES = (".csv", ".parquet", ".pq", ".gpx")


def expand_inputs(items) -> list:
    """The files to import: a file as given; a folder -> every CSV/Parquet/GPX file directly
    in it (not hidden, not in subfolders), sorted by name, so the import order — and with it
    the project — is the same on every machine."""
    out = []
    for item in items:
        path = Path(item)
        if not path.is_dir():
            out.append(item)
            continue
        try:
            found = sorted((p for p in path.iterdir() if p.suffix.lower() in INPUT_SUFFIXES
                            and not p.name.startswith(".") and p.is_file()),
                           key=lambda p: p.name)
        except OSError as exc:
            raise UserError(f"{path}: cannot list the folder ({exc.strerror}) — check "
                            "permissions") from None
        if not found:
            raise UserError(f"{path}: no .csv, .parquet or .gpx files in this folder — name "
                            "the files, or the folder that holds them")
        out.extend(found)
    return out


def run(args) -> int:
    column_map = parse_map(getattr(args, "map", None))
    engine = make_engine(getattr(args, "engine", None), getattr(args, "workers", None),
                         getattr(args, "scheduler", None), preload=PRELOAD)
    files = expand_inputs(args.files)
    bar = TerminalProgress()
    try:
        summaries = ingest_paths(args.project, files, kind=args.kind,
                                 column_map=column_map, tz=args.tz, progress=bar,
                                 only=getattr(args, "only", None),
                                 ignore_offset=getattr(args, "ignore_offset", False),
                                 replace=getattr(args, "replace", False),
                                 min_time=getattr(args, "min_time", None),
                                 max_time=getattr(args, "max_time", None),
                                 pings_store=getattr(args, "pings_store", None),
                                 pings_buckets=getattr(args, "pings_buckets", None),
                                 engine=engine)
    finally:
        bar.close()
    if args.json:
        payload = summaries[0] if len(summaries) == 1 else summaries
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for summary in summaries:
            print(describe(summary))
    return 0


def describe(summary: dict) -> str:
    """One readable paragraph per file."""
    if summary["skipped"]:
        return f"{summary['file']}: already imported — nothing to do"
    text = (f"{summary['file']}: {summary['kind']}: {summary['read']:,} rows read, "
            f"{summary['accepted']:,} accepted, {summary['quarantined']:,} quarantined")
    if "not_selected" in summary:
        text += (f", {summary['not_selected']:,} of other vehicles left out; "
                 f"{summary['deleted_pings']:,} stored pings of "
                 f"{summary['replaced_vehicles']:,} vehicles replaced")
    if summary["reasons"]:
        text += "\n" + "\n".join(f"  {reason}: {n:,}" for reason, n in summary["reasons"].items())
    return text
