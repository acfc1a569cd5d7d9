// Finding E1: a pass-through route plus an encoded slash reached a filtered route's data.
// `/assets/..%2fapi/v2/summary.json` matched `/assets/**` and went upstream as written; an
// origin that decodes %2F (python's http.server) answered with the unfiltered summary. Routes
// are now matched on the normalised path and exactly that path goes upstream.
//   node --test tests/node/edge-path.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { normalisePath } from "../../edge/src/index.js";
import { decodingOrigin, startProxy, rawGet, fixture, assertNoCanary, canaries } from "./edge-findings-lib.mjs";

const CSS = Buffer.from("body{color:red}");
const FILES = {
  "/api/v2/summary.json": fixture("E1", "payload.json"),
  "/assets/app.css": CSS,
  "/assets/a b/c.css": CSS,
  "/wiki/rest/api/content/777": fixture("E2", "payload.json"),
};
const ROUTES = [
  { path: "/api/v2/**", format: "statuspage" },
  { path: "/wiki/rest/api/content/*", format: "confluence", cache: { audience: true, maxAge: 60 } },
  { path: "/assets/**", format: "pass-through" },
];
let origin, proxy, catchAll;

before(async () => {
  origin = await decodingOrigin(FILES);
  const base = { upstream: origin.url, policy: fixture("E1", "policy.json").toString() };
  proxy = await startProxy({ ...base, routes: ROUTES });
  // A catch-all pass-through after the filtered routes: "//api/…" must not slip past them.
  catchAll = await startProxy({ ...base, routes: [ROUTES[0], { path: "/**", format: "pass-through" }] });
});
after(async () => { await proxy?.close(); await catchAll?.close(); await origin?.close(); });

test("controls: the summary is filtered, the stylesheet passes through", async () => {
  const s = await rawGet(proxy.port, "/api/v2/summary.json");
  assert.equal(s.status, 200);
  assertNoCanary(s.body, "summary");
  const c = await rawGet(proxy.port, "/assets/app.css");
  assert.equal(c.status, 200);
  assert.equal(c.body, CSS.toString());
});

const ATTACKS = [
  "/assets/..%2fapi/v2/summary.json", "/assets/..%2Fapi/v2/summary.json", "/assets/%2e%2e%2fapi/v2/summary.json",
  "/assets/%2E%2E%2Fapi/v2/summary.json", "/assets/x/..%2f..%2fapi/v2/summary.json", "/assets/..%2fwiki/rest/api/content/777",
  "/assets/%2e%2e/api/v2/summary.json", "/assets/.%2e/api/v2/summary.json", "/assets/..%5capi/v2/summary.json",
  "/assets/..%5Capi%5Cv2%5Csummary.json", "/assets/..\\api/v2/summary.json", "/assets/%252e%252e%252fapi/v2/summary.json",
  "/assets/..%252fapi/v2/summary.json", "/assets/..;/api/v2/summary.json", "/assets/%00/../api/v2/summary.json",
  "/assets/..%00/api/v2/summary.json", "/assets/..%3f/../api/v2/summary.json", "/assets/..%23/api/v2/summary.json",
  "/assets/%c0%ae%c0%ae%2fapi/v2/summary.json", "/assets/..%2f..%2f..%2fapi/v2/summary.json",
  "/assets/app.css/..%2f..%2fapi/v2/summary.json",
];

test("no spelling of a path reaches a filtered route's data through the pass-through route", async () => {
  for (const p of ATTACKS) {
    const r = await rawGet(proxy.port, p);
    assertNoCanary(r.body, p);
    assert.ok(r.status === 400 || r.status === 200 || r.status === 404, `${p}: HTTP ${r.status}`);
  }
});

test("encoded separators, encoded dot segments, NUL and double encoding are 400", async () => {
  for (const p of ["/assets/..%2fapi/v2/summary.json", "/assets/%2e%2e%2fx", "/assets/..%5cx", "/assets/%00", "/assets/%252f", "/assets/..;/x", "/assets/%zz"]) {
    const r = await rawGet(proxy.port, p);
    assert.equal(r.status, 400, p);
    assert.equal(r.body, '{"error":"bad request"}');
  }
});

test("the query string cannot change the routed path", async () => {
  for (const p of ["/assets/app.css?/../../api/v2/summary.json", "/assets/app.css?x=..%2f..%2fapi/v2/summary.json",
                   "/assets/app.css?%2F..%2F..%2Fapi%2Fv2%2Fsummary.json", "/assets/app.css#/../../api/v2/summary.json"]) {
    const r = await rawGet(proxy.port, p);
    assertNoCanary(r.body, p);
    assert.equal(r.body, CSS.toString(), `${p}: still the stylesheet`);
  }
});

test("exactly the matched path goes upstream, canonically encoded", async () => {
  origin.seen.length = 0;
  assert.equal((await rawGet(proxy.port, "/assets/a%20b/./c.css")).status, 200);
  assert.equal((await rawGet(proxy.port, "/assets//x/../app.css?v=1")).status, 200);
  assert.deepEqual(origin.seen, ["/assets/a%20b/c.css", "/assets/app.css?v=1"]);
});

test("literal dot segments and empty segments are routed as what they resolve to", async () => {
  // (The URL parser already resolves `..`, and `%2e%2e` between literal slashes, as WHATWG says.)
  for (const p of ["/assets/../api/v2/summary.json", "/assets/x/../../api/v2/summary.json", "/assets/%2e%2e/api/v2/summary.json",
                   "//api/v2/summary.json", "/api//v2/summary.json"]) {
    const r = await rawGet(proxy.port, p);
    assert.equal(r.status, 200, p);
    assertNoCanary(r.body, p);
  }
  for (const p of ["//api/v2/summary.json", "/.//api/v2/summary.json", "/x/..//api/v2/summary.json"]) {
    const r = await rawGet(catchAll.port, p);
    assertNoCanary(r.body, `catch-all ${p}`);
    assert.ok(!canaries(r.body).length && (r.status === 200 || r.status === 400), `catch-all ${p}: ${r.status}`);
  }
});

test("normalisePath: decoded path for matching, canonical path for the origin", () => {
  assert.deepEqual(normalisePath("/a/b%20c/%E2%88%9A"), { path: "/a/b c/√", upstream: "/a/b%20c/%E2%88%9A" });
  assert.deepEqual(normalisePath("/a/./b/../c"), { path: "/a/c", upstream: "/a/c" });
  assert.deepEqual(normalisePath("/a//b/"), { path: "/a/b/", upstream: "/a/b/" });
  assert.ok(normalisePath("/x/%25zz").error, "a % left after decoding is refused (F1)");
  for (const p of ["/a%2fb", "/a%5Cb", "/%2e%2e", "/%2E", "/..;/x", "/a%00", "/a%0a", "/a%3Fb", "/a%23", "/%2541", "/%zz", "/%C0%AF"]) {
    assert.ok(normalisePath(p).error, `${p} must be refused`);
  }
});
