// Review finding F7 (round 8): audience-cached routes answered `Cache-Control: public,
// max-age=N` to every viewer and relied on `Vary: Authorization, Cookie, x-keyhole-share` to
// keep a shared cache downstream from mixing them. `public` lets a shared cache store an
// authenticated response (RFC 9111 §3.5), and several CDNs ignore Vary (Cloudflare honours it
// for Accept-Encoding only): staff's copy would be served to anonymous viewers. Now only a
// request without credentials (no Authorization, Cookie, share header or share parameter) is
// answered `public`; any other `private, max-age=N`. The edge's own cache still keeps the copy.
//   node --test tests/node/edge-downstream-cache-control.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { decodingOrigin, startProxy, rawGet, fixture, token, identity, assertNoCanary, SHARE_SECRET } from "./edge-findings-lib.mjs";

let origin, proxy;
const logs = [];
before(async () => {
  origin = await decodingOrigin({ "/api/v2/summary.json": fixture("E1", "payload.json") });
  proxy = await startProxy({
    upstream: origin.url, policy: fixture("E1", "policy.json").toString(), identity: identity(), share: { secret: SHARE_SECRET },
    routes: [{ path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 30 } }],
    log: (e) => logs.push(e),
  });
});
after(async () => { await proxy?.close(); await origin?.close(); });

const staff = () => ({ authorization: `Bearer ${token({ sub: "u-staff", email: "sue@acme.example" })}` });

test("credentialed requests get private, max-age; anonymous ones public, max-age; misses and hits alike", async () => {
  for (let round = 0; round < 2; round++) {   // the second round is answered from the edge's cache
    const s = await rawGet(proxy.port, "/api/v2/summary.json", staff());
    assert.equal(s.status, 200);
    assert.ok(s.body.includes("CANARY-SECRET-COMPONENT"), "staff sees the component");
    assert.equal(s.headers["cache-control"], "private, max-age=30", `staff, round ${round}`);
    const a = await rawGet(proxy.port, "/api/v2/summary.json");
    assertNoCanary(a.body, "anonymous");
    assert.equal(a.headers["cache-control"], "public, max-age=30", `anonymous, round ${round}`);
    assert.match(a.headers.vary, /Authorization/);
  }
  assert.ok(logs.filter((e) => e.cache === "hit").length >= 2, "both audiences were answered from the edge cache");
});

test("a cookie, a share header or a share parameter makes the answer private too", async () => {
  for (const [p, h] of [["/api/v2/summary.json", { cookie: "x=1" }], ["/api/v2/summary.json", { "x-keyhole-share": "abc.def" }],
                        ["/api/v2/summary.json?share=abc.def", {}]]) {
    const r = await rawGet(proxy.port, p, h);
    assert.equal(r.status, 200, p);
    assertNoCanary(r.body, p);
    assert.equal(r.headers["cache-control"], "private, max-age=30", `${p} ${JSON.stringify(h)}`);
  }
});
