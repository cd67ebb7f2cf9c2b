/* Coalition COP: the units on the map (cop-units.js).
 *
 * Units are drawn on one canvas from milsymbol sprites cached per SIDC and size
 * (DESIGN §5), decluttered into badges and fans, with their text fields, trails
 * and the place names of the basemap.  Messages: units.reset, units.delta,
 * units.stale, select, trails, places.reset.
 */
(function () {
  "use strict";
  var COP = window.COP;
  var P = COP._; // the core's shared internals (cop-map.js)
  var state = P.state;
  var mark = P.mark;
  var THEMES = P.THEMES;
  var CanvasLayer = COP.CanvasLayer;
  var BIG_TOWN = 40000; // inhabitants: named even where unit labels would go

  function affiliationOf(u) {
    return u.aff || "unknown";
  }

  /* ------------------------------------------------------------ sprites */
  function spriteFor(sidc, size, stale) {
    var key = sidc + "|" + size + "|" + (stale ? 1 : 0);
    var sprite = state.sprites.get(key);
    if (sprite) return sprite;
    var dpr = window.devicePixelRatio || 1;
    var sym = new ms.Symbol(sidc, { size: size, outlineWidth: 2, outlineColor: "rgba(255,255,255,0.9)" });
    var canvas = sym.asCanvas(dpr);
    var dim = sym.getSize();
    var anchor = sym.getAnchor();
    if (stale) {
      var grey = document.createElement("canvas");
      grey.width = canvas.width;
      grey.height = canvas.height;
      var g = grey.getContext("2d");
      g.filter = "grayscale(1) opacity(0.5)";
      g.drawImage(canvas, 0, 0);
      canvas = grey;
    }
    var octagon = sym.octagonAnchor || anchor;
    sprite = { canvas: canvas, w: dim.width, h: dim.height, ax: anchor.x, ay: anchor.y, valid: sym.isValid() };
    state.sprites.set(key, sprite);
    return sprite;
  }

  /* Units on (nearly) one spot, say a brigade HQ with its attached
     sub-units, would hide one another: they are fanned out on a ring around
     the spot, each joined to it by a leader line (cartographic displacement).
     Only what is drawn moves; the data keeps the true position.  Below zoom
     10 a ring of more than FAN_MAX_SMALL_SCALE symbols would spread over
     its neighbours: such a group becomes a badge, as when clustering.
     Turning grouping off (Layers) shows every symbol where it is. */
  var FAN_MAX_SMALL_SCALE = 8;

  function fanOut(visible, symSize, zoom) {
    var near = symSize * 1.2;
    var reach = near * 3;
    var cells = new Map();
    function key(cx, cy) { return cx + ":" + cy; }
    visible.forEach(function (e, i) {
      var k = key(Math.floor(e[1] / near), Math.floor(e[2] / near));
      var list = cells.get(k);
      if (!list) cells.set(k, (list = []));
      list.push(i);
    });
    var group = new Array(visible.length).fill(-1);
    var groups = [];
    for (var i = 0; i < visible.length; i++) {
      if (group[i] >= 0) continue;
      var members = [i];
      group[i] = groups.length;
      // units near a member, but no further than `reach` from the first: in a
      // dense field an unbounded chain would run across the whole map
      var seed = visible[i];
      for (var q = 0; q < members.length; q++) {
        var e = visible[members[q]];
        var gx = Math.floor(e[1] / near), gy = Math.floor(e[2] / near);
        for (var dx = -1; dx <= 1; dx++) {
          for (var dy = -1; dy <= 1; dy++) {
            var list = cells.get(key(gx + dx, gy + dy)) || [];
            for (var t = 0; t < list.length; t++) {
              var j = list[t];
              if (group[j] >= 0) continue;
              var v = visible[j];
              if (Math.abs(v[1] - e[1]) < near && Math.abs(v[2] - e[2]) < near &&
                  Math.abs(v[1] - seed[1]) < reach && Math.abs(v[2] - seed[2]) < reach) {
                group[j] = groups.length;
                members.push(j);
              }
            }
          }
        }
      }
      groups.push(members);
    }
    var fans = [];
    var badges = [];
    groups.forEach(function (members) {
      if (members.length < 2) return;
      if (members.length > FAN_MAX_SMALL_SCALE && zoom < 10) {
        badges.push(badgeOf(members.map(function (m) { return visible[m]; })));
        return;
      }
      if (members.length > 40) return;
      var cx = 0, cy = 0;
      members.forEach(function (m) { cx += visible[m][1]; cy += visible[m][2]; });
      cx /= members.length;
      cy /= members.length;
      // higher echelons first, then by name: the same order at every redraw
      members.sort(function (a, b) {
        var ua = visible[a][0], ub = visible[b][0];
        return (ub.rank || 0) - (ua.rank || 0) || String(ua.label || "").localeCompare(String(ub.label || ""));
      });
      var step = symSize * 1.7;
      var radius = Math.max(symSize * 1.7, (members.length * step) / (2 * Math.PI));
      var ends = [];
      members.forEach(function (m, n) {
        var angle = -Math.PI / 2 + (2 * Math.PI * n) / members.length;
        visible[m][1] = cx + radius * Math.cos(angle);
        visible[m][2] = cy + radius * Math.sin(angle);
        ends.push([visible[m][1], visible[m][2]]);
      });
      fans.push({ x: cx, y: cy, ends: ends });
    });
    return { fans: fans, clusters: badges };
  }

  function drawFans(ctx, fans, theme) {
    if (!fans.length) return;
    ctx.save();
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = theme.label;
    ctx.globalAlpha = 0.6;
    fans.forEach(function (f) {
      ctx.beginPath();
      f.ends.forEach(function (end) {
        ctx.moveTo(f.x, f.y);
        ctx.lineTo(end[0], end[1]);
      });
      ctx.stroke();
    });
    ctx.globalAlpha = 1;
    ctx.fillStyle = theme.label;
    fans.forEach(function (f) {
      ctx.beginPath();
      ctx.arc(f.x, f.y, 3, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.restore();
  }

  /* APP-6 / 2525 text amplifiers around the symbol, each placed only where
     it overlaps nothing (symbols, towns, other labels):
       right, level with the frame's centre:  T  unique designation (callsign, else name)
       right, above / below T:                H  additional information (the name), M higher formation
       left, above the centre:                W  date-time group of the last report
     T is placed for every unit first; the other fields only from zoom
     DETAILED_ZOOM, and never at the cost of another unit's T. */
  var DETAILED_ZOOM = 10;

  function textFields(u, detailed) {
    var fields = [["T", u.label, 1, 0]];
    if (!detailed) return fields;
    if (u.callsign && u.name && u.name !== u.callsign) fields.push(["H", u.name, 1, -1]);
    var parent = u.parent ? state.units.get(u.parent) : null;
    if (parent && parent.label) fields.push(["M", parent.label, 1, 1]);
    if (u.last) fields.push(["W", formatDTG(u.last), -1, -1]);
    return fields;
  }

  function placeTextFields(ctx, grid, placed, fontPx, detailed) {
    var lineH = fontPx + 2;
    function place(pl, field) {
      var text = field[1];
      if (!text) return false;
      var tw = ctx.measureText(text).width;
      var x = field[2] > 0 ? pl[2] + pl[1].w + 3 : pl[2] - 3 - tw;
      var y = pl[5] + field[3] * lineH;
      if (!grid.take(x, y - lineH / 2, tw, lineH)) return false;
      (pl[6] = pl[6] || []).push([text, x, y, field[0]]);
      return true;
    }
    var k, pl;
    for (k = placed.length - 1; k >= 0; k--) {
      pl = placed[k];
      pl[6] = null;
      pl[7] = textFields(pl[0], detailed);
      pl[8] = place(pl, pl[7][0]);
    }
    if (!detailed) return;
    for (k = placed.length - 1; k >= 0; k--) {
      pl = placed[k];
      if (!pl[8]) continue; // no designation, no other field
      for (var f = 1; f < pl[7].length; f++) place(pl, pl[7][f]);
    }
  }

  function symbolSize(zoom, visible) {
    var base = zoom <= 4 ? 14 : zoom <= 6 ? 18 : zoom <= 8 ? 24 : 30;
    if (visible > 5000) base = Math.min(base, 14);
    else if (visible > 1500) base = Math.min(base, 18);
    return Math.round(base * state.scale);
  }

  /* ------------------------------------------------------------ unit layer */
  var UnitCanvasLayer = CanvasLayer.extend({
    pane: "copUnits",
    className: "cop-units",
    redraw: function () {
      var t0 = performance.now();
      var map = this._map;
      if (!map) return;
      var frame = this.prepare();
      var ctx = frame.ctx, size = frame.size, topLeft = frame.topLeft;
      var drawn = [];
      state.drawn = drawn;
      if (!state.showUnits) {
        state.drawnCount = 0;
        return this._done(t0);
      }
      var zoom = map.getZoom();
      var origin = map.getPixelOrigin();
      var offX = -origin.x - topLeft.x;
      var offY = -origin.y - topLeft.y;
      var margin = 40;
      var visible = [];
      if (state.orderDirty) {
        // draw higher echelons last (on top), selected above all
        state.order = Array.from(state.units.keys());
        state.order.sort(function (a, b) {
          return (state.units.get(a).rank || 0) - (state.units.get(b).rank || 0);
        });
        state.orderDirty = false;
      }
      for (var i = 0; i < state.order.length; i++) {
        var u = state.units.get(state.order[i]);
        if (!u || state.hiddenAffiliations.has(affiliationOf(u))) continue;
        if (u._z !== zoom) {
          var p = map.project([u.lat, u.lon], zoom);
          u._px = p.x;
          u._py = p.y;
          u._z = zoom;
        }
        var x = u._px + offX;
        var y = u._py + offY;
        if (x < -margin || y < -margin || x > size.x + margin || y > size.y + margin) continue;
        visible.push([u, x, y]);
      }
      var total = visible.length;
      var clusters = state.declutter ? clusterUnits(visible, zoom) : [];
      if (clusters.length) visible = visible.filter(function (e) { return !e.clustered; });
      var symSize = symbolSize(zoom, total);
      var fanned = !state.declutter || clusters.length || visible.length > 1500
        ? { fans: [], clusters: [] }
        : fanOut(visible, symSize, zoom);
      var fans = fanned.fans;
      if (fanned.clusters.length) {
        clusters = clusters.concat(fanned.clusters);
        visible = visible.filter(function (e) { return !e.clustered; });
      }
      var labels = state.showLabels && visible.length <= 1500;
      var grid = new LabelGrid(size.x, size.y);
      var fontPx = Math.round(11 * state.scale);
      ctx.font = fontPx + "px 'DejaVu Sans', 'Segoe UI', sans-serif";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      var theme = THEMES[state.theme];
      // pass 1: each symbol, then big towns (orientation), then unit labels
      var towns = [];
      var placed = [];
      for (var j = 0; j < visible.length; j++) {
        var entry = visible[j];
        var sprite = spriteFor(entry[0].sidc, symSize, entry[0].stale);
        var left = entry[1] - sprite.ax;
        var top = entry[2] - sprite.ay;
        grid.add(left, top, sprite.w, sprite.h);
        placed.push([entry[0], sprite, left, top, entry[1], entry[2], null]);
      }
      clusters.forEach(function (c) {
        grid.add(c.x - c.r, c.y - c.r, 2 * c.r, 2 * c.r);
      });
      placePlaces(ctx, grid, zoom, offX, offY, size, true, towns);
      ctx.font = fontPx + "px 'DejaVu Sans', 'Segoe UI', sans-serif";
      if (labels) placeTextFields(ctx, grid, placed, fontPx, zoom >= DETAILED_ZOOM);
      drawTrails(ctx, zoom, offX, offY);
      // pass 2: smaller places where nothing of ours is
      placePlaces(ctx, grid, zoom, offX, offY, size, false, towns);
      drawPlaces(ctx, towns, theme);
      // pass 3: leader lines of fanned-out units, symbols, then their labels
      drawFans(ctx, fans, theme);
      var selectedEntry = null;
      ctx.font = fontPx + "px 'DejaVu Sans', 'Segoe UI', sans-serif";
      for (var m = 0; m < placed.length; m++) {
        var q = placed[m];
        ctx.drawImage(q[1].canvas, q[2], q[3], q[1].w, q[1].h);
        drawn.push({ id: q[0].id, x: q[2], y: q[3], w: q[1].w, h: q[1].h, cx: q[4], cy: q[5] });
        if (q[0].id === state.selected) selectedEntry = drawn[drawn.length - 1];
      }
      clusters.forEach(function (c) {
        drawCluster(ctx, c);
        drawn.push({ id: null, cluster: c, x: c.x - c.r, y: c.y - c.r, w: 2 * c.r, h: 2 * c.r, cx: c.x, cy: c.y });
      });
      ctx.font = fontPx + "px 'DejaVu Sans', 'Segoe UI', sans-serif"; // badges set their own
      ctx.lineWidth = 3;
      ctx.strokeStyle = theme.halo;
      for (var n = 0; n < placed.length; n++) {
        var fields = placed[n][6];
        if (!fields) continue;
        ctx.fillStyle = placed[n][0].stale ? "#777" : theme.label;
        for (var f = 0; f < fields.length; f++) {
          ctx.strokeText(fields[f][0], fields[f][1], fields[f][2]);
          ctx.fillText(fields[f][0], fields[f][1], fields[f][2]);
        }
      }
      if (selectedEntry) {
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#ffb000";
        ctx.strokeRect(selectedEntry.x - 4, selectedEntry.y - 4, selectedEntry.w + 8, selectedEntry.h + 8);
      }
      state.lastPlaced = placed;
      state.drawnCount = placed.length + clusters.reduce(function (sum, c) { return sum + c.members.length; }, 0);
      state.clusterCount = clusters.length;
      this._done(t0);
    },
    _done: function (t0) {
      if (state.units.size) mark("units.drawn");
      state.stats.lastDrawMs = performance.now() - t0;
      state.frame += 1;
      reportPaint();
    },
  });

  /* Declutter: at small scales, units close together on screen become one
     badge split by affiliation with their number; zooming in shows symbols. */
  var AFF_ORDER = ["friend", "hostile", "neutral", "unknown"];

  function clusterUnits(visible, zoom) {
    var threshold = zoom <= 5 ? 60 : zoom <= 7 ? 400 : zoom <= 9 ? 2500 : Infinity;
    if (visible.length <= threshold) return [];
    var cell = zoom <= 7 ? 64 : 48;
    var cells = new Map();
    visible.forEach(function (e) {
      var key = Math.floor(e[1] / cell) + ":" + Math.floor(e[2] / cell);
      var list = cells.get(key);
      if (!list) cells.set(key, (list = []));
      list.push(e);
    });
    var clusters = [];
    cells.forEach(function (list) {
      if (list.length >= 3) clusters.push(badgeOf(list));
    });
    return clusters;
  }

  // one badge for visible entries [unit, x, y]: their number split by affiliation
  function badgeOf(list) {
    var x = 0, y = 0, counts = { friend: 0, hostile: 0, neutral: 0, unknown: 0 };
    list.forEach(function (e) {
      e.clustered = true;
      x += e[1];
      y += e[2];
      var aff = affiliationOf(e[0]);
      counts[aff in counts ? aff : "unknown"] += 1;
    });
    var r = Math.round((10 + 4 * Math.log10(list.length)) * state.scale);
    return { x: x / list.length, y: y / list.length, r: r, counts: counts, members: list.map(function (e) { return e[0].id; }) };
  }

  function drawCluster(ctx, c) {
    var total = c.members.length, start = -Math.PI / 2;
    AFF_ORDER.forEach(function (aff) {
      var n = c.counts[aff];
      if (!n) return;
      var end = start + (2 * Math.PI * n) / total;
      ctx.beginPath();
      ctx.moveTo(c.x, c.y);
      ctx.arc(c.x, c.y, c.r, start, end);
      ctx.closePath();
      ctx.fillStyle = (COP.styles.affiliations || {})[aff];
      ctx.fill();
      start = end;
    });
    ctx.beginPath();
    ctx.arc(c.x, c.y, c.r, 0, 2 * Math.PI);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#000";
    ctx.stroke();
    ctx.font = "bold " + Math.round(11 * state.scale) + "px 'DejaVu Sans', sans-serif";
    ctx.textAlign = "center";
    ctx.lineWidth = 3;
    ctx.strokeStyle = "#fff";
    ctx.strokeText(String(total), c.x, c.y);
    ctx.fillStyle = "#000";
    ctx.fillText(String(total), c.x, c.y);
    ctx.textAlign = "start";
  }

  function LabelGrid(w, h) {
    this.cell = 32;
    this.cols = Math.ceil(w / this.cell) + 1;
    this.cells = new Map();
  }
  LabelGrid.prototype.add = function (x, y, w, h) {
    var c = this.cell, rect = [x, y, w, h], gx, gy, k, list;
    for (gx = Math.floor(x / c); gx <= Math.floor((x + w) / c); gx++) {
      for (gy = Math.floor(y / c); gy <= Math.floor((y + h) / c); gy++) {
        k = gx + gy * 100000;
        list = this.cells.get(k);
        if (!list) this.cells.set(k, (list = []));
        list.push(rect);
      }
    }
  };
  LabelGrid.prototype.take = function (x, y, w, h) {
    var c = this.cell;
    var x0 = Math.floor(x / c), x1 = Math.floor((x + w) / c);
    var y0 = Math.floor(y / c), y1 = Math.floor((y + h) / c);
    var gx, gy, k, list, r, n;
    for (gx = x0; gx <= x1; gx++) {
      for (gy = y0; gy <= y1; gy++) {
        list = this.cells.get(gx + gy * 100000);
        if (!list) continue;
        for (n = 0; n < list.length; n++) {
          r = list[n];
          if (x < r[0] + r[2] && x + w > r[0] && y < r[1] + r[3] && y + h > r[1]) return false;
        }
      }
    }
    this.add(x, y, w, h);
    return true;
  };

  // Place names: the big towns are placed before unit labels, the rest after.
  function placePlaces(ctx, grid, zoom, offX, offY, size, big, out) {
    if (!state.places.length || !state.showPlaces) return;
    var minPop = zoom < 5 ? 500000 : zoom < 6 ? 100000 : zoom < 7 ? 40000 : zoom < 9 ? 10000 : 0;
    var fontPx = Math.round(12 * state.scale);
    ctx.font = "italic " + fontPx + "px 'DejaVu Sans', 'Segoe UI', sans-serif";
    for (var i = 0; i < state.places.length; i++) {
      var p = state.places[i];
      if (p.pop < minPop || (p.pop >= BIG_TOWN) !== big) continue;
      if (p._z !== zoom) {
        var pt = state.map.project([p.lat, p.lon], zoom);
        p._px = pt.x;
        p._py = pt.y;
        p._z = zoom;
      }
      var x = p._px + offX, y = p._py + offY;
      if (x < 0 || y < 0 || x > size.x || y > size.y) continue;
      var tw = ctx.measureText(p.name).width;
      var h = fontPx + 2;
      // try right, left, above, below the point before giving up on the name
      var spots = [
        [x + 5, y, x - 4, y - h / 2, tw + 12, h],
        [x - 5 - tw, y, x - tw - 8, y - h / 2, tw + 12, h],
        [x - tw / 2, y - h, x - tw / 2 - 2, y - 1.5 * h, tw + 4, h + h / 2 + 4],
        [x - tw / 2, y + h, x - tw / 2 - 2, y - 4, tw + 4, h + h / 2 + 4],
      ];
      if (p.pop >= BIG_TOWN) {
        // a big town may be named a little away from its dot rather than not at all
        [2, 3].forEach(function (f) {
          spots.push([x - tw / 2, y - f * h, x - tw / 2 - 2, y - (f + 0.5) * h, tw + 4, h]);
          spots.push([x - tw / 2, y + f * h, x - tw / 2 - 2, y + (f - 0.5) * h, tw + 4, h]);
        });
      }
      var spot = null;
      for (var k = 0; k < spots.length && !spot; k++) {
        var c = spots[k];
        if (grid.take(c[2], c[3], c[4], c[5])) spot = c;
      }
      if (spot) out.push([p.name, x, y, spot[0], spot[1]]);
    }
  }

  function drawTrails(ctx, zoom, offX, offY) {
    if (!state.trails.size) return;
    ctx.save();
    ctx.lineWidth = 2;
    ctx.setLineDash([4, 4]);
    state.trails.forEach(function (points, id) {
      var u = state.units.get(id);
      if (!u || state.hiddenAffiliations.has(affiliationOf(u))) return;
      var lines = COP.styles.affiliationLines || {};
      ctx.strokeStyle = lines[u.aff] || lines.friend;
      ctx.beginPath();
      points.forEach(function (p, i) {
        var pt = state.map.project([p[0], p[1]], zoom);
        var x = pt.x + offX, y = pt.y + offY;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      var here = state.map.project([u.lat, u.lon], zoom);
      ctx.lineTo(here.x + offX, here.y + offY);
      ctx.stroke();
      ctx.fillStyle = ctx.strokeStyle;
      points.forEach(function (p) {
        var pt = state.map.project([p[0], p[1]], zoom);
        ctx.fillRect(pt.x + offX - 2, pt.y + offY - 2, 4, 4);
      });
    });
    ctx.restore();
  }

  function drawPlaces(ctx, placed, theme) {
    var fontPx = Math.round(12 * state.scale);
    ctx.font = "italic " + fontPx + "px 'DejaVu Sans', 'Segoe UI', sans-serif";
    ctx.textBaseline = "middle";
    ctx.lineWidth = 3;
    ctx.strokeStyle = theme.halo;
    ctx.fillStyle = theme.place;
    placed.forEach(function (q) {
      ctx.beginPath();
      ctx.arc(q[1], q[2], 2.5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.strokeText(q[0], q[3], q[4]);
      ctx.fillText(q[0], q[3], q[4]);
    });
  }

  function reportPaint() {
    if (state.pendingPaintReport || !state.bridge) return;
    // rAF runs before the frame is painted; the timeout after it runs once it was
    state.pendingPaintReport = L.Util.requestAnimFrame(function () {
      setTimeout(function () {
        state.pendingPaintReport = null;
        state.stats.seq += 1;
        state.bridge.painted(
          JSON.stringify({ frame: state.frame, drawn: state.drawnCount, total: state.units.size, drawMs: state.stats.lastDrawMs })
        );
      }, 0);
    });
  }

  function hitEntry(containerPoint) {
    var d = state.drawn;
    for (var i = d.length - 1; i >= 0; i--) {
      var r = d[i];
      if (containerPoint.x >= r.x && containerPoint.x <= r.x + r.w && containerPoint.y >= r.y && containerPoint.y <= r.y + r.h)
        return r;
    }
    return null;
  }

  function hitTest(containerPoint) {
    var entry = hitEntry(containerPoint);
    return entry ? entry.id : null;
  }

  /* ------------------------------------------------------------ units API */
  var MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
  function pad2(n) {
    return (n < 10 ? "0" : "") + n;
  }
  function formatDTG(epochSeconds) {
    var d = new Date(epochSeconds * 1000);
    return (
      pad2(d.getUTCDate()) + pad2(d.getUTCHours()) + pad2(d.getUTCMinutes()) + "Z" +
      MONTHS[d.getUTCMonth()] + pad2(d.getUTCFullYear() % 100)
    );
  }

  // units arrive as rows of m.cols (compact); objects are made here
  function unitsOf(m, key) {
    var list = m[key] || [];
    if (!m.cols) return list;
    var cols = m.cols, n = cols.length;
    return list.map(function (row) {
      if (!Array.isArray(row)) return row;
      var u = {};
      for (var i = 0; i < n; i++) u[cols[i]] = row[i];
      return u;
    });
  }

  function putUnit(u) {
    var old = state.units.get(u.id);
    if (old && state.trailsOn && u.lat !== undefined && (old.lat !== u.lat || old.lon !== u.lon)) {
      var trail = state.trails.get(u.id) || [];
      trail.push([old.lat, old.lon]);
      if (trail.length > 12) trail.shift();
      state.trails.set(u.id, trail);
    }
    if (old && old.rank === u.rank) {
      Object.assign(old, u);
      old._z = null;
    } else {
      u._z = null;
      state.units.set(u.id, u);
      state.orderDirty = true;
    }
  }

  function redrawUnits() {
    if (state.unitLayer) state.unitLayer._schedule();
  }

  P.redraw = redrawUnits;

  /* ------------------------------------------------------------ messages */
  COP.addHandler("units.reset", function (m) {
    mark("units.reset");
    state.units.clear();
    var units = unitsOf(m, m.rows ? "rows" : "units");
    units.forEach(putUnit);
    state.orderDirty = true;
    state.stats.lastBatchSize = units.length;
    redrawUnits();
  });
  COP.addHandler("units.delta", function (m) {
    unitsOf(m, "add").forEach(putUnit);
    unitsOf(m, "update").forEach(putUnit);
    (m.remove || []).forEach(function (id) {
      state.units.delete(id);
      state.orderDirty = true;
    });
    state.stats.lastBatchSize = (m.add || []).length + (m.update || []).length + (m.remove || []).length;
    redrawUnits();
  });
  COP.addHandler("units.stale", function (m) {
    (m.ids || []).forEach(function (id) {
      var u = state.units.get(id);
      if (u) u.stale = m.stale;
    });
    redrawUnits();
  });
  COP.addHandler("trails", function (m) {
    state.trails = new Map(Object.entries(m.trails || {}));
    state.trailsOn = !!m.on;
    redrawUnits();
  });
  COP.addHandler("places.reset", function (m) {
    state.places = m.places || [];
    redrawUnits();
  });
  COP.addHandler("select", function (m) {
    state.selected = m.id || null;
    var u = m.id && state.units.get(m.id);
    if (u && m.pan) {
      var b = state.map.getBounds().pad(-0.1);
      if (!b.contains([u.lat, u.lon])) state.map.panTo([u.lat, u.lon]);
    }
    redrawUnits();
  });

  /* ------------------------------------------------------------ init */
  P.onInit.push(function (map) {
    // the first milsymbol call is slow; pay it while waiting for the data
    setTimeout(function () {
      spriteFor("10031000001211000000", 20, false);
    }, 0);
    state.unitLayer = new UnitCanvasLayer().addTo(map);

    var tip = L.DomUtil.create("div", "cop-tip cop-hover", map.getContainer());
    tip.style.display = "none";
    state.tip = tip;
    var pendingMove = null;
    map.on("mousemove", function (ev) {
      if (state.tool === "measure" && state.measure.line && !state.measure.done) {
        state.measure.line.setLatLngs([state.measure.start, ev.latlng]);
      }
      var hit = hitEntry(ev.containerPoint);
      var id = hit ? hit.id : null;
      if (!state.tool) map.getContainer().style.cursor = hit ? "pointer" : "";
      if (id) showUnitTip(state.units.get(id), ev.containerPoint);
      else if (hit && hit.cluster) showClusterTip(hit.cluster, ev.containerPoint);
      else tip.style.display = "none";
      if (!pendingMove && state.bridge) {
        pendingMove = ev.latlng;
        L.Util.requestAnimFrame(function () {
          state.bridge.cursorMoved(pendingMove.lat, pendingMove.lng);
          pendingMove = null;
        });
      } else if (pendingMove) {
        pendingMove = ev.latlng;
      }
    });
    map.on("mouseout", function () {
      tip.style.display = "none";
    });
    map.on("click", function (ev) {
      if (state.tool === "measure") {
        P.measureClick(ev.latlng);
        return;
      }
      var hit = hitEntry(ev.containerPoint);
      if (hit && hit.cluster) {
        map.setView(map.containerPointToLatLng([hit.cx, hit.cy]), Math.min(map.getZoom() + 2, 18));
        return;
      }
      var id = hit ? hit.id : null;
      state.selected = id;
      redrawUnits();
      if (state.bridge) {
        if (id) state.bridge.unitClicked(id);
        else state.bridge.mapClicked(ev.latlng.lat, ev.latlng.lng);
      }
    });
  });

  function showClusterTip(c, point) {
    var labels = state.labels || {};
    var lines = AFF_ORDER.filter(function (a) { return c.counts[a]; }).map(function (a) {
      return c.counts[a] + " " + (labels[a] || a);
    });
    placeTip([String(c.members.length) + " " + (labels.units || "units")].concat(lines), point);
  }

  function placeTip(lines, point) {
    var tip = state.tip;
    tip.textContent = "";
    lines.forEach(function (text, i) {
      var el = document.createElement(i === 0 ? "b" : "div");
      el.textContent = text;
      tip.appendChild(el);
    });
    tip.style.left = point.x + 16 + "px";
    tip.style.top = point.y + 12 + "px";
    tip.style.display = "block";
  }

  function showUnitTip(u, point) {
    if (!u) return;
    var tip = state.tip;
    tip.textContent = "";
    var title = document.createElement("b");
    title.textContent = u.name;
    tip.appendChild(title);
    var lines = [u.callsign, u.detail, u.last ? formatDTG(u.last) : "", u.marking];
    lines.forEach(function (text) {
      if (!text) return;
      var div = document.createElement("div");
      div.textContent = text;
      tip.appendChild(div);
    });
    tip.style.left = point.x + 16 + "px";
    tip.style.top = point.y + 12 + "px";
    tip.style.display = "block";
  }

  /* ------------------------------------------------------------ test & tool hooks */
  COP.unit = function (id) {
    var u = state.units.get(id);
    return u ? { id: u.id, lat: u.lat, lon: u.lon, name: u.name, stale: !!u.stale } : null;
  };
  // the text fields drawn beside a unit: [[field letter, text], ...] (empty when hidden)
  COP.unitFields = function (id) {
    for (var i = 0; i < state.lastPlaced.length; i++) {
      var pl = state.lastPlaced[i];
      if (pl[0].id === id) return (pl[6] || []).map(function (f) { return [f[3], f[0]]; });
    }
    return null;
  };
  COP.unitScreenPoint = function (id) {
    for (var i = 0; i < state.drawn.length; i++) if (state.drawn[i].id === id) return [state.drawn[i].cx, state.drawn[i].cy];
    return null;
  };
  /* Symbols for the native panels (tables, legends), drawn by the same
     milsymbol the map uses: PNG data URLs at twice ``size`` for sharp icons. */
  COP.symbolImages = function (sidcs, size) {
    var out = {};
    for (var i = 0; i < sidcs.length; i++) {
      try {
        var sym = new ms.Symbol(sidcs[i], { size: size, outlineWidth: 2, outlineColor: "rgba(255,255,255,0.9)" });
        out[sidcs[i]] = sym.asCanvas(2).toDataURL("image/png");
      } catch (e) {
        out[sidcs[i]] = "";
      }
    }
    return out;
  };
  COP.redrawNow = function () {
    if (state.unitLayer) state.unitLayer.redraw();
    return state.drawnCount;
  };
})();
