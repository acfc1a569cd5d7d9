// Finds a repeated member name in a JSON text, at any depth (finding J1). JSON.parse (and so
// jose) keeps the last of two `sub` members; SPEC §1 says duplicates are an error, never a
// guess. Names are compared after unescaping ("s\u0075b" is "sub"). The text must already be
// valid JSON (jose has parsed it); this only looks for repeats.

/** The JSON pointer of the first repeated member, or null when every name is unique. */
export function findDuplicateMember(text) {
  const stack = []; // { names: Set | null (array), path: [...], key: bool, index }
  let top = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
      if (top && top.names && top.key) {
        const name = JSON.parse(text.slice(start, i + 1));
        if (top.names.has(name)) return pointer([...top.path, name]);
        top.names.add(name);
        top.last = name;
        top.key = false;
      }
    } else if (c === "{" || c === "[") {
      const path = top ? [...top.path, top.names ? top.last : top.index] : [];
      if (top) stack.push(top);
      top = { names: c === "{" ? new Set() : null, path, key: c === "{", index: 0, last: null };
    } else if (c === "}" || c === "]") {
      top = stack.pop() ?? null;
    } else if (c === "," && top) {
      if (top.names) top.key = true; else top.index++;
    }
  }
  return null;
}

const pointer = (segs) => "/" + segs.map((s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
