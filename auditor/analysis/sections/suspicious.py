"""Suspicious labels: given labels the out-of-fold probabilities contradict, most suspicious
first (confident learning), each with a suggested label and a reason."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


class SuspiciousRow(TypedDict, total=False):
    place_id: str
    vehicle_id: str
    split: Optional[str]
    lat: Optional[float]
    lon: Optional[float]
    given_label: str
    suggested_label: Optional[str]
    score: float
    p_given: Optional[float]
    p_suggested: Optional[float]
    reason: str


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.jsonable import records
    from auditor.analysis.suspicion import DEFAULT_RANKING, suspicious_labels
    rows = suspicious_labels(inp.lab)
    rows = rows.merge(inp.pred[["place_id", "lat", "lon", "split"]], on="place_id", how="left")
    return {"suspicious": records(rows), "suspicious_ranking": DEFAULT_RANKING}


def render_text(r: dict) -> list[str]:
    lines = [f"Suspicious labels: {len(r['suspicious'])} (ranked by "
             f"{r['suspicious_ranking'].replace('_', ' ')})"]
    for s in r["suspicious"][:10]:
        lines.append(f"  {s['place_id']}  score {s['score']:.2f}  {s['reason']}")
    return lines


# each row is one place: the view needs no index
ENTRY = AnalysisEntry(key="suspicious", title="Suspicious labels", step="suspicious labels",
                      compute=compute, render_text=render_text,
                      view="auditor.gui.analyses.suspicious:SuspiciousQueue")
