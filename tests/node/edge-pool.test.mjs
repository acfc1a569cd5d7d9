// Slow paths at the edge: one expensive payload must not hold up other requests. The core
// filters synchronously; keyhole-edge (Node) sends bodies of at least `workers.minBytes`
// (256 KiB) to a pool of worker threads (edge/src/filter-pool.js). Measured here: a small
// summary.json timed while large incident lists are being filtered, with the pool and
// without (--workers 0). Plus: the pool gives the same bytes, statuses and canary-free output.
//   node --test tests/node/edge-pool.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { createEdgeFilter } from "../../edge/src/index.js";
import { createFilterPool } from "../../edge/src/filter-pool.js";
import { serveNode } from "../../edge/src/node-server.js";
import { startSampleOrigin } from "../../edge/sample-origin/server.mjs";
import { POLICY_TEXT, JSM_POLICY_TEXT, HS_SECRET, ISSUER, AUDIENCE, SHARE_SECRET, checkAllPersonas } from "../../edge/testing/harness.mjs";
import { REPO, rawGet, assertNoCanary } from "./edge-findings-lib.mjs";

const BIG_BYTES = 32 * 1024 * 1024;
const PARALLEL = 2;

/** A large incidents.json from the demo incidents (CANARY- markers included), like the load bench. */
function bigIncidents(target) {
  const demo = JSON.parse(readFileSync(path.join(REPO, "edge/sample-origin/data/demo/incidents.json"), "utf8"));
  const incidents = [];
  for (let size = 200, n = 0; size < target; n++) {
    const c = structuredClone(demo.incidents[n % demo.incidents.length]);
    c.id = `${c.id.slice(0, 7)}${String(n).padStart(5, "0")}`;
    for (const u of c.incident_updates) u.incident_id = c.id;
    size += JSON.stringify(c).length + 1;
    incidents.push(c);
  }
  return Buffer.from(JSON.stringify({ page: demo.page, incidents }));
}

let origin, big;
before(async () => {
  big = bigIncidents(BIG_BYTES);
  const summary = readFileSync(path.join(REPO, "edge/sample-origin/data/demo/summary.json"));
  const server = http.createServer((req, res) => {
    const body = req.url.startsWith("/api/v2/incidents.json") ? big : req.url.startsWith("/api/v2/bad.json") ? big.subarray(0, big.length - 9) : summary;
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  origin = { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
});
after(async () => { await origin?.close(); });

/** keyhole-edge in a child process (its own event loop, as deployed). Resolves { port, stop }. */
function startEdge(extraArgs) {
  const child = spawn(process.execPath, [path.join(REPO, "edge/bin/keyhole-edge.js"), "--upstream", origin.url,
    "--policy", path.join(REPO, "edge/sample-origin/policy.json"), "--port", "0", "--max-payload", String(64 << 20), ...extraArgs],
  { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  return new Promise((ok, fail) => {
    const t = setInterval(() => { const m = /listening on http:\/\/[^:]+:(\d+)/.exec(stderr); if (m) { clearInterval(t); ok({ port: Number(m[1]), stop: () => child.kill() }); } }, 20);
    child.on("exit", (c) => { clearInterval(t); fail(new Error(`keyhole-edge exited ${c}: ${stderr}`)); });
  });
}

/** Times small summary.json requests, one after another, while PARALLEL large lists are filtered. */
async function measure(port) {
  await rawGet(port, "/api/v2/incidents.json"); // warm-up (wasm tier-up, workers ready)
  let done = false;
  const t0 = performance.now();
  const bigs = Promise.all(Array.from({ length: PARALLEL }, () => rawGet(port, "/api/v2/incidents.json"))).then((r) => { done = true; return r; });
  const small = [];
  await new Promise((ok) => setTimeout(ok, 20));
  while (!done) {
    const s = performance.now();
    const r = await rawGet(port, "/api/v2/summary.json");
    assert.equal(r.status, 200);
    small.push(performance.now() - s);
  }
  const results = await bigs;
  for (const r of results) { assert.equal(r.status, 200); assertNoCanary(r.body, "anonymous incidents"); }
  small.sort((a, b) => a - b);
  return { bigMs: performance.now() - t0, n: small.length, p50: small[Math.floor(small.length / 2)] ?? NaN, max: small[small.length - 1] ?? NaN };
}

const fmt = (m) => `${PARALLEL} x ${(big.length / 1048576).toFixed(1)} MB lists in ${m.bigMs.toFixed(0)} ms; ${m.n} summary.json meanwhile: p50 ${m.p50.toFixed(1)} ms, max ${m.max.toFixed(1)} ms`;

// The figures of both runs are printed; what is asserted is behaviour that does not depend on how
// loaded the machine is (CI runs this beside the fuzzers): with the pool, small requests are served
// while the large ones are filtered, each in a small fraction of their time. A max-latency ratio
// between the two runs was asserted here once and failed under load; it is a benchmark figure.
test("a small request is served while large payloads are filtered (pool on); both runs' figures printed", async (t) => {
  const off = await startEdge(["--workers", "0"]);
  let without;
  try { without = await measure(off.port); } finally { off.stop(); }
  const on = await startEdge(["--workers", "2"]);
  let withPool;
  try { withPool = await measure(on.port); } finally { on.stop(); }
  t.diagnostic(`without the pool: ${fmt(without)}`);
  t.diagnostic(`with 2 workers:   ${fmt(withPool)}`);
  assert.ok(withPool.n >= 5, `summary requests were served while the large ones ran (${withPool.n})`);
  assert.ok(withPool.p50 < withPool.bigMs / 10, "a small request takes a small fraction of the large ones' time");
});

/** Counts event-loop turns (setImmediate chain) until `promise` settles. */
async function turnsWhile(promise) {
  let turns = 0, settled = false;
  const spin = () => { if (!settled) { turns++; setImmediate(spin); } };
  setImmediate(spin);
  try { return { value: await promise, turns }; } finally { settled = true; }
}

test("the pool filters off the main thread: the event loop turns while a large body is filtered", async () => {
  const pool = createFilterPool({ threads: 1, minBytes: 0 });
  try {
    const { value, turns } = await turnsWhile(pool.filter(POLICY_TEXT, new Uint8Array(big), {}, { format: "statuspage" }));
    assert.ok(turns > 0, "the main thread was free while the worker filtered");
    assertNoCanary(Buffer.from(value).toString("utf8"), "pool output");
  } finally { await pool.close(); }
});

function poolEdge(pool, extra = {}) {
  return createEdgeFilter({
    policy: POLICY_TEXT, upstream: origin.url, filterPool: pool,
    identity: { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE },
    share: { secret: SHARE_SECRET }, limits: { maxPayloadBytes: 64 << 20 }, ...extra,
  });
}

test("filtered in the pool: every persona, every route, the same statuses and no canary", async () => {
  const sample = await startSampleOrigin();
  const pool = createFilterPool({ threads: 2, minBytes: 0 });
  const edge = poolEdge(pool, {
    upstream: sample.url,
    routes: [
      { path: "/api/v2/**", format: "statuspage" },
      { path: "/wiki/rest/api/content", format: "confluence" },
      { path: "/wiki/rest/api/content/*", format: "confluence" },
      { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm", policy: JSM_POLICY_TEXT },
    ],
  });
  const s = await serveNode(edge, { port: 0 });
  try {
    await checkAllPersonas(async (p, headers) => {
      const r = await fetch(s.url + p, { headers });
      return { status: r.status, headers: r.headers, text: await r.text() };
    });
  } finally { await s.close(); await pool.close(); await sample.close(); }
});

test("pool and main thread give byte-identical output; errors and the time budget are 502", async () => {
  const pool = createFilterPool({ threads: 1, minBytes: 1024 });
  const slow = createFilterPool({ threads: 1, minBytes: 0, timeoutMs: 1 });
  try {
    const a = await (await poolEdge(pool).fetch(new Request("http://e/api/v2/incidents.json"))).arrayBuffer();
    const b = await (await poolEdge(undefined).fetch(new Request("http://e/api/v2/incidents.json"))).arrayBuffer();
    assert.ok(Buffer.from(a).equals(Buffer.from(b)), "same bytes");
    const bad = await poolEdge(pool).fetch(new Request("http://e/api/v2/bad.json"));
    assert.equal(bad.status, 502);
    assert.equal(await bad.text(), '{"error":"payload rejected"}');
    const over = await poolEdge(slow).fetch(new Request("http://e/api/v2/incidents.json"));
    assert.equal(over.status, 502, "over the time budget");
    assertNoCanary(await over.text(), "timeout");
    const next = await poolEdge(slow, { filterPool: undefined }).fetch(new Request("http://e/api/v2/summary.json"));
    assert.equal(next.status, 200, "the edge keeps serving");
  } finally { await pool.close(); await slow.close(); }
});

test("the handler never imports the Node-only pool (it runs unchanged in workerd)", () => {
  const src = readFileSync(path.join(REPO, "edge/src/index.js"), "utf8");
  assert.ok(!/worker_threads|filter-pool|node:/.test(src.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "")));
});
