/* Coalition COP: crisis zones on the map (cop-zones.js).
 *
 * Each zone is a GeoJSON layer styled by its kind and severity with the shared
 * palette (COP.styles.zones, .zoneDashes).  Messages: zones.reset, zones.delta.
 */
(function () {
  "use strict";
  var COP = window.COP;
  var P = COP._; // the core's shared internals (cop-map.js)
  var state = P.state;

  /* ------------------------------------------------------------ zones */
  function zoneStyle(feature) {
    var p = feature.properties || {};
    var styles = COP.styles;
    var colour = (styles.zones || {})[p.kind] || styles.zoneDefault || "#555";
    var sev = Math.max(1, Math.min(5, p.severity || 3));
    return {
      pane: "copZones",
      color: colour,
      weight: 1.2 + sev * 0.45,
      opacity: 0.95,
      fillColor: colour,
      fillOpacity: 0.06 + sev * 0.045,
      dashArray: (styles.zoneDashes || {})[p.kind] || null,
    };
  }

  function zoneTooltip(feature) {
    var p = feature.properties || {};
    var box = document.createElement("div");
    var title = document.createElement("b");
    title.textContent = p.name || "";
    box.appendChild(title);
    var line = document.createElement("div");
    line.textContent = (p.kind_label || p.kind || "") + " · " + (p.severity_label || ("severity " + p.severity));
    box.appendChild(line);
    if (p.marking) {
      var mark = document.createElement("div");
      mark.className = "cop-marking";
      mark.textContent = p.marking;
      box.appendChild(mark);
    }
    return box;
  }

  function putZone(feature) {
    removeZone(feature.id);
    var layer = L.geoJSON(feature, { style: zoneStyle, pane: "copZones", interactive: true });
    layer.bindTooltip(zoneTooltip(feature), { sticky: true, className: "cop-tip" });
    layer.on("contextmenu", function (ev) {
      L.DomEvent.stopPropagation(ev);
      if (state.bridge) state.bridge.zoneContextMenu(String(feature.id));
    });
    layer.on("click", function (ev) {
      L.DomEvent.stopPropagation(ev);
      if (state.tool === "measure") {
        P.measureClick(ev.latlng); // a zone under the cursor must not swallow the tool's click
        return;
      }
      if (state.bridge) state.bridge.zoneClicked(String(feature.id));
    });
    state.zones.set(feature.id, layer);
    state.zoneData.set(feature.id, feature);
    if (!state.hiddenZoneKinds.has((feature.properties || {}).kind)) layer.addTo(state.map);
  }

  function removeZone(id) {
    var layer = state.zones.get(id);
    if (layer) {
      state.map.removeLayer(layer);
      state.zones.delete(id);
      state.zoneData.delete(id);
    }
  }

  function applyZoneVisibility() {
    state.zones.forEach(function (layer, id) {
      var kind = (state.zoneData.get(id).properties || {}).kind;
      var show = !state.hiddenZoneKinds.has(kind);
      if (show && !state.map.hasLayer(layer)) layer.addTo(state.map);
      if (!show && state.map.hasLayer(layer)) state.map.removeLayer(layer);
    });
  }
  P.applyZoneVisibility = applyZoneVisibility;

  COP.addHandler("zones.reset", function (m) {
    Array.from(state.zones.keys()).forEach(removeZone);
    ((m.zones && m.zones.features) || []).forEach(putZone);
  });
  COP.addHandler("zones.delta", function (m) {
    (m.add || []).concat(m.update || []).forEach(putZone);
    (m.remove || []).forEach(removeZone);
  });

  // a zone's GeoJSON feature and its layer (the outline editor uses them)
  COP.zoneFeature = function (id) {
    return state.zoneData.get(id) || null;
  };
  COP.setZoneShown = function (id, shown) {
    var layer = state.zones.get(id), feature = state.zoneData.get(id);
    if (!layer) return;
    if (shown && !state.hiddenZoneKinds.has(((feature && feature.properties) || {}).kind)) layer.addTo(state.map);
    else if (!shown) state.map.removeLayer(layer);
  };
})();
