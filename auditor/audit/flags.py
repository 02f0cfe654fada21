"""The flag event log: append-only rows in ``flag_events``; undo appends a revocation.

A flag is in force while it is not revoked; per (target, action) the latest flag in force wins
(so undoing "label -> home" brings back an earlier "label -> work"). Nothing is ever deleted:
the table's triggers refuse UPDATE and DELETE.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Iterable, Mapping, Optional

if TYPE_CHECKING:  # pandas is imported where used: it costs ~0.6 s of the GUI's start
    import pandas as pd

from auditor.classes import CLASSES
from auditor.errors import UserError
from auditor.store import transaction

LABELS = CLASSES  # a corrected label names one of the classes
ACTIONS_BY_KIND = {
    "place": ("label_wrong", "model_wrong", "bad_data"),
    "ping_range": ("bad_data",),
    "vehicle": ("bad_data",),
}
# 'trip' is accepted by add_flag but stored as the ping range it covers (survives re-inference)
TARGET_KINDS = (*ACTIONS_BY_KIND, "trip")
EVENT_COLUMNS = ["event_id", "analyst", "created_at", "target_kind", "target_id", "action",
                 "old_value", "new_value", "note", "revokes"]
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

    @classmethod
    def coerce(cls, spec: "FlagSpec | Mapping") -> "FlagSpec":
        if isinstance(spec, FlagSpec):
            return spec
        unknown = set(spec) - set(cls.__dataclass_fields__)
        if unknown:
            raise UserError(f"flag: unknown field(s) {sorted(unknown)} — use target_kind, "
                            "target_id, action, new_value, note")
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
                  target_id: str, action: str, old_value, new_value, note, revokes) -> int:
    """Append one validated row; the caller owns the transaction."""
    cur = conn.execute(
        "INSERT INTO flag_events (analyst, created_at, target_kind, target_id, action, "
        "old_value, new_value, note, revokes) VALUES (?,?,?,?,?,?,?,?,?)",
        (analyst, created_at, target_kind, target_id, action, old_value, new_value, note, revokes))
    return int(cur.lastrowid)


def effective_label(conn: sqlite3.Connection, place_id: str) -> str:
    """The label a place has now: its latest correction in force, else the given label, else
    'other' (a place of an unlabelled vehicle counts as other, like in training)."""
    rows = conn.execute(
        "SELECT new_value FROM flags_in_force WHERE target_kind = 'place' "
        "AND target_id = ? AND action = 'label_wrong'", (place_id,)).fetchone()
    if rows is not None:
        return rows[0]
    given = conn.execute("SELECT label FROM place_labels WHERE place_id = ?",
                         (place_id,)).fetchone()
    return given[0] if given is not None else "other"


def _refuse_no_op(conn, analyst, kind, tid, action, new_value, old_value) -> None:
    """A flag that changes nothing would make the analyst's next undo change nothing too."""
    latest = conn.execute(
        "SELECT event_id, analyst, new_value FROM flags_in_force WHERE target_kind = ? "
        "AND target_id = ? AND action = ?", (kind, tid, action)).fetchone()
    if latest is not None and latest[1] == analyst and latest[2] == new_value:
        raise UserError(f"flag: you already flagged {tid} so (event {latest[0]}) — nothing to add")
    if action == "label_wrong" and latest is None and old_value == new_value:
        raise UserError(f"flag: {tid} is already labelled {new_value} — pick the correct label")


def add_flag(conn: sqlite3.Connection, analyst: str, target_kind: str, target_id: str,
             action: str, new_value: Optional[str] = None, note: Optional[str] = None) -> int:
    """Append one flag event, committed at once; returns its event_id."""
    analyst = check_analyst(analyst)
    if target_kind not in TARGET_KINDS:
        check_flag(target_kind, target_id, action, new_value)  # raises with the allowed kinds
    if note is not None and not isinstance(note, str):
        note = str(note)
    with transaction(conn):
        kind, tid = _resolve_target(conn, target_kind, target_id)
        check_flag(kind, tid, action, new_value)
        old_value = effective_label(conn, tid) if action == "label_wrong" else None
        _refuse_no_op(conn, analyst, kind, tid, action, new_value, old_value)
        return insert_event(conn, analyst, utc_now(), kind, tid, action, old_value, new_value,
                             note or None, None)


def revoke(conn: sqlite3.Connection, analyst: str, event_id: int,
           note: Optional[str] = None) -> int:
    """Append a 'revoke' event for ``event_id`` (same target); returns the new event_id."""
    analyst = check_analyst(analyst)
    with transaction(conn):
        row = conn.execute("SELECT target_kind, target_id, action FROM flag_events "
                           "WHERE event_id = ?", (int(event_id),)).fetchone()
        if row is None:
            raise UserError(f"flag: no event {event_id} in the log — see 'auditor flags PROJECT'")
        if row[2] == "revoke":
            raise UserError(f"flag: event {event_id} is itself a revocation — flag again instead "
                            "of revoking it")
        done = conn.execute("SELECT event_id FROM flag_events WHERE revokes = ? LIMIT 1",
                            (int(event_id),)).fetchone()
        if done is not None:
            raise UserError(f"flag: event {event_id} was already revoked by event {done[0]}")
        return insert_event(conn, analyst, utc_now(), row[0], row[1], "revoke", None, None,
                             note or None, int(event_id))


# --- reading ------------------------------------------------------------------------------------

def event_log(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every event in the order it was appended."""
    import pandas as pd  # here, not at module level: keeps it off the GUI start path
    df = pd.read_sql_query(f"SELECT {', '.join(EVENT_COLUMNS)} FROM flag_events "
                           "ORDER BY event_id", conn)
    df["revokes"] = df["revokes"].astype("Int64")
    return df


def active_flags(conn: sqlite3.Connection) -> pd.DataFrame:
    """The flags in force (the schema's ``flags_in_force`` view: not revoked, and per
    (target, action) only the latest one), in log order."""
    import pandas as pd  # here, not at module level: keeps it off the GUI start path
    columns = [c for c in EVENT_COLUMNS if c != "revokes"]
    return pd.read_sql_query(f"SELECT {', '.join(columns)} FROM flags_in_force "
                             "ORDER BY event_id", conn)


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


# --- undo / redo ---------------------------------------------------------------------------------

class FlagStack:
    """A Qt-free undo stack over the event log (the GUI wraps each call in a QUndoCommand).

    The stack is never kept apart from the log: after every operation it is re-derived from the
    analyst's events (see ``replay``), so the stack in a session and the one rebuilt by
    ``from_log`` after a restart are the same by construction."""

    def __init__(self, conn: sqlite3.Connection, analyst: str):
        self.conn = conn
        self.analyst = check_analyst(analyst)
        self._done: list[int] = []     # flag event ids that undo would revoke, oldest first
        self._undone: list[int] = []   # revoked flag event ids that redo would re-append
        self.refresh()

    @classmethod
    def from_log(cls, conn: sqlite3.Connection, analyst: str) -> "FlagStack":
        return cls(conn, analyst)

    def refresh(self) -> None:
        """Re-derive the stack from the log (also picks up revocations made elsewhere)."""
        rows = conn_rows(self.conn)
        self._done, self._undone = replay(rows, self.analyst)

    def do(self, spec: "FlagSpec | Mapping") -> int:
        spec = FlagSpec.coerce(spec)
        event_id = add_flag(self.conn, self.analyst, spec.target_kind, spec.target_id,
                            spec.action, spec.new_value, spec.note)
        self.refresh()
        return event_id

    def undo(self) -> int:
        """Revoke the latest undoable flag; returns the revoke event's id."""
        self.refresh()
        if not self._done:
            raise UserError("nothing to undo")
        event_id = revoke(self.conn, self.analyst, self._done[-1], note="undo")
        self.refresh()
        return event_id

    def redo(self) -> int:
        """Append again the flag the last undo revoked; returns the new flag's event_id."""
        self.refresh()
        if not self._undone:
            raise UserError("nothing to redo")
        spec = self.spec_of(self._undone[-1])
        event_id = add_flag(self.conn, self.analyst, spec.target_kind, spec.target_id,
                            spec.action, spec.new_value, spec.note)
        self.refresh()
        return event_id

    def can_undo(self) -> bool:
        return bool(self._done)

    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo_ids(self) -> list[int]:
        return list(self._done)

    def redo_ids(self) -> list[int]:
        return list(self._undone)

    def spec_of(self, event_id: int) -> FlagSpec:
        row = self.conn.execute("SELECT target_kind, target_id, action, new_value, note "
                                "FROM flag_events WHERE event_id = ?", (event_id,)).fetchone()
        return FlagSpec(*row)

    def redo_text(self) -> str:
        return describe(self.spec_of(self._undone[-1])) if self._undone else ""


def describe(spec: FlagSpec) -> str:
    """Menu text such as "flag v1:0 label→work"."""
    what = f"label→{spec.new_value}" if spec.action == "label_wrong" else \
        STATE_TEXT.get(spec.action, spec.action)
    return f"flag {spec.target_id} {what}"


def conn_rows(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT event_id, analyst, target_kind, target_id, action, new_value, "
                        "revokes FROM flag_events ORDER BY event_id").fetchall()


def replay(rows: Iterable[tuple], analyst: str) -> tuple[list[int], list[int]]:
    """(undo side, redo side) of ``analyst``'s stack as the log implies.

    rows: (event_id, analyst, target_kind, target_id, action, new_value, revokes) in log order.
    - the analyst's flag is a 'do', or a 'redo' when it repeats the flag on top of the redo side;
      a 'do' clears the redo side;
    - the analyst's revocation of the top of the undo side is an 'undo' (moves it to redo);
    - any other revocation of one of the analyst's flags just takes it off the undo side.
    One Python step per flag event: flags are made by hand, so the log is small."""
    done: list[int] = []
    undone: list[int] = []
    specs: dict[int, tuple] = {}
    for event_id, who, kind, target, action, new_value, revokes in rows:
        if action != "revoke":
            if who != analyst:
                continue
            specs[event_id] = (kind, target, action, new_value)
            if undone and specs[undone[-1]] == specs[event_id]:
                undone.pop()
            else:
                undone.clear()
            done.append(event_id)
        elif revokes in specs and revokes in done:
            if who == analyst and done[-1] == revokes:
                undone.append(done.pop())
            else:
                done.remove(revokes)
    return done, undone
