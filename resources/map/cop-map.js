/* Coalition COP map page: the core (map, bridge, basemap, view and tools).
 *
 * Built once by folium (app/core/mapdoc/page.py); afterwards Python talks to it
 * only through COP.receive(message) (over QWebChannel in the app, or with the
 * data inlined in an exported HTML file).  Every message is one of those listed
 * in app/core/mapdoc/protocol.py, which the page gets at start as COP.PROTOCOL:
 * COP.receive refuses (console.error) an unknown op or a message missing a
 * required field.  Each concern registers its handlers with COP.addHandler in
 * its own file: cop-units.js, cop-zones.js, cop-tasks.js, cop-tiles.js,
 * cop-draw.js, cop-routes.js, cop-supply.js; this file handles the view, the
 * look and the tools.  The shared colours (app/core/mapdoc/styles.py) arrive
 * as COP.styles.  User text is only ever drawn on the canvas or put in
 * textContent, never parsed as markup.
 */
(function () {
  "use strict";

  var COP = (window.COP = {});
  var marks = {};
  function mark(name) {
    if (!(name in marks)) marks[name] = Math.round(performance.now());
  }
  COP.marks = function () {
    return marks;
  };
  mark("script");
  var THEMES = {
    day: { sea: "#b8cfe0", land: "#f1eee6", border: "#9c968b", label: "#111", halo: "#fff", place: "#4a4a4a" },
    night: { sea: "#0b1620", land: "#1b242c", border: "#3d4a55", label: "#e6d6b0", halo: "#000", place: "#9a8f7a" },
  };

  var state = {
    map: null,
    bridge: null,
    units: new Map(), // id -> unit
    order: [], // draw order (ids)
    orderDirty: true,
    hiddenAffiliations: new Set(),
    hiddenZoneKinds: new Set(),
    showUnits: true,
    showLabels: true,
    showPlaces: true,
    declutter: true,
    tasks: new Map(),
    trails: new Map(),
    trailsOn: false,
    selectedTask: null,
    showTasks: true,
    clusterCount: 0,
    places: [],
    tool: null,
    measure: { start: null, line: null, done: false },
    basemapLayers: [],
    basemapTopo: null,
    basemapBuilt: false,
    viewSet: false,
    selected: null,
    sprites: new Map(),
    scale: 1,
    zones: new Map(), // id -> L.GeoJSON layer
    zoneData: new Map(), // id -> feature
    drawn: [],
    drawnCount: 0,
    frame: 0,
    pendingPaintReport: null,
    theme: "day",
    lastPlaced: [],
    stats: { lastDrawMs: 0, lastBatchSize: 0, seq: 0 },
  };

  /* the page's handler table: op -> function (message); each concern adds its own */
  var handlers = {};
  COP.addHandler = function (op, fn) {
    handlers[op] = fn;
  };
  COP.handledOps = function () {
    return Object.keys(handlers);
  };

  /* shared with the page's other scripts (cop-units.js and the like) */
  var P = (COP._ = {
    state: state,
    mark: mark,
    THEMES: THEMES,
    redraw: function () {}, // cop-units.js: redraw the unit layer
    applyZoneVisibility: function () {}, // cop-zones.js: show the kinds not hidden
    handlers: handlers,
    onInit: [], // functions of the map, run by COP.init before any message
  });
  COP.PROTOCOL = null; // app/core/mapdoc/protocol.py page_spec(), set by COP.init
  COP.styles = {}; // app/core/mapdoc/styles.py page_styles(), set by COP.init
  function redrawUnits() {
    P.redraw();
  }

  /* ------------------------------------------------------------ canvas layer */
  /* A canvas over the whole map, redrawn (once a frame at most) when the view
     settles; subclasses give ``pane``, ``className`` and ``redraw``. */
  var CanvasLayer = L.Layer.extend({
    onAdd: function (map) {
      this._canvas = L.DomUtil.create("canvas", this.className);
      this._canvas.style.pointerEvents = "none";
      map.getPane(this.pane).appendChild(this._canvas);
      map.on("moveend resize viewreset", this._schedule, this);
      map.on("zoomstart", this._hide, this);
      map.on("zoomend", this._show, this);
      if (this.added) this.added(map);
      this._schedule();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend resize viewreset", this._schedule, this);
      map.off("zoomstart", this._hide, this);
      map.off("zoomend", this._show, this);
      if (this.removed) this.removed(map);
    },
    _hide: function () {
      this._canvas.style.visibility = "hidden";
    },
    _show: function () {
      this._canvas.style.visibility = "visible";
      this._schedule();
    },
    _schedule: function () {
      if (this._raf) return;
      var self = this;
      this._raf = L.Util.requestAnimFrame(function () {
        self._raf = null;
        self.redraw();
      });
    },
    /* Size the canvas to the map (device pixels), put it at the view's
       top-left and clear it; returns the context and where the canvas is. */
    prepare: function () {
      var map = this._map;
      var size = map.getSize();
      var dpr = window.devicePixelRatio || 1;
      var canvas = this._canvas;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(canvas, topLeft);
      if (canvas.width !== size.x * dpr || canvas.height !== size.y * dpr) {
        canvas.width = size.x * dpr;
        canvas.height = size.y * dpr;
        canvas.style.width = size.x + "px";
        canvas.style.height = size.y + "px";
      }
      var ctx = canvas.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, size.x, size.y);
      return { ctx: ctx, size: size, topLeft: topLeft };
    },
  });
  COP.CanvasLayer = CanvasLayer;

  /* ------------------------------------------------------------ messages */
  COP.addHandler("fly", function (m) {
    state.pendingFit = null; // a fit waiting for the layout must not undo where the user went
    state.map.setView([m.lat, m.lon], m.zoom || state.map.getZoom(), { animate: false });
    viewSet();
  });
  COP.addHandler("fit", function (m) {
    var size = state.map.getSize();
    if (size.x < 40 || size.y < 40) {
      state.pendingFit = m.bounds; // not laid out yet: fit when it is
      return;
    }
    state.map.fitBounds(m.bounds, { animate: false, padding: [20, 20] });
    viewSet();
  });
  COP.addHandler("layers", function (m) {
    if (m.affiliations) {
      Object.keys(m.affiliations).forEach(function (k) {
        if (m.affiliations[k]) state.hiddenAffiliations.delete(k);
        else state.hiddenAffiliations.add(k);
      });
    }
    if (m.zones) {
      Object.keys(m.zones).forEach(function (k) {
        if (m.zones[k]) state.hiddenZoneKinds.delete(k);
        else state.hiddenZoneKinds.add(k);
      });
      P.applyZoneVisibility();
    }
    if (typeof m.units === "boolean") state.showUnits = m.units;
    if (typeof m.labels === "boolean") state.showLabels = m.labels;
    if (typeof m.places === "boolean") state.showPlaces = m.places;
    if (typeof m.declutter === "boolean") state.declutter = m.declutter;
    if (typeof m.tasks === "boolean" && m.tasks !== state.showTasks) {
      state.showTasks = m.tasks;
      state.tasks.forEach(function (t) {
        if (m.tasks) t.layer.addTo(state.map);
        else state.map.removeLayer(t.layer);
      });
    }
    if (m.labelsText) state.labels = m.labelsText;
    redrawUnits();
  });
  COP.addHandler("highlight", function (m) {
    if (state.highlight) state.map.removeLayer(state.highlight);
    state.highlight = L.circleMarker([m.lat, m.lon], {
      pane: "copTools",
      radius: 18,
      color: "#ffb000",
      weight: 4,
      fill: false,
      interactive: false,
      className: "cop-highlight",
    }).addTo(state.map);
    var mine = state.highlight;
    setTimeout(function () {
      if (state.highlight === mine) {
        state.map.removeLayer(mine);
        state.highlight = null;
      }
    }, m.ms || 6000);
  });
  COP.addHandler("tool", function (m) {
    setTool(m.name || null);
    if (m.name === "measure" && m.start) measureClick(L.latLng(m.start[0], m.start[1]));
  });
  COP.addHandler("measure.label", function (m) {
    if (!state.measure.line) return;
    state.measure.line.bindTooltip(textBox([m.text]), {
      permanent: true, direction: "center", className: "cop-tip cop-measure",
    }).openTooltip();
  });
  COP.addHandler("scale", function (m) {
    state.scale = m.factor || 1;
    state.sprites.clear();
    redrawUnits();
  });
  COP.addHandler("theme", function (m) {
    setTheme(m.name);
  });

  function textBox(lines) {
    var box = document.createElement("div");
    lines.forEach(function (text) {
      var div = document.createElement("div");
      div.textContent = text;
      box.appendChild(div);
    });
    return box;
  }

  /* range and bearing: click a start, click an end; Python works out the numbers */
  function setTool(name) {
    state.tool = name;
    clearMeasure();
    state.map.getContainer().style.cursor = name ? "crosshair" : "";
  }

  function clearMeasure() {
    var ms = state.measure;
    if (ms.line) state.map.removeLayer(ms.line);
    ms.line = null;
    ms.start = null;
  }

  function measureClick(latlng) {
    var ms = state.measure;
    if (!ms.start || (ms.start && ms.done)) {
      clearMeasure();
      ms.start = latlng;
      ms.done = false;
      ms.line = L.polyline([latlng, latlng], { pane: "copTools", color: "#d00000", weight: 3, dashArray: "8 6", interactive: false }).addTo(state.map);
      return;
    }
    ms.line.setLatLngs([ms.start, latlng]);
    ms.done = true;
    if (state.bridge) state.bridge.measured(ms.start.lat, ms.start.lng, latlng.lat, latlng.lng);
  }

  function viewSet() {
    state.viewSet = true;
    buildBasemap();
  }

  /* hooks for the page's other scripts (cop-tiles.js and the like) */
  COP.map = function () {
    return state.map;
  };
  P.textBox = textBox;
  P.measureClick = measureClick;
  COP.bridge = function () {
    return state.bridge;
  };

  /* a message is refused unless COP.PROTOCOL lists its op and it has every required field */
  function refused(m) {
    if (!m || typeof m !== "object") return "not a message: " + JSON.stringify(m);
    var ops = COP.PROTOCOL && COP.PROTOCOL.ops;
    if (!ops) return handlers[m.op] ? null : "unknown op " + JSON.stringify(m.op);
    var spec = Object.prototype.hasOwnProperty.call(ops, m.op) ? ops[m.op] : null;
    if (!spec) return "unknown op " + JSON.stringify(m.op);
    var missing = spec.required.filter(function (name) {
      return !(name in m);
    });
    if (missing.length) return m.op + " needs " + missing.join(", ");
    if (!handlers[m.op]) return "no handler for " + m.op;
    return null;
  }

  COP.receive = function (message) {
    var m;
    try {
      m = typeof message === "string" ? JSON.parse(message) : message;
    } catch (e) {
      console.error("COP: unreadable message: " + e);
      return;
    }
    if (Array.isArray(m)) {
      m.forEach(COP.receive);
      return;
    }
    var why = refused(m);
    if (why) {
      console.error("COP refused a message: " + why);
      return;
    }
    try {
      handlers[m.op](m);
    } catch (e) {
      console.error("COP " + m.op + ": " + e + " " + (e.stack || ""));
    }
  };

  /* ------------------------------------------------------------ basemap */
  function setTheme(name) {
    state.theme = THEMES[name] ? name : "day";
    var t = THEMES[state.theme];
    state.map.getContainer().style.background = t.sea;
    state.basemapLayers.forEach(function (layer) {
      layer.setStyle(basemapStyle());
    });
    document.body.classList.toggle("cop-night", state.theme === "night");
    redrawUnits();
  }

  function basemapStyle() {
    var t = THEMES[state.theme];
    return { fillColor: t.land, fillOpacity: 1, color: t.border, weight: 0.8 };
  }

  function addBasemapPart(features) {
    var layer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      pane: "copBasemap",
      interactive: false,
      style: basemapStyle,
    }).addTo(state.map);
    state.basemapLayers.push(layer);
  }

  // Countries in view are drawn at once, the rest just after: building all
  // 50m countries as Leaflet layers costs a few hundred ms.
  function buildBasemap() {
    if (state.basemapBuilt || !state.basemapTopo) return;
    state.basemapBuilt = true;
    var topo = state.basemapTopo;
    var key = topo.objects.countries ? "countries" : Object.keys(topo.objects)[0];
    var features = topojson.feature(topo, topo.objects[key]).features;
    var view = state.map.getBounds().pad(0.5);
    var near = [], far = [];
    features.forEach(function (f) {
      var b = L.geoJSON(f).getBounds();
      (b.isValid() && view.intersects(b) ? near : far).push(f);
    });
    addBasemapPart(near);
    state.basemapReady = true;
    mark("basemap.added");
    redrawUnits();
    setTimeout(function () {
      addBasemapPart(far);
      mark("basemap.complete");
    }, 30);
  }

  function loadBasemap(options) {
    if (options.basemapData) {
      state.basemapTopo = options.basemapData;
      return;
    }
    if (!options.basemapUrl) return;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", options.basemapUrl);
    xhr.onload = function () {
      try {
        state.basemapTopo = JSON.parse(xhr.responseText);
        mark("basemap.parsed");
        if (state.viewSet) buildBasemap();
      } catch (e) {
        console.error("basemap: " + e);
      }
    };
    xhr.send();
    // nothing told us where to look: draw the world anyway
    setTimeout(function () {
      state.viewSet = true;
      buildBasemap();
    }, 1500);
  }

  /* ------------------------------------------------------------ init */
  COP.init = function (map, options) {
    mark("init");
    options = options || {};
    if (options.protocol) COP.PROTOCOL = options.protocol;
    if (options.styles) COP.styles = options.styles;
    state.map = map;
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth");
    map.createPane("copBasemap").style.zIndex = 150;
    map.createPane("copZones").style.zIndex = 380;
    map.createPane("copTasks").style.zIndex = 420;
    map.createPane("copUnits").style.zIndex = 450;
    map.createPane("copTools").style.zIndex = 460;
    map.getPane("copUnits").style.pointerEvents = "none";
    if (options.scale) state.scale = options.scale;
    if (options.theme) state.theme = options.theme;
    setTheme(state.theme);
    loadBasemap(options);
    P.onInit.forEach(function (fn) {
      fn(map); // the concerns' own set-up (cop-units.js: the unit layer, its tips and clicks)
    });
    map.on("contextmenu", function (ev) {
      if (state.bridge) state.bridge.contextMenu(ev.latlng.lat, ev.latlng.lng);
    });
    map.on("resize", function () {
      if (state.pendingFit && map.getSize().x >= 40 && map.getSize().y >= 40) {
        var bounds = state.pendingFit;
        state.pendingFit = null;
        handlers.fit({ bounds: bounds });
      }
    });
    map.on("moveend", function () {
      if (!state.bridge) return;
      var c = map.getCenter();
      var b = map.getBounds();
      state.bridge.viewChanged(
        JSON.stringify({ lat: c.lat, lon: c.lng, zoom: map.getZoom(), bounds: [[b.getSouth(), b.getWest()], [b.getNorth(), b.getEast()]] })
      );
    });

    if (COP.onInit) COP.onInit(map);
    if (options.data) COP.receive(options.data);
    if (options.basemapData) viewSet();
    if (typeof QWebChannel !== "undefined" && typeof qt !== "undefined") {
      new QWebChannel(qt.webChannelTransport, function (channel) {
        state.bridge = channel.objects.bridge;
        state.bridge.sig_push.connect(function (msg) {
          COP.receive(msg);
        });
        mark("channel");
        state.bridge.pageReady();
      });
    }
  };

  /* ------------------------------------------------------------ test & tool hooks */
  COP.stats = function () {
    return {
      total: state.units.size,
      drawn: state.drawnCount,
      zones: state.zones.size,
      trails: state.trails.size,
      tasks: state.tasks.size,
      selectedTask: state.selectedTask,
      clusters: state.clusterCount,
      frame: state.frame,
      basemap: !!state.basemapReady,
      selected: state.selected,
      tool: state.tool || null,
      center: [state.map.getCenter().lat, state.map.getCenter().lng],
      zoom: state.map.getZoom(),
    };
  };
})();
