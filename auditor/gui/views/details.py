"""The right pane: what the current place (or trip) is, the evidence about its label, and the
flags an analyst can put on it. A button asks the main window to flag (the same path as the
H / W / O / M / X keys); evidence is computed off the GUI thread."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.analysis.words import feature_words
from auditor.gui.text import tip
from auditor.gui.views.speed import SpeedChart
from auditor.gui.workers import Latest
from auditor.state.app_state import AppState, Selection
from auditor.state.decision import decision_words
from auditor.store.lookups import (
    place_detail,
    place_feature_values,
    place_flags,
    place_label_now,
    trip_summary,
)

LABEL_KEYS = ("home", "work", "other")


def review_words(f: dict) -> str:
    """' · rejected by bob — “night stays say home”' — a second analyst's decision on a flag
    ('' while none: pending)."""
    if f.get("review") in (None, "pending"):
        return ""
    decision = (f"amended to {f['amended_value']}" if f["review"] == "amended"
                else f["review"])
    note = f" — “{f['review_note']}”" if (f.get("review_note") or "").strip() else ""
    return f" · {decision} by {f['reviewer']}{note}"


def _flag_time(created_at: str) -> str:
    """A flag's time (stored in UTC) in the analyst's own clock, the zone named."""
    try:
        when = datetime.fromisoformat(str(created_at).replace("Z", "+00:00"))
    except ValueError:
        return str(created_at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone().strftime("%Y-%m-%d %H:%M %Z")


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 999.5 else f"{value:,.0f}"
    return str(value)


def _feature_text(name: str, value) -> str:
    """A feature's value as the table shows it: coordinates to 5 decimals (about a metre);
    three significant digits made lon -179.969 read as -180 and 11.5753 as 11.6."""
    if name in ("lat", "lon") and isinstance(value, float):
        return f"{value:.5f}"
    return _fmt(value)


EVIDENCE_DELAY_MS = 150  # holding N down skips the places it passes


def _evidence_of(path, place_id: str) -> list[str]:
    """Runs on a worker thread: its own connection (sqlite3 connections stay on one thread)."""
    from auditor.analysis.evidence import evidence_for_place
    from auditor.store import open_project
    conn = open_project(path, create=False, readonly=True)  # a reader: query_only
    try:
        return evidence_for_place(conn, place_id)
    finally:
        conn.close()


class FlagPanel(QWidget):
    placeFlagRequested = Signal(str, object)  # action, new value (None but for label_wrong)
    tripFlagRequested = Signal()

    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("flagPanel")
        self.place_id: Optional[str] = None
        self.given: Optional[str] = None
        self.trip_id: Optional[str] = None
        self.evidence_worker = Latest(self)
        self._evidence_timer = QTimer(self)
        self._evidence_timer.setSingleShot(True)
        self._evidence_timer.setInterval(EVIDENCE_DELAY_MS)
        self._evidence_timer.timeout.connect(self._start_evidence)

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
            b.clicked.connect(lambda _=False, v=key: self.placeFlagRequested.emit("label_wrong", v))
            self.buttons[f"label_{key}"] = b
            row.addWidget(b)
        pl.addLayout(row)
        for text, action, key in (("Model is wrong — hard example (M)", "model_wrong", "model"),
                                  ("Bad data — exclude (X)", "bad_data", "bad")):
            b = QPushButton(text)
            b.setObjectName(f"flag_{key}")
            b.clicked.connect(lambda _=False, a=action: self.placeFlagRequested.emit(a, None))
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
        self.trip_bad.clicked.connect(self.tripFlagRequested)
        self.speed = SpeedChart()
        tl.addWidget(self.trip_label)
        tl.addWidget(self.speed)
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
        state.project_changed.connect(self._project_changed)
        state.selection_changed.connect(self._selection_changed)
        state.flags_changed.connect(lambda spec, op: self.refresh_flags())
        state.analysis_changed.connect(self._analysis_changed)

    # --- following the state -------------------------------------------------------------
    def _project_changed(self, project) -> None:
        self.evidence_worker.cancel()
        self.suspicions = {}
        self.show_place(None)
        self.show_trip(None)

    def _selection_changed(self, new: Selection, old: Selection) -> None:
        if new.place_id != old.place_id:
            self.show_place(new.place_id)
        if new.trip_id != old.trip_id:
            self.show_trip(new.trip_id)

    def _analysis_changed(self, analysis) -> None:
        from auditor.analysis.issue_words import entry_words
        self.set_suspicions({} if analysis is None else
                            # the first (most suspicious) entry on each place, words then
                            # numbers; a label on no place has none
                            {r["place_id"]: f"{entry_words(r)}\x00{r['reason']}"
                             for r in reversed(analysis.report["suspicious"])
                             if r.get("place_id") is not None})

    def _update_enabled(self) -> None:
        self.place_box.setEnabled(self.place_id is not None)
        self.trip_bad.setEnabled(self.trip_id is not None)

    def _clear_details(self) -> None:
        while self.details.rowCount():
            self.details.removeRow(0)

    def show_place(self, place_id: Optional[str]) -> None:
        self.place_id = place_id
        self.given = None
        self._evidence_timer.stop()
        self.evidence_worker.cancel()
        self._clear_details()
        self.features.setRowCount(0)
        self.flags_label.setText("")
        self.evidence.setText("")
        self.evidence_box.hide()
        conn = self.state.conn
        if place_id is None or conn is None:
            self.heading.setText("Select a place in the table, on the map or in the timeline.")
            self._update_enabled()
            return
        d = place_detail(conn, place_id, self.state.run_id)
        if d is None:
            self.heading.setText(f"Place {place_id} is not in this project (re-run inference?)")
            self.place_id = None
            self._update_enabled()
            return
        vehicle, lat, lon, n_stops, split, given, predicted, ph, pw, po = d.values()
        self.given = given
        self.heading.setText(f"Place {place_id} of vehicle {vehicle}")
        self.heading.setToolTip(tip(f"Centre {lat:.5f}, {lon:.5f}"))
        probs = {"home": ph, "work": pw, "other": po}
        sure = probs.get(predicted)
        why = decision_words(conn, self.state.run_id, vehicle, place_id, predicted, probs)
        rows = (("Given label", given or "— (unlabelled)",
                 "The label this place was given (labels.csv), or none"),
                ("Predicted", "—" if predicted is None else
                 f"{predicted}" + (f" ({100 * sure:.0f} % sure)" if sure is not None else "")
                 + (f" — {why}" if why else ""),
                 "p(home / work / other) = " + " / ".join(_fmt(p) for p in (ph, pw, po))),
                ("Seen", f"{n_stops} stops · {split or 'no'} split",
                 "Stops at the place; whether the model trained on it (train), was scored on "
                 "it (validation) or it has no label (unlabelled)"))
        for name, value, why in rows:
            label = QLabel(_fmt(value))
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
            label.setToolTip(tip(why))
            head = QLabel(name)
            head.setToolTip(tip(why))
            self.details.addRow(head, label)
        # the evidence checks read the vehicle's stops (~100 ms): on a worker thread, a moment
        # later, and only if the place is still the one shown
        self._evidence_timer.start()
        self._show_features(place_id)
        self.refresh_flags()
        self._update_enabled()

    def set_suspicions(self, reasons: dict[str, str]) -> None:
        """place_id -> reason from the analysis report; the evidence of the place again."""
        self.suspicions = dict(reasons)
        if self.place_id is not None and self.state.conn is not None:
            self._evidence_timer.start()

    def _start_evidence(self) -> None:
        place_id, project = self.place_id, self.state.project
        if place_id is None or project is None:
            return
        self.evidence_worker.submit(
            "Checking the label's evidence", lambda progress: _evidence_of(project.path, place_id),
            lambda sentences: self.place_id == place_id and self._show_evidence(place_id,
                                                                                sentences),
            on_error=lambda exc, tb: self._evidence_failed(place_id, exc), parent=self)

    def _evidence_failed(self, place_id: str, exc: BaseException) -> None:
        import logging
        logging.getLogger("auditor.gui").error("evidence of %s failed", place_id, exc_info=exc)
        if self.place_id == place_id:
            self.evidence.setText(f"The evidence checks failed ({type(exc).__name__}); see the log.")
            self.evidence_box.show()

    def _show_evidence(self, place_id: str, sentences: list[str]) -> None:
        given = self.given
        lines = [f"• {s}" for s in sentences]
        reason = self.suspicions.get(place_id)
        numbers = ""
        if reason:
            words, _, numbers = reason.partition("\x00")
            lines.append(f"• Suspicious label: {words}.")
        if not lines:
            if given in ("home", "work"):
                lines.append(f"No check speaks against the {given} label (night stays for home, "
                             "weekday visits for work, distance to the vehicle's stops, home "
                             "and work apart).")
            else:
                self.evidence_box.hide()
                return
        self.evidence.setText("\n".join(lines))
        self.evidence.setToolTip(tip(f"In numbers: {numbers}") if numbers else "")
        self.evidence_box.show()

    def _show_features(self, place_id: str) -> None:
        items = place_feature_values(self.state.conn, place_id)
        self.features.setRowCount(len(items))
        for i, (name, value) in enumerate(items):
            label = QTableWidgetItem(feature_words(name))
            label.setToolTip(tip(name))
            self.features.setItem(i, 0, label)
            self.features.setItem(i, 1, QTableWidgetItem(_feature_text(name, value)))

    def refresh_flags(self) -> None:
        if self.state.conn is None or self.place_id is None:
            self.flags_label.setText("")
            return
        self._update_label_buttons()
        mine = place_flags(self.state.conn, self.place_id)
        if not mine:
            self.flags_label.setText("No flags in force on this place.")
            return
        lines = []
        for f in mine:
            what = f"label → {f['new_value']}" if f["action"] == "label_wrong" else \
                f["action"].replace("_", " ")
            note = f" — “{f['note']}”" if (f["note"] or "").strip() else ""
            lines.append(f"• {what} (by {f['analyst']}, {_flag_time(f['created_at'])}){note}"
                         + review_words(f))
        self.flags_label.setText("Flags in force:\n" + "\n".join(lines))

    def _update_label_buttons(self) -> None:
        """The button of the label the place has now is off, saying why: flagging it would
        change nothing (the core refuses it too, and H / W / O say so)."""
        label, source = (None, "none") if self.place_id is None or self.state.conn is None \
            else place_label_now(self.state.conn, self.place_id)
        current = label or "other"  # an unlabelled place counts as other
        for key in LABEL_KEYS:
            b = self.buttons[f"label_{key}"]
            same = self.place_id is not None and key == current
            b.setEnabled(not same)
            b.setToolTip(
                (f"Already {key}: " + ("an analyst's correction says so" if source == "flag"
                                       else "the given label" if source == "given"
                                       else "an unlabelled place counts as other")
                 + " — nothing to change") if same else
                f"Flag: the given label is wrong, this place is {key}")

    def show_trip(self, trip_id: Optional[str]) -> None:
        self.trip_id = trip_id
        conn = self.state.conn
        if trip_id is None or conn is None:
            self.trip_label.setText("No trip selected (click one on the map or the timeline).")
            self.speed.clear()
        else:
            t = trip_summary(conn, trip_id)
            if t is None:
                self.trip_id = None
                self.trip_label.setText(f"Trip {trip_id} is not in this project.")
                self.speed.clear()
            else:
                from auditor.maps.clock import span_text
                when = span_text(conn, t["vehicle_id"], t["start_ts"], t["end_ts"])
                self.trip_label.setText(
                    f"Trip {trip_id}\n{when}\n"
                    f"{t['n_pings']} pings, {t['distance_m'] / 1000:.1f} km, "
                    f"{(t['end_ts'] - t['start_ts']) / 60:.0f} min")
                self.speed.show_trip(conn, trip_id)
        self._update_enabled()

    # --- requests ------------------------------------------------------------------------------
    def note_text(self) -> Optional[str]:
        text = self.note.text().strip()
        return text or None

    def clear_note(self) -> None:
        self.note.clear()
