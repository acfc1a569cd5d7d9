// Review finding F2 (round 8): behind a catch-all pass-through (`/**`), other spellings of a
// filtered path reached the origin unfiltered, because routes are matched exactly while
// origins resolve a looser form: Tomcat/Jetty/Spring cut `;params` from each segment
// (`/api;x/v2/summary.json`), Express ignores case and a trailing slash (`/API/v2/…`,
// `/wiki/rest/api/content/777/`), IIS ignores case and a trailing dot (`/api/v2./…`). A
// pass-through request is now refused (404) when a filtered route matches its loosened form,
// a `;` in a pass-through segment is 400, and pass-through requests carry `upstreamHeaders`
// (the origin's credentials) only where the route says `sendUpstreamHeaders: true`.
//   node --test tests/node/edge-passthrough-spellings.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { startProxy, rawGet, fixture, assertNoCanary } from "./edge-findings-lib.mjs";

const CSS = Buffer.from("body{color:red}");
const FILES = {
  "/api/v2/summary.json": fixture("E1", "payload.json"),
  "/wiki/rest/api/content/777": fixture("E2", "payload.json"),
  "/assets/app.css": CSS,
};

/** An origin as loose as Tomcat, Express and IIS together: `;params` cut, case ignored,
 *  trailing `/` ignored, trailing dots and spaces of a segment dropped. Records each request. */
async function looseOrigin() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    const raw = req.url.split("?")[0].split("/").map((s) => s.split(";")[0]).join("/");
    let p;
    try { p = path.posix.normalize(decodeURIComponent(raw)); } catch { p = raw; }
    p = p.split("/").map((s) => s.replace(/[. ]+$/, "")).join("/").toLowerCase().replace(/\/+$/, "");
    const body = FILES[p];
    if (!body) { res.writeHead(404, { "content-type": "application/json" }); res.end('{"error":"not found"}'); return; }
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

const FILTERED = [
  { path: "/api/v2/**", format: "statuspage" },
  { path: "/wiki/rest/api/content/*", format: "confluence" },
];
const ORIGIN_KEY = { authorization: "OAuth origin-api-key-CANARY-ORIGIN-CREDENTIAL" };
let origin, catchAll, explicit;

before(async () => {
  origin = await looseOrigin();
  const base = { upstream: origin.url, policy: fixture("E1", "policy.json").toString(), upstreamHeaders: ORIGIN_KEY };
  catchAll = await startProxy({ ...base, routes: [...FILTERED, { path: "/**", format: "pass-through" }] });
  explicit = await startProxy({ ...base, routes: [...FILTERED, { path: "/assets/**", format: "pass-through", sendUpstreamHeaders: true }] });
});
after(async () => { await catchAll?.close(); await explicit?.close(); await origin?.close(); });

const SPELLINGS = [
  // Tomcat, Jetty, Spring: `;params` cut from each segment
  "/api;x/v2/summary.json", "/api/v2;x/summary.json", "/wiki;x/rest/api/content/777", "/wiki/rest/api/content;x/777",
  // Express defaults: case-insensitive, trailing slash ignored
  "/API/v2/summary.json", "/Api/V2/Summary.json", "/WIKI/rest/api/content/777", "/wiki/rest/api/CONTENT/777", "/wiki/rest/api/content/777/",
  // IIS / Windows: case-insensitive, trailing dots and spaces dropped
  "/api/v2./summary.json", "/api./v2/summary.json", "/api%20/v2/summary.json",
  "/API./V2../Summary.json",
];

test("no loose spelling of a filtered path passes through to the origin", async () => {
  for (const p of SPELLINGS) {
    origin.seen.length = 0;
    const r = await rawGet(catchAll.port, p);
    assertNoCanary(r.body, p);
    assert.ok(r.status === 400 || r.status === 404, `${p}: HTTP ${r.status}`);
    assert.deepEqual(origin.seen.map((s) => s.url), [], `${p}: must not reach the origin`);
  }
});

test("spellings the filtered routes match themselves: filtered, never passed through", async () => {
  for (const p of ["/api/v2/summary.json;x", "/api/v2/summary.json/", "/api/v2/summary.json.", "/api/v2/summary.json%20", "/wiki/rest/api/content/777."]) {
    const r = await rawGet(catchAll.port, p);
    assertNoCanary(r.body, p);
    assert.ok(r.status === 200 || r.status === 404 || r.status === 502, `${p}: HTTP ${r.status}`);
  }
});

test("a ; in a pass-through segment is 400; segments of only dots or spaces too", async () => {
  for (const p of ["/assets;x/app.css", "/assets/app.css;jsessionid=1", "/assets/...", "/assets/..%20/api/v2/summary.json"]) {
    const r = await rawGet(catchAll.port, p);
    assert.equal(r.status, 400, p);
    assertNoCanary(r.body, p);
  }
});

test("controls: filtered routes are still filtered, other paths still pass through", async () => {
  const s = await rawGet(catchAll.port, "/api/v2/summary.json");
  assert.equal(s.status, 200);
  assertNoCanary(s.body, "summary");
  for (const p of ["/assets/app.css", "/Assets/App.css", "/assets/app.css/"]) {
    const c = await rawGet(catchAll.port, p);
    assert.equal(c.status, 200, p);
    assert.equal(c.body, CSS.toString(), p);
  }
});

test("pass-through requests carry upstreamHeaders only where the route asks for them", async () => {
  origin.seen.length = 0;
  assert.equal((await rawGet(catchAll.port, "/assets/app.css")).status, 200);
  assert.equal(origin.seen.length, 1);
  assert.equal(origin.seen[0].headers.authorization, undefined, "catch-all: no origin credentials");
  origin.seen.length = 0;
  assert.equal((await rawGet(catchAll.port, "/api/v2/summary.json")).status, 200);
  assert.equal(origin.seen[0].headers.authorization, ORIGIN_KEY.authorization, "filtered routes keep them");
  origin.seen.length = 0;
  assert.equal((await rawGet(explicit.port, "/assets/app.css")).status, 200);
  assert.equal(origin.seen[0].headers.authorization, ORIGIN_KEY.authorization, "sendUpstreamHeaders: true");
});
