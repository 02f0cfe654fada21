"""The feature-space tab at 100k places: pan and lasso latency, against one brush per point.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/scatter.py [--places 100000] [--repeat 9]

Builds the real ScatterView (auditor.gui.analyses.scatter) on a synthetic projection of
--places points in a few clusters (coloured by a 4-value label column), then times, median of
--repeat:
  pan     shift the view by 5% and repaint the plot (viewport grab: a full paint);
  lasso   a 40-vertex lasso over ~a third of the points: the points inside, the selection
          overlay drawn and the browser subset set (AppState.show_places);
  colour  switching the colour column (items rebuilt);
and the baseline: ONE ScatterPlotItem given a brush per point (a Python object per point),
the way the view does not draw: the same pan, and a colour switch (new brushes). Targets:
pan < 100 ms, lasso < 200 ms."""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from types import SimpleNamespace

import numpy as np


def _projection(n: int):
    from auditor.analysis.projection import Projection
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 4, (6, 2))
    k = rng.integers(0, len(centres), n)
    xy = (centres[k] + rng.normal(0, 1, (n, 2))).astype(np.float32)
    ids = np.array(sorted(f"V{i // 20:06d}:{i % 20}" for i in range(n)), dtype=object)
    labels = np.array(["home", "work", "other", ""], dtype=object)[k % 4]
    p = Projection(ids, xy, "pca", 0, ("f1", "f2"), (1, "now", "hash"), (0.5, 0.3))
    score = rng.random(n)
    score[rng.random(n) < 0.8] = np.nan
    return p, {"given_label": labels, "predicted_label": labels[::-1].copy(),
               "suspicion": score}


def _median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--places", type=int, default=100_000, help="points to draw")
    ap.add_argument("--repeat", type=int, default=9, help="timings per figure (median)")
    args = ap.parse_args()
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication([])
    import pyqtgraph as pg

    from auditor.gui.analyses.scatter import ScatterView
    from auditor.state.app_state import AppState
    state = AppState(SimpleNamespace(analyst="bench", basemap="none"))
    view = ScatterView(state)
    view.resize(1200, 700)
    view.show()
    p, colours = _projection(args.places)
    view.show_projection(p, colours)
    app.processEvents()
    vb = view.plot.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = vb.viewRange()

    def pan():
        vb.translateBy(x=0.05 * (x1 - x0))
        view.plot.viewport().grab()

    t = np.linspace(0, 2 * np.pi, 40)
    poly = np.c_[np.median(p.xy[:, 0]) + 4 * np.cos(t), np.median(p.xy[:, 1]) + 4 * np.sin(t)]

    def lasso():
        view.select_polygon(poly)
        view.plot.viewport().grab()

    def colour():
        view.colour_by.setCurrentIndex((view.colour_by.currentIndex() + 1) %
                                       view.colour_by.count())
        view.plot.viewport().grab()

    pan_ms = _median_ms(pan, args.repeat)
    lasso_ms = _median_ms(lasso, args.repeat)
    colour_ms = _median_ms(colour, args.repeat)
    selected = int(view.selected.sum())

    # baseline: one item, a brush object per point
    plot = pg.PlotWidget()
    plot.resize(1200, 700)
    plot.show()
    palette = [pg.mkBrush(c) for c in ((31, 119, 180), (255, 127, 14), (44, 160, 44),
                                       (200, 200, 200))]
    codes = np.searchsorted(np.array(["", "home", "other", "work"]),
                            colours["given_label"].astype(str))
    one = pg.ScatterPlotItem(x=p.xy[:, 0], y=p.xy[:, 1], size=5, pen=None,
                             brush=[palette[c] for c in codes])
    plot.addItem(one)
    app.processEvents()
    bvb = plot.getPlotItem().getViewBox()
    (bx0, bx1), _ = bvb.viewRange()

    def base_pan():
        bvb.translateBy(x=0.05 * (bx1 - bx0))
        plot.viewport().grab()

    base_ms = _median_ms(base_pan, args.repeat)
    shift = [0]

    def base_colour():
        shift[0] += 1
        one.setBrush([palette[(c + shift[0]) % 4] for c in codes])
        plot.viewport().grab()

    base_colour_ms = _median_ms(base_colour, args.repeat)
    print(f"{args.places:,} places, median of {args.repeat}:")
    print(f"  pan    {pan_ms:7.1f} ms (target < 100 ms)")
    print(f"  lasso  {lasso_ms:7.1f} ms (target < 200 ms; {selected:,} places inside)")
    print(f"  colour {colour_ms:7.1f} ms (switching the colour column)")
    print(f"  baseline, one item with a brush per point: pan {base_ms:.1f} ms "
          f"({base_ms / pan_ms:.1f}x the view's), colour switch {base_colour_ms:.1f} ms "
          f"({base_colour_ms / colour_ms:.1f}x the view's)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
