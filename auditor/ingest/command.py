"""`auditor ingest PROJECT FILE... [--kind] [--map FIELD=COLUMN]... [--tz ZONE] [--only KEY=VALUE]...
[--ignore-offset] [--replace] [--min-time TIME] [--max-time TIME]
[--pings-store DIR [--pings-buckets N]] [--json]`."""
from __future__ import annotations

import json

from auditor.ingest.api import ingest_paths
from auditor.ingest.columns import parse_map
from auditor.progress import TerminalProgress


def run(args) -> int:
    column_map = parse_map(getattr(args, "map", None))
    bar = TerminalProgress()
    try:
        summaries = ingest_paths(args.project, args.files, kind=args.kind,
                                 column_map=column_map, tz=args.tz, progress=bar,
                                 only=getattr(args, "only", None),
                                 ignore_offset=getattr(args, "ignore_offset", False),
                                 replace=getattr(args, "replace", False),
                                 min_time=getattr(args, "min_time", None),
                                 max_time=getattr(args, "max_time", None),
                                 pings_store=getattr(args, "pings_store", None),
                                 pings_buckets=getattr(args, "pings_buckets", None))
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
