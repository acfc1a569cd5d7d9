// A real cross-origin client (issue 15): Atlassian's @statuspage/status-widget (npm), rendered
// in Debian's Chromium (playwright-core) on a page of another origin (http://localhost:P) and
// pointed at keyhole-edge (http://127.0.0.1:Q). It fetches {src}/api/v2/summary.json. First
// anonymous (a simple CORS GET), then signed in: the host page gives the viewer's token to
// fetch as `Authorization: Bearer`, so the browser sends a preflight that the edge answers
// without the origin. Each banner must be the one of that viewer's filtered summary.
//   node --test tests/node/edge-widget-browser.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadKeyhole } from "@keyhole/wasm";
import { createEdgeFilter } from "../../edge/src/index.js";
import { serveNode } from "../../edge/src/node-server.js";
import { startSampleOrigin, DATA_DIR } from "../../edge/sample-origin/server.mjs";
import { POLICY_TEXT, HS_SECRET, ISSUER, AUDIENCE, personas, sign } from "../../edge/testing/harness.mjs";

const CHROMIUM = process.env.KEYHOLE_CHROMIUM || "/usr/bin/chromium";
const require = createRequire(import.meta.url);
let WIDGET = null;
try { WIDGET = require.resolve("@statuspage/status-widget/package.json").replace(/package\.json$/, "dist/index.js"); } catch {}
const skip = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : !WIDGET || !existsSync(WIDGET) ? "@statuspage/status-widget not installed" : false;

let origin, page, edge, browser, upstreamCalls = 0;
const logs = [];

/** The page of another origin that embeds the widget; ?token= makes it a signed-in page. */
function startPage() {
  const server = createServer((req, res) => {
    const u = new URL(req.url, "http://x");
    if (u.pathname === "/status-widget.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      return res.end(readFileSync(WIDGET));
    }
    if (u.pathname !== "/") { res.writeHead(404); return res.end(); }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><head><title>embed</title>
<script>
  // The host site knows its viewer: it hands the token to fetch (the widget calls fetch(url)).
  const token = new URLSearchParams(location.search).get("token");
  if (token) {
    const plain = window.fetch.bind(window);
    window.fetch = (url, init = {}) => plain(url, { ...init, headers: { ...(init.headers || {}), authorization: "Bearer " + token } });
  }
</script>
<script src="/status-widget.js"></script></head>
<body><statuspage-widget src="${edge.url}" title="Our status"></statuspage-widget></body></html>`);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, port: server.address().port })));
}

let expected;
before(async () => {
  if (skip) return;
  origin = await startSampleOrigin();
  page = await startPage();
  const pageOrigin = `http://localhost:${page.port}`;
  const handler = createEdgeFilter({
    policy: POLICY_TEXT, upstream: origin.url,
    identity: { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE },
    cors: { origins: [pageOrigin], maxAge: 60 },
    fetch: (req) => { upstreamCalls++; return fetch(req); },
    log: (e) => logs.push(e),
  });
  edge = await serveNode(handler, { port: 0 });
  const kh = await loadKeyhole();
  const policy = kh.compilePolicy(POLICY_TEXT);
  const summary = readFileSync(`${DATA_DIR}/summary.json`);
  const banner = (claims) => {
    const v = policy.viewer(claims);
    try { const { status } = JSON.parse(new TextDecoder().decode(v.filter(summary, { format: "statuspage" }))); return `${status.description} [status-indicator ${status.indicator}]`; } finally { v.dispose(); }
  };
  expected = { anonymous: banner({}), staff: banner(personas.staff.claims) };
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
after(async () => { await browser?.close(); await edge?.close(); await origin?.close(); await new Promise((ok) => (page ? (page.server.closeAllConnections(), page.server.close(ok)) : ok())); });

async function render(query = "") {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  const errors = [];
  p.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  try {
    await p.goto(`http://localhost:${page.port}/${query}`);
    const text = await p.waitForFunction(() => {
      const root = document.querySelector("statuspage-widget")?.shadowRoot;
      const t = root?.querySelector(".status-text")?.textContent?.trim();
      return t ? `${t} [${root.querySelector(".status-indicator")?.className}]` : null;
    }, null, { timeout: 15000 }).then((h) => h.jsonValue());
    return { text, errors };
  } finally { await ctx.close(); }
}

test("status widget on another origin: the anonymous banner, then the signed-in one, each from its filtered summary", { skip }, async () => {
  assert.notEqual(expected.anonymous, expected.staff, "the two viewers must see different banners");
  const anon = await render();
  assert.equal(anon.text, expected.anonymous);
  assert.ok(!logs.some((l) => l.method === "OPTIONS"), "a simple GET needs no preflight");
  const callsBefore = upstreamCalls;
  const token = await sign(personas.staff.claims);
  const staff = await render(`?token=${encodeURIComponent(token)}`);
  assert.equal(staff.text, expected.staff);
  const pre = logs.filter((l) => l.method === "OPTIONS");
  assert.equal(pre.length, 1, "the browser sent one preflight");
  assert.equal(pre[0].status, 204);
  // One upstream fetch at most for the signed-in GET (the body may come from the upstream cache); none for the preflight.
  assert.ok(upstreamCalls - callsBefore <= 1);
  assert.ok(logs.some((l) => l.method === "GET" && l.status === 200 && l.audience && l.audience !== logs[0].audience));
  console.log(`# widget: anonymous "${anon.text}" | staff "${staff.text}"`);
});
