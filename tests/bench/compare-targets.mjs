// Issue 13's table of figures, from compare.mjs's measurements of one run: every figure with
// Keyhole's side and the reference's (median, min–max), the ratio with its spread, the target,
// met or missed. Used by compare.mjs (printed) and compare-report.mjs (docs/performance.md).

// A target: `at least`, `below` or `at most` a value.
export const Bound = Object.freeze({ atLeast: "≥", below: "<", atMost: "≤" });

const MiB = 1 << 20;
export const MEMORY_TARGET_BYTES = 4 * 16 * MiB + 16 * MiB;  // 4 × the largest payload + 16 MiB

const holds = (bound, value, limit) =>
  bound === Bound.atLeast ? value >= limit : bound === Bound.below ? value < limit : value <= limit;

// One row. `keyhole` and `reference` are { median, min, max } (or null) in `unit`.
function row(figure, size, { keyhole = null, reference = null, unit, ratio = null, spread = null, bound, limit, targetText, note = "" }) {
  const value = ratio ?? keyhole?.median;
  const met = value === undefined || value === null ? null : holds(bound, value, limit);
  return { figure, size, keyhole, reference, unit, ratio, spread, limit, target: targetText ?? `${bound} ${limit}`, met, note };
}

// a / b with the spread of the extremes: [a.min / b.max, a.max / b.min].
const quotient = (a, b) => ({ ratio: a.median / b.median, spread: [a.min / b.max, a.max / b.min] });

function nativeRows(native) {
  return ["64KB", "1MB", "16MB"].map((label) => {
    const r = native.rows.find((x) => x.payload === `status ${label}` && x.filter);
    if (!r) return row("native filter::run / simdjson DOM parse", label, { unit: "MB/s", bound: Bound.atLeast, limit: 0.6, note: "not measured" });
    return row("native filter::run / simdjson DOM parse", label, {
      keyhole: r.filter, reference: r.parse, unit: "MB/s", ...quotient(r.filter, r.parse), bound: Bound.atLeast, limit: 0.6,
      note: r.tree ? `core's parse (tree_fields) ${r.tree.median.toFixed(0)} MB/s = ${r.treeRatio.toFixed(2)}× simdjson` : "",
    });
  });
}

function wasmRows(wasm) {
  const limits = { "25KB": 2.5, "64KB": 4, "1MB": 4, "16MB": 4 };
  return Object.entries(limits).map(([label, limit]) => {
    const r = wasm.rows.find((x) => x.payload === `status ${label}`);
    if (!r?.wasm?.cpu || !r?.js?.cpu) return row("@keyhole/wasm / idiomatic JS", label, { unit: "ms CPU", bound: Bound.atLeast, limit, note: r?.wasm?.error ?? "not measured" });
    // The ratio is JS time / wasm time: how many times faster wasm is.
    return row("@keyhole/wasm / idiomatic JS", label, {
      keyhole: r.wasm.cpu, reference: r.js.cpu, unit: "ms CPU", ...quotient(r.js.cpu, r.wasm.cpu), bound: Bound.atLeast, limit,
      targetText: `${Bound.atLeast} ${limit}×`, note: r.jsSame ? "same output" : "OUTPUTS DIFFER",
    });
  });
}

function cliRows(cli) {
  return [["64KB", 20], ["16MB", 40]].map(([label, limit]) => {
    const r = cli.rows.find((x) => x.payload === `status ${label}`);
    if (!r?.jq) return row("keyhole CLI / jq, whole processes", label, { unit: "ms wall", bound: Bound.atLeast, limit, note: "not measured" });
    return row("keyhole CLI / jq, whole processes", label, {
      keyhole: r.cli.wall, reference: r.jq.wall, unit: "ms wall", ...quotient(r.jq.wall, r.cli.wall), bound: Bound.atLeast, limit,
      targetText: `${Bound.atLeast} ${limit}×`,
      note: `${r.same ? "same output" : "OUTPUTS DIFFER"}${r.cli.cpu && r.jq.cpu ? `; in CPU time (user+sys of the processes): ${r.cli.cpu.median.toFixed(2)} ms vs ${r.jq.cpu.median.toFixed(1)} ms, ${(r.jq.cpu.median / r.cli.cpu.median).toFixed(1)}×` : ""}`,
    });
  });
}

function compileRows(native, wasm) {
  return [
    row("policy compile, 3,900 rules, native", "233 KB", { keyhole: native.policyCompile, unit: "ms CPU", bound: Bound.below, limit: 2,
      targetText: "< 2 ms", note: "keyhole_bench policy/compile/3900_rules (in-process, not a `keyhole check` process)" }),
    row("policy compile, 3,900 rules, wasm", "233 KB", { keyhole: wasm.policyCompile, unit: "ms CPU", bound: Bound.below, limit: 4,
      targetText: "< 4 ms", note: wasm.policyCompileError ?? "compilePolicy + dispose in Node" }),
  ];
}

function memoryRow(wasm) {
  const r = wasm.rows.find((x) => x.payload === "status 16MB")?.wasm;
  const bytes = r?.firstCallMemory;
  const value = bytes ? { median: bytes / MiB, min: bytes / MiB, max: bytes / MiB } : null;
  return row("wasm memory after one 16 MB payload", "16MB", { keyhole: value, unit: "MiB", bound: Bound.atMost, limit: MEMORY_TARGET_BYTES / MiB,
    targetText: `≤ ${MEMORY_TARGET_BYTES / MiB} MiB (4 × 16 MiB + 16 MiB)`, note: "memory.buffer.byteLength (memoryBytes) after the first call" });
}

// Cost per MB at 16 MB over cost per MB at 1 MB (1.0 = linear).
function perMbRows(native, wasm) {
  const n1 = native.rows.find((x) => x.payload === "status 1MB" && x.filter), n16 = native.rows.find((x) => x.payload === "status 16MB" && x.filter);
  const w1 = wasm.rows.find((x) => x.payload === "status 1MB")?.wasm, w16 = wasm.rows.find((x) => x.payload === "status 16MB")?.wasm;
  const sizes = Object.fromEntries(wasm.rows.map((x) => [x.payload, x.size]));
  const perMb = (s, bytes) => ({ median: s.median / (bytes / 1e6), min: s.min / (bytes / 1e6), max: s.max / (bytes / 1e6) });
  const rows = [];
  if (n1 && n16) {
    // Rates are MB/s, so cost per MB is 1 / rate: cost16 / cost1 = rate1 / rate16.
    const inv = (s) => ({ median: 1000 / s.median, min: 1000 / s.max, max: 1000 / s.min });  // ms per MB
    rows.push(row("per-MB cost at 16 MB / at 1 MB, native", "16MB vs 1MB", { keyhole: inv(n16.filter), reference: inv(n1.filter), unit: "ms per MB",
      ...quotient(inv(n16.filter), inv(n1.filter)), bound: Bound.atMost, limit: 1.2, targetText: "≤ 1.2×",
      note: `simdjson DOM parse alone: ${(n1.parse.median / n16.parse.median).toFixed(2)}×` }));
  }
  if (w1?.cpu && w16?.cpu) {
    const a = perMb(w16.cpu, sizes["status 16MB"]), b = perMb(w1.cpu, sizes["status 1MB"]);
    // The share of the payload the persona keeps at each size: linearity compares one job at
    // two sizes, so the shares should match (STATUS_POLICY_GROUPS in payload-gen.mjs).
    const kept = (r, bytes) => `${Math.round((100 * r.outBytes) / bytes)}%`;
    rows.push(row("per-MB cost at 16 MB / at 1 MB, wasm", "16MB vs 1MB", { keyhole: a, reference: b, unit: "ms per MB", ...quotient(a, b),
      bound: Bound.atMost, limit: 1.2, targetText: "≤ 1.2×",
      note: `output kept: ${kept(w1, sizes["status 1MB"])} of the payload at 1 MB, ${kept(w16, sizes["status 16MB"])} at 16 MB` }));
  }
  return rows;
}

// Callgrind's instructions per byte: figures beside the native ratio, no target of their own.
function instructionRow(ins) {
  const by = (op) => ins?.rows?.find((x) => x.op === op && x.perByte);
  const f = by("filter"), d = by("dom_parse"), s = by("stage1"), t = by("tree"), large = by("filter_large");
  if (!f || !d) return [];
  return [{ figure: "instructions per byte (callgrind), filter / DOM parse", size: "1MB", keyhole: null, reference: null, unit: "",
    ratio: d.perByte / f.perByte, spread: null, target: "(no target; the native ratio in instructions)", met: null,
    note: `filter ${f.perByte.toFixed(2)}, DOM parse ${d.perByte.toFixed(2)}, stage 1 ${s?.perByte.toFixed(2) ?? "?"}, core's parse ${t?.perByte.toFixed(2) ?? "?"}` + (large ? `; filter at 16 MB ${large.perByte.toFixed(2)}` : "") }];
}

/** Every row of issue 13's table, in its order. */
export function targetRows({ native, cli, wasm, instructions }) {
  return [...nativeRows(native), ...wasmRows(wasm), ...cliRows(cli), ...compileRows(native, wasm), memoryRow(wasm),
    ...perMbRows(native, wasm), ...instructionRow(instructions)];
}

const digits = (x) => (x >= 100 ? 0 : x >= 10 ? 1 : 3);
const fixed = (x, d) => x.toFixed(d);
export const fmtStats = (s) => {
  if (!s) return "—";
  const d = digits(s.median);
  return s.min === s.max ? fixed(s.median, d) : `${fixed(s.median, d)} (${fixed(s.min, d)}–${fixed(s.max, d)})`;
};
// Three decimals below 10×, so a ratio just past its limit (1.204 against ≤ 1.2) shows why.
const ratioDigits = (x) => (x < 10 ? 3 : 1);
export const fmtRatio = (r) => (r.ratio === null || r.ratio === undefined ? "—"
  : `${fixed(r.ratio, ratioDigits(r.ratio))}×` + (r.spread ? ` (${fixed(r.spread[0], ratioDigits(r.ratio))}–${fixed(r.spread[1], ratioDigits(r.ratio))})` : ""));
export const fmtMet = (r) => (r.met === null ? "" : r.met ? "met" : "missed");

/** The table on the console. */
export function printTargets(rows, log) {
  log(`${"figure".padEnd(44)} ${"size".padEnd(12)} ${"Keyhole".padEnd(24)} ${"reference".padEnd(24)} ${"ratio (spread)".padEnd(20)} ${"target".padEnd(12)} result`);
  for (const r of rows) {
    log(`${r.figure.padEnd(44)} ${r.size.padEnd(12)} ${(fmtStats(r.keyhole) + (r.keyhole ? " " + r.unit : "")).padEnd(24)} ${(fmtStats(r.reference) + (r.reference ? " " + r.unit : "")).padEnd(24)} ` +
      `${fmtRatio(r).padEnd(20)} ${r.target.split(" (")[0].padEnd(12)} ${fmtMet(r).padEnd(7)} ${r.note}`);
  }
  const scored = rows.filter((r) => r.met !== null);
  log(`${scored.filter((r) => r.met).length} of ${scored.length} targets met`);
}
