// Upstream requests: bounded reads (size limit, timeout, no redirects), decoding of bodies a
// fetch left compressed, and the pass-through route.

export class UpstreamError extends Error {
  constructor(reason, status = 502) { super(reason); this.reason = reason; this.status = status; }
}

/**
 * Reads a body up to `limit` bytes; throws UpstreamError("too large") beyond it (no hang).
 * `expected` (the declared Content-Length, when the body is not encoded) sizes the buffer up
 * front, so the chunks are copied once into it instead of being kept and joined.
 */
export async function readLimited(body, limit, expected = NaN) {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks = [];
  let total = 0;
  let out = Number.isSafeInteger(expected) && expected > 0 && expected <= limit ? new Uint8Array(expected) : null;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > limit) throw new UpstreamError("payload too large");
      if (out && total + value.byteLength <= out.byteLength) out.set(value, total);
      else if (out) { chunks.push(out.subarray(0, total), value); out = null; } // longer than declared
      else chunks.push(value);
      total += value.byteLength;
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    if (e instanceof UpstreamError) throw e;
    throw new UpstreamError("upstream body failed");
  }
  if (out) return total === out.byteLength ? out : out.subarray(0, total);
  if (chunks.length === 1) return chunks[0];
  return join(chunks, total);
}

function join(chunks, total) {
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
    const raw = await readLimited(res.body, maxPayload, encoded ? NaN : len);
    const bytes = await decodeIfNeeded(raw, encoded, maxPayload);
    // Bytes on the wire: fetch may already have decoded the body; the declared length is then the wire size.
    const wire = encoded && Number.isFinite(len) && len > 0 ? len : raw.byteLength;
    return { status: 200, headers: res.headers, bytes, bytesIn: wire };
  }

  /**
   * The upstream body for a filtered route -> { bytes, bytesIn, via, shared }. The request to
   * the origin is built from upstreamHeaders, the viewer's Accept and a fixed Accept-Encoding
   * only (never the viewer's Authorization, Cookie or share token), so with the cache on it is
   * shared by every viewer: the key is the URL and that Accept (upstream-cache.js).
   */
  async function fetchJson(path, search, request) {
    const headers = new Headers(upstreamHeaders ?? {});
    const accept = request.headers.get("accept") || "application/json";
    headers.set("accept", accept);
    headers.set("accept-encoding", "gzip, br");
    const pathAndQuery = path + search;
    if (!cache) {
      const r = await load(pathAndQuery, headers, null);
      return { bytes: r.bytes, bytesIn: r.bytesIn, via: null, shared: false };
    }
    return cache.get(`${pathAndQuery}\n${accept}`, (validators) => load(pathAndQuery, headers, validators));
  }

  async function passThrough(path, search, request, info) {
    const ph = new Headers(upstreamHeaders ?? {});
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
