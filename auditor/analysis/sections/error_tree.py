"""The surrogate error tree: where the model's out-of-fold errors pile up, in words, each node
with the population over-represented in it; a node means the labelled places reaching it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from auditor.analysis.entry import AnalysisEntry, PlaceIndex
from auditor.analysis.sections.text import pct

if TYPE_CHECKING:
    from auditor.analysis.inputs import ReportInputs


class Crowd(TypedDict):
    column: str
    value: str
    share: float
    overall_share: float


class TreeNode(TypedDict):
    id: int
    condition: str
    path: list[str]
    n: int
    errors: int
    error_rate: Optional[float]
    dominant: Optional[Crowd]
    feature: Optional[str]
    threshold: Optional[float]
    children: list["TreeNode"]


class Leaf(TypedDict):
    id: int
    n: int
    errors: int
    error_rate: Optional[float]
    slice: str
    dominant: Optional[Crowd]


class PopulationSplit(TypedDict):
    column: str
    value: str
    slice: str            # the conditions down to 'column = value'
    n: int
    errors: int
    error_rate: Optional[float]
    other_n: int          # the sibling slice: 'column ≠ value' under the same parent
    other_error_rate: Optional[float]


class ErrorTreeSection(TypedDict, total=False):
    run_id: int
    target: str
    n: int
    errors: int
    params: dict[str, Any]
    root: Optional[TreeNode]
    leaves: list[Leaf]
    population_splits: list[PopulationSplit]
    note: str


def compute(inp: ReportInputs) -> dict[str, Any]:
    from auditor.analysis.error_tree import grow_error_tree
    X, words = inp.design
    tree, members = grow_error_tree(inp.lab, X, words)
    tree["run_id"] = inp.run_id
    inp.memo["tree_members"] = members  # the same fit: no refit per node
    return {"error_tree": tree}


def places(inp: ReportInputs, report: dict) -> PlaceIndex:
    """node id -> the labelled places reaching that node, its errors (out-of-fold prediction
    differs from the label) first: a click on a node lists what is wrong there first."""
    wrong = set(inp.lab.loc[inp.lab["wrong"].astype(bool), "place_id"])
    return {node: sorted(ids, key=lambda p: (p not in wrong, p))
            for node, ids in inp.memo.get("tree_members", {}).items()}


def render_text(r: dict) -> list[str]:
    t = r["error_tree"]
    lines = [f"Error tree: {t['errors']} errors in {t['n']} labelled places (out-of-fold)"]
    if t.get("root") is None:
        return lines + [f"  no tree: {t.get('note') or 'nothing to split'}"]
    for leaf in t["leaves"][:3]:
        d = leaf.get("dominant")
        crowd = (f" [mostly {d['column']} {d['value']}: {pct(d['share'])} of the slice, "
                 f"{pct(d['overall_share'])} of all]" if d else "")
        lines.append(f"  {pct(leaf['error_rate'])} wrong (n={leaf['n']}): {leaf['slice']}{crowd}")
    lines += [f"  splits on vehicle metadata: {split_words(s)}"
              for s in t.get("population_splits", [])]
    return lines


def split_words(s: dict) -> str:
    """'region = north: 66.7% wrong of 12 places, 0.0% of the other 69'."""
    return (f"{s['column']} = {s['value']}: {pct(s['error_rate'])} wrong of {s['n']} places, "
            f"{pct(s['other_error_rate'])} of the other {s['other_n']}")


ENTRY = AnalysisEntry(key="tree", title="Error tree", step="error tree", compute=compute,
                      render_text=render_text, places=places,
                      view="auditor.gui.analyses.tree:ErrorTreeView")
