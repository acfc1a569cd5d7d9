// Upstream requests: bounded reads (size limit, timeout, no redirects), decoding of bodies a
// fetch left compressed, and the pass-through route.
import { IS_NODE } from "./runtime.js";

export class UpstreamError extends Error {
  constructor(reason, status = 502) { super(reason); this.reason = reason; this.status = status; }
}

/** Reads a body up to `limit` bytes; throws UpstreamError("too large") beyond it (no hang). */
export async function readLimited(body, limit) {
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

/** Reads a body of `length` declared bytes into one buffer of that length (more: a failure). */
async function readInto(body, length) {
  const out = new Uint8Array(length);
  if (!body) return out.subarray(0, 0);
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > length) throw new UpstreamError("upstream body failed");
      out.set(value, total);
      total += value.byteLength;
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof UpstreamError) throw e;
    throw new UpstreamError("upstream body failed");
  }
  return total === length ? out : out.subarray(0, total);
}

/** The Content-Length a response declares, or NaN (absent or not a plain decimal). */
function declaredLength(headers) {
  const v = headers.get("content-length");
  return v !== null && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
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

/** The Accept a filtered route's upstream request carries: the viewer's, or JSON. It keys
 *  the upstream cache and the audience cache, since the origin may answer by it. */
export const upstreamAccept = (request) => request.headers.get("accept") || "application/json";

/**
 * upstreamClient({ upstream, upstreamHeaders, fetch, maxPayload, timeoutMs, cache })
 *   -> { fetchJson(path, search, request), passThrough(path, search, request) }
 * `cache`: an upstreamCache() (upstream-cache.js) or null (every request goes to the origin).
 * `path` is already canonical (request-path.js) and `search` starts with "?" or is "".
 */
export function upstreamClient({ upstream, upstreamHeaders, fetch: upstreamFetch, maxPayload, timeoutMs, cache = null }) {
  const u = new URL(upstream);
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new TypeError("config.upstream must be http(s)");
  // Upstream URLs are built by concatenation, never resolved against the request path, so a
  // path such as "//evil.example/x" stays on the origin (no SSRF through URL resolution).
  const base = u.origin + u.pathname.replace(/\/+$/, "");
  const go = async (pathAndQuery, init) => {
    try {
      return await upstreamFetch(new Request(new URL(base + pathAndQuery), { ...init, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) }));
    } catch {
      throw new UpstreamError("upstream unreachable");
    }
  };

  /** One upstream GET: 200 (decoded bytes) or, when validators were sent, 304; else UpstreamError. */
  async function load(pathAndQuery, headers, validators) {
    const h = new Headers(headers);
    if (validators?.etag) h.set("if-none-match", validators.etag);
    if (validators?.lastModified) h.set("if-modified-since", validators.lastModified);
    const res = await go(pathAndQuery, { method: "GET", headers: h });
    const drop = () => res.body?.cancel().catch(() => {});
    if (res.status === 304 && validators) { drop(); return { status: 304, headers: res.headers, bytes: null, bytesIn: 0 }; }
    if (res.status === 404) { drop(); throw new UpstreamError("not found", 404); }
    if (res.status !== 200) { drop(); throw new UpstreamError(`upstream status ${res.status}`); }
    const len = Number(res.headers.get("content-length"));
    const encoded = res.headers.get("content-encoding");
    if (Number.isFinite(len) && len > maxPayload && !encoded) { drop(); throw new UpstreamError("payload too large"); }
    const raw = await readBody(res, encoded ? NaN : declaredLength(res.headers));
    const bytes = await decodeIfNeeded(raw, encoded, maxPayload);
    // Bytes on the wire: fetch may already have decoded the body; the declared length is then the wire size.
    const wire = encoded && Number.isFinite(len) && len > 0 ? len : raw.byteLength;
    return { status: 200, headers: res.headers, bytes, bytesIn: wire };
  }

  /**
   * The body of a 200. With a declared length within the limit and no encoding, HTTP framing
   * stops the body at that length (undici, workerd), so it is read whole: in workerd in one
   * native call (reading its small chunks in JS cost ~5 ms of CPU per MB); in Node straight into
   * one buffer of that length (undici's arrayBuffer() joins its 64 KB chunks into a second
   * one, and the worker pool then took ~0.5 ms per MB to transfer it). Otherwise (chunked, or a
   * body fetch decoded) chunk by chunk, stopping at the limit.
   */
  async function readBody(res, declared) {
    if (!Number.isSafeInteger(declared) || declared > maxPayload) return readLimited(res.body, maxPayload);
    if (IS_NODE) return readInto(res.body, declared);
    let buffer;
    try {
      buffer = await res.arrayBuffer();
    } catch {
      throw new UpstreamError("upstream body failed");
    }
    if (buffer.byteLength > maxPayload) throw new UpstreamError("payload too large");
    return new Uint8Array(buffer);
  }

  /**
   * The upstream body for a filtered route -> { bytes, bytesIn, via, shared }. The request to
   * the origin is built from upstreamHeaders, the viewer's Accept and a fixed Accept-Encoding
   * only (never the viewer's Authorization, Cookie or share token), so with the cache on it is
   * shared by every viewer: the key is the URL and that Accept (upstream-cache.js).
   */
  async function fetchJson(path, search, request) {
    const headers = new Headers(upstreamHeaders ?? {});
    const accept = upstreamAccept(request);
    headers.set("accept", accept);
    headers.set("accept-encoding", "gzip, br");
    const pathAndQuery = path + search;
    if (!cache) {
      const r = await load(pathAndQuery, headers, null);
      return { bytes: r.bytes, bytesIn: r.bytesIn, via: null, shared: false };
    }
    return cache.get(`${pathAndQuery}\n${accept}`, (validators) => load(pathAndQuery, headers, validators));
  }

  /** A pass-through request: upstreamHeaders only with `withUpstreamHeaders` (the route's
   *  sendUpstreamHeaders), so the origin's credentials do not open every unrouted path. */
  async function passThrough(path, search, request, info, { withUpstreamHeaders = false } = {}) {
    const ph = new Headers(withUpstreamHeaders ? (upstreamHeaders ?? {}) : {});
    ph.set("accept-encoding", "identity");
    const up = await go(path + search, { method: request.method, headers: ph });
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

  return { fetchJson, passThrough };
}
