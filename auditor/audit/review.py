"""Review by a second analyst: accept, reject or amend a flag, as events of the same log.

A review decision is a ``flag_events`` row with action ``accept``, ``reject`` or ``amend``,
``reviews`` = the flag event it decides on (the flag in force at that moment), the reviewed
flag's target, ``old_value`` = what the flag said (its corrected label, if any),
``new_value`` = the reviewer's label (amend only) and an optional note. Like every event it
is never changed: it is undone by a ``revoke`` event (``flags --revoke`` or FlagStack.undo),
exported and merged by the flag CSV, listed with who and when.

A flag's review state (schema view ``flag_reviews``): the latest review in force of it — or of
a flag it took over from (a re-attachment keeps its review) — ``pending`` when none. Rules:
- nobody reviews their own flags (nor a flag they re-attached);
- only flags in force are reviewed (not a revoked or superseded one, not a revocation, not a
  review);
- ``amend`` applies to label corrections: the reviewer's label differs from the flag's (that is
  ``accept``) and from the label it had before the flag (that is ``reject``);
- repeating one's own current decision is refused (it would change nothing).
``export --reviewed-only`` applies the accepted flags and the amended ones with the reviewer's
label (schema view ``reviewed_flags_in_force``)."""
from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Optional

from auditor.audit.flags import LABELS, REVIEW_ACTIONS, check_analyst, insert_event, utc_now
from auditor.errors import UserError
from auditor.store import transaction

if TYPE_CHECKING:
    import pandas as pd

DECIDED = {"accept": "accepted", "reject": "rejected", "amend": "amended"}
REVIEW_STATES = ("pending", "accepted", "rejected", "amended")


def _lineages(conn: sqlite3.Connection) -> dict[int, list[int]]:
    """Flag in force -> its own id and the ids of the flags it took over from (replaces)."""
    rows = conn.execute(
        "WITH RECURSIVE line(event_id, ancestor) AS ("
        " SELECT event_id, event_id FROM flags_in_force"
        " UNION SELECT line.event_id, e.replaces FROM line JOIN flag_events e"
        " ON e.event_id = line.ancestor WHERE e.replaces IS NOT NULL)"
        " SELECT event_id, ancestor FROM line ORDER BY event_id, ancestor").fetchall()
    out: dict[int, list[int]] = {}
    for head, ancestor in rows:
        out.setdefault(int(head), []).append(int(ancestor))
    return out


def flag_in_force(conn: sqlite3.Connection, event_id: int) -> tuple[int, list[int]]:
    """(the flag in force that ``event_id`` is, or was taken over by; its lineage), or
    UserError saying why ``event_id`` cannot be reviewed."""
    row = conn.execute("SELECT action, revokes FROM flag_events WHERE event_id = ?",
                       (int(event_id),)).fetchone()
    if row is None:
        raise UserError(f"review: no event {event_id} in the log — see 'auditor flags PROJECT "
                        "--json'")
    if row[0] == "revoke":
        raise UserError(f"review: event {event_id} is a revocation, not a flag — review flags")
    if row[0] in REVIEW_ACTIONS:
        raise UserError(f"review: event {event_id} is a review decision, not a flag — undo it "
                        f"with 'auditor flags PROJECT --revoke {event_id} --analyst NAME'")
    for head, line in _lineages(conn).items():
        if int(event_id) in line:
            return head, line
    raise UserError(f"review: flag {event_id} is not in force (revoked, or superseded by a "
                    "later flag on the same target) — review the flags listed by 'auditor "
                    "flags PROJECT --json'")


def review_flag(conn: sqlite3.Connection, reviewer: str, event_id: int, decision: str,
                label: Optional[str] = None, note: Optional[str] = None) -> int:
    """Append ``reviewer``'s decision (accept | reject | amend) on flag ``event_id``, committed
    at once; returns the review event's id (module docstring: what is refused)."""
    reviewer = check_analyst(reviewer)
    if decision not in REVIEW_ACTIONS:
        raise UserError(f"review: decision {decision!r} is unknown — use accept, reject or amend")
    if note is not None and not isinstance(note, str):
        note = str(note)
    with transaction(conn):
        head, line = flag_in_force(conn, int(event_id))
        marks = ",".join("?" * len(line))
        authors = {r[0] for r in conn.execute(
            f"SELECT analyst FROM flag_events WHERE event_id IN ({marks})", line)}
        if reviewer in authors:
            raise UserError(f"review: {reviewer} made flag {event_id} — nobody reviews their own "
                            "flags; another analyst must review it")
        kind, target, action, old_label, flagged = conn.execute(
            "SELECT target_kind, target_id, action, old_value, new_value FROM flag_events "
            "WHERE event_id = ?", (head,)).fetchone()
        if decision == "amend":
            if action != "label_wrong":
                raise UserError(f"review: flag {event_id} says '{action}', not a corrected "
                                "label — amend corrects a label; accept or reject this one")
            if label not in LABELS:
                raise UserError(f"review: --label {label!r} is not a label — use home, work or "
                                "other")
            if label == flagged:
                raise UserError(f"review: flag {event_id} already says {label} — use --accept")
            if label == old_label:
                raise UserError(f"review: {label} is the label the place had before flag "
                                f"{event_id} — use --reject")
        elif label is not None:
            raise UserError("review: --label goes with --amend only")
        current = conn.execute(
            "SELECT review, reviewer, amended_value, review_event_id FROM flag_reviews "
            "WHERE event_id = ?", (head,)).fetchone()
        if current is not None and current[1] == reviewer and current[0] == DECIDED[decision] \
                and current[2] == (label if decision == "amend" else None):
            raise UserError(f"review: you already {current[0]} flag {event_id} (event "
                            f"{current[3]}) — nothing to add")
        return insert_event(conn, reviewer, utc_now(), kind, target, decision, flagged,
                            label if decision == "amend" else None, note or None, None, None,
                            head)


def review_state(conn: sqlite3.Connection) -> "pd.DataFrame":
    """Per flag in force: ``review`` (pending | accepted | rejected | amended), ``reviewer``,
    ``reviewed_at``, ``review_event_id``, ``amended_value``, ``review_note``."""
    import pandas as pd
    return pd.read_sql_query("SELECT * FROM flag_reviews ORDER BY event_id", conn)


def review_events(conn: sqlite3.Connection) -> "pd.DataFrame":
    """Every review decision ever made, in log order, with whether it is still in force
    (``revoked_by``: the event that undid it, else None)."""
    import pandas as pd
    frame = pd.read_sql_query(
        "SELECT r.event_id, r.analyst AS reviewer, r.created_at, r.action AS decision, "
        "r.reviews AS flag_event_id, f.analyst AS flagged_by, r.target_kind, r.target_id, "
        "r.old_value AS flagged_value, r.new_value AS amended_value, r.note, "
        "(SELECT x.event_id FROM flag_events x WHERE x.revokes = r.event_id) AS revoked_by "
        "FROM flag_events r JOIN flag_events f ON f.event_id = r.reviews "
        "WHERE r.action IN ('accept', 'reject', 'amend') ORDER BY r.event_id", conn)
    frame["revoked_by"] = frame["revoked_by"].astype("Int64")
    return frame


def pending_flags(conn: sqlite3.Connection, reviewer: str) -> "pd.DataFrame":
    """The flags in force that ``reviewer`` may review and nobody has yet: not their own (nor
    taken over from their own), attached first, then orphaned; oldest first."""
    import pandas as pd
    reviewer = check_analyst(reviewer)
    frame = pd.read_sql_query(
        "SELECT f.event_id, f.analyst, f.created_at, f.target_kind, f.current_target AS "
        "target_id, f.flagged_target_id, f.status, f.action, f.old_value, f.new_value, f.note "
        "FROM flags_in_force f JOIN flag_reviews r ON r.event_id = f.event_id "
        "WHERE r.review = 'pending' ORDER BY f.status = 'orphaned', f.event_id", conn)
    if frame.empty:
        return frame
    lines = _lineages(conn)
    authors = dict(conn.execute("SELECT event_id, analyst FROM flag_events"))
    own = [any(authors.get(e) == reviewer for e in lines.get(int(h), [int(h)]))
           for h in frame["event_id"]]
    return frame[~pd.Series(own, index=frame.index)].reset_index(drop=True)


def next_pending(conn: sqlite3.Connection, reviewer: str,
                 after: Optional[int] = None) -> Optional[dict]:
    """The next flag ``reviewer`` should review (after flag ``after`` in the queue's order,
    wrapping round), as a plain dict of pending_flags' columns; None when none is left."""
    frame = pending_flags(conn, reviewer)
    if frame.empty:
        return None
    pos = 0
    if after is not None:
        ids = frame["event_id"].tolist()
        later = [i for i, e in enumerate(ids) if e > int(after)]
        pos = later[0] if later else 0
    rec = frame.iloc[pos].to_dict()
    return {k: (None if v is None or (isinstance(v, float) and v != v) else
                int(v) if k == "event_id" else v) for k, v in rec.items()}
