"""Label evidence: checks on given labels, each a sentence (never at night for a home, never
on a weekday for a work, far from every stop, home and work together). Shown in the details
pane of a place, so it has no tab."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


class Finding(TypedDict):
    label_id: int
    vehicle_id: str
    label: str
    place_id: Optional[str]
    check: str
    sentence: str
    value: Optional[float]   # the number behind it: stays, metres to a stop, metres apart


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.jsonable import records
    return {"evidence": records(inp.evidence)}


def render_text(r: dict) -> list[str]:
    # a finding about a pair of labels (home and work together) is one row per label, so
    # each label's details pane shows it; the text says it once
    sentences = list(dict.fromkeys(e["sentence"] for e in r["evidence"]))
    labels = len({e["label_id"] for e in r["evidence"]})
    lines = [f"Label evidence: {len(sentences)} findings on {labels} labels"]
    lines += [f"  {s}" for s in sentences[:10]]
    return lines


ENTRY = AnalysisEntry(key="evidence", step="label evidence", compute=compute,
                      render_text=render_text)
