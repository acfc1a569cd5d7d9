// @keyhole/wasm in a real browser (Chromium via playwright-core): the ES module and the
// .wasm file fetched by URL, on the page and in a module Worker, give the same bytes
// as Node. Skipped when Chromium or playwright-core is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadKeyhole } from "@keyhole/wasm";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));
let playwright = null;
try { playwright = await import("playwright-core"); } catch {}

const POLICY = JSON.stringify({ keyhole: 1, status: {
  default: { allow: ["everyone"] },
  components: { secret: { allow: ["group:staff"], inherit: false } } } });
const PAYLOAD = JSON.stringify({
  page: { id: "p", name: "P", url: "https://status.example", time_zone: "Etc/UTC", updated_at: "2024-01-01T00:00:00Z" },
  status: { indicator: "major", description: "Partial System Outage" },
  components: [
    { id: "open", name: "Open API", status: "operational", group_id: null, group: false },
    { id: "secret", name: "CANARY-secret", status: "major_outage", group_id: null, group: false }] });

const RUN = `
  const { loadKeyhole } = await import("/wasm/index.js");
  const kh = await loadKeyhole();
  const policy = kh.compilePolicy(${JSON.stringify(POLICY)});
  const out = policy.filter(new TextEncoder().encode(${JSON.stringify(PAYLOAD)}), {});
  const str = policy.filter(${JSON.stringify(PAYLOAD)}, "{}");
  policy.dispose();
  return { bytes: Array.from(out), str };
`;

const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
  window.result = (async () => { ${RUN} })().catch((e) => ({ error: String(e && e.stack || e) }));
  const w = new Worker("/worker.js", { type: "module" });
  window.workerResult = new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); w.onerror = (e) => resolve({ error: e.message }); });
</script>`;
const WORKER = `(async () => { ${RUN} })().then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack || e) }));`;

const TYPES = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

test("the package loads and filters in Chromium (page and module Worker)", {
  skip: (!CHROMIUM && "no Chromium") || (!playwright && "no playwright-core"),
  timeout: 120_000,
}, async () => {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/") { res.writeHead(200, { "content-type": "text/html" }); res.end(PAGE); return; }
    if (url.pathname === "/worker.js") { res.writeHead(200, { "content-type": "text/javascript" }); res.end(WORKER); return; }
    if (!url.pathname.startsWith("/wasm/")) { res.writeHead(404); res.end(); return; }
    const file = path.join(ROOT, path.normalize(url.pathname));
    if (!file.startsWith(path.join(ROOT, "wasm")) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await playwright.chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const onPage = await page.evaluate(() => window.result);
    const inWorker = await page.evaluate(() => window.workerResult);

    const kh = await loadKeyhole();
    const policy = kh.compilePolicy(POLICY);
    const expected = policy.filter(new TextEncoder().encode(PAYLOAD), {});
    policy.dispose();
    for (const [where, r] of [["page", onPage], ["worker", inWorker]]) {
      assert.ok(!r.error, `${where}: ${r.error}`);
      assert.deepEqual(Uint8Array.from(r.bytes), expected, `${where}: same bytes as Node`);
      assert.equal(r.str, new TextDecoder().decode(expected), `${where}: string path`);
      assert.ok(!r.str.includes("CANARY-secret"));
    }
  } finally {
    await browser.close();
    server.close();
  }
});
