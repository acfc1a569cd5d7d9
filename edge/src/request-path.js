// Request path normalisation (finding E1). Routes are matched on the path an origin will
// resolve, and exactly that path goes upstream, so no spelling of a path can be routed as one
// thing (say, a pass-through `/assets/**`) and served by the origin as another
// (`/assets/..%2fapi/v2/summary.json` is `/api/v2/summary.json` to an origin that decodes %2F).
//
// The path is percent-decoded once, segment by segment. Anything whose meaning origins
// disagree on is refused (400) rather than guessed: an encoded `/` or `\`, an encoded dot
// segment (`%2e%2e`), a dot segment with a `;` parameter (`..;`, which Tomcat-style servers
// resolve), NUL and other control characters, an encoded `?` or `#`, and any `%` left after
// the one decoding (review F1: an origin that decodes again would read `%25%32%65`, `%2e`
// after one decoding, as `.`; with no `%` left, a second decoding changes nothing, so no
// origin can find another dot segment or separator in the path). Literal dot
// segments are resolved (the URL parser has usually done it already) and empty segments
// collapsed, as file servers do. The result is re-encoded canonically for the upstream URL.

const HEX2 = /^[0-9A-Fa-f]{2}$/;
// RFC 3986 pchar minus "%": kept as is; every other byte is percent-encoded (upper-case hex).
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;
const enc = new TextEncoder();

/** Why a raw segment is refused, or null. `seg` is the raw text, `dec` the decoded one. */
function refusal(seg, dec) {
  if (dec.includes("%")) return "double-encoded path"; // a second decoding could make it anything
  if (/[\\/]/.test(dec)) return "encoded slash or backslash in path";
  if (/[\u0000-\u001f\u007f]/.test(dec)) return "control character in path";
  if (/[?#]/.test(dec)) return "encoded ? or # in path";
  const bare = dec.split(";")[0];
  if ((bare === "." || bare === "..") && (dec !== seg || dec !== bare)) return "encoded or parameterised dot segment";
  return null;
}

function decodeSegment(seg) {
  for (let i = seg.indexOf("%"); i >= 0; i = seg.indexOf("%", i + 1)) {
    if (!HEX2.test(seg.slice(i + 1, i + 3))) return null;
  }
  try { return decodeURIComponent(seg); } catch { return null; } // invalid UTF-8
}

function encodeSegment(dec) {
  let out = "";
  for (const ch of dec) {
    if (PCHAR.test(ch)) { out += ch; continue; }
    for (const b of enc.encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/**
 * normalisePath(pathname) -> { path, upstream } | { error }
 *   path:     the decoded, resolved path that routes are matched against ("/api/v2/x.json")
 *   upstream: the same path, canonically encoded: what is sent to the origin
 */
export function normalisePath(pathname) {
  if (typeof pathname !== "string" || !pathname.startsWith("/")) return { error: "path must start with /" };
  const raw = pathname.slice(1).split("/");
  const segs = [];
  for (let i = 0; i < raw.length; i++) {
    const seg = raw[i];
    const last = i === raw.length - 1;
    const dec = decodeSegment(seg);
    if (dec === null) return { error: "malformed percent-encoding in path" };
    const why = refusal(seg, dec);
    if (why) return { error: why };
    if (dec === "..") { segs.pop(); if (last) segs.push(""); continue; }
    if (dec === ".") { if (last) segs.push(""); continue; }
    if (dec === "" && !last) continue; // "//" is "/" to file servers: collapse it here too
    segs.push(dec);
  }
  return { path: "/" + segs.join("/"), upstream: "/" + segs.map(encodeSegment).join("/") };
}
