// status.json answered from the filtered summary.json (SPEC §5: status.json alone cannot be
// recomputed): its `page` and `status` members, byte for byte.
const enc = new TextEncoder();

/** Raw text of the top-level members of a compact JSON object (the core's output). */
function topLevelMembers(text) {
  const out = {};
  let i = 1, depth = 0, name = null, start = -1, inStr = false;
  for (; i < text.length - 1; i++) {
    const c = text[i];
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') {
      if (depth === 0 && name === null && start < 0) {
        const s = i;
        for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
        name = JSON.parse(text.slice(s, i + 1));
        continue;
      }
      inStr = true;
    } else if (c === ":" && depth === 0 && name !== null && start < 0) start = i + 1;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === "," && depth === 0) { out[name] = text.slice(start, i); name = null; start = -1; }
  }
  if (name !== null) out[name] = text.slice(start, text.length - 1);
  return out;
}

/** `{"page":…,"status":…}` from filtered summary bytes, or null when either is missing. */
export function statusFromSummary(summaryBytes) {
  const m = topLevelMembers(new TextDecoder().decode(summaryBytes));
  if (m.page === undefined || m.status === undefined) return null;
  return enc.encode(`{"page":${m.page},"status":${m.status}}`);
}
