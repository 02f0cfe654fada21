"""`auditor flags PROJECT [--export FILE.csv] [--import FILE.csv] [--json]
[--reattach EVENT PLACE | --revoke EVENT] [--analyst NAME] [--note TEXT]`."""
from __future__ import annotations

import json
import math

import pandas as pd

from auditor.audit.flags import event_log, flags_in_force, reattach, revoke
from auditor.audit.log_csv import export_csv, import_csv
from auditor.errors import UserError
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
        for key in ("revokes", "replaces"):
            if rec.get(key) is not None:
                rec[key] = int(rec[key])
        out.append(rec)
    return out


def _number(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)


def flag_records(conn) -> list[dict]:
    """The ``flags`` list of ``flags --json`` (docs: ../shared/docs/cli.md): one entry per flag
    in force, with where it points now and whether it is attached."""
    out = []
    frame = flags_in_force(conn)
    for rec in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        place = rec["target_kind"] == "place"
        out.append({
            "event_id": int(rec["event_id"]), "analyst": rec["analyst"],
            "created_at": rec["created_at"], "target_kind": rec["target_kind"],
            "target_id": rec["target_id"], "flagged_target_id": rec["flagged_target_id"],
            "action": rec["action"], "new_value": rec["new_value"], "note": rec["note"],
            "status": rec["status"],
            "lat": _number(rec["lat"]) if place else None,
            "lon": _number(rec["lon"]) if place else None,
            "how": rec["how"] if place else None,
            "detail": rec["detail"] if place else None,
            "moved_m": _number(rec["moved_m"]) if place else None,
            "replaces": int(rec["replaces"]) if rec["replaces"] is not None else None,
            # review is a later issue: every flag is pending until then
            "review": "pending", "reviewer": None,
        })
    return out


def _settle(conn, args) -> dict | None:
    """--reattach / --revoke: one new event in the log, by --analyst."""
    if args.reattach is None and args.revoke is None:
        return None
    if args.reattach is not None and args.revoke is not None:
        raise UserError("flags: give --reattach or --revoke, not both")
    if not args.analyst:
        raise UserError("flags: --analyst NAME is required to change flags (every event "
                        "records who made it)")
    if args.reattach is not None:
        event, place = args.reattach
        event_id = _event_id(event)
        new_id = reattach(conn, args.analyst, event_id, place, note=args.note)
        return {"reattached": event_id, "place_id": place, "event_id": new_id}
    event_id = _event_id(args.revoke)
    return {"revoked": event_id, "event_id": revoke(conn, args.analyst, event_id,
                                                    note=args.note)}


def _event_id(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise UserError(f"flags: event {text!r} is not an event id — see 'auditor flags "
                        "PROJECT --json'") from None


def run(args) -> int:
    writes = bool(getattr(args, "import_", None)) or \
        getattr(args, "reattach", None) is not None or getattr(args, "revoke", None) is not None
    if getattr(args, "export", None):  # before anything else: never over the project
        check_output_file(args.export, project=args.project, what="the flag CSV")
    # listing and exporting only read: they work on a read-only project too
    conn = open_project(args.project, create=False, readonly=not writes)
    try:
        summary: dict = {}
        if getattr(args, "import_", None):
            summary["import"] = import_csv(conn, args.import_)
        changed = _settle(conn, args) if hasattr(args, "reattach") else None
        if changed is not None:
            summary["change"] = changed
        if getattr(args, "export", None):
            summary["export"] = {"file": str(args.export),
                                 "events": export_csv(conn, args.export, project=args.project)}
        if args.json:
            summary["events"] = _records(event_log(conn))
            summary["flags"] = flag_records(conn)
            print(json.dumps(summary, ensure_ascii=False, indent=1))
            return 0
        if "import" in summary:
            s = summary["import"]
            print(f"imported {s['imported']} of {s['read']} events "
                  f"({s['already_present']} already present)")
        if changed is not None:
            if "reattached" in changed:
                print(f"event {changed['event_id']}: flag {changed['reattached']} now points at "
                      f"{_printable(changed['place_id'])}")
            else:
                print(f"event {changed['event_id']}: revoked flag {changed['revoked']}")
        if "export" in summary:
            print(f"wrote {summary['export']['events']} events to {args.export}")
        if not summary:
            log = event_log(conn)
            if log.empty:
                print("no flags yet")
            else:
                print(log.map(_printable).to_string(index=False))
            orphans = [f for f in flag_records(conn) if f["status"] == "orphaned"]
            if orphans:
                print(f"{len(orphans)} orphaned flag(s) point at no place since the last infer "
                      "(settle each with --reattach EVENT PLACE or --revoke EVENT):")
                for f in orphans:
                    print(f"  event {f['event_id']} {f['action']} "
                          f"{_printable(f['new_value'])} (was {_printable(f['flagged_target_id'])}"
                          f"): {_printable(f['detail'])}")
        return 0
    finally:
        conn.close()
