"""The place browser's table: a lazy model over SQLite. Rows arrive in pages (canFetchMore /
fetchMore), sorting and filtering happen in SQL, so 5,000 vehicles never sit in memory."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Optional

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from auditor.audit.flags import flag_state

PAGE_SIZE = 200

# An active place flag: an event that is not a revoke and has not itself been revoked.
_ACTIVE_FLAGS = ("(SELECT COUNT(*) FROM flag_events f WHERE f.target_kind = 'place' "
                 "AND f.target_id = pl.place_id AND f.action != 'revoke' AND NOT EXISTS "
                 "(SELECT 1 FROM flag_events r WHERE r.revokes = f.event_id))")

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
    confidence, split, flag state."""

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
        self.rows: list[dict[str, Any]] = []
        self.total = 0
        self.pages_fetched = 0
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

    def _count(self) -> int:
        where, params = self._where()
        sql = f"SELECT COUNT(*) {self._from()} WHERE {where}"
        return int(self.conn.execute(sql, [self.run_id] + params).fetchone()[0])

    def _page(self, offset: int, limit: int) -> list[dict[str, Any]]:
        where, params = self._where()
        sql = (f"SELECT pl.vehicle_id, pl.place_id, pr.given_label, pr.predicted_label, "
               f"MAX(pr.p_home, pr.p_work, pr.p_other) AS confidence, pr.split, "
               f"{_ACTIVE_FLAGS} AS n_flags {self._from()} WHERE {where} "
               f"ORDER BY {self._order_by()} LIMIT ? OFFSET ?")
        cur = self.conn.execute(sql, [self.run_id] + params + [limit, offset])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        if rows:
            states = flag_state(self.conn, [r["place_id"] for r in rows])
            for r in rows:
                r["flags"] = states.get(r["place_id"], "") or ""
        return rows

    def _reload(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.pages_fetched = 0
        self.total = self._count()
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

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

    def place_at(self, row: int) -> dict[str, Any]:
        return self.rows[row]

    def _order_by(self) -> str:
        direction = "DESC" if self.sort_order == Qt.SortOrder.DescendingOrder else "ASC"
        return f"{COLUMNS[self.sort_column].sql} {direction}, pl.place_id {direction}"

    def row_of(self, place_id: str) -> Optional[int]:
        """The row showing ``place_id`` (None if filtered out). Its position comes from one
        ROW_NUMBER() query; the rows up to it are fetched in one go, not page by page."""
        for i, r in enumerate(self.rows):
            if r["place_id"] == place_id:
                return i
        where, params = self._where()
        hit = self.conn.execute(
            f"SELECT rn FROM (SELECT pl.place_id, ROW_NUMBER() OVER (ORDER BY {self._order_by()}) "
            f"AS rn {self._from()} WHERE {where}) WHERE place_id = ?",
            [self.run_id] + params + [place_id]).fetchone()
        if hit is None:
            return None
        row = int(hit[0]) - 1
        if row >= len(self.rows):
            self._fetch(row + 1 - len(self.rows) + PAGE_SIZE)
        if row < len(self.rows) and self.rows[row]["place_id"] == place_id:
            return row
        return None

    def refresh_flags(self, place_ids) -> None:
        """Re-read the flag state of these places (after a flag, undo or redo)."""
        wanted = set(place_ids)
        states = flag_state(self.conn, sorted(wanted))
        col = COL["flags"]
        for i, r in enumerate(self.rows):
            if r["place_id"] in wanted:
                r["flags"] = states.get(r["place_id"], "") or ""
                r["n_flags"] = 1 if r["flags"] else 0
                idx = self.index(i, col)
                self.dataChanged.emit(idx, idx)

    # --- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if not parent.isValid():
            self._fetch(PAGE_SIZE)

    def _fetch(self, limit: int) -> None:
        page = self._page(len(self.rows), limit)
        if not page:
            self.total = len(self.rows)  # the table shrank under us (re-inference)
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
        self.rows.extend(page)
        self.pages_fetched += 1
        self.endInsertRows()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
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
