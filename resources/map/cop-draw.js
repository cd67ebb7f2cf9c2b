/* Drawing crisis zones on the map (leaflet-draw): polygon, rectangle, circle.
 * A finished shape goes to Python as GeoJSON (a circle as the polygon that
 * follows it); Python asks for the zone's details and stores it.
 * Reshaping: a zone's outline becomes editable (drag a vertex, drag a middle
 * marker to add one, click a vertex to remove it); Save (or Enter) sends the
 * new outline to Python, Cancel (or Esc) puts the old one back. */
(function () {
  "use strict";
  var COP = window.COP;
  var active = null;

  function send(geometry) {
    var bridge = COP.bridge && COP.bridge();
    if (bridge) bridge.zoneDrawn(JSON.stringify(geometry));
  }

  function circlePolygon(centre, metres) {
    var ring = [], n = 64, lat = centre.lat, lon = centre.lng;
    for (var i = 0; i < n; i++) {
      var a = (2 * Math.PI * i) / n;
      var dlat = (metres / 111320) * Math.cos(a);
      var dlon = (metres / (111320 * Math.max(0.01, Math.cos((lat * Math.PI) / 180)))) * Math.sin(a);
      ring.push([lon + dlon, lat + dlat]);
    }
    ring.push(ring[0]);
    return { type: "Polygon", coordinates: [ring] };
  }

  function start(map, shape) {
    if (active) active.disable();
    var style = { shapeOptions: { color: "#d00000", weight: 3 } };
    if (shape === "rectangle") active = new L.Draw.Rectangle(map, style);
    else if (shape === "circle") active = new L.Draw.Circle(map, style);
    else active = new L.Draw.Polygon(map, { allowIntersection: true, showArea: false, shapeOptions: style.shapeOptions });
    active.enable();
  }

  var editing = null; // { id, layer, control }

  function startReshape(map, id, labels) {
    finishReshape(false);
    var feature = COP.zoneFeature(id);
    if (!feature || !feature.geometry || feature.geometry.type !== "Polygon") return false;
    var rings = feature.geometry.coordinates.map(function (ring) {
      return ring.slice(0, -1).map(function (c) { return [c[1], c[0]]; });
    });
    var layer = L.polygon(rings, { color: "#d00000", weight: 3, dashArray: "6 4", fillOpacity: 0.1 }).addTo(map);
    COP.setZoneShown(id, false);
    layer.editing.enable();
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "leaflet-bar cop-reshape");
      [["save", true], ["cancel", false]].forEach(function (b) {
        var button = L.DomUtil.create("a", "cop-reshape-" + b[0], box);
        button.href = "#";
        button.textContent = (labels && labels[b[0]]) || b[0]; // text, never markup
        L.DomEvent.on(button, "click", function (ev) {
          L.DomEvent.stop(ev);
          finishReshape(b[1]);
        });
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
    editing = { id: id, layer: layer, control: control, map: map };
    return true;
  }

  function finishReshape(save) {
    if (!editing) return null;
    var done = editing;
    editing = null;
    var geometry = done.layer.toGeoJSON().geometry;
    done.layer.editing.disable();
    done.map.removeLayer(done.layer);
    done.control.remove();
    COP.setZoneShown(done.id, true);
    if (save) {
      var bridge = COP.bridge && COP.bridge();
      if (bridge) bridge.zoneReshaped(String(done.id), JSON.stringify(geometry));
    }
    return geometry;
  }

  document.addEventListener("keydown", function (ev) {
    if (!editing) return;
    if (ev.key === "Enter") finishReshape(true);
    else if (ev.key === "Escape") finishReshape(false);
  });

  var previousInit = COP.init;
  COP.init = function (map, options) {
    previousInit(map, options);
    map.on(L.Draw.Event.CREATED, function (e) {
      active = null;
      if (e.layerType === "circle") send(circlePolygon(e.layer.getLatLng(), e.layer.getRadius()));
      else send(e.layer.toGeoJSON().geometry);
    });
    COP.addHandler("draw.start", function (m) {
      start(map, m.shape || "polygon");
    });
    COP.addHandler("draw.cancel", function () {
      if (active) active.disable();
      active = null;
      finishReshape(false);
    });
    COP.addHandler("draw.reshape", function (m) {
      startReshape(map, m.id, m.labels);
    });
  };
  /* hooks for scripts and tests: the outline being edited, and finishing it */
  COP.reshapeLayer = function () {
    return editing ? editing.layer : null;
  };
  COP.finishReshape = finishReshape;
  /* the same path as a finished drawing, for scripts and tests */
  COP.drawGeometry = function (geometry) {
    send(geometry);
    return true;
  };
})();
