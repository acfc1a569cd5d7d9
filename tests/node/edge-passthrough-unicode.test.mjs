// Review round 9, R9-3: the pass-through guard (round 8 F2) loosened paths with JS
// toLowerCase() and cut `;…`, trailing dots and spaces, but origins map more onto a filtered
// path than that:
//  - Java's String.equalsIgnoreCase / Character.toUpperCase (Spring AntPathMatcher with
//    caseSensitive=false, servlet filters) reads `ı` (U+0131) as `I` and `ſ` (U+017F) as `S`;
//    JS toLowerCase() leaves both alone: `/ap%C4%B1/v2/summary.json` is `/api/v2/summary.json`.
//  - IIS / NTFS alternate data streams: the segment `api::$INDEX_ALLOCATION` is the directory
//    `api`, `summary.json::$DATA` the file.
//  - IIS 8.3 short names: `SUMMAR~1.JSO` is `summary.json` where short names are on.
// Behind a catch-all pass-through each reached the origin and got the unfiltered payload.
// Pass-through segments with a non-ASCII character, a `:` or `~<digit>` are now 400.
//   node --test tests/node/edge-passthrough-unicode.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startProxy, rawGet, fixture, assertNoCanary } from "./edge-findings-lib.mjs";

const CSS = Buffer.from("body{color:red}");
const FILES = {
  "/api/v2/summary.json": fixture("E1", "payload.json"),
  "/rest/servicedeskapi/knowledgebase/article": Buffer.from('{"values":[{"title":"CANARY-JSM-HIDDEN"}]}'),
  "/assets/app.css": CSS,
  "/assets/vendors~main.css": CSS,
};

// Java's equalsIgnoreCase compares char by char, upper-casing then lower-casing each: these
// are the non-ASCII chars for which that gives an ASCII letter (and fullwidth letters, which
// an NFKC-normalising origin reads as ASCII).
const JAVA_FOLD = { "\u0131": "i", "\u017f": "s", "\u212a": "k", "\u0130": "i" };
const fold = (s) => [...s.normalize("NFKC")].map((c) => JAVA_FOLD[c] ?? c.toLowerCase()).join("");
const SHORT = { "summar~1.jso": "summary.json", "servic~1": "servicedeskapi", "knowle~1": "knowledgebase" };

/** An origin that reads paths as Java's equalsIgnoreCase and IIS do: alternate data stream
 *  suffixes (`::$INDEX_ALLOCATION`, `:$i30:$INDEX_ALLOCATION`, `::$DATA`) cut, 8.3 short names
 *  resolved, case folded the Java way. Records each request. */
async function javaIisOrigin() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url);
    let p;
    try { p = decodeURIComponent(req.url.split("?")[0]); } catch { p = req.url; }
    p = p.split("/").map((s) => { const f = fold(s.replace(/:.*$/, "")); return SHORT[f] ?? f; }).join("/");
    const key = Object.keys(FILES).find((k) => fold(k) === p);
    if (!key) { res.writeHead(404, { "content-type": "application/json" }); res.end('{"error":"not found"}'); return; }
    res.writeHead(200, { "content-type": "application/json", "content-length": FILES[key].length });
    res.end(FILES[key]);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

let origin, proxy;
before(async () => {
  origin = await javaIisOrigin();
  proxy = await startProxy({
    upstream: origin.url, policy: fixture("E1", "policy.json").toString(),
    routes: [
      { path: "/api/v2/**", format: "statuspage" },
      { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm" },
      { path: "/**", format: "pass-through" },
    ],
  });
});
after(async () => { await proxy?.close(); await origin?.close(); });

const SPELLINGS = [
  // Java case mappings to ASCII (the review's repro)
  "/ap%C4%B1/v2/summary.json", "/api/v2/%C5%BFummary.json",
  "/re%C5%BFt/servicedeskapi/knowledgebase/article", "/rest/%C5%BFervicedeskapi/knowledgebase/article",
  "/AP%C4%B0/v2/summary.json", "/rest/servicedeskapi/%E2%84%AAnowledgebase/article",
  // fullwidth `ａ`, which NFKC reads as `a`
  "/%EF%BD%81pi/v2/summary.json",
  // IIS / NTFS alternate data streams
  "/api::$INDEX_ALLOCATION/v2/summary.json", "/api:$i30:$INDEX_ALLOCATION/v2/summary.json",
  "/api/v2/summary.json::$DATA", "/rest::$INDEX_ALLOCATION/servicedeskapi/knowledgebase/article",
  // IIS 8.3 short names
  "/api/v2/SUMMAR~1.JSO", "/rest/SERVIC~1/knowledgebase/article", "/rest/servicedeskapi/KNOWLE~1/article",
];

test("the origin reads every spelling as the filtered resource (the test origin is as loose as claimed)", async () => {
  for (const p of SPELLINGS) {
    const r = await fetch(origin.url + p);
    assert.equal(r.status, 200, p);
    assert.match(await r.text(), /CANARY-/, p);
  }
});

test("no Java-case, NTFS-stream or 8.3 spelling of a filtered path passes through: 400, origin not asked", async () => {
  for (const p of SPELLINGS) {
    origin.seen.length = 0;
    const r = await rawGet(proxy.port, p);
    assertNoCanary(r.body, p);
    if (p.startsWith("/api/v2/")) {
      // `/api/v2/**` matches these itself: filtered (the origin's answer, the summary, filtered)
      assert.equal(r.status, 200, `${p}: HTTP ${r.status}`);
      continue;
    }
    assert.equal(r.status, 400, `${p}: HTTP ${r.status}`);
    assert.deepEqual(origin.seen, [], `${p}: must not reach the origin`);
  }
});

test("any non-ASCII character, `:` or `~<digit>` in a pass-through path is 400 (assets with such names are served another way)", async () => {
  for (const p of ["/assets/caf%C3%A9.css", "/assets/%E6%97%A5%E6%9C%AC.css", "/assets/a:b.css", "/assets/app~1.css", "/%F0%9F%98%80/x"]) {
    origin.seen.length = 0;
    const r = await rawGet(proxy.port, p);
    assert.equal(r.status, 400, p);
    assert.deepEqual(origin.seen, [], `${p}: must not reach the origin`);
  }
});

test("controls: ASCII asset paths still pass through (a `~` before a letter too); the filtered routes are filtered", async () => {
  for (const p of ["/assets/app.css", "/assets/vendors~main.css", "/assets/app.css?v=%C3%A9:1"]) {
    const r = await rawGet(proxy.port, p);
    assert.equal(r.status, 200, p);
    assert.equal(r.body, CSS.toString(), p);
  }
  const s = await rawGet(proxy.port, "/api/v2/summary.json");
  assert.equal(s.status, 200);
  assertNoCanary(s.body, "summary");
});
