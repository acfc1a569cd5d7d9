// The keyhole-edge reverse proxy against real local origins on loopback: every persona on
// every route, every token and share-link failure, every upstream failure, with canary
// assertions that nothing restricted leaves the proxy.
//   node --test tests/node/edge-proxy.test.mjs
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { gzipSync, brotliCompressSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { createEdgeFilter, createShareToken } from "../../edge/src/index.js";
import { serveNode } from "../../edge/src/node-server.js";
import { startSampleOrigin, DATA_DIR } from "../../edge/sample-origin/server.mjs";
import {
  POLICY_TEXT, JSM_POLICY_TEXT, HS_SECRET, SHARE_SECRET, ISSUER, AUDIENCE, ALL_CANARIES, PARTNER_PAGE,
  makeKeys, sign, unsignedToken, personaHeaders, personas, checkAllPersonas, assertNoCanary, forbiddenFor,
} from "../../edge/testing/harness.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SUMMARY = readFileSync(join(DATA_DIR, "summary.json"));
const MAX_PAYLOAD = 256 * 1024;

let origin, bad, proxy, proxyUrl, keys, logs = [];
let jwksServer, jwksHits = 0;

/** An origin that misbehaves on purpose. */
async function startBadOrigin() {
  const server = createServer((req, res) => {
    const p = new URL(req.url, "http://x").pathname;
    const json = { "content-type": "application/json" };
    switch (p) {
      case "/api/v2/summary.json": // upstream 500 whose body carries restricted text
        res.writeHead(500, json); return res.end(SUMMARY);
      case "/api/v2/components.json": // malformed JSON that carries restricted text
        res.writeHead(200, json); return res.end(SUMMARY.subarray(0, SUMMARY.length - 40));
      case "/api/v2/incidents.json": // gzip, not decoded by anyone but the proxy's fetch
        res.writeHead(200, { ...json, "content-encoding": "gzip" }); return res.end(gzipSync(SUMMARY));
      case "/api/v2/incidents/unresolved.json": // brotli
        res.writeHead(200, { ...json, "content-encoding": "br" }); return res.end(brotliCompressSync(SUMMARY));
      case "/api/v2/scheduled-maintenances.json": { // oversize with a Content-Length
        const big = Buffer.alloc(MAX_PAYLOAD + 10, 0x20); res.writeHead(200, { ...json, "content-length": big.length }); return res.end(big);
      }
      case "/api/v2/scheduled-maintenances/active.json": { // endless chunked stream: must not hang
        res.writeHead(200, json);
        res.write('{"page":{"id":"x","name":"CANARY-STAFF');
        const t = setInterval(() => { if (!res.write(Buffer.alloc(16384, 0x61))) {} }, 1);
        res.on("close", () => clearInterval(t));
        return;
      }
      case "/api/v2/scheduled-maintenances/upcoming.json": // redirect elsewhere
        res.writeHead(302, { location: "http://169.254.169.254/" }); return res.end();
      case "/api/v2/not-json.json":
        res.writeHead(200, { "content-type": "text/html" }); return res.end("<html>CANARY-STAFF</html>");
      case "/api/v2/duplicate.json":
        res.writeHead(200, json); return res.end('{"page":{"id":"a"},"components":[{"id":"c1","name":"CANARY-STAFF","id":"c2","status":"operational"}]}');
      default:
        res.writeHead(404, json); return res.end('{"message":"CANARY-STAFF not here"}');
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

function edgeConfig(upstream, extra = {}) {
  return {
    policy: POLICY_TEXT,
    upstream,
    identity: {
      algorithms: ["HS256", "RS256"], hs256Secret: HS_SECRET, publicKey: keys.rsPem,
      issuer: ISSUER, audience: AUDIENCE, clockToleranceSeconds: 5,
    },
    share: { secret: SHARE_SECRET },
    limits: { maxPayloadBytes: MAX_PAYLOAD, upstreamTimeoutMs: 5000 },
    log: (e) => logs.push(e),
    ...extra,
  };
}

async function get(base, path, headers = {}, method = "GET") {
  const r = await fetch(base + path, { headers, method });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text };
}

before(async () => {
  keys = await makeKeys();
  origin = await startSampleOrigin();
  bad = await startBadOrigin();
  const edge = createEdgeFilter(edgeConfig(origin.url, {
    routes: [
      { path: "/api/v2/components.json", format: "statuspage", cache: { audience: true, maxAge: 30 } },
      { path: "/api/v2/**", format: "statuspage" },
      { path: "/wiki/rest/api/content", format: "confluence" },
      { path: "/wiki/rest/api/content/*", format: "confluence" },
      { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm", policy: JSM_POLICY_TEXT },
      { path: "/demo/**", format: "pass-through" },
    ],
  }));
  await edge.ready();
  proxy = await serveNode(edge, { port: 0 });
  proxyUrl = proxy.url;
  jwksServer = createServer((req, res) => {
    jwksHits++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(keys.jwks));
  });
  await new Promise((ok) => jwksServer.listen(0, "127.0.0.1", ok));
});

after(async () => {
  await proxy?.close();
  await origin?.close();
  await bad?.close();
  jwksServer?.closeAllConnections();
  await new Promise((ok) => jwksServer?.close(ok));
});

test("every persona, every route: right statuses, no canary leaves the proxy", async () => {
  await checkAllPersonas((p, h) => get(proxyUrl, p, h));
});

test("responses: ETag/304, HEAD, cache headers, audience key", async () => {
  const h = await personaHeaders("globex");
  const a = await get(proxyUrl, "/api/v2/summary.json", h);
  assert.equal(a.status, 200);
  assert.equal(a.headers.get("cache-control"), "private, no-cache");
  assert.equal(a.headers.get("x-keyhole-audience"), null);
  const etag = a.headers.get("etag");
  const b = await get(proxyUrl, "/api/v2/summary.json", { ...h, "if-none-match": etag });
  assert.equal(b.status, 304);
  assert.equal(b.text, "");
  const anonEtag = (await get(proxyUrl, "/api/v2/summary.json")).headers.get("etag");
  assert.notEqual(anonEtag, etag, "different audiences, different bytes");
  const head = await get(proxyUrl, "/api/v2/summary.json", h, "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), a.headers.get("content-length"));
  // audience-cached route
  const c1 = await get(proxyUrl, "/api/v2/components.json", h);
  const c2 = await get(proxyUrl, "/api/v2/components.json", h);
  const s1 = await get(proxyUrl, "/api/v2/components.json", await personaHeaders("staff"));
  const n1 = await get(proxyUrl, "/api/v2/components.json");
  // A signed-in viewer's copy is private downstream; only anonymous requests get public (F7).
  assert.match(c1.headers.get("cache-control"), /^private, max-age=30$/);
  assert.match(n1.headers.get("cache-control"), /^public, max-age=30$/);
  assert.ok(c1.headers.get("x-keyhole-audience"));
  assert.equal(c1.headers.get("x-keyhole-audience"), c2.headers.get("x-keyhole-audience"));
  const otherGlobex = { authorization: `Bearer ${await sign({ ...personas.globex.claims, sub: "u-globex-other", email: "zed@globex.example" })}` };
  const c3 = await get(proxyUrl, "/api/v2/components.json", otherGlobex);
  assert.equal(c3.headers.get("x-keyhole-audience"), c1.headers.get("x-keyhole-audience"), "same atoms, same audience key, one cached copy");
  assert.equal(c3.text, c1.text);
  assert.equal(c1.text, c2.text);
  assert.notEqual(c1.headers.get("x-keyhole-audience"), s1.headers.get("x-keyhole-audience"));
  assert.notEqual(n1.headers.get("x-keyhole-audience"), s1.headers.get("x-keyhole-audience"));
  assert.ok(s1.text.includes("CANARY-STAFF"));
  assertNoCanary(n1.text, ALL_CANARIES, "anonymous after staff on the cached route");
  assertNoCanary(c2.text, forbiddenFor("globex"), "globex from cache");
  assert.ok(logs.some((e) => e.path === "/api/v2/components.json" && e.cache === "hit"));
  // gzip/br from the sample origin (it compresses when asked)
  assert.ok(logs.some((e) => e.path === "/api/v2/summary.json" && e.bytesIn < e.bytesOut), "upstream body was compressed");
  // unrouted paths and other methods
  assert.equal((await get(proxyUrl, "/etc/passwd")).status, 404);
  assert.equal((await get(proxyUrl, "/api/v2/summary.json", {}, "POST")).status, 405);
  // pass-through route
  const raw = await get(proxyUrl, "/demo/policy.json");
  assert.equal(raw.status, 200);
  assert.equal(raw.text, POLICY_TEXT);
});

describe("tokens: every bad token is 401 with WWW-Authenticate, never the payload", () => {
  const cases = {
    "bad signature": async () => (await sign(personas.staff.claims)).replace(/.{4}$/, "AAAA"),
    "signed with another secret": () => sign(personas.staff.claims, { key: new TextEncoder().encode("another-secret-0123456789-0123456789-xx") }),
    expired: () => sign(personas.staff.claims, { exp: -120 }),
    "no exp": () => sign(personas.staff.claims, { exp: null }),
    "not yet valid (nbf)": () => sign(personas.staff.claims, { nbf: 600 }),
    "wrong issuer": () => sign(personas.staff.claims, { issuer: "https://evil.example/" }),
    "no issuer": () => sign(personas.staff.claims, { issuer: null }),
    "wrong audience": () => sign(personas.staff.claims, { audience: "someone-else" }),
    "alg none": async () => unsignedToken(personas.staff.claims),
    "alg none with a signature": async () => unsignedToken(personas.staff.claims) + "c2ln",
    "HS256 signed with the RS256 public key (algorithm confusion)": () =>
      sign(personas.staff.claims, { alg: "HS256", key: new TextEncoder().encode(keys.rsPem) }),
    "RS256 from another key pair": async () => {
      const { generateKeyPair } = await import("jose");
      const other = await generateKeyPair("RS256");
      return sign(personas.staff.claims, { alg: "RS256", key: other.privateKey });
    },
    "ES256 (not configured)": () => sign(personas.staff.claims, { alg: "ES256", key: keys.es.privateKey }),
    "kid injection (path)": () => sign(personas.staff.claims, { kid: "../../../../../../dev/null", key: new Uint8Array(32) }),
    "kid injection (sql)": () => sign(personas.staff.claims, { kid: "x' UNION SELECT 'secret", key: new TextEncoder().encode("secret".padEnd(32, "x")) }),
    "oversize token": () => sign({ ...personas.staff.claims, attrs: { pad: "x".repeat(7000) } }),
    "no sub": () => sign({ email: "sue@keyhole.example", email_verified: true, groups: ["staff"] }),
    "claims of the wrong type": () => sign({ sub: "u-1", email_verified: "true" }),
    "garbage": async () => "not.a.jwt",
    "two segments": async () => "eyJhbGciOiJIUzI1NiJ9.e30",
  };
  for (const [name, make] of Object.entries(cases)) {
    test(name, async () => {
      const token = await make();
      for (const how of ["header", "cookie"]) {
        const h = how === "header" ? { authorization: `Bearer ${token}` } : { cookie: `a=b; keyhole_token=${token}` };
        const r = await get(proxyUrl, "/api/v2/summary.json", h);
        assert.equal(r.status, 401, `${name} via ${how}: ${r.status} ${r.text.slice(0, 100)}`);
        assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer realm="keyhole", error="invalid_token"/);
        assert.equal(r.text, '{"error":"unauthorized"}');
        assert.ok(!(r.headers.get("www-authenticate") ?? "").includes(token.slice(0, 20)));
      }
    });
  }
  test("non-Bearer Authorization", async () => {
    const r = await get(proxyUrl, "/api/v2/summary.json", { authorization: "Basic dXNlcjpwYXNz" });
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate"), /invalid_request/);
  });
  test("RS256 with the configured key and clock skew inside tolerance are accepted", async () => {
    const t = await sign(personas.staff.claims, { alg: "RS256", key: keys.rs.privateKey, exp: -2 });
    const r = await get(proxyUrl, "/api/v2/summary.json", { authorization: `Bearer ${t}` });
    assert.equal(r.status, 200);
    assert.ok(r.text.includes("CANARY-STAFF"));
  });
  test("grants in the JWT are ignored unless configured", async () => {
    const t = await sign({ ...personas.globex.claims, grants: [`article:${PARTNER_PAGE}`] });
    const r = await get(proxyUrl, `/wiki/rest/api/content/${PARTNER_PAGE}`, { authorization: `Bearer ${t}` });
    assert.equal(r.status, 404);
    assertNoCanary(r.text, ALL_CANARIES, "jwt grants");
  });
});

test("ES256 and EdDSA through a JWKS object and a JWKS URL (cached), kid mismatch rejected", async () => {
  const make = (identity) => createEdgeFilter(edgeConfig(origin.url, { identity: { algorithms: ["ES256", "EdDSA", "RS256"], issuer: ISSUER, audience: AUDIENCE, ...identity } }));
  const local = make({ jwks: keys.jwks });
  const remote = make({ jwksUrl: `http://127.0.0.1:${jwksServer.address().port}/jwks.json` });
  const req = (t) => new Request("http://edge.test/api/v2/summary.json", { headers: { authorization: `Bearer ${t}` } });
  for (const edge of [local, remote]) {
    for (const [alg, key, kid] of [["ES256", keys.es.privateKey, "es-1"], ["EdDSA", keys.ed.privateKey, "ed-1"], ["RS256", keys.rs.privateKey, "rs-1"]]) {
      const ok = await edge.fetch(req(await sign(personas.staff.claims, { alg, key, kid })));
      assert.equal(ok.status, 200, `${alg}`);
      assert.ok((await ok.text()).includes("CANARY-STAFF"));
    }
    const wrongKid = await edge.fetch(req(await sign(personas.staff.claims, { alg: "ES256", key: keys.es.privateKey, kid: "rs-1" })));
    assert.equal(wrongKid.status, 401);
    const injected = await edge.fetch(req(await sign(personas.staff.claims, { alg: "ES256", key: keys.es.privateKey, kid: "http://evil.example/jwks" })));
    assert.equal(injected.status, 401);
    const hs = await edge.fetch(req(await sign(personas.staff.claims)));
    assert.equal(hs.status, 401, "HS256 not configured here");
    assert.equal((await hs.text()), '{"error":"unauthorized"}');
  }
  assert.equal(jwksHits, 1, "the JWKS URL is fetched once and cached");
});

describe("share links", () => {
  const link = (o = {}) => createShareToken(SHARE_SECRET, { resources: [`article:${PARTNER_PAGE}`], emails: ["Pat@Partner.example"], ttlSeconds: 600, ...o });
  const page = `/wiki/rest/api/content/${PARTNER_PAGE}`;
  test("opens the page for the listed verified viewer (query and header), nothing else", async () => {
    const t = await link();
    const h = await personaHeaders("partner");
    const a = await get(proxyUrl, `${page}?share=${t}`, h);
    assert.equal(a.status, 200);
    assert.ok(a.text.includes("CANARY-PARTNER"));
    assertNoCanary(a.text, ["CANARY-STAFF"], "parent title"); // the hidden parent keeps its id only
    const b = await get(proxyUrl, page, { ...h, "x-keyhole-share": t });
    assert.equal(b.status, 200);
    const parent = await get(proxyUrl, `/wiki/rest/api/content/95000?share=${t}`, h);
    assert.equal(parent.status, 404, "a grant opens the resource only, not its parent");
    const list = await get(proxyUrl, `/wiki/rest/api/content?share=${t}`, h);
    assert.ok(list.text.includes("CANARY-PARTNER"));
    assertNoCanary(list.text, forbiddenFor("partner", true), "partner list");
    assert.ok(!logs.some((e) => JSON.stringify(e).includes(t)), "the share token is never logged");
  });
  test("a domain link works for the domain", async () => {
    const t = await link({ emails: [], domains: ["partner.example."] });
    assert.equal((await get(proxyUrl, `${page}?share=${t}`, await personaHeaders("partner"))).status, 200);
  });
  const refused = {
    "forwarded to another signed-in viewer": async () => [await link(), await personaHeaders("globex")],
    "forwarded to an anonymous viewer": async () => [await link(), {}],
    "same email, not verified": async () => [await link(), { authorization: `Bearer ${await sign({ sub: "u-x", email: "pat@partner.example", email_verified: false })}` }],
    "look-alike domain": async () => [await link({ emails: [], domains: ["partner.example"] }), { authorization: `Bearer ${await sign({ sub: "u-y", email: "eve@partner.example.evil.test", email_verified: true })}` }],
    "two @ in the email": async () => [await link({ emails: [], domains: ["partner.example"] }), { authorization: `Bearer ${await sign({ sub: "u-z", email: "eve@evil.test@partner.example", email_verified: true })}` }],
    expired: async () => [await link({ exp: Math.floor(Date.now() / 1000) - 3600 }), await personaHeaders("partner")],
    "tampered body": async () => {
      const t = await link();
      const [body, mac] = t.split(".");
      const json = JSON.parse(Buffer.from(body, "base64url"));
      json.resources = ["article:97000"];
      return [`${Buffer.from(JSON.stringify(json)).toString("base64url")}.${mac}`, await personaHeaders("partner")];
    },
    "signed with another secret": async () => [await createShareToken("another-share-secret-0123456789", { resources: [`article:${PARTNER_PAGE}`], emails: ["pat@partner.example"] }), await personaHeaders("partner")],
    garbage: async () => ["%%%.@@@", await personaHeaders("partner")],
  };
  for (const [name, make] of Object.entries(refused)) {
    test(`does nothing when ${name}`, async () => {
      const [t, h] = await make();
      const r = await get(proxyUrl, `${page}?share=${encodeURIComponent(t)}`, h);
      assert.equal(r.status, 404);
      assertNoCanary(r.text, ALL_CANARIES, name);
    });
  }
});

describe("upstream failures: 502/404 with a short JSON error and nothing of the payload", () => {
  let edge, url;
  before(async () => {
    edge = await serveNode(createEdgeFilter(edgeConfig(bad.url)), { port: 0 });
    url = edge.url;
  });
  after(() => edge.close());
  const staff = () => personaHeaders("staff");
  test("upstream 500", async () => {
    const r = await get(url, "/api/v2/summary.json", await staff());
    assert.equal(r.status, 502);
    assert.equal(r.text, '{"error":"bad gateway"}');
  });
  test("status.json answered from a failing summary.json", async () => {
    const r = await get(url, "/api/v2/status.json");
    assert.equal(r.status, 502);
  });
  test("malformed upstream JSON", async () => {
    const r = await get(url, "/api/v2/components.json", await staff());
    assert.equal(r.status, 502);
    assert.equal(r.text, '{"error":"payload rejected"}');
  });
  test("not JSON, duplicate member names", async () => {
    for (const p of ["/api/v2/not-json.json", "/api/v2/duplicate.json"]) {
      const r = await get(url, p);
      assert.equal(r.status, 502, p);
      assertNoCanary(r.text, ALL_CANARIES, p);
    }
  });
  test("gzip and br bodies are decoded, then filtered", async () => {
    for (const p of ["/api/v2/incidents.json", "/api/v2/incidents/unresolved.json"]) {
      const anon = await get(url, p);
      assert.equal(anon.status, 200, p);
      assertNoCanary(anon.text, ALL_CANARIES, p);
      const staffView = await get(url, p, await staff());
      assert.ok(staffView.text.includes("CANARY-STAFF"));
      assert.equal(anon.headers.get("content-encoding"), null);
      assert.equal(Number(anon.headers.get("content-length")), Buffer.byteLength(anon.text));
    }
  });
  test("oversize payload (declared length and endless stream) is 502, not a hang", async () => {
    for (const p of ["/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/active.json"]) {
      const t0 = Date.now();
      const r = await get(url, p, await staff());
      assert.equal(r.status, 502, p);
      assert.equal(r.text, '{"error":"payload too large"}');
      assert.ok(Date.now() - t0 < 4000, `${p} took ${Date.now() - t0} ms`);
    }
  });
  test("redirects are not followed", async () => {
    assert.equal((await get(url, "/api/v2/scheduled-maintenances/upcoming.json")).status, 502);
  });
  test("upstream 404 is 404 without its body", async () => {
    const r = await get(url, "/wiki/rest/api/content/123");
    assert.equal(r.status, 404);
    assert.equal(r.text, '{"error":"not found"}');
  });
  test("unreachable upstream", async () => {
    const dead = createEdgeFilter(edgeConfig("http://127.0.0.1:9"));
    const r = await dead.fetch(new Request("http://e/api/v2/summary.json"));
    assert.equal(r.status, 502);
  });
  test("a bad policy fails at ready() with its pointer", async () => {
    const e = createEdgeFilter(edgeConfig(origin.url, { policy: '{"keyhole":1,"status":{"default":{"allow":["evryone"]}}}' }));
    await assert.rejects(e.ready(), (err) => err.code === "policy" && err.pointer === "/status/default/allow/0");
  });
});

test("keyhole-edge command: serves, logs one line per request without tokens, share subcommand", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-edge-"));
  writeFileSync(join(dir, "secret"), HS_SECRET + "\n");
  writeFileSync(join(dir, "share"), SHARE_SECRET + "\n");
  const bin = join(repo, "edge/bin/keyhole-edge.js");
  const shareTok = await new Promise((ok, fail) => {
    const c = spawn(process.execPath, [bin, "share", "--secret-file", join(dir, "share"), "--resource", `article:${PARTNER_PAGE}`, "--email", "pat@partner.example", "--ttl", "1h"]);
    let out = ""; c.stdout.on("data", (d) => (out += d)); c.on("exit", (code) => (code === 0 ? ok(out.trim()) : fail(new Error(`exit ${code}`))));
  });
  const child = spawn(process.execPath, [bin, "--upstream", origin.url, "--policy", join(repo, "edge/sample-origin/policy.json"), "--port", "0",
    "--hs256-secret-file", join(dir, "secret"), "--issuer", ISSUER, "--audience", AUDIENCE, "--share-secret-file", join(dir, "share")]);
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  try {
    const url = await new Promise((ok, fail) => {
      const t = setInterval(() => { const m = /listening on (http:\/\/\S+),/.exec(stderr); if (m) { clearInterval(t); ok(m[1]); } }, 20);
      child.on("exit", (c) => fail(new Error(`exited ${c}: ${stderr}`)));
    });
    const h = await personaHeaders("partner");
    const r = await get(url, `/wiki/rest/api/content/${PARTNER_PAGE}?share=${shareTok}`, h);
    assert.equal(r.status, 200);
    assert.equal((await get(url, "/api/v2/summary.json", { authorization: "Bearer x.y.z" })).status, 401);
    await get(url, "/api/v2/summary.json");
    await new Promise((ok) => setTimeout(ok, 100));
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 3, stdout);
    assert.match(lines[0], /^\S+ 200 GET \/wiki\/rest\/api\/content\/95001 route=\S+ aud=[\w-]+ in=\d+ out=\d+ ms=\d+( up=\w+)? share=granted$/);
    assert.match(lines[1], / 401 GET .* error="signature verification failed"|401 GET/);
    const bearer = h.authorization.slice(7);
    assert.ok(!stdout.includes(bearer) && !stdout.includes(shareTok) && !stderr.includes(bearer));
  } finally {
    child.kill();
  }
});

test("claims mapping from namespaced claims; token grants only when trusted", async () => {
  const edge = createEdgeFilter(edgeConfig(origin.url, {
    identity: {
      algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE,
      claims: { orgs: ["https://keyhole.example/claims", "orgs"], email_verified: "verified", groups: (p) => p.roles_and_groups?.groups },
      trustTokenGrants: true,
    },
  }));
  const t = await sign({ sub: "u-ns", email: "ann@globex.example", verified: true, "https://keyhole.example/claims": { orgs: ["globex"] }, grants: [`article:${PARTNER_PAGE}`] });
  const list = await edge.fetch(new Request("http://e/wiki/rest/api/content", { headers: { authorization: `Bearer ${t}` } }));
  const text = await list.text();
  assert.ok(text.includes("CANARY-GLOBEX"), "orgs mapped from the namespaced claim");
  assert.ok(text.includes("CANARY-PARTNER"), "grants taken from the token when trusted");
  assertNoCanary(text, ["CANARY-INITECH", "CANARY-STAFF"], "mapped viewer");
  const staffish = await sign({ sub: "u-ns2", roles_and_groups: { groups: ["staff"] } });
  const s = await edge.fetch(new Request("http://e/api/v2/components.json", { headers: { authorization: `Bearer ${staffish}` } }));
  assert.ok((await s.text()).includes("CANARY-STAFF"), "groups mapped by a function");
});

test("keyhole-edge --config: JWKS file, per-route policy file, audience cache", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kh-edge-cfg-"));
  writeFileSync(join(dir, "jwks.json"), JSON.stringify(keys.jwks));
  writeFileSync(join(dir, "edge.json"), JSON.stringify({
    upstream: origin.url, policyFile: join(repo, "edge/sample-origin/policy.json"), port: 0,
    identity: { algorithms: ["ES256", "EdDSA"], jwksFile: "jwks.json", issuer: ISSUER, audience: AUDIENCE },
    routes: [
      { path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 5 } },
      { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm", policyFile: join(repo, "edge/sample-origin/policy-jsm.json") },
    ],
  }));
  const child = spawn(process.execPath, [join(repo, "edge/bin/keyhole-edge.js"), "--config", join(dir, "edge.json")]);
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  try {
    const url = await new Promise((ok, fail) => {
      const t = setInterval(() => { const m = /listening on (http:\/\/\S+),/.exec(stderr); if (m) { clearInterval(t); ok(m[1]); } }, 20);
      child.on("exit", (c) => fail(new Error(`exited ${c}: ${stderr}`)));
    });
    const h = { authorization: `Bearer ${await sign(personas.staff.claims, { alg: "EdDSA", key: keys.ed.privateKey, kid: "ed-1" })}` };
    const jsm = await get(url, "/rest/servicedeskapi/knowledgebase/article", h);
    assert.equal(jsm.status, 200);
    assert.equal(JSON.parse(jsm.text).values.length, 14);
    const st = await get(url, "/api/v2/status.json", h);
    assert.equal(JSON.parse(st.text).status.indicator, "major");
    assert.ok(st.headers.get("x-keyhole-audience"));
    assert.equal((await get(url, "/api/v2/status.json", { authorization: `Bearer ${await sign(personas.staff.claims)}` })).status, 401, "HS256 not configured");
  } finally {
    child.kill();
  }
});

test("request paths cannot move the upstream host (no SSRF through URL resolution)", async () => {
  const seen = [];
  const spy = (req) => { seen.push(new URL(req.url).host); return fetch(req); };
  const edge = createEdgeFilter(edgeConfig(origin.url, { fetch: spy, routes: [{ path: "/**", format: "pass-through" }, { path: /^\/\/.*$/, format: "statuspage" }] }));
  for (const p of ["//evil.example/api/v2/summary.json", "/\\evil.example/x", "/%2F%2Fevil.example/x"]) {
    await edge.fetch(new Request(`http://edge.test${p}`));
  }
  assert.ok(seen.length > 0);
  assert.ok(seen.every((h) => h === new URL(origin.url).host), seen.join(","));
});
