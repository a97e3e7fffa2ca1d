// Renders the interactive topiclab report from the JSON block #data.
// The page reads without this script: every section is static HTML rendered on the server
// (tables, a map image). The script replaces those sections with their interactive
// versions (canvas map, filters, search, sorting, paging).
// Every string from the data is inserted with textContent or as an attribute value,
// never parsed as HTML.
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var RTL = { ar: 1, fa: 1, he: 1, ur: 1, ps: 1, yi: 1 };
  var LANG_NAMES = { en: "English", ar: "Arabic", zh: "Chinese", all: "All", und: "Unknown" };
  var PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173",
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#843c39"
  ];
  var NOISE_COLOUR = "#9aa0a6";
  var DIM_COLOUR = "#dde1e6";
  var state = { theme: null, query: "" };
  var themeById = {};
  var colourById = {};
  var nodes = { points: [], legend: [], cards: [], rows: [] };

  DATA.themes.forEach(function (t, i) {
    themeById[t.id] = t;
    colourById[t.id] = PALETTE[i % PALETTE.length];
  });

  // ---- helpers --------------------------------------------------------------
  function colour(id) {
    return Object.prototype.hasOwnProperty.call(colourById, id) ? colourById[id] : NOISE_COLOUR;
  }
  function themeName(id) {
    if (id === null || id === undefined) { return "—"; }
    var t = themeById[id];
    return t ? t.label : (id < 0 ? "Unassigned" : "Theme " + id);
  }
  function dirOf(lang) {
    if (RTL[lang]) { return "rtl"; }
    return lang && lang !== "und" && lang !== "all" ? "ltr" : "auto";
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function langText(tag, cls, text, lang) {
    var e = el(tag, cls, text);
    if (lang && lang !== "und" && lang !== "all") { e.setAttribute("lang", lang); }
    e.setAttribute("dir", dirOf(lang));
    return e;
  }
  function swatch(id) { return swatchOf(colour(id)); }
  function swatchOf(c) {
    var s = el("span", "swatch");
    s.style.backgroundColor = c;
    return s;
  }
  function fmt(v, digits) {
    if (v === null || v === undefined) { return "—"; }
    if (typeof v === "number") {
      if (Number.isInteger(v)) { return v.toLocaleString("en"); }
      return v.toFixed(digits === undefined ? 3 : digits);
    }
    return String(v);
  }
  function langName(code) { return LANG_NAMES[code] || code; }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function headerRow(table, cols) {
    var thead = el("thead"), tr = el("tr");
    cols.forEach(function (c) {
      var th = el("th", c.cls || "", c.label);
      th.setAttribute("scope", "col");
      tr.appendChild(th);
      c.node = th;
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    return cols;
  }

  // ---- map ------------------------------------------------------------------
  // The map is drawn on a canvas: every passage with coordinates is drawn (no sampling).
  // Level of detail: up to 3,000 points are discs with a white rim; above that, discs
  // without a rim; above 20,000, small opaque squares written into an image buffer.
  // Points grow with the zoom. Hover and click find the nearest point through a grid index.
  var MAP = { W: 1000, H: 620, PAD: 14, idx: [], sx: [], sy: [], k: 1, tx: 0, ty: 0,
    grid: null, cell: 12, cols: 0, rows: 0, r: 4.5, canvas: null, ctx: null, frame: 0 };

  function renderMap() {
    var canvas = document.getElementById("map-canvas");
    var still = document.getElementById("map-static");
    if (still) { still.parentNode.removeChild(still); }
    canvas.hidden = false;
    var P = DATA.points, W = MAP.W, H = MAP.H, PAD = MAP.PAD, i;
    MAP.canvas = canvas;
    var dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(W * dpr);
    canvas.height = Math.round(H * dpr);
    MAP.ctx = canvas.getContext("2d");
    MAP.dpr = dpr;
    var idx = [];
    for (i = 0; i < P.x.length; i++) {
      if (P.x[i] !== null && P.y[i] !== null) { idx.push(i); }
    }
    canvas.setAttribute("data-points", String(idx.length));
    if (!idx.length) {
      var ctx0 = MAP.ctx;
      ctx0.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx0.fillStyle = "#59636e";
      ctx0.font = "16px sans-serif";
      ctx0.textAlign = "center";
      ctx0.fillText("No map coordinates in this run.", W / 2, H / 2);
      return;
    }
    var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    idx.forEach(function (j) {
      x0 = Math.min(x0, P.x[j]); x1 = Math.max(x1, P.x[j]);
      y0 = Math.min(y0, P.y[j]); y1 = Math.max(y1, P.y[j]);
    });
    var sx = (W - 2 * PAD) / ((x1 - x0) || 1), sy = (H - 2 * PAD) / ((y1 - y0) || 1);
    MAP.r = idx.length > 20000 ? 1.6 : (idx.length > 3000 ? 2.2 : (idx.length > 800 ? 3 : 4.5));
    // unassigned passages underneath, themed ones on top
    idx.sort(function (a, b) { return (P.theme[a] < 0) === (P.theme[b] < 0) ? a - b : (P.theme[a] < 0 ? -1 : 1); });
    MAP.idx = idx;
    // passages grouped by theme once: unassigned first, then themes in order
    var groups = {};
    idx.forEach(function (j) { (groups[P.theme[j]] || (groups[P.theme[j]] = [])).push(j); });
    MAP.order = Object.keys(groups).map(Number).sort(function (a, b) {
      return (a < 0) === (b < 0) ? a - b : (a < 0 ? -1 : 1);
    });
    MAP.groups = {};
    MAP.order.forEach(function (t) { MAP.groups[t] = Int32Array.from(groups[t]); });
    MAP.sx = new Float32Array(P.x.length);
    MAP.sy = new Float32Array(P.x.length);
    idx.forEach(function (j) {
      MAP.sx[j] = PAD + (P.x[j] - x0) * sx;
      MAP.sy[j] = H - PAD - (P.y[j] - y0) * sy;
    });
    // grid index over the unzoomed canvas
    MAP.cols = Math.ceil(W / MAP.cell) + 1;
    MAP.rows = Math.ceil(H / MAP.cell) + 1;
    MAP.grid = new Array(MAP.cols * MAP.rows);
    idx.forEach(function (j) {
      var c = cellOf(MAP.sx[j], MAP.sy[j]);
      (MAP.grid[c] || (MAP.grid[c] = [])).push(j);
    });
    // canvas.topiclabPoint(i): where passage i is drawn, in CSS pixels of the canvas box
    canvas.topiclabPoint = function (j) {
      var box = canvas.getBoundingClientRect(), f = box.width / W;
      return { x: (MAP.sx[j] * MAP.k + MAP.tx) * f, y: (MAP.sy[j] * MAP.k + MAP.ty) * f };
    };
    drawMap();
    bindMap(canvas);
  }

  function cellOf(x, y) {
    var cx = Math.min(MAP.cols - 1, Math.max(0, Math.floor(x / MAP.cell)));
    var cy = Math.min(MAP.rows - 1, Math.max(0, Math.floor(y / MAP.cell)));
    return cy * MAP.cols + cx;
  }

  function requestDraw() {
    if (MAP.frame) { return; }
    MAP.frame = window.requestAnimationFrame(function () { MAP.frame = 0; drawMap(); });
  }

  function drawMap() {
    var ctx = MAP.ctx, sel = state.theme, on = sel !== null;
    if (!ctx || !MAP.idx.length) { return; }
    var k = MAP.k, tx = MAP.tx, ty = MAP.ty;
    var r = MAP.r * Math.min(4, Math.sqrt(k)), n = MAP.idx.length;
    // layers, bottom to top: [indices, colour, alpha]
    var layers = [];
    MAP.order.forEach(function (t) {
      if (!on) { layers.push([MAP.groups[t], colour(t), t < 0 ? 0.45 : 0.9]); }
      else if (t !== sel) { layers.push([MAP.groups[t], DIM_COLOUR, 1]); }
    });
    if (on && MAP.groups[sel]) { layers.push([MAP.groups[sel], colour(sel), 0.9]); }
    var shown = on ? (MAP.groups[sel] ? MAP.groups[sel].length : 0) : n;
    if (n > 20000) {
      drawPixels(layers, r, k, tx, ty);
    } else {
      ctx.setTransform(MAP.dpr, 0, 0, MAP.dpr, 0, 0);
      ctx.clearRect(0, 0, MAP.W, MAP.H);
      var rim = n <= 3000;
      layers.forEach(function (layer) {
        var list = layer[0], x, y, m, j;
        ctx.fillStyle = layer[1];
        ctx.globalAlpha = layer[2];
        ctx.beginPath();
        for (m = 0; m < list.length; m++) {
          j = list[m];
          x = MAP.sx[j] * k + tx; y = MAP.sy[j] * k + ty;
          if (x < -r || y < -r || x > MAP.W + r || y > MAP.H + r) { continue; }
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 2 * Math.PI);
        }
        ctx.fill();
        if (rim) { ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 0.8; ctx.stroke(); }
      });
      ctx.globalAlpha = 1;
    }
    if (MAP.hover !== undefined && MAP.hover !== null) {
      var h = MAP.hover;
      ctx.setTransform(MAP.dpr, 0, 0, MAP.dpr, 0, 0);
      ctx.beginPath();
      ctx.arc(MAP.sx[h] * k + tx, MAP.sy[h] * k + ty, r + 2, 0, 2 * Math.PI);
      ctx.strokeStyle = "#000000"; ctx.lineWidth = 1.5; ctx.stroke();
    }
    MAP.canvas.setAttribute("data-shown", String(shown));
  }

  // Above 20,000 points: write square pixels straight into an image buffer (opaque colours,
  // later layers on top), far faster than one canvas call per point.
  function rgba(hex, alpha) {
    var v = parseInt(hex.slice(1), 16);
    var a = Math.round(255 * alpha);
    return ((a << 24) | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff)) >>> 0;
  }
  function drawPixels(layers, r, k, tx, ty) {
    var c = MAP.canvas, w = c.width, h = c.height, dpr = MAP.dpr;
    if (!MAP.img || MAP.img.width !== w || MAP.img.height !== h) {
      MAP.img = MAP.ctx.createImageData(w, h);
      MAP.buf = new Uint32Array(MAP.img.data.buffer);
    }
    var buf = MAP.buf;
    buf.fill(0);
    var s = Math.max(1, Math.round(2 * r * dpr)), half = s / 2;
    layers.forEach(function (layer) {
      var list = layer[0], col = rgba(layer[1], Math.max(layer[2], 0.75)), m, j, px, py, a, b, row;
      for (m = 0; m < list.length; m++) {
        j = list[m];
        px = Math.round((MAP.sx[j] * k + tx) * dpr - half);
        py = Math.round((MAP.sy[j] * k + ty) * dpr - half);
        if (px < 0 || py < 0 || px + s > w || py + s > h) { continue; }
        for (b = 0; b < s; b++) {
          row = (py + b) * w + px;
          for (a = 0; a < s; a++) { buf[row + a] = col; }
        }
      }
    });
    MAP.ctx.putImageData(MAP.img, 0, 0);
  }

  // nearest drawn point within a few pixels of a canvas position (CSS pixels of the box)
  function pointAt(canvas, clientX, clientY) {
    var box = canvas.getBoundingClientRect(), f = MAP.W / box.width;
    var cx = (clientX - box.left) * f, cy = (clientY - box.top) * f;
    var bx = (cx - MAP.tx) / MAP.k, by = (cy - MAP.ty) / MAP.k;
    var reach = (MAP.r * Math.min(4, Math.sqrt(MAP.k)) + 3) / MAP.k;
    var P = DATA.points, sel = state.theme, best = null, bestD = reach * reach;
    var c0 = Math.floor((bx - reach) / MAP.cell), c1 = Math.floor((bx + reach) / MAP.cell);
    var r0 = Math.floor((by - reach) / MAP.cell), r1 = Math.floor((by + reach) / MAP.cell);
    for (var ry = Math.max(0, r0); ry <= Math.min(MAP.rows - 1, r1); ry++) {
      for (var cxi = Math.max(0, c0); cxi <= Math.min(MAP.cols - 1, c1); cxi++) {
        var list = MAP.grid[ry * MAP.cols + cxi];
        if (!list) { continue; }
        for (var m = 0; m < list.length; m++) {
          var j = list[m];
          if (sel !== null && P.theme[j] !== sel) { continue; }
          var dx = MAP.sx[j] - bx, dy = MAP.sy[j] - by, d2 = dx * dx + dy * dy;
          if (d2 <= bestD) { bestD = d2; best = j; }
        }
      }
    }
    return best;
  }

  function bindMap(canvas) {
    var wrap = document.getElementById("map-wrap");
    var tip = document.getElementById("tooltip");
    var drag = null;
    canvas.addEventListener("mousemove", function (ev) {
      if (drag) {
        var f = MAP.W / canvas.getBoundingClientRect().width;
        MAP.tx = drag.tx + (ev.clientX - drag.x) * f;
        MAP.ty = drag.ty + (ev.clientY - drag.y) * f;
        if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) { drag.moved = true; }
        tip.hidden = true;
        requestDraw();
        return;
      }
      var j = pointAt(canvas, ev.clientX, ev.clientY);
      if (j !== MAP.hover) { MAP.hover = j; requestDraw(); }
      canvas.style.cursor = j === null ? "grab" : "pointer";
      if (j === null) { tip.hidden = true; return; }
      showTip(tip, wrap, j, ev);
    });
    canvas.addEventListener("mouseleave", function () {
      tip.hidden = true; drag = null; MAP.hover = null; requestDraw();
    });
    canvas.addEventListener("mousedown", function (ev) {
      drag = { x: ev.clientX, y: ev.clientY, tx: MAP.tx, ty: MAP.ty, moved: false };
    });
    canvas.addEventListener("mouseup", function (ev) {
      var moved = drag && drag.moved;
      drag = null;
      if (moved) { return; }
      var j = pointAt(canvas, ev.clientX, ev.clientY);
      if (j !== null) { toggleTheme(DATA.points.theme[j]); }
    });
    canvas.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var box = canvas.getBoundingClientRect(), f = MAP.W / box.width;
      var cx = (ev.clientX - box.left) * f, cy = (ev.clientY - box.top) * f;
      var k = Math.min(64, Math.max(1, MAP.k * Math.exp(-ev.deltaY * 0.0015)));
      MAP.tx = cx - (cx - MAP.tx) * (k / MAP.k);
      MAP.ty = cy - (cy - MAP.ty) * (k / MAP.k);
      MAP.k = k;
      if (k === 1) { MAP.tx = 0; MAP.ty = 0; }
      tip.hidden = true;
      requestDraw();
    }, { passive: false });
    canvas.addEventListener("dblclick", function () {
      MAP.k = 1; MAP.tx = 0; MAP.ty = 0; requestDraw();
    });
  }

  function showTip(tip, wrap, j, ev) {
    var P = DATA.points;
    clear(tip);
    var head = el("div", "tt-head");
    head.appendChild(swatch(P.theme[j]));
    head.appendChild(el("span", "", themeName(P.theme[j])));
    head.appendChild(el("span", "count", "· " + langName(P.lang[j])));
    tip.appendChild(head);
    tip.appendChild(langText("div", "tt-text", P.text[j], P.lang[j]));
    tip.hidden = false;
    var box = wrap.getBoundingClientRect();
    var x = ev.clientX - box.left + 14, y = ev.clientY - box.top + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > box.width) { x = Math.max(4, ev.clientX - box.left - w - 14); }
    if (y + h > box.height) { y = Math.max(4, ev.clientY - box.top - h - 14); }
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  }

  function renderLegend() {
    var legend = document.getElementById("legend");
    clear(legend);
    var entries = DATA.themes.map(function (t) { return [t.id, t.label, t.size]; });
    var noise = DATA.points.theme.filter(function (v) { return v < 0; }).length;
    if (noise) { entries.push([-1, "Unassigned", noise]); }
    entries.forEach(function (e) {
      var b = el("button", "legend-item");
      b.type = "button";
      b.setAttribute("data-theme", e[0]);
      b.setAttribute("aria-pressed", "false");
      b.appendChild(swatch(e[0]));
      if (e[0] >= 0) { b.appendChild(el("span", "tid", "#" + e[0])); }
      b.appendChild(langText("span", "", e[1], "all"));
      b.appendChild(el("span", "n", fmt(e[2])));
      b.addEventListener("click", function () { toggleTheme(e[0]); });
      legend.appendChild(b);
      nodes.legend.push(b);
    });
  }

  // ---- theme cards ----------------------------------------------------------
  function termRow(lang, terms, k) {
    var row = el("div", "row");
    if (lang !== "all") { row.setAttribute("lang", lang); }
    row.setAttribute("dir", dirOf(lang));
    row.setAttribute("data-lang", lang);
    row.appendChild(el("span", "lang-tag", lang === "all" ? "all" : lang));
    terms.slice(0, k).forEach(function (tw) {
      var phrase = tw[0].indexOf("_") >= 0;
      var chip = el("span", phrase ? "chip phrase" : "chip", tw[0].replace(/_/g, " "));
      chip.title = "weight " + fmt(tw[1], 4);
      row.appendChild(chip);
    });
    return row;
  }

  // One card: label, size, languages, coherence, terms per language, representative passages.
  function buildCard(t, col, id) {
    var card = el("article", "card");
    card.setAttribute("data-theme", t.id);
    card.id = id;
    card.style.borderTopColor = col;
    var h = el("h3");
    h.appendChild(swatchOf(col));
    h.appendChild(el("span", "tid", "#" + t.id));
    var lbl = langText("span", "lbl", t.label, "all");
    h.appendChild(lbl);
    card.appendChild(h);
    var facts = [fmt(t.size) + " passages"];
    if (t.section) { facts.unshift(t.section); }
    if (t.languages.length) {
      facts.push(t.languages.map(function (kv) { return kv[0] + " " + kv[1]; }).join(", "));
    }
    var coh = [];
    if (t.coherence.npmi !== undefined) { coh.push("NPMI " + fmt(t.coherence.npmi)); }
    if (t.coherence.c_v !== undefined) { coh.push("C_v " + fmt(t.coherence.c_v)); }
    var f = el("div", "facts", facts.join(" · "));
    if (coh.length) { f.appendChild(el("span", "coh", " · " + coh.join(" · "))); }
    card.appendChild(f);
    var terms = el("div", "terms");
    var perLang = t.terms.filter(function (lt) { return lt[0] !== "all"; });
    (perLang.length ? perLang : t.terms).forEach(function (lt) {
      terms.appendChild(termRow(lt[0], lt[1], 10));
    });
    card.appendChild(terms);
    if (t.representative.length) {
      var ul = el("ul", "reps");
      t.representative.forEach(function (r) {
        var li = el("li");
        li.setAttribute("lang", r.lang);
        li.setAttribute("dir", dirOf(r.lang));
        var short = r.text.length > 280 ? r.text.slice(0, 279) + "…" : r.text;
        li.appendChild(el("span", "", short));
        if (short !== r.text) {
          var d = el("details");
          d.appendChild(el("summary", "", "full passage"));
          d.appendChild(el("div", "", r.text));
          li.appendChild(d);
        }
        var src = el("span", "src", (r.cite || r.doc_id) + " · " + langName(r.lang));
        if (r.cite) { src.title = r.doc_id; }
        src.setAttribute("dir", "ltr");
        li.appendChild(src);
        ul.appendChild(li);
      });
      card.appendChild(ul);
    }
    return { card: card, label: lbl };
  }

  function renderCards() {
    var box = document.getElementById("cards");
    clear(box);
    if (!DATA.themes.length) { box.appendChild(el("p", "empty", "No themes in this run.")); }
    DATA.themes.forEach(function (t) {
      var built = buildCard(t, colour(t.id), "theme-" + t.id);
      built.label.title = "Show only this theme";
      built.label.classList.add("filter");
      built.label.addEventListener("click", function () { toggleTheme(t.id); });
      box.appendChild(built.card);
      nodes.cards.push(built.card);
    });
  }

  // ---- the other views (LDA topics, ...): one section each -----------------------
  var VIEW_SCORES = [
    ["npmi", "NPMI"], ["c_v", "C_v"], ["diversity", "diversity"],
    ["silhouette", "silhouette"], ["outlier_share", "outliers"]
  ];

  function renderViews() {
    var box = document.getElementById("view-sections");
    clear(box);
    var next = document.querySelector('.toc a[href="#documents"]');
    DATA.views.forEach(function (v) {
      if (v.main) { return; }
      var sec = el("section", "view");
      sec.id = v.anchor;
      sec.setAttribute("data-view", v.name);
      sec.setAttribute("aria-labelledby", v.anchor + "-h");
      var h = el("h2", "", v.title);
      h.id = v.anchor + "-h";
      sec.appendChild(h);
      var metrics = {};
      v.metrics.forEach(function (kv) { metrics[kv[0]] = kv[1]; });
      var facts = [fmt(v.n_themes) + (v.n_themes === 1 ? " theme" : " themes")];
      VIEW_SCORES.forEach(function (ks) {
        if (typeof metrics[ks[0]] === "number") { facts.push(ks[1] + " " + fmt(metrics[ks[0]])); }
      });
      sec.appendChild(el("p", "hint", facts.join(" · ")));
      if (v.metrics.length) {
        var d = el("details", "view-metrics");
        d.appendChild(el("summary", "", "Every metric of this view"));
        var dl = el("dl", "kv");
        fillKV(dl, v.metrics);
        d.appendChild(dl);
        sec.appendChild(d);
      }
      var cards = el("div", "cards");
      if (!v.themes.length) { cards.appendChild(el("p", "empty", "No themes in this view.")); }
      v.themes.forEach(function (t, i) {
        var built = buildCard(t, PALETTE[i % PALETTE.length], v.anchor + "-theme-" + t.id);
        built.card.classList.add("view-card");
        cards.appendChild(built.card);
      });
      sec.appendChild(cards);
      box.appendChild(sec);
      if (next && !document.querySelector('.toc a[href="#' + v.anchor + '"]')) {
        var a = el("a", "", v.title);
        a.setAttribute("href", "#" + v.anchor);
        next.parentNode.insertBefore(a, next);
      }
    });
  }

  // ---- theme search: precomputed term matches ------------------------------------
  function renderThemeSearch() {
    var input = document.getElementById("theme-search");
    var list = document.getElementById("theme-search-results");
    document.getElementById("theme-search-box").hidden = false;
    var index = DATA.term_index || {};
    var keys = Object.keys(index);
    input.addEventListener("input", function () {
      clear(list);
      var words = input.value.toLowerCase().split(/[\s,;]+/).filter(function (w) { return w.length > 1; });
      if (!words.length) { return; }
      var score = {}, why = {};
      words.forEach(function (w) {
        keys.forEach(function (k) {
          var exact = k === w, part = !exact && (k.indexOf(w) === 0 || (" " + k).indexOf(" " + w) >= 0);
          if (!exact && !part) { return; }
          index[k].forEach(function (tw) {
            var s = tw[1] * (exact ? 1 : 0.5);
            score[tw[0]] = (score[tw[0]] || 0) + s;
            (why[tw[0]] = why[tw[0]] || []).push(k);
          });
        });
      });
      var ids = Object.keys(score).sort(function (a, b) { return score[b] - score[a]; }).slice(0, 5);
      if (!ids.length) { list.appendChild(el("li", "empty", "No theme has these words among its terms.")); return; }
      ids.forEach(function (id) {
        var li = el("li");
        var b = el("button", "linklike", themeName(+id));
        b.type = "button";
        b.addEventListener("click", function () { toggleTheme(+id); });
        li.appendChild(swatch(+id));
        li.appendChild(b);
        var uniq = why[id].filter(function (k, i, arr) { return arr.indexOf(k) === i; }).slice(0, 6);
        li.appendChild(el("span", "muted", " score " + fmt(score[id], 2) + " · " + uniq.join(", ")));
        list.appendChild(li);
      });
    });
  }

  // ---- derived tables: over time, by class, theme tree ------------------------------
  function renderAnalyses() {
    var box = document.getElementById("analysis-sections");
    clear(box);
    var next = document.querySelector('.toc a[href="#documents"]');
    (DATA.analyses || []).forEach(function (a) {
      var sec = el("section", "analysis");
      sec.id = a.anchor;
      sec.setAttribute("aria-labelledby", a.anchor + "-h");
      var h = el("h2", "", a.title);
      h.id = a.anchor + "-h";
      sec.appendChild(h);
      if (a.hint) { sec.appendChild(el("p", "hint", a.hint)); }
      if (a.facts && a.facts.length) {
        var d = el("details", "view-metrics");
        d.appendChild(el("summary", "", "About this table"));
        var dl = el("dl", "kv");
        fillKV(dl, a.facts);
        d.appendChild(dl);
        sec.appendChild(d);
      }
      var wrap = el("div", "scroll");
      var table = el("table", "compact heat");
      if (a.kind === "heat") {
        headerRow(table, [{ label: "theme" }].concat(a.groups.map(function (g, j) {
          return { label: g + " (" + a.group_sizes[j] + ")" };
        })));
        var max = 0;
        a.share.forEach(function (row) { row.forEach(function (v) { if (v > max) { max = v; } }); });
        var tbody = el("tbody");
        a.themes.forEach(function (t, i) {
          var tr = el("tr");
          var th = el("th", "", t[0] + " " + t[1]);
          th.setAttribute("scope", "row");
          tr.appendChild(th);
          a.share[i].forEach(function (v, j) {
            var td = el("td", "num", (100 * v).toFixed(1) + "%");
            var alpha = max > 0 ? Math.min(1, v / max) : 0;
            td.style.backgroundColor = "rgba(49,130,189," + (0.85 * alpha).toFixed(3) + ")";
            if (alpha > 0.55) { td.style.color = "#fff"; }
            if (a.terms[i][j]) { td.title = a.terms[i][j]; }
            tr.appendChild(td);
          });
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
      } else {
        headerRow(table, a.columns.map(function (c) { return { label: c }; }));
        var body = el("tbody");
        if (!a.rows.length) {
          var tr0 = el("tr"), td0 = el("td", "empty", "Nothing to show.");
          td0.colSpan = Math.max(1, a.columns.length);
          tr0.appendChild(td0);
          body.appendChild(tr0);
        }
        a.rows.forEach(function (r) {
          var tr = el("tr");
          r.forEach(function (v) { tr.appendChild(el("td", typeof v === "number" ? "num" : "", fmt(v))); });
          body.appendChild(tr);
        });
        table.appendChild(body);
      }
      wrap.appendChild(table);
      sec.appendChild(wrap);
      box.appendChild(sec);
      if (next && !document.querySelector('.toc a[href="#' + a.anchor + '"]')) {
        var link = el("a", "", a.title);
        link.setAttribute("href", "#" + a.anchor);
        next.parentNode.insertBefore(link, next);
      }
    });
  }

  // ---- documents ----------------------------------------------------------------
  // The table shows one page of DOC_PAGE rows; rows are built when first shown.
  var DOC_PAGE = 100;
  var docs = { order: [], matched: [], page: 0, rows: {}, hay: {}, tbody: null };

  function docRow(i) {
    if (docs.rows[i]) { return docs.rows[i]; }
    var d = DATA.documents[i];
    var tr = el("tr");
    tr.setAttribute("data-theme", d.dominant === null ? "" : d.dominant);
    tr.setAttribute("data-doc", d.id);
    var title = langText("td", "title", d.title, d.lang);
    title.title = d.id;
    tr.appendChild(title);
    tr.appendChild(el("td", "", d.lang));
    tr.appendChild(el("td", "nowrap", d.date));
    tr.appendChild(langText("td", "", d.source, "und"));
    var th = el("td", "theme");
    if (d.dominant !== null) {
      th.appendChild(swatch(d.dominant));
      th.appendChild(langText("span", "", themeName(d.dominant), "all"));
      th.title = "Show only this theme";
      th.addEventListener("click", function () { toggleTheme(d.dominant); });
    } else {
      th.textContent = "—";
    }
    tr.appendChild(th);
    var mixCell = el("td"), bar = el("div", "mix"), tip = [];
    d.mix.forEach(function (tw) {
      var seg = el("span");
      seg.style.width = (100 * tw[1]).toFixed(2) + "%";
      seg.style.backgroundColor = colour(tw[0]);
      bar.appendChild(seg);
      tip.push(themeName(tw[0]) + ": " + Math.round(100 * tw[1]) + "%");
    });
    bar.title = tip.join("\n");
    bar.setAttribute("role", "img");
    bar.setAttribute("aria-label", tip.join(", "));
    mixCell.appendChild(bar);
    tr.appendChild(mixCell);
    tr.appendChild(el("td", "num", fmt(d.n_passages)));
    docs.rows[i] = tr;
    return tr;
  }

  function haystack(i) {
    if (docs.hay[i] === undefined) {
      var d = DATA.documents[i];
      var labels = d.mix.filter(function (tw) { return tw[1] >= 0.1; })
        .map(function (tw) { return themeName(tw[0]) + " theme " + tw[0]; });
      docs.hay[i] = [d.title, d.text, d.dominant_label, d.source, d.lang, d.id]
        .concat(labels).join("\n").toLowerCase();
    }
    return docs.hay[i];
  }

  function renderDocs() {
    var table = document.getElementById("doc-table");
    clear(table);
    document.getElementById("doc-tools").hidden = false;
    var cols = headerRow(table, [
      { label: "Title", key: "title", cls: "sortable" },
      { label: "Lang", key: "lang", cls: "sortable" },
      { label: "Date", key: "date", cls: "sortable" },
      { label: "Source", key: "source", cls: "sortable" },
      { label: "Dominant theme", key: "dominant_label", cls: "sortable" },
      { label: "Theme mix" },
      { label: "Passages", key: "n_passages", cls: "sortable num" }
    ]);
    docs.tbody = el("tbody");
    table.appendChild(docs.tbody);
    docs.order = DATA.documents.map(function (d, i) { return i; });

    var sortKey = null, sortDir = 1;
    cols.forEach(function (c) {
      if (!c.key) { return; }
      c.node.addEventListener("click", function () {
        sortDir = sortKey === c.key ? -sortDir : 1;
        sortKey = c.key;
        docs.order.sort(function (a, b) {
          var x = DATA.documents[a][c.key], y = DATA.documents[b][c.key];
          if (typeof x === "number" && typeof y === "number") { return sortDir * (x - y) || a - b; }
          return sortDir * String(x).localeCompare(String(y)) || a - b;
        });
        filterDocs(false);
      });
    });
    var search = document.getElementById("doc-search");
    search.addEventListener("input", function () {
      state.query = search.value.trim().toLowerCase();
      applyFilter();
    });
    document.getElementById("doc-prev").addEventListener("click", function () {
      if (docs.page > 0) { docs.page--; showDocPage(); }
    });
    document.getElementById("doc-next").addEventListener("click", function () {
      if ((docs.page + 1) * DOC_PAGE < docs.matched.length) { docs.page++; showDocPage(); }
    });
  }

  function filterDocs(resetPage) {
    var sel = state.theme, q = state.query, on = sel !== null;
    docs.matched = docs.order.filter(function (i) {
      var d = DATA.documents[i];
      return (!on || (d.dominant !== null && d.dominant === sel)) && (!q || haystack(i).indexOf(q) >= 0);
    });
    if (resetPage) { docs.page = 0; }
    var pages = Math.max(1, Math.ceil(docs.matched.length / DOC_PAGE));
    docs.page = Math.min(docs.page, pages - 1);
    document.getElementById("doc-count").textContent =
      fmt(docs.matched.length) + " of " + fmt(DATA.documents.length) + " documents";
    showDocPage();
  }

  function showDocPage() {
    clear(docs.tbody);
    var start = docs.page * DOC_PAGE, frag = document.createDocumentFragment();
    docs.matched.slice(start, start + DOC_PAGE).forEach(function (i) { frag.appendChild(docRow(i)); });
    docs.tbody.appendChild(frag);
    var pages = Math.max(1, Math.ceil(docs.matched.length / DOC_PAGE));
    var pager = document.getElementById("doc-pager");
    pager.hidden = pages < 2;
    document.getElementById("doc-page").textContent = "page " + fmt(docs.page + 1) + " of " + fmt(pages);
    document.getElementById("doc-prev").disabled = docs.page === 0;
    document.getElementById("doc-next").disabled = docs.page >= pages - 1;
  }

  // ---- cleaning -----------------------------------------------------------------
  function renderCleaning() {
    var C = DATA.cleaning;
    document.getElementById("cleaning-summary").textContent = C.n_records
      ? fmt(C.n_records) + " cleaning records over " + fmt(C.n_files) + " files."
      : "No cleaning records in this run.";
    var counts = document.getElementById("cleaning-counts");
    var details = document.getElementById("cleaning-details");
    clear(counts);
    clear(document.getElementById("cleaning-records"));
    if (!C.n_records) { details.hidden = true; return; }
    headerRow(counts, [{ label: "Step" }, { label: "Action" }, { label: "Records", cls: "num" }]);
    var tb = el("tbody");
    C.counts.forEach(function (c) {
      var tr = el("tr");
      tr.appendChild(el("td", "", c[0]));
      tr.appendChild(el("td", "", c[1]));
      tr.appendChild(el("td", "num", fmt(c[2])));
      tb.appendChild(tr);
    });
    counts.appendChild(tb);
    var shown = C.records.length;
    document.getElementById("cleaning-records-summary").textContent =
      "Every cleaning record (" + fmt(shown) + (shown < C.n_records ? " of " + fmt(C.n_records) : "") + ")";
    var rec = document.getElementById("cleaning-records");
    headerRow(rec, [{ label: "File" }, { label: "Step" }, { label: "Action" }, { label: "Change" }, { label: "Reason" }]);
    var rb = el("tbody");
    C.records.forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("td", "", r.file));
      tr.appendChild(el("td", "", r.step));
      tr.appendChild(el("td", "", r.action));
      tr.appendChild(langText("td", "", r.change, "und"));
      tr.appendChild(langText("td", "", r.reason, "und"));
      rb.appendChild(tr);
    });
    rec.appendChild(rb);
  }

  function renderKV(id, pairs) { fillKV(document.getElementById(id), pairs); }
  function fillKV(dl, pairs) {
    clear(dl);
    if (!pairs.length) { dl.appendChild(el("dd", "empty", "none")); return; }
    pairs.forEach(function (kv) {
      dl.appendChild(el("dt", "", kv[0]));
      var v = kv[1];
      var text = typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : (v === null ? "—" : String(v));
      dl.appendChild(langText("dd", "", text, "und"));
    });
  }

  // ---- filtering ----------------------------------------------------------------
  function toggleTheme(id) {
    state.theme = state.theme === id ? null : id;
    applyFilter();
  }

  function applyFilter() {
    var sel = state.theme, on = sel !== null;
    drawMap();
    document.getElementById("legend").classList.toggle("filtered", on);
    nodes.legend.forEach(function (b) {
      var active = on && +b.getAttribute("data-theme") === sel;
      b.classList.toggle("active", active);
      b.setAttribute("aria-pressed", active ? "true" : "false");
    });
    nodes.cards.forEach(function (c) {
      c.hidden = on && +c.getAttribute("data-theme") !== sel;
    });
    filterDocs(true);
    var bar = document.getElementById("filter-bar");
    bar.hidden = !on;
    document.getElementById("filter-text").textContent =
      on ? "Showing theme #" + sel + ": " + themeName(sel) : "";
  }

  document.getElementById("filter-clear").addEventListener("click", function () {
    state.theme = null;
    applyFilter();
  });

  renderMap();
  renderLegend();
  renderCards();
  renderViews();
  renderThemeSearch();
  renderAnalyses();
  renderDocs();
  renderCleaning();
  renderKV("metrics", DATA.metrics);
  renderKV("meta", DATA.meta);
  applyFilter();
})();
