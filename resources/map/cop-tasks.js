/* Coalition COP: tasks with a location on the map (cop-tasks.js).
 *
 * Points as rings, areas dashed, coloured by status (COP.styles.taskStatus).
 * Messages: tasks.reset, tasks.delta, tasks.select.
 */
(function () {
  "use strict";
  var COP = window.COP;
  var P = COP._; // the core's shared internals (cop-map.js)
  var state = P.state;
  var textBox = P.textBox;

  function taskStyle(feature) {
    var p = feature.properties || {};
    var colour = (COP.styles.taskStatus || {})[p.status] || "#555";
    var selected = feature.id === state.selectedTask;
    return {
      pane: "copTasks", color: p.overdue ? "#d50000" : colour, weight: selected ? 5 : 2.5,
      dashArray: "2 6", fillColor: colour, fillOpacity: 0.06, opacity: 0.95,
    };
  }

  function putTask(feature) {
    removeTask(feature.id);
    var layer = L.geoJSON(feature, {
      style: taskStyle,
      pointToLayer: function (f, latlng) {
        var st = taskStyle(f);
        return L.circleMarker(latlng, {
          pane: "copTasks", radius: 8, color: st.color, weight: st.weight + 0.5, fillColor: "#fff", fillOpacity: 0.9,
        });
      },
    });
    var p = feature.properties || {};
    layer.bindTooltip(textBox([p.reference + " " + p.title, p.status_label + " · " + p.priority_label, p.units || ""]), {
      sticky: true, className: "cop-tip",
    });
    layer.on("click", function (ev) {
      L.DomEvent.stopPropagation(ev);
      if (state.tool === "measure") {
        P.measureClick(ev.latlng);
        return;
      }
      selectTask(feature.id, false);
      if (state.bridge) state.bridge.taskClicked(String(feature.id));
    });
    state.tasks.set(feature.id, { layer: layer, feature: feature });
    if (state.showTasks) layer.addTo(state.map);
  }

  function removeTask(id) {
    var t = state.tasks.get(id);
    if (t) {
      state.map.removeLayer(t.layer);
      state.tasks.delete(id);
    }
  }

  function selectTask(id, pan) {
    state.selectedTask = id;
    state.tasks.forEach(function (t) {
      t.layer.setStyle(taskStyle(t.feature));
    });
    var t = state.tasks.get(id);
    if (t && pan) {
      var b = t.layer.getBounds();
      if (b.isValid() && !state.map.getBounds().contains(b)) state.map.panTo(b.getCenter());
    }
  }

  COP.addHandler("tasks.reset", function (m) {
    Array.from(state.tasks.keys()).forEach(removeTask);
    (m.tasks || []).forEach(putTask);
  });
  COP.addHandler("tasks.delta", function (m) {
    (m.update || []).forEach(putTask);
    (m.remove || []).forEach(removeTask);
  });
  COP.addHandler("tasks.select", function (m) {
    selectTask(m.id, m.pan);
  });
})();
