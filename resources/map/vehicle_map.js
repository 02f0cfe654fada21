/* auditor vehicle map: draws the payload auditor.maps.vehicle_map builds and exposes
 * window.auditor. The page is loaded once; window.auditor.load(payload) swaps the vehicle.
 * Every data string arrives already HTML-escaped (popups, tooltips, info) or is set as text;
 * ids are only ever compared, never inserted as markup. */
(function () {
  "use strict";

  var TRIP_STYLE = {color: "#4d4d4d", weight: 3, opacity: 0.55};
  var TRIP_BAD_STYLE = {color: "#b2182b", weight: 3, opacity: 0.7, dashArray: "6 6"};
  var TRIP_SELECTED = {color: "#d55e00", weight: 6, opacity: 1.0};
  // a label that matched no place: a diamond, dashed lines to its nearest places
  var UNMATCHED_LINK = {color: "#d55e00", weight: 2, opacity: 0.9, dashArray: "4 5",
                        interactive: false};
  var UNMATCHED_ICON = {className: "auditor-unmatched", iconSize: [16, 16],
                        html: "<div class=\"auditor-unmatched-shape\"></div>"};
  var MARGIN = 24;          // px kept free around the data when fitting
  var MAX_ZOOM = 17;
  var TALL_MAP = 560;       // px: room for the info box and the open legend together
  var ROOMY_MAP = 360;      // px: below this the vehicle box starts folded (its title stays)

  function control(map, position, className, build) {
    var C = L.Control.extend({
      options: {position: position},
      onAdd: function () {
        var div = L.DomUtil.create("div", "auditor-box " + className);
        build(div);
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new C().addTo(map);
  }

  // a box with a title that folds it away, so it never has to hide the data
  function collapsible(div, title, startOpen) {
    var head = L.DomUtil.create("div", "auditor-box-head", div);
    head.textContent = title;
    head.title = "Click to show or hide";
    var body = L.DomUtil.create("div", "auditor-box-body", div);
    if (!startOpen) { L.DomUtil.addClass(div, "auditor-collapsed"); }
    L.DomEvent.on(head, "click", function () {
      if (L.DomUtil.hasClass(div, "auditor-collapsed")) {
        L.DomUtil.removeClass(div, "auditor-collapsed");
      } else {
        L.DomUtil.addClass(div, "auditor-collapsed");
      }
    });
    return body;
  }

  function legendRow(div, swatchClass, color, text) {
    var row = L.DomUtil.create("div", "auditor-legend-row", div);
    var sw = L.DomUtil.create("span", "auditor-swatch " + swatchClass, row);
    if (swatchClass === "fill") { sw.style.background = color; }
    else { sw.style.borderColor = color; }
    var label = L.DomUtil.create("span", "", row);
    label.textContent = text;
  }

  window.auditorVehicleMap = function (map, first, handlerName) {
    function notify(kind, id) {
      var fn = handlerName ? window[handlerName] : null;
      if (typeof fn === "function") { fn(kind, id); }
    }

    // credit Leaflet as text: a link would navigate the embedded view away from the map
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    var places = {}, trips = {}, unmatched = {}, selectedPlace = null, selectedTrip = null;
    // a page not yet laid out (hidden view) has no size: panning there yields NaN coordinates
    function hasSize() { var s = map.getSize(); return s.x > 0 && s.y > 0; }
    var tripLayer = L.featureGroup().addTo(map);
    var placeLayer = L.featureGroup().addTo(map);

    var infoBox = null, legendBox = null, infoBody = null, infoTitle = null;
    control(map, "topright", "auditor-info", function (div) {
      infoBox = div;
      infoBody = collapsible(div, "Vehicle", map.getSize().y >= ROOMY_MAP);
      infoTitle = div.querySelector(".auditor-box-head");
    });
    control(map, "bottomright", "auditor-legend", function (div) {
      legendBox = div;
      // a short map (small window, docks open) starts with the legend folded
      var body = collapsible(div, "Legend", map.getSize().y >= TALL_MAP);
      first.legend.forEach(function (row) { legendRow(body, row[0], row[1], row[2]); });
    });
    // one small line at the bottom left: "basemap off", or why the tiles are missing; a click
    // hides it
    var notice = null;
    function say(text, failed) {
      if (!notice) {
        control(map, "bottomleft", "auditor-basemap-off", function (div) {
          notice = div;
          div.title = "Click to hide";
          L.DomEvent.on(div, "click", function () { div.style.display = "none"; });
        });
      }
      notice.textContent = text;
      notice.style.display = "";
      if (failed) { L.DomUtil.addClass(notice, "auditor-tiles-failed"); }
    }
    if (first.basemapNotice) { say(first.basemapNotice, false); }
    // a basemap whose tiles do not come (offline, a wrong URL, a refused host) says so instead
    // of leaving a blank grey map
    var tileState = {loaded: 0, failed: 0};
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) { return; }
      layer.on("tileload", function () { tileState.loaded += 1; });
      layer.on("tileerror", function () {
        tileState.failed += 1;
        if (tileState.failed === 1 || tileState.loaded === 0) {
          say(tileState.loaded ? "Some tiles could not be loaded (offline?)"
                               : "Tiles could not be loaded (offline?) — the places and trips " +
                                 "are still drawn; View ▸ Basemap ▸ None hides this", true);
        }
      });
    });

    // the boxes sit on the right: data and popups keep clear of them (at most half the map)
    function rightInset() {
      var w = Math.max(infoBox ? infoBox.offsetWidth : 0, legendBox ? legendBox.offsetWidth : 0);
      return Math.min(w + MARGIN, Math.floor(map.getSize().x / 2));
    }
    function topInset() {
      // the info box's height, when a popup would otherwise open beneath it
      return Math.min((infoBox ? infoBox.offsetHeight : 0) + MARGIN,
                      Math.floor(map.getSize().y / 2));
    }
    function bottomInset() {
      // the scale and the basemap notice at the bottom left
      var corner = map.getContainer().querySelector(".leaflet-bottom.leaflet-left");
      return Math.min((corner ? corner.offsetHeight : 0) + MARGIN,
                      Math.floor(map.getSize().y / 3));
    }
    function popupOptions() {
      return {autoPanPaddingTopLeft: L.point(MARGIN, MARGIN),
              autoPanPaddingBottomRight: L.point(rightInset(), MARGIN)};
    }
    // a popup the map moved away from (a fit, a trip) must not hang cut off at the top
    map.on("moveend", function () {
      var el = map.getContainer().querySelector(".leaflet-popup");
      if (!el) { return; }
      var top = el.getBoundingClientRect().top - map.getContainer().getBoundingClientRect().top;
      if (top < 0) { map.closePopup(); }
    });
    function fit(bounds) {
      if (!bounds) {
        if (!map._loaded) { map.setView([20, 0], 2); }
        return;
      }
      var b = L.latLngBounds(bounds);
      if (!hasSize()) {  // fit once the view has a size
        if (!map._loaded) { map.setView(b.getCenter(), 12); }
        map.once("resize", function () { fit(bounds); });
        return;
      }
      // no animation: a view that is not painting (a hidden tab, a screenshot) would keep the
      // old view until the animation frame that never comes
      map.fitBounds(b, {paddingTopLeft: L.point(MARGIN, MARGIN),
                        paddingBottomRight: L.point(rightInset(), bottomInset()),
                        maxZoom: MAX_ZOOM, animate: false});
    }
    function openPopup(marker) {
      var popup = marker.getPopup();
      if (popup) { L.setOptions(popup, popupOptions()); }
      marker.openPopup();
    }

    function draw(data) {
      if (data.track && data.track.length > 1) {
        L.polyline(data.track, TRIP_STYLE).addTo(tripLayer);
      }
      data.trips.forEach(function (t) {
        var style = t.bad ? TRIP_BAD_STYLE : TRIP_STYLE;
        var line = L.polyline(t.coords, style).addTo(tripLayer);
        line.auditorStyle = style;
        line.bindTooltip(t.tooltip, {sticky: true});
        line.on("click", function (e) {
          L.DomEvent.stopPropagation(e);
          api.selectTrip(t.id);
          notify("trip", t.id);
        });
        trips[t.id] = line;
      });
      data.places.forEach(function (p) {
        var rings = [];
        if (p.flagged) {
          rings.push(L.circleMarker([p.lat, p.lon], {radius: 17, color: "#cc79a7", weight: 3,
            dashArray: "5 4", fill: false, interactive: false}).addTo(placeLayer));
        }
        if (p.ring) {
          rings.push(L.circleMarker([p.lat, p.lon], {radius: 12, color: p.ring, weight: 5,
            fill: false, interactive: false}).addTo(placeLayer));
        }
        var marker = L.circleMarker([p.lat, p.lon], {radius: 8, color: "#1a1a1a", weight: 1,
          fillColor: p.fill, fillOpacity: 0.95}).addTo(placeLayer);
        marker.bindPopup(p.popup, {maxWidth: 320});
        marker.bindTooltip(p.tooltip);
        marker.on("click", function () {
          api.selectPlace(p.id);
          notify("place", p.id);
        });
        places[p.id] = {marker: marker, rings: rings};
      });
      (data.unmatched || []).forEach(function (u) {
        u.nearest.forEach(function (n) {
          L.polyline([[u.lat, u.lon], n], UNMATCHED_LINK).addTo(placeLayer);
        });
        var m = L.marker([u.lat, u.lon], {icon: L.divIcon(UNMATCHED_ICON),
                                          keyboard: false}).addTo(placeLayer);
        m.bindPopup(u.popup, {maxWidth: 320});   // escaped by auditor.maps.vehicle_map
        m.bindTooltip(u.tooltip);
        unmatched[u.id] = m;
      });
    }

    var api = {
      vehicleId: null,
      placeIds: [],
      tripIds: [],
      pointCount: 0,
      loads: 0,
      map: map,
      // draw another vehicle in this page (no reload); the same vehicle again (a redraw after
      // a flag) keeps the view. Returns a JSON summary for the app.
      load: function (data) {
        var sameVehicle = api.loads > 0 && data.vehicleId === api.vehicleId;
        map.closePopup();
        tripLayer.clearLayers();
        placeLayer.clearLayers();
        places = {}; trips = {}; unmatched = {}; selectedPlace = null; selectedTrip = null;
        draw(data);
        api.vehicleId = data.vehicleId;
        api.placeIds = data.places.map(function (p) { return p.id; });
        api.tripIds = data.trips.map(function (t) { return t.id; });
        api.pointCount = data.pointCount;
        api.loads += 1;
        infoBody.innerHTML = data.info;
        // the folded box still names the vehicle
        infoTitle.textContent = "Vehicle " + String(data.vehicleId);
        if (!sameVehicle) { fit(data.bounds); }
        if (data.selectedPlace) { api.selectPlace(data.selectedPlace); }
        return JSON.stringify({vehicleId: api.vehicleId, places: api.placeIds.length,
                               trips: api.tripIds.length, loads: api.loads,
                               unmatched: Object.keys(unmatched).length,
                               paths: document.querySelectorAll(
                                 ".leaflet-overlay-pane path").length});
      },
      selectedPlace: function () { return selectedPlace; },
      layerOf: function (kind, id) {
        if (kind === "place") { return places[id] ? places[id].marker : null; }
        if (kind === "unmatched") { return unmatched[id] || null; }
        return kind === "trip" ? (trips[id] || null) : null;
      },
      selectedTrip: function () { return selectedTrip; },
      tiles: function () { return {loaded: tileState.loaded, failed: tileState.failed,
                                   notice: notice ? notice.textContent : null}; },
      selectPlace: function (id) {
        if (selectedPlace && places[selectedPlace]) {
          places[selectedPlace].marker.setStyle({color: "#1a1a1a", weight: 1, radius: 8});
        }
        selectedPlace = null;
        var p = places[id];
        if (!p) { return false; }
        selectedPlace = id;
        p.marker.setStyle({color: "#000000", weight: 4, radius: 10});
        p.marker.bringToFront();
        if (hasSize()) {
          // the popup opens upwards from the marker: keep the marker below the info box and
          // left of the boxes, then let the popup pan within the same insets
          var pt = map.latLngToContainerPoint(p.marker.getLatLng());
          var size = map.getSize();
          if (pt.x < MARGIN || pt.y < topInset() || pt.x > size.x - rightInset() ||
              pt.y > size.y - MARGIN) {
            map.panTo(p.marker.getLatLng(), {animate: false});
          }
        }
        openPopup(p.marker);
        return true;
      },
      selectTrip: function (id) {
        if (selectedTrip && trips[selectedTrip]) {
          trips[selectedTrip].setStyle(trips[selectedTrip].auditorStyle);
        }
        selectedTrip = null;
        var line = trips[id];
        if (!line) { return false; }
        selectedTrip = id;
        line.setStyle(TRIP_SELECTED);
        line.bringToFront();
        if (hasSize() && !map.getBounds().contains(line.getBounds())) {
          // the trip is the focus now: a place's popup would be left cut off at an edge
          map.closePopup();
          map.fitBounds(line.getBounds(), {paddingTopLeft: L.point(MARGIN, MARGIN),
                                           paddingBottomRight: L.point(rightInset(), MARGIN),
                                           animate: false});
        }
        return true;
      }
    };

    api.load(first);
    return api;
  };
})();
