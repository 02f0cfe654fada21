"""The place browser's table: a lazy model over SQLite. The view sees every matching row; rows
are read a page at a time on demand, sorting and filtering happen in SQL, so 5,000 vehicles'
places never sit in memory."""
from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from auditor.audit.flags import flag_state

PAGE_SIZE = 200
MAX_CACHED_PAGES = 32  # pages of rows kept in memory (a screenful is a fraction of one)

# An active place flag: in force and attached to this place now (flags are re-attached after
# every infer; the view is defined in auditor/store/schema.py).
_ACTIVE_FLAGS = ("(SELECT COUNT(*) FROM flag_targets t JOIN flags_in_force f "
                 "ON f.event_id = t.event_id WHERE t.place_id = pl.place_id "
                 "AND t.status = 'attached')")

FILTERS: dict[str, tuple[str, str]] = {
    # key: (label in the combo, SQL condition)
    "all": ("All places", "1"),
    "mismatches": ("Given ≠ predicted", "pr.given_label IS NOT NULL AND pr.given_label != pr.predicted_label"),
    "validation_errors": ("Validation errors",
                          "pr.split = 'validation' AND pr.given_label != pr.predicted_label"),
    "flagged": ("Flagged", f"{_ACTIVE_FLAGS} > 0"),
    "unlabelled": ("Unlabelled", "pr.given_label IS NULL"),
}


@dataclass(frozen=True)
class Column:
    title: str
    key: str
    sql: str  # the ORDER BY expression


COLUMNS = [
    Column("Vehicle", "vehicle_id", "pl.vehicle_id"),
    Column("Place", "place_id", "pl.place_id"),
    Column("Given", "given_label", "pr.given_label"),
    Column("Predicted", "predicted_label", "pr.predicted_label"),
    Column("Confidence", "confidence", "MAX(pr.p_home, pr.p_work, pr.p_other)"),
    Column("Split", "split", "pr.split"),
    Column("Flags", "flags", _ACTIVE_FLAGS),
]
COL = {c.key: i for i, c in enumerate(COLUMNS)}
_MISMATCH_BRUSH = QBrush(QColor(255, 228, 225))


class PlaceTableModel(QAbstractTableModel):
    """One row per place of the latest model run: vehicle, place, given / predicted label,
    confidence, split, flag state.

    rowCount() is the full match count (one COUNT query); rows are read a page at a time when
    the view asks for them and kept in a small page cache. The first page comes from a plain
    LIMIT query (cheap start); any other page, and row_of(), use the place ids in display order
    (one narrow query per sort / filter state), so a deep page or a jump to any place costs a
    primary-key lookup instead of an OFFSET scan or a fetch of every row before it."""

    def __init__(self, conn: sqlite3.Connection, run_id: Optional[int], parent=None,
                 filter_key: str = "all", prefix: str = ""):
        super().__init__(parent)
        # places an analysis view picked (a confusion cell, a tree node); None = no restriction
        self.subset: Optional[list[str]] = None
        self.conn = conn
        self.run_id = run_id
        self.filter_key = filter_key if filter_key in FILTERS else "all"
        self.prefix = prefix.strip()
        self.sort_column = COL["vehicle_id"]
        self.sort_order = Qt.SortOrder.AscendingOrder
        self.total = 0
        self.pages_fetched = 0
        self._pages: OrderedDict[int, list[Optional[dict[str, Any]]]] = OrderedDict()
        self._ids: Optional[list[str]] = None      # place ids in display order, built on need
        self._pos: dict[str, int] = {}
        self._reload()

    # --- query -------------------------------------------------------------------------------
    def _where(self) -> tuple[str, list]:
        cond = [FILTERS[self.filter_key][1]]
        params: list = []
        if self.prefix:
            cond.append("substr(pl.vehicle_id, 1, ?) = ?")
            params += [len(self.prefix), self.prefix]
        if self.subset is not None:
            # one JSON parameter, however many places: no limit on SQL variables
            cond.append("pl.place_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(self.subset))
        return " AND ".join(cond), params

    def _from(self) -> str:
        return ("FROM places pl LEFT JOIN predictions pr "
                "ON pr.place_id = pl.place_id AND pr.run_id = ?")

    _SELECT = ("SELECT pl.vehicle_id, pl.place_id, pr.given_label, pr.predicted_label, "
               "MAX(pr.p_home, pr.p_work, pr.p_other) AS confidence, pr.split, "
               f"{_ACTIVE_FLAGS} AS n_flags ")

    def _count(self) -> int:
        where, params = self._where()
        sql = f"SELECT COUNT(*) {self._from()} WHERE {where}"
        return int(self.conn.execute(sql, [self.run_id] + params).fetchone()[0])

    def _with_flags(self, cur: sqlite3.Cursor) -> list[dict[str, Any]]:
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        for r in rows:
            r["flags"] = ""
        # the flag text needs the whole event log (pandas): only read it when a row has a flag
        # in force or some vehicle is flagged; otherwise every text is "" anyway
        if rows and (any(r["n_flags"] for r in rows) or self._vehicle_flagged()):
            states = flag_state(self.conn, [r["place_id"] for r in rows])
            for r in rows:
                r["flags"] = states.get(r["place_id"], "") or ""
        return rows

    def _vehicle_flagged(self) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM flag_events f WHERE f.target_kind = 'vehicle' AND f.action != 'revoke' "
            "AND NOT EXISTS (SELECT 1 FROM flag_events r WHERE r.revokes = f.event_id) LIMIT 1"
        ).fetchone() is not None

    def _first_rows(self, limit: int) -> list[dict[str, Any]]:
        where, params = self._where()
        sql = f"{self._SELECT}{self._from()} WHERE {where} ORDER BY {self._order_by()} LIMIT ?"
        return self._with_flags(self.conn.execute(sql, [self.run_id] + params + [limit]))

    def _rows_by_id(self, place_ids: list[str]) -> list[Optional[dict[str, Any]]]:
        """These places' rows in this order (None for a place deleted since the index)."""
        sql = (f"{self._SELECT}{self._from()} "
               "WHERE pl.place_id IN (SELECT value FROM json_each(?))")
        found = {r["place_id"]: r for r in self._with_flags(
            self.conn.execute(sql, [self.run_id, json.dumps(place_ids)]))}
        return [found.get(p) for p in place_ids]

    def _index(self) -> list[str]:
        """Place ids of every matching row in display order: one narrow query, then cached
        until the sort, filter, search, subset or run changes."""
        if self._ids is None:
            where, params = self._where()
            sql = f"SELECT pl.place_id {self._from()} WHERE {where} ORDER BY {self._order_by()}"
            self._ids = [r[0] for r in self.conn.execute(sql, [self.run_id] + params)]
            self._pos = {p: i for i, p in enumerate(self._ids)}
        return self._ids

    def _page(self, page: int) -> list[Optional[dict[str, Any]]]:
        if page in self._pages:
            self._pages.move_to_end(page)
            return self._pages[page]
        start = page * PAGE_SIZE
        if page == 0 and self._ids is None:
            rows: list[Optional[dict[str, Any]]] = list(self._first_rows(PAGE_SIZE))
        else:
            rows = self._rows_by_id(self._index()[start:start + PAGE_SIZE])
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
        self.total = self._count()
        self.endResetModel()

    # --- public controls -----------------------------------------------------------------------
    def set_filter(self, key: str) -> None:
        if key not in FILTERS:
            raise KeyError(key)
        self.filter_key = key
        self._reload()

    def set_prefix(self, prefix: str) -> None:
        self.prefix = prefix.strip()
        self._reload()

    def set_subset(self, place_ids: Optional[list[str]]) -> None:
        """Show only these places (still sorted, filtered and searched as usual); None: all."""
        self.subset = None if place_ids is None else [str(p) for p in place_ids]
        self._reload()

    def set_run(self, run_id: Optional[int]) -> None:
        self.run_id = run_id
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

    def _order_by(self) -> str:
        direction = "DESC" if self.sort_order == Qt.SortOrder.DescendingOrder else "ASC"
        return f"{COLUMNS[self.sort_column].sql} {direction}, pl.place_id {direction}"

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

    def refresh_flags(self, place_ids) -> None:
        """Re-read the flag state of these places (after a flag, undo or redo)."""
        wanted = set(place_ids)
        states = flag_state(self.conn, sorted(wanted))
        col = COL["flags"]
        for page, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r is not None and r["place_id"] in wanted:
                    r["flags"] = states.get(r["place_id"], "") or ""
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
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column = column
        self.sort_order = order
        self._reload()
