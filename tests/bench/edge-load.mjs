#!/usr/bin/env node
// Load test of keyhole-edge on loopback (autocannon, issue 15): a 64 KB and a 1 MB Statuspage
// payload, mixed personas (anonymous, Globex, Initech, staff, signed-up; HS256 JWTs), four
// proxies side by side against one origin, same connections:
//   plain    a bare node:http proxy piping the origin's response (the floor, not keyhole code)
//   pass     the same proxy with filtering disabled (route format "pass-through")
//   filter   filtered, audience cache off (the CLI's worker pool: --workers, minBytes 256 KiB)
//   cached   filtered, audience cache on (cache: { audience: true, maxAge: 60 })
// Slices of the modes are interleaved (plain, pass, filter, cached, plain, …) so drifting load
// on a shared machine hits all of them alike. Prints req/s, p50/p99 over every response
// (autocannon's per-response times), the ratios to pass-through against the targets, and the
// proxies' CPU per request (/proc, worker threads included).
//
//   node tests/bench/edge-load.mjs [--requests64 20000] [--requests1m 2000] [--connections 16]
//        [--rounds 4] [--workers 2] [--modes plain,pass,filter,cached] [--write] [--profile DIR]
//        [--save FILE]   (--from FILE: the tables of a saved run again, nothing measured)
//   node tests/bench/edge-load.mjs --soak 100000 [--soak-mode filter] [--write]
//        RSS and heap after GC of the filtering proxy every 10,000 requests (64 KB).
//
// --write puts the tables into docs/performance.md (its bench:edge-load / bench:edge-soak
// block, kept when compare.mjs regenerates the file). Bounded: a fixed number of requests,
// everything on 127.0.0.1, children killed at exit.
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import os from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const self = fileURLToPath(import.meta.url);
const { values: opt } = parseArgs({
  options: {
    role: { type: "string" }, requests64: { type: "string" }, requests1m: { type: "string" },
    connections: { type: "string" }, upstream: { type: "string" }, mode: { type: "string" },
    rounds: { type: "string" }, workers: { type: "string" }, modes: { type: "string" },
    write: { type: "boolean" }, profile: { type: "string" }, soak: { type: "string" }, "soak-mode": { type: "string" },
    save: { type: "string" }, from: { type: "string" },
  },
});
const SIZES = ["64k", "1m"];
const SIZE_LABEL = { "64k": "64 KB", "1m": "1 MB" };
const TARGET = { throughput: 0.8, p99: 1.5, cached: 0.95 };

// ---- payloads: the demo incidents (with CANARY- markers) repeated to the size -------------
function payload(target) {
  const demo = JSON.parse(readFileSync(join(repo, "edge/sample-origin/data/demo/incidents.json"), "utf8"));
  const incidents = [];
  let size = 200, n = 0;
  while (size < target) {
    const src = demo.incidents[n % demo.incidents.length];
    const copy = JSON.parse(JSON.stringify(src));
    copy.id = `${src.id.slice(0, 8)}${String(n).padStart(4, "0")}`;
    for (const u of copy.incident_updates) u.incident_id = copy.id;
    incidents.push(copy);
    size += JSON.stringify(copy).length + 1;
    n++;
  }
  return Buffer.from(JSON.stringify({ page: demo.page, incidents }));
}

// ---- child roles ----------------------------------------------------------------------------
async function origin() {
  const { createServer } = await import("node:http");
  const bodies = { "64k": payload(64 * 1024), "1m": payload(1024 * 1024) };
  const server = createServer((req, res) => {
    const b = bodies[new URL(req.url, "http://x").searchParams.get("s") ?? "64k"];
    res.writeHead(200, { "content-type": "application/json", "content-length": b.length });
    res.end(b);
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port, sizes: { "64k": bodies["64k"].length, "1m": bodies["1m"].length } }) + "\n"));
}

/** The floor under every mode: node:http piping the origin's response, nothing else. */
async function plainProxy() {
  const http = await import("node:http");
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const up = http.request(opt.upstream + req.url, { agent, headers: { accept: "application/json" } }, (u) => {
      res.writeHead(u.statusCode, { "content-type": u.headers["content-type"], "content-length": u.headers["content-length"] });
      u.pipe(res);
    });
    up.on("error", () => { res.writeHead(502); res.end(); });
    up.end();
  });
  server.keepAliveTimeout = 60000;
  process.on("message", () => { globalThis.gc?.(); const m = process.memoryUsage(); process.send({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, wasm: 0 }); });
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));
  server.listen(0, "127.0.0.1", () => process.stdout.write(JSON.stringify({ port: server.address().port }) + "\n"));
}

/** One proxy as keyhole-edge builds it (createEdgeFilter + serveNode + the worker pool). */
async function proxy(mode) {
  if (mode === "plain") return plainProxy();
  const { createEdgeFilter } = await import("../../edge/src/index.js");
  const { serveNode } = await import("../../edge/src/node-server.js");
  const { createFilterPool, POOL_DEFAULTS } = await import("../../edge/src/filter-pool.js");
  const { HS_SECRET, ISSUER, AUDIENCE, POLICY_TEXT } = await import("../../edge/testing/harness.mjs");
  const routes = {
    pass: [{ path: "/api/v2/**", format: "pass-through" }],
    filter: [{ path: "/api/v2/**", format: "statuspage" }],
    cached: [{ path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 60 } }],
  }[mode];
  const maxPayloadBytes = 4 << 20;
  const threads = Number(opt.workers ?? POOL_DEFAULTS.threads);
  const filterPool = mode !== "pass" && threads > 0 ? createFilterPool({ ...POOL_DEFAULTS, threads, maxPayloadBytes }) : undefined;
  const edge = createEdgeFilter({
    policy: POLICY_TEXT, upstream: opt.upstream, routes, filterPool, cache: mode === "cached" ? "auto" : false,
    identity: { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE },
    limits: { maxPayloadBytes },
  });
  const { kh } = await edge.ready();
  const s = await serveNode(edge, { port: 0 });
  s.server.keepAliveTimeout = 60000;
  // The parent asks for memory after a full GC (node --expose-gc) between slices.
  process.on("message", () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    process.send({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, wasm: kh.memoryBytes });
  });
  // A normal exit on a signal, so `node --cpu-prof` writes its profile.
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(0));
  process.stdout.write(JSON.stringify({ port: s.port }) + "\n");
}

// ---- the parent -------------------------------------------------------------------------------
function child(args, nodeFlags = []) {
  const c = spawn(process.execPath, [...nodeFlags, self, ...args], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
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

const procStat = (pid) => readFileSync(`/proc/${pid}/stat`, "utf8").slice(readFileSync(`/proc/${pid}/stat`, "utf8").lastIndexOf(")") + 2).split(" ");
/** utime + stime of a process, all its threads (ms; USER_HZ = 100). */
const cpuMs = (pid) => { const f = procStat(pid); return (Number(f[11]) + Number(f[12])) * 10; };
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;
const memoryOf = (proc) => new Promise((ok) => { proc.once("message", ok); proc.send("memory"); });

async function setup() {
  const autocannon = (await import("autocannon")).default;
  const { sign, personas } = await import("../../edge/testing/harness.mjs");
  const tokens = {};
  for (const n of ["globex", "initech", "staff", "signedup"]) tokens[n] = await sign(personas[n].claims, { exp: 3600 * 4 });
  const mix = [null, tokens.globex, tokens.initech, tokens.staff, null, tokens.signedup];
  const org = await child(["--role", "origin"]);
  const kids = [org.proc];
  process.on("exit", () => kids.forEach((k) => k.kill()));
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));
  const upstream = `http://127.0.0.1:${org.info.port}`;
  const startProxy = async (mode, nodeFlags = []) => {
    const p = await child(["--role", "proxy", "--mode", mode, "--upstream", upstream, ...(opt.workers ? ["--workers", opt.workers] : [])], ["--expose-gc", ...nodeFlags]);
    kids.push(p.proc);
    return p;
  };
  const requestsFor = (size) => mix.map((t) => ({ method: "GET", path: `/api/v2/incidents.json?s=${size}`, headers: t ? { authorization: `Bearer ${t}` } : {} }));
  return { autocannon, origin: org, startProxy, requestsFor };
}

/** One autocannon run; every response's time is appended to `times` (ms). */
function run(autocannon, o, times) {
  return new Promise((ok, fail) => {
    const inst = autocannon({ ...o, timeout: 20 }, (err, res) => (err ? fail(err) : ok(res)));
    inst.on("response", (_client, _status, _bytes, ms) => times.push(ms));
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fixed = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "?");

async function main() {
  const connections = Number(opt.connections ?? 16);
  const rounds = Number(opt.rounds ?? 4);
  const counts = { "64k": Number(opt.requests64 ?? 20000), "1m": Number(opt.requests1m ?? 2000) };
  const modes = (opt.modes ?? "plain,pass,filter,cached").split(",");
  const { autocannon, origin: org, startProxy, requestsFor } = await setup();
  const load0 = os.loadavg()[0];
  const proxies = {};
  for (const m of modes) proxies[m] = await startProxy(m);
  console.log(`payloads: 64 KB = ${org.info.sizes["64k"]} bytes, 1 MB = ${org.info.sizes["1m"]} bytes; ${connections} connections; ${rounds} interleaved rounds; worker pool threads ${opt.workers ?? 2} (bodies ≥ 256 KiB)`);
  const results = {};
  for (const size of SIZES) {
    const requests = requestsFor(size);
    const acc = Object.fromEntries(modes.map((m) => [m, { times: [], secs: 0, total: 0, errors: 0, cpu: 0, originCpu: 0, bytes: 0 }]));
    for (const m of modes) await run(autocannon, { url: `http://127.0.0.1:${proxies[m].info.port}`, connections, amount: Math.max(300, Math.round(counts[size] / 10)), requests }, []);
    for (let r = 0; r < rounds; r++) {
      for (const m of modes) {
        const a = acc[m], pid = proxies[m].proc.pid;
        const c0 = cpuMs(pid), o0 = cpuMs(org.proc.pid), t0 = performance.now();
        const res = await run(autocannon, { url: `http://127.0.0.1:${proxies[m].info.port}`, connections, amount: Math.round(counts[size] / rounds), requests }, a.times);
        a.secs += (performance.now() - t0) / 1000;
        a.cpu += cpuMs(pid) - c0;
        a.originCpu += cpuMs(org.proc.pid) - o0;
        a.total += res.requests.total;
        a.bytes += res.throughput.total;
        a.errors += res.errors + res.timeouts + res.non2xx;
      }
    }
    for (const m of modes) {
      const a = acc[m];
      const sorted = a.times.sort((x, y) => x - y);
      results[`${m} ${size}`] = {
        requests: a.total, rps: a.total / a.secs, p50: pct(sorted, 50), p99: pct(sorted, 99), errors: a.errors,
        cpuPerReq: a.cpu / a.total, originCpuPerReq: a.originCpu / a.total, rss: rssMiB(proxies[m].proc.pid), outMBs: a.bytes / a.secs / 1e6,
      };
      console.log(`${m.padEnd(6)} ${size.padEnd(4)} ${JSON.stringify(results[`${m} ${size}`], (k, v) => (typeof v === "number" ? +v.toFixed(3) : v))}`);
    }
  }
  for (const m of modes) proxies[m].proc.kill();
  const steps = opt.profile ? await profileRuns({ autocannon, startProxy, requestsFor, connections, counts }) : null;
  const saved = { results, steps, modes, meta: { connections, rounds, sizes: org.info.sizes, load: [load0, os.loadavg()[0]], at: new Date().toISOString() } };
  if (opt.save) writeFileSync(opt.save, JSON.stringify(saved, null, 1));
  await report(saved);
  process.exit(0);
}

/** The markdown of a run (this one, or --from FILE saved by --save), printed and with --write written. */
async function report({ results, steps, modes, meta }) {
  const { limitsText } = await import("./edge-load-limits.mjs");
  const md = [loadTable(results, modes, meta), steps ? stepsTable(steps) : null, limitsText(results, steps, TARGET, meta)].filter(Boolean).join("\n\n");
  console.log("\n" + md);
  if (opt.write) {
    const { writeBlock } = await import("./doc-blocks.mjs");
    writeBlock(join(repo, "docs/performance.md"), "edge-load", md);
    console.log("wrote the bench:edge-load block of docs/performance.md");
  }
}

/**
 * --profile DIR: a fresh filtering proxy per size under `node --cpu-prof` (every thread),
 * half the timed number of requests, then its samples sorted into steps (cpu-profile-summary.mjs).
 * Separate from the timed runs, so the profiler's overhead is in none of their figures.
 */
async function profileRuns({ autocannon, startProxy, requestsFor, connections, counts }) {
  const { summariseProfiles } = await import("./cpu-profile-summary.mjs");
  const out = {};
  for (const size of SIZES) {
    const dir = join(opt.profile, `filter-${size}`);
    rmSync(dir, { recursive: true, force: true });
    const p = await startProxy("filter", ["--cpu-prof", "--cpu-prof-dir", dir]);
    await run(autocannon, { url: `http://127.0.0.1:${p.info.port}`, connections, amount: Math.round(counts[size] / 2), requests: requestsFor(size) }, []);
    const exited = new Promise((ok) => p.proc.once("exit", ok));
    p.proc.kill("SIGTERM");
    await exited;
    out[size] = summariseProfiles(dir);
  }
  return out;
}

function stepsTable(steps) {
  const names = [...new Set(SIZES.flatMap((s) => steps[s].map((x) => x.step)))];
  const share = (size, name) => steps[size].find((x) => x.step === name)?.share ?? 0;
  names.sort((a, b) => share("64k", b) + share("1m", b) - share("64k", a) - share("1m", a));
  const L = ["Where the filtering proxy's CPU goes (`--profile`: `node --cpu-prof` of a separate run, every thread, share of the busy samples, start-up left out; cache off):", ""];
  L.push(`| step | ${SIZES.map((s) => SIZE_LABEL[s]).join(" | ")} |`);
  L.push(`|---|${SIZES.map(() => "---:").join("|")}|`);
  for (const n of names) L.push(`| ${n} | ${SIZES.map((s) => `${(share(s, n) * 100).toFixed(1)}%`).join(" | ")} |`);
  return L.join("\n");
}

function loadTable(results, modes, { connections, rounds, sizes, load, at }) {
  const L = [];
  L.push("### Edge proxy under load (Node, loopback): filtered vs pass-through");
  L.push("");
  L.push(`Generated by \`node tests/bench/edge-load.mjs --profile DIR --write\` on ${(at ?? new Date().toISOString()).slice(0, 16).replace("T", " ")} UTC, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.version}; ` +
    `1-minute load average ${load.map((x) => x.toFixed(1)).join(" → ")} (origin, four proxies and autocannon share these cores). ` +
    `\`incidents.json\` of ${sizes["64k"]} and ${sizes["1m"]} bytes, ${connections} connections, personas mixed per request (anonymous ×2, Globex, Initech, staff, signed-up), ` +
    `${rounds} interleaved rounds per mode. **plain** = a bare \`node:http\` proxy piping the origin's response (the floor; not Keyhole code); **pass** = the same proxy, route format \`pass-through\` (no token verified, body streamed); ` +
    "**filter** = filtered, audience cache off, the CLI's worker pool (2 threads, bodies ≥ 256 KiB); **cached** = filtered with `cache: { audience: true }`. " +
    "p50/p99 over every response; CPU = the proxy process's utime+stime (worker threads included) per request.");
  L.push("");
  L.push("| payload | mode | requests | req/s | × pass | × plain | p50 ms | p99 ms | p99 × pass | errors | proxy CPU ms/req | RSS MiB | target (vs pass) |");
  L.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const size of SIZES) {
    const pass = results[`pass ${size}`], plain = results[`plain ${size}`];
    for (const m of modes) {
      const r = results[`${m} ${size}`];
      const tp = pass ? r.rps / pass.rps : NaN, p99x = pass ? r.p99 / pass.p99 : NaN;
      L.push(`| ${SIZE_LABEL[size]} | ${m} | ${r.requests} | ${Math.round(r.rps)} | ${fixed(tp, 2)}× | ${plain ? fixed(r.rps / plain.rps, 2) : "?"}× | ${fixed(r.p50)} | ${fixed(r.p99)} | ${fixed(p99x, 2)}× | ${r.errors} | ${fixed(r.cpuPerReq, 2)} | ${fixed(r.rss, 0)} | ${verdict(m, tp, p99x)} |`);
    }
  }
  return L.join("\n");
}

function verdict(mode, tp, p99x) {
  if (mode === "pass" || mode === "plain" || !Number.isFinite(tp)) return "";
  if (mode === "cached") return `≥ ${TARGET.cached}×: ${tp >= TARGET.cached ? "**met**" : "**missed**"}`;
  const t = tp >= TARGET.throughput, p = p99x <= TARGET.p99;
  return `≥ ${TARGET.throughput}×: ${t ? "**met**" : "**missed**"}; p99 ≤ ${TARGET.p99}×: ${p ? "**met**" : "**missed**"}`;
}

/** ≥ 100,000 filtered requests; the proxy's RSS and heap after GC every 10,000. */
async function soak(total) {
  const connections = Number(opt.connections ?? 16);
  const mode = opt["soak-mode"] ?? "filter";
  const { autocannon, startProxy, requestsFor } = await setup();
  const p = await startProxy(mode);
  const url = `http://127.0.0.1:${p.info.port}`;
  const requests = requestsFor("64k");
  await run(autocannon, { url, connections, amount: 2000, requests }, []);
  const rows = [];
  const sample = async (done, errors, rps) => {
    const m = await memoryOf(p.proc);
    rows.push({ done, rss: m.rss / 1048576, heap: m.heapUsed / 1048576, external: m.external / 1048576, wasm: m.wasm / 1048576, errors, rps });
    const r = rows.at(-1);
    console.log(`${String(done).padStart(7)} requests  RSS ${fixed(r.rss)} MiB  heap after GC ${fixed(r.heap)} MiB  external ${fixed(r.external)} MiB  wasm memory ${fixed(r.wasm)} MiB  errors ${errors}${rps ? `  ${Math.round(rps)} req/s` : ""}`);
  };
  await sample(0, 0, 0);
  let errors = 0;
  for (let done = 0; done < total;) {
    const t0 = performance.now();
    const res = await run(autocannon, { url, connections, amount: 10000, requests }, []);
    done += res.requests.total;
    errors += res.errors + res.timeouts + res.non2xx;
    await sample(done, errors, res.requests.total / ((performance.now() - t0) / 1000));
  }
  const md = soakTable(rows, mode, connections);
  console.log("\n" + md);
  if (opt.write) {
    const { writeBlock } = await import("./doc-blocks.mjs");
    writeBlock(join(repo, "docs/performance.md"), "edge-soak", md);
    console.log("wrote the bench:edge-soak block of docs/performance.md");
  }
  process.exit(0);
}

function soakTable(rows, mode, connections) {
  const L = [];
  const d = (k) => fixed(rows.at(-1)[k] - rows[1][k]);
  L.push(`### Edge proxy memory over ${rows.at(-1).done.toLocaleString("en")} requests`);
  L.push("");
  L.push(`Generated by \`node tests/bench/edge-load.mjs --soak ${rows.at(-1).done >= 100000 ? 100000 : rows.at(-1).done} --write\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: ` +
    `the ${mode === "cached" ? "audience-cached" : "filtering (cache off)"} proxy, 64 KB \`incidents.json\`, ${connections} connections, mixed personas, after 2,000 warm-up requests; ` +
    `memory read in the proxy after \`gc()\` (node --expose-gc) every 10,000 requests. From the first sample after 10,000 to the last: RSS ${d("rss")} MiB, heap ${d("heap")} MiB, wasm memory ${d("wasm")} MiB.`);
  L.push("");
  L.push("| requests | RSS MiB | heap used after GC MiB | external MiB | wasm memory MiB | errors | req/s |");
  L.push("|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) L.push(`| ${r.done} | ${fixed(r.rss)} | ${fixed(r.heap)} | ${fixed(r.external)} | ${fixed(r.wasm)} | ${r.errors} | ${r.rps ? Math.round(r.rps) : ""} |`);
  return L.join("\n");
}

// Last, so every const above is initialised before a role runs.
if (opt.role === "origin") await origin();
else if (opt.role === "proxy") await proxy(opt.mode);
else if (opt.soak) await soak(Number(opt.soak));
else if (opt.from) await report(JSON.parse(readFileSync(opt.from, "utf8")));
else await main();
