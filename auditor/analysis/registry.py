"""Every analysis of a run, in order. `auditor report` (JSON sections and text), its progress
steps, the Analysis dock's tabs and `auditor open --tab` all come from this list: a new
analysis is a module under auditor/analysis/sections/ (with its view under
auditor/gui/analyses/ if it has a tab) plus one line here."""
from __future__ import annotations

from auditor.analysis.entry import AnalysisEntry
from auditor.analysis.sections import (
    agreement,
    drift,
    duplicates,
    error_tree,
    evidence,
    fix_loop,
    group_worth,
    outliers,
    provenance,
    review,
    scatter,
    skew,
    suspicious,
    validation,
)

REGISTRY: tuple[AnalysisEntry, ...] = (
    validation.ENTRY,
    provenance.LABELS_SOURCE,
    provenance.LOCAL_TIME,
    provenance.ORPHANED_FLAGS,
    suspicious.ENTRY,
    evidence.ENTRY,
    error_tree.ENTRY,
    skew.ENTRY,
    drift.ENTRY,
    fix_loop.ENTRY,
    group_worth.ENTRY,
    duplicates.ENTRY,
    outliers.ENTRY,
    agreement.ENTRY,
    scatter.ENTRY,
    review.ENTRY,
)


def entry(key: str) -> AnalysisEntry:
    for e in REGISTRY:
        if e.key == key:
            return e
    raise KeyError(key)


def tabs() -> list[AnalysisEntry]:
    """The analyses with a tab of their own, in tab order."""
    return [e for e in REGISTRY if e.title and e.view]


def tab_keys() -> list[str]:
    return [e.key for e in tabs()]
