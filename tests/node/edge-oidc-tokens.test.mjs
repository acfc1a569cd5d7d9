// Sign-in (issue 17) against a provider that misbehaves on purpose: a small OpenID Connect
// server on loopback (discovery, JWKS, token endpoint) whose token endpoint answers what each
// test asks for: expired, forged (another key), unsigned, HS256, wrong audience / issuer /
// nonce, no sub, claims that do not fit SPEC §1, too many claims, 5xx, invalid_grant,
// non-JSON, an unreachable JWKS; and a provider that is down. Every case fails closed: its
// page and status, no session cookie. A well-formed token (the control) signs in.
//   node --test tests/node/edge-oidc-tokens.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { SignJWT, generateKeyPair, exportJWK } from "jose";
import { startStack, Client, CLIENT_ID } from "../../edge/testing/oidc-stack.mjs";
import { forbiddenFor } from "../../edge/testing/harness.mjs";

let idp, stack, key, otherKey;
// What the token endpoint answers next: (nonce) -> { status, body, type }
let answer = null;
let jwksStatus = 200;

function startHostileProvider() {
  const server = createServer(async (req, res) => {
    const u = new URL(req.url, idp.issuer);
    const json = (status, body, type = "application/json") => { res.writeHead(status, { "content-type": type }); res.end(typeof body === "string" ? body : JSON.stringify(body)); };
    if (u.pathname === "/.well-known/openid-configuration") {
      return json(200, {
        issuer: idp.issuer, authorization_endpoint: `${idp.issuer}/authorize`, token_endpoint: `${idp.issuer}/token`,
        jwks_uri: `${idp.issuer}/jwks`, response_types_supported: ["code"], subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
      });
    }
    if (u.pathname === "/jwks") return json(jwksStatus, jwksStatus === 200 ? { keys: [{ ...(await exportJWK(key.publicKey)), kid: "k1", alg: "RS256", use: "sig" }] } : "down", "text/plain");
    if (u.pathname === "/token") { for await (const _ of req); const a = await answer(idp.nonce); if (a.hangUp) return req.socket.destroy(); return json(a.status ?? 200, a.body, a.type); }
    json(404, { error: "not found" });
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, issuer: `http://127.0.0.1:${server.address().port}` })));
}

before(async () => {
  key = await generateKeyPair("RS256");
  otherKey = await generateKeyPair("RS256");
  idp = await startHostileProvider();
  stack = await startStack({ provider: false, issuer: idp.issuer });
});
after(async () => { await stack?.close(); idp?.server.closeAllConnections(); await new Promise((ok) => idp?.server.close(ok)); });

const now = () => Math.floor(Date.now() / 1000);
const GOOD_CLAIMS = { sub: "u-globex-ann", email: "ann@globex.example", email_verified: true, "https://keyhole.example/orgs": ["globex"] };

/** An ID token: claims over the good ones, header, key and times overridable. */
async function idToken(nonce, { claims = {}, header = {}, signWith = key.privateKey, iss = idp.issuer, aud = CLIENT_ID, exp = now() + 300, iat = now() } = {}) {
  const jwt = new SignJWT({ ...GOOD_CLAIMS, nonce, ...claims }).setProtectedHeader({ alg: "RS256", kid: "k1", ...header }).setIssuedAt(iat).setExpirationTime(exp);
  if (iss) jwt.setIssuer(iss);
  if (aud) jwt.setAudience(aud);
  return jwt.sign(signWith);
}
const tokenResponse = (id_token) => ({ body: { access_token: "at", token_type: "Bearer", expires_in: 300, id_token } });
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");

/** One sign-in: login (the edge's redirect names state and nonce), then the callback. */
async function callbackWith(makeAnswer) {
  const c = new Client();
  const login = await c.request(`${stack.edgeUrl}/auth/login?return=/help`);
  assert.equal(login.status, 303);
  const to = new URL(login.headers.get("location"));
  idp.nonce = to.searchParams.get("nonce");
  answer = makeAnswer;
  const res = await c.request(`${stack.edgeUrl}/auth/callback?code=code-1&state=${to.searchParams.get("state")}`);
  return { res, c, html: await res.text() };
}

async function assertRefused(makeAnswer, status, words) {
  const { res, c, html } = await callbackWith(makeAnswer);
  assert.equal(res.status, status, html.slice(0, 300));
  assert.match(res.headers.get("content-type"), /^text\/html/);
  assert.ok(html.includes(words), `"${words}" in ${html.slice(0, 500)}`);
  assert.ok(!res.headers.getSetCookie().some((x) => x.startsWith("keyhole_session=")), "no session cookie");
  assert.equal(c.get(stack.edgeUrl, "keyhole_session"), undefined);
  const after = await (await c.request(`${stack.edgeUrl}/api/v2/summary.json`)).text();
  for (const canary of forbiddenFor("anonymous")) assert.ok(!after.includes(canary), `${canary} after a refused sign-in`);
}

const NOT_VERIFIED = "could not be verified";

test("control: a well-formed ID token signs in (so the refusals below are the token's fault)", async () => {
  const { res, c } = await callbackWith(async (nonce) => tokenResponse(await idToken(nonce)));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/help");
  const s = await (await c.request(`${stack.edgeUrl}/api/v2/summary.json`)).text();
  assert.ok(s.includes("CANARY-GLOBEX"));
});

test("expired ID token: 401", () => assertRefused(async (n) => tokenResponse(await idToken(n, { exp: now() - 3600, iat: now() - 7200 })), 401, NOT_VERIFIED));
test("ID token issued in the future: 401", () => assertRefused(async (n) => tokenResponse(await idToken(n, { iat: now() + 3600, exp: now() + 7200 })), 401, NOT_VERIFIED));
test("forged ID token (signed by another key under the provider's kid): 401", () => assertRefused(async (n) => tokenResponse(await idToken(n, { signWith: otherKey.privateKey })), 401, NOT_VERIFIED));
test("tampered ID token (claims changed after signing): 401", () => assertRefused(async (n) => {
  const [h, , s] = (await idToken(n)).split(".");
  return tokenResponse(`${h}.${b64({ ...GOOD_CLAIMS, sub: "u-staff-sue", groups: ["staff"], nonce: n, iss: idp.issuer, aud: CLIENT_ID, iat: now(), exp: now() + 300 })}.${s}`);
}, 401, NOT_VERIFIED));
test("unsigned ID token (alg none): 401", () => assertRefused(async (n) => tokenResponse(`${b64({ alg: "none" })}.${b64({ ...GOOD_CLAIMS, nonce: n, iss: idp.issuer, aud: CLIENT_ID, iat: now(), exp: now() + 300 })}.`), 401, NOT_VERIFIED));
test("HS256 ID token keyed with the client secret (algorithm not accepted): 401", () => assertRefused(async (n) => {
  const t = await new SignJWT({ ...GOOD_CLAIMS, nonce: n }).setProtectedHeader({ alg: "HS256" }).setIssuer(idp.issuer).setAudience(CLIENT_ID).setIssuedAt().setExpirationTime("5m")
    .sign(new TextEncoder().encode("test-client-secret-0123456789abcdef"));
  return tokenResponse(t);
}, 401, NOT_VERIFIED));
test("wrong audience: 401", () => assertRefused(async (n) => tokenResponse(await idToken(n, { aud: "another-client" })), 401, NOT_VERIFIED));
test("wrong issuer: 401", () => assertRefused(async (n) => tokenResponse(await idToken(n, { iss: "https://evil.example" })), 401, NOT_VERIFIED));
test("wrong nonce: 401", () => assertRefused(async () => tokenResponse(await idToken("another-sign-ins-nonce")), 401, NOT_VERIFIED));
test("no nonce: 401", () => assertRefused(async () => tokenResponse(await idToken(undefined)), 401, NOT_VERIFIED));
test("no sub: 401", () => assertRefused(async (n) => tokenResponse(await idToken(n, { claims: { sub: undefined } })), 401, NOT_VERIFIED));
test("no ID token at all: 401", () => assertRefused(async () => ({ body: { access_token: "at", token_type: "Bearer" } }), 401, NOT_VERIFIED));

test("claims that do not fit SPEC §1 (email_verified as a string, groups as a string): 403, checked by the core", async () => {
  await assertRefused(async (n) => tokenResponse(await idToken(n, { claims: { email_verified: "true" } })), 403, "cannot be used here");
  await assertRefused(async (n) => tokenResponse(await idToken(n, { claims: { groups: "staff" } })), 403, "cannot be used here");
  assert.ok(stack.logs.some((l) => /oidc claims-invalid/.test(l.error ?? "")));
});

test("more claims than fit in a cookie: 403", () => assertRefused(async (n) => tokenResponse(await idToken(n, { claims: { groups: Array.from({ length: 400 }, (_, i) => `group-${i}`) } })), 403, "more details than fit"));

test("token endpoint refuses the code (invalid_grant): 400", () => assertRefused(async () => ({ status: 400, body: { error: "invalid_grant", error_description: "grant request is invalid" } }), 400, "already used"));
test("token endpoint fails (500): 503", () => assertRefused(async () => ({ status: 500, body: "<html>oops</html>", type: "text/html" }), 503, "unavailable"));
test("token endpoint unreachable (the connection drops): 503", () => assertRefused(async () => ({ hangUp: true }), 503, "unavailable"));
test("token endpoint answers garbage (200, not JSON): 401", () => assertRefused(async () => ({ body: "not json", type: "text/plain" }), 401, NOT_VERIFIED));

test("JWKS unavailable (500): refused, no session", async () => {
  jwksStatus = 500;
  const { res, html } = await callbackWith(async (n) => tokenResponse(await idToken(n, { header: { kid: "k-rotated" } })));
  jwksStatus = 200;
  assert.ok([401, 503].includes(res.status), `status ${res.status}`);
  assert.ok(!res.headers.getSetCookie().some((x) => x.startsWith("keyhole_session=")));
  assert.ok(html.includes("Sign-in"));
});

test("provider down: /auth/login is 503 with a page; the pages and the JSON still serve anonymous viewers", async () => {
  const dead = createServer();
  await new Promise((ok) => dead.listen(0, "127.0.0.1", ok));
  const issuer = `http://127.0.0.1:${dead.address().port}`;
  await new Promise((ok) => dead.close(ok)); // nothing listens there now
  const s = await startStack({ provider: false, issuer });
  try {
    const res = await fetch(`${s.edgeUrl}/auth/login`, { redirect: "manual" });
    const html = await res.text();
    assert.equal(res.status, 503);
    assert.ok(html.includes("Sign-in is unavailable"));
    assert.ok(s.logs.some((l) => /oidc provider-down: discovery/.test(l.error ?? "")));
    const page = await fetch(`${s.edgeUrl}/`);
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes('id="sign-in"'));
    assert.equal((await fetch(`${s.edgeUrl}/api/v2/summary.json`)).status, 200);
  } finally {
    await s.close();
  }
});
