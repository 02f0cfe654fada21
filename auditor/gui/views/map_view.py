"""The centre pane: the vehicle map page in a QWebEngineView. It follows the state's current
vehicle / place / trip through runJavaScript (switching vehicle: the page loads once, later
vehicles are swapped in with window.auditor.load(payload)), and a click on the page becomes the
state's selection through QWebChannel (MapBridge)."""
from __future__ import annotations

import json
import logging
import sqlite3
import tempfile
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineWidgets import QWebEngineView

from auditor.gui.first_paint import after_first_paint, window_painted
from auditor.gui.views.map_bridge import MapBridge
from auditor.gui.web_page import PinnedPage
from auditor.gui.web_profile import use_basemap
from auditor.state.app_state import AppState, Selection
from auditor.store.lookups import vehicle_place_ids, vehicle_trip_ids

log = logging.getLogger("auditor.gui.map")

CLICK_HANDLER = "auditorClick"
SETHTML_LIMIT = 2_000_000 - 64_000  # Qt's setHtml limit is 2 MB (URL-encoded); keep a margin
BASE_URL = QUrl("qrc:///auditor/map.html")
_READY_POLL_MS = 40
_READY_TIMEOUT_MS = 20_000
REDRAW_DELAY_MS = 250  # flags in a row redraw the map once

# Is the map drawn? window.auditor exists and Leaflet has put its vectors (SVG paths) on the page.
READY_JS = """(function () {
  if (!window.auditor || !window.auditor.map) { return "null"; }
  var paths = document.querySelectorAll('.leaflet-overlay-pane path').length;
  return JSON.stringify({places: window.auditor.placeIds.length,
                         trips: window.auditor.tripIds.length,
                         paths: paths, channel: !!window._auditorBridge});
})()"""


def _js_string(value: str) -> str:
    """A JS string literal safe inside <script>: JSON, with '<' escaped so '</script>' in a
    vehicle id cannot end the script."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def bridge_script() -> str:
    """Page -> app clicks through QWebChannel. The vehicle sent with a click is the one the page
    shows at that moment (window.auditor.vehicleId), so the bridge can refuse stale clicks."""
    return f"""<script src="qrc:///qtwebchannel/qwebchannel.js"></script>
<script>
(function () {{
  var queued = [];
  window.{CLICK_HANDLER} = function (kind, id) {{
    var b = window._auditorBridge;
    if (!b) {{ queued.push([kind, id]); return; }}
    var vehicle = window.auditor ? String(window.auditor.vehicleId) : "";
    if (kind === "place") {{ b.placeClicked(vehicle, String(id)); }}
    else if (kind === "trip") {{ b.tripClicked(vehicle, String(id)); }}
  }};
  function connect() {{
    if (typeof QWebChannel === "undefined" || typeof qt === "undefined") {{ return; }}
    new QWebChannel(qt.webChannelTransport, function (channel) {{
      window._auditorBridge = channel.objects.bridge;
      var q = queued; queued = [];
      q.forEach(function (c) {{ window.{CLICK_HANDLER}(c[0], c[1]); }});
    }});
  }}
  if (document.readyState === "loading") {{ document.addEventListener("DOMContentLoaded", connect); }}
  else {{ connect(); }}
}})();
</script>
"""


def inject_bridge(html: str) -> str:
    script = bridge_script()
    pos = html.lower().find("</head>")
    if pos < 0:
        return script + html
    return html[:pos] + script + html[pos:]


class MapView(QWebEngineView):
    mapReady = Signal(str)  # vehicle_id, once window.auditor exists and the vectors are drawn

    def __init__(self, state: AppState, parent=None):
        super().__init__(parent)
        self.state = state
        self.setObjectName("mapView")
        self.setAcceptDrops(False)  # a dropped file goes to the window (import), not a page
        self._page = PinnedPage(self)
        self.setPage(self._page)
        self.bridge = MapBridge(self)
        self.channel = QWebChannel(self._page)
        self.channel.registerObject("bridge", self.bridge)
        self._page.setWebChannel(self.channel)
        self.vehicle_id: Optional[str] = None
        self.ready = False
        self.last_state: Optional[dict] = None
        self._pending_js: list[str] = []
        self._load_token = 0
        self._poll_elapsed = 0
        self._tmpdir = tempfile.TemporaryDirectory(prefix="auditor-map-")
        self._page_alive = False       # a vehicle page is loaded and has window.auditor
        self._page_basemap: Optional[str] = None
        self.page_loads = 0            # whole pages loaded / vehicles swapped in: diagnostics
        self.swaps = 0
        self.page_selected: tuple[Optional[str], Optional[str]] = (None, None)  # place, trip
        self.loadFinished.connect(self._loaded)
        self.loadStarted.connect(self._load_started)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_DELAY_MS)
        self._redraw_timer.timeout.connect(self.redraw)
        self.bridge.placeSelected.connect(self._page_place)
        self.bridge.tripSelected.connect(self._page_trip)
        state.project_changed.connect(self._project_changed)
        state.selection_changed.connect(self._selection_changed)
        state.flags_changed.connect(self._flags_changed)
        state.settings_changed.connect(self._settings_changed)

    # --- following the state -------------------------------------------------------------
    def _project_changed(self, project) -> None:
        self._redraw_timer.stop()
        if project is None:
            self.show_message("No project open.")
        elif not project.counts().places:
            self.show_message("No places yet. Import pings and labels (File ▸ Import data…), "
                              "then run inference (Run ▸ Infer).")

    def _selection_changed(self, new: Selection, old: Selection) -> None:
        if new.vehicle_id is None:
            return
        if new.vehicle_id != old.vehicle_id or new.vehicle_id != self.vehicle_id:
            self.page_selected = (None, None)
            self._show_state()
            return
        if (new.place_id != old.place_id or old.whole_vehicle) and new.place_id is not None \
                and not new.whole_vehicle and new.place_id != self.page_selected[0]:
            self.select_place(new.place_id)
        if new.trip_id != old.trip_id and new.trip_id is not None \
                and new.trip_id != self.page_selected[1]:
            self.select_trip(new.trip_id)

    def _page_place(self, place_id: str) -> None:
        # the page shows this selection already: following the state must not repeat it
        self.page_selected = (place_id, self.page_selected[1])
        self.state.select_place(place_id)

    def _page_trip(self, trip_id: str) -> None:
        self.page_selected = (self.page_selected[0], trip_id)
        self.state.select_trip(trip_id)

    def _flags_changed(self, spec, op) -> None:
        # flagged places get their mark: redraw (keeping the selection), once for a burst
        vehicle = self.state.selection.vehicle_id
        if vehicle is None or self.state.project is None:
            return
        if spec is None or spec.target_kind != "place" or \
                spec.target_id.startswith(f"{vehicle}:"):
            self._redraw_timer.start()

    def _settings_changed(self, name: str) -> None:
        if name == "basemap" and self.state.selection.vehicle_id is not None:
            self.redraw()

    def _show_state(self) -> None:
        p, sel = self.state.project, self.state.selection
        try:
            self.show_vehicle(p.conn, sel.vehicle_id, run_id=p.run_id,
                              basemap=self.state.basemap,
                              selected_place=None if sel.whole_vehicle else sel.place_id)
        except Exception as exc:  # say it on the map (the other views still follow)
            from auditor.errors import UserError
            if not isinstance(exc, UserError):
                log.exception("drawing the map of %s", sel.vehicle_id)
            self.show_message(f"Cannot draw vehicle {sel.vehicle_id}: {exc}")

    def redraw(self) -> None:
        """Draw the current vehicle again with the current place selected."""
        p, sel = self.state.project, self.state.selection
        if p is None or sel.vehicle_id is None:
            return
        self.show_vehicle(p.conn, sel.vehicle_id, run_id=p.run_id,
                          basemap=self.state.basemap, selected_place=sel.place_id)

    # --- loading -----------------------------------------------------------------------------
    def show_vehicle(self, conn: sqlite3.Connection, vehicle_id: str, *, run_id=None,
                     basemap: str = "none", selected_place: Optional[str] = None) -> None:
        """Draw the vehicle: into the page already loaded (window.auditor.load, no reload) when
        there is one with this basemap, else by loading the page. On a cold start this waits
        for the window's first paint. mapReady follows once the vectors are drawn."""
        self.vehicle_id = vehicle_id
        self.ready = False
        self.last_state = None
        self._pending_js = []
        self._load_token += 1
        token = self._load_token
        request = (conn, vehicle_id, run_id, basemap, selected_place)
        # clicks are judged against the vehicle asked for from now on (indexed, cheap)
        self.bridge.set_vehicle(vehicle_id, vehicle_place_ids(conn, vehicle_id),
                                vehicle_trip_ids(conn, vehicle_id))
        if window_painted(self):
            self._draw(token, request)  # errors reach the caller (a dialog in the main window)
        else:
            after_first_paint(self, lambda: self._draw_later(token, request))

    def _draw_later(self, token: int, request: tuple) -> None:
        if token != self._load_token:
            return
        try:
            self._draw(token, request)
        except Exception as exc:  # nobody to raise to: say it on the map, details in the log
            from auditor.errors import UserError
            if not isinstance(exc, UserError):
                log.exception("drawing the map of %s", request[1])
            self.show_message(f"Cannot draw vehicle {request[1]}: {exc}")

    def _draw(self, token: int, request: tuple) -> None:
        if token != self._load_token:
            return  # another vehicle was asked for meanwhile
        from auditor.maps.vehicle_map import load_script, vehicle_payload
        conn, vehicle_id, run_id, basemap, selected_place = request
        use_basemap(basemap, self)  # what the page may load: this project's tiles, nothing else
        payload = vehicle_payload(conn, vehicle_id, run_id=run_id, basemap=basemap,
                                  selected_place=selected_place)
        if self._page_alive and self._page_basemap == basemap:
            self._page.runJavaScript(load_script(payload), 0,
                                     lambda text: self._swapped(token, request, text))
            return
        from auditor.maps.page import build_page  # folium: only for a page load
        # the bridge goes in through build_page so the page's CSP lets it run (auditor.maps.csp)
        html = build_page(payload, basemap=basemap, click_handler=CLICK_HANDLER,
                          extra_head=bridge_script(), script_sources=("qrc:",))
        self._show_page(html, basemap)

    def _swapped(self, token: int, request: tuple, text) -> None:
        if token != self._load_token:
            return
        try:
            state = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            state = None
        if not isinstance(state, dict) or state.get("vehicleId") != request[1]:
            # the page was not there to swap (crashed, reloaded): load it again
            log.info("map swap to %s failed (%r); reloading the page", request[1], text)
            self._page_alive = False
            self._draw_later(token, request)
            return
        self.swaps += 1
        self._set_ready(state)

    def _show_page(self, html: str, basemap: Optional[str]) -> None:
        self._page_alive = False
        self._page_basemap = basemap
        self.page_loads += 1
        if len(html.encode("utf-8")) < SETHTML_LIMIT:
            self.setHtml(html, BASE_URL)
        else:  # too big for setHtml: a temp file, loaded by URL
            path = Path(self._tmpdir.name) / f"map-{self._load_token}.html"
            path.write_text(html, encoding="utf-8")
            self.load(QUrl.fromLocalFile(str(path)))

    def show_message(self, text: str) -> None:
        """A plain page for 'no project' / 'no vehicle' states; text is escaped."""
        import html as _html
        self.vehicle_id = None
        self.ready = False
        self._page_alive = False
        self._page_basemap = None
        self.bridge.set_vehicle(None, (), ())
        self._load_token += 1
        self.setHtml("<html><body style='font-family:sans-serif;color:#555;display:flex;"
                     "align-items:center;justify-content:center;height:95vh'>"
                     f"<p>{_html.escape(text)}</p></body></html>", BASE_URL)

    def _load_started(self) -> None:
        self._page_alive = False  # whatever loads now is not the page we can swap data into

    def _loaded(self, ok: bool) -> None:
        if self.vehicle_id is None:
            return
        if not ok:
            log.warning("map page for %s failed to load", self.vehicle_id)
        self._poll_elapsed = 0
        self._poll(self._load_token)

    def _poll(self, token: int) -> None:
        if token != self._load_token:
            return  # another vehicle's page replaced this one

        def check(text) -> None:
            if token != self._load_token:
                return
            try:  # the page answers with JSON text (objects do not cross runJavaScript reliably)
                state = json.loads(text) if isinstance(text, str) else None
            except ValueError:
                state = None
            if isinstance(state, dict) and (state.get("paths") or
                                            not (state.get("places") or state.get("trips"))):
                self._page_alive = self._page_basemap is not None
                self._set_ready(state)
                return
            self._poll_elapsed += _READY_POLL_MS
            if self._poll_elapsed < _READY_TIMEOUT_MS:
                QTimer.singleShot(_READY_POLL_MS, lambda: self._poll(token))
            else:
                log.warning("map for %s never reported ready: %r", self.vehicle_id, state)

        self._page.runJavaScript(READY_JS, 0, check)

    def _set_ready(self, state: dict) -> None:
        self.ready = True
        self.last_state = state
        pending, self._pending_js = self._pending_js, []
        for js in pending:
            self._page.runJavaScript(js)
        self.mapReady.emit(self.vehicle_id or "")

    # --- talking to the page ---------------------------------------------------------------
    def run_js(self, js: str, callback: Optional[Callable] = None) -> None:
        if callback is None:
            if self.ready:
                self._page.runJavaScript(js)
            else:
                self._pending_js.append(js)
        else:
            self._page.runJavaScript(js, 0, callback)

    def select_place(self, place_id: str) -> None:
        self.page_selected = (place_id, self.page_selected[1])
        self.run_js(f"window.auditor && window.auditor.selectPlace({_js_string(place_id)});")

    def select_trip(self, trip_id: str) -> None:
        self.page_selected = (self.page_selected[0], trip_id)
        self.run_js(f"window.auditor && window.auditor.selectTrip({_js_string(trip_id)});")
