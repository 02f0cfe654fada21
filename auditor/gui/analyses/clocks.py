"""Clocks: which clock each vehicle's local time follows, and the vehicles whose clock looks
wrong — stamps (or the vehicles file's zone) that disagree with where the vehicle parks, or
trips cut off in time from the rest of the fleet's (a GPS week-number rollover). The same
sentences as `auditor report`'s "Local time"; a row click shows the vehicle's places."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

from auditor.analysis.sections.provenance import clock_findings, clock_sources_text
from auditor.gui.analyses.common import column, fill_table, header_tips, item, read_only_table, text_label
from auditor.state.app_state import AppState

HEADERS = ["finding", "vehicle", "what the data says"]
HEADER_TIPS = {
    "finding": "clock fault?: its stamps (or the vehicles file's zone) disagree with the zone "
               "where it parks; clock shifted?: its trips lie far from the rest of the fleet's "
               "in time; clock off by hours?: a population departs and arrives hours off the "
               "rest of the fleet",
    "vehicle": "The vehicle (or the population); click the row to see its places",
    "what the data says": "Why, in words; the selected row's text is shown in full below",
}


class ClocksView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.analysis = None
        self.rows: list[dict] = []
        self.intro = text_label()
        self.table = read_only_table(HEADERS, "clocksTable", sortable=False)
        header_tips(self.table, HEADER_TIPS)
        self.message = text_label("clocksMessage")
        column(self, self.intro, self.table, self.message)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

    def set_analysis(self, analysis) -> None:
        self.analysis = analysis
        r = analysis.report if analysis is not None else {}
        self.rows = clock_findings(r)
        self.intro.setText("" if analysis is None else
                           clock_sources_text(r) + ". " +
                           (f"{len(self.rows)} finding(s) below; click one for the places it is "
                            "about." if self.rows else
                            "Every vehicle's clock agrees with where it parks, no "
                            "vehicle's trips are cut off in time from the fleet's, and no "
                            "population's day runs hours off the rest's."))
        self.message.setText("")
        self.table.selectionModel().blockSignals(True)
        fill_table(self.table, [[item(f["kind"]), item(f["vehicle_id"]),
                                 item(f["text"], tooltip=f["text"])] for f in self.rows])
        self.table.selectionModel().blockSignals(False)

    def select_row(self, row: int) -> list[str]:
        """Show the row's vehicle's places in the browser (its first one on the map)."""
        if self.analysis is None or not 0 <= row < len(self.rows):
            return []
        f = self.rows[row]
        self.message.setText(f"{f['kind']} {f['vehicle_id']}: {f['text']}")
        places = self.analysis.places_of("local_time", ("clock", f["vehicle_id"]))
        if places:
            self.state.show_places(places, f"{f['kind']} {f['vehicle_id']}")
            self.state.select_place(places[0])
        return places

    def _row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.select_row(current.row())
