/* Coalition COP: the briefing deck inside a self-contained HTML handout.
 *
 * The handout's data is window.COP_BRIEF (set by app/core/briefing/handout.py):
 * slides with their title, DTG, classification banner, legend, tables and the
 * page messages that put their picture on the map.  Every text is put in
 * textContent, never parsed as markup.  PageDown / PageUp / arrow keys (and
 * presentation clickers, which send those keys) step through the slides.
 */
(function () {
  "use strict";
  if (!window.COP) return;
  var COP = window.COP;
  var deck = null;
  var current = 0;
  var parts = {};

  function el(tag, cls, text, parent) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (parent) parent.appendChild(node);
    return node;
  }

  function banner(node, slide) {
    node.textContent = slide.banner;
    node.style.background = slide.bannerColour;
    node.style.color = slide.bannerText;
  }

  function legendSymbol(entry) {
    if (entry.kind === "unit" && window.ms) {
      try {
        return new ms.Symbol(entry.key, { size: 18 }).asCanvas(window.devicePixelRatio || 1);
      } catch (e) {
        /* fall through to a swatch */
      }
    }
    var swatch = el("span", "cop-brief-swatch");
    swatch.style.background = entry.kind === "zone" ? (COP.styles.zones || {})[entry.key] || "#888" : "#ffb000";
    return swatch;
  }

  function show(index) {
    if (!deck || !deck.slides.length) return;
    current = Math.max(0, Math.min(deck.slides.length - 1, index));
    var slide = deck.slides[current];
    banner(parts.top, slide);
    banner(parts.bottom, slide);
    parts.title.textContent = slide.title;
    parts.when.textContent = slide.when;
    parts.count.textContent = (current + 1) + " / " + deck.slides.length;
    parts.legend.textContent = "";
    el("div", "cop-brief-heading", deck.labels.legend, parts.legend);
    slide.legend.forEach(function (entry) {
      var row = el("div", "cop-brief-legend-row", null, parts.legend);
      var icon = el("span", "cop-brief-icon", null, row);
      icon.appendChild(legendSymbol(entry));
      el("span", "", entry.label + " (" + entry.count + ")", row);
    });
    if (!slide.legend.length) el("div", "", deck.labels.empty, parts.legend);
    parts.tables.textContent = "";
    slide.summary.forEach(function (table) {
      el("div", "cop-brief-heading", table.title, parts.tables);
      var t = el("table", "cop-brief-table", null, parts.tables);
      var head = el("tr", "", null, t);
      table.headers.forEach(function (h) { el("th", "", h, head); });
      table.rows.forEach(function (cells, i) {
        var tr = el("tr", "", null, t);
        cells.forEach(function (c, j) {
          var td = el("td", "", c, tr);
          if (j === 0 && table.colours && table.colours[i]) td.style.borderLeft = "8px solid " + table.colours[i];
        });
      });
    });
    parts.tables.style.display = slide.summary.length ? "" : "none";
    parts.note.textContent = slide.note || "";
    parts.note.style.display = slide.note ? "" : "none";
    COP.receive(slide.messages);
    document.title = slide.title + " — " + slide.banner;
  }

  var CSS = "body.cop-brief .folium-map.cop-brief-map { position: absolute !important; top: 62px !important; bottom: 24px !important; right: 300px !important; left: 0 !important; width: auto !important; height: auto !important; }\n.cop-brief-banner { position: absolute; left: 0; right: 0; height: 24px; line-height: 24px; text-align: center; font-weight: bold; font-size: 14px; letter-spacing: 1px; z-index: 2000; }\n.cop-brief-top { top: 0; }\n.cop-brief-bottom { bottom: 0; }\n.cop-brief-bar { position: absolute; top: 24px; left: 0; right: 0; height: 38px; display: flex; align-items: center; gap: 14px; padding: 0 10px; background: #1d2733; color: #fff; z-index: 2000; box-sizing: border-box; }\n.cop-brief-title { font-size: 20px; font-weight: bold; flex: 1; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }\n.cop-brief-when, .cop-brief-count { font-size: 16px; white-space: nowrap; }\n.cop-brief-nav { font-size: 16px; background: #34475c; color: #fff; border: 1px solid #5b738c; border-radius: 3px; cursor: pointer; }\n.cop-brief-side { position: absolute; top: 62px; bottom: 24px; right: 0; width: 300px; overflow: auto; background: #f7f7f4; border-left: 1px solid #bbb; padding: 8px; box-sizing: border-box; font-size: 13px; }\n.cop-brief-heading { font-weight: bold; margin: 8px 0 4px; }\n.cop-brief-legend-row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }\n.cop-brief-icon { display: inline-flex; width: 34px; justify-content: center; }\n.cop-brief-swatch { display: inline-block; width: 16px; height: 12px; border: 1px solid #333; }\n.cop-brief-table { border-collapse: collapse; width: 100%; }\n.cop-brief-table th, .cop-brief-table td { border: 1px solid #ccc; padding: 2px 5px; text-align: left; }\n.cop-brief-note { margin-top: 10px; font-style: italic; white-space: pre-wrap; }";

  function build(map) {
    var body = document.body;
    el("style", "", CSS, document.head);
    body.classList.add("cop-brief");
    parts.top = el("div", "cop-brief-banner cop-brief-top", null, body);
    var bar = el("div", "cop-brief-bar", null, body);
    parts.prev = el("button", "cop-brief-nav", "\u25C0", bar);
    parts.title = el("span", "cop-brief-title", "", bar);
    parts.when = el("span", "cop-brief-when", "", bar);
    parts.count = el("span", "cop-brief-count", "", bar);
    parts.next = el("button", "cop-brief-nav", "\u25B6", bar);
    parts.prev.title = deck.labels.previous;
    parts.next.title = deck.labels.next;
    parts.bottom = el("div", "cop-brief-banner cop-brief-bottom", null, body);
    var side = el("div", "cop-brief-side", null, body);
    parts.legend = el("div", "cop-brief-legend", null, side);
    parts.tables = el("div", "cop-brief-tables", null, side);
    parts.note = el("div", "cop-brief-note", null, side);
    parts.prev.addEventListener("click", function () { show(current - 1); });
    parts.next.addEventListener("click", function () { show(current + 1); });
    document.addEventListener("keydown", function (ev) {
      var next = ["PageDown", "ArrowRight", "ArrowDown", " "];
      var prev = ["PageUp", "ArrowLeft", "ArrowUp", "Backspace"];
      if (next.indexOf(ev.key) >= 0) show(current + 1);
      else if (prev.indexOf(ev.key) >= 0) show(current - 1);
      else if (ev.key === "Home") show(0);
      else if (ev.key === "End") show(deck.slides.length - 1);
      else return;
      ev.preventDefault();
    });
    var container = map.getContainer();
    container.classList.add("cop-brief-map");
    map.invalidateSize();
  }

  COP.briefing = {
    show: function (i) { show(i); return current; },
    current: function () { return current; },
  };

  var previousInit = COP.init;
  COP.init = function (map, options) {
    previousInit(map, options);
    if (!window.COP_BRIEF) return;
    deck = window.COP_BRIEF;
    if (deck.scale) COP.receive({ op: "scale", factor: deck.scale });
    build(map);
    show(0);
  };
})();
