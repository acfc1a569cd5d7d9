// Sign-in configuration (issue 17): identity.oidc and pages are checked like the rest of the
// edge configuration (a ConfigError with the JSON pointer, a did-you-mean), plus what a shape
// cannot say (http only on loopback, the callback path, "openid", secret length, lifetime).
// A config file names its secrets by file. Cookies are Secure (with __Host- / __Secure-
// names) whenever the redirect URI is https.
//   node --test tests/node/edge-oidc-config.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createEdgeFilter } from "../../edge/src/index.js";
import { loadConfigFile } from "../../edge/src/config-file.js";
import { sessionCookies } from "../../edge/src/auth/session.js";
import { POLICY_TEXT } from "../../edge/testing/harness.mjs";

const OIDC = Object.freeze({
  issuer: "https://id.example.com/", clientId: "status", clientSecret: "client-secret",
  redirectUri: "https://status.example.com/auth/callback", sessionSecret: "s".repeat(32),
});
const config = (oidc, extra = {}) => ({ upstream: "http://127.0.0.1:9", policy: POLICY_TEXT, identity: { oidc }, ...extra });

function refused(cfg, pointer, text) {
  assert.throws(() => createEdgeFilter(cfg), (e) => {
    assert.equal(e.code, "config", e.message);
    assert.equal(e.pointer, pointer, e.message);
    if (text) assert.ok(e.message.includes(text), `${e.message} should include ${text}`);
    return true;
  });
}

test("a complete oidc config and pages are accepted", () => {
  createEdgeFilter(config(OIDC, { pages: { title: "Example", statusSource: "/api/v2/summary.json", helpSource: "/wiki/rest/api/content" } }));
  createEdgeFilter(config({ ...OIDC, issuer: "http://127.0.0.1:9000", redirectUri: "http://localhost:8787/auth/callback", scopes: ["openid", "email"], sessionTtlSeconds: 3600, prompt: "login", clientAuth: "client_secret_post", timeoutMs: 5000 }));
  const { clientSecret, ...publicClient } = OIDC;
  createEdgeFilter(config({ ...publicClient, clientAuth: "none" }));
});

test("unknown and missing members: pointer and did-you-mean", () => {
  refused(config({ ...OIDC, clientSecert: "x" }), "/identity/oidc/clientSecert", 'did you mean "clientSecret"?');
  const { redirectUri, ...noRedirect } = OIDC;
  refused(config(noRedirect), "/identity/oidc/redirectUri", "missing (required)");
  const { sessionSecret, ...noSecret } = OIDC;
  refused(config(noSecret), "/identity/oidc/sessionSecret", "missing (required)");
  const { clientSecret, ...noClientSecret } = OIDC;
  refused(config(noClientSecret), "/identity/oidc/clientSecret", 'unless clientAuth is "none"');
  refused(config({ ...OIDC, clientAuth: "client_secret_jwt" }), "/identity/oidc/clientAuth", "unknown value");
  refused(config(OIDC, { pages: { titel: "x" } }), "/pages/titel", 'did you mean "title"?');
  refused(config(OIDC, { pages: { statusSource: "api/v2/summary.json" } }), "/pages/statusSource", 'starting with "/"');
  refused(config(OIDC, { pages: { helpSource: "//evil.example/x" } }), "/pages/helpSource", 'starting with "/"');
});

test("what the shape cannot say", () => {
  refused(config({ ...OIDC, issuer: "http://id.example.com/" }), "/identity/oidc/issuer", "must be https");
  refused(config({ ...OIDC, issuer: "not a url" }), "/identity/oidc/issuer", "absolute URL");
  refused(config({ ...OIDC, redirectUri: "http://status.example.com/auth/callback" }), "/identity/oidc/redirectUri", "must be https");
  refused(config({ ...OIDC, redirectUri: "https://status.example.com/callback" }), "/identity/oidc/redirectUri", "/auth/callback");
  refused(config({ ...OIDC, scopes: ["email", "profile"] }), "/identity/oidc/scopes", '"openid"');
  refused(config({ ...OIDC, sessionSecret: "short" }), "/identity/oidc/sessionSecret", "at least 32 bytes");
  refused(config({ ...OIDC, sessionSecret: new Uint8Array(16) }), "/identity/oidc/sessionSecret", "at least 32 bytes");
  refused(config({ ...OIDC, sessionTtlSeconds: 90 * 86400 }), "/identity/oidc/sessionTtlSeconds", "30 days");
  refused(config({ ...OIDC, sessionTtlSeconds: 0 }), "/identity/oidc/sessionTtlSeconds", "> 0");
  refused(config({ ...OIDC, sessionCookie: "bad name;" }), "/identity/oidc/sessionCookie", "cookie name");
  refused(config({ ...OIDC, redirectUri: "http://127.0.0.1:8787/auth/callback", sessionCookie: "__Host-s" }), "/identity/oidc/sessionCookie", "__Host-");
});

test("https redirect URI: Secure cookies under __Host- / __Secure- names; loopback http: plain names, no Secure", async () => {
  const secure = sessionCookies(OIDC);
  const set = await secure.session.issue({ sub: "u-1" }, "u-1");
  assert.match(set, /^__Host-keyhole_session=[^;]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax; Secure$/);
  assert.match(secure.session.clear(), /^__Host-keyhole_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Secure; Expires=/);
  assert.match(await secure.transaction.issue({ state: "s" }), /^__Host-keyhole_signin=[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
  const local = sessionCookies({ ...OIDC, redirectUri: "http://127.0.0.1:8787/auth/callback", sessionTtlSeconds: 60 });
  assert.match(await local.session.issue({ sub: "u-1" }, "u-1"), /^keyhole_session=[^;]+; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax$/);
  // The session reads back only from its own cookie name.
  const value = (await secure.session.issue({ sub: "u-2" }, "Two")).split(";")[0].split("=")[1];
  const req = (cookie) => new Request("https://status.example.com/", { headers: { cookie } });
  assert.deepEqual(await secure.session.read(req(`__Host-keyhole_session=${value}`)), { claims: { sub: "u-2" }, display: "Two" });
  assert.equal(await secure.session.read(req(`keyhole_session=${value}`)), null);
});

test("keyhole-edge --config: secrets from files; inline and file together refused", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kh-oidc-"));
  writeFileSync(path.join(dir, "policy.json"), POLICY_TEXT);
  writeFileSync(path.join(dir, "client.secret"), "from-file-client-secret\n");
  writeFileSync(path.join(dir, "session.secret"), `${"k".repeat(40)}\n`);
  const file = path.join(dir, "edge.json");
  const oidc = { issuer: OIDC.issuer, clientId: "status", redirectUri: OIDC.redirectUri, clientSecretFile: "client.secret", sessionSecretFile: "session.secret" };
  writeFileSync(file, JSON.stringify({ upstream: "http://127.0.0.1:9", policyFile: "policy.json", identity: { oidc }, pages: { title: "T" } }));
  const { edge } = loadConfigFile(file);
  assert.equal(edge.identity.oidc.clientSecret, "from-file-client-secret");
  assert.equal(edge.identity.oidc.sessionSecret, "k".repeat(40));
  assert.deepEqual(edge.pages, { title: "T" });
  createEdgeFilter(edge);
  writeFileSync(file, JSON.stringify({ upstream: "http://127.0.0.1:9", policyFile: "policy.json", identity: { oidc: { ...oidc, clientSecret: "x" } } }));
  assert.throws(() => loadConfigFile(file), /\/identity\/oidc\/clientSecretFile: give at most one of "clientSecret", "clientSecretFile"/);
  const { sessionSecretFile, ...noSession } = oidc;
  writeFileSync(file, JSON.stringify({ upstream: "http://127.0.0.1:9", policyFile: "policy.json", identity: { oidc: noSession } }));
  assert.throws(() => loadConfigFile(file), /identity\/oidc: give exactly one of "sessionSecret", "sessionSecretFile"/);
});
