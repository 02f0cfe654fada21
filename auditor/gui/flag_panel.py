"""The right pane: what the selected place (or trip) is, and the flags an analyst can put on it.
Every button emits a FlagSpec; the main window sends it through the undo stack."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from auditor.audit.flags import FlagSpec, active_flags
from auditor.store.queries import table_exists


def _utc(ts) -> str:
    return datetime.fromtimestamp(int(ts), tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


EVIDENCE_DELAY_MS = 250


class FlagPanel(QWidget):
    flagRequested = Signal(object)  # FlagSpec

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("flagPanel")
        self.conn: Optional[sqlite3.Connection] = None
        self.run_id: Optional[int] = None
        self.place_id: Optional[str] = None
        self.trip_id: Optional[str] = None

        self.heading = QLabel("Select a place in the table, on the map or in the timeline.")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setObjectName("flagHeading")
        self.details = QFormLayout()
        self.detail_box = QGroupBox("Place")
        self.detail_box.setLayout(self.details)
        # evidence checks on the place's given labels, in words (auditor.analysis.evidence)
        self.evidence = QLabel()
        self.evidence.setObjectName("placeEvidence")
        self.evidence.setWordWrap(True)
        self.evidence.setTextFormat(Qt.TextFormat.PlainText)
        self.evidence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.evidence_box = QGroupBox("Evidence about the label")
        QVBoxLayout(self.evidence_box).addWidget(self.evidence)
        self.suspicions: dict[str, str] = {}  # place_id -> why the analysis finds it suspicious
        self.features = QTableWidget(0, 2)
        self.features.setObjectName("placeFeatures")
        self.features.setHorizontalHeaderLabels(["feature", "value"])
        self.features.verticalHeader().hide()
        self.features.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.features.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.features.setMinimumHeight(90)  # the panel scrolls rather than clip at 1280x800

        self.note = QLineEdit()
        self.note.setObjectName("flagNote")
        self.note.setPlaceholderText("Optional note (why)")
        self.buttons: dict[str, QPushButton] = {}
        place_box = QGroupBox("Flag this place")
        pl = QVBoxLayout(place_box)
        prompt = QLabel("Given label is wrong — the correct label is:")
        prompt.setWordWrap(True)
        pl.addWidget(prompt)
        row = QHBoxLayout()
        for label, key in (("Home (H)", "home"), ("Work (W)", "work"), ("Other (O)", "other")):
            b = QPushButton(label)
            b.setObjectName(f"flag_label_{key}")
            b.clicked.connect(lambda _=False, v=key: self._place_flag("label_wrong", v))
            self.buttons[f"label_{key}"] = b
            row.addWidget(b)
        pl.addLayout(row)
        for text, action, key in (("Model is wrong — hard example (M)", "model_wrong", "model"),
                                  ("Bad data — exclude (X)", "bad_data", "bad")):
            b = QPushButton(text)
            b.setObjectName(f"flag_{key}")
            b.clicked.connect(lambda _=False, a=action: self._place_flag(a, None))
            self.buttons[key] = b
            pl.addWidget(b)
        pl.addWidget(self.note)
        self.place_box = place_box

        trip_box = QGroupBox("Selected trip")
        tl = QVBoxLayout(trip_box)
        self.trip_label = QLabel("No trip selected (click one on the map or the timeline).")
        self.trip_label.setWordWrap(True)
        self.trip_label.setTextFormat(Qt.TextFormat.PlainText)
        self.trip_bad = QPushButton("Bad data — exclude this trip's pings")
        self.trip_bad.setObjectName("flag_trip_bad")
        self.trip_bad.clicked.connect(self._trip_flag)
        tl.addWidget(self.trip_label)
        tl.addWidget(self.trip_bad)
        self.trip_box = trip_box

        self.flags_label = QLabel()
        self.flags_label.setObjectName("flagState")
        self.flags_label.setWordWrap(True)
        self.flags_label.setTextFormat(Qt.TextFormat.PlainText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.detail_box)
        layout.addWidget(self.evidence_box)
        layout.addWidget(self.flags_label)
        layout.addWidget(place_box)
        layout.addWidget(trip_box)
        layout.addWidget(self.features, 1)
        self._update_enabled()

    # --- content -----------------------------------------------------------------------------
    def set_connection(self, conn: Optional[sqlite3.Connection], run_id: Optional[int]) -> None:
        self.conn, self.run_id = conn, run_id
        self.show_place(None)
        self.show_trip(None)

    def _update_enabled(self) -> None:
        self.place_box.setEnabled(self.place_id is not None)
        self.trip_bad.setEnabled(self.trip_id is not None)

    def _clear_details(self) -> None:
        while self.details.rowCount():
            self.details.removeRow(0)

    def show_place(self, place_id: Optional[str]) -> None:
        self.place_id = place_id
        self._clear_details()
        self.features.setRowCount(0)
        self.flags_label.setText("")
        self.evidence.setText("")
        self.evidence_box.hide()
        if place_id is None or self.conn is None:
            self.heading.setText("Select a place in the table, on the map or in the timeline.")
            self._update_enabled()
            return
        row = self.conn.execute(
            "SELECT pl.vehicle_id, pl.lat, pl.lon, pl.n_stops, pr.split, pr.given_label, "
            "pr.predicted_label, pr.p_home, pr.p_work, pr.p_other FROM places pl "
            "LEFT JOIN predictions pr ON pr.place_id = pl.place_id AND pr.run_id = ? "
            "WHERE pl.place_id = ?", (self.run_id, place_id)).fetchone()
        if row is None:
            self.heading.setText(f"Place {place_id} is not in this project (re-run inference?)")
            self.place_id = None
            self._update_enabled()
            return
        vehicle, lat, lon, n_stops, split, given, predicted, ph, pw, po = row
        self.heading.setText(f"Place {place_id} of vehicle {vehicle}")
        for name, value in (("Given label", given or "— (unlabelled)"),
                            ("Predicted", predicted), ("p(home / work / other)",
                            " / ".join(_fmt(p) for p in (ph, pw, po))),
                            ("Split", split), ("Stops", n_stops),
                            ("Centre", f"{lat:.5f}, {lon:.5f}")):
            label = QLabel(_fmt(value))
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            self.details.addRow(name, label)
        # the evidence checks read the vehicle's stops (~100 ms of this thread): a moment later,
        # so the map page (which answers through this thread's event loop) and the timeline
        # draw first, and only if the place is still the one shown (N held down skips them)
        QTimer.singleShot(EVIDENCE_DELAY_MS, lambda: self.place_id == place_id and
                          self._show_evidence(place_id, given))
        self._show_features(place_id)
        self.refresh_flags()
        self._update_enabled()

    def set_suspicions(self, reasons: dict[str, str]) -> None:
        """place_id -> reason from the analysis report; redraws the evidence of the place."""
        self.suspicions = dict(reasons)
        if self.place_id is not None and self.conn is not None:
            given = self.conn.execute("SELECT given_label FROM predictions WHERE run_id = ? AND "
                                      "place_id = ?", (self.run_id, self.place_id)).fetchone()
            self._show_evidence(self.place_id, given[0] if given else None)

    def _show_evidence(self, place_id: str, given: Optional[str]) -> None:
        from auditor.analysis.evidence import evidence_for_place
        lines = [f"• {s}" for s in evidence_for_place(self.conn, place_id)]
        reason = self.suspicions.get(place_id)
        if reason:
            lines.append(f"• Suspicious label: {reason}.")
        if not lines:
            if given in ("home", "work"):
                lines.append(f"No check speaks against the {given} label (night stays for home, "
                             "weekday visits for work, distance to the vehicle's stops, home "
                             "and work apart).")
            else:
                self.evidence_box.hide()
                return
        self.evidence.setText("\n".join(lines))
        self.evidence_box.show()

    def _show_features(self, place_id: str) -> None:
        if not table_exists(self.conn, "place_features"):
            return
        cur = self.conn.execute("SELECT * FROM place_features WHERE place_id = ?", (place_id,))
        values = cur.fetchone()
        if values is None:
            return
        items = [(d[0], v) for d, v in zip(cur.description, values)
                 if d[0] not in ("place_id", "vehicle_id")]
        self.features.setRowCount(len(items))
        for i, (name, value) in enumerate(items):
            self.features.setItem(i, 0, QTableWidgetItem(name))
            self.features.setItem(i, 1, QTableWidgetItem(_fmt(value)))

    def refresh_flags(self) -> None:
        if self.conn is None or self.place_id is None:
            self.flags_label.setText("")
            return
        flags = active_flags(self.conn)
        mine = flags[(flags["target_kind"] == "place") & (flags["target_id"] == self.place_id)]
        if mine.empty:
            self.flags_label.setText("No flags in force on this place.")
            return
        lines = []
        for _, f in mine.iterrows():
            what = f"label → {f['new_value']}" if f["action"] == "label_wrong" else \
                f["action"].replace("_", " ")
            note = f" — “{f['note']}”" if f["note"] else ""
            lines.append(f"• {what} (by {f['analyst']}, {f['created_at']}){note}")
        self.flags_label.setText("Flags in force:\n" + "\n".join(lines))

    def show_trip(self, trip_id: Optional[str]) -> None:
        self.trip_id = trip_id
        if trip_id is None or self.conn is None:
            self.trip_label.setText("No trip selected (click one on the map or the timeline).")
        else:
            row = self.conn.execute("SELECT start_ts, end_ts, n_pings, distance_m FROM trips "
                                    "WHERE trip_id = ?", (trip_id,)).fetchone()
            if row is None:
                self.trip_id = None
                self.trip_label.setText(f"Trip {trip_id} is not in this project.")
            else:
                self.trip_label.setText(
                    f"Trip {trip_id}\n{_utc(row[0])} → {_utc(row[1])}\n"
                    f"{row[2]} pings, {row[3] / 1000:.1f} km")
        self._update_enabled()

    # --- requests ------------------------------------------------------------------------------
    def _note(self) -> Optional[str]:
        text = self.note.text().strip()
        return text or None

    def _place_flag(self, action: str, value: Optional[str]) -> None:
        self.request_place_flag(action, value)

    def request_place_flag(self, action: str, value: Optional[str] = None) -> bool:
        if self.place_id is None:
            return False
        self.flagRequested.emit(FlagSpec("place", self.place_id, action, value, self._note()))
        return True

    def _trip_flag(self) -> None:
        self.request_trip_flag()

    def request_trip_flag(self) -> bool:
        if self.trip_id is None:
            return False
        # add_flag stores a trip as the ping range it covers (survives re-inference)
        self.flagRequested.emit(FlagSpec("trip", self.trip_id, "bad_data", None, self._note()))
        return True

    def clear_note(self) -> None:
        self.note.clear()
