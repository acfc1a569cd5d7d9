// Two builds of @keyhole/wasm against each other, interleaved in one process: CPU time per
// filter call, batches of each alternating, so the load of other work on a shared machine
// falls on both alike (the figures of separate runs moved ±30% here). For deciding a change
// to the module's build or core; compare.mjs gives the figures against JS.
//   node tests/bench/wasm-ab.mjs DIR_A DIR_B [--rounds N] [--sizes 25KB,64KB,1MB,16MB]
// DIR_A and DIR_B are package folders: index.js (and what it imports) plus dist/keyhole.{mjs,wasm},
// e.g. a copy of wasm/ made before a change. Payloads and policy are compare.mjs's
// (generated status summaries, its status policy and persona), and the outputs must agree.
import fs from "node:fs";
import path from "node:path";
import { statusSummary, statusPolicy } from "./payload-gen.mjs";

const argv = process.argv.slice(2);
const option = (name, fallback) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : fallback; };
const [dirA, dirB] = argv.filter((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--"));
if (!dirA || !dirB) {
  console.error("usage: node tests/bench/wasm-ab.mjs DIR_A DIR_B [--rounds N] [--sizes 25KB,64KB,1MB]");
  process.exit(2);
}
const ROUNDS = Number(option("--rounds", "15"));
const SIZES = option("--sizes", "25KB,64KB,1MB").split(",");
const BATCH_MS = 50;
const CLAIMS = JSON.stringify({ sub: "u-7", email: "bob@example.com", email_verified: true });
const POLICY = statusPolicy();
const bytesOf = (label) => Number.parseInt(label, 10) << (label.endsWith("MB") ? 20 : 10);

async function load(dir) {
  const { loadKeyhole } = await import(path.resolve(dir, "index.js"));
  const kh = await loadKeyhole({ wasmBinary: fs.readFileSync(path.resolve(dir, "dist/keyhole.wasm")) });
  kh.setLimits?.({ maxPayloadBytes: 64 << 20 });
  return kh.compilePolicy(POLICY);
}

/** CPU microseconds per call of `fn` over `k` calls. */
function batch(fn, k) {
  const c = process.cpuUsage();
  for (let i = 0; i < k; i++) fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / k;
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

const [policyA, policyB] = [await load(dirA), await load(dirB)];
console.log(`A ${dirA}\nB ${dirB}\n${ROUNDS} alternating batches of ~${BATCH_MS} ms each; CPU µs per call, median`);
for (const label of SIZES) {
  const payload = new TextEncoder().encode(statusSummary(bytesOf(label)));
  const fa = () => policyA.filter(payload, CLAIMS), fb = () => policyB.filter(payload, CLAIMS);
  if (!Buffer.from(fa()).equals(Buffer.from(fb()))) throw new Error(`${label}: the two builds' outputs differ`);
  for (let t = performance.now(); performance.now() - t < 500;) { fa(); fb(); }  // V8 tiers both up
  const once = performance.now();
  fa();
  const k = Math.max(1, Math.ceil(BATCH_MS / Math.max(performance.now() - once, 0.001)));
  const a = [], b = [];
  for (let r = 0; r < ROUNDS; r++) { a.push(batch(fa, k)); b.push(batch(fb, k)); }
  console.log(`${label.padEnd(5)} A ${median(a).toFixed(1).padStart(9)}  B ${median(b).toFixed(1).padStart(9)}  B/A ${(median(b) / median(a)).toFixed(3)}`);
}
