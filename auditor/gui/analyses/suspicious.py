"""Suspicious-labels queue: labelled places ranked by suspicion (confident learning over
out-of-fold probabilities). A row click or N makes its place the current place everywhere;
H/W/O/M/X flag it as everywhere else in the window. The row of the current place is always the
one highlighted; when the current place is not in the queue, none is."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from auditor.analysis.results import Analysis
from auditor.analysis.words import suspicion_words
from auditor.gui.analyses.common import fill_table, fmt, header_tips, item, read_only_table
from auditor.gui.text import tip
from auditor.state.app_state import QUEUE, AppState, Selection
from auditor.state.place_table import flag_texts

HEADERS = ["#", "place", "what the model says", "given", "suggested", "flags", "vehicle",
           "split", "score", "p(given)", "p(suggested)", "why, in numbers"]
COL = {h: i for i, h in enumerate(HEADERS)}
HEADER_TIPS = {
    "#": "Rank: the most suspicious label first",
    "place": "The place whose label is in doubt",
    "what the model says": "The doubt in words; the numbers behind it are in the last columns",
    "given": "The label the place was given (an unlabelled place counts as 'other')",
    "suggested": "The label the model would give it, judged out of fold (without this place "
                 "in its training)",
    "flags": "Flags in force on the place (H/W/O: label → home/work/other; M: model wrong; "
             "X: bad data)",
    "vehicle": "The place's vehicle",
    "split": "Whether the place trained the model or validated it",
    "score": "Suspicion score (normalized margin): 1 = the model is certain the label is wrong",
    "p(given)": "Out-of-fold probability of the given label",
    "p(suggested)": "Out-of-fold probability of the suggested label",
    "why, in numbers": "The probabilities against the per-class thresholds (confident learning)",
}


class SuspiciousQueue(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.rows: list[dict] = []
        self.position = -1  # the queue row N continues from (the last one shown)
        self.intro = QLabel()
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)
        # no sorting: the queue's order is the ranking, and N walks it
        self.table = read_only_table(HEADERS, "suspiciousQueue", sortable=False)
        header_tips(self.table, HEADER_TIPS)
        self.table.setToolTip(tip("N: next suspicious place · H/W/O: the label should be "
                                  "home/work/other · M: model wrong · X: bad data"))
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
        state.selection_changed.connect(self._selection_changed)
        state.flags_changed.connect(lambda spec, op: self.refresh_flags())

    def set_analysis(self, analysis: Optional[Analysis]) -> None:
        self.rows = list(analysis.report["suspicious"]) if analysis is not None else []
        self.position = -1
        self.reason.setText("")
        if analysis is None:
            self.intro.setText("")
        elif not self.rows:
            self.intro.setText("No labelled place contradicts the model's out-of-fold "
                               "probabilities.")
        else:
            self.intro.setText(
                f"{len(self.rows):,} labels the model doubts, most doubtful first · N: next · "
                "H / W / O: the label should be home / work / other · M: model wrong · "
                "X: bad data")
            self.intro.setToolTip(tip(
                f"Ranked by {analysis.report.get('suspicious_ranking', 'score')} of the "
                "out-of-fold probabilities (confident learning); given labels before the "
                "'other' implied for unlabelled places."))
        conn = self.state.conn
        flags = flag_texts(conn, [r["place_id"] for r in self.rows]) if conn and self.rows else {}
        self.table.selectionModel().blockSignals(True)
        fill_table(self.table, [self._cells(i, r, flags.get(r["place_id"], ""))
                                for i, r in enumerate(self.rows)])
        # the words column shows whole sentences; the numbers' column takes what is left
        self.table.setColumnWidth(COL["what the model says"],
                                  min(self.table.columnWidth(COL["what the model says"]), 420))
        self.table.selectionModel().blockSignals(False)
        self._show_current(self.state.selection.place_id)

    @staticmethod
    def _cells(i: int, r: dict, flags: str) -> list:
        words = suspicion_words(r)
        return [item(str(i + 1), i + 1), item(r["place_id"]),
                item(words, tooltip=f"{words}.\n{r['reason']}"), item(r["given_label"]),
                item(r.get("suggested_label") or "–"), item(flags or ""),
                item(r["vehicle_id"]), item(r.get("split") or "–"),
                item(fmt(r["score"]), r["score"]), item(fmt(r.get("p_given"), 2)),
                item(fmt(r.get("p_suggested"), 2)), item(r["reason"], tooltip=r["reason"])]

    def refresh_flags(self) -> None:
        conn = self.state.conn
        if conn is None or not self.rows:
            return
        flags = flag_texts(conn, [r["place_id"] for r in self.rows])
        for i, r in enumerate(self.rows):
            self.table.item(i, COL["flags"]).setText(flags.get(r["place_id"], ""))
        self.table.resizeColumnToContents(COL["flags"])  # "label→home" whole, not "la…"

    def showEvent(self, event) -> None:
        # a row chosen while the tab was hidden is scrolled into view when it shows
        super().showEvent(event)
        row = self.row_of(self.state.selection.place_id)
        if row is not None:
            self.table.scrollToItem(self.table.item(row, 0))

    # --- the current place -------------------------------------------------------------------
    def row_of(self, place_id: Optional[str]) -> Optional[int]:
        for i, r in enumerate(self.rows):
            if r["place_id"] == place_id:
                return i
        return None

    def current_place(self) -> Optional[str]:
        row = self.table.currentRow()
        return self.rows[row]["place_id"] if 0 <= row < len(self.rows) else None

    def _selection_changed(self, new: Selection, old: Selection) -> None:
        if new.place_id != old.place_id:
            self._show_current(new.place_id)

    def _show_current(self, place_id: Optional[str]) -> None:
        """Highlight the current place's row (and say why it is suspicious), or none."""
        row = self.row_of(place_id)
        model = self.table.selectionModel()
        model.blockSignals(True)
        try:
            if row is None:
                self.table.clearSelection()
                self.table.setCurrentCell(-1, -1)
            else:
                self.position = row
                model.setCurrentIndex(self.table.model().index(row, 0),
                                      QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollToItem(self.table.item(row, 0))
        finally:
            model.blockSignals(False)
        self.table.viewport().update()
        if row is not None:
            r = self.rows[row]
            self.reason.setText(f"#{row + 1} {r['place_id']}: {suspicion_words(r)} "
                                f"(suggested {r.get('suggested_label') or '–'}). "
                                f"In numbers: {r['reason']}.")
        elif place_id is not None and self.rows:
            nxt = self.position + 1
            after = f"N goes on with #{nxt + 1}." if nxt < len(self.rows) else ""
            self.reason.setText(f"The current place {place_id} is not in the queue. {after}")
        else:
            self.reason.setText("")

    # --- navigation -------------------------------------------------------------------------
    def select_row(self, row: int) -> bool:
        """Make the queue's ``row`` the current place."""
        if not 0 <= row < len(self.rows):
            return False
        return self.state.select_place(self.rows[row]["place_id"], via=QUEUE)

    def select_next(self) -> bool:
        """N: the row after the current place's (after the last row shown when the current
        place is not in the queue; the first when none was)."""
        row = self.row_of(self.state.selection.place_id)
        return self.select_row((self.position if row is None else row) + 1)

    def _row_changed(self, current, _previous) -> None:
        if current.isValid() and 0 <= current.row() < len(self.rows):
            self.state.select_place(self.rows[current.row()]["place_id"], via=QUEUE)
