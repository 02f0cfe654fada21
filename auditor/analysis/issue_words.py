"""The label-issue queue's words for unmatched-label reasons and entry kinds. No imports: the
map and the queue tab use them on the GUI's start path (auditor.analysis.label_issues, which
builds the queue, pulls in pandas)."""
from __future__ import annotations

UNMATCHED_WORDS = {
    "same_place_as_other_label": "points at the place the vehicle's other label holds",
    "duplicate_label": "a second label of this kind for the vehicle",
    "vehicle_has_no_places": "the vehicle has no parking places",
    "vehicle_has_no_pings": "the vehicle has no pings",
}


def unmatched_words(reason: str) -> str:
    """An unmatched-label reason (auditor.pipeline.labels) in words."""
    if reason.startswith("no_place_within_"):
        return f"no place within {reason.rsplit('_', 1)[-1]}"
    return UNMATCHED_WORDS.get(reason, reason.replace("_", " "))


# findings that explain a label without doubting it (strength 0 in the queue's score): an
# entry with no other finding is listed for what it says, not as "label doubted"
EXPLAINED = {
    "model_site": "one site, several parking places: not doubted",
    "home_moved_to": "on the home it moved to: not doubted",
}


def issue_words(entry: dict) -> str:
    """What kind of issue a queue entry is, in a few words (the queue tab's "issue" column):
    a label on no place (with why), two labels on one place, a label or an unlabelled place
    the evidence doubts, a label the evidence explains."""
    findings = (entry.get("findings") or "").split(",")
    if entry.get("kind") == "label" and all(f in EXPLAINED for f in findings):
        return EXPLAINED[findings[0]]
    if entry.get("kind") == "unmatched":
        why = entry.get("unmatched_reason") or ""
        if why == "same_place_as_other_label":
            return "two labels, one place (this one matched none)"
        return f"on no place: {unmatched_words(why)}"
    if "two_labels_one_place" in findings:
        return "two labels, one place"
    if entry.get("kind") == "implied":
        return "unlabelled place looks like a " + (entry.get("suggested_label") or "label")
    return "label doubted"


def entry_words(entry: dict) -> str:
    """A queue entry in one plain sentence: the kind of issue, or — for a label the model
    contradicts — what the model says ('The model is sure this is home, not work'). The
    numbers behind it are the entry's ``reason``."""
    words = issue_words(entry)
    findings = (entry.get("findings") or "").split(",")
    if words == "label doubted" and "model" in findings and entry.get("suggested_label"):
        from auditor.analysis.words import suspicion_words  # pure, no pandas
        return suspicion_words(entry)
    return words
