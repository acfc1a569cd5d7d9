// Which normalised paths may take a pass-through route (review F2, round 8). Routes are matched
// on the exact normalised path (request-path.js), but origins resolve looser forms of it:
// Tomcat, Jetty and Spring cut `;params` from every segment, Express ignores case and a
// trailing slash, IIS ignores case and drops trailing dots and spaces of a segment. Behind a
// catch-all pass-through (`/**`) each of those spellings of a filtered path
// (`/api;x/v2/summary.json`, `/API/v2/summary.json`, `/api/v2./summary.json`) would reach the
// origin unfiltered. So before a request passes through, the filtered routes are matched
// against its loosest form too; if any would match, the edge cannot prove the origin reads
// another resource, and the request is refused.

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
 * IIS may read as a dot segment); 404 when a filtered route matches the path or its loosened
 * form, as if it were unrouted: a filtered resource is never served unfiltered.
 */
export function passThroughRefusal(path, routes) {
  for (const seg of path.split("/")) {
    if (seg.includes(";")) return { status: 400, reason: "parameter (;) in a pass-through path" };
    if (seg !== "" && /^[. ]+$/.test(seg)) return { status: 400, reason: "dot-like segment in a pass-through path" };
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
