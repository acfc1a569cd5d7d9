#!/usr/bin/env node
// Load test of keyhole-edge on loopback (autocannon): a 64 KB and a 1 MB Statuspage payload,
// mixed personas (anonymous, customers, staff), filtered vs the same proxy passing the
// payload through unfiltered. Prints req/s, p50/p99 latency, errors, and the proxy's RSS
// before/after the run.
//
//   node tests/bench/edge-load.mjs [--requests64 100000] [--requests1m 3000] [--connections 16]
//
// Bounded: a fixed number of requests per run, everything on 127.0.0.1, children killed at exit.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const self = fileURLToPath(import.meta.url);
const { values: opt } = parseArgs({
  options: {
    role: { type: "string" }, requests64: { type: "string" }, requests1m: { type: "string" },
    connections: { type: "string" }, upstream: { type: "string" }, mode: { type: "string" },
  },
});

// ---- payloads: the demo incidents (with CANARY- markers) plus real resolved incidents
function payload(target) {
  const demo = JSON.parse(readFileSync(join(repo, "edge/sample-origin/data/demo/incidents.json"), "utf8"));
  const incidents = [];
  let size = 200, n = 0;
  while (size < target) {
    const src = demo.incidents[n % demo.incidents.length];
    const copy = JSON.parse(JSON.stringify(src));
    copy.id = `${src.id.slice(0, 8)}${String(n).padStart(4, "0")}`;
    for (const u of copy.incident_updates) u.incident_id = copy.id;
    const s = JSON.stringify(copy);
    incidents.push(copy);
    size += s.length + 1;
    n++;
  }
  return Buffer.from(JSON.stringify({ page: demo.page, incidents }));
}

// ---- child roles -----------------------------------------------------------------------
if (opt.role === "origin") {
  const { createServer } = await import("node:http");
  const bodies = { "64k": payload(64 * 1024), "1m": payload(1024 * 1024) };
  const server = createServer((req, res) => {
    const s = new URL(req.url, "http://x").searchParams.get("s") ?? "64k";
    const b = bodies[s];
    res.writeHead(200, { "content-type": "application/json", "content-length": b.length });
    res.end(b);
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port, sizes: { "64k": bodies["64k"].length, "1m": bodies["1m"].length } }) + "\n"));
} else if (opt.role === "proxy") {
  const { createEdgeFilter, DEFAULT_ROUTES } = await import("../../edge/src/index.js");
  const { serveNode } = await import("../../edge/src/node-server.js");
  const { HS_SECRET, ISSUER, AUDIENCE, POLICY_TEXT } = await import("../../edge/testing/harness.mjs");
  const routes = opt.mode === "pass" ? [{ path: "/api/v2/**", format: "pass-through" }] : DEFAULT_ROUTES;
  const edge = createEdgeFilter({
    policy: POLICY_TEXT, upstream: opt.upstream, routes,
    identity: { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE },
    limits: { maxPayloadBytes: 4 << 20 },
  });
  await edge.ready();
  const s = await serveNode(edge, { port: 0 });
  s.server.keepAliveTimeout = 60000;
  process.stdout.write(JSON.stringify({ port: s.port }) + "\n");
} else {
  await main();
}

function child(args) {
  const c = spawn(process.execPath, [self, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((ok, fail) => {
    let buf = "";
    c.stdout.on("data", (d) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl >= 0) ok({ proc: c, info: JSON.parse(buf.slice(0, nl)) });
    });
    c.on("exit", (code) => fail(new Error(`child ${args.join(" ")} exited ${code}`)));
  });
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

async function main() {
  const autocannon = (await import("autocannon")).default;
  const { sign, personas } = await import("../../edge/testing/harness.mjs");
  const connections = Number(opt.connections ?? 16);
  const counts = { "64k": Number(opt.requests64 ?? 100000), "1m": Number(opt.requests1m ?? 3000) };
  const tokens = {};
  for (const n of ["globex", "initech", "staff", "signedup"]) tokens[n] = await sign(personas[n].claims, { exp: 3600 * 4 });
  const mix = [null, tokens.globex, tokens.initech, tokens.staff, null, tokens.signedup];

  const origin = await child(["--role", "origin"]);
  const upstream = `http://127.0.0.1:${origin.info.port}`;
  const kids = [origin.proc];
  process.on("exit", () => kids.forEach((k) => k.kill()));
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));
  console.log(`payloads: 64k = ${origin.info.sizes["64k"]} bytes, 1m = ${origin.info.sizes["1m"]} bytes; ${connections} connections; personas: anonymous, globex, initech, staff, signed-up`);
  const results = {};
  for (const mode of ["filter", "pass"]) {
    const proxy = await child(["--role", "proxy", "--mode", mode, "--upstream", upstream]);
    kids.push(proxy.proc);
    for (const size of ["64k", "1m"]) {
      const url = `http://127.0.0.1:${proxy.info.port}`;
      const requests = mix.map((t) => ({ method: "GET", path: `/api/v2/incidents.json?s=${size}`, headers: t ? { authorization: `Bearer ${t}` } : {} }));
      // Warm-up (JIT, heap sizing, wasm memory growth), then measure in 4 slices, sampling the
      // proxy's RSS after each slice: flat across slices means no per-request leak.
      await run(autocannon, { url, connections, amount: Math.max(500, Math.min(5000, Math.round(counts[size] / 20))), requests });
      const before = rssKiB(proxy.proc.pid);
      const series = [before];
      const slices = [];
      const t0 = Date.now();
      for (let i = 0; i < 4; i++) {
        slices.push(await run(autocannon, { url, connections, amount: Math.round(counts[size] / 4), requests }));
        series.push(rssKiB(proxy.proc.pid));
      }
      const secs = (Date.now() - t0) / 1000;
      const total = slices.reduce((a, r) => a + r.requests.total, 0);
      const p50s = slices.map((r) => r.latency.p50).sort((a, b) => a - b);
      const row = {
        requests: total, "req/s": Math.round(total / secs), p50_ms: p50s[Math.floor(p50s.length / 2)],
        p99_ms: Math.max(...slices.map((r) => r.latency.p99)),
        errors: slices.reduce((a, r) => a + r.errors + r.timeouts + r.non2xx, 0),
        "rss_before_MiB": +(before / 1024).toFixed(1), "rss_after_MiB": +(series[4] / 1024).toFixed(1),
        "rss_series_MiB": series.map((k) => +(k / 1024).toFixed(1)).join(" → "),
        "out_MB/s": +(slices.reduce((a, r) => a + r.throughput.total, 0) / secs / 1e6).toFixed(1),
      };
      results[`${mode} ${size}`] = row;
      console.log(`${mode.padEnd(6)} ${size.padEnd(4)} ${JSON.stringify(row)}`);
    }
    proxy.proc.kill();
  }
  console.log("\n| payload | mode | requests | req/s | p50 ms | p99 ms | errors | RSS after warm-up, then after each quarter (MiB) |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const size of ["64k", "1m"]) {
    for (const mode of ["filter", "pass"]) {
      const r = results[`${mode} ${size}`];
      console.log(`| ${size === "64k" ? "64 KB" : "1 MB"} | ${mode === "filter" ? "filtered" : "pass-through"} | ${r.requests} | ${r["req/s"]} | ${r.p50_ms} | ${r.p99_ms} | ${r.errors} | ${r.rss_series_MiB} |`);
    }
    const ratio = results[`filter ${size}`]["req/s"] / results[`pass ${size}`]["req/s"];
    console.log(`| ${size === "64k" ? "64 KB" : "1 MB"} | filtered / pass-through throughput | | ${ratio.toFixed(2)}× | | | | |`);
  }
  origin.proc.kill();
  process.exit(0);
}

function run(autocannon, o) {
  return new Promise((ok, fail) => {
    autocannon({ ...o, timeout: 20 }, (err, res) => (err ? fail(err) : ok(res)));
  });
}
