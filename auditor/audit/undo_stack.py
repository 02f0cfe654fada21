"""Undo and redo of flags: a Qt-free stack over the event log (the GUI wraps each call in a
QUndoCommand). Undo appends a revocation, redo a new flag; the stack is re-derived from the
analyst's own events after every step (``replay``), so a restarted app offers the same undo
entries as the session that made them."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from auditor.audit.anchors import FLAG_ACTIONS
from auditor.audit.flags import (
    STATE_TEXT,
    FlagSpec,
    add_flag,
    add_flags,
    check_analyst,
    flag_row,
    revoke,
    revoke_many,
)
from auditor.errors import UserError


@dataclass(frozen=True)
class FlagBatch:
    """Many flags made in one step (a lasso's selection): one entry of the undo stack. Reads
    like a FlagSpec (target_kind, target_id = "N places", action, new_value) so callers that
    name and compare undo entries treat both alike."""
    target_kind: str
    target_id: str
    action: str
    new_value: Optional[str]
    note: Optional[str]
    targets: tuple
    events: tuple
    replaces: Optional[int] = None
    reviews: Optional[int] = None


class FlagStack:
    """A Qt-free undo stack over the event log (the GUI wraps each call in a QUndoCommand).

    The stack is never kept apart from the log: after every operation it is re-derived from the
    analyst's events (see ``replay``), so the stack in a session and the one rebuilt by
    ``from_log`` after a restart are the same by construction.

    Entries are event ids: a flag (``do``, ``reattach``: undo revokes it, redo appends it again
    with its anchor), a review decision (``decide``: the same), a batch of flags (``do_many``:
    the entry is its first event; undo revokes every flag of it in one step, redo appends them
    all again) or a revocation (``dismiss``: undo appends the revoked flag again as a
    reinstatement that ``replaces`` it, redo revokes that again)."""

    def __init__(self, conn: sqlite3.Connection, analyst: str):
        self.conn = conn
        self.analyst = check_analyst(analyst)
        self._done: list[int] = []     # entry ids that undo would take back, oldest first
        self._undone: list[int] = []   # entry ids that redo would apply again
        self._lineage: dict[int, int] = {}
        self._revoked_by: dict[int, int] = {}
        self._members: dict[int, list[int]] = {}
        self._taken: dict[int, list[int]] = {}
        self.refresh()

    @classmethod
    def from_log(cls, conn: sqlite3.Connection, analyst: str) -> "FlagStack":
        return cls(conn, analyst)

    def refresh(self) -> None:
        """Re-derive the stack from the log (also picks up revocations made elsewhere)."""
        state = _replay(conn_rows(self.conn), self.analyst)
        self._done, self._undone = state.done, state.undone
        self._lineage, self._revoked_by = state.lineage, state.revoked_by
        self._members, self._taken = state.members, state.taken

    def do(self, spec: "FlagSpec | Mapping") -> int:
        spec = FlagSpec.coerce(spec)
        if spec.reviews is not None:
            return self.decide(spec.reviews, spec.action, spec.new_value, spec.note)
        event_id = add_flag(self.conn, self.analyst, spec.target_kind, spec.target_id,
                            spec.action, spec.new_value, spec.note, replaces=spec.replaces)
        self.refresh()
        return event_id

    def do_many(self, specs: Iterable["FlagSpec | Mapping"]) -> dict:
        """Many flags as one undo step (auditor.audit.flags.add_flags); returns its summary
        with ``entry``, the id the stack knows the step by."""
        done = add_flags(self.conn, self.analyst, specs)
        self.refresh()
        return {**done, "entry": done["event_ids"][0]}

    def decide(self, event_id: int, decision: str, label: Optional[str] = None,
               note: Optional[str] = None) -> int:
        """The analyst's review decision (accept | reject | amend) on flag ``event_id``,
        undoably (auditor.audit.review.review_flag says what is refused)."""
        from auditor.audit.review import review_flag  # review builds on this module
        event_id = review_flag(self.conn, self.analyst, event_id, decision, label, note)
        self.refresh()
        return event_id

    def reattach(self, event_id: int, place_id: str, note: Optional[str] = None) -> int:
        """Point place flag ``event_id`` (an orphan) at ``place_id``, undoably."""
        kind, _, action, new_value, old_note, _ = flag_row(self.conn, event_id)
        if kind != "place" or action not in FLAG_ACTIONS:
            raise UserError(f"flag: event {event_id} is not a place flag — only place flags "
                            "are re-attached")
        return self.do(FlagSpec("place", place_id, action, new_value,
                                note if note is not None else old_note, int(event_id)))

    def dismiss(self, event_id: int, note: Optional[str] = None) -> int:
        """Revoke flag ``event_id`` (e.g. an orphan nobody can place), undoably; returns the
        revocation's id. Dismissing one's own latest flag is the same as undoing it (the log
        cannot tell the two apart, and they mean the same)."""
        rid = revoke(self.conn, self.analyst, event_id, note=note or "dismissed")
        self.refresh()
        return rid

    def _is_revocation(self, event_id: int) -> bool:
        return flag_row(self.conn, event_id)[2] == "revoke"

    def undo(self) -> int:
        """Take back the latest entry: revoke a flag (every flag of a batch still in force),
        or reinstate a dismissed one. Returns the id of the (first) event appended."""
        self.refresh()
        if not self._done:
            raise UserError("nothing to undo")
        top = self._done[-1]
        members = self._members.get(top, [top])
        if len(members) == 1 and self._is_revocation(top):
            event_id = self._reinstate(self.conn.execute(
                "SELECT revokes FROM flag_events WHERE event_id = ?", (top,)).fetchone()[0])
        else:
            live = [e for e in members if e not in self._revoked_by]
            event_id = revoke_many(self.conn, self.analyst, live, note="undo")[0]
        self.refresh()
        return event_id

    def _reinstate(self, flag_id: int) -> int:
        kind, target, action, new_value, note, _ = flag_row(self.conn, flag_id)
        return add_flag(self.conn, self.analyst, kind, target, action, new_value, note,
                        replaces=int(flag_id), anchor_from=int(flag_id))

    def redo(self) -> int:
        """Apply again what the last undo took back; returns the id of the (first) event
        appended."""
        self.refresh()
        if not self._undone:
            raise UserError("nothing to redo")
        top = self._undone[-1]
        taken = self._taken.get(top, [top])
        if len(taken) > 1:
            specs = [self._spec(e) for e in taken]
            done = add_flags(self.conn, self.analyst, specs, anchor_from=taken,
                             skip_no_ops=False)
            event_id = done["event_ids"][0]
        elif self._is_revocation(top):
            dismissed = self.conn.execute("SELECT revokes FROM flag_events WHERE event_id = ?",
                                          (top,)).fetchone()[0]
            line = self._lineage.get(dismissed, dismissed)
            current = [e for e, g in self._lineage.items()
                       if g == line and e not in self._revoked_by]
            if not current:
                raise UserError("nothing to redo: the dismissed flag is no longer in force")
            event_id = revoke(self.conn, self.analyst, max(current), note="redo")
        else:
            spec = self._spec(taken[0])
            if spec.reviews is not None:
                from auditor.audit.review import review_flag
                event_id = review_flag(self.conn, self.analyst, spec.reviews, spec.action,
                                       spec.new_value, spec.note)
            else:
                event_id = add_flag(self.conn, self.analyst, spec.target_kind, spec.target_id,
                                    spec.action, spec.new_value, spec.note,
                                    replaces=spec.replaces, anchor_from=taken[0])
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

    def _spec(self, event_id: int) -> FlagSpec:
        row = self.conn.execute("SELECT target_kind, target_id, action, new_value, note, "
                                "replaces, reviews FROM flag_events WHERE event_id = ?",
                                (int(event_id),)).fetchone()
        if row is None:
            raise UserError(f"flag: no event {event_id} in the log — see 'auditor flags PROJECT'")
        return FlagSpec(*row)

    def spec_of(self, event_id: int) -> "FlagSpec | FlagBatch":
        """What the entry ``event_id`` says: a FlagSpec, or a FlagBatch for a batch."""
        members = self._members.get(int(event_id))
        if members is None or len(members) == 1:
            return self._spec(event_id)
        specs = [self._spec(e) for e in members]
        first = specs[0]
        kinds = {s.target_kind for s in specs}
        noun = f"{first.target_kind}s" if len(kinds) == 1 else "targets"
        return FlagBatch(first.target_kind, f"{len(specs)} {noun}", first.action,
                         first.new_value, first.note, tuple(s.target_id for s in specs),
                         tuple(members))

    def redo_text(self) -> str:
        return describe(self.spec_of(self._undone[-1])) if self._undone else ""


def describe(spec: "FlagSpec | FlagBatch") -> str:
    """Menu text such as "flag v1:0 label→work", "re-attach flag to v1:3 label→work",
    "revoke flag on v1:0", "accept flag 12 on v1:0", "flag 40 places model wrong"."""
    if spec.action == "revoke":
        return f"revoke flag on {spec.target_id}"
    if spec.reviews is not None:
        what = f" (label→{spec.new_value})" if spec.action == "amend" else ""
        return f"{spec.action} flag {spec.reviews} on {spec.target_id}{what}"
    what = f"label→{spec.new_value}" if spec.action == "label_wrong" else \
        STATE_TEXT.get(spec.action, spec.action)
    if spec.replaces is not None:
        return f"re-attach flag to {spec.target_id} {what}"
    return f"flag {spec.target_id} {what}"


def conn_rows(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT event_id, analyst, target_kind, target_id, action, new_value, "
                        "revokes, replaces, reviews, batch FROM flag_events "
                        "ORDER BY event_id").fetchall()


@dataclass
class _Replayed:
    done: list
    undone: list
    lineage: dict     # flag event id -> first event of its line (reinstatements continue one)
    revoked_by: dict  # flag event id -> the event that revoked it
    members: dict     # entry id -> its events (a batch: every event of it; else [entry])
    taken: dict       # undone entry id -> the events its undo revoked (what redo brings back)


def replay(rows: Iterable[tuple], analyst: str) -> tuple[list[int], list[int]]:
    """(undo side, redo side) of ``analyst``'s stack as the log implies.

    rows: (event_id, analyst, target_kind, target_id, action, new_value, revokes[, replaces
    [, reviews[, batch]]]) in log order. Consecutive events of one ``batch`` are one step.
    - the analyst's flag (or review decision, or batch of flags) is a 'do', or a 'redo' when it
      repeats what is on top of the redo side; a 'do' clears the redo side;
    - the analyst's revocation of (every live event of) the top of the undo side is an 'undo'
      (moves it to redo);
    - the analyst's other revocations are 'dismiss' entries; an analyst's flag that reinstates
      (``replaces``) the flag a dismissal on top of the undo side revoked is that dismissal's
      undo, and revoking that line again with the dismissal on top of the redo side its redo;
    - someone else's revocation of one of the analyst's flags takes it out of its entry (the
      entry leaves the undo side when nothing of it is left).
    One Python step per event: flags are made by hand (a batch is one step)."""
    state = _replay(rows, analyst)
    return state.done, state.undone


def _steps(rows: Iterable[tuple]):
    """Group consecutive rows of one batch: yields lists of normalised 10-tuples."""
    group: list[tuple] = []
    for row in rows:
        row = tuple(row) + (None,) * (10 - len(row))
        if group and (row[9] is None or row[9] != group[-1][9]):
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def _replay(rows: Iterable[tuple], analyst: str) -> _Replayed:
    done: list[int] = []
    undone: list[int] = []
    specs: dict[int, tuple] = {}      # entry -> what it says (a batch: its members' specs)
    lineage: dict[int, int] = {}
    revoked_by: dict[int, int] = {}
    dismissed: dict[int, int] = {}    # revocation event id -> flag id it revoked
    members: dict[int, list[int]] = {}
    live: dict[int, set[int]] = {}    # entry -> its events not revoked yet
    entry_of: dict[int, int] = {}     # event -> the entry holding it
    taken: dict[int, list[int]] = {}
    event_spec: dict[int, tuple] = {}

    def drop(event_id: int) -> None:
        entry = entry_of.get(event_id)
        if entry is None:
            return
        live[entry].discard(event_id)
        if not live[entry] and entry in done:
            done.remove(entry)

    for step in _steps(rows):
        first = step[0]
        who = first[1]
        if first[4] != "revoke":
            for event_id, _, kind, target, action, new_value, _, replaces, reviews, _ in step:
                reinstates = replaces is not None and replaces in revoked_by
                lineage[event_id] = lineage.get(replaces, replaces) if reinstates else event_id
                event_spec[event_id] = (kind, target, action, new_value, replaces, reviews)
            ids = [r[0] for r in step]
            entry = ids[0]
            spec = tuple(sorted((event_spec[e] for e in ids), key=repr))
            if who != analyst:
                continue
            members[entry] = ids
            live[entry] = set(ids)
            for e in ids:
                entry_of[e] = entry
            specs[entry] = spec
            top = done[-1] if done else None
            replaces = first[7]
            reinstates = len(ids) == 1 and replaces is not None and replaces in revoked_by
            if reinstates and top in dismissed and \
                    lineage.get(dismissed[top]) == lineage[entry]:
                undone.append(done.pop())            # undo of a dismissal
            elif undone and specs.get(undone[-1]) == spec:
                undone.pop()                         # redo
                done.append(entry)
            else:
                undone.clear()                       # a new flag (or batch, or decision)
                done.append(entry)
            continue
        revoked = [r[6] for r in step]
        for r in step:
            revoked_by[r[6]] = r[0]
        if who != analyst:
            for r in revoked:
                drop(r)
            continue
        top = done[-1] if done else None
        if top is not None and set(revoked) >= live[top] and set(revoked) <= set(members[top]):
            taken[top] = revoked                      # undo of a flag or a batch
            specs[top] = tuple(sorted((event_spec[e] for e in revoked), key=repr))
            live[top] = set()
            undone.append(done.pop())
            continue
        if len(step) > 1:                             # a batch of dismissals: not undoable
            for r in revoked:
                drop(r)
            continue
        event_id, revokes = first[0], first[6]
        if undone and undone[-1] in dismissed and \
                lineage.get(dismissed[undone[-1]]) == lineage.get(revokes):
            undone.pop()                             # redo of a dismissal
        else:
            drop(revokes)                            # a dismissal
            undone.clear()
        dismissed[event_id] = revokes
        members[event_id] = [event_id]
        live[event_id] = {event_id}
        done.append(event_id)
    return _Replayed(done, undone, lineage, revoked_by, members, taken)
