// Every conformance case under tests/cases/ run through @keyhole/wasm; outputs are
// compared byte for byte with expected.json minified (tests/cases/README.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadKeyhole } from "@keyhole/wasm";
import { CASES, findCases, minify, parseCaseJson, readClaims, expectError, moduleUnderTest } from "./wasm-cases-lib.mjs";

const kh = await loadKeyhole(moduleUnderTest());
const cases = findCases(CASES);
const decoderStrict = new TextDecoder("utf-8", { fatal: true });

test("tests/cases has cases", () => {
  assert.ok(cases.length > 0, "no case folders found under tests/cases");
});

for (const dir of cases) {
  const name = path.relative(CASES, dir);
  test(name, () => {
    const c = parseCaseJson(fs.readFileSync(path.join(dir, "case.json"), "utf8"));
    const mode = c.mode ?? "filter";
    const exit = c.exit ?? 0;
    const claims = readClaims(dir, c.claims);
    const policyFile = path.resolve(dir, c.policy ?? "policy.json");
    const compile = () => kh.compilePolicy(new Uint8Array(fs.readFileSync(policyFile)));

    if (mode === "claims") {
      if (exit === 0) kh.validateClaims(claims);
      else expectError({ ...c, exit }, () => kh.validateClaims(claims), name);
      return;
    }
    if (mode === "check") {
      if (exit === 0) compile().dispose();
      else expectError({ ...c, exit }, compile, name);
      return;
    }

    let policy;
    try { policy = compile(); } catch (e) {
      if (exit === 0) throw e;
      expectError({ ...c, exit }, () => { throw e; }, name);
      return;
    }
    try {
      if (mode === "audience-key") {
        const keyOpts = { format: c.format ?? "auto" };  // the key is per payload format
        if (exit !== 0) { expectError({ ...c, exit }, () => policy.audienceKey(claims, keyOpts), name); return; }
        const key = policy.audienceKey(claims, keyOpts);
        assert.equal(typeof key, "string");
        assert.ok(key.length > 0);
        assert.equal(policy.audienceKey(claims, keyOpts), key, "audience key is stable");
        for (const other of c.same_key_as ?? []) {
          assert.equal(policy.audienceKey(JSON.stringify(other), keyOpts), key, `same key as ${JSON.stringify(other)}`);
        }
        for (const other of c.different_key_from ?? []) {
          assert.notEqual(policy.audienceKey(JSON.stringify(other), keyOpts), key, `different key from ${JSON.stringify(other)}`);
        }
        return;
      }

      const payloadFile = path.resolve(dir, c.payload ?? "payload.json");
      const payload = new Uint8Array(fs.readFileSync(payloadFile));
      const opts = { format: c.format ?? "auto" };
      if (mode === "explain") {
        if (exit !== 0) { expectError({ ...c, exit }, () => policy.explain(payload, claims, opts), name); return; }
        const got = policy.explain(payload, claims, opts);
        const expFile = path.join(dir, "expected.json");
        if (fs.existsSync(expFile)) assert.deepEqual(got, JSON.parse(fs.readFileSync(expFile, "utf8")));
        return;
      }

      // filter
      if (exit !== 0) {
        expectError({ ...c, exit }, () => policy.filter(payload, claims, opts), name);
        return;
      }
      const out = policy.filter(payload, claims, opts);
      assert.ok(out instanceof Uint8Array, "bytes in, bytes out");
      const outBuf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      const expFile = path.join(dir, "expected.json");
      if (fs.existsSync(expFile)) {
        const expected = minify(fs.readFileSync(expFile));
        assert.ok(outBuf.equals(expected),
          `${name}: output differs from expected.json\n got: ${outBuf.toString("utf8").slice(0, 2000)}\nwant: ${expected.toString("utf8").slice(0, 2000)}`);
      }
      const text = outBuf.toString("utf8");
      for (const s of c.canaries ?? []) assert.ok(!text.includes(s), `canary ${s} leaked`);
      for (const s of c.contains ?? []) assert.ok(text.includes(s), `output lacks ${s}`);

      // The string path gives the same answer as the bytes path.
      let payloadText = null;
      try { payloadText = decoderStrict.decode(payload); } catch {}
      if (payloadText !== null) {
        assert.equal(policy.filter(payloadText, claims, opts), text, "string in, same string out");
      }
    } finally {
      policy.dispose();
    }
  });
}
