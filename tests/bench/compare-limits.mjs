// "What limits the missed targets" of docs/performance.md, written from this run's numbers
// (compare-targets.mjs rows and compare.mjs sections), so the text cannot drift from the
// figures beside it. One function per target family; each returns a bullet or nothing.
import { MEMORY_TARGET_BYTES } from "./compare-targets.mjs";
import { STATUS_POLICY_TEXT } from "./payload-gen.mjs";

const MiB = 1 << 20;
const x2 = (v) => `${v.toFixed(2)}×`;
const missed = (rows, figure) => rows.filter((r) => r.figure.startsWith(figure) && r.met === false);
const splitOf = (ins) => ins?.rows?.find((x) => x.op === "filter")?.split;
const perByte = (ins, op) => ins?.rows?.find((x) => x.op === op)?.perByte;

// The callgrind split as prose: "parse 8.0 M (32%), member reads 5.9 M (24%), …".
function splitText(split) {
  const short = { parse: "parse", members: "member reads + duplicate check", tree: "other tree reads", emit: "emit", name_index: "name_index",
    decide: "decisions", libc: "memcpy/memcmp/memset", alloc: "malloc/free", other: "other" };
  return split.groups.filter((g) => g.instructions > 0).map((g) => `${short[g.key]} ${(g.instructions / 1e6).toFixed(2)} M (${(100 * g.share).toFixed(0)}%)`).join(", ");
}

// What each group of the work after parsing is, for the prose.
const GROUP_PROSE = {
  members: "reading each object's members with the duplicate-name check the SPEC requires (the status filter's `read_object`: each object read once from the field numbers the parse gave its names, duplicates found by a bit per field; `json_tree::members` for the knowledge base)",
  decide: "the Statuspage decisions (component and incident rules, the viewer's atoms, disclosure, withheld fields; name_index.h is header-defined, so most id-index inserts and lookups are inlined into these functions)",
  emit: "writing the output (`emit`: kept spans copied, edited objects written member by member)",
  libc: "memcpy / memcmp / memset",
  tree: "other tree reads (spans, siblings, strings)",
  name_index: "the id and name index (`name_index`)",
  alloc: "allocation",
  other: "everything else",
};
function largestAfterParse(split) {
  return split.groups.filter((g) => g.key !== "parse").sort((a, b) => b.instructions - a.instructions).slice(0, 3)
    .map((g) => `${GROUP_PROSE[g.key]}, ${(100 * g.share).toFixed(0)}%`).join("; ");
}

// Per MB of status payload (CPU medians of section 1): the filter, its own parse
// (tree_fields) and the work after it (the difference), in ms.
function timeSplit(native, label) {
  const r = native?.rows.find((x) => x.payload === `status ${label}`);
  if (!r?.filter || !r?.tree) return null;
  const filter = 1e3 / r.filter.median, parse = 1e3 / r.tree.median;
  return { filter, parse, after: filter - parse };
}
function timeSplitText(native) {
  const parts = ["64KB", "1MB", "16MB"].map((l) => [l, timeSplit(native, l)]).filter(([, x]) => x)
    .map(([l, x]) => `${l}: ${x.filter.toFixed(2)} ms, parse ${x.parse.toFixed(2)} ms, after it ${x.after.toFixed(2)} ms (${x2(x.after / x.parse)} the parse)`);
  return parts.length ? `In time (CPU medians per MB of payload, filter = its parse + the work after it): ${parts.join("; ")}. ` : "";
}

function nativeLimit(rows, { native, instructions }) {
  const miss = missed(rows, "native filter::run");
  if (!miss.length) return null;
  const trees = native.rows.filter((r) => r.tree && /status (64KB|1MB|16MB)/.test(r.payload));
  const treeText = trees.map((r) => `${r.payload.split(" ")[1]} ${x2(r.treeRatio)}`).join(", ");
  const split = splitOf(instructions);
  const parseM = split?.groups.find((g) => g.key === "parse")?.instructions;
  const after = split && parseM ? (split.total - parseM) / parseM : null;
  let t = `- **native filter / simdjson DOM parse** (${miss.map((r) => `${r.size} ${x2(r.ratio)}`).join(", ")}; target ≥ 0.6). ` +
    "The core no longer builds simdjson's DOM: it runs its own structural indexer (`core/src/structural_indexer.cpp`: the positions simdjson's stage 1 finds, " +
    "256 KiB of text at a time into a fixed buffer, the AVX-512, AVX2 or SSE2 kernel picked at run time; UTF-8 validated per window by simdjson) " +
    "behind one adapter (`core/src/structural_index.cpp`), then its own single pass (`core/src/json_tree.cpp`) that checks the grammar, depth, numbers and escapes " +
    "and writes an 8-byte node and 1 tag byte per token, and for the payload a field byte per member name, classified by a perfect hash over the API's names as it is read: no tape, no string copies " +
    "(objects and arrays have states apart, and the per-token state is a local the compiler keeps in registers: a tag byte stored aliased every member, so the walk reloaded them per token). ";
  const lo = Math.min(...trees.map((r) => r.treeRatio)), hi = Math.max(...trees.map((r) => r.treeRatio));
  if (treeText) t += `That parse alone runs at ${lo.toFixed(2)}–${hi.toFixed(2)}× the speed of simdjson's DOM parse (tree_fields / parse_only: ${treeText}` +
    (perByte(instructions, "tree") ? `; ${perByte(instructions, "tree").toFixed(2)} instructions per byte against the DOM parse's ${perByte(instructions, "dom_parse").toFixed(2)}` : "") +
    `). `;
  t += timeSplitText(native);
  if (split?.groups) {
    // The budget in instructions: 0.6 needs the filter within 1/0.6 of the DOM parse's count.
    const domM = perByte(instructions, "dom_parse") && perByte(instructions, "filter")
      ? split.total * perByte(instructions, "dom_parse") / perByte(instructions, "filter") : null;
    t += `Callgrind, the filter on status 1 MB (${(split.total / 1e6).toFixed(2)} M instructions per call, self cost by function group): ${splitText(split)}. `;
    if (domM) t += `A ratio of 0.6 needs the whole filter within 1/0.6 = 1.67× simdjson's DOM parse, ${(domM / 0.6 / 1e6).toFixed(2)} M instructions here; ` +
      `the core's parse alone takes ${(parseM / 1e6).toFixed(2)} M (${x2(parseM / domM)} the DOM parse) and the work after it ${((split.total - parseM) / 1e6).toFixed(2)} M (${x2(after)} the core's parse), ` +
      `so both would have to shrink. `;
    t += `The largest parts after the parse: ${largestAfterParse(split)}.`;
  }
  return t;
}

// The wasm rows' copy out (compare.mjs times it alone), per MB at 16 MB against 1 MB.
function copyOutGrowth(wasm) {
  const w1 = wasm?.rows.find((x) => x.payload === "status 1MB")?.wasm, w16 = wasm?.rows.find((x) => x.payload === "status 16MB")?.wasm;
  if (!w1?.copyOut || !w16?.copyOut || !w1.cpu || !w16.cpu) return "";
  const share = (w) => (100 * w.copyOut.median) / w.cpu.median;
  return `In wasm the one copy out alone (a fresh Uint8Array of the output, timed apart) takes ${w16.copyOut.median.toFixed(2)} ms of a ` +
    `${w16.cpu.median.toFixed(1)} ms call at 16 MB (${share(w16).toFixed(1)}%) and ${w1.copyOut.median.toFixed(3)} ms of ${w1.cpu.median.toFixed(2)} ms at 1 MB ` +
    `(${share(w1).toFixed(1)}%): V8 allocates every result anew, and at 16 MB its pages are new to the process. `;
}

function perMbLimit(rows, { native, wasm, instructions }) {
  const miss = missed(rows, "per-MB cost");
  if (!miss.length) return null;
  const n1 = native.rows.find((x) => x.payload === "status 1MB"), n16 = native.rows.find((x) => x.payload === "status 16MB");
  const parseGrowth = n1?.parse && n16?.parse ? n1.parse.median / n16.parse.median : null;
  const treeGrowth = n1?.tree && n16?.tree ? n1.tree.median / n16.tree.median : null;
  const i1 = perByte(instructions, "filter"), i16 = perByte(instructions, "filter_large");
  let t = `- **per-MB cost at 16 MB vs 1 MB** (${miss.map((r) => `${r.figure.split(", ")[1]} ${r.ratio.toFixed(3)}×`).join(", ")}; target ≤ 1.2×). `;
  if (i1 && i16) t += `The filter executes ${i16.toFixed(2)} instructions per byte at 16 MB against ${i1.toFixed(2)} at 1 MB (callgrind), so the work per byte does not grow: the time per byte does. `;
  if (parseGrowth) t += `simdjson's DOM parse of the same bytes slows by ${x2(parseGrowth)} per MB from 1 MB to 16 MB as well` +
    (treeGrowth ? `, the core's parse alone by ${x2(treeGrowth)}` : "") + ". ";
  const a = timeSplit(native, "1MB"), b = timeSplit(native, "16MB");
  if (a && b) t += `Per MB, from 1 MB to 16 MB the filter's own parse grows by ${x2(b.parse / a.parse)} and the work after it by ${x2(b.after / a.after)} (CPU medians of section 1). `;
  t += copyOutGrowth(wasm);
  t += "At 16 MB the input, the node array (10 bytes per token: the node, its tag, a member's field) and the output no longer fit in the caches (the structural index does: stage 1 and the tree " +
    "pass run together a 256 KiB window at a time), so each later pass over them (member reads, emit) waits on memory; fewer passes over the node array would be the fix.";
  return t;
}

function wasmLimit(rows, { native, wasm }) {
  const miss = missed(rows, "@keyhole/wasm");
  if (!miss.length) return null;
  const mbs = (r, side) => r.size / 1e3 / r[side].cpu.median;  // MB per CPU second
  const parts = miss.map((m) => {
    const r = wasm.rows.find((x) => x.payload === `status ${m.size}`), n = native.rows.find((x) => x.payload === `status ${m.size}` && x.filter);
    return `${m.size}: wasm ${mbs(r, "wasm").toFixed(0)} MB/s, JS ${mbs(r, "js").toFixed(0)} MB/s, so ${m.limit}× needs wasm at ${(m.limit * mbs(r, "js")).toFixed(0)} MB/s` +
      (n ? ` (native filter ${n.filter.median.toFixed(0)} MB/s on another persona: wasm runs ${x2(n.filter.median / mbs(r, "wasm"))} slower)` : "");
  });
  let t = `- **@keyhole/wasm / idiomatic JS** (${miss.map((r) => `${r.size} ${r.ratio.toFixed(2)}×`).join(", ")}). ` +
    "The wasm build runs the same core; stage 1 is Keyhole's own structural indexer with its SIMD128 kernel (UTF-8 validation is simdjson's westmere kernel compiled to SIMD128 through Emscripten's SSE headers). " +
    `CPU rates: ${parts.join("; ")}. `;
  const js = (label) => { const r = wasm.rows.find((x) => x.payload === `status ${label}`); return r?.js?.cpu ? mbs(r, "js") : null; };
  if (miss.some((m) => m.size === "25KB") && js("25KB") && js("1MB")) {
    const w = (label) => { const r = wasm.rows.find((x) => x.payload === `status ${label}`); return r?.wasm?.cpu ? mbs(r, "wasm") : null; };
    t += `Per byte, JS at 25 KB runs at ${x2(js("25KB") / js("1MB"))} its 1 MB rate, wasm at ${x2(w("25KB") / w("1MB"))} its own: ` +
      "small payloads favour the reference, and a wasm call has a part that does not shrink with the payload (claims, the viewer, the copies in and out). ";
  }
  return t + "Beyond that, wasm pays the same work after parsing as native (native bullet above), slower.";
}

function cliLimit(rows, { native, cli }) {
  const miss = missed(rows, "keyhole CLI / jq");
  if (!miss.length) return null;
  const parts = miss.map((r) => {
    const c = cli.rows.find((x) => x.payload === `status ${r.size}`), n = native.rows.find((x) => x.payload === `status ${r.size}`);
    const inProcessMs = n?.filter ? c.size / 1e3 / n.filter.median : null;
    const compileMs = native.policyCompile?.median;
    const rest = inProcessMs === null ? "" : `, the other ~${Math.max(0, c.cli.wall.median - inProcessMs).toFixed(1)} ms are exec and start-up, ` +
      `compiling the benchmark's policy (${STATUS_POLICY_TEXT}; ${compileMs ? `~${compileMs.toFixed(2)} ms in-process for section 1's 3,900-rule policy, more in a fresh process, whose memory is all first touched` : "see section 1"}), ` +
      "reading policy, claims and payload, first-touch page faults (~2.5 µs a 4 KiB page on this VM) and the write";
    return `${r.size}: ${x2(r.ratio)} — the CLI process ${c.cli.wall.median.toFixed(1)} ms wall, of which the filter in-process would take ~${inProcessMs?.toFixed(1) ?? "?"} ms (section 1's CPU rate; another persona)${rest}; ` +
      `jq ${c.jq.wall.median.toFixed(0)} ms; ${r.limit}× needs the CLI under ${(c.jq.wall.median / r.limit).toFixed(1)} ms`;
  });
  return `- **keyhole CLI / jq** (whole processes, wall time on a loaded machine). ${parts.join("; ")}.`;
}

function compileLimit(rows, { native }) {
  const miss = missed(rows, "policy compile");
  if (!miss.length) return null;
  return `- **policy compile** (${miss.map((r) => `${r.figure.split(", ").pop()} ${r.keyhole ? r.keyhole.median.toFixed(3) + " ms" : "not measured"}`).join(", ")}; targets < 2 ms native, < 4 ms wasm): ` +
    "compile parses the 233 KB policy, checks every rule and builds its flat tables once; the figure is per compile, not per call.";
}

function memoryLimit(rows, { wasm }) {
  const miss = missed(rows, "wasm memory");
  if (!miss.length) return null;
  const r16 = wasm.rows.find((x) => x.payload === "status 16MB");
  const total = r16.wasm.firstCallMemory, size = r16.size;
  const index = 4 * (256 << 10);  // the structural indexer's window buffer: 256 KiB of text, one uint32 per byte at most
  return `- **wasm memory after one 16 MB payload**: ${(total / MiB).toFixed(1)} MiB (target ≤ ${MEMORY_TARGET_BYTES / MiB} MiB). ` +
    `The structural index no longer grows with the payload (one window's buffer, ${(index / MiB).toFixed(2)} MiB). ` +
    `The module holds the input copy (${(size / MiB).toFixed(1)} MiB) and the output (${(r16.wasm.outBytes / MiB).toFixed(1)} MiB); ` +
    `the remaining ${((total - size - r16.wasm.outBytes) / MiB).toFixed(1)} MiB hold the node array (10 bytes per token, grown by half as much again when full), the module's static data and stack, the call's other buffers and the heap's growth steps; ` +
    "wasm memory never shrinks, so the figure is the high-water mark.";
}

/** The bullets, one per missed target family (none when all are met). */
export function limitBullets(rows, sections) {
  return [nativeLimit, perMbLimit, wasmLimit, cliLimit, compileLimit, memoryLimit].map((f) => f(rows, sections)).filter(Boolean);
}
