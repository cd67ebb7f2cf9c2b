/* Coalition COP map page: basemaps, north arrow and MGRS grid.
 *
 * Loaded after cop-map.js.  Adds to the page (DESIGN §5, issue 3 item 5):
 *   - raster tile basemaps served by the app as coptiles://<id>/{z}/{x}/{y}
 *     (MBTiles / XYZ folders) or a URL the user configured, above the Natural
 *     Earth pane and below the zones, and a layer switcher;
 *   - a north arrow (Web Mercator: north is up);
 *   - an MGRS grid: grid zone lines from zoom 4, 100 km squares with their
 *     letters from zoom 7, 10 km lines from zoom 10, 1 km lines from zoom 13.
 * Messages (COP.receive): tiles.sources, basemap.select, grid, northArrow.
 * Names and attributions from tile files are untrusted: they are escaped
 * before Leaflet puts them in the DOM.
 */
(function () {
  "use strict";

  var COP = window.COP;
  if (!COP) return;

  var TILE_PANE_Z = 200; // above copBasemap (150), below copZones (380)
  var GRID_PANE_Z = 390; // above zones, below units (450)
  var S = {
    map: null,
    sources: [],
    tileLayers: {}, // id -> L.TileLayer
    baseLayers: {}, // id -> layer in the switcher (Natural Earth: an empty group)
    current: "naturalearth",
    wanted: "naturalearth",
    control: null,
    north: null,
    northLayer: null,
    grid: null,
    showGrid: false,
    showNorth: true,
    tileEvents: { load: 0, error: 0 },
    labels: { naturalEarth: "Natural Earth (offline)", grid: "MGRS grid", northArrow: "North arrow", north: "North" },
  };

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* ================================================================ UTM / MGRS
   * Transverse Mercator by Krüger's series to n^6 (Karney 2011), WGS84:
   * sub-millimetre within a zone and well beyond its edges. */
  var WGS84_A = 6378137, WGS84_F = 1 / 298.257223563, K0 = 0.9996;
  var atanh = Math.atanh, asinh = Math.asinh;
  var TM = (function () {
    var f = WGS84_F, n = f / (2 - f), e = Math.sqrt(f * (2 - f));
    var n2 = n * n, n3 = n2 * n, n4 = n3 * n, n5 = n4 * n, n6 = n5 * n;
    var A = (WGS84_A / (1 + n)) * (1 + n2 / 4 + n4 / 64 + n6 / 256);
    var alpha = [
      0,
      n / 2 - (2 / 3) * n2 + (5 / 16) * n3 + (41 / 180) * n4 - (127 / 288) * n5 + (7891 / 37800) * n6,
      (13 / 48) * n2 - (3 / 5) * n3 + (557 / 1440) * n4 + (281 / 630) * n5 - (1983433 / 1935360) * n6,
      (61 / 240) * n3 - (103 / 140) * n4 + (15061 / 26880) * n5 + (167603 / 181440) * n6,
      (49561 / 161280) * n4 - (179 / 168) * n5 + (6601661 / 7257600) * n6,
      (34729 / 80640) * n5 - (3418889 / 1995840) * n6,
      (212378941 / 319334400) * n6,
    ];
    var beta = [
      0,
      n / 2 - (2 / 3) * n2 + (37 / 96) * n3 - (1 / 360) * n4 - (81 / 512) * n5 + (96199 / 604800) * n6,
      (1 / 48) * n2 + (1 / 15) * n3 - (437 / 1440) * n4 + (46 / 105) * n5 - (1118711 / 3870720) * n6,
      (17 / 480) * n3 - (37 / 840) * n4 - (209 / 4480) * n5 + (5569 / 90720) * n6,
      (4397 / 161280) * n4 - (11 / 504) * n5 - (830251 / 7257600) * n6,
      (4583 / 161280) * n5 - (108847 / 3991680) * n6,
      (20648693 / 638668800) * n6,
    ];
    return { A: A, e: e, alpha: alpha, beta: beta };
  })();

  function centralMeridian(zone) {
    return (zone - 1) * 6 - 180 + 3;
  }

  // lat/lon (degrees) -> {e, n} in metres in the given zone; n is negative south of the
  // equator unless `south` (then the 10 000 km false northing is added)
  function toUtm(lat, lon, zone, south) {
    var phi = (lat * Math.PI) / 180;
    var lam = (((lon - centralMeridian(zone) + 540) % 360) - 180) * (Math.PI / 180);
    var e = TM.e;
    var tau = Math.tan(phi);
    var sigma = Math.sinh(e * atanh((e * tau) / Math.sqrt(1 + tau * tau)));
    var taup = tau * Math.sqrt(1 + sigma * sigma) - sigma * Math.sqrt(1 + tau * tau);
    var cosLam = Math.cos(lam);
    var xip = Math.atan2(taup, cosLam);
    var etap = asinh(Math.sin(lam) / Math.sqrt(taup * taup + cosLam * cosLam));
    var xi = xip, eta = etap;
    for (var j = 1; j <= 6; j++) {
      xi += TM.alpha[j] * Math.sin(2 * j * xip) * Math.cosh(2 * j * etap);
      eta += TM.alpha[j] * Math.cos(2 * j * xip) * Math.sinh(2 * j * etap);
    }
    var x = K0 * TM.A * eta, y = K0 * TM.A * xi;
    return { e: x + 500000, n: south ? y + 10000000 : y };
  }

  function fromUtm(easting, northing, zone, south) {
    var x = easting - 500000, y = south ? northing - 10000000 : northing;
    var e = TM.e;
    var eta = x / (K0 * TM.A), xi = y / (K0 * TM.A);
    var xip = xi, etap = eta;
    for (var j = 1; j <= 6; j++) {
      xip -= TM.beta[j] * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
      etap -= TM.beta[j] * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
    }
    var sinhEtap = Math.sinh(etap), sinXip = Math.sin(xip), cosXip = Math.cos(xip);
    var taup = sinXip / Math.sqrt(sinhEtap * sinhEtap + cosXip * cosXip);
    var tau = taup, dtau = 1;
    for (var k = 0; k < 12 && Math.abs(dtau) > 1e-12; k++) {
      var sigma = Math.sinh(e * atanh((e * tau) / Math.sqrt(1 + tau * tau)));
      var taui = tau * Math.sqrt(1 + sigma * sigma) - sigma * Math.sqrt(1 + tau * tau);
      dtau = ((taup - taui) / Math.sqrt(1 + taui * taui)) * ((1 + (1 - e * e) * tau * tau) / ((1 - e * e) * Math.sqrt(1 + tau * tau)));
      tau += dtau;
    }
    var lat = (Math.atan(tau) * 180) / Math.PI;
    var lon = centralMeridian(zone) + (Math.atan2(sinhEtap, cosXip) * 180) / Math.PI;
    return { lat: lat, lon: lon };
  }


  var BANDS = "CDEFGHJKLMNPQRSTUVWX"; // 8 degrees each from 80 S; X is 12 (72..84 N)
  var COLUMN_SETS = ["ABCDEFGH", "JKLMNPQR", "STUVWXYZ"];
  var ROW_LETTERS = "ABCDEFGHJKLMNPQRSTUV";

  function bandOf(lat) {
    if (lat < -80 || lat > 84) return null;
    return BANDS.charAt(Math.min(19, Math.floor((lat + 80) / 8)));
  }

  // the UTM zone of a position, with the Norway and Svalbard exceptions
  function zoneOf(lat, lon) {
    lon = ((((lon + 180) % 360) + 360) % 360) - 180;
    var zone = Math.floor((lon + 180) / 6) + 1;
    if (zone > 60) zone = 60;
    if (lat >= 56 && lat < 64 && lon >= 3 && lon < 12) zone = 32;
    if (lat >= 72 && lat <= 84 && lon >= 0 && lon < 42) {
      zone = lon < 9 ? 31 : lon < 21 ? 33 : lon < 33 ? 35 : 37;
    }
    return zone;
  }

  // the two letters of the 100 km square holding (easting, northing) in a zone
  // (AA lettering scheme, WGS84); northing includes the southern false northing
  function squareLetters(zone, easting, northing) {
    var set = COLUMN_SETS[(zone - 1) % 3];
    var col = Math.floor(easting / 100000) - 1;
    if (col < 0 || col > 7) return null;
    var row = (((Math.floor(northing / 100000) + (zone % 2 === 0 ? 5 : 0)) % 20) + 20) % 20;
    return set.charAt(col) + ROW_LETTERS.charAt(row);
  }

  // MGRS of a position: "37L FG 12345 67890" (digits 0..5 per axis)
  function mgrs(lat, lon, digits) {
    var band = bandOf(lat);
    if (!band) return null;
    digits = digits == null ? 5 : digits;
    var zone = zoneOf(lat, lon);
    var south = lat < 0;
    var u = toUtm(lat, lon, zone, south);
    var letters = squareLetters(zone, u.e, u.n);
    if (!letters) return null;
    var div = Math.pow(10, 5 - digits);
    function part(v) {
      var s = String(Math.floor((((v % 100000) + 100000) % 100000) / div));
      while (s.length < digits) s = "0" + s;
      return s;
    }
    var gzd = (zone < 10 ? "0" : "") + zone + band;
    return digits ? gzd + " " + letters + " " + part(u.e) + " " + part(u.n) : gzd + " " + letters;
  }

  // every grid zone designation cell: {zone, band, w, e, s, n, south}
  var CELLS = (function () {
    var cells = [];
    for (var b = 0; b < BANDS.length; b++) {
      var band = BANDS.charAt(b);
      var s = -80 + b * 8, n = band === "X" ? 84 : s + 8;
      for (var z = 1; z <= 60; z++) {
        var w = -180 + (z - 1) * 6, e = w + 6;
        if (band === "V" && z === 31) e = 3;
        if (band === "V" && z === 32) w = 3;
        if (band === "X" && z >= 31 && z <= 37) {
          if (z % 2 === 0) continue; // 32X, 34X, 36X do not exist
          w = z === 31 ? 0 : z === 33 ? 9 : z === 35 ? 21 : 33;
          e = z === 31 ? 9 : z === 33 ? 21 : z === 35 ? 33 : 42;
        }
        cells.push({ zone: z, band: band, w: w, e: e, s: s, n: n, south: s < 0 });
      }
    }
    return cells;
  })();

  /* ================================================================ grid layer */
  var GRID_LINE = "rgba(20, 20, 160, 0.55)";
  var GRID_ZONE = "rgba(160, 20, 20, 0.75)";

  function gridSteps(zoom) {
    // [line step (m) or 0, label the 100 km squares, label line digits]
    if (zoom >= 13) return [1000, true, true];
    if (zoom >= 10) return [10000, true, true];
    if (zoom >= 7) return [100000, true, false];
    return [0, false, false];
  }

  var GridLayer = COP.CanvasLayer.extend({
    pane: "copGrid",
    className: "cop-grid",
    added: function () {
      this.labels = [];
    },
    removed: function () {
      this.labels = [];
    },
    redraw: function () {
      var map = this._map;
      if (!map) return;
      var frame = this.prepare();
      var ctx = frame.ctx, size = frame.size;
      this.labels = [];
      var zoom = map.getZoom();
      if (zoom < 4) return;
      var bounds = map.getBounds();
      var south = Math.max(-80, bounds.getSouth()), north = Math.min(84, bounds.getNorth());
      if (south >= north) return;
      var west = bounds.getWest(), east = bounds.getEast();
      ctx.font = "bold 12px 'DejaVu Sans', 'Segoe UI', sans-serif";
      ctx.textBaseline = "middle";
      ctx.textAlign = "center";
      ctx.lineJoin = "round";
      // world copies: draw the cells once for each 360-degree shift in view
      var k0 = Math.floor((west + 180) / 360), k1 = Math.floor((east + 180) / 360);
      for (var k = k0; k <= k1; k++) {
        var shift = k * 360;
        var w = Math.max(-180, west - shift), e = Math.min(180, east - shift);
        if (w >= e) continue;
        for (var i = 0; i < CELLS.length; i++) {
          var c = CELLS[i];
          if (c.e <= w || c.w >= e || c.n <= south || c.s >= north) continue;
          this._drawCell(ctx, map, c, shift, zoom, size, {
            w: Math.max(c.w, w), e: Math.min(c.e, e), s: Math.max(c.s, south), n: Math.min(c.n, north),
          });
        }
      }
    },
    _point: function (map, lat, lon, shift) {
      return map.latLngToContainerPoint([lat, lon + shift]);
    },
    _drawCell: function (ctx, map, cell, shift, zoom, size, clip) {
      var self = this;
      var tl = this._point(map, cell.n, cell.w, shift), br = this._point(map, cell.s, cell.e, shift);
      var ctl = this._point(map, clip.n, clip.w, shift), cbr = this._point(map, clip.s, clip.e, shift);
      var gzd = (cell.zone < 10 ? "0" : "") + cell.zone + cell.band;
      // the grid zone boundary
      ctx.strokeStyle = GRID_ZONE;
      ctx.lineWidth = zoom >= 7 ? 2 : 1.2;
      ctx.strokeRect(tl.x, tl.y, br.x - tl.x, br.y - tl.y);
      var steps = gridSteps(zoom);
      if (!steps[0]) {
        if (zoom >= 5 && cbr.x - ctl.x > 30 && cbr.y - ctl.y > 16) {
          self._text(ctx, gzd, (ctl.x + cbr.x) / 2, (ctl.y + cbr.y) / 2, GRID_ZONE);
          self.labels.push({ kind: "gzd", text: gzd, lat: (clip.s + clip.n) / 2, lon: (clip.w + clip.e) / 2 });
        }
        return;
      }
      ctx.save();
      ctx.beginPath();
      ctx.rect(ctl.x, ctl.y, cbr.x - ctl.x, cbr.y - ctl.y);
      ctx.clip();
      // easting / northing range of the visible part of the cell (extremes lie on its edge)
      var minE = Infinity, maxE = -Infinity, minN = Infinity, maxN = -Infinity;
      for (var t = 0; t <= 8; t++) {
        var f = t / 8;
        var edge = [
          [clip.s, clip.w + f * (clip.e - clip.w)], [clip.n, clip.w + f * (clip.e - clip.w)],
          [clip.s + f * (clip.n - clip.s), clip.w], [clip.s + f * (clip.n - clip.s), clip.e],
        ];
        for (var q = 0; q < 4; q++) {
          var u = toUtm(edge[q][0], edge[q][1], cell.zone, cell.south);
          if (u.e < minE) minE = u.e;
          if (u.e > maxE) maxE = u.e;
          if (u.n < minN) minN = u.n;
          if (u.n > maxN) maxN = u.n;
        }
      }
      var step = steps[0];
      var e0 = Math.floor(minE / step) * step, e1 = Math.ceil(maxE / step) * step;
      var n0 = Math.floor(minN / step) * step, n1 = Math.ceil(maxN / step) * step;
      if ((e1 - e0) / step > 400 || (n1 - n0) / step > 400) {
        ctx.restore();
        return;
      }
      var samples = Math.max(4, Math.min(64, Math.ceil((n1 - n0) / step) * 2));
      var eSamples = Math.max(4, Math.min(64, Math.ceil((e1 - e0) / step) * 2));
      var lineLabels = [];
      var E, N, s, ll, p, line;
      ctx.strokeStyle = GRID_LINE;
      for (E = e0; E <= e1; E += step) {
        line = [];
        for (s = 0; s <= samples; s++) {
          ll = fromUtm(E, n0 + ((n1 - n0) * s) / samples, cell.zone, cell.south);
          line.push(this._point(map, ll.lat, ll.lon, shift));
        }
        ctx.lineWidth = E % 100000 === 0 ? 1.6 : 0.8;
        this._stroke(ctx, line);
        if (steps[2]) lineLabels.push(["x", line, E]);
      }
      for (N = n0; N <= n1; N += step) {
        line = [];
        for (s = 0; s <= eSamples; s++) {
          ll = fromUtm(e0 + ((e1 - e0) * s) / eSamples, N, cell.zone, cell.south);
          line.push(this._point(map, ll.lat, ll.lon, shift));
        }
        ctx.lineWidth = N % 100000 === 0 ? 1.6 : 0.8;
        this._stroke(ctx, line);
        if (steps[2]) lineLabels.push(["y", line, N]);
      }
      // the digits of the lines along the top and left edges of the visible cell
      ctx.font = "11px 'DejaVu Sans', 'Segoe UI', sans-serif";
      lineLabels.forEach(function (item) {
        var at = item[0] === "x" ? crossing(item[1], "y", ctl.y + 9) : crossing(item[1], "x", ctl.x + 12);
        if (!at || at.x < ctl.x + 4 || at.x > cbr.x - 4 || at.y < ctl.y + 4 || at.y > cbr.y - 4) return;
        var km = Math.round(item[2] / 1000);
        var text = String(((km % 100) + 100) % 100);
        if (text.length < 2) text = "0" + text;
        self._text(ctx, text, at.x, at.y, "#14148c");
        self.labels.push({ kind: item[0] === "x" ? "easting" : "northing", text: text, value: item[2] });
      });
      // the 100 km square letters, at the middle of each square's visible part
      if (steps[1]) {
        ctx.font = "bold 13px 'DejaVu Sans', 'Segoe UI', sans-serif";
        var big = 100000;
        for (E = Math.floor(minE / big) * big; E < maxE; E += big) {
          for (N = Math.floor(minN / big) * big; N < maxN; N += big) {
            var letters = squareLetters(cell.zone, E + big / 2, N + big / 2);
            if (!letters) continue;
            var spot = this._squareSpot(map, cell, clip, shift, E, N, big, [minE, maxE, minN, maxN]);
            // not on a sliver of a square along the cell's edge, where it would be cut
            if (!spot || spot.p.x < ctl.x + 14 || spot.p.x > cbr.x - 14 || spot.p.y < ctl.y + 9 || spot.p.y > cbr.y - 9) continue;
            var text = zoom >= 10 ? gzd + " " + letters : letters;
            self._text(ctx, text, spot.p.x, spot.p.y, "#14148c");
            self.labels.push({ kind: "square", text: letters, gzd: gzd, lat: spot.lat, lon: spot.lon });
          }
        }
      }
      ctx.restore();
      // the grid zone designation in the visible top-left corner of the cell
      ctx.font = "bold 12px 'DejaVu Sans', 'Segoe UI', sans-serif";
      ctx.textAlign = "left";
      if (cbr.x - ctl.x > 40 && cbr.y - ctl.y > 20) {
        var gy = ctl.y + (steps[2] ? 24 : 10);
        if (ctl.x < 50 && gy < 84) gy = 84; // not under the zoom buttons
        if (gy < cbr.y - 8) self._text(ctx, gzd, ctl.x + 5, gy, GRID_ZONE);
        self.labels.push({ kind: "gzd", text: gzd });
      }
      ctx.textAlign = "center";
    },
    // a point inside both the square and the visible cell, near the square's middle
    _squareSpot: function (map, cell, clip, shift, E, N, size, range) {
      var best = null;
      // first the middle of the part of the square in view, then points spread over it
      var e0 = Math.max(E, range[0]), e1 = Math.min(E + size, range[1]);
      var n0 = Math.max(N, range[2]), n1 = Math.min(N + size, range[3]);
      if (e0 < e1 && n0 < n1) {
        var mid = fromUtm((e0 + e1) / 2, (n0 + n1) / 2, cell.zone, cell.south);
        if (mid.lat > clip.s && mid.lat < clip.n && mid.lon > clip.w && mid.lon < clip.e) {
          return { lat: mid.lat, lon: mid.lon + shift, p: this._point(map, mid.lat, mid.lon, shift) };
        }
      }
      var offsets = [0.5, 0.3, 0.7, 0.15, 0.85];
      for (var i = 0; i < offsets.length && !best; i++) {
        for (var j = 0; j < offsets.length && !best; j++) {
          var ll = fromUtm(E + offsets[i] * size, N + offsets[j] * size, cell.zone, cell.south);
          if (ll.lat > clip.s && ll.lat < clip.n && ll.lon > clip.w && ll.lon < clip.e) {
            best = { lat: ll.lat, lon: ll.lon + shift, p: this._point(map, ll.lat, ll.lon, shift) };
          }
        }
      }
      return best;
    },
    _stroke: function (ctx, line) {
      ctx.beginPath();
      ctx.moveTo(line[0].x, line[0].y);
      for (var i = 1; i < line.length; i++) ctx.lineTo(line[i].x, line[i].y);
      ctx.stroke();
    },
    _text: function (ctx, text, x, y, colour) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.strokeText(text, x, y);
      ctx.fillStyle = colour;
      ctx.fillText(text, x, y);
    },
  });

  // where a screen polyline crosses the line axis = value (first crossing)
  function crossing(line, axis, value) {
    for (var i = 1; i < line.length; i++) {
      var a = line[i - 1], b = line[i];
      if ((a[axis] - value) * (b[axis] - value) <= 0 && a[axis] !== b[axis]) {
        var t = (value - a[axis]) / (b[axis] - a[axis]);
        return { x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y) };
      }
    }
    return null;
  }

  /* ================================================================ north arrow */
  var SVG_NS = "http://www.w3.org/2000/svg";

  var NorthArrow = L.Control.extend({
    options: { position: "topright" },
    onAdd: function () {
      var box = L.DomUtil.create("div", "leaflet-bar cop-north");
      box.style.background = "rgba(255,255,255,0.85)";
      box.style.padding = "2px 4px";
      box.style.lineHeight = "0";
      box.title = S.labels.north;
      var svg = document.createElementNS(SVG_NS, "svg");
      svg.setAttribute("width", "26");
      svg.setAttribute("height", "40");
      svg.setAttribute("viewBox", "0 0 26 40");
      var left = document.createElementNS(SVG_NS, "path");
      left.setAttribute("d", "M13 14 L5 38 L13 32 Z");
      left.setAttribute("fill", "#222");
      var right = document.createElementNS(SVG_NS, "path");
      right.setAttribute("d", "M13 14 L21 38 L13 32 Z");
      right.setAttribute("fill", "#fff");
      right.setAttribute("stroke", "#222");
      right.setAttribute("stroke-width", "1");
      var n = document.createElementNS(SVG_NS, "text");
      n.setAttribute("x", "13");
      n.setAttribute("y", "11");
      n.setAttribute("text-anchor", "middle");
      n.setAttribute("font-size", "12");
      n.setAttribute("font-weight", "bold");
      n.setAttribute("font-family", "'DejaVu Sans', 'Segoe UI', sans-serif");
      n.setAttribute("fill", "#222");
      n.textContent = "N";
      svg.appendChild(left);
      svg.appendChild(right);
      svg.appendChild(n);
      box.appendChild(svg);
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });

  // a switcher entry that shows or hides a control
  var ControlToggle = L.Layer.extend({
    initialize: function (onChange) {
      this._onChange = onChange;
    },
    onAdd: function () {
      this._onChange(true);
    },
    onRemove: function () {
      this._onChange(false);
    },
  });

  /* ================================================================ basemaps */
  function tileLayerFor(src) {
    var maxNative = Math.max(0, Math.min(24, src.maxzoom | 0));
    var options = {
      pane: "copTiles",
      minZoom: Math.max(0, src.minzoom | 0),
      maxZoom: Math.max(S.map.getMaxZoom() || 18, maxNative),
      maxNativeZoom: maxNative,
      attribution: src.attribution ? escapeHtml(src.attribution) : "",
      keepBuffer: 2,
      className: "cop-tiles",
    };
    if (src.subdomains) options.subdomains = src.subdomains;
    if (src.bounds && src.bounds.length === 4) {
      options.bounds = L.latLngBounds([src.bounds[1], src.bounds[0]], [src.bounds[3], src.bounds[2]]);
    }
    var layer = L.tileLayer(src.url_template, options);
    layer.on("tileload", function () {
      S.tileEvents.load += 1;
    });
    layer.on("tileerror", function () {
      S.tileEvents.error += 1;
    });
    return layer;
  }

  function buildControl() {
    var map = S.map;
    if (S.control) map.removeControl(S.control);
    Object.keys(S.tileLayers).forEach(function (id) {
      if (map.hasLayer(S.tileLayers[id])) map.removeLayer(S.tileLayers[id]);
    });
    var natural = S.baseLayers.naturalearth || L.layerGroup(); // Natural Earth is drawn by cop-map.js
    if (map.hasLayer(natural)) map.removeLayer(natural);
    S.tileLayers = {};
    S.baseLayers = { naturalearth: natural };
    var bases = {};
    bases[escapeHtml(S.labels.naturalEarth)] = S.baseLayers.naturalearth;
    S.sources.forEach(function (src) {
      var layer = tileLayerFor(src);
      S.tileLayers[src.id] = layer;
      S.baseLayers[src.id] = layer;
      var label = escapeHtml(src.name || src.id);
      if (bases[label]) label += " (" + escapeHtml(src.id) + ")"; // two files with one name
      bases[label] = layer;
    });
    var overlays = {};
    overlays[escapeHtml(S.labels.grid)] = S.gridToggle;
    overlays[escapeHtml(S.labels.northArrow)] = S.northToggle;
    S.control = L.control.layers(bases, overlays, { position: "topright", collapsed: true, sortLayers: false });
    S.control.addTo(map);
    S.control.getContainer().classList.add("cop-basemaps");
    S.current = null;
    selectBasemap(S.wanted, true);
  }

  function selectBasemap(id, quiet) {
    var map = S.map;
    if (!S.baseLayers[id]) id = "naturalearth";
    S.wanted = id;
    if (!map) return;
    if (S.current === id && map.hasLayer(S.baseLayers[id])) return;
    S.quiet = !!quiet;
    Object.keys(S.baseLayers).forEach(function (other) {
      if (other !== id && map.hasLayer(S.baseLayers[other])) map.removeLayer(S.baseLayers[other]);
    });
    S.current = id;
    map.addLayer(S.baseLayers[id]); // the switcher follows (and fires baselayerchange)
    S.quiet = false;
  }

  function onBaseLayerChange(ev) {
    var id = null;
    Object.keys(S.baseLayers).forEach(function (key) {
      if (S.baseLayers[key] === ev.layer) id = key;
    });
    if (!id) return;
    // the switcher added the new layer; make sure only it is shown
    Object.keys(S.baseLayers).forEach(function (other) {
      if (other !== id && S.map.hasLayer(S.baseLayers[other])) S.map.removeLayer(S.baseLayers[other]);
    });
    var changed = S.current !== id;
    S.current = id;
    S.wanted = id;
    if (changed && !S.quiet) notify();
  }

  /* ================================================================ toggles */
  function setGrid(show) {
    S.showGrid = !!show;
    if (!S.map) return;
    if (S.showGrid && !S.map.hasLayer(S.gridToggle)) S.map.addLayer(S.gridToggle);
    if (!S.showGrid && S.map.hasLayer(S.gridToggle)) S.map.removeLayer(S.gridToggle);
  }

  function setNorth(show) {
    S.showNorth = !!show;
    if (!S.map) return;
    if (S.showNorth && !S.map.hasLayer(S.northToggle)) S.map.addLayer(S.northToggle);
    if (!S.showNorth && S.map.hasLayer(S.northToggle)) S.map.removeLayer(S.northToggle);
  }

  function notify() {
    var bridge = typeof COP.bridge === "function" ? COP.bridge() : null;
    if (bridge && typeof bridge.basemapChanged === "function") {
      bridge.basemapChanged(JSON.stringify({ basemap: S.current, grid: S.showGrid, northArrow: S.showNorth }));
    }
  }

  /* ================================================================ messages */
  COP.addHandler("tiles.sources", function (m) {
    if (m.labels) {
      Object.keys(S.labels).forEach(function (k) {
        if (typeof m.labels[k] === "string") S.labels[k] = m.labels[k];
      });
    }
    S.sources = (m.sources || []).filter(function (src) {
      return (
        src && typeof src.id === "string" && src.id !== "naturalearth" &&
        typeof src.url_template === "string" && /^(coptiles|https?):\/\//.test(src.url_template)
      );
    });
    if (m.selected) S.wanted = m.selected;
    if (S.map) {
      rebuildNorth();
      buildControl();
    }
  });
  COP.addHandler("basemap.select", function (m) {
    selectBasemap(m.id || "naturalearth", !!m.quiet);
  });
  COP.addHandler("grid", function (m) {
    setGrid(m.show !== false);
  });
  COP.addHandler("northArrow", function (m) {
    setNorth(m.show !== false);
  });

  function rebuildNorth() {
    if (S.north && S.showNorth) {
      S.map.removeControl(S.north);
      S.north = new NorthArrow();
      S.map.addControl(S.north);
    }
  }

  /* ================================================================ set-up */
  function setup(map) {
    if (S.map || !map) return;
    S.map = map;
    if (!map.getPane("copTiles")) map.createPane("copTiles").style.zIndex = TILE_PANE_Z;
    if (!map.getPane("copGrid")) {
      var pane = map.createPane("copGrid");
      pane.style.zIndex = GRID_PANE_Z;
      pane.style.pointerEvents = "none";
    }
    var style = document.createElement("style");
    style.textContent =
      "body.cop-night .leaflet-copTiles-pane{filter:brightness(0.6) contrast(1.1) saturate(0.7);}" +
      ".cop-basemaps label{white-space:nowrap;}";
    document.head.appendChild(style);
    S.grid = new GridLayer();
    S.gridToggle = S.grid;
    S.northToggle = new ControlToggle(function (on) {
      S.showNorth = on;
      if (on && !S.north) {
        S.north = new NorthArrow();
        map.addControl(S.north);
      } else if (!on && S.north) {
        map.removeControl(S.north);
        S.north = null;
      }
    });
    map.on("baselayerchange", onBaseLayerChange);
    map.on("overlayadd overlayremove", function (ev) {
      if (ev.layer === S.gridToggle) S.showGrid = ev.type === "overlayadd";
      else if (ev.layer === S.northToggle) S.showNorth = ev.type === "overlayadd";
      else return;
      if (!S.quiet) notify();
    });
    S.quiet = true;
    setNorth(S.showNorth);
    buildControl();
    setGrid(S.showGrid);
    S.quiet = false;
  }

  if (typeof COP.init === "function") {
    var init = COP.init;
    COP.init = function (map, options) {
      init.apply(this, arguments);
      setup(map);
    };
  }

  /* ================================================================ hooks */
  COP.grid = {
    toUtm: function (lat, lon, zone) {
      zone = zone || zoneOf(lat, lon);
      var u = toUtm(lat, lon, zone, lat < 0);
      return { zone: zone, band: bandOf(lat), easting: u.e, northing: u.n };
    },
    fromUtm: function (zone, easting, northing, south) {
      return fromUtm(easting, northing, zone, !!south);
    },
    mgrs: mgrs,
    labels: function () {
      if (S.grid && S.grid._map) S.grid.redraw();
      return S.grid && S.grid._map ? S.grid.labels : [];
    },
  };
  COP.basemaps = function () {
    return {
      current: S.current,
      sources: S.sources.map(function (s) {
        return s.id;
      }),
      grid: S.showGrid,
      northArrow: S.showNorth && !!S.north,
      tiles: { load: S.tileEvents.load, error: S.tileEvents.error },
      tilesInPage: document.querySelectorAll(".leaflet-copTiles-pane img.leaflet-tile-loaded").length,
    };
  };
})();
