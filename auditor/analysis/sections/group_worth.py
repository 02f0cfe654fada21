"""What each feature group is worth on the test vehicles: test accuracy overall and per
population with every group and without each one, and permutation importance per feature
(auditor.analysis.group_worth). Text and JSON; the Runs view shows it beside the runs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.analysis.entry import AnalysisEntry
from auditor.analysis.sections.text import pct

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis import frames
    from auditor.analysis.group_worth import group_worth
    from auditor.store.queries import read_run
    feats = frames.place_features(inp.conn)
    if "vehicle_id" not in feats:
        return {"group_worth": {"status": "no place features", "groups": []}}
    return {"group_worth": group_worth(inp.pred, feats, inp.meta, inp.schedule,
                                       read_run(inp.conn, inp.run_id))}


def _delta(a, b) -> str:
    return "  n/a " if a is None or b is None else f"{100 * (b - a):+5.1f}"


def render_text(r: dict) -> list[str]:
    w = r.get("group_worth") or {}
    if w.get("status") != "test split":
        return [f"What each feature group is worth: {w.get('status', 'not computed')}"]
    groups = w["groups"]
    lines = ["What each feature group is worth (test accuracy with every group, and its change "
             "in points without each; negative: the group helps):",
             f"  {'population':<40} {'n':>5} {'all':>6} " + " ".join(f"{'-' + g:>9}"
                                                                    for g in groups)]
    rows = [w["overall"]] + [p for p in w["populations"] if p["population"] == "schedule"]
    for p in rows:
        name = p["value"] if p["population"] == "all test vehicles" else \
            f"{p['population']}={p['value']}"
        name = "all test vehicles" if p["population"] == "all test vehicles" else name
        lines.append(f"  {name[:40]:<40} {p['n']:>5} {pct(p['all']):>6} " + " ".join(
            f"{_delta(p['all'], p['without'][g]):>9}" for g in groups))
    top = ", ".join(f"{x['feature']} {100 * x['importance']:+.1f}" for x in w["importance"][:5])
    lines.append(f"  permutation importance (points of test accuracy): {top}")
    return lines


ENTRY = AnalysisEntry(key="group_worth", step="what each feature group is worth",
                      compute=compute, render_text=render_text)
