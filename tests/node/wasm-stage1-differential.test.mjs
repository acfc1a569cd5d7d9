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
const ALPHABET = Buffer.from('"\\\\{}[]:, \t\n\r\x00\x01\x0c\x1a\x1fae1-\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xC0\xFF', "latin1");

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

async function load(file) {
  const { default: create } = await import(pathToFileURL(file).href);
  return create({ wasmBinary: fs.readFileSync(file.replace(/\.mjs$/, ".wasm")) });
}

function withBytes(m, bytes, fn) {
  const at = m._bench_alloc(bytes.length);
  m.HEAPU8.set(bytes, at);
  try { return fn(at); } finally { m._bench_free(at); }
}

// Every ASCII byte but the quote and the backslash as a token of its own, outside
// strings, at each offset of a 16-byte chunk: the SIMD128 kernel finds whitespace and
// operators by tables indexed by a byte's low nibble, so bytes that share a nibble with
// one of them ('+' ';' '<' '=' '|' 'K' 'l' …) must not be taken for it.
function everyAsciiByte() {
  const out = [];
  for (let shift = 0; shift < 16; shift++) {
    const b = [0x5b, ...new Array(shift).fill(0x20)];
    for (let c = 0; c < 0x80; c++) if (c !== 0x22 && c !== 0x5c) b.push(c, 0x20);
    b.push(0x5d);
    out.push(Uint8Array.from(b));
  }
  return out;
}

function allInputs() {
  const inputs = [...jsonFiles(path.join(root, "tests/cases")), ...jsonFiles(path.join(root, "tests/fixtures"))].map((f) => fs.readFileSync(f));
  inputs.push(...mutations(inputs.filter((b) => b.length < 4096), 1500));
  inputs.push(...everyAsciiByte());
  return inputs;
}
const WINDOWS = [16, 64, 65, 127, 192, 65536];
const show = (bytes) => Buffer.from(bytes).toString("latin1").slice(0, 120);

const [simdName, simdFile] = builds[0];
test(`${simdName}: Keyhole's stage 1 agrees with simdjson's on every case, fixture and mutation`, { skip: !fs.existsSync(simdFile) && `${simdFile} not built` }, async () => {
  const m = await load(simdFile);
  let compared = 0;
  for (const bytes of allInputs()) {
    withBytes(m, bytes, (at) => {
      for (const window of WINDOWS)
        for (const simd of [1, 0]) {
          const r = m._bench_stage1_differs(at, bytes.length, window, simd);
          assert.equal(r, 0, `${r === 1 ? "verdict" : "positions"} differ (window ${window}, ${simd ? "SIMD" : "scalar"} kernel): ${show(bytes)}`);
        }
    });
    compared++;
  }
  assert.ok(compared > 3000, `only ${compared} inputs`);
});

// The scalar build's simdjson runs its fallback kernel, not the reference: its
// indexer is held against the SIMD build's simdjson through digests.
const [scalarName, scalarFile] = builds[1];
test(`${scalarName}: Keyhole's stage 1 gives what simdjson's SIMD stage 1 gives`, { skip: !(fs.existsSync(simdFile) && fs.existsSync(scalarFile)) && "both builds needed" }, async () => {
  const ref = await load(simdFile), m = await load(scalarFile);
  let compared = 0;
  for (const bytes of allInputs()) {
    const want = withBytes(ref, bytes, (at) => ref._bench_stage1_digest(at, bytes.length, 0, 1));
    withBytes(m, bytes, (at) => {
      for (const window of WINDOWS)
        assert.equal(m._bench_stage1_digest(at, bytes.length, window, 1), want, `answers differ (window ${window}): ${show(bytes)}`);
    });
    compared++;
  }
  assert.ok(compared > 3000, `only ${compared} inputs`);
});
