// Benchmark of @keyhole/wasm in Node: .wasm size (raw, gzip), cold start (compile +
// instantiate + compile policy), and filter throughput on generated Statuspage
// summary payloads of 4 KB, 64 KB, 1 MB and 16 MB against the idiomatic JS way of
// doing the same job (js-reference-filter.mjs), in the same run, with the ratio.
// Usage: node tests/bench/wasm-bench.mjs [--quick]
// MB/s are 10^6 bytes of input per second, best of several batches.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";
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

// Throughput in MB/s (10^6 bytes/s): the best of several timed batches, so that other
// work on a shared machine disturbs the figure as little as possible.
function measure(fn, bytes, budgetMs) {
  fn();  // warm-up
  const t0 = performance.now();
  fn();
  const once = Math.max(performance.now() - t0, 0.001);
  const perBatch = Math.max(1, Math.round(Math.min(100, budgetMs / 5) / once));
  let best = Infinity;
  const end = performance.now() + budgetMs;
  let batches = 0;
  while (batches < 3 || performance.now() < end) {
    const start = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    best = Math.min(best, (performance.now() - start) / perBatch);
    batches++;
  }
  return bytes / (best / 1000) / 1e6;
}

const fmtKB = (n) => `${(n / 1024).toFixed(1)} KB`;

// Size.
const wasmBytes = fs.readFileSync(wasmPath);
console.log(`keyhole.wasm: ${wasmBytes.length} bytes raw (${fmtKB(wasmBytes.length)}), ${zlib.gzipSync(wasmBytes, { level: 9 }).length} bytes gzip (${fmtKB(zlib.gzipSync(wasmBytes, { level: 9 }).length)})`);
const glue = fs.readFileSync(path.join(path.dirname(wasmPath), "keyhole.mjs"));
console.log(`keyhole.mjs:  ${glue.length} bytes raw, ${zlib.gzipSync(glue, { level: 9 }).length} bytes gzip`);

// Cold start: compile + instantiate + compile policy (first load in this process).
let t0 = performance.now();
const kh = await loadKeyhole({ wasmBinary: wasmBytes });
const t1 = performance.now();
const policy = kh.compilePolicy(JSON.stringify(POLICY));
const t2 = performance.now();
console.log(`cold start: ${(t2 - t0).toFixed(1)} ms (compile + instantiate ${(t1 - t0).toFixed(1)} ms, compilePolicy ${(t2 - t1).toFixed(2)} ms)`);
t0 = performance.now();
const mod = new WebAssembly.Module(wasmBytes);
const t3 = performance.now();
const kh2 = await loadKeyhole({ wasmModule: mod });
kh2.compilePolicy(JSON.stringify(POLICY)).dispose();
const t4 = performance.now();
console.log(`warm start (precompiled module, the edge path): instantiate + compilePolicy ${(t4 - t3).toFixed(1)} ms (module compile ${(t3 - t0).toFixed(1)} ms)`);

console.log("");
console.log("size      payload     wasm MB/s   JS MB/s   ratio   out bytes  same result");
const sizes = quick ? [4 << 10, 64 << 10, 1 << 20] : [4 << 10, 64 << 10, 1 << 20, 16 << 20];
const claimsJson = JSON.stringify(CLAIMS);
for (const target of sizes) {
  const payload = statusPayload(target);
  const budget = quick ? 300 : target >= 16 << 20 ? 4000 : 1500;
  const wasmOut = policy.filter(payload, claimsJson);
  const jsOut = jsReferenceFilter(POLICY, CLAIMS, payload);
  const same = isDeepStrictEqual(JSON.parse(new TextDecoder().decode(wasmOut)), JSON.parse(new TextDecoder().decode(jsOut)));
  const wasmMBs = measure(() => policy.filter(payload, claimsJson), payload.length, budget);
  const jsMBs = measure(() => jsReferenceFilter(POLICY, CLAIMS, payload), payload.length, budget);
  const label = target >= 1 << 20 ? `${target >> 20} MB` : `${target >> 10} KB`;
  console.log(`${label.padEnd(9)} ${String(payload.length).padStart(9)}  ${wasmMBs.toFixed(1).padStart(10)} ${jsMBs.toFixed(1).padStart(9)} ${(wasmMBs / jsMBs).toFixed(2).padStart(6)}x ${String(wasmOut.length).padStart(10)}  ${same ? "yes" : "NO (semantics differ)"}`);
}
console.log(`\nwasm memory after the run: ${(kh.memoryBytes / 1048576).toFixed(1)} MiB`);
policy.dispose();
