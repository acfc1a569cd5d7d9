// D3 (JS part): a failure inside the module (here the engine's stack limit, as a 20,000-deep
// named-audience chain once hit) surfaces as KeyholeError code "internal", and the instance is
// then marked unusable: every later call throws "internal" too, naming the first failure.
// Also: the error codes come from the core's enum, and no internals sit on the public objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadKeyhole, KeyholeError } from "@keyhole/wasm";

// The red team's D3 input (gen_dos.py audience-chain N): a0 -> a1 -> ... -> aN -> everyone.
function audienceChain(n) {
  const audiences = {};
  for (let i = 0; i < n; i++) audiences[`a${i}`] = [`@a${i + 1}`];
  audiences[`a${n}`] = ["everyone"];
  return JSON.stringify({ keyhole: 1, audiences, status: { default: { allow: ["@a0"] } } });
}

const SUMMARY = '{"page":{"id":"p"},"components":[{"id":"c1","name":"API","status":"operational"}]}';

function assertUnusable(kh, first) {
  for (const call of [() => kh.compilePolicy('{"keyhole":1}'), () => kh.validateClaims({}),
    () => kh.shareGrants({}, "{}", 0), () => kh.version]) {
    assert.throws(call, (e) => e instanceof KeyholeError && e.code === "internal" && e.cause === first &&
      /failed earlier/.test(e.message));
  }
}

// Calls fn with less and less JavaScript stack left until it fails inside the module
// (KeyholeError "internal") or succeeds; the failures before that are the engine refusing
// our own JS frames (plain RangeError), which leave the instance alone.
function withLittleStack(fn) {
  let outcome = null;
  const dive = (depth) => {
    try {
      dive(depth + 1);
    } catch {
      // unwinding: one frame more each time
    }
    if (outcome) return;
    try {
      fn();
      outcome = { ok: true };
    } catch (e) {
      if (e instanceof KeyholeError) outcome = { error: e };
    }
  };
  dive(0);
  return outcome;
}

test("a stack overflow inside wasm is KeyholeError internal, then every call refuses", async () => {
  const kh = await loadKeyhole();
  const deep = JSON.stringify({ keyhole: 1, status: { default: { allow: [nested(200)] } } });
  let seen = null;
  for (let round = 0; round < 20 && !seen; round++) {
    const r = withLittleStack(() => kh.compilePolicy(deep));
    if (r?.error) seen = r.error;
  }
  assert.ok(seen, "the module ran out of stack at least once");
  assert.equal(seen.code, "internal");
  assert.ok(seen.cause instanceof RangeError, `cause: ${seen.cause}`);
  assertUnusable(kh, seen);
});

function nested(depth) {
  let item = "everyone";
  for (let i = 0; i < depth; i++) item = { not: { not: item } };
  return item;
}

test("D3: a 20,000-deep audience chain compiles and works, or fails as internal and the instance refuses", async () => {
  const kh = await loadKeyhole();
  let policy = null, failure = null;
  try {
    policy = kh.compilePolicy(audienceChain(20000));
  } catch (e) {
    failure = e;
  }
  if (policy) {
    assert.ok(policy.filter(SUMMARY).includes('"c1"'));
    assert.equal(kh.compilePolicy('{"keyhole":1}').disposed, false, "the instance keeps working");
    return;
  }
  assert.ok(failure instanceof KeyholeError, `not a KeyholeError: ${failure}`);
  assert.ok(["policy", "internal"].includes(failure.code), failure.code);
  if (failure.code === "internal") assertUnusable(kh, failure);
  else assert.ok(kh.compilePolicy('{"keyhole":1}'), "a policy error leaves the instance working");
});

test("another instance is unaffected by one that failed", async () => {
  const broken = await loadKeyhole();
  const fine = await loadKeyhole();
  withLittleStack(() => broken.compilePolicy(audienceChain(2000)));
  const p = fine.compilePolicy('{"keyhole":1,"status":{"default":{"allow":["everyone"]}}}');
  assert.ok(p.filter(SUMMARY).includes('"c1"'));
});

test("error codes come from the core's enum; internals are not on the public objects", async () => {
  const kh = await loadKeyhole();
  const codeOf = (f) => { try { f(); } catch (e) { return e.code; } return "none"; };
  assert.equal(codeOf(() => kh.compilePolicy("{")), "policy");
  assert.equal(codeOf(() => kh.validateClaims('{"email":"x"}')), "claims");
  const p = kh.compilePolicy('{"keyhole":1,"articles":{"default":{"allow":["signed-in"]}}}');
  assert.equal(codeOf(() => p.filter("[")), "payload");
  assert.equal(codeOf(() => p.filter('{"id":"1","type":"page","title":"t"}', {}, { format: "confluence" })), "not-visible");
  assert.equal(codeOf(() => p.filter("{}", {}, { format: "yaml" })), "usage");
  for (const o of [kh, p]) {
    const names = [...Object.keys(o), ...Object.getOwnPropertyNames(Object.getPrototypeOf(o))];
    assert.deepEqual(names.filter((n) => n.startsWith("_")), [], `internals on ${o.constructor.name}`);
  }
  assert.throws(() => new p.constructor(Symbol("x"), null, 8), TypeError, "Policy is made by compilePolicy only");
  assert.throws(() => new kh.constructor(), TypeError, "Keyhole is made by loadKeyhole only");
});
