"""Why a place carries a label its own probabilities do not rank first (Qt-free words).

Labels are decided per vehicle (auditor.pipeline.model.decide_labels): one home, the vehicle's
place with the highest p(home); at most one work place, the best of the rest with p(work) at
least 0.3. So a place can be 60% home and labelled work — its vehicle's home is likelier
elsewhere. Shown beside "work (37 % sure)", the analyst sees the rule instead of a
contradiction."""
from __future__ import annotations

from typing import Optional

from auditor.store.lookups import vehicle_home_and_work


def _p(x: float) -> str:
    return f"{x:.2f}"


def decision_words(conn, run_id: Optional[int], vehicle_id: str, place_id: str,
                   predicted: Optional[str], probs: dict) -> Optional[str]:
    """None when the label is the place's likeliest class (or there is nothing to say)."""
    if predicted is None or any(v is None for v in probs.values()):
        return None
    likeliest = max(probs, key=lambda k: probs[k])
    if likeliest == predicted or probs[likeliest] <= probs[predicted]:
        return None
    chosen = vehicle_home_and_work(conn, run_id, vehicle_id)
    home, work = chosen.get("home"), chosen.get("work")
    if likeliest == "home" and home is not None and home[0] != place_id:
        return (f"one home per vehicle: {vehicle_id}'s is place {home[0]} "
                f"(p(home) {_p(home[1])} there)")
    if likeliest == "work" and predicted == "home":
        return "every vehicle has one home: this is its likeliest of its places"
    if likeliest == "work" and work is not None and work[0] != place_id:
        return (f"one work place per vehicle: {vehicle_id}'s is place {work[0]} "
                f"(p(work) {_p(work[1])} there)")
    if predicted == "home":
        return "every vehicle has one home: this is its likeliest of its places"
    if predicted == "work":
        return "its vehicle's likeliest work place (p(work) at least 0.3)"
    return None
