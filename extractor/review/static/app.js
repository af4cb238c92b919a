// extractor review: the page. Filing data reaches the DOM through textContent and text nodes only.
"use strict";

const TOKEN = document.querySelector('meta[name="review-token"]').content;
const PAGE = 50;
const $ = (id) => document.getElementById(id);

const state = {
  filters: { item: "", field: "", model: "", company: "", flag: "", status: "all" },
  offset: 0,
  rows: [],
  matching: 0,
  q: null, // the field shown
  pendingSpan: null, // evidence selected for the edit in progress
  detail: null,
  text: { rec: null, text: null, origin: null, warning: null },
};

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Review-Token": TOKEN },
    body: JSON.stringify(body),
  };
  const resp = await fetch(path, opts);
  let data = null;
  try { data = await resp.json(); } catch (e) { data = { error: resp.statusText }; }
  if (!resp.ok) { const err = new Error((data && data.error) || resp.statusText); err.status = resp.status; throw err; }
  return data;
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function fmtValue(v) {
  if (v === null || v === undefined) return "(none)";
  return typeof v === "string" ? v : JSON.stringify(v);
}

function setStatus(msg, isError) {
  const s = $("status");
  s.textContent = msg || "";
  s.classList.toggle("error", !!isError);
}

// ---------------------------------------------------------------- URL state
function writeHash() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state.filters)) if (v && !(k === "status" && v === "all")) p.set(k, v);
  if (state.offset) p.set("offset", String(state.offset));
  if (state.q) p.set("q", state.q);
  history.replaceState(null, "", "#" + p.toString());
}

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  for (const k of Object.keys(state.filters)) state.filters[k] = p.get(k) || (k === "status" ? "all" : "");
  state.offset = Math.max(0, parseInt(p.get("offset") || "0", 10) || 0);
  return p.get("q");
}

// ---------------------------------------------------------------- queue
async function loadFacets() {
  const f = await api("/api/facets");
  for (const [key, values] of Object.entries(f)) {
    const sel = $("f-" + key);
    for (const v of values) { const o = el("option", v); o.value = v; sel.appendChild(o); }
  }
  for (const sel of document.querySelectorAll(".filters select")) sel.value = state.filters[sel.dataset.key] || sel.value;
}

async function loadQueue() {
  const p = new URLSearchParams({ offset: String(state.offset), limit: String(PAGE) });
  for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
  const data = await api("/api/queue?" + p.toString());
  state.rows = data.rows;
  state.matching = data.matching;
  $("who").textContent = "· " + data.reviewer + " · threshold " + data.threshold;
  renderCounts(data);
  renderQueue();
  return data;
}

function renderCounts(data) {
  const c = data.counts;
  const box = $("counts");
  box.textContent = "";
  box.appendChild(el("span", c.done + " done", "done"));
  box.appendChild(el("span", c.left + " left", "left"));
  box.appendChild(el("span", "of " + c.total, "total"));
  const from = data.matching ? state.offset + 1 : 0;
  const to = Math.min(state.offset + PAGE, data.matching);
  $("page-info").textContent = from + "–" + to + " of " + data.matching;
  $("page-prev").disabled = state.offset === 0;
  $("page-next").disabled = state.offset + PAGE >= data.matching;
}

function renderQueue() {
  const list = $("queue");
  list.textContent = "";
  for (const row of state.rows) {
    const li = el("li");
    li.dataset.q = row.q;
    li.tabIndex = -1;
    if (row.q === state.q) li.classList.add("current");
    if (row.decision) li.classList.add("decided", "d-" + row.decision);
    const top = el("div", null, "row-top");
    top.appendChild(el("span", row.confidence.toFixed(2), "conf " + confClass(row.confidence)));
    top.appendChild(el("span", row.label, "label"));
    if (row.decision) top.appendChild(el("span", row.decision, "badge " + row.decision));
    li.appendChild(top);
    li.appendChild(el("div", row.preview, "preview"));
    li.appendChild(el("div", row.company + " · " + row.model, "sub"));
    li.addEventListener("click", () => show(row.q));
    list.appendChild(li);
  }
}

function confClass(c) { return c < 0.4 ? "c-low" : c < 0.7 ? "c-mid" : "c-high"; }

// ---------------------------------------------------------------- one field
async function show(q) {
  if (!q) { renderEmpty(); return; }
  let d;
  try { d = await api("/api/field?q=" + encodeURIComponent(q)); }
  catch (e) { setStatus(e.message, true); return; }
  state.q = q;
  state.detail = d;
  writeHash();
  for (const li of $("queue").children) li.classList.toggle("current", li.dataset.q === q);
  const cur = [...$("queue").children].find((li) => li.dataset.q === q);
  if (cur) cur.scrollIntoView({ block: "nearest" });
  renderDetail(d);
  hideEdit();
  if (state.text.rec !== d.rec) {
    const t = await api("/api/text?r=" + d.rec);
    state.text = t;
  }
  renderText();
}

function renderEmpty() {
  state.q = null;
  $("detail").hidden = true;
  $("empty").hidden = false;
  $("doc").hidden = true;
  $("doc-text").textContent = "";
  writeHash();
}

function renderDetail(d) {
  $("empty").hidden = true;
  $("detail").hidden = false;
  $("doc").hidden = false;
  $("f-label").textContent = d.label;
  const conf = $("f-conf");
  conf.textContent = "confidence " + d.field.confidence.toFixed(2);
  conf.className = "conf " + confClass(d.field.confidence);
  const flags = $("f-flags");
  flags.textContent = "";
  for (const f of d.flags) flags.appendChild(el("span", f, "flag " + f));
  const meta = [d.filing.company, d.filing.file, d.filing.form_type, "method " + d.field.method, d.model];
  if (d.item_info) meta.splice(2, 0, "Item " + d.item_info.number + " " + (d.item_info.title || ""));
  if (d.field.alignment) meta.push("alignment " + d.field.alignment);
  const llm = d.item_info && d.item_info.llm;
  if (llm) {
    if (llm.attempts > 1) meta.push(llm.attempts + " attempts");
    if (llm.outcome && llm.outcome !== "ok") meta.push("LLM " + llm.outcome + (llm.error ? ": " + llm.error : ""));
  }
  $("f-meta").textContent = meta.filter(Boolean).join(" · ");
  $("f-value").textContent = fmtValue(d.field.value);
  $("f-type").textContent = "(" + d.type + ")";
  $("f-quote").textContent = d.field.quote ? "“" + d.field.quote + "”" : "(no quote)";
  const reasons = $("f-reasons");
  reasons.textContent = "";
  for (const r of d.field.reasons || []) reasons.appendChild(el("li", r));
  if (!(d.field.reasons || []).length) reasons.appendChild(el("li", "(none given)"));
  const dec = $("f-decision");
  dec.textContent = "";
  if (d.decision_detail) {
    const x = d.decision_detail;
    dec.appendChild(el("span", x.action, "badge " + x.action));
    dec.appendChild(el("span", " " + fmtValue(x.value) + " · " + x.reviewer + " · " + x.decided_at, "when"));
  } else {
    dec.appendChild(el("span", "not reviewed yet", "muted"));
  }
  $("b-original").href = "/original?q=" + encodeURIComponent(d.q) + "#hit";
  setStatus("");
}

function renderText() {
  const pre = $("doc-text");
  const d = state.detail;
  const t = state.text;
  pre.textContent = "";
  const warn = $("doc-warn");
  warn.hidden = !t.warning && t.text !== null;
  warn.textContent = t.text === null ? "Filing text not available: " + (t.warning || "") : (t.warning || "");
  if (t.text === null) return;
  let span = d.field.span;
  let approx = false;
  if ((!span || span[1] > t.text.length) && d.field.quote) {
    const at = t.text.indexOf(d.field.quote);
    span = at >= 0 ? [at, at + d.field.quote.length] : null;
    approx = at >= 0;
  }
  if (!span && d.item_info && d.item_info.span) { span = d.item_info.span; approx = true; }
  if (!span) { pre.appendChild(document.createTextNode(t.text)); pre.scrollTop = 0; return; }
  const [s, e] = span;
  pre.appendChild(document.createTextNode(t.text.slice(0, s)));
  const mark = el("mark", t.text.slice(s, e), approx ? "approx" : "");
  mark.id = "hit";
  pre.appendChild(mark);
  pre.appendChild(document.createTextNode(t.text.slice(e)));
  mark.scrollIntoView({ block: "center" });
}

// ---------------------------------------------------------------- navigation
function rowIndex() { return state.rows.findIndex((r) => r.q === state.q); }

async function move(step, preferUndecided) {
  let i = rowIndex();
  if (preferUndecided) {
    for (let j = i + 1; j < state.rows.length; j++) if (!state.rows[j].decision) return show(state.rows[j].q);
  }
  i += step;
  if (i >= 0 && i < state.rows.length) return show(state.rows[i].q);
  if (step > 0 && state.offset + PAGE < state.matching) {
    state.offset += PAGE;
    await loadQueue();
    return show(state.rows.length ? state.rows[0].q : null);
  }
  if (step < 0 && state.offset > 0) {
    state.offset = Math.max(0, state.offset - PAGE);
    await loadQueue();
    return show(state.rows.length ? state.rows[state.rows.length - 1].q : null);
  }
  setStatus(step > 0 ? "end of the queue" : "start of the queue");
}

// ---------------------------------------------------------------- decisions
async function decide(action, value) {
  if (!state.q) return;
  const q = state.q;
  const body = { q, action, value };
  if (action === "edit" && state.pendingSpan) body.span = state.pendingSpan;
  try {
    const res = await api("/api/decide", body);
    const row = state.rows.find((r) => r.q === q);
    if (row) row.decision = res.decision.action;
    hideEdit();
    await refreshCounts();
    await move(1, true);
    setStatus("saved: " + action);
  } catch (e) {
    if (action === "edit") { $("edit-error").textContent = e.message; $("edit-input").focus(); }
    else setStatus(e.message, true);
  }
}

async function refreshCounts() {
  const keep = state.q;
  await loadQueue();
  state.q = keep;
  for (const li of $("queue").children) li.classList.toggle("current", li.dataset.q === keep);
}

async function undo() {
  try {
    const res = await api("/api/undo", {});
    if (!res.undone) { setStatus("nothing to undo"); return; }
    await refreshCounts();
    if (res.q) await show(res.q);
    setStatus("undone: " + res.undone.action);
  } catch (e) { setStatus(e.message, true); }
}

// The reviewer's selection in the filing text, as offsets into the text (or null).
function selectionInText() {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const pre = $("doc-text");
  if (!pre.contains(range.startContainer) || !pre.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(pre, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  const text = range.toString();
  return { span: [start, start + text.length], text };
}

function startEdit(fromSelection) {
  if (!state.detail) return;
  const picked = fromSelection ? selectionInText() : null;
  if (fromSelection && !picked) { setStatus("select the value in the filing text first", true); return; }
  state.pendingSpan = picked ? picked.span : null;
  const f = $("edit-form");
  f.hidden = false;
  const input = $("edit-input");
  const v = state.detail.field.value;
  input.value = picked ? picked.text.split(/\s+/).join(" ").trim()
    : v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  $("edit-error").textContent = picked ? "evidence: your selection (" + picked.span.join("–") + ")" : "";
  input.placeholder = state.detail.type;
  input.focus();
  input.select();
}

function hideEdit() { $("edit-form").hidden = true; $("edit-error").textContent = ""; state.pendingSpan = null; }

// ---------------------------------------------------------------- wiring
function onKey(ev) {
  const tag = (ev.target && ev.target.tagName) || "";
  if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") {
    if (ev.key === "Escape") { hideEdit(); ev.target.blur(); }
    return;
  }
  if (ev.metaKey || ev.altKey) return;
  if (ev.ctrlKey) { if (ev.key === "z") { ev.preventDefault(); undo(); } return; }
  const actions = {
    a: () => decide("accept"),
    e: () => startEdit(false),
    s: () => startEdit(true),
    r: () => decide("reject"),
    u: undo,
    j: () => move(1),
    ArrowDown: () => move(1),
    k: () => move(-1),
    ArrowUp: () => move(-1),
    o: () => { if (state.q) window.open($("b-original").href, "_blank", "noopener,noreferrer"); },
  };
  const fn = actions[ev.key];
  if (fn) { ev.preventDefault(); fn(); }
}

async function applyFilters(ev) {
  if (ev && ev.target) ev.target.blur(); // keys go back to the review shortcuts
  for (const sel of document.querySelectorAll(".filters select")) state.filters[sel.dataset.key] = sel.value;
  state.offset = 0;
  await loadQueue();
  await show(state.rows.length ? state.rows[0].q : null);
}

async function main() {
  document.addEventListener("keydown", onKey);
  $("b-accept").addEventListener("click", () => decide("accept"));
  $("b-edit").addEventListener("click", () => startEdit(false));
  $("b-select").addEventListener("mousedown", (ev) => ev.preventDefault()); // keep the text selection
  $("b-select").addEventListener("click", () => startEdit(true));
  $("b-reject").addEventListener("click", () => decide("reject"));
  $("b-undo").addEventListener("click", undo);
  $("b-next").addEventListener("click", () => move(1));
  $("b-prev").addEventListener("click", () => move(-1));
  $("edit-cancel").addEventListener("click", hideEdit);
  $("edit-form").addEventListener("submit", (ev) => { ev.preventDefault(); decide("edit", $("edit-input").value); });
  $("page-next").addEventListener("click", async () => { state.offset += PAGE; await loadQueue(); await show(state.rows[0] && state.rows[0].q); });
  $("page-prev").addEventListener("click", async () => { state.offset = Math.max(0, state.offset - PAGE); await loadQueue(); await show(state.rows[0] && state.rows[0].q); });
  for (const sel of document.querySelectorAll(".filters select")) sel.addEventListener("change", applyFilters);
  const q = readHash();
  await loadFacets();
  await loadQueue();
  const known = q && (state.rows.some((r) => r.q === q));
  await show(known ? q : q || (state.rows.length ? state.rows[0].q : null));
  document.body.dataset.ready = "1";
}

main().catch((e) => setStatus(String(e), true));
