// Benchmark of @keyhole/wasm in Node: .wasm size (raw, gzip), cold start (compile +
// instantiate + compile policy), and filter throughput on generated Statuspage
// summary payloads of 4 KB, 64 KB, 1 MB and 16 MB against the idiomatic JS way of
// doing the same job (js-reference-filter.mjs), in the same run, with the ratio; next to
// it simdjson's parse alone in the same kernel (stage 1: structural indexes + UTF-8
// validation; and the full DOM parse), from build/emscripten's keyhole_parse_bench.
//
// Usage: node tests/bench/wasm-bench.mjs [--quick] [--variant NAME=DIR]...
//   --variant  compare builds side by side: DIR holds keyhole.wasm and, optionally,
//              keyhole_parse_bench.{mjs,wasm} (e.g. a build tree's wasm/ folder:
//              -DKEYHOLE_WASM_SIMD=OFF for the scalar kernel). Without it: the package's
//              wasm/dist/keyhole.wasm and build/emscripten/wasm/keyhole_parse_bench.
// MB/s are 10^6 bytes of input per second of CPU time (user+sys of this process, which
// load from other work on a shared machine inflates less than wall time): the median
// of >= 5 timed batches, with the min-max spread.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { loadKeyhole } from "@keyhole/wasm";
import { jsReferenceFilter } from "./js-reference-filter.mjs";

const quick = process.argv.includes("--quick");
const require = createRequire(import.meta.url);
const wasmPath = require.resolve("@keyhole/wasm/keyhole.wasm");

const POLICY = {
  keyhole: 1,
  audiences: { staff: ["domain:acme.example", "group:staff"], customer: ["org:*"], premium: [{ all: ["org:*", "attr:plan=enterprise"] }] },
  status: {
    default: { allow: ["everyone"] },
    components: {
      "grp-internal": { allow: ["@staff"], inherit: false },
      "grp-enterprise": { allow: ["@premium", "@staff"], inherit: false },
      "grp-customers": { allow: ["@customer", "@staff"], inherit: false },
    },
    incidents: {
      visibility: "any-component", mixed: "redact",
      "redact-text": "Details are shared with affected customers only.",
      "without-components": { allow: ["signed-in"] },
    },
    disclose: [
      { field: "update.body", allow: ["signed-in"], replace: "Sign in to read the details." },
      { field: "component.description", allow: ["@staff"] },
    ],
    "recompute-status": true,
  },
};
const CLAIMS = { sub: "u-42", email: "ann@globex.example", email_verified: true, orgs: ["globex"], attrs: { plan: "standard" } };

const STATUSES = ["operational", "operational", "operational", "degraded_performance", "partial_outage", "operational", "major_outage", "under_maintenance"];
const GROUPS = ["grp-public", "grp-customers", "grp-enterprise", "grp-internal"];

// A Statuspage summary.json of about `target` bytes, shaped like the real captures.
function statusPayload(target) {
  const components = GROUPS.map((g, i) => ({
    id: g, name: `Group ${g}`, status: "operational", created_at: "2023-02-01T17:03:27.126Z",
    updated_at: "2024-06-01T12:00:00.000Z", position: i + 1, description: null, showcase: false,
    start_date: null, group_id: null, page_id: "kctbh9vrtdwd", group: true, only_show_if_degraded: false, components: [],
  }));
  const incidents = [];
  const maintenances = [];
  let size = 600;
  for (let i = 0; size < target; i++) {
    const g = GROUPS[i % 4];
    const id = `c${i.toString(36).padStart(6, "0")}`;
    const c = {
      id, name: `Service ${i} (${g.slice(4)})`, status: STATUSES[i % STATUSES.length],
      created_at: "2023-02-01T17:03:27.126Z", updated_at: "2024-06-01T12:00:00.000Z", position: i + 10,
      description: i % 3 ? `Handles requests for shard ${i}, region ${["eu", "us", "ap"][i % 3]}.` : null,
      showcase: i % 2 === 0, start_date: null, group_id: g, page_id: "kctbh9vrtdwd", group: false, only_show_if_degraded: false,
    };
    components.push(c);
    components[i % 4].components.push(id);
    size += JSON.stringify(c).length + 12;
    if (i % 6 === 0) {
      const r = {
        id: `inc${i}`, name: `Elevated errors on service ${i}`, status: i % 12 ? "investigating" : "resolved",
        created_at: "2024-06-01T11:00:00.000Z", updated_at: "2024-06-01T12:00:00.000Z", monitoring_at: null, resolved_at: null,
        impact: ["minor", "major", "critical", "none"][i % 4], shortlink: `https://stspg.io/x${i}`, started_at: "2024-06-01T11:00:00.000Z",
        page_id: "kctbh9vrtdwd",
        incident_updates: [0, 1].map((k) => ({
          id: `upd${i}-${k}`, status: k ? "identified" : "investigating",
          body: `We are investigating elevated error rates affecting service ${i}. Update ${k}: engineers are engaged and a fix is being rolled out.`,
          incident_id: `inc${i}`, created_at: "2024-06-01T11:05:00.000Z", updated_at: "2024-06-01T11:05:00.000Z", display_at: "2024-06-01T11:05:00.000Z",
          affected_components: [{ code: id, name: c.name, old_status: "operational", new_status: c.status }],
          deliver_notifications: true, custom_tweet: null, tweet_id: null,
        })),
        components: [c, ...(i % 4 === 0 && i > 0 ? [components[components.length - 2]] : [])],
      };
      (i % 18 === 0 ? maintenances : incidents).push(i % 18 === 0 ? { ...r, status: "in_progress", impact: "maintenance", scheduled_for: "2024-06-01T10:00:00.000Z", scheduled_until: "2024-06-01T14:00:00.000Z" } : r);
      size += JSON.stringify(r).length;
    }
  }
  return new TextEncoder().encode(JSON.stringify({
    page: { id: "kctbh9vrtdwd", name: "Example", url: "https://www.examplestatus.com", time_zone: "Etc/UTC", updated_at: "2024-06-01T12:00:00.000Z" },
    components, incidents, scheduled_maintenances: maintenances,
    status: { indicator: "major", description: "Partial System Outage" },
  }));
}

// Throughput in MB/s (10^6 bytes per CPU second): every batch repeats fn until it has
// taken ~budgetMs/RUNS; median and spread of RUNS batches after a warm-up long enough
// for V8 to tier the wasm up (Liftoff → TurboFan).
const RUNS = quick ? 5 : 7;
function cpuMs() { const u = process.cpuUsage(); return (u.user + u.system) / 1000; }
function measure(fn, bytes, budgetMs) {
  const warmEnd = performance.now() + Math.min(600, budgetMs / 2);
  let calls = 0;
  while (calls < 3 || (calls < 5000 && performance.now() < warmEnd)) { fn(); calls++; }
  let t0 = cpuMs();
  fn();
  const once = Math.max(cpuMs() - t0, 0.002);
  const perBatch = Math.max(1, Math.round(budgetMs / RUNS / once));
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    t0 = cpuMs();
    for (let i = 0; i < perBatch; i++) fn();
    rates.push(bytes / ((cpuMs() - t0) / perBatch / 1000) / 1e6);
  }
  rates.sort((a, b) => a - b);
  return { median: rates[rates.length >> 1], min: rates[0], max: rates[rates.length - 1] };
}
const fmtRate = (r) => (r ? `${r.median.toFixed(0)} (${r.min.toFixed(0)}–${r.max.toFixed(0)})` : "—");

const fmtKB = (n) => `${(n / 1024).toFixed(1)} KB`;

// The builds to compare: --variant NAME=DIR..., or the package's module and
// build/emscripten's parse bench.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const variants = [];
for (let i = 0; i < process.argv.length; i++) {
  if (process.argv[i] !== "--variant") continue;
  const [name, dir] = process.argv[i + 1].split("=");
  variants.push({ name, wasm: path.resolve(dir, "keyhole.wasm"), parseDir: path.resolve(dir) });
}
if (!variants.length) variants.push({ name: "package", wasm: wasmPath, parseDir: path.join(repo, "build/emscripten/wasm") });

// keyhole_parse_bench (tests/bench/wasm_parse_bench.cpp) of a build, or null when absent.
async function loadParseBench(dir) {
  const mjs = path.join(dir, "keyhole_parse_bench.mjs");
  if (!fs.existsSync(mjs)) return null;
  const create = (await import(pathToFileURL(mjs).href)).default;
  const m = await create({ wasmBinary: fs.readFileSync(path.join(dir, "keyhole_parse_bench.wasm")) });
  return { m, kernel: m.UTF8ToString(m._bench_kernel()) };
}

// One variant: size, cold and warm start, the compiled policy, its parse bench.
async function loadVariant(v) {
  const bytes = fs.readFileSync(v.wasm);
  const gzip = zlib.gzipSync(bytes, { level: 9 }).length;
  let t0 = performance.now();
  const kh = await loadKeyhole({ wasmBinary: bytes });
  const t1 = performance.now();
  const policy = kh.compilePolicy(JSON.stringify(POLICY));
  const t2 = performance.now();
  const mod = new WebAssembly.Module(bytes);
  const t3 = performance.now();
  const kh2 = await loadKeyhole({ wasmModule: mod });
  kh2.compilePolicy(JSON.stringify(POLICY)).dispose();
  const t4 = performance.now();
  const parse = await loadParseBench(v.parseDir);
  console.log(`[${v.name}] ${v.wasm}: ${bytes.length} bytes raw (${fmtKB(bytes.length)}), ${gzip} bytes gzip (${fmtKB(gzip)}); simdjson kernel: ${parse?.kernel ?? "? (no keyhole_parse_bench in " + v.parseDir + ")"}`);
  console.log(`[${v.name}] cold start: ${(t2 - t0).toFixed(1)} ms (compile + instantiate ${(t1 - t0).toFixed(1)} ms, compilePolicy ${(t2 - t1).toFixed(2)} ms); ` +
    `warm start (precompiled module, the edge path): instantiate + compilePolicy ${(t4 - t3).toFixed(1)} ms (module compile ${(t3 - t2).toFixed(1)} ms)`);
  return { ...v, kh, policy, parse };
}

// Parse-only rates of one payload in a variant's parse bench: stage 1 and DOM parse.
function parseRates(parse, payload, budget) {
  if (!parse) return {};
  const { m } = parse;
  const at = m._bench_alloc(payload.length);
  m.HEAPU8.set(payload, at);
  try {
    if (m._bench_stage1(at, payload.length) < 0 || m._bench_dom_parse(at, payload.length) < 0) throw new Error("parse bench rejected the payload");
    // Keyhole's own structural indexer (what keyhole.wasm runs), when the parse bench has it.
    const own = m._bench_own_stage1;
    if (own && own(at, payload.length) !== m._bench_stage1(at, payload.length)) throw new Error("own stage 1 disagrees with simdjson's");
    return {
      ownStage1: own ? measure(() => own(at, payload.length), payload.length, budget) : undefined,
      // The core's whole parse (its stage 1 + the tree pass, names classified), when the parse bench has it.
      ownParse: m._bench_tree_fields ? measure(() => m._bench_tree_fields(at, payload.length), payload.length, budget) : undefined,
      stage1: measure(() => m._bench_stage1(at, payload.length), payload.length, budget),
      dom: measure(() => m._bench_dom_parse(at, payload.length), payload.length, budget),
    };
  } finally { m._bench_free(at); }
}

const glue = fs.readFileSync(path.join(path.dirname(wasmPath), "keyhole.mjs"));
console.log(`keyhole.mjs (the package's glue, used with every variant): ${glue.length} bytes raw, ${zlib.gzipSync(glue, { level: 9 }).length} bytes gzip`);
const loaded = [];
for (const v of variants) loaded.push(await loadVariant(v));

console.log("\nCPU MB/s, median (min–max) of " + RUNS + " batches; own stage 1 = Keyhole's structural indexer (the module's); own parse = it + the core's tree pass (names classified), the filter's first step; stage 1 / DOM = simdjson's parse alone, same kernel and bytes");
console.log("size      payload    variant      filter MB/s            own stage1 MB/s        own parse MB/s         stage1 MB/s            DOM parse MB/s      filter/stage1   JS MB/s   wasm/JS  out bytes  same result");
const sizes = quick ? [4 << 10, 64 << 10, 1 << 20] : [4 << 10, 64 << 10, 1 << 20, 16 << 20];
const claimsJson = JSON.stringify(CLAIMS);
const summary = [];
for (const target of sizes) {
  const payload = statusPayload(target);
  const budget = quick ? 300 : target >= 16 << 20 ? 4000 : 1500;
  const jsOut = jsReferenceFilter(POLICY, CLAIMS, payload);
  const js = measure(() => jsReferenceFilter(POLICY, CLAIMS, payload), payload.length, budget);
  const label = target >= 1 << 20 ? `${target >> 20} MB` : `${target >> 10} KB`;
  for (const v of loaded) {
    const out = v.policy.filter(payload, claimsJson);
    const same = isDeepStrictEqual(JSON.parse(new TextDecoder().decode(out)), JSON.parse(new TextDecoder().decode(jsOut)));
    const filter = measure(() => v.policy.filter(payload, claimsJson), payload.length, budget);
    const { ownStage1, ownParse, stage1, dom } = parseRates(v.parse, payload, budget);
    summary.push({ label, variant: v.name, filter, ownStage1, ownParse, stage1, dom });
    console.log(`${label.padEnd(9)} ${String(payload.length).padStart(9)}  ${v.name.padEnd(12)} ${fmtRate(filter).padEnd(22)} ${fmtRate(ownStage1).padEnd(22)} ${fmtRate(ownParse).padEnd(22)} ${fmtRate(stage1).padEnd(22)} ${fmtRate(dom).padEnd(22)}` +
      `${stage1 ? (filter.median / stage1.median).toFixed(2).padStart(6) + "x" : "      —"}   ${js.median.toFixed(0).padStart(7)} ${(filter.median / js.median).toFixed(2).padStart(7)}x ${String(out.length).padStart(10)}  ${same ? "yes" : "NO (semantics differ)"}`);
  }
}
if (loaded.length > 1) {
  console.log(`\nspeed-up against ${loaded[0].name} (median / median): filter, own stage 1, own parse, stage 1, DOM parse`);
  for (const r of summary.filter((r) => r.variant !== loaded[0].name)) {
    const base = summary.find((b) => b.label === r.label && b.variant === loaded[0].name);
    const x = (k) => (r[k] && base[k] ? `${(r[k].median / base[k].median).toFixed(2)}x` : "—");
    console.log(`${r.label.padEnd(9)} ${r.variant.padEnd(12)} filter ${x("filter")}  own stage1 ${x("ownStage1")}  own parse ${x("ownParse")}  stage1 ${x("stage1")}  dom ${x("dom")}`);
  }
}
for (const v of loaded) { console.log(`[${v.name}] wasm memory after the run: ${(v.kh.memoryBytes / 1048576).toFixed(1)} MiB`); v.policy.dispose(); }
