// @keyhole/edge: a Web-standard fetch handler that filters status-page and knowledge-base
// JSON per viewer with the Keyhole core (WebAssembly). Runs unchanged in workerd and Node 20:
// it uses Request, Response, fetch, crypto.subtle, DecompressionStream and nothing else
// (the Node-only worker pool is passed in as `filterPool`, never imported here).
import { loadKeyhole } from "@keyhole/wasm";
import { assertValid } from "./config-check.js";
import { EDGE_CONFIG } from "./config-schema.js";
import { compileRoutes, policyTextOf } from "./routes.js";
import { normalisePath } from "./request-path.js";
import { passThroughRefusal } from "./pass-through-guard.js";
import { addRestrictionExpands } from "./confluence-expand.js";
import { upstreamClient, UpstreamError, upstreamAccept } from "./upstream.js";
import { viewerResolver } from "./viewer.js";
import { jsonError, unauthorized, etagOf, respond, bytesResponse, bytesOf } from "./responses.js";
import { memoryCache } from "./memory-cache.js";
import { upstreamCache } from "./upstream-cache.js";
import { corsPolicy } from "./cors.js";
import { siteRoutes, edgeHooks } from "./site.js";
import { viewerCache } from "./viewer-cache.js";
import { forRequest, storedCacheControl } from "./downstream-cache.js";
import { audienceCacheKey } from "./audience-cache-key.js";

export { createShareToken, shareVerifier, verifyShareToken, grantsFor } from "./share.js";
export { compileIdentity, IdentityError } from "./identity.js";
export { DEFAULT_ROUTES } from "./routes.js";
export { ConfigError } from "./config-check.js";
export { normalisePath } from "./request-path.js";

const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;

function pickCache(option, limits) {
  if (option === false) return null;
  if (option && typeof option === "object") return option;
  if (typeof caches !== "undefined" && caches.default) return caches.default;
  return memoryCache(limits ?? {});
}

/** Core errors to responses: hidden single resource 404, claims 401, anything else 502. */
function filterFailure(e, info) {
  if (e?.code === "not-visible") { info.error = "not-visible"; return jsonError(404, "not found"); }
  if (e?.code === "claims") { info.error = "claims"; return unauthorized("invalid_token"); }
  info.error = `rejected:${e?.code ?? "internal"}`;
  return jsonError(502, "payload rejected");
}

function failureResponse(e, info) {
  if (e instanceof UpstreamError) {
    info.error = e.reason;
    if (e.status === 404) return jsonError(404, "not found");
    return jsonError(502, e.reason === "payload too large" ? "payload too large" : "bad gateway");
  }
  info.error = e?.code === "policy" ? "policy" : `internal: ${String(e?.message ?? e).slice(0, 200)}`;
  return jsonError(e?.code === "policy" ? 500 : 502, e?.code === "policy" ? "policy error" : "bad gateway");
}

/**
 * createEdgeFilter(config) -> { fetch(request, env, ctx), ready() }
 *
 * config (validated: an unknown or mistyped member throws a ConfigError, `.code` "config",
 * `.pointer` its JSON pointer):
 *   policy:   the policy document (JSON text or object)
 *   upstream: the origin, e.g. "https://status.example.com"
 *   routes:   [{ path: "/api/v2/**" | RegExp, format: statuspage|confluence|jsm|auto|pass-through,
 *                cache: { audience: true, maxAge: 60 }, policy?: a policy for this route only, name? }]
 *             (matched on the normalised path, first match wins; unmatched -> 404)
 *   identity: see identity.js (algorithms, keys, issuer, audience, cookie, claims mapping)
 *   share:    { secret, param: "share", header: "x-keyhole-share" }
 *   limits:   { maxPayloadBytes: 8 MiB, upstreamTimeoutMs: 15000 }
 *   upstreamHeaders: headers added to every filtered upstream request (e.g. the origin's API
 *             token); to pass-through requests only on routes with sendUpstreamHeaders: true
 *   wasm:     options for loadKeyhole ({ wasmModule } in workerd) or keyhole: a loaded instance
 *   fetch:    the fetch used for upstream requests (default globalThis.fetch)
 *   cache:    "auto" (Cache API when present, else memory) | false | { match, put }
 *   cacheLimits: { maxEntries: 500, maxBytes: 64 MiB, maxEntryBytes: 8 MiB }: bounds of the
 *             memory cache (memory-cache.js; least recently used out, larger copies not kept)
 *   filterPool: { filter(policyText, bytes, claims, options), minBytes } filters bodies of at
 *             least minBytes elsewhere (Node: filter-pool.js, worker threads); absent in workerd
 *   upstreamCache: false | { maxEntries: 256, maxBytes: 64 MiB }: coalesce concurrent upstream
 *             fetches of one URL and keep the origin's body as its Cache-Control allows
 *             (upstream-cache.js); on by default
 *   cors:     { origins: [origin | "*"], credentials: false, maxAge: 600, exposeHeaders } (cors.js);
 *             absent: no CORS headers, OPTIONS is 405
 *   log:      function(entry) called once per request with
 *             { method, path, status, route, audience, bytesIn, bytesOut, ms, error, upstream }
 */
export function createEdgeFilter(config = {}) {
  assertValid(config, EDGE_CONFIG);
  const policyText = policyTextOf(config.policy);
  const maxPayload = config.limits?.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  // Sign-in (identity.oidc: /auth/*) and the pages (pages: /, /help), before routing (site.js).
  const site = siteRoutes(config, edgeHooks(() => e, handle));
  const e = {
    policyText, maxPayload,
    routes: compileRoutes(config.routes, policyText),
    up: upstreamClient({
      upstream: config.upstream, upstreamHeaders: config.upstreamHeaders, maxPayload,
      fetch: config.fetch ?? ((...a) => fetch(...a)), timeoutMs: config.limits?.upstreamTimeoutMs ?? 15000,
      cache: config.upstreamCache === false ? null : upstreamCache(config.upstreamCache ?? {}),
    }),
    // ready(): the share stage asks the core (kh.shareGrants) whether a link is for this viewer
    viewer: viewerResolver(config, () => e.ready(), site?.session),
    pool: config.filterPool ?? null,
    cache: pickCache(config.cache, config.cacheLimits),
    cors: null,
    state: null, // Promise<{ kh, policies }>
  };
  e.cors = corsPolicy(config.cors, e.viewer.shareHeader);
  const ready = () => (e.state ??= compilePolicies(config, e));
  e.ready = ready;
  return {
    ready,
    async fetch(request, env, ctx) {
      const t0 = Date.now();
      const info = { method: request.method, path: "", status: 0, route: null, audience: null, bytesIn: 0, bytesOut: 0, ms: 0 };
      let res;
      // A CORS preflight is answered here: it never reaches routing or the origin.
      const preflight = e.cors.preflight(request);
      if (preflight) res = preflight;
      else {
        try {
          res = (site && (await site.route(request, ctx, info))) ?? (await handle(e, request, ctx, info));
        } catch (err) {
          res = failureResponse(err, info);
        }
        res = e.cors.apply(request, res);
      }
      info.status = res.status;
      info.ms = Date.now() - t0;
      if (config.log) { try { config.log(info); } catch {} }
      return res;
    },
  };
}

/** Loads wasm and compiles one policy per distinct text (a route may name its own, e.g. for
 *  JSM lists, which carry no labels and so are all hidden under a policy with label rules). */
async function compilePolicies(config, e) {
  const kh = config.keyhole ?? (await loadKeyhole(config.wasm ?? {}));
  if (kh.setLimits) kh.setLimits({ maxPayloadBytes: e.maxPayload });
  const policies = new Map([[e.policyText, kh.compilePolicy(e.policyText)]]);
  for (const r of e.routes) if (!policies.has(r.policyText)) policies.set(r.policyText, kh.compilePolicy(r.policyText));
  // One viewer cache per policy: a returning viewer's claims are not read again (viewer-cache.js).
  const viewers = new Map([...policies].map(([text, p]) => [text, viewerCache(p)]));
  return { kh, policies, viewers };
}

/** status.json is answered from the filtered summary.json when the policy recomputes
 *  statuses (SPEC §5): status.json alone cannot be recomputed. The core says whether the
 *  policy recomputes, and the core writes the projection (output "status-json"). */
function answeredFromSummary(route, policy, path) {
  return route.format !== "confluence" && route.format !== "jsm" && policy.recomputesStatus && /\/status\.json$/.test(path);
}
const filterFormat = (r) => (r.fromSummary ? "statuspage" : r.route.format);

/** Large bodies go to the pool (off this thread) when there is one; small ones stay here,
 *  through the request's compiled viewer (its claims were read once, for the key). */
function runFilter(e, r, bytes) {
  const options = { format: filterFormat(r), output: r.fromSummary ? "status-json" : "payload" };
  // The pool transfers the buffer to its worker: a body shared with other requests (the
  // upstream cache) goes as a copy.
  if (e.pool && bytes.byteLength >= e.pool.minBytes) return e.pool.filter(r.route.policyText, r.sharedBody ? bytes.slice() : bytes, r.claims, options);
  return r.viewer.filter(bytes, options);
}

/** The request as routed: normalised path, route, forwarded query, share token; or a response. */
function routeRequest(e, request, info) {
  if (request.method !== "GET" && request.method !== "HEAD") return { response: jsonError(405, "method not allowed", { allow: "GET, HEAD" }) };
  const url = new URL(request.url);
  const norm = normalisePath(url.pathname);
  info.path = norm.path ?? url.pathname;
  if (norm.error) { info.error = norm.error; return { response: jsonError(400, "bad request") }; }
  const route = e.routes.find((r) => r.re.test(norm.path));
  if (!route) return { response: jsonError(404, "not found") };
  if (route.format === "pass-through") {
    // A filtered path spelt so that the origin still reads it (F2) never passes through.
    const refused = passThroughRefusal(norm.path, e.routes);
    if (refused) { info.error = refused.reason; return { response: refused.status === 400 ? jsonError(400, "bad request") : jsonError(404, "not found") }; }
  }
  info.route = route.name;
  // Query to forward: everything but the share token (and, on Confluence v1, the restrictions).
  const fwd = new URLSearchParams(url.search);
  const shareToken = fwd.get(e.viewer.shareParam) ?? request.headers.get(e.viewer.shareHeader);
  fwd.delete(e.viewer.shareParam);
  addRestrictionExpands(fwd, norm.path, route.format);
  const search = fwd.toString() ? `?${fwd}` : "";
  return { route, path: norm.path, upstreamPath: norm.upstream, search, shareToken };
}

async function handle(e, request, ctx, info) {
  const r = routeRequest(e, request, info);
  if (r.response) return r.response;
  if (r.route.format === "pass-through") {
    // The origin's credentials (upstreamHeaders) go only where the route asks for them (F2).
    return e.up.passThrough(r.upstreamPath, r.search, request, info, { withUpstreamHeaders: r.route.sendUpstreamHeaders === true });
  }
  const who = await e.viewer.resolve(request, r.shareToken, info);
  if (who.response) return who.response;
  const state = await e.ready();
  const policy = state.policies.get(r.route.policyText);
  const fromSummary = answeredFromSummary(r.route, policy, r.path);
  let held;
  try {
    held = state.viewers.get(r.route.policyText).acquire(who.claims);  // claims read and matched once per viewer
  } catch (err) {
    if (err?.code !== "claims") throw err;
    info.error = "claims";
    return unauthorized("invalid_token", "claims do not fit");
  }
  try {
    // The key follows the payload format (E2): knowledge-base keys also cover sub and groups,
    // which embedded read restrictions name.
    const audience = held.audienceKey(fromSummary ? "statuspage" : r.route.format);
    info.audience = audience;
    return await filtered(e, request, ctx, info, { ...r, policy, viewer: held.viewer, claims: who.claims, audience, fromSummary });
  } finally {
    held.release();
  }
}

/** Cache lookup (audience-cached routes), upstream fetch, filter, cache store, response. */
async function filtered(e, request, ctx, info, r) {
  const perAudience = r.route.cache?.audience === true;
  // The key holds the audience, Accept, path and query hashed, never as URL text (R9-1);
  // null (a key that would not parse back to itself) means this request is not cached.
  const cacheKey = perAudience && e.cache
    ? await audienceCacheKey({ audience: r.audience, accept: upstreamAccept(request), upstreamPath: r.upstreamPath, search: r.search })
    : null;
  if (cacheKey) {
    const hit = await e.cache.match(cacheKey);
    if (hit) {
      info.cache = "hit";
      return respond(request, bytesOf(hit) ?? new Uint8Array(await hit.arrayBuffer()), hit.headers.get("etag"), downstream(e, request, r, hit.headers), info, true);
    }
  }
  const upPath = r.fromSummary ? r.upstreamPath.replace(/status\.json$/, "summary.json") : r.upstreamPath;
  const { bytes, bytesIn, via, shared } = await e.up.fetchJson(upPath, r.search, request);
  info.bytesIn = bytesIn;
  if (via) info.upstream = via;
  let out;
  try {
    out = await runFilter(e, { ...r, sharedBody: shared }, bytes);
  } catch (err) {
    return filterFailure(err, info);
  }
  const etag = await etagOf(out);
  const headers = responseHeaders(e, etag, r, perAudience);
  if (cacheKey) {
    const p = e.cache.put(cacheKey, bytesResponse(out, { headers }, { shared: true })).catch(() => {});
    if (ctx && typeof ctx.waitUntil === "function") ctx.waitUntil(p); else await p;
  }
  return respond(request, out, etag, perAudience ? downstream(e, request, r, headers) : headers, info, cacheKey !== null);
}

/** An audience-cached copy's headers as this request may get them: `private` unless it
 *  carries no credentials (downstream-cache.js, review F7). */
const downstream = (e, request, r, headers) =>
  forRequest(headers, request, r.route.cache?.maxAge ?? 60, e.viewer.shareHeader, e.viewer.shareParam);

function responseHeaders(e, etag, r, perAudience) {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", etag, "x-content-type-options": "nosniff" });
  if (perAudience) {
    // One filtered copy per audience: the edge cache is keyed by the audience key. This is
    // the stored copy's Cache-Control; a request with credentials is sent `private` (F7).
    // Vary stays for downstream caches that honour it.
    headers.set("cache-control", storedCacheControl(r.route.cache?.maxAge ?? 60));
    headers.set("vary", `Authorization, Cookie, ${e.viewer.shareHeader}, Accept`); // Accept goes upstream (F6)
    headers.set("x-keyhole-audience", r.audience);
  } else {
    headers.set("cache-control", "private, no-cache");
    headers.set("vary", "Authorization, Cookie");
  }
  return headers;
}
