"""Duplicates and outliers: cloned device ids, ids carrying two devices, places split in two,
and places / vehicles whose features sit far from the fleet's. A row click shows exactly the
places it means in the browser and makes the first one current (the map follows); "Flag as
bad data" applies the row's suggested flag (the copy's vehicle, the reused id, the smaller
split place, the odd place or vehicle) — one undo step."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from auditor.audit.flags import FlagSpec
from auditor.errors import UserError
from auditor.gui.analyses.common import (
    column,
    fill_table,
    fmt,
    header_tips,
    item,
    read_only_table,
    text_label,
)
from auditor.state.app_state import AppState

HEADERS = ["finding", "ids", "score", "suggested flag", "reason"]
HEADER_TIPS = {
    "finding": "What was found: a cloned device, two devices behind one id, a place split in "
               "two, or a place / vehicle far from the rest of the fleet",
    "ids": "The vehicles or places the finding is about",
    "score": "How strong the finding is (0-1); rows are listed strongest first",
    "suggested flag": "What 'Flag as bad data' flags for this row",
    "reason": "Why, in words and numbers; the selected row's reason is shown in full below",
}
KIND_WORDS = {"cloned_device": "cloned device", "reused_id": "two devices, one id",
              "split_place": "place split in two", "place": "odd place",
              "vehicle": "odd vehicle"}


class DuplicatesView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.analysis = None
        self.rows: list[tuple[str, dict]] = []   # (analysis key, entry)
        self.intro = text_label()
        self.table = read_only_table(HEADERS, "duplicatesTable", sortable=False)
        header_tips(self.table, HEADER_TIPS)
        self.flag = QPushButton("Flag as bad data")
        self.flag.setObjectName("duplicatesFlag")
        self.message = text_label("duplicatesMessage")
        bar = QHBoxLayout()
        bar.addWidget(self.flag)
        bar.addWidget(self.message, 1)
        column(self, self.intro, self.table, bar)
        self.flag.setEnabled(False)
        self.flag.clicked.connect(self.flag_current)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

    def set_analysis(self, analysis) -> None:
        self.analysis = analysis
        r = analysis.report if analysis is not None else {}
        self.rows = [("duplicates", d) for d in r.get("duplicates", [])] + \
            [("outliers", o) for o in r.get("outliers", [])]
        s = r.get("outliers_summary") or {}
        self.intro.setText("" if analysis is None else
                           f"{len(r.get('duplicates', [])):,} duplicate finding(s); "
                           f"{s.get('places_isolated', 0):,} odd places and "
                           f"{s.get('vehicles_isolated', 0):,} odd vehicles (most isolated "
                           "first). Click a row for its places; flag it as bad data to leave "
                           "it out of the export.")
        self.table.selectionModel().blockSignals(True)
        fill_table(self.table, [self._cells(key, e) for key, e in self.rows])
        self.table.selectionModel().blockSignals(False)
        self.flag.setEnabled(False)

    @staticmethod
    def _cells(key: str, e: dict) -> list:
        ids = e["ids"] if key == "duplicates" else [e["id"]]
        flag = e["suggested_flags"][0] if e.get("suggested_flags") else None
        return [item(KIND_WORDS.get(e["kind"], e["kind"])), item(" ".join(ids)),
                item(fmt(e["score"], 2), e["score"]),
                item(f"{flag['target_kind']} {flag['target_id']}" if flag else "–"),
                item(e["reason"], tooltip=e["reason"])]

    def selector(self, row: int) -> tuple:
        key, e = self.rows[row]
        return (e["kind"], *e["ids"]) if key == "duplicates" else (e["kind"], e["id"])

    def select_row(self, row: int) -> list[str]:
        """Show the row's places in the browser (and its first place on the map)."""
        if self.analysis is None or not 0 <= row < len(self.rows):
            return []
        key, e = self.rows[row]
        places = self.analysis.places_of(key, self.selector(row))
        self.flag.setEnabled(bool(e.get("suggested_flags")))
        self.message.setText(e["reason"])  # in full: the table's column cuts it off at 1280
        if places:
            self.state.show_places(places, f"{KIND_WORDS.get(e['kind'], e['kind'])}: "
                                           f"{' '.join(self.selector(row)[1:])}")
            self.state.select_place(places[0])
        return places

    def _row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.select_row(current.row())

    def flag_current(self) -> Optional[int]:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            return None
        _, e = self.rows[row]
        flag = e["suggested_flags"][0]
        try:
            event_id = self.state.flag(FlagSpec(flag["target_kind"], flag["target_id"],
                                                flag["action"], None, e["reason"][:500]))
        except UserError as exc:
            self.message.setText(str(exc))
            return None
        self.message.setText(f"flagged {flag['target_kind']} {flag['target_id']} as bad data "
                             f"(event {event_id}); export leaves it out")
        return event_id
