"""The flag event log: append-only rows in ``flag_events``; undo appends a revocation.

A flag is in force while it is not revoked and not replaced (``replaces``: a re-attachment of
an orphaned place flag) by a flag in force; per (target, action) the latest flag in force wins
(so undoing "label -> home" brings back an earlier "label -> work"). The schema's
``flags_in_force`` view is the one statement of that rule; everything that asks which flags
count reads it. Nothing is ever deleted: the table's triggers refuse UPDATE and DELETE.

Place flags carry an anchor and are re-attached after every infer (auditor.audit.anchors):
``target_id`` of an event is the place id it was made against; where a flag points *now* is
``flags_in_force.current_target`` (NULL while orphaned: ``status`` 'orphaned'). An orphaned
flag is shown but never applied or counted; "the target" in the rule is the current one.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable, Mapping, Optional

if TYPE_CHECKING:  # pandas is imported where used: it costs ~0.6 s of the GUI's start
    import pandas as pd

from auditor.audit.anchors import (
    FLAG_ACTIONS,
    copy_anchor,
    in_force_ids,
    place_anchor,
    read_anchor,
    resolve_flags,
    write_anchor,
)
from auditor.classes import CLASSES
from auditor.errors import UserError
from auditor.store import transaction

LABELS = CLASSES  # a corrected label names one of the classes
# a second analyst's decision on a flag (auditor.audit.review): events of the same log
REVIEW_ACTIONS = ("accept", "reject", "amend")
ACTIONS_BY_KIND = {
    "place": ("label_wrong", "model_wrong", "bad_data"),
    "ping_range": ("bad_data",),
    "vehicle": ("bad_data",),
}
# 'trip' is accepted by add_flag but stored as the ping range it covers (survives re-inference)
TARGET_KINDS = (*ACTIONS_BY_KIND, "trip")
EVENT_COLUMNS = ["event_id", "analyst", "created_at", "target_kind", "target_id", "action",
                 "old_value", "new_value", "note", "revokes", "replaces", "reviews", "batch"]
STATE_TEXT = {"model_wrong": "model wrong", "bad_data": "bad data"}


def utc_now() -> str:
    """UTC ISO-8601 with seconds, e.g. 2026-11-27T02:03:44Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class FlagSpec:
    """What a flag says, without who or when: the unit FlagStack does and redoes."""
    target_kind: str
    target_id: str
    action: str
    new_value: Optional[str] = None
    note: Optional[str] = None
    replaces: Optional[int] = None   # a re-attachment: the place flag this one takes over from
    reviews: Optional[int] = None    # a review decision (action accept|reject|amend) on this flag

    @classmethod
    def coerce(cls, spec: "FlagSpec | Mapping") -> "FlagSpec":
        if isinstance(spec, FlagSpec):
            return spec
        unknown = set(spec) - set(cls.__dataclass_fields__)
        if unknown:
            raise UserError(f"flag: unknown field(s) {sorted(unknown)} — use target_kind, "
                            "target_id, action, new_value, note, replaces, reviews")
        return cls(**spec)


# --- validation -------------------------------------------------------------------------------

def check_analyst(analyst) -> str:
    if not isinstance(analyst, str) or not analyst.strip():
        raise UserError("flag: analyst name is empty — set your name in the settings "
                        "(or pass one) before flagging")
    return analyst.strip()


def parse_ping_range(target_id: str) -> tuple[str, int, int]:
    """``"<vehicle>|<start_ts>|<end_ts>"`` -> (vehicle, start, end); UserError when malformed."""
    parts = str(target_id).rsplit("|", 2)
    try:
        vehicle, start, end = parts[0], int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        raise UserError(f"flag: ping range {target_id!r} is malformed — write "
                        "'<vehicle>|<start_ts>|<end_ts>' with UTC epoch seconds") from None
    if not vehicle or start > end:
        raise UserError(f"flag: ping range {target_id!r} needs a vehicle and start <= end")
    return vehicle, start, end


def check_flag(target_kind: str, target_id, action: str, new_value) -> None:
    """The rules every stored flag event obeys (also checked for imported rows)."""
    if target_kind not in ACTIONS_BY_KIND:
        raise UserError(f"flag: target kind {target_kind!r} is unknown — use one of "
                        f"{', '.join(ACTIONS_BY_KIND)}")
    if not isinstance(target_id, str) or not target_id:
        raise UserError("flag: target id is empty — name the place, ping range or vehicle")
    if action not in ACTIONS_BY_KIND[target_kind]:
        raise UserError(f"flag: action {action!r} does not apply to a {target_kind} — use "
                        f"{', '.join(ACTIONS_BY_KIND[target_kind])}")
    if action == "label_wrong":
        if new_value not in LABELS:
            raise UserError(f"flag: corrected label {new_value!r} is not allowed — use "
                            "home, work or other")
    elif new_value is not None:
        raise UserError(f"flag: {action} takes no new value (got {new_value!r})")
    if target_kind == "ping_range":
        parse_ping_range(target_id)


def _resolve_target(conn: sqlite3.Connection, target_kind: str, target_id) -> tuple[str, str]:
    """Check the target exists now; a trip becomes the ping range it covers."""
    target_id = "" if target_id is None else str(target_id)
    if target_kind == "trip":
        row = conn.execute("SELECT vehicle_id, start_ts, end_ts FROM trips WHERE trip_id = ?",
                           (target_id,)).fetchone()
        if row is None:
            raise UserError(f"flag: no trip {target_id!r} in this project — pick a trip of the "
                            "current inference")
        return "ping_range", f"{row[0]}|{int(row[1])}|{int(row[2])}"
    if target_kind == "place":
        if conn.execute("SELECT 1 FROM places WHERE place_id = ?", (target_id,)).fetchone() is None:
            raise UserError(f"flag: no place {target_id!r} in this project — run 'auditor "
                            "infer' or pick a listed place")
    elif target_kind == "vehicle":
        known = conn.execute("SELECT 1 FROM pings WHERE vehicle_id = ? UNION ALL "
                             "SELECT 1 FROM vehicles WHERE vehicle_id = ? LIMIT 1",
                             (target_id, target_id)).fetchone()
        if known is None:
            raise UserError(f"flag: no vehicle {target_id!r} in this project — check the id")
    return target_kind, target_id


# --- writing ------------------------------------------------------------------------------------

def insert_event(conn: sqlite3.Connection, analyst: str, created_at: str, target_kind: str,
                 target_id: str, action: str, old_value, new_value, note, revokes,
                 replaces=None, reviews=None, batch=None) -> int:
    """Append one validated row; the caller owns the transaction."""
    cur = conn.execute(
        "INSERT INTO flag_events (analyst, created_at, target_kind, target_id, action, "
        "old_value, new_value, note, revokes, replaces, reviews, batch) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (analyst, created_at, target_kind, target_id, action, old_value, new_value, note,
         revokes, replaces, reviews, batch))
    return int(cur.lastrowid)


def next_batch(conn: sqlite3.Connection) -> int:
    """A fresh key for events made in one step (the caller owns the transaction)."""
    return int(conn.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM flag_events").fetchone()[0])


def effective_label(conn: sqlite3.Connection, place_id: str) -> str:
    """The label a place has now: its latest correction in force attached to it, else the
    given label, else 'other' (a place of an unlabelled vehicle counts as other, like in
    training)."""
    rows = conn.execute(
        "SELECT new_value FROM flags_in_force WHERE target_kind = 'place' "
        "AND current_target = ? AND action = 'label_wrong'", (place_id,)).fetchone()
    if rows is not None:
        return rows[0]
    given = conn.execute("SELECT label FROM place_labels WHERE place_id = ?",
                         (place_id,)).fetchone()
    return given[0] if given is not None else "other"


def _refuse_no_op(conn, analyst, kind, tid, action, new_value, old_value) -> None:
    """A flag that changes nothing would make the analyst's next undo change nothing too."""
    latest = conn.execute(
        "SELECT event_id, analyst, new_value FROM flags_in_force WHERE target_kind = ? "
        "AND current_target = ? AND action = ?", (kind, tid, action)).fetchone()
    if latest is not None and latest[1] == analyst and latest[2] == new_value:
        raise UserError(f"flag: you already flagged {tid} so (event {latest[0]}) — nothing to add")
    if action == "label_wrong" and latest is None and old_value == new_value:
        raise UserError(f"flag: {tid} is already labelled {new_value} — pick the correct label")


def flag_row(conn: sqlite3.Connection, event_id: int) -> tuple:
    row = conn.execute("SELECT target_kind, target_id, action, new_value, note, replaces "
                       "FROM flag_events WHERE event_id = ?", (int(event_id),)).fetchone()
    if row is None:
        raise UserError(f"flag: no event {event_id} in the log — see 'auditor flags PROJECT'")
    return row


def _check_replaces(conn: sqlite3.Connection, replaces: int, target_id: str, action: str,
                    new_value) -> None:
    """A re-attachment takes over a place flag in force, keeps what it says, moves where."""
    kind, _, old_action, old_value, _, _ = flag_row(conn, replaces)
    if kind != "place" or old_action not in FLAG_ACTIONS:
        raise UserError(f"flag: event {replaces} is not a place flag — only place flags are "
                        "re-attached")
    if int(replaces) not in in_force_ids(conn):
        raise UserError(f"flag: event {replaces} is not in force (revoked or already "
                        "re-attached) — see 'auditor flags PROJECT --json'")
    if (old_action, old_value) != (action, new_value):
        raise UserError(f"flag: a re-attachment keeps what event {replaces} says "
                        f"({old_action} {old_value or ''}) — flag anew to say something else")
    now = conn.execute("SELECT current_target FROM flags_in_force WHERE event_id = ?",
                       (int(replaces),)).fetchone()
    if now is not None and now[0] == target_id:
        raise UserError(f"flag: event {replaces} already points at {target_id} — nothing to "
                        "re-attach")


def add_flag(conn: sqlite3.Connection, analyst: str, target_kind: str, target_id: str,
             action: str, new_value: Optional[str] = None, note: Optional[str] = None, *,
             replaces: Optional[int] = None, anchor_from: Optional[int] = None) -> int:
    """Append one flag event, committed at once; returns its event_id.

    A place flag records its anchor (what the place is now). ``replaces``: re-attach that
    orphaned (or misplaced) place flag to ``target_id``; with a revoked event and
    ``anchor_from`` the same event, it reinstates that flag (the undo of a dismissal).
    ``anchor_from``: re-append an earlier event (redo, reinstatement): it keeps that event's
    anchor, so it lands where that flag would point now, and its place need not exist under
    the old id."""
    analyst = check_analyst(analyst)
    with transaction(conn):
        event_id, kind = _append(conn, analyst, target_kind, target_id, action, new_value, note,
                                 replaces=replaces, anchor_from=anchor_from)
        if kind == "place":
            resolve_flags(conn)
        return event_id


def _append(conn: sqlite3.Connection, analyst: str, target_kind: str, target_id, action: str,
            new_value, note, *, replaces=None, anchor_from=None, batch=None,
            known: Optional["_Known"] = None) -> tuple[int, str]:
    """One checked flag event with its anchor; the caller owns the transaction and runs
    resolve_flags after it. ``known``: bulk reads a batch shares (see add_flags)."""
    if target_kind not in TARGET_KINDS:
        check_flag(target_kind, target_id, action, new_value)  # raises with the allowed kinds
    if note is not None and not isinstance(note, str):
        note = str(note)
    if anchor_from is not None and target_kind == "place":
        kind, tid = "place", str(target_id)
    elif known is not None and target_kind == "place":
        kind, tid = "place", "" if target_id is None else str(target_id)
        if tid not in known.places:
            raise UserError(f"flag: no place {tid!r} in this project — run 'auditor infer' or "
                            "pick a listed place")
    else:
        kind, tid = _resolve_target(conn, target_kind, target_id)
    check_flag(kind, tid, action, new_value)
    reinstates = replaces is not None and conn.execute(
        "SELECT 1 FROM flag_events WHERE revokes = ?", (int(replaces),)).fetchone() is not None
    if reinstates and anchor_from != replaces:
        raise UserError(f"flag: event {replaces} is revoked — flag anew instead of "
                        "re-attaching it")
    if replaces is not None and not reinstates:
        if kind != "place":
            raise UserError("flag: only a place flag can re-attach another flag")
        _check_replaces(conn, replaces, tid, action, new_value)
    now = tid
    if kind == "place" and anchor_from is not None:
        anchor = read_anchor(conn, anchor_from)
        if known is not None:
            here = (known.current.get(int(anchor_from)),)
        else:
            here = conn.execute("SELECT current_target FROM flags_in_force WHERE event_id = ?",
                                (int(anchor_from),)).fetchone()
        now = here[0] if here is not None and here[0] else (
            anchor["place_id"] if anchor else tid)
    if known is not None and kind == "place":
        old_value = known.label(now) if action == "label_wrong" else None
        if replaces is None:
            known.refuse_no_op(analyst, now, action, new_value, old_value)
    else:
        old_value = effective_label(conn, now) if action == "label_wrong" else None
        if replaces is None:
            _refuse_no_op(conn, analyst, kind, now, action, new_value, old_value)
    event_id = insert_event(conn, analyst, utc_now(), kind, tid, action, old_value,
                            new_value, note or None, None,
                            int(replaces) if replaces is not None else None, None, batch)
    if kind == "place":
        if anchor_from is None or not copy_anchor(conn, anchor_from, event_id):
            anchor = place_anchor(conn, tid)
            if anchor is not None:
                write_anchor(conn, event_id, anchor, "flagged")
    return event_id, kind


class _Known:
    """What a batch of place flags checks against, read once: the places, the latest flag in
    force per (place, action) and the given labels (one query each, not one per place)."""

    def __init__(self, conn: sqlite3.Connection):
        self.places = {r[0] for r in conn.execute("SELECT place_id FROM places")}
        self.latest = {(r[0], r[1]): (r[2], r[3], r[4]) for r in conn.execute(
            "SELECT current_target, action, event_id, analyst, new_value FROM flags_in_force "
            "WHERE target_kind = 'place' AND status = 'attached'")}
        self.given = dict(conn.execute("SELECT place_id, label FROM place_labels"))
        self.current = dict(conn.execute("SELECT event_id, current_target FROM flags_in_force"))

    def label(self, place_id: str) -> str:
        fix = self.latest.get((place_id, "label_wrong"))
        return fix[2] if fix is not None else self.given.get(place_id, "other")

    def refuse_no_op(self, analyst, place_id, action, new_value, old_value) -> None:
        latest = self.latest.get((place_id, action))
        if latest is not None and latest[1] == analyst and latest[2] == new_value:
            raise UserError(f"flag: you already flagged {place_id} so (event {latest[0]}) — "
                            "nothing to add")
        if action == "label_wrong" and latest is None and old_value == new_value:
            raise UserError(f"flag: {place_id} is already labelled {new_value} — pick the "
                            "correct label")


def add_flags(conn: sqlite3.Connection, analyst: str, specs: Iterable["FlagSpec | Mapping"], *,
              anchor_from: Optional[list] = None, skip_no_ops: bool = True) -> dict:
    """Append many flags as ONE step (one transaction, one ``batch`` key: FlagStack undoes and
    redoes them together). Flags that would change nothing (already said so by the analyst, a
    label the place already has) are skipped when ``skip_no_ops``; UserError when none is left.
    Returns {"batch", "event_ids", "skipped": [(target_id, why)]}."""
    analyst = check_analyst(analyst)
    specs = [FlagSpec.coerce(s) for s in specs]
    if not specs:
        raise UserError("flag: no places selected — select some first")
    if any(s.reviews is not None or s.action not in FLAG_ACTIONS for s in specs):
        raise UserError("flag: a batch holds flags only (label_wrong, model_wrong, bad_data)")
    froms = anchor_from or [None] * len(specs)
    ids: list[int] = []
    skipped: list[tuple[str, str]] = []
    with transaction(conn):
        known = _Known(conn)
        batch = next_batch(conn)
        seen: set = set()
        for spec, source in zip(specs, froms):
            key = (spec.target_kind, spec.target_id, spec.action)
            if key in seen:
                continue  # the same place twice in one selection: one flag
            seen.add(key)
            try:
                event_id, _ = _append(conn, analyst, spec.target_kind, spec.target_id,
                                      spec.action, spec.new_value, spec.note,
                                      replaces=spec.replaces, anchor_from=source, batch=batch,
                                      known=known)
            except UserError as exc:
                if not skip_no_ops or "nothing to add" not in str(exc) and \
                        "already labelled" not in str(exc):
                    raise
                skipped.append((str(spec.target_id), str(exc).removeprefix("flag: ")))
                continue
            ids.append(event_id)
        if not ids:
            raise UserError(f"flag: nothing to add — {skipped[0][1]}" if skipped else
                            "flag: nothing to add")
        if any(s.target_kind == "place" for s in specs):
            resolve_flags(conn)
    return {"batch": batch, "event_ids": ids, "skipped": skipped}


def revoke(conn: sqlite3.Connection, analyst: str, event_id: int,
           note: Optional[str] = None) -> int:
    """Append a 'revoke' event for ``event_id`` (same target); returns the new event_id."""
    return revoke_many(conn, analyst, [event_id], note=note, batch=False)[0]


def revoke_many(conn: sqlite3.Connection, analyst: str, event_ids: Iterable[int],
                note: Optional[str] = None, batch: bool = True) -> list[int]:
    """Revoke several events in one transaction (one ``batch`` key when ``batch``: the undo of
    a batch is one step too); returns the revocations' ids in the same order."""
    analyst = check_analyst(analyst)
    event_ids = [int(e) for e in event_ids]
    out = []
    with transaction(conn):
        key = next_batch(conn) if batch and len(event_ids) > 1 else None
        places = False
        for event_id in event_ids:
            row = conn.execute("SELECT target_kind, target_id, action FROM flag_events "
                               "WHERE event_id = ?", (event_id,)).fetchone()
            if row is None:
                raise UserError(f"flag: no event {event_id} in the log — see 'auditor flags "
                                "PROJECT'")
            if row[2] == "revoke":
                raise UserError(f"flag: event {event_id} is itself a revocation — flag again "
                                "instead of revoking it")
            done = conn.execute("SELECT event_id FROM flag_events WHERE revokes = ? LIMIT 1",
                                (event_id,)).fetchone()
            if done is not None:
                raise UserError(f"flag: event {event_id} was already revoked by event {done[0]}")
            out.append(insert_event(conn, analyst, utc_now(), row[0], row[1], "revoke", None,
                                    None, note or None, event_id, None, None, key))
            places = places or (row[0] == "place" and row[2] in FLAG_ACTIONS)
        if places:
            resolve_flags(conn)  # a revoked re-attachment hands its flag back, maybe orphaned
    return out


def reattach(conn: sqlite3.Connection, analyst: str, event_id: int, place_id: str,
             note: Optional[str] = None) -> int:
    """Point the place flag ``event_id`` (typically orphaned) at ``place_id``: appends a flag
    that says the same and ``replaces`` it (revoking that one hands the flag back). Returns the
    new event_id. Undo with ``revoke`` of the new event (FlagStack.undo does)."""
    kind, _, action, new_value, old_note, _ = flag_row(conn, event_id)
    if kind != "place" or action not in FLAG_ACTIONS:
        raise UserError(f"flag: event {event_id} is not a place flag — only place flags are "
                        "re-attached")
    return add_flag(conn, analyst, "place", place_id, action, new_value,
                    note if note is not None else old_note, replaces=int(event_id))


# --- reading ------------------------------------------------------------------------------------

def event_log(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every event in the order it was appended."""
    import pandas as pd  # here, not at module level: keeps it off the GUI start path
    df = pd.read_sql_query(f"SELECT {', '.join(EVENT_COLUMNS)} FROM flag_events "
                           "ORDER BY event_id", conn)
    for c in ("revokes", "replaces", "reviews", "batch"):
        df[c] = df[c].astype("Int64")
    return df


IN_FORCE_COLUMNS = ["event_id", "analyst", "created_at", "target_kind", "target_id", "action",
                    "old_value", "new_value", "note", "replaces", "flagged_target_id", "status"]


def flags_in_force(conn: sqlite3.Connection, reviewed_only: bool = False) -> pd.DataFrame:
    """Every flag in force (the schema's ``flags_in_force`` view, the one statement of the
    rule), orphaned ones included: ``target_id`` is where it points now (None while orphaned),
    ``flagged_target_id`` what it was made against, ``status`` attached|orphaned; with
    ``how``/``detail``/``moved_m`` of the last re-attachment and ``lat``/``lon`` (the current
    place's centre; an orphan's anchor centre). In log order. ``reviewed_only``: only those a
    second analyst accepted or amended (view ``reviewed_flags_in_force``: an amended
    correction carries the reviewer's label)."""
    import pandas as pd  # here, not at module level: keeps it off the GUI start path
    view = "reviewed_flags_in_force" if reviewed_only else "flags_in_force"
    df = pd.read_sql_query(
        "SELECT f.event_id, f.analyst, f.created_at, f.target_kind, "
        "f.current_target AS target_id, f.action, f.old_value, f.new_value, f.note, "
        "f.replaces, f.flagged_target_id, f.status, t.how, t.detail, t.moved_m, "
        "COALESCE(p.lat, a.lat) AS lat, COALESCE(p.lon, a.lon) AS lon, "
        "a.vehicle_id AS anchor_vehicle_id, a.first_ts AS anchor_first_ts, "
        "a.last_ts AS anchor_last_ts, a.n_stops AS anchor_n_stops "
        f"FROM {view} f LEFT JOIN flag_targets t ON t.event_id = f.event_id "
        "LEFT JOIN places p ON f.target_kind = 'place' AND p.place_id = t.place_id "
        "LEFT JOIN flag_anchors a ON a.event_id = f.event_id "
        "ORDER BY f.event_id", conn)
    df["replaces"] = df["replaces"].astype("Int64")
    return df


def active_flags(conn: sqlite3.Connection, include_orphaned: bool = False,
                 reviewed_only: bool = False) -> pd.DataFrame:
    """The flags in force that apply: the attached ones (the view already keeps only the
    latest per (target, action)). ``include_orphaned`` appends the orphaned place flags
    (target_id None) after them. ``reviewed_only``: only accepted or amended ones (amended:
    with the reviewer's label)."""
    import pandas as pd
    every = flags_in_force(conn, reviewed_only)
    applied = every[every["status"] == "attached"]
    if include_orphaned:
        applied = pd.concat([applied, every[every["status"] == "orphaned"]])
    return applied[IN_FORCE_COLUMNS].reset_index(drop=True)


def orphaned_flags(conn: sqlite3.Connection) -> pd.DataFrame:
    """Place flags in force that point at no place since the last infer (see
    auditor.audit.anchors for why), with their anchor: vehicle, centre (lat/lon), stops' time
    span, and ``how``/``detail`` in words. Settle one with ``reattach`` or ``revoke``."""
    every = flags_in_force(conn)
    return every[every["status"] == "orphaned"].reset_index(drop=True)


def place_candidates(conn: sqlite3.Connection, event_id: int, limit: int = 5) -> list[dict]:
    """Places a place flag could be re-attached to: its vehicle's places, those holding its
    stops first (most stops first), then by distance from its anchor centre."""
    from auditor.audit.anchors import _Vehicle
    from auditor.geo import haversine_m
    anchor = read_anchor(conn, event_id)
    if anchor is None:
        return []
    vehicle = _Vehicle(conn, anchor["vehicle_id"])
    held, _ = vehicle.held(anchor["stops"])
    out = []
    for pid, (lat, lon) in vehicle.places.items():
        out.append({"place_id": pid, "lat": lat, "lon": lon,
                    "stops_held": int(held.get(pid, 0)),
                    "distance_m": float(haversine_m(anchor["lat"], anchor["lon"], lat, lon))})
    out.sort(key=lambda c: (-c["stops_held"], c["distance_m"], c["place_id"]))
    return out[:limit]


def flag_state(conn: sqlite3.Connection, place_ids: Iterable[str]) -> dict[str, str]:
    """place_id -> short text for the browser's flag column ("" when nothing is flagged)."""
    place_ids = [str(p) for p in place_ids]
    flags = active_flags(conn)
    texts: dict[str, list[str]] = {}
    on_places = flags[flags["target_kind"] == "place"]
    # stable order of the parts whatever order the flags were made in
    for action in ("label_wrong", "model_wrong", "bad_data"):
        rows = on_places[on_places["action"] == action]
        for tid, value in zip(rows["target_id"], rows["new_value"]):
            part = f"label→{value}" if action == "label_wrong" else STATE_TEXT[action]
            texts.setdefault(tid, []).append(part)
    bad_vehicles = set(flags.loc[(flags["target_kind"] == "vehicle"), "target_id"])
    out = {}
    for pid in place_ids:
        parts = list(texts.get(pid, []))
        if bad_vehicles and pid.rsplit(":", 1)[0] in bad_vehicles:
            parts.append("vehicle bad data")
        out[pid] = ", ".join(parts)
    return out
