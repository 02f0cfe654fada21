"""Suspicious labels: one queue of label issues from all the evidence (auditor.analysis.
label_issues): out-of-fold model contradictions, the trajectory checks, labels that matched no
place (with their reason) and two labels on one place; most suspicious first, each with a
suggested label and a reason in words."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


class SuspiciousRow(TypedDict, total=False):
    label_id: Optional[int]          # None for an implied entry (an unlabelled place)
    vehicle_id: str
    given_label: str
    place_id: Optional[str]          # None for a label that matched no place
    lat: Optional[float]             # the label's point (an implied entry's place)
    lon: Optional[float]
    score: float
    suggested_label: Optional[str]
    suggested_place_id: Optional[str]
    reason: str
    kind: str                        # label | unmatched | implied
    findings: str                    # check names, comma-separated, strongest first
    unmatched_reason: Optional[str]
    p_given: Optional[float]
    p_suggested: Optional[float]
    split: Optional[str]


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.jsonable import records
    from auditor.analysis.label_issues import RANKING, label_issues
    rows = label_issues(inp.conn, inp.run_id, pred=inp.pred, evidence=inp.evidence)
    return {"suspicious": records(rows), "suspicious_ranking": RANKING}


def render_text(r: dict) -> list[str]:
    from auditor.analysis.label_issues import render_issues
    return render_issues(r["suspicious"], r["suspicious_ranking"])


# each row is one label (or one implied place): the view needs no index
ENTRY = AnalysisEntry(key="suspicious", title="Suspicious labels", step="suspicious labels",
                      compute=compute, render_text=render_text,
                      view="auditor.gui.analyses.suspicious:SuspiciousQueue")
