// CORS on the edge (issue 15): allowed origins, credentials only for listed origins and never
// with `*`, `Vary: Origin` on every response, preflight answered without touching the origin.
// Through the real proxy (serveNode) against the sample origin on loopback.
//   node --test tests/node/edge-cors.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createEdgeFilter, ConfigError } from "../../edge/src/index.js";
import { serveNode } from "../../edge/src/node-server.js";
import { startSampleOrigin } from "../../edge/sample-origin/server.mjs";
import { POLICY_TEXT, HS_SECRET, ISSUER, AUDIENCE, personaHeaders } from "../../edge/testing/harness.mjs";

const A = "https://status-embed.example";
const B = "https://evil.example";
let origin, upstreamCalls = 0;
const proxies = [];

async function proxy(cors, extra = {}) {
  const edge = createEdgeFilter({
    policy: POLICY_TEXT, upstream: origin.url, cors,
    identity: { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE },
    routes: [{ path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 30 } }],
    fetch: (req) => { upstreamCalls++; return fetch(req); },
    upstreamCache: false,
    ...extra,
  });
  const p = await serveNode(edge, { port: 0 });
  proxies.push(p);
  return p.url;
}
const vary = (r) => (r.headers.get("vary") ?? "").split(",").map((s) => s.trim().toLowerCase());

before(async () => { origin = await startSampleOrigin(); });
after(async () => { for (const p of proxies) await p.close(); await origin.close(); });

test("config: cors is checked (no * with credentials, origins are origins)", () => {
  const base = { policy: POLICY_TEXT, upstream: "http://127.0.0.1:1" };
  const bad = [
    [{ origins: ["*"], credentials: true }, "/cors/origins/0"],
    [{ origins: [A, "*"], credentials: true }, "/cors/origins/1"],
    [{ origins: ["status-embed.example"] }, "/cors/origins/0"],
    [{ origins: [`${A}/`] }, "/cors/origins/0"],
    [{ origins: [A], credential: true }, "/cors/credential"],
    [{ credentials: true }, "/cors/origins"],
    [{ origins: [A], maxAge: -1 }, "/cors/maxAge"],
  ];
  for (const [cors, pointer] of bad) {
    assert.throws(() => createEdgeFilter({ ...base, cors }), (e) => e instanceof ConfigError && e.pointer === pointer, JSON.stringify(cors));
  }
  createEdgeFilter({ ...base, cors: { origins: [A, "http://localhost:8080"], credentials: true, maxAge: 60 } });
  createEdgeFilter({ ...base, cors: { origins: ["*"] } });
});

test("no cors config: no CORS headers, OPTIONS is 405", async () => {
  const url = await proxy(undefined);
  const r = await fetch(`${url}/api/v2/summary.json`, { headers: { origin: A } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("access-control-allow-origin"), null);
  const o = await fetch(`${url}/api/v2/summary.json`, { method: "OPTIONS", headers: { origin: A, "access-control-request-method": "GET" } });
  assert.equal(o.status, 405);
});

test("listed origin with credentials: echoed, Allow-Credentials; unlisted: nothing; Vary: Origin everywhere", async () => {
  const url = await proxy({ origins: [A], credentials: true, maxAge: 120 });
  const staff = await personaHeaders("staff");
  const a = await fetch(`${url}/api/v2/summary.json`, { headers: { origin: A, ...staff } });
  assert.equal(a.status, 200);
  assert.equal(a.headers.get("access-control-allow-origin"), A);
  assert.equal(a.headers.get("access-control-allow-credentials"), "true");
  assert.match(a.headers.get("access-control-expose-headers"), /ETag/);
  assert.ok(vary(a).includes("origin") && vary(a).includes("authorization"), a.headers.get("vary"));
  await a.arrayBuffer();
  const b = await fetch(`${url}/api/v2/summary.json`, { headers: { origin: B, ...staff } });
  assert.equal(b.status, 200);
  assert.equal(b.headers.get("access-control-allow-origin"), null);
  assert.equal(b.headers.get("access-control-allow-credentials"), null);
  assert.ok(vary(b).includes("origin"));
  await b.arrayBuffer();
  const none = await fetch(`${url}/api/v2/summary.json`);
  assert.ok(vary(none).includes("origin"));
  assert.equal(none.headers.get("access-control-allow-origin"), null);
  const etag = none.headers.get("etag");
  await none.arrayBuffer();
  // 304, 401 and 404 carry them too.
  const nm = await fetch(`${url}/api/v2/summary.json`, { headers: { origin: A, "if-none-match": etag } });
  assert.equal(nm.status, 304);
  assert.equal(nm.headers.get("access-control-allow-origin"), A);
  const bad = await fetch(`${url}/api/v2/summary.json`, { headers: { origin: A, authorization: "Bearer x.y.z" } });
  assert.equal(bad.status, 401);
  assert.equal(bad.headers.get("access-control-allow-origin"), A);
  assert.ok(vary(bad).includes("origin"));
  await bad.arrayBuffer();
  const nf = await fetch(`${url}/nowhere`, { headers: { origin: A } });
  assert.equal(nf.status, 404);
  assert.ok(vary(nf).includes("origin"));
  await nf.arrayBuffer();
});

test("preflight: answered by the edge, never the origin; only GET/HEAD and the known headers", async () => {
  const url = await proxy({ origins: [A], credentials: true, maxAge: 120 });
  const before = upstreamCalls;
  const pre = (origin, method, headers) => fetch(`${url}/api/v2/summary.json`, {
    method: "OPTIONS", headers: { origin, "access-control-request-method": method, ...(headers ? { "access-control-request-headers": headers } : {}) },
  });
  const ok = await pre(A, "GET", "authorization, x-keyhole-share");
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get("access-control-allow-origin"), A);
  assert.equal(ok.headers.get("access-control-allow-credentials"), "true");
  assert.equal(ok.headers.get("access-control-allow-methods"), "GET, HEAD");
  assert.equal(ok.headers.get("access-control-allow-headers"), "authorization, x-keyhole-share");
  assert.equal(ok.headers.get("access-control-max-age"), "120");
  assert.ok(vary(ok).includes("origin"));
  for (const [o, m, h] of [[B, "GET"], [A, "POST"], [A, "GET", "x-evil"], ["null", "GET"]]) {
    const r = await pre(o, m, h);
    assert.equal(r.status, 403, `${o} ${m} ${h}`);
    assert.equal(r.headers.get("access-control-allow-origin"), null);
    assert.ok(vary(r).includes("origin"));
    await r.arrayBuffer();
  }
  // Preflight on a path no route serves is still answered without the origin.
  assert.equal((await pre(A, "GET")).status, 204);
  assert.equal(upstreamCalls, before, "a preflight reached the origin");
});

test("\"*\" without credentials: Allow-Origin *, never Allow-Credentials", async () => {
  const url = await proxy({ origins: ["*"] });
  for (const o of [A, B]) {
    const r = await fetch(`${url}/api/v2/summary.json`, { headers: { origin: o } });
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
    assert.equal(r.headers.get("access-control-allow-credentials"), null);
    await r.arrayBuffer();
  }
  // Listed alongside "*" without credentials: still no Allow-Credentials.
  const url2 = await proxy({ origins: [A, "*"], credentials: false });
  const r = await fetch(`${url2}/api/v2/summary.json`, { headers: { origin: A } });
  assert.equal(r.headers.get("access-control-allow-origin"), A);
  assert.equal(r.headers.get("access-control-allow-credentials"), null);
  await r.arrayBuffer();
});
