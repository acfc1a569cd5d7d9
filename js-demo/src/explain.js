// The "explain" panel: renders the explanation document (docs/explain.md, typed as
// `Explanation` in wasm/index.d.ts) as it is. Every verdict and reason comes from the
// document's own members (`shown`, `decided_by`, `levels`, `withheld`); nothing here
// decides visibility, so the panel cannot disagree with the core.
import { h } from "./dom.js";

const GROUPS = {
  component: "Status components", group: "Component groups", incident: "Incidents",
  maintenance: "Scheduled maintenance", article: "Articles",
};

// Display names by id from an unfiltered payload (labels only: `name` or `title`).
function namesOf(json) {
  const names = new Map();
  const walk = (v) => {
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) { v.forEach(walk); return; }
    const name = typeof v.name === "string" ? v.name : typeof v.title === "string" ? v.title : null;
    if ((typeof v.id === "string" || typeof v.id === "number") && name && !names.has(String(v.id))) names.set(String(v.id), name);
    Object.values(v).forEach(walk);
  };
  walk(json);
  return names;
}

// The resources one may ask about: those the explain documents list (`docs`: payload key
// -> Explanation), minus ancestors (listed under the article they belong to).
export function buildExplainIndex(raw, docs) {
  const out = [];
  const seen = new Set();
  for (const [payload, doc] of Object.entries(docs)) {
    const names = namesOf(raw[payload]?.json);
    for (const r of doc?.resources ?? []) {
      const value = `${payload}|${r.kind}|${r.id}`;
      if (r.kind === "ancestor" || r.id === "" || seen.has(value)) continue;
      seen.add(value);
      const name = names.get(r.id) ?? "(untitled)";
      out.push({ payload, kind: r.kind, id: r.id, value, group: GROUPS[r.kind] ?? r.kind, label: `${name} (${r.kind} ${r.id})` });
    }
  }
  return out;
}

export const findEntry = (doc, item) => doc?.resources?.find((r) => r.kind === item.kind && r.id === item.id) ?? null;

const list = (xs) => xs.join(", ");

// The deciding step (`decided_by`) in words, one phrase per documented step.
export function stepText(d) {
  switch (d.step) {
    case "deny": return `deny at ${d.level} by ${list(d.by)}`;
    case "allow": return `allow at ${d.level} by ${list(d.by)}`;
    case "grant": return "allow by grant";
    case "not-allowed": return d.reset_at ? `not allowed: ${d.reset_at} starts fresh (inherit: false)` : "not allowed: no level allows this viewer";
    case "fail-closed": return `hidden: ${d.reason}`;
    case "mixed": return `hidden: mixed policy ${d.policy}`;
    case "group": return "group: shown when one of its components is shown";
    default: return `step ${d.step}`;
  }
}

// One level of the chain, in words, from its members.
function levelText(l) {
  const parts = [];
  if (l.reset) parts.push("inherit: false, starts fresh");
  if (l.allow) parts.push(`allows (${list(l.allowed_by)})`);
  if (l.deny) parts.push(`denies (${list(l.denied_by)})`);
  if (!l.allow && !l.deny) parts.push("no rule here matches this viewer");
  return parts.join("; ");
}

function levelsTable(levels) {
  return h("table", { class: "levels-table" },
    h("caption", null, "Rule levels, outermost first"),
    h("thead", null, h("tr", null, h("th", { scope: "col" }, "Level"), h("th", { scope: "col" }, "For this viewer"))),
    h("tbody", null, levels.map((l) => h("tr", { class: l.deny ? "deny" : l.allow ? "allow" : "" },
      h("th", { scope: "row" }, h("code", null, l.level)),
      h("td", null, levelText(l))))));
}

function facts(entry, withheld) {
  const out = [`Grant held for it: ${entry.grant ? "yes" : "no"}.`];
  if (entry.mixed === "redact") out.push("Its updates are redacted (mixed: redact).");
  if (entry.note) out.push(`Note: ${entry.note}.`);
  if (withheld.length) out.push(`Fields withheld in this payload: ${withheld.map((w) => `${w.field} (${w.action})`).join(", ")}.`);
  return h("p", { class: "muted" }, out.join(" "));
}

export function describeExplanation(doc, item, personaLabel) {
  const entry = findEntry(doc, item);
  const wrap = h("div", { class: "explanation", dataset: { resource: item.value } });
  if (!entry) {
    wrap.appendChild(h("p", null, `The explanation does not list ${item.kind} ${item.id}.`));
  } else {
    wrap.appendChild(h("p", { class: `verdict ${entry.shown ? "shown" : "hidden"}`, dataset: { shown: String(entry.shown) } },
      `${personaLabel} ${entry.shown ? "can" : "cannot"} see this ${item.kind}.`));
    wrap.appendChild(h("p", { class: "reason", dataset: { step: entry.decided_by.step } }, "Decided by: ",
      h("strong", { class: "step" }, stepText(entry.decided_by))));
    if (entry.levels.length) wrap.appendChild(levelsTable(entry.levels));
    wrap.appendChild(facts(entry, doc.withheld));
  }
  wrap.appendChild(h("details", null, h("summary", null, "explain output (JSON)"),
    h("pre", { class: "code scroll", tabindex: "0" }, JSON.stringify(entry ?? doc, null, 2))));
  return wrap;
}
