// The same edge handler inside workerd (via miniflare), the wasm passed as a compiled
// WebAssembly.Module, against the sample origin on loopback: the same persona checks.
//   node --test tests/node/edge-workerd.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { Miniflare } from "miniflare";
import { startOidcProvider } from "../../edge/sample-origin/oidc-provider.mjs";
import { Client, signIn } from "../../edge/testing/oidc-stack.mjs";
import { createShareToken } from "../../edge/src/index.js";
import { startSampleOrigin } from "../../edge/sample-origin/server.mjs";
import {
  POLICY_TEXT, JSM_POLICY_TEXT, HS_SECRET, SHARE_SECRET, ISSUER, AUDIENCE, ALL_CANARIES, PARTNER_PAGE,
  makeKeys, sign, unsignedToken, personaHeaders, personas, checkAllPersonas, assertNoCanary,
} from "../../edge/testing/harness.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WASM = join(repo, "wasm/dist/keyhole.wasm");

// Modules for workerd, named by their path relative to the repo. Bare specifiers ("jose",
// "@keyhole/wasm") are rewritten to those paths, as a bundler would resolve them.
function modules() {
  const jose = join(repo, "node_modules/jose/dist/browser");
  const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".js") ? [join(d, e.name)] : []));
  const list = [];
  const esm = (path, rewrite = (s) => s) => list.push({ type: "ESModule", path, contents: rewrite(readFileSync(path, "utf8")) });
  const bare = (from, spec, target) => `"${relative(dirname(from), target).replace(/^(?!\.)/, "./")}"`;
  const entry = join(repo, "tests/node/__edge_worker__.mjs");
  list.push({
    type: "ESModule", path: entry, contents: `
      import { createEdgeFilter } from "./../../edge/src/index.js";
      import wasmModule from "./../../wasm/dist/keyhole.wasm";
      let edge;
      export default {
        fetch(request, env, ctx) {
          edge ??= createEdgeFilter({
            policy: env.POLICY, upstream: env.UPSTREAM,
            identity: {
              algorithms: ["HS256", "RS256"], hs256Secret: env.HS_SECRET, publicKey: env.RS_PEM, issuer: env.ISSUER, audience: env.AUDIENCE,
              // sign-in (issue 17) against the local provider: oauth4webapi on workerd's fetch and crypto.subtle
              oidc: { issuer: env.OIDC_ISSUER, clientId: "keyhole-workerd", clientSecret: env.OIDC_CLIENT_SECRET, redirectUri: env.OIDC_REDIRECT,
                      scopes: ["openid", "email", "groups"], sessionSecret: env.SESSION_SECRET, prompt: "login" },
            },
            pages: {},
            share: { secret: env.SHARE_SECRET },
            limits: { maxPayloadBytes: 1 << 20 },
            wasm: { wasmModule },
            log: (e) => { if (e.status >= 500) console.log("edge", JSON.stringify(e)); },
            routes: [
              { path: "/api/v2/components.json", format: "statuspage", cache: { audience: true, maxAge: 30 } },
              { path: "/api/v2/**", format: "statuspage" },
              { path: "/wiki/rest/api/content", format: "confluence" },
              { path: "/wiki/rest/api/content/*", format: "confluence" },
              { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm", policy: env.JSM_POLICY },
            ],
          });
          return edge.fetch(request, env, ctx);
        },
      };` });
  // Every module of the handler; the Node-only ones (the HTTP server, the worker pool) are
  // left out, so an import of them from the handler fails here as it would in workerd.
  // edge/src and its folders (auth/, pages/, render/: sign-in and the pages, issue 17).
  const nodeOnly = new Set(["node-server.js", "filter-pool.js", "filter-worker.js"]);
  const oauth = join(repo, "node_modules/oauth4webapi/build/index.js");
  for (const p of walk(join(repo, "edge/src")).filter((n) => !nodeOnly.has(n.split("/").pop()))) {
    esm(p, (s) => s
      .replace(/from "jose"/g, `from ${bare(p, "jose", join(jose, "index.js"))}`)
      .replace(/from "oauth4webapi"/g, `from ${bare(p, "oauth4webapi", oauth)}`)
      .replace(/from "@keyhole\/wasm"/g, `from ${bare(p, "@keyhole/wasm", join(repo, "wasm/index.js"))}`));
  }
  esm(oauth);
  // The package's own modules (index.js and what it imports next to it, e.g. policy-tests.js).
  for (const f of readdirSync(join(repo, "wasm")).filter((n) => n.endsWith(".js") && n !== "pre.js")) esm(join(repo, "wasm", f));
  esm(join(repo, "wasm/dist/keyhole.mjs"));
  for (const f of walk(jose)) esm(f);
  list.push({ type: "CompiledWasm", path: WASM, contents: readFileSync(WASM) });
  return list;
}

let mf, origin, keys, workerUrl, idp;
const OIDC_CLIENT_SECRET = "workerd-client-secret-0123456789";
const skip = !existsSync(WASM) && "wasm/dist/keyhole.wasm is not built (npm run build -w wasm)";

before(async () => {
  if (skip) return;
  keys = await makeKeys();
  origin = await startSampleOrigin();
  // workerd listens on a port chosen here: the provider must know the redirect URI first.
  const port = await new Promise((ok) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
  const redirect = `http://127.0.0.1:${port}/auth/callback`;
  idp = await startOidcProvider({ clients: [{ clientId: "keyhole-workerd", clientSecret: OIDC_CLIENT_SECRET, redirectUris: [redirect] }] });
  mf = new Miniflare({
    host: "127.0.0.1", port,
    modules: modules(),
    modulesRoot: repo,
    compatibilityDate: "2025-07-18",
    bindings: {
      POLICY: POLICY_TEXT, JSM_POLICY: JSM_POLICY_TEXT, UPSTREAM: origin.url, HS_SECRET, SHARE_SECRET, RS_PEM: keys.rsPem, ISSUER, AUDIENCE,
      OIDC_ISSUER: idp.issuer, OIDC_CLIENT_SECRET, OIDC_REDIRECT: redirect, SESSION_SECRET: "workerd-session-secret-0123456789abcdef",
    },
  });
  workerUrl = await mf.ready; // workerd's own HTTP socket on loopback
});
after(async () => { await mf?.dispose(); await origin?.close(); await idp?.close(); });

async function get(path, headers = {}) {
  // Over workerd's HTTP socket, so Content-Length and other headers are what workerd sends
  // (asking for identity: workerd, like Cloudflare, would otherwise gzip JSON on the way out).
  const r = await fetch(new URL(path, workerUrl), { headers: { "accept-encoding": "identity", ...headers } });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

test("workerd: every persona, every route, no canary leaves the worker", { skip }, async () => {
  await checkAllPersonas(get);
});

test("workerd: bad tokens are 401, algorithm confusion and alg none rejected", { skip }, async () => {
  const bad = [
    unsignedToken(personas.staff.claims),
    await sign(personas.staff.claims, { alg: "HS256", key: new TextEncoder().encode(keys.rsPem) }),
    await sign(personas.staff.claims, { exp: -600 }),
    await sign(personas.staff.claims, { issuer: "https://evil.example/" }),
    await sign(personas.staff.claims, { audience: "other" }),
    (await sign(personas.staff.claims)).slice(0, -3) + "AAA",
    await sign(personas.staff.claims, { kid: "../../../dev/null", key: new Uint8Array(32) }),
  ];
  for (const t of bad) {
    const r = await get("/api/v2/summary.json", { authorization: `Bearer ${t}` });
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate"), /^Bearer /);
    assert.equal(r.text, '{"error":"unauthorized"}');
  }
  const rs = await get("/api/v2/summary.json", { authorization: `Bearer ${await sign(personas.staff.claims, { alg: "RS256", key: keys.rs.privateKey })}` });
  assert.equal(rs.status, 200);
  assert.ok(rs.text.includes("CANARY-STAFF"));
});

test("workerd: share link only for its viewer; audience cache via the Cache API", { skip }, async () => {
  const t = await createShareToken(SHARE_SECRET, { resources: [`article:${PARTNER_PAGE}`], emails: ["pat@partner.example"], ttlSeconds: 600 });
  const page = `/wiki/rest/api/content/${PARTNER_PAGE}?share=${t}`;
  assert.equal((await get(page, await personaHeaders("partner"))).status, 200);
  for (const h of [{}, await personaHeaders("globex")]) {
    const r = await get(page, h);
    assert.equal(r.status, 404);
    assertNoCanary(r.text, ALL_CANARIES, "forwarded link");
  }
  const a = await get("/api/v2/components.json", await personaHeaders("staff"));
  const b = await get("/api/v2/components.json");
  const c = await get("/api/v2/components.json");
  assert.ok(a.headers.get("x-keyhole-audience"));
  assert.notEqual(a.headers.get("x-keyhole-audience"), b.headers.get("x-keyhole-audience"));
  assert.equal(b.text, c.text);
  assertNoCanary(c.text, ALL_CANARIES, "anonymous after staff");
});

test("workerd: sign-in through the local OpenID Connect provider, the session, the pages, logout", { skip }, async () => {
  const c = new Client();
  const stack = { edgeUrl: new URL(workerUrl).origin, idp };
  const { res, url } = await signIn(c, stack, "staff", { returnTo: "/help" });
  const html = await res.text();
  assert.equal(res.status, 200);
  assert.equal(url, `${stack.edgeUrl}/help`);
  assert.ok(html.includes('Signed in as <strong class="viewer-name">sue@keyhole.example</strong>'));
  assert.ok(html.includes("CANARY-STAFF"), "staff's articles");
  const summary = await (await c.request(`${stack.edgeUrl}/api/v2/summary.json`, { headers: { "accept-encoding": "identity" } })).text();
  assert.ok(summary.includes("CANARY-STAFF"), "the session is the viewer of the JSON routes too");
  const tampered = new Client();
  tampered.set(stack.edgeUrl, "keyhole_session", c.get(stack.edgeUrl, "keyhole_session").slice(0, -4) + "AAAA");
  const anon = await (await tampered.request(`${stack.edgeUrl}/`)).text();
  assert.ok(anon.includes('id="sign-in"'));
  assertNoCanary(anon, ALL_CANARIES, "tampered session in workerd");
  assert.equal((await c.request(`${stack.edgeUrl}/auth/logout`, { method: "POST" })).status, 303);
  assertNoCanary(await (await c.request(`${stack.edgeUrl}/`)).text(), ALL_CANARIES, "after logout");
});

// Review round 9, R9-1: the audience cache key had the Accept in a path segment of its own,
// unescaped for dots: `Accept: ..` is a dot segment, and workerd's Cache API parses the key
// as a URL, which removed the audience segment; every audience sending `Accept: ..` shared
// one entry and anonymous viewers got staff's copy. WHATWG URL parsing also reads `%2e`,
// `.%2E` and `%2e%2e` as dot segments. Staff asks first, then anonymous with the same Accept.
test("workerd: no Accept value takes the audience out of the cache key (review 9, R9-1)", { skip }, async () => {
  const staff = await personaHeaders("staff");
  const anonAudience = (await get("/api/v2/components.json?r9=plain")).headers.get("x-keyhole-audience");
  const accepts = ["..", ".", "%2e%2e", ".%2E", "%2e", "a/../b", "../..", "..\\", "?x", "#x", "application/json/../.."];
  for (const [i, accept] of accepts.entries()) {
    const path = `/api/v2/components.json?r9=${i}`;
    const s = await get(path, { ...staff, accept });
    assert.equal(s.status, 200, `staff, Accept ${accept}`);
    assert.ok(s.text.includes("CANARY-STAFF"), `staff's copy has the staff-only canary (Accept ${accept})`);
    for (let n = 0; n < 2; n++) { // a miss then a hit: neither may be staff's entry
      const a = await get(path, { accept });
      assert.equal(a.status, 200, `anonymous, Accept ${accept}`);
      assert.equal(a.headers.get("x-keyhole-audience"), anonAudience, `anonymous audience, Accept ${accept}`);
      assertNoCanary(a.text, ALL_CANARIES, `anonymous after staff, Accept ${JSON.stringify(accept)}`);
    }
  }
});
