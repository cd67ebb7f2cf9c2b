/* Routes on the map (CoT b-m-r, KML lines): a line per route with its named
 * waypoints (circles) and checkpoints (squares).  Stale routes are grey and
 * dashed.  Names come from outside: escaped before Leaflet shows them.
 * Messages (COP.receive): routes.reset, routes.delta, routes.show. */
(function () {
  "use strict";
  var COP = window.COP;
  if (!COP) return;
  var S = { group: null, routes: new Map(), shown: true };

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function group() {
    var map = COP.map && COP.map();
    if (!map) return null;
    if (!S.group) S.group = L.featureGroup().addTo(map);
    return S.group;
  }

  function remove(id) {
    var old = S.routes.get(id);
    if (old && S.group) S.group.removeLayer(old);
    S.routes.delete(id);
  }

  function put(feature) {
    var g = group();
    if (!g || !feature || !feature.geometry) return;
    remove(feature.id);
    var p = feature.properties || {};
    var colour = p.stale ? "#7a7a7a" : "#0d47a1";
    var latlngs = feature.geometry.coordinates.map(function (c) {
      return [c[1], c[0]];
    });
    var parts = [
      L.polyline(latlngs, { color: "#ffffff", weight: 7, opacity: 0.8, interactive: false }),
      L.polyline(latlngs, { color: colour, weight: 4, opacity: 0.95, dashArray: p.stale ? "8 6" : null })
        .bindTooltip(escapeHtml(p.name), { sticky: true }),
    ];
    (p.waypoints || []).forEach(function (wp, i) {
      var at = latlngs[i];
      if (!at) return;
      var checkpoint = wp.kind === "checkpoint";
      var marker = L.circleMarker(at, {
        radius: checkpoint ? 6 : 4, color: colour, weight: 2, fillColor: checkpoint ? "#ffeb3b" : "#ffffff",
        fillOpacity: 1,
      });
      if (wp.name) marker.bindTooltip(escapeHtml(wp.name) + " — " + escapeHtml(p.name));
      parts.push(marker);
    });
    var layer = L.featureGroup(parts);
    layer.copName = p.name;
    S.routes.set(feature.id, layer);
    g.addLayer(layer);
  }

  COP.addHandler("routes.reset", function (m) {
    Array.from(S.routes.keys()).forEach(remove);
    (m.routes || []).forEach(put);
  });
  COP.addHandler("routes.show", function (m) {
    var map = COP.map && COP.map();
    var g = group();
    if (!map || !g) return;
    S.shown = !!m.on;
    if (S.shown && !map.hasLayer(g)) g.addTo(map);
    if (!S.shown && map.hasLayer(g)) map.removeLayer(g);
  });
  COP.addHandler("routes.delta", function (m) {
    (m.update || []).forEach(put);
    (m.remove || []).forEach(remove);
  });
  COP.routes = function () {
    return {
      count: S.routes.size,
      shown: S.shown,
      names: Array.from(S.routes.values()).map(function (l) {
        return l.copName;
      }),
    };
  };
})();
