// Keyhole in-browser demo. Loads the unfiltered payloads, the demo policy and the
// personas from the sample origin, and filters them in the browser with the
// Keyhole WebAssembly module every time the viewer or the policy changes.
import { h, clear, toDom } from "./dom.js";
// The renderers keyhole-edge's own pages use too (edge/src/render, served at /demo/render/):
// pure functions from a payload to a markup tree, turned into DOM here.
import { renderStatus } from "../render/render-status.js";
import { renderConfluence, renderJsm } from "../render/render-kb.js";
import { diffJson } from "./diff.js";
import { lineOfPointer, prettyJson } from "./jsonpos.js";
import { buildExplainIndex, describeExplanation, findEntry } from "./explain.js";

const base = new URL("../", import.meta.url); // the demo's root (…/demo/)
const at = (p) => new URL(p, base).href;

export const PAYLOADS = [
  { key: "status", file: "summary.json", title: "Status summary", render: renderStatus, view: "status-view" },
  { key: "confluence", file: "confluence-content.json", title: "Confluence content", render: renderConfluence, view: "kb-view" },
  { key: "jsm", file: "jsm-articles.json", title: "JSM articles", render: renderJsm, view: "jsm-view" },
];

const state = {
  kh: null,
  policy: null,          // last policy that compiled
  viewer: null,          // state.policy.viewer(claims) of the current persona, or null
  viewerError: null,     // why the persona's claims did not make a viewer
  explained: {},         // key -> the Explanation of that payload for the current viewer
  policyText: "",
  demoPolicyText: "",
  personas: {},
  persona: "anonymous",
  raw: {},               // key -> { bytes, json }
  results: {},           // key -> { bytes, text, json, error, micros, runs }
};

const $ = (id) => document.getElementById(id);
const enc = new TextEncoder();
const dec = new TextDecoder();

// ---------------------------------------------------------------------------
// Viewer claims. The partner's share link is what the edge makes of a verified share
// token: the core decides which grants its body gives these claims (SPEC §7), here for
// a link valid for the next hour.
export function claimsOf(persona, kh) {
  const c = structuredClone(persona?.claims ?? {});
  const share = persona?.share;
  if (share?.resources?.length) {
    const body = { id: "demo-share", resources: share.resources, emails: share.emails ?? [], domains: share.domains ?? [],
      exp: Math.floor(Date.now() / 1000) + 3600 };
    c.grants = kh.shareGrants(c, body);
  }
  return c;
}

function currentClaims() {
  return claimsOf(state.personas[state.persona], state.kh);
}

// The claims are read and matched once per persona (or policy), not once per call.
function rebuildViewer() {
  state.viewer?.dispose();
  state.viewer = null;
  state.viewerError = null;
  if (!state.policy) return;
  try {
    state.viewer = state.policy.viewer(currentClaims());
  } catch (e) {
    state.viewerError = e;
  }
}

// ---------------------------------------------------------------------------
// Filtering

function filterOne(key) {
  const raw = state.raw[key];
  const r = { bytesIn: raw.bytes.length };
  try {
    if (!state.viewer) throw state.viewerError;
    const out = state.viewer.filter(raw.bytes, { format: "auto" });
    r.bytes = out;
    r.text = dec.decode(out);
    r.json = JSON.parse(r.text);
    // Time the filter alone: repeat it until a few milliseconds have passed, so the
    // browser's coarse clock still gives microseconds.
    let runs = 0;
    const t0 = performance.now();
    let t1 = t0;
    do {
      state.viewer.filter(raw.bytes, { format: "auto" });
      runs++;
      t1 = performance.now();
    } while (t1 - t0 < 4 && runs < 500);
    r.micros = ((t1 - t0) * 1000) / runs;
    r.runs = runs;
  } catch (e) {
    r.error = e;
    r.bytes = new Uint8Array(0);
    r.text = "";
    r.json = null;
    r.micros = 0;
  }
  return r;
}

function explainOne(key) {
  try {
    return state.viewer ? state.viewer.explain(state.raw[key].bytes) : null;
  } catch (e) {
    return { error: e };
  }
}

function refilter() {
  if (!state.policy || !state.raw.status) return;
  for (const p of PAYLOADS) {
    state.results[p.key] = filterOne(p.key);
    state.explained[p.key] = explainOne(p.key);
  }
  rebuildExplainChoices();
  renderAll();
}

// ---------------------------------------------------------------------------
// Rendering

function renderAll() {
  const persona = state.personas[state.persona];
  document.body.dataset.persona = state.persona;
  $("claims").textContent = JSON.stringify(currentClaims(), null, 2);
  $("now-viewing").textContent = persona?.label ?? state.persona;
  $("explain-persona").textContent = persona?.label ?? state.persona;
  for (const p of PAYLOADS) {
    const r = state.results[p.key];
    const view = clear($(p.view));
    if (r.error) {
      view.appendChild(h("p", { class: "filter-error", role: "alert" },
        `Nothing is shown: the filter returned an error (${r.error.code ?? "error"}): ${r.error.message}`));
    } else {
      view.appendChild(toDom(p.render(r.json)));
      const why = hiddenAllNote(p.key);
      if (why) view.appendChild(h("p", { class: "jsm-note" }, why));
    }
  }
  renderTiming();
  renderRaw();
  renderExplain();
}

// When a knowledge-base list comes out with nothing shown, say why from the explain
// document's fail-closed reasons: e.g. the JSM list carries no labels while the policy
// has label rules.
function hiddenAllNote(key) {
  const articles = (state.explained[key]?.resources ?? []).filter((r) => r.kind === "article");
  if (articles.length === 0 || articles.some((r) => r.shown)) return null;
  const reasons = [...new Set(articles.filter((r) => r.decided_by.step === "fail-closed").map((r) => r.decided_by.reason))];
  if (reasons.length === 0) return null;
  return `Keyhole hid all ${articles.length} items of this list: ${reasons.join("; ")}. ` +
    "When the payload cannot prove an item may be shown, it fails closed.";
}

function fmtBytes(n) {
  return n.toLocaleString("en-US") + " B";
}

function renderTiming() {
  let bin = 0, bout = 0, us = 0;
  const parts = [];
  for (const p of PAYLOADS) {
    const r = state.results[p.key];
    bin += r.bytesIn; bout += r.bytes.length; us += r.micros;
    parts.push(`${p.title}: ${fmtBytes(r.bytesIn)} → ${fmtBytes(r.bytes.length)}, ${r.micros.toFixed(1)} µs`);
  }
  const t = $("timing");
  t.dataset.bytesIn = String(bin);
  t.dataset.bytesOut = String(bout);
  t.dataset.micros = us.toFixed(1);
  clear(t).append(
    h("strong", null, `${fmtBytes(bin)} in → ${fmtBytes(bout)} out in ${us.toFixed(1)} µs`),
    " of filtering (WebAssembly, mean of repeated runs) ",
    h("span", { class: "muted" }, "· " + parts.join(" · ")));
}

function renderRaw() {
  const key = $("raw-payload").value;
  const r = state.results[key];
  const raw = state.raw[key];
  $("raw-sizes").textContent = `${fmtBytes(raw.bytes.length)} unfiltered → ${fmtBytes(r.bytes.length)} filtered`;
  $("raw-out").textContent = r.error ? `(no output: ${r.error.message})` : prettyJson(r.text);
  const list = clear($("raw-diff"));
  if (r.error) return;
  const d = diffJson(raw.json, r.json);
  if (d.length === 0) {
    list.appendChild(h("li", { class: "same" }, "Identical to the unfiltered payload (apart from whitespace)."));
    return;
  }
  const sym = { removed: "−", added: "+", changed: "~" };
  for (const e of d) {
    list.appendChild(h("li", { class: `diff-${e.op}` },
      h("span", { class: "diff-op", "aria-label": e.op }, sym[e.op]), " ",
      h("code", { class: "diff-path" }, e.path), " ",
      e.op === "changed" ? [h("span", { class: "diff-before" }, e.before), " → ", h("span", { class: "diff-after" }, e.after)]
        : h("span", { class: e.op === "removed" ? "diff-before" : "diff-after" }, e.before ?? e.after)));
  }
}

// ---------------------------------------------------------------------------
// Explain

let explainIndex = [];
const EXPLAINED = ["status", "confluence"];  // the payloads the panel asks about

// The choices come from the explain documents themselves; rebuilt only when they change.
function rebuildExplainChoices() {
  const docs = {};
  for (const key of EXPLAINED) if (state.explained[key] && !state.explained[key].error) docs[key] = state.explained[key];
  const next = buildExplainIndex(state.raw, docs);
  if (next.map((i) => i.value).join() === explainIndex.map((i) => i.value).join()) return;
  explainIndex = next;
  const sel = $("explain-resource");
  const prev = sel.value;
  clear(sel);
  const groups = new Map();
  for (const it of explainIndex) {
    if (!groups.has(it.group)) groups.set(it.group, h("optgroup", { label: it.group }));
    groups.get(it.group).appendChild(h("option", { value: it.value }, it.label));
  }
  for (const g of groups.values()) sel.appendChild(g);
  if (prev && explainIndex.some((i) => i.value === prev)) sel.value = prev;
}

let explainPicked = false;

function renderExplain() {
  if (!explainPicked) {
    // Until the user picks one, ask about the first resource this viewer cannot see.
    const hidden = explainIndex.find((i) => findEntry(state.explained[i.payload], i)?.shown === false);
    if (hidden) $("explain-resource").value = hidden.value;
  }
  const out = clear($("explain-out"));
  const item = explainIndex.find((i) => i.value === $("explain-resource").value);
  if (!item) return;
  const doc = state.explained[item.payload];
  const failure = doc?.error ?? (doc ? null : state.viewerError);
  if (failure) {
    out.appendChild(h("p", { class: "filter-error" }, `explain failed (${failure.code ?? "error"}): ${failure.message}`));
    return;
  }
  out.appendChild(describeExplanation(doc, item, state.personas[state.persona]?.label ?? state.persona));
}

// ---------------------------------------------------------------------------
// Policy editor (src/policy-editor.js: CodeMirror 6 with the policy JSON Schema). The
// schema's inline errors help while typing; the core's error below is the final word.

let editor = null;

function showPolicyError(e, text) {
  const pointer = typeof e.pointer === "string" ? e.pointer : "";
  const loc = lineOfPointer(text, pointer);
  const line = loc.line;
  editor.setCoreError({ line, pointer, message: e.message ?? String(e) });
  const st = clear($("policy-status"));
  st.className = "policy-status error";
  st.dataset.pointer = pointer;
  st.dataset.line = String(line);
  st.append(
    h("strong", null, `Policy error on line ${line}`), ": ",
    h("code", { class: "err-pointer" }, pointer || "(document)"), " — ", e.message ?? String(e), " ",
    h("button", { type: "button", class: "link", onclick: () => editor.selectLine(line) }, `Go to line ${line}`));
  $("policy-stale").hidden = false;
}

function compile(text) {
  state.policyText = text;
  let p;
  try {
    p = state.kh.compilePolicy(text);
  } catch (e) {
    showPolicyError(e, text);
    return false;
  }
  if (state.policy) state.policy.dispose();  // the old viewer keeps its own reference until rebuilt
  state.policy = p;
  rebuildViewer();
  editor.setCoreError(null);
  const st = clear($("policy-status"));
  st.className = "policy-status ok";
  delete st.dataset.pointer;
  delete st.dataset.line;
  // A key covers what decides one format (SPEC §10), so status and knowledge-base keys differ.
  st.append(h("span", null, "Policy compiled. Audience keys of this viewer: status "),
    h("code", { id: "audience-key" }, safeAudienceKey("statuspage")), ", knowledge base ",
    h("code", { id: "audience-key-kb" }, safeAudienceKey("confluence")));
  $("policy-stale").hidden = true;
  refilter();
  return true;
}

function safeAudienceKey(format) {
  try {
    if (!state.viewer) throw state.viewerError;
    return state.viewer.audienceKey({ format });
  } catch (e) {
    return `(${e?.message})`;
  }
}

// ---------------------------------------------------------------------------
// Personas

function renderPersonas() {
  const list = clear($("persona-list"));
  for (const [key, p] of Object.entries(state.personas)) {
    const id = `persona-${key}`;
    list.appendChild(h("div", { class: "persona" },
      h("input", { type: "radio", name: "persona", id, value: key, checked: key === state.persona,
        onchange: () => selectPersona(key) }),
      h("label", { for: id, title: p.label ?? key }, shortLabel(p.label ?? key) + (p.share ? " with a share link" : ""))));
  }
}

// "Globex customer (enterprise plan, verified)" -> "Globex customer"; the full label
// is the tooltip and is read out in "Viewing as".
function shortLabel(label) {
  return label.replace(/\s*\(.*\)\s*$/, "") || label;
}

function selectPersona(key) {
  if (!state.personas[key]) return;
  state.persona = key;
  const radio = $(`persona-${key}`);
  if (radio && !radio.checked) radio.checked = true;
  const url = new URL(location.href);
  url.searchParams.set("persona", key);
  history.replaceState(null, "", url);
  rebuildViewer();
  refilter();
  for (const [id, format] of [["audience-key", "statuspage"], ["audience-key-kb", "confluence"]]) {
    const ak = $(id);
    if (ak) ak.textContent = safeAudienceKey(format);
  }
}

// ---------------------------------------------------------------------------
// Start-up

async function fetchBytes(path) {
  const res = await fetch(at(path), { cache: "no-store" });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

// @keyhole/wasm's public module (wasm/index.js), served at /demo/wasm/index.js; it
// imports ./dist/keyhole.mjs and fetches ./dist/keyhole.wasm.
async function loadPackage() {
  const mod = await import(at("wasm/index.js"));
  if (typeof mod.loadKeyhole !== "function") throw new Error("wasm/index.js does not export loadKeyhole");
  return mod;
}

// The editor needs the vendor bundle (vendor/codemirror.js), built by build-vendor.mjs.
async function loadEditor() {
  try {
    return await import("./policy-editor.js");
  } catch (e) {
    throw new Error(`the policy editor did not load (${e?.message ?? e}); build vendor/codemirror.js with ` +
      "`npm run build -w js-demo` (npm ci does it)");
  }
}

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.get("embed") === "1") document.body.classList.add("embed");
  const [mod, editorModule, schema, policyBytes, personasBytes, ...payloads] = await Promise.all([
    loadPackage(),
    loadEditor(),
    fetchBytes("wasm/policy.schema.json").then((b) => JSON.parse(dec.decode(b))),
    fetchBytes("policy.json"),
    fetchBytes("personas.json"),
    ...PAYLOADS.map((p) => fetchBytes(`raw/${p.file}`)),
  ]);
  // The package finds keyhole.wasm next to its dist/keyhole.mjs by itself.
  state.kh = await mod.loadKeyhole();
  state.personas = JSON.parse(dec.decode(personasBytes));
  PAYLOADS.forEach((p, k) => { state.raw[p.key] = { bytes: payloads[k], json: JSON.parse(dec.decode(payloads[k])) }; });
  const wanted = params.get("persona");
  state.persona = wanted && state.personas[wanted] ? wanted : Object.keys(state.personas)[0];
  renderPersonas();

  state.demoPolicyText = dec.decode(policyBytes).replace(/\s+$/, "") + "\n";
  // Compiled through the core on every change (debounced while typing).
  let timer = 0;
  editor = editorModule.createPolicyEditor({
    parent: $("editor"), text: state.demoPolicyText, schema, labelledBy: "policy-label", describedBy: "policy-status",
    onChange: (text) => { clearTimeout(timer); timer = setTimeout(() => compile(text), 120); },
  });
  $("policy-reset").addEventListener("click", () => {
    editor.setText(state.demoPolicyText);
    clearTimeout(timer);
    compile(editor.getText());
  });
  $("raw-payload").addEventListener("change", renderRaw);
  $("explain-resource").addEventListener("change", () => { explainPicked = true; renderExplain(); });

  if (!compile(editor.getText())) {
    // The shipped policy must compile; without one there is nothing to show.
    throw new Error("the demo policy does not compile");
  }
  document.body.dataset.ready = "1";
}

main().catch((e) => {
  const box = $("load-error");
  box.hidden = false;
  box.textContent = `The demo could not start: ${e && e.message ? e.message : e}`;
  $("timing").textContent = "Not running.";
  document.body.dataset.ready = "error";
  console.error(e);
});

// For the browser test and the curious: the live state (read-only use).
window.keyholeDemo = { state, selectPersona, compile, get editor() { return editor; } };
