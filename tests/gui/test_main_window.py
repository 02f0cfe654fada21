"""The analyst's loop on real widgets: select, click on the map, flag, undo, redo, restart."""
import json

from PySide6.QtCore import Qt

from auditor.gui.app import page_places, wait_for_map
from auditor.gui.main_window import MainWindow
from auditor.gui.views.browser_model import COL


def _events(window):
    return window.project.conn.execute(
        "SELECT event_id, analyst, target_kind, target_id, action, new_value, revokes "
        "FROM flag_events ORDER BY event_id").fetchall()


def _page_json(window, qtbot, js):
    box = {}
    window.map.run_js(f"JSON.stringify({js})", lambda v: box.setdefault("v", v))
    qtbot.waitUntil(lambda: "v" in box, timeout=10_000)
    return json.loads(box["v"])


def _flag_text(window, place_id):
    m = window.browser.model
    row = m.row_of(place_id)
    return m.data(m.index(row, COL["flags"]))


def _pick_vehicle(window):
    return window.project.conn.execute(
        "SELECT vehicle_id FROM places GROUP BY vehicle_id HAVING COUNT(*) >= 3 "
        "ORDER BY vehicle_id DESC LIMIT 1").fetchone()[0]


def test_select_click_flag_undo_redo_and_restore(qtbot, window, settings, fresh_demo_project):
    window.open_project(fresh_demo_project)
    vid = _pick_vehicle(window)
    window.select_vehicle(vid)
    assert window.vehicle_id == vid
    qtbot.waitUntil(lambda: wait_for_map(window, 0) and window.map.vehicle_id == vid, timeout=30_000)

    # the page shows exactly this vehicle's places
    db_ids = {r[0] for r in window.project.conn.execute(
        "SELECT place_id FROM places WHERE vehicle_id = ?", (vid,))}
    page_ids = _page_json(window, qtbot, "window.auditor.placeIds")
    assert set(page_ids) == db_ids and page_places(window) == len(db_ids)
    assert window.timeline.timeline.vehicle_id == vid

    # a click as the page makes it: the bridge slot, debounced, selects the place everywhere
    target = sorted(db_ids)[1]
    with qtbot.waitSignal(window.map.bridge.placeSelected, timeout=3000):
        window.map.bridge.placeClicked(vid, target)
    assert window.place_id == target == window.panel.place_id
    assert window.browser.current_place()["place_id"] == target
    # a stale page (other vehicle) or an unknown id is refused
    rejected = window.map.bridge.rejected
    window.map.bridge.placeClicked("not-this-vehicle", target)
    window.map.bridge.placeClicked(vid, "<script>")
    assert window.map.bridge.rejected == rejected + 2

    # the same through the page's own handler
    first = sorted(db_ids)[0]
    with qtbot.waitSignal(window.map.bridge.placeSelected, timeout=5000):
        window.map.run_js(f"auditorClick('place', {json.dumps(first)})")
    assert window.place_id == first
    # and the other way: a row chosen in the table is selected on the page
    window.browser.select_row(window.browser.model.row_of(target))
    qtbot.waitUntil(lambda: _page_json(window, qtbot, "window.auditor.selectedPlace()") == target,
                    timeout=5000)
    window.browser.select_row(window.browser.model.row_of(first))

    # H flags "label is wrong -> home"; the event is committed and the column updates at once
    window.activateWindow()
    window.browser.table.setFocus()
    qtbot.keyClick(window.browser.table, Qt.Key.Key_H)
    events = _events(window)
    assert [(e[1], e[2], e[3], e[4], e[5]) for e in events] == [
        ("ana", "place", first, "label_wrong", "home")]
    assert _flag_text(window, first) == "label→home"

    window.undo_action.trigger()
    events = _events(window)
    assert len(events) == 2 and events[1][4] == "revoke" and events[1][6] == events[0][0]
    assert _flag_text(window, first) == ""
    window.redo_action.trigger()
    events = _events(window)
    assert len(events) == 3 and events[2][4:6] == ("label_wrong", "home")
    assert _flag_text(window, first) == "label→home"

    # M then undo: leaves one thing to redo after the restart
    qtbot.keyClick(window.browser.table, Qt.Key.Key_M)
    window.undo_action.trigger()
    assert len(_events(window)) == 5
    assert window.undo_stack.canUndo() and window.undo_stack.canRedo()
    window.close()

    # restart: the state and the undo history come back from the log
    again = MainWindow(settings=settings, interactive=False)
    qtbot.addWidget(again)
    again.show()
    again.open_project(fresh_demo_project)
    assert _flag_text(again, first) == "label→home"
    assert again.undo_stack.canUndo() and again.undo_stack.canRedo()
    assert "model wrong" in again.redo_action.text()
    again.redo_action.trigger()
    assert _flag_text(again, first) == "label→home, model wrong"
    again.undo_action.trigger()
    again.undo_action.trigger()
    assert _flag_text(again, first) == ""
    assert not again.undo_stack.canUndo()
    assert len(_events(again)) == 8  # nothing deleted: 4 flag events (2 of them redos), 4 revokes
    assert [e[4] for e in _events(again)].count("revoke") == 4


def test_next_row_key_and_trip_flag(qtbot, window, fresh_demo_project):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.place_id is not None)  # the first row, once the table painted
    first = window.place_id
    window.activateWindow()
    window.browser.table.setFocus()
    qtbot.keyClick(window.browser.table, Qt.Key.Key_N)
    assert window.place_id != first and window.browser.current_place()["place_id"] == window.place_id
    trip = window.project.conn.execute("SELECT trip_id, vehicle_id, start_ts, end_ts FROM trips "
                                       "WHERE vehicle_id = ? LIMIT 1", (window.vehicle_id,)).fetchone()
    with qtbot.waitSignal(window.map.bridge.tripSelected, timeout=3000):
        window.map.bridge.tripClicked(window.vehicle_id, trip[0])
    assert window.panel.trip_id == trip[0] and window.timeline.trip_id == trip[0]
    # the trip's speed shows under it in the details pane, its times in the vehicle's clock
    speed = window.panel.speed
    assert speed.isVisible() and len(speed.speed_curve.xData) > 0
    assert "America/" in window.panel.trip_label.text() or \
        "Europe/" in window.panel.trip_label.text()
    window.keys.flag_trip()
    events = _events(window)
    assert [(e[2], e[3], e[4]) for e in events] == [
        ("ping_range", f"{trip[1]}|{trip[2]}|{trip[3]}", "bad_data")]


def test_timeline_cell_selects_place(qtbot, window, fresh_demo_project):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.timeline.timeline is not None)
    tl = window.timeline.timeline
    import numpy as np

    from auditor.maps.timeline import DRIVING, NO_DATA
    rows, cols = np.nonzero((tl.raster != NO_DATA) & (tl.raster != DRIVING))
    kind, target = window.timeline.cell_target(int(rows[-1]), int(cols[-1]))
    assert kind == "place"
    window.timeline.choose(kind, target)  # what a click on that cell does
    assert window.place_id == target == window.panel.place_id
    assert window.browser.current_place()["place_id"] == target


def test_welcome_screen_lists_recent_and_about_names_version(qtbot, window, settings, fresh_demo_project):
    from auditor import __version__
    assert window.stack.currentWidget() is window.welcome
    settings.add_recent(fresh_demo_project)
    window.close_project()
    window._show_welcome()
    items = [window.welcome.recent.item(i).data(Qt.ItemDataRole.UserRole)
             for i in range(window.welcome.recent.count())]
    assert str(fresh_demo_project.resolve()) in items
    box = window.show_about()
    assert __version__ in box.text()
    box.close()
    window.welcome.openRecent.emit(str(fresh_demo_project))
    assert window.project is not None and window.stack.currentWidget() is window.main_split


def test_layout_persists_and_the_basemap_belongs_to_each_project(qtbot, settings,
                                                                 fresh_demo_project, tmp_path):
    from auditor.store import open_project
    other = tmp_path / "other.db"
    open_project(other, create=True).close()
    w = MainWindow(settings=settings, interactive=True)
    qtbot.addWidget(w)
    w.show()
    assert not w.basemap_menu.isEnabled()  # no project: nothing to choose for
    w.open_project(fresh_demo_project)
    w.main_split.setSizes([300, 800])
    w.choose_basemap("custom", "https://tiles.example.org/{z}/{x}/{y}.png")
    assert "custom" in w.status.basemap.text()
    w.choose_basemap("custom", "http://tiles.example.org/{z}/{x}/{y}.png")  # refused: http
    w.choose_basemap("custom", "not a url")  # refused with a dialog, the choice unchanged
    assert w.state.basemap == "https://tiles.example.org/{z}/{x}/{y}.png"
    # another project does not inherit it: its homes never go to that tile server
    w.open_project(other)
    assert w.state.basemap == "none" and w.basemap_actions["none"].isChecked()
    assert "off" in w.status.basemap.text().lower()
    w.open_project(fresh_demo_project)
    assert w.basemap_actions["custom"].isChecked()
    sizes = w.main_split.sizes()
    w.close()
    w2 = MainWindow(settings=settings, interactive=True)
    qtbot.addWidget(w2)
    w2.show()
    w2.open_project(fresh_demo_project)
    # the browser keeps its width (the map takes what the restored window has left)
    assert w2.main_split.sizes()[0] == sizes[0] == 300
    assert w2.basemap_actions["custom"].isChecked()
    w2.choose_basemap("none")
    assert "off" in w2.status.basemap.text().lower()
    w2.close()


def test_undo_after_the_log_changed_underneath_resyncs_the_menu(qtbot, window,
                                                                 fresh_demo_project):
    from PySide6.QtWidgets import QMessageBox

    from auditor.audit.flags import revoke
    from auditor.store import open_project
    window.open_project(fresh_demo_project)
    first, second = [r[0] for r in window.project.conn.execute(
        "SELECT place_id FROM places ORDER BY place_id LIMIT 2")]
    window.select_place(first)
    a = window.keys.flag_place("model_wrong")
    window.select_place(second)
    b = window.keys.flag_place("model_wrong")
    assert second in window.undo_action.text()
    other = open_project(fresh_demo_project)
    revoke(other, "bob", b)  # another analyst (or an imported log) takes it back
    other.close()
    n = len(_events(window))
    window.undo_action.trigger()  # still says "Undo flag <second>"
    assert len(_events(window)) == n  # refused: nothing revoked in ana's name
    boxes = [x for x in window.findChildren(QMessageBox) if x.isVisible()]
    assert len(boxes) == 1 and "flag log changed" in boxes[0].text()
    boxes[0].close()
    # the menu is rebuilt from the log: what is left is the first flag
    qtbot.waitUntil(lambda: not window.undo_stack.canRedo(), timeout=3000)
    assert first in window.undo_action.text() and window.undo_stack.count() == 1
    window.undo_action.trigger()
    last = _events(window)[-1]
    assert last[1:5] == ("ana", "place", first, "revoke") and last[6] == a
    assert not window.undo_stack.canUndo() and second not in window.redo_action.text()


def test_status_lines_say_who_labelled_and_count_flags_where_they_point_now(
        qtbot, window, fresh_tiny_project):
    """Issue 11's additions on issue 13's views: a flag made under an id that now names another
    place counts on the place holding its stops; an orphaned flag is counted apart (status bar
    and the Analysis dock's headline), which also names the labeller."""
    from auditor.audit.anchors import place_anchor, resolve_flags, write_anchor
    from auditor.audit.flags import insert_event, utc_now
    from auditor.store import open_project, transaction
    conn = open_project(fresh_tiny_project)
    vid, p, q = conn.execute(
        "SELECT a.vehicle_id, a.place_id, b.place_id FROM places a JOIN places b "
        "ON a.vehicle_id = b.vehicle_id AND a.place_id < b.place_id "
        "ORDER BY a.place_id LIMIT 1").fetchone()
    with transaction(conn):
        moved = insert_event(conn, "bob", utc_now(), "place", p, "model_wrong", None, None,
                             None, None)
        anchor = place_anchor(conn, q)            # q's stops: flagged when they were under p
        write_anchor(conn, moved, {**anchor, "place_id": p}, "imported")
        orphan = insert_event(conn, "bob", utc_now(), "place", f"{vid}:99", "bad_data", None,
                              None, None, None)   # no anchor, no such place: orphaned
        resolve_flags(conn)
    conn.close()

    window.open_project(fresh_tiny_project)
    counts = window.status.counts.text()
    assert "1 place flagged" in counts and "1 orphaned flag" in counts
    assert _flag_text(window, q) == "model wrong" and _flag_text(window, p) == ""
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    headline = window.analysis.status.text()
    # the labeller the training vehicles chose (on this tiny fleet often the baseline)
    chosen = window.analysis.report["labels_source"]["labeller"]
    words = {"model": "labels by the model",
             "stacked": "labels by the model stacked with the 02:00 baseline",
             "baseline": "labels by the 02:00 baseline, which the model did not beat "
                         "out-of-fold"}[chosen]
    assert chosen == window.analysis.report["validation"]["labeller"]["chosen"]
    assert headline.startswith(f"Run {window.project.run_id} ({words}): ")
    assert "(02:00 baseline " in headline   # both accuracies
    assert headline.endswith(" · 1 orphaned flag")
    # re-attaching the orphan (undoably) settles it: both lines follow the flags, not the
    # report cached for the run
    from auditor.audit.flags import FlagSpec
    window.state.flag(FlagSpec("place", q, "bad_data", None, None, orphan))
    assert "orphaned" not in window.status.counts.text()
    assert "orphaned" not in window.analysis.status.text()
    assert _flag_text(window, q) == "model wrong, bad data"
    window.state.undo()
    assert window.analysis.status.text() == headline
    assert "1 orphaned flag" in window.status.counts.text()


def test_feature_table_shows_coordinates_to_a_metre(qtbot, window, fresh_demo_project):
    """The place's lat/lon in the feature table are its stored coordinates to 5 decimals:
    with 3 significant digits a place at lon -179.969 read as -180."""
    window.open_project(fresh_demo_project)
    place_id, lat, lon = window.project.conn.execute(
        "SELECT place_id, lat, lon FROM place_features ORDER BY place_id LIMIT 1").fetchone()
    window.select_place(place_id)
    table = window.panel.features
    texts = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert texts["lat"] == f"{lat:.5f}" and texts["lon"] == f"{lon:.5f}", (texts, lat, lon)
