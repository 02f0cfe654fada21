/* auditor vehicle map: draws the data render_vehicle_map embeds and exposes window.auditor.
 * Every data string arrives already HTML-escaped (popups, tooltips, info) or is set as text;
 * ids are only ever compared, never inserted as markup. */
(function () {
  "use strict";

  var TRIP_STYLE = {color: "#4d4d4d", weight: 3, opacity: 0.55};
  var TRIP_BAD_STYLE = {color: "#b2182b", weight: 3, opacity: 0.7, dashArray: "6 6"};
  var TRIP_SELECTED = {color: "#d55e00", weight: 6, opacity: 1.0};

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

  function legendRow(div, swatchClass, color, text) {
    var row = L.DomUtil.create("div", "auditor-legend-row", div);
    var sw = L.DomUtil.create("span", "auditor-swatch " + swatchClass, row);
    if (swatchClass === "fill") { sw.style.background = color; }
    else { sw.style.borderColor = color; }
    var label = L.DomUtil.create("span", "", row);
    label.textContent = text;
  }

  window.auditorVehicleMap = function (map, data, handlerName) {
    function notify(kind, id) {
      var fn = handlerName ? window[handlerName] : null;
      if (typeof fn === "function") { fn(kind, id); }
    }

    // credit Leaflet as text: a link would navigate the embedded view away from the map
    if (map.attributionControl) { map.attributionControl.setPrefix("Leaflet"); }
    var places = {}, trips = {}, selectedPlace = null, selectedTrip = null;
    // a page not yet laid out (hidden view) has no size: panning there yields NaN coordinates
    function hasSize() { var s = map.getSize(); return s.x > 0 && s.y > 0; }
    var tripLayer = L.featureGroup().addTo(map);
    var placeLayer = L.featureGroup().addTo(map);

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

    var api = {
      vehicleId: data.vehicleId,
      placeIds: data.places.map(function (p) { return p.id; }),
      tripIds: data.trips.map(function (t) { return t.id; }),
      pointCount: data.pointCount,
      map: map,
      selectedPlace: function () { return selectedPlace; },
      layerOf: function (kind, id) {
        if (kind === "place") { return places[id] ? places[id].marker : null; }
        return kind === "trip" ? (trips[id] || null) : null;
      },
      selectedTrip: function () { return selectedTrip; },
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
        if (hasSize() && !map.getBounds().contains(p.marker.getLatLng())) {
          map.panTo(p.marker.getLatLng());
        }
        p.marker.openPopup();
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
          map.fitBounds(line.getBounds(), {padding: [20, 20]});
        }
        return true;
      }
    };

    control(map, "topright", "auditor-info", function (div) { div.innerHTML = data.info; });
    control(map, "bottomright", "auditor-legend", function (div) {
      data.legend.forEach(function (row) { legendRow(div, row[0], row[1], row[2]); });
    });
    if (data.basemapNotice) {
      control(map, "bottomleft", "auditor-basemap-off", function (div) {
        div.textContent = data.basemapNotice;
      });
    }
    if (data.selectedPlace) { api.selectPlace(data.selectedPlace); }
    return api;
  };
})();
