// Share links (SPEC §7) through @keyhole/wasm and edge/src/share.js: the core decides, with the
// same email rule as the `email:`/`domain:` atoms (findings E3: the Kelvin sign U+212A is not
// "k"; C2: an email without exactly one "@" matches nothing). share.js only signs and verifies.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadKeyhole, KeyholeError } from "@keyhole/wasm";
import { createShareToken, verifyShareToken, grantsFor, shareVerifier } from "../../edge/src/share.js";

const kh = await loadKeyhole();
const NOW = 1700000000, EXP = 1800000000;
const SECRET = "share-secret-for-tests-0123456789";
const link = (o) => ({ id: "l", resources: ["article:888"], exp: EXP, ...o });
const viewer = (email, o = {}) => ({ sub: "u1", email, email_verified: true, ...o });
const grants = (claims, body, now = NOW) => kh.shareGrants(claims, body, now);

test("listed email or domain, ASCII case-insensitive, one trailing dot", () => {
  assert.deepEqual(grants(viewer("MIKE@partner.example"), link({ emails: ["mike@Partner.Example"] })), ["article:888"]);
  assert.deepEqual(grants(viewer("kay@KK.example."), link({ domains: ["kk.example"] })), ["article:888"]);
  assert.deepEqual(grants(viewer("kay@kk.example"), link({ domains: ["KK.Example."] })), ["article:888"]);
  assert.deepEqual(grants(viewer("kay@sub.kk.example"), link({ domains: ["kk.example"] })), []);
});

test("E3: the Kelvin sign is not k, in the email and in the domain", () => {
  assert.deepEqual(grants(viewer("mi\u212Ae@partner.example"), link({ emails: ["mike@partner.example"] })), []);
  assert.deepEqual(grants(viewer("eve@\u212Ak.example"), link({ domains: ["kk.example"] })), []);
  assert.deepEqual(grants(viewer("mike@partner.example"), link({ emails: ["mi\u212Ae@partner.example"] })), []);
  // toLowerCase() is what used to decide: it does fold these.
  assert.equal("mi\u212Ae@partner.example".toLowerCase(), "mike@partner.example");
});

test("C2 and the viewer conditions: one @, signed in, verified, before exp", () => {
  const body = link({ emails: ["root", "a@b@kk.example", '"ops@corp"@kk.example'], domains: ["kk.example"] });
  for (const email of ["root", "ROOT", "a@b@kk.example", '"ops@corp"@kk.example']) assert.deepEqual(grants(viewer(email), body), [], email);
  assert.deepEqual(grants(viewer("ok@kk.example", { email_verified: false }), body), []);
  assert.deepEqual(grants({ sub: "u1", email: "ok@kk.example" }, body), []);
  assert.deepEqual(grants({}, body), [], "anonymous");
  assert.deepEqual(grants(viewer("ok@kk.example"), body, EXP - 1), ["article:888"]);
  assert.deepEqual(grants(viewer("ok@kk.example"), body, EXP), [], "expired at exp");
  assert.deepEqual(grants(viewer("ok@kk.example"), body, EXP - 0.5), ["article:888"], "fractional now is floored");
});

test("malformed bodies and claims are KeyholeError claims with a pointer", () => {
  const cases = [
    [link({ emails: ["a@b"], extra: 1 }), "/extra"],
    ['{"id":"l","resources":["article:1"],"emails":["a@b"],"exp":1,"exp":2}', "/exp"],
    [link({ emails: ["a@b"], exp: "1800000000" }), "/exp"],
    [link({ emails: ["a@b"], exp: 1.5 }), "/exp"],
    [link({ emails: ["a@b"], resources: ["page:1"] }), "/resources/0"],
    [link({ emails: [""] }), "/emails/0"],
    [link({ domains: ["."] }), "/domains/0"],
    [link({}), ""],
    ["not json", ""],
  ];
  for (const [body, pointer] of cases) {
    assert.throws(() => grants(viewer("a@b"), body), (e) => e instanceof KeyholeError && e.code === "claims" &&
      e.pointer === pointer && e.message.startsWith("share body:"), JSON.stringify(body));
  }
  assert.throws(() => grants({ email: "a@b" }, link({ emails: ["a@b"] })), (e) => e.code === "claims" && e.pointer === "/sub");
  assert.throws(() => grants({}, link({ emails: ["a@b"] }), NaN), TypeError);
});

test("shareGrants agrees with the email: and domain: atoms for every viewer", () => {
  const emails = ["mike@partner.example", "MIKE@PARTNER.example", "mi\u212Ae@partner.example", "root", "ROOT",
    '"ops@corp"@partner.example', "x@\u212Ak.example", "x@kk.example", "x@KK.example.", "a@b@kk.example"];
  const listed = [["email", "mike@partner.example"], ["email", "root"], ["domain", "kk.example"], ["domain", "partner.example"]];
  const page = '{"id":"1","type":"page","title":"t"}';
  for (const [kind, value] of listed) {
    const p = kh.compilePolicy({ keyhole: 1, articles: { pages: { 1: { allow: [`${kind}:${value}`] } } } });
    for (const email of emails) {
      for (const email_verified of [true, false]) {
        const claims = { sub: "u", email, email_verified };
        let shown = true;
        try { p.filter(page, claims, { format: "confluence" }); } catch (e) { assert.equal(e.code, "not-visible"); shown = false; }
        const opens = grants(claims, link({ [`${kind}s`]: [value] })).length > 0;
        assert.equal(opens, shown, `${email} (${email_verified}) vs ${kind}:${value}`);
      }
    }
    p.dispose();
  }
});

test("edge share.js: sign, verify the HMAC, then the core decides", async () => {
  const token = await createShareToken(SECRET, { resources: ["article:888"], emails: ["Mike@partner.example"], exp: EXP }, { keyhole: kh });
  const verifier = shareVerifier(SECRET);
  const body = await verifyShareToken(verifier, token);
  assert.ok(body instanceof Uint8Array, "the signed bytes, read by the core");
  assert.deepEqual(grantsFor(body, viewer("mike@partner.example"), NOW, 0, kh), ["article:888"]);
  assert.deepEqual(grantsFor(body, viewer("mi\u212Ae@partner.example"), NOW, 0, kh), []);
  assert.deepEqual(grantsFor(body, viewer("mike@partner.example"), EXP + 10, 30, kh), ["article:888"], "clock skew");
  assert.deepEqual(grantsFor(body, viewer("mike@partner.example"), EXP + 30, 30, kh), []);
  assert.deepEqual(grantsFor(body, { sub: "" }, NOW, 0, kh), [], "claims the core refuses give nothing");
  assert.deepEqual(grantsFor(null, viewer("mike@partner.example"), NOW, 0, kh), []);
  assert.throws(() => grantsFor(body, viewer("mike@partner.example"), NOW, 0), TypeError, "the core is required");
  const [b, mac] = token.split(".");
  assert.equal(await verifyShareToken(verifier, `${b}x.${mac}`), null, "tampered body");
  assert.equal(await verifyShareToken(shareVerifier("another-secret-0123456789"), token), null);
});

test("edge share.js: minting refuses a body the core would refuse (no second copy of the check)", async () => {
  for (const o of [{ resources: ["page:1"], emails: ["a@b"] }, { resources: ["article:1"] }, { resources: [], emails: ["a@b"] },
    { resources: ["article:1"], emails: ["a@b"], exp: 1.5 }, { resources: ["article:1"], domains: ["."] }]) {
    await assert.rejects(createShareToken(SECRET, o, { keyhole: kh }), TypeError, JSON.stringify(o));
  }
  // Without an instance, share.js loads one itself (Node: the CLI's `keyhole-edge share`).
  const t = await createShareToken(SECRET, { resources: ["incident:i1"], domains: ["kk.example"], ttlSeconds: 60 });
  const body = await verifyShareToken(shareVerifier(SECRET), t);
  assert.deepEqual(grantsFor(body, viewer("kay@kk.example"), Date.now() / 1000, 0, kh), ["incident:i1"]);
});
