"""The standalone map page: folium builds it (map, basemap tile layer) with Leaflet and
vehicle_map.js inline and the first vehicle's payload embedded; the page then draws (and later
swaps) vehicles itself through window.auditor.load(payload)."""
from __future__ import annotations

from typing import Optional

import folium
from branca.element import Element, MacroElement

from auditor.maps import basemap as bm
from auditor.maps.assets import head_html
from auditor.maps.csp import with_policy
from auditor.maps.vehicle_map import check_basemap, check_click_handler, esc, script_json


class _VehicleLayers(MacroElement):
    """Hands the data to vehicle_map.js and publishes window.auditor (after the map exists)."""

    def __init__(self, payload: dict, click_handler: Optional[str]):
        super().__init__()
        self._name = "VehicleLayers"
        self.payload = payload
        self.click_handler = click_handler

    def render(self, **kwargs):
        map_name = self._parent.get_name()
        code = (f"window.auditor = window.auditorVehicleMap({map_name}, "
                f"{script_json(self.payload)}, {script_json(self.click_handler)});")
        self.get_root().script.add_child(Element(code), name=self.get_name())


def _number_elements(root) -> None:
    """folium names elements with random ids; number them instead so pages are reproducible."""
    counter = 0

    def visit(el):
        nonlocal counter
        el._id = f"{counter:04d}"
        counter += 1
        for sub in ("header", "html", "script"):
            part = getattr(el, sub, None)
            if isinstance(part, Element) and part is not el:
                visit(part)
        for child in list(el._children.values()):
            visit(child)

    visit(root)


class _EmbeddedTiles(MacroElement):
    """Local tiles carried in the page as data: URIs ({"z/x/y": uri}): a tile layer that
    looks them up instead of requesting anything (``auditor map --basemap mbtiles:FILE``)."""

    def __init__(self, tiles: dict, min_zoom: int, max_zoom: int, attribution: str):
        super().__init__()
        self._name = "EmbeddedTiles"
        self.tiles, self.min_zoom, self.max_zoom = tiles, min_zoom, max_zoom
        self.attribution = attribution

    def render(self, **kwargs):
        map_name = self._parent.get_name()
        code = ("(function (map, tiles, opts) {"
                "var Layer = L.TileLayer.extend({getTileUrl: function (c) {"
                "return tiles[c.z + '/' + c.x + '/' + c.y] || opts.blank; }});"
                "new Layer('', {minNativeZoom: opts.min, maxNativeZoom: opts.max, maxZoom: 19,"
                " attribution: opts.attribution}).addTo(map);"
                f"}})({map_name}, {script_json(self.tiles)}, "
                f"{script_json(self._options())});")
        self.get_root().script.add_child(Element(code), name=self.get_name())

    def _options(self) -> dict:
        return {"min": self.min_zoom, "max": self.max_zoom, "blank": BLANK_TILE,
                "attribution": self.attribution}


# a transparent 1x1 GIF for tiles an embedded set does not have
BLANK_TILE = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


def add_tile_layer(m, basemap: str, embedded: Optional[dict] = None) -> None:
    """The basemap's tile layer on folium map ``m`` (none: no layer, no request)."""
    kind = bm.kind(basemap)
    if kind == bm.NONE:
        return
    if kind == "local" and embedded is not None:
        _EmbeddedTiles(embedded["tiles"], embedded["min_zoom"], embedded["max_zoom"],
                       esc(embedded.get("attribution") or f"Tiles: {bm.local_path(basemap).name}"
                           )).add_to(m)
        return
    if kind == bm.OSM:
        folium.TileLayer(tiles=bm.OSM_URL, attr=bm.OSM_ATTRIBUTION, name="OpenStreetMap",
                         max_zoom=19).add_to(m)
    elif kind == "local":  # served by the GUI under its own URL scheme (auditor.maps.tiles)
        folium.TileLayer(tiles=bm.local_tile_url(basemap), attr=esc(f"Tiles: {bm.local_path(basemap).name}"),
                         max_zoom=19).add_to(m)
    else:
        host = basemap.split("/")[2].rpartition("@")[2]
        folium.TileLayer(tiles=basemap, attr=f"Tiles: {esc(host)}", max_zoom=19).add_to(m)


def build_page(payload: dict, *, basemap: str = "none",
               click_handler: Optional[str] = None, extra_head: str = "",
               script_sources: tuple = (), embedded_tiles: Optional[dict] = None) -> str:
    """The standalone page: Leaflet, vehicle_map.js and the first vehicle's payload inline.
    The page fits the view itself (vehicle_map.js), leaving room for its info box and legend.

    extra_head: more <head> markup (the GUI's QWebChannel bridge); its inline scripts are
    allowed by the page's Content-Security-Policy like ours, ``script_sources`` lists the
    script URLs it loads (e.g. "qrc:"). embedded_tiles: local tiles carried in the page
    (auditor.maps.tiles.embed_tiles) for a local basemap."""
    basemap = check_basemap(basemap)
    click_handler = check_click_handler(click_handler)
    m = folium.Map(location=None, tiles=None, control_scale=True, zoom_control=True)
    # the CDN defaults are replaced by the inline copies (instance attributes: never mutate
    # folium's shared class lists)
    m.default_js = []
    m.default_css = []
    figure = m.get_root()
    figure.title = f"auditor — vehicle {esc(payload['vehicleId'])}"
    figure.header.add_child(Element(head_html() + extra_head), name="auditor_assets")
    add_tile_layer(m, basemap, embedded_tiles)
    _VehicleLayers(payload, click_handler).add_to(m)
    _number_elements(figure)
    return with_policy(figure.render(), basemap, script_sources)
