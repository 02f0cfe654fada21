"""The bottom pane: the "where is it at 2 AM" raster of the current vehicle — one row per local
day with data (10-minute cells), a row tall enough to click, day labels beside each row, rows
scrolled (Ctrl+wheel: taller or shorter rows). Clicking a cell makes its place or trip current;
the current trip and place are outlined, and a chosen trip's day is scrolled into view. Times
are the vehicle's local clock, named in the title. (The trip's speed is in the details pane.)

The raster is read after the window's first paint (auditor.gui.first_paint): a cold start shows
the window without it."""
from __future__ import annotations

import html
import logging
import sqlite3
from typing import Optional

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from auditor.gui.first_paint import after_first_paint, window_painted
from auditor.gui.text import tip
from auditor.maps.timeline import (
    CATEGORY_COLOURS,
    CATEGORY_NAMES,
    DAY,
    VehicleTimeline,
    day_label,
    vehicle_timeline,
)
from auditor.state.app_state import AppState, Selection

log = logging.getLogger("auditor.gui.timeline")
_PALETTE = np.array([[*QColor(c).getRgb()] for c in CATEGORY_COLOURS], dtype=np.uint8)

GUTTER = 104          # px for the day labels left of the cells
ROW_H = 16            # px per day: a click lands on the day meant
ROW_H_RANGE = (8, 40)
GAP_H = 11            # px of the band that says how many days without data were skipped
AXIS_H = 18


def legend_html() -> str:
    parts = [f"<span style='color:{c}'>&#9632;</span>&nbsp;{html.escape(n)}"
             for n, c in zip(CATEGORY_NAMES, CATEGORY_COLOURS)]
    return " &nbsp; ".join(parts)  # breakable between entries: the legend may wrap


def _wall(local_s: int, fmt: str) -> str:
    from datetime import datetime, timezone
    return datetime.fromtimestamp(int(local_s), tz=timezone.utc).strftime(fmt)


def span_words(local_start: int, local_end: int) -> str:
    same = local_start // DAY == max(local_end - 1, local_start) // DAY
    return (f"{_wall(local_start, '%a %d %b %H:%M')} → "
            f"{_wall(local_end, '%H:%M' if same else '%a %d %b %H:%M')}")


class HourAxis(QWidget):
    """00 … 24 above the cells, aligned with the raster (same gutter, same cell width: the
    raster's scroll bar takes its own width)."""

    def __init__(self, canvas: "RasterCanvas", parent=None):
        super().__init__(parent)
        self.canvas = canvas
        self.setFixedHeight(AXIS_H)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setPen(QColor("#555555"))
        width = self.canvas.cells_width()
        f = p.font()
        f.setPointSizeF(max(7.0, f.pointSizeF() - 1))
        p.setFont(f)
        p.drawText(QRect(0, 0, GUTTER - 18, AXIS_H), Qt.AlignmentFlag.AlignRight |
                   Qt.AlignmentFlag.AlignVCenter, "local time")
        step = 2 if width > 420 else 3 if width > 260 else 6
        for h in range(0, 25, step):
            x = GUTTER + int(width * h / 24)
            p.drawLine(x, AXIS_H - 4, x, AXIS_H)
            box = QRect(x - 15, 0, 30, AXIS_H - 4)
            if h == 24:  # the last label ends at the raster's edge
                box = QRect(x - 24, 0, 24, AXIS_H - 4)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter if h < 24 else
                       Qt.AlignmentFlag.AlignRight, f"{h:02d}")
        p.end()


class RasterCanvas(QWidget):
    """The rows of the raster, painted; one row per local day with data."""
    cellClicked = Signal(int, int)  # row, column
    resized = Signal()              # the hour axis follows the cells' width

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.timeline: Optional[VehicleTimeline] = None
        self.image: Optional[QImage] = None
        self.row_h = ROW_H
        self.tops = np.zeros(0, dtype=np.int64)  # y of each row
        self.marks: dict[str, list[tuple[int, int, int]]] = {}  # kind -> (row, col0, col1)

    # --- data --------------------------------------------------------------------------
    def set_timeline(self, tl: Optional[VehicleTimeline]) -> None:
        self.timeline = tl
        self.marks = {}
        self.image = None
        if tl is not None and tl.n_rows:
            rgba = np.ascontiguousarray(_PALETTE[tl.raster])
            h, w = tl.raster.shape
            # copy(): the QImage must not point into a numpy buffer that goes away
            self.image = QImage(rgba.data, w, h, w * 4, QImage.Format.Format_RGBA8888).copy()
        self._layout_rows()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def set_row_height(self, px: int) -> None:
        self.row_h = int(min(max(px, ROW_H_RANGE[0]), ROW_H_RANGE[1]))
        self._layout_rows()

    def _layout_rows(self) -> None:
        tl = self.timeline
        n = 0 if tl is None else tl.n_rows
        gaps = np.array([GAP_H if tl.gap_before(r) else 0 for r in range(n)], dtype=np.int64) \
            if n else np.zeros(0, dtype=np.int64)
        self.tops = np.cumsum(gaps) + np.arange(n, dtype=np.int64) * self.row_h
        self.setFixedHeight(int(self.tops[-1] + self.row_h + 2) if n else 40)
        self.update()

    def set_marks(self, kind: str, segments: list[tuple[int, int, int]]) -> None:
        self.marks[kind] = segments
        self.update()

    # --- geometry ------------------------------------------------------------------------
    def cells_width(self) -> int:
        return max(self.width() - GUTTER - 4, 24)

    def cell_at(self, pos: QPoint) -> Optional[tuple[int, int]]:
        tl = self.timeline
        if tl is None or not tl.n_rows or pos.x() < GUTTER:
            return None
        row = int(np.searchsorted(self.tops, pos.y(), side="right")) - 1
        if row < 0 or pos.y() >= self.tops[row] + self.row_h:
            return None  # above the first row or in a gap band
        col = int((pos.x() - GUTTER) / self.cells_width() * tl.bins_per_day)
        if not 0 <= col < tl.bins_per_day:
            return None
        return row, col

    def row_rect(self, row: int) -> QRect:
        return QRect(0, int(self.tops[row]), self.width(), self.row_h)

    # --- painting ------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        tl = self.timeline
        if tl is None or not tl.n_rows or self.image is None:
            p.setPen(QColor("#777777"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       "No stops or trips for this vehicle yet" if tl is not None else "")
            p.end()
            return
        width = self.cells_width()
        bins = tl.bins_per_day
        visible = event.rect()
        first = max(int(np.searchsorted(self.tops, visible.top(), side="right")) - 1, 0)
        last = int(np.searchsorted(self.tops, visible.bottom(), side="right"))
        f = p.font()
        f.setPointSizeF(max(7.0, min(f.pointSizeF(), self.row_h * 0.62)))
        p.setFont(f)
        label_every = 1 if self.row_h >= 11 else 7
        for row in range(first, min(last + 1, tl.n_rows)):
            y = int(self.tops[row])
            gap = tl.gap_before(row)
            if gap:
                p.setPen(QColor("#8a8a8a"))
                p.drawText(QRect(GUTTER, y - GAP_H, width, GAP_H), Qt.AlignmentFlag.AlignCenter,
                           f"· · · {gap:,} day{'s' if gap != 1 else ''} without data · · ·")
            p.drawImage(QRect(GUTTER, y, width, self.row_h - 1), self.image,
                        QRect(0, row, bins, 1))
            day = int(tl.days[row])
            if row % label_every == 0 or gap or (day + 3) % 7 == 0:  # Mondays always
                p.setPen(QColor("#222222") if (day + 3) % 7 < 5 else QColor("#9a3b00"))
                p.drawText(QRect(0, y, GUTTER - 6, self.row_h), Qt.AlignmentFlag.AlignRight |
                           Qt.AlignmentFlag.AlignVCenter, day_label(day)[:10])
        p.setBrush(Qt.BrushStyle.NoBrush)
        for kind, colour, pen_w in (("place", "#d81b60", 2), ("trip", "#00c853", 3)):
            p.setPen(QPen(QColor(colour), pen_w))
            for row, c0, c1 in self.marks.get(kind, ()):
                if first <= row <= last:
                    x0 = GUTTER + int(width * c0 / bins)
                    x1 = GUTTER + int(width * c1 / bins)
                    p.drawRect(QRect(x0, int(self.tops[row]), max(x1 - x0, 3), self.row_h - 2))
        p.end()

    # --- mouse ---------------------------------------------------------------------------
    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            cell = self.cell_at(event.position().toPoint())
            if cell is not None:
                self.cellClicked.emit(*cell)
        super().mouseReleaseEvent(event)

    def tooltip_text(self, row: int, col: int) -> str:
        tl = self.timeline
        day = day_label(int(tl.days[row]))
        at = f"{day} {col * tl.bin_seconds // 3600:02d}:{col * tl.bin_seconds % 3600 // 60:02d}"
        hit = tl.interval_at(row, col)
        if hit is None:
            return f"{at} ({tl.clock}): no data"
        what = ("driving, trip " + hit["id"]) if hit["kind"] == "trip" else \
            f"at place {hit['id']} ({CATEGORY_NAMES[hit['code']]})"
        return (f"{what}\n{span_words(hit['local_start'], hit['local_end'])} ({tl.clock})\n"
                "click: make it current")

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            cell = self.cell_at(event.pos())
            if cell is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), tip(self.tooltip_text(*cell)), self)
            return True
        return super().event(event)


class _Scroll(QScrollArea):
    """Ctrl+wheel: taller or shorter rows (the day under the mouse stays put)."""

    def __init__(self, canvas: RasterCanvas):
        super().__init__()
        self.canvas = canvas

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            step = 2 if event.angleDelta().y() > 0 else -2
            self.canvas.set_row_height(self.canvas.row_h + step)
            event.accept()
            return
        super().wheelEvent(event)


class TimelineView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("timeline")
        self.timeline: Optional[VehicleTimeline] = None
        self.trip_id: Optional[str] = None
        self.title = QLabel("No vehicle selected")
        self.title.setObjectName("timelineTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.legend = QLabel(legend_html())
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)  # wraps rather than forcing the centre column wider
        self.legend.setMinimumWidth(160)
        self.legend.setToolTip("Each row is one local day with data; each cell 10 minutes. "
                               "Click a cell to make its place or trip current; Ctrl+wheel "
                               "makes rows taller or shorter.")
        # long titles must not force the centre column wider than the splitter gave it
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.title.setMinimumWidth(120)
        self.title.setWordWrap(True)  # a narrow column gets two lines, not a cut-off zone name
        self.canvas = RasterCanvas()
        self.axis = HourAxis(self.canvas)
        self.canvas.resized.connect(self.axis.update)
        self.canvas.setObjectName("timelineRaster")
        self.canvas.cellClicked.connect(self._cell_clicked)
        self.scroll = _Scroll(self.canvas)
        self.scroll.setObjectName("timelineScroll")
        self.scroll.setWidget(self.canvas)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setMinimumHeight(4 * ROW_H)
        self.pending = 0      # draws waiting for the window's first paint
        self._vehicle_token = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        head = QWidget()
        hl = QHBoxLayout(head)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.title, 1)
        hl.addWidget(self.legend)
        layout.addWidget(head)
        layout.addWidget(self.axis)
        layout.addWidget(self.scroll, 1)
        self.clear()
        state.project_changed.connect(lambda project: self.clear())
        state.selection_changed.connect(self._selection_changed)

    def sizeHint(self) -> QSize:
        return QSize(600, 260)

    # --- following the state -------------------------------------------------------------
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
            if (new.place_id, new.vehicle_id, new.whole_vehicle) != \
                    (old.place_id, old.vehicle_id, old.whole_vehicle):
                self._mark_place()
        except Exception as exc:  # the other views still follow the selection; details in the log
            log.exception("drawing the timeline of %s", new.vehicle_id)
            self.title.setText(f"Cannot draw vehicle {new.vehicle_id}: {type(exc).__name__}")

    def _when_painted(self, fn) -> None:
        """Draw now once the window has painted, else right after its first paint."""
        if window_painted(self):
            fn()  # errors reach the caller (a dialog in the main window)
            return
        self.pending += 1

        def later() -> None:
            try:
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
        self.title.setToolTip("")
        self.canvas.set_timeline(None)
        self.trip_id = None

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
        self.canvas.set_timeline(tl)
        self.scroll.verticalScrollBar().setValue(0)
        n_stops = int((tl.intervals["kind"] == "stop").sum())
        n_trips = int((tl.intervals["kind"] == "trip").sum())
        self.title.setText(f"Vehicle {vehicle_id}: {tl.n_rows} day{'s' * (tl.n_rows != 1)} "
                           f"with data, {n_stops} stops, {n_trips} trips — {tl.clock} time")
        self.title.setToolTip(tip(
            self.title.text() + "\nEvery time here is the vehicle's local clock, as the model "
            "saw it (vehicle timezone, else the offsets its pings state, else where it parks)."))
        self._mark_place()
        self._mark_trip()

    # --- marks: the current place and trip, outlined --------------------------------------
    def _segments(self, kind: str, target_id: Optional[str]) -> list[tuple[int, int, int]]:
        tl = self.timeline
        if tl is None or target_id is None:
            return []
        iv = tl.intervals
        if kind == "trip":
            sel = iv[(iv["kind"] == "trip") & (iv["trip_id"] == target_id)]
        else:
            sel = iv[(iv["kind"] == "stop") & (iv["target_id"] == target_id)]
        bins, out = tl.bins_per_day, []
        for a, b in zip(sel["local_start"].to_numpy(), sel["local_end"].to_numpy()):
            for row in {tl.row_of(int(a)), tl.row_of(int(max(a, b - 1)))} - {None}:
                day0 = int(tl.days[row]) * DAY
                c0 = max(int((a - day0) // tl.bin_seconds), 0)
                c1 = min(int(-(-(b - day0) // tl.bin_seconds)), bins)
                out.append((row, c0, max(c1, c0 + 1)))
        return out

    def _mark_place(self) -> None:
        sel = self.state.selection
        self.canvas.set_marks("place", [] if sel.whole_vehicle else
                              self._segments("place", sel.place_id))

    def _mark_trip(self) -> None:
        segs = self._segments("trip", self.trip_id)
        self.canvas.set_marks("trip", segs)
        if segs:  # the chosen trip's day in view
            row = segs[0][0]
            self.scroll.ensureVisible(0, int(self.canvas.tops[row]) + self.canvas.row_h // 2,
                                      0, self.canvas.row_h * 2)

    def show_trip(self, conn: Optional[sqlite3.Connection], trip_id: Optional[str]) -> None:
        """Outline the current trip and scroll its day into view."""
        self.trip_id = trip_id
        if trip_id is None or conn is None:
            self.canvas.set_marks("trip", [])
            return
        self._when_painted(lambda: self.trip_id == trip_id and self._mark_trip())

    # --- clicks ------------------------------------------------------------------------------
    def cell_target(self, row: int, col: int) -> Optional[tuple[str, str]]:
        if self.timeline is None:
            return None
        return self.timeline.target_at(row, col)

    def _cell_clicked(self, row: int, col: int) -> None:
        target = self.cell_target(row, col)
        if target is not None:
            self.choose(*target)

    def choose(self, kind: str, target_id: str) -> None:
        """A cell's place or trip becomes the current one."""
        if kind == "place":
            self.state.select_place(target_id)
        else:
            self.state.select_trip(target_id)
