"""The place browser's table: a lazy Qt model over auditor.state.place_table. The view sees
every matching row; rows are read a page at a time on demand and kept in a small page cache,
so 5,000 vehicles' places never sit in memory."""
from __future__ import annotations

import sqlite3
from collections import OrderedDict
from typing import Any, Optional

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from auditor.state.place_table import COL, COLUMNS, FILTERS, PlaceQuery, flag_texts

PAGE_SIZE = 200
MAX_CACHED_PAGES = 32  # pages of rows kept in memory (a screenful is a fraction of one)
_MISMATCH_BRUSH = QBrush(QColor(255, 228, 225))

__all__ = ["COL", "FILTERS", "PlaceTableModel"]


class PlaceTableModel(QAbstractTableModel):
    """One row per place of the latest model run: vehicle, place, given / predicted label,
    confidence, split, flags in force.

    rowCount() is the full match count (one COUNT query); rows are read a page at a time when
    the view asks for them. The first page comes from a plain LIMIT query (cheap start); any
    other page, and row_of(), use the place ids in display order (one narrow query per sort /
    filter state), so a deep page or a jump to any place costs a primary-key lookup instead of
    an OFFSET scan or a fetch of every row before it."""

    def __init__(self, conn: sqlite3.Connection, run_id: Optional[int], parent=None,
                 filter_key: str = "all", prefix: str = ""):
        super().__init__(parent)
        self.conn = conn
        self.query = PlaceQuery(run_id, filter_key if filter_key in FILTERS else "all",
                                prefix.strip())
        self.total = 0
        self.pages_fetched = 0
        self._pages: OrderedDict[int, list[Optional[dict[str, Any]]]] = OrderedDict()
        self._ids: Optional[list[str]] = None      # place ids in display order, built on need
        self._pos: dict[str, int] = {}
        self._reload()

    @property
    def run_id(self) -> Optional[int]:
        return self.query.run_id

    @property
    def subset(self) -> Optional[list[str]]:
        return self.query.subset

    # --- paging -----------------------------------------------------------------------------
    def _index(self) -> list[str]:
        if self._ids is None:
            self._ids = self.query.place_ids(self.conn)
            self._pos = {p: i for i, p in enumerate(self._ids)}
        return self._ids

    def _page(self, page: int) -> list[Optional[dict[str, Any]]]:
        if page in self._pages:
            self._pages.move_to_end(page)
            return self._pages[page]
        start = page * PAGE_SIZE
        if page == 0 and self._ids is None:
            rows: list[Optional[dict[str, Any]]] = list(self.query.first_rows(self.conn,
                                                                              PAGE_SIZE))
        else:
            rows = self.query.rows_by_id(self.conn, self._index()[start:start + PAGE_SIZE])
        self._pages[page] = rows
        self.pages_fetched += 1
        while len(self._pages) > MAX_CACHED_PAGES:
            self._pages.popitem(last=False)
        return rows

    def _reload(self) -> None:
        self.beginResetModel()
        self._pages.clear()
        self._ids, self._pos = None, {}
        self.pages_fetched = 0
        self.total = self.query.count(self.conn)
        self.endResetModel()

    # --- public controls ---------------------------------------------------------------------
    def set_filter(self, key: str) -> None:
        if key not in FILTERS:
            raise KeyError(key)
        self.query.filter_key = key
        self._reload()

    def set_prefix(self, prefix: str) -> None:
        self.query.prefix = prefix.strip()
        self._reload()

    def set_subset(self, place_ids: Optional[list[str]]) -> None:
        """Show only these places, in the order given (until a column header sorts them);
        None: all places, sorted by vehicle again when they were in the subset's order."""
        self.query.subset = None if place_ids is None else list(dict.fromkeys(map(str,
                                                                                  place_ids)))
        if place_ids is not None:
            self.query.sort_column = None
        elif self.query.sort_column is None:
            self.query.sort_column, self.query.descending = COL["vehicle_id"], False
        self._reload()

    def reload(self) -> None:
        self._reload()

    def _row(self, row: int) -> Optional[dict[str, Any]]:
        if not 0 <= row < self.total:
            return None
        page = self._page(row // PAGE_SIZE)
        i = row % PAGE_SIZE
        return page[i] if i < len(page) else None

    def place_at(self, row: int) -> dict[str, Any]:
        """The row's fields (IndexError when there is no such row, or it vanished)."""
        found = self._row(row)
        if found is None:
            raise IndexError(row)
        return found

    def place_ids(self) -> list[str]:
        """Every place id the table shows, in display order (ids only, no row fields)."""
        return list(self._index())

    def row_of(self, place_id: str) -> Optional[int]:
        """The row showing ``place_id`` (None if filtered out). Pages already read answer
        first (the usual case: the place was clicked in the table or is near it); otherwise a
        lookup in the id index, which costs one query over every matching row the first time."""
        for page, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r is not None and r["place_id"] == place_id:
                    return page * PAGE_SIZE + i
        self._index()
        return self._pos.get(place_id)

    def refresh_flags(self, place_ids=None) -> None:
        """Re-read the flag text of these places (all rows read so far when None)."""
        cached = [r["place_id"] for rows in self._pages.values() for r in rows if r is not None]
        wanted = set(cached if place_ids is None else place_ids) & set(cached)
        states = flag_texts(self.conn, sorted(wanted)) if wanted else {}
        col = COL["flags"]
        for page, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r is not None and r["place_id"] in wanted:
                    r["flags"] = states.get(r["place_id"], "")
                    r["n_flags"] = 1 if r["flags"] else 0
                    idx = self.index(page * PAGE_SIZE + i, col)
                    self.dataChanged.emit(idx, idx)

    # --- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._row(index.row())
        if row is None:  # a place deleted since the table was read (re-inference)
            return None
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.DisplayRole:
            value = row.get(key)
            if key == "confidence":
                return "" if value is None else f"{value:.2f}"
            if key == "given_label" and value is None:
                return "—"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole:
            given, predicted = row.get("given_label"), row.get("predicted_label")
            if given is not None and predicted is not None and given != predicted:
                return _MISMATCH_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole and key == "flags" and row.get("flags"):
            return str(row["flags"])
        if role == Qt.ItemDataRole.ToolTipRole and key in ("vehicle_id", "place_id"):
            return str(row.get(key) or "")  # a long id is elided in the middle on screen
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if column < 0:  # no sort column: the subset's own order (or by vehicle without one)
            column = None if self.query.subset is not None else COL["vehicle_id"]
        self.query.sort_column = column
        self.query.descending = order == Qt.SortOrder.DescendingOrder
        self._reload()
