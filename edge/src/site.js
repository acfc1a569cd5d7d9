// What the edge serves besides filtered JSON: sign-in (identity.oidc: /auth/*) and the pages
// (pages: / and /help). One hook for the handler: route(request, ctx, info) -> Response | null
// (null: not one of these paths; the handler routes the request as before).
import { sessionCookies } from "./auth/session.js";
import { authRoutes } from "./auth/auth-routes.js";
import { pagesRoutes } from "./pages/pages.js";

/**
 * siteRoutes(config, { mapClaims, checkClaims, whoIs, filtered }) -> { session, route } | null
 *   mapClaims(payload) -> SPEC §1 claims (identity.claims);  checkClaims(claims) throws when the core refuses them
 *   whoIs(request, share, info) -> { claims, display } | { response };  filtered(request, info) -> Response (the pipeline)
 */
export function siteRoutes(config, hooks) {
  const oidc = config.identity?.oidc;
  if (!oidc && !config.pages) return null;
  const cookies = oidc ? sessionCookies(oidc) : null;
  const auth = oidc ? authRoutes({
    oidc, cookies, mapClaims: hooks.mapClaims, checkClaims: hooks.checkClaims,
    clockToleranceSeconds: config.identity?.clockToleranceSeconds ?? 30,
  }) : null;
  const shareParam = config.share?.param ?? "share";
  const pages = config.pages ? pagesRoutes({
    pages: config.pages, shareParam, signInEnabled: !!oidc, whoIs: hooks.whoIs,
    filteredJson: (request, source, share) => filteredJson(hooks, request, source, share, shareParam),
  }) : null;
  return {
    session: cookies?.session ?? null,
    async route(request, ctx, info) {
      const path = new URL(request.url).pathname;
      const res = (auth && (await auth(request, path, info))) ?? (pages && (await pages(request, path, info))) ?? null;
      if (res) {
        info.path = path; // never the query: a share link on a page URL stays out of the log
        info.route ??= path.startsWith("/auth/") ? "auth" : path;
        info.bytesOut = Number(res.headers.get("content-length") ?? 0);
      }
      return res;
    },
  };
}

/** The hooks siteRoutes needs, from the handler's state (got lazily: `edge()` is the handler's
 *  `e`, complete by the first request) and its pipeline function `handle(e, request, ctx, info)`. */
export function edgeHooks(edge, handle) {
  return {
    mapClaims: (payload) => edge().viewer.mapClaims(payload),
    async checkClaims(claims) {
      const { policies } = await edge().ready();
      policies.get(edge().policyText).viewer(claims).dispose(); // throws (code "claims") when they do not fit SPEC §1
    },
    whoIs: (request, share, info) => edge().viewer.resolve(request, share, info),
    filtered: (request, ctx) => handle(edge(), request, ctx, { method: request.method, path: "" }),
  };
}

/** The viewer's filtered JSON at `source`, through the edge's own pipeline (the same request
 *  credentials, the page's share link), as a browser fetching it would get it. */
async function filteredJson(hooks, request, source, share, shareParam) {
  const url = new URL(source, request.url);
  if (share) url.searchParams.set(shareParam, share);
  const headers = new Headers({ accept: "application/json" });
  for (const name of ["cookie", "authorization"]) { const v = request.headers.get(name); if (v !== null) headers.set(name, v); }
  let res;
  try {
    res = await hooks.filtered(new Request(url, { headers }), {});
  } catch {
    return { status: 502 }; // upstream unreachable, policy error, ...: the page says "not available"
  }
  if (res.status !== 200 || !(res.headers.get("content-type") ?? "").startsWith("application/json")) return { status: res.status };
  try {
    return { status: 200, json: JSON.parse(await res.text()) };
  } catch {
    return { status: 502 };
  }
}
