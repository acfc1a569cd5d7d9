// Shared by tests/node/edge-proxy.test.mjs, tests/node/edge-workerd.test.mjs and the load
// benchmark: keys, persona tokens, the routes to check and the canary assertions.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT, generateKeyPair, exportSPKI, exportJWK } from "jose";
import { personas, forbiddenFor, ALL_CANARIES, PARTNER_PAGE } from "../sample-origin/personas.mjs";
import { createShareToken } from "../src/share.js";

const here = dirname(fileURLToPath(import.meta.url));
export const POLICY_TEXT = readFileSync(join(here, "../sample-origin/policy.json"), "utf8");
// JSM lists carry no labels: under a policy with label rules all their items are hidden (SPEC
// §6, fail closed), so the JSM route is served with the same policy minus its label rules.
export const JSM_POLICY_TEXT = readFileSync(join(here, "../sample-origin/policy-jsm.json"), "utf8");
export { personas, forbiddenFor, ALL_CANARIES, PARTNER_PAGE };

export const ISSUER = "https://id.keyhole.example/";
export const AUDIENCE = "keyhole-edge";
export const HS_SECRET = "test-hs256-secret-0123456789-abcdefghijklmnop";
export const SHARE_SECRET = "test-share-secret-0123456789-abcdef";

export async function makeKeys() {
  const rs = await generateKeyPair("RS256", { extractable: true });
  const es = await generateKeyPair("ES256", { extractable: true });
  const ed = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const rsPem = await exportSPKI(rs.publicKey);
  const jwk = async (k, alg, kid) => ({ ...(await exportJWK(k)), alg, kid, use: "sig" });
  const jwks = { keys: [await jwk(rs.publicKey, "RS256", "rs-1"), await jwk(es.publicKey, "ES256", "es-1"), await jwk(ed.publicKey, "EdDSA", "ed-1")] };
  return { rs, es, ed, rsPem, jwks };
}

/** Signs claims. opts: alg (HS256), key, kid, issuer, audience, exp (seconds from now), nbf, iat. */
export async function sign(claims, opts = {}) {
  const alg = opts.alg ?? "HS256";
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: "JWT", ...(opts.kid ? { kid: opts.kid } : {}) }).setIssuedAt(now - 5);
  if (opts.exp !== null) jwt = jwt.setExpirationTime(now + (opts.exp ?? 600));
  if (opts.nbf !== undefined) jwt = jwt.setNotBefore(now + opts.nbf);
  if (opts.issuer !== null) jwt = jwt.setIssuer(opts.issuer ?? ISSUER);
  if (opts.audience !== null) jwt = jwt.setAudience(opts.audience ?? AUDIENCE);
  const key = opts.key ?? new TextEncoder().encode(HS_SECRET);
  return jwt.sign(key);
}

/** An unsigned token (alg none). */
export function unsignedToken(claims) {
  const b = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${b({ alg: "none", typ: "JWT" })}.${b({ ...claims, iss: ISSUER, aud: AUDIENCE, exp: now + 600 })}.`;
}

export async function personaHeaders(name, { sign: signer = sign, withShare = false } = {}) {
  const p = personas[name];
  const h = {};
  if (p.claims.sub) h.authorization = `Bearer ${await signer(p.claims)}`;
  if (withShare && p.share) h["x-keyhole-share"] = await createShareToken(SHARE_SECRET, { resources: p.share.resources, emails: p.share.emails, ttlSeconds: 600 });
  return h;
}

export const LIST_ROUTES = [
  "/api/v2/summary.json",
  "/api/v2/status.json",
  "/api/v2/components.json",
  "/api/v2/incidents.json",
  "/api/v2/incidents/unresolved.json",
  "/api/v2/scheduled-maintenances.json",
  "/wiki/rest/api/content",
  "/rest/servicedeskapi/knowledgebase/article",
];
export const CONTENT_IDS = ["98000", "98001", "98002", "98100", "98101", "98102", "97000", "97001", "96000", "96001", "96002", "96003", "95000", "95001"];

/** Which single pages each persona may open (the rest must be 404). */
export const VISIBLE_PAGES = {
  anonymous: ["98000", "98001", "98002", "98100"],
  signedup: ["98000", "98001", "98002", "98100"],
  globex: ["98000", "98001", "98002", "98100", "98102", "96001", "96003"],
  initech: ["98000", "98001", "98002", "98100", "98102", "96002"],
  partner: ["98000", "98001", "98002", "98100", "98102"],
  partnerWithShare: ["98000", "98001", "98002", "98100", "98102", "95001"],
  staff: CONTENT_IDS,
};

/** The banner each persona must see (recomputed from what it may see). */
export const BANNER = {
  anonymous: "minor", signedup: "minor", partner: "minor", globex: "minor", initech: "minor", staff: "major",
};

/** Asserts no forbidden marker is in text. */
export function assertNoCanary(text, forbidden, where) {
  for (const c of forbidden) assert.ok(!text.includes(c), `${where}: ${c} leaked`);
}

/**
 * Runs every route for every persona through `get(path, headers) -> {status, headers, text}`
 * and checks statuses, canaries, Content-Length and what each persona must see.
 */
export async function checkAllPersonas(get, signer = sign) {
  const variants = [...Object.keys(personas).map((n) => [n, false]), ["partner", true]];
  for (const [name, withShare] of variants) {
    const label = withShare ? `${name}+share` : name;
    const headers = await personaHeaders(name, { sign: signer, withShare });
    const forbidden = forbiddenFor(name, withShare);
    let seen = "";
    for (const path of LIST_ROUTES) {
      const r = await get(path, headers);
      assert.equal(r.status, 200, `${label} ${path}: status ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(Number(r.headers.get("content-length")), Buffer.byteLength(r.text), `${label} ${path}: content-length`);
      assert.match(r.headers.get("etag") ?? "", /^"kh-/, `${label} ${path}: etag`);
      JSON.parse(r.text);
      assertNoCanary(r.text, forbidden, `${label} ${path}`);
      seen += r.text;
      if (path.endsWith("/status.json")) {
        const s = JSON.parse(r.text);
        assert.deepEqual(Object.keys(s), ["page", "status"]);
        assert.equal(s.status.indicator, BANNER[name], `${label} banner`);
      }
    }
    const visible = VISIBLE_PAGES[withShare ? "partnerWithShare" : name];
    for (const id of CONTENT_IDS) {
      const r = await get(`/wiki/rest/api/content/${id}`, headers);
      if (visible.includes(id)) {
        assert.equal(r.status, 200, `${label} page ${id}: ${r.status}`);
        assert.equal(JSON.parse(r.text).id, id);
      } else {
        assert.equal(r.status, 404, `${label} page ${id} must be 404, got ${r.status}`);
        assert.equal(r.text, '{"error":"not found"}');
      }
      assertNoCanary(r.text, forbidden, `${label} page ${id}`);
      seen += r.text;
    }
    for (const c of personas[name].sees) {
      if (c === "CANARY-PARTNER" && name === "partner" && !withShare) continue;
      assert.ok(seen.includes(c), `${label} must see ${c}`);
    }
  }
}
