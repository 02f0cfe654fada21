"""Issue 14, item 1: one current place. The queue, the browser, the map, the details pane and
every shortcut act on it and show it, and after a click elsewhere the keyboard comes back to
where the shortcuts work. Driven as an analyst drives it: real clicks, real keys."""
import json

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from auditor.gui.analyses.suspicious import COL
from auditor.gui.app import wait_for_map

KEY = {"home": Qt.Key.Key_H, "work": Qt.Key.Key_W, "other": Qt.Key.Key_O}


def _page(window, qtbot, js):
    box = {}
    window.map.run_js(f"JSON.stringify({js})", lambda v: box.setdefault("v", v))
    qtbot.waitUntil(lambda: "v" in box, timeout=10_000)
    return json.loads(box["v"])


def _empty_map_point(window, qtbot) -> QPoint:
    """A point of the map widget where the page has no marker, line or control."""
    w, h = window.map.width(), window.map.height()
    candidates = [(int(w * fx), int(h * fy)) for fy in (0.5, 0.35, 0.65, 0.8)
                  for fx in (0.04, 0.1, 0.2, 0.3)]
    hits = _page(window, qtbot, "[" + ",".join(
        f"(function(){{var e=document.elementFromPoint({x},{y});"
        f"return !!e && (e.classList.contains('leaflet-container') || "
        f"e.classList.contains('leaflet-tile') || e.id === 'map' || "
        f"e.classList.contains('leaflet-pane'));}})()" for x, y in candidates) + "]")
    for (x, y), empty in zip(candidates, hits):
        if empty:
            return QPoint(x, y)
    raise AssertionError("no empty spot on the map")


def test_queue_row_then_empty_map_then_n_then_h_flags_the_place_on_screen(
        qtbot, window, fresh_demo_project):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    rows = window.analysis.report["suspicious"]
    # a row whose next row's given label is not home, so H is a real correction there
    # (rows on a place: a label on no place has its own test)
    k = next(i for i in range(len(rows) - 1) if rows[i + 1]["given_label"] != "home"
             and rows[i]["place_id"] and rows[i + 1]["place_id"]
             and rows[i]["place_id"] != rows[i + 1]["place_id"])
    window.analysis.show_tab("suspicious")
    queue = window.analysis.view("suspicious")
    window.activateWindow()

    # 1. click queue row k
    table = queue.table
    table.scrollToItem(table.item(k, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualItemRect(table.item(k, 1)).center())
    first = rows[k]["place_id"]
    assert window.place_id == first
    qtbot.waitUntil(lambda: wait_for_map(window, 0) and window.map.vehicle_id == window.vehicle_id,
                    timeout=30_000)

    # 2. click an empty spot of the map: nothing is selected, the keyboard comes back
    point = _empty_map_point(window, qtbot)
    target = window.map.focusProxy() or window.map
    focus_went_to = []
    QApplication.instance().focusChanged.connect(lambda old, now: focus_went_to.append(now))
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton, pos=point)
    qtbot.wait(300)  # longer than the bridge's debounce: a click on the page would have landed
    assert window.place_id == first
    # the click did take the keyboard into the map, and it came back to the queue
    assert any(w is not None and (w is window.map or window.map.isAncestorOf(w))
               for w in focus_went_to)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table, timeout=5_000)

    # 3. N, typed where the keyboard is: the next row of the queue, shown everywhere
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N)
    second = rows[k + 1]["place_id"]
    assert window.place_id == second
    assert queue.current_place() == second
    assert queue.reason.text().startswith(f"#{k + 2} {second}")
    assert window.browser.current_place()["place_id"] == second
    assert window.panel.place_id == second and second in window.panel.heading.text()
    qtbot.waitUntil(lambda: window.map.ready and window.map.vehicle_id == window.vehicle_id,
                    timeout=30_000)
    qtbot.waitUntil(lambda: _page(window, qtbot, "window.auditor.selectedPlace()") == second,
                    timeout=10_000)

    # 4. H: the flag lands on that place
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_H)
    events = window.project.conn.execute(
        "SELECT target_kind, target_id, action, new_value FROM flag_events").fetchall()
    assert events == [("place", second, "label_wrong", "home")]
    assert queue.table.item(k + 1, COL["flags"]).text() == "label→home"
    window.close()


def test_a_place_outside_the_queue_clears_its_highlight_and_n_goes_on(qtbot, window,
                                                                     fresh_demo_project):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    rows = window.analysis.report["suspicious"]
    queue = window.analysis.view("suspicious")
    window.analysis.show_tab("suspicious")
    queue.select_row(0)
    in_queue = {r["place_id"] for r in rows}
    other = next(p for p in window.browser.shown_place_ids()
                 if p not in in_queue and p not in queue.shown_at.values())
    window.browser.select_row(window.browser.model.row_of(other))  # picked in the table
    assert window.place_id == other and queue.current_place() is None
    assert "not in the queue" in queue.reason.text()
    assert window.state.walk == "browser"
    # picked on the map instead (the walk stays with the queue): N goes on from row 0
    queue.select_row(0)
    window.state.select_place(other)
    assert queue.current_place() is None and "N goes on with #2" in queue.reason.text()
    window.keys.next_row()
    # (row 2 may be a label on no place: then its vehicle's place nearest to the label)
    assert window.place_id == (rows[1]["place_id"] or queue.shown_at[1]) == queue.current_place()
    window.close()


def test_opening_the_queue_tab_makes_n_walk_the_queue_and_the_hint_says_what_n_does(
        qtbot, window, fresh_demo_project):
    """Seen driving the app: the window opens on a place of the table, the analyst opens the
    Suspicious labels tab (which said 'N goes on with #1') and presses N — and N walked the
    table instead, so the next H flagged a place that was never in the queue."""
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    rows = window.analysis.report["suspicious"]
    in_queue = {r["place_id"] for r in rows}
    start = next(p for p in window.browser.shown_place_ids() if p not in in_queue)
    window.browser.select_row(window.browser.model.row_of(start))
    assert window.state.walk == "browser"
    queue = window.analysis.view("suspicious")
    # the queue says what N does while the place came from the table
    assert "N walks the places table" in queue.reason.text()
    assert "N goes on" not in queue.reason.text()
    window.analysis.show_tab("suspicious")
    assert window.state.walk == "queue"
    assert queue.reason.text().endswith("N goes on with #1.")
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_N)
    assert window.place_id == (rows[0]["place_id"] or queue.shown_at[0])
    assert window.place_id != start and queue.current_place() == window.place_id
    window.close()
