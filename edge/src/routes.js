// Routes: which request paths are filtered (and as what), passed through, or 404.
// Patterns are matched against the normalised path (request-path.js), never the raw one.

export const DEFAULT_ROUTES = [
  { path: "/api/v2/**", format: "statuspage" },
  { path: "/wiki/rest/api/content", format: "confluence" },
  { path: "/wiki/rest/api/content/*", format: "confluence" },
  { path: "/wiki/rest/api/content/search", format: "confluence" },
  { path: "/wiki/rest/api/search", format: "confluence" },
  { path: "/wiki/api/v2/pages", format: "confluence" },
  { path: "/wiki/api/v2/pages/*", format: "confluence" },
  { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm" },
];
export const FORMATS = ["auto", "statuspage", "confluence", "jsm", "pass-through"];

/** "/api/v2/**" style pattern (or a RegExp) to a RegExp: `*` one segment, `**` anything. */
export function compilePattern(p) {
  if (p instanceof RegExp) return p;
  if (typeof p !== "string" || !p.startsWith("/")) throw new TypeError(`route path must start with "/": ${p}`);
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "*" && p[i + 1] === "*") { re += ".*"; i++; }
    else if (c === "*") re += "[^/]*";
    else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The same pattern, case-insensitive: matched against a loosened path (pass-through-guard.js).
 *  `g` and `y` are dropped, since they make RegExp.test stateful. */
function loosePattern(p, re) {
  if (p instanceof RegExp) return new RegExp(p.source, p.flags.replace(/[gyi]/g, "") + "i");
  return new RegExp(re.source, "i");
}

const asText = (p) => (typeof p === "string" ? p : JSON.stringify(p ?? null));

/** The configured routes, compiled: each with its RegExp, its policy text and its name. */
export function compileRoutes(routes, policyText) {
  return (routes ?? DEFAULT_ROUTES).map((r) => {
    const format = r.format ?? "auto";
    if (!FORMATS.includes(format)) throw new TypeError(`route ${r.path}: unknown format ${format}`);
    const text = r.policy === undefined ? policyText : asText(r.policy);
    const re = compilePattern(r.path);
    return { ...r, format, re, looseRe: loosePattern(r.path, re), name: r.name ?? String(r.path), policyText: text };
  });
}

export { asText as policyTextOf };
