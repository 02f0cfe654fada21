"""`auditor review PROJECT --analyst NAME (--accept EVENT | --reject EVENT | --amend EVENT
--label L | --list) [--note TEXT] [--json]`: a second analyst's decision on a flag event, from
scripts (auditor.audit.review says what is refused)."""
from __future__ import annotations

import json

from auditor.audit.command import _event_id, _printable
from auditor.audit.review import next_pending, pending_flags, review_events, review_flag
from auditor.errors import UserError
from auditor.store import open_project


def _decision(args) -> tuple[str | None, str | None]:
    given = [(name, value) for name, value in (("accept", args.accept), ("reject", args.reject),
                                               ("amend", args.amend)) if value is not None]
    if len(given) > 1:
        raise UserError("review: give one of --accept, --reject, --amend")
    if not given and not args.list:
        raise UserError("review: give --accept EVENT, --reject EVENT, --amend EVENT --label L "
                        "or --list")
    if args.label is not None and (not given or given[0][0] != "amend"):
        raise UserError("review: --label goes with --amend only")
    if given and given[0][0] == "amend" and args.label is None:
        raise UserError("review: --amend needs --label home|work|other (the reviewer's label)")
    return given[0] if given else (None, None)


def _records(frame) -> list[dict]:
    out = []
    for rec in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        out.append({k: (int(v) if k in ("event_id", "flag_event_id", "revoked_by")
                        and v is not None else v) for k, v in rec.items()})
    return out


def run(args) -> int:
    decision, event = _decision(args)
    conn = open_project(args.project, create=False)
    try:
        summary: dict = {"analyst": args.analyst}
        if decision is not None:
            flag_id = _event_id(event)
            review_id = review_flag(conn, args.analyst, flag_id, decision, args.label, args.note)
            summary["review"] = {"event_id": review_id, "flag_event_id": flag_id,
                                 "decision": decision, "label": args.label, "note": args.note}
            nxt = next_pending(conn, args.analyst, after=flag_id)
            summary["next_pending"] = nxt["event_id"] if nxt else None
        if args.list:
            summary["pending"] = _records(pending_flags(conn, args.analyst))
            summary["decisions"] = _records(review_events(conn))
        if args.json:
            print(json.dumps(summary, ensure_ascii=False, indent=1))
            return 0
        if decision is not None:
            r = summary["review"]
            what = f" as {_printable(args.label)}" if decision == "amend" else ""
            print(f"event {r['event_id']}: {_printable(args.analyst)} {decision}s flag "
                  f"{r['flag_event_id']}{what}")
            if summary["next_pending"] is not None:
                print(f"next pending for {_printable(args.analyst)}: flag "
                      f"{summary['next_pending']}")
        if args.list:
            pending = summary["pending"]
            print(f"{len(pending)} flag(s) pending review by {_printable(args.analyst)}")
            for f in pending:
                value = f" {_printable(f['new_value'])}" if f["new_value"] else ""
                print(f"  flag {f['event_id']} by {_printable(f['analyst'])} at "
                      f"{_printable(f['created_at'])}: {f['action']}{value} on "
                      f"{_printable(f['target_id'] or f['flagged_target_id'])} ({f['status']})")
            print(f"{len(summary['decisions'])} review decision(s):")
            for d in summary["decisions"]:
                undone = f" (undone by event {d['revoked_by']})" if d["revoked_by"] else ""
                label = f" -> {_printable(d['amended_value'])}" if d["amended_value"] else ""
                print(f"  event {d['event_id']}: {_printable(d['reviewer'])} "
                      f"{d['decision']}{label} flag {d['flag_event_id']} of "
                      f"{_printable(d['flagged_by'])} at {_printable(d['created_at'])}{undone}")
        return 0
    finally:
        conn.close()
