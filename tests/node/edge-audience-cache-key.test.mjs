// Review finding F6 (round 8): the audience cache key was the upstream URL with
// `__keyhole_audience=<key>` set as a query parameter. `searchParams.set` overwrote a client's
// own `__keyhole_audience`, but the client's parameter still went upstream, so
// `?z=1&__keyhole_audience=x` (which the origin may answer differently) filled the copy of
// `?z=1` for everyone in that audience. And the viewer's Accept went upstream but was not in
// the key: one viewer's `Accept: application/vnd.poison+json` variant was served to the next.
// The key now has the audience and the Accept in its own path segments, ahead of the upstream
// path and query, so nothing a client sends in the query can reach another entry.
//   node --test tests/node/edge-audience-cache-key.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startProxy, rawGet, fixture } from "./edge-findings-lib.mjs";

const CLEAN = fixture("E1", "payload.json");
const POISON = Buffer.from(CLEAN.toString().replace('"Public API"', '"POISONED-VARIANT"'));
let origin, proxy;

before(async () => {
  // Answers a poisoned (but visible) variant to the client-sent parameter and to an odd Accept.
  origin = http.createServer((req, res) => {
    const poisoned = req.url.includes("__keyhole_audience") || (req.headers.accept ?? "").includes("poison");
    const body = poisoned ? POISON : CLEAN;
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  await new Promise((ok) => origin.listen(0, "127.0.0.1", ok));
  proxy = await startProxy({
    upstream: `http://127.0.0.1:${origin.address().port}`, policy: fixture("E1", "policy.json").toString(), upstreamCache: false,
    routes: [{ path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 60 } }],
  });
});
after(async () => { await proxy?.close(); await new Promise((ok) => { origin?.closeAllConnections(); origin?.close(ok); }); });

test("a client's own __keyhole_audience parameter fills its own entry, not the audience's copy of the plain URL", async () => {
  const key = (await rawGet(proxy.port, "/api/v2/summary.json?probe=1")).headers["x-keyhole-audience"];
  assert.ok(key);
  for (const value of [key, "x"]) {
    const p = await rawGet(proxy.port, `/api/v2/summary.json?z=${value}&__keyhole_audience=${value}`);
    assert.ok(p.body.includes("POISONED-VARIANT"), "the origin's answer to that URL");
    const clean = await rawGet(proxy.port, `/api/v2/summary.json?z=${value}`);
    assert.equal(clean.status, 200);
    assert.ok(!clean.body.includes("POISONED-VARIANT"), `?z=${value} must not get the poisoned entry`);
  }
});

test("one viewer's Accept variant is not served to a viewer with another Accept", async () => {
  const p = await rawGet(proxy.port, "/api/v2/summary.json?acc=1", { accept: "application/vnd.poison+json" });
  assert.ok(p.body.includes("POISONED-VARIANT"));
  for (const h of [{}, { accept: "application/json" }]) {
    const clean = await rawGet(proxy.port, "/api/v2/summary.json?acc=1", h);
    assert.ok(!clean.body.includes("POISONED-VARIANT"), `Accept ${h.accept ?? "(none)"}`);
  }
});

// Review round 9, R9-1: the key is parsed as a URL by workerd's Cache API, so a dot segment
// in it (`Accept: ..`, or `%2e%2e`, `.%2E` after WHATWG parsing) removed the audience
// segment. The key now holds no request text (edge/src/audience-cache-key.js); the workerd
// test with staff and anonymous viewers is in edge-workerd.test.mjs.
test("the key is /aud-<base64url>/req-<sha-256>, and parses back to exactly itself", async () => {
  const { audienceCacheKey } = await import("../../edge/src/audience-cache-key.js");
  const base = { audience: "kh1-0123abcd", accept: "application/json", upstreamPath: "/api/v2/summary.json", search: "" };
  const seen = new Set();
  for (const accept of ["..", ".", "%2e%2e", ".%2E", "%2e", "a/../b", "..\\", "?x", "#x", "application/json"]) {
    for (const part of [{ accept }, { search: `?q=${accept}` }, { upstreamPath: `/api/${accept}` }, { audience: accept }]) {
      const key = await audienceCacheKey({ ...base, ...part });
      assert.match(key, /^https:\/\/keyhole-cache\.invalid\/aud-[A-Za-z0-9_-]+\/req-[0-9a-f]{64}$/, JSON.stringify(part));
      assert.equal(new URL(key).href, key);
      seen.add(key);
    }
  }
  assert.equal(seen.size, 40, "every variant has a key of its own");
  const anon = await audienceCacheKey({ ...base, audience: "kh1-anon", accept: ".." });
  const staff = await audienceCacheKey({ ...base, audience: "kh1-staff", accept: ".." });
  assert.notEqual(anon, staff);
  assert.ok(new URL(staff).pathname.startsWith("/aud-" + Buffer.from("kh1-staff").toString("base64url") + "/"));
});

test("a key that would not parse back to itself, or a missing part, is no key: not cached", async () => {
  const { audienceCacheKey, checkedKey } = await import("../../edge/src/audience-cache-key.js");
  for (const [a, b] of [["aud-x", ".."], ["aud-x", "%2e%2e"], ["aud-x", ".%2E"], ["..", "req-1"], ["aud-x", "a/../b"], ["aud-x", "r?q"], ["aud-x", "r#h"], ["aud-x", "a\\b"]]) {
    assert.equal(checkedKey(a, b), null, `${a}/${b}`);
  }
  assert.equal(checkedKey("aud-x", "req-1"), "https://keyhole-cache.invalid/aud-x/req-1");
  for (const bad of [{ audience: "" }, { audience: undefined }, { accept: null }, { search: 1 }]) {
    assert.equal(await audienceCacheKey({ audience: "a", accept: "b", upstreamPath: "/c", search: "", ...bad }), null, JSON.stringify(bad));
  }
});
