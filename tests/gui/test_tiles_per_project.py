"""Two windows on two projects with different local basemaps: each page gets its own tiles
(one key per MBTiles file or XYZ folder in the auditor-tiles scheme), and the request guard
lets through the tile hosts of the basemaps the living views show — no others."""
import gc
import json

from PySide6.QtCore import QObject, QUrl
from test_basemap_tiles import png

from auditor.gui.web_page import PinnedPage
from auditor.gui.web_profile import auditor_profile, use_basemap
from auditor.maps import basemap as bm
from auditor.maps.page import build_page

ONLINE = "https://127.0.0.23:9/{z}/{x}/{y}.png"  # loopback, never asked: only the guard sees it


def _xyz(folder, size):
    for x in range(2):
        for y in range(2):
            (folder / "1" / str(x)).mkdir(parents=True, exist_ok=True)
            (folder / "1" / str(x) / f"{y}.png").write_bytes(png((size % 256, x, y), size))
    return f"xyz:{folder}"


def _widths(qtbot, page, urls):
    """naturalWidth of each <img src=url> once all have loaded (0: failed)."""
    imgs = "".join(f"<img src='{u}'>" for u in urls)
    done = []
    page.loadFinished.connect(done.append)
    page.setHtml(f"<html><body>{imgs}</body></html>", QUrl("qrc:///auditor/tiles-test.html"))
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)
    box = {}

    def ask():
        page.runJavaScript("JSON.stringify(Array.from(document.images).map(function (i) "
                           "{ return i.complete ? i.naturalWidth : -1; }))", 0,
                           lambda v: box.__setitem__("v", json.loads(v)))
    qtbot.waitUntil(lambda: (ask(), -1 not in box.get("v", [-1]))[1], timeout=20_000)
    return box["v"]


def test_two_local_basemaps_are_served_side_by_side(qtbot, tmp_path):
    a, b = _xyz(tmp_path / "a", 256), _xyz(tmp_path / "b", 128)
    assert bm.local_tile_key(a) != bm.local_tile_key(b)
    window_a, window_b = QObject(), QObject()
    use_basemap(a, window_a)
    use_basemap(b, window_b)  # the second window drew last; the first still gets its own
    tile = {m: bm.local_tile_url(m).format(z=1, x=1, y=0) for m in (a, b)}
    page = PinnedPage()
    assert _widths(qtbot, page, [tile[a], tile[b], tile[a] + "?again"]) == [256, 128, 256]
    # a page built for a project's local basemap asks that basemap's key
    html = build_page({"vehicleId": "v", "places": [], "trips": [], "track": [],
                       "unmatched": [], "bounds": None}, basemap=a)
    assert bm.local_tile_url(a).split("{z}")[0] in html
    assert bm.local_tile_key(b) not in html
    page.deleteLater()


def test_the_guard_allows_the_hosts_of_the_basemaps_living_views_show(qtbot, tmp_path):
    guard = auditor_profile().guard
    local, online = QObject(), QObject()
    use_basemap(_xyz(tmp_path / "c", 64), local)
    use_basemap(ONLINE, online)
    assert "127.0.0.23" in guard.hosts  # the online window's host, while the other shows local
    use_basemap("none")
    assert "127.0.0.23" in guard.hosts
    del online
    gc.collect()
    use_basemap("none", local)   # the next choice forgets the closed window's host
    assert "127.0.0.23" not in guard.hosts
