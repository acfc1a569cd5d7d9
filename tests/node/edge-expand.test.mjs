// Finding R1, edge part (SPEC §6 amended): Confluence v1 names a page's read restrictions only
// under `_expandable` unless asked, and the core now hides such pages (unknown restrictions).
// The edge adds restrictions.read.restrictions.user/group to the `expand` of every upstream
// Confluence v1 content and search request, merged with the caller's. The sample origin
// honours `expand` like Confluence, so the demo personas see what they saw before.
//   node --test tests/node/edge-expand.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createEdgeFilter } from "../../edge/src/index.js";
import { addRestrictionExpands } from "../../edge/src/confluence-expand.js";
import { startSampleOrigin } from "../../edge/sample-origin/server.mjs";
import { POLICY_TEXT, JSM_POLICY_TEXT, HS_SECRET, SHARE_SECRET, ISSUER, AUDIENCE, checkAllPersonas } from "../../edge/testing/harness.mjs";
import { decodingOrigin, startProxy, rawGet, fixture, assertNoCanary } from "./edge-findings-lib.mjs";

const NEED = ["restrictions.read.restrictions.user", "restrictions.read.restrictions.group"];
// The demo policy with embedded restrictions on: pages are shown only when their (empty)
// restrictions are carried, i.e. only because the edge asked for them.
const STRICT_POLICY = JSON.stringify({ ...JSON.parse(POLICY_TEXT), articles: { ...JSON.parse(POLICY_TEXT).articles, "embedded-restrictions": true } });
let origin, seen = [];

const config = (extra = {}) => ({
  policy: STRICT_POLICY, upstream: origin.url,
  identity: { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE },
  share: { secret: SHARE_SECRET },
  fetch: (req) => { seen.push(new URL(req.url)); return fetch(req); },
  routes: [
    { path: "/api/v2/**", format: "statuspage" },
    { path: "/wiki/rest/api/content", format: "confluence" },
    { path: "/wiki/rest/api/content/*", format: "confluence" },
    { path: "/wiki/rest/api/search", format: "confluence" },
    { path: "/rest/api/content/search", format: "auto" },
    { path: "/wiki/api/v2/pages", format: "confluence" },
    { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm", policy: JSM_POLICY_TEXT },
  ],
  ...extra,
});

before(async () => { origin = await startSampleOrigin(); });
after(async () => { await origin?.close(); });

/** The expand list the upstream request for `path` carried. */
async function upstreamExpand(edge, path) {
  seen = [];
  await edge.fetch(new Request(`http://edge.test${path}`));
  assert.equal(seen.length, 1, path);
  return seen[0].searchParams.getAll("expand").join(",").split(",").filter(Boolean);
}

test("Confluence v1 content and search go upstream with the read restrictions expanded", async () => {
  const edge = createEdgeFilter(config());
  assert.deepEqual(await upstreamExpand(edge, "/wiki/rest/api/content"), NEED);
  assert.deepEqual(await upstreamExpand(edge, "/wiki/rest/api/content/98000"), NEED);
  assert.deepEqual(await upstreamExpand(edge, "/wiki/rest/api/content/98000?expand=space,ancestors&expand=body.view"), ["space", "ancestors", "body.view", ...NEED]);
  assert.deepEqual(await upstreamExpand(edge, `/wiki/rest/api/content/98000?expand=${NEED[1]},space,,${NEED[1]}`), [NEED[1], "space", NEED[0]]);
  assert.deepEqual(await upstreamExpand(edge, "/rest/api/content/search?cql=type=page"), NEED);
  assert.deepEqual(await upstreamExpand(edge, "/wiki/rest/api/search?cql=x"), [...NEED, ...NEED.map((e) => `content.${e}`)]);
});

test("v2 pages, JSM and Statuspage requests are left as they are", async () => {
  const edge = createEdgeFilter(config());
  assert.deepEqual(await upstreamExpand(edge, "/wiki/api/v2/pages"), []);
  assert.deepEqual(await upstreamExpand(edge, "/rest/servicedeskapi/knowledgebase/article?expand=x"), ["x"]);
  assert.deepEqual(await upstreamExpand(edge, "/api/v2/summary.json"), []);
  const p = new URLSearchParams("expand=a");
  addRestrictionExpands(p, "/wiki/rest/api/content", "pass-through");
  assert.equal(p.toString(), "expand=a");
});

test("the sample origin names restrictions under _expandable unless asked, like Confluence", async () => {
  const plain = await (await fetch(`${origin.url}/wiki/rest/api/content/98000`)).json();
  assert.equal(plain.restrictions, undefined);
  assert.equal(plain._expandable.restrictions, "/rest/api/content/98000/restriction/byOperation");
  const one = await (await fetch(`${origin.url}/wiki/rest/api/content/98000?expand=${NEED[0]}`)).json();
  assert.deepEqual(one.restrictions.read.restrictions._expandable, { group: "" });
  const both = await (await fetch(`${origin.url}/wiki/rest/api/content?expand=${NEED.join(",")}`)).json();
  assert.ok(both.results.every((c) => Array.isArray(c.restrictions.read.restrictions.user.results)));
});

test("through the proxy, with embedded restrictions on, every persona sees what it saw before", async () => {
  const proxy = await startProxy(config({ fetch: undefined }));
  try {
    await checkAllPersonas(async (p, headers) => {
      const r = await fetch(proxy.url + p, { headers });
      return { status: r.status, headers: r.headers, text: await r.text() };
    });
  } finally { await proxy.close(); }
});

// Needs the core's part of R1 (hide items whose restrictions are only under _expandable).
test("an origin that ignores expand: the page with unknown restrictions is not shown", async () => {
  const bare = await decodingOrigin({ "/wiki/rest/api/content": fixture("R1", "payload.json") });
  const proxy = await startProxy({ upstream: bare.url, policy: fixture("R1", "policy.json").toString(), routes: [{ path: "/wiki/rest/api/content", format: "confluence" }] });
  try {
    const r = await rawGet(proxy.port, "/wiki/rest/api/content");
    assert.ok(/expand=restrictions\.read\.restrictions\.user%2Crestrictions\.read\.restrictions\.group/.test(bare.seen[0]), bare.seen[0]);
    assertNoCanary(r.body, "R1 list");
  } finally { await proxy.close(); await bare.close(); }
});
