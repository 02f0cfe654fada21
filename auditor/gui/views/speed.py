"""The speed of the current trip, in the details pane under the trip it belongs to. Hidden until a
trip is chosen (an empty 0–1 chart says nothing), sized to be read, and cleared whenever the
trip is: a vehicle switch, a closed or empty project. pyqtgraph is imported the first time a
trip is shown, so a cold start does not pay for it."""
from __future__ import annotations

import sqlite3
from typing import Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from auditor.maps.timeline import trip_speed

CHART_HEIGHT = 140


class SpeedChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("speedChart")
        self.trip_id: Optional[str] = None
        self.plot_widget = None  # pg.PlotWidget, built by _build
        self.speed_curve = None
        self.caption = QLabel()
        self.caption.setObjectName("speedCaption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.caption)
        self.hide()

    def _build(self) -> None:
        if self.plot_widget is not None:
            return
        import pyqtgraph as pg
        w = self.plot_widget = pg.PlotWidget(background="w")
        w.setFixedHeight(CHART_HEIGHT)
        plot = self.plot = w.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=False, y=False)
        plot.setLabel("left", "km/h")
        plot.setLabel("bottom", "minutes into the trip")
        plot.showGrid(x=False, y=True, alpha=0.25)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setStyle(tickTextOffset=3)
        self.speed_curve = pg.PlotDataItem(pen=pg.mkPen("#7b3f99", width=1.5))
        self.speed_curve.setDownsampling(auto=True, method="peak")
        self.speed_curve.setClipToView(True)
        plot.addItem(self.speed_curve)
        self.layout().addWidget(w)

    def clear(self) -> None:
        self.trip_id = None
        if self.speed_curve is not None:
            self.speed_curve.setData([], [])
        self.hide()

    def show_trip(self, conn: Optional[sqlite3.Connection], trip_id: Optional[str]) -> None:
        if conn is None or trip_id is None:
            self.clear()
            return
        self.trip_id = trip_id
        minutes, speed = trip_speed(conn, trip_id)
        if not len(minutes):
            self.caption.setText("No pings to show a speed for.")
            if self.plot_widget is not None:
                self.plot_widget.hide()
            self.show()
            return
        self._build()
        self.speed_curve.setData(minutes, speed)
        finite = speed[np.isfinite(speed)]
        top = float(finite.max()) if len(finite) else 0.0
        self.plot.setXRange(0, max(float(minutes[-1]), 1.0), padding=0.02)
        self.plot.setYRange(0, max(top * 1.1, 10.0), padding=0)
        self.caption.setText(f"Speed: top {top:.0f} km/h, median "
                             f"{float(np.median(finite)) if len(finite) else 0:.0f} km/h")
        self.plot_widget.show()
        self.show()
