// Keyhole's structural indexer compiled to WebAssembly (the SIMD128 kernel, and
// the portable one the wasm-scalar build runs) against simdjson's stage 1 in the
// same module (keyhole_parse_bench, built by the wasm and wasm-scalar presets), on
// every conformance case and fixture and on mutated inputs, through windows small
// enough that strings, escapes and UTF-8 sequences straddle them: the same verdict
// and message, and when both accept, the same positions (bench_stage1_differs).
// The native gtest Stage1Differential holds the native kernels likewise.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import test from "node:test";
import { pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const builds = [
  ["SIMD128 build", path.join(root, "build/emscripten/wasm/keyhole_parse_bench.mjs")],
  ["scalar build", path.join(root, "build/emscripten-scalar/wasm/keyhole_parse_bench.mjs")],
];

function jsonFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...jsonFiles(p));
    else if (e.name.endsWith(".json")) out.push(p);
  }
  return out;
}

// Bytes that matter to stage 1: quotes, backslashes, control characters, UTF-8.
const ALPHABET = Buffer.from('"\\\\{}[]:, \t\n\r\x01\x1fae1-\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xC0\xFF', "latin1");

function mutations(seeds, count) {
  let x = 1301;
  const rnd = (n) => { x = (x * 1103515245 + 12345) >>> 0; return (x >>> 8) % n; };
  const out = [];
  for (let i = 0; i < count; i++) {
    const s = Array.from(seeds[rnd(seeds.length)]);
    for (let k = 1 + rnd(6); k > 0; k--) {
      const at = rnd(s.length + 1);
      if (rnd(3) === 0) s.splice(at, 1);
      else if (rnd(2) === 0) s.splice(at, 0, ...new Array(1 + rnd(70)).fill(ALPHABET[rnd(4)]));
      else s.splice(at, 0, ALPHABET[rnd(ALPHABET.length)]);
    }
    out.push(Uint8Array.from(s));
  }
  return out;
}

for (const [name, file] of builds) {
  test(`${name}: Keyhole's stage 1 agrees with simdjson's on every case, fixture and mutation`, { skip: !fs.existsSync(file) && `${file} not built` }, async () => {
    const { default: create } = await import(pathToFileURL(file).href);
    const m = await create({ wasmBinary: fs.readFileSync(file.replace(/\.mjs$/, ".wasm")) });
    const inputs = [...jsonFiles(path.join(root, "tests/cases")), ...jsonFiles(path.join(root, "tests/fixtures"))].map((f) => fs.readFileSync(f));
    const small = inputs.filter((b) => b.length < 4096);
    inputs.push(...mutations(small, 1500));
    let compared = 0;
    for (const bytes of inputs) {
      const at = m._bench_alloc(bytes.length);
      m.HEAPU8.set(bytes, at);
      try {
        for (const window of [16, 64, 65, 127, 192, 65536])
          for (const simd of [1, 0]) {
            const r = m._bench_stage1_differs(at, bytes.length, window, simd);
            assert.equal(r, 0, `${r === 1 ? "verdict" : "positions"} differ (window ${window}, ${simd ? "SIMD" : "scalar"} kernel): ${Buffer.from(bytes).toString("latin1").slice(0, 120)}`);
          }
        compared++;
      } finally { m._bench_free(at); }
    }
    assert.ok(compared > 3000, `only ${compared} inputs`);
  });
}
