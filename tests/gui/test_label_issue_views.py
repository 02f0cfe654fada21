"""Issue 11's GUI parts on real widgets: the suspicious-labels tab lists the labels that matched
no place and the two-labels-on-one-place entries with their reason (the surest wrong labels),
and a click on one shows its vehicle with the label drawn beside its nearest place; orphaned
flags are listed with a way to re-attach them (to the place clicked on the map, or a listed
candidate) or revoke them, each one undo step."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from auditor.geo import haversine_m
from auditor.gui.analyses.suspicious import COL
from auditor.gui.app import wait_for_map
from auditor.ingest.api import ingest_paths
from auditor.pipeline.api import infer_project
from auditor.store import open_project


def _page_value(view, qtbot, js):
    box = {}
    view.run_js(f"JSON.stringify({js})", lambda v: box.setdefault("v", v))
    qtbot.waitUntil(lambda: "v" in box, timeout=10_000)
    return json.loads(box["v"])


def _click_row(qtbot, table, row, col=1):
    table.scrollToItem(table.item(row, col))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualItemRect(table.item(row, col)).center())


# --- labels on no place and two labels on one place ---------------------------------------

@pytest.fixture
def planted(fresh_tiny_project, tmp_path):
    """The tiny demo project with three more labels imported the way a user would, then
    inferred again: for one unlabelled vehicle a home and a work label on the same point (its
    most visited place: two labels on one place), for another a home label 3 km from every
    place it has."""
    conn = open_project(fresh_tiny_project)
    labelled = {r[0] for r in conn.execute("SELECT DISTINCT vehicle_id FROM labels")}
    bare = [v for (v,) in conn.execute("SELECT DISTINCT vehicle_id FROM places "
                                       "ORDER BY vehicle_id") if v not in labelled]
    twice, far_one = bare[0], bare[1]
    lat, lon = conn.execute("SELECT lat, lon FROM places WHERE vehicle_id = ? "
                            "ORDER BY n_stops DESC, place_id LIMIT 1", (twice,)).fetchone()
    north = conn.execute("SELECT MAX(lat), MAX(lon) FROM places WHERE vehicle_id = ?",
                         (far_one,)).fetchone()
    conn.close()
    path = tmp_path / "more_labels.csv"
    pd.DataFrame({"vehicle_id": [twice, twice, far_one], "label": ["home", "work", "home"],
                  "lat": [lat, lat, north[0] + 0.03],      # ~3.3 km north of its places
                  "lon": [lon, lon, north[1]]}).to_csv(path, index=False, float_format="%.6f")
    ingest_paths(fresh_tiny_project, [path], kind="labels")
    infer_project(fresh_tiny_project, seed=0)
    return fresh_tiny_project, twice, far_one


def test_queue_lists_labels_on_no_place_and_two_labels_on_one_place(qtbot, window, planted):
    project, twice, bare = planted
    window.open_project(project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    rows = window.analysis.report["suspicious"]
    window.analysis.show_tab("suspicious")
    queue = window.analysis.view("suspicious")
    table = queue.table
    assert table.rowCount() == len(rows)   # every entry, those on no place included

    # the work label on the home label's place: it matched no place, and says why
    same = next(i for i, r in enumerate(rows) if r["vehicle_id"] == twice
                and r["unmatched_reason"] == "same_place_as_other_label")
    assert table.item(same, COL["place"]).text() == "no place"
    assert table.item(same, COL["issue"]).text() == \
        "two labels, one place (this one matched none)"
    assert table.item(same, COL["given"]).text() == "work"
    assert "already holds" in table.item(same, COL["reason"]).text()
    # the home label that holds the place carries the same finding
    holder = next(i for i, r in enumerate(rows) if r["vehicle_id"] == twice
                  and r["given_label"] == "home" and r["place_id"] is not None)
    assert table.item(holder, COL["issue"]).text() == "two labels, one place"
    assert "points at this place too" in table.item(holder, COL["reason"]).text()
    # the far label: on no place, with the distance rule in words
    far = next(i for i, r in enumerate(rows) if r["vehicle_id"] == bare)
    assert table.item(far, COL["issue"]).text() == "on no place: no place within 250m"
    assert "No place of the vehicle within 250 m" in table.item(far, COL["reason"]).text()
    assert "2 labels on no place" in queue.intro.text() or \
        "labels on no place" in queue.intro.text()
    # the surest wrong labels stand out from the rest
    plain = next(i for i, r in enumerate(rows) if r["place_id"] is not None and
                 "two_labels_one_place" not in r["findings"])
    assert table.item(far, COL["issue"]).background() != \
        table.item(plain, COL["issue"]).background()

    # a click on the far label: its vehicle, with the place nearest to the label current
    window.activateWindow()
    _click_row(qtbot, table, far)
    assert window.vehicle_id == bare and window.state.selection.whole_vehicle
    nearest = window.place_id
    places = pd.read_sql_query("SELECT place_id, lat, lon FROM places WHERE vehicle_id = ?",
                               window.project.conn, params=(bare,))
    d = haversine_m(rows[far]["lat"], rows[far]["lon"], places["lat"], places["lon"])
    assert nearest == places["place_id"].iloc[int(np.argmin(d))]
    assert queue.current_place() == nearest and table.currentRow() == far
    assert f"home label {rows[far]['label_id']} of {bare} matched no place" in \
        queue.reason.text() and nearest in queue.reason.text()
    # the map draws the label as its point, with lines to its nearest places
    qtbot.waitUntil(lambda: wait_for_map(window, 0) and window.map.vehicle_id == bare,
                    timeout=30_000)
    qtbot.waitUntil(lambda: _page_value(window.map, qtbot, "document.querySelectorAll("
                                        "'.auditor-unmatched').length") == 1, timeout=10_000)
    # N walks on from there
    qtbot.keyClick(table, Qt.Key.Key_N)
    assert table.currentRow() == far + 1
    window.close()


# --- orphaned flags -------------------------------------------------------------------------

# one synthetic vehicle parking at chosen points, its pings through the real ingest (as in
# tests/test_flag_anchors.py): shops A and B 150 m apart are one place while stops at M, between
# them, join them, and two places once M's pings are replaced
DAY, T0, HOME = 86_400, 1_772_409_600, (48.0, 11.0)   # T0: 2026-03-02 00:00 UTC
M_PER_DEG = 111_195.0
SHOP_A = (48.02, 11.0)
SHOP_M = (48.02 + 75 / M_PER_DEG, 11.0)
SHOP_B = (48.02 + 150 / M_PER_DEG, 11.0)


def _visits(days, spots):
    """Each day: home -> each spot in turn (an hour there, 10 min drives) -> home."""
    parts = []
    for d in days:
        t, here = T0 + d * DAY + 9 * 3600, HOME
        for spot in [*spots, HOME]:
            f = np.linspace(0, 1, 21)
            ts = t + np.arange(21) * 30
            parts.append(pd.DataFrame({"ts": ts, "lat": here[0] + f * (spot[0] - here[0]),
                                       "lon": here[1] + f * (spot[1] - here[1])}))
            t, here = ts[-1] + 3600, spot
    frame = pd.concat(parts, ignore_index=True)
    frame["vehicle_id"] = "v"
    frame["timestamp"] = pd.to_datetime(frame["ts"], unit="s", utc=True) \
        .dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return frame[["vehicle_id", "timestamp", "lat", "lon"]]


def _write(frame, path):
    frame.to_csv(path, index=False, float_format="%.7f")
    return path


def _place_at(conn, point):
    rows = conn.execute("SELECT place_id, lat, lon FROM places").fetchall()
    return min((haversine_m(point[0], point[1], a, b), p) for p, a, b in rows)[1]


def _split_orphan(tmp_path):
    """A project whose one flag is orphaned because its place split in two: returns
    (project, event id, place a, place b)."""
    from auditor.audit.flags import add_flag
    project = tmp_path / "s.db"
    both = pd.concat([_visits(range(0, 4), [SHOP_A, SHOP_B]), _visits(range(4, 6), [SHOP_M])])
    ingest_paths(project, [_write(both, tmp_path / "all.csv")])
    infer_project(project)
    conn = open_project(project)
    one = _place_at(conn, SHOP_A)
    assert _place_at(conn, SHOP_B) == one
    e = add_flag(conn, "bob", "place", one, "bad_data", note="kerb")
    conn.close()
    ingest_paths(project, [_write(_visits(range(0, 4), [SHOP_A, SHOP_B]),
                                  tmp_path / "without_m.csv")], replace=True)
    infer_project(project)
    conn = open_project(project)
    a, b = _place_at(conn, SHOP_A), _place_at(conn, SHOP_B)
    conn.close()
    assert a != b
    return project, e, a, b


def _in_force(conn):
    return conn.execute("SELECT event_id, current_target, status FROM flags_in_force "
                        "WHERE action = 'bad_data'").fetchall()


def test_orphaned_flags_are_listed_and_settled_in_the_app(qtbot, window, tmp_path):
    project, e, a, b = _split_orphan(tmp_path)
    window.open_project(project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    window.analysis.show_tab("orphaned_flags")
    view = window.analysis.view("orphaned_flags")
    qtbot.waitUntil(view.isVisible, timeout=5_000)   # a new tab's view is shown by the loop
    assert view.table.rowCount() == 1
    assert view.table.item(0, 0).text() == str(e)
    assert view.table.item(0, 1).text() == "bob"
    assert view.table.item(0, 2).text() == "bad data"
    why = view.table.item(0, 6).text()
    assert a in why and b in why          # split over the two places that now hold its stops
    assert view.headline.text().startswith("1 place flag points at no place")
    assert {view.places.item(r, 0).text() for r in range(view.places.rowCount())} >= {a, b}

    # pick it: its vehicle on the map, the likeliest place current
    _click_row(qtbot, view.table, 0, col=0)
    assert window.place_id == view.candidates[0]["place_id"] and window.state.selection.whole_vehicle
    # a click on place b on the map, then "re-attach to the current place"
    qtbot.waitUntil(lambda: wait_for_map(window, 0), timeout=30_000)
    window.map.bridge.placeClicked(window.vehicle_id, b)
    qtbot.waitUntil(lambda: window.place_id == b, timeout=5_000)
    assert view.to_current.isEnabled() and view.to_current.text().endswith(b)
    qtbot.mouseClick(view.to_current, Qt.MouseButton.LeftButton)
    conn = window.project.conn
    (new, target, status), = _in_force(conn)
    assert (target, status) == (b, "attached") and new != e
    assert conn.execute("SELECT replaces, analyst FROM flag_events WHERE event_id = ?",
                        (new,)).fetchone() == (e, "ana")
    assert view.table.rowCount() == 0 and view.headline.text().startswith("No orphaned flags")
    assert "orphaned" not in window.analysis.status.text()

    # Edit ▸ Undo: the flag is an orphan again, listed again
    window.undo_stack.undo()
    assert _in_force(conn) == [(e, None, "orphaned")]
    assert view.table.rowCount() == 1 and view.current_flag() == e

    # or a listed candidate: place a
    row = next(r for r in range(view.places.rowCount()) if view.places.item(r, 0).text() == a)
    _click_row(qtbot, view.places, row, col=0)
    qtbot.mouseClick(view.to_candidate, Qt.MouseButton.LeftButton)
    assert [(t, s) for _, t, s in _in_force(conn)] == [(a, "attached")]
    window.undo_stack.undo()

    # or revoke it: nothing left in force, and undo brings it back
    qtbot.mouseClick(view.revoke, Qt.MouseButton.LeftButton)
    assert _in_force(conn) == [] and view.table.rowCount() == 0
    assert "revoked flag" in view.message.text()
    window.undo_stack.undo()
    assert [s for _, _, s in _in_force(conn)] == ["orphaned"] and view.table.rowCount() == 1
    window.close()
