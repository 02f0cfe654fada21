"""Skew and leakage: per feature, train against validation / unlabelled / recent days (value,
threshold and n), the most shifted populations, and entity / location / time leakage."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from auditor.analysis.entry import AnalysisEntry

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


class Comparison(TypedDict, total=False):
    reference: str
    n_reference_places: int
    n_current_places: int
    flagged: list[str]
    features: list[dict[str, Any]]   # one row per feature: statistic, value, threshold, n, flag
    window: dict[str, Any]           # "recent" only
    reference_window: dict[str, Any]


class PopulationSkew(TypedDict):
    method: str
    min_vehicles: int
    top: list[dict[str, Any]]
    by_population: list[dict[str, Any]]


class Leakage(TypedDict, total=False):
    entity: dict[str, Any]
    duplicates: dict[str, Any]       # cloned devices split over train and validation
    location: dict[str, Any]
    time: dict[str, Any]


class SkewSection(TypedDict):
    reference: str
    comparisons: dict[str, Comparison]   # validation, unlabelled, recent
    leakage: Leakage
    populations: PopulationSkew
    spatial_drift: dict[str, Any]        # read by the drift analysis


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.leakage import duplicate_leakage
    from auditor.analysis.sections.duplicates import fleet_duplicates
    from auditor.analysis.shift import skew_report
    skew = skew_report(inp.conn, inp.pred, inp.stops, inp.meta)
    skew["leakage"]["duplicates"] = duplicate_leakage(inp.pred, fleet_duplicates(inp))
    return {"skew": skew}


def render_text(r: dict) -> list[str]:
    sk = r["skew"]
    lines = []
    for name, comp in sk["comparisons"].items():
        flagged = ", ".join(comp["flagged"]) or "none"
        lines.append(f"Skew {comp['reference']} vs {name}: flagged {flagged}")
    pops = sk["populations"]["by_population"]
    if pops:
        p = pops[0]
        lines.append(f"Most skewed population: {p['column']} = {p['value']} "
                     f"({p['feature']} of {p['place_class']} places shifted "
                     f"{p['wasserstein_std']:.2f} std; flag at {p['threshold']})")
    lk = sk["leakage"]
    lines.append(f"Leakage: {lk['entity']['n']} vehicles in several splits; "
                 f"{lk['location']['n_near_train']} validation labels within "
                 f"{lk['location']['near_m']:.0f} m of a train label"
                 + (f"; {lk['duplicates']['n']} cloned device(s) in both train and validation"
                    if "duplicates" in lk else ""))
    return lines


ENTRY = AnalysisEntry(key="skew", title="Skew && leakage", step="skew and leakage",
                      compute=compute, render_text=render_text,
                      view="auditor.gui.analyses.skew:SkewView")
