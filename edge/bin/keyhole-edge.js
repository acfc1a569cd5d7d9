#!/usr/bin/env node
// keyhole-edge: the Keyhole reverse proxy (Node), plus `share`, `token` and `demo` helpers.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { createEdgeFilter, createShareToken, DEFAULT_ROUTES } from "../src/index.js";
import { serveNode, logLine } from "../src/node-server.js";
import { loadConfigFile } from "../src/config-file.js";
import { createFilterPool, POOL_DEFAULTS } from "../src/filter-pool.js";
import { assertValid } from "../src/config-check.js";
import { WORKERS } from "../src/config-schema.js";

const USAGE = `usage:
  keyhole-edge --upstream URL --policy FILE [--port 8787] [--host 127.0.0.1]
               [--hs256-secret-file FILE --issuer ISS --audience AUD]
               [--share-secret-file FILE] [--cookie NAME] [--max-payload BYTES]
               [--cache-by-audience SECONDS] [--workers N] [--workers-min-bytes BYTES]
  keyhole-edge --config FILE [--workers N]   (JSON; see edge/README.md)
  keyhole-edge share --secret-file FILE --resource article:ID [--resource ...]
               (--email ADDR | --domain D)... [--ttl SECONDS] [--id ID]
  keyhole-edge token --hs256-secret-file FILE --claims JSON [--issuer ISS] [--audience AUD] [--ttl SECONDS]
  keyhole-edge demo [--port 8787] [--origin-port 0] [--idp-port 0]
`;

function die(msg, code = 2) {
  process.stderr.write(`keyhole-edge: ${msg}\n`);
  process.exit(code);
}
const readText = (f) => { try { return readFileSync(f, "utf8"); } catch (e) { die(`cannot read ${f}: ${e.code ?? e.message}`); } };
const readSecret = (f) => readText(f).replace(/\r?\n$/, "");

/** The createEdgeFilter config, listener and pool from the command-line flags. */
function configFromFlags(v) {
  if (!v.upstream || !v.policy) die(`--upstream and --policy are required\n${USAGE}`);
  const edge = { upstream: v.upstream, policy: readText(v.policy), identity: {} };
  if (v["hs256-secret-file"]) {
    // SPEC §9: a token's issuer and audience are checked (review F5), so both are required.
    for (const flag of ["issuer", "audience"]) if (!v[flag]) die(`--${flag} is required with --hs256-secret-file\n${USAGE}`);
    edge.identity = { algorithms: ["HS256"], hs256Secret: readSecret(v["hs256-secret-file"]) };
  }
  if (v.issuer) edge.identity.issuer = v.issuer;
  if (v.audience) edge.identity.audience = v.audience;
  if (v.cookie) edge.identity.cookie = v.cookie;
  if (v["share-secret-file"]) edge.share = { secret: readSecret(v["share-secret-file"]) };
  if (v["max-payload"]) edge.limits = { maxPayloadBytes: Number(v["max-payload"]) };
  if (v["cache-by-audience"]) {
    const maxAge = Number(v["cache-by-audience"]);
    edge.routes = DEFAULT_ROUTES.map((r) => ({ ...r, cache: { audience: true, maxAge } }));
  }
  return { edge, listen: {}, workers: {} };
}

async function serve(argv) {
  const { values: v } = parseArgs({
    args: argv, strict: true,
    options: {
      config: { type: "string" }, upstream: { type: "string" }, policy: { type: "string" },
      port: { type: "string" }, host: { type: "string" }, "hs256-secret-file": { type: "string" },
      issuer: { type: "string" }, audience: { type: "string" }, "share-secret-file": { type: "string" },
      cookie: { type: "string" }, "max-payload": { type: "string" }, "cache-by-audience": { type: "string" },
      workers: { type: "string" }, "workers-min-bytes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) { process.stdout.write(USAGE); return; }
  let cfg;
  if (v.config) {
    try { cfg = loadConfigFile(v.config); } catch (e) { die(e.message); }
  } else cfg = configFromFlags(v);
  const workers = { ...(cfg.workers ?? {}) };
  if (v.workers !== undefined) workers.threads = Number(v.workers);
  if (v["workers-min-bytes"] !== undefined) workers.minBytes = Number(v["workers-min-bytes"]);
  const port = Number(v.port ?? cfg.listen.port ?? 8787);
  const host = v.host ?? cfg.listen.host ?? "127.0.0.1";
  const server = await start(cfg.edge, { port, host, workers });
  process.stderr.write(`keyhole-edge: listening on ${server.url}, upstream ${cfg.edge.upstream}\n`);
}

/** The worker pool for large bodies (off with threads 0); the same checks as a config file. */
function pool(workers, maxPayloadBytes) {
  try { assertValid(workers, WORKERS); } catch (e) { die(`workers${e.message}`); }
  const o = { ...POOL_DEFAULTS, ...workers };
  return o.threads > 0 ? createFilterPool({ ...o, maxPayloadBytes }) : undefined;
}

async function start(cfg, { port, host, workers = {} }) {
  let edge;
  try {
    const filterPool = pool(workers, cfg.limits?.maxPayloadBytes);
    edge = createEdgeFilter({ ...cfg, filterPool, log: (e) => process.stdout.write(logLine(e) + "\n") });
    await edge.ready();
  } catch (e) {
    die(`${e.code === "policy" ? `policy error at ${e.pointer || "/"}: ` : e.code === "config" ? "config " : ""}${e.message}`);
  }
  return serveNode(edge, { port, host });
}

function parseTtl(s, dflt) {
  if (s === undefined) return dflt;
  const m = /^(\d+)([smhd]?)$/.exec(s);
  if (!m) die(`bad --ttl ${s}`);
  return Number(m[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]];
}

async function share(argv) {
  const { values: v } = parseArgs({
    args: argv, strict: true,
    options: {
      "secret-file": { type: "string" }, resource: { type: "string", multiple: true },
      email: { type: "string", multiple: true }, domain: { type: "string", multiple: true },
      ttl: { type: "string" }, id: { type: "string" },
    },
  });
  if (!v["secret-file"] || !v.resource?.length || !(v.email?.length || v.domain?.length)) die(`share: missing options\n${USAGE}`);
  try {
    const token = await createShareToken(readSecret(v["secret-file"]), {
      id: v.id, resources: v.resource, emails: v.email, domains: v.domain, ttlSeconds: parseTtl(v.ttl, 7 * 86400),
    });
    process.stdout.write(token + "\n");
  } catch (e) { die(e.message); }
}

export async function signToken(secret, claims, { issuer, audience, ttlSeconds = 3600 } = {}) {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime(`${ttlSeconds}s`);
  if (issuer) jwt = jwt.setIssuer(issuer);
  if (audience) jwt = jwt.setAudience(audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

async function token(argv) {
  const { values: v } = parseArgs({
    args: argv, strict: true,
    options: { "hs256-secret-file": { type: "string" }, claims: { type: "string" }, issuer: { type: "string" }, audience: { type: "string" }, ttl: { type: "string" } },
  });
  if (!v["hs256-secret-file"] || !v.claims) die(`token: missing options\n${USAGE}`);
  let claims;
  try { claims = JSON.parse(v.claims); } catch (e) { die(`--claims: ${e.message}`); }
  process.stdout.write(await signToken(readSecret(v["hs256-secret-file"]), claims, { issuer: v.issuer, audience: v.audience, ttlSeconds: parseTtl(v.ttl, 3600) }) + "\n");
}

/** The local OpenID Connect provider with the sample users, or null when oidc-provider (a
 *  devDependency) is not installed: the demo then runs without sign-in. */
async function demoProvider(host, port, redirectUri, clientSecret) {
  let mod;
  try { mod = await import("../sample-origin/oidc-provider.mjs"); } catch { return null; }
  if (!(await mod.oidcProviderAvailable())) return null;
  const idp = await mod.startOidcProvider({ host, port, clients: [{ clientId: "keyhole-demo", clientSecret, redirectUris: [redirectUri] }] });
  return { idp, ...mod };
}

async function demo(argv) {
  const { values: v } = parseArgs({ args: argv, strict: true, options: { port: { type: "string" }, "origin-port": { type: "string" }, "idp-port": { type: "string" }, host: { type: "string" } } });
  const { startSampleOrigin, POLICY_FILE, JSM_POLICY_FILE } = await import("../sample-origin/server.mjs");
  const { personas } = await import("../sample-origin/personas.mjs");
  const host = v.host ?? "127.0.0.1";
  const port = Number(v.port ?? 8787);
  if (!port) die("demo: --port must be a fixed port (the sign-in redirect URI names it)");
  const edgeUrl = `http://${host}:${port}`;
  const origin = await startSampleOrigin({ port: Number(v["origin-port"] ?? 0), host });
  const rnd = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  const jwtSecret = rnd();
  const shareSecret = rnd();
  const clientSecret = rnd();
  const redirectUri = `${edgeUrl}/auth/callback`;
  const oidc = await demoProvider(host, Number(v["idp-port"] ?? 0), redirectUri, clientSecret);
  const issuer = "keyhole-demo", audience = "keyhole-edge";
  const identity = { algorithms: ["HS256"], hs256Secret: jwtSecret, issuer, audience };
  if (oidc) {
    identity.claims = oidc.DEMO_CLAIMS_MAPPING; // the provider's claim names -> SPEC §1 (the curl tokens below use them too)
    // prompt=login: signing out here and in again asks for a password, so one browser can try several users
    identity.oidc = { issuer: oidc.idp.issuer, clientId: "keyhole-demo", clientSecret, redirectUri, scopes: oidc.DEMO_SCOPES, sessionSecret: rnd(), prompt: "login" };
  }
  const proxy = await start({
    upstream: origin.url, policy: readText(POLICY_FILE), identity, share: { secret: shareSecret },
    pages: { title: "Keyhole demo" },
    routes: DEFAULT_ROUTES.map((r) => ({
      ...r,
      cache: r.path.startsWith("/api/v2") ? { audience: true, maxAge: 30 } : undefined,
      // JSM lists carry no labels: the demo serves them with the policy minus its label rules
      policy: r.format === "jsm" ? readText(JSM_POLICY_FILE) : undefined,
    })),
  }, { port, host });
  const tokenClaims = (claims) => (oidc ? oidc.providerClaims(claims) : claims);
  const out = demoHeader(proxy, origin, oidc);
  out.push(...(await demoCurlLines(proxy, personas, { jwtSecret, shareSecret, issuer, audience, tokenClaims })));
  process.stdout.write(out.join("\n") + "\n");
}

/** What the demo serves and the sample logins. */
function demoHeader(proxy, origin, oidc) {
  const out = [];
  out.push(`Keyhole demo`);
  out.push(`  status page and help center (sign in here): ${proxy.url}/   and ${proxy.url}/help`);
  out.push(`  sample origin (unfiltered): ${origin.url}`);
  out.push(`  demo page (filters in your browser): ${origin.url}/demo/`);
  if (oidc) {
    out.push(`  sign-in provider (oidc-provider, local): ${oidc.idp.issuer}`);
    out.push(``);
    out.push(`Sample logins (open ${proxy.url}/ with exactly this host, then "Sign in"):`);
    for (const l of oidc.SAMPLE_LOGINS) out.push(`  ${l.username.padEnd(22)} password ${l.password.padEnd(16)} ${l.label}`);
    out.push(`  (anonymous: do not sign in)`);
  } else {
    out.push(`  sign-in: off (npm package oidc-provider, a devDependency, is not installed)`);
  }
  return out;
}

/** Ready-to-paste curl lines per persona (JWTs signed here), the partner's share link. */
async function demoCurlLines(proxy, personas, { jwtSecret, shareSecret, issuer, audience, tokenClaims }) {
  const out = [];
  out.push(``);
  out.push(`Ready-to-paste requests through the proxy (tokens valid 12 hours):`);
  for (const [name, p] of Object.entries(personas)) {
    out.push(``);
    out.push(`# ${name}: ${p.label}`);
    let auth = "";
    if (p.claims.sub) auth = ` -H 'Authorization: Bearer ${await signToken(jwtSecret, tokenClaims(p.claims), { issuer, audience, ttlSeconds: 12 * 3600 })}'`;
    out.push(`curl -s${auth} ${proxy.url}/api/v2/status.json`);
    out.push(`curl -s${auth} ${proxy.url}/api/v2/summary.json`);
    out.push(`curl -s${auth} ${proxy.url}/wiki/rest/api/content`);
    if (p.share) {
      const t = await createShareToken(shareSecret, { resources: p.share.resources, emails: p.share.emails, ttlSeconds: 12 * 3600 });
      out.push(`curl -s${auth} '${proxy.url}/wiki/rest/api/content/95001?share=${t}'`);
      out.push(`# the same link without the partner's token (forwarded to someone else): 404`);
      out.push(`curl -s -i '${proxy.url}/wiki/rest/api/content/95001?share=${t}'`);
      out.push(`# in a browser: the help center with the partner's share link (shows page 95001 once signed in as ${p.claims.email})`);
      out.push(`${proxy.url}/help?share=${t}`);
    }
  }
  out.push(``);
  out.push(`# a tampered token: 401`);
  out.push(`curl -s -i -H 'Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1LXN0YWZmLXN1ZSJ9.' ${proxy.url}/api/v2/summary.json`);
  out.push(``);
  out.push(`Request log follows (Ctrl-C to stop).`);
  return out;
}

const [cmd, ...rest] = process.argv.slice(2);
const main = { share, token, demo }[cmd];
try {
  await (main ? main(rest) : serve(process.argv.slice(2)));
} catch (e) {
  die(e.message);
}
