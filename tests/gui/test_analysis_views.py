"""Issue 5 in the GUI, on real widgets and the shared demo project: the analysis report is
computed off the GUI thread and cached per run; confusion cells, tree nodes and the suspicious
queue lead to exactly their places in the browser and on the map; evidence and skew figures
are shown with their thresholds and sample sizes."""
import json

import pytest
from PySide6.QtCore import Qt

from auditor.analysis.error_tree import slice_members
from auditor.analysis.evidence import evidence_frame
from auditor.analysis.frames import CLASSES
from auditor.analysis.words import FEATURE_WORDS
from auditor.gui.analyses.common import column_texts
from auditor.gui.analyses.skew import FCOL
from auditor.gui.analyses.suspicious import COL
from auditor.gui.analyses.validation import POPULATION_HEADERS as POP_HEADERS
from auditor.gui.app import wait_for_map
from auditor.gui.views.browser_model import PlaceTableModel
from auditor.maps.drift_map import render_drift_map
from auditor.store import open_project
from auditor.store.queries import latest_run_id


def _page_value(view, qtbot, js):
    box = {}
    view.run_js(f"JSON.stringify({js})", lambda v: box.setdefault("v", v))
    qtbot.waitUntil(lambda: "v" in box, timeout=10_000)
    return json.loads(box["v"])


@pytest.fixture
def opened(qtbot, window, demo_project):
    """The window on the (read-only) demo project, with its analysis computed."""
    window.open_project(demo_project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    qtbot.waitUntil(lambda: wait_for_map(window, 0), timeout=30_000)
    return window


def _shown_ids(window):
    return window.browser.shown_place_ids()


def test_report_is_computed_in_background_and_cached_per_run(qtbot, opened, tmp_path):
    w = opened
    dock = w.analysis
    from auditor.analysis.report import build_report
    from auditor.analysis.results import run_identity
    identity = run_identity(w.project.conn, w.project.run_id)
    assert dock.cache.get(identity) is w.state.analysis
    assert w.state.analysis.run_id == w.project.run_id
    # the views show the same report the CLI prints (two sections recomputed to compare)
    shown = w.state.analysis.report
    again = build_report(w.project.conn, only=("validation", "suspicious"))
    assert all(shown[k] == again[k] for k in again)
    assert w.analysis.report["validation"]["n"] > 0
    # the tab lists every entry of the queue, labels on no place included
    assert dock.view("suspicious").table.rowCount() == len(w.analysis.report["suspicious"])
    # re-opening the same run is served from the cache at once: no second computation
    before = dock.loader.started
    w.open_project(w.project.path)
    assert w.state.analysis is dock.cache.get(identity) and dock.loader.started == before
    assert not dock.loader.busy


def test_confusion_cell_shows_exactly_its_places(qtbot, opened):
    w = opened
    conf = w.analysis.report["validation"]["confusion"]
    # an error cell if the model made one, else the biggest cell
    cells = [(conf[g][p], g != p, i, j) for i, g in enumerate(CLASSES)
             for j, p in enumerate(CLASSES) if conf[g][p]]
    n, _, i, j = max(cells, key=lambda c: (c[1], c[0]))
    confusion = w.analysis.view("validation").confusion
    rect = confusion.visualItemRect(confusion.item(i, j))
    qtbot.mouseClick(confusion.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    expected = sorted(r[0] for r in w.project.conn.execute(
        "SELECT place_id FROM predictions WHERE run_id = ? AND split = 'validation' "
        "AND given_label = ? AND predicted_label = ?", (w.project.run_id, CLASSES[i], CLASSES[j])))
    assert len(expected) == n
    assert sorted(_shown_ids(w)) == expected
    assert w.browser.subset_bar.isVisibleTo(w.browser)
    # the first row is selected, and the map and details follow it
    first = w.browser.model.place_at(0)["place_id"]
    assert w.place_id == first == w.panel.place_id
    assert w.browser.current_place()["place_id"] == first
    qtbot.waitUntil(lambda: w.map.ready and w.map.vehicle_id == w.vehicle_id, timeout=30_000)
    qtbot.waitUntil(lambda: _page_value(w.map, qtbot, "window.auditor.selectedPlace()") == first,
                    timeout=10_000)
    # Show all brings every place back
    w.browser.subset_clear.click()
    assert w.browser.model.subset is None and w.browser.model.total > n


def test_error_tree_node_filters_browser_to_slice_members(qtbot, opened):
    w = opened
    view = w.analysis.view("tree")
    assert view.items, "the demo project grows a tree"
    # a leaf (a real slice, smaller than the root)
    leaf_id = w.analysis.report["error_tree"]["leaves"][0]["id"]
    item = view.items[leaf_id]
    view.tree.scrollToItem(item)
    rect = view.tree.visualItemRect(item)
    qtbot.mouseClick(view.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    expected = slice_members(w.project.conn, leaf_id, w.project.run_id)
    shown = _shown_ids(w)
    assert expected and sorted(shown) == sorted(expected)
    assert w.place_id in expected
    # the node's errors (out-of-fold label differs from the given one) are listed first
    from auditor.analysis import frames
    lab = frames.labelled(frames.predictions(w.project.conn, w.project.run_id))
    wrong = set(lab.loc[lab["wrong"].astype(bool), "place_id"])
    leaf = next(x for x in w.analysis.report["error_tree"]["leaves"] if x["id"] == leaf_id)
    assert leaf["errors"] > 0, "the worst leaf of the demo has errors"
    assert set(shown[:leaf["errors"]]) <= wrong and not set(shown[leaf["errors"]:]) & wrong
    assert w.place_id == shown[0] and "errors first" in w.browser.subset_label.text()
    # each node shows its count and error rate; the root covers every labelled place
    root = view.tree.topLevelItem(0)
    t = w.analysis.report["error_tree"]
    assert root.text(1) == f"{t['n']:,}" and root.text(2) == f"{t['errors']:,}"
    assert item.background(0).color() != root.background(0).color() or \
        t["leaves"][0]["error_rate"] == t["root"]["error_rate"]


def _two_placed_rows(rows) -> int:
    """The first queue row i such that rows i and i + 1 are on two different places."""
    return next(i for i in range(len(rows) - 1)
                if rows[i]["place_id"] and rows[i + 1]["place_id"]
                and rows[i]["place_id"] != rows[i + 1]["place_id"])


def test_suspicious_queue_next_key_advances_and_selects_on_map(qtbot, opened):
    w = opened
    queue = w.analysis.view("suspicious")
    rows = w.analysis.report["suspicious"]
    assert len(rows) >= 2, "the demo fleet has mislabelled places"
    i = _two_placed_rows(rows)
    w.analysis.show_tab("suspicious")
    w.activateWindow()
    queue.select_row(i)
    assert queue.current_place() == rows[i]["place_id"] == w.place_id
    assert w.state.walk == "queue"  # N walks the list the place came from
    qtbot.keyClick(queue.table, Qt.Key.Key_N)
    second = rows[i + 1]["place_id"]
    assert queue.current_place() == second == w.place_id == w.panel.place_id
    # suggested label and reason are shown
    assert rows[i + 1]["reason"] in queue.reason.text()
    assert (rows[i + 1]["suggested_label"] or "–") in queue.reason.text()
    # the map page itself has the place selected
    qtbot.waitUntil(lambda: w.map.ready and w.map.vehicle_id == w.vehicle_id, timeout=30_000)
    qtbot.waitUntil(lambda: _page_value(w.map, qtbot, "window.auditor.selectedPlace()") == second,
                    timeout=10_000)
    # the details pane says why it is suspicious (evidence fills in after the switch), in
    # words, with the numbers in its tooltip; a place with several entries shows its first
    import html

    from auditor.analysis.issue_words import entry_words
    first_on_place = next(r for r in rows if r["place_id"] == second)
    qtbot.waitUntil(lambda: entry_words(first_on_place) in w.panel.evidence.text(),
                    timeout=5_000)
    assert first_on_place["reason"] in html.unescape(w.panel.evidence.toolTip())


def test_flag_keys_work_in_the_queue(qtbot, window, fresh_demo_project):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    queue = window.analysis.view("suspicious")
    window.analysis.show_tab("suspicious")
    window.activateWindow()
    queue.table.setFocus()
    rows = window.analysis.report["suspicious"]
    # a label on a place with a suggestion (a label on no place flags its nearest place)
    i = next(i for i, r in enumerate(rows) if r["place_id"] and r["suggested_label"])
    queue.select_row(i)
    target = queue.current_place()
    assert window.place_id == target == rows[i]["place_id"]
    suggested = rows[i]["suggested_label"]
    key = {"home": Qt.Key.Key_H, "work": Qt.Key.Key_W, "other": Qt.Key.Key_O}[suggested]
    qtbot.keyClick(queue.table, key)
    events = window.project.conn.execute(
        "SELECT target_id, action, new_value FROM flag_events").fetchall()
    assert events == [(target, "label_wrong", suggested)]
    assert queue.table.item(i, COL["flags"]).text() == f"label→{suggested}"
    qtbot.keyClick(queue.table, Qt.Key.Key_X)
    assert window.project.conn.execute("SELECT action FROM flag_events ORDER BY event_id DESC "
                                       "LIMIT 1").fetchone()[0] == "bad_data"
    window.close()


def _daytime_only_place(conn):
    """(vehicle, place, lat, lon) of an unlabelled place whose every stay lies inside one local
    day between 05:00 and 24:00 — computed here from the stops and the vehicle's zone, not by
    the evidence code under test."""
    import datetime as dt
    from zoneinfo import ZoneInfo
    zones = {v: ZoneInfo(json.loads(m)["timezone"])
             for v, m in conn.execute("SELECT vehicle_id, meta FROM vehicles")}
    labelled = {r[0] for r in conn.execute("SELECT place_id FROM place_labels")}
    stays: dict = {}
    for vid, pid, start, end in conn.execute("SELECT vehicle_id, place_id, start_ts, end_ts "
                                             "FROM stops WHERE place_id IS NOT NULL"):
        a = dt.datetime.fromtimestamp(start, zones[vid])
        b = dt.datetime.fromtimestamp(end, zones[vid])
        daytime = a.date() == b.date() and a.hour >= 5
        stays.setdefault((vid, pid), []).append(daytime)
    for (vid, pid), days in sorted(stays.items()):
        if len(days) >= 2 and all(days) and pid not in labelled:
            lat, lon = conn.execute("SELECT lat, lon FROM places WHERE place_id = ?",
                                    (pid,)).fetchone()
            return vid, pid, lat, lon
    raise AssertionError("no daytime-only place in the demo")


def test_evidence_sentences_appear_in_the_details(qtbot, window, fresh_demo_project):
    """A home label planted on a place the vehicle only visits by day: the details pane says
    so (computed off the GUI thread). A home-labelled place nothing speaks against: the
    all-clear sentence."""
    conn = open_project(fresh_demo_project)
    vid, pid, lat, lon = _daytime_only_place(conn)
    import_id = conn.execute("SELECT import_id FROM labels LIMIT 1").fetchone()[0]
    with conn:
        label_id = conn.execute("INSERT INTO labels (vehicle_id, label, lat, lon, import_id) "
                                "VALUES (?, 'home', ?, ?, ?)", (vid, lat, lon, import_id)).lastrowid
        conn.execute("INSERT INTO place_labels VALUES (?, ?, 'home', ?, 0.0)",
                     (pid, vid, label_id))
    conn.close()
    w = window
    w.open_project(fresh_demo_project)
    w.select_place(pid)
    expected = (f"Home label {label_id} of vehicle {vid} is on place {pid}, where the vehicle "
                "never stayed between 00:00 and 05:00 local time")
    assert expected not in w.panel.evidence.text()  # filled in off the GUI thread, after
    qtbot.waitUntil(lambda: expected in w.panel.evidence.text(), timeout=10_000)
    assert w.panel.evidence_box.isVisibleTo(w.panel)

    qtbot.waitUntil(lambda: w.state.analysis is not None, timeout=60_000)
    found = evidence_frame(w.project.conn)
    flagged = set(found["place_id"].dropna()) | {r["place_id"] for r in
                                                 w.analysis.report["suspicious"]}
    clear = next(p for (p,) in w.project.conn.execute(
        "SELECT place_id FROM predictions WHERE run_id = ? AND given_label = 'home' "
        "ORDER BY place_id", (w.project.run_id,)) if p not in flagged)
    w.select_place(clear)
    qtbot.waitUntil(lambda: "No check speaks against the home label"
                    in w.panel.evidence.text(), timeout=10_000)
    assert expected not in w.panel.evidence.text()


def test_skew_table_shows_value_threshold_and_n(qtbot, opened):
    w = opened
    view = w.analysis.view("skew")
    comp = w.analysis.report["skew"]["comparisons"]["validation"]
    view.comparison.setCurrentIndex(view.comparison.findData("validation"))
    table = view.features
    assert table.rowCount() == len(comp["features"])
    by_feature = {r["feature"]: r for r in comp["features"]}
    for row in range(table.rowCount()):
        r = by_feature[table.item(row, FCOL["feature"]).text()]
        value = r["wasserstein_std"] if r["kind"] == "numeric" else r["js_distance"]
        threshold = r["wasserstein_threshold"] if r["kind"] == "numeric" else r["js_threshold"]
        if value is not None:
            assert float(table.item(row, FCOL["value"]).text()) == pytest.approx(value, rel=1e-2)
        assert float(table.item(row, FCOL["threshold"]).text()) == pytest.approx(threshold)
        assert table.item(row, FCOL["n reference"]).text() == f"{r['n_reference']:,}"
        assert table.item(row, FCOL["n current"]).text() == f"{r['n_current']:,}"
        # a size past its threshold that KS cannot tell from sampling noise says so
        beyond = r["kind"] != "numeric" or r.get("ks_pvalue") is None or r["ks_pvalue"] < 0.05
        assert table.item(row, FCOL["verdict"]).text() == (
            ("differs" if beyond else "within noise") if r["flag"] else "same")
        # the finding leads, in words; the numbers are in its tooltip
        finding = table.item(row, FCOL["finding"])
        assert "_" not in finding.text().split(":")[0] or r["feature"] not in FEATURE_WORDS
        assert f"n = {r['n_current']:,} vs {r['n_reference']:,}" in finding.toolTip()
    # findings first: every flagged row above every unflagged one
    verdicts = column_texts(table, FCOL["verdict"])
    order = {"differs": 0, "within noise": 1, "same": 2}
    assert [order[v] for v in verdicts] == sorted(order[v] for v in verdicts)
    # a flagged row leads to its places: validation places, the most unusual first
    flagged = next(r for r in range(table.rowCount())
                   if table.item(r, FCOL["verdict"]).text() == "differs")
    feature = table.item(flagged, FCOL["feature"]).text()
    rect = table.visualItemRect(table.item(flagged, FCOL["finding"]))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shown = _shown_ids(w)
    validation = {p for p, s in w.project.conn.execute(
        "SELECT place_id, split FROM predictions WHERE run_id = ?", (w.project.run_id,))
        if s == "validation"}
    assert shown and set(shown) <= validation and w.place_id == shown[0]
    assert "validation places" in w.browser.subset_label.text()
    if feature in FEATURE_WORDS:  # a place feature: ordered by distance from train's median
        import numpy as np
        vals = dict(w.project.conn.execute(f"SELECT place_id, {feature} FROM place_features"))
        train = [vals[p] for p, s in w.project.conn.execute(
            "SELECT place_id, split FROM predictions WHERE run_id = ?", (w.project.run_id,))
            if s == "train" and vals.get(p) is not None]
        med = float(np.median(train))
        first, last = abs(vals[shown[0]] - med), abs(vals[shown[-1]] - med)
        assert first >= last
    # population rows lead to their places too
    pop = view.populations
    assert view.parts.tabPosition() == view.parts.TabPosition.North
    if pop.rowCount():
        ids = view.choose_population(0)
        key = pop.item(0, 0).data(Qt.ItemDataRole.UserRole + 7)
        assert ids and sorted(_shown_ids(w)) == sorted(ids)
        meta = dict(w.project.conn.execute(
            f"SELECT vehicle_id, json_extract(meta, '$.{key[1]}') FROM vehicles"))
        assert all(str(meta[p.split(':')[0]]) == key[2] for p in ids)
    # recent-vs-early is there too, and leakage is said in words
    view.comparison.setCurrentIndex(view.comparison.findData("recent"))
    assert table.rowCount() == len(w.analysis.report["skew"]["comparisons"]["recent"]["features"])
    leak = w.analysis.report["skew"]["leakage"]
    assert f"of {leak['entity']['n_vehicles']} vehicles" in view.leakage.text() or \
        f"each of {leak['entity']['n_vehicles']:,} vehicles" in view.leakage.text()
    assert "Location leakage" in view.leakage.text()
    # population accuracy rows: every metadata column's values and the schedule slices
    pops = w.analysis.report["validation"]["by_population"]
    slices = column_texts(w.analysis.view("validation").populations, 0)
    assert set(slices) == set(pops["metadata"]) | {"schedule"}
    assert len(slices) == sum(map(len, pops["metadata"].values())) + len(pops["schedule"])


def test_drift_map_tab_draws_the_cells(qtbot, opened):
    w = opened
    drift = w.analysis.report["skew"]["spatial_drift"]
    w.analysis.show_tab("drift")
    view = w.analysis.view("drift")
    box = {}
    qtbot.waitUntil(lambda: view.loaded, timeout=30_000)

    def poll():
        view.page_state(lambda state: box.__setitem__("s", state))
        return bool(box.get("s"))
    qtbot.waitUntil(poll, timeout=20_000)
    assert box["s"] == {"cells": min(len(drift["cells"]), 2000), "total": len(drift["cells"])}
    # it opens on the area with the most change, not at world zoom (the demo spans continents)
    from auditor.maps.drift_map import focus_bounds
    (s, w_), (n, e) = focus_bounds(drift["cells"][:2000])
    assert n - s < 2 and e - w_ < 3
    got = {}
    view._page.runJavaScript("(function(){var m=window.auditorDrift.map, b=m.getBounds();"
                             "return JSON.stringify([m.getZoom(), b.getSouth(), b.getNorth()]);"
                             "})()", 0, lambda v: got.setdefault("v", v))
    qtbot.waitUntil(lambda: "v" in got, timeout=10_000)
    view_box = json.loads(got["v"])
    assert view_box[0] >= 6 and view_box[1] <= s + 0.5 and view_box[2] >= n - 0.5


def test_drift_page_is_offline_escaped_and_deterministic():
    cell = {"lat_min": 47.54, "lat_max": 47.55, "lon_min": -122.4, "lon_max": -122.39,
            "first_hours": 10.0, "second_hours": 2.0, "first_share": 0.5, "second_share": 0.1,
            "change": -0.4}
    drift = {"cell_deg": 0.01, "first_period": [0, 86400], "second_period": [86400, 172800],
             "total_abs_change": 0.8, "cells": [cell, {**cell, "lat_min": 1.0, "lat_max": 1.01,
                                                       "change": 0.4}]}
    page = render_drift_map(drift)
    assert page == render_drift_map(drift)
    assert "<script src=" not in page and "<link " not in page  # everything inline
    assert '"totalCells":2' in page
    # a title from outside is escaped; a tile URL that is not one is refused
    assert "<b>x</b>" not in render_drift_map(drift, title="<b>x</b>")
    from auditor.errors import UserError
    with pytest.raises(UserError):
        render_drift_map(drift, basemap="javascript:alert(1)")
    # no cells: still a whole page, with nothing drawn and the count saying so
    empty = render_drift_map({**drift, "cells": []})
    assert empty.rstrip().endswith("</html>") and '"totalCells":0' in empty
    assert '"totalCells":2' not in empty


def test_browser_subset_keeps_sorting_and_finds_rows(demo_project, qtbot):
    conn = open_project(demo_project, create=False)
    try:
        ids = [r[0] for r in conn.execute("SELECT place_id FROM places ORDER BY place_id DESC "
                                          "LIMIT 7")]
        m = PlaceTableModel(conn, latest_run_id(conn))
        m.set_subset(ids)
        assert m.total == 7 and sorted(m.place_at(i)["place_id"] for i in range(7)) == sorted(ids)
        assert m.row_of(ids[0]) is not None
        outside = conn.execute("SELECT place_id FROM places ORDER BY place_id LIMIT 1").fetchone()[0]
        assert m.row_of(outside) is None
        m.set_subset([])
        assert m.total == 0
        m.set_subset(None)
        assert m.total == conn.execute("SELECT COUNT(*) FROM places").fetchone()[0]
    finally:
        conn.close()


def test_population_row_shows_that_populations_labelled_places(qtbot, opened, demo_dir):
    """Population accuracy -> the faulty firmware's row -> exactly its vehicles' labelled places
    in the browser (the same places the row's accuracy counts)."""
    w = opened
    fault = json.loads((demo_dir / "truth.json").read_text())["fault"]
    view = w.analysis.view("validation")
    table = view.populations
    row = next(r for r in range(table.rowCount())
               if (table.item(r, 0).text(), table.item(r, 1).text())
               == (fault["column"], fault["value"]))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualItemRect(table.item(row, 1)).center())
    expected = sorted(r[0] for r in w.project.conn.execute(
        "SELECT p.place_id FROM predictions p JOIN vehicles v USING (vehicle_id) "
        "WHERE p.run_id = ? AND p.given_label IN ('home', 'work', 'other') "
        "AND json_extract(v.meta, '$.firmware') = ?",
        (w.project.run_id, fault["value"])))
    assert expected and sorted(_shown_ids(w)) == expected
    oof_n = next(s["oof_n"] for s in w.analysis.report["validation"]["by_population"]["metadata"]
                 [fault["column"]] if s["value"] == fault["value"])
    assert oof_n <= len(expected)  # the row counts these places (those with out-of-fold)
    # a schedule slice row works the same way
    srow = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "schedule")
    ids = view.choose_population(srow)
    assert ids and sorted(_shown_ids(w)) == sorted(ids)


def test_error_tree_says_who_crowds_a_slice(qtbot, opened):
    from auditor.gui.analyses.tree import dominant_text
    w = opened
    tree = w.analysis.view("tree")
    assert tree.tree.headerItem().text(4) == "over-represented"

    def nodes(n):
        yield n
        for c in n["children"]:
            yield from nodes(c)
    for node in nodes(w.analysis.report["error_tree"]["root"]):
        assert tree.items[node["id"]].text(4) == dominant_text(node["dominant"])
    assert dominant_text({"column": "firmware", "value": "fw-4.2.1", "share": 0.74,
                          "overall_share": 0.15}) == "firmware fw-4.2.1: 74 % here, 15 % overall"
    # an empty column is explained, in the intro when no node has one and on every cell
    if not any(n["dominant"] for n in nodes(w.analysis.report["error_tree"]["root"])):
        assert "over-represented' column is empty" in tree.intro.text()
    assert "no value stands out" in tree.tree.headerItem().toolTip(4)


@pytest.mark.slow
def test_population_table_shows_before_and_after_a_fix(qtbot, window, fresh_demo_project,
                                                        demo_dir):
    """The fix loop in the GUI: re-import the faulty firmware's pings with the right clock,
    infer again, and every population row says its errors in the previous run and now."""
    from auditor.gui.analyses.validation import before_after_text
    from auditor.ingest.api import ingest_paths
    from auditor.pipeline.api import infer_project
    fault = json.loads((demo_dir / "truth.json").read_text())["fault"]
    ingest_paths(fresh_demo_project, [demo_dir / "pings.csv"], kind="pings",
                 only=[f"{fault['column']}={fault['value']}"], ignore_offset=True, replace=True)
    infer_project(fresh_demo_project, seed=0)
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    fix = window.analysis.report["fix_loop"]
    assert fix is not None and fix["after_run_id"] == window.project.run_id
    view = window.analysis.view("validation")
    assert f"run {fix['before_run_id']} → run {fix['after_run_id']}" in view.summary.text()
    table = view.populations
    col = POP_HEADERS.index("errors before → after")
    rows = {(table.item(r, 0).text(), table.item(r, 1).text()): r for r in range(table.rowCount())}
    for p in fix["populations"]:
        r = rows[(p["column"], p["value"])]
        assert table.item(r, col).text() == before_after_text(p["model"])
        assert table.item(r, col + 1).text() == before_after_text(p["baseline"])
    faulty = table.item(rows[(fault["column"], fault["value"])], col).text()
    assert "→" in faulty and faulty.split(" → ")[0].split("/")[1] == faulty.split("/")[-1]


def test_a_project_rebuilt_under_the_same_path_gets_its_own_analysis(qtbot, window, tmp_path,
                                                                     demo_project, tiny_project):
    """The cache is keyed by the run's identity, not the file's path: a project replaced while
    the app runs (a demo rebuilt with other parameters) never shows the old fleet's report."""
    import shutil

    from auditor.analysis.report import build_report
    path = tmp_path / "project.db"
    shutil.copyfile(demo_project, path)
    window.open_project(path)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    first = window.state.analysis
    window.close_project()
    path.unlink()
    shutil.copyfile(tiny_project, path)  # another fleet, its own run 2
    window.open_project(path)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    assert window.state.analysis.identity != first.identity
    assert window.state.analysis.report == build_report(window.project.conn)
    assert window.state.analysis.report != first.report


def test_the_dock_headline_counts_only_the_labels_it_doubts():
    """A queue entry the evidence explains (score 0: a site's other car park) is listed in the
    queue tab, not counted among the suspicious labels."""
    from auditor.gui.analyses.dock import status_text
    r = {"validation": {"status": "no labels"}, "error_tree": {"errors": 3},
         "labels_source": {"kind": "no_labels"},
         "suspicious": [{"score": 0.5}, {"score": 1.0}, {"score": 0.0}]}
    assert status_text(7, r, 0) == ("Run 7 (labels by the 02:00 baseline): no labels · "
                                    "2 suspicious labels · 3 out-of-fold errors")
