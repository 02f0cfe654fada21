"""The flag event log as CSV: export for scripts, import to merge another analyst's log.

Columns: the event columns (``replaces`` names the flag a re-attachment takes over,
``reviews`` the flag a review decision — accept / reject / amend — is about, ``batch`` groups
events made in one step) and
``anchor``: JSON of what a place flag pointed at (vehicle_id, place_id, lat, lon, stops), so a
merged flag is re-attached by what it meant, not by an id that may name another place here.
Files without ``replaces``/``anchor`` (older exports) still import; their place flags are
anchored to the place carrying their id here."""
from __future__ import annotations

import csv
import io
import sqlite3
from collections import defaultdict, deque
from datetime import datetime
from pathlib import Path

from auditor.atomic import write_text_atomic
from auditor.audit.anchors import anchor_json, backfill_anchors, parse_anchor, resolve_flags, write_anchor
from auditor.audit.flags import EVENT_COLUMNS, LABELS, REVIEW_ACTIONS, check_flag, insert_event, next_batch
from auditor.csvsafe import neutralise, restore
from auditor.errors import UserError
from auditor.outputs import check_input_file, check_output_file
from auditor.store import transaction

REQUIRED = ["event_id", "analyst", "created_at", "target_kind", "target_id", "action"]
CSV_COLUMNS = EVENT_COLUMNS + ["anchor"]


def export_csv(conn: sqlite3.Connection, path: str | Path, project=None) -> int:
    """Write every event to ``path`` (temp name + rename); returns the number of events.
    Text a spreadsheet would run as a formula gets a leading ' (auditor.csvsafe; import_csv
    takes it off again, so an exported log merges back exactly)."""
    path = check_output_file(path, project=project, what="the flag CSV")
    if not path.parent.is_dir():
        raise UserError(f"{path}: folder {path.parent} does not exist; create it first")
    rows = conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM flag_events "
                        "ORDER BY event_id").fetchall()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:  # a hand-made log: one anchor read per event is fine
        anchor = anchor_json(conn, row[0]) if row[3] == "place" else None
        writer.writerow(["" if v is None else neutralise(v) for v in (*row, anchor)])
    write_text_atomic(path, buf.getvalue())
    return len(rows)


def _dedupe_key(analyst, created_at, target_kind, target_id, action, new_value) -> tuple:
    return (analyst, created_at, target_kind, target_id, action, new_value or None)


def _read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, row) pairs; the header is line 1."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            # a log opened and saved again in a spreadsheet may come back ';' or tab separated
            first = fh.readline()
            fh.seek(0)
            delimiter = max(",;\t", key=lambda d: sum(c in first.split(d) for c in REQUIRED))
            reader = csv.DictReader(fh, delimiter=delimiter)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise UserError(f"{path}: row 1: missing column(s) {', '.join(missing)} — use a "
                                "file written by 'auditor flags PROJECT --export'")
            out = []
            for row in reader:
                if None in row:
                    raise UserError(f"{path}: row {reader.line_num}: more fields than the header "
                                    "— quote values that contain commas")
                out.append((reader.line_num, row))
            return out
    except FileNotFoundError:
        raise UserError(f"{path}: no such file — check the path") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text — save the CSV as UTF-8") from None
    except csv.Error as exc:
        raise UserError(f"{path}: not a readable CSV ({exc}) — use an exported flag log") from None


def _parse_row(path: Path, line: int, row: dict) -> dict:
    def text(name):
        value = restore(row.get(name))
        return value if value not in (None, "") else None

    where = f"{path}: row {line}"
    try:
        event_id = int(row["event_id"])
    except (TypeError, ValueError):
        raise UserError(f"{where}: event_id {row['event_id']!r} is not an integer") from None
    rec = {c: text(c) for c in EVENT_COLUMNS}
    rec["event_id"] = event_id
    anchor = text("anchor")
    rec["anchor"] = None
    if anchor is not None:
        try:
            rec["anchor"] = parse_anchor(anchor)
        except (ValueError, TypeError) as exc:
            raise UserError(f"{where}: anchor is not a place anchor ({exc}) — use the file as "
                            "exported") from None
    for key in ("replaces", "reviews", "batch"):
        if rec[key] is not None:
            try:
                rec[key] = int(rec[key])
            except ValueError:
                raise UserError(f"{where}: {key} {rec[key]!r} is not an event id") from None
    if not rec["analyst"] or not rec["analyst"].strip():
        raise UserError(f"{where}: analyst is empty — every event needs who made it")
    try:
        datetime.fromisoformat(rec["created_at"] or "")
    except ValueError:
        raise UserError(f"{where}: created_at {rec['created_at']!r} is not an ISO-8601 time"
                        " — saved again by a spreadsheet, which rewrites times? Import the file "
                        "'auditor flags PROJECT --export' wrote, as it is") from None
    if rec["action"] in REVIEW_ACTIONS:
        if rec["reviews"] is None or rec["revokes"] is not None or rec["replaces"] is not None:
            raise UserError(f"{where}: a review event ({rec['action']}) names the flag it "
                            "decides on in 'reviews', and nothing in revokes / replaces")
        if (rec["action"] == "amend") != (rec["new_value"] is not None) or \
                (rec["new_value"] is not None and rec["new_value"] not in LABELS):
            raise UserError(f"{where}: an amend carries the reviewer's label (home, work or "
                            "other) in new_value; accept and reject carry none")
        return rec
    if rec["reviews"] is not None:
        raise UserError(f"{where}: only review events (accept, reject, amend) may name "
                        "'reviews'")
    if rec["action"] == "revoke":
        if rec["new_value"] is not None or rec["replaces"] is not None:
            raise UserError(f"{where}: a revoke event takes no new_value or replaces")
        try:
            rec["revokes"] = int(rec["revokes"])
        except (TypeError, ValueError):
            raise UserError(f"{where}: revoke event without a valid 'revokes' event id") from None
    else:
        if rec["revokes"] is not None:
            raise UserError(f"{where}: only revoke events may name 'revokes'")
        try:
            check_flag(rec["target_kind"], rec["target_id"], rec["action"], rec["new_value"])
        except UserError as exc:
            raise UserError(f"{where}: {str(exc).removeprefix('flag: ')}") from None
    return rec


def import_csv(conn: sqlite3.Connection, path: str | Path) -> dict:
    """Append the events of ``path`` that this log does not hold yet, in one transaction.

    Events are matched on (analyst, created_at, target, action, new_value), with multiplicity:
    the k-th such event in the file is the k-th one here. ``revokes`` ids of the file are
    remapped to this log's ids. Returns {"read", "imported", "already_present"}."""
    path = check_input_file(path, what="a flag CSV")
    records = []
    seen_ids: set[int] = set()
    kinds: dict[int, tuple] = {}
    reviews: set[int] = set()   # review events: revocable, never reviewed themselves
    for line, row in _read_rows(path):
        rec = _parse_row(path, line, row)
        if rec["event_id"] in seen_ids:
            raise UserError(f"{path}: row {line}: event_id {rec['event_id']} appears twice — "
                            "use the file as exported")
        if rec["action"] == "revoke":
            target = kinds.get(rec["revokes"])
            if target is None:
                raise UserError(f"{path}: row {line}: revokes event {rec['revokes']}, which is "
                                "not an earlier flag in this file — export the whole log")
            if target != (rec["target_kind"], rec["target_id"]):
                raise UserError(f"{path}: row {line}: revoke names another target than event "
                                f"{rec['revokes']}")
        if rec["replaces"] is not None and rec["replaces"] not in kinds:
            raise UserError(f"{path}: row {line}: replaces event {rec['replaces']}, which is "
                            "not an earlier flag in this file — export the whole log")
        if rec["reviews"] is not None:
            target = kinds.get(rec["reviews"])
            if target is None or rec["reviews"] in reviews:
                raise UserError(f"{path}: row {line}: reviews event {rec['reviews']}, which is "
                                "not an earlier flag in this file — export the whole log")
            if target != (rec["target_kind"], rec["target_id"]):
                raise UserError(f"{path}: row {line}: review names another target than event "
                                f"{rec['reviews']}")
            reviews.add(rec["event_id"])
        seen_ids.add(rec["event_id"])
        if rec["action"] != "revoke":
            kinds[rec["event_id"]] = (rec["target_kind"], rec["target_id"])
        records.append(rec)

    imported = 0
    with transaction(conn):
        present: dict[tuple, deque] = defaultdict(deque)
        for row in conn.execute("SELECT event_id, analyst, created_at, target_kind, target_id, "
                                "action, new_value FROM flag_events ORDER BY event_id"):
            present[_dedupe_key(*row[1:])].append(row[0])
        id_map: dict[int, int] = {}
        batch_map: dict[int, int] = {}   # the file's batch keys -> this log's
        fresh = next_batch(conn)
        for rec in records:
            key = _dedupe_key(rec["analyst"], rec["created_at"], rec["target_kind"],
                              rec["target_id"], rec["action"], rec["new_value"])
            if present[key]:
                id_map[rec["event_id"]] = present[key].popleft()
                if rec["batch"] is not None and rec["batch"] not in batch_map:
                    here = conn.execute("SELECT batch FROM flag_events WHERE event_id = ?",
                                        (id_map[rec["event_id"]],)).fetchone()[0]
                    batch_map[rec["batch"]] = here if here is not None else fresh
                    fresh = max(fresh, batch_map[rec["batch"]]) + 1
                continue
            revokes = id_map[rec["revokes"]] if rec["revokes"] is not None else None
            replaces = id_map[rec["replaces"]] if rec["replaces"] is not None else None
            reviewed = id_map[rec["reviews"]] if rec["reviews"] is not None else None
            batch = None
            if rec["batch"] is not None:
                if rec["batch"] not in batch_map:
                    batch_map[rec["batch"]] = fresh
                    fresh += 1
                batch = batch_map[rec["batch"]]
            new_id = insert_event(
                conn, rec["analyst"], rec["created_at"], rec["target_kind"], rec["target_id"],
                rec["action"], rec["old_value"], rec["new_value"], rec["note"], revokes,
                replaces, reviewed, batch)
            id_map[rec["event_id"]] = new_id
            if rec["anchor"] is not None and rec["target_kind"] == "place" and \
                    rec["action"] not in REVIEW_ACTIONS:
                write_anchor(conn, new_id, rec["anchor"], "imported")
            imported += 1
        if imported:
            backfill_anchors(conn)  # an older file's place flags: the place with that id here
            resolve_flags(conn)
    return {"read": len(records), "imported": imported,
            "already_present": len(records) - imported}
