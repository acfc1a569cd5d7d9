// Grows each adversarial shape (dos-shapes.mjs) ×1 ×2 ×4 ×8 and prints the
// time natively (the `keyhole` CLI, whole process) and in WebAssembly
// (@keyhole/wasm in this process), with the ratio to ×1: near 2 / 4 / 8
// means linear (finding D1–D3: every path linear or n·log n).
// Usage: node tests/bench/dos-growth.mjs [--quick] [--cli build/release/core/keyhole] [--only TEXT]
// (--only: the shapes whose name holds TEXT)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { loadKeyhole } from "@keyhole/wasm";
import { SHAPES } from "./dos-shapes.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const cli = args.includes("--cli") ? args[args.indexOf("--cli") + 1] : "build/release/core/keyhole";
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : "";
const RUNS = quick ? 3 : 5;
const FACTORS = [1, 2, 4, 8];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyhole-dos-"));

function nativeMs(input) {
  const files = {};
  for (const k of ["policy", "payload", "claims"]) fs.writeFileSync((files[k] = path.join(tmp, `${k}.json`)), input[k]);
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = process.hrtime.bigint();
    const p = spawnSync(cli, ["filter", "--policy", files.policy, "--claims", files.claims, files.payload], { maxBuffer: 1 << 30 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (p.status !== 0 && !input.expectError) throw new Error(`native exit ${p.status}: ${p.stderr}`);
  }
  return median(times);
}

function wasmMs(kh, input) {
  const bytes = new TextEncoder().encode(input.payload);
  const times = [];
  for (let r = -1; r < RUNS; r++) {  // run -1 warms up (grows wasm memory once)
    const t0 = process.hrtime.bigint();
    const policy = kh.compilePolicy(input.policy);
    try { policy.filter(bytes, input.claims); } catch (e) { if (!input.expectError) throw e; }
    policy.dispose();
    if (r >= 0) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

const kh = await loadKeyhole();
const fmt = (x) => x.toFixed(1).padStart(8);
console.log("shape                                   n        bytes  native ms (×1 ratio)      wasm ms (×1 ratio)");
for (const shape of SHAPES.filter((s) => s.name.includes(only))) {
  const base = quick ? Math.max(1, shape.base >> 1) : shape.base;
  let n0, w0;
  for (const f of FACTORS) {
    const input = shape.make(base * f);
    const n = nativeMs(input), w = wasmMs(kh, input);
    if (f === 1) { n0 = n; w0 = w; }
    const bytes = input.payload.length + input.policy.length + input.claims.length;
    console.log(`${(f === 1 ? shape.name : "").padEnd(38)} ${String(base * f).padStart(7)} ${String(bytes).padStart(11)} ${fmt(n)} (${(n / n0).toFixed(2).padStart(5)})   ${fmt(w)} (${(w / w0).toFixed(2).padStart(5)})`);
  }
}
fs.rmSync(tmp, { recursive: true, force: true });
