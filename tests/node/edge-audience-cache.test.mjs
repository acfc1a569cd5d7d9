// Finding E2, edge part: with no `articles` section the audience key left out `sub` and groups
// although the payload's embedded read restrictions still decide, so the per-audience cache
// served alice's copy of page 777 to bob. Two viewers with the same atoms and grants but a
// different restriction-listed `sub` must never get each other's copy. (Needs the core's fix
// of the audience key; until it lands the third check fails.)
//   node --test tests/node/edge-audience-cache.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createShareToken } from "../../edge/src/index.js";
import { decodingOrigin, startProxy, rawGet, fixture, token, identity, assertNoCanary, SHARE_SECRET } from "./edge-findings-lib.mjs";

let origin, proxy, link;
const claims = (name) => JSON.parse(fixture("E2", `claims-${name}.json`));
const page = (q, who) => rawGet(proxy.port, `/wiki/rest/api/content/777?r=${q}&share=${encodeURIComponent(link)}`, { authorization: `Bearer ${token(who)}` });

before(async () => {
  origin = await decodingOrigin({ "/wiki/rest/api/content/777": fixture("E2", "payload.json") });
  proxy = await startProxy({
    upstream: origin.url, policy: fixture("E2", "policy.json").toString(), identity: identity(), share: { secret: SHARE_SECRET },
    routes: [{ path: "/wiki/rest/api/content/*", format: "confluence", cache: { audience: true, maxAge: 60 } }],
  });
  // The review's viewers hold grant article:777; here it comes from a domain share link.
  link = await createShareToken(SHARE_SECRET, { resources: claims("alice").grants, domains: ["partner.example"], ttlSeconds: 600 });
});
after(async () => { await proxy?.close(); await origin?.close(); });

const viewer = (name) => { const { grants, ...c } = claims(name); return c; };

test("controls: alice (listed in the read restrictions) 200, bob alone 404", async () => {
  const a = await page("alone-a", viewer("alice"));
  assert.equal(a.status, 200);
  assert.ok(a.body.includes("CANARY-ONLY-FOR-ALICE"));
  const b = await page("alone-b", viewer("bob"));
  assert.equal(b.status, 404);
  assertNoCanary(b.body, "bob alone");
});

test("bob right after alice, same URL: never alice's cached copy", async () => {
  const a = await page("shared", viewer("alice"));
  assert.equal(a.status, 200);
  const b = await page("shared", viewer("bob"));
  assert.equal(b.status, 404, "bob must not get alice's copy");
  assertNoCanary(b.body, "bob after alice");
  assert.notEqual(b.headers["x-keyhole-audience"], a.headers["x-keyhole-audience"]);
});

test("other viewers of the same domain and atoms, after alice: none gets her copy", async () => {
  await page("many", viewer("alice"));
  for (const sub of ["bob", "carol", "alice2", "ALICE", "alice "]) {
    const r = await page("many", { sub, email: `${sub.trim().toLowerCase() || "x"}@partner.example` });
    assert.equal(r.status, 404, `${JSON.stringify(sub)} got ${r.status}`);
    assertNoCanary(r.body, sub);
  }
});
