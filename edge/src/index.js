// @keyhole/edge: a Web-standard fetch handler that filters status-page and knowledge-base
// JSON per viewer with the Keyhole core (WebAssembly). Runs unchanged in workerd and Node 20:
// it uses Request, Response, fetch, crypto.subtle, DecompressionStream and nothing else.
import { loadKeyhole } from "@keyhole/wasm";
import { compileIdentity, IdentityError } from "./identity.js";
import { shareVerifier, verifyShareToken, grantsFor, createShareToken, b64urlEncode } from "./share.js";

export { createShareToken, verifyShareToken, grantsFor } from "./share.js";
export { compileIdentity, IdentityError } from "./identity.js";

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
const FORMATS = new Set(["auto", "statuspage", "confluence", "jsm", "pass-through"]);
const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;
const enc = new TextEncoder();

/** "/api/v2/**" style pattern (or a RegExp) to a RegExp: `*` one segment, `**` anything. */
function compilePattern(p) {
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

function jsonError(status, error, extraHeaders = {}) {
  const body = enc.encode(JSON.stringify({ error }));
  return new Response(body, {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(body.length),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...extraHeaders,
    },
  });
}

class UpstreamError extends Error {
  constructor(reason, status = 502) { super(reason); this.reason = reason; this.status = status; }
}

/** Reads a body up to `limit` bytes; throws UpstreamError("too large") beyond it (no hang). */
async function readLimited(body, limit) {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw new UpstreamError("payload too large");
      chunks.push(value);
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof UpstreamError) throw e;
    throw new UpstreamError("upstream body failed");
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) { out.set(c, off); off += c.byteLength; }
  return out;
}

/** A body that is still gzip/deflate-encoded (a fetch that did not decode it) is decoded here. */
async function decodeIfNeeded(bytes, encoding, limit) {
  const e = (encoding || "").trim().toLowerCase();
  if (!e || e === "identity") return bytes;
  if (e === "gzip" || e === "x-gzip") {
    if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes; // already decoded by fetch
    return readLimited(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")), limit);
  }
  if (e === "deflate") {
    if (bytes.length < 1 || (bytes[0] & 0x0f) !== 0x08) return bytes;
    return readLimited(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate")), limit);
  }
  // br (and anything else): fetch implementations decode it; if they did not, the bytes are
  // not JSON and the core rejects them (502), never passed on.
  return bytes;
}

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

async function etagOf(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `"kh-${b64urlEncode(d.subarray(0, 18))}"`;
}

function etagMatches(header, etag) {
  if (!header) return false;
  return header.split(",").some((t) => { t = t.trim(); return t === "*" || t === etag || t === `W/${etag}`; });
}

/** A small in-memory cache for runtimes without the Cache API (Node). */
function memoryCache(maxEntries = 500) {
  const m = new Map();
  return {
    async match(key) {
      const e = m.get(key);
      if (!e) return undefined;
      if (e.expires < Date.now()) { m.delete(key); return undefined; }
      return new Response(e.body, { status: 200, headers: e.headers });
    },
    async put(key, response) {
      const ttl = Number(/max-age=(\d+)/.exec(response.headers.get("cache-control") || "")?.[1] || 0);
      if (!ttl) return;
      const body = new Uint8Array(await response.arrayBuffer());
      if (m.size >= maxEntries) m.delete(m.keys().next().value);
      m.set(key, { body, headers: [...response.headers], expires: Date.now() + ttl * 1000 });
    },
  };
}

/**
 * createEdgeFilter(config) -> { fetch(request, env, ctx), ready() }
 *
 * config:
 *   policy:   the policy document (JSON text or object)
 *   upstream: the origin, e.g. "https://status.example.com"
 *   routes:   [{ path: "/api/v2/**" | RegExp, format: statuspage|confluence|jsm|auto|pass-through,
 *                cache: { audience: true, maxAge: 60 }, policy?: a policy for this route only }]
 *             (first match wins; unmatched -> 404)
 *   identity: see identity.js (algorithms, keys, issuer, audience, cookie, claims mapping)
 *   share:    { secret, param: "share", header: "x-keyhole-share" }
 *   limits:   { maxPayloadBytes: 8 MiB, upstreamTimeoutMs: 15000 }
 *   upstreamHeaders: headers added to every upstream request (e.g. the origin's API token)
 *   wasm:     options for loadKeyhole ({ wasmModule } in workerd) or keyhole: a loaded instance
 *   fetch:    the fetch used for upstream requests (default globalThis.fetch)
 *   cache:    "auto" (Cache API when present, else memory) | false | { match, put }
 *   log:      function(entry) called once per request with
 *             { method, path, status, route, audience, bytesIn, bytesOut, ms, error }
 */
export function createEdgeFilter(config = {}) {
  const asText = (p) => (typeof p === "string" ? p : JSON.stringify(p ?? null));
  const policyText = asText(config.policy);
  const recomputes = (text) => {
    try { return JSON.parse(text)?.status?.["recompute-status"] !== false; } catch { return true; }
  };
  if (!config.upstream) throw new TypeError("config.upstream is required");
  const upstream = new URL(config.upstream);
  if (upstream.protocol !== "http:" && upstream.protocol !== "https:") throw new TypeError("config.upstream must be http(s)");
  // Upstream URLs are built by concatenation, never resolved against the request path, so a
  // path such as "//evil.example/x" stays on the origin (no SSRF through URL resolution).
  const upstreamBase = upstream.origin + upstream.pathname.replace(/\/+$/, "");
  const upstreamUrl = (pathAndQuery) => new URL(upstreamBase + pathAndQuery);
  const routes = (config.routes ?? DEFAULT_ROUTES).map((r) => {
    const format = r.format ?? "auto";
    if (!FORMATS.has(format)) throw new TypeError(`route ${r.path}: unknown format ${format}`);
    const text = r.policy === undefined ? policyText : asText(r.policy);
    return { ...r, format, re: compilePattern(r.path), name: r.name ?? String(r.path), policyText: text, recompute: recomputes(text) };
  });
  const identity = compileIdentity(config.identity ?? {});
  const share = config.share?.secret ? shareVerifier(config.share.secret) : null;
  const shareParam = config.share?.param ?? "share";
  const shareHeader = (config.share?.header ?? "x-keyhole-share").toLowerCase();
  const maxPayload = config.limits?.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD;
  const timeoutMs = config.limits?.upstreamTimeoutMs ?? 15000;
  const clockSkew = config.identity?.clockToleranceSeconds ?? 30;
  const upstreamFetch = config.fetch ?? ((...a) => fetch(...a));
  const log = typeof config.log === "function" ? config.log : null;
  let cache = null;
  if (config.cache !== false) {
    if (config.cache && typeof config.cache === "object") cache = config.cache;
    else if (typeof caches !== "undefined" && caches.default) cache = caches.default;
    else cache = memoryCache();
  }

  let state = null; // Promise<{ kh, policy }>
  function ready() {
    state ??= (async () => {
      const kh = config.keyhole ?? (await loadKeyhole(config.wasm ?? {}));
      if (kh.setLimits) kh.setLimits({ maxPayloadBytes: maxPayload });
      // One compiled policy per distinct text (a route may name its own, e.g. for JSM lists,
      // which carry no labels and are therefore all hidden under a policy with label rules).
      const policies = new Map([[policyText, kh.compilePolicy(policyText)]]);
      for (const r of routes) if (!policies.has(r.policyText)) policies.set(r.policyText, kh.compilePolicy(r.policyText));
      return { kh, policies };
    })();
    return state;
  }

  async function fetchUpstream(path, search, request) {
    const url = upstreamUrl(path + search);
    const headers = new Headers(config.upstreamHeaders ?? {});
    headers.set("accept", request.headers.get("accept") || "application/json");
    headers.set("accept-encoding", "gzip, br");
    let res;
    try {
      res = await upstreamFetch(new Request(url, { method: "GET", headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) }));
    } catch {
      throw new UpstreamError("upstream unreachable");
    }
    if (res.status === 404) { res.body?.cancel().catch(() => {}); throw new UpstreamError("not found", 404); }
    if (res.status !== 200) { res.body?.cancel().catch(() => {}); throw new UpstreamError(`upstream status ${res.status}`); }
    const len = Number(res.headers.get("content-length"));
    if (Number.isFinite(len) && len > maxPayload && !res.headers.get("content-encoding")) {
      res.body?.cancel().catch(() => {});
      throw new UpstreamError("payload too large");
    }
    const raw = await readLimited(res.body, maxPayload);
    const bytes = await decodeIfNeeded(raw, res.headers.get("content-encoding"), maxPayload);
    // Bytes on the wire: fetch may already have decoded the body; the declared length is then the wire size.
    const wire = res.headers.get("content-encoding") && Number.isFinite(len) && len > 0 ? len : raw.byteLength;
    return { bytes, bytesIn: wire, headers: res.headers };
  }

  async function handle(request, ctx, info) {
    const url = new URL(request.url);
    info.path = url.pathname;
    if (request.method !== "GET" && request.method !== "HEAD") {
      return jsonError(405, "method not allowed", { allow: "GET, HEAD" });
    }
    const route = routes.find((r) => r.re.test(url.pathname));
    if (!route) return jsonError(404, "not found");
    info.route = route.name;

    // Query to forward: everything but the share token.
    const fwd = new URLSearchParams(url.search);
    const shareToken = fwd.get(shareParam) ?? request.headers.get(shareHeader);
    fwd.delete(shareParam);
    const search = fwd.toString() ? `?${fwd}` : "";

    if (route.format === "pass-through") {
      let up;
      try {
        const ph = new Headers(config.upstreamHeaders ?? {});
        ph.set("accept-encoding", "identity");
        up = await upstreamFetch(new Request(upstreamUrl(url.pathname + search), {
          method: request.method, headers: ph, redirect: "manual", signal: AbortSignal.timeout(timeoutMs),
        }));
      } catch {
        throw new UpstreamError("upstream unreachable");
      }
      const h = new Headers();
      // fetch decodes compressed bodies, so an upstream Content-Encoding/Length no longer applies.
      const encoded = up.headers.has("content-encoding");
      for (const k of ["content-type", "content-length", "etag", "last-modified", "cache-control", "location"]) {
        const v = up.headers.get(k);
        if (v !== null && !(encoded && (k === "content-length" || k === "etag"))) h.set(k, v);
      }
      info.bytesIn = info.bytesOut = Number(up.headers.get("content-length")) || 0;
      return new Response(up.body, { status: up.status, headers: h });
    }

    // Who is asking.
    let claims;
    try {
      ({ claims } = await identity.claimsFor(request));
    } catch (e) {
      if (!(e instanceof IdentityError)) throw e;
      info.error = e.description;
      return jsonError(401, "unauthorized", {
        "www-authenticate": `Bearer realm="keyhole", error="${e.error}", error_description="${e.description}"`,
      });
    }
    if (share && shareToken && claims.sub) {
      const body = await verifyShareToken(share, shareToken);
      const granted = grantsFor(body, claims, Date.now() / 1000, clockSkew, (await ready()).kh);
      if (granted.length) claims = { ...claims, grants: [...new Set([...(claims.grants ?? []), ...granted])] };
      info.share = granted.length ? "granted" : body ? "not-for-viewer" : "invalid";
    } else if (shareToken) {
      info.share = share ? "anonymous" : "disabled";
    }

    const policy = (await ready()).policies.get(route.policyText);
    let audience;
    try {
      audience = policy.audienceKey(claims);
    } catch (e) {
      if (e?.code !== "claims") throw e;
      info.error = "claims";
      return jsonError(401, "unauthorized", {
        "www-authenticate": `Bearer realm="keyhole", error="invalid_token", error_description="claims do not fit"`,
      });
    }
    info.audience = audience;

    const cacheByAudience = route.cache?.audience === true;
    const maxAge = route.cache?.maxAge ?? 60;
    let cacheKey = null;
    if (cacheByAudience && cache) {
      const k = new URL("https://keyhole-cache.invalid" + url.pathname + search);
      k.searchParams.set("__keyhole_audience", audience);
      cacheKey = k.toString();
      const hit = await cache.match(cacheKey);
      if (hit) {
        info.cache = "hit";
        const body = new Uint8Array(await hit.arrayBuffer());
        return respond(request, body, hit.headers.get("etag"), hit.headers, info);
      }
    }

    // Fetch and filter. status.json is answered from the filtered summary.json when the
    // policy recomputes statuses (SPEC §5): status.json alone cannot be recomputed.
    const isStatusJson = route.format !== "confluence" && route.format !== "jsm" && /\/status\.json$/.test(url.pathname);
    const fromSummary = isStatusJson && route.recompute;
    const upPath = fromSummary ? url.pathname.replace(/status\.json$/, "summary.json") : url.pathname;
    const { bytes, bytesIn } = await fetchUpstream(upPath, search, request);
    info.bytesIn = bytesIn;
    let out;
    try {
      out = policy.filter(bytes, claims, { format: fromSummary ? "statuspage" : route.format });
    } catch (e) {
      if (e?.code === "not-visible") { info.error = "not-visible"; return jsonError(404, "not found"); }
      if (e?.code === "claims") { info.error = "claims"; return jsonError(401, "unauthorized", { "www-authenticate": `Bearer realm="keyhole", error="invalid_token"` }); }
      info.error = `rejected:${e?.code ?? "internal"}`;
      return jsonError(502, "payload rejected");
    }
    if (fromSummary) {
      const m = topLevelMembers(new TextDecoder().decode(out));
      if (m.page === undefined || m.status === undefined) { info.error = "summary without page/status"; return jsonError(502, "payload rejected"); }
      out = enc.encode(`{"page":${m.page},"status":${m.status}}`);
    }
    const etag = await etagOf(out);
    const headers = new Headers({
      "content-type": "application/json; charset=utf-8",
      etag,
      "x-content-type-options": "nosniff",
    });
    if (cacheByAudience) {
      // One filtered copy per audience: the edge cache is keyed by the audience key; any
      // shared cache downstream must key on the credentials (Vary) so it never mixes them.
      headers.set("cache-control", `public, max-age=${maxAge}`);
      headers.set("vary", `Authorization, Cookie, ${shareHeader}`);
      headers.set("x-keyhole-audience", audience);
      if (cacheKey) {
        const stored = new Response(out, { headers });
        const p = cache.put(cacheKey, stored).catch(() => {});
        if (ctx && typeof ctx.waitUntil === "function") ctx.waitUntil(p); else await p;
      }
    } else {
      headers.set("cache-control", "private, no-cache");
      headers.set("vary", "Authorization, Cookie");
    }
    return respond(request, out, etag, headers, info);
  }

  function respond(request, body, etag, headers, info) {
    const h = new Headers(headers);
    if (etag && etagMatches(request.headers.get("if-none-match"), etag)) {
      h.delete("content-length");
      info.bytesOut = 0;
      return new Response(null, { status: 304, headers: h });
    }
    h.set("content-length", String(body.byteLength));
    info.bytesOut = body.byteLength;
    return new Response(request.method === "HEAD" ? null : body, { status: 200, headers: h });
  }

  return {
    ready,
    async fetch(request, env, ctx) {
      const t0 = Date.now();
      const info = { method: request.method, path: "", status: 0, route: null, audience: null, bytesIn: 0, bytesOut: 0, ms: 0 };
      let res;
      try {
        res = await handle(request, ctx, info);
      } catch (e) {
        if (e instanceof UpstreamError) {
          info.error = e.reason;
          res = e.status === 404 ? jsonError(404, "not found") : jsonError(502, e.reason === "payload too large" ? "payload too large" : "bad gateway");
        } else {
          info.error = e?.code === "policy" ? "policy" : `internal: ${String(e?.message ?? e).slice(0, 200)}`;
          res = jsonError(e?.code === "policy" ? 500 : 502, e?.code === "policy" ? "policy error" : "bad gateway");
        }
      }
      info.status = res.status;
      info.ms = Date.now() - t0;
      if (log) { try { log(info); } catch {} }
      return res;
    },
  };
}
