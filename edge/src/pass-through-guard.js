// Which normalised paths may take a pass-through route (review F2, round 8). Routes are matched
// on the exact normalised path (request-path.js), but origins resolve looser forms of it:
// Tomcat, Jetty and Spring cut `;params` from every segment, Express ignores case and a
// trailing slash, IIS ignores case and drops trailing dots and spaces of a segment. Behind a
// catch-all pass-through (`/**`) each of those spellings of a filtered path
// (`/api;x/v2/summary.json`, `/API/v2/summary.json`, `/api/v2./summary.json`) would reach the
// origin unfiltered. So before a request passes through, the filtered routes are matched
// against its loosest form too; if any would match, the edge cannot prove the origin reads
// another resource, and the request is refused.
//
// Some readings cannot be loosened into one form, so the characters they need are refused
// instead (review R9-3, round 9): Java's equalsIgnoreCase (Spring, servlet filters) reads `ı`
// U+0131 as `i` and `ſ` U+017F as `s`, NFKC-normalising origins read fullwidth `ａ` as `a`,
// and which other non-ASCII characters some origin folds to ASCII is open-ended; IIS reads the
// NTFS stream suffix of `api::$INDEX_ALLOCATION` or `summary.json::$DATA` away, and resolves
// 8.3 short names (`SUMMAR~1.JSO`). Pass-through routes serve assets, whose names are ASCII in
// practice, so any non-ASCII character, any `:` and any `~` before a digit in a pass-through
// path is 400; an asset with such a name is served another way (a filtered route does not
// need this: it is matched exactly and never unfiltered).

/** The loosest reading of a path any common origin makes: lower-case, `;…` cut from each
 *  segment, trailing dots and spaces dropped, empty segments (a trailing `/`) removed. */
export function loosenedPath(path) {
  const segs = [];
  for (const seg of path.split("/")) {
    const s = seg.split(";")[0].toLowerCase().replace(/[. ]+$/, "");
    if (s !== "") segs.push(s);
  }
  return "/" + segs.join("/");
}

/**
 * passThroughRefusal(path, routes) -> null | { status, reason }
 *   path:   the normalised path (request-path.js) that matched a pass-through route
 *   routes: every compiled route (routes.js); the filtered ones are asked
 * 400 for a segment origins read differently (a `;` parameter; only dots and spaces, which
 * IIS may read as a dot segment; a non-ASCII character, a `:` or `~<digit>`, R9-3); 404 when a
 * filtered route matches the path or its loosened form, as if it were unrouted: a filtered
 * resource is never served unfiltered.
 */
export function passThroughRefusal(path, routes) {
  for (const seg of path.split("/")) {
    if (seg.includes(";")) return { status: 400, reason: "parameter (;) in a pass-through path" };
    if (seg !== "" && /^[. ]+$/.test(seg)) return { status: 400, reason: "dot-like segment in a pass-through path" };
    if (/[^\x00-\x7f]/.test(seg)) return { status: 400, reason: "non-ASCII character in a pass-through path" };
    if (seg.includes(":")) return { status: 400, reason: "colon (an NTFS stream) in a pass-through path" };
    if (/~[0-9]/.test(seg)) return { status: 400, reason: "8.3 short name (~digit) in a pass-through path" };
  }
  const loose = loosenedPath(path);
  for (const r of routes) {
    if (r.format === "pass-through") continue;
    if (r.re.test(path) || r.looseRe.test(loose) || r.looseRe.test(loose + "/")) {
      return { status: 404, reason: `pass-through path reads as filtered route ${r.name}` };
    }
  }
  return null;
}
