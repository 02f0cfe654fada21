"""The standalone map page: folium builds it (map, basemap tile layer) with Leaflet and
vehicle_map.js inline and the first vehicle's payload embedded; the page then draws (and later
swaps) vehicles itself through window.auditor.load(payload)."""
from __future__ import annotations

from typing import Optional

import folium
from branca.element import Element, MacroElement

from auditor.maps.assets import head_html
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


def build_page(payload: dict, *, basemap: str = "none",
               click_handler: Optional[str] = None) -> str:
    """The standalone page: Leaflet, vehicle_map.js and the first vehicle's payload inline.
    The page fits the view itself (vehicle_map.js), leaving room for its info box and legend."""
    basemap = check_basemap(basemap)
    click_handler = check_click_handler(click_handler)
    m = folium.Map(location=None, tiles=None, control_scale=True, zoom_control=True)
    # the CDN defaults are replaced by the inline copies (instance attributes: never mutate
    # folium's shared class lists)
    m.default_js = []
    m.default_css = []
    figure = m.get_root()
    figure.title = f"auditor — vehicle {esc(payload['vehicleId'])}"
    figure.header.add_child(Element(head_html()), name="auditor_assets")
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", max_zoom=19).add_to(m)
    elif basemap != "none":
        host = basemap.split("/")[2]
        folium.TileLayer(tiles=basemap, attr=f"Tiles: {esc(host)}", max_zoom=19).add_to(m)
    _VehicleLayers(payload, click_handler).add_to(m)
    _number_elements(figure)
    return figure.render()


