// Finding J1: a correctly signed JWT whose payload repeats a member (two `sub`, two `email`)
// was accepted, the last value winning (jose reads it with JSON.parse): an anonymous-looking
// token got the staff view. A verified token that repeats a member anywhere is now a 401.
//   node --test tests/node/edge-jwt-duplicates.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { findDuplicateMember } from "../../edge/src/json-duplicates.js";
import crypto from "node:crypto";
import { decodingOrigin, startProxy, rawGet, fixture, tokenFromText, token, assertNoCanary, identity, ISSUER, AUDIENCE, JWT_SECRET } from "./edge-findings-lib.mjs";

let origin, proxy;
before(async () => {
  origin = await decodingOrigin({ "/api/v2/summary.json": fixture("E1", "payload.json") });
  proxy = await startProxy({ upstream: origin.url, policy: fixture("E1", "policy.json").toString(), identity: identity(), routes: [{ path: "/api/v2/**", format: "statuspage" }] });
});
after(async () => { await proxy?.close(); await origin?.close(); });

const summary = (t) => rawGet(proxy.port, "/api/v2/summary.json", { authorization: `Bearer ${t}` });

test("control: a staff token sees the staff-only component", async () => {
  const r = await summary(token({ sub: "u-staff", email: "sue@acme.example" }));
  assert.equal(r.status, 200);
  assert.ok(r.body.includes("CANARY-SECRET-COMPONENT"));
});

test("the review's tokens (two sub, two email) are 401 with nothing of the payload", async () => {
  for (const name of ["token-claims-two-sub.json", "token-claims-two-email.json"]) {
    const r = await summary(tokenFromText(fixture("J1", name).toString()));
    assert.equal(r.status, 401, name);
    assert.match(r.headers["www-authenticate"], /error="invalid_token", error_description="token repeats a member"/);
    assertNoCanary(r.body, name);
  }
});

test("repeats at any depth, spelt with escapes, or in the header are 401 too", async () => {
  const texts = [
    '{"sub":"u-anon","s\\u0075b":"u-staff","email":"sue@acme.example","email_verified":true}',
    '{"sub":"u-x","email":"sue@acme.example","email_verified":false,"email_verified":true}',
    '{"sub":"u-x","attrs":{"plan":"free","plan":"enterprise"},"email":"sue@acme.example","email_verified":true}',
    '{"sub":"u-x","orgs":["a"],"account":[{"id":1},{"id":2,"id":3}],"email":"sue@acme.example","email_verified":true}',
    '{"sub":"u-x","email":"sue@acme.example","email_verified":true,"exp":1}',
  ];
  for (const t of texts) {
    const r = await summary(tokenFromText(t));
    assert.equal(r.status, 401, t);
    assertNoCanary(r.body, t);
  }
  const header = await summary(tokenFromText('{"sub":"u-staff","email":"sue@acme.example","email_verified":true}', { header: '{"alg":"HS256","alg":"HS256","typ":"JWT"}' }));
  assert.equal(header.status, 401, "header with two alg");
  assertNoCanary(header.body, "header");
});

// Review round 12: a signed token whose payload (or header) starts with a UTF-8
// byte-order mark was accepted (jose's decoder drops the mark): one token, one spelling.
// (Signed here: tokenFromText trims its text, and String.prototype.trim drops the mark.)
function signed(headerText, payloadText) {
  const b64u = (x) => Buffer.from(x).toString("base64url");
  const signing = `${b64u(headerText)}.${b64u(payloadText)}`;
  return `${signing}.${crypto.createHmac("sha256", JWT_SECRET).update(signing).digest("base64url")}`;
}
test("a token whose payload or header starts with a byte-order mark is 401", async () => {
  const now = Math.floor(Date.now() / 1000);
  const staff = JSON.stringify({ sub: "u-staff", email: "sue@acme.example", email_verified: true, iss: ISSUER, aud: AUDIENCE, iat: now - 5, exp: now + 600 });
  const header = '{"alg":"HS256","typ":"JWT"}';
  const control = await summary(signed(header, staff));
  assert.equal(control.status, 200, "control: the same token without the mark");
  assert.ok(control.body.includes("CANARY-SECRET-COMPONENT"), "control: the staff view");
  for (const [what, t] of [["payload", signed(header, "\uFEFF" + staff)], ["header", signed("\uFEFF" + header, staff)]]) {
    const r = await summary(t);
    assert.equal(r.status, 401, what);
    assertNoCanary(r.body, what);
  }
});

test("findDuplicateMember: pointer of the first repeat, after unescaping; strings are not names", () => {
  assert.equal(findDuplicateMember('{"sub":"a","sub":"b"}'), "/sub");
  assert.equal(findDuplicateMember('{"a":{"x":1,"y":[{"q":1},{"q":2,"q":3}]}}'), "/a/y/1/q");
  assert.equal(findDuplicateMember('{"s\\u0075b":1,"sub":2}'), "/sub");
  assert.equal(findDuplicateMember('{"a/b":{"k":1,"k":2}}'), "/a~1b/k");
  assert.equal(findDuplicateMember('{"a":"\\"sub\\"","sub":1,"x":{"sub":2},"y":[{"sub":3},{"sub":4}]}'), null);
  assert.equal(findDuplicateMember('[1,{"a":1,"a":2}]'), "/1/a");
});
