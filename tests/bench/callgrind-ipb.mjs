// Instructions per byte from callgrind: the native filter, simdjson's DOM parse and its
// stage 1 alone, on the generated status summary (1 MB by default), counted in
// keyhole_bench's --instructions mode (tests/bench/filter_bench.cpp): callgrind collects
// only inside keyhole_measured_loop(), i.e. exactly K calls of the operation, after one
// warm-up call. An instruction count does not move with the load on a shared machine,
// which wall and CPU times do.
//
//   node tests/bench/callgrind-ipb.mjs [BYTES]     (also section 1b of compare.mjs)
//
// Under valgrind simdjson picks its haswell kernel (valgrind hides AVX-512), so the
// counts are the haswell kernel's even on a machine whose native runs pick icelake.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { splitByGroup } from "./callgrind-split.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const OPS = [
  ["filter", "keyhole filter::run (parse, decide, write)"],
  ["dom_parse", "simdjson DOM parse (stage 1 + 2)"],
  ["stage1", "simdjson stage 1 alone (structural indexes + UTF-8)"],
  ["own_stage1", "Keyhole's own structural indexer alone (windows, UTF-8 per window)"],
  ["tree", "Keyhole's parse: its stage 1 + its own stage 2 (json_tree::build)"],
];

// One operation under callgrind: { op, what, bytes, iterations, kernel, instructions, perByte },
// and with `split` its instructions by function group (callgrind-split.mjs).
function countOne(bench, op, what, bytes, iterations, split = false) {
  const out = path.join(os.tmpdir(), `keyhole-callgrind-${process.pid}-${op}.out`);
  const r = spawnSync("valgrind", [
    "--tool=callgrind", `--callgrind-out-file=${out}`, "--collect-atstart=no", "--toggle-collect=keyhole_measured_loop",
    bench, `--instructions=${op}`, `--bytes=${bytes}`, `--iterations=${iterations}`,
  ], { encoding: "utf8", timeout: 600000 });
  try {
    const collected = /Collected : (\d+)/.exec(r.stderr ?? "");
    if (r.status !== 0 || !collected) return { op, what, error: (r.error?.message ?? r.stderr ?? "").trim().split("\n").slice(-2).join(" ") || `exit ${r.status}` };
    const info = JSON.parse(r.stdout.trim().split("\n").pop());
    const instructions = Number(collected[1]) / info.iterations;
    const row = { op, what, bytes: info.bytes, iterations: info.iterations, kernel: info.kernel, instructions, perByte: instructions / info.bytes };
    if (split) {
      try { row.split = splitByGroup(out, info.iterations); } catch (e) { row.split = { error: e.message }; }
    }
    return row;
  } finally { fs.rmSync(out, { force: true }); }
}

// Every operation; { skipped } when valgrind is missing.
// With `split`, the filter's row also carries its instructions by function group. With
// `largeBytes`, one more row: the filter at that size (one call), op "filter_large", to tell
// whether a larger payload costs more instructions per byte or only more time per byte.
export function measureInstructions({ bench, bytes = 1 << 20, iterations = 3, log = console.log, split = false, largeBytes = 0 }) {
  if (spawnSync("valgrind", ["--version"]).status !== 0) return { skipped: "valgrind not installed" };
  const rows = OPS.map(([op, what]) => countOne(bench, op, what, bytes, iterations, split && op === "filter"));
  if (largeBytes) rows.push({ ...countOne(bench, "filter", `keyhole filter::run at ${largeBytes >> 20} MB`, largeBytes, 1), op: "filter_large" });
  for (const x of rows) {
    if (x.error) { log(`${x.what.padEnd(52)} error: ${x.error}`); continue; }
    log(`${x.what.padEnd(52)} ${(x.instructions / 1e6).toFixed(2).padStart(7)} M instructions per call  ${x.perByte.toFixed(2).padStart(6)} per byte  (${x.bytes} bytes, ${x.iterations} calls, simdjson ${x.kernel})`);
  }
  const f = rows.find((x) => x.op === "filter"), s = rows.find((x) => x.op === "stage1"), d = rows.find((x) => x.op === "dom_parse");
  if (f?.perByte && s?.perByte && d?.perByte) log(`filter / DOM parse: ${(f.perByte / d.perByte).toFixed(2)}× the instructions; filter / stage 1: ${(f.perByte / s.perByte).toFixed(2)}×`);
  if (f?.split?.groups) {
    log("the filter's instructions by function group (callgrind_annotate, self cost):");
    for (const g of f.split.groups) log(`  ${g.what.padEnd(92)} ${(g.instructions / 1e6).toFixed(2).padStart(6)} M  ${(100 * g.share).toFixed(1).padStart(5)}%`);
  } else if (f?.split?.error) log(`function groups: ${f.split.error}`);
  return { rows, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bench = path.join(here, "../../build/release/tests/keyhole_bench");
  measureInstructions({ bench, bytes: Number(process.argv[2] ?? 1 << 20), split: true, largeBytes: 16 << 20 });
}
