"""Issue 14, items 6-8: the timeline has a row per day an analyst can click, labelled, scrolled;
the speed chart appears with a trip and goes with it; times name the vehicle's clock."""
from PySide6.QtCore import QPoint, Qt

from auditor.gui.text import tip
from auditor.gui.views.timeline import GUTTER, ROW_H
from auditor.maps.timeline import DRIVING, NO_DATA


def _cell_point(canvas, row, col):
    x = GUTTER + int((col + 0.5) * canvas.cells_width() / canvas.timeline.bins_per_day)
    return QPoint(x, int(canvas.tops[row]) + canvas.row_h // 2)


def test_rows_are_clickable_days_and_the_speed_chart_follows_the_trip(qtbot, window,
                                                                      fresh_demo_project):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.timeline.timeline is not None, timeout=20_000)
    view, panel = window.timeline, window.panel
    tl, canvas = view.timeline, view.canvas
    assert tl.n_rows >= 10 and canvas.row_h >= ROW_H >= 12   # a day is a target, not 2.5 px
    assert canvas.height() >= tl.n_rows * canvas.row_h        # taller than the pane: it scrolls
    assert view.scroll.verticalScrollBar().maximum() > 0
    assert tl.clock in view.title.text() and "days with data" in view.title.text()
    # no trip yet: no speed chart (no empty 0-1 axes)
    assert not panel.speed.isVisible()

    # a click on a trip cell of a row low down: that trip is current, outlined, its speed shown
    rows, cols = (tl.raster == DRIVING).nonzero()
    row, col = int(rows[-1]), int(cols[-1])
    view.scroll.ensureVisible(0, int(canvas.tops[row]), 0, canvas.row_h * 2)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=_cell_point(canvas, row, col))
    kind, trip = tl.target_at(row, col)
    assert kind == "trip" and window.trip_id == trip == panel.trip_id
    assert canvas.marks["trip"] and canvas.marks["trip"][0][0] == row
    assert panel.speed.isVisible() and len(panel.speed.speed_curve.xData) > 2
    assert tl.clock in panel.trip_label.text()       # local time, the zone named
    assert tl.clock in canvas.tooltip_text(row, col) and trip in canvas.tooltip_text(row, col)

    # a click on a place cell: that place is current and outlined
    rows, cols = ((tl.raster != NO_DATA) & (tl.raster != DRIVING)).nonzero()
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton,
                     pos=_cell_point(canvas, int(rows[0]), int(cols[0])))
    kind, place = tl.target_at(int(rows[0]), int(cols[0]))
    assert window.place_id == place and canvas.marks["place"]

    # another vehicle: no trip, so no speed chart and no outline from the last one
    other = window.project.conn.execute(
        "SELECT vehicle_id FROM places WHERE vehicle_id != ? LIMIT 1",
        (window.vehicle_id,)).fetchone()[0]
    window.select_vehicle(other)
    qtbot.waitUntil(lambda: view.timeline is not None and view.timeline.vehicle_id == other)
    assert window.trip_id is None and not panel.speed.isVisible()
    assert canvas.marks.get("trip") == []
    # Ctrl+wheel: taller rows
    before = canvas.row_h
    canvas.set_row_height(before + 6)
    assert canvas.row_h == before + 6 and canvas.height() >= view.timeline.n_rows * canvas.row_h
    window.close_project()
    assert view.timeline is None and not panel.speed.isVisible()
    window.close()


def test_tooltips_render_data_as_text_not_markup():
    text = tip("V<b>1</b> & <img src=x onerror=alert(1)>")
    assert "<b>1" not in text and "&lt;b&gt;1&lt;/b&gt;" in text and "&lt;img" in text
