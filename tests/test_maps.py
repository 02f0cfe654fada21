"""The vehicle map page: offline, escaped, simplified, reproducible; and `auditor map`."""
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.audit.flags import add_flag
from auditor.cli import main
from auditor.errors import UserError
from auditor.maps.simplify import project_m, simplify_tracks
from auditor.maps.vehicle_map import render_vehicle_map
from auditor.store import open_project, transaction
from auditor.store.bulk import insert_frame

EVIL = "<script>alert(1)</script>"
EVIL_VEHICLE = f"{EVIL}`${{alert(2)}}\\`"
PINGS_PER_TRIP = 5000


def _trip_pings(vehicle, t0, lat0, lon0, rng):
    """A wiggly drive of PINGS_PER_TRIP pings, one per second."""
    s = np.linspace(0, 1, PINGS_PER_TRIP)
    lat = lat0 + 0.03 * s + 0.002 * np.sin(40 * s) + rng.normal(0, 2e-6, s.size)
    lon = lon0 + 0.04 * s + 0.002 * np.cos(25 * s)
    return pd.DataFrame({"vehicle_id": vehicle, "ts": t0 + np.arange(s.size), "lat": lat,
                         "lon": lon, "import_id": 1})


def build_map_project(path):
    """One ordinary vehicle (v1) and one whose id and metadata are hostile, inserted by SQL."""
    rng = np.random.default_rng(0)
    conn = open_project(path)
    with transaction(conn):
        conn.execute("INSERT INTO imports VALUES (1,'pings','p.csv','p.csv','x',1,'',1,1,0,NULL,"
                     "'{}','csv','2026-01-01T00:00:00Z')")
        conn.execute("INSERT INTO vehicles VALUES (?, ?, 1), ('v1', ?, 1)",
                     (EVIL_VEHICLE, json.dumps({"fleet": EVIL, EVIL: "x"}),
                      json.dumps({"fleet": "north", "firmware": "2.1"})))
        frames, trips = [], []
        for vid in ("v1", EVIL_VEHICLE):
            for n in range(3):
                t0 = 1_700_000_000 + n * 86_400
                f = _trip_pings(vid, t0, 52.50 + 0.001 * n, 13.40, rng)
                frames.append(f)
                trips.append((f"{vid}:t{n}", vid, t0, t0 + PINGS_PER_TRIP - 1, PINGS_PER_TRIP,
                              5000.0))
        insert_frame(conn, "pings", pd.concat(frames))
        conn.executemany("INSERT INTO trips (trip_id, vehicle_id, start_ts, end_ts, n_pings, "
                         "distance_m) VALUES (?,?,?,?,?,?)", trips)
        for vid in ("v1", EVIL_VEHICLE):
            conn.executemany("INSERT INTO places VALUES (?,?,?,?,?)",
                             [(f"{vid}:{i}", vid, 52.50 + 0.01 * i, 13.40, 3) for i in range(3)])
            conn.executemany("INSERT INTO stops VALUES (?,?,?,?,?,?,?,NULL,NULL)",
                             [(f"{vid}:s{i}", vid, 1_700_010_000 + 3600 * i,
                               1_700_010_000 + 3600 * i + 1800, 52.5, 13.4, f"{vid}:{i % 3}")
                              for i in range(4)])
        # v3: pings only (imported, not inferred yet)
        insert_frame(conn, "pings", pd.DataFrame({"vehicle_id": "v3", "ts": np.arange(50),
                                                  "lat": np.linspace(48, 48.1, 50),
                                                  "lon": 11.0, "import_id": 1}))
        conn.execute("INSERT INTO place_labels VALUES ('v1:0', 'v1', 'home', 1, 10.0)")
        # two labels of the hostile vehicle matched no place: one 3 km north, one (its reason
        # text hostile too) between its places
        conn.executemany("INSERT INTO labels (label_id, vehicle_id, label, lat, lon, import_id) "
                         "VALUES (?, ?, ?, ?, ?, 1)",
                         [(7, EVIL_VEHICLE, "work", 52.55, 13.40),
                          (8, EVIL_VEHICLE, "home", 52.505, 13.401)])
        conn.executemany("INSERT INTO unmatched_labels VALUES (?, ?, ?)",
                         [(7, EVIL_VEHICLE, "no_place_within_250m"), (8, EVIL_VEHICLE, EVIL)])
        conn.execute("INSERT INTO runs (run_id, kind, created_at, config, versions) "
                     "VALUES (1, 'model', '2026-01-01T00:00:00Z', '{}', '{}')")
        conn.executemany(
            "INSERT INTO predictions (run_id, place_id, vehicle_id, split, given_label, "
            "predicted_label, p_home, p_work, p_other) VALUES (1,?,?,?,?,?,?,?,?)",
            [("v1:0", "v1", "validation", "home", "work", 0.2, 0.7, 0.1),
             ("v1:1", "v1", "validation", "other", "home", 0.8, 0.1, 0.1),
             ("v1:2", "v1", "validation", "other", "other", 0.1, 0.1, 0.8)]
            + [(f"{EVIL_VEHICLE}:{i}", EVIL_VEHICLE, "unlabelled", None, "other", .1, .1, .8)
               for i in range(3)])
        conn.execute("CREATE TABLE place_features (place_id TEXT PRIMARY KEY, n_visits INTEGER, "
                     "share_stays_0200 REAL)")
        conn.execute("INSERT INTO place_features VALUES ('v1:0', 3, 0.75)")
    return conn


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    path = tmp_path_factory.mktemp("maps") / "m.db"
    build_map_project(path).close()
    return path


@pytest.fixture
def conn(project):
    c = open_project(project)
    yield c
    c.close()


def payload(page: str) -> dict:
    """The data object the page hands to vehicle_map.js."""
    m = re.search(r"window\.auditorVehicleMap\(\w+, (\{.*?\}), (null|\"\w+\")\);", page)
    assert m, "page does not call auditorVehicleMap"
    return json.loads(m.group(1))


def test_page_is_offline_with_leaflet_inline(conn):
    page = render_vehicle_map(conn, "v1")
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link)[^>]+(src|href)\s*=", page), "external asset"
    assert not re.search(r"https?://[^\s\"']*\.(js|css)", page)
    assert "https://" not in page.split("</head>")[1]           # no tiles, no CDN in the body
    assert "L.version" in page or "Leaflet" in page             # leaflet.js is inlined
    assert ".leaflet-container" in page                         # leaflet.css is inlined
    assert "bootstrap" not in page.lower() and "awesome" not in page.lower()
    assert "url(images/" not in page                            # CSS images are data: URIs
    assert payload(page)["basemapNotice"] == "Basemap off — enable in View ▸ Basemap"
    assert "window.auditor = " in page
    assert len(page.encode()) < 600_000


def test_place_and_trip_ids_and_colours(conn):
    data = payload(render_vehicle_map(conn, "v1", selected_place="v1:1",
                                      click_handler="auditorClick"))
    assert [p["id"] for p in data["places"]] == ["v1:0", "v1:1", "v1:2"]
    assert [t["id"] for t in data["trips"]] == ["v1:t0", "v1:t1", "v1:t2"]
    home = {p["id"]: p for p in data["places"]}
    # v1:0: predicted work (orange fill), given home (blue ring): the mismatch shows
    assert home["v1:0"]["fill"] == "#e69f00" and home["v1:0"]["ring"] == "#0072b2"
    assert home["v1:2"]["ring"] == "#9a9a9a"
    assert data["selectedPlace"] == "v1:1" and data["basemapNotice"]
    popup = home["v1:0"]["popup"]
    assert "share at 02:00</th><td>75 %" in popup and "0.20 / 0.70" in popup
    assert "home / work" in popup                          # given / predicted
    assert "visits</th><td>3<" in popup                    # the pipeline's feature wins ...
    assert "visits</th><td>1<" in home["v1:1"]["popup"]    # ... else counted from stops
    assert "dwell</th><td>0.5 h" in home["v1:1"]["popup"]


def test_click_handler_must_be_an_identifier(conn):
    page = render_vehicle_map(conn, "v1", click_handler="auditorClick")
    assert page.rstrip().endswith("</html>") and ', "auditorClick");' in page
    for bad in ["alert(1)", "a b", "x;y", "", "1abc"]:
        with pytest.raises(ValueError):
            render_vehicle_map(conn, "v1", click_handler=bad)


def test_hostile_vehicle_id_and_metadata_are_escaped(conn):
    page = render_vehicle_map(conn, EVIL_VEHICLE, selected_place=f"{EVIL_VEHICLE}:0")
    assert page.count("<script>") == page.count("</script>")
    assert "alert(1)</script>" not in page and "<script>alert" not in page
    data = payload(page)
    assert data["vehicleId"] == EVIL_VEHICLE                  # JSON carries the id intact
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in data["info"]
    assert "<script" not in data["info"] and all("<script" not in p["popup"] + p["tooltip"]
                                                 for p in data["places"])
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert "&lt;script&gt;" in title and "<" not in title


def test_flagged_places_and_bad_trips_are_marked(tmp_path, project):
    path = tmp_path / "f.db"
    path.write_bytes(Path(project).read_bytes())
    c = open_project(path)
    add_flag(c, "ana", "place", "v1:2", "label_wrong", "home", note=EVIL)
    add_flag(c, "ana", "trip", "v1:t1", "bad_data")
    data = payload(render_vehicle_map(c, "v1"))
    c.close()
    places = {p["id"]: p for p in data["places"]}
    assert places["v1:2"]["flagged"] and not places["v1:1"]["flagged"]
    assert "label→home" in places["v1:2"]["popup"]
    assert [t["bad"] for t in data["trips"]] == [False, True, False]


def test_trips_are_simplified_to_the_budget(conn):
    data = payload(render_vehicle_map(conn, "v1", max_points_per_trip=40))
    sizes = [len(t["coords"]) for t in data["trips"]]
    assert all(2 <= n <= 40 for n in sizes), sizes
    assert data["pointCount"] == sum(sizes) < 3 * PINGS_PER_TRIP
    # the first and last ping of each trip survive
    first = conn.execute("SELECT lat, lon FROM pings WHERE vehicle_id='v1' ORDER BY ts "
                         "LIMIT 1").fetchone()
    assert data["trips"][0]["coords"][0] == [round(first[0], 5), round(first[1], 5)]
    full = payload(render_vehicle_map(conn, "v1"))
    assert max(len(t["coords"]) for t in full["trips"]) <= 300


def test_time_range_and_place_filter(conn):
    t1 = 1_700_000_000 + 86_400
    data = payload(render_vehicle_map(conn, "v1", time_range=(t1, t1 + 100)))
    assert [t["id"] for t in data["trips"]] == ["v1:t1"]
    data = payload(render_vehicle_map(conn, "v1", place_ids=["v1:2", "nope"]))
    assert [p["id"] for p in data["places"]] == ["v1:2"]


def test_basemaps(conn):
    osm = render_vehicle_map(conn, "v1", basemap="osm")
    assert "tile.openstreetmap.org" in osm and "OpenStreetMap" in osm
    assert payload(osm)["basemapNotice"] is None
    custom = render_vehicle_map(conn, "v1", basemap="https://t.example.org/{z}/{x}/{y}.png")
    assert "t.example.org" in custom
    for bad in ["ftp://x/{z}/{x}/{y}", "https://x/tiles.png", "javascript:alert(1)",
                'https://x/{z}/{x}/{y}"><script>']:
        with pytest.raises(UserError, match="basemap"):
            render_vehicle_map(conn, "v1", basemap=bad)


def test_unknown_vehicle_and_run(conn):
    with pytest.raises(UserError, match=r"'nope' is not in this project \(e\.g\. .*v1, v3\)"):
        render_vehicle_map(conn, "nope")
    with pytest.raises(UserError, match="run 99"):
        render_vehicle_map(conn, "v1", run_id=99)


def test_vehicle_without_inference_shows_its_raw_track(conn):
    data = payload(render_vehicle_map(conn, "v3"))
    assert data["trips"] == [] and data["places"] == [] and len(data["track"]) == 50
    assert "not inferred yet" in data["info"]


def test_page_is_reproducible(conn):
    assert render_vehicle_map(conn, "v1") == render_vehicle_map(conn, "v1")


def test_simplify_keeps_shape_and_ends():
    # an L-shaped track: the corner must survive any budget >= 3
    x = np.r_[np.linspace(0, 0.01, 500), np.full(500, 0.01)]
    y = np.r_[np.zeros(500), np.linspace(0, 0.01, 500)]
    track = np.r_[np.zeros(1000, int)]
    keep = simplify_tracks(50 + x, 8 + y, track, tolerance_m=1.0, max_points=3)
    assert np.flatnonzero(keep).tolist() == [0, 499, 999] or \
        np.flatnonzero(keep).tolist() == [0, 500, 999]
    # two tracks, one straight: it keeps only its ends
    keep = simplify_tracks(np.r_[50 + x, np.linspace(50, 50.1, 100)],
                           np.r_[8 + y, np.full(100, 8.0)], np.r_[track, np.ones(100, int)],
                           tolerance_m=1.0, max_points=300)
    assert keep[1000] and keep[1099] and keep[1000:].sum() == 2
    assert simplify_tracks([], [], []).size == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(3, 60), min_size=1, max_size=4), st.integers(0, 10_000),
       st.floats(0.5, 50.0))
def test_simplify_leaves_every_dropped_point_within_tolerance(sizes, seed, tolerance):
    rng = np.random.default_rng(seed)
    track = np.repeat(np.arange(len(sizes)), sizes)
    lat = 50 + np.cumsum(rng.normal(0, 1e-4, track.size))
    lon = 8 + np.cumsum(rng.normal(0, 1e-4, track.size))
    keep = simplify_tracks(lat, lon, track, tolerance_m=tolerance, max_points=1000)
    x, y = project_m(lat, lon)
    for t in range(len(sizes)):  # a plain per-point check, independent of the vectorised code
        idx = np.flatnonzero(track == t)
        kept = idx[keep[idx]]
        assert kept[0] == idx[0] and kept[-1] == idx[-1]
        for a, b in zip(kept[:-1], kept[1:]):
            for i in range(a + 1, b):
                ab = np.array([x[b] - x[a], y[b] - y[a]])
                ap = np.array([x[i] - x[a], y[i] - y[a]])
                u = 0.0 if not ab.any() else min(1.0, max(0.0, ap @ ab / (ab @ ab)))
                assert np.hypot(*(ap - u * ab)) <= tolerance + 1e-6
    # and with a budget, no track keeps more than it
    capped = simplify_tracks(lat, lon, track, tolerance_m=0.0, max_points=5)
    assert np.bincount(track[capped]).max() <= 5


def test_cli_writes_the_page(tmp_path, project, capsys):
    out = tmp_path / "v1.html"
    assert main(["map", str(project), "--vehicle", "v1", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".v1.html.*"))
    assert main(["map", str(project), "--vehicle", "nope", "--out", str(tmp_path / "x.html")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: vehicle 'nope'") and err.count("\n") == 1
    assert not (tmp_path / "x.html").exists()
    assert main(["map", str(project), "--vehicle", "v1", "--out", str(out),
                 "--basemap", "gopher://x"]) == 1


class _Page:
    """A real Chromium page (QtWebEngine, offscreen) that records alerts and console errors."""

    def __init__(self, qtbot, html):
        from PySide6.QtCore import QUrl
        from PySide6.QtWebEngineCore import QWebEnginePage

        self.errors, self.alerts = [], []
        outer = self

        class Page(QWebEnginePage):
            def javaScriptConsoleMessage(self, level, message, line, source):
                if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
                    outer.errors.append(f"{line}: {message}")

            def javaScriptAlert(self, origin, message):
                outer.alerts.append(message)

        from PySide6.QtWebEngineWidgets import QWebEngineView

        self.qtbot = qtbot
        self.view = QWebEngineView()
        self.page = Page(self.view)
        self.view.setPage(self.page)
        self.view.resize(800, 600)
        self.view.show()
        with qtbot.waitSignal(self.page.loadFinished, timeout=20_000) as blocker:
            self.page.setHtml(html, QUrl("about:blank"))
        assert blocker.args == [True]

    def close(self):
        # the page must go before its profile does, or QtWebEngine warns at exit
        from PySide6.QtCore import QCoreApplication, QEvent
        self.view.close()
        self.page.deleteLater()
        self.view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    def js(self, code):
        out = []
        self.page.runJavaScript(code, 0, out.append)
        self.qtbot.waitUntil(lambda: bool(out), timeout=10_000)
        return out[0]


@pytest.fixture
def browser(qtbot):
    pages = []

    def open_page(html):
        pages.append(_Page(qtbot, html))
        return pages[-1]

    yield open_page
    for page in pages:
        page.close()


@pytest.mark.gui
def test_page_runs_in_a_browser(browser, conn):
    html = render_vehicle_map(conn, EVIL_VEHICLE, click_handler="auditorClick",
                              selected_place=f"{EVIL_VEHICLE}:1")
    page = browser(html)
    assert page.js("JSON.stringify(window.auditor.placeIds)") == json.dumps(
        [f"{EVIL_VEHICLE}:{i}" for i in range(3)], separators=(",", ":"))
    assert page.js("window.auditor.tripIds.length") == 3
    assert page.js("window.auditor.selectedPlace()") == f"{EVIL_VEHICLE}:1"
    popup = page.js("document.querySelector('.leaflet-popup-content').innerHTML")
    assert f"place {EVIL_VEHICLE[:8]}" not in popup and "&lt;script&gt;alert(1)" in popup
    info = page.js("document.querySelector('.auditor-info').innerText")
    assert "<script>alert(1)</script>" in info                # shown as text, not run
    assert page.js("document.querySelectorAll('script').length") == 4
    assert page.js("document.querySelectorAll('path.leaflet-interactive').length") == 6
    # the two labels on no place: a diamond each, dashed lines to their nearest places
    assert page.js("document.querySelectorAll('.auditor-unmatched-shape').length") == 2
    assert page.js("document.querySelectorAll('path:not(.leaflet-interactive)').length") == 4
    # clicks reach the handler with the kind and the id
    page.js("window.clicks = []; window.auditorClick = function (k, i) { clicks.push([k, i]); }; 1")
    page.js(f"window.auditor.layerOf('trip', {json.dumps(EVIL_VEHICLE + ':t2')}).fire('click'); 1")
    page.js(f"window.auditor.layerOf('place', {json.dumps(EVIL_VEHICLE + ':0')}).fire('click'); 1")
    assert json.loads(page.js("JSON.stringify(clicks)")) == [["trip", f"{EVIL_VEHICLE}:t2"],
                                                           ["place", f"{EVIL_VEHICLE}:0"]]
    assert page.js("window.auditor.selectedTrip()") == f"{EVIL_VEHICLE}:t2"
    assert page.js("window.auditor.selectPlace('nope')") is False
    assert page.alerts == [] and page.errors == []


def test_demo_project_map(demo_project):
    c = open_project(demo_project)
    vehicle, n_places = c.execute(
        "SELECT vehicle_id, COUNT(*) FROM places GROUP BY vehicle_id ORDER BY COUNT(*) DESC, "
        "vehicle_id LIMIT 1").fetchone()
    n_trips = c.execute("SELECT COUNT(*) FROM trips WHERE vehicle_id = ?", (vehicle,)).fetchone()[0]
    n_pings = c.execute("SELECT COUNT(*) FROM pings WHERE vehicle_id = ?", (vehicle,)).fetchone()[0]
    page = render_vehicle_map(c, vehicle)
    c.close()
    data = payload(page)
    assert len(data["places"]) == n_places and len(data["trips"]) >= 0.9 * n_trips
    assert all(p["fill"] != "#ffffff" for p in data["places"])        # every place predicted
    assert all(len(t["coords"]) <= 300 for t in data["trips"])
    assert data["pointCount"] < n_pings
    assert len(page.encode()) < 1_500_000                              # far below setHtml's 2 MB


# --- one page, many vehicles: the payload swap ---------------------------------------------------

ODD_VEHICLE = "odd</script><!--\u2028\u2029&"


def _with_odd_vehicle(tmp_path, project):
    """A copy of the map project with a vehicle whose id could end a <script> or a JS line."""
    path = tmp_path / "odd.db"
    path.write_bytes(Path(project).read_bytes())
    c = open_project(path)
    with transaction(c):
        c.execute("INSERT INTO vehicles VALUES (?, '{}', 1)", (ODD_VEHICLE,))
        c.executemany("INSERT INTO places VALUES (?,?,?,?,?)",
                      [(f"{ODD_VEHICLE}:{i}", ODD_VEHICLE, 48.10 + 0.02 * i, 11.50, 1)
                       for i in range(2)])
    return c


def test_payload_script_is_safe_javascript(tmp_path, project):
    from auditor.maps.vehicle_map import load_script, vehicle_payload
    c = _with_odd_vehicle(tmp_path, project)
    data = vehicle_payload(c, ODD_VEHICLE, selected_place=f"{ODD_VEHICLE}:1")
    c.close()
    js = load_script(data)
    assert js.startswith("window.auditor.load({") and js.endswith("})")
    assert "</" not in js and "<!--" not in js and "\u2028" not in js and "\u2029" not in js
    assert js.isascii()
    assert json.loads(js[len("window.auditor.load("):-1]) == data   # nothing lost on the way
    assert data["vehicleId"] == ODD_VEHICLE and data["selectedPlace"] == f"{ODD_VEHICLE}:1"
    assert [p["id"] for p in data["places"]] == [f"{ODD_VEHICLE}:0", f"{ODD_VEHICLE}:1"]
    # markup made from the id is escaped, in the one place that builds it
    assert "odd&lt;/script&gt;&lt;!--" in data["info"] and "</script>" not in data["places"][0]["popup"]
    # the standalone page embeds the same payload
    assert payload(render_vehicle_map(open_project(tmp_path / "odd.db"), ODD_VEHICLE,
                                      selected_place=f"{ODD_VEHICLE}:1")) == data


def test_labels_on_no_place_are_drawn_beside_their_nearest_places(conn):
    data = payload(render_vehicle_map(conn, EVIL_VEHICLE))
    far, odd = data["unmatched"]
    assert (far["id"], far["lat"], far["lon"]) == (7, 52.55, 13.40)   # the label's own point
    # dashed to its two nearest places: 52.52 (3.3 km) and 52.51
    assert far["nearest"] == [[52.52, 13.40], [52.51, 13.40]]
    assert "no place within 250m" in far["tooltip"] and "near " in far["popup"]
    assert "3,336 m" in far["popup"] and "work label 7 — on no place" in far["popup"]
    # text from the data is escaped, never markup
    assert "<script>" not in odd["popup"] + odd["tooltip"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in odd["tooltip"]
    assert ["diamond", "#d55e00"] == [r[:2] for r in data["legend"] if r[0] == "diamond"][0]
    assert payload(render_vehicle_map(conn, "v1"))["unmatched"] == []


def test_unlabelled_place_says_so_not_nan(conn):
    data = payload(render_vehicle_map(conn, EVIL_VEHICLE))
    popup = data["places"][0]["popup"]
    assert "unlabelled / other" in popup and "nan" not in popup.lower()
    assert "(given" not in data["places"][0]["tooltip"]


@pytest.mark.gui
def test_switching_vehicle_swaps_the_data_in_the_same_page(qtbot, tmp_path, project):
    from types import SimpleNamespace

    from auditor.gui.views.map_view import MapView
    from auditor.state.app_state import AppState
    c = _with_odd_vehicle(tmp_path, project)
    view = MapView(AppState(SimpleNamespace(analyst="", basemap="none")))
    view.resize(900, 600)
    view.show()

    def page(js):
        out = []
        view.run_js(js, out.append)
        qtbot.waitUntil(lambda: bool(out), timeout=10_000)
        return out[0]

    def show(vid, place=None):
        with qtbot.waitSignal(view.mapReady, timeout=30_000) as ready:
            view.show_vehicle(c, vid, selected_place=place)
        assert ready.args == [vid] and view.ready

    try:
        show("v1")
        assert view.page_loads == 1 and view.swaps == 0
        page("window.survivor = 'set before the switch'; 1")
        for n, (vid, place) in enumerate([(ODD_VEHICLE, f"{ODD_VEHICLE}:1"),
                                          (EVIL_VEHICLE, None)], start=1):
            show(vid, place)
            ids = {r[0] for r in c.execute("SELECT place_id FROM places WHERE vehicle_id = ?",
                                           (vid,))}
            assert set(json.loads(page("JSON.stringify(window.auditor.placeIds)"))) == ids
            assert page("window.auditor.vehicleId") == vid
            assert page("window.survivor") == "set before the switch"   # no reload
            assert view.page_loads == 1 and view.swaps == n
            assert page("String(window.auditor.selectedPlace())") == (place or "null")
            # only this vehicle's vectors are on the page
            n_trips = len(json.loads(page("JSON.stringify(window.auditor.tripIds)")))
            assert page("document.querySelectorAll('path.leaflet-interactive').length") == \
                len(ids) + n_trips
            assert vid in page("document.querySelector('.auditor-info').innerText")
        # every place it returns to (2+ visits: the everyday area the map opens on) is drawn
        # clear of the info box and legend on the right
        regular = sorted(r[0] for r in c.execute(
            "SELECT place_id FROM stops WHERE vehicle_id = ? GROUP BY place_id "
            "HAVING COUNT(*) >= 2", (EVIL_VEHICLE,)))
        assert regular
        inside = page("JSON.stringify(" + json.dumps(regular) + """.map(function (id) {
            var m = window.auditor.map, p = m.latLngToContainerPoint(
                window.auditor.layerOf('place', id).getLatLng());
            var box = document.querySelector('.auditor-info').getBoundingClientRect();
            return p.x > 0 && p.y > 0 && p.x < box.left && p.y < m.getSize().y; }))""")
        assert json.loads(inside) == [True] * len(regular)
        # a click on the swapped page reaches the app with the vehicle it now shows
        with qtbot.waitSignal(view.bridge.placeSelected, timeout=5000) as clicked:
            page(f"window.auditorClick('place', {json.dumps(EVIL_VEHICLE + ':2')}); 1")
        assert clicked.args == [f"{EVIL_VEHICLE}:2"] and view.bridge.rejected == 0
        # a new basemap needs another page
        with qtbot.waitSignal(view.mapReady, timeout=30_000):
            view.show_vehicle(c, "v1", basemap="osm")
        assert view.page_loads == 2 and page("window.survivor === undefined")
    finally:
        c.close()
        from PySide6.QtCore import QCoreApplication, QEvent
        view.close()
        view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_map_opens_on_the_everyday_area_not_a_one_off_long_trip():
    from auditor.maps.vehicle_map import data_bounds
    places = [{"id": "v:0", "lat": 52.50, "lon": 13.40}, {"id": "v:1", "lat": 52.52, "lon": 13.42},
              {"id": "v:2", "lat": 51.00, "lon": 11.00}]  # visited once, 200 km away
    trips = [{"coords": [[52.50, 13.40], [51.00, 11.00]]}]
    visits = {"v:0": 20, "v:1": 12, "v:2": 1}
    assert data_bounds(places, trips, [], visits) == [[52.50, 13.40], [52.52, 13.42]]
    # nothing visited twice yet: every place counts; no places: the drawn lines
    assert data_bounds(places, trips, [], {}) == [[51.00, 11.00], [52.52, 13.42]]
    assert data_bounds([], trips, [], {}) == [[51.00, 11.00], [52.50, 13.40]]
    # the road between home and work bulges out of the places' box: all of it is in view
    commute = {"coords": [[52.50, 13.40], [52.535, 13.39], [52.52, 13.42]]}
    assert data_bounds(places, trips + [commute], [], visits) == [[52.50, 13.39],
                                                                  [52.535, 13.42]]
    # a label on no place is always in view, however far from the everyday area
    far_label = [{"lat": 52.60, "lon": 13.30}]
    assert data_bounds(places, trips, [], visits, far_label) == [[52.50, 13.30], [52.60, 13.42]]
