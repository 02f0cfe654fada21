"""The review queue the app walks (Qt-free): the next flag a reviewer should decide on, with
what the reviewer needs to judge it — the flag, the place (or vehicle) to show on the map and
the timeline, the evidence sentences and the model's view of the place. Decisions go through
``AppState.review`` (a FlagStack command: one undo step each)."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Optional

from auditor.audit.review import next_pending, pending_flags


@dataclass(frozen=True)
class ReviewItem:
    event_id: int
    analyst: str                 # who flagged it
    created_at: str
    target_kind: str             # place | vehicle | ping_range
    target_id: Optional[str]     # where it points now (None: orphaned)
    action: str
    old_value: Optional[str]     # the label before the flag (label_wrong)
    new_value: Optional[str]     # the flag's corrected label
    note: Optional[str]
    status: str                  # attached | orphaned
    place_id: Optional[str]      # the place to select (place flags)
    vehicle_id: Optional[str]    # the vehicle to show (every kind)
    evidence: list[str] = field(default_factory=list)
    prediction: Optional[dict] = None   # predicted_label, p_*, given_label, why (or None)
    pending: int = 0             # flags left in this reviewer's queue, this one included


def review_item(conn: sqlite3.Connection, flag: dict, pending: int,
                run_id: Optional[int] = None) -> ReviewItem:
    from auditor.analysis.evidence import evidence_for_place
    kind, target = flag["target_kind"], flag["target_id"]
    place = target if kind == "place" else None
    if kind == "place":
        vehicle = (target or flag["flagged_target_id"]).rsplit(":", 1)[0]
    elif kind == "ping_range":
        vehicle = (target or flag["flagged_target_id"]).rsplit("|", 2)[0]
    else:
        vehicle = target
    prediction = None
    if place is not None:
        run = run_id if run_id is not None else conn.execute(
            "SELECT MAX(run_id) FROM runs WHERE kind = 'model'").fetchone()[0]
        row = conn.execute("SELECT predicted_label, p_home, p_work, p_other, given_label FROM "
                           "predictions WHERE run_id = ? AND place_id = ?",
                           (run, place)).fetchone()
        if row is not None:
            prediction = dict(zip(("predicted_label", "p_home", "p_work", "p_other",
                                   "given_label"), row))
            from auditor.state.decision import decision_words
            prediction["why"] = decision_words(
                conn, run, vehicle, place, prediction["predicted_label"],
                {c: prediction[f"p_{c}"] for c in ("home", "work", "other")})
    return ReviewItem(
        event_id=int(flag["event_id"]), analyst=flag["analyst"], created_at=flag["created_at"],
        target_kind=kind, target_id=target, action=flag["action"], old_value=flag["old_value"],
        new_value=flag["new_value"], note=flag["note"], status=flag["status"], place_id=place,
        vehicle_id=vehicle, evidence=evidence_for_place(conn, place) if place else [],
        prediction=prediction, pending=pending)


def next_review(conn: sqlite3.Connection, reviewer: str, after: Optional[int] = None,
                run_id: Optional[int] = None) -> Optional[ReviewItem]:
    """The next flag ``reviewer`` should decide on (never their own), with its evidence;
    None when their queue is empty."""
    flag = next_pending(conn, reviewer, after)
    if flag is None:
        return None
    return review_item(conn, flag, len(pending_flags(conn, reviewer)), run_id)
