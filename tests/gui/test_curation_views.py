"""Issue 17 in the GUI, on real widgets: the feature-space tab (lasso with the mouse, flag the
selection, undo it as one step), the review tab (accept, reject, then a restart and undo) and
the duplicates & outliers tab (a row shows its places; flag it)."""
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from auditor.audit.flags import active_flags, add_flag, event_log
from auditor.audit.review import review_state
from auditor.store import open_project

pytestmark = pytest.mark.gui


def _opened(qtbot, window, project, tab):
    window.open_project(project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=120_000)
    window.analysis.show_tab(tab)
    return window.analysis.view(tab)


def _send(widget, kind, pos: QPoint, buttons):
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else \
        Qt.MouseButton.NoButton
    ev = QMouseEvent(kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons,
                     Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, ev)


def _drag(widget, points):
    left = Qt.MouseButton.LeftButton
    _send(widget, QEvent.Type.MouseButtonPress, points[0], left)
    for p in points[1:]:
        # a hand moves the mouse at most ~100 times a second, and pyqtgraph drops moves closer
        # than its mouseRateLimit (10 ms): a dropped first move meant no drag, only a click
        QTest.qWait(20)
        _send(widget, QEvent.Type.MouseMove, p, left)
        QApplication.processEvents()
    _send(widget, QEvent.Type.MouseButtonRelease, points[-1], Qt.MouseButton.NoButton)
    QApplication.processEvents()


def _settle(qtbot, view) -> None:
    vb = view.plot.getPlotItem().getViewBox()
    vb.disableAutoRange()
    last = None
    for _ in range(50):
        QApplication.processEvents()
        now = (tuple(map(tuple, vb.viewRange())), view.plot.viewport().size().toTuple())
        if now == last:
            return
        last = now
        qtbot.wait(100)
    raise AssertionError("the scatter view never settled")


def _to_widget(view, x, y) -> QPoint:
    vb = view.plot.getPlotItem().getViewBox()
    scene = vb.mapViewToScene(QPointF(x, y))
    return view.plot.mapFromScene(scene)


def test_lasso_then_flag_then_undo(qtbot, window, fresh_demo_project):
    view = _opened(qtbot, window, fresh_demo_project, "scatter")
    qtbot.waitUntil(lambda: view.projection is not None, timeout=60_000)
    # the plot gets room: choosing the tab grows the dock to half the window (it opens at 31 %)
    qtbot.waitUntil(lambda: window.analysis.height() >= 0.45 * window.height(), timeout=5_000)
    p = view.projection
    assert len(view.items) >= 2 and view.colour_by.count() >= 4
    # hover names the place under the cursor
    x0, y0 = float(p.xy[0, 0]), float(p.xy[0, 1])
    assert view.nearest(x0, y0) is not None
    assert view.describe(0).startswith(p.place_ids[0])
    # a rectangle drawn with the mouse around the densest quarter of the points — once the
    # view has settled: a late layout or range change between computing the corners and the
    # drag would move the rectangle under the mouse (seen on a loaded machine)
    _settle(qtbot, view)
    view.mode.setCurrentIndex(view.mode.findData("rect"))
    xs, ys = p.xy[:, 0], p.xy[:, 1]
    import numpy as np
    lo_x, hi_x = np.quantile(xs, [0.2, 0.6])
    lo_y, hi_y = np.quantile(ys, [0.2, 0.8])
    corners = [_to_widget(view, lo_x, hi_y), _to_widget(view, (lo_x + hi_x) / 2, lo_y),
               _to_widget(view, hi_x, lo_y)]
    _drag(view.plot.viewport(), corners)
    chosen = view.selected_ids()
    a, b = (view.plot.getPlotItem().getViewBox().mapSceneToView(
        view.plot.mapToScene(q)) for q in (corners[0], corners[-1]))
    inside = ((xs >= min(a.x(), b.x())) & (xs <= max(a.x(), b.x()))
              & (ys >= min(a.y(), b.y())) & (ys <= max(a.y(), b.y())))
    assert chosen and sorted(chosen) == sorted(p.place_ids[inside].tolist())
    assert sorted(window.browser.shown_place_ids()) == sorted(chosen)   # the browser follows
    assert view.flag_model.isEnabled()
    qtbot.mouseClick(view.flag_model, Qt.MouseButton.LeftButton)
    flagged = active_flags(window.state.conn)
    assert sorted(flagged["target_id"]) == sorted(chosen)
    assert set(flagged["action"]) == {"model_wrong"}
    assert window.undo_stack.count() == 1                              # one step
    window.undo_stack.undo()
    assert active_flags(window.state.conn).empty
    window.undo_stack.redo()
    assert len(active_flags(window.state.conn)) == len(chosen)
    # a lasso (free shape) selects what lies inside it (the view settled again: undo / redo
    # re-select places and may re-lay out the window)
    _settle(qtbot, view)
    view.mode.setCurrentIndex(view.mode.findData("lasso"))
    cx, cy = float(np.median(xs)), float(np.median(ys))
    sx, sy = float(xs.std()), float(ys.std())
    ring = [_to_widget(view, cx + sx * np.cos(t), cy + sy * np.sin(t))
            for t in np.linspace(0, 2 * np.pi, 24)]
    _drag(view.plot.viewport(), ring)
    assert 0 < len(view.selected_ids()) < len(p)


def _flags_by_ana(project):
    conn = open_project(project)
    rows = conn.execute("SELECT place_id, label FROM place_labels ORDER BY place_id "
                        "LIMIT 3").fetchall()
    flip = {"home": "work", "work": "home"}
    ids = [add_flag(conn, "ana", "place", p, "label_wrong", flip[label], note="night stays")
           for p, label in rows]
    conn.close()
    return ids


def test_review_accept_reject_then_restart_and_undo(qtbot, settings, fresh_demo_project):
    from auditor.gui.main_window import MainWindow
    flags = _flags_by_ana(fresh_demo_project)
    settings.analyst = "bob"
    window = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(window)
    window.show()
    view = _opened(qtbot, window, fresh_demo_project, "review")
    assert view.item is not None and view.item.event_id == flags[0]
    assert window.state.selection.place_id == view.item.place_id       # the map follows
    assert "ana" in view.headline.text() and view.item.pending == 3
    qtbot.mouseClick(view.accept, Qt.MouseButton.LeftButton)
    assert view.item.event_id == flags[1]
    view.note.setText("the label was right: night stays at home")
    qtbot.mouseClick(view.reject, Qt.MouseButton.LeftButton)
    states = review_state(window.state.conn).set_index("event_id")
    assert states.loc[flags[0], "review"] == "accepted"
    assert states.loc[flags[1], "review"] == "rejected"
    assert states.loc[flags[1], "review_note"] == "the label was right: night stays at home"
    assert view.agreement.rowCount() == 2                     # ana / bob: label_wrong, all
    assert window.undo_stack.count() == 2
    window.close()
    # a restart: the decisions are in the log, and undo takes the last one back
    again = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(again)
    again.show()
    view = _opened(qtbot, again, fresh_demo_project, "review")
    assert view.item.event_id == flags[2]
    assert again.undo_stack.count() == 2 and again.undo_stack.canUndo()
    again.undo_stack.undo()
    states = review_state(again.state.conn).set_index("event_id")
    assert states.loc[flags[1], "review"] == "pending"
    assert states.loc[flags[0], "review"] == "accepted"
    assert view.item.event_id == flags[1]
    # nobody reviews their own flags: ana's queue is empty
    again.state.set_analyst("ana")
    assert view.item is None and "No flag is pending" in view.headline.text()


def test_duplicates_row_shows_its_places_and_flags_them(qtbot, window, fresh_demo_project):
    view = _opened(qtbot, window, fresh_demo_project, "duplicates")
    assert view.table.rowCount() == len(view.rows) > 0
    row = next(i for i, (k, e) in enumerate(view.rows) if k == "outliers"
               and e["kind"] == "place")
    view.table.selectRow(row)
    _, entry = view.rows[row]
    assert window.browser.shown_place_ids() == [entry["id"]]
    assert window.state.selection.place_id == entry["id"]
    before = len(event_log(window.state.conn))
    qtbot.mouseClick(view.flag, Qt.MouseButton.LeftButton)
    log = event_log(window.state.conn)
    assert len(log) == before + 1
    last = log.iloc[-1]
    assert (last["target_kind"], last["target_id"], last["action"]) == ("place", entry["id"],
                                                                       "bad_data")


def test_feature_space_colours_labels_as_the_map_and_timeline_do():
    """Coloured by given or predicted label, a work place is the map's and the timeline's
    orange, not whichever palette colour its count ranks it (it was: other orange, work red)."""
    import numpy as np
    from PySide6.QtGui import QColor

    from auditor.gui.analyses.scatter import colour_groups
    from auditor.maps.timeline import CATEGORY_COLOURS, HOME, OTHER, WORK
    values = np.array(["other"] * 5 + ["home"] * 3 + ["work"] * 2 + [""])
    groups = {label: rgb for label, rgb, _ in colour_groups(values)[0]}
    for label, code in (("home", HOME), ("work", WORK), ("other", OTHER)):
        assert groups[label] == QColor(CATEGORY_COLOURS[code]).getRgb()[:3]
    # any other column keeps the palette by rank
    fleets = colour_groups(np.array(["corsa"] * 3 + ["bluebird"] * 2))[0]
    assert fleets[0][1] != fleets[1][1]


def test_clocks_tab_lists_a_rolled_over_clock_and_shows_its_vehicles_places(qtbot, window,
                                                                           tmp_path):
    """One device's stamps are 1024 weeks early (a GPS week-number rollover): the Clocks tab
    says so in the report's words, and its row shows that vehicle's places."""
    import pandas as pd

    from auditor.demo.generator import write_demo
    from auditor.ingest.api import ingest_paths
    from auditor.pipeline.api import infer_project
    files = write_demo(tmp_path / "fleet", vehicles=10, days=4, seed=3, firmware_fault=False)
    pings = pd.read_csv(files["pings"], dtype=str)
    vid = sorted(set(pings["vehicle_id"]))[4]
    ts = pd.to_datetime(pings["timestamp"], format="ISO8601", utc=True)
    ts = ts.where(pings["vehicle_id"] != vid, ts - pd.Timedelta(weeks=1024))
    pings["timestamp"] = ts.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    pings.to_csv(files["pings"], index=False)
    project = tmp_path / "p.db"
    ingest_paths(project, [files["vehicles"], files["pings"]])
    infer_project(project, seed=0)
    view = _opened(qtbot, window, project, "local_time")
    assert [(f["kind"], f["vehicle_id"]) for f in view.rows] == [("clock shifted?", vid)]
    assert view.table.rowCount() == 1 and "a multiple of 1024 weeks" in view.table.item(0, 2).text()
    view.table.selectRow(0)
    shown = window.browser.shown_place_ids()
    assert shown and all(p.startswith(f"{vid}:") for p in shown)
    assert window.state.selection.place_id == shown[0]
    assert "clock shifted? " + vid in view.message.text()


def test_clocks_tab_names_the_demos_faulty_firmware_and_shows_its_vehicles(qtbot, window,
                                                                          demo_project):
    """The demo's firmware fw-4.2.1 writes local wall-clock time marked UTC: each stamp agrees
    with itself, so no vehicle's clock disagrees with where it parks — but the population's
    day runs hours off the rest's by each vehicle's own offset. The tab names the firmware
    and the command that reads its pings again; its row shows that firmware's places."""
    from auditor.analysis.frames import vehicle_metadata
    from auditor.store import open_project
    view = _opened(qtbot, window, demo_project, "local_time")
    assert [(f["kind"], f["vehicle_id"]) for f in view.rows] == [
        ("clock off by hours?", "firmware = fw-4.2.1")]
    text = view.table.item(0, 2).text()
    assert "local time written as UTC?" in text
    assert "--only firmware=fw-4.2.1 --ignore-offset --tz vehicle --replace" in text
    conn = open_project(demo_project)
    meta = vehicle_metadata(conn)
    conn.close()
    faulty = set(meta.loc[meta["firmware"] == "fw-4.2.1", "vehicle_id"])
    view.table.selectRow(0)
    shown = window.browser.shown_place_ids()
    assert shown and {p.rsplit(":", 1)[0] for p in shown} <= faulty
    # the row's whole text, its command included, is below the table, to be copied
    assert view.message.text().endswith(text)
    view.message.setSelection(0, len(view.message.text()))
    assert view.message.selectedText() == view.message.text()


def test_clocks_tab_with_nothing_to_say_says_so(qtbot, window, tiny_project):
    """The tiny demo's vehicles file names each vehicle's zone, the zone where it parks, and
    no firmware's day is hours off the rest's (its 8 vehicles over 4 days are too few to say)."""
    view = _opened(qtbot, window, tiny_project, "local_time")
    assert view.rows == [] and view.table.rowCount() == 0
    assert "Every vehicle's clock agrees with where it parks" in view.intro.text()
