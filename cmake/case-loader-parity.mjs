// ctest `case-loader-parity`: the C++ case loader (tests/gtest/case_loader.h, listed by
// keyhole_list_cases) and the JS one (tests/node/wasm-cases-lib.mjs) must find exactly
// the same case folders under tests/cases and read each case.json alike (mode, format,
// exit; neither may refuse a file the other reads). Then GoogleTest's conformance runner
// and wasm-cases.test.mjs run the same cases.
// Usage: node cmake/case-loader-parity.mjs path/to/keyhole_list_cases
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CASES, findCases, parseCaseJson } from "../tests/node/wasm-cases-lib.mjs";

const lister = process.argv[2];
if (!lister) { console.error("usage: case-loader-parity.mjs KEYHOLE_LIST_CASES"); process.exit(2); }

const cpp = new Map();
for (const line of execFileSync(lister, [CASES], { encoding: "utf8", maxBuffer: 1 << 26 }).split("\n")) {
  if (!line) continue;
  const [name, mode, format, exit, error] = line.split("\t");
  cpp.set(name, error ? `refused: ${error}` : `${mode} ${format} ${exit}`);
}
const js = new Map();
for (const dir of findCases(CASES)) {
  const name = path.relative(CASES, dir).split(path.sep).join("/");
  let c;
  try { c = parseCaseJson(fs.readFileSync(path.join(dir, "case.json"), "utf8")); } catch (e) {
    js.set(name, `refused: ${e.message}`); continue;
  }
  js.set(name, `${c.mode ?? "filter"} ${c.format ?? "auto"} ${c.exit ?? 0}`);
}

const problems = [];
for (const [name, v] of js) {
  if (v.startsWith("refused")) problems.push(`${name}: the JS loader ${v}`);
  if (!cpp.has(name)) problems.push(`${name}: found by the JS loader only`);
}
for (const [name, v] of cpp) {
  if (v.startsWith("refused")) problems.push(`${name}: the C++ loader ${v}`);
  if (!js.has(name)) problems.push(`${name}: found by the C++ loader only`);
  else if (!v.startsWith("refused") && !js.get(name).startsWith("refused") && js.get(name) !== v)
    problems.push(`${name}: C++ reads "${v}", JS reads "${js.get(name)}"`);
}
if (js.size === 0) problems.push("no cases found");
for (const p of problems) console.log(`MISMATCH: ${p}`);
console.log(`case loaders: ${js.size} cases by JS, ${cpp.size} by C++, ${problems.length} mismatches`);
process.exit(problems.length ? 1 : 0);
