"""Issue 12 items 13-14 in the GUI, and issue 14 item 5: the basemap is the project's; local
tiles (an MBTiles file generated here) are served to the page through the auditor-tiles scheme
with no network; both web views carry a Content-Security-Policy; a request guard lets only the
chosen tile host through (even for a page without a policy); tiles that do not come say so.
No test here sends anything off the machine: refused requests never leave, and the one host
allowed (127.0.0.1, a closed port) is this machine's loopback."""
import json

from PySide6.QtCore import QUrl
from test_basemap_tiles import make_mbtiles, tiles_around

from auditor.gui.app import wait_for_map
from auditor.gui.web_page import PinnedPage
from auditor.gui.web_profile import allowed_hosts, auditor_profile, use_basemap

DEAD_TILES = "https://127.0.0.1:9/{z}/{x}/{y}.png"  # loopback, nothing listens: fails at once


def _js(view, qtbot, js):
    box = {}
    view.page().runJavaScript(f"JSON.stringify({js})", 0, lambda v: box.setdefault("v", v))
    qtbot.waitUntil(lambda: "v" in box, timeout=10_000)
    return json.loads(box["v"]) if isinstance(box["v"], str) else None


def _vehicle_centre(window):
    return window.project.conn.execute(
        "SELECT AVG(lat), AVG(lon) FROM places WHERE vehicle_id = ?",
        (window.vehicle_id,)).fetchone()


def test_local_mbtiles_streets_with_no_network(qtbot, window, fresh_demo_project, tmp_path):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: wait_for_map(window, 0) and window.vehicle_id is not None, timeout=30_000)
    lat, lon = _vehicle_centre(window)
    tiles = make_mbtiles(tmp_path / "city.mbtiles",
                         list(tiles_around(lat, lon, range(8, 16), radius=4)))
    profile = auditor_profile()
    served, blocked = profile.tiles.served, len(profile.guard.blocked)
    window.choose_basemap("mbtiles", str(tiles))
    assert window.state.basemap == f"mbtiles:{tiles}"
    assert "local tiles" in window.status.basemap.text()
    qtbot.waitUntil(lambda: wait_for_map(window, 0), timeout=30_000)
    # the page's tile images come from the scheme handler, decoded (256 px wide)
    qtbot.waitUntil(lambda: (_js(window.map, qtbot, (
        "Array.from(document.querySelectorAll('.leaflet-tile-pane img')).filter(function (i) "
        "{ return i.src.indexOf('auditor-tiles://') === 0 && i.complete && "
        "i.naturalWidth === 256; }).length")) or 0) >= 4, timeout=20_000)
    assert profile.tiles.served > served
    assert len(profile.guard.blocked) == blocked  # nothing tried to leave the machine
    assert _js(window.map, qtbot, "window.auditor.tiles().failed") == 0
    window.close()


def test_both_views_carry_a_policy_and_only_the_chosen_host_is_let_through(
        qtbot, window, demo_project):
    window.open_project(demo_project)
    qtbot.waitUntil(lambda: window.state.analysis is not None, timeout=60_000)
    qtbot.waitUntil(lambda: wait_for_map(window, 0), timeout=30_000)
    window.analysis.show_tab("drift")
    drift = window.analysis.view("drift")
    qtbot.waitUntil(lambda: drift.loaded, timeout=30_000)
    csp = "document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content"
    for view in (window.map, drift):
        policy = _js(view, qtbot, csp)
        scripts = policy.split("script-src")[1].split(";")[0]
        assert "'sha256-" in scripts and "'unsafe-inline'" not in scripts
        assert "img-src data:" in policy.replace("'self' ", "")
    # defence in depth: a page WITHOUT a policy still cannot reach any other host
    use_basemap(DEAD_TILES)
    assert allowed_hosts(DEAD_TILES) == ("127.0.0.1",)
    guard = auditor_profile().guard
    page = PinnedPage()
    done = []
    page.loadFinished.connect(done.append)
    page.setHtml("<html><body><img src='https://tracker.example.org/p.png'>"
                 f"<img src='{DEAD_TILES.format(z=1, x=0, y=0)}'></body></html>",
                 QUrl("qrc:///auditor/test.html"))
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    qtbot.waitUntil(lambda: any("tracker.example.org" in u for u in guard.blocked),
                    timeout=10_000)
    assert not any("127.0.0.1" in u for u in guard.blocked) and guard.allowed >= 1
    use_basemap("none")
    assert "127.0.0.1" not in guard.hosts  # other windows' choices may still be allowed
    page.deleteLater()
    window.close()


def test_tiles_that_do_not_come_say_so(qtbot, window, fresh_demo_project):
    window.open_project(fresh_demo_project)
    qtbot.waitUntil(lambda: wait_for_map(window, 0) and window.vehicle_id is not None, timeout=30_000)
    window.choose_basemap("custom", DEAD_TILES)
    qtbot.waitUntil(lambda: wait_for_map(window, 0), timeout=30_000)
    qtbot.waitUntil(lambda: (_js(window.map, qtbot, "window.auditor.tiles()") or {})
                    .get("failed", 0) > 0, timeout=20_000)
    state = _js(window.map, qtbot, "window.auditor.tiles()")
    assert state["loaded"] == 0
    assert state["notice"].startswith("Tiles could not be loaded (offline?)")
    # the places and trips are still there
    assert window.map.last_state["places"] > 0
    window.close()
