// What the edge no longer does on every request (issue 15, throughput) and the rules that
// keep it correct: verified tokens remembered (never past exp, never for other bytes),
// compiled viewers reused (disposed only when no request holds them), the upstream body
// copied for the worker pool only when another request shares it, filtered bytes handed to
// the Node server as they are.
//   node --test tests/node/edge-per-request.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { verifiedTokens } from "../../edge/src/token-cache.js";
import { viewerCache } from "../../edge/src/viewer-cache.js";
import { upstreamCache } from "../../edge/src/upstream-cache.js";
import { upstreamClient, UpstreamError } from "../../edge/src/upstream.js";
import { respond, bytesOf, bytesResponse } from "../../edge/src/responses.js";
import { memoryCache } from "../../edge/src/memory-cache.js";
import { compileIdentity, IdentityError } from "../../edge/src/index.js";
import { HS_SECRET, ISSUER, AUDIENCE, sign, personas } from "../../edge/testing/harness.mjs";

test("verified tokens end at exp + clock tolerance, or after maxAgeSeconds, whichever is first", () => {
  let t = 0;
  const c = verifiedTokens({ maxAgeSeconds: 60, clockToleranceSeconds: 30, now: () => t });
  c.put("tok-a", { sub: "a" }, 100);      // exp + tolerance = 130 s: the 60 s bound comes first
  t = 59_999; assert.deepEqual(c.get("tok-a"), { sub: "a" });
  t = 60_000; assert.equal(c.get("tok-a"), undefined, "60 s bound");
  t = 100_000;
  c.put("tok-b", { sub: "b" }, 120);      // exp + tolerance = 150 s, before now + 60 s
  t = 149_999; assert.deepEqual(c.get("tok-b"), { sub: "b" });
  t = 150_000; assert.equal(c.get("tok-b"), undefined, "exp + tolerance");
  c.put("tok-c", { sub: "c" }, 100);      // already past exp + tolerance: not kept
  assert.equal(c.get("tok-c"), undefined);
  assert.equal(c.get("tok-never-put"), undefined);
});

test("verified tokens: 0 keeps nothing; the oldest goes first at the bound; claims are frozen", () => {
  const off = verifiedTokens({ maxAgeSeconds: 0 });
  off.put("t", { sub: "x" }, undefined);
  assert.equal(off.get("t"), undefined);
  const c = verifiedTokens({ maxEntries: 2 });
  for (const k of ["1", "2", "3"]) c.put(k, { sub: k }, undefined);
  assert.equal(c.get("1"), undefined);
  assert.deepEqual([c.get("2")?.sub, c.get("3")?.sub], ["2", "3"]);
  assert.ok(Object.isFrozen(c.get("3")));
});

test("identity: a remembered token still needs its exact bytes, and expires with its exp", async () => {
  const id = compileIdentity({ algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 0 });
  const req = (token) => new Request("http://edge.test/api/v2/summary.json", { headers: { authorization: `Bearer ${token}` } });
  // exp 2 s ahead (whole seconds): at least a second to verify it twice, even on a loaded machine.
  const token = await sign(personas.staff.claims, { exp: 2 });
  const first = await id.claimsFor(req(token));
  assert.equal(first.claims.sub, personas.staff.claims.sub);
  assert.deepEqual((await id.claimsFor(req(token))).claims, first.claims);
  // Same header and payload, another signature: verified again, and refused.
  const [h, p, s] = token.split(".");
  const forged = `${h}.${p}.${s[0] === "A" ? "B" : "A"}${s.slice(1)}`; // the first character: 6 bits of the MAC
  await assert.rejects(id.claimsFor(req(forged)), IdentityError);
  const exp = JSON.parse(Buffer.from(p, "base64url")).exp;
  await new Promise((ok) => setTimeout(ok, Math.max(0, exp * 1000 - Date.now()) + 20));
  await assert.rejects(id.claimsFor(req(token)), (e) => e instanceof IdentityError && e.description === "token expired");
});

/** A stand-in Policy: counts compiles, viewers record dispose(). */
function fakePolicy() {
  const made = [];
  return {
    made,
    viewer(text) {
      if (JSON.parse(text).bad) throw Object.assign(new Error("claims"), { code: "claims" });
      const v = { text, disposed: false, keys: 0, dispose() { this.disposed = true; }, audienceKey({ format }) { this.keys++; return `${format}:${text}`; } };
      made.push(v);
      return v;
    },
  };
}

test("viewer cache: one compile per claims text, audience keys per format, bad claims not kept", () => {
  const policy = fakePolicy();
  const cache = viewerCache(policy, 8);
  const a1 = cache.acquire({ sub: "a" }), a2 = cache.acquire({ sub: "a" }), b = cache.acquire({ sub: "b" });
  assert.equal(a1.viewer, a2.viewer);
  assert.notEqual(a1.viewer, b.viewer);
  assert.equal(policy.made.length, 2);
  assert.equal(a1.audienceKey("statuspage"), 'statuspage:{"sub":"a"}');
  assert.equal(a2.audienceKey("statuspage"), 'statuspage:{"sub":"a"}');
  assert.equal(a1.audienceKey("confluence"), 'confluence:{"sub":"a"}');
  assert.equal(a1.viewer.keys, 2, "asked once per format");
  assert.throws(() => cache.acquire({ bad: true }), { code: "claims" });
  assert.throws(() => cache.acquire({ bad: true }), { code: "claims" });
  assert.equal(cache.size, 2);
});

test("viewer cache: an evicted viewer is disposed once the last request holding it releases it", () => {
  const policy = fakePolicy();
  const cache = viewerCache(policy, 1);
  const a = cache.acquire({ sub: "a" });
  cache.acquire({ sub: "b" }).release();          // evicts a, which a request still holds
  assert.equal(a.viewer.disposed, false);
  a.release();
  assert.equal(a.viewer.disposed, true);
  a.release();                                     // twice: no effect
  const none = viewerCache(fakePolicy(), 0).acquire({ sub: "c" });
  assert.equal(none.viewer.disposed, false);
  none.release();
  assert.equal(none.viewer.disposed, true, "maxEntries 0: released viewers are disposed");
});

test("upstream cache: an uncached body only one request asked for is that request's own", async () => {
  const cache = upstreamCache();
  const load = async () => ({ status: 200, headers: new Headers(), bytes: new Uint8Array([1]), bytesIn: 1 });
  const alone = await cache.get("k", load);
  assert.equal(alone.via, "uncached");
  assert.equal(alone.shared, false);
  const [x, y] = await Promise.all([cache.get("k", load), cache.get("k", load)]);
  assert.deepEqual([x.shared, y.shared, y.via], [true, true, "coalesced"]);
  const kept = async () => ({ status: 200, headers: new Headers({ "cache-control": "max-age=60" }), bytes: new Uint8Array([2]), bytesIn: 1 });
  assert.equal((await cache.get("stored", kept)).shared, true);
});

test("upstream bodies: a declared length is read whole into one buffer; without one the read stops at the limit", async () => {
  const client = (make) => upstreamClient({ upstream: "http://origin.test", fetch: async () => make(), maxPayload: 8, timeoutMs: 5000 });
  const get = (make) => client(make).fetchJson("/x.json", "", new Request("http://edge.test/x.json"));
  const body = new TextEncoder().encode('{"a":12}');
  const sized = await get(() => new Response(body, { headers: { "content-length": "8" } }));
  assert.deepEqual([...sized.bytes], [...body]);
  let pulls = 0;
  const endless = () => new Response(new ReadableStream({ pull(c) { pulls++; c.enqueue(new Uint8Array(4)); } }));
  await assert.rejects(get(endless), { reason: "payload too large" });
  assert.ok(pulls < 10, `stopped reading at the limit (${pulls} chunks)`);
  await assert.rejects(get(() => new Response(body, { headers: { "content-length": "9" } })), { reason: "payload too large" });
  // A body longer than it declared (only a hand-made Response can be): refused, never kept whole.
  await assert.rejects(get(() => new Response(new Uint8Array(9), { headers: { "content-length": "8" } })), (e) => e instanceof UpstreamError);
});

test("respond: the filtered bytes of a 200 are available to the Node server, not of a HEAD or 304", async () => {
  const body = new TextEncoder().encode('{"ok":true}');
  const info = {};
  const ok = respond(new Request("http://e.test/x"), body, '"e1"', new Headers(), info);
  assert.equal(bytesOf(ok), body);
  assert.equal(await ok.text(), '{"ok":true}');
  assert.equal(bytesOf(respond(new Request("http://e.test/x", { method: "HEAD" }), body, '"e1"', new Headers(), info)), undefined);
  const notModified = respond(new Request("http://e.test/x", { headers: { "if-none-match": '"e1"' } }), body, '"e1"', new Headers(), info);
  assert.equal(notModified.status, 304);
  assert.equal(bytesOf(notModified), undefined);
  assert.equal(bytesOf(new Response(body)), undefined);
});

test("bytesResponse: shared bytes reach a reader of the body as a copy; the memory cache keeps and returns the bytes", async () => {
  const kept = new TextEncoder().encode('{"kept":1}');
  const res = bytesResponse(kept, { headers: { "cache-control": "public, max-age=60" } }, { shared: true });
  const read = new Uint8Array(await res.arrayBuffer());
  read[2] = 0x58;
  assert.equal(new TextDecoder().decode(kept), '{"kept":1}', "a reader cannot change the cached bytes");
  const cache = memoryCache();
  await cache.put("k", bytesResponse(kept, { headers: { "cache-control": "public, max-age=60" } }, { shared: true }));
  const hit = await cache.match("k");
  assert.equal(bytesOf(hit), kept);
  if (typeof process === "object") {
    // Nothing is copied for a body nobody reads (Node: the body is a lazy one-chunk stream).
    const slice = Uint8Array.prototype.slice;
    let copies = 0;
    Uint8Array.prototype.slice = function (...a) { copies++; return slice.apply(this, a); };
    try { bytesResponse(kept, {}, { shared: true }); await new Promise((ok) => setTimeout(ok, 5)); } finally { Uint8Array.prototype.slice = slice; }
    assert.equal(copies, 0);
  }
  assert.equal(await hit.text(), '{"kept":1}');
  await cache.put("other", new Response("plain", { headers: { "cache-control": "max-age=60" } }));
  assert.equal(new TextDecoder().decode(bytesOf(await cache.match("other"))), "plain");
});
