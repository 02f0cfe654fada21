"""Suspicious-labels queue: labelled places ranked by suspicion (confident learning over
out-of-fold probabilities). N goes to the next one and selects it on the map; H/W/O/M/X flag
it as everywhere else in the window."""
from __future__ import annotations

import sqlite3
from typing import Optional

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from auditor.audit.flags import flag_state
from auditor.gui.analysis_common import fill_table, fmt, item, read_only_table
from auditor.gui.analysis_state import Analysis

HEADERS = ["#", "place", "vehicle", "split", "given", "suggested", "score", "p(given)",
           "p(suggested)", "flags", "reason"]
COL = {h: i for i, h in enumerate(HEADERS)}


class SuspiciousQueue(QWidget):
    placeChosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.conn: Optional[sqlite3.Connection] = None
        self.rows: list[dict] = []
        self.intro = QLabel()
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        # no sorting: the queue's order is the ranking, and N walks it
        self.table = read_only_table(HEADERS, "suspiciousQueue", sortable=False)
        self.table.setToolTip("N: next suspicious place · H/W/O: the label should be "
                              "home/work/other · M: model wrong · X: bad data")
        self.reason = QLabel()
        self.reason.setObjectName("suspiciousReason")
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reason)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

    def set_analysis(self, analysis: Optional[Analysis], conn: Optional[sqlite3.Connection]) -> None:
        self.conn = conn
        # entries on a place only, until this tab shows labels that matched no place (their
        # place_id is None: nothing to select on the map or to flag here)
        self.rows = ([r for r in analysis.report["suspicious"] if r.get("place_id") is not None]
                     if analysis is not None else [])
        self.reason.setText("")
        if analysis is None:
            self.intro.setText("")
        elif not self.rows:
            self.intro.setText("No labelled place contradicts the model's out-of-fold "
                               "probabilities.")
        else:
            self.intro.setText(
                f"{len(self.rows):,} labelled places the model contradicts, most suspicious "
                f"first (ranked by {analysis.report.get('suspicious_ranking', 'score')}; given "
                "labels before implied 'other'). N: next · H/W/O/M/X: flag.")
        flags = flag_state(conn, [r["place_id"] for r in self.rows]) if conn and self.rows else {}
        fill_table(self.table, [self._cells(i, r, flags.get(r["place_id"], ""))
                                for i, r in enumerate(self.rows)])

    @staticmethod
    def _cells(i: int, r: dict, flags: str) -> list:
        return [item(str(i + 1), i + 1), item(r["place_id"]), item(r["vehicle_id"]),
                item(r.get("split") or "–"), item(r["given_label"]),
                item(r.get("suggested_label") or "–"), item(fmt(r["score"]), r["score"]),
                item(fmt(r.get("p_given"), 2)), item(fmt(r.get("p_suggested"), 2)),
                item(flags or ""), item(r["reason"], tooltip=r["reason"])]

    def refresh_flags(self) -> None:
        if self.conn is None or not self.rows:
            return
        flags = flag_state(self.conn, [r["place_id"] for r in self.rows])
        for i, r in enumerate(self.rows):
            self.table.item(i, COL["flags"]).setText(flags.get(r["place_id"], "") or "")

    def reason_for(self, place_id: str) -> Optional[str]:
        for r in self.rows:
            if r["place_id"] == place_id:
                return r["reason"]
        return None

    # --- navigation -------------------------------------------------------------------------
    def current_place(self) -> Optional[str]:
        row = self.table.currentRow()
        return self.rows[row]["place_id"] if 0 <= row < len(self.rows) else None

    def select_row(self, row: int) -> bool:
        if not 0 <= row < len(self.rows):
            return False
        self.table.selectionModel().setCurrentIndex(
            self.table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollToItem(self.table.item(row, 0))
        return True

    def select_next(self) -> bool:
        """N: the next suspicious place (the first when none is current)."""
        return self.select_row(self.table.currentRow() + 1)

    def _row_changed(self, current, _previous) -> None:
        if not current.isValid() or not 0 <= current.row() < len(self.rows):
            return
        r = self.rows[current.row()]
        self.reason.setText(f"#{current.row() + 1} {r['place_id']}: suggested "
                            f"{r.get('suggested_label') or '–'} — {r['reason']}")
        self.placeChosen.emit(r["place_id"])
