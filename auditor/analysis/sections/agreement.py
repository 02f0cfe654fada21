"""Agreement between analysts (auditor.analysis.agreement): raw agreement and Cohen's kappa
per pair of analysts and per flag action, and how many flags are pending review."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


class AgreementRow(TypedDict):
    analysts: list[str]          # the pair, in name order
    action: str                  # label_wrong | model_wrong | bad_data | all
    items: int
    agreed: int
    raw_agreement: float
    kappa: Optional[float]
    kappa_note: Optional[str]
    from_reviews: int
    from_independent_flags: int


class AgreementSection(TypedDict):
    definition: str
    pairs: list[AgreementRow]
    reviews: dict[str, int]      # pending / accepted / rejected / amended flags in force


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.agreement import agreement_report
    return {"agreement": agreement_report(inp.conn)}


def render_text(r: dict) -> list[str]:
    a = r.get("agreement")
    if not a:
        return []
    rv = a["reviews"]
    lines = [f"Review: {rv['pending']} pending, {rv['accepted']} accepted, {rv['rejected']} "
             f"rejected, {rv['amended']} amended"]
    for p in a["pairs"]:
        kappa = "undefined" if p["kappa"] is None else f"{p['kappa']:.2f}"
        lines.append(f"  agreement {p['analysts'][0]} / {p['analysts'][1]} on {p['action']}: "
                     f"{p['agreed']} of {p['items']} ({100 * p['raw_agreement']:.0f}%), "
                     f"kappa {kappa}")
    return lines


def places(inp: ReportInputs, report: dict) -> dict:
    from auditor.analysis.agreement import places_of_items
    return places_of_items(inp.conn)


ENTRY = AnalysisEntry(key="agreement", title="", step="agreement between analysts",
                      compute=compute, render_text=render_text, places=places, view=None)
