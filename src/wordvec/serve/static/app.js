"use strict";
// wordvec explorer: plain JavaScript, no libraries. The view lives in the URL:
//   /?word=king[&map=pca]     neighbours of a word (every model side by side) and its map
//   /?a=man&b=king&c=woman[&method=3cosmul]   an analogy
//   /?words=paris,berlin,tokyo[&map=pca]      a map of a typed list

const $ = (id) => document.getElementById(id);
const SVGNS = "http://www.w3.org/2000/svg";
let INFO = null;

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

class ApiError extends Error {
  constructor(body) { super(body.error || "request failed"); this.body = body; }
}

async function api(path, params) {
  const qs = new URLSearchParams(params).toString();
  const resp = await fetch("/api/" + path + (qs ? "?" + qs : ""));
  let body;
  try { body = await resp.json(); } catch (e) { body = { error: "the server sent no JSON (" + resp.status + ")" }; }
  if (!resp.ok) throw new ApiError(body);
  return body;
}

// ------------------------------------------------------------------ navigation
function go(params) {
  const qs = new URLSearchParams(params).toString();
  history.pushState(null, "", "/" + (qs ? "?" + qs : ""));
  render();
}
window.addEventListener("popstate", render);

function state() { return Object.fromEntries(new URLSearchParams(location.search)); }

function showMessage(err) {
  const box = $("message");
  box.textContent = "";
  if (!err) { box.hidden = true; return; }
  box.hidden = false;
  box.append(err.message || String(err));
  const sugg = (err.body && err.body.suggestions) || [];
  if (sugg.length) {
    box.append(" ");
    for (const w of sugg) box.append(wordLink(w, "suggestion"), " ");
  }
}

function wordLink(word, cls) {
  return el("a", { href: "/?" + new URLSearchParams({ word }), class: cls || "word",
    text: word, onclick: (ev) => { ev.preventDefault(); go({ word }); } });
}

// ------------------------------------------------------------------ completion
let compTimer = null, compItems = [], compActive = -1, compSeq = 0;
function setupCompletion() {
  const q = $("q"), list = $("completions");
  q.addEventListener("input", () => {
    clearTimeout(compTimer);
    const seq = ++compSeq;
    compTimer = setTimeout(async () => {
      const prefix = q.value.trim();
      if (!prefix) { hideCompletions(); return; }
      try {
        const r = await api("complete", { prefix, limit: 8 });
        if (seq !== compSeq || q.value.trim() !== prefix) return;  // typed on, or submitted
        compItems = r.words; compActive = -1;
        list.textContent = "";
        r.words.forEach((w, i) => list.append(el("li", { role: "option", id: "comp-" + i, text: w,
          onmousedown: (ev) => { ev.preventDefault(); q.value = w; hideCompletions(); go({ word: w }); } })));
        list.hidden = r.words.length === 0;
      } catch (e) { hideCompletions(); }
    }, 120);
  });
  q.addEventListener("keydown", (ev) => {
    if (list.hidden || !compItems.length) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      compActive = (compActive + (ev.key === "ArrowDown" ? 1 : compItems.length - 1)) % compItems.length;
      [...list.children].forEach((li, i) => li.classList.toggle("active", i === compActive));
      q.value = compItems[compActive];
    } else if (ev.key === "Escape") hideCompletions();
  });
  q.addEventListener("blur", () => setTimeout(hideCompletions, 100));
  $("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    hideCompletions();
    const w = q.value.trim();
    if (w) go({ word: w, map: $("map-method").value || "pca" });
  });
}
function hideCompletions() {
  clearTimeout(compTimer);
  compSeq++;
  $("completions").hidden = true; compItems = []; compActive = -1;
}

// ------------------------------------------------------------------ neighbours
function neighbourList(items, shared, title, note) {
  const col = el("div", { class: "column" });
  col.append(el("h3", { text: title }));
  if (note) col.append(el("p", { class: "muted", text: note }));
  const ol = el("ol", { class: "neighbors" });
  for (const n of items) {
    const isShared = shared.has(n.word);
    const bar = el("span", { class: "bar" });
    bar.style.width = (Math.max(0, Math.min(1, n.score)) * 100).toFixed(1) + "%";
    ol.append(el("li", { class: "neighbor" + (isShared ? " shared" : ""),
      title: isShared ? "in every model's list" : "" },
    el("span", { class: "mark", text: isShared ? "◆" : "" }), wordLink(n.word),
    el("span", { class: "barbox" }, bar), el("span", { class: "score", text: n.score.toFixed(3) })));
  }
  col.append(ol);
  return col;
}

async function showWord(st) {
  const word = st.word;
  $("q").value = word;
  const topn = st.topn || 15;
  $("results-title").textContent = "Nearest neighbours of “" + word + "”";
  const cols = $("columns");
  let data;
  if (INFO.models.length > 1) {
    data = await api("compare", { word, topn });
  } else {
    const r = await api("neighbors", { word, topn });
    data = { word: r.word, shared: [], models: [{ model: 0, name: INFO.models[0].name, neighbors: r.neighbors }] };
  }
  $("results-title").textContent = "Nearest neighbours of “" + data.word + "”";
  const shared = new Set(data.shared);
  cols.textContent = "";
  cols.classList.toggle("side-by-side", data.models.length > 1);
  $("main").classList.toggle("compare", data.models.length > 1);
  for (const m of data.models) cols.append(neighbourList(m.neighbors, shared, m.name, m.error));
  const legend = $("legend");
  legend.hidden = data.models.length < 2;
  legend.textContent = "◆ in every model's top " + topn + " (" + data.shared.length + " shared)";
  const which = data.models.length > 1 ? " in " + data.models[0].name : "";
  await drawMap({ word: data.word, neighbors: 20 }, st.map, "“" + data.word + "” and its 20 nearest neighbours" + which);
}

// ------------------------------------------------------------------ analogy
async function showAnalogy(st) {
  const method = st.method === "3cosmul" ? "3cosmul" : "3cosadd";
  $("an-a").value = st.a || ""; $("an-b").value = st.b || ""; $("an-c").value = st.c || "";
  $("an-method").value = method;
  $("analogy-panel").hidden = false;
  $("results-title").textContent = st.a + " is to " + st.b + " as " + st.c + " is to ?";
  const cols = $("columns");
  cols.textContent = "";
  cols.classList.toggle("side-by-side", INFO.models.length > 1);
  $("main").classList.toggle("compare", INFO.models.length > 1);
  let first = null;
  for (const m of INFO.models) {
    try {
      const r = await api("analogy", { a: st.a, b: st.b, c: st.c, method, topn: 10, model: m.model });
      first = first || r;
      cols.append(neighbourList(r.answers, new Set(), m.name + " · " + (method === "3cosmul" ? "3CosMul" : "3CosAdd")));
      cols.lastChild.classList.add("answers");
    } catch (e) {
      if (INFO.models.length === 1) throw e;
      cols.append(neighbourList([], new Set(), m.name, e.message));
    }
  }
  $("legend").hidden = true;
  if (first) {
    const words = [first.a, first.b, first.c, ...first.answers.slice(0, 5).map((x) => x.word)];
    await drawMap({ words: [...new Set(words)].join(",") }, st.map, "Map of the analogy and its best answers");
  }
}

// ------------------------------------------------------------------ map
async function showList(st) {
  $("list-words").value = st.words;
  $("list-panel").hidden = false;
  $("results-title").textContent = "";
  $("columns").textContent = "";
  $("legend").hidden = true;
  await drawMap({ words: st.words }, st.map, "Map of " + st.words.split(",").filter((w) => w.trim()).length + " words");
}

async function drawMap(query, method, title) {
  method = method || "pca";
  const sel = $("map-method");
  if ([...sel.options].some((o) => o.value === method)) sel.value = method;
  const r = await api("map", { ...query, method });
  $("map-section").hidden = false;
  $("map-title").textContent = title + " · " + r.method.toUpperCase();
  const W = 720, H = 520, PAD = 30;
  const box = $("map");
  box.textContent = "";
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title, id: "map-svg" });
  box.append(root);
  const sx = (x) => PAD + (x + 1) / 2 * (W - 2 * PAD);
  const sy = (y) => H - PAD - (y + 1) / 2 * (H - 2 * PAD);
  const placed = [];
  const groups = [];
  // points first (all of them), then labels on top, placed greedily where they overlap least
  for (const p of r.points) {
    const g = svg("g", { class: "pt " + p.role, tabindex: "0" });
    const cx = sx(p.x), cy = sy(p.y);
    const c = svg("circle", { cx, cy, r: p.role === "center" ? 7 : 5 });
    const t = svg("title", {});
    t.textContent = p.word + (p.score !== null && p.role === "neighbor" ? "  (cosine " + p.score.toFixed(3) + ")" : "");
    g.append(c, t);
    root.append(g);
    placed.push({ x0: cx - 6, y0: cy - 6, x1: cx + 6, y1: cy + 6 });
    groups.push({ g, p, cx, cy });
  }
  for (const { g, p, cx, cy } of groups) {
    const label = svg("text", { x: cx + 8, y: cy + 4 });
    label.textContent = p.word;
    g.append(label);
    const bb = label.getBBox();
    const w = bb.width, h = bb.height;
    const cands = [[9, 4], [-9 - w, 4], [-w / 2, -10], [-w / 2, h + 6], [9, -8], [9, h], [-9 - w, -8], [-9 - w, h]];
    let best = null, bestCost = Infinity;
    for (const [dx, dy] of cands) {
      const b = { x0: cx + dx, y0: cy + dy - h + 3, x1: cx + dx + w, y1: cy + dy + 3 };
      let cost = 0;
      if (b.x0 < 0 || b.x1 > W || b.y0 < 0 || b.y1 > H) cost += 1e6;
      for (const o of placed) {
        const ox = Math.min(b.x1, o.x1) - Math.max(b.x0, o.x0), oy = Math.min(b.y1, o.y1) - Math.max(b.y0, o.y0);
        if (ox > 0 && oy > 0) cost += ox * oy;
      }
      if (cost < bestCost) { bestCost = cost; best = [dx, dy, b]; if (cost === 0) break; }
    }
    label.setAttribute("x", cx + best[0]);
    label.setAttribute("y", cy + best[1]);
    if (bestCost > 0 && bestCost < 1e6) label.classList.add("crowded");
    placed.push(best[2]);
    const hover = () => { $("hover").textContent = g.querySelector("title").textContent; g.classList.add("hot"); root.append(g); };
    g.addEventListener("mouseenter", hover);
    g.addEventListener("focus", hover);
    g.addEventListener("mouseleave", () => g.classList.remove("hot"));
    g.addEventListener("click", () => go({ word: p.word, map: r.method }));
  }
}

// ------------------------------------------------------------------ evaluation
async function loadEvaluation() {
  const r = await api("evaluation");
  $("eval-restrict").textContent = r.restrict_vocab.toLocaleString("en");
  const body = $("eval-body");
  body.textContent = "";
  for (const m of r.models) {
    body.append(el("h3", { text: m.name }));
    const t = el("table", { class: "eval" });
    t.append(el("tr", {}, el("th", { text: "file" }), el("th", { text: "score" }), el("th", { text: "details" })));
    for (const x of m.results) {
      const score = x.kind === "analogies" ? (100 * x.accuracy).toFixed(1) + "% correct"
        : "Spearman " + x.spearman.toFixed(3) + ", Pearson " + x.pearson.toFixed(3);
      const det = x.kind === "analogies"
        ? `semantic ${(100 * x.semantic.accuracy).toFixed(1)}%, syntactic ${(100 * x.syntactic.accuracy).toFixed(1)}%, ${x.total.total} answered, ${x.oov} skipped (unknown words)`
        : `${x.used} pairs used, ${x.oov} with unknown words`;
      t.append(el("tr", {}, el("td", { text: x.file }), el("td", { text: score }), el("td", { text: det })));
    }
    body.append(t, el("pre", { class: "eval-text", text: m.text }));
  }
}

// ------------------------------------------------------------------ main
async function render() {
  const st = state();
  showMessage(null);
  $("analogy-panel").hidden = !("a" in st) && $("analogy-panel").dataset.open !== "1";
  $("list-panel").hidden = !("words" in st) && $("list-panel").dataset.open !== "1";
  try {
    if (st.word) await showWord(st);
    else if (st.a && st.b && st.c) await showAnalogy(st);
    else if (st.words) await showList(st);
    else {
      $("columns").textContent = "";
      $("map-section").hidden = true;
      $("results-title").textContent = "Type a word to see its nearest neighbours";
    }
  } catch (e) {
    showMessage(e);
    if (!(e instanceof ApiError)) console.error(e);
  }
}

function toggle(panelId) {
  const p = $(panelId);
  p.hidden = !p.hidden;
  p.dataset.open = p.hidden ? "0" : "1";
  if (!p.hidden) { const inp = p.querySelector("input"); if (inp) inp.focus(); }
}

async function start() {
  INFO = await api("info");
  $("models-info").textContent = INFO.models.map((m) =>
    `${m.name}: ${m.words.toLocaleString("en")} words × ${m.dimensions}` + (m.index.approximate ? ` (${m.index.kind} index, recall@10 ≈ ${m.index.recall_at_10})` : "")).join(" · ");
  const sel = $("map-method");
  for (const m of INFO.map_methods) sel.append(el("option", { value: m, text: m.toUpperCase() }));
  sel.addEventListener("change", () => { const st = state(); if (st.word || st.words || st.a) go({ ...st, map: sel.value }); });
  $("tab-analogy").addEventListener("click", () => toggle("analogy-panel"));
  $("tab-list").addEventListener("click", () => toggle("list-panel"));
  if (INFO.evaluation) {
    $("tab-eval").hidden = false;
    $("tab-eval").addEventListener("click", () => toggle("eval-panel"));
    loadEvaluation().catch(showMessage);
  }
  $("analogy-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    go({ a: $("an-a").value.trim(), b: $("an-b").value.trim(), c: $("an-c").value.trim(), method: $("an-method").value });
  });
  $("list-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const words = $("list-words").value.split(/[,\s]+/).filter(Boolean).join(",");
    go({ words, map: sel.value || "pca" });
  });
  setupCompletion();
  await render();
  document.body.dataset.ready = "1";
}

start().catch(showMessage);
