// The upstream body cache (issue 15, incident spike): concurrent fetches of the same upstream
// request share one in-flight fetch (coalescing), and a 200 the origin lets a shared cache keep
// (Cache-Control max-age / s-maxage, or Expires; never no-store, private, Set-Cookie or Vary: *)
// is kept until it goes stale, then revalidated with If-None-Match / If-Modified-Since (a 304
// refreshes it). Every audience's filtered copy is then computed from that one upstream body.
//
// Safe to share across viewers only because the upstream request carries no viewer
// credentials: upstream.js sends the configured upstreamHeaders (the same for every viewer),
// the viewer's Accept, and a fixed Accept-Encoding; never Authorization, Cookie or the share
// token. The key is the upstream URL plus that Accept, so it covers everything that varies.
// The cache is per isolate / per process (memory), bounded by entries and bytes.

/** Parses Cache-Control into { noStore, private, noCache, maxAge (s) | null }. */
export function parseCacheControl(value) {
  const out = { noStore: false, private: false, noCache: false, maxAge: null, sMaxAge: null };
  for (const part of String(value ?? "").split(",")) {
    const [rawName, rawVal] = part.split("=");
    const name = rawName.trim().toLowerCase();
    const val = rawVal === undefined ? null : rawVal.trim().replace(/^"|"$/g, "");
    if (name === "no-store") out.noStore = true;
    else if (name === "private") out.private = true;
    else if (name === "no-cache") out.noCache = true;
    else if ((name === "max-age" || name === "s-maxage") && val !== null && /^\d+$/.test(val)) out[name === "max-age" ? "maxAge" : "sMaxAge"] = Number(val);
  }
  return out;
}

/**
 * How long (ms from now) a shared cache may keep this response fresh, or null when it must not
 * store it at all. `headers`: the origin's response headers (a Headers).
 */
export function sharedFreshness(headers, now) {
  const cc = parseCacheControl(headers.get("cache-control"));
  if (cc.noStore || cc.private) return null;
  if (headers.has("set-cookie")) return null;                       // personalised
  if ((headers.get("vary") ?? "").split(",").some((v) => v.trim() === "*")) return null;
  const age = Number(headers.get("age")) || 0;
  let lifetime = null;
  if (cc.sMaxAge !== null) lifetime = cc.sMaxAge * 1000;
  else if (cc.maxAge !== null) lifetime = cc.maxAge * 1000;
  else if (headers.has("expires")) {
    const exp = Date.parse(headers.get("expires"));
    const date = Date.parse(headers.get("date") ?? "") || now;
    lifetime = Number.isFinite(exp) ? exp - date : 0;
  }
  if (lifetime === null && !cc.noCache) return null;                 // no explicit freshness: do not guess
  if (cc.noCache) lifetime = 0;                                      // keep, but revalidate every time
  return Math.max(0, lifetime - age * 1000);
}

/**
 * upstreamCache({ maxEntries = 256, maxBytes = 64 MiB, now = Date.now })
 *   -> { get(key, load), stats, clear() }
 * load(validators | null) -> Promise<{ status: 200 | 304, headers, bytes, bytesIn }>; it sends
 * `If-None-Match: validators.etag` / `If-Modified-Since: validators.lastModified` when given.
 * get resolves to { bytes, bytesIn, via: "miss" | "hit" | "coalesced" | "revalidated" | "uncached", shared }.
 * `shared: true` means the bytes are shared with other requests and must not be transferred or mutated;
 * `shared: false` (an uncached response no other request joined) means they are the caller's alone.
 */
export function upstreamCache({ maxEntries = 256, maxBytes = 64 * 1024 * 1024, now = Date.now } = {}) {
  const entries = new Map(); // key -> { bytes, etag, lastModified, expires }
  const inflight = new Map(); // key -> Promise<result>
  const stats = { miss: 0, hit: 0, coalesced: 0, revalidated: 0, uncached: 0 };
  let bytesHeld = 0;

  const drop = (key) => {
    const e = entries.get(key);
    if (e) { bytesHeld -= e.bytes.byteLength; entries.delete(key); }
  };
  const store = (key, entry) => {
    drop(key);
    if (entry.bytes.byteLength > maxBytes) return;
    while (entries.size && (entries.size >= maxEntries || bytesHeld + entry.bytes.byteLength > maxBytes)) drop(entries.keys().next().value);
    entries.set(key, entry);
    bytesHeld += entry.bytes.byteLength;
  };

  async function revalidateOrFetch(key, stale, load) {
    const validators = stale && (stale.etag || stale.lastModified) ? { etag: stale.etag, lastModified: stale.lastModified } : null;
    const r = await load(validators);
    const t = now();
    if (r.status === 304 && stale) {
      // A 304 updates the stored response's freshness (RFC 9111 §4.3.4) and keeps its body.
      const merged = new Headers(stale.headers);
      for (const k of ["cache-control", "expires", "date", "age", "etag", "vary"]) if (r.headers.has(k)) merged.set(k, r.headers.get(k));
      const fresh = sharedFreshness(merged, t);
      if (fresh === null) drop(key);
      else store(key, { ...stale, headers: merged, etag: merged.get("etag") ?? stale.etag, expires: t + fresh });
      stats.revalidated++;
      return { bytes: stale.bytes, bytesIn: r.bytesIn, via: "revalidated" };
    }
    const fresh = sharedFreshness(r.headers, t);
    const etag = r.headers.get("etag");
    const lastModified = r.headers.get("last-modified");
    if (fresh === null || (fresh === 0 && !etag && !lastModified)) {
      drop(key);
      stats.uncached++;
      return { bytes: r.bytes, bytesIn: r.bytesIn, via: "uncached" };
    }
    store(key, { bytes: r.bytes, headers: pick(r.headers), etag, lastModified, expires: t + fresh });
    stats.miss++;
    return { bytes: r.bytes, bytesIn: r.bytesIn, via: "miss" };
  }

  function get(key, loader) {
    const e = entries.get(key);
    if (e && e.expires > now()) {
      entries.delete(key); entries.set(key, e); // most recently used last
      stats.hit++;
      return Promise.resolve({ bytes: e.bytes, bytesIn: 0, via: "hit", shared: true });
    }
    const pending = inflight.get(key);
    if (pending) {
      stats.coalesced++;
      pending.joined++;
      return pending.then((r) => ({ ...r, bytesIn: 0, via: "coalesced", shared: true }));
    }
    const p = revalidateOrFetch(key, e ?? null, loader).finally(() => inflight.delete(key));
    p.joined = 0;
    inflight.set(key, p);
    // The first request's bytes are shared when they were stored (or were already) or others
    // joined the fetch; otherwise they are its own, and the worker pool may take them without
    // a copy. `joined` is final here: the key left `inflight` before `p` settled.
    return p.then((r) => ({ ...r, shared: r.via !== "uncached" || p.joined > 0 }));
  }

  return {
    get, stats,
    get size() { return entries.size; },
    get bytes() { return bytesHeld; },
    clear() { entries.clear(); bytesHeld = 0; },
  };
}

const KEPT = ["cache-control", "expires", "date", "age", "etag", "last-modified", "vary"];
function pick(headers) {
  const h = new Headers();
  for (const k of KEPT) if (headers.has(k)) h.set(k, headers.get(k));
  return h;
}
