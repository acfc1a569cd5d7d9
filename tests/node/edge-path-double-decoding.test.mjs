// Review finding F1 (round 8): double percent-encoding got past the E1 check. The old check
// looked for `%25` followed by two hex digits in the raw segment only, so `%25%32%65` (which
// is `%2e` after one decoding and `.` after a second) passed; an origin that decodes twice
// (proxy chains, IIS with double escaping allowed, an app that unquotes again) then resolved
// `/assets/%25%32%65%25%32%65/api/v2/summary.json` to the summary, unfiltered. Now a `%` left
// in a segment after the one decoding is refused (400), whatever follows it.
//   node --test tests/node/edge-path-double-decoding.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { normalisePath } from "../../edge/src/index.js";
import { startProxy, rawGet, fixture, assertNoCanary } from "./edge-findings-lib.mjs";

const FILES = {
  "/api/v2/summary.json": fixture("E1", "payload.json"),
  "/assets/app.css": Buffer.from("body{color:red}"),
};

/** An origin that percent-decodes the path twice, then resolves dot segments. */
async function twiceDecodingOrigin() {
  const server = http.createServer((req, res) => {
    const raw = req.url.split("?")[0];
    let p;
    try { p = path.posix.normalize(decodeURIComponent(decodeURIComponent(raw))); } catch { p = raw; }
    const body = FILES[p];
    if (!body) { res.writeHead(404, { "content-type": "application/json" }); res.end('{"error":"not found"}'); return; }
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

let origin, proxy;
before(async () => {
  origin = await twiceDecodingOrigin();
  proxy = await startProxy({
    upstream: origin.url, policy: fixture("E1", "policy.json").toString(),
    routes: [{ path: "/api/v2/**", format: "statuspage" }, { path: "/assets/**", format: "pass-through" }],
  });
});
after(async () => { await proxy?.close(); await origin?.close(); });

const ATTACKS = [
  "/assets/%25%32%65%25%32%65/api/v2/summary.json", "/assets/%25%32e%25%32e/api/v2/summary.json",
  "/assets/%25%32%65%25%32%65%25%32%66api%25%32%66v2%25%32%66summary.json", "/assets/%25%32%45%25%32%45/api/v2/summary.json",
  "/assets/%25%35%63..%25%35%63api/v2/summary.json", "/assets/x%25%32%66..%25%32%66..%25%32%66api/v2/summary.json",
  "/assets/%252e%252e/api/v2/summary.json",
];

test("double-encoded dot segments and separators are 400, never the unfiltered summary", async () => {
  for (const p of ATTACKS) {
    const r = await rawGet(proxy.port, p);
    assertNoCanary(r.body, p);
    assert.equal(r.status, 400, p);
  }
  const c = await rawGet(proxy.port, "/assets/app.css");
  assert.equal(c.status, 200, "control: the stylesheet still passes through");
});

test("normalisePath refuses any % left after the one decoding", () => {
  for (const p of ["/a/%25%32%65", "/a/%25%32e", "/a/%25zz", "/a/%2541", "/a/b%25", "/%25"]) {
    assert.ok(normalisePath(p).error, `${p} must be refused`);
  }
  assert.deepEqual(normalisePath("/a/b%20c"), { path: "/a/b c", upstream: "/a/b%20c" });
});
