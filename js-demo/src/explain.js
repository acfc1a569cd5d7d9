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
  if (typeof entry.decision === "string") return /show|allow|visible/i.test(entry.decision);
  return undefined;
}

function valueText(v) {
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) return v.join(", ");
  return JSON.stringify(v);
}

function renderLevel(level) {
  if (level === null || typeof level !== "object") return h("li", null, valueText(level));
  const name = level.level ?? level.name ?? level.at ?? level.kind;
  const rest = Object.entries(level).filter(([k]) => !["level", "name", "at", "kind"].includes(k) || level[k] !== name);
  return h("li", { class: "level" },
    name !== undefined ? h("strong", null, valueText(name)) : null,
    h("dl", null, rest.map(([k, v]) => [h("dt", null, k), h("dd", null, valueText(v))])));
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
    const members = Object.entries(entry).filter(([k]) => !["shown", "visible", "allowed", "id", "kind", "resource", "name", "title"].includes(k));
    const dl = h("dl", { class: "explain-members" });
    for (const [k, val] of members) {
      if (Array.isArray(val) && val.some((x) => x && typeof x === "object")) {
        dl.append(h("dt", null, k), h("dd", null, h("ol", { class: "levels" }, val.map(renderLevel))));
      } else {
        dl.append(h("dt", null, k), h("dd", null, valueText(val)));
      }
    }
    if (members.length) wrap.appendChild(dl);
  }
  wrap.appendChild(h("details", null, h("summary", null, "explain output (JSON)"),
    h("pre", { class: "code scroll", tabindex: "0" }, JSON.stringify(entry ?? doc, null, 2))));
  return wrap;
}
