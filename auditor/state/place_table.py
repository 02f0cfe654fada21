"""The place browser's rows, as SQL: one row per place of a run (vehicle, place, given and
predicted label, confidence, split, flags in force), filtered, searched by vehicle-id prefix,
limited to a subset of places, and sorted — all in SQLite, so 5,000 vehicles' places never sit
in memory. The Qt table model (auditor.gui.views.browser_model) pages over this."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Optional

from auditor.audit.flags import flag_state

# flags in force on the row's place now (the schema's flags_in_force view is the rule; flags
# are re-attached after every infer, so they are matched by where they point now). Counted
# once per query in a joined subquery: the view ranks flags (a window), so SQLite cannot
# flatten it, and asking it once per row would cost rows x flags.
_PLACE_FLAGS = "COALESCE(fc.n, 0)"
_FLAG_COUNTS = ("LEFT JOIN (SELECT current_target AS place_id, COUNT(*) AS n FROM flags_in_force "
                "WHERE target_kind = 'place' AND status = 'attached' GROUP BY current_target) "
                "fc ON fc.place_id = pl.place_id")

FILTERS: dict[str, tuple[str, str]] = {
    # key: (label in the combo, SQL condition)
    "all": ("All places", "1"),
    "mismatches": ("Given ≠ predicted",
                   "pr.given_label IS NOT NULL AND pr.given_label != pr.predicted_label"),
    "validation_errors": ("Validation errors",
                          "pr.split = 'validation' AND pr.given_label != pr.predicted_label"),
    "flagged": ("Flagged", f"{_PLACE_FLAGS} > 0"),
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
    Column("Flags", "flags", _PLACE_FLAGS),
]
COL = {c.key: i for i, c in enumerate(COLUMNS)}

_FROM = ("FROM places pl LEFT JOIN predictions pr ON pr.place_id = pl.place_id "
         f"AND pr.run_id = ? {_FLAG_COUNTS}")
_SELECT = ("SELECT pl.vehicle_id, pl.place_id, pr.given_label, pr.predicted_label, "
           "MAX(pr.p_home, pr.p_work, pr.p_other) AS confidence, pr.split, "
           f"{_PLACE_FLAGS} AS n_flags ")


def _natural(direction: str) -> str:
    """Places in natural order: a place id is its vehicle's id, ':' and a number, so within a
    vehicle a shorter id is a smaller number — 'v:2' before 'v:10' (text order puts it after)."""
    return (f"pl.vehicle_id {direction}, length(pl.place_id) {direction}, "
            f"pl.place_id {direction}")


@dataclass
class PlaceQuery:
    """What the table shows: run, filter key, vehicle-id prefix, subset (None = all places),
    sort column (index into COLUMNS; None = the subset's own order, e.g. an error tree node's
    errors first) and direction."""
    run_id: Optional[int]
    filter_key: str = "all"
    prefix: str = ""
    subset: Optional[list[str]] = None
    sort_column: Optional[int] = COL["vehicle_id"]
    descending: bool = False

    def _from(self) -> tuple[str, list]:
        if self.subset is None:
            return _FROM, [self.run_id]
        # one JSON parameter, however many places: no limit on SQL variables; its key is the
        # place's position in the subset (the order the analysis gave)
        return (f"{_FROM} JOIN json_each(?) sub ON sub.value = pl.place_id",
                [self.run_id, json.dumps(self.subset)])

    def _where(self) -> tuple[str, list]:
        cond = [FILTERS[self.filter_key][1]]
        params: list = []
        if self.prefix:
            cond.append("substr(pl.vehicle_id, 1, ?) = ?")
            params += [len(self.prefix), self.prefix]
        return " AND ".join(cond), params

    def _clause(self) -> tuple[str, list]:
        frm, p1 = self._from()
        where, p2 = self._where()
        return f"{frm} WHERE {where}", p1 + p2

    def _order_by(self) -> str:
        direction = "DESC" if self.descending else "ASC"
        if self.sort_column is None:
            return "sub.key ASC" if self.subset is not None else _natural("ASC")
        if COLUMNS[self.sort_column].key == "place_id":
            return _natural(direction)
        return f"{COLUMNS[self.sort_column].sql} {direction}, {_natural(direction)}"

    def count(self, conn: sqlite3.Connection) -> int:
        clause, params = self._clause()
        return int(conn.execute(f"SELECT COUNT(*) {clause}", params).fetchone()[0])

    def first_rows(self, conn: sqlite3.Connection, limit: int) -> list[dict[str, Any]]:
        clause, params = self._clause()
        sql = f"{_SELECT}{clause} ORDER BY {self._order_by()} LIMIT ?"
        return _with_flags(conn, conn.execute(sql, params + [limit]))

    def rows_by_id(self, conn: sqlite3.Connection,
                   place_ids: list[str]) -> list[Optional[dict[str, Any]]]:
        """These places' rows in this order (None for a place deleted since the index)."""
        sql = f"{_SELECT}{_FROM} WHERE pl.place_id IN (SELECT value FROM json_each(?))"
        found = {r["place_id"]: r for r in _with_flags(
            conn, conn.execute(sql, [self.run_id, json.dumps(place_ids)]))}
        return [found.get(p) for p in place_ids]

    def place_ids(self, conn: sqlite3.Connection) -> list[str]:
        """Place ids of every matching row in display order (one narrow query)."""
        clause, params = self._clause()
        sql = f"SELECT pl.place_id {clause} ORDER BY {self._order_by()}"
        return [r[0] for r in conn.execute(sql, params)]


def _with_flags(conn: sqlite3.Connection, cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r)) for r in cur.fetchall()]
    for r in rows:
        r["flags"] = ""
    # the flag text needs the whole event log (pandas): only read it when a row has a flag in
    # force or some vehicle is flagged; otherwise every text is "" anyway
    if rows and (any(r["n_flags"] for r in rows) or vehicle_flagged(conn)):
        states = flag_state(conn, [r["place_id"] for r in rows])
        for r in rows:
            r["flags"] = states.get(r["place_id"], "") or ""
    return rows


def vehicle_flagged(conn: sqlite3.Connection) -> bool:
    """Is any vehicle flagged (its flag shows on every place row of the vehicle)?"""
    return conn.execute("SELECT 1 FROM flags_in_force WHERE target_kind = 'vehicle' "
                        "LIMIT 1").fetchone() is not None


def flag_texts(conn: sqlite3.Connection, place_ids: list[str]) -> dict[str, str]:
    """place_id -> the flag column's text ("" when nothing is in force)."""
    return {p: t or "" for p, t in flag_state(conn, place_ids).items()}
