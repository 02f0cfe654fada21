"""Error tree tab: the shallow surrogate tree drawn as a tree, each node in words with its place
count, errors and error rate, coloured by error rate, and the vehicle population (metadata
value) over-represented in it when one is. Clicking a node shows its places (the labelled
places reaching it) in the browser, its errors first, and the first of them on the map."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from auditor.analysis.results import Analysis
from auditor.analysis.sections.error_tree import split_words
from auditor.analysis.words import condition_words, dominant_words
from auditor.gui.analyses.common import pct, rate_color, text_label
from auditor.gui.text import tip
from auditor.state.app_state import AppState

NODE_ID = Qt.ItemDataRole.UserRole
HEADERS = ["slice of the labelled places", "places", "errors", "error rate", "over-represented"]
HEADER_TIPS = [
    "How the tree split the labelled places: each node is the places that meet every condition "
    "on the way to it. Click one to list its places, errors first.",
    "Labelled places in this slice",
    "Places whose out-of-fold prediction differs from their label",
    "errors / places: red is where the model goes wrong most",
    "A vehicle metadata value (e.g. a firmware) far more common in this slice than among all "
    "labelled places (at least 1.5 times and 10 points more). Empty: no value stands out — the "
    "slice is not one population's problem.",
]
NONE_STANDS_OUT = "—"


def dominant_text(d: Optional[dict]) -> str:
    """'firmware fw-4.2.1: 74 % here, 15 % overall' — who crowds a slice, or '—' when
    nobody does."""
    return dominant_words(d) or NONE_STANDS_OUT


class ErrorTreeView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.analysis: Optional[Analysis] = None
        self.items: dict[int, QTreeWidgetItem] = {}
        self.intro = text_label("treeIntro")
        self.tree = QTreeWidget()
        self.tree.setObjectName("errorTree")
        self.tree.setHeaderLabels(HEADERS)
        for c, text in enumerate(HEADER_TIPS):
            self.tree.headerItem().setToolTip(c, tip(text))
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.itemClicked.connect(lambda it, _col: self.choose_node(it.data(0, NODE_ID)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)

    def set_analysis(self, analysis: Optional[Analysis]) -> None:
        self.analysis = analysis
        self.tree.clear()
        self.items = {}
        if analysis is None:
            self.intro.setText("")
            return
        t = analysis.report["error_tree"]
        root = t.get("root")
        if root is None:
            self.intro.setText(t.get("note") or "No tree for this run.")
            return
        self.intro.setText(
            f"Where the model goes wrong: {t['errors']:,} of {t['n']:,} labelled places get "
            "another label out of fold. Red slices have the most errors; click one to list its "
            "places, errors first." + _populations_sentence(t, root))
        self.intro.setToolTip(tip(
            f"Target: {t['target']}. A decision tree of depth ≤ {t['params']['max_depth']} "
            f"with leaves of ≥ {t['params']['min_samples_leaf']} places, over the place "
            "features and the vehicle metadata."))
        worst = max((leaf["error_rate"] or 0.0) for leaf in t["leaves"]) if t["leaves"] else 0.0
        self._add(None, root, worst)
        self.tree.expandAll()
        for c in range(1, 5):
            self.tree.resizeColumnToContents(c)

    def _add(self, parent: Optional[QTreeWidgetItem], node: dict, worst: float) -> None:
        it = QTreeWidgetItem([condition_words(node["condition"]), f"{node['n']:,}",
                              f"{node['errors']:,}", pct(node["error_rate"]),
                              dominant_text(node.get("dominant"))])
        it.setData(0, NODE_ID, int(node["id"]))
        path = " and ".join(condition_words(c) for c in node["path"]) or node["condition"]
        it.setToolTip(0, tip(f"{path}\n({' and '.join(node['path']) or 'the root'})\n"
                             f"{node['errors']:,} errors in {node['n']:,} places — click to "
                             "list them, errors first"))
        it.setToolTip(4, tip(HEADER_TIPS[4] if not node.get("dominant") else
                             dominant_text(node["dominant"])))
        colour = rate_color(node["error_rate"], worst or 1.0)
        for c in range(5):
            it.setBackground(c, colour)
        for c in (1, 2, 3):
            it.setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if parent is None:
            self.tree.addTopLevelItem(it)
        else:
            parent.addChild(it)
        self.items[int(node["id"])] = it
        for child in node["children"]:
            self._add(it, child, worst)

    def choose_node(self, node_id: Optional[int]) -> list[str]:
        if self.analysis is None or node_id is None:
            return []
        ids = self.analysis.places_of("tree", int(node_id))
        node = next((n for n in _nodes(self.analysis.report["error_tree"]["root"])
                     if n["id"] == int(node_id)), None)
        what = (" and ".join(condition_words(c) for c in node["path"]) or "all labelled places"
                if node else f"node {node_id}")
        errors = f", its {node['errors']:,} errors first" if node and node["errors"] else ""
        self.state.show_places(ids, f"error tree slice{errors}: {what}")
        return ids


def _populations_sentence(t: dict, root: dict) -> str:
    """What the tree says about vehicle populations: the metadata it splits on itself (then
    that population is where errors are, though no column value 'crowds' a slice beyond the
    split), else whether any slice is crowded by one."""
    splits = t.get("population_splits") or []
    if splits:
        return (" The tree splits on vehicle metadata itself — " + "; ".join(
            split_words(s) for s in splits) + ": errors pile up in that population.")
    if any(n.get("dominant") for n in _nodes(root)):
        return ""
    return (" No vehicle population (firmware, region, …) stands out in any slice, so the "
            "'over-represented' column is empty.")


def _nodes(node: dict):
    yield node
    for c in node["children"]:
        yield from _nodes(c)
