"""The fleet's spatial drift as one self-contained map page (the GUI's Analysis dock shows it).

Input is the report's ``skew.spatial_drift`` dict (auditor.analysis.drift): grid cells with the
share of parked hours in the first and second half of the data. Each cell is a rectangle,
orange where parking grew, blue where it shrank, more opaque the larger the change. Leaflet is
inlined (auditor.maps.assets), so the page needs no network; a Content-Security-Policy
(auditor.maps.csp) lets only its own scripts run. Text from data is escaped here;
the cell data travels as <script>-safe JSON and is drawn with plain Leaflet.
"""
from __future__ import annotations

from typing import Optional

import folium
from branca.element import Element, MacroElement

from auditor.maps.assets import leaflet_css, leaflet_js, script_tag, style_tag
from auditor.maps.csp import with_policy
from auditor.maps.page import add_tile_layer
from auditor.maps.vehicle_map import BASEMAP_OFF_NOTICE, check_basemap, esc, script_json

GREW = "#d55e00"    # Okabe-Ito vermillion: more parking in the second half
SHRANK = "#0072b2"  # Okabe-Ito blue: less parking
MAX_CELLS = 2000    # the largest changes; a 5,000-vehicle fleet has tens of thousands of cells

_DRIFT_JS = """
window.auditorDriftMap = function (map, data) {
  var maxAbs = data.maxAbs > 0 ? data.maxAbs : 1;
  var layer = L.featureGroup().addTo(map);
  data.cells.forEach(function (c) {
    var strength = Math.min(1, Math.abs(c.change) / maxAbs);
    L.rectangle([[c.s, c.w], [c.n, c.e]], {
      color: c.change >= 0 ? data.grew : data.shrank, weight: 1, opacity: 0.6,
      fillColor: c.change >= 0 ? data.grew : data.shrank,
      fillOpacity: 0.1 + 0.7 * strength
    }).bindTooltip(c.tooltip).addTo(layer);
  });
  var info = L.control({position: "topright"});
  info.onAdd = function () {
    // the box folds (click its title) and starts folded on a short map: it never hides the data
    var div = L.DomUtil.create("div", "drift-info");
    var head = L.DomUtil.create("div", "drift-head", div);
    head.textContent = "Spatial drift of parked hours";
    head.title = "Click to show or hide";
    var body = L.DomUtil.create("div", "drift-body", div);
    body.innerHTML = data.info;
    if (map.getSize().y < 320) { L.DomUtil.addClass(div, "drift-folded"); }
    L.DomEvent.on(head, "click", function () {
      if (L.DomUtil.hasClass(div, "drift-folded")) { L.DomUtil.removeClass(div, "drift-folded"); }
      else { L.DomUtil.addClass(div, "drift-folded"); }
    });
    L.DomEvent.disableClickPropagation(div);
    return div;
  };
  info.addTo(map);
  // open on the area with the most change (the fleet may span continents): fitted once the
  // view has a size (a hidden tab has none), the other areas one zoom-out away
  function fit() {
    var s = map.getSize();
    if (!(s.x > 0 && s.y > 0)) { map.once("resize", fit); return; }
    if (data.focus) {
      map.fitBounds(data.focus, {paddingTopLeft: [16, 16],
                                 paddingBottomRight: [Math.min(info.getContainer().offsetWidth
                                                               + 16, s.x / 2), 16],
                                 maxZoom: 13, animate: false});
    }
  }
  fit();
  if (data.notice) {
    var notice = L.control({position: "bottomleft"});
    notice.onAdd = function () {
      var div = L.DomUtil.create("div", "drift-info drift-notice");
      div.textContent = data.notice;
      return div;
    };
    notice.addTo(map);
  }
  return {map: map, cellCount: data.cells.length, totalCells: data.totalCells};
};
"""

_DRIFT_CSS = """
html, body { height: 100%; margin: 0; }
.leaflet-container .leaflet-control-scale-line { font-size: 10px; line-height: 1.2;
  padding: 0 4px; }
.leaflet-container .leaflet-control-attribution { font-size: 10px; }
.leaflet-container .leaflet-bar a { width: 24px; height: 24px; line-height: 24px;
  font-size: 15px; }
.leaflet-container .drift-notice { font-size: 10.5px; padding: 1px 6px; }
.drift-info { background: rgba(255,255,255,0.92); padding: 4px 7px; font: 11px sans-serif;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); max-width: 280px; }
.drift-info table { border-collapse: collapse; }
.drift-head { font-weight: bold; cursor: pointer; user-select: none; }
.drift-head::before { content: "\\25BE\\00A0"; }
.drift-folded .drift-head::before { content: "\\25B8\\00A0"; }
.drift-folded .drift-body { display: none; }
.drift-info th { text-align: left; padding-right: 6px; font-weight: normal; color: #555; }
.drift-swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
  vertical-align: middle; }
"""


def _pct(share: float) -> str:
    return f"{100 * share:.2f} %"


def cell_tooltip(cell: dict) -> str:
    corner = f"{cell['lat_min']:.2f}, {cell['lon_min']:.2f}"
    first = f"{cell['first_hours']:,.1f} h ({_pct(cell['first_share'])})"
    second = f"{cell['second_hours']:,.1f} h ({_pct(cell['second_share'])})"
    change = f"{100 * cell['change']:+.2f} points of the fleet's parked hours"
    return (f"<b>cell {esc(corner)}</b><br>first half: {esc(first)}<br>"
            f"second half: {esc(second)}<br>change: {esc(change)}")


def _day(ts) -> str:
    import datetime as dt
    if ts is None:
        return "–"
    return dt.datetime.fromtimestamp(int(ts), tz=dt.timezone.utc).strftime("%Y-%m-%d")


def info_box(drift: dict, shown: int) -> str:
    first, second = drift.get("first_period"), drift.get("second_period")
    total = len(drift.get("cells") or [])
    rows = [
        ("cell", f"{drift.get('cell_deg', 0):g}°"),
        ("first half", f"{_day(first[0])} – {_day(first[1])} UTC" if first else "–"),
        ("second half", f"{_day(second[0])} – {_day(second[1])} UTC" if second else "–"),
        ("cells shown", f"{shown:,} of {total:,} (largest change first)"),
        ("opened on", "the area with the most change — zoom out for the rest"),
        ("total |change|", "–" if drift.get("total_abs_change") is None
         else f"{100 * drift['total_abs_change']:.1f} points"),
    ]
    table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    legend = (f"<div><span class='drift-swatch' style='background:{GREW}'></span>more parking "
              f"in the second half</div><div><span class='drift-swatch' "
              f"style='background:{SHRANK}'></span>less parking</div>")
    return f"<table>{table}</table>{legend}"


FOCUS_DEG = 1.0  # the area the page opens on: the busiest 1° square and its neighbours


def focus_bounds(cells: list[dict]) -> Optional[list]:
    """[[s, w], [n, e]] of the area holding the most change: the 1° square with the largest
    summed |change| and the squares around it (one city and its suburbs), so a fleet spread
    over continents does not open at world zoom with every cell a speck."""
    if not cells:
        return None
    weight: dict = {}
    for c in cells:
        key = (int((c["lat_min"] + c["lat_max"]) // (2 * FOCUS_DEG)),
               int((c["lon_min"] + c["lon_max"]) // (2 * FOCUS_DEG)))
        weight[key] = weight.get(key, 0.0) + abs(c["change"])
    k0, k1 = max(sorted(weight), key=lambda k: weight[k])
    near = [c for c in cells
            if abs(int((c["lat_min"] + c["lat_max"]) // (2 * FOCUS_DEG)) - k0) <= 1
            and abs(int((c["lon_min"] + c["lon_max"]) // (2 * FOCUS_DEG)) - k1) <= 1]
    # the core of that area: the 5-95 % range of its cells' centres, weighted by |change| —
    # scattered small changes around a city would otherwise zoom it out to specks
    def span(lo: str, hi: str) -> tuple[float, float]:
        pts = sorted(((c[lo] + c[hi]) / 2, abs(c["change"])) for c in near)
        total, acc, out = sum(w for _, w in pts) or 1.0, 0.0, []
        for q in (0.05, 0.95):
            acc, target = 0.0, q * total
            for v, w in pts:
                acc += w
                if acc >= target:
                    out.append(v)
                    break
            else:
                out.append(pts[-1][0])
        half = (near[0][hi] - near[0][lo]) / 2  # a cell's half size: whole cells in view
        return out[0] - half, out[1] + half
    s, n = span("lat_min", "lat_max")
    w, e = span("lon_min", "lon_max")
    return [[s, w], [n, e]]


def page_data(drift: dict, basemap: str, max_cells: int = MAX_CELLS) -> dict:
    cells = list(drift.get("cells") or [])[:max_cells]  # already sorted by |change|
    return {
        "focus": focus_bounds(cells),
        "cells": [{"s": c["lat_min"], "n": c["lat_max"], "w": c["lon_min"], "e": c["lon_max"],
                   "change": c["change"], "tooltip": cell_tooltip(c)} for c in cells],
        "maxAbs": max((abs(c["change"]) for c in cells), default=0.0),
        "totalCells": len(drift.get("cells") or []),
        "grew": GREW, "shrank": SHRANK,
        "info": info_box(drift, len(cells)),
        "notice": BASEMAP_OFF_NOTICE if basemap == "none" else None,
    }


class _DriftLayer(MacroElement):
    def __init__(self, payload: dict):
        super().__init__()
        self._name = "DriftLayer"
        self.payload = payload

    def render(self, **kwargs):
        code = (f"window.auditorDrift = window.auditorDriftMap({self._parent.get_name()}, "
                f"{script_json(self.payload)});")
        self.get_root().script.add_child(Element(code), name=self.get_name())


def _number_elements(root) -> None:
    """folium gives elements random ids; numbering them makes the page the same bytes each time."""
    counter = 0

    def visit(el) -> None:
        nonlocal counter
        el._id = f"{counter:04d}"
        counter += 1
        for part in (getattr(el, name, None) for name in ("header", "html", "script")):
            if isinstance(part, Element) and part is not el:
                visit(part)
        for child in list(el._children.values()):
            visit(child)

    visit(root)


def render_drift_map(drift: dict, *, basemap: str = "none", max_cells: int = MAX_CELLS,
                     title: Optional[str] = None) -> str:
    """The HTML page of ``drift`` (report["skew"]["spatial_drift"]); deterministic bytes."""
    basemap = check_basemap(basemap)
    payload = page_data(drift, basemap, max_cells)
    m = folium.Map(location=None, tiles=None, control_scale=True, zoom_control=True)
    m.default_js = []   # inline Leaflet instead of folium's CDN links
    m.default_css = []
    figure = m.get_root()
    figure.title = esc(title or "auditor — spatial drift")
    figure.header.add_child(Element("\n".join([
        style_tag(leaflet_css()), style_tag(_DRIFT_CSS), script_tag(leaflet_js()),
        script_tag(_DRIFT_JS)])), name="auditor_assets")
    add_tile_layer(m, basemap)
    if not payload["cells"]:  # no stops: the world, and the info box says there is nothing
        m.fit_bounds([[-60.0, -170.0], [70.0, 170.0]])
    # with cells the page fits itself (auditorDriftMap): a second, animated fit here would end
    # after it and undo it
    _DriftLayer(payload).add_to(m)
    _number_elements(figure)
    return with_policy(figure.render(), basemap)
