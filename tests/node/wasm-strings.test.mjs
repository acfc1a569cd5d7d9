// W1: every string handed to @keyhole/wasm (policy, claims, share body, payload) reaches the
// core as its UTF-8 bytes from TextEncoder: a lone surrogate is U+FFFD, exactly as when the
// caller encodes the string itself, so wasm reads the bytes the native core would.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadKeyhole, KeyholeError } from "@keyhole/wasm";

const kh = await loadKeyhole();
const enc = (s) => new TextEncoder().encode(s);
// The red team's case: the page is restricted to the user "a\u{10062}"; the claims string
// '{"sub":"a\uD800b"}' is another user ("a", U+D800, "b"), which stringToUTF8 used to merge
// into "a\u{10062}".
const POLICY = '{"keyhole":1,"articles":{"default":{"allow":["everyone"]}}}';
const PAGE = enc('{"id":"1","type":"page","title":"CANARY-W1 only for a\u{10062}","space":{"key":"KB"},' +
  '"restrictions":{"read":{"restrictions":{"user":{"results":[{"accountId":"a\u{10062}"}]},"group":{"results":[]}}}}}');
const outcome = (f) => { try { return { value: f() }; } catch (e) { assert.ok(e instanceof KeyholeError, String(e)); return { code: e.code }; } };

test("the listed user sees the page; a lone surrogate does not become that user", () => {
  const p = kh.compilePolicy(POLICY);
  assert.ok(new TextDecoder().decode(p.filter(PAGE, '{"sub":"a\u{10062}"}')).includes("CANARY-W1"));
  for (const sub of ["a\uD800b", "a\uDBC0\uDC62".slice(0, 2) + "b", "a\uDC62"]) {
    const r = outcome(() => p.filter(PAGE, `{"sub":"${sub}"}`));
    assert.equal(r.code, "not-visible", JSON.stringify(sub));
  }
});

test("a claims string reads as its TextEncoder bytes, in every entry point", () => {
  const p = kh.compilePolicy('{"keyhole":1,"articles":{}}');
  for (const s of ['{"sub":"a\uD800b"}', '{"sub":"a\uDC00"}', '{"sub":"\uDFFF\uD800"}', '{"sub":"x","email":"\uD800@a.example"}']) {
    assert.deepEqual(outcome(() => p.audienceKey(s)), outcome(() => p.audienceKey(enc(s))), JSON.stringify(s));
    assert.deepEqual(outcome(() => kh.validateClaims(s)), outcome(() => kh.validateClaims(enc(s))), JSON.stringify(s));
  }
  // The surrogate before the closing quote no longer swallows it: the document stays valid.
  assert.equal(outcome(() => kh.validateClaims('{"sub":"a\uDC00"}')).code, undefined);
});

test("policy strings too: a lone surrogate in an atom is U+FFFD, not a neighbour's code point", () => {
  const viaString = kh.compilePolicy('{"keyhole":1,"articles":{"default":{"allow":["user:a\uD800b"]}}}');
  const viaBytes = kh.compilePolicy(enc('{"keyhole":1,"articles":{"default":{"allow":["user:a\uD800b"]}}}'));
  const page = '{"id":"1","type":"page","title":"t"}';
  for (const sub of ["a\uFFFDb", "a\u{10062}"]) {
    const claims = enc(`{"sub":"${sub}"}`);
    assert.deepEqual(outcome(() => viaString.filter(page, claims)), outcome(() => viaBytes.filter(page, claims)), sub);
  }
  assert.ok(outcome(() => viaString.filter(page, enc('{"sub":"a\uFFFDb"}'))).value, "U+FFFD is the user the policy names");
});

test("share bodies and payload strings: the same bytes as TextEncoder's", () => {
  const body = '{"id":"l","resources":["article:1"],"emails":["\uD800@a.example"],"exp":1900000000}';
  const claims = '{"sub":"u","email":"\uD800@a.example","email_verified":true}';
  assert.deepEqual(kh.shareGrants(claims, body, 0), ["article:1"], "both sides read U+FFFD");
  assert.deepEqual(kh.shareGrants(claims, enc(body), 0), kh.shareGrants(enc(claims), body, 0));
  const p = kh.compilePolicy(POLICY);
  const page = '{"id":"1","type":"page","title":"x\uD800y"}';
  assert.equal(p.filter(page), new TextDecoder().decode(p.filter(enc(page))));
});

test("empty and large strings", () => {
  assert.equal(outcome(() => kh.compilePolicy("")).code, "policy");
  assert.equal(outcome(() => kh.validateClaims("")).code, "claims");
  const big = { keyhole: 1, audiences: {} };
  for (let i = 0; i < 5000; i++) big.audiences[`a${i}`] = [`user:\u00e9${"x".repeat(50)}${i}`];
  big.status = { default: { allow: ["@a4999"] } };
  assert.ok(kh.compilePolicy(JSON.stringify(big)));
});
