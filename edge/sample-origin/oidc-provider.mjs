// A real OpenID Connect provider on loopback for the demo and the tests: `oidc-provider`
// (npm, the certified Node implementation; a devDependency of @keyhole/edge), with the demo
// personas as its users and a small username/password login page of its own (no consent
// screen: the demo client is first party). Not a mock: discovery, authorization code + PKCE,
// signed ID tokens, JWKS, single-use codes are all oidc-provider's.
//
//   const idp = await startOidcProvider({ clients: [{ clientId, clientSecret, redirectUris }] });
//   idp.issuer, idp.close()
import { createServer } from "node:http";
import { generateKeyPair, exportJWK } from "jose";
import { personas } from "./personas.mjs";

// Custom claims as providers name them (Auth0 wants a URL namespace); the edge maps them to
// SPEC §1 with identity.claims (DEMO_CLAIMS_MAPPING).
const NS = "https://keyhole.example/";
export const DEMO_CLAIMS_MAPPING = Object.freeze({ orgs: `${NS}orgs`, attrs: `${NS}attrs` });
export const DEMO_SCOPES = ["openid", "email", "profile", "groups", "keyhole"];

/** The sample logins: every persona but the anonymous one (who does not sign in). */
export const SAMPLE_LOGINS = Object.freeze(Object.entries(personas).filter(([, p]) => p.claims.sub).map(([name, p]) => ({
  persona: name, label: p.label, username: p.claims.email, password: `${name}-demo`,
})));

/** A persona's SPEC §1 claims in the provider's shape (what its ID token carries). */
export function providerClaims(claims) {
  const out = { sub: claims.sub, email: claims.email, email_verified: claims.email_verified, name: claims.email };
  if (claims.groups) out.groups = claims.groups;
  if (claims.orgs) out[`${NS}orgs`] = claims.orgs;
  if (claims.attrs) out[`${NS}attrs`] = claims.attrs;
  return out;
}

const ACCOUNTS = new Map(SAMPLE_LOGINS.map((l) => [personas[l.persona].claims.sub, l]));
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function loginPage(uid, error) {
  const rows = SAMPLE_LOGINS.map((l) => `<tr><td>${escapeHtml(l.username)}</td><td><code>${escapeHtml(l.password)}</code></td><td>${escapeHtml(l.label)}</td></tr>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Keyhole demo provider</title>
<style>body{font:15px system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.5rem 0}input{font:inherit;padding:.3rem;width:20rem}
.error{color:#c53030}table{border-collapse:collapse;margin-top:1rem;font-size:.9rem}td{border-top:1px solid #ddd;padding:.3rem .6rem}</style></head>
<body><h1>Keyhole demo provider</h1>${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Username <input name="username" id="username" autocomplete="username" autofocus></label>
<label>Password <input name="password" id="password" type="password" autocomplete="current-password"></label>
<button type="submit" id="submit">Sign in</button></form>
<p>Sample logins (demo data only):</p><table>${rows}</table></body></html>`;
}

async function formBody(req) {
  let text = "";
  for await (const chunk of req) { text += chunk; if (text.length > 10_000) break; }
  return new URLSearchParams(text);
}

/** The provider's configuration: our users, scopes and claims, no consent prompt for our clients. */
async function providerConfig(clients) {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const rand = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  return {
    clients: clients.map((c) => ({
      client_id: c.clientId, client_secret: c.clientSecret, redirect_uris: c.redirectUris,
      response_types: ["code"], grant_types: ["authorization_code"], token_endpoint_auth_method: "client_secret_basic",
    })),
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: "RS256", use: "sig", kid: `demo-${rand().slice(0, 8)}` }] },
    cookies: { keys: [rand()] },
    scopes: DEMO_SCOPES,
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"], keyhole: Object.values(DEMO_CLAIMS_MAPPING) },
    conformIdTokenClaims: false, // the ID token carries the scopes' claims (the edge reads only the ID token)
    findAccount: async (ctx, id) => {
      const login = ACCOUNTS.get(id);
      return login ? { accountId: id, claims: async () => providerClaims(personas[login.persona].claims) } : undefined;
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: { AuthorizationCode: 60, IdToken: 3600, AccessToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    async loadExistingGrant(ctx) {
      // First-party client: every requested scope is granted, no consent screen.
      const { Grant } = ctx.oidc.provider;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) { const g = await Grant.find(grantId); if (g) return g; }
      const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope(ctx.oidc.params.scope ?? "openid");
      await grant.save();
      return grant;
    },
  };
}

/** GET /interaction/:uid (the form), POST /interaction/:uid/login (checks the password). */
async function interaction(provider, req, res, path) {
  const [, , uid, action] = path.split("/");
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error("interaction mismatch");
  const html = (status, text) => { res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }); res.end(text); };
  if (req.method === "GET" && !action) return html(200, loginPage(uid));
  if (req.method !== "POST" || action !== "login") return html(405, "method not allowed");
  const form = await formBody(req);
  const login = SAMPLE_LOGINS.find((l) => l.username === form.get("username")?.trim().toLowerCase() && l.password === form.get("password"));
  if (!login) return html(401, loginPage(uid, "Unknown username or wrong password."));
  await provider.interactionFinished(req, res, { login: { accountId: personas[login.persona].claims.sub } }, { mergeWithLastSubmission: false });
}

/** Starts the provider on loopback. clients: [{ clientId, clientSecret, redirectUris }]. */
export async function startOidcProvider({ port = 0, host = "127.0.0.1", clients }) {
  const { default: Provider } = await importQuietly();
  const server = createServer();
  await new Promise((ok, fail) => { server.once("error", fail); server.listen(port, host, ok); });
  const issuer = `http://${host}:${server.address().port}`;
  const config = await providerConfig(clients);
  const provider = await quietly(() => new Provider(issuer, config));
  const callback = provider.callback();
  server.on("request", (req, res) => {
    const path = new URL(req.url, issuer).pathname;
    if (!path.startsWith("/interaction/")) return callback(req, res);
    interaction(provider, req, res, path).catch(() => {
      if (!res.headersSent) { res.writeHead(400, { "content-type": "text/plain" }); res.end("sign-in interaction expired: start again from the site"); }
    });
  });
  return {
    issuer, provider, port: server.address().port,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

// oidc-provider 9 warns on any Node release before 22 LTS (it runs on Node 20: the edge's
// tests use it there) and about its in-memory store (what a demo wants): neither is printed.
const EXPECTED_WARNINGS = ["Unsupported runtime", "in-memory adapter"];
async function quietly(fn) {
  const warn = console.warn;
  console.warn = (...a) => { if (!EXPECTED_WARNINGS.some((w) => String(a[0]).includes(w))) warn(...a); };
  try { return await fn(); } finally { console.warn = warn; }
}
const importQuietly = () => quietly(() => import("oidc-provider"));

/** Whether the oidc-provider package (a devDependency) is installed. */
export async function oidcProviderAvailable() {
  try { await importQuietly(); return true; } catch { return false; }
}
