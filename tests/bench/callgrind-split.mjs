// The native filter's instructions by function group, from one callgrind output file
// (callgrind-ipb.mjs's --instructions=filter run): callgrind_annotate's self cost per
// function (--inclusive=no), each function put in the first group whose pattern matches
// its name. It answers "where does the filter's work after parsing go" (issue 13).
import { spawnSync } from "node:child_process";

// Order matters: the first match wins (e.g. json_tree::members before the other accessors).
export const GROUPS = [
  ["parse", "parse: the core's structural indexer (stage 1; simdjson's UTF-8 check) + its stage 2 (tree_builder, grammar, numbers)",
    /simdjson::|structural_indexer|detail::(avx2|avx512|x86)::|index_(portable|simd)\(|tree_builder::|json_tree::build|json_parser::|valid_number|json_grammar|\bgrammar_/],
  ["members", "member reads with the duplicate-name check (json_tree::members / member; the status filter's read_object, field_table)",
    /json_tree::members?\(|read_object\(|field_table::/],
  ["tree", "other tree accessors (span, next_sibling, string_at, …)",
    /json_tree::/],
  ["emit", "writing the output (emit, writer, string escapes)",
    /detail::emit\(|writer::|span_writer::|append_json_string|emit_|status_output::/],
  ["name_index", "id and name index inserts / lookups (name_index)",
    /name_index::/],
  ["decide", "Statuspage decisions (status_filter, filter_context, disclose, matcher, rules, viewer)",
    /status_filter::|status_facts::|filter_statuspage|filter_context::|matcher::|rule_steps::|apply_rules|viewer::|disclose|decide/],
  ["libc", "memcpy / memmove / memcmp / memset / memchr",
    /mem(cpy|move|cmp|set|chr)/],
  ["alloc", "malloc / free / new / delete",
    /malloc|free\b|_int_free|operator new|operator delete|cfree/],
  ["other", "everything else (sorting, the viewer's setup, …)", /./],
];

// Self instructions per function: [{ name, instructions }].
function selfCosts(outFile) {
  const r = spawnSync("callgrind_annotate", ["--inclusive=no", "--threshold=100", outFile], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`callgrind_annotate failed: ${(r.stderr || "").trim().split("\n").pop()}`);
  const rows = [];
  for (const line of r.stdout.split("\n")) {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.+)$/.exec(line);
    if (!m || m[2].includes("PROGRAM TOTALS")) continue;
    rows.push({ name: m[2], instructions: Number(m[1].replace(/,/g, "")) });
  }
  return rows;
}

/** { groups: [{ key, what, instructions (per call), share }], total } for `iterations` calls. */
export function splitByGroup(outFile, iterations) {
  const sums = new Map(GROUPS.map(([key]) => [key, 0]));
  let total = 0;
  for (const { name, instructions } of selfCosts(outFile)) {
    const fn = name.replace(/^[^:]*:/, "");  // drop callgrind's "file:" prefix
    const [key] = GROUPS.find(([, , pattern]) => pattern.test(fn));
    sums.set(key, sums.get(key) + instructions);
    total += instructions;
  }
  const groups = GROUPS.map(([key, what]) => ({ key, what, instructions: sums.get(key) / iterations, share: total ? sums.get(key) / total : 0 }));
  return { groups, total: total / iterations };
}
