/* Drawing crisis zones on the map (leaflet-draw): polygon, rectangle, circle.
 * A finished shape goes to Python as GeoJSON (a circle as the polygon that
 * follows it); Python asks for the zone's details and stores it. */
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
    });
  };
  /* the same path as a finished drawing, for scripts and tests */
  COP.drawGeometry = function (geometry) {
    send(geometry);
    return true;
  };
})();
