// A small in-memory cache for runtimes without the Cache API (Node): { match, put } like
// caches.default, honouring the response's max-age. Bounded by entries and by bytes, least
// recently used out first (review F4: bounded by entries only, anonymous requests with a new
// query string each filled it with 8 MiB copies until the process ran out of memory). A copy
// over maxEntryBytes is not kept at all, so one large response cannot empty the cache.
import { bytesResponse, bytesOf } from "./responses.js";

export const MEMORY_CACHE_DEFAULTS = Object.freeze({ maxEntries: 500, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 8 * 1024 * 1024 });

/** memoryCache({ maxEntries, maxBytes, maxEntryBytes }) -> { match, put, size, bytes } */
export function memoryCache(limits = {}) {
  const { maxEntries, maxBytes, maxEntryBytes } = { ...MEMORY_CACHE_DEFAULTS, ...limits };
  const m = new Map(); // key -> { body, headers, expires }; least recently used first
  let held = 0;
  const drop = (key) => {
    const e = m.get(key);
    if (e) { held -= e.body.byteLength; m.delete(key); }
  };
  return {
    async match(key) {
      const e = m.get(key);
      if (!e) return undefined;
      if (e.expires < Date.now()) { drop(key); return undefined; }
      m.delete(key); m.set(key, e); // most recently used last
      return bytesResponse(e.body, { status: 200, headers: e.headers }, { shared: true });
    },
    async put(key, response) {
      const ttl = Number(/max-age=(\d+)/.exec(response.headers.get("cache-control") || "")?.[1] || 0);
      if (!ttl) return;
      // A Response of the handler's own carries its bytes: kept as they are, not read back.
      const body = bytesOf(response) ?? new Uint8Array(await response.arrayBuffer());
      drop(key);
      if (body.byteLength > maxEntryBytes || body.byteLength > maxBytes) return;
      while (m.size && (m.size >= maxEntries || held + body.byteLength > maxBytes)) drop(m.keys().next().value);
      m.set(key, { body, headers: [...response.headers], expires: Date.now() + ttl * 1000 });
      held += body.byteLength;
    },
    get size() { return m.size; },
    get bytes() { return held; },
  };
}
