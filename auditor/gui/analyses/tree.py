"""Error tree tab: the shallow surrogate tree drawn as a tree, each node with its place count,
errors and error rate, coloured by error rate. Clicking a node shows its places (the
labelled places reaching it, slice_members) in the browser and the first on the map."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from auditor.analysis.results import Analysis
from auditor.gui.analyses.common import pct, rate_color
from auditor.state.app_state import AppState

NODE_ID = Qt.ItemDataRole.UserRole


def dominant_text(d: Optional[dict]) -> str:
    """'firmware fw-4.2.1: 74% (all 15%)' — who crowds a slice, or '' when nobody does."""
    if not d:
        return ""
    return f"{d['column']} {d['value']}: {pct(d['share'])} (all {pct(d['overall_share'])})"


class ErrorTreeView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.analysis: Optional[Analysis] = None
        self.items: dict[int, QTreeWidgetItem] = {}
        self.intro = QLabel()
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("errorTree")
        self.tree.setHeaderLabels(["slice", "places", "errors", "error rate", "over-represented"])
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.setToolTip("Click a node: the browser shows its places, the map the first one")
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
            f"Where the model's errors pile up ({t['target']}): {t['errors']:,} errors in "
            f"{t['n']:,} labelled places; depth ≤ {t['params']['max_depth']}, leaves ≥ "
            f"{t['params']['min_samples_leaf']} places. Click a node to see its places.")
        worst = max((leaf["error_rate"] or 0.0) for leaf in t["leaves"]) if t["leaves"] else 0.0
        self._add(None, root, worst)
        self.tree.expandAll()
        for c in range(1, 5):
            self.tree.resizeColumnToContents(c)

    def _add(self, parent: Optional[QTreeWidgetItem], node: dict, worst: float) -> None:
        it = QTreeWidgetItem([node["condition"], f"{node['n']:,}", f"{node['errors']:,}",
                              pct(node["error_rate"]), dominant_text(node.get("dominant"))])
        it.setData(0, NODE_ID, int(node["id"]))
        it.setToolTip(0, " and ".join(node["path"]) or node["condition"])
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
        it = self.items.get(int(node_id))
        what = it.toolTip(0) if it is not None else f"node {node_id}"
        self.state.show_places(ids, f"error tree: {what}")
        return ids
