#!/usr/bin/env node
// The edge handler's CPU per request in workerd (miniflare), issue 15: targets ≤ 1 ms at
// 64 KB and ≤ 3 ms at 1 MB. Miniflare reports no per-request CPU time, so this reads
// workerd's own CPU (utime + stime of the workerd process, /proc, every thread) over a batch of
// serial requests, filtered and through the same handler with the route set to pass-through;
// filtered − pass-through is what filtering adds (JWT, viewer, wasm filter, ETag, response),
// pass-through being workerd's own HTTP and fetch work. Wall time of the serial requests too.
// Payloads: the generated Statuspage summaries of payload-gen.mjs (as compare.mjs), its status
// policy, a signed-in persona (the even groups hidden).
//
//   node tests/bench/edge-workerd.mjs [--requests 400] [--parts] [--write]
//
// --parts also runs each step of a filtered request alone (the upstream fetch, the wasm filter,
// the ETag's SHA-256, a worker that answers at once) to show where the CPU goes.
// --write puts the table into docs/performance.md (block bench:edge-workerd).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { statusSummary, statusPolicy } from "./payload-gen.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, "..", "..");
const WASM = path.join(repo, "wasm/dist/keyhole.wasm");
// Options are this script's own: imported (compare.mjs, section 5) it reads none of the
// importer's arguments, which parseArgs would refuse as unknown.
const isMain = Boolean(process.argv[1]) && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
const { values: opt } = isMain
  ? parseArgs({ options: { requests: { type: "string" }, write: { type: "boolean" }, parts: { type: "boolean" } } })
  : { values: {} };
const SIZES = [["64 KB", 64 * 1024], ["1 MB", 1024 * 1024]];
const TARGET_MS = { "64 KB": 1, "1 MB": 3 };
const CLAIMS = { sub: "u-7", email: "bob@example.com", email_verified: true };

/** A bare specifier's ESM entry for workers: package.json exports (workerd, worker, browser,
 *  import, default conditions, in that order), else module, else main. */
function packageEntry(spec) {
  const [a, b] = spec.split("/");
  const name = spec.startsWith("@") ? `${a}/${b}` : a;
  if (spec !== name) throw new Error(`edge-workerd: subpath import ${spec} is not handled`);
  const dir = path.join(repo, "node_modules", name);
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  let e = pkg.exports?.["."] ?? pkg.exports;
  while (e && typeof e === "object") e = ["workerd", "worker", "browser", "import", "default"].map((k) => e[k]).find((v) => v !== undefined);
  return path.join(dir, typeof e === "string" ? e : pkg.module ?? pkg.main ?? "index.js");
}

function resolveSpecifier(from, spec) {
  if (spec.startsWith(".")) return path.resolve(path.dirname(from), spec);
  if (spec === "@keyhole/wasm") return path.join(repo, "wasm/index.js");
  return packageEntry(spec);
}

/** This bench's worker: the handler, or one part of it (--parts), chosen by env.MODE. */
function workerModules() {
  const entry = path.join(repo, "tests/bench/__edge_workerd_bench__.mjs");
  return [{
    type: "ESModule", path: entry, contents: `
      import { createEdgeFilter } from "./../../edge/src/index.js";
      import { loadKeyhole } from "./../../wasm/index.js";
      import { readLimited } from "./../../edge/src/upstream.js";
      import wasmModule from "./../../wasm/dist/keyhole.wasm";
      let edge, viewer;
      const bodies = new Map();
      // The parts (--parts): one step of the filtered request alone, the body fetched once.
      async function bodyFor(env, search) {
        if (!bodies.has(search)) bodies.set(search, new Uint8Array(await (await fetch(env.UPSTREAM + "/api/v2/summary.json" + search)).arrayBuffer()));
        return bodies.get(search);
      }
      const PARTS = {
        noop: async () => new Response("0"),
        fetch: async (request, env, search) => new Response(String((await (await fetch(env.UPSTREAM + "/api/v2/summary.json" + search)).arrayBuffer()).byteLength)),
        wasm: async (request, env, search) => {
          viewer ??= (await loadKeyhole({ wasmModule })).compilePolicy(env.POLICY).viewer(JSON.parse(env.CLAIMS));
          return new Response(String(viewer.filter(await bodyFor(env, search), { format: "statuspage" }).byteLength));
        },
        read: async (request, env, search) => {
          const r = await fetch(env.UPSTREAM + "/api/v2/summary.json" + search);
          return new Response(String((await readLimited(r.body, 8 << 20)).byteLength));
        },
        etag: async (request, env, search) => new Response(String((await crypto.subtle.digest("SHA-256", await bodyFor(env, search))).byteLength)),
      };
      export default {
        fetch(request, env, ctx) {
          if (PARTS[env.MODE]) return PARTS[env.MODE](request, env, new URL(request.url).search);
          edge ??= createEdgeFilter({
            policy: env.POLICY, upstream: env.UPSTREAM, cache: false,
            identity: { algorithms: ["HS256"], hs256Secret: env.HS_SECRET, issuer: env.ISSUER, audience: env.AUDIENCE },
            limits: { maxPayloadBytes: 8 << 20 }, wasm: { wasmModule },
            routes: [{ path: "/api/v2/**", format: env.MODE === "pass" ? "pass-through" : "statuspage" }],
          });
          return edge.fetch(request, env, ctx);
        },
      };` }, ...handlerModules()];
}

/**
 * The handler's module graph for workerd, from edge/src/index.js: every module it imports,
 * bare specifiers ("jose", "@keyhole/wasm", …) rewritten to relative paths as a bundler would
 * resolve them; node: specifiers (dynamic imports behind isNode checks) left alone; and
 * keyhole.wasm as a compiled module. compare.mjs (section 5) uses it too.
 */
export function handlerModules() {
  const list = [];
  const seen = new Set();
  const rel = (from, target) => path.relative(path.dirname(from), target).replace(/^(?!\.)/, "./");
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : /\.m?js$/.test(e.name) ? [path.join(d, e.name)] : []));
  const add = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (file.includes(`${path.sep}node_modules${path.sep}`)) {
      // A package: its entry's directory as it is (its own imports are relative).
      for (const f of walk(path.dirname(file))) if (!seen.has(f) || f === file) { seen.add(f); list.push({ type: "ESModule", path: f, contents: fs.readFileSync(f, "utf8") }); }
      return;
    }
    const contents = fs.readFileSync(file, "utf8").replace(/^((?:import|export)\b[^'";]*?\bfrom\s*|import\s*)(["'])([^"'\n]+)\2/gm, (m, pre, q, spec) => {
      if (spec.startsWith("node:")) return m;
      const target = resolveSpecifier(file, spec);
      add(target);
      return `${pre}${q}${rel(file, target)}${q}`;
    });
    list.push({ type: "ESModule", path: file, contents });
  };
  add(path.join(repo, "edge/src/index.js"));
  list.push({ type: "CompiledWasm", path: WASM, contents: fs.readFileSync(WASM) });
  return list;
}

const parentOf = (pid) => { const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8"); return Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]); };
function isDescendant(pid) {
  for (let i = 0; i < 6 && pid > 1; i++) { if (pid === process.pid) return true; try { pid = parentOf(pid); } catch { return false; } }
  return false;
}
/** The newest workerd process below this one. */
function workerdPid() {
  const kids = [];
  for (const d of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const comm = fs.readFileSync(`/proc/${d}/comm`, "utf8").trim();
      if (comm.startsWith("workerd") && isDescendant(parentOf(d))) kids.push(Number(d));
    } catch { /* gone */ }
  }
  return kids.sort((a, b) => b - a)[0] ?? null;
}
const cpuMs = (pid) => { const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8"); const f = st.slice(st.lastIndexOf(")") + 2).split(" "); return (Number(f[11]) + Number(f[12])) * 10; };

async function measure(url, label, token, requests) {
  const target = new URL(`/api/v2/summary.json?s=${encodeURIComponent(label)}`, url);
  const get = async () => {
    const r = await fetch(target, { headers: { authorization: `Bearer ${token}`, "accept-encoding": "identity" } });
    const b = new Uint8Array(await r.arrayBuffer());
    if (r.status !== 200) throw new Error(`HTTP ${r.status} ${new TextDecoder().decode(b).slice(0, 200)}`);
    return b.length;
  };
  let out = 0;
  for (let i = 0; i < 30; i++) out = await get(); // warm-up: JIT, wasm tier-up, connection
  return { out, get, requests };
}

async function batch(pid, m) {
  const c0 = cpuMs(pid), w0 = performance.now();
  for (let i = 0; i < m.requests; i++) await m.get();
  return { cpu: (cpuMs(pid) - c0) / m.requests, wall: (performance.now() - w0) / m.requests };
}

const PART_NAMES = { fetch: "upstream fetch + arrayBuffer()", read: "upstream fetch + readLimited (the handler's bounded read)", wasm: "wasm filter (Viewer.filter)", etag: "SHA-256 of the body (crypto.subtle)" };

/** One workerd per mode, each its own process (so its CPU is its own). */
async function startInstances(modes, origin, modules, harness) {
  const { Miniflare } = await import("miniflare");
  const instances = {};
  for (const mode of modes) {
    const mf = new Miniflare({
      modules, modulesRoot: repo, compatibilityDate: "2025-07-18",
      bindings: {
        POLICY: statusPolicy(), UPSTREAM: `http://127.0.0.1:${origin.address().port}`, CLAIMS: JSON.stringify(CLAIMS),
        HS_SECRET: harness.HS_SECRET, ISSUER: harness.ISSUER, AUDIENCE: harness.AUDIENCE, MODE: mode,
      },
    });
    instances[mode] = { mf, url: await mf.ready, pid: workerdPid() };
  }
  return instances;
}

/** Per size: 4 batches per mode, modes alternating, so load from other work falls on all alike. */
async function measureAll(instances, modes, token, bodies) {
  const base = Number(opt.requests ?? 400);
  const rows = {};
  for (const [label, n] of SIZES) {
    const requests = n > 256 * 1024 ? Math.max(40, Math.round(base / 4)) : base;
    const m = {}, acc = {};
    for (const mode of modes) { m[mode] = await measure(instances[mode].url, label, token, Math.round(requests / 4)); acc[mode] = []; }
    for (let r = 0; r < 4; r++) for (const mode of modes) acc[mode].push(await batch(instances[mode].pid, m[mode]));
    const avg = (a, k) => a.reduce((sum, x) => sum + x[k], 0) / a.length;
    rows[label] = { size: bodies[label].length, out: m.filter.out, requests };
    for (const mode of modes) rows[label][mode] = { cpu: avg(acc[mode], "cpu"), wall: avg(acc[mode], "wall") };
    const r = rows[label];
    console.log(`${label.padEnd(6)} ${modes.map((mode) => `${mode}: CPU ${r[mode].cpu.toFixed(2)} ms/req, wall ${r[mode].wall.toFixed(2)} ms`).join(" | ")} | filtering adds ${(r.filter.cpu - r.pass.cpu).toFixed(2)} ms CPU`);
  }
  return rows;
}

async function main() {
  const harness = await import("../../edge/testing/harness.mjs");
  const bodies = Object.fromEntries(SIZES.map(([label, n]) => [label, Buffer.from(statusSummary(n))]));
  const origin = http.createServer((req, res) => {
    const b = bodies[new URL(req.url, "http://x").searchParams.get("s")];
    res.writeHead(b ? 200 : 404, { "content-type": "application/json", "content-length": b ? b.length : 0 });
    res.end(b);
  });
  await new Promise((ok) => origin.listen(0, "127.0.0.1", ok));
  const token = await harness.sign(CLAIMS, { exp: 3600 });
  const modes = ["filter", "pass", ...(opt.parts ? ["noop", ...Object.keys(PART_NAMES)] : [])];
  const load0 = os.loadavg()[0];
  let instances = {}, rows;
  try {
    instances = await startInstances(modes, origin, workerModules(), harness);
    rows = await measureAll(instances, modes, token, bodies);
  } finally {
    for (const i of Object.values(instances)) await i.mf.dispose();
    origin.close();
  }
  const md = table(rows, [load0, os.loadavg()[0]]) + (opt.parts ? "\n\n" + partsTable(rows) : "");
  console.log("\n" + md);
  if (opt.write) {
    const { writeBlock } = await import("./doc-blocks.mjs");
    writeBlock(path.join(repo, "docs/performance.md"), "edge-workerd", md);
    console.log("wrote the bench:edge-workerd block of docs/performance.md");
  }
}

function table(rows, load) {
  const L = [];
  L.push("### Edge handler in workerd (miniflare): CPU per request");
  L.push("");
  L.push(`Generated by \`node tests/bench/edge-workerd.mjs${opt.parts ? " --parts" : ""} --write\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}; 1-minute load average ${load.map((x) => x.toFixed(1)).join(" → ")}. ` +
    "Serial GETs of generated `summary.json` payloads (payload-gen.mjs) through `createEdgeFilter` in workerd, audience cache off, an HS256 token for a signed-in persona. " +
    "Miniflare exposes no per-request CPU time: CPU is workerd's own (utime + stime from /proc, all threads) over 4 batches alternating with the other instances; " +
    "**filtering adds** = filtered − pass-through, the handler's own work (JWT, viewer, wasm filter, ETag) without workerd's HTTP and fetch.");
  L.push("");
  L.push("| payload | bytes in → out | filtered CPU ms/req | pass-through CPU ms/req | filtering adds (CPU ms) | filtered wall ms | pass-through wall ms | target | |");
  L.push("|---|---:|---:|---:|---:|---:|---:|---|---|");
  for (const [label, r] of Object.entries(rows)) {
    const adds = r.filter.cpu - r.pass.cpu;
    L.push(`| status ${label} | ${r.size} → ${r.out} | ${r.filter.cpu.toFixed(2)} | ${r.pass.cpu.toFixed(2)} | ${adds.toFixed(2)} | ${r.filter.wall.toFixed(2)} | ${r.pass.wall.toFixed(2)} | ≤ ${TARGET_MS[label]} ms | ${adds <= TARGET_MS[label] ? "**met**" : "**missed**"} (filtering adds), ${r.filter.cpu <= TARGET_MS[label] ? "**met**" : "**missed**"} (all of workerd's CPU) |`);
  }
  return L.join("\n");
}

/** Each part alone, less a request that does nothing (workerd's own HTTP cost). */
function partsTable(rows) {
  const L = [];
  L.push("Where the filtered request's CPU goes in workerd (each step alone in its own worker, the body fetched once and kept; CPU ms/req less a worker answering `0` at once):");
  L.push("");
  L.push(`| step | ${Object.keys(rows).map((l) => `status ${l}`).join(" | ")} |`);
  L.push(`|---|${Object.keys(rows).map(() => "---:").join("|")}|`);
  L.push(`| workerd answering at once (subtracted below) | ${Object.values(rows).map((r) => r.noop.cpu.toFixed(2)).join(" | ")} |`);
  for (const [k, name] of Object.entries(PART_NAMES)) L.push(`| ${name} | ${Object.values(rows).map((r) => (r[k].cpu - r.noop.cpu).toFixed(2)).join(" | ")} |`);
  L.push(`| the whole filtered request | ${Object.values(rows).map((r) => (r.filter.cpu - r.noop.cpu).toFixed(2)).join(" | ")} |`);
  L.push("");
  for (const [label, r] of Object.entries(rows)) {
    const adds = r.filter.cpu - r.pass.cpu, wasm = r.wasm.cpu - r.noop.cpu, target = TARGET_MS[label];
    L.push(`- **${label}: filtering adds ${adds.toFixed(2)} ms (target ≤ ${target} ms, ${adds <= target ? "met" : "missed"}).** ` +
      `The wasm filter call alone is ${wasm.toFixed(2)} ms of it (${((100 * wasm) / Math.max(adds, 1e-9)).toFixed(0)}%)` +
      (wasm > target ? `, already over the target by itself: the core's parse, decisions and writing in wasm, which this handler cannot make cheaper (core/ and the wasm build are out of its scope); the rest is the body read (${(r.fetch.cpu - r.noop.cpu).toFixed(2)} ms with one native read) and the ETag's SHA-256 of the output.` : "."));
  }
  return L.join("\n");
}

if (isMain) await main();
