// The "explain" panel: lists the resources of the unfiltered payloads and shows,
// for the selected one, what `policy.explain` says about it for the current viewer.
import { h } from "./dom.js";

const str = (v) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

// Resources a policy author may ask about, from the unfiltered payloads.
export function buildExplainIndex(raw) {
  const out = [];
  const s = raw.status?.json ?? {};
  for (const c of Array.isArray(s.components) ? s.components : []) {
    const group = c.group === true || Array.isArray(c.components);
    out.push({ payload: "status", kind: group ? "group" : "component", id: str(c.id), name: str(c.name),
      group: "Status components" });
  }
  for (const i of Array.isArray(s.incidents) ? s.incidents : []) {
    out.push({ payload: "status", kind: "incident", id: str(i.id), name: str(i.name), group: "Incidents" });
  }
  for (const m of Array.isArray(s.scheduled_maintenances) ? s.scheduled_maintenances : []) {
    out.push({ payload: "status", kind: "maintenance", id: str(m.id), name: str(m.name), group: "Scheduled maintenance" });
  }
  const k = raw.confluence?.json ?? {};
  for (const r of Array.isArray(k.results) ? k.results : []) {
    const it = r && r.content ? r.content : r;
    out.push({ payload: "confluence", kind: "article", id: str(it?.id), name: str(it?.title), group: "Articles" });
  }
  for (const it of out) {
    it.value = `${it.payload}|${it.kind}|${it.id}`;
    it.label = `${it.name || "(untitled)"} (${it.kind} ${it.id})`;
  }
  return out;
}

const KIND_ALIASES = {
  component: ["component", "components", "group", "groups"],
  group: ["group", "groups", "component", "components"],
  incident: ["incident", "incidents"],
  maintenance: ["maintenance", "maintenances", "scheduled_maintenance", "scheduled_maintenances"],
  article: ["article", "articles", "page", "pages", "content", "item", "items"],
};

function entryMatches(o, item) {
  if (!o || typeof o !== "object" || Array.isArray(o)) return false;
  const kinds = KIND_ALIASES[item.kind] ?? [item.kind];
  const res = o.resource;
  if (typeof res === "string") {
    const [kind, ...rest] = res.split(":");
    return rest.join(":") === item.id && kinds.includes(kind);
  }
  if (str(o.id) !== item.id) return false;
  if (typeof o.kind === "string" || typeof o.type === "string") {
    return kinds.includes(o.kind ?? o.type);
  }
  return true;
}

// Finds the explanation entry of `item` in the explain document (depth-first; an
// entry inside a list named after the kind is preferred).
export function findEntry(doc, item) {
  let found = null;
  const walk = (v, parentKey) => {
    if (found || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) { for (const x of v) walk(x, parentKey); return; }
    if (entryMatches(v, item) && (typeof v.id !== "undefined" || typeof v.resource === "string")) {
      const kinds = KIND_ALIASES[item.kind] ?? [item.kind];
      if (typeof v.kind === "string" || typeof v.resource === "string" || kinds.includes(parentKey)) { found = v; return; }
    }
    for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(doc, "");
  return found;
}

function verdictOf(entry) {
  for (const k of ["shown", "visible", "allowed"]) if (typeof entry[k] === "boolean") return entry[k];
  return undefined;
}

const list = (xs) => (Array.isArray(xs) ? xs.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ") : "");

// One level of the chain (SPEC §3), in words.
function levelText(l) {
  const parts = [];
  if (l.inherit === false) parts.push("inherit: false, starts fresh");
  if (l.allow) parts.push(`allows (${list(l.allowed_by)})`);
  if (l.deny) parts.push(`denies (${list(l.denied_by)})`);
  if (!l.allow && !l.deny) parts.push("no rule here matches this viewer");
  return parts.join("; ");
}

// Why, in one sentence, from the levels (the same walk as SPEC §3).
function reasonOf(entry) {
  const levels = Array.isArray(entry.levels) ? entry.levels : [];
  const denied = levels.filter((l) => l.deny);
  if (denied.length) return `Denied at ${denied.map((l) => `${l.level} by ${list(l.denied_by)}`).join(" and ")}; a deny cannot be undone below it.`;
  let allowedAt = null;
  let resetAt = null;
  for (const l of levels) {
    if (l.inherit === false) { allowedAt = null; resetAt = l.level; }
    if (l.allow) allowedAt = l.level;
  }
  if (entry.shown) {
    if (entry.grant && !allowedAt) return "Shown through a grant (a share link) for this resource alone.";
    if (allowedAt) return `Allowed at ${allowedAt}.`;
    return entry.note ? `Shown: ${entry.note}.` : "Shown.";
  }
  if (entry.note && levels.length === 0) {
    const closed = /not carried|unknown|cannot|unexpanded|missing/i.test(entry.note);
    return `Hidden: ${entry.note}${closed ? " (Keyhole fails closed)" : ""}.`;
  }
  if (resetAt && !allowedAt) return `${resetAt} starts fresh (inherit: false) and nothing from there on allows this viewer.`;
  if (!allowedAt) return levels.length ? "No level of the chain allows this viewer." : "Hidden.";
  return entry.note ? `Hidden: ${entry.note}.` : "Hidden.";
}

export function describeExplanation(doc, item, personaLabel) {
  const entry = findEntry(doc, item);
  const wrap = h("div", { class: "explanation", dataset: { resource: item.value } });
  if (!entry) {
    wrap.appendChild(h("p", null, `The explanation does not list ${item.kind} ${item.id}.`));
  } else {
    const v = verdictOf(entry);
    wrap.appendChild(h("p", { class: `verdict ${v === true ? "shown" : v === false ? "hidden" : ""}`, dataset: { shown: String(v) } },
      v === true ? `${personaLabel} can see this ${item.kind}.`
        : v === false ? `${personaLabel} cannot see this ${item.kind}.` : `Decision for ${personaLabel}:`));
    wrap.appendChild(h("p", { class: "reason" }, reasonOf(entry)));
    const levels = Array.isArray(entry.levels) ? entry.levels : [];
    if (levels.length) {
      wrap.appendChild(h("table", { class: "levels-table" },
        h("caption", null, "Rule levels, outermost first"),
        h("thead", null, h("tr", null, h("th", { scope: "col" }, "Level"), h("th", { scope: "col" }, "For this viewer"))),
        h("tbody", null, levels.map((l) => h("tr", { class: l.deny ? "deny" : l.allow ? "allow" : "" },
          h("th", { scope: "row" }, h("code", null, String(l.level ?? "?"))),
          h("td", null, levelText(l)))))));
    }
    const facts = [];
    if (typeof entry.grant === "boolean") facts.push(`Grant held for it: ${entry.grant ? "yes" : "no"}.`);
    if (entry.note) facts.push(`Note: ${entry.note}.`);
    if (facts.length) wrap.appendChild(h("p", { class: "muted" }, facts.join(" ")));
  }
  wrap.appendChild(h("details", null, h("summary", null, "explain output (JSON)"),
    h("pre", { class: "code scroll", tabindex: "0" }, JSON.stringify(entry ?? doc, null, 2))));
  return wrap;
}
