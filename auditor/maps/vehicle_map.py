"""A vehicle's folium map as one self-contained HTML page (the GUI and `auditor map` share it).

folium builds the page (map, basemap tile layer, fit to the data); the trips and places travel
as one JSON object that resources/map/vehicle_map.js draws with plain Leaflet. Markup made
from data is built here, in one place, with every data string HTML-escaped; the JSON is
escaped for a <script> context. folium's own popups are not used: they put content into a JS
template literal where `${...}` in data would run.
"""
from __future__ import annotations

import html
import json
import math
import re
import sqlite3
from typing import Optional, Sequence

import folium
import pandas as pd
from branca.element import Element, MacroElement

from auditor.errors import UserError
from auditor.maps.assets import head_html
from auditor.maps.vehicle_data import VehicleData, load_vehicle

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies
LABEL_COLORS = {"home": "#0072b2", "work": "#e69f00", "other": "#9a9a9a"}
NO_PREDICTION = "#ffffff"
FLAG_COLOR = "#cc79a7"
BASEMAPS = ("none", "osm")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]{0,63}$")
_TILE_URL = re.compile(r"^https?://[^\s\"'<>\\`]*\{z\}[^\s\"'<>\\`]*\{x\}[^\s\"'<>\\`]*\{y\}"
                       r"[^\s\"'<>\\`]*$")
META_SHOWN = 8
BASEMAP_OFF_NOTICE = "Basemap off — enable in View ▸ Basemap"


def esc(value) -> str:
    """Text from data, safe inside HTML (element content and quoted attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def script_json(obj) -> str:
    """JSON that cannot end its <script> element or open a comment/CDATA in it."""
    return (json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def check_basemap(basemap: str) -> str:
    """"none", "osm" or a tile URL template like https://host/{z}/{x}/{y}.png."""
    basemap = (basemap or "none").strip()
    if basemap.lower() in BASEMAPS:
        return basemap.lower()
    if not _TILE_URL.match(basemap):
        raise UserError(f"basemap {basemap!r} is not none, osm or a tile URL template — write "
                        "e.g. https://tile.example.org/{z}/{x}/{y}.png")
    return basemap


def check_click_handler(name: Optional[str]) -> Optional[str]:
    if name is None:
        return None
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"click_handler must be a JavaScript identifier, got {name!r}")
    return name


# --- markup from data ---------------------------------------------------------------------------

def _num(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    return format(float(value), fmt)


def _rows(pairs) -> str:
    return "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in pairs)


def place_popup(p: pd.Series) -> str:
    visits = p.get("visits") if not pd.isna(p.get("visits")) else p.get("n_stops")
    pairs = [
        ("visits", _num(visits, ".0f")),
        ("days", _num(p.get("days"), ".0f")),
        ("dwell", f"{_num(p.get('dwell_h'), '.1f')} h"),
        ("share at 02:00", _num(None if pd.isna(p.get("share_0200")) else
                                100 * float(p["share_0200"]), ".0f") + " %"),
        ("p_home / p_work", f"{_num(p.get('p_home'), '.2f')} / {_num(p.get('p_work'), '.2f')}"),
        ("given / predicted", f"{p.get('given_label') or '–'} / "
                              f"{p.get('predicted_label') or '–'}"),
        ("split", p.get("split") or "–"),
    ]
    if p.get("flag_state"):
        pairs.append(("flags", p["flag_state"]))
    return f"<b>place {esc(p['place_id'])}</b><table>{_rows(pairs)}</table>"


def place_tooltip(p: pd.Series) -> str:
    pred = p.get("predicted_label") or "no prediction"
    given = p.get("given_label")
    text = f"{p['place_id']}: {pred}" + (f" (given {given})" if given else "")
    if p.get("flag_state"):
        text += f" — {p['flag_state']}"
    return esc(text)


def trip_tooltip(trip: dict) -> str:
    start = pd.Timestamp(trip["start_ts"], unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M")
    minutes = (trip["end_ts"] - trip["start_ts"]) / 60.0
    bad = " — bad data" if trip["bad"] else ""
    return esc(f"trip {trip['id']}: {start} UTC, {minutes:.0f} min{bad}")


def info_box(data: VehicleData) -> str:
    pairs = [("vehicle", data.vehicle_id)]
    for key in sorted(data.meta, key=str)[:META_SHOWN]:
        pairs.append((key, data.meta[key]))
    if len(data.meta) > META_SHOWN:
        pairs.append(("…", f"{len(data.meta) - META_SHOWN} more"))
    pairs.append(("run", data.run_id if data.run_id is not None else "not inferred yet"))
    pairs.append(("trips / places", f"{len(data.trips)} / {len(data.places)}"))
    if not data.trips and data.places.empty:
        pairs.append(("note", "not inferred yet: raw pings shown; run 'auditor infer'"))
    return f"<table>{_rows(pairs)}</table>"


def legend_rows() -> list[list[str]]:
    rows = [["fill", c, f"predicted {k}"] for k, c in LABEL_COLORS.items()]
    rows += [["ring", c, f"given {k}"] for k, c in LABEL_COLORS.items()]
    rows += [["dashed", FLAG_COLOR, "flagged"], ["line", "#4d4d4d", "trip"],
             ["dashline", "#b2182b", "trip flagged bad data"]]
    return rows


def page_data(data: VehicleData, basemap: str, selected_place: Optional[str]) -> dict:
    places = []
    for _, p in data.places.iterrows():  # one step per place (tens per vehicle)
        pred, given = p.get("predicted_label"), p.get("given_label")
        places.append({
            "id": p["place_id"], "lat": round(float(p["lat"]), 6), "lon": round(float(p["lon"]), 6),
            "fill": LABEL_COLORS.get(pred, NO_PREDICTION),
            "ring": LABEL_COLORS.get(given) if isinstance(given, str) else None,
            "flagged": bool(p["flag_state"]),
            "popup": place_popup(p), "tooltip": place_tooltip(p),
        })
    trips = [{"id": t["id"], "coords": t["coords"], "bad": t["bad"], "tooltip": trip_tooltip(t)}
             for t in data.trips]
    known = {p["id"] for p in places}
    return {"vehicleId": data.vehicle_id, "places": places, "trips": trips, "track": data.track,
            "pointCount": data.point_count, "info": info_box(data), "legend": legend_rows(),
            "basemapNotice": BASEMAP_OFF_NOTICE if basemap == "none" else None,
            "selectedPlace": selected_place if selected_place in known else None}


def data_bounds(payload: dict) -> Optional[list[list[float]]]:
    lats, lons = [], []
    for p in payload["places"]:
        lats.append(p["lat"])
        lons.append(p["lon"])
    for t in payload["trips"]:
        for lat, lon in t["coords"]:
            lats.append(lat)
            lons.append(lon)
    for lat, lon in payload["track"]:
        lats.append(lat)
        lons.append(lon)
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


# --- the page ------------------------------------------------------------------------------------

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


def build_page(data: VehicleData, *, basemap: str = "none",
               selected_place: Optional[str] = None,
               click_handler: Optional[str] = None) -> str:
    basemap = check_basemap(basemap)
    click_handler = check_click_handler(click_handler)
    payload = page_data(data, basemap, selected_place)
    m = folium.Map(location=None, tiles=None, control_scale=True, zoom_control=True)
    # the CDN defaults are replaced by the inline copies (instance attributes: never mutate
    # folium's shared class lists)
    m.default_js = []
    m.default_css = []
    figure = m.get_root()
    figure.title = f"auditor — vehicle {esc(data.vehicle_id)}"
    figure.header.add_child(Element(head_html()), name="auditor_assets")
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", max_zoom=19).add_to(m)
    elif basemap != "none":
        host = basemap.split("/")[2]
        folium.TileLayer(tiles=basemap, attr=f"Tiles: {esc(host)}", max_zoom=19).add_to(m)
    bounds = data_bounds(payload)
    if bounds is not None:
        m.fit_bounds(bounds, padding=(24, 24), max_zoom=17)
    _VehicleLayers(payload, click_handler).add_to(m)
    _number_elements(figure)
    return figure.render()


def render_vehicle_map(conn: sqlite3.Connection, vehicle_id: str, *, run_id: Optional[int] = None,
                       basemap: str = "none", selected_place: Optional[str] = None,
                       click_handler: Optional[str] = None, max_points_per_trip: int = 300,
                       time_range: Optional[tuple[int, int]] = None,
                       place_ids: Optional[Sequence[str]] = None) -> str:
    """The complete HTML page of one vehicle's map.

    run_id: predictions to colour places by (default: the latest model run).
    basemap: "none", "osm" or a tile URL template (http(s)://…{z}…{x}…{y}…).
    selected_place: place selected and its popup open on load.
    click_handler: name of a global JS function called as f("place"|"trip", id) on clicks.
    time_range: (start_ts, end_ts) UTC seconds: only trips and places visited in it.
    place_ids: only these places (trips are unaffected).
    """
    basemap = check_basemap(basemap)
    check_click_handler(click_handler)
    data = load_vehicle(conn, str(vehicle_id), run_id=run_id, time_range=time_range,
                        place_ids=place_ids, max_points_per_trip=max_points_per_trip)
    return build_page(data, basemap=basemap, selected_place=selected_place,
                      click_handler=click_handler)
