"""Orphaned flags: place flags that point at no place since the last infer (their stops split
over several places, or nothing is left where they were; auditor.audit.anchors says why). Each
is listed with what it says, who made it, where it was and why it lost its place. Picking one
shows its vehicle with the likeliest place current; the analyst re-attaches it to the current
place (click any place on the map first) or to one of the listed candidates, or revokes it.
Both are one undo step (Edit ▸ Undo; AppState.reattach_flag / revoke_flag), and export refuses
while any orphan is left. The list is read from the log, so it follows every flag at once."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from auditor.errors import UserError
from auditor.gui.analyses.common import fill_table, fmt, header_tips, item, read_only_table, text_label
from auditor.state.app_state import AppState, Selection

HEADERS = ["flag", "analyst", "says", "was on", "vehicle", "stops", "why"]
CANDIDATE_HEADERS = ["place", "stops it holds", "from the flag's centre"]
HEADER_TIPS = {
    "flag": "The flag's number in the log (flags --json shows it whole).",
    "analyst": "Who made the flag.",
    "says": "What the flag says: the corrected label, or that the model or the data is wrong "
            "(hover: the analyst's note).",
    "was on": "The place id the flag was made on, as it was then.",
    "vehicle": "The vehicle whose stops the flag was anchored to.",
    "stops": "The days (UTC) of the stops the flag was anchored to.",
    "why": "Why the flag lost its place: its stops split over several places, or no place is "
           "left where they were.",
    "place": "A place of the flag's vehicle it could be re-attached to.",
    "stops it holds": "How many of the flag's stops now lie in this place.",
    "from the flag's centre": "How far this place is from the centre of the flag's stops.",
}


def _says(f: dict) -> str:
    return f"label → {f['new_value']}" if f["action"] == "label_wrong" else \
        f["action"].replace("_", " ")


def _span(f: dict) -> str:
    a, b = f.get("anchor_first_ts"), f.get("anchor_last_ts")
    if a is None or b is None:
        return "–"
    day = [datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%d") for t in (a, b)]
    return day[0] if day[0] == day[1] else f"{day[0]} – {day[1]}"


class OrphanedFlagsView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.flags: list[dict] = []
        self.candidates: list[dict] = []
        self.headline = text_label("orphansHeadline")
        self.table = read_only_table(HEADERS, "orphanedFlags", sortable=False)
        self.places = read_only_table(CANDIDATE_HEADERS, "orphanCandidates", sortable=False)
        header_tips(self.table, HEADER_TIPS)
        header_tips(self.places, HEADER_TIPS)
        self.places.setMaximumHeight(130)
        self.note = QLineEdit()
        self.note.setObjectName("orphanNote")
        self.note.setPlaceholderText("note (why; kept with the re-attachment or revocation)")
        self.to_current = QPushButton("Re-attach to the current place")
        self.to_current.setObjectName("orphanReattachCurrent")
        self.to_candidate = QPushButton("Re-attach to the chosen candidate")
        self.to_candidate.setObjectName("orphanReattachCandidate")
        self.revoke = QPushButton("Revoke")
        self.revoke.setObjectName("orphanRevoke")
        self.message = text_label("orphansMessage")
        buttons = QHBoxLayout()
        for b in (self.to_current, self.to_candidate, self.revoke):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.headline)
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("Places it could go to (its vehicle's; those holding its stops "
                                "first):"))
        layout.addWidget(self.places)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._picked())
        self.places.selectionModel().currentRowChanged.connect(lambda cur, _p: self._buttons())
        self.to_current.clicked.connect(self.reattach_to_current)
        self.to_candidate.clicked.connect(self.reattach_to_candidate)
        self.revoke.clicked.connect(self.revoke_current)
        state.flags_changed.connect(lambda spec, op: self.refresh())
        state.project_changed.connect(lambda project: self.refresh())
        state.selection_changed.connect(self._selection_changed)

    def set_analysis(self, analysis) -> None:
        self.refresh()

    # --- the list ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the orphans again (after any flag, undo, infer or project change), keeping the
        same flag picked when it is still an orphan."""
        keep = self.current_flag()
        try:
            self.flags = self.state.orphaned_flags()
        except UserError as exc:
            self.flags = []
            self.message.setText(str(exc))
        n = len(self.flags)
        self.headline.setText(
            "No orphaned flags: every place flag points at a place." if not n else
            f"{n:,} place flag{' points' if n == 1 else 's point'} at no place since the last "
            "infer "
            "(never applied; export refuses until each is re-attached or revoked). Pick one, "
            "click the place it belongs to on the map (or choose a candidate), then re-attach "
            "— or revoke it.")
        self.table.selectionModel().blockSignals(True)
        fill_table(self.table, [[
            item(str(f["event_id"]), f["event_id"]), item(f["analyst"] or ""),
            item(_says(f), tooltip=f.get("note") or None), item(f["flagged_target_id"] or "–"),
            item(f.get("anchor_vehicle_id") or "–"), item(_span(f)),
            item(f.get("detail") or f.get("how") or "", tooltip=f.get("detail"))]
            for f in self.flags])
        self.table.selectionModel().blockSignals(False)
        ids = [f["event_id"] for f in self.flags]
        row = ids.index(keep) if keep in ids else (0 if ids else -1)
        # picking a row moves the map (_picked); a refresh must not
        self.table.selectionModel().blockSignals(True)
        self.table.setCurrentCell(row, 0 if row >= 0 else -1)
        self.table.selectionModel().blockSignals(False)
        self.table.viewport().update()
        self._show_candidates()
        self._buttons()

    def current_flag(self) -> Optional[int]:
        row = self.table.currentRow()
        return int(self.flags[row]["event_id"]) if 0 <= row < len(self.flags) else None

    def _current(self) -> Optional[dict]:
        row = self.table.currentRow()
        return self.flags[row] if 0 <= row < len(self.flags) else None

    def _show_candidates(self) -> None:
        f = self._current()
        self.candidates = [] if f is None else self.state.reattach_candidates(f["event_id"])
        self.places.selectionModel().blockSignals(True)
        fill_table(self.places, [[item(c["place_id"]), item(fmt(c["stops_held"]), c["stops_held"]),
                                  item(f"{c['distance_m']:,.0f} m", c["distance_m"])]
                                 for c in self.candidates])
        self.places.selectionModel().blockSignals(False)
        if self.candidates:
            self.places.setCurrentCell(0, 0)

    def _picked(self) -> None:
        """A flag picked: its candidates, and its vehicle on the map with the likeliest place
        current (the analyst may click another)."""
        self._show_candidates()
        f = self._current()
        if f is not None and self.candidates:
            self.state.select_place(self.candidates[0]["place_id"], whole_vehicle=True)
        elif f is not None and f.get("anchor_vehicle_id"):
            try:
                self.state.select_vehicle(f["anchor_vehicle_id"])
            except UserError as exc:
                self.message.setText(str(exc))
        self._buttons()

    def _selection_changed(self, new: Selection, old: Selection) -> None:
        if new.place_id != old.place_id:
            self._buttons()

    def _buttons(self) -> None:
        f = self._current()
        place = self.state.selection.place_id
        self.to_current.setEnabled(f is not None and place is not None)
        self.to_current.setText(f"Re-attach to the current place {place}" if place else
                                "Re-attach to the current place")
        row = self.places.currentRow()
        self.to_candidate.setEnabled(f is not None and 0 <= row < len(self.candidates))
        self.revoke.setEnabled(f is not None)

    # --- settling one ------------------------------------------------------------------------
    def reattach_to_current(self) -> Optional[int]:
        return self._reattach(self.state.selection.place_id)

    def reattach_to_candidate(self) -> Optional[int]:
        row = self.places.currentRow()
        return self._reattach(self.candidates[row]["place_id"]
                              if 0 <= row < len(self.candidates) else None)

    def _reattach(self, place_id: Optional[str]) -> Optional[int]:
        flag = self.current_flag()
        if flag is None or place_id is None:
            return None
        try:
            new_id = self.state.reattach_flag(flag, place_id, self.note.text() or None)
        except UserError as exc:
            self.message.setText(str(exc))
            return None
        self.note.clear()
        self.message.setText(f"flag {flag} now points at {place_id} (event {new_id}); "
                             "Edit ▸ Undo takes it back")
        return new_id

    def revoke_current(self) -> Optional[int]:
        flag = self.current_flag()
        if flag is None:
            return None
        try:
            rid = self.state.revoke_flag(flag, self.note.text() or None)
        except UserError as exc:
            self.message.setText(str(exc))
            return None
        self.note.clear()
        self.message.setText(f"revoked flag {flag} (event {rid}); Edit ▸ Undo brings it back")
        return rid
