// Review finding F4 (round 8): the per-audience memory cache (Node: no Cache API) was bounded
// by entries only (500), while the query string is part of its key: anonymous requests of a
// 6.8 MB visible list with `?cb=1..120` took the proxy from 79 MiB to 1 GiB in 12 s (500 x
// 8 MiB would be 4 GiB). It is now a least-recently-used cache bounded by bytes too (64 MiB by
// default, as the upstream cache), and an entry over `maxEntryBytes` is not kept at all.
//   node --test tests/node/edge-memory-cache-bounds.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { memoryCache, MEMORY_CACHE_DEFAULTS } from "../../edge/src/memory-cache.js";
import { bytesResponse } from "../../edge/src/responses.js";
import { startProxy, rawGet, fixture, assertNoCanary } from "./edge-findings-lib.mjs";

const entry = (n) => bytesResponse(new Uint8Array(n), { headers: { "cache-control": "public, max-age=60" } }, { shared: true });

test("defaults: 64 MiB in all, 500 entries, one entry at most 8 MiB", () => {
  assert.deepEqual(MEMORY_CACHE_DEFAULTS, { maxEntries: 500, maxBytes: 64 * 1024 * 1024, maxEntryBytes: 8 * 1024 * 1024 });
});

test("bytes held never exceed maxBytes; least recently used out first", async () => {
  const c = memoryCache({ maxBytes: 1000, maxEntryBytes: 400 });
  await c.put("a", entry(300));
  await c.put("b", entry(300));
  await c.put("c", entry(300));
  assert.ok(await c.match("a"), "a is used now: b is the least recently used");
  await c.put("d", entry(300));
  assert.ok(c.bytes <= 1000, `held ${c.bytes}`);
  assert.equal(await c.match("b"), undefined, "b evicted");
  for (const k of ["a", "c", "d"]) assert.ok(await c.match(k), `${k} kept`);
  for (let i = 0; i < 50; i++) { await c.put(`k${i}`, entry(250)); assert.ok(c.bytes <= 1000); }
  assert.equal(c.size, 4);
});

test("an entry over maxEntryBytes is not kept (nor does it evict the others)", async () => {
  const c = memoryCache({ maxBytes: 1000, maxEntryBytes: 400 });
  await c.put("small", entry(100));
  await c.put("big", entry(401));
  assert.equal(await c.match("big"), undefined);
  assert.ok(await c.match("small"));
  assert.equal(c.bytes, 100);
});

test("maxEntries still bounds the count; a replaced key does not count twice", async () => {
  const c = memoryCache({ maxEntries: 2 });
  await c.put("a", entry(10)); await c.put("a", entry(20));
  assert.equal(c.bytes, 20);
  await c.put("b", entry(10)); await c.put("c", entry(10));
  assert.equal(c.size, 2);
  assert.equal(await c.match("a"), undefined);
});

// Through the proxy: cacheLimits bounds the handler's own memory cache.
let origin, proxy, hits = 0;
const BIG = Buffer.from(JSON.stringify({ page: { id: "p", name: "P" },
  components: [{ id: "pub", name: "x".repeat(2000), status: "operational", group_id: null, position: 1, group: false }] }));
before(async () => {
  const summary = fixture("E1", "payload.json");
  origin = http.createServer((req, res) => {
    hits++;
    const body = req.url.startsWith("/api/v2/summary.json") ? summary : BIG;
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  await new Promise((ok) => origin.listen(0, "127.0.0.1", ok));
  proxy = await startProxy({
    upstream: `http://127.0.0.1:${origin.address().port}`, policy: fixture("E1", "policy.json").toString(), upstreamCache: false,
    cacheLimits: { maxEntryBytes: 1024 },
    routes: [{ path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 60 } }],
  });
});
after(async () => { await proxy?.close(); await new Promise((ok) => { origin?.closeAllConnections(); origin?.close(ok); }); });

test("proxy: a filtered copy over cacheLimits.maxEntryBytes is filtered again each time, a small one is kept", async () => {
  hits = 0;
  for (let i = 0; i < 3; i++) assert.equal((await rawGet(proxy.port, "/api/v2/components.json")).status, 200);
  assert.equal(hits, 3, "the 2 KB copy is over the 1 KiB cap: not kept");
  hits = 0;
  for (let i = 0; i < 3; i++) {
    const r = await rawGet(proxy.port, "/api/v2/summary.json");
    assert.equal(r.status, 200);
    assertNoCanary(r.body, "summary");
  }
  assert.ok(hits <= 1, `the small copy is kept (${hits} upstream requests)`);
});
