// Cross-origin access (issue 15): status data is embedded on other sites (Atlassian's
// status widget fetches {src}/api/v2/summary.json from the page it is on).
//   cors: { origins: ["https://www.example.com", ...] | ["*"], credentials: false, maxAge: 600,
//           exposeHeaders: ["ETag", "X-Keyhole-Audience"] }
// - every response gets `Vary: Origin` (a shared cache must not give one origin's CORS headers to another);
// - an allowed Origin gets Access-Control-Allow-Origin: that origin, or `*` when "*" is listed
//   and credentials are off; credentials (Access-Control-Allow-Credentials: true) only ever
//   with an origin named in the list, never with `*` (config-schema.js refuses the combination);
// - a preflight (OPTIONS with Origin and Access-Control-Request-Method) is answered here, before
//   routing, so it never reaches the origin: 204 for an allowed origin asking for GET/HEAD, else 403.
import { jsonError } from "./responses.js";

const METHODS = ["GET", "HEAD"];

/** corsPolicy(config.cors, shareHeader) -> { preflight(request) -> Response | null, apply(request, response) -> Response } */
export function corsPolicy(cfg, shareHeader = "x-keyhole-share") {
  if (!cfg) return { preflight: () => null, apply: (_req, res) => res };
  const listed = new Set(cfg.origins.filter((o) => o !== "*").map((o) => o.toLowerCase()));
  const any = cfg.origins.includes("*");
  const credentials = cfg.credentials === true;
  const maxAge = String(cfg.maxAge ?? 600);
  const expose = (cfg.exposeHeaders ?? ["ETag", "X-Keyhole-Audience"]).join(", ");
  const allowHeaders = new Set(["accept", "authorization", "if-none-match", "if-modified-since", shareHeader.toLowerCase()]);

  /** The Allow-Origin value for this Origin header, or null (not allowed). */
  function allowOrigin(origin) {
    if (!origin || origin === "null") return null;
    if (listed.has(origin.toLowerCase())) return origin;
    if (any && !credentials) return "*";
    return null;
  }

  function setCommon(h, origin) {
    const allowed = allowOrigin(origin);
    addVary(h, "Origin");
    if (!allowed) return false;
    h.set("access-control-allow-origin", allowed);
    if (credentials && allowed !== "*") h.set("access-control-allow-credentials", "true");
    return true;
  }

  function preflight(request) {
    if (request.method !== "OPTIONS") return null;
    const origin = request.headers.get("origin");
    const method = request.headers.get("access-control-request-method");
    if (!origin || !method) return null; // not a preflight: the handler's 405
    const wanted = (request.headers.get("access-control-request-headers") ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
    const h = new Headers({ "cache-control": "no-store" });
    const ok = setCommon(h, origin) && METHODS.includes(method.toUpperCase()) && wanted.every((x) => allowHeaders.has(x));
    if (!ok) {
      const res = jsonError(403, "cors not allowed");
      addVary(res.headers, "Origin");
      return res;
    }
    h.set("access-control-allow-methods", METHODS.join(", "));
    if (wanted.length) h.set("access-control-allow-headers", wanted.join(", "));
    h.set("access-control-max-age", maxAge);
    addVary(h, "Access-Control-Request-Method, Access-Control-Request-Headers");
    return new Response(null, { status: 204, headers: h });
  }

  function apply(request, response) {
    let res = response;
    try { res.headers.set("vary", res.headers.get("vary") ?? ""); } catch { res = new Response(response.body, response); }
    if (!res.headers.get("vary")) res.headers.delete("vary");
    if (setCommon(res.headers, request.headers.get("origin"))) res.headers.set("access-control-expose-headers", expose);
    return res;
  }

  return { preflight, apply };
}

function addVary(h, names) {
  const have = (h.get("vary") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (const n of names.split(",").map((s) => s.trim())) if (!have.some((x) => x.toLowerCase() === n.toLowerCase())) have.push(n);
  h.set("vary", have.join(", "));
}
