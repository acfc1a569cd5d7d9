// Incident spike (issue 15): concurrent upstream fetches of one URL are coalesced, the origin's
// body is kept as its Cache-Control allows and revalidated with If-None-Match, so thousands of
// viewers of a few audiences reach the origin a handful of times, each audience getting exactly
// its own filtered bytes. Everything on loopback, bounded (2,000 requests, 50 connections).
//   node --test tests/node/edge-spike.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadKeyhole } from "@keyhole/wasm";
import { createEdgeFilter } from "../../edge/src/index.js";
import { serveNode } from "../../edge/src/node-server.js";
import { upstreamCache, sharedFreshness } from "../../edge/src/upstream-cache.js";
import { DATA_DIR } from "../../edge/sample-origin/server.mjs";
import { POLICY_TEXT, HS_SECRET, ISSUER, AUDIENCE, personas, sign, forbiddenFor, assertNoCanary } from "../../edge/testing/harness.mjs";

const SUMMARY = readFileSync(join(DATA_DIR, "summary.json"));
const AUDIENCES = ["anonymous", "signedup", "globex", "initech", "staff"];

/** An origin that counts requests per path and mode; ?cc= picks the Cache-Control. */
function startOrigin() {
  const o = { hits: 0, full: 0, notModified: 0, seen: [], body: SUMMARY, etag: '"v1"', cc: "public, max-age=60", delayMs: 20 };
  o.server = createServer((req, res) => {
    o.hits++;
    o.seen.push({ url: req.url, headers: req.headers });
    setTimeout(() => {
      if (req.headers["if-none-match"] === o.etag) {
        o.notModified++;
        res.writeHead(304, { etag: o.etag, ...(o.cc ? { "cache-control": o.cc } : {}) });
        return res.end();
      }
      o.full++;
      res.writeHead(200, { "content-type": "application/json", "content-length": o.body.length, etag: o.etag, ...(o.cc ? { "cache-control": o.cc } : {}), ...(o.setCookie ? { "set-cookie": "s=1" } : {}) });
      res.end(o.body);
    }, o.delayMs);
  });
  return new Promise((ok) => o.server.listen(0, "127.0.0.1", () => { o.url = `http://127.0.0.1:${o.server.address().port}`; ok(o); }));
}

let origin, proxy, kh, policy;
const reset = (patch = {}) => Object.assign(origin, { hits: 0, full: 0, notModified: 0, seen: [], body: SUMMARY, etag: '"v1"', cc: "public, max-age=60", setCookie: false, delayMs: 20 }, patch);

async function startProxy(extra = {}) {
  const edge = createEdgeFilter({
    policy: POLICY_TEXT, upstream: origin.url,
    identity: { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE },
    routes: [{ path: "/api/v2/**", format: "statuspage" }],
    ...extra,
  });
  await edge.ready();
  return serveNode(edge, { port: 0 });
}

/** 50 viewers, 10 per audience, each with its own token (own sub), and the bytes it must get. */
async function viewers() {
  const list = [];
  for (let i = 0; i < 50; i++) {
    const aud = AUDIENCES[i % AUDIENCES.length];
    const claims = personas[aud].claims.sub ? { ...personas[aud].claims, sub: `${personas[aud].claims.sub}-${i}` } : {};
    const headers = claims.sub ? { authorization: `Bearer ${await sign(claims)}` } : {};
    const v = policy.viewer(claims);
    const expected = Buffer.from(v.filter(SUMMARY, { format: "statuspage" }));
    v.dispose();
    list.push({ aud, headers, expected });
  }
  return list;
}

/** `total` GETs of path spread over the viewers, `viewers.length` at a time. */
async function spike(url, list, total) {
  let next = 0, errors = 0, wrong = 0;
  const byAudience = new Map();
  await Promise.all(list.map(async (v) => {
    while (next < total) {
      next++;
      try {
        const r = await fetch(url, { headers: v.headers });
        const body = Buffer.from(await r.arrayBuffer());
        if (r.status !== 200) { errors++; continue; }
        if (!body.equals(v.expected)) wrong++;
        byAudience.set(v.aud, (byAudience.get(v.aud) ?? 0) + 1);
      } catch { errors++; }
    }
  }));
  return { errors, wrong, byAudience };
}

before(async () => {
  origin = await startOrigin();
  kh = await loadKeyhole();
  policy = kh.compilePolicy(POLICY_TEXT);
});
after(async () => { policy?.dispose?.(); await origin?.close?.(); origin?.server.closeAllConnections(); origin?.server.close(); });

test("the five audiences are five different filtered copies", async () => {
  const list = await viewers();
  const distinct = new Set(list.map((v) => v.expected.toString("base64")));
  assert.equal(distinct.size, AUDIENCES.length);
  for (const v of list) assertNoCanary(v.expected.toString(), forbiddenFor(v.aud, false), v.aud);
});

for (const audienceCache of [false, true]) {
  test(`spike: 2,000 requests, 50 viewers of 5 audiences, audience cache ${audienceCache ? "on" : "off"}: a handful of origin hits, 0 errors, no foreign bytes`, async () => {
    reset();
    const routes = [{ path: "/api/v2/**", format: "statuspage", ...(audienceCache ? { cache: { audience: true, maxAge: 30 } } : {}) }];
    const p = await startProxy({ routes, cache: audienceCache ? "auto" : false });
    try {
      const list = await viewers();
      const t0 = Date.now();
      const r = await spike(`${p.url}/api/v2/summary.json`, list, 2000);
      const ms = Date.now() - t0;
      console.log(`# spike (audience cache ${audienceCache ? "on" : "off"}): 2000 requests in ${ms} ms, origin hit ${origin.hits} time(s), ${r.errors} errors, ${r.wrong} wrong bodies, per audience ${JSON.stringify(Object.fromEntries(r.byAudience))}`);
      assert.equal(r.errors, 0);
      assert.equal(r.wrong, 0, "an audience got bytes that are not its own");
      assert.ok(origin.hits <= 3, `origin hit ${origin.hits} times`);
      assert.equal([...r.byAudience.values()].reduce((a, b) => a + b, 0), 2000);
      // Nothing of the viewer reaches the origin (which is why one body can serve them all).
      for (const s of origin.seen) {
        assert.equal(s.headers.authorization, undefined);
        assert.equal(s.headers.cookie, undefined);
      }
    } finally { await p.close(); }
  });
}

test("stale: revalidated with If-None-Match; a 304 keeps the body; a new ETag brings the new body", async () => {
  reset({ cc: "public, max-age=1" });
  const logs = [];
  const p = await startProxy({ cache: false, log: (e) => logs.push(e) });
  try {
    const list = (await viewers()).slice(0, 5); // one per audience
    const get = async (v) => Buffer.from(await (await fetch(`${p.url}/api/v2/summary.json`, { headers: v.headers })).arrayBuffer());
    for (const v of list) assert.ok((await get(v)).equals(v.expected));
    assert.deepEqual([origin.full, origin.notModified], [1, 0]);
    await new Promise((ok) => setTimeout(ok, 1100));
    const again = await Promise.all(list.map(get));
    again.forEach((b, i) => assert.ok(b.equals(list[i].expected)));
    assert.deepEqual([origin.full, origin.notModified], [1, 1]);
    assert.equal(origin.seen.at(-1).headers["if-none-match"], '"v1"');
    assert.ok(logs.some((l) => l.upstream === "revalidated") && logs.some((l) => l.upstream === "coalesced" || l.upstream === "hit"));
    // The origin changes: after max-age the new body (new ETag) is fetched and filtered.
    const changed = JSON.parse(SUMMARY);
    changed.page.name = "Changed page name";
    origin.body = Buffer.from(JSON.stringify(changed));
    origin.etag = '"v2"';
    await new Promise((ok) => setTimeout(ok, 1100));
    const fresh = JSON.parse(await get(list[0]));
    assert.equal(fresh.page.name, "Changed page name");
    assert.deepEqual([origin.full, origin.notModified], [2, 1]);
  } finally { await p.close(); }
});

for (const [label, patch] of [["no-store", { cc: "no-store" }], ["private", { cc: "private, max-age=60" }], ["Set-Cookie", { setCookie: true }], ["no Cache-Control", { cc: "" }]]) {
  test(`${label}: not kept, every later request goes to the origin (concurrent ones still share one fetch)`, async () => {
    reset(patch);
    if (patch.cc === "") origin.cc = undefined;
    const p = await startProxy({ cache: false });
    try {
      const list = (await viewers()).slice(0, 5);
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${p.url}/api/v2/summary.json`, { headers: list[i].headers });
        assert.ok(Buffer.from(await r.arrayBuffer()).equals(list[i].expected));
      }
      assert.equal(origin.hits, 3);
      origin.hits = 0;
      const all = await Promise.all(list.map(async (v) => Buffer.from(await (await fetch(`${p.url}/api/v2/summary.json`, { headers: v.headers })).arrayBuffer())));
      all.forEach((b, i) => assert.ok(b.equals(list[i].expected)));
      assert.ok(origin.hits < 5, `concurrent requests coalesced (${origin.hits} origin hits for 5)`);
    } finally { await p.close(); }
  });
}

test("upstreamCache: false sends every request to the origin; Accept is part of the key", async () => {
  reset();
  let p = await startProxy({ cache: false, upstreamCache: false });
  try {
    for (let i = 0; i < 3; i++) await (await fetch(`${p.url}/api/v2/summary.json`)).arrayBuffer();
    assert.equal(origin.hits, 3);
  } finally { await p.close(); }
  reset();
  p = await startProxy({ cache: false });
  try {
    await (await fetch(`${p.url}/api/v2/summary.json`, { headers: { accept: "application/json" } })).arrayBuffer();
    await (await fetch(`${p.url}/api/v2/summary.json`, { headers: { accept: "application/json" } })).arrayBuffer();
    await (await fetch(`${p.url}/api/v2/summary.json`, { headers: { accept: "application/vnd.other+json" } })).arrayBuffer();
    await (await fetch(`${p.url}/api/v2/summary.json?x=1`)).arrayBuffer();
    assert.equal(origin.hits, 3);
  } finally { await p.close(); }
});

test("sharedFreshness and the cache's bounds", async () => {
  const h = (o) => new Headers(o);
  assert.equal(sharedFreshness(h({ "cache-control": "public, max-age=30" }), 0), 30000);
  assert.equal(sharedFreshness(h({ "cache-control": "max-age=30, s-maxage=5" }), 0), 5000);
  assert.equal(sharedFreshness(h({ "cache-control": "max-age=30", age: "10" }), 0), 20000);
  assert.equal(sharedFreshness(h({ "cache-control": "no-cache" }), 0), 0);
  assert.equal(sharedFreshness(h({ "cache-control": "no-store, max-age=30" }), 0), null);
  assert.equal(sharedFreshness(h({ "cache-control": "private, max-age=30" }), 0), null);
  assert.equal(sharedFreshness(h({ "cache-control": "max-age=30", vary: "*" }), 0), null);
  assert.equal(sharedFreshness(h({}), 0), null);
  const c = upstreamCache({ maxEntries: 2, maxBytes: 10 });
  const load = (n) => async () => ({ status: 200, headers: h({ "cache-control": "max-age=60" }), bytes: new Uint8Array(n), bytesIn: n });
  await c.get("a", load(4)); await c.get("b", load(4)); await c.get("c", load(4));
  assert.equal(c.size, 2);
  assert.ok(c.bytes <= 10);
  await c.get("big", load(11));
  assert.equal(c.size, 2, "an entry over maxBytes is not kept");
  const failing = upstreamCache();
  let calls = 0;
  const boom = async () => { calls++; await new Promise((ok) => setTimeout(ok, 10)); throw new Error("down"); };
  const rs = await Promise.allSettled([failing.get("k", boom), failing.get("k", boom), failing.get("k", boom)]);
  assert.equal(calls, 1);
  assert.ok(rs.every((r) => r.status === "rejected"));
  await assert.rejects(failing.get("k", boom)); // a failure is not kept
  assert.equal(calls, 2);
});
