"""Feature space: every place of the run as a point (PCA, or t-SNE on request), coloured by a
chosen column, with a lasso / rectangle that picks many places at once.

The projection and the colour arrays come from auditor.analysis.projection, computed off the
GUI thread (workers.Latest, a connection of its own) and cached per run. Points are drawn as one
pyqtgraph ScatterPlotItem per colour (pxMode: a few items holding arrays, no per-point Python
object), so panning 100k places stays fast. Hover names the nearest place (a vectorised
distance over the arrays); a click makes it the current place; a lasso or rectangle (the drag
mode picker) selects the places inside — the browser and the map then show exactly those —
and the buttons flag the whole selection in one undo step (AppState.flag_places)."""
from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsPathItem,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from auditor.classes import LABEL_COLOURS
from auditor.errors import UserError
from auditor.gui.workers import Latest
from auditor.state.app_state import AppState

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
MAX_CATEGORIES = len(PALETTE)
LABEL_RGB = {k: tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for k, c in LABEL_COLOURS.items()}
OTHER_COLOUR = (218, 218, 218)  # no value: lighter than the map's grey for "other"
HOVER_PX = 6.0
NUMERIC_BINS = 6


def polygon_mask(x: np.ndarray, y: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Points inside a polygon (even-odd ray casting, vectorised over the points: one numpy
    pass per edge)."""
    inside = np.zeros(len(x), dtype=bool)
    if len(poly) < 3:
        return inside
    px, py = poly[:, 0], poly[:, 1]
    qx, qy = np.roll(px, -1), np.roll(py, -1)
    lo = np.minimum(poly.min(0), poly.max(0))
    hi = poly.max(0)
    box = (x >= lo[0]) & (x <= hi[0]) & (y >= lo[1]) & (y <= hi[1])
    idx = np.flatnonzero(box)
    xs, ys = x[idx], y[idx]
    hit = np.zeros(len(idx), dtype=bool)
    for ax, ay, bx, by in zip(px, py, qx, qy):
        crosses = (ay > ys) != (by > ys)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = ax + (ys - ay) * (bx - ax) / (by - ay)
        hit ^= crosses & (xs < at)
    inside[idx] = hit
    return inside


def colour_groups(values: np.ndarray) -> tuple[list[tuple[str, tuple, np.ndarray]], str]:
    """(label, rgb, member indices) per colour, and how it was coloured ('categories' or
    'bins'). Numbers are cut into equal-count bins; text keeps its most common values."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        finite = np.isfinite(values)
        groups = []
        if finite.any():
            edges = np.unique(np.quantile(values[finite], np.linspace(0, 1, NUMERIC_BINS + 1)))
            codes = np.clip(np.searchsorted(edges, values, side="right") - 1, 0,
                            max(len(edges) - 2, 0))
            n = max(len(edges) - 1, 1)
            for b in range(n):
                members = np.flatnonzero(finite & (codes == b))
                if len(members):
                    t = b / max(n - 1, 1)
                    rgb = (int(60 + 195 * t), int(120 - 60 * t), int(220 - 180 * t))
                    hi = edges[min(b + 1, len(edges) - 1)]
                    groups.append((f"{edges[b]:.3g} – {hi:.3g}", rgb, members))
        missing = np.flatnonzero(~finite)
        if len(missing):
            groups.append(("none", OTHER_COLOUR, missing))
        return groups, "bins"
    text = np.where(values == "", "(none)", values.astype(str))
    names, codes, counts = np.unique(text, return_inverse=True, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    groups = []
    rest = np.zeros(len(text), dtype=bool)
    labels = set(names) <= set(LABEL_RGB) | {"(none)"}  # given / predicted label: as on the map
    for rank, k in enumerate(order):
        members = np.flatnonzero(codes == k)
        if rank < MAX_CATEGORIES - 1 or len(order) <= MAX_CATEGORIES:
            rgb = OTHER_COLOUR if names[k] == "(none)" else \
                LABEL_RGB[names[k]] if labels else PALETTE[rank % len(PALETTE)]
            groups.append((str(names[k]), rgb, members))
        else:
            rest[members] = True
    if rest.any():
        groups.append(("other values", OTHER_COLOUR, np.flatnonzero(rest)))
    return groups, "categories"


def _compute(path, run_id, method: str, progress):
    from auditor.analysis.projection import colour_columns, default_cache_dir, place_projection
    from auditor.store import open_project
    conn = open_project(path, create=False)
    try:
        projection = place_projection(conn, run_id, method, cache_dir=default_cache_dir(),
                                      progress=progress)
        return projection, colour_columns(conn, projection)
    finally:
        conn.close()


class ScatterView(QWidget):
    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        import pyqtgraph as pg  # here: the GUI starts without it
        self.pg = pg
        self.state = state
        self.projection = None
        self.colours: dict[str, np.ndarray] = {}
        self.selected = np.zeros(0, dtype=bool)
        self.items: list = []
        self.loader = Latest(self)
        self.method = QComboBox()
        self.method.setObjectName("scatterMethod")
        self.method.addItem("PCA", "pca")
        self.method.addItem("t-SNE (slow; cached per run)", "tsne")
        self.colour_by = QComboBox()
        self.colour_by.setObjectName("scatterColour")
        self.colour_by.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.mode = QComboBox()
        self.mode.setObjectName("scatterMode")
        for text, key in (("pan / zoom", "pan"), ("lasso", "lasso"), ("rectangle", "rect")):
            self.mode.addItem(text, key)
        self.info = QLabel("Open a project to see its places in feature space.")
        self.info.setObjectName("scatterInfo")
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setWordWrap(True)
        self.hover = QLabel("")
        self.hover.setObjectName("scatterHover")
        self.hover.setTextFormat(Qt.TextFormat.PlainText)
        self.flag_model = QPushButton("Flag selection: model wrong")
        self.flag_bad = QPushButton("Flag selection: bad data")
        self.label_as = QComboBox()
        self.label_as.addItems(["home", "work", "other"])
        self.flag_label = QPushButton("Label selection as")
        self.clear = QPushButton("Clear selection")
        for b, name in ((self.flag_model, "scatterFlagModel"), (self.flag_bad, "scatterFlagBad"),
                        (self.flag_label, "scatterFlagLabel"), (self.clear, "scatterClear")):
            b.setObjectName(name)
        self.plot = pg.PlotWidget(viewBox=_LassoViewBox(self))
        self.plot.setObjectName("scatterPlot")
        self.plot.setBackground("w")
        self.plot.getPlotItem().hideButtons()
        self.legend = self.plot.getPlotItem().addLegend(offset=(-10, 10))
        # the selection as a raster at screen resolution: its cost does not grow with the
        # number of places selected (a scatter item's setData does, ~4 us per point)
        self.marked = pg.ImageItem(axisOrder="col-major")
        self.marked.setZValue(10)
        self.current = pg.ScatterPlotItem(size=14, pxMode=True, brush=None, symbol="o",
                                          pen=pg.mkPen((220, 0, 0), width=2.5))
        self.current.setZValue(11)
        self.plot.addItem(self.marked, ignoreBounds=True)  # never widens the view
        self.plot.addItem(self.current)

        top = QHBoxLayout()
        for w in (QLabel("projection"), self.method, QLabel("colour by"), self.colour_by,
                  QLabel("drag"), self.mode):
            top.addWidget(w)
        top.addStretch(1)
        # the actions and the hovered place in a column beside the plot, not rows under it:
        # the Analysis dock is short (about a third of the window) and the plot needs its height
        label_row = QHBoxLayout()
        label_row.addWidget(self.flag_label)
        label_row.addWidget(self.label_as)
        actions = QVBoxLayout()
        actions.addWidget(self.flag_model)
        actions.addWidget(self.flag_bad)
        actions.addLayout(label_row)
        actions.addWidget(self.clear)
        self.hover.setWordWrap(True)
        self.hover.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        actions.addWidget(self.hover, 1)
        side = QWidget()
        side.setLayout(actions)
        actions.setContentsMargins(0, 0, 0, 0)
        # a fixed width: a long hovered name must never resize the plot under the mouse
        side.setFixedWidth(side.sizeHint().width())
        body = QHBoxLayout()
        body.addWidget(self.plot, 1)
        body.addWidget(side)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addLayout(body, 1)
        self._enable_actions()

        self.method.currentIndexChanged.connect(lambda _: self.load())
        self.colour_by.currentIndexChanged.connect(lambda _: self.redraw())
        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.flag_model.clicked.connect(lambda: self.flag_selection("model_wrong"))
        self.flag_bad.clicked.connect(lambda: self.flag_selection("bad_data"))
        self.flag_label.clicked.connect(
            lambda: self.flag_selection("label_wrong", self.label_as.currentText()))
        self.clear.clicked.connect(self.clear_selection)
        self.plot.getPlotItem().getViewBox().sigRangeChanged.connect(
            lambda *_: self._show_marked())
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._mouse_clicked)
        state.selection_changed.connect(lambda new, old: self._show_current())
        state.project_changed.connect(lambda project: self.load())

    # --- data ------------------------------------------------------------------------------
    def set_analysis(self, analysis) -> None:
        if self.projection is None or analysis is None or \
                self.projection.identity[0] != analysis.run_id:
            self.load()

    def load(self) -> None:
        project = self.state.project
        if project is None or project.run_id is None:
            self.show_projection(None, {})
            return
        method = self.method.currentData()
        self.info.setText(f"Projecting the places ({self.method.currentText()})…")
        path, run_id = project.path, project.run_id
        self.loader.submit("Projecting places", lambda progress: _compute(path, run_id, method,
                                                                           progress),
                           self._delivered,
                           on_error=self._failed, parent=self)

    def _delivered(self, result) -> None:
        from shiboken6 import isValid
        if isValid(self) and isValid(self.colour_by):  # the window may be gone meanwhile
            self.show_projection(*result)

    def _failed(self, exc: BaseException, tb: str) -> None:
        from shiboken6 import isValid
        if isValid(self) and isValid(self.info):
            self.info.setText(f"The projection failed: {exc}")

    def show_projection(self, projection, colours: dict) -> None:
        """Draw ``projection`` (auditor.analysis.projection.Projection) coloured by one of
        ``colours`` (arrays aligned with it)."""
        self.projection = projection
        self.colours = colours
        self.selected = np.zeros(0 if projection is None else len(projection), dtype=bool)
        keep = self.colour_by.currentText()
        self.colour_by.blockSignals(True)
        self.colour_by.clear()
        self.colour_by.addItems(list(colours))
        if keep in colours:
            self.colour_by.setCurrentText(keep)
        self.colour_by.blockSignals(False)
        if projection is None:
            self.info.setText("Open a project with an inference run to see its places.")
        else:
            how = (f"PCA: axes explain {100 * projection.explained[0]:.0f}% and "
                   f"{100 * projection.explained[1]:.0f}% of the (scaled) feature variance"
                   if projection.explained else
                   "t-SNE" + (" (fitted on a sample; the rest placed by neighbours)"
                              if projection.approximate else ""))
            self.info.setText(f"{len(projection):,} places · {how}. Hover: a place · click: "
                              "make it current · lasso / rectangle: select, then flag.")
        self.redraw()
        self.plot.getPlotItem().autoRange()
        self._show_current()
        self._enable_actions()

    def redraw(self) -> None:
        pg = self.pg
        for it in self.items:
            self.plot.removeItem(it)
        self.items = []
        self.legend.clear()
        p = self.projection
        if p is None or not len(p):
            self._show_marked()
            return
        column = self.colour_by.currentText() or "predicted_label"
        values = self.colours.get(column, np.full(len(p), "", dtype=object))
        groups, _ = colour_groups(values)
        for label, rgb, members in groups:
            it = pg.ScatterPlotItem(x=p.xy[members, 0], y=p.xy[members, 1], size=5,
                                    pxMode=True, pen=None, brush=pg.mkBrush(*rgb, 200),
                                    name=f"{label} ({len(members):,})")
            self.plot.addItem(it)
            self.items.append(it)
        self._show_marked()

    # --- hover, click, current place ----------------------------------------------------
    def nearest(self, x: float, y: float) -> Optional[int]:
        """The index of the point nearest (x, y) within HOVER_PX pixels, else None."""
        p = self.projection
        if p is None or not len(p):
            return None
        vb = self.plot.getPlotItem().getViewBox()
        px = vb.viewPixelSize()
        dx = (p.xy[:, 0] - x) / (px[0] or 1.0)
        dy = (p.xy[:, 1] - y) / (px[1] or 1.0)
        d2 = dx * dx + dy * dy
        i = int(np.argmin(d2))
        return i if d2[i] <= HOVER_PX ** 2 else None

    def _mouse_moved(self, pos) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            return
        at = vb.mapSceneToView(pos)
        i = self.nearest(at.x(), at.y())
        if i is None:
            self.hover.setText("")
            return
        self.hover.setText(self.describe(i))

    def describe(self, i: int) -> str:
        p = self.projection
        parts = [str(p.place_ids[i])]
        for key in ("given_label", "predicted_label", "model_wrong"):
            v = self.colours.get(key)
            if v is not None and v[i]:
                parts.append(f"{key.replace('_', ' ')} {v[i]}")
        s = self.colours.get("suspicion")
        if s is not None and np.isfinite(s[i]):
            parts.append(f"suspicion {s[i]:.2f}")
        return " · ".join(parts)

    def _mouse_clicked(self, ev) -> None:
        if self.mode.currentData() != "pan" or ev.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.plot.getPlotItem().getViewBox()
        at = vb.mapSceneToView(ev.scenePos())
        i = self.nearest(at.x(), at.y())
        if i is not None:
            self.state.select_place(str(self.projection.place_ids[i]))

    def _show_current(self) -> None:
        p = self.projection
        place = self.state.selection.place_id
        i = p.index_of(place) if p is not None and place else None
        if i is None:
            self.current.setData([], [])
        else:
            self.current.setData([p.xy[i, 0]], [p.xy[i, 1]])

    # --- lasso / rectangle selection ------------------------------------------------------
    def _mode_changed(self, _index) -> None:
        self.plot.getPlotItem().getViewBox().setMouseEnabled(
            x=self.mode.currentData() == "pan", y=self.mode.currentData() == "pan")

    def select_polygon(self, poly: np.ndarray) -> list[str]:
        """Select the places inside ``poly`` (view coordinates, shape (k, 2)); the browser
        and the map then show exactly them. Returns their ids."""
        p = self.projection
        if p is None:
            return []
        self.selected = polygon_mask(p.xy[:, 0].astype(float), p.xy[:, 1].astype(float),
                                     np.asarray(poly, dtype=float))
        ids = p.places_in(self.selected)
        self._show_marked()
        self._enable_actions()
        if ids:
            self.state.show_places(ids, f"{len(ids):,} places selected in feature space")
        return ids

    def _show_marked(self) -> None:
        """Draw the selected places as dark 3x3-pixel marks over the view (a raster of the
        visible range at the view's pixel size)."""
        p = self.projection
        if p is None or not len(self.selected) or not self.selected.any():
            self.marked.hide()
            return
        vb = self.plot.getPlotItem().getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        w, h = max(int(vb.width()), 1), max(int(vb.height()), 1)
        pts = p.xy[self.selected]
        ix = np.floor((pts[:, 0] - x0) / ((x1 - x0) or 1.0) * w).astype(np.int64)
        iy = np.floor((pts[:, 1] - y0) / ((y1 - y0) or 1.0) * h).astype(np.int64)
        keep = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        on = np.zeros((w, h), dtype=bool)
        on[ix[keep], iy[keep]] = True
        grown = on.copy()
        grown[1:] |= on[:-1]
        grown[:-1] |= on[1:]
        grown[:, 1:] |= on[:, :-1]
        grown[:, :-1] |= on[:, 1:]
        rgba = np.zeros((w, h, 4), dtype=np.ubyte)
        rgba[grown] = (20, 20, 20, 230)
        rgba[on] = (255, 230, 60, 255)
        self.marked.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.marked.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.marked.show()

    def selected_ids(self) -> list[str]:
        return [] if self.projection is None else self.projection.places_in(self.selected)

    def clear_selection(self) -> None:
        self.selected[:] = False
        self._show_marked()
        self._enable_actions()
        self.state.clear_subset()

    def _enable_actions(self) -> None:
        any_selected = bool(len(self.selected) and self.selected.any())
        for b in (self.flag_model, self.flag_bad, self.flag_label, self.clear):
            b.setEnabled(any_selected)

    def flag_selection(self, action: str, value: Optional[str] = None) -> Optional[dict]:
        """Flag every selected place in one undo step."""
        ids = self.selected_ids()
        try:
            done = self.state.flag_places(ids, action, value)
        except UserError as exc:
            self.hover.setText(str(exc))
            return None
        if done is not None:
            skipped = f" ({len(done['skipped'])} already so)" if done["skipped"] else ""
            self.hover.setText(f"flagged {len(done['event_ids']):,} places{skipped} — Edit ▸ "
                               "Undo takes them all back")
        return done


class _LassoViewBox:
    """Placeholder replaced at import time by a pyqtgraph ViewBox subclass (pyqtgraph is
    imported lazily, when the first scatter view is built)."""

    def __new__(cls, view: ScatterView):
        return _lasso_viewbox_class(view.pg)(view)


def _lasso_viewbox_class(pg):
    class LassoViewBox(pg.ViewBox):
        """Drags draw a lasso or a rectangle instead of panning when the view asks so."""

        def __init__(self, view: ScatterView):
            super().__init__()
            self.view = view
            self.path: list[QPointF] = []
            self.outline = QGraphicsPathItem()
            self.outline.setPen(QPen(QColor(0, 0, 0), 0, Qt.PenStyle.DashLine))
            self.outline.setZValue(20)
            self.addItem(self.outline, ignoreBounds=True)

        def mouseDragEvent(self, ev, axis=None):
            mode = self.view.mode.currentData()
            if mode == "pan" or ev.button() != Qt.MouseButton.LeftButton:
                return super().mouseDragEvent(ev, axis)
            ev.accept()
            here = self.mapToView(ev.pos())
            if ev.isStart():
                self.path = [self.mapToView(ev.buttonDownPos()), here]
            else:
                self.path.append(here)
            pts = self.path
            if mode == "rect":
                a, b = pts[0], pts[-1]
                pts = [a, QPointF(b.x(), a.y()), b, QPointF(a.x(), b.y())]
            shape = QPainterPath(pts[0])
            for q in pts[1:]:
                shape.lineTo(q)
            shape.closeSubpath()
            self.outline.setPath(shape)
            if ev.isFinish():
                self.outline.setPath(QPainterPath())
                self.view.select_polygon(np.array([[q.x(), q.y()] for q in pts]))
                self.path = []

    return LassoViewBox
