// A structural diff between the unfiltered and the filtered payload, for the
// "raw JSON" view. Array items are matched by a stable identity (`id`,
// `source.pageId`, `code`) when they have one, by position otherwise.

function identity(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  if (typeof v.id === "string" || typeof v.id === "number") return "id:" + v.id;
  if (v.source && (typeof v.source.pageId === "string" || typeof v.source.pageId === "number")) {
    return "page:" + v.source.pageId;
  }
  if (typeof v.code === "string") return "code:" + v.code;
  return undefined;
}

function label(v) {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.length} item${v.length === 1 ? "" : "s"}]`;
  const name = v.name ?? v.title;
  const id = v.id ?? v.source?.pageId ?? v.code;
  const parts = [];
  if (id !== undefined) parts.push(`id ${id}`);
  if (typeof name === "string") parts.push(JSON.stringify(name));
  return parts.length ? `{${parts.join(", ")}}` : "{…}";
}

function seg(s) {
  return String(s).replace(/~/g, "~0").replace(/\//g, "~1");
}

// Returns [{op: "removed"|"added"|"changed", path, before?, after?}] in document order.
export function diffJson(before, after, path = "", out = []) {
  if (Array.isArray(before) && Array.isArray(after)) {
    const ids = before.map(identity);
    const keyed = ids.length > 0 && ids.every((k) => k !== undefined);
    if (keyed) {
      const afterBy = new Map();
      for (const v of after) afterBy.set(identity(v), v);
      const seen = new Set();
      before.forEach((v, k) => {
        const key = ids[k];
        if (afterBy.has(key)) {
          seen.add(key);
          diffJson(v, afterBy.get(key), `${path}/${k}`, out);
        } else {
          out.push({ op: "removed", path: `${path}/${k}`, before: label(v) });
        }
      });
      after.forEach((v, k) => {
        if (!seen.has(identity(v))) out.push({ op: "added", path: `${path}/${k}`, after: label(v) });
      });
    } else {
      const m = Math.max(before.length, after.length);
      for (let k = 0; k < m; k++) {
        if (k >= after.length) out.push({ op: "removed", path: `${path}/${k}`, before: label(before[k]) });
        else if (k >= before.length) out.push({ op: "added", path: `${path}/${k}`, after: label(after[k]) });
        else diffJson(before[k], after[k], `${path}/${k}`, out);
      }
    }
    return out;
  }
  const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    for (const key of Object.keys(before)) {
      const p = `${path}/${seg(key)}`;
      if (!(key in after)) out.push({ op: "removed", path: p, before: label(before[key]) });
      else diffJson(before[key], after[key], p, out);
    }
    for (const key of Object.keys(after)) {
      if (!(key in before)) out.push({ op: "added", path: `${path}/${seg(key)}`, after: label(after[key]) });
    }
    return out;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    out.push({ op: "changed", path: path || "/", before: label(before), after: label(after) });
  }
  return out;
}
