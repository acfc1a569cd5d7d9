// Sign-in (issue 17) against a real OpenID Connect provider on loopback (oidc-provider with
// the sample users, edge/sample-origin/oidc-provider.mjs): the authorization request, the
// cookies, the session as the viewer's identity, logout, and every way a sign-in must fail
// closed (wrong state, replayed code, no transaction, wrong nonce, provider refused, provider
// down), each a clear HTML page with its status code and no session cookie.
//   node --test tests/node/edge-oidc-flow.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStack, Client, signIn, untilCallback, SESSION_SECRET, CLIENT_ID } from "../../edge/testing/oidc-stack.mjs";
import { sealer } from "../../edge/src/auth/sealed.js";
import { sealPurpose } from "../../edge/src/auth/session.js";
import { forbiddenFor, personas, sign, HS_SECRET, ISSUER, AUDIENCE } from "../../edge/testing/harness.mjs";
import { providerClaims } from "../../edge/sample-origin/oidc-provider.mjs";

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

const SESSION = "keyhole_session", TX = "keyhole_signin";
// The edge's sealers: bound to this stack's provider and client (sealPurpose).
const box = (kind, secret = SESSION_SECRET) => sealer(secret, sealPurpose(kind, { issuer: stack.idp.issuer, clientId: CLIENT_ID }));
const summary = async (client) => (await client.request(`${stack.edgeUrl}/api/v2/summary.json`)).text();

/** A failed sign-in: the page, its status, no session cookie, the sign-in cookie cleared. */
async function assertFailurePage(res, status, title, client) {
  const html = await res.text();
  assert.equal(res.status, status, html.slice(0, 300));
  assert.match(res.headers.get("content-type"), /^text\/html/);
  assert.equal(res.headers.get("cache-control"), "private, no-store");
  assert.ok(html.includes(title), `page says "${title}": ${html.slice(0, 400)}`);
  const cookies = res.headers.getSetCookie();
  assert.ok(!cookies.some((c) => c.startsWith(`${SESSION}=`)), "no session cookie on a failure");
  assert.ok(cookies.some((c) => c.startsWith(`${TX}=;`) && /Max-Age=0/.test(c)), "the sign-in transaction is cleared");
  assert.equal(client.get(stack.edgeUrl, SESSION), undefined);
  assertNoCanaryFor(html, "anonymous");
}

function assertNoCanaryFor(text, persona) {
  for (const c of forbiddenFor(persona)) assert.ok(!text.includes(c), `${c} leaked`);
}

test("/auth/login: a code request with PKCE S256, state, nonce, and a sealed 10-minute sign-in cookie", async () => {
  const c = new Client();
  const res = await c.request(`${stack.edgeUrl}/auth/login?return=%2Fhelp`);
  assert.equal(res.status, 303);
  const to = new URL(res.headers.get("location"));
  assert.equal(to.origin, stack.idp.issuer);
  const p = to.searchParams;
  assert.equal(p.get("response_type"), "code");
  assert.equal(p.get("client_id"), CLIENT_ID);
  assert.equal(p.get("redirect_uri"), `${stack.edgeUrl}/auth/callback`);
  assert.equal(p.get("code_challenge_method"), "S256");
  assert.match(p.get("code_challenge"), /^[A-Za-z0-9_-]{43}$/);
  assert.match(p.get("state"), /^[A-Za-z0-9_-]{20,}$/);
  assert.match(p.get("nonce"), /^[A-Za-z0-9_-]{20,}$/);
  assert.notEqual(p.get("state"), p.get("nonce"));
  assert.ok(p.get("scope").split(" ").includes("openid"));
  const [tx] = res.headers.getSetCookie();
  assert.match(tx, /^keyhole_signin=[^;]+; Path=\/auth\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
  // Sealed: neither the state nor the PKCE verifier can be read from it.
  assert.ok(!tx.includes(p.get("state")) && !tx.includes(p.get("nonce")));
  // Two logins: fresh state and nonce each time.
  const again = new URL((await c.request(`${stack.edgeUrl}/auth/login`)).headers.get("location"));
  assert.notEqual(again.searchParams.get("state"), p.get("state"));
});

test("signing in as Globex: session cookie (HttpOnly, SameSite=Lax, bounded, not Secure on loopback), back to the page asked for, Globex's view", async () => {
  const c = new Client();
  const callback = await untilCallback(c, stack, "globex", { returnTo: "/help" });
  const res = await c.request(callback);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/help");
  assert.equal(res.headers.get("cache-control"), "no-store");
  const cookies = res.headers.getSetCookie();
  const session = cookies.find((x) => x.startsWith(`${SESSION}=`));
  assert.match(session, /^keyhole_session=[A-Za-z0-9_.-]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax$/);
  assert.ok(!session.includes("ann@globex"), "the session is sealed, not readable");
  assert.ok(cookies.some((x) => x.startsWith(`${TX}=;`)), "the sign-in cookie is cleared");
  const s = await summary(c);
  assert.ok(s.includes("CANARY-GLOBEX") && s.includes("CANARY-PREMIUM"), "Globex's components");
  assertNoCanaryFor(s, "globex");
  const page = await (await c.request(`${stack.edgeUrl}/help`)).text();
  assert.match(page, /Signed in as <strong class="viewer-name">ann@globex\.example<\/strong>/);
  assert.ok(stack.logs.some((l) => l.auth === "signed-in"));
});

test("the claims come from the ID token through identity.claims (namespaced orgs/attrs -> SPEC §1)", async () => {
  const c = new Client();
  await (await signIn(c, stack, "initech")).res.text();
  const session = await box("session").open(c.get(stack.edgeUrl, SESSION));
  assert.deepEqual(session.c, personas.initech.claims);
});

test("wrong state: 400, no session", async () => {
  const c = new Client();
  const cb = new URL(await untilCallback(c, stack, "globex"));
  cb.searchParams.set("state", "not-the-state-this-browser-got");
  await assertFailurePage(await c.request(cb.href), 400, "state mismatch", c);
});

test("replayed code: with the sign-in cookie restored the provider refuses it (400); without it, 400 too", async () => {
  const c = new Client();
  const cb = await untilCallback(c, stack, "globex");
  const tx = c.get(stack.edgeUrl, TX);
  assert.equal((await c.request(cb)).status, 303); // first use signs in
  const attacker = new Client();
  attacker.set(stack.edgeUrl, TX, tx, "/auth/");
  await assertFailurePage(await attacker.request(cb), 400, "already used", attacker);
  assert.ok(stack.logs.some((l) => /oidc code-rejected/.test(l.error ?? "")));
  const plain = new Client();
  await assertFailurePage(await plain.request(cb), 400, "Sign-in expired", plain);
});

test("a callback this browser did not start (no sign-in cookie, or a forged one): 400", async () => {
  const victim = new Client();
  const cb = await untilCallback(new Client(), stack, "staff"); // the attacker's own code (login CSRF)
  await assertFailurePage(await victim.request(cb), 400, "Sign-in expired", victim);
  victim.set(stack.edgeUrl, TX, "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC", "/auth/");
  await assertFailurePage(await victim.request(cb), 400, "Sign-in expired", victim);
});

test("wrong nonce (the ID token answers another sign-in): 401, no session", async () => {
  const c = new Client();
  const cb = await untilCallback(c, stack, "globex");
  const txBox = box("signin-transaction");
  const tx = await txBox.open(c.get(stack.edgeUrl, TX));
  c.set(stack.edgeUrl, TX, await txBox.seal({ ...tx, nonce: "some-other-sign-ins-nonce-0123456789" }, 600), "/auth/");
  await assertFailurePage(await c.request(cb), 401, "could not be verified", c);
  assert.ok(stack.logs.some((l) => /oidc id-token-invalid/.test(l.error ?? "")));
});

test("the provider refuses (error=access_denied): 403", async () => {
  const c = new Client();
  const login = await c.request(`${stack.edgeUrl}/auth/login`);
  const state = new URL(login.headers.get("location")).searchParams.get("state");
  const cb = `${stack.edgeUrl}/auth/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(stack.idp.issuer)}`;
  await assertFailurePage(await c.request(cb), 403, "not completed", c);
});

test("a wrong password stays at the provider; no session", async () => {
  const c = new Client();
  await assert.rejects(untilCallback(c, stack, "staff", { password: "wrong" }), /did not reach the callback \(401/);
  assert.equal(c.get(stack.edgeUrl, SESSION), undefined);
});

test("a forged, tampered, expired or re-purposed session cookie is anonymous", async () => {
  const c = new Client();
  await (await signIn(c, stack, "staff")).res.text();
  const good = c.get(stack.edgeUrl, SESSION);
  assert.ok((await summary(c)).includes("CANARY-STAFF"));
  const flip = (s, i) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
  const staffClaims = { c: personas.staff.claims, n: "sue" };
  const variants = {
    "tampered ciphertext": flip(good, good.length - 30),
    "tampered tag": flip(good, good.length - 2),
    "another secret": await box("session", "another-secret-0123456789-abcdefghijklmn").seal(staffClaims, 600),
    "expired": await box("session").seal(staffClaims, -60),
    "a sign-in transaction cookie": await box("signin-transaction").seal(staffClaims, 600),
    "an unsigned JWT": `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ sub: "u-staff-sue", groups: ["staff"] })).toString("base64url")}.`,
    "garbage": "x".repeat(5000),
  };
  for (const [what, value] of Object.entries(variants)) {
    const v = new Client();
    v.set(stack.edgeUrl, SESSION, value);
    const res = await v.request(`${stack.edgeUrl}/api/v2/summary.json`);
    const text = await res.text();
    assert.equal(res.status, 200, `${what}: anonymous, not an error`);
    assertNoCanaryFor(text, "anonymous");
    const page = await (await v.request(`${stack.edgeUrl}/`)).text();
    assert.ok(page.includes('id="sign-in"') && !page.includes("Signed in as"), `${what}: the page is anonymous`);
    assertNoCanaryFor(page, "anonymous");
  }
});

test("logout (POST or GET) clears the session; the viewer is anonymous again", async () => {
  for (const method of ["POST", "GET"]) {
    const c = new Client();
    await (await signIn(c, stack, "globex")).res.text();
    assert.ok((await summary(c)).includes("CANARY-GLOBEX"));
    const res = await c.request(`${stack.edgeUrl}/auth/logout`, { method });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/");
    assert.match(res.headers.getSetCookie()[0], /^keyhole_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970/);
    assert.equal(c.get(stack.edgeUrl, SESSION), undefined);
    assertNoCanaryFor(await summary(c), "anonymous");
  }
  assert.equal((await fetch(`${stack.edgeUrl}/auth/logout`, { method: "PUT" })).status, 405);
  assert.equal((await fetch(`${stack.edgeUrl}/auth/callback`, { method: "POST" })).status, 405);
});

test("the page to return to is a path on this site, never another origin", async () => {
  for (const ret of ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/help?share=abc"]) {
    const c = new Client();
    const cb = await untilCallback(c, stack, "initech", { returnTo: ret });
    const loc = (await c.request(cb)).headers.get("location");
    assert.equal(loc, ret === "/help?share=abc" ? ret : "/", `return=${ret}`);
  }
});

test("the existing Bearer and JWT-cookie paths keep working next to sign-in; a presented token wins over the session", async () => {
  const both = await startStack({ identity: { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE } });
  try {
    const staffToken = await sign(providerClaims(personas.staff.claims));
    const get = (headers) => fetch(`${both.edgeUrl}/api/v2/summary.json`, { headers }).then(async (r) => ({ status: r.status, text: await r.text() }));
    let r = await get({ authorization: `Bearer ${staffToken}` });
    assert.equal(r.status, 200);
    assert.ok(r.text.includes("CANARY-STAFF"), "Bearer");
    r = await get({ cookie: `keyhole_token=${staffToken}` });
    assert.ok(r.text.includes("CANARY-STAFF"), "JWT cookie");
    const c = new Client();
    await (await signIn(c, both, "globex")).res.text();
    const session = `keyhole_session=${c.get(both.edgeUrl, SESSION)}`;
    r = await get({ cookie: session });
    assert.ok(r.text.includes("CANARY-GLOBEX") && !r.text.includes("CANARY-STAFF"), "session");
    r = await get({ cookie: session, authorization: `Bearer ${staffToken}` });
    assert.ok(r.text.includes("CANARY-STAFF"), "the Bearer token decides");
    r = await get({ cookie: session, authorization: "Bearer a.b.c" });
    assert.equal(r.status, 401, "a presented token that fails is 401, even with a valid session");
    r = await get({ cookie: `${session}; keyhole_token=a.b.c` });
    assert.equal(r.status, 401, "a bad JWT cookie too");
  } finally {
    await both.close();
  }
});
