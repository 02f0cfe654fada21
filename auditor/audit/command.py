"""`auditor flags PROJECT [--export FILE.csv] [--import FILE.csv] [--json]`."""
from __future__ import annotations

import json

import pandas as pd

from auditor.audit.flags import event_log
from auditor.audit.log_csv import export_csv, import_csv
from auditor.outputs import check_output_file
from auditor.store import open_project
from auditor.terminal import one_line


def _printable(value) -> str:
    """Data is untrusted: no control characters (escape sequences, newlines) reach the terminal."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return one_line(value)


def _records(log: pd.DataFrame) -> list[dict]:
    out = []
    for rec in log.astype(object).where(log.notna(), None).to_dict("records"):
        rec["event_id"] = int(rec["event_id"])
        if rec["revokes"] is not None:
            rec["revokes"] = int(rec["revokes"])
        out.append(rec)
    return out


def run(args) -> int:
    writes = bool(getattr(args, "import_", None))
    if getattr(args, "export", None):  # before anything else: never over the project
        check_output_file(args.export, project=args.project, what="the flag CSV")
    # listing and exporting only read: they work on a read-only project too
    conn = open_project(args.project, create=False, readonly=not writes)
    try:
        summary: dict = {}
        if getattr(args, "import_", None):
            summary["import"] = import_csv(conn, args.import_)
        if getattr(args, "export", None):
            summary["export"] = {"file": str(args.export),
                                 "events": export_csv(conn, args.export, project=args.project)}
        if args.json:
            summary["events"] = _records(event_log(conn))
            print(json.dumps(summary, ensure_ascii=False, indent=1))
            return 0
        if "import" in summary:
            s = summary["import"]
            print(f"imported {s['imported']} of {s['read']} events "
                  f"({s['already_present']} already present)")
        if "export" in summary:
            print(f"wrote {summary['export']['events']} events to {args.export}")
        if not summary:
            log = event_log(conn)
            if log.empty:
                print("no flags yet")
            else:
                print(log.map(_printable).to_string(index=False))
        return 0
    finally:
        conn.close()
