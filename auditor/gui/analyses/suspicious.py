"""Suspicious-labels queue: every entry of the label-issue queue (auditor.analysis.label_issues),
most suspicious first — labels the evidence doubts, labels that matched no place (with their
reason), two labels on one place, and unlabelled places that look like a home or work. A row
click or N makes its place the current place everywhere (a label on no place: its vehicle,
whole, with the place nearest to the label current; the map draws the label beside it);
H/W/O/M/X flag the current place as everywhere else in the window. The row picked last stays
highlighted while its place is current; otherwise the first row on the current place is, or
none."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from auditor.analysis.issue_words import entry_words, unmatched_words
from auditor.analysis.results import Analysis
from auditor.gui.analyses.common import (
    column,
    fill_table,
    fmt,
    header_tips,
    item,
    read_only_table,
    text_label,
)
from auditor.gui.text import tip
from auditor.state.app_state import QUEUE, AppState, Selection
from auditor.state.place_table import flag_texts

# words first, numbers last (the analyst reads left to right)
HEADERS = ["#", "issue", "place", "given", "suggested", "flags", "vehicle", "label", "split",
           "score", "p(given)", "p(suggested)", "reason"]
COL = {h: i for i, h in enumerate(HEADERS)}
HEADER_TIPS = {
    "#": "Rank: the most suspicious entry first",
    "issue": "What is wrong, in words: a label on no place, two labels on one place, what the "
             "model says about a label, or an unlabelled place that looks like a home or work",
    "place": "The place whose label is in doubt ('no place': the label matched none)",
    "given": "The label the place was given (an unlabelled place counts as 'other')",
    "suggested": "The label the evidence suggests (the model's judged out of fold: without "
                 "this place in its training)",
    "flags": "Flags in force on the place (H/W/O: label → home/work/other; M: model wrong; "
             "X: bad data)",
    "vehicle": "The label's vehicle",
    "label": "The label's row id (none for an unlabelled place)",
    "split": "Whether the place trained the model or validated it",
    "score": "Suspicion score in [0, 1]: 1 = the evidence is certain the label is wrong",
    "p(given)": "Out-of-fold probability of the given label",
    "p(suggested)": "Out-of-fold probability of the suggested label",
    "reason": "Why, in words then numbers: the evidence and the probabilities behind it",
}
# the surest wrong labels stand out: a label on no place, two labels on one place
NO_PLACE = QColor(253, 224, 204)
TWO_LABELS = QColor(255, 240, 200)


def _on_no_place(r: dict) -> bool:
    return r.get("place_id") is None


def _two_labels(r: dict) -> bool:
    findings = (r.get("findings") or "").split(",")
    return "two_labels_one_place" in findings or \
        r.get("unmatched_reason") == "same_place_as_other_label"


class SuspiciousQueue(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.rows: list[dict] = []
        self.position = -1  # the queue row N continues from (the last one shown)
        self.picked = -1    # the row picked last (several rows may name one place)
        # row -> the place a label on no place was shown at (its nearest; "" = none)
        self.shown_at: dict[int, str] = {}
        self.intro = text_label()
        # no sorting: the queue's order is the ranking, and N walks it
        self.table = read_only_table(HEADERS, "suspiciousQueue", sortable=False)
        header_tips(self.table, HEADER_TIPS)
        self.table.setToolTip(tip("N: next entry · H/W/O: the current place's label should be "
                                  "home/work/other · M: model wrong · X: bad data"))
        self.reason = text_label("suspiciousReason")
        column(self, self.intro, self.table, self.reason)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        state.selection_changed.connect(self._selection_changed)
        state.flags_changed.connect(lambda spec, op: self.refresh_flags())

    def set_analysis(self, analysis: Optional[Analysis]) -> None:
        self.rows = list(analysis.report["suspicious"]) if analysis is not None else []
        self.position = self.picked = -1
        self.shown_at = {}
        self.reason.setText("")
        if analysis is None:
            self.intro.setText("")
        elif not self.rows:
            self.intro.setText("No label issue: every label matched a place and no evidence "
                               "contradicts one.")
        else:
            nowhere = sum(_on_no_place(r) for r in self.rows)
            two = sum(_two_labels(r) for r in self.rows)
            doubted = sum((r.get("score") or 0) > 0 for r in self.rows)
            explained = len(self.rows) - doubted
            self.intro.setText(
                f"{doubted:,} label issues"
                + (f" (and {explained:,} labels explained, not doubted)" if explained
                   else "")
                + ", most suspicious first (ranked by "
                f"{analysis.report.get('suspicious_ranking', 'score').replace('_', ' ')}): "
                f"{nowhere:,} label{'' if nowhere == 1 else 's'} on no place, {two:,} with two "
                f"labels on one place "
                "(the surest wrong labels, shaded). N: next · H/W/O/M/X: flag the current "
                "place.")
        flags = self._flags()
        self.table.selectionModel().blockSignals(True)
        fill_table(self.table, [self._cells(i, r, flags.get(r.get("place_id"), ""))
                                for i, r in enumerate(self.rows)])
        # the words column shows whole sentences; the numbers' column takes what is left
        self.table.setColumnWidth(COL["issue"], min(self.table.columnWidth(COL["issue"]), 420))
        self.table.selectionModel().blockSignals(False)
        self._show_current(self.state.selection.place_id)

    def _flags(self) -> dict[str, str]:
        conn = self.state.conn
        ids = [r["place_id"] for r in self.rows if r.get("place_id") is not None]
        return flag_texts(conn, ids) if conn is not None and ids else {}

    @staticmethod
    def _cells(i: int, r: dict, flags: str) -> list:
        shade = NO_PLACE if _on_no_place(r) else TWO_LABELS if _two_labels(r) else None
        if _on_no_place(r):
            words = unmatched_words(r.get("unmatched_reason") or "")
            where = item("no place", tooltip=f"matched no place: {words}", background=shade)
        else:
            where = item(r["place_id"])
        label = r.get("label_id")
        words = entry_words(r)
        return [item(str(i + 1), i + 1),
                item(words, tooltip=f"{words}.\n{r['reason']}", background=shade), where,
                item(r["given_label"]), item(r.get("suggested_label") or "–"), item(flags or ""),
                item(r["vehicle_id"]), item("–" if label is None else str(label), label),
                item(r.get("split") or "–"), item(fmt(r["score"]), r["score"]),
                item(fmt(r.get("p_given"), 2)), item(fmt(r.get("p_suggested"), 2)),
                item(r["reason"], tooltip=r["reason"])]

    def refresh_flags(self) -> None:
        if self.state.conn is None or not self.rows:
            return
        flags = self._flags()
        for i, r in enumerate(self.rows):
            self.table.item(i, COL["flags"]).setText(flags.get(r.get("place_id"), ""))
        self.table.resizeColumnToContents(COL["flags"])  # "label→home" whole, not "la…"

    def showEvent(self, event) -> None:
        # a row chosen while the tab was hidden is scrolled into view when it shows
        super().showEvent(event)
        row = self.row_of(self.state.selection.place_id)
        if row is not None:
            self.table.scrollToItem(self.table.item(row, 0))

    # --- the current place -------------------------------------------------------------------
    def place_of_row(self, row: int) -> Optional[str]:
        """The place a row stands for: its own, or where a label on no place was shown."""
        r = self.rows[row]
        return r["place_id"] if r.get("place_id") is not None else (self.shown_at.get(row)
                                                                    or None)

    def row_of(self, place_id: Optional[str]) -> Optional[int]:
        picked_nowhere = 0 <= self.picked < len(self.rows) and _on_no_place(self.rows[self.picked])
        if place_id is None:
            # a label of a vehicle without places: its vehicle is shown, no place is current
            return self.picked if picked_nowhere and self.shown_at.get(self.picked) == "" \
                else None
        if 0 <= self.picked < len(self.rows):
            if _on_no_place(self.rows[self.picked]) and self.picked not in self.shown_at:
                return self.picked  # being shown now: its nearest place is this one
            if self.place_of_row(self.picked) == place_id:
                return self.picked
        for i, r in enumerate(self.rows):
            if r.get("place_id") == place_id:
                return i
        return None

    def tab_shown(self) -> None:
        """Opening the queue's tab is starting to walk it: N goes on down the queue (from the
        current place's row, or the next one after the last shown), whatever list the current
        place was picked from."""
        self.state.walk = QUEUE
        self._show_current(self.state.selection.place_id)

    def current_place(self) -> Optional[str]:
        row = self.table.currentRow()
        return self.place_of_row(row) if 0 <= row < len(self.rows) else None

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
                self.position = self.picked = row
                model.setCurrentIndex(self.table.model().index(row, 0),
                                      QItemSelectionModel.SelectionFlag.ClearAndSelect
                                      | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollToItem(self.table.item(row, 0))
        finally:
            model.blockSignals(False)
        self.table.viewport().update()
        if row is not None:
            self.reason.setText(self._words(row, place_id))
        elif place_id is not None and self.rows:
            nxt = self.position + 1
            if self.state.walk != QUEUE:  # picked in the places table: N walks that table
                after = ("N walks the places table it was picked from; click a row here (or "
                         "open this tab again) to walk the queue.")
            else:
                after = f"N goes on with #{nxt + 1}." if nxt < len(self.rows) else ""
            self.reason.setText(f"The current place {place_id} is not in the queue. {after}")
        else:
            self.reason.setText("")

    def _words(self, row: int, place_id: Optional[str]) -> str:
        r = self.rows[row]
        suggested = r.get("suggested_label") or "–"
        if not _on_no_place(r):
            return f"#{row + 1} {r['place_id']}: {entry_words(r)} (suggested {suggested}). " \
                   f"In numbers: {r['reason']}."
        near = (f" The current place is {place_id}, the vehicle's place nearest to the label "
                "(H/W/O/M/X flag that place)." if place_id else "")
        return (f"#{row + 1} {r['given_label']} label {r.get('label_id')} of {r['vehicle_id']} "
                f"matched no place ({unmatched_words(r.get('unmatched_reason') or '')}): "
                f"{r['reason']}.{near}")

    # --- navigation -------------------------------------------------------------------------
    def select_row(self, row: int) -> bool:
        """Make the queue's ``row`` current: its place, or for a label on no place its
        vehicle with the nearest place."""
        if not 0 <= row < len(self.rows):
            return False
        r = self.rows[row]
        self.picked = row
        self.shown_at.pop(row, None)
        if not _on_no_place(r):
            ok = self.state.select_place(r["place_id"], via=QUEUE)
            self._show_current(self.state.selection.place_id)
            return ok
        near = self.state.select_label_point(r["vehicle_id"], r["lat"], r["lon"], via=QUEUE)
        self.shown_at[row] = near or ""
        self._show_current(self.state.selection.place_id)
        return True

    def select_next(self) -> bool:
        """N: the row after the current one (after the last row shown when the current place
        is not in the queue; the first when none was)."""
        row = self.row_of(self.state.selection.place_id)
        return self.select_row((self.position if row is None else row) + 1)

    def _row_changed(self, current, _previous) -> None:
        if current.isValid() and 0 <= current.row() < len(self.rows):
            self.select_row(current.row())
