"""Small pieces the analysis views share: number formatting, colours, read-only tables, and
tooltips that show data as text (never as markup)."""
from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.gui.text import tip

# the role where a table keeps the number a column sorts by (display text sorts as text)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if math.isinf(value):
            return "∞"
        return f"{value:.{digits}g}" if abs(value) < 999.5 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def pct(value: Optional[float]) -> str:
    return "–" if value is None else f"{100 * value:.1f} %"


def rate_color(rate: Optional[float], worst: float = 1.0) -> QColor:
    """White for no errors to red for ``worst``; grey when there is no rate."""
    if rate is None:
        return QColor(235, 235, 235)
    x = 0.0 if worst <= 0 else max(0.0, min(1.0, rate / worst))
    return QColor(255, int(255 - 150 * x), int(255 - 160 * x))


def header_tips(table, tips: dict[str, str]) -> None:
    """Tooltips on a table's column headers (labels explain themselves, not only inputs)."""
    for c in range(table.columnCount()):
        h = table.horizontalHeaderItem(c)
        if h is not None and h.text() in tips:
            h.setToolTip(tip(tips[h.text()]))


class _Item(QTableWidgetItem):
    """Sorts by the number in SORT_ROLE when both items have one."""

    def __lt__(self, other):
        a, b = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        # not super().__lt__: PySide dispatches that back to this override (endless recursion)
        return self.text() < other.text()


def item(text: str, sort_value: Any = None, tooltip: Optional[str] = None,
         background: Optional[QColor] = None) -> QTableWidgetItem:
    it = _Item(text)
    it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if isinstance(sort_value, (int, float)) and not isinstance(sort_value, bool):
        if not (isinstance(sort_value, float) and math.isnan(sort_value)):
            it.setData(SORT_ROLE, sort_value)
    if tooltip:
        it.setToolTip(tip(tooltip))
    if background is not None:
        it.setBackground(background)
    return it


def text_label(name: str = "") -> QLabel:
    """A label for text from the data or the report: plain text (never rich text: a vehicle id
    is not HTML), wrapped to the view's width, selectable with the mouse (a finding's command
    is there to be copied into a terminal, an id to be searched for)."""
    label = QLabel()
    if name:
        label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def column(view: QWidget, *rows) -> QVBoxLayout:
    """The views' tight vertical layout: widgets and layouts top to bottom, a table (the first
    QTableWidget) taking the spare height."""
    layout = QVBoxLayout(view)
    layout.setContentsMargins(2, 2, 2, 2)
    stretched = False
    for row in rows:
        if isinstance(row, QLayout):
            layout.addLayout(row)
        elif isinstance(row, QTableWidget) and not stretched:
            layout.addWidget(row, 1)
            stretched = True
        else:
            layout.addWidget(row)
    return layout


def read_only_table(headers: Sequence[str], name: str, sortable: bool = True) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(list(headers))
    t.verticalHeader().hide()
    t.verticalHeader().setDefaultSectionSize(22)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    # no sort column until the analyst clicks one: rows keep the order the analysis gave
    # (findings first, most suspicious first)
    t.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    t.setSortingEnabled(sortable)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def fill_table(table: QTableWidget, rows: Sequence[Sequence[QTableWidgetItem]]) -> None:
    """Replace the rows (sorting off while filling, so rows do not move under the loop)."""
    sorting = table.isSortingEnabled()
    table.setSortingEnabled(False)
    table.clearContents()
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, it in enumerate(cells):
            table.setItem(r, c, it)
    table.resizeColumnsToContents()
    table.setSortingEnabled(sorting)


def column_texts(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() if table.item(r, column) else ""
            for r in range(table.rowCount())]
