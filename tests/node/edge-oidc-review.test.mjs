// Outside review of sign-in (issue 17): each test holds one finding (docs/security.md, rows
// "review O1".."O7"). A provider of our own on loopback signs whatever ID token a test asks for
// (with the provider's real key, so only the edge's own checks stand in the way); the session
// tests use the edge's cookie code and a second handler configured for another provider.
//   node --test tests/node/edge-oidc-review.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { CompactSign, generateKeyPair, exportJWK } from "jose";
import { startStack, Client, CLIENT_ID, CLIENT_SECRET, SESSION_SECRET, edgeConfig } from "../../edge/testing/oidc-stack.mjs";
import { forbiddenFor } from "../../edge/testing/harness.mjs";
import { createEdgeFilter } from "../../edge/src/index.js";
import { sessionCookies } from "../../edge/src/auth/session.js";
import { safeReturn } from "../../edge/src/auth/auth-routes.js";

let idp, stack, key;
let nextIdToken = null; // (nonce) -> compact JWS text

function startSigningProvider() {
  const server = createServer(async (req, res) => {
    const u = new URL(req.url, idp.issuer);
    const json = (body) => { res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify(body)); };
    if (u.pathname === "/.well-known/openid-configuration") {
      return json({ issuer: idp.issuer, authorization_endpoint: `${idp.issuer}/authorize`, token_endpoint: `${idp.issuer}/token`, jwks_uri: `${idp.issuer}/jwks`,
        response_types_supported: ["code"], subject_types_supported: ["public"], id_token_signing_alg_values_supported: ["RS256"] });
    }
    if (u.pathname === "/jwks") return json({ keys: [{ ...(await exportJWK(key.publicKey)), kid: "k1", alg: "RS256", use: "sig" }] });
    if (u.pathname === "/token") { for await (const _ of req); return json({ access_token: "at", token_type: "Bearer", id_token: await nextIdToken(idp.nonce) }); }
    res.writeHead(404); res.end();
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok({ server, issuer: `http://127.0.0.1:${server.address().port}` })));
}

before(async () => {
  key = await generateKeyPair("RS256");
  idp = await startSigningProvider();
  stack = await startStack({ provider: false, issuer: idp.issuer });
});
after(async () => { await stack?.close(); idp?.server.closeAllConnections(); await new Promise((ok) => idp?.server.close(ok)); });

const now = () => Math.floor(Date.now() / 1000);
/** A correctly signed ID token whose payload is exactly `members` (JSON text, no braces) plus iss/aud/iat/exp/nonce. */
const signedPayload = (members, nonce) => new CompactSign(new TextEncoder().encode(
  `{${members},"iss":${JSON.stringify(idp.issuer)},"aud":"${CLIENT_ID}","iat":${now()},"exp":${now() + 300},"nonce":"${nonce}"}`,
)).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(key.privateKey);

/** One sign-in through the edge with the ID token `make(nonce)`: -> { res, client, summary } */
async function signInWith(make) {
  const client = new Client();
  const to = new URL((await client.request(`${stack.edgeUrl}/auth/login`)).headers.get("location"));
  idp.nonce = to.searchParams.get("nonce");
  nextIdToken = make;
  const res = await client.request(`${stack.edgeUrl}/auth/callback?code=c&state=${to.searchParams.get("state")}`);
  await res.arrayBuffer();
  const summary = await (await client.request(`${stack.edgeUrl}/api/v2/summary.json`)).text();
  return { res, client, summary };
}

async function assertRefused(make, what) {
  const { res, client, summary } = await signInWith(make);
  assert.equal(res.status, 401, `${what}: refused as an unverifiable ID token`);
  assert.equal(client.get(stack.edgeUrl, "keyhole_session"), undefined, `${what}: no session`);
  for (const canary of forbiddenFor("anonymous")) assert.ok(!summary.includes(canary), `${what}: ${canary} leaked`);
}

const STAFF = '"email":"sue@keyhole.example","groups":["staff"]';

test("control: the same provider's well-formed token signs in (the refusals below are the token's fault)", async () => {
  const { res, summary } = await signInWith((n) => signedPayload(`"sub":"u-x","email":"sue@keyhole.example","email_verified":true,"groups":["staff"]`, n));
  assert.equal(res.status, 303);
  assert.ok(summary.includes("CANARY-STAFF"));
});

test("O2: an ID token that repeats a member (sub, email_verified, nested) is refused, not read as its last value", async () => {
  await assertRefused((n) => signedPayload(`"sub":"u-x","sub":"u-staff-sue",${STAFF},"email_verified":true`, n), "two sub");
  await assertRefused((n) => signedPayload(`"sub":"u-x",${STAFF},"email_verified":false,"email_verified":true`, n), "two email_verified");
  await assertRefused((n) => signedPayload(`"sub":"u-x",${STAFF},"email_verified":true,"https://keyhole.example/attrs":{"plan":"free","pl\\u0061n":"enterprise"}`, n), "an escaped repeat, nested");
});

test("O3: an ID token whose azp names another client is refused (also with a single aud)", async () => {
  await assertRefused((n) => signedPayload(`"sub":"u-x","azp":"another-client",${STAFF},"email_verified":true`, n), "azp another client");
  const { res } = await signInWith((n) => signedPayload(`"sub":"u-x","azp":"${CLIENT_ID}"`, n));
  assert.equal(res.status, 303, "azp naming this client is fine");
});

const HTTPS_OIDC = { issuer: "https://id.example.com/", clientId: "status", redirectUri: "https://status.example.com/auth/callback", sessionSecret: SESSION_SECRET };
const withCookie = (cookie, url = "https://status.example.com/") => new Request(url, { headers: { cookie } });
const valueOf = (setCookie) => setCookie.split(";")[0].slice(setCookie.indexOf("=") + 1);

test("O1: a session sealed by an edge of another provider or client (same session secret) is no session", async () => {
  const home = sessionCookies(HTTPS_OIDC);
  const session = valueOf(await home.session.issue({ sub: "u-staff-sue", groups: ["staff"] }, "sue"));
  assert.deepEqual((await home.session.read(withCookie(`__Host-keyhole_session=${session}`)))?.claims.sub, "u-staff-sue", "control: its own edge reads it");
  for (const other of [{ issuer: "https://staging-id.example.com/" }, { clientId: "status-staging" }]) {
    const there = sessionCookies({ ...HTTPS_OIDC, ...other });
    assert.equal(await there.session.read(withCookie(`__Host-keyhole_session=${session}`)), null, JSON.stringify(other));
  }
  // End to end: a handler of this stack's shape but another issuer, the stack's session cookie.
  const c = new Client();
  await signInWith((n) => signedPayload(`"sub":"u-x",${STAFF},"email_verified":true`, n)).then((r) => c.set(stack.edgeUrl, "keyhole_session", r.client.get(stack.edgeUrl, "keyhole_session")));
  const other = createEdgeFilter(edgeConfig({ issuer: "http://127.0.0.1:9/other-idp", originUrl: stack.origin.url, redirectUri: `${stack.edgeUrl}/auth/callback` }));
  const res = await other.fetch(new Request(`${stack.edgeUrl}/`, { headers: { cookie: c.cookieHeader(`${stack.edgeUrl}/`) } }), {}, {});
  const html = await res.text();
  assert.equal(res.status, 200);
  assert.ok(html.includes('id="sign-in"') && !html.includes("Signed in as"), "anonymous at the other edge");
  for (const canary of forbiddenFor("anonymous")) assert.ok(!html.includes(canary), `${canary} at the other edge`);
});

test("O4: on https the sign-in cookie is __Host- (Path=/), and a planted __Secure- one is not read", async () => {
  const cookies = sessionCookies(HTTPS_OIDC);
  const set = await cookies.transaction.issue({ state: "s", nonce: "n", verifier: "v", returnTo: "/" });
  assert.match(set, /^__Host-keyhole_signin=[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
  assert.match(cookies.transaction.clear(), /^__Host-keyhole_signin=; Path=\/; Max-Age=0;/);
  const sealed = valueOf(set);
  const callback = "https://status.example.com/auth/callback?code=c&state=s";
  assert.equal((await cookies.transaction.read(withCookie(`__Host-keyhole_signin=${sealed}`, callback)))?.state, "s", "control");
  // A sibling subdomain can set __Secure-keyhole_signin for the parent domain (not __Host-).
  assert.equal(await cookies.transaction.read(withCookie(`__Secure-keyhole_signin=${sealed}`, callback)), null);
});

test("O5: return= never yields a protocol-relative Location (dot segments resolved to //host)", () => {
  for (const v of ["/.//evil.example", "/a/..//evil.example", "/%2e//evil.example", "/.%2e//evil.example", "/..//evil.example/x?y=1", "//evil.example", "/\\evil.example"]) {
    const out = safeReturn(v);
    assert.ok(!out.startsWith("//"), `${v} -> ${out}`);
    assert.equal(new URL(out, "https://status.example.com/x").origin, "https://status.example.com", `${v} -> ${out}`);
  }
  assert.equal(safeReturn("/help?share=abc"), "/help?share=abc", "control: a page with its share link");
});

test("O6: a shorter sessionTtlSeconds ends sessions issued under a longer one", async () => {
  const long = sessionCookies({ ...HTTPS_OIDC, sessionTtlSeconds: 30 * 86400 });
  const realNow = Date.now;
  let session;
  try {
    Date.now = () => realNow() - 2 * 3600 * 1000; // issued two hours ago, for 30 days
    session = valueOf(await long.session.issue({ sub: "u-1" }, "one"));
  } finally {
    Date.now = realNow;
  }
  const cookie = withCookie(`__Host-keyhole_session=${session}`);
  assert.equal((await long.session.read(cookie))?.claims.sub, "u-1", "control: still within 30 days");
  assert.equal(await sessionCookies({ ...HTTPS_OIDC, sessionTtlSeconds: 3600 }).session.read(cookie), null, "older than the 1 h lifetime now configured");
});

test("O7: a planted keyhole_token cookie does not override a valid session where no JWTs are accepted", async () => {
  const { client } = await signInWith((n) => signedPayload(`"sub":"u-x",${STAFF},"email_verified":true`, n));
  const session = client.get(stack.edgeUrl, "keyhole_session");
  // This stack accepts no JWTs at all (no identity.algorithms): the cookie should not matter.
  const res = await fetch(`${stack.edgeUrl}/`, { headers: { cookie: `keyhole_token=planted; keyhole_session=${session}` } });
  const html = await res.text();
  assert.equal(res.status, 200, html.slice(0, 200));
  assert.ok(html.includes("Signed in as"));
});

test("O7: with sign-in over https, cookies an edge reads must be __Host- names", () => {
  const base = { upstream: "http://127.0.0.1:9", policy: '{"keyhole":1}' };
  const refused = (identity, pointer) => assert.throws(() => createEdgeFilter({ ...base, identity }), (e) => {
    assert.equal(e.code, "config", e.message);
    assert.equal(e.pointer, pointer, e.message);
    assert.ok(e.message.includes("__Host-"), e.message);
    return true;
  });
  const oidc = { ...HTTPS_OIDC, clientSecret: "x" };
  refused({ oidc, algorithms: ["HS256"], hs256Secret: "k".repeat(32), issuer: "https://idp.example", audience: "keyhole" }, "/identity/cookie");  // default keyhole_token
  refused({ oidc, algorithms: ["HS256"], hs256Secret: "k".repeat(32), issuer: "https://idp.example", audience: "keyhole", cookie: "jwt" }, "/identity/cookie");
  refused({ oidc: { ...oidc, sessionCookie: "my_session" } }, "/identity/oidc/sessionCookie");
  // Accepted: __Host- names, JWTs from Authorization only, or no JWTs at all; loopback http as before.
  createEdgeFilter({ ...base, identity: { oidc, algorithms: ["HS256"], hs256Secret: "k".repeat(32), issuer: "https://idp.example", audience: "keyhole", cookie: "__Host-jwt" } });
  createEdgeFilter({ ...base, identity: { oidc, algorithms: ["HS256"], hs256Secret: "k".repeat(32), issuer: "https://idp.example", audience: "keyhole", cookie: null } });
  createEdgeFilter({ ...base, identity: { oidc: { ...oidc, sessionCookie: "__Host-my_session" } } });
  createEdgeFilter({ ...base, identity: { oidc: { ...oidc, issuer: "http://127.0.0.1:9000", redirectUri: "http://localhost:8787/auth/callback" }, algorithms: ["HS256"], hs256Secret: "k".repeat(32), issuer: "https://idp.example", audience: "keyhole" } });
});
