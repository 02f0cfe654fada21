"""How often two analysts agree: raw agreement and Cohen's kappa per pair and per flag action.

What is compared (an *item* is one target — place, vehicle, ping range — judged by both
analysts of a pair under one flag action):

1. **Reviews.** A flag in force by A that B reviewed (B's latest decision in force on it):
   A's answer is what the flag says — the corrected label for ``label_wrong``, "flagged" for
   ``model_wrong`` / ``bad_data``. B's answer: accept → the same; amend → B's label; reject →
   the label the place had before the flag (``label_wrong``), else "not flagged".
2. **Independent flags.** A and B both have a flag in force (not revoked, not superseded,
   attached) on the same current target with the same action: each one's answer is what their
   own latest such flag says (the corrected label; "flagged" otherwise). Items already counted
   by a review of the pair are not counted again.

Per (pair, action) — and over every action ("all") — ``items``, ``agreed``, ``raw_agreement``
= agreed / items and Cohen's kappa = (p_o - p_e) / (1 - p_e), p_e from each analyst's own
answer shares (the analysts in name order). Kappa is None ("undefined") when p_e = 1: both
gave one and the same answer throughout — e.g. A only flags and B only reviews a yes/no
action, where chance agreement cannot be told from agreement. Targets two analysts never both
judged (an unflagged place nobody reviewed) are not items: the log does not say the other
looked at them."""
from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from typing import Optional

import pandas as pd

FLAGGED, NOT_FLAGGED = "flagged", "not flagged"
DEFINITION = (
    "items = targets both analysts of a pair judged under one flag action: a flag one made "
    "and the other reviewed (accept = same answer; amend = the reviewer's label; reject = "
    "the label before the flag, or 'not flagged'), or flags both made independently on the "
    "same target (same corrected label, or both 'flagged' = agree). raw agreement = agreed / "
    "items; Cohen's kappa from each analyst's answer shares; undefined when both always gave "
    "one and the same answer.")


def cohen_kappa(a: list[str], b: list[str]) -> Optional[float]:
    """Cohen's kappa of two raters' answers on the same items (None when undefined)."""
    n = len(a)
    if n == 0:
        return None
    p_o = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[c] * cb[c] for c in set(ca) | set(cb)) / (n * n)
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def _answer(action: str, value) -> str:
    return value if action == "label_wrong" and value else FLAGGED


def _live_flags(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every flag event not revoked and not superseded by a re-attachment, with where it
    points now (attached ones only)."""
    from auditor.audit.anchors import in_force_ids
    live = in_force_ids(conn)
    frame = pd.read_sql_query(
        "SELECT e.event_id, e.analyst, e.target_kind, e.target_id, e.action, e.old_value, "
        "e.new_value, t.place_id, t.status FROM flag_events e LEFT JOIN flag_targets t "
        "ON t.event_id = e.event_id WHERE e.action IN ('label_wrong', 'model_wrong', "
        "'bad_data') ORDER BY e.event_id", conn)
    frame = frame[frame["event_id"].isin(live)]
    place = frame["target_kind"] == "place"
    frame = frame.assign(current=frame["target_id"].where(~place, frame["place_id"]))
    frame = frame[~place | (frame["status"].fillna("attached") == "attached")]
    frame = frame.assign(current=frame["current"].where(frame["current"].notna(),
                                                        frame["target_id"]))
    return frame


def agreement_items(conn: sqlite3.Connection) -> pd.DataFrame:
    """One row per item: first, second (analysts in name order), action, target_kind, target,
    answer_first, answer_second, source (review | independent)."""
    from auditor.audit.review import _lineages
    flags = _live_flags(conn)
    rows: list[dict] = []
    seen: set = set()
    if not flags.empty:
        heads = {}
        for head, line in _lineages(conn).items():
            for e in line:
                heads[e] = head
        reviews = pd.read_sql_query(
            "SELECT r.event_id, r.analyst, r.action, r.new_value, r.reviews FROM flag_events r "
            "WHERE r.action IN ('accept', 'reject', 'amend') AND NOT EXISTS (SELECT 1 FROM "
            "flag_events x WHERE x.revokes = r.event_id) ORDER BY r.event_id", conn)
        by_id = flags.set_index("event_id")
        latest: dict[tuple, tuple] = {}
        for r in reviews.itertuples(index=False):
            head = heads.get(int(r.reviews))
            if head is None or head not in by_id.index:
                continue
            latest[(head, r.analyst)] = (r.action, r.new_value)
        for (head, reviewer), (decision, amended) in sorted(latest.items()):
            f = by_id.loc[head]
            if f["analyst"] == reviewer:
                continue
            flagged = _answer(f["action"], f["new_value"])
            if decision == "accept":
                said = flagged
            elif decision == "amend":
                said = amended
            else:
                said = (f["old_value"] if f["action"] == "label_wrong" and f["old_value"]
                        else NOT_FLAGGED)
            rows.append(_item(f["analyst"], flagged, reviewer, said, f["action"],
                              f["target_kind"], f["current"], "review"))
            seen.add((*sorted([f["analyst"], reviewer]), f["action"], f["target_kind"],
                      f["current"]))
        # each analyst's latest live flag per (target, action)
        own = flags.drop_duplicates(["analyst", "target_kind", "current", "action"], keep="last")
        for (kind, target, action), group in own.groupby(["target_kind", "current", "action"]):
            people = group.sort_values("analyst")
            rec = list(people.itertuples(index=False))
            for i in range(len(rec)):
                for j in range(i + 1, len(rec)):
                    a, b = rec[i], rec[j]
                    if (a.analyst, b.analyst, action, kind, target) in seen:
                        continue
                    rows.append(_item(a.analyst, _answer(action, a.new_value), b.analyst,
                                      _answer(action, b.new_value), action, kind, target,
                                      "independent"))
    cols = ["first", "second", "action", "target_kind", "target", "answer_first",
            "answer_second", "source"]
    return pd.DataFrame(rows, columns=cols)


def _item(x: str, x_said: str, y: str, y_said: str, action: str, kind: str, target,
          source: str) -> dict:
    (first, a), (second, b) = sorted([(x, x_said), (y, y_said)])
    return {"first": first, "second": second, "action": action, "target_kind": kind,
            "target": target, "answer_first": a, "answer_second": b, "source": source}


def agreement_table(items: pd.DataFrame) -> list[dict]:
    """One row per (pair, action) and per pair over all actions ("all")."""
    out = []
    if items.empty:
        return out
    groups: dict[tuple, list] = defaultdict(list)
    for r in items.itertuples(index=False):
        groups[(r.first, r.second, r.action)].append(r)
        groups[(r.first, r.second, "all")].append(r)
    order = {"label_wrong": 0, "model_wrong": 1, "bad_data": 2, "all": 3}
    for (first, second, action), rs in sorted(groups.items(),
                                              key=lambda kv: (kv[0][0], kv[0][1],
                                                              order[kv[0][2]])):
        # pooled over actions, answers are prefixed so "flagged" under two actions differ
        a = [f"{r.action}:{r.answer_first}" if action == "all" else r.answer_first for r in rs]
        b = [f"{r.action}:{r.answer_second}" if action == "all" else r.answer_second
             for r in rs]
        agreed = sum(x == y for x, y in zip(a, b))
        kappa = cohen_kappa(a, b)
        out.append({"analysts": [first, second], "action": action, "items": len(rs),
                    "agreed": agreed, "raw_agreement": agreed / len(rs),
                    "kappa": None if kappa is None else round(kappa, 4),
                    "kappa_note": None if kappa is not None else
                    "undefined: both analysts gave one and the same answer throughout",
                    "from_reviews": sum(r.source == "review" for r in rs),
                    "from_independent_flags": sum(r.source == "independent" for r in rs)})
    return out


def agreement_report(conn: sqlite3.Connection) -> dict:
    """The report's ``agreement`` section."""
    from auditor.audit.review import review_state
    items = agreement_items(conn)
    states = review_state(conn)["review"].value_counts()
    return {"definition": DEFINITION, "pairs": agreement_table(items),
            "reviews": {s: int(states.get(s, 0))
                        for s in ("pending", "accepted", "rejected", "amended")}}


def places_of_items(conn: sqlite3.Connection) -> dict:
    """(first, second, action) -> the place ids of its items (disagreements first)."""
    items = agreement_items(conn)
    out: dict = defaultdict(list)
    if items.empty:
        return {}
    items = items[items["target_kind"] == "place"]
    items = items.assign(agree=items["answer_first"] == items["answer_second"])
    for r in items.sort_values(["agree", "target"]).itertuples(index=False):
        for action in (r.action, "all"):
            key = (r.first, r.second, action)
            if r.target not in out[key]:
                out[key].append(r.target)
    return dict(out)
