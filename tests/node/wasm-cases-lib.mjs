// The conformance-case loader shared by the wasm case runners (tests/cases/README.md).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KeyholeError } from "@keyhole/wasm";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CASES = path.join(ROOT, "tests/cases");
export const EXIT = { policy: 2, claims: 2, usage: 2, payload: 3, "not-visible": 4 };

export function findCases(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name.startsWith("_") || e.name.startsWith(".")) continue;
    const sub = path.join(dir, e.name);
    if (fs.existsSync(path.join(sub, "case.json"))) out.push(sub);
    else out.push(...findCases(sub));
  }
  return out.sort();
}

// Removes whitespace outside strings (the README's minification), on bytes.
export function minify(buf) {
  const out = Buffer.alloc(buf.length);
  let n = 0, inStr = false, esc = false;
  for (const b of buf) {
    if (inStr) {
      if (esc) esc = false;
      else if (b === 0x5c) esc = true;
      else if (b === 0x22) inStr = false;
    } else if (b === 0x22) inStr = true;
    else if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

// case.json is JSON; tolerate // comments outside strings like the README example.
export function parseCaseJson(text) {
  try { return JSON.parse(text); } catch {}
  let out = "", inStr = false, esc = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) { out += c; if (esc) esc = false; else if (c === "\\") esc = true; else if (c === '"') inStr = false; continue; }
    if (c === '"') { inStr = true; out += c; continue; }
    if (c === "/" && text[i + 1] === "/") { while (i < text.length && text[i] !== "\n") i++; out += "\n"; continue; }
    out += c;
  }
  return JSON.parse(out);
}

export function readClaims(dir, spec) {
  if (spec === undefined) {
    const f = path.join(dir, "claims.json");
    return fs.existsSync(f) ? new Uint8Array(fs.readFileSync(f)) : "{}";
  }
  if (typeof spec === "string") return new Uint8Array(fs.readFileSync(path.resolve(dir, spec)));
  return JSON.stringify(spec);
}

export function expectError(c, fn, label) {
  let err;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err, `${label}: expected exit ${c.exit}, but the call succeeded`);
  assert.ok(err instanceof KeyholeError, `${label}: expected a KeyholeError, got ${err && err.stack}`);
  assert.equal(EXIT[err.code], c.exit, `${label}: code ${err.code} (${err.message}) is not exit ${c.exit}`);
  if (c.pointer !== undefined) assert.equal(err.pointer, c.pointer, `${label}: pointer (${err.message})`);
  return err;
}

// The case's own description and inputs, resolved against its folder.
export function loadCase(dir) {
  const c = parseCaseJson(fs.readFileSync(path.join(dir, "case.json"), "utf8"));
  const read = (name, fallback) => new Uint8Array(fs.readFileSync(path.resolve(dir, name ?? fallback)));
  return {
    c, mode: c.mode ?? "filter", exit: c.exit ?? 0, format: c.format ?? "auto",
    claims: readClaims(dir, c.claims),
    policyBytes: () => read(c.policy, "policy.json"),
    payloadBytes: () => read(c.payload, "payload.json"),
  };
}

// loadKeyhole() options of the module under test: the package's wasm/dist/keyhole.wasm, or
// KEYHOLE_WASM_BINARY, another build of it (ctest runs these suites against the scalar
// build, build/emscripten-scalar/dist, too: wasm/README.md "SIMD").
export function moduleUnderTest() {
  const file = process.env.KEYHOLE_WASM_BINARY;
  return file ? { wasmBinary: fs.readFileSync(file) } : {};
}
