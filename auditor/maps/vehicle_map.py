"""A vehicle's map: its payload (what the page draws) and the self-contained HTML page that
the GUI and `auditor map` share.

The trips and places of a vehicle travel as one JSON object (vehicle_payload) that
resources/map/vehicle_map.js draws with plain Leaflet: embedded in the page (auditor.maps.page,
built with folium), or handed to a page already loaded through window.auditor.load(payload)
(load_script), so switching vehicle never reloads Leaflet. Markup made from data is built here,
in one place, with every data string HTML-escaped; the JSON is escaped for a <script> context.
folium's own popups are not used: they put content into a JS template literal where `${...}`
in data would run.
"""
from __future__ import annotations

import html
import json
import math
import re
import sqlite3
from datetime import datetime, timezone
from typing import Optional, Sequence

import numpy as np

from auditor.analysis.issue_words import unmatched_words
from auditor.classes import LABEL_COLOURS
from auditor.maps.basemap import BASEMAPS, check_basemap  # noqa: F401  (re-exported)
from auditor.maps.vehicle_data import VehicleData, load_vehicle

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies
LABEL_COLORS = LABEL_COLOURS  # auditor.classes: the same colours in every view
NO_PREDICTION = "#ffffff"
FLAG_COLOR = "#cc79a7"
UNMATCHED_COLOR = "#d55e00"   # Okabe-Ito vermillion: a label that matched no place
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]{0,63}$")
META_SHOWN = 8
BASEMAP_OFF_NOTICE = "Basemap off — enable in View ▸ Basemap"
UNLABELLED = "unlabelled"


def esc(value) -> str:
    """Text from data, safe inside HTML (element content and quoted attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def script_json(obj) -> str:
    """JSON that is safe as JavaScript source inside <script> or runJavaScript: it cannot end
    the element ("</"), open a comment/CDATA, and has no raw U+2028/U+2029 (line breaks to
    older JS parsers): ensure_ascii writes those as \\u escapes."""
    return (json.dumps(obj, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def check_click_handler(name: Optional[str]) -> Optional[str]:
    if name is None:
        return None
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise ValueError(f"click_handler must be a JavaScript identifier, got {name!r}")
    return name


# --- markup from data ---------------------------------------------------------------------------

def _num(value, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(float(value), fmt)


def _rows(pairs) -> str:
    return "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in pairs)


def _text(value, missing: str) -> str:
    """A label from data, or ``missing`` for None/NaN/"" (never the text "nan")."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return missing
    return str(value)


def place_popup(p: dict) -> str:
    share = p.get("share_0200")
    pairs = [
        ("visits", _num(p.get("visits"), ".0f")),
        ("days", _num(p.get("days"), ".0f")),
        ("dwell", f"{_num(p.get('dwell_h'), '.1f')} h"),
        ("share at 02:00", _num(None if share is None else 100 * float(share), ".0f") + " %"),
        ("p_home / p_work", f"{_num(p.get('p_home'), '.2f')} / {_num(p.get('p_work'), '.2f')}"),
        ("given / predicted", f"{_text(p.get('given_label'), UNLABELLED)} / "
                              f"{_text(p.get('predicted_label'), '–')}"),
        ("split", _text(p.get("split"), "–")),
    ]
    if p.get("flag_state"):
        pairs.append(("flags", p["flag_state"]))
    return f"<b>place {esc(p['place_id'])}</b><table>{_rows(pairs)}</table>"


def place_tooltip(p: dict) -> str:
    pred = _text(p.get("predicted_label"), "no prediction")
    given = _text(p.get("given_label"), "")
    text = f"{p['place_id']}: {pred}" + (f" (given {given})" if given else "")
    if p.get("flag_state"):
        text += f" — {p['flag_state']}"
    return esc(text)


def trip_tooltip(trip: dict) -> str:
    """'trip v1:t3: Tue 03 Mar 2026 15:06 America/Los_Angeles, 19 min': the vehicle's local
    time, its clock named (UTC when none is known)."""
    local = trip.get("local_start", trip["start_ts"])
    start = datetime.fromtimestamp(local, timezone.utc).strftime("%a %d %b %Y %H:%M")
    minutes = (trip["end_ts"] - trip["start_ts"]) / 60.0
    bad = " — bad data" if trip["bad"] else ""
    return esc(f"trip {trip['id']}: {start} {trip.get('clock') or 'UTC'}, {minutes:.0f} min{bad}")


def unmatched_popup(u: dict) -> str:
    pairs = [("reason", unmatched_words(u["reason"]))]
    pairs += [(f"near {n['place_id']}", f"{n['distance_m']:,.0f} m") for n in u["nearest"]]
    return (f"<b>{esc(u['label'])} label {esc(u['label_id'])} — on no place</b>"
            f"<table>{_rows(pairs)}</table>")


def unmatched_tooltip(u: dict) -> str:
    return esc(f"{u['label']} label {u['label_id']}: {unmatched_words(u['reason'])}")


def info_box(data: VehicleData) -> str:
    pairs = [("vehicle", data.vehicle_id)]
    for key in sorted(data.meta, key=str)[:META_SHOWN]:
        pairs.append((key, data.meta[key]))
    if len(data.meta) > META_SHOWN:
        pairs.append(("…", f"{len(data.meta) - META_SHOWN} more"))
    pairs.append(("run", data.run_id if data.run_id is not None else "not inferred yet"))
    pairs.append(("trips / places", f"{len(data.trips)} / {len(data.places)}"))
    if not data.trips and not data.places:
        pairs.append(("note", "not inferred yet: raw pings shown; run 'auditor infer'"))
    return f"<table>{_rows(pairs)}</table>"


def legend_rows() -> list[list[str]]:
    rows = [["fill", c, f"predicted {k}"] for k, c in LABEL_COLORS.items()]
    rows += [["ring", c, f"given {k}"] for k, c in LABEL_COLORS.items()]
    rows += [["dashed", FLAG_COLOR, "flagged"], ["line", "#4d4d4d", "trip"],
             ["dashline", "#b2182b", "trip flagged bad data"],
             ["diamond", UNMATCHED_COLOR, "label on no place (dashed: its nearest places)"]]
    return rows


def data_bounds(places: list[dict], trips: list[dict], track: list,
                visits: Optional[dict] = None,
                labels: Sequence[dict] = ()) -> Optional[list]:
    """[[south, west], [north, east]] to open the map on, or None when nothing is drawn.

    The vehicle's everyday area: places it returned to (2+ visits), and the whole of every trip
    that starts and ends in that area — the roads between home and work bulge out of the
    places' box, and must not run off the edges. One long trip to a place visited once would
    otherwise zoom the map out until home and work are one dot; it is still drawn, one
    zoom-out away. ``labels`` (the vehicle's labels on no place: lat/lon) are always inside:
    they are what the analyst came to see."""
    visits = visits or {}
    regular = [p for p in places if (visits.get(p["id"]) or 0) >= 2]
    anchors = regular or places
    lats = [p["lat"] for p in anchors]
    lons = [p["lon"] for p in anchors]
    if anchors:
        s, n, w, e = min(lats), max(lats), min(lons), max(lons)
        dy, dx = max((n - s) * 0.15, 0.002), max((e - w) * 0.15, 0.002)

        def inside(c) -> bool:
            return s - dy <= c[0] <= n + dy and w - dx <= c[1] <= e + dx
        for t in trips:
            coords = t.get("coords") or []
            if coords and inside(coords[0]) and inside(coords[-1]):
                lats += [min(c[0] for c in coords), max(c[0] for c in coords)]
                lons += [min(c[1] for c in coords), max(c[1] for c in coords)]
    if not anchors:
        for coords in [t["coords"] for t in trips] + [track]:
            if coords:
                lats += [min(c[0] for c in coords), max(c[0] for c in coords)]
                lons += [min(c[1] for c in coords), max(c[1] for c in coords)]
    lats += [u["lat"] for u in labels]
    lons += [u["lon"] for u in labels]
    if not lats:
        return None
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _lons(places, trips, track, unmatched):
    yield from (p["lon"] for p in places)
    yield from (c[1] for t in trips for c in t["coords"] or ())
    yield from (c[1] for c in track)
    for u in unmatched:
        yield u["lon"]
        yield from (n[1] for n in u["nearest"])


def straddles_antimeridian(places, trips, track, unmatched) -> bool:
    """Does the vehicle drive across ±180° longitude (Fiji, Chukotka, the Aleutians)? Drawn
    as stored, its places sit at both edges of the world, the map opens at world zoom and a
    trip of a few km becomes a line round the globe. True when the drawn longitudes span
    more than 180° and span less once the western ones are moved east by 360°."""
    lons = np.fromiter(_lons(places, trips, track, unmatched), dtype=float)
    if not len(lons) or lons.max() - lons.min() <= 180:
        return False
    east = np.where(lons < 0, lons + 360.0, lons)
    return bool(east.max() - east.min() < lons.max() - lons.min())


def _east_of_antimeridian(places, trips, track, unmatched):
    """The same coordinates with western longitudes + 360° (Leaflet draws 181° as -179° on the
    next copy of the world): one side of the antimeridian, neighbours again."""
    def e(lon):
        return round(lon + 360.0, 6) if lon < 0 else lon
    places = [{**p, "lon": e(p["lon"])} for p in places]
    trips = [{**t, "coords": [[c[0], e(c[1])] for c in t["coords"] or ()]} for t in trips]
    track = [[c[0], e(c[1])] for c in track]
    unmatched = [{**u, "lon": e(u["lon"]), "nearest": [[n[0], e(n[1])] for n in u["nearest"]]}
                 for u in unmatched]
    return places, trips, track, unmatched


def page_data(data: VehicleData, basemap: str, selected_place: Optional[str]) -> dict:
    """The JSON-able payload vehicle_map.js draws. Every string that becomes markup (popup,
    tooltip, info) is escaped here; ids and the legend are set as text by the page."""
    places = []
    for p in data.places:  # one step per place (tens per vehicle)
        pred, given = p.get("predicted_label"), p.get("given_label")
        places.append({
            "id": p["place_id"], "lat": round(p["lat"], 6), "lon": round(p["lon"], 6),
            "fill": LABEL_COLORS.get(pred, NO_PREDICTION),
            "ring": LABEL_COLORS.get(given) if isinstance(given, str) else None,
            "flagged": bool(p["flag_state"]),
            "popup": place_popup(p), "tooltip": place_tooltip(p),
        })
    trips = [{"id": t["id"], "coords": t["coords"], "bad": t["bad"], "tooltip": trip_tooltip(t)}
             for t in data.trips]
    known = {p["id"] for p in places}
    unmatched = [{"id": u["label_id"], "lat": round(u["lat"], 6), "lon": round(u["lon"], 6),
                  "nearest": [[round(n["lat"], 6), round(n["lon"], 6)] for n in u["nearest"]],
                  "popup": unmatched_popup(u), "tooltip": unmatched_tooltip(u)}
                 for u in data.unmatched]
    track = data.track
    if straddles_antimeridian(places, trips, track, unmatched):
        places, trips, track, unmatched = _east_of_antimeridian(places, trips, track, unmatched)
    return {"vehicleId": data.vehicle_id, "places": places, "trips": trips, "track": track,
            "unmatched": unmatched,
            "bounds": data_bounds(places, trips, track,
                                  {p["place_id"]: p.get("visits") for p in data.places},
                                  unmatched),
            "pointCount": data.point_count, "info": info_box(data), "legend": legend_rows(),
            "basemapNotice": BASEMAP_OFF_NOTICE if basemap == "none" else None,
            "selectedPlace": selected_place if selected_place in known else None}


def vehicle_payload(conn: sqlite3.Connection, vehicle_id: str, *, run_id: Optional[int] = None,
                    basemap: str = "none", selected_place: Optional[str] = None,
                    max_points_per_trip: int = 300,
                    time_range: Optional[tuple[int, int]] = None,
                    place_ids: Optional[Sequence[str]] = None) -> dict:
    """One vehicle's map data (JSON-able), as the page's window.auditor.load(payload) takes it;
    arguments as render_vehicle_map's."""
    basemap = check_basemap(basemap)
    data = load_vehicle(conn, str(vehicle_id), run_id=run_id, time_range=time_range,
                        place_ids=place_ids, max_points_per_trip=max_points_per_trip)
    _local_trip_times(conn, data)
    return page_data(data, basemap, selected_place)


def _local_trip_times(conn: sqlite3.Connection, data: VehicleData) -> None:
    """Each trip's start in the vehicle's local clock, and the clock's name (one vectorised
    conversion per vehicle: auditor.maps.clock)."""
    if not data.trips:
        return
    import numpy as np

    from auditor.maps.clock import local_offsets, vehicle_clock
    starts = np.array([t["start_ts"] for t in data.trips], dtype=np.int64)
    offsets = local_offsets(conn, data.vehicle_id, starts)
    clock = vehicle_clock(conn, data.vehicle_id)
    for t, start, off in zip(data.trips, starts, offsets):
        t["local_start"] = int(start + off)
        t["clock"] = clock.label(int(off))


def load_script(payload: dict) -> str:
    """JavaScript that swaps the vehicle shown by a loaded page; evaluates to the page's JSON
    summary ({vehicleId, places, trips, paths})."""
    return f"window.auditor.load({script_json(payload)})"


# --- the page ------------------------------------------------------------------------------------

def render_vehicle_map(conn: sqlite3.Connection, vehicle_id: str, *, run_id: Optional[int] = None,
                       basemap: str = "none", selected_place: Optional[str] = None,
                       click_handler: Optional[str] = None, max_points_per_trip: int = 300,
                       time_range: Optional[tuple[int, int]] = None,
                       place_ids: Optional[Sequence[str]] = None) -> str:
    """The complete HTML page of one vehicle's map.

    run_id: predictions to colour places by (default: the latest model run).
    basemap: "none", "osm", an https tile URL template (https://…{z}…{x}…{y}…) or local
    tiles "mbtiles:FILE" / "xyz:FOLDER" (auditor.maps.basemap).
    selected_place: place selected and its popup open on load.
    click_handler: name of a global JS function called as f("place"|"trip", id) on clicks.
    time_range: (start_ts, end_ts) UTC seconds: only trips and places visited in it.
    place_ids: only these places (trips are unaffected).
    """
    basemap = check_basemap(basemap)
    check_click_handler(click_handler)
    payload = vehicle_payload(conn, vehicle_id, run_id=run_id, basemap=basemap,
                              selected_place=selected_place,
                              max_points_per_trip=max_points_per_trip, time_range=time_range,
                              place_ids=place_ids)
    from auditor.maps.page import build_page  # folium: only when a whole page is built
    return build_page(payload, basemap=basemap, click_handler=click_handler)
