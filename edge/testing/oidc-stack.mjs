// For the sign-in tests (tests/node/edge-oidc-*.test.mjs, edge-pages-*.test.mjs): the sample
// origin, the local OpenID Connect provider (oidc-provider, sample-origin/oidc-provider.mjs)
// and keyhole-edge with sign-in and pages, all on loopback; plus a small cookie-keeping HTTP
// client that follows redirects one at a time, so a test can stop at (and tamper with) any step.
import { createEdgeFilter } from "../src/index.js";
import { serveNode } from "../src/node-server.js";
import { startSampleOrigin } from "../sample-origin/server.mjs";
import { startOidcProvider, DEMO_CLAIMS_MAPPING, DEMO_SCOPES, SAMPLE_LOGINS } from "../sample-origin/oidc-provider.mjs";
import { POLICY_TEXT, JSM_POLICY_TEXT, SHARE_SECRET } from "./harness.mjs";
import { DEFAULT_ROUTES } from "../src/routes.js";

export { SAMPLE_LOGINS };
export const CLIENT_ID = "keyhole-test";
export const CLIENT_SECRET = "test-client-secret-0123456789abcdef";
export const SESSION_SECRET = "test-session-secret-0123456789-abcdefghij";

export const loginOf = (persona) => SAMPLE_LOGINS.find((l) => l.persona === persona);

/** The edge config for a stack: sign-in against `issuer`, pages on, the demo routes and policy. */
export function edgeConfig({ issuer, originUrl, redirectUri, oidc = {}, identity = {}, ...rest }) {
  return {
    policy: POLICY_TEXT, upstream: originUrl,
    identity: {
      claims: DEMO_CLAIMS_MAPPING,
      oidc: { issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri, scopes: DEMO_SCOPES, sessionSecret: SESSION_SECRET, prompt: "login", ...oidc },
      ...identity,
    },
    share: { secret: SHARE_SECRET },
    pages: { title: "Test status" },
    routes: DEFAULT_ROUTES.map((r) => ({ ...r, policy: r.format === "jsm" ? JSM_POLICY_TEXT : undefined })),
    ...rest,
  };
}

/**
 * startStack({ oidc, identity, config, provider: false, issuer }) -> { edgeUrl, idp, origin, logs, close() }
 * (oidc, identity: members added to identity.oidc / identity; provider false: no local provider, `issuer` instead)
 * The edge listens first (its URL is the redirect URI the provider registers).
 */
export async function startStack({ oidc = {}, identity = {}, config = {}, provider = true, issuer } = {}) {
  const holder = { fetch: () => new Response("starting", { status: 503 }) };
  const edge = await serveNode({ fetch: (...a) => holder.fetch(...a) }, { port: 0 });
  const redirectUri = `${edge.url}/auth/callback`;
  const origin = await startSampleOrigin();
  const idp = provider ? await startOidcProvider({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [redirectUri] }] }) : null;
  const logs = [];
  const handler = createEdgeFilter(edgeConfig({ issuer: issuer ?? idp.issuer, originUrl: origin.url, redirectUri, oidc, identity, log: (e) => logs.push(e), ...config }));
  await handler.ready();
  holder.fetch = (...a) => handler.fetch(...a);
  return {
    edgeUrl: edge.url, idp, origin, logs, handler,
    async close() { await edge.close(); await idp?.close(); await origin.close(); },
  };
}

/** A cookie jar and redirect-by-redirect client (cookies per host:port, Path and Max-Age honoured). */
export class Client {
  constructor() { this.jar = new Map(); } // "host:port" -> Map(name -> { value, path })

  cookieHeader(url) {
    const u = new URL(url);
    const c = this.jar.get(u.host);
    if (!c) return null;
    const pairs = [...c].filter(([, v]) => u.pathname.startsWith(v.path)).map(([k, v]) => `${k}=${v.value}`);
    return pairs.length ? pairs.join("; ") : null;
  }

  store(url, res) {
    const host = new URL(url).host;
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq), value = pair.slice(eq + 1);
      const path = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? "/";
      const maxAge = attrs.find((a) => /^max-age=/i.test(a));
      if (!this.jar.has(host)) this.jar.set(host, new Map());
      if (maxAge && Number(maxAge.slice(8)) <= 0) this.jar.get(host).delete(name);
      else this.jar.get(host).set(name, { value, path });
    }
  }

  get(host, name) { return this.jar.get(new URL(host).host)?.get(name)?.value; }
  set(host, name, value, path = "/") {
    const h = new URL(host).host;
    if (!this.jar.has(h)) this.jar.set(h, new Map());
    this.jar.get(h).set(name, { value, path });
  }

  /** One request (no redirect followed). */
  async request(url, { method = "GET", form, headers = {} } = {}) {
    const h = new Headers(headers);
    const cookie = this.cookieHeader(url);
    if (cookie) h.set("cookie", cookie);
    let body;
    if (form) { body = new URLSearchParams(form).toString(); h.set("content-type", "application/x-www-form-urlencoded"); }
    const res = await fetch(url, { method, headers: h, body, redirect: "manual" });
    this.store(url, res);
    return res;
  }

  /** Follows redirects until a non-redirect or until `stop(url)` is true; -> { res, url }. */
  async follow(url, { stop = () => false, ...opts } = {}) {
    let res = await this.request(url, opts);
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400; i++) {
      await res.arrayBuffer();
      url = new URL(res.headers.get("location"), url).href;
      if (stop(url)) return { res: null, url };
      res = await this.request(url);
    }
    return { res, url };
  }
}

/**
 * Signs in through the real provider up to the callback: -> the callback URL (with code and
 * state), not yet visited. `returnTo` is the page to come back to.
 */
export async function untilCallback(client, stack, persona, { returnTo = "/", password, username } = {}) {
  const login = persona ? loginOf(persona) : { username, password };
  const isCallback = (u) => u.startsWith(`${stack.edgeUrl}/auth/callback`);
  const start = await client.follow(`${stack.edgeUrl}/auth/login?return=${encodeURIComponent(returnTo)}`, { stop: isCallback });
  if (!start.res) throw new Error("provider skipped the login form");
  const form = start.url; // the provider's /interaction/<uid>
  await start.res.text();
  const done = await client.follow(`${form}/login`, { method: "POST", form: { username: username ?? login.username, password: password ?? login.password }, stop: isCallback });
  if (done.res) throw new Error(`login did not reach the callback (${done.res.status} at ${done.url})`);
  return done.url;
}

/** Whole sign-in: -> the page the edge finally answers (after the callback's redirect). */
export async function signIn(client, stack, persona, opts) {
  const callback = await untilCallback(client, stack, persona, opts);
  return client.follow(callback);
}
