// A small in-memory cache for runtimes without the Cache API (Node): { match, put } like
// caches.default, honouring the response's max-age, oldest entry evicted first.
import { bytesResponse, bytesOf } from "./responses.js";
export function memoryCache(maxEntries = 500) {
  const m = new Map();
  return {
    async match(key) {
      const e = m.get(key);
      if (!e) return undefined;
      if (e.expires < Date.now()) { m.delete(key); return undefined; }
      return bytesResponse(e.body, { status: 200, headers: e.headers }, { shared: true });
    },
    async put(key, response) {
      const ttl = Number(/max-age=(\d+)/.exec(response.headers.get("cache-control") || "")?.[1] || 0);
      if (!ttl) return;
      // A Response of the handler's own carries its bytes: kept as they are, not read back.
      const body = bytesOf(response) ?? new Uint8Array(await response.arrayBuffer());
      if (m.size >= maxEntries) m.delete(m.keys().next().value);
      m.set(key, { body, headers: [...response.headers], expires: Date.now() + ttl * 1000 });
    },
  };
}
