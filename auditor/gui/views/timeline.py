"""The bottom pane: the "where is it at 2 AM" raster (days x 10-minute bins) of the current
vehicle, and the speed of the current trip. Clicking a cell makes its place or trip current.

pyqtgraph is imported, and the plots built, when there is first something to draw, after the
window's first paint (auditor.gui.first_paint): a cold start shows the window without it."""
from __future__ import annotations

import html
import logging
import sqlite3
from typing import Optional

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from auditor.gui.first_paint import after_first_paint, window_painted
from auditor.maps.timeline import (
    CATEGORY_COLOURS,
    CATEGORY_NAMES,
    VehicleTimeline,
    trip_speed,
    vehicle_timeline,
)
from auditor.state.app_state import AppState, Selection

log = logging.getLogger("auditor.gui.timeline")
_PALETTE = np.array([[*QColor(c).getRgb()] for c in CATEGORY_COLOURS], dtype=np.uint8)


def legend_html() -> str:
    parts = [f"<span style='color:{c}'>&#9632;</span>&nbsp;{html.escape(n)}"
             for n, c in zip(CATEGORY_NAMES, CATEGORY_COLOURS)]
    return " &nbsp; ".join(parts)  # breakable between entries: the legend may wrap


class TimelineView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("timeline")
        self.timeline: Optional[VehicleTimeline] = None
        self.trip_id: Optional[str] = None
        self.title = QLabel("No vehicle selected")
        self.title.setObjectName("timelineTitle")
        self.legend = QLabel(legend_html())
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        # wraps rather than forcing the centre column (and the window) wider at 1280 px
        self.legend.setWordWrap(True)
        self.legend.setMinimumWidth(160)
        # long titles must not force the centre column wider than the splitter gave it
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(120)
        self.graphics = None  # pyqtgraph plots, built by _build_plots
        self.pending = 0      # draws waiting for the window's first paint
        self._vehicle_token = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        head = QWidget()
        hl = QHBoxLayout(head)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.title, 1)
        hl.addWidget(self.legend)
        layout.addWidget(head)
        self.clear()
        state.project_changed.connect(lambda project: self.clear())
        state.selection_changed.connect(self._selection_changed)

    def _selection_changed(self, new: Selection, old: Selection) -> None:
        conn, run_id = self.state.conn, self.state.run_id
        try:
            if new.vehicle_id != old.vehicle_id:
                if new.vehicle_id is None:
                    self.clear()
                    return
                self.show_vehicle(conn, new.vehicle_id, run_id)
            if new.trip_id != old.trip_id or new.vehicle_id != old.vehicle_id:
                self.show_trip(conn, new.trip_id)
        except Exception as exc:  # the other views still follow the selection; details in the log
            log.exception("drawing the timeline of %s", new.vehicle_id)
            self.title.setText(f"Cannot draw vehicle {new.vehicle_id}: {type(exc).__name__}")

    def _build_plots(self) -> None:
        if self.graphics is not None:
            return
        import pyqtgraph as pg
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.raster_plot = self.graphics.addPlot(row=0, col=0)
        self.speed_plot = self.graphics.addPlot(row=1, col=0)
        # the raster is the main picture: it takes most of the height, days must stay readable
        self.speed_plot.setMaximumHeight(90)
        self.graphics.ci.layout.setRowStretchFactor(0, 4)
        self.graphics.ci.layout.setRowStretchFactor(1, 1)
        self.graphics.setMinimumHeight(230)

        rp = self.raster_plot
        rp.setMenuEnabled(False)
        rp.hideButtons()
        rp.invertY(True)
        rp.setMouseEnabled(x=False, y=False)
        rp.setLabel("bottom", "local time (h)")
        rp.getAxis("bottom").setTicks([[(h, f"{h:02d}") for h in range(0, 25, 2)]])
        self.image = pg.ImageItem(axisOrder="row-major")
        rp.addItem(self.image)
        rp.scene().sigMouseClicked.connect(self._clicked)

        sp = self.speed_plot
        sp.setMenuEnabled(False)
        sp.setLabel("left", "km/h")
        sp.setLabel("bottom", "minutes into the trip")
        self.speed_curve = pg.PlotDataItem(pen=pg.mkPen("#7b3f99", width=1.5))
        self.speed_curve.setDownsampling(auto=True, method="peak")
        self.speed_curve.setClipToView(True)
        sp.addItem(self.speed_curve)

        self.layout().addWidget(self.graphics, 1)

    def _when_painted(self, fn) -> None:
        """Draw now once the window has painted, else right after its first paint."""
        if window_painted(self):
            self._build_plots()
            fn()  # errors reach the caller (a dialog in the main window)
            return
        self.pending += 1

        def later() -> None:
            try:
                self._build_plots()
                fn()
            except Exception:  # nobody to raise to (the project may have closed meanwhile)
                log.exception("drawing the timeline")
            finally:
                self.pending -= 1
        after_first_paint(self, later)

    def clear(self) -> None:
        self._vehicle_token += 1  # a draw still waiting is for a vehicle no longer shown
        self.timeline = None
        self.title.setText("No vehicle selected")
        self.trip_id = None
        if self.graphics is not None:
            self.image.clear()
            self._draw_trip(None, None)

    def show_vehicle(self, conn: sqlite3.Connection, vehicle_id: str, run_id: Optional[int]) -> None:
        self._vehicle_token += 1
        token = self._vehicle_token
        self._when_painted(lambda: self._draw_vehicle(conn, vehicle_id, run_id, token))

    def _draw_vehicle(self, conn: sqlite3.Connection, vehicle_id: str,
                      run_id: Optional[int], token: int) -> None:
        if token != self._vehicle_token:
            return  # another vehicle was asked for before this one was drawn
        tl = vehicle_timeline(conn, vehicle_id, run_id)
        self.timeline = tl
        rgba = _PALETTE[tl.raster]
        self.image.setImage(rgba, autoLevels=False)
        n_days = tl.raster.shape[0]
        self.image.setRect(QRectF(0, 0, 24, n_days))
        self.raster_plot.getAxis("left").setTicks([tl.day_ticks()])
        self.raster_plot.setXRange(0, 24, padding=0)
        self.raster_plot.setYRange(0, n_days, padding=0)
        n_stops = int((tl.intervals["kind"] == "stop").sum())
        n_trips = int((tl.intervals["kind"] == "trip").sum())
        self.title.setText(f"Vehicle {vehicle_id}: {n_days} days, {n_stops} stops, "
                           f"{n_trips} trips (local time)")
        self.title.setToolTip(self.title.text())
        self.title.setTextFormat(Qt.TextFormat.PlainText)

    def show_trip(self, conn: Optional[sqlite3.Connection], trip_id: Optional[str]) -> None:
        self.trip_id = trip_id
        self._when_painted(lambda: self._draw_trip(conn, trip_id))

    def _draw_trip(self, conn: Optional[sqlite3.Connection], trip_id: Optional[str]) -> None:
        if trip_id != self.trip_id:
            return  # another trip was selected meanwhile
        if conn is None or trip_id is None:
            self.speed_curve.setData([], [])
            self.speed_plot.setTitle("Select a trip (map or raster) to see its speed")
            return
        minutes, speed = trip_speed(conn, trip_id)
        self.speed_curve.setData(minutes, speed)
        self.speed_plot.setTitle(html.escape(f"Trip {trip_id}: speed"))
        if len(minutes):
            self.speed_plot.setXRange(0, max(float(minutes[-1]), 1.0), padding=0.02)

    def cell_target(self, row: int, col: int) -> Optional[tuple[str, str]]:
        if self.timeline is None:
            return None
        return self.timeline.target_at(row, col)

    def _clicked(self, event) -> None:
        if self.timeline is None:
            return
        vb = self.raster_plot.vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        point = vb.mapSceneToView(event.scenePos())
        hours, day = point.x(), point.y()
        n_days, bins = self.timeline.raster.shape
        if not (0 <= hours < 24 and 0 <= day < n_days):
            return
        target = self.cell_target(int(day), int(hours / 24 * bins))
        if target is not None:
            self.choose(*target)

    def choose(self, kind: str, target_id: str) -> None:
        """A cell's place or trip becomes the current one."""
        if kind == "place":
            self.state.select_place(target_id)
        else:
            self.state.select_trip(target_id)
