/* Humanitarian supply on the map: sites coloured by days of supply (traffic
 * light) and shipments as lines from origin to destination, coloured by status.
 * Python sends the whole supply layer as one "supply.reset" message; every
 * text shown is set with textContent (a name typed by a user is data). */
(function () {
  "use strict";
  var COP = window.COP;
  var STATUS_STYLES = {
    planned: { color: "#1565c0", weight: 3, dashArray: "8 6", opacity: 0.9 },
    in_transit: { color: "#ef6c00", weight: 4, opacity: 0.95 },
    arrived: { color: "#2e7d32", weight: 2.5, opacity: 0.7 },
    cancelled: { color: "#9e9e9e", weight: 2, dashArray: "2 6", opacity: 0.7 },
  };
  var state = { map: null, group: null, sites: new Map(), shipments: new Map(), selected: null, on: true };

  function tip(lines) {
    var box = document.createElement("div");
    lines.forEach(function (text, i) {
      if (!text) return;
      var line = document.createElement(i === 0 ? "b" : "div");
      line.textContent = text;
      box.appendChild(line);
      if (i === 0) box.appendChild(document.createElement("br"));
    });
    return box;
  }

  function shipmentStyle(s) {
    var base = STATUS_STYLES[s.status] || STATUS_STYLES.planned;
    var style = { pane: "copSupply", color: base.color, weight: base.weight, opacity: base.opacity,
                  dashArray: base.dashArray || null };
    if (s.alert) style.color = "#b71c1c";
    if (state.selected === s.id) style.weight = base.weight + 3;
    return style;
  }

  function clear() {
    if (state.group) state.group.clearLayers();
    state.sites.clear();
    state.shipments.clear();
  }

  function reset(m) {
    var map = state.map;
    if (!state.group) {
      if (!map.getPane("copSupply")) map.createPane("copSupply").style.zIndex = 430;
      // sites above the unit symbols (they share places with the units that guard them)
      if (!map.getPane("copSupplySites")) map.createPane("copSupplySites").style.zIndex = 455;
      state.group = L.layerGroup().addTo(map);
    }
    clear();
    (m.shipments || []).forEach(function (s) {
      var line = L.polyline(s.coords, shipmentStyle(s));
      line.bindTooltip(tip(s.lines || [s.waybill]), { sticky: true, className: "cop-tip" });
      line.addTo(state.group);
      var end = L.circleMarker(s.coords[s.coords.length - 1], {
        pane: "copSupply", radius: 3, color: shipmentStyle(s).color, weight: 2, fillOpacity: 1,
        fillColor: shipmentStyle(s).color, interactive: false,
      }).addTo(state.group);
      state.shipments.set(s.id, { data: s, line: line, end: end });
    });
    (m.sites || []).forEach(function (s) {
      var levels = COP.styles.supplyLevels || {};
      var colour = levels[s.level] || levels.none;
      var marker = L.circleMarker([s.lat, s.lon], {
        pane: "copSupplySites", radius: s.kind === "distribution_point" ? 8 : 7, color: "#fff", weight: 2,
        fillColor: colour, fillOpacity: 0.95,
      });
      marker.bindTooltip(tip(s.lines || [s.name]), { className: "cop-tip" });
      marker.addTo(state.group);
      state.sites.set(s.id, { data: s, marker: marker });
    });
    show(state.on);
  }

  function show(on) {
    state.on = on;
    if (!state.group) return;
    if (on && !state.map.hasLayer(state.group)) state.group.addTo(state.map);
    if (!on && state.map.hasLayer(state.group)) state.map.removeLayer(state.group);
  }

  function select(id, pan) {
    state.selected = id;
    state.shipments.forEach(function (s) {
      s.line.setStyle(shipmentStyle(s.data));
    });
    var s = state.shipments.get(id);
    if (s && pan) state.map.fitBounds(s.line.getBounds().pad(0.3), { maxZoom: 10 });
  }

  var previousInit = COP.init;
  COP.init = function (map, options) {
    previousInit(map, options);
    state.map = map;
    COP.addHandler("supply.reset", reset);
    COP.addHandler("supply.show", function (m) {
      show(!!m.on);
    });
    COP.addHandler("supply.select", function (m) {
      select(m.id, m.pan !== false);
    });
  };

  /* for tests and tools */
  COP.supplyTip = function (id) {
    var entry = state.sites.get(id) || state.shipments.get(id);
    if (!entry) return null;
    var layer = entry.marker || entry.line;
    var el = layer.getTooltip().getContent();
    return { text: el.textContent, bold: el.querySelectorAll("b").length, elements: el.querySelectorAll("*").length };
  };
  COP.supplyStats = function () {
    var colours = {};
    state.shipments.forEach(function (s, id) {
      colours[id] = s.line.options.color;
    });
    var levels = {};
    state.sites.forEach(function (s, id) {
      levels[id] = s.marker.options.fillColor;
    });
    return {
      sites: state.sites.size, shipments: state.shipments.size, colours: colours, levels: levels,
      visible: !!(state.group && state.map.hasLayer(state.group)), selected: state.selected,
    };
  };
})();
