// Where things are in a JSON text: maps JSON pointers to byte offsets and lines,
// so a policy error's pointer can be shown next to the line that caused it.
// Also pretty-prints JSON *without* parsing it, so numbers and escapes are shown
// exactly as the filter produced them.

function escapeSegment(s) {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapeSegment(s) {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

class ScanError extends Error {
  constructor(message, offset) {
    super(message);
    this.offset = offset;
  }
}

// Scans `text` and returns { locations: Map(pointer -> {start, keyStart}), error }.
// `start` is the offset of the value, `keyStart` the offset of the member name
// (objects only). A syntax error stops the scan; what was found so far is kept.
export function scanJson(text) {
  const locations = new Map();
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const str = () => {
    if (text[i] !== '"') throw new ScanError("expected a string", i);
    let out = "";
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ScanError("bad \\u escape", i);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          continue;
        }
        const map = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (!(e in map)) throw new ScanError("bad escape", i);
        out += map[e];
        i += 2;
        continue;
      }
      if (c < " ") throw new ScanError("control character in string", i);
      out += c;
      i++;
    }
    throw new ScanError("unterminated string", i);
  };
  const value = (ptr, keyStart) => {
    ws();
    const start = i;
    locations.set(ptr, { start, keyStart });
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") { i++; return; }
      for (;;) {
        ws();
        const ks = i;
        const key = str();
        ws();
        if (text[i] !== ":") throw new ScanError("expected ':'", i);
        i++;
        value(ptr + "/" + escapeSegment(key), ks);
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return; }
        throw new ScanError("expected ',' or '}'", i);
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") { i++; return; }
      for (let k = 0; ; k++) {
        value(ptr + "/" + k, undefined);
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return; }
        throw new ScanError("expected ',' or ']'", i);
      }
    } else if (c === '"') {
      str();
    } else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) throw new ScanError(i >= n ? "unexpected end of text" : "unexpected character", i);
      i += m[0].length;
    }
  };
  let error = null;
  try {
    value("", undefined);
    ws();
    if (i < n) throw new ScanError("unexpected text after the document", i);
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    error = { message: e.message, offset: e.offset };
  }
  return { locations, error };
}

export function lineOfOffset(text, offset) {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let k = 0; k < end; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

// Maps a JSON pointer to a 1-based line of `text`. When the pointer names
// something absent (a required member that is missing), the deepest existing
// parent is used and `exact` is false.
export function lineOfPointer(text, pointer) {
  const { locations, error } = scanJson(text);
  if (error && !pointer) {
    return { line: lineOfOffset(text, error.offset), exact: true, syntaxError: error };
  }
  let p = pointer || "";
  for (;;) {
    const loc = locations.get(p);
    if (loc) {
      const off = loc.keyStart !== undefined ? loc.keyStart : loc.start;
      return { line: lineOfOffset(text, off), exact: p === (pointer || ""), syntaxError: error };
    }
    if (p === "") break;
    p = p.slice(0, p.lastIndexOf("/"));
  }
  return { line: error ? lineOfOffset(text, error.offset) : 1, exact: false, syntaxError: error };
}

// Re-indents compact (or any) JSON text without parsing it: every byte of every
// string and number is kept as is.
export function prettyJson(text, indent = "  ") {
  let out = "";
  let depth = 0;
  let inStr = false;
  const nl = () => "\n" + indent.repeat(depth);
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (inStr) {
      out += c;
      if (c === "\\") { out += text[++k] ?? ""; }
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === " " || c === "\n" || c === "\r" || c === "\t") continue;
    if (c === '"') { inStr = true; out += c; continue; }
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      let j = k + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === close) { out += c + close; k = j; continue; }
      depth++;
      out += c + nl();
      continue;
    }
    if (c === "}" || c === "]") { depth--; out += nl() + c; continue; }
    if (c === ",") { out += "," + nl(); continue; }
    if (c === ":") { out += ": "; continue; }
    out += c;
  }
  return out;
}
