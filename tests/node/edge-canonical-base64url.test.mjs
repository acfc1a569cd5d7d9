// Review (round 8), info: token text was malleable though its bytes were not. A JWT with `=`
// appended to a segment, and a share link whose MAC's last character differed only in unused
// bits, were accepted as the same token. Nothing was keyed on the text but the token cache
// (one extra verification), yet a signed token should have exactly one spelling: both are
// now decoded as canonical base64url only (edge/src/base64url.js), anything else is refused.
//   node --test tests/node/edge-canonical-base64url.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createShareToken, shareVerifier, verifyShareToken } from "../../edge/src/index.js";
import { b64urlDecode } from "../../edge/src/base64url.js";
import { decodingOrigin, startProxy, rawGet, fixture, token, identity, SHARE_SECRET } from "./edge-findings-lib.mjs";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** The same bytes spelt another way: the last character's unused low bit set. */
const otherSpelling = (seg) => seg.slice(0, -1) + ALPHABET[ALPHABET.indexOf(seg.at(-1)) | 1];

test("b64urlDecode: padding, unused bits and a 4n+1 length are refused", () => {
  assert.deepEqual([...b64urlDecode("AQI")], [1, 2]);
  for (const t of ["AQI=", "AQJ", "AQ==", "AR", "A", "AQI.", "AQ+I"]) assert.throws(() => b64urlDecode(t), t);
});

test("share links: a MAC spelt another way does not verify", async () => {
  const link = await createShareToken(SHARE_SECRET, { resources: ["article:1"], emails: ["pat@partner.example"], ttlSeconds: 600 });
  const v = shareVerifier(SHARE_SECRET);
  assert.ok(await verifyShareToken(v, link), "control: the link itself verifies");
  const [body, mac] = link.split(".");
  assert.equal(mac.length % 4, 3, "a 32-byte MAC leaves unused bits");
  assert.equal(await verifyShareToken(v, `${body}.${otherSpelling(mac)}`), null);
  assert.equal(await verifyShareToken(v, `${body}.${mac}=`), null);
});

let origin, proxy;
before(async () => {
  origin = await decodingOrigin({ "/api/v2/summary.json": fixture("E1", "payload.json") });
  proxy = await startProxy({ upstream: origin.url, policy: fixture("E1", "policy.json").toString(), identity: identity(),
    routes: [{ path: "/api/v2/**", format: "statuspage" }] });
});
after(async () => { await proxy?.close(); await origin?.close(); });

test("JWTs: padding or unused bits in any segment are 401", async () => {
  const t = token({ sub: "u-staff", email: "sue@acme.example" });
  const ok = await rawGet(proxy.port, "/api/v2/summary.json", { authorization: `Bearer ${t}` });
  assert.equal(ok.status, 200, "control");
  const [h, p, s] = t.split(".");
  const variants = [`${h}.${p}.${s}=`, `${h}.${p}=.${s}`];
  if (s.length % 4 !== 0) variants.push(`${h}.${p}.${otherSpelling(s)}`);
  if (p.length % 4 !== 0) variants.push(`${h}.${otherSpelling(p)}.${s}`);
  for (const v of variants) {
    const r = await rawGet(proxy.port, "/api/v2/summary.json", { authorization: `Bearer ${v}` });
    assert.equal(r.status, 401, v.slice(-12));
  }
});
